"""The admin as an editor uses it: lists, search, filters, forms, inlines and refused deletes."""

import datetime
import re
import uuid
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import slugify

from films.models import CastCredit, Department, Film, Person
from reviews.critics import Critic
from reviews.models import Review
from tests.factories import (
    CastCreditFactory,
    CollectionFactory,
    CrewCreditFactory,
    FilmFactory,
    GenreFactory,
    PersonFactory,
    ReviewFactory,
    SectionFactory,
    StaffFactory,
    SuperuserFactory,
    image_upload,
    poster_image,
    user_in_group,
)
from tests.test_pages import attr, find_all, page, text
from tests.test_workflow_admin import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = SuperuserFactory(username="edie")
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def ballerina():
    """Ballerina (2025), in the John Wick Collection, with cast, crew, a poster and a review."""
    action = GenreFactory(name="Action")
    film = FilmFactory(
        title="Ballerina",
        original_title="From the World of John Wick: Ballerina",
        release_date=datetime.date(2025, 6, 6),
        original_language="en",
        collection=CollectionFactory(name="John Wick Collection"),
        genres=[action],
        tmdb_id=541671,
        imdb_id="tt7181546",
        poster=poster_image(image_upload("ballerina.png", size=(200, 300))),
    )
    people = {
        name: PersonFactory(name=name)
        for name in [
            "Ana de Armas",
            "Anjelica Huston",
            "Keanu Reeves",
            "Len Wiseman",
            "Shay Hatten",
        ]
    }
    # Created out of billing order, on purpose.
    CastCreditFactory(film=film, person=people["Keanu Reeves"], character="John Wick", order=2)
    CastCreditFactory(film=film, person=people["Ana de Armas"], character="Eve Macarro", order=0)
    CastCreditFactory(
        film=film, person=people["Anjelica Huston"], character="The Director", order=1
    )
    CrewCreditFactory(
        film=film, person=people["Shay Hatten"], department=Department.WRITING, job="Screenplay"
    )
    CrewCreditFactory(
        film=film, person=people["Len Wiseman"], department=Department.DIRECTING, job="Director"
    )
    review = ReviewFactory(
        film=film,
        headline="Ballerina dances to John Wick's tune",
        dek="A spin-off that kicks",
        published=True,
        published_at=datetime.datetime(2025, 6, 10, 9, tzinfo=timezone.get_current_timezone()),
    )
    SectionFactory(review=review, heading="Plot", position=1)
    SectionFactory(review=review, heading="Action", position=2)
    return {"film": film, "people": people, "review": review, "genre": action}


@pytest.fixture
def other_film():
    drama = GenreFactory(name="Drama")
    film = FilmFactory(
        title="Quiet Rooms",
        release_date=datetime.date(2019, 3, 1),
        original_language="fr",
        genres=[drama],
    )
    ReviewFactory(
        film=film,
        headline="Rooms full of quiet",
        status=Review.Status.DRAFT,
        author=StaffFactory(username="walt", first_name="Walter", last_name="Brandt"),
    )
    return film


def admin_url(model, page: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)


def results(response) -> str:
    """The changelist's result table, as the editor sees it."""
    html = response.content.decode()
    match = re.search(r'<table id="result_list">.*?</table>', html, re.S)
    return match.group(0) if match else ""


def between(html: str, start: str, end: str) -> str:
    return html[html.index(start) : html.index(end, html.index(start))]


# Every page opens -----------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["film", "person", "genre", "collection", "review"])
def test_changelist_add_and_change_pages_open(editor, ballerina, model):
    obj = {
        "film": ballerina["film"],
        "person": ballerina["people"]["Ana de Armas"],
        "genre": ballerina["genre"],
        "collection": ballerina["film"].collection,
        "review": ballerina["review"],
    }[model]
    for url in (
        admin_url(type(obj), "changelist"),
        admin_url(type(obj), "add"),
        admin_url(type(obj), "change", obj.pk),
    ):
        response = editor.get(url)
        assert response.status_code == 200, url
    assert escape(str(obj)) in response.content.decode()


