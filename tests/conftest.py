import os
from pathlib import Path

import pytest

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


@pytest.fixture
def seed_review_path() -> Path:
    """The Ballerina review text; fails in CI when missing, skips elsewhere."""
    return _shared_file("MARQUEE_SEED_REVIEW", DEFAULT_SEED)


@pytest.fixture
def seed_film_path() -> Path:
    """The Ballerina film in TMDB's JSON shape (beside the review)."""
    review = _shared_file("MARQUEE_SEED_REVIEW", DEFAULT_SEED)
    return _shared_file("MARQUEE_SEED_FILM", review.parent / "ballerina-film.tmdb.json")


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    """Uploads go to a throwaway folder; passwords hash fast."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
