"""Search finds films by their other titles and keywords.

SQLite's `search_film` table gains an `other` column (reviews/search/sqlite.py); PostgreSQL
needs no schema change (reviews/search/postgres.py looks the titles up). Then every review,
film and person is indexed anew, which puts the new words in the vocabulary too.
"""

from django.db import migrations


def recreate_film_table(apps, schema_editor):
    from reviews.search import sqlite

    if schema_editor.connection.vendor == "sqlite":
        sqlite.recreate_film_table(schema_editor.connection)


def rebuild(apps, schema_editor):
    # The index module reads only the columns it needs (values()), so the real models serve.
    from reviews.search import index

    if schema_editor.connection.vendor in ("postgresql", "sqlite"):
        index.rebuild(using=schema_editor.connection.alias)


class Migration(migrations.Migration):

    dependencies = [
        ("films", "0003_add_tmdb_details"),
        ("reviews", "0015_grant_critic_permissions"),
    ]

    operations = [
        migrations.RunPython(recreate_film_table, migrations.RunPython.noop),
        migrations.RunPython(rebuild, migrations.RunPython.noop),
    ]
