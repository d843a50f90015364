import re
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Prefetch, Q, Value, When
from django.http import HttpResponse
from django.urls import reverse
from django.views.generic import DetailView, ListView, TemplateView

from films.cache import cache_public_page
from films.models import CastCredit, CrewCredit, Film, Genre
from reviews.models import RATING_CHOICES, Review

TOP_BILLED = 5
SLUG = re.compile(r"[-\w]{1,200}")
RELATED_SHOWN = 4


def public_reviews():
    """Published reviews with what every listing shows (film, author) joined in."""
    return Review.objects.published().select_related("film", "author")


# What the review page itself never shows (the search text is the whole review again), and
# what a review card leaves out besides.
NOT_ON_THE_PAGE = ("search_text", "search_vector")
NOT_ON_CARDS = (*NOT_ON_THE_PAGE, "intro", "intro_html", "share_key", "film__synopsis")


def listed_reviews():
    """Published reviews as cards show them: film and author joined, long text left behind."""
    return public_reviews().defer(*NOT_ON_CARDS)


def with_review_page_data(reviews):
    """Add everything the review page shows, in a fixed number of queries.

    One query for the review, its film, collection and author; one each for the sections, the
    genres, the top-billed cast and the directors — however many sections or credits there are.
    """
    return reviews.select_related("film__collection").defer(*NOT_ON_THE_PAGE).prefetch_related(
        "sections",
        "film__genres",
        Prefetch(
            "film__cast_credits",
            CastCredit.objects.select_related("person").order_by("order", "id")[:TOP_BILLED],
            to_attr="top_cast",
        ),
        Prefetch(
            "film__crew_credits",
            CrewCredit.objects.filter(job=CrewCredit.DIRECTOR_JOB)
            .select_related("person")
            .order_by("id"),
            to_attr="directors",
        ),
    )


