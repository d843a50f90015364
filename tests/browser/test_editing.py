"""The daily editing loop in a real browser, at desktop and phone widths (issue 13).

Second saves with an image, autosave and restore after closing the tab, a workflow step with
unsaved typing, a live review's pending version, the keyboard in Markdown fields (with an
axe-core check), and an image the editor's upload endpoint refuses.
"""

import datetime
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from films.models import Film
from images.models import Image
from reviews.models import Review
from tests.browser.conftest import screenshot
from tests.factories import (
    FilmFactory,
    ReviewFactory,
    SectionFactory,
    image_bytes,
    user_in_group,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"


def sign_in(page, live_server, username):
    failed = []
    page.on(
        "response",
        lambda r: (
            failed.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    page.failed_responses = failed
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#site-name")).to_be_visible()


def change_page(live_server, obj) -> str:
    opts = obj._meta
    return f"{live_server.url}/admin/{opts.app_label}/{opts.model_name}/{obj.pk}/change/"


def draft_of(author, **kwargs):
    review = ReviewFactory(author=author, headline="A draft to work on", **kwargs)
    SectionFactory(review=review, heading="Plot", body="The plot thickens.", position=1)
    return review


def no_errors(page, allowed=()):
    """No script errors; no failed request but the favicon (the admin has none) and `allowed`."""
    assert [e for e in page.console_errors if "Failed to load resource" not in e] == []
    assert [r for r in page.failed_responses if not r.startswith(allowed)] == []


def test_upload_a_poster_into_the_library_from_the_film_form_and_save_again(
    page, live_server, tmp_path
):
    """The film's poster comes from the image library: the magnifier opens it in a popup, where
    the editor uploads the poster with its alt text and it is handed back to the form."""
    user_in_group("Editors", username="edie")
    film = FilmFactory(title="Ballerina")
    poster = tmp_path / "ballerina.png"
    poster.write_bytes(image_bytes("PNG", size=(200, 300)))
    sign_in(page, live_server, "edie")
    page.goto(change_page(live_server, film))
    expect(page.get_by_text("No poster yet.")).to_be_visible()
    with page.expect_popup() as opened:
        page.locator("#lookup_id_poster").click()
    library = opened.value
    library.get_by_role("link", name=re.compile("Add image")).click()
    library.get_by_label("File").set_input_files(str(poster))
    library.get_by_label("Alt text").fill("Poster of Ballerina: Eve in a red coat")
    # Listening before the click: the popup may close before a later wait would begin.
    with library.expect_event("close"):
        library.get_by_role("button", name="Save", exact=True).click()
    image = Image.objects.get()
    expect(page.locator("#id_poster")).to_have_value(str(image.pk))
    # "As shown" follows the choice at once, before the save.
    chosen = page.locator(".field-poster_preview .readonly")
    expect(chosen).to_contain_text(f"Image {image.pk} chosen: it is saved with the form.")
    expect(chosen.get_by_alt_text("Poster of Ballerina: Eve in a red coat")).to_be_visible()
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    expect(page.get_by_alt_text("Poster of Ballerina: Eve in a red coat")).to_be_visible()
    page.get_by_label("Tagline").fill("Revenge, en pointe.")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    page.get_by_role("button", name="Save and continue editing").click()  # unchanged, again
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    screenshot(page, "editing-1-poster-saved-twice")
    film = Film.objects.get(pk=film.pk)
    assert film.tagline == "Revenge, en pointe."
    assert film.poster == image
    assert image.file.name.startswith("library/")
    no_errors(page)


def test_type_close_the_tab_reopen_and_restore(page, browser, live_server):
    writer = user_in_group("Writers", username="wanda")
    review = draft_of(writer)
    sign_in(page, live_server, "wanda")
    page.goto(change_page(live_server, review))
    page.get_by_label("Headline").fill("A headline typed before the crash")
    page.locator("#id_sections-0-body").fill("Words that must survive.")
    expect(page.locator("#autosave-status")).to_contain_text("Draft kept", timeout=10_000)
    context = page.context
    page.close(run_before_unload=False)  # the tab goes, nothing saved

    again = context.new_page()
    again.goto(change_page(live_server, review))
    offer = again.locator("#autosave-offer")
    expect(offer).to_contain_text("You have unsaved changes from")
    expect(again.get_by_label("Headline")).to_have_value("A draft to work on")
    screenshot(again, "editing-2-autosave-offered")
    offer.get_by_role("button", name="Restore").click()
    expect(again.get_by_label("Headline")).to_have_value("A headline typed before the crash")
    expect(again.locator("#id_sections-0-body")).to_have_value("Words that must survive.")
    again.get_by_role("button", name="Save and continue editing").click()
    expect(again.locator(".messagelist")).to_contain_text("was changed successfully")
    review.refresh_from_db()
    assert review.headline == "A headline typed before the crash"
    assert review.sections.get().body == "Words that must survive."
    assert not review.autosaves.exists()
    assert review not in Review.objects.published()
    screenshot(again, "editing-3-autosave-restored")


def test_a_restored_draft_never_overwrites_a_save_made_since(page, live_server):
    """The writer's draft is kept, the tab closes; an editor saves the review; the writer
    restores the draft: the offer says the review was saved since, and saving the draft is
    refused with the text kept instead of overwriting the editor's save."""
    writer = user_in_group("Writers", username="wanda")
    editor = user_in_group("Editors", username="edie", first_name="Edie", last_name="Editor")
    review = draft_of(writer)
    sign_in(page, live_server, "wanda")
    page.goto(change_page(live_server, review))
    page.get_by_label("Intro").fill("An intro the writer typed.")
    expect(page.locator("#autosave-status")).to_contain_text("Draft kept", timeout=10_000)
    context = page.context
    page.close(run_before_unload=False)

    review.refresh_from_db()
    review.verdict, review.last_edited_by = "The editor's verdict", editor
    review.save()

    again = context.new_page()
    again.goto(change_page(live_server, review))
    offer = again.locator("#autosave-offer")
    expect(offer).to_contain_text("The review has been saved since")
    offer.get_by_role("button", name="Restore").click()
    expect(again.get_by_label("Intro")).to_have_value("An intro the writer typed.")
    again.get_by_role("button", name="Save and continue editing").click()
    expect(again.get_by_text("Edie Editor changed this review")).to_be_visible()
    expect(again.get_by_label("Intro")).to_have_value("An intro the writer typed.")
    expect(again.locator("#autosave-offer")).to_have_count(0)  # the form holds it already
    screenshot(again, "editing-3b-restored-draft-refused")
    review.refresh_from_db()
    assert review.verdict == "The editor's verdict"
    assert review.intro != "An intro the writer typed."


def test_type_then_press_submit_for_review(page, live_server):
    writer = user_in_group("Writers", username="wanda")
    review = draft_of(writer)
    sign_in(page, live_server, "wanda")
    page.goto(change_page(live_server, review))
    page.locator("#id_intro").fill("An intro typed and never saved by hand.")
    # Leaving with unsaved changes asks first; staying keeps the text.
    asked = []

    def stay(dialog):
        asked.append(dialog.type)
        dialog.dismiss()

    page.once("dialog", stay)
    page.locator(".object-tools").get_by_role("link", name="History").click()
    page.wait_for_timeout(500)
    assert asked == ["beforeunload"]
    expect(page.locator("#id_intro")).to_have_value("An intro typed and never saved by hand.")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".messagelist")).to_contain_text("is now in review")
    review.refresh_from_db()
    assert review.status == Review.Status.IN_REVIEW
    assert review.intro == "An intro typed and never saved by hand."
    screenshot(page, "editing-4-submitted-with-typing")
    no_errors(page)


def test_edit_a_live_review_readers_see_it_only_once_published(page, browser, live_server):
    user_in_group("Editors", username="edie")
    author = user_in_group("Writers", username="wanda")
    review = draft_of(
        author,
        status=Review.Status.PUBLISHED,
        published_at=timezone.now() - datetime.timedelta(days=1),
    )
    Review.objects.filter(pk=review.pk).update(headline="The live headline")
    reader = browser.new_context().new_page()
    public = live_server.url + review.get_absolute_url()

    sign_in(page, live_server, "edie")
    page.goto(change_page(live_server, review))
    page.get_by_label("Headline").fill("The improved headline")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("pending version")
    expect(page.locator(".workflow-panel")).to_contain_text("Pending changes")
    expect(page.get_by_label("Headline")).to_have_value("The improved headline")
    screenshot(page, "editing-5-pending-version")
    reader.goto(public)
    expect(reader.get_by_role("heading", level=1)).to_have_text("The live headline")

    with page.expect_popup() as popup:
        page.locator(".workflow-panel").get_by_role("link", name="Preview the changes").click()
    expect(popup.value.get_by_role("heading", level=1)).to_have_text("The improved headline")
    expect(popup.value.get_by_text("pending changes, not yet live")).to_be_visible()
    popup.value.close()
    reader.reload()
    expect(reader.get_by_role("heading", level=1)).to_have_text("The live headline")

    page.get_by_role("button", name="Publish changes").click()
    expect(page.locator(".messagelist")).to_contain_text("Published the changes")
    reader.reload()
    expect(reader.get_by_role("heading", level=1)).to_have_text("The improved headline")
    screenshot(reader, "editing-6-public-after-publish-changes")
    reader.context.close()
    no_errors(page)


def test_tab_moves_through_the_review_form_and_axe_finds_nothing_serious(page, live_server):
    writer = user_in_group("Writers", username="wanda")
    review = draft_of(writer)
    sign_in(page, live_server, "wanda")
    page.goto(change_page(live_server, review))
    intro = page.locator("#id_intro")
    intro.focus()
    page.keyboard.press("Tab")
    expect(intro).not_to_be_focused()
    assert page.evaluate("document.activeElement.id") != "id_intro"
    page.keyboard.press("Shift+Tab")
    expect(intro).to_be_focused()
    assert "\t" not in intro.input_value()
    body = page.locator("#id_sections-0-body")
    body.focus()
    page.keyboard.press("Tab")
    expect(body).not_to_be_focused()
    # Indenting stays available with Ctrl+].
    body.focus()
    page.keyboard.press("Control+]")
    assert body.input_value() != "The plot thickens."
    # Every field is reachable from the first by Tab alone.
    page.get_by_label("Headline").focus()
    seen = set()
    for _ in range(60):
        page.keyboard.press("Tab")
        seen.add(page.evaluate("document.activeElement.id"))
    assert {"id_dek", "id_intro", "id_sections-0-heading", "id_sections-0-body"} <= seen
    screenshot(page, "editing-7-keyboard")

    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], results.generate_report()


