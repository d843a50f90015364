"""Posting a comment through the review page's own form, with and without JavaScript: nothing
lost, nothing binned without a word (except a bot's), one comment per form, and the rate limit.

Each test reads the form off the page (tests/comment_helpers.py), fills in what a person fills
in, and sends what the form holds, as a browser would.
"""

import re
import socket

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.test.html import parse_html
from django.urls import reverse
from django.utils import timezone

from reviews.commenters import CommentBlock, TrustedCommenter
from reviews.models import Comment
from tests.comment_helpers import (
    READER,
    PageForm,
    page_form,
    shipped_comment_settings,
    text_of,
)
from tests.factories import ReviewFactory
from tests.test_pages import attr, find, find_all, page, text

pytestmark = pytest.mark.django_db

AWAITING = "Your comment is awaiting moderation"


@pytest.fixture(autouse=True)
def _comment_settings(settings):
    shipped_comment_settings(settings)
    settings.MARQUEE_COMMENTS_DISALLOWED_WORDS = ["viagra"]


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


@pytest.fixture
def reader():
    """A reader's browser without JavaScript: cookies kept, CSRF checked as in production."""
    return Client(enforce_csrf_checks=True)


def confirm_page(reader, review, clock, typing=20, **typed):
    """Without JavaScript: open the page, type for `typing` seconds, post; the answer is the
    form back with tokens, to confirm. Returns (that answer, its form)."""
    form = page_form(reader, review).fill(**(READER | typed))
    clock.shift(typing)
    answer = form.post(reader)
    assert answer.status_code == 403  # no CSRF token in the shared page: nothing saved
    assert "has not been posted yet" in text_of(answer)
    return answer, PageForm(answer.content.decode())


def js_form(reader, review, clock, typing=20, **typed):
    """With JavaScript: the page's script fetches the tokens when the reader starts writing."""
    form = page_form(reader, review)
    tokens = reader.get(
        reverse("reviews:comment_tokens", args=[review.slug]), {"shown": form.data["form_shown"]}
    ).json()
    clock.shift(typing)
    return form.fill(**(READER | typed | tokens))


def outcome(reader, response) -> str:
    assert response.status_code == 302, text_of(response)[:2000]
    return text_of(reader.get(response["Location"]))


# 1. Nothing lost, nothing binned silently.


def test_prompt_confirmation_without_javascript_stays_pending(reader, review, clock):
    _, form = confirm_page(reader, review, clock, body="Words typed with care.")
    assert not Comment.objects.exists()
    assert "Words typed with care." in form.data["body"]  # nothing the reader typed is lost

    clock.shift(1)  # the reader confirms at once
    assert AWAITING in outcome(reader, form.post(reader))
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert comment.spam_signals == []  # the clock ran from the page, not the confirmation


def test_without_javascript_confirming_reads_as_a_step_and_then_as_ones_own_comment(
    reader, review, clock
):
    """The confirmation is a notice, not an error; after it, the page does not say "No comments
    yet" under the reader's "Thank you, your comment is awaiting moderation"."""
    answer, form = confirm_page(reader, review, clock)
    [asked] = [
        box
        for box in find_all(parse_html(answer.content.decode()), "div", tabindex="-1")
        if "has not been posted yet" in text(box)
    ]
    assert attr(asked, "class") == "comment-form__notice"
    assert attr(asked, "role") == "status"

    clock.shift(5)
    comments = find(page(reader.get(form.post(reader)["Location"])), id="comments")
    assert AWAITING in text(find(comments, cls="comments__notice"))
    assert "No comments yet" not in text(comments)
    assert text(find(comments, cls="comments__empty")) == "No other comments yet."
    # Everyone else still reads that there are none.
    assert "No comments yet." in text(
        find(page(Client().get(review.get_absolute_url())), id="comments")
    )


def test_without_javascript_a_mistake_is_said_at_once_not_after_confirming(reader, review, clock):
    """A comment too long is refused on the first press, with the reader's text and what to
    mend; the mended comment then posts at once, without a confirmation step."""
    form = page_form(reader, review).fill(**(READER | {"body": "Too long. " * 600}))
    clock.shift(20)
    answer = form.post(reader)
    assert answer.status_code == 400
    said = text_of(answer)
    assert "has not been posted yet" not in said  # not asked to confirm a comment to mend
    assert "Ensure this value has at most 5000 characters" in said
    again = PageForm(answer.content.decode())
    assert again.data["body"].startswith("Too long. Too long.")  # nothing typed is lost
    assert not Comment.objects.exists()

    clock.shift(10)
    assert AWAITING in outcome(reader, again.fill(body="Shorter, and mended.").post(reader))
    assert Comment.objects.get().body == "Shorter, and mended."


