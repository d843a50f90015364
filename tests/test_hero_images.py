"""Hero images from the image library (issue 20 item 1): an editor picks a library image as a
review's hero in the review form; its alt text, credit and focal point are the library's; a live
review's new hero waits in its pending version; an image shown as a hero cannot be deleted, and
its library page says where it is used; an edit in the library reaches the pages showing it."""

import pytest
from django.db.models import ProtectedError
from django.test import Client
from django.urls import reverse

from images.models import Image
from reviews.models import Review
from tests import test_workflow_admin
from tests.factories import LibraryImageFactory, ReviewFactory, image_upload
from tests.forms import page_form
from tests.test_pages import attr, find, find_all, page, text
from tests.test_workflow_admin import S, errors, make_review, url

pytestmark = pytest.mark.django_db

people = test_workflow_admin.people
as_role = test_workflow_admin.as_role


def hero_image(**kwargs) -> Image:
    return LibraryImageFactory(
        file=image_upload("still.png", size=(1600, 900)),
        **{"alt": "Eve on an empty stage", "credit": "© Marquee demo", **kwargs},
    )


def review_form(client, review) -> dict:
    """The change form as the page holds it (file inputs, which a browser sends empty, left
    out)."""
    response = client.get(url("change", review.pk))
    assert response.status_code == 200
    _action, fields = page_form(response.content.decode(), id="review_form")
    return fields


def save(client, review, **changes):
    return client.post(url("change", review.pk), {**review_form(client, review), **changes})


def test_an_editor_picks_a_library_image_as_the_hero_and_saves_twice(as_role, people):
    review = make_review(people["author"], S.DRAFT)
    image = hero_image(focus_x=30)
    editor = as_role("editor")
    form = page(editor.get(url("change", review.pk)))
    # The hero is a lookup into the library (a popup, as the section editor's Image button).
    field = find(form, "input", name="hero")
    assert "vForeignKeyRawIdAdminField" in attr(field, "class")
    lookup = find(form, "a", id="lookup_id_hero")
    assert attr(lookup, "href").startswith(reverse("admin:images_image_changelist"))
    assert "No hero image yet" in text(form)

    response = save(editor, review, hero=str(image.pk))
    assert response.status_code == 302, errors(response)
    review.refresh_from_db()
    assert review.hero == image

    # The form shows the hero as readers see it, and where its description is edited.
    shown = find(page(editor.get(url("change", review.pk))), "div", cls="hero-choice")
    assert attr(find(shown, "img"), "alt") == "Eve on an empty stage"
    assert {"crop--16x9", "fx-30"} <= set(attr(find(shown, "img"), "class").split())
    assert reverse("admin:images_image_change", args=[image.pk]) in str(shown)
    assert "© Marquee demo" in str(shown)

    # Saved again, unchanged and then with another field changed: the hero stays.
    assert save(editor, review).status_code == 302
    response = save(editor, review, dek="A second save")
    assert response.status_code == 302, errors(response)
    review.refresh_from_db()
    assert (review.hero, review.dek) == (image, "A second save")
    # Taken off again.
    assert save(editor, review, hero="").status_code == 302
    review.refresh_from_db()
    assert review.hero is None


def test_an_image_that_is_not_in_the_library_is_refused(as_role, people):
    review = make_review(people["author"], S.DRAFT)
    response = save(as_role("editor"), review, hero="999999")
    assert response.status_code == 200
    assert "hero" in errors(response)[0]


