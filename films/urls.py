from django.urls import path

from films import views
from films.cache import cache_public_page

app_name = "films"

urlpatterns = [
    path("films/", cache_public_page(views.FilmListView.as_view()), name="list"),
    path("films/<slug:slug>/", cache_public_page(views.FilmDetailView.as_view()), name="detail"),
    path("people/<slug:slug>/", cache_public_page(views.PersonDetailView.as_view()), name="person"),
    path("genres/<slug:slug>/", cache_public_page(views.GenreDetailView.as_view()), name="genre"),
]
