"""Checking the richer half of a TMDB movie: image paths, videos, releases, watch providers,
other titles, keywords and external ids (`append_to_response=images,videos,release_dates,
watch/providers,keywords,alternative_titles,external_ids`).

films/importers.py checks the film, genres, collection and credits and calls `validate_extras`
for the rest; films/tmdb_write.py writes what this returns. Errors name the JSON path
(films/tmdb_json.py checks each value).
"""

import datetime
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings

from films import tmdb_json
from films.models import (
    AlternativeTitle,
    Department,
    Film,
    Keyword,
    OfferKind,
    Release,
    ReleaseType,
    Video,
    WatchOffer,
    WatchProvider,
)
from films.tmdb_json import TMDBImportError

# Profile photos fetched per film: the top-billed cast and the directors and writers.
PHOTO_CAST = 12
PHOTO_DEPARTMENTS = {Department.DIRECTING, Department.WRITING}


@dataclass
class Extras:
    """What the document says beyond the film and its credits; None where a key is absent."""

    poster_path: str | None = None
    backdrop_path: str | None = None
    has_poster: bool = False
    has_backdrop: bool = False
    # person's TMDB id → (file path, JSON path)
    profiles: dict[int, tuple[str, str]] = field(default_factory=dict)
    videos: list[Video] | None = None
    releases: list[Release] | None = None
    has_watch: bool = False
    watch_link: str = ""
    offers: list[tuple[int, str, str, str, int]] | None = None  # id, name, logo, kind, priority
    alternative_titles: list[AlternativeTitle] | None = None
    keywords: list[tuple[int, str]] | None = None
    wikidata_id: str | None = None


# Checking ----------------------------------------------------------------------------------------


def validate_extras(data: dict) -> Extras:
    extras = Extras()
    for kind in ("poster", "backdrop"):
        key = f"{kind}_path"
        if key in data:
            setattr(extras, f"has_{kind}", True)
            setattr(extras, key, _image_path(data[key], f"$.{key}"))
    if "images" in data:
        images = tmdb_json.expect(data["images"], dict, "$.images", "an object")
        for key in ("posters", "backdrops", "logos"):
            for i, image in enumerate(
                tmdb_json.expect(images.get(key, []), list, f"$.images.{key}", "a list")
            ):
                path = f"$.images.{key}[{i}]"
                tmdb_json.expect(image, dict, path, "an object")
                _image_path(tmdb_json.required(image, "file_path", path), f"{path}.file_path")
    if isinstance(data.get("credits"), dict):
        _profiles(extras, data["credits"])
    if "videos" in data:
        extras.videos = _videos(data["videos"])
    if "release_dates" in data:
        extras.releases = _releases(data["release_dates"])
    if "watch/providers" in data:
        _watch(extras, data["watch/providers"])
    if "alternative_titles" in data:
        extras.alternative_titles = _alternative_titles(data["alternative_titles"])
    if "keywords" in data:
        items = tmdb_json.list_in(data["keywords"], "$.keywords", "keywords")
        extras.keywords = list(
            dict(
                tmdb_json.named(item, f"$.keywords.keywords[{i}]", Keyword)
                for i, item in enumerate(items)
            ).items()
        )
    if "external_ids" in data:
        ids = tmdb_json.expect(data["external_ids"], dict, "$.external_ids", "an object")
        if "wikidata_id" in ids:
            extras.wikidata_id = tmdb_json.string(
                ids["wikidata_id"], "$.external_ids.wikidata_id", Film, "wikidata_id"
            )
    return extras


def _image_path(value: Any, path: str) -> str:
    """A TMDB file path ("/abc.jpg"), or "" for null."""
    if value is None:
        return ""
    tmdb_json.expect(value, str, path, 'an image path such as "/abc.jpg"')
    name = PurePosixPath(value)
    if (
        not value.startswith("/")
        or len(name.parts) != 2
        or len(value) > 200
        or name.suffix.lower() not in (".jpg", ".jpeg", ".png", ".webp", ".svg")
    ):
        raise TMDBImportError(
            f'{tmdb_json.show(value)} is not a TMDB image path (expected "/name.jpg")', path=path
        )
    return value


def _profiles(extras: Extras, credits: dict) -> None:
    for key in ("cast", "crew"):
        for i, item in enumerate(credits.get(key) or []):
            if not isinstance(item, dict) or "profile_path" not in item:
                continue
            path = f"$.credits.{key}[{i}].profile_path"
            photo = _image_path(item["profile_path"], path)
            wanted = (key == "cast" and i < PHOTO_CAST) or (
                key == "crew" and item.get("department") in PHOTO_DEPARTMENTS
            )
            if photo and wanted and isinstance(item.get("id"), int):
                extras.profiles.setdefault(item["id"], (photo, path))


def _code(value: Any, path: str, length: int) -> str:
    if value is None:
        return ""
    tmdb_json.expect(value, str, path, f"a {length}-letter code")
    if value and (len(value) != length or not value.isalpha()):
        raise TMDBImportError(f"{tmdb_json.show(value)} is not a {length}-letter code", path=path)
    return value.upper() if length == 2 and path.endswith("3166_1") else value


