"""What TMDB adds to a film's page and film box: the local release, where to watch, the trailer.

The release and the trailer are columns of the film, worked out at import (films/tmdb_write.py),
so the review page's film box costs no query for them; where to watch is one query.
"""

from django import template
from django.conf import settings

from films.tmdb_models import (
    RELEASE_PHRASES,
    YOUTUBE_EMBED,
    YOUTUBE_WATCH,
    OfferKind,
    RegionalRelease,
    ReleaseType,
    WatchOffer,
)

register = template.Library()


@register.simple_tag
def local_release(film) -> RegionalRelease | None:
    """What the film box says of certification and release for the site's region, or None.

    TMDB's release for MARQUEE_REGION when the film was imported for this region; otherwise
    only a certificate an editor typed in (never another country's, never a stale region's).
    """
    if film.tmdb_id and film.release_region:
        if film.release_region != settings.MARQUEE_REGION:
            return None
        if film.local_release_type:
            return RegionalRelease(
                certification=film.certification,
                type=film.local_release_type,
                phrase=RELEASE_PHRASES[ReleaseType(film.local_release_type)],
                date=film.local_release_date,
            )
    if film.certification:
        return RegionalRelease(certification=film.certification, phrase="", date=None)
    return None


@register.inclusion_tag("films/includes/where_to_watch.html")
def where_to_watch(film, compact: bool = False):
    """The site region's streaming, rental and purchase offers, with JustWatch's credit.

    One query, and none for a film that did not come from TMDB (it cannot have offers).
    """
    offers = (
        []
        if not film.tmdb_id
        else list(
            WatchOffer.objects.filter(
                watch_region__film=film, watch_region__region=settings.MARQUEE_REGION
            )
            .select_related("provider", "watch_region")
            .order_by("display_priority", "provider__name")
        )
    )
    groups = []
    for kind in OfferKind:
        providers = [offer.provider for offer in offers if offer.kind == kind]
        if providers:
            groups.append((kind.label, providers))
    region = offers[0].watch_region if offers else None
    return {"film": film, "region": region, "groups": groups, "compact": compact}


@register.inclusion_tag("films/includes/trailer.html")
def trailer(film, heading: str = "h2"):
    """The film's best trailer behind a play button: nothing loads from YouTube until pressed."""
    if not film.trailer_key:
        return {"film": film, "video": None}
    return {
        "film": film,
        "heading": heading,
        "video": {
            "name": film.trailer_name or "Trailer",
            "embed_url": YOUTUBE_EMBED.format(film.trailer_key),
            "watch_url": YOUTUBE_WATCH.format(film.trailer_key),
        },
    }
