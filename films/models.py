from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.text import slugify

from films.tmdb_models import (  # they refer to Film by name
    AlternativeTitle,
    Keyword,
    OfferKind,
    Release,
    ReleaseType,
    TMDBImport,
    TMDBSyncRun,
    Video,
    WatchOffer,
    WatchProvider,
    WatchRegion,
)


def unique_slug(
    instance: models.Model,
    value: str,
    *,
    field: str = "slug",
    max_length: int = 80,
    fallback: str = "item",
) -> str:
    """Slugify `value`, adding -2, -3… until no other row of the model uses it."""
    base = slugify(value)[:max_length].strip("-") or fallback
    manager = type(instance)._default_manager
    candidate, n = base, 1
    while manager.filter(**{field: candidate}).exclude(pk=instance.pk).exists():
        n += 1
        suffix = f"-{n}"
        candidate = f"{base[: max_length - len(suffix)]}{suffix}"
    return candidate


# Films newest first (undated last), as the catalogue and the front page list them; indexed.
NEWEST_FIRST = (F("release_date").desc(nulls_last=True), F("title"), F("id"))


class Genre(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    tmdb_id = models.PositiveIntegerField("TMDB id", null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tmdb_id"], condition=Q(tmdb_id__isnull=False), name="genre_unique_tmdb_id"
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self, self.name, fallback="genre")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("films:genre", kwargs={"slug": self.slug})


class Collection(models.Model):
    """A franchise, e.g. "John Wick Collection"."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    tmdb_id = models.PositiveIntegerField("TMDB id", null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tmdb_id"],
                condition=Q(tmdb_id__isnull=False),
                name="collection_unique_tmdb_id",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self, self.name, max_length=200, fallback="collection")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return f"{reverse('films:list')}?collection={self.slug}"


class Person(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    biography = models.TextField(blank=True, help_text="Plain text, as TMDB gives it.")
    birth_date = models.DateField(null=True, blank=True)
    death_date = models.DateField(null=True, blank=True)
    place_of_birth = models.CharField(max_length=200, blank=True)
    # From the image library (images.Image), as a film's poster is.
    photo = models.ForeignKey(
        "images.Image",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="photo_of",
        help_text="Choose an image from the library (the magnifier), or upload one there.",
    )
    tmdb_id = models.PositiveIntegerField("TMDB id", null=True, blank=True)
    imdb_id = models.CharField("IMDb id", max_length=20, blank=True)
    # TMDB's file path of the photo we hold ("" for a photo uploaded here, which TMDB keeps off).
    tmdb_profile_path = models.CharField(max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(
                fields=["tmdb_id"],
                condition=Q(tmdb_id__isnull=False),
                name="person_unique_tmdb_id",
            ),
            models.UniqueConstraint(
                fields=["imdb_id"], condition=~Q(imdb_id=""), name="person_unique_imdb_id"
            ),
        ]
        indexes = [
            models.Index(fields=["name"], name="person_name_idx"),
            # The sitemap index's last change of the people's section (reviews/sitemaps.py):
            # without it, a scan of every person on each view (~6 ms at scale 1).
            models.Index(fields=["updated_at"], name="person_updated_idx"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self, self.name, max_length=200, fallback="person")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("films:person", kwargs={"slug": self.slug})

    def credited_films(self, field: str) -> Q:
        """`field` names a film this person is credited on, as cast or crew: one `IN` over the
        union of their credits' films, each arm read by index. Joining both credit tables made
        PostgreSQL scan and de-duplicate every credit (~450 ms for the busiest person at bench
        scale 1); two `IN`s `OR`-ed took the reviews of their films ~3.7 ms a statement, against
        ~1.5 for the union (bench/NOTES.md)."""
        cast = self.cast_credits.order_by().values("film_id")
        return Q(**{f"{field}__in": cast.union(self.crew_credits.order_by().values("film_id"))})


class Film(models.Model):
    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, unique=True)
    original_title = models.CharField(max_length=300, blank=True)
    release_date = models.DateField(null=True, blank=True)
    year = models.PositiveSmallIntegerField(
        null=True, blank=True, editable=False, help_text="Taken from the release date."
    )
    runtime = models.PositiveSmallIntegerField(
        "runtime (minutes)", null=True, blank=True, validators=[MinValueValidator(1)]
    )
    tagline = models.CharField(max_length=300, blank=True)
    synopsis = models.TextField(blank=True)
    certification = models.CharField(max_length=20, blank=True, help_text="e.g. 15, R, PG-13.")
    original_language = models.CharField(
        max_length=12, blank=True, help_text="ISO 639-1 code, e.g. en."
    )
    # From the image library (images.Image): chosen in the film's form, or downloaded there by
    # a TMDB import; its renditions are the library image's own (in the poster's shape).
    poster = models.ForeignKey(
        "images.Image",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="poster_of",
        help_text="Choose an image from the library (the magnifier), or upload one there.",
    )
    backdrop = models.ForeignKey(
        "images.Image",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="backdrop_of",
        help_text="A wide still, shown behind the trailer's play button: choose it from the "
        "library (the magnifier), or upload it there.",
    )
    genres = models.ManyToManyField(Genre, blank=True, related_name="films")
    keywords = models.ManyToManyField("films.Keyword", blank=True, related_name="films")
    collection = models.ForeignKey(
        Collection, null=True, blank=True, on_delete=models.SET_NULL, related_name="films"
    )
    tmdb_id = models.PositiveIntegerField("TMDB id", null=True, blank=True)
    imdb_id = models.CharField("IMDb id", max_length=20, blank=True)
    wikidata_id = models.CharField("Wikidata id", max_length=20, blank=True)
    # TMDB's file paths of the images we hold ("" for one uploaded here).
    tmdb_poster_path = models.CharField(max_length=200, blank=True, editable=False)
    tmdb_backdrop_path = models.CharField(max_length=200, blank=True, editable=False)
    # What the film box shows, worked out at import from the releases and videos above: the
    # site region's (MARQUEE_REGION, `release_region`) release, and the best trailer.
    release_region = models.CharField(max_length=2, blank=True, editable=False)
    local_release_date = models.DateField(null=True, blank=True, editable=False)
    local_release_type = models.PositiveSmallIntegerField(
        null=True, blank=True, editable=False, choices=ReleaseType
    )
    trailer_key = models.CharField(max_length=100, blank=True, editable=False)
    trailer_name = models.CharField(max_length=300, blank=True, editable=False)
    tmdb_fetched_at = models.DateTimeField(
        "fetched from TMDB", null=True, blank=True, editable=False
    )
    # Fields an editor changed by hand: TMDB imports leave them alone and propose their own
    # values in `tmdb_proposed` ({field: value}) for an editor to accept (films/tmdb_sync.py).
    edited_fields = models.JSONField(default=list, blank=True, editable=False)
    tmdb_proposed = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-release_date", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["tmdb_id"],
                condition=Q(tmdb_id__isnull=False),
                name="film_unique_tmdb_id",
                violation_error_message="Another film already has this TMDB id.",
                violation_error_code="tmdb_id_taken",
            ),
            models.UniqueConstraint(
                fields=["imdb_id"],
                condition=~Q(imdb_id=""),
                name="film_unique_imdb_id",
                violation_error_message="Another film already has this IMDb id.",
                violation_error_code="imdb_id_taken",
            ),
        ]
        indexes = [
            models.Index(fields=["year"], name="film_year_idx"),
            # Newest first as the catalogue and the front page list films (NEWEST_FIRST).
            models.Index(*NEWEST_FIRST, name="film_newest_first_idx"),
            models.Index(fields=["title"], name="film_title_idx"),
            # The sitemap index's last change of the films' section (reviews/sitemaps.py).
            models.Index(fields=["updated_at"], name="film_updated_idx"),
        ]

    def __str__(self):
        return f"{self.title} ({self.year})" if self.year else self.title

    def save(self, *args, **kwargs):
        self.year = self.release_date.year if self.release_date else None
        if not self.slug:
            base = self.title
            if (
                self.year
                and type(self).objects.filter(slug=slugify(self.title)).exclude(pk=self.pk).exists()
            ):
                base = f"{self.title} {self.year}"
            self.slug = unique_slug(self, base, max_length=200, fallback="film")
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "release_date" in update_fields:
            kwargs["update_fields"] = {*update_fields, "year"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("films:detail", kwargs={"slug": self.slug})

    @property
    def poster_alt(self) -> str:
        """Its poster's alt text in the library: "Poster of Ballerina (2025)"."""
        year = self.release_date.year if self.release_date else None
        return f"Poster of {self.title} ({year})" if year else f"Poster of {self.title}"

    @property
    def backdrop_alt(self) -> str:
        """Its backdrop's alt text in the library: "A still from Ballerina (2025)"."""
        return self.poster_alt.replace("Poster of", "A still from", 1)


class CastCredit(models.Model):
    film = models.ForeignKey(Film, on_delete=models.CASCADE, related_name="cast_credits")
    # A person with credits cannot be deleted until their credits are removed: a credited
    # person is part of a film that published reviews may show.
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cast_credits")
    character = models.CharField(max_length=300, blank=True)
    order = models.PositiveSmallIntegerField("billing order", default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["film", "person", "character"], name="castcredit_unique_role"
            ),
        ]
        indexes = [
            models.Index(fields=["film", "order"], name="castcredit_billing_idx"),
            models.Index(fields=["person", "film"], name="castcredit_person_idx"),
        ]

    def __str__(self):
        return f"{self.person} as {self.character}" if self.character else str(self.person)


