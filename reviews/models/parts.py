"""What a review is made of besides its own row: its sections and its audit trail."""

import reversion
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.text import slugify
from markdownx.models import MarkdownxField

from reviews.markdown import render
from reviews.models.review import Review


class ReviewTransition(models.Model):
    """The audit trail: who moved a review from which state to which, when, and why."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="transitions")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_status = models.CharField(max_length=20, choices=Review.Status)
    to_status = models.CharField(max_length=20, choices=Review.Status)
    note = models.TextField(blank=True)
    scheduled_for = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


@reversion.register()
class Section(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="sections")
    heading = models.CharField(max_length=200)
    anchor = models.SlugField(
        max_length=100,
        blank=True,
        help_text="The section's #anchor on the public page; made from the heading when empty.",
    )
    body = MarkdownxField(blank=True)
    body_html = models.TextField(blank=True, editable=False)
    position = models.PositiveIntegerField(default=0, db_index=True)
    is_spoiler = models.BooleanField(
        "spoiler", default=False, help_text="Collapsed behind a “Spoiler” disclosure."
    )

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "anchor"], name="section_unique_anchor"),
        ]

    def __str__(self):
        return self.heading

    def save(self, *args, **kwargs):
        if not self.anchor:
            self.anchor = self._free_anchor()
        self.body_html = render(self.body)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "body" in update_fields:
            kwargs["update_fields"] = {*update_fields, "body_html"}
        super().save(*args, **kwargs)
        # The review's search entry follows (reviews/search/index.py: connect()).

    def _free_anchor(self) -> str:
        base = slugify(self.heading)[:90].strip("-") or "section"
        taken = set(
            Section.objects.filter(review_id=self.review_id)
            .exclude(pk=self.pk)
            .values_list("anchor", flat=True)
        )
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}-{n}"
        return candidate
