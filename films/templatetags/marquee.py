"""Template helpers for every public page (the films app is the base layer both apps share)."""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.http import QueryDict
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language_info

from films.renditions import srcset
from pagecache import tags

register = template.Library()

PLACEHOLDER_TONES = 6
# Codes TMDB uses that are not (or not only) ISO 639-1 languages Django knows.
TMDB_LANGUAGES = {"cn": "Cantonese", "xx": "No language", "zh": "Mandarin"}


@register.simple_tag(takes_context=True)
def canonical_url(context, keep: str = "") -> str:
    """This page's absolute URL, keeping only the query parameters named in `keep`.

    `{% canonical_url keep="genre page" %}` keeps a list's filter and page (but not page 1),
    and drops everything else (tracking parameters, say). "" outside a request.
    """
    request = context.get("request")
    if request is None:
        return ""
    query = QueryDict(mutable=True)
    for name in keep.split():
        value = request.GET.get(name)
        if value and not (name == "page" and value == "1"):
            query[name] = value
    url = request.build_absolute_uri(request.path)
    return f"{url}?{query.urlencode()}" if query else url


@register.filter
def runtime(minutes) -> str:
    """125 → "2 h 5 min"; 60 → "1 h"; 45 → "45 min"."""
    if not minutes:
        return ""
    hours, rest = divmod(int(minutes), 60)
    parts = ([f"{hours} h"] if hours else []) + ([f"{rest} min"] if rest else [])
    return " ".join(parts)


@register.filter
def iso_duration(minutes) -> str:
    """125 → "PT2H5M", the machine-readable form for <time datetime>."""
    if not minutes:
        return ""
    hours, rest = divmod(int(minutes), 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{rest}M" if rest else "")


@register.filter
def language_name(code: str) -> str:
    """"en" → "English"; a code Django does not know is shown as it is."""
    if not code:
        return ""
    if code in TMDB_LANGUAGES:
        return TMDB_LANGUAGES[code]
    try:
        return get_language_info(code)["name"]
    except KeyError:
        return code


DEFAULT_POSTER_SIZES = "(max-width: 37.5rem) 45vw, 15rem"  # a grid card's width
HIDDEN, LAZY = mark_safe(' aria-hidden="true"'), mark_safe(' loading="lazy"')  # fixed markup


@register.simple_tag
def poster(film, *, decorative: bool = False, css_class: str = "", sizes: str = "",
           eager: bool = False) -> SafeString:
    """A film's poster (WebP renditions first), or a typeset placeholder when it has none.

    `decorative` where the film's title is written next to it (cards); `css_class` adds classes
    ("poster--large"); `sizes` is the renditions' `sizes`; `eager` for the one poster above the
    fold (no lazy loading). Written here rather than in an included template: a grid shows a
    dozen, and an include cost several times the HTML it made.
    """
    if not film.poster:
        return format_html(
            '<div class="poster poster--placeholder poster--tone-{} {}"{}>\n'
            '  <span class="poster__title">{}</span>{}\n</div>\n',
            placeholder_tone(film), css_class,
            HIDDEN if decorative
            else format_html(' role="img" aria-label="No poster for {}"', film),
            film.title,
            format_html('\n  <span class="poster__year">{}</span>', film.year) if film.year else "",
        )
    renditions = srcset(film.poster, film.poster_renditions)
    return format_html(
        '<picture class="poster-picture">{}<img class="poster {}" src="{}"{} alt="{}"{}'
        ' decoding="async"></picture>\n',
        format_html('<source type="image/webp" srcset="{}" sizes="{}">', renditions,
                    sizes or DEFAULT_POSTER_SIZES) if renditions else "",
        css_class, film.poster.url,
        format_html(' width="{}" height="{}"', film.poster_width, film.poster_height)
        if film.poster_width else "",
        "" if decorative else f"Poster of {film}",
        "" if eager else LAZY,
    )


@register.simple_tag(takes_context=True)
def shows(context, obj) -> str:
    """`{% shows film %}`: this page shows `obj` (a tag for the page cache, pagecache.tags)."""
    if (request := context.get("request")) is not None:
        tags.shows(request, f"{obj._meta.model_name}:{obj.pk}")
    return ""


@register.filter
def placeholder_tone(obj) -> int:
    """A stable 0 to 5 for tinting an object's placeholder poster, so a grid is not monotonous."""
    return (getattr(obj, "pk", None) or 0) % PLACEHOLDER_TONES


@register.simple_tag(takes_context=True)
def absolute_url(context, url: str) -> str:
    """Make a site-relative URL (a poster's, say) absolute, for Open Graph tags."""
    request = context.get("request")
    return request.build_absolute_uri(url) if request is not None and url else url


# schema.org JSON-LD ------------------------------------------------------------------------------

JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}
ACTORS_LISTED = 10


def json_ld_script(data: dict) -> str:
    """A <script type="application/ld+json"> that stays valid JSON and never ends early.

    `<`, `>` and `&` are written as \\u escapes (as django.utils.html.json_script does), so a
    title containing "</script>" cannot close the element. It carries no CSP nonce: browsers
    never run a data block, so the policy does not govern it, and a nonce would tie the page to
    one response (public pages are shared by caches).
    """
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(
        JSON_SCRIPT_ESCAPES
    )
    return format_html(
        '<script type="application/ld+json">{}</script>', mark_safe(payload)  # noqa: S308
    )


def _absolute(request, url: str) -> str:
    return request.build_absolute_uri(url) if request is not None and url else url


def movie_data(film, *, request=None, directors=(), cast=()) -> dict:
    """schema.org Movie for `film`; directors and cast are credit lists the page already has."""
    data = {
        "@type": "Movie",
        "name": film.title,
        "url": _absolute(request, film.get_absolute_url()),
    }
    if film.original_title and film.original_title != film.title:
        data["alternateName"] = film.original_title
    if film.release_date:
        data["dateCreated"] = film.release_date.isoformat()
        data["datePublished"] = film.release_date.isoformat()
    if film.poster:
        data["image"] = _absolute(request, film.poster.url)
    if directors:
        data["director"] = [
            {"@type": "Person", "name": c.person.name,
             "url": _absolute(request, c.person.get_absolute_url())}
            for c in directors
        ]
    if cast:
        data["actor"] = [
            {"@type": "Person", "name": c.person.name,
             "url": _absolute(request, c.person.get_absolute_url())}
            for c in list(cast)[:ACTORS_LISTED]
        ]
    if film.runtime:
        data["duration"] = iso_duration(film.runtime)
    genres = [genre.name for genre in film.genres.all()]
    if genres:
        data["genre"] = genres
    if film.certification:
        data["contentRating"] = film.certification
    return data


@register.simple_tag(takes_context=True)
def film_json_ld(context, film, directors=(), cast=()):
    data = {"@context": "https://schema.org"} | movie_data(
        film, request=context.get("request"), directors=directors, cast=cast
    )
    if film.synopsis:
        data["description"] = film.synopsis
    return json_ld_script(data)


@register.filter
def rendition_srcset(field, record=None) -> str:
    """The WebP renditions of an image field as a `srcset` value ("" while there are none):
    `person.photo|rendition_srcset:person.photo_renditions`."""
    return srcset(field, record)


@register.simple_tag
def page_numbers(page, on_each_side: int = 1) -> list:
    """The page numbers a pager shows: the first, the last and those around `page`, with
    Paginator.ELLIPSIS where numbers are left out (1 … 4 5 6 … 20)."""
    return list(page.paginator.get_elided_page_range(
        page.number, on_each_side=on_each_side, on_ends=1))