def test_a_refused_upload_is_explained_in_the_dialog(page, live_server):
    writer = user_in_group("Writers", username="wanda")
    review = draft_of(writer)
    sign_in(page, live_server, "wanda")
    page.goto(change_page(live_server, review))
    editor = page.locator("#id_sections-0-body")
    before = editor.input_value()
    editor.evaluate("""(element) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File(["<svg xmlns='http://www.w3.org/2000/svg'></svg>"],
                                    "logo.png", {type: "image/png"}));
        element.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true,
                                                     cancelable: true}));
    }""")
    dialog = page.get_by_role("dialog", name="Add the image to the library")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Alt text").fill("Our logo")
    dialog.get_by_role("button", name="Add to the library").click()
    message = dialog.locator(".image-drop__problem")
    expect(message).to_be_visible()
    expect(message).to_contain_text("Image not added: Upload a valid image")
    expect(dialog.get_by_label("Alt text")).to_have_value("Our logo")  # kept for another try
    screenshot(page, "editing-8-refused-upload")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    assert editor.input_value() == before  # nothing typed into the text
    assert "Invalid response" not in editor.input_value()
    assert not Image.objects.exists()


def test_enter_in_a_field_saves_and_never_takes_a_workflow_step(page, live_server):
    """Enter in a one-line field submits the form with its default button: on a live review
    that was "Publish changes" (the workflow panel comes first in the page), on a scheduled one
    "Publish now". It saves and continues editing instead."""
    user_in_group("Editors", username="edie")
    author = user_in_group("Writers", username="wanda")
    live = draft_of(
        author,
        status=Review.Status.PUBLISHED,
        published_at=timezone.now() - datetime.timedelta(days=1),
    )
    Review.objects.filter(pk=live.pk).update(dek="The live dek")
    soon = timezone.now() + datetime.timedelta(days=10)
    scheduled = draft_of(author, status=Review.Status.SCHEDULED, published_at=soon)
    sign_in(page, live_server, "edie")

    page.goto(change_page(live_server, live))
    page.get_by_label("Dek").fill("A half-finished thought")
    page.get_by_label("Dek").press("Enter")
    expect(page.locator(".messagelist")).to_contain_text("pending version")
    expect(page.get_by_label("Dek")).to_have_value("A half-finished thought")
    live.refresh_from_db()
    assert live.dek == "The live dek"  # readers still see the live version
    screenshot(page, "editing-7-enter-keeps-a-pending-version")

    page.goto(change_page(live_server, scheduled))
    page.get_by_label("Verdict").fill("Typed, then Enter")
    page.get_by_label("Verdict").press("Enter")
    expect(page.locator(".messagelist")).to_contain_text("changed successfully")
    scheduled.refresh_from_db()
    assert (scheduled.status, scheduled.published_at) == (Review.Status.SCHEDULED, soon)
    assert scheduled not in Review.objects.published()
    no_errors(page)


