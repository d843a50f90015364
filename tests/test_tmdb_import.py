"""Films fetched live from TMDB: the real client against a local TMDB-shaped HTTP server."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from films.models import (
    AlternativeTitle,
    CastCredit,
    CrewCredit,
    Film,
    Keyword,
    Person,
    Release,
    Video,
    WatchOffer,
    WatchProvider,
    WatchRegion,
)
from films.tmdb import APPEND_TO_RESPONSE, TMDBClient, TMDBNotConfigured, parse_tmdb_id
from tests.photos import assert_private_and_upright, phone_photo_bytes
from tests.tmdb_fake import TOKEN, movie

pytestmark = pytest.mark.django_db

MODELS = [
    Film,
    Person,
    CastCredit,
    CrewCredit,
    Video,
    Release,
    WatchRegion,
    WatchOffer,
    WatchProvider,
    AlternativeTitle,
    Keyword,
]


def rows() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def media_files(settings) -> list[str]:
    root = settings.MEDIA_ROOT
    return (
        sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
        if root.exists()
        else []
    )


def import_live(tmdb_id="541671") -> str:
    out = StringIO()
    call_command("import_film", "--tmdb-id", str(tmdb_id), stdout=out)
    return out.getvalue()


def test_one_request_brings_the_film_and_everything_beside_it(fake_tmdb, settings):
    fake_tmdb.add_movie(movie())
    output = import_live()
    assert 'Created film "Ballerina (2025)"' in output

    api = [seen for seen in fake_tmdb.requests if seen.path.startswith("/3/")]
    assert [seen.path for seen in api] == ["/3/movie/541671"]
    assert api[0].headers["Authorization"] == f"Bearer {TOKEN}"
    assert api[0].query["append_to_response"] == [APPEND_TO_RESPONSE]

    film = Film.objects.get(tmdb_id=541671)
    assert film.certification == "15"  # the GB certificate, not the US "R"
    assert film.wikidata_id == "Q105387573"
    assert film.tmdb_fetched_at is not None
    # The poster is downloaded into the image library, described and credited.
    assert (film.poster.alt, film.poster.credit) == ("Poster of Ballerina (2025)", "TMDB")
    assert film.poster.width == 60
    assert film.tmdb_poster_path == "/ballerina-poster.jpg"
    assert (film.backdrop.alt, film.backdrop.credit) == ("A still from Ballerina (2025)", "TMDB")
    assert film.tmdb_backdrop_path == "/ballerina-backdrop.jpg"
    photographed = Person.objects.filter(photo__isnull=False).select_related("photo")
    assert {p.name for p in photographed} == {"Ana de Armas", "Keanu Reeves", "Len Wiseman"}
    assert {(p.photo.alt, p.photo.credit) for p in photographed} == {
        ("Ana de Armas", "TMDB"),
        ("Keanu Reeves", "TMDB"),
        ("Len Wiseman", "TMDB"),
    }

    assert [v.name for v in film.videos.trailers()] == ["Official Trailer", "Fan trailer"]
    assert film.videos.count() == 3
    assert sorted(film.releases.values_list("country", "type", "certification")) == [
        ("GB", 1, ""),
        ("GB", 3, "15"),
        ("US", 3, "R"),
    ]
    region = film.watch_regions.get()
    assert region.region == "GB"
    assert "locale=GB" in region.link
    assert sorted(region.offers.values_list("provider__name", "kind")) == [
        ("Amazon Prime Video", "flatrate"),
        ("Apple TV", "buy"),
        ("Apple TV", "rent"),
    ]
    assert all(WatchProvider.objects.values_list("logo", flat=True))
    assert sorted(film.keywords.values_list("name", flat=True)) == [
        "new york city",
        "rage and hate",
        "revenge",
    ]
    assert film.alternative_titles.filter(country="FR").get().title.startswith("Ballerina :")

    images = len(fake_tmdb.paths("/t/p/"))
    assert images == 7  # poster, backdrop, three photos, two logos (Apple's once for two offers)
    assert import_live() == 'Film "Ballerina (2025)" is already up to date.\n'
    assert len(fake_tmdb.paths("/t/p/")) == images, "nothing downloaded again"


def test_a_changed_poster_replaces_the_old_one_and_a_removed_offer_goes(fake_tmdb):
    fake_tmdb.add_movie(movie())
    import_live()
    document = movie(poster_path="/new-poster.jpg")
    document["watch/providers"]["results"]["GB"].pop("buy")
    fake_tmdb.answers.clear()
    fake_tmdb.add_movie(document)
    assert "Updated film" in import_live()
    film = Film.objects.get()
    assert film.tmdb_poster_path == "/new-poster.jpg"
    assert "new-poster" in film.poster.file.name
    assert WatchOffer.objects.filter(kind="buy").count() == 0


def test_a_downloaded_poster_is_stored_upright_without_its_location(fake_tmdb):
    fake_tmdb.add("/t/p/w780/ballerina-poster.jpg", raw=phone_photo_bytes(), repeat=True)
    fake_tmdb.add_movie(movie())
    import_live()
    poster = Film.objects.get().poster
    with poster.file.open("rb") as stored:
        assert_private_and_upright(stored.read())
    assert (poster.width, poster.height) == (400, 600)


def test_429_waits_for_retry_after_then_succeeds(fake_tmdb):
    fake_tmdb.add(
        "/3/movie/541671",
        {"status_code": 25, "status_message": "Slow down."},
        status=429,
        headers={"Retry-After": "2"},
    )
    fake_tmdb.add_movie(movie(), images=False)
    waits = []
    client = TMDBClient(sleep=waits.append)
    assert client.movie(541671)["title"] == "Ballerina"
    assert 2.0 in waits
    assert fake_tmdb.paths("/3/") == ["/3/movie/541671"] * 2


def test_429_without_end_is_refused_with_nothing_written(fake_tmdb):
    for _ in range(5):
        fake_tmdb.add("/3/movie/541671", {}, status=429, headers={"Retry-After": "0"})
    with pytest.raises(CommandError, match="too many requests"):
        import_live()
    assert not any(rows().values())


def test_a_long_retry_after_is_not_waited_for(fake_tmdb):
    fake_tmdb.add("/3/movie/541671", {}, status=429, headers={"Retry-After": "3600"})
    with pytest.raises(CommandError, match="wait 3600 seconds"):
        import_live()


def test_unknown_film_is_a_clear_404(fake_tmdb):
    with pytest.raises(CommandError, match=r"TMDB has no film with id 999\. Nothing was imported"):
        import_live(999)
    assert not any(rows().values())


def test_timeout_writes_nothing(fake_tmdb, settings):
    settings.TMDB_TIMEOUT = 0.3
    fake_tmdb.add("/3/movie/541671", movie(), delay=1.5)
    with pytest.raises(CommandError, match=r"did not answer within 0.3 seconds"):
        import_live()
    assert not any(rows().values())


def test_malformed_json_writes_nothing(fake_tmdb):
    fake_tmdb.add("/3/movie/541671", raw=b'{"id": 541671, "title": "Ballerina",')
    with pytest.raises(CommandError, match=r"malformed JSON \(line 1, column 37"):
        import_live()
    assert not any(rows().values())


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (
            lambda d: d["release_dates"]["results"][0]["release_dates"][0].update(type=9),
            "$.release_dates.results[0].release_dates[0].type: 9 is not a TMDB release type",
        ),
        (lambda d: d["videos"]["results"][2].update(key="<script>"), "$.videos.results[2].key"),
        (
            lambda d: d["watch/providers"]["results"]["GB"]["rent"][0].update(provider_id="2"),
            "$['watch/providers'].results.GB.rent[0].provider_id: expected a whole number",
        ),
        (lambda d: d.update(poster_path="../../etc/passwd"), "$.poster_path"),
        (lambda d: d["keywords"].update(keywords={}), "$.keywords.keywords: expected a list"),
    ],
)
def test_malformed_blocks_are_named_by_json_path(fake_tmdb, settings, change, where):
    document = movie()
    change(document)
    fake_tmdb.add_movie(document, images=False)
    with pytest.raises(CommandError) as error:
        import_live()
    assert where in str(error.value)
    assert not any(rows().values())
    assert media_files(settings) == []
    assert fake_tmdb.paths("/t/p/") == [], "nothing downloaded before the document is checked"


def test_an_image_that_is_not_an_image_leaves_no_rows_and_no_files(fake_tmdb, settings):
    fake_tmdb.add(
        "/t/p/w185/len.jpg", raw=b"<html>not an image</html>", repeat=True, content_type="text/html"
    )
    fake_tmdb.add_movie(movie())
    with pytest.raises(
        CommandError,
        match=r"\$.credits.crew\[0\].profile_path: the image at "
        r".*/w185/len.jpg was refused",
    ):
        import_live()
    assert not any(rows().values())
    assert media_files(settings) == []


def test_a_failure_after_images_were_stored_deletes_them(fake_tmdb, settings, monkeypatch):
    from films import tmdb_write

    fake_tmdb.add_movie(movie())

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(tmdb_write, "_write_keywords", broken)
    with pytest.raises(RuntimeError):
        import_live()
    assert not any(rows().values())
    assert media_files(settings) == []


def test_without_a_region_entry_nothing_regional_is_kept(fake_tmdb, settings):
    settings.MARQUEE_REGION = "JP"
    fake_tmdb.add_movie(movie())
    import_live()
    film = Film.objects.get()
    assert film.certification == ""
    assert not WatchRegion.objects.exists()


def test_editors_fields_are_kept_and_tmdbs_values_proposed(fake_tmdb):
    fake_tmdb.add_movie(movie())
    import_live()
    film = Film.objects.get()
    film.title, film.runtime = "Ballerina: From the World of John Wick", 126
    film.edited_fields = ["title", "runtime", "genres"]
    film.save()
    document = movie(title="Ballerina (2025 cut)", runtime=126, tagline="A new tagline.")
    document["genres"].append({"id": 80, "name": "Crime"})
    fake_tmdb.answers.clear()
    fake_tmdb.add_movie(document)
    import_live()
    film.refresh_from_db()
    assert film.title == "Ballerina: From the World of John Wick"
    assert film.tagline == "A new tagline."  # not edited here: TMDB's wins
    assert film.tmdb_proposed == {
        "title": "Ballerina (2025 cut)",
        "genres": ["Action", "Crime", "Thriller"],
    }
    assert sorted(film.genres.values_list("name", flat=True)) == ["Action", "Thriller"]


def test_an_uploaded_poster_is_never_replaced(fake_tmdb):
    from tests.factories import FilmFactory, image_upload, poster_image

    film = FilmFactory(tmdb_id=541671, poster=poster_image(image_upload("mine.png")))
    fake_tmdb.add_movie(movie())
    import_live()
    film.refresh_from_db()
    assert "mine" in film.poster.file.name
    assert film.tmdb_proposed == {"poster": "/ballerina-poster.jpg"}
    assert "/t/p/w780/ballerina-poster.jpg" not in fake_tmdb.paths()


def test_the_file_import_takes_the_same_rich_json(fake_tmdb, tmp_path, settings):
    path = tmp_path / "ballerina.json"
    path.write_text(json.dumps(movie()), encoding="utf-8")
    fake_tmdb.add_movie(movie())
    call_command("import_film", str(path), stdout=StringIO())
    film = Film.objects.get()
    assert film.videos.count() == 3
    assert film.certification == "15"
    assert not film.poster, "no downloads without --images"
    assert fake_tmdb.paths() == []
    call_command("import_film", str(path), "--images", stdout=StringIO())
    film.refresh_from_db()
    assert film.poster
    assert film.backdrop
    assert fake_tmdb.paths("/3/") == [], "images only: the API is not asked"


def test_rate_limit_spaces_requests(fake_tmdb):
    fake_tmdb.add_movie(movie(), images=False)
    waits = []
    client = TMDBClient(rate=4, sleep=waits.append)
    for _ in range(3):
        client.movie(541671)
    assert sum(waits) >= 0.49  # three requests at four a second: two gaps of a quarter


def test_search_and_ids(fake_tmdb):
    fake_tmdb.add(
        "/3/search/movie",
        {
            "page": 1,
            "total_pages": 1,
            "total_results": 1,
            "results": [
                {
                    "id": 541671,
                    "title": "Ballerina",
                    "original_title": "Ballerina",
                    "release_date": "2025-06-04",
                    "overview": "Eve.",
                    "poster_path": "/p.jpg",
                }
            ],
        },
    )
    [found] = TMDBClient().search("ballerina", year=2025)
    assert (found.tmdb_id, found.year) == (541671, 2025)
    assert found.poster_url.endswith("/t/p/w92/p.jpg")
    assert fake_tmdb.requests[0].query == {
        "query": ["ballerina"],
        "include_adult": ["false"],
        "year": ["2025"],
    }
    assert parse_tmdb_id("https://www.themoviedb.org/movie/541671-ballerina?x=1") == 541671
    assert parse_tmdb_id(" 541671 ") == 541671
    assert parse_tmdb_id("ballerina") is None


def test_without_a_token_the_command_says_how_to_get_one(settings):
    settings.TMDB_API_TOKEN = ""
    with pytest.raises(CommandError, match=r"themoviedb\.org/settings/api"):
        import_live()
    with pytest.raises(TMDBNotConfigured):
        TMDBClient().search("x")


def test_retry_after_as_an_http_date():
    import datetime
    from email.utils import format_datetime

    from films.tmdb import retry_after

    soon = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=30)
    assert 28 <= retry_after(format_datetime(soon, usegmt=True)) <= 30
    assert retry_after("7") == 7.0
    assert retry_after(None) == retry_after("soon") == 1.0


def test_accepting_tmdbs_poster_replaces_an_uploaded_one(fake_tmdb):
    from django.core.exceptions import PermissionDenied

    from films.tmdb_sync import accept
    from tests.factories import FilmFactory, image_upload, poster_image, user_in_group

    film = FilmFactory(tmdb_id=541671, poster=poster_image(image_upload("mine.png")))
    fake_tmdb.add_movie(movie())
    import_live()
    film.refresh_from_db()
    assert film.tmdb_proposed == {"poster": "/ballerina-poster.jpg"}

    with pytest.raises(PermissionDenied):
        accept(film, ["poster"], by=user_in_group("Writers"))
    assert accept(film, ["poster"], by=user_in_group("Editors")) == []
    film.refresh_from_db()
    assert "ballerina-poster" in film.poster.file.name
    assert film.tmdb_poster_path == "/ballerina-poster.jpg"
    assert film.tmdb_proposed == {}
