"""Settings fail loudly: a bad value in the environment stops the start with the variable named.

The settings module and gunicorn.conf.py are run afresh (runpy) with the variable set, exactly as
a starting process reads them.
"""

import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

PROJECT_DIR = Path(__file__).resolve().parent.parent


def read_settings() -> dict:
    return runpy.run_path(str(PROJECT_DIR / "config" / "settings.py"))


@pytest.fixture
def development(monkeypatch):
    monkeypatch.setenv("DEBUG", "1")
    monkeypatch.setenv("MARQUEE_RELEASE", "test")  # no digest of the source tree
    for name in ("DATABASE_URL", "DATABASE_REPLICA_URL", "REDIS_URL", "LOG_LEVEL", "LOG_FORMAT"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.mark.parametrize(
    ("name", "value", "extra"),
    [
        ("DEBUG", "maybe", {}),
        ("DB_CONN_MAX_AGE", "forever", {}),
        ("MARQUEE_COMMENTS_RATE_LIMIT", "5.5", {}),
        ("MARQUEE_PAGE_CACHE_RECHECK", "soon", {}),
        ("MARQUEE_PREPUBLISH_CHECKS", "{no_rating: block}", {}),
        ("MARQUEE_AKISMET_TIMEOUT", "2s", {}),
        ("MARQUEE_REGION", "Britain", {}),
        ("REDIS_TIMEOUT", "half a second", {"REDIS_URL": "redis://127.0.0.1:6379/0"}),
        ("REDIS_CONNECT_TIMEOUT", "1/2", {"REDIS_URL": "redis://127.0.0.1:6379/0"}),
        ("LOG_FORMAT", "xml", {}),
        ("LOG_LEVEL", "loud", {}),
    ],
)
def test_a_bad_value_names_its_variable(development, name, value, extra):
    for other, setting in extra.items():
        development.setenv(other, setting)
    development.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=rf"^{name}\b"):
        read_settings()


def test_blank_variables_take_their_defaults(development):
    for name in ("MARQUEE_REGION", "MARQUEE_AKISMET_TIMEOUT", "TMDB_API_URL", "DB_CONN_MAX_AGE"):
        development.setenv(name, "  ")
    settings = read_settings()
    assert settings["MARQUEE_REGION"] == "GB"
    assert settings["MARQUEE_AKISMET_TIMEOUT"] == 2.0
    assert settings["TMDB_API_URL"] == "https://api.themoviedb.org/3"
    assert settings["DATABASES"]["default"]["CONN_MAX_AGE"] == 0


def test_values_are_read_as_their_setting_needs(development):
    development.setenv("MARQUEE_REGION", " us ")
    development.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    development.setenv("REDIS_TIMEOUT", "0.25")
    settings = read_settings()
    assert settings["MARQUEE_REGION"] == "US"
    assert settings["CACHES"]["default"]["OPTIONS"]["socket_timeout"] == 0.25


def test_gunicorn_names_a_bad_variable_too(monkeypatch):
    monkeypatch.chdir(PROJECT_DIR)
    monkeypatch.setenv("GUNICORN_WORKERS", "many")
    with pytest.raises(ImproperlyConfigured, match=r"^GUNICORN_WORKERS='many' is not"):
        runpy.run_path("gunicorn.conf.py")
    monkeypatch.setenv("GUNICORN_WORKERS", "3")
    monkeypatch.setenv("GUNICORN_BIND", "127.0.0.1:8001, unix:/run/marquee.sock")
    config = runpy.run_path("gunicorn.conf.py")
    assert config["workers"] == 3
    assert config["bind"] == ["127.0.0.1:8001", "unix:/run/marquee.sock"]


@pytest.mark.parametrize("debug", ["0", "1"])
def test_without_redis_processes_share_one_cache(tmp_path, debug):
    """No REDIS_URL: gunicorn's workers, the task worker and a management command are separate
    processes, as are `make run`'s development server and `make import-review`; a change one of
    them retires (an unpublish, an import with --publish) is retired for the others' pages too.
    (The make targets name the CACHE_DIR: test_make_targets_share_the_development_cache.)"""
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")},
        "DEBUG": debug,
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "localhost",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CACHE_DIR": str(tmp_path / "cache"),
        "LOG_LEVEL": "WARNING",
    }

    def in_a_process(code: str) -> str:
        return subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
            cwd=PROJECT_DIR,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

    in_a_process("from pagecache import tags; tags.write(['review:7'], at=1234.5)")
    seen = in_a_process(
        "from pagecache import tags; print(tags.versions(['review:7'], scheduled=False))"
    )
    assert seen == "{'review:7': 1234.5}"


def test_development_prints_each_log_record_once(tmp_path):
    """`make run` prints Django's own records (a task run, a request warning) once, stamped."""
    script = (
        "import logging;"
        "logging.getLogger('django.tasks').info('task-ran');"
        "logging.getLogger('django.request').warning('not-found')"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=PROJECT_DIR,
        env={
            **os.environ,
            "DEBUG": "1",
            "LOG_LEVEL": "INFO",
            "LOG_FORMAT": "plain",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    lines = (result.stdout + result.stderr).splitlines()
    assert [line for line in lines if "task-ran" in line] == [
        next(line for line in lines if "INFO django.tasks" in line)
    ]
    assert len([line for line in lines if "not-found" in line]) == 1


def test_make_targets_share_the_development_cache():
    """`make run` serves from the cache files `make import-review` (another process) retires."""
    commands = subprocess.run(
        ["make", "-n", "run", "import-review", "FILE=review.txt"],  # noqa: S607
        cwd=PROJECT_DIR,
        env={k: v for k, v in os.environ.items() if k != "CACHE_DIR"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    cache_dir = f'CACHE_DIR="${{CACHE_DIR:-{PROJECT_DIR}/var/cache-dev}}"'
    for command in ("manage.py runserver", "manage.py import_review"):
        (line,) = [line for line in commands.splitlines() if command in line]
        assert cache_dir in line
