"""What TMDB tells about a film beyond its credits: videos, releases, where to watch, other
titles and keywords. Imported by films.models, so Django sees them as the films app's models.

Release dates are kept for every country; watch providers for the site's region only
(MARQUEE_REGION), with the time they were fetched: TMDB (from JustWatch) has them for over a
hundred regions and they change daily, so the rest would be thousands of rows nobody reads.
"""

import datetime
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils import timezone

from films.uploads import StrippedImageField
from films.validators import validate_image_file

YOUTUBE_EMBED = "https://www.youtube-nocookie.com/embed/{}?autoplay=1&rel=0"
YOUTUBE_WATCH = "https://www.youtube.com/watch?v={}"


class VideoQuerySet(models.QuerySet):
    def trailers(self):
        """YouTube trailers and teasers, official ones first, then trailers before teasers."""
        return self.filter(site=Video.YOUTUBE, type__in=["Trailer", "Teaser"]).order_by(
            "-official",
            Case(When(type="Trailer", then=Value(0)), default=Value(1)),
            "published_at",
            "id",
        )


def best_trailer(videos) -> "Video | None":
    """The trailer to show, of unsaved or saved videos: as VideoQuerySet.trailers() orders."""
    trailers = [v for v in videos if v.site == Video.YOUTUBE and v.type in ("Trailer", "Teaser")]
    trailers.sort(
        key=lambda v: (
            not v.official,
            v.type != "Trailer",
            v.published_at is None,
            v.published_at or datetime.datetime.min.replace(tzinfo=datetime.UTC),
        )
    )
    return trailers[0] if trailers else None


class Video(models.Model):
    YOUTUBE = "YouTube"

    film = models.ForeignKey("films.Film", on_delete=models.CASCADE, related_name="videos")
    tmdb_id = models.CharField("TMDB id", max_length=40)
    site = models.CharField(max_length=40, help_text="YouTube or Vimeo.")
    key = models.CharField(max_length=100, help_text="The video's id on its site.")
    name = models.CharField(max_length=300)
    type = models.CharField(max_length=40, help_text="Trailer, Teaser, Clip, Featurette…")
    official = models.BooleanField(default=False)
    language = models.CharField(max_length=8, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    objects = VideoQuerySet.as_manager()

    class Meta:
        ordering = ["-official", "published_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["film", "tmdb_id"], name="video_unique_tmdb_id"),
        ]

    def __str__(self):
        return f"{self.name} ({self.type}, {self.site})"

    @property
    def embed_url(self) -> str:
        """The privacy-enhanced player: no cookies until the reader plays the video."""
        return YOUTUBE_EMBED.format(self.key)

    @property
    def watch_url(self) -> str:
        return YOUTUBE_WATCH.format(self.key)


class ReleaseType(models.IntegerChoices):
    PREMIERE = 1, "Premiere"
    LIMITED = 2, "Theatrical (limited)"
    THEATRICAL = 3, "Theatrical"
    DIGITAL = 4, "Digital"
    PHYSICAL = 5, "Physical"
    TV = 6, "TV"


# How a release is put to readers, and which one the film box prefers.
RELEASE_PHRASES = {
    ReleaseType.THEATRICAL: "In cinemas",
    ReleaseType.LIMITED: "In cinemas",
    ReleaseType.PREMIERE: "Premiere",
    ReleaseType.DIGITAL: "On digital",
    ReleaseType.PHYSICAL: "On disc",
    ReleaseType.TV: "On TV",
}
PREFERRED = [
    ReleaseType.THEATRICAL,
    ReleaseType.LIMITED,
    ReleaseType.DIGITAL,
    ReleaseType.PHYSICAL,
    ReleaseType.TV,
    ReleaseType.PREMIERE,
]


class Release(models.Model):
    film = models.ForeignKey("films.Film", on_delete=models.CASCADE, related_name="releases")
    country = models.CharField(max_length=2, help_text="ISO 3166-1, e.g. GB.")
    type = models.PositiveSmallIntegerField(choices=ReleaseType)
    date = models.DateField()
    certification = models.CharField(max_length=20, blank=True)
    note = models.CharField(max_length=300, blank=True)
    language = models.CharField(max_length=8, blank=True)

    class Meta:
        ordering = ["country", "date", "type", "id"]
        indexes = [models.Index(fields=["film", "country"], name="release_film_country_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(type__gte=1, type__lte=6), name="release_known_type"
            ),
        ]

    def __str__(self):
        return f"{self.country} {self.get_type_display()} {self.date}"


@dataclass
class RegionalRelease:
    certification: str
    phrase: str
    date: datetime.date | None
    type: int | None = None

    def __str__(self):
        when = f"{self.phrase} {self.date.day} {self.date:%B %Y}" if self.date else ""
        return " · ".join(part for part in (self.certification, when) if part)


def regional_release(releases, region: str) -> RegionalRelease | None:
    """The certification and the release a reader in `region` cares about, or None.

    `releases` are a film's (all countries). None when TMDB has nothing for the region: the
    film box then shows no certificate rather than another country's.
    """
    mine = [release for release in releases if release.country == region]
    if not mine:
        return None
    rank = {kind: n for n, kind in enumerate(PREFERRED)}
    mine.sort(key=lambda r: (rank[ReleaseType(r.type)], r.date))
    certification = next((r.certification for r in mine if r.certification), "")
    shown = mine[0]
    return RegionalRelease(
        certification=certification,
        type=shown.type,
        phrase=RELEASE_PHRASES[ReleaseType(shown.type)],
        date=shown.date,
    )


class WatchProvider(models.Model):
    """A streaming service or shop (Netflix, Apple TV…), as JustWatch names it through TMDB."""

    tmdb_id = models.PositiveIntegerField("TMDB id", unique=True)
    name = models.CharField(max_length=200)
    logo = StrippedImageField(upload_to="providers/", blank=True, validators=[validate_image_file])
    tmdb_logo_path = models.CharField(max_length=200, blank=True, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class WatchRegion(models.Model):
    """Where a film can be watched in one region, as fetched from TMDB at `fetched_at`."""

    film = models.ForeignKey("films.Film", on_delete=models.CASCADE, related_name="watch_regions")
    region = models.CharField(max_length=2)
    link = models.URLField(
        max_length=500, blank=True, help_text="TMDB's page listing the offers (JustWatch data)."
    )
    fetched_at = models.DateTimeField()

    class Meta:
        ordering = ["region"]
        constraints = [
            models.UniqueConstraint(fields=["film", "region"], name="watchregion_unique_region"),
        ]

    def __str__(self):
        return f"{self.film} in {self.region}"


class OfferKind(models.TextChoices):
    STREAM = "flatrate", "Stream"
    FREE = "free", "Free"
    ADS = "ads", "With ads"
    RENT = "rent", "Rent"
    BUY = "buy", "Buy"


class WatchOffer(models.Model):
    watch_region = models.ForeignKey(WatchRegion, on_delete=models.CASCADE, related_name="offers")
    provider = models.ForeignKey(WatchProvider, on_delete=models.CASCADE, related_name="offers")
    kind = models.CharField(max_length=10, choices=OfferKind)
    display_priority = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["display_priority", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["watch_region", "provider", "kind"], name="watchoffer_unique_kind"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=OfferKind.values), name="watchoffer_known_kind"
            ),
        ]

    def __str__(self):
        return f"{self.provider} ({self.get_kind_display()})"


