"""Cast and crew an editor fixed in the film admin are held against TMDB like other fields: the
sync keeps them, shows TMDB's list as a proposed change and applies it when accepted. The
admin's own change form is parsed and posted back, as a browser would."""

from html.parser import HTMLParser
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from films.importers import import_film_from_tmdb
from films.models import Film
from tests.factories import PersonFactory, user_in_group
from tests.test_tmdb_admin import Forms
from tests.tmdb_fake import BALLERINA, movie

pytestmark = pytest.mark.django_db


class ChangeForm(HTMLParser):
    """What the browser would post from the admin form with id `form_id`: inputs (checked
    boxes only, no files), selected options (a list for a multiple select) and textareas; the
    inlines' empty template left out."""

    def __init__(self, html: str, form_id: str = "film_form"):
        super().__init__()
        self.form_id, self.inside, self.data = form_id, False, {}
        self.select = self.textarea = None
        self.multiple = False
        self.feed(html)
        assert self.data, f"no form {form_id} in the page"

    def keep(self, name: str, value: str) -> None:
        if "__prefix__" not in name:
            self.data[name] = value

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("file", "submit", "button") or (
                kind in ("checkbox", "radio") and "checked" not in attrs
            ):
                return
            self.keep(name, attrs.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "select" and name:
            self.select, self.multiple = name, "multiple" in attrs
            if self.multiple:
                self.keep(name, [])
        elif (
            tag == "option"
            and self.select
            and "selected" in attrs
            and "__prefix__" not in self.select
        ):
            if self.multiple:
                self.data[self.select].append(attrs.get("value", ""))
            else:
                self.keep(self.select, attrs.get("value", ""))
        elif tag == "textarea" and name:
            self.textarea = name
            self.keep(name, "")

    def handle_data(self, data):
        if self.textarea and self.textarea in self.data:
            self.data[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def with_credits(cast=None, crew=None, **changes) -> dict:
    credits = {
        "cast": cast if cast is not None else BALLERINA["credits"]["cast"],
        "crew": crew if crew is not None else BALLERINA["credits"]["crew"],
    }
    return movie(poster_path=None, backdrop_path=None, credits=credits, **changes)


def sync_all() -> str:
    out = StringIO()
    call_command("sync_tmdb", "--all", stdout=out, stderr=out)
    return out.getvalue()


@pytest.fixture
def ballerina(fake_tmdb):
    fake_tmdb.add_movie(with_credits())
    film = import_film_from_tmdb(541671).film
    fake_tmdb.answers.clear()
    return film


@pytest.fixture
def editor(client):
    client.force_login(user_in_group("Editors"))


def change_page(client, film) -> tuple[str, dict]:
    url = reverse("admin:films_film_change", args=[film.pk])
    return url, ChangeForm(client.get(url).content.decode()).data


def cast_of(film) -> list[tuple[str, str]]:
    return list(film.cast_credits.order_by("order").values_list("person__name", "character"))


def crew_of(film) -> set[tuple[str, str]]:
    return set(film.crew_credits.values_list("person__name", "job"))


def test_a_fixed_character_stays_through_a_sync_and_tmdbs_cast_is_offered(
    client, editor, fake_tmdb, ballerina
):
    url, data = change_page(client, ballerina)
    [row] = [
        key[: -len("-character")]
        for key, value in data.items()
        if key.startswith("cast_credits-") and value == "John Wick"
    ]
    data[f"{row}-character"] = "Jonathan Wick"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    ballerina.refresh_from_db()
    assert ballerina.edited_fields == ["cast"]

    # TMDB renames a character, adds a role, and changes the crew (which nobody edited here).
    cast = [dict(c) for c in BALLERINA["credits"]["cast"]]
    cast[1]["character"] = "John Wick (Baba Yaga)"
    cast.append(
        {
            "id": 7777,
            "name": "Norman Reedus",
            "character": "Daniel Pine",
            "order": 3,
            "profile_path": None,
        }
    )
    crew = [
        *BALLERINA["credits"]["crew"],
        {
            "id": 1340,
            "name": "Chad Stahelski",
            "department": "Production",
            "job": "Producer",
            "profile_path": None,
        },
    ]
    fake_tmdb.add_movie(with_credits(cast, crew))
    assert "1 updated" in sync_all()
    ballerina.refresh_from_db()
    assert cast_of(ballerina) == [
        ("Ana de Armas", "Eve Macarro"),
        ("Keanu Reeves", "Jonathan Wick"),
        ("Ian McShane", "Winston Scott"),
    ]
    assert ("Chad Stahelski", "Producer") in crew_of(ballerina)  # crew follows TMDB
    assert [c["character"] for c in ballerina.tmdb_proposed["cast"]] == [
        "Eve Macarro",
        "John Wick (Baba Yaga)",
        "Winston Scott",
        "Daniel Pine",
    ]

    page = client.get(url).content.decode()
    assert "Review 1 change proposed by TMDB" in page
    assert "Edited here (TMDB leaves these alone): Cast." in page

    review = client.get(reverse("admin:films_film_tmdb_changes", args=[ballerina.pk]))
    html = review.content.decode()
    assert "<del>Keanu Reeves as Jonathan Wick</del>" in html
    assert "<ins>Keanu Reeves as John Wick (Baba Yaga)</ins>" in html
    assert "<ins>Norman Reedus as Daniel Pine</ins>" in html
    assert "Ana de Armas as Eve Macarro" in html
    assert "7777" not in html

    # A second sync with the same answer changes nothing and keeps the proposal.
    assert "0 updated" in sync_all()

    [form] = Forms(html).forms
    response = client.post(review.wsgi_request.path, {**form["data"], "accept": "cast"})
    assert response.status_code == 302
    ballerina.refresh_from_db()
    assert cast_of(ballerina) == [
        ("Ana de Armas", "Eve Macarro"),
        ("Keanu Reeves", "John Wick (Baba Yaga)"),
        ("Ian McShane", "Winston Scott"),
        ("Norman Reedus", "Daniel Pine"),
    ]
    assert (ballerina.edited_fields, ballerina.tmdb_proposed) == ([], {})
    assert "TMDB manages these again: Cast." in client.get(url).content.decode()


def test_an_added_crew_member_stays_and_leaving_the_proposal_keeps_it(
    client, editor, fake_tmdb, ballerina
):
    composer = PersonFactory(name="Tyler Bates")
    url, data = change_page(client, ballerina)
    total = int(data["crew_credits-TOTAL_FORMS"])
    data |= {
        "crew_credits-TOTAL_FORMS": str(total + 1),
        f"crew_credits-{total}-department": "Sound",
        f"crew_credits-{total}-job": "Original Music Composer",
        f"crew_credits-{total}-person": str(composer.pk),
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    ballerina.refresh_from_db()
    assert ballerina.edited_fields == ["crew"]

    fake_tmdb.add_movie(with_credits(tagline="A new tagline."))
    sync_all()
    ballerina.refresh_from_db()
    assert ballerina.tagline == "A new tagline."  # not edited here: TMDB's
    assert ("Tyler Bates", "Original Music Composer") in crew_of(ballerina)
    assert {c["name"] for c in ballerina.tmdb_proposed["crew"]} == {"Len Wiseman", "Shay Hatten"}
    html = client.get(
        reverse("admin:films_film_tmdb_changes", args=[ballerina.pk])
    ).content.decode()
    assert "<del>Tyler Bates, Original Music Composer (Sound)</del>" in html
    assert "Len Wiseman, Director (Directing)" in html

    sync_all()
    ballerina.refresh_from_db()
    assert ("Tyler Bates", "Original Music Composer") in crew_of(ballerina)


def test_saving_the_film_without_touching_the_credits_holds_none(client, editor, ballerina):
    url, data = change_page(client, ballerina)
    assert client.post(url, data).status_code == 302
    ballerina.refresh_from_db()
    assert ballerina.edited_fields == []


def test_a_file_import_keeps_held_credits_too(client, editor, ballerina, tmp_path):
    ballerina.edited_fields = ["cast"]
    ballerina.save()
    ballerina.cast_credits.filter(character="John Wick").update(character="Mr Wick")
    path = tmp_path / "ballerina.json"
    import json

    path.write_text(json.dumps(with_credits()))
    call_command("import_film", str(path), stdout=StringIO())
    ballerina = Film.objects.get(pk=ballerina.pk)
    assert ("Keanu Reeves", "Mr Wick") in cast_of(ballerina)
    assert "cast" in ballerina.tmdb_proposed
