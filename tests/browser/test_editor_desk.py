"""The editor's desk in a real browser, at desktop and phone widths (issues 13 and 22).

A new review's typing kept by the add page, pre-publish checks before Publish and Schedule,
the unpublish-at field, and the Markdown toolbar with its shortcuts and word count.
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reviews.models import Feature, Review
from tests.browser.conftest import screenshot
from tests.browser.test_editing import draft_of, no_errors, sign_in
from tests.factories import FilmFactory, ReviewFactory, SectionFactory, user_in_group

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def add_page(live_server) -> str:
    return f"{live_server.url}/admin/reviews/review/add/"


def test_a_new_review_keeps_its_typing_through_a_closed_tab(page, live_server):
    user_in_group("Writers", username="wanda", first_name="Wanda", last_name="Writer")
    FilmFactory(title="Ballerina", year=2025)
    sign_in(page, live_server, "wanda")
    page.goto(add_page(live_server))
    page.locator("#id_film").locator("xpath=..").locator(".select2-selection").click()
    page.locator(".select2-dropdown .select2-search__field").fill("Baller")
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


def test_the_review_lists_ready_made_views_are_a_plain_row_of_links(page, live_server):
    editor = user_in_group("Editors", username="edie", first_name="Edie", last_name="Lane")
    ReviewFactory(author=editor, status=Review.Status.IN_REVIEW, headline="Waiting for me")
    writer = user_in_group("Writers", username="wanda", first_name="Wanda", last_name="Natarajan")
    ReviewFactory(
        author=writer,
        published=True,
        headline="Heat: The Crime Saga That Taught Hollywood to Listen",
        film=FilmFactory(title="John Wick: Chapter 4", year=2023),
        rating=4.5,
    )
    sign_in(page, live_server, "edie")
    page.goto(f"{live_server.url}/admin/reviews/review/")
    views = page.get_by_role("navigation", name="Ready-made views")
    markers = views.locator("li").evaluate_all(
        "items => items.map(item => getComputedStyle(item).listStyleType)"
    )
    assert markers == ["none"] * 5
    expect(views.get_by_role("link", name="All")).to_have_attribute("aria-current", "page")
    # Every column shows beside the admin's two sidebars, without a sideways scroll.
    results = page.locator("#changelist .results")
    screenshot(page, "desk-review-list")
    assert results.evaluate("box => box.scrollWidth - box.clientWidth") == 0

    views.get_by_role("link", name="Awaiting review").click()
    expect(page.locator("#result_list")).to_contain_text("Waiting for me")
    expect(views.get_by_role("link", name="Awaiting review")).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.locator("#result_list")).not_to_contain_text("Heat: The Crime Saga")
    # The By author filter names people as the Author column does, not by their sign-in.
    authors = page.locator("#changelist-filter").get_by_role("list").filter(has_text="Wanda")
    expect(authors.get_by_role("link")).to_have_text(["All", "Edie Lane", "Wanda Natarajan"])


def test_the_front_page_rows_button_leaves_its_text_readable(page, live_server):
    editor = user_in_group("Editors", username="edie", first_name="Edie", last_name="Lane")
    review = ReviewFactory(author=editor, published=True, headline="On the front page")
    Feature.objects.create(review=review)
    sign_in(page, live_server, "edie")
    page.goto(f"{live_server.url}/admin/reviews/review/{review.pk}/change/")
    link = page.get_by_role("link", name="Feature this review…")
    link.scroll_into_view_if_needed()
    expect(page.locator(".field-front_page")).to_contain_text("Featured since")
    # The button is beside the text or under it, never drawn over it.
    apart = link.evaluate(
        """link => {
          const text = document.createRange();
          text.selectNodeContents(link.parentElement.firstChild);
          const words = text.getBoundingClientRect(), button = link.getBoundingClientRect();
          return button.top >= words.bottom || button.left >= words.right;
        }"""
    )
    assert apart
    screenshot(page, "desk-front-page-row")


def test_checks_are_shown_before_publish_and_a_blocking_one_refuses(page, live_server):
    user_in_group("Editors", username="edie", first_name="Edie", last_name="Editor")
    writer = user_in_group("Writers", username="wanda", first_name="Wanda", last_name="Writer")
    review = ReviewFactory(
        author=writer, headline="An empty draft", intro="", rating=None, verdict=""
    )
    sign_in(page, live_server, "edie")
    page.goto(f"{live_server.url}/admin/reviews/review/{review.pk}/change/")
    checks = page.locator("#prepublish-checks")
    expect(checks).to_contain_text("Must be fixed")
    expect(checks).to_contain_text("The review has no text")
    expect(checks).to_contain_text("No star rating.")
    # The checks come before the buttons they concern.
    box = checks.bounding_box()
    assert box["y"] < page.get_by_role("button", name="Publish now").bounding_box()["y"]
    screenshot(page, "desk-3-checks-before-publish")

    page.get_by_role("button", name="Publish now").click()
    expect(page.locator(".messagelist")).to_contain_text("Not published: fix this first.")
    assert Review.objects.get(pk=review.pk).status == Review.Status.DRAFT

    page.get_by_label("Intro").fill(
        "Eve Macarro dances her way through a revenge plot, and the film keeps pace with her."
    )
    page.get_by_role("button", name="Publish now").click()
    expect(page.locator(".messagelist")).to_contain_text("is now published")
    assert Review.objects.get(pk=review.pk).status == Review.Status.PUBLISHED
    screenshot(page, "desk-4-published-after-the-fix")


def test_an_editor_sets_when_a_live_review_is_unpublished(page, live_server):
    user_in_group("Editors", username="edie", first_name="Edie", last_name="Editor")
    writer = user_in_group("Writers", username="wanda", first_name="Wanda", last_name="Writer")
    review = ReviewFactory(
        author=writer,
        headline="Here for a week",
        intro="One paragraph.",
        status=Review.Status.PUBLISHED,
        published_at=timezone.now() - datetime.timedelta(days=1),
    )
    sign_in(page, live_server, "edie")
    page.goto(f"{live_server.url}/admin/reviews/review/{review.pk}/change/")
    expect(page.get_by_text("In the site's time zone, UTC.")).to_be_visible()
    moment = timezone.localtime(timezone.now() + datetime.timedelta(days=7))
    page.locator("#id_unpublish_at_0").fill(f"{moment:%Y-%m-%d}")
    page.locator("#id_unpublish_at_1").fill("18:00:00")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    expect(page.locator(".workflow-panel__state")).to_contain_text("unpublishes at")
    expect(page.locator(".workflow-panel__state")).to_contain_text("(UTC)")
    review.refresh_from_db()
    assert review.pending is None
    assert timezone.localtime(review.unpublish_at).hour == 18
    page.locator("#id_unpublish_at_0").scroll_into_view_if_needed()
    screenshot(page, "desk-5-unpublish-at-set")
    expect(page.locator(".workflow-panel")).to_be_visible()
    page.locator(".workflow-panel").scroll_into_view_if_needed()
    screenshot(page, "desk-6-unpublish-at-in-the-status")


def test_the_markdown_toolbar_shortcuts_and_word_count(page, live_server):
    writer = user_in_group("Writers", username="wanda", first_name="Wanda", last_name="Writer")
    review = ReviewFactory(author=writer, headline="A draft to write", intro="")
    sign_in(page, live_server, "wanda")
    page.goto(f"{live_server.url}/admin/reviews/review/{review.pk}/change/")
    intro = page.locator("#id_intro")
    field = page.locator(".markdownx", has=intro)
    expect(field.locator(".md-count")).to_have_text("0 words · 0 min read")

    intro.fill("Eve dances")
    expect(field.locator(".md-count")).to_have_text("2 words · 1 min read")
    expect(page.locator("#review-word-count")).to_contain_text("Whole review:")
    # Ctrl+B makes the selection bold; Ctrl+I italic; Ctrl+K a link with the address selected.
    intro.evaluate("t => t.setSelectionRange(4, 10)")
    intro.press("Control+b")
    expect(intro).to_have_value("Eve **dances**")
    intro.evaluate("t => t.setSelectionRange(0, 3)")
    intro.press("Control+i")
    expect(intro).to_have_value("*Eve* **dances**")
    intro.evaluate("t => t.setSelectionRange(t.value.length, t.value.length)")
    intro.press("Control+k")
    page.keyboard.type("https://example.com/eve")
    expect(intro).to_have_value("*Eve* **dances**[link text](https://example.com/eve)")

    # The toolbar is one Tab stop before the field; arrows move along it; Enter presses.
    intro.focus()
    page.keyboard.press("Shift+Tab")
    bold = field.get_by_role("button", name="Bold (Ctrl+B)")
    expect(bold).to_be_focused()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(field.get_by_role("button", name="Heading")).to_be_focused()
    page.keyboard.press("Enter")
    expect(intro).to_have_value("### *Eve* **dances**[link text](https://example.com/eve)")
    expect(intro).to_be_focused()  # a pressed button hands the field back, to type on
    page.keyboard.press("Shift+Tab")  # the toolbar remembers its last button
    expect(field.get_by_role("button", name="Heading")).to_be_focused()
    page.keyboard.press("Tab")
    expect(intro).to_be_focused()
    page.keyboard.press("Tab")
    expect(intro).not_to_be_focused()  # Tab still leaves the Markdown field
    screenshot(page, "desk-7-markdown-toolbar")

    # Ctrl+S saves the form and stays on the page.
    intro.focus()
    page.keyboard.press("Control+s")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    review.refresh_from_db()
    assert review.intro == "### *Eve* **dances**[link text](https://example.com/eve)"
    no_errors(page)


def test_a_read_only_review_counts_its_words_too(page, live_server):
    """A writer's review in review, and a live one whose changes wait for an editor, are shown
    read-only: the whole review's count is of the text shown, not of the (absent) fields."""
    from reviews import pending

    editor = user_in_group("Editors", username="edie", first_name="Edie", last_name="Editor")
    writer = user_in_group("Writers", username="wanda", first_name="Wanda", last_name="Writer")
    # 8 words in the intro (its lines are split by a <br>), 3 and 4 in the sections.
    in_review = ReviewFactory(
        author=writer, headline="In review", intro="Eve Macarro dances\nher way through a plot"
    )
    SectionFactory(review=in_review, heading="Plot", body="The plot thickens.", position=1)
    SectionFactory(
        review=in_review,
        heading="End",
        body="A *fine* [finale](https://example.com/end) indeed.",
        position=2,
    )
    in_review.submit(by=writer)
    live = ReviewFactory(author=writer, headline="Live", intro="Three live words.")
    SectionFactory(review=live, heading="Plot", body="Two words.", position=1)
    live.publish(by=editor)
    live.refresh_from_db()
    live.intro = "Five words waiting for Edie."
    pending.save_pending(live, list(live.sections.all()), writer, live.version)
    pending.submit_changes(live, writer)

    sign_in(page, live_server, "wanda")
    page.goto(f"{live_server.url}/admin/reviews/review/{in_review.pk}/change/")
    expect(page.locator(".field-intro .readonly")).to_be_visible()
    expect(page.locator("#id_intro")).to_have_count(0)
    expect(page.locator("#review-word-count")).to_have_text("Whole review: 15 words · 1 min read")
    screenshot(page, "desk-10-read-only-word-count")

    page.goto(f"{live_server.url}/admin/reviews/review/{live.pk}/change/")
    expect(page.locator("#id_intro")).to_have_count(0)
    expect(page.locator(".field-intro .readonly")).to_have_text("Five words waiting for Edie.")
    expect(page.locator("#review-word-count")).to_have_text("Whole review: 7 words · 1 min read")
    no_errors(page)


