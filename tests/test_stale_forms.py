"""Two tabs on one catalogue page: the later save of a page loaded before the other's save is
refused, with the typed text kept, instead of putting back what the other save changed.

Film, person, library image and critic change pages (config/admin.py: StaleCheckedAdmin), as
the review form does with its version (tests/test_workflow_admin.py).
"""

from dataclasses import dataclass

import pytest
from django.urls import reverse

from reviews.critics import Critic
from tests.factories import (
    CastCreditFactory,
    FilmFactory,
    LibraryImageFactory,
    PersonFactory,
    UserFactory,
    user_in_group,
)
from tests.forms import page_form

pytestmark = pytest.mark.django_db


@dataclass
class Page:
    """A change page, and the field each of two tabs changes on it."""

    admin: str  # "films_film": the admin's URL names
    make: object
    first: str  # tab A's field
    second: str  # tab B's field

    @property
    def form_id(self) -> str:
        return f"{self.admin.split('_')[1]}_form"


def a_critic():
    critic = Critic.objects.for_user(UserFactory(first_name="Mara", last_name="Lind"))
    critic.bio = "Mara Lind writes about thrillers."
    critic.save()
    return critic


PAGES = {
    "film": Page("films_film", FilmFactory, first="synopsis", second="tagline"),
    "person": Page("films_person", PersonFactory, first="biography", second="place_of_birth"),
    "image": Page("images_image", LibraryImageFactory, first="caption", second="alt"),
    "critic": Page("reviews_critic", a_critic, first="display_name", second="bio"),
}


@pytest.fixture
def editors():
    return (
        user_in_group("Editors", username="edie", first_name="Edie", last_name="Editor"),
        user_in_group("Editors", username="ned", first_name="Ned", last_name="Other"),
    )


class Tab:
    """A browser tab on a change page: what its form holds, posted back as the browser would."""

    def __init__(self, client, user, url: str, form_id: str):
        self.client, self.user, self.url, self.form_id = client, user, url, form_id
        self.load()

    def load(self):
        self.client.force_login(self.user)
        self.show(self.client.get(self.url))

    def show(self, response):
        assert response.status_code == 200
        self.response = response
        self.html = response.content.decode()
        self.action, self.fields = page_form(self.html, id=self.form_id)

    def save(self, **typed):
        """Post the form with `typed` in it; the page shown next (after a redirect, if any)."""
        self.client.force_login(self.user)
        data = {**self.fields, **typed, "_continue": "Save and continue editing"}
        response = self.client.post(self.action or self.url, data, follow=True)
        self.show(response)
        return response


def tabs(client, page: Page, obj, *users) -> list[Tab]:
    url = reverse(f"admin:{page.admin}_change", args=[obj.pk])
    return [Tab(client, user, url, page.form_id) for user in users]


def saved(response) -> bool:
    return response.redirect_chain != [] and "was changed successfully" in response.content.decode()


@pytest.mark.parametrize("kind", PAGES)
def test_a_save_from_a_page_loaded_before_another_save_is_refused(client, editors, kind):
    page = PAGES[kind]
    obj = page.make()
    a, b = tabs(client, page, obj, *editors)

    assert saved(a.save(**{page.first: "Tab A's careful words"}))
    refused = b.save(**{page.second: "Tab B's own words"})

    assert not saved(refused)
    assert refused.status_code == 200
    assert f"Edie Editor changed this {obj._meta.verbose_name} at " in b.html
    assert "Your text is still in the form" in b.html
    assert b.fields[page.second] == "Tab B's own words"  # typed, shown back
    obj.refresh_from_db()
    assert getattr(obj, page.first) == "Tab A's careful words"
    assert getattr(obj, page.second) != "Tab B's own words"

    # B reloads, sees A's change, and saves its own.
    b.load()
    assert b.fields[page.first] == "Tab A's careful words"
    assert saved(b.save(**{page.second: "Tab B's own words"}))
    obj.refresh_from_db()
    assert getattr(obj, page.first) == "Tab A's careful words"
    assert getattr(obj, page.second) == "Tab B's own words"


@pytest.mark.parametrize("kind", PAGES)
def test_one_tab_saves_twice_in_a_row(client, editors, kind):
    page = PAGES[kind]
    obj = page.make()
    (tab,) = tabs(client, page, obj, editors[0])

    assert saved(tab.save(**{page.first: "First words"}))
    assert saved(tab.save(**{page.second: "Second words"}))
    assert saved(tab.save())  # and once more, changing nothing
    obj.refresh_from_db()
    assert (getattr(obj, page.first), getattr(obj, page.second)) == ("First words", "Second words")


def test_a_cast_change_in_one_tab_refuses_the_other_tabs_save(client, editors):
    film = FilmFactory(tagline="As imported")
    credit = CastCreditFactory(film=film, character="Eve")
    a, b = tabs(client, PAGES["film"], film, *editors)
    row = next(name for name, value in a.fields.items() if value == "Eve")

    assert saved(a.save(**{row: "Eve Harrington"}))
    refused = b.save(tagline="Fasten your seatbelts")

    assert not saved(refused)
    assert "Edie Editor changed this film at " in b.html
    film.refresh_from_db()
    credit.refresh_from_db()
    assert (film.tagline, credit.character) == ("As imported", "Eve Harrington")


def test_a_change_made_outside_the_admin_is_named_as_someone_elses(client, editors):
    film = FilmFactory()
    (tab,) = tabs(client, PAGES["film"], film, editors[0])
    film.synopsis = "Refreshed from TMDB."
    film.save()

    refused = tab.save(tagline="A tagline")

    assert not saved(refused)
    assert "Someone else changed this film at " in tab.html
    film.refresh_from_db()
    assert (film.synopsis, film.tagline) == ("Refreshed from TMDB.", "")
