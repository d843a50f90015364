"""The page cache (pagecache/): anonymous pages are served from it, a change retires exactly the
pages showing what changed (once the transaction commits), headers survive, conditional GETs get
304, and signed-in users or pending messages never see a shared copy.

"Served from the cache" is measured as a view that runs no SQL query.
"""

import datetime
import re

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import HttpResponse
from django.middleware.csp import ContentSecurityPolicyMiddleware, get_nonce
from django.middleware.csrf import get_token
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pagecache.pages import cache_page
from reviews import moderation
from reviews.critics import Critic
from reviews.models import Comment
from tests.factories import (
    CastCreditFactory,
    CrewCreditFactory,
    FilmFactory,
    GenreFactory,
    PersonFactory,
    ReviewFactory,
    SectionFactory,
    StaffFactory,
    SuperuserFactory,
    user_in_group,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return SuperuserFactory(username="editor")


def published(**kwargs):
    kwargs.setdefault("published_at", timezone.now() - datetime.timedelta(days=1))
    return ReviewFactory(published=True, **kwargs)


@pytest.fixture
def review():
    review = published(headline="Cached headline")
    SectionFactory(review=review, heading="Only section", body="Body text.")
    return review


def get(client, url, **headers) -> tuple[int, object]:
    """(queries run, response) of one anonymous GET."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=headers)
    return len(captured), response


def cached(client, url) -> bool:
    """Is `url` served from the page cache (its copy, with no query)?"""
    count, response = get(client, url)
    assert response.status_code == 200, url
    return response.get("X-Page-Cache") == "hit" and count == 0


PUBLIC_URLS = [
    "/",
    "/reviews/",
    "/films/",
    "/critics/",
    "/search/?q=cached",
    "/feed/",
    "/feed/atom/",
    "/sitemap.xml",
    "/sitemap-reviews.xml",
]


@pytest.mark.parametrize("url", [*PUBLIC_URLS, "review", "film", "person", "genre"])
def test_a_second_anonymous_visit_is_served_from_the_cache(client, review, url):
    person = PersonFactory()
    CastCreditFactory(film=review.film, person=person)
    review.film.genres.add(GenreFactory())
    url = {
        "review": review.get_absolute_url(),
        "film": review.film.get_absolute_url(),
        "person": person.get_absolute_url(),
        "genre": review.film.genres.first().get_absolute_url(),
    }.get(url, url)
    first_count, first = get(client, url)
    second_count, second = get(client, url)
    assert first.status_code == second.status_code == 200
    assert first_count > 0
    assert second_count == 0
    assert second["ETag"]
    assert second["Last-Modified"]
    assert first.content == second.content
    assert second["Cache-Control"] == "public, max-age=60"
    assert "Cookie" in second["Vary"]
    assert second["Surrogate-Key"] == second["xkey"] != ""
    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")


def test_headers_the_view_set_survive_caching(client, review):
    """The sitemap's X-Robots-Tag (Django's sitemap views set it) and the feed's type."""
    for url in ("/sitemap.xml", "/sitemap-reviews.xml", "/feed/"):
        first, second = client.get(url), client.get(url)
        for header in ("X-Robots-Tag", "Content-Type"):
            if header in first:
                assert second[header] == first[header], (url, header)
    assert "noindex" in client.get("/sitemap.xml")["X-Robots-Tag"]
    assert client.get("/feed/")["Content-Type"] == "application/xml; charset=utf-8"


def test_the_review_page_names_what_it_shows(client, review):
    other = published(film=review.film, headline="Second opinion")
    keys = client.get(review.get_absolute_url())["Surrogate-Key"].split()
    for key in (
        f"review:{review.pk}",
        f"comments:{review.pk}",
        f"film:{review.film_id}",
        f"user:{review.author_id}",
        f"review:{other.pk}",
    ):  # other: a related card
        assert key in keys
    listing = client.get("/reviews/")["Surrogate-Key"].split()
    assert {"reviews-list", f"review:{review.pk}", f"film:{review.film_id}"} <= set(listing)


def test_the_review_page_with_its_comment_form_is_one_copy_for_every_reader(review):
    """No CSRF cookie, token or nonce of one visit: shared caches may keep it."""
    first, second = Client().get(review.get_absolute_url()), Client().get(review.get_absolute_url())
    assert first.content == second.content
    for response in (first, second):
        assert response["Cache-Control"].startswith("public")
        assert not response.cookies
        html = response.content.decode()
        assert 'id="comment-form"' in html
        assert not re.search(r'name="(csrfmiddlewaretoken|form_token)" value="[^"]', html)
        assert "nonce=" not in html


