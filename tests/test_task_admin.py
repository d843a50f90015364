"""Failed background tasks are visible: the admin lists them and retries them; /healthz/tasks
reports a worker that has stopped."""

import datetime
import re

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tasks.management.commands.run_worker import Worker, fail_abandoned_tasks, prune
from tasks.models import CompletedTask, TaskRecord, WorkerHeartbeat
from tests.factories import SuperuserFactory, UserFactory, user_in_group
from tests.tasks_support import flaky, page_form

pytestmark = pytest.mark.django_db(transaction=True)

CHANGELIST = reverse("admin:tasks_taskrecord_changelist")


def run_worker():
    call_command("run_worker", batch=True, startup_delay=False, reload=False, verbosity=0)


@pytest.fixture
def failed(settings, db_tasks, tmp_path):
    """A task that failed all of its three attempts (and will succeed on a fourth)."""
    settings.TASKS_RETRY_DELAY = 0
    counter = tmp_path / "runs"
    flaky.enqueue(str(counter), 3)
    run_worker()
    assert counter.read_text() == "3"
    return counter


def rows(html: str) -> list[str]:
    """The rows of the changelist's results table."""
    table = re.search(r'<table id="result_list">.*?<tbody>(.*?)</tbody>', html, re.S)
    return re.findall(r"<tr[^>]*>.*?</tr>", table.group(1), re.S) if table else []


def test_a_failed_task_is_listed_with_its_error_and_can_be_retried(client, failed):
    client.force_login(SuperuserFactory(username="root"))
    page = client.get(CHANGELIST, {"attention": "yes"}).content.decode()
    [row] = rows(page)
    assert "tests.tasks_support.flaky" in row
    assert "RuntimeError: failure 3 of 3" in row
    assert ">Failed<" in row

    failed_task = TaskRecord.objects.get(status="FAILED")
    detail = client.get(reverse("admin:tasks_taskrecord_change", args=[failed_task.pk]))
    assert "Traceback (most recent call last)" in detail.content.decode()
    assert "failure 3 of 3" in detail.content.decode()

    # Everything, with the earlier attempts that scheduled a retry.
    everything = client.get(CHANGELIST).content.decode()
    assert everything.count("Failed; retry scheduled") == 2

    # The changelist's own action form, with the failed task ticked and Retry chosen.
    fields = page_form(page, form_id="changelist-form") | {
        "action": "retry",
        "_selected_action": str(failed_task.pk),
    }
    response = client.post(CHANGELIST + "?attention=yes", fields, follow=True)
    assert "Queued 1 task(s) again." in response.content.decode()
    assert rows(response.content.decode()) == [], "nothing needs attention any more"
    failed_task.refresh_from_db()
    assert failed_task.return_value["by"] == "root"
    [again] = TaskRecord.objects.filter(status="READY")
    assert again.args_kwargs["kwargs"]["_task"]["attempt"] == 1

    run_worker()
    assert failed.read_text() == "4"
    again.refresh_from_db()
    assert again.status == "SUCCESSFUL"
    assert again.return_value == 4


def test_only_failed_tasks_not_yet_retried_are_retried(client, failed):
    client.force_login(SuperuserFactory())
    done = TaskRecord.objects.filter(status="SUCCESSFUL").first()
    response = client.post(
        CHANGELIST, {"action": "retry", "_selected_action": [done.pk]}, follow=True
    )
    assert "only failed tasks not yet retried can be retried" in response.content.decode()
    assert not TaskRecord.objects.filter(status="READY").exists()


def test_who_may_see_and_retry_background_tasks(client, failed):
    client.force_login(user_in_group("Moderators", username="mo"))
    assert client.get(CHANGELIST).status_code == 403

    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_taskrecord"))
    client.force_login(viewer)
    page = client.get(CHANGELIST).content.decode()
    assert "tests.tasks_support.flaky" in page
    assert 'value="retry"' not in page, "viewing is not retrying"

    viewer.user_permissions.add(Permission.objects.get(codename="retry_taskrecord"))
    assert 'value="retry"' in client.get(CHANGELIST).content.decode()


