"""Reader comments: posting, the spam and abuse defences, and what the review page shows."""

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from reviews import moderation
from reviews.comments import sign_form
from reviews.markdown import render_plain
from reviews.models import Comment
from tests.comment_helpers import shipped_comment_settings
from tests.factories import ReviewFactory, UserFactory, user_in_group

pytestmark = pytest.mark.django_db

AWAITING = "Your comment is awaiting moderation"


@pytest.fixture(autouse=True)
def _comment_settings(settings):
    """The shipped defaults, stated here so the tests do not depend on the environment."""
    shipped_comment_settings(settings)
    settings.MARQUEE_COMMENTS_DISALLOWED_WORDS = ["viagra", "casino bonus"]
    settings.URLIZE_ASSUME_HTTPS = True  # Django 2028's default; config/settings.py should set it
    cache.clear()  # the rate limit lives in the cache
    yield
    cache.clear()


def token(review, age: float = 60) -> str:
    """The form's signed timestamp as the page issued it `age` seconds ago."""
    with time_machine.travel(timezone.now() - datetime.timedelta(seconds=age), tick=False):
        return sign_form(review)


def post(client, review, ip="203.0.113.7", meta=None, **fields):
    data = {
        "name": "Ada Reader",
        "email": "ada@example.com",
        "body": "Loved the fight in the kitchen.",
        "form_token": token(review),
        "website": "",
    } | fields
    data = {key: value for key, value in data.items() if value is not None}
    return client.post(
        reverse("reviews:comment", args=[review.slug]),
        data,
        REMOTE_ADDR=ip,
        HTTP_USER_AGENT="TestBrowser/1.0",
        **(meta or {}),
    )


def page(client, review) -> str:
    response = client.get(review.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


# Posting.


def test_a_valid_comment_is_held_for_moderation(client, review):
    response = post(client, review)

    assert response.status_code == 302
    assert response["Location"] == review.get_absolute_url() + "#comments"
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert (comment.name, comment.email, comment.review) == (
        "Ada Reader",
        "ada@example.com",
        review,
    )
    assert comment.ip_address == "203.0.113.7"
    assert comment.user_agent == "TestBrowser/1.0"
    assert comment.spam_signals == []

    html = client.get(response["Location"]).content.decode()
    assert AWAITING in html
    assert "Loved the fight in the kitchen." not in html  # not even to its author
    assert AWAITING not in page(client, review)  # the message shows once


def test_the_forwarded_for_header_is_not_trusted(client, review):
    post(client, review, meta={"HTTP_X_FORWARDED_FOR": "198.51.100.1"})
    assert Comment.objects.get().ip_address == "203.0.113.7"


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"name": ""}, "This field is required."),
        ({"email": ""}, "This field is required."),
        ({"body": ""}, "This field is required."),
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"body": "x" * 5001}, "Ensure this value has at most 5000 characters (it has 5001)."),
        ({"name": "n" * 101}, "Ensure this value has at most 100 characters (it has 101)."),
    ],
)
def test_each_field_error_is_shown_and_the_typed_text_kept(client, review, fields, error):
    typed = {
        "name": "Zoë Typed",
        "email": "zoe@example.com",
        "body": "My carefully typed <words> & thoughts",
    } | fields
    response = post(client, review, **typed)

    assert response.status_code == 400
    html = response.content.decode()
    assert error in html
    assert 'aria-invalid="true"' in html
    for value in typed.values():
        if value:
            assert value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in html
    assert "<words>" not in html
    assert not Comment.objects.exists()


def tokens(client, review) -> dict:
    response = client.get(reverse("reviews:comment_tokens", args=[review.slug]))
    assert response.status_code == 200
    return response.json()


def test_the_shared_review_page_carries_no_tokens_and_fetches_them(client, review):
    html = page(client, review)
    assert 'name="csrfmiddlewaretoken" value=""' in html
    assert 'name="form_token" value=""' in html
    assert reverse("reviews:comment_tokens", args=[review.slug]) in html
    assert "js/comment-form" in html

    response = client.get(reverse("reviews:comment_tokens", args=[review.slug]))
    assert {"no-store", "private"} <= set(response["Cache-Control"].replace(",", " ").split())
    assert "csrftoken" in response.cookies
    assert set(response.json()) == {"csrfmiddlewaretoken", "form_token"}


