"""The queries readers typed and found nothing for (issue 19), on the demo content.

load_demo imports the demo films and reviews through the same importers as an editor's files,
so the index is built by the code paths that keep it current. Runs on SQLite and PostgreSQL.
"""

import pytest
from django.core.management import call_command

from reviews.search import engine

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def names(results) -> dict[str, list[str]]:
    return {
        "reviews": [r.film.title for r in results.reviews],
        "films": [f.title for f in results.films],
        "people": [p.name for p in results.people],
    }


MISSPELT = [  # typed, corrected to, the kind of result, what comes first
    ("balerina", "ballerina", "films", "Ballerina"),
    ("ana de armaz", "ana de armas", "people", "Ana de Armas"),
    ("villenueve", "villeneuve", "people", "Denis Villeneuve"),
    ("kurosowa", "kurosawa", "people", "Akira Kurosawa"),
    ("parasyte", "parasite", "films", "Parasite"),
    ("parasyte", "parasite", "reviews", "Parasite"),
    ("jon wick", "john wick", "films", "John Wick"),
    ("john wik", "john wick", "films", "John Wick"),
    ("mad max fury rod", "mad max fury road", "films", "Mad Max: Fury Road"),
    ("spirited awy", "spirited away", "films", "Spirited Away"),
    ("keanu reevs", "keanu reeves", "people", "Keanu Reeves"),
    ("ana de arma", "ana de armas", "people", "Ana de Armas"),
]
UNACCENTED = [  # typed, the kind of result, what comes first
    ("skarsgard", "people", "Bill Skarsgård"),
    ("celine", "people", "Céline Sciamma"),
    ("noemie", "people", "Noémie Merlant"),
    ("celine sciamma", "films", "Portrait of a Lady on Fire"),
    ("villeneuve", "films", "Arrival"),
    ("ana de armas", "films", "Ballerina"),
]


def test_the_issues_queries_find_what_readers_meant(demo):
    """Loaded once, checked together: load_demo is the slow part."""
    wrong = []
    for typed, corrected, kind, expected in MISSPELT:
        results = engine.search(typed)
        got = (results.corrected.text if results.corrected else None, names(results)[kind][:1])
        if got != (corrected, [expected]):
            wrong.append((typed, got))
    for typed, kind, expected in UNACCENTED:
        results = engine.search(typed)
        got = (results.corrected, names(results)[kind][:1])
        if got != (None, [expected]):
            wrong.append((typed, got))
    assert wrong == []

    films = names(engine.search("john wick"))["films"]
    assert films[0] == "John Wick"
    assert set(films[1:]) >= {"John Wick: Chapter 2", "John Wick: Chapter 4"}
