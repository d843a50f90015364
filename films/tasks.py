"""Films' background tasks: image renditions (films/renditions.py) and TMDB's daily sync."""

from django.apps import apps
from django.db import transaction

from films.renditions import (
    delete_renditions,
    is_current,
    make_renditions,
    source,
    source_name,
    spec_for,
)
from tasks.base import durable_task


@durable_task(queue_name="images")
def make_image_renditions(model: str, pk: int, field_name: str, name: str, crop: str = "") -> dict:
    """Make the renditions of one image (films/renditions.py) and record them on its row.

    Idempotent: an image replaced, recropped or deleted since the task was queued is left
    alone (its own save queued a task), and an image already recorded is not made again.
    Recording them retires the pages that show the image, as after any edit.
    """
    item = apps.get_model(model)._default_manager.filter(pk=pk).first()
    if item is None:
        return {"skipped": "deleted"}
    field = source(item, field_name)
    if field.name != name or (crop and spec_for(item, field_name).crop_key(item) != crop):
        return {"skipped": "image replaced"}
    if is_current(item, field_name):
        return {"skipped": "already made"}
    record = make_renditions(item, field_name)
    record_renditions(item, field_name, record)
    return {
        "name": record["name"],
        "crop": record["crop"],
        "widths": [width for width, _name in record["files"].get("jpg", [])],
    }


def record_renditions(item, field_name: str, record: dict) -> None:
    """Keep `record` on `item`'s row: through the model's `save_renditions(record_field)` when
    it has one (a review, whose save is an editorial act), else a save of that field alone.

    The files of the record it replaces (an earlier image's, or an earlier crop's) are deleted
    once the new record is committed: nothing links to them any more."""
    record_field = spec_for(item, field_name).record_field
    superseded = getattr(item, record_field) or {}
    setattr(item, record_field, record)
    if hasattr(item, "save_renditions"):
        item.save_renditions(record_field)
    else:
        item.save(update_fields=[record_field])
    kept = {name for files in record["files"].values() for _width, name in files}
    stale = {
        "files": {
            extension: [[w, name] for w, name in files if name not in kept]
            for extension, files in superseded.get("files", {}).items()
        }
    }
    storage = source(item, field_name).storage
    transaction.on_commit(lambda: delete_renditions(storage, stale))


def renditions_after_save(item, field_name: str, update_fields=None) -> None:
    """Queue the renditions of `item`'s image if its record does not match the image and its
    crop (a comparison of the row's own fields: nothing is asked of the storage)."""
    spec = spec_for(item, field_name)
    watched = {source_name(item, field_name), *(spec.focus_fields or ())}
    if update_fields is not None and not watched & set(update_fields):
        return
    field = source(item, field_name)
    if field and not is_current(item, field_name) and spec.wanted_for(item):
        make_image_renditions.enqueue_on_commit(
            item._meta.label, item.pk, field_name, field.name, spec.crop_key(item)
        )


@durable_task
def sync_tmdb() -> dict:
    """Refresh the films TMDB changed since the last run; enqueue it daily (or run
    `manage.py sync_tmdb` from cron). When TMDB is briefly unavailable (429, timeouts) the
    task fails and is retried with back-off; the retry picks up the films that were missed."""
    from films.tmdb_sync import sync_changes  # films.models imports this module

    run = sync_changes(retry_transient=True)
    return {
        "listed": run.listed,
        "updated": run.updated,
        "failures": run.failures,
        "error": run.error,
    }
