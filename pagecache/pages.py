"""Whole responses for anonymous readers, kept in Django's cache and checked against their tags.

Applied in one place, config/urls.py (`cached`), naming for each public page the query
parameters it reads: any other parameter is dropped before the view sees the request, so
`?utm_source=…` or `?x=<random>` serve the same copy and never make a new one. A kept response
keeps its headers (the sitemap's `X-Robots-Tag`, say), never cookies; it is served with an
ETag, a Last-Modified (when the copy was made), 304s for conditional GETs, its tags in
`Surrogate-Key` and `xkey` for the front cache (deploy/varnish.vcl), and `X-Page-Cache: hit` or
`miss`.

A render that used something of one visit (a cookie, a CSRF token, the CSP nonce) is served
once, marked private, and never kept. Signed-in users and readers with messages waiting always
get a fresh, private page.
"""

import functools
import hashlib
import re
import time
from importlib import import_module

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, QueryDict
from django.middleware.csp import get_nonce
from django.urls import URLPattern
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django.utils.text import compress_string

from pagecache import tags

KEPT_STATUSES = {200}
PAGE_NUMBERS = {"page", "p"}  # read by Django's paginators
ACCEPTS_GZIP = re.compile(r"\bgzip\b")
COMPRESSIBLE = re.compile(r"^(text/|application/(xml|rss\+xml|atom\+xml|json))")


def bypasses_cache(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD"):
        return True
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    if request.COOKIES.get(getattr(settings, "MESSAGE_COOKIE_NAME", "messages")):
        return True
    session = getattr(request, "session", None)
    return bool(
        session is not None
        and request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        and session.get("_messages")
    )


def _is_personal(request: HttpRequest, response: HttpResponse) -> bool:
    """Did this render use something of this visit alone (a cookie, a token, the nonce), or
    answer a query no copy should be kept for (`not_kept`)?"""
    return bool(
        response.cookies
        or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        or get_nonce(request)
        or getattr(request, "page_not_kept", False)
    )


def only_known(request: HttpRequest, known: tuple[str, ...]) -> None:
    """Keep the first value of each known query parameter, in a fixed order; drop the rest.

    Page numbers are written one way: `?page=007` is page 7, and `?page=1` the page itself.
    """
    query = QueryDict(mutable=True)
    for name in known:
        value = request.GET.get(name, "").strip()
        if name in PAGE_NUMBERS and value.isascii() and value.isdigit():
            value = "" if value.lstrip("0") == "1" else value.lstrip("0") or "0"
        if value:
            query[name] = value
    request.GET = query
    request.META["QUERY_STRING"] = query.urlencode()


def not_kept(request: HttpRequest) -> None:
    """Keep no copy of this response: its query names nothing (`?genre=typo`), or names it in
    a way of its own. Each such value would make a new copy; the reader still gets the page."""
    request.page_not_kept = True


def page_key(request: HttpRequest) -> str:
    url = request.build_absolute_uri()
    return f"page:{settings.MARQUEE_RELEASE}:{hashlib.sha256(url.encode()).hexdigest()}"


def _served(entry: dict, request: HttpRequest) -> HttpResponse:
    """The kept response, gzipped for a client that accepts it (compressed once, when kept).

    Only shared, anonymous pages are compressed: they hold no secret a compression side channel
    (BREACH) could reveal.
    """
    etag, content = entry["etag"], entry["content"]
    gzipped = entry.get("gzip") and ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", ""))
    if gzipped:
        etag, content = etag[:-1] + '-gzip"', entry["gzip"]
    response = HttpResponse(content, status=entry["status"])
    for name, value in entry["headers"].items():
        response[name] = value
    if gzipped:
        response["Content-Encoding"] = "gzip"
        response["Content-Length"] = str(len(content))
    response["ETag"] = etag
    response["Last-Modified"] = http_date(entry["began"])
    conditional = get_conditional_response(
        request, etag=etag, last_modified=int(entry["began"]), response=response
    )
    if conditional is not response:
        conditional["ETag"] = etag
        response = conditional
    browsers = settings.MARQUEE_PAGE_MAX_AGE
    front = settings.MARQUEE_FRONT_CACHE_SECONDS or browsers
    if (due := tags.next_due()) is not None:  # a scheduled review goes public then
        front = max(0, min(front, int(due - time.time())))
    response["Cache-Control"] = f"public, max-age={min(browsers, front)}" + (
        f", s-maxage={front}" if front != browsers else ""
    )
    response["Surrogate-Key"] = response["xkey"] = " ".join(entry["tags"])
    patch_vary_headers(response, ["Accept-Encoding", "Cookie"])
    return response


def cache_page(view, query: tuple[str, ...] = (), shows: tuple[str, ...] = ()):
    """Serve `view` to anonymous readers from the page cache, reading only `query` parameters.

    `shows` are tags the page always carries, besides those its view names (tags.shows).
    """
    known = tuple(query)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if bypasses_cache(request):
            response = view(request, *args, **kwargs)
            response.headers.setdefault("Cache-Control", "private, no-cache")
            return response
        only_known(request, known)
        key = page_key(request)
        entry = cache.get(key) if tags.trusted() else None
        if entry is not None and not tags.good(entry["versions"]):
            entry = None
        hit = entry is not None
        if entry is None:
            began = time.time()
            response = view(request, *args, **kwargs)
            if callable(getattr(response, "render", None)):
                response = response.render()
            if response.status_code not in KEPT_STATUSES or response.streaming:
                return response
            if _is_personal(request, response):
                response["Cache-Control"] = "private, no-cache"
                patch_vary_headers(response, ["Cookie"])
                return response
            content = response.content
            entry = {
                "began": began,
                "status": response.status_code,
                "headers": dict(response.headers),
                "content": content,
                "etag": f'"{hashlib.md5(content, usedforsecurity=False).hexdigest()}"',
                "tags": sorted({*shows, *getattr(request, "cache_tags", ())}),
            }
            if COMPRESSIBLE.match(response.get("Content-Type", "")) and len(content) > 200:
                entry["gzip"] = compress_string(content)
            entry["versions"] = tags.snapshot(entry["tags"], began)
            if entry["versions"] is not None:
                cache.set(key, entry, settings.MARQUEE_PAGE_CACHE_SECONDS)
        response = _served(entry, request)
        response["X-Page-Cache"] = "hit" if hit else "miss"
        return response

    return wrapper


def cached(urlconf: str, pages: dict[str, tuple[str, ...]]):
    """`urlconf`'s patterns for include(), those named in `pages` through the page cache.

    `pages` maps a URL name to the query parameters that page reads.
    """
    module = import_module(urlconf)
    patterns = [
        URLPattern(p.pattern, cache_page(p.callback, pages[p.name]), p.default_args, p.name)
        if isinstance(p, URLPattern) and p.name in pages
        else p
        for p in module.urlpatterns
    ]
    return patterns, getattr(module, "app_name", None)
