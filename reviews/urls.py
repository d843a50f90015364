from django.urls import path

from reviews import views

app_name = "reviews"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("reviews/<slug:slug>/", views.ReviewDetailView.as_view(), name="detail"),
]
