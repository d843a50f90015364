from django.urls import path

from films.cache import cache_public_page
from reviews import feeds
from reviews.views import comments as comment_views
from reviews.views import pages
from reviews.views import preview as preview_views
from reviews.views import search as search_views

app_name = "reviews"

urlpatterns = [
    path("", pages.home, name="home"),
    path("reviews/", pages.review_list, name="list"),
    path("reviews/<slug:slug>/", pages.review_detail, name="detail"),
    path("reviews/<slug:slug>/comments/", comment_views.post_comment, name="comment"),
    path("reviews/<slug:slug>/comments/tokens/", comment_views.comment_tokens,
         name="comment_tokens"),
    path("reviews/<slug:slug>/preview/", preview_views.preview, name="preview"),
    path("preview/<str:token>/", preview_views.shared_preview, name="shared_preview"),
    path("search/", search_views.search_page, name="search"),
    path("feed/", cache_public_page(feeds.LatestReviewsFeed()), name="feed"),
    path("feed/atom/", cache_public_page(feeds.LatestReviewsAtomFeed()), name="atom_feed"),
]
