"""The page cache: anonymous pages are served from it, invalidated when what they show changes,
answer conditional GETs with 304, and never reach signed-in users or pending messages."""

import datetime
import re

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser, Permission
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.csp import LazyNonce

from films.cache import cache_public_page
from reviews import moderation
from reviews.models import Comment
from tests.factories import (
    FilmFactory,
    ReviewFactory,
    SectionFactory,
    StaffFactory,
    SuperuserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def editor():
    return SuperuserFactory(username="editor")


@pytest.fixture
def review():
    review = ReviewFactory(published=True, headline="Cached headline",
                           published_at=timezone.now() - datetime.timedelta(days=1))
    SectionFactory(review=review, heading="Only section", body="Body text.")
    return review


def queries(client, url, **headers) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=headers)
    return len(captured), response


PUBLIC_URLS = ["/", "/reviews/", "/films/", "/search/?q=cached", "/feed/", "/sitemap.xml",
               "/sitemap-reviews.xml"]


@pytest.mark.parametrize("url", [*PUBLIC_URLS, "review", "film"])
def test_a_second_anonymous_visit_is_served_from_the_cache(client, review, url):
    url = {"review": review.get_absolute_url(),
           "film": review.film.get_absolute_url()}.get(url, url)
    first_count, first = queries(client, url)
    second_count, second = queries(client, url)
    assert first.status_code == second.status_code == 200
    assert first_count > 0
    assert second_count == 0
    assert second["ETag"] and second["Last-Modified"]
    assert first.content == second.content
    assert second["Cache-Control"] == "public, max-age=60"


def test_anonymous_pages_are_public_and_short_lived(client, review):
    response = client.get("/reviews/")
    assert response["Cache-Control"] == "public, max-age=60"
    assert "Cookie" in response["Vary"]


def test_the_review_page_with_its_comment_form_is_one_copy_for_every_reader(review):
    """No CSRF cookie, token or nonce of one visit: shared caches may keep it (nginx.conf)."""
    first, second = Client().get(review.get_absolute_url()), Client().get(review.get_absolute_url())
    assert first.content == second.content
    for response in (first, second):
        assert response["Cache-Control"] == "public, max-age=60"
        assert not response.cookies
        html = response.content.decode()
        assert 'id="comment-form"' in html
        assert not re.search(r'name="(csrfmiddlewaretoken|form_token)" value="[^"]', html)
        assert "nonce=" not in html


def test_publishing_shows_the_review_at_once(client, review, editor):
    draft = ReviewFactory(headline="Fresh off the press")
    for url in ("/", "/reviews/", "/feed/", "/sitemap-reviews.xml"):
        client.get(url)
    assert "Fresh off the press" not in client.get("/reviews/").content.decode()

    draft.publish(by=editor)

    for url in ("/", "/reviews/", "/feed/"):
        assert "Fresh off the press" in client.get(url).content.decode(), url
    assert draft.get_absolute_url() in client.get("/sitemap-reviews.xml").content.decode()
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_editing_a_review_or_a_section_updates_its_pages(client, review):
    url = review.get_absolute_url()
    client.get(url)
    client.get("/reviews/")

    review.refresh_from_db()
    review.headline = "Edited headline"
    review.save()
    assert "Edited headline" in client.get(url).content.decode()
    assert "Edited headline" in client.get("/reviews/").content.decode()

    section = review.sections.get()
    section.heading = "Renamed section"
    section.save()
    assert "Renamed section" in client.get(url).content.decode()


def test_unpublishing_removes_the_review_everywhere(client, review, editor):
    url = review.get_absolute_url()
    for page in (url, "/", "/reviews/", "/feed/"):
        client.get(page)

    review.unpublish(by=editor)

    assert client.get(url).status_code == 404
    for page in ("/", "/reviews/", "/feed/", "/sitemap-reviews.xml"):
        assert "Cached headline" not in client.get(page).content.decode(), page
        assert url not in client.get(page).content.decode(), page


def test_a_film_edit_updates_the_film_and_review_pages(client, review):
    client.get(review.get_absolute_url())
    film = review.film
    film.title = "Retitled film"
    film.save()
    assert "Retitled film" in client.get(review.get_absolute_url()).content.decode()


def test_a_scheduled_review_appears_when_due_without_a_save(client, review, editor):
    scheduled = ReviewFactory(headline="Coming soon")
    scheduled.publish(by=editor, at=timezone.now() + datetime.timedelta(minutes=30))
    assert "Coming soon" not in client.get("/reviews/").content.decode()
    assert client.get(scheduled.get_absolute_url()).status_code == 404
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=31)):
        assert "Coming soon" in client.get("/reviews/").content.decode()
        assert client.get(scheduled.get_absolute_url()).status_code == 200


