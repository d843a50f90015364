"""The audit trail (#17 item 2): every stored status change writes its line, whichever route
took it — the workflow, `import_review --publish`, `publish_scheduled` and `load_demo` — with
the right from, to and actor (None where the site itself, not a person, moved the review)."""

import datetime
from io import StringIO

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone
from django.utils.formats import date_format

from reviews import clock
from reviews import pending as pending_versions
from reviews.models import Review
from tests import test_workflow_admin
from tests.factories import FilmFactory, ReviewFactory, SuperuserFactory, UserFactory
from tests.test_load_demo import MANIFEST, headline_of
from tests.test_pages import find, find_all, page, text
from tests.test_pending_versions import post_change
from tests.test_workflow_admin import (
    buttons,
    errors,
    form_data,
    make_review,
    messages_of,
    transition_url,
    url,
)

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


# A scheduled review that went live by its time alone ----------------------------------------
# Readers see it the moment it is due (no save, no worker needed); its trail must say so, and
# what is written on it afterwards must start from Published, not from the stored Scheduled.

people = test_workflow_admin.people
as_role = test_workflow_admin.as_role


def audit_rows(response) -> list[list[str]]:
    """The audit trail as the change page shows it, newest first: [when, who, from, to, note]."""
    trail = find(page(response), "section", cls="audit-trail")
    return [[text(cell) for cell in find_all(row, "td")] for row in find_all(trail, "tr")[1:]]


def shown(moment) -> str:
    """A time as the audit trail shows it."""
    return date_format(timezone.localtime(moment), "j M Y, H:i")


def scheduled_by_editor(as_role, people) -> tuple[Review, datetime.datetime]:
    """A review an editor scheduled from its admin page, two hours ahead, and that time."""
    review = make_review(people["author"], S.IN_REVIEW)
    at = (timezone.localtime() + 2 * HOUR).replace(second=0, microsecond=0)
    response = as_role("editor").post(
        transition_url(review, "publish"), {"at": at.strftime("%Y-%m-%dT%H:%M")}
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.status, review.published_at) == (S.SCHEDULED, at)
    return review, at


def test_the_trail_shows_a_scheduled_review_going_live_at_its_time(as_role, people):
    review, at = scheduled_by_editor(as_role, people)

    with time_machine.travel(at + HOUR):
        rows = audit_rows(as_role("editor").get(url("change", review.pk)))

    assert rows[0] == [shown(at), "—", "Scheduled", "Published", "Scheduled time reached."]
    assert rows[1][2:4] == ["In review", f"Scheduled for {shown(at)}"]


def test_publishing_changes_to_a_review_gone_live_on_schedule_starts_from_published(
    as_role, people
):
    review, at = scheduled_by_editor(as_role, people)

    with time_machine.travel(at + HOUR):
        editor = as_role("editor")
        saved = post_change(editor, review, headline="A sharper headline")
        assert saved.status_code == 302, errors(saved)
        published = editor.post(transition_url(review, "publish_changes"))
        assert published.status_code == 302
        rows = audit_rows(editor.get(url("change", review.pk)))

    assert [row[2:] for row in rows[:2]] == [
        ["Published", "Published", "Published the pending changes."],
        ["Scheduled", "Published", "Scheduled time reached."],
    ]
    assert rows[1][0] == shown(at)
    assert not [row for row in rows if row[2] == "Scheduled" and row[3].startswith("Scheduled")]
    review.refresh_from_db()
    assert (review.status, review.headline) == (S.PUBLISHED, "A sharper headline")


@pytest.mark.parametrize(
    ("step", "to", "note"),
    [
        (lambda review, editor: review.unpublish(by=editor), S.DRAFT, ""),
        (
            lambda review, editor: review.set_comments_enabled(False, by=editor),
            S.PUBLISHED,
            "Closed comments.",
        ),
    ],
    ids=["unpublish", "close comments"],
)
def test_a_step_on_a_review_gone_live_on_schedule_writes_its_going_live_first(step, to, note):
    editor = SuperuserFactory()
    review = ReviewFactory(intro="Words.")
    at = timezone.now() + HOUR
    review.publish(by=editor, at=at)

    with time_machine.travel(at + HOUR):
        step(review, editor)

    assert trail(review) == [
        (S.DRAFT, S.SCHEDULED, editor, "", at),
        (S.SCHEDULED, S.PUBLISHED, None, "Scheduled time reached.", None),
        (S.PUBLISHED, to, editor, note, None),
    ]
    assert review.transitions.get(note="Scheduled time reached.").created_at == at
    assert Review.objects.get(pk=review.pk).status == to