def test_a_bot_confirming_within_seconds_of_the_page_is_flagged_not_binned(reader, review, clock):
    _, form = confirm_page(reader, review, clock, typing=0.5)
    clock.shift(0.5)
    assert AWAITING in outcome(reader, form.post(reader))
    comment = Comment.objects.get()
    assert (comment.status, comment.spam_signals) == (Comment.Status.PENDING, ["too_fast"])


def test_with_javascript_the_fetched_tokens_post_at_once(reader, review, clock):
    form = js_form(reader, review, clock)
    assert AWAITING in outcome(reader, form.post(reader))
    assert Comment.objects.get().spam_signals == []


def test_a_triple_submit_stores_one_comment_and_each_answer_is_the_normal_one(
    reader, review, clock
):
    _, form = confirm_page(reader, review, clock)
    answers = [form.post(reader) for _ in range(3)]
    assert [a.status_code for a in answers] == [302, 302, 302]
    assert {a["Location"] for a in answers} == {review.get_absolute_url() + "#comments"}
    assert Comment.objects.count() == 1
    assert AWAITING in text_of(reader.get(answers[-1]["Location"]))


def test_the_same_form_sent_back_with_other_words_is_shown_to_confirm(reader, review, clock):
    _, form = confirm_page(reader, review, clock)
    form.post(reader)
    again = form.fill(body="A second, different thought.").post(reader)
    assert again.status_code == 400
    assert "This form already posted a comment" in text_of(again)
    assert Comment.objects.count() == 1
    second = PageForm(again.content.decode())
    assert second.data["body"] == "A second, different thought."
    assert AWAITING in outcome(reader, second.post(reader))
    assert Comment.objects.count() == 2


def test_the_form_states_the_rules_in_force_after_they_change(reader, review, settings):
    """The empty form is kept once rendered; a new link limit is stated at once all the same."""
    assert "up to 2 links" in text_of(reader.get(review.get_absolute_url()))
    settings.MARQUEE_COMMENTS_MAX_LINKS = 0
    cache.clear()  # the page itself, as a deploy with the new setting starts empty
    page = text_of(reader.get(review.get_absolute_url()))
    assert "Plain text, no links" in page
    assert "up to 2 links" not in page


def test_the_help_text_states_the_link_limit_and_three_links_are_explained(reader, review, clock):
    assert "up to 2 links" in text_of(reader.get(review.get_absolute_url()))
    three = "See https://a.example, http://b.example and www.c.example"
    form = page_form(reader, review).fill(**(READER | {"body": three}))
    clock.shift(20)
    answer = form.post(reader)  # said on the first press, no confirmation first
    assert answer.status_code == 400
    page = text_of(answer)
    assert "A comment may contain at most 2 links; this one has 3. Remove 1" in page
    assert not Comment.objects.exists()
    form = PageForm(answer.content.decode())
    assert form.data["body"] == three  # kept to edit
    assert AWAITING in outcome(reader, form.fill(body="See https://a.example only").post(reader))


def test_disallowed_words_are_held_and_the_reader_is_told(reader, review, clock):
    _, form = confirm_page(reader, review, clock, body="Cheap VIAGRA here")
    page = outcome(reader, form.post(reader))
    assert "Our spam filter asked a moderator to look at your comment" in page
    comment = Comment.objects.get()
    assert (comment.status, comment.spam_signals) == (Comment.Status.SPAM, ["word:viagra"])


def test_a_filled_honeypot_is_binned_silently(reader, review, clock):
    _, form = confirm_page(reader, review, clock)
    assert AWAITING in outcome(reader, form.fill(website="http://spam.example").post(reader))
    comment = Comment.objects.get()
    assert (comment.status, comment.spam_signals) == (Comment.Status.SPAM, ["honeypot"])


