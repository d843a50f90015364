"""The Ballerina review and the front page in a real browser, at desktop and phone widths."""

import datetime
import itertools
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import horizontal_overflow, screenshot, viewport_name
from tests.factories import FilmFactory, GenreFactory, ReviewFactory, SectionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEK = "A Fierce, Graceful Revenge Tale Set in the Underworld"
HEADINGS = {
    "plot-a-dance-of-vengeance-and-betrayal": "Plot: A Dance of Vengeance and Betrayal",
    "ana-de-armas-a-star-in-motion": "Ana de Armas: A Star in Motion",
    "choreography-and-action-the-dance-of-death": "Choreography and Action: The Dance of Death",
    "the-villains-deadly-dangerous-and-relentless": "The Villains: Deadly, Dangerous, and Relentless",  # noqa: E501
    "the-cinematic-style-a-beautiful-brutal-world": "The Cinematic Style: A Beautiful, Brutal World",  # noqa: E501
    "conclusion-a-beautifully-brutal-action-masterpiece": "Conclusion: A Beautifully Brutal Action Masterpiece",  # noqa: E501
}


def test_the_ballerina_review_page(page, live_server, seeded_review):
    page.goto(live_server.url + seeded_review.get_absolute_url())

    # The first Tab shows the skip link, which jumps past the header to the text.
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    skip_link.press("Enter")
    expect(page).to_have_url(re.compile("#main$"))

    expect(page.get_by_role("heading", level=1)).to_have_text("BALLERINA: A JOHN WICK Story")
    expect(page.get_by_text(DEK)).to_be_visible()
    film_box, contents = page.locator("details.film-box"), page.locator("details.toc")
    if viewport_name(page) == "phone":
        # Headline, dek and byline, then the film box and contents closed, then the text,
        # which starts on the first screen.
        def top(locator):
            return locator.bounding_box()["y"]

        intro = page.locator(".review-intro p").first
        assert (
            top(page.get_by_role("heading", level=1))
            < top(page.get_by_text(DEK))
            < top(page.locator(".byline"))
            < top(film_box)
            < top(contents)
            < top(intro)
            < 844
        )
        expect(film_box).not_to_have_attribute("open", re.compile(".*"))
        expect(film_box.get_by_role("link", name="Len Wiseman")).to_be_hidden()
        film_box.locator("summary").click()
        # Escape closes the box the focus is in, and the focus stays on its summary.
        film_box.get_by_role("link", name="Len Wiseman").focus()
        page.keyboard.press("Escape")
        expect(film_box.get_by_role("link", name="Len Wiseman")).to_be_hidden()
        expect(film_box.locator("summary")).to_be_focused()
        page.keyboard.press("Enter")
        contents.locator("summary").click()
    else:
        # Open for good on a wide screen: the summaries toggle nothing, so Tab skips them, and
        # Escape leaves the boxes open.
        expect(contents.locator("summary")).to_have_attribute("tabindex", "-1")
        contents.get_by_role("link").first.focus()
        page.keyboard.press("Escape")
        expect(contents).to_have_attribute("open", "")
    toc = page.get_by_role("navigation", name="In this review")
    expect(toc.get_by_role("link")).to_have_text(list(HEADINGS.values()))
    for anchor, heading in HEADINGS.items():
        expect(toc.get_by_role("link", name=heading)).to_have_attribute("href", f"#{anchor}")
        expect(page.locator(f"h2#{anchor}")).to_have_text(heading)
    expect(film_box.get_by_role("link", name="Len Wiseman")).to_be_visible()
    # Lighthouse's target-size audit: the film box's people and genre links are at least
    # 24 px tall, and no two overlap.
    boxes = [link.bounding_box() for link in film_box.locator(".facts a").all()]
    assert len(boxes) >= 8
    assert all(box["height"] >= 24 for box in boxes), boxes
    for a, b in itertools.pairwise(boxes):
        assert (
            b["y"] >= a["y"] + a["height"] - 0.5
            or b["x"] >= a["x"] + a["width"]
            or a["x"] >= b["x"] + b["width"]
        ), (a, b)
    expect(film_box.get_by_role("link", name="Ana de Armas")).to_be_visible()
    assert horizontal_overflow(page) == 0
    screenshot(page, "review")

    page.emulate_media(color_scheme="dark")
    screenshot(page, "review-dark")
    page.emulate_media(color_scheme="light")

    anchor = "the-villains-deadly-dangerous-and-relentless"
    heading = HEADINGS[anchor]
    toc.get_by_role("link", name=heading).click()

    expect(page).to_have_url(re.compile(f"#{anchor}$"))
    target = page.locator(f"h2#{anchor}")
    expect(target).to_be_in_viewport()
    assert page.evaluate("document.querySelector(':target').id") == anchor
    # The heading is at the top of the window, not merely somewhere on screen.
    assert 0 <= target.bounding_box()["y"] < 100
    assert page.console_errors == []


