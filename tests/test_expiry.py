"""Unpublish at (#22 item 4): an expired review leaves every public place by itself, no cron;
the task worker tidies up and mails the author, as it does when a schedule goes live."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from reviews.models import Review
from tests import test_workflow_admin
from tests.factories import ReviewFactory, SectionFactory
from tests.forms import page_form
from tests.test_workflow_admin import S, errors, form_data, messages_of, url

pytestmark = pytest.mark.django_db

people = test_workflow_admin.people
as_role = test_workflow_admin.as_role
HOUR = datetime.timedelta(hours=1)


def run_worker():
    call_command("run_worker", batch=True, startup_delay=False, reload=False, verbosity=0)


def live_review(author, **kwargs):
    review = ReviewFactory(
        author=author,
        status=S.PUBLISHED,
        headline="Here today",
        intro="Words about a marmoset.",
        published_at=timezone.now() - datetime.timedelta(days=1),
        **kwargs,
    )
    SectionFactory(review=review, heading="Plot", body="A plot with a marmoset.")
    return review


def public_places(client, review) -> dict[str, bool]:
    """Where the review shows to a reader, place by place."""
    return {
        "page": client.get(review.get_absolute_url()).status_code == 200,
        "home": review.headline in client.get(reverse("reviews:home")).content.decode(),
        "list": review.headline in client.get(reverse("reviews:list")).content.decode(),
        "feed": review.headline in client.get(reverse("reviews:feed")).content.decode(),
        "atom": review.headline in client.get(reverse("reviews:atom_feed")).content.decode(),
        "sitemap": review.slug in client.get("/sitemap-reviews.xml").content.decode(),
        "search": review.headline
        in client.get(reverse("reviews:search"), {"q": "marmoset"}).content.decode(),
        "film": review.headline in client.get(review.film.get_absolute_url()).content.decode(),
    }


def test_an_expired_review_vanishes_everywhere_public_and_cached_copies_go(
    as_role, people, committed
):
    editor = people["editor"]
    with committed():
        review = live_review(people["author"])
    reader = as_role("anonymous")
    assert all(public_places(reader, review).values()), public_places(reader, review)
    with committed():
        review.set_expiry(timezone.now() + HOUR, by=editor)
    # The pages are cached now, before the moment…
    assert all(public_places(reader, review).values())
    with time_machine.travel(timezone.now() + 2 * HOUR):
        # …and at it the review is gone from each, with nothing run and nothing saved.
        assert not any(public_places(reader, review).values()), public_places(reader, review)
        assert review not in Review.objects.published()
        review = Review.objects.with_effective_status().get(pk=review.pk)
        assert review.status == S.PUBLISHED  # stored: not tidied yet
        assert review.effective == S.DRAFT == review.effective_status
        assert review.is_expired


def test_set_expiry_is_for_editors_and_refuses_the_past(people):
    review = live_review(people["author"])
    with pytest.raises(PermissionDenied):
        review.set_expiry(timezone.now() + HOUR, by=people["author"])
    with pytest.raises(ValidationError, match="in the future"):
        review.set_expiry(timezone.now() - HOUR, by=people["editor"])
    scheduled = ReviewFactory(status=S.SCHEDULED, published_at=timezone.now() + 3 * HOUR)
    with pytest.raises(ValidationError, match="after the publication time"):
        scheduled.set_expiry(timezone.now() + HOUR, by=people["editor"])
    review.set_expiry(timezone.now() + HOUR, by=people["editor"])
    assert review.transitions.first().note.startswith("Unpublish at ")
    assert "(UTC)" in review.transitions.first().note


@pytest.mark.django_db(transaction=True)
def test_the_worker_unpublishes_at_the_moment_and_mails_the_author(people, db_tasks, mailoutbox):
    review = live_review(people["author"])
    review.set_expiry(timezone.now() + HOUR, by=people["editor"])
    run_worker()
    assert Review.objects.get(pk=review.pk).status == S.PUBLISHED  # not yet
    with time_machine.travel(timezone.now() + 2 * HOUR):
        run_worker()
        run_worker()  # the mail task
    review.refresh_from_db()
    assert (review.status, review.published_at, review.unpublish_at) == (S.DRAFT, None, None)
    assert review.transitions.first().note == "Unpublished at its expiry time."
    [mail] = [m for m in mailoutbox if m.subject == "Unpublished: Here today"]
    assert mail.to == [people["author"].email]
    assert "(UTC)" in mail.body
    assert "draft again" in mail.body


@pytest.mark.django_db(transaction=True)
def test_a_stale_expiry_task_does_nothing(people, db_tasks, mailoutbox):
    review = live_review(people["author"])
    review.set_expiry(timezone.now() + HOUR, by=people["editor"])
    review.set_expiry(timezone.now() + 5 * HOUR, by=people["editor"])  # moved later
    with time_machine.travel(timezone.now() + 2 * HOUR):
        run_worker()
    assert Review.objects.get(pk=review.pk).status == S.PUBLISHED
    assert not mailoutbox


@pytest.mark.django_db(transaction=True)
def test_going_live_on_schedule_mails_the_author(people, db_tasks, mailoutbox):
    review = ReviewFactory(author=people["author"], headline="Tomorrow's")
    review.publish(by=people["editor"], at=timezone.now() + HOUR)
    mailoutbox.clear()
    run_worker()
    mailoutbox.clear()
    with time_machine.travel(timezone.now() + 2 * HOUR):
        run_worker()
        run_worker()
    review.refresh_from_db()
    assert review.status == S.PUBLISHED
    assert review.transitions.first().note == "Scheduled time reached."
    [mail] = [m for m in mailoutbox if m.subject == "Live: Tomorrow's"]
    assert mail.to == [people["author"].email]
    assert "(UTC)" in mail.body


def test_publish_scheduled_does_the_same_without_a_worker(people, mailoutbox, committed):
    review = live_review(people["author"])
    review.set_expiry(timezone.now() + HOUR, by=people["editor"])
    due = ReviewFactory(
        author=people["author"], status=S.SCHEDULED, published_at=timezone.now() + HOUR
    )
    with time_machine.travel(timezone.now() + 2 * HOUR), committed():
        call_command("publish_scheduled")
    assert Review.objects.get(pk=review.pk).status == S.DRAFT
    assert Review.objects.get(pk=due.pk).status == S.PUBLISHED
    subjects = {m.subject for m in mailoutbox}
    assert {"Unpublished: Here today", f"Live: {due.headline}"} <= subjects


@pytest.mark.parametrize("action", ["unpublish", "archive"])
def test_unpublish_and_archive_mail_the_author(people, mailoutbox, committed, action):
    review = live_review(people["author"])
    with committed():
        getattr(review, action)(by=people["editor"])
    [mail] = mailoutbox
    assert mail.to == [people["author"].email]
    assert (
        mail.subject
        == {"unpublish": "Unpublished: Here today", "archive": "Archived: Here today"}[action]
    )


def test_republishing_an_expired_review_clears_its_past_expiry(people):
    review = live_review(people["author"])
    review.set_expiry(timezone.now() + HOUR, by=people["editor"])
    with time_machine.travel(timezone.now() + 2 * HOUR):
        assert review.effective_status == S.DRAFT
        review.publish(by=people["editor"])
        review.refresh_from_db()
        assert review.unpublish_at is None
        assert review in Review.objects.published()


# In the admin ---------------------------------------------------------------------------------


def change_form(client, review):
    html = client.get(url("change", review.pk)).content.decode()
    action, fields = page_form(html, id="review_form")
    return html, action or url("change", review.pk), fields


def test_an_editor_sets_the_expiry_of_a_live_review_without_making_pending_changes(
    as_role, people, settings
):
    settings.TIME_ZONE = "Europe/London"
    review = live_review(people["author"])
    client = as_role("editor")
    html, action, fields = change_form(client, review)
    assert 'name="unpublish_at_0"' in html
    assert "time zone, Europe/London." in html
    moment = timezone.localtime(timezone.now() + datetime.timedelta(days=3))
    fields.update({"unpublish_at_0": f"{moment:%Y-%m-%d}", "unpublish_at_1": "18:30:00"})
    response = client.post(action, fields)
    assert response.status_code == 302, errors(response)
    review.refresh_from_db()
    assert review.pending is None  # a schedule, not content
    local = timezone.localtime(review.unpublish_at)
    assert (local.date(), local.hour, local.minute) == (moment.date(), 18, 30)
    html = client.get(url("change", review.pk)).content.decode()
    assert "unpublishes at" in html
    assert "(Europe/London)" in html


def test_the_form_refuses_a_past_expiry_and_keeps_the_typing(as_role, people):
    review = live_review(people["author"])
    client = as_role("editor")
    _, action, fields = change_form(client, review)
    fields.update(
        {"unpublish_at_0": "2001-01-01", "unpublish_at_1": "10:00:00", "headline": "Typed as well"}
    )
    response = client.post(action, fields)
    assert response.status_code == 200
    assert "Pick a time in the future" in response.content.decode()
    assert 'value="Typed as well"' in response.content.decode()
    assert Review.objects.get(pk=review.pk).unpublish_at is None


def test_a_writer_sees_the_expiry_but_cannot_set_it(as_role, people):
    review = ReviewFactory(author=people["author"])
    client = as_role("author")
    html, action, fields = change_form(client, review)
    assert 'name="unpublish_at_0"' not in html
    assert "Unpublish at" in html
    fields.update({"unpublish_at_0": "2099-01-01", "unpublish_at_1": "10:00:00"})
    assert client.post(action, fields).status_code == 302
    assert Review.objects.get(pk=review.pk).unpublish_at is None


def test_the_editor_sets_an_expiry_on_a_draft_and_it_holds_once_published(as_role, people):
    review = ReviewFactory(author=people["author"])
    client = as_role("editor")
    _, action, fields = change_form(client, review)
    moment = timezone.localtime(timezone.now() + datetime.timedelta(days=2))
    fields.update(
        {
            "unpublish_at_0": f"{moment:%Y-%m-%d}",
            "unpublish_at_1": "09:00:00",
            "_workflow": "publish",
        }
    )
    response = client.post(action, fields, follow=True)
    review.refresh_from_db()
    assert review.status == S.PUBLISHED, messages_of(response)
    assert review.unpublish_at is not None
    with time_machine.travel(review.unpublish_at + HOUR):
        assert review not in Review.objects.published()


@pytest.mark.parametrize("state", [S.PUBLISHED, S.SCHEDULED])
@pytest.mark.parametrize("edit", [{}, {"headline": "A sharper headline"}], ids=["as is", "edited"])
def test_saving_the_change_page_keeps_the_unpublish_time_it_shows(as_role, people, state, edit):
    """The page holds the unpublish time as a date box and a time box (unpublish_at_0 and _1):
    its form posted back as it stands, with or without an edit, keeps the time."""
    review = live_review(people["author"])
    if state == S.SCHEDULED:
        review.unpublish(by=people["editor"])
        review.publish(by=people["editor"], at=timezone.now() + HOUR)
    at = (timezone.now() + 3 * HOUR).replace(second=0, microsecond=0)
    review.set_expiry(at, by=people["editor"])
    lines = review.transitions.count()
    client = as_role("editor")

    page = client.get(url("change", review.pk))
    response = client.post(url("change", review.pk), {**form_data(page), **edit})

    assert response.status_code == 302, errors(response)
    review = Review.objects.get(pk=review.pk)
    assert (review.status, review.unpublish_at) == (state, at)
    # Only an edit to a live review waits as pending changes; a scheduled one is saved in place.
    assert (review.pending is not None) == (bool(edit) and state == S.PUBLISHED)
    assert review.transitions.count() == lines  # no "Unpublish time cleared."
