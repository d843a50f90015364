"""`manage.py import_film` and films.importers: TMDB movie JSON in, film with credits out."""

import copy
import json
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from films.importers import import_tmdb_film
from films.models import CastCredit, Collection, CrewCredit, Department, Film, Genre, Person
from films.tmdb_json import TMDBImportError, load_tmdb_file
from tests.factories import FilmFactory, GenreFactory

pytestmark = pytest.mark.django_db

MODELS = [Film, Person, Genre, Collection, CastCredit, CrewCredit]
BALLERINA_CAST = [
    ("Ana de Armas", "Eve Macarro"),
    ("Anjelica Huston", "The Director"),
    ("Gabriel Byrne", "The Chancellor"),
    ("Lance Reddick", "Charon"),
    ("Norman Reedus", "Daniel Pine"),
    ("Ian McShane", "Winston Scott"),
    ("Keanu Reeves", "John Wick"),
]


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def snapshot() -> dict[str, list]:
    """Every row's id and last change, to prove a re-import wrote nothing."""
    return {
        "films": list(Film.objects.values_list("pk", "updated_at").order_by("pk")),
        "people": list(Person.objects.values_list("pk", "name", "updated_at").order_by("pk")),
        "genres": list(Genre.objects.values_list("pk", "name", "slug").order_by("pk")),
        "collections": list(Collection.objects.values_list("pk", "name").order_by("pk")),
        "cast": list(CastCredit.objects.values_list("pk", "character", "order").order_by("pk")),
        "crew": list(CrewCredit.objects.values_list("pk", "department", "job").order_by("pk")),
    }


def import_film(path) -> str:
    out = StringIO()
    call_command("import_film", str(path), stdout=out)
    return out.getvalue()


def cast_of(film: Film) -> list[tuple[str, str]]:
    return list(film.cast_credits.values_list("person__name", "character"))


@pytest.fixture
def sample(seed_film_path) -> dict:
    return json.loads(seed_film_path.read_text(encoding="utf-8"))


@pytest.fixture
def write_json(tmp_path):
    def write(data, name: str = "film.json"):
        path = tmp_path / name
        path.write_text(json.dumps(data, indent=2), encoding="utf-8")
        return path

    return write


def test_the_sample_creates_the_film_with_genres_and_collection(seed_film_path):
    output = import_film(seed_film_path)

    film = Film.objects.get()
    assert output.startswith('Created film "Ballerina (2025)" (7 cast, 7 crew) → /films/ballerina/')
    assert film.title == film.original_title == "Ballerina"
    assert film.year == 2025
    assert str(film.release_date) == "2025-06-06"
    assert film.runtime == 125
    assert film.tagline == "Take your revenge."
    assert film.synopsis.startswith("A young assassin trained in the traditions of the Ruska Roma")
    assert film.original_language == "en"
    assert (film.tmdb_id, film.imdb_id) == (541671, "tt7181546")
    assert sorted(film.genres.values_list("name", "tmdb_id")) == [
        ("Action", 28),
        ("Crime", 80),
        ("Thriller", 53),
    ]
    assert (film.collection.name, film.collection.tmdb_id) == ("John Wick Collection", 404609)


def test_the_sample_credits_its_cast_in_billing_order_and_its_crew(seed_film_path):
    import_film(seed_film_path)

    film = Film.objects.get()
    assert cast_of(film) == BALLERINA_CAST
    assert list(film.cast_credits.values_list("order", flat=True)) == list(range(7))
    director = film.crew_credits.get(job="Director")
    assert (director.person.name, director.department) == ("Len Wiseman", Department.DIRECTING)
    assert director.person.tmdb_id == 58043
    composers = film.crew_credits.filter(job="Original Music Composer")
    assert sorted(composers.values_list("person__name", flat=True)) == [
        "Joel J. Richard",
        "Tyler Bates",
    ]
    assert set(composers.values_list("department", flat=True)) == {Department.SOUND}
    assert film.crew_credits.count() == 7
    assert Person.objects.count() == 14


def test_importing_the_same_file_again_changes_nothing(seed_film_path):
    first = import_tmdb_film(load_tmdb_file(seed_film_path))
    before, counts = snapshot(), row_counts()

    output = import_film(seed_film_path)
    again = import_tmdb_film(load_tmdb_file(seed_film_path))

    assert (first.created, first.changed) == (True, True)
    assert (again.created, again.changed) == (False, False)
    assert again.film.pk == first.film.pk
    assert output == 'Film "Ballerina (2025)" is already up to date.\n'
    assert row_counts() == counts
    assert snapshot() == before


