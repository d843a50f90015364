"""Background tasks in the admin: what ran, what failed and why, and a Retry action."""

import json

from django.contrib import admin, messages
from django.db.models import Q
from django.tasks.exceptions import InvalidTask
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult, get_date_max

from config.admin import ReadOnlyAdmin
from tasks.base import ENVELOPE
from tasks.models import TaskRecord, WorkerHeartbeat

if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)  # shown once, as TaskRecord below

NEEDS_ATTENTION = Q(status="FAILED", return_value__isnull=True)


def envelope(row) -> dict:
    return (row.args_kwargs.get("kwargs") or {}).get(ENVELOPE) or {}


class AttentionFilter(admin.SimpleListFilter):
    title = "needs attention"
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [("yes", "Failed, not retried"), ("retrying", "Failed, retry scheduled")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(NEEDS_ATTENTION)
        if self.value() == "retrying":
            return queryset.filter(status="SUCCESSFUL", return_value__has_key="retry_id")
        return queryset


@admin.register(TaskRecord)
class TaskRecordAdmin(ReadOnlyAdmin):
    list_display = ["task", "outcome", "error_summary", "attempt", "enqueued_at"]
    list_filter = [AttentionFilter, "status", "queue_name"]
    search_fields = ["task_path", "id"]
    ordering = ["-enqueued_at"]
    date_hierarchy = "enqueued_at"
    actions = ["retry"]
    fields = [
        "task",
        "outcome",
        "attempt",
        "request_id",
        "arguments",
        "queue_name",
        "priority",
        "enqueued_at",
        "run_after_display",
        "started_at",
        "finished_at",
        "worker_ids",
        "error",
        "result",
    ]
    readonly_fields = fields

    def has_retry_permission(self, request):
        return request.user.has_perm("tasks.retry_taskrecord")

    @admin.display(description="task", ordering="task_path")
    def task(self, row):
        return row.task_path

    @admin.display(description="outcome", ordering="status")
    def outcome(self, row):
        value = row.return_value if isinstance(row.return_value, dict) else {}
        if row.status == "FAILED" and value.get("retried_as"):
            return f"Failed; retried by {value.get('by', '?')}"
        if row.status == "FAILED":
            return "Failed"
        if row.status == "SUCCESSFUL" and "retry_id" in value:
            return "Failed; retry scheduled"
        if (
            row.status == "READY"
            and row.run_after != get_date_max()
            and row.run_after > timezone.now()
        ):
            return f"Waiting until {timezone.localtime(row.run_after):%H:%M:%S}"
        return row.get_status_display()

    @admin.display(description="attempt")
    def attempt(self, row):
        return envelope(row).get("attempt", "—")

    @admin.display(description="request id")
    def request_id(self, row):
        return envelope(row).get("request_id", "—")

    @admin.display(description="arguments")
    def arguments(self, row):
        shown = {
            "args": row.args_kwargs.get("args", []),
            "kwargs": {
                k: v for k, v in (row.args_kwargs.get("kwargs") or {}).items() if k != ENVELOPE
            },
        }
        return format_html("<pre>{}</pre>", json.dumps(shown, indent=2, ensure_ascii=False))

    @admin.display(description="run after")
    def run_after_display(self, row):
        if row.run_after == get_date_max():
            return "—"
        return formats.localize(timezone.localtime(row.run_after))

    @admin.display(description="error")
    def error_summary(self, row):
        if row.status == "FAILED":
            return last_line(row.traceback) or row.exception_class_path
        if isinstance(row.return_value, dict) and "error" in row.return_value:
            return row.return_value["error"]
        return ""

    @admin.display(description="error")
    def error(self, row):
        text = row.traceback
        if not text and isinstance(row.return_value, dict):
            text = row.return_value.get("traceback", "")
        return format_html("<pre>{}</pre>", text) if text else "—"

    @admin.display(description="result")
    def result(self, row):
        if row.return_value is None:
            return "—"
        shown = row.return_value
        if isinstance(shown, dict):
            shown = {k: v for k, v in shown.items() if k != "traceback"}
        return format_html("<pre>{}</pre>", json.dumps(shown, indent=2, ensure_ascii=False))

    @admin.action(description="Retry selected failed tasks", permissions=["retry"])
    def retry(self, request, queryset):
        retried = 0
        for row in queryset.filter(NEEDS_ATTENTION):
            kwargs = dict(row.args_kwargs.get("kwargs") or {})
            if ENVELOPE in kwargs:
                kwargs[ENVELOPE] = {
                    **kwargs[ENVELOPE],
                    "attempt": 1,
                    "retried_by": request.user.get_username(),
                }
            try:
                task = import_string(row.task_path).using(
                    priority=row.priority, queue_name=row.queue_name
                )
            except (ImportError, AttributeError, InvalidTask) as error:
                self.message_user(
                    request, f"{row.task_path} cannot be queued: {error}", messages.ERROR
                )
                continue
            new = task.enqueue(*row.args_kwargs.get("args", []), **kwargs)
            row.return_value = {
                "retried_as": str(new.id),
                "by": request.user.get_username(),
                "at": timezone.now().isoformat(),
            }
            row.save(update_fields=["return_value"])
            retried += 1
        skipped = queryset.count() - retried
        if retried:
            self.message_user(request, f"Queued {retried} task(s) again.", messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                f"Left {skipped} task(s) alone: only failed tasks not yet retried can be retried.",
                messages.WARNING,
            )


def last_line(text: str) -> str:
    lines = [line for line in (text or "").strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnlyAdmin):
    list_display = [
        "worker_id",
        "hostname",
        "pid",
        "queues",
        "started_at",
        "last_beat_at",
        "tasks_run",
        "stopped_at",
    ]
    readonly_fields = list_display
