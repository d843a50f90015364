"""The image library (issue 20, items 1 and 2): images uploaded once with alt text, caption,
credit and focal point, reused in sections through `![[image:N]]` lines that render as figures,
and never deleted while a section shows them.
"""

import datetime
import re
from io import BytesIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.urls import reverse
from PIL import ExifTags
from PIL import Image as Pillow

from images.models import Image
from reviews.markdown import render
from reviews.models import Review, Section
from reviews.timezones import set_zone
from tests.factories import (
    FilmFactory,
    LibraryImageFactory,
    ReviewFactory,
    SectionFactory,
    image_upload,
    user_in_group,
)
from tests.photos import CAMERA, SECRETS, SRGB, assert_private_and_upright, phone_photo
from tests.test_pages import attr, find, find_all, page, text
from tests.test_workflow_admin import errors, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def figure_of(html: str):
    from django.test.html import parse_html

    return find(parse_html(f"<div>{html}</div>"), "figure", cls="figure")


# The library's rules --------------------------------------------------------------------------


def test_alt_text_is_required_unless_the_image_is_marked_decorative():
    image = Image(file=image_upload("still.png"), alt="  ")
    with pytest.raises(ValidationError) as refused:
        image.full_clean()
    assert "alt" in refused.value.error_dict
    Image(file=image_upload("still.png"), decorative=True).full_clean()
    Image(file=image_upload("still.png"), alt="A dancer").full_clean()


def test_the_database_refuses_an_undescribed_content_image_too():
    with pytest.raises(IntegrityError), transaction.atomic():
        LibraryImageFactory(alt="", decorative=False)
    assert LibraryImageFactory(alt="", decorative=True).pk


def test_an_image_shown_in_a_section_cannot_be_deleted_until_it_is_taken_out():
    image = LibraryImageFactory()
    section = SectionFactory(body=f"Before.\n\n![[image:{image.pk}]]\n\nAfter.")
    assert list(section.images.all()) == [image]
    assert [use.section for use in image.uses()] == [section]
    with pytest.raises(ProtectedError):
        image.delete()

    section.body = "Before.\n\nAfter."
    section.save()
    assert image.uses() == []
    image.delete()
    assert not Image.objects.filter(pk=image.pk).exists()


def test_an_image_waiting_in_a_live_reviews_pending_version_is_in_use_too():
    from reviews import pending

    editor = user_in_group("Editors")
    image = LibraryImageFactory()
    review = ReviewFactory(published=True, author=editor)
    section = SectionFactory(review=review, body="Live text.")
    section.body = f"Live text.\n\n![[image:{image.pk}]]"
    pending.save_pending(review, [section], editor, review.version)
    assert Section.objects.get(pk=section.pk).body == "Live text.", "readers see the live text"
    assert [str(use) for use in image.uses()] == [
        f"The pending changes to the review “{review.headline}”"
    ]
    with pytest.raises(ProtectedError):
        image.delete()

    pending.publish_changes(review, editor)
    assert [use.section for use in image.uses()] == [section]


# Figures in sections ---------------------------------------------------------------------------


def test_a_reference_renders_a_figure_with_alt_text_caption_credit_and_sources(run_tasks):
    with run_tasks(execute=True):
        image = LibraryImageFactory(file=image_upload("still.png", size=(2000, 1200)))
    image.refresh_from_db()
    html = render(f"A paragraph.\n\n![[image:{image.pk}]]\n\nAnother.")
    assert html.index("A paragraph.") < html.index("<figure") < html.index("Another.")
    figure = figure_of(html)
    avif, webp = find_all(figure, "source")
    assert (attr(avif, "type"), attr(webp, "type")) == ("image/avif", "image/webp")
    assert ".avif 1600w" in attr(avif, "srcset")
    img = find(figure, "img")
    assert attr(img, "alt") == "Eve in a red coat on an empty stage"
    assert attr(img, "role") is None
    assert (attr(img, "width"), attr(img, "height")) == ("2000", "1200")
    assert attr(img, "src").endswith("-800w.jpg")
    assert attr(img, "loading") == "lazy"
    caption = find(figure, "figcaption")
    assert text(caption) == "The rehearsal, in one long take. © Marquee demo"
    assert text(find(caption, "small", cls="figure__credit")) == "© Marquee demo"


