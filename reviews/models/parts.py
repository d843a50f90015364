"""What a review is made of besides its own row: its sections and its audit trail."""

import reversion
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.text import slugify
from markdownx.models import MarkdownxField

from images.figures import referenced_ids
from images.models import Image
from pagecache import tags
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
    # The library images the body shows (`![[image:N]]` lines), kept in step on every save.
    images = models.ManyToManyField(
        Image, through="SectionImage", blank=True, related_name="sections"
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
        if update_fields is None or "body" in update_fields:
            self.images.set(Image.objects.filter(pk__in=referenced_ids(self.body)))
        # The review's search entry follows (reviews/search/index.py: connect()).

    @classmethod
    def show_image_changes(cls, image: Image) -> None:
        """Render again the sections and intros that show `image` (its description, caption or
        renditions changed): their saved HTML holds its figure. Not an edit of the reviews: no
        revision, no new version; the pages showing them are retired."""
        sections = list(cls.objects.filter(images=image).only("pk", "review_id", "body"))
        for section in sections:
            cls.objects.filter(pk=section.pk).update(body_html=render(section.body))
        intros = list(Review.objects.filter(intro_images=image).only("pk", "intro"))
        for review in intros:
            Review.objects.filter(pk=review.pk).update(intro_html=render(review.intro))
        shown = {section.review_id for section in sections} | {review.pk for review in intros}
        if shown:
            tags.retire(*(f"review:{pk}" for pk in shown))

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


class IntroImage(models.Model):
    """A library image shown in a review's intro: the image cannot be deleted while it is."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="intro_image_uses")
    image = models.ForeignKey(Image, on_delete=models.PROTECT, related_name="intro_uses")

    class Meta:
        verbose_name = "image in an intro"
        constraints = [
            models.UniqueConstraint(fields=["review", "image"], name="intro_image_once"),
        ]

    def __str__(self):
        return f"The intro of the review “{self.review}”"

    def shown_on(self):
        """The object whose admin page edits this use: the review."""
        return self.review


class SectionImage(models.Model):
    """A library image shown in a section: the image cannot be deleted while it is."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="image_uses")
    image = models.ForeignKey(Image, on_delete=models.PROTECT, related_name="section_uses")

    class Meta:
        verbose_name = "image in a section"
        constraints = [
            models.UniqueConstraint(fields=["section", "image"], name="section_image_once"),
        ]

    def __str__(self):
        return f"Section “{self.section}” of the review “{self.section.review}”"

    def shown_on(self):
        """The object whose admin page edits this use: the section's review."""
        return self.section.review
