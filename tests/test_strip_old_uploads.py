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
from tests.test_caching import cached
from tests.test_pages import attr, find, main_of

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


def test_pages_showing_a_rewritten_image_are_retired_and_others_stay_cached(client, committed):
    """The rewrite turns the picture upright, so its size swaps: og:image and the critic's
    portrait must say so at once, not when their cached copies expire."""
    critic = Critic.objects.for_user(UserFactory(first_name="Mara", last_name="Lind"))
    review = ReviewFactory(published=True, author=critic.user, social_alt="Eve at the door")
    elsewhere = ReviewFactory(published=True, headline="Elsewhere entirely")
    stored_as_before(review, "social_image", "social/IMG_2.jpg", phone_photo_bytes())
    stored_as_before(critic, "photo", "critics/IMG_3.jpg", phone_photo_bytes())
    critic.refresh_from_db()
    pages = [review.get_absolute_url(), critic.get_absolute_url()]
    for url in [*pages, elsewhere.get_absolute_url()]:
        client.get(url)
        assert cached(client, url), url
    assert 'property="og:image:width" content="600"' in client.get(pages[0]).content.decode()

    with committed():
        strip()

    head = client.get(pages[0]).content.decode()
    assert 'property="og:image:width" content="400"' in head
    assert 'property="og:image:height" content="600"' in head
    portrait = find(main_of(client.get(pages[1])), "img")
    assert (attr(portrait, "width"), attr(portrait, "height")) == ("400", "600")
    assert cached(client, elsewhere.get_absolute_url())