def test_footnotes_and_a_spoiler_typed_with_the_toolbar_work_on_the_page(page, live_server):
    writer = user_in_group("Writers", username="wanda", first_name="Wanda", last_name="Writer")
    review = ReviewFactory(author=writer, headline="Notes and secrets", intro="")
    sign_in(page, live_server, "wanda")
    page.goto(f"{live_server.url}/admin/reviews/review/{review.pk}/change/")
    intro = page.locator("#id_intro")
    field = page.locator(".markdownx", has=intro)
    intro.fill(
        "Eve trains with the Ruska Roma.[^roma]\n\nShe walks into the snow at the end.\n\n"
        "[^roma]: The crime family of the John Wick films."
    )
    # Put the cursor on the second paragraph and make it a spoiler with the toolbar.
    intro.evaluate("t => { const at = t.value.indexOf('She'); t.setSelectionRange(at, at); }")
    field.get_by_role("button", name="Spoiler (hidden until the reader opens it)").click()
    expect(intro).to_have_value(
        "Eve trains with the Ruska Roma.[^roma]\n\n>! She walks into the snow at the end.\n\n"
        "[^roma]: The crime family of the John Wick films."
    )
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    page.goto(f"{live_server.url}/reviews/{review.slug}/preview/")
    spoiler = page.locator(".review-intro details.spoiler")
    expect(spoiler.locator("summary")).to_have_text("Spoiler")
    expect(page.get_by_text("She walks into the snow")).to_be_hidden()
    expect(page.locator(".review-header__meta")).to_contain_text("Not yet published")
    expect(page.locator(".review-footer")).to_contain_text("Reviewed by Wanda Writer.")
    page.locator(".review-intro a.footnote-ref").click()
    note = page.locator(".review-intro .footnote li")
    expect(note).to_contain_text("The crime family of the John Wick films.")
    assert page.url.endswith("#" + note.get_attribute("id"))
    expect(note).to_be_in_viewport()
    screenshot(page, "desk-8-footnote-followed")
    note.locator("a.footnote-backref").click()
    expect(page.locator(".review-intro a.footnote-ref")).to_be_in_viewport()
    spoiler.locator("summary").click()
    expect(page.get_by_text("She walks into the snow")).to_be_visible()
    spoiler.scroll_into_view_if_needed()
    screenshot(page, "desk-9-spoiler-opened")
    no_errors(page)


