"""Move every review's hero image into the image library: one library Image per hero (its file
reused, not copied, with its alt text, decorative flag, credit, focal point and 16:9 renditions),
which the review's `hero` then points at. Pending versions holding a hero of their own are
moved the same way.

Back: the review's own hero fields are filled in from its library image, and the library images
this migration made (files under heroes/, the old fields' folder, shown in no section) are
deleted; their files stay.
"""

from django.core.files.images import get_image_dimensions
from django.core.files.storage import default_storage
from django.db import migrations

OLD_FIELDS = (
    "hero_image",
    "hero_alt",
    "hero_decorative",
    "hero_credit",
    "hero_focus_x",
    "hero_focus_y",
)


class Library:
    """Library images made for heroes, one per distinct file and description."""

    def __init__(self, apps):
        self.Image = apps.get_model("images", "Image")
        self.made = {}

    def image_for(
        self,
        name,
        *,
        alt,
        decorative,
        credit,
        focus,
        width=None,
        height=None,
        renditions=None,
        by=None,
        at=None,
    ):
        alt = (alt or "").strip()
        # Alt text was required unless the hero was decorative; one stored without either
        # showed alt="" all along, which a library image says by being decorative.
        decorative = bool(decorative) or not alt
        key = (name, alt, decorative, credit or "", *focus)
        if key not in self.made:
            if not (width and height):
                # Measured now (a pending version's upload was never measured): an image
                # without its dimensions would be opened each time it is loaded.
                width, height = measure(name)
                if not (width and height):
                    return None  # no such image in the storage: nothing to show
            fields = {"uploaded_at": at} if at else {}
            image = self.Image.objects.create(
                width=width,
                height=height,
                alt=alt,
                decorative=decorative,
                credit=credit or "",
                focus_x=focus[0],
                focus_y=focus[1],
                wide_renditions=renditions or {},
                uploaded_by_id=by,
                **fields,
            )
            # The name written by an UPDATE: the file is in the storage already, and a model
            # instance would open it to measure it.
            self.Image.objects.filter(pk=image.pk).update(file=name)
            self.made[key] = image.pk
        return self.made[key]


def measure(name):
    try:
        with default_storage.open(name, "rb") as opened:
            return get_image_dimensions(opened) or (None, None)
    except OSError:
        return (None, None)


def forward(apps, schema_editor):
    Review = apps.get_model("reviews", "Review")
    PendingChange = apps.get_model("reviews", "PendingChange")
    PendingImage = apps.get_model("reviews", "PendingImage")
    library = Library(apps)
    for review in Review.objects.exclude(hero_image="").exclude(hero_image__isnull=True):
        pk = library.image_for(
            review.hero_image.name,
            alt=review.hero_alt,
            decorative=review.hero_decorative,
            credit=review.hero_credit,
            focus=(review.hero_focus_x, review.hero_focus_y),
            width=review.hero_width,
            height=review.hero_height,
            renditions=review.hero_renditions,
            by=review.author_id,
            at=review.created_at,
        )
        if pk is not None:
            Review.objects.filter(pk=review.pk).update(hero_id=pk)
    for pending in PendingChange.objects.all():
        fields = dict(pending.fields)
        if not any(name in fields for name in OLD_FIELDS):
            continue
        name = fields.get("hero_image")
        hero = None
        if name:
            hero = library.image_for(
                name,
                alt=fields.get("hero_alt"),
                decorative=fields.get("hero_decorative"),
                credit=fields.get("hero_credit"),
                focus=(fields.get("hero_focus_x", 50), fields.get("hero_focus_y", 50)),
                by=pending.updated_by_id,
            )
            if hero is not None:
                PendingImage.objects.get_or_create(pending_id=pending.pk, image_id=hero)
        for old in OLD_FIELDS:
            fields.pop(old, None)
        fields["hero"] = hero
        PendingChange.objects.filter(pk=pending.pk).update(fields=fields)


def backward(apps, schema_editor):
    Review = apps.get_model("reviews", "Review")
    PendingChange = apps.get_model("reviews", "PendingChange")
    PendingImage = apps.get_model("reviews", "PendingImage")
    Image = apps.get_model("images", "Image")
    for review in Review.objects.filter(hero__isnull=False).select_related("hero"):
        image = review.hero
        Review.objects.filter(pk=review.pk).update(
            hero_image=image.file.name,
            hero_width=image.width,
            hero_height=image.height,
            hero_alt=image.alt,
            hero_decorative=image.decorative,
            hero_credit=image.credit,
            hero_focus_x=image.focus_x,
            hero_focus_y=image.focus_y,
            hero_renditions=image.wide_renditions,
            hero=None,
        )
    for pending in PendingChange.objects.all():
        fields = dict(pending.fields)
        if "hero" not in fields:
            continue
        image = Image.objects.filter(pk=fields.pop("hero")).first() if fields.get("hero") else None
        fields.update(
            hero_image=image.file.name if image else "",
            hero_alt=image.alt if image else "",
            hero_decorative=image.decorative if image else False,
            hero_credit=image.credit if image else "",
            hero_focus_x=image.focus_x if image else 50,
            hero_focus_y=image.focus_y if image else 50,
        )
        PendingChange.objects.filter(pk=pending.pk).update(fields=fields)
    made = Image.objects.filter(file__startswith="heroes/", section_uses__isnull=True)
    PendingImage.objects.filter(image__in=made).delete()
    made.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0027_review_hero_from_library"),
    ]

    operations = [migrations.RunPython(forward, backward)]
