"""Comment moderation: the actions the admin and the views share.

Every action checks the `reviews.moderate_comment` permission (PermissionDenied otherwise) and
records who decided, and when. Actions take one comment, a list of comments, or a queryset, and
update all of them in one query.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from reviews.comments import MAX_DEPTH, MODERATE_PERMISSION, may_moderate
from reviews.critics import byline_name
from reviews.models import Comment
from reviews.receivers import comments_changing

Comments = Comment | Iterable[Comment] | QuerySet


def check_permission(user) -> None:
    if not may_moderate(user):
        raise PermissionDenied(f"{user} may not moderate comments ({MODERATE_PERMISSION}).")


def _queryset(comments: Comments) -> QuerySet:
    if isinstance(comments, QuerySet):
        return comments
    if isinstance(comments, Comment):
        comments = [comments]
    return Comment.objects.filter(pk__in=[c.pk for c in comments])


def _set_status(comments: Comments, status: str, by) -> int:
    check_permission(by)
    now = timezone.now()
    with transaction.atomic():
        comments_changing(_queryset(comments), status)  # bulk updates send no signals
        count = _queryset(comments).update(status=status, moderated_by=by, moderated_at=now)
    if isinstance(comments, Comment):  # keep the caller's object in step
        comments.status, comments.moderated_by, comments.moderated_at = status, by, now
    return count


def approve(comments: Comments, by) -> int:
    """Publish the comments. Returns how many were changed."""
    return _set_status(comments, Comment.Status.APPROVED, by)


def reject(comments: Comments, by) -> int:
    """Hide the comments for good (kept for the record)."""
    return _set_status(comments, Comment.Status.REJECTED, by)


def mark_spam(comments: Comments, by) -> int:
    """Hide the comments as spam."""
    return _set_status(comments, Comment.Status.SPAM, by)


def delete(comments: Comments, by) -> int:
    """Delete the comments (and their replies). Returns how many comments were deleted."""
    check_permission(by)
    with transaction.atomic():
        comments_changing(_queryset(comments))
        _deleted, per_model = _queryset(comments).delete()
    return per_model.get(Comment._meta.label, 0)


def reply(parent: Comment, by, body: str) -> Comment:
    """Post a staff reply to `parent`, published at once and marked as a staff reply.

    Replying to a pending comment approves it too (a moderator answering it has read it);
    rejected comments and spam get no replies.
    """
    check_permission(by)
    if parent.status in (Comment.Status.REJECTED, Comment.Status.SPAM):
        raise ValidationError(
            "This comment is %(status)s; approve it before replying.",
            code="not_approved", params={"status": parent.get_status_display().lower()},
        )
    body = (body or "").strip()
    if not body:
        raise ValidationError("Write a reply first.", code="required")
    if len(body) > Comment.MAX_LENGTH:
        raise ValidationError(
            f"A reply is at most {Comment.MAX_LENGTH} characters (this one is {len(body)}).",
            code="max_length",
        )
    now = timezone.now()
    attach_to = parent
    depth = 0
    node = parent
    while node.parent_id is not None:
        depth += 1
        node = node.parent
    if depth >= MAX_DEPTH:  # keep threads at most MAX_DEPTH levels deep
        attach_to = parent.parent
    with transaction.atomic():
        if parent.status == Comment.Status.PENDING:
            approve(parent, by)
        return Comment.objects.create(
            review_id=parent.review_id,
            parent=attach_to,
            name=byline_name(by)[:100],
            email=by.email,
            body=body,
            user=by,
            is_staff_reply=True,
            status=Comment.Status.APPROVED,
            submitted_at=now,
            moderated_by=by,
            moderated_at=now,
        )
