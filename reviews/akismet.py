"""Akismet, an optional spam service, as one more signal beside Marquee's own.

Off unless `MARQUEE_AKISMET_KEY` is set. A comment Akismet calls spam is held for a moderator's
spam check (the reader is told so). Akismet failing in any way (down, slow, refusing the key,
answering nonsense) never blocks a comment: the failure is logged and the comment goes on
through the built-in rules alone. `MARQUEE_AKISMET_API_URL` points the client at another
address (an Akismet-compatible service, or a local server in tests).
"""

from __future__ import annotations

import logging

import akismet
import httpx
from django.conf import settings
from django.urls import reverse

logger = logging.getLogger(__name__)

AKISMET_HOST = "rest.akismet.com"


class _Redirect(httpx.HTTPTransport):
    """Send what the client addresses to Akismet's host to `MARQUEE_AKISMET_API_URL`."""

    def __init__(self, base: httpx.URL, **kwargs):
        super().__init__(**kwargs)
        self.base = base

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == AKISMET_HOST:
            request.url = request.url.copy_with(
                scheme=self.base.scheme,
                host=self.base.host,
                port=self.base.port,
                path=self.base.path.rstrip("/") + request.url.path,
            )
        return super().handle_request(request)


def enabled() -> bool:
    return bool(getattr(settings, "MARQUEE_AKISMET_KEY", ""))


def http_client() -> httpx.Client:
    timeout = getattr(settings, "MARQUEE_AKISMET_TIMEOUT", 2.0)
    base = getattr(settings, "MARQUEE_AKISMET_API_URL", "") or f"https://{AKISMET_HOST}"
    return httpx.Client(
        timeout=timeout,
        headers={"User-Agent": akismet.USER_AGENT},
        transport=_Redirect(httpx.URL(base)),
    )


def client(http: httpx.Client) -> akismet.SyncClient:
    config = akismet.Config(
        key=settings.MARQUEE_AKISMET_KEY, url=settings.MARQUEE_SITE_URL.rstrip("/") + "/"
    )
    return akismet.SyncClient(config=config, http_client=http)


def signals(
    review, *, body: str, name: str, email: str, ip_address: str | None, user_agent: str
) -> list[str]:
    """["akismet"] when Akismet calls the comment spam; [] when it does not, or cannot say."""
    if not enabled():
        return []
    http = http_client()
    try:
        # Not as a context manager: that would verify the key first, on every comment.
        verdict = client(http).comment_check(
            user_ip=ip_address or "",
            user_agent=user_agent or "",
            comment_type="comment",
            comment_author=name,
            comment_author_email=email,
            comment_content=body,
            permalink=settings.MARQUEE_SITE_URL.rstrip("/")
            + reverse("reviews:detail", args=[review.slug]),
        )
    except Exception:  # never let the spam service block a comment
        logger.warning("Akismet could not check a comment; it goes on without it.", exc_info=True)
        return []
    finally:
        http.close()
    if verdict == akismet.CheckResponse.HAM:
        return []
    return ["akismet:discard" if verdict == akismet.CheckResponse.DISCARD else "akismet"]