def test_tokens_are_only_given_for_open_public_reviews(client, review, settings):
    draft = ReviewFactory(slug="a-draft")
    assert client.get(reverse("reviews:comment_tokens", args=[draft.slug])).status_code == 404
    settings.MARQUEE_COMMENTS_CLOSE_AFTER_DAYS = 1
    old = ReviewFactory(
        published=True, slug="old-one", published_at=timezone.now() - datetime.timedelta(days=30)
    )
    closed = client.get(reverse("reviews:comment_tokens", args=[old.slug]))
    assert closed.status_code == 403
    assert closed.json() == {"error": "Comments are closed."}


def test_csrf_is_enforced_and_a_refused_comment_comes_back_to_confirm(review):
    client = Client(enforce_csrf_checks=True)
    refused = post(client, review, body="Words I typed with care.")
    assert refused.status_code == 403
    assert not Comment.objects.exists()
    html = refused.content.decode()
    assert "has not been posted yet" in html
    assert "Words I typed with care." in html  # nothing the reader typed is lost
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)

    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=10)):
        accepted = post(
            client,
            review,
            body="Words I typed with care.",
            csrfmiddlewaretoken=csrf,
            form_token=token,
        )
    assert accepted.status_code == 302
    assert Comment.objects.get().body == "Words I typed with care."


def test_a_reader_whose_browser_keeps_no_cookie_is_told_so_not_asked_again(review):
    """Confirming sends the CSRF token back, but a browser blocking cookies never returns the
    cookie it goes with: the page says cookies are needed instead of asking to confirm again."""
    client = Client(enforce_csrf_checks=True)
    html = post(client, review, form_token="", body="Cookies off, words kept.").content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    client.cookies.clear()  # the browser kept none
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=10)):
        refused = post(
            client,
            review,
            body="Cookies off, words kept.",
            csrfmiddlewaretoken=csrf,
            form_token=token,
        )
    assert refused.status_code == 403
    assert "Allow cookies for this site" in refused.content.decode()
    assert "Cookies off, words kept." in refused.content.decode()
    assert not Comment.objects.exists()


def test_the_fetched_tokens_post_a_comment(review):
    client = Client(enforce_csrf_checks=True)
    fetched = tokens(client, review)
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=10)):
        accepted = post(client, review, **fetched)
    assert accepted.status_code == 302
    assert Comment.objects.count() == 1


def test_a_cross_site_post_saves_nothing(review):
    client = Client(enforce_csrf_checks=True)
    fetched = tokens(client, review)
    refused = post(client, review, meta={"HTTP_ORIGIN": "https://evil.example"}, **fetched)
    assert refused.status_code == 403
    assert not Comment.objects.exists()


def test_a_form_without_its_token_comes_back_to_confirm(client, review):
    response = post(client, review, form_token="", body="Posted without JavaScript.")
    assert response.status_code == 400
    html = response.content.decode()
    assert "has not been posted yet" in html
    assert "Posted without JavaScript." in html
    assert not Comment.objects.exists()
    fresh = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=10)):
        assert (
            post(client, review, form_token=fresh, body="Posted without JavaScript.").status_code
            == 302
        )
    assert Comment.objects.get().body == "Posted without JavaScript."


def test_the_form_address_reopened_goes_back_to_the_comment_form(client, review):
    """After a refusal the address bar shows the form's target; reopening it (history, a
    restored session) is a GET: the review's comment form, not an empty 405."""
    response = client.get(reverse("reviews:comment", args=[review.slug]))
    assert response.status_code == 302
    assert response["Location"] == review.get_absolute_url() + "#comment-form"


# Honeypot and the signed timestamp.


def test_a_filled_honeypot_is_held_as_spam(client, review):
    response = post(client, review, website="http://spam.example")
    assert response.status_code == 302  # told nothing a bot could learn from
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.SPAM
    assert comment.spam_signals == ["honeypot"]
    assert mail.outbox == []


