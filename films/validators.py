"""Image validation shared by every image field: real images only, within a size cap.

`validate_image_file` runs twice on an admin save: on the form field (so a refused upload is
never assigned to the object, which keeps its stored image) and on the model field (for any
other caller of `full_clean()`). Both times it checks only a file being uploaded: a stored file
was checked when it arrived, and re-reading it on every save would fail (the model's
dimension fields close it after reading) and would lock an object out of saving if the limits
were lowered later.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models.fields.files import FieldFile
from django.template.defaultfilters import filesizeformat
from PIL import Image

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


def size_cap_attrs() -> dict:
    """The image size cap as a field's data attributes, for upload-limit.js to refuse a file
    over it as soon as it is chosen or dropped: a 30 MB photo is then not uploaded in full only
    to be refused here."""
    limit = settings.MARQUEE_MAX_IMAGE_BYTES
    return {"data-max-bytes": limit, "data-max-size": filesizeformat(limit)}


def is_new_upload(file) -> bool:
    """True for a file on its way in, False for one already in storage.

    An upload arrives open (an UploadedFile, or a FieldFile wrapping one); a stored file is a
    FieldFile that is closed, whether never opened or opened and closed to read its size.
    """
    return not (isinstance(file, FieldFile) and file.closed)


def validate_image_file(file) -> None:
    """Refuse uploads that are too large, not images, or images Pillow cannot fully decode."""
    if not file or not is_new_upload(file):
        return
    limit = settings.MARQUEE_MAX_IMAGE_BYTES
    if file.size is not None and file.size > limit:
        raise ValidationError(
            "This image is %(size)s; the limit is %(limit)s.",
            code="image_too_large",
            params={"size": filesizeformat(file.size), "limit": filesizeformat(limit)},
        )
    position = file.tell()
    try:
        file.seek(0)
        with Image.open(file) as image:
            image_format = image.format
            width, height = image.size
            if width * height > settings.MARQUEE_MAX_IMAGE_PIXELS:
                raise ValidationError(
                    "This image is %(w)s by %(h)s pixels; the limit is %(limit)s pixels.",
                    code="image_too_many_pixels",
                    # "40,000,000", not "40000000": a number read at a glance.
                    params={
                        "w": f"{width:,}",
                        "h": f"{height:,}",
                        "limit": f"{settings.MARQUEE_MAX_IMAGE_PIXELS:,}",
                    },
                )
            # Decode every pixel: verify() only checks the header and chunk checksums, so a
            # truncated JPEG passes it and fails later, on every page that shows it.
            image.load()
    except ValidationError:
        raise
    except Exception:
        # Pillow signals a truncated or corrupt file with OSError, SyntaxError, ValueError,
        # struct.error and more; for untrusted input all of them mean "unreadable".
        raise ValidationError(
            "This file is not a complete image Marquee can read (JPEG, PNG, WebP or GIF).",
            code="invalid_image",
        ) from None
    finally:
        file.seek(position)
    if image_format not in ALLOWED_FORMATS:
        raise ValidationError(
            "%(format)s images are not accepted; use JPEG, PNG, WebP or GIF.",
            code="image_format",
            params={"format": image_format},
        )
