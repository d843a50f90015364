"""Query budgets: every public page and admin changelist runs a fixed number of SQL queries.

The same pages are measured on a small and a five-times larger generated archive (the
benchmark generator), choosing the busiest objects each time; the counts must be equal, and
public pages stay within ten queries. `bench/` runs the same measurement at scale 1.
"""

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from films.models import Film, Genre, Person
from reviews.models import Comment, Review
from tests.factories import SuperuserFactory

pytestmark = pytest.mark.django_db
PUBLIC_BUDGET = 10


def busiest_urls() -> dict[str, str]:
    """One URL per page type, pointing at the objects with the most to show."""
    public = Review.objects.published()
    review = public.annotate(
        n=Count("comments", filter=Q(comments__status=Comment.Status.APPROVED))
    ).order_by("-n", "pk").first()
    film = Film.objects.annotate(n=Count("cast_credits")).filter(
        reviews__in=public).order_by("-n", "pk").first()
    person = Person.objects.annotate(n=Count("cast_credits") + Count("crew_credits")).order_by(
        "-n", "pk").first()
    genre = Genre.objects.annotate(n=Count("films")).order_by("-n", "pk").first()
    word = review.headline.split()[0]
    return {
        "front page": reverse("reviews:home"),
        "review": review.get_absolute_url(),
        "film list": reverse("films:list"),
        "film": film.get_absolute_url(),
        "person": person.get_absolute_url(),
        "genre": genre.get_absolute_url(),
        **optional_urls(word),
    }


def optional_urls(word: str) -> dict[str, str]:
    """Pages that arrive with the public-site work; measured once their routes exist."""
    urls = {}
    for label, name, query in [
        ("review list", "reviews:list", ""),
        ("review list page 2", "reviews:list", "?page=2"),
        ("search", "reviews:search", f"?q={word}"),
        ("feed", "reviews:feed", ""),
    ]:
        try:
            urls[label] = reverse(name) + query
        except NoReverseMatch:  # the route is not there yet
            continue
    return urls


ADMIN_CHANGELISTS = ["reviews_review", "films_film", "films_person", "reviews_comment"]


def count_queries(client, url: str) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def measure(client, admin_client) -> dict[str, int]:
    counts = {label: count_queries(client, url) for label, url in busiest_urls().items()}
    for name in ADMIN_CHANGELISTS:
        try:
            url = reverse(f"admin:{name}_changelist")
        except NoReverseMatch:
            continue
        counts[f"admin {name}"] = count_queries(admin_client, url)
    return counts


def test_query_counts_do_not_grow_with_the_archive(client):
    admin_client = type(client)()
    admin_client.force_login(SuperuserFactory())
    call_command("generate_bench_data", scale=0.001, no_progress=True, verbosity=0)
    small = measure(client, admin_client)
    call_command("generate_bench_data", scale=0.005, replace=True, no_progress=True,
                 verbosity=0)
    large = measure(client, admin_client)
    assert large == small
    over = {page: n for page, n in small.items()
            if not page.startswith("admin") and n > PUBLIC_BUDGET}
    assert not over, f"public pages over {PUBLIC_BUDGET} queries: {over}"
