"""A Redis fault costs speed, never correctness: each fault reproduced on a real redis-server
(started here on a free port) that is frozen with SIGSTOP (hung) or full (maxmemory,
noeviction).

- a takedown during an outage is kept in the database and the page cache serves nothing until
  it reaches Redis: the page is gone as soon as Redis answers again;
- a hung Redis opens the circuit breaker: pages stop waiting for the socket timeout, and the
  cache is used again once a probe finds Redis back;
- a full Redis turns no page into a 500;
- query strings outside a page's known parameters make no new cache entries.
"""

import os
import shutil
import signal
import socket
import subprocess
import time
import uuid

import pytest
import redis
from django.core.cache import caches
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from config import cache as resilient
from pagecache.models import PendingRetirement
from tests.factories import ReviewFactory, SuperuserFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SOCKET_TIMEOUT = 0.3


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def redis_server(tmp_path):
    """A redis-server of our own, so freezing or filling it troubles no one else."""
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is required in CI")
        pytest.skip("redis-server is not installed")
    port = free_port()
    process = subprocess.Popen(  # noqa: S603
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port, socket_timeout=2)
    for _ in range(50):
        try:
            client.ping()
            break
        except redis.exceptions.ConnectionError:
            time.sleep(0.1)
    yield process, client, f"redis://127.0.0.1:{port}/0"
    if process.poll() is None:
        process.send_signal(signal.SIGCONT)
        process.kill()
    process.wait(5)


@pytest.fixture
def site_on_redis(redis_server, settings):
    process, client, url = redis_server
    caches_setting = {
        "default": {
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": f"faults-{uuid.uuid4().hex[:6]}",
            "OPTIONS": {"socket_connect_timeout": SOCKET_TIMEOUT, "socket_timeout": SOCKET_TIMEOUT},
        }
    }
    settings.MARQUEE_PAGE_CACHE_RECHECK = 0  # ask the database on every request
    with override_settings(CACHES=caches_setting):
        cache = caches["default"]
        cache.breaker.seconds = 0.5  # probe again soon, for the test's sake
        yield process, client, cache
        resilient._breakers.pop(url, None)


def served_from_cache(client, url) -> tuple[bool, object]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    shown = [q["sql"] for q in queries.captured_queries if "pagecache" not in q["sql"]]
    return not shown, response


def test_an_unpublish_while_redis_is_hung_is_gone_once_it_answers(client, site_on_redis):
    process, _, cache = site_on_redis
    review = ReviewFactory(published=True, headline="Soon withdrawn")
    url = review.get_absolute_url()
    client.get(url)
    assert served_from_cache(client, url)[0]

    process.send_signal(signal.SIGSTOP)  # Redis hangs: the retirement cannot be written
    try:
        review.unpublish(by=SuperuserFactory())
        assert PendingRetirement.objects.exists()
        assert client.get(url).status_code == 404  # while Redis is hung
    finally:
        process.send_signal(signal.SIGCONT)
    time.sleep(cache.breaker.seconds + 0.1)  # the breaker lets a probe through
    # Redis still holds the old page; the waiting retirement reaches it before it is served.
    assert client.get(url).status_code == 404
    assert not PendingRetirement.objects.exists()
    assert client.get("/").status_code == 200
    assert "Soon withdrawn" not in client.get("/").content.decode()


def test_a_hung_redis_opens_the_breaker_and_a_probe_closes_it(client, site_on_redis):
    process, _, cache = site_on_redis
    review = ReviewFactory(published=True)
    url = review.get_absolute_url()
    client.get(url)
    cache.breaker.seconds = 30  # no probe while we time the requests
    process.send_signal(signal.SIGSTOP)
    try:
        for _ in range(3):  # pages keep coming; their cache calls trip the breaker
            assert client.get(url).status_code == 200
        assert cache.breaker.opened_at is not None
        start = time.monotonic()
        for n in range(20):  # now each cache call fails at once, not after the timeout
            assert cache.get(f"key-{n}") is None
        assert time.monotonic() - start < SOCKET_TIMEOUT
        assert client.get(url).status_code == 200
    finally:
        process.send_signal(signal.SIGCONT)
    cache.breaker.seconds = 0.2
    time.sleep(0.3)
    client.get(url)  # the probe succeeds; the page is stored again
    assert served_from_cache(client, url)[0]


def test_a_full_redis_is_no_500_and_takedowns_still_hold(client, site_on_redis):
    _, raw, _ = site_on_redis
    review = ReviewFactory(published=True, headline="Withdrawn while full")
    raw.config_set("maxmemory-policy", "noeviction")
    raw.config_set("maxmemory", max(1, raw.info("memory")["used_memory"]) + 64 * 1024)

    def fill_it_up():
        for n in range(100_000):
            raw.set(f"ballast:{n}", "x" * 1024)

    with pytest.raises(redis.exceptions.ResponseError):
        fill_it_up()
    for url in ("/", "/reviews/", review.get_absolute_url(), "/films/", "/feed/"):
        assert client.get(url).status_code == 200, url
    review.unpublish(by=SuperuserFactory())
    assert client.get(review.get_absolute_url()).status_code == 404
    assert "Withdrawn while full" not in client.get("/").content.decode()


def test_unknown_query_strings_make_no_new_cache_entries(client, site_on_redis):
    _, raw, _ = site_on_redis
    ReviewFactory(published=True)
    client.get("/reviews/")
    keys = raw.dbsize()
    for n in range(50):
        assert client.get(f"/reviews/?utm_source={uuid.uuid4().hex}&n={n}").status_code == 200
    assert raw.dbsize() == keys