def _videos(value: Any) -> list[Video]:
    videos = {}
    for i, item in enumerate(tmdb_json.list_in(value, "$.videos", "results")):
        path = f"$.videos.results[{i}]"
        tmdb_json.expect(item, dict, path, "an object")
        video = Video(
            tmdb_id=tmdb_json.required_string(item, "id", path, Video, "tmdb_id", blank=False),
            site=tmdb_json.required_string(item, "site", path, Video, "site"),
            key=tmdb_json.required_string(item, "key", path, Video, "key", blank=False),
            name=tmdb_json.string(item.get("name"), f"{path}.name", Video, "name"),
            type=tmdb_json.string(item.get("type"), f"{path}.type", Video, "type"),
            official=bool(
                tmdb_json.expect(
                    item.get("official", False), bool, f"{path}.official", "true or false"
                )
            ),
            language=_code(item.get("iso_639_1"), f"{path}.iso_639_1", 2),
            published_at=_datetime(item.get("published_at"), f"{path}.published_at"),
        )
        if video.site == Video.YOUTUBE and not all(c.isalnum() or c in "-_" for c in video.key):
            raise TMDBImportError(
                f"{tmdb_json.show(video.key)} is not a YouTube video id", path=f"{path}.key"
            )
        videos.setdefault(video.tmdb_id, video)
    return list(videos.values())


def _datetime(value: Any, path: str) -> datetime.datetime | None:
    if value in (None, ""):
        return None
    tmdb_json.expect(value, str, path, "a date and time")
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise TMDBImportError(
            f"{tmdb_json.show(value)} is not a date and time", path=path
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def _releases(value: Any) -> list[Release]:
    releases = []
    for i, country in enumerate(tmdb_json.list_in(value, "$.release_dates", "results")):
        path = f"$.release_dates.results[{i}]"
        tmdb_json.expect(country, dict, path, "an object")
        code = _code(tmdb_json.required(country, "iso_3166_1", path), f"{path}.iso_3166_1", 2)
        for j, item in enumerate(tmdb_json.list_in(country, path, "release_dates")):
            where = f"{path}.release_dates[{j}]"
            tmdb_json.expect(item, dict, where, "an object")
            kind = tmdb_json.whole(tmdb_json.required(item, "type", where), f"{where}.type")
            if kind not in ReleaseType.values:
                raise TMDBImportError(
                    f"{kind} is not a TMDB release type (1 to 6)", path=f"{where}.type"
                )
            moment = _datetime(
                tmdb_json.required(item, "release_date", where), f"{where}.release_date"
            )
            if moment is None:
                continue
            releases.append(
                Release(
                    country=code,
                    type=kind,
                    date=moment.date(),
                    certification=tmdb_json.string(
                        item.get("certification"),
                        f"{where}.certification",
                        Release,
                        "certification",
                    ),
                    note=tmdb_json.string(item.get("note"), f"{where}.note", Release, "note"),
                    language=_code(item.get("iso_639_1"), f"{where}.iso_639_1", 2),
                )
            )
    return releases


def _watch(extras: Extras, value: Any) -> None:
    block = tmdb_json.expect(value, dict, "$['watch/providers']", "an object with results")
    regions = tmdb_json.expect(
        tmdb_json.required(block, "results", "$['watch/providers']"),
        dict,
        "$['watch/providers'].results",
        "an object keyed by region",
    )
    extras.has_watch = True
    region = settings.MARQUEE_REGION
    if region not in regions:
        return
    path = f"$['watch/providers'].results.{region}"
    mine = tmdb_json.expect(regions[region], dict, path, "an object")
    link = mine.get("link") or ""
    if not isinstance(link, str) or (link and not link.startswith("https://")):
        raise TMDBImportError(f"{tmdb_json.show(link)} is not an https URL", path=f"{path}.link")
    extras.watch_link = link
    extras.offers = []
    for kind in OfferKind.values:
        for i, item in enumerate(
            tmdb_json.expect(mine.get(kind, []), list, f"{path}.{kind}", "a list")
        ):
            where = f"{path}.{kind}[{i}]"
            tmdb_json.expect(item, dict, where, "an object")
            extras.offers.append(
                (
                    tmdb_json.tmdb_id(
                        tmdb_json.required(item, "provider_id", where),
                        f"{where}.provider_id",
                        WatchProvider,
                    ),
                    tmdb_json.required_string(
                        item, "provider_name", where, WatchProvider, "name", blank=False
                    ),
                    _image_path(item.get("logo_path"), f"{where}.logo_path"),
                    kind,
                    tmdb_json.in_range(
                        tmdb_json.whole(
                            item.get("display_priority", i), f"{where}.display_priority"
                        ),
                        f"{where}.display_priority",
                        WatchOffer,
                        "display_priority",
                    ),
                )
            )


def _alternative_titles(value: Any) -> list[AlternativeTitle]:
    titles = {}
    for i, item in enumerate(tmdb_json.list_in(value, "$.alternative_titles", "titles")):
        path = f"$.alternative_titles.titles[{i}]"
        tmdb_json.expect(item, dict, path, "an object")
        title = AlternativeTitle(
            title=tmdb_json.required_string(
                item, "title", path, AlternativeTitle, "title", blank=False
            ),
            country=_code(item.get("iso_3166_1"), f"{path}.iso_3166_1", 2),
            type=tmdb_json.string(item.get("type"), f"{path}.type", AlternativeTitle, "type"),
        )
        titles.setdefault((title.title, title.country), title)
    return list(titles.values())
