"""Images stored before uploads were stripped: `manage.py strip_image_metadata` rewrites them
without a phone's GPS position and camera, at the same address, and leaves clean files alone."""

from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command

from images.models import Image
from reviews.critics import Critic
from tests.factories import (
    LibraryImageFactory,
    ReviewFactory,
    UserFactory,
    image_bytes,
    poster_image,
)
from tests.photos import SECRETS, assert_private_and_upright, phone_photo_bytes

pytestmark = pytest.mark.django_db


def stored_as_before(instance, field: str, name: str, data: bytes) -> str:
    """Store `data` for `instance`'s `field` as an upload was stored before stripping: the
    file as sent, the row's size the sensor's."""
    file = getattr(instance, field)
    stored = file.storage.save(name, ContentFile(data))
    sizes = {f.width_field: 600, f.height_field: 400} if (f := file.field).width_field else {}
    type(instance).objects.filter(pk=instance.pk).update(**{field: stored}, **sizes)
    return stored


def read(name: str) -> bytes:
    with Image._meta.get_field("file").storage.open(name, "rb") as stored:
        return stored.read()


def strip(*args) -> str:
    out = StringIO()
    call_command("strip_image_metadata", *args, stdout=out)
    return out.getvalue()


def test_old_uploads_lose_where_they_were_taken_and_keep_their_address():
    library = LibraryImageFactory()
    review = ReviewFactory()
    critic = Critic.objects.for_user(UserFactory())
    old = {
        (Image, library.pk): stored_as_before(
            library, "file", "library/2025/IMG_1.jpg", phone_photo_bytes()
        ),
        (type(review), review.pk): stored_as_before(
            review, "social_image", "social/IMG_2.jpg", phone_photo_bytes()
        ),
        (Critic, critic.pk): stored_as_before(
            critic, "photo", "critics/IMG_3.jpg", phone_photo_bytes()
        ),
    }
    clean = poster_image()
    clean_bytes = read(clean.file.name)

    listed = strip("--dry-run")
    assert "3 of 4 stored images hold metadata." in listed, listed
    assert all(name in listed for name in old.values())
    assert all(secret in read(name) for name in old.values() for secret in SECRETS)

    output = strip()
    assert "3 of 4 stored images rewritten without metadata." in output, output
    for (model, pk), name in old.items():
        row = model.objects.get(pk=pk)
        file = {Image: "file", Critic: "photo"}.get(model, "social_image")
        assert getattr(row, file).name == name  # pages and Markdown name it there
        assert_private_and_upright(read(name))  # upright: 400 wide, 600 high
        sizes = {Image: ("width", "height"), Critic: ("photo_width", "photo_height")}
        width, height = sizes.get(model, ("social_width", "social_height"))
        assert (getattr(row, width), getattr(row, height)) == (400, 600)
    assert read(clean.file.name) == clean_bytes

    # A second run finds nothing and re-encodes nothing.
    after = {name: read(name) for name in old.values()}
    assert "0 of 4 stored images rewritten" in strip()
    assert {name: read(name) for name in old.values()} == after


@pytest.mark.parametrize(
    "data",
    [
        image_bytes("PNG"),
        image_bytes("WEBP"),
        image_bytes("GIF"),
        image_bytes("JPEG", quality=80),
    ],
    ids=["png", "webp", "gif", "jpeg"],
)
def test_a_clean_file_is_left_byte_for_byte(data):
    image = LibraryImageFactory()
    name = stored_as_before(image, "file", "library/clean", data)
    assert "0 of 1 stored images rewritten" in strip()
    assert read(name) == data


def test_a_missing_file_is_skipped_not_fatal():
    image = LibraryImageFactory()
    Image.objects.filter(pk=image.pk).update(file="library/gone.jpg")
    assert "0 of 1 stored images rewritten" in strip()


def png_with_text() -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "home-laptop")
    return image_bytes("PNG", pnginfo=info)


def webp_with_exif() -> bytes:
    from PIL import ExifTags
    from PIL import Image as Pillow

    exif = Pillow.Exif()
    exif[ExifTags.Base.Model] = "Pixel 7 Pro"
    return image_bytes("WEBP", exif=exif)


@pytest.mark.parametrize("data", [png_with_text(), webp_with_exif()], ids=["png-text", "webp-exif"])
def test_png_text_and_webp_exif_are_stripped_too(data):
    image = LibraryImageFactory()
    name = stored_as_before(image, "file", "library/old", data)
    assert "1 of 1 stored images rewritten" in strip()
    assert b"home-laptop" not in read(name)
    assert b"Pixel 7 Pro" not in read(name)
    assert "0 of 1 stored images rewritten" in strip()