def test_a_task_abandoned_by_a_dead_worker_is_marked_failed(settings, db_tasks):
    settings.TASKS_WORKER_STALE_AFTER = 120
    row = TaskRecord.objects.get(pk=flaky.enqueue("/nonexistent/a", 0).id)
    busy = TaskRecord.objects.get(pk=flaky.enqueue("/nonexistent/b", 0).id)
    long_ago = timezone.now() - datetime.timedelta(minutes=10)
    TaskRecord.objects.filter(pk=row.pk).update(
        status="RUNNING", started_at=long_ago, worker_ids=["gone"]
    )
    TaskRecord.objects.filter(pk=busy.pk).update(
        status="RUNNING", started_at=long_ago, worker_ids=["alive"]
    )
    WorkerHeartbeat.objects.create(worker_id="gone", last_beat_at=long_ago)
    WorkerHeartbeat.objects.create(worker_id="alive")

    assert fail_abandoned_tasks() == 1
    row.refresh_from_db()
    assert row.status == "FAILED"
    assert "Worker gone stopped answering" in row.traceback
    busy.refresh_from_db()
    assert busy.status == "RUNNING", "a long task on a live worker is left alone"


def test_old_finished_tasks_are_pruned(settings, db_tasks, tmp_path):
    settings.TASKS_KEEP_DAYS = 14
    with time_machine.travel(timezone.now() - datetime.timedelta(days=15)):
        flaky.enqueue(str(tmp_path / "old"), 0)
        run_worker()
        CompletedTask.objects.create(key="old")
    flaky.enqueue(str(tmp_path / "new"), 0)
    run_worker()
    prune()
    assert [r.args_kwargs["args"][0] for r in TaskRecord.objects.all()] == [str(tmp_path / "new")]
    assert not CompletedTask.objects.exists()


# /healthz/tasks -----------------------------------------------------------------------------


def test_healthz_tasks_with_the_immediate_backend_needs_no_worker(client):
    response = client.get(reverse("healthz_tasks"))
    assert response.status_code == 200
    assert response.json()["backend"] == "ImmediateBackend"


def test_healthz_tasks_reports_a_worker_that_has_not_run_for_too_long(client, settings, db_tasks):
    settings.TASKS_WORKER_STALE_AFTER = 120
    response = client.get(reverse("healthz_tasks"))
    assert response.status_code == 503
    assert response.json()["problems"] == ["no worker has run"]
    assert response["Cache-Control"].startswith("max-age=0")

    start = timezone.now()
    with time_machine.travel(start, tick=False):
        Worker(
            queue_names=["*"],
            interval=1,
            batch=False,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="w1",
            excluded_queue_names=[],
        ).beat()  # a running worker's heartbeat
        body = client.get(reverse("healthz_tasks")).json()
        assert body["status"] == "ok"
        assert len(body["workers"]) == 1
    with time_machine.travel(start + datetime.timedelta(seconds=119), tick=False):
        assert client.get(reverse("healthz_tasks")).status_code == 200
    with time_machine.travel(start + datetime.timedelta(seconds=121), tick=False):
        response = client.get(reverse("healthz_tasks"))
        assert response.status_code == 503
        assert response.json()["problems"][0].startswith("no worker has run since")
    WorkerHeartbeat.objects.filter(worker_id="w1").delete()
    run_worker()  # a worker that ran and stopped is no live worker either
    assert client.get(reverse("healthz_tasks")).status_code == 503


def test_healthz_tasks_reports_due_work_left_waiting(client, settings, db_tasks, tmp_path):
    settings.TASKS_WORKER_STALE_AFTER = 120
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        flaky.enqueue(str(tmp_path / "runs"), 0)
    with time_machine.travel(start + datetime.timedelta(seconds=300), tick=False):
        WorkerHeartbeat.objects.create(worker_id="busy-elsewhere")
        body = client.get(reverse("healthz_tasks")).json()
    assert body["status"] == "stale"
    assert body["due"] == 1
    assert body["problems"] == ["the oldest due task has waited 300 s"]
