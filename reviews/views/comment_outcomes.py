"""What a reader is told after posting a comment, and the receipt that lets them see it.

Every outcome is said plainly, except a bot signal's (honeypot, forged token), which is told the
same as a comment waiting for moderation, so a bot learns nothing from the answer.

A receipt is a signed comment id handed to the poster (in the outcome message, which the page's
script keeps in the browser's localStorage). With it, `my_comments` shows the reader their own
comments that wait for moderation, while the review page stays one cached copy for everybody.
"""

from __future__ import annotations

from django.core import signing
from django.utils import timezone
from django.utils.formats import time_format

from reviews import comments
from reviews.models import Comment

RECEIPT_SALT = "reviews.comments.receipt"
RECEIPT_TAG = "comment-receipt"

CONFIRM = (
    "Your comment has not been posted yet. Please check it and press the button below it to "
    "send it."
)
NO_COOKIE = (
    "Your comment has not been posted: your browser did not send back the cookie Marquee set "
    "for this form, which protects it from forged posts. Allow cookies for this site, then "
    "send it again with the button below; your text is still here."
)
REPLAYED = (
    "This form already posted a comment, so this one has not been posted yet. "
    "Please check it and press the button below it to send it as a new comment."
)
PUBLISHED_NOW = "Your comment is published."
AWAITING_MODERATION = (
    "Thank you. Your comment is awaiting moderation: it appears here once a moderator approves it."
)
HELD_FOR_CHECK = (
    "Thank you. Our spam filter asked a moderator to look at your comment before "
    "it appears, so it may take a little longer than usual."
)
WILL_MAIL = " We will e-mail you when it is published or answered."


def outcome_message(comment: Comment) -> str:
    if comment.is_shown:
        return PUBLISHED_NOW
    text = HELD_FOR_CHECK if comments.held_for_spam_check(comment) else AWAITING_MODERATION
    return text + (WILL_MAIL if comment.notify else "")


def rate_limited_notice(limited: comments.RateLimited) -> str:
    minutes = max(1, round(limited.retry_after / 60))
    at = time_format(timezone.localtime(limited.until), "H:i T")  # as the thread's times
    return (
        f"You have posted {limited.count} comment{'s' if limited.count != 1 else ''} in a short "
        f"time, the most we take at once, "
        f"so this one has not been posted yet. It is kept below: please send it again after "
        f"{at} (in about {minutes} minute{'s' if minutes != 1 else ''})."
    )


def blocked_notice() -> str:
    return (
        "Marquee does not accept comments from this e-mail address or network, so this "
        "one has not been posted. If you think this is a mistake, please write to us."
    )


def receipt_for(comment: Comment) -> str:
    """The message tags that carry the poster's receipt for `comment`."""
    return f"{RECEIPT_TAG} {signing.dumps(comment.pk, salt=RECEIPT_SALT)}"


def receipt_in(tags: str) -> str:
    """The receipt in a message's tags ("" when there is none)."""
    parts = (tags or "").split()
    if RECEIPT_TAG in parts:
        index = parts.index(RECEIPT_TAG)
        if index + 1 < len(parts):
            return parts[index + 1]
    return ""


def comment_for_receipt(receipt: str) -> int | None:
    try:
        pk = signing.loads(receipt, salt=RECEIPT_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return pk if isinstance(pk, int) else None