def test_a_live_reviews_new_hero_waits_in_its_pending_version(
    as_role, people, django_capture_on_commit_callbacks
):
    live_image, new_image = hero_image(), hero_image(alt="A corridor lit red")
    review = make_review(people["author"], S.PUBLISHED)
    Review.objects.filter(pk=review.pk).update(hero=live_image)
    public = review.get_absolute_url()
    editor = as_role("editor")
    response = save(editor, review, hero=str(new_image.pk))
    assert response.status_code == 302, errors(response)
    review.refresh_from_db()
    assert review.hero == live_image
    assert review.pending.fields["hero"] == new_image.pk
    reader = Client()  # as_role signs its one client in as each role
    assert "A corridor lit red" not in reader.get(public).content.decode()
    # The new hero is in use while it waits: the library names the review, and keeps it.
    assert [use.shown_on() for use in new_image.uses()] == [review]
    with pytest.raises(ProtectedError):
        new_image.delete()
    # The form edits the pending version: it shows the new hero.
    assert review_form(editor, review)["hero"] == str(new_image.pk)
    # The preview shows it too, the original in the 16:9 box while renditions are pending.
    preview = page(editor.get(reverse("reviews:preview", kwargs={"slug": review.slug})))
    img = find(find(preview, "figure", cls="review-hero"), "img")
    assert (attr(img, "alt"), attr(img, "src")) == ("A corridor lit red", new_image.file.url)
    assert {"crop", "crop--16x9"} <= set(attr(img, "class").split())

    with django_capture_on_commit_callbacks(execute=True):
        editor.post(reverse("admin:reviews_review_transition", args=[review.pk, "publish_changes"]))
    review.refresh_from_db()
    assert review.hero == new_image
    figure = find(page(reader.get(public)), "figure", cls="review-hero")
    assert attr(find(figure, "img"), "alt") == "A corridor lit red"
    assert live_image.uses() == []  # free to delete now
    live_image.delete()


def test_an_image_shown_as_a_hero_cannot_be_deleted_and_says_where_it_is_used(as_role, people):
    image = hero_image()
    review = ReviewFactory(hero=image, headline="The heroic review")
    editor = as_role("editor")
    change = page(editor.get(reverse("admin:images_image_change", args=[image.pk])))
    used_in = find(change, "div", cls="field-used_in")
    link = find(used_in, "a")
    assert attr(link, "href") == reverse("admin:reviews_review_change", args=[review.pk])
    assert "The heroic review" in text(link)
    delete = editor.get(reverse("admin:images_image_delete", args=[image.pk]))
    assert "The heroic review" in delete.content.decode()
    editor.post(reverse("admin:images_image_delete", args=[image.pk]), {"post": "yes"})
    assert Image.objects.filter(pk=image.pk).exists()
    with pytest.raises(ProtectedError):
        image.delete()


def test_an_edit_in_the_library_reaches_the_page_showing_the_hero(
    client, django_capture_on_commit_callbacks
):
    image = hero_image()
    review = ReviewFactory(published=True, hero=image)
    before = page(client.get(review.get_absolute_url()))  # cached from now on
    assert attr(find(before, "img", cls="review-hero__image"), "alt") == "Eve on an empty stage"
    image.alt, image.credit = "Eve alone on a lit stage", "© Someone else"
    with django_capture_on_commit_callbacks(execute=True):
        image.save()
    after = page(client.get(review.get_absolute_url()))
    assert attr(find(after, "img", cls="review-hero__image"), "alt") == "Eve alone on a lit stage"
    assert text(find(after, "figcaption", cls="review-hero__credit")) == "© Someone else"
    assert attr(find(after, "meta", property="og:image:alt"), "content") == (
        "Eve alone on a lit stage"
    )
    home = page(client.get("/"))
    assert find_all(home, "img", cls="card__image")


def test_a_hero_without_alt_text_blocks_publishing(people):
    # The library's form and constraint require alt text; a blank one stored around them is
    # still caught by the pre-publish check.
    image = Image.objects.create(file=image_upload("x.png", size=(320, 180)), alt="   ")
    review = make_review(people["author"], S.DRAFT)
    review.hero = image
    review.save()
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="hero image has no alt text"):
        review.publish(by=people["editor"])


