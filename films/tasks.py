"""Films' background tasks: image renditions (films/renditions.py) and TMDB's daily sync."""

from django.apps import apps

from films.renditions import record_for
from tasks.base import durable_task


@durable_task(queue_name="images")
def make_image_renditions(model: str, pk: int, field_name: str, name: str) -> dict:
    """Make the WebP renditions of one image and record them on its row.

    Idempotent: an image replaced or deleted since the task was queued is left alone (its own
    save queued a task), and renditions already written are not written again. Recording them
    is a model save, so the pages that show the image are refreshed as after any edit.
    """
    item = apps.get_model(model)._default_manager.filter(pk=pk).first()
    if item is None:
        return {"skipped": "deleted"}
    field = getattr(item, field_name)
    if field.name != name:
        return {"skipped": "image replaced"}
    record = record_for(field)
    if getattr(item, f"{field_name}_renditions") != record:
        setattr(item, f"{field_name}_renditions", record)
        item.save(update_fields=[f"{field_name}_renditions"])
    return record


def renditions_after_save(item, field_name: str, update_fields=None) -> None:
    """Queue the renditions of `item`'s image if it has one they were not made for."""
    if update_fields is not None and field_name not in update_fields:
        return
    field = getattr(item, field_name)
    record = getattr(item, f"{field_name}_renditions") or {}
    if field and record.get("name") != field.name:
        make_image_renditions.enqueue_on_commit(item._meta.label, item.pk, field_name, field.name)


@durable_task
def sync_tmdb() -> dict:
    """Refresh the films TMDB changed since the last run; enqueue it daily (or run
    `manage.py sync_tmdb` from cron). When TMDB is briefly unavailable (429, timeouts) the
    task fails and is retried with back-off; the retry picks up the films that were missed."""
    from films.tmdb_sync import sync_changes  # films.models imports this module

    run = sync_changes(retry_transient=True)
    return {"listed": run.listed, "updated": run.updated, "failures": run.failures,
            "error": run.error}
