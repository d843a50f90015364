"""The real worker, `manage.py run_worker`, as a separate process on the test database.

Runs on whichever database the suite runs on (SQLite, and PostgreSQL in CI's second run): the
web side enqueues, the worker process sends the mail to a real SMTP server, retries a task that
fails, makes image renditions, beats its heartbeat, and stops cleanly on SIGTERM.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from reviews.tasks import mail_on_commit
from tasks.models import TaskRecord, WorkerHeartbeat
from tests.factories import FilmFactory, image_upload, poster_image
from tests.tasks_support import SMTPServer, database_task_backend, flaky

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

PROJECT = Path(__file__).resolve().parent.parent


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def wait_until(condition, timeout: float = 60, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def smtp():
    server = SMTPServer()
    yield server
    server.close()


@pytest.fixture
def worker(smtp, settings, tmp_path):
    """`manage.py run_worker` in its own process, pointed at the test database and SMTP."""
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": database_url(),
        "TASKS_BACKEND": "database",
        "TASKS_RETRY_DELAY": "0",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
        "EMAIL_USE_TLS": "0",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "LOG_FORMAT": "plain",
    }
    log = (tmp_path / "worker.log").open("w+")
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "run_worker",
            "--interval",
            "0.2",
            "--no-startup-delay",
            "--no-reload",
            "--worker-id",
            "test-worker",
        ],
        cwd=PROJECT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    with database_task_backend():
        yield process
    if process.poll() is None:
        process.kill()
        process.wait()
    log.seek(0)
    print(log.read())  # shown by pytest when the test fails


def test_the_worker_process_sends_mail_retries_and_makes_renditions(client, worker, smtp, tmp_path):
    wait_until(
        lambda: WorkerHeartbeat.objects.filter(worker_id="test-worker").exists(),
        what="the worker's first heartbeat",
    )
    health = client.get(reverse("healthz_tasks"))
    assert health.status_code == 200, health.json()
    assert [w["id"] for w in health.json()["workers"]] == ["test-worker"]

    # A queued mail is sent to the SMTP server by the worker.
    mail_on_commit("Changes requested: Ballerina", "Cut the second act.", ["wanda@example.com"])
    [message] = smtp.wait_for(1)
    assert message["To"] == "wanda@example.com"
    assert message["Subject"] == "Changes requested: Ballerina"

    # A task that fails once is retried and then succeeds.
    counter = tmp_path / "runs"
    flaky.enqueue(str(counter), 1)
    wait_until(lambda: counter.exists() and counter.read_text() == "2", what="the retry")
    attempts = TaskRecord.objects.filter(task_path="tests.tasks_support.flaky")
    wait_until(
        lambda: attempts.filter(status="SUCCESSFUL").count() == 2, what="both attempts recorded"
    )
    rows = list(attempts)
    outcomes = sorted(str(r.return_value) for r in rows)
    assert any("failure 1 of 1" in o for o in outcomes)
    assert "2" in outcomes

    # An uploaded poster's renditions are made by the worker.
    film = FilmFactory()
    film.poster = poster_image(image_upload(size=(400, 600)))
    film.save()
    wait_until(
        lambda: FilmFactory._meta.model.objects.get(pk=film.pk).poster.renditions,
        what="the poster's renditions",
    )

    # SIGTERM: the worker stops cleanly and says so; the health check notices.
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=30) == 0
    beat = WorkerHeartbeat.objects.get(worker_id="test-worker")
    assert beat.stopped_at is not None
    assert beat.tasks_run >= 4
    health = client.get(reverse("healthz_tasks"))
    assert health.status_code == 503
    assert health.json()["problems"][0].startswith("no worker has run since")


def test_without_a_database_queue_the_worker_says_none_is_needed(tmp_path):
    """With DEBUG on, tasks run at once (TASKS_BACKEND=immediate): the worker says so in a
    sentence, not with argparse's usage."""
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    env.pop("TASKS_BACKEND", None)
    finished = subprocess.run(
        [sys.executable, "manage.py", "run_worker"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert finished.returncode == 2
    assert "No worker is needed: tasks run at once" in finished.stderr
    assert "TASKS_BACKEND=database" in finished.stderr
    assert "usage:" not in finished.stderr
