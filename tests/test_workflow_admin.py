"""The editorial workflow in the admin: who may do what, on which page, by which route."""

import datetime
import re

import pytest
import reversion
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone

from reviews.models import Review
from tests.factories import (
    FilmFactory,
    ReviewFactory,
    SectionFactory,
    SuperuserFactory,
    poster_image,
    user_in_group,
)
from tests.forms import page_form
from tests.test_pages import attr, find_all, links, page, text

pytestmark = pytest.mark.django_db

S = Review.Status
ACTIONS = ["submit", "request_changes", "publish", "unpublish", "archive", "unarchive"]


def url(page: str, *args) -> str:
    return reverse(f"admin:reviews_review_{page}", args=args)


def transition_url(review, action: str) -> str:
    return url("transition", review.pk, action)


@pytest.fixture
def people():
    return {
        "author": user_in_group(
            "Writers", username="wanda", first_name="Wanda", last_name="Writer"
        ),
        "other writer": user_in_group("Writers", username="walt"),
        "editor": user_in_group("Editors", username="edie", first_name="Edie", last_name="Editor"),
        "moderator": user_in_group("Moderators", username="mo"),
        "superuser": SuperuserFactory(username="root"),
        "anonymous": AnonymousUser(),
    }


@pytest.fixture
def as_role(client, people):
    def login(role):
        client.logout()
        if role != "anonymous":
            client.force_login(people[role])
        return client

    return login


def make_review(author, state=S.DRAFT, **kwargs):
    published_at = {
        S.SCHEDULED: timezone.now() + datetime.timedelta(days=2),
        S.PUBLISHED: timezone.now() - datetime.timedelta(days=2),
        S.ARCHIVED: timezone.now() - datetime.timedelta(days=2),
    }.get(state)
    review = ReviewFactory(author=author, status=state, published_at=published_at, **kwargs)
    SectionFactory(review=review, heading="Plot", body="The plot thickens.", position=1)
    SectionFactory(review=review, heading="Cast", body="A fine cast.", position=2)
    return review


def form_data(response) -> dict:
    """What a browser would post back, unchanged, from the page's admin change form (`<form
    id="<model>_form">`): read from the page's HTML (tests/forms.py), so a split date and time
    goes as its two boxes, an untouched file input sends nothing, and only checked boxes go."""
    form_id = f"{response.context['opts'].model_name}_form"
    return page_form(response.content.decode(), id=form_id)[1]


def errors(response) -> list:
    if response.context is None or "adminform" not in response.context:
        return []
    return [response.context["adminform"].form.errors] + [
        inline.formset.errors + inline.formset.non_form_errors()
        for inline in response.context["inline_admin_formsets"]
    ]


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def buttons(html: str) -> set[str]:
    """The transitions a change page offers, by the URL its forms post to."""
    posted = set(re.findall(r'action="/admin/reviews/review/\d+/transition/(\w+)/"', html))
    # Steps that save the change form first are its submit buttons.
    saving = set(re.findall(r'form="review_form" name="_workflow" value="(\w+)"', html))
    return (posted | saving) - {"schedule"}


# Lists and pages, by group -------------------------------------------------------------------

LIST_STATUS = {
    "author": 200,
    "other writer": 200,
    "editor": 200,
    "moderator": 403,
    "superuser": 200,
    "anonymous": 302,
}


@pytest.mark.parametrize("role", list(LIST_STATUS))
def test_changelist_by_group(as_role, people, role):
    mine = make_review(people["author"], headline="Wanda's draft")
    theirs = make_review(people["editor"], S.PUBLISHED, headline="Edie's piece")
    response = as_role(role).get(url("changelist"))
    assert response.status_code == LIST_STATUS[role]
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("admin:login"))
    if response.status_code != 200:
        return
    html = response.content.decode()
    sees = {r.headline for r in (mine, theirs) if r.headline.replace("'", "&#x27;") in html}
    expected = {
        "author": {mine.headline},
        "other writer": set(),
        "editor": {mine.headline, theirs.headline},
        "superuser": {mine.headline, theirs.headline},
    }[role]
    assert sees == expected


