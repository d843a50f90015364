"""The review page's stored article (reviews/rendering.py): used while current, never stale.

Every test reads the public page as a reader would, with Marquee's page cache emptied first, so
what it sees comes from the stored article or a fresh rendering, never from the page cache.
"""

import json
import re

import pytest
import reversion
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from films.models import CastCredit
from reviews import rendering
from reviews.models import Review, ReviewRendering
from tests.factories import (
    CastCreditFactory,
    CollectionFactory,
    CrewCreditFactory,
    FilmFactory,
    GenreFactory,
    PersonFactory,
    ReviewFactory,
    SectionFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db


def read(client, review: Review, **headers) -> str:
    cache.clear()
    response = client.get(review.get_absolute_url(), **headers)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def review():
    film = FilmFactory(title="Ballerina", genres=[GenreFactory(name="Action")],
                       collection=CollectionFactory(name="John Wick Collection"))
    CastCreditFactory(film=film, person=PersonFactory(name="Ana de Armas"), order=0)
    CrewCreditFactory(film=film, person=PersonFactory(name="Len Wiseman"), job="Director")
    author = StaffFactory(username="critic", first_name="Pat", last_name="Kael")
    review = ReviewFactory(film=film, author=author, headline="A dance of vengeance",
                           published=True)
    SectionFactory(review=review, heading="The choreography", body="Graceful and brutal.")
    return Review.objects.get(pk=review.pk)


def test_the_first_view_stores_the_article_and_later_views_serve_it(client, review):
    first = read(client, review)
    stored = ReviewRendering.objects.get(review=review)
    assert stored.token == Review.objects.get(pk=review.pk).render_token
    assert "Graceful and brutal." in stored.article
    assert stored.description == "An intro paragraph."

    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        second = client.get(review.get_absolute_url()).content.decode()
    assert second == first
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert "reviews_section" not in sql  # the sections came stored
    assert "INSERT" not in sql and "UPDATE" not in sql


class Gone(str):
    """Text a change takes off the page."""


def _rename_film(review):
    review.film.title = "Ballerina (2025)"
    review.film.save()
    return "Ballerina (2025)"


def _edit_section(review):
    section = review.sections.get()
    section.body = "Graceful, brutal and *long*."
    section.save()
    return "Graceful, brutal and <em>long</em>."


def _add_section(review):
    SectionFactory(review=review, heading="The villains", body="Relentless.")
    return "The villains"


def _delete_section(review):
    review.sections.get().delete()
    return Gone("The choreography")


def _edit_review(review):
    review.verdict = "Dance, then fight."
    review.save()
    return "Dance, then fight."


def _rename_genre(review):
    genre = review.film.genres.get()
    genre.name = "Action & Adventure"
    genre.save()
    return "Action &amp; Adventure"


def _add_genre_to_film(review):
    review.film.genres.add(GenreFactory(name="Thriller"))
    return "Thriller"


def _add_film_to_genre(review):
    GenreFactory(name="Neo-noir").films.add(review.film)
    return "Neo-noir"


def _rename_collection(review):
    collection = review.film.collection
    collection.name = "The World of John Wick"
    collection.save()
    return "The World of John Wick"


def _rename_person(review):
    person = CastCredit.objects.get(film=review.film).person
    person.name = "Ana Celia de Armas"
    person.save()
    return "Ana Celia de Armas"


def _add_director(review):
    CrewCreditFactory(film=review.film, person=PersonFactory(name="Chad Stahelski"),
                      job="Director")
    return "Chad Stahelski"


def _rename_author(review):
    review.author.first_name = "Pauline"
    review.author.save()
    return "Pauline Kael"


def _revert_review(review):
    with reversion.create_revision():
        review.save()
    review.headline = "A later headline"
    review.save()
    Version.objects.get_for_object(review).last().revision.revert()
    return "<h1 class=\"review-header__headline\">A dance of vengeance</h1>"


CHANGES = [
    _rename_film, _edit_section, _add_section, _delete_section, _edit_review, _rename_genre,
    _add_genre_to_film, _add_film_to_genre, _rename_collection, _rename_person, _add_director,
    _rename_author, _revert_review,
]


@pytest.mark.parametrize("change", CHANGES, ids=lambda change: change.__name__.strip("_"))
def test_a_change_to_anything_the_article_shows_is_on_the_next_view(client, review, change):
    read(client, review)  # stores the article
    shown = change(review)
    page, stored = read(client, review), ReviewRendering.objects.get(review=review).article
    if isinstance(shown, Gone):
        assert shown not in page and shown not in stored
    else:
        assert shown in page
        assert shown in stored  # the new rendering is the one kept


def test_a_page_rendered_before_a_change_is_not_served_after_it(client, review):
    """The race: a reader's rendering lands after an editor's change. It must not stick."""
    from reviews.views.pages import public_reviews, review_for_page

    before = review_for_page(public_reviews(), pk=review.pk)  # read before the change
    _edit_section(review)
    rendering.store(before, rendering.render_parts(before))  # stored after it
    page = read(client, review)
    assert "Graceful, brutal and <em>long</em>." in page
    assert "Graceful and brutal." not in page


def test_signing_in_does_not_retire_the_authors_pages(client, review):
    read(client, review)
    token = Review.objects.get(pk=review.pk).render_token
    review.author.set_password("a long enough password")
    review.author.save()  # a name may have changed: retires
    assert Review.objects.get(pk=review.pk).render_token != token
    read(client, review)
    token = Review.objects.get(pk=review.pk).render_token
    response = client.post(reverse("admin:login"), {
        "username": "critic", "password": "a long enough password", "next": "/admin/",
    })
    assert response.status_code == 302 and response.url == "/admin/"
    assert Review.objects.get(pk=review.pk).render_token == token


def test_new_rendering_code_or_settings_make_the_page_again(client, review, settings):
    read(client, review)
    settings.MEDIA_URL = "https://media.example/"
    film = review.film
    film.poster.name = "posters/2025/ballerina.jpg"
    type(film).objects.filter(pk=film.pk).update(  # no signals
        poster=film.poster.name, poster_width=400, poster_height=600
    )
    page = read(client, review)
    assert 'src="https://media.example/posters/2025/ballerina.jpg"' in page
    assert ReviewRendering.objects.get(review=review).key == rendering.render_key()


def test_the_stored_json_ld_names_the_host_the_reader_asked(client, review, settings):
    settings.ALLOWED_HOSTS = ["marquee.example", "www.marquee.example"]

    def json_ld(host: str) -> dict:
        page = read(client, review, HTTP_HOST=host)
        script = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
        return json.loads(script.group(1))

    first, second = json_ld("marquee.example"), json_ld("www.marquee.example")
    assert first["url"] == f"http://marquee.example{review.get_absolute_url()}"
    assert second["url"] == f"http://www.marquee.example{review.get_absolute_url()}"
    assert second["itemReviewed"]["url"].startswith("http://www.marquee.example/films/")
    assert rendering.ORIGIN not in json.dumps(second)


def test_a_stored_article_never_shows_once_the_review_is_not_public(client, review):
    read(client, review)
    editor = StaffFactory(is_superuser=True)
    review.unpublish(by=editor)
    cache.clear()
    assert client.get(review.get_absolute_url()).status_code == 404
    review.refresh_from_db()
    review.publish(by=editor, at=timezone.now() + timezone.timedelta(days=2))
    cache.clear()
    assert client.get(review.get_absolute_url()).status_code == 404


def test_moving_a_section_or_credit_retires_the_page_it_left(client, review):
    other = ReviewFactory(published=True, headline="Another review")
    read(client, review)
    section = review.sections.get()
    section.review = other
    section.save()
    assert "Graceful and brutal." not in read(client, review)
    assert "Graceful and brutal." in read(client, other)

    credit = CastCredit.objects.get(film=review.film)
    credit.film = other.film
    credit.save()
    assert "Ana de Armas" not in read(client, review)


def test_a_reader_between_the_page_cache_and_the_stored_page_caches_nothing_stale(
    client, review, monkeypatch
):
    """Marquee's page cache hears of a change before the stored page does: a reader who
    comes in between must not leave a stale page in the cache."""
    from films import cache as page_cache

    read(client, review)  # stores the article
    cache.clear()
    real_set, seen = page_cache.cache.set, []

    def set_then_read(key, *args, **kwargs):
        result = real_set(key, *args, **kwargs)
        if key == page_cache.GENERATION_KEY and not seen:
            seen.append(client.get(review.get_absolute_url()).content.decode())
        return result

    monkeypatch.setattr(page_cache.cache, "set", set_then_read)
    section = review.sections.get()
    section.body = "Brand new text."
    section.save()
    monkeypatch.undo()

    assert seen  # the reader came in between
    page = client.get(review.get_absolute_url()).content.decode()  # the page cache is warm
    assert "Brand new text." in page