def test_enter_in_publish_at_schedules_and_escape_closes_the_step(page, live_server):
    """An editor schedules from the keyboard: Enter in "Publish at" takes the Schedule step
    (it pressed the form's first button, Save, and the typed time was lost), and Escape
    closes the open step back onto its summary."""
    editor = user_in_group("Editors", username="edie", first_name="Edie", last_name="Lane")
    review = draft_of(editor, film=FilmFactory(title="Heat"))
    sign_in(page, live_server, "edie")
    page.goto(f"{live_server.url}/admin/reviews/review/{review.pk}/change/")
    schedule = page.locator("details.workflow-action--schedule > summary")
    schedule.focus()
    page.keyboard.press("Enter")
    field = page.get_by_label(re.compile("Publish at"))
    expect(field).to_be_visible()
    page.keyboard.press("Escape")
    expect(field).to_be_hidden()
    expect(schedule).to_be_focused()

    page.keyboard.press("Enter")
    when = timezone.localtime() + datetime.timedelta(days=3)
    field.fill(when.strftime("%Y-%m-%dT09:30"))
    field.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".messagelist")).to_contain_text("is scheduled for")
    review.refresh_from_db()
    assert review.status == Review.Status.SCHEDULED
    assert timezone.localtime(review.published_at).strftime("%Y-%m-%d %H:%M") == when.strftime(
        "%Y-%m-%d 09:30"
    )
