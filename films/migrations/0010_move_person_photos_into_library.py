"""Move every person's photo into the image library: one library Image per photo, its file
reused (not copied), described by the person's name, credited to TMDB when TMDB gave it, with
its renditions (in the photo's own shape, as the library's are).

Back: the person's own photo fields are filled in from the library image, and the library
images this migration made (files under people/, used by nothing else) are deleted; their files
stay.
"""

from django.db import migrations
from django.db.models import ProtectedError


def forward(apps, schema_editor):
    Person = apps.get_model("films", "Person")
    Image = apps.get_model("images", "Image")
    for person in Person.objects.exclude(photo_file="").exclude(photo_file__isnull=True):
        renditions = person.photo_renditions or {}
        image = Image.objects.create(
            width=person.photo_width,
            height=person.photo_height,
            alt=person.name[:300],
            credit="TMDB" if person.tmdb_profile_path else "",
            renditions=renditions if renditions.get("crop") == "orig" else {},
            uploaded_at=person.created_at,
        )
        # Named by an UPDATE: the file is stored already, and an instance would measure it.
        Image.objects.filter(pk=image.pk).update(file=person.photo_file.name)
        Person.objects.filter(pk=person.pk).update(photo_id=image.pk)


def backward(apps, schema_editor):
    Person = apps.get_model("films", "Person")
    Image = apps.get_model("images", "Image")
    made = set()
    for person in Person.objects.filter(photo__isnull=False).select_related("photo"):
        image = person.photo
        Person.objects.filter(pk=person.pk).update(
            photo_file=image.file.name,
            photo_width=image.width,
            photo_height=image.height,
            photo_renditions=image.renditions,
            photo=None,
        )
        if image.file.name.startswith("people/"):
            made.add(image.pk)
    for image in Image.objects.filter(pk__in=made):
        try:
            image.delete()
        except ProtectedError:  # shown elsewhere since: kept
            pass


class Migration(migrations.Migration):
    dependencies = [
        ("films", "0009_person_photo_from_library"),
    ]

    operations = [migrations.RunPython(forward, backward)]
