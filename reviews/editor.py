"""markdownx's endpoints, for staff only.

markdownx ships views that answer anyone; here they sit behind a staff check that answers
403 (these are called by the editor's JavaScript, so a login redirect would help nobody).
"""

from functools import wraps

from django.http import HttpResponseForbidden
from django.views.decorators.http import require_POST
from markdownx.views import ImageUploadView, MarkdownifyView


def staff_only(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not (user.is_authenticated and user.is_active and user.is_staff):
            return HttpResponseForbidden("Only signed-in staff may use the editor.")
        return view(request, *args, **kwargs)

    return wrapper


markdownify = staff_only(require_POST(MarkdownifyView.as_view()))
upload = staff_only(require_POST(ImageUploadView.as_view()))