# (role, review state) → what the change page is for them.
CHANGE_PAGE = {
    ("author", S.DRAFT): "edit",
    ("author", S.IN_REVIEW): "read-only",
    ("author", S.PUBLISHED): "pending",
    ("other writer", S.DRAFT): "hidden",
    ("editor", S.DRAFT): "edit",
    ("editor", S.PUBLISHED): "pending",
    ("moderator", S.DRAFT): 403,
    ("anonymous", S.DRAFT): "login",
}


@pytest.mark.parametrize(("role", "state"), list(CHANGE_PAGE))
def test_change_page_get_and_post_by_group(as_role, people, role, state):
    review = make_review(people["author"], state, headline="Original headline")
    editor_page = as_role("editor").get(url("change", review.pk))
    data = {**form_data(editor_page), "headline": "Changed headline"}
    client = as_role(role)
    expected = CHANGE_PAGE[(role, state)]

    get = client.get(url("change", review.pk))
    post = client.post(url("change", review.pk), data)
    review.refresh_from_db()

    if expected == "edit":
        assert get.status_code == 200
        assert 'name="headline"' in get.content.decode()
        assert post.status_code == 302, errors(post)
        assert review.headline == "Changed headline"
    elif expected == "pending":
        # A live review keeps its live text; the edit waits as its pending version.
        assert get.status_code == 200
        assert 'name="headline"' in get.content.decode()
        assert post.status_code == 302, errors(post)
        assert review.headline == "Original headline"
        assert review.pending.fields["headline"] == "Changed headline"
        assert "Changed headline" in client.get(url("change", review.pk)).content.decode()
    elif expected == "read-only":
        assert get.status_code == 200
        assert 'name="headline"' not in get.content.decode()
        assert "Original headline" in get.content.decode()
        assert post.status_code == 403
        assert review.headline == "Original headline"
    elif expected == "hidden":
        # The admin treats another writer's review as not there at all.
        assert get.status_code == 302
        assert get["Location"] == reverse("admin:index")
        assert post.status_code == 302
        assert review.headline == "Original headline"
    elif expected == "login":
        assert get.status_code == 302
        assert "/admin/login/" in get["Location"]
        assert post.status_code == 302
        assert "/admin/login/" in post["Location"]
        assert review.headline == "Original headline"
    else:
        assert get.status_code == post.status_code == expected
        assert review.headline == "Original headline"


@pytest.mark.parametrize("state", [S.IN_REVIEW, S.ARCHIVED])
def test_a_review_shown_read_only_links_nowhere_that_refuses_its_reader(as_role, people, state):
    # The hero is the editor's: the writer may view it in the library, not change it.
    hero = poster_image(alt="The dancer", uploaded_by=people["editor"])
    film = FilmFactory(title="Ballerina")
    review = make_review(people["author"], state, film=film, hero=hero)
    client = as_role("author")
    html = page(client.get(url("change", review.pk)))
    assert not find_all(html, "input", name="headline")  # read-only for them

    author = [
        row for row in find_all(html, "div", cls="form-row") if text(row).startswith("Author:")
    ]
    assert [text(row) for row in author] == ["Author: Wanda Writer"]
    assert not find_all(author[0], "a")  # their user page would answer 403

    admin_links = {
        href for _, href in links(html) if href.startswith("/") and "/static/" not in href
    }
    assert reverse("admin:films_film_change", args=[film.pk]) in admin_links
    assert reverse("admin:images_image_change", args=[hero.pk]) in admin_links

    def answer(href) -> int:
        """The status, through a redirect to a page of its own ("Your profile"), not one to
        the admin's index or the sign-in page (how the admin refuses)."""
        response = client.get(href)
        if response.status_code == 302 and response["Location"].split("?")[0] not in (
            reverse("admin:index"),
            reverse("admin:login"),
        ):
            return client.get(response["Location"]).status_code
        return response.status_code

    refused = {href: answer(href) for href in admin_links}
    assert {href: status for href, status in refused.items() if status != 200} == {}