@pytest.mark.parametrize("model", ["film", "person", "review"])
def test_the_pages_that_post_from_scripts_read_the_csrf_token_with_one_shared_helper(
    editor, ballerina, model
):
    """The review, film and person forms post with fetch() (autosave, uploads, the chosen
    image's preview): the token comes from one script the page loads before those that use it."""
    obj = {
        "film": ballerina["film"],
        "person": ballerina["people"]["Ana de Armas"],
        "review": ballerina["review"],
    }[model]
    html = page(editor.get(admin_url(type(obj), "change", obj.pk)))
    own = [
        src.removeprefix("/static/")
        for src in (attr(script, "src") or "" for script in find_all(html, "script"))
        if src.startswith("/static/marquee-admin/")
    ]
    sources = {path: Path(finders.find(path)).read_text() for path in own}
    defines = [
        path
        for path, text in sources.items()
        if re.search(r"function csrfToken\b|\bcsrfToken = function", text)
    ]
    uses = [path for path, text in sources.items() if "marqueeAdmin.csrfToken(" in text]
    assert defines == ["marquee-admin/js/csrf.js"]  # once, not a copy in each script
    assert uses, "a page that posts from a script"
    assert all(own.index(path) > own.index(defines[0]) for path in uses)


# Lists, search and filters --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "field"),
    [
        ("/admin/reviews/feature/add/?review=abc", "review"),
        ("/admin/reviews/review/add/?film=abc", "film"),
        ("/admin/reviews/review/add/?tags=abc,2", "tags"),
        ("/admin/films/film/add/?collection=abc", "collection"),
        ("/admin/films/film/add/?genres=abc", "genres"),
        ("/admin/reviews/feature/add/?starts_at=zzz", "starts_at"),
        ("/admin/films/film/add/?release_date=zzz", "release_date"),
    ],
)
def test_an_add_page_ignores_a_query_value_its_chooser_cannot_be(editor, ballerina, page, field):
    """?film=abc was a 500 from the chooser widget, ?starts_at=zzz from the date-time one: the
    add page opens with the field empty."""
    response = editor.get(page)
    assert response.status_code == 200
    assert response.context["adminform"].form.initial.get(field) is None


def test_an_add_page_still_takes_a_good_query_value(editor, ballerina):
    film = Film.objects.get(title="Ballerina")
    response = editor.get(f"/admin/reviews/review/add/?film={film.pk}")
    assert response.context["adminform"].form.initial["film"] == str(film.pk)


def test_film_list_shows_year_collection_poster_and_counts(editor, ballerina, other_film):
    table = results(editor.get(admin_url(Film, "changelist")))
    row = between(table, "Ballerina", "</tr>")
    assert '<td class="field-year">2025</td>' in row
    assert "John Wick Collection" in row
    assert re.search(
        r'<img src="/media/library/\d{4}/\d{2}/ballerina[^"]*\.png" alt="" width="40" '
        r'height="60" loading="lazy">',
        row,
    )
    assert '<td class="field-cast_count">3</td>' in row
    assert '<td class="field-crew_count">2</td>' in row


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("?q=ballerina", "Ballerina"),
        ("?q=BALLERINA", "Ballerina"),
        ("?q=world+of+john+wick", "Ballerina"),  # original title
        ("?q=tt7181546", "Ballerina"),  # IMDb id
        ("?q=541671", "Ballerina"),  # TMDB id
        ("?q=quiet", "Quiet Rooms"),
        ("?year=2025", "Ballerina"),
        ("?year=2019", "Quiet Rooms"),
        ("?original_language=fr", "Quiet Rooms"),
    ],
)
def test_film_search_and_filters(editor, ballerina, other_film, query, found):
    table = results(editor.get(admin_url(Film, "changelist") + query))
    (other,) = {"Ballerina", "Quiet Rooms"} - {found}
    assert found in table
    assert other not in table


def test_film_filters_by_genre_and_collection(editor, ballerina, other_film):
    url = admin_url(Film, "changelist")
    genre = results(editor.get(f"{url}?genres__id__exact={ballerina['genre'].pk}"))
    assert "Ballerina" in genre
    assert "Quiet Rooms" not in genre
    collection = ballerina["film"].collection
    by_collection = results(editor.get(f"{url}?collection__id__exact={collection.pk}"))
    assert "Ballerina" in by_collection
    assert "Quiet Rooms" not in by_collection
    # The filter sidebar offers them.
    html = editor.get(url).content.decode()
    assert "By genres" in html
    assert "By collection" in html
    assert "By original language" in html


