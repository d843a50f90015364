"""Reader comments: who may post where, the spam and abuse defences, and creating a comment.

The view and the form call these; every threshold is a setting (``MARQUEE_COMMENTS_*``), read at
call time so tests and deployments can change them. Defences, in the order a post meets them:

1. a per-IP rate limit in Django's cache (→ 429, nothing stored);
2. the review must be public, open to comments and not past its closing date (→ 404 / 403);
3. the form: field errors, a signed form timestamp (tampered or expired → refused, 400);
4. a honeypot field and a too-fast submission (→ stored as spam, so a moderator can rescue a
   false positive), too many links and disallowed words (→ spam, with the reasons);
5. an exact duplicate of a recent comment on the same review (→ refused).

Everything else is pending, unless the optional "known author" rule approves it.
"""

from __future__ import annotations

import datetime
import ipaddress
import re
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from reviews import permissions
from reviews.critics import byline_name
from reviews.models import Comment, Review
from reviews.tasks import mail_on_commit

TIMESTAMP_SALT = "reviews.comments.form-timestamp"
MODERATE_PERMISSION = "reviews.moderate_comment"
MAX_DEPTH = 2  # a top-level comment, a reply, and a reply to that reply
URL_PATTERN = re.compile(r"(?:https?://|ftp://|www\.)\S+", re.IGNORECASE)


class CommentsClosed(Exception):
    """The review does not accept comments (disabled, or past its closing date)."""


class RateLimited(Exception):
    """This address posted too many comments in the rate window."""

    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


# Who may post where.


def closes_at(review: Review) -> datetime.datetime | None:
    """When comments on `review` close automatically; None when they never do."""
    days = settings.MARQUEE_COMMENTS_CLOSE_AFTER_DAYS
    if not days or review.published_at is None:
        return None
    return review.published_at + datetime.timedelta(days=days)


def comments_open(review: Review) -> bool:
    """True while readers may comment: public, comments enabled, not yet closed."""
    if not (review.is_public and review.comments_enabled):
        return False
    closing = closes_at(review)
    return closing is None or timezone.now() < closing


def ensure_open(review: Review) -> None:
    if not comments_open(review):
        raise CommentsClosed("Comments on this review are closed.")


def may_moderate(user) -> bool:
    """Decided with every other "may this user…" question, in reviews/permissions.py."""
    return permissions.may_moderate(user)


# The signed form timestamp.


def sign_form(review: Review) -> str:
    """A token naming the review and the moment the form was shown, signed with SECRET_KEY."""
    return signing.dumps({"r": review.pk, "t": time.time()}, salt=TIMESTAMP_SALT, compress=True)


def check_form_token(token: str, review: Review) -> list[str]:
    """Validate the form token; return spam signals ("too_fast") or raise ValidationError."""
    try:
        data = signing.loads(
            token, salt=TIMESTAMP_SALT, max_age=settings.MARQUEE_COMMENTS_MAX_FORM_AGE
        )
    except signing.SignatureExpired:
        raise ValidationError(
            "This form was open too long and has expired. Please submit your comment again.",
            code="expired",
        ) from None
    except (signing.BadSignature, ValueError, TypeError):
        raise ValidationError(
            "The form was incomplete or altered. Please reload the page and try again.",
            code="tampered",
        ) from None
    if not isinstance(data, dict) or data.get("r") != review.pk:
        raise ValidationError(
            "The form was incomplete or altered. Please reload the page and try again.",
            code="tampered",
        )
    elapsed = time.time() - float(data.get("t", 0))
    if elapsed < settings.MARQUEE_COMMENTS_MIN_SECONDS:
        return ["too_fast"]
    return []


# Rate limit.


def client_ip(request) -> str | None:
    """The client's address. Only REMOTE_ADDR: X-Forwarded-For is trivially forged."""
    value = request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def hit_rate_limit(ip: str | None) -> None:
    """Count one post from `ip`; raise RateLimited once it is over the limit for the window."""
    limit = settings.MARQUEE_COMMENTS_RATE_LIMIT
    window = settings.MARQUEE_COMMENTS_RATE_WINDOW
    if not limit or limit < 0:
        return
    # A fixed window that starts with the first post: the key expires with it.
    key = f"marquee:comments:rate:{ip or 'unknown'}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=window)
        count = 1
    if count > limit:
        raise RateLimited(retry_after=window)


# Content rules.


def count_links(text: str) -> int:
    return len(URL_PATTERN.findall(text))


def disallowed_words_in(text: str) -> list[str]:
    found = []
    lowered = text.casefold()
    for word in settings.MARQUEE_COMMENTS_DISALLOWED_WORDS:
        word = word.strip().casefold()
        if word and re.search(rf"(?<!\w){re.escape(word)}(?!\w)", lowered):
            found.append(word)
    return found