def test_the_status_and_date_are_not_in_the_form(as_role, people):
    review = make_review(people["author"])
    response = as_role("editor").get(url("change", review.pk))
    html = response.content.decode()
    assert 'name="status"' not in html
    assert 'name="published_at_0"' not in html
    assert "Draft" in html  # shown read-only


def test_a_writer_cannot_publish_by_posting_the_status(as_role, people):
    review = make_review(people["author"])
    client = as_role("author")
    data = {
        **form_data(client.get(url("change", review.pk))),
        "status": "published",
        "published_at_0": "2025-01-01",
        "published_at_1": "09:00",
        "is_featured": "on",
    }
    response = client.post(url("change", review.pk), data)
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == S.DRAFT
    assert review.published_at is None
    assert not review.features.exists()


def test_a_writer_writes_only_as_themselves(as_role, people):
    review = make_review(people["author"])
    client = as_role("author")
    data = {**form_data(client.get(url("change", review.pk))), "author": str(people["editor"].pk)}
    response = client.post(url("change", review.pk), data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    review.refresh_from_db()
    assert review.author == people["author"]


# Transitions through the admin: each group × each action, by crafted POST -----------------

SOURCE_STATE = {
    "submit": S.DRAFT,
    "request_changes": S.IN_REVIEW,
    "publish": S.IN_REVIEW,
    "unpublish": S.PUBLISHED,
    "archive": S.PUBLISHED,
    "unarchive": S.ARCHIVED,
}
TARGET = {
    "submit": S.IN_REVIEW,
    "request_changes": S.DRAFT,
    "publish": S.PUBLISHED,
    "unpublish": S.DRAFT,
    "archive": S.ARCHIVED,
    "unarchive": S.DRAFT,
}
# What each group gets: "done", "refused" (302 back with the model's message), 404 (a review
# they cannot see), 403, or "login".
OUTCOME = {
    "author": {"submit": "done"},
    "other writer": {},
    "editor": dict.fromkeys(ACTIONS, "done"),
    "superuser": dict.fromkeys(ACTIONS, "done"),
    "moderator": dict.fromkeys(ACTIONS, 403),
    "anonymous": dict.fromkeys(ACTIONS, "login"),
}


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", list(OUTCOME))
def test_transition_permission_matrix(as_role, people, role, action):
    state = SOURCE_STATE[action]
    review = make_review(people["author"], state)
    expected = OUTCOME[role].get(action)
    if expected is None:
        # A writer may see their own review but not take editors' steps; another writer's
        # reviews do not exist for them.
        expected = "refused" if role == "author" else 404
    client = as_role(role)
    response = client.post(transition_url(review, action), {"note": "Fix the intro."})
    review.refresh_from_db()

    if expected == "done":
        assert response.status_code == 302
        assert review.status == TARGET[action]
        assert review.transitions.get().actor == people[role]
        return
    assert review.status == state, "a refused transition changes nothing"
    assert not review.transitions.exists()
    if expected == "refused":
        assert response.status_code == 302
        message = messages_of(client.get(response["Location"]))
        assert any("may not" in m for m in message), message
    elif expected == "login":
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]
    else:
        assert response.status_code == expected


def test_transition_urls_refuse_get_and_unknown_actions(as_role, people):
    review = make_review(people["author"], S.IN_REVIEW)
    client = as_role("editor")
    assert client.get(transition_url(review, "publish")).status_code == 302
    assert client.post(transition_url(review, "delete_everything")).status_code == 404
    review.refresh_from_db()
    assert review.status == S.IN_REVIEW


def test_a_transition_from_the_wrong_state_shows_the_models_message(as_role, people):
    review = make_review(people["author"], S.ARCHIVED)
    client = as_role("editor")
    response = client.post(transition_url(review, "publish"), follow=True)
    assert response.status_code == 200
    assert any("archived → published" in m for m in messages_of(response))


