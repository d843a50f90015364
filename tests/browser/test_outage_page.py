"""The 503 page that hands a reader's comment back, as a browser shows it (#16 item 14)."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.browser.conftest import horizontal_overflow, screenshot
from tests.factories import ReviewFactory
from tests.forms import page_form
from tests.test_services import database_down

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

WORDS = (
    "The stairway fight is the best thing in the whole franchise, and I have seen every "
    "one of them twice.\n\nSecond paragraph: the score carries it."
)


def test_a_comment_posted_during_an_outage_can_be_copied_back(page, live_server):
    review = ReviewFactory(published=True)
    client = Client()
    action, fields = page_form(
        client.get(review.get_absolute_url()).content.decode(), id="comment-form"
    )
    fields.update(client.get(reverse("reviews:comment_tokens", args=[review.slug])).json())
    fields.update(name="Ada Reader", email="ada@example.com", body=WORDS)
    with database_down():
        response = client.post(action.split("#")[0], fields)
    assert response.status_code == 503

    # The page as the server sent it, its stylesheet fetched from the live server.
    html = response.content.decode().replace('href="/static/', f'href="{live_server.url}/static/')
    page.set_content(html, wait_until="load")
    box = page.get_by_label("Body")
    assert box.input_value() == WORDS
    assert box.is_visible()
    assert page.get_by_role("heading", name="Your text was not saved — copy it now").is_visible()
    box.select_text()
    assert horizontal_overflow(page) == 0
    screenshot(page, "outage-comment-kept")
