"""The audit trail (#17 item 2): every stored status change writes its line, whichever route
took it — the workflow, `import_review --publish`, `publish_scheduled` and `load_demo` — with
the right from, to and actor (None where the site itself, not a person, moved the review)."""

import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from reviews.models import Review
from tests.factories import FilmFactory, ReviewFactory, SuperuserFactory, UserFactory
from tests.test_load_demo import MANIFEST, headline_of

pytestmark = pytest.mark.django_db

S = Review.Status
HOUR = datetime.timedelta(hours=1)


def trail(review) -> list[tuple]:
    """The review's audit trail, oldest first: (from, to, actor, note, scheduled_for)."""
    return [
        (t.from_status, t.to_status, t.actor, t.note, t.scheduled_for)
        for t in review.transitions.order_by("created_at", "id")
    ]


@pytest.fixture
def review_file(tmp_path):
    def write(date: str):
        path = tmp_path / "review.txt"
        path.write_text(f"{date}\nAn imported review\nA paragraph.\n", encoding="utf-8")
        return path

    return write


def import_review(path, *args: str) -> Review:
    FilmFactory(slug="ballerina")
    SuperuserFactory(username="admin")
    call_command("import_review", str(path), "--film", "ballerina", *args, stdout=StringIO())
    return Review.objects.get()


def test_import_publish_writes_draft_to_published_by_no_one(review_file):
    review = import_review(review_file("26/01/2025"), "--publish")

    assert review.status == S.PUBLISHED
    assert trail(review) == [(S.DRAFT, S.PUBLISHED, None, "Published by import_review.", None)]


def test_import_publish_of_a_future_date_writes_draft_to_scheduled_for_that_time(review_file):
    review = import_review(review_file("01/01/2999"), "--publish")

    assert review.status == S.SCHEDULED
    assert trail(review) == [
        (S.DRAFT, S.SCHEDULED, None, "Published by import_review.", review.published_at)
    ]


def test_import_without_publish_writes_no_line(review_file):
    review = import_review(review_file("26/01/2025"))

    assert review.status == S.DRAFT
    assert trail(review) == []


def test_publish_scheduled_writes_a_line_for_each_review_it_moves(committed, mailoutbox):
    author = UserFactory(email="author@example.com")
    due = ReviewFactory(author=author, status=S.SCHEDULED, published_at=timezone.now() + HOUR)
    expiring = ReviewFactory(
        author=author,
        status=S.PUBLISHED,
        published_at=timezone.now() - HOUR,
        unpublish_at=timezone.now() + HOUR,
    )
    untouched = ReviewFactory(author=author, status=S.PUBLISHED, published_at=timezone.now())

    with time_machine.travel(timezone.now() + 2 * HOUR), committed():
        call_command("publish_scheduled", stdout=StringIO())

    due.refresh_from_db()
    expiring.refresh_from_db()
    assert (due.status, expiring.status) == (S.PUBLISHED, S.DRAFT)
    assert trail(due) == [(S.SCHEDULED, S.PUBLISHED, None, "Scheduled time reached.", None)]
    assert trail(expiring) == [
        (S.PUBLISHED, S.DRAFT, None, "Unpublished at its expiry time.", None)
    ]
    assert trail(untouched) == []
    assert {m.subject for m in mailoutbox} == {
        f"Live: {due.headline}",
        f"Unpublished: {expiring.headline}",
    }


def test_load_demo_writes_one_line_from_draft_to_each_reviews_state(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())

    for entry in MANIFEST["reviews"]:
        review = Review.objects.get(headline=headline_of(entry["file"]))
        if review.status == S.DRAFT:
            assert trail(review) == []
            continue
        scheduled_for = review.published_at if review.status == S.SCHEDULED else None
        assert trail(review) == [
            (
                S.DRAFT,
                entry["status"],
                None,
                "Demo content: placed in its state by load_demo.",
                scheduled_for,
            )
        ]


def test_move_to_saves_the_status_and_its_line_together():
    editor = UserFactory()
    review = ReviewFactory(status=S.DRAFT)

    line = review.move_to(S.IN_REVIEW, by=editor, note="Over to you.")

    assert Review.objects.get(pk=review.pk).status == S.IN_REVIEW
    assert (line.from_status, line.to_status, line.actor, line.note) == (
        S.DRAFT,
        S.IN_REVIEW,
        editor,
        "Over to you.",
    )
    assert trail(review) == [(S.DRAFT, S.IN_REVIEW, editor, "Over to you.", None)]


def test_the_workflow_writes_its_line_through_the_same_place():
    editor = SuperuserFactory()
    review = ReviewFactory(status=S.DRAFT, intro="Words.")
    at = timezone.now() + HOUR

    review.publish(by=editor, at=at)

    assert review.status == S.SCHEDULED
    assert trail(review) == [(S.DRAFT, S.SCHEDULED, editor, "", at)]
