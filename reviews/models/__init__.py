"""The reviews app's models, one module per concern:

- `queries`: the public rule (`public_condition`) and `ReviewQuerySet`'s vocabulary;
- `review`: `Review`, its fields, rules and state changes;
- `parts`: what a review is made of besides its row (`Section`, `ReviewTransition`);
- `comment`: readers' comments.
"""

from reviews.critics import Critic
from reviews.models.comment import Comment, CommentQuerySet
from reviews.models.parts import ReviewTransition, Section
from reviews.models.queries import (
    CARD_FIELDS,
    NOT_ON_THE_PAGE,
    TOP_BILLED,
    ReviewQuerySet,
    article_prefetches,
    expired_condition,
    public_condition,
)
from reviews.models.review import RATING_CHOICES, Review, StaleEditError
from reviews.search.postgres import SEARCH_CONFIG
from reviews.search.vocabulary import SearchWord
from reviews.timezones import DeskSetting

__all__ = [
    "CARD_FIELDS",
    "NOT_ON_THE_PAGE",
    "RATING_CHOICES",
    "SEARCH_CONFIG",
    "TOP_BILLED",
    "Comment",
    "CommentQuerySet",
    "Critic",
    "DeskSetting",
    "Review",
    "ReviewQuerySet",
    "ReviewTransition",
    "SearchWord",
    "Section",
    "StaleEditError",
    "article_prefetches",
    "expired_condition",
    "public_condition",
]