def test_an_expired_form_is_refused_and_can_be_sent_again(client, review):
    response = post(client, review, form_token=token(review, age=3 * 24 * 3600))
    assert response.status_code == 400
    html = response.content.decode()
    assert "has expired" in html
    assert "Loved the fight in the kitchen." in html  # kept for the second try
    assert not Comment.objects.exists()
    fresh = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=10)):
        assert post(client, review, form_token=fresh).status_code == 302


# Content rules.


def test_links_up_to_the_limit_are_fine(client, review):
    post(client, review, body="See https://a.example and https://b.example")
    assert Comment.objects.get().status == Comment.Status.PENDING


def test_disallowed_words_are_held_as_spam(client, review):
    post(client, review, body="Cheap VIAGRA and a Casino  Bonus here")
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.SPAM
    # However the words are spaced, or broken across lines.
    assert comment.spam_signals == ["word:viagra", "word:casino bonus"]
    post(client, review, body="Claim your CASINO\n  bonus", form_token=token(review))
    assert Comment.objects.latest("id").spam_signals == ["word:casino bonus"]


def test_a_word_inside_another_word_is_not_a_match(client, review, settings):
    settings.MARQUEE_COMMENTS_DISALLOWED_WORDS = ["ass"]
    post(client, review, body="A classic assassination scene.")
    assert Comment.objects.get().status == Comment.Status.PENDING


def test_names_cannot_be_turned_around_and_right_to_left_text_reads_right(client, review):
    sara = "\u0633\u0627\u0631\u0629"  # Sara, in Arabic
    # U+202E turns what follows around ("evil" shows as "live"), U+202C ends that.
    name = f"{sara} \u202eevil\u202c \U0001f3ac"
    body = "\u0641\u064a\u0644\u0645 \u0631\u0627\u0626\u0639! See \u202emoc.elpmaxe\u202c"
    assert post(client, review, name=name, body=body).status_code == 302
    comment = Comment.objects.get()
    assert comment.name == f"{sara} evil \U0001f3ac"
    assert "\u202e" not in comment.body
    comment.status = Comment.Status.APPROVED
    comment.save()
    html = page(client, review)
    assert f'id="comment-{comment.pk}-author"><bdi>{sara} evil \U0001f3ac</bdi>' in html
    assert '<div class="comment__text" dir="auto">\u0641\u064a\u0644\u0645' in html
    # A name of nothing but such characters is no name.
    response = post(client, review, name="\u202e\u202c ", body="Other", form_token=token(review))
    assert response.status_code == 400
    assert "Enter the name to show with your comment." in response.content.decode()


def test_an_exact_duplicate_from_the_same_sender_is_refused(client, review):
    assert post(client, review).status_code == 302
    # The same address under another name, or the same network under another address.
    for again in (
        {"name": "Ada R.", "ip": "198.51.100.9"},
        {"name": "Someone Else", "email": "else@example.com"},
    ):
        response = post(client, review, form_token=token(review), **again)
        assert response.status_code == 400
        assert "already posted this comment" in response.content.decode()
    assert Comment.objects.count() == 1
    # Another reader, elsewhere, may say the same thing.
    other_reader = {"name": "Bob", "email": "bob@example.org", "ip": "198.51.100.20"}
    assert post(client, review, form_token=token(review), **other_reader).status_code == 302
    assert Comment.objects.count() == 2
    Comment.objects.filter(email="bob@example.org").delete()
    # Outside the window, or on another review, the same words are fine.
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2)):
        assert post(client, review, form_token=token(review)).status_code == 302
    other = ReviewFactory(published=True)
    assert post(client, other, form_token=token(other)).status_code == 302


def test_known_authors_are_approved_only_when_the_setting_is_on(client, review, settings):
    Comment.objects.create(
        review=review,
        name="Ada",
        email="ADA@example.com",
        body="Earlier",
        status=Comment.Status.APPROVED,
    )
    post(client, review, body="Second comment")
    assert Comment.objects.latest("id").status == Comment.Status.PENDING

    settings.MARQUEE_COMMENTS_AUTO_APPROVE_KNOWN = True
    post(client, review, body="Third comment")
    assert Comment.objects.latest("id").status == Comment.Status.APPROVED
    post(client, review, body="Fourth", email="stranger@example.com")
    assert Comment.objects.latest("id").status == Comment.Status.PENDING
    post(client, review, body="Known but spammy: viagra")
    assert Comment.objects.latest("id").status == Comment.Status.SPAM


