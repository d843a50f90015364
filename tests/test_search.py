"""Search: reviews, films, people and critics; any query gives a page; nothing unpublished is found.

Runs on SQLite (the icontains fallback) and on PostgreSQL (full-text search); the tests marked
for PostgreSQL check what only it does: weights, ranking, stemming, the GIN index.
"""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reviews.models import Review
from tests.factories import (
    CastCreditFactory,
    CrewCreditFactory,
    FilmFactory,
    PersonFactory,
    ReviewFactory,
    SectionFactory,
)
from tests.test_pages import find, find_all, links, main_of, text

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text search needs PostgreSQL"
)


def search(client, q: str):
    response = client.get("/search/", {"q": q})
    assert response.status_code == 200, (q[:40], response.status_code)
    return response


def review_results(response) -> list[str]:
    main = main_of(response)
    return [text(h) for h in find_all(main, "h3", cls="search-result__title")]


def section_results(response, section_id: str) -> list[str]:
    main = main_of(response)
    found = [
        s
        for s in find_all(main, "section")
        if dict(s.attributes).get("aria-labelledby") == section_id
    ]
    return [name for name, _ in links(found[0])] if found else []


def published(**kwargs) -> Review:
    return ReviewFactory(published=True, **kwargs)


def test_search_finds_reviews_by_headline_dek_intro_sections_and_film_title(client):
    by_headline = published(headline="Marmalade diplomacy")
    by_dek = published(dek="A heist of marmalade proportions")
    by_intro = published(intro="Nobody expected the marmalade.")
    by_section = published()
    SectionFactory(review=by_section, heading="Jam", body="Thick-cut marmalade everywhere.")
    by_film = published(film=FilmFactory(title="Marmalade Skies"))
    published(headline="Nothing to see")

    found = review_results(search(client, "marmalade"))

    assert sorted(found) == sorted(
        r.headline for r in (by_headline, by_dek, by_intro, by_section, by_film)
    )


def test_what_a_spoiler_hides_is_neither_found_nor_shown_in_a_snippet(client):
    """A spoiler section's body and a `>!` spoiler in the text stay hidden in search too: the
    review is found by its other words, and its snippet never tells the twist."""
    review = published(intro="A marmalade caper.\n\n>! The butler is a marmalade smuggler.")
    SectionFactory(review=review, heading="Ending", body="Marmalade montmartre.", is_spoiler=True)

    assert review_results(search(client, "smuggler")) == []
    assert review_results(search(client, "montmartre")) == []
    response = search(client, "marmalade")
    assert review_results(response) == [review.headline]
    assert "smuggler" not in text(main_of(response))
    assert "montmartre" not in text(main_of(response)).lower()


def test_search_never_finds_what_is_not_public(client):
    now = timezone.now()
    published(headline="Public zebra")
    ReviewFactory(headline="Draft zebra")
    ReviewFactory(headline="In review zebra", status=Review.Status.IN_REVIEW)
    ReviewFactory(
        headline="Future zebra",
        status=Review.Status.SCHEDULED,
        published_at=now + datetime.timedelta(days=1),
    )
    ReviewFactory(
        headline="Archived zebra",
        status=Review.Status.ARCHIVED,
        published_at=now - datetime.timedelta(days=1),
    )

    response = search(client, "zebra")

    assert review_results(response) == ["Public zebra"]
    html = response.content.decode()
    for hidden in ("Draft zebra", "In review zebra", "Future zebra", "Archived zebra"):
        assert hidden not in html


def test_search_finds_films_by_title_original_title_and_people(client):
    by_title = FilmFactory(title="Kestrel Rising")
    by_original = FilmFactory(title="Hawk", original_title="Kestrel no Sora")
    by_cast = FilmFactory(title="Other")
    actor = PersonFactory(name="Ada Kestrel")
    CastCreditFactory(film=by_cast, person=actor)
    by_crew = FilmFactory(title="Another")
    CrewCreditFactory(film=by_crew, person=PersonFactory(name="Bo Kestrel"), job="Director")
    FilmFactory(title="Unrelated")

    response = search(client, "kestrel")

    assert sorted(section_results(response, "results-films")) == sorted(
        f.title for f in (by_title, by_original, by_cast, by_crew)
    )
    assert sorted(section_results(response, "results-people")) == ["Ada Kestrel", "Bo Kestrel"]


