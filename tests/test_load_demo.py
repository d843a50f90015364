"""`manage.py load_demo`: the demo content a fresh `make run` shows."""

import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.http import HttpRequest
from django.utils import timezone

from films.models import CastCredit, Collection, CrewCredit, Department, Film, Genre, Person
from films.tmdb_json import load_tmdb_file
from reviews.importers import parse_review, read_review_file
from reviews.models import Feature, Review, Section

pytestmark = pytest.mark.django_db

DEMO_DIR = Path(__file__).resolve().parent.parent / "reviews" / "demo"
MANIFEST = json.loads((DEMO_DIR / "manifest.json").read_text(encoding="utf-8"))
REVIEW_FILES = sorted((DEMO_DIR / "reviews").glob("*.txt"))
FILM_FILES = sorted((DEMO_DIR / "films").glob("*.tmdb.json"))


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def demo_slug(entry: dict) -> str:
    return Review.objects.get(headline=headline_of(entry["file"])).slug


def headline_of(file: str) -> str:
    return parse_review(read_review_file(DEMO_DIR / "reviews" / file)).headline


def test_refuses_without_debug_and_writes_nothing(settings):
    settings.DEBUG = False
    before = row_counts()

    with pytest.raises(CommandError, match="DEBUG"):
        load_demo()

    assert row_counts() == before
    assert not Film.objects.exists()
    assert not get_user_model().objects.exists()


def test_first_run_creates_films_with_cast_crew_genres_and_collections(debug):
    load_demo()

    assert Film.objects.count() == len(FILM_FILES) >= 14
    for film in Film.objects.all():
        assert film.cast_credits.count() >= 5, film
        assert film.crew_credits.filter(department=Department.DIRECTING).exists(), film
        assert film.genres.exists(), film
    wick = Collection.objects.get(name="John Wick Collection")
    assert set(wick.films.values_list("title", flat=True)) == {
        "John Wick",
        "John Wick: Chapter 2",
        "John Wick: Chapter 3 - Parabellum",
        "John Wick: Chapter 4",
        "Ballerina",
    }
    assert Genre.objects.filter(name="Science Fiction").exists()


def test_a_person_is_one_row_across_films(debug):
    load_demo()

    keanu = Person.objects.get(name="Keanu Reeves")
    assert keanu.cast_credits.count() == 5
    stahelski = Person.objects.get(name="Chad Stahelski")
    directed = CrewCredit.objects.filter(person=stahelski, job="Director")
    assert directed.count() == 4
    assert stahelski.crew_credits.filter(film__title="John Wick: Chapter 4").count() == 2
    assert Person.objects.filter(name="Willem Dafoe").count() == 1
    assert Person.objects.get(name="Willem Dafoe").cast_credits.count() == 2
    names = Person.objects.values_list("name", flat=True)
    assert len(names) == len(set(names))


def test_first_run_creates_reviews_in_every_workflow_state(debug):
    load_demo()

    assert Review.objects.count() == len(MANIFEST["reviews"]) >= 6
    now = timezone.now()
    for entry in MANIFEST["reviews"]:
        review = Review.objects.get(headline=headline_of(entry["file"]))
        assert review.status == entry["status"]
        assert review.film.tmdb_id == entry["film"]
        assert review.author.username == entry["author"]
        assert float(review.rating) == entry["rating"]
        assert review.verdict == entry["verdict"]
        featured = Feature.objects.filter(review=review).exists()
        assert featured is entry.get("featured", False)
        assert review.sections.count() >= 3
        spoilers = set(review.sections.filter(is_spoiler=True).values_list("heading", flat=True))
        assert spoilers == set(entry.get("spoiler_sections", []))
        if review.status == Review.Status.SCHEDULED:
            assert review.published_at > now
        elif review.status in (Review.Status.PUBLISHED, Review.Status.ARCHIVED):
            assert review.published_at <= now
        else:
            assert review.published_at is None
    statuses = set(Review.objects.values_list("status", flat=True))
    assert statuses == {"published", "draft", "review", "scheduled", "archived"}
    assert Feature.objects.count() == 1


