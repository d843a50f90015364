"""Add from TMDB, editors' own edits and TMDB's proposals, in the admin (the test client posts
what each page's forms hold). Imports run on the task worker: the tests that import store the
task in the database and run the worker, as production does."""

import datetime
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from films.models import Film, TMDBImport
from tests.factories import user_in_group
from tests.tasks_support import database_task_backend
from tests.test_workflow_admin import form_data
from tests.tmdb_fake import movie

pytestmark = pytest.mark.django_db
# The worker opens and closes its own connections: these tests commit for real.
with_worker = pytest.mark.django_db(transaction=True)

ADD = "/admin/films/film/add-from-tmdb/"
SEARCH_ANSWER = {
    "page": 1,
    "total_pages": 1,
    "total_results": 2,
    "results": [
        {
            "id": 541671,
            "title": "Ballerina",
            "original_title": "Ballerina",
            "release_date": "2025-06-04",
            "overview": "An assassin sets out.",
            "poster_path": "/p.jpg",
        },
        {
            "id": 1,
            "title": "Ballerina",
            "original_title": "Ballerina",
            "release_date": "2016-12-14",
            "overview": "An animated orphan dreams of dancing.",
            "poster_path": None,
        },
    ],
}


class Forms(HTMLParser):
    """The POST forms of a page's content (not the admin's log-out form): each as
    {"button": its label, "data": its inputs}."""

    def __init__(self, html: str):
        super().__init__()
        self.forms, self.current = [], None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if (
            tag == "form"
            and attrs.get("method", "").lower() == "post"
            and attrs.get("id") != "logout-form"
        ):
            self.current = {"data": {}, "button": ""}
            self.forms.append(self.current)
        elif tag == "input" and self.current is not None and attrs.get("name"):
            if attrs.get("type") != "checkbox" or "checked" in attrs:
                self.current["data"][attrs["name"]] = attrs.get("value", "")
        elif tag == "button" and self.current is not None:
            self.current["button"] = attrs.get("aria-label", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None


@pytest.fixture
def editor(client):
    user = user_in_group("Editors")
    client.force_login(user)
    return user


@pytest.fixture
def worker():
    """Tasks stored in the database; calling the fixture runs the worker over what is due."""
    with database_task_backend():
        yield lambda: call_command(
            "run_worker", batch=True, startup_delay=False, reload=False, verbosity=0
        )


def import_through_admin(client, worker, data: dict):
    """Post an import, see the waiting page, run the worker, and follow the page to its end."""
    response = client.post(ADD, data)
    assert response.status_code == 302
    status = response["Location"]
    waiting = client.get(status)
    assert waiting.status_code == 200
    html = waiting.content.decode()
    assert '<meta http-equiv="refresh" content="2">' in html
    assert "Waiting for the task worker" in html
    worker()
    return client.get(status)


def test_without_a_token_the_page_says_how_to_get_one(client, editor, settings):
    settings.TMDB_API_TOKEN = ""
    html = client.get(ADD).content.decode()
    assert "TMDB is not connected yet" in html
    assert "TMDB_API_TOKEN" in html
    assert "https://www.themoviedb.org/settings/api" in html
    assert 'name="q"' not in html


@with_worker
def test_search_pick_and_import(client, editor, fake_tmdb, worker):
    changelist = client.get(reverse("admin:films_film_changelist")).content.decode()
    assert f'href="{ADD}"' in changelist
    assert "Add from TMDB" in changelist

    fake_tmdb.add("/3/search/movie", SEARCH_ANSWER)
    fake_tmdb.add_movie(movie())
    page = client.get(ADD, {"q": "Ballerina", "year": "2025"})
    assert fake_tmdb.requests[0].query["year"] == ["2025"]
    html = page.content.decode()
    assert "2 films on TMDB" in html
    assert "An animated orphan" in html
    forms = Forms(html).forms
    [pick] = [f for f in forms if f["button"] == "Import Ballerina (2025)"]

    # The request only queues the import: TMDB is not asked until the worker runs.
    fake_tmdb.requests.clear()
    response = import_through_admin(client, worker, pick["data"])
    assert fake_tmdb.paths("/3/") == ["/3/movie/541671"]
    film = Film.objects.get(tmdb_id=541671)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:films_film_change", args=[film.pk])
    assert film.poster
    assert film.videos.exists()
    assert film.cast_credits.count() == 3
    page = client.get(response["Location"])
    assert "Added “Ballerina (2025)” from TMDB, with 3 cast and 2 crew." in page.content.decode()
    job = TMDBImport.objects.get()
    assert (job.status, job.film, job.title, job.requested_by) == (
        "done",
        film,
        "Ballerina (2025)",
        editor,
    )

    fake_tmdb.add("/3/search/movie", SEARCH_ANSWER)
    again = client.get(ADD, {"q": "Ballerina"}).content.decode()
    assert "already in Marquee" in again
    assert "Update from TMDB" in again


def test_a_pasted_address_shows_that_film(client, editor, fake_tmdb):
    fake_tmdb.add_movie(movie(), images=False)
    html = client.get(
        ADD, {"q": "https://www.themoviedb.org/movie/541671-ballerina"}
    ).content.decode()
    assert "1 film on TMDB" in html
    assert "From the World of John Wick: Ballerina" in html
    assert fake_tmdb.paths("/3/") == ["/3/movie/541671"]


@with_worker
@pytest.mark.parametrize(
    ("answer", "says"),
    [
        ({"raw": b"{not json"}, "TMDB answered movie/541671 with malformed JSON"),
        ({"status": 404, "body": {"status_code": 34}}, "TMDB has no film with id 541671."),
        ({"delay": 1.5, "body": {}}, "TMDB did not answer within 0.5 seconds."),
        (
            {"raw": b'{"id": 541671, "title": "Ballerina", "runtime": "long"}'},
            "$.runtime: expected a whole number",
        ),
    ],
)
def test_a_failed_import_says_why_and_writes_nothing(
    client, editor, fake_tmdb, worker, settings, answer, says
):
    settings.TMDB_TIMEOUT = 0.5
    fake_tmdb.add("/3/search/movie", SEARCH_ANSWER)
    [pick, _] = Forms(client.get(ADD, {"q": "Ballerina"}).content.decode()).forms
    fake_tmdb.add("/3/movie/541671", **answer)
    response = import_through_admin(client, worker, pick["data"])
    assert response.status_code == 200
    html = response.content.decode()
    assert says in html
    assert "Nothing was imported." in html
    assert 'http-equiv="refresh"' not in html
    assert not Film.objects.exists()
    assert TMDBImport.objects.get().status == "failed"

    # Try again: the page's own form queues a new import, which now succeeds.
    [again] = [f for f in Forms(html).forms if "tmdb_id" in f["data"]]
    fake_tmdb.add_movie(movie())
    response = import_through_admin(client, worker, again["data"])
    assert response["Location"] == reverse("admin:films_film_change", args=[Film.objects.get().pk])


def test_a_queued_import_the_worker_has_not_taken_says_so(client, editor, fake_tmdb, settings):
    with database_task_backend():
        response = client.post(ADD, {"tmdb_id": "541671", "title": "Ballerina (2025)"})
    job = TMDBImport.objects.get()
    TMDBImport.objects.filter(pk=job.pk).update(
        requested_at=job.requested_at - datetime.timedelta(minutes=2)
    )
    html = client.get(response["Location"]).content.decode()
    assert "Importing Ballerina (2025) from TMDB" in html
    assert "No task worker has taken this import yet" in html
    assert not Film.objects.exists()
    assert fake_tmdb.paths("/3/") == []


def test_old_finished_imports_are_cleared_when_an_editor_imports(
    client, editor, fake_tmdb, settings
):
    """#23: the records behind the waiting page do not pile up: finished ones older than
    TASKS_KEEP_DAYS go when the next import is queued; recent and unfinished ones stay."""
    settings.TASKS_KEEP_DAYS = 14
    long_ago = timezone.now() - datetime.timedelta(days=15)
    old_done = TMDBImport.objects.create(tmdb_id=1, status="done", finished_at=long_ago)
    old_failed = TMDBImport.objects.create(tmdb_id=2, status="failed", finished_at=long_ago)
    recent = TMDBImport.objects.create(
        tmdb_id=3, status="done", finished_at=timezone.now() - datetime.timedelta(days=13)
    )
    stuck = TMDBImport.objects.create(tmdb_id=4, status="queued", requested_at=long_ago)
    with database_task_backend():
        response = client.post(ADD, {"tmdb_id": "541671", "title": "Ballerina (2025)"})
    assert response.status_code == 302
    kept = set(TMDBImport.objects.values_list("tmdb_id", flat=True))
    assert kept == {recent.tmdb_id, stuck.tmdb_id, 541671}
    assert not TMDBImport.objects.filter(pk__in=[old_done.pk, old_failed.pk]).exists()


def test_an_import_that_runs_for_long_says_it_may_have_failed(client, editor):
    job = TMDBImport.objects.create(
        tmdb_id=541671,
        status="running",
        requested_at=timezone.now() - datetime.timedelta(minutes=10),
    )
    html = client.get(reverse("admin:films_film_tmdb_import", args=[job.pk])).content.decode()
    assert "taking much longer than usual" in html
    assert 'http-equiv="refresh"' in html


def test_an_import_page_is_the_editors_only(client, fake_tmdb):
    job = TMDBImport.objects.create(tmdb_id=541671)
    url = reverse("admin:films_film_tmdb_import", args=[job.pk])
    client.force_login(user_in_group("Writers"))
    assert client.get(url).status_code == 403
    client.force_login(user_in_group("Editors"))
    assert client.get(url).status_code == 200
    assert client.get(url.replace(str(job.pk)[:8], "00000000")).status_code == 404


def test_unknown_id_is_a_clear_message(client, editor, fake_tmdb):
    html = client.get(ADD, {"q": "https://www.themoviedb.org/movie/999999"}).content.decode()
    assert "TMDB has no film with id 999999." in html
    fake_tmdb.add(
        "/3/search/movie", {"page": 1, "total_pages": 0, "total_results": 0, "results": []}
    )
    html = client.get(ADD, {"q": "999999"}).content.decode()
    assert "TMDB has no film matching “999999”." in html


def test_writers_and_moderators_may_not(client, fake_tmdb):
    for group in ("Writers", "Moderators"):
        client.force_login(user_in_group(group))
        assert client.get(ADD).status_code == 403
        assert client.post(ADD, {"tmdb_id": "541671"}).status_code == 403
    assert not Film.objects.exists()


@with_worker
def test_editors_edits_are_kept_and_proposals_accepted_field_by_field(
    client, editor, fake_tmdb, worker
):
    fake_tmdb.add_movie(movie(poster_path=None, backdrop_path=None))
    import_through_admin(client, worker, {"tmdb_id": "541671"})
    film = Film.objects.get()
    change = reverse("admin:films_film_change", args=[film.pk])

    data = form_data(client.get(change))
    data.update(title="Ballerina: From the World of John Wick", tagline="Dance. Then fight.")
    assert client.post(change, data).status_code == 302
    film.refresh_from_db()
    assert film.edited_fields == ["tagline", "title"]

    fake_tmdb.answers.clear()
    fake_tmdb.add_movie(
        movie(
            title="Ballerina (2025)",
            tagline="Take your revenge!",
            runtime=130,
            poster_path=None,
            backdrop_path=None,
        )
    )
    import_through_admin(client, worker, {"tmdb_id": "541671"})
    film.refresh_from_db()
    assert (film.title, film.tagline, film.runtime) == (
        "Ballerina: From the World of John Wick",
        "Dance. Then fight.",
        130,
    )
    page = client.get(change).content.decode()
    assert "Review 2 changes proposed by TMDB" in page
    assert "Edited here (TMDB leaves these alone): Tagline, Title." in page

    review = client.get(reverse("admin:films_film_tmdb_changes", args=[film.pk]))
    html = review.content.decode()
    assert "Take your revenge!" in html
    assert "Ballerina (2025)" in html
    [form] = Forms(html).forms
    data = {**form["data"], "accept": "tagline"}  # tick one box
    response = client.post(review.wsgi_request.path, data)
    assert response.status_code == 302
    film.refresh_from_db()
    assert film.tagline == "Take your revenge!"
    assert film.title == "Ballerina: From the World of John Wick"
    assert film.edited_fields == ["title"]
    assert film.tmdb_proposed == {"title": "Ballerina (2025)"}


def test_a_number_is_looked_up_as_an_id_and_as_a_title(client, editor, fake_tmdb):
    fake_tmdb.add(
        "/3/search/movie",
        {
            "page": 1,
            "total_pages": 1,
            "total_results": 1,
            "results": [{"id": 530915, "title": "1917", "release_date": "2019-12-25"}],
        },
    )
    html = client.get(ADD, {"q": "1917"}).content.decode()
    assert "1 film on TMDB" in html
    assert "1917" in html
    assert "(2019)" in html
    assert fake_tmdb.paths("/3/") == ["/3/movie/1917", "/3/search/movie"]
