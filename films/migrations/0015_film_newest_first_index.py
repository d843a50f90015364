"""Films newest first (undated last) from an index: the catalogue and the front page list them
so, and the old index (dated films newest first, undated first) served no query.

SQLite cannot declare NULLS LAST in an index: there the old index goes and no new one is made
(its catalogue is small); the model's state has the index on every database.
"""

from django.db import migrations, models

OLD = models.Index(fields=["-release_date", "title"], name="film_release_idx")
NEW = models.Index(
    models.OrderBy(models.F("release_date"), descending=True, nulls_last=True),
    models.F("title"),
    models.F("id"),
    name="film_newest_first_idx",
)


def forward(apps, schema_editor):
    film = apps.get_model("films", "Film")
    schema_editor.remove_index(film, OLD)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(film, NEW)


def backward(apps, schema_editor):
    film = apps.get_model("films", "Film")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(film, NEW)
    schema_editor.add_index(film, OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("films", "0014_remove_film_own_backdrop_fields"),
        ("images", "0003_image_wide_renditions"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="film", name="film_release_idx"),
                migrations.AddIndex(model_name="film", index=NEW),
            ],
            database_operations=[migrations.RunPython(forward, backward)],
        )
    ]
