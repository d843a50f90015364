"""Tagging a review and featuring it on the front page, in a real browser (#22 item 6)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from reviews.models import Feature
from tests.browser.conftest import horizontal_overflow, screenshot
from tests.factories import ReviewFactory, SectionFactory, TagFactory, user_in_group

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, username):
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "correct-horse-battery")
    page.click("input[type=submit]")


def test_an_editor_tags_a_review_and_features_it(page, live_server):
    editor = user_in_group("Editors", username="edie", first_name="Edie", last_name="Editor")
    TagFactory(name="Revenge")
    TagFactory(name="Ballet")
    review = ReviewFactory(
        author=editor,
        headline="From the world of John Wick",
        status="published",
        published_at=timezone.now() - datetime.timedelta(days=1),
    )
    SectionFactory(review=review, heading="Plot")
    ReviewFactory(
        headline="Yesterday's lead",
        status="published",
        published_at=timezone.now() - datetime.timedelta(days=3),
        featured=True,
    )
    sign_in(page, live_server, "edie")

    # Tag it: an existing tag from the autocomplete, a new one by name.
    page.goto(live_server.url + reverse("admin:reviews_review_change", args=[review.pk]))
    tags_row = page.locator(".field-tags")
    tags_row.locator(".select2-selection").click()
    page.locator(".select2-search__field:focus").fill("Rev")
    page.locator(".select2-results__option", has_text="Revenge").click()
    page.keyboard.press("Escape")
    page.fill("#id_new_tags", "Keanu Reeves")
    placeholder = page.locator("#id_search_description").get_attribute("placeholder")
    assert placeholder  # the derived description, greyed out
    tags_row.scroll_into_view_if_needed()
    screenshot(page, "admin-review-tags")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_be_visible()
    assert sorted(review.tags.values_list("name", flat=True)) == []  # live: pending first
    review.publish_changes(by=editor)
    assert sorted(review.tags.values_list("name", flat=True)) == ["Keanu Reeves", "Revenge"]

    # Feature it from its own page, now.
    page.goto(live_server.url + reverse("admin:reviews_review_change", args=[review.pk]))
    page.locator("a.feature-link").click()
    expect(page.locator("#id_review")).to_have_value(str(review.pk))
    screenshot(page, "admin-feature-add")
    page.locator("input[name=_save]").click()
    expect(page.locator("#result_list")).to_contain_text("From the world of John Wick")
    expect(page.locator("#result_list")).to_contain_text("Yesterday's lead")
    expect(page.locator("#result_list")).to_contain_text("Current")
    # Every shown column in view, on a phone too (there the names and end times give way).
    table = page.locator("#result_list").bounding_box()
    assert table["x"] + table["width"] <= page.viewport_size["width"]
    if page.viewport_size["width"] > 767:
        expect(page.locator("#result_list")).to_contain_text("Edie Editor")
    screenshot(page, "admin-feature-history")
    assert Feature.objects.current().review == review

    # Readers: the front page leads with it; its tag links to the tag's page.
    page.goto(live_server.url + "/")
    featured = page.locator(".page-section--featured")
    expect(featured).to_contain_text("From the world of John Wick")
    page.goto(live_server.url + review.get_absolute_url())
    page.locator("a.tag--topic", has_text="Revenge").click()
    expect(page.locator("h1")).to_have_text("Revenge")
    expect(page.locator(".card-grid")).to_contain_text("From the world of John Wick")
    # The feed link is a line of its own under the (italic) count, not inside it.
    feed = page.get_by_role("link", name="Follow this tag (RSS feed)")
    lede = page.locator(".page-header__lede").bounding_box()
    assert feed.bounding_box()["y"] >= lede["y"] + lede["height"]
    assert feed.evaluate("(a) => getComputedStyle(a).fontStyle") == "normal"
    assert horizontal_overflow(page) == 0
    screenshot(page, "tag-page")
    assert not page.console_errors
