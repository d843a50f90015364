from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("films", "0010_move_person_photos_into_library"),
    ]

    operations = [
        migrations.RemoveField(model_name="person", name=name)
        for name in ("photo_file", "photo_width", "photo_height", "photo_renditions")
    ]
