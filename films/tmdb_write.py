"""Writing what films/tmdb_import.py checked.

Images are downloaded (`download_images`) after the document is checked and before the import's
transaction opens, and checked like uploads (films/validators.py). They reach storage inside the
transaction; if it fails, `Downloads.discard` deletes them again, so a failed import leaves
neither rows nor files behind.

Fields an editor changed by hand (`Film.edited_fields`) keep the editor's value: TMDB's goes to
`Film.tmdb_proposed`, which the admin offers field by field. The cast and the crew are held
the same way, each as a whole (`hold_credits`): an editor who fixes a character or adds a crew
member keeps the credits as edited, and TMDB's list waits beside them.
"""

import datetime
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db.models import Model
from django.utils import timezone

from films import row_sync
from films.models import Film, Keyword, Person, WatchOffer, WatchProvider, WatchRegion
from films.tmdb import TMDBClient
from films.tmdb_import import Extras
from films.tmdb_json import TMDBImportError
from films.tmdb_models import best_trailer, regional_release
from films.validators import validate_image_file
from images.models import Image

# Image sizes asked of TMDB: enough for the largest place each is shown; renditions do the rest.
SIZES = {"poster": "w780", "backdrop": "w1280", "profile": "w185", "logo": "w92"}
# What an editor's edit holds against TMDB: film fields, and the cast and crew as wholes.
CREDIT_FIELDS = ("cast", "crew")
HELD_FIELDS = (
    "title",
    "original_title",
    "release_date",
    "runtime",
    "tagline",
    "synopsis",
    "certification",
    "original_language",
    "imdb_id",
    "collection",
    "genres",
    "poster",
    "backdrop",
    *CREDIT_FIELDS,
)
# Of those, the ones whose proposed value can be taken as it is (the others need a refresh).
SCALAR_FIELDS = HELD_FIELDS[:9]
# The film's related rows the document replaces: row_sync.sync's key, fallback and fields.
RELATED_ROWS = {
    "videos": (
        ("tmdb_id",),
        "tmdb_id",
        ["site", "key", "name", "type", "official", "language", "published_at"],
    ),
    "releases": (
        ("country", "type", "date"),
        "country",
        ["country", "type", "date", "certification", "note", "language"],
    ),
    "alternative_titles": (("title", "country"), "title", ["title", "country", "type"]),
}


@dataclass
class Downloads:
    """Images fetched for one import, by (kind, TMDB id or None)."""

    files: dict[tuple[str, int | None], tuple[str, ContentFile]] = field(default_factory=dict)
    saved: list[tuple[Any, str]] = field(default_factory=list)

    def take(self, kind: str, key: int | None = None) -> tuple[str, ContentFile] | None:
        return self.files.get((kind, key))

    def save_into(self, image_field, tmdb_path: str, content: ContentFile) -> None:
        image_field.save(PurePosixPath(tmdb_path).name, content, save=False)
        self.saved.append((image_field.storage, image_field.name))

    def save_into_library(self, tmdb_path: str, content: ContentFile, *, alt: str) -> Image:
        """A new library image of the download, credited to TMDB (saved: the import's
        transaction undoes the row, `discard` the file)."""
        image = Image(alt=alt[:300], credit="TMDB")
        self.save_into(image.file, tmdb_path, content)
        image.save()
        return image

    def discard(self) -> None:
        for storage, name in self.saved:
            storage.delete(name)
        self.saved.clear()


def _is_local(image, tmdb_path: str) -> bool:
    """An image uploaded here (not from TMDB): imports never replace it."""
    return bool(image) and not tmdb_path


def download_images(tmdb_id: int, extras: Extras, client: TMDBClient) -> Downloads:
    """Fetch the images this import would store and does not hold yet."""
    wanted: list[tuple[str, int | None, str, str]] = []  # kind, key, TMDB path, JSON path
    film = Film.objects.filter(tmdb_id=tmdb_id).first()
    for kind in ("poster", "backdrop"):
        path = getattr(extras, f"{kind}_path")
        if not path:
            continue
        held = film and (
            kind in film.edited_fields
            or _is_local(getattr(film, kind), getattr(film, f"tmdb_{kind}_path"))
        )
        if film and (held or (getattr(film, kind) and getattr(film, f"tmdb_{kind}_path") == path)):
            continue
        wanted.append((kind, None, path, f"$.{kind}_path"))
    people = {p.tmdb_id: p for p in Person.objects.filter(tmdb_id__in=extras.profiles)}
    for person_id, (path, json_path) in extras.profiles.items():
        person = people.get(person_id)
        if person and (
            _is_local(person.photo, person.tmdb_profile_path)
            or (person.photo and person.tmdb_profile_path == path)
        ):
            continue
        wanted.append(("profile", person_id, path, json_path))
    providers = WatchProvider.objects.in_bulk(
        {o[0] for o in extras.offers or []}, field_name="tmdb_id"
    )
    for provider_id, _, logo, _, _ in extras.offers or []:
        provider = providers.get(provider_id)
        if logo and not (provider and provider.logo and provider.tmdb_logo_path == logo):
            wanted.append(("logo", provider_id, logo, "$['watch/providers']"))

    downloads = Downloads()
    for kind, key, path, json_path in wanted:
        if (kind, key) in downloads.files:
            continue
        url = client.image(path, SIZES[kind])
        data, _ = client.download(url, settings.MARQUEE_MAX_IMAGE_BYTES)
        content = ContentFile(data, name=PurePosixPath(path).name)
        try:
            validate_image_file(content)
        except ValidationError as exc:
            raise TMDBImportError(
                f"the image at {url} was refused: {' '.join(exc.messages)}", path=json_path
            ) from exc
        downloads.files[(kind, key)] = (path, content)
    return downloads


