"""The review page's article, description and JSON-LD, cached as fragments
(reviews/views/review_page.py): served while good, never stale.

Every test reads the page as a reader would with the page cache's copy of it dropped, so what
it sees comes from the cached fragment or a fresh rendering, never from a cached page.
"""

import datetime
import json
import re

import pytest
import reversion
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from films.models import CastCredit
from pagecache.pages import page_key
from reviews.models import Comment, Review
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
    host = headers.get("HTTP_HOST", "testserver")
    cache.delete(page_key(RequestFactory().get(review.get_absolute_url(), HTTP_HOST=host)))
    response = client.get(review.get_absolute_url(), **headers)
    assert response.status_code == 200
    return without_form_stamp(response.content.decode())


def without_form_stamp(html: str) -> str:
    """The page without the comment form's stamp of when it was made (new on each render)."""
    return re.sub(r'name="form_shown" value="[^"]*"', "", html)


def sql_of(client, review: Review) -> str:
    cache.delete(page_key(RequestFactory().get(review.get_absolute_url())))
    with CaptureQueriesContext(connection) as queries:
        client.get(review.get_absolute_url())
    return " ".join(query["sql"] for query in queries.captured_queries)


@pytest.fixture
def review():
    film = FilmFactory(
        title="Ballerina",
        genres=[GenreFactory(name="Action")],
        collection=CollectionFactory(name="John Wick Collection"),
    )
    CastCreditFactory(film=film, person=PersonFactory(name="Ana de Armas"), order=0)
    CrewCreditFactory(film=film, person=PersonFactory(name="Len Wiseman"), job="Director")
    author = StaffFactory(username="critic", first_name="Pat", last_name="Kael")
    review = ReviewFactory(
        film=film, author=author, headline="A dance of vengeance", published=True
    )
    SectionFactory(review=review, heading="The choreography", body="Graceful and brutal.")
    return Review.objects.get(pk=review.pk)


def test_the_first_view_caches_the_article_and_later_views_use_it(client, review):
    cache.clear()
    assert "reviews_section" in sql_of(client, review)
    first = read(client, review)
    assert "reviews_section" not in sql_of(client, review)  # sections came with the fragment
    assert read(client, review) == first


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
    CrewCreditFactory(film=review.film, person=PersonFactory(name="Chad Stahelski"), job="Director")
    return "Chad Stahelski"


def _rename_author(review):
    critic = review.author.critic
    critic.display_name = "Pauline Kael"
    critic.save()
    return "Pauline Kael"


def _revert_review(review):
    with reversion.create_revision():
        review.save()
    review.headline = "A later headline"
    review.save()
    Version.objects.get_for_object(review).last().revision.revert()
    return "A dance of vengeance"


CHANGES = [
    _rename_film,
    _edit_section,
    _add_section,
    _delete_section,
    _edit_review,
    _rename_genre,
    _add_genre_to_film,
    _add_film_to_genre,
    _rename_collection,
    _rename_person,
    _add_director,
    _rename_author,
    _revert_review,
]


@pytest.fixture
def change_committed(committed):
    def apply(change, review):
        with committed():
            return change(review)

    return apply


@pytest.mark.parametrize("change", CHANGES, ids=lambda change: change.__name__.strip("_"))
def test_a_change_to_anything_the_article_shows_is_on_the_next_view(
    client, review, change, change_committed
):
    read(client, review)  # caches the article
    shown = change_committed(change, review)
    page = read(client, review)
    if isinstance(shown, Gone):
        assert shown not in page
    else:
        assert shown in page
    assert read(client, review) == page  # and the new rendering is the one kept
    assert "reviews_section" not in sql_of(client, review)


def test_a_review_save_shows_even_if_no_retirement_reached_the_cache(client, review):
    """The article's key holds the review's render_token, new on every save."""
    read(client, review)
    review.verdict = "Dance, then fight."
    review.save()  # the test's transaction never commits: no retirement is written
    assert "Dance, then fight." in read(client, review)


