"""The Markdown editor's endpoints: writers only, POST only; a dropped or pasted image goes into
the image library with the description its editor gave, re-encoded by Pillow."""

import json
import os
import re
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, PngImagePlugin

from images.models import Image as LibraryImage
from tests.factories import StaffFactory, UserFactory, image_bytes, image_upload, user_in_group
from tests.photos import assert_private_and_upright, phone_photo

pytestmark = pytest.mark.django_db

ENDPOINTS = ["markdownx_markdownify", "markdownx_upload"]
IMAGE_CODE = re.compile(r"^!\[\[image:(?P<pk>\d+)\]\]$")
DESCRIBED = {"alt": "Eve on an empty stage", "caption": "", "credit": ""}


@pytest.fixture
def staff_client(client):
    client.force_login(user_in_group("Writers"))
    return client


def stored_files() -> list[Path]:
    """Every file under MEDIA_ROOT (a refused upload must leave none)."""
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def upload(client, file, **description):
    data = {"image": file, **(description or DESCRIBED)}
    return client.post(
        reverse("markdownx_upload"), data, headers={"x-requested-with": "XMLHttpRequest"}
    )


def stored_from(response) -> tuple[Path, str]:
    """The library image's file named by a successful upload's reference, and its extension."""
    assert response.status_code == 200, response.content
    match = IMAGE_CODE.match(response.json()["image_code"])
    assert match, response.json()
    image = LibraryImage.objects.get(pk=match["pk"])
    path = Path(image.file.path)
    assert path.exists()
    return path, path.suffix.lstrip(".")


def noisy_image_bytes(fmt: str, size=(200, 200)) -> bytes:
    """An image that compresses badly, so it is big enough to truncate meaningfully."""
    buffer = BytesIO()
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(buffer, format=fmt)
    return buffer.getvalue()


# Access ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_anonymous_users_are_refused_with_403_json(client, endpoint):
    response = client.post(reverse(endpoint), {"content": "*hi*"})
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == "Only writers and editors may use the editor."


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize(
    ("group", "status"),
    [
        ("Moderators", 403),
        ("Writers", 200),
        ("Editors", 200),
        (None, 403),
    ],
)
def test_only_people_who_write_reviews_may_use_the_editor(client, endpoint, group, status):
    """Moderators and staff without a writing role get 403; writers and editors may."""
    client.force_login(user_in_group(group) if group else StaffFactory())
    response = client.post(
        reverse(endpoint), {"content": "*hi*", "image": image_upload(), **DESCRIBED}
    )
    assert response.status_code == status
    assert len(stored_files()) == (1 if status == 200 and endpoint == "markdownx_upload" else 0)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_signed_in_readers_who_are_not_staff_are_refused(client, endpoint):
    client.force_login(UserFactory())
    response = client.post(reverse(endpoint), {"content": "*hi*", "image": image_upload()})
    assert response.status_code == 403
    assert stored_files() == []


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_deactivated_staff_are_refused(client, endpoint):
    client.force_login(StaffFactory(is_active=False))
    assert client.post(reverse(endpoint), {"content": "*hi*"}).status_code == 403


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_get_is_not_allowed(staff_client, endpoint):
    response = staff_client.get(reverse(endpoint))
    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_staff_get_the_rendered_preview(staff_client):
    response = staff_client.post(reverse("markdownx_markdownify"), {"content": "# Plot\n\n*hi*"})
    assert response.status_code == 200
    assert response.content.decode() == "<h3>Plot</h3>\n<p><em>hi</em></p>"
    assert "no-cache" in response["Cache-Control"]


# Uploads go into the library --------------------------------------------------------------------


