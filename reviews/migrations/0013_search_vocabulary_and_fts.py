"""Search that forgives: accent folding and trigrams on PostgreSQL, FTS5 on SQLite.

PostgreSQL: the `unaccent` and `pg_trgm` extensions, the `marquee` text search configuration
(English after unaccent), `marquee_fold()` and trigram indexes on the vocabulary, film titles
and people's names (reviews/search/postgres.py). SQLite: the FTS5 tables of
reviews/search/sqlite.py. Each part is a no-op on the other database. Then every review, film
and person is indexed anew — by migration 0016 since it indexes films' other titles too,
whose table (films 0003) this migration does not wait for.
"""

from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations, models


def create_schema(apps, schema_editor):
    from reviews.search import postgres, sqlite

    if schema_editor.connection.vendor == "postgresql":
        for statement in postgres.CREATE:
            schema_editor.execute(statement)
    elif schema_editor.connection.vendor == "sqlite":
        sqlite.create_tables(schema_editor.connection)


def drop_schema(apps, schema_editor):
    from reviews.search import postgres, sqlite

    if schema_editor.connection.vendor == "postgresql":
        for statement in postgres.DROP:
            schema_editor.execute(statement)
    elif schema_editor.connection.vendor == "sqlite":
        sqlite.drop_tables(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("films", "0001_initial"),
        ("reviews", "0012_drop_review_rendering"),
    ]

    operations = [
        UnaccentExtension(),
        TrigramExtension(),
        migrations.CreateModel(
            name="SearchWord",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("word", models.CharField(max_length=64, unique=True)),
            ],
            options={"ordering": ["word"]},
        ),
        migrations.RunPython(create_schema, drop_schema),
    ]
