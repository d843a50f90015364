"""Background tasks: mail leaves the request path, is retried with back-off and sent once."""

import datetime
import json
import logging
import re
import threading
import time

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from config.logs import JsonFormatter, RequestIdFilter
from reviews.models import Comment, Review
from reviews.tasks import mail_on_commit, send_mail
from tasks.models import CompletedTask, TaskRecord
from tests.factories import ReviewFactory, SectionFactory, user_in_group
from tests.tasks_support import (
    SMTPServer,
    flaky,
    page_form,
    smtp_mailers,
)

# The worker closes and reopens its database connection as it goes, as in production: the
# tests commit for real instead of running inside one rolled-back transaction.
pytestmark = pytest.mark.django_db(transaction=True)


def run_worker():
    """Run every task that is due, in this process, as `run_worker --batch` does."""
    call_command(
        "db_worker", batch=True, startup_delay=False, reload=False, verbosity=0, queue_name="*"
    )


def attempts() -> list[TaskRecord]:
    """The stored attempts of the tasks, in the order of their attempt numbers."""
    rows = TaskRecord.objects.all()
    return sorted(rows, key=lambda row: row.args_kwargs["kwargs"]["_task"]["attempt"])


# Comments and workflow steps, through their pages ---------------------------------------------


def post_comment(client, review, body: str):
    """Post the review page's own comment form, with the tokens its script would fetch."""
    action = reverse("reviews:comment", args=[review.slug])
    fields = page_form(client.get(review.get_absolute_url()).content.decode(), action)
    tokens = client.get(reverse("reviews:comment_tokens", args=[review.slug])).json()
    fields |= tokens | {"name": "Ada Reader", "email": "ada@example.com", "body": body}
    started = time.perf_counter()
    response = client.post(action, fields, REMOTE_ADDR="203.0.113.7")
    return response, time.perf_counter() - started


def request_changes(client, review, note: str):
    """Press Request changes on the review's admin page, with a note."""
    action = reverse("admin:reviews_review_change", args=[review.pk])
    page = client.get(action)
    # The note and its button belong to the change form: the step saves what was typed first.
    fields = page_form(page.content.decode(), form_id="review_form") | {
        "note": note,
        "_workflow": "request_changes",
    }
    started = time.perf_counter()
    response = client.post(action, fields)
    return response, time.perf_counter() - started


@pytest.fixture
def hung_smtp(settings):
    """A mail server that accepts connections and never answers (until released)."""
    server = SMTPServer(hold=True)
    settings.MAILERS = smtp_mailers(server, timeout=10)
    yield server
    server.close()


def test_a_hung_mail_server_does_not_slow_a_comment_and_the_mail_goes_once_it_answers(
    client, settings, db_tasks, hung_smtp
):
    settings.MARQUEE_COMMENTS_MIN_SECONDS = 0
    review = ReviewFactory(published=True, slug="a-review", headline="Ballerina")
    post_comment(client, review, "A first comment, to warm the page up.")
    TaskRecord.objects.all().delete()

    # No moderator: no mail at all. Then one moderator: a mail to send.
    _, no_mail = post_comment(client, review, "The kitchen fight is the best scene.")
    assert not TaskRecord.objects.exists()
    user_in_group("Moderators", email="mod@example.com")
    response, with_mail = post_comment(client, review, "The snow fight is even better.")

    assert response.status_code in (200, 302)
    assert Comment.objects.filter(
        body="The snow fight is even better.", status=Comment.Status.PENDING
    ).exists()
    assert hung_smtp.connections == 0, "the request never talks to the mail server"
    assert with_mail < no_mail + 1.0 < 10, (no_mail, with_mail)
    [queued] = TaskRecord.objects.all()
    assert queued.task_path == "reviews.tasks.send_mail"
    assert queued.args_kwargs["kwargs"]["_task"]["request_id"] == response["X-Request-ID"]

    # The worker waits on the hung server; once it answers, the mail is delivered.
    threading.Timer(0.5, hung_smtp.release).start()
    run_worker()
    [message] = hung_smtp.wait_for(1)
    assert message["To"] == "mod@example.com"
    assert "Ballerina" in message["Subject"]
    assert "The snow fight is even better." in message.get_content()
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"


