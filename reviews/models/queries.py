"""What readers and editors ask of reviews: the public rule and ReviewQuerySet."""

from django.db import models
from django.db.models import (
    Case,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    Value,
    When,
    prefetch_related_objects,
)
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
    return (Q(status=Status.PUBLISHED) | due_condition(now)) & ~expired_condition(now)


def due_condition(now=None) -> Q:
    """Stored as scheduled, and its time has come before any expiry: it went live (readers saw
    it, until its expiry if that has come too), whatever has recorded it.

    `ReviewQuerySet.due()`; `Review.is_due` is the same rule for one review in memory.
    """
    came = Q(status=Status.SCHEDULED, published_at__lte=now or timezone.now())
    return came & ~Q(unpublish_at__lte=F("published_at"))


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
        """Scheduled reviews whose time has come (went live already; stored status lags)."""
        return self.filter(due_condition())

    def expired(self):
        """Published or scheduled reviews past their unpublish time (hidden already; stored
        status lags)."""
        return self.filter(expired_condition(), status__in=[Status.PUBLISHED, Status.SCHEDULED])

    def by_author(self, user):
        return self.filter(author=user)

    def newest_first(self):
        return self.order_by("-published_at", "-id")

    def cards(self):
        """As review cards show them (review_card): film with its poster and backdrop, author
        and hero joined, nothing else."""
        joined = ("film__poster", "film__backdrop", "author__critic", "hero")
        return self.select_related(*joined).only(*CARD_FIELDS)

    def for_page(self):
        """What the review page reads on every view: the review's own fields. What its cached
        parts show of its film, author and images is loaded when a part is made (`for_article`)."""
        return self.defer(*NOT_ON_THE_PAGE)

    def for_article(self):
        """With what the page's cached parts show around the review (article, header, title,
        og:image, related box) and previews: its film with poster and backdrop, its author's
        critic profile, its hero: seven tables. What only the article shows comes with
        `article_prefetches()` (an eighth table joined here, the collection, took this query
        from ~2.8 to ~4.5 ms: bench/NOTES.md)."""
        return self.select_related(
            "film__poster", "film__backdrop", "author__critic", "hero"
        ).defer(*NOT_ON_THE_PAGE)

    def related_to(self, review, limit: int = 4) -> list:
        """Up to `limit` public reviews close to `review`, closest first, then newest first.

        Close: the same film, then the same collection, then a film sharing a director or a
        top-billed actor; the box is then filled with the newest reviews of films sharing a
        genre. `review` comes with its film's top cast and directors (its article shows them:
        `article_prefetches()`; loaded here if not) and the genres are read only when needed,
        so each step is a small lookup by index: the reviews of the films close to this one
        (one query), and, when the box is not full, the newest-first index walked until enough
        reviews share a genre. Ranking every review that shares a genre (most of the archive)
        in one statement cost ~20 ms at scale 1 (bench/NOTES.md).
        """
        prefetch_related_objects([review], *people_prefetches())
        film = review.film
        people = {credit.person_id for credit in (*film.top_cast, *film.directors)}
        # The films of this film's people, one arm per kind of credit, and the film itself with
        # its collection's films if any: with `film_id = x OR film_id IN (…)` PostgreSQL
        # scanned every review; one `IN` over the union is a lookup by index. Their ids are
        # read first: as a subquery of the cards' seven-table query the union made PostgreSQL's
        # planning ~3 ms slower than the two queries together (bench/NOTES.md).
        if film.collection_id is not None:
            saga = Film.objects.filter(collection_id=film.collection_id)
        else:
            saga = Film.objects.filter(pk=film.pk)
        close_films = list(
            CastCredit.objects.filter(order__lt=TOP_BILLED, person_id__in=people)
            .order_by()
            .values_list("film_id", flat=True)
            .union(
                CrewCredit.objects.filter(job=CrewCredit.DIRECTOR_JOB, person_id__in=people)
                .order_by()
                .values_list("film_id", flat=True),
                saga.order_by().values_list("pk", flat=True),
            )
            .order_by()
        )
        nearest = [When(film_id=film.pk, then=Value(0))]
        if film.collection_id is not None:
            nearest.append(When(film__collection_id=film.collection_id, then=Value(1)))
        closeness = Case(*nearest, default=Value(2))
        others = self.published().exclude(pk=review.pk)
        found = list(
            others.filter(film_id__in=close_films)
            .alias(closeness=closeness)
            .order_by("closeness", "-published_at", "-id")[:limit]
        )
        if len(found) < limit:
            shares_genre = Exists(
                Film.genres.through.objects.filter(
                    film_id=OuterRef("film_id"),
                    genre_id__in=[genre.pk for genre in film.genres.all()],
                )
            )
            found += (
                others.exclude(pk__in=[each.pk for each in found])
                .filter(shares_genre)
                .order_by("-published_at", "-id")[: limit - len(found)]
            )
        return found

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
    "film__backdrop__file",
    "film__backdrop__width",
    "film__backdrop__height",
    "film__backdrop__focus_x",
    "film__backdrop__focus_y",
    "film__backdrop__renditions",
    "author__critic__display_name",
    "author__critic__slug",
    "hero__file",
    "hero__width",
    "hero__height",
    "hero__focus_x",
    "hero__focus_y",
    "hero__wide_renditions",
)


def people_prefetches() -> list:
    """The review's film's top cast and directors (`top_cast`, `directors`)."""
    return [
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


def article_prefetches() -> list:
    """What the article shows beyond `for_article()`: sections, tags, the film's collection
    (none for most films, and then no query), genres, top cast, directors."""
    return ["sections", "tags", "film__collection", "film__genres", *people_prefetches()]
