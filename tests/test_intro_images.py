"""Library images in a review's intro (issue 20): the intro's toolbar has the library's Image
button, and `![[image:N]]` in the intro is tracked as a section's is: the image cannot be
deleted while the intro shows it, the library lists the use, and a change to the image shows
on the review page."""

import pytest
from django.db.models import ProtectedError
from django.urls import reverse

from images.models import Image
from tests.factories import LibraryImageFactory, ReviewFactory, SectionFactory, user_in_group
from tests.test_pages import attr, find, page
from tests.test_workflow_admin import errors, form_data

pytestmark = pytest.mark.django_db


def test_an_image_in_the_intro_cannot_be_deleted_until_it_is_taken_out():
    image = LibraryImageFactory()
    review = ReviewFactory(intro=f"Before.\n\n![[image:{image.pk}]]\n\nAfter.")
    assert list(review.intro_images.all()) == [image]
    assert [str(use) for use in image.uses()] == [f"The intro of the review “{review.headline}”"]
    assert '<figure class="figure">' in review.intro_html
    with pytest.raises(ProtectedError):
        image.delete()

    review.intro = "Before.\n\nAfter."
    review.save()
    assert image.uses() == []
    image.delete()


def test_the_library_lists_the_intro_and_refuses_to_delete_the_image(client):
    client.force_login(user_in_group("Editors"))
    image = LibraryImageFactory()
    review = ReviewFactory(headline="Dancing on knives", intro=f"![[image:{image.pk}]]")
    change = client.get(reverse("admin:images_image_change", args=[image.pk])).content.decode()
    assert reverse("admin:reviews_review_change", args=[review.pk]) in change
    assert "The intro of the review “Dancing on knives”" in change

    response = client.post(reverse("admin:images_image_delete", args=[image.pk]), {"post": "yes"})
    assert response.status_code == 200
    assert "Cannot delete image" in response.content.decode()
    assert Image.objects.filter(pk=image.pk).exists()


def test_an_image_in_a_pending_intro_is_in_use_too():
    from reviews import pending

    editor = user_in_group("Editors")
    image = LibraryImageFactory()
    review = ReviewFactory(published=True, author=editor, intro="Live intro.")
    review.intro = f"Live intro.\n\n![[image:{image.pk}]]"
    pending.save_pending(review, [], editor, review.version)
    review.refresh_from_db()
    assert review.intro == "Live intro.", "readers see the live intro"
    with pytest.raises(ProtectedError):
        image.delete()
    pending.publish_changes(review, editor)
    assert [str(use) for use in image.uses()] == [f"The intro of the review “{review.headline}”"]


def test_the_review_page_follows_changes_to_an_intro_image(
    client, django_capture_on_commit_callbacks
):
    image = LibraryImageFactory(alt="Eve in a red coat")
    review = ReviewFactory(published=True, intro=f"![[image:{image.pk}]]")
    url = review.get_absolute_url()
    assert 'alt="Eve in a red coat"' in client.get(url).content.decode()  # cached now
    with django_capture_on_commit_callbacks(execute=True):  # pages are retired at the commit
        image.alt = "Eve alone on the stage"
        image.save()
    review.refresh_from_db()
    assert 'alt="Eve alone on the stage"' in review.intro_html
    figure = find(page(client.get(url)), "figure", cls="figure")
    assert attr(find(figure, "img"), "alt") == "Eve alone on the stage"


def test_the_intro_gets_the_image_button_and_saves_its_image(client):
    editor = user_in_group("Editors")
    client.force_login(editor)
    image = LibraryImageFactory()
    review = ReviewFactory(author=editor, intro="First paragraph.")
    SectionFactory(review=review)
    url = reverse("admin:reviews_review_change", args=[review.pk])
    form = page(client.get(url))
    intro = find(form, "textarea", id="id_intro")
    assert attr(intro, "data-image-library") == reverse("admin:images_image_changelist")

    data = form_data(client.get(url))
    data["intro"] += f"\n\n![[image:{image.pk}]]\n"
    response = client.post(url, {**data, "_continue": "1"})
    assert response.status_code == 302, errors(response)
    review.refresh_from_db()
    assert list(review.intro_images.all()) == [image]
