"""Template helpers for review pages and review cards."""

import functools
import math
from decimal import Decimal

from django import template
from django.template.defaultfilters import floatformat
from django.utils.dates import MONTHS
from django.utils.html import format_html, format_html_join, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime

from films.templatetags.marquee import CARD_HEADINGS, picture, poster
from pagecache import tags
from reviews.markdown import without_spoilers
from reviews.templatetags.critic_tags import byline as critic_byline

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
def reading_minutes(review, sections=None) -> int:
    """Minutes to read the intro and every section, at a steady 230 words a minute.

    Uses `sections` when given (an unsaved form's), else the review's prefetched sections, so
    it adds no query on the review page.
    """
    sections = review.sections.all() if sections is None else sections
    html = [review.intro_html, *(section.body_html for section in sections)]
    words = sum(len(strip_tags(part).split()) for part in html)
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


STAR_SIGNS = {"full": "★", "half": "★", "empty": "☆"}


@register.filter
def half_stars(value) -> str:
    """4.5 → "4½", 4.0 → "4", 0.5 → "½" ("" for none): a rating as readers say it."""
    if value is None or value == "":
        return ""
    whole, half = divmod(int(Decimal(value) * 2), 2)
    return f"{whole or ''}{'½' if half else ''}" or "0"


@register.simple_tag
@functools.cache  # ten ratings exist (½ to 5): each is drawn once per process
def rating(value) -> SafeString:
    """A star rating: stars for the eye, "Rated 4.5 out of 5" for everyone else ("" for none)."""
    if value is None:
        return SafeString("\n")
    drawn = format_html_join(
        "",
        '<span class="star star--{}">{}</span>',
        ((star, STAR_SIGNS[star]) for star in stars(value)),
    )
    return format_html(
        '<span class="rating">\n  <span class="rating__stars" aria-hidden="true">{}</span>'
        '\n  <span class="visually-hidden">Rated {} out of 5</span>\n</span>\n',
        drawn,
        floatformat(value, "-1"),
    )


LEAD_SIZES = "(max-width: 40rem) 100vw, 44rem"
CARD_SIZES = "(max-width: 40rem) 100vw, (max-width: 76rem) 45vw, 22rem"
WIDE = (16, 9)


def card_image(review, lead: bool = False) -> SafeString:
    """The review's hero when it has one, else its film's backdrop (a wide still), else its
    poster: always 16:9 around the image's focal point, so a card without a hero is as tall as
    its neighbours (a 2:3 poster across the column made it three times as tall). Decorative
    either way: the card's headline says what it is."""
    sizes = LEAD_SIZES if lead else CARD_SIZES
    if review.hero_id:
        return picture(review.hero, "wide", sizes=sizes, css_class="card__image")
    film = review.film
    if not (film.backdrop_id or film.poster_id):
        return poster(film, decorative=True, css_class="crop--16x9")
    # Its own-shape renditions, cropped by CSS: the 16:9 ones are made only for heroes.
    image = film.backdrop if film.backdrop_id else film.poster
    return picture(image, "file", sizes=sizes, css_class="card__image", aspect=WIDE)


@register.simple_tag(takes_context=True)
def review_card(
    context, review, *, heading: str = "h2", lead: bool = False, compact: bool = False
) -> SafeString:
    """A published review in a listing: film, headline, dek, rating, date and author.

    `review` comes from `Review.objects.cards()`; `lead` draws the lead story larger; `compact`
    leaves the poster out (on the film's own page); `heading` is the headline's level. Names
    what it shows for the page cache (pagecache.tags). Written here rather than in an included
    template, which cost more per card than a listing can spend (bench/NOTES.md).
    """
    film, author = review.film, review.author
    if (request := context.get("request")) is not None:
        tags.shows(request, f"review:{review.pk}", f"film:{film.pk}", f"user:{author.pk}")
    h = heading if heading in CARD_HEADINGS else "h2"
    published = template_localtime(review.published_at)
    return format_html(
        '\n<article class="card review-card{}{}{}">\n  {}\n'
        '  <div class="card__body">\n    <p class="kicker">{}{}</p>\n'
        '    <{} class="card__title"><a class="card__link" href="{}">{}</a></{}>\n'
        "    {}\n"
        '    <p class="card__meta">\n      {}\n'
        '      <span class="card__byline"><time datetime="{}">{} {} {}</time> · {}</span>\n'
        "    </p>\n  </div>\n</article>\n",
        " review-card--lead" if lead else "",
        " review-card--compact" if compact else "",
        "" if compact else " review-card--hero",  # its image across the card, 16:9
        ""
        if compact
        else format_html('<div class="card__media">{}</div>', card_image(review, lead)),
        film.title,
        format_html(' <span class="kicker__year">({})</span>', film.year) if film.year else "",
        h,
        review.get_absolute_url(),
        review.headline,
        h,
        format_html('<p class="card__dek">{}</p>', review.dek) if review.dek else "",
        rating(review.rating),
        published.isoformat(),
        published.day,
        MONTHS[published.month],
        published.year,
        critic_byline(author, "card__author"),
    )


@register.filter
def spoilers_hidden(html: str) -> SafeString:
    """Rendered review text (sanitised when saved) with each spoiler replaced by a note: for
    feeds, whose readers cannot be trusted to keep a <details> closed."""
    note = "<p><em>(A spoiler is hidden here: read it on the site.)</em></p>"
    return mark_safe(without_spoilers(html, note))  # noqa: S308 (sanitised when saved)
