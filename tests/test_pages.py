"""The public pages, as a reader sees them: home, review, film, person, genre, errors."""

import datetime
import json
import re

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.db.models import FETCH_RAISE, query
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.html import Element, parse_html
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from films.models import Department
from pagecache.pages import page_key
from reviews.critics import Critic
from reviews.models import Review
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
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


BALLERINA_HEADINGS = [
    "Plot: A Dance of Vengeance and Betrayal",
    "Ana de Armas: A Star in Motion",
    "Choreography and Action: The Dance of Death",
    "The Villains: Deadly, Dangerous, and Relentless",
    "The Cinematic Style: A Beautiful, Brutal World",
    "Conclusion: A Beautifully Brutal Action Masterpiece",
]


# A little reading kit: parse the page, find elements, read their text. ----------------------


def page(response) -> Element:
    assert response.status_code == 200, response.status_code
    return parse_html(response.content.decode())


def find_all(node, tag: str | None = None, *, cls: str | None = None, **attrs) -> list[Element]:
    """Every element under `node` with this tag, class and attributes, in document order."""
    found = []
    for child in getattr(node, "children", []):
        if not isinstance(child, Element):
            continue
        attributes = dict(child.attributes)
        if (
            (tag is None or child.name == tag)
            and (cls is None or cls in (attributes.get("class") or "").split())
            and all(attributes.get(name) == value for name, value in attrs.items())
        ):
            found.append(child)
        found.extend(find_all(child, tag, cls=cls, **attrs))
    return found


def find(node, tag: str | None = None, **kwargs) -> Element:
    found = find_all(node, tag, **kwargs)
    assert found, f"no <{tag or '*'} {kwargs}> on the page"
    return found[0]


def text(node) -> str:
    """The text a reader sees in `node`, whitespace collapsed."""
    if isinstance(node, str):
        return node
    parts = [text(child) for child in node.children]
    return re.sub(r"\s+", " ", " ".join(parts)).strip()


def attr(node: Element, name: str) -> str | None:
    return dict(node.attributes).get(name)


def links(node) -> list[tuple[str, str]]:
    return [(text(a), attr(a, "href")) for a in find_all(node, "a")]


def main_of(response) -> Element:
    return find(page(response), "main")


# Content helpers ----------------------------------------------------------------------------------


def published(**kwargs) -> Review:
    return ReviewFactory(published=True, **kwargs)


@pytest.fixture
def film():
    """A film with everything a film box shows."""
    film = FilmFactory(
        title="Ballerina",
        release_date=datetime.date(2025, 6, 6),
        runtime=125,
        certification="15",
        genres=[GenreFactory(name="Action"), GenreFactory(name="Thriller")],
    )
    CrewCreditFactory(film=film, person=PersonFactory(name="Len Wiseman"), job="Director")
    CrewCreditFactory(
        film=film,
        person=PersonFactory(name="Shay Hatten"),
        department=Department.WRITING,
        job="Screenplay",
    )
    for order, (name, character) in enumerate(
        [
            ("Ana de Armas", "Eve Macarro"),
            ("Keanu Reeves", "John Wick"),
            ("Ian McShane", "Winston"),
            ("Anjelica Huston", "The Director"),
            ("Gabriel Byrne", "The Chancellor"),
            ("Lance Reddick", "Charon"),
        ]
    ):
        CastCreditFactory(
            film=film, person=PersonFactory(name=name), character=character, order=order
        )
    return film


@pytest.fixture
def review(film):
    author = StaffFactory(username="critic", first_name="Mara", last_name="Lind")
    review = published(
        film=film,
        author=author,
        headline="A deadly dance",
        dek="Grace and vengeance",
        rating="4.5",
        verdict="Brutal and beautiful.",
        published_at=datetime.datetime(2025, 1, 26, 9, 0, tzinfo=timezone.get_current_timezone()),
    )
    SectionFactory(review=review, heading="The plot", position=0)
    SectionFactory(
        review=review, heading="The ending", position=1, is_spoiler=True, body="She *wins*."
    )
    SectionFactory(review=review, heading="Conclusion", position=2)
    return review


# The front page and the review list ---------------------------------------------------------------


def review_titles(main) -> list[str]:
    return [
        text(find(card, cls="card__title")) for card in find_all(main, "article", cls="review-card")
    ]


def test_every_page_has_the_site_frame(client):
    response = client.get("/")
    html = response.content.decode()
    document = page(response)

    assert html.startswith('<!doctype html>\n<html lang="en">')
    head = find(document, "head")
    assert attr(find(head, "meta", name="viewport"), "content") == (
        "width=device-width, initial-scale=1"
    )
    stylesheets = [attr(link, "href") for link in find_all(head, "link", rel="stylesheet")]
    assert stylesheets == ["/static/css/site.css"]
    assert attr(find(head, "link", rel="canonical"), "href") == "http://testserver/"
    assert attr(find(head, "meta", property="og:site_name"), "content") == "Marquee"
    assert attr(find(head, "meta", name="twitter:card"), "content") == "summary"
    assert attr(find(head, "link", type="application/rss+xml"), "href") == "/feed/"
    # Everything is served by the site itself; the one script is the search box's suggestions,
    # a static file (no inline script, so no nonce, and the page stays one cacheable copy).
    assert re.findall(r"<script[^>]*>", html) == [
        '<script src="/static/js/search-suggest.js" defer>'
    ]
    assert not re.search(r'src="(?:https?:)?//', html)
    skip_link = find(document, "a", cls="skip-link")
    assert attr(skip_link, "href") == "#main"
    assert attr(find(document, "main"), "id") == "main"
    header = find(document, "header", cls="site-header")
    assert ("Marquee", "/") in links(header)
    assert links(find(header, "nav")) == [
        ("Reviews", "/reviews/"),
        ("Films", "/films/"),
        ("Critics", "/critics/"),
    ]
    search = find(header, "form", role="search")
    assert attr(search, "action") == "/search/"
    assert find(document, "footer", cls="site-footer")


def test_home_shows_the_featured_review_latest_reviews_and_recent_films(client):
    now = timezone.now()
    older = published(headline="Older review", published_at=now - datetime.timedelta(days=3))
    ReviewFactory(headline="Featured draft", featured=True)  # featured before, since unpublished
    featured = published(
        headline="The big one", featured=True, published_at=now - datetime.timedelta(days=10)
    )
    newer = published(headline="Newer review", published_at=now - datetime.timedelta(hours=1))
    FilmFactory(title="Unreviewed new film", release_date=datetime.date(2026, 1, 1))

    main = main_of(client.get("/"))

    featured_box = find(main, "section", cls="page-section--featured")
    assert review_titles(featured_box) == [featured.headline]
    assert review_titles(main) == [featured.headline, newer.headline, older.headline]
    assert ("Newer review", newer.get_absolute_url()) in links(main)
    assert ("All reviews →", "/reviews/") in links(main)
    films = find(main, "section", **{"aria-labelledby": "films-title"})
    assert "Unreviewed new film" in text(films)
    assert "Featured draft" not in text(main)


def test_without_a_featured_review_the_newest_leads(client):
    now = timezone.now()
    published(headline="Older review", published_at=now - datetime.timedelta(days=3))
    published(headline="Newer review", published_at=now - datetime.timedelta(hours=1))

    main = main_of(client.get("/"))

    assert review_titles(find(main, "section", cls="page-section--featured")) == ["Newer review"]


def make_every_state():
    now = timezone.now()
    published(headline="Out now")
    published(
        headline="Scheduled, and due",
        status=Review.Status.SCHEDULED,
        published_at=now - datetime.timedelta(minutes=5),
    )
    ReviewFactory(headline="A draft", featured=True)
    ReviewFactory(headline="Being edited", status=Review.Status.IN_REVIEW)
    ReviewFactory(
        headline="Out next week",
        status=Review.Status.SCHEDULED,
        published_at=now + datetime.timedelta(days=7),
        featured=True,
    )
    ReviewFactory(
        headline="Taken down",
        status=Review.Status.ARCHIVED,
        published_at=now - datetime.timedelta(days=30),
    )