def test_sections_move_only_where_the_review_may_be_edited(page, live_server):
    """Once a writer has submitted a review, its sections are read-only and nothing is saved:
    the page offers no buttons to move them. On a draft the buttons move the sections, and a
    save keeps the new order."""
    writer = user_in_group("Writers", username="wanda")
    submitted = draft_of(writer, status=Review.Status.IN_REVIEW)
    SectionFactory(review=submitted, heading="Verdict", position=2)
    draft = draft_of(writer)
    SectionFactory(review=draft, heading="Verdict", position=2)
    sign_in(page, live_server, "wanda")
    sections = page.locator(".sortable-sections")

    page.goto(change_page(live_server, submitted))
    expect(page.get_by_role("heading", name="View review")).to_be_visible()
    expect(sections).to_contain_text("Verdict")
    expect(sections.get_by_role("button")).to_have_count(0)
    screenshot(page, "editing-8-submitted-sections-do-not-move")

    page.goto(change_page(live_server, draft))
    rows = sections.locator(".inline-related:not(.empty-form)")
    headings = rows.locator('input[name$="-heading"]')
    positions = rows.locator('input[name$="-position"]')
    expect(sections.get_by_role("button", name="Move up")).to_have_count(2)
    # Each is big enough to tap on a phone (WCAG's 24 px at the least).
    for button in sections.get_by_role("button", name=re.compile(r"^Move (up|down)")).all():
        box = button.bounding_box()
        assert min(box["width"], box["height"]) >= 24, box
    sections.get_by_role("button", name="Move up").nth(1).click()
    assert headings.evaluate_all("inputs => inputs.map(i => i.value)") == ["Verdict", "Plot"]
    assert positions.evaluate_all("inputs => inputs.map(i => i.value)") == ["1", "2"]
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("changed successfully")
    assert [s.heading for s in draft.sections.order_by("position")] == ["Verdict", "Plot"]
    no_errors(page)


