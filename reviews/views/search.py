"""Site search (/search/) and suggestions as you type (/search/suggest/).

The finding, ranking and correcting is reviews/search/engine.py; these views read the query,
call it, and render. Both are in the page cache (config/urls.py) under the tag "search", which
any change to a review, film or person retires, so a suggestion typed by many readers is worked
out once per content change.

The results page shows the first few of each kind; a kind with more links to its own pages,
`?q=…&type=reviews&page=2`, as many a page as the results page shows of it.
"""

from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from films import pagination
from pagecache import pages, tags
from reviews.search import engine
from reviews.search.text import MAX_QUERY_LENGTH, clean_query

SUGGESTIONS_SHOWN = (4, 4, 4, 3)  # reviews, films, people, critics
KINDS = ("reviews", "films", "people", "critics")  # in the order of engine.search's `shown`
SHOWN = dict(
    zip(
        KINDS,
        (engine.REVIEWS_SHOWN, engine.FILMS_SHOWN, engine.PEOPLE_SHOWN, engine.CRITICS_SHOWN),
        strict=True,
    )
)


def search(request):
    """Any query string gives a page: it is read as words and phrases, never as syntax.

    With `type`, one kind of result (reviews, films, people or critics), paged.
    """
    tags.shows(request, "search")
    raw = request.GET.get("q", "")
    query = clean_query(raw)
    kind = request.GET.get("type", "")
    if query != raw or request.GET.get("exact", "1") != "1":
        pages.not_kept(request)  # the same search written another way
    if (kind or request.GET.get("page")) and not (query and kind in KINDS):
        pages.not_kept(request)  # no kind, or a page of none: the whole results, as without
        kind = ""
    context = {
        "query": query,
        "kind": kind,
        "truncated": len(" ".join(str(raw).split())) > MAX_QUERY_LENGTH,
    }
    if query:
        correct = not request.GET.get("exact")
        if kind:
            per_page = SHOWN[kind]
            number = pagination.number_asked(request) or 1
            shown = tuple(per_page if k == kind else 0 for k in KINDS)
            results = engine.search(
                query, correct=correct, shown=shown, offset=per_page * (number - 1)
            )
            paginator = Paginator(range(results.totals.get(kind) or 0), per_page)
            try:
                context["page_obj"] = pagination.page_of(request, paginator)
            except pagination.StrayPage as stray:
                return stray.redirect()
        else:
            results = engine.search(query, correct=correct)
        context |= {
            "reviews": results.reviews,
            "films": results.films,
            "people": results.people,
            "critics": results.critics,
            "totals": results.totals,
            "at_least": results.at_least,
            "people_first": results.names_a_person,
            "critics_first": results.firsts["critics"] == 3,
            "corrected": results.corrected.text if results.corrected else "",
            "original_url": reverse("reviews:search") + "?" + urlencode({"q": query, "exact": 1}),
        }
        if not (results.reviews or results.films or results.people or results.critics):
            pages.not_kept(request)  # every misspelling would be a copy of its own
    return render(request, "reviews/search.html", context)


def suggest(request):
    """JSON for the header's search box: a few reviews, films, people and critics for what is
    typed."""
    tags.shows(request, "search")
    raw = request.GET.get("q", "")
    query = clean_query(raw)
    found = (
        engine.search(query, prefix=True, shown=SUGGESTIONS_SHOWN, snippets=False, totals=False)
        if len(query) >= 2
        else None
    )
    payload = {
        "query": query,
        "corrected": "",
        "order": list(engine.KIND_ORDER),
        "reviews": [],
        "films": [],
        "people": [],
        "critics": [],
    }
    if found:
        payload |= {
            "corrected": found.corrected.text if found.corrected else "",
            "order": found.kinds_best_first(),
            "reviews": [
                {
                    "label": review.headline,
                    "detail": review.film.title,
                    "url": review.get_absolute_url(),
                }
                for review in found.reviews
            ],
            "films": [
                {
                    "label": film.title,
                    "detail": str(film.year or ""),
                    "url": film.get_absolute_url(),
                }
                for film in found.films
            ],
            "people": [
                {"label": person.name, "detail": "", "url": person.get_absolute_url()}
                for person in found.people
            ],
            "critics": [
                {"label": critic.display_name, "detail": "", "url": critic.get_absolute_url()}
                for critic in found.critics
            ],
        }
    if query != raw or not any(payload[kind] for kind in KINDS):
        pages.not_kept(request)
    return JsonResponse(payload)
