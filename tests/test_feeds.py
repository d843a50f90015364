"""RSS and Atom feeds, sitemap.xml and robots.txt: published reviews only."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reviews.models import Review
from tests.factories import FilmFactory, GenreFactory, PersonFactory, ReviewFactory, UserFactory

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def parse(response) -> ET.Element:
    return ET.fromstring(response.content)  # noqa: S314 (our own output)


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    cache.clear()


@pytest.fixture
def every_state():
    now = timezone.now()
    author = UserFactory(first_name="Mara", last_name="Lind")
    public = [
        ReviewFactory(published=True, headline="Out now", author=author,
                      published_at=now - datetime.timedelta(days=1)),
        ReviewFactory(headline="Scheduled, and due", status=Review.Status.SCHEDULED,
                      published_at=now - datetime.timedelta(minutes=5), author=author),
    ]
    hidden = [
        ReviewFactory(headline="A draft"),
        ReviewFactory(headline="Being edited", status=Review.Status.IN_REVIEW),
        ReviewFactory(headline="Out next week", status=Review.Status.SCHEDULED,
                      published_at=now + datetime.timedelta(days=7)),
        ReviewFactory(headline="Taken down", status=Review.Status.ARCHIVED,
                      published_at=now - datetime.timedelta(days=30)),
    ]
    return public, hidden


def test_the_rss_feed_lists_published_reviews_newest_first(client, every_state):
    public, hidden = every_state
    response = client.get("/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = parse(response).find("channel")
    items = channel.findall("item")
    titles = [item.findtext("title") for item in items]
    assert titles == [f"{r.film.title}: {r.headline}" for r in
                      sorted(public, key=lambda r: r.published_at, reverse=True)]
    assert items[0].findtext("link").startswith("http://testserver/reviews/")
    body = response.content.decode()
    for review in hidden:
        assert review.headline not in body


def test_the_atom_feed_lists_published_reviews(client, every_state):
    public, hidden = every_state
    response = client.get("/feed/atom/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = parse(response)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == len(public)
    assert entries[0].find(f"{ATOM}author").findtext(f"{ATOM}name") == "Mara Lind"
    for review in hidden:
        assert review.headline not in response.content.decode()


def test_feeds_are_advertised_on_every_page(client):
    html = client.get("/").content.decode()
    assert 'type="application/rss+xml"' in html
    assert 'type="application/atom+xml"' in html


def test_the_sitemap_lists_public_reviews_films_people_and_genres(client, every_state):
    public, hidden = every_state
    film = FilmFactory(title="Catalogue film", genres=[GenreFactory(name="Drama")])
    person = PersonFactory(name="Some Body")

    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    locations = [loc.text for loc in parse(response).iter(f"{SITEMAP}loc")]

    for review in public:
        assert f"http://testserver{review.get_absolute_url()}" in locations
    for review in hidden:
        assert f"http://testserver{review.get_absolute_url()}" not in locations
    assert f"http://testserver{film.get_absolute_url()}" in locations
    assert f"http://testserver{person.get_absolute_url()}" in locations
    assert "http://testserver/genres/drama/" in locations


def test_robots_txt_allows_the_site_and_hides_admin_and_previews(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "User-agent: *" in body
    assert "Disallow: /admin/" in body
    assert "Disallow: /preview/" in body
    assert "Disallow: /reviews/*/preview/" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body


@pytest.mark.parametrize("url", ["/feed/", "/feed/atom/", "/sitemap.xml"])
def test_feeds_and_sitemap_run_a_fixed_number_of_queries(client, url):
    def count():
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    ReviewFactory(published=True)
    small = count()
    for _ in range(8):
        ReviewFactory(published=True, author=UserFactory())
    assert count() == small
