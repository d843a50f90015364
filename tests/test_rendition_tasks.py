"""Image renditions are made by a task: a save never waits for them, pages never break."""

import re

import pytest
from django.core.management import call_command

from films.renditions import backfill
from tasks.models import TaskRecord
from tests.factories import FilmFactory, ReviewFactory, image_upload, poster_image

pytestmark = pytest.mark.django_db(transaction=True)


def run_worker():
    call_command("run_worker", batch=True, startup_delay=False, reload=False, verbosity=0)


def webp_sources(html: str) -> list[str]:
    return re.findall(r'<source type="image/webp" srcset="([^"]*)"', html)


def widths(record: dict, extension: str = "jpg") -> list[int]:
    return [width for width, _name in record.get("files", {}).get(extension, [])]


def names(record: dict) -> list[str]:
    return [name for files in record["files"].values() for _width, name in files]


def test_a_poster_is_served_at_once_and_its_renditions_follow_from_the_worker(
    client, db_tasks, settings
):
    film = FilmFactory(title="Ballerina", slug="ballerina")
    film.poster = poster_image(image_upload(size=(500, 750)))
    film.save()

    storage = film.poster.file.storage
    assert film.poster.renditions == {}, "not made in the save"
    assert not storage.exists("renditions/library")
    [queued] = TaskRecord.objects.all()
    assert queued.task_path == "films.tasks.make_image_renditions"
    assert queued.queue_name == "images"
    page = client.get(film.get_absolute_url()).content.decode()
    assert film.poster.file.url in page, "the original is served meanwhile"
    assert webp_sources(page) == [], "no srcset naming files that do not exist yet"

    run_worker()
    film.refresh_from_db()
    record = film.poster.renditions
    assert (record["name"], record["crop"]) == (film.poster.file.name, "orig")
    for extension in ("avif", "webp", "jpg"):
        assert widths(record, extension) == [160, 320, 480, 500]
    assert all(storage.exists(name) for name in names(record))
    page = client.get(film.get_absolute_url()).content.decode()
    [srcset] = webp_sources(page)
    assert [part.split()[1] for part in srcset.split(", ")] == ["160w", "320w", "480w", "500w"]
    renditions = TaskRecord.objects.filter(task_path="films.tasks.make_image_renditions")
    assert renditions.count() == 1, "recording the renditions queues nothing more"

    # Another library image as the poster: the old one's renditions are not offered for it;
    # its own follow, and the old image keeps its own in the library.
    old_files = names(record)
    film.poster = poster_image(image_upload(name="other.png", size=(400, 600)))
    film.save()
    page = client.get(film.get_absolute_url()).content.decode()
    assert webp_sources(page) == []
    run_worker()
    film.refresh_from_db()
    assert widths(film.poster.renditions) == [160, 320, 400]
    assert len(webp_sources(client.get(film.get_absolute_url()).content.decode())) == 1
    assert all(storage.exists(name) for name in old_files)
    assert all(storage.exists(name) for name in names(film.poster.renditions))

    # The feed links a JPEG rendition (up to 1200 px), not the original upload.
    review = ReviewFactory(film=film, published=True)
    feed = client.get("/feed/").content.decode()
    [jpeg] = [n for w, n in film.poster.renditions["files"]["jpg"] if w == 400]
    assert f'url="http://testserver{storage.url(jpeg)}"' in feed, review
    assert f'length="{storage.size(jpeg)}"' in feed
    assert film.poster.file.url not in feed


def test_a_rendition_task_for_a_replaced_or_deleted_image_does_nothing(db_tasks):
    image = poster_image(image_upload(name="first.png", size=(300, 450)))
    image.file = image_upload(name="second.png", size=(300, 450))
    image.save()
    poster_image(image_upload(size=(300, 450))).delete()  # a library image, deleted unused
    run_worker()

    results = sorted(str(r.return_value) for r in TaskRecord.objects.all())
    assert any("image replaced" in r for r in results)
    assert any("deleted" in r for r in results)
    image.refresh_from_db()
    assert image.renditions["name"] == image.file.name
    assert widths(image.renditions) == [160, 300]


def test_a_saved_film_without_a_new_image_queues_nothing(db_tasks):
    film = FilmFactory()
    film.poster = poster_image(image_upload(size=(300, 450)))
    film.save()
    run_worker()
    TaskRecord.objects.all().delete()
    film.refresh_from_db()
    film.tagline = "Changed"
    film.save()
    film.save(update_fields=["tagline"])
    assert not TaskRecord.objects.exists()


def test_backfill_makes_and_records_missing_renditions(db_tasks):
    film = FilmFactory()
    film.poster = poster_image(image_upload(size=(200, 300)))
    film.save()  # queued, never run
    assert backfill() == 1
    film.refresh_from_db()
    assert film.poster.renditions["name"] == film.poster.file.name
    assert widths(film.poster.renditions) == [160, 200]
    assert backfill() == 0


def test_the_trailer_still_is_a_backdrop_rendition_once_the_worker_made_it(client, db_tasks):
    """#20/#23: TMDB's backdrops are up to 3840 px wide; the trailer facade shows renditions
    of it (AVIF, WebP, JPEG up to 1600 px: a library image's) and the original only until
    they exist."""
    film = FilmFactory(
        title="Ballerina", slug="ballerina", trailer_key="0FSwsrFpkbw", trailer_name="Trailer"
    )
    film.backdrop = poster_image(image_upload(name="still.png", size=(1920, 1080)))
    film.save()
    page = client.get(film.get_absolute_url()).content.decode()
    assert f'src="{film.backdrop.file.url}"' in page, "the original meanwhile"

    run_worker()
    film.refresh_from_db()
    wanted = [160, 320, 480, 800, 1200, 1600]
    assert widths(film.backdrop.renditions) == wanted
    page = client.get(film.get_absolute_url()).content.decode()
    assert film.backdrop.file.url not in page
    [srcset] = re.findall(r'<source type="image/avif" srcset="([^"]*)"', page)
    assert [part.split()[1] for part in srcset.split(", ")] == [f"{w}w" for w in wanted]
    assert 'class="trailer__still"' in page
