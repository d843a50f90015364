"""Every public page type in a real browser, at desktop and phone widths: it renders without
horizontal scrolling or console errors, a screenshot is saved, and axe-core finds no serious or
critical accessibility violations (in the light and the dark colour scheme)."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from films.models import Film, Genre, Person
from reviews.critics import Critic
from reviews.models import Comment, Feature, Review
from tests.browser.conftest import horizontal_overflow, screenshot, viewport_name
from tests.factories import (
    FilmFactory,
    GenreFactory,
    ReviewFactory,
    SectionFactory,
    image_upload,
    poster_image,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BLOCKING = {"serious", "critical"}


@pytest.fixture
def site(seeded_review):
    """The Ballerina review as imported, plus a few more reviews (one with a poster)."""
    ballerina = seeded_review
    Review.objects.filter(pk=ballerina.pk).update(rating="4.5")
    Feature.objects.create(review=ballerina)
    action = Genre.objects.get(slug="action")
    now = timezone.now()
    for n, title in enumerate(["Night Shift", "The Long Road", "Paper Moons"]):
        film = FilmFactory(
            title=title,
            genres=[action, GenreFactory(name="Drama")],
            release_date=datetime.date(2020 + n, 3, 1),
        )
        if n == 0:
            film.poster = poster_image(image_upload(size=(500, 750)))
            film.save()
        review = ReviewFactory(
            published=True,
            film=film,
            rating=str(3 + n * 0.5),
            headline=f"{title}: a review",
            dek="A sharp, short dek.",
            published_at=now - datetime.timedelta(days=n + 1),
        )
        SectionFactory(review=review, heading="The verdict", body="Worth seeing.")
    Comment.objects.create(
        review=ballerina,
        name="Ada",
        email="ada@example.com",
        body="Loved the kitchen fight.",
        status=Comment.Status.APPROVED,
    )
    return ballerina


def pages(review: Review) -> dict[str, str]:
    return {
        "home": "/",
        "review-list": "/reviews/?genre=action",
        "review-page": review.get_absolute_url(),
        "film-list": "/films/",
        "film": review.film.get_absolute_url(),
        "person": Person.objects.get(name="Ana de Armas").get_absolute_url(),
        "genre": "/genres/action/",
        "search": "/search/?q=dance",
        "critic": "/critics/mara-lind/",
        "critics": "/critics/",
        "film-list-filtered": "/films/?genre=action&year=2020",
        "feed": "/feed/",
        "feed-atom": "/feed/atom/",
        "sitemap": "/sitemap.xml",
        "sitemap-reviews": "/sitemap-reviews.xml",
        "not-found": "/no-such-page/",
    }


def axe_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


@pytest.mark.parametrize(
    "name",
    [
        "home",
        "review-list",
        "review-page",
        "film-list",
        "film",
        "person",
        "genre",
        "search",
        "critic",
        "critics",
        "film-list-filtered",
        "feed",
        "feed-atom",
        "sitemap",
        "sitemap-reviews",
        "not-found",
    ],
)
def test_every_page_type_is_accessible_at_every_width(page, live_server, site, name):
    response = page.goto(live_server.url + pages(site)[name])
    assert response.status == (404 if name == "not-found" else 200)
    expect(page.get_by_role("main")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_count(1)

    assert horizontal_overflow(page) == 0
    screenshot(page, f"site-{name}")
    assert axe_violations(page) == []

    page.emulate_media(color_scheme="dark")
    assert axe_violations(page) == []
    if name in ("home", "review-page", "search"):
        screenshot(page, f"site-{name}-dark")
    page.emulate_media(color_scheme="light")
    errors = page.console_errors
    if name.startswith(("feed", "sitemap")):
        # Chromium marks XSLT as deprecated with a banner of its own, drawn with inline styles
        # and an onclick that the site's CSP blocks; the stylesheet's page itself has neither.
        errors = [
            e
            for e in errors
            if not e.startswith(
                ("Applying inline style violates", "Executing inline event handler")
            )
        ]
    if name.startswith(("feed", "sitemap")):  # the site's own header, menu and search box
        menu = page.get_by_role("navigation", name="Main").get_by_role("link")
        expect(menu).to_have_text(["Reviews", "Films", "Critics"])
        search = page.get_by_role("searchbox", name="Search reviews, films, people and critics")
        expect(search).to_be_visible()
    if name.startswith("feed"):
        expect(page.get_by_role("heading", level=1)).to_have_text("Marquee: latest film reviews")
        expect(page.locator(".feed-item")).to_have_count(4)
    if name == "sitemap":  # the index: a link to each section
        expect(page.get_by_role("heading", level=1)).to_have_text("Sitemap index")
        expect(page.locator(".feed-item a")).to_have_count(6)
    if name == "sitemap-reviews":
        expect(page.get_by_role("heading", level=1)).to_have_text("Sitemap")
        expect(page.locator(".feed-item a")).to_have_count(4)
        expect(page.locator(".feed-item a").first).to_have_text(
            f"{live_server.url}{site.get_absolute_url()}"
        )
    # The 404 page's own status is the one error a browser reports there.
    expected = 1 if name == "not-found" else 0
    assert len(errors) == expected, errors


def test_a_cards_critic_name_opens_the_critics_page(page, live_server, site):
    """The card's own link covers the card; the critic's name on it is a link of its own."""
    page.goto(live_server.url + "/reviews/")
    author = page.locator(".review-card a.card__author").first
    href = author.get_attribute("href")
    assert href.startswith("/critics/")
    author.click()
    expect(page).to_have_url(live_server.url + href)


def test_the_review_list_filters_without_javascript(page, live_server, site):
    page.goto(live_server.url + "/reviews/")
    if viewport_name(page) == "phone":  # the filters start closed on a phone
        expect(page.get_by_label("Genre")).to_be_hidden()
        page.get_by_text("Filter reviews").click()
    page.get_by_label("Genre").select_option("drama")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(f"{live_server.url}/reviews/?genre=drama&year=&rating=&critic=")
    expect(page.locator(".review-card")).to_have_count(3)


def test_the_paging_links_keep_the_space_after_their_arrows(page, live_server, site):
    """The links "‹ Previous" and "Next ›": each is a flex box, which drops the space between its
    arrow and its word unless the box keeps a gap of its own."""
    for n in range(12):
        ReviewFactory(published=True, headline=f"Paged review {n}")
    page.goto(live_server.url + "/reviews/?page=2")
    gaps = page.evaluate(
        """() => [...document.querySelectorAll('.pagination a[rel]')].map((link) => {
            const arrow = link.querySelector('[aria-hidden]').getBoundingClientRect();
            const words = document.createRange();
            const text = [...link.childNodes].find((n) => n.nodeType === 3 && n.data.trim());
            words.selectNodeContents(text);
            const box = words.getBoundingClientRect();
            return arrow.left < box.left ? box.left - arrow.right : arrow.left - box.right;
        })"""
    )
    screenshot(page, "paging")
    assert len(gaps) == 1  # page 2 of 2: "Previous" only
    assert all(gap >= 3 for gap in gaps), gaps


def test_search_from_the_header(page, live_server, site):
    page.goto(live_server.url + "/")
    page.get_by_label("Search reviews, films, people and critics").fill("Wiseman")
    page.get_by_label("Search reviews, films, people and critics").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Results for “Wiseman”")
    expect(page.get_by_role("link", name="Len Wiseman")).to_be_visible()
    assert Film.objects.filter(title="Ballerina").exists()


def test_the_menu_stays_put_whether_or_not_the_search_box_has_arrived(page, live_server, site):
    """A slow phone paints the header before the search box after it has arrived (a layout
    shift, seen in CI), and the search page has no box: the menu's place owes nothing to it."""
    menu = "document.querySelector('.site-nav').getBoundingClientRect().toJSON()"
    page.goto(live_server.url + "/")
    with_box = page.evaluate(menu)
    page.evaluate("document.querySelector('.site-search').remove()")
    assert page.evaluate(menu) == with_box

    page.goto(live_server.url + "/search/?q=Ballerina")
    expect(page.locator(".site-search")).to_have_count(0)
    assert page.evaluate(menu) == with_box


