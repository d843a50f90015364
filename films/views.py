from django.db.models import Prefetch
from django.views.generic import DetailView, ListView

from films.models import CastCredit, CrewCredit, Film, Genre, Person


class FilmListView(ListView):
    model = Film
    paginate_by = 24
    template_name = "films/film_list.html"

    def get_queryset(self):
        return Film.objects.select_related("collection").order_by("-release_date", "title")


class FilmDetailView(DetailView):
    model = Film
    template_name = "films/film_detail.html"

    def get_queryset(self):
        return Film.objects.select_related("collection").prefetch_related(
            "genres",
            Prefetch("cast_credits", CastCredit.objects.select_related("person")),
            Prefetch("crew_credits", CrewCredit.objects.select_related("person")),
        )


class PersonDetailView(DetailView):
    model = Person
    template_name = "films/person_detail.html"

    def get_queryset(self):
        return Person.objects.prefetch_related(
            Prefetch("cast_credits", CastCredit.objects.select_related("film")
                     .order_by("-film__release_date")),
            Prefetch("crew_credits", CrewCredit.objects.select_related("film")
                     .order_by("-film__release_date")),
        )


class GenreDetailView(DetailView):
    model = Genre
    template_name = "films/genre_detail.html"
