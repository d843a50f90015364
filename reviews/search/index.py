"""Keeping the search index current: one code path for both databases.

A review's index entry (PostgreSQL: `search_text` and the weighted `search_vector`; SQLite:
`search_text` and its FTS5 row) is rebuilt from the stored review whenever the review or one of
its sections is saved or deleted, and the words of a public review join the vocabulary. Films
and people are indexed when saved (SQLite's FTS5 rows, the vocabulary); PostgreSQL's trigram
indexes on their names keep themselves current. Critics are matched by name where they are
read (engine.PublicCritics); their names join the vocabulary, for corrections.

Saving a review with 1,200 sections must not rebuild the entry 1,201 times: inside `batch()`
every review touched is remembered and rebuilt once, when the block ends. The importers, the
demo loader and the admin's save wrap their writes in it.
"""

import contextlib
import html
from contextvars import ContextVar

from django.apps import apps
from django.db import connections, models, router
from django.utils.html import strip_tags

from films.models import AlternativeTitle, Film, Keyword, Person
from reviews.markdown import without_spoilers
from reviews.search import postgres, sqlite, vocabulary
from reviews.search.text import words

# PostgreSQL refuses a tsvector over 1 MB. The first BODY_POSITIONED characters of a review's
# text are indexed with their positions (phrases, ranking); the words of the rest are added
# once each, up to BODY_REST more characters; headings are capped at SUMMARY_LIMIT. Worst case
# (random distinct words) stays near 600 kB. search_text and SQLite's FTS5 keep everything.
BODY_POSITIONED = 150_000
BODY_REST = 100_000
SUMMARY_LIMIT = 50_000
# A review adds at most this many distinct words to the vocabulary (a long review has ~3,000).
VOCABULARY_PER_REVIEW = 5_000

_pending: ContextVar[set | None] = ContextVar("search_index_pending", default=None)


@contextlib.contextmanager
def batch():
    """Rebuild each review touched inside the block once, when it ends without an error."""
    if _pending.get() is not None:  # nested: the outermost block rebuilds
        yield
        return
    pending: set = set()
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    for using, review_id in sorted(pending):
        reindex_review(review_id, using=using)


def review_changed(review_id: int, *, using: str | None = None) -> None:
    """Call after a review or its sections changed: rebuild now, or at the end of the batch."""
    from reviews.models import Review  # reviews.models imports this module (Review.save calls this)

    using = using or router.db_for_write(Review)
    pending = _pending.get()
    if pending is not None:
        pending.add((using, review_id))
    else:
        reindex_review(review_id, using=using)


def plain(fragment: str) -> str:
    return html.unescape(strip_tags(fragment or "")).strip()


def capped_body(text: str) -> str:
    """What of a review's text goes into the tsvector (see BODY_POSITIONED)."""
    if len(text) <= BODY_POSITIONED:
        return text
    head = text[:BODY_POSITIONED]
    seen = set(words(head))
    rest, size = [], 0
    for word in dict.fromkeys(words(text[BODY_POSITIONED:])):
        if word in seen:
            continue
        size += len(word) + 1
        if size > BODY_REST:
            break
        rest.append(word)
    return head + "\n" + " ".join(rest)


def review_document(review: dict, film: dict, sections: list[tuple[str, str, bool]]) -> dict:
    """The three weighted parts of a review: titles (A), summary (B), body (C).

    `sections` are (heading, body_html, is_spoiler). What spoilers hide (a spoiler section's
    body, a `>!` spoiler in the text) is neither searched nor shown in a result's snippet.
    """
    texts = [review["intro_html"], *(b for _, b, spoiler in sections if not spoiler)]
    body = "\n\n".join(part for part in (plain(without_spoilers(t)) for t in texts) if part)
    return {
        "titles": " ".join(
            filter(None, [review["headline"], film.get("title"), film.get("original_title")])
        ),
        "summary": " ".join([review["dek"], *(heading for heading, _, _ in sections)]),
        "body": body,
    }


def reindex_review(review_id: int, *, using: str = "default") -> None:
    from reviews.models import Review, Section  # reviews.models imports this module

    review = (
        Review.objects.using(using)
        .filter(pk=review_id)
        .values("headline", "dek", "intro_html", "film_id", "status")
        .first()
    )
    if review is None:
        return
    film = (
        Film.objects.using(using)
        .filter(pk=review["film_id"])
        .values("title", "original_title")
        .first()
    ) or {}
    sections = list(
        Section.objects.using(using)
        .filter(review_id=review_id)
        .order_by("position", "id")
        .values_list("heading", "body_html", "is_spoiler")
    )
    write_review(review_id, review["status"], review_document(review, film, sections), using=using)


