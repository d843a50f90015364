"""Moderation's records about comments and the people who write them.

- `CommentEdit`: every change a moderator makes to a comment's text (who, when, what), so the
  original stays readable to staff after an edit or a redaction.
- `TrustedCommenter`: an e-mail address whose comments are approved at once.
- `CommentBlock`: an e-mail address, an IP address or a network whose comments are refused.
- `ModeratorMailPreference`: whether a moderator hears of each new comment, once a day, or not.

They are imported by reviews/models.py, so Django finds them as models of the reviews app.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


def normalise_email(email: str) -> str:
    """How addresses are compared here: trimmed and lower-cased."""
    return (email or "").strip().lower()


class CommentEdit(models.Model):
    """One moderator's change to a comment's text; the first one's `old_body` is the original."""

    comment = models.ForeignKey("reviews.Comment", on_delete=models.CASCADE, related_name="edits")
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    edited_at = models.DateTimeField(default=timezone.now)
    old_body = models.TextField()
    new_body = models.TextField()
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["edited_at", "id"]

    def __str__(self):
        return f"Edit of comment {self.comment_id} by {self.edited_by} at {self.edited_at}"


class TrustedCommenter(models.Model):
    """Comments from this address are approved without waiting for a moderator."""

    email = models.EmailField(max_length=254, unique=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["email"]
        verbose_name = "trusted commenter"

    def __str__(self):
        return self.email

    def save(self, *args, **kwargs):
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)

    @classmethod
    def is_trusted(cls, email: str) -> bool:
        email = normalise_email(email)
        return bool(email) and cls.objects.filter(email=email).exists()


class CommentBlockQuerySet(models.QuerySet):
    def matching(self, *, email: str = "", ip: str | None = None) -> CommentBlock | None:
        """The block that refuses a comment from `email` at `ip`, if any."""
        email = normalise_email(email)
        if email:
            found = self.filter(kind=CommentBlock.Kind.EMAIL, value=email).first()
            if found:
                return found
        if ip:
            address = ipaddress.ip_address(ip)
            for block in self.filter(kind=CommentBlock.Kind.NETWORK):
                network = ipaddress.ip_network(block.value)
                if network.version == address.version and address in network:
                    return block
        return None


class CommentBlock(models.Model):
    """Comments from this address or network are refused, and the sender is told so."""

    class Kind(models.TextChoices):
        EMAIL = "email", "E-mail address"
        NETWORK = "network", "IP address or network"

    kind = models.CharField(max_length=10, choices=Kind)
    value = models.CharField(
        max_length=254,
        help_text="An e-mail address, an IP address (203.0.113.7) or a network "
        "(203.0.113.0/24, 2001:db8::/48).",
    )
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = CommentBlockQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "value"]
        verbose_name = "blocked sender"
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="comment_block_unique"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.value}"

    def clean(self):
        self.value = (self.value or "").strip()
        if self.kind == self.Kind.EMAIL:
            self.value = normalise_email(self.value)
            if "@" not in self.value:
                raise ValidationError({"value": "Enter an e-mail address."})
        elif self.kind == self.Kind.NETWORK:
            try:
                network = ipaddress.ip_network(self.value, strict=False)
            except ValueError:
                raise ValidationError(
                    {"value": "Enter an IP address or a network such as 203.0.113.0/24."}
                ) from None
            self.value = str(network)
        if (
            self.kind
            and self.value
            and CommentBlock.objects.filter(kind=self.kind, value=self.value)
            .exclude(pk=self.pk)
            .exists()
        ):
            raise ValidationError({"value": f"{self.value} is already blocked."})


class ModeratorMailPreference(models.Model):
    """How a moderator hears of new comments waiting for moderation."""

    class Frequency(models.TextChoices):
        EACH = "each", "A mail for each new comment"
        DAILY = "daily", "One digest a day"
        NEVER = "never", "No mail"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_mail"
    )
    frequency = models.CharField(max_length=10, choices=Frequency, default=Frequency.EACH)
    last_digest_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "moderator mail preference"

    def __str__(self):
        return f"{self.user}: {self.get_frequency_display()}"
