"""The Markdown editor's endpoints (django-markdownx's live preview and image upload), writers only.

markdownx's own views answer anyone and store uploads as sent, outside the image library, as a
bare Markdown URL with empty alt text. These replace them: only people who may write reviews
(not moderators), POST only; the preview comes from the renderer that produces the saved HTML,
and a dropped or pasted image goes into the image library, with the alt text (or "decorative"),
caption and credit its editor gave in the dialog that asks for them
(static/marquee-admin/js/editor-upload.js), as the library's own upload would take it.

Both are called by JavaScript, so refusals are JSON with a status code (403, 405, 400, 413),
never a login redirect or an HTML error page.
"""

from functools import wraps

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from images.figures import reference
from images.forms import LibraryImageForm
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


# Image upload: into the library ---------------------------------------------------------------


@never_cache
@writers_only
@require_POST
def upload(request: HttpRequest) -> JsonResponse:
    """Add a dropped or pasted image to the library; answer the line that shows it.

    The file comes as markdownx posts it ("image"), its description as the library's fields
    (alt, decorative, caption, credit). A refusal names each field's problems (the file's under
    "image"), and stores nothing.
    """
    if not permissions.may_add_images(request.user):
        message = "You may not add images to the library."
        return JsonResponse({"error": message, "image": [message]}, status=403)
    if "image" not in request.FILES:
        return JsonResponse({"image": ["No image was uploaded."]}, status=400)
    form = LibraryImageForm(
        request.POST, {"file": request.FILES["image"]}, uploaded_by=request.user
    )
    if not form.is_valid():
        errors = {
            "image" if name == "file" else name: messages for name, messages in form.errors.items()
        }
        too_large = form.has_error("file", "image_too_large")
        return JsonResponse(errors, status=413 if too_large else 400)
    image = form.save()
    return JsonResponse({"image_code": reference(image.pk), "id": image.pk})