def write_review(review_id: int, status: str, document: dict, *, using: str) -> None:
    from reviews.models import Review  # reviews.models imports this module

    fields = {"search_text": document["body"]}
    vendor = connections[using].vendor
    if vendor == "postgresql":
        fields["search_vector"] = postgres.review_vector(
            document["titles"],
            document["summary"][:SUMMARY_LIMIT],
            capped_body(document["body"]),
        )
    Review.objects.using(using).filter(pk=review_id).update(**fields)
    if vendor == "sqlite":
        sqlite.replace_rows(
            using,
            "review",
            [(review_id, document["titles"], document["summary"], document["body"])],
        )
    if status in (Review.Status.PUBLISHED, Review.Status.SCHEDULED):
        text = " ".join([document["titles"], document["summary"], document["body"]])
        distinct = [w for w in dict.fromkeys(words(text)) if vocabulary.correctable(w)]
        vocabulary.add_words(distinct[:VOCABULARY_PER_REVIEW], using=using)


def film_rows(film_ids, *, using: str) -> list[dict]:
    """{"id", "title", "original_title", "other"} of films; `other` is their other titles
    (TMDB's alternative titles) and keywords, one per line."""
    rows = list(
        Film.objects.using(using)
        .filter(pk__in=film_ids)
        .order_by("pk")
        .values("id", "title", "original_title")
    )
    other: dict[int, list[str]] = {}
    for film_id, title in (
        AlternativeTitle.objects.using(using)
        .filter(film_id__in=film_ids)
        .order_by("film_id", "id")
        .values_list("film_id", "title")
    ):
        other.setdefault(film_id, []).append(title)
    for film_id, name in (
        Film.keywords.through.objects.using(using)
        .filter(film_id__in=film_ids)
        .order_by("film_id", "keyword__name")
        .values_list("film_id", "keyword__name")
    ):
        other.setdefault(film_id, []).append(name)
    for row in rows:
        row["other"] = "\n".join(other.get(row["id"], []))
    return rows


def films_changed(films: list[dict], *, using: str) -> None:
    """Index films given as {"id", "title", "original_title", "other"} (film_rows)."""
    if connections[using].vendor == "sqlite":
        sqlite.replace_rows(
            using, "film", [(f["id"], f["title"], f["original_title"], f["other"]) for f in films]
        )
    vocabulary.add_words(
        words(" ".join(f"{f['title']} {f['original_title']} {f['other']}" for f in films)),
        using=using,
    )


def film_changed(film_id: int, *, using: str) -> None:
    films_changed(film_rows([film_id], using=using), using=using)


def people_changed(people: list[dict], *, using: str) -> None:
    """Index people given as {"id", "name"}."""
    if connections[using].vendor == "sqlite":
        sqlite.replace_rows(using, "person", [(p["id"], p["name"]) for p in people])
    vocabulary.add_words(words(" ".join(p["name"] for p in people)), using=using)


def critic_names_changed(names: list[str], *, using: str) -> None:
    """Critics' display names join the vocabulary: a misspelt name is corrected to theirs."""
    vocabulary.add_words(words(" ".join(names)), using=using)


def deleted(kind: str, ids: list[int], *, using: str) -> None:
    if connections[using].vendor == "sqlite":
        sqlite.delete_rows(using, kind, ids)


