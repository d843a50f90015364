"""The live preview on the review change page (#22 item 1), in a real browser at desktop and
phone widths: typing in the form updates the readers' page beside it (over it on a phone), in
the public styles, at phone or desktop width; each Markdown field's own preview uses the public
styles too. Screenshots: tests/browser/screenshots/live-preview-*.png."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS, viewport_name
from tests.browser.test_editing import change_page, no_errors, sign_in
from tests.browser.test_public_site import axe_violations
from tests.factories import (
    CastCreditFactory,
    CrewCreditFactory,
    FilmFactory,
    GenreFactory,
    ReviewFactory,
    SectionFactory,
    user_in_group,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, name: str) -> None:
    """What the editor sees (the viewport, with the fixed preview panel), saved as a PNG."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"live-preview-{name}-{viewport_name(page)}.png"))


@pytest.fixture
def draft():
    writer = user_in_group("Writers", username="wanda", first_name="Wanda", last_name="Writer")
    film = FilmFactory(title="Ballerina", genres=[GenreFactory(name="Action")])
    CrewCreditFactory(film=film, person__name="Len Wiseman")
    CastCreditFactory(film=film, person__name="Ana de Armas", character="Eve", order=0)
    review = ReviewFactory(
        author=writer,
        film=film,
        headline="A dancer with a gun",
        intro="Eve moves like a dancer and fights like one.",
        verdict="Graceful, brutal, a little long.",
        rating=4,
    )
    SectionFactory(review=review, heading="Plot", body="She trains at the Ruska Roma.", position=1)
    SectionFactory(review=review, heading="The ending", body="Nobody expects the snow.", position=2)
    return review


def settled(page):
    """The typing is kept as a draft: closing the page sends nothing while the test database
    is being emptied."""
    expect(page.locator("#autosave-status")).to_contain_text("Draft kept", timeout=10_000)


def open_preview(page):
    page.get_by_role("button", name="Show preview").click()
    panel = page.locator("#live-preview")
    expect(panel).to_be_visible()
    return page.frame_locator(".live-preview__frame")


def test_typing_updates_the_readers_page_beside_the_form(page, live_server, draft):
    sign_in(page, live_server, "wanda")
    page.goto(change_page(live_server, draft))
    phone = viewport_name(page) == "phone"
    frame = open_preview(page)
    expect(frame.locator("h1")).to_have_text("A dancer with a gun")
    expect(frame.locator(".film-box__title")).to_have_text("Ballerina")
    # At first the preview is as wide as the screen in hand: a phone's, a phone's.
    first = "Phone" if phone else "Desktop"
    expect(page.get_by_role("button", name=first)).to_have_attribute("aria-pressed", "true")

    if phone:  # the preview covers the form: back to the form to type
        page.get_by_role("button", name="Hide preview").click()
    page.locator("#id_headline").fill("A dancer, typed and unsaved")
    page.locator("#id_intro").fill("Eve moves *like* a dancer.\n\n### Where it goes")
    page.locator("#id_sections-1-is_spoiler").check()
    page.locator("#id_sections-0-body").press_sequentially(" Typed words arrive.")
    if not phone:
        page.locator("#id_headline").scroll_into_view_if_needed()
        shot(page, "typing")
        # The form's half stacks the admin's header and the page's buttons as a tablet does:
        # the site's name and the user's links each on one line, the buttons in one row.
        lines = page.evaluate(
            """() => {
                const lines = (el) => {  // the text's line boxes
                    const range = document.createRange();
                    range.selectNodeContents(el);
                    return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
                };
                const tools = [...document.querySelectorAll(".object-tools a")];
                return {
                    name: lines(document.querySelector("#site-name")),
                    tools: tools.map(lines),
                    rows: new Set(tools.map((a) => Math.round(a.getBoundingClientRect().top))).size,
                };
            }"""
        )
        assert lines["name"] == 1, lines
        assert lines["rows"] == 1, lines
        assert set(lines["tools"]) == {1}, lines
    if phone:
        frame = open_preview(page)

    expect(frame.locator("h1")).to_have_text("A dancer, typed and unsaved")
    expect(frame.locator(".review-intro em")).to_have_text("like")
    expect(frame.locator("#plot + p")).to_contain_text("Typed words arrive.")
    expect(frame.locator(".review-section .spoiler summary")).to_have_text("Spoiler")
    # The readers' styles: a serif body, a drop cap, headings not upper-cased by the admin.
    styles = frame.locator(".review-intro > p").first.evaluate(
        """(p) => ({
            body: getComputedStyle(p).fontFamily,
            cap: parseFloat(getComputedStyle(p, "::first-letter").fontSize),
            size: parseFloat(getComputedStyle(p).fontSize),
            heading: getComputedStyle(document.querySelector(".review-intro h5")).textTransform,
            adminSheets: [...document.styleSheets]
                .filter((s) => /\\/admin\\//.test(s.href || "")).length,
        })"""
    )
    assert "serif" in styles["body"].lower()
    assert "sans" not in styles["body"].split(",")[0].lower()
    assert styles["cap"] > 2 * styles["size"]
    assert styles["heading"] != "uppercase"
    assert styles["adminSheets"] == 0
    shot(page, "desktop-width")

    # The bar's controls share one line, at phone width too; the status goes under them.
    bar = page.locator(".live-preview__bar")
    boxes = [
        bar.locator(selector).bounding_box()
        for selector in (".live-preview__title", ".live-preview__widths", ".live-preview__close")
    ]
    middles = [box["y"] + box["height"] / 2 for box in boxes]
    assert max(middles) - min(middles) < 4, middles
    page.get_by_role("button", name="Phone").click()
    expect(page.locator(".live-preview__frame")).to_have_css("width", "390px")
    expect(frame.locator(".scorecard")).to_be_visible()
    shot(page, "phone-width")
    page.get_by_role("button", name="Desktop").click()
    expect(page.locator(".live-preview__frame")).to_have_css("width", "1280px")
    page.get_by_role("button", name="Hide preview").click()
    expect(page.locator("#live-preview")).to_be_hidden()
    settled(page)
    no_errors(page)


