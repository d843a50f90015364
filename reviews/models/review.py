import datetime
import uuid
from decimal import Decimal

import reversion
from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from markdownx.models import MarkdownxField

from config.stale import changed_meanwhile
from films.models import Film, unique_slug
from films.uploads import StrippedImageField
from films.validators import validate_image_file
from images.figures import referenced_ids
from images.models import Image
from pagecache import tags
from reviews import pending as pending_versions
from reviews import permissions
from reviews.critics import Critic
from reviews.markdown import render
from reviews.models.queries import ReviewQuerySet
from reviews.models.states import StateChanges
from reviews.search import index as search_index
from reviews.status import Status


class StaleEditError(ValidationError):
    """Raised when a save is based on an older version of the review than the stored one."""


# Values carry one decimal place, as the database returns them (4.0, not 4), so a stored
# rating matches its choice in forms.
RATING_CHOICES = [(Decimal(f"{n / 2:.1f}"), f"{n / 2:g}") for n in range(1, 11)]


@reversion.register(follow=["sections"])
class Review(StateChanges, models.Model):
    Status = Status

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
    # The library images the intro shows (`![[image:N]]` lines), kept in step on every save, as
    # a section's (Section.images).
    intro_images = models.ManyToManyField(
        "images.Image", through="reviews.IntroImage", blank=True, related_name="intro_of"
    )
    rating = models.DecimalField(
        max_digits=2,
        decimal_places=1,
        null=True,
        blank=True,
        choices=RATING_CHOICES,
        help_text="Stars, 0.5 to 5 in half steps; leave empty for no rating.",
    )
    verdict = models.CharField(
        "verdict / pull quote",
        max_length=300,
        blank=True,
    )
    # From the image library, which holds its alt text, credit and focal point: edited there
    # once, for every page that shows it. Shown 16:9 around the focal point (Image "wide").
    hero = models.ForeignKey(
        "images.Image",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hero_of",
        verbose_name="hero image",
        help_text="Choose an image from the library (the magnifier), or upload one there.",
    )
    # Filing and sharing (reviews/seo.py derives what is left empty).
    tags = models.ManyToManyField("reviews.Tag", blank=True, related_name="reviews")
    search_description = models.CharField(
        "search description",
        max_length=300,
        blank=True,
        help_text="What search engines and link previews show under the headline. Leave empty "
        "to use the first paragraph of the review (shown greyed out).",
    )
    social_image = StrippedImageField(
        "social image",
        upload_to="social/%Y/",
        blank=True,
        validators=[validate_image_file],
        width_field="social_width",
        height_field="social_height",
        help_text="The picture shown when the review is shared (1200 × 630 suits every site). "
        "Leave empty to use the hero image, else the film's poster.",
    )
    social_alt = models.CharField(
        "social image's alt text",
        max_length=300,
        blank=True,
        help_text="What the social image shows, for people who cannot see it (sites that show "
        "the shared link read it out). Required with a social image.",
    )
    social_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    social_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    status = models.CharField(max_length=20, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    unpublish_at = models.DateTimeField(
        "unpublish at",
        null=True,
        blank=True,
        help_text="Leave empty to keep the review up. At this time it leaves every public page, "
        "list, feed and search by itself, and its author is told.",
    )
    intended_date = models.DateField(
        "intended publication date",
        null=True,
        blank=True,
        help_text="The date this review is meant to carry (an imported file's date). "
        "Publish now uses it as the publication date when it is not in the future.",
    )
    comments_enabled = models.BooleanField(
        default=True,
        help_text="Untick to close comments: readers can no longer post any. Saving applies it "
        "at once, also to a live review whose other changes wait for Publish changes.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    share_key = models.CharField(
        max_length=32,
        blank=True,
        editable=False,
        help_text="Part of preview share links; regenerating it revokes every earlier link.",
    )
    share_created_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    # Search: the plain text of the intro and sections (for snippets and the SQLite fallback),
    # and on PostgreSQL a weighted tsvector behind a GIN index (migration 0006). Both are
    # rewritten by update_search_index() whenever the review or one of its sections is saved.
    search_text = models.TextField(blank=True, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)
    # New on every save: part of the key of the review's cached article
    # (reviews/views/review_page.py), so a save always shows, whatever the cache's state. Left
    # out of dumps and revisions, so a loaded or reverted review gets a fresh one.
    render_token = models.UUIDField(default=uuid.uuid4, editable=False, serialize=False)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        permissions = [
            ("publish_review", "Can publish, schedule, unpublish and archive reviews"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__in=[r for r, _ in RATING_CHOICES]),
                name="review_rating_half_stars",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[Status.PUBLISHED, Status.SCHEDULED])
                | Q(published_at__isnull=False),
                name="review_public_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="review_status_pub_idx"),
            # Newest public first, walked by "related reviews" until enough match and by the
            # review list's pages. With what decides whether a review is public and when it
            # last changed, counting the public reviews and the sitemap's last change read the
            # index alone (PostgreSQL; at scale 1, 7 ms → under 2 ms each).
            models.Index(
                fields=["-published_at", "-id"],
                include=["status", "unpublish_at", "updated_at"],
                name="review_public_newest_idx",
                condition=Q(status__in=[Status.PUBLISHED, Status.SCHEDULED]),
            ),
            models.Index(fields=["film", "status"], name="review_film_status_idx"),
            models.Index(fields=["author", "status"], name="review_author_status_idx"),
        ]

    def __str__(self):
        return self.headline

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self, self.headline, max_length=200, fallback="review")
        self.intro_html = render(self.intro)
        # A new token in the same write: an instance loaded earlier must not write back a token
        # whose cached article still matches it.
        self.render_token = uuid.uuid4()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "intro_html", "version", "render_token"}
        if self.pk and not kwargs.get("force_insert"):
            self.claim_next_version()
        super().save(*args, **kwargs)
        if update_fields is None or "intro" in update_fields:
            self.intro_images.set(Image.objects.filter(pk__in=referenced_ids(self.intro)))
        self.update_search_index()
        if self.hero_id and (update_fields is None or "hero" in update_fields):
            self.hero.make_wide()
        # Every author has a critic profile: the byline is its display name, never the username.
        Critic.objects.for_user(self.author)

    def get_absolute_url(self):
        return reverse("reviews:detail", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        if self.social_image and not self.social_alt.strip():
            raise ValidationError(
                {
                    "social_alt": ValidationError(
                        "Describe the social image for people who cannot see it.",
                        code="alt_required",
                    )
                }
            )

    def update_search_index(self) -> None:
        """Rebuild this review's search entry now, or at the end of a search_index.batch()."""
        search_index.review_changed(self.pk, using=self._state.db)

    def claim_next_version(self, **also) -> None:
        """Optimistic locking: a save based on an older version than the stored one is refused.

        The conditional UPDATE is atomic, so of two concurrent saves of version N only one
        wins; the other gets a StaleEditError naming who saved in between, and when. `also`
        are further columns the same UPDATE writes (a pending version's save writes its editor).
        """
        expected = self.version
        claimed = Review.objects.filter(pk=self.pk, version=expected).update(
            version=expected + 1, **also
        )
        if not claimed:
            current = Review.objects.filter(pk=self.pk).select_related("last_edited_by").first()
            if current is None:  # Deleted meanwhile: let the save recreate nothing silently.
                raise StaleEditError(
                    "This review was deleted while you were editing it.", code="stale"
                )
            raise StaleEditError(current.stale_message(), code="stale")
        self.version = expected + 1

    def stale_message(self) -> str:
        who = self.last_edited_by
        name = (who.get_full_name() or who.get_username()) if who else "someone else"
        pending = self.pending  # a save to a live review moves only its pending version
        latest = max(self.updated_at, pending.updated_at) if pending else self.updated_at
        return changed_meanwhile(name, "review", latest)

    @property
    def effective_status(self) -> str:
        """The status the public sees: a scheduled review whose time has come is published.

        The same rule as public_condition(), for one review in memory (as `clean()` mirrors a
        constraint); tests/test_effective_status.py holds the two to the same answers.
        """
        now = timezone.now()
        live = self.status in (self.Status.PUBLISHED, self.Status.SCHEDULED)
        if live and self.unpublish_at is not None and self.unpublish_at <= now:
            return self.Status.DRAFT  # expired: unpublished already
        if self.is_due:
            return self.Status.PUBLISHED
        return self.status

    @property
    def is_due(self) -> bool:
        """Stored as scheduled, and its time has come before any expiry: it went live (readers
        saw it), whatever has recorded it. `due_condition()` for one review in memory."""
        return (
            self.status == self.Status.SCHEDULED
            and self.published_at is not None
            and self.published_at <= timezone.now()
            and (self.unpublish_at is None or self.published_at < self.unpublish_at)
        )

    @property
    def is_expired(self) -> bool:
        """Past its unpublish time while its stored status still says live."""
        return (
            self.status in (self.Status.PUBLISHED, self.Status.SCHEDULED)
            and self.unpublish_at is not None
            and self.unpublish_at <= timezone.now()
        )

    @property
    def is_public(self) -> bool:
        return self.effective_status == self.Status.PUBLISHED

    @property
    def comments_close_at(self) -> datetime.datetime | None:
        """When comments close by themselves (MARQUEE_COMMENTS_CLOSE_AFTER_DAYS after
        publication); None when they never do."""
        days = settings.MARQUEE_COMMENTS_CLOSE_AFTER_DAYS
        if not days or self.published_at is None:
            return None
        return self.published_at + datetime.timedelta(days=days)

    @property
    def comments_open(self) -> bool:
        """True while readers may comment: public, comments enabled, not yet closed."""
        if not (self.is_public and self.comments_enabled):
            return False
        closing = self.comments_close_at
        return closing is None or timezone.now() < closing

    def set_comments_enabled(self, enabled: bool, by):
        """Open or close readers' comments, at once: a moderation switch, not content.

        Also on a live review whose other edits wait as a pending version (which never holds
        the switch, so publishing it later re-opens nothing): a thread turning abusive is closed
        now, not at the next Publish changes. Written with a line in the audit trail, not as a
        revision; the review's page is retired from the caches.
        """
        if not permissions.may_switch_comments(by, self):
            raise PermissionDenied("You may not open or close comments on this review.")
        with transaction.atomic():
            current = Review.objects.select_for_update().get(pk=self.pk)
            if current.comments_enabled != enabled:
                # An update, not save(): pending changes stay pending, and the edit lock
                # (`version`) is left alone, so a colleague's open form still saves (the admin
                # writes the switch only where its box was changed).
                self.render_token = uuid.uuid4()  # the header's "No comments yet" link
                Review.objects.filter(pk=self.pk).update(
                    comments_enabled=enabled, render_token=self.render_token
                )
                current.log_event(by, "Opened comments." if enabled else "Closed comments.")
                tags.retire(f"review:{self.pk}")  # its page: nothing else shows the switch
        self.comments_enabled = enabled
        return self

    # Pending versions of a live review (reviews/pending.py): edits saved to a public review
    # wait there, and readers keep the live version until an editor publishes them.

    @property
    def pending(self):
        """The pending version (a PendingChange), or None."""
        try:
            return self.pending_change
        except models.ObjectDoesNotExist:
            return None

    def publish_changes(self, by):
        return pending_versions.publish_changes(self, by)

    def discard_changes(self, by, seen: str | None = None):
        return pending_versions.discard_changes(self, by, seen)

    def submit_changes(self, by):
        return pending_versions.submit_changes(self, by)

    def send_back_changes(self, by, note: str):
        return pending_versions.send_back_changes(self, by, note)

    def withdraw_changes(self, by):
        return pending_versions.withdraw_changes(self, by)