def test_request_changes_needs_a_note_and_shows_it_in_the_audit_trail(as_role, people):
    review = make_review(people["author"], S.IN_REVIEW)
    client = as_role("editor")
    response = client.post(transition_url(review, "request_changes"), {"note": " "}, follow=True)
    assert any("the note is required" in m for m in messages_of(response))
    review.refresh_from_db()
    assert review.status == S.IN_REVIEW

    client.post(transition_url(review, "request_changes"), {"note": "Cut the second act."})
    writer_page = as_role("author").get(url("change", review.pk)).content.decode()
    trail = writer_page[writer_page.index('id="audit-title"') :]
    assert "Cut the second act." in trail
    assert "Edie Editor" in trail
    assert "In review" in trail
    assert "Draft" in trail
    assert "Times in UTC" in trail


def test_scheduling_through_the_admin_in_the_site_time_zone(as_role, people, settings):
    settings.TIME_ZONE = "Europe/London"
    review = make_review(people["author"], S.IN_REVIEW)
    client = as_role("editor")
    page = client.get(url("change", review.pk)).content.decode()
    assert 'type="datetime-local" name="at"' in page
    assert "Europe/London" in page

    at = (timezone.localtime() + datetime.timedelta(days=3)).replace(
        hour=9, minute=30, second=0, microsecond=0
    )
    response = client.post(
        transition_url(review, "publish"), {"at": at.strftime("%Y-%m-%dT%H:%M")}, follow=True
    )
    review.refresh_from_db()
    assert review.status == S.SCHEDULED
    assert timezone.localtime(review.published_at).strftime("%H:%M") == "09:30"
    assert any("scheduled for" in m and "Europe/London" in m for m in messages_of(response))

    past = client.post(transition_url(review, "publish"), {"at": "2020-01-01T09:00"}, follow=True)
    assert any("in the future" in m for m in messages_of(past))
    assert 'value="2020-01-01T09:00"' in past.content.decode()  # the typed time, to mend
    nonsense = client.post(transition_url(review, "publish"), {"at": "soon"}, follow=True)
    assert nonsense.status_code == 200
    assert messages_of(nonsense)
    review.refresh_from_db()
    assert review.status == S.SCHEDULED


# Buttons: each state × each user, exactly the transitions they may make ---------------------

EDITOR_BUTTONS = {
    S.DRAFT: {"submit", "publish"},
    S.IN_REVIEW: {"request_changes", "publish"},
    S.SCHEDULED: {"publish", "unpublish"},
    S.PUBLISHED: {"publish_changes", "unpublish", "archive"},
    S.ARCHIVED: {"unarchive"},
}
WRITER_BUTTONS = {S.DRAFT: {"submit"}, S.IN_REVIEW: {"withdraw"}, S.PUBLISHED: {"submit_changes"}}


@pytest.mark.parametrize("state", list(S))
@pytest.mark.parametrize("role", ["editor", "author"])
def test_buttons_by_state(as_role, people, role, state):
    review = make_review(people["author"], state)
    response = as_role(role).get(url("change", review.pk))
    assert response.status_code == 200
    html = response.content.decode()
    expected = (EDITOR_BUTTONS if role == "editor" else WRITER_BUTTONS).get(state, set())
    assert buttons(html) == expected
    # Each button posts with a CSRF token: its own form's, or the change form's.
    assert 'name="csrfmiddlewaretoken"' in html
    if "request_changes" in expected:
        assert '<textarea name="note"' in html
    if "publish" in expected:
        assert "Schedule…" in html


# Bulk actions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "action", "published"),
    [
        ("editor", "publish_selected", True),
        ("author", "publish_selected", False),
    ],
)
def test_bulk_publish(as_role, people, role, action, published):
    reviews = [make_review(people["author"], S.IN_REVIEW) for _ in range(2)]
    response = as_role(role).post(
        url("changelist"),
        {
            "action": action,
            "_selected_action": [r.pk for r in reviews],
            "post": "yes",
        },
    )
    assert response.status_code == 302 if published else 200  # not an action writers have
    statuses = set(
        Review.objects.filter(pk__in=[r.pk for r in reviews]).values_list("status", flat=True)
    )
    assert statuses == ({S.PUBLISHED} if published else {S.IN_REVIEW})
    if published:
        assert all(r.transitions.get().actor == people["editor"] for r in reviews)


