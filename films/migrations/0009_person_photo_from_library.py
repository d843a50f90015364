"""A person's photo becomes a library image (images.Image), as a film's poster did (0006-0008):
the photo uploaded on the person is kept under another name until 0010 has moved it into the
library, and 0011 removes it."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("films", "0008_remove_film_own_poster_fields"),
    ]

    operations = [
        migrations.RenameField(model_name="person", old_name="photo", new_name="photo_file"),
        migrations.AddField(
            model_name="person",
            name="photo",
            field=models.ForeignKey(
                blank=True,
                help_text="Choose an image from the library (the magnifier), or upload one there.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="photo_of",
                to="images.image",
            ),
        ),
    ]
