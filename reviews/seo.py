"""What search engines and link previews are told about a review: its description and image.

Each has a field an editor may fill in (`search_description`, `social_image`) and a default
derived from the review when it is left empty; the admin shows the default greyed out.
"""

import html
import re
from types import SimpleNamespace

from django.utils.html import strip_tags

from reviews.markdown import render, without_spoilers

DESCRIPTION_CHARS = 200


def derived_description(review, sections=None) -> str:
    """At most 200 characters of the review's own text, cut at a sentence or word boundary.

    Taken verbatim from the intro's first paragraph (the first section's when there is no
    intro; the dek when there is neither), never the headline. `sections` default to the
    review's stored ones.
    """
    if sections is None:
        sections = review.sections.all() if review.pk else []
    html_text = review.intro_html or next(
        (
            section.body_html
            for section in sections
            if section.body_html and not getattr(section, "is_spoiler", False)
        ),
        "",
    )
    html_text = without_spoilers(html_text)  # what a spoiler hides is never told
    paragraphs = [
        " ".join(html.unescape(strip_tags(p)).split())
        for p in re.split(r"</p>", html_text)
        if strip_tags(p).strip()
    ]
    text = paragraphs[0] if paragraphs else review.dek
    if len(text) <= DESCRIPTION_CHARS:
        return text
    cut = text[:DESCRIPTION_CHARS]
    sentence_end = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "))
    if sentence_end >= DESCRIPTION_CHARS // 2:
        return cut[: sentence_end + 1]
    return cut.rsplit(" ", 1)[0].rstrip(",;:—-– ")


def description_of_draft(review) -> str:
    """The derived description of `review` as being edited: its text in memory rendered, its
    pending sections (the admin's `pending_sections`) or stored ones."""
    sections = getattr(review, "pending_sections", None)
    if sections is None:
        sections = review.sections.all() if review.pk else []
    return derived_description(
        SimpleNamespace(intro_html=render(review.intro or ""), dek=review.dek or ""),
        sections=[
            SimpleNamespace(body_html=render(section.body or ""), is_spoiler=section.is_spoiler)
            for section in sections
        ],
    )


def description(review, sections=None) -> str:
    """The page's meta description: the editor's search description, else the derived one
    (from `sections` when given: the live preview's unsaved ones)."""
    return " ".join(review.search_description.split()) or derived_description(review, sections)


def image_source(review) -> tuple[str, object] | tuple[None, None]:
    """Which image link previews show, as (field name, item holding it): the social image, else
    the hero image, else the film's poster; (None, None) for the site's default."""
    if review.social_image:
        return "social_image", review
    if review.hero_id:
        return "wide", review.hero
    if review.film.poster_id:
        return "file", review.film.poster
    return None, None


def derived_image_label(review) -> str:
    """What shows when no social image is uploaded, in words for the admin."""
    if review.hero_id:
        return "the hero image"
    if review.film_id and review.film.poster_id:
        return f"the poster of {review.film.title}"
    return "the site's default picture"