def approve_setup(review):
    comment = Comment.objects.create(
        review=review, name="Ada", email="ada@example.com", body="A pending thought.",
    )
    return comment


def test_approving_a_comment_by_saving_it_shows_it(client, review):
    comment = approve_setup(review)
    url = review.get_absolute_url()
    assert "A pending thought." not in client.get(url).content.decode()

    comment.status = Comment.Status.APPROVED
    comment.save()

    assert "A pending thought." in client.get(url).content.decode()


def test_approving_a_comment_through_moderation_shows_it(
    client, review, django_capture_on_commit_callbacks
):
    moderator = StaffFactory()
    moderator.user_permissions.add(Permission.objects.get(codename="moderate_comment"))
    moderator = type(moderator).objects.get(pk=moderator.pk)
    comment = approve_setup(review)
    url = review.get_absolute_url()
    client.get(url)

    with django_capture_on_commit_callbacks(execute=True):
        moderation.approve(comment, by=moderator)

    assert "A pending thought." in client.get(url).content.decode()


def test_conditional_get_answers_304(client, review):
    url = review.film.get_absolute_url()
    first = client.get(url)
    etag, last_modified = first["ETag"], first["Last-Modified"]

    by_etag = client.get(url, headers={"If-None-Match": etag})
    assert by_etag.status_code == 304
    assert by_etag.content == b""
    assert by_etag["ETag"] == etag

    by_date = client.get(url, headers={"If-Modified-Since": last_modified})
    assert by_date.status_code == 304

    assert client.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200


def test_a_change_makes_the_old_etag_stale(client, review):
    url = review.film.get_absolute_url()
    etag = client.get(url)["ETag"]
    film = review.film
    film.tagline = "A brand new tagline"
    film.save()
    response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "A brand new tagline" in response.content.decode()


def test_signed_in_users_bypass_the_cache(client, review):
    client.get("/reviews/")
    staff = StaffFactory()
    client.force_login(staff)
    count, response = queries(client, "/reviews/")
    assert count > 0
    assert response["Cache-Control"].startswith("private")


def test_pending_messages_bypass_the_cache(client, review):
    client.get(review.get_absolute_url())
    client.cookies["messages"] = "anything"
    count, response = queries(client, review.get_absolute_url())
    assert count > 0
    assert response["Cache-Control"].startswith("private")


def test_a_cached_review_page_still_takes_comments(review, settings):
    settings.MARQUEE_COMMENTS_MIN_SECONDS = 0
    Client().get(review.get_absolute_url())  # someone else fills the cache

    reader = Client(enforce_csrf_checks=True)
    count, response = queries(reader, review.get_absolute_url())
    assert count == 0
    tokens_url = re.search(r'data-tokens-url="([^"]+)"', response.content.decode()).group(1)
    tokens = reader.get(tokens_url).json()

    posted = reader.post(f"{review.get_absolute_url()}comments/", {
        **tokens, "name": "Ada", "email": "ada@example.com", "body": "From a cached page.",
        "website": "",
    })
    assert posted.status_code == 302
    assert Comment.objects.filter(body="From a cached page.").exists()


def test_distinct_urls_are_distinct_pages(client):
    FilmFactory(title="Alpha film", release_date=datetime.date(2001, 1, 1))
    FilmFactory(title="Beta film", release_date=datetime.date(2002, 1, 1))
    assert "Beta film" not in client.get("/films/?year=2001").content.decode()
    assert "Beta film" in client.get("/films/?year=2002").content.decode()


def test_a_page_rendered_with_something_of_one_visit_is_never_stored(rf):
    """A view that sets a cookie or uses the CSP nonce is served private and rendered anew."""
    renders = []

    @cache_public_page
    def with_a_token(request):
        renders.append(1)
        return HttpResponse(f"token {get_token(request)}")

    @cache_public_page
    def with_the_nonce(request):
        renders.append(1)
        return HttpResponse(f"nonce {request._csp_nonce}")

    for view in (with_a_token, with_the_nonce):
        for _ in range(2):
            request = rf.get(f"/{view.__name__}/")
            request.user = AnonymousUser()
            request._csp_nonce = LazyNonce()
            assert view(request)["Cache-Control"] == "private, no-cache"
    assert len(renders) == 4