@pytest.mark.parametrize("url", ["/", "/reviews/"])
def test_lists_hide_what_is_not_public(client, url):
    make_every_state()

    main = main_of(client.get(url))

    assert sorted(review_titles(main)) == ["Out now", "Scheduled, and due"]


def test_a_review_card_shows_film_rating_date_and_author(client, film):
    author = StaffFactory(first_name="Mara", last_name="Lind")
    published(
        film=film,
        author=author,
        headline="A deadly dance",
        dek="Grace and vengeance",
        rating="3.5",
        published_at=datetime.datetime(2025, 1, 26, 9, tzinfo=timezone.get_current_timezone()),
    )

    card = find(main_of(client.get("/reviews/")), "article", cls="review-card")

    assert "Ballerina (2025)" in text(find(card, cls="kicker"))
    assert text(find(card, cls="card__dek")) == "Grace and vengeance"
    assert "Rated 3.5 out of 5" in text(card)
    assert attr(find(card, "time"), "datetime") == "2025-01-26T09:00:00+00:00"
    assert "26 January 2025 · Mara Lind" in text(card)
    # No poster: the typeset placeholder stands in, hidden from screen readers.
    assert attr(find(card, cls="poster--placeholder"), "aria-hidden") == "true"


def test_home_and_list_have_an_empty_state(client):
    main = main_of(client.get("/"))
    assert "No reviews yet" in text(main)
    assert ("browse the films", reverse("films:list")) in links(main)
    assert "No reviews yet" in text(main_of(client.get("/reviews/")))


def test_the_review_list_shows_twelve_reviews_a_page_newest_first(client):
    now = timezone.now()
    reviews = [published(published_at=now - datetime.timedelta(days=n)) for n in range(13)]

    first, second = main_of(client.get("/reviews/")), main_of(client.get("/reviews/?page=2"))

    assert review_titles(first) == [r.headline for r in reviews[:12]]
    assert review_titles(second) == [reviews[12].headline]
    assert "Page 1 of 2" in text(first)
    pager = links(find(first, "nav", cls="pagination"))
    assert pager == [
        ("Page 1", "?"),
        ("Page 2", "?page=2"),
        ("Next ›", "?page=2"),
        ("Last »", "?page=2"),
    ]
    assert links(find(second, "nav", cls="pagination")) == [
        ("« First", "?"),
        ("‹ Previous", "?"),
        ("Page 1", "?"),
        ("Page 2", "?page=2"),
    ]


def test_the_review_list_filters_by_genre_year_rating_and_critic(client):
    action, drama = GenreFactory(name="Action"), GenreFactory(name="Drama")
    mara = UserFactory(username="mara", first_name="Mara", last_name="Lind")
    old_action = FilmFactory(release_date=datetime.date(1995, 5, 5), genres=[action])
    new_drama = FilmFactory(release_date=datetime.date(2024, 5, 5), genres=[drama])
    a = published(headline="Old action, 4 stars", film=old_action, rating="4.0", author=mara)
    b = published(headline="New drama, 2.5 stars", film=new_drama, rating="2.5")
    ReviewFactory(headline="Draft drama", film=new_drama, rating="5.0", author=mara)

    def titles(query):
        response = client.get(f"/reviews/?{query}")
        return sorted(review_titles(main_of(response)))

    assert titles("genre=action") == [a.headline]
    assert titles("genre=drama") == [b.headline]
    assert titles("year=2024") == [b.headline]
    assert titles("rating=3") == [a.headline]
    assert titles("rating=2.5") == sorted([a.headline, b.headline])
    # Critics are named by their page's slug, never by their username.
    assert titles("critic=mara-lind") == [a.headline]
    assert titles("genre=drama&critic=mara-lind") == []
    assert titles("author=mara") == sorted([a.headline, b.headline])  # not a filter
    # The filter form keeps the choice, and offers only what published reviews have.
    form = find(main_of(client.get("/reviews/?genre=action")), "form", cls="filters")
    assert attr(find(form, "option", value="action"), "selected") is None
    assert "selected" in [name for name, _ in find(form, "option", value="action").attributes]
    assert [attr(o, "value") for o in find_all(find(form, "select", name="year"), "option")] == [
        "",
        "2024",
        "1995",
    ]


@pytest.mark.parametrize(
    "query",
    [
        "genre=no-such-genre",
        "genre=%00",
        "year=abc",
        "year=99999999999999999999",
        "rating=9",
        "rating=abc",
        "rating=sNaN",
        "rating=NaN",
        "rating=Infinity",
        "critic=nobody",
        "critic=%27%3B--",
        "critic=%00",
        "person=nobody",
        "person=%00",
        "genre=" + "x" * 3000,
        "year=-5",
    ],
)
def test_odd_filter_values_are_not_found(client, query):
    """Never a server error, nor more of the value than a short clip (a NUL, 3,000
    characters)."""
    published()
    response = client.get(f"/reviews/?{query}")
    assert response.status_code == 404
    assert "\x00" not in response.content.decode()
    assert "x" * 24 not in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "genre=%00",
        "collection=%00",
        "genre=no-such",
        "collection=x%20y",
        "year=%00",
        "year=abc",
    ],
)
def test_odd_film_filters_give_a_page_or_not_found(client, query):
    FilmFactory()
    assert client.get(f"/films/?{query}").status_code in (200, 404)


def two_pages_of_each_list() -> dict[str, str]:
    """{list: its address}, each list two pages long: 13 reviews (12 a page) of 25 films (24),
    by one critic, filed under one tag."""
    critic = UserFactory(first_name="Mara", last_name="Lind")
    tag = TagFactory(name="Revenge")
    for _ in range(13):
        published(author=critic, tags=[tag])
    for _ in range(12):
        FilmFactory()
    return {
        "reviews": "/reviews/",
        "films": "/films/",
        "critic": Critic.objects.for_user(critic).get_absolute_url(),
        "tag": tag.get_absolute_url(),
    }


def pager_link(response, label: str) -> str:
    return dict(links(find(main_of(response), "nav", cls="pagination")))[label]


def test_a_page_number_that_is_no_page_leads_to_the_list(client):
    """A mistyped link (`?page=abc`, `?page=0`) sends the reader to the list's first page."""
    for address in two_pages_of_each_list().values():
        for number in ("abc", "0", "000", "-1", "1.5", "%00", "%C2%B2", "%2B2"):
            response = client.get(f"{address}?page={number}&utm_source=x")

            assert response.status_code == 302, (address, number)
            assert response["Location"] == address
        assert "Page 1 of 2" in text(main_of(client.get(response["Location"])))


def test_a_page_past_the_last_leads_to_the_last_page(client):
    """A stale link to page 99 of a list now two pages long opens page 2, its filters kept."""
    for name, address in two_pages_of_each_list().items():
        last = pager_link(client.get(address), "Last »")

        response = client.get(f"{address}?page=99")

        assert response.status_code == 302, name
        assert response["Location"] == f"{address}{last}"
        assert "Page 2 of 2" in text(main_of(client.get(response["Location"])))
        assert client.get(f"{address}?page=last")["Location"] == f"{address}{last}"
    drama = GenreFactory(name="Drama", slug="drama")
    for review in Review.objects.all():
        review.film.genres.add(drama)
    filtered = client.get("/reviews/?genre=drama&page=7&utm_source=x")
    assert filtered["Location"] == "/reviews/?genre=drama&page=2"
    # A list of one page has no last page but itself.
    assert client.get("/reviews/?genre=drama&year=1900&page=2")["Location"] == (
        "/reviews/?genre=drama&year=1900"
    )


