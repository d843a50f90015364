"""The rating widget: star choices in half steps, plain radios underneath."""

import re

import pytest
from django import forms

from reviews.models import RATING_CHOICES
from reviews.widgets import StarRatingWidget, spoken, stars


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        choices=[("", "No rating"), *RATING_CHOICES], required=False, widget=StarRatingWidget)


@pytest.mark.parametrize(("value", "glyphs", "words"), [
    ("0.5", "½", "½ stars"), ("1.0", "★", "1 star"), ("3.5", "★★★½", "3½ stars"),
    ("5.0", "★★★★★", "5 stars"),
])
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
