"""Pending versions of live reviews, and autosaved drafts of open forms.

A published review keeps its live version in its own rows (Review and Section) while an edit
waits beside it as a `PendingChange`: a snapshot of the form's fields and sections. Readers,
lists, feeds, search, JSON-LD and every cache read the rows, so they keep showing the live
version until an editor publishes the changes (`publish_changes()`), which applies the
snapshot through `Review.save()` as a new revision and an audit-trail entry, or discards them.

`Autosave` is one rolling copy per user and review of a change form's unsaved content: not a
revision, never read by a public page, offered back when the form is reopened.
"""

from __future__ import annotations

import reversion
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import timezone

from films import upload_cleanup
from images.figures import referenced_ids
from images.models import Image
from reviews import clock, permissions, prepublish
from reviews.search import index as search_index
from reviews.tasks import mail_on_commit
from reviews.workflow import admin_link, editors_but, staff_name

# What a pending version holds: the change form's fields, and each section's. Not "Comments
# enabled": a moderation switch, applied at once (Review.set_comments_enabled), which publishing
# the pending version must never undo.
REVIEW_FIELDS = (
    "film",
    "headline",
    "dek",
    "slug",
    "author",
    "intro",
    "verdict",
    "rating",
    "hero",
    "intended_date",
    "search_description",
    "social_image",
    "social_alt",
)
# The tags the pending version files the review under, as a list of tag ids.
TAGS = "tags"
SECTION_FIELDS = ("heading", "anchor", "body", "position", "is_spoiler")


