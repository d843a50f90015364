"""Closing comments on a live review takes effect on save, alone: "Comments enabled" is a
moderation switch, not content, so it never waits in (nor comes back from) a pending version."""

import pytest
import reversion
from django.core.exceptions import PermissionDenied
from django.test import Client

from reviews import revisions
from reviews.models import Comment
from reviews.pending import PendingChange
from tests import test_workflow_admin
from tests.comment_helpers import READER, PageForm, shipped_comment_settings, text_of
from tests.forms import page_form
from tests.test_comment_readers import post_as_reader
from tests.test_workflow_admin import S, errors, make_review, messages_of, transition_url, url

pytestmark = pytest.mark.django_db

people = test_workflow_admin.people
as_role = test_workflow_admin.as_role


@pytest.fixture(autouse=True)
def _comment_settings(settings):
    shipped_comment_settings(settings)


def change_form(client, review) -> tuple[str, dict]:
    """The review's change form as its page holds it: (where it posts, its fields)."""
    html = client.get(url("change", review.pk)).content.decode()
    action, fields = page_form(html, id="review_form")
    return action or url("change", review.pk), fields


def save(client, review, committed, *, comments: bool, **typed):
    """Tick or untick "Comments enabled", type the rest, press Save and continue editing."""
    action, fields = change_form(client, review)
    fields.pop("comments_enabled", None)
    if comments:
        fields["comments_enabled"] = "on"
    with committed():  # the page cache retires on commit
        response = client.post(action, {**fields, **typed, "_continue": "Save"}, follow=True)
    assert response.redirect_chain, errors(response)
    return response


def test_an_editor_closes_comments_at_once_while_the_other_edits_wait(as_role, people, committed):
    review = make_review(people["author"], S.PUBLISHED, headline="Live headline")
    reader = Client()
    public = review.get_absolute_url()
    # A reader has the page open (the anonymous copy is cached now) and is typing a comment.
    typing = PageForm(reader.get(public).content.decode()).fill(**READER)
    assert reader.get(public)["X-Page-Cache"] == "hit"

    editor = as_role("editor")
    response = save(editor, review, committed, comments=False, headline="Pending headline")
    page = reader.get(public)
    html = page.content.decode()
    assert 'id="comment-form"' not in html
    assert "Comments are closed." in html
    assert page["X-Page-Cache"] == "miss"  # the cached copy was retired
    assert "Live headline" in html
    assert "Pending headline" not in html
    refused = typing.post(reader)
    assert refused.status_code == 403
    assert "Comments are closed on this review." in text_of(refused)
    assert not Comment.objects.exists()
    assert "Comments are closed: readers can no longer comment on this review." in messages_of(
        response
    )
    assert any(
        "your other changes are kept as its pending version" in m for m in messages_of(response)
    )

    review.refresh_from_db()
    assert (review.comments_enabled, review.headline) == (False, "Live headline")
    assert review.pending.fields["headline"] == "Pending headline"
    assert "comments_enabled" not in review.pending.fields
    assert review.transitions.first().note == "Closed comments."
    _, fields = change_form(editor, review)  # the form shows the switch as it is, unticked
    assert "comments_enabled" not in fields
    assert fields["headline"] == "Pending headline"

    with committed():
        editor.post(transition_url(review, "publish_changes"))
    html = reader.get(public).content.decode()
    assert "Pending headline" in html
    assert 'id="comment-form"' not in html
    review.refresh_from_db()
    assert (review.pending, review.comments_enabled) == (None, False)

    response = save(editor, review, committed, comments=True)
    assert "Comments are open: readers can comment on this review again." in messages_of(response)
    review.refresh_from_db()
    assert (review.pending, review.comments_enabled) == (None, True)  # no pending version
    assert review.transitions.first().note == "Opened comments."
    assert 'id="comment-form"' in reader.get(public).content.decode()
    post_as_reader(Client(), review)
    assert Comment.objects.count() == 1


