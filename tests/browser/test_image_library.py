"""The image library in a real browser, at desktop and phone widths (issue 20, items 1 and 2):
an editor uploads a still to the library (refused without alt text), clicks its subject to set
the focal point, then puts it into a section with the editor's "Image" button, uploads a second
one from the picker itself, sees both in the live preview, and readers see the figures with
their captions on the public page, with no layout shift.
"""

import re

import pytest
from playwright.sync_api import expect

from images.models import Image
from reviews.critics import Critic
from reviews.demo import artwork
from reviews.models import Review, Section
from tests.browser.conftest import choose_in_popup, horizontal_overflow, screenshot
from tests.browser.test_editing import change_page, draft_of, no_errors, sign_in
from tests.browser.test_images import LAYOUT_SHIFT
from tests.factories import FilmFactory, LibraryImageFactory, image_upload, user_in_group

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_upload_set_focus_insert_into_a_section_and_see_the_figure(page, live_server, tmp_path):
    editor = user_in_group("Editors", username="edie", first_name="Edie", last_name="Lane")
    Critic.objects.for_user(editor)
    review = draft_of(editor, film=FilmFactory(title="Heat"))
    still = tmp_path / "heat-still.jpg"
    image, focus, description = artwork.still_jpeg("Heat")
    still.write_bytes(image)
    second = tmp_path / "alien-still.jpg"
    second.write_bytes(artwork.still_jpeg("Alien")[0])

    sign_in(page, live_server, "edie")
    # The library's add form: no alt text and not decorative is refused, and explained.
    page.goto(live_server.url + "/admin/images/image/add/")
    page.get_by_label("File").set_input_files(str(still))
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".errorlist")).to_contain_text("Describe the image")
    page.get_by_label("File").set_input_files(str(still))
    page.get_by_label("Alt text").fill(description)
    page.get_by_label("Caption").fill("McCauley at the diner, before the last job.")
    page.get_by_label("Credit / copyright").fill("Illustration: Marquee demo")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    # Click the subject on the image: the focal point follows.
    picture = page.locator(".focal-picker img")
    picture.scroll_into_view_if_needed()
    box = picture.bounding_box()
    picture.click(
        position={"x": box["width"] * focus[0] / 100, "y": box["height"] * focus[1] / 100}
    )
    expect(page.locator(".focal-picker__marker")).to_be_visible()
    screenshot(page, "library-1-focal-point")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    still_image = Image.objects.get()
    assert abs(still_image.focus_x - focus[0]) <= 2
    assert abs(still_image.focus_y - focus[1]) <= 2
    assert still_image.uploaded_by == editor

    # The section editor's "Image" button: the library in a popup; choose the still.
    page.goto(change_page(live_server, review))
    body = page.locator("#id_sections-0-body")
    # The section's own button (the intro above has one too).
    image_button = page.locator(".markdownx").filter(has=body).locator(".md-toolbar__button--image")
    body.click()
    body.press("End")
    with page.expect_popup() as opened:
        image_button.click()
    picker = opened.value
    expect(picker.locator("img.library-thumbnail")).to_have_count(1)
    screenshot(picker, "library-2-picker")
    choose_in_popup(picker, picker.locator("img.library-thumbnail").first)
    expect(body).to_have_value(f"The plot thickens.\n\n![[image:{still_image.pk}]]\n")

    # And upload a new one from the picker itself: it goes in at the cursor too.
    with page.expect_popup() as opened:
        image_button.click()
    picker = opened.value
    picker.locator("a.addlink").click()
    picker.get_by_label("File").set_input_files(str(second))
    picker.get_by_label("Alt text").fill("A corridor lit red")
    picker.get_by_role("button", name="Save", exact=True).click()
    new_image = Image.objects.exclude(pk=still_image.pk).get()
    expect(body).to_have_value(
        f"The plot thickens.\n\n![[image:{still_image.pk}]]\n\n![[image:{new_image.pk}]]\n"
    )

    # The live preview shows the figures.
    # (Each field's preview is drawn in the readers' styles, in a frame under the text.)
    editor_box = page.locator(".markdownx").filter(has=page.locator("#id_sections-0-body"))
    preview = editor_box.locator("iframe.markdown-frame")
    shown = editor_box.frame_locator("iframe.markdown-frame")
    expect(shown.locator("figure img")).to_have_count(2)
    expect(shown.locator("figcaption").first).to_contain_text("McCauley at the diner")
    preview.scroll_into_view_if_needed()
    # The preview fits the form, on a phone too, and the figure fits the preview.
    frame, drawn = preview.bounding_box(), shown.locator("img").first.bounding_box()
    assert (
        frame["x"] + frame["width"] <= body.bounding_box()["x"] + body.bounding_box()["width"] + 1
    )
    assert drawn["x"] + drawn["width"] <= frame["x"] + frame["width"]
    screenshot(page, "library-3-section-editor")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    no_errors(page)
    section = Section.objects.get(review=review)
    assert set(section.images.all()) == {still_image, new_image}

    Review.objects.get(pk=review.pk).publish(by=editor)

    # A reader's view: the figures, their alt text and captions, the best format, no shift.
    # Leave the editor first: its Markdown previews, still loading on a busy machine, would
    # otherwise post without the cleared cookies and get the CSRF refusal page back.
    page.goto("about:blank")
    page.context.clear_cookies()
    page.goto(live_server.url + review.get_absolute_url())
    figure = page.locator("figure.figure").first
    img = figure.locator("img")
    img.scroll_into_view_if_needed()
    expect(img).to_be_visible()
    expect(img).to_have_attribute("alt", description)
    expect(figure.locator("figcaption")).to_have_text(
        "McCauley at the diner, before the last job. Illustration: Marquee demo"
    )
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img.element_handle())
    assert img.evaluate("img => img.currentSrc").endswith(".avif")
    shown = img.bounding_box()
    column = page.locator(".prose").bounding_box()
    assert shown["width"] <= column["width"] + 1
    assert page.evaluate(LAYOUT_SHIFT) == []
    assert horizontal_overflow(page) == 0
    screenshot(page, "library-4-review-figure")
    no_errors(page)


