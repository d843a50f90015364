"""The admin walked with the keyboard alone: focus follows the user through the inlines' "Add
another" and ✕, the autosave offer's Restore and Discard, and shows on autocomplete fields.

Only the keyboard acts (Tab to a control, Enter on it), as a keyboard-only user would.
"""

import pytest
from playwright.sync_api import expect

from reviews.pending import Autosave
from tests.browser.conftest import screenshot, viewport_name
from tests.browser.test_editing import change_page, draft_of, no_errors, sign_in
from tests.factories import CastCreditFactory, FilmFactory, SectionFactory, user_in_group

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tab_to(page, target, limit: int = 250) -> None:
    """Press Tab until `target` (a locator) has the focus, as a keyboard user walks a page."""
    for _ in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {target}")


def focused(page) -> str:
    """The focused element: its id, else its name, else its tag and class."""
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return e.id || e.name || `${e.localName}.${e.className}`; }"
    )


def in_view(page) -> bool:
    return page.evaluate(
        "() => { const r = document.activeElement.getBoundingClientRect();"
        " return r.bottom > 0 && r.top < innerHeight; }"
    )


def test_add_another_moves_focus_to_the_new_rows_first_field(page, live_server):
    film = FilmFactory(title="Ballerina")
    CastCreditFactory(film=film, person__name="Ana de Armas", order=0)
    user_in_group("Editors", username="edie")
    sign_in(page, live_server, "edie")

    page.goto(f"{live_server.url}/admin/reviews/review/add/")
    tab_to(page, page.get_by_role("button", name="Add another Section"))
    page.keyboard.press("Enter")
    expect(page.locator("#id_sections-1-heading")).to_be_focused()
    assert in_view(page)
    page.keyboard.type("The dance")
    expect(page.locator("#id_sections-1-heading")).to_have_value("The dance")

    page.goto(change_page(live_server, film))
    tab_to(page, page.get_by_role("button", name="Add another Cast credit"))
    page.keyboard.press("Enter")
    expect(page.locator("#id_cast_credits-1-order")).to_be_focused()
    assert in_view(page)
    screenshot(page, "keyboard-1-cast-credit-added")
    no_errors(page)


def test_removing_a_new_section_keeps_focus_and_renumbers_the_rest(page, live_server):
    user_in_group("Writers", username="wanda")
    sign_in(page, live_server, "wanda")
    page.goto(f"{live_server.url}/admin/reviews/review/add/")
    sections = page.locator(".sortable-sections")
    rows = sections.locator(".inline-related:not(.empty-form)")
    tab_to(page, page.get_by_role("button", name="Add another Section"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("button", name="Add another Section"))
    page.keyboard.press("Enter")
    expect(rows).to_have_count(3)

    # The second section's ✕: focus goes back to the first, the third becomes "#2".
    tab_to(page, rows.nth(1).locator(".inline-deletelink"))
    page.keyboard.press("Enter")
    expect(rows).to_have_count(2)
    expect(page.locator("#id_sections-0-heading")).to_be_focused()
    assert rows.locator(".inline_label").all_inner_texts() == ["#1", "#2"]

    # The first one's: no section before it, so focus goes to "Add another Section".
    tab_to(page, rows.nth(0).locator(".inline-deletelink"))
    page.keyboard.press("Enter")
    expect(rows).to_have_count(1)
    expect(page.get_by_role("button", name="Add another Section")).to_be_focused()
    assert rows.locator(".inline_label").all_inner_texts() == ["#1"]
    no_errors(page)


def offered_draft(page, live_server):
    writer = user_in_group("Writers", username="wanda")
    review = draft_of(writer)
    data = {"film": str(review.film_id), "headline": "A headline typed before the crash"}
    Autosave.objects.create(user=writer, review=review, data=data, base_version=review.version)
    sign_in(page, live_server, "wanda")
    page.goto(change_page(live_server, review))
    expect(page.locator("#autosave-offer")).to_be_visible()
    return review


def test_restore_moves_focus_to_the_first_restored_field(page, live_server):
    offered_draft(page, live_server)
    tab_to(page, page.get_by_role("button", name="Restore"))
    page.keyboard.press("Enter")
    headline = page.get_by_label("Headline")
    expect(headline).to_have_value("A headline typed before the crash")
    expect(headline).to_be_focused()
    no_errors(page)


def test_discard_moves_focus_to_the_forms_first_field(page, live_server):
    offered_draft(page, live_server)
    tab_to(page, page.get_by_role("button", name="Discard"))
    page.keyboard.press("Enter")
    expect(page.locator("#autosave-offer")).to_be_hidden()
    # The form's first field is the film's autocomplete box.
    expect(page.locator("#id_film + .select2 .select2-selection")).to_be_focused()
    no_errors(page)


def focus_ring(page) -> str:
    """The outline round the focused field (round an autocomplete's whole box); "" if none."""
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " const s = getComputedStyle(e.closest('.select2-selection') || e);"
        " return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0"
        "   ? `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}` : ''; }"
    )


