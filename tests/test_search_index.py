"""Keeping the search index current, cheaply (issue 16, items 9 and 10).

- Importing a review rebuilds its search entry once, not once per section.
- A 2 MB review saves on PostgreSQL (a tsvector holds at most 1 MB) and stays searchable,
  beginning and end.
- Whatever changes a review's text (sections saved, deleted one by one or as a queryset, the
  review deleted, films renamed) changes what search finds.
"""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reviews.importers import import_review, parse_review
from reviews.models import Review
from reviews.search import engine, index
from tests.factories import FilmFactory, ReviewFactory, SectionFactory, StaffFactory

pytestmark = pytest.mark.django_db


def review_text(sections: int, headline: str = "A Long Review") -> str:
    lines = ["26/01/2025", headline, "**A dek**", "An intro paragraph."]
    for n in range(sections):
        lines += [f"**Part {n}**", f"Paragraph {n} about the tortoise{n} and its shell."]
    return "\n".join(lines)


def found(q: str) -> list[str]:
    return [review.headline for review in engine.search(q).reviews]


def test_importing_a_review_rebuilds_its_search_entry_once(monkeypatch):
    calls = []
    rebuild = index.reindex_review

    def counted(*args, **kwargs):
        calls.append(args)
        rebuild(*args, **kwargs)

    monkeypatch.setattr(index, "reindex_review", counted)

    import_review(
        parse_review(review_text(300)), film=FilmFactory(), author=StaffFactory(), publish=True
    )

    assert len(calls) == 1
    assert found("tortoise299") == ["A Long Review"]


def test_import_work_grows_linearly_with_sections():
    def queries(sections):
        with CaptureQueriesContext(connection) as captured:
            import_review(
                parse_review(review_text(sections, f"Review of {sections}")),
                film=FilmFactory(),
                author=StaffFactory(),
                publish=True,
            )
        return len(captured)

    small, large = queries(100), queries(400)
    assert large < small * 4.5  # was quadratic: each section rebuilt the whole entry


def test_a_two_megabyte_review_saves_and_is_searchable_end_to_end():
    paragraph = (
        "The camera lingers on the harbour while the score swells and the cast "
        "waits for a storm that never quite arrives. "
    ) * 20
    body = "\n\n".join([paragraph] * 1000) + "\n\nAt the very end, a zebrafinch."
    review = ReviewFactory(published=True, headline="Huge", intro="Start of the aardvark.")
    SectionFactory(review=review, heading="All of it", body=body)

    assert len(Review.objects.get(pk=review.pk).search_text) > 2_000_000
    assert found("aardvark") == ["Huge"]
    assert found("zebrafinch") == ["Huge"]
    assert found('"storm that never"') == ["Huge"]


def test_a_review_of_two_megabytes_of_distinct_words_still_saves():
    # 250,000 distinct words: far past PostgreSQL's 1 MB tsvector limit if indexed whole.
    text = " ".join(f"w{n:07d}" for n in range(250_000))
    review = ReviewFactory(published=True, headline="Huge", intro="Start of the aardvark.")
    SectionFactory(review=review, heading="All of it", body=text)

    assert found("aardvark") == ["Huge"]
    assert found("w0000001") == ["Huge"]


def test_deleting_sections_as_a_queryset_updates_the_index():
    review = ReviewFactory(published=True, headline="Kept")
    SectionFactory(review=review, body="The pangolin waits.")
    assert found("pangolin") == ["Kept"]

    review.sections.all().delete()

    assert found("pangolin") == []


def test_renaming_a_film_updates_its_reviews_and_deleting_a_review_removes_it():
    film = FilmFactory(title="Old Title")
    review = ReviewFactory(published=True, film=film, headline="Film review")
    film.title = "Okapi Nights"
    film.save()
    assert found("okapi") == ["Film review"]

    review.delete()
    assert found("okapi") == []


def test_update_search_index_rebuilds_after_writes_that_skip_save():
    review = ReviewFactory(published=True, headline="Bulk")
    Review.objects.filter(pk=review.pk).update(intro_html="<p>A capybara appears.</p>")
    assert found("capybara") == []

    call_command("update_search_index", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert found("capybara") == ["Bulk"]
    assert engine.search("capybra").corrected.text == "capybara"


def test_bulk_created_films_are_found_after_refresh_search_index():
    """The benchmark's generator (bench/data.py) bulk-creates films, which skips save(), and
    then calls Review.objects.refresh_search_index(): the films and their words are found."""
    from films.models import Film

    Film.objects.bulk_create([Film(title="Violin Echo 100", slug="violin-echo-100")])
    assert engine.search("vioiin echo").corrected is None  # its words are not known yet

    Review.objects.refresh_search_index()

    assert [f.title for f in engine.search("violin echo").films] == ["Violin Echo 100"]
    assert engine.search("vioiin echo").corrected.text == "violin echo"
