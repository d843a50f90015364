"""Finding and ranking: reviews, films, people and critics for a reader's query, on either database.

Each database finds candidates its own way (reviews/search/sqlite.py, postgres.py); ranking
and spelling correction happen here, once, so both give the same kind of answer:

1. Every word must match (quoted phrases in order); a trailing `*`, or typing in the header's
   box, makes the last word a prefix.
2. An exact title or name comes first ("john wick" lists *John Wick* before its sequels), then
   the rest by relevance: reviews by their weighted rank (bm25 or ts_rank), films and people
   by how much of their name the query is, those with published reviews first.
3. A film's year after its title ("parasite 2019", "Ballerina (2025)" as the site prints a
   film), when the words with it find nothing, narrows the films and reviews to that year's.
4. When nothing matches, the last word is read as the start of one ("portr*"), as the
   suggestions read it while typing; the page says "Showing results for portr*".
5. When nothing matches still, each unknown word is corrected to the nearest known word (at most one
   edit in words of 4-7 letters, two from 8) and the corrected query is tried; the page then
   says "Showing results for ...". Only a correction that finds something is offered. Among
   other words, a word of three letters may be one letter short of a known word ("jon wick",
   "mad max fury rod"); the vocabulary has no such short words to tell, so it is kept as typed
   first, and the other words narrow down what it can be.
6. When only reviews match and a word is unknown, they matched by its stem alone ("reevs" and
   "reeves" are both "reev"): the corrected query is shown instead if it names a film or a person
   ("keanu reevs" is Keanu Reeves). Every word of a query spelt right is known, so it stays.

Critics are found by their display name (every word, the last one begun when it is a prefix),
among those with a published review; their names join the vocabulary, so a misspelt or begun name
is corrected as a person's is (5, 4).

Each kind shows a few results (REVIEWS_SHOWN...) from `offset` on, and counts all it found
(`Results.totals`): every public review that matches; the films and people among the
CANDIDATES ranked, a number that is a floor when that many matched (`Results.at_least`).
"""

import itertools
import re
from dataclasses import dataclass, field

from django.db import connections, router
from django.db.models import Case, Exists, OuterRef, Value, When

from films.models import CastCredit, CrewCredit, Film, Person
from reviews.models import Critic, Review
from reviews.search import postgres, sqlite, vocabulary
from reviews.search.highlight import highlighted
from reviews.search.text import (
    STOP_WORDS,
    Query,
    edit_distance,
    parse,
    similarity,
    typos_allowed,
    words,
)

REVIEWS_SHOWN = 20
FILMS_SHOWN = 12
PEOPLE_SHOWN = 12
CRITICS_SHOWN = 12
CANDIDATES = 100  # films or people fetched before ranking
PEOPLE_FOR_FILMS = 10  # matched people whose films are listed too
# What a review's result (and suggestion) shows and ranks by, its film's and author's included:
# not the intro, its HTML, the vectors, nor the film's thirty columns or the author's password.
REVIEW_CARD = (
    "film",
    "author",
    "headline",
    "dek",
    "slug",
    "published_at",
    "film__title",
    "film__original_title",
    "film__year",
    "film__slug",
    "author__first_name",
    "author__last_name",
    "author__critic__display_name",
)
# What ranking a film needs; the cards (with their posters) are loaded for the films shown only.
FILM_RANKING = ("pk", "title", "original_title", "year", "reviewed")
PERSON_CARD = ("name", "slug")
CRITIC_CARD = ("user_id", "display_name", "slug")
SQLITE_PAGE = 200
SQLITE_PAGES = 5
CHOICES_PER_WORD = 3  # nearest known words tried for each unknown one
MAX_TRIES = 4  # corrected queries tried before giving up
YEAR_RE = re.compile(r"(18[89]|19\d|20\d)\d")  # a film's year, 1880-2099
# Suggestions' groups, unless a first matches better.
KIND_ORDER = ("films", "people", "reviews", "critics")


