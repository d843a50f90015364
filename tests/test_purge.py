"""Front-cache purges by tag through the adapter MARQUEE_PURGE names: a CDN-style HTTP purge
API (Fastly's surrogate keys, Cloudflare's cache tags), tested against a local HTTP server.
(The Varnish adapter is tested against a real varnishd: tests/test_varnish_recipe.py.)"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.factories import ReviewFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def purge_api():
    """A stand-in for a CDN's purge endpoint on a free port: records what it is sent."""
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(
                {"path": self.path, "headers": dict(self.headers), "json": json.loads(body)}
            )
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'{"status": "ok"}')

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", received
    server.shutdown()


def test_a_change_purges_its_tags_through_the_http_adapter(purge_api, settings, committed):
    url, received = purge_api
    settings.MARQUEE_PURGE = {
        "BACKEND": "pagecache.purge.HTTPPurger",
        "URL": f"{url}/service/marquee/purge",
        "HEADERS": {"Fastly-Key": "secret-token"},
        "FIELD": "surrogate_keys",
    }
    review = ReviewFactory(published=True)
    with committed():
        review.headline = "Changed"
        review.save()
    [purge] = received  # one purge for the transaction
    assert purge["path"] == "/service/marquee/purge"
    assert purge["headers"]["Fastly-Key"] == "secret-token"
    assert purge["headers"]["Content-Type"] == "application/json"
    keys = purge["json"]["surrogate_keys"]
    assert {f"review:{review.pk}", f"film:{review.film_id}", "home", "reviews-list"} <= set(keys)


def test_a_failing_purge_never_fails_the_change(settings, committed, caplog):
    settings.MARQUEE_PURGE = {
        "BACKEND": "pagecache.purge.HTTPPurger",
        "URL": "http://127.0.0.1:9/purge",
        "TIMEOUT": 0.5,
    }
    review = ReviewFactory(published=True)
    with committed():
        review.headline = "Saved anyway"
        review.save()
    review.refresh_from_db()
    assert review.headline == "Saved anyway"


def test_a_purge_url_must_be_http(settings):
    from django.core.exceptions import ImproperlyConfigured

    from pagecache.purge import purger

    settings.MARQUEE_PURGE = {"BACKEND": "pagecache.purge.HTTPPurger", "URL": "file:///etc/passwd"}
    with pytest.raises(ImproperlyConfigured):
        purger()
