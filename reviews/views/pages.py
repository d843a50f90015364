from django.db.models import Exists, F, OuterRef
from django.http import HttpResponse
from django.urls import reverse
from django.views.generic import ListView, TemplateView

from films.models import Film, Genre
from films.views import SLUG, quoted, year_or_none
from pagecache import tags
from reviews.models import RATING_CHOICES, Critic, Feature, Review
from reviews.templatetags.review_tags import half_stars


def listed_reviews():
    """Published reviews as cards show them."""
    return Review.objects.published().cards()


# A rating the scale has, written as the filter form does ("3", "4.5") or "3.0": each other
# way to write it ("3.00", "3e0") names nothing, and makes no new copy in the page cache.
RATINGS = {text: rating for rating, label in RATING_CHOICES for text in (str(rating), label)}


def describe_reviews(genre: str = "", year: str = "", rating: str = "", critic: str = "") -> str:
    """ "Action reviews of films from 2020, 4½ stars or more, by Mara Lind", or "Reviews"."""
    words = f"{genre} reviews" if genre else "Reviews"
    if year:
        words += f" of films from {year}"
    if rating:
        words += f", {rating}"
    if critic:
        words += f", by {critic}" if rating else f" by {critic}"
    return words


class HomeView(TemplateView):
    """The front page: the featured review, the latest reviews and recently released films.

    The featured slot shows the current feature (reviews/models/features.py) while its review is
    public, else the newest published review.
    """

    template_name = "reviews/home.html"
    featured_shown = 1
    latest_shown = 9
    films_shown = 8

    def get_context_data(self, **kwargs):
        featured = list(
            listed_reviews().filter(pk=Feature.objects.current_review_id())[: self.featured_shown]
        )
        latest = list(
            listed_reviews()
            .exclude(pk__in=[r.pk for r in featured])
            .newest_first()[: self.latest_shown]
        )
        if not featured and latest:
            featured, latest = latest[:1], latest[1:]
        films = Film.objects.select_related("poster").order_by(
            F("release_date").desc(nulls_last=True), "title", "id"
        )
        tags.shows(self.request, "home", "films-list")
        return super().get_context_data(
            featured=featured, reviews=latest, films=films[: self.films_shown], **kwargs
        )


class ReviewListView(ListView):
    """All published reviews, newest first, filtered by genre, film year, rating and critic.

    Filters behave as on the film list (films.views.FilmListView): a value that names nothing
    (an unknown genre, a year or rating that is not one) gives an empty list that says what was
    asked for; a filtered page has its own title and is not indexed.
    """

    template_name = "reviews/review_list.html"
    context_object_name = "reviews"
    paginate_by = 12

    def get_queryset(self):
        params = self.request.GET
        reviews = listed_reviews().newest_first()
        self.filters, self.critic = {}, None
        names = {}
        if genre := params.get("genre", "").strip():
            self.filters["genre"] = genre
            found = Genre.objects.filter(slug=genre).first() if SLUG.fullmatch(genre) else None
            reviews = reviews.filter(film__genres=found) if found else reviews.none()
            names["genre"] = found.name if found else quoted(self.request, genre)
        if year := params.get("year", "").strip():
            self.filters["year"] = year_or_none(year)
            reviews = (
                reviews.filter(film__year=self.filters["year"])
                if self.filters["year"]
                else reviews.none()
            )
            names["year"] = str(self.filters["year"] or quoted(self.request, year))
        if rating := params.get("rating", "").strip():
            self.filters["rating"] = RATINGS.get(rating)
            reviews = (
                reviews.filter(rating__gte=self.filters["rating"])
                if self.filters["rating"]
                else reviews.none()
            )
            names["rating"] = (
                f"{half_stars(self.filters['rating'])} stars or more"
                if self.filters["rating"]
                else quoted(self.request, rating)
            )
        if critic := params.get("critic", "").strip():
            self.filters["critic"] = critic
            self.critic = (
                Critic.objects.named().filter(slug=critic).first()
                if SLUG.fullmatch(critic)
                else None
            )
            reviews = (
                reviews.filter(author_id=self.critic.user_id) if self.critic else reviews.none()
            )
            names["critic"] = (
                self.critic.display_name if self.critic else quoted(self.request, critic)
            )
        self.heading = describe_reviews(**names)
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
        critics = list(Critic.objects.named().filter(user_id__in=public.values("author_id")))
        tags.shows(self.request, *(f"user:{critic.user_id}" for critic in critics))
        years = (
            Film.objects.filter(pk__in=public.values("film_id"), year__isnull=False)
            .order_by("-year")
            .values_list("year", flat=True)
            .distinct()
        )
        # EXISTS per genre (a handful) rather than DISTINCT over genres x films x reviews.
        genres = Genre.objects.filter(
            Exists(
                Film.genres.through.objects.filter(
                    genre_id=OuterRef("pk"),
                    film_id__in=public.values("film_id"),
                )
            )
        ).order_by("name")
        return super().get_context_data(
            filters=self.filters,
            heading=self.heading,
            filter_genres=genres,
            filter_years=list(years),
            filter_critics=critics,
            filter_ratings=[value for value, _ in RATING_CHOICES],
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
