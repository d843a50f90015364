from django.db.models import Exists, F, OuterRef, Prefetch, Q
from django.views.generic import DetailView

from films.forms import FilmFilters, none_of
from films.models import (
    NEWEST_FIRST,
    CastCredit,
    Collection,
    CrewCredit,
    Department,
    Film,
    Genre,
    Person,
)
from films.pagination import PagedListView
from pagecache import tags

NEWEST_FILM_FIRST = (F("film__release_date").desc(nulls_last=True), "film__title", "id")


# The films app never imports reviews: it reaches them through the reverse relation
# `Film.reviews` and asks for them by the reviews app's own name, `published()`. Without an app
# that reviews films, the catalogue simply shows no reviews.


def published_reviews(*conditions, **lookups):
    """The published reviews matching `conditions` and `lookups`, newest first, as cards show
    them, or None when no app reviews films."""
    relation = getattr(Film, "reviews", None)
    if relation is None:
        return None
    reviews = relation.rel.related_model._default_manager
    return reviews.published().filter(*conditions, **lookups).newest_first().cards()


def crew_by_department(credits) -> list[tuple[str, list[CrewCredit]]]:
    """Group crew credits by department, in TMDB's order (Directing, Writing, Production…)."""
    groups = {department: [] for department in Department}
    for credit in credits:
        groups[credit.department].append(credit)
    return [(department.label, items) for department, items in groups.items() if items]


class FilmListView(PagedListView):
    """The catalogue, newest first, filtered by genre, year and collection (`FilmFilters`).

    A filtered page has its own title and is not indexed, except a collection's own page
    (`Collection.get_absolute_url`).
    """

    model = Film
    paginate_by = 24
    context_object_name = "films"

    def get_queryset(self):
        self.form = FilmFilters(self.request)
        films = Film.objects.select_related("poster").order_by(*NEWEST_FIRST)
        films = self.form.narrow(films, genre="genres", year="year", collection="collection")
        names = self.form.names()
        self.heading = self.describe(**names)
        self.nothing = (
            f"No films in {names['collection']}"
            if self.heading == names.get("collection")
            else none_of(self.heading)
        )
        return films

    @staticmethod
    def describe(genre: str = "", year: str = "", collection: str = "") -> str:
        """ "Action films from 2020 in the John Wick Collection", or "Films"."""
        if collection and not (genre or year):
            return collection
        words = [f"{genre} films" if genre else "Films"]
        if year:
            words.append(f"from {year}")
        if collection:
            words.append(f"in {collection}")
        return " ".join(words)

    def get_context_data(self, **kwargs):
        chosen = self.form.cleaned_data
        collection, genre = chosen.get("collection"), chosen.get("genre")
        tags.shows(
            self.request,
            "films-list",
            *(f"{obj._meta.model_name}:{obj.pk}" for obj in (collection, genre) if obj),
        )
        with_films = Film.genres.through.objects.filter(genre=OuterRef("pk"))
        self.form.offer(
            genre=Genre.objects.filter(Exists(with_films))
            .order_by("name")
            .values_list("slug", "name"),
            year=Film.objects.filter(year__isnull=False)
            .order_by("-year")
            .values_list("year", "year")
            .distinct(),
            collection=Collection.objects.filter(films__isnull=False)
            .distinct()
            .order_by("name")
            .values_list("slug", "name"),
        )
        return super().get_context_data(
            form=self.form,
            genre=genre,
            filters=self.form.given,
            heading=self.heading,
            nothing=self.nothing,
            # A collection's own page is its canonical address; other filtered pages are not.
            indexable=not self.form.given
            or (set(self.form.given) == {"collection"} and collection is not None),
            **kwargs,
        )


class FilmDetailView(DetailView):
    model = Film

    def get_queryset(self):
        return Film.objects.select_related("collection", "poster", "backdrop").prefetch_related(
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
            reviews=published_reviews(film=film),
            **kwargs,
        )


KNOWN_FOR = 4
TOP_BILLED = 3


def known_for(person: Person) -> list[Film]:
    """Up to four films `person` is best known for: those they directed or were billed in the
    top three of, newest first; failing those, any of their films."""
    cast, crew = person.cast_credits.all(), person.crew_credits.all()
    leading = Q(pk__in=cast.filter(order__lt=TOP_BILLED).values("film_id")) | Q(
        pk__in=crew.filter(job=CrewCredit.DIRECTOR_JOB).values("film_id")
    )
    shown = Film.objects.select_related("poster").order_by(*NEWEST_FIRST)
    return list(shown.filter(leading)[:KNOWN_FOR]) or list(
        shown.filter(person.credited_films("pk"))[:KNOWN_FOR]
    )


def person_description(person: Person, films: list[Film]) -> str:
    """The person page's meta description: who they are, and what they are known for."""
    facts = []
    if person.birth_date:
        facts.append(f"born {person.birth_date.day} {person.birth_date:%B %Y}")
    if person.place_of_birth:
        facts.append(f"in {person.place_of_birth}")
    who = f"{person.name} ({' '.join(facts)})" if facts else person.name
    titles = [film.title for film in films[:3]]
    known = (
        f", known for {', '.join(titles[:-1])} and {titles[-1]}"
        if len(titles) > 1
        else f", known for {titles[0]}"
        if titles
        else ""
    )
    return f"{who}{known}: biography, filmography and reviews on Marquee."


class PersonDetailView(DetailView):
    model = Person
    reviews_shown = 6

    def get_queryset(self):
        return Person.objects.select_related("photo").prefetch_related(
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
        tags.shows(
            self.request, f"person:{person.pk}", *(f"film:{credit.film_id}" for credit in credits)
        )
        films = known_for(person)
        reviews = published_reviews(person.credited_films("film"))
        # One more than shown: whether to link to all of them (the review list, filtered).
        reviews = list(reviews[: self.reviews_shown + 1]) if reviews is not None else []
        reviews, more_reviews = reviews[: self.reviews_shown], len(reviews) > self.reviews_shown
        tags.shows(self.request, *(f"review:{r.pk}" for r in reviews), "reviews-list")
        return super().get_context_data(
            known_for=films,
            description=person_description(person, films),
            reviews=reviews,
            more_reviews=more_reviews,
            **kwargs,
        )


class GenreDetailView(DetailView):
    model = Genre
    films_shown = 24
    reviews_shown = 12

    def get_context_data(self, **kwargs):
        genre = self.object
        tags.shows(self.request, f"genre:{genre.pk}", "reviews-list")
        films = genre.films.select_related("poster").order_by(*NEWEST_FIRST)
        reviews = published_reviews(film__genres=genre)
        # One more than shown: whether to link to all of them (the review list, filtered).
        reviews = list(reviews[: self.reviews_shown + 1]) if reviews is not None else []
        return super().get_context_data(
            films=films[: self.films_shown],
            film_count=films.count(),
            reviews=reviews[: self.reviews_shown],
            more_reviews=len(reviews) > self.reviews_shown,
            **kwargs,
        )