def test_a_decorative_image_has_empty_alt_and_no_caption_when_it_has_none():
    image = LibraryImageFactory(alt="", decorative=True, caption="", credit="")
    img = find(figure_of(render(f"![[image:{image.pk}]]")), "img")
    assert attr(img, "alt") == ""
    assert attr(img, "role") == "presentation"
    assert "figcaption" not in render(f"![[image:{image.pk}]]")


def test_a_decorative_figure_does_not_stop_publication_but_undescribed_html_does():
    editor = user_in_group("Editors")
    review = ReviewFactory(author=editor)
    image = LibraryImageFactory(alt="", decorative=True)
    SectionFactory(review=review, body=f"Words.\n\n![[image:{image.pk}]]")
    review.publish(by=editor)
    assert Review.objects.get(pk=review.pk).is_public

    forged = ReviewFactory(author=editor)
    SectionFactory(review=forged, body='<img src="/x.png" alt="" role="presentation">')
    with pytest.raises(ValidationError, match="has no alt text"):
        forged.publish(by=editor)


def test_while_renditions_are_pending_the_original_is_served_in_the_same_box():
    image = LibraryImageFactory(file=image_upload("still.png", size=(1000, 600)))
    figure = figure_of(render(f"![[image:{image.pk}]]"))
    assert find_all(figure, "source") == []
    img = find(figure, "img")
    assert attr(img, "src") == image.file.url
    assert (attr(img, "width"), attr(img, "height")) == ("1000", "600")


def test_unknown_ids_and_references_inside_text_or_code_render_no_figure():
    image = LibraryImageFactory()
    assert render("![[image:999999]]") == ""
    assert render(f"Before ![[image:{image.pk}]] after.").startswith("<p>Before !")
    assert "<figure" not in render(f"    ![[image:{image.pk}]]")  # indented: a code block
    assert "<figure" not in render(f"```\n![[image:{image.pk}]]\n```")


def test_hostile_descriptions_are_escaped_and_authors_cannot_forge_figures():
    image = LibraryImageFactory(
        alt='"><script>alert(1)</script>',
        caption="<img src=x onerror=alert(2)>Caption",
        credit="<b>Credit</b>",
    )
    html = render(f"![[image:{image.pk}]]")
    assert "<script" not in html
    assert "<img src=x" not in html
    assert "<b>" not in html
    assert "&lt;img src=x onerror=alert(2)&gt;Caption" in html
    assert attr(find(figure_of(html), "img"), "alt") == '"><script>alert(1)</script>'

    forged = render(
        '<picture><source srcset="javascript:alert(3)"><img src=x onerror=alert(4)></picture>\n\n'
        "<p>marquee-figure-0000000000000000-1</p>"
    )
    assert "<picture" not in forged
    assert "<source" not in forged
    assert "onerror" not in forged
    assert "<figure" not in forged


def test_sections_follow_changes_to_their_images(run_tasks, client):
    image = LibraryImageFactory(file=image_upload("still.png", size=(1000, 600)))
    section = SectionFactory(review=ReviewFactory(published=True), body=f"![[image:{image.pk}]]")
    review_url = section.review.get_absolute_url()
    assert image.file.url in client.get(review_url).content.decode()

    # A new description, and the renditions its save queued (a task, run at the commit).
    with run_tasks(execute=True):
        image.alt = "A new description"
        image.save()
    section.refresh_from_db()
    assert 'alt="A new description"' in section.body_html
    assert 'type="image/avif"' in section.body_html
    figure = find(page(client.get(review_url)), "figure", cls="figure")
    assert len(find_all(figure, "source")) == 2


def test_the_live_preview_shows_the_figure(client):
    client.force_login(user_in_group("Writers"))
    image = LibraryImageFactory()
    response = client.post(reverse("markdownx_markdownify"), {"content": f"![[image:{image.pk}]]"})
    assert response.status_code == 200
    assert text(find(figure_of(response.content.decode()), "figcaption")).startswith(
        "The rehearsal"
    )


# The library in the admin ---------------------------------------------------------------------


