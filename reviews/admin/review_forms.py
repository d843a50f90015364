"""The review change form's parts: the form with its edit lock, the sections, the list filters."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminSplitDateTime, AdminTextInputWidget
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils import timezone
from markdownx.fields import MarkdownxFormField
from markdownx.models import MarkdownxField
from markdownx.widgets import AdminMarkdownxWidget

from config.times import stamp
from films.validators import size_cap_attrs
from reviews import pending as pending_versions
from reviews import permissions, seo
from reviews.critics import display_name_of
from reviews.models import Review, Section
from reviews.timezones import zone_note
from reviews.widgets import StarRatingWidget


class MarkdownFormField(MarkdownxFormField):
    """Markdown as stored: browsers post a textarea's line breaks as CRLF, the stored text has
    LF, so text saved unchanged is not a change (and makes no pending version of a live
    review)."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n") if value else value


# MarkdownxField's form field brings a plain MarkdownxWidget; the admin variant adds the CSS
# that lays the editor and its live preview out in the admin's theme.
MARKDOWN_EDITOR = {
    MarkdownxField: {"widget": AdminMarkdownxWidget, "form_class": MarkdownFormField},
}


def with_image_button(field, request) -> None:
    """Give a Markdown field's toolbar the "Image" button, which opens the library
    (image-picker.js), for those who may see the library; and the size cap an image dropped or
    pasted into it must keep to (editor-upload.js says so before uploading it)."""
    if request.user.has_perm("images.view_image"):
        field.widget.attrs["data-image-library"] = reverse("admin:images_image_changelist")
    field.widget.attrs.update(size_cap_attrs())


class SectionFormSet(BaseInlineFormSet):
    """The review's sections, or the sections of its pending version when it has one.

    The admin's `get_object()` gives a live review with a pending version its pending
    sections (`pending_sections`, unsaved Section objects); those with an id are edited here
    in place of the stored rows, the new ones come as extra forms (review_saving.py).
    """

    def get_queryset(self):
        pending = getattr(self.instance, "pending_sections", None)
        if pending is None:
            return super().get_queryset()
        return [section for section in pending if section.pk]


class SectionInline(admin.StackedInline):
    model = Section
    formset = SectionFormSet
    fields = (("heading", "position"), ("anchor", "is_spoiler"), "body")
    ordering = ("position", "id")
    formfield_overrides = MARKDOWN_EDITOR
    extra = 0
    classes = ("sortable-sections",)

    class Media:
        js = ("marquee-admin/js/paragraph.js", "marquee-admin/js/image-picker.js")

    def get_extra(self, request, obj=None, **kwargs):
        if obj is None:
            return 1
        return len(new_pending_sections(obj)) if request.method == "GET" else 0

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "anchor":
            # An empty anchor is made from the heading on save. As None rather than "", two
            # new sections left empty are not taken for duplicates by the formset's
            # (review, anchor) uniqueness check.
            field.empty_value = None
        if db_field.name == "body":
            with_image_button(field, request)
        return field

    # A writer's sections follow the review: editable while the review is.
    def _review_editable(self, request, obj) -> bool:
        return obj is None or permissions.may_edit(request.user, obj)

    def has_change_permission(self, request, obj=None):
        return self._review_editable(request, obj) and super().has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return self._review_editable(request, obj) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._review_editable(request, obj) and super().has_delete_permission(request, obj)


def new_pending_sections(review) -> list:
    return [s for s in getattr(review, "pending_sections", None) or [] if not s.pk]


def posted_sections(formsets) -> list[Section]:
    """The sections a valid section formset describes, in memory: deleted ones left out."""
    sections = []
    for formset in formsets:
        if formset.model is not Section:
            continue
        for form in formset.forms:
            data = form.cleaned_data
            if not data or data.get("DELETE"):
                continue
            if form.instance.pk is None and not form.has_changed():
                continue  # an extra form left empty
            section = form.instance
            for name in ("heading", "anchor", "body", "position", "is_spoiler"):
                setattr(section, name, data.get(name))
            sections.append(section)
    return sections


def author_label(user) -> str:
    """How the review list names an author, in its Author column and its By author filter: the
    account's full name, else their byline; the username only for those with neither."""
    critic = getattr(user, "critic", None)
    return user.get_full_name() or (critic.display_name if critic else "") or user.get_username()


class AuthorFilter(admin.RelatedOnlyFieldListFilter):
    """By author, named as the Author column names them (not by username), in name order."""

    def field_choices(self, field, request, model_admin):
        authors = field.related_model.objects.filter(
            pk__in=model_admin.get_queryset(request).values("author_id")
        ).select_related("critic")
        return sorted(((a.pk, author_label(a)) for a in authors), key=lambda c: c[1].casefold())


class AuthorChoiceField(forms.ModelChoiceField):
    """Authors by the name their reviews are published under (the critic's display name, else
    the account's full name); the username only for those with neither. Give it a queryset with
    `select_related("critic")`."""

    def label_from_instance(self, obj):
        return display_name_of(obj) or obj.get_username()


