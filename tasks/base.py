"""`durable_task`: a Django task that is retried with back-off and logs the request behind it.

    @durable_task(queue_name="mail", once=True)
    def send_mail(subject, body, recipients): ...

    send_mail.enqueue_on_commit("Hello", "…", ["a@example.com"])

Each enqueue carries a small envelope in its keyword arguments (`_task`): the logical task's id
(kept by every retry), the attempt number and the id of the request that enqueued it. While the
task runs, log records carry that request id, so a mail sent by the worker can be traced to the
comment post that asked for it.

When the function raises, the task is enqueued again to run after `TASKS_RETRY_DELAY` seconds,
doubling each time (capped at `TASKS_RETRY_MAX_DELAY`), until `TASKS_MAX_ATTEMPTS` attempts have
failed; then the attempt's row fails with its traceback, for the admin to show and retry. An
attempt that scheduled a retry finishes "successful" with a return value saying so, so the
failed tasks are exactly the ones that need a person. Backends that cannot defer (the immediate
backend of development and tests) run a task once: a failure is logged and recorded, no retry.

`once=True` makes a task with side effects idempotent: once an attempt has succeeded, running
the same logical task again (a duplicate, an admin retry of a stale row) does nothing.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from traceback import format_exception

from django.conf import settings
from django.db import transaction
from django.tasks import Task
from django.utils import timezone

from config.logs import request_id

logger = logging.getLogger("marquee.tasks")

ENVELOPE = "_task"


def _setting(name: str, default):
    return getattr(settings, name, default)


@dataclass(frozen=True, slots=True, kw_only=True)
class DurableTask(Task):
    once: bool = False
    max_attempts: int | None = None  # None: TASKS_MAX_ATTEMPTS

    # Zero-argument super() does not work in slotted dataclasses before Python 3.14: the parent
    # class is named instead.

    def enqueue(self, *args, **kwargs):
        """Queue the task now (outside a transaction, or when the caller wants exactly that)."""
        kwargs.setdefault(ENVELOPE, self.envelope())
        return Task.enqueue(self, *args, **kwargs)

    def enqueue_on_commit(self, *args, using=None, **kwargs):
        """Queue the task so that it runs only if the current transaction commits.

        With the database backend on the same database the task row is written inside the
        transaction (it commits or rolls back with the data; nothing is lost in between);
        otherwise the enqueue waits for the commit. Outside a transaction it happens now.
        """
        kwargs.setdefault(ENVELOPE, self.envelope())
        connection = transaction.get_connection(using)
        if connection.in_atomic_block and self._stores_in_database():
            return Task.enqueue(self, *args, **kwargs)
        transaction.on_commit(lambda: Task.enqueue(self, *args, **kwargs), using=using, robust=True)
        return None

    def envelope(self) -> dict:
        return {"id": uuid.uuid4().hex, "attempt": 1, "request_id": request_id.get()}

    def _stores_in_database(self) -> bool:
        from django_tasks_db import DatabaseBackend  # its models: not while models load

        return isinstance(self.get_backend(), DatabaseBackend)

    @property
    def attempts_allowed(self) -> int:
        return self.max_attempts or _setting("TASKS_MAX_ATTEMPTS", 5)

    def call(self, *args, **kwargs):
        """Run the function (as the worker or the immediate backend does), retrying on failure."""
        envelope = kwargs.pop(ENVELOPE, None) or self.envelope()
        token = request_id.set(envelope.get("request_id") or "-")
        try:
            return self._run(envelope, args, kwargs)
        finally:
            request_id.reset(token)

    def _run(self, envelope, args, kwargs):
        from tasks.models import CompletedTask  # the apps' models import this module

        key = f"{self.module_path}:{envelope['id']}"[:255]
        if self.once and CompletedTask.objects.filter(key=key).exists():
            logger.info("Task %s (%s) already done; skipped", self.name, envelope["id"])
            return {"skipped": "already done"}
        attempt = envelope.get("attempt", 1)
        try:
            value = Task.call(self, *args, **kwargs)
        except Exception as error:
            return self._retry_or_raise(error, envelope, args, kwargs)
        if self.once:
            CompletedTask.objects.get_or_create(key=key)
        logger.info("Task %s (%s) done on attempt %d", self.name, envelope["id"], attempt)
        return value

    def _retry_or_raise(self, error, envelope, args, kwargs):
        attempt = envelope.get("attempt", 1)
        allowed = self.attempts_allowed
        if attempt >= allowed or not self.get_backend().supports_defer:
            logger.error(
                "Task %s (%s) failed on attempt %d of %d; giving up: %s",
                self.name,
                envelope["id"],
                attempt,
                allowed,
                error,
                exc_info=error,
            )
            raise error
        delay = min(
            _setting("TASKS_RETRY_DELAY", 30) * 2 ** (attempt - 1),
            _setting("TASKS_RETRY_MAX_DELAY", 3600),
        )
        run_after = timezone.now() + timedelta(seconds=delay)
        retry = self.using(run_after=run_after).enqueue(
            *args, **kwargs, **{ENVELOPE: {**envelope, "attempt": attempt + 1}}
        )
        logger.warning(
            "Task %s (%s) failed on attempt %d of %d: %s; retrying in %s s",
            self.name,
            envelope["id"],
            attempt,
            allowed,
            error,
            delay,
        )
        return {
            "failed_attempt": attempt,
            "error": f"{type(error).__module__}.{type(error).__qualname__}: {error}",
            "traceback": "".join(format_exception(error)),
            "retry_id": str(retry.id),
            "retry_at": run_after.isoformat(),
        }

    async def acall(self, *args, **kwargs):
        raise NotImplementedError("Marquee's durable tasks are synchronous.")


def durable_task(function=None, *, once=False, max_attempts=None, queue_name="default", priority=0):
    """Decorate a module-level function as a DurableTask (see the module docstring)."""

    def wrap(func):
        return DurableTask(
            func=func,
            once=once,
            max_attempts=max_attempts,
            queue_name=queue_name,
            priority=priority,
        )

    return wrap(function) if function else wrap
