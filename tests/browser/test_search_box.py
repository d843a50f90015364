"""The header's search box suggests as you type: an accessible combobox driven by the keyboard,
announced to screen readers, and a plain GET form without JavaScript."""

import datetime

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from reviews.critics import Critic
from reviews.models import Review
from tests.browser.conftest import VIEWPORTS, horizontal_overflow, screenshot
from tests.browser.test_public_site import axe_violations
from tests.factories import (
    CastCreditFactory,
    FilmFactory,
    PersonFactory,
    ReviewFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LABEL = "Search reviews, films, people and critics"


@pytest.fixture
def catalogue():
    cache.clear()
    ballerina = FilmFactory(title="Ballerina", release_date=datetime.date(2025, 6, 6))
    ana = PersonFactory(name="Ana de Armas")
    CastCreditFactory(film=ballerina, person=ana, order=0)
    FilmFactory(title="Ballet Mécanique", release_date=datetime.date(1924, 1, 1))
    ReviewFactory(published=True, film=ballerina, headline="Ballerina: a dance of vengeance")
    ReviewFactory(
        film=ballerina, headline="Ballerina draft never shown", status=Review.Status.DRAFT
    )
    return ana


def box(page):
    return page.get_by_role("combobox", name=LABEL)


def test_suggestions_open_as_you_type_and_the_keyboard_chooses_one(page, live_server, catalogue):
    page.goto(live_server.url + "/")
    box(page).click()
    box(page).press_sequentially("balle", delay=40)

    listbox = page.get_by_role("listbox", name="Suggestions")
    expect(listbox).to_be_visible()
    expect(box(page)).to_have_attribute("aria-expanded", "true")
    options = listbox.get_by_role("option")
    expect(options.first).to_contain_text("Ballerina")
    expect(listbox).not_to_contain_text("draft never shown")
    live = page.locator("#site-search-status")
    expect(live).to_have_attribute("aria-live", "polite")
    expect(live).to_contain_text("3 suggestions. Use the up and down arrows")
    assert horizontal_overflow(page) == 0
    screenshot(page, "search-suggestions")

    box(page).press("ArrowDown")
    first = options.first
    expect(first).to_have_attribute("aria-selected", "true")
    expect(box(page)).to_have_attribute("aria-activedescendant", first.get_attribute("id"))
    box(page).press("ArrowDown")
    expect(first).to_have_attribute("aria-selected", "false")
    box(page).press("ArrowUp")
    expect(first).to_have_attribute("aria-selected", "true")
    box(page).press("ArrowDown")  # the second option chosen when the list closes

    box(page).press("Escape")
    expect(listbox).to_be_hidden()
    expect(box(page)).to_have_attribute("aria-expanded", "false")
    expect(live).to_have_text("")  # no count of a list that is gone
    assert axe_violations(page) == []

    box(page).press("ArrowDown")  # opens the list again on its first option, and it alone
    expect(first).to_have_attribute("aria-selected", "true")
    expect(listbox.locator('[aria-selected="true"]')).to_have_count(1)
    box(page).press("Enter")
    expect(page).to_have_url(f"{live_server.url}/films/ballerina/")
    assert page.console_errors == []


def test_a_misspelt_name_is_suggested_corrected_and_announced(page, live_server, catalogue):
    page.goto(live_server.url + "/reviews/")
    box(page).press_sequentially("ana de armaz", delay=30)

    option = page.get_by_role("option", name="Person: Ana de Armas")
    expect(option).to_be_visible()
    expect(page.locator("#site-search-status")).to_contain_text(
        "Showing suggestions for ana de armas"
    )
    # Her name is what is being typed: she comes before the film she is in, and is the
    # first choice of the Down key.
    expect(page.locator(".site-search__group").first).to_have_text("People")
    box(page).press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    option.click()
    expect(page).to_have_url(f"{live_server.url}{catalogue.get_absolute_url()}")


def test_the_groups_come_in_the_order_the_suggestions_give(page, live_server, catalogue):
    ReviewFactory(published=True, film=FilmFactory(title="Swan Lake"), headline="Swan")
    page.goto(live_server.url + "/")
    groups = page.locator(".site-search__group")

    for typed, order in (
        ("balle", ["Films", "Reviews"]),
        ("ana de ar", ["People", "Films"]),
        ("swan", ["Reviews", "Films"]),  # the review's headline is all that is typed
    ):
        box(page).fill("")
        box(page).press_sequentially(typed, delay=30)
        expect(groups).to_have_text(order)


def test_a_critics_name_is_suggested_under_critics(page, live_server, catalogue):
    okafor = UserFactory(first_name="Nia", last_name="Okafor")
    Critic.objects.for_user(okafor)
    ReviewFactory(published=True, author=okafor, headline="Pointe taken")
    page.goto(live_server.url + "/")
    box(page).press_sequentially("okaf", delay=30)

    expect(page.locator(".site-search__group").first).to_have_text("Critics")
    option = page.get_by_role("option", name="Critic: Nia Okafor")
    expect(option).to_be_visible()
    screenshot(page, "search-suggestions-critic")
    option.click()
    expect(page).to_have_url(f"{live_server.url}/critics/nia-okafor/")


def test_enter_without_a_choice_searches_as_typed(page, live_server, catalogue):
    page.goto(live_server.url + "/")
    box(page).press_sequentially("balerina", delay=30)
    expect(page.get_by_role("listbox", name="Suggestions")).to_be_visible()
    box(page).press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Results for “balerina”")
    expect(page.get_by_text("Showing results for ballerina")).to_be_visible()
    screenshot(page, "search-corrected")


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_without_javascript_the_box_is_a_plain_form(browser, live_server, catalogue, viewport):
    context = browser.new_context(**VIEWPORTS[viewport], java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/")
    searchbox = page.get_by_role("searchbox", name=LABEL)
    searchbox.fill("ana de armas")
    searchbox.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Results for “ana de armas”")
    expect(page.get_by_role("link", name="Ana de Armas")).to_be_visible()
    context.close()
