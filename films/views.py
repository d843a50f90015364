import re

from django.db.models import F, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from films.models import CastCredit, Collection, CrewCredit, Department, Film, Genre, Person
from pagecache import tags

SLUG = re.compile(r"[-\w]{1,200}")
NEWEST_FILM_FIRST = (F("film__release_date").desc(nulls_last=True), "film__title", "id")


# The films app never imports reviews: it reaches them through the reverse relation
# `Film.reviews` and asks for them by the reviews app's own name, `published()`. Without an app
# that reviews films, the catalogue simply shows no reviews.


def published_reviews_of_film(film: Film):
    """The film's published reviews, newest first, or None when no app reviews films."""
    if not hasattr(film, "reviews"):
        return None
    return film.reviews.published().newest_first().select_related("author")


def published_reviews_of_genre(genre: Genre):
    """The published reviews of a genre's films, newest first, or None."""
    relation = getattr(Film, "reviews", None)
    if relation is None:
        return None
    reviews = relation.rel.related_model._default_manager
    return (
        reviews.published().filter(film__genres=genre).newest_first()
        .select_related("film", "author")
    )


def valid_slug(value: str) -> str:
    """`value` if it could be a slug; else Http404 (a NUL byte would upset PostgreSQL)."""
    if not SLUG.fullmatch(value):
        raise Http404("No such slug.")
    return value


def crew_by_department(credits) -> list[tuple[str, list[CrewCredit]]]:
    """Group crew credits by department, in TMDB's order (Directing, Writing, Production…)."""
    groups = {department: [] for department in Department}
    for credit in credits:
        groups[credit.department].append(credit)
    return [(department.label, items) for department, items in groups.items() if items]


class FilmListView(ListView):
    model = Film
    paginate_by = 24
    template_name = "films/film_list.html"
    context_object_name = "films"

    def get_queryset(self):
        films = Film.objects.order_by(F("release_date").desc(nulls_last=True), "title", "id")
        self.collection = self.genre = None
        if slug := self.request.GET.get("collection"):
            self.collection = get_object_or_404(Collection, slug=valid_slug(slug))
            films = films.filter(collection=self.collection)
        if slug := self.request.GET.get("genre"):
            self.genre = get_object_or_404(Genre, slug=valid_slug(slug))
            films = films.filter(genres=self.genre)
        self.year = None
        year = self.request.GET.get("year", "")
        if year.isascii() and year.isdigit() and 1800 <= int(year) <= 2999:
            self.year = int(year)
            films = films.filter(year=self.year)
        return films

    def get_context_data(self, **kwargs):
        tags.shows(self.request, "films-list", *(
            f"{obj._meta.model_name}:{obj.pk}" for obj in (self.collection, self.genre) if obj))
        return super().get_context_data(
            collection=self.collection, genre=self.genre, year=self.year, **kwargs
        )


class FilmDetailView(DetailView):
    model = Film
    template_name = "films/film_detail.html"

    def get_queryset(self):
        return Film.objects.select_related("collection").prefetch_related(
            "genres",
            Prefetch(
                "cast_credits",
                CastCredit.objects.select_related("person").order_by("order", "id"),
            ),
            Prefetch(
                "crew_credits",
                CrewCredit.objects.select_related("person").order_by("job", "person__name", "id"),
            ),
        )

    def get_context_data(self, **kwargs):
        film = self.object
        tags.shows(self.request, f"film:{film.pk}")
        crew = list(film.crew_credits.all())
        return super().get_context_data(
            cast=film.cast_credits.all(),
            crew_departments=crew_by_department(crew),
            directors=[credit for credit in crew if credit.job == CrewCredit.DIRECTOR_JOB],
            reviews=published_reviews_of_film(film),
            **kwargs,
        )


class PersonDetailView(DetailView):
    model = Person
    template_name = "films/person_detail.html"

    def get_queryset(self):
        return Person.objects.prefetch_related(
            Prefetch(
                "cast_credits",
                CastCredit.objects.select_related("film").order_by(*NEWEST_FILM_FIRST),
            ),
            Prefetch(
                "crew_credits",
                CrewCredit.objects.select_related("film").order_by(*NEWEST_FILM_FIRST),
            ),
        )

    def get_context_data(self, **kwargs):
        person = self.object
        credits = [*person.cast_credits.all(), *person.crew_credits.all()]
        tags.shows(self.request, f"person:{person.pk}",
                   *(f"film:{credit.film_id}" for credit in credits))
        return super().get_context_data(**kwargs)


class GenreDetailView(DetailView):
    model = Genre
    template_name = "films/genre_detail.html"
    films_shown = 24
    reviews_shown = 12

    def get_context_data(self, **kwargs):
        genre = self.object
        tags.shows(self.request, f"genre:{genre.pk}", "reviews-list")
        films = genre.films.order_by(F("release_date").desc(nulls_last=True), "title", "id")
        reviews = published_reviews_of_genre(genre)
        return super().get_context_data(
            films=films[: self.films_shown],
            film_count=films.count(),
            reviews=reviews[: self.reviews_shown] if reviews is not None else None,
            **kwargs,
        )
