"""What a reader expects of search, on SQLite (FTS5) and PostgreSQL alike.

Phrases, prefixes, accents, typos and the "Showing results for" line; whole-word highlights
and snippets around them; exact titles first; films with reviews first; nothing unpublished
in results, snippets or corrections; any query gives a page.
"""

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviews.models import Review
from reviews.search import engine
from tests.factories import CastCreditFactory, FilmFactory, PersonFactory, ReviewFactory
from tests.test_pages import find, links, main_of, text
from tests.test_search import count_statements, review_results, search, section_results

pytestmark = pytest.mark.django_db


def published(**kwargs) -> Review:
    return ReviewFactory(published=True, **kwargs)


def snippet_html(response) -> str:
    return (
        response.content.decode().split('class="search-result__snippet">', 1)[1].split("</p>", 1)[0]
    )


def test_a_quoted_phrase_finds_the_words_together_only(client):
    together = published(headline="Together", intro="It is a dance of death in the snow.")
    published(headline="Apart", intro="A death, then later a dance in the snow.")

    assert review_results(search(client, '"dance of death"')) == [together.headline]
    assert sorted(review_results(search(client, "dance death"))) == ["Apart", "Together"]


def test_a_trailing_star_matches_word_starts(client):
    published(headline="Moves", intro="The dancers never stop.")

    assert review_results(search(client, "danc*")) == ["Moves"]
    # Without the star, as typed, it is no word; the page offers the words it begins.
    assert review_results(client.get("/search/", {"q": "danc", "exact": 1})) == []
    assert review_results(search(client, "danc")) == ["Moves"]


def test_accents_are_folded_both_ways(client):
    published(headline="Nordic", intro="Bill Skarsgård is terrifying.")
    published(headline="Plain", intro="Celine wrote it.")

    assert review_results(search(client, "skarsgard")) == ["Nordic"]
    assert review_results(search(client, "Céline")) == ["Plain"]


def test_stemmed_forms_match_and_are_marked_whole(client):
    published(headline="Quiet", intro="She was dancing through the rain.")

    response = search(client, "dances")

    assert review_results(response) == ["Quiet"]
    assert "<mark>dancing</mark>" in snippet_html(response)


def test_highlights_mark_whole_words_never_parts_of_words(client):
    published(
        headline="Parasite",
        intro="Bong Joon Ho turns a household into a battlefield. Ho keeps the tension high.",
    )

    snippet = snippet_html(search(client, "Bong Joon Ho"))

    assert "<mark>Ho</mark> turns" in snippet
    assert "<mark>ho</mark>" not in snippet.lower().replace("<mark>ho</mark> turns", "").replace(
        "<mark>ho</mark> keeps", ""
    )
    assert "household" in snippet
    assert "<mark>" not in snippet.split("household")[0][-8:]


def test_snippets_centre_on_the_match_not_on_stop_words(client):
    filler = " ".join(["The film and the cast of the year."] * 40)
    published(headline="Long", intro=f"{filler} At last the lighthouse appears. {filler}")

    snippet = snippet_html(search(client, "the lighthouse"))

    assert "<mark>lighthouse</mark>" in snippet
    assert "<mark>The</mark>" not in snippet
    assert "<mark>the</mark>" not in snippet


def test_snippets_are_escaped(client):
    published(intro="Proof that 1 < 2 & that `<b>courage</b>` is not markup.")

    snippet = snippet_html(search(client, "courage"))

    assert "1 &lt; 2 &amp; that" in snippet
    assert "<mark>courage</mark>" in snippet
    assert "<b>" not in snippet  # escaped on SQLite; ts_headline drops tag-like text


def test_a_misspelt_word_is_corrected_and_the_page_says_so(client):
    published(headline="Ballet", intro="A ballerina with a gun.")

    response = search(client, "balerina")
    main = main_of(response)

    assert review_results(response) == ["Ballet"]
    note = find(main, "p", cls="search-correction")
    assert "Showing results for ballerina" in text(note)
    ((label, href),) = links(note)
    assert label == "Search instead for “balerina”"
    exact = client.get(href)
    assert review_results(exact) == []
    assert "search-correction" not in exact.content.decode()


def test_one_typo_in_short_words_two_in_long_ones(client):
    film = FilmFactory(title="Villeneuve Retrospective")
    published(film=film, headline="Dunes", intro="Cinematographer extraordinaire.")

    assert review_results(search(client, "vilenueve")) == ["Dunes"]  # two edits, 10 letters
    assert review_results(search(client, "cinematograper")) == ["Dunes"]
    assert review_results(search(client, "dnues")) == ["Dunes"]  # a swap is one edit
    assert review_results(search(client, "dxxes")) == []


def correction_note(response) -> tuple[str, list[tuple[str, str]]]:
    """The "Showing results for …" line and its link, as a reader sees them."""
    note = find(main_of(response), "p", cls="search-correction")
    return text(note), links(note)


