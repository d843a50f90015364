"""In-process measurements: SQL queries and server time per page, uncached and cached.

Run by bench/run.py in a child process whose environment names the database
(DATABASE_URL) and turns DEBUG off; prints one JSON document on stdout.
Server time is the time Django takes to answer a request through the test client (URL
resolution, middleware, view, template), which excludes the network and the WSGI server.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Django loaded as gunicorn loads it (config/wsgi.py: settings, apps, the GC freeze).
import config.wsgi  # noqa: F401

# isort: split

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment

from bench.pages import admin_pages, public_pages
from reviews.models import ReviewRendering


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def timed(client: Client, url: str, runs: int, *, cached: bool) -> dict:
    client.get(url)  # warm up code paths and connections
    samples = []
    for _ in range(runs):
        if not cached:
            cache.clear()
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    return {
        "runs": runs,
        "p50": round(percentile(samples, 50), 2),
        "p95": round(percentile(samples, 95), 2),
        "p99": round(percentile(samples, 99), 2),
        "mean": round(statistics.fmean(samples), 2),
    }


def queries(client: Client, url: str) -> tuple[int, int]:
    """Queries of the next view and of a first view, Marquee's page cache empty each time.

    They differ on the review page alone: the first view after a change to a review renders
    its article and stores it (reviews/rendering.py); every view after reads it back.
    """
    counts = []
    for _ in range(2):
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        counts.append(len(captured))
    return counts[1], counts[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--queries-only", action="store_true")
    parser.add_argument("--cached-only", action="store_true",
                        help="Time public pages with the cache warm only (the Redis pass).")
    args = parser.parse_args()

    setup_test_environment()  # lets the test client run with DEBUG off
    anonymous = Client()
    staff = Client()
    user, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    staff.force_login(user)
    # No stored review pages, so the first view of the review page is one after a change.
    ReviewRendering.objects.all().delete()

    results = {"vendor": connection.vendor, "pages": {}}
    for label, url in public_pages().items():
        entry = {"url": url}
        entry["queries"], entry["queries_first_view"] = queries(anonymous, url)
        if not (args.queries_only or args.cached_only):
            entry["uncached"] = timed(anonymous, url, args.runs, cached=False)
        if not args.queries_only:
            entry["cached"] = timed(anonymous, url, args.runs, cached=True)
        results["pages"][label] = entry
        reset_queries()
    if args.cached_only:
        json.dump(results, sys.stdout, indent=2)
        return
    for label, url in admin_pages().items():
        entry = {"url": url}
        entry["queries"], entry["queries_first_view"] = queries(staff, url)
        if not args.queries_only:
            entry["uncached"] = timed(staff, url, max(20, args.runs // 5), cached=False)
        results["pages"][label] = entry
    json.dump(results, sys.stdout, indent=2)


if __name__ == "__main__":
    main()
