"""Pending versions of live reviews, effective status, restores and autosave (issue 13)."""

import datetime
import json
import re

import pytest
import reversion
from django.urls import reverse
from django.utils import timezone

from reviews.models import Review
from tests import test_workflow_admin
from tests.factories import FilmFactory
from tests.forms import page_form
from tests.test_workflow_admin import S, errors, form_data, make_review, url

pytestmark = pytest.mark.django_db

# The newsroom's people and a client signed in as each role, as test_workflow_admin has them.
people = test_workflow_admin.people
as_role = test_workflow_admin.as_role


def post_change(client, review, **changes):
    page = client.get(url("change", review.pk))
    return client.post(url("change", review.pk), {**form_data(page), **changes})


def test_a_live_review_keeps_its_live_version_until_an_editor_publishes(
    as_role, people, django_capture_on_commit_callbacks, mailoutbox
):
    review = make_review(people["author"], S.PUBLISHED, headline="Live headline")
    public = reverse("reviews:detail", kwargs={"slug": review.slug})
    writer = as_role("author")
    response = post_change(
        writer, review, headline="Pending headline", **{"sections-0-body": "A rewritten plot."}
    )
    assert response.status_code == 302, errors(response)
    assert "Live headline" in as_role("anonymous").get(public).content.decode()
    assert "Pending headline" not in as_role("anonymous").get(public).content.decode()

    # The writer submits the changes; the editor previews them and publishes them.
    writer = as_role("author")
    with django_capture_on_commit_callbacks(execute=True):
        response = writer.post(
            url("change", review.pk),
            {**form_data(writer.get(url("change", review.pk))), "_workflow": "submit_changes"},
        )
    assert [m.subject for m in mailoutbox] == [f"Changes submitted: {review.headline}"]
    assert mailoutbox[0].to == [people["editor"].email]
    assert response.status_code == 302, errors(response)
    review.refresh_from_db()
    assert review.pending.submitted_at is not None
    editor = as_role("editor")
    preview = editor.get(reverse("reviews:preview", kwargs={"slug": review.slug}))
    assert "Pending headline" in preview.content.decode()
    assert "pending changes, not yet live" in preview.content.decode()
    assert "Live headline" in as_role("anonymous").get(public).content.decode()
    Review.objects.get(pk=review.pk)  # the preview rolled its writes back
    assert Review.objects.get(pk=review.pk).headline == "Live headline"

    editor = as_role("editor")
    with django_capture_on_commit_callbacks(execute=True):  # the page cache retires on commit
        editor.post(reverse("admin:reviews_review_transition", args=[review.pk, "publish_changes"]))
    review.refresh_from_db()
    assert review.headline == "Pending headline"
    assert review.pending is None
    assert "A rewritten plot." in as_role("anonymous").get(public).content.decode()
    assert review.transitions.first().note == "Published the pending changes."


def test_discarding_keeps_the_live_version(as_role, people):
    review = make_review(people["author"], S.PUBLISHED, headline="Live headline")
    assert post_change(as_role("editor"), review, headline="Draft idea").status_code == 302
    as_role("editor").post(
        reverse("admin:reviews_review_transition", args=[review.pk, "discard_changes"])
    )
    review.refresh_from_db()
    assert review.pending is None
    assert review.headline == "Live headline"


