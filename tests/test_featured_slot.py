"""The front page's featured slot (#22 item 6): one current feature, its history, a schedule
for the next that goes live on time with nothing run and nothing saved."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from reviews.models import Feature, Review
from tests import test_workflow_admin
from tests.factories import FilmFactory, ReviewFactory, StaffFactory
from tests.forms import page_form
from tests.test_workflow_admin import S, errors, messages_of

pytestmark = pytest.mark.django_db

people = test_workflow_admin.people
as_role = test_workflow_admin.as_role
HOUR = datetime.timedelta(hours=1)


def published(headline, days_ago=1, **kwargs) -> Review:
    return ReviewFactory(
        headline=headline,
        status=S.PUBLISHED,
        published_at=timezone.now() - datetime.timedelta(days=days_ago),
        **kwargs,
    )


def lead(client) -> str:
    """The headline in the front page's featured slot."""
    html = client.get("/").content.decode()
    box = html.split('id="featured-title"')[1].split("</section>")[0]
    return box.split('class="card__link"')[1].split("</a>")[0].split(">", 1)[1].strip()


# The model API ----------------------------------------------------------------------------------


def test_featuring_now_makes_the_current_feature_and_keeps_history(people):
    editor = people["editor"]
    first, second = published("First"), published("Second")
    one = Feature.objects.feature(first, by=editor)
    assert Feature.objects.current() == one
    two = Feature.objects.feature(second, by=editor)
    assert Feature.objects.current() == two
    history = list(Feature.objects.with_ends().order_by("starts_at", "id"))
    assert [(f.review, f.featured_by) for f in history] == [(first, editor), (second, editor)]
    assert history[0].ends_at == two.starts_at  # from when to when
    assert history[1].ends_at is None


def test_only_editors_feature_and_only_public_or_scheduled_reviews(people):
    review = published("Out")
    with pytest.raises(PermissionDenied):
        Feature.objects.feature(review, by=people["author"])
    with pytest.raises(PermissionDenied):
        Feature.objects.feature(review, by=None)
    draft = ReviewFactory(headline="Draft")
    with pytest.raises(ValidationError) as refused:
        Feature.objects.feature(draft, by=people["editor"])
    assert refused.value.code == "not_featurable"
    scheduled = ReviewFactory(status=S.SCHEDULED, published_at=timezone.now() + 2 * HOUR)
    with pytest.raises(ValidationError) as early:
        Feature.objects.feature(scheduled, by=people["editor"])  # now: before it is out
    assert early.value.code == "feature_before_publication"
    feature = Feature.objects.feature(scheduled, by=people["editor"], at=timezone.now() + 3 * HOUR)
    assert feature.is_scheduled
    assert Feature.objects.current() is None  # scheduled, not started


def test_a_scheduled_feature_cannot_be_cancelled_once_started_but_before(people):
    review = published("Out")
    editor = people["editor"]
    later = Feature.objects.feature(review, by=editor, at=timezone.now() + HOUR)
    with pytest.raises(PermissionDenied):
        Feature.objects.cancel(later, by=people["author"])
    Feature.objects.cancel(later, by=editor)
    assert not Feature.objects.exists()
    now = Feature.objects.feature(review, by=editor)
    with pytest.raises(ValidationError):
        Feature.objects.cancel(now, by=editor)


# The front page ---------------------------------------------------------------------------------


def test_the_front_page_leads_with_the_current_feature_and_never_an_unpublished_one(
    client, people, committed
):
    editor = people["editor"]
    with committed():
        old = published("Old favourite", days_ago=30)
        published("Newest", days_ago=1)
        Feature.objects.feature(old, by=editor)
    assert lead(client) == "Old favourite"
    # Unpublished: the newest published review leads instead, and the old one is nowhere.
    with committed():
        old.unpublish(by=editor)
    assert lead(client) == "Newest"
    assert "Old favourite" not in client.get("/").content.decode()


def test_without_any_feature_the_newest_review_leads(client):
    published("Older", days_ago=3)
    published("Newer", days_ago=1)
    assert lead(client) == "Newer"


def test_a_scheduled_feature_goes_live_on_time_with_no_save(client, people, committed):
    editor = people["editor"]
    with committed():
        current = published("On now", days_ago=5)
        Feature.objects.feature(current, by=editor)
        upcoming = published("Up next", days_ago=10)
        Feature.objects.feature(upcoming, by=editor, at=timezone.now() + HOUR)
    assert lead(client) == "On now"  # and the page is in the cache now
    with time_machine.travel(timezone.now() + 2 * HOUR):
        assert lead(client) == "Up next"
        assert Feature.objects.current().review == upcoming


