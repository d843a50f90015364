"""Move every film's backdrop into the image library: one library Image per backdrop, its file
reused (not copied), described as "A still from <title> (<year>)", credited to TMDB when TMDB
gave it, with its renditions (in the backdrop's own shape, as the library's are).

Back: the film's own backdrop fields are filled in from the library image, and the library
images this migration made (files under backdrops/, used by nothing else) are deleted; their
files stay.
"""

from django.db import migrations
from django.db.models import ProtectedError


def still_alt(film) -> str:
    year = film.release_date.year if film.release_date else None
    return f"A still from {film.title} ({year})" if year else f"A still from {film.title}"


def forward(apps, schema_editor):
    Film = apps.get_model("films", "Film")
    Image = apps.get_model("images", "Image")
    for film in Film.objects.exclude(backdrop_file="").exclude(backdrop_file__isnull=True):
        renditions = film.backdrop_renditions or {}
        image = Image.objects.create(
            width=film.backdrop_width,
            height=film.backdrop_height,
            alt=still_alt(film)[:300],
            credit="TMDB" if film.tmdb_backdrop_path else "",
            renditions=renditions if renditions.get("crop") == "orig" else {},
            uploaded_at=film.created_at,
        )
        # Named by an UPDATE: the file is stored already, and an instance would measure it.
        Image.objects.filter(pk=image.pk).update(file=film.backdrop_file.name)
        Film.objects.filter(pk=film.pk).update(backdrop_id=image.pk)


def backward(apps, schema_editor):
    Film = apps.get_model("films", "Film")
    Image = apps.get_model("images", "Image")
    made = set()
    for film in Film.objects.filter(backdrop__isnull=False).select_related("backdrop"):
        image = film.backdrop
        Film.objects.filter(pk=film.pk).update(
            backdrop_file=image.file.name,
            backdrop_width=image.width,
            backdrop_height=image.height,
            backdrop_renditions=image.renditions,
            backdrop=None,
        )
        if image.file.name.startswith("backdrops/"):
            made.add(image.pk)
    for image in Image.objects.filter(pk__in=made):
        try:
            image.delete()
        except ProtectedError:  # shown elsewhere since: kept
            pass


class Migration(migrations.Migration):
    dependencies = [
        ("films", "0012_film_backdrop_from_library"),
    ]

    operations = [migrations.RunPython(forward, backward)]