@pytest.mark.parametrize("tamper", ["edited", "other review", "garbage"])
def test_a_forged_token_is_binned_silently(reader, review, clock, tamper):
    _, form = confirm_page(reader, review, clock)
    good = form.data["form_token"]
    other = ReviewFactory(published=True)
    forged = {
        "edited": good[:-3] + ("aaa" if not good.endswith("aaa") else "bbb"),
        "other review": js_form(reader, other, clock).data["form_token"],
        "garbage": "<script>alert(1)</script>",
    }[tamper]
    assert AWAITING in outcome(reader, form.fill(form_token=forged).post(reader))
    comment = Comment.objects.get()
    assert (comment.status, comment.spam_signals) == (Comment.Status.SPAM, ["forged_token"])


def test_an_expired_form_is_said_and_the_text_kept(reader, review, clock):
    _, form = confirm_page(reader, review, clock)
    clock.shift(3 * 24 * 3600)
    answer = form.post(reader)
    assert answer.status_code == 400
    assert "has expired" in text_of(answer)
    again = PageForm(answer.content.decode())
    assert again.data["body"] == READER["body"]
    assert AWAITING in outcome(reader, again.post(reader))  # at once: no too-fast flag
    assert Comment.objects.get().spam_signals == []


def test_a_blocked_sender_is_told_and_keeps_the_text(reader, review, clock):
    CommentBlock.objects.create(kind="email", value="ada@example.com")
    _, form = confirm_page(reader, review, clock)
    answer = form.post(reader)
    assert answer.status_code == 403
    assert "does not accept comments from this e-mail address or network" in text_of(answer)
    assert PageForm(answer.content.decode()).data["body"] == READER["body"]
    assert not Comment.objects.exists()

    CommentBlock.objects.all().delete()
    CommentBlock.objects.create(kind="network", value="203.0.113.0/24")
    assert form.post(reader, ip="203.0.113.99").status_code == 403
    assert form.post(reader, ip="198.51.100.1").status_code == 302


def test_a_trusted_commenter_is_published_at_once(reader, review, clock):
    TrustedCommenter.objects.create(email="ADA@example.com")
    _, form = confirm_page(reader, review, clock)
    response = form.post(reader)
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.APPROVED
    assert response["Location"] == comment.get_absolute_url()


# 2. The rate limit counts stored comments, in the database.


def post_fresh(reader, review, clock, body):
    _, form = confirm_page(reader, review, clock, typing=5, body=body)
    return form, form.post(reader)


def test_the_rate_limit_counts_stored_comments_and_its_answer_keeps_the_text(
    reader, review, clock, settings
):
    settings.MARQUEE_COMMENTS_RATE_LIMIT = 2
    for n in range(2):
        _, response = post_fresh(reader, review, clock, f"Comment number {n}")
        assert response.status_code == 302
    # Refused posts and resubmits of one form do not count.
    three_links = {"body": "https://a.x https://b.x https://c.x"}
    form = page_form(reader, review).fill(**(READER | three_links))
    assert form.post(reader).status_code == 400

    form, limited = post_fresh(reader, review, clock, "One too many, typed with care")
    assert limited.status_code == 429
    assert 0 < int(limited["Retry-After"]) <= 600
    page = text_of(limited)
    assert "You have posted 2 comments in a short time" in page
    assert re.search(r"send it again after \d\d:\d\d UTC \(in about \d+ minutes?\)", page)
    kept = PageForm(limited.content.decode())
    assert kept.data["body"] == "One too many, typed with care"
    assert Comment.objects.count() == 2

    # Another address is not affected; and once the window has passed, the same form posts.
    assert (
        post_fresh(reader, review, clock, "From elsewhere")[0]
        .post(reader, ip="192.0.2.9")
        .status_code
        == 302
    )
    clock.shift(int(limited["Retry-After"]))
    assert kept.post(reader).status_code == 302
    assert Comment.objects.filter(body="One too many, typed with care").exists()


@pytest.fixture
def hung_redis(settings):
    """The cache pointed at a Redis that takes connections and never answers (hung)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{server.getsockname()[1]}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    yield
    server.close()


def test_the_rate_limit_holds_while_redis_is_hung(reader, review, clock, settings, hung_redis):
    from django.core.cache import caches

    caches["default"].get("probe")  # the cache really is the hung one
    settings.MARQUEE_COMMENTS_RATE_LIMIT = 2
    statuses = [post_fresh(reader, review, clock, f"Comment {n}")[1].status_code for n in range(4)]
    assert statuses == [302, 302, 429, 429]
    assert Comment.objects.count() == 2
    cache.close()