@pytest.mark.parametrize(
    ("typed", "meant", "film"),
    [
        ("jon wick", "john wick", "John Wick"),
        ("john wik", "john wick", "John Wick"),
        ("mad max fury rod", "mad max fury road", "Mad Max: Fury Road"),
        ("spirited awy", "spirited away", "Spirited Away"),
    ],
)
def test_a_typo_among_several_words_is_corrected_and_the_rest_kept(client, typed, meant, film):
    for title, headline in (
        ("John Wick", "A dog, a car"),
        ("Mad Max: Fury Road", "Chrome and sand"),
        ("Spirited Away", "The bathhouse"),
    ):
        published(film=FilmFactory(title=title), headline=headline)

    response = search(client, typed)

    assert section_results(response, "results-films")[:1] == [film]
    note, ((label, href),) = correction_note(response)
    assert f"Showing results for {meant} " in note
    assert label == f"Search instead for “{typed}”"
    assert section_results(client.get(href), "results-films") == []  # as typed: nothing


def test_a_misspelt_name_found_in_a_review_by_its_stem_finds_the_person(client):
    wick = FilmFactory(title="John Wick")
    CastCreditFactory(film=wick, person=PersonFactory(name="Keanu Reeves"))
    published(film=wick, headline="A dog, a car", intro="Keanu Reeves never stops.")
    ballerina = FilmFactory(title="Ballerina")
    CastCreditFactory(film=ballerina, person=PersonFactory(name="Ana de Armas"))
    published(film=ballerina, headline="Pointe", intro="Ana de Armas kicks.")
    published(headline="Rick and John", intro="John met Rick on the stairs.")

    # "reevs" and "reeves" are both "reev" to the stemmer, so the review matched as typed.
    for typed, meant, person, review in (
        ("keanu reevs", "keanu reeves", "Keanu Reeves", "A dog, a car"),
        ("ana de arma", "ana de armas", "Ana de Armas", "Pointe"),
    ):
        response = search(client, typed)
        assert section_results(response, "results-people") == [person], typed
        assert review_results(response) == [review]
        note, ((label, _href),) = correction_note(response)
        assert f"Showing results for {meant} " in note
        assert label == f"Search instead for “{typed}”"
    # Words spelt right are never corrected away, though "john wick" names a film.
    response = search(client, "john rick")
    assert review_results(response) == ["Rick and John"]
    assert "Showing results for" not in response.content.decode()
    # ... and are known at one look at the vocabulary.
    assert (
        count_statements(client, "john rick") - count_statements(client, "john rick", exact=1) == 1
    )


def test_words_only_in_unpublished_reviews_are_never_offered(client):
    now = timezone.now()
    published(headline="Public", intro="Nothing to see.")
    ReviewFactory(headline="Draft", intro="The zanzibarite conspiracy.")
    ReviewFactory(
        headline="Archived",
        intro="The quokkaland conspiracy.",
        status=Review.Status.ARCHIVED,
        published_at=now,
    )
    ReviewFactory(
        headline="Later",
        intro="The marmotville conspiracy.",
        status=Review.Status.SCHEDULED,
        published_at=now + datetime.timedelta(days=2),
    )

    for typo in ("zanzibarit", "quokkalamd", "marmotvile", "zanzibarite", "conspiracy"):
        response = search(client, typo)
        assert review_results(response) == []
        html = response.content.decode()
        assert "Showing results for" not in html
        for word in ("zanzibarite", "quokkaland", "marmotville"):
            assert word not in html.replace(typo, "")


def test_an_exact_title_comes_before_longer_titles(client):
    FilmFactory(title="John Wick: Chapter 2", release_date=datetime.date(2017, 2, 10))
    sequel = FilmFactory(title="John Wick: Chapter 4", release_date=datetime.date(2023, 3, 24))
    FilmFactory(title="John Wick", release_date=datetime.date(2014, 10, 24))
    published(film=sequel, headline="Stairs")

    films = section_results(search(client, "john wick"), "results-films")

    assert films[0] == "John Wick"
    assert films[1] == "John Wick: Chapter 4"  # reviewed, so before Chapter 2
    assert len(films) == 3


def test_people_with_reviewed_films_come_first(client):
    quiet = PersonFactory(name="Ana Quinn")
    known = PersonFactory(name="Ana Quint")
    film = FilmFactory(title="Seen")
    from tests.factories import CastCreditFactory

    CastCreditFactory(film=film, person=known)
    CastCreditFactory(film=FilmFactory(title="Unseen"), person=quiet)
    published(film=film)

    people = [p.name for p in engine.search("ana").people]

    assert people[:2] == ["Ana Quint", "Ana Quinn"]


