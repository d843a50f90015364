"""Import films from TMDB's movie JSON (with `append_to_response=credits`, and the richer
blocks films/tmdb_import.py checks and films/tmdb_write.py writes: images, videos, releases,
watch providers, alternative titles, keywords, external ids).

The whole document is checked first, with errors naming the JSON path
(`$.credits.cast[3].name: missing required key`), and then written in one transaction. Rows are
matched on TMDB ids, so a re-import updates in place; rows whose values did not change are not
saved at all, so re-importing the same file leaves every `updated_at` where it was.
"""

import datetime
import json
import re
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils import timezone

from films import tmdb_write
from films.models import CastCredit, Collection, CrewCredit, Department, Film, Genre, Person
from films.tmdb_import import Extras, validate_extras

DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
UTF8_BOM = b"\xef\xbb\xbf"
# A TMDB movie nests five levels deep; this leaves room and stays far from Python's stack limit.
MAX_DEPTH = 64
# No number TMDB sends is longer; a longer one (a 5,000-digit "id") is refused by path, not parsed.
MAX_DIGITS = 20
# What TMDB sends for film fields; each maps to a Film field of the same meaning.
FILM_STRINGS = {
    "original_title": "original_title",
    "original_language": "original_language",
    "tagline": "tagline",
    "overview": "synopsis",
    "certification": "certification",
    "imdb_id": "imdb_id",
}


class TMDBImportError(Exception):
    """A TMDB document that cannot be imported; `path` is the JSON path to blame, if any."""

    def __init__(self, message: str, *, path: str | None = None):
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)


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


