"""Error pages that cannot themselves fail.

Django's default handlers run the CSRF check again (`requires_csrf_token`), which reads the
request body: a POST that declared a charset other than UTF-8 made the 400 handler raise the same
error, then the 500 handler, and gunicorn sent an empty 500. These handlers read nothing from the
request but its path and, for the 503 page of a POST, the text that was posted; each page
falls back to the plain frame and then to fixed HTML, so a broken template, a missing static
manifest or a database outage still gets a page.
"""

import logging
import re
import sys

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse
from django.template import loader
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.html import format_html, format_html_join

logger = logging.getLogger("marquee.errors")
availability = logging.getLogger("marquee.availability")

# Status → (heading, lede) of the plain frame, also used when a page's own template fails.
PAGES = {
    400: (
        "The request could not be read",
        "Your browser sent something this site cannot understand.",
    ),
    403: ("You may not see this page", "Your account does not have permission for this."),
    404: ("This page is not showing", "There is nothing at this address."),
    500: (
        "Something went wrong on our side",
        "The page could not be shown. Please try again in a few minutes.",
    ),
    503: (
        "Back in a moment",
        "Marquee cannot reach its archive just now. Please try again in a minute or two.",
    ),
}

# Posted fields that are never shown back: secrets, and the machinery of forms and formsets.
_HIDDEN_FIELD = re.compile(
    r"password|token|secret|csrf|^_|-(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS$|-(id|DELETE|ORDER)$"
    r"|^base_version$|^loaded_at$",
    re.IGNORECASE,
)
_FORMSET_FIELD = re.compile(r"^(?P<prefix>.+)-(?P<index>\d+)-(?P<name>.+)$")
# A value the 404 page may show back: a slug or a number, clipped. Anything else ("Visit
# evil.example", a NUL) would let a link put its own words on the site's page: never shown.
_SHOWN_VALUE = re.compile(r"[-\w]+", re.ASCII)
SHOWN_VALUE_LENGTH = 24


class NothingNamed(Http404):
    """A 404 for a list filter that names nothing: the page says which (`genre` “nosuch”) and
    links back to the unfiltered list."""

    def __init__(self, name: str, value: str, *, back: str, listing: str):
        super().__init__(f"No such {name}.")
        self.name, self.back, self.listing = name, back, listing
        self.value = (
            (value if len(value) <= SHOWN_VALUE_LENGTH else value[: SHOWN_VALUE_LENGTH - 1] + "…")
            if _SHOWN_VALUE.fullmatch(value)
            else ""
        )


def bad_request(request, exception=None):
    return error_response(request, 400)


def permission_denied(request, exception=None):
    """The site's 403 page; inside the admin, for signed-in staff, an admin page instead (its
    header, what was refused, a way back), whichever admin view refused."""
    if _in_the_admin(request):
        try:
            from django.contrib import admin

            from films.admin import forbidden_page  # films.admin imports this module

            return forbidden_page(admin.site, request, exception or PermissionDenied()).render()
        except Exception:  # an error page must answer whatever broke: the plain page then
            logger.exception("The admin's 403 page could not be rendered")
    return error_response(request, 403)


# What an admin view's URL name says the user tried: changelist → "see the list of …".
_ADMIN_VERBS = {
    "changelist": "see the list of {plural}",
    "add": "add {singular}",
    "change": "open this {singular}",
    "delete": "delete this {singular}",
    "history": "see the history of this {singular}",
}


def admin_refusal(request) -> str:
    """ "Your account may not …", named after the admin view that refused, when it is one."""
    try:
        name = resolve(request.path_info).url_name or ""
    except Resolver404:
        name = ""
    for view, verb in _ADMIN_VERBS.items():
        if name.endswith(f"_{view}"):
            app_model = name.removesuffix(f"_{view}")
            for model in apps.get_models():
                if f"{model._meta.app_label}_{model._meta.model_name}" == app_model:
                    opts = model._meta
                    return (
                        "Your account may not "
                        + verb.format(plural=opts.verbose_name_plural, singular=opts.verbose_name)
                        + "."
                    )
    return ""