def test_a_stale_page_discards_nothing_saved_after_it_was_opened(as_role, people):
    """Editor A opens the live review; B saves newer pending changes; A's Discard, from the page
    A opened, keeps B's work and says so. Discarding again from a fresh page works."""
    review = make_review(people["author"], S.PUBLISHED, headline="Live headline")
    assert post_change(as_role("editor"), review, headline="A's idea").status_code == 302
    discard = reverse("admin:reviews_review_transition", args=[review.pk, "discard_changes"])
    editor_a = as_role("editor")
    opened = editor_a.get(url("change", review.pk)).content.decode()
    action, fields = page_form(opened, action=discard)

    assert post_change(as_role("editor"), review, headline="B's newer work").status_code == 302
    response = editor_a.post(action, fields, follow=True)
    assert "The pending changes were saved again by" in response.content.decode()
    assert "nothing was discarded" in response.content.decode()
    review.refresh_from_db()
    assert review.pending.fields["headline"] == "B's newer work"

    action, fields = page_form(
        editor_a.get(url("change", review.pk)).content.decode(), action=discard
    )
    response = editor_a.post(action, fields, follow=True)
    assert "Discarded the pending changes" in response.content.decode()
    review.refresh_from_db()
    assert (review.pending, review.headline) == (None, "Live headline")


def test_typing_kept_at_unpublish_goes_out_with_the_next_publish(as_role, people):
    """Unpublish pressed with a fix typed in a live review keeps the fix as the pending version
    the form shows; Publish now, pressed next with nothing more typed, publishes that fix."""
    review = make_review(people["author"], S.PUBLISHED, headline="Live headline", dek="Old dek")
    editor = as_role("editor")
    response = post_change(editor, review, dek="Typo fixed", _workflow="unpublish")
    assert response.status_code == 302, errors(response)
    review.refresh_from_db()
    assert (review.status, review.dek) == (S.DRAFT, "Old dek")
    assert 'value="Typo fixed"' in editor.get(url("change", review.pk)).content.decode()

    response = post_change(editor, review, _workflow="publish")
    assert response.status_code == 302, errors(response)
    review.refresh_from_db()
    assert (review.status, review.dek, review.pending) == (S.PUBLISHED, "Typo fixed", None)
    public = reverse("reviews:detail", kwargs={"slug": review.slug})
    assert "Typo fixed" in as_role("anonymous").get(public).content.decode()


def test_a_workflow_button_saves_what_was_typed_first(as_role, people):
    review = make_review(people["author"], S.DRAFT, headline="Old")
    client = as_role("author")
    response = post_change(client, review, headline="Typed, then submitted", _workflow="submit")
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.headline, review.status) == ("Typed, then submitted", S.IN_REVIEW)


def test_a_workflow_button_with_an_invalid_form_takes_no_step(as_role, people):
    review = make_review(people["author"], S.DRAFT, headline="Old")
    response = post_change(as_role("author"), review, headline="", _workflow="submit")
    assert response.status_code == 200
    assert errors(response)
    review.refresh_from_db()
    assert (review.headline, review.status) == ("Old", S.DRAFT)


def test_effective_status_is_one_rule_everywhere(as_role, people):
    due = make_review(people["author"], S.SCHEDULED, headline="Due now")
    Review.objects.filter(pk=due.pk).update(published_at=timezone.now() - datetime.timedelta(1))
    later = make_review(people["author"], S.SCHEDULED, headline="Still to come")
    client = as_role("editor")
    scheduled = client.get(url("changelist") + "?queue=scheduled").content.decode()
    assert "Still to come" in scheduled
    assert "Due now" not in scheduled
    published = client.get(url("changelist") + "?status=published").content.decode()
    assert "Due now" in published
    assert "Still to come" not in published
    assert set(Review.objects.published()) == {due}
    assert [r.effective for r in Review.objects.with_effective_status().filter(pk=due.pk)] == [
        "published"
    ]
    assert Review.objects.get(pk=due.pk).effective_status == "published"
    assert Review.objects.get(pk=later.pk).effective_status == "scheduled"