def test_publishing_changes_saved_before_comments_closed_keeps_them_closed(
    as_role, people, committed
):
    review = make_review(people["author"], S.PUBLISHED, headline="Live headline")
    writer = as_role("author")
    save(writer, review, committed, comments=True, headline="The writer's headline")
    review.refresh_from_db()
    pending_saved = review.pending.updated_at
    # A pending version saved before the switch left it (an older release) still holds it.
    PendingChange.objects.filter(review=review).update(
        fields={**review.pending.fields, "comments_enabled": True}
    )

    editor = as_role("editor")
    response = save(editor, review, committed, comments=False)
    assert not any("pending version" in m for m in messages_of(response))
    review.refresh_from_db()
    assert review.comments_enabled is False
    assert review.pending.updated_at == pending_saved  # the switch alone left it alone

    review.publish_changes(by=people["editor"])
    review.refresh_from_db()
    assert (review.headline, review.comments_enabled) == ("The writer's headline", False)


@pytest.mark.parametrize("state", [S.PUBLISHED, S.DRAFT])
def test_a_form_opened_before_comments_closed_does_not_reopen_them(as_role, people, state):
    """Editor A's form still shows comments ticked after B closed them: A's save of other
    edits (pending, or in place on a draft) is not refused, and writes nothing back to the
    switch."""
    review = make_review(people["author"], state, headline="Live headline")
    editor = as_role("editor")
    action, fields = change_form(editor, review)
    review.set_comments_enabled(False, by=people["superuser"])
    response = editor.post(action, {**fields, "headline": "A's headline"})
    assert response.status_code == 302, errors(response)
    review.refresh_from_db()
    assert review.comments_enabled is False
    if state == S.PUBLISHED:
        assert review.pending.fields["headline"] == "A's headline"
    else:
        assert review.headline == "A's headline"


def test_a_page_opened_before_the_box_carried_its_hidden_copy_still_closes_comments(
    as_role, people
):
    review = make_review(people["author"], S.PUBLISHED)
    editor = as_role("editor")
    action, fields = change_form(editor, review)
    del fields["initial-comments_enabled"], fields["comments_enabled"]
    assert editor.post(action, fields).status_code == 302
    review.refresh_from_db()
    assert (review.comments_enabled, review.pending) == (False, None)


@pytest.mark.parametrize(
    ("role", "may"),
    [
        ("editor", True),
        ("author", True),  # a writer of their own live review: what they may change
        ("other writer", False),
        ("moderator", False),
        ("anonymous", False),
    ],
)
def test_whoever_may_change_the_review_may_open_and_close_its_comments(people, role, may):
    review = make_review(people["author"], S.PUBLISHED)
    version = review.version
    if not may:
        with pytest.raises(PermissionDenied):
            review.set_comments_enabled(False, by=people[role])
        review.refresh_from_db()
        assert review.comments_enabled is True
        assert not review.transitions.exists()
        return
    review.set_comments_enabled(False, by=people[role])
    review.refresh_from_db()
    assert (review.comments_enabled, review.version, review.pending) == (False, version, None)
    transition = review.transitions.get()
    assert (transition.actor, transition.note) == (people[role], "Closed comments.")
    review.set_comments_enabled(False, by=people[role])  # already closed: nothing to record
    assert review.transitions.count() == 1


def test_a_writer_whose_changes_wait_for_an_editor_may_not_switch_comments(
    as_role, people, committed
):
    review = make_review(people["author"], S.PUBLISHED)
    save(as_role("author"), review, committed, comments=True, headline="Submitted headline")
    review.submit_changes(by=people["author"])
    with pytest.raises(PermissionDenied):
        review.set_comments_enabled(False, by=people["author"])
    assert review.comments_enabled is True


def test_restoring_an_old_version_leaves_the_comments_switch_alone(people):
    editor = people["editor"]
    review = make_review(people["author"], S.DRAFT, headline="First text")
    with reversion.create_revision():
        review.save()
    old = revisions.versions_for(review)[0]
    review.headline = "Second text"
    with reversion.create_revision():
        review.save()
    review.set_comments_enabled(False, by=editor)

    revisions.restore(review, old, by=editor)
    review.refresh_from_db()
    assert (review.headline, review.comments_enabled) == ("First text", False)
