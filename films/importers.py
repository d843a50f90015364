"""Import films from TMDB's movie JSON (with `append_to_response=credits`, and the richer
blocks films/tmdb_import.py checks and films/tmdb_write.py writes: images, videos, releases,
watch providers, alternative titles, keywords, external ids).

The whole document is checked first (films/tmdb_json.py reads the file and checks each value,
with errors naming the JSON path: `$.credits.cast[3].name: missing required key`), and then
written in one transaction (films/row_sync.py). Rows are
matched on TMDB ids, so a re-import updates in place; rows whose values did not change are not
saved at all, so re-importing the same file leaves every `updated_at` where it was.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from films import row_sync, tmdb_json, tmdb_write
from films.models import CastCredit, Collection, CrewCredit, Department, Film, Genre, Person
from films.tmdb import TMDBClient
from films.tmdb_import import Extras, validate_extras
from films.tmdb_json import TMDBImportError

# What TMDB sends for film fields; each maps to a Film field of the same meaning.
FILM_STRINGS = {
    "original_title": "original_title",
    "original_language": "original_language",
    "tagline": "tagline",
    "overview": "synopsis",
    "certification": "certification",
    "imdb_id": "imdb_id",
}


@dataclass
class FilmImportResult:
    film: Film
    created: bool
    changed: bool


@dataclass
class _Credit:
    person: int  # TMDB id
    character: str = ""
    order: int = 0
    department: str = ""
    job: str = ""


@dataclass
class _Document:
    """A validated TMDB movie: only the keys the file has, converted to our fields."""

    tmdb_id: int
    fields: dict[str, Any]
    genres: list[tuple[int, str]] | None = None
    collection: tuple[int, str] | None = None
    has_collection: bool = False
    cast: list[_Credit] = field(default_factory=list)
    crew: list[_Credit] = field(default_factory=list)
    has_credits: bool = False
    people: dict[int, str] = field(default_factory=dict)
    extras: Extras = field(default_factory=Extras)


def import_tmdb_film(data: dict, *, client=None) -> FilmImportResult:
    """Create or update a film, its genres, collection and credits from a TMDB movie.

    With a `client` (films.tmdb.TMDBClient) the poster, backdrop, photos and logos are
    downloaded too.
    """
    document = _validate(data)
    downloads = (
        tmdb_write.download_images(document.tmdb_id, document.extras, client)
        if client
        else tmdb_write.Downloads()
    )
    try:
        with transaction.atomic():
            return _write(document, downloads, fetched=client is not None)
    except BaseException:
        downloads.discard()
        raise


def import_film_from_tmdb(tmdb_id: int, *, client: TMDBClient | None = None) -> FilmImportResult:
    """Fetch a film from TMDB in one request and import it with its images; all or nothing."""
    client = client or TMDBClient()
    return import_tmdb_film(client.movie(tmdb_id), client=client)


def _write(
    document: _Document, downloads: tmdb_write.Downloads, *, fetched: bool
) -> FilmImportResult:
    film = _match_film(document)
    created = film is None
    film = film or Film()
    values = dict(document.fields)
    changed = False  # anything but the film's own columns
    if document.has_collection:
        values["collection"] = None
        if document.collection:
            values["collection"], changed = _upsert_named(Collection, *document.collection)
    values = tmdb_write.film_values(film, document.extras, values)
    film_changed = row_sync.assign(film, values)
    film_changed |= tmdb_write.assign_images(film, document.extras, downloads)
    if film_changed:
        film.save()
    if document.genres is not None:
        genres = {}
        for genre in document.genres:
            obj, written = _upsert_named(Genre, *genre)
            genres[obj.pk] = obj
            changed |= written
        proposed = film.tmdb_proposed
        if tmdb_write.hold_genres(film, genres.values()):
            if film.tmdb_proposed != proposed:
                film.save(update_fields=["tmdb_proposed"])
                changed = True
        elif set(genres) != set(film.genres.values_list("pk", flat=True)):
            film.genres.set(genres)
            changed = True
    if document.has_credits:
        changed |= _sync_credits(film, document)
    changed |= tmdb_write.write_extras(film, document.extras, downloads)
    if changed and not film_changed:
        film.save(update_fields=["updated_at"])
    if fetched:  # when TMDB was last asked; not a change of what readers see
        Film.objects.filter(pk=film.pk).update(tmdb_fetched_at=timezone.now())
    return FilmImportResult(film=film, created=created, changed=created or changed or film_changed)


# Validation ------------------------------------------------------------------------------------


def _validate(data: Any) -> _Document:
    tmdb_json.expect(data, dict, "$", "an object (a TMDB movie)")
    tmdb_id = tmdb_json.tmdb_id(tmdb_json.required(data, "id", "$"), "$.id", Film)
    title = tmdb_json.required_string(data, "title", "$", Film, "title", blank=False)
    fields: dict[str, Any] = {"tmdb_id": tmdb_id, "title": title}
    for key, name in FILM_STRINGS.items():
        if key in data:
            fields[name] = tmdb_json.string(data[key], f"$.{key}", Film, name)
    if "release_date" in data:
        fields["release_date"] = tmdb_json.date(data["release_date"], "$.release_date")
    if "runtime" in data:
        fields["runtime"] = _runtime(data["runtime"], "$.runtime")
    document = _Document(tmdb_id=tmdb_id, fields=fields)
    _check_imdb_id(document)

    if "genres" in data:
        genres = tmdb_json.expect(data["genres"], list, "$.genres", "a list")
        document.genres = [
            tmdb_json.named(genre, f"$.genres[{i}]", Genre) for i, genre in enumerate(genres)
        ]
    if "belongs_to_collection" in data:
        document.has_collection = True
        if data["belongs_to_collection"] is not None:
            document.collection = tmdb_json.named(
                data["belongs_to_collection"], "$.belongs_to_collection", Collection
            )
    if "credits" in data:
        _validate_credits(document, data["credits"])
    document.extras = validate_extras(data)
    return document


def _validate_credits(document: _Document, credits: Any) -> None:
    tmdb_json.expect(credits, dict, "$.credits", "an object with cast and crew")
    cast = tmdb_json.list_in(credits, "$.credits", "cast")
    crew = tmdb_json.list_in(credits, "$.credits", "crew")
    document.has_credits = True

    billed = []
    for position, item in enumerate(cast):
        path = f"$.credits.cast[{position}]"
        credit = _Credit(person=_person(document, item, path))
        if item.get("character") is not None:
            credit.character = tmdb_json.string(
                item["character"], f"{path}.character", CastCredit, "character"
            )
        order = item.get("order")
        billing = position if order is None else tmdb_json.whole(order, f"{path}.order")
        billed.append((billing, position, credit))
    # TMDB sometimes lists a role twice; the better-billed one is kept.
    roles: dict[tuple[int, str], _Credit] = {}
    for _, _, credit in sorted(billed, key=lambda b: b[:2]):
        roles.setdefault((credit.person, credit.character), credit)
    for order, credit in enumerate(roles.values()):
        credit.order = order
    document.cast = list(roles.values())

    jobs: dict[tuple[int, str], _Credit] = {}
    for position, item in enumerate(crew):
        path = f"$.credits.crew[{position}]"
        credit = _Credit(person=_person(document, item, path))
        department = tmdb_json.required(item, "department", path)
        if department not in Department.values:
            raise TMDBImportError(
                f"{tmdb_json.show(department)} is not a TMDB department (expected one of: "
                f"{', '.join(Department.values)})",
                path=f"{path}.department",
            )
        credit.department = department
        credit.job = tmdb_json.required_string(item, "job", path, CrewCredit, "job", blank=False)
        jobs.setdefault((credit.person, credit.job), credit)
    document.crew = list(jobs.values())


def _person(document: _Document, item: Any, path: str) -> int:
    """Validate a credit's person and remember their name; return their TMDB id."""
    tmdb_json.expect(item, dict, path, "an object")
    tmdb_id = tmdb_json.tmdb_id(tmdb_json.required(item, "id", path), f"{path}.id", Person)
    name = tmdb_json.required_string(item, "name", path, Person, "name", blank=False)
    document.people.setdefault(tmdb_id, name)
    return tmdb_id


