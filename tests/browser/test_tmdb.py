"""TMDB in a real browser: an editor adds a film from TMDB (a local TMDB-shaped server), and a
reader's film page loads nothing from YouTube until the trailer's play button is pressed."""

import re

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from films.importers import import_film_from_tmdb
from films.models import Film
from films.tmdb_tasks import queue_import
from tests.browser.conftest import horizontal_overflow, screenshot
from tests.factories import ReviewFactory, user_in_group
from tests.tasks_support import database_task_backend
from tests.tmdb_fake import movie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-editor-password"
YOUTUBE = re.compile(r"youtube|ytimg|googlevideo|doubleclick|ggpht")
SEARCH = {
    "page": 1,
    "total_pages": 1,
    "total_results": 2,
    "results": [
        {
            "id": 541671,
            "title": "Ballerina",
            "original_title": "Ballerina",
            "release_date": "2025-06-04",
            "overview": "An assassin sets out to avenge her father.",
            "poster_path": "/p.jpg",
        },
        {
            "id": 1,
            "title": "Ballerina",
            "original_title": "Ballerina",
            "release_date": "2016-12-14",
            "overview": "An animated orphan dreams of dancing at the Paris Opera.",
            "poster_path": None,
        },
    ],
}


def run_worker():
    call_command("run_worker", batch=True, startup_delay=False, reload=False, verbosity=0)


def log_in(page, live_server):
    user = user_in_group("Editors", username="edie")
    user.set_password(PASSWORD)
    user.save()
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill("edie")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_editor_adds_a_film_from_tmdb(page, live_server, fake_tmdb, settings):
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status >= 400 else None)
    log_in(page, live_server)
    settings.TMDB_API_TOKEN = ""
    page.goto(live_server.url + "/admin/films/film/")
    page.get_by_role("link", name="Add from TMDB").click()
    expect(page.get_by_role("heading", name="TMDB is not connected yet")).to_be_visible()
    expect(page.get_by_text("TMDB_API_TOKEN").first).to_be_visible()
    screenshot(page, "tmdb-add-no-token")

    settings.TMDB_API_TOKEN = "test-read-token"
    fake_tmdb.add("/3/search/movie", SEARCH)
    fake_tmdb.add_movie(movie())
    page.reload()
    page.get_by_label("Title, TMDB address or id").fill("Ballerina")
    page.get_by_label("Year").fill("2025")
    page.get_by_role("button", name="Search TMDB").click()
    expect(page.get_by_role("heading", name="2 films on TMDB")).to_be_visible()
    assert horizontal_overflow(page) == 0
    screenshot(page, "tmdb-add-results")

    # Development's immediate task backend runs the import as the request commits: the waiting
    # page finds it done and opens the film.
    page.get_by_role("button", name="Import Ballerina (2025)").click()
    expect(
        page.get_by_text("Added “Ballerina (2025)” from TMDB, with 3 cast and 2 crew.")
    ).to_be_visible()
    expect(page.get_by_role("link", name="541671")).to_be_visible()
    screenshot(page, "tmdb-add-imported")
    film = Film.objects.get(tmdb_id=541671)
    assert film.poster
    assert film.videos.count() == 3

    # With the worker's database backend (as in production) the page waits for the worker and
    # refreshes by itself until the film is in. (The backend is per thread: the import is
    # queued here, as the admin's view does it.)
    with database_task_backend():
        job = queue_import(541671, title="Ballerina (2025)")
        page.goto(live_server.url + reverse("admin:films_film_tmdb_import", args=[job.pk]))
        expect(page.get_by_role("status")).to_contain_text(
            "Waiting for the task worker to import Ballerina (2025)"
        )
        assert horizontal_overflow(page) == 0
        screenshot(page, "tmdb-import-waiting")
        run_worker()
    expect(page.get_by_text("Already up to date: “Ballerina (2025)” from TMDB")).to_be_visible(
        timeout=10_000
    )
    assert page.url.endswith(reverse("admin:films_film_change", args=[film.pk]))

    # A film TMDB does not have: the editor is told, nothing is written, and may try again.
    fake_tmdb.add(
        "/3/search/movie",
        {
            "page": 1,
            "total_pages": 1,
            "total_results": 1,
            "results": [{"id": 999999, "title": "Gone Film", "release_date": "1999-01-01"}],
        },
    )
    page.goto(live_server.url + "/admin/films/film/add-from-tmdb/?q=Gone+Film")
    page.get_by_role("button", name="Import Gone Film (1999)").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "TMDB has no film with id 999999. Nothing was imported."
    )
    expect(page.get_by_role("button", name="Try again")).to_be_visible()
    assert horizontal_overflow(page) == 0
    screenshot(page, "tmdb-import-failed")
    assert Film.objects.count() == 1
    # The admin has no <link rel="icon">, so chromium asks for /favicon.ico: not ours.
    assert [url for url in missing if not url.endswith("/favicon.ico")] == []


