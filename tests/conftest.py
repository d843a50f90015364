import os
from pathlib import Path

import pytest

from tests.tmdb_fake import fake_tmdb  # noqa: F401 (a fixture: a local TMDB to test against)

PROJECT_DIR = Path(__file__).resolve().parent.parent
# The real review Marquee was made to publish; CI points MARQUEE_SEED_REVIEW at it.
DEFAULT_SEED = PROJECT_DIR.parent / "shared" / "content" / "ballerina-review.txt"
DEFAULT_FILM = PROJECT_DIR.parent / "shared" / "content" / "ballerina-film.tmdb.json"


def _shared_file(env_name: str, default: Path) -> Path:
    path = Path(os.environ.get(env_name) or default)
    if not path.is_absolute():
        path = (PROJECT_DIR / path).resolve()
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{env_name}: {path} is missing; CI must run with shared/ beside the repo.")
        pytest.skip(f"{path} not found (set {env_name})")
    return path


def pytest_collection_modifyitems(items):
    """Browser tests are slow tests: `make test-fast` (-m "not slow") leaves them out."""
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def seed_review_path() -> Path:
    """The Ballerina review text; fails in CI when missing, skips elsewhere."""
    return _shared_file("MARQUEE_SEED_REVIEW", DEFAULT_SEED)


@pytest.fixture
def seed_film_path() -> Path:
    """The Ballerina film in TMDB's JSON shape (beside the review)."""
    review = _shared_file("MARQUEE_SEED_REVIEW", DEFAULT_SEED)
    return _shared_file("MARQUEE_SEED_FILM", review.parent / "ballerina-film.tmdb.json")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """Give SQLite a file test database instead of a shared in-memory connection.

    Browser tests' live server answers requests on several threads; an in-memory database is
    one connection shared by all of them, and markdownx's simultaneous preview requests
    collide on it.
    """
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        db.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("db") / "test.sqlite3")


@pytest.fixture(autouse=True)
def _clear_cache():
    """Cached pages must not leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    """Uploads go to a throwaway folder; passwords hash fast; the worker queues no daily task
    unless a test asks (tests/test_tasks.py)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS_DAILY = {}


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` runs what waits for the transaction to commit (cache retirements,
    mail) at the end of the block.

    The test's own transaction never commits: what its setup retired is forgotten first, as a
    rolled-back transaction's retirements would be.
    """
    from pagecache import tags

    def block():
        tags._batches.tags = None
        return django_capture_on_commit_callbacks(execute=True)

    return block


# Shared fixtures: what several test modules need alike. A module that needs another shape
# defines its own fixture of the same name, which wins there.


@pytest.fixture
def seeded_review(seed_film_path, seed_review_path):
    """The real seed: the Ballerina film and review, imported and published by the commands
    under the critic Mara Lind."""
    from django.core.management import call_command

    from reviews.models import Review
    from tests.factories import StaffFactory

    call_command("import_film", str(seed_film_path), verbosity=0)
    StaffFactory(username="critic", first_name="Mara", last_name="Lind")
    call_command(
        "import_review",
        str(seed_review_path),
        "--film",
        "ballerina",
        "--author",
        "critic",
        "--publish",
        verbosity=0,
    )
    return Review.objects.get()


@pytest.fixture
def review():
    """A published review (slug "a-review")."""
    from tests.factories import ReviewFactory

    return ReviewFactory(published=True, slug="a-review")


@pytest.fixture
def writer():
    from tests.factories import user_in_group

    return user_in_group("Writers", username="writer", first_name="Wanda", last_name="Writer")


@pytest.fixture
def editor():
    from tests.factories import user_in_group

    return user_in_group("Editors", username="edie", first_name="Edie", last_name="Editor")


@pytest.fixture
def moderator():
    """A moderator, Mo Derator <mod@example.com>."""
    from tests.factories import user_in_group

    return user_in_group("Moderators", username="mod", first_name="Mo", last_name="Derator")


@pytest.fixture
def db_tasks():
    """Tasks stored in the database (as in production) for the test's length."""
    from tests.tasks_support import database_task_backend

    with database_task_backend() as backend:
        yield backend