def _in_the_admin(request) -> bool:
    user = getattr(request, "user", None)
    if user is None or not (user.is_active and user.is_staff):
        return False
    try:
        return request.path.startswith(reverse("admin:index"))
    except NoReverseMatch:
        return False


def page_not_found(request, exception=None):
    # The rich page (site header, links) needs the request; error_response falls back if not.
    nothing = exception if isinstance(exception, NothingNamed) else None
    return error_response(request, 404, template="404.html", with_request=True, nothing=nothing)


def server_error(request):
    """500, or the 503 page when what went wrong is the database being unreachable.

    Database errors raised by middleware (a session save, say) never reach the 503 middleware's
    process_exception; Django calls this handler while handling them.
    """
    exception = sys.exception()
    if isinstance(exception, OperationalError | InterfaceError):
        return database_unavailable_response(request, exception)
    return error_response(request, 500)


def database_unavailable_response(request, exception):
    """The 503 page, with the text a POST carried shown back so nothing typed is lost; the
    outage is logged."""
    availability.error(
        "Database unavailable: %s %s answered 503", request.method, request.path, exc_info=exception
    )
    response = error_response(request, 503, kept_text=kept_text(request))
    response.headers["Retry-After"] = "30"
    return response


def error_response(
    request,
    status: int,
    *,
    template: str | None = None,
    with_request: bool = False,
    kept_text: list | None = None,
    nothing: NothingNamed | None = None,
) -> HttpResponse:
    heading, lede = PAGES[status]
    context = {
        "status": status,
        "heading": heading,
        "lede": lede,
        "kept_text": kept_text or [],
        "nothing": nothing,
    }
    attempts = [(template or f"{status}.html", request if with_request else None)]
    if template:
        attempts.append(("includes/error_page.html", None))
    body = None
    for name, req in attempts:
        try:
            body = loader.render_to_string(name, context, request=req)
            break
        except Exception:  # an error page must answer whatever broke
            logger.exception("The %s page could not be rendered from %s", status, name)
    if body is None:
        body = _fixed_page(status, heading, lede, context["kept_text"])
    response = HttpResponse(body, status=status)
    response.headers["Cache-Control"] = "no-store"
    return response


def kept_text(request) -> list[dict]:
    """The text fields of a POST, labelled, for a page that could not store them."""
    if request is None or request.method != "POST":
        return []
    try:
        items = list(request.POST.lists())
    except Exception:  # an unreadable body has no text to give back
        return []
    fields = []
    for name, values in items:
        if _HIDDEN_FIELD.search(name):
            continue
        for value in values:
            # Ids, versions, positions and ratings are not what anyone typed at length.
            if not any(char.isalpha() for char in value):
                continue
            fields.append(
                {
                    "label": _label(name),
                    "value": value,
                    # Room for the text as it wraps at about 60 characters, within reason.
                    "rows": min(
                        sum(len(line) // 60 + 1 for line in value.splitlines() or [""]), 20
                    ),
                }
            )
    return fields


def _label(name: str) -> str:
    match = _FORMSET_FIELD.match(name)
    if match:
        prefix = match["prefix"].replace("_", " ").capitalize()
        return f"{prefix} {int(match['index']) + 1}: {match['name'].replace('_', ' ')}"
    return name.replace("_", " ").capitalize()


def _fixed_page(status: int, heading: str, lede: str, fields: list[dict]) -> str:
    kept = format_html_join(
        "",
        "<p><label>{}<br><textarea readonly>{}</textarea></label></p>",
        ((field["label"], field["value"]) for field in fields),
    )
    return format_html(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{} — Marquee'
        '</title></head><body><main><h1>{}</h1><p>{}</p>{}<p><a href="/">Go to the front '
        "page</a></p></main></body></html>",
        heading,
        heading,
        lede,
        kept,
    )
