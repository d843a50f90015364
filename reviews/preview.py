"""Share links to previews of unpublished reviews.

A link carries a signed, timestamped token naming the review and its current `share_key`.
It expires after settings.MARQUEE_PREVIEW_LINK_DAYS days, and regenerating the key revokes
every link made before.
"""

import datetime
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from reviews import permissions
from reviews.models import Review

SALT = "marquee.reviews.preview"


class InvalidShareLink(Exception):
    """The link is tampered with, expired or revoked; the message says which."""


@dataclass(frozen=True)
class ShareLink:
    path: str
    created_at: datetime.datetime
    expires_at: datetime.datetime


class _SignerAt(signing.TimestampSigner):
    """A TimestampSigner that stamps a given moment, so the same key gives the same link."""

    def __init__(self, at: datetime.datetime, **kwargs):
        super().__init__(**kwargs)
        self.at = at

    def timestamp(self):
        return signing.b62_encode(int(self.at.timestamp()))


def preview_path(review) -> str:
    return reverse("reviews:preview", kwargs={"slug": review.slug})


def current_share_link(review) -> ShareLink | None:
    """The share link made last for `review`, while it is valid; None otherwise."""
    if not review.share_key or review.share_created_at is None:
        return None
    expires = review.share_created_at + datetime.timedelta(days=settings.MARQUEE_PREVIEW_LINK_DAYS)
    if expires <= timezone.now():
        return None
    token = _SignerAt(review.share_created_at, salt=SALT).sign_object(
        {"r": review.pk, "k": review.share_key}, compress=True
    )
    return ShareLink(
        reverse("reviews:shared_preview", kwargs={"token": token}), review.share_created_at, expires
    )


def create_share_link(review, by, *, regenerate: bool = False) -> ShareLink:
    """Mint a share link for `review` (revoking every earlier one); editors only.

    Without `regenerate`, a link still valid is returned as it is.
    """
    if not permissions.may_share(by):
        raise PermissionDenied("Only editors may create share links.")
    current = current_share_link(review)
    if current is not None and not regenerate:
        return current
    review.share_key = secrets.token_urlsafe(16)[:22]
    review.share_created_at = timezone.now().replace(microsecond=0)
    type(review).objects.filter(pk=review.pk).update(
        share_key=review.share_key, share_created_at=review.share_created_at
    )
    return current_share_link(review)


def review_for_token(token: str):
    """The review a share link points at, or InvalidShareLink saying why not."""
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
