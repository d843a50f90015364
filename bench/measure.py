"""In-process measurements: SQL queries and server time per page in three cache states.

- cold: every cache empty (the first view after a change or a deploy);
- fragments warm: the page cache's copy dropped, cached fragments kept (the review page's
  article, related box and comment thread; the review list's filter choices);
- cached: the page cache warm.

Run by bench/run.py in a child process whose environment names the database
(DATABASE_URL) and turns DEBUG off; prints one JSON document on stdout.
Server time is the time Django takes to answer a request: `config.wsgi.application` called
as gunicorn calls it (URL resolution, middleware, view, template, reading the body), which
excludes the network and the WSGI server. Queries are counted through Django's test client.
"""

import argparse
import gc
import io
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")  # local memory

# Django loaded as gunicorn loads it: config/wsgi.py, then the GC freeze that gunicorn.conf.py's
# post_worker_init does in each worker.
from config.wsgi import application

# isort: split

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection, reset_queries
from django.test import Client, RequestFactory
from django.test.utils import (
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)

from bench.pages import admin_pages, public_pages
from pagecache.models import PendingRetirement
from pagecache.pages import page_key

gc.freeze()


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def wsgi_get(url: str, cookie: str = "") -> int:
    """GET `url` from the WSGI application as gunicorn would ask for it; the status code."""
    path, _, query = url.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if cookie:
        environ["HTTP_COOKIE"] = cookie
    status = []
    body = application(environ, lambda line, headers, exc_info=None: status.append(line))
    try:
        b"".join(body)
    finally:
        body.close()  # request_finished, as gunicorn does after sending
    return int(status[0].split()[0])


def drop_page(url: str) -> None:
    """Drop the page cache's copies of `url` (as wsgi_get and the test client ask for it: the
    host is part of the key), keeping fragments."""
    for host in ("127.0.0.1:8000", "testserver"):
        cache.delete(page_key(RequestFactory().get(url, HTTP_HOST=host)))


def timed(url: str, runs: int, *, state: str, cookie: str = "") -> dict:
    wsgi_get(url, cookie)  # warm up code paths and connections
    samples = []
    for _ in range(runs):
        if state == "cold":
            cache.clear()
        elif state == "fragments":
            drop_page(url)
        start = time.perf_counter()
        status = wsgi_get(url, cookie)
        samples.append((time.perf_counter() - start) * 1000)
        if status != 200:
            raise SystemExit(f"{url} answered {status}")
    return {
        "runs": runs,
        "p50": round(percentile(samples, 50), 2),
        "p95": round(percentile(samples, 95), 2),
        "p99": round(percentile(samples, 99), 2),
        "mean": round(statistics.fmean(samples), 2),
    }


def queries(client: Client, url: str) -> tuple[int, int]:
    """Queries of a view with fragments warm and of a cold one, the page cache empty.

    They differ where a page caches fragments for the next view (the review page, the review
    list).
    """
    counts = []
    cache.clear()
    for _ in range(2):
        drop_page(url)
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        # Not the page's: each process asks whether a retirement waits in the database
        # (pagecache.tags.trusted) at most once a MARQUEE_PAGE_CACHE_RECHECK, on whichever
        # request comes then, so that one would make a page's count differ by one run to run.
        counts.append(sum(PendingRetirement._meta.db_table not in q["sql"] for q in captured))
    return counts[1], counts[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--queries-only", action="store_true")
    parser.add_argument(
        "--cached-only",
        action="store_true",
        help="Time public pages with the cache warm only (the Redis pass).",
    )
    args = parser.parse_args()

    setup_test_environment()  # lets the test client run with DEBUG off
    anonymous = Client()
    staff = Client()
    user, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    staff.force_login(user)
    staff_cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in staff.cookies.items())
    results = {"vendor": connection.vendor, "pages": {}}
    public, admin = public_pages(), admin_pages()
    for label, url in [*public.items(), *admin.items()]:
        entry = results["pages"][label] = {"url": url}
        client = staff if label in admin else anonymous
        entry["queries"], entry["queries_first_view"] = queries(client, url)
        reset_queries()
    if args.queries_only:
        json.dump(results, sys.stdout, indent=2)
        return

    teardown_test_environment()  # time the templates as they run in production
    for label, url in public.items():
        entry = results["pages"][label]
        if not args.cached_only:
            entry["uncached"] = timed(url, args.runs, state="cold")
            entry["fragments_warm"] = timed(url, args.runs, state="fragments")
        entry["cached"] = timed(url, args.runs, state="cached")
    if not args.cached_only:
        for label, url in admin.items():
            results["pages"][label]["uncached"] = timed(
                url, max(20, args.runs // 5), state="cold", cookie=staff_cookie
            )
    json.dump(results, sys.stdout, indent=2)


if __name__ == "__main__":
    main()
