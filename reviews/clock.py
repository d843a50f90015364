"""Scheduling both ways, with no cron: going live at `published_at`, leaving at `unpublish_at`.

What readers see never waits for anything here: `public_condition()`
(reviews/models/queries.py) reads the times, so a scheduled review is public the moment it is
due and an expired one is gone the moment it expires, on every page, list, feed, sitemap and
search; the page cache is told those moments in advance (reviews/receivers.py: schedule_due).

This module tidies up after those moments and tells the author: a task queued for the moment
(`run_after`, on the task worker that already sends mail) flips the stored status, writes the
audit trail and mails the author that the review went live, or was unpublished. Each task checks
that its moment still stands (a rescheduled or unpublished review makes it do nothing), so stale
tasks are harmless. `manage.py publish_scheduled` does the same for whatever is due, for a
site that runs no worker. Until one of them comes, whatever is next done to a review (a step, a
line in its trail, a save of its change form, a restore) records its going live and its expiry
first (`catch_up`), so it acts on the review as readers see it; the admin's trail and newsroom
show them meanwhile. Whether it went live is one rule: `Review.is_due`, `due()` for many. All of
them record both through `record_overdue`, in that order and each dated at its own time, so
however late they come the trail reads in time order.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from config.times import stamp
from reviews import permissions
from reviews.status import Status
from reviews.tasks import mail_on_commit
from reviews.timezones import time_for
from reviews.workflow import admin_link
from tasks.base import durable_task

SCHEDULED_NOTE = "Scheduled time reached."
EXPIRED_NOTE = "Unpublished at its expiry time."


def zone_name() -> str:
    return timezone.get_current_timezone_name()


def local(moment: datetime.datetime) -> str:
    """A time as editors and authors read it: in the site's time zone, the zone named."""
    return f"{stamp(moment)} ({zone_name()})"


def when(moment: datetime.datetime | None) -> str:
    """`local(moment)`, or "—" for none (the admin's columns and notes)."""
    return "—" if moment is None else local(moment)


def _at(moment: datetime.datetime | str) -> datetime.datetime:
    return parse_datetime(moment) if isinstance(moment, str) else moment


def arrange(task, review_id: int, moment: datetime.datetime) -> None:
    """Queue `task` to run at `moment` once the transaction commits; on a backend that cannot
    defer (development's immediate one) `publish_scheduled` does it instead."""
    if task.get_backend().supports_defer:
        task.using(run_after=moment).enqueue_on_commit(review_id, moment.isoformat())


def arrange_going_live(review) -> None:
    arrange(went_live, review.pk, review.published_at)


def set_expiry(review, at, by):
    """Set `review`'s unpublish time (None clears it), at once, and queue its tidying."""
    reviews = type(review).objects
    if not permissions.may_set_expiry(by):
        raise PermissionDenied("Only editors may set when a review is unpublished.")
    if at is not None and timezone.is_naive(at):
        at = timezone.make_aware(at)
    if at is not None and at <= timezone.now():
        raise ValidationError("The unpublish time must be in the future.", code="expiry_past")
    if at is not None and review.published_at and at <= review.published_at:
        raise ValidationError(
            "The unpublish time must come after the publication time (%(published)s).",
            code="expiry_before_publication",
            params={"published": local(review.published_at)},
        )
    with transaction.atomic():
        current = reviews.select_for_update().get(pk=review.pk)
        catch_up(current)  # expired already: unpublished first, and stays so
        if current.unpublish_at == at:
            review.unpublish_at = at
            return review
        # An update, not save(): a live review's pending changes stay pending.
        reviews.filter(pk=current.pk).update(unpublish_at=at)
        current.log_event(by, f"Unpublish at {local(at)}." if at else "Unpublish time cleared.")
        current.unpublish_at = at
        _retire(current)
        if at is not None:
            arrange(expired, current.pk, at)
    review.unpublish_at = at
    return review


def _retire(review) -> None:
    """What a change of the review's public times retires in the caches."""
    from reviews import receivers  # receivers imports reviews.models, which imports this module

    receivers.review_changed(type(review), review)


