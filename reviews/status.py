"""A review's workflow states, in a module of their own so that the rules about them
(reviews/workflow.py, reviews/permissions.py) can name them without importing the models.
`Review.Status` is this class."""

from django.db import models


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "review", "In review"
    SCHEDULED = "scheduled", "Scheduled"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"
