"""The review page's article, stored: rendered once after each change, not on every view.

The article (header, film box, contents, scorecard, intro, sections, footer), the page's
description and its JSON-LD show the review, its sections, its film with genres, collection,
top-billed cast and directors, those people, and the author's name. Loading and rendering all
that was over half the review page's time. So the first public view after a change renders
them and stores them in a `ReviewRendering`; later views read them back with the review itself.

A stored copy is used only while

- its `token` is the review's `render_token`: `retire()` gives reviews a new token whenever
  anything the article shows changes (the signal receivers below, connected in
  `ReviewsConfig.ready`). The token is read with the review before the data the article is
  made from, so a change that lands while a page is being rendered leaves a copy that is
  already retired, never a stale one that looks current;
- its `key` is `render_key()`: a digest of the templates and code that make the article and
  of the settings they read, so a deploy that changes any of them re-renders every page.

The review page's own statement (PAGE_SQL in reviews/views/pages.py) checks both as it reads.

Absolute URLs (in the JSON-LD) are stored against `ORIGIN` and swapped for the reader's own
scheme and host when served. Previews render afresh and store nothing.
"""

import hashlib
import html
import importlib
import logging
import re
import uuid
from pathlib import Path
from urllib.parse import urljoin

import django
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DatabaseError, router, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.template.loader import get_template, render_to_string
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe

from films.cache import bump_generation
from films.models import CastCredit, Collection, CrewCredit, Film, Genre, Person
from films.templatetags.marquee import json_ld_script, movie_data
from reviews.models import Review, ReviewRendering, Section

logger = logging.getLogger(__name__)

TEMPLATE = "reviews/includes/review_article.html"
# Everything the stored parts are made with, for render_key(): the template, the code that
# fills it (tags, this module, the models' links and names, the URLs) and, below, the settings
# and Django version. Raise RENDER_VERSION for a change none of them shows.
TEMPLATES = (TEMPLATE,)
MODULES = ("reviews.rendering", "reviews.templatetags.review_tags", "films.templatetags.marquee",
           "films.renditions", "films.models", "reviews.models", "config.urls", "films.urls",
           "reviews.urls")
RENDER_VERSION = 1
ORIGIN = "https://origin.marquee.invalid"  # .invalid never resolves (RFC 2606)
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


