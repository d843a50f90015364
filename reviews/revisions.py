"""Revisions of a review (with its sections): snapshots, a readable diff, and restore.

django-reversion stores the rows; this module turns a stored revision into a snapshot an editor
can read, compares two snapshots section by section with changed words marked, and restores one
as a new revision, so nothing is ever lost.
"""

from __future__ import annotations

import datetime
import difflib
import re
from dataclasses import dataclass, field

import reversion
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from reversion.models import Version

from config.times import stamp
from films.models import Film
from reviews import clock, permissions
from reviews import pending as pending_versions
from reviews.models import Review, Section
from reviews.search import index as search_index
from reviews.widgets import spoken, stars

# The fields a revision shows and compares. Workflow state (status, dates) is not content:
# restoring an old text does not unpublish a review.
CONTENT_FIELDS = ["headline", "dek", "intro", "rating", "verdict", "film", "comments_enabled"]
# The fields a restore brings back. Not "Comments enabled": a moderation switch, flipped at once
# and recorded in the audit trail (Review.set_comments_enabled), not content. Restoring last
# month's text must not re-open comments an editor closed on a thread turning abusive today
# (nor close them): the switch stays as it is now.
RESTORED_FIELDS = [name for name in CONTENT_FIELDS if name != "comments_enabled"]
SECTION_FIELDS = ["heading", "anchor", "body", "position", "is_spoiler"]
# Fields whose stored value is not what editors read (an id, a number, a flag).
DISPLAYED = {"film", "rating", "comments_enabled"}


@dataclass
class SectionSnapshot:
    pk: int
    heading: str
    anchor: str
    body: str
    position: int
    is_spoiler: bool


@dataclass
class Snapshot:
    version: Version | None  # None for a pending version
    fields: dict
    sections: list[SectionSnapshot] = field(default_factory=list)
    when: datetime.datetime | None = None
    user: object = None

    @property
    def is_pending(self) -> bool:
        return self.version is None

    @property
    def shown_fields(self) -> list[tuple[str, str]]:
        """(label, value) of each content field as editors read them: names, never ids."""
        films = _films([self])
        return [
            (field_label(name), shown(name, value, films)) for name, value in self.fields.items()
        ]


def field_label(name: str) -> str:
    """A field's label as the change form shows it ("Dek (subtitle)"), not its name."""
    return capfirst(Review._meta.get_field(name).verbose_name)


def _films(snapshots) -> dict:
    ids = {snap.fields.get("film") for snap in snapshots} - {None}
    return Film.objects.in_bulk(ids)


def shown(name: str, value, films: dict) -> str:
    """A stored value as editors read it: the film's title and year, stars, Yes/No."""
    if value is None or value == "":
        return "—"
    if name == "film":
        film = films.get(value) or films.get(_int(value))
        return (
            f"{film.title} ({film.year})"
            if film and film.year
            else (film.title if film else "a film since deleted")
        )
    if name == "rating":
        return f"{stars(str(value))} ({spoken(str(value))})"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def versions_for(review) -> list[Version]:
    """Stored revisions of `review`, newest first, with their users."""
    return list(Version.objects.get_for_object(review).select_related("revision__user"))


def snapshot(version: Version) -> Snapshot:
    sections = [
        SectionSnapshot(pk=int(v.object_id), **{f: v.field_dict.get(f) for f in SECTION_FIELDS})
        for v in version.revision.version_set.get_for_model(Section)
    ]
    sections.sort(key=lambda s: (s.position, s.pk))
    data = version.field_dict
    fields = {name: data.get(name if name != "film" else "film_id") for name in CONTENT_FIELDS}
    return Snapshot(
        version=version,
        fields=fields,
        sections=sections,
        when=version.revision.date_created,
        user=version.revision.user,
    )


def pending_snapshot(pending) -> Snapshot:
    """A live review's pending version, in the same shape as a stored one."""
    fields = {}
    for name in CONTENT_FIELDS:
        model_field = Review._meta.get_field(name)
        if name in pending_versions.REVIEW_FIELDS:
            fields[name] = model_field.to_python(pending.fields.get(name))
        else:  # not the pending version's (the comments switch): as live, as publishing leaves it
            fields[name] = model_field.value_from_object(pending.review)
    sections = [
        SectionSnapshot(pk=data.get("id") or -index, **{f: data.get(f) for f in SECTION_FIELDS})
        for index, data in enumerate(pending.sections, start=1)
    ]
    sections.sort(key=lambda s: (s.position or 0, s.pk))
    return Snapshot(
        version=None,
        fields=fields,
        sections=sections,
        when=pending.updated_at,
        user=pending.updated_by,
    )


@dataclass
class FieldChange:
    name: str
    old: object
    new: object
    diff: SafeString
    label: str = ""


@dataclass
class SectionChange:
    kind: str  # "added", "removed", "changed", "moved", "unchanged"
    heading: str
    old_position: int | None = None
    new_position: int | None = None
    heading_diff: SafeString | None = None
    body_diff: SafeString | None = None


@dataclass
class Comparison:
    fields: list[FieldChange]
    sections: list[SectionChange]

    @property
    def has_changes(self) -> bool:
        return bool(self.fields) or any(s.kind != "unchanged" for s in self.sections)


_TOKEN = re.compile(r"\s+|[^\s]+")


