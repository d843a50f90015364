"""The moderators' tools: decisions from each queue row, the thread and review in the queue, a
sender's history, trust and blocks, recorded edits and redactions, confirmed deletes, privacy
requests and the daily digest; each by role (moderators and editors may, writers may not)."""

import datetime
import io
import json
from html.parser import HTMLParser

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from reviews import moderation
from reviews.commenters import CommentBlock, CommentEdit, ModeratorMailPreference, TrustedCommenter
from reviews.comments import create_comment
from reviews.models import Comment
from tests.comment_helpers import PageForm, text_of
from tests.factories import ReviewFactory, user_in_group
from tests.test_pages import attr, find, find_all, page, text

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:reviews_comment_changelist")


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.MARQUEE_COMMENTS_RATE_LIMIT = 0
    settings.MARQUEE_AKISMET_KEY = ""


@pytest.fixture
def review():
    return ReviewFactory(published=True, headline="Ballerina")


@pytest.fixture(params=["Moderators", "Editors"])
def staff(request):
    """Each test runs as a moderator and as an editor: both may moderate."""
    return user_in_group(
        request.param,
        username=f"{request.param.lower()}-1",
        email="staff@example.com",
        first_name="Sam",
        last_name="Staff",
    )


def make(review, **fields) -> Comment:
    defaults = {
        "name": "Ada",
        "email": "ada@example.com",
        "body": "A comment",
        "ip_address": "203.0.113.7",
    }
    return Comment.objects.create(review=review, **(defaults | fields))


STATUSES = ["pending", "approved", "rejected", "spam"]


def row_of(html: str, text: str) -> str:
    """The queue's table row that shows `text`."""
    at = html.index(text)
    return html[html.rfind("<tr", 0, at) : html.index("</tr>", at)]


def url(name, *args):
    return reverse(f"admin:reviews_comment_{name}", args=args)


def test_each_queue_row_decides_and_shows_thread_review_and_history(client, review, staff):
    parent = make(
        review, body="Where was it shot?", status="approved", name="Bea", email="bea@example.com"
    )
    reply = make(review, body="In Prague, I think.", parent=parent)
    for status in ["approved", "approved", "approved", "spam"]:
        make(ReviewFactory(published=True), status=status, body=f"earlier {status}")
    client.force_login(staff)

    html = client.get(CHANGELIST).content.decode()
    row = row_of(html, "In Prague, I think.")
    assert "↳ to Bea: “Where was it shot?”" in row  # the comment it answers
    assert "Ballerina" in row  # the review
    assert "3 approved, 1 pending, 1 spam" in row  # the sender's history, this one included
    for decision in ["approve", "reject", "spam", "delete"]:
        assert f'formaction="{url("moderate", reply.pk, decision)}"' in row

    # The row's button posts the changelist's own form to its decision.
    form = PageForm(html, form_id="changelist-form", url=CHANGELIST)
    response = client.post(
        url("moderate", reply.pk, "approve"),
        form.data,
        HTTP_REFERER="http://testserver" + CHANGELIST + "?status=pending",
    )
    assert response["Location"] == "http://testserver" + CHANGELIST + "?status=pending"
    reply.refresh_from_db()
    assert (reply.status, reply.moderated_by) == (Comment.Status.APPROVED, staff)


