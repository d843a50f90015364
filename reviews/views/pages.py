from django.conf import settings
from django.db.models import Exists, OuterRef
from django.http import HttpResponse
from django.urls import reverse
from django.views.generic import TemplateView

from films.forms import none_of
from films.models import NEWEST_FIRST, Film, Genre
from films.pagination import PagedListView
from pagecache import tags
from reviews.forms import ReviewFilters
from reviews.models import Critic, Feature, Review


def listed_reviews():
    """Published reviews as cards show them."""
    return Review.objects.published().cards()


def describe_reviews(
    genre: str = "",
    year: str = "",
    rating: str = "",
    critic: str = "",
    person: str = "",
    acts: bool = True,
) -> str:
    """ "Action reviews of films with Ana de Armas from 2020, 4½ stars or more, by Mara Lind",
    or "Reviews". Films are *by* a person who does not act (`acts`) in any."""
    words = f"{genre} reviews" if genre else "Reviews"
    if person or year:
        words += " of films"
    if person:
        words += f" {'with' if acts else 'by'} {person}"
    if year:
        words += f" from {year}"
    if rating:
        words += f", {rating}"
    if critic:
        words += f", by {critic}" if rating or (person and not acts) else f" by {critic}"
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
        films = Film.objects.select_related("poster").order_by(*NEWEST_FIRST)
        tags.shows(self.request, "home", "films-list")
        return super().get_context_data(
            featured=featured, reviews=latest, films=films[: self.films_shown], **kwargs
        )


def filter_choices() -> tuple[dict, list[str]]:
    """The review list's filter choices: the genres, years and critics of public reviews.
    The same on every page of the list, so cached as a fragment (`ReviewListView`)."""
    public = Review.objects.published()
    critics = list(Critic.objects.named().filter(user_id__in=public.values("author_id")))
    years = (
        Film.objects.filter(pk__in=public.values("film_id"), year__isnull=False)
        .order_by("-year")
        .distinct()
    )
    # EXISTS per genre (a handful) rather than DISTINCT over genres x films x reviews.
    genres = Genre.objects.filter(
        Exists(
            Film.genres.through.objects.filter(
                genre_id=OuterRef("pk"), film_id__in=public.values("film_id")
            )
        )
    ).order_by("name")
    shown = [
        "reviews-list",  # a review published or withdrawn
        "films-list",  # a film's year changed
        "genres",
        *(f"user:{critic.user_id}" for critic in critics),
    ]
    choices = {
        "genre": list(genres.values_list("slug", "name")),
        "year": list(years.values_list("year", "year")),
        "critic": [(critic.slug, critic.display_name) for critic in critics],
    }
    return choices, shown


class ReviewListView(PagedListView):
    """All published reviews, newest first, filtered by genre, film year, rating, critic and
    a person credited on the film (`ReviewFilters`, as on the film list); a filtered page has
    its own title and is not indexed."""

    context_object_name = "reviews"
    paginate_by = 12

    def get_queryset(self):
        self.form = ReviewFilters(self.request)
        reviews = self.form.narrow(
            listed_reviews().newest_first(),
            genre="film__genres",
            year="film__year",
            rating="rating__gte",
            critic="author__critic",
            person=lambda person: person.credited_films("film"),
        )
        self.person = self.form.cleaned_data["person"]
        self.heading = describe_reviews(
            **self.form.names(), acts=self.person is None or self.person.acts
        )
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
        choices = tags.fragment(
            f"review-filters:{settings.MARQUEE_RELEASE}",
            filter_choices,
            settings.MARQUEE_ARTICLE_CACHE_SECONDS,
            scheduled=True,
            request=self.request,
        )
        self.form.offer(**choices)
        if self.person is not None:  # their name, and which films they are credited on
            tags.shows(self.request, f"person:{self.person.pk}")
        return super().get_context_data(
            form=self.form,
            filters=self.form.given,
            heading=self.heading,
            nothing=none_of(self.heading),
            person=self.person,
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
