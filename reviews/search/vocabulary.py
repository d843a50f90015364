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


def clear(using: str = "default") -> None:
    SearchWord.objects.using(using).all().delete()


def candidates(word: str, *, using: str = "default") -> list[str]:
    """Known words that look like `word`: sharing trigrams, or (in short words, where a typo
    leaves few trigrams in common) exactly one edit away."""
    if connections[using].vendor == "postgresql":
        found = postgres.word_candidates(SearchWord.objects.using(using), word)
    else:
        found = sqlite.word_candidates(using, word)
    if len(word) < 8 and word.isascii():
        found += (
            SearchWord.objects.using(using)
            .filter(word__in=sorted(one_edit_away(word)))
            .values_list("word", flat=True)
        )
    return list(dict.fromkeys(found))


def known(words, *, using: str = "default") -> set[str]:
    return set(
        SearchWord.objects.using(using).filter(word__in=list(words)).values_list("word", flat=True)
    )