def test_an_article_rendered_before_a_change_is_not_kept(client, review, committed, monkeypatch):
    """The race: a reader's rendering began before an editor's change, and ends after it."""
    from reviews.views import review_page

    real_render, changed = review_page.render_article, []

    def render_then_change(*args):
        parts = real_render(*args)
        if not changed:
            changed.append(1)
            with committed():
                _rename_person(review)
        return parts

    monkeypatch.setattr(review_page, "render_article", render_then_change)
    assert "Ana de Armas" in read(client, review)  # rendered from the data before
    monkeypatch.undo()
    assert "Ana Celia de Armas" in read(client, review)


def test_signing_in_retires_nothing(client, review, committed):
    read(client, review)
    with committed():
        review.author.set_password("a long enough password")
        review.author.save()
    read(client, review)
    assert "reviews_section" not in sql_of(client, review)
    with committed():
        response = client.post(
            reverse("admin:login"),
            {
                "username": "critic",
                "password": "a long enough password",
                "next": "/admin/",
            },
        )
    assert response.status_code == 302
    assert response.url == "/admin/"
    client.logout()
    assert "reviews_section" not in sql_of(client, review)


def test_a_write_that_sends_no_signal_shows_once_the_fragment_expires(client, review, settings):
    read(client, review)
    Section = type(review.sections.get())
    Section.objects.filter(review=review).update(body_html="<p>Rewritten in bulk.</p>")
    assert "Rewritten in bulk." not in read(client, review)
    later = timezone.now() + datetime.timedelta(seconds=settings.MARQUEE_ARTICLE_CACHE_SECONDS + 1)
    with time_machine.travel(later):
        assert "Rewritten in bulk." in read(client, review)


def test_a_new_release_renders_the_article_again(client, review, settings):
    read(client, review)
    Section = type(review.sections.get())
    Section.objects.filter(review=review).update(body_html="<p>Made by the new code.</p>")
    settings.MARQUEE_RELEASE = "next-release"
    assert "Made by the new code." in read(client, review)


def test_the_json_ld_names_the_host_the_reader_asked(client, review, settings):
    settings.ALLOWED_HOSTS = ["marquee.example", "www.marquee.example"]

    def json_ld(host: str) -> dict:
        page = read(client, review, HTTP_HOST=host)
        script = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
        return json.loads(script.group(1))

    first, second = json_ld("marquee.example"), json_ld("www.marquee.example")
    assert first["url"] == f"http://marquee.example{review.get_absolute_url()}"
    assert second["url"] == f"http://www.marquee.example{review.get_absolute_url()}"
    assert second["itemReviewed"]["url"].startswith("http://www.marquee.example/films/")


def test_a_cached_article_never_shows_once_the_review_is_not_public(client, review, committed):
    read(client, review)
    editor = StaffFactory(is_superuser=True)
    with committed():
        review.unpublish(by=editor)
    assert client.get(review.get_absolute_url()).status_code == 404
    review.refresh_from_db()
    with committed():
        review.publish(by=editor, at=timezone.now() + datetime.timedelta(days=2))
    assert client.get(review.get_absolute_url()).status_code == 404


# The related reviews and the comment thread: fragments of their own, each retired by what it
# shows, so an approved comment does not re-render the related box, nor a related review's
# edit the thread.


@pytest.fixture
def sequel(review):
    """A review of another film with the same lead: in `review`'s related box."""
    film = FilmFactory(title="John Wick: Chapter 4", genres=list(review.film.genres.all()))
    CastCreditFactory(film=film, person=review.film.cast_credits.get().person, order=0)
    return ReviewFactory(
        film=film, author=review.author, headline="Keanu, still counting", published=True
    )