def related_reviews(review: Review, limit: int = RELATED_SHOWN) -> list[Review]:
    """Published reviews close to this one, in two small queries whatever the archive's size.

    Close: the same film, then its collection, then a film sharing a director or top-billed
    actor (newest first within each). The rest is filled with the newest reviews of films
    sharing a genre, found by walking the newest-first index until enough match, so a genre
    with thousands of reviews costs no more than a rare one. Uses the review page's prefetched
    genres and credits.
    """
    film = review.film
    genre_ids = [genre.pk for genre in film.genres.all()]
    people_ids = [c.person_id for c in getattr(film, "top_cast", [])]
    people_ids += [c.person_id for c in getattr(film, "directors", [])]
    # One IN over a small union (not ORs), so the database starts from these few films.
    close_films = Film.objects.filter(
        Q(pk=film.pk) | Q(collection_id=film.collection_id) if film.collection_id else Q(pk=film.pk)
    ).values("pk").union(
        CastCredit.objects.filter(person_id__in=people_ids, order__lt=TOP_BILLED).values("film_id"),
        CrewCredit.objects.filter(person_id__in=people_ids, job=CrewCredit.DIRECTOR_JOB)
        .values("film_id"),
    )
    closeness = Case(
        When(film_id=film.pk, then=Value(0)),
        When(film__collection_id=film.collection_id or 0, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    close = list(
        listed_reviews()
        .filter(film_id__in=close_films)
        .exclude(pk=review.pk)
        .annotate(closeness=closeness)
        .order_by("closeness", "-published_at", "-id")[:limit]
    )
    same_genre = Film.genres.through.objects.filter(film_id=OuterRef("film_id"),
                                                    genre_id__in=genre_ids)
    shown = {review.pk, *(r.pk for r in close)}
    more = (
        listed_reviews()
        .filter(Exists(same_genre))
        .order_by("-published_at", "-id")[: limit + len(shown)]
    )
    return (close + [r for r in more if r.pk not in shown])[:limit]


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _rating_or_none(value):
    """A rating the scale has ("3", "3.0", "4.5"), else None."""
    try:
        rating = Decimal(value)
        return rating if rating in {choice for choice, _ in RATING_CHOICES} else None
    except (TypeError, ValueError, ArithmeticError):
        return None


class HomeView(TemplateView):
    """The front page: the featured review(s), the latest reviews and recently released films."""

    template_name = "reviews/home.html"
    featured_shown = 1
    latest_shown = 9
    films_shown = 8

    def get_context_data(self, **kwargs):
        featured = list(
            listed_reviews().filter(is_featured=True).newest_first()[: self.featured_shown]
        )
        latest = list(
            listed_reviews().exclude(pk__in=[r.pk for r in featured])
            .newest_first()[: self.latest_shown]
        )
        if not featured and latest:
            featured, latest = latest[:1], latest[1:]
        films = Film.objects.order_by(F("release_date").desc(nulls_last=True), "title", "id")
        return super().get_context_data(
            featured=featured, reviews=latest, films=films[: self.films_shown], **kwargs
        )


class ReviewListView(ListView):
    """All published reviews, newest first, filtered by genre, film year, rating and author.

    A filter value that names nothing (an unknown genre, say) gives an empty list; a malformed
    one (a year that is not a number) is ignored.
    """

    template_name = "reviews/review_list.html"
    context_object_name = "reviews"
    paginate_by = 12

    def get_queryset(self):
        params = self.request.GET
        reviews = listed_reviews().newest_first()
        self.filters = {}
        if genre := params.get("genre", "").strip():
            self.filters["genre"] = genre
            if SLUG.fullmatch(genre):
                reviews = reviews.filter(film__genres__slug=genre)
            else:
                reviews = reviews.none()
        if (year := _int_or_none(params.get("year"))) is not None and 1800 <= year <= 2999:
            self.filters["year"] = year
            reviews = reviews.filter(film__year=year)
        if (rating := _rating_or_none(params.get("rating"))) is not None:
            self.filters["rating"] = rating
            reviews = reviews.filter(rating__gte=rating)
        if author := params.get("author", "").strip():
            self.filters["author"] = author
            # Usernames never hold control characters (PostgreSQL refuses NUL in a query).
            if author.isprintable() and len(author) <= 150:
                reviews = reviews.filter(author__username=author)
            else:
                reviews = reviews.none()
        return reviews

    def paginate_queryset(self, queryset, page_size):
        """Find the page's ids first, then join film and author for those rows alone.

        A deep page (page 200 is offset 2,388) would otherwise join and sort every public review
        to throw all but twelve away; the ids come off the newest-first index.
        """
        paginator, page, ids, is_paginated = super().paginate_queryset(
            queryset.values_list("pk", flat=True), page_size
        )
        ids = list(ids)
        rows = queryset.order_by().in_bulk(ids)
        page.object_list = [rows[pk] for pk in ids if pk in rows]
        return paginator, page, page.object_list, is_paginated

    def get_context_data(self, **kwargs):
        public = Review.objects.published()
        authors = get_user_model().objects.filter(
            pk__in=public.values("author_id")
        ).order_by("first_name", "last_name", "username")
        years = (
            Film.objects.filter(pk__in=public.values("film_id"), year__isnull=False)
            .order_by("-year").values_list("year", flat=True).distinct()
        )
        # EXISTS per genre (a handful) rather than DISTINCT over genres x films x reviews.
        genres = Genre.objects.filter(Exists(Film.genres.through.objects.filter(
            genre_id=OuterRef("pk"), film_id__in=public.values("film_id"),
        ))).order_by("name")
        return super().get_context_data(
            filters=self.filters,
            filter_genres=genres,
            filter_years=list(years),
            filter_authors=authors,
            filter_ratings=[value for value, _ in RATING_CHOICES if value == int(value)],
            **kwargs,
        )


class ReviewDetailView(DetailView):
    template_name = "reviews/review_detail.html"
    context_object_name = "review"

    def get_queryset(self):
        return with_review_page_data(public_reviews())

    def get_context_data(self, **kwargs):
        from reviews.views.comments import comment_context

        context = super().get_context_data(**kwargs)
        context["related_reviews"] = related_reviews(self.object)
        context.update(comment_context(self.request, self.object, kwargs.get("comment_form"),
                                       confirm=kwargs.get("comment_confirm", False)))
        return context


home = cache_public_page(HomeView.as_view())
review_list = cache_public_page(ReviewListView.as_view())
review_detail = cache_public_page(ReviewDetailView.as_view())


ROBOTS = """User-agent: *
Allow: /
Disallow: /admin/
Disallow: /markdownx/
Disallow: /preview/
Disallow: /reviews/*/preview/
Disallow: /reviews/*/comments/

Sitemap: {sitemap}
"""


def robots_txt(request):
    """Crawlers may read everything public; never the back office or preview links."""
    response = HttpResponse(
        ROBOTS.format(sitemap=request.build_absolute_uri(reverse("sitemap"))),
        content_type="text/plain; charset=utf-8",
    )
    response["Cache-Control"] = "public, max-age=86400"
    return response
