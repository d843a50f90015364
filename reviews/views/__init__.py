"""Public views of the reviews app, one module per concern."""

from reviews.views.pages import HomeView, ReviewDetailView, public_reviews, with_review_page_data

__all__ = ["HomeView", "ReviewDetailView", "public_reviews", "with_review_page_data"]