def test_trailer_loads_nothing_from_youtube_until_clicked(page, live_server, fake_tmdb, settings):
    fake_tmdb.add_movie(movie())
    film = import_film_from_tmdb(541671).film
    cache.clear()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.route(
        re.compile(r"https://www\.youtube-nocookie\.com/.*"),
        lambda route: route.fulfill(
            status=200, content_type="text/html", body="<!doctype html><title>player</title>"
        ),
    )

    page.goto(live_server.url + film.get_absolute_url())
    page.wait_for_load_state("networkidle")
    expect(page.locator(".facts__release")).to_contain_text("15 · In cinemas 6 June 2025")
    expect(page.get_by_role("heading", name="Where to watch")).to_be_visible()
    play = page.get_by_role("link", name="Play the trailer: Official Trailer (Ballerina)")
    play.scroll_into_view_if_needed()
    assert horizontal_overflow(page) == 0
    screenshot(page, "tmdb-film-page")
    assert not [url for url in requests if YOUTUBE.search(url)], "nothing from YouTube yet"
    assert all(url.startswith(live_server.url) for url in requests), requests
    assert page.console_errors == []

    with page.expect_request(re.compile(r"https://www\.youtube-nocookie\.com/embed/")):
        play.click()
    player = page.locator("iframe.trailer__player")
    expect(player).to_have_attribute(
        "src", "https://www.youtube-nocookie.com/embed/0FSwsrFpkbw?autoplay=1&rel=0"
    )
    outside = [url for url in requests if not url.startswith(live_server.url)]
    assert outside
    assert all(url.startswith("https://www.youtube-nocookie.com/embed/") for url in outside), (
        outside
    )
    assert not [e for e in page.console_errors if "Content Security Policy" in e]


def test_review_film_box_shows_the_local_release_and_where_to_watch(page, live_server, fake_tmdb):
    fake_tmdb.add_movie(movie())
    film = import_film_from_tmdb(541671).film
    review = ReviewFactory(film=film, published=True, headline="Ballerina dances, then fights")
    cache.clear()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(live_server.url + review.get_absolute_url())
    box = page.locator(".film-box")
    if box.get_attribute("open") is None:  # closed on phones, below the text: the reader opens it
        box.locator("summary").click()
    expect(box.locator(".facts__release")).to_contain_text("15 · In cinemas 6 June 2025")
    expect(box.get_by_text("Amazon Prime Video")).to_be_visible()
    expect(
        page.get_by_role("link", name="Play the trailer: Official Trailer (Ballerina)")
    ).to_be_visible()
    assert horizontal_overflow(page) == 0
    screenshot(page, "tmdb-review-film-box")
    assert not [url for url in requests if YOUTUBE.search(url)]
    assert page.console_errors == []


def test_editor_takes_tmdbs_cast_over_their_own(page, live_server, fake_tmdb):
    fake_tmdb.add_movie(movie(poster_path=None, backdrop_path=None))
    film = import_film_from_tmdb(541671).film
    film.cast_credits.filter(character="John Wick").update(character="Mr Wick")
    film.edited_fields = ["cast"]
    film.save()
    cast = [dict(c) for c in movie()["credits"]["cast"]]
    cast[2]["character"] = "Winston"
    fake_tmdb.answers.clear()
    fake_tmdb.add_movie(
        movie(
            poster_path=None,
            backdrop_path=None,
            credits={"cast": cast, "crew": movie()["credits"]["crew"]},
        )
    )
    import_film_from_tmdb(541671)

    log_in(page, live_server)
    page.goto(live_server.url + reverse("admin:films_film_change", args=[film.pk]))
    page.get_by_role("link", name="Review 1 change proposed by TMDB").click()
    row = page.get_by_role("row", name="Cast")
    expect(row.locator("del")).to_have_text(
        ["Keanu Reeves as Mr Wick", "Ian McShane as Winston Scott"]
    )
    expect(row.locator("ins")).to_have_text(["Keanu Reeves as John Wick", "Ian McShane as Winston"])
    assert horizontal_overflow(page) == 0
    screenshot(page, "tmdb-credits-proposed")
    page.get_by_label("Cast").check()
    page.get_by_role("button", name="Take TMDB's value for the ticked fields").click()
    expect(page.get_by_text("TMDB manages these again: Cast.")).to_be_visible()
    assert film.cast_credits.filter(character="Winston").exists()
    assert page.console_errors == []