def test_home_ignores_a_page_parameter(client):
    published(headline="Only one")
    assert "Only one" in text(main_of(client.get("/?page=abc")))


@pytest.mark.parametrize("url", ["/", "/reviews/", "/reviews/?genre=action&rating=3"])
def test_list_query_counts_do_not_grow_with_reviews(client, url):
    action = GenreFactory(name="Action")

    def count():
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    published(rating="4.0", film=FilmFactory(genres=[action]))
    small = count()
    for n in range(15):
        published(
            rating="4.0", film=FilmFactory(genres=[action]), featured=n < 2, author=UserFactory()
        )
    assert count() == small
    assert small <= 7


# The review page ----------------------------------------------------------------------------------


def test_the_review_page_shows_headline_dek_byline_date_and_rating(client, review):
    main = main_of(client.get(review.get_absolute_url()))

    assert [text(h) for h in find_all(main, "h1")] == ["A deadly dance"]
    assert text(find(main, cls="review-header__dek")) == "Grace and vengeance"
    assert text(find(main, cls="byline")) == "By Mara Lind"
    time = find(find(main, cls="review-header"), "time")
    assert (attr(time, "datetime"), text(time)) == ("2025-01-26T09:00:00+00:00", "26 January 2025")
    assert "Rated 4.5 out of 5" in text(find(main, cls="scorecard"))
    assert "Brutal and beautiful." in text(find(main, cls="scorecard__verdict"))
    assert "min read" in text(find(main, cls="review-body__reading"))


def test_the_byline_never_falls_back_to_the_username(client):
    # A review made public around the workflow (the workflow would refuse an author without a
    # display name) is credited to the site's staff, never to the account.
    review = published(author=UserFactory(username="zq-anon-42", first_name="", last_name=""))

    response = client.get(review.get_absolute_url())

    assert text(find(main_of(response), cls="byline")) == "By Marquee staff"
    assert "zq-anon-42" not in response.content.decode()


def test_the_film_box_links_to_the_film_its_director_and_top_cast(client, review, film):
    box = find(main_of(client.get(review.get_absolute_url())), cls="film-box")

    assert ("Ballerina", film.get_absolute_url()) in links(box)
    facts = {text(find(div, "dt")): find(div, "dd") for div in find_all(find(box, "dl"), "div")}
    assert text(facts["Year"]) == "2025"
    assert text(facts["Runtime"]) == "2 h 5 min"
    assert text(facts["Certificate"]) == "15"
    director = film.crew_credits.get(job="Director").person
    assert links(facts["Director"]) == [("Len Wiseman", director.get_absolute_url())]
    top_cast = [credit.person for credit in film.cast_credits.order_by("order")[:5]]
    assert links(facts["Starring"]) == [(p.name, p.get_absolute_url()) for p in top_cast]
    assert [name for name, _ in links(facts["Genres"])] == ["Action", "Thriller"]


def test_the_film_box_bills_the_cast_by_order_and_leaves_out_what_a_film_lacks(client):
    bare = published(film=FilmFactory(title="Bare", runtime=None, certification=""))
    box = find(main_of(client.get(bare.get_absolute_url())), cls="film-box")
    labels = [text(find(div, "dt")) for div in find_all(find(box, "dl"), "div")]
    assert not {"Director", "Directors", "Starring", "Genre", "Genres"} & set(labels)

    film = FilmFactory(title="Billed")
    for order in (6, 2, 0, 5, 1, 4, 3):  # created out of billing order
        CastCreditFactory(film=film, person=PersonFactory(name=f"Actor {order}"), order=order)
    for name in ("Second Director", "First Director"):
        CrewCreditFactory(film=film, person=PersonFactory(name=name), job="Director")
    review = published(film=film)
    box = find(main_of(client.get(review.get_absolute_url())), cls="film-box")
    facts = {text(find(div, "dt")): find(div, "dd") for div in find_all(find(box, "dl"), "div")}
    assert [name for name, _ in links(facts["Starring"])] == [f"Actor {n}" for n in range(5)]
    assert [name for name, _ in links(facts["Directors"])] == ["Second Director", "First Director"]


def test_the_table_of_contents_links_to_every_section(client, review):
    main = main_of(client.get(review.get_absolute_url()))

    toc = links(find(main, "nav", cls="toc__nav"))
    headings = [(text(h), attr(h, "id")) for h in find_all(find(main, cls="prose"), "h2")]
    assert [label for label, _ in toc] == ["The plot", "The ending", "Conclusion"]
    assert toc == [(heading, f"#{anchor}") for heading, anchor in headings]
    assert [anchor for _, anchor in headings] == ["the-plot", "the-ending", "conclusion"]


def test_the_intro_and_sections_are_rendered_in_order(client, review):
    response = client.get(review.get_absolute_url())
    prose = find(main_of(response), cls="prose")

    intro = find(prose, cls="review-intro")
    assert [text(p) for p in find_all(intro, "p")] == ["An intro paragraph.", "And a second one."]
    assert b"An <em>intro</em> paragraph." in response.content
    sections = find_all(prose, "section", cls="review-section")
    assert [text(find(s, "h2")) for s in sections] == ["The plot", "The ending", "Conclusion"]
    assert b"A paragraph of <strong>body</strong> text." in response.content


def test_a_spoiler_section_is_folded_away(client, review):
    sections = find_all(
        main_of(client.get(review.get_absolute_url())), "section", cls="review-section"
    )

    spoiler = sections[1]
    details = find(spoiler, "details")
    assert text(find(details, "summary")) == "Spoiler"
    assert "She wins ." in text(details)
    assert not find_all(sections[0], "details")


def test_the_review_page_has_canonical_and_open_graph_tags(client, review):
    response = client.get(review.get_absolute_url() + "?utm_source=feed")
    head = find(page(response), "head")

    canonical = f"http://testserver{review.get_absolute_url()}"
    assert attr(find(head, "link", rel="canonical"), "href") == canonical
    assert attr(find(head, "meta", property="og:url"), "content") == canonical
    assert attr(find(head, "meta", property="og:type"), "content") == "article"
    assert attr(find(head, "meta", property="og:title"), "content") == "A deadly dance"
    assert text(find(head, "title")).startswith("A deadly dance — ")


@pytest.mark.parametrize(
    ("status", "days_ahead"),
    [
        (Review.Status.DRAFT, None),
        (Review.Status.IN_REVIEW, None),
        (Review.Status.SCHEDULED, 3),
        (Review.Status.ARCHIVED, -3),
    ],
)
def test_a_review_that_is_not_public_is_not_found(client, status, days_ahead):
    when = timezone.now() + datetime.timedelta(days=days_ahead) if days_ahead else None
    review = ReviewFactory(status=status, published_at=when)

    response = client.get(review.get_absolute_url())

    assert response.status_code == 404
    assert review.headline.encode() not in response.content


def test_a_scheduled_review_is_public_once_due(client):
    review = ReviewFactory(
        status=Review.Status.SCHEDULED, published_at=timezone.now() - datetime.timedelta(minutes=1)
    )

    assert client.get(review.get_absolute_url()).status_code == 200


