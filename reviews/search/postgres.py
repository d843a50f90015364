"""PostgreSQL's side of search, through django.contrib.postgres.

- Reviews: the weighted `search_vector` (reviews.Review), built with the `marquee` text search
  configuration: English stemming after `unaccent`, so "Skarsgard" finds "Skarsgård".
- Films and people: their short fields (titles, original titles, names) folded by
  `marquee_fold()` (lower case, `unaccent`) and matched word by word with regular expressions
  that pg_trgm's GIN indexes answer; never a whole review body.
- Typos: the vocabulary (SearchWord) by trigram similarity (`%`, GIN-indexed), pg_trgm's
  "did you mean" pattern.

Migration 0013 creates the extensions, the configuration, the function and the indexes.
"""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramSimilarity,
)
from django.db import connections
from django.db.models import BooleanField, F, Func, Q, TextField, Value
from django.db.models.functions import Length

from films.models import AlternativeTitle, Film
from reviews.search.text import START, STOP

SEARCH_CONFIG = "marquee"

CREATE = [
    "CREATE TEXT SEARCH CONFIGURATION marquee (COPY = pg_catalog.english)",
    "ALTER TEXT SEARCH CONFIGURATION marquee ALTER MAPPING FOR hword, hword_part, word "
    "WITH public.unaccent, english_stem",
    # unaccent() is only STABLE (it reads a dictionary); an index needs an IMMUTABLE wrapper
    # that names its dictionary.
    "CREATE OR REPLACE FUNCTION marquee_fold(text) RETURNS text LANGUAGE sql IMMUTABLE "
    "PARALLEL SAFE STRICT AS $$ SELECT lower(public.unaccent('public.unaccent', $1)) $$",
    # On marquee_fold(word) (the words are folded already), not on the column: a trigram GIN
    # index on the column also answers `word IN (...)`, slowly, instead of its unique b-tree.
    "CREATE INDEX IF NOT EXISTS search_word_trgm ON reviews_searchword "
    "USING gin (marquee_fold(word) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS search_film_title_trgm ON films_film "
    "USING gin (marquee_fold(title) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS search_film_original_title_trgm ON films_film "
    "USING gin (marquee_fold(original_title) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS search_person_name_trgm ON films_person "
    "USING gin (marquee_fold(name) gin_trgm_ops)",
]
# Every search GIN index, written to directly (`fastupdate = off`). With PostgreSQL's default a
# GIN index queues new entries in an unsorted "pending list" of up to 4 MB (gin_pending_list_limit)
# until VACUUM merges them, and every search reads that whole list: after bulk writes (an import,
# `update_search_index`) with autovacuum behind, a title match read 450 pages instead of a few.
# Search is read far more often than content is written (bench/SEARCH.md, 29 November 2026).
GIN_INDEXES = [
    "review_search_vector_gin",
    "search_word_trgm",
    "search_film_title_trgm",
    "search_film_original_title_trgm",
    "search_person_name_trgm",
]
WRITE_THROUGH = [f"ALTER INDEX IF EXISTS {index} SET (fastupdate = off)" for index in GIN_INDEXES]
# Merges what is queued already (params: [GIN_INDEXES]).
MERGE_PENDING = (
    "SELECT gin_clean_pending_list(c.oid) FROM pg_class c "
    "WHERE c.relkind = 'i' AND c.relname = ANY(%s)"
)
QUEUED = [f"ALTER INDEX IF EXISTS {index} RESET (fastupdate)" for index in GIN_INDEXES]
DROP = [
    "DROP INDEX IF EXISTS search_person_name_trgm",
    "DROP INDEX IF EXISTS search_film_original_title_trgm",
    "DROP INDEX IF EXISTS search_film_title_trgm",
    "DROP INDEX IF EXISTS search_word_trgm",
    "DROP FUNCTION IF EXISTS marquee_fold(text)",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS marquee",
]


class Folded(Func):
    """marquee_fold(field): lower case, accents removed, as the trigram indexes hold it."""

    function = "marquee_fold"
    output_field = TextField()


class AnyOf(Func):
    """`expression = ANY(array)`: a long list of words as one parameter, not one each as `IN`
    has (hundreds of one-edit neighbours: 1.5 ms to send instead of 3.5)."""

    arg_joiner = " = ANY("
    template = "%(expressions)s)"
    output_field = BooleanField()


def review_vector(titles: str, summary: str, body: str) -> SearchVector:
    """Headline and film titles A, dek and section headings B, intro and sections C."""

    def weighted(text, weight):
        return SearchVector(Value(text), weight=weight, config=SEARCH_CONFIG)

    return weighted(titles, "A") + weighted(summary, "B") + weighted(body, "C")


def tsquery(query) -> SearchQuery:
    """A to_tsquery() built from the query's words: every word must match; phrases in order."""
    parts = [f"'{term}'" for term in query.terms]
    if query.prefix and parts:
        parts[-1] += ":*"
    parts += ["(" + " <-> ".join(f"'{w}'" for w in phrase) + ")" for phrase in query.phrases]
    return SearchQuery(" & ".join(parts), search_type="raw", config=SEARCH_CONFIG)