@dataclass
class Results:
    query: Query
    reviews: list = field(default_factory=list)
    films: list = field(default_factory=list)
    people: list = field(default_factory=list)
    critics: list = field(default_factory=list)
    corrected: Query | None = None  # what was searched instead of the reader's words
    # The best film or person found is the one the query names (of the whole results, not
    # this page's, and without the year that `find_or_by_year` took off).
    named: bool = False
    # How many of each kind were found, the ones shown among them ("reviews", "films", …).
    totals: dict[str, int] = field(default_factory=dict)
    at_least: set[str] = field(default_factory=set)  # kinds whose total is a floor

    def __bool__(self) -> bool:
        """Whether anything was found, shown on this page or not."""
        return bool(
            self.reviews or self.films or self.people or self.critics or any(self.totals.values())
        )

    @property
    def firsts(self) -> dict[str, int]:
        """`exactness_of_firsts` for the first film, person and critic shown."""
        return exactness_of_firsts(
            self.query,
            (self.films[0].title, self.films[0].original_title) if self.films else None,
            self.people[0].name if self.people else None,
            self.critics[0].display_name if self.critics else None,
        )

    @property
    def names_a_person(self) -> bool:
        """The query is the first person's name, and no film's title: "keanu reeves" is looking
        for him first, not for the films and reviews that mention him."""
        firsts = self.firsts
        return firsts["people"] == 3 and firsts["films"] <= 0

    def kinds_best_first(self) -> list[str]:
        """The kinds, the one whose first title or name best matches the query first (in
        KIND_ORDER on a tie): "kea" puts Keanu Reeves above the films he is in, "john w" John
        Wick above its cast."""
        reviews = exactness(self.query, self.reviews[0].headline) if self.reviews else -1
        best = self.firsts | {"reviews": reviews}
        return sorted(KIND_ORDER, key=lambda kind: -best[kind])


def exactness_of_firsts(
    query: Query, film: tuple[str, str] | None, person: str | None, critic: str | None
) -> dict[str, int]:
    """How exactly the first film (its titles), person and critic (their names) match
    `query`: {"films": …, "people": …, "critics": …}, -1 for a kind with none."""
    return {
        "films": -1 if film is None else exactness(query, *film),
        "people": -1 if person is None else exactness(query, person),
        "critics": -1 if critic is None else exactness(query, critic),
    }


def _using() -> str:
    return router.db_for_read(Review)


def search(
    raw: str,
    *,
    prefix: bool = False,
    shown: tuple[int, int, int, int] | None = None,
    snippets: bool = True,
    correct: bool = True,
    offset: int = 0,
    totals: bool = True,
) -> Results:
    """Reviews, films, people and critics for `raw`, ranked; corrected when nothing matches.

    `shown` of each kind (reviews, films, people, critics) from the `offset`-th on (reviews
    shown 0 times are not searched), and with `totals` how many reviews were found (the other
    kinds are counted anyway).
    """
    query = parse(raw, prefix_last=prefix)
    if not query:
        return Results(query)
    shown = shown or (REVIEWS_SHOWN, FILMS_SHOWN, PEOPLE_SHOWN, CRITICS_SHOWN)
    how = {
        "shown": shown,
        "snippets": snippets,
        "offset": offset,
        "totals": totals,
        "critics": PublicCritics(),
    }
    results = find_or_by_year(query, **how)
    if not correct:
        return results
    if results:
        if results.totals["films"] or results.totals["people"] or results.totals["critics"]:
            return results
        if vocabulary.knows_all(_correctable(query), _using()):
            return results
        # Only reviews, found by a misspelt word's stem: "keanu reevs" finds a review of
        # Keanu Reeves, and he is who was meant.
        named = corrected_search(query, corrections(query), how, good=lambda found: found.named)
        return named or results
    if query.terms and not query.prefix and vocabulary.begins_a_word(query.terms[-1], _using()):
        # The last word as the start of one, as the header's suggestions read it while typing:
        # "portr" and Enter finds what "portr" suggested.
        started = Query(
            text=f"{query.text}*", terms=query.terms, phrases=query.phrases, prefix=True
        )
        found = find(started, **how)
        if found:
            found.corrected = started
            return found
    # Each unknown word's nearest known words, tried best combination first: "alie allen"
    # could be "alien allen" (nothing) or "alfie allen" (a person).
    options = corrections(query, _maybe_short(query))
    return corrected_search(query, options, how) or results


def corrected_search(query: Query, options: dict[str, list[str]], how: dict, *, good=bool):
    """The results of the first corrected query (of the best MAX_TRIES) that are `good`
    (found anything), or None."""
    for replacements in itertools.islice(combinations(options), MAX_TRIES):
        corrected = query.with_terms(replacements)
        found = find_or_by_year(corrected, **how)
        if good(found):
            found.corrected = corrected
            return found
    return None


