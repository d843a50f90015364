"""Suggestions as you type (/search/suggest/): JSON for the header's combobox, public content
only, cached like a page; and what only PostgreSQL has (its indexes and configuration)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from films.models import Film
from reviews.models import Review
from tests.factories import CastCreditFactory, FilmFactory, PersonFactory, ReviewFactory

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's own configuration and indexes"
)


def suggest(client, q: str) -> dict:
    response = client.get("/search/suggest/", {"q": q})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()


def labels(data: dict, kind: str) -> list[str]:
    return [item["label"] for item in data[kind]]


@pytest.fixture
def catalogue():
    film = FilmFactory(title="Ballerina", release_date=datetime.date(2025, 6, 6))
    CastCreditFactory(film=film, person=PersonFactory(name="Ana de Armas"))
    ReviewFactory(published=True, film=film, headline="Ballerina: vengeance en pointe")
    ReviewFactory(film=film, headline="Ballerina draft", intro="Balletomane secrets.")
    ReviewFactory(
        film=film,
        headline="Ballerina later",
        status=Review.Status.SCHEDULED,
        published_at=timezone.now() + datetime.timedelta(days=1),
    )
    return film


def test_suggestions_complete_the_word_being_typed(client, catalogue):
    data = suggest(client, "balle")

    assert labels(data, "films") == ["Ballerina"]
    assert data["films"][0] == {
        "label": "Ballerina",
        "detail": "2025",
        "url": catalogue.get_absolute_url(),
    }
    assert labels(data, "reviews") == ["Ballerina: vengeance en pointe"]
    assert data["corrected"] == ""
    assert labels(suggest(client, "ana de ar"), "people") == ["Ana de Armas"]


def test_the_kind_whose_first_name_or_title_is_being_typed_comes_first(client, catalogue):
    keanu = PersonFactory(name="Keanu Reeves")
    wick = FilmFactory(title="John Wick", release_date=datetime.date(2014, 10, 24))
    CastCreditFactory(film=wick, person=keanu, order=0)
    CastCreditFactory(film=FilmFactory(title="Speed"), person=keanu, order=0)
    ReviewFactory(published=True, film=wick, headline="A dog, a car, a man called Keanu")

    kea = suggest(client, "kea")
    assert labels(kea, "people") == ["Keanu Reeves"]
    assert {"John Wick", "Speed"} <= set(labels(kea, "films"))
    assert kea["order"] == ["people", "films", "reviews", "critics"]
    assert suggest(client, "john w")["order"][0] == "films"
    assert suggest(client, "balle")["order"][0] == "films"
    assert suggest(client, "zz")["order"] == ["films", "people", "reviews", "critics"]  # none


def test_a_critics_name_is_suggested_as_a_critic_first(client, catalogue):
    from reviews.critics import Critic
    from tests.factories import UserFactory

    okafor = UserFactory(first_name="Nia", last_name="Okafor")
    Critic.objects.for_user(okafor)
    ReviewFactory(published=True, author=okafor, film=catalogue)
    drafts = UserFactory(first_name="Okafor", last_name="Drafts")
    ReviewFactory(author=drafts, film=catalogue)

    data = suggest(client, "okaf")
    assert data["critics"] == [{"label": "Nia Okafor", "detail": "", "url": "/critics/nia-okafor/"}]
    assert data["order"][0] == "critics"
    assert suggest(client, "nia okafor")["order"][0] == "critics"
    assert labels(suggest(client, "okafr"), "critics") == ["Nia Okafor"]


def test_suggestions_forgive_a_typo_and_say_so(client, catalogue):
    data = suggest(client, "ana de armaz")

    assert labels(data, "people") == ["Ana de Armas"]
    assert data["corrected"] == "ana de armas"


def test_suggestions_forgive_a_typo_in_any_word_and_say_so(client, catalogue):
    keanu = PersonFactory(name="Keanu Reeves")
    wick = FilmFactory(title="John Wick", release_date=datetime.date(2014, 10, 24))
    CastCreditFactory(film=wick, person=keanu, order=0)
    ReviewFactory(published=True, film=wick, headline="A dog", intro="Keanu Reeves, again.")

    jon = suggest(client, "jon wick")
    assert labels(jon, "films") == ["John Wick"]
    assert jon["corrected"] == "john wick"
    reevs = suggest(client, "keanu reevs")
    assert labels(reevs, "people") == ["Keanu Reeves"]
    assert reevs["corrected"] == "keanu reeves"
    assert labels(suggest(client, "ana de arma"), "people") == ["Ana de Armas"]  # a prefix


def test_suggestions_never_name_unpublished_reviews(client, catalogue):
    for q in ("ballerina", "ballerina dr", "ballerina lat", "balletomane", "balletoman"):
        text = client.get("/search/suggest/", {"q": q}).content.decode()
        assert "draft" not in text.lower(), q
        assert "later" not in text.lower(), q
        assert "Balletomane" not in text


def test_short_or_hostile_input_gives_empty_suggestions(client, catalogue):
    assert suggest(client, "b") == {
        "query": "b",
        "corrected": "",
        "order": ["films", "people", "reviews", "critics"],
        "reviews": [],
        "films": [],
        "people": [],
        "critics": [],
    }
    for q in ('"', "*", "a & !b", "\x00", "x" * 5000, ":*"):
        suggest(client, q)


def test_suggestions_are_cached_until_content_changes(
    client, catalogue, django_capture_on_commit_callbacks
):
    suggest(client, "balle")
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/search/suggest/", {"q": "balle"})
    assert len(queries) == 0
    assert "public" in again["Cache-Control"]

    with django_capture_on_commit_callbacks(execute=True):  # retirements follow the commit
        FilmFactory(title="Ballet Shoes")
    assert labels(suggest(client, "balle"), "films") == ["Ballerina", "Ballet Shoes"]


@pytest.mark.postgres
@on_postgresql
def test_postgres_folds_accents_in_its_text_search_configuration():
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_tsvector('marquee', 'Skarsgård dancing Céline')::text")
        (vector,) = cursor.fetchone()
    assert vector == "'celin':3 'danc':2 'skarsgard':1"


@pytest.mark.parametrize(
    ("table", "index"),
    [
        ("films_person", "search_person_name_trgm"),
        ("films_film", "search_film_title_trgm"),
        ("reviews_searchword", "search_word_trgm"),
    ],
)
@pytest.mark.postgres
@on_postgresql
def test_postgres_answers_names_and_typos_from_trigram_indexes(table, index):
    """Planned over a catalogue of some size: on empty tables the planner may as well walk any
    index of the table (the films' newest-first one, say) as the trigram index."""
    Film.objects.bulk_create(
        Film(title=f"Film {n}", slug=f"film-{n}", original_title=f"Film {n}") for n in range(2000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE films_film")
    column = {
        "films_person": "marquee_fold(name) ~ '\\marmas\\M'",
        "films_film": "marquee_fold(title) ~ '\\mballerina\\M'",
        "reviews_searchword": "marquee_fold(word) % 'balerina'",
    }[table]
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute(f"EXPLAIN SELECT id FROM {table} WHERE {column}")  # noqa: S608
        plan = " ".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
    assert index in plan


@pytest.mark.postgres
@on_postgresql
def test_postgres_looks_up_known_words_in_the_unique_index():
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        # As vocabulary.lookup asks: its one-edit neighbours as one array (postgres.WORD_LOOKUP).
        cursor.execute(
            "EXPLAIN SELECT id FROM reviews_searchword WHERE word = ANY(%s)", [["abc", "abd"]]
        )
        plan = " ".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
    assert "search_word_trgm" not in plan
    assert "reviews_searchword_word" in plan


@pytest.mark.postgres
@on_postgresql
def test_postgres_search_indexes_have_no_pending_list():
    """Every search reads a GIN index's whole pending list: they are written to directly."""
    from reviews.search.postgres import GIN_INDEXES

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reloptions FROM pg_class WHERE relname = ANY(%s)", [GIN_INDEXES]
        )
        options = dict(cursor.fetchall())
    assert options == {index: ["fastupdate=off"] for index in GIN_INDEXES}


@pytest.mark.postgres
@on_postgresql
def test_postgres_keeps_review_vectors_in_their_rows():
    """Ranking reads every matching review's vector: from the row, not through TOAST."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstorage FROM pg_attribute "
            "WHERE attrelid = 'reviews_review'::regclass AND attname = 'search_vector'"
        )
        assert cursor.fetchone() == ("m",)


@pytest.mark.postgres
@on_postgresql
@pytest.mark.parametrize("q", ["七人の侍", "기생충", "ballerina"])
def test_postgres_takes_title_trigrams_from_any_script(q):
    """pg_trgm finds no trigrams in a regular expression of CJK letters (the C locale does not
    class them as letters) and would read every title; the match gives it some to look up."""
    from films.models import Film
    from reviews.search.postgres import Folded, names_match
    from reviews.search.text import parse

    FilmFactory(title="Seven Samurai", original_title="七人の侍")
    FilmFactory(title="Parasite", original_title="기생충")
    FilmFactory(title="Ballerina")
    FilmFactory(title="Alien")
    matching = (
        Film.objects.annotate(original_title_folded=Folded("original_title"))
        .filter(names_match("original_title", parse(q)))
        .order_by()
        .values("pk")
    )
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        plan = matching.explain(analyze=True)
        cursor.execute("SET enable_seqscan = on")
    assert matching.count() == 1
    assert "search_film_original_title_trgm" in plan
    assert "Rows Removed by Index Recheck" not in plan, plan