def test_unknown_query_parameters_share_the_page_and_make_no_new_copy(client, review):
    client.get("/reviews/")
    for junk in ("?utm_source=newsletter", "?x=1&y=2", "?genre=&page=", "?fbclid=abc"):
        assert cached(client, "/reviews/" + junk), junk
    # A known parameter is a different page, and one with the same values in another order is
    # the same page.
    assert not cached(client, "/reviews/?rating=3&year=2020")
    assert cached(client, "/reviews/?year=2020&rating=3&utm_medium=x")
    # Links on the page never echo a dropped parameter.
    assert "utm_source" not in client.get("/reviews/?utm_source=evil&page=1").content.decode()


def test_odd_values_of_known_parameters_make_no_new_copies(client, review):
    """A value a page rejects, or writes another way, is served but never kept: a bot sending
    `?genre=<random>` or `?page=0007` cannot fill the cache. Real values are kept."""
    genre = GenreFactory(slug="drama")
    review.film.genres.add(genre)
    review.film.year = 2020
    review.film.save()
    CastCreditFactory(film=review.film, person=PersonFactory(slug="ana-de-armas"))
    page, film_page = review.get_absolute_url(), review.film.get_absolute_url()
    real = [
        "/reviews/",
        "/reviews/?genre=drama",
        "/reviews/?person=ana-de-armas",
        "/reviews/?year=2020",
        "/reviews/?rating=3",
        "/films/",
        "/films/?genre=drama",
        "/search/?q=cached",
        "/search/?q=cached&type=reviews",
        "/search/suggest/?q=cached",
        page,
        film_page,
    ]
    for url in real:
        client.get(url)
        assert cached(client, url), url

    odd = [
        *(f"/reviews/?genre=random-{n}" for n in range(5)),
        *(f"/films/?genre=random-{n}&collection=x{n}" for n in range(5)),
        *(f"/reviews/?critic=nobody-{n}" for n in range(5)),
        *(f"/reviews/?person=nobody-{n}" for n in range(5)),
        *(f"/reviews/?page={'0' * n}1" for n in range(5)),
        "/reviews/?page=1",
        "/reviews/?page=99999x",
        "/reviews/?page=99999",
        "/reviews/?year=02020",
        "/reviews/?year=1234x",
        "/films/?year=0002020",
        "/reviews/?rating=3.00",
        "/reviews/?rating=3e0",
        "/reviews/?genre=drama&page=01",
        *(f"/search/?q=zzqx{n}" for n in range(5)),
        "/search/?q=cached++",
        "/search/?q=cached&exact=yes",
        *(f"/search/?q=cached&type=junk{n}" for n in range(5)),
        *(f"/search/?q=cached&page={n}" for n in range(2, 5)),
        *(f"/search/?type=reviews&page={n}" for n in range(2, 5)),
        "/search/?q=cached&type=reviews&page=2",
        *(f"/search/suggest/?q=zzqx{n}" for n in range(5)),
        *(f"{page}?reply_to={n}" for n in range(5)),
        f"{page}?reply_to=x",
    ]
    for url in odd:  # each either served from a real value's copy, or kept nowhere
        response = client.get(url)
        if response.get("X-Page-Cache") != "hit":
            assert response.status_code in (302, 404) or not cached(client, url), url
    for url in real:
        assert cached(client, url), url


def test_a_page_number_sent_on_is_never_kept(client, editor, committed):
    """`?page=3` of a list two pages long redirects to page 2 with no copy kept anywhere: once
    the list grows to three pages, the same link opens page 3."""
    for _ in range(13):
        published()
    for _ in range(3):
        response = client.get("/reviews/?page=3")
        assert response.status_code == 302
        assert response["Location"] == "/reviews/?page=2"
        assert "X-Page-Cache" not in response
        assert "no-cache" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]
    for _ in range(12):
        draft = ReviewFactory()
        with committed():
            draft.publish(by=editor)

    response = client.get("/reviews/?page=3")

    assert response.status_code == 200
    assert "Page 3 of 3" in response.content.decode()


