"""Whole-page caching for anonymous readers, with ETag/Last-Modified and 304 answers.

A page is stored under its absolute URL and the site's "generation": a number any content change
bumps (see `bump_generation`, called from the apps' model signals), so one bump retires every
cached page at once without listing them. Pages for signed-in users, or with messages waiting,
are never stored and are marked private.

Per-request values in a stored page (the CSRF token, the CSP nonce, and whatever else a view
registers through `refreshers`) are swapped back in at serve time, so a cached page with a form
still posts.
"""

import functools
import hashlib
import re
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

GENERATION_KEY = "marquee:page-generation"
DUE_KEY = "marquee:page-due-times"
CSRF_INPUT = re.compile(r'(name="csrfmiddlewaretoken" value=")([^"]*)(")')
NONCE_ATTR = re.compile(r'( nonce=")([^"]*)(")')

Refresher = tuple[re.Pattern, Callable[[HttpRequest, str], str]]


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


def _refresh_csrf(request, _old):
    return get_token(request)


def _refresh_nonce(request, old):
    nonce = getattr(request, "_csp_nonce", None)
    return str(nonce) if nonce is not None else old


def _personalise(request, content: str, refreshers: list[Refresher]) -> tuple[str, bool]:
    changed = False
    for pattern, refresh in refreshers:
        def swap(match, refresh=refresh):
            return match.group(1) + refresh(request, match.group(2)) + match.group(3)

        content, n = pattern.subn(swap, content)
        changed = changed or bool(n)
    return content, changed


def cache_public_page(view=None, *, refreshers: list[Refresher] | None = None):
    """Serve `view` from the page cache to anonymous readers; answer conditional GETs with 304."""
    if view is None:
        return functools.partial(cache_public_page, refreshers=refreshers)
    all_refreshers = [(CSRF_INPUT, _refresh_csrf), (NONCE_ATTR, _refresh_nonce),
                      *(refreshers or [])]

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
            content = response.content.decode(response.charset)
            entry = {
                "content": content,
                "content_type": response["Content-Type"],
                "etag": f'"{hashlib.md5(content.encode(), usedforsecurity=False).hexdigest()}"',
                "last_modified": gen / 1000,
            }
            cache.set(key, entry, timeout())
        content, personal = _personalise(request, entry["content"], all_refreshers)
        etag = entry["etag"]
        if personal:
            # The page carries per-visit tokens that expire: revalidate copies hourly.
            etag = f'{etag[:-1]}-{int(time.time() // 3600)}"'
        response = HttpResponse(content, content_type=entry["content_type"])
        response["ETag"] = etag
        response["Last-Modified"] = http_date(entry["last_modified"])
        conditional = get_conditional_response(
            request, etag=etag, last_modified=int(entry["last_modified"]), response=response
        )
        if conditional is not response:
            conditional["ETag"] = etag
            response = conditional
        if personal:
            # A page with a form sets a CSRF cookie: no shared cache may keep it.
            response["Cache-Control"] = "private, max-age=0, must-revalidate"
        else:
            response["Cache-Control"] = f"public, max-age={max_age()}"
        patch_vary_headers(response, ["Cookie"])
        return response

    return wrapper
