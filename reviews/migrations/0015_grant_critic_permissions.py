"""Give Editors the critic profile permissions: they set the display names bylines need."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Editors": ["view_critic", "add_critic", "change_critic", "delete_critic",
                "view_criticlink", "add_criticlink", "change_criticlink", "delete_criticlink"],
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
        group.permissions.add(*Permission.objects.filter(
            content_type__app_label="reviews", codename__in=codenames
        ))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        for group in Group.objects.filter(name=name):
            group.permissions.remove(*Permission.objects.filter(
                content_type__app_label="reviews", codename__in=codenames
            ))


class Migration(migrations.Migration):
    dependencies = [("reviews", "0014_add_critic")]

    operations = [migrations.RunPython(grant, revoke)]