def test_search_snippets_mark_the_match_and_escape_the_text(client):
    published(intro="The <b>bold</b> & the brave: a tale of courage and **pluck**.")

    response = search(client, "courage")
    snippet = find(main_of(response), "p", cls="search-result__snippet")

    assert "<mark>courage</mark>" in response.content.decode()
    assert "courage" in text(snippet)
    assert "<b>bold</b>" not in response.content.decode()


def test_an_empty_search_shows_the_form(client):
    response = search(client, "")
    main = main_of(response)
    assert text(find(main, "h1")) == "Search Marquee"
    assert find(main, "input", name="q")


@pytest.mark.parametrize(
    "q",
    [
        "x" * 10_000,
        '"unbalanced quote',
        "'; DROP TABLE reviews_review; --",
        "a & b | !c",
        "foo:* & !bar",
        "<script>alert(1)</script>",
        "🎬💥 dance",
        "\x00\x01 nul",
        "%",
        "_",
        "   ",
        "((((",
        "-",
        "or",
        "the",
        "\\",
        "ü" * 300,
    ],
)
def test_any_query_gives_a_page(client, q):
    published(headline="A dance of death", intro="Pirouettes and bullets.")

    response = search(client, q)

    assert b"<script>alert(1)</script>" not in response.content


def test_a_long_query_is_capped(client):
    response = search(client, "dance " * 2000)
    assert "shortened to its first 200 characters" in text(main_of(response))


def test_search_runs_a_fixed_number_of_queries(client):
    def count(q):
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            search(client, q)
        return len(queries)

    first = published(headline="Otter one", film=FilmFactory(title="Otter film"))
    CastCreditFactory(film=first.film, person=PersonFactory(name="Otter Person"))
    small = count("otter")
    for n in range(10):
        film = FilmFactory(title=f"Otter film {n}")
        CastCreditFactory(film=film, person=PersonFactory(name=f"Otter Person {n}"))
        review = published(headline=f"Otter {n}", film=film)
        SectionFactory(review=review, body="otter otter")
    # Reviews (on SQLite ranked ids, rows, snippets; on PostgreSQL one statement), films (with
    # whether they have reviews), people, the people's credits, their other films, the cards of
    # the films shown: the same however many match.
    assert count("otter") == small <= 9


def more_link(response, label: str) -> str:
    """The href of the results page's "More reviews →" (say) link."""
    found = [href for name, href in links(main_of(response)) if name == label]
    assert len(found) == 1, (label, found)
    return "/search/" + found[0]


def test_a_kind_with_more_results_than_shown_counts_them_and_pages_the_rest(client):
    for n in range(23):
        published(headline=f"Marmalade heist {n:02}")
    ReviewFactory(headline="Marmalade draft")  # never public
    ReviewFactory(
        headline="Marmalade due tomorrow",
        status=Review.Status.SCHEDULED,
        published_at=timezone.now() + datetime.timedelta(days=1),
    )
    for n in range(14):
        FilmFactory(title=f"Marmalade {n:02}")
    for n in range(13):
        PersonFactory(name=f"Marmalade Person {n:02}")

    first = search(client, "marmalade")

    page = text(main_of(first))
    for heading, shown in (
        ("Reviews (23)", "20 of 23 reviews shown"),
        ("Films (14)", "12 of 14 films shown"),
        ("People (13)", "12 of 13 people shown"),
    ):
        assert heading in page
        assert shown in page
    found = {
        "reviews": review_results(first),
        **{
            kind: [n for n in section_results(first, f"results-{kind}") if n[:5] != "More "]
            for kind in ("films", "people")
        },
    }
    for kind, label in (
        ("reviews", "More reviews →"),
        ("films", "More films →"),
        ("people", "More people →"),
    ):
        address = more_link(first, label)
        assert address == f"/search/?q=marmalade&type={kind}&page=2"
        rest = client.get(address)
        main = main_of(rest)
        assert "Page 2 of 2" in text(main)
        assert not any(name.startswith("More ") for name, _ in links(main))
        if kind == "reviews":
            found[kind] += review_results(rest)
            assert section_results(rest, "results-films") == []
        else:
            found[kind] += section_results(rest, f"results-{kind}")
            assert review_results(rest) == []
    # Every public one once, over the two pages; nothing unpublished.
    assert sorted(found["reviews"]) == [f"Marmalade heist {n:02}" for n in range(23)]
    assert sorted(found["films"]) == [f"Marmalade {n:02}" for n in range(14)]
    assert sorted(found["people"]) == [f"Marmalade Person {n:02}" for n in range(13)]
    # A stale link past the last page leads to it.
    stale = client.get("/search/?q=marmalade&type=reviews&page=5")
    assert stale.status_code == 302
    assert stale["Location"] == "/search/?q=marmalade&type=reviews&page=2"


