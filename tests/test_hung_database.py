"""A hung PostgreSQL must not take the site down (#16 item 2).

A throwaway cluster (never the shared server) serves gunicorn with production settings and
persistent connections; then every PostgreSQL process is frozen with SIGSTOP. Requests must still
be answered: /healthz with 503 in a couple of seconds, pages with the 503 page (not an empty
response after gunicorn kills the worker), cached pages as usual; and all recovers once thawed.
"""

import concurrent.futures
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

import pytest

from tests.faults.cluster import postgres_bin, throwaway_cluster, wait_for
from tests.test_deploy import PROJECT_DIR, fetch, free_port, manage, production_env

pytestmark = pytest.mark.slow

HEALTHZ_TIMEOUT = 2  # config/settings.py
DEADLINES = {"DB_CONNECT_TIMEOUT": "2", "DB_STATEMENT_TIMEOUT": "2", "DB_REQUEST_TIMEOUT": "4"}


def timed(url: str) -> tuple[int, str, float]:
    """Status, page and seconds, waiting as long as a browser would (not fetch's 10 s)."""
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=40) as response:  # noqa: S310
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    return status, body.decode(errors="replace"), time.monotonic() - started


def report(**figures) -> None:
    """Hand the measured figures to tests/faults/run.py when it runs this test."""
    path = os.environ.get("MARQUEE_FAULT_REPORT")
    if path:
        with open(path, "a", encoding="utf-8") as stream:
            stream.write(json.dumps(figures) + "\n")


@pytest.fixture
def frozen_site(tmp_path):
    if postgres_bin() is None:
        if os.environ.get("CI"):
            pytest.fail("CI needs PostgreSQL's server binaries (initdb, pg_ctl)")
        pytest.skip("PostgreSQL's server binaries (initdb, pg_ctl) are not installed")
    with throwaway_cluster() as cluster:
        port = free_port()
        env = production_env(
            DATABASE_URL=cluster.url,
            # The page cache shared by the workers, as in production (own DB index and prefix).
            REDIS_URL=os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15"),
            CACHE_KEY_PREFIX=f"marquee-hung-{uuid.uuid4().hex[:8]}",
            STATIC_ROOT=str(tmp_path / "static"),
            MEDIA_ROOT=str(tmp_path / "media"),
            SECURE_SSL_REDIRECT="0",
            DB_CONN_MAX_AGE="60",  # kept connections: the case that used to hang
            GUNICORN_BIND=f"127.0.0.1:{port}",
            GUNICORN_WORKERS="2",
            GUNICORN_TIMEOUT="30",
            **DEADLINES,
        )
        for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
            result = manage(*command, env=env, timeout=300)
            assert result.returncode == 0, result.stderr
        log = (tmp_path / "server.log").open("w+")
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
            cwd=PROJECT_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:

            def up():
                try:
                    return fetch(base + "/healthz")[0] == 200
                except OSError:
                    return False

            assert wait_for(up, timeout=60), (tmp_path / "server.log").read_text()
            yield base, cluster, lambda: (tmp_path / "server.log").read_text()
        finally:
            cluster.thaw()
            server.terminate()
            server.wait(timeout=30)
            log.close()


def test_a_frozen_database_gets_503s_fast_and_the_site_recovers(frozen_site):
    base, cluster, server_log = frozen_site
    # The workers hold kept connections, and the film list is in the page cache.
    for _ in range(8):
        assert fetch(base + "/films/")[0] == 200
        assert fetch(base + "/healthz")[0] == 200

    cluster.freeze()
    try:
        status, body, seconds = timed(base + "/healthz")
        assert status == 503, body
        assert seconds < HEALTHZ_TIMEOUT + 2.5, seconds
        healthz_seconds = seconds

        status, body, seconds = timed(base + "/reviews/")  # never cached: needs the database
        assert status == 503
        assert "Back in a moment" in body
        assert seconds < 4 + 2.5, seconds

        status, body, seconds = timed(base + "/films/")  # cached: served without the database
        assert status == 200, body
        assert seconds < 1.5, seconds

        # Load: more requests than workers at once, every one answered with a page.
        urls = [base + path for path in ["/", "/reviews/", "/films/", "/healthz"] * 3]
        with concurrent.futures.ThreadPoolExecutor(max_workers=len(urls)) as pool:
            answers = list(pool.map(timed, urls))
        statuses = [status for status, _, _ in answers]
        assert set(statuses) <= {200, 503}, statuses
        assert all(body.strip() for _, body, _ in answers)
        slowest = max(seconds for _, _, seconds in answers)
        assert slowest < 25, slowest  # under gunicorn's 30 s: no worker was killed
    finally:
        cluster.thaw()

    assert wait_for(lambda: fetch(base + "/healthz")[0] == 200, timeout=20)
    assert fetch(base + "/reviews/")[0] == 200
    assert "WORKER TIMEOUT" not in server_log()
    report(
        test="frozen database",
        requests=len(urls) + 3,
        answered=len(urls) + 3,
        healthz_seconds=round(healthz_seconds, 2),
        slowest_seconds=round(slowest, 2),
    )