def test_the_preview_is_remembered_and_the_field_previews_use_the_public_styles(
    page, live_server, draft
):
    sign_in(page, live_server, "wanda")
    page.goto(change_page(live_server, draft))
    frame = open_preview(page)
    expect(frame.locator("h1")).to_have_text("A dancer with a gun")
    assert axe_violations(page) == []  # the change page with its preview panel open
    page.reload()  # shown again beside the form: this browser remembers
    if viewport_name(page) == "desktop":
        expect(page.locator("#live-preview")).to_be_visible()
        page.get_by_role("button", name="Hide preview").click()
    else:  # not over it, where the form could take no typing until it is hidden
        expect(page.get_by_role("button", name="Show preview")).to_be_visible()
        expect(page.locator("#live-preview")).to_be_hidden()

    page.locator("#id_intro").fill("A drop cap here.\n\n### Not shouted")
    field_preview = page.frame_locator(
        "#id_intro ~ .markdown-frame, .markdownx:has(#id_intro) .markdown-frame"
    )
    expect(field_preview.locator("h5")).to_have_text("Not shouted")
    transform = field_preview.locator("h5").evaluate("(h) => getComputedStyle(h).textTransform")
    assert transform != "uppercase"
    page.locator(".markdownx:has(#id_intro) .markdown-frame").scroll_into_view_if_needed()
    shot(page, "field-preview")
    settled(page)
    no_errors(page)


def test_the_preview_over_the_form_keeps_the_keyboard_to_itself(page, live_server, draft):
    """On a phone the preview covers the form: Tab and Shift+Tab stay out of the buttons
    under it (a hidden Submit or Unpublish pressed unseen), and Escape hides the preview from
    anywhere in it, the page in its frame included; the form is then the keyboard's again."""
    sign_in(page, live_server, "wanda")
    page.goto(change_page(live_server, draft))
    page.get_by_role("button", name="Show preview").focus()
    page.keyboard.press("Enter")
    hide = page.get_by_role("button", name="Hide preview")
    expect(hide).to_be_focused()
    frame = page.frame_locator(".live-preview__frame")
    expect(frame.locator("h1")).to_have_text("A dancer with a gun")

    covered = viewport_name(page) == "phone"
    for key in ("Shift+Tab",) * 6 + ("Tab",) * 3:
        page.keyboard.press(key)
        outside = page.evaluate(
            """() => {
                const focused = document.activeElement;
                return !!focused && !focused.closest("#live-preview") && focused !== document.body;
            }"""
        )
        assert not (covered and outside), page.evaluate("document.activeElement.outerHTML")
    # Into the readers' page in the frame, then Escape: the preview goes, the focus comes back.
    frame.locator("a").first.focus()
    page.keyboard.press("Escape")
    expect(page.locator("#live-preview")).to_be_hidden()
    show = page.get_by_role("button", name="Show preview")
    expect(show).to_be_focused()
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement !== document.body")
    assert page.evaluate("!document.querySelector('[inert]')")  # nothing left out of reach
    no_errors(page)
