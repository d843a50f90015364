"""Whole-page caching for anonymous readers, with ETag/Last-Modified and 304 answers.

A page is stored under its absolute URL and the site's "generation": a number any content change
bumps (see `bump_generation`, called from the apps' model signals), so one bump retires every
cached page at once without listing them. Pages for signed-in users, or with messages waiting,
are never stored and are marked private.

A stored page is shared by every anonymous reader, and, through `Cache-Control: public`, by
the front cache (deploy/nginx.conf) too, so it must not carry anything of one visit: a render
that sets a cookie (a CSRF token, say) or uses the CSP nonce is served once, marked private,
and never stored. The review page's comment form fetches its tokens separately for that reason.
"""

import functools
import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

GENERATION_KEY = "marquee:page-generation"
DUE_KEY = "marquee:page-due-times"


def timeout() -> int:
    return getattr(settings, "MARQUEE_PAGE_CACHE_SECONDS", 600)


def max_age() -> int:
    """How long browsers and CDNs may reuse a page without asking (short: they miss bumps)."""
    return getattr(settings, "MARQUEE_PAGE_MAX_AGE", 60)


def schedule_invalidation(timestamps) -> None:
    """Bump the generation when each of these moments (epoch seconds) comes.

    For content that changes with time alone, e.g. a scheduled review going public: no save
    happens then, so the first request after the moment retires the cached pages.
    """
    cache.set(DUE_KEY, sorted(timestamps), None)


def generation() -> int:
    """The current generation: the time (ms) of the last content change seen by the cache."""
    stored = cache.get_many([GENERATION_KEY, DUE_KEY])
    due = stored.get(DUE_KEY) or []
    if due and due[0] <= time.time():
        bump_generation()
        cache.set(DUE_KEY, [t for t in due if t > time.time()], None)
        stored = {}
    value = stored.get(GENERATION_KEY) if stored else cache.get(GENERATION_KEY)
    if value is None:
        value = int(time.time() * 1000)
        cache.add(GENERATION_KEY, value, None)
        value = cache.get(GENERATION_KEY) or value
    return value


def bump_generation(**kwargs) -> None:
    """Retire every cached page. Connect to post_save/post_delete of whatever pages show."""
    now = int(time.time() * 1000)
    previous = cache.get(GENERATION_KEY) or 0
    cache.set(GENERATION_KEY, max(now, previous + 1), None)


def invalidate_on(*models) -> None:
    """Bump the generation whenever a row of these models is saved or deleted."""
    for model in models:
        for signal in (post_save, post_delete):
            signal.connect(bump_generation, sender=model, weak=False,
                           dispatch_uid=f"marquee-page-cache-{signal}-{model._meta.label}")
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(bump_generation, sender=field.remote_field.through, weak=False,
                                dispatch_uid=f"marquee-page-cache-m2m-{field}")


def bypasses_cache(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD"):
        return True
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    if request.COOKIES.get(getattr(settings, "MESSAGE_COOKIE_NAME", "messages")):
        return True
    session = getattr(request, "session", None)
    return bool(session is not None and request.COOKIES.get(settings.SESSION_COOKIE_NAME)
                and session.get("_messages"))


def _is_personal(request: HttpRequest, response: HttpResponse) -> bool:
    """Did rendering this response use something of this visit alone (a cookie, the nonce)?"""
    return bool(response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
                or getattr(request, "_csp_nonce", None))


def cache_public_page(view):
    """Serve `view` from the page cache to anonymous readers; answer conditional GETs with 304."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if bypasses_cache(request):
            response = view(request, *args, **kwargs)
            response.headers.setdefault("Cache-Control", "private, no-cache")
            return response
        gen = generation()
        url = request.build_absolute_uri()
        key = "marquee:page:" + hashlib.sha256(f"{gen}:{url}".encode()).hexdigest()
        entry = cache.get(key)
        if entry is None:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            if response.status_code != 200 or response.streaming:
                return response
            if _is_personal(request, response):
                response["Cache-Control"] = "private, no-cache"
                patch_vary_headers(response, ["Cookie"])
                return response
            content = response.content.decode(response.charset)
            entry = {
                "content": content,
                "content_type": response["Content-Type"],
                "etag": f'"{hashlib.md5(content.encode(), usedforsecurity=False).hexdigest()}"',
                "last_modified": gen / 1000,
            }
            cache.set(key, entry, timeout())
        response = HttpResponse(entry["content"], content_type=entry["content_type"])
        response["ETag"] = entry["etag"]
        response["Last-Modified"] = http_date(entry["last_modified"])
        conditional = get_conditional_response(
            request, etag=entry["etag"], last_modified=int(entry["last_modified"]),
            response=response,
        )
        if conditional is not response:
            conditional["ETag"] = entry["etag"]
            response = conditional
        response["Cache-Control"] = f"public, max-age={max_age()}"
        patch_vary_headers(response, ["Cookie"])
        return response

    return wrapper