def test_a_non_numeric_search_does_not_break_the_tmdb_id_search(editor, ballerina):
    response = editor.get(admin_url(Film, "changelist") + "?q=tt7181546+dances")
    assert response.status_code == 200


def test_person_list_search_and_counts(editor, ballerina):
    keanu = ballerina["people"]["Keanu Reeves"]
    keanu.imdb_id, keanu.tmdb_id = "nm0000206", 6384
    keanu.photo = poster_image(image_upload("keanu.jpg", "JPEG", size=(300, 450)))
    keanu.save()
    url = admin_url(Person, "changelist")
    for query in ("?q=keanu", "?q=nm0000206", "?q=6384"):
        table = results(editor.get(url + query))
        assert "Keanu Reeves" in table, query
        assert "Ana de Armas" not in table, query
    row = between(results(editor.get(url)), "Keanu Reeves", "</tr>")
    assert re.search(
        r'<img src="/media/library/\d{4}/\d{2}/keanu[^"]*\.jpg" alt="" width="40" '
        r'height="60"',
        row,
    )
    assert '<td class="field-cast_count">1</td>' in row
    assert '<td class="field-crew_count">0</td>' in row


@pytest.mark.parametrize("model", ["genre", "collection"])
def test_genre_and_collection_lists_count_films_and_search(editor, ballerina, other_film, model):
    if model == "genre":
        url, name, other = admin_url(type(ballerina["genre"]), "changelist"), "Action", "Drama"
    else:
        CollectionFactory(name="Other Saga")
        url, name, other = (
            admin_url(type(ballerina["film"].collection), "changelist"),
            "John Wick Collection",
            "Other Saga",
        )
    row = between(results(editor.get(url)), name, "</tr>")
    assert '<td class="field-film_count">1</td>' in row
    table = results(editor.get(f"{url}?q={name.split()[0].lower()}"))
    assert name in table
    assert other not in table


@pytest.mark.parametrize(
    ("query", "found", "hidden"),
    [
        ("?q=dances", "Ballerina dances", "Rooms full of quiet"),  # headline
        ("?q=kicks", "Ballerina dances", "Rooms full of quiet"),  # dek
        ("?q=quiet+rooms", "Rooms full of quiet", "Ballerina dances"),  # film title
        ("?q=walt", "Rooms full of quiet", "Ballerina dances"),  # author username
        ("?status=draft", "Rooms full of quiet", "Ballerina dances"),
        ("?status=published", "Ballerina dances", "Rooms full of quiet"),
        ("?published_at__year=2025", "Ballerina dances", "Rooms full of quiet"),
        (
            "?published_at__year=2025&published_at__month=6",
            "Ballerina dances",
            "Rooms full of quiet",
        ),
    ],
)
def test_review_search_filters_and_date_hierarchy(
    editor, ballerina, other_film, query, found, hidden
):
    table = results(editor.get(admin_url(Review, "changelist") + query))
    assert found in table
    assert hidden not in table


def test_review_filters_by_author_and_film_genre(editor, ballerina, other_film):
    url = admin_url(Review, "changelist")
    walt = Review.objects.get(headline="Rooms full of quiet").author
    by_author = results(editor.get(f"{url}?author__id__exact={walt.pk}"))
    assert "Rooms full of quiet" in by_author
    assert "Ballerina dances" not in by_author
    by_genre = results(editor.get(f"{url}?film__genres__id__exact={ballerina['genre'].pk}"))
    assert "Ballerina dances" in by_genre
    assert "Rooms full of quiet" not in by_genre
    html = editor.get(url).content.decode()
    # The author filter offers only people who wrote reviews, not every account, by the names
    # the Author column shows, never a sign-in name.
    sidebar = between(html, 'id="changelist-filter"', "</nav>")
    assert f'?author__id__exact={walt.pk}">Walter Brandt</a>' in sidebar
    assert "walt<" not in sidebar
    assert "edie" not in sidebar


