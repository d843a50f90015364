"""Front-cache purges by tag, through a small adapter chosen by settings (MARQUEE_PURGE).

- `VarnishPurger`: a `PURGE` request carrying `xkey-purge: <tags>`, which deploy/varnish.vcl
  answers by dropping every object whose `xkey` header names one of the tags (Varnish's xkey vmod).
- `HTTPPurger`: a CDN's purge-by-tag API (Fastly's surrogate keys, Cloudflare's cache tags): a
  POST of `{FIELD: [tags…]}` as JSON to `URL` with `HEADERS` (the API token).

Purges run as a durable task (`purge_tags`, tasks/base.py: retried with back-off by the worker),
enqueued after the change commits; a failure never reaches the editor's request. Without
MARQUEE_PURGE nothing is sent: a front cache then keeps pages only as long as browsers may.
"""

import json
import logging
import urllib.request
from urllib.error import URLError

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from tasks.base import durable_task

logger = logging.getLogger("marquee.cache")


class Purger:
    """Drop every front-cache object tagged with any of `tags`."""

    def __init__(self, url: str, timeout: float = 2.0, **options):
        if not url.startswith(("http://", "https://")):
            raise ImproperlyConfigured(f"MARQUEE_PURGE URL must be http(s): {url!r}")
        self.url, self.timeout, self.options = url, timeout, options

    def purge(self, tags: list[str]) -> None:
        raise NotImplementedError

    def send(self, request: urllib.request.Request) -> None:
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
            response.read()


class VarnishPurger(Purger):
    def purge(self, tags: list[str]) -> None:
        self.send(
            urllib.request.Request(  # noqa: S310 (http(s) only: __init__)
                self.url, method="PURGE", headers={"xkey-purge": " ".join(tags)}
            )
        )


class HTTPPurger(Purger):
    def purge(self, tags: list[str]) -> None:
        body = json.dumps({self.options.get("FIELD", "tags"): tags}).encode()
        headers = {"Content-Type": "application/json", **self.options.get("HEADERS", {})}
        self.send(
            urllib.request.Request(  # noqa: S310 (http(s) only: __init__)
                self.url, data=body, method="POST", headers=headers
            )
        )


def purger() -> Purger | None:
    config = settings.MARQUEE_PURGE
    if not config:
        return None
    options = {k: v for k, v in config.items() if k not in {"BACKEND", "URL", "TIMEOUT"}}
    return import_string(config["BACKEND"])(config["URL"], config.get("TIMEOUT", 2.0), **options)


@durable_task
def purge_tags(tags: list[str]) -> None:
    """Purge `tags` from the front cache (a task: retried with back-off when it fails)."""
    if (adapter := purger()) is not None:
        adapter.purge(tags)


def purge(tags: list[str]) -> None:
    """Enqueue a purge of `tags`, if a front cache is configured; never raise."""
    if not settings.MARQUEE_PURGE:
        return
    try:
        purge_tags.enqueue(list(tags))
    except (URLError, OSError, ValueError) as error:
        logger.warning("Front-cache purge of %s failed: %s", " ".join(tags), error)
