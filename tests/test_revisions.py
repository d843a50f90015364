"""Revisions: every transition and edit can be listed, compared and restored."""

import datetime

import pytest
import reversion
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from reviews import revisions
from reviews.models import Review
from tests.factories import ReviewFactory, SectionFactory, SuperuserFactory, user_in_group

pytestmark = pytest.mark.django_db


def save_revision(review, user, comment="edit"):
    with reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(comment)
        review.save()
        for section in review.sections.all():
            section.save()


@pytest.fixture
def review_with_history(editor):
    review = ReviewFactory(headline="First headline", intro="The cat sat on the mat.")
    a = SectionFactory(review=review, heading="Alpha", body="One two three.", position=1)
    b = SectionFactory(review=review, heading="Beta", body="Four five six.", position=2)
    c = SectionFactory(review=review, heading="Gamma", body="Seven eight.", position=3)
    SectionFactory(review=review, heading="Epsilon", body="Stays put.", position=4)
    save_revision(review, editor, "first")
    review.refresh_from_db()
    review.headline = "Second headline"
    review.intro = "The dog sat on the mat."
    review.save()
    b.body = "Four FIVE six."
    b.save()
    c.delete()
    a.position = 5
    a.save()
    SectionFactory(review=review, heading="Delta", body="New words.", position=6)
    save_revision(review, editor, "second")
    return Review.objects.get(pk=review.pk)


def test_versions_are_listed_newest_first_with_their_authors(review_with_history, editor):
    versions = revisions.versions_for(review_with_history)
    assert [v.revision.comment for v in versions] == ["second", "first"]
    assert {v.revision.user for v in versions} == {editor}


def test_compare_reports_each_kind_of_section_change_with_words_marked(review_with_history):
    new, old = (revisions.snapshot(v) for v in revisions.versions_for(review_with_history))
    result = revisions.compare(old, new)
    fields = {f.name: f for f in result.fields}
    assert set(fields) == {"headline", "intro"}
    assert "<del>cat</del><ins>dog</ins>" in fields["intro"].diff
    kinds = {s.heading: s.kind for s in result.sections}
    assert kinds == {
        "Beta": "changed",
        "Epsilon": "unchanged",
        "Alpha": "moved",
        "Delta": "added",
        "Gamma": "removed",
    }
    beta = next(s for s in result.sections if s.heading == "Beta")
    assert "<del>five</del><ins>FIVE</ins>" in beta.body_diff


def test_diffs_escape_markup():
    html = revisions.word_diff("<b>old</b>", "<script>alert(1)</script>")
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_restore_brings_back_the_exact_text_and_sections_as_a_new_revision(
    review_with_history, editor
):
    first = revisions.versions_for(review_with_history)[-1]
    revisions.restore(review_with_history, first, by=editor)
    review = Review.objects.get(pk=review_with_history.pk)
    assert review.headline == "First headline"
    assert review.intro == "The cat sat on the mat."
    assert "cat" in review.intro_html
    assert [(s.heading, s.body) for s in review.sections.all()] == [
        ("Alpha", "One two three."),
        ("Beta", "Four five six."),
        ("Gamma", "Seven eight."),
        ("Epsilon", "Stays put."),
    ]
    history = revisions.versions_for(review)
    assert len(history) == 3, "the restore is a revision of its own; nothing is lost"
    assert history[0].revision.comment.startswith("Restored the version of")
    # The version that was replaced can itself be restored.
    revisions.restore(review, history[1], by=editor)
    review.refresh_from_db()
    assert review.headline == "Second headline"
    assert [s.heading for s in review.sections.all()] == ["Beta", "Epsilon", "Alpha", "Delta"]


def test_restore_keeps_the_workflow_state(review_with_history, editor):
    review_with_history.submit(by=SuperuserFactory())
    first = revisions.versions_for(review_with_history)[-1]
    revisions.restore(review_with_history, first, by=editor)
    assert Review.objects.get(pk=review_with_history.pk).status == Review.Status.IN_REVIEW


def test_only_editors_may_restore(review_with_history):
    writer = user_in_group("Writers")
    with pytest.raises(PermissionDenied):
        revisions.restore(
            review_with_history, revisions.versions_for(review_with_history)[-1], by=writer
        )


def test_a_version_from_before_heroes_moved_into_the_library_restores_keeping_the_hero(editor):
    """Revisions saved before migration 0029 hold the review's own hero fields (a file name,
    alt text…), not `hero`. A restore brings back the text (CONTENT_FIELDS), never the hero, so
    the review keeps the library image it shows now, and the old fields are passed over."""
    import json

    from tests.factories import LibraryImageFactory

    hero = LibraryImageFactory()
    review = ReviewFactory(headline="Old headline", intro="Old intro.", hero=hero)
    save_revision(review, editor, "before the library")
    old = revisions.versions_for(review)[0]
    data = json.loads(old.serialized_data)
    fields = data[0]["fields"]
    del fields["hero"]
    fields |= {"hero_image": "heroes/2025/ballerina.jpg", "hero_alt": "Eve", "hero_focus_x": 40}
    old.serialized_data = json.dumps(data)
    old.save()

    review.refresh_from_db()
    review.headline, review.intro = "New headline", "New intro."
    review.save()
    assert revisions.restore(review, old, by=editor) is False
    review.refresh_from_db()
    assert (review.headline, review.intro) == ("Old headline", "Old intro.")
    assert review.hero == hero


def test_restoring_on_an_expired_review_records_its_expiry_first_and_restores_a_draft(
    review_with_history, editor
):
    review = review_with_history
    review.publish(by=editor)
    at = timezone.now() + datetime.timedelta(hours=1)
    review.set_expiry(at, by=editor)
    first = revisions.versions_for(review)[-1]

    with time_machine.travel(at + datetime.timedelta(hours=1)):
        revisions.restore(review, first, by=editor)

    stored = Review.objects.get(pk=review.pk)
    assert (stored.status, stored.unpublish_at, stored.pending) == (Review.Status.DRAFT, None, None)
    assert stored.headline == "First headline"  # a draft's restore: in place, not pending
    latest = stored.transitions.order_by("-created_at", "-id").first()
    assert (latest.from_status, latest.to_status, latest.created_at) == (
        Review.Status.PUBLISHED,
        Review.Status.DRAFT,
        at,
    )


def test_restoring_on_a_review_gone_live_on_schedule_records_it_and_keeps_the_live_text(
    review_with_history, editor
):
    """Its time came and nothing recorded it yet (no worker): the restore records its going
    live first, then acts on it as readers see it, live, so the old version waits as pending
    changes and readers keep the live text."""
    review = review_with_history
    at = timezone.now() + datetime.timedelta(hours=1)
    review.publish(by=editor, at=at)
    assert Review.objects.get(pk=review.pk).status == Review.Status.SCHEDULED
    first = revisions.versions_for(review)[-1]

    with time_machine.travel(at + datetime.timedelta(hours=1)):
        assert revisions.restore(review, first, by=editor) is True

    stored = Review.objects.get(pk=review.pk)
    assert (stored.status, stored.published_at) == (Review.Status.PUBLISHED, at)
    assert stored.headline == "Second headline"  # readers' text until the changes go live
    assert stored.pending is not None
    assert stored.pending.fields["headline"] == "First headline"
    latest = stored.transitions.order_by("-created_at", "-id").first()
    assert (latest.from_status, latest.to_status, latest.created_at) == (
        Review.Status.SCHEDULED,
        Review.Status.PUBLISHED,
        at,
    )