def test_the_review_page_runs_the_same_queries_however_long_the_review(client):
    def review_with(sections: int, credits: int) -> Review:
        film = FilmFactory(genres=[GenreFactory(name="Drama"), GenreFactory(name="Crime")])
        for n in range(credits):
            CastCreditFactory(film=film, order=n)
            CrewCreditFactory(film=film, job="Director" if n < 2 else f"Job {n}")
        review = published(film=film)
        for n in range(sections):
            SectionFactory(review=review, position=n, is_spoiler=n % 3 == 0)
        return review

    small, large = review_with(sections=2, credits=2), review_with(sections=12, credits=30)

    def queries_for(review: Review) -> tuple[int, int]:
        """Queries of a cold view (renders and caches the article) and of a view with the page
        cache empty but the article's fragment warm."""
        counts, pages = [], []
        cache.clear()
        for _ in range(2):
            cache.delete(page_key(RequestFactory().get(review.get_absolute_url())))
            with CaptureQueriesContext(connection) as queries:
                response = client.get(review.get_absolute_url())
            assert response.status_code == 200
            counts.append(len(queries))
            # The same page, but for the comment form's stamp of when it was made.
            pages.append(re.sub(rb'name="form_shown" value="[^"]*"', b"", response.content))
        assert pages[0] == pages[1]
        return tuple(counts)

    # Cold: the review's row, then with its film and author; sections, tags, genres, top cast
    # and directors for the article; the films close to this one, their reviews and the
    # same-genre fill; approved comments. With the fragments warm: the review's row.
    cold, warm = queries_for(small)
    assert (cold, warm) == queries_for(large)
    assert cold <= 11
    assert warm == 1


def test_the_imported_ballerina_review_page(client, seed_film_path, seed_review_path):
    call_command("import_film", str(seed_film_path))
    film_slug = "ballerina"
    StaffFactory(username="editor", first_name="Ed", last_name="Itor")
    call_command(
        "import_review",
        str(seed_review_path),
        "--film",
        film_slug,
        "--author",
        "editor",
        "--publish",
    )
    review = Review.objects.get()

    response = client.get(review.get_absolute_url())
    main = main_of(response)

    assert text(find(main, "h1")) == "BALLERINA: A JOHN WICK Story"
    assert text(find(main, cls="review-header__dek")) == (
        "A Fierce, Graceful Revenge Tale Set in the Underworld"
    )
    assert text(find(find(main, cls="review-header"), "time")) == "26 January 2025"
    toc = links(find(main, "nav", cls="toc__nav"))
    assert [label for label, _ in toc] == BALLERINA_HEADINGS
    assert toc[0][1] == "#plot-a-dance-of-vengeance-and-betrayal"
    section_ids = [attr(h, "id") for h in find_all(find(main, cls="prose"), "h2")]
    assert [href for _, href in toc] == [f"#{anchor}" for anchor in section_ids]
    box = find(main, cls="film-box")
    assert "Len Wiseman" in [name for name, _ in links(box)]
    assert "Ana de Armas" in [name for name, _ in links(box)]
    assert b"<em>John Wick</em>" in response.content

    data = json_ld(response)
    assert data["@type"] == "Review"
    assert data["itemReviewed"]["@type"] == "Movie"
    assert data["itemReviewed"]["name"] == "Ballerina"
    assert [d["name"] for d in data["itemReviewed"]["director"]] == ["Len Wiseman"]
    assert data["itemReviewed"]["dateCreated"] == "2025-06-06"
    assert data["itemReviewed"]["duration"] == "PT2H5M"
    assert data["author"]["name"] == "Ed Itor"
    assert data["datePublished"].startswith("2025-01-26")
    assert data["publisher"]["name"] == "Marquee"
    description = data["description"]
    assert description == (
        "Ballerina (2025) is a thrilling action-packed film that combines the elegance of ballet"
        " with the brutal intensity of a revenge story."
    )
    assert description in text(find(main, cls="review-intro"))
    head = find(page(response), "head")
    assert attr(find(head, "meta", name="description"), "content") == description


# JSON-LD, related reviews, tags -------------------------------------------------------------------


