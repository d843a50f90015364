"""Adding an image to the library from outside its admin pages: a file dropped or pasted into a
Markdown editor (reviews/editor.py) comes here with the description its editor typed.

The rules are the library's own: the file is checked as the library's upload field checks it
(`validate_image_file`: a real JPEG, PNG, WebP or GIF within the size and pixel limits) and the
model's `clean()` asks for alt text unless the image is decorative. A checked JPEG, PNG or WebP
is then re-encoded by Pillow before it is stored, which drops its metadata (EXIF with a phone's
GPS position, XMP, comments) and anything appended after the image's end.
"""

from io import BytesIO
from pathlib import PurePosixPath

from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as Pillow
from PIL import ImageOps

from films.validators import validate_image_file
from images.models import Image

# Pillow format → (file extension, save options) for the formats re-encoded on the way in.
RE_ENCODED = {
    "JPEG": ("jpg", {"quality": 88, "optimize": True}),
    "PNG": ("png", {"optimize": True}),
    "WEBP": ("webp", {"quality": 88}),
}


class LibraryImageForm(forms.ModelForm):
    class Meta:
        model = Image
        fields = ("file", "alt", "decorative", "caption", "credit")

    def __init__(self, *args, uploaded_by=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.uploaded_by = uploaded_by
        # As the library's admin checks it (films/admin.py: CheckedImageMixin).
        self.fields["file"].validators.append(validate_image_file)

    def clean_file(self):
        return without_metadata(self.cleaned_data["file"])


def without_metadata(upload):
    """`upload` (an image already checked) re-encoded without its metadata, named after its
    content's format; a GIF as it came."""
    upload.seek(0)
    with Pillow.open(upload) as image:
        if image.format not in RE_ENCODED:
            upload.seek(0)
            return upload
        extension, options = RE_ENCODED[image.format]
        image.load()
        upright = ImageOps.exif_transpose(image)  # Keep phone photos upright once EXIF goes.
        has_alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
        clean = upright.convert("RGBA" if has_alpha and image.format != "JPEG" else "RGB")
        clean.info = {}  # Drop EXIF, XMP, ICC, comments and text chunks.
        buffer = BytesIO()
        clean.save(buffer, format=image.format, **options)
    stem = PurePosixPath(upload.name or "image").stem or "image"
    return SimpleUploadedFile(
        f"{stem}.{extension}", buffer.getvalue(), content_type=f"image/{image.format.lower()}"
    )