def test_publishing_shows_the_review_at_once(client, review, editor, committed):
    draft = ReviewFactory(headline="Fresh off the press")
    for url in ("/", "/reviews/", "/feed/", "/sitemap-reviews.xml", draft.film.get_absolute_url()):
        client.get(url)
    with committed():
        draft.publish(by=editor)
    for url in ("/", "/reviews/", "/feed/", draft.film.get_absolute_url()):
        assert "Fresh off the press" in client.get(url).content.decode(), url
    assert draft.get_absolute_url() in client.get("/sitemap-reviews.xml").content.decode()
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_the_review_lists_filters_follow_publication_and_film_edits(
    client, review, editor, committed
):
    """The filter choices are cached apart from the page (every page of the list shares them)."""
    draft = ReviewFactory(film=FilmFactory(release_date=datetime.date(1954, 4, 26)))
    assert 'value="1954"' not in client.get("/reviews/").content.decode()
    with committed():
        draft.publish(by=editor)
    assert 'value="1954"' in client.get("/reviews/").content.decode()
    assert 'value="1954"' in client.get("/reviews/?page=1&genre=").content.decode()
    draft.film.release_date = datetime.date(1955, 4, 26)
    with committed():
        draft.film.save()
    listing = client.get("/reviews/").content.decode()
    assert 'value="1955"' in listing
    assert 'value="1954"' not in listing


def test_unpublishing_removes_the_review_everywhere(client, review, editor, committed):
    url = review.get_absolute_url()
    neighbour = published(film=review.film, headline="Neighbour")  # shows review's card
    for page in (url, neighbour.get_absolute_url(), "/", "/reviews/", "/feed/"):
        client.get(page)
    with committed():
        review.unpublish(by=editor)
    assert client.get(url).status_code == 404
    for page in ("/", "/reviews/", "/feed/", "/sitemap-reviews.xml", neighbour.get_absolute_url()):
        assert "Cached headline" not in client.get(page).content.decode(), page


def test_editing_a_review_refreshes_its_pages_and_leaves_other_reviews_cached(
    client, review, committed
):
    elsewhere = published(headline="Elsewhere entirely")
    for url in (review.get_absolute_url(), "/reviews/", elsewhere.get_absolute_url()):
        client.get(url)
    with committed():
        review.headline = "Edited headline"
        review.save()
    assert "Edited headline" in client.get(review.get_absolute_url()).content.decode()
    assert "Edited headline" in client.get("/reviews/").content.decode()
    assert cached(client, elsewhere.get_absolute_url())

    with committed():
        section = review.sections.get()
        section.heading = "Renamed section"
        section.save()
    assert "Renamed section" in client.get(review.get_absolute_url()).content.decode()
    assert cached(client, elsewhere.get_absolute_url())


def test_the_critics_page_follows_publication_and_profile_edits(client, review, editor, committed):
    writer = StaffFactory(first_name="Nia", last_name="Okafor")
    draft = ReviewFactory(author=writer, headline="Okafor on first films")
    assert "Nia Okafor" not in client.get("/critics/").content.decode()
    assert cached(client, "/critics/")
    with committed():
        draft.publish(by=editor)
    assert "Okafor on first films" in client.get("/critics/").content.decode()
    assert cached(client, "/critics/")
    critic = Critic.objects.get(user=writer)
    critic.bio = "Writes from Lagos."
    with committed():
        critic.save()
    assert "Writes from Lagos." in client.get("/critics/").content.decode()
    with committed():
        draft.headline = "Okafor on first films, retitled"
        draft.save()
    assert "Okafor on first films, retitled" in client.get("/critics/").content.decode()
    with committed():
        draft.unpublish(by=editor)
    assert "Nia Okafor" not in client.get("/critics/").content.decode()


def test_saving_a_draft_retires_nothing_public(client, review, committed):
    draft = ReviewFactory(headline="Still a draft", film=review.film)
    for url in ("/", "/reviews/", review.get_absolute_url(), review.film.get_absolute_url()):
        client.get(url)
    with committed():
        draft.dek = "Reworded"
        draft.save()
    for url in ("/", "/reviews/", review.get_absolute_url(), review.film.get_absolute_url()):
        assert cached(client, url), url


def test_a_film_or_person_edit_refreshes_the_pages_showing_them(client, review, committed):
    actor = PersonFactory(name="Ana de Armas")
    CastCreditFactory(film=review.film, person=actor, order=0)
    unrelated = published(film=FilmFactory(title="Unrelated film"), headline="Unrelated")
    pages = [
        review.get_absolute_url(),
        review.film.get_absolute_url(),
        actor.get_absolute_url(),
        unrelated.get_absolute_url(),
    ]
    for url in pages:
        client.get(url)

    with committed():
        actor.name = "Ana Celia de Armas"
        actor.save()
    for url in pages[:3]:
        assert "Ana Celia de Armas" in client.get(url).content.decode(), url
    assert cached(client, unrelated.get_absolute_url())

    with committed():
        film = review.film
        film.title = "Retitled film"
        film.save()
    assert "Retitled film" in client.get(review.get_absolute_url()).content.decode()
    assert "Retitled film" in client.get("/reviews/").content.decode()
    assert cached(client, unrelated.get_absolute_url())


