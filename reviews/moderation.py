"""Comment moderation: the actions the admin and the views share.

Every action checks the `reviews.moderate_comment` permission (PermissionDenied otherwise:
moderators and editors have it, writers do not) and records who decided, and when. Decisions
take one comment, a list of comments, or a queryset, and update all of them in one query.
Besides decisions: editing and redacting (recorded, the original kept), a commenter's history,
trusting and blocking senders, and privacy requests (IP purge, export, erase).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from reviews import comment_mail
from reviews.commenters import CommentBlock, CommentEdit, TrustedCommenter, normalise_email
from reviews.critics import byline_name
from reviews.models import Comment
from reviews.permissions import MODERATE_PERMISSION, may_moderate
from reviews.receivers import comments_changing

REDACTED = "[removed by a moderator]"

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


def approve(comments: Comments, by, *, told_elsewhere: frozenset[int] = frozenset()) -> int:
    """Publish the comments. Returns how many were changed.

    A comment published for the first time tells who asked: its author (unless its id is in
    `told_elsewhere`: a staff reply's mail tells them), and the author of the comment it
    answers (comment_mail.comment_published), once the transaction commits.
    """
    check_permission(by)
    with transaction.atomic():
        first = list(
            _queryset(comments)
            .filter(first_published_at__isnull=True)
            .exclude(status=Comment.Status.APPROVED)
            .select_related("review", "parent")
            .order_by("submitted_at", "id")
        )
        count = _set_status(comments, Comment.Status.APPROVED, by)
        now = timezone.now()
        Comment.objects.filter(pk__in=[c.pk for c in first]).update(first_published_at=now)
        for comment in first:
            comment.first_published_at = now
            comment_mail.comment_published(comment, at_once=comment.pk in told_elsewhere)
    if isinstance(comments, Comment) and comments.first_published_at is None and first:
        comments.first_published_at = now
    return count


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


def _text(body: str, what: str, *, empty: str) -> str:
    """A staff member's text, trimmed; ValidationError when empty or too long."""
    body = (body or "").strip()
    if not body:
        raise ValidationError(empty, code="required")
    if len(body) > Comment.MAX_LENGTH:
        raise ValidationError(
            f"{what} is at most {Comment.MAX_LENGTH} characters (this one is {len(body)}).",
            code="max_length",
        )
    return body


def reply(parent: Comment, by, body: str) -> Comment:
    """Post a staff reply to `parent`, published at once and marked as a staff reply.

    Replying to a pending comment approves it too (a moderator answering it has read it);
    rejected comments and spam get no replies.
    """
    check_permission(by)
    if parent.status in (Comment.Status.REJECTED, Comment.Status.SPAM):
        raise ValidationError(
            "This comment is %(status)s; approve it before replying.",
            code="not_approved",
            params={"status": parent.get_status_display().lower()},
        )
    body = _text(body, "A reply", empty="Write a reply first.")
    now = timezone.now()
    attach_to = parent.reply_parent()
    with transaction.atomic():
        # Replying approves a pending comment too. When the reply is stored under it, its
        # author hears of both in the reply's mail, not in two mails sent in the same second.
        in_one_mail = parent.status == Comment.Status.PENDING and attach_to == parent
        if parent.status == Comment.Status.PENDING:
            approve(parent, by, told_elsewhere=frozenset({parent.pk} if in_one_mail else ()))
            parent.refresh_from_db()
        reply = Comment.objects.create(  # its thread refreshes by reviews/receivers.py
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
            first_published_at=now,
        )
        comment_mail.comment_published(reply, at_once=True, parent_approved=in_one_mail)
        return reply


# Editing and redacting: the change is recorded and the original kept for staff.


def edit(comment: Comment, by, body: str, note: str = "") -> Comment:
    """Change a comment's text (fix a typo, redact a phrase), recording who, when and what.

    The first recorded edit's `old_body` is the original, which staff can still read.
    """
    check_permission(by)
    body = _text(body, "A comment", empty="A comment cannot be empty; delete it instead.")
    if body == comment.body:
        raise ValidationError("The text is unchanged.", code="unchanged")
    with transaction.atomic():
        CommentEdit.objects.create(
            comment=comment,
            edited_by=by,
            old_body=comment.body,
            new_body=body,
            note=(note or "").strip()[:200],
        )
        comment.body = body
        comment.edited_at = timezone.now()
        comment.save(update_fields=["body", "edited_at"])  # a shown one's thread refreshes
    return comment


def redact(comment: Comment, by, phrase: str, note: str = "") -> Comment:
    """Replace every occurrence of `phrase` (case-insensitive) with “[removed]”."""
    phrase = (phrase or "").strip()
    if not phrase:
        raise ValidationError("Name the words to remove.", code="required")
    pattern = re.compile(re.escape(phrase), re.IGNORECASE)
    if not pattern.search(comment.body):
        raise ValidationError(f"“{phrase}” is not in this comment.", code="not_found")
    return edit(comment, by, pattern.sub(REDACTED, comment.body), note=note or "Redacted")


def original_body(comment: Comment) -> str:
    """The text as its author wrote it, before any moderator's edit."""
    first = comment.edits.order_by("edited_at", "id").first()
    return first.old_body if first else comment.body


# Who wrote it: history, trust and blocks.


def history(email: str) -> dict[str, int]:
    """How many comments from this address are in each status ({"approved": 3, ...})."""
    rows = (
        Comment.objects.filter(email__iexact=normalise_email(email))
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {status.value: 0 for status in Comment.Status}
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def history_text(counts: dict[str, int]) -> str:
    """ "3 approved, 1 spam" (statuses with none left out); "no comments" when empty."""
    order = [
        Comment.Status.APPROVED,
        Comment.Status.PENDING,
        Comment.Status.REJECTED,
        Comment.Status.SPAM,
    ]
    parts = [
        f"{counts[status.value]} {status.label.lower()}"
        for status in order
        if counts.get(status.value)
    ]
    return ", ".join(parts) or "no comments"


def trust(email: str, by) -> TrustedCommenter:
    """Approve this address's comments from now on without waiting for a moderator."""
    check_permission(by)
    email = normalise_email(email)
    if not email:
        raise ValidationError("This comment has no e-mail address to trust.", code="no_email")
    trusted, _ = TrustedCommenter.objects.get_or_create(email=email, defaults={"added_by": by})
    return trusted


def distrust(email: str, by) -> int:
    check_permission(by)
    return TrustedCommenter.objects.filter(email=normalise_email(email)).delete()[0]


def block(kind: str, value: str, by, note: str = "") -> CommentBlock:
    """Refuse comments from an e-mail address, an IP address or a network from now on."""
    check_permission(by)
    entry = CommentBlock(kind=kind, value=value or "", note=(note or "")[:200], created_by=by)
    entry.full_clean()
    entry.save()
    if kind == CommentBlock.Kind.EMAIL:
        TrustedCommenter.objects.filter(email=entry.value).delete()
    return entry


def network_of(ip: str, prefix_v4: int = 24, prefix_v6: int = 48) -> str:
    """The network an address belongs to, as a moderator would block it (a /24 or a /48)."""
    address = ipaddress.ip_address(ip)
    prefix = prefix_v4 if address.version == 4 else prefix_v6
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


# Privacy requests.


def purge_ips(comments: Comments, by) -> int:
    """Forget the IP addresses and browsers of the comments. Returns how many changed."""
    check_permission(by)
    return (
        _queryset(comments)
        .exclude(ip_address__isnull=True, user_agent="")
        .update(ip_address=None, user_agent="")
    )


def _by_address(emails) -> QuerySet:
    wanted = {normalise_email(email) for email in emails if email}
    condition = Q(pk__in=[])
    for email in wanted:
        condition |= Q(email__iexact=email)
    return Comment.objects.filter(condition)


def export(emails, by) -> dict:
    """Everything Marquee holds from these addresses, as plain data (for a JSON download)."""
    check_permission(by)
    emails = sorted({normalise_email(e) for e in emails if e})
    comments = _by_address(emails).select_related("review").prefetch_related("edits")
    return {
        "emails": emails,
        "exported_at": timezone.now().isoformat(),
        "comments": [
            {
                "id": c.pk,
                "review": c.review.headline,
                "url": c.get_absolute_url(),
                "name": c.name,
                "email": c.email,
                "body": c.body,
                "status": c.status,
                "submitted_at": c.submitted_at.isoformat(),
                "ip_address": c.ip_address,
                "user_agent": c.user_agent,
                "notify": c.notify,
                "in_reply_to": c.parent_id,
                "edits": [
                    {
                        "at": e.edited_at.isoformat(),
                        "old_body": e.old_body,
                        "new_body": e.new_body,
                        "note": e.note,
                    }
                    for e in c.edits.all()
                ],
            }
            for c in comments.order_by("submitted_at", "id")
        ],
        "trusted": list(
            TrustedCommenter.objects.filter(email__in=emails).values_list("email", flat=True)
        ),
        "blocked": list(
            CommentBlock.objects.filter(kind=CommentBlock.Kind.EMAIL, value__in=emails).values_list(
                "value", flat=True
            )
        ),
    }


def erase(emails, by) -> int:
    """Delete every comment from these addresses, and their trusted status.

    Other people's replies to an erased comment stay, moved up to where it was in its thread.
    A block on an address stays (it is how the block is kept). Returns how many comments went.
    """
    check_permission(by)
    emails = {normalise_email(e) for e in emails if e}
    with transaction.atomic():
        doomed = list(_by_address(emails).values_list("pk", "parent_id"))
        ids = {pk for pk, _ in doomed}
        # Lift replies out of erased comments, nearest surviving ancestor first.
        parent_of = dict(doomed)
        for reply in Comment.objects.filter(parent_id__in=ids).exclude(pk__in=ids):
            ancestor = reply.parent_id
            while ancestor in ids:
                ancestor = parent_of[ancestor]
            reply.parent_id = ancestor
            reply.save(update_fields=["parent"])
        comments_changing(Comment.objects.filter(pk__in=ids))
        count = Comment.objects.filter(pk__in=ids).delete()[1].get(Comment._meta.label, 0)
        TrustedCommenter.objects.filter(email__in=emails).delete()
    return count
