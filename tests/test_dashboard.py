"""The admin's home page: what waits for whom, with ages, each item linked."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from reviews.models import Comment, Review
from tests.factories import ReviewFactory, SectionFactory, user_in_group

pytestmark = pytest.mark.django_db

S = Review.Status


@pytest.fixture
def people():
    return {
        "writer": user_in_group(
            "Writers", username="wanda", first_name="Wanda", last_name="Writer"
        ),
        "other": user_in_group("Writers", username="walt", first_name="Walt", last_name="Other"),
        "editor": user_in_group("Editors", username="edie", first_name="Edie", last_name="Editor"),
        "moderator": user_in_group("Moderators", username="mo"),
    }


def draft(author, headline):
    review = ReviewFactory(author=author, headline=headline, status=S.DRAFT, published_at=None)
    SectionFactory(review=review, heading="Plot", body="The plot thickens.")
    return review


def boxes(client, user) -> dict[str, str]:
    """Each newsroom box's text, by its title, as a reader of the page sees it."""
    client.force_login(user)
    html = client.get(reverse("admin:index")).content.decode()
    found = {}
    for match in re.finditer(r'<section class="module newsroom__box".*?</section>', html, re.S):
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match[0])).strip()
        title = re.search(r'<h2 id="[^"]+"><a href="[^"]+">([^<]+) <span', match[0])[1]
        found[title] = text
    return found


def test_each_role_sees_what_waits_for_them(client, people):
    writer, editor = people["writer"], people["editor"]
    now = timezone.now()
    with time_machine.travel(now - datetime.timedelta(days=3)):
        waiting = draft(writer, "Heat, thirty years on")
        waiting.submit(by=writer)
    sent_back = draft(writer, "Arrival, reconsidered")
    sent_back.submit(by=writer)
    sent_back.refresh_from_db()
    sent_back.request_changes(by=editor, note="The ending section gives away the twist.")
    draft(writer, "Paddington 2 notes")
    draft(people["other"], "Someone else's draft")
    soon = draft(writer, "Get Out at ten")
    soon.publish(by=editor, at=now + datetime.timedelta(days=2))
    later = draft(writer, "Next month's piece")
    later.publish(by=editor, at=now + datetime.timedelta(days=20))
    live = draft(writer, "Parasite, live")
    live.publish(by=editor)
    for n in range(2):
        Comment.objects.create(
            review=live, name=f"Reader {n}", email="r@example.com", body="Pending thoughts"
        )
    Comment.objects.create(
        review=live, name="Shown", email="s@example.com", body="Ok", status=Comment.Status.APPROVED
    )

    seen = boxes(client, editor)
    assert list(seen) == [
        "Awaiting your review",
        "Scheduled this week",
        "Changes to live reviews",
        "Changes requested of you",
        "Your drafts",
        "Published in the last 7 days",
        "Comments awaiting moderation",
    ]
    assert "Heat, thirty years on" in seen["Awaiting your review"]
    assert "Wanda Writer · submitted 3 days ago" in seen["Awaiting your review"]
    assert "Get Out at ten" in seen["Scheduled this week"]
    assert "Next month" not in seen["Scheduled this week"]
    assert "Parasite, live" in seen["Published in the last 7 days"]
    assert "Comments awaiting moderation 2" in seen["Comments awaiting moderation"]

    mine = boxes(client, writer)
    assert "Awaiting your review" not in mine
    assert "Arrival, reconsidered" in mine["Changes requested of you"]
    assert "The ending section gives away the twist." in mine["Changes requested of you"]
    assert "Paddington 2 notes" in mine["Your drafts"]
    assert "Someone else" not in mine["Your drafts"]
    assert "Heat, thirty years on" in mine["Your reviews awaiting an editor"]
    assert "Comments awaiting moderation" not in mine

    moderator = boxes(client, people["moderator"])
    assert list(moderator) == ["Comments awaiting moderation"]
    assert "Reader 0 on “Parasite, live”" in moderator["Comments awaiting moderation"]