def combinations(options: dict[str, list[str]]):
    """{word: [best, next, ...]} -> replacement dicts, fewest second choices first; a word
    that may be right as typed has itself first (the query as typed is not tried again), and
    a word with no choice leaves none to try.

    With more than two words to correct only each one's best is tried (the product grows fast).
    """
    if len(options) > 2:
        options = {
            word: choices[: 2 if choices[:1] == [word] else 1] for word, choices in options.items()
        }
    words = list(options)
    choices = itertools.product(*(range(len(options[w])) for w in words))
    for picks in sorted(choices, key=lambda p: (sum(p), p)):
        replacements = {word: options[word][pick] for word, pick in zip(words, picks, strict=True)}
        if any(word != replaced for word, replaced in replacements.items()):
            yield replacements


def _correctable(query: Query) -> list[str]:
    return [w for w in dict.fromkeys(query.all_words) if vocabulary.correctable(w)]


def _maybe_short(query: Query) -> list[str]:
    """The words of three letters that may be a known word short of one letter ("jon wick"):
    only among other words, which narrow down what it can be (alone, most any such guess finds
    something)."""
    typed = list(dict.fromkeys(query.all_words))
    if len(typed) < 2:
        return []
    return [w for w in typed if len(w) == 3 and w.isascii() and w.isalpha() and w not in STOP_WORDS]


def corrections(query: Query, short: list[str] = ()) -> dict[str, list[str]]:
    """{typed word: [known words, nearest first]} for each word the vocabulary lacks (none
    near: every word must match, so no correction can find anything), and for the `short`
    words (which it cannot hold) those one letter off, with the word itself first."""
    using = _using()
    typed = [*_correctable(query), *short]
    if not typed:
        return {}
    _known, candidates = vocabulary.lookup(typed, using=using)
    last = query.terms[-1] if query.prefix and query.terms else None
    options = {}
    for word, looking_alike in candidates.items():
        allowed = 1 if word == last or word in short else typos_allowed(word)
        ranked = []
        for candidate in looking_alike:
            if word == last:  # typing in progress: compare with the start of the candidate
                distance = min(
                    edit_distance(word, candidate[:n], allowed)
                    for n in range(len(word) - 1, len(word) + 2)
                )
            else:
                distance = edit_distance(word, candidate, allowed)
            if distance <= allowed:
                ranked.append((distance, -similarity(word, candidate), len(candidate), candidate))
        nearest = [c for *_, c in sorted(ranked)[:CHOICES_PER_WORD]]
        if word in short:
            options[word] = [word, *nearest]
        elif nearest or word != last:  # a word being typed, nothing near, may be begun right
            options[word] = nearest
    return options


def find_or_by_year(query: Query, **how) -> Results:
    """`find`; when that finds no film and the last of several words is a year, the other
    words among the films of that year and their reviews, if they find any (the year is in no
    index; a review that mentions it is found as it is, but not the film)."""
    results = find(query, **how)
    last = query.terms[-1] if query.terms and not query.prefix else ""
    if results.totals.get("films") or not YEAR_RE.fullmatch(last):
        return results
    rest = Query(text=query.text, terms=query.terms[:-1], phrases=query.phrases)
    if not rest:
        return results
    found = find(rest, **how, year=int(last))
    found.query = query
    return found if found else results


def find(
    query: Query,
    *,
    shown: tuple[int, int, int, int],
    snippets: bool,
    offset: int = 0,
    totals: bool = False,
    year: int | None = None,
    critics: "PublicCritics | None" = None,
) -> Results:
    """What `search` finds of `query` as written (of the films of `year`): films, people and
    critics are ranked even when none is shown, so that every kind's page finds what the whole
    results find. A year names a film's: it finds no critic."""
    reviews_shown, films_shown, people_shown, critics_shown = shown
    results = Results(query)
    films, people, capped = find_films_and_people(query, year=year)
    results.films = _film_cards([film["pk"] for film in films[offset : offset + films_shown]])
    named_critics = [] if year is not None else (critics or PublicCritics()).named(query)
    results.critics = named_critics[offset : offset + critics_shown]
    firsts = exactness_of_firsts(
        query,
        (films[0]["title"], films[0]["original_title"]) if films else None,
        people[0].name if people else None,
        named_critics[0].display_name if named_critics else None,
    )
    results.named = 3 in firsts.values()
    results.people = people[offset : offset + people_shown]
    results.totals |= {"films": len(films), "people": len(people), "critics": len(named_critics)}
    results.at_least |= capped
    if reviews_shown and (films or people or any_reviews(query, year)):
        results.reviews, results.totals["reviews"] = find_reviews(
            query, reviews_shown, snippets=snippets, year=year, offset=offset, total=totals
        )
    return results


