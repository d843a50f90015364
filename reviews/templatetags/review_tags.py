"""Template helpers for review pages and review cards."""

import math
from decimal import Decimal

from django import template
from django.utils.html import strip_tags

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