def test_bulk_publish_asks_first_and_leaves_a_schedule_alone(as_role, people):
    later = make_review(people["author"], S.SCHEDULED, headline="Scheduled one")
    ready = make_review(people["author"], S.IN_REVIEW, headline="Ready one")
    client = as_role("editor")
    ask = client.post(
        url("changelist"), {"action": "publish_selected", "_selected_action": [later.pk, ready.pk]}
    )
    assert ask.status_code == 200
    assert "stays on its schedule" in ask.content.decode()
    assert Review.objects.get(pk=ready.pk).status == S.IN_REVIEW
    done = client.post(
        url("changelist"),
        {"action": "publish_selected", "post": "yes", "_selected_action": [later.pk, ready.pk]},
        follow=True,
    )
    assert Review.objects.get(pk=later.pk).status == S.SCHEDULED
    assert Review.objects.get(pk=ready.pk).status == S.PUBLISHED
    # Left as asked for: a warning to note, not an error.
    levels = {str(m): m.level_tag for m in done.context["messages"]}
    (left,) = [text for text in levels if "left on its schedule" in text]
    assert levels[left] == "warning"


def test_restoring_a_version_whose_film_was_deleted_says_so(as_role, people):
    review = make_review(people["author"], S.DRAFT)
    old_film = review.film
    with reversion.create_revision():
        review.save()
    review.film = FilmFactory()
    review.save()
    old_film.delete()
    from reversion.models import Version

    version = Version.objects.get_for_object(review).last()
    response = as_role("editor").post(url("restore", review.pk, version.pk), follow=True)
    assert response.status_code == 200
    assert any("since been deleted" in str(m) for m in response.context["messages"])


def test_autosave_keeps_one_rolling_draft_and_offers_it_back(as_role, people):
    review = make_review(people["author"], S.DRAFT)
    client = as_role("author")
    endpoint = url("autosave", review.pk)
    for text in ("first", "second"):
        response = client.post(
            endpoint,
            json.dumps({"data": {"headline": text}, "base_version": review.version}),
            content_type="application/json",
        )
        assert response.status_code == 200
    assert review.autosaves.get().data == {"headline": "second"}
    html = client.get(url("change", review.pk)).content.decode()
    assert "You have unsaved changes from" in html
    assert '"second"' in html
    assert (
        as_role("other writer").post(endpoint, "{}", content_type="application/json").status_code
        == 403
    )
    public = as_role("anonymous").get(review.get_absolute_url())
    assert public.status_code == 404  # a draft, autosaved or not, is never public
    as_role("author").post(endpoint, {"discard": "1"})
    assert not review.autosaves.exists()


def test_a_writer_may_withdraw_and_delete_their_own_draft(as_role, people):
    review = make_review(people["author"], S.IN_REVIEW)
    client = as_role("author")
    client.post(reverse("admin:reviews_review_transition", args=[review.pk, "withdraw"]))
    review.refresh_from_db()
    assert review.status == S.DRAFT
    assert client.post(url("delete", review.pk), {"post": "yes"}).status_code == 302
    assert not Review.objects.filter(pk=review.pk).exists()
    theirs = make_review(people["other writer"], S.DRAFT)
    assert as_role("author").post(url("delete", theirs.pk), {"post": "yes"}).status_code in (
        302,
        403,
    )
    assert Review.objects.filter(pk=theirs.pk).exists()


def test_a_writer_sees_the_changes_requested_at_the_top(as_role, people):
    review = make_review(people["author"], S.IN_REVIEW)
    review.request_changes(by=people["editor"], note="Name the choreographer.")
    html = as_role("author").get(url("change", review.pk)).content.decode()
    assert "Changes requested" in html
    assert "Name the choreographer." in html


def test_a_403_in_the_admin_is_an_admin_page_with_a_way_back(as_role, people):
    review = make_review(people["author"], S.DRAFT)
    client = as_role("moderator")
    response = client.get(url("change", review.pk), headers={"referer": "http://testserver/admin/"})
    assert response.status_code == 403
    html = response.content.decode()
    assert 'id="site-name"' in html  # the admin's header
    assert "Admin home" in html
    assert "Back to the previous page" in html
    assert "You may not do this" in html