def test_review_list_columns(editor, ballerina):
    row = between(results(editor.get(admin_url(Review, "changelist"))), "Ballerina dances", "</tr>")
    review = ballerina["review"]
    assert "Ballerina (2025)" in row
    # The author by name (full name, else the critic's byline), never the username.
    author = review.author
    assert (author.get_full_name() or author.critic.display_name) in row
    assert "Published" in row
    assert "10 Jun 2025" in row
    assert '<td class="field-rating">4</td>' in row


def new_genre():
    return GenreFactory(name=f"Genre {uuid.uuid4().hex[:8]}")


@pytest.mark.parametrize(
    ("model", "make"),
    [
        (
            Film,
            lambda: (
                CastCreditFactory(
                    film=FilmFactory(collection=CollectionFactory(), genres=[new_genre()])
                ).film
            ),
        ),
        (Person, lambda: CrewCreditFactory().person),
        (Review, lambda: ReviewFactory(film=FilmFactory(genres=[new_genre()]))),
        (type(GenreFactory.build()), lambda: FilmFactory(genres=[new_genre()])),
        (type(CollectionFactory.build()), lambda: FilmFactory(collection=CollectionFactory())),
    ],
    ids=["film", "person", "review", "genre", "collection"],
)
def test_changelists_make_no_query_per_row(editor, model, make):
    make()
    url = admin_url(model, "changelist")
    editor.get(url)  # warm the session and content types
    with CaptureQueriesContext(connection) as few:
        assert editor.get(url).status_code == 200
    for _ in range(6):
        make()
    with CaptureQueriesContext(connection) as many:
        response = editor.get(url)
    assert response.context["cl"].result_count >= 7
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


# Film and person forms ------------------------------------------------------------------------


def test_film_change_page_shows_cast_in_billing_order_crew_and_poster(editor, ballerina):
    film = ballerina["film"]
    html = editor.get(admin_url(Film, "change", film.pk)).content.decode()
    cast = between(html, 'id="cast_credits-group"', 'id="crew_credits-group"')
    positions = [cast.index(name) for name in ("Ana de Armas", "Anjelica Huston", "Keanu Reeves")]
    assert positions == sorted(positions)
    assert 'value="Eve Macarro"' in cast
    # People are picked through autocomplete, not a select of every person.
    assert 'data-field-name="person"' in cast
    assert "admin-autocomplete" in cast
    crew = between(html, 'id="crew_credits-group"', "</fieldset>")
    assert crew.index("Len Wiseman") < crew.index("Shay Hatten")  # Directing before Writing
    # Each department as TMDB names it, in the choice an editor picks from.
    assert '<option value="Costume &amp; Make-Up">Costume &amp; Make-Up</option>' in crew
    poster = film.poster.file.url
    assert re.search(
        rf'<img src="{re.escape(poster)}" alt="A poster" width="200" height="300"',
        html,
    )
    assert 'data-field-name="collection"' in html
    assert 'data-field-name="genres"' in html
    assert "From the World of John Wick: Ballerina" in html


def test_film_add_page_prepopulates_the_slug_and_has_no_poster_yet(editor, db):
    html = editor.get(admin_url(Film, "add")).content.decode()
    assert "prepopulate_init.js" in html
    assert "&quot;#id_slug&quot;" in html
    assert "&quot;#id_title&quot;" in html
    assert "No poster yet." in html


def form_errors(response) -> list:
    """The errors an admin form page shows (the form's and its inlines')."""
    if response.context is None:
        return []
    return [response.context["adminform"].form.errors] + [
        inline.formset.errors + inline.formset.non_form_errors()
        for inline in response.context["inline_admin_formsets"]
    ]


