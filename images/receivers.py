"""The image library's receivers, connected in ImagesConfig.ready().

A deleted library image takes its files with it (the upload and every rendition), once the
deletion is committed: nothing can show them any more, since an image in use cannot be deleted
(its users hold protected foreign keys). A rolled-back deletion deletes nothing.

An image whose file is replaced (a new upload on its change page) likewise drops the old
upload once the change is committed: the row named it alone, and its renditions go with the
new ones' making (films/tasks.py).
"""

from django.db import transaction
from django.db.models.signals import post_delete, pre_save

from films.renditions import delete_renditions
from images.models import Image


def delete_files(sender, instance, using, **kwargs):
    storage, name = instance.file.storage, instance.file.name
    records = [instance.renditions, instance.wide_renditions]

    def remove():
        # An upload another library row still names (a file reused by a migration) stays.
        if name and not Image.objects.using(using).filter(file=name).exists():
            storage.delete(name)
        for record in records:
            delete_renditions(storage, record)

    transaction.on_commit(remove, using=using)


def delete_replaced_file(sender, instance, using, raw=False, update_fields=None, **kwargs):
    if raw or instance.pk is None or (update_fields is not None and "file" not in update_fields):
        return
    stored = Image.objects.using(using).filter(pk=instance.pk).values_list("file", flat=True)
    old = stored.first()
    if not old or old == instance.file.name:
        return
    storage = instance.file.storage

    def remove():
        if not Image.objects.using(using).filter(file=old).exists():
            storage.delete(old)

    transaction.on_commit(remove, using=using)


def connect() -> None:
    post_delete.connect(delete_files, sender=Image, dispatch_uid="images-delete-files")
    pre_save.connect(delete_replaced_file, sender=Image, dispatch_uid="images-replaced-file")
