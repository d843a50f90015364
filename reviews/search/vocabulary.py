"""The words search knows, for correcting a reader's spelling ("did you mean").

Every word of four letters or more from film titles, original titles, people's names and the
text of published (or scheduled) reviews, folded (lower case, no accents). On PostgreSQL a
pg_trgm GIN index finds the nearest words; on SQLite an FTS5 trigram table does
(reviews/search/sqlite.py). Words are added as content is saved and never removed one by one
(`update_search_index` rebuilds the lot): a correction is only offered when the corrected
query finds something public, so a stale word can cost a suggestion, never leak one.
"""

from django.db import connections, models

from reviews.search import postgres, sqlite
from reviews.search.text import one_edit_away, typos_allowed

MAX_WORD_LENGTH = 64
CHUNK = 500


class SearchWord(models.Model):
    word = models.CharField(max_length=MAX_WORD_LENGTH, unique=True)

    class Meta:
        app_label = "reviews"
        ordering = ["word"]

    def __str__(self):
        return self.word


def correctable(word: str) -> bool:
    return typos_allowed(word) > 0 and len(word) <= MAX_WORD_LENGTH


def add_words(words, *, using: str = "default") -> int:
    """Add the words not yet known; return how many were new."""
    wanted = sorted({w for w in words if correctable(w)})
    added = []
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        known = set(
            SearchWord.objects.using(using).filter(word__in=chunk).values_list("word", flat=True)
        )
        new = [w for w in chunk if w not in known]
        if new:
            SearchWord.objects.using(using).bulk_create(
                [SearchWord(word=w) for w in new], ignore_conflicts=True
            )
            added += new
    if added and connections[using].vendor == "sqlite":
        sqlite.add_words(using, added)
    return len(added)


def begins_a_word(start: str, using: str = "default") -> bool:
    """Whether a known word begins with `start` (and is longer): one indexed range lookup."""
    words = SearchWord.objects.using(using)
    return words.filter(word__startswith=start).exclude(word=start).exists()


def knows_all(words, using: str = "default") -> bool:
    """Whether every one of the words is known: one look at the unique index."""
    words = set(words)
    if not words:
        return True
    return SearchWord.objects.using(using).filter(word__in=words).count() == len(words)


def clear(using: str = "default") -> None:
    SearchWord.objects.using(using).all().delete()


def lookup(words, *, using: str = "default") -> tuple[set[str], dict[str, list[str]]]:
    """(the words known, {word: known words that look like it}) for the words a reader typed.

    Looking alike is sharing trigrams, or (in short words, where a typo leaves few trigrams in
    common) being exactly one edit away. One statement for all the words on PostgreSQL (and
    the trigram threshold), whatever their number.
    """
    words = list(dict.fromkeys(words))
    near = {w: one_edit_away(w) if len(w) < 8 and w.isascii() else set() for w in words}
    exact = sorted(set(words).union(*near.values()))
    vocabulary = SearchWord.objects.using(using)
    if connections[using].vendor == "postgresql":
        found, similar = postgres.word_lookup(vocabulary, exact, words)
    else:
        found = set(vocabulary.filter(word__in=exact).values_list("word", flat=True))
        # A word of three letters has one trigram: the words one letter off (`near`) are all.
        similar = {
            w: sqlite.word_candidates(using, w) for w in words if w not in found and len(w) > 3
        }
    known = {w for w in words if w in found}
    candidates = {
        w: list(dict.fromkeys([*similar.get(w, []), *sorted(near[w] & found)]))
        for w in words
        if w not in known
    }
    return known, candidates
