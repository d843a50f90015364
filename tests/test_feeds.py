"""RSS and Atom feeds, the sitemap index and its sections, robots.txt: published reviews only."""

import datetime
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from xml.dom import minidom

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from films.models import Film, Genre, Person
from reviews.models import Review
from reviews.sitemaps import PagedSitemap
from tests.factories import (
    FilmFactory,
    GenreFactory,
    PersonFactory,
    ReviewFactory,
    SuperuserFactory,
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
SECTIONS = ["reviews", "films", "people", "genres", "tags", "critics"]


def count_queries(client, url: str) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def parse(response) -> ET.Element:
    return ET.fromstring(response.content)  # noqa: S314 (our own output)


def locations(response) -> list[str]:
    return [loc.text for loc in parse(response).iter(f"{SITEMAP}loc")]


def absolute(objects) -> list[str]:
    return [f"http://testserver{obj.get_absolute_url()}" for obj in objects]


@pytest.fixture
def every_state():
    now = timezone.now()
    author = UserFactory(first_name="Mara", last_name="Lind")
    public = [
        ReviewFactory(
            published=True,
            headline="Out now",
            author=author,
            published_at=now - datetime.timedelta(days=1),
        ),
        ReviewFactory(
            headline="Scheduled, and due",
            status=Review.Status.SCHEDULED,
            published_at=now - datetime.timedelta(minutes=5),
            author=author,
        ),
    ]
    hidden = [
        ReviewFactory(headline="A draft"),
        ReviewFactory(headline="Being edited", status=Review.Status.IN_REVIEW),
        ReviewFactory(
            headline="Out next week",
            status=Review.Status.SCHEDULED,
            published_at=now + datetime.timedelta(days=7),
        ),
        ReviewFactory(
            headline="Taken down",
            status=Review.Status.ARCHIVED,
            published_at=now - datetime.timedelta(days=30),
        ),
    ]
    return public, hidden


def test_the_rss_feed_lists_published_reviews_newest_first(client, every_state):
    public, hidden = every_state
    response = client.get("/feed/")
    assert response.status_code == 200
    # XML, which browsers show through the feed's stylesheet; readers take it as RSS.
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    channel = parse(response).find("channel")
    items = channel.findall("item")
    titles = [item.findtext("title") for item in items]
    # The headline alone: it usually names the film already.
    assert titles == [
        r.headline for r in sorted(public, key=lambda r: r.published_at, reverse=True)
    ]
    assert items[0].findtext("link").startswith("http://testserver/reviews/")
    body = response.content.decode()
    for review in hidden:
        assert review.headline not in body


def test_the_atom_feed_lists_published_reviews(client, every_state):
    public, hidden = every_state
    response = client.get("/feed/atom/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    feed = parse(response)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == len(public)
    assert entries[0].find(f"{ATOM}author").findtext(f"{ATOM}name") == "Mara Lind"
    for review in hidden:
        assert review.headline not in response.content.decode()


def test_a_feed_item_hides_what_a_spoiler_in_the_intro_hides(client):
    ReviewFactory(published=True, intro="A fine film.\n\n>! The twist: the butler did it.", dek="")
    for url in ("/feed/", "/feed/atom/"):
        body = client.get(url).content.decode()
        assert "A fine film." in body
        assert "the butler did it" not in body
        assert "A spoiler is hidden here" in body


def test_feeds_are_advertised_on_every_page(client):
    html = client.get("/").content.decode()
    assert 'type="application/rss+xml"' in html
    assert 'type="application/atom+xml"' in html


def test_sitemap_xml_is_an_index_of_the_sections(client, every_state):
    public, hidden = every_state
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    index = parse(response)
    assert index.tag == f"{SITEMAP}sitemapindex"
    assert locations(response) == [f"http://testserver/sitemap-{name}.xml" for name in SECTIONS]

    # Each section's lastmod is its latest public change: the hidden reviews, saved after the
    # public ones, do not count.
    lastmods = {
        entry.findtext(f"{SITEMAP}loc"): entry.findtext(f"{SITEMAP}lastmod")
        for entry in index.iter(f"{SITEMAP}sitemap")
    }
    reviews_lastmod = datetime.datetime.fromisoformat(
        lastmods["http://testserver/sitemap-reviews.xml"]
    )
    assert reviews_lastmod == max(review.updated_at for review in public)
    assert max(review.updated_at for review in hidden) > reviews_lastmod
    assert lastmods["http://testserver/sitemap-genres.xml"] is None  # genres have no dates
    # A critic's page changes with their profile and with each review they publish.
    critics_lastmod = datetime.datetime.fromisoformat(
        lastmods["http://testserver/sitemap-critics.xml"]
    )
    assert critics_lastmod == max(
        max(review.published_at for review in public), public[0].author.critic.updated_at
    )


def test_the_critics_section_follows_their_first_review_and_their_address(client, committed):
    editor = SuperuserFactory()
    draft = ReviewFactory(author=UserFactory(first_name="Nia", last_name="Okafor"))
    ReviewFactory(published=True)
    assert "/critics/nia-okafor/" not in client.get("/sitemap-critics.xml").content.decode()
    with committed():
        draft.publish(by=editor)
    assert "/critics/nia-okafor/" in client.get("/sitemap-critics.xml").content.decode()
    critic = draft.author.critic
    critic.slug = "nia"
    with committed():
        critic.save()
    body = client.get("/sitemap-critics.xml").content.decode()
    assert "/critics/nia/" in body
    assert "/critics/nia-okafor/" not in body


def test_a_scheduled_review_falling_due_moves_the_reviews_lastmod(client):
    now = timezone.now()
    older = ReviewFactory(published=True)
    due = ReviewFactory(
        status=Review.Status.SCHEDULED, published_at=now + datetime.timedelta(hours=1)
    )
    # Both saved yesterday; the scheduled one went public a minute ago, with no save to mark it
    # (update() leaves auto_now fields alone).
    went_public = now - datetime.timedelta(minutes=1)
    Review.objects.filter(pk__in=[older.pk, due.pk]).update(
        updated_at=now - datetime.timedelta(days=1)
    )
    Review.objects.filter(pk=due.pk).update(published_at=went_public)

    index = parse(client.get("/sitemap.xml"))
    lastmod = index.find(f"{SITEMAP}sitemap").findtext(f"{SITEMAP}lastmod")
    assert datetime.datetime.fromisoformat(lastmod) == went_public
    entries = parse(client.get("/sitemap-reviews.xml")).iter(f"{SITEMAP}url")
    dates = {
        entry.findtext(f"{SITEMAP}loc"): entry.findtext(f"{SITEMAP}lastmod") for entry in entries
    }
    assert dates[absolute([due])[0]] == timezone.localdate(went_public).isoformat()


def test_each_section_lists_exactly_its_public_objects(client, every_state):
    public, hidden = every_state
    FilmFactory(title="Catalogue film", genres=[GenreFactory(name="Drama")])
    PersonFactory(name="Some Body")
    shown, unshown = TagFactory(name="Shown"), TagFactory(name="Only on drafts")
    public[0].tags.add(shown)
    for review in hidden:
        review.tags.add(unshown)
    expected = {
        "reviews": absolute(sorted(public, key=lambda review: review.pk)),
        "films": absolute(Film.objects.order_by("pk")),
        "people": absolute(Person.objects.order_by("pk")),
        "genres": absolute(Genre.objects.order_by("pk")),
        "tags": ["http://testserver/tags/shown/"],
        # The hidden reviews' authors have a display name too, and no page.
        "critics": ["http://testserver/critics/mara-lind/"],
    }
    assert "http://testserver/genres/drama/" in expected["genres"]
    assert len(expected["films"]) == len(public) + len(hidden) + 1

    for name in SECTIONS:
        response = client.get(f"/sitemap-{name}.xml")
        assert response.status_code == 200, name
        assert parse(response).tag == f"{SITEMAP}urlset"
        assert locations(response) == expected[name], name
        body = response.content.decode()
        for review in hidden:
            assert review.get_absolute_url() not in body, (name, review.headline)
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_a_section_over_its_limit_is_paged(client, monkeypatch):
    monkeypatch.setattr(PagedSitemap, "limit", 3)
    reviews = [ReviewFactory(published=True) for _ in range(5)]
    ReviewFactory(headline="A draft")

    index = locations(client.get("/sitemap.xml"))
    assert index[:2] == [
        "http://testserver/sitemap-reviews.xml",
        "http://testserver/sitemap-reviews.xml?p=2",
    ]
    assert "http://testserver/sitemap-reviews.xml?p=3" not in index

    first = client.get("/sitemap-reviews.xml")
    second = client.get("/sitemap-reviews.xml?p=2")
    assert locations(first) == absolute(reviews[:3])
    assert locations(second) == absolute(reviews[3:])
    assert locations(client.get("/sitemap-reviews.xml?p=1")) == absolute(reviews[:3])
    for past_the_end in ("?p=3", "?p=0", "?p=two"):
        assert client.get(f"/sitemap-reviews.xml{past_the_end}").status_code == 404, past_the_end


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


@pytest.mark.parametrize("url", ["/feed/", "/feed/atom/", "/tags/noir/feed/atom/"])
def test_both_feed_formats_name_the_stylesheet_a_browser_shows_them_with(client, url):
    ReviewFactory(published=True).tags.add(TagFactory(name="Noir", slug="noir"))
    body = client.get(url).content.decode()
    instruction = '<?xml-stylesheet href="/feed/style.xsl" media="screen" type="text/xsl"?>'
    assert instruction in body
    assert body.index(instruction) < body.index("<feed" if "atom" in url else "<rss")


def test_the_sitemap_names_the_stylesheet_a_browser_shows_it_with(client):
    """Opened in a browser, the index and each section read as a page of links (the site's CSP
    leaves the browser's own XML view unstyled); crawlers still get the standard sitemap."""
    ReviewFactory(published=True)
    for url, root in [
        ("/sitemap.xml", "sitemapindex"),
        *((f"/sitemap-{name}.xml", "urlset") for name in SECTIONS),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("application/xml")
        document = minidom.parseString(response.content)  # noqa: S318 (our own output)
        instructions = [
            node
            for node in document.childNodes
            if node.nodeType == node.PROCESSING_INSTRUCTION_NODE
        ]
        assert [node.target for node in instructions] == ["xml-stylesheet"], url
        assert 'type="text/xsl"' in instructions[0].data
        href = re.search(r'href="([^"]+)"', instructions[0].data)[1]
        assert document.documentElement.namespaceURI == SITEMAP.strip("{}")
        assert document.documentElement.tagName == root
        assert parse(response).tag == f"{SITEMAP}{root}"
    assert len(locations(client.get("/sitemap.xml"))) == len(SECTIONS)
    assert len(locations(client.get("/sitemap-reviews.xml"))) == 1

    stylesheet = client.get(href)
    assert stylesheet.status_code == 200
    assert stylesheet["Content-Type"].startswith("text/xsl")
    xslt = parse(stylesheet)
    assert xslt.tag == "{http://www.w3.org/1999/XSL/Transform}stylesheet"
    # It reads the sitemap protocol's elements, as links.
    assert 'xmlns:sm="http://www.sitemaps.org/schemas/sitemap/0.9"' in stylesheet.text
    assert '<a href="{sm:loc}">' in stylesheet.text


@pytest.mark.parametrize("url", ["/feed/", "/feed/atom/"])
def test_feeds_run_a_fixed_number_of_queries(client, url):
    ReviewFactory(published=True)
    small = count_queries(client, url)
    for _ in range(8):
        ReviewFactory(published=True, author=UserFactory())
    assert count_queries(client, url) == small


@pytest.mark.parametrize("url", ["/sitemap.xml", *(f"/sitemap-{name}.xml" for name in SECTIONS)])
def test_the_sitemap_runs_a_fixed_number_of_queries(client, url):
    def add(n):
        for _ in range(n):
            ReviewFactory(published=True, film=FilmFactory(genres=[GenreFactory()]))
            PersonFactory()

    add(3)
    small = count_queries(client, url)
    add(27)
    assert count_queries(client, url) == small


def test_the_sitemap_index_counts_rows_without_reading_them(client):
    for _ in range(3):
        ReviewFactory(published=True)
    with CaptureQueriesContext(connection) as queries:
        client.get("/sitemap.xml")
    selects = [query["sql"].split(" FROM ")[0] for query in queries.captured_queries]
    assert selects
    assert all("COUNT(" in select or "MAX(" in select for select in selects), selects


def test_sitemap_pages_are_cached_until_the_content_changes(client, committed):
    editor = SuperuserFactory()
    ReviewFactory(published=True)
    draft = ReviewFactory(headline="Fresh off the press")
    urls = ["/sitemap.xml", "/sitemap-reviews.xml"]
    for url in urls:
        assert count_queries(client, url) > 0
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        assert len(queries) == 0, url

    with committed():
        draft.publish(by=editor)

    assert draft.get_absolute_url() in client.get("/sitemap-reviews.xml").content.decode()


# Plain text in feeds, read the way a feed reader reads it (#16 item 7) --------------------------

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    '"><iframe src="javascript:alert(1)">',
    "&lt;script&gt;alert(1)&lt;/script&gt;",  # already escaped once: must stay text
    '<a href="javascript:alert(1)">click</a> & friends',
    "]]><script>alert(1)</script><![CDATA[",
    "Fish & chips < steak > salad",
]


class _Elements(HTMLParser):
    """What a browser-based feed reader would build from an HTML field: elements and text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.text = [], ""

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text += data


def as_html(fragment: str) -> _Elements:
    parser = _Elements()
    parser.feed(fragment)
    parser.close()
    return parser


# The item description is HTML the site builds (reviews/feed_item.html); these are the only
# elements it may hold. Anything a critic typed must arrive inside them as text.
FEED_ELEMENTS = {"p", "strong", "em", "blockquote", "a", "h2", "h3", "h4", "ul", "ol", "li", "br"}


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_a_plain_text_dek_reaches_feed_readers_as_text_not_markup(client, payload):
    review = ReviewFactory(published=True, dek=payload, headline=f"Headline {payload}")

    atom = parse(client.get("/feed/atom/"))
    (entry,) = atom.iter(f"{ATOM}entry")
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    shown = as_html(summary.text)
    assert set(shown.tags) <= FEED_ELEMENTS  # nothing to run, no frame, no image of the dek's
    assert payload in shown.text  # and the reader shows exactly what the critic wrote
    title = entry.find(f"{ATOM}title")
    assert title.get("type") in {None, "text"}  # plain text by the format's definition
    assert title.text == review.headline

    rss = parse(client.get("/feed/"))
    (item,) = rss.iter("item")
    shown = as_html(item.find("description").text)
    assert set(shown.tags) <= FEED_ELEMENTS
    assert payload in shown.text


def test_without_a_dek_the_summary_is_the_sanitised_intro(client):
    ReviewFactory(published=True, dek="", intro="Fish & chips, *bold* <script>x</script> words.")
    rss = parse(client.get("/feed/"))
    (item,) = rss.iter("item")
    shown = as_html(item.find("description").text)
    assert set(shown.tags) <= FEED_ELEMENTS
    assert "Fish & chips, bold" in shown.text
    assert "script" not in shown.text
    assert "x words" not in shown.text


def test_each_critics_lastmod_is_their_own_newest_public_review(client):
    """A critic's <lastmod> is the later of their profile's last save and their own newest
    published review: not another critic's, nor a draft's."""
    from reviews.critics import Critic

    def at(month: int) -> datetime.datetime:
        return datetime.datetime(2025, month, 1, 9, tzinfo=datetime.UTC)

    nia = UserFactory(first_name="Nia", last_name="Okafor")
    helen = UserFactory(first_name="Helen", last_name="Marsh")
    for author, month in ((nia, 1), (nia, 3), (helen, 2)):
        review = ReviewFactory(published=True, author=author)
        Review.objects.filter(pk=review.pk).update(published_at=at(month))
    ReviewFactory(author=helen)  # a draft, saved now
    Critic.objects.update(updated_at=at(1))
    cache.clear()

    entries = parse(client.get("/sitemap-critics.xml")).iter(f"{SITEMAP}url")
    lastmods = {
        entry.findtext(f"{SITEMAP}loc"): entry.findtext(f"{SITEMAP}lastmod") for entry in entries
    }
    assert lastmods == {
        "http://testserver/critics/nia-okafor/": "2025-03-01",
        "http://testserver/critics/helen-marsh/": "2025-02-01",
    }