def test_the_review_prints_its_text_and_film_box_without_the_screens_controls(
    page, live_server, seeded_review
):
    """Printed (or saved as PDF), the review keeps its article, its film box open with the
    cast and director even where a phone shows it closed, and its comments; sharing, the
    comment form and the related cards stay on screen. The intro's drop cap keeps the italics
    of the film's title it opens on."""
    page.goto(live_server.url + seeded_review.get_absolute_url())
    first_letter = page.evaluate(
        "getComputedStyle(document.querySelector('.review-intro > p'), '::first-letter').fontStyle"
    )
    assert first_letter == "italic"  # "*Ballerina* (2025) is…": not an upright B, italic "allerina"
    page.emulate_media(media="print")
    film_box = page.locator("details.film-box")
    expect(film_box.get_by_role("link", name="Len Wiseman")).to_be_visible()
    expect(film_box.get_by_role("link", name="Ana de Armas")).to_be_visible()
    expect(
        page.get_by_role("heading", name="Conclusion: A Beautifully Brutal Action Masterpiece")
    ).to_be_visible()
    for gone in (".share", "#comment-form", ".related", ".site-header", ".site-footer"):
        expect(page.locator(gone).first).to_be_hidden()
    screenshot(page, "review-print")
    page.emulate_media(media="screen")
    expect(page.locator(".share")).to_be_visible()


def test_the_front_page(page, live_server, seeded_review):
    genre = GenreFactory(name="Drama")
    for n, title in enumerate(["Arrival", "Heat", "Paddington 2", "Parasite", "Get Out"], 1):
        film = FilmFactory(title=title, release_date=datetime.date(2010 + n, 1, 1), genres=[genre])
        review = ReviewFactory(
            film=film,
            published=True,
            headline=f"{title}: a review in {n} parts",
            dek="A dek long enough to wrap onto a second line on a phone, as deks do.",
            rating=[3, "3.5", 4, "4.5", 5][n - 1],
            published_at=seeded_review.published_at - datetime.timedelta(days=n),
        )
        SectionFactory(review=review)

    page.goto(live_server.url + "/")

    cards = page.locator("article.review-card")
    expect(cards).to_have_count(6)
    expect(cards.first.get_by_role("heading")).to_have_text("BALLERINA: A JOHN WICK Story")
    expect(cards.first).to_contain_text("26 January 2025 · Mara Lind")
    expect(cards.nth(1)).to_contain_text("Rated 3 out of 5")
    assert horizontal_overflow(page) == 0
    screenshot(page, "home")

    cards.first.get_by_role("link", name="BALLERINA: A JOHN WICK Story").click()
    expect(page).to_have_url(live_server.url + seeded_review.get_absolute_url())
    assert page.console_errors == []


def test_the_catalogue_pages(page, live_server, seeded_review):
    """The film, a person, a genre and the film list lay out at both widths."""
    film = seeded_review.film
    pages = {
        "film": film.get_absolute_url(),
        "person": film.cast_credits.get(order=0).person.get_absolute_url(),
        "genre": film.genres.first().get_absolute_url(),
        "films": "/films/",
        "not-found": "/reviews/not-a-review/",
    }
    for name, path in pages.items():
        response = page.goto(live_server.url + path)
        assert response.status == (404 if name == "not-found" else 200), name
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert horizontal_overflow(page) == 0, f"{name} overflows at {viewport_name(page)} width"
        screenshot(page, name)
    assert page.console_errors == [] or all("404" in e for e in page.console_errors)