def test_first_run_creates_the_superuser_and_prints_its_password(debug):
    output = load_demo()

    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser
    assert admin.is_staff
    password = re.search(r"Superuser created: admin / (\S+)", output)[1]
    assert admin.check_password(password)
    assert "http://127.0.0.1:8000/admin/" in output
    assert f"Films: {len(FILM_FILES)} ({len(FILM_FILES)} new" in output


def test_demo_staff_are_named_in_their_groups_and_can_sign_in(debug, client):
    output = load_demo()

    for entry in MANIFEST["users"]:
        user = get_user_model().objects.get(username=entry["username"])
        assert user.is_staff
        assert not user.is_superuser
        assert user.get_full_name() == f"{entry['first_name']} {entry['last_name']}"
        assert list(user.groups.values_list("name", flat=True)) == [entry["group"]]
        created = rf"account created: {user.username} / (\S+) \((.+?)\)"
        password, role = re.search(created, output).groups()
        assert role == user.groups.get().name
        # django-axes checks lockouts per address, so authenticate() needs a request.
        assert client.login(request=HttpRequest(), username=user.username, password=password)
    editor = get_user_model().objects.get(username="hmarsh")
    assert editor.has_perm("reviews.publish_review")


def test_second_run_changes_nothing(debug):
    load_demo()
    counts = row_counts()
    stamps = {
        model: dict(model.objects.values_list("pk", "updated_at"))
        for model in (Film, Person, Review)
    }
    versions = dict(Review.objects.values_list("pk", "version"))

    output = load_demo()

    assert row_counts() == counts
    for model, updated in stamps.items():
        assert dict(model.objects.values_list("pk", "updated_at")) == updated, model
    assert dict(Review.objects.values_list("pk", "version")) == versions
    assert f"Films: {len(FILM_FILES)} (0 new, 0 updated)" in output
    assert f"Reviews: 0 new, {len(MANIFEST['reviews'])} already there" in output
    assert "already exists" in output
    assert "make manage CMD='changepassword admin'" in output
    assert "Superuser created" not in output


def test_no_duplicate_credits_after_two_runs(debug):
    load_demo()
    load_demo()

    assert Film.objects.values("tmdb_id").distinct().count() == Film.objects.count()
    assert Person.objects.values("tmdb_id").distinct().count() == Person.objects.count()
    assert CastCredit.objects.values("film", "person", "character").distinct().count() == (
        CastCredit.objects.count()
    )
    assert Section.objects.values("review", "anchor").distinct().count() == Section.objects.count()


def test_only_the_published_demo_reviews_are_public(debug):
    load_demo()

    published = {
        headline_of(entry["file"])
        for entry in MANIFEST["reviews"]
        if entry["status"] == "published"
    }
    public = set(Review.objects.published().values_list("headline", flat=True))
    assert public == published
    assert len(public) < Review.objects.count()


@pytest.mark.parametrize("path", REVIEW_FILES, ids=lambda p: p.name)
def test_every_demo_review_parses_with_a_dek_intro_and_sections(path):
    parsed = parse_review(read_review_file(path))

    assert parsed.dek
    assert parsed.intro
    assert 3 <= len(parsed.sections) <= 6
    assert all(section.body for section in parsed.sections)
    words = len(path.read_text(encoding="utf-8").split())
    if path.name != "ballerina.txt":  # the seed review is as long as its critic wrote it
        assert 300 <= words <= 800


def test_the_manifest_lists_every_review_file_and_demo_film():
    assert sorted(entry["file"] for entry in MANIFEST["reviews"]) == [
        path.name for path in REVIEW_FILES
    ]
    film_ids = {load_tmdb_file(path)["id"] for path in FILM_FILES}
    assert {entry["film"] for entry in MANIFEST["reviews"]} <= film_ids
    authors = {entry["username"] for entry in MANIFEST["users"]}
    assert {entry["author"] for entry in MANIFEST["reviews"]} <= authors


def test_demo_people_keep_one_id_and_crew_use_tmdb_departments():
    ids: dict[int, str] = {}
    for path in FILM_FILES:
        credits = load_tmdb_file(path)["credits"]
        assert 5 <= len(credits["cast"]) <= 8, path.name
        for person in credits["cast"] + credits["crew"]:
            assert ids.setdefault(person["id"], person["name"]) == person["name"], path.name
        for person in credits["crew"]:
            assert person["department"] in Department.values, path.name
    names = list(ids.values())
    assert len(names) == len(set(names))


