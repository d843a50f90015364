"""The review form's star rating, by keyboard alone."""

import pytest
from django.urls import reverse

from tests.browser.conftest import screenshot
from tests.factories import ReviewFactory, SectionFactory, user_in_group

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_rating_moves_in_half_steps_with_the_arrow_keys(page, live_server):
    editor = user_in_group("Editors", username="edie")
    review = ReviewFactory(author=editor, rating="4.0", status="draft", published_at=None)
    SectionFactory(review=review)
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "edie")
    page.fill("#id_password", "correct-horse-battery")
    page.click("input[type=submit]")
    page.goto(live_server.url + reverse("admin:reviews_review_change", args=[review.pk]))

    page.locator("input[name=rating][value='4.0']").focus()
    page.keyboard.press("ArrowRight")
    checked = page.locator("input[name=rating]:checked")
    assert checked.get_attribute("value") == "4.5"
    assert page.evaluate("document.activeElement.value") == "4.5"
    page.locator(".star-rating").scroll_into_view_if_needed()
    screenshot(page, "admin-star-rating")