def test_a_hung_mail_server_does_not_slow_request_changes_and_the_mail_goes_later(
    client, db_tasks, hung_smtp
):
    writer = user_in_group("Writers", username="wanda", email="wanda@example.com")
    quiet_writer = user_in_group("Writers", username="quiet", email="")
    editor = user_in_group("Editors", username="edie")
    client.force_login(editor)
    reviews = []
    for author in (writer, quiet_writer, writer):
        review = ReviewFactory(author=author, status=Review.Status.IN_REVIEW)
        SectionFactory(review=review, heading="Plot", body="The plot.", position=1)
        reviews.append(review)
    request_changes(client, reviews[2], "Warm-up.")  # first admin page of the run
    TaskRecord.objects.all().delete()

    _, no_mail = request_changes(client, reviews[1], "Cut the second act.")  # no address
    assert not TaskRecord.objects.exists()
    response, with_mail = request_changes(client, reviews[0], "Cut the third act.")

    assert response.status_code == 302
    reviews[0].refresh_from_db()
    assert reviews[0].status == Review.Status.DRAFT
    assert hung_smtp.connections == 0
    assert with_mail < no_mail + 1.0 < 10, (no_mail, with_mail)

    hung_smtp.release()
    run_worker()
    [message] = hung_smtp.wait_for(1)
    assert message["To"] == "wanda@example.com"
    assert "Cut the third act." in message.get_content()


# Enqueueing --------------------------------------------------------------------------------


def test_the_task_row_commits_or_rolls_back_with_the_change(db_tasks):
    with transaction.atomic():
        mail_on_commit("Kept", "Body", ["a@example.com"])

    def change_that_fails():
        with transaction.atomic():
            mail_on_commit("Rolled back", "Body", ["b@example.com"])
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError, match="the change failed"):
        change_that_fails()
    [row] = TaskRecord.objects.all()
    assert row.args_kwargs["args"][0] == "Kept"
    mail_on_commit("Nobody", "Body", [])
    assert TaskRecord.objects.count() == 1


def test_in_development_mail_is_sent_at_once_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        mail_on_commit("Hello", "Body", ["b@example.com", "a@example.com", "a@example.com"])
        assert mail.outbox == []
    [message] = mail.outbox
    assert message.to == ["a@example.com", "b@example.com"]


# Retries -----------------------------------------------------------------------------------


def test_a_failing_task_is_retried_with_growing_delays_then_fails(settings, db_tasks, tmp_path):
    settings.TASKS_RETRY_DELAY = 30
    counter = tmp_path / "runs"
    start = timezone.now()
    flaky.enqueue(str(counter), 10)  # never succeeds within its 3 attempts
    with time_machine.travel(start, tick=False):
        run_worker()
    first, second = attempts()
    assert first.status == "SUCCESSFUL"
    assert first.return_value["failed_attempt"] == 1
    assert "RuntimeError: failure 1 of 10" in first.return_value["error"]
    assert second.status == "READY"
    assert second.run_after == start + datetime.timedelta(seconds=30)
    with time_machine.travel(start + datetime.timedelta(seconds=29), tick=False):
        run_worker()
    assert counter.read_text() == "1", "not before its time"
    with time_machine.travel(start + datetime.timedelta(seconds=31), tick=False):
        run_worker()
    third = attempts()[-1]
    assert third.run_after == start + datetime.timedelta(seconds=31 + 60), "the delay doubles"
    with time_machine.travel(start + datetime.timedelta(seconds=92), tick=False):
        run_worker()
    assert counter.read_text() == "3"
    third.refresh_from_db()
    assert third.status == "FAILED"
    assert "failure 3 of 10" in third.traceback
    assert TaskRecord.objects.count() == 3, "no fourth attempt"
    envelopes = [r.args_kwargs["kwargs"]["_task"] for r in TaskRecord.objects.all()]
    assert len({e["id"] for e in envelopes}) == 1, "one logical task"
    assert sorted(e["attempt"] for e in envelopes) == [1, 2, 3]