class AlternativeTitle(models.Model):
    film = models.ForeignKey(
        "films.Film", on_delete=models.CASCADE, related_name="alternative_titles"
    )
    title = models.CharField(max_length=300)
    country = models.CharField(max_length=2, blank=True)
    type = models.CharField(max_length=100, blank=True, help_text="e.g. working title.")

    class Meta:
        ordering = ["country", "title", "id"]

    def __str__(self):
        return self.title


class Keyword(models.Model):
    tmdb_id = models.PositiveIntegerField("TMDB id", unique=True, null=True, blank=True)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            from films.models import unique_slug  # films.models imports this module

            self.slug = unique_slug(self, self.name, max_length=200, fallback="keyword")
        super().save(*args, **kwargs)


class TMDBSyncRun(models.Model):
    """One run of the sync: what TMDB listed, what was refreshed, what failed."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    since = models.DateField(help_text="Changes from this day were asked for.")
    until = models.DateField()
    listed = models.PositiveIntegerField(default=0, help_text="Films of ours TMDB listed.")
    updated = models.PositiveIntegerField(default=0)
    failures = models.JSONField(default=dict, blank=True, help_text="TMDB id → error.")
    error = models.TextField(blank=True, help_text="Why the whole run failed, if it did.")

    class Meta:
        ordering = ["-started_at"]
        verbose_name = "TMDB sync run"

    def __str__(self):
        return f"TMDB sync {self.since} → {self.until}"

    @property
    def succeeded(self) -> bool:
        return self.finished_at is not None and not self.error


class TMDBImport(models.Model):
    """An editor's *Add from TMDB*: queued by the admin, run by the task worker
    (films/tmdb_tasks.py), followed by the editor on a page that refreshes until it is done."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting for the worker"
        RUNNING = "running", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tmdb_id = models.PositiveIntegerField("TMDB id")
    title = models.CharField(
        max_length=300, blank=True, help_text="As TMDB's search named it, for the waiting page."
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status, default=Status.QUEUED)
    finished_at = models.DateTimeField(null=True, blank=True)
    film = models.ForeignKey(
        "films.Film", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.BooleanField(default=False, help_text="The import added the film.")
    changed = models.BooleanField(default=False, help_text="The import changed the film.")
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = "TMDB import"

    def __str__(self):
        return f"TMDB import of {self.title or self.tmdb_id} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
