"""SQLite's side of search: FTS5 tables, their upkeep, and the statements that query them.

The embedded default has no `tsvector`, so each searchable kind has an FTS5 table of its own,
created by migration 0013 (and nothing on PostgreSQL):

- `search_review(titles, summary, body)`: rowid = review id; headline and film titles, dek and
  section headings, intro and section text. Porter-stemmed, accents removed, ranked with bm25
  weighted 10 / 4 / 1, as PostgreSQL weights A / B / C.
- `search_film(title, original_title, other)` and `search_person(name)`: rowid = film / person
  id; `other` holds the film's other titles and its keywords (reviews/search/index.py).
- `search_word_trigram(word)`: the vocabulary (SearchWord) by trigram, for "did you mean".

The tables hold their own copy of the text and are written by the code that writes the
PostgreSQL vectors (reviews/search/index.py), not by triggers: SQLite drops a table's triggers
whenever a migration rebuilds the table.

Table and column names in these statements come from the constants below, never from input
(hence the `noqa: S608`); values are always parameters.

Queries arrive as reviews.search.text.Query objects: every word is letters and digits only,
and is quoted here, so nothing a reader types reaches FTS5's query syntax.
"""

from django.db import connections
from django.db.models.expressions import RawSQL

from reviews.search.text import START, STOP

REVIEW_WEIGHTS = (10.0, 4.0, 1.0)
TOKENIZE = "porter unicode61 remove_diacritics 2"
NAMES_TOKENIZE = "unicode61 remove_diacritics 2"

CREATE = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS search_review USING fts5("
    f"titles, summary, body, tokenize='{TOKENIZE}')",
    f"CREATE VIRTUAL TABLE IF NOT EXISTS search_film USING fts5("
    f"title, original_title, other, tokenize='{NAMES_TOKENIZE}')",
    f"CREATE VIRTUAL TABLE IF NOT EXISTS search_person USING fts5("
    f"name, tokenize='{NAMES_TOKENIZE}')",
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_word_trigram USING fts5(word, tokenize='trigram')",
]
DROP = [
    "DROP TABLE IF EXISTS search_review",
    "DROP TABLE IF EXISTS search_film",
    "DROP TABLE IF EXISTS search_person",
    "DROP TABLE IF EXISTS search_word_trigram",
]
TABLES = {"review": "search_review", "film": "search_film", "person": "search_person"}
COLUMNS = {
    "review": "titles, summary, body",
    "film": "title, original_title, other",
    "person": "name",
}


def create_tables(connection) -> None:
    with connection.cursor() as cursor:
        for statement in CREATE:
            cursor.execute(statement)


def recreate_film_table(connection) -> None:
    """search_film anew, with the columns of CREATE (migration 0016 added `other`)."""
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS search_film")
        cursor.execute(next(s for s in CREATE if "search_film" in s))


def drop_tables(connection) -> None:
    with connection.cursor() as cursor:
        for statement in DROP:
            cursor.execute(statement)


def match_expression(query, *, any_term: bool = False) -> str:
    """An FTS5 query string: each word quoted, phrases quoted whole, `*` on a prefix."""
    parts = [f'"{term}"' for term in query.terms]
    if query.prefix and parts:
        parts[-1] += "*"
    parts += ['"' + " ".join(phrase) + '"' for phrase in query.phrases]
    return (" OR " if any_term else " AND ").join(parts)


# Upkeep ----------------------------------------------------------------------------------------


def replace_rows(using: str, kind: str, rows: list[tuple]) -> None:
    """Write (rowid, *columns) rows into a kind's table, replacing rows of the same ids."""
    if not rows:
        return
    table = TABLES[kind]
    width = len(rows[0]) - 1
    with connections[using].cursor() as cursor:
        cursor.executemany(
            f"DELETE FROM {table} WHERE rowid = %s",  # noqa: S608
            [(r[0],) for r in rows],
        )
        cursor.executemany(
            f"INSERT INTO {table}(rowid, {COLUMNS[kind]}) VALUES (%s{', %s' * width})",  # noqa: S608
            rows,
        )


