"""Image validation shared by every image field: real images only, within a size cap."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from PIL import Image

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


def validate_image_file(file) -> None:
    """Refuse files that are too large, not images, or images Pillow cannot fully decode."""
    limit = settings.MARQUEE_MAX_IMAGE_BYTES
    if file.size is not None and file.size > limit:
        raise ValidationError(
            "This image is %(size)s; the limit is %(limit)s.",
            code="image_too_large",
            params={"size": filesizeformat(file.size), "limit": filesizeformat(limit)},
        )
    position = file.tell() if hasattr(file, "tell") else None
    try:
        file.seek(0)
        with Image.open(file) as image:
            image_format = image.format
            width, height = image.size
            if width * height > settings.MARQUEE_MAX_IMAGE_PIXELS:
                raise ValidationError(
                    "This image is %(w)s by %(h)s pixels; the limit is %(limit)s pixels.",
                    code="image_too_many_pixels",
                    params={"w": width, "h": height, "limit": settings.MARQUEE_MAX_IMAGE_PIXELS},
                )
            image.verify()
    except ValidationError:
        raise
    except Exception:
        raise ValidationError(
            "This file is not an image Marquee can read (JPEG, PNG, WebP or GIF).",
            code="invalid_image",
        ) from None
    finally:
        if position is not None:
            file.seek(position)
    if image_format not in ALLOWED_FORMATS:
        raise ValidationError(
            "%(format)s images are not accepted; use JPEG, PNG, WebP or GIF.",
            code="image_format",
            params={"format": image_format},
        )
