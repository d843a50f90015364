"""Deployment: the production settings, the served stack, and backup/restore of the content."""

import gzip
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, transaction

# Each test starts manage.py or gunicorn in a subprocess.
pytestmark = pytest.mark.slow

PROJECT_DIR = Path(__file__).resolve().parent.parent

# Variables the production settings read; a subprocess starts with none of them but PATH & co.
SETTINGS_VARIABLES = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "DATABASE_REPLICA_URL",
    "REDIS_URL",
    "EMAIL_HOST",
    "MARQUEE_SITE_URL",
    "TRUST_PROXY",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "MEDIA_ROOT",
    "SERVE_MEDIA",
    "STATIC_ROOT",
    "LOG_FORMAT",
    "DB_CONN_MAX_AGE",
    "DB_PREPARE_THRESHOLD",
    "DB_CONNECT_TIMEOUT",
    "DB_STATEMENT_TIMEOUT",
    "DB_REQUEST_TIMEOUT",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests' live server; refused in deployment
}

# The dumpdata command README "Deploying" documents, as arguments.
DUMP_ARGS = [
    "--natural-foreign",
    "--natural-primary",
    "--exclude=contenttypes",
    "--exclude=auth.permission",
    "--exclude=sessions",
    "--exclude=axes",
    "--exclude=admin.logentry",
    "--exclude=pagecache",
    "--exclude=django_tasks_database",
    "--exclude=tasks",
    "--exclude=reviews.searchword",
]


def production_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "marquee.example,127.0.0.1",
            "CSRF_TRUSTED_ORIGINS": "https://marquee.example",
            "TRUST_PROXY": "1",
            "DATABASE_URL": os.environ.get("DATABASE_URL", "")
            or "postgres://postgres@127.0.0.1:5432/marquee",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "EMAIL_HOST": "smtp.example.com",
            "MARQUEE_SITE_URL": "https://marquee.example",
        }
    )
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def manage(*args: str, env: dict[str, str], timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


# --- settings --------------------------------------------------------------------------------


def test_the_deploy_check_passes_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deploy_check_refuses_production_without_a_mail_server():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", env=production_env(EMAIL_HOST=None)
    )
    assert result.returncode != 0
    assert "mail.E001" in result.stderr


@pytest.mark.parametrize(
    ("site_url", "error"),
    [
        (None, "marquee.E001"),
        ("marquee.example", "marquee.E002"),
        ("ftp://x.example", "marquee.E002"),
    ],
)
def test_the_deploy_check_refuses_production_without_the_sites_address(site_url, error):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env=production_env(MARQUEE_SITE_URL=site_url),
    )
    assert result.returncode != 0
    assert error in result.stderr
    assert "MARQUEE_SITE_URL" in result.stderr


def test_a_bad_setting_names_its_variable():
    result = manage("check", env=production_env(REDIS_TIMEOUT=None, MEDIA_STORAGE_OPTIONS="{oops"))
    assert result.returncode != 0
    assert "MEDIA_STORAGE_OPTIONS is not valid JSON" in result.stderr


def test_the_deploy_check_fails_on_any_warning():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env=production_env(SECURE_HSTS_SECONDS="0"),
    )
    assert result.returncode != 0
    assert "security.W004" in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", env=production_env(SECRET_KEY=None))
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_refuses_to_start_with_the_development_key():
    from config import settings as marquee_settings

    result = manage("check", env=production_env(SECRET_KEY=marquee_settings._DEV_SECRET_KEY))
    assert result.returncode != 0
    assert "SECRET_KEY is the development key" in result.stderr


# --- backup and restore ----------------------------------------------------------------------


def dump() -> str:
    out = StringIO()
    call_command("dumpdata", *DUMP_ARGS, "--indent=1", stdout=out)
    return out.getvalue()


def models_in(dumped: str) -> set[str]:
    return {row["model"] for row in json.loads(dumped)}


