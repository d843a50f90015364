import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from films.models import CastCredit, CrewCredit, Department, Film
from reviews.models import Review, Section
from tests.factories import (
    CastCreditFactory,
    CrewCreditFactory,
    FilmFactory,
    PersonFactory,
    ReviewFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db

NOW = timezone.now()
HOUR = datetime.timedelta(hours=1)


@pytest.mark.parametrize(
    ("status", "published_at", "public"),
    [
        (Review.Status.DRAFT, None, False),
        (Review.Status.DRAFT, NOW - HOUR, False),
        (Review.Status.IN_REVIEW, None, False),
        (Review.Status.SCHEDULED, NOW + HOUR, False),
        (Review.Status.SCHEDULED, NOW - HOUR, True),
        (Review.Status.PUBLISHED, NOW - HOUR, True),
        (Review.Status.ARCHIVED, NOW - HOUR, False),
    ],
)
def test_published_returns_only_what_the_public_may_see(status, published_at, public):
    review = ReviewFactory(status=status, published_at=published_at)
    assert (review in Review.objects.published()) is public
    assert review.is_public is public


def test_public_statuses_need_a_publication_date():
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewFactory(status=Review.Status.PUBLISHED, published_at=None)


@pytest.mark.parametrize("rating", [Decimal("0.5"), Decimal("3.5"), Decimal("5.0"), None])
def test_ratings_in_half_steps_are_accepted(rating):
    assert ReviewFactory(rating=rating).rating == rating


@pytest.mark.parametrize("rating", [Decimal("0.0"), Decimal("3.3"), Decimal("5.5")])
def test_other_ratings_are_refused_by_the_database(rating):
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewFactory(rating=rating)


def test_slugs_are_unique_and_derived_from_titles():
    first = ReviewFactory(headline="Same Headline")
    second = ReviewFactory(headline="Same Headline")
    assert (first.slug, second.slug) == ("same-headline", "same-headline-2")


def test_a_remade_title_gets_its_year_in_the_slug():
    FilmFactory(title="Ballerina", release_date=datetime.date(2023, 10, 6))
    remake = FilmFactory(title="Ballerina", release_date=datetime.date(2025, 6, 6))
    assert remake.slug == "ballerina-2025"
    assert remake.year == 2025
    assert remake.get_absolute_url() == "/films/ballerina-2025/"


def test_external_ids_are_unique_only_when_set():
    FilmFactory(tmdb_id=None, imdb_id="")
    FilmFactory(tmdb_id=None, imdb_id="")
    FilmFactory(tmdb_id=7, imdb_id="tt1")
    with pytest.raises(IntegrityError), transaction.atomic():
        FilmFactory(tmdb_id=7)
    with pytest.raises(IntegrityError), transaction.atomic():
        FilmFactory(imdb_id="tt1")


def test_a_person_may_hold_several_credits_on_one_film_but_not_the_same_one_twice():
    film, person = FilmFactory(), PersonFactory()
    CrewCreditFactory(film=film, person=person, department=Department.DIRECTING, job="Director")
    CrewCreditFactory(film=film, person=person, department=Department.WRITING, job="Screenplay")
    CastCreditFactory(film=film, person=person, character="Cameo")
    with pytest.raises(IntegrityError), transaction.atomic():
        CrewCreditFactory(film=film, person=person, department=Department.DIRECTING, job="Director")
    with pytest.raises(IntegrityError), transaction.atomic():
        CastCreditFactory(film=film, person=person, character="Cameo")
    assert film.crew_credits.count() == 2


def test_unknown_departments_are_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        CrewCreditFactory(department="Catering")


def test_a_reviewed_film_cannot_be_deleted():
    review = ReviewFactory(published=True)
    with pytest.raises(ProtectedError):
        review.film.delete()
    assert Film.objects.filter(pk=review.film.pk).exists()


def test_a_credited_person_cannot_be_deleted_but_a_film_takes_its_credits_along():
    credit = CastCreditFactory()
    with pytest.raises(ProtectedError):
        credit.person.delete()
    credit.film.delete()
    assert not CastCredit.objects.exists()
    credit.person.delete()


def test_markdown_is_rendered_when_saved():
    section = SectionFactory(heading="Plot: A Dance of Vengeance", body="Some *emphasis*.")
    assert section.body_html == "<p>Some <em>emphasis</em>.</p>"
    assert section.review.intro_html.startswith("<p>An <em>intro</em> paragraph.</p>")


def test_section_anchors_come_from_headings_and_stay_unique_within_a_review():
    review = ReviewFactory()
    first = SectionFactory(review=review, heading="Plot: A Dance of Vengeance and Betrayal")
    second = SectionFactory(review=review, heading="Plot: A Dance of Vengeance and Betrayal")
    other = SectionFactory(heading="Plot: A Dance of Vengeance and Betrayal")
    assert first.anchor == "plot-a-dance-of-vengeance-and-betrayal"
    assert second.anchor == "plot-a-dance-of-vengeance-and-betrayal-2"
    assert other.anchor == first.anchor
    first.heading = "Renamed"
    first.save()
    assert first.anchor == "plot-a-dance-of-vengeance-and-betrayal", "anchors stay stable"


def test_sections_come_back_in_position_order():
    review = ReviewFactory()
    SectionFactory(review=review, heading="Second", position=2)
    SectionFactory(review=review, heading="First", position=1)
    assert [s.heading for s in review.sections.all()] == ["First", "Second"]
    assert Section.objects.count() == 2


def test_crew_credit_str_and_department_choices():
    credit = CrewCreditFactory(job="Director")
    assert str(credit).endswith("(Director)")
    assert CrewCredit._meta.get_field("department").choices[0][0] == "Directing"
