"""The front page's featured slot (#22 item 6): Feature rows (one current, its history, the
schedule) replace the `is_featured` checkbox. The most recently published featured review
becomes the current feature; Editors get the permissions to manage the slot."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

GRANTS = {"Editors": ["view_feature", "add_feature", "delete_feature"]}
LIVE = ["published", "scheduled"]


def featured_to_feature(apps, schema_editor):
    Review = apps.get_model("reviews", "Review")
    Feature = apps.get_model("reviews", "Feature")
    PendingChange = apps.get_model("reviews", "PendingChange")
    now = django.utils.timezone.now()
    chosen = (
        Review.objects.filter(is_featured=True, status__in=LIVE, published_at__lte=now)
        .order_by("-published_at", "-id")
        .first()
    )
    if chosen is not None:
        Feature.objects.create(review=chosen, starts_at=now)
    # Pending versions kept the checkbox with the other fields: it is not a field any more.
    for pending in PendingChange.objects.all():
        if "is_featured" in pending.fields:
            pending.fields.pop("is_featured")
            pending.save(update_fields=["fields"])


def feature_to_featured(apps, schema_editor):
    Review = apps.get_model("reviews", "Review")
    Feature = apps.get_model("reviews", "Feature")
    current = (
        Feature.objects.filter(starts_at__lte=django.utils.timezone.now())
        .order_by("-starts_at", "-id")
        .first()
    )
    if current is not None:
        Review.objects.filter(pk=current.review_id).update(is_featured=True)


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


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0021_review_tags"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Feature",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("starts_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="starts at")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("featured_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="featured by")),
                ("review", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="features", to="reviews.review")),
            ],
            options={
                "verbose_name": "front-page feature",
                "ordering": ["-starts_at", "-id"],
                "indexes": [models.Index(fields=["-starts_at", "-id"], name="feature_latest_idx")],
            },
        ),
        migrations.RunPython(featured_to_feature, feature_to_featured),
        migrations.RemoveField(model_name="review", name="is_featured"),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
