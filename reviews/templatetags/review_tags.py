"""Template helpers for review pages and review cards."""

import math
from decimal import Decimal

from django import template
from django.template.defaultfilters import floatformat
from django.utils.dates import MONTHS
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime

from films.templatetags.marquee import poster

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


STAR_SIGNS = {"full": "★", "half": "★", "empty": "☆"}


@register.simple_tag
def rating(value) -> SafeString:
    """A star rating: stars for the eye, "Rated 4.5 out of 5" for everyone else ("" for none)."""
    if value is None:
        return mark_safe("\n")
    drawn = "".join(f'<span class="star star--{star}">{STAR_SIGNS[star]}</span>'
                    for star in stars(value))
    return mark_safe(  # noqa: S308 (fixed markup and a number)
        f'<span class="rating">\n  <span class="rating__stars" aria-hidden="true">{drawn}</span>'
        f'\n  <span class="visually-hidden">Rated {floatformat(value, "-1")} out of 5</span>'
        "\n</span>\n"
    )


@register.simple_tag
def review_card(review, *, heading: str = "h2", lead: bool = False,
                compact: bool = False) -> SafeString:
    """A published review in a listing: film, headline, dek, rating, date and author.

    `review` has its film and author joined in (the card columns, ON_CARDS in
    reviews/views/pages.py); `lead` draws the lead story larger; `compact` leaves the poster
    out (on the film's own page); `heading` is the headline's level. Written here rather than
    in an included template: listings show twelve, and each include cost ~0.3 ms.
    """
    film, author = review.film, review.author
    h = heading if heading in {"h2", "h3", "h4"} else "h2"
    variants = (" review-card--lead" if lead else "") + (" review-card--compact" if compact else "")
    media = ("" if compact else
             f'<div class="card__media">{poster(film, decorative=True)}</div>')
    year = f' <span class="kicker__year">({film.year})</span>' if film.year else ""
    dek = f'<p class="card__dek">{escape(review.dek)}</p>' if review.dek else ""
    published = template_localtime(review.published_at)
    byline = escape(author.get_full_name() or author.get_username())
    return mark_safe(  # noqa: S308 (every value escaped above, a number or fixed markup)
        f'\n<article class="card review-card{variants}">\n  {media}\n'
        f'  <div class="card__body">\n    <p class="kicker">{escape(film.title)}{year}</p>\n'
        f'    <{h} class="card__title"><a class="card__link" href="'
        f'{escape(review.get_absolute_url())}">{escape(review.headline)}</a></{h}>\n'
        f"    {dek}\n"
        f'    <p class="card__meta">\n      {rating(review.rating)}\n'
        f'      <span class="card__byline"><time datetime="{published.isoformat()}">'
        f"{published.day} {MONTHS[published.month]} {published.year}</time> · {byline}</span>\n"
        "    </p>\n  </div>\n</article>\n"
    )