def test_a_described_upload_becomes_a_library_image_by_its_uploader(client):
    writer = user_in_group("Writers")
    client.force_login(writer)
    response = upload(
        client,
        image_upload("rehearsal.png", size=(64, 48)),
        alt="Eve in a red coat on an empty stage",
        caption="The rehearsal.",
        credit="© Marquee demo",
    )
    assert response.status_code == 200, response.content
    image = LibraryImage.objects.get()
    assert response.json()["image_code"] == f"![[image:{image.pk}]]"
    assert (image.alt, image.caption, image.credit) == (
        "Eve in a red coat on an empty stage",
        "The rehearsal.",
        "© Marquee demo",
    )
    assert not image.decorative
    assert image.uploaded_by == writer
    assert (image.width, image.height) == (64, 48)
    assert image.file.name.startswith("library/")
    assert "rehearsal" in image.file_name  # found by its file name in the library's search


def test_alt_text_is_required_and_nothing_is_stored_without_it(staff_client):
    response = upload(staff_client, image_upload(), alt="  ", caption="", credit="")
    assert response.status_code == 400
    assert "tick “decorative”" in response.json()["alt"][0]
    assert LibraryImage.objects.count() == 0
    assert stored_files() == []


def test_a_decorative_image_needs_no_alt_text(staff_client):
    response = upload(staff_client, image_upload(), alt="", decorative="on", caption="")
    stored_from(response)
    image = LibraryImage.objects.get()
    assert image.decorative
    assert image.alt_text == ""


def test_only_people_who_may_add_library_images_may_upload(client):
    """A writer whose group lost images.add_image may still preview, but not upload."""
    from django.contrib.auth.models import Permission

    writer = user_in_group("Writers")
    for group in writer.groups.all():
        group.permissions.remove(Permission.objects.get(codename="add_image"))
    writer = type(writer).objects.get(pk=writer.pk)
    client.force_login(writer)
    response = upload(client, image_upload())
    assert response.status_code == 403
    assert response.json()["image"] == ["You may not add images to the library."]
    assert LibraryImage.objects.count() == 0
    assert client.post(reverse("markdownx_markdownify"), {"content": "*hi*"}).status_code == 200


def test_no_bare_upload_is_left_outside_the_library(staff_client):
    path, _ = stored_from(upload(staff_client, image_upload()))
    assert stored_files() == [path]
    assert "uploads" not in path.parts


@pytest.mark.parametrize(("fmt", "ext"), [("PNG", "png"), ("JPEG", "jpg"), ("WEBP", "webp")])
def test_images_are_stored_re_encoded(staff_client, fmt, ext):
    original = image_bytes(fmt, size=(64, 48))
    # Bytes after the image's end (a polyglot's payload) must not reach the stored file.
    payload = original + b"<script>alert(1)</script>"
    response = upload(
        staff_client,
        SimpleUploadedFile(f"holiday.{ext}", payload, content_type=f"image/{fmt.lower()}"),
    )
    path, stored_ext = stored_from(response)
    assert stored_ext == ext
    data = path.read_bytes()
    assert b"<script>" not in data
    with Image.open(path) as stored:
        assert stored.format == fmt
        assert stored.size == (64, 48)
    assert stored_files() == [path]


def test_a_gif_is_taken_as_the_library_takes_it(staff_client):
    _, ext = stored_from(upload(staff_client, image_upload("cat.gif", "GIF")))
    assert ext == "gif"


def test_the_extension_comes_from_the_content_not_the_name_or_declared_type(staff_client):
    png = image_upload("photo.jpg", "PNG", content_type="image/jpeg")
    path, ext = stored_from(upload(staff_client, png))
    assert ext == "png"
    with Image.open(path) as stored:
        assert stored.format == "PNG"


def test_two_uploads_of_one_file_are_two_library_images(staff_client):
    first, _ = stored_from(upload(staff_client, image_upload("same.png")))
    second, _ = stored_from(upload(staff_client, image_upload("same.png")))
    assert first != second
    assert LibraryImage.objects.count() == 2