# Which reviews take comments.


@pytest.mark.parametrize("status", ["draft", "review", "scheduled", "archived"])
def test_unpublished_reviews_refuse_comments(client, status):
    when = timezone.now() + datetime.timedelta(days=3) if status == "scheduled" else None
    review = ReviewFactory(status=status, published_at=when)
    response = post(client, review, body="Words the reader keeps.")
    assert response.status_code == 404
    assert not Comment.objects.exists()
    # Unpublished while the reader wrote: the text comes back to keep.
    assert "Your comment was not posted" in response.content.decode()
    assert "Words the reader keeps." in response.content.decode()


def test_reviews_with_comments_disabled_refuse_comments(client):
    review = ReviewFactory(published=True, comments_enabled=False)
    assert "Comments are closed." in page(client, review)
    assert 'id="comment-form"' not in page(client, review)
    response = post(client, review, body="Words the reader keeps.")
    assert response.status_code == 403
    assert "Comments are closed on this review." in response.content.decode()
    assert "Words the reader keeps." in response.content.decode()
    assert not Comment.objects.exists()


def test_comments_close_a_set_number_of_days_after_publication(client, review, settings):
    settings.MARQUEE_COMMENTS_CLOSE_AFTER_DAYS = 14
    published = review.published_at
    with time_machine.travel(published + datetime.timedelta(days=13, hours=23)):
        assert 'id="comment-form"' in page(client, review)
        assert post(client, review, form_token=token(review)).status_code == 302
    with time_machine.travel(published + datetime.timedelta(days=14, minutes=1)):
        assert "Comments are closed." in page(client, review)
        response = post(client, review, body="Too late", form_token=token(review))
        assert response.status_code == 403
    assert Comment.objects.count() == 1

    settings.MARQUEE_COMMENTS_CLOSE_AFTER_DAYS = 0  # never close
    with time_machine.travel(published + datetime.timedelta(days=3650)):
        assert 'id="comment-form"' in page(client, review)


def test_the_review_says_whether_and_until_when_comments_are_open(settings):
    settings.MARQUEE_COMMENTS_CLOSE_AFTER_DAYS = 14
    review = ReviewFactory(published=True)
    closing = review.published_at + datetime.timedelta(days=14)
    assert (review.comments_open, review.comments_close_at) == (True, closing)
    with time_machine.travel(closing + datetime.timedelta(minutes=1)):
        assert review.comments_open is False

    assert ReviewFactory(published=True, comments_enabled=False).comments_open is False
    draft = ReviewFactory()
    assert (draft.comments_open, draft.comments_close_at) == (False, None)
    settings.MARQUEE_COMMENTS_CLOSE_AFTER_DAYS = 0  # never close
    assert (review.comments_open, review.comments_close_at) == (True, None)


# Signed-in readers and staff.


def test_signed_in_readers_skip_name_and_email(client, review):
    reader = UserFactory(first_name="Rita", last_name="Reads", email="rita@example.com")
    client.force_login(reader)
    html = page(client, review)
    assert 'name="name"' not in html
    assert 'name="email"' not in html
    assert "Commenting as <strong>Rita Reads</strong>" in html

    assert post(client, review, name=None, email=None).status_code == 302
    comment = Comment.objects.get()
    assert (comment.user, comment.name, comment.email) == (reader, "Rita Reads", "rita@example.com")
    assert comment.status == Comment.Status.PENDING
    assert not comment.is_staff_reply