def test_an_edited_file_updates_the_film_in_place(seed_film_path, sample, write_json):
    import_film(seed_film_path)
    film = Film.objects.get()
    kept = dict(CastCredit.objects.values_list("person__name", "pk"))
    edited = copy.deepcopy(sample)
    edited["runtime"] = 130
    del edited["credits"]["cast"][3]  # Lance Reddick

    output = import_film(write_json(edited))

    film.refresh_from_db()
    assert output.startswith('Updated film "Ballerina (2025)" (6 cast, 7 crew)')
    assert Film.objects.get().pk == film.pk
    assert film.runtime == 130
    assert cast_of(film) == [c for c in BALLERINA_CAST if c[0] != "Lance Reddick"]
    assert list(film.cast_credits.values_list("order", flat=True)) == list(range(6))
    assert dict(film.cast_credits.values_list("person__name", "pk")) == {
        name: pk for name, pk in kept.items() if name != "Lance Reddick"
    }
    # The person stays: they may have other films.
    assert Person.objects.filter(name="Lance Reddick").exists()
    assert row_counts() == {
        "Film": 1,
        "Person": 14,
        "Genre": 3,
        "Collection": 1,
        "CastCredit": 6,
        "CrewCredit": 7,
    }


def test_a_change_to_credits_alone_moves_the_films_updated_at(seed_film_path, sample, write_json):
    result = import_tmdb_film(load_tmdb_file(seed_film_path))
    edited = copy.deepcopy(sample)
    edited["credits"]["crew"][0]["job"] = "Co-Director"
    edited["credits"]["cast"][0]["character"] = "Eve"

    again = import_tmdb_film(edited)

    assert again.changed
    assert again.film.updated_at > result.film.updated_at
    # Renamed roles keep their rows.
    assert CastCredit.objects.get(person__name="Ana de Armas").character == "Eve"
    assert CrewCredit.objects.get(person__name="Len Wiseman").job == "Co-Director"
    assert (CastCredit.objects.count(), CrewCredit.objects.count()) == (7, 7)


def test_billing_follows_order_with_ties_broken_by_position(sample):
    data = copy.deepcopy(sample)
    for item, order in zip(data["credits"]["cast"], [5, 5, 0, 9, 1, 1, 2], strict=True):
        item["order"] = order

    film = import_tmdb_film(data).film

    assert [name for name, _ in cast_of(film)] == [
        "Gabriel Byrne",
        "Norman Reedus",
        "Ian McShane",
        "Keanu Reeves",
        "Ana de Armas",
        "Anjelica Huston",
        "Lance Reddick",
    ]


def test_people_genres_and_collections_are_matched_on_tmdb_ids(seed_film_path, sample):
    import_film(seed_film_path)
    keanu = Person.objects.get(tmdb_id=6384)
    data = copy.deepcopy(sample)
    data["credits"]["cast"][6]["name"] = "Keanu Charles Reeves"
    data["genres"][0]["name"] = "Action & Adventure"
    data["belongs_to_collection"]["name"] = "John Wick (Collection)"

    import_tmdb_film(data)

    keanu.refresh_from_db()
    assert keanu.name == "Keanu Charles Reeves"
    assert keanu.slug == "keanu-reeves"  # URLs stay put
    assert Genre.objects.get(tmdb_id=28).name == "Action & Adventure"
    assert Collection.objects.get().name == "John Wick (Collection)"
    assert row_counts() == {
        "Film": 1,
        "Person": 14,
        "Genre": 3,
        "Collection": 1,
        "CastCredit": 7,
        "CrewCredit": 7,
    }


def test_a_genre_entered_by_hand_is_adopted_rather_than_duplicated(seed_film_path):
    action = GenreFactory(name="Action")

    import_film(seed_film_path)

    action.refresh_from_db()
    assert action.tmdb_id == 28
    assert Genre.objects.count() == 3


def test_a_file_without_credits_leaves_the_credits_alone(seed_film_path, sample):
    import_film(seed_film_path)
    data = copy.deepcopy(sample)
    del data["credits"]
    data["tagline"] = "Take your revenge. Gracefully."

    result = import_tmdb_film(data)

    assert result.changed
    assert result.film.tagline == "Take your revenge. Gracefully."
    assert (CastCredit.objects.count(), CrewCredit.objects.count()) == (7, 7)


def test_tmdb_nulls_mean_unknown(sample):
    data = copy.deepcopy(sample)
    data.update(runtime=0, release_date="", tagline=None, imdb_id=None, belongs_to_collection=None)

    film = import_tmdb_film(data).film

    assert (film.runtime, film.release_date, film.year) == (None, None, None)
    assert (film.tagline, film.imdb_id, film.collection) == ("", "", None)


def _drop(*path):
    def mutate(data):
        *parents, key = path
        for step in parents:
            data = data[step]
        del data[key]

    return mutate


