"""Tags on reviews (#22 item 6), and the permissions to use them: Writers pick and add tags on
their reviews' forms, Editors also rename and delete them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations, models

GRANTS = {
    "Writers": ["view_tag", "add_tag"],
    "Editors": ["view_tag", "add_tag", "change_tag", "delete_tag"],
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("reviews")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="reviews", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        for group in Group.objects.filter(name=name):
            group.permissions.remove(
                *Permission.objects.filter(
                    content_type__app_label="reviews", codename__in=codenames
                )
            )


class Migration(migrations.Migration):
    dependencies = [("reviews", "0020_hero_image_details_and_renditions")]

    operations = [
        migrations.CreateModel(
            name="Tag",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=100, unique=True)),
                ("slug", models.SlugField(max_length=100, unique=True)),
            ],
            options={"ordering": ["name"]},
        ),
        migrations.AddField(
            model_name="review",
            name="tags",
            field=models.ManyToManyField(blank=True, related_name="reviews", to="reviews.tag"),
        ),
        migrations.RunPython(grant, revoke),
    ]