def load_tmdb_file(path: str | PathLike) -> dict:
    """Read and parse a TMDB JSON file, naming the line and column of any syntax error."""
    try:
        data = Path(path).read_bytes().removeprefix(UTF8_BOM)
    except OSError as exc:
        raise TMDBImportError(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise TMDBImportError(
            f"line {line}: the file is not UTF-8 text (byte 0x{data[exc.start]:02x})"
        ) from exc
    where = _too_deep(text)
    if where is not None:
        line, column = where
        raise TMDBImportError(
            f"line {line}, column {column}: the JSON nests deeper than {MAX_DEPTH} levels "
            "(a TMDB movie needs five)"
        )
    try:
        document = json.loads(text, parse_int=_parse_int, parse_constant=_LongNumber)
    except json.JSONDecodeError as exc:
        raise TMDBImportError(
            f"line {exc.lineno}, column {exc.colno}: invalid JSON: {exc.msg}"
        ) from exc
    long = _first_long_number(document, "$")
    if long is not None:
        raise TMDBImportError(
            f"a number of {len(long.lstrip('-'))} digits is out of range: no TMDB value has "
            f"more than {MAX_DIGITS}",
            path=long.path,
        )
    _expect(document, dict, "$", "an object (a TMDB movie)")
    return document


class _LongNumber(str):
    """A number the file holds that no TMDB field could: kept as text, refused by its path.

    Also what NaN and Infinity parse to, so they are refused wherever a number is read.
    """

    path = "$"


def _parse_int(text: str) -> int | _LongNumber:
    return _LongNumber(text) if len(text.lstrip("-")) > MAX_DIGITS else int(text)


def _first_long_number(value: Any, path: str) -> _LongNumber | None:
    """The first over-long integer in the document (NaN and Infinity are refused where read)."""
    if isinstance(value, _LongNumber) and value.lstrip("-").isdigit():
        value.path = path
        return value
    if isinstance(value, dict):
        items = ((f"{path}.{key}", item) for key, item in value.items())
    elif isinstance(value, list):
        items = ((f"{path}[{index}]", item) for index, item in enumerate(value))
    else:
        return None
    for child_path, child in items:
        found = _first_long_number(child, child_path)
        if found is not None:
            return found
    return None


def _too_deep(text: str) -> tuple[int, int] | None:
    """The line and column where brackets nest deeper than MAX_DEPTH, if they do.

    Checked before parsing: json.loads would recurse once per level until Python's stack ran out.
    """
    depth = 0
    in_string = escaped = False
    line, line_start = 1, 0
    for index, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return line, index - line_start + 1
        elif char in "]}":
            depth -= 1
        if char == "\n":
            line, line_start = line + 1, index + 1
    return None


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
    film_changed = _assign(film, values)
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
    _expect(data, dict, "$", "an object (a TMDB movie)")
    tmdb_id = _tmdb_id(_required(data, "id", "$"), "$.id", Film)
    title = _string(_required(data, "title", "$"), "$.title", Film, "title", blank=False)
    fields: dict[str, Any] = {"tmdb_id": tmdb_id, "title": title}
    for key, name in FILM_STRINGS.items():
        if key in data:
            fields[name] = _string(data[key], f"$.{key}", Film, name)
    if "release_date" in data:
        fields["release_date"] = _date(data["release_date"], "$.release_date")
    if "runtime" in data:
        fields["runtime"] = _runtime(data["runtime"], "$.runtime")
    document = _Document(tmdb_id=tmdb_id, fields=fields)
    _check_imdb_id(document)

    if "genres" in data:
        genres = _expect(data["genres"], list, "$.genres", "a list")
        document.genres = [_named(genre, f"$.genres[{i}]", Genre) for i, genre in enumerate(genres)]
    if "belongs_to_collection" in data:
        document.has_collection = True
        if data["belongs_to_collection"] is not None:
            document.collection = _named(
                data["belongs_to_collection"], "$.belongs_to_collection", Collection
            )
    if "credits" in data:
        _validate_credits(document, data["credits"])
    document.extras = validate_extras(data)
    return document


def _validate_credits(document: _Document, credits: Any) -> None:
    _expect(credits, dict, "$.credits", "an object with cast and crew")
    cast = _expect(_required(credits, "cast", "$.credits"), list, "$.credits.cast", "a list")
    crew = _expect(_required(credits, "crew", "$.credits"), list, "$.credits.crew", "a list")
    document.has_credits = True

    billed = []
    for position, item in enumerate(cast):
        path = f"$.credits.cast[{position}]"
        credit = _Credit(person=_person(document, item, path))
        if item.get("character") is not None:
            credit.character = _string(
                item["character"], f"{path}.character", CastCredit, "character"
            )
        order = item.get("order")
        billing = position if order is None else _whole(order, f"{path}.order")
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
        department = _required(item, "department", path)
        if department not in Department.values:
            raise TMDBImportError(
                f"{_show(department)} is not a TMDB department (expected one of: "
                f"{', '.join(Department.values)})",
                path=f"{path}.department",
            )
        credit.department = department
        credit.job = _string(
            _required(item, "job", path), f"{path}.job", CrewCredit, "job", blank=False
        )
        jobs.setdefault((credit.person, credit.job), credit)
    document.crew = list(jobs.values())


def _person(document: _Document, item: Any, path: str) -> int:
    """Validate a credit's person and remember their name; return their TMDB id."""
    _expect(item, dict, path, "an object")
    tmdb_id = _tmdb_id(_required(item, "id", path), f"{path}.id", Person)
    name = _string(_required(item, "name", path), f"{path}.name", Person, "name", blank=False)
    document.people.setdefault(tmdb_id, name)
    return tmdb_id


def _named(item: Any, path: str, model: type[Genre | Collection]) -> tuple[int, str]:
    """A genre or collection: `{"id": 28, "name": "Action"}`."""
    _expect(item, dict, path, "an object with id and name")
    tmdb_id = _tmdb_id(_required(item, "id", path), f"{path}.id", model)
    name = _string(_required(item, "name", path), f"{path}.name", model, "name", blank=False)
    return tmdb_id, name


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
        f"{_show(imdb_id)} already belongs to the film {other} (slug {other.slug!r}, TMDB id "
        f"{other.tmdb_id or 'none'})",
        path="$.imdb_id",
    )


def _required(obj: dict, key: str, path: str) -> Any:
    if key not in obj:
        raise TMDBImportError("missing required key", path=f"{path}.{key}")
    return obj[key]


def _expect(value: Any, kind: type, path: str, description: str) -> Any:
    if not isinstance(value, kind) or isinstance(value, _LongNumber):
        raise TMDBImportError(f"expected {description}, got {_show(value)}", path=path)
    return value


