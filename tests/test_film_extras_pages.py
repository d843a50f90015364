"""The film page and the review's film box show TMDB's extras for the site's region only."""

import re
from html import unescape

import pytest

from films.importers import import_tmdb_film
from films.models import Film
from tests.factories import ReviewFactory
from tests.tmdb_fake import movie

pytestmark = pytest.mark.django_db


def text(response) -> str:
    """The page's visible words, tags dropped and spaces squeezed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.fixture
def film(settings) -> Film:
    settings.MARQUEE_REGION = "GB"
    return import_tmdb_film(movie()).film


def test_film_page_shows_the_local_release_trailer_and_where_to_watch(client, film):
    response = client.get(film.get_absolute_url())
    words = text(response)
    assert "Release 15 · In cinemas 6 June 2025" in words
    assert " R " not in words  # the US certificate is not this site's
    assert "Released 4 June 2025" not in words  # the local release replaces the world's

    html = response.content.decode()
    assert (
        'data-trailer-embed="https://www.youtube-nocookie.com/embed/0FSwsrFpkbw?autoplay=1' in html
    )  # the official trailer, not the fan one
    assert "<iframe" not in html, "the player loads only when the reader presses play"
    assert 'href="https://www.youtube.com/watch?v=0FSwsrFpkbw"' in html  # works without JS
    assert re.search(r'<script src="[^"]*js/trailer\.js" defer>', html)

    assert "Where to watch Stream Amazon Prime Video Rent Apple TV Buy Apple TV" in words
    assert "Availability data from JustWatch" in words
    assert "This product uses the TMDB API but is not endorsed or certified by TMDB." in words


def test_the_trailer_link_names_the_trailer_once(client, film, django_capture_on_commit_callbacks):
    """Its accessible name (the link's words, the still's alt being empty) reads naturally,
    the film named once: not "Play Ballerina Official Trailer of Ballerina"."""
    from tests.test_pages import attr, find, find_all, page
    from tests.test_pages import text as words_of

    def link():
        return find(page(client.get(film.get_absolute_url())), "a", cls="trailer__facade")

    film.trailer_name = "Ballerina Official Trailer"
    film.save()
    assert [attr(img, "alt") for img in find_all(link(), "img")] in ([], [""])
    assert words_of(link()) == "Play the trailer: Ballerina Official Trailer"
    # A name that leaves the film out gets it in brackets; the saved film's page is made
    # again once the change commits.
    with django_capture_on_commit_callbacks(execute=True):
        film.trailer_name = "Official Trailer"
        film.save()
    assert words_of(link()) == f"Play the trailer: Official Trailer ({film.title})"


def test_csp_allows_frames_from_youtube_nocookie_only(client, film):
    policy = client.get(film.get_absolute_url())["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["frame-src"] == "https://www.youtube-nocookie.com"


def test_nothing_regional_is_shown_where_tmdb_has_nothing(client, settings):
    settings.MARQUEE_REGION = "JP"
    film = import_tmdb_film(movie()).film
    words = text(client.get(film.get_absolute_url()))
    assert "Released 4 June 2025" in words  # TMDB's own date, with no certificate
    assert "Release 15" not in words
    assert "Certificate" not in words
    assert "In cinemas" not in words
    assert "Where to watch" not in words
    assert "JustWatch" not in words
    assert "Trailer" in words  # trailers are not regional


def test_a_film_without_videos_or_tmdb_data_shows_no_extras(client):
    document = movie()
    document["videos"] = {"results": []}
    film = import_tmdb_film(document).film
    html = client.get(film.get_absolute_url()).content.decode()
    assert "data-trailer-embed" not in html
    assert "trailer.js" not in html


def test_a_hand_entered_certificate_still_shows(client):
    from tests.factories import FilmFactory

    film = FilmFactory(certification="PG")
    words = text(client.get(film.get_absolute_url()))
    assert "Certificate PG" in words
    assert "TMDB" not in words


def test_review_film_box_shows_release_offers_and_trailer(client, film):
    review = ReviewFactory(film=film, published=True)
    response = client.get(review.get_absolute_url())
    words = text(response)
    assert "Release 15 · In cinemas 6 June 2025" in words
    assert "Where to watch Stream Amazon Prime Video" in words
    assert "Availability data from JustWatch" in words
    assert "Film data: TMDB" in words
    html = response.content.decode()
    assert "data-trailer-embed=" in html
    assert "<iframe" not in html
    assert "youtube.com/embed" not in html


def test_person_pages_from_tmdb_carry_its_notice(client, film):
    person = film.cast_credits.first().person
    words = text(client.get(person.get_absolute_url()))
    assert "This product uses the TMDB API but is not endorsed or certified by TMDB." in words


def test_search_finds_films_by_other_titles_and_keywords(client, film):
    from django.urls import reverse

    for query in ("Du monde de John Wick", "rage and hate", "du mondo de john wick"):
        response = client.get(reverse("reviews:search"), {"q": query})
        assert [f.pk for f in response.context["films"]] == [film.pk], query
        assert "Films (1)" in text(response)
    response = client.get(reverse("reviews:search"), {"q": "zebra crossing"})
    assert list(response.context["films"]) == []


def test_search_follows_other_titles_and_keywords_as_they_change(client, film, committed):
    """Each change reaches the index and retires the cached search pages."""
    from django.urls import reverse

    from films.models import AlternativeTitle, Keyword

    def found(query):
        return [f.pk for f in client.get(reverse("reviews:search"), {"q": query}).context["films"]]

    assert found("Balletratte") == []
    with committed():
        other = AlternativeTitle.objects.create(film=film, title="Die Balletratte", country="DE")
    assert found("Balletratte") == [film.pk]
    with committed():
        other.delete()
    assert found("Balletratte") == []

    with committed():
        keyword = Keyword.objects.create(name="pointe shoes")
        film.keywords.add(keyword)
    assert found("pointe shoes") == [film.pk]
    with committed():
        keyword.name = "tutu"
        keyword.save()
    assert found("pointe shoes") == []
    assert found("tutu") == [film.pk]
    with committed():
        film.keywords.remove(keyword)
    assert found("tutu") == []
