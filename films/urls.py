from django.urls import path

from films import views

app_name = "films"

urlpatterns = [
    path("films/", views.FilmListView.as_view(), name="list"),
    path("films/<slug:slug>/", views.FilmDetailView.as_view(), name="detail"),
    path("people/<slug:slug>/", views.PersonDetailView.as_view(), name="person"),
    path("genres/<slug:slug>/", views.GenreDetailView.as_view(), name="genre"),
]
