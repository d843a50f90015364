"""Project-wide middleware."""

import copy
import logging
import re
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponsePermanentRedirect, QueryDict
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.encoding import escape_uri_path

from config.dbdeadline import database_deadline
from config.errors import bad_request, database_unavailable_response
from config.logs import request_id

logger = logging.getLogger("marquee.availability")

# An incoming X-Request-ID is kept (a proxy or load balancer may have logged it already) when it is
# short and plain; anything else could inject text into log lines, so it is replaced.
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")


class RequestIdMiddleware:
    """Give each request an id: in the X-Request-ID response header and on every log record."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        value = incoming if _SANE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.id = value
        token = request_id.set(value)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response.headers["X-Request-ID"] = value
        return response


class DatabaseDeadlineMiddleware:
    """Cut the request's database connections if the database leaves it waiting too long.

    A hung PostgreSQL then costs a request DB_REQUEST_TIMEOUT seconds and a 503 page, not a
    worker killed by gunicorn and an empty response (config/dbdeadline.py).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with database_deadline(settings.DB_REQUEST_TIMEOUT):
            return self.get_response(request)


class ProxyClientAddressMiddleware:
    """Behind TRUST_PROXY proxies, take the client address from X-Forwarded-For.

    Each trusted proxy appends the address it received the request from, so the client is the
    TRUST_PROXY-th entry from the right; entries further left were written by the client and are
    ignored. Runs before anything that reads REMOTE_ADDR (django-axes, the comment rate limit).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        hops = settings.TRUST_PROXY
        if hops:
            forwarded = [
                part.strip()
                for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
                if part.strip()
            ]
            if len(forwarded) >= hops:
                request.META["REMOTE_ADDR"] = forwarded[-hops]
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Add a Permissions-Policy header turning off browser features Marquee never uses."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.MARQUEE_PERMISSIONS_POLICY)
        return response


class DatabaseUnavailableMiddleware:
    """Answer a friendly 503 when the database cannot be reached, instead of a 500.

    Nothing is remembered between requests: Django drops a broken connection at the end of the
    request and opens a new one on the next, so pages come back by themselves with the database.
    A POST's text (a reader's comment, an editor's edit) is shown back on the page to be copied.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        return database_unavailable_response(request, exception)


class NullCharacterMiddleware:
    """Refuse (400) a NUL character where it would reach PostgreSQL unchecked.

    PostgreSQL cannot store or compare text holding one: `?term=%00` in the admin's autocomplete
    and `?q=%00` in its lists were 500s, since the admin hands those values to queries as they
    come. Cookies (the session key) likewise, and any path. Public views and every form check
    their own input (Django's form fields refuse NULs with a message, keeping the text), so
    they are left to do that.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _holds_null(request):
            logger.warning("Refused a request with a NUL character: %s", request.method)
            return bad_request(request)
        return self.get_response(request)


def _holds_null(request) -> bool:
    texts = [request.path, *request.COOKIES.keys(), *request.COOKIES.values()]
    try:
        admin_prefix = reverse("admin:index")
    except NoReverseMatch:  # a URLconf without the admin
        admin_prefix = None
    if admin_prefix and request.path.startswith(admin_prefix):
        forms = [request.GET]
        if request.method == "POST" and request.content_type in {
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        }:
            forms.append(request.POST)  # a body that cannot be read raises BadRequest: 400
        for form in forms:
            for key, values in form.lists():
                texts.append(key)
                texts.extend(values)
    return any("\x00" in text for text in texts)


# The apps whose pages readers reach by slug, and the query parameters whose values are slugs
# (the lists' filters, films/forms.py): an address there may be sent on to its lowercase.
LOWERCASE_NAMESPACES = {"films", "reviews"}
SLUG_PARAMETERS = {"genre", "collection", "critic", "person"}


class LowercaseAddressMiddleware:
    """Send a public address that is not found on to its lowercase form, if that is a page.

    Slugs are lowercase, but links get typed and pasted: `/films/Ballerina/`,
    `/reviews/<slug>//`, `?genre=ACTION` answered 404 (the last, once, an empty list). One
    address is tried on a 404 to a GET: the path and the filters' slugs lowercased, slashes
    doubled made single. It is sent on to (301) only when it answers this reader with a page
    (200), so no redirect ever tells that an unpublished review's address exists. Listed after
    the authentication middleware: the view is asked as this reader.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        path = re.sub(r"/{2,}", "/", request.path_info.lower())
        query = QueryDict(mutable=True)
        for name, values in request.GET.lists():
            query.setlist(name, [v.lower() for v in values] if name in SLUG_PARAMETERS else values)
        if path == request.path_info and query == request.GET:
            return response
        if not _answers(request, path, query):
            return response
        location = escape_uri_path(_prefix(request) + path)
        return HttpResponsePermanentRedirect(
            f"{location}?{query.urlencode()}" if query else location
        )


def _prefix(request) -> str:
    """Where the site is mounted (SCRIPT_NAME), "" at the root."""
    return request.path.removesuffix(request.path_info)


def _answers(request, path: str, query: QueryDict) -> bool:
    """Does `path?query` show this reader a page of the public apps?"""
    try:
        match = resolve(path, getattr(request, "urlconf", None))
    except Resolver404:
        return False
    if match.namespace not in LOWERCASE_NAMESPACES:
        return False
    asked = copy.copy(request)
    asked.META = {**request.META, "QUERY_STRING": query.urlencode()}
    asked.path_info, asked.path = path, _prefix(request) + path
    asked.GET, asked.resolver_match = query.copy(), match
    try:
        response = match.func(asked, *match.args, **match.kwargs)
    except (Http404, PermissionDenied):
        return False
    return response.status_code == 200
