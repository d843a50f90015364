"""A reader's comment journeys in a real browser, with and without JavaScript: prompt
confirmation, triple clicks, the rate limit keeping the text, the link limit explained, the
name remembered and one's own pending comment shown to oneself alone."""

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from reviews.models import Comment
from tests.browser.conftest import VIEWPORTS, horizontal_overflow, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _comment_settings(settings):
    settings.MARQUEE_COMMENTS_MIN_SECONDS = 3  # as shipped: the journeys take their time
    settings.MARQUEE_COMMENTS_RATE_LIMIT = 50
    settings.MARQUEE_COMMENTS_MAX_LINKS = 2
    settings.MARQUEE_AKISMET_KEY = ""
    cache.clear()
    yield
    cache.clear()


def fill(page, name="Ada Reader", email="ada@example.com", body="The kitchen fight!"):
    form = page.locator("#comment-form")
    form.get_by_label("Name").fill(name)
    form.get_by_label("Email").fill(email)
    form.get_by_label("Comment", exact=True).fill(body)
    return form


def no_js_page(browser, viewport):
    context = browser.new_context(
        **VIEWPORTS[viewport], java_script_enabled=False, reduced_motion="reduce", locale="en-GB"
    )
    context.set_default_timeout(10_000)
    return context, context.new_page()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_without_javascript_a_prompt_confirmation_stays_pending_and_a_triple_click_stores_one(
    browser, live_server, review, viewport
):
    context, page = no_js_page(browser, viewport)
    try:
        page.goto(live_server.url + review.get_absolute_url())
        form = fill(page, body="Read it in a text browser.")
        page.wait_for_timeout(3200)  # the reader types for a few seconds
        form.get_by_role("button", name="Post comment").click()
        # A step of posting, told as a notice (not an error).
        expect(page.get_by_role("status")).to_contain_text("has not been posted yet")
        expect(page.get_by_role("alert")).to_have_count(0)
        screenshot(page, "comment-journey-1-confirm")
        # They confirm at once, clicking three times.
        page.locator("#comment-form").get_by_role("button", name="Post comment").click(
            click_count=3
        )
        expect(page.get_by_role("status")).to_contain_text("awaiting moderation")
        comment = Comment.objects.get()
        assert (comment.status, comment.spam_signals) == (Comment.Status.PENDING, [])
        screenshot(page, "comment-journey-2-pending-no-js")
    finally:
        context.close()


def test_with_javascript_name_remembered_own_comment_shown_links_explained(
    page, browser, live_server, review
):
    url = live_server.url + review.get_absolute_url()
    page.goto(url)
    form = fill(page, body="See https://a.example, https://b.example and https://c.example")
    form.get_by_label("E-mail me when my comment is published or answered").check()
    page.wait_for_timeout(3200)
    form.get_by_role("button", name="Post comment").click(click_count=3)

    # Three links: explained, nothing posted, the text kept to edit.
    expect(page.get_by_role("alert")).to_contain_text("Your comment was not posted")
    expect(page.get_by_role("alert")).to_be_focused()  # read out first
    expect(page.locator("#comment-form .errorlist")).to_contain_text(
        "at most 2 links; this one has 3. Remove 1"
    )
    comment_box = page.locator("#comment-form").get_by_label("Comment", exact=True)
    expect(comment_box).to_have_value(
        "See https://a.example, https://b.example and https://c.example"
    )
    assert not Comment.objects.exists()
    screenshot(page, "comment-journey-3-links")

    comment_box.fill("See https://a.example only — the kitchen fight!")
    page.locator("#comment-form").get_by_role("button", name="Post comment").click(click_count=3)
    expect(page.get_by_role("status")).to_contain_text(
        "We will e-mail you when it is published or answered"
    )
    # Keyboard and screen-reader users land on what the page says about their comment.
    expect(page.get_by_role("status")).to_be_focused()
    assert Comment.objects.count() == 1
    assert Comment.objects.get().notify

    page.console_errors.clear()  # the refusal above was a 400 page, as it should be
    # Next view: the shared page, with this reader's pending comment fetched for them alone,
    # and their name and address filled in for the next comment.
    page.goto(url)
    mine = page.locator("#my-comments .comment")
    expect(mine).to_contain_text("Awaiting moderation — only you can see this")
    expect(mine).to_contain_text("the kitchen fight!")
    expect(page.locator("#comment-form").get_by_label("Name")).to_have_value("Ada Reader")
    expect(page.locator("#comment-form").get_by_label("Email")).to_have_value("ada@example.com")
    assert horizontal_overflow(page) == 0
    assert page.console_errors == []
    page.locator("#comments").scroll_into_view_if_needed()
    screenshot(page, "comment-journey-4-mine")

    # Another reader sees none of it.
    other = browser.new_context(**VIEWPORTS["desktop"], locale="en-GB")
    try:
        stranger = other.new_page()
        stranger.goto(url)
        expect(stranger.locator("#comments")).to_contain_text("No comments yet.")
        expect(stranger.locator("#my-comments")).to_be_hidden()
        assert "kitchen fight" not in stranger.content()
        expect(stranger.locator("#comment-form").get_by_label("Name")).to_have_value("")
    finally:
        other.close()