def test_metadata_is_stripped(staff_client):
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Inc."  # Make
    exif[0x0131] = "secret-software"  # Software
    jpeg = image_bytes("JPEG", exif=exif.tobytes(), comment=b"shot at 51.5N 0.1W")
    assert b"SpyCam" in jpeg
    assert b"51.5N" in jpeg
    path, _ = stored_from(upload(staff_client, SimpleUploadedFile("a.jpg", jpeg)))
    data = path.read_bytes()
    assert b"SpyCam" not in data
    assert b"secret-software" not in data
    assert b"51.5N" not in data
    with Image.open(path) as stored:
        assert not stored.getexif()

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Private Person")
    png = image_bytes("PNG", pnginfo=info)
    assert b"Private Person" in png
    path, _ = stored_from(upload(staff_client, SimpleUploadedFile("b.png", png)))
    assert b"Private Person" not in path.read_bytes()


def test_a_phone_photo_is_stored_upright_keeping_its_colour_profile(staff_client):
    """Without its profile a wide-gamut photo's colours would shift on screens that use it."""
    path, ext = stored_from(upload(staff_client, phone_photo()))
    assert ext == "jpg"
    assert_private_and_upright(path.read_bytes())
    assert (LibraryImage.objects.get().width, LibraryImage.objects.get().height) == (400, 600)


def test_transparency_survives_re_encoding(staff_client):
    png = image_bytes("PNG", mode="RGBA")
    path, _ = stored_from(upload(staff_client, SimpleUploadedFile("alpha.png", png)))
    with Image.open(path) as stored:
        assert stored.mode == "RGBA"


# Uploads refused ------------------------------------------------------------------------------


def assert_refused(response, status: int, words: str) -> None:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert list(body) == ["image"]
    assert len(body["image"]) == 1
    assert words in body["image"][0], body
    assert stored_files() == []
    assert LibraryImage.objects.count() == 0


NOT_AN_IMAGE = "Upload a valid image"


def test_svg_is_refused(staff_client):
    svg = SimpleUploadedFile(
        "logo.svg",
        b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
        b"<script>alert(2)</script></svg>",
        content_type="image/svg+xml",
    )
    assert_refused(upload(staff_client, svg), 400, NOT_AN_IMAGE)


def test_random_bytes_named_png_are_refused(staff_client):
    fake = SimpleUploadedFile("x.png", os.urandom(4096), content_type="image/png")
    assert_refused(upload(staff_client, fake), 400, NOT_AN_IMAGE)


def test_html_named_png_is_refused(staff_client):
    fake = SimpleUploadedFile(
        "x.png", b"<html><script>alert(1)</script></html>", content_type="image/png"
    )
    assert_refused(upload(staff_client, fake), 400, NOT_AN_IMAGE)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_truncated_images_are_refused(staff_client, fmt):
    whole = noisy_image_bytes(fmt)
    cut = SimpleUploadedFile(f"cut.{fmt.lower()}", whole[: len(whole) * 2 // 3])
    response = upload(staff_client, cut)
    assert response.status_code == 400
    assert stored_files() == []


def test_too_large_a_file_is_refused_with_413(staff_client, settings):
    settings.MARQUEE_MAX_IMAGE_BYTES = 2000
    big = SimpleUploadedFile("big.png", noisy_image_bytes("PNG", size=(60, 60)))
    assert big.size > 2000
    assert_refused(upload(staff_client, big), 413, "the limit is 2.0\xa0KB")


def test_too_many_pixels_are_refused(staff_client, settings):
    settings.MARQUEE_MAX_IMAGE_PIXELS = 1000 * 1000
    wide = image_upload("wide.png", size=(2000, 501))
    assert_refused(
        upload(staff_client, wide),
        400,
        "This image is 2,000 by 501 pixels; the limit is 1,000,000 pixels.",
    )


def test_a_post_without_a_file_is_refused(staff_client):
    assert_refused(upload(staff_client, ""), 400, "No image was uploaded.")


def test_a_cross_site_post_without_the_csrf_token_is_refused(settings):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(StaffFactory())
    response = upload(client, image_upload())
    assert response.status_code == 403
    assert stored_files() == []