def _set(value, *path):
    def mutate(data):
        *parents, key = path
        for step in parents:
            data = data[step]
        data[key] = value

    return mutate


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (_drop("id"), "$.id: missing required key"),
        (_drop("title"), "$.title: missing required key"),
        (_set("  ", "title"), "$.title: must not be empty"),
        (_drop("credits", "cast", 2, "name"), "$.credits.cast[2].name: missing required key"),
        (_drop("credits", "crew", 4, "job"), "$.credits.crew[4].job: missing required key"),
        (_drop("credits", "crew"), "$.credits.crew: missing required key"),
        (_set("long", "runtime"), '$.runtime: expected a whole number, got "long"'),
        (_set(125.5, "runtime"), "$.runtime: expected a whole number, got 125.5"),
        (_set("541671", "id"), '$.id: expected a whole number, got "541671"'),
        (
            _set(True, "credits", "cast", 0, "id"),
            "$.credits.cast[0].id: expected a whole number, got true",
        ),
        (_set(7, "tagline"), "$.tagline: expected a string, got 7"),
        (_set("Action", "genres"), '$.genres: expected a list, got "Action"'),
        (_set({"id": 28}, "genres", 1), "$.genres[1].name: missing required key"),
        (_set({"cast": []}, "credits"), "$.credits.crew: missing required key"),
        (
            _set("Stunts", "credits", "crew", 6, "department"),
            '$.credits.crew[6].department: "Stunts" is not a TMDB department',
        ),
        (
            _set("2025-02-30", "release_date"),
            '$.release_date: "2025-02-30" is not a date (expected YYYY-MM-DD)',
        ),
        (
            _set("06/06/2025", "release_date"),
            '$.release_date: "06/06/2025" is not a date (expected YYYY-MM-DD)',
        ),
    ],
)
def test_a_malformed_film_is_refused_by_path_and_nothing_is_written(
    sample, write_json, mutate, message
):
    data = copy.deepcopy(sample)
    mutate(data)

    with pytest.raises(CommandError, match=re.escape(message)):
        import_film(write_json(data))

    assert set(row_counts().values()) == {0}


def test_a_failed_reimport_leaves_the_film_as_it_was(seed_film_path, sample, write_json):
    import_film(seed_film_path)
    before = snapshot()
    data = copy.deepcopy(sample)
    data["runtime"] = 90
    data["credits"]["crew"][-1]["department"] = "Music"

    with pytest.raises(CommandError, match=re.escape("$.credits.crew[6].department")):
        import_film(write_json(data))

    assert snapshot() == before
    assert Film.objects.get().runtime == 125


def test_a_json_syntax_error_names_line_and_column(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{\n  "id": 541671\n  "title": "Ballerina"\n}\n', encoding="utf-8")

    with pytest.raises(
        CommandError, match=re.escape("line 3, column 3: invalid JSON: Expecting ',' delimiter")
    ):
        import_film(path)

    assert set(row_counts().values()) == {0}


def test_a_cut_off_file_is_refused_in_a_whole_sentence(tmp_path):
    path = tmp_path / "cut.json"
    path.write_text('{\n  "id": 541671,\n  "title": "Balle', encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        import_film(path)
    assert str(refused.value) == (
        f"{path}: line 3, column 12: invalid JSON: Unterminated string starting here. "
        "Nothing was imported."
    )


def test_several_files_are_imported_in_turn_and_a_bad_one_is_named(tmp_path, seed_film_path):
    good = seed_film_path
    bad = tmp_path / "bad.json"
    bad.write_text("[]", encoding="utf-8")
    out = StringIO()
    with pytest.raises(CommandError, match=r"1 of 2 files were not imported: .*bad\.json"):
        call_command("import_film", str(good), str(bad), stdout=out, stderr=StringIO())
    assert "Created film" in out.getvalue()
    assert Film.objects.count() == 1
    with pytest.raises(CommandError, match="one of the arguments file --tmdb-id is required"):
        call_command("import_film")


def test_a_file_that_is_not_utf8_or_not_an_object_is_refused(tmp_path):
    latin1 = tmp_path / "latin1.json"
    latin1.write_bytes('{\n  "id": 1,\n  "title": "Amélie"\n}'.encode("latin-1"))
    listing = tmp_path / "list.json"
    listing.write_text("[]", encoding="utf-8")

    with pytest.raises(TMDBImportError, match="line 3: the file is not UTF-8"):
        load_tmdb_file(latin1)
    with pytest.raises(CommandError, match=re.escape("$: expected an object")):
        import_film(listing)
    with pytest.raises(CommandError, match="cannot read"):
        import_film(tmp_path / "missing.json")


def test_an_imdb_id_held_by_another_film_is_refused(sample):
    FilmFactory(title="Ballerina (the other one)", imdb_id="tt7181546", tmdb_id=1)

    with pytest.raises(TMDBImportError, match=re.escape('$.imdb_id: "tt7181546" already belongs')):
        import_tmdb_film(copy.deepcopy(sample))

    assert Film.objects.count() == 1


def test_a_film_entered_by_hand_is_matched_on_its_imdb_id(sample):
    film = FilmFactory(title="Ballerina", imdb_id="tt7181546", tmdb_id=None)

    result = import_tmdb_film(copy.deepcopy(sample))

    assert (result.film.pk, result.created) == (film.pk, False)
    assert Film.objects.get().tmdb_id == 541671