def test_history_compare_and_restore_cover_the_pending_version(as_role, people):
    from reversion.models import Version

    review = make_review(people["author"], S.DRAFT, headline="First words")
    with reversion.create_revision():
        review.save()
    review.publish(by=people["editor"])
    editor = as_role("editor")
    assert post_change(editor, review, headline="Second thoughts").status_code == 302
    history = editor.get(url("history", review.pk)).content.decode()
    assert "pending, not live" in history
    newest = Version.objects.get_for_object(review).first()
    compare = editor.get(url("compare", review.pk) + f"?old={newest.pk}&new=pending")
    assert compare.status_code == 200
    assert "<ins>Second</ins>" in compare.content.decode() or "<ins>Second thoughts</ins>" in (
        compare.content.decode()
    )
    assert editor.get(url("pending", review.pk)).status_code == 200

    # Restoring over the pending changes (in no version) is refused, and the page says so.
    oldest = Version.objects.get_for_object(review).last()
    version_page = editor.get(url("version", review.pk, oldest.pk)).content.decode()
    assert "publish or discard them before restoring" in version_page
    response = editor.post(url("restore", review.pk, oldest.pk), follow=True)
    assert "restoring would replace them" in response.content.decode()
    review.refresh_from_db()
    assert review.pending.fields["headline"] == "Second thoughts"

    # Without them, restoring an old version of a live review makes it the pending version.
    review.discard_changes(by=people["editor"])
    editor.post(url("restore", review.pk, oldest.pk))
    review.refresh_from_db()
    assert review.headline == "First words"  # live, as it was
    assert review.pending.fields["headline"] == "First words"


def test_show_share_link_shows_the_current_link_and_only_regenerate_mints(as_role, people):
    review = make_review(people["author"], S.DRAFT)
    editor = as_role("editor")
    share = reverse("admin:reviews_review_share", args=[review.pk])
    editor.post(share)
    page = editor.get(url("change", review.pk)).content.decode()
    link = re.search(r'id="share-url" value="([^"]+)"', page).group(1)
    assert "valid until" in page
    assert "Copy link" in page
    editor.post(share)  # "Create" again while one is valid: the same link
    again = editor.get(url("change", review.pk)).content.decode()
    assert re.search(r'id="share-url" value="([^"]+)"', again).group(1) == link
    editor.post(share, {"regenerate": "1"})
    regenerated = editor.get(url("change", review.pk)).content.decode()
    assert re.search(r'id="share-url" value="([^"]+)"', regenerated).group(1) != link
    assert as_role("anonymous").get(link.split("testserver", 1)[1]).status_code == 410


def test_saving_a_live_review_unchanged_from_a_browser_makes_no_pending_version(as_role, people):
    """Browsers post a textarea's line breaks as CRLF; the stored Markdown has LF. The same
    text is not a change, so an editor who saves without editing leaves no pending version."""
    review = make_review(people["author"], S.PUBLISHED, intro="First line.\n\nSecond line.")
    section = review.sections.get(heading="Plot")
    section.body = "The plot\nthickens."
    section.save()
    writer = as_role("author")
    page = form_data(writer.get(url("change", review.pk)))
    as_a_browser_sends = {
        name: value.replace("\n", "\r\n") if isinstance(value, str) else value
        for name, value in page.items()
    }
    response = writer.post(url("change", review.pk), as_a_browser_sends)
    assert response.status_code == 302, errors(response)
    from django.contrib.messages import get_messages

    from reviews.pending import PendingChange

    assert not PendingChange.objects.filter(review=review).exists()
    assert "pending version" not in " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_the_preview_of_pending_changes_shows_their_tags(as_role, people):
    """Tags chosen for a live review wait in its pending version: the staff preview and the
    live preview of the reopened form show those, readers the stored ones."""
    from tests.factories import TagFactory

    stored, chosen = TagFactory(name="Stored tag"), TagFactory(name="Pending tag")
    review = make_review(people["author"], S.PUBLISHED, headline="Tagged")
    review.tags.set([stored])
    writer = as_role("author")
    assert post_change(writer, review, tags=[chosen.pk]).status_code == 302
    review.refresh_from_db()
    assert review.pending is not None

    preview = writer.get(reverse("reviews:preview", kwargs={"slug": review.slug})).content
    assert "Pending tag" in preview.decode()
    assert "Stored tag" not in preview.decode()
    live = as_role("anonymous").get(review.get_absolute_url()).content.decode()
    assert "Stored tag" in live
    assert "Pending tag" not in live

    writer = as_role("author")  # the same client, signed in again
    page = writer.get(url("change", review.pk))
    fields = form_data(page)
    assert [int(pk) for pk in fields["tags"]] == [chosen.pk]  # the pending choice
    live_preview = reverse("admin:reviews_review_live_preview", args=[review.pk])
    html = writer.post(live_preview, fields).content.decode()
    assert "Pending tag" in html
    assert "Stored tag" not in html


