"""Previews of unpublished reviews: for staff in the admin, and through share links."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from reviews.models import Review
from reviews.preview import create_share_link
from tests.factories import ReviewFactory, SectionFactory, SuperuserFactory, user_in_group

pytestmark = pytest.mark.django_db

NOINDEX = '<meta name="robots" content="noindex, nofollow">'
BANNER = "Preview — not published"


@pytest.fixture
def draft(writer):
    review = ReviewFactory(author=writer, headline="A draft nobody has read")
    SectionFactory(review=review, heading="The plot", body="It **twists**.")
    return review


def preview_url(review) -> str:
    return reverse("reviews:preview", kwargs={"slug": review.slug})


def assert_private(response):
    html = response.content.decode()
    assert NOINDEX in html
    assert "noindex" in response["X-Robots-Tag"]
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


# Staff previews -------------------------------------------------------------------------------


def test_the_public_page_of_a_draft_is_not_found(client, draft):
    assert client.get(draft.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("status", list(Review.Status))
def test_an_editor_previews_a_review_in_any_state(client, editor, writer, status):
    dated = status not in ("draft", "review")
    review = ReviewFactory(
        author=writer,
        status=status,
        published_at=(datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC) if dated else None),
    )
    client.force_login(editor)
    response = client.get(preview_url(review))
    assert response.status_code == 200
    html = response.content.decode()
    assert review.headline in html
    assert "Preview —" in html
    assert_private(response)


def test_the_preview_uses_the_public_template_with_a_banner(client, editor, draft):
    client.force_login(editor)
    response = client.get(preview_url(draft))
    assert "reviews/review_detail.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert BANNER in html
    assert "<strong>twists</strong>" in html
    assert reverse("admin:reviews_review_change", args=[draft.pk]) in html


def test_a_published_review_has_no_noindex_on_its_public_page(client, writer):
    review = ReviewFactory(author=writer, published=True)
    response = client.get(review.get_absolute_url())
    assert response.status_code == 200
    assert NOINDEX not in response.content.decode()
    assert BANNER not in response.content.decode()


def test_a_writer_previews_their_own_but_not_others(client, writer, draft):
    client.force_login(writer)
    assert client.get(preview_url(draft)).status_code == 200
    other = ReviewFactory(author=user_in_group("Writers", username="walt"))
    assert client.get(preview_url(other)).status_code == 403


def test_a_moderator_may_not_preview(client, draft):
    client.force_login(user_in_group("Moderators"))
    assert client.get(preview_url(draft)).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, draft):
    response = client.get(preview_url(draft))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_an_unknown_slug_is_not_found(client, editor):
    client.force_login(editor)
    assert client.get("/reviews/no-such-review/preview/").status_code == 404


def test_the_admin_change_page_links_to_the_preview(client, editor, draft):
    client.force_login(editor)
    html = client.get(reverse("admin:reviews_review_change", args=[draft.pk])).content.decode()
    assert f'href="{preview_url(draft)}"' in html


# Share links ----------------------------------------------------------------------------------


def test_a_share_link_shows_the_review_read_only_to_anyone(client, editor, draft):
    path = create_share_link(draft, editor).path
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert draft.headline in html
    assert BANNER in html
    assert "Back to the admin" not in html  # nothing for the staff-only reader
    assert_private(response)


def test_a_share_link_expires(client, editor, draft, settings):
    settings.MARQUEE_PREVIEW_LINK_DAYS = 7
    with time_machine.travel(datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.UTC), tick=False):
        path = create_share_link(draft, editor).path
    with time_machine.travel(datetime.datetime(2026, 3, 8, 11, tzinfo=datetime.UTC), tick=False):
        assert client.get(path).status_code == 200
    with time_machine.travel(datetime.datetime(2026, 3, 8, 13, tzinfo=datetime.UTC), tick=False):
        response = client.get(path)
    assert response.status_code == 410
    assert "This preview link has expired" in response.content.decode()
    assert draft.headline not in response.content.decode()
    assert_private(response)


def test_a_tampered_link_is_not_found(client, editor, draft):
    path = create_share_link(draft, editor).path
    token = path.rstrip("/").rsplit("/", 1)[1]
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    for bad in (tampered, "nonsense", "a:b:c"):
        response = client.get(reverse("reviews:shared_preview", kwargs={"token": bad}))
        assert response.status_code == 404
        assert "This preview link is not valid." in response.content.decode()
        assert draft.headline not in response.content.decode()


def test_regenerating_revokes_earlier_links(client, editor, draft):
    old = create_share_link(draft, editor).path
    new = create_share_link(draft, editor, regenerate=True).path
    response = client.get(old)
    assert response.status_code == 410
    assert "has been revoked" in response.content.decode()
    assert client.get(new).status_code == 200


def test_editors_create_and_regenerate_links_in_the_admin(client, editor, draft):
    client.force_login(editor)
    share = reverse("admin:reviews_review_share", args=[draft.pk])
    change = reverse("admin:reviews_review_change", args=[draft.pk])
    page = client.get(change).content.decode()
    assert "Create share link" in page

    response = client.post(share, follow=True)
    html = response.content.decode()
    first = re.search(r'href="(/preview/[^"]+/)"', html).group(1)
    assert "Regenerate share link" in html
    assert client.get(first).status_code == 200

    response = client.post(share, {"regenerate": "1"}, follow=True)
    second = re.search(r'href="(/preview/[^"]+/)"', response.content.decode()).group(1)
    assert second != first
    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 200


def test_writers_may_not_create_share_links(client, writer, draft):
    client.force_login(writer)
    page = client.get(reverse("admin:reviews_review_change", args=[draft.pk])).content.decode()
    assert "share link" not in page
    response = client.post(reverse("admin:reviews_review_share", args=[draft.pk]), follow=True)
    assert any("Only editors" in str(m) for m in response.context["messages"])
    draft.refresh_from_db()
    assert draft.share_key == ""


def test_a_superuser_can_share_too(client, draft):
    client.force_login(SuperuserFactory())
    response = client.post(reverse("admin:reviews_review_share", args=[draft.pk]))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.share_key
