"""Read and import plain-text reviews (DESIGN.md, "Content formats").

The format, by example (`content/ballerina-review.txt`)::

    26/01/2025
    🎬BALLERINA: A JOHN WICK Story💥
    **A Fierce, Graceful Revenge Tale Set in the Underworld**
    A paragraph of the intro, with *inline Markdown* kept as it is.
    **Plot: A Dance of Vengeance and Betrayal**
    A paragraph of the section.

Parsing and importing are separate steps so that a file is checked completely, with errors that
name the line, before anything touches the database.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

import reversion
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from films.models import Film
from reviews.critics import require_display_name
from reviews.markdown import nesting_problem
from reviews.models import Review, Section
from reviews.search import index as search_index

DATE_RE = re.compile(r"(\d{2})/(\d{2})/(\d{4})")
BOLD_RE = re.compile(r"\*\*(.*)\*\*")
LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")
# Unicode categories of the emoji, modifiers, joiners and variation selectors that decorate a
# headline's ends ("🎬 … 💥💥").
DECORATION_CATEGORIES = {"So", "Sk", "Cf", "Mn"}
UTF8_BOM = b"\xef\xbb\xbf"


class ReviewFormatError(Exception):
    """A review that cannot be imported; `line` (1-based) is None when no line is to blame."""

    def __init__(self, message: str, *, line: int | None = None):
        self.line = line
        self.problem = message
        super().__init__(f"line {line}: {message}" if line is not None else message)


@dataclass
class ParsedSection:
    heading: str
    body: str = ""


@dataclass
class ParsedReview:
    date: datetime.date
    headline: str
    dek: str = ""
    intro: str = ""
    sections: list[ParsedSection] = field(default_factory=list)


def read_review_file(path: str | PathLike) -> str:
    """Return the file's text; refuse anything that is not UTF-8 (a BOM is allowed)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ReviewFormatError(f"cannot read {path}: {exc.strerror or exc}") from exc
    data = data.removeprefix(UTF8_BOM)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        raise ReviewFormatError(
            f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} at column "
            f"{exc.start - line_start + 1}); save it as UTF-8",
            line=data.count(b"\n", 0, exc.start) + 1,
        ) from exc


def parse_review(text: str) -> ParsedReview:
    """Parse a review's text, raising ReviewFormatError at the first problem."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise ReviewFormatError("the file is empty", line=1)
    lines = LINE_BREAK_RE.split(text)
    for number, raw in enumerate(lines, start=1):
        if "\x00" in raw:
            raise ReviewFormatError(
                f"a NUL character at column {raw.index(chr(0)) + 1}; the file is not plain text",
                line=number,
            )

    date = _parse_date(lines[0].strip())
    headline = _parse_headline(lines[1] if len(lines) > 1 else None)

    dek = ""
    intro: list[str] = []
    sections: list[tuple[ParsedSection, list[str]]] = []
    last = 2  # the last line with text on it, to point at when the review text is missing
    for number, raw in enumerate(lines[2:], start=3):
        line = raw.strip()
        if not line:
            continue
        last = number
        problem = nesting_problem(line)
        if problem:
            raise ReviewFormatError(f"the text has {problem}", line=number)
        heading = _bold_text(line, number)
        if heading is None:
            (sections[-1][1] if sections else intro).append(line)
        elif not dek and not intro and not sections:
            dek = _within(heading, Review, "dek", number)
        else:
            sections.append((ParsedSection(_within(heading, Section, "heading", number)), []))

    if not intro and not sections:
        raise ReviewFormatError(
            f"no review text after the {'dek' if dek else 'headline'} (expected paragraphs "
            "and **bold** section headings)",
            line=last,
        )
    for section, paragraphs in sections:
        section.body = "\n\n".join(paragraphs)
    return ParsedReview(
        date=date,
        headline=headline,
        dek=dek,
        intro="\n\n".join(intro),
        sections=[section for section, _ in sections],
    )


def _parse_date(line: str) -> datetime.date:
    match = DATE_RE.fullmatch(line)
    if not match:
        found = f'"{_clip(line)}"' if line else "an empty line"
        raise ReviewFormatError(
            f"expected the publication date as DD/MM/YYYY, found {found}", line=1
        )
    day, month, year = map(int, match.groups())
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ReviewFormatError(
            f'"{line}" is not a real date (expected DD/MM/YYYY)', line=1
        ) from None


def _parse_headline(line: str | None) -> str:
    if line is None or not line.strip():
        raise ReviewFormatError("no headline (expected it on the line after the date)", line=2)
    if BOLD_RE.fullmatch(line.strip()):
        raise ReviewFormatError(
            "expected the headline, found a bold line (the bold dek goes after the headline)",
            line=2,
        )
    headline = _strip_decoration(line)
    if not headline:
        raise ReviewFormatError(
            f'the headline "{line.strip()}" has no text, only decoration', line=2
        )
    return _within(headline, Review, "headline", 2)


def _strip_decoration(text: str) -> str:
    """Drop emoji, joiners, variation selectors and spaces from both ends, not the middle."""

    def decorative(char: str) -> bool:
        return char.isspace() or unicodedata.category(char) in DECORATION_CATEGORIES

    start, end = 0, len(text)
    while start < end and decorative(text[start]):
        start += 1
    while end > start and decorative(text[end - 1]):
        end -= 1
    return text[start:end]


def _bold_text(line: str, number: int) -> str | None:
    """The inner text of a wholly bold line, or None for any other line."""
    match = BOLD_RE.fullmatch(line)
    if not match or "**" in match[1]:
        return None
    inner = match[1].strip()
    if not inner:
        raise ReviewFormatError(f"the bold line {line} has no text in it", line=number)
    return inner


def _within(value: str, model: type[Review | Section], name: str, number: int) -> str:
    """Refuse a value the model's column cannot hold, rather than fail at the database."""
    limit = model._meta.get_field(name).max_length
    if len(value) > limit:
        raise ReviewFormatError(
            f"the {name} is {len(value)} characters long; the limit is {limit}", line=number
        )
    return value