def test_each_item_links_to_where_it_is_handled(client, people):
    review = draft(people["writer"], "Heat, thirty years on")
    review.submit(by=people["writer"])
    client.force_login(people["editor"])
    html = client.get(reverse("admin:index")).content.decode()
    assert f'href="{reverse("admin:reviews_review_change", args=[review.pk])}"' in html
    queue = reverse("admin:reviews_review_changelist") + "?queue=review"
    assert f'href="{queue}"' in html
    assert client.get(queue).status_code == 200


def test_a_long_queue_lists_the_oldest_five_and_links_to_all(client, people):
    for n in range(7):
        with time_machine.travel(timezone.now() - datetime.timedelta(days=10 - n)):
            review = draft(people["writer"], f"Piece {n}")
            review.submit(by=people["writer"])
    seen = boxes(client, people["editor"])["Awaiting your review"]
    assert "Awaiting your review 7" in seen
    assert [f"Piece {n}" in seen for n in range(7)] == [True] * 5 + [False] * 2
    assert "All 7" in seen


def test_changes_to_live_reviews_name_who_made_them_and_when(client, people):
    """The box names the editor whose pending changes wait, and when they saved them, not the
    review's author and its last live edit."""
    from reviews import pending

    review = draft(people["writer"], "Heat, thirty years on")
    review.submit(by=people["writer"])
    review.publish(by=people["editor"])
    with time_machine.travel(timezone.now() + datetime.timedelta(days=3)):
        review.refresh_from_db()
        review.dek = "A fix the editor typed"
        pending.save_pending(review, list(review.sections.all()), people["editor"], review.version)
        text = boxes(client, people["editor"])["Changes to live reviews"]
    assert "changes by Edie Editor · saved 0 minutes ago" in text
    assert "Wanda Writer" not in text


def test_changes_to_live_reviews_lists_only_reviews_readers_see(client, people):
    """A review unpublished, or past its unpublish time, with its pending changes kept is no
    longer live: the box (its count, its list, the list it links to) leaves it out."""
    from reviews import pending

    editor = people["editor"]
    now = timezone.now()
    reviews = {}
    for headline in ["Still live", "Unpublished since", "Expired since"]:
        review = draft(people["writer"], headline)
        review.publish(by=editor)
        review.refresh_from_db()
        review.dek = f"{headline}: a fix"
        pending.save_pending(review, list(review.sections.all()), editor, review.version)
        reviews[headline] = review
    reviews["Unpublished since"].unpublish(by=editor)
    reviews["Expired since"].set_expiry(now + datetime.timedelta(hours=1), by=editor)

    with time_machine.travel(now + datetime.timedelta(hours=2)):
        text = boxes(client, editor)["Changes to live reviews"]
        assert "Changes to live reviews 1" in text
        assert "Still live" in text
        assert "Unpublished since" not in text
        assert "Expired since" not in text
        html = client.get(reverse("admin:index")).content.decode()
        link = re.search(r'id="newsroom-pending-title"><a href="([^"]+)"', html)[1]
        listed = client.get(link.replace("&amp;", "&")).context["cl"].result_list
        assert [review.headline for review in listed] == ["Still live"]