@durable_task(queue_name="default")
def went_live(review_id: int, moment: str):
    """A scheduled review's time has come: mark it published and tell its author."""
    from reviews.models import Review  # reviews.models imports this module (Review.set_expiry)

    with transaction.atomic():
        review = (
            Review.objects.select_for_update()
            .due()
            .filter(pk=review_id, published_at=_at(moment))
            .first()
        )
        if review is None:
            return {"skipped": "no longer scheduled for that time"}
        record_overdue(review)  # and its expiry after it, if that has come too
    return {"published": review_id}


@durable_task(queue_name="default")
def expired(review_id: int, moment: str):
    """A review's unpublish time has come: unpublish it and tell its author."""
    from reviews.models import Review  # reviews.models imports this module (Review.set_expiry)

    with transaction.atomic():
        review = (
            Review.objects.select_for_update()
            .expired()
            .filter(pk=review_id, unpublish_at=_at(moment))
            .first()
        )
        if review is None:
            return {"skipped": "no longer expiring at that time"}
        record_overdue(review)  # its going live first, if nothing has recorded it
    return {"unpublished": review_id}


# What recording a review's going live or expiry changes on it (`catch_up` copies them back).
CAUGHT_UP_FIELDS = (
    "status",
    "published_at",
    "unpublish_at",
    "updated_at",
    "version",
    "render_token",
)


def catch_up(review) -> None:
    """Record what `review`'s times did by themselves that nothing has recorded yet (no worker,
    or not yet): its going live on schedule, then its expiry; before a step or a line is
    written on it, so its trail reads in order and the line starts from the state readers
    see. `review` follows the stored row; its edit lock (`version`) only if it held the stored
    one, so a form loaded before someone else's save is still refused. Read from the stored
    row, not from `review`: a form's instance holds the times as typed."""
    from reviews.models import Review  # reviews.models imports this module (Review.set_expiry)

    with transaction.atomic():
        current = Review.objects.select_for_update().get(pk=review.pk)
        if not (current.is_due or current.is_expired):
            return
        in_step = current.version == review.version
        record_overdue(current)
    for field in CAUGHT_UP_FIELDS:
        if field != "version" or in_step:
            setattr(review, field, getattr(current, field))


def record_overdue(review) -> tuple[bool, bool]:
    """On `review`'s locked row: mark it live if it went live on schedule, then unpublished if
    it expired, as far as nothing has recorded them; each line dated at its own time, so the
    trail reads in time order however late this runs. (went live, unpublished)."""
    live = review.is_due
    if live:
        mark_live(review)
    expired = review.is_expired
    if expired:
        mark_expired(review)
    return live, expired


def mark_live(review) -> None:
    # Dated when readers first saw it, however late the worker or publish_scheduled comes.
    review.move_to(
        Status.PUBLISHED,
        by=None,
        note=SCHEDULED_NOTE,
        source=Status.SCHEDULED,
        at=review.published_at,
        update_fields=["status", "updated_at"],
    )
    _mail_author(
        review,
        f"Live: {review.headline}",
        f"“{review.headline}” went live as scheduled, at "
        f"{time_for(review.author, review.published_at)}."
        f"\n\n{settings.MARQUEE_SITE_URL.rstrip('/')}{review.get_absolute_url()}\n",
    )


def mark_expired(review) -> None:
    moment = review.unpublish_at
    review.published_at = None
    review.unpublish_at = None
    # Dated when readers stopped seeing it, however late the worker or publish_scheduled comes.
    review.move_to(
        Status.DRAFT,
        by=None,
        note=EXPIRED_NOTE,
        at=moment,
        update_fields=["status", "published_at", "unpublish_at", "updated_at"],
    )
    _mail_author(
        review,
        f"Unpublished: {review.headline}",
        f"“{review.headline}” was unpublished at its expiry time, "
        f"{time_for(review.author, moment)}. "
        f"It is a draft again.\n\n{admin_link(review)}\n",
    )


def _mail_author(review, subject: str, body: str) -> None:
    if review.author.email:
        mail_on_commit(subject, body, [review.author.email])


def tidy() -> tuple[int, int]:
    """Do now what the queued tasks do, for everything due, each review's going live before its
    expiry: (went live, expired)."""
    from reviews.models import Review  # reviews.models imports this module (Review.set_expiry)

    overdue = Review.objects.due() | Review.objects.expired()
    with transaction.atomic():
        done = [record_overdue(review) for review in overdue.select_for_update().order_by("pk")]
    return sum(live for live, _ in done), sum(expired for _, expired in done)
