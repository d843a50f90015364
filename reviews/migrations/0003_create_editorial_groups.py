"""Create the Writers, Editors and Moderators groups with their permissions.

Permissions are normally created after all migrations run; this migration creates them first so
a fresh database has complete groups.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = {
    "Writers": [
        "reviews.add_review", "reviews.change_review", "reviews.view_review",
        "reviews.add_section", "reviews.change_section", "reviews.delete_section",
        "reviews.view_section",
        "films.view_film", "films.view_person", "films.view_genre", "films.view_collection",
    ],
    "Editors": [
        f"{app}.{action}_{model}"
        for app, models in {
            "reviews": ["review", "section"],
            "films": ["film", "person", "genre", "collection", "castcredit", "crewcredit"],
        }.items()
        for model in models
        for action in ("add", "change", "delete", "view")
    ] + ["reviews.publish_review", "reviews.view_reviewtransition"],
    # Comment permissions are added by the comments migration.
    "Moderators": [],
}


def create_groups(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codes in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for code in codes:
            app_label, codename = code.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("films", "0001_initial"),
        ("reviews", "0002_workflow_audit_and_locking"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
