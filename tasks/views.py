"""`/healthz/tasks`: is background work getting done?"""

from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError
from django.http import JsonResponse
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import get_date_max

from tasks.models import TaskRecord, WorkerHeartbeat


@never_cache
def healthz_tasks(request):
    """200 when a worker has looked for work lately and nothing due has waited too long.

    503 (with the reason) when no worker has beaten its heartbeat for TASKS_WORKER_STALE_AFTER
    seconds, or the oldest due task has waited that long. With the immediate backend there is
    no worker to watch (tasks run in the web process); other backends are watched elsewhere.
    """
    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    if not isinstance(backend, DatabaseBackend):
        return JsonResponse(
            {"status": "ok", "backend": type(backend).__name__, "worker": "not watched here"}
        )
    now = timezone.now()
    stale_after = timedelta(seconds=settings.TASKS_WORKER_STALE_AFTER)
    try:
        workers = [
            w
            for w in WorkerHeartbeat.objects.filter(stopped_at__isnull=True)
            if w.is_alive(stale_after)
        ]
        last_beat = (
            WorkerHeartbeat.objects.order_by("-last_beat_at")
            .values_list("last_beat_at", flat=True)
            .first()
        )
        due = TaskRecord.objects.ready()
        oldest = due.order_by("enqueued_at").values_list("enqueued_at", "run_after").first()
        failed = TaskRecord.objects.failed().filter(return_value__isnull=True).count()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    waited = timedelta(0)
    if oldest:
        enqueued_at, run_after = oldest
        due_since = enqueued_at if run_after == get_date_max() else max(enqueued_at, run_after)
        waited = max(now - due_since, timedelta(0))
    problems = []
    if not workers:
        problems.append(
            "no worker has run since " + last_beat.isoformat() if last_beat else "no worker has run"
        )
    if waited > stale_after:
        problems.append(f"the oldest due task has waited {int(waited.total_seconds())} s")
    body = {
        "status": "stale" if problems else "ok",
        "backend": "database",
        "workers": [
            {
                "id": w.worker_id,
                "host": w.hostname,
                "pid": w.pid,
                "queues": w.queues,
                "last_beat_seconds_ago": round((now - w.last_beat_at).total_seconds(), 1),
                "tasks_run": w.tasks_run,
            }
            for w in workers
        ],
        "due": due.count(),
        "oldest_due_seconds": round(waited.total_seconds(), 1),
        "failed": failed,
    }
    if problems:
        body["problems"] = problems
    return JsonResponse(body, status=503 if problems else 200)