# The migration of the reviews' own hero fields into the library ------------------------------


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_existing_heroes_move_into_the_library_and_back():
    """Migrated back to before the library heroes, a hero set (live and pending), forward again:
    the files are reused with their descriptions and renditions; back again restores them."""
    from django.core.files.storage import default_storage
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from reviews.pending import PendingChange, PendingImage
    from tests.factories import FilmFactory, StaffFactory

    before = [("reviews", "0026_desk_setting_time_zone")]
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    OldReview = old.get_model("reviews", "Review")
    record = {
        "name": "heroes/2026/eve.jpg",
        "crop": "16x9-f80x40",
        "width": 1600,
        "height": 900,
        "files": {"jpg": [[800, "renditions/heroes/2026/eve-16x9-f80x40-800w.jpg"]]},
    }
    hero = {
        "hero_image": "heroes/2026/eve.jpg",
        "hero_width": 2000,
        "hero_height": 900,
        "hero_alt": "Eve on an empty stage",
        "hero_credit": "© Lionsgate",
        "hero_focus_x": 80,
        "hero_focus_y": 40,
        "hero_renditions": record,
    }
    film, author = FilmFactory(), StaffFactory()
    # The pending version's upload is in the storage, but was never measured.
    default_storage.save("heroes/2026/corridor.jpg", image_upload("corridor.jpg", size=(640, 360)))
    review = OldReview.objects.create(
        film_id=film.pk, author_id=author.pk, headline="Live", slug="live", **hero
    )
    bare = OldReview.objects.create(film_id=film.pk, author_id=author.pk, headline="Bare", slug="b")
    old.get_model("reviews", "PendingChange").objects.create(
        review_id=review.pk,
        fields={
            "headline": "Pending",
            "hero_image": "heroes/2026/corridor.jpg",
            "hero_alt": "",
            "hero_decorative": True,
            "hero_credit": "",
            "hero_focus_x": 50,
            "hero_focus_y": 50,
        },
    )

    MigrationExecutor(connection).migrate(leaves)
    review = Review.objects.get(pk=review.pk)
    image = review.hero
    assert (image.file.name, image.width, image.height) == ("heroes/2026/eve.jpg", 2000, 900)
    assert (image.alt, image.decorative, image.credit) == (
        "Eve on an empty stage",
        False,
        "© Lionsgate",
    )
    assert (image.focus_x, image.focus_y, image.wide_renditions) == (80, 40, record)
    assert image.uploaded_by_id == author.pk
    assert Review.objects.get(pk=bare.pk).hero is None
    pending = PendingChange.objects.get(review=review)
    new_hero = Image.objects.get(pk=pending.fields["hero"])
    assert (new_hero.file.name, new_hero.decorative) == ("heroes/2026/corridor.jpg", True)
    assert (new_hero.width, new_hero.height) == (640, 360)
    assert not {"hero_image", "hero_alt"} & set(pending.fields)
    assert PendingImage.objects.filter(pending=pending, image=new_hero).exists()
    assert Image.objects.count() == 2

    executor = MigrationExecutor(connection)
    executor.migrate(before)
    OldReview = executor.loader.project_state(before).apps.get_model("reviews", "Review")
    restored = OldReview.objects.get(pk=review.pk)
    assert {name: getattr(restored, name) for name in hero if name != "hero_image"} == {
        name: value for name, value in hero.items() if name != "hero_image"
    }
    assert restored.hero_image.name == "heroes/2026/eve.jpg"
    old_pending = old.get_model("reviews", "PendingChange").objects.get(review_id=review.pk)
    assert old_pending.fields["hero_image"] == "heroes/2026/corridor.jpg"
    assert old_pending.fields["hero_decorative"] is True
    assert Image.objects.count() == 0, "the library images the migration made are gone"
    MigrationExecutor(connection).migrate(leaves)
    assert Review.objects.get(pk=review.pk).hero.alt == "Eve on an empty stage"


def test_pages_with_a_hero_load_it_with_the_review(client, monkeypatch):
    """No lazy load of the hero (Django's FETCH_RAISE mode turns one into an error): cards, the
    review page, its related reviews and the feed get it joined to the review."""
    from django.db.models import FETCH_RAISE, query

    review = ReviewFactory(published=True, hero=hero_image())
    ReviewFactory(published=True, film=review.film, hero=hero_image(alt="Another still"))
    monkeypatch.setattr(query, "DEFAULT_FETCH_MODE", FETCH_RAISE)
    for address in ("/", "/reviews/", review.get_absolute_url(), "/feed/"):
        assert client.get(address).status_code == 200, address


def test_the_hero_preview_offers_to_edit_its_alt_text_only_to_who_may(as_role, people):
    """The link under the hero says what its library page will let this person do: edit its
    alt text, credit and focal point, or only view it."""
    editors_photo = make_review(people["author"], S.DRAFT, hero=hero_image())
    own_upload = make_review(
        people["author"], S.DRAFT, hero=hero_image(uploaded_by=people["author"])
    )

    def hero_link(role, review) -> str:
        shown = find(page(as_role(role).get(url("change", review.pk))), "div", cls="hero-choice")
        (link,) = find_all(shown, "a")
        assert attr(link, "href") == reverse("admin:images_image_change", args=[review.hero_id])
        return text(link)

    edit = "Edit its alt text, credit and focal point in the library"
    assert hero_link("author", editors_photo) == "View it in the library"
    assert hero_link("author", own_upload) == edit
    assert hero_link("editor", editors_photo) == edit
