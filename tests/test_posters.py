"""Film posters and people's photos from the image library (issue 20 item 1): an editor picks
the poster in the film's form from the library's popup (or uploads it there), a photo in the
person's; their alt text and credit are the library's; an image shown as a poster or photo
cannot be deleted and says where it is used; an edit in the library reaches the pages showing
it; existing posters and photos move into the library and back."""

import datetime
from pathlib import Path
from urllib.parse import urljoin

import pytest
from django.db.models import ProtectedError
from django.test import Client
from django.urls import reverse

from images.models import Image
from tests.factories import FilmFactory, PersonFactory, image_upload, poster_image, user_in_group
from tests.forms import page_form
from tests.photos import assert_private_and_upright, phone_photo
from tests.test_pages import attr, find, page, text

pytestmark = pytest.mark.django_db

CHANGE = "admin:films_film_change"


@pytest.fixture
def editor(client):
    client.force_login(user_in_group("Editors"))
    return client


def film_form(client, film) -> dict:
    """The film's change form as the page holds it (file inputs, sent empty, left out)."""
    response = client.get(reverse(CHANGE, args=[film.pk]))
    assert response.status_code == 200
    _action, fields = page_form(response.content.decode(), id="film_form")
    return fields


def save(client, film, **changes):
    return client.post(reverse(CHANGE, args=[film.pk]), {**film_form(client, film), **changes})


def errors(response) -> str:
    return "" if response.status_code == 302 else response.content.decode()[:3000]


def test_an_editor_picks_a_library_image_as_the_poster_and_saves_twice(editor):
    film = FilmFactory(title="Ballerina", release_date=datetime.date(2025, 6, 6), tmdb_id=541671)
    image = poster_image(
        image_upload("ballerina.png", size=(200, 300)),
        alt="Poster of Ballerina (2025)",
        credit="© Lionsgate",
    )
    form = page(editor.get(reverse(CHANGE, args=[film.pk])))
    # The poster is a lookup into the library (its popup, where an image is also uploaded).
    field = find(form, "input", name="poster")
    assert "vForeignKeyRawIdAdminField" in attr(field, "class")
    lookup = find(form, "a", id="lookup_id_poster")
    assert attr(lookup, "href").startswith(reverse("admin:images_image_changelist"))
    assert "No poster yet." in text(form)
    popup = page(editor.get(f"{attr(lookup, 'href')}&_popup=1"))
    add = find(popup, "a", cls="addlink")
    assert attr(add, "href").startswith(reverse("admin:images_image_add"))

    response = save(editor, film, poster=str(image.pk))
    assert response.status_code == 302, errors(response)
    film.refresh_from_db()
    assert film.poster == image
    # Picked by hand: a TMDB import proposes its own poster rather than replacing this one.
    assert "poster" in film.edited_fields

    # The form shows the poster, its alt text and credit, and where they are edited.
    shown = find(page(editor.get(reverse(CHANGE, args=[film.pk]))), "div", cls="hero-choice")
    assert attr(find(shown, "img"), "alt") == "Poster of Ballerina (2025)"
    assert "© Lionsgate" in text(shown)
    assert reverse("admin:images_image_change", args=[image.pk]) in str(shown)

    # Saved again, unchanged and with another field changed: the poster stays.
    assert save(editor, film).status_code == 302
    response = save(editor, film, tagline="One of us")
    assert response.status_code == 302, errors(response)
    film.refresh_from_db()
    assert (film.poster, film.tagline) == (image, "One of us")

    # Readers see it with the library's alt text.
    hero = find(page(editor.get(film.get_absolute_url())), cls="film-hero__poster")
    assert attr(find(hero, "img"), "alt") == "Poster of Ballerina (2025)"

    # Taken off again: the typeset placeholder stands in.
    assert save(editor, film, poster="").status_code == 302
    film.refresh_from_db()
    assert film.poster is None
    assert find(page(editor.get(film.get_absolute_url())), cls="poster--placeholder")


def test_a_poster_uploaded_in_the_librarys_popup_is_stored_upright_without_its_location(editor):
    film = FilmFactory(title="Ballerina", release_date=datetime.date(2025, 6, 6))
    lookup = find(page(editor.get(reverse(CHANGE, args=[film.pk]))), "a", id="lookup_id_poster")
    popup = page(editor.get(f"{attr(lookup, 'href')}&_popup=1"))
    add = attr(find(popup, "a", cls="addlink"), "href")
    action, fields = page_form(editor.get(add).content.decode(), id="image_form")
    response = editor.post(
        urljoin(add, action), {**fields, "file": phone_photo(), "alt": "Poster of Ballerina (2025)"}
    )
    assert response.status_code == 200, errors(response)  # the popup hands the id back
    image = Image.objects.get()
    assert_private_and_upright(Path(image.file.path).read_bytes())

    assert save(editor, film, poster=str(image.pk)).status_code == 302
    # Before its renditions are made the film page shares the original, at its upright size.
    head = page(editor.get(film.get_absolute_url()))
    assert attr(find(head, "meta", property="og:image"), "content").endswith(image.file.url)
    assert attr(find(head, "meta", property="og:image:width"), "content") == "400"
    assert attr(find(head, "meta", property="og:image:height"), "content") == "600"