def rebuild(*, using: str = "default", chunk: int = 500, progress=None) -> dict:
    """Rebuild everything: every review's entry, films, people, the vocabulary."""
    from reviews.models import Critic, Review, Section  # reviews.models imports this module

    if connections[using].vendor == "sqlite":
        sqlite.clear(using)
    vocabulary.clear(using)
    counts = {"films": 0, "people": 0, "reviews": 0}
    film_ids = list(Film.objects.using(using).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(film_ids), chunk):
        films_changed(film_rows(film_ids[start : start + chunk], using=using), using=using)
    counts["films"] = len(film_ids)
    if progress:
        progress("films", len(film_ids))
    people = list(Person.objects.using(using).order_by("pk").values("id", "name"))
    for start in range(0, len(people), chunk):
        people_changed(people[start : start + chunk], using=using)
    counts["people"] = len(people)
    if progress:
        progress("people", len(people))
    critic_names_changed(
        list(Critic.objects.using(using).named().values_list("display_name", flat=True)),
        using=using,
    )
    titles = {f["id"]: f for f in Film.objects.using(using).values("id", "title", "original_title")}
    ids = list(Review.objects.using(using).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        sections: dict[int, list] = {}
        for review_id, *section in (
            Section.objects.using(using)
            .filter(review_id__in=part)
            .order_by("review_id", "position", "id")
            .values_list("review_id", "heading", "body_html", "is_spoiler")
        ):
            sections.setdefault(review_id, []).append(tuple(section))
        for review in (
            Review.objects.using(using)
            .filter(pk__in=part)
            .values("id", "headline", "dek", "intro_html", "film_id", "status")
        ):
            document = review_document(
                review, titles.get(review["film_id"], {}), sections.get(review["id"], [])
            )
            write_review(review["id"], review["status"], document, using=using)
        counts["reviews"] += len(part)
        if progress:
            progress("reviews", counts["reviews"])
    return counts


def connect() -> None:
    """Index films and people when they are saved or deleted (AppConfig.ready)."""
    from reviews.models import Critic, Review, Section  # reviews.models imports this module

    # Not for loaddata (raw): its rows arrive in any order; update_search_index runs after it.
    def film_saved(sender, instance, raw=False, using="default", **kwargs):
        if raw:
            return
        film_changed(instance.pk, using=using)
        # A review's vector holds its film's titles.
        for review_id in (
            Review.objects.using(using).filter(film_id=instance.pk).values_list("pk", flat=True)
        ):
            review_changed(review_id, using=using)

    def other_title_changed(sender, instance, raw=False, using="default", **kwargs):
        if not raw:
            film_changed(instance.film_id, using=using)

    def keywords_changed(sender, instance, action, reverse, pk_set, using="default", **kwargs):
        if not action.startswith("post_"):
            return
        if not reverse:  # film.keywords.set(...)
            film_changed(instance.pk, using=using)
        elif pk_set:  # keyword.films.add(...)
            films_changed(film_rows(sorted(pk_set), using=using), using=using)

    def keyword_saved(sender, instance, raw=False, using="default", **kwargs):
        film_ids = list(instance.films.using(using).values_list("pk", flat=True))
        if not raw and film_ids:
            films_changed(film_rows(film_ids, using=using), using=using)

    def person_saved(sender, instance, raw=False, using="default", **kwargs):
        if raw:
            return
        people_changed([{"id": instance.pk, "name": instance.name}], using=using)

    def critic_saved(sender, instance, raw=False, using="default", **kwargs):
        if not raw and instance.display_name:
            critic_names_changed([instance.display_name], using=using)

    def section_saved(sender, instance, raw=False, using="default", update_fields=None, **kwargs):
        if not raw and (update_fields is None or {"heading", "body"} & set(update_fields)):
            review_changed(instance.review_id, using=using)

    def section_deleted(sender, instance, using="default", origin=None, **kwargs):
        if isinstance(origin, Review) or getattr(origin, "model", None) is Review:
            return  # the review itself is going
        review_changed(instance.review_id, using=using)

    def removed(kind):
        def receiver(sender, instance, using="default", **kwargs):
            deleted(kind, [instance.pk], using=using)

        return receiver

    signals = models.signals
    for signal, receiver, sender, name in (
        (signals.post_save, film_saved, Film, "film"),
        (signals.post_save, other_title_changed, AlternativeTitle, "other-title"),
        (signals.post_delete, other_title_changed, AlternativeTitle, "other-title-gone"),
        (signals.post_save, keyword_saved, Keyword, "keyword"),
        (signals.m2m_changed, keywords_changed, Film.keywords.through, "keywords"),
        (signals.post_save, person_saved, Person, "person"),
        (signals.post_save, critic_saved, Critic, "critic"),
        (signals.post_delete, removed("film"), Film, "film-delete"),
        (signals.post_delete, removed("person"), Person, "person-delete"),
        (signals.post_delete, removed("review"), Review, "review-delete"),
        # Signals, not Section.save(): a queryset's delete() sends them too.
        (signals.post_save, section_saved, Section, "section"),
        (signals.post_delete, section_deleted, Section, "section-delete"),
    ):
        signal.connect(receiver, sender=sender, weak=False, dispatch_uid=f"marquee-search-{name}")

    def pruned(sender, using="default", **kwargs):
        if connections[using].vendor == "sqlite":
            sqlite.prune(using)

    # `flush` (and so every transactional test) empties the models' tables, not FTS5's.
    models.signals.post_migrate.connect(
        pruned,
        sender=apps.get_app_config("reviews"),
        weak=False,
        dispatch_uid="marquee-search-prune",
    )
