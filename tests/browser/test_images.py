"""Images in a real browser, at desktop and phone widths (issue 20): an editor uploads a hero
image with alt text and a credit, clicks its subject to set the focal point, publishes, and
readers see it cropped on the review page and on the front page, with no layout shift.
"""

import pytest
from playwright.sync_api import expect

from reviews.critics import Critic
from reviews.demo import artwork
from reviews.models import Review
from tests.browser.conftest import screenshot
from tests.browser.test_editing import change_page, draft_of, no_errors, sign_in
from tests.factories import FilmFactory, user_in_group

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# The sum of layout shifts since the page began loading (the CLS of a page nobody scrolls),
# leaving out the share buttons' own: share.js adds a button beside them once it runs, which
# moves them sideways and nothing else (not an image's doing).
LAYOUT_SHIFT = """() => new Promise((resolve) => {
  let total = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const sources = (entry.sources || []).filter(
        (source) => !(source.node && source.node.closest && source.node.closest(".share")));
      if (!entry.hadRecentInput && sources.length) total += entry.value;
    }
  }).observe({type: "layout-shift", buffered: true});
  setTimeout(() => resolve(total), 500);
})"""


def test_upload_caption_crop_and_see_the_hero_on_the_public_page(page, live_server, tmp_path):
    editor = user_in_group("Editors", username="edie", first_name="Edie", last_name="Lane")
    Critic.objects.for_user(editor)
    film = FilmFactory(title="Ballerina")
    review = draft_of(editor, film=film, featured=True)
    still = tmp_path / "still.jpg"
    image, focus, description = artwork.still_jpeg("Heat")  # a figure on the right
    still.write_bytes(image)

    sign_in(page, live_server, "edie")
    page.goto(change_page(live_server, review))
    page.locator("#id_hero_image").set_input_files(str(still))
    page.get_by_role("button", name="Save and continue editing").click()
    # No alt text and not decorative: refused, explained, nothing lost.
    expect(page.locator(".errorlist")).to_contain_text("Describe the hero image")
    page.locator("#id_hero_image").set_input_files(str(still))
    page.get_by_label("Hero image's alt text").fill(description)
    page.get_by_label("Hero image's credit").fill("Illustration: Marquee demo")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    # Click the figure in the preview: the focal point follows.
    preview = page.locator(".focal-picker img")
    preview.scroll_into_view_if_needed()
    box = preview.bounding_box()
    preview.click(
        position={"x": box["width"] * focus[0] / 100, "y": box["height"] * focus[1] / 100}
    )
    assert abs(int(page.locator("#id_hero_focus_x").input_value()) - focus[0]) <= 2
    assert abs(int(page.locator("#id_hero_focus_y").input_value()) - focus[1]) <= 2
    expect(page.locator(".focal-picker__marker")).to_be_visible()
    screenshot(page, "images-1-admin-focal-point")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    no_errors(page)

    review = Review.objects.get(pk=review.pk)
    assert abs(review.hero_focus_x - focus[0]) <= 2
    review.publish(by=editor)
    review.refresh_from_db()
    assert review.hero_renditions["crop"] == f"16x9-f{review.hero_focus_x}x{review.hero_focus_y}"

    # A reader's view.
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
    assert page.evaluate(LAYOUT_SHIFT) == 0
    screenshot(page, "images-2-review-hero")

    page.goto(live_server.url + "/")
    card = page.locator(".review-card--lead img.card__image")
    expect(card).to_be_visible()
    assert card.evaluate("img => img.currentSrc").endswith(".avif")
    assert page.evaluate(LAYOUT_SHIFT) == 0
    screenshot(page, "images-3-front-page-lead")
    no_errors(page)
