"""`manage.py run_worker`: django-tasks-db's worker, watched by a heartbeat and kept tidy.

It takes every option of `db_worker` (`--queue-name`, `--interval`, `--batch`, `--max-tasks`,
`--worker-id`, ...) and runs the same claim-and-run loop, and besides:

- each time round the loop (at most every few seconds) it records a heartbeat
  (`tasks.WorkerHeartbeat`), which `/healthz/tasks` reads;
- a task left "running" by a worker that stopped beating (killed, out of memory, machine lost)
  is marked failed, so it shows in the admin's failed tasks with a Retry button;
- about once a minute it enqueues the daily tasks whose time has come (TASKS_DAILY,
  tasks/periodic.py), so the digest and the TMDB sync need no cron;
- about once an hour it deletes finished tasks, and the record of completed `once` tasks, older
  than TASKS_KEEP_DAYS days (failed tasks stay until someone retries or deletes them).

Stop it with SIGTERM or Ctrl-C: it finishes the task in hand first (a second signal aborts).
"""

import logging
import os
import random
import socket
import sys
import time
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections
from django.db.utils import OperationalError
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from tasks import periodic
from tasks.models import CompletedTask, WorkerHeartbeat

logger = logging.getLogger("marquee.tasks.worker")

BEAT_EVERY = 5  # seconds between heartbeats while idle
HOUSEKEEPING_EVERY = 3600  # seconds between clean-ups
SCHEDULE_EVERY = 60  # seconds between looks at the daily tasks


class Worker(db_worker.Worker):
    last_beat = 0.0
    last_housekeeping = 0.0
    last_schedule = 0.0

    def run(self) -> None:
        logger.info("Worker %s starting on queues %s", self.worker_id, ",".join(self.queue_names))
        self.beat(force=True)
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # noqa: S311 (spread out workers started together)
        try:
            self.loop()
        finally:
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).update(
                stopped_at=timezone.now(), tasks_run=self._run_tasks
            )
            logger.info("Worker %s stopped after %d tasks", self.worker_id, self._run_tasks)

    def loop(self) -> None:
        while self.running:
            close_old_connections()  # after a sleep, as Django does between requests
            claimed, task_result = self.claim_next()
            if task_result is not None:
                self.run_task(task_result)
            self.beat()
            self.housekeeping()
            self.enqueue_daily()
            if self.batch and claimed and task_result is None:
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                return
            close_old_connections()
            if self.running and task_result is None:
                time.sleep(self.interval)

    def claim_next(self) -> tuple[bool, DBTaskResult | None]:
        """Lock and claim the next due task; (False, None) when the database was busy."""
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        try:
            with exclusive_transaction(tasks.db):
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)
        except OperationalError as error:
            if is_locked_database_exception(error):
                return False, None  # SQLite busy: try again next time round
            raise
        return True, task_result

    def run_task(self, db_task_result: DBTaskResult) -> None:
        super().run_task(db_task_result)
        self.beat(force=True)

    def beat(self, force: bool = False) -> None:
        if not force and time.monotonic() - self.last_beat < BEAT_EVERY:
            return
        self.last_beat = time.monotonic()
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={
                "last_beat_at": timezone.now(),
                "tasks_run": self._run_tasks,
                "hostname": socket.gethostname()[:255],
                "pid": os.getpid(),
                "queues": ",".join(self.queue_names)[:255],
            },
            create_defaults={
                "started_at": timezone.now(),
                "last_beat_at": timezone.now(),
                "hostname": socket.gethostname()[:255],
                "pid": os.getpid(),
                "queues": ",".join(self.queue_names)[:255],
            },
        )

    def housekeeping(self) -> None:
        if time.monotonic() - self.last_housekeeping < HOUSEKEEPING_EVERY:
            return
        self.last_housekeeping = time.monotonic()
        fail_abandoned_tasks()
        prune()

    def enqueue_daily(self) -> None:
        if time.monotonic() - self.last_schedule < SCHEDULE_EVERY:
            return
        self.last_schedule = time.monotonic()
        periodic.enqueue_due()


def fail_abandoned_tasks() -> int:
    """Mark failed the running tasks whose worker has stopped beating; return how many."""
    stale = timezone.now() - timedelta(seconds=settings.TASKS_WORKER_STALE_AFTER)
    alive = set(
        WorkerHeartbeat.objects.filter(
            last_beat_at__gte=stale, stopped_at__isnull=True
        ).values_list("worker_id", flat=True)
    )
    count = 0
    for row in DBTaskResult.objects.running().filter(started_at__lt=stale):
        worker = row.worker_ids[-1] if row.worker_ids else "?"
        if worker in alive:
            continue  # a long task on a live worker
        row.status = TaskResultStatus.FAILED
        row.finished_at = timezone.now()
        row.exception_class_path = "tasks.WorkerLost"
        row.traceback = (
            f"Worker {worker} stopped answering while it ran this task (no heartbeat since "
            f"before {stale:%Y-%m-%d %H:%M:%S %Z}). The task may or may not have finished."
        )
        row.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
        logger.error(
            "Task %s (%s) abandoned by worker %s; marked failed", row.task_path, row.id, worker
        )
        count += 1
    return count


def prune() -> None:
    cutoff = timezone.now() - timedelta(days=settings.TASKS_KEEP_DAYS)
    DBTaskResult.objects.successful().filter(finished_at__lt=cutoff).delete()
    CompletedTask.objects.filter(completed_at__lt=cutoff).delete()
    WorkerHeartbeat.objects.filter(last_beat_at__lt=cutoff).delete()


class Command(db_worker.Command):
    help = "Run background tasks from the database queue (README: Background tasks)."

    def run_from_argv(self, argv):
        # Without a database queue there is nothing to run: say why in a sentence rather than
        # with argparse's usage ("Backend 'default' is not a database backend").
        if not isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend):
            self.stderr.write(
                "No worker is needed: tasks run at once, in the process that enqueues them "
                f"(TASKS_BACKEND={settings.TASKS_BACKEND}, the default with DEBUG on). To queue "
                "them for this worker, set TASKS_BACKEND=database (the default with DEBUG off)."
            )
            sys.exit(2)
        super().run_from_argv(argv)

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(queue_name="*")  # every queue unless told otherwise

    def handle(
        self,
        *,
        verbosity,
        queue_name,
        interval,
        batch,
        backend_name,
        startup_delay,
        reload,
        max_tasks,
        worker_id,
        exclude_queues,
        **options,
    ):
        self.configure_logging(verbosity)
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise db_worker.CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = Worker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded,
        )
        if reload and not batch:
            if os.environ.get(db_worker.DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            db_worker.run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