def test_a_moderator_replies_from_the_public_page(client, review, committed):
    question = Comment.objects.create(
        review=review,
        name="Ada",
        email="a@example.com",
        body="When is the sequel?",
        status="approved",
    )
    moderator = user_in_group("Moderators", first_name="Mo", last_name="Derator")
    client.force_login(moderator)
    assert f'id="comment-{question.pk}"' in page(client, review)
    html = client.get(review.get_absolute_url() + f"?reply_to={question.pk}").content.decode()
    assert f'name="parent" value="{question.pk}"' in html
    assert "Reply to Ada" in html

    with committed():  # the thread is cached: the reply retires it once it commits
        response = post(
            client, review, name=None, email=None, parent=question.pk, body="Next summer."
        )
    reply = Comment.objects.get(parent=question)
    assert response["Location"] == reply.get_absolute_url()
    assert reply.status == Comment.Status.APPROVED
    assert reply.is_staff_reply
    assert reply.moderated_by == moderator
    client.logout()
    html = page(client, review)
    assert "Marquee staff" in html
    assert html.index(f'id="comment-{question.pk}"') < html.index(f'id="comment-{reply.pk}"')


def test_a_reader_can_reply_only_to_an_approved_comment(client, review, settings):
    settings.MARQUEE_COMMENTS_RATE_LIMIT = 20
    approved = Comment.objects.create(
        review=review, name="A", email="a@example.com", body="Approved one", status="approved"
    )
    pending = Comment.objects.create(
        review=review, name="P", email="p@example.com", body="Pending one"
    )
    assert post(client, review, parent=approved.pk).status_code == 302
    assert Comment.objects.get(body="Loved the fight in the kitchen.").parent == approved

    response = post(client, review, parent=pending.pk, body="Reply to the hidden one")
    assert response.status_code == 400
    assert "not available" in response.content.decode()
    for nonsense in ["abc", "-1", "0", "9" * 30, "１２"]:
        response = post(client, review, parent=nonsense, body=f"Reply to {nonsense}")
        assert response.status_code == 400, nonsense


def test_replies_nest_at_most_two_levels(client, review):
    top = Comment.objects.create(
        review=review, name="A", email="a@example.com", body="Top", status="approved"
    )
    reply = Comment.objects.create(
        review=review, parent=top, name="B", email="b@example.com", body="Reply", status="approved"
    )
    second = Comment.objects.create(
        review=review,
        parent=reply,
        name="C",
        email="c@example.com",
        body="Reply to reply",
        status="approved",
    )
    html = page(client, review)
    assert html.count("comment-list--replies") == 2
    assert f'href="?reply_to={reply.pk}#comment-form"' in html
    assert f'href="?reply_to={second.pk}#comment-form"' not in html  # deepest level
    # A reply to the deepest level (a forged form) joins its thread instead.
    assert post(client, review, parent=second.pk, body="Deeper still").status_code == 302
    assert response_parent(review, "Deeper still") == reply

    assert post(client, review, parent=reply.pk, body="Under the reply").status_code == 302
    assert response_parent(review, "Under the reply") == reply


def response_parent(review, body):
    comment = Comment.objects.filter(review=review, body=body).first()
    return comment.parent if comment else None


# What the page shows.


def test_only_approved_comments_are_shown_with_count_and_permalinks(client, review):
    shown = Comment.objects.create(
        review=review, name="Shown", email="s@example.com", body="Approved words", status="approved"
    )
    for status in ["pending", "rejected", "spam"]:
        Comment.objects.create(
            review=review,
            name=status,
            email="x@example.com",
            body=f"Hidden {status} words",
            status=status,
        )
    other = ReviewFactory(published=True)
    Comment.objects.create(
        review=other,
        name="Else",
        email="e@example.com",
        body="Other review's words",
        status="approved",
    )

    html = page(client, review)
    assert "1 comment<" in html
    assert f'id="comment-{shown.pk}"' in html
    assert f'href="#comment-{shown.pk}"' in html
    assert "Approved words" in html
    for status in ["pending", "rejected", "spam"]:
        assert f"Hidden {status} words" not in html
    assert "Other review's words" not in html
    assert "s@example.com" not in html  # emails are never shown