def any_reviews(query: Query, year: int | None = None) -> bool:
    """Whether any public review matches, asked before ranking them when no film or person
    matched: most often the query is misspelt and nothing matches at all, and the reviews'
    ranked statement (their cards, scores and snippets) costs several times as much to build
    as this one. On SQLite, where a statement costs little, the reviews are simply ranked."""
    if connections[_using()].vendor != "postgresql":
        return True
    return postgres.any_review(public_reviews(year), query)


def public_reviews(year: int | None = None):
    """Public reviews (of the films of `year`)."""
    reviews = Review.objects.published().select_related("film", "author__critic")
    return reviews if year is None else reviews.filter(film__year=year)


def _name_words(text: str) -> list[str]:
    return [w for w in words(text or "") if w not in STOP_WORDS] or words(text or "")


def exactness(query: Query, *texts: str) -> int:
    """3: one of the texts is the query; 2: it starts with the query; else 0."""
    typed = [*query.terms, *(w for p in query.phrases for w in p)]
    best = 0
    for text in texts:
        have = _name_words(text)
        if not have:
            continue
        if (
            query.prefix
            and len(have) == len(typed)
            and have[:-1] == typed[:-1]
            and have[-1].startswith(typed[-1])
        ):
            return 3
        if have == typed:
            return 3
        if have[: len(typed)] == typed or (
            query.prefix
            and len(have) > len(typed)
            and have[: len(typed) - 1] == typed[:-1]
            and have[len(typed) - 1].startswith(typed[-1])
        ):
            best = 2
    return best