def json_ld(review, request) -> str:
    """schema.org Review of the film (a Movie): a <script> for the review page's head.

    `request` makes URLs absolute; anything with `build_absolute_uri` will do.
    """
    film = review.film
    author = review.author
    data = {
        "@context": "https://schema.org",
        "@type": "Review",
        "name": review.headline,
        "headline": review.headline,
        "url": request.build_absolute_uri(review.get_absolute_url()),
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
            "url": request.build_absolute_uri("/"),
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


class _StoredOrigin:
    """Stands in for the request while rendering what is stored: URLs start with ORIGIN."""

    def build_absolute_uri(self, location: str) -> str:
        return urljoin(ORIGIN + "/", location)


def render_parts(review: Review, request=None) -> dict[str, str]:
    """The article, description and JSON-LD of a review loaded by `review_for_page`.

    Without a request, absolute URLs are made against ORIGIN (for storing).
    """
    return {
        "article": render_to_string(TEMPLATE, {"review": review}),
        "description": description(review),
        "json_ld": json_ld(review, request or _StoredOrigin()),
    }


_code_digest = None


def render_key() -> str:
    """A digest of the templates, code and settings the stored parts are made with."""
    global _code_digest
    if _code_digest is None or settings.DEBUG:  # with DEBUG, templates change under us
        digest = hashlib.sha256()
        for name in TEMPLATES:
            digest.update(get_template(name).template.source.encode())
        for name in MODULES:
            digest.update(Path(importlib.import_module(name).__file__).read_bytes())
        _code_digest = digest.hexdigest()
    used = "|".join(map(str, [
        _code_digest, RENDER_VERSION, django.VERSION, settings.MEDIA_URL, settings.STORAGES,
        settings.TIME_ZONE, settings.LANGUAGE_CODE, settings.MARQUEE_SITE_NAME,
    ]))
    return hashlib.sha256(used.encode()).hexdigest()


def store(review: Review, parts: dict[str, str]) -> None:
    """Keep `parts` for `review` (rendered from data read after its render_token).

    A failed write is logged and forgotten: the page was rendered and is served anyway.
    """
    rendering = ReviewRendering(review=review, token=review.render_token, key=render_key(),
                                **parts)
    fields = ["token", "key", "article", "description", "json_ld", "rendered_at"]
    try:
        with transaction.atomic(using=router.db_for_write(ReviewRendering)):
            ReviewRendering.objects.bulk_create(
                [rendering], update_conflicts=True, unique_fields=["review"],
                update_fields=fields,
            )
    except DatabaseError:
        logger.warning("Could not store the rendered page of review %s", review.pk,
                       exc_info=True)


def page_parts(parts: dict[str, str], request) -> dict[str, SafeString]:
    """The parts as the review page's context: page_article, page_description, page_json_ld."""
    origin = request.build_absolute_uri("/")[:-1]
    return {
        "page_article": mark_safe(parts["article"]),  # noqa: S308 (rendered by a template)
        "page_description": parts["description"],
        "page_json_ld": mark_safe(parts["json_ld"].replace(ORIGIN, origin)),  # noqa: S308
    }


# Retiring stored pages ---------------------------------------------------------------------------


def retire(reviews) -> None:
    """Give these reviews a new render_token: their stored pages are made again when next seen.

    Then retire Marquee's cached pages too, now and once the transaction commits: the page
    cache's own receivers (films/cache.py) may have run before this one, and a reader in
    between could have cached a page made from the stored copy just retired.

    Writes that send no signals retire nothing: QuerySet.update() and bulk_create() /
    bulk_update() of what the article shows, or rows written to Film.genres.through directly.
    Code doing those must call retire() itself (films/importers.py saves the film afterwards,
    which does).
    """
    if reviews.update(render_token=uuid.uuid4()):
        bump_generation()
        transaction.on_commit(bump_generation, using=reviews.db)


def _review_saved(sender, instance, raw=False, **kwargs):
    if raw:  # loaddata, a reversion revert: Review.save() did not run
        retire(Review.objects.filter(pk=instance.pk))
    else:  # Review.save() gave it a new token in the same write
        transaction.on_commit(bump_generation)


def _section_changed(sender, instance, **kwargs):
    retire(Review.objects.filter(pk=instance.review_id))


def _credit_changed(sender, instance, **kwargs):
    retire(Review.objects.filter(film_id=instance.film_id))


def _moving(parent: str):
    """A pre_save receiver retiring the reviews of the row's former parent, if it moves."""

    def receiver(sender, instance, raw=False, **kwargs):
        if instance.pk is None or raw:
            return
        former = sender.objects.filter(pk=instance.pk).values(parent)
        if parent == "review_id":
            retire(Review.objects.filter(pk__in=former).exclude(pk=instance.review_id))
        else:
            retire(Review.objects.filter(film_id__in=former).exclude(film_id=instance.film_id))

    receiver.__name__ = f"_moving_{parent}"
    return receiver


_section_moving, _credit_moving = _moving("review_id"), _moving("film_id")


def _film_changed(sender, instance, **kwargs):
    retire(Review.objects.filter(film_id=instance.pk))


def _film_genres_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if not reverse:  # film.genres changed
        retire(Review.objects.filter(film_id=instance.pk))
    elif action == "pre_clear":  # genre.films.clear(): its films are still linked
        retire(Review.objects.filter(film__genres=instance))
    else:
        retire(Review.objects.filter(film_id__in=pk_set))


def _genre_changed(sender, instance, **kwargs):
    retire(Review.objects.filter(film__genres=instance))


def _collection_changed(sender, instance, **kwargs):
    retire(Review.objects.filter(film__collection=instance))


def _person_saved(sender, instance, **kwargs):
    for credits in (CastCredit.objects, CrewCredit.objects):
        retire(Review.objects.filter(film_id__in=credits.filter(person=instance).values("film_id")))


NAME_FIELDS = {"username", "first_name", "last_name"}


def _user_saved(sender, instance, update_fields=None, **kwargs):
    if update_fields is None or NAME_FIELDS & set(update_fields):  # not on every login
        retire(Review.objects.filter(author_id=instance.pk))


def connect() -> None:
    """Retire stored pages whenever what they show changes. Called from ReviewsConfig.ready."""
    receivers = [
        (post_save, Review, _review_saved),
        (pre_save, Section, _section_moving),
        (post_save, Section, _section_changed),
        (post_delete, Section, _section_changed),
        (post_save, Film, _film_changed),
        (pre_save, CastCredit, _credit_moving),
        (post_save, CastCredit, _credit_changed),
        (post_delete, CastCredit, _credit_changed),
        (pre_save, CrewCredit, _credit_moving),
        (post_save, CrewCredit, _credit_changed),
        (post_delete, CrewCredit, _credit_changed),
        (m2m_changed, Film.genres.through, _film_genres_changed),
        (post_save, Genre, _genre_changed),
        (pre_delete, Genre, _genre_changed),  # its films lose it without signals of their own
        (post_save, Collection, _collection_changed),
        (pre_delete, Collection, _collection_changed),  # films are set to none without signals
        (post_save, Person, _person_saved),
        (post_save, get_user_model(), _user_saved),
    ]
    for signal, sender, receiver in receivers:
        signal.connect(receiver, sender=sender, weak=False,
                       dispatch_uid=f"marquee-rendering-{receiver.__name__}-{sender.__name__}")
