from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from markdownx.models import MarkdownxField

from films.models import Film, unique_slug
from films.validators import validate_image_file
from reviews.markdown import render

RATING_CHOICES = [(Decimal(n) / 2, f"{n / 2:g}") for n in range(1, 11)]


class ReviewQuerySet(models.QuerySet):
    def published(self):
        """What the public may see: published, or scheduled and due."""
        return self.filter(
            Q(status=Review.Status.PUBLISHED)
            | Q(status=Review.Status.SCHEDULED, published_at__lte=timezone.now())
        )

    def by_author(self, user):
        return self.filter(author=user)

    def newest_first(self):
        return self.order_by("-published_at", "-id")


class Review(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "review", "In review"
        SCHEDULED = "scheduled", "Scheduled"
        PUBLISHED = "published", "Published"
        ARCHIVED = "archived", "Archived"

    film = models.ForeignKey(Film, on_delete=models.PROTECT, related_name="reviews")
    headline = models.CharField(max_length=200)
    dek = models.CharField("dek (subtitle)", max_length=300, blank=True)
    slug = models.SlugField(max_length=200, unique=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews"
    )
    intro = MarkdownxField(
        blank=True, help_text="Markdown. The paragraphs before the first section."
    )
    intro_html = models.TextField(blank=True, editable=False)
    rating = models.DecimalField(
        max_digits=2, decimal_places=1, null=True, blank=True, choices=RATING_CHOICES,
        help_text="Stars, 0.5 to 5 in half steps; leave empty for no rating.",
    )
    verdict = models.CharField(
        "verdict / pull quote", max_length=300, blank=True,
    )
    hero_image = models.ImageField(
        upload_to="heroes/%Y/", blank=True, validators=[validate_image_file],
        width_field="hero_width", height_field="hero_height",
    )
    hero_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    hero_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    status = models.CharField(max_length=20, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    is_featured = models.BooleanField(
        default=False, help_text="Shown in the front page's featured slot."
    )
    comments_enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__in=[r for r, _ in RATING_CHOICES]),
                name="review_rating_half_stars",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["published", "scheduled"]) | Q(published_at__isnull=False),
                name="review_public_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="review_status_pub_idx"),
            models.Index(fields=["film", "status"], name="review_film_status_idx"),
            models.Index(fields=["author", "status"], name="review_author_status_idx"),
        ]

    def __str__(self):
        return self.headline

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self, self.headline, max_length=200, fallback="review")
        self.intro_html = render(self.intro)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "intro" in update_fields:
            kwargs["update_fields"] = {*update_fields, "intro_html"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("reviews:detail", kwargs={"slug": self.slug})

    @property
    def is_public(self) -> bool:
        if self.status == self.Status.PUBLISHED:
            return True
        return (
            self.status == self.Status.SCHEDULED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )


class Section(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="sections")
    heading = models.CharField(max_length=200)
    anchor = models.SlugField(
        max_length=100, blank=True,
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
