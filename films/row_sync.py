"""Writing rows with the fewest writes, so that importing the same file twice writes nothing and
leaves every `updated_at` where it was (films/importers.py, films/tmdb_write.py)."""

from typing import Any

from django.db import models


def assign(obj: models.Model, values: dict[str, Any]) -> bool:
    """Set the values that differ; say whether any did."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def sync(
    existing: models.QuerySet,
    wanted: list[models.Model],
    *,
    key: tuple[str, ...],
    fallback: str,
    fields: list[str],
) -> bool:
    """Turn `existing` rows into `wanted` ones with the fewest writes; say whether any happened.

    Rows are matched on their unique `key` first, then on `fallback` alone, so a person whose
    character or job was renamed keeps their row.
    """

    def identity(obj: models.Model, names: tuple[str, ...]) -> tuple:
        return tuple(getattr(obj, name) for name in names)

    spare = {identity(obj, key): obj for obj in existing}
    matched, unmatched = [], []
    for new in wanted:
        old = spare.pop(identity(new, key), None)
        (unmatched if old is None else matched).append((old, new))
    created = []
    for _, new in unmatched:
        old = next(
            (obj for obj in spare.values() if getattr(obj, fallback) == getattr(new, fallback)),
            None,
        )
        if old is None:
            created.append(new)
        else:
            del spare[identity(old, key)]
            matched.append((old, new))

    changed = bool(spare or created)
    existing.model.objects.filter(pk__in=[obj.pk for obj in spare.values()]).delete()
    updated = [old for old, new in matched if assign(old, {f: getattr(new, f) for f in fields})]
    if updated:
        existing.model.objects.bulk_update(updated, fields)
        changed = True
    existing.model.objects.bulk_create(created)
    return changed
