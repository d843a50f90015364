"""The pages the benchmarks measure: one URL per page type, at the busiest objects.

Shared by the query-budget tests (tests/test_query_budgets.py) and the benchmark runs, so both
measure the same thing. The product never imports this package.
"""

from django.db.models import Count, Q
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from films.models import Film, Genre, Person
from reviews.models import Comment, Review

ADMIN_CHANGELISTS = {
    "admin: reviews": "admin:reviews_review_changelist",
    "admin: films": "admin:films_film_changelist",
    "admin: people": "admin:films_person_changelist",
    "admin: comments": "admin:reviews_comment_changelist",
}


def _url(name: str, query: str = "") -> str | None:
    try:
        return reverse(name) + query
    except NoReverseMatch:  # a page type this checkout does not have (yet)
        return None


def _path(path: str) -> str | None:
    try:
        resolve(path)
    except Resolver404:
        return None
    return path


def public_pages(*, deep_page: int = 200) -> dict[str, str]:
    """Label → URL for every public page type, choosing the objects with the most to show."""
    public = Review.objects.published()
    review = (
        public.annotate(n=Count("comments", filter=Q(comments__status=Comment.Status.APPROVED)))
        .order_by("-n", "pk")
        .first()
    )
    film = (
        Film.objects.filter(reviews__in=public)
        .annotate(n=Count("cast_credits", distinct=True) + Count("crew_credits", distinct=True))
        .order_by("-n", "pk")
        .first()
    )
    person = (
        Person.objects.annotate(
            n=Count("cast_credits", distinct=True) + Count("crew_credits", distinct=True)
        )
        .order_by("-n", "pk")
        .first()
    )
    genre = Genre.objects.annotate(n=Count("films")).order_by("-n", "pk").first()
    common = review.headline.split()[0]
    total = public.count()
    per_page = 12
    last_page = max(1, min(deep_page, -(-total // per_page)))
    pages = {
        "front page": _url("reviews:home"),
        "review list": _url("reviews:list"),
        # Page 1 is the list's own address (the page cache reads ?page=1 as none).
        f"review list p{last_page}": _url(
            "reviews:list", f"?page={last_page}" if last_page > 1 else ""
        ),
        "review": review.get_absolute_url(),
        "film list": _url("films:list"),
        "film": film.get_absolute_url(),
        "person": person.get_absolute_url(),
        # The person page's link to all the reviews of their films.
        "person's reviews": _url("reviews:list", f"?person={person.slug}"),
        "genre": genre.get_absolute_url(),
        "critics": _url("reviews:critics"),
        "search (common word)": _url("reviews:search", f"?q={common}"),
        "search (rare word)": _url("reviews:search", "?q=zyzzogeton"),
        "feed": _url("reviews:feed"),
        "sitemap index": _path("/sitemap.xml"),
        # The index's first section page: the sitemap as a crawler reads it, one page at a time.
        "sitemap": _path("/sitemap-reviews.xml"),
    }
    return {label: url for label, url in pages.items() if url}


def admin_pages() -> dict[str, str]:
    return {label: url for label, name in ADMIN_CHANGELISTS.items() if (url := _url(name))}
