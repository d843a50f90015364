"""The services around the app: health check, database outages, Redis, the replica router, logs."""

import io
import json
import logging
import os
import subprocess
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.cache import cache, caches
from django.db import connections
from django.test import override_settings
from django.urls import reverse

import config.cache
from config.cache import ResilientRedisCache
from config.logs import JsonFormatter, RequestIdFilter
from films.models import Film
from tests.factories import ReviewFactory, StaffFactory

CLOSED_PORT_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1
REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")


def redis_cache_settings(location: str, prefix: str = "marquee-test") -> dict:
    return {
        "default": {
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": location,
            "KEY_PREFIX": prefix,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


# --- the database going away ------------------------------------------------------------------


@contextmanager
def database_down():
    """Point the default alias at a database that cannot be reached, then put it back.

    The real connection (and the test's transaction on it) is set aside, not touched: a fresh
    connection object with an unreachable address takes its place, as after a server restart.
    The cache is emptied first, so pages are really rendered and not served from the page cache.
    """
    cache.clear()
    original = connections["default"]
    broken_settings = {**original.settings_dict}
    if original.vendor == "sqlite":
        broken_settings["NAME"] = "/nonexistent/dir/db.sqlite3"
    else:
        broken_settings.update({"HOST": "127.0.0.1", "PORT": "1"})
    broken = original.__class__(broken_settings, alias="default")
    connections["default"] = broken
    try:
        yield
    finally:
        broken.close()
        connections["default"] = original


@pytest.fixture
def json_log():
    """Everything logged while the fixture is active, as parsed JSON lines."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)


@pytest.mark.django_db
def test_healthz_answers_ok_with_the_database_up(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response.headers["Cache-Control"]


@pytest.mark.django_db
def test_healthz_answers_503_with_the_database_down_and_recovers(client):
    with database_down():
        response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert client.get(reverse("healthz")).status_code == 200


@pytest.mark.django_db
def test_public_pages_answer_a_friendly_503_while_the_database_is_down(client, json_log):
    review = ReviewFactory(published=True)
    urls = [reverse("reviews:home"), review.get_absolute_url(), reverse("films:list")]
    with database_down():
        for url in urls:
            response = client.get(url)
            page = response.content.decode()
            assert response.status_code == 503, url
            assert response.headers["Retry-After"] == "30"
            assert "Back in a moment" in page
            for leak in ("Traceback", "OperationalError", "SECRET_KEY", "sqlite", "psycopg"):
                assert leak not in page, (url, leak)
            # The security headers still go out on the error page.
            assert "Content-Security-Policy" in response.headers

    # The database is back: the same pages answer again with no restart.
    for url in urls:
        assert client.get(url).status_code == 200, url

    # Each failure was logged as one JSON line naming the request it belonged to.
    errors = [entry for entry in json_log() if entry["logger"] == "marquee.availability"]
    assert len(errors) == len(urls)
    assert all(entry["level"] == "ERROR" and "exc_info" in entry for entry in errors)
    assert len({entry["request_id"] for entry in errors}) == len(urls)


@pytest.mark.django_db
def test_the_logged_request_id_is_the_one_sent_back(client, json_log):
    with database_down():
        response = client.get(reverse("films:list"), headers={"X-Request-ID": "edge-7f3a9c21"})
    assert response.headers["X-Request-ID"] == "edge-7f3a9c21"
    (entry,) = [e for e in json_log() if e["logger"] == "marquee.availability"]
    assert entry["request_id"] == "edge-7f3a9c21"
    assert entry["message"] == "Database unavailable: GET /films/ answered 503"


# --- Redis ------------------------------------------------------------------------------------


@pytest.fixture
def real_redis():
    """The cache on the real Redis, own DB index and key prefix; skipped if absent, unless CI."""
    import redis

    try:
        redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=0.5).ping()
    except redis.exceptions.RedisError as error:
        if os.environ.get("CI"):
            pytest.fail(f"Redis at {REDIS_TEST_URL} is required in CI: {error}")
        pytest.skip(f"Redis at {REDIS_TEST_URL} is not reachable ({error})")
    prefix = f"marquee-test-{uuid.uuid4().hex[:8]}"
    with override_settings(CACHES=redis_cache_settings(REDIS_TEST_URL, prefix)):
        yield caches["default"]
        raw = redis.Redis.from_url(REDIS_TEST_URL)
        for key in raw.scan_iter(f"{prefix}:*"):
            raw.delete(key)


def test_the_cache_round_trips_through_the_real_redis(real_redis):
    import redis

    assert isinstance(real_redis, ResilientRedisCache)
    real_redis.set("greeting", {"hello": "world"}, timeout=60)
    assert real_redis.get("greeting") == {"hello": "world"}
    assert real_redis.add("greeting", "other") is False
    assert real_redis.add("counter", 0) is True
    assert real_redis.incr("counter") == 1
    real_redis.set_many({"a": 1, "b": 2})
    assert real_redis.get_many(["a", "b", "missing"]) == {"a": 1, "b": 2}
    assert real_redis.delete("a") is True
    assert real_redis.has_key("a") is False
    # The value really is in Redis, under the key prefix, in the test database index.
    raw = redis.Redis.from_url(REDIS_TEST_URL)
    assert raw.exists(real_redis.make_key("greeting"))


@pytest.mark.django_db
def test_sessions_live_in_redis_with_the_database_behind_them(real_redis, client, settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    client.force_login(StaffFactory())
    key = client.session.session_key
    assert real_redis.get(f"django.contrib.sessions.cached_db{key}") is not None
    assert client.get(reverse("admin:index")).status_code == 200


def test_an_unreachable_redis_reads_as_misses_and_drops_writes(caplog, monkeypatch):
    monkeypatch.setattr(config.cache, "_last_warning", [0.0])
    with override_settings(CACHES=redis_cache_settings(CLOSED_PORT_REDIS)):
        cache = caches["default"]
        assert cache.get("anything") is None
        assert cache.get("anything", "fallback") == "fallback"
        cache.set("anything", 1)
        assert cache.add("anything", 1) is False
        assert cache.get_many(["a", "b"]) == {}
        assert cache.set_many({"a": 1}) == ["a"]
        assert cache.delete("anything") is False
        assert cache.has_key("anything") is False
        assert cache.get_or_set("computed", lambda: "fresh") == "fresh"
        with pytest.raises(ValueError, match="not found"):
            cache.incr("counter")  # as for a missing key, so callers' fallback runs
    # One warning, not one per call: an outage must not flood the logs.
    warnings = [r for r in caplog.records if "Redis cache unavailable" in r.getMessage()]
    assert len(warnings) == 1
    assert warnings[0].levelname == "WARNING"


@pytest.mark.django_db
def test_the_site_keeps_serving_with_redis_unreachable(client, settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    review = ReviewFactory(published=True)
    with override_settings(CACHES=redis_cache_settings(CLOSED_PORT_REDIS)):
        for url in (reverse("reviews:home"), review.get_absolute_url(), reverse("films:list")):
            assert client.get(url).status_code == 200, url
        # Staff sessions fall back to the database.
        client.force_login(StaffFactory())
        assert client.get(reverse("admin:index")).status_code == 200
        assert client.get(reverse("admin:index")).status_code == 200
        # The healthz answer depends on the database alone.
        assert client.get(reverse("healthz")).json() == {"status": "ok"}


# --- the read replica router ------------------------------------------------------------------

# Run in a fresh process with DATABASE_REPLICA_URL set, so the settings wiring is tested too. Both
# aliases name one SQLite file: a replica that is never behind. (Inside the test run a second
# alias would have to be a TEST MIRROR, which sits outside each test's transaction and so sees
# none of its rows, and transactional tests would empty the shared test database for the rest.)
ROUTING_SCRIPT = """
import json
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from films.models import Film
from tests.factories import FilmFactory

primary, replica = connections["default"], connections["replica"]
report = {"mirror": replica.settings_dict["TEST"]["MIRROR"]}
with CaptureQueriesContext(primary) as on_primary, CaptureQueriesContext(replica) as on_replica:
    film = FilmFactory(title="Ballerina")
    found = Film.objects.get(pk=film.pk)
    report["read_from"] = found._state.db
    found.title = "From the World of John Wick: Ballerina"
    found.save()
report["primary"] = [q["sql"].split()[0] for q in on_primary.captured_queries]
report["replica"] = [q["sql"].split()[0] for q in on_replica.captured_queries]
with CaptureQueriesContext(replica) as on_replica, transaction.atomic():
    report["read_in_transaction_from"] = Film.objects.get(pk=film.pk)._state.db
report["replica_in_transaction"] = len(on_replica.captured_queries)
report["title_on_replica"] = Film.objects.using("replica").get(pk=film.pk).title
print(json.dumps(report))
"""


@pytest.fixture(scope="module")
def routing_report(tmp_path_factory):
    database = tmp_path_factory.mktemp("replica") / "db.sqlite3"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DATABASE_REPLICA_URL", "REDIS_URL"}
    }
    env.update(
        DEBUG="1",
        DATABASE_URL=f"sqlite:///{database}",
        DATABASE_REPLICA_URL=f"sqlite:///{database}",
    )
    project = Path(__file__).resolve().parent.parent
    for args in (["migrate", "--noinput"], ["shell", "--no-imports", "-c", ROUTING_SCRIPT]):
        result = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", *args],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_database_replica_url_adds_a_replica_alias_mirroring_the_primary_in_tests(
    routing_report,
):
    assert routing_report["mirror"] == "default"


def test_reads_go_to_the_replica_and_writes_to_the_primary(routing_report):
    assert routing_report["read_from"] == "replica"
    assert "INSERT" in routing_report["primary"]
    assert "UPDATE" in routing_report["primary"]  # saving an object read from the replica
    assert routing_report["replica"]
    assert set(routing_report["replica"]) == {"SELECT"}
    assert routing_report["title_on_replica"] == "From the World of John Wick: Ballerina"


def test_reads_inside_a_transaction_stay_on_the_primary(routing_report):
    assert routing_report["read_in_transaction_from"] == "default"
    assert routing_report["replica_in_transaction"] == 0


def test_without_a_replica_the_router_steps_aside():
    from config.routers import PrimaryReplicaRouter

    router = PrimaryReplicaRouter()
    assert router.db_for_read(Film) is None
    assert router.db_for_write(Film) == "default"
    assert router.allow_migrate("default", "films") is True
    assert router.allow_migrate("replica", "films") is False


# --- prepared statements on PostgreSQL: an opt-in knob -----------------------------------------


@contextmanager
def prepared_statements(threshold: int = 5):
    """The default alias as DB_PREPARE_THRESHOLD=threshold would configure it."""
    original = connections["default"]
    options = {
        **original.settings_dict["OPTIONS"],
        "server_side_binding": True,
        "prepare_threshold": threshold,
    }
    knob_on = original.__class__({**original.settings_dict, "OPTIONS": options}, alias="default")
    connections["default"] = knob_on
    try:
        yield knob_on
    finally:
        knob_on.close()
        connections["default"] = original


def test_prepared_statements_are_off_by_default():
    """PgBouncer-safe, and integers go to PostgreSQL as text it range-checks itself."""
    from django.conf import settings

    if os.environ.get("DB_PREPARE_THRESHOLD"):
        pytest.skip("DB_PREPARE_THRESHOLD is set in this environment")
    assert settings.PREPARE_THRESHOLD == 0
    for database in settings.DATABASES.values():
        assert "server_side_binding" not in database.get("OPTIONS", {})
        assert "prepare_threshold" not in database.get("OPTIONS", {})


@pytest.mark.django_db
def test_the_default_settings_never_store_an_integer_as_another():
    """2**32 + 7 once became 7 on PostgreSQL with server-side binding."""
    from django.db import DataError, IntegrityError, transaction

    try:
        with transaction.atomic():
            film = Film.objects.create(title="Wide", slug="wide", tmdb_id=2**32 + 7)
    except (DataError, IntegrityError):
        assert not Film.objects.filter(slug="wide").exists()  # refused by the database
    else:
        film.refresh_from_db()
        assert film.tmdb_id == 2**32 + 7  # SQLite holds 64 bits: stored as it is
    assert not Film.objects.filter(tmdb_id=7).exists()


@pytest.mark.skipif(
    connections["default"].vendor != "postgresql",
    reason="prepared statements are a PostgreSQL connection setting",
)
@pytest.mark.django_db(transaction=True)
def test_with_the_knob_on_a_statement_sent_often_is_prepared_and_answers_the_same():
    """The review page's statements run again and again: PostgreSQL keeps their plans."""
    with prepared_statements(5) as connection:
        film = Film.objects.create(title="Ballerina", slug="ballerina")
        connection.ensure_connection()
        assert connection.connection.prepare_threshold == 5
        titles = [Film.objects.get(pk=film.pk).title for _ in range(6)]
        assert set(titles) == {"Ballerina"}
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            prepared = [row[0] for row in cursor.fetchall()]
    assert any('FROM "films_film"' in statement and "$1" in statement for statement in prepared)


@pytest.mark.skipif(
    connections["default"].vendor != "postgresql",
    reason="server-side binding is a PostgreSQL connection setting",
)
@pytest.mark.django_db(transaction=True)
def test_with_the_knob_on_the_importer_still_refuses_an_id_beyond_the_column(tmp_path):
    """Server-side binding wraps 2**32 + 7 to 7; the importer checks the range before it."""
    from django.core.management import CommandError, call_command

    path = tmp_path / "film.json"
    path.write_text(json.dumps({"id": 2**32 + 7, "title": "Wide"}))
    with prepared_statements(5):
        seven = Film.objects.create(title="Seven", slug="seven", tmdb_id=7)
        with pytest.raises(CommandError, match=r"\$\.id: 4294967303 is out of range"):
            call_command("import_film", str(path), stdout=io.StringIO())
        seven.refresh_from_db()
        assert seven.title == "Seven"
        assert Film.objects.count() == 1
