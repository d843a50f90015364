"""Readers' comments on reviews."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone

from reviews.markdown import render_plain
from reviews.models.review import Review


class CommentQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=Comment.Status.APPROVED)

    def pending(self):
        return self.filter(status=Comment.Status.PENDING)

    def held(self):
        """Marked spam by a content filter (disallowed words, Akismet), which told the sender a
        moderator would look, and not yet decided by one; not a bot's (honeypot, forged form),
        which is told nothing. A moderator's decision records when (moderated_at, kept when the
        moderator's account goes), so spam a moderator marked or confirmed is not held."""
        held = self.filter(status=Comment.Status.SPAM, moderated_at__isnull=True)
        for signal in Comment.BOT_SIGNALS:  # as stored: a JSON list of strings
            held = held.exclude(spam_signals__icontains=f'"{signal}"')
        return held


class Comment(models.Model):
    """A reader's comment. The body is plain text, never Markdown: `body_html` is that text
    escaped, with line breaks and links, made when the comment is saved."""

    MAX_LENGTH = 5000
    MAX_DEPTH = 2  # a top-level comment, a reply, and a reply to that reply
    # Signals that only a bot gives: the comment is kept as spam and the sender told nothing.
    BOT_SIGNALS = frozenset({"honeypot", "forged_token"})

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        SPAM = "spam", "Spam"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    name = models.CharField(max_length=100)
    email = models.EmailField(max_length=254)
    body = models.TextField(max_length=MAX_LENGTH)
    body_html = models.TextField(
        editable=False, blank=True, help_text="The body as shown: escaped, links made (saved)."
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
    )
    is_staff_reply = models.BooleanField("staff reply", default=False)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    spam_signals = models.JSONField(
        default=list, blank=True, help_text="Why the spam defences held this comment."
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField("IP address", null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    form_nonce = models.CharField(
        max_length=40,
        null=True,
        blank=True,
        editable=False,
        help_text="The once-only id of the form that posted it: a resubmit stores nothing new.",
    )
    notify = models.BooleanField(
        "e-mail the author",
        default=False,
        help_text="The author asked to hear when it is published or answered.",
    )
    first_published_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When it was first shown: its author and its parent's author hear of it once.",
    )
    edited_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["submitted_at", "id"]
        permissions = [("moderate_comment", "Can approve, reject and mark comments as spam")]
        indexes = [
            models.Index(fields=["review", "status", "submitted_at"], name="comment_review_idx"),
            models.Index(fields=["status", "-submitted_at"], name="comment_queue_idx"),
            models.Index(fields=["submitted_at"], name="comment_submitted_idx"),
            models.Index(fields=["ip_address", "submitted_at"], name="comment_ip_idx"),
            models.Index(Upper("email"), name="comment_email_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["form_nonce"], name="comment_form_nonce_unique"),
        ]

    def __str__(self):
        return f"{self.name} on {self.review}"

    def save(self, *args, **kwargs):
        self.body_html = render_plain(self.body)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "body" in update_fields:
            kwargs["update_fields"] = {*update_fields, "body_html"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return f"{self.review.get_absolute_url()}#comment-{self.pk}"

    @property
    def is_shown(self) -> bool:
        """Readers see it (approved). Only a shown comment's changes touch a public page."""
        return self.status == self.Status.APPROVED

    def reply_parent(self) -> "Comment":
        """The comment a reply to this one is stored under: this one, or, when this one is
        already MAX_DEPTH levels deep, its parent (the reply joins its thread). The one
        threading rule, for readers' replies and staff replies alike."""
        chain = [self]
        while chain[-1].parent_id is not None and len(chain) <= self.MAX_DEPTH:
            chain.append(chain[-1].parent)
        depth = len(chain) - 1  # 0 for a top-level comment
        return self if depth < self.MAX_DEPTH else chain[1]


# Defined in their own modules, registered with the app here.
from reviews.commenters import (  # noqa: E402, F401
    CommentBlock,
    CommentEdit,
    ModeratorMailPreference,
    TrustedCommenter,
)
from reviews.pending import Autosave, PendingChange, PendingImage  # noqa: E402, F401