def any_word_tsquery(query) -> SearchQuery:
    """Any of the query's words: what the snippets mark."""
    return SearchQuery(
        " | ".join(f"'{w}'" for w in query.all_words), search_type="raw", config=SEARCH_CONFIG
    )


def reviews(queryset, query, *, limit: int):
    """Matching reviews of `queryset`, best first, each with `.score`."""
    match = tsquery(query)
    return list(
        queryset.filter(search_vector=match)
        .annotate(score=SearchRank(F("search_vector"), match))
        .order_by("-score", "-published_at", "-id")[:limit]
    )


def review_snippets(queryset, query, ids: list[int]) -> dict[int, str]:
    rows = (
        queryset.filter(pk__in=ids)
        .annotate(
            snippet=SearchHeadline(
                "search_text",
                any_word_tsquery(query),
                config=SEARCH_CONFIG,
                start_sel=START,
                stop_sel=STOP,
                max_words=32,
                min_words=16,
                max_fragments=2,
                fragment_delimiter=" … ",
            )
        )
        .values_list("pk", "snippet")
    )
    return dict(rows)


def names_match(field: str, query) -> Q:
    """Every word of the query in `field` (folded) at a word start; whole words, except the
    last loose word of a prefix query."""
    words = [*query.terms, *(word for phrase in query.phrases for word in phrase)]
    patterns = [rf"\m{word}\M" for word in words]
    if query.prefix and query.terms:
        patterns[len(query.terms) - 1] = patterns[len(query.terms) - 1].removesuffix(r"\M")
    match = Q()
    for word, pattern in zip(words, patterns, strict=True):
        match &= Q(**{f"{field}_folded__regex": pattern})
        if not word.isascii():
            # A LIKE saying the same more loosely, for the index: pg_trgm finds no trigrams in
            # a regular expression of letters the C locale does not class as such (七人の侍,
            # 기생충) and would read every title; from LIKE it takes them. (Only there: each
            # condition folds every candidate title again.)
            match &= Q(**{f"{field}_folded__contains": word})
    return match


def films(queryset, query, *, limit: int):
    """Films whose title, original title, another title or a keyword has every word."""
    # Each field is matched in its own query, which its trigram index answers, and the films
    # are picked by the UNION of their ids. (Matching the fields in the outer WHERE, or in
    # `OR`ed IN subqueries, had PostgreSQL fold every film's titles with unaccent on each
    # search: a sequential scan. bench/NOTES.md, 29 November 2026.)
    by_title = (
        Film.objects.annotate(title_folded=Folded("title"))
        .filter(names_match("title", query))
        .values("pk")
    )
    by_original_title = (
        Film.objects.annotate(original_title_folded=Folded("original_title"))
        .filter(names_match("original_title", query))
        .values("pk")
    )
    by_other_title = (
        AlternativeTitle.objects.annotate(title_folded=Folded("title"))
        .filter(names_match("title", query))
        .values("film_id")
    )
    by_keyword = (
        Film.keywords.through.objects.annotate(name_folded=Folded("keyword__name"))
        .filter(names_match("name", query))
        .values("film_id")
    )
    matching = by_title.union(by_original_title, by_other_title, by_keyword)
    return list(queryset.filter(pk__in=matching).order_by(Length("title"), "id")[:limit])


def people(queryset, query, *, limit: int):
    return list(
        queryset.annotate(name_folded=Folded("name"))
        .filter(names_match("name", query))
        .order_by(Length("name"), "id")[:limit]
    )


# pg_trgm's default (0.3) misses two typos in a long word ("kuesoawa" for "kurosawa" is 0.25);
# candidates are checked by edit distance afterwards, so a looser net costs nothing in quality.
SIMILARITY_THRESHOLD = 0.2


def word_lookup(words, exact: list[str], similar_to: list[str], limit: int = 20):
    """({the `exact` strings that are vocabulary words (a SearchWord queryset)}, {word of
    `similar_to`: vocabulary words similar to it by trigrams (`%`, indexed), nearest first}),
    in one statement."""
    with connections[words.db].cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pg_trgm.similarity_threshold', %s, false)",
            [str(SIMILARITY_THRESHOLD)],
        )
    parts = [
        words.annotate(folded=Folded("word"))
        .filter(folded__trigram_similar=word)
        .annotate(for_word=Value(word), similarity=TrigramSimilarity("folded", word))
        .order_by("-similarity", "word")
        .values_list("word", "for_word")[:limit]
        for word in similar_to
    ]
    listed = Value(exact, output_field=ArrayField(TextField()))
    same = words.filter(AnyOf(F("word"), listed)).annotate(for_word=Value(""))
    same = same.values_list("word", "for_word")
    found, similar = set(), {word: [] for word in similar_to}
    for word, for_word in same.order_by().union(*parts, all=True):
        if for_word:
            similar[for_word].append(word)
        else:
            found.add(word)
    return found, similar