def _check_imdb_id(document: _Document) -> None:
    """Refuse an IMDb id that another film holds, rather than break its unique constraint."""
    imdb_id = document.fields.get("imdb_id")
    if not imdb_id:
        return
    other = Film.objects.filter(imdb_id=imdb_id).exclude(tmdb_id=document.tmdb_id).first()
    if other is None:
        return
    if other.tmdb_id is None and not Film.objects.filter(tmdb_id=document.tmdb_id).exists():
        return  # entered by hand; _match_film adopts it
    raise TMDBImportError(
        f"{tmdb_json.show(imdb_id)} already belongs to the film {other} (slug {other.slug!r}, "
        f"TMDB id {other.tmdb_id or 'none'})",
        path="$.imdb_id",
    )


def _runtime(value: Any, path: str) -> int | None:
    """Minutes; TMDB says 0 (or null) when it does not know."""
    if value is None or tmdb_json.whole(value, path) == 0:
        return None
    if value > 24 * 60 * 10:
        raise TMDBImportError(f"{value} minutes is not a plausible runtime", path=path)
    return tmdb_json.in_range(value, path, Film, "runtime")


# Writing ---------------------------------------------------------------------------------------


def _match_film(document: _Document) -> Film | None:
    """The film with this TMDB id, or one entered by hand with the file's IMDb id."""
    film = Film.objects.filter(tmdb_id=document.tmdb_id).first()
    if film is None and document.fields.get("imdb_id"):
        film = Film.objects.filter(imdb_id=document.fields["imdb_id"], tmdb_id=None).first()
    return film


