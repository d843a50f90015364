import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("images", "0003_image_wide_renditions"),
        ("reviews", "0026_desk_setting_time_zone"),
    ]

    operations = [
        migrations.AddField(
            model_name="review",
            name="hero",
            field=models.ForeignKey(
                blank=True,
                help_text="Choose an image from the library (the magnifier), or upload one there.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="hero_of",
                to="images.image",
                verbose_name="hero image",
            ),
        ),
    ]