def test_new_sections_keep_their_numbers_and_buttons_in_order_when_moved(page, live_server):
    """Three new sections on a new review: moving the second up renumbers the titles as the
    page now orders them, and every section has its arrows at the same place, ✕ beside them."""
    user_in_group("Writers", username="wanda")
    sign_in(page, live_server, "wanda")
    page.goto(f"{live_server.url}/admin/reviews/review/add/")
    sections = page.locator(".sortable-sections")
    add = sections.get_by_role("button", name=re.compile("Add another")).or_(
        sections.get_by_role("link", name=re.compile("Add another"))
    )
    while sections.locator(".inline-related:not(.empty-form)").count() < 3:
        add.first.click()
    rows = sections.locator(".inline-related:not(.empty-form)")
    for n in range(3):
        rows.nth(n).locator('input[name$="-heading"]').fill(f"Part {n + 1}")
    rows.nth(1).get_by_role("button", name="Move up").click()
    rows.nth(1).scroll_into_view_if_needed()
    screenshot(page, "editing-9-new-sections-moved")

    labels = rows.locator(".inline_label").all_inner_texts()
    assert labels == ["#1", "#2", "#3"], labels
    headings = rows.locator('input[name$="-heading"]')
    assert headings.evaluate_all("inputs => inputs.map(i => i.value)") == [
        "Part 2",
        "Part 1",
        "Part 3",
    ]
    # The arrows at the same place on every section, and the ✕ on the same side of them.
    places, sides = [], set()
    for row in rows.all():
        arrows = row.locator(".section-order").bounding_box()
        remove = row.locator(".inline-deletelink")
        if remove.count():
            sides.add(remove.bounding_box()["x"] < arrows["x"])
        places.append(round(arrows["x"]))
    assert len(set(places)) == 1, places
    assert len(sides) <= 1, "the ✕ left of the arrows on one section and right on another"
