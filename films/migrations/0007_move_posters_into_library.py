"""Move every film's poster into the image library: one library Image per poster, its file
reused (not copied), described as "Poster of <title> (<year>)", credited to TMDB when TMDB gave
it, with its renditions (in the poster's own shape, as the library's are). The film's `poster`
then points at it.

Back: the film's own poster fields are filled in from its library image, and the library images
this migration made (files under posters/, the old field's folder, used by nothing else) are
deleted; their files stay.
"""

from django.db import migrations
from django.db.models import ProtectedError


def poster_alt(film) -> str:
    year = film.release_date.year if film.release_date else None
    return f"Poster of {film.title} ({year})" if year else f"Poster of {film.title}"


def forward(apps, schema_editor):
    Film = apps.get_model("films", "Film")
    Image = apps.get_model("images", "Image")
    for film in Film.objects.exclude(poster_file="").exclude(poster_file__isnull=True):
        renditions = film.poster_renditions or {}
        image = Image.objects.create(
            width=film.poster_width,
            height=film.poster_height,
            alt=poster_alt(film)[:300],
            credit="TMDB" if film.tmdb_poster_path else "",
            # The poster's renditions are in its own shape ("orig"), as the library's are.
            renditions=renditions if renditions.get("crop") == "orig" else {},
            uploaded_at=film.created_at,
        )
        # The name written by an UPDATE: the file is in the storage already, and a model
        # instance would open it to measure it.
        Image.objects.filter(pk=image.pk).update(file=film.poster_file.name)
        Film.objects.filter(pk=film.pk).update(poster_id=image.pk)


def backward(apps, schema_editor):
    Film = apps.get_model("films", "Film")
    Image = apps.get_model("images", "Image")
    made = set()
    for film in Film.objects.filter(poster__isnull=False).select_related("poster"):
        image = film.poster
        Film.objects.filter(pk=film.pk).update(
            poster_file=image.file.name,
            poster_width=image.width,
            poster_height=image.height,
            poster_renditions=image.renditions,
            poster=None,
        )
        if image.file.name.startswith("posters/"):
            made.add(image.pk)
    for image in Image.objects.filter(pk__in=made):
        try:
            image.delete()
        except ProtectedError:  # shown elsewhere since (a review's hero, a section): kept
            pass


class Migration(migrations.Migration):
    dependencies = [
        ("films", "0006_film_poster_from_library"),
    ]

    operations = [migrations.RunPython(forward, backward)]