def test_a_kind_with_no_more_results_has_no_more_link(client):
    published(headline="Marmalade heist")
    page = search(client, "marmalade")
    assert "Reviews (1)" in text(main_of(page))
    assert not any(name.startswith("More ") for name, _ in links(main_of(page)))


def test_more_results_cost_no_more_queries(client):
    def statements(url):
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        return len(queries)

    def measure():
        return [
            statements("/search/?q=otter"),
            *(
                statements(f"/search/?q=otter&type={kind}&page=2")
                for kind in ("reviews", "films", "people")
            ),
        ]

    def add(count):
        for n in range(count):
            film = FilmFactory(title=f"Otter film {n}")
            CastCreditFactory(film=film, person=PersonFactory(name=f"Otter Person {n}"))
            published(headline=f"Otter {n}", film=film)

    add(25)
    small = measure()
    add(30)
    assert measure() == small


def count_statements(client, q: str, **params) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/search/", {"q": q, **params})
    assert response.status_code == 200
    return len(queries)


def test_a_search_with_no_word_to_correct_is_not_run_again(client):
    published(headline="Otter one", film=FilmFactory(title="Otter film"))
    # "zqxv" finds nothing, begins no known word and no known word is near it: after the
    # search as typed (exact=1 runs only that), two looks at the vocabulary (whether a word
    # begins with it; the words near it), not the whole search again.
    as_typed = count_statements(client, "zqxv", exact=1)
    assert count_statements(client, "zqxv") - as_typed <= 3


@on_postgresql
def test_the_did_you_mean_lookup_is_one_statement_for_all_words(client):
    film = FilmFactory(title="Otter film")
    CastCreditFactory(film=film, person=PersonFactory(name="Otter Person"))
    one_typo = count_statements(client, "otter persn")
    two_typos = count_statements(client, "ottr persn")
    assert "Showing results for" in text(main_of(search(client, "ottr persn")))
    assert one_typo == two_typos


def test_editing_a_section_updates_the_search_index(client):
    review = published(headline="Plain headline")
    section = SectionFactory(review=review, heading="Middle", body="Nothing special.")
    assert review_results(search(client, "narwhal")) == []

    section.body = "Suddenly, a narwhal."
    section.save()
    cache.clear()
    assert review_results(search(client, "narwhal")) == ["Plain headline"]

    section.delete()
    cache.clear()
    assert review_results(search(client, "narwhal")) == []


@on_postgresql
def test_postgres_ranks_headline_matches_above_body_matches(client):
    body = published(headline="Something else", intro="A passing mention of lighthouses.")
    headline = published(
        headline="Lighthouses at dusk",
        intro="Nothing more.",
        published_at=timezone.now() - datetime.timedelta(days=30),
    )
    dek = published(
        headline="Third",
        dek="Where lighthouses stand",
        published_at=timezone.now() - datetime.timedelta(days=10),
    )

    assert review_results(search(client, "lighthouse")) == [
        headline.headline,
        dek.headline,
        body.headline,
    ]


@on_postgresql
def test_postgres_stems_and_highlights(client):
    published(headline="Quiet", intro="She was dancing through the rain.")
    response = search(client, "dances")
    assert review_results(response) == ["Quiet"]
    assert "<mark>dancing</mark>" in response.content.decode()


@on_postgresql
def test_postgres_has_a_gin_index_on_the_search_vector():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'reviews_review' "
            "AND indexname = 'review_search_vector_gin'"
        )
        (definition,) = cursor.fetchone()
    assert "gin (search_vector)" in definition.lower()


@on_postgresql
def test_postgres_search_uses_the_index_for_the_match():
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM reviews_review "
            "WHERE search_vector @@ websearch_to_tsquery('english', 'dance')"
        )
        plan = " ".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
    assert "review_search_vector_gin" in plan


# Critics, by their display name -----------------------------------------------------------------


