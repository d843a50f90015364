from datetime import timedelta

from django.db import models
from django.utils import timezone
from django_tasks_db.models import DBTaskResult


class CompletedTask(models.Model):
    """A `once=True` task that has done its work: running it again (a retry, a duplicate) skips.

    Keyed by the task's path and the id its first enqueue gave it, which every retry keeps.
    """

    key = models.CharField(max_length=255, unique=True)
    completed_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "completed task"

    def __str__(self):
        return self.key


class WorkerHeartbeat(models.Model):
    """One row per worker process, touched every time its loop comes round (`run_worker`)."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(null=True)
    queues = models.CharField(max_length=255, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    last_beat_at = models.DateTimeField(default=timezone.now, db_index=True)
    tasks_run = models.PositiveIntegerField(default=0)
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_beat_at"]
        verbose_name = "worker"

    def __str__(self):
        return f"{self.worker_id} on {self.hostname or '?'}"

    def is_alive(self, stale_after: timedelta) -> bool:
        return self.stopped_at is None and self.last_beat_at >= timezone.now() - stale_after


class TaskRecord(DBTaskResult):
    """django-tasks-db's stored tasks, shown in the admin as Marquee's background tasks."""

    class Meta:
        proxy = True
        verbose_name = "background task"
        verbose_name_plural = "background tasks"
        permissions = [("retry_taskrecord", "Can retry a failed background task")]

    def __str__(self):
        # The path's last part, not `task_name`: that builds the task, on the current backend.
        return f"{self.task_path.rsplit('.', 1)[-1]} ({self.get_status_display().lower()})"