def test_the_related_box_and_thread_are_kept_and_a_warm_view_reads_the_review_alone(
    client, review, sequel
):
    Comment.objects.create(
        review=review, name="Ada", email="a@example.com", body="Loved it.", status="approved"
    )
    cache.clear()
    first = read(client, review)
    assert "Keanu, still counting" in first
    assert "Loved it." in first
    with CaptureQueriesContext(connection) as queries:
        assert read(client, review) == first
    assert len(queries) == 1, [q["sql"] for q in queries.captured_queries]  # the review's row


def test_the_related_box_follows_its_reviews_and_names_them_for_the_front_cache(
    client, review, sequel, committed
):
    read(client, review)
    cache.delete(page_key(RequestFactory().get(review.get_absolute_url())))
    keys = client.get(review.get_absolute_url())["Surrogate-Key"].split()  # box from the cache
    assert {f"review:{sequel.pk}", f"film:{sequel.film_id}"} <= set(keys)

    sequel.headline = "Keanu, counting still"
    with committed():
        sequel.save()
    assert "Keanu, counting still" in read(client, review)

    with committed():
        sequel.unpublish(by=StaffFactory(is_superuser=True))
    page = read(client, review)
    assert "Keanu" not in page
    assert "Related reviews" not in page


def test_an_approved_comment_refreshes_the_thread_and_spam_keeps_it(client, review, committed):
    from reviews import moderation

    Comment.objects.create(
        review=review, name="Ada", email="a@example.com", body="First!", status="approved"
    )
    read(client, review)
    spam = Comment.objects.create(
        review=review, name="Bot", email="b@example.com", body="Cheap pills", status="pending"
    )
    with committed():
        moderation.mark_spam(spam, by=StaffFactory(is_superuser=True))
    assert "reviews_comment" not in sql_of(client, review)  # the thread is still good

    late = Comment.objects.create(
        review=review, name="Bea", email="b@example.com", body="Second, and kinder."
    )
    with committed():
        moderation.approve(late, by=StaffFactory(is_superuser=True))
    page = read(client, review)
    assert "First!" in page
    assert "Second, and kinder." in page
    assert "Cheap pills" not in page
    assert "2 comments" in page


def header_count(page: str) -> str:
    return re.search(r'class="review-header__comments"[^>]*>([^<]*)<', page).group(1)


def test_the_header_counts_what_the_thread_shows_and_a_warm_view_joins_nothing(
    client, review, committed
):
    from reviews import moderation

    cache.clear()
    assert header_count(read(client, review)) == "No comments yet"
    sql = sql_of(client, review)
    assert "reviews_review" in sql
    assert "films_film" not in sql  # film, author and images come with the cached parts
    assert "auth_user" not in sql

    comment = Comment.objects.create(
        review=review, name="Ada", email="a@example.com", body="First!", status="pending"
    )
    with committed():
        moderation.approve(comment, by=StaffFactory(is_superuser=True))
    sql = sql_of(client, review)
    assert "reviews_section" not in sql  # the article is still good; the header is made again
    assert "films_film" in sql
    assert header_count(read(client, review)) == "1 comment"


def test_the_header_shares_the_public_address_whatever_answered(client, review):
    """The header is kept for every answer showing the page, a comment post's included: it
    shares the review's own address, never the address that was asked."""
    public = f"http://testserver{review.get_absolute_url()}"
    refused = client.post(reverse("reviews:comment", args=[review.slug]), {"body": "Hi"})
    assert refused.status_code in (400, 403)
    for page in (refused.content.decode(), read(client, review)):
        assert f'data-share-url="{public}"' in page


def test_a_related_review_leaving_on_schedule_leaves_the_box_on_time(
    client, review, sequel, committed
):
    with committed():
        sequel.set_expiry(
            timezone.now() + datetime.timedelta(hours=1), by=StaffFactory(is_superuser=True)
        )
    assert "Keanu, still counting" in read(client, review)
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=2)):
        assert "Keanu, still counting" not in read(client, review)  # no save, no worker
