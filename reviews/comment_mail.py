"""The mail comments send: to moderators (each comment, or a daily digest) and to commenters
who asked to hear when their comment is published or answered.

Every mail leaves through the mail task (reviews/tasks.py) after the transaction commits, one
function per mail. A commenter's mail
carries a signed unsubscribe link (no account needed) and the List-Unsubscribe headers that let
a mail client unsubscribe in one click (RFC 8058).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from reviews.commenters import ModeratorMailPreference, normalise_email
from reviews.models import Comment
from reviews.tasks import mail_on_commit

UNSUBSCRIBE_SALT = "reviews.comments.unsubscribe"


def _absolute(path: str) -> str:
    return settings.MARQUEE_SITE_URL.rstrip("/") + path


def _send(subject: str, body: str, to: list[str], headers: dict | None = None) -> None:
    """Send one mail through the mail task once the current transaction commits."""
    mail_on_commit(subject, body, to, headers=headers)


# Moderators.


def moderators():
    """Active users who may moderate comments and have an email address."""
    User = get_user_model()
    perm = Q(
        groups__permissions__codename="moderate_comment",
        groups__permissions__content_type__app_label="reviews",
    ) | Q(
        user_permissions__codename="moderate_comment",
        user_permissions__content_type__app_label="reviews",
    )
    return (
        User.objects.filter(perm | Q(is_superuser=True), is_active=True)
        .exclude(email="")
        .distinct()
    )


def _wanting(frequency: str):
    if frequency == ModeratorMailPreference.Frequency.EACH:  # the default
        others = [choice for choice in ModeratorMailPreference.Frequency if choice != frequency]
        return moderators().exclude(comment_mail__frequency__in=others)
    return moderators().filter(comment_mail__frequency=frequency)


def notify_moderators(comment) -> None:
    """Mail the moderators who want a mail per comment about a new pending comment."""
    recipients = sorted({user.email for user in _wanting(ModeratorMailPreference.Frequency.EACH)})
    if not recipients:
        return
    queue = _absolute(reverse("admin:reviews_comment_changelist"))
    change = _absolute(reverse("admin:reviews_comment_change", args=[comment.pk]))
    excerpt = Truncator(comment.body).chars(500)
    _send(
        f"New comment to moderate on “{comment.review.headline}”",
        f"{comment.name} <{comment.email}> commented on “{comment.review.headline}”:\n\n"
        f"{excerpt}\n\nModerate it: {change}\nThe queue: {queue}\n",
        recipients,
    )


def send_daily_digests(now: datetime.datetime | None = None) -> int:
    """One mail to each moderator who chose the daily digest, listing the comments that came
    to the queue since their last digest (at most a day back). Returns how many were sent."""
    now = now or timezone.now()
    sent = 0
    for user in _wanting(ModeratorMailPreference.Frequency.DAILY):
        preference = user.comment_mail
        since = max(
            preference.last_digest_at or now - datetime.timedelta(days=1),
            now - datetime.timedelta(days=1),
        )
        if preference.last_digest_at and now - preference.last_digest_at < datetime.timedelta(
            hours=23
        ):
            continue  # already had today's
        waiting = list(
            Comment.objects.pending()
            .filter(submitted_at__gte=since, submitted_at__lt=now)
            .select_related("review")
            .order_by("submitted_at")
        )
        preference.last_digest_at = now
        preference.save(update_fields=["last_digest_at"])
        if not waiting:
            continue
        lines = [
            f"- {c.name} on “{c.review.headline}”: {Truncator(' '.join(c.body.split())).chars(120)}"
            f"\n  {_absolute(reverse('admin:reviews_comment_change', args=[c.pk]))}"
            for c in waiting
        ]
        queue = _absolute(reverse("admin:reviews_comment_changelist"))
        total = Comment.objects.pending().count()
        _send(
            f"{len(waiting)} new comment{'s' if len(waiting) != 1 else ''} to moderate",
            "New since your last digest:\n\n"
            + "\n".join(lines)
            + f"\n\n{total} comment{'s' if total != 1 else ''} wait in the queue: {queue}\n",
            [user.email],
        )
        sent += 1
    return sent


# Commenters.


def unsubscribe_token(email: str) -> str:
    return signing.dumps(normalise_email(email), salt=UNSUBSCRIBE_SALT, compress=True)


def email_for_token(token: str) -> str | None:
    """The address a token unsubscribes; None for an altered one."""
    try:
        email = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return email if isinstance(email, str) and email else None


def unsubscribe_url(email: str) -> str:
    return _absolute(reverse("reviews:comment_unsubscribe", args=[unsubscribe_token(email)]))


def _to_commenter(comment, subject: str, text: str) -> None:
    url = unsubscribe_url(comment.email)
    _send(
        subject,
        f"{text}\n\n—\nYou get this because you asked to hear about your comment on "
        f"{settings.MARQUEE_SITE_NAME}. To stop all such mail, open: {url}\n",
        [comment.email],
        headers={
            "List-Unsubscribe": f"<{url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def comment_published(comment, *, at_once: bool = False, parent_approved: bool = False) -> None:
    """Tell who asked: the author that their comment is now shown (unless it was published
    the moment they posted it, `at_once`), and the parent's author that it is answered (and,
    `parent_approved` by this reply, that theirs is now shown too)."""
    review = comment.review
    link = _absolute(comment.get_absolute_url())
    if comment.notify and comment.email and not at_once:
        _to_commenter(
            comment,
            f"Your comment on “{review.headline}” is published",
            f"Hello {comment.name},\n\nYour comment on “{review.headline}” is now published:"
            f"\n{link}\n\n{Truncator(comment.body).chars(500)}",
        )
    parent = comment.parent
    if (
        parent is not None
        and parent.notify
        and parent.email
        and normalise_email(parent.email) != normalise_email(comment.email)
    ):
        who = f"{comment.name} (Marquee staff)" if comment.is_staff_reply else comment.name
        shown = " Your comment is now published too." if parent_approved else ""
        _to_commenter(
            parent,
            f"{who} replied to your comment on “{review.headline}”",
            f"Hello {parent.name},\n\n{who} replied to your comment on “{review.headline}”:"
            f"\n\n{Truncator(comment.body).chars(1000)}\n\nRead it: {link}{shown}",
        )