def _whole(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TMDBImportError(f"expected a whole number, got {_show(value)}", path=path)
    if value < 0:
        raise TMDBImportError(f"expected a number of 0 or more, got {value}", path=path)
    return value


def _tmdb_id(value: Any, path: str, model: type[models.Model]) -> int:
    if _whole(value, path) == 0:
        raise TMDBImportError("expected a TMDB id (1 or more), got 0", path=path)
    return _in_range(value, path, model, "tmdb_id")


def _in_range(value: int, path: str, model: type[models.Model], name: str) -> int:
    """Refuse a number the column cannot hold, before the database sees (or wraps) it.

    The range is the field type's own (a PositiveIntegerField holds 0 to 2**31 - 1), the same on
    every database, so a file that imports on SQLite imports on PostgreSQL too.
    """
    field = model._meta.get_field(name)
    low, high = BaseDatabaseOperations.integer_field_ranges[field.get_internal_type()]
    if not low <= value <= high:
        raise TMDBImportError(
            f"{value} is out of range for a {model._meta.verbose_name}'s {field.verbose_name} "
            f"({low} to {high})",
            path=path,
        )
    try:
        field.run_validators(value)
    except ValidationError as exc:
        raise TMDBImportError(" ".join(exc.messages), path=path) from None
    return value


def _runtime(value: Any, path: str) -> int | None:
    """Minutes; TMDB says 0 (or null) when it does not know."""
    if value is None or _whole(value, path) == 0:
        return None
    if value > 24 * 60 * 10:
        raise TMDBImportError(f"{value} minutes is not a plausible runtime", path=path)
    return _in_range(value, path, Film, "runtime")


def _string(
    value: Any, path: str, model: type[models.Model], name: str, *, blank: bool = True
) -> str:
    if value is None and blank:
        return ""
    _expect(value, str, path, "a string")
    _plain_text(value, path)
    value = value.strip()
    if not value and not blank:
        raise TMDBImportError("must not be empty", path=path)
    limit = model._meta.get_field(name).max_length
    if limit and len(value) > limit:
        raise TMDBImportError(f"is {len(value)} characters long; the limit is {limit}", path=path)
    return value


def _plain_text(value: str, path: str) -> None:
    """Refuse text no database column can store: NUL characters and lone surrogates."""
    if "\x00" in value:
        raise TMDBImportError(
            f"holds a NUL character (\\u0000) at character {value.index(chr(0)) + 1}", path=path
        )
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise TMDBImportError(
            f"holds a lone surrogate (\\u{ord(value[exc.start]):04x}) at character "
            f"{exc.start + 1}; it is not text",
            path=path,
        ) from None


def _date(value: Any, path: str) -> datetime.date | None:
    if value is None or value == "":
        return None
    _expect(value, str, path, "a date as YYYY-MM-DD")
    try:
        if DATE_RE.fullmatch(value):
            return datetime.date.fromisoformat(value)
    except ValueError:
        pass
    raise TMDBImportError(f"{_show(value)} is not a date (expected YYYY-MM-DD)", path=path)


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else f"{text[:59]}…"


# Writing ---------------------------------------------------------------------------------------


def _assign(obj: models.Model, values: dict[str, Any]) -> bool:
    """Set the values that differ; say whether any did."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


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
    written = _assign(obj, {"tmdb_id": tmdb_id, "name": name})
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
        if _assign(person, {"name": names[person.tmdb_id]}):
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
        wanted = [
            CastCredit(film=film, person=people[c["id"]], character=c["character"], order=order)
            for order, c in enumerate(credits)
        ]
        return (
            _sync(
                film.cast_credits.all(),
                wanted,
                key=("person_id", "character"),
                fallback="person_id",
                fields=["character", "order"],
            )
            or changed
        )
    wanted = [
        CrewCredit(film=film, person=people[c["id"]], department=c["department"], job=c["job"])
        for c in credits
    ]
    return (
        _sync(
            film.crew_credits.all(),
            wanted,
            key=("person_id", "job"),
            fallback="person_id",
            fields=["department", "job"],
        )
        or changed
    )


def _sync(
    existing: models.QuerySet,
    wanted: list[models.Model],
    *,
    key: tuple[str, ...],
    fallback: str,
    fields: list[str],
) -> bool:
    """Turn `existing` rows into `wanted` ones with the fewest writes; say whether any happened.

    Rows are matched on their unique `key` first, then on `fallback` alone, so a person whose
    character or job was renamed keeps their row.
    """

    def identity(obj: models.Model, names: tuple[str, ...]) -> tuple:
        return tuple(getattr(obj, name) for name in names)

    spare = {identity(obj, key): obj for obj in existing}
    matched, unmatched = [], []
    for new in wanted:
        old = spare.pop(identity(new, key), None)
        (unmatched if old is None else matched).append((old, new))
    created = []
    for _, new in unmatched:
        old = next(
            (obj for obj in spare.values() if getattr(obj, fallback) == getattr(new, fallback)),
            None,
        )
        if old is None:
            created.append(new)
        else:
            del spare[identity(old, key)]
            matched.append((old, new))

    changed = bool(spare or created)
    existing.model.objects.filter(pk__in=[obj.pk for obj in spare.values()]).delete()
    updated = [old for old, new in matched if _assign(old, {f: getattr(new, f) for f in fields})]
    if updated:
        existing.model.objects.bulk_update(updated, fields)
        changed = True
    existing.model.objects.bulk_create(created)
    return changed
