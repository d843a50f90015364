"""The image library: an upload kept once, described once (alt text, caption, credit, focal
point), and reused wherever the site shows a picture.

Whatever shows a library image points at it with a protected foreign key (a section's figure
through `reviews.SectionImage`, say), so an image in use cannot be deleted, and `uses()` can say
where it is used without knowing the apps that use it.
"""

from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from films.renditions import Spec
from films.tasks import renditions_after_save
from films.uploads import StrippedImageField
from films.validators import validate_image_file


class ImageQuerySet(models.QuerySet):
    def search(self, words: str):
        """Images whose alt text, caption, credit or file name holds `words`."""
        query = Q()
        for word in words.split():
            query &= (
                Q(alt__icontains=word)
                | Q(caption__icontains=word)
                | Q(credit__icontains=word)
                | Q(file__icontains=word)
            )
        return self.filter(query)


class Image(models.Model):
    file = StrippedImageField(
        upload_to="library/%Y/%m/",
        validators=[validate_image_file],
        width_field="width",
        height_field="height",
        help_text="JPEG, PNG, WebP or GIF.",
    )
    width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    alt = models.CharField(
        "alt text",
        max_length=300,
        blank=True,
        help_text="What the image shows, for readers who cannot see it. Required unless the "
        "image is marked decorative.",
    )
    decorative = models.BooleanField(
        "decorative",
        default=False,
        help_text="It adds nothing the text does not say: screen readers skip it.",
    )
    caption = models.CharField(
        max_length=500, blank=True, help_text="Shown under the image. Plain text."
    )
    credit = models.CharField(
        "credit / copyright",
        max_length=200,
        blank=True,
        help_text="Photographer, studio or agency, e.g. “© Lionsgate”.",
    )
    focus_x = models.PositiveSmallIntegerField(
        "focal point across (%)",
        default=50,
        validators=[MaxValueValidator(100)],
        help_text="Where the subject is, from the left edge (0) to the right (100): crops "
        "keep it in view. Click the image to set it.",
    )
    focus_y = models.PositiveSmallIntegerField(
        "focal point down (%)",
        default=50,
        validators=[MaxValueValidator(100)],
        help_text="From the top edge (0) to the bottom (100).",
    )
    # The renditions (films/renditions.py) once a task has made them: in the image's own shape,
    # and 16:9 around the focal point for an image shown as a review's hero.
    renditions = models.JSONField(default=dict, blank=True, editable=False)
    wide_renditions = models.JSONField(default=dict, blank=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    # The admin refuses a save from a page loaded before the last change (config/admin.py).
    updated_at = models.DateTimeField(auto_now=True)

    objects = ImageQuerySet.as_manager()

    # In their own shape, at the widths a poster on a card, a reading column and a wide screen
    # need; and "wide",
    # 16:9 around the focal point (a review's hero: its page, the lead card, link previews),
    # made only for images some review shows as its hero.
    RENDITIONS = {
        "file": Spec(
            "renditions",
            widths=(160, 320, 480, 800, 1200, 1600),
            focus_fields=("focus_x", "focus_y"),
        ),
        "wide": Spec(
            "wide_renditions",
            widths=(480, 800, 1200, 1600),
            aspect=(16, 9),
            focus_fields=("focus_x", "focus_y"),
            field="file",
            wanted="shown_wide",
        ),
    }

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decorative=True) | ~Q(alt=""), name="image_alt_unless_decorative"
            ),
        ]

    def __str__(self):
        return self.alt or self.caption or self.file_name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        renditions_after_save(self, "file", kwargs.get("update_fields"))
        renditions_after_save(self, "wide", kwargs.get("update_fields"))

    @property
    def shown_wide(self) -> bool:
        """Whether a review shows this image as its hero, live or in a pending version (the
        reverse relations of reviews.Review.hero and reviews.PendingImage)."""
        if self.pk is None:
            return False
        return self.hero_of.exists() or self.pending_changes.filter(fields__hero=self.pk).exists()

    def make_wide(self) -> None:
        """Queue the 16:9 renditions if they are wanted and not made (a review just chose this
        image as its hero)."""
        renditions_after_save(self, "wide")

    @property
    def file_name(self) -> str:
        return PurePosixPath(self.file.name).name if self.file else ""

    @property
    def alt_text(self) -> str:
        """The alt attribute: empty for a decorative image."""
        return "" if self.decorative else self.alt

    def clean(self):
        super().clean()
        self.alt = self.alt.strip()
        if not self.alt and not self.decorative:
            raise ValidationError(
                {
                    "alt": ValidationError(
                        "Describe the image for readers who cannot see it, or tick “decorative”.",
                        code="alt_required",
                    )
                }
            )

    def uses(self) -> list:
        """Every row that shows this image (a section's figure, a review's hero…), found through
        the protected foreign keys that point here."""
        found = []
        for relation in self._meta.related_objects:
            if relation.one_to_many and relation.on_delete is models.PROTECT:
                model = relation.related_model
                found += model._default_manager.filter(**{relation.field.name: self})
        return found


def edited_on(use):
    """The object whose admin page edits `use`, a row of `Image.uses()`: a figure's or a
    pending version's review (their `shown_on()`), else the row itself (a review's hero, a
    film's poster)."""
    return use.shown_on() if hasattr(use, "shown_on") else use