def delete_rows(using: str, kind: str, ids: list[int]) -> None:
    with connections[using].cursor() as cursor:
        cursor.executemany(
            f"DELETE FROM {TABLES[kind]} WHERE rowid = %s",  # noqa: S608
            [(i,) for i in ids],
        )


def clear(using: str) -> None:
    with connections[using].cursor() as cursor:
        for table in [*TABLES.values(), "search_word_trigram"]:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608


def prune(using: str) -> None:
    """Drop rows whose review, film, person or word is gone (after `flush`, say)."""
    sources = {"review": "reviews_review", "film": "films_film", "person": "films_person"}
    with connections[using].cursor() as cursor:
        if "search_review" not in connections[using].introspection.table_names(cursor):
            return
        for kind, source in sources.items():
            cursor.execute(
                f"DELETE FROM {TABLES[kind]} WHERE rowid NOT IN (SELECT id FROM {source})"  # noqa: S608
            )
        cursor.execute(
            "DELETE FROM search_word_trigram WHERE word NOT IN "
            "(SELECT word FROM reviews_searchword)"
        )


def add_words(using: str, new_words: list[str]) -> None:
    with connections[using].cursor() as cursor:
        cursor.executemany(
            "INSERT INTO search_word_trigram(word) VALUES (%s)", [(w,) for w in new_words]
        )


# Queries ---------------------------------------------------------------------------------------


def ranked_ids(using: str, kind: str, query, *, limit: int, offset: int = 0) -> list[tuple]:
    """(id, score) of the best matches, best first (bm25: lower is better, negated here)."""
    weights = ", ".join(str(w) for w in REVIEW_WEIGHTS) if kind == "review" else ""
    table = TABLES[kind]
    rank = f"bm25({table}{', ' + weights if weights else ''})"
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"SELECT rowid, -{rank} FROM {table} WHERE {table} MATCH %s "  # noqa: S608
            f"ORDER BY {rank}, rowid LIMIT %s OFFSET %s",
            [match_expression(query), limit, offset],
        )
        return cursor.fetchall()


def matching_ids(kind: str, query, *, limit: int | None = None) -> RawSQL:
    """The ids of a kind's best `limit` matches (or of all, unranked), as a subquery:
    `Film.objects.filter(pk__in=...)`."""
    table = TABLES[kind]
    if limit is None:
        return RawSQL(  # noqa: S611
            f"SELECT rowid FROM {table} WHERE {table} MATCH %s",  # noqa: S608
            (match_expression(query),),
        )
    return RawSQL(  # noqa: S611
        f"SELECT rowid FROM {table} WHERE {table} MATCH %s ORDER BY rank LIMIT %s",  # noqa: S608
        (match_expression(query), limit),
    )


def review_snippets(using: str, query, ids: list[int], words: int = 32) -> dict[int, str]:
    """The body text around the best-matching words, matches between START and STOP."""
    if not ids:
        return {}
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT rowid, snippet(search_review, 2, %s, %s, '…', %s) FROM search_review "  # noqa: S608
            f"WHERE search_review MATCH %s AND rowid IN ({', '.join(['%s'] * len(ids))})",
            [START, STOP, words, match_expression(query, any_term=True), *ids],
        )
        return dict(cursor.fetchall())


def word_candidates(using: str, word: str, limit: int = 50) -> list[str]:
    """Vocabulary words sharing the most trigrams with `word` (FTS5's trigram tokenizer)."""
    grams = sorted({word[i : i + 3] for i in range(len(word) - 2)})
    if not grams:
        return []
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT word FROM (SELECT word FROM search_word_trigram "
            "WHERE search_word_trigram MATCH %s ORDER BY rank LIMIT %s)",
            [" OR ".join(f'"{g}"' for g in grams), limit],
        )
        return [row[0] for row in cursor.fetchall()]
