"""A film's poster becomes a library image (images.Image). The poster uploaded on the film is
kept under another name until 0007 has moved it into the library, and 0008 removes it.
(Three migrations: PostgreSQL refuses a data change and a schema change in one transaction.)"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("images", "0003_image_wide_renditions"),
        ("films", "0005_backdrop_renditions"),
    ]

    operations = [
        migrations.RenameField(model_name="film", old_name="poster", new_name="poster_file"),
        migrations.AddField(
            model_name="film",
            name="poster",
            field=models.ForeignKey(
                blank=True,
                help_text="Choose an image from the library (the magnifier), or upload one there.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="poster_of",
                to="images.image",
            ),
        ),
    ]