def test_an_editor_picks_a_library_image_as_a_persons_photo(editor):
    person = PersonFactory(name="Ana de Armas", tmdb_id=224513)
    image = poster_image(image_upload("ana.png", size=(300, 450)), alt="Ana de Armas")
    change = reverse("admin:films_person_change", args=[person.pk])
    form = page(editor.get(change))
    assert "vForeignKeyRawIdAdminField" in attr(find(form, "input", name="photo"), "class")
    assert "No photo yet." in text(form)
    _action, fields = page_form(editor.get(change).content.decode(), id="person_form")
    response = editor.post(change, {**fields, "photo": str(image.pk)})
    assert response.status_code == 302, errors(response)
    _action, fields = page_form(editor.get(change).content.decode(), id="person_form")
    response = editor.post(change, {**fields, "biography": "Born in Havana."})
    assert response.status_code == 302, errors(response)
    person.refresh_from_db()
    assert (person.photo, person.biography) == (image, "Born in Havana.")
    shown = find(page(editor.get(change)), "div", cls="hero-choice")
    assert attr(find(shown, "img"), "alt") == "Ana de Armas"
    # Readers see it on the person's page; the library lists the person among its uses.
    header = find(page(editor.get(person.get_absolute_url())), cls="person-header")
    assert attr(find(header, "img"), "alt") == "Photo of Ana de Armas"
    assert image.uses() == [person]
    with pytest.raises(ProtectedError):
        image.delete()


def test_a_backdrop_from_the_library_is_the_trailers_still(editor):
    film = FilmFactory(title="Ballerina", trailer_key="0FSwsrFpkbw", trailer_name="Trailer")
    image = poster_image(image_upload("still.png", size=(640, 360)), alt="Eve on a stage")
    response = save(editor, film, backdrop=str(image.pk))
    assert response.status_code == 302, errors(response)
    film.refresh_from_db()
    assert film.backdrop == image
    form = page(editor.get(reverse(CHANGE, args=[film.pk])))
    assert "vForeignKeyRawIdAdminField" in attr(find(form, "input", name="backdrop"), "class")
    facade = find(page(editor.get(film.get_absolute_url())), "a", cls="trailer__facade")
    still = find(facade, "img", cls="trailer__still")
    assert attr(still, "src") == image.file.url  # the original until its renditions exist
    assert image.uses() == [film]


def test_an_image_that_is_not_in_the_library_is_refused(editor):
    film = FilmFactory()
    response = save(editor, film, poster="999999")
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()


def test_the_form_asks_for_a_chosen_images_name_and_preview_by_post(editor):
    """What the film form shows for an image chosen before the save: the library's name and
    link for it (as beside the id box after the save) and the saved preview's 200 x 300 box."""
    image = Image.objects.create(file=image_upload("tall.png", size=(1200, 1800)), alt="Tall")
    url = reverse("admin:films_film_library_choice", args=["poster"])
    assert editor.get(url).status_code == 405
    answer = editor.post(url, {"image": image.pk}).json()
    assert answer["label"] == "Tall"
    assert answer["url"] == reverse("admin:images_image_change", args=[image.pk])
    assert 'width="200" height="300"' in answer["preview"]
    assert editor.post(url, {"image": image.pk + 1}).status_code == 404
    assert editor.post(url, {"image": "x"}).status_code == 404
    not_a_field = reverse("admin:films_film_library_choice", args=["title"])
    assert editor.post(not_a_field, {"image": image.pk}).status_code == 403
    writer = Client()
    writer.force_login(user_in_group("Writers"))  # may not edit films
    assert writer.post(url, {"image": image.pk}).status_code == 403


def test_an_image_shown_as_a_poster_cannot_be_deleted_and_says_where_it_is_used(editor):
    image = poster_image()
    film = FilmFactory(title="Ballerina", release_date=datetime.date(2025, 6, 6), poster=image)
    change = page(editor.get(reverse("admin:images_image_change", args=[image.pk])))
    link = find(find(change, "div", cls="field-used_in"), "a")
    assert attr(link, "href") == reverse(CHANGE, args=[film.pk])
    assert "Ballerina (2025)" in text(link)
    editor.post(reverse("admin:images_image_delete", args=[image.pk]), {"post": "yes"})
    assert Image.objects.filter(pk=image.pk).exists()
    with pytest.raises(ProtectedError):
        image.delete()
    film.poster = None
    film.save()
    image.delete()


def test_an_edit_in_the_library_reaches_the_film_page(client, django_capture_on_commit_callbacks):
    image = poster_image(alt="Poster of Ballerina (2025)")
    film = FilmFactory(poster=image)
    before = page(client.get(film.get_absolute_url()))  # cached from now on
    assert attr(find(find(before, cls="film-hero__poster"), "img"), "alt") == image.alt
    image.alt = "Poster of Ballerina: Eve with a pistol"
    with django_capture_on_commit_callbacks(execute=True):
        image.save()
    after = page(client.get(film.get_absolute_url()))
    assert attr(find(find(after, cls="film-hero__poster"), "img"), "alt") == image.alt