def test_headline_matches_rank_above_body_matches(client):
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


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=60) | st.text(alphabet="\"*&|!():<>-+'\\ aé%_", max_size=30))
def test_any_text_gives_a_page_and_never_an_error(client, typed):
    if not Review.objects.exists():
        published(headline="A dance of death", intro="Pirouettes and bullets: *dance*!")
        PersonFactory(name="Zoë O'Dance-Smith")
    cache.clear()
    response = client.get("/search/", {"q": typed})
    assert response.status_code == 200
    suggestions = client.get("/search/suggest/", {"q": typed})
    assert suggestions.status_code == 200


def test_a_films_year_after_its_title_narrows_to_that_years_film(client):
    """Readers type a film as the site prints it, "Parasite (2019)"; the year is in no index,
    so it picks the film of that year instead of finding nothing."""
    new = FilmFactory(title="Suspiria", release_date=datetime.date(2018, 10, 26))
    old = FilmFactory(title="Suspiria", release_date=datetime.date(1977, 2, 1))
    published(film=old, headline="Argento's nightmare in colour")
    published(film=new, headline="A remake that dances")
    published(headline="The year in horror", intro="Suspiria opened in 1977 to shrieks.")

    for typed in ("suspiria 1977", "Suspiria (1977)"):
        response = search(client, typed)
        films = section_results(response, "results-films")
        assert films == ["Suspiria"], typed
        hrefs = [href for _, href in links(main_of(response))]
        assert old.get_absolute_url() in hrefs
        assert new.get_absolute_url() not in hrefs
        assert review_results(response) == ["Argento's nightmare in colour"]

    # Misspelt too; and a number that is part of the title is matched as it is.
    assert section_results(search(client, "suspira 2018"), "results-films") == ["Suspiria"]
    FilmFactory(title="Blade Runner 2049", release_date=datetime.date(2017, 10, 6))
    assert section_results(search(client, "blade runner 2049"), "results-films") == [
        "Blade Runner 2049"
    ]
    # A year alone is a word like any other.
    assert section_results(search(client, "1977"), "results-films") == []


def test_a_persons_name_lists_them_before_their_films_and_reviews(client):
    keanu = PersonFactory(name="Keanu Reeves")
    for title in ("John Wick", "The Matrix", "Speed"):
        CastCreditFactory(film=FilmFactory(title=title), person=keanu)
    published(headline="John Wick, again", intro="Keanu Reeves never stops.")

    def sections(q):
        html = search(client, q).content.decode()
        order = ["results-people", "results-reviews", "results-films"]
        return sorted((s for s in order if f'id="{s}"' in html), key=lambda s: html.index(s))

    assert sections("keanu reeves") == ["results-people", "results-reviews", "results-films"]
    # A film's title, or a word of a name, keeps the usual order.
    assert sections("john wick") == ["results-reviews", "results-films"]
    assert sections("keanu") == ["results-reviews", "results-films", "results-people"]


def test_a_misspelt_name_is_corrected_on_each_kinds_page_and_before_a_year(client):
    keanu = PersonFactory(name="Keanu Reeves")
    wick = FilmFactory(title="John Wick", release_date=datetime.date(2014, 10, 24))
    CastCreditFactory(film=wick, person=keanu)
    published(film=wick, headline="A dog, a car", intro="Keanu Reeves never stops.")

    # A kind's own page is corrected as the whole results are, though it shows no person.
    for kind in ("reviews", "films", "people"):
        response = client.get("/search/", {"q": "keanu reevs", "type": kind})
        note, _link = correction_note(response)
        assert "Showing results for keanu reeves " in note, kind
    response = search(client, "keanu reevs 2014")
    note, _link = correction_note(response)
    assert "Showing results for keanu reeves 2014 " in note
    assert section_results(response, "results-films") == ["John Wick"]


def test_a_persons_name_and_a_year_lists_that_years_films_before_them(client):
    keanu = PersonFactory(name="Keanu Reeves")
    wick = FilmFactory(title="John Wick", release_date=datetime.date(2014, 10, 24))
    CastCreditFactory(film=wick, person=keanu)
    CastCreditFactory(film=FilmFactory(release_date=datetime.date(1994, 6, 10)), person=keanu)
    published(film=wick, headline="A dog, a car", intro="Keanu Reeves never stops.")

    response = search(client, "keanu reeves 2014")

    assert section_results(response, "results-films") == ["John Wick"]
    html = response.content.decode()
    assert html.index('id="results-films"') < html.index('id="results-people"')
    html = search(client, "keanu reeves").content.decode()
    assert html.index('id="results-people"') < html.index('id="results-films"')


def test_enter_on_a_word_begun_finds_what_the_suggestions_offered(client):
    FilmFactory(title="Portrait of a Lady on Fire")

    response = search(client, "portr")

    assert section_results(response, "results-films") == ["Portrait of a Lady on Fire"]
    assert "Showing results for" in text(main_of(response))
    assert "portr*" in text(main_of(response))
