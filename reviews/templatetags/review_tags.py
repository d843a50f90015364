"""Template helpers for review pages and review cards."""

import html
import math
import re
from decimal import Decimal

from django import template
from django.conf import settings
from django.utils.html import strip_tags

from films.templatetags.marquee import json_ld_script, movie_data

register = template.Library()

WORDS_PER_MINUTE = 230
MAX_STARS = 5


@register.filter
def stars(rating) -> list[str]:
    """4.5 → ["full", "full", "full", "full", "half"]: one entry per star drawn."""
    if rating is None:
        return []
    halves = int(Decimal(rating) * 2)
    full, half = divmod(halves, 2)
    return ["full"] * full + ["half"] * half + ["empty"] * (MAX_STARS - full - half)


@register.filter
def reading_minutes(review) -> int:
    """Minutes to read the intro and every section, at a steady 230 words a minute.

    Uses the review's prefetched sections, so it adds no query on the review page.
    """
    html = [review.intro_html, *(section.body_html for section in review.sections.all())]
    words = sum(len(strip_tags(part).split()) for part in html)
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


DESCRIPTION_CHARS = 200


def description(review) -> str:
    """At most 200 characters of the review's own text, cut at a sentence or word boundary.

    Taken verbatim from the intro's first paragraph (the first section's when there is no
    intro), never the headline.
    """
    html_text = review.intro_html or next(
        (section.body_html for section in review.sections.all() if section.body_html), ""
    )
    paragraphs = [
        " ".join(html.unescape(strip_tags(p)).split())
        for p in re.split(r"</p>", html_text) if strip_tags(p).strip()
    ]
    text = paragraphs[0] if paragraphs else ""
    if len(text) <= DESCRIPTION_CHARS:
        return text
    cut = text[:DESCRIPTION_CHARS]
    sentence_end = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "))
    if sentence_end >= DESCRIPTION_CHARS // 2:
        return cut[: sentence_end + 1]
    return cut.rsplit(" ", 1)[0].rstrip(",;:—-– ")


@register.simple_tag(takes_context=True)
def review_description(context, review) -> str:
    return description(review)


@register.simple_tag(takes_context=True)
def review_json_ld(context, review):
    """schema.org Review of the film (a Movie), for the review page."""
    request = context.get("request")
    film = review.film
    author = review.author
    data = {
        "@context": "https://schema.org",
        "@type": "Review",
        "name": review.headline,
        "headline": review.headline,
        "url": request.build_absolute_uri(review.get_absolute_url()) if request else "",
        "itemReviewed": movie_data(
            film, request=request, directors=getattr(film, "directors", ()),
            cast=getattr(film, "top_cast", ()),
        ),
        "author": {"@type": "Person", "name": author.get_full_name() or author.get_username()},
        "datePublished": review.published_at,
        "dateModified": review.updated_at,
        "publisher": {
            "@type": "Organization",
            "name": settings.MARQUEE_SITE_NAME,
            "url": request.build_absolute_uri("/") if request else "",
        },
        "description": description(review),
        "inLanguage": "en",
    }
    if review.rating is not None:
        data["reviewRating"] = {
            "@type": "Rating",
            "ratingValue": float(review.rating),
            "bestRating": 5,
            "worstRating": 0.5,
        }
    if review.dek:
        data["alternativeHeadline"] = review.dek
    return json_ld_script(data)
