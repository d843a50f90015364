"""Uploads that outlive their use: a replaced, cleared or deleted image leaves storage with its
renditions once the change is committed, unless another row names the file
(films/upload_cleanup.py)."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from images.models import Image
from reviews.critics import Critic
from reviews.models import Review
from reviews.pending import PendingChange
from tests.factories import LibraryImageFactory, ReviewFactory, image_upload, user_in_group
from tests.forms import page_form
from tests.test_workflow_admin import errors

pytestmark = pytest.mark.django_db


def rendition_names(record: dict) -> list[str]:
    return [name for files in record["files"].values() for _width, name in files]


def post_form(client, url: str, form_id: str, **typed):
    """Post the change form as its page holds it, with `typed` changed."""
    action, fields = page_form(client.get(url).content.decode(), id=form_id)
    response = client.post(action or url, {**fields, **typed})
    assert response.status_code == 302, errors(response)


def test_a_replaced_then_cleared_portrait_leaves_storage_with_its_renditions(
    client, django_capture_on_commit_callbacks
):
    editor = user_in_group("Editors")
    critic = Critic.objects.create(user=editor, display_name="Mara Lind")
    client.force_login(editor)
    change = reverse("admin:reviews_critic_change", args=[critic.pk])

    with django_capture_on_commit_callbacks(execute=True):  # the renditions' task runs too
        post_form(client, change, "critic_form", photo=image_upload("mara.png", size=(500, 600)))
    critic.refresh_from_db()
    first, storage = critic.photo.name, critic.photo.storage
    first_renditions = rendition_names(critic.photo_renditions)
    assert first_renditions
    assert all(map(storage.exists, [first, *first_renditions]))

    with django_capture_on_commit_callbacks(execute=True):
        post_form(client, change, "critic_form", photo=image_upload("mara.png", size=(400, 500)))
    critic.refresh_from_db()
    second = critic.photo.name
    assert second != first
    assert storage.exists(second)
    assert not any(map(storage.exists, [first, *first_renditions]))
    second_renditions = rendition_names(critic.photo_renditions)
    assert second_renditions
    assert all(map(storage.exists, second_renditions))

    with django_capture_on_commit_callbacks(execute=True):
        post_form(client, change, "critic_form", **{"photo-clear": "on"})
    critic.refresh_from_db()
    assert not critic.photo
    assert not any(map(storage.exists, [second, *second_renditions]))


def test_a_replaced_social_image_leaves_storage_and_a_deleted_review_takes_its_own(
    client, django_capture_on_commit_callbacks
):
    editor = user_in_group("Editors")
    review = ReviewFactory()
    client.force_login(editor)
    change = reverse("admin:reviews_review_change", args=[review.pk])
    names = []
    for size in ((1200, 630), (600, 315)):
        with django_capture_on_commit_callbacks(execute=True):
            post_form(
                client,
                change,
                "review_form",
                social_image=image_upload("share.png", size=size),
                social_alt="Eve on a frozen lake",
            )
        review.refresh_from_db()
        names.append(review.social_image.name)
    storage = review.social_image.storage
    assert names[0] != names[1]
    assert not storage.exists(names[0])
    assert storage.exists(names[1])

    with django_capture_on_commit_callbacks(execute=True):
        review.delete()
    assert not storage.exists(names[1])


def replace_and_fail(critic) -> None:
    with transaction.atomic():
        critic.photo = image_upload("other.png", size=(300, 375))
        critic.save()
        raise RuntimeError("the save's transaction fails after the row is written")


@pytest.mark.django_db(transaction=True)
def test_a_failed_save_deletes_nothing():
    """Outside a transaction (a script, a task), the database refuses the save: the old file
    stays, as the row still names it. So does a save rolled back with its transaction."""
    image = LibraryImageFactory()
    old, storage = image.file.name, image.file.storage
    image.file = image_upload("new.png", size=(300, 375))
    image.alt = ""  # undescribed: the database's constraint refuses the row
    with pytest.raises(IntegrityError):
        image.save()
    assert Image.objects.get(pk=image.pk).file.name == old
    assert storage.exists(old)

    critic = Critic.objects.create(
        user=user_in_group("Writers"), photo=image_upload("mara.png", size=(300, 375))
    )
    old = critic.photo.name
    with pytest.raises(RuntimeError):
        replace_and_fail(critic)
    assert Critic.objects.get(pk=critic.pk).photo.name == old
    assert storage.exists(old)


def test_a_file_another_library_row_names_stays(client, django_capture_on_commit_callbacks):
    editor = user_in_group("Editors")
    image = LibraryImageFactory(uploaded_by=editor)
    shared = image.file.name
    twin = LibraryImageFactory(uploaded_by=editor)
    Image.objects.filter(pk=twin.pk).update(file=shared)  # as a migration that reused it
    client.force_login(editor)
    change = reverse("admin:images_image_change", args=[image.pk])

    with django_capture_on_commit_callbacks(execute=True):
        post_form(client, change, "image_form", file=image_upload("new.png", size=(800, 500)))
    image.refresh_from_db()
    assert image.file.name != shared
    assert image.file.storage.exists(shared), "the twin still shows it"

    with django_capture_on_commit_callbacks(execute=True):
        Image.objects.get(pk=twin.pk).delete()
    assert not image.file.storage.exists(shared)
    assert image.file.storage.exists(image.file.name)


def test_a_live_reviews_pending_social_image_goes_when_replaced_or_discarded(
    client, django_capture_on_commit_callbacks
):
    """A live review's upload waits in its pending version; one replaced there, or thrown
    away with the version, is named by nothing: it leaves storage. The live one stays."""
    editor = user_in_group("Editors")
    review = ReviewFactory(
        published=True,
        social_image=image_upload("live.png", size=(1200, 630)),
        social_alt="The live one",
    )
    live, storage = review.social_image.name, review.social_image.storage
    client.force_login(editor)
    change = reverse("admin:reviews_review_change", args=[review.pk])
    waiting = []
    for size in ((800, 420), (600, 315)):
        with django_capture_on_commit_callbacks(execute=True):
            post_form(
                client, change, "review_form", social_image=image_upload("next.png", size=size)
            )
        waiting.append(PendingChange.objects.get(review=review).fields["social_image"])
    assert waiting[0] != waiting[1]
    assert not storage.exists(waiting[0])
    assert storage.exists(waiting[1])

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:reviews_review_transition", args=[review.pk, "discard_changes"]))
    assert not PendingChange.objects.filter(review=review).exists()
    assert not storage.exists(waiting[1])
    assert storage.exists(live)
    assert Review.objects.get(pk=review.pk).social_image.name == live


def test_a_stale_forms_refused_social_image_is_not_kept_on_a_live_review(
    client, django_capture_on_commit_callbacks
):
    """Two tabs on one live review: the second's save is refused as stale, so the image it
    uploaded is named by nothing; it must not stay in storage."""
    review = ReviewFactory(published=True, social_alt="The live one")
    client.force_login(user_in_group("Editors"))
    change = reverse("admin:reviews_review_change", args=[review.pk])
    first = page_form(client.get(change).content.decode(), id="review_form")
    second = page_form(client.get(change).content.decode(), id="review_form")
    storage = Review._meta.get_field("social_image").storage

    def stored(folder="") -> set[str]:
        """Every file in the storage, its renditions' too."""
        folders, files = storage.listdir(folder) if storage.exists(folder) else ([], [])
        inner = {name for each in folders for name in stored(f"{folder}{each}/")}
        return {f"{folder}{name}" for name in files} | inner

    action, fields = first
    with django_capture_on_commit_callbacks(execute=True):
        saved = client.post(
            action or change,
            {
                **fields,
                "dek": "Saved in the first tab.",
                "social_image": image_upload("first.png", size=(1200, 630)),
            },
        )
    assert saved.status_code == 302, errors(saved)
    before = stored()

    action, fields = second
    upload = image_upload("late.png", size=(1200, 630))
    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(action or change, {**fields, "social_image": upload})
    assert refused.status_code == 200
    assert "changed this review" in refused.content.decode()
    assert PendingChange.objects.get(review=review).fields["social_image"] in before
    assert stored() == before
    assert PendingChange.objects.get(review=review).fields["dek"] == "Saved in the first tab."
