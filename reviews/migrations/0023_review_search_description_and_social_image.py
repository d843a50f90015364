"""SEO fields (#22 item 7): a search description and a social image, each with a derived
default when left empty (reviews/seo.py)."""

import films.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("reviews", "0022_featured_slot_replaces_is_featured")]

    operations = [
        migrations.AddField(
            model_name="review",
            name="search_description",
            field=models.CharField(blank=True, help_text="What search engines and link previews show under the headline. Leave empty to use the first paragraph of the review (shown greyed out).", max_length=300, verbose_name="search description"),
        ),
        migrations.AddField(
            model_name="review",
            name="social_height",
            field=models.PositiveIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="review",
            name="social_image",
            field=models.ImageField(blank=True, height_field="social_height", help_text="The picture shown when the review is shared (1200 × 630 suits every site). Leave empty to use the hero image, else the film's poster.", upload_to="social/%Y/", validators=[films.validators.validate_image_file], verbose_name="social image", width_field="social_width"),
        ),
        migrations.AddField(
            model_name="review",
            name="social_width",
            field=models.PositiveIntegerField(blank=True, editable=False, null=True),
        ),
    ]
