"""Critics' names join the search vocabulary on an upgraded site.

A critic's display name has joined the vocabulary (a misspelt name is corrected to theirs)
only when the critic is saved (reviews/search/index.py); critics saved before that were
corrected only after a manual `update_search_index`. This adds every named critic's words.
"""

from django.db import migrations


def add_critic_names(apps, schema_editor):
    # The index module writes the vocabulary through the real SearchWord model (as 0016 does).
    from reviews.search import index

    alias = schema_editor.connection.alias
    Critic = apps.get_model("reviews", "Critic")
    # CriticQuerySet.named(): a display name and a page.
    names = (
        Critic.objects.using(alias)
        .exclude(display_name="")
        .exclude(slug="")
        .values_list("display_name", flat=True)
    )
    index.critic_names_changed(list(names), using=alias)


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0039_critic_updated_at"),
    ]

    operations = [
        migrations.RunPython(add_critic_names, migrations.RunPython.noop),
    ]