class Department(models.TextChoices):
    DIRECTING = "Directing"
    WRITING = "Writing"
    PRODUCTION = "Production"
    CAMERA = "Camera"
    EDITING = "Editing"
    SOUND = "Sound"
    ART = "Art"
    COSTUME_MAKE_UP = "Costume & Make-Up", "Costume & Make-Up"  # not "Costume Make Up"
    VISUAL_EFFECTS = "Visual Effects"
    CREW = "Crew"
    LIGHTING = "Lighting"


class CrewCredit(models.Model):
    DIRECTOR_JOB = "Director"

    film = models.ForeignKey(Film, on_delete=models.CASCADE, related_name="crew_credits")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="crew_credits")
    department = models.CharField(max_length=30, choices=Department)
    job = models.CharField(max_length=200)

    class Meta:
        ordering = ["department", "job", "id"]
        constraints = [
            models.UniqueConstraint(fields=["film", "person", "job"], name="crewcredit_unique_job"),
            models.CheckConstraint(
                condition=Q(department__in=Department.values), name="crewcredit_known_department"
            ),
        ]
        indexes = [
            models.Index(fields=["film", "department"], name="crewcredit_dept_idx"),
            models.Index(fields=["person", "film"], name="crewcredit_person_idx"),
            models.Index(fields=["job", "film"], name="crewcredit_job_idx"),
        ]

    def __str__(self):
        return f"{self.person} ({self.job})"


__all__ = [
    "AlternativeTitle",
    "CastCredit",
    "Collection",
    "CrewCredit",
    "Department",
    "Film",
    "Genre",
    "Keyword",
    "OfferKind",
    "Person",
    "Release",
    "ReleaseType",
    "TMDBImport",
    "TMDBSyncRun",
    "Video",
    "WatchOffer",
    "WatchProvider",
    "WatchRegion",
]
