"""Commenters hear back, by their choice: mail on approval and on each reply, a signed one-click
unsubscribe link, and their own pending comment shown to them alone."""

import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reviews import moderation
from reviews.models import Comment
from reviews.tasks import send_mail
from tasks.models import TaskRecord
from tests.comment_helpers import READER, PageForm, page_form, text_of
from tests.factories import ReviewFactory
from tests.tasks_support import database_task_backend

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _comment_settings(settings):
    settings.MARQUEE_COMMENTS_MIN_SECONDS = 3
    settings.MARQUEE_COMMENTS_RATE_LIMIT = 20
    settings.MARQUEE_COMMENTS_MAX_LINKS = 2
    settings.MARQUEE_AKISMET_KEY = ""
    settings.MARQUEE_SITE_URL = "https://marquee.example"


@pytest.fixture
def review():
    return ReviewFactory(published=True, slug="a-review", headline="Ballerina")


def post_as_reader(client, review, *, query=None, **typed):
    """Open the page, type, post (no JavaScript), confirm: the outcome page's response."""
    with time_machine.travel(timezone.now(), tick=False) as clock:
        form = page_form(client, review, **(query or {})).fill(**(READER | typed))
        clock.shift(20)
        confirm = PageForm(form.post(client).content.decode())
        clock.shift(2)
        response = confirm.post(client)
    assert response.status_code == 302, text_of(response)[:1500]
    return client.get(response["Location"])


def mails_to(address):
    return [m for m in mail.outbox if address in m.to]


def test_the_notify_box_is_off_by_default(client, review):
    form = page_form(client, review)
    assert "notify" in form.checkboxes
    assert "notify" not in form.data
    assert "E-mail me when my comment is published or answered" in text_of(
        client.get(review.get_absolute_url())
    )


def test_mail_on_approval_and_on_each_reply_only_when_asked(
    review, moderator, django_capture_on_commit_callbacks
):
    asker, quiet, answerer = Client(), Client(), Client()
    with django_capture_on_commit_callbacks(execute=True):
        page = post_as_reader(asker, review, notify=True, body="Asked to hear back.")
        post_as_reader(quiet, review, email="quiet@example.com", name="Quiet", body="Did not ask.")
    assert "We will e-mail you when it is published or answered" in text_of(page)
    asked = Comment.objects.get(body="Asked to hear back.")
    silent = Comment.objects.get(body="Did not ask.")
    assert (asked.notify, silent.notify) == (True, False)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        moderation.approve(Comment.objects.filter(pk__in=[asked.pk, silent.pk]), by=moderator)
    [published] = mails_to("ada@example.com")
    assert published.subject == "Your comment on “Ballerina” is published"
    assert "https://marquee.example/reviews/a-review/#comment-" in published.body
    # Each paragraph opens with a capital: "Hello Ada Reader," then "Your comment …".
    assert published.body.startswith("Hello Ada Reader,\n\nYour comment on “")
    assert mails_to("quiet@example.com") == []
    # Approved again after a rejection: no second mail.
    with django_capture_on_commit_callbacks(execute=True):
        moderation.reject(asked, by=moderator)
        moderation.approve(asked, by=moderator)
    assert len(mails_to("ada@example.com")) == 1

    # A reader's reply, once approved, and a staff reply: one mail each to the asker.
    with django_capture_on_commit_callbacks(execute=True):
        post_as_reader(
            answerer,
            review,
            query={"reply_to": asked.pk},
            name="Bea",
            email="bea@example.com",
            body="I agree!",
        )
        reply = Comment.objects.get(body="I agree!")
        assert reply.parent == asked
        moderation.approve(reply, by=moderator)
        moderation.reply(asked, by=moderator, body="Thanks, Ada.")
        moderation.reply(silent, by=moderator, body="Thanks, Quiet.")
    mails = mails_to("ada@example.com")
    assert [m.subject for m in mails[1:]] == [
        "Bea replied to your comment on “Ballerina”",
        "Mo Derator (Marquee staff) replied to your comment on “Ballerina”",
    ]
    assert "I agree!" in mails[1].body
    assert mails_to("quiet@example.com") == []


def test_commenter_mail_leaves_through_the_task_queue(
    review, moderator, django_capture_on_commit_callbacks
):
    """The approval only enqueues the mail (reviews.tasks.send_mail, "mail" queue); the worker
    sends it, with its unsubscribe headers."""
    post_as_reader(Client(), review, notify=True, body="Queue me.")
    mail.outbox.clear()
    with database_task_backend(), django_capture_on_commit_callbacks(execute=True):
        moderation.approve(Comment.objects.get(), by=moderator)
    assert mails_to("ada@example.com") == []  # not sent by the request
    [queued] = [
        row
        for row in TaskRecord.objects.filter(task_path="reviews.tasks.send_mail")
        if "ada@example.com" in row.args_kwargs["args"][2]
    ]
    assert queued.queue_name == "mail"
    send_mail.call(*queued.args_kwargs["args"], **queued.args_kwargs["kwargs"])  # the worker
    [message] = mails_to("ada@example.com")
    assert message.subject == "Your comment on “Ballerina” is published"
    assert message.extra_headers["List-Unsubscribe"].startswith(
        "<https://marquee.example/comments/unsubscribe/"
    )


