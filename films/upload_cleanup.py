"""Uploaded images that outlive their use: removed from storage once nothing names them.

When a row's image is replaced or cleared (the admin's forms, the model API) or the row is
deleted, its old upload and the renditions recorded for it are deleted, once the change is
committed: a failed or rolled-back save deletes nothing. A file another row still names (the
library may hold one file under two rows; a live review's pending version names its social
image) stays, and so do its renditions, which are named after it.

Connected in FilmsConfig.ready() for every model's `StrippedImageField`.
"""

from collections.abc import Callable

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save

from films.renditions import delete_renditions
from films.uploads import stripped_fields

# Other rows that may name an upload outside an image field: each answers whether `name` is
# still in use (reviews.pending registers its pending versions' social images).
FILE_USERS: list[Callable[[str, str], bool]] = []

# The stored names an instance's image fields held before its save, by instance.
STORED_ATTR = "_uploads_before_save"


def in_use(name: str, using: str) -> bool:
    """Whether any row of any model still names the upload `name`."""
    return any(
        model._default_manager.using(using).filter(**{field.name: name}).exists()
        for model, field in stripped_fields()
    ) or any(user(name, using) for user in FILE_USERS)


def records_of(instance, field) -> list[dict]:
    """The renditions records (films/renditions.py) made from `instance`'s image `field`."""
    specs = getattr(type(instance), "RENDITIONS", {})
    return [
        getattr(instance, spec.record_field) or {}
        for key, spec in specs.items()
        if (spec.field or key) == field.name
    ]


def delete_on_commit(storage, name: str, records: list[dict], using: str) -> None:
    """Delete the upload `name` and the renditions `records` name of it once the transaction
    commits, unless some row names it by then."""

    def remove():
        if in_use(name, using):
            return
        storage.delete(name)
        for record in records:
            if record.get("name") == name:
                delete_renditions(storage, record)

    transaction.on_commit(remove, using=using)


def fields_of(model) -> list:
    return [field for each, field in stripped_fields() if each is model]


def remember_stored(sender, instance, raw=False, using=None, update_fields=None, **kwargs):
    """Before a save: what the row's image fields (and their records) hold in the database."""
    if raw or instance.pk is None:
        return
    fields = [
        field for field in fields_of(sender) if update_fields is None or field.name in update_fields
    ]
    if not fields:
        return
    records = [spec.record_field for spec in getattr(sender, "RENDITIONS", {}).values()]
    columns = [*(field.name for field in fields), *records]
    stored = sender._default_manager.using(using).only(*columns).filter(pk=instance.pk).first()
    if stored is None:
        return
    setattr(
        instance,
        STORED_ATTR,
        {
            field.name: (getattr(stored, field.name).name, records_of(stored, field))
            for field in fields
        },
    )


def drop_replaced(sender, instance, raw=False, using=None, **kwargs):
    """After a save: the uploads the row no longer names go, once committed."""
    before = vars(instance).pop(STORED_ATTR, None)
    if raw or not before:
        return
    for field_name, (old, records) in before.items():
        file = getattr(instance, field_name)
        if old and old != file.name:
            delete_on_commit(file.storage, old, records, using)


def drop_deleted(sender, instance, using=None, **kwargs):
    """After a delete: the row's uploads go, once committed."""
    for field in fields_of(sender):
        file = getattr(instance, field.name)
        if file.name:
            delete_on_commit(file.storage, file.name, records_of(instance, field), using)


def connect() -> None:
    for model in {model for model, _field in stripped_fields()}:
        label = model._meta.label_lower
        pre_save.connect(remember_stored, sender=model, dispatch_uid=f"uploads-before-{label}")
        post_save.connect(drop_replaced, sender=model, dispatch_uid=f"uploads-replaced-{label}")
        post_delete.connect(drop_deleted, sender=model, dispatch_uid=f"uploads-deleted-{label}")
