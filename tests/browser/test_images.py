"""Images in a real browser, at desktop and phone widths (issue 20): an editor uploads a still
to the image library with alt text and a credit, clicks its subject to set the focal point, picks
it as a review's hero from the library's popup, publishes, and readers see it cropped on the
review page and on the front page, with no layout shift.
"""

import pytest
from playwright.sync_api import expect

from images.models import Image
from reviews.critics import Critic
from reviews.demo import artwork
from reviews.models import Review
from tests.browser.conftest import choose_in_popup, horizontal_overflow, screenshot
from tests.browser.test_editing import change_page, draft_of, no_errors, sign_in
from tests.factories import FilmFactory, user_in_group

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# The layout shifts since the page began loading (what makes up the CLS of a page nobody
# scrolls), each as its score and the start of what moved, leaving out the share buttons' own:
# share.js adds a button beside them once it runs, which moves them sideways and nothing else
# (not an image's doing).
LAYOUT_SHIFT = """() => new Promise((resolve) => {
  const shifts = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const sources = (entry.sources || []).filter(
        (source) => !(source.node && source.node.closest && source.node.closest(".share")));
      if (!entry.hadRecentInput && sources.length) {
        shifts.push([entry.value, ...sources.map((source) => (source.node && source.node.outerHTML
          ? source.node.outerHTML.slice(0, 80) : String(source.node)))]);
      }
    }
  }).observe({type: "layout-shift", buffered: true});
  setTimeout(() => resolve(shifts), 500);
})"""


def test_pick_a_hero_from_the_library_and_see_it_on_the_public_page(page, live_server, tmp_path):
    editor = user_in_group("Editors", username="edie", first_name="Edie", last_name="Lane")
    Critic.objects.for_user(editor)
    film = FilmFactory(title="Ballerina")
    review = draft_of(editor, film=film, featured=True)
    still = tmp_path / "still.jpg"
    image, focus, description = artwork.still_jpeg("Heat")  # a figure on the right
    still.write_bytes(image)

    # The still goes into the library once, described and with its focal point clicked.
    sign_in(page, live_server, "edie")
    page.goto(live_server.url + "/admin/images/image/add/")
    page.get_by_label("File").set_input_files(str(still))
    page.get_by_label("Alt text").fill(description)
    page.get_by_label("Credit / copyright").fill("Illustration: Marquee demo")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    preview = page.locator(".focal-picker img")
    preview.scroll_into_view_if_needed()
    box = preview.bounding_box()
    preview.click(
        position={"x": box["width"] * focus[0] / 100, "y": box["height"] * focus[1] / 100}
    )
    expect(page.locator(".focal-picker__marker")).to_be_visible()
    screenshot(page, "images-1-admin-focal-point")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    still_image = Image.objects.get()

    # The review's hero: the library opens in a popup, where the still is chosen.
    page.goto(change_page(live_server, review))
    expect(page.locator(".field-hero_preview")).to_contain_text("No hero image yet")
    with page.expect_popup() as opened:
        page.locator("#lookup_id_hero").click()
    picker = opened.value
    expect(picker.locator("img.library-thumbnail")).to_have_count(1)
    screenshot(picker, "images-2-hero-picker")
    choose_in_popup(picker, picker.locator("img.library-thumbnail").first)
    expect(page.locator("#id_hero")).to_have_value(str(still_image.pk))
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    no_errors(page)
    # The form shows the hero as readers will see it, and where its description is edited.
    chosen = page.locator(".hero-choice")
    chosen.scroll_into_view_if_needed()
    expect(chosen.locator("img")).to_have_attribute("alt", description)
    expect(chosen).to_contain_text("Illustration: Marquee demo")
    expect(chosen.get_by_role("link", name="Edit its alt text")).to_be_visible()
    shown = chosen.locator("img").bounding_box()
    assert abs(shown["width"] / shown["height"] - 16 / 9) < 0.03
    assert horizontal_overflow(page) == 0
    screenshot(page, "images-3-review-form-hero")

    review = Review.objects.get(pk=review.pk)
    assert review.hero == still_image
    review.publish(by=editor)
    still_image.refresh_from_db()
    assert still_image.wide_renditions["crop"] == (
        f"16x9-f{still_image.focus_x}x{still_image.focus_y}"
    )

    # A reader's view.
    # Leave the editor first: its Markdown previews, still loading on a busy machine, would
    # otherwise post without the cleared cookies and get the CSRF refusal page back.
    page.goto("about:blank")
    page.context.clear_cookies()
    page.goto(live_server.url + review.get_absolute_url())
    hero = page.locator("figure.review-hero img")
    expect(hero).to_be_visible()
    expect(hero).to_have_attribute("alt", description)
    expect(page.locator("figure.review-hero figcaption")).to_have_text("Illustration: Marquee demo")
    loaded = hero.evaluate("img => ({src: img.currentSrc, width: img.naturalWidth})")
    assert loaded["src"].endswith(".avif"), loaded
    assert loaded["width"] > 0, loaded
    shown = hero.bounding_box()
    assert abs(shown["width"] / shown["height"] - 16 / 9) < 0.02
    assert page.evaluate(LAYOUT_SHIFT) == []
    screenshot(page, "images-4-review-hero")

    page.goto(live_server.url + "/")
    card = page.locator(".review-card--lead img.card__image")
    expect(card).to_be_visible()
    assert card.evaluate("img => img.currentSrc").endswith(".avif")
    assert page.evaluate(LAYOUT_SHIFT) == []
    screenshot(page, "images-5-front-page-lead")
    no_errors(page)