def test_a_scheduled_review_featured_from_its_publication_leads_when_it_is_out(
    client, people, committed
):
    editor = people["editor"]
    with committed():
        published("Meanwhile", days_ago=2)
        review = ReviewFactory(
            headline="Premiere", status=S.SCHEDULED, published_at=timezone.now() + HOUR
        )
        Feature.objects.feature(review, by=editor, at=review.published_at)
    assert lead(client) == "Meanwhile"
    assert "Premiere" not in client.get("/").content.decode()
    with time_machine.travel(timezone.now() + 2 * HOUR):
        assert lead(client) == "Premiere"


# In the admin -----------------------------------------------------------------------------------


def test_an_editor_schedules_a_feature_from_the_review_page_and_sees_the_history(
    as_role, people, settings
):
    settings.TIME_ZONE = "Europe/London"
    editor = as_role("editor")
    on_now = published("On now", days_ago=3)
    Feature.objects.feature(on_now, by=people["editor"])
    review = published("Next up")
    change = editor.get(reverse("admin:reviews_review_change", args=[review.pk])).content.decode()
    assert "Not featured." in change
    link = f"/admin/reviews/feature/add/?review={review.pk}"
    assert f'href="{link}"' in change

    page = editor.get(link).content.decode()
    action, fields = page_form(page, id="feature_form")
    assert fields["review"] == str(review.pk)
    assert "time zone, Europe/London" in page
    moment = timezone.localtime(timezone.now() + datetime.timedelta(days=1))
    fields.update({"starts_at_0": f"{moment:%Y-%m-%d}", "starts_at_1": "07:00:00"})
    response = editor.post(action or link, fields)
    assert response.status_code == 302, errors(response)
    scheduled = Feature.objects.upcoming().get()
    assert scheduled.review == review
    assert scheduled.featured_by == people["editor"]
    assert timezone.localtime(scheduled.starts_at).hour == 7

    change = editor.get(reverse("admin:reviews_review_change", args=[review.pk])).content.decode()
    assert "Scheduled to be featured from" in change
    history = editor.get(reverse("admin:reviews_feature_changelist")).content.decode()
    for words in ("On now", "Next up", "Current", "Scheduled", "Edie Editor"):
        assert words in history


def test_the_feature_form_refuses_a_draft_and_writers_get_no_slot(as_role, people):
    editor = as_role("editor")
    draft = ReviewFactory(headline="Not yet")
    link = f"/admin/reviews/feature/add/?review={draft.pk}"
    action, fields = page_form(editor.get(link).content.decode(), id="feature_form")
    response = editor.post(action or link, fields)
    assert response.status_code == 200
    assert "Only a published or scheduled review can be featured" in str(errors(response))
    assert not Feature.objects.exists()

    writer = as_role("author")
    assert writer.get(reverse("admin:reviews_feature_changelist")).status_code == 403
    own = published("Mine", author=people["author"])
    change = writer.get(reverse("admin:reviews_review_change", args=[own.pk])).content.decode()
    assert "Feature this review" not in change


def test_the_feature_action_on_the_review_list(as_role, people):
    editor = as_role("editor")
    review = published("From the list")
    response = editor.post(
        reverse("admin:reviews_review_changelist"),
        {"action": "feature_selected", "_selected_action": [review.pk]},
        follow=True,
    )
    assert "now leads the front page" in " ".join(messages_of(response))
    assert Feature.objects.current().review == review


def test_started_features_are_history_and_only_scheduled_ones_can_be_deleted(as_role, people):
    editor = as_role("editor")
    review = published("Out")
    started = Feature.objects.feature(review, by=people["editor"])
    later = Feature.objects.feature(review, by=people["editor"], at=timezone.now() + HOUR)
    delete = "admin:reviews_feature_delete"
    assert editor.get(reverse(delete, args=[started.pk])).status_code == 403
    assert editor.post(reverse(delete, args=[later.pk]), {"post": "yes"}).status_code == 302
    assert list(Feature.objects.all()) == [started]


# The migration from the checkbox ----------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_most_recently_published_featured_review_becomes_the_current_feature():
    """Migrated back to before the slot, checkboxes ticked, migrated forward again."""
    before = [("reviews", "0021_review_tags")]
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    film = FilmFactory()
    author = StaffFactory()
    OldReview = old.get_model("reviews", "Review")

    def review(headline, days_ago, **kwargs):
        kwargs.setdefault("status", "published")
        return OldReview.objects.create(
            film_id=film.pk,
            author_id=author.pk,
            headline=headline,
            slug=headline.lower(),
            published_at=timezone.now() - datetime.timedelta(days=days_ago),
            **kwargs,
        )

    review("older", 5, is_featured=True)
    newer = review("newer", 2, is_featured=True)
    review("newest", 1)
    review("draft", 0, is_featured=True, status="draft")
    executor = MigrationExecutor(connection)
    executor.migrate(leaves)
    assert [f.review_id for f in Feature.objects.all()] == [newer.pk]
    assert Feature.objects.current().review_id == newer.pk
