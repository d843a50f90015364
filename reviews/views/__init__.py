"""Public views of the reviews app, one module per concern."""

from reviews.views.pages import HomeView, ReviewDetailView, public_reviews, review_for_page

__all__ = ["HomeView", "ReviewDetailView", "public_reviews", "review_for_page"]