def _clip(text: str, length: int = 60) -> str:
    return text if len(text) <= length else f"{text[: length - 1]}…"


def import_review(
    parsed: ParsedReview, *, film: Film, author: AbstractBaseUser, publish: bool = False
) -> Review:
    """Write a parsed review and its sections in one transaction.

    With `publish`, the review goes public at the file's date (00:00 in the site's time zone),
    or is scheduled for it when that date is still to come; otherwise it is a draft that keeps
    the date as its intended publication date (used when an editor publishes it). A review
    whose slug is taken is refused rather than imported under "-2", which would silently
    duplicate a review imported before.
    """
    slug = slugify(parsed.headline)[:200].strip("-") or "review"
    existing = Review.objects.filter(slug=slug).first()
    if existing is not None:
        raise ReviewFormatError(
            f'a review with the slug "{slug}" already exists: "{existing.headline}" '
            f"(id {existing.pk}, {existing.get_status_display().lower()}); "
            "delete or rename it before importing again"
        )

    if publish:  # a ValidationError that says how to give the author a display name
        require_display_name(author)
    review = Review(
        film=film,
        author=author,
        slug=slug,
        headline=parsed.headline,
        dek=parsed.dek,
        intro=parsed.intro,
        intended_date=parsed.date,
    )
    if publish:
        review.published_at = publication_time(parsed.date)
    # One search index rebuild for the review and all its sections, not one per section.
    with transaction.atomic(), reversion.create_revision(), search_index.batch():
        reversion.set_user(author)
        reversion.set_comment("Imported from a text file.")
        if publish:
            # Imports run with shell access, outside the editorial roles; the audit trail still
            # says how the review went public (draft → published or scheduled, by no one).
            review.move_to(
                public_status(review.published_at), by=None, note="Published by import_review."
            )
        else:
            review.save()
        for position, section in enumerate(parsed.sections):
            Section.objects.create(
                review=review, heading=section.heading, body=section.body, position=position
            )
    return review


def publication_time(date: datetime.date) -> datetime.datetime:
    """A review dated `date` goes public at 00:00 that day in the site's time zone."""
    return datetime.datetime.combine(
        date, datetime.time.min, tzinfo=timezone.get_default_timezone()
    )


def public_status(published_at: datetime.datetime) -> str:
    """Published when its time has come, scheduled when it is still to come."""
    return Review.Status.SCHEDULED if published_at > timezone.now() else Review.Status.PUBLISHED
