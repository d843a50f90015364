"""What a reader typed, made safe: accent folding, words, phrases, prefixes, edit distance.

A query is never handed to a database's own query syntax as typed. It is read here into words
and quoted phrases, and each backend builds its own query from those (quoted tokens for FTS5,
`to_tsquery` lexemes for PostgreSQL), so `a & b | !c`, `"unbalanced` or `foo:*` are just words.
"""

import re
import unicodedata
from dataclasses import dataclass, field

MAX_QUERY_LENGTH = 200
# Around a matched word in a snippet; private-use characters no review contains.
START, STOP = "\ue000", "\ue001"
UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# A word: letters and digits. Apostrophes split words ("O'Bannon" -> "o", "bannon"), as both
# databases' tokenizers do.
WORD_RE = re.compile(r"[^\W_]+")
QUOTED_RE = re.compile(r'"([^"]*)"?')
# Letters NFKD leaves alone but PostgreSQL's unaccent folds.
EXTRA_FOLDS = str.maketrans(
    {
        "ø": "o",
        "æ": "ae",
        "œ": "oe",
        "ß": "ss",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ı": "i",
        "ŀ": "l",
        "ħ": "h",
    }
)
# PostgreSQL's English stop words (tsearch_data/english.stop): never searched alone, never
# highlighted, never corrected.
_ENGLISH_STOP = """
i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she
her hers herself it its itself they them their theirs themselves what which who whom this that
these those am is are was were be been being have has had having do does did doing a an the and
but if or because as until while of at by for with about against between into through during
before after above below to from up down in out on off over under again further then once here
there when where why how all any both each few more most other some such no nor not only own
same so than too very s t can will just don should now
"""
STOP_WORDS = frozenset(_ENGLISH_STOP.split())


def clean_query(raw: str | None) -> str:
    """Trim, drop control characters and lone surrogates, collapse spaces, cap the length."""
    query = UNPRINTABLE.sub(" ", raw or "")
    return " ".join(query.split())[:MAX_QUERY_LENGTH].strip()


def fold(text: str) -> str:
    """Lower case without accents: "Skarsgård" -> "skarsgard", "Céline" -> "celine"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    # Only the Latin-script accents (U+0300-036F), as unaccent and FTS5 remove them: kana
    # voicing marks and Hangul parts stay, and are recomposed below.
    plain = "".join(c for c in decomposed if not "\u0300" <= c <= "\u036f")
    # Recomposed: Hangul and kana that NFKD split apart are whole again ("기생충").
    return unicodedata.normalize("NFC", plain.translate(EXTRA_FOLDS))


def words(text: str) -> list[str]:
    """The folded words of a text, in order."""
    return WORD_RE.findall(fold(text))


@dataclass
class Query:
    """A reader's query, read: loose words, quoted phrases, and a prefix on the last word.

    `terms` are the words to match (stop words dropped unless nothing else is left);
    `phrases` are word sequences that must appear in that order.
    """

    text: str
    terms: list[str] = field(default_factory=list)
    phrases: list[list[str]] = field(default_factory=list)
    prefix: bool = False  # the last term matches as a prefix ("danc*" or typing in progress)

    @property
    def all_words(self) -> list[str]:
        return [*self.terms, *(w for phrase in self.phrases for w in phrase)]

    def __bool__(self) -> bool:
        return bool(self.terms or self.phrases)

    def with_terms(self, replacements: dict[str, str]) -> "Query":
        """The same query with some words replaced (spelling corrections). Its text is the
        reader's own, each replaced word written in the case it was typed in ("Helen Marhs"
        reads "Helen Marsh"), the others as typed."""

        def swap(word):
            return replacements.get(word, word)

        def respell(typed):
            word = replacements.get(fold(typed.group(0)))
            return typed.group(0) if word is None else in_case_of(typed.group(0), word)

        return Query(
            text=WORD_RE.sub(respell, self.text),
            terms=[swap(t) for t in self.terms],
            phrases=[[swap(w) for w in p] for p in self.phrases],
            prefix=self.prefix,
        )


def in_case_of(typed: str, word: str) -> str:
    """`word` (folded, lower case) in the case `typed` was written in: all capitals, a capital
    first, or as it is."""
    if len(typed) > 1 and typed.isupper():
        return word.upper()
    return word[:1].upper() + word[1:] if typed[:1].isupper() else word


def parse(raw: str, *, prefix_last: bool = False) -> Query:
    """Read a query: "quoted phrases", words, a trailing * for a prefix; no other syntax."""
    text = clean_query(raw)
    phrases = []
    for match in QUOTED_RE.finditer(text):
        phrase = words(match.group(1))
        if len(phrase) > 1:
            phrases.append(phrase)
        elif phrase:  # a quoted single word is just a word
            text = text.replace(match.group(0), f" {phrase[0]} ", 1)
            continue
        text = text.replace(match.group(0), " ", 1)
    loose = words(text)
    prefix = bool(loose) and (prefix_last or bool(re.search(r"\*\s*$", text)))
    terms = [w for w in loose if w not in STOP_WORDS]
    if not terms and not phrases:
        terms = loose  # "the who": stop words only, so search for them anyway
    if prefix and loose and (not terms or terms[-1] != loose[-1]):
        # The last word typed is the one in progress, even a stop word ("the dark kni").
        terms.append(loose[-1])
    # Each word once, in order.
    terms = list(dict.fromkeys(terms))
    return Query(text=clean_query(raw), terms=terms, phrases=phrases, prefix=prefix)


def edit_distance(a: str, b: str, limit: int = 3) -> int:
    """Optimal string alignment distance (a swap of neighbours is one edit), capped at limit+1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)


def one_edit_away(word: str, letters: str = "abcdefghijklmnopqrstuvwxyz") -> set[str]:
    """Every string one deletion, swap, change or insertion away (Norvig's edits1)."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return (
        {a + b[1:] for a, b in splits if b}
        | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
        | {a + c + b[1:] for a, b in splits if b for c in letters}
        | {a + c + b for a, b in splits for c in letters}
    ) - {word}


def typos_allowed(word: str) -> int:
    """How many edits a word may be off by: none under 4 letters, one up to 7, then two."""
    if len(word) < 4 or word.isdigit():
        return 0
    return 1 if len(word) < 8 else 2


def trigrams(word: str) -> set[str]:
    """pg_trgm's trigrams of one word: padded with two spaces before and one after."""
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def similarity(a: str, b: str) -> float:
    """pg_trgm's similarity(): shared trigrams over all trigrams of the two words."""
    ta, tb = trigrams(a), trigrams(b)
    return len(ta & tb) / len(ta | tb) if ta and tb else 0.0