def test_an_editor_sends_submitted_changes_back_and_the_writer_mends_and_resubmits(
    as_role, people, django_capture_on_commit_callbacks, mailoutbox
):
    """Submitted changes to a live review are not stuck between Publish and Discard: the
    editor sends them back with a note, the writer edits them and submits them again, or
    withdraws them first to go on editing."""
    review = make_review(people["author"], S.PUBLISHED, headline="Live headline")
    public = reverse("reviews:detail", kwargs={"slug": review.slug})
    writer = as_role("author")
    assert post_change(writer, review, headline="Pending headline").status_code == 302
    assert post_change(writer, review, _workflow="submit_changes").status_code == 302
    assert 'name="_save"' not in writer.get(url("change", review.pk)).content.decode()

    editor = as_role("editor")
    page = editor.get(url("change", review.pk)).content.decode()
    assert "Send changes back…" in page
    refused = post_change(editor, review, _workflow="send_back_changes", note="  ")
    assert refused.status_code == 302
    assert Review.objects.get(pk=review.pk).pending.submitted_at is not None, "a note is needed"

    with django_capture_on_commit_callbacks(execute=True):
        post_change(editor, review, _workflow="send_back_changes", note="Name the cinematographer.")
    review.refresh_from_db()
    assert review.pending.submitted_at is None
    assert review.pending.fields["headline"] == "Pending headline", "the work is kept"
    assert "Live headline" in as_role("anonymous").get(public).content.decode()
    (sent,) = [m for m in mailoutbox if m.subject == f"Changes sent back: {review.headline}"]
    assert sent.to == [people["author"].email]
    assert "Name the cinematographer." in sent.body

    writer = as_role("author")
    page = writer.get(url("change", review.pk)).content.decode()
    assert "workflow-notice--requested" in page
    assert "Name the cinematographer." in page
    assert 'name="_save"' in page  # theirs to edit again
    newsroom = writer.get(reverse("admin:index")).content.decode()
    changes_requested = newsroom.split("Changes requested of you", 1)[1].split("</section>", 1)[0]
    assert review.headline in changes_requested
    response = post_change(
        writer, review, headline="Pending, with the DP", _workflow="submit_changes"
    )
    assert response.status_code == 302, errors(response)
    review.refresh_from_db()
    assert review.pending.submitted_at is not None
    assert review.pending.fields["headline"] == "Pending, with the DP"
    # The note is in the audit trail now, no longer a request waiting on top of the form.
    assert "workflow-notice--requested" not in writer.get(url("change", review.pk)).content.decode()

    # Withdrawn by the writer, the changes are theirs to edit again; still not live.
    page = writer.get(url("change", review.pk)).content.decode()
    assert "Withdraw changes" in page
    writer.post(reverse("admin:reviews_review_transition", args=[review.pk, "withdraw_changes"]))
    review.refresh_from_db()
    assert review.pending.submitted_at is None
    assert 'name="_save"' in writer.get(url("change", review.pk)).content.decode()
    assert review.transitions.first().note == "Withdrew the submitted changes."
    assert "Live headline" in as_role("anonymous").get(public).content.decode()
