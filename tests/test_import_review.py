"""`manage.py import_review` and reviews.importers: the plain-text review format."""

import datetime
import re
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from reversion.models import Version

from reviews.importers import ReviewFormatError, parse_review, read_review_file
from reviews.models import Review, Section
from tests.factories import (
    FilmFactory,
    ReviewFactory,
    SectionFactory,
    SuperuserFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HEADINGS = [
    "Plot: A Dance of Vengeance and Betrayal",
    "Ana de Armas: A Star in Motion",
    "Choreography and Action: The Dance of Death",
    "The Villains: Deadly, Dangerous, and Relentless",
    "The Cinematic Style: A Beautiful, Brutal World",
    "Conclusion: A Beautifully Brutal Action Masterpiece",
]
BOM = b"\xef\xbb\xbf"


def import_review(path, *args: str) -> str:
    out = StringIO()
    call_command("import_review", str(path), *args, stdout=out)
    return out.getvalue()


def counts() -> tuple[int, int]:
    return Review.objects.count(), Section.objects.count()


@pytest.fixture
def ballerina():
    return FilmFactory(title="Ballerina", release_date=datetime.date(2025, 6, 6))


@pytest.fixture
def admin():
    return SuperuserFactory(username="admin")


@pytest.fixture
def write(tmp_path):
    def write_bytes(content: bytes, name: str = "review.txt"):
        path = tmp_path / name
        path.write_bytes(content)
        return path

    return write_bytes


def test_the_ballerina_review_is_imported_as_a_draft(seed_review_path, ballerina, admin):
    output = import_review(seed_review_path, "--film", ballerina.slug)

    review = Review.objects.get()
    assert output == (
        'Imported "BALLERINA: A JOHN WICK Story" (draft, 6 sections) '
        "→ /reviews/ballerina-a-john-wick-story/\n"
    )
    assert review.headline == "BALLERINA: A JOHN WICK Story"
    assert review.dek == "A Fierce, Graceful Revenge Tale Set in the Underworld"
    assert review.slug == "ballerina-a-john-wick-story"
    assert (review.film, review.author) == (ballerina, admin)
    assert (review.status, review.published_at) == (Review.Status.DRAFT, None)
    assert review.intended_date == datetime.date(2025, 1, 26)


def test_a_draft_import_keeps_the_files_date_for_its_publication(
    seed_review_path, ballerina, admin, client, settings
):
    """Without --publish the file's date is the intended date: shown in the admin, and used
    when an editor publishes the draft."""
    settings.TIME_ZONE = "Europe/Paris"
    import_review(seed_review_path, "--film", ballerina.slug)
    review = Review.objects.get()
    client.force_login(admin)
    html = client.get(reverse("admin:reviews_review_change", args=[review.pk])).content.decode()
    assert "intended for 26 Jan 2025" in html
    assert re.search(r'name="intended_date" value="(26/01/2025|2025-01-26)"', html)
    review.publish(by=admin)
    assert review.published_at == datetime.datetime(2025, 1, 26, tzinfo=ZoneInfo("Europe/Paris"))
    assert review in Review.objects.published()


def test_the_ballerina_intro_is_two_markdown_paragraphs(seed_review_path, ballerina, admin):
    import_review(seed_review_path, "--film", ballerina.slug)

    review = Review.objects.get()
    first, second = review.intro.split("\n\n")
    assert first.startswith("*Ballerina* (2025) is a thrilling action-packed film")
    assert first.endswith("the deadly dance of vengeance.")
    assert second.startswith("Set against the backdrop of a shadowy world of assassins")
    assert "*John Wick* franchise" in review.intro
    assert review.intro_html.count("<p>") == 2
    assert "<em>John Wick</em> franchise" in review.intro_html
    assert "*" not in review.intro_html


def test_the_ballerina_sections_come_in_order_with_their_paragraphs(
    seed_review_path, ballerina, admin
):
    import_review(seed_review_path, "--film", ballerina.slug)

    sections = list(Review.objects.get().sections.all())
    assert [section.heading for section in sections] == HEADINGS
    assert sections[0].anchor == "plot-a-dance-of-vengeance-and-betrayal"
    assert [section.body_html.count("<p>") for section in sections] == [3, 3, 3, 2, 2, 2]
    assert sections[0].body.startswith("The plot of *Ballerina* follows the journey")
    assert sections[-1].body.endswith("this film is sure to leave a lasting impression.")
    assert "<em>John Wick</em>" in sections[-1].body_html


def test_parse_review_gives_the_files_parts(seed_review_path):
    parsed = parse_review(read_review_file(seed_review_path))

    assert parsed.date == datetime.date(2025, 1, 26)
    assert parsed.headline == "BALLERINA: A JOHN WICK Story"
    assert parsed.dek == "A Fierce, Graceful Revenge Tale Set in the Underworld"
    assert len(parsed.intro.split("\n\n")) == 2
    assert [section.heading for section in parsed.sections] == HEADINGS


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(lambda text: text.replace(b"\n", b"\r\n"), id="crlf"),
        pytest.param(lambda text: BOM + text, id="bom"),
        pytest.param(lambda text: BOM + text.replace(b"\n", b"\r\n"), id="bom-crlf"),
    ],
)
def test_crlf_and_bom_files_read_the_same(seed_review_path, write, ballerina, admin, variant):
    path = write(variant(seed_review_path.read_bytes()))

    assert parse_review(read_review_file(path)) == parse_review(read_review_file(seed_review_path))
    import_review(path, "--film", ballerina.slug)
    review = Review.objects.get()
    assert review.headline == "BALLERINA: A JOHN WICK Story"
    assert "\r" not in review.intro + "".join(s.body for s in review.sections.all())
    assert review.sections.count() == 6


