"""Reader comments: who may post where, the spam and abuse defences, and creating a comment.

The view and the form call these; every threshold is a setting (``MARQUEE_COMMENTS_*``), read at
call time so tests and deployments can change them. What a post meets, and what the reader is
told (nothing is lost without a word, except to clear bot signals):

1. the review must be public, open to comments and not past its closing date (→ 404 / 403);
2. the CSRF and form tokens: missing (no JavaScript) → the comment is shown back to confirm,
   nothing saved; expired → the same, with a fresh token; forged → stored as spam, the reader
   told the usual "awaiting moderation" (a bot signal);
3. the form: field errors, more links than the help text allows (→ 400, the text kept);
4. a blocked e-mail address or network (→ 403, told so, the text kept);
5. the rate limit: comments stored from this address in the window, counted in the database, so
   it holds while Redis is down (→ 429 with the review page, the text kept and when to retry);
6. the form token is accepted once: a double or triple submit stores one comment, and each
   answer is the normal outcome; an exact duplicate posted with another form by the same
   sender (account, e-mail or network address) is refused;
7. a honeypot (→ spam, silently); disallowed words or the optional Akismet verdict (→ held for
   a moderator's spam check, the reader told so); a form sent faster than a person types, timed
   from when the reader first got the form, across the confirmation step (→ flagged, pending).

Everything else is pending, unless its author is a trusted commenter (or, with the setting on,
has an approved comment already): then it is published at once.
"""

from __future__ import annotations

import datetime
import ipaddress
import re
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from reviews import akismet, comment_mail
from reviews.commenters import CommentBlock, TrustedCommenter
from reviews.critics import byline_name
from reviews.models import Comment, Review
from reviews.permissions import may_moderate

TIMESTAMP_SALT = "reviews.comments.form-timestamp"
SHOWN_SALT = "reviews.comments.form-shown"
MAX_DEPTH = Comment.MAX_DEPTH
URL_PATTERN = re.compile(r"(?:https?://|ftp://|www\.)\S+", re.IGNORECASE)

BOT_SIGNALS = Comment.BOT_SIGNALS


class RateLimited(Exception):
    """This address has had as many comments stored as the rate window allows."""

    def __init__(self, retry_after: int, count: int):
        super().__init__(retry_after)
        self.retry_after = retry_after
        self.count = count

    @property
    def until(self) -> datetime.datetime:
        return timezone.now() + datetime.timedelta(seconds=self.retry_after)


class Blocked(Exception):
    """A moderator blocked this sender's e-mail address or network."""


class ReplayedForm(Exception):
    """The form's once-only token already posted a different comment (e.g. back, edit, post)."""


# The signed form tokens.


@dataclass(frozen=True)
class FormToken:
    """What a valid form token says: when the reader first got the form, and its once-only id."""

    started: float
    nonce: str | None  # None only for tokens issued before tokens were once-only

    def too_fast(self, now: float | None = None) -> bool:
        elapsed = (now or time.time()) - self.started
        return elapsed < settings.MARQUEE_COMMENTS_MIN_SECONDS


class ForgedToken(Exception):
    """The token was not signed by this site for this review: a bot signal."""


def sign_form(review: Review, started: float | None = None) -> str:
    """A once-only token naming the review and when the reader first got the form."""
    return signing.dumps(
        {
            "r": review.pk,
            "t": time.time() if started is None else started,
            "n": secrets.token_urlsafe(18),
        },
        salt=TIMESTAMP_SALT,
        compress=True,
    )


def sign_shown(review: Review) -> str:
    """The moment the page holding the form was made, for a form posted without JavaScript.

    It is no form token (it cannot post a comment by itself); it starts the too-fast clock.
    """
    return signing.dumps({"r": review.pk, "t": time.time()}, salt=SHOWN_SALT, compress=True)


def shown_at(stamp: str, review: Review) -> float | None:
    """When the page stamped `stamp` was made; None for a missing, altered or stale stamp."""
    try:
        data = signing.loads(
            stamp or "", salt=SHOWN_SALT, max_age=settings.MARQUEE_COMMENTS_MAX_FORM_AGE
        )
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(data, dict) or data.get("r") != review.pk:
        return None
    try:
        return min(float(data["t"]), time.time())
    except (KeyError, TypeError, ValueError):
        return None


def check_form_token(token: str, review: Review) -> FormToken:
    """The token's contents; ValidationError when expired, ForgedToken when not ours."""
    try:
        data = signing.loads(
            token, salt=TIMESTAMP_SALT, max_age=settings.MARQUEE_COMMENTS_MAX_FORM_AGE
        )
    except signing.SignatureExpired:
        raise ValidationError(
            "This form was open too long and has expired. Your comment is kept below: "
            "please check it and post it again.",
            code="expired",
        ) from None
    except (signing.BadSignature, ValueError, TypeError):
        raise ForgedToken from None
    if not isinstance(data, dict) or data.get("r") != review.pk:
        raise ForgedToken
    try:
        started = float(data.get("t", 0))
    except (TypeError, ValueError):
        raise ForgedToken from None
    nonce = data.get("n")
    return FormToken(started=started, nonce=str(nonce) if nonce else None)


