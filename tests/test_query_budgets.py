"""Query budgets: every public page and admin changelist runs a fixed number of SQL queries.

The same page types are measured on a small and a five-times larger generated archive (the
benchmark generator), at the busiest objects each time; the counts must be equal, and public
pages stay within ten queries. `make bench` runs the same measurement at scale 1.
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.data import generate
from bench.pages import admin_pages, public_pages
from tests.factories import SuperuserFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db]
PUBLIC_BUDGET = 10


def count_queries(client, url: str) -> tuple[int, int]:
    """Queries of a first view and of the next (the review page stores its article on the
    first view after a change, reviews/rendering.py), Marquee's page cache empty each time."""
    counts = []
    for _ in range(2):
        cache.clear()
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
    over = {page: n for page, n in small.items()
            if not page.startswith("admin") and max(n) > PUBLIC_BUDGET}
    assert not over, f"public pages over {PUBLIC_BUDGET} queries: {over}"