def test_the_reviews_of_a_persons_films_follow_publication_credits_and_renames(
    client, editor, committed
):
    """The list the person page links to (`/reviews/?person=`) is a cached page of its own."""
    actor = PersonFactory(name="Ana de Armas", slug="ana-de-armas")
    film = FilmFactory()
    CastCreditFactory(film=film, person=actor)
    published(film=film, headline="Already out")
    elsewhere = published(headline="Of another film")
    draft = ReviewFactory(film=film, headline="Fresh off the press")
    url = "/reviews/?person=ana-de-armas"
    client.get(url)
    assert cached(client, url)

    with committed():
        draft.publish(by=editor)
    listing = client.get(url).content.decode()
    assert "Fresh off the press" in listing
    assert "Of another film" not in listing

    with committed():
        CrewCreditFactory(film=elsewhere.film, person=actor, job="Producer")
    assert "Of another film" in client.get(url).content.decode()

    with committed():
        actor.name = "Ana Celia de Armas"
        actor.save()
    assert "Reviews of films with Ana Celia de Armas" in client.get(url).content.decode()

    with committed():
        draft.unpublish(by=editor)
    assert "Fresh off the press" not in client.get(url).content.decode()
    assert cached(client, url)


def test_moving_a_section_refreshes_the_review_it_left(client, review, committed):
    other = published(headline="Takes the section")
    unrelated = published(headline="Unrelated")
    pages = [review.get_absolute_url(), other.get_absolute_url(), unrelated.get_absolute_url()]
    for url in pages:
        client.get(url)
    with committed():
        section = review.sections.get()
        section.review = other
        section.save()
    assert "Only section" not in client.get(review.get_absolute_url()).content.decode()
    assert "Only section" in client.get(other.get_absolute_url()).content.decode()
    assert cached(client, unrelated.get_absolute_url())


@pytest.mark.parametrize("factory", [CastCreditFactory, CrewCreditFactory])
def test_moving_a_credit_refreshes_the_film_and_person_it_left(client, committed, factory):
    first, second = FilmFactory(title="First film"), FilmFactory(title="Second film")
    actor, stand_in = PersonFactory(name="Original Actor"), PersonFactory(name="Stand In")
    credit = factory(film=first, person=actor)
    unrelated = published(film=FilmFactory(title="Unrelated film"), headline="Unrelated")
    pages = [first, second, actor, stand_in, unrelated]
    for page in pages:
        client.get(page.get_absolute_url())
    with committed():
        credit.film = second
        credit.person = stand_in
        credit.save()
    assert "Original Actor" not in client.get(first.get_absolute_url()).content.decode()
    assert "Stand In" in client.get(second.get_absolute_url()).content.decode()
    assert "First film" not in client.get(actor.get_absolute_url()).content.decode()
    assert "Second film" in client.get(stand_in.get_absolute_url()).content.decode()
    assert cached(client, unrelated.get_absolute_url())


def test_a_scheduled_review_appears_when_due_without_a_save(
    client, review, editor, committed, settings
):
    settings.MARQUEE_FRONT_CACHE_SECONDS = 24 * 3600
    scheduled = ReviewFactory(headline="Coming soon")
    with committed():
        scheduled.publish(by=editor, at=timezone.now() + datetime.timedelta(minutes=30))
    assert "Coming soon" not in client.get("/reviews/").content.decode()
    assert client.get(scheduled.get_absolute_url()).status_code == 404
    # The front cache may keep pages until then, no longer.
    assert 1700 < int(client.get("/")["Cache-Control"].split("s-maxage=")[1]) <= 1800
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=31)):
        assert "Coming soon" in client.get("/reviews/").content.decode()
        assert client.get(scheduled.get_absolute_url()).status_code == 200


def moderator():
    return user_in_group("Moderators")


@pytest.mark.parametrize(
    "status", [Comment.Status.PENDING, Comment.Status.SPAM, Comment.Status.REJECTED]
)
def test_a_comment_nobody_sees_changes_no_cached_page(client, review, committed, status):
    other = published(headline="Another review")
    urls = [review.get_absolute_url(), other.get_absolute_url(), "/", "/reviews/", "/feed/"]
    before = {url: client.get(url)["Last-Modified"] for url in urls}
    with committed():
        comment = Comment.objects.create(
            review=review, name="Bot", email="bot@example.com", body="Cheap pills", status=status
        )
        comment.body = "Cheaper pills"
        comment.save()
    with committed():
        moderation.reject(comment, by=moderator())  # from hidden to hidden
    for url in urls:
        count, response = get(client, url)
        assert count == 0, url
        assert response["Last-Modified"] == before[url], url


