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

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.db import connections
from django.db.models import Count, F, Func, Q, TextField, Value, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import Length

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
# A review's vector is kept in its row (STORAGE MAIN: compressed if that helps, moved out only
# if the row cannot fit otherwise) rather than out of line in the TOAST table, where the other
# long columns (the text, its HTML) go first. Ranking a common word reads the vector of every
# review that has it, twice (the match, then ts_rank): out of line, each read was a TOAST index
# lookup and its chunks, 29,000 buffers and 25-45 ms for `harbour` at bench scale 1; in the
# row, 1,300 and 7-16 ms (bench/SEARCH.md, 30 November 2026). The vectors stored already are
# written again (concatenating nothing makes a new value) so that they move into their rows.
VECTOR_IN_ROW = [
    "ALTER TABLE reviews_review ALTER COLUMN search_vector SET STORAGE MAIN",
    "UPDATE reviews_review SET search_vector = search_vector || ''::tsvector "
    "WHERE search_vector IS NOT NULL",
]
VECTOR_OUT_OF_ROW = ["ALTER TABLE reviews_review ALTER COLUMN search_vector SET STORAGE EXTENDED"]
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


def reviews(
    queryset, query, *, limit: int, offset: int = 0, snippets: bool = False, total: bool = False
):
    """Matching reviews of `queryset`, best first, from the `offset`-th, each with `.score`
    (and `.marked`, its snippet with the matched words between START and STOP, when
    `snippets`; `.total`, how many match, when `total`)."""
    match = tsquery(query)
    found = (
        queryset.filter(search_vector=match)
        .annotate(score=SearchRank(F("search_vector"), match))
        .order_by("-score", "-published_at", "-id")
    )
    if total:
        found = found.annotate(total=Window(Count("pk")))
    if snippets:
        # In the same statement: PostgreSQL puts off an expensive output column (ts_headline
        # reads the review's text) until after the ORDER BY and LIMIT, so only the reviews
        # shown are marked, as a statement of their own by id did.
        found = found.annotate(marked=headline(query))
    return list(found[offset : offset + limit])


def any_review(queryset, query) -> bool:
    return queryset.filter(search_vector=tsquery(query)).exists()


def count_reviews(queryset, query) -> int:
    return queryset.filter(search_vector=tsquery(query)).count()


def headline(query) -> SearchHeadline:
    return SearchHeadline(
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


def _word_patterns(query) -> list[tuple[str, str]]:
    """(word, regular expression) for each word of the query: at a word start, a whole word
    except the last loose word of a prefix query. Words are letters and digits only
    (text.WORD_RE): nothing in them is special to a regular expression or to LIKE."""
    words = [*query.terms, *(word for phrase in query.phrases for word in phrase)]
    patterns = [rf"\m{word}\M" for word in words]
    if query.prefix and query.terms:
        patterns[len(query.terms) - 1] = patterns[len(query.terms) - 1].removesuffix(r"\M")
    return list(zip(words, patterns, strict=True))


def names_match(field: str, query) -> Q:
    """Every word of the query in `field` (folded) at a word start; whole words, except the
    last loose word of a prefix query."""
    match = Q()
    for word, pattern in _word_patterns(query):
        match &= Q(**{f"{field}_folded__regex": pattern})
        if not word.isascii():
            # A LIKE saying the same more loosely, for the index: pg_trgm finds no trigrams in
            # a regular expression of letters the C locale does not class as such (七人の侍,
            # 기생충) and would read every title; from LIKE it takes them. (Only there: each
            # condition folds every candidate title again.)
            match &= Q(**{f"{field}_folded__contains": word})
    return match


def _names_match_sql(column: str, query) -> tuple[str, list[str]]:
    """names_match() as SQL on `column`, for the UNION in film_ids()."""
    conditions, params = [], []
    for word, pattern in _word_patterns(query):
        conditions.append(f"marquee_fold({column}) ~ %s")
        params.append(pattern)
        if not word.isascii():
            conditions.append(f"marquee_fold({column}) LIKE %s")
            params.append(f"%{word}%")
    return " AND ".join(conditions), params


# (SELECT ..., the folded column each one matches) for film_ids()
FILM_MATCHES = [
    ("SELECT id FROM films_film", "title"),
    ("SELECT id FROM films_film", "original_title"),
    ("SELECT film_id FROM films_alternativetitle", "title"),
    (
        "SELECT t.film_id FROM films_film_keywords t JOIN films_keyword k ON k.id = t.keyword_id",
        "k.name",
    ),
]


def film_ids(query) -> RawSQL:
    """The ids of the films whose title, original title, another title or a keyword has every
    word of the query: a UNION of one SELECT per field, which its trigram index answers.

    (Matching the fields in the outer WHERE, or in `OR`ed IN subqueries, had PostgreSQL fold
    every film's titles with unaccent on each search: a sequential scan. bench/NOTES.md,
    29 November 2026.) Written as SQL rather than as four querysets: building and compiling
    those was a third of a search's time in Python (bench/SEARCH.md, 30 November 2026).
    """
    parts, params = [], []
    for select, column in FILM_MATCHES:
        condition, values = _names_match_sql(column, query)
        parts.append(f"{select} WHERE {condition}")
        params += values
    return RawSQL(" UNION ".join(parts), params)  # noqa: S611 (the words are parameters)


def films(queryset, query, *, limit: int):
    """Films of `queryset` whose title, original title, another title or a keyword has every
    word, shortest title first."""
    return list(queryset.filter(pk__in=film_ids(query)).order_by(Length("title"), "id")[:limit])


def people(queryset, query, *, limit: int):
    return list(
        queryset.annotate(name_folded=Folded("name"))
        .filter(names_match("name", query))
        .order_by(Length("name"), "id")[:limit]
    )


# pg_trgm's default (0.3) misses two typos in a long word ("kuesoawa" for "kurosawa" is 0.25);
# candidates are checked by edit distance afterwards, so a looser net costs nothing in quality.
SIMILARITY_THRESHOLD = 0.2


WORD_LOOKUP = """
SELECT word, '', 0 FROM reviews_searchword WHERE word = ANY(%s)
UNION ALL
SELECT near.word, typed.word, near.similarity FROM unnest(%s::text[]) AS typed (word)
CROSS JOIN LATERAL (
    SELECT word, similarity(marquee_fold(word), typed.word) AS similarity FROM reviews_searchword
    WHERE marquee_fold(word) %% typed.word ORDER BY 2 DESC, 1 LIMIT %s
) AS near
"""


def word_lookup(words, exact: list[str], similar_to: list[str], limit: int = 20):
    """({the `exact` strings that are vocabulary words (a SearchWord queryset)}, {word of
    `similar_to`: vocabulary words similar to it by trigrams (`%`, indexed), nearest first}),
    in one statement (after the threshold's).

    As SQL: the same as querysets (one per word, in a UNION ALL) cost three times as long to
    build and compile as the statement takes to run.
    """
    found, similar = set(), {word: [] for word in similar_to}
    with connections[words.db].cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pg_trgm.similarity_threshold', %s, false)",
            [str(SIMILARITY_THRESHOLD)],
        )
        cursor.execute(WORD_LOOKUP, [exact, similar_to, limit])
        rows = cursor.fetchall()
    for word, for_word, _closeness in sorted(rows, key=lambda row: (-row[2], row[0])):
        if for_word:
            similar[for_word].append(word)
        else:
            found.add(word)
    return found, similar
