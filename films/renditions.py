"""Image renditions: AVIF, WebP and JPEG copies of uploaded images at several widths, for
`<picture>` with `srcset` and `sizes`, cropped around a focal point where the place they are
shown has a fixed shape (a review's hero is 16:9).

Each model with images says what it wants in `RENDITIONS` ({name: `Spec`}; the name is the
image field's, or a crop of a field the Spec names: a library image's 16:9 "wide"). Renditions
are made by a background task (films/tasks.py) after an image is saved, and recorded on the
row (`Spec.record_field`, a JSON field): the original's name, the crop, and the stored name of
every rendition. The record is the only truth pages and saves consult: a save compares it with
the image and the focal point (no storage call), and a page offers exactly the files it names.
Until the task has run, or after the image or its focal point changed, pages serve the original
(in the same box, so nothing moves when the renditions arrive) and never wait.

The project writes its own renditions rather than using sorl-thumbnail, easy-thumbnails or
django-imagekit: those make thumbnails on first use, inside the request that shows them (or
need Celery for anything else), and offer no AVIF or focal-point crop without more code than
this module; Pillow (13 here) writes AVIF itself.

`manage.py shell -c "from films.renditions import backfill; print(backfill())"` makes them for
images uploaded before renditions existed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from io import BytesIO
from pathlib import PurePosixPath

from django.apps import apps
from django.core.files.base import ContentFile
from PIL import Image, ImageOps

logger = logging.getLogger("marquee.renditions")


@dataclass(frozen=True)
class Format:
    extension: str
    pillow: str
    mime: str
    options: dict


# Best first: a browser takes the first <source> it supports; JPEG is the <img>'s own fallback.
FORMATS = (
    Format("avif", "AVIF", "image/avif", {"quality": 55, "speed": 8}),
    Format("webp", "WEBP", "image/webp", {"quality": 78, "method": 4}),
    Format("jpg", "JPEG", "image/jpeg", {"quality": 80, "optimize": True, "progressive": True}),
)
# Modes whose pixels are RGB (a palette's colours are): the colour profile they came with still
# describes their renditions. A grey or CMYK image's would not, once converted to RGB.
RGB_MODES = ("RGB", "RGBA", "P", "PA")
FALLBACK = "jpg"
FALLBACK_WIDTH = 800  # the <img src> for browsers without srcset: the widest JPEG up to this
FOCUS_CENTRE = (50, 50)


@dataclass(frozen=True)
class Spec:
    """What renditions an image field gets.

    `widths`: the widths wanted (an image narrower than the widest also gets its own width,
    never an upscale). `aspect`: crop to this (width, height) ratio around the focal point, or
    None to keep the original's shape. `focus_fields`: the model's fields holding the focal
    point (x, y in percent of the width and height), or None for the centre.
    `record_field`: the JSON field the renditions are recorded in. `field`: the image field,
    when the Spec's name in RENDITIONS is not the field's own (a second crop of one image).
    `wanted`: the name of a model property saying whether an item needs these renditions at
    all (a library image needs its 16:9 crop only while it is some review's hero); None: always.
    """

    record_field: str
    widths: tuple[int, ...]
    aspect: tuple[int, int] | None = None
    focus_fields: tuple[str, str] | None = None
    field: str | None = None
    wanted: str | None = None

    def wanted_for(self, item) -> bool:
        return self.wanted is None or bool(getattr(item, self.wanted))

    def focus(self, item) -> tuple[int, int]:
        if not self.focus_fields:
            return FOCUS_CENTRE
        x, y = (getattr(item, name) for name in self.focus_fields)
        return (FOCUS_CENTRE[0] if x is None else int(x), FOCUS_CENTRE[1] if y is None else int(y))

    def crop_key(self, item) -> str:
        """Names the crop: "orig", or "16x9-f50x30" (ratio and focal point)."""
        if not self.aspect:
            return "orig"
        x, y = self.focus(item)
        return f"{self.aspect[0]}x{self.aspect[1]}-f{x}x{y}"


def spec_for(item, field_name: str) -> Spec:
    return type(item).RENDITIONS[field_name]


def source_name(item, name: str) -> str:
    """The image field a rendition name stands for (its own name, or its Spec's `field`)."""
    model = item if isinstance(item, type) else type(item)
    spec = getattr(model, "RENDITIONS", {}).get(name)
    return (spec.field if spec else None) or name


def source(item, name: str):
    """The image (a FieldFile) whose renditions `name` (a key of RENDITIONS) are."""
    return getattr(item, source_name(item, name))


def crop_box(
    width: int, height: int, aspect: tuple[int, int] | None, focus: tuple[int, int] = FOCUS_CENTRE
) -> tuple[int, int, int, int]:
    """The largest box of ratio `aspect` inside a width × height image, centred on the focal
    point as far as the edges allow (left, top, right, bottom)."""
    if not aspect:
        return (0, 0, width, height)
    ratio_w, ratio_h = aspect
    if width * ratio_h > height * ratio_w:  # wider than wanted: cut the sides
        box_w, box_h = max(1, round(height * ratio_w / ratio_h)), height
    else:  # taller than wanted: cut the top and bottom
        box_w, box_h = width, max(1, round(width * ratio_h / ratio_w))
    left = min(max(round(width * focus[0] / 100 - box_w / 2), 0), width - box_w)
    top = min(max(round(height * focus[1] / 100 - box_h / 2), 0), height - box_h)
    return (left, top, left + box_w, top + box_h)


def widths_for(spec: Spec, crop_width: int) -> list[int]:
    """The widths made of an image whose crop is `crop_width` wide: the spec's narrower ones,
    and the crop's own width when it is narrower than the widest wanted."""
    widths = [w for w in spec.widths if w < crop_width]
    if crop_width <= max(spec.widths):
        widths.append(crop_width)
    return widths


def rendition_name(name: str, crop: str, width: int, extension: str) -> str:
    path = PurePosixPath(name)
    return str(
        PurePosixPath("renditions") / path.parent / f"{path.stem}-{crop}-{width}w.{extension}"
    )


def is_current(item, field_name: str, record=None) -> bool:
    """Whether `record` (the row's, by default) holds renditions of the field's current image
    and crop. Reads nothing from storage."""
    spec = spec_for(item, field_name)
    field = source(item, field_name)
    if record is None:
        record = getattr(item, spec.record_field, None)
    return bool(
        field
        and isinstance(record, dict)
        and record.get("name") == field.name
        and record.get("crop") == spec.crop_key(item)
        and record.get("files")
    )


def shown_size(item, field_name: str) -> tuple[int, int] | None:
    """The width and height the image is shown with (its crop's), from the stored dimensions of
    the original; None when they are unknown."""
    spec = spec_for(item, field_name)
    field = source(item, field_name)
    width, height = _stored_size(field)
    if not width or not height:
        return None
    left, top, right, bottom = crop_box(width, height, spec.aspect, spec.focus(item))
    return (right - left, bottom - top)


def _stored_size(field) -> tuple[int | None, int | None]:
    """The original's dimensions as the model stored them (width_field / height_field)."""
    instance, model_field = field.instance, field.field
    return (
        getattr(instance, model_field.width_field, None) if model_field.width_field else None,
        getattr(instance, model_field.height_field, None) if model_field.height_field else None,
    )


def make_renditions(item, field_name: str) -> dict:
    """Write every rendition of `item`'s image in every format; return the record naming them.

    A broken or unreadable file is logged and gets an empty record: a missing rendition only
    costs bytes, never a page.
    """
    spec = spec_for(item, field_name)
    field = source(item, field_name)
    crop = spec.crop_key(item)
    record = {"name": field.name, "crop": crop, "files": {}}
    try:
        with field.storage.open(field.name, "rb") as opened:
            image = ImageOps.exif_transpose(Image.open(opened))
            image.load()
    except (OSError, ValueError) as error:
        logger.warning("No renditions for %s: %s", field.name, error)
        return record
    # A wide-gamut photo's colours are its profile's (Display P3, Adobe RGB): read without it,
    # as sRGB, they look washed out. Every format is told which profile to write, None too
    # (AVIF would write whatever the image's info holds); EXIF and XMP none is given, as the
    # original has none (films/uploads.py).
    profile = image.info.get("icc_profile") if image.mode in RGB_MODES else None
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    image = image.crop(crop_box(image.width, image.height, spec.aspect, spec.focus(item)))
    record["width"], record["height"] = image.size
    for width in widths_for(spec, image.width):
        height = max(1, round(image.height * width / image.width))
        resized = image.resize((width, height), Image.Resampling.LANCZOS)
        for fmt in FORMATS:
            picture = resized
            if fmt.pillow == "JPEG" and resized.mode == "RGBA":  # JPEG has no transparency
                picture = Image.new("RGB", resized.size, "white")
                picture.paste(resized, mask=resized.getchannel("A"))
            buffer = BytesIO()
            picture.save(buffer, fmt.pillow, **fmt.options, icc_profile=profile)
            stored = field.storage.save(
                rendition_name(field.name, crop, width, fmt.extension),
                ContentFile(buffer.getvalue()),
            )
            record["files"].setdefault(fmt.extension, []).append([width, stored])
    return record


def delete_renditions(storage, record: dict) -> None:
    """Delete the files a superseded record names (an old image's, or an old crop's)."""
    for files in (record or {}).get("files", {}).values():
        for _width, name in files:
            storage.delete(name)


def backfill() -> int:
    """Make the renditions of every image that lacks current ones, now; return how many images
    were brought up to date."""
    from films.tasks import record_renditions  # films.tasks imports this module

    count = 0
    for model in apps.get_models():
        for field_name, spec in getattr(model, "RENDITIONS", {}).items():
            stored = model._default_manager.exclude(**{source_name(model, field_name): ""})
            for item in stored.iterator():
                if spec.wanted_for(item) and not is_current(item, field_name):
                    record_renditions(item, field_name, make_renditions(item, field_name))
                    count += 1
    return count


@dataclass(frozen=True)
class ImageFile:
    url: str
    width: int | None
    height: int | None
    name: str = ""  # in the image field's storage

    def size(self, storage) -> int:
        """Its length in bytes (OSError when it is missing from the storage)."""
        return storage.size(self.name)


def best_file(item, field_name: str, width: int = 1200, extension: str = FALLBACK) -> ImageFile:
    """The rendition to link to from outside a <picture> (og:image, JSON-LD, feeds): the
    widest JPEG up to `width` (or the narrowest), with its size; the original while there are
    no renditions. For an item that has the image."""
    field = source(item, field_name)
    # An image without renditions (a review's social image) is linked to as uploaded.
    if field_name in getattr(type(item), "RENDITIONS", {}) and is_current(item, field_name):
        record = getattr(item, spec_for(item, field_name).record_field)
        files = record["files"].get(extension) or []
        if files:
            fitting = [f for f in files if f[0] <= width] or files[:1]
            chosen_width, name = fitting[-1]
            height = round(record["height"] * chosen_width / record["width"])
            return ImageFile(field.storage.url(name), chosen_width, height, name)
    original_width, original_height = _stored_size(field)
    return ImageFile(field.url, original_width, original_height, field.name)
