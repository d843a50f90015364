from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("films", "0013_move_backdrops_into_library"),
    ]

    operations = [
        migrations.RemoveField(model_name="film", name=name)
        for name in ("backdrop_file", "backdrop_width", "backdrop_height", "backdrop_renditions")
    ]
