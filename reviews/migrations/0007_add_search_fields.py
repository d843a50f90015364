import django.contrib.postgres.search
from django.db import migrations, models

# A GIN index is PostgreSQL's; SQLite searches search_text with LIKE instead, so the index is
# created only there (and is not part of the model state, which stays database-neutral).
CREATE_INDEX = "CREATE INDEX IF NOT EXISTS review_search_vector_gin ON reviews_review USING gin (search_vector)"
DROP_INDEX = "DROP INDEX IF EXISTS review_search_vector_gin"


def create_gin_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_INDEX)


def drop_gin_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_INDEX)


def backfill(apps, schema_editor):
    """Superseded: 0011 builds every review's search entry with the final configuration."""


class Migration(migrations.Migration):

    dependencies = [
        ('reviews', '0006_grant_comment_permissions'),
    ]

    operations = [
        migrations.AddField(
            model_name='review',
            name='search_text',
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name='review',
            name='search_vector',
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(create_gin_index, drop_gin_index),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
