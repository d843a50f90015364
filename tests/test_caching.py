"""The page cache: anonymous pages are served from it, invalidated when what they show changes,
answer conditional GETs with 304, and never reach signed-in users or pending messages."""

import datetime
import re

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

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


PUBLIC_URLS = ["/", "/reviews/", "/films/", "/search/?q=cached", "/feed/", "/sitemap.xml"]


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
    # Personal tokens aside, it is the same page.
    strip = re.compile(r'(value|nonce)="[^"]*"')
    assert strip.sub("", first.content.decode()) == strip.sub("", second.content.decode())


def test_anonymous_pages_are_public_and_short_lived(client, review):
    response = client.get("/reviews/")
    assert response["Cache-Control"] == "public, max-age=60"
    assert "Cookie" in response["Vary"]


def test_a_page_with_a_comment_form_is_private_to_the_browser(client, review):
    response = client.get(review.get_absolute_url())
    assert response["Cache-Control"].startswith("private")


def test_publishing_shows_the_review_at_once(client, review, editor):
    draft = ReviewFactory(headline="Fresh off the press")
    for url in ("/", "/reviews/", "/feed/", "/sitemap.xml"):
        client.get(url)
    assert "Fresh off the press" not in client.get("/reviews/").content.decode()

    draft.publish(by=editor)

    for url in ("/", "/reviews/", "/feed/"):
        assert "Fresh off the press" in client.get(url).content.decode(), url
    assert draft.get_absolute_url() in client.get("/sitemap.xml").content.decode()
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
    for page in ("/", "/reviews/", "/feed/", "/sitemap.xml"):
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
    warm = Client()
    warm.get(review.get_absolute_url())  # fills the cache with someone else's tokens

    reader = Client(enforce_csrf_checks=True)
    count, response = queries(reader, review.get_absolute_url())
    assert count == 0
    html = response.content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    assert "csrftoken" in response.cookies

    posted = reader.post(f"{review.get_absolute_url()}comments/", {
        "csrfmiddlewaretoken": csrf, "form_token": token, "name": "Ada",
        "email": "ada@example.com", "body": "From a cached page.", "website": "",
    })
    assert posted.status_code == 302
    assert Comment.objects.filter(body="From a cached page.").exists()


def test_distinct_urls_are_distinct_pages(client):
    FilmFactory(title="Alpha film", release_date=datetime.date(2001, 1, 1))
    FilmFactory(title="Beta film", release_date=datetime.date(2002, 1, 1))
    assert "Beta film" not in client.get("/films/?year=2001").content.decode()
    assert "Beta film" in client.get("/films/?year=2002").content.decode()


def test_a_cached_page_carries_this_response_s_csp_nonce(client, review):
    client.get(review.get_absolute_url())
    count, response = queries(client, review.get_absolute_url())
    assert count == 0
    policy = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    found = re.findall(r'nonce="([^"]+)"', response.content.decode())
    assert found and set(found) == {nonce}