DROP = """(element, [encoded, name]) => {
    const bytes = Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], name, {type: "image/jpeg"}));
    element.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true,
                                                 cancelable: true}));
}"""


def test_drop_a_still_into_a_section_describe_it_and_see_the_figure(page, live_server):
    import base64

    editor = user_in_group("Editors", username="edie", first_name="Edie", last_name="Lane")
    Critic.objects.for_user(editor)
    review = draft_of(editor, film=FilmFactory(title="Heat"))
    still, _focus, description = artwork.still_jpeg("Heat")
    encoded = base64.b64encode(still).decode()

    sign_in(page, live_server, "edie")
    page.goto(change_page(live_server, review))
    body = page.locator("#id_sections-0-body")
    body.click()
    body.press("End")
    dialog = page.get_by_role("dialog", name="Add the image to the library")

    # Cancelled: nothing goes in, nothing is stored.
    body.evaluate(DROP, [encoded, "heat-diner.jpg"])
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Alt text")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(body).to_have_value("The plot thickens.")
    assert not Image.objects.exists()

    # Described: without alt text it is refused in the dialog, then added.
    body.evaluate(DROP, [encoded, "heat-diner.jpg"])
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("heat-diner.jpg")
    dialog.get_by_role("button", name="Add to the library").click()
    expect(dialog.locator("#image_drop_alt_error")).to_contain_text("Describe the image")
    expect(dialog.get_by_label("Alt text")).to_be_focused()
    screenshot(page, "library-4-drop-dialog-refused")
    page.keyboard.type(description)
    dialog.get_by_label("Caption (optional)").fill("McCauley at the diner.")
    dialog.get_by_label("Credit / copyright (optional)").fill("Illustration: Marquee demo")
    screenshot(page, "library-5-drop-dialog")
    dialog.get_by_role("button", name="Add to the library").click()
    expect(dialog).to_be_hidden()
    image = Image.objects.get()
    expect(body).to_have_value(f"The plot thickens.\n\n![[image:{image.pk}]]\n")
    assert (image.alt, image.caption, image.uploaded_by) == (
        description,
        "McCauley at the diner.",
        editor,
    )

    editor_box = page.locator(".markdownx").filter(has=body)
    shown = editor_box.frame_locator("iframe.markdown-frame")
    expect(shown.locator("figure img")).to_have_attribute("alt", description)
    expect(shown.locator("figcaption")).to_contain_text("McCauley at the diner.")
    editor_box.locator("iframe.markdown-frame").scroll_into_view_if_needed()
    screenshot(page, "library-6-dropped-figure")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    no_errors(page, allowed=(f"400 {live_server.url}/markdownx/upload/",))  # the refusal
    assert list(Section.objects.get(review=review).images.all()) == [image]


