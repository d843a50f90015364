"""The review page's header, <title>, og:image and hero (reviews/views/review_page.py: own_part)
follow every change to what they show, on the next view, the other parts kept; a cached part is
never made from a review that stopped being public while the page was being made."""

import re

import pytest
from django.contrib.auth import get_user_model

from reviews.critics import Critic
from reviews.models import Comment, Review
from tests import test_fragments
from tests.factories import LibraryImageFactory, image_upload, poster_image
from tests.test_fragments import read

pytestmark = pytest.mark.django_db
review = test_fragments.review


def header(page: str) -> str:
    return re.search(r'<header class="review-header.*?</header>', page, re.S).group(0)


def title(page: str) -> str:
    return re.search(r"<title>(.*?)</title>", page, re.S).group(1)


def og(page: str) -> list[str]:
    return re.findall(r'<meta property="og:image(?::alt)?" content="([^"]*)"', page)


def test_film_rename_reaches_header_and_title(client, review, committed):
    read(client, review)
    with committed():
        review.film.title = "Ballerina Redux"
        review.film.save()
    page = read(client, review)
    assert "Ballerina Redux" in header(page)
    assert "Ballerina Redux" in title(page)


def test_critic_rename_reaches_header(client, review, committed):
    read(client, review)
    with committed():
        critic = Critic.objects.get(user=review.author)
        critic.display_name = "Pauline Kael"
        critic.save()
    assert "Pauline Kael" in header(read(client, review))


def test_user_rename_reaches_header_when_the_critic_has_no_display_name(client, review, committed):
    with committed():
        critic = Critic.objects.get(user=review.author)
        critic.display_name = ""
        critic.save()
    assert "Pat Kael" in header(read(client, review))
    with committed():
        user = get_user_model().objects.get(pk=review.author_id)
        user.first_name = "Paula"
        user.save()
    assert "Paula Kael" in header(read(client, review))


def test_hero_credit_and_og_image(client, review, committed):
    with committed():
        image = LibraryImageFactory(file=image_upload("still.png", size=(1600, 900)))
        r = Review.objects.get(pk=review.pk)
        r.hero = image
        r.save()
    page = read(client, review)
    assert "© Marquee demo" in page
    assert any("Eve in a red coat" in c for c in og(page))
    with committed():
        image.credit = "© Someone else"
        image.alt = "A corridor lit red"
        image.save()
    page = read(client, review)
    assert "© Someone else" in page
    assert any("A corridor lit red" in c for c in og(page))


def test_poster_change_reaches_og_image(client, review, committed):
    page = read(client, review)
    assert og(page) == [] or "Poster" not in " ".join(og(page))
    with committed():
        film = review.film
        film.poster = poster_image(alt="Poster alt")
        film.save()
    page = read(client, review)
    assert any("Poster of" in c for c in og(page)), og(page)
    assert "summary_large_image" in page


def test_comment_removal_reaches_header_count(client, review, committed):
    with committed():
        c = Comment.objects.create(
            review=review, name="Ada", email="a@example.com", body="Hi", status="approved"
        )
    assert "1 comment" in header(read(client, review))
    with committed():
        c.delete()
    assert "No comments yet" in header(read(client, review))


def test_comments_disabled_reaches_header(client, review, committed):
    assert "No comments yet" in header(read(client, review))
    with committed():
        r = Review.objects.get(pk=review.pk)
        r.comments_enabled = False
        r.save()
    assert "No comments yet" not in header(read(client, review))


def test_no_lazy_loads_with_the_header_cold_and_on_comment_post_answers(
    client, review, committed, monkeypatch
):
    from django.core.cache import cache
    from django.db.models import FETCH_RAISE, query
    from django.test import RequestFactory
    from django.urls import reverse

    from pagecache.pages import page_key

    read(client, review)  # every part warm
    with committed():  # the header's key changes (its count); the article stays good
        Comment.objects.create(
            review=review, name="Ada", email="a@example.com", body="Hi", status="approved"
        )
    monkeypatch.setattr(query, "DEFAULT_FETCH_MODE", FETCH_RAISE)
    cache.delete(page_key(RequestFactory().get(review.get_absolute_url())))
    assert client.get(review.get_absolute_url()).status_code == 200
    url = reverse("reviews:comment", args=[review.slug])
    for data in ({"body": "Hi"}, {"body": "", "form_token": "x"}):  # refused, invalid
        assert client.post(url, data).status_code in (400, 403)


def test_a_review_unpublished_while_its_page_is_made_shows_no_draft_text(
    client, review, committed, monkeypatch
):
    """The view checks the row it read first (published); the parts are made from a second
    read of the row, which must be public too: an editor who unpublished and edited it in
    between leaves the reader a 404, never the draft's text."""
    from django.core.cache import cache

    from reviews.views import review_page

    real, done = review_page.comment_context, []

    def context_then_unpublish(*args, **kwargs):
        result = real(*args, **kwargs)
        if not done:
            done.append(1)
            with committed():
                draft = Review.objects.get(pk=review.pk)
                draft.status = Review.Status.DRAFT
                draft.headline = "Secret draft headline"
                draft.save()
        return result

    monkeypatch.setattr(review_page, "comment_context", context_then_unpublish)
    cache.clear()
    response = client.get(review.get_absolute_url())
    assert response.status_code == 404
    assert "Secret draft headline" not in response.content.decode()