# Rate limit: counted in the database, so it holds while the cache is down or hung.


def client_ip(request) -> str | None:
    """The client's address (REMOTE_ADDR, which config.middleware sets from a trusted proxy)."""
    value = request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def check_rate_limit(ip: str | None) -> None:
    """Raise RateLimited if `ip` already had the limit of comments stored in the window.

    Only stored comments count (any status, spam included): refused posts, confirmations and
    resubmits of one form do not. The window slides: the oldest stored comment in it sets when
    the next one may come.
    """
    limit = settings.MARQUEE_COMMENTS_RATE_LIMIT
    window = settings.MARQUEE_COMMENTS_RATE_WINDOW
    if not limit or limit < 0:
        return
    since = timezone.now() - datetime.timedelta(seconds=window)
    from_ip = Q(ip_address=ip) if ip else Q(ip_address__isnull=True)
    recent = list(
        Comment.objects.filter(from_ip, submitted_at__gte=since)
        .order_by("-submitted_at")
        .values_list("submitted_at", flat=True)[:limit]
    )
    if len(recent) >= limit:
        frees_at = recent[-1] + datetime.timedelta(seconds=window)
        retry_after = max(1, int((frees_at - timezone.now()).total_seconds() + 0.999))
        raise RateLimited(retry_after=retry_after, count=len(recent))


# Content rules.


def check_links(text: str) -> None:
    """Refuse more links than the help text allows, saying how many to remove."""
    limit = settings.MARQUEE_COMMENTS_MAX_LINKS
    links = len(URL_PATTERN.findall(text))
    if links > limit:
        allowed = f"at most {limit} link{'s' if limit != 1 else ''}" if limit else "no links"
        extra = links - limit
        raise ValidationError(
            f"A comment may contain {allowed}; this one has {links}. "
            f"Remove {extra} and post it again — nothing was posted yet.",
            code="links",
        )


def rules_text() -> str:
    """The rules the pipeline applies, as the form's help text states them."""
    limit = settings.MARQUEE_COMMENTS_MAX_LINKS
    links = f"up to {limit} link{'s' if limit != 1 else ''}" if limit else "no links"
    return f"Plain text, {links}; HTML is shown as typed."


# Characters that turn the text after them around (U+202A–U+202E) or isolate it (U+2066–U+2069):
# in a name they disguise it ("evil" shown as "live"), and a URL in a body likewise.
DIRECTION_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def without_direction_controls(text: str) -> str:
    """`text` without the invisible characters that reorder what follows them; right-to-left
    writing itself is untouched (the page shows it with `dir="auto"`)."""
    return text.translate(DIRECTION_CONTROLS)


def content_signals(body: str) -> list[str]:
    """Why the body needs a moderator's spam check: disallowed words, however spaced ("casino
    bonus" is found in "CASINO   bonus" and across a line break)."""
    lowered = " ".join(body.casefold().split())
    words = (
        " ".join(word.casefold().split()) for word in settings.MARQUEE_COMMENTS_DISALLOWED_WORDS
    )
    return [
        f"word:{word}"
        for word in words
        if word and re.search(rf"(?<!\w){re.escape(word)}(?!\w)", lowered)
    ]


def is_duplicate(review: Review, body: str, *, user, email: str, ip_address: str | None) -> bool:
    """An identical comment on the same review within the duplicate window, in any status, from
    the same sender: the same account, e-mail address or network address. Another reader may
    say "Great review!" too; one sender changing names and addresses on each post may not."""
    sender = Q(pk__in=[])
    if user is not None:
        sender |= Q(user=user)
    if email:
        sender |= Q(email__iexact=email)
    if ip_address:
        sender |= Q(ip_address=ip_address)
    since = timezone.now() - datetime.timedelta(seconds=settings.MARQUEE_COMMENTS_DUPLICATE_WINDOW)
    recent = Comment.objects.filter(review=review, body=body, submitted_at__gte=since)
    return recent.filter(sender).exists()


def is_known_author(email: str, user) -> bool:
    """True when this author already has an approved comment (same account or address)."""
    condition = Q(user=user) if user is not None else Q(pk__in=[])
    if email:
        condition |= Q(email__iexact=email)
    return Comment.objects.approved().filter(condition).exists()


def check_blocked(email: str, ip: str | None) -> None:
    if CommentBlock.objects.matching(email=email, ip=ip) is not None:
        raise Blocked("Marquee does not accept comments from this sender.")


# Creating a comment.