class ReviewAdminForm(forms.ModelForm):
    # The version the form was loaded at. A save based on an older one is refused (see clean()).
    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    # A schedule, not content: saved at once with Review.set_expiry(), also on a live review
    # whose other edits wait as pending changes. Only editors get the field (ReviewAdmin).
    new_tags = forms.CharField(
        label="New tags",
        required=False,
        max_length=500,
        help_text="Tags not in the list yet: their names, separated by commas.",
    )
    unpublish_at = forms.SplitDateTimeField(
        label="Unpublish at",
        required=False,
        widget=AdminSplitDateTime,
        help_text=Review._meta.get_field("unpublish_at").help_text,
    )

    class Meta:
        model = Review
        # What a pending version of a live review holds (reviews/pending.py), its tags, and
        # the comments switch, which a save applies at once (Review.set_comments_enabled).
        fields = (*pending_versions.REVIEW_FIELDS, pending_versions.TAGS, "comments_enabled")
        widgets = {
            # As wide as the form (editor.css): a long headline stays in view while it is typed.
            "headline": AdminTextInputWidget(attrs={"class": "vTextField review-wide-input"}),
            "dek": AdminTextInputWidget(attrs={"class": "vTextField review-wide-input"}),
            "rating": StarRatingWidget,
            "search_description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "base_version" in self.fields:
            self.fields["base_version"].required = True
            self.fields["base_version"].initial = self.instance.version
        if "tags" in self.fields and getattr(self.instance, "chosen_tag_ids", None) is not None:
            self.initial["tags"] = self.instance.chosen_tag_ids  # the pending version's
        if "comments_enabled" in self.fields:
            # The box as this page showed it goes back with the form (initial-comments_enabled):
            # a save flips the switch only where the editor changed the box, not back where a
            # colleague flipped it after the page was opened (it is not under the edit lock).
            self.fields["comments_enabled"].show_hidden_initial = True
        if "search_description" in self.fields:
            # The derived default, as the page would use it while the field is empty.
            self.fields["search_description"].widget.attrs["placeholder"] = (
                seo.description_of_draft(self.instance)
            )
        if "unpublish_at" in self.fields:
            field = self.fields["unpublish_at"]
            field.initial = self.instance.unpublish_at
            field.help_text = f"{field.help_text} {zone_note()}"

    def comments_switched(self) -> bool:
        """Did the editor open or close comments? They changed the box from what their page
        showed, to other than it now is: a page opened before a colleague flipped it writes
        nothing back."""
        if "comments_enabled" not in self.cleaned_data:
            return False
        # A page without the box's hidden copy (opened before a release added it) can only be
        # compared with the switch as it is now.
        shown = self["comments_enabled"].html_initial_name in self.data
        if shown and "comments_enabled" not in self.changed_data:
            return False  # left as the page showed it
        return self.cleaned_data["comments_enabled"] != self.initial.get("comments_enabled")

    def clean_unpublish_at(self):
        at = self.cleaned_data.get("unpublish_at")
        if at is None or "unpublish_at" not in self.changed_data:
            return at
        if at <= timezone.now():
            raise ValidationError(
                "Pick a time in the future, or leave it empty to keep the review up.",
                code="expiry_past",
            )
        published = self.instance.published_at
        if published and at <= published:
            raise ValidationError(
                f"Pick a time after the publication time ({stamp(published)}, "
                f"{timezone.get_current_timezone_name()}).",
                code="expiry_before_publication",
            )
        return at

    def clean(self):
        cleaned = super().clean()
        posted = cleaned.get("base_version")
        if self.instance.pk and posted is not None:
            stored = (
                Review.objects.filter(pk=self.instance.pk).select_related("last_edited_by").first()
            )
            if stored is not None and stored.version != posted:
                raise ValidationError(stored.stale_message(), code="stale")
        return cleaned


class QueueFilter(admin.SimpleListFilter):
    """The ready-made views of the newsroom: my drafts, awaiting review, scheduled, changes."""

    title = "queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [
            ("mine", "My drafts"),
            ("review", "Awaiting review"),
            ("scheduled", "Scheduled"),
            ("changes", "Pending changes"),
        ]

    def queryset(self, request, queryset):
        match self.value():
            case "mine":
                return queryset.by_author(request.user).filter(status=Review.Status.DRAFT)
            case "review":
                return queryset.filter(status=Review.Status.IN_REVIEW)
            case "scheduled":
                # Effective status: a scheduled review whose time has come is published.
                return queryset.with_effective_status_of(Review.Status.SCHEDULED)
            case "changes":
                return queryset.filter(pending_change__isnull=False)
        return queryset


class StatusFilter(admin.SimpleListFilter):
    """Status as readers see it (the list column's), not the stored field."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return list(Review.Status.choices)

    def queryset(self, request, queryset):
        if self.value() in Review.Status.values:
            return queryset.with_effective_status_of(self.value())
        return queryset


class PublishAtForm(forms.Form):
    at = forms.DateTimeField(
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        error_messages={
            "required": "Pick a date and time to schedule the review for.",
            "invalid": "Enter the date and time as shown, e.g. 2026-12-01 09:00.",
        },
    )

    def clean_at(self):
        at = self.cleaned_data["at"]
        if at <= timezone.now():
            raise ValidationError(
                "Pick a time in the future to schedule the review; use Publish to publish now."
            )
        return at
