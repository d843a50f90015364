"""Review's state changes: the editorial workflow's steps, and the audit trail they write.

reviews/workflow.py says who may take which step from which state; the steps themselves are
methods of `Review` (Wagtail's shape), mixed in from here. Each checks `by`'s permission
(PermissionDenied) and the review's state (ValidationError), runs in one transaction, writes the
audit trail and a revision, and tells the people it concerns. The routes no person takes (the
scheduling clock, `import_review --publish`, `load_demo`) skip the permission checks but store
the status through the same `move_to`, which writes the audit-trail line with it.
"""

import datetime

import reversion
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from reviews import clock, prepublish, workflow
from reviews.critics import require_display_name
from reviews.status import Status

# What a step changes on the stored review, copied back onto the caller's object.
STEP_FIELDS = (
    "status",
    "published_at",
    "unpublish_at",
    "last_edited_by_id",
    "version",
    "updated_at",
)


class StateChanges:
    """Mixed into `Review`: its workflow steps and audit trail."""

    def submit(self, by):
        return self.transition("submit", by, to=Status.IN_REVIEW)

    def withdraw(self, by):
        """The writer takes a submitted review back to draft."""
        return self.transition("withdraw", by, to=Status.DRAFT)

    def request_changes(self, by, note: str):
        if not (note or "").strip():
            raise ValidationError(
                "Say what needs changing: the note is required.", code="note_required"
            )
        return self.transition("request_changes", by, to=Status.DRAFT, note=note.strip())

    def publish(self, by, at=None):
        """Publish now, or schedule when `at` is in the future.

        Without `at`, a review with an intended publication date in the past is published
        with that date (00:00 in the site's time zone), as `import_review --publish` does.
        """
        if at is not None and timezone.is_naive(at):
            at = timezone.make_aware(at)
        if at is None:
            at = self.publish_now_date()
        target = Status.SCHEDULED if at and at > timezone.now() else Status.PUBLISHED
        if workflow.may(by, "publish", self):  # else transition() refuses: PermissionDenied
            require_display_name(self.author)
        return self.transition("publish", by, to=target, at=at)

    def publish_now_date(self) -> datetime.datetime | None:
        """The publication date Publish now gives: the intended publication date (00:00 in the
        site's time zone) when it is not in the future, else None (the moment of publishing)."""
        if self.intended_date is None:
            return None
        intended = datetime.datetime.combine(
            self.intended_date, datetime.time.min, tzinfo=timezone.get_default_timezone()
        )
        return intended if intended <= timezone.now() else None

    def unpublish(self, by):
        return self.transition("unpublish", by, to=Status.DRAFT, clear_date=True)

    def archive(self, by):
        return self.transition("archive", by, to=Status.ARCHIVED)

    def unarchive(self, by):
        return self.transition("unarchive", by, to=Status.DRAFT, clear_date=True)

    def set_expiry(self, at, by):
        """Unpublish this review by itself at `at` (None: keep it up). Written at once, also on
        a live review with pending changes: it is a schedule, not content."""
        return clock.set_expiry(self, at, by)

    def transition(
        self,
        action: str,
        by,
        *,
        to: str,
        note: str = "",
        at: datetime.datetime | None = None,
        clear_date: bool = False,
    ):
        """Take workflow step `action` to state `to` on behalf of `by`, or raise
        PermissionDenied/ValidationError. The steps above call this; nothing else should."""
        spec = workflow.ACTIONS[action]
        if not workflow.may(by, action, self):
            raise PermissionDenied(f"{by} may not {spec.label.lower()} reviews.")
        with transaction.atomic():
            current = type(self).objects.select_for_update().get(pk=self.pk)
            clock.catch_up(current)
            source = current.effective_status
            if source not in spec.sources:
                raise ValidationError(
                    "Cannot %(action)s: the review is %(source)s, and %(source)s → %(target)s "
                    "is not a transition the workflow allows.",
                    code="invalid_transition",
                    params={
                        "action": spec.label.lower(),
                        "source": Status(source).label.lower(),
                        "target": Status(to).label.lower(),
                    },
                )
            if action == "publish":
                # Blocking pre-publish checks refuse the step, whichever route took it.
                prepublish.require(current)
            if to in (Status.PUBLISHED, Status.SCHEDULED):
                current.published_at = at or timezone.now()
                if current.unpublish_at and current.unpublish_at <= max(
                    current.published_at, timezone.now()
                ):
                    current.unpublish_at = None  # an expiry already past would hide it at once
            elif clear_date:
                current.published_at = None
                current.unpublish_at = None
            current.last_edited_by = by
            with reversion.create_revision():
                reversion.set_user(by)
                reversion.set_comment(f"{spec.label}: {Status(source).label} → {Status(to).label}")
                current.move_to(to, by=by, note=note, source=source)
            workflow.notify(current, action, by, note)
            if to == Status.SCHEDULED:
                clock.arrange_going_live(current)
            if current.unpublish_at and to in (Status.PUBLISHED, Status.SCHEDULED):
                clock.arrange(clock.expired, current.pk, current.unpublish_at)
        # Keep the caller's object in step with the database.
        for field in STEP_FIELDS:
            setattr(self, field, getattr(current, field))
        return self

    # The audit trail. A stored status change and its line in the trail are written together,
    # here and nowhere else: the workflow steps above, the scheduling clock, the importer and
    # the demo loader all come through `move_to`.

    def move_to(
        self,
        to,
        *,
        by,
        note: str = "",
        source: str | None = None,
        at: datetime.datetime | None = None,
        update_fields=None,
    ):
        """Set the status to `to`, save, and write the audit-trail line (a ReviewTransition)
        for it (actor `by`, None for the site itself; dated `at`, now unless given). `source`
        is the state the trail says it left, the stored status unless given (the workflow gives
        the effective one)."""
        source = self.status if source is None else source
        self.status = to
        with transaction.atomic(savepoint=False):
            self.save(update_fields=update_fields)
            line = self._transition(source, to, by, note, at)
            line.save()
            return line

    def log_event(self, by, note: str):
        """A line in the audit trail for a change that keeps the status (an expiry time set,
        pending changes published or discarded)."""
        clock.catch_up(self)  # gone live or expired by its times: the line keeps that state
        line = self._transition(self.status, self.status, by, note)
        line.save()
        return line

    def audit_trail(self) -> list:
        """The audit trail as the admin shows it, newest first. A review gone live on schedule,
        or past its unpublish time, reads so from that time on, before anything has recorded
        it (clock.catch_up)."""
        overdue = []
        if self.is_due:
            note, at = clock.SCHEDULED_NOTE, self.published_at
            overdue.append(self._transition(Status.SCHEDULED, Status.PUBLISHED, None, note, at))
        if self.is_expired:
            source = Status.PUBLISHED if overdue else self.status
            note, at = clock.EXPIRED_NOTE, self.unpublish_at
            overdue.append(self._transition(source, Status.DRAFT, None, note, at))
        return [*reversed(overdue), *self.transitions.select_related("actor")]

    def _transition(self, source, to, by, note, at=None):
        """An audit-trail line, unsaved."""
        return self.transitions.model(
            review=self,
            actor=by,
            from_status=source,
            to_status=to,
            note=note,
            scheduled_for=self.published_at if to == Status.SCHEDULED else None,
            created_at=at or timezone.now(),
        )