def status_for(signals, *, staff: bool, email: str, user) -> str:
    if staff:
        return Comment.Status.APPROVED
    if any(signal in BOT_SIGNALS or signal.startswith(("word:", "akismet")) for signal in signals):
        return Comment.Status.SPAM
    if TrustedCommenter.is_trusted(email) or (
        settings.MARQUEE_COMMENTS_AUTO_APPROVE_KNOWN and is_known_author(email, user)
    ):
        return Comment.Status.APPROVED
    return Comment.Status.PENDING


def held_for_spam_check(comment: Comment) -> bool:
    """Spam by a content filter (words, Akismet), which the sender is told; not a bot's."""
    return comment.status == Comment.Status.SPAM and not (set(comment.spam_signals) & BOT_SIGNALS)


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
    nonce: str | None = None,
    notify: bool = False,
) -> Comment:
    """Store a reader's comment with the status the defences give it; notify who should hear.

    `signals` are the form's findings (honeypot, too fast, forged token); the body's own are
    added here. Moderators posting are staff replies, approved. A `nonce` already used returns
    the comment it posted (a resubmit) or raises ReplayedForm (other words). Raises Blocked or
    RateLimited (never for moderators), and ValidationError for a duplicate of a recent comment.
    """
    if nonce:
        earlier = Comment.objects.filter(form_nonce=nonce).first()
        if earlier is not None:
            return _resubmitted(earlier, review, body)
    if not may_moderate(user):
        check_blocked(email or getattr(user, "email", ""), ip_address)
        check_rate_limit(ip_address)
    if user is not None and user.is_authenticated:
        name = byline_name(user)[:100]
        email = user.email or email
    else:
        user = None
    if is_duplicate(review, body, user=user, email=email, ip_address=ip_address):
        raise ValidationError(
            "You have already posted this comment here — it is waiting for moderation "
            "or already shown.",
            code="duplicate",
        )
    if parent is not None:
        parent = parent.reply_parent()
    signals = [*signals, *content_signals(body)]
    staff = may_moderate(user)
    if not staff and not set(signals) & BOT_SIGNALS:
        signals += akismet.signals(
            review, body=body, name=name, email=email, ip_address=ip_address, user_agent=user_agent
        )
    status = status_for(signals, staff=staff, email=email, user=user)
    now = timezone.now()
    fields = {
        "review": review,
        "parent": parent,
        "name": name[:100],
        "email": email,
        "body": body,
        "user": user,
        "is_staff_reply": staff,
        "status": status,
        "spam_signals": [] if staff else signals,
        "submitted_at": now,
        "ip_address": ip_address,
        "user_agent": (user_agent or "")[:500],
        "moderated_by": user if staff else None,
        "moderated_at": now if staff else None,
        "form_nonce": nonce or None,
        "notify": bool(notify) and not set(signals) & BOT_SIGNALS,
        "first_published_at": now if status == Comment.Status.APPROVED else None,
    }
    try:
        with transaction.atomic():
            comment = Comment.objects.create(**fields)
            if status == Comment.Status.PENDING:
                comment_mail.notify_moderators(comment)  # sent once the transaction commits
            elif status == Comment.Status.APPROVED:  # its page refreshes by reviews/receivers.py
                comment_mail.comment_published(comment, at_once=True)
    except IntegrityError:
        # The same form posted twice at the same moment: the other request stored it.
        earlier = Comment.objects.filter(form_nonce=nonce).first() if nonce else None
        if earlier is None:
            raise
        return _resubmitted(earlier, review, body)
    comment.resubmitted = False
    return comment


def _resubmitted(earlier: Comment, review: Review, body: str) -> Comment:
    if earlier.review_id != review.pk or earlier.body != body:
        raise ReplayedForm
    earlier.resubmitted = True
    return earlier


# Display.


class NotShown:
    """Where a comment no longer shown (rejected, marked spam) was, above its shown replies."""

    def __init__(self, pk: int):
        self.pk, self.children, self.depth = pk, [], None


def build_tree(comments) -> list[Comment | NotShown]:
    """Arrange approved comments (one flat, ordered list) as threads, without more queries.

    Each comment gets `.children` (its approved replies) and `.depth`. Replies to a comment not
    in the list (rejected or marked spam since they were written) stay, under a `NotShown` in
    its place, so that a moderator's decision on one comment hides no one else's.
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
        else:
            by_id[comment.parent_id] = NotShown(comment.parent_id)
            roots.append(by_id[comment.parent_id])
            by_id[comment.parent_id].children.append(comment)

    def visit(nodes, depth):
        for node in nodes:
            node.depth = depth
            visit(node.children, depth + 1)

    visit(roots, 0)
    return roots


def shown_count(roots) -> int:
    return sum(
        (0 if isinstance(node, NotShown) else 1) + shown_count(node.children) for node in roots
    )