def test_the_rate_limit_answer_keeps_the_text_and_says_when(page, live_server, review, settings):
    settings.MARQUEE_COMMENTS_RATE_LIMIT = 1
    Comment.objects.create(
        review=review, name="Earlier", email="e@example.com", body="Before", ip_address="127.0.0.1"
    )
    page.goto(live_server.url + review.get_absolute_url())
    form = fill(page, body="Words I do not want to lose.")
    page.wait_for_timeout(3200)
    form.get_by_role("button", name="Post comment").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("You have posted 1 comment in a short time")
    expect(alert).to_contain_text("send it again after")
    expect(page.locator("#comment-form").get_by_label("Comment", exact=True)).to_have_value(
        "Words I do not want to lose."
    )
    assert Comment.objects.count() == 1
    assert horizontal_overflow(page) == 0
    screenshot(page, "comment-journey-5-rate-limited")


def test_a_review_unpublished_while_the_reader_writes_gives_their_text_back(
    page, live_server, review
):
    """The editor unpublishes the review while a reader writes: posting shows the comment to
    copy and keep, fitting the screen, instead of a bare "not found"."""
    page.goto(live_server.url + review.get_absolute_url())
    form = fill(page, body="A long thought about the opera house scene, worth keeping. " * 3)
    page.wait_for_timeout(3200)
    type(review).objects.filter(pk=review.pk).update(status="draft")
    form.get_by_role("button", name="Post comment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your comment was not posted")
    kept = page.get_by_label("Your comment, to copy and keep:")
    expect(kept).to_have_value("A long thought about the opera house scene, worth keeping. " * 3)
    assert horizontal_overflow(page) == 0
    screenshot(page, "comment-journey-7-not-posted-kept")
    assert not Comment.objects.exists()


def test_with_javascript_ones_own_pending_reply_shows_under_the_comment_it_answers(
    page, live_server, review
):
    """As the approved thread will show it: nested under its parent, saying whom it answers,
    not drawn as a top-level comment above the thread."""
    bea = Comment.objects.create(
        review=review,
        name="Bea",
        email="bea@example.com",
        body="First!",
        status=Comment.Status.APPROVED,
    )
    url = live_server.url + review.get_absolute_url()
    page.goto(f"{url}?reply_to={bea.pk}#comment-form")
    form = fill(page, body="Replying to Bea.")
    page.wait_for_timeout(3200)
    form.get_by_role("button", name="Post reply").click()
    expect(page.locator(".comments__notice")).to_contain_text("awaiting moderation")

    page.goto(url)
    reply = page.locator(f"#comment-{bea.pk} > .comment-list--replies > .comment--mine")
    expect(reply).to_contain_text("Replying to Bea.")
    expect(reply).to_contain_text("Awaiting moderation — only you can see this")
    expect(reply.locator(".comment__reply-to")).to_have_text("In reply to Bea")
    expect(page.locator("#my-comments")).to_be_hidden()
    reply.scroll_into_view_if_needed()
    screenshot(page, "comment-journey-5-pending-reply")
    assert page.console_errors == []
