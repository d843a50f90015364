"""Saving an object with an image again, through the admin's own change form (issue 13, item 1).

Each test loads the change page, reads back what its form holds, and posts it: unchanged, with
another field changed, with the image replaced, cleared, or a refused upload.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reviews.models import Review
from tests.factories import (
    ReviewFactory,
    image_bytes,
    image_upload,
    user_in_group,
)
from tests.test_workflow_admin import errors, form_data

pytestmark = pytest.mark.django_db

# model, image field, a text field to change, the preview's "none" text
MODELS = [
    # The hero, the film's poster and the person's photo come from the image library
    # (tests/test_hero_images.py, tests/test_posters.py); the social image is the review's own
    # upload.
    (Review, "social_image", "dek", "None uploaded: shares show"),
]


def make(model):
    return ReviewFactory(
        social_image=image_upload("first.png", size=(200, 300)), social_alt="A still of the film"
    )


def change_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def truncated_jpeg() -> bytes:
    whole = image_bytes("JPEG", size=(300, 300), quality=95)
    return whole[: len(whole) // 2]


@pytest.fixture
def editor_client(client):
    client.force_login(user_in_group("Editors"))
    return client


def post_back(client, obj, **changes):
    page = client.get(change_url(obj))
    assert page.status_code == 200
    return client.post(change_url(obj), {**form_data(page), **changes})


@pytest.mark.parametrize(("model", "field", "text", "none"), MODELS)
def test_saving_again_unchanged_and_with_another_field_changed(
    editor_client, model, field, text, none
):
    obj = make(model)
    stored = getattr(obj, field).name
    for _ in range(2):  # the second save is the one that used to fail with a 500
        response = post_back(editor_client, obj)
        assert response.status_code == 302, errors(response)
    response = post_back(editor_client, obj, **{text: "Changed on the third save"})
    assert response.status_code == 302, errors(response)
    obj.refresh_from_db()
    assert getattr(obj, field).name == stored
    assert getattr(obj, text) == "Changed on the third save"


@pytest.mark.parametrize(("model", "field", "text", "none"), MODELS)
def test_replacing_and_clearing_the_image(editor_client, model, field, text, none):
    obj = make(model)
    response = post_back(editor_client, obj, **{field: image_upload("second.png", size=(50, 80))})
    assert response.status_code == 302, errors(response)
    obj.refresh_from_db()
    assert "second" in getattr(obj, field).name
    response = post_back(editor_client, obj, **{f"{field}-clear": "on"})
    assert response.status_code == 302, errors(response)
    obj.refresh_from_db()
    assert not getattr(obj, field)
    assert none in editor_client.get(change_url(obj)).content.decode()


@pytest.mark.parametrize(("model", "field", "text", "none"), MODELS)
@pytest.mark.parametrize("bad", ["not an image", "truncated JPEG", "too many pixels"])
def test_a_refused_upload_keeps_the_stored_image(
    editor_client, settings, model, field, text, none, bad
):
    obj = make(model)
    stored = getattr(obj, field).name
    upload = {
        "not an image": SimpleUploadedFile("x.png", b"<svg></svg>", content_type="image/png"),
        "truncated JPEG": SimpleUploadedFile("x.jpg", truncated_jpeg(), content_type="image/jpeg"),
        "too many pixels": image_upload("big.png", size=(300, 300)),
    }[bad]
    settings.MARQUEE_MAX_IMAGE_PIXELS = 200 * 300
    response = post_back(editor_client, obj, **{field: upload})
    assert response.status_code == 200  # the form again, with the error
    html = response.content.decode()
    assert "errorlist" in html
    obj.refresh_from_db()
    assert getattr(obj, field).name == stored
    # The re-shown form points at the stored image, never at the refused file.
    assert getattr(obj, field).url in html
    assert "x.png" not in html
    assert "x.jpg" not in html
    assert "big.png" not in html


@pytest.mark.parametrize(("model", "field", "text", "none"), MODELS[:1])
def test_a_refused_first_upload_says_none_yet(editor_client, model, field, text, none):
    obj = ReviewFactory()
    bad = SimpleUploadedFile("x.jpg", truncated_jpeg(), content_type="image/jpeg")
    response = post_back(editor_client, obj, **{field: bad})
    assert response.status_code == 200
    html = response.content.decode()
    assert none in html
    assert "x.jpg" not in html


def test_a_truncated_jpeg_is_refused_by_the_model_too():
    from django.core.exceptions import ValidationError

    from films.validators import validate_image_file

    with pytest.raises(ValidationError, match="complete image"):
        validate_image_file(SimpleUploadedFile("x.jpg", truncated_jpeg()))
    validate_image_file(SimpleUploadedFile("ok.jpg", image_bytes("JPEG")))  # a whole one passes
