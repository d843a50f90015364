"""The editorial workflow through the model API: permissions, states, audit trail, mail."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from reviews.models import Review, StaleEditError
from tests.factories import ReviewFactory, SuperuserFactory, user_in_group

pytestmark = pytest.mark.django_db

S = Review.Status
ACTIONS = ["submit", "request_changes", "publish", "unpublish", "archive", "unarchive"]


def act(review, action, user):
    kwargs = {"note": "Tighten the intro."} if action == "request_changes" else {}
    return getattr(review, action)(by=user, **kwargs)


@pytest.fixture
def people():
    writer = user_in_group("Writers", username="wanda", email="wanda@example.com")
    return {
        "author (writer)": writer,
        "other writer": user_in_group("Writers", username="walt"),
        "editor": user_in_group("Editors", username="edie", email="edie@example.com"),
        "moderator": user_in_group("Moderators", username="mo"),
        "superuser": SuperuserFactory(username="root"),
        "anonymous": AnonymousUser(),
        "inactive editor": user_in_group("Editors", username="gone", is_active=False),
    }


# Which roles may take each action (given a state that allows it).
ALLOWED = {
    "submit": {"author (writer)", "editor", "superuser"},
    "request_changes": {"editor", "superuser"},
    "publish": {"editor", "superuser"},
    "unpublish": {"editor", "superuser"},
    "archive": {"editor", "superuser"},
    "unarchive": {"editor", "superuser"},
}
SOURCE_STATE = {
    "submit": S.DRAFT,
    "request_changes": S.IN_REVIEW,
    "publish": S.IN_REVIEW,
    "unpublish": S.PUBLISHED,
    "archive": S.PUBLISHED,
    "unarchive": S.ARCHIVED,
}
ROLES = [
    "author (writer)",
    "other writer",
    "editor",
    "moderator",
    "superuser",
    "anonymous",
    "inactive editor",
]


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(people, role, action):
    state = SOURCE_STATE[action]
    review = ReviewFactory(
        author=people["author (writer)"],
        status=state,
        published_at=timezone.now() - datetime.timedelta(hours=1)
        if state in (S.PUBLISHED, S.ARCHIVED)
        else None,
    )
    if role in ALLOWED[action]:
        act(review, action, people[role])
        assert review.transitions.get().actor == people[role]
    else:
        with pytest.raises(PermissionDenied):
            act(review, action, people[role])
        review.refresh_from_db()
        assert review.status == state, "a refused transition changes nothing"
        assert not review.transitions.exists()


# The workflow table of DESIGN.md: which states each action leaves from, and where it goes.
EXPECTED = {
    "submit": {S.DRAFT: S.IN_REVIEW},
    "request_changes": {S.IN_REVIEW: S.DRAFT},
    "publish": {S.DRAFT: S.PUBLISHED, S.IN_REVIEW: S.PUBLISHED, S.SCHEDULED: S.PUBLISHED},
    "unpublish": {S.PUBLISHED: S.DRAFT, S.SCHEDULED: S.DRAFT},
    "archive": {S.PUBLISHED: S.ARCHIVED},
    "unarchive": {S.ARCHIVED: S.DRAFT},
}


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("state", list(S))
def test_state_matrix(state, action):
    editor = SuperuserFactory()
    published_at = {
        S.SCHEDULED: timezone.now() + datetime.timedelta(days=2),
        S.PUBLISHED: timezone.now() - datetime.timedelta(days=2),
        S.ARCHIVED: timezone.now() - datetime.timedelta(days=2),
    }.get(state)
    review = ReviewFactory(status=state, published_at=published_at)
    target = EXPECTED[action].get(state)
    if target is None:
        with pytest.raises(ValidationError) as excinfo:
            act(review, action, editor)
        message = excinfo.value.messages[0]
        assert state.label.lower() in message
        review.refresh_from_db()
        assert review.status == state
    else:
        act(review, action, editor)
        review.refresh_from_db()
        assert review.status == target
        entry = review.transitions.get()
        assert (entry.from_status, entry.to_status) == (state, target)


def test_invalid_transition_names_both_states():
    review = ReviewFactory(status=S.ARCHIVED, published_at=timezone.now())
    with pytest.raises(ValidationError, match="archived → published"):
        review.publish(by=SuperuserFactory())


def test_publishing_with_a_future_time_schedules_and_the_review_appears_on_time():
    editor = user_in_group("Editors")
    review = ReviewFactory(status=S.IN_REVIEW)
    when = timezone.now() + datetime.timedelta(days=1)
    review.publish(by=editor, at=when)
    assert review.status == S.SCHEDULED
    assert not Review.objects.published().filter(pk=review.pk).exists()
    with time_machine.travel(when - datetime.timedelta(seconds=1)):
        assert not Review.objects.published().filter(pk=review.pk).exists()
    with time_machine.travel(when + datetime.timedelta(seconds=1)):
        assert Review.objects.published().filter(pk=review.pk).exists()
        # Once due, it counts as published: it can be unpublished or archived.
        review.archive(by=editor)
        assert review.status == S.ARCHIVED


def test_request_changes_needs_a_note_and_mails_it_to_the_writer(
    people, django_capture_on_commit_callbacks
):
    review = ReviewFactory(author=people["author (writer)"], status=S.IN_REVIEW)
    with pytest.raises(ValidationError, match="note is required"):
        review.request_changes(by=people["editor"], note="  ")
    with django_capture_on_commit_callbacks(execute=True):
        review.request_changes(by=people["editor"], note="The second section repeats the first.")
    assert review.status == S.DRAFT
    assert review.transitions.get().note == "The second section repeats the first."
    [message] = mail.outbox
    assert message.to == ["wanda@example.com"]
    assert "The second section repeats the first." in message.body


def test_submitting_mails_the_editors_once_after_commit(people, django_capture_on_commit_callbacks):
    review = ReviewFactory(author=people["author (writer)"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        review.submit(by=people["author (writer)"])
    assert mail.outbox == [], "nothing is sent before the transaction commits"
    for callback in callbacks:
        callback()
    [message] = mail.outbox
    assert message.to == ["edie@example.com"]
    assert review.headline in message.subject


def test_publishing_tells_the_writer(people, django_capture_on_commit_callbacks):
    review = ReviewFactory(author=people["author (writer)"], status=S.IN_REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        review.publish(by=people["editor"])
    [message] = mail.outbox
    assert message.to == ["wanda@example.com"]
    assert message.subject.startswith("Published:")


def test_every_transition_records_a_revision():
    from reversion.models import Version

    editor = SuperuserFactory()
    review = ReviewFactory()
    review.submit(by=editor)
    review.publish(by=editor)
    versions = Version.objects.get_for_object(review)
    assert versions.count() == 2
    assert versions.first().revision.user == editor


def test_a_stale_copy_cannot_overwrite_a_newer_save():
    editor = user_in_group("Editors", first_name="Edie", last_name="Tor")
    review = ReviewFactory(headline="Original")
    stale = Review.objects.get(pk=review.pk)
    review.headline = "First editor's headline"
    review.last_edited_by = editor
    review.save()
    stale.headline = "Second editor's headline"
    with pytest.raises(StaleEditError, match="Edie Tor changed this review"):
        stale.save()
    review.refresh_from_db()
    assert review.headline == "First editor's headline"


def test_a_transition_refuses_nothing_when_the_callers_object_is_old():
    editor = SuperuserFactory()
    review = ReviewFactory()
    old_copy = Review.objects.get(pk=review.pk)
    review.submit(by=editor)
    # Transitions read the current row, so an old object still moves on from the real state.
    with pytest.raises(ValidationError, match="in review"):
        old_copy.submit(by=editor)


def test_publish_scheduled_flips_only_due_reviews_and_is_safe_to_repeat():
    from django.core.management import call_command

    due = ReviewFactory(
        status=S.SCHEDULED, published_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    later = ReviewFactory(
        status=S.SCHEDULED, published_at=timezone.now() + datetime.timedelta(days=1)
    )
    call_command("publish_scheduled")
    call_command("publish_scheduled")
    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.status, later.status) == (S.PUBLISHED, S.SCHEDULED)
    assert due.transitions.get().to_status == S.PUBLISHED