def test_a_reply_to_a_hidden_comment_is_shown_under_a_not_shown_line(client, review):
    """Its own author's approved words stay; the hidden parent's never show (moderation)."""
    hidden = Comment.objects.create(
        review=review, name="H", email="h@example.com", body="Hidden parent", status="spam"
    )
    Comment.objects.create(
        review=review,
        parent=hidden,
        name="R",
        email="r@example.com",
        body="Orphan reply",
        status="approved",
    )
    html = page(client, review)
    assert "Orphan reply" in html
    assert "Hidden parent" not in html
    assert "This comment is no longer shown." in html


def test_bodies_are_escaped_with_line_breaks_kept_and_links_marked(client, review):
    Comment.objects.create(
        review=review,
        name="<b>Bold</b> name",
        email="x@example.com",
        status="approved",
        body="<script>alert('x')</script>\nSecond line & more\nhttps://example.com/a?b=1&c=2",
    )
    html = page(client, review)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;<br>Second line &amp; more<br>" in html
    assert '<a href="https://example.com/a?b=1&amp;c=2" rel="nofollow ugc noopener">' in html
    assert "&lt;b&gt;Bold&lt;/b&gt; name" in html


def test_an_edited_body_is_shown_as_edited(client, review):
    comment = Comment.objects.create(
        review=review, name="Ada", email="a@example.com", status="approved", body="Teh best <film>"
    )
    comment.body = "The best <film>, see www.example.com"
    comment.save(update_fields=["body"])
    html = page(client, review)
    assert "Teh best" not in html
    assert (
        'The best &lt;film&gt;, see <a href="https://www.example.com" '
        'rel="nofollow ugc noopener">www.example.com</a>'
    ) in html


def test_the_comment_date_reads_as_the_site_writes_dates(client, review, settings):
    settings.TIME_ZONE = "Europe/London"
    when = datetime.datetime(2026, 7, 4, 8, 5, tzinfo=datetime.UTC)  # 09:05 in London
    Comment.objects.create(
        review=review,
        name="Ada",
        email="a@example.com",
        status="approved",
        body="Hi",
        submitted_at=when,
    )
    html = page(client, review)
    # The zone is named: a reader elsewhere knows what 09:05 means.
    assert '<time datetime="2026-07-04T09:05:00+01:00">4 July 2026, 09:05 BST</time>' in html


def test_render_plain():
    assert render_plain("a\r\nb\rc\nd") == "a<br>b<br>c<br>d"
    assert render_plain('<a href="javascript:alert(1)">x</a>') == (
        "&lt;a href=&quot;javascript:alert(1)&quot;&gt;x&lt;/a&gt;"
    )
    assert render_plain("go to www.example.com now") == (
        'go to <a href="https://www.example.com" rel="nofollow ugc noopener">'
        "www.example.com</a> now"
    )
    assert render_plain('rel="nofollow"') == "rel=&quot;nofollow&quot;"
    assert "javascript:" not in render_plain("javascript:alert(1)").replace(
        "javascript:alert(1)", ""
    )


TAG = re.compile(r'<a href="[^"<>]*" rel="nofollow ugc noopener">|</a>|<br>')


@given(st.text(max_size=300))
def test_render_plain_never_emits_markup_of_its_own(text):
    html = TAG.sub("", render_plain(text))
    assert "<" not in html
    assert ">" not in html


def test_the_page_query_count_does_not_grow_with_comments(client, review):
    def count() -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(review.get_absolute_url()).status_code == 200
        return len(queries)

    Comment.objects.create(
        review=review, name="A", email="a@example.com", body="One", status="approved"
    )
    count()  # the first view renders the article and stores it; comments are not in it
    few = count()
    for n in range(15):
        top = Comment.objects.create(
            review=review, name=f"N{n}", email="n@example.com", body=f"Top {n}", status="approved"
        )
        Comment.objects.create(
            review=review,
            parent=top,
            name="R",
            email="r@example.com",
            body=f"Reply {n}",
            status="approved",
            is_staff_reply=True,
        )
        Comment.objects.create(review=review, name="P", email="p@example.com", body=f"Pending {n}")
    assert count() == few


# Moderators are told about new pending comments.