def _upsert_named(
    model: type[Genre | Collection], tmdb_id: int, name: str
) -> tuple[Genre | Collection, bool]:
    """Get or create a genre or collection by TMDB id; say whether it was written.

    One entered by hand under the same name is adopted rather than duplicated.
    """
    obj = (
        model.objects.filter(tmdb_id=tmdb_id).first()
        or model.objects.filter(tmdb_id=None, name__iexact=name).first()
        or model()
    )
    written = row_sync.assign(obj, {"tmdb_id": tmdb_id, "name": name})
    if written:
        obj.save()
    return obj, written


def _sync_credits(film: Film, document: _Document) -> bool:
    """Make the film's credits the file's; say whether anything changed.

    Cast or crew an editor changed by hand (`Film.edited_fields`) stay as they are: TMDB's
    go to `Film.tmdb_proposed` (films/tmdb_write.py, `hold_credits`) for the editor to accept.
    """
    names = document.people
    cast = [
        {"id": c.person, "name": names[c.person], "character": c.character} for c in document.cast
    ]
    crew = [
        {"id": c.person, "name": names[c.person], "department": c.department, "job": c.job}
        for c in document.crew
    ]
    held, changed = tmdb_write.hold_credits(film, cast=cast, crew=crew)
    if changed:
        film.save(update_fields=["tmdb_proposed"])
    # The people of held credits are still named as TMDB names them, when we have them.
    known = Person.objects.filter(tmdb_id__in=names)
    for person in known:
        if row_sync.assign(person, {"name": names[person.tmdb_id]}):
            person.save()
            changed = True
    if "cast" not in held:
        changed |= write_credits(film, "cast", cast)
    if "crew" not in held:
        changed |= write_credits(film, "crew", crew)
    return changed


def write_credits(film: Film, kind: str, credits: list[dict]) -> bool:
    """Make the film's cast or crew exactly `credits` (as `_sync_credits` lists them, with
    TMDB's person ids and names), creating the people it lacks; say whether anything changed."""
    ids = {credit["id"] for credit in credits}
    people = {person.tmdb_id: person for person in Person.objects.filter(tmdb_id__in=ids)}
    changed = False
    for credit in credits:
        if credit["id"] not in people:
            people[credit["id"]] = Person.objects.create(tmdb_id=credit["id"], name=credit["name"])
            changed = True
    if kind == "cast":
        stored, key, fields = film.cast_credits, ("person_id", "character"), ["character", "order"]
        wanted = [
            CastCredit(film=film, person=people[c["id"]], character=c["character"], order=order)
            for order, c in enumerate(credits)
        ]
    else:
        stored, key, fields = film.crew_credits, ("person_id", "job"), ["department", "job"]
        wanted = [
            CrewCredit(film=film, person=people[c["id"]], department=c["department"], job=c["job"])
            for c in credits
        ]
    synced = row_sync.sync(stored.all(), wanted, key=key, fallback="person_id", fields=fields)
    return synced or changed
