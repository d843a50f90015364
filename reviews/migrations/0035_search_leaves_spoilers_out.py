"""Search leaves out what spoilers hide (reviews/search/index.py: review_document): the reviews
holding a spoiler are indexed again, so their entries no longer carry it."""

from django.db import migrations
from django.db.models import Q


def reindex_spoilers(apps, schema_editor):
    from reviews.search import index

    Review = apps.get_model("reviews", "Review")
    alias = schema_editor.connection.alias
    holding = Review.objects.using(alias).filter(
        Q(sections__is_spoiler=True) | Q(intro_html__contains='<details class="spoiler">')
    )
    for review_id in holding.values_list("pk", flat=True).distinct():
        index.reindex_review(review_id, using=alias)


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0034_review_public_index_covers_counts"),
    ]

    operations = [migrations.RunPython(reindex_spoilers, migrations.RunPython.noop)]
