"""Template helpers for every public page (the films app is the base layer both apps share)."""

from django import template
from django.http import QueryDict
from django.utils.translation import get_language_info

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


@register.filter
def placeholder_tone(obj) -> int:
    """A stable 0 to 5 for tinting an object's placeholder poster, so a grid is not monotonous."""
    return (getattr(obj, "pk", None) or 0) % PLACEHOLDER_TONES


@register.simple_tag(takes_context=True)
def absolute_url(context, url: str) -> str:
    """Make a site-relative URL (a poster's, say) absolute, for Open Graph tags."""
    request = context.get("request")
    return request.build_absolute_uri(url) if request is not None and url else url