@pytest.mark.django_db
def test_dumpdata_then_loaddata_into_a_fresh_database_round_trips_the_demo(settings, tmp_path):
    settings.DEBUG = True  # load_demo is a development command
    call_command("load_demo", stdout=StringIO())
    before = dump()
    assert models_in(before) >= {
        "films.film",
        "films.person",
        "films.castcredit",
        "reviews.review",
        "reviews.section",
        "reversion.version",
        "auth.user",
        "auth.group",
    }
    # Timestamps keep their microseconds (config/serializers.py), so "exactly" means exactly.
    assert re.search(r'"updated_at": "[^"]+\.\d{6}Z"', before)
    backup = tmp_path / "marquee.json"
    backup.write_text(before)

    # `flush` recreates every content type with a new id (in another order than the migrations
    # made them) and fills Django's process-wide ContentType cache with those ids. The test's
    # rollback brings the old ids back, so the flush runs in a savepoint rolled back here, and the
    # cache is emptied with it: otherwise later tests in this process read another model's id
    # (django-reversion then fails with "CommentBlock has not been registered").
    try:
        with transaction.atomic():
            # PostgreSQL refuses to TRUNCATE tables with deferred foreign-key checks still
            # pending in the transaction, so run those checks first.
            connection.check_constraints()
            call_command("flush", interactive=False, verbosity=0)  # a fresh, migrated database
            assert models_in(dump()) == set()
            call_command("loaddata", str(backup), verbosity=0)
            after = dump()
            transaction.set_rollback(True)
    finally:
        ContentType.objects.clear_cache()

    assert len(json.loads(after)) == len(json.loads(before))
    assert after == before
    in_database = {(ct.app_label, ct.model): ct.pk for ct in ContentType.objects.all()}
    for model in apps.get_models():
        cached = ContentType.objects.get_for_model(model)
        assert cached.pk == in_database[(cached.app_label, cached.model)], model


# --- the production stack, served ------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    """GET as a browser would (accepting gzip); the body comes back unzipped."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            body = response.read()
            if response.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            return response.status, dict(response.headers), body
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def served(request, tmp_path):
    """gunicorn with gunicorn.conf.py and production settings on a SQLite file, on loopback
    (more variables as the test's parameter, `indirect`)."""
    if shutil.which("gunicorn", path=str(Path(sys.executable).parent)) is None:
        pytest.fail("gunicorn is a dependency of Marquee; run `make install`")
    data = tmp_path / "data"
    data.mkdir()
    port = free_port()
    env = production_env(
        DATABASE_URL=f"sqlite:///{data / 'db.sqlite3'}",
        REDIS_URL=None,
        CACHE_DIR=str(tmp_path / "cache"),  # the cache without Redis: files, this test's own
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
        SECURE_SSL_REDIRECT="0",
        # A new connection per request, so moving the database away is seen at once (a kept
        # SQLite connection holds its open file; PostgreSQL's are health-checked instead).
        DB_CONN_MAX_AGE="0",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="1",
        **getattr(request, "param", {}),
    )
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        result = manage(*command, env=env)
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
        for _ in range(100):
            try:
                fetch(base + "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not start:\n" + (tmp_path / "server.log").read_text())
        yield base, data, lambda: (tmp_path / "server.log").read_text()
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


def test_each_gunicorn_worker_freezes_what_loading_made_out_of_the_collectors_way():
    # gunicorn calls the config file's post_worker_init once the worker has loaded the app.
    script = (
        "import gc, runpy; import config.wsgi; "
        "runpy.run_path('gunicorn.conf.py')['post_worker_init'](None); "
        "print(gc.get_freeze_count(), callable(config.wsgi.application))"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script],
        cwd=PROJECT_DIR,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    frozen, callable_app = result.stdout.split()
    assert int(frozen) > 10_000  # Django, the apps and their models
    assert callable_app == "True"


def test_gunicorn_serves_pages_and_hashed_static_files(served):
    base, _, server_log = served
    status, headers, body = fetch(base + "/")
    assert status == 200
    assert headers["X-Request-ID"]
    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', body.decode())
    assert stylesheet, "static URLs carry a content hash"

    status, headers, _ = fetch(base + stylesheet[1])
    assert status == 200
    assert "immutable" in headers["Cache-Control"]
    assert int(re.search(r"max-age=(\d+)", headers["Cache-Control"])[1]) >= 365 * 24 * 3600
    assert headers.get("Content-Encoding") == "gzip"

    # Access lines carry the request id; application lines are JSON.
    time.sleep(0.2)
    request_id = fetch(base + "/films/")[1]["X-Request-ID"]
    time.sleep(0.2)
    assert f"request_id={request_id}" in server_log()


def an_upload(tmp_path) -> str:
    """A poster in the served site's MEDIA_ROOT; its address."""
    from tests.factories import image_bytes

    (tmp_path / "media" / "library").mkdir(parents=True)
    (tmp_path / "media" / "library" / "poster.png").write_bytes(image_bytes())
    return "/media/library/poster.png"


