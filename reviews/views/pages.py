import re
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Exists, F, OuterRef
from django.http import HttpResponse
from django.urls import reverse
from django.views.generic import ListView, TemplateView

from films.models import Film, Genre
from pagecache import tags
from reviews.models import RATING_CHOICES, Review

SLUG = re.compile(r"[-\w]{1,200}")


def listed_reviews():
    """Published reviews as cards show them."""
    return Review.objects.published().cards()


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
        tags.shows(self.request, "home", "films-list")
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
        tags.shows(self.request, "reviews-list", "genres")
        public = Review.objects.published()
        authors = list(get_user_model().objects.filter(
            pk__in=public.values("author_id")
        ).order_by("first_name", "last_name", "username"))
        tags.shows(self.request, *(f"user:{author.pk}" for author in authors))
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
