"""The editorial workflow: who may move a review from which state to which, and whom a step
tells.

The steps themselves are `Review.submit()`, `.publish()` and friends (reviews/models/states.py),
which ask `may` here and call `notify` once the step is written; the admin's buttons call those
methods, so every route goes through the same permission and state checks, runs in one
transaction, is written to the audit trail, and is saved as a revision.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from reviews import permissions
from reviews.status import Status
from reviews.tasks import mail_on_commit
from reviews.timezones import time_for

PUBLISH_PERMISSION = permissions.PUBLISH_PERMISSION
EDITORS_GROUP, WRITERS_GROUP, MODERATORS_GROUP = "Editors", "Writers", "Moderators"


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    sources: frozenset[str]
    editor_only: bool = True


def _states(*names: str) -> frozenset[str]:
    return frozenset(names)


ACTIONS = {
    "submit": Action("submit", "Submit for review", _states(Status.DRAFT), editor_only=False),
    "withdraw": Action(
        "withdraw", "Withdraw from review", _states(Status.IN_REVIEW), editor_only=False
    ),
    "request_changes": Action("request_changes", "Request changes", _states(Status.IN_REVIEW)),
    "publish": Action(
        "publish", "Publish", _states(Status.DRAFT, Status.IN_REVIEW, Status.SCHEDULED)
    ),
    "unpublish": Action("unpublish", "Unpublish", _states(Status.PUBLISHED, Status.SCHEDULED)),
    "archive": Action("archive", "Archive", _states(Status.PUBLISHED)),
    "unarchive": Action("unarchive", "Restore to draft", _states(Status.ARCHIVED)),
}


def may(user, action: str, review) -> bool:
    """True when `user` has the right to take `action` on `review` (ignoring its state)."""
    return permissions.may_take(user, ACTIONS[action], review)


def can(user, action: str, review) -> bool:
    """True when `user` may take `action` on `review` in its current state."""
    if action == "withdraw" and permissions.is_editor(user) and review.author_id != user.pk:
        return False  # editors send a submission back with "Request changes", and a note
    return may(user, action, review) and review.effective_status in ACTIONS[action].sources


def available_actions(user, review) -> list[Action]:
    return [a for name, a in ACTIONS.items() if can(user, name, review)]


def admin_link(review) -> str:
    """The review's change page, as a link in a mail."""
    return settings.MARQUEE_SITE_URL.rstrip("/") + reverse(
        "admin:reviews_review_change", args=[review.pk]
    )


def notify(review, action: str, by, note: str = "") -> None:
    """Tell the people a transition concerns (mail, sent by the worker once it commits)."""
    link = admin_link(review)
    author = review.author
    if action in ("submit", "withdraw"):
        subject, done = {
            "submit": ("Review submitted", "submitted “{}” for review"),
            "withdraw": ("Review withdrawn", "withdrew “{}” from review: it is a draft again"),
        }[action]
        mail_on_commit(
            f"{subject}: {review.headline}",
            f"{staff_name(by)} {done.format(review.headline)}.\n\n{link}\n",
            editors_but(by),
        )
    elif action == "request_changes" and author.email:
        mail_on_commit(
            f"Changes requested: {review.headline}",
            f"{staff_name(by)} asked for changes to “{review.headline}”:\n\n{note}\n\n{link}\n",
            [author.email],
        )
    elif action in ("unpublish", "archive", "unarchive") and author.email and author.pk != by.pk:
        subject, done = {
            "unpublish": ("Unpublished", "unpublished “{}”: it is a draft again"),
            "archive": ("Archived", "archived “{}”"),
            "unarchive": ("Restored to draft", "restored “{}” from the archive: it is a draft"),
        }[action]
        mail_on_commit(
            f"{subject}: {review.headline}",
            f"{staff_name(by)} {done.format(review.headline)}.\n\n{link}\n",
            [author.email],
        )
    elif action == "publish" and author.email and author.pk != by.pk:
        verb = "is scheduled for" if review.status == Status.SCHEDULED else "was published on"
        mail_on_commit(
            f"Published: {review.headline}"
            if review.status == Status.PUBLISHED
            else f"Scheduled: {review.headline}",
            f"“{review.headline}” {verb} {time_for(author, review.published_at)}.\n\n"
            f"{settings.MARQUEE_SITE_URL.rstrip('/')}{review.get_absolute_url()}\n",
            [author.email],
        )


def editors_but(user) -> list[str]:
    """The addresses of the active editors, `user` left out: whom a submission concerns."""
    return list(
        get_user_model()
        .objects.filter(groups__name=EDITORS_GROUP, is_active=True)
        .exclude(email="")
        .exclude(pk=user.pk)
        .values_list("email", flat=True)
        .distinct()
    )


def staff_name(user) -> str:
    """How a mail to the newsroom names a colleague: their full name, else their username."""
    return user.get_full_name() or user.get_username()
