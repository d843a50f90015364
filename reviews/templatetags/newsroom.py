"""The admin index's newsroom: what waits for whom, each item linked to where it is handled."""

import datetime
from dataclasses import dataclass, field

from django import template
from django.db.models import (
    Case,
    DateTimeField,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from reviews import clock, permissions
from reviews.models import Comment, Review, ReviewTransition
from reviews.models.queries import due_condition, expired_condition
from reviews.status import Status

register = template.Library()

SHOWN = 5  # items listed per box; the count and the link cover the rest


@dataclass
class Box:
    key: str
    title: str
    count: int
    url: str
    items: list = field(default_factory=list)
    empty: str = "Nothing here."
    held: int = 0  # comments: those the spam filter holds for a moderator's look
    held_url: str = ""


def _with_last_move(reviews):
    """Annotate each review with its latest audit-trail entry: when, from, and the note; as its
    trail reads (Review.audit_trail), where its expiry or its going live on schedule is the
    latest though nothing has recorded it yet (reviews/clock.py)."""
    latest = ReviewTransition.objects.filter(review=OuterRef("pk")).order_by("-created_at", "-id")
    expired = Q(status__in=[Status.PUBLISHED, Status.SCHEDULED]) & expired_condition()
    due = due_condition()

    def overdue(expiry, going_live, stored, output_field):
        return Case(
            When(expired, then=expiry),
            When(due, then=going_live),
            default=Subquery(latest.values(stored)[:1]),
            output_field=output_field,
        )

    return reviews.annotate(
        moved_at=overdue(F("unpublish_at"), F("published_at"), "created_at", DateTimeField()),
        moved_from=Case(
            # Expired before it went live: it leaves Scheduled; else Published.
            When(expired & Q(status=Status.SCHEDULED) & ~due, then=Value(Status.SCHEDULED)),
            When(expired, then=Value(Status.PUBLISHED)),
            When(due, then=Value(Status.SCHEDULED)),
            default=Subquery(latest.values("from_status")[:1]),
        ),
        moved_note=overdue(
            Value(clock.EXPIRED_NOTE), Value(clock.SCHEDULED_NOTE), "note", TextField()
        ),
    )


def _sent_back_lines(items) -> None:
    """Set `sent_back` on each listed item of "Changes requested of you": the trail's line of
    the editor sending it back (its latest for a draft; its pending version's own for changes
    to a live review, which its expiry or unpublishing since leaves standing)."""
    for item in items:
        pending = getattr(item, "pending_change", None)
        sent = pending.sent_back if pending is not None else None
        item.sent_back = sent or (item.last_moves[0] if item.last_moves else None)


def _expiry_lines(items) -> None:
    """Set `expired_at` on each listed draft whose latest move is its expiry (recorded or
    not): it reads as unpublished then, where its save by the clock read as edited just now."""
    for item in items:
        item.expired_at = item.moved_at if item.moved_note == clock.EXPIRED_NOTE else None


def _last_move_by() -> Prefetch:
    """Each review's latest audit-trail entry with who took the step, as `last_moves` (a list
    of one): one query for the box, however many items it lists."""
    latest = ReviewTransition.objects.select_related("actor").order_by("-created_at", "-id")
    return Prefetch("transitions", queryset=latest[:1], to_attr="last_moves")


def _box(key, title, reviews, url, order, empty, *conditions, prefetch=()) -> Box:
    """`conditions` filter on the annotations too, e.g. Q(moved_from=...) for changes
    requested; `prefetch` adds to the listed items (e.g. _last_move_by() where the box names
    the actor)."""
    reviews = _with_last_move(reviews.select_related("author", "film")).filter(*conditions)
    items = list(reviews.order_by(*order).prefetch_related(*prefetch)[:SHOWN])
    return Box(key, title, reviews.count(), url, items, empty)


@register.simple_tag(takes_context=True)
def newsroom(context) -> list[Box]:
    """The boxes this user may act on, in the order they are usually handled."""
    user = context["request"].user
    now = timezone.now()
    changelist = reverse("admin:reviews_review_changelist")
    boxes = []
    is_editor = permissions.is_editor(user)
    writes = permissions.may_write(user)
    if is_editor:
        boxes.append(
            _box(
                "awaiting",
                "Awaiting your review",
                Review.objects.filter(status=Review.Status.IN_REVIEW),
                f"{changelist}?queue=review",
                ["moved_at"],
                "No review is waiting for an editor.",
            )
        )
        boxes.append(
            _box(
                "scheduled",
                "Scheduled this week",
                Review.objects.filter(
                    status=Review.Status.SCHEDULED,
                    published_at__gt=now,
                    published_at__lte=now + datetime.timedelta(days=7),
                ),
                f"{changelist}?queue=scheduled",
                ["published_at"],
                "Nothing goes live this week.",
            )
        )
        boxes.append(
            _box(
                "pending",
                "Changes to live reviews",
                # Live as readers see it: an unpublished or expired review keeps its pending
                # changes (the next Publish takes them), but they change nothing live.
                Review.objects.published()
                .filter(pending_change__isnull=False)
                .select_related("pending_change__updated_by"),
                f"{changelist}?queue=changes&status={Review.Status.PUBLISHED}",
                ["pending_change__updated_at"],
                "No live review has changes waiting.",
            )
        )
    if writes:
        mine = Review.objects.by_author(user)
        boxes.append(
            _box(
                "changes",
                "Changes requested of you",
                mine.select_related("pending_change__sent_back__actor"),
                f"{changelist}?queue=mine",
                [Coalesce("pending_change__sent_back__created_at", "moved_at").desc()],
                "No editor has sent anything back.",
                # Drafts whose last move was an editor sending them back from review, and
                # changes to a live review an editor sent back (their line names the editor).
                Q(status=Review.Status.DRAFT, moved_from=Review.Status.IN_REVIEW)
                | Q(pending_change__sent_back__isnull=False),
                prefetch=[_last_move_by()],  # the item names the editor who sent it back
            )
        )
        _sent_back_lines(boxes[-1].items)
        boxes.append(
            _box(
                "drafts",
                "Your drafts",
                # As readers see it: expired, it is a draft again before anything records it.
                mine.with_effective_status_of(Review.Status.DRAFT),
                f"{changelist}?queue=mine",
                ["-updated_at"],
                "No drafts.",
            )
        )
        _expiry_lines(boxes[-1].items)
        if not is_editor:
            boxes.append(
                _box(
                    "submitted",
                    "Your reviews awaiting an editor",
                    mine.filter(status=Review.Status.IN_REVIEW),
                    f"{changelist}?queue=mine",
                    ["moved_at"],
                    "Nothing of yours is in review.",
                )
            )
    if is_editor or writes:
        recent = Review.objects.published().filter(
            published_at__gte=now - datetime.timedelta(days=7)
        )
        if not is_editor:
            recent = recent.by_author(user)
        boxes.append(
            _box(
                "published",
                "Published in the last 7 days",
                recent,
                f"{changelist}?status=published",
                ["-published_at"],
                "Nothing published this week.",
            )
        )
    if permissions.may_moderate(user):
        pending = Comment.objects.pending().select_related("review")
        queue = reverse("admin:reviews_comment_changelist")
        boxes.append(
            Box(
                "comments",
                "Comments awaiting moderation",
                pending.count(),
                queue + "?status=pending",
                list(pending.order_by("submitted_at")[:SHOWN]),
                "No comment is waiting.",
                held=Comment.objects.held().count(),
                held_url=queue + "?status=held",
            )
        )
    return boxes
