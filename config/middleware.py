"""Project-wide middleware."""

import logging
import re
import uuid

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader

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
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error(
            "Database unavailable: %s %s answered 503",
            request.method,
            request.path,
            exc_info=exception,
        )
        return database_unavailable_response()


def database_unavailable_response():
    """The 503 page: a plain template render, nothing that needs the database or a request."""
    response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response.headers["Retry-After"] = "30"
    response.headers["Cache-Control"] = "no-store"
    return response