def test_a_writer_is_not_offered_bulk_publish(as_role, people):
    make_review(people["author"])
    html = as_role("author").get(url("changelist")).content.decode()
    assert "publish_selected" not in html
    assert "archive_selected" not in html


def test_bulk_archive_archives_what_it_may_and_says_why_not_for_the_rest(as_role, people):
    live = make_review(people["author"], S.PUBLISHED, headline="Live one")
    draft = make_review(people["author"], S.DRAFT, headline="Draft one")
    response = as_role("editor").post(
        url("changelist"),
        {
            "action": "archive_selected",
            "_selected_action": [live.pk, draft.pk],
            "post": "yes",
        },
        follow=True,
    )
    live.refresh_from_db()
    draft.refresh_from_db()
    assert (live.status, draft.status) == (S.ARCHIVED, S.DRAFT)
    text = " ".join(messages_of(response))
    assert "1 review(s)" in text
    assert "Draft one" in text
    assert "draft" in text


# Queues, filters and the index ----------------------------------------------------------------


def test_queues(as_role, people):
    mine = make_review(people["editor"], S.DRAFT, headline="Edie's own draft")
    waiting = make_review(people["author"], S.IN_REVIEW, headline="Waiting piece")
    later = make_review(people["author"], S.SCHEDULED, headline="Later piece")
    live = make_review(people["author"], S.PUBLISHED, headline="Live piece")
    client = as_role("editor")
    for queue, expected in [("mine", mine), ("review", waiting), ("scheduled", later)]:
        html = client.get(url("changelist") + f"?queue={queue}").content.decode()
        table = html[html.index('id="result_list"') :]
        shown = {
            r.headline
            for r in (mine, waiting, later, live)
            if r.headline.replace("'", "&#x27;") in table
        }
        assert shown == {expected.headline}, queue
    html = client.get(url("changelist")).content.decode()
    for label in ("My drafts", "Awaiting review", "Scheduled"):
        assert label in html


# No lost edits ------------------------------------------------------------------------------


def test_a_stale_form_is_refused_and_keeps_the_typed_text(client, people):
    review = make_review(people["author"], S.IN_REVIEW, headline="Original")
    first, second = people["editor"], people["superuser"]
    client.force_login(second)
    stale = form_data(client.get(url("change", review.pk)))

    # Meanwhile the first editor saves.
    client.force_login(first)
    data = form_data(client.get(url("change", review.pk)))
    assert client.post(url("change", review.pk), {**data, "headline": "First's"}).status_code == 302

    client.force_login(second)
    typed = {
        **stale,
        "headline": "Second's careful headline",
        "intro": "A long intro the second editor typed.",
        "sections-0-body": "Second editor's section text.",
    }
    response = client.post(url("change", review.pk), typed)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Edie Editor changed this review at" in html
    assert "(UTC)" in html
    assert 'value="Second&#x27;s careful headline"' in html
    assert "A long intro the second editor typed." in html
    assert "Second editor&#x27;s section text." in html
    review.refresh_from_db()
    assert review.headline == "First's"


def test_a_transition_makes_an_open_form_stale(client, people):
    review = make_review(people["author"], S.IN_REVIEW)
    client.force_login(people["editor"])
    data = form_data(client.get(url("change", review.pk)))
    review.publish(by=people["superuser"])
    response = client.post(url("change", review.pk), {**data, "headline": "Too late"})
    assert response.status_code == 200
    assert "changed this review at" in response.content.decode()