def test_approving_a_comment_refreshes_its_review_page_only(client, review, committed):
    other = published(headline="Another review")
    comment = Comment.objects.create(
        review=review, name="Ada", email="ada@example.com", body="A pending thought."
    )
    urls = [review.get_absolute_url(), other.get_absolute_url(), "/", "/reviews/"]
    for url in urls:
        client.get(url)
    with committed():
        moderation.approve(comment, by=moderator())
    assert "A pending thought." in client.get(review.get_absolute_url()).content.decode()
    for url in urls[1:]:
        assert cached(client, url), url

    with committed():  # editing a shown comment shows the edit
        comment.refresh_from_db()
        comment.body = "A considered thought."
        comment.save()
    assert "A considered thought." in client.get(review.get_absolute_url()).content.decode()
    with committed():
        moderation.delete(comment, by=moderator())
    assert "A considered thought." not in client.get(review.get_absolute_url()).content.decode()
    for url in urls[1:]:
        assert cached(client, url), url


def test_conditional_get_answers_304(client, review):
    url = review.film.get_absolute_url()
    first = client.get(url)
    etag, last_modified = first["ETag"], first["Last-Modified"]
    by_etag = client.get(url, headers={"If-None-Match": etag})
    assert by_etag.status_code == 304
    assert by_etag.content == b""
    assert by_etag["ETag"] == etag
    assert client.get(url, headers={"If-Modified-Since": last_modified}).status_code == 304
    assert client.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200


def test_a_change_makes_the_old_etag_stale(client, review, committed):
    url = review.film.get_absolute_url()
    etag = client.get(url)["ETag"]
    with committed():
        film = review.film
        film.tagline = "A brand new tagline"
        film.save()
    response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "A brand new tagline" in response.content.decode()


def test_signed_in_users_bypass_the_cache(client, review):
    client.get("/reviews/")
    client.force_login(StaffFactory())
    count, response = get(client, "/reviews/")
    assert count > 0
    assert response["Cache-Control"].startswith("private")


def test_pending_messages_bypass_the_cache(client, review):
    client.get(review.get_absolute_url())
    client.cookies["messages"] = "anything"
    count, response = get(client, review.get_absolute_url())
    assert count > 0
    assert response["Cache-Control"].startswith("private")


def test_a_cached_review_page_still_takes_comments(review, settings):
    settings.MARQUEE_COMMENTS_MIN_SECONDS = 0
    Client().get(review.get_absolute_url())  # someone else fills the cache
    reader = Client(enforce_csrf_checks=True)
    count, response = get(reader, review.get_absolute_url())
    assert count == 0
    tokens_url = re.search(r'data-tokens-url="([^"]+)"', response.content.decode()).group(1)
    tokens = reader.get(tokens_url).json()
    posted = reader.post(
        f"{review.get_absolute_url()}comments/",
        {
            **tokens,
            "name": "Ada",
            "email": "ada@example.com",
            "body": "From a cached page.",
            "website": "",
        },
    )
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

    @cache_page
    def with_a_token(request):
        renders.append(1)
        return HttpResponse(f"token {get_token(request)}")

    @cache_page
    def with_the_nonce(request):
        renders.append(1)
        return HttpResponse(f"nonce {get_nonce(request)}")

    for view in (with_a_token, with_the_nonce):
        for _ in range(2):
            request = rf.get(f"/{view.__name__}/")
            request.user = AnonymousUser()
            response = ContentSecurityPolicyMiddleware(view)(request)
            assert response["Cache-Control"] == "private, no-cache"
    assert len(renders) == 4


@pytest.mark.parametrize("url", ["review", "/", "/feed/", "/sitemap-reviews.xml"])
def test_pages_feeds_and_sitemaps_are_gzipped_for_clients_that_accept_it(client, review, url):
    import gzip

    url = review.get_absolute_url() if url == "review" else url
    plain = client.get(url)
    for _ in range(2):  # as stored, then from the cache
        zipped = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
        assert zipped["Content-Encoding"] == "gzip"
        assert gzip.decompress(zipped.content) == plain.content
        assert "Accept-Encoding" in zipped["Vary"]
        assert zipped["ETag"] != plain["ETag"]
    assert "Content-Encoding" not in plain


def test_personal_pages_are_never_compressed(client, review):
    client.force_login(StaffFactory())
    response = client.get(review.get_absolute_url(), headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in response
