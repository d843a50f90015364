from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("films", "0007_move_posters_into_library"),
    ]

    operations = [
        migrations.RemoveField(model_name="film", name=name)
        for name in ("poster_file", "poster_width", "poster_height", "poster_renditions")
    ]