def test_production_leaves_uploads_to_the_front_server(served, tmp_path):
    base, _, _ = served
    assert fetch(base + an_upload(tmp_path))[0] == 404  # nginx or object storage serve them


@pytest.mark.parametrize("served", [{"SERVE_MEDIA": "1"}], indirect=True)
def test_make_serve_shows_posters_and_photos_with_debug_off(served, tmp_path):
    """`make serve` (SERVE_MEDIA=1) tries the production stack with the demo's images shown,
    each an upload a browser cannot run as a page."""
    base, _, _ = served
    status, headers, body = fetch(base + an_upload(tmp_path))
    assert status == 200
    assert body.startswith(b"\x89PNG")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Security-Policy"] == "sandbox"
    serve_env = re.search(
        r"^SERVE_ENV = (.*?)\n\n", (PROJECT_DIR / "Makefile").read_text(), re.M | re.S
    )
    assert 'SERVE_MEDIA="$${SERVE_MEDIA:-1}"' in serve_env[1]


CONTENT = PROJECT_DIR.parent / "shared" / "content"


@pytest.mark.skipif(not CONTENT.is_dir(), reason="needs ../shared/content beside the project")
def test_a_review_a_make_command_publishes_shows_on_make_serve_at_once(served, tmp_path):
    """`make serve` and `make import-review` or `make manage` (DEBUG on) share the cache's
    files, as the Makefile's CACHE_ENV has them: the review list gunicorn keeps is retired by
    the import, and a page the development settings kept is never served by gunicorn."""
    base, data, _ = served
    fetch(base + "/reviews/")
    assert fetch(base + "/reviews/")[1]["X-Page-Cache"] == "hit"
    makefile = (PROJECT_DIR / "Makefile").read_text()
    assert 'CACHE_ENV = CACHE_DIR="$${CACHE_DIR:-$(CURDIR)/var/cache-dev}"' in makefile
    assert re.search(r"^SERVE_ENV = .*?\$\(CACHE_ENV\)\n\n", makefile, re.M | re.S)
    assert re.search(r"^DEV_ENV = .*\$\(CACHE_ENV\)$", makefile, re.M)

    development = production_env(
        DEBUG="1",
        DATABASE_URL=f"sqlite:///{data / 'db.sqlite3'}",
        REDIS_URL=None,
        CACHE_DIR=str(tmp_path / "cache"),
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    # A page the development settings render (unhashed static addresses) and keep.
    host = base.removeprefix("http://")
    script = f"from django.test import Client; Client().get('/films/', HTTP_HOST='{host}')"
    kept = manage("shell", "-c", script, env=development)
    assert kept.returncode == 0, kept.stderr
    assert fetch(base + "/films/")[1]["X-Page-Cache"] == "miss"

    steps = [
        ["import_film", str(CONTENT / "ballerina-film.tmdb.json")],
        ["createsuperuser", "--username", "admin", "--email", "a@example.com", "--noinput"],
        [
            "import_review",
            str(CONTENT / "ballerina-review.txt"),
            *("--film", "ballerina", "--author", "admin", "--display-name", "Ada Lane"),
            "--publish",
        ],
    ]
    for step in steps:
        result = manage(*step, env=development)
        assert result.returncode == 0, result.stderr
    status, headers, body = fetch(base + "/reviews/")
    assert status == 200
    assert headers["X-Page-Cache"] == "miss"
    assert "BALLERINA: A JOHN WICK Story" in body.decode()


def test_gunicorn_answers_503_while_the_database_is_gone_and_recovers(served, tmp_path):
    base, data, server_log = served
    assert fetch(base + "/healthz")[0] == 200
    assert fetch(base + "/films/")[0] == 200

    away = tmp_path / "away"
    data.rename(away)  # the database file is no longer where the settings say
    try:
        # The front page, never asked for yet, so no cache can answer for the database.
        status, headers, body = fetch(base + "/")
        assert status == 503
        assert "Back in a moment" in body.decode()
        assert "Traceback" not in body.decode()
        assert headers["Retry-After"] == "30"
        assert fetch(base + "/healthz")[0] == 503
    finally:
        away.rename(data)

    assert fetch(base + "/")[0] == 200
    assert fetch(base + "/healthz")[0] == 200
    time.sleep(0.2)
    errors = [
        json.loads(line)
        for line in server_log().splitlines()
        if line.startswith("{") and '"marquee.availability"' in line
    ]
    assert errors
    assert all(entry["request_id"] != "-" for entry in errors)