# The migration of the films' own posters into the library -------------------------------------


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_existing_posters_move_into_the_library_and_back():
    """Migrated back to before the library posters, posters set (TMDB's and an uploaded one),
    forward again: the files are reused with their renditions, described and credited; back
    again restores them and removes the library images made."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from films.models import Film, Person

    before = [("films", "0005_backdrop_renditions")]
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    OldFilm = executor.loader.project_state(before).apps.get_model("films", "Film")
    record = {
        "name": "posters/2025/ballerina.jpg",
        "crop": "orig",
        "width": 500,
        "height": 750,
        "files": {"jpg": [[160, "renditions/posters/2025/ballerina-orig-160w.jpg"]]},
    }
    tmdb = OldFilm.objects.create(
        title="Ballerina",
        slug="ballerina",
        release_date=datetime.date(2025, 6, 6),
        poster="posters/2025/ballerina.jpg",
        poster_width=500,
        poster_height=750,
        poster_renditions=record,
        tmdb_poster_path="/ballerina-poster.jpg",
        backdrop="backdrops/2025/still.jpg",
        backdrop_width=1280,
        backdrop_height=720,
        tmdb_backdrop_path="/ballerina-backdrop.jpg",
    )
    mine = OldFilm.objects.create(
        title="Undated",
        slug="undated",
        poster="posters/2025/mine.png",
        poster_width=40,
        poster_height=60,
    )
    bare = OldFilm.objects.create(title="Bare", slug="bare")
    OldPerson = executor.loader.project_state(before).apps.get_model("films", "Person")
    ana = OldPerson.objects.create(
        name="Ana de Armas",
        slug="ana-de-armas",
        photo="people/2025/ana.jpg",
        photo_width=185,
        photo_height=278,
        tmdb_profile_path="/ana.jpg",
    )

    MigrationExecutor(connection).migrate(leaves)
    poster = Film.objects.get(pk=tmdb.pk).poster
    assert (poster.file.name, poster.width, poster.height) == (
        "posters/2025/ballerina.jpg",
        500,
        750,
    )
    assert (poster.alt, poster.credit, poster.decorative) == (
        "Poster of Ballerina (2025)",
        "TMDB",
        False,
    )
    assert poster.renditions == record, "the renditions are the library image's own"
    uploaded = Film.objects.get(pk=mine.pk).poster
    assert (uploaded.file.name, uploaded.alt, uploaded.credit) == (
        "posters/2025/mine.png",
        "Poster of Undated",
        "",
    )
    assert Film.objects.get(pk=bare.pk).poster is None
    photo = Person.objects.get(pk=ana.pk).photo
    assert (photo.file.name, photo.width, photo.alt, photo.credit) == (
        "people/2025/ana.jpg",
        185,
        "Ana de Armas",
        "TMDB",
    )
    still = Film.objects.get(pk=tmdb.pk).backdrop
    assert (still.file.name, still.width, still.alt, still.credit) == (
        "backdrops/2025/still.jpg",
        1280,
        "A still from Ballerina (2025)",
        "TMDB",
    )
    assert Image.objects.count() == 4

    executor = MigrationExecutor(connection)
    executor.migrate(before)
    OldFilm = executor.loader.project_state(before).apps.get_model("films", "Film")
    restored = OldFilm.objects.get(pk=tmdb.pk)
    assert (restored.poster.name, restored.poster_width, restored.poster_height) == (
        "posters/2025/ballerina.jpg",
        500,
        750,
    )
    assert restored.poster_renditions == record
    assert (restored.backdrop.name, restored.backdrop_width) == ("backdrops/2025/still.jpg", 1280)
    assert OldFilm.objects.get(pk=mine.pk).poster.name == "posters/2025/mine.png"
    assert not OldFilm.objects.get(pk=bare.pk).poster
    OldPerson = executor.loader.project_state(before).apps.get_model("films", "Person")
    restored = OldPerson.objects.get(pk=ana.pk)
    assert (restored.photo.name, restored.photo_width, restored.photo_height) == (
        "people/2025/ana.jpg",
        185,
        278,
    )
    assert Image.objects.count() == 0, "the library images the migration made are gone"
    MigrationExecutor(connection).migrate(leaves)
    assert Film.objects.get(pk=tmdb.pk).poster.alt == "Poster of Ballerina (2025)"


def test_a_tmdb_id_another_film_has_is_refused_in_words(editor):
    FilmFactory(title="Ballerina", tmdb_id=541671)
    other = FilmFactory(title="Another film", tmdb_id=None)
    response = save(editor, other, tmdb_id="541671")
    assert response.status_code == 200
    assert "Another film already has this TMDB id." in response.content.decode()
    assert "violated" not in response.content.decode()
