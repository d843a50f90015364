"""Share links to previews of unpublished reviews.

A link carries a signed, timestamped token naming the review and its current `share_key`.
It expires after settings.MARQUEE_PREVIEW_LINK_DAYS days, and regenerating the key revokes
every link made before.
"""

import datetime
import secrets

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.urls import reverse

SALT = "marquee.reviews.preview"


class InvalidShareLink(Exception):
    """The link is tampered with, expired or revoked; the message says which."""


def create_share_link(review, by, *, regenerate: bool = False) -> str:
    """Return the path of a share link for `review`; regenerating revokes older links."""
    if not (by.is_active and by.has_perm("reviews.publish_review")):
        raise PermissionDenied("Only editors may create share links.")
    if regenerate or not review.share_key:
        review.share_key = secrets.token_urlsafe(16)[:22]
        type(review).objects.filter(pk=review.pk).update(share_key=review.share_key)
    token = signing.TimestampSigner(salt=SALT).sign_object(
        {"r": review.pk, "k": review.share_key}, compress=True
    )
    return reverse("reviews:shared_preview", kwargs={"token": token})


def review_for_token(token: str):
    """The review a share link points at, or InvalidShareLink saying why not."""
    from reviews.models import Review

    max_age = datetime.timedelta(days=settings.MARQUEE_PREVIEW_LINK_DAYS)
    try:
        data = signing.TimestampSigner(salt=SALT).unsign_object(token, max_age=max_age)
    except signing.SignatureExpired:
        raise InvalidShareLink(
            "This preview link has expired. Ask the editor for a new one."
        ) from None
    except (signing.BadSignature, ValueError, TypeError):
        raise InvalidShareLink("This preview link is not valid.") from None
    if not isinstance(data, dict):
        raise InvalidShareLink("This preview link is not valid.")
    review = Review.objects.filter(pk=data.get("r")).select_related("film", "author").first()
    if review is None or not review.share_key or review.share_key != data.get("k"):
        raise InvalidShareLink("This preview link has been revoked. Ask the editor for a new one.")
    return review
