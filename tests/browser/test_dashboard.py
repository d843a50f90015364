"""The newsroom on the admin's home page, at desktop and phone widths."""

import pytest

from tests.browser.conftest import horizontal_overflow, screenshot
from tests.factories import ReviewFactory, SectionFactory, user_in_group

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_editor_sees_the_queue_and_opens_a_waiting_review(page, live_server):
    writer = user_in_group("Writers", username="wanda", first_name="Wanda", last_name="Writer")
    editor = user_in_group("Editors", username="edie")
    for n, headline in enumerate(["Heat, thirty years on", "Arrival, reconsidered"]):
        review = ReviewFactory(author=writer, headline=headline, status="draft", published_at=None)
        SectionFactory(review=review, heading="Plot", body=f"Body {n}")
        review.submit(by=writer)

    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", editor.username)
    page.fill("#id_password", "correct-horse-battery")
    page.click("input[type=submit]")
    page.wait_for_selector("#newsroom")
    box = page.locator("#newsroom-awaiting")
    assert "Wanda Writer" in box.inner_text()
    assert horizontal_overflow(page) == 0
    screenshot(page, "admin-newsroom")

    box.get_by_role("link", name="Heat, thirty years on").click()
    page.wait_for_selector("#review_form")
    assert "Heat, thirty years on" in page.title() or page.locator("#id_headline").input_value()
    assert page.console_errors == []
