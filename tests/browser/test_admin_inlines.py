"""A film's cast and crew in the admin on a phone: each credit a card of labelled fields, the
whole row in view, with no table to scroll sideways (issue: walkers found Character and Delete
reachable only by scrolling). At desktop width they stay a table."""

from playwright.sync_api import expect

from tests.browser.conftest import horizontal_overflow, screenshot, viewport_name
from tests.browser.test_editing import no_errors, sign_in
from tests.factories import CastCreditFactory, CrewCreditFactory, FilmFactory, user_in_group


def test_a_films_cast_and_crew_fit_a_phone_with_every_field_named(page, live_server):
    film = FilmFactory(title="Ballerina")
    CastCreditFactory(film=film, person__name="Ana de Armas", character="Eve Macarro", order=0)
    CastCreditFactory(film=film, person__name="Keanu Reeves", character="John Wick", order=1)
    CrewCreditFactory(film=film, person__name="Len Wiseman", job="Director")
    user_in_group("Editors", username="editor")
    sign_in(page, live_server, "editor")
    page.goto(f"{live_server.url}/admin/films/film/{film.pk}/change/")

    cast = page.locator("#cast_credits-group")
    character = cast.get_by_role("textbox", name="Character").first
    expect(character).to_have_value("Eve Macarro")
    # Every field of a credit is named after its column, for a screen reader too.
    expect(cast.get_by_role("checkbox", name="Delete?").first).to_be_attached()
    expect(page.locator("#crew_credits-group").get_by_role("textbox", name="Job")).to_have_value(
        "Director"
    )
    # "Add another" brings a row named the same way.
    cast.get_by_role("button", name="Add another Cast credit").click()
    expect(cast.get_by_role("textbox", name="Character")).to_have_count(3)

    for group in ("#cast_credits-group", "#crew_credits-group"):
        wrapper = page.locator(f"{group} .wrapper")
        assert wrapper.evaluate("w => w.scrollWidth - w.clientWidth") == 0, group
    box = character.bounding_box()
    if viewport_name(page) == "phone":
        # Stacked: the label above the field, the field within the screen.
        label = cast.locator("td.field-character").first
        assert label.evaluate("td => getComputedStyle(td, '::before').content") == '"Character"'
        assert box["x"] + box["width"] <= page.viewport_size["width"]
    else:
        expect(cast.locator("thead")).to_be_visible()
    assert horizontal_overflow(page) == 0
    screenshot(page, "film-cast-and-crew")
    no_errors(page)