def test_a_task_that_fails_then_succeeds(settings, db_tasks, tmp_path):
    settings.TASKS_RETRY_DELAY = 0
    counter = tmp_path / "runs"
    flaky.enqueue(str(counter), 1)
    run_worker()
    assert [r.status for r in attempts()] == ["SUCCESSFUL", "SUCCESSFUL"]
    assert attempts()[-1].return_value == 2


def test_a_mail_is_sent_once_even_when_its_task_runs_twice(settings, db_tasks):
    server = SMTPServer()
    settings.MAILERS = smtp_mailers(server)
    result = send_mail.enqueue("Once", "Only once.", ["a@example.com"])
    run_worker()
    # The same stored task run again (an admin retry of a stale row, a duplicate).
    row = TaskRecord.objects.get(pk=result.id)
    send_mail.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
    assert len(server.wait_for(1)) == 1
    time.sleep(0.2)
    assert len(server.messages) == 1
    assert CompletedTask.objects.count() == 1
    server.close()


def test_a_mail_server_that_refuses_is_retried(settings, db_tasks):
    settings.TASKS_RETRY_DELAY = 0
    server = SMTPServer()
    server.close()  # nothing listens on its port: connection refused
    settings.MAILERS = smtp_mailers(server, timeout=2)
    send_mail.enqueue("Later", "Body", ["a@example.com"])
    call_command(
        "db_worker",
        batch=True,
        startup_delay=False,
        reload=False,
        verbosity=0,
        queue_name="*",
        max_tasks=1,
    )
    first, retry = attempts()
    assert re.search("ConnectionRefusedError|SMTPServerDisconnected", first.return_value["error"])
    assert retry.status == "READY"

    server = SMTPServer()
    settings.MAILERS = smtp_mailers(server)
    run_worker()
    assert len(server.wait_for(1)) == 1
    server.close()


def test_log_lines_of_a_task_carry_the_request_id_that_enqueued_it(client, db_tasks):
    review = ReviewFactory(
        author=user_in_group("Writers", email="w@example.com"), status=Review.Status.IN_REVIEW
    )
    client.force_login(user_in_group("Editors", username="edie"))
    response = client.post(
        reverse("admin:reviews_review_transition", args=[review.pk, "request_changes"]),
        {"note": "Shorter."},
        HTTP_X_REQUEST_ID="req-1234567890",
    )
    assert response["X-Request-ID"] == "req-1234567890"

    lines = []
    handler = logging.Handler(level=logging.INFO)
    handler.addFilter(RequestIdFilter())  # as the console handler in settings.LOGGING
    handler.emit = lambda record: lines.append(json.loads(JsonFormatter().format(record)))
    logger = logging.getLogger("marquee.tasks")
    logger.addHandler(handler)
    try:
        run_worker()
    finally:
        logger.removeHandler(handler)
    [line] = lines
    assert line["message"].startswith("Task send_mail")
    assert line["request_id"] == "req-1234567890"


def test_a_password_reset_queues_no_token_and_the_worker_sends_a_working_link(client, db_tasks):
    editor = user_in_group("Editors", username="edie", email="edie@example.com")
    page = client.get("/admin/password_reset/").content.decode()
    fields = page_form(page, "") | {"email": "edie@example.com"}
    started = time.perf_counter()
    assert client.post("/admin/password_reset/", fields).status_code == 302
    assert time.perf_counter() - started < 5
    assert mail.outbox == []
    [queued] = TaskRecord.objects.all()
    assert queued.task_path == "config.accounts.send_password_reset"
    assert "reset" not in json.dumps(queued.args_kwargs["args"][:5]), "no link in the queue"

    run_worker()
    [message] = mail.outbox
    link = re.search(r"https?://[^/\s]+(/admin/reset/\S+/)", message.body)[1]
    form_page = client.get(link, follow=True)
    fields = page_form(form_page.content.decode(), "") | {
        "new_password1": "a new long passphrase 42",
        "new_password2": "a new long passphrase 42",
    }
    client.post(form_page.redirect_chain[-1][0], fields)
    editor.refresh_from_db()
    assert editor.check_password("a new long passphrase 42")


