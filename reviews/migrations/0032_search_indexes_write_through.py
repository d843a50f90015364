"""Search's GIN indexes are written to directly, with no pending list (fastupdate = off).

A pending list (PostgreSQL's default, up to 4 MB) is read whole by every search until VACUUM
merges it: at scale 1 after the bench data's bulk writes it held every film title and most
reviews, and search p95 was ~170 ms instead of ~60 (bench/SEARCH.md). No-op on SQLite.
"""

from django.db import migrations


def write_through(apps, schema_editor):
    from reviews.search import postgres

    if schema_editor.connection.vendor == "postgresql":
        for statement in postgres.WRITE_THROUGH:
            schema_editor.execute(statement)
        schema_editor.execute(postgres.MERGE_PENDING, [postgres.GIN_INDEXES])


def queued(apps, schema_editor):
    from reviews.search import postgres

    if schema_editor.connection.vendor == "postgresql":
        for statement in postgres.QUEUED:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0031_review_intro_images"),
    ]

    operations = [migrations.RunPython(write_through, queued)]