# A review past its unpublish time -----------------------------------------------------------
# Readers stop seeing it the moment it expires (no worker needed); its trail must say so, and
# what is written on it afterwards must start from Draft, not from the stored Published.

EXPIRED = "Unpublished at its expiry time."


def set_to_expire(review, editor) -> datetime.datetime:
    """The time, within the hour, `editor` set the live `review` to unpublish itself."""
    at = (timezone.now() + HOUR).replace(second=0, microsecond=0)
    review.set_expiry(at, by=editor)
    return at


def test_the_trail_shows_a_review_unpublished_at_its_expiry_time(as_role, people):
    review = make_review(people["author"], S.PUBLISHED)
    at = set_to_expire(review, people["editor"])

    with time_machine.travel(at + HOUR):
        rows = audit_rows(as_role("editor").get(url("change", review.pk)))

    assert rows[0] == [shown(at), "—", "Published", "Draft", EXPIRED]
    assert rows[1][1:4] == ["Edie Editor", "Published", "Published"]  # its unpublish time set
    assert Review.objects.get(pk=review.pk).status == S.PUBLISHED  # shown, nothing stored


@pytest.mark.parametrize(
    ("step", "note"),
    [
        (
            lambda review, editor: review.set_comments_enabled(False, by=editor),
            "Closed comments.",
        ),
        (
            lambda review, editor: pending_versions.discard_changes(review, editor),
            "Discarded the pending changes.",
        ),
    ],
    ids=["close comments", "discard changes"],
)
def test_a_line_written_on_an_expired_review_comes_after_its_unpublishing(
    as_role, people, step, note
):
    review, editor = make_review(people["author"], S.PUBLISHED), people["editor"]
    at = set_to_expire(review, editor)
    saved = post_change(as_role("editor"), review, headline="A sharper headline")
    assert saved.status_code == 302, errors(saved)  # changes pending, to discard

    with time_machine.travel(at + HOUR):
        step(review, editor)

    assert trail(review)[-2:] == [
        (S.PUBLISHED, S.DRAFT, None, EXPIRED, None),
        (S.DRAFT, S.DRAFT, editor, note, None),
    ]
    assert review.transitions.get(note=EXPIRED).created_at == at
    stored = Review.objects.get(pk=review.pk)
    assert (stored.status, stored.published_at, stored.unpublish_at) == (S.DRAFT, None, None)


def test_a_new_unpublish_time_on_an_expired_review_leaves_it_unpublished(people):
    review, editor = make_review(people["author"], S.PUBLISHED), people["editor"]
    at = set_to_expire(review, editor)

    with time_machine.travel(at + HOUR):
        later = timezone.now() + HOUR
        review.set_expiry(later, by=editor)
        assert review not in Review.objects.published()

    assert trail(review)[-2:] == [
        (S.PUBLISHED, S.DRAFT, None, EXPIRED, None),
        (S.DRAFT, S.DRAFT, editor, f"Unpublish at {clock.local(later)}.", None),
    ]
    assert Review.objects.get(pk=review.pk).status == S.DRAFT


def scheduled_to_come_and_go() -> tuple[Review, object, datetime.datetime, datetime.datetime]:
    """A review an editor scheduled an hour ahead and set to unpublish an hour later: (the
    review, the editor, the two times)."""
    editor = SuperuserFactory()
    review = ReviewFactory(intro="Words.")
    live_at, gone_at = timezone.now() + HOUR, timezone.now() + 2 * HOUR
    review.publish(by=editor, at=live_at)
    review.set_expiry(gone_at, by=editor)
    return review, editor, live_at, gone_at


def test_publish_scheduled_records_going_live_then_expiry_in_time_order(committed, mailoutbox):
    review, editor, live_at, gone_at = scheduled_to_come_and_go()

    with time_machine.travel(gone_at + HOUR), committed():
        out = StringIO()
        call_command("publish_scheduled", stdout=out)

    assert trail(review) == [
        (S.DRAFT, S.SCHEDULED, editor, "", live_at),
        (S.SCHEDULED, S.SCHEDULED, editor, f"Unpublish at {clock.local(gone_at)}.", live_at),
        (S.SCHEDULED, S.PUBLISHED, None, "Scheduled time reached.", None),
        (S.PUBLISHED, S.DRAFT, None, EXPIRED, None),
    ]
    times = [line.created_at for line in review.transitions.order_by("created_at", "id")]
    assert times[2:] == [live_at, gone_at]
    assert out.getvalue().strip() == (
        "1 scheduled review(s) marked published; 1 expired review(s) unpublished."
    )
    assert Review.objects.get(pk=review.pk).status == S.DRAFT
    assert [m.subject for m in mailoutbox] == [
        f"Live: {review.headline}",
        f"Unpublished: {review.headline}",
    ]