def test_autocomplete_fields_show_a_focus_ring(page, live_server):
    film = FilmFactory(title="Ballerina")
    CastCreditFactory(film=film, person__name="Ana de Armas", order=0)
    review = draft_of(user_in_group("Writers", username="wanda"), film=film)
    user_in_group("Editors", username="edie")  # who may change the film's cast too
    sign_in(page, live_server, "edie")
    page.goto(change_page(live_server, review))

    # The same ring as a plain field's, such as Headline's.
    tab_to(page, page.get_by_label("Headline"))
    ring = focus_ring(page)
    assert ring
    for box in ("#id_film + .select2 .select2-selection", "#id_tags + .select2 input"):
        tab_to(page, page.locator(box))
        assert focus_ring(page) == ring, box
        page.locator(box).scroll_into_view_if_needed()
        screenshot(page, "keyboard-2-tags-focused" if "tags" in box else "keyboard-2-film-focused")

    page.goto(change_page(live_server, film))
    person = page.locator("#cast_credits-group .select2-selection").first
    tab_to(page, person)
    assert focus_ring(page) == ring
    no_errors(page)


def test_a_new_sections_buttons_are_drawn_in_their_tab_order(page, live_server):
    user_in_group("Writers", username="wanda")
    sign_in(page, live_server, "wanda")
    page.goto(f"{live_server.url}/admin/reviews/review/add/")
    tab_to(page, page.get_by_role("button", name="Add another Section"))
    page.keyboard.press("Enter")
    row = page.locator(".sortable-sections .inline-related:not(.empty-form)").nth(1)
    tab_to(page, row.get_by_role("button", name="Move up"))
    stops = [page.evaluate("document.activeElement.getBoundingClientRect().left")]
    for _ in range(2):
        page.keyboard.press("Tab")
        stops.append(page.evaluate("document.activeElement.getBoundingClientRect().left"))
    expect(row.locator(".inline-deletelink")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(row.get_by_role("button", name="Move down")).to_be_focused()
    assert stops == sorted(stops), stops  # ↑, ↓, ✕ from left to right
    row.locator("h3").scroll_into_view_if_needed()
    screenshot(page, "keyboard-4-new-section-buttons")
    no_errors(page)


@pytest.mark.parametrize("preview_left_open", [False, True])
def test_a_new_review_takes_the_typing_at_once(page, live_server, preview_left_open):
    """On the add page the writer types the film's title straight away: focus is on the film's
    box (not its hidden <select>, nor the preview's "Hide preview"), and the first letter opens
    the search with itself in it."""
    film = FilmFactory(title="Ballerina")
    FilmFactory(title="Alien")
    user_in_group("Writers", username="wanda")
    sign_in(page, live_server, "wanda")
    if preview_left_open:
        page.add_init_script(
            "localStorage.setItem('marquee.livePreview', JSON.stringify({open: true}))"
        )

    page.goto(f"{live_server.url}/admin/reviews/review/add/")
    page.keyboard.type("Baller")
    search = page.locator(".select2-container--open .select2-search__field")
    expect(search).to_have_value("Baller")
    expect(page.get_by_role("option", name="Ballerina")).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("#id_film")).to_have_value(str(film.pk))
    expect(page.locator("#id_film + .select2 .select2-selection")).to_be_focused()
    tab_to(page, page.get_by_label("Headline"))  # past the film's edit and add links
    page.keyboard.type("A dancer with a gun")
    expect(page.get_by_label("Headline")).to_have_value("A dancer with a gun")
    if preview_left_open:
        # Beside the form it is shown again, without the focus; over it (a phone) it waits
        # for Show preview, or the form under it could take no typing.
        expect(page.locator("#live-preview")).to_be_visible(
            visible=viewport_name(page) == "desktop"
        )
    screenshot(page, "keyboard-3-typed-at-once" + ("-preview" if preview_left_open else ""))
    no_errors(page)


def test_the_live_preview_is_one_tab_stop(page, live_server):
    """The readers' page in the preview's frame is one stop, scrolled with Page Down, not its
    links one by one; Tab then goes on (beside the form), and Escape hides the preview."""
    review = draft_of(user_in_group("Writers", username="wanda"))
    for position in range(2, 8):  # a page longer than the frame, to scroll
        SectionFactory(
            review=review, heading=f"Part {position}", body="Eve trains. " * 80, position=position
        )
    sign_in(page, live_server, "wanda")
    page.goto(change_page(live_server, review))
    tab_to(page, page.get_by_role("button", name="Show preview"))
    page.keyboard.press("Enter")
    frame = page.frame_locator(".live-preview__frame")
    expect(frame.locator("h1")).to_have_text("A draft to work on")
    expect(page.locator("#live-preview")).to_have_attribute("data-updated", "1")
    hide = page.get_by_role("button", name="Hide preview")
    expect(hide).to_be_focused()

    page.keyboard.press("Tab")
    in_frame = "document.activeElement.matches('.live-preview__frame')"
    assert page.evaluate(in_frame), focused(page)
    inner = page.frame_locator(".live-preview__frame").locator(":focus")
    expect(inner).to_have_count(0)  # the frame's page itself, none of its links
    page.keyboard.press("PageDown")
    readers_page = page.locator(".live-preview__frame").element_handle().content_frame()
    # A function, not a bare expression: Playwright evaluates a bare expression again on each
    # poll after the first, with eval, which the page's CSP refuses; a function is read once.
    readers_page.wait_for_function("() => scrollY > 0")
    page.keyboard.press("Tab")  # on to the form beside it; over it (a phone), back to its bar
    assert not page.evaluate(in_frame), focused(page)
    if viewport_name(page) == "desktop":
        page.keyboard.press("Shift+Tab")
    else:
        tab_to(page, page.locator(".live-preview__frame"), limit=5)
    assert page.evaluate(in_frame), focused(page)
    page.keyboard.press("Escape")
    expect(page.locator("#live-preview")).to_be_hidden()
    expect(page.get_by_role("button", name="Show preview")).to_be_focused()
    no_errors(page)