def test_submitting_changes_to_a_live_review_mails_the_editors_through_the_worker(client, db_tasks):
    from tests.test_workflow_admin import S, form_data, make_review, url

    writer = user_in_group("Writers", username="wanda", email="wanda@example.com")
    user_in_group("Editors", username="edie", email="edie@example.com")
    review = make_review(writer, S.PUBLISHED, headline="Live headline")
    client.force_login(writer)
    page = client.get(url("change", review.pk))
    client.post(url("change", review.pk), {**form_data(page), "headline": "Pending headline"})
    page = client.get(url("change", review.pk))
    response = client.post(
        url("change", review.pk), {**form_data(page), "_workflow": "submit_changes"}
    )
    assert response.status_code == 302
    assert mail.outbox == []
    assert TaskRecord.objects.filter(task_path="reviews.tasks.send_mail").count() == 1
    run_worker()
    [message] = mail.outbox
    assert message.to == ["edie@example.com"]
    assert message.subject == "Changes submitted: Live headline"


# Daily tasks without cron -----------------------------------------------------------------------


def run_marquee_worker():
    """Marquee's own worker (`run_worker --batch`): the loop that also enqueues daily tasks."""
    call_command("run_worker", batch=True, startup_delay=False, reload=False, verbosity=0)


def test_the_worker_sends_the_moderators_digest_once_a_day_at_its_time(settings, db_tasks):
    from reviews.commenters import ModeratorMailPreference
    from reviews.comments import create_comment

    settings.TASKS_DAILY = {"reviews.tasks.send_comment_digest": "07:00"}
    moderator = user_in_group("Moderators", username="mo", email="mo@example.com")
    ModeratorMailPreference.objects.create(user=moderator, frequency="daily")
    review = ReviewFactory(published=True)
    zone = timezone.get_current_timezone()
    morning = datetime.datetime(2026, 11, 30, 6, 59, tzinfo=zone)

    with time_machine.travel(morning - datetime.timedelta(hours=10), tick=False):
        create_comment(review, body="Waiting since last night", name="Ada", email="ada@example.com")
    mail.outbox.clear()
    with time_machine.travel(morning, tick=False):
        run_marquee_worker()
    assert mail.outbox == []  # not yet seven

    with time_machine.travel(morning + datetime.timedelta(minutes=2), tick=False):
        run_marquee_worker()  # enqueues the digest and runs it; the digest queues its mail
        run_marquee_worker()
    [digest] = mail.outbox
    assert digest.to == ["mo@example.com"]
    assert "Waiting since last night" in digest.body

    with time_machine.travel(morning + datetime.timedelta(hours=3), tick=False):
        run_marquee_worker()
        run_marquee_worker()
    assert len(mail.outbox) == 1  # once a day, however often the worker comes round


def test_a_daily_task_is_queued_once_whichever_worker_gets_there_first(settings, db_tasks):
    from tasks import periodic

    settings.TASKS_DAILY = {"reviews.tasks.send_comment_digest": "07:00"}
    at_eight = datetime.datetime(2026, 11, 30, 8, 0, tzinfo=timezone.get_current_timezone())
    assert periodic.enqueue_due(at_eight) == ["reviews.tasks.send_comment_digest"]
    assert periodic.enqueue_due(at_eight) == []  # a second worker, the same minute
    assert TaskRecord.objects.filter(task_path="reviews.tasks.send_comment_digest").count() == 1
    next_day = at_eight + datetime.timedelta(days=1)
    assert periodic.enqueue_due(next_day) == ["reviews.tasks.send_comment_digest"]


def test_a_daily_time_that_is_not_a_time_is_a_clear_error(settings):
    from tasks import periodic

    settings.TASKS_DAILY = {"reviews.tasks.send_comment_digest": "seven"}
    with pytest.raises(ValueError, match="TASKS_DAILY: 'seven' is not a time of day like 07:00"):
        periodic.enqueue_due()