def test_the_unsubscribe_link_stops_the_mail(review, moderator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post_as_reader(Client(), review, notify=True, body="First")
        post_as_reader(Client(), review, notify=True, body="Second")
        moderation.approve(Comment.objects.filter(body="First"), by=moderator)
    [message] = mails_to("ada@example.com")
    link = re.search(
        r"https://marquee\.example(/comments/unsubscribe/[^/\s]+/)", message.body
    ).group(1)
    assert message.extra_headers["List-Unsubscribe"] == f"<https://marquee.example{link}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    anyone = Client(enforce_csrf_checks=True)  # no account, no cookie
    page = anyone.get(link)
    assert page.status_code == 200
    assert "Stop all comment mail to this address" in text_of(page)
    assert Comment.objects.filter(notify=True).count() == 2  # a GET changes nothing
    done = PageForm(page.content.decode(), form_id="unsubscribe-form").post(anyone)
    assert done.status_code == 200
    assert "You are unsubscribed" in text_of(done)
    assert not Comment.objects.filter(notify=True).exists()

    with django_capture_on_commit_callbacks(execute=True):
        moderation.approve(Comment.objects.filter(body="Second"), by=moderator)
        moderation.reply(Comment.objects.get(body="First"), by=moderator, body="Hello")
    assert len(mails_to("ada@example.com")) == 1

    forged = anyone.get(link.replace("/comments/unsubscribe/", "/comments/unsubscribe/x"))
    assert forged.status_code == 400


def test_a_reader_sees_their_own_pending_comment_and_nobody_else_does(client, review, moderator):
    page = post_as_reader(client, review, body="My own words, awaiting a moderator.")
    html = page.content.decode()
    receipt = re.search(r'data-comment-receipt="([^"]+)"', html).group(1)
    mine_url = reverse("reviews:my_comments", args=[review.slug])
    assert f'data-url="{mine_url}"' in html

    # On the next view the page is the shared copy: the script asks for this reader's own.
    shared = client.get(review.get_absolute_url()).content.decode()
    assert "My own words" not in shared
    assert "data-comment-receipt" not in shared
    answer = client.get(mine_url, {"r": receipt})
    assert answer["Cache-Control"].startswith("max-age=0")
    [shown] = answer.json()["comments"]
    assert shown["body_html"] == "My own words, awaiting a moderator."
    assert shown["name"] == "Ada Reader"
    assert shown["submitted_display"].endswith(" UTC")  # zone named, as the thread's times
    assert answer.json()["keep"] == [receipt]

    # Without the receipt, with a forged one, or on another review: nothing.
    assert Client().get(mine_url).json() == {"comments": [], "keep": []}
    assert client.get(mine_url, {"r": receipt[:-2] + "xx"}).json()["comments"] == []
    other = ReviewFactory(published=True, slug="other")
    assert (
        client.get(reverse("reviews:my_comments", args=[other.slug]), {"r": receipt}).json()[
            "comments"
        ]
        == []
    )

    # Once approved it is on the page for everyone, and the receipt can go.
    moderation.approve(Comment.objects.get(), by=moderator)
    assert client.get(mine_url, {"r": receipt}).json() == {"comments": [], "keep": []}


def test_a_staff_reply_to_a_pending_comment_is_one_mail_saying_both(
    review, moderator, django_capture_on_commit_callbacks
):
    """Replying approves the comment too; its author hears of both in one mail, not two sent
    in the same second. Whoever its own comment answers still hears of it."""
    first, second = Client(), Client()
    with django_capture_on_commit_callbacks(execute=True):
        post_as_reader(first, review, notify=True, body="Who scored it?")
        asked = Comment.objects.get(body="Who scored it?")
        moderation.approve(asked, by=moderator)
    with django_capture_on_commit_callbacks(execute=True):
        post_as_reader(
            second,
            review,
            query={"reply_to": asked.pk},
            notify=True,
            name="Bea",
            email="bea@example.com",
            body="Anyone know?",
        )
    pending = Comment.objects.get(body="Anyone know?")
    assert (pending.status, pending.parent) == (Comment.Status.PENDING, asked)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        moderation.reply(pending, by=moderator, body="The credits name the composer.")
    [told] = mails_to("bea@example.com")
    assert told.subject == "Mo Derator (Marquee staff) replied to your comment on “Ballerina”"
    assert "Your comment is now published" in told.body
    assert "The credits name the composer." in told.body
    [answered] = mails_to("ada@example.com")  # Bea's comment, now shown, answers Ada's
    assert answered.subject == "Bea replied to your comment on “Ballerina”"