@pytest.fixture
def critics():
    """Nia Okafor and Helen Marsh have published reviews; Dora Draft has only a draft. No
    review mentions any of their names."""
    from reviews.critics import Critic
    from tests.factories import UserFactory

    found = {}
    for first, last in (("Nia", "Okafor"), ("Helen", "Marsh")):
        user = UserFactory(first_name=first, last_name=last)
        found[last] = Critic.objects.for_user(user)
        published(author=user, headline=f"Quiet film number {len(found)}")
    dora = UserFactory(first_name="Dora", last_name="Draft")
    ReviewFactory(author=dora, headline="Never shown")
    return found


def critic_results(response) -> list[tuple[str, str]]:
    main = main_of(response)
    found = [
        s
        for s in find_all(main, "section")
        if dict(s.attributes).get("aria-labelledby") == "results-critics"
    ]
    return links(find(found[0], "ul")) if found else []


@pytest.mark.parametrize("q", ["Okafor", "okafor", "nia okafor", "Nia Okafor", "okaf*"])
def test_a_critics_name_finds_their_page(client, critics, q):
    response = search(client, q)
    assert critic_results(response) == [("Nia Okafor", "/critics/nia-okafor/")]
    assert "Nothing found" not in response.content.decode()


def test_a_critics_name_typed_whole_puts_them_first(client, critics):
    main = main_of(search(client, "helen marsh"))
    assert text(find(main, "h2", cls="section-title")).startswith("Critics")
    assert critic_results(search(client, "helen marsh")) == [
        ("Helen Marsh", "/critics/helen-marsh/")
    ]


@pytest.mark.parametrize(
    ("q", "corrected"),
    [
        ("okafr", "okafor"),
        ("helen mash", "helen marsh"),
        ("okaf", "okaf*"),
        # The correction keeps the reader's case: the name as they wrote it, spelt right.
        ("Helen Mash", "Helen Marsh"),
        ("OKAFR", "OKAFOR"),
    ],
)
def test_a_critics_name_misspelt_or_begun_is_found_and_said_so(client, critics, q, corrected):
    response = search(client, q)
    assert critic_results(response)[0][1] in ("/critics/nia-okafor/", "/critics/helen-marsh/")
    assert text(find(main_of(response), cls="search-correction")).startswith(
        f"Showing results for {corrected}"
    )


def test_a_critic_with_only_drafts_is_not_found(client, critics):
    response = search(client, "dora draft")
    assert critic_results(response) == []
    assert "Nothing found" in response.content.decode()
    assert not [href for _, href in links(main_of(response)) if href.startswith("/critics/")]


def test_the_critics_kind_has_its_own_pages(client, critics):
    response = client.get("/search/", {"q": "okafor", "type": "critics"})
    assert response.status_code == 200
    assert critic_results(response) == [("Nia Okafor", "/critics/nia-okafor/")]


def test_a_renamed_critic_is_found_by_the_new_name_at_once(client, critics, committed):
    assert critic_results(search(client, "adaeze")) == []
    critic = critics["Okafor"]
    critic.display_name = "Adaeze Okafor"
    with committed():
        critic.save()
    assert critic_results(search(client, "adaeze")) == [("Adaeze Okafor", "/critics/nia-okafor/")]


@pytest.mark.django_db(transaction=True)
def test_a_critic_named_before_the_upgrade_is_found_misspelt_after_migrate_alone(client):
    """A critic whose name was written without passing through save() (as on a site from
    before critics' names joined the vocabulary) is found by a misspelt name after `migrate`,
    with no `update_search_index`."""
    from django.core.management import call_command

    from reviews.critics import Critic
    from tests.factories import UserFactory

    user = UserFactory(first_name="", last_name="")
    critic = Critic.objects.for_user(user)
    Critic.objects.filter(pk=critic.pk).update(display_name="Nia Okafor", slug="nia-okafor")
    published(author=user, headline="Quiet film")
    assert critic_results(search(client, "okafr")) == []

    quiet = {"verbosity": 0, "stdout": open("/dev/null", "w")}  # noqa: SIM115
    call_command("migrate", "reviews", "0039_critic_updated_at", **quiet)
    call_command("migrate", **quiet)

    cache.clear()
    response = search(client, "okafr")
    assert critic_results(response) == [("Nia Okafor", "/critics/nia-okafor/")]
    assert text(find(main_of(response), cls="search-correction")).startswith(
        "Showing results for okafor"
    )
