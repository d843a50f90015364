"""A film's backdrop becomes a library image (images.Image), as its poster did (0006-0008): the
backdrop uploaded on the film is kept under another name until 0013 has moved it into the
library, and 0014 removes it."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("films", "0011_remove_person_own_photo_fields"),
    ]

    operations = [
        migrations.RenameField(model_name="film", old_name="backdrop", new_name="backdrop_file"),
        migrations.AddField(
            model_name="film",
            name="backdrop",
            field=models.ForeignKey(
                blank=True,
                help_text="A wide still, shown behind the trailer's play button: choose it from "
                "the library (the magnifier), or upload it there.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="backdrop_of",
                to="images.image",
            ),
        ),
    ]