def test_a_fresh_form_saves_and_records_a_revision(client, people):
    review = make_review(people["author"])
    client.force_login(people["author"])
    data = form_data(client.get(url("change", review.pk)))
    response = client.post(url("change", review.pk), {**data, "headline": "Better"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.headline == "Better"
    assert review.last_edited_by == people["author"]
    version = reversion.models.Version.objects.get_for_object(review).first()
    assert version.revision.user == people["author"]
    assert version.field_dict["headline"] == "Better"
    assert version.revision.version_set.count() == 3  # the review and its two sections


# Revisions in the admin -------------------------------------------------------------------


@pytest.fixture
def history(client, people):
    """A review edited through the admin twice: words changed, a section added and moved."""
    review = make_review(people["author"], S.IN_REVIEW, intro="The cat sat on the mat.")
    client.force_login(people["editor"])
    data = form_data(client.get(url("change", review.pk)))
    client.post(url("change", review.pk), data)  # the first stored version
    data = form_data(client.get(url("change", review.pk)))
    data.update(
        {
            "intro": "The dog sat on the mat.",
            "sections-0-position": "3",  # Plot moves after Cast
            "sections-1-body": "A fine, fine cast.",
            "sections-TOTAL_FORMS": "3",
            "sections-2-heading": "Verdict",
            "sections-2-position": "9",
            "sections-2-body": "Go.",
            "sections-2-anchor": "",
        }
    )
    response = client.post(url("change", review.pk), data)
    assert response.status_code == 302
    review.refresh_from_db()
    return review


def test_history_lists_versions_with_who_and_when(client, people, history):
    html = client.get(url("history", history.pk)).content.decode()
    assert html.count('name="old"') == 2
    assert "Edie Editor" in html
    assert "Times in UTC" in html
    assert "Compare selected versions" in html


def test_compare_shows_changed_words_and_section_kinds(client, history):
    new, old = [v.pk for v in reversion.models.Version.objects.get_for_object(history)[:2]]
    response = client.get(url("compare", history.pk), {"old": old, "new": new})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<del>cat</del><ins>dog</ins>" in html
    assert "A<ins> fine,</ins> fine cast." in html
    kinds = re.findall(r'<span class="diff-kind">([^<]+)</span>', html)
    assert kinds == ["moved and changed", "unchanged", "added"]
    assert "Verdict" in html
    assert "<ins>Go.</ins>" in html


def test_view_one_version_and_restore_it(client, people, history):
    old = reversion.models.Version.objects.get_for_object(history)[1]
    page = client.get(url("version", history.pk, old.pk))
    assert page.status_code == 200
    assert "The cat sat on the mat." in page.content.decode()
    assert "Restore this version" in page.content.decode()

    response = client.post(url("restore", history.pk, old.pk), follow=True)
    assert any("Restored the version" in m for m in messages_of(response))
    history.refresh_from_db()
    assert history.intro == "The cat sat on the mat."
    assert [(s.heading, s.body) for s in history.sections.all()] == [
        ("Plot", "The plot thickens."),
        ("Cast", "A fine cast."),
    ]
    assert history.status == S.IN_REVIEW
    assert reversion.models.Version.objects.get_for_object(history).count() == 3


def test_writers_may_not_restore(as_role, people, history):
    old = reversion.models.Version.objects.get_for_object(history)[1]
    history.request_changes(by=people["editor"], note="Again.")
    client = as_role("author")
    page = client.get(url("version", history.pk, old.pk)).content.decode()
    assert "Restore this version" not in page
    response = client.post(url("restore", history.pk, old.pk), follow=True)
    assert any("Only editors may restore" in m for m in messages_of(response))
    history.refresh_from_db()
    assert history.intro == "The dog sat on the mat."


def test_reversions_own_revert_and_recover_views_are_gone(client, history):
    old = reversion.models.Version.objects.get_for_object(history)[1]
    assert client.get(f"/admin/reviews/review/{history.pk}/history/{old.pk}/").status_code == 200
    assert client.get("/admin/reviews/review/recover/").status_code in (302, 404)
    html = client.get(url("changelist")).content.decode()
    assert "Recover deleted" not in html


def test_revision_pages_are_closed_to_moderators(as_role, history):
    client = as_role("moderator")
    assert client.get(url("history", history.pk)).status_code == 403
    old = reversion.models.Version.objects.get_for_object(history)[1]
    assert client.get(url("version", history.pk, old.pk)).status_code == 403
    assert client.post(url("restore", history.pk, old.pk)).status_code == 403


# Sections are re-orderable --------------------------------------------------------------------


def test_the_change_page_loads_the_section_ordering_script(as_role, people):
    review = make_review(people["author"])
    html = as_role("editor").get(url("change", review.pk)).content.decode()
    assert "/static/marquee-admin/js/section-order.js" in html
    assert "sortable-sections" in html


def test_a_save_racing_another_is_refused_the_same_way(client, people, monkeypatch):
    """The other save lands after our form's check but before our save: the model refuses."""
    from django import forms

    from reviews.admin.reviews import ReviewAdminForm

    review = make_review(people["author"], S.IN_REVIEW, headline="Original")
    client.force_login(people["superuser"])
    data = form_data(client.get(url("change", review.pk)))
    Review.objects.filter(pk=review.pk).update(
        version=review.version + 1,
        headline="The other save",
        last_edited_by=people["editor"],
    )
    # Our form's check ran before the other save landed: only the model's atomic check is left.
    checks = []
    real_clean = ReviewAdminForm.clean

    def clean_once_before_the_other_save(form):
        checks.append(form)
        return (forms.ModelForm.clean if len(checks) == 1 else real_clean)(form)

    monkeypatch.setattr(ReviewAdminForm, "clean", clean_once_before_the_other_save)
    response = client.post(url("change", review.pk), {**data, "headline": "Mine"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Edie Editor changed this review at" in html
    assert 'value="Mine"' in html
    review.refresh_from_db()
    assert review.headline == "The other save"


def test_view_on_site_only_for_public_reviews_and_preview_for_all(as_role, people):
    draft = make_review(people["author"])
    live = make_review(people["author"], S.PUBLISHED)
    client = as_role("editor")
    draft_page = client.get(url("change", draft.pk)).content.decode()
    live_page = client.get(url("change", live.pk)).content.decode()
    assert "View on site" not in draft_page
    assert "View on site" in live_page
    assert f'href="/reviews/{draft.slug}/preview/"' in draft_page
    assert "Published at" in live_page
    assert "(UTC)" in live_page


def test_publish_now_names_the_past_date_it_will_carry(
    as_role, people, django_capture_on_commit_callbacks
):
    """An intended publication date in the past dates the review by it (imported reviews): the
    workflow box says so on the button before the editor presses it; today's date, or none,
    leaves the button plain."""
    past = timezone.localdate() - datetime.timedelta(days=18)
    review = make_review(people["author"], S.IN_REVIEW, intended_date=past)
    editor = as_role("editor")

    def publish_buttons(review):
        box = find_all(page(editor.get(url("change", review.pk))), "section", cls="workflow-panel")
        return [
            button
            for button in find_all(box[0], "button")
            if attr(button, "value") == "publish" or text(button).startswith("Publish now")
        ]

    (button,) = publish_buttons(review)
    assert text(button) == f"Publish now, dated {past:%-d %b %Y}"
    help_text = find_all(page(editor.get(url("change", review.pk))), "p", id="publish-dated")
    assert past.strftime("%-d %b %Y") in text(help_text[0])
    # Only where there is a Publish now button: not to its writer, nor once it is live.
    writer_page = page(as_role("author").get(url("change", review.pk)))
    assert find_all(writer_page, "p", id="publish-dated") == []
    editor = as_role("editor")
    live = make_review(people["author"], S.PUBLISHED, intended_date=past)
    assert find_all(page(editor.get(url("change", live.pk))), "p", id="publish-dated") == []

    for intended in [timezone.localdate(), None]:
        plain = make_review(people["author"], S.IN_REVIEW, intended_date=intended)
        assert [text(b) for b in publish_buttons(plain)] == ["Publish now"]

    # The date it named is the one it carries.
    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(
            url("change", review.pk),
            {**form_data(editor.get(url("change", review.pk))), "_workflow": "publish"},
        )
    assert response.status_code == 302, errors(response)
    review.refresh_from_db()
    assert timezone.localdate(review.published_at) == past