def test_an_editor_uploads_finds_and_sees_where_an_image_is_used(client):
    writer = user_in_group("Writers")
    client.force_login(writer)
    add_url = reverse("admin:images_image_add")
    data = form_data(client.get(add_url))
    response = client.post(
        add_url, {**data, "file": image_upload("rehearsal.png", size=(900, 600))}
    )
    assert response.status_code == 200
    assert "Describe the image" in str(response.context["adminform"].form.errors)

    response = client.post(
        add_url,
        {
            **data,
            "file": image_upload("rehearsal.png", size=(900, 600)),
            "alt": "Eve rehearsing alone",
            "caption": "Rehearsal",
            "credit": "© Studio",
        },
    )
    assert response.status_code == 302, response.context and response.context["adminform"].errors
    image = Image.objects.get()
    assert (image.width, image.height, image.uploaded_by) == (900, 600, writer)

    for words in ("rehearsing", "Studio", "rehearsal.png"):
        listing = page(client.get(reverse("admin:images_image_changelist"), {"q": words}))
        thumbnail = find(listing, "img", cls="library-thumbnail")
        assert attr(thumbnail, "src") == image.file.url
    listing = client.get(reverse("admin:images_image_changelist"), {"q": "nothing-like-it"})
    assert "library-thumbnail" not in listing.content.decode()

    section = SectionFactory(body=f"![[image:{image.pk}]]")
    change = page(client.get(reverse("admin:images_image_change", args=[image.pk])))
    used = find(change, "div", cls="readonly")
    assert "Not used anywhere" not in text(change)
    review_link = reverse("admin:reviews_review_change", args=[section.review.pk])
    assert review_link in str(change)
    assert find(change, "div", cls="focal-picker")
    assert used is not None


def change_image(client, image, **typed):
    """Post the image's own change form (as its page holds it) with `typed` changed."""
    url = reverse("admin:images_image_change", args=[image.pk])
    data = form_data(client.get(url))
    return client.post(url, {**data, **typed})


def test_an_image_says_who_uploaded_it_and_nothing_for_an_import(client):
    editor = user_in_group("Editors", first_name="Edie", last_name="Lane")
    client.force_login(editor)
    uploaded = LibraryImageFactory(uploaded_by=editor)
    imported = LibraryImageFactory(uploaded_by=None)  # as TMDB's posters and the demo's
    page = client.get(reverse("admin:images_image_change", args=[uploaded.pk])).content.decode()
    # As the admin writes every time, in the site's zone (UTC here).
    assert f"{uploaded.uploaded_at:%-d %b %Y, %H:%M} by Edie Lane" in page
    page = client.get(reverse("admin:images_image_change", args=[imported.pk])).content.decode()
    assert f"{imported.uploaded_at:%-d %b %Y, %H:%M}<" in page
    assert "someone" not in page


def test_an_image_says_when_it_was_uploaded_in_the_editors_own_time_zone(client):
    editor = user_in_group("Editors", first_name="Edie", last_name="Lane")
    set_zone(editor, "Pacific/Kiritimati")  # UTC+14: another day than the site's UTC
    client.force_login(editor)
    at = datetime.datetime(2031, 3, 31, 18, 0, tzinfo=datetime.UTC)
    uploaded = LibraryImageFactory(uploaded_by=editor)
    Image.objects.filter(pk=uploaded.pk).update(uploaded_at=at)
    page = client.get(reverse("admin:images_image_change", args=[uploaded.pk])).content.decode()
    assert "1 Apr 2031, 08:00 by Edie Lane" in page


def test_a_writer_changes_only_their_own_images_that_readers_do_not_see_yet(client):
    """A writer's new file or alt text on a live page would reach readers past the editor who
    publishes: they may change their own images in their own drafts (or pending versions),
    and only view the rest."""
    from reviews import pending

    writer, editor = user_in_group("Writers"), user_in_group("Editors")
    draft = ReviewFactory(author=writer)
    image = LibraryImageFactory(uploaded_by=writer)
    SectionFactory(review=draft, body=f"![[image:{image.pk}]]")
    client.force_login(writer)
    assert change_image(client, image, alt="Eve, alone on the stage").status_code == 302
    image.refresh_from_db()
    assert image.alt == "Eve, alone on the stage"

    draft.publish(editor)
    change_page = client.get(reverse("admin:images_image_change", args=[image.pk]))
    assert change_page.status_code == 200  # shown to them, read only
    assert 'name="_save"' not in change_page.content.decode()
    assert change_image(client, image, alt="VANDALISED").status_code == 403
    image.refresh_from_db()
    assert image.alt == "Eve, alone on the stage"
    public = client.get(draft.get_absolute_url()).content.decode()
    assert 'alt="Eve, alone on the stage"' in public
    assert "VANDALISED" not in public

    # Their own image waiting in their live review's pending version: theirs to change.
    waiting = LibraryImageFactory(uploaded_by=writer)
    section = draft.sections.get()
    section.body = f"![[image:{waiting.pk}]]"
    pending.save_pending(draft, [section], writer, draft.version)
    assert change_image(client, waiting, alt="A new still").status_code == 302

    # Someone else's image, and one the catalogue shows as a poster: view only.
    others = LibraryImageFactory(uploaded_by=editor)
    poster = LibraryImageFactory(uploaded_by=writer)
    FilmFactory(poster=poster)
    for image_of_theirs in (others, poster):
        assert change_image(client, image_of_theirs, alt="Mine now").status_code == 403

    client.force_login(editor)
    assert change_image(client, image, alt="Eve on the stage").status_code == 302


