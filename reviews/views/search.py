"""Site search: reviews, films and people.

On PostgreSQL reviews are found through their weighted search vector (headline and film title
above dek and headings above the text), ranked, with highlighted snippets; elsewhere a plain
case-insensitive match over the same text stands in, on the same page.
"""

import re

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connections, router
from django.db.models import F, Q
from django.shortcuts import render
from django.utils.html import escape
from django.utils.safestring import mark_safe

from films.models import AlternativeTitle, CastCredit, CrewCredit, Film, Person
from pagecache import tags
from reviews.models import SEARCH_CONFIG, Review

MAX_QUERY_LENGTH = 200
REVIEWS_SHOWN = 20
FILMS_SHOWN = 12
PEOPLE_SHOWN = 12
SNIPPET_CHARS = 240
# Markers no review contains, swapped for <mark> after the snippet is escaped.
START, STOP = "\ue000", "\ue001"
UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_query(raw: str) -> str:
    """Trim, drop control characters (PostgreSQL refuses NUL), collapse spaces, cap the length."""
    query = UNPRINTABLE.sub(" ", raw or "")
    return " ".join(query.split())[:MAX_QUERY_LENGTH].strip()


def _highlighted(snippet: str) -> str:
    # Escaped first: the only markup is the <mark> put in for the markers.
    marked = escape(snippet).replace(START, "<mark>").replace(STOP, "</mark>")
    return mark_safe(marked)  # noqa: S308


def _excerpt(text: str, terms: list[str]) -> str:
    """The fallback's snippet: the text around the first term found, terms marked."""
    lowered = text.lower()
    hits = [i for i in (lowered.find(t.lower()) for t in terms) if i >= 0]
    start = max(0, min(hits) - SNIPPET_CHARS // 3) if hits else 0
    excerpt = text[start:start + SNIPPET_CHARS]
    if start:
        excerpt = "…" + excerpt.split(" ", 1)[-1]
    if start + SNIPPET_CHARS < len(text):
        excerpt = excerpt.rsplit(" ", 1)[0] + "…"
    pattern = re.compile("|".join(re.escape(t) for t in terms if t), re.IGNORECASE)
    marked = pattern.sub(lambda m: START + m.group(0) + STOP, excerpt) if terms else excerpt
    return _highlighted(marked)


def _on_postgresql() -> bool:
    return connections[router.db_for_read(Review)].vendor == "postgresql"


def search_reviews(query: str) -> list[Review]:
    reviews = Review.objects.published().select_related("film", "author")
    if _on_postgresql():
        tsquery = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
        found = list(
            reviews.filter(search_vector=tsquery)
            .annotate(
                rank=SearchRank(F("search_vector"), tsquery),
                snippet=SearchHeadline(
                    "search_text", tsquery, config=SEARCH_CONFIG, start_sel=START,
                    stop_sel=STOP, max_words=40, min_words=20, max_fragments=2,
                    fragment_delimiter=" … ",
                ),
            )
            .defer("search_vector")
            .order_by("-rank", "-published_at", "-id")[:REVIEWS_SHOWN]
        )
        for review in found:
            review.snippet = _highlighted(review.snippet)
        return found
    terms = query.split()
    match = Q()
    for term in terms:
        match &= (
            Q(headline__icontains=term) | Q(dek__icontains=term)
            | Q(search_text__icontains=term) | Q(film__title__icontains=term)
            | Q(film__original_title__icontains=term)
            | Q(sections__heading__icontains=term)
        )
    found = list(
        reviews.filter(pk__in=Review.objects.filter(match).values("pk"))
        .defer("search_vector").newest_first()[:REVIEWS_SHOWN]
    )
    for review in found:
        review.snippet = _excerpt(review.search_text or review.dek, terms)
    return found


def search_films(query: str) -> list[Film]:
    terms = query.split()
    match = Q()
    for term in terms:
        people = Person.objects.filter(name__icontains=term).values("pk")
        match &= (
            Q(title__icontains=term) | Q(original_title__icontains=term)
            | Q(pk__in=CastCredit.objects.filter(person__in=people).values("film_id"))
            | Q(pk__in=CrewCredit.objects.filter(person__in=people).values("film_id"))
            # TMDB's other titles (a film's French title, its working title) and keywords.
            | Q(pk__in=AlternativeTitle.objects.filter(title__icontains=term).values("film_id"))
            | Q(pk__in=Film.keywords.through.objects.filter(keyword__name__icontains=term)
                .values("film_id"))
        )
    return list(
        Film.objects.filter(match)
        .order_by(F("release_date").desc(nulls_last=True), "title", "id")[:FILMS_SHOWN]
    )


def search_people(query: str) -> list[Person]:
    match = Q()
    for term in query.split():
        match &= Q(name__icontains=term)
    return list(Person.objects.filter(match).order_by("name", "id")[:PEOPLE_SHOWN])


def search(request):
    """Any query string gives a page: it is cleaned and capped, never parsed as syntax."""
    tags.shows(request, "search")
    raw = request.GET.get("q", "")
    query = clean_query(raw)
    context = {"query": query, "truncated": len(" ".join(raw.split())) > MAX_QUERY_LENGTH}
    if query:
        context |= {
            "reviews": search_reviews(query),
            "films": search_films(query),
            "people": search_people(query),
        }
    return render(request, "reviews/search.html", context)

