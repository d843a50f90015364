from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0028_move_hero_images_into_library"),
    ]

    operations = [
        migrations.RemoveField(model_name="review", name=name)
        for name in (
            "hero_image",
            "hero_width",
            "hero_height",
            "hero_alt",
            "hero_decorative",
            "hero_credit",
            "hero_focus_x",
            "hero_focus_y",
            "hero_renditions",
        )
    ]