def word_diff(old: str, new: str) -> SafeString:
    """HTML of `new` against `old` with removed words in <del> and added words in <ins>."""
    a, b = _TOKEN.findall(old or ""), _TOKEN.findall(new or "")
    pieces = []  # (template, text): format_html_join escapes each text
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append(("{}", "".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            pieces.append(("<del>{}</del>", "".join(a[i1:i2])))
        if op in ("insert", "replace"):
            pieces.append(("<ins>{}</ins>", "".join(b[j1:j2])))
    return format_html_join("", "{}", ((format_html(t, text),) for t, text in pieces))


def compare(old: Snapshot, new: Snapshot) -> Comparison:
    """Compare two snapshots: changed fields, and sections added, removed, moved or changed."""
    films = _films([old, new])
    fields = [
        FieldChange(
            name,
            old.fields[name],
            new.fields[name],
            # Compared as editors read them: the film's title, stars, Yes/No.
            word_diff(shown(name, old.fields[name], films), shown(name, new.fields[name], films))
            if name in DISPLAYED
            else word_diff(_text(old.fields[name]), _text(new.fields[name])),
            label=field_label(name),
        )
        for name in CONTENT_FIELDS
        if old.fields[name] != new.fields[name]
    ]
    old_by_pk = {s.pk: s for s in old.sections}
    new_by_pk = {s.pk: s for s in new.sections}
    old_order = [s.pk for s in old.sections if s.pk in new_by_pk]
    new_order = [s.pk for s in new.sections if s.pk in old_by_pk]
    # Sections that keep their relative order are "in place"; the rest have moved.
    matcher = difflib.SequenceMatcher(None, old_order, new_order, autojunk=False)
    in_place = {
        pk
        for block in matcher.get_matching_blocks()
        for pk in new_order[block.b : block.b + block.size]
    }
    changes: list[SectionChange] = []
    for index, section in enumerate(new.sections, start=1):
        before = old_by_pk.get(section.pk)
        if before is None:
            changes.append(
                SectionChange(
                    "added",
                    section.heading,
                    new_position=index,
                    body_diff=word_diff("", section.body),
                )
            )
            continue
        old_index = old.sections.index(before) + 1
        edited = (before.heading, before.body, before.is_spoiler) != (
            section.heading,
            section.body,
            section.is_spoiler,
        )
        kind = "changed" if edited else ("unchanged" if section.pk in in_place else "moved")
        if edited and section.pk not in in_place:
            kind = "moved and changed"
        changes.append(
            SectionChange(
                kind,
                section.heading,
                old_position=old_index,
                new_position=index,
                heading_diff=word_diff(before.heading, section.heading),
                body_diff=word_diff(before.body, section.body) if edited else None,
            )
        )
    for index, section in enumerate(old.sections, start=1):
        if section.pk not in new_by_pk:
            changes.append(
                SectionChange(
                    "removed",
                    section.heading,
                    old_position=index,
                    body_diff=word_diff(section.body, ""),
                )
            )
    return Comparison(fields=fields, sections=changes)


def _text(value) -> str:
    return "" if value is None else str(value)


def restore(review, version: Version, by) -> bool:
    """Bring back the content of `version`; only editors may.

    A live review gets it as its pending version (readers keep the live one until the changes
    are published) and True is returned; any other review gets it as a new revision.
    A version whose film has since been deleted is refused with a ValidationError, and so is a
    restore while the review has pending changes: they are in no version, and would be lost.
    """
    if not permissions.may_restore(by):
        raise PermissionDenied("Only editors may restore revisions.")
    old = snapshot(version)
    when = version.revision.date_created
    if not Film.objects.filter(pk=old.fields["film"]).exists():
        raise ValidationError(
            "This version reviews a film that has since been deleted, so it cannot be "
            "restored as it is. Open the review, pick a film, and copy the text you need "
            "from this version.",
            code="film_deleted",
        )
    current = Review.objects.get(pk=review.pk)
    if (pending := current.pending) is not None:
        raise ValidationError(
            f"This review has pending changes, saved {clock.local(pending.updated_at)} by "
            f"{pending.saved_by_name()}: "
            "restoring would replace them, and they are in no version of the history. Publish "
            "or discard them first (copy what you want to keep from them).",
            code="pending",
        )
    # Gone live or expired by its times, unrecorded: recorded first, so the restore acts on the
    # review as readers see it (an expired one is a draft, restored in place).
    clock.catch_up(current)
    if current.is_public:
        for name in RESTORED_FIELDS:
            setattr(current, "film_id" if name == "film" else name, old.fields[name])
        sections = [
            Section(pk=snap.pk, review=current, **{n: getattr(snap, n) for n in SECTION_FIELDS})
            for snap in old.sections
        ]
        pending_versions.save_pending(current, sections, by, current.version)
        review.refresh_from_db()
        return True
    # The search index is rebuilt once for the review and all its sections (search_index.batch).
    with transaction.atomic(), reversion.create_revision(), search_index.batch():
        current = Review.objects.select_for_update().get(pk=review.pk)
        for name in RESTORED_FIELDS:
            setattr(current, "film_id" if name == "film" else name, old.fields[name])
        current.last_edited_by = by
        current.save()
        # Sections come back with their old ids, so later comparisons can follow them.
        current.sections.all().delete()
        for snap in old.sections:
            Section(
                pk=snap.pk, review=current, **{name: getattr(snap, name) for name in SECTION_FIELDS}
            ).save()
        pending_versions.PendingChange.objects.filter(review=current).delete()
        reversion.set_user(by)
        reversion.set_comment(f"Restored the version of {stamp(when)}.")
    review.refresh_from_db()
    return False
