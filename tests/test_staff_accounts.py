"""The back office says Marquee, lets staff reset a forgotten password, and makes a writer,
editor or moderator in one step."""

import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from tests.factories import SuperuserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()


class FormFields(HTMLParser):
    """What a browser would send for a page's form: its inputs' and selects' current values."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, str] = {}
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in {"submit", "button"}:
            if attrs.get("type") in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self.values[name] = attrs.get("value", "on")
            else:
                self.values[name] = attrs.get("value", "")
        elif tag == "select" and name:
            self._select = name
            self.values.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.values[self._select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def form_of(response) -> dict[str, str]:
    parser = FormFields()
    parser.feed(response.content.decode())
    return parser.values


def test_the_sign_in_page_is_marquees_and_offers_a_password_reset(client):
    page = client.get("/admin/login/").content.decode()
    assert "Marquee newsroom" in page
    assert "Django administration" not in page
    assert "/admin/password_reset/" in page


def test_a_forgotten_password_is_reset_by_mail(client):
    editor = SuperuserFactory(email="editor@marquee.example")
    reset = client.get("/admin/password_reset/")
    assert "Marquee newsroom" in reset.content.decode()
    fields = form_of(reset) | {"email": "editor@marquee.example"}
    assert client.post("/admin/password_reset/", fields).status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/admin/reset/\S+/)", mail.outbox[0].body)[1]

    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    fields = form_of(form_page) | {
        "new_password1": "a new long passphrase 42",
        "new_password2": "a new long passphrase 42",
    }
    done = client.post(form_page.redirect_chain[-1][0], fields, follow=True)
    assert "password has been set" in done.content.decode()
    editor.refresh_from_db()
    assert editor.check_password("a new long passphrase 42")


def test_an_unknown_address_is_told_the_same_and_sent_nothing(client):
    response = client.post("/admin/password_reset/", {"email": "nobody@example.com"}, follow=True)
    assert response.status_code == 200
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("role", "may_open", "may_not_open"),
    [
        ("Writers", "/admin/reviews/review/add/", "/admin/reviews/comment/"),
        ("Editors", "/admin/films/film/add/", "/admin/auth/user/"),
        ("Moderators", "/admin/reviews/comment/", "/admin/reviews/review/add/"),
    ],
)
def test_a_superuser_makes_a_staff_member_with_a_role_in_one_step(
    client, role, may_open, may_not_open
):
    client.force_login(SuperuserFactory())
    add = client.get("/admin/auth/user/add/")
    assert "The role gives the account its rights" in add.content.decode()
    fields = form_of(add) | {
        "username": "nadia",
        "first_name": "Nadia",
        "last_name": "Okafor",
        "email": "nadia@marquee.example",
        "role": role,
        "usable_password": "true",
        "password1": "a long passphrase 42",
        "password2": "a long passphrase 42",
    }
    response = client.post("/admin/auth/user/add/", fields)
    assert response.status_code == 302, response.context["adminform"].form.errors
    nadia = User.objects.get(username="nadia")
    assert nadia.is_staff
    assert not nadia.is_superuser
    assert list(nadia.groups.values_list("name", flat=True)) == [role]

    client.logout()
    login = client.get("/admin/login/")
    signed_in = client.post(
        "/admin/login/?next=/admin/",
        form_of(login) | {"username": "nadia", "password": "a long passphrase 42"},
    )
    assert signed_in.status_code == 302
    assert signed_in["Location"] == "/admin/"
    assert client.get(may_open).status_code == 200
    assert client.get(may_not_open).status_code == 403


def test_the_user_list_names_each_accounts_role(client):
    client.force_login(SuperuserFactory(username="boss"))
    add = client.get("/admin/auth/user/add/")
    client.post(
        "/admin/auth/user/add/",
        form_of(add) | {"username": "wren", "role": "Writers", "usable_password": "false"},
    )
    page = client.get("/admin/auth/user/").content.decode()
    assert "Writer" in page
    assert "Superuser" in page
