"""The rating widget: star choices in half steps, plain radios underneath."""

import re

import pytest
from django import forms
from django.urls import reverse

from reviews.models import RATING_CHOICES
from reviews.widgets import StarRatingWidget, spoken, stars
from tests.factories import ReviewFactory, SectionFactory, user_in_group
from tests.test_workflow_admin import errors, form_data


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        choices=[("", "No rating"), *RATING_CHOICES], required=False, widget=StarRatingWidget
    )


@pytest.mark.parametrize(
    ("value", "glyphs", "words"),
    [
        ("0.5", "½", "½ stars"),
        ("1.0", "★", "1 star"),
        ("3.5", "★★★½", "3½ stars"),
        ("5.0", "★★★★★", "5 stars"),
    ],
)
def test_each_rating_is_drawn_and_spoken(value, glyphs, words):
    assert stars(value) == glyphs
    assert spoken(value) == words


def test_the_widget_offers_every_half_step_and_no_rating_as_radios():
    html = str(RatingForm(initial={"rating": "4.5"})["rating"])
    radios = re.findall(r'<input type="radio" name="rating" value="([^"]*)"', html)
    assert radios == ["", "0.5", "1.0", "1.5", "2.0", "2.5", "3.0", "3.5", "4.0", "4.5", "5.0"]
    assert 'role="radiogroup"' in html
    checked = re.search(r'value="([^"]*)"[^>]*checked', html)[1]
    assert checked == "4.5"
    assert '<span class="visually-hidden">4½ stars</span>' in html
    assert "No rating" in html


def test_a_posted_choice_is_the_rating():
    form = RatingForm({"rating": "3.5"})
    assert form.is_valid()
    assert str(form.cleaned_data["rating"]) == "3.5"


@pytest.mark.django_db
def test_the_review_form_rates_with_stars_and_keeps_the_rating_on_a_second_save(client):
    editor = user_in_group("Editors")
    review = ReviewFactory(author=editor, rating="4.0", status="draft", published_at=None)
    SectionFactory(review=review)
    client.force_login(editor)
    url = reverse("admin:reviews_review_change", args=[review.pk])

    page = client.get(url)
    html = page.content.decode()
    assert 'class="star-rating"' in html
    assert "star-rating.css" in html
    assert re.search(r'value="4.0"[^>]*checked', html)

    for posted in ("4.0", "3.5", ""):  # unchanged, a half step, no rating
        page = client.get(url)
        response = client.post(url, {**form_data(page), "rating": posted})
        assert response.status_code == 302, errors(response)
        review.refresh_from_db()
        assert (str(review.rating) if review.rating is not None else "") == posted