def test_moderators_are_emailed_once_after_commit(
    client, review, django_capture_on_commit_callbacks
):
    moderator = user_in_group("Moderators", email="mod@example.com")
    user_in_group("Moderators", email="")  # no address: skipped
    user_in_group("Writers", email="writer@example.com")  # not a moderator
    editor = user_in_group("Editors", email="editor@example.com")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        post(client, review)
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == sorted([moderator.email, editor.email])
    assert review.headline in message.subject
    comment = Comment.objects.get()
    assert reverse("admin:reviews_comment_change", args=[comment.pk]) in message.body


def test_no_email_before_commit_or_for_spam(client, review, django_capture_on_commit_callbacks):
    user_in_group("Moderators", email="mod@example.com")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        post(client, review)
    assert len(callbacks) == 1
    assert mail.outbox == []  # nothing until the transaction commits

    with django_capture_on_commit_callbacks(execute=True):
        post(client, review, body="buy viagra")
    assert mail.outbox == []


# Privacy.


def test_purge_comment_ips_clears_only_old_rows(review, capsys):
    now = timezone.now()
    old = Comment.objects.create(
        review=review,
        name="O",
        email="o@example.com",
        body="old",
        ip_address="203.0.113.1",
        user_agent="Old/1",
        submitted_at=now - datetime.timedelta(days=40),
    )
    new = Comment.objects.create(
        review=review,
        name="N",
        email="n@example.com",
        body="new",
        ip_address="203.0.113.2",
        user_agent="New/1",
        submitted_at=now - datetime.timedelta(days=10),
    )
    call_command("purge_comment_ips", days=30)
    assert "1 comment " in capsys.readouterr().out
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.ip_address, old.user_agent) == (None, "")
    assert (new.ip_address, new.user_agent) == ("203.0.113.2", "New/1")

    call_command("purge_comment_ips", "--days", "30")  # again: nothing left to do
    assert "0 comments " in capsys.readouterr().out


def test_purge_comment_ips_refuses_a_negative_age():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("purge_comment_ips", days=-1)


# Property-based: whatever a reader types, no 500 and no markup of theirs on the page.

MARKUP = st.sampled_from(
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "<b>bold</b>",
        '"><svg onload=alert(1)>',
        "javascript:alert(1)",
        "</textarea><script>x</script>",
        "{{ 7|add:7 }}",
        "{% csrf_token %}",
        "\u202egnp.exe",
        "\x00",
        "&amp;&lt;",
        "https://x.y/<z>",
    ]
)
TEXT = st.lists(st.one_of(st.text(max_size=40), MARKUP), max_size=5).map("".join)


@hypothesis_settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(name=TEXT, email=st.one_of(st.emails(), TEXT), body=TEXT)
def test_arbitrary_input_never_breaks_the_page(
    client, review, settings, committed, name, email, body
):
    settings.MARQUEE_COMMENTS_RATE_LIMIT = 0  # off: this test posts many times
    settings.MARQUEE_COMMENTS_DISALLOWED_WORDS = []
    settings.MARQUEE_COMMENTS_MAX_LINKS = 100
    response = post(client, review, name=name, email=email, body=body)
    assert response.status_code in (302, 400)
    html = response.content.decode()
    if response.status_code == 302:
        comment = Comment.objects.latest("id")
        comment.status = Comment.Status.APPROVED
        with committed():  # retires the cached thread
            comment.save()
        html = page(client, review)
        assert f'id="comment-{comment.pk}"' in html
    for needle in ["<script>alert", "<img src=x", "<b>bold", "<svg onload", "</textarea><script"]:
        assert needle not in html


# Cached pages: moderation refreshes the review's page (bulk updates send no signals).


def test_moderation_refreshes_the_cached_review_page(
    client, review, django_capture_on_commit_callbacks
):
    moderator = user_in_group("Moderators")
    post(client, review)
    reader = type(client)()
    assert "Loved the fight" not in reader.get(review.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        moderation.approve(Comment.objects.get(), by=moderator)
    assert "Loved the fight" in reader.get(review.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        moderation.reply(Comment.objects.get(), by=moderator, body="Thanks, reader!")
    assert "Thanks, reader!" in reader.get(review.get_absolute_url()).content.decode()
