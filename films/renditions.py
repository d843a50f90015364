"""Image renditions: smaller WebP copies of uploaded posters and photos, for `srcset`.

Renditions are made when the image is saved (Film.save, Person.save), beside the original in
the same storage, under a name derived from the original's, so templates can name them without
touching the storage. `manage.py shell -c "from films.renditions import backfill; backfill()"`
makes them for images uploaded before renditions existed.
"""

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


def srcset(field, original_width: int | None) -> str:
    """"url-160w.webp 160w, url-320w.webp 320w, …" for an ImageField's file, or ""."""
    if not field:
        return ""
    storage = field.storage
    return ", ".join(
        f"{storage.url(rendition_name(field.name, w))} {w}w" for w in widths_for(original_width)
    )


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
    """Make the missing renditions of every poster and photo; return how many were written."""
    from films.models import Film, Person

    count = 0
    for film in Film.objects.exclude(poster="").only("poster"):
        count += len(make_renditions(film.poster))
    for person in Person.objects.exclude(photo="").only("photo"):
        count += len(make_renditions(person.photo))
    return count
