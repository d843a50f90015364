"""`Review.Status` (#17 item 2): the workflow's rules and the admin's pages name the states by
member, not by string; these pin what those rules decide."""

import datetime

import pytest
from django.utils import timezone

from reviews import workflow
from reviews.models import Review
from reviews.status import Status
from tests import test_workflow_admin
from tests.factories import ReviewFactory
from tests.test_workflow_admin import make_review, url

pytestmark = pytest.mark.django_db

people = test_workflow_admin.people
as_role = test_workflow_admin.as_role
S = Review.Status


def test_review_status_is_the_shared_status_class():
    assert Review.Status is Status
    assert [(s.value, s.label) for s in S] == [
        ("draft", "Draft"),
        ("review", "In review"),
        ("scheduled", "Scheduled"),
        ("published", "Published"),
        ("archived", "Archived"),
    ]


def test_each_action_starts_from_the_states_it_always_did():
    sources = {name: set(action.sources) for name, action in workflow.ACTIONS.items()}
    assert sources == {
        "submit": {"draft"},
        "withdraw": {"review"},
        "request_changes": {"review"},
        "publish": {"draft", "review", "scheduled"},
        "unpublish": {"published", "scheduled"},
        "archive": {"published"},
        "unarchive": {"archived"},
    }


def workflow_state(client, review) -> str:
    html = client.get(url("change", review.pk)).content.decode()
    start = html.index('class="workflow-panel__state"')
    return " ".join(html[start : html.index("</p>", start)].split())


def test_the_workflow_panel_says_scheduled_for_until_the_time_comes(as_role, people):
    editor = as_role("editor")
    ahead = make_review(people["author"], S.SCHEDULED)
    due = make_review(people["author"], S.SCHEDULED)
    Review.objects.filter(pk=due.pk).update(
        published_at=timezone.now() - datetime.timedelta(hours=1)
    )

    assert "— scheduled for" in workflow_state(editor, ahead)
    assert "— since" in workflow_state(editor, due)


def test_the_workflow_panel_says_an_expired_review_was_unpublished_then(as_role, people):
    """Before anything records its expiry, the panel reads as the review does: a draft,
    unpublished at its expiry time; not "scheduled for" a time long gone."""
    editor = as_role("editor")
    came_and_went = make_review(people["author"], S.SCHEDULED)
    now = timezone.now()
    Review.objects.filter(pk=came_and_went.pk).update(
        published_at=now - datetime.timedelta(hours=2),
        unpublish_at=now - datetime.timedelta(hours=1),
    )

    state = workflow_state(editor, came_and_went)

    assert ">Draft</strong>" in state
    assert "unpublished at its expiry time" in state
    assert "scheduled for" not in state
    assert "since" not in state


HOUR = datetime.timedelta(hours=1)


@pytest.mark.parametrize(
    ("status", "published", "unpublish", "due"),
    [
        (S.SCHEDULED, -HOUR, None, True),
        (S.SCHEDULED, HOUR, None, False),
        (S.SCHEDULED, -2 * HOUR, -HOUR, True),  # came and went: it went live first
        (S.SCHEDULED, -HOUR, -HOUR, False),  # its expiry came first: never live
        (S.PUBLISHED, -HOUR, None, False),
    ],
)
def test_due_holds_the_one_rule_of_going_live_on_schedule(status, published, unpublish, due):
    """What `due()` finds is what `is_due` says of each review, and what the clock records
    (reviews/clock.py), from the same rule."""
    now = timezone.now()
    review = ReviewFactory(
        status=status,
        published_at=now + published,
        unpublish_at=unpublish and now + unpublish,
    )
    assert (review in Review.objects.due()) == review.is_due == due
