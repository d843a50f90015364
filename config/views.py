"""Project-level views: the health check and media served by Django in development."""

import logging

from django.conf import settings
from django.db import Error, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.static import serve

from config.dbdeadline import database_deadline

logger = logging.getLogger("marquee.availability")


@never_cache
def healthz(request):
    """200 {"status": "ok"} when the database answers a query, 503 otherwise.

    A database that hangs gets HEALTHZ_TIMEOUT seconds (and a new connection DB_CONNECT_TIMEOUT):
    a load balancer's probe is answered, not left waiting.
    """
    try:
        with database_deadline(settings.HEALTHZ_TIMEOUT), connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Error as error:
        logger.error("Health check failed: database unavailable: %s", error)
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok"})


def serve_media(request, path, document_root=None):
    """Serve an upload (development and `make serve`: SERVE_MEDIA) so a browser can never run
    it as a page or a script."""
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox"
    return response
