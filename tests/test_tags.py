"""Tags on reviews (#22 item 6): filed in the admin, shown as links, with public tag pages,
feeds and sitemap entries, and never a trace of an unpublished review."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from reviews.models import Review, Tag
from tests import test_workflow_admin
from tests.factories import ReviewFactory, SectionFactory, TagFactory
from tests.forms import page_form
from tests.test_workflow_admin import S, errors, messages_of, url

pytestmark = pytest.mark.django_db

people = test_workflow_admin.people
as_role = test_workflow_admin.as_role


def published(**kwargs) -> Review:
    return ReviewFactory(published=True, **kwargs)


def change_form(client, review=None):
    address = url("change", review.pk) if review else url("add")
    html = client.get(address).content.decode()
    action, fields = page_form(html, id="review_form")
    return html, action or address, fields


# The model API ----------------------------------------------------------------------------------


def test_named_finds_tags_by_slug_and_makes_the_missing_ones(people):
    revenge = TagFactory(name="Revenge")
    tags = Tag.objects.named(
        ["revenge", "  Keanu   Reeves ", "Revenge", "Cannes 2026"], by=people["author"]
    )
    assert [tag.name for tag in tags] == ["Revenge", "Keanu Reeves", "Cannes 2026"]
    assert tags[0] == revenge
    assert [tag.slug for tag in tags[1:]] == ["keanu-reeves", "cannes-2026"]


def test_only_users_allowed_to_add_tags_make_new_ones(people):
    TagFactory(name="Revenge")
    moderator = test_workflow_admin.user_in_group("Moderators", username="mo")
    assert Tag.objects.named(["Revenge"], by=moderator)[0].slug == "revenge"  # existing: fine
    with pytest.raises(PermissionDenied):
        Tag.objects.named(["Brand new"], by=moderator)
    with pytest.raises(PermissionDenied):
        Tag.objects.named(["Brand new"], by=None)
    assert not Tag.objects.filter(slug="brand-new").exists()
    with pytest.raises(ValidationError):
        Tag.objects.named(["!!!"], by=people["editor"])


def test_a_tag_is_public_only_through_a_published_review():
    now = timezone.now()
    shown, hidden = TagFactory(name="Shown"), TagFactory(name="Hidden")
    published(tags=[shown])
    ReviewFactory(tags=[hidden])  # draft
    ReviewFactory(tags=[hidden], status=S.SCHEDULED, published_at=now + datetime.timedelta(days=1))
    published(tags=[hidden], unpublish_at=now - datetime.timedelta(minutes=1))  # expired
    TagFactory(name="Unused")
    assert list(Tag.objects.public()) == [shown]


# In the admin -----------------------------------------------------------------------------------


def test_a_writer_files_a_draft_under_existing_and_new_tags_and_saves_again(as_role, people):
    revenge = TagFactory(name="Revenge")
    review = ReviewFactory(author=people["author"])
    SectionFactory(review=review, heading="Plot")
    writer = as_role("author")

    html, action, fields = change_form(writer, review)
    assert 'name="tags"' in html
    assert 'name="new_tags"' in html
    assert "admin-autocomplete" in html  # the tags' select is an autocomplete
    fields.update({"tags": [str(revenge.pk)], "new_tags": "Keanu Reeves, revenge, Ballet"})
    response = writer.post(action, fields)
    assert response.status_code == 302, errors(response)
    assert sorted(review.tags.values_list("name", flat=True)) == [
        "Ballet",
        "Keanu Reeves",
        "Revenge",
    ]

    # The form shows them chosen; saving it again as it stands keeps them and makes no more.
    html, action, fields = change_form(writer, review)
    assert sorted(fields["tags"]) == sorted(
        str(pk) for pk in review.tags.values_list("pk", flat=True)
    )
    assert fields["new_tags"] == ""
    response = writer.post(action, fields)
    assert response.status_code == 302, errors(response)
    assert review.tags.count() == 3
    assert Tag.objects.count() == 3

    # Taking two off.
    html, action, fields_now = change_form(writer, review)
    fields_now["tags"] = [str(revenge.pk)]
    assert writer.post(action, fields_now).status_code == 302
    assert list(review.tags.all()) == [revenge]


def test_the_tag_autocomplete_answers_writers(as_role, people):
    TagFactory(name="Revenge")
    TagFactory(name="Ballet")
    writer = as_role("author")
    response = writer.get(
        reverse("admin:autocomplete"),
        {"term": "rev", "app_label": "reviews", "model_name": "review", "field_name": "tags"},
    )
    assert response.status_code == 200
    assert [item["text"] for item in response.json()["results"]] == ["Revenge"]


def test_tags_of_a_live_review_wait_in_its_pending_version(as_role, people, client, committed):
    revenge, ballet = TagFactory(name="Revenge"), TagFactory(name="Ballet")
    review = published(author=people["author"], tags=[revenge])
    SectionFactory(review=review, heading="Plot")
    writer = as_role("author")
    _, action, fields = change_form(writer, review)
    fields.update({"tags": [str(ballet.pk)], "new_tags": "Dance"})
    response = writer.post(action, fields, follow=True)
    assert "pending version" in " ".join(messages_of(response))
    review.refresh_from_db()
    assert review.pending is not None
    assert list(review.tags.all()) == [revenge]  # readers still see the live version
    dance = Tag.objects.get(slug="dance")
    reader = type(client)()
    assert reader.get(dance.get_absolute_url()).status_code == 404
    assert reader.get(revenge.get_absolute_url()).status_code == 200

    # The writer's form shows the pending tags; the editor publishes them.
    _, _, fields = change_form(writer, review)
    assert sorted(fields["tags"]) == sorted([str(ballet.pk), str(dance.pk)])
    with committed():
        review.publish_changes(by=people["editor"])
    assert sorted(review.tags.values_list("name", flat=True)) == ["Ballet", "Dance"]
    assert reader.get(dance.get_absolute_url()).status_code == 200
    assert reader.get(revenge.get_absolute_url()).status_code == 404


# What readers see -------------------------------------------------------------------------------


def test_the_review_page_links_its_tags(client):
    revenge = TagFactory(name="Revenge")
    review = published(tags=[revenge])
    html = client.get(review.get_absolute_url()).content.decode()
    assert '<a class="tag tag--topic" href="/tags/revenge/" rel="tag">Revenge</a>' in html


def test_a_tag_page_lists_only_published_reviews_newest_first_paginated(client):
    now = timezone.now()
    tag = TagFactory(name="Revenge")
    shown = [
        published(tags=[tag], headline=f"Shown {n}", published_at=now - datetime.timedelta(days=n))
        for n in range(1, 15)
    ]
    ReviewFactory(tags=[tag], headline="Hidden draft")
    ReviewFactory(tags=[tag], headline="Hidden review", status=S.IN_REVIEW)
    ReviewFactory(
        tags=[tag],
        headline="Hidden future",
        status=S.SCHEDULED,
        published_at=now + datetime.timedelta(days=1),
    )
    published(headline="Untagged")

    first = client.get("/tags/revenge/")
    assert first.status_code == 200
    html = first.content.decode()
    assert "14 reviews tagged “Revenge”" in html
    assert [r.headline for r in first.context["reviews"]] == [r.headline for r in shown[:12]]
    assert "Hidden" not in html
    assert "Untagged" not in html
    assert 'href="/tags/revenge/feed/"' in html
    second = client.get("/tags/revenge/", {"page": 2})
    assert [r.headline for r in second.context["reviews"]] == ["Shown 13", "Shown 14"]
    assert "tag:" in first["Surrogate-Key"]
    assert f"tag:{tag.pk}" in first["Surrogate-Key"].split()


def test_a_tag_without_a_published_review_has_no_page_feed_or_sitemap_entry(client):
    tag = TagFactory(name="Secret")
    ReviewFactory(tags=[tag], headline="Secret draft")
    assert client.get("/tags/secret/").status_code == 404
    assert client.get("/tags/secret/feed/").status_code == 404
    assert client.get("/tags/secret/feed/atom/").status_code == 404
    assert client.get("/tags/nothing/").status_code == 404
    assert "/tags/secret/" not in client.get("/sitemap-tags.xml").content.decode()


def test_the_tag_feeds_carry_the_published_reviews(client):
    tag = TagFactory(name="Revenge")
    review = published(tags=[tag], headline="A tagged review")
    ReviewFactory(tags=[tag], headline="A tagged draft")
    published(headline="Another review")
    rss = client.get("/tags/revenge/feed/")
    assert rss.status_code == 200
    body = rss.content.decode()
    assert "<title>Marquee: reviews tagged Revenge</title>" in body
    assert "A tagged review" in body
    assert "A tagged draft" not in body
    assert "Another review" not in body
    atom = client.get("/tags/revenge/feed/atom/").content.decode()
    assert 'xmlns="http://www.w3.org/2005/Atom"' in atom
    assert review.headline in atom
    assert "A tagged draft" not in atom
    assert "/tags/revenge/" in client.get("/sitemap-tags.xml").content.decode()


def test_filing_renaming_and_publishing_retire_the_cached_tag_page(client, committed, people):
    tag = TagFactory(name="Revenge")
    with committed():
        review = published(tags=[tag], headline="First")
    assert "First" in client.get("/tags/revenge/").content.decode()
    # Cached now; each change shows at once.
    with committed():
        second = published(headline="Second")
        second.tags.add(tag)
    assert "Second" in client.get("/tags/revenge/").content.decode()
    with committed():
        tag.name = "Vengeance"
        tag.save()
    assert "Vengeance" in client.get("/tags/revenge/").content.decode()
    assert "Vengeance" in client.get(review.get_absolute_url()).content.decode()
    with committed():
        review.unpublish(by=people["editor"])
        second.unpublish(by=people["editor"])
    assert client.get("/tags/revenge/").status_code == 404


def test_a_scheduled_review_joins_its_tag_page_on_time_with_no_save(client, committed):
    import time_machine

    tag = TagFactory(name="Revenge")
    with committed():
        published(tags=[tag], headline="Already out")
        ReviewFactory(
            tags=[tag],
            headline="Out in an hour",
            status=S.SCHEDULED,
            published_at=timezone.now() + datetime.timedelta(hours=1),
        )
    assert "Out in an hour" not in client.get("/tags/revenge/").content.decode()
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=2)):
        assert "Out in an hour" in client.get("/tags/revenge/").content.decode()
        assert "Out in an hour" in client.get("/tags/revenge/feed/").content.decode()


def test_tag_admin_lists_and_edits_tags_for_editors(as_role, people):
    TagFactory(name="Revenge")
    editor = as_role("editor")
    assert "Revenge" in editor.get(reverse("admin:reviews_tag_changelist")).content.decode()
    moderator = test_workflow_admin.user_in_group("Moderators", username="mo")
    editor.force_login(moderator)
    assert editor.get(reverse("admin:reviews_tag_changelist")).status_code == 403
