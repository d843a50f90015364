"""Issue 13's remaining gaps: every workflow step keeps what was typed, autosave on the add
page, admin-styled refusals, and the live version kept public while changes are pending."""

import json
import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from reviews.models import Review
from reviews.pending import Autosave
from tests import test_workflow_admin
from tests.factories import FilmFactory
from tests.forms import page_form
from tests.test_workflow_admin import S, errors, make_review, messages_of, url

pytestmark = pytest.mark.django_db

people = test_workflow_admin.people
as_role = test_workflow_admin.as_role


def review_form(client, review) -> tuple[str, dict]:
    """What the change page's own form holds, read from its HTML as a browser would."""
    html = client.get(url("change", review.pk)).content.decode()
    action, fields = page_form(html, id="review_form")
    return action or url("change", review.pk), fields


def test_request_changes_saves_the_typed_text_first(
    as_role, people, mailoutbox, django_capture_on_commit_callbacks
):
    review = make_review(people["author"], S.IN_REVIEW, headline="Before")
    client = as_role("editor")
    action, fields = review_form(client, review)
    # The note and its button belong to the change form: one post saves, then sends back.
    assert "note" in fields
    html = client.get(url("change", review.pk)).content.decode()
    assert 'form="review_form" name="_workflow" value="request_changes"' in html
    fields.update(
        {
            "headline": "Tightened by the editor",
            "sections-0-body": "Shorter plot.",
            "note": "Check my cuts, then name the choreographer.",
            "_workflow": "request_changes",
        }
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(action, fields, follow=True)
    assert any("is now draft" in m for m in messages_of(response)), messages_of(response)
    review.refresh_from_db()
    assert review.status == S.DRAFT
    assert review.headline == "Tightened by the editor"
    assert review.sections.get(position=1).body == "Shorter plot."
    assert review.transitions.first().note == "Check my cuts, then name the choreographer."
    assert any("Changes requested" in m.subject for m in mailoutbox)


def test_request_changes_without_a_note_keeps_the_typed_text(as_role, people):
    review = make_review(people["author"], S.IN_REVIEW, headline="Before")
    client = as_role("editor")
    action, fields = review_form(client, review)
    fields.update(
        {"headline": "Typed before pressing", "note": " ", "_workflow": "request_changes"}
    )
    response = client.post(action, fields, follow=True)
    assert any("the note is required" in m for m in messages_of(response))
    review.refresh_from_db()
    assert (review.headline, review.status) == ("Typed before pressing", S.IN_REVIEW)


def test_a_note_survives_a_form_that_does_not_validate(as_role, people):
    review = make_review(people["author"], S.IN_REVIEW, headline="Before")
    client = as_role("editor")
    action, fields = review_form(client, review)
    fields.update({"headline": "", "note": "Keep this note.", "_workflow": "request_changes"})
    response = client.post(action, fields)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Keep this note.</textarea>" in html
    # The page says the button did nothing, not only that a field needs mending.
    assert messages_of(response) == [
        "“Request changes” was not done, and nothing was saved: correct what is marked below "
        "and press it again. What you typed is still here."
    ]
    review.refresh_from_db()
    assert (review.headline, review.status) == ("Before", S.IN_REVIEW)

    # A plain save that does not validate says only what Django says.
    del fields["_workflow"]
    assert messages_of(client.post(action, fields)) == []


@pytest.mark.parametrize(
    ("state", "role", "step", "after"),
    [
        (S.DRAFT, "author", "submit", S.IN_REVIEW),
        (S.IN_REVIEW, "editor", "publish", S.PUBLISHED),
        (S.DRAFT, "editor", "publish", S.PUBLISHED),
        (S.PUBLISHED, "editor", "unpublish", S.DRAFT),
        (S.PUBLISHED, "editor", "archive", S.ARCHIVED),
    ],
)
def test_every_step_button_of_the_page_saves_the_typed_text(
    as_role, people, state, role, step, after
):
    review = make_review(people["author"], state, headline="Before")
    client = as_role(role)
    action, fields = review_form(client, review)
    html = client.get(url("change", review.pk)).content.decode()
    assert f'form="review_form" name="_workflow" value="{step}"' in html
    fields.update({"dek": "Typed, then the button", "_workflow": step})
    response = client.post(action, fields, follow=True)
    assert response.status_code == 200
    review = Review.objects.get(pk=review.pk)
    assert review.status == after, messages_of(response)
    # A live review keeps an edit as its pending version; otherwise it is saved in place.
    saved = review.pending.fields["dek"] if review.pending else review.dek
    assert saved == "Typed, then the button"


def test_the_transition_url_still_takes_a_note_on_its_own(as_role, people):
    review = make_review(people["author"], S.IN_REVIEW)
    as_role("editor").post(
        reverse("admin:reviews_review_transition", args=[review.pk, "request_changes"]),
        {"note": "Shorter."},
    )
    review.refresh_from_db()
    assert review.status == S.DRAFT


# Autosave on the add page ---------------------------------------------------------------------


def keep(client, endpoint, data: dict):
    return client.post(
        endpoint, json.dumps({"data": data, "base_version": 0}), content_type="application/json"
    )


def test_the_add_page_keeps_a_new_reviews_typing_and_offers_it_back(as_role, people):
    film = FilmFactory(title="Ballerina")
    writer = as_role("author")
    add_page = writer.get(url("add")).content.decode()
    endpoint = reverse("admin:reviews_review_autosave_new")
    assert f'data-autosave-url="{endpoint}"' in add_page
    assert "You have unsaved changes" not in add_page

    for text in ("A first line", "A first line, and a second"):
        response = keep(
            writer,
            endpoint,
            {
                "headline": text,
                "film": str(film.pk),
                "_label:film": "Ballerina (2025)",
                "sections-0-body": "The plot.",
            },
        )
        assert response.status_code == 200, response.content
    kept = Autosave.objects.get(user=people["author"])
    assert kept.review is None
    assert kept.data["headline"] == "A first line, and a second"

    # Reopened (a crash, a closed tab): the add page offers the draft back.
    add_page = writer.get(url("add")).content.decode()
    assert "You have unsaved changes to a new review from" in add_page
    assert "A first line, and a second" in add_page
    assert "Ballerina (2025)" in add_page
    # Nobody else sees it; a moderator may keep nothing.
    assert (
        "You have unsaved changes" not in as_role("other writer").get(url("add")).content.decode()
    )
    assert keep(as_role("moderator"), endpoint, {"headline": "x"}).status_code == 403
    assert Autosave.objects.count() == 1

    # Saving the new review spends the draft.
    writer = as_role("author")
    action, fields = page_form(writer.get(url("add")).content.decode(), id="review_form")
    fields.update(
        {
            "film": str(film.pk),
            "headline": "A first line, and a second",
            "sections-0-heading": "Plot",
            "sections-0-body": "The plot.",
        }
    )
    response = writer.post(action or url("add"), fields)
    assert response.status_code == 302, errors(response)
    review = Review.objects.get(headline="A first line, and a second")
    assert review.author == people["author"]
    assert review.status == S.DRAFT
    assert not Autosave.objects.exists()
    assert review.get_absolute_url()
    assert as_role("anonymous").get(review.get_absolute_url()).status_code == 404


def test_a_new_reviews_draft_can_be_discarded_and_refuses_what_is_not_one(as_role, people):
    writer = as_role("author")
    endpoint = reverse("admin:reviews_review_autosave_new")
    keep(writer, endpoint, {"headline": "Scrap this"})
    assert writer.post(endpoint, "not json", content_type="application/json").status_code == 400
    assert writer.get(endpoint).status_code == 405
    writer.post(endpoint, {"discard": "1"})
    assert not Autosave.objects.exists()
    # A review's own draft and the new review's draft are apart.
    review = make_review(people["author"])
    writer.post(
        url("autosave", review.pk),
        json.dumps({"data": {"headline": "Mine"}, "base_version": review.version}),
        content_type="application/json",
    )
    keep(writer, endpoint, {"headline": "New"})
    assert Autosave.objects.filter(review=review).get().data == {"headline": "Mine"}
    assert Autosave.objects.filter(review=None).get().data == {"headline": "New"}


# A 403 anywhere in the admin is an admin page -------------------------------------------------


def registered_changelists():
    for model in apps.get_models():
        if admin.site.is_registered(model):
            opts = model._meta
            yield reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
            yield reverse(f"admin:{opts.app_label}_{opts.model_name}_add")


@pytest.mark.parametrize("role", ["author", "moderator"])
def test_every_admin_page_a_user_may_not_use_refuses_as_an_admin_page(as_role, people, role):
    client = as_role(role)
    refused = []
    for address in registered_changelists():
        response = client.get(address, headers={"referer": "http://testserver/admin/"})
        assert response.status_code < 500, address
        if response.status_code == 403:
            refused.append(address)
            html = response.content.decode()
            assert 'id="site-name"' in html, address  # the admin's header
            assert "You may not do this" in html, address
            assert "Admin home" in html, address
            assert "Back to the previous page" in html, address
            assert "Your account may not" in html, address
    assert refused, "each role is refused somewhere"


def test_the_refusal_names_what_was_refused(as_role):
    html = as_role("moderator").get(url("changelist")).content.decode()
    assert "Your account may not see the list of reviews." in html


def test_outside_the_admin_a_403_stays_the_sites_page(as_role, people):
    from django.test import RequestFactory

    from config.errors import permission_denied

    request = RequestFactory().get("/reviews/")
    request.user = people["editor"]
    response = permission_denied(request)
    assert response.status_code == 403
    assert 'id="site-name"' not in response.content.decode()


# Readers keep the live version while changes are pending --------------------------------------


def test_feeds_search_and_json_ld_keep_the_live_version(as_role, people, committed):
    review = make_review(
        people["author"],
        S.PUBLISHED,
        headline="Live headline",
        intro="The live intro about aardvarks.",
    )
    client = as_role("editor")
    action, fields = review_form(client, review)
    fields.update(
        {
            "headline": "Pending headline",
            "intro": "A pending intro about zeppelins.",
            "sections-0-body": "Pending body about quokkas.",
        }
    )
    with committed():
        assert client.post(action, fields).status_code == 302
    review.refresh_from_db()
    assert review.pending is not None
    assert review.headline == "Live headline"

    reader = as_role("anonymous")
    for feed in ("reviews:feed", "reviews:atom_feed"):
        xml = reader.get(reverse(feed)).content.decode()
        assert "Live headline" in xml, feed
        assert "Pending headline" not in xml, feed
        assert "zeppelins" not in xml, feed
    found = reader.get(reverse("reviews:search"), {"q": "aardvarks"}).content.decode()
    assert "Live headline" in found
    assert "Pending headline" not in found
    for word in ("zeppelins", "quokkas"):
        missed = reader.get(reverse("reviews:search"), {"q": word}).content.decode()
        assert "Live headline" not in missed, word
        assert "Pending headline" not in missed, word
    page = reader.get(review.get_absolute_url()).content.decode()
    ld = json.loads(
        re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', page, re.S)[1]
    )
    ld = ld if isinstance(ld, dict) else next(x for x in ld if x.get("@type") == "Review")
    assert ld["headline"] == "Live headline"
    assert "Pending" not in page
    assert "zeppelins" not in page
    assert "quokkas" not in page

    # Once published, every one of them follows.
    with committed():
        review.publish_changes(by=people["editor"])
    assert "Pending headline" in reader.get(reverse("reviews:feed")).content.decode()
    assert (
        "Pending headline"
        in reader.get(reverse("reviews:search"), {"q": "zeppelins"}).content.decode()
    )
