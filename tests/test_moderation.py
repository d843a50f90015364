"""Comment moderation: the shared actions, the admin queue, and who may use them."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.html import Element
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reviews import moderation
from reviews.models import Comment
from tests.factories import ReviewFactory, SuperuserFactory, UserFactory, user_in_group
from tests.test_pages import find, find_all, links, main_of, text

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:reviews_comment_changelist"


@pytest.fixture
def review():
    return ReviewFactory(published=True)


def make_comment(review, **fields) -> Comment:
    defaults = {
        "name": "Ada",
        "email": "ada@example.com",
        "body": "A comment",
        "ip_address": "203.0.113.7",
    }
    return Comment.objects.create(review=review, **(defaults | fields))


# The moderation functions.


@pytest.mark.parametrize(
    ("action", "status"),
    [
        (moderation.approve, Comment.Status.APPROVED),
        (moderation.reject, Comment.Status.REJECTED),
        (moderation.mark_spam, Comment.Status.SPAM),
    ],
)
def test_decisions_set_the_status_and_record_who_and_when(review, moderator, action, status):
    one, two, untouched = (make_comment(review, body=f"c{n}") for n in range(3))
    before = timezone.now()

    assert action(Comment.objects.filter(pk__in=[one.pk, two.pk]), by=moderator) == 2

    for comment in (one, two):
        comment.refresh_from_db()
        assert comment.status == status
        assert comment.moderated_by == moderator
        assert comment.moderated_at >= before
    untouched.refresh_from_db()
    assert (untouched.status, untouched.moderated_by) == (Comment.Status.PENDING, None)


def test_a_single_comment_object_is_kept_in_step(review, moderator):
    comment = make_comment(review)
    assert moderation.approve(comment, by=moderator) == 1
    assert comment.status == Comment.Status.APPROVED
    assert comment.moderated_by == moderator


def test_delete_removes_comments_and_their_replies(review, moderator):
    parent = make_comment(review)
    make_comment(review, parent=parent, body="reply")
    keep = make_comment(review, body="keep")
    assert moderation.delete([parent], by=moderator) == 2
    assert list(Comment.objects.all()) == [keep]


@pytest.mark.parametrize("group", ["Moderators", "Editors"])
def test_moderators_and_editors_may_moderate(review, group):
    comment = make_comment(review)
    moderation.approve(comment, by=user_in_group(group))
    assert Comment.objects.get().status == Comment.Status.APPROVED
    moderation.reject(comment, by=SuperuserFactory())
    assert Comment.objects.get().status == Comment.Status.REJECTED


@pytest.mark.parametrize("who", ["writer", "reader", "anonymous", "inactive moderator"])
@pytest.mark.parametrize(
    "action", [moderation.approve, moderation.reject, moderation.mark_spam, moderation.delete]
)
def test_others_cannot_moderate(review, who, action):
    user = {
        "writer": lambda: user_in_group("Writers"),
        "reader": lambda: UserFactory(),
        "anonymous": AnonymousUser,
        "inactive moderator": lambda: user_in_group("Moderators", is_active=False),
    }[who]()
    comment = make_comment(review)
    with pytest.raises(PermissionDenied):
        action(comment, by=user)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert comment.moderated_by is None


def test_a_staff_reply_is_published_marked_and_approves_its_parent(review, moderator):
    question = make_comment(review, body="Is there a sequel?")
    reply = moderation.reply(question, by=moderator, body="  Yes, next year.  ")
    question.refresh_from_db()
    assert question.status == Comment.Status.APPROVED
    assert question.moderated_by == moderator
    assert (reply.parent, reply.body, reply.status) == (question, "Yes, next year.", "approved")
    assert reply.is_staff_reply
    assert (reply.user, reply.name, reply.moderated_by) == (moderator, "Mo Derator", moderator)


def test_a_staff_reply_needs_a_moderator_a_body_and_a_visible_parent(review, moderator, writer):
    question = make_comment(review)
    with pytest.raises(PermissionDenied):
        moderation.reply(question, by=writer, body="Hello")
    with pytest.raises(ValidationError):
        moderation.reply(question, by=moderator, body="   ")
    with pytest.raises(ValidationError):
        moderation.reply(question, by=moderator, body="x" * 5001)
    spam = make_comment(review, status=Comment.Status.SPAM, body="spam")
    with pytest.raises(ValidationError):
        moderation.reply(spam, by=moderator, body="Hello")
    assert Comment.objects.filter(is_staff_reply=True).count() == 0


# The admin queue.


def test_the_queue_opens_on_pending_comments_newest_first(client, review, moderator):
    now = timezone.now()
    older = make_comment(review, body="older pending", submitted_at=now - datetime.timedelta(2))
    newer = make_comment(review, body="newer pending", submitted_at=now - datetime.timedelta(1))
    make_comment(review, body="approved one", status="approved")
    make_comment(review, body="spam one", status="spam", spam_signals=["links:7"])
    client.force_login(moderator)

    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [newer, older]
    html = response.content.decode()
    assert "approved one" not in html
    assert "203.0.113.7" in html
    assert "ada@example.com" in html
    assert review.headline in html

    everything = client.get(reverse(CHANGELIST), {"status": "all"})
    assert len(everything.context["cl"].result_list) == 4
    spam = client.get(reverse(CHANGELIST), {"status": "spam"})
    assert "<code>links:7</code>" in spam.content.decode()
    assert response.context["cl"].model_admin.show_full_result_count is False


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("203.0.113.9", "by ip"),
        ("grace@example", "by email"),
        ("Hopper", "by name"),
        ("kitchen", "by body"),
    ],
)
def test_search_by_name_email_ip_and_text(client, review, moderator, query, found):
    make_comment(review, body="by ip", ip_address="203.0.113.9")
    make_comment(review, body="by email", email="grace@example.com")
    make_comment(review, body="by name", name="Grace Hopper")
    make_comment(review, body="by body: the kitchen fight")
    client.force_login(moderator)
    response = client.get(reverse(CHANGELIST), {"q": query})
    assert [c.body for c in response.context["cl"].result_list] == [
        "by body: the kitchen fight" if found == "by body" else found
    ]


def test_filter_by_review(client, review, moderator):
    other = ReviewFactory(published=True)
    mine = make_comment(review)
    make_comment(other)
    client.force_login(moderator)
    response = client.get(reverse(CHANGELIST), {"review": str(review.pk)})
    assert list(response.context["cl"].result_list) == [mine]
    assert review.headline in response.content.decode()  # offered in the filter
    for nonsense in ["9" * 30, "abc", "１２"]:
        response = client.get(reverse(CHANGELIST), {"review": nonsense})
        assert response.status_code == 200
        assert list(response.context["cl"].result_list) == []


def test_bulk_actions_go_through_moderation(client, review, moderator):
    comments = [make_comment(review, body=f"c{n}") for n in range(3)]
    client.force_login(moderator)
    response = client.post(
        reverse(CHANGELIST),
        {
            "action": "approve_selected",
            "_selected_action": [comments[0].pk, comments[1].pk],
        },
        follow=True,
    )
    assert "Approved: 2 comments." in response.content.decode()
    approved = Comment.objects.approved()
    assert set(approved) == set(comments[:2])
    assert all(c.moderated_by == moderator for c in approved)

    everything = reverse(CHANGELIST) + "?status=all"  # actions apply within the filter
    client.post(everything, {"action": "spam_selected", "_selected_action": [comments[2].pk]})
    assert Comment.objects.get(pk=comments[2].pk).status == Comment.Status.SPAM
    client.post(everything, {"action": "reject_selected", "_selected_action": [comments[0].pk]})
    assert Comment.objects.get(pk=comments[0].pk).status == Comment.Status.REJECTED
    ask = client.post(
        everything, {"action": "delete_selected_comments", "_selected_action": [comments[1].pk]}
    )
    assert ask.status_code == 200
    assert "cannot be undone" in ask.content.decode()
    assert Comment.objects.filter(pk=comments[1].pk).exists()  # asked, nothing deleted yet
    client.post(
        everything,
        {"action": "delete_selected_comments", "post": "yes", "_selected_action": [comments[1].pk]},
    )
    assert not Comment.objects.filter(pk=comments[1].pk).exists()
    assert Comment.objects.count() == 2


def test_the_actions_offered(client, review, moderator):
    make_comment(review)
    client.force_login(moderator)
    html = client.get(reverse(CHANGELIST)).content.decode()
    for action in [
        "approve_selected",
        "reject_selected",
        "spam_selected",
        "delete_selected_comments",
    ]:
        assert f'value="{action}"' in html
    assert 'value="delete_selected"' not in html  # deletion only through moderation.delete


def test_writers_and_anonymous_cannot_moderate_through_the_admin(client, review, writer):
    comment = make_comment(review)
    urls = [
        reverse(CHANGELIST),
        reverse("admin:reviews_comment_change", args=[comment.pk]),
        reverse("admin:reviews_comment_moderate", args=[comment.pk, "approve"]),
        reverse("admin:reviews_comment_reply", args=[comment.pk]),
    ]
    action = {"action": "approve_selected", "_selected_action": [comment.pk]}

    for url in urls:  # anonymous: sent to the login page
        assert client.get(url).status_code == 302
        assert "/login/" in client.post(url, action)["Location"]
    client.force_login(writer)
    assert comment.review.headline  # a writer is staff, but not a moderator
    for url in urls:
        assert client.get(url).status_code == 403, url
        assert client.post(url, action | {"body": "hi"}).status_code == 403, url
    assert "Comments" not in client.get(reverse("admin:index")).content.decode()

    comment.refresh_from_db()
    assert (comment.status, comment.moderated_by) == (Comment.Status.PENDING, None)
    assert Comment.objects.count() == 1


def test_the_change_page_is_read_only_with_decision_buttons(client, review, moderator):
    comment = make_comment(review, body="<b>Bold</b> claim\nsecond line")
    client.force_login(moderator)
    response = client.get(reverse("admin:reviews_comment_change", args=[comment.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "&lt;b&gt;Bold&lt;/b&gt; claim<br>second line" in html
    assert "<b>Bold</b>" not in html
    assert 'name="body"' not in html  # nobody edits a reader's words
    for decision in ["approve", "reject", "spam", "delete"]:
        assert reverse("admin:reviews_comment_moderate", args=[comment.pk, decision]) in html

    delete = reverse("admin:reviews_comment_moderate", args=[comment.pk, "delete"])
    ask = client.post(delete)
    assert ask.status_code == 200
    assert "cannot be undone" in ask.content.decode()
    assert Comment.objects.filter(pk=comment.pk).exists()  # only asked

    url = reverse("admin:reviews_comment_moderate", args=[comment.pk, "approve"])
    assert client.get(url).status_code == 302  # GET changes nothing
    assert Comment.objects.get().status == Comment.Status.PENDING
    response = client.post(url)
    assert response["Location"] == reverse(CHANGELIST)
    comment.refresh_from_db()
    assert (comment.status, comment.moderated_by) == (Comment.Status.APPROVED, moderator)


def account_rows(response) -> dict[str, Element]:
    """The comment page's read-only accounts ("User", "Moderated by"), by label: what each
    shows beside it."""
    rows = {}
    for row in find_all(main_of(response), "div", cls="flex-container"):
        labels = [text(label) for label in find_all(row, "label")]
        if labels in (["User:"], ["Moderated by:"]):
            rows[labels[0]] = find(row, "div", cls="readonly")
    return rows


def test_a_moderator_sees_the_comments_accounts_as_names_not_dead_links(client, review, moderator):
    """Whose account wrote the comment and who decided it are read-only; a link to their page
    in the user admin would answer a moderator 403. Whoever may open that page keeps it."""
    reader = UserFactory(username="ada_reads")
    comment = make_comment(review, user=reader)
    moderation.approve(Comment.objects.filter(pk=comment.pk), by=moderator)
    change = reverse("admin:reviews_comment_change", args=[comment.pk])
    users = reverse("admin:auth_user_changelist")

    client.force_login(moderator)
    opened = client.get(change)
    shown = account_rows(opened)
    assert {label: text(value) for label, value in shown.items()} == {
        "User:": "ada_reads",
        "Moderated by:": "mod",
    }
    assert not [href for _, href in links(main_of(opened)) if href.startswith(users)]
    assert client.get(reverse("admin:auth_user_change", args=[reader.pk])).status_code == 403

    client.force_login(SuperuserFactory())
    shown = account_rows(client.get(change))
    assert {label: links(value) for label, value in shown.items()} == {
        "User:": [("ada_reads", reverse("admin:auth_user_change", args=[reader.pk]))],
        "Moderated by:": [("mod", reverse("admin:auth_user_change", args=[moderator.pk]))],
    }


def test_view_on_site_is_offered_only_for_a_comment_readers_see(client, review, moderator):
    client.force_login(moderator)
    pending = make_comment(review, body="Waiting")
    approved = make_comment(review, body="Shown", status=Comment.Status.APPROVED)

    def view_on_site(comment) -> bool:
        url = reverse("admin:reviews_comment_change", args=[comment.pk])
        return "viewsitelink" in client.get(url).content.decode()

    assert not view_on_site(pending)  # its anchor is on no page
    assert view_on_site(approved)
    review.status = review.Status.DRAFT
    review.save()
    assert not view_on_site(approved)  # the review is not public any more


def test_a_staff_reply_from_the_admin(client, review, moderator):
    question = make_comment(review, body="Where was it shot?")
    client.force_login(moderator)
    url = reverse("admin:reviews_comment_reply", args=[question.pk])
    assert "Where was it shot?" in client.get(url).content.decode()

    assert client.post(url, {"body": ""}).status_code == 200  # re-shown with the error
    response = client.post(url, {"body": "In Prague and Budapest."}, follow=True)
    reply = Comment.objects.get(is_staff_reply=True)
    assert (reply.parent, reply.status, reply.user) == (question, "approved", moderator)
    assert reply.get_absolute_url() in response.content.decode()

    html = client.get(review.get_absolute_url()).content.decode()
    assert "In Prague and Budapest." in html
    assert "Marquee staff" in html


def test_a_staff_reply_to_the_deepest_level_joins_its_thread_as_a_readers_would(
    client, review, moderator
):
    top = make_comment(review, body="Top", status=Comment.Status.APPROVED)
    reply = make_comment(review, parent=top, body="Reply", status=Comment.Status.APPROVED)
    deepest = make_comment(review, parent=reply, body="Deepest", status=Comment.Status.APPROVED)
    assert [c.reply_parent() for c in (top, reply, deepest)] == [top, reply, reply]

    client.force_login(moderator)
    url = reverse("admin:reviews_comment_reply", args=[deepest.pk])
    assert client.post(url, {"body": "Staff, deeper still."}).status_code == 302
    assert Comment.objects.get(body="Staff, deeper still.").parent == reply
    url = reverse("admin:reviews_comment_reply", args=[reply.pk])
    assert client.post(url, {"body": "Staff, under the reply."}).status_code == 302
    assert Comment.objects.get(body="Staff, under the reply.").parent == reply


def test_the_queue_makes_no_query_per_row(client, review, moderator):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(CHANGELIST), {"status": "all"}).status_code == 200
        return len(queries)

    client.force_login(moderator)
    make_comment(review, spam_signals=["honeypot"])
    count()  # warm the session and content types
    few = count()
    for n in range(10):
        make_comment(ReviewFactory(published=True), body=f"c{n}", spam_signals=["too_fast"])
    assert count() == few


def test_rejecting_a_comment_keeps_its_approved_replies_on_the_page(client, review, moderator):
    """A reply answers its parent, but it is its own author's words: rejecting the parent
    leaves a "no longer shown" line in its place and the replies under it."""
    approved = Comment.Status.APPROVED
    parent = make_comment(review, body="The parent, soon rejected.", status=approved)
    make_comment(review, parent=parent, body="A reader replies here.", status=approved)
    moderation.reject(parent, by=moderator)

    html = client.get(review.get_absolute_url()).content.decode()
    assert "The parent, soon rejected." not in html
    assert "This comment is no longer shown." in html
    assert "A reader replies here." in html
    assert ">1 comment<" in html


def test_comments_the_spam_filter_holds_are_where_moderators_look(client, review, moderator):
    """A sender whose words the filter caught was told a moderator would look: the newsroom
    counts them and links to them; a bot's (honeypot) is left in Spam, unannounced."""
    held = make_comment(
        review, body="Held words", status=Comment.Status.SPAM, spam_signals=["word:casino"]
    )
    make_comment(review, body="Bot words", status=Comment.Status.SPAM, spam_signals=["honeypot"])
    client.force_login(moderator)
    home = client.get(reverse("admin:index")).content.decode()
    assert "1 more held by the spam filter" in home
    link = reverse(CHANGELIST) + "?status=held"
    assert f'href="{link}"' in home
    queue = client.get(link).content.decode()
    assert "Held words" in queue
    assert "Bot words" not in queue
    assert list(Comment.objects.held()) == [held]


def test_spam_a_moderator_decided_is_not_held_by_the_filter(client, review, moderator):
    """Held means the filter held it and no moderator has decided yet: comments a moderator
    marked as spam (pending ones, or held ones confirmed) leave the held count and queue."""
    held = make_comment(
        review, body="Held words", status=Comment.Status.SPAM, spam_signals=["word:casino"]
    )
    confirmed = make_comment(
        review, body="Confirmed words", status=Comment.Status.SPAM, spam_signals=["word:casino"]
    )
    pending = make_comment(review, body="Decided words")
    client.force_login(moderator)
    everything = reverse(CHANGELIST) + "?status=all"
    client.post(
        everything,
        {"action": "spam_selected", "_selected_action": [confirmed.pk, pending.pk]},
    )
    assert Comment.objects.filter(status=Comment.Status.SPAM).count() == 3

    assert list(Comment.objects.held()) == [held]
    home = client.get(reverse("admin:index")).content.decode()
    assert "1 more held by the spam filter" in home
    queue = client.get(reverse(CHANGELIST) + "?status=held").content.decode()
    assert "Held words" in queue
    assert "Confirmed words" not in queue
    assert "Decided words" not in queue
