from django.urls import path

from reviews import feeds
from reviews.views import commenters as commenter_views
from reviews.views import comments as comment_views
from reviews.views import critics as critic_views
from reviews.views import pages, review_page
from reviews.views import preview as preview_views
from reviews.views import search as search_views
from reviews.views import tags as tag_views

app_name = "reviews"

urlpatterns = [
    path("", pages.HomeView.as_view(), name="home"),
    path("reviews/", pages.ReviewListView.as_view(), name="list"),
    path("reviews/<slug:slug>/", review_page.review_detail, name="detail"),
    path("reviews/<slug:slug>/comments/", comment_views.post_comment, name="comment"),
    path(
        "reviews/<slug:slug>/comments/tokens/", comment_views.comment_tokens, name="comment_tokens"
    ),
    path("reviews/<slug:slug>/comments/mine/", commenter_views.my_comments, name="my_comments"),
    path(
        "comments/unsubscribe/<str:token>/", commenter_views.unsubscribe, name="comment_unsubscribe"
    ),
    path("reviews/<slug:slug>/preview/", preview_views.preview, name="preview"),
    path("preview/<str:token>/", preview_views.shared_preview, name="shared_preview"),
    path("search/", search_views.search, name="search"),
    path("search/suggest/", search_views.suggest, name="suggest"),
    path("feed/", feeds.LatestReviewsFeed(), name="feed"),
    path("feed/atom/", feeds.LatestReviewsAtomFeed(), name="atom_feed"),
    path("feed/style.xsl", feeds.feed_stylesheet, name="feed_style"),
    path("critics/", critic_views.CriticListView.as_view(), name="critics"),
    path("critics/<slug:slug>/", critic_views.CriticDetailView.as_view(), name="critic"),
    path("critics/<slug:slug>/feed/", feeds.CriticFeed(), name="critic_feed"),
    path("genres/<slug:slug>/feed/", feeds.GenreFeed(), name="genre_feed"),
    path("tags/<slug:slug>/", tag_views.TagDetailView.as_view(), name="tag"),
    path("tags/<slug:slug>/feed/", feeds.TagFeed(), name="tag_feed"),
    path("tags/<slug:slug>/feed/atom/", feeds.TagAtomFeed(), name="tag_atom_feed"),
]
