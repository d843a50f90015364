"""The Markdown editor's endpoints (django-markdownx's live preview and image upload), writers only.

markdownx's own views answer anyone and store uploads as sent (trusting the client's content
type and file name, accepting SVG). These replace them: only people who may write reviews
(not moderators), POST only, the
preview comes from the renderer that produces the saved HTML, and an upload is decoded and
re-encoded by Pillow before anything is stored.

Both are called by markdownx's JavaScript, so refusals are JSON with a status code (403, 405,
400, 413), never a login redirect or an HTML error page.
"""

import posixpath
import uuid
from dataclasses import dataclass
from functools import wraps
from io import BytesIO

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from PIL import Image, ImageOps, UnidentifiedImageError

from reviews import permissions
from reviews.markdown import render


def writers_only(view):
    """Answer 403 (JSON) unless the user may write reviews (permissions.may_write)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not permissions.may_write(request.user):
            message = "Only writers and editors may use the editor."
            return JsonResponse({"error": message, "image": [message]}, status=403)
        return view(request, *args, **kwargs)

    return wrapper


@never_cache
@writers_only
@require_POST
def markdownify(request: HttpRequest) -> HttpResponse:
    """Render the editor's text exactly as it will be saved (sanitised HTML)."""
    return HttpResponse(render(request.POST.get("content", "")), content_type="text/html")


# Image upload ---------------------------------------------------------------------------------

# Pillow format → (file extension, save options). Only these decoders are ever tried.
FORMATS = {
    "JPEG": ("jpg", {"quality": 88, "optimize": True}),
    "PNG": ("png", {"optimize": True}),
    "WEBP": ("webp", {"quality": 88}),
}
ACCEPTED = "JPEG, PNG or WebP"


class ImageRejected(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class CleanImage:
    content: bytes
    extension: str
    width: int
    height: int


def _refused_kind(head: bytes) -> str | None:
    """Name a well-known format we refuse, for a clearer message (acceptance is Pillow's)."""
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<?xml", b"<svg", b"<!doctype svg")) or b"<svg" in text:
        return "SVG"
    return None


def clean_image(file) -> CleanImage:
    """Decode an uploaded image with Pillow and re-encode it without metadata.

    Raise ImageRejected (with the HTTP status to answer) when the file is too large, is not a
    JPEG, PNG or WebP image by its content (whatever its name or declared type says), has too
    many pixels, or cannot be fully decoded.
    """
    limit = settings.MARQUEE_MAX_IMAGE_BYTES
    if file.size is None or file.size > limit:
        raise ImageRejected(
            f"This file is {filesizeformat(file.size or 0)}; images may be at most "
            f"{filesizeformat(limit)}.",
            status=413,
        )
    file.seek(0)
    head = file.read(512)
    file.seek(0)
    try:
        with Image.open(file, formats=list(FORMATS)) as image:
            detected = image.format
            width, height = image.size
            max_pixels = settings.MARQUEE_MAX_IMAGE_PIXELS
            if width * height > max_pixels:
                raise ImageRejected(
                    f"This image is {width:,} by {height:,} pixels; images may have at most "
                    f"{max_pixels:,} pixels."
                )
            image.load()  # Decode every byte now: a truncated or corrupt file fails here.
            upright = ImageOps.exif_transpose(image)  # Keep phone photos upright once EXIF goes.
            has_alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
            mode = "RGBA" if has_alpha and detected != "JPEG" else "RGB"
            clean = upright.convert(mode)
            clean.info = {}  # Drop EXIF, XMP, ICC, comments and text chunks.
            extension, options = FORMATS[detected]
            buffer = BytesIO()
            clean.save(buffer, format=detected, **options)
    except ImageRejected:
        raise
    except UnidentifiedImageError:
        kind = _refused_kind(head)
        if kind:
            raise ImageRejected(
                f"{kind} images are not accepted; upload a {ACCEPTED} image."
            ) from None
        raise ImageRejected(f"This file is not a {ACCEPTED} image.") from None
    except Image.DecompressionBombError:
        raise ImageRejected("This image has too many pixels.") from None
    except Exception:
        # Pillow's decoders signal a truncated or corrupt file with OSError, SyntaxError,
        # ValueError, struct.error and more; for untrusted input all of them mean "unreadable".
        raise ImageRejected(
            f"This image is damaged or incomplete and cannot be read; upload a complete "
            f"{ACCEPTED} image."
        ) from None
    return CleanImage(buffer.getvalue(), extension, clean.width, clean.height)


def _rejected(message: str, status: int = 400) -> JsonResponse:
    # markdownx's JavaScript looks for "image_code"; errors use a form-errors shape.
    return JsonResponse({"image": [message]}, status=status)


@never_cache
@writers_only
@require_POST
def upload(request: HttpRequest) -> JsonResponse:
    """Store a dropped or pasted image and answer the Markdown that shows it."""
    file = request.FILES.get("image")
    if file is None:
        return _rejected("No image was uploaded.")
    try:
        image = clean_image(file)
    except ImageRejected as refusal:
        return _rejected(refusal.message, refusal.status)
    name = posixpath.join(settings.MARKDOWNX_MEDIA_PATH, f"{uuid.uuid4().hex}.{image.extension}")
    stored = default_storage.save(name, ContentFile(image.content))
    return JsonResponse({"image_code": f"![]({default_storage.url(stored)})"})