def test_a_persons_photo_lines_up_with_the_column(page, live_server, site):
    """The photo starts where the heading's rule does: its <picture> is no box of its own
    (display: contents), and its <source>s, left as boxes, each took a gap before it."""
    person = Person.objects.get(name="Ana de Armas")
    person.photo = poster_image(image_upload(size=(300, 450)))
    person.save()
    page.goto(live_server.url + person.get_absolute_url())
    photo = page.locator(".person-header__photo").bounding_box()
    column = page.locator(".person-header").bounding_box()
    assert photo["x"] == column["x"]


def test_the_critics_are_listed_from_the_menu(page, live_server, site):
    """Each critic with a published review, their portrait beside the name; on a phone the
    list is one column as wide as the page."""
    mara = Critic.objects.get(slug="mara-lind")
    mara.bio = "Mara Lind writes about thrillers, and the people who stage their fights."
    mara.photo = image_upload("mara.png", size=(300, 375))
    mara.save()
    page.goto(live_server.url + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Critics").click()
    expect(page).to_have_url(live_server.url + "/critics/")
    card = page.locator(".critic-card").filter(has_text="Mara Lind")
    expect(card).to_be_visible()
    expect(card).to_contain_text("1 review")
    expect(card).to_contain_text("writes about thrillers")
    expect(card.get_by_role("img", name="Portrait of Mara Lind")).to_be_visible()
    screenshot(page, "critics-list")
    if viewport_name(page) == "phone":
        box, main = card.bounding_box(), page.locator(".critic-list").bounding_box()
        assert box["width"] == main["width"]
    card.get_by_role("link", name="Mara Lind").click()
    expect(page).to_have_url(live_server.url + "/critics/mara-lind/")


@pytest.mark.parametrize(
    "name", ["home", "review-list", "review-page", "film", "search", "critics"]
)
def test_pages_reflow_at_320_pixels(browser, live_server, site, name):
    """The narrowest phones, and a desktop zoomed to 400% (WCAG's reflow width): nothing
    sticks out or is cut off."""
    context = browser.new_context(viewport={"width": 320, "height": 640}, locale="en-GB")
    page = context.new_page()
    try:
        page.goto(live_server.url + pages(site)[name])
        screenshot(page, f"reflow-{name}-320")
        assert horizontal_overflow(page) == 0
    finally:
        context.close()