def content_signals(body: str) -> list[str]:
    """Why the body looks like spam: too many links, disallowed words."""
    signals = []
    links = count_links(body)
    if links > settings.MARQUEE_COMMENTS_MAX_LINKS:
        signals.append(f"links:{links}")
    signals += [f"word:{word}" for word in disallowed_words_in(body)]
    return signals


def is_duplicate(review: Review, body: str) -> bool:
    """An identical comment on the same review within the duplicate window, in any status."""
    since = timezone.now() - datetime.timedelta(
        seconds=settings.MARQUEE_COMMENTS_DUPLICATE_WINDOW
    )
    return Comment.objects.filter(review=review, body=body, submitted_at__gte=since).exists()


def is_known_author(email: str, user) -> bool:
    """True when this author already has an approved comment (same account or address)."""
    condition = Q(user=user) if user is not None else Q(pk__in=[])
    if email:
        condition |= Q(email__iexact=email)
    return Comment.objects.approved().filter(condition).exists()


# Creating a comment.


def create_comment(
    review: Review,
    *,
    body: str,
    name: str = "",
    email: str = "",
    user=None,
    parent: Comment | None = None,
    ip_address: str | None = None,
    user_agent: str = "",
    signals: list[str] | tuple[str, ...] = (),
) -> Comment:
    """Store a reader's comment with the status the defences give it; notify moderators.

    Raises ValidationError for a duplicate. `signals` are the form's findings (honeypot,
    too fast); the body's own are added here. Moderators posting are staff replies, approved.
    """
    if is_duplicate(review, body):
        raise ValidationError(
            "You have already posted this comment here — it is waiting for moderation "
            "or already shown.",
            code="duplicate",
        )
    if user is not None and user.is_authenticated:
        name = byline_name(user)[:100]
        email = user.email or email
    else:
        user = None
    if parent is not None:
        parent = _attach_point(parent)
    signals = [*signals, *content_signals(body)]
    staff = may_moderate(user)
    now = timezone.now()
    if staff:
        status = Comment.Status.APPROVED
    elif signals:
        status = Comment.Status.SPAM
    elif settings.MARQUEE_COMMENTS_AUTO_APPROVE_KNOWN and is_known_author(email, user):
        status = Comment.Status.APPROVED
    else:
        status = Comment.Status.PENDING
    with transaction.atomic():
        comment = Comment.objects.create(
            review=review,
            parent=parent,
            name=name[:100],
            email=email,
            body=body,
            user=user,
            is_staff_reply=staff,
            status=status,
            spam_signals=[] if staff else signals,
            submitted_at=now,
            ip_address=ip_address,
            user_agent=(user_agent or "")[:500],
            moderated_by=user if staff else None,
            moderated_at=now if staff else None,
        )
        if status == Comment.Status.PENDING:
            notify_moderators(comment)
    return comment


def _attach_point(parent: Comment) -> Comment:
    """Replies nest at most MAX_DEPTH levels; a reply to the deepest level joins its thread."""
    chain = [parent]
    while chain[-1].parent_id is not None and len(chain) <= MAX_DEPTH:
        chain.append(chain[-1].parent)
    depth = len(chain) - 1  # 0 for a top-level comment
    return parent if depth < MAX_DEPTH else chain[1]


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


def notify_moderators(comment: Comment) -> None:
    """Email moderators about a new pending comment (sent by the worker once it commits)."""
    recipients = sorted({user.email for user in moderators()})
    if not recipients:
        return
    base = settings.MARQUEE_SITE_URL.rstrip("/")
    queue = base + reverse("admin:reviews_comment_changelist")
    change = base + reverse("admin:reviews_comment_change", args=[comment.pk])
    excerpt = Truncator(comment.body).chars(500)
    mail_on_commit(
        f"New comment to moderate on “{comment.review.headline}”",
        f"{comment.name} <{comment.email}> commented on “{comment.review.headline}”:\n\n"
        f"{excerpt}\n\nModerate it: {change}\nThe queue: {queue}\n",
        recipients,
    )


# Display.


def build_tree(comments) -> list[Comment]:
    """Arrange approved comments (one flat, ordered list) as threads, without more queries.

    Each comment gets `.children` (its approved replies) and `.depth`. A reply whose parent is
    not in the list (pending, rejected, spam) is not shown: it would read out of context.
    """
    by_id = {c.pk: c for c in comments}
    roots = []
    for comment in comments:
        comment.children = []
        comment.depth = None  # stays None for a comment that is not shown
    for comment in comments:
        if comment.parent_id is None:
            roots.append(comment)
        elif comment.parent_id in by_id:
            by_id[comment.parent_id].children.append(comment)

    def visit(nodes, depth):
        for node in nodes:
            node.depth = depth
            visit(node.children, depth + 1)

    visit(roots, 0)
    return roots


def shown_count(roots) -> int:
    return sum(1 + shown_count(node.children) for node in roots)