def json_ld(response, index=0) -> dict:
    blocks = re.findall(
        r'<script type="application/ld\+json"[^>]*>(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert blocks, "no JSON-LD on the page"
    return json.loads(blocks[index])


def test_the_review_json_ld_describes_review_film_rating_author_and_publisher(client, review, film):
    data = json_ld(client.get(review.get_absolute_url()))

    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Review"
    assert data["url"] == f"http://testserver{review.get_absolute_url()}"
    movie = data["itemReviewed"]
    assert movie["@type"] == "Movie"
    assert movie["name"] == "Ballerina"
    assert [p["name"] for p in movie["director"]] == ["Len Wiseman"]
    assert movie["dateCreated"] == "2025-06-06"
    assert movie["duration"] == "PT2H5M"
    assert movie["genre"] == ["Action", "Thriller"]
    assert data["reviewRating"] == {
        "@type": "Rating",
        "ratingValue": 4.5,
        "bestRating": 5,
        "worstRating": 0.5,
    }
    # Google wants a real name and a page about the person, not an account name.
    assert data["author"] == {
        "@type": "Person",
        "name": "Mara Lind",
        "url": "http://testserver/critics/mara-lind/",
    }
    assert data["datePublished"].startswith("2025-01-26T09:00:00")
    assert data["publisher"]["@type"] == "Organization"
    # The description is the review's own words (the intro), not the headline.
    assert data["description"] == "An intro paragraph."


def test_the_description_is_at_most_200_characters_of_the_intro_verbatim(client, film):
    intro = ("Word " * 80).strip() + "."
    review = published(film=film, intro=intro)
    description = json_ld(client.get(review.get_absolute_url()))["description"]
    assert 150 < len(description) <= 200
    assert intro.startswith(description)


def test_json_ld_stays_valid_with_quotes_and_script_tags_in_titles(client):
    nasty = 'The "Quoted" </script><script>alert(1)</script> & <b>'
    film = FilmFactory(title=nasty)
    CrewCreditFactory(film=film, person=PersonFactory(name="Dir </script>"), job="Director")
    review = published(film=film, headline=nasty, dek=nasty)

    for url in (review.get_absolute_url(), film.get_absolute_url()):
        response = client.get(url)
        html = response.content.decode()
        assert "<script>alert(1)" not in html
        data = json_ld(response)
        name = data["name"] if data["@type"] == "Movie" else data["itemReviewed"]["name"]
        assert name == nasty


def test_cards_and_posters_escape_what_editors_typed(client):
    nasty = 'The "Quoted" </script><script>alert(1)</script> & <b>'
    film = FilmFactory(title=nasty, release_date=datetime.date(2025, 6, 6))
    published(
        film=film,
        headline=nasty,
        dek=nasty,
        author=UserFactory(first_name="<i>Pat</i>", last_name="&"),
    )
    published(film=film, headline="Second opinion")  # shows the first as a related card

    for url in (
        "/",
        reverse("reviews:list"),
        reverse("films:list"),
        film.get_absolute_url(),
        "/reviews/second-opinion/",
    ):
        html = client.get(url).content.decode()
        for raw in ("<script>alert(1)", "<b>", "<i>Pat"):
            assert raw not in html, url
        assert "The &quot;Quoted&quot; &lt;/script&gt;" in html, url
    card = find(main_of(client.get("/reviews/second-opinion/")), "section", cls="related")
    assert nasty in text(card)
    assert "<i>Pat</i> &" in text(card)


def test_the_film_page_json_ld_is_a_movie(client, film):
    data = json_ld(client.get(film.get_absolute_url()))

    assert data["@type"] == "Movie"
    assert [p["name"] for p in data["director"]] == ["Len Wiseman"]
    assert [p["name"] for p in data["actor"]][:2] == ["Ana de Armas", "Keanu Reeves"]
    assert data["duration"] == "PT2H5M"
    assert data["genre"] == ["Action", "Thriller"]
    assert data["dateCreated"] == "2025-06-06"


def test_json_ld_image_is_the_poster(client, film):
    from tests.factories import image_upload, poster_image

    film.poster = poster_image(image_upload())
    film.save()
    data = json_ld(client.get(film.get_absolute_url()))
    assert data["image"].startswith("http://testserver/media/library/")
    head = find(page(client.get(film.get_absolute_url())), "head")
    assert attr(find(head, "meta", name="twitter:card"), "content") == "summary_large_image"


def test_related_reviews_share_film_collection_genre_or_people_and_are_public(client, review, film):
    saga = CollectionFactory(name="Wick Collection")
    film.collection = saga
    film.save()
    same_film = published(film=film, headline="Same film, second opinion")
    same_saga = published(film=FilmFactory(collection=saga), headline="Same saga")
    same_genre = published(
        film=FilmFactory(genres=[GenreFactory(name="Thriller")]), headline="Same genre"
    )
    director = film.crew_credits.get(job="Director").person
    same_director = FilmFactory(genres=[GenreFactory(name="Comedy")])
    CrewCreditFactory(film=same_director, person=director, job="Director")
    published(film=same_director, headline="Same director")
    published(film=FilmFactory(genres=[GenreFactory(name="Horror")]), headline="Unrelated")
    ReviewFactory(film=film, headline="Related draft")
    ReviewFactory(
        film=film,
        headline="Related future",
        status=Review.Status.SCHEDULED,
        published_at=timezone.now() + datetime.timedelta(days=2),
    )
    ReviewFactory(
        film=film,
        headline="Related archive",
        status=Review.Status.ARCHIVED,
        published_at=timezone.now() - datetime.timedelta(days=2),
    )

    related = find(main_of(client.get(review.get_absolute_url())), "section", cls="related")
    titles = review_titles(related)

    assert titles[:2] == [same_film.headline, same_saga.headline]
    assert len(titles) == 4
    assert set(titles) <= {
        same_film.headline,
        same_saga.headline,
        same_genre.headline,
        "Same director",
    }
    for hidden in (
        "Unrelated",
        "Related draft",
        "Related future",
        "Related archive",
        review.headline,
    ):
        assert hidden not in titles


def test_a_film_without_credits_or_genres_still_has_its_own_reviews_related(client):
    """No people and no genres to share: the box holds the film's other reviews alone."""
    bare = FilmFactory(title="Untitled short", genres=[])
    first, second = published(film=bare), published(film=bare, headline="A second look")
    published(film=FilmFactory(genres=[GenreFactory(name="Horror")]), headline="Elsewhere")
    assert not bare.cast_credits.exists()
    assert not bare.crew_credits.exists()

    related = find(main_of(client.get(first.get_absolute_url())), "section", cls="related")

    assert review_titles(related) == [second.headline]


def test_related_review_cards_are_the_cards_every_listing_shows(client, review, film):
    """Related reviews are loaded as cards, like every listing's."""
    other = published(
        film=film,
        headline="Same film, second opinion",
        rating=3.5,
        author=UserFactory(first_name="Roger", last_name="Ebert"),
    )
    [card] = Review.objects.cards().related_to(review)
    assert card.pk == other.pk
    assert card.film.pk == film.pk
    assert card.author.pk == other.author.pk

    def html(of: Review) -> str:
        return Template('{% load review_tags %}{% review_card review heading="h3" %}').render(
            Context({"review": of})
        )

    assert html(card) == html(Review.objects.published().cards().get(pk=other.pk))
    assert "Roger Ebert" in html(card)
    assert "Rated 3.5 out of 5" in html(card)


def test_the_review_page_lists_its_genres_as_tags(client, review):
    main = main_of(client.get(review.get_absolute_url()))
    tags = find(main, cls="tags")
    assert links(tags) == [("Action", "/genres/action/"), ("Thriller", "/genres/thriller/")]


def test_a_film_in_a_collection_files_the_review_under_it_too(client, review, film, monkeypatch):
    """The collection comes with the article's prefetches, not read lazily (FETCH_RAISE)."""
    saga = CollectionFactory(name="John Wick Collection")
    film.collection = saga
    film.save()
    monkeypatch.setattr(query, "DEFAULT_FETCH_MODE", FETCH_RAISE)
    cache.clear()

    tags = find(main_of(client.get(review.get_absolute_url())), cls="tags")

    assert links(tags)[-1] == ("John Wick Collection", saga.get_absolute_url())


# Films, people, genres ----------------------------------------------------------------------------


def test_the_film_page_shows_facts_cast_crew_and_reviews(client, film, review):
    ReviewFactory(film=film, headline="An unfinished draft")
    main = main_of(client.get(film.get_absolute_url()))

    assert text(find(main, "h1")) == "Ballerina (2025)"
    assert "2 h 5 min" in text(find(main, "dl"))
    cast = [text(li) for li in find_all(find(main, cls="credit-list--cast"), "li")]
    assert cast[:2] == ["Ana de Armas Eve Macarro", "Keanu Reeves John Wick"]
    assert len(cast) == 6
    departments = [text(h) for h in find_all(find(main, cls="crew"), "h3")]
    assert departments == ["Directing", "Writing"]
    assert "Shay Hatten Screenplay" in text(find(main, cls="crew"))
    reviews = [text(h) for h in find_all(main, cls="card__title")]
    assert reviews == ["A deadly dance"]


def test_the_film_list_is_paginated_by_24_and_filters_by_collection(client):
    saga = CollectionFactory(name="John Wick Collection")
    for _ in range(23):
        FilmFactory()
    FilmFactory.create_batch(2, collection=saga)

    first = main_of(client.get("/films/"))
    second = main_of(client.get("/films/?page=2"))
    saga_page = main_of(client.get(saga.get_absolute_url()))

    assert len(find_all(first, cls="film-card")) == 24
    assert len(find_all(second, cls="film-card")) == 1
    assert text(find(saga_page, "h1")) == "John Wick Collection"
    assert len(find_all(saga_page, cls="film-card")) == 2
    # A collection that does not exist: no such page, as with every list's filters.
    assert client.get("/films/?collection=nope").status_code == 404


def outline(node) -> list[str]:
    """The headings under `node`, in document order, as "h2 John Wick"."""
    levels = {f"h{n}" for n in range(1, 7)}
    found = []
    for child in getattr(node, "children", []):
        if isinstance(child, Element):
            if child.name in levels:
                found.append(f"{child.name} {text(child)}")
            else:
                found.extend(outline(child))
    return found


def test_film_cards_on_every_film_list_are_headed_below_the_page_title(client):
    """The film list's own title never becomes a card's tag (`<Horror films class=…>`): each
    card's title is an h2 under the page's h1, filtered or not, as its review cards are."""
    horror = GenreFactory(name="Horror", slug="horror")
    saga = CollectionFactory(name="John Wick Collection")
    film = FilmFactory(title="John Wick", genres=[horror], collection=saga)
    for url in ("/films/", "/films/?genre=horror", saga.get_absolute_url()):
        main = main_of(client.get(url))
        headings = outline(main)
        assert headings[0].startswith("h1 "), url
        assert headings[1:] == ["h2 John Wick"], url
        assert [card.name for card in find_all(main, cls="card__title")] == ["h2"], url
    # A page's own `heading` never reaches a card, nor does a level that is no heading.
    card = Template("{% load marquee %}{% film_card film %}{% film_card film heading=h %}").render(
        Context({"film": film, "heading": "Horror films", "h": "Horror films"})
    )
    assert [card.name for card in find_all(parse_html(card), cls="card__title")] == ["h2", "h2"]


def test_the_person_page_shows_biography_and_filmography_newest_first(client):
    person = PersonFactory(name="Keanu Reeves", biography="An actor.\n\nAnd a director.")
    old = FilmFactory(title="Speed", release_date=datetime.date(1994, 6, 10))
    new = FilmFactory(title="John Wick", release_date=datetime.date(2014, 10, 24))
    CastCreditFactory(person=person, film=old, character="Jack Traven")
    CastCreditFactory(person=person, film=new, character="John Wick")
    CrewCreditFactory(person=person, film=old, job="Stunts", department=Department.CREW)

    main = main_of(client.get(person.get_absolute_url()))

    assert text(find(main, "h1")) == "Keanu Reeves"
    assert "An actor. And a director." in text(main)
    acting, crew = find_all(main, "table", cls="filmography")
    rows = [text(tr) for tr in find_all(find(acting, "tbody"), "tr")]
    assert rows == ["2014 John Wick John Wick", "1994 Speed Jack Traven"]
    assert ("Speed", old.get_absolute_url()) in links(crew)


def test_the_genre_page_shows_its_films_and_published_reviews(client, film, review):
    action = film.genres.get(name="Action")
    other = FilmFactory(title="A Quiet Drama", genres=[GenreFactory(name="Drama")])
    published(film=other, headline="Not an action review")
    ReviewFactory(film=film, headline="An action draft")

    main = main_of(client.get(action.get_absolute_url()))

    assert text(find(main, "h1")) == "Action"
    assert [text(h) for h in find_all(main, cls="card__title")] == [
        "A deadly dance",
        "Ballerina",
    ]


def test_the_genre_page_offers_its_feed(client, film, review):
    action = film.genres.get(name="Action")
    response = client.get(action.get_absolute_url())
    feed = "/genres/action/feed/"
    assert text(find(main_of(response), "a", href=feed)) == "Follow Action reviews (RSS feed)"
    head = response.content.decode().split("</head>", 1)[0]
    assert f'title="Action reviews (RSS)" href="{feed}"' in head
    assert review.headline in client.get(feed).content.decode()


def test_the_genre_page_links_to_all_its_reviews_when_it_shows_some(client):
    noir, western = GenreFactory(name="Noir", slug="noir"), GenreFactory(slug="western")
    for n in range(13):
        published(film=FilmFactory(genres=[noir]), headline=f"Noir review {n}")
    for _ in range(12):
        published(film=FilmFactory(genres=[western]))

    main = main_of(client.get(noir.get_absolute_url()))
    more = find(main, "a", href="/reviews/?genre=noir")
    assert text(more) == "All Noir reviews →"
    assert "Noir review 0" in client.get("/reviews/?genre=noir&page=2").content.decode()
    western_page = client.get(western.get_absolute_url()).content.decode()
    assert 'href="/reviews/?genre=western"' not in western_page  # all twelve are shown


def test_the_person_page_links_to_all_reviews_of_their_films_when_it_shows_some(client):
    """Six reviews on the page; the link leads to every one, twelve a page, newest first."""
    ana = PersonFactory(name="Ana de Armas", slug="ana-de-armas")
    day = datetime.timedelta(days=1)
    reviews = []
    for n in range(14):
        film = FilmFactory()
        CastCreditFactory(film=film, person=ana)
        reviews.append(
            published(film=film, headline=f"Ana review {n}", published_at=timezone.now() - n * day)
        )
    ReviewFactory(film=film, headline="A draft of Ana's film")
    published(headline="Another actor's film")
    few = PersonFactory(name="Few Reviews")
    for _ in range(6):
        CastCreditFactory(film=published().film, person=few)

    main = main_of(client.get(ana.get_absolute_url()))
    reviewed = find(main, "section", **{"aria-labelledby": "reviewed-title"})
    assert len(find_all(reviewed, "article", cls="review-card")) == 6
    more = find(reviewed, "a", href="/reviews/?person=ana-de-armas")
    assert text(more) == "All reviews of their films →"
    assert "/reviews/?person=" not in client.get(few.get_absolute_url()).content.decode()

    response = client.get(attr(more, "href"))
    first = main_of(response)
    assert text(find(first, "h1")) == "Reviews of films with Ana de Armas"
    assert review_titles(first) == [r.headline for r in reviews[:12]]
    assert robots(response) == "noindex, follow"
    form = find(first, "form", cls="filters")  # filtering further keeps to her films
    assert attr(find(form, "input", name="person"), "value") == "ana-de-armas"
    following = dict(links(find(first, "nav", cls="pagination")))["Next ›"]
    second = main_of(client.get(f"/reviews/{following}"))
    assert text(find(second, "h1")) == "Reviews of films with Ana de Armas, page 2"
    assert review_titles(second) == [r.headline for r in reviews[12:]]
    both = response.content.decode() + client.get(f"/reviews/{following}").content.decode()
    assert "A draft of Ana's film" not in both
    assert "Another actor's film" not in both


def test_the_reviews_of_a_persons_films_name_them_as_cast_or_crew(client):
    """Films *with* an actor, *by* a director (or any crew); a film they act in and direct is
    there once, and an unknown person is no page, as an unknown genre is."""
    director = PersonFactory(name="Greta Gerwig", slug="greta-gerwig")
    directed, acted_and_directed = FilmFactory(), FilmFactory()
    CrewCreditFactory(film=directed, person=director)
    CrewCreditFactory(film=acted_and_directed, person=director)
    a, b = published(film=directed), published(film=acted_and_directed)
    published(headline="Not hers")

    crew = main_of(client.get("/reviews/?person=greta-gerwig"))
    assert text(find(crew, "h1")) == "Reviews of films by Greta Gerwig"
    back = links(find(crew, "header", cls="page-header"))
    assert back == [("All reviews", "/reviews/"), ("Greta Gerwig", director.get_absolute_url())]
    assert sorted(review_titles(crew)) == sorted([a.headline, b.headline])

    CastCreditFactory(film=acted_and_directed, person=director)
    cast = main_of(client.get("/reviews/?person=greta-gerwig&rating=4"))
    assert text(find(cast, "h1")) == "Reviews of films with Greta Gerwig, 4 stars or more"
    assert sorted(review_titles(cast)) == sorted([a.headline, b.headline])

    assert client.get("/reviews/?person=nobody").status_code == 404


def test_the_reviews_of_a_persons_films_take_the_same_queries_however_many(client, monkeypatch):
    """Nothing read lazily either (FETCH_RAISE)."""
    ana = PersonFactory(slug="ana-de-armas")
    url = "/reviews/?person=ana-de-armas"

    def count():
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        return len(queries), len(review_titles(main_of(response)))

    published()  # not hers
    CastCreditFactory(film=published().film, person=ana)
    monkeypatch.setattr(query, "DEFAULT_FETCH_MODE", FETCH_RAISE)
    small, shown = count()
    assert shown == 1
    for n in range(15):
        film = published(author=UserFactory()).film
        (CastCreditFactory if n % 2 else CrewCreditFactory)(film=film, person=ana)
    assert count() == (small, 12)


# Errors -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/reviews/no-such-review/", "/no/such/page/"])
def test_a_missing_page_is_friendly(client, path):
    response = client.get(path)

    assert response.status_code == 404
    main = find(parse_html(response.content.decode()), "main")
    assert text(find(main, "h1")) == "This page is not showing"
    assert ("Read the latest reviews", "/") in links(main)


def test_the_server_error_page_needs_no_context_and_no_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        html = render_to_string("500.html")

    assert "Something went wrong" in html
    assert "/static/css/site.css" in html


# Image renditions -----------------------------------------------------------------------------


def test_a_poster_gets_avif_webp_and_jpeg_renditions(
    client, film, settings, django_capture_on_commit_callbacks
):
    from PIL import Image

    from tests.factories import image_upload, poster_image

    with django_capture_on_commit_callbacks(execute=True):  # the rendition task, run at once
        film.poster = poster_image(image_upload(size=(500, 750)))
        film.save()

    response = client.get(film.get_absolute_url())
    hero = find(main_of(response), cls="film-hero__poster")
    img = find(hero, "img")
    for element, fmt in (
        (find(hero, "source", type="image/avif"), "AVIF"),
        (find(hero, "source", type="image/webp"), "WEBP"),
        (img, "JPEG"),
    ):
        candidates = [part.strip().split() for part in attr(element, "srcset").split(",")]
        assert [w for _, w in candidates] == ["160w", "320w", "480w", "500w"]
        for url, width in candidates:
            path = settings.MEDIA_ROOT / url.removeprefix(settings.MEDIA_URL)
            with Image.open(path) as image:
                assert image.format == fmt
                assert image.width == int(width[:-1])
    assert (attr(img, "width"), attr(img, "height")) == ("500", "750")
    assert attr(img, "loading") is None  # the hero poster is above the fold
    # Cards load lazily, with the same renditions.
    card_img = find(main_of(client.get("/films/")), "img", cls="poster")
    assert attr(card_img, "loading") == "lazy"


def test_without_a_poster_a_placeholder_stands_in(client, film):
    main = main_of(client.get(film.get_absolute_url()))
    placeholder = find(main, cls="poster--placeholder")
    assert attr(placeholder, "role") == "img"
    assert attr(placeholder, "aria-label") == "No poster for Ballerina (2025)"


# Nothing unpublished, anywhere -------------------------------------------------------------------


def test_no_unpublished_review_leaks_onto_any_public_page(client, film, review):
    now = timezone.now()
    hidden = [
        ReviewFactory(film=film, headline="Leak draft", dek="Leak dek one", featured=True),
        ReviewFactory(film=film, headline="Leak in review", status=Review.Status.IN_REVIEW),
        ReviewFactory(
            film=film,
            headline="Leak future",
            status=Review.Status.SCHEDULED,
            published_at=now + datetime.timedelta(days=3),
            featured=True,
        ),
        ReviewFactory(
            film=film,
            headline="Leak archived",
            status=Review.Status.ARCHIVED,
            published_at=now - datetime.timedelta(days=3),
        ),
    ]
    for leak in hidden:
        SectionFactory(review=leak, heading="Leak section", body="leakword everywhere")
    director = film.crew_credits.get(job="Director").person
    urls = [
        "/",
        "/reviews/",
        "/reviews/?genre=action",
        f"/reviews/?year={film.year}",
        review.get_absolute_url(),
        film.get_absolute_url(),
        "/films/",
        director.get_absolute_url(),
        "/genres/action/",
        "/search/?q=leak",
        "/search/?q=leakword",
        "/search/?q=Ballerina",
        "/feed/",
        "/feed/atom/",
        "/sitemap.xml",
        "/sitemap-reviews.xml",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        for leak in hidden:
            assert leak.headline not in body, (url, leak.headline)
            assert leak.get_absolute_url() not in body, (url, leak.headline)
        assert "Leak section" not in body, url
    for leak in hidden:
        assert client.get(leak.get_absolute_url()).status_code == 404


# The demo content, page by page ----------------------------------------------------------------


def test_every_demo_page_renders_with_its_content_and_valid_json_ld(client, settings):
    from io import StringIO

    from films.models import Film, Genre, Person

    settings.DEBUG = True  # load_demo is a development command
    call_command("load_demo", stdout=StringIO())
    reviews = list(Review.objects.published().select_related("film"))
    assert reviews

    front = main_of(client.get("/"))
    listing = main_of(client.get("/reviews/"))
    assert len(find_all(listing, "article", cls="review-card")) == min(12, len(reviews))
    assert review_titles(front)
    for review in reviews:
        response = client.get(review.get_absolute_url())
        main = main_of(response)
        assert text(find(main, "h1")) == review.headline
        toc = [label for label, _ in links(find(main, "nav", cls="toc__nav"))]
        assert toc == list(review.sections.values_list("heading", flat=True))
        data = json_ld(response)
        assert data["itemReviewed"]["name"] == review.film.title
        assert 0 < len(data["description"]) <= 200
        film_response = client.get(review.film.get_absolute_url())
        assert json_ld(film_response)["name"] == review.film.title
        assert review.headline in film_response.content.decode()
    for person in Person.objects.all()[:10]:
        assert text(find(main_of(client.get(person.get_absolute_url())), "h1")) == person.name
    for genre in Genre.objects.all():
        assert genre.name in text(find(main_of(client.get(genre.get_absolute_url())), "h1"))
    film_cards = find_all(main_of(client.get("/films/")), "article", cls="film-card")
    assert len(film_cards) == min(24, Film.objects.count())


# Lists: filters, titles, empty states, indexing ------------------------------------------------


def robots(response) -> str | None:
    found = re.search(r'<meta name="robots" content="([^"]+)">', response.content.decode())
    return found[1] if found else None


def test_the_film_list_filters_by_genre_year_and_collection_with_its_own_form(client):
    action, drama = GenreFactory(name="Action"), GenreFactory(name="Drama")
    saga = CollectionFactory(name="John Wick Collection")
    wick = FilmFactory(
        title="John Wick",
        release_date=datetime.date(2014, 10, 24),
        genres=[action],
        collection=saga,
    )
    FilmFactory(title="Heat", release_date=datetime.date(1995, 12, 15), genres=[drama])
    FilmFactory(
        title="Ballerina", release_date=datetime.date(2025, 6, 6), genres=[action], collection=saga
    )

    response = client.get("/films/")
    form = find(main_of(response), "form", cls="filters")
    # The form a reader would submit, choice by choice, as the review list's.
    assert [attr(o, "value") for o in find_all(find(form, "select", name="genre"), "option")] == [
        "",
        "action",
        "drama",
    ]
    assert [attr(o, "value") for o in find_all(find(form, "select", name="year"), "option")] == [
        "",
        "2025",
        "2014",
        "1995",
    ]
    assert [text(o) for o in find_all(find(form, "select", name="collection"), "option")] == [
        "Any collection",
        "John Wick Collection",
    ]
    assert robots(response) is None

    filtered = client.get("/films/?genre=action&year=2014")
    main = main_of(filtered)
    assert [text(a) for a in find_all(main, "a", cls="card__link")] == [wick.title]
    assert text(find(main, "h1")) == "Action films from 2014"
    assert "<title>Action films from 2014 — Marquee</title>" in filtered.content.decode()
    assert robots(filtered) == "noindex, follow"
    chosen = find(main_of(filtered), "form", cls="filters")
    assert "selected" in dict(find(chosen, "option", value="action").attributes)
    assert "selected" in dict(find(chosen, "option", value="2014").attributes)
    # A collection's own page is canonical: indexed.
    assert robots(client.get(saga.get_absolute_url())) is None


def test_empty_lists_say_what_was_filtered(client):
    FilmFactory(release_date=datetime.date(2001, 1, 1))
    published(film=FilmFactory(release_date=datetime.date(2002, 1, 1)))

    empty = main_of(client.get("/films/?year=1990"))
    assert text(find(find(empty, cls="empty-state"), "h2")) == "No films from 1990"
    assert ("all films", "/films/") in links(find(empty, cls="empty-state"))
    reviews = main_of(client.get("/reviews/?year=1990&rating=4.5"))
    assert text(find(find(reviews, cls="empty-state"), "h2")) == (
        "No reviews of films from 1990, 4½ stars or more"
    )


@pytest.mark.parametrize(
    ("url", "said", "back"),
    [
        ("/films/?collection=nope", "There is no collection “nope”.", "/films/"),
        ("/films/?genre=no-such-genre", "There is no genre “no-such-genre”.", "/films/"),
        ("/films/?year=abc", "There is no year “abc”.", "/films/"),
        ("/films/?year=02014", "There is no year “02014”.", "/films/"),
        ("/films/?genre=action&year=Visit%20evil.example", "There is no such year.", "/films/"),
        ("/reviews/?genre=nope", "There is no genre “nope”.", "/reviews/"),
        ("/reviews/?year=Visit%20evil.example", "There is no such year.", "/reviews/"),
        ("/reviews/?rating=6", "There is no rating “6”.", "/reviews/"),
        ("/reviews/?rating=abc", "There is no rating “abc”.", "/reviews/"),
        ("/reviews/?critic=nobody", "There is no critic “nobody”.", "/reviews/"),
        ("/reviews/?person=nobody", "There is no person “nobody”.", "/reviews/"),
        ("/reviews/?genre=%00", "There is no such genre.", "/reviews/"),
        ("/reviews/?genre=%3Cb%3Ex%3C%2Fb%3E", "There is no such genre.", "/reviews/"),
        (f"/reviews/?critic={'a' * 200}", f"There is no critic “{'a' * 23}…”.", "/reviews/"),
    ],
)
def test_a_filter_that_names_nothing_is_not_found(client, url, said, back):
    """An unknown genre, collection, critic or person, or a year or rating that is none, is a
    404 that says which filter named nothing and links back to the whole list. It shows back
    only a short slug-like value, clipped, never a sentence (a spoofed 'Visit evil.example') or
    markup; the page cache keeps no copy of it."""
    published(film=FilmFactory(genres=[GenreFactory(name="Action")]))
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 404
        assert "X-Page-Cache" not in response
        assert response["Cache-Control"] == "no-store"
        main = find(parse_html(response.content.decode()), "main")
        assert "This page is not showing" in text(main)
        assert said in text(find(main, cls="error-page__lede"))
        assert links(find(main, cls="error-page__links")) == [(f"All {back.strip('/')}", back)]
        html = response.content.decode()
        for echoed in ("evil.example", "<b>", "a" * 24):
            assert echoed not in html


def test_a_real_filter_with_nothing_in_it_is_an_empty_list(client):
    """A genre with no reviews yet, a year with no films: 200, '0 …', and what was filtered,
    said the same way on every list: the list's word in lower case, a name as it is written
    (the reviews list lowered the genre, 'No horror reviews', beside 'No Horror films')."""
    GenreFactory(name="Horror", slug="horror")
    GenreFactory(name="Science Fiction", slug="science-fiction")
    published(film=FilmFactory(genres=[GenreFactory(name="Action")]))
    for url, nothing in [
        ("/reviews/?genre=horror", "No Horror reviews"),
        ("/films/?genre=horror", "No Horror films"),
        ("/reviews/?genre=science-fiction", "No Science Fiction reviews"),
        ("/films/?genre=science-fiction", "No Science Fiction films"),
        ("/films/?year=1990", "No films from 1990"),
        ("/reviews/?year=1990", "No reviews of films from 1990"),
    ]:
        response = client.get(url)
        main = main_of(response)
        assert text(find(main, cls="page-header__lede")).startswith("0 "), url
        assert text(find(find(main, cls="empty-state"), "h2")) == nothing, url
        assert robots(response) == "noindex, follow", url
    genre_page = main_of(client.get("/genres/horror/"))
    assert text(find(genre_page, cls="empty-state")) == "No Horror films yet."


def test_an_address_in_capitals_or_with_a_doubled_slash_leads_to_the_page(client):
    """Slugs are lowercase: a link typed or pasted otherwise is sent on (301) to the page, as is
    a filter's value (`?genre=ACTION` listed nothing)."""
    action = GenreFactory(name="Action", slug="action")
    film = FilmFactory(title="Ballerina", slug="ballerina", genres=[action])
    CastCreditFactory(film=film, person=PersonFactory(name="Ana de Armas", slug="ana-de-armas"))
    user = UserFactory()
    critic = Critic.objects.for_user(user)
    critic.display_name, critic.slug = "Daniel Okafor", "daniel-okafor"
    critic.save()
    review = published(film=film, author=user, slug="ballerina-a-john-wick-story")
    for asked, page_url in [
        ("/films/Ballerina/", "/films/ballerina/"),
        ("/reviews/BALLERINA-A-JOHN-WICK-STORY/", review.get_absolute_url()),
        ("/genres/Action/", "/genres/action/"),
        ("/critics/Daniel-Okafor/", "/critics/daniel-okafor/"),
        ("/people/Ana-de-Armas/", "/people/ana-de-armas/"),
        ("/Films/", "/films/"),
        (f"{review.get_absolute_url()}/", review.get_absolute_url()),
        ("/films//ballerina/", "/films/ballerina/"),
        ("/reviews/?genre=ACTION", "/reviews/?genre=action"),
        ("/films/?genre=Action&year=2025", "/films/?genre=action&year=2025"),
        ("/reviews/?critic=Daniel-Okafor&person=ANA-DE-ARMAS", None),
    ]:
        response = client.get(asked)
        assert response.status_code == 301, asked
        if page_url is not None:
            assert response["Location"] == page_url, asked
        assert client.get(response["Location"]).status_code == 200, asked


def test_a_draft_or_nothing_in_capitals_is_not_found_and_never_redirected(client):
    """No redirect tells a reader that an unpublished review's address exists."""
    ReviewFactory(slug="a-secret-draft")
    for asked in (
        "/reviews/A-SECRET-DRAFT/",
        "/reviews/a-secret-draft//",
        "/Reviews/a-secret-draft/",
        "/films/NO-SUCH-FILM/",
        "/reviews/?genre=NOPE",
    ):
        response = client.get(asked)
        assert response.status_code == 404, asked
        assert "Location" not in response, asked


def test_the_rating_filter_offers_half_stars(client):
    published(rating="4.5")
    form = find(main_of(client.get("/reviews/")), "form", cls="filters")
    options = [
        (attr(o, "value"), text(o)) for o in find_all(find(form, "select", name="rating"), "option")
    ]
    assert options[0] == ("", "Any rating")
    assert ("4.5", "4½ stars or more") in options
    assert ("1", "1 star or more") in options
    assert ("0.5", "½ star or more") in options
    assert len(options) == 11
    heading = find(main_of(client.get("/reviews/?rating=0.5")), "h1")
    assert text(heading) == "Reviews, ½ star or more"


def test_numbered_pagination_with_first_and_last(client, monkeypatch):
    from reviews.views.pages import ReviewListView

    monkeypatch.setattr(ReviewListView, "paginate_by", 1)
    for n in range(10):
        published(published_at=timezone.now() - datetime.timedelta(hours=n))
    pager = find(main_of(client.get("/reviews/?page=5")), "nav", cls="pagination")
    assert [label for label, _ in links(pager)] == [
        "« First",
        "‹ Previous",
        "Page 1",
        "Page 4",
        "Page 5",
        "Page 6",
        "Page 10",
        "Next ›",
        "Last »",
    ]
    assert "…" in text(pager)
    assert attr(find(pager, "a", cls="pagination__link--current"), "aria-current") == "page"
    assert ("Last »", "?page=10") in links(pager)
    assert ("« First", "?") in links(pager)


def test_the_person_page_has_substance(client):
    person = PersonFactory(
        name="Ana de Armas",
        biography="Ana de Armas is an actor.",
        birth_date=datetime.date(1988, 4, 30),
        place_of_birth="Havana, Cuba",
    )
    lead = FilmFactory(title="Ballerina", release_date=datetime.date(2025, 6, 6))
    CastCreditFactory(film=lead, person=person, order=0)
    minor = FilmFactory(title="Small Part", release_date=datetime.date(2024, 1, 1))
    CastCreditFactory(film=minor, person=person, order=9)
    review = published(film=lead, headline="She dances, she fights")
    ReviewFactory(film=minor, headline="A draft about the small part")

    response = client.get(person.get_absolute_url())
    main = main_of(response)

    known = find(main, "section", **{"aria-labelledby": "known-for-title"})
    assert [text(a) for a in find_all(known, "a", cls="card__link")] == ["Ballerina"]
    reviewed = find(main, "section", **{"aria-labelledby": "reviewed-title"})
    assert [text(a) for a in find_all(reviewed, "a", cls="card__link")] == [review.headline]
    assert "A draft about the small part" not in response.content.decode()
    assert "30 April 1988" in text(main)
    assert "Ana de Armas is an actor." in text(main)
    description = re.search(
        r'<meta name="description" content="([^"]+)"', response.content.decode()
    )[1]
    assert description == (
        "Ana de Armas (born 30 April 1988 in Havana, Cuba), known for "
        "Ballerina: biography, filmography and reviews on Marquee."
    )
