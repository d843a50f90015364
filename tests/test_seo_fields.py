"""SEO fields (#22 item 7): a search description and a social image, each with a derived default
shown in the admin, used in the page's meta description, Open Graph, Twitter and JSON-LD."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from reviews.models import Review
from tests import test_workflow_admin
from tests.factories import FilmFactory, ReviewFactory, SectionFactory, image_upload, poster_image
from tests.forms import page_form
from tests.photos import assert_private_and_upright, phone_photo
from tests.test_pages import attr, find, find_all, page
from tests.test_workflow_admin import errors

pytestmark = pytest.mark.django_db

people = test_workflow_admin.people
as_role = test_workflow_admin.as_role
FIRST_PARAGRAPH = "Keanu is not in this one much, and it is better for it."


def head_of(client, review):
    document = page(client.get(review.get_absolute_url()))
    return find(document, "head")


def meta(head, **attrs) -> str:
    return attr(find(head, "meta", **attrs), "content")


def json_ld(head) -> dict:
    scripts = find_all(head, "script", type="application/ld+json")
    return json.loads(scripts[0].children[0])


def test_without_seo_fields_the_page_derives_its_description_and_image(client):
    film = FilmFactory(poster=poster_image(image_upload("poster.png", size=(200, 300))))
    review = ReviewFactory(
        published=True, film=film, intro=f"{FIRST_PARAGRAPH}\n\nA second paragraph."
    )
    head = head_of(client, review)
    assert meta(head, name="description") == FIRST_PARAGRAPH
    assert meta(head, property="og:description") == FIRST_PARAGRAPH
    assert meta(head, property="og:image").startswith("http://testserver/")
    assert meta(head, property="og:image:alt") == f"Poster of {film.title}"
    assert meta(head, name="twitter:card") == "summary_large_image"
    assert json_ld(head)["description"] == FIRST_PARAGRAPH


def test_the_editor_s_description_and_social_image_win_everywhere(client):
    review = ReviewFactory(
        published=True,
        intro=FIRST_PARAGRAPH,
        search_description="A  ballet assassin\nfinds her feet.",
        social_image=image_upload("share.png", size=(1200, 630)),
        social_alt="Eve on a frozen lake, pistol drawn",
    )
    head = head_of(client, review)
    assert meta(head, name="description") == "A ballet assassin finds her feet."
    assert meta(head, property="og:description") == "A ballet assassin finds her feet."
    image = meta(head, property="og:image")
    assert image.startswith("http://testserver/")
    assert "/social/" in image
    assert (meta(head, property="og:image:width"), meta(head, property="og:image:height")) == (
        "1200",
        "630",
    )
    assert meta(head, property="og:image:alt") == "Eve on a frozen lake, pistol drawn"
    assert meta(head, name="twitter:card") == "summary_large_image"
    data = json_ld(head)
    assert data["description"] == "A ballet assassin finds her feet."
    assert data["image"] == image


def test_the_admin_shows_the_derived_defaults_and_saves_the_fields(as_role, people):
    review = ReviewFactory(author=people["author"], intro=FIRST_PARAGRAPH)
    SectionFactory(review=review, heading="Plot")
    writer = as_role("author")
    change = reverse("admin:reviews_review_change", args=[review.pk])
    html = writer.get(change).content.decode()
    field = find(page(writer.get(change)), "textarea", name="search_description")
    assert attr(field, "placeholder") == FIRST_PARAGRAPH
    assert "None uploaded: shares show" in html
    assert "shares show the site&#x27;s default picture" in html

    action, fields = page_form(html, id="review_form")
    fields["search_description"] = "What the search result says."
    refused = writer.post(
        action or change, {**fields, "social_image": image_upload("share.png", size=(600, 315))}
    )
    assert "Describe the social image for people who cannot see it." in refused.content.decode()
    fields["social_alt"] = "Eve on a frozen lake"
    response = writer.post(
        action or change, {**fields, "social_image": image_upload("share.png", size=(600, 315))}
    )
    assert response.status_code == 302, errors(response)
    review.refresh_from_db()
    assert review.search_description == "What the search result says."
    assert (review.social_width, review.social_height) == (600, 315)
    assert review.social_alt == "Eve on a frozen lake"
    html = writer.get(change).content.decode()
    assert 'alt="Social image of' in html


def post_social_image(client, review, upload):
    """The review's change form as its page holds it, sent with `upload` as the social image."""
    change = reverse("admin:reviews_review_change", args=[review.pk])
    action, fields = page_form(client.get(change).content.decode(), id="review_form")
    fields["social_alt"] = "Eve at the stage door"
    response = client.post(action or change, {**fields, "social_image": upload})
    assert response.status_code == 302, errors(response)


def assert_shared_upright(client, review) -> None:
    """The shared picture is the upright photo, no camera or place in it, and og:image says
    its size as shown: 400 × 600, not the sensor's 600 × 400."""
    review.refresh_from_db()
    with review.social_image.open("rb") as stored:
        assert_private_and_upright(stored.read())
    head = head_of(client, review)
    assert meta(head, property="og:image").endswith(review.social_image.url)
    assert (meta(head, property="og:image:width"), meta(head, property="og:image:height")) == (
        "400",
        "600",
    )


def test_a_phone_photo_is_shared_upright_without_its_camera_or_location(as_role, people):
    """QA: the social image is linked to as uploaded, so the stored file is what sites fetch."""
    review = ReviewFactory(author=people["author"], intro=FIRST_PARAGRAPH)
    SectionFactory(review=review, heading="Plot")
    post_social_image(as_role("author"), review, phone_photo())
    review.refresh_from_db()
    assert review.social_image.name.endswith(".jpg")
    assert (review.social_width, review.social_height) == (400, 600)
    review.publish(by=people["editor"])
    assert_shared_upright(as_role("anonymous"), review)


def test_a_live_reviews_new_social_image_is_stored_without_its_location_too(as_role, people):
    """A live review's save is kept as its pending version; the upload is stored at once."""
    from reviews import pending

    review = ReviewFactory(author=people["author"], intro=FIRST_PARAGRAPH, published=True)
    SectionFactory(review=review, heading="Plot")
    post_social_image(as_role("editor"), review, phone_photo())
    assert not Review.objects.get(pk=review.pk).social_image, "readers see the live version"
    pending.publish_changes(Review.objects.get(pk=review.pk), people["editor"])
    assert_shared_upright(as_role("anonymous"), review)


def test_a_short_search_description_is_what_the_prepublish_check_measures(people):
    from reviews import prepublish

    review = ReviewFactory(author=people["author"], intro="Short.")
    assert any("characters" in w for w in prepublish.check(review).warnings)
    review.search_description = "A description long enough for the search results. " * 2
    assert not any("characters" in w for w in prepublish.check(review).warnings)


def test_a_social_image_without_alt_text_blocks_publishing_through_the_model(people):
    """Whatever route set it (an import, the shell), the workflow step itself refuses."""
    review = ReviewFactory(
        author=people["author"],
        intro=FIRST_PARAGRAPH,
        social_image=image_upload("share.png", size=(1200, 630)),
    )
    with pytest.raises(ValidationError, match="The social image has no alt text"):
        review.publish(by=people["editor"])
    review.social_alt = "Eve on a frozen lake"
    review.save()
    review.publish(by=people["editor"])
    assert review.status == review.Status.PUBLISHED
