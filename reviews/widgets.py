"""Admin widgets for reviews."""

from decimal import Decimal

from django import forms

from reviews.templatetags.review_tags import half_stars


def stars(value) -> str:
    """4.5 → "★★★★½": the rating as readers see it."""
    value = Decimal(value)
    return "★" * int(value) + ("½" if value % 1 else "")


def spoken(value) -> str:
    """4.5 → "4½ stars": the rating as a screen reader says it."""
    return f"{half_stars(value)} star" + ("" if Decimal(value) == 1 else "s")


class StarRatingWidget(forms.RadioSelect):
    """The rating as a row of star choices in half steps, plus "No rating".

    Plain radio buttons underneath: arrow keys move between them, the form works without
    JavaScript, and each choice is announced by its spoken name ("4½ stars").
    """

    template_name = "reviews/widgets/star_rating.html"
    option_template_name = "reviews/widgets/star_rating_option.html"

    class Media:
        css = {"all": ["marquee-admin/css/star-rating.css"]}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        filled = value not in ("", None)
        option["stars"] = stars(str(value)) if filled else ""
        option["spoken"] = spoken(str(value)) if filled else "No rating"
        return option
