"""Template helpers for every public page (the films app is the base layer both apps share)."""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.http import QueryDict
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language_info

from films.renditions import (
    FALLBACK,
    FALLBACK_WIDTH,
    FORMATS,
    ImageFile,
    best_file,
    crop_box,
    is_current,
    shown_size,
    source,
    spec_for,
)
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
    """ "en" → "English"; a code Django does not know is shown as it is."""
    if not code:
        return ""
    if code in TMDB_LANGUAGES:
        return TMDB_LANGUAGES[code]
    try:
        return get_language_info(code)["name"]
    except KeyError:
        return code


DEFAULT_POSTER_SIZES = "(max-width: 37.5rem) 45vw, 15rem"  # a grid card's width
CARD_HEADINGS = {"h2", "h3", "h4"}  # a card's title: below a page's h1


@register.inclusion_tag("includes/film_card.html", takes_context=True)
def film_card(context, film, *, heading: str = "h2") -> dict:
    """`{% film_card film heading="h3" %}`: a film in a grid, its title at the level `heading`.

    A tag rather than an include: the card sees only what it is given, never a page's own
    `heading` (the film list's title once became the card's tag, `<Horror films …>`).
    """
    return {
        "film": film,
        "h": heading if heading in CARD_HEADINGS else "h2",
        "request": context.get("request"),
    }


@register.simple_tag
def poster(
    film, *, decorative: bool = False, css_class: str = "", sizes: str = "", eager: bool = False
) -> SafeString:
    """A film's poster (WebP renditions first), or a typeset placeholder when it has none.

    `decorative` where the film's title is written next to it (cards); `css_class` adds classes
    ("poster--large"); `sizes` is the renditions' `sizes`; `eager` for the one poster above the
    fold (no lazy loading). Written here rather than in an included template: a grid shows a
    dozen, and an include cost several times the HTML it made.
    """
    if not film.poster_id:
        return format_html(
            '<div class="poster poster--placeholder poster--tone-{} {}"{}>\n'
            '  <span class="poster__title">{}</span>{}\n</div>\n',
            placeholder_tone(film),
            css_class,
            format_html(' aria-hidden="{}"', "true")
            if decorative
            else format_html(' role="img" aria-label="No poster for {}"', film),
            film.title,
            format_html('\n  <span class="poster__year">{}</span>', film.year) if film.year else "",
        )
    return picture(
        film.poster,
        "file",
        alt="" if decorative else film.poster.alt_text or f"Poster of {film}",
        sizes=sizes or DEFAULT_POSTER_SIZES,
        css_class=f"poster {css_class}".strip(),
        eager=eager,
        picture_class="poster-picture",
    )


def _srcset(storage, files: list) -> str:
    return ", ".join(f"{storage.url(name)} {width}w" for width, name in files)


def _focus_class(value: int) -> int:
    return min(max(round(value / 10) * 10, 0), 100)


