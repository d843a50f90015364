"""Reading a TMDB JSON file and checking the values in it, for films/importers.py (the film,
its genres, collection and credits) and films/tmdb_import.py (images, videos, releases and the
rest).

Every check raises `TMDBImportError` naming the JSON path to blame
(`$.credits.cast[3].name: missing required key`) and refuses what the database column could not
hold, so a file is refused whole before anything is written.
"""

import datetime
import json
import re
from os import PathLike
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations

DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
UTF8_BOM = b"\xef\xbb\xbf"
# A TMDB movie nests five levels deep; this leaves room and stays far from Python's stack limit.
MAX_DEPTH = 64
# No number TMDB sends is longer; a longer one (a 5,000-digit "id") is refused by path, not parsed.
MAX_DIGITS = 20


class TMDBImportError(Exception):
    """A TMDB document that cannot be imported; `path` is the JSON path to blame, if any."""

    def __init__(self, message: str, *, path: str | None = None):
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)


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
        # json's messages that end "… at" count on a position after them: it is given first.
        reason = exc.msg[:-3] + " here" if exc.msg.endswith(" at") else exc.msg
        raise TMDBImportError(
            f"line {exc.lineno}, column {exc.colno}: invalid JSON: {reason}"
        ) from exc
    long = _first_long_number(document, "$")
    if long is not None:
        raise TMDBImportError(
            f"a number of {len(long.lstrip('-'))} digits is out of range: no TMDB value has "
            f"more than {MAX_DIGITS}",
            path=long.path,
        )
    expect(document, dict, "$", "an object (a TMDB movie)")
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


# Values ----------------------------------------------------------------------------------------


def named(item: Any, path: str, model: type[models.Model]) -> tuple[int, str]:
    """A genre, collection or keyword: `{"id": 28, "name": "Action"}`."""
    expect(item, dict, path, "an object with id and name")
    number = tmdb_id(required(item, "id", path), f"{path}.id", model)
    name = required_string(item, "name", path, model, "name", blank=False)
    return number, name


def required(obj: dict, key: str, path: str) -> Any:
    if key not in obj:
        raise TMDBImportError("missing required key", path=f"{path}.{key}")
    return obj[key]


def list_in(value: Any, path: str, key: str) -> list:
    """The list under `key` of the object at `path` (TMDB's `{"results": [...]}` blocks)."""
    block = expect(value, dict, path, f"an object with {key}")
    return expect(required(block, key, path), list, f"{path}.{key}", "a list")


def expect(value: Any, kind: type, path: str, description: str) -> Any:
    if not isinstance(value, kind) or isinstance(value, _LongNumber):
        raise TMDBImportError(f"expected {description}, got {show(value)}", path=path)
    return value


def whole(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TMDBImportError(f"expected a whole number, got {show(value)}", path=path)
    if value < 0:
        raise TMDBImportError(f"expected a number of 0 or more, got {value}", path=path)
    return value


def tmdb_id(value: Any, path: str, model: type[models.Model]) -> int:
    if whole(value, path) == 0:
        raise TMDBImportError("expected a TMDB id (1 or more), got 0", path=path)
    return in_range(value, path, model, "tmdb_id")


def in_range(value: int, path: str, model: type[models.Model], name: str) -> int:
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


def string(
    value: Any, path: str, model: type[models.Model], name: str, *, blank: bool = True
) -> str:
    if value is None and blank:
        return ""
    expect(value, str, path, "a string")
    _plain_text(value, path)
    value = value.strip()
    if not value and not blank:
        raise TMDBImportError("must not be empty", path=path)
    limit = model._meta.get_field(name).max_length
    if limit and len(value) > limit:
        raise TMDBImportError(f"is {len(value)} characters long; the limit is {limit}", path=path)
    return value


def required_string(
    obj: dict, key: str, path: str, model: type[models.Model], name: str, *, blank: bool = True
) -> str:
    """`obj[key]`, which must be there, as `string` checks it."""
    return string(required(obj, key, path), f"{path}.{key}", model, name, blank=blank)


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


def date(value: Any, path: str) -> datetime.date | None:
    if value is None or value == "":
        return None
    expect(value, str, path, "a date as YYYY-MM-DD")
    try:
        if DATE_RE.fullmatch(value):
            return datetime.date.fromisoformat(value)
    except ValueError:
        pass
    raise TMDBImportError(f"{show(value)} is not a date (expected YYYY-MM-DD)", path=path)


def show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else f"{text[:59]}…"