def test_publish_publishes_at_the_files_date_in_the_site_time_zone(
    seed_review_path, ballerina, admin, settings
):
    settings.TIME_ZONE = "Europe/Paris"

    output = import_review(seed_review_path, "--film", ballerina.slug, "--publish")

    review = Review.objects.get()
    assert "(published, 6 sections)" in output
    assert review.status == Review.Status.PUBLISHED
    assert review.published_at == datetime.datetime(2025, 1, 26, tzinfo=ZoneInfo("Europe/Paris"))
    assert review.published_at == datetime.datetime(2025, 1, 25, 23, tzinfo=datetime.UTC)
    assert review in Review.objects.published()
    entry = review.transitions.get()
    assert (entry.from_status, entry.to_status, entry.actor) == ("draft", "published", None)


def test_publishing_a_future_date_schedules_the_review(write, ballerina, admin):
    path = write(b"01/01/2999\nBallerina, revisited\nA paragraph.\n")

    output = import_review(path, "--film", ballerina.slug, "--publish")

    review = Review.objects.get()
    assert "(scheduled, 0 sections)" in output
    assert review.status == Review.Status.SCHEDULED
    assert review not in Review.objects.published()


def test_the_film_is_found_by_the_title_in_the_headline(seed_review_path, ballerina, admin):
    FilmFactory(title="Ballerina", release_date=datetime.date(2016, 12, 14))  # the animation
    FilmFactory(title="Story", release_date=datetime.date(2025, 1, 1))  # shorter title
    FilmFactory(title="Baller", release_date=datetime.date(2025, 1, 1))  # not a whole word

    import_review(seed_review_path)

    assert Review.objects.get().film == ballerina


@pytest.mark.parametrize(
    ("titles", "message"),
    [
        ([], "no film's title appears in the headline"),
        (["Ballerina", "John Wick"], "could be about several films"),
    ],
)
def test_without_film_none_or_several_matches_are_refused(seed_review_path, admin, titles, message):
    for title in titles:
        FilmFactory(title=title, release_date=datetime.date(2025, 6, 6))

    with pytest.raises(CommandError, match=message) as error:
        import_review(seed_review_path)

    assert "--film" in str(error.value)
    assert counts() == (0, 0)


def test_the_author_defaults_to_the_first_active_superuser(seed_review_path, ballerina):
    SuperuserFactory(username="retired", is_active=False)
    UserFactory(username="writer")
    first = SuperuserFactory(username="first")
    SuperuserFactory(username="second")

    import_review(seed_review_path, "--film", ballerina.slug)

    assert Review.objects.get().author == first


def test_author_picks_the_user_by_username(seed_review_path, ballerina, admin):
    writer = UserFactory(username="writer")

    import_review(seed_review_path, "--film", ballerina.slug, "--author", "writer")

    assert Review.objects.get().author == writer