# The card images' heights in the grid (the lead story, drawn larger across it, aside).
CARD_IMAGE_HEIGHTS = """() => [...document.querySelectorAll(
  ".review-card:not(.review-card--lead) .card__media > :is(picture, .poster--placeholder)"
)].map((box) => {
  const shown = box.localName === "picture" ? box.querySelector("img") : box;
  return Math.round(shown.getBoundingClientRect().height);
})"""


def test_cards_without_a_hero_line_up_with_those_that_have_one(page, live_server):
    """A review without a hero shows its film's backdrop or poster in the same 16:9 slot as a
    hero: the grid's rows stay even (a 2:3 poster made its card three times as tall)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories import LibraryImageFactory, ReviewFactory, image_upload

    def still(title):
        jpeg, (x, y), description = artwork.still_jpeg(title)
        return LibraryImageFactory(
            file=SimpleUploadedFile(f"{title}.jpg", jpeg, "image/jpeg"),
            alt=description,
            focus_x=x,
            focus_y=y,
        )

    ReviewFactory(published=True, featured=True, hero=still("Heat"))
    for title in ("Alien", "Jaws", "Vertigo"):
        ReviewFactory(published=True, hero=still(title), film=FilmFactory(title=title))
    ReviewFactory(published=True, film=FilmFactory(title="Backdrop", backdrop=still("Ran")))
    poster = LibraryImageFactory(file=image_upload("poster.png", size=(500, 750)), focus_y=20)
    ReviewFactory(published=True, film=FilmFactory(title="Poster only", poster=poster))
    ReviewFactory(published=True, film=FilmFactory(title="No images"))

    for url, name in (("/", "images-6-front-page-grid"), ("/reviews/", "images-7-review-list")):
        page.goto(live_server.url + url)
        heights = page.evaluate(CARD_IMAGE_HEIGHTS)
        assert len(heights) >= 6, heights
        assert max(heights) - min(heights) <= 1, heights
        width = page.locator(".review-card:not(.review-card--lead) .card__media").first
        assert abs(width.bounding_box()["width"] * 9 / 16 - heights[0]) <= 1
        assert horizontal_overflow(page) == 0
        screenshot(page, name)
    assert page.console_errors == []
