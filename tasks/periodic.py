"""Daily tasks without cron: the worker enqueues each one once a day, at its time.

    TASKS_DAILY = {"reviews.tasks.send_comment_digest": "07:00"}

Times are the site's (TIME_ZONE). Each time round its loop (at most once a minute) `run_worker`
calls `enqueue_due()`: a task whose time today has passed and which has not been enqueued today
is enqueued now. The day's enqueue is recorded as a `CompletedTask` row keyed by the task and
the date, created before the task is queued, so with several workers only one queues it, and a
worker started after the hour (a deploy, a restart) runs the day's task late rather than never.
"""

import datetime
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from tasks.models import CompletedTask

logger = logging.getLogger("marquee.tasks.periodic")


def parse_time(value: str) -> datetime.time:
    """ "07:00" → 07:00; anything else is a clear error naming the setting."""
    try:
        return datetime.time.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(f"TASKS_DAILY: {value!r} is not a time of day like 07:00") from None


def schedule() -> dict[str, datetime.time]:
    return {path: parse_time(at) for path, at in getattr(settings, "TASKS_DAILY", {}).items()}


def enqueue_due(now: datetime.datetime | None = None) -> list[str]:
    """Enqueue each daily task whose time has come today and which is not yet queued today;
    the paths of the tasks enqueued."""
    now = timezone.localtime(now)
    queued = []
    for path, at in schedule().items():
        if now.time() < at:
            continue
        key = f"daily:{path}:{now.date().isoformat()}"
        try:
            with transaction.atomic():
                CompletedTask.objects.create(key=key)
                import_string(path).enqueue_on_commit()
        except IntegrityError:
            continue  # another worker (or an earlier round) queued today's
        logger.info("Enqueued the daily task %s", path)
        queued.append(path)
    return queued
