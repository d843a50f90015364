"""Query budgets: every public page and admin changelist runs a fixed number of SQL queries.

The same page types are measured on a small and a five-times larger generated archive (the
benchmark generator), at the busiest objects each time; the counts must be equal, and public
pages stay within ten queries (the review page's cold view eleven: BUDGETS). `make bench` runs
the same measurement at scale 1.
"""

import pytest
from django.core.cache import cache
from django.core.exceptions import FieldFetchBlocked
from django.db import connection
from django.db.models import FETCH_RAISE, query
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from bench.data import generate
from bench.pages import admin_pages, public_pages
from pagecache.pages import page_key
from reviews.models import Review
from tests.factories import SuperuserFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db]
PUBLIC_BUDGET = 10
# The review page's cold view on a small archive (the related box filled from same-genre
# reviews): 11, since the box reads its close films' ids before its cards, which took ~3 ms of
# PostgreSQL's planning off each cold view (bench/NOTES.md). With fragments warm it runs one.
BUDGETS = {"review": 11}


def count_queries(client, url: str) -> tuple[int, int]:
    """Queries of a cold view (every cache empty) and of a view with cached fragments warm
    (the review's article), the page cache's copy of the page dropped each time."""
    counts = []
    cache.clear()
    for _ in range(2):
        cache.delete(page_key(RequestFactory().get(url)))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        counts.append(len(queries))
    return tuple(counts)


def measure(client, admin_client) -> dict[str, tuple[int, int]]:
    # Page labels name the deep list page by number, which differs between sizes.
    public = {label.split(" p")[0]: url for label, url in public_pages(deep_page=2).items()}
    counts = {label: count_queries(client, url) for label, url in public.items()}
    counts |= {label: count_queries(admin_client, url) for label, url in admin_pages().items()}
    return counts


def test_query_counts_do_not_grow_with_the_archive(client):
    admin_client = type(client)()
    admin_client.force_login(SuperuserFactory())
    generate(scale=0.001, no_progress=True, verbosity=0)
    small = measure(client, admin_client)
    generate(scale=0.005, replace=True, no_progress=True, verbosity=0)
    large = measure(client, admin_client)
    assert large == small
    over = {
        page: n
        for page, n in small.items()
        if not page.startswith("admin") and max(n) > BUDGETS.get(page, PUBLIC_BUDGET)
    }
    assert not over, f"public pages over their budget ({PUBLIC_BUDGET} queries): {over}"


def test_public_pages_load_nothing_lazily(client, monkeypatch):
    """With Django's FETCH_RAISE fetch mode, a related object or deferred field a page's
    template reads without its view having loaded it raises instead of running a query."""
    generate(scale=0.001, no_progress=True, verbosity=0)
    monkeypatch.setattr(query, "DEFAULT_FETCH_MODE", FETCH_RAISE)
    with pytest.raises(FieldFetchBlocked):  # the mode is on: a lazy load fails
        Review.objects.published().cards().first().intro  # noqa: B018
    for label, url in public_pages(deep_page=2).items():
        for _ in range(2):  # cold, then with cached fragments warm
            cache.delete(page_key(RequestFactory().get(url)))
            assert client.get(url).status_code == 200, label