# Film fields -----------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Model):
        return str(value)
    return value


def film_values(film: Film, extras: Extras, values: dict[str, Any]) -> dict[str, Any]:
    """The film's own values from the document, with the editor's held fields left out.

    Adds the site region's certification and the Wikidata id; TMDB's value for a held field
    that differs goes to `tmdb_proposed` (which this then includes).
    """
    values = dict(values)
    if extras.releases is not None:
        release = regional_release(extras.releases, settings.MARQUEE_REGION)
        values["certification"] = release.certification if release else ""
        values["release_region"] = settings.MARQUEE_REGION
        values["local_release_date"] = release.date if release else None
        values["local_release_type"] = release.type if release else None
    if extras.videos is not None:
        trailer = best_trailer(extras.videos)
        values["trailer_key"] = trailer.key if trailer else ""
        values["trailer_name"] = trailer.name if trailer else ""
    if extras.wikidata_id is not None:
        values["wikidata_id"] = extras.wikidata_id
    proposed = dict(film.tmdb_proposed or {})
    for name in film.edited_fields or []:
        if name not in values:
            continue
        value = values.pop(name)
        current = getattr(film, name)
        if value == current:
            proposed.pop(name, None)
        else:
            proposed[name] = _jsonable(value)
    if proposed != (film.tmdb_proposed or {}):
        values["tmdb_proposed"] = proposed
    return values


def hold_genres(film: Film, genres) -> bool:
    """Whether the editor's genres stay; TMDB's then go to `tmdb_proposed` (saved later)."""
    if "genres" not in (film.edited_fields or []):
        return False
    names = sorted(genre.name for genre in genres)
    current = sorted(film.genres.values_list("name", flat=True)) if film.pk else []
    proposed = dict(film.tmdb_proposed or {})
    if names == current:
        proposed.pop("genres", None)
    else:
        proposed["genres"] = names
    film.tmdb_proposed = proposed
    return True


def credits_now(film: Film, kind: str) -> list[dict]:
    """The film's cast or crew as `hold_credits` compares and stores them: the person's TMDB
    id (None for one entered here) and name, with the character or the department and job."""
    if kind == "cast":
        rows = film.cast_credits.select_related("person").order_by("order", "id")
        return [
            {"id": c.person.tmdb_id, "name": c.person.name, "character": c.character} for c in rows
        ]
    rows = film.crew_credits.select_related("person").order_by("department", "job", "id")
    return [
        {"id": c.person.tmdb_id, "name": c.person.name, "department": c.department, "job": c.job}
        for c in rows
    ]


def _roles(kind: str, credits: list[dict]) -> list[tuple]:
    """What makes two lists of credits the same: the cast in billing order, the crew as a set."""
    if kind == "cast":
        return [(c["id"], c["character"]) for c in credits]
    return sorted((c["id"] or 0, c["department"], c["job"]) for c in credits)


def hold_credits(film: Film, *, cast: list[dict], crew: list[dict]) -> tuple[set[str], bool]:
    """Which of cast and crew the editor holds (the import leaves them alone), and whether
    `tmdb_proposed` changed (not yet saved): TMDB's list, where it differs, waits there."""
    held = set(CREDIT_FIELDS) & set(film.edited_fields or [])
    if not held:
        return held, False
    proposed = dict(film.tmdb_proposed or {})
    for kind in held:
        tmdb = cast if kind == "cast" else crew
        if _roles(kind, credits_now(film, kind)) == _roles(kind, tmdb):
            proposed.pop(kind, None)
        else:
            proposed[kind] = tmdb
    changed = proposed != (film.tmdb_proposed or {})
    film.tmdb_proposed = proposed
    return held, changed


def credit_lines(kind: str, credits: list[dict]) -> list[str]:
    """Credits as an editor reads them: "Ana de Armas as Eve Macarro", "Len Wiseman, Director
    (Directing)"."""
    if kind == "cast":
        return [
            f"{c['name']} as {c['character']}" if c["character"] else c["name"] for c in credits
        ]
    return [f"{c['name']}, {c['job']} ({c['department']})" for c in credits]


