"""The live preview beside the change form (#22 item 1): the posted, unsaved form rendered on
the readers' template, for those who may preview the review, and nothing of it saved."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from reviews.models import Review, Tag
from reviews.pending import Autosave, PendingChange
from tests.factories import FilmFactory, ReviewFactory, SectionFactory, user_in_group
from tests.forms import page_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def writer():
    return user_in_group("Writers", username="wanda")


@pytest.fixture
def editor():
    return user_in_group("Editors", username="edie")


@pytest.fixture
def draft(writer):
    review = ReviewFactory(author=writer, headline="Saved headline", intro="Saved intro.")
    SectionFactory(review=review, heading="The plot", body="It twists.", position=1)
    SectionFactory(review=review, heading="The ending", body="It ends.", position=2)
    return review


def change_url(review) -> str:
    return reverse("admin:reviews_review_change", args=[review.pk])


def preview_url(review=None) -> str:
    if review is None:
        return reverse("admin:reviews_review_live_preview_new")
    return reverse("admin:reviews_review_live_preview", args=[review.pk])


def change_form(client, review) -> dict:
    """What the change page's form holds, read as a browser reads it."""
    page = client.get(change_url(review))
    assert page.status_code == 200
    _, fields = page_form(page.content.decode(), id="review_form")
    return fields


def section_prefix(fields: dict, heading: str) -> str:
    [name] = [k for k, v in fields.items() if k.endswith("-heading") and v == heading]
    return name.removesuffix("heading")


def test_the_preview_renders_the_typed_text_on_the_public_template_and_saves_nothing(
    client, writer, draft
):
    client.force_login(writer)
    fields = change_form(client, draft)
    assert (
        'data-live-preview-url="' + preview_url(draft)
        in client.get(change_url(draft)).content.decode()
    )
    fields["headline"] = "Typed headline"
    fields["intro"] = "Fresh *unsaved* words.\n\n### A small heading"
    plot = section_prefix(fields, "The plot")
    fields[plot + "body"] = "A twist nobody saw coming."
    fields[plot + "is_spoiler"] = "on"
    fields[section_prefix(fields, "The ending") + "DELETE"] = "on"
    before = Review.objects.get(pk=draft.pk)

    response = client.post(preview_url(draft), fields)

    assert response.status_code == 200
    html = response.content.decode()
    # The readers' page: their stylesheet, headline, film box, intro (drop cap), spoiler box.
    assert "/static/css/site.css" in html
    assert "/static/admin/css" not in html  # only the banner's own small stylesheet
    assert '<h1 class="review-header__headline" id="review-headline">Typed headline</h1>' in html
    assert 'class="film-box disclosure"' in html
    assert draft.film.title in html
    assert '<div class="review-intro"><p>Fresh <em>unsaved</em> words.</p>' in html
    assert "<h5>A small heading</h5>" in html  # the renderer's level, readers' styles
    assert '<details class="spoiler">' in html
    assert "A twist nobody saw coming." in html
    assert "The ending" not in html  # ticked for deletion
    assert "Preview of the form as it stands" in html
    assert "noindex" in response["X-Robots-Tag"]
    assert "no-store" in response["Cache-Control"]
    # Nothing was written.
    after = Review.objects.get(pk=draft.pk)
    assert (after.headline, after.intro, after.version) == (
        "Saved headline",
        "Saved intro.",
        before.version,
    )
    assert sorted(draft.sections.values_list("heading", "body")) == [
        ("The ending", "It ends."),
        ("The plot", "It twists."),
    ]
    assert not Autosave.objects.exists()


def test_a_live_reviews_preview_shows_the_form_while_readers_keep_the_live_version(
    client, editor, writer
):
    review = ReviewFactory(author=writer, published=True, headline="Live headline")
    SectionFactory(review=review, heading="Plot", body="Live body.")
    client.force_login(editor)
    fields = change_form(client, review)
    fields["headline"] = "Not yet live"
    assert "Not yet live" in client.post(preview_url(review), fields).content.decode()
    assert not PendingChange.objects.exists()
    public = Client().get(review.get_absolute_url()).content.decode()
    assert "Live headline" in public
    assert "Not yet live" not in public


def test_a_new_review_is_previewed_once_it_has_a_film(client, writer):
    client.force_login(writer)
    page = client.get(reverse("admin:reviews_review_add"))
    _, fields = page_form(page.content.decode(), id="review_form")
    fields.update(headline="Brand new", intro="First words.")
    assert "Choose the film" in client.post(preview_url(), fields).content.decode()
    fields["film"] = str(FilmFactory(title="Nosferatu").pk)
    html = client.post(preview_url(), fields).content.decode()
    assert "Brand new" in html
    assert "Nosferatu" in html
    assert not Review.objects.exists()

    # Tags chosen in the list and typed under New tags show as filed, nothing is made.
    revenge = Tag.objects.create(name="Revenge", slug="revenge")
    fields.update(tags=[str(revenge.pk)], new_tags="Silent era, revenge")
    html = client.post(preview_url(), fields).content.decode()
    filed = re.findall(r'<a class="tag tag--topic" href="([^"]+)" rel="tag">([^<]+)</a>', html)
    assert filed == [("/tags/revenge/", "Revenge"), ("/tags/silent-era/", "Silent era")]
    assert list(Tag.objects.values_list("name", flat=True)) == ["Revenge"]


@pytest.mark.parametrize("who", ["another writer", "moderator"])
def test_someone_who_may_not_preview_the_review_is_refused(client, writer, editor, draft, who):
    client.force_login(writer)
    fields = change_form(client, draft)
    stranger = {
        "another writer": lambda: user_in_group("Writers", username="walt"),
        "moderator": lambda: user_in_group("Moderators", username="mo"),
    }[who]()
    client.force_login(stranger)
    response = client.post(preview_url(draft), fields)
    assert response.status_code in (403, 404)
    assert "Saved intro" not in response.content.decode()
    if who == "moderator":
        assert client.post(preview_url(), fields).status_code == 403


def test_the_preview_wants_a_signed_in_post_with_its_csrf_token(writer, draft):
    assert Client().post(preview_url(draft), {}).status_code == 302  # to the sign-in page
    client = Client(enforce_csrf_checks=True)
    client.force_login(writer)
    fields = change_form(client, draft)
    assert client.get(preview_url(draft)).status_code == 405
    without_token = {k: v for k, v in fields.items() if k != "csrfmiddlewaretoken"}
    assert client.post(preview_url(draft), without_token).status_code == 403
    assert client.post(preview_url(draft), fields).status_code == 200