def test_a_phone_photo_is_stored_upright_without_its_camera_or_location(client):
    """QA: the stored original is public under /media/library/, and pages show it until the
    renditions are made."""
    client.force_login(user_in_group("Writers"))
    add_url = reverse("admin:images_image_add")
    data = form_data(client.get(add_url))
    response = client.post(add_url, {**data, "file": phone_photo(), "alt": "Eve at the stage door"})
    assert response.status_code == 302, response.context and response.context["adminform"].errors
    image = Image.objects.get()
    assert image.file.name.endswith(".jpg")
    assert_private_and_upright(Path(image.file.path).read_bytes())
    assert (image.width, image.height) == (400, 600)
    change = page(client.get(reverse("admin:images_image_change", args=[image.pk])))
    assert "400 × 600 px" in text(change)
    # Shown before its renditions are made: the original, in the box of the upright picture.
    img = find(figure_of(render(f"![[image:{image.pk}]]")), "img")
    assert attr(img, "src") == image.file.url
    assert (attr(img, "width"), attr(img, "height")) == ("400", "600")


def test_a_photos_renditions_keep_its_colour_profile_and_nothing_of_its_camera(client, run_tasks):
    """Without its colour profile a wide-gamut photo looks washed out; the renditions readers
    are served keep it, and keep out what the stored original keeps out."""
    client.force_login(user_in_group("Writers"))
    add_url = reverse("admin:images_image_add")
    data = form_data(client.get(add_url))
    with run_tasks(execute=True):
        response = client.post(add_url, {**data, "file": phone_photo(), "alt": "Eve backstage"})
    assert response.status_code == 302, response.context and response.context["adminform"].errors
    image = Image.objects.get()
    files = image.renditions["files"]
    assert sorted(files) == ["avif", "jpg", "webp"]
    for _width, name in (each for made in files.values() for each in made):
        with image.file.storage.open(name) as opened:
            stored = opened.read()
        assert not [secret for secret in SECRETS if secret in stored], name
        with Pillow.open(BytesIO(stored)) as rendition:
            assert rendition.info.get("icc_profile") == SRGB, f"{name} lost the colour profile"
            assert not rendition.getexif(), name
            assert not {"exif", "xmp", "comment"} & set(rendition.info), name


@pytest.mark.parametrize("fmt", ["GIF", "WEBP", "PNG"])
def test_an_animation_keeps_its_frames_and_timing_but_not_its_metadata(client, fmt):
    frames = [Pillow.new("RGB", (40, 30), colour) for colour in ("red", "green", "blue")]
    exif = Pillow.Exif()
    exif[ExifTags.Base.Model] = CAMERA.decode()
    metadata = {"comment": b"Made on " + CAMERA} if fmt == "GIF" else {"exif": exif}
    buffer = BytesIO()
    frames[0].save(
        buffer,
        fmt,
        save_all=True,
        append_images=frames[1:],
        duration=[100, 200, 300],
        loop=0,
        **metadata,
    )
    assert CAMERA in buffer.getvalue()
    client.force_login(user_in_group("Writers"))
    add_url = reverse("admin:images_image_add")
    upload = SimpleUploadedFile(f"loop.{fmt.lower()}", buffer.getvalue())
    response = client.post(
        add_url, {**form_data(client.get(add_url)), "file": upload, "alt": "A loop"}
    )
    assert response.status_code == 302, response.context and response.context["adminform"].errors
    stored = Path(Image.objects.get().file.path).read_bytes()
    assert CAMERA not in stored
    with Pillow.open(BytesIO(stored)) as animation:
        assert animation.format == fmt
        durations = []
        for frame in range(animation.n_frames):
            animation.seek(frame)
            animation.load()
            durations.append(animation.info["duration"])
            shown = animation.convert("RGB").getpixel((20, 15))
            drawn = frames[frame].getpixel((0, 0))
            # Within a lossy WebP's error of the colour drawn.
            assert max(abs(a - b) for a, b in zip(shown, drawn, strict=True)) <= 8, shown
    assert durations == [100, 200, 300]


