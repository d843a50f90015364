"""Pre-publish checks (#22 item 3): blocking ones hold in the model API, without the UI; warnings
are shown on the change page before Publish and Schedule; levels come from settings."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from reviews import prepublish
from reviews.models import Review
from tests import test_workflow_admin
from tests.factories import ReviewFactory, SectionFactory, user_in_group
from tests.forms import page_form
from tests.test_workflow_admin import S, messages_of, url

pytestmark = pytest.mark.django_db

people = test_workflow_admin.people
as_role = test_workflow_admin.as_role


def empty_review(**kwargs):
    return ReviewFactory(**{"intro": "", "rating": None, "verdict": "", **kwargs})


def test_an_empty_review_cannot_be_published_through_the_model(editor):
    review = empty_review()
    with pytest.raises(ValidationError) as refused:
        review.publish(by=editor)
    assert any("no text" in m for m in refused.value.messages)
    review.refresh_from_db()
    assert review.status == S.DRAFT
    assert review.published_at is None
    assert not review.transitions.exists()
    # Nor scheduled.
    with pytest.raises(ValidationError):
        review.publish(by=editor, at=timezone.now() + datetime.timedelta(days=1))
    assert Review.objects.get(pk=review.pk).status == S.DRAFT


def test_a_section_alone_is_text_enough(editor):
    review = empty_review()
    SectionFactory(review=review, heading="Plot", body="A plot in a sentence.")
    review.publish(by=editor)
    assert Review.objects.get(pk=review.pk).status == S.PUBLISHED


@pytest.mark.parametrize(
    "markdown",
    [
        "![](/media/still.jpg)",
        "![   ](/media/still.jpg)",
        '<img src="/media/still.jpg">',
    ],
)
def test_an_image_without_alt_text_blocks_publishing(editor, markdown):
    review = ReviewFactory()
    SectionFactory(review=review, heading="The dance", body=f"Look:\n\n{markdown}")
    with pytest.raises(ValidationError) as refused:
        review.publish(by=editor)
    assert any("the section “The dance” has no alt text" in m for m in refused.value.messages)
    assert Review.objects.get(pk=review.pk).status == S.DRAFT
    Review.objects.filter(pk=review.pk)  # described, it goes
    section = review.sections.get()
    section.body = "Look:\n\n![Eve mid-pirouette](/media/still.jpg)"
    section.save()
    review.publish(by=editor)
    assert Review.objects.get(pk=review.pk).status == S.PUBLISHED


def test_bulk_publish_refuses_the_empty_one_and_publishes_the_rest(as_role, people):
    empty = empty_review(author=people["author"], headline="Empty")
    full = ReviewFactory(author=people["author"], headline="Full")
    response = as_role("editor").post(
        url("changelist"),
        {"action": "publish_selected", "_selected_action": [empty.pk, full.pk], "post": "yes"},
        follow=True,
    )
    assert any("“Empty”" in m and "no text" in m for m in messages_of(response))
    assert Review.objects.get(pk=empty.pk).status == S.DRAFT
    assert Review.objects.get(pk=full.pk).status == S.PUBLISHED


def test_publishing_changes_checks_the_pending_version(as_role, people):
    review = ReviewFactory(
        author=people["author"],
        status=S.PUBLISHED,
        published_at=timezone.now() - datetime.timedelta(days=1),
    )
    client = as_role("editor")
    page = client.get(url("change", review.pk)).content.decode()
    action, fields = page_form(page, id="review_form")
    fields.update({"intro": "Now with ![](/media/no-alt.jpg) an image."})
    assert client.post(action or url("change", review.pk), fields).status_code == 302
    review.refresh_from_db()
    assert review.pending is not None
    with pytest.raises(ValidationError) as refused:
        review.publish_changes(by=people["editor"])
    assert any("the intro has no alt text" in m for m in refused.value.messages)
    review.refresh_from_db()
    assert review.pending is not None
    assert "no-alt" not in review.intro


def test_warnings_do_not_refuse_and_are_shown_before_publish(as_role, people):
    review = empty_review(author=people["author"], intro="Short.")
    html = as_role("editor").get(url("change", review.pk)).content.decode()
    checks = html[html.index('id="prepublish-checks"') :]
    checks = checks[: checks.index("</div>")]
    for text in (
        "No star rating.",
        "No verdict / pull quote.",
        "No hero image",
        "is 6 characters (at least 70 recommended)",
    ):
        assert text in checks, text
    assert "Must be fixed" not in checks
    # …above the Publish and Schedule buttons.
    assert html.index('id="prepublish-checks"') < html.index('value="publish"')
    assert html.index('id="prepublish-checks"') < html.index('value="schedule"')
    # A writer, who cannot publish, is not shown them.
    assert (
        'id="prepublish-checks"'
        not in as_role("author").get(url("change", review.pk)).content.decode()
    )

    action, fields = page_form(html, id="review_form")
    response = as_role("editor").post(
        action or url("change", review.pk), {**fields, "_workflow": "publish"}, follow=True
    )
    assert Review.objects.get(pk=review.pk).status == S.PUBLISHED, messages_of(response)


def test_a_blocked_publish_through_the_page_says_what_to_fix_and_keeps_the_typing(as_role, people):
    review = empty_review(author=people["author"])
    client = as_role("editor")
    html = client.get(url("change", review.pk)).content.decode()
    assert "Must be fixed" in html
    assert "has no text" in html
    action, fields = page_form(html, id="review_form")
    fields.update({"headline": "Typed before pressing Publish", "_workflow": "publish"})
    response = client.post(action or url("change", review.pk), fields, follow=True)
    assert any(
        "Not published: fix this first." in m and "no text" in m for m in messages_of(response)
    )
    review.refresh_from_db()
    assert (review.headline, review.status) == ("Typed before pressing Publish", S.DRAFT)


def test_levels_come_from_settings(settings, editor):
    settings.MARQUEE_PREPUBLISH_CHECKS = {
        "no_text": "warn",
        "no_rating": "block",
        "no_verdict": "off",
    }
    review = empty_review()
    report = prepublish.check(review)
    assert any("no text" in m for m in report.warnings)
    assert report.blocking == ["No star rating."]
    assert not any("verdict" in m for m in report.warnings)
    with pytest.raises(ValidationError):
        review.publish(by=editor)
    review.rating = 4
    review.save()
    review.publish(by=editor)
    assert Review.objects.get(pk=review.pk).status == S.PUBLISHED


def test_the_transition_url_runs_them_too(as_role, people):
    review = empty_review(author=people["author"])
    as_role("editor").post(reverse("admin:reviews_review_transition", args=[review.pk, "publish"]))
    assert Review.objects.get(pk=review.pk).status == S.DRAFT


def test_an_author_without_a_display_name_blocks_publishing_in_the_panel_first(as_role, people):
    """Publish refuses a review whose author has no display name (the byline needs one): the
    panel says so before the button is pressed, not "publishing is allowed"."""
    nameless = user_in_group("Writers", username="nameless", first_name="", last_name="")
    review = ReviewFactory(author=nameless, intro="Words enough to publish.")
    html = as_role("editor").get(url("change", review.pk)).content.decode()
    checks = html[html.index('id="prepublish-checks"') :]
    checks = checks[: checks.index("</div>")]
    assert "Must be fixed" in checks
    assert "nameless has no display name" in checks
    action, fields = page_form(html, id="review_form")
    response = as_role("editor").post(
        action or url("change", review.pk), {**fields, "_workflow": "publish"}, follow=True
    )
    said = " ".join(messages_of(response))
    assert "has none. Set one on their critic profile" in said
    assert "--display-name" not in said  # the command line's option, not the admin's
    assert Review.objects.get(pk=review.pk).status != S.PUBLISHED
