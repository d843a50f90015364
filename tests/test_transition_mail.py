"""Mail for every workflow step that concerns a person (#22 item 5), sent by the task worker.

Submitting and withdrawing concern the editors; every step an editor takes on a writer's review
(restore to draft, changes published or discarded, …) concerns its author. Nobody is mailed
about their own step.
"""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from tasks.models import TaskRecord
from tests.factories import user_in_group
from tests.tasks_support import database_task_backend
from tests.test_workflow_admin import S, make_review

pytestmark = pytest.mark.django_db(transaction=True)


def run_worker():
    call_command(
        "db_worker", batch=True, startup_delay=False, reload=False, verbosity=0, queue_name="*"
    )


@pytest.fixture
def db_tasks():
    with database_task_backend() as backend:
        yield backend


@pytest.fixture
def people():
    return {
        "writer": user_in_group(
            "Writers", username="wanda", first_name="Wanda", email="wanda@example.com"
        ),
        "editor": user_in_group(
            "Editors",
            username="edie",
            first_name="Edie",
            last_name="Editor",
            email="edie@example.com",
        ),
        "other editor": user_in_group("Editors", username="ed", email="ed@example.com"),
    }


def sent() -> list:
    """What the worker sends of the queued mail (nothing goes before it runs)."""
    assert mail.outbox == []
    run_worker()
    messages = list(mail.outbox)
    mail.outbox.clear()
    return messages


def test_restoring_an_archived_review_to_draft_mails_its_author(people, db_tasks):
    review = make_review(people["writer"], S.ARCHIVED, headline="Dusted off")
    review.unarchive(by=people["editor"])
    assert TaskRecord.objects.filter(task_path="reviews.tasks.send_mail").count() == 1
    [message] = sent()
    assert message.to == ["wanda@example.com"]
    assert message.subject == "Restored to draft: Dusted off"
    assert "Edie Editor restored “Dusted off” from the archive" in message.body
    assert f"/admin/reviews/review/{review.pk}/change/" in message.body


def test_an_editor_restoring_their_own_review_gets_no_mail(people, db_tasks):
    review = make_review(people["editor"], S.ARCHIVED)
    review.unarchive(by=people["editor"])
    assert sent() == []


def test_withdrawing_a_submission_tells_the_editors_it_left_their_queue(people, db_tasks):
    review = make_review(people["writer"], headline="Second thoughts")
    review.submit(by=people["writer"])
    [submitted] = sent()
    assert submitted.subject == "Review submitted: Second thoughts"
    review.withdraw(by=people["writer"])
    [message] = sent()
    assert message.subject == "Review withdrawn: Second thoughts"
    assert sorted(message.to) == ["ed@example.com", "edie@example.com"]
    assert "withdrew “Second thoughts” from review" in message.body


def test_every_step_an_editor_takes_on_a_writers_review_mails_the_writer(people, db_tasks):
    """Publish, unpublish, archive, restore: one mail each, to the author, through the worker."""
    review = make_review(people["writer"], S.IN_REVIEW, headline="The long way")
    people["writer"].critic.display_name = "Wanda W."
    people["writer"].critic.save()
    editor = people["editor"]
    subjects = []
    for step in ("publish", "archive", "unarchive"):
        getattr(review, step)(by=editor)
        subjects += [(m.subject, tuple(m.to)) for m in sent()]
    review.publish(by=editor, at=timezone.now() + datetime.timedelta(days=1))
    review.unpublish(by=editor)
    subjects += [(m.subject, tuple(m.to)) for m in sent()]
    to = ("wanda@example.com",)
    assert subjects == [
        ("Published: The long way", to),
        ("Archived: The long way", to),
        ("Restored to draft: The long way", to),
        ("Scheduled: The long way", to),
        ("Unpublished: The long way", to),
    ]


def test_an_editor_publishing_or_discarding_a_writers_changes_mails_the_writer(people, db_tasks):
    from reviews.pending import save_pending

    review = make_review(people["writer"], S.PUBLISHED, headline="Live one")
    for step, subject, says in (
        ("publish_changes", "Changes published: Live one", "readers see them now"),
        ("discard_changes", "Changes discarded: Live one", "readers still see the live"),
    ):
        review.refresh_from_db()
        review.dek = f"A new dek before {step}"
        save_pending(review, list(review.sections.all()), people["writer"], review.version)
        getattr(review, step)(by=people["editor"])
        [message] = sent()
        assert (message.subject, message.to) == (subject, ["wanda@example.com"])
        assert says in message.body