def test_deleting_an_image_in_use_is_refused_with_a_message(
    client, django_capture_on_commit_callbacks
):
    client.force_login(user_in_group("Editors"))
    image = LibraryImageFactory()
    SectionFactory(heading="The rehearsal", body=f"![[image:{image.pk}]]")
    url = reverse("admin:images_image_delete", args=[image.pk])
    response = client.post(url, {"post": "yes"})
    assert response.status_code == 200
    assert "Cannot delete image" in response.content.decode()
    assert "The rehearsal" in response.content.decode()
    assert Image.objects.filter(pk=image.pk).exists()

    # An image nothing shows is deleted, and its files with it once the deletion commits.
    with django_capture_on_commit_callbacks(execute=True):
        unused = LibraryImageFactory()  # its renditions are made at the commit
    unused.refresh_from_db()
    storage = unused.file.storage
    files = [unused.file.name] + [
        name for found in unused.renditions["files"].values() for _width, name in found
    ]
    assert len(files) > 1
    assert all(storage.exists(name) for name in files)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:images_image_delete", args=[unused.pk]), {"post": "yes"}
        )
    assert response.status_code == 302
    assert not Image.objects.filter(pk=unused.pk).exists()
    assert not any(storage.exists(name) for name in files)
    # The refused deletion above deleted no file.
    assert storage.exists(image.file.name)


def test_an_image_goes_into_a_section_through_the_review_form_and_saves_twice(client):
    editor = user_in_group("Editors")
    client.force_login(editor)
    add_url = reverse("admin:images_image_add")
    data = form_data(client.get(add_url))
    client.post(
        add_url,
        {**data, "file": image_upload("still.png", size=(1200, 700)), "alt": "A stage"},
    )
    image = Image.objects.get()

    review = ReviewFactory(author=editor)
    SectionFactory(review=review, heading="Plot", body="First paragraph.")
    url = reverse("admin:reviews_review_change", args=[review.pk])
    data = form_data(client.get(url))
    body = next(name for name in data if re.fullmatch(r"sections-\d+-body", name))
    data[body] += f"\n\n![[image:{image.pk}]]\n"
    response = client.post(url, {**data, "_continue": "1"})
    assert response.status_code == 302, errors(response)
    section = Section.objects.get(review=review)
    assert list(section.images.all()) == [image]
    assert '<figure class="figure">' in section.body_html

    # The form as it comes back, saved again unchanged.
    response = client.post(url, {**form_data(client.get(url)), "_continue": "1"})
    assert response.status_code == 302, errors(response)
    assert list(Section.objects.get(review=review).images.all()) == [image]

    review.refresh_from_db()
    review.publish(by=editor)
    figure = find(page(client.get(review.get_absolute_url())), "figure", cls="figure")
    assert attr(find(figure, "img"), "alt") == "A stage"


def test_replacing_an_images_file_drops_the_old_upload(client, django_capture_on_commit_callbacks):
    editor = user_in_group("Editors")
    image = LibraryImageFactory(uploaded_by=editor)
    storage, old = image.file.storage, image.file.name
    assert storage.exists(old)
    client.force_login(editor)

    with django_capture_on_commit_callbacks(execute=True):
        response = change_image(client, image, file=image_upload("new.png", size=(800, 500)))
    assert response.status_code == 302, errors(response)
    image.refresh_from_db()
    assert image.file.name != old
    assert storage.exists(image.file.name)
    assert not storage.exists(old)
    assert (image.width, image.height) == (800, 500)

    # Saved again without a new file, the upload stays.
    with django_capture_on_commit_callbacks(execute=True):
        assert change_image(client, image, alt="Another description").status_code == 302
    assert storage.exists(image.file.name)