def test_without_a_superuser_an_author_is_required(seed_review_path, ballerina):
    with pytest.raises(CommandError, match="pass --author USERNAME, or create a superuser"):
        import_review(seed_review_path, "--film", ballerina.slug)

    assert counts() == (0, 0)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "line 1: the file is empty"),
        (b"  \n\n\t\n", "line 1: the file is empty"),
        (
            b"Ballerina\nA headline\nText.\n",
            'line 1: expected the publication date as DD/MM/YYYY, found "Ballerina"',
        ),
        (b"2025-01-26\nA headline\nText.\n", "line 1: expected the publication date as DD/MM"),
        (
            b"31/02/2025\nA headline\nText.\n",
            'line 1: "31/02/2025" is not a real date (expected DD/MM/YYYY)',
        ),
        (
            b"00/01/2025\nA headline\nText.\n",
            'line 1: "00/01/2025" is not a real date (expected DD/MM/YYYY)',
        ),
        (b"26/01/2025\n", "line 2: no headline"),
        (b"26/01/2025\n   \nText.\n", "line 2: no headline"),
        (
            "26/01/2025\n🎬💥💥\nText.\n".encode(),
            'line 2: the headline "🎬💥💥" has no text, only decoration',
        ),
        (b"26/01/2025\n**A dek**\nText.\n", "line 2: expected the headline, found a bold line"),
        (b"26/01/2025\nA headline\n\n", "line 2: no review text after the headline"),
        (b"26/01/2025\nA headline\n**A dek**\n", "line 3: no review text after the dek"),
        (
            b"26/01/2025\nA headline\n**A dek**\nText.\n****\nMore.\n",
            "line 5: the bold line **** has no text in it",
        ),
        (
            b"26/01/2025\nA headline\nCaf\xe9 society.\n",
            "line 3: the file is not UTF-8 text (byte 0xe9 at column 4)",
        ),
    ],
)
def test_a_malformed_review_is_refused_by_line_and_nothing_is_written(
    write, ballerina, admin, content, message
):
    SectionFactory(review=ReviewFactory(film=ballerina))
    before = counts()

    with pytest.raises(CommandError, match=re.escape(message)):
        import_review(write(content), "--film", ballerina.slug)

    assert counts() == before


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--film", "nope"], "no film with slug 'nope'"),
        (["--film", "ballerina", "--author", "nobody"], "no user with username 'nobody'"),
    ],
)
def test_an_unknown_film_or_author_is_refused(seed_review_path, ballerina, admin, options, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        import_review(seed_review_path, *options)

    assert counts() == (0, 0)


def test_importing_the_same_review_twice_is_refused(seed_review_path, ballerina, admin):
    import_review(seed_review_path, "--film", ballerina.slug)
    before = counts()

    with pytest.raises(
        CommandError,
        match=re.escape(
            'a review with the slug "ballerina-a-john-wick-story" already exists: '
            '"BALLERINA: A JOHN WICK Story"'
        ),
    ):
        import_review(seed_review_path, "--film", ballerina.slug)

    assert counts() == before == (1, 6)


def test_a_missing_file_is_refused(tmp_path, ballerina, admin):
    with pytest.raises(CommandError, match="cannot read"):
        import_review(tmp_path / "missing.txt", "--film", ballerina.slug)


def test_the_format_details():
    parsed = parse_review(
        "01/02/2025\n"
        "\u200d🎬\ufe0f  Heat 🔥 and light 👍🏽\n"
        "\n"
        "An intro, **bold** in the middle.\n"
        "**one** and **two** make a paragraph, not a heading.\n"
        "\n"
        "**Empty section**\n"
        "**Full section**\n"
        "   A *paragraph*.   \n"
    )

    assert parsed.date == datetime.date(2025, 2, 1)
    assert parsed.headline == "Heat 🔥 and light"
    assert parsed.dek == ""
    assert parsed.intro == (
        "An intro, **bold** in the middle.\n\n**one** and **two** make a paragraph, not a heading."
    )
    assert [(s.heading, s.body) for s in parsed.sections] == [
        ("Empty section", ""),
        ("Full section", "A *paragraph*."),
    ]


def test_format_errors_carry_their_line():
    with pytest.raises(ReviewFormatError) as error:
        parse_review("26/01/2025\nHeadline\nText\n**  **\n")

    assert error.value.line == 4


def test_the_import_is_the_reviews_first_revision(seed_review_path, ballerina, admin):
    import_review(seed_review_path, "--film", ballerina.slug)

    review = Review.objects.get()
    (version,) = Version.objects.get_for_object(review)
    assert version.revision.user == admin
    assert version.revision.version_set.count() == 7  # the review and its six sections


@pytest.mark.parametrize("sections", [3, 600])
def test_the_search_entry_is_written_once_however_many_sections(write, ballerina, admin, sections):
    """Issue #16 item 10: a 1,200-section file took 39 s because each section rebuilt the
    review's search entry from every section before it. The import writes it once, at the end."""
    body = "\n".join(
        f"**Part {n}**\nThe {n}th part of a very long review." for n in range(sections)
    )
    path = write(
        f"26/01/2025\nA long one\n**Dek**\nThe intro.\n{body}\n".encode(),
    )
    with CaptureQueriesContext(connection) as queries:
        import_review(path, "--film", ballerina.slug)
    search_writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("UPDATE") and "search_text" in q["sql"]
    ]
    assert len(search_writes) == 1, search_writes[:3]
    review = Review.objects.get()
    assert review.sections.count() == sections
    assert f"The {sections - 1}th part" in review.search_text