@register.simple_tag
def picture(
    item,
    field_name: str,
    *,
    alt: str = "",
    sizes: str = "100vw",
    css_class: str = "",
    eager: bool = False,
    picture_class: str = "",
    decorative: bool = False,
    aspect: tuple[int, int] | None = None,
) -> SafeString:
    """`item`'s image as a <picture>: AVIF and WebP sources, a JPEG <img> with `srcset`,
    `sizes`, `width` and `height` (films/renditions.py), or "" when it has no image.

    While the renditions are not made (or not made for the current image and crop), the
    original is served in the same box: a cropped image is drawn with `object-fit: cover` at
    the crop's shape and focal point (CSS classes, no style attribute: the CSP allows none),
    so nothing moves when the renditions arrive. `alt=""` marks the image decorative
    (`decorative` says so to assistive technology too: role="presentation");
    `eager` is for the one image above the fold (no lazy loading, fetched first).
    `aspect` draws renditions made in the image's own shape in a box of that shape, around the
    focal point, the same way (a poster filling a card's 16:9 slot: its wide renditions are
    made only for heroes).
    """
    field = source(item, field_name)
    if not field:
        return ""
    spec = spec_for(item, field_name)
    classes = [css_class] if css_class else []
    aspect = spec.aspect or aspect
    if aspect:
        focus_x, focus_y = spec.focus(item)
        classes += [
            "crop",
            f"crop--{aspect[0]}x{aspect[1]}",
            f"fx-{_focus_class(focus_x)}",
            f"fy-{_focus_class(focus_y)}",
        ]
    sources, srcset, src = "", "", None
    size = shown_size(item, field_name)
    if is_current(item, field_name):
        record = getattr(item, spec.record_field)
        files, storage = record["files"], field.storage
        sources = format_html_join(
            "",
            '<source type="{}" srcset="{}" sizes="{}">',
            (
                (fmt.mime, _srcset(storage, files[fmt.extension]), sizes)
                for fmt in FORMATS
                if fmt.extension != FALLBACK and files.get(fmt.extension)
            ),
        )
        fallbacks = files.get(FALLBACK) or []
        if fallbacks:
            srcset = _srcset(storage, fallbacks)
            fitting = [f for f in fallbacks if f[0] <= FALLBACK_WIDTH] or fallbacks[:1]
            src = storage.url(fitting[-1][1])
            size = (record["width"], record["height"]) if record.get("width") else size
    if size and aspect and not spec.aspect:  # the box the image is drawn in
        left, top, right, bottom = crop_box(*size, aspect, spec.focus(item))
        size = (right - left, bottom - top)
    return format_html(
        '<picture{}>{}<img{} src="{}"{}{} alt="{}"{} {}="{}" decoding="async"></picture>',
        format_html(' class="{}"', picture_class) if picture_class else "",
        sources,
        format_html(' class="{}"', " ".join(classes)) if classes else "",
        src or field.url,
        format_html(' srcset="{}" sizes="{}"', srcset, sizes) if srcset else "",
        format_html(' width="{}" height="{}"', *size) if size else "",
        alt,
        format_html(' role="{}"', "presentation") if decorative else "",
        # The image above the fold is fetched first; the rest when they near the screen.
        *(("fetchpriority", "high") if eager else ("loading", "lazy")),
    )


@register.simple_tag(takes_context=True)
def social_image(context, item, field_name: str) -> ImageFile | None:
    """`{% social_image review.hero "wide" as image %}`: the JPEG to name in `og:image` (an
    absolute URL, with its width and height), or None when `item` has no such image."""
    if item is None or not source(item, field_name):
        return None
    found = best_file(item, field_name)
    return ImageFile(absolute_url(context, found.url), found.width, found.height)


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
    return _absolute(context.get("request"), url)


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
        '<script type="application/ld+json">{}</script>',
        mark_safe(payload),  # noqa: S308
    )


def _absolute(request, url: str) -> str:
    return request.build_absolute_uri(url) if request is not None and url else url


def movie_data(film, *, request=None, directors=(), cast=()) -> dict:
    """schema.org Movie for `film`; directors and cast are credit lists the page already has."""

    def person(credit) -> dict:
        url = _absolute(request, credit.person.get_absolute_url())
        return {"@type": "Person", "name": credit.person.name, "url": url}

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
    if film.poster_id:
        data["image"] = _absolute(request, best_file(film.poster, "file", width=640).url)
    if directors:
        data["director"] = [person(c) for c in directors]
    if cast:
        data["actor"] = [person(c) for c in list(cast)[:ACTORS_LISTED]]
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


@register.simple_tag
def page_numbers(page, on_each_side: int = 1) -> list:
    """The page numbers a pager shows: the first, the last and those around `page`, with
    Paginator.ELLIPSIS where numbers are left out (1 … 4 5 6 … 20)."""
    return list(
        page.paginator.get_elided_page_range(page.number, on_each_side=on_each_side, on_ends=1)
    )
