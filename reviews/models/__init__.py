"""The reviews app's models, one module per concern:

- `queries`: the public rule (`public_condition`) and `ReviewQuerySet`'s vocabulary;
- `review`: `Review`, its fields and rules;
- `states`: its state changes (the workflow's steps, `move_to`) and audit trail, mixed into it;
- `parts`: what a review is made of besides its row (`Section`, its `SectionImage`s, the
  intro's `IntroImage`s, `ReviewTransition`);
- `comment`: readers' comments;
- `tags`: the subjects reviews are filed under; `features`: the front page's featured slot.
"""

from reviews.critics import Critic
from reviews.models.comment import Comment, CommentQuerySet
from reviews.models.features import Feature
from reviews.models.parts import IntroImage, ReviewTransition, Section, SectionImage
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
from reviews.models.tags import Tag
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
    "Feature",
    "IntroImage",
    "Review",
    "ReviewQuerySet",
    "ReviewTransition",
    "SearchWord",
    "Section",
    "SectionImage",
    "StaleEditError",
    "Tag",
    "article_prefetches",
    "expired_condition",
    "public_condition",
]