def find_reviews(
    query: Query,
    limit: int,
    *,
    snippets: bool,
    year: int | None = None,
    offset: int = 0,
    total: bool = False,
) -> tuple[list[Review], int | None]:
    """The `limit` best public reviews from the `offset`-th, and (with `total`) how many
    public reviews match."""
    using = _using()
    queryset = public_reviews(year).only(*REVIEW_CARD)
    postgresql = connections[using].vendor == "postgresql"
    count = None
    if postgresql:
        # The snippets and the count come in the same statement (ts_headline for the reviews
        # shown only; a window count over every match, which the ranking reads anyway).
        found = postgres.reviews(
            queryset, query, limit=limit, offset=offset, snippets=snippets, total=total
        )
        if total:
            count = found[0].total if found else None
            if count is None and offset:  # a page past the end: how many there are
                count = postgres.count_reviews(queryset, query)
        found.sort(key=lambda r: _review_rank(query, r))  # the exact first, within the page
    else:
        if total:
            count = queryset.filter(pk__in=sqlite.matching_ids("review", query)).count()
        found = []
        for page in range(SQLITE_PAGES + offset // SQLITE_PAGE):
            ranked = sqlite.ranked_ids(
                using, "review", query, limit=SQLITE_PAGE, offset=page * SQLITE_PAGE
            )
            scores = dict(ranked)
            for review in queryset.filter(pk__in=scores):
                review.score = scores[review.pk]
                found.append(review)
            if len(found) >= offset + limit or len(ranked) < SQLITE_PAGE:
                break
        found.sort(key=lambda r: _review_rank(query, r))
        found = found[offset : offset + limit]
    if snippets and found:
        if postgresql:
            marked = {review.pk: review.marked for review in found}
        else:
            marked = sqlite.review_snippets(using, query, [r.pk for r in found])
        for review in found:
            review.snippet = highlighted(marked.get(review.pk) or "")
    return found, (count or 0) if total else None


def _review_rank(query: Query, review: Review) -> tuple:
    return (
        -exactness(query, review.film.title, review.film.original_title, review.headline),
        -review.score,
        -review.published_at.timestamp(),
        -review.pk,
    )


def find_films_and_people(
    query: Query, *, year: int | None = None
) -> tuple[list[dict], list[Person], set[str]]:
    """The films (rows of FILM_RANKING) and the people found for `query`, best first (only
    films of `year`, if given), and the kinds of which CANDIDATES matched, perhaps of more.

    Up to CANDIDATES of each are ranked (films by their titles, year and whether they have a
    published review, as rows of FILM_RANKING); only the films shown are then loaded as
    cards, with their posters (`_film_cards`).
    """
    using = _using()
    # Whether a film has a published review comes with it (an EXISTS), not in a query of its own.
    ranking = Film.objects.annotate(
        reviewed=Exists(Review.objects.published().filter(film=OuterRef("pk")))
    ).values(*FILM_RANKING)
    if connections[using].vendor == "postgresql":
        films = postgres.films(ranking, query, limit=CANDIDATES)
        people = postgres.people(Person.objects.only(*PERSON_CARD), query, limit=CANDIDATES)
    else:
        films = list(ranking.filter(pk__in=sqlite.matching_ids("film", query, limit=CANDIDATES)))
        people = list(
            Person.objects.only(*PERSON_CARD).filter(
                pk__in=sqlite.matching_ids("person", query, limit=CANDIDATES)
            )
        )

    capped = {
        kind for kind, found in (("films", films), ("people", people)) if len(found) >= CANDIDATES
    }
    people.sort(key=lambda p: (-exactness(query, p.name), len(p.name), p.pk))
    credited = _credits_of(people[:PEOPLE_FOR_FILMS])
    direct = {film["pk"] for film in films}
    extra_ids = [film_id for film_id in credited if film_id not in direct]
    if extra_ids:
        films += list(ranking.filter(pk__in=extra_ids))
    if year is not None:
        films = [film for film in films if film["year"] == year]
    reviewed = {film["pk"] for film in films if film["reviewed"]}

    def film_rank(film):
        return (
            -exactness(query, film["title"], film["original_title"]),
            film["pk"] not in direct,
            film["pk"] not in reviewed,
            credited.get(film["pk"], (0, 0))[0],  # director or top billing first
            len(film["title"]),
            -(film["year"] or 0),
            film["pk"],
        )

    films.sort(key=film_rank)
    person_reviewed = {pid for film_id, (_, pid) in credited.items() if film_id in reviewed}
    people.sort(
        key=lambda p: (-exactness(query, p.name), p.pk not in person_reviewed, len(p.name), p.pk)
    )
    return films, people, capped


class PublicCritics:
    """The critics with a published review, read once per search (one query, however many
    corrected queries are tried): a few dozen names, matched here on either database."""

    def __init__(self):
        self._critics = None

    def named(self, query: Query) -> list[Critic]:
        """The critics whose display name has every word of `query` (the last one begun, in a
        prefix query), the closest first: the whole name, its start, then the shortest."""
        if self._critics is None:
            public = Critic.objects.named().of_reviews(Review.objects.published())
            self._critics = [
                (critic, words(critic.display_name)) for critic in public.only(*CRITIC_CARD)
            ]
        typed = [*query.terms, *(w for phrase in query.phrases for w in phrase)]
        last = query.terms[-1] if query.prefix and query.terms else None
        found = [
            critic
            for critic, have in self._critics
            if all(
                word in have or (word == last and any(w.startswith(word) for w in have))
                for word in typed
            )
        ]
        found.sort(key=lambda c: (-exactness(query, c.display_name), len(c.display_name), c.pk))
        return found


def _film_cards(ids: list[int]) -> list[Film]:
    """The films of `ids`, in that order, as a card shows them (with the poster)."""
    if not ids:
        return []
    cards = Film.objects.select_related("poster").in_bulk(ids)
    return [cards[pk] for pk in ids if pk in cards]


def _credits_of(people: list[Person]) -> dict[int, tuple[int, int]]:
    """{film id: (billing weight, person id)} for the films these people made; lower first:
    directing 0, acting by billing order, any other job 50."""
    if not people:
        return {}
    ids = [p.pk for p in people]
    crew = CrewCredit.objects.filter(person_id__in=ids).order_by()
    crew = crew.annotate(
        weight=Case(When(job=CrewCredit.DIRECTOR_JOB, then=Value(0)), default=Value(50))
    ).values_list("film_id", "person_id", "weight")
    cast = CastCredit.objects.filter(person_id__in=ids).order_by()
    cast = cast.values_list("film_id", "person_id", "order")
    found: dict[int, tuple[int, int]] = {}
    for film_id, person_id, weight in crew.union(cast, all=True).order_by():
        if film_id not in found or weight < found[film_id][0]:
            found[film_id] = (weight, person_id)
    return found
