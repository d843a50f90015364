"""The TMDB sync: only what TMDB's changes endpoint lists, each film all or nothing."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from films.importers import import_film_from_tmdb
from films.models import Film, TMDBSyncRun
from tests.tmdb_fake import movie

pytestmark = pytest.mark.django_db


def changes(*ids, page=1, pages=1):
    return {
        "results": [{"id": i, "adult": False} for i in ids],
        "page": page,
        "total_pages": pages,
        "total_results": len(ids),
    }


@pytest.fixture
def two_films(fake_tmdb):
    fake_tmdb.add_movie(movie(541671))
    fake_tmdb.add_movie(
        movie(
            100,
            title="Another Film",
            imdb_id="tt0000100",
            poster_path=None,
            backdrop_path=None,
            credits={"cast": [], "crew": []},
        )
    )
    import_film_from_tmdb(541671)
    import_film_from_tmdb(100)
    fake_tmdb.answers.clear()
    fake_tmdb.requests.clear()
    return Film.objects.get(tmdb_id=541671), Film.objects.get(tmdb_id=100)


def sync(*args) -> str:
    out = StringIO()
    call_command("sync_tmdb", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_only_listed_films_are_refreshed(fake_tmdb, two_films):
    ballerina, _ = two_films
    fake_tmdb.add("/3/movie/changes", changes(999, 541671, pages=2))
    fake_tmdb.add("/3/movie/changes", changes(5, page=2, pages=2))
    fake_tmdb.add_movie(movie(541671, tagline="A new tagline."))
    output = sync()
    assert "TMDB listed 1 of our films as changed" in output
    assert "1 updated" in output
    assert fake_tmdb.paths("/3/") == ["/3/movie/changes", "/3/movie/changes", "/3/movie/541671"]
    today = timezone.now().date()
    first = fake_tmdb.requests[0].query
    assert first["start_date"] == [(today - datetime.timedelta(days=1)).isoformat()]
    assert first["end_date"] == [today.isoformat()]
    assert fake_tmdb.requests[1].query["page"] == ["2"]
    ballerina.refresh_from_db()
    assert ballerina.tagline == "A new tagline."

    run = TMDBSyncRun.objects.get()
    assert (run.listed, run.updated, run.failures, run.error) == (1, 1, {}, "")
    fake_tmdb.requests.clear()
    fake_tmdb.add("/3/movie/changes", changes())
    assert "TMDB listed 0 of our films" in sync()
    assert fake_tmdb.requests[0].query["start_date"] == [today.isoformat()]


def test_a_failed_film_stays_as_it_was_and_the_rest_go_on(fake_tmdb, two_films):
    ballerina, other = two_films
    before = (ballerina.updated_at, list(ballerina.videos.values_list("key", flat=True)))
    fake_tmdb.add("/3/movie/changes", changes(541671, 100))
    fake_tmdb.add("/3/movie/541671", raw=b'{"id": 541671, "videos": ')
    fake_tmdb.add_movie(
        movie(
            100,
            title="Another Film, Renamed",
            imdb_id="tt0000100",
            poster_path=None,
            backdrop_path=None,
            credits={"cast": [], "crew": []},
        )
    )
    output = sync()
    assert "1 updated, 1 left as they were" in output
    assert "TMDB film 541671: TMDB answered movie/541671 with malformed JSON" in output
    ballerina.refresh_from_db()
    assert (ballerina.updated_at, list(ballerina.videos.values_list("key", flat=True))) == before
    other.refresh_from_db()
    assert other.title == "Another Film, Renamed"


def test_rate_limited_changes_are_retried(fake_tmdb, two_films):
    fake_tmdb.add("/3/movie/changes", {}, status=429, headers={"Retry-After": "0"})
    fake_tmdb.add("/3/movie/changes", changes())
    assert "TMDB listed 0" in sync()


def test_when_tmdb_is_down_nothing_is_refreshed_and_the_next_run_starts_from_the_same_day(
    fake_tmdb, two_films, settings
):
    settings.TMDB_TIMEOUT = 0.3
    fake_tmdb.add("/3/movie/changes", changes(541671), delay=1)
    with pytest.raises(
        CommandError,
        match=r"TMDB sync failed, nothing was refreshed: TMDB "
        r"did not answer within 0\.3 seconds",
    ):
        sync()
    assert TMDBSyncRun.objects.get().error
    fake_tmdb.requests.clear()
    fake_tmdb.add("/3/movie/changes", changes())
    sync()
    yesterday = timezone.now().date() - datetime.timedelta(days=1)
    assert fake_tmdb.requests[0].query["start_date"] == [yesterday.isoformat()]


def test_all_refreshes_every_film_without_asking_for_changes(fake_tmdb, two_films):
    fake_tmdb.add_movie(movie(541671))
    fake_tmdb.add_movie(
        movie(
            100,
            title="Another Film",
            imdb_id="tt0000100",
            poster_path=None,
            backdrop_path=None,
            credits={"cast": [], "crew": []},
        )
    )
    assert "TMDB listed 2 of our films" in sync("--all")
    assert "/3/movie/changes" not in fake_tmdb.paths()


def test_the_task_runs_the_sync(fake_tmdb, two_films):
    from films.tasks import sync_tmdb

    fake_tmdb.add("/3/movie/changes", changes(100))
    fake_tmdb.add_movie(
        movie(
            100,
            title="Another Film",
            imdb_id="tt0000100",
            poster_path=None,
            backdrop_path=None,
            credits={"cast": [], "crew": []},
        )
    )
    result = sync_tmdb.enqueue()
    assert result.return_value == {"listed": 1, "updated": 0, "failures": {}, "error": ""}


def test_runs_are_listed_in_the_admin_read_only(client, fake_tmdb, two_films):
    from tests.factories import user_in_group

    fake_tmdb.add("/3/movie/changes", changes(541671))
    fake_tmdb.add("/3/movie/541671", raw=b"[")
    sync()
    client.force_login(user_in_group("Editors"))
    html = client.get("/admin/films/tmdbsyncrun/").content.decode()
    assert "1 TMDB sync run" in html
    run = TMDBSyncRun.objects.get()
    page = client.get(f"/admin/films/tmdbsyncrun/{run.pk}/change/").content.decode()
    assert "malformed JSON" in page
    assert 'name="_save"' not in page


# The task, on the real worker: TMDB briefly unavailable is retried by the task machinery -----


@pytest.fixture
def worker(settings):
    from tests.tasks_support import database_task_backend

    settings.TASKS_RETRY_DELAY = 0  # the retry is due at once: the same batch runs it
    with database_task_backend():
        yield lambda: call_command(
            "run_worker", batch=True, startup_delay=False, reload=False, verbosity=0
        )


def attempts() -> list:
    from tasks.models import TaskRecord

    return sorted(
        TaskRecord.objects.filter(task_path="films.tasks.sync_tmdb"),
        key=lambda row: row.args_kwargs["kwargs"]["_task"]["attempt"],
    )


@pytest.mark.django_db(transaction=True)
def test_the_task_retries_when_tmdb_asks_to_wait(fake_tmdb, two_films, worker):
    from films.tasks import sync_tmdb

    fake_tmdb.add("/3/movie/changes", {}, status=429, headers={"Retry-After": "600"})
    fake_tmdb.add("/3/movie/changes", changes(541671))
    fake_tmdb.add_movie(movie(541671, tagline="A new tagline."))
    sync_tmdb.enqueue()
    worker()
    first, second = attempts()
    assert first.status == "SUCCESSFUL"
    assert first.return_value["failed_attempt"] == 1
    assert "TMDB asks us to wait 600 seconds" in first.return_value["error"]
    assert second.status == "SUCCESSFUL"
    assert second.return_value["listed"] == 1
    assert Film.objects.get(tmdb_id=541671).tagline == "A new tagline."
    failed, done = TMDBSyncRun.objects.order_by("started_at")
    assert failed.error
    assert (done.error, done.since) == ("", failed.since)


@pytest.mark.django_db(transaction=True)
def test_a_film_tmdb_did_not_deliver_in_time_is_fetched_by_the_retry(
    fake_tmdb, two_films, worker, settings
):
    from films.tasks import sync_tmdb

    settings.TMDB_TIMEOUT = 0.3
    fake_tmdb.add("/3/movie/changes", changes(541671, 100))
    fake_tmdb.add("/3/movie/100", {}, delay=1)  # times out
    fake_tmdb.add_movie(movie(541671, tagline="A new tagline."))
    fake_tmdb.add("/3/movie/changes", changes())  # the retry: nothing new listed today
    fake_tmdb.add_movie(
        movie(
            100,
            title="Another Film, Renamed",
            imdb_id="tt0000100",
            poster_path=None,
            backdrop_path=None,
            credits={"cast": [], "crew": []},
        )
    )
    sync_tmdb.enqueue()
    worker()
    first, second = attempts()
    assert "TMDB could not be reached for 1 film(s) (100)" in first.return_value["error"]
    assert second.return_value["failures"] == {}
    assert second.return_value["listed"] == 1
    assert Film.objects.get(tmdb_id=100).title == "Another Film, Renamed"
    assert Film.objects.get(tmdb_id=541671).tagline == "A new tagline."


@pytest.mark.django_db(transaction=True)
def test_a_malformed_film_is_not_retried_by_the_task(fake_tmdb, two_films, worker):
    from films.tasks import sync_tmdb

    fake_tmdb.add("/3/movie/changes", changes(100))
    fake_tmdb.add("/3/movie/100", raw=b"[")
    sync_tmdb.enqueue()
    worker()
    [only] = attempts()
    assert only.status == "SUCCESSFUL"
    assert "malformed JSON" in only.return_value["failures"]["100"]