def test_the_expiry_task_coming_first_records_the_going_live_before_it(committed):
    """A worker that was down runs the expiry task of a review whose going live nothing
    recorded: the trail still reads in time order."""
    review, _editor, live_at, gone_at = scheduled_to_come_and_go()

    with time_machine.travel(gone_at + HOUR), committed():
        clock.expired.call(review.pk, gone_at.isoformat())

    lines = list(review.transitions.order_by("created_at", "id"))
    assert [(line.from_status, line.to_status, line.created_at) for line in lines[2:]] == [
        (S.SCHEDULED, S.PUBLISHED, live_at),
        (S.PUBLISHED, S.DRAFT, gone_at),
    ]


# Saving the change form of a review whose times have come, before anything tidied it ----------
# The save acts on the review as readers see it: its going live and its expiry are recorded
# first, each at its own time, and the edit comes after them.

LIVE = "Scheduled time reached."


def test_saving_an_expired_review_records_its_expiry_first_and_saves_a_draft(as_role, people):
    review, editor = make_review(people["author"], S.PUBLISHED), people["editor"]
    at = set_to_expire(review, editor)

    with time_machine.travel(at + HOUR):
        saved = post_change(as_role("editor"), review, headline="A sharper headline")

    assert saved.status_code == 302, errors(saved)
    assert trail(review)[-1] == (S.PUBLISHED, S.DRAFT, None, EXPIRED, None)
    assert review.transitions.get(note=EXPIRED).created_at == at
    stored = Review.objects.get(pk=review.pk)
    assert (stored.status, stored.published_at, stored.unpublish_at) == (S.DRAFT, None, None)
    assert (stored.headline, stored.pending) == ("A sharper headline", None)  # a draft's edit
    assert stored.updated_at > at


@pytest.mark.parametrize("typed", ["later", "cleared"])
def test_saving_an_expired_review_with_a_new_unpublish_time_saves_a_draft(as_role, people, typed):
    """The editor types a new unpublish time (or clears it) on a review whose expiry came,
    unrecorded: the expiry is recorded first, from the stored times, not the typed ones; the
    edit is saved on the draft, where it was a server error (the save refused as stale by its
    own recording of the expiry)."""
    review, editor = make_review(people["author"], S.PUBLISHED), people["editor"]
    at = set_to_expire(review, editor)

    with time_machine.travel(at + HOUR):
        later = timezone.localtime(timezone.now() + 2 * HOUR)
        expiry = (
            {
                "unpublish_at_0": later.strftime("%d/%m/%Y"),
                "unpublish_at_1": later.strftime("%H:%M"),
            }
            if typed == "later"
            else {"unpublish_at_0": "", "unpublish_at_1": ""}
        )
        saved = post_change(as_role("editor"), review, headline="A sharper headline", **expiry)
        assert saved.status_code == 302, errors(saved)
        assert review not in Review.objects.published()

    assert trail(review)[1] == (S.PUBLISHED, S.DRAFT, None, EXPIRED, None)
    stored = Review.objects.get(pk=review.pk)
    assert (stored.status, stored.published_at) == (S.DRAFT, None)
    assert (stored.headline, stored.pending) == ("A sharper headline", None)


def test_saving_a_review_gone_live_on_schedule_records_it_live_first(as_role, people):
    review, at = scheduled_by_editor(as_role, people)

    with time_machine.travel(at + HOUR):
        saved = post_change(as_role("editor"), review, headline="A sharper headline")

    assert saved.status_code == 302, errors(saved)
    assert trail(review)[-1] == (S.SCHEDULED, S.PUBLISHED, None, LIVE, None)
    stored = Review.objects.get(pk=review.pk)
    assert stored.status == S.PUBLISHED
    # Live: the edit waits as its pending version, readers keep the live one.
    assert stored.headline != "A sharper headline"
    assert stored.pending.fields["headline"] == "A sharper headline"


