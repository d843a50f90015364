"""Image renditions: smaller WebP copies of uploaded posters and photos, for `srcset`.

Renditions are made by a background task (films/tasks.py) after an image is saved, beside the
original in the same storage, under a name derived from the original's. When they are written
the task records them on the model (`poster_renditions`, `photo_renditions`: the image's name
and the widths made), and `srcset` offers only recorded renditions of the current image: until
then, or after the image is replaced, pages show the original and never wait.
`manage.py shell -c "from films.renditions import backfill; backfill()"` makes them for images
uploaded before renditions existed.
"""

import json
import logging
from io import BytesIO
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from PIL import Image, ImageOps

logger = logging.getLogger("marquee.renditions")

WIDTHS = (160, 320, 480, 640)
QUALITY = 80


def rendition_name(name: str, width: int) -> str:
    path = PurePosixPath(name)
    return str(PurePosixPath("renditions") / path.parent / f"{path.stem}-{width}w.webp")


def widths_for(original_width: int | None) -> list[int]:
    """The rendition widths an image of this width gets (never upscaled)."""
    if not original_width:
        return []
    return [w for w in WIDTHS if w < original_width] or []


def ready_widths(field, record: dict | None) -> list[int]:
    """The widths whose renditions were made for the field's current image (from its record).

    The record may arrive as JSON text: the review page reads its film with raw SQL.
    """
    if isinstance(record, str):
        try:
            record = json.loads(record)
        except ValueError:
            return []
    if not field or not isinstance(record, dict) or record.get("name") != field.name:
        return []
    return [int(w) for w in record.get("widths", [])]


def srcset(field, record: dict | None) -> str:
    """"url-160w.webp 160w, url-320w.webp 320w, …" for an ImageField's file, or "" while its
    renditions are not made yet."""
    storage = field.storage if field else None
    return ", ".join(
        f"{storage.url(rendition_name(field.name, w))} {w}w" for w in ready_widths(field, record)
    )


def record_for(field) -> dict:
    """Make the missing renditions of the field's image; return the record that names them."""
    make_renditions(field)
    storage = field.storage
    try:
        width = field.width
    except (OSError, ValueError):
        width = None
    made = [w for w in widths_for(width) if storage.exists(rendition_name(field.name, w))]
    return {"name": field.name, "widths": made}


def make_renditions(field) -> list[str]:
    """Write the missing renditions of an ImageField's file; return the names written.

    A broken or unreadable file is logged and skipped: a missing rendition only costs bytes.
    """
    if not field:
        return []
    storage = field.storage
    known_width = getattr(field, "width", None) if field._committed else None
    if known_width and all(
        storage.exists(rendition_name(field.name, w)) for w in widths_for(known_width)
    ):
        return []  # the usual case on a save that did not change the image
    written = []
    try:
        with storage.open(field.name, "rb") as source:
            image = ImageOps.exif_transpose(Image.open(source))
            image.load()
    except (OSError, ValueError) as error:
        logger.warning("No renditions for %s: %s", field.name, error)
        return []
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    for width in widths_for(image.width):
        name = rendition_name(field.name, width)
        if storage.exists(name):
            continue
        height = round(image.height * width / image.width)
        resized = image.resize((width, height), Image.Resampling.LANCZOS)
        buffer = BytesIO()
        resized.save(buffer, "WEBP", quality=QUALITY, method=4)
        written.append(storage.save(name, ContentFile(buffer.getvalue())))
    return written


def backfill() -> int:
    """Make the missing renditions of every poster and photo, now; return how many images
    were brought up to date."""
    from films.models import Film, Person

    count = 0
    for model, name in ((Film, "poster"), (Person, "photo")):
        for item in model.objects.exclude(**{name: ""}):
            field = getattr(item, name)
            record = getattr(item, f"{name}_renditions")
            if record.get("name") != field.name or not storage_has(field, record):
                setattr(item, f"{name}_renditions", record_for(field))
                item.save(update_fields=[f"{name}_renditions"])
                count += 1
    return count


def storage_has(field, record: dict) -> bool:
    return all(field.storage.exists(rendition_name(field.name, w))
               for w in ready_widths(field, record))