def assign_images(film: Film, extras: Extras, downloads: Downloads) -> bool:
    """Put the downloaded poster and backdrop (new library images) on the film (not yet saved);
    say if any changed."""
    changed = False
    for kind in ("poster", "backdrop"):
        if not getattr(extras, f"has_{kind}"):
            continue
        path = getattr(extras, f"{kind}_path")
        image, held_path = getattr(film, kind), getattr(film, f"tmdb_{kind}_path")
        if kind in (film.edited_fields or []) or _is_local(image, held_path):
            if path and path != held_path:
                film.tmdb_proposed = {**(film.tmdb_proposed or {}), kind: path}
                changed = True
            continue
        if not path:
            if held_path:  # TMDB dropped the image we had from it (it stays in the library)
                setattr(film, kind, None)
                setattr(film, f"tmdb_{kind}_path", "")
                changed = True
            continue
        if download := downloads.take(kind):
            alt = getattr(film, f"{kind}_alt")
            setattr(film, kind, downloads.save_into_library(*download, alt=alt))
            setattr(film, f"tmdb_{kind}_path", path)
            changed = True
    return changed


# Related rows ----------------------------------------------------------------------------------


def write_extras(film: Film, extras: Extras, downloads: Downloads) -> bool:
    """Make the film's videos, releases, offers, titles, keywords and photos the document's."""
    changed = False
    for name, (key, fallback, fields) in RELATED_ROWS.items():
        rows = getattr(extras, name)
        if rows is None:
            continue
        for row in rows:
            row.film = film
        changed |= row_sync.sync(
            getattr(film, name).all(), rows, key=key, fallback=fallback, fields=fields
        )
    if extras.keywords is not None:
        changed |= _write_keywords(film, extras.keywords)
    if extras.has_watch:
        changed |= _write_offers(film, extras, downloads)
    changed |= _write_photos(extras, downloads)
    return changed


def _write_keywords(film: Film, keywords: list[tuple[int, str]]) -> bool:
    known = Keyword.objects.in_bulk([k for k, _ in keywords], field_name="tmdb_id")
    changed, pks = False, set()
    for tmdb_id, name in keywords:
        keyword = known.get(tmdb_id) or Keyword(tmdb_id=tmdb_id)
        if keyword.name != name:
            keyword.name = name
            keyword.save()
            changed = True
        pks.add(keyword.pk)
    if pks != set(film.keywords.values_list("pk", flat=True)):
        film.keywords.set(pks)
        changed = True
    return changed


def _write_offers(film: Film, extras: Extras, downloads: Downloads) -> bool:
    region = settings.MARQUEE_REGION
    now = timezone.now()
    existing = WatchRegion.objects.filter(film=film, region=region).first()
    if extras.offers is None:  # TMDB knows no way to watch it here
        if existing:
            existing.delete()
            return True
        return False
    changed = False
    providers = WatchProvider.objects.in_bulk({o[0] for o in extras.offers}, field_name="tmdb_id")
    for provider_id, name, logo, _, _ in extras.offers:
        provider = providers.get(provider_id) or WatchProvider(tmdb_id=provider_id)
        dirty = provider.name != name
        provider.name = name
        if download := downloads.take("logo", provider_id):
            downloads.save_into(provider.logo, *download)
            provider.tmdb_logo_path = logo
            dirty = True
        if dirty or provider.pk is None:
            provider.save()
            changed = True
        providers[provider_id] = provider
    if existing is None:
        existing = WatchRegion.objects.create(
            film=film, region=region, link=extras.watch_link, fetched_at=now
        )
        changed = True
    elif existing.link != extras.watch_link:
        existing.link, existing.fetched_at = extras.watch_link, now
        existing.save()
        changed = True
    else:  # confirmed as of now; not a change readers see at once
        WatchRegion.objects.filter(pk=existing.pk).update(fetched_at=now)
    offers = [
        WatchOffer(
            watch_region=existing,
            provider=providers[provider_id],
            kind=kind,
            display_priority=priority,
        )
        for provider_id, _, _, kind, priority in extras.offers
    ]
    changed |= row_sync.sync(
        existing.offers.all(),
        offers,
        key=("provider_id", "kind"),
        fallback="provider_id",
        fields=["kind", "display_priority"],
    )
    return changed


def _write_photos(extras: Extras, downloads: Downloads) -> bool:
    changed = False
    people = {p.tmdb_id: p for p in Person.objects.filter(tmdb_id__in=extras.profiles)}
    for person_id, (path, _) in extras.profiles.items():
        person = people.get(person_id)
        download = downloads.take("profile", person_id)
        if person is None or download is None:
            continue
        person.photo = downloads.save_into_library(*download, alt=person.name)
        person.tmdb_profile_path = path
        person.save()
        changed = True
    return changed
