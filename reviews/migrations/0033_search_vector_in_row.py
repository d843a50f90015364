"""A review's search vector is stored in its row (STORAGE MAIN), not out of line in TOAST.

Ranking a common word reads every matching review's vector twice; out of line each read was a
TOAST lookup (bench/SEARCH.md, 30 November 2026). The vectors stored already are rewritten so
that they move. No-op on SQLite.
"""

from django.db import migrations


def in_row(apps, schema_editor):
    from reviews.search import postgres

    if schema_editor.connection.vendor == "postgresql":
        for statement in postgres.VECTOR_IN_ROW:
            schema_editor.execute(statement)


def out_of_row(apps, schema_editor):
    from reviews.search import postgres

    if schema_editor.connection.vendor == "postgresql":
        for statement in postgres.VECTOR_OUT_OF_ROW:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0032_search_indexes_write_through"),
    ]

    operations = [migrations.RunPython(in_row, out_of_row)]