def test_the_seed_review_is_on_the_front_page_under_a_named_critic(debug, client):
    from reviews.critics import Critic

    load_demo()

    seed = Review.objects.get(headline=headline_of("ballerina.txt"))
    assert seed.is_public
    assert Feature.objects.current().review == seed
    assert seed.film.title == "Ballerina"
    assert seed.sections.count() == 6
    critic = seed.author.critic
    assert critic.display_name == "Daniel Okafor"
    home = client.get("/").content.decode()
    featured = home.split('id="featured-title"')[1].split("</section>")[0]
    assert seed.get_absolute_url() in featured
    assert f'href="{critic.get_absolute_url()}"' in featured
    for entry in MANIFEST["users"]:
        critic = Critic.objects.get(user__username=entry["username"])
        assert critic.display_name == entry["critic"]["display_name"]
        assert len(critic.bio) > 80
        assert critic.photo
        assert critic.photo_width == 480
        page = client.get(critic.get_absolute_url())
        assert page.status_code == 200
        # A username is a sign-in name, never published: not even in a portrait's address.
        assert entry["username"] not in page.content.decode()


def test_the_demo_seed_review_is_the_shared_one(seed_review_path):
    """The demo carries its own copy (a fresh checkout may have no shared/ beside it)."""
    assert (DEMO_DIR / "reviews" / "ballerina.txt").read_bytes() == seed_review_path.read_bytes()


def test_the_seed_review_shows_library_stills_in_its_sections(debug, client):
    from images.models import Image
    from tests.test_pages import attr, find, find_all, page, text

    load_demo()
    load_demo()  # a second run adds no figure and no image

    seed = Review.objects.get(headline=headline_of("ballerina.txt"))
    entry = next(e for e in MANIFEST["reviews"] if e["file"] == "ballerina.txt")
    wanted = {figure["section"]: figure["caption"] for figure in entry["figures"]}
    assert len(wanted) >= 1
    for heading, caption in wanted.items():
        section = seed.sections.get(heading=heading)
        [image] = section.images.all()
        assert section.body.count("![[image:") == 1
        assert (image.caption, image.credit) == (caption, "Illustration: Marquee demo")
        assert image.alt.endswith("(an illustration drawn for the demo)")
        assert len(image.alt) > 40
    figured = sum(len(e.get("figures", [])) for e in MANIFEST["reviews"])
    assert sum(section.images.count() for section in Section.objects.all()) == figured
    reviews_with_figures = {e["file"] for e in MANIFEST["reviews"] if e.get("figures")}
    assert len(reviews_with_figures) >= 3
    # Posters, portraits, a hero per review and the figures: nothing doubled by the second run.
    assert Image.objects.filter(sections__isnull=False).count() == figured

    article = page(client.get(seed.get_absolute_url()))
    figures = find_all(article, "figure", cls="figure")
    assert len(figures) == len(wanted)
    for figure, caption in zip(figures, wanted.values(), strict=True):
        assert attr(find(figure, "img"), "alt").startswith("A lone figure stands before")
        assert caption in text(find(figure, "figcaption"))
        assert "Illustration: Marquee demo" in text(find(figure, "figcaption"))


def test_the_demo_has_comments_to_read_and_to_moderate(debug, client):
    output = load_demo()
    assert "Comments: 3 published, 2 awaiting moderation, 1 held as spam." in output

    seed = Review.objects.get(headline=headline_of("ballerina.txt"))
    page = client.get(seed.get_absolute_url()).content.decode()
    thread = page.split('class="comment-list"', 1)[1].split("</section>")[0]
    assert "The flamethrower fight alone was worth the ticket." in thread
    # The reply sits in its parent's list of replies.
    replies = thread.split("comment-list--replies", 1)[1]
    assert "It drags less on a second watch" in replies
    assert "Half a star more from me" not in page  # awaiting moderation
    assert "Watch Ballerina free" not in page  # spam

    editor = get_user_model().objects.get(username="hmarsh")
    client.force_login(editor)
    queue = client.get("/admin/reviews/comment/?status=pending").content.decode()
    assert "Half a star more from me" in queue
    assert "The peach scene" in queue
    assert "flamethrower" not in queue
