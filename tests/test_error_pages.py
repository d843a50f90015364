"""Hostile and malformed requests get a page that says what happened, never a 500 (#16 item 8)."""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, reverse

from reviews.models import Comment
from tests.factories import ReviewFactory, SuperuserFactory
from tests.forms import page_form

pytestmark = pytest.mark.django_db

LATIN_1 = "application/x-www-form-urlencoded; charset=latin-1"


def lenient_client(**kwargs) -> Client:
    """A client that hands back the 500 page instead of raising, as a real server would."""
    return Client(raise_request_exception=False, **kwargs)


# Posts that declare a charset other than UTF-8 ------------------------------------------------


def test_a_latin_1_post_through_the_csrf_check_answers_400_with_a_page():
    client = lenient_client(enforce_csrf_checks=True)
    login = client.get(reverse("admin:login"))
    action, fields = page_form(login.content.decode(), id="login-form")
    fields.update(username="ada", password="café")
    body = "&".join(f"{key}={value}" for key, value in fields.items())  # sent as latin-1
    for url in [
        action or reverse("admin:login"),
        reverse("reviews:search"),
        "/healthz",
        "/",
        reverse("admin:reviews_review_changelist"),
    ]:
        response = client.post(
            url, body, content_type=LATIN_1, headers={"X-CSRFToken": fields["csrfmiddlewaretoken"]}
        )
        assert response.status_code == 400, url
        page = response.content.decode()
        assert "The request could not be read" in page, url
        assert "Traceback" not in page
        assert response.headers["X-Request-ID"]
        assert response.headers["Content-Security-Policy"]


def test_a_latin_1_comment_answers_400_and_stores_nothing():
    review = ReviewFactory(published=True)
    client = lenient_client(enforce_csrf_checks=True)
    html = client.get(review.get_absolute_url()).content.decode()
    action, fields = page_form(html, id="comment-form")
    fields.update(client.get(reverse("reviews:comment_tokens", args=[review.slug])).json())
    fields.update(name="Zoë", email="zoe@example.com", body="Très bien, déjà vu.")
    body = "&".join(f"{key}={value}" for key, value in fields.items())  # sent as latin-1
    response = client.post(action.split("#")[0], body, content_type=LATIN_1)
    assert response.status_code == 400
    assert "The request could not be read" in response.content.decode()
    assert not Comment.objects.exists()


# NUL characters, which PostgreSQL cannot hold --------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/admin/autocomplete/?term=%00&app_label=reviews&model_name=review&field_name=film",
        "/admin/reviews/review/?q=%00",
        "/admin/films/film/?q=a%00b",
        "/admin/reviews/comment/?status=%00",
    ],
)
def test_a_nul_in_an_admin_query_answers_400(client, url):
    client.force_login(SuperuserFactory())
    response = client.get(url)
    assert response.status_code == 400
    assert "The request could not be read" in response.content.decode()


@pytest.mark.parametrize("url", ["/search/?q=%00", "/reviews/?genre=%00", "/films/?year=%00"])
def test_a_nul_in_a_public_query_gets_the_page(client, url):
    ReviewFactory(published=True)
    assert client.get(url).status_code in {200, 404}


def test_a_nul_in_a_comment_is_refused_by_the_form_and_in_a_cookie_with_400(client):
    review = ReviewFactory(published=True)
    html = client.get(review.get_absolute_url()).content.decode()
    action, fields = page_form(html, id="comment-form")
    fields.update(name="Ada\x00", email="ada@example.com", body="Words I typed.")
    response = client.post(action.split("#")[0], fields)
    assert response.status_code in {200, 400}
    assert "Words I typed." in response.content.decode()  # the form comes back with the text
    assert not Comment.objects.exists()
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"
    assert client.get("/").status_code == 400


# The admin's own views on ids that are not ids ------------------------------------------------


def object_urls(patterns, prefix="") -> list[str]:
    """Every admin route that takes an object id, as a path template."""
    found = []
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found += object_urls(entry.url_patterns, route)
        elif isinstance(entry, URLPattern) and "<path:object_id>" in route:
            found.append(route)
    return found


@pytest.mark.parametrize("object_id", ["abc", "1abc", "-1", "1.5", "9" * 30, "%20"])
def test_every_admin_object_view_answers_a_non_numeric_id_without_a_500(object_id):
    routes = object_urls(admin.site.get_urls())
    assert len(routes) >= 15  # Django's own and Marquee's, for every registered model
    client = lenient_client()
    client.force_login(SuperuserFactory())
    for route in routes:
        url = "/admin/" + (
            route.replace("<path:object_id>", object_id)
            .replace("<int:version_id>", "1")
            .replace("<str:action>", "publish")
            .replace("<str:decision>", "approve")
            .replace("<path:content_type_id>", "1")
        )
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code in {200, 302, 403, 404, 405}, (method.__name__, url)


# The handlers themselves ------------------------------------------------------------------------


def test_pages_fall_back_when_the_error_templates_cannot_render(settings, tmp_path):
    """A missing static manifest breaks `{% static %}`: the error pages still answer."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    client = lenient_client()
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404
    assert "This page is not showing" in missing.content.decode()
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"
    bad = client.get("/")
    assert bad.status_code == 400
    assert "The request could not be read" in bad.content.decode()


def test_a_moderator_gets_the_403_page_on_review_admin(client):
    from tests.factories import user_in_group

    client.force_login(user_in_group("Moderators"))
    response = client.get(reverse("admin:reviews_review_changelist"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "You may not" in page  # the admin's own 403 page, or the site's
    assert "Traceback" not in page


# Integers beyond a column's range, typed into the admin (#16 item 6) ----------------------------


@pytest.mark.parametrize("tmdb_id", [2**32 + 7, 2**64 + 7])
def test_an_admin_tmdb_id_beyond_the_column_is_refused_or_kept_exactly(client, tmdb_id):
    from films.models import Film
    from tests.test_workflow_admin import form_data

    client.force_login(SuperuserFactory())
    add_url = reverse("admin:films_film_add")
    data = form_data(client.get(add_url))
    data.update(title="Wide", slug="wide", tmdb_id=str(tmdb_id))
    response = client.post(add_url, data)
    film = Film.objects.filter(slug="wide").first()
    if film is None:  # refused, with the field's own message
        assert response.status_code == 200
        assert "Ensure this value is less than or equal to" in response.content.decode()
    else:  # SQLite holds 64 bits: kept exactly as typed
        assert film.tmdb_id == tmdb_id
    assert not Film.objects.filter(tmdb_id=7).exists()
