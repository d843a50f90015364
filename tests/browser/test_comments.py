"""Reader comments in a real browser: post, moderate in the admin, read; markup stays text."""

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from reviews import moderation
from reviews.models import Comment
from tests.browser.conftest import VIEWPORTS, horizontal_overflow, screenshot
from tests.factories import user_in_group

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"
XSS = '<script>alert("xss")</script><img src=x onerror="alert(1)"> and https://example.com'


@pytest.fixture(autouse=True)
def _comment_settings(settings):
    settings.MARQUEE_COMMENTS_MIN_SECONDS = 0  # a test types faster than any person
    settings.MARQUEE_COMMENTS_RATE_LIMIT = 50
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _moderators_group():
    """The group a data migration makes; a transactional test before this one flushed it."""
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name="Moderators")
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="reviews",
            codename__in=["moderate_comment", "view_comment", "change_comment", "delete_comment"],
        )
    )


@pytest.fixture
def moderator_page(browser, live_server):
    user_in_group("Moderators", username="mo", first_name="Mo", last_name="Derator")
    context = browser.new_context(**VIEWPORTS["desktop"], reduced_motion="reduce", locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill("mo")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Newsroom", level=1)).to_be_visible()
    yield page
    context.close()


def post_comment(page, name: str, body: str):
    form = page.locator("#comment-form")
    form.get_by_label("Name").fill(name)
    form.get_by_label("Email").fill("reader@example.com")
    form.get_by_label("Comment", exact=True).fill(body)
    form.get_by_role("button", name="Post comment").click()


def test_post_moderate_and_read_a_comment(page, live_server, review, moderator_page):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    url = live_server.url + review.get_absolute_url()

    # A reader posts a comment and is told it awaits moderation; it is not shown yet.
    page.goto(url)
    expect(page.get_by_role("heading", name="Comments", exact=True)).to_be_visible()
    # The honeypot is out of the accessibility tree and out of sight.
    expect(page.get_by_role("textbox", name="Leave this field empty")).to_have_count(0)
    box = page.locator("#id_website").bounding_box()
    assert box["x"] + box["width"] <= 0
    post_comment(page, "Ada Reader", "The kitchen fight!\nBest scene of the year.")
    expect(page.get_by_role("status")).to_have_text(
        "Thank you. Your comment is awaiting moderation: it appears here once a moderator "
        "approves it."
    )
    # Shown to its author alone, marked as awaiting moderation; not yet in the thread.
    expect(page.locator("#my-comments .comment")).to_contain_text("Awaiting moderation")
    expect(page.locator(".comment:not(.comment--mine)")).to_have_count(0)
    assert horizontal_overflow(page) == 0
    screenshot(page, "comments-1-posted")

    # A moderator approves it from the queue.
    moderator_page.goto(live_server.url + "/admin/reviews/comment/")
    row = moderator_page.locator("#result_list tbody tr", has_text="The kitchen fight!")
    expect(row).to_contain_text("Ada Reader")
    screenshot(moderator_page, "comments-2-queue")
    row.locator("input.action-select").check()
    moderator_page.locator("select[name=action]").select_option("approve_selected")
    moderator_page.locator("button[name=index], input[name=index]").first.click()
    expect(moderator_page.locator(".messagelist")).to_contain_text("Approved: 1 comment.")
    screenshot(moderator_page, "comments-2-moderated")
    assert Comment.objects.get().status == Comment.Status.APPROVED
    moderator_page.goto(live_server.url + f"/admin/reviews/comment/{Comment.objects.get().pk}/")
    expect(moderator_page.get_by_role("button", name="Reject")).to_be_visible()
    screenshot(moderator_page, "comments-2-change-page")

    # The reader reloads and sees it, line break and all.
    page.reload()
    expect(page.locator("#my-comments")).to_be_hidden()  # published: no longer "mine" apart
    comment = page.locator(".comment").first
    expect(comment).to_contain_text("Ada Reader")
    expect(comment.locator(".comment__text")).to_have_text(
        "The kitchen fight!\nBest scene of the year.", use_inner_text=True
    )
    expect(page.get_by_role("heading", name="1 comment")).to_be_visible()

    # An XSS payload is shown as the text it is, and nothing runs.
    post_comment(page, "<b>Mallory</b>", XSS)
    expect(page.get_by_role("status")).to_contain_text("awaiting moderation")
    moderation.approve(
        Comment.objects.get(name="<b>Mallory</b>"), by=user_in_group("Moderators", username="mo2")
    )
    page.reload()
    evil = page.locator(".comment", has_text="Mallory")
    expect(evil.locator(".comment__author")).to_have_text("<b>Mallory</b>")
    expect(evil.locator(".comment__text")).to_contain_text('<script>alert("xss")</script>')
    expect(evil.locator(".comment__text img")).to_have_count(0)
    expect(evil.locator(".comment__text script")).to_have_count(0)
    expect(evil.get_by_role("link", name="https://example.com")).to_have_attribute(
        "rel", "nofollow ugc noopener"
    )
    page.wait_for_timeout(300)
    assert dialogs == []
    assert page.console_errors == []
    assert horizontal_overflow(page) == 0
    page.locator("#comments").scroll_into_view_if_needed()
    screenshot(page, "comments-3-shown")


def test_errors_keep_the_typed_text(page, live_server, review):
    page.goto(live_server.url + review.get_absolute_url())
    form = page.locator("#comment-form")
    form.get_by_label("Name").fill("Ada")
    form.get_by_label("Email").fill("ada@example.com")
    form.get_by_label("Comment", exact=True).fill("Same words twice")
    form.get_by_role("button", name="Post comment").click()
    expect(page.get_by_role("status")).to_contain_text("awaiting moderation")

    post_comment(page, "Ada", "Same words twice")  # a duplicate is refused
    expect(page.get_by_role("alert")).to_contain_text("already posted this comment")
    expect(page.locator("#comment-form").get_by_label("Comment", exact=True)).to_have_value(
        "Same words twice"
    )
    assert Comment.objects.count() == 1
    screenshot(page, "comments-4-error")


def test_without_javascript_a_comment_is_confirmed_once_and_nothing_is_lost(
    browser, live_server, review
):
    """The shared page's form has no tokens; without the script the reader confirms once."""
    context = browser.new_context(
        **VIEWPORTS["phone"], java_script_enabled=False, reduced_motion="reduce", locale="en-GB"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(live_server.url + review.get_absolute_url())
        post_comment(page, "Noscript Reader", "Read it in a text browser.")
        expect(page.get_by_role("status")).to_contain_text("has not been posted yet")
        form = page.locator("#comment-form")
        expect(form.get_by_label("Comment", exact=True)).to_have_value("Read it in a text browser.")
        expect(form.get_by_label("Name")).to_have_value("Noscript Reader")
        assert not Comment.objects.exists()
        screenshot(page, "comments-5-confirm")

        form.get_by_role("button", name="Post comment").click()
        expect(page.get_by_role("status")).to_contain_text("awaiting moderation")
        assert Comment.objects.get().body == "Read it in a text browser."
    finally:
        context.close()
