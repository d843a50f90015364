"""What readers and editors ask of reviews: the public rule and ReviewQuerySet."""

from django.db import models
from django.db.models import Case, Exists, OuterRef, Prefetch, Q, Value, When
from django.utils import timezone

from films.models import CastCredit, CrewCredit, Film
from reviews.search import index as search_index
from reviews.status import Status


def public_condition() -> Q:
    """The one rule for what the public sees: published, or scheduled and due; and not past
    its unpublish time (its expiry).

    `published()`, the effective status the admin shows and filters on, and
    `Review.effective_status` all follow it.
    """
    now = timezone.now()
    return (
        Q(status=Status.PUBLISHED) | Q(status=Status.SCHEDULED, published_at__lte=now)
    ) & ~expired_condition(now)


def expired_condition(now=None) -> Q:
    """Past its unpublish time: no longer public, whatever the stored status says."""
    return Q(unpublish_at__isnull=False, unpublish_at__lte=now or timezone.now())


class ReviewQuerySet(models.QuerySet):
    def published(self):
        """What the public may see: published, or scheduled and due."""
        return self.filter(public_condition())

    def with_effective_status(self):
        """Annotate `effective`: the status readers see (a due scheduled review is published)."""
        live = Q(status__in=[Status.PUBLISHED, Status.SCHEDULED])
        return self.annotate(
            effective=models.Case(
                models.When(public_condition(), then=models.Value(Status.PUBLISHED.value)),
                # Expired and not yet tidied by the clock (reviews/clock.py): unpublished already.
                models.When(live & expired_condition(), then=models.Value(Status.DRAFT.value)),
                default=models.F("status"),
                output_field=models.CharField(),
            )
        )

    def with_effective_status_of(self, status: str):
        """Reviews whose effective status is `status`."""
        return self.with_effective_status().filter(effective=status)

    def due(self):
        """Scheduled reviews whose time has come (public already; stored status lags)."""
        return self.filter(status=Status.SCHEDULED, published_at__lte=timezone.now())

    def expired(self):
        """Published or scheduled reviews past their unpublish time (hidden already; stored
        status lags)."""
        return self.filter(expired_condition(), status__in=[Status.PUBLISHED, Status.SCHEDULED])

    def by_author(self, user):
        return self.filter(author=user)

    def with_bylines(self):
        """Each review's film and its author's critic profile joined in, as cards show them."""
        return self.select_related("film__poster", "author__critic")

    def newest_first(self):
        return self.order_by("-published_at", "-id")

    def cards(self):
        """As review cards show them (review_card): film and its poster, author and hero
        joined, nothing else."""
        return self.select_related("film__poster", "author__critic", "hero").only(*CARD_FIELDS)

    def for_page(self):
        """With what the review page shows around its article: film, collection, author, hero."""
        return self.select_related(
            "film__collection", "film__poster", "film__backdrop", "author__critic", "hero"
        ).defer(*NOT_ON_THE_PAGE)

    def related_to(self, review, limit: int = 4):
        """Public reviews close to `review`, closest first, then newest first.

        Close: the same film, then the same collection, then a film sharing a director or a
        top-billed actor; then any film sharing a genre. Two queries: the film's people are
        read first, so the main query looks their films up by index (as one query, with the
        people as a subquery, PostgreSQL scanned every cast credit; bench/NOTES.md).
        """
        film = review.film
        people = list(
            CastCredit.objects.filter(film_id=film.pk, order__lt=TOP_BILLED)
            .order_by()
            .values_list("person_id", flat=True)
            .union(
                CrewCredit.objects.filter(film_id=film.pk, job=CrewCredit.DIRECTOR_JOB)
                .order_by()
                .values_list("person_id", flat=True)
            )
            .order_by()
        )
        shares_people = Q(
            film_id__in=CastCredit.objects.filter(
                person_id__in=people, order__lt=TOP_BILLED
            ).values("film_id")
        ) | Q(
            film_id__in=CrewCredit.objects.filter(
                person_id__in=people, job=CrewCredit.DIRECTOR_JOB
            ).values("film_id")
        )
        film_genres = Film.genres.through.objects
        shares_genre = Exists(
            film_genres.filter(
                film_id=OuterRef("film_id"),
                genre_id__in=film_genres.filter(film_id=film.pk).values("genre_id"),
            )
        )
        same_collection = (
            Q(film__collection_id=film.collection_id)
            if film.collection_id is not None
            else Q(pk__in=[])
        )
        closeness = Case(
            When(film_id=film.pk, then=Value(0)),
            When(same_collection, then=Value(1)),
            When(shares_people, then=Value(2)),
            default=Value(3),
        )
        return (
            self.published()
            .exclude(pk=review.pk)
            .filter(Q(film_id=film.pk) | same_collection | shares_people | shares_genre)
            .alias(closeness=closeness)
            .order_by("closeness", "-published_at", "-id")[:limit]
        )

    def refresh_search_index(self) -> dict:
        """Rebuild the whole search index (after bulk inserts, which skip save())."""
        return search_index.rebuild(using=self.db)


TOP_BILLED = 5
# What the review page never shows (the search text is the whole review again).
NOT_ON_THE_PAGE = ("search_text", "search_vector")
# What a review card (reviews/templatetags/review_tags.py: review_card) shows, and no more.
CARD_FIELDS = (
    "headline",
    "dek",
    "slug",
    "rating",
    "published_at",
    "status",
    "film__title",
    "film__slug",
    "film__year",
    "film__poster__file",
    "film__poster__width",
    "film__poster__height",
    "film__poster__focus_x",
    "film__poster__focus_y",
    "film__poster__renditions",
    "author__critic__display_name",
    "author__critic__slug",
    "hero__file",
    "hero__width",
    "hero__height",
    "hero__focus_x",
    "hero__focus_y",
    "hero__wide_renditions",
)


def article_prefetches() -> list:
    """What the article shows beyond the review row: sections, genres, top cast, directors."""
    return [
        "sections",
        "tags",
        "film__genres",
        Prefetch(
            "film__cast_credits",
            to_attr="top_cast",
            queryset=CastCredit.objects.select_related("person")
            .only("film", "person__name", "person__slug")
            .order_by("order", "id")[:TOP_BILLED],
        ),
        Prefetch(
            "film__crew_credits",
            to_attr="directors",
            queryset=CrewCredit.objects.filter(job=CrewCredit.DIRECTOR_JOB)
            .select_related("person")
            .only("film", "person__name", "person__slug")
            .order_by("id"),
        ),
    ]
