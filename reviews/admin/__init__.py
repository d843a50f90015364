"""The reviews app's admin, one module per concern."""

from reviews.admin import (
    comments,  # noqa: F401  (registers CommentAdmin)
    critics,  # noqa: F401  (registers CriticAdmin)
    reviews,  # noqa: F401  (registers ReviewAdmin)
    users,  # noqa: F401  (registers StaffUserAdmin)
)
