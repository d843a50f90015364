"""Give Writers and Editors the image library: Writers add and describe images, Editors also
delete them (an image in use is never deleted: its users protect it)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Writers": ["view_image", "add_image", "change_image"],
    "Editors": ["view_image", "add_image", "change_image", "delete_image"],
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("images")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="images", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        for group in Group.objects.filter(name=name):
            group.permissions.remove(
                *Permission.objects.filter(content_type__app_label="images", codename__in=codenames)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("images", "0001_image_library"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