def management_form(prefix: str, total: int, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_adding_a_film_with_cast_through_the_admin(editor, ballerina):
    ana = ballerina["people"]["Ana de Armas"]
    data = {
        "title": "Ballerina",
        "slug": "",
        "original_title": "",
        "tagline": "",
        "release_date": "2026-01-02",
        "runtime": "",
        "certification": "",
        "original_language": "en",
        "synopsis": "",
        "tmdb_id": "",
        "imdb_id": "",
        **management_form("cast_credits", 1),
        "cast_credits-0-person": str(ana.pk),
        "cast_credits-0-character": "Eve",
        "cast_credits-0-order": "0",
        **management_form("crew_credits", 0),
    }
    response = editor.post(admin_url(Film, "add"), data)
    assert response.status_code == 302, form_errors(response)
    film = Film.objects.get(release_date=datetime.date(2026, 1, 2))
    assert film.slug == "ballerina-2026"  # left empty, made unique by the model
    assert [str(c) for c in film.cast_credits.all()] == ["Ana de Armas as Eve"]


def test_person_change_page_shows_photo_and_credits(editor, ballerina):
    ana = ballerina["people"]["Ana de Armas"]
    ana.photo = poster_image(image_upload("ana.png", size=(400, 600)), alt="Ana de Armas")
    ana.save()
    html = editor.get(admin_url(Person, "change", ana.pk)).content.decode()
    assert re.search(
        r'<img src="/media/library/\d{4}/\d{2}/ana[^"]*\.png" alt="Ana de Armas" '
        r'width="200" height="300"',
        html,
    )
    cast = between(html, 'id="cast_credits-group"', 'id="crew_credits-group"')
    assert "Ballerina (2025)" in cast
    assert 'value="Eve Macarro"' in cast


def test_autocomplete_finds_people_for_the_cast_and_films_for_reviews(editor, ballerina):
    url = reverse("admin:autocomplete")
    people = editor.get(
        url,
        {"app_label": "films", "model_name": "castcredit", "field_name": "person", "term": "keanu"},
    ).json()
    assert [r["text"] for r in people["results"]] == ["Keanu Reeves"]
    films = editor.get(
        url,
        {"app_label": "reviews", "model_name": "review", "field_name": "film", "term": "baller"},
    ).json()
    assert [r["text"] for r in films["results"]] == ["Ballerina (2025)"]


# Reviews --------------------------------------------------------------------------------------


def test_review_change_page_has_the_markdown_editor_for_intro_and_sections(editor, ballerina):
    html = editor.get(admin_url(Review, "change", ballerina["review"].pk)).content.decode()
    for name in ("intro", "sections-0-body", "sections-1-body"):
        textarea = re.search(rf'<textarea [^>]*name="{name}"[^>]*>', html)
        assert textarea, name
        tag = textarea.group(0)
        assert "markdownx-editor" in tag
        assert 'data-markdownx-urls-path="/markdownx/markdownify/"' in tag
        assert 'data-markdownx-upload-urls-path="/markdownx/upload/"' in tag
    assert html.count('<div class="markdownx">') >= 3
    assert html.count('<div class="markdownx-preview">') >= 3
    # markdownx's script and its admin stylesheet, and ours for sections added later.
    assert re.search(r'<script src="/static/markdownx/js/markdownx(\.min)?\.js"', html)
    assert re.search(r'href="/static/markdownx/admin/css/markdownx(\.min)?\.css"', html)
    assert "/static/marquee-admin/js/markdownx-inlines.js" in html
    # Sections in position order, with the position editable.
    sections = between(html, 'id="sections-group"', 'id="sections-empty"')
    assert sections.index("Plot") < sections.index("Action")
    assert 'name="sections-0-position"' in html


def test_review_add_page_defaults_the_author_to_the_current_user(editor, ballerina):
    html = editor.get(admin_url(Review, "add")).content.decode()
    author = between(html, 'name="author"', "</select>")
    name = re.escape(escape(editor.user.get_full_name()))  # its display name, not "edie"
    assert re.search(rf'<option value="{editor.user.pk}" selected>{name}</option>', author)
    assert 'data-field-name="film"' in html  # film is picked by autocomplete


def test_the_author_select_names_critics_by_their_display_name(editor, ballerina):
    """Each author by the name their reviews carry; the username only for those with none."""
    dokafor = StaffFactory(username="dokafor", first_name="Dayo", last_name="Okafor")
    Critic.objects.for_user(dokafor)  # made with the account's full name
    mara = StaffFactory(username="avance", first_name="Mara", last_name="V.")
    critic = Critic.objects.for_user(mara)
    critic.display_name = "Mara Vance"
    critic.save()
    nameless = StaffFactory(username="nobody", first_name="", last_name="")
    form = page(editor.get(admin_url(Review, "add")))
    (select,) = find_all(form, "select", name="author")
    shown = {attr(option, "value"): text(option) for option in find_all(select, "option")}
    assert shown[str(dokafor.pk)] == "Dayo Okafor"
    assert shown[str(mara.pk)] == "Mara Vance"
    assert shown[str(nameless.pk)] == "nobody"
    assert "dokafor" not in shown.values()
    names = [name for name in shown.values() if name in ("Dayo Okafor", "Mara Vance", "nobody")]
    assert names == ["Dayo Okafor", "Mara Vance", "nobody"]  # in the order of the names shown


def test_the_headline_and_dek_span_the_form(editor, ballerina):
    """The admin's text inputs are 20em wide; the headline and dek take the form's width."""
    form = page(editor.get(admin_url(Review, "change", ballerina["review"].pk)))
    for name in ["headline", "dek"]:
        (field,) = find_all(form, "input", name=name)
        assert "review-wide-input" in attr(field, "class").split(), name
    sheets = [attr(link, "href") for link in find_all(form, "link", rel="stylesheet")]
    assert "/static/marquee-admin/css/editor.css" in sheets
    css = Path(finders.find("marquee-admin/css/editor.css")).read_text()
    rule = re.search(r"\.review-wide-input\s*\{([^}]*)\}", css)
    assert rule, "editor.css sizes .review-wide-input"
    assert "width: 100%" in rule.group(1)


def review_form(film, author, **overrides) -> dict:
    data = {
        "film": str(film.pk),
        "headline": "Ballerina, again",
        "dek": "A second look",
        "slug": "",
        "author": str(author.pk),
        "intro": "An intro with *emphasis*.",
        "verdict": "",
        "rating": "3.5",
        "status": "draft",
        "published_at_0": "",
        "published_at_1": "",
        "comments_enabled": "on",
        **management_form("sections", 0),
    }
    data.update(overrides)
    return data


def test_a_new_review_with_another_reviews_headline_gets_the_next_free_slug(editor, ballerina):
    """The page fills the slug in from the headline as one types it: a headline another review
    has gives the next free address, not a refusal about a field nobody typed in."""
    ReviewFactory(headline="Ballerina, again", slug="ballerina-again")
    data = review_form(ballerina["film"], editor.user, slug="ballerina-again")
    response = editor.post(admin_url(Review, "add"), data)
    assert response.status_code == 302, form_errors(response)
    assert Review.objects.get(author=editor.user).slug == "ballerina-again-2"

    # An existing review changed to another's slug is still refused: its address is known.
    mine = Review.objects.get(author=editor.user)
    data = form_data(editor.get(admin_url(Review, "change", mine.pk)))
    response = editor.post(
        admin_url(Review, "change", mine.pk), {**data, "slug": "ballerina-again"}
    )
    assert response.status_code == 200
    assert "already exists" in str(form_errors(response))


@pytest.mark.parametrize(
    ("model", "data", "slug"),
    [
        ("genre", {"name": "Neo-noir", "tmdb_id": ""}, "neo-noir"),
        ("collection", {"name": "John Wick Collection", "tmdb_id": ""}, "john-wick-collection-2"),
    ],
)
def test_a_taken_slug_the_page_filled_in_becomes_the_next_free_one(
    editor, ballerina, model, data, slug
):
    model = {"genre": type(ballerina["genre"]), "collection": type(ballerina["film"].collection)}[
        model
    ]
    response = editor.post(admin_url(model, "add"), {"slug": slugify(data["name"]), **data})
    assert response.status_code == 302, form_errors(response)
    assert model.objects.get(slug=slug).name == data["name"]


def test_saving_a_review_with_two_sections_through_the_add_form(editor, ballerina):
    data = review_form(ballerina["film"], editor.user, **management_form("sections", 2))
    data.update(
        {
            "sections-0-heading": "Plot",
            "sections-0-position": "1",
            "sections-0-anchor": "",
            "sections-0-body": "# The story\n\nEve trains.<script>alert(1)</script>",
            "sections-1-heading": "Action",
            "sections-1-position": "2",
            "sections-1-anchor": "",
            "sections-1-body": "Fights with **knives**.",
        }
    )
    response = editor.post(admin_url(Review, "add"), data)
    assert response.status_code == 302, form_errors(response)
    review = Review.objects.get(headline="Ballerina, again")
    assert review.slug == "ballerina-again"
    assert review.author == editor.user
    assert review.intro_html == "<p>An intro with <em>emphasis</em>.</p>"
    sections = list(review.sections.all())
    assert [s.heading for s in sections] == ["Plot", "Action"]
    assert [s.anchor for s in sections] == ["plot", "action"]
    assert sections[0].body_html == "<h3>The story</h3>\n<p>Eve trains.</p>"
    assert sections[1].body_html == "<p>Fights with <strong>knives</strong>.</p>"


def test_reordering_sections_by_position(editor, ballerina):
    review = ballerina["review"]
    plot, action = review.sections.all()
    data = review_form(
        review.film,
        review.author,
        headline=review.headline,
        slug=review.slug,
        status="published",
        published_at_0="2025-06-10",
        published_at_1="09:00:00",
        base_version=str(review.version),
        **management_form("sections", 2, initial=2),
    )
    for i, (section, position) in enumerate([(plot, 5), (action, 1)]):
        data.update(
            {
                f"sections-{i}-id": str(section.pk),
                f"sections-{i}-review": str(review.pk),
                f"sections-{i}-heading": section.heading,
                f"sections-{i}-anchor": section.anchor,
                f"sections-{i}-position": str(position),
                f"sections-{i}-body": section.body,
            }
        )
    response = editor.post(admin_url(Review, "change", review.pk), data)
    assert response.status_code == 302, form_errors(response)
    # The review is live: the new order waits in its pending version.
    assert [s.heading for s in review.sections.all()] == ["Plot", "Action"]
    pending = sorted(review.pending.sections, key=lambda s: s["position"])
    assert [s["heading"] for s in pending] == ["Action", "Plot"]


def test_the_status_cannot_be_set_through_the_form(editor, ballerina):
    # Status changes only through the workflow's transitions (tests/test_workflow_admin.py).
    response = editor.post(
        admin_url(Review, "add"), review_form(ballerina["film"], editor.user, status="published")
    )
    assert response.status_code == 302, form_errors(response)
    assert Review.objects.get(headline="Ballerina, again").status == Review.Status.DRAFT


# Protected deletes ----------------------------------------------------------------------------


def test_a_film_with_reviews_cannot_be_deleted(editor, ballerina):
    film = ballerina["film"]
    url = admin_url(Film, "delete", film.pk)
    for response in (editor.get(url), editor.post(url, {"post": "yes"})):
        assert response.status_code == 200
        html = response.content.decode()
        assert "Cannot delete film" in html
        assert "A film cannot be deleted while reviews are written about it" in html
        assert "Ballerina dances to John Wick" in between(html, 'id="deleted-objects"', "</ul>")
    assert Film.objects.filter(pk=film.pk).exists()


def test_a_credited_person_cannot_be_deleted(editor, ballerina):
    keanu = ballerina["people"]["Keanu Reeves"]
    url = admin_url(Person, "delete", keanu.pk)
    for response in (editor.get(url), editor.post(url, {"post": "yes"})):
        assert response.status_code == 200
        html = response.content.decode()
        assert "Cannot delete person" in html
        assert "A person cannot be deleted while they hold cast or crew credits" in html
        assert "Keanu Reeves as John Wick" in html
    assert Person.objects.filter(pk=keanu.pk).exists()


@pytest.mark.parametrize("model", [Film, Person])
def test_bulk_delete_refuses_protected_rows(editor, ballerina, model):
    obj = ballerina["film"] if model is Film else ballerina["people"]["Len Wiseman"]
    spare = FilmFactory(title="Unreviewed") if model is Film else PersonFactory(name="Nobody")
    url = admin_url(model, "changelist")
    selection = {"action": "delete_selected", "_selected_action": [obj.pk, spare.pk]}
    for data in (selection, {**selection, "post": "yes"}):
        response = editor.post(url, data)
        assert response.status_code == 200
        html = response.content.decode()
        assert f"Cannot delete {model._meta.verbose_name_plural}" in html
        assert "cannot be deleted while" in html
    assert model.objects.filter(pk__in=[obj.pk, spare.pk]).count() == 2


def test_unprotected_film_and_person_can_be_deleted(editor, ballerina):
    film = FilmFactory(title="Unreviewed")
    credit = CastCreditFactory(film=film, person=PersonFactory(name="Only Here"))
    response = editor.post(admin_url(Film, "delete", film.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Film.objects.filter(pk=film.pk).exists()
    assert not CastCredit.objects.filter(pk=credit.pk).exists()  # credits go with the film
    response = editor.post(admin_url(Person, "delete", credit.person_id), {"post": "yes"})
    assert response.status_code == 302
    assert not Person.objects.filter(pk=credit.person_id).exists()


def test_new_sections_with_the_same_heading_get_distinct_anchors(editor, ballerina):
    data = review_form(ballerina["film"], editor.user, **management_form("sections", 2))
    for i in range(2):
        data.update(
            {
                f"sections-{i}-heading": "Plot",
                f"sections-{i}-position": str(i),
                f"sections-{i}-anchor": "",
                f"sections-{i}-body": f"Part {i}.",
            }
        )
    response = editor.post(admin_url(Review, "add"), data)
    assert response.status_code == 302, form_errors(response)
    review = Review.objects.get(headline="Ballerina, again")
    assert [s.anchor for s in review.sections.all()] == ["plot", "plot-2"]


def test_two_sections_given_the_same_anchor_are_a_form_error(editor, ballerina):
    data = review_form(ballerina["film"], editor.user, **management_form("sections", 2))
    for i in range(2):
        data.update(
            {
                f"sections-{i}-heading": f"Part {i}",
                f"sections-{i}-position": str(i),
                f"sections-{i}-anchor": "same",
                f"sections-{i}-body": "",
            }
        )
    response = editor.post(admin_url(Review, "add"), data)
    assert response.status_code == 200
    assert "Please correct the duplicate data for anchor" in response.content.decode()
    assert not Review.objects.filter(headline="Ballerina, again").exists()


def test_a_writer_can_open_the_review_form_and_find_films(client, ballerina):
    writer = user_in_group("Writers", username="wanda", first_name="Wanda", last_name="Writer")
    client.force_login(writer)
    html = client.get(admin_url(Review, "add")).content.decode()
    assert 'name="intro"' in html
    assert "markdownx-editor" in html
    author = between(html, 'name="author"', "</select>")
    assert re.search(rf'<option value="{writer.pk}" selected>Wanda Writer</option>', author)
    films = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "reviews",
            "model_name": "review",
            "field_name": "film",
            "term": "ball",
        },
    ).json()
    assert [r["text"] for r in films["results"]] == ["Ballerina (2025)"]


@pytest.mark.parametrize(
    ("model", "data", "slug"),
    [
        (
            Person,
            {
                "name": "Gabriel Byrne",
                "biography": "",
                "place_of_birth": "",
                "tmdb_id": "",
                "imdb_id": "",
                **management_form("cast_credits", 0),
                **management_form("crew_credits", 0),
            },
            "gabriel-byrne",
        ),
        ("genre", {"name": "Neo-noir", "tmdb_id": ""}, "neo-noir"),
        ("collection", {"name": "John Wick Collection", "tmdb_id": ""}, "john-wick-collection-2"),
    ],
)
def test_an_empty_slug_is_made_from_the_name(editor, ballerina, model, data, slug):
    model = {
        "genre": type(ballerina["genre"]),
        "collection": type(ballerina["film"].collection),
    }.get(model, model)
    response = editor.post(admin_url(model, "add"), {"slug": "", **data})
    assert response.status_code == 302, form_errors(response)
    assert model.objects.get(slug=slug).name == data["name"]