def test_a_poster_chosen_in_the_library_shows_as_it_will_be_saved(page, live_server):
    """A different poster picked with the magnifier, before the save: the name beside the id box
    is the new image's, and "as shown" draws it in the saved preview's box (it was drawn at its
    full 1200 by 1800 pixels, running off the form, under the old image's name)."""
    user_in_group("Editors", username="edie")

    def poster(alt, colour):
        upload = image_upload(f"{colour}.png", size=(1200, 1800))
        return LibraryImageFactory(file=upload, alt=alt, caption="")

    old = poster("Red poster of John Wick 4", "red")
    new = poster("Blue poster of John Wick 4", "blue")
    film = FilmFactory(title="John Wick: Chapter 4", poster=old)
    sign_in(page, live_server, "edie")
    page.goto(change_page(live_server, film))
    label = page.locator(".field-poster strong")
    shown = page.locator(".field-poster_preview .readonly")
    expect(label).to_have_text(old.alt)
    saved = shown.locator("img").bounding_box()

    with page.expect_popup() as opened:
        page.locator("#lookup_id_poster").click()
    picker = opened.value
    choose_in_popup(picker, picker.locator("tr", has_text=new.alt).locator("img.library-thumbnail"))
    expect(page.locator("#id_poster")).to_have_value(str(new.pk))
    expect(shown).to_contain_text(f"Image {new.pk} chosen: it is saved with the form.")
    chosen = shown.get_by_alt_text(new.alt)
    expect(chosen).to_be_visible()
    box = chosen.bounding_box()
    assert box["width"] <= 320, box
    assert box["height"] <= 320, box
    assert (round(box["width"]), round(box["height"])) == (
        round(saved["width"]),
        round(saved["height"]),
    )
    expect(label).to_have_text(new.alt)
    expect(label.get_by_role("link")).to_have_attribute(
        "href", f"/admin/images/image/{new.pk}/change/"
    )
    assert horizontal_overflow(page) == 0
    screenshot(page, "library-3-poster-chosen-before-save")

    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    expect(label).to_have_text(new.alt)
    no_errors(page)


def test_an_image_over_the_size_cap_is_refused_before_it_is_sent(page, live_server, settings):
    user_in_group("Editors", username="edie", first_name="Edie", last_name="Lane")
    sign_in(page, live_server, "edie")
    page.goto(live_server.url + "/admin/images/image/add/")
    sent = []
    page.on("request", lambda request: request.method == "POST" and sent.append(request.url))
    page.get_by_label("Alt text").fill("Typed before the file was chosen")

    too_big = settings.MARQUEE_MAX_IMAGE_BYTES + 1024 * 1024  # 6.0 MB against 5.0
    page.get_by_label("File").set_input_files(
        {"name": "huge.jpg", "mimeType": "image/jpeg", "buffer": b"\0" * too_big}
    )
    message = page.get_by_label("File").evaluate("input => input.validationMessage")
    assert message.replace("\xa0", " ") == "This image is 6.0 MB; the limit is 5.0 MB."
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page).to_have_url(live_server.url + "/admin/images/image/add/")
    assert sent == []  # the browser sent nothing: no 6 MB upload to be refused
    expect(page.get_by_label("Alt text")).to_have_value("Typed before the file was chosen")

    # A file within the cap is taken.
    page.get_by_label("File").set_input_files(
        {"name": "still.jpg", "mimeType": "image/jpeg", "buffer": artwork.still_jpeg("Heat")[0]}
    )
    assert page.get_by_label("File").evaluate("input => input.validationMessage") == ""
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    assert Image.objects.get().alt_text == "Typed before the file was chosen"


DROP_SIZED = """(element, [size, name]) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([new Uint8Array(size)], name, {type: "image/jpeg"}));
    element.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true,
                                                 cancelable: true}));
}"""


def test_an_image_dropped_into_the_text_over_the_size_cap_is_refused_at_once(
    page, live_server, settings
):
    """Dropped into a Markdown field, a photo over the cap is refused in the dialog before the
    writer describes it, and nothing is uploaded; the text is as it was."""
    editor = user_in_group("Editors", username="edie", first_name="Edie", last_name="Lane")
    Critic.objects.for_user(editor)
    review = draft_of(editor, film=FilmFactory(title="Heat"))
    sign_in(page, live_server, "edie")
    page.goto(change_page(live_server, review))
    sent = []  # uploads (the live preview posts the text as it changes)
    page.on("request", lambda request: "/upload/" in request.url and sent.append(request.url))
    body = page.locator("#id_sections-0-body")
    body.click()

    too_big = settings.MARQUEE_MAX_IMAGE_BYTES + 1024 * 1024  # 6.0 MB against 5.0
    body.evaluate(DROP_SIZED, [too_big, "huge.jpg"])
    dialog = page.get_by_role("dialog", name="Add the image to the library")
    problem = dialog.get_by_role("alert")
    expect(problem).to_have_text(
        re.compile(r"This image is 6\.0\sMB; the limit is 5\.0\sMB\. Image not added")
    )
    expect(problem).to_be_focused()
    expect(dialog.get_by_role("button", name="Add to the library")).to_be_disabled()
    dialog.get_by_label("Alt text").fill("A photo too large")
    dialog.get_by_label("Alt text").press("Enter")  # a form's Enter sends nothing either
    screenshot(page, "library-drop-too-large")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(body).to_have_value("The plot thickens.")
    assert sent == []
    assert not Image.objects.exists()
    no_errors(page)
