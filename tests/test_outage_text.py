"""While the database is down, a POST's text comes back on the 503 page (#16 item 14).

A reader's comment or an editor's edit that cannot be stored must not vanish behind "Back in a
moment": the page shows it, labelled, in read-only boxes to copy from. Secrets never come back.
"""

import html

import pytest
from django.test import Client
from django.urls import reverse

from reviews.models import Comment
from tests.factories import ReviewFactory, SectionFactory, UserFactory, user_in_group
from tests.forms import page_form
from tests.test_services import database_down
from tests.test_workflow_admin import form_data

pytestmark = pytest.mark.django_db


def test_a_readers_comment_comes_back_on_the_503_page():
    review = ReviewFactory(published=True)
    client = Client(enforce_csrf_checks=True)
    action, fields = page_form(
        client.get(review.get_absolute_url()).content.decode(), id="comment-form"
    )
    fields.update(client.get(reverse("reviews:comment_tokens", args=[review.slug])).json())
    words = "The stairway fight <b>is</b> the best thing\nin the whole franchise."
    fields.update(name="Ada Reader", email="ada@example.com", body=words)

    with database_down():
        response = client.post(action.split("#")[0], fields)

    assert response.status_code == 503
    page = response.content.decode()
    assert "Back in a moment" in page
    assert "could not be saved" in page
    assert html.escape(words) in page  # escaped, line breaks kept, in a box to copy
    assert "<b>is</b>" not in page
    assert "Ada Reader" in page
    assert fields["csrfmiddlewaretoken"] not in page
    assert fields["form_token"] not in page
    assert response.headers["Cache-Control"] == "no-store"
    assert not Comment.objects.exists()


def test_an_editors_admin_edit_comes_back_on_the_503_page(client):
    editor = user_in_group("Editors")
    review = ReviewFactory(author=editor, intro="The old intro.")
    SectionFactory(review=review, heading="Plot", body="The old plot.", position=1)
    client.force_login(editor)
    change_url = reverse("admin:reviews_review_change", args=[review.pk])
    data = form_data(client.get(change_url))
    data["intro"] = "A new intro I spent an hour on."
    data["sections-0-body"] = "A new plot section, rewritten from scratch."

    with database_down():
        response = client.post(change_url, data)

    assert response.status_code == 503
    page = response.content.decode()
    assert "A new intro I spent an hour on." in page
    assert "A new plot section, rewritten from scratch." in page
    assert "Sections 1: body" in page  # labelled so the editor knows which box is which
    assert "Intro" in page
    review.refresh_from_db()
    assert review.intro == "The old intro."


def test_a_sign_in_during_an_outage_never_shows_the_password_back():
    UserFactory(username="ada", is_staff=True)
    client = Client()
    action, fields = page_form(client.get(reverse("admin:login")).content.decode(), id="login-form")
    fields.update(username="ada", password="correct horse battery staple")
    with database_down():
        response = client.post(action or reverse("admin:login"), fields)
    assert response.status_code == 503
    page = response.content.decode()
    assert "correct horse battery staple" not in page
    assert "ada" in page  # the username is harmless and saves typing


class QueryingMiddleware:
    """Stands for any middleware that reads the database before the view (sessions, axes)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        Comment.objects.exists()
        return self.get_response(request)


def test_a_database_error_raised_in_middleware_is_a_503_not_a_500(settings):
    """Only views' exceptions reach the 503 middleware; the 500 handler catches the rest."""
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.QueryingMiddleware"]
    client = Client(raise_request_exception=False)
    with database_down():
        response = client.post(reverse("reviews:search"), {"body": "Words to keep."})
    assert response.status_code == 503
    assert "Back in a moment" in response.content.decode()
    assert "Words to keep." in response.content.decode()
    assert response.headers["Retry-After"] == "30"