class Filters(HTMLParser):
    """The changelist's filter panel as a moderator reads it: each heading and its links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.headings: dict[str, dict[str, str]] = {}
        self._in: str | None = None  # "summary" or a link's href
        self._text = ""
        self._heading: dict[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "summary" or (tag == "a" and self._heading is not None):
            self._in, self._text = attrs.get("href", "summary"), ""

    def handle_data(self, data):
        if self._in:
            self._text += data

    def handle_endtag(self, tag):
        text = " ".join(self._text.split())
        if tag == "summary" and self._in:
            self._heading = self.headings.setdefault(text, {})
        elif tag == "a" and self._in and self._heading is not None:
            self._heading[text] = self._in
        elif tag == "details":
            self._heading = None
        if tag in {"summary", "a"}:
            self._in = None


def test_the_queue_filters_by_who_wrote_a_comment_under_a_readable_heading(client, review, staff):
    make(review, body="A reader's thought", status="approved")
    moderation.reply(
        make(review, body="A question", status="approved"), by=staff, body="Our answer"
    )
    client.force_login(staff)

    filters = Filters()
    filters.feed(client.get(CHANGELIST + "?status=all").content.decode())
    assert "By is staff reply" not in filters.headings
    assert list(filters.headings["By author"]) == ["All", "Staff (replies)", "Readers"]

    staff_only = text_of(client.get(CHANGELIST + filters.headings["By author"]["Staff (replies)"]))
    assert "Our answer" in staff_only
    assert "A reader&#x27;s thought" not in staff_only
    readers = text_of(client.get(CHANGELIST + filters.headings["By author"]["Readers"]))
    assert "A reader&#x27;s thought" in readers
    assert "Our answer" not in readers


def test_a_row_offers_only_the_decisions_that_change_its_comment(client, review, staff):
    comments = {status: make(review, body=f"A {status} one", status=status) for status in STATUSES}
    client.force_login(staff)
    html = client.get(CHANGELIST + "?status=all").content.decode()
    offered = {
        status: [
            decision
            for decision in ["approve", "reject", "spam", "delete"]
            if f'formaction="{url("moderate", comment.pk, decision)}"'
            in row_of(html, f"A {status} one")
        ]
        for status, comment in comments.items()
    }
    assert offered == {
        "pending": ["approve", "reject", "spam", "delete"],
        "approved": ["reject", "spam", "delete"],
        "rejected": ["approve", "spam", "delete"],
        "spam": ["approve", "reject", "delete"],
    }


def test_delete_asks_first_from_a_row_and_in_bulk(client, review, staff):
    one, two, three = (make(review, body=f"c{n}") for n in range(3))
    client.force_login(staff)
    asked = client.post(
        url("moderate", one.pk, "delete"), {}, HTTP_REFERER="http://testserver" + CHANGELIST
    )
    assert asked.status_code == 200
    assert "Delete this comment?" in text_of(asked)
    assert Comment.objects.count() == 3
    done = PageForm(
        asked.content.decode(),
        form_id="comment-confirm-form",
        url=url("moderate", one.pk, "delete"),
    ).post(client)
    assert done.status_code == 302
    assert not Comment.objects.filter(pk=one.pk).exists()

    asked = client.post(
        CHANGELIST, {"action": "delete_selected_comments", "_selected_action": [two.pk, three.pk]}
    )
    assert asked.status_code == 200
    assert "Delete 2 comments?" in text_of(asked)
    assert Comment.objects.count() == 2
    done = PageForm(asked.content.decode(), form_id="comment-confirm-form", url=CHANGELIST).post(
        client, follow=True
    )
    assert "Deleted: 2 comments." in text_of(done)
    assert not Comment.objects.exists()


def test_no_take_me_back_returns_to_where_the_delete_was_asked(client, review, staff):
    comment = make(review)
    client.force_login(staff)
    queue = "http://testserver" + CHANGELIST + "?status=pending"

    def take_me_back(**sent) -> str:
        asked = page(client.post(url("moderate", comment.pk, "delete"), **sent))
        return attr(find(asked, "a", cls="cancel-link"), "href")

    # The queue's script names the button pressed; without it, the page that asked.
    own_button = f"{CHANGELIST}?status=pending#decide-{comment.pk}-delete"
    assert take_me_back(data={"back": own_button}, HTTP_REFERER=queue) == own_button
    assert take_me_back(HTTP_REFERER=queue) == queue
    assert take_me_back(data={"back": "https://elsewhere.example/"}) == url("change", comment.pk)
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_trusting_a_commenter_publishes_their_next_comment(client, review, staff):
    comment = make(review, email="Ada@Example.com")
    client.force_login(staff)
    page = client.get(url("change", comment.pk)).content.decode()
    assert "Trust this commenter" in page
    assert "1 pending" in page
    client.post(url("sender", comment.pk, "trust"))
    assert TrustedCommenter.is_trusted("ada@example.com")
    assert "Stop trusting this commenter" in client.get(url("change", comment.pk)).content.decode()

    later = create_comment(review, body="Next one", name="Ada", email="ada@example.com")
    assert later.status == Comment.Status.APPROVED
    client.post(url("sender", comment.pk, "distrust"))
    assert create_comment(review, body="After", email="ada@example.com").status == "pending"


@pytest.mark.parametrize(
    ("operation", "blocked"),
    [
        ("block-email", {"email": "ada@example.com", "ip_address": "198.51.100.1"}),
        ("block-ip", {"email": "other@example.com", "ip_address": "203.0.113.7"}),
        ("block-network", {"email": "other@example.com", "ip_address": "203.0.113.200"}),
    ],
)
def test_blocking_a_sender_refuses_their_comments(client, review, staff, operation, blocked):
    from reviews.comments import Blocked

    comment = make(review)
    client.force_login(staff)
    response = client.post(url("sender", comment.pk, operation), follow=True)
    assert "are refused from now on" in text_of(response)
    assert "Blocked" in text_of(client.get(url("change", comment.pk))) or (
        operation == "block-network"
    )
    with pytest.raises(Blocked):
        create_comment(review, body="Again", name="X", **blocked)
    assert (
        create_comment(
            review, body="Fine", name="Y", email="y@example.com", ip_address="192.0.2.1"
        ).status
        == "pending"
    )
    assert CommentBlock.objects.get().created_by == staff


def test_editing_and_redacting_are_recorded_and_the_original_kept(client, review, staff):
    comment = make(review, status="approved", body="Teh best film, call 555-0100 now")
    client.force_login(staff)
    form = PageForm(
        client.get(url("edit", comment.pk)).content.decode(), form_id="comment-edit-form"
    )
    assert form.data["body"] == "Teh best film, call 555-0100 now"
    form.fill(body="The best film, call 555-0100 now", note="typo").post(client)
    form = PageForm(
        client.get(url("edit", comment.pk)).content.decode(), form_id="comment-edit-form"
    )
    form.fill(phrase="555-0100", note="phone number").post(client)

    comment.refresh_from_db()
    assert comment.body == f"The best film, call {moderation.REDACTED} now"
    assert comment.edited_at is not None
    edits = list(CommentEdit.objects.filter(comment=comment))
    assert [(e.edited_by, e.note) for e in edits] == [(staff, "typo"), (staff, "phone number")]
    assert edits[0].old_body == "Teh best film, call 555-0100 now"
    assert moderation.original_body(comment) == "Teh best film, call 555-0100 now"

    staff_page = text_of(client.get(url("change", comment.pk)))
    assert "Edits (staff only)" in staff_page
    assert "phone number" in staff_page
    assert "Teh best film, call 555-0100 now" in staff_page
    client.logout()
    public = text_of(client.get(review.get_absolute_url()))
    assert "The best film, call [removed by a moderator] now" in public
    assert "555-0100" not in public

    client.force_login(staff)
    same = client.post(url("edit", comment.pk), {"body": comment.body, "phrase": "", "note": ""})
    assert "The text is unchanged." in text_of(same)


def test_privacy_requests_purge_export_and_erase(client, review, staff):
    asked = make(review, body="Mine", status="approved", email="Ada@example.com")
    answer = make(
        review,
        body="An answer to Ada",
        parent=asked,
        email="bea@example.com",
        status="approved",
        name="Bea",
    )
    make(ReviewFactory(published=True), body="Mine too", status="spam")
    CommentEdit.objects.create(comment=asked, old_body="Mien", new_body="Mine")
    TrustedCommenter.objects.create(email="ada@example.com")
    client.force_login(staff)

    client.post(CHANGELIST + "?status=all", {"action": "purge_ips", "_selected_action": [asked.pk]})
    asked.refresh_from_db()
    assert (asked.ip_address, asked.user_agent) == (None, "")

    export = client.post(
        CHANGELIST + "?status=all", {"action": "export_addresses", "_selected_action": [asked.pk]}
    )
    assert export["Content-Disposition"].startswith("attachment;")
    data = json.loads(export.content)
    assert data["emails"] == ["ada@example.com"]
    assert sorted(c["body"] for c in data["comments"]) == ["Mine", "Mine too"]
    assert data["comments"][0]["edits"][0]["old_body"] == "Mien"
    assert data["trusted"] == ["ada@example.com"]

    confirm = client.post(
        CHANGELIST + "?status=all", {"action": "erase_addresses", "_selected_action": [asked.pk]}
    )
    assert "Delete all 2 comments from ada@example.com" in text_of(confirm)
    assert Comment.objects.count() == 3
    done = PageForm(confirm.content.decode(), form_id="comment-confirm-form").post(
        client, follow=True
    )
    assert "Erased 2 comments from ada@example.com." in text_of(done)
    assert list(Comment.objects.all()) == [answer]
    answer.refresh_from_db()
    assert answer.parent is None  # other people's replies stay, lifted up
    assert not TrustedCommenter.objects.exists()


def test_moderators_choose_a_daily_digest_instead_of_a_mail_each(
    client, review, staff, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    page = client.get(url("mail"))
    assert page.status_code == 200
    client.post(url("mail"), {"frequency": "daily"})
    assert ModeratorMailPreference.objects.get(user=staff).frequency == "daily"
    other = user_in_group("Moderators", username="each", email="each@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        create_comment(review, body="First waiting", name="A", email="a@example.com")
        create_comment(review, body="Second waiting", name="B", email="b@example.com")
    assert [m.to for m in mail.outbox] == [[other.email], [other.email]]
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_comment_digest", stdout=io.StringIO())
    [digest] = mail.outbox
    assert digest.to == ["staff@example.com"]
    assert digest.subject == "2 new comments to moderate"
    assert "First waiting" in digest.body
    assert "Second waiting" in digest.body
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_comment_digest", stdout=io.StringIO())
    assert len(mail.outbox) == 1  # one a day
    with (
        time_machine.travel(timezone.now() + datetime.timedelta(days=1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("send_comment_digest", stdout=io.StringIO())
    assert len(mail.outbox) == 1  # the next day: nothing new came in, so no empty digest


def test_writers_may_use_none_of_the_tools(client, review, writer):
    comment = make(review)
    client.force_login(writer)
    for target in [
        url("moderate", comment.pk, "delete"),
        url("edit", comment.pk),
        url("sender", comment.pk, "trust"),
        url("sender", comment.pk, "block-ip"),
        url("mail"),
        reverse("admin:reviews_commentblock_changelist"),
        reverse("admin:reviews_trustedcommenter_add"),
    ]:
        assert client.get(target).status_code == 403, target
        assert client.post(target, {"body": "x", "post": "yes"}).status_code == 403, target
    for action in ["purge_ips", "export_addresses", "erase_addresses"]:
        response = client.post(
            CHANGELIST, {"action": action, "_selected_action": [comment.pk], "post": "yes"}
        )
        assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.ip_address == "203.0.113.7"
    assert not (CommentBlock.objects.exists())
    assert not (TrustedCommenter.objects.exists())
    for function, args in [
        (moderation.edit, (comment, writer, "new")),
        (moderation.trust, ("a@example.com", writer)),
        (moderation.block, ("email", "a@example.com", writer)),
        (moderation.purge_ips, (comment, writer)),
        (moderation.export, (["ada@example.com"], writer)),
        (moderation.erase, (["ada@example.com"], writer)),
    ]:
        with pytest.raises(PermissionDenied):
            function(*args)
    assert Comment.objects.get().body == "A comment"


def test_staff_manage_blocks_and_trust_in_their_own_lists(client, staff):
    client.force_login(staff)
    add = reverse("admin:reviews_commentblock_add")
    response = client.post(add, {"kind": "network", "value": "203.0.113.9/24", "note": "bot"})
    assert response.status_code == 302
    assert CommentBlock.objects.get().value == "203.0.113.0/24"
    refused = client.post(add, {"kind": "network", "value": "not a network", "note": ""})
    assert "Enter an IP address or a network" in text_of(refused)
    client.post(reverse("admin:reviews_trustedcommenter_add"), {"email": "Ada@Example.com"})
    assert TrustedCommenter.objects.get().email == "ada@example.com"
    assert CommentBlock.objects.get().created_by == staff
    assert timezone.now() - CommentBlock.objects.get().created_at < datetime.timedelta(minutes=1)


@pytest.mark.parametrize(
    ("notify", "said"),
    [
        (True, "Yes: the author asked to hear when it is published or answered."),
        (False, "No: the author did not ask to hear about it."),
    ],
)
def test_a_comments_page_says_in_words_whether_its_author_wants_mail(
    client, review, staff, notify, said
):
    """ "E-mail the author" reads as the choice made, never "asked to hear" beside a ✗; the
    staff-reply field is labelled "Staff reply"."""
    comment = make(review, notify=notify)
    client.force_login(staff)
    shown = page(client.get(url("change", comment.pk)))
    rows = {
        text(find(row, "label")): row
        for row in find_all(shown, "div", cls="form-row")
        if find_all(row, "label")
    }
    assert text(rows["E-mail the author:"]) == f"E-mail the author: {said}"
    assert "Staff reply:" in rows
    assert "Is staff reply:" not in rows
