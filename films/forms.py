"""The catalogue's filter form, which the review list's extends."""

import re

from django import forms
from django.db.models import Q

from config.errors import NothingNamed
from films.models import Collection, Genre

SLUG = re.compile(r"[-\w]{1,200}")
# A year as the form writes it: each other way ("02020") would be a page cache copy of its own.
YEAR = re.compile(r"(1[89]|2[0-9])[0-9]{2}")


def none_of(heading: str) -> str:
    """A filtered list's empty state, from its heading: "No films from 1990", "No Horror
    films", "No reviews by Mara Lind". The list's own word is lower case after "No"; a name
    (a genre, a person, a critic) keeps its capitals on every list."""
    first, _, rest = heading.partition(" ")
    if first in ("Films", "Reviews"):
        first = first.lower()
    return " ".join(["No", first, rest]).rstrip()


def choice(label: str) -> forms.Field:
    """A filter: any value, cleaned to what it names (None for nothing), chosen in a select."""
    return forms.Field(label=label, required=False, widget=forms.Select)


class ListFilters(forms.Form):
    """A list's filters: the query string in, the list's filter form out.

    Every list treats filters alike: a value that names nothing (an unknown genre, a year that
    is not one) is no such page, a 404 that says which filter named nothing and links back to
    the whole list (`NothingNamed`: it shows a short slug-like value back, never a sentence such
    as `?year=Visit evil.example`), and the page cache keeps no copy of it. A real genre with
    nothing in it is an empty list that says so.
    """

    listing = "films"  # what the unfiltered list lists, for the 404's way back

    genre = choice("Genre")
    year = choice("Year")

    def __init__(self, request):
        data = {name: value.strip() for name, value in request.GET.items()}
        super().__init__(data, auto_id="filter-%s", label_suffix="")
        self.request = request
        self.given = {name: data[name] for name in self.fields if data.get(name)}
        self.full_clean()
        for name in self.given:
            if self.cleaned_data[name] is None:
                raise NothingNamed(name, self.given[name], back=request.path, listing=self.listing)

    def offer(self, **choices):
        """Offer these (value, label) pairs in the named filters' selects."""
        for name, options in choices.items():
            self.fields[name].widget.choices = [("", f"Any {name}"), *options]

    def clean_genre(self):
        return self.found(Genre.objects, "genre")

    def clean_year(self):
        year = self.cleaned_data["year"] or ""
        return int(year) if YEAR.fullmatch(year) else None

    def found(self, objects, name: str):
        """The object a slug filter names, or None."""
        slug = self.cleaned_data[name] or ""
        return objects.filter(slug=slug).first() if SLUG.fullmatch(slug) else None

    def narrow(self, queryset, **lookups):
        """`queryset` narrowed by each given filter, through its lookup: a field lookup, or a
        function of the value giving a condition (a Q)."""
        conditions = []
        for name in self.given:
            value, lookup = self.cleaned_data[name], lookups[name]
            conditions.append(lookup(value) if callable(lookup) else Q(**{lookup: value}))
        return queryset.filter(*conditions)

    def names(self) -> dict[str, str]:
        """Each given filter as a heading says it."""
        return {name: self.name_of(name, self.cleaned_data[name]) for name in self.given}

    def name_of(self, name: str, value) -> str:
        return str(value)


class FilmFilters(ListFilters):
    collection = choice("Collection")

    def clean_collection(self):
        return self.found(Collection.objects, "collection")