def test_changes_requested_name_the_editor_who_sent_them_back(client, people):
    """The writer's box names who sent the review back (the step's actor), not its author,
    and asks the same number of queries however many reviews were sent back."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    writer = people["writer"]
    helen = user_in_group("Editors", username="helen", first_name="Helen", last_name="Marsh")

    def send_back(headline, by):
        review = draft(writer, headline)
        review.submit(by=writer)
        review.refresh_from_db()
        review.request_changes(by=by, note=f"{headline}: tighten the ending.")

    def home_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("admin:index")).status_code == 200
        return len(queries)

    send_back("Arrival, reconsidered", helen)
    text = boxes(client, writer)["Changes requested of you"]
    assert "Arrival, reconsidered Helen Marsh · sent back 0 minutes ago" in text
    assert "Wanda Writer" not in text

    one = home_queries()
    send_back("Heat, thirty years on", people["editor"])
    send_back("Paddington 2 notes", helen)
    text = boxes(client, writer)["Changes requested of you"]
    assert "Heat, thirty years on Edie Editor · sent back" in text
    assert "Paddington 2 notes Helen Marsh · sent back" in text
    assert "Wanda Writer" not in text
    assert home_queries() == one


def listed_apart_from_ages(client, user) -> dict[str, list[str]]:
    """Each box's title and count, then its items' texts in any order, without the ages that
    tidying moves on ("edited 3 minutes ago"; drafts are listed by it)."""
    client.force_login(user)
    html = client.get(reverse("admin:index")).content.decode()
    found = {}
    for match in re.finditer(r'<section class="module newsroom__box".*?</section>', html, re.S):
        texts = [
            re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", part)).strip()
            for part in re.split(r"<li>", match[0])
        ]
        texts = [re.sub(r"(edited|saved) [^·]*? ago", r"\1 …", text) for text in texts]
        title = re.search(r'<h2 id="[^"]+"><a href="[^"]+">([^<]+) <span', match[0])[1]
        found[title] = [texts[0], *sorted(texts[1:])]
    return found


def test_the_newsroom_shows_a_going_live_or_expiry_before_anything_records_it(client, people):
    """Readers see a review go live, or leave, at its time, before the task worker or
    `publish_scheduled` records it: the boxes show it so from that time too, the same as they
    do once it is recorded, as the review's own trail does."""
    from django.core.management import call_command

    from reviews import pending

    writer, editor = people["writer"], people["editor"]
    now = timezone.now()
    expired = draft(writer, "Gone at its time")
    expired.submit(by=writer)
    expired.refresh_from_db()
    expired.publish(by=editor)
    expired.set_expiry(now + datetime.timedelta(hours=1), by=editor)
    came_and_went = draft(writer, "Came and went")
    came_and_went.publish(by=editor, at=now + datetime.timedelta(minutes=30))
    came_and_went.set_expiry(now + datetime.timedelta(hours=1), by=editor)
    went_live = draft(writer, "Live on time")
    went_live.publish(by=editor, at=now + datetime.timedelta(minutes=30))
    sent_back = draft(writer, "Sent back while live")
    sent_back.publish(by=editor)
    sent_back.refresh_from_db()
    sent_back.dek = "A fix"
    pending.save_pending(sent_back, list(sent_back.sections.all()), writer, sent_back.version)
    sent_back.submit_changes(by=writer)
    sent_back.send_back_changes(by=editor, note="Check the running time.")
    sent_back.set_expiry(now + datetime.timedelta(hours=1), by=editor)

    with time_machine.travel(now + datetime.timedelta(hours=2), tick=False):
        before = {who: listed_apart_from_ages(client, people[who]) for who in ("writer", "editor")}
        call_command("publish_scheduled", verbosity=0)
        after = {who: listed_apart_from_ages(client, people[who]) for who in ("writer", "editor")}

    assert before == after
    mine = {title: " ".join(texts) for title, texts in before["writer"].items()}
    for headline in ["Gone at its time", "Came and went", "Sent back while live"]:
        assert headline in mine["Your drafts"]
    assert "Live on time" not in mine["Your drafts"]
    assert "Live on time" in mine["Published in the last 7 days"]
    requested = mine["Changes requested of you"]
    assert "Changes requested of you 1" in requested
    assert "Sent back while live Edie Editor · sent back 1 hour" in requested
    assert "Check the running time." in requested


def test_a_draft_unpublished_at_its_expiry_says_so_not_that_someone_edited_it(client, people):
    """The worker (here `publish_scheduled`) records the expiry long after it came: the writer's
    draft reads as unpublished at its time, not "edited 0 minutes ago" by nobody; a draft
    edited since reads as edited."""
    from django.core.management import call_command

    writer, editor = people["writer"], people["editor"]
    now = timezone.now()
    gone = draft(writer, "Gone at its time")
    gone.publish(by=editor)
    gone.set_expiry(now + datetime.timedelta(hours=1), by=editor)
    draft(writer, "Written meanwhile")

    with time_machine.travel(now + datetime.timedelta(hours=3), tick=False):
        unrecorded = boxes(client, writer)["Your drafts"]
        call_command("publish_scheduled", verbosity=0)
        recorded = boxes(client, writer)["Your drafts"]

    for text in (unrecorded, recorded):
        assert "Gone at its time Wanda Writer · unpublished at its expiry time 2 hours ago" in text
        assert "Written meanwhile Wanda Writer · edited 2 hours, 59 minutes ago" in text
