"""The reviews app's admin, one module per concern."""

from reviews.admin import reviews  # noqa: F401  (registers ReviewAdmin)