class PendingChange(models.Model):
    """The next version of a live review, waiting for an editor to publish or discard it."""

    review = models.OneToOneField(
        "reviews.Review", on_delete=models.CASCADE, related_name="pending_change"
    )
    fields = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    sections = models.JSONField(default=list, encoder=DjangoJSONEncoder)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The audit-trail line of an editor sending these changes back, with the note: shown to
    # the writer until they submit them again.
    sent_back = models.ForeignKey(
        "reviews.ReviewTransition",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The library images its intro, sections and hero show: an image waiting to go live is in
    # use too.
    images = models.ManyToManyField(
        Image, through="PendingImage", blank=True, related_name="pending_changes"
    )

    class Meta:
        verbose_name = "pending version"

    def __str__(self):
        return f"Pending changes to {self.review_id}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "sections" in update_fields:
            shown = set().union(*(referenced_ids(s.get("body")) for s in self.sections))
            shown |= referenced_ids(self.fields.get("intro"))
            if hero := self.fields.get("hero"):
                shown.add(hero)
            self.images.set(Image.objects.filter(pk__in=shown))
            if hero and (image := Image.objects.filter(pk=hero).first()):
                image.make_wide()  # ready by the time the changes are published

    def saved_by_name(self) -> str:
        """Who saved these changes last, as the newsroom names a colleague ("someone" once
        their account is gone)."""
        return staff_name(self.updated_by) if self.updated_by else "someone"

    def saved_stamp(self) -> str:
        """When this version was last saved, as the workflow panel's Discard form sends it."""
        return self.updated_at.isoformat()

    def apply_fields(self, review) -> None:
        """Set the pending field values on `review` in memory."""
        for name, raw in self.fields.items():
            if name == TAGS:
                review.chosen_tag_ids = list(raw)
                continue
            if name not in REVIEW_FIELDS:  # one it held once (comments_enabled): not content
                continue
            field = review._meta.get_field(name)
            setattr(review, field.attname, field.to_python(raw))

    def section_objects(self, review) -> list:
        """The pending sections as unsaved Section objects (existing ones keep their ids)."""
        # Existing sections are the stored rows with the pending values set (so their forms
        # treat them as the rows they are); one deleted from the live version since, or
        # restored from an old version, comes back as a new section.
        stored = {section.pk: section for section in review.sections.all()}
        sections = []
        for data in sorted(self.sections, key=lambda s: s.get("position") or 0):
            section = stored.get(data.get("id")) or review.sections.model(review=review)
            for name in SECTION_FIELDS:
                setattr(section, name, data.get(name))
            sections.append(section)
        return sections


class PendingImage(models.Model):
    """A library image shown in a pending version (its sections or hero): it cannot be deleted
    meanwhile."""

    pending = models.ForeignKey(PendingChange, on_delete=models.CASCADE, related_name="+")
    image = models.ForeignKey(Image, on_delete=models.PROTECT, related_name="pending_uses")

    class Meta:
        verbose_name = "image in a pending version"
        constraints = [
            models.UniqueConstraint(fields=["pending", "image"], name="pending_image_once"),
        ]

    def __str__(self):
        return f"The pending changes to the review “{self.pending.review}”"

    def shown_on(self):
        """The object whose admin page edits this use: the review."""
        return self.pending.review


def field_values(review) -> dict:
    """The pending-version fields of `review` (in memory), as JSON-ready values."""
    values = {}
    for name in REVIEW_FIELDS:
        value = review._meta.get_field(name).value_from_object(review)
        values[name] = value.name if isinstance(value, FieldFile) else value
    values[TAGS] = chosen_tag_ids(review)
    return values


def names_upload(name: str, using: str) -> bool:
    """Whether a pending version names the upload `name` as its social image (one uploaded
    for it, waiting to go live, or the live one it keeps)."""
    return PendingChange.objects.using(using).filter(fields__social_image=name).exists()


def social_image_storage():
    from reviews.models import Review  # reviews.models imports this module

    return Review._meta.get_field("social_image").storage


def pending_image_saving(sender, instance, raw=False, using=None, **kwargs):
    """Before a pending version is saved: the social image it named (an upload of its own)."""
    if not raw and instance.pk is not None:
        stored = PendingChange.objects.using(using).filter(pk=instance.pk)
        instance.social_image_before = stored.values_list("fields__social_image", flat=True).first()


def pending_image_replaced(sender, instance, raw=False, using=None, **kwargs):
    """A social image uploaded for a pending version and replaced there before it went live
    is named by nothing: it goes once committed (films/upload_cleanup.py)."""
    old = getattr(instance, "social_image_before", None)
    if not raw and old and old != instance.fields.get("social_image"):
        upload_cleanup.delete_on_commit(social_image_storage(), old, [], using)


def pending_image_dropped(sender, instance, using=None, **kwargs):
    """A discarded pending version's social image goes with it, unless the review shows it
    (the live one it kept, or the one its publication made live)."""
    if name := instance.fields.get("social_image"):
        upload_cleanup.delete_on_commit(social_image_storage(), name, [], using)


def connect() -> None:
    """Connected in ReviewsConfig.ready(): a pending version's social image is an upload in use
    (films/upload_cleanup.py), and leaves storage once nothing names it."""
    upload_cleanup.FILE_USERS.append(names_upload)
    for signal, receiver in [
        (pre_save, pending_image_saving),
        (post_save, pending_image_replaced),
        (post_delete, pending_image_dropped),
    ]:
        signal.connect(receiver, sender=PendingChange, dispatch_uid=f"uploads-{receiver.__name__}")


def chosen_tag_ids(review) -> list[int]:
    """The tags `review` is filed under in memory (a form's choice, a pending version's), or
    as stored."""
    chosen = getattr(review, "chosen_tag_ids", None)
    if chosen is None:
        chosen = review.tags.values_list("pk", flat=True) if review.pk else []
    return sorted(chosen)


def section_values(section) -> dict:
    return {"id": section.pk, **{name: getattr(section, name) for name in SECTION_FIELDS}}


def save_pending(review, sections: list, by, base_version: int) -> PendingChange:
    """Keep `review`'s edited fields and `sections` as its pending version.

    The review's rows are left alone, so nothing public changes; only its `version` moves on,
    so a stale form (the same edit lock as a direct save) is refused with StaleEditError.
    """
    if not permissions.may_edit(by, review):
        raise PermissionDenied("You may not change this review.")
    with transaction.atomic():
        review.version = base_version
        review.claim_next_version(last_edited_by=by)
        pending, _ = PendingChange.objects.get_or_create(
            review_id=review.pk,
            defaults={"created_by": by},
        )
        pending.fields = field_values(review)
        pending.sections = [section_values(s) for s in sections]
        pending.updated_by, pending.updated_at = by, timezone.now()
        pending.save()
    return pending


def apply(review, pending: PendingChange, by) -> None:
    """Write `pending` into the review's rows (inside the caller's transaction)."""
    with search_index.batch():  # one search index rebuild, not one per section
        pending.apply_fields(review)
        review.last_edited_by = by
        review.save()
        if TAGS in pending.fields:  # a tag deleted since is left out
            review.tags.set(review.tags.model.objects.filter(pk__in=pending.fields[TAGS]))
        keep = [data["id"] for data in pending.sections if data.get("id")]
        review.sections.exclude(pk__in=keep).delete()
        for section in pending.section_objects(review):
            section.save()


def require_live(review, done: str, instead: str) -> None:
    """Refuse a step on the pending version of a review that is no longer live (expired, or
    unpublished, since the page was opened): ValidationError saying it was not `done`, and
    what to do `instead`. `review` is locked; its going live or expiry is recorded first."""
    expiry = review.unpublish_at if review.is_expired else None
    clock.catch_up(review)  # gone live on schedule: live; expired: a draft again
    if review.is_public:
        return
    gone = f"it was unpublished at its expiry time, {clock.local(expiry)}" if expiry else None
    raise ValidationError(
        f"These changes were not {done}: {gone or 'the review is not live'}. They are kept, "
        f"and its form shows them: {instead}.",
        code="not_live",
    )


def publish_changes(review, by):
    """Make the pending version live: a new revision, and a line in the audit trail."""
    reviews = type(review).objects
    if not permissions.may_publish_changes(by, review):
        raise PermissionDenied("Only editors may publish changes to a live review.")
    with transaction.atomic():
        current = reviews.select_for_update().get(pk=review.pk)
        pending = PendingChange.objects.filter(review=current).first()
        if pending is None:
            raise ValidationError(
                "This review has no pending changes to publish.", code="no_pending"
            )
        # Refused, not republished: putting it back in front of readers undoes an expiry or an
        # unpublishing, which is Publish's to do, asked for as such.
        require_live(current, "published", "publish the review to put it live with them")
        candidate = reviews.get(pk=current.pk)  # the pending version, in memory
        pending.apply_fields(candidate)
        prepublish.require(candidate, pending.section_objects(candidate))
        with reversion.create_revision():
            apply(current, pending, by)
            reversion.set_user(by)
            reversion.set_comment("Published the pending changes.")
        current.log_event(by, "Published the pending changes.")
        pending.delete()
        notify_author(
            current,
            by,
            f"Changes published: {current.headline}",
            f"{staff_name(by)} published the changes to “{current.headline}”: readers see them "
            f"now.\n\n{settings.MARQUEE_SITE_URL.rstrip('/')}{current.get_absolute_url()}\n",
        )
    review.refresh_from_db()
    return review


def discard_changes(review, by, seen: str | None = None):
    """Throw the pending version away; the live version stays as it is.

    `seen`: when the pending version the editor looked at was saved (`saved_stamp()`); if it
    has been saved again since (in another tab, by another editor), nothing is discarded.
    """
    if not permissions.may_publish_changes(by, review):
        raise PermissionDenied("Only editors may discard changes to a live review.")
    with transaction.atomic():
        pending = (
            PendingChange.objects.select_for_update(of=("self",))
            .select_related("updated_by")
            .filter(review_id=review.pk)
            .first()
        )
        if pending is None:
            raise ValidationError(
                "This review has no pending changes to discard.", code="no_pending"
            )
        if seen is not None and seen != pending.saved_stamp():
            raise ValidationError(
                f"The pending changes were saved again by {pending.saved_by_name()} at "
                f"{clock.local(pending.updated_at)}, after this page was opened: nothing was "
                "discarded. Look at them, then discard them if you still want to.",
                code="stale",
            )
        pending.delete()
        review.log_event(by, "Discarded the pending changes.")
        notify_author(
            review,
            by,
            f"Changes discarded: {review.headline}",
            f"{staff_name(by)} discarded the pending changes to “{review.headline}”; readers still "
            f"see the live version.\n\n{admin_link(review)}\n",
        )
    return review


def submit_changes(review, by):
    """A writer asks the editors to publish the pending version of their live review."""
    if not permissions.may_submit_changes(by, review):
        raise PermissionDenied("Only the review's author may submit its changes.")
    with transaction.atomic():
        # An editor could not publish them once the review is no longer live. The review is
        # locked before its pending version, as publish_changes() locks them.
        require_live(
            type(review).objects.select_for_update().get(pk=review.pk),
            "submitted",
            "save it, then submit the review for review",
        )
        pending = PendingChange.objects.select_for_update().filter(review_id=review.pk).first()
        if pending is None:
            raise ValidationError("Save your changes before submitting them.", code="no_pending")
        if pending.submitted_at:
            raise ValidationError(
                "These changes are already waiting for an editor.", code="already_submitted"
            )
        pending.submitted_at, pending.submitted_by, pending.sent_back = timezone.now(), by, None
        pending.save(update_fields=["submitted_at", "submitted_by", "sent_back"])
        review.log_event(by, "Submitted changes for review.")
        notify_changes_submitted(review, by)
    return review


def _submitted(review) -> PendingChange:
    """The review's pending version, locked, if it is submitted for review."""
    pending = PendingChange.objects.select_for_update().filter(review_id=review.pk).first()
    if pending is None or not pending.submitted_at:
        raise ValidationError(
            "This review has no changes waiting for an editor.", code="not_submitted"
        )
    return pending


def _reopen(pending: PendingChange, sent_back=None) -> None:
    """Submitted no more: the writer's to edit again (with the editor's note, `sent_back`)."""
    pending.submitted_at = pending.submitted_by = None
    pending.sent_back = sent_back
    pending.save(update_fields=["submitted_at", "submitted_by", "sent_back"])


def send_back_changes(review, by, note: str):
    """An editor returns a writer's submitted changes with a note: they stay pending, and
    the writer may edit and submit them again (the editor's counterpart of Request changes)."""
    if not permissions.may_publish_changes(by, review):
        raise PermissionDenied("Only editors may send changes back.")
    note = note.strip()
    if not note:
        raise ValidationError(
            "Say what the writer should change: the note is required.", code="note_required"
        )
    with transaction.atomic():
        pending = _submitted(review)
        _reopen(pending, sent_back=review.log_event(by, f"Sent the changes back: {note}"))
        notify_author(
            review,
            by,
            f"Changes sent back: {review.headline}",
            f"{staff_name(by)} sent your changes to “{review.headline}” back:\n\n{note}\n\n"
            f"Readers still see the live version. Edit the changes and submit them again:\n"
            f"{admin_link(review)}\n",
        )
    return review


def withdraw_changes(review, by):
    """The writer takes their submitted changes back to edit them again."""
    if not permissions.may_submit_changes(by, review):
        raise PermissionDenied("Only the review's author may withdraw its changes.")
    with transaction.atomic():
        _reopen(_submitted(review))  # sent_back is None since the submission
        review.log_event(by, "Withdrew the submitted changes.")
    return review


def notify_changes_submitted(review, by) -> None:
    """Mail the editors that a writer's changes to a live review wait for them (a mail task,
    enqueued once the transaction commits)."""
    mail_on_commit(
        f"Changes submitted: {review.headline}",
        f"{staff_name(by)} submitted changes to the live review “{review.headline}”.\n\n"
        f"{admin_link(review)}\n",
        editors_but(by),
    )


def notify_author(review, by, subject: str, body: str) -> None:
    """Mail the review's author what an editor did with their pending changes (not themselves)."""
    author = review.author
    if author.email and author.pk != by.pk:
        mail_on_commit(subject, body, [author.email])


class Autosave(models.Model):
    """The unsaved content of one user's open change form of one review (never public).

    Without a review it is the user's one rolling draft of a new review: the add page keeps it
    and offers it back until the review is first saved.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    review = models.ForeignKey(
        "reviews.Review", on_delete=models.CASCADE, null=True, blank=True, related_name="autosaves"
    )
    data = models.JSONField(default=dict, help_text="The form's fields, by input name.")
    base_version = models.PositiveIntegerField(help_text="The review's version the form had.")
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "review"], name="autosave_one_per_user"),
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(review__isnull=True),
                name="autosave_one_new_review_per_user",
            ),
        ]

    def __str__(self):
        return f"Autosave of {self.review_id or 'a new review'} by {self.user_id}"