def test_saving_a_review_that_came_and_went_records_both_in_time_order(as_role, people):
    review, at = scheduled_by_editor(as_role, people)
    gone_at = at + HOUR
    review.set_expiry(gone_at, by=people["editor"])

    with time_machine.travel(gone_at + HOUR):
        saved = post_change(as_role("editor"), review, headline="A sharper headline")

    assert saved.status_code == 302, errors(saved)
    assert trail(review)[-2:] == [
        (S.SCHEDULED, S.PUBLISHED, None, LIVE, None),
        (S.PUBLISHED, S.DRAFT, None, EXPIRED, None),
    ]
    stored = Review.objects.get(pk=review.pk)
    assert (stored.status, stored.headline, stored.pending) == (
        S.DRAFT,
        "A sharper headline",
        None,
    )


def test_the_writer_edits_their_review_that_expired_before_anything_recorded_it(as_role, people):
    """The page calls it a draft from its expiry on: its writer may edit it, as any draft of
    theirs, without waiting for the worker (it was read-only until something recorded it)."""
    review, editor = make_review(people["author"], S.PUBLISHED), people["editor"]
    at = set_to_expire(review, editor)
    writer = as_role("author")

    with time_machine.travel(at + HOUR):
        opened = writer.get(url("change", review.pk))
        assert find_all(page(opened), "input", name="headline"), "the form is read-only"
        assert writer.get(url("delete", review.pk)).status_code == 200  # theirs to delete too
        saved = post_change(writer, review, headline="The writer's new headline")

    assert saved.status_code == 302, errors(saved)
    assert trail(review)[-1] == (S.PUBLISHED, S.DRAFT, None, EXPIRED, None)
    stored = Review.objects.get(pk=review.pk)
    assert (stored.status, stored.headline) == (S.DRAFT, "The writer's new headline")


def test_a_form_opened_before_a_colleagues_save_is_still_refused_after_the_expiry(as_role, people):
    review, editor = make_review(people["author"], S.PUBLISHED), people["editor"]
    at = set_to_expire(review, editor)
    client = as_role("editor")

    with time_machine.travel(at + HOUR):
        page = client.get(url("change", review.pk))
        review.set_comments_enabled(False, by=editor)  # records the expiry meanwhile
        first = post_change(as_role("author"), review, headline="The writer's headline")
        assert first.status_code == 302, errors(first)
        stale = client.post(
            url("change", review.pk), {**form_data(page), "headline": "The editor's headline"}
        )

    assert stale.status_code == 200
    assert Review.objects.get(pk=review.pk).headline == "The writer's headline"


# Publishing the pending changes of a review that expired meanwhile ---------------------------


def test_publish_changes_is_refused_on_an_expired_review_and_its_changes_are_kept(people):
    review, editor = make_review(people["author"], S.PUBLISHED), people["editor"]
    at = set_to_expire(review, editor)
    review.refresh_from_db()
    pending_versions.save_pending(review, list(review.sections.all()), editor, review.version)

    with time_machine.travel(at + HOUR):
        with pytest.raises(ValidationError) as refused:
            review.publish_changes(by=editor)
        stored = Review.objects.get(pk=review.pk)
        assert stored not in Review.objects.published()

    assert refused.value.code == "not_live"
    assert "unpublished at its expiry time" in refused.value.messages[0]
    assert stored.pending is not None


def test_an_expired_review_offers_publish_not_publish_changes(as_role, people):
    review, editor = make_review(people["author"], S.PUBLISHED), people["editor"]
    at = set_to_expire(review, editor)
    saved = post_change(as_role("editor"), review, headline="A sharper headline")
    assert saved.status_code == 302, errors(saved)
    client = as_role("editor")

    with time_machine.travel(at + HOUR):
        offered = buttons(client.get(url("change", review.pk)).content.decode())
        pressed = client.post(transition_url(review, "publish_changes"), follow=True)
        stored = Review.objects.get(pk=review.pk)
        assert stored not in Review.objects.published()

    assert "publish_changes" not in offered
    assert "publish" in offered
    assert any("unpublished at its expiry time" in m for m in messages_of(pressed))
    assert stored.pending.fields["headline"] == "A sharper headline"


def test_submit_changes_is_refused_on_an_expired_review_and_no_editor_is_mailed(
    people, mailoutbox, django_capture_on_commit_callbacks
):
    review, writer = make_review(people["author"], S.PUBLISHED), people["author"]
    at = set_to_expire(review, people["editor"])
    review.refresh_from_db()
    pending_versions.save_pending(review, list(review.sections.all()), writer, review.version)

    with (
        time_machine.travel(at + HOUR),
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ValidationError) as refused,
    ):
        review.submit_changes(by=writer)

    assert refused.value.code == "not_live"
    assert "were not submitted: it was unpublished at its expiry time" in refused.value.messages[0]
    assert Review.objects.get(pk=review.pk).pending.submitted_at is None
    assert mailoutbox == []
