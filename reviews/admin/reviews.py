"""Reviews in the admin: the editorial workflow, pending versions, revisions, no lost edits.

The status only changes through the workflow's transitions (`Review.submit()`, `.publish()` and
friends): the form has no status field, and the buttons, the bulk actions and the transition URL
all call the model methods, which check the user's permission and the review's state. Who may
do what is decided in reviews/permissions.py.

Saving a live review keeps the edit as its pending version (reviews/pending.py): the rows the
public pages read are left alone until an editor presses *Publish changes*.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.html import format_html
from reversion.admin import VersionAdmin

from films.admin import (
    CheckedImageMixin,
    ForbiddenAsAdminPage,
    OptionalSlugMixin,
    image_tag,
)
from reviews import pending as pending_versions
from reviews import permissions
from reviews.admin.review_forms import (
    MARKDOWN_EDITOR,
    QueueFilter,
    ReviewAdminForm,
    SectionInline,
    StatusFilter,
    new_pending_sections,
    posted_sections,
)
from reviews.admin.review_history import RevisionViews
from reviews.admin.review_preview import LivePreviewViews
from reviews.admin.review_workflow import WorkflowViews, site_time_zone
from reviews.admin.taxonomy import FeaturedSlotAdmin, take_tags
from reviews.models import Review, StaleEditError
from reviews.search import index as search_index


@admin.register(Review)
class ReviewAdmin(
    ForbiddenAsAdminPage,
    FeaturedSlotAdmin,
    WorkflowViews,
    RevisionViews,
    LivePreviewViews,
    CheckedImageMixin,
    OptionalSlugMixin,
    VersionAdmin,
):
    slug_help_text = "Leave empty to make one from the headline."

    form = ReviewAdminForm
    change_form_template = "admin/reviews/review/change_form.html"
    change_list_template = "admin/reviews/review/change_list.html"
    object_history_template = "admin/reviews/review/object_history.html"
    # The status right after the headline: on phones the other columns give way (workflow.css).
    list_display = (
        "headline",
        "status_column",
        "film",
        "author_name",
        "published_at",
        "updated_at",
        "rating",
    )
    list_select_related = ("film", "author__critic", "pending_change")
    list_filter = (
        QueueFilter,
        StatusFilter,
        ("author", admin.RelatedOnlyFieldListFilter),
        "film__genres",
    )
    search_fields = (
        "headline",
        "dek",
        "intro",
        "verdict",
        "sections__heading",
        "sections__body",
        "film__title",
        "author__username",
        "author__first_name",
        "author__last_name",
        "author__critic__display_name",
    )
    search_help_text = (
        "Words in the headline, dek, intro, verdict or any section; the film's "
        "title; the author's name."
    )
    date_hierarchy = "published_at"
    autocomplete_fields = ("film", "tags")
    prepopulated_fields = {"slug": ("headline",)}
    readonly_fields = (
        "status_column",
        "publication_time",
        "expiry_time",
        "hero_preview",
        "social_preview",
        "front_page",
        "front_page_status",
        "created_at",
        "updated_at",
    )
    formfield_overrides = MARKDOWN_EDITOR
    fieldsets = (
        (None, {"fields": ("film", "headline", "dek", "slug", "author")}),
        ("Text", {"fields": ("intro", "verdict", "rating")}),
        (
            "Hero image",
            {
                "fields": (
                    "hero_image",
                    "hero_preview",
                    "hero_alt",
                    "hero_decorative",
                    "hero_credit",
                    ("hero_focus_x", "hero_focus_y"),
                ),
                "description": "Shown above the review, on its card and when it is shared, cropped "
                "to 16:9 around the focal point (click the current image to set it).",
            },
        ),
        (
            "Tags and sharing",
            {
                "fields": (
                    "tags",
                    "new_tags",
                    "search_description",
                    "social_image",
                    "social_alt",
                    "social_preview",
                ),
                "description": "Tags file the review on its own pages and feeds. What search "
                "engines and link previews show: empty fields use what is greyed out.",
            },
        ),
        (
            "Publication",
            {
                "fields": (
                    "status_column",
                    "publication_time",
                    "unpublish_at",
                    "intended_date",
                    "front_page",
                    "comments_enabled",
                ),
                "description": "The status changes through the workflow buttons above the form.",
            },
        ),
        (
            "Record",
            {"fields": ("created_at", "updated_at", "base_version"), "classes": ("collapse",)},
        ),
    )
    inlines = (SectionInline,)
    actions = ("publish_selected", "archive_selected", "feature_selected")

    class Media:
        # Starts markdownx editors in sections added after the page loaded; frames the preview;
        # moves sections up and down; keeps Tab for moving focus; the toolbar, shortcuts and word
        # counts; guards and autosaves the form.
        js = (
            "marquee-admin/js/markdownx-inlines.js",
            "marquee-admin/js/section-order.js",
            "marquee-admin/js/markdown-keys.js",
            "marquee-admin/js/markdown-toolbar.js",
            "marquee-admin/js/change-guard.js",
            "marquee-admin/js/editor-errors.js",
            "marquee-admin/js/focal-point.js",
            "marquee-admin/js/select2-labels.js",
        )
        css = {"all": ("marquee-admin/css/editor.css", "marquee-admin/css/workflow.css")}

    def view_on_site(self, obj):
        # "View on site" only where the public can see it; drafts have the Preview link.
        return obj.get_absolute_url() if obj.is_public else None

    @admin.display(description="status", ordering="effective")
    def status_column(self, obj):
        """The status readers see (a due scheduled review reads Published), as the filter."""
        if obj is None or obj.pk is None:
            return "—"
        label = Review.Status(obj.effective_status).label
        if obj.pending is not None:
            return f"{label} (changes pending)"
        return label

    @admin.display(description="author", ordering="author__last_name")
    def author_name(self, obj):
        """The author's full name (their byline when they have no name on the account)."""
        author = obj.author
        critic = getattr(author, "critic", None)
        return (
            author.get_full_name()
            or (critic.display_name if critic else "")
            or author.get_username()
        )

    @admin.display(description="Published at")
    def publication_time(self, obj):
        if obj is None or obj.published_at is None:
            return "—"
        when = timezone.localtime(obj.published_at)
        return f"{when:%d %B %Y, %H:%M} ({site_time_zone()})"

    @admin.display(description="Unpublish at")
    def expiry_time(self, obj):
        if obj is None or obj.unpublish_at is None:
            return "—"
        when = timezone.localtime(obj.unpublish_at)
        return f"{when:%d %B %Y, %H:%M} ({site_time_zone()})"

    @admin.display(description="current hero image")
    def hero_preview(self, obj):
        if obj is None:
            return "No hero image yet."
        # The stored image, not the form's instance: a form refused for another field (the
        # alt text, say) has already given it the new upload, which is not stored.
        stored = (
            Review.objects.filter(pk=obj.pk).only("hero_image", "hero_width", "hero_height").first()
            if obj.pk
            else None
        )
        if stored is None:
            return "No hero image yet."
        image = image_tag(
            stored.hero_image,
            stored.hero_width,
            stored.hero_height,
            box=300,
            alt=f"Hero image of {obj.headline}",
        )
        if not image:
            return "No hero image yet."
        # Clicking the picture sets the focal point (marquee-admin/js/focal-point.js).
        return format_html(
            '<div class="focal-picker" data-focus-x="id_hero_focus_x" '
            'data-focus-y="id_hero_focus_y" title="Click the subject to set the focal point">'
            "{}</div>",
            image,
        )

    # Who sees what ----------------------------------------------------------------------------

    def get_queryset(self, request):
        queryset = super().get_queryset(request).with_effective_status()
        if permissions.is_editor(request.user):
            return queryset
        return queryset.by_author(request.user)

    def has_change_permission(self, request, obj=None):
        if obj is not None:
            return permissions.may_edit(request.user, obj)
        return super().has_change_permission(request, obj)

    def has_view_permission(self, request, obj=None):
        if obj is not None and not permissions.may_see(request.user, obj):
            return False
        return super().has_view_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None:
            return permissions.may_delete(request.user, obj)
        return super().has_delete_permission(request, obj)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        left_out = set()
        if obj is None or not self.has_change_permission(request, obj):
            left_out.add("base_version")  # no version to guard on the add page, nor read-only
        if not permissions.may_set_expiry(request.user) or (
            obj is not None and not self.has_change_permission(request, obj)
        ):
            # Shown, not edited, by those who may not set it.
            return [
                (
                    name,
                    {
                        **opts,
                        "fields": tuple(
                            "expiry_time" if f == "unpublish_at" else f
                            for f in opts["fields"]
                            if f not in left_out
                        ),
                    },
                )
                for name, opts in fieldsets
            ]
        return [
            (name, {**opts, "fields": tuple(f for f in opts["fields"] if f not in left_out)})
            for name, opts in fieldsets
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if "unpublish_at" not in flatten_fieldsets(self.get_fieldsets(request, obj)):
            # A declared field comes with every form the factory makes: this one may not set
            # it. (The factory makes a new class each time: its base_fields are its own.)
            form.base_fields.pop("unpublish_at", None)
        return form

    def save_form(self, request, form, change):
        take_tags(form, request.user)
        obj = super().save_form(request, form, change)
        obj.typed_expiry = (
            form.cleaned_data.get("unpublish_at") if ("unpublish_at" in form.changed_data) else None
        )
        obj.expiry_changed = "unpublish_at" in form.changed_data
        return obj

    def _save_expiry(self, request, review) -> None:
        """The unpublish time typed in the form, written at once (Review.set_expiry)."""
        if getattr(review, "expiry_changed", False):
            review.set_expiry(review.typed_expiry, by=request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "author":
            users = get_user_model().objects.order_by("username")
            if permissions.is_editor(request.user):
                # Staff write reviews; keep past authors selectable so old reviews validate.
                kwargs["queryset"] = users.filter(
                    Q(is_staff=True) | Q(reviews__isnull=False)
                ).distinct()
            else:
                kwargs["queryset"] = users.filter(pk=request.user.pk)  # a writer writes as self
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("author", request.user.pk)
        return initial

    # The pending version is what the form edits ----------------------------------------------

    def get_object(self, request, object_id, from_field=None):
        review = super().get_object(request, object_id, from_field)
        if review is not None and (pending := review.pending) is not None:
            pending.apply_fields(review)
            review.pending_sections = pending.section_objects(review)
        return review

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if request.method == "GET" and obj is not None and isinstance(inline, SectionInline):
            # A pending version's new sections, not yet rows: extra forms filled in. Only on
            # GET: a posted form compared with these would count as unchanged and be dropped.
            kwargs["initial"] = [
                {name: getattr(section, name) for name in pending_versions.SECTION_FIELDS}
                for section in new_pending_sections(obj)
            ]
        return kwargs

    # Saving without losing anyone's edits -----------------------------------------------------

    def save_model(self, request, obj, form, change):
        if change:
            # The model's atomic version check compares against what this form was loaded at.
            obj.version = form.cleaned_data["base_version"]
            return  # saved with its sections in save_related(): in place, or as pending
        obj.last_edited_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        review = form.instance
        self._save_expiry(request, review)
        if not change:
            # The new review is saved: the add page's kept draft is spent.
            pending_versions.Autosave.objects.filter(user=request.user, review=None).delete()
            return super().save_related(request, form, formsets, change)
        # Saved (in place or as pending): the autosaved draft of this form is spent.
        pending_versions.Autosave.objects.filter(user=request.user, review=review).delete()
        # The unpublish time is saved on its own (above): alone, it makes no pending version.
        changed = any(name != "unpublish_at" for name in form.changed_data) or any(
            formset.has_changed() for formset in formsets
        )
        if review.is_public:
            for formset in formsets:
                formset.save(commit=False)  # nothing written; the change message reads them
            if changed:
                for name in ("hero_image", "social_image"):
                    upload = form.cleaned_data.get(name)
                    if isinstance(upload, UploadedFile):
                        getattr(review, name).save(upload.name, upload, save=False)
                pending_versions.save_pending(
                    review, posted_sections(formsets), request.user, review.version
                )
                messages.info(
                    request,
                    "This review is live: your changes are kept as its "
                    "pending version. Readers see the live version until an editor "
                    "publishes the changes.",
                )
            return None
        if not changed and request.POST.get("_workflow"):
            for formset in formsets:
                formset.save(commit=False)
            return None  # a workflow button with nothing to save: no empty revision
        review.last_edited_by = request.user
        review.save()
        # The form showed the pending version (the review has since left the live states):
        # this save took it in.
        pending_versions.PendingChange.objects.filter(review=review).delete()
        return super().save_related(request, form, formsets, change)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            # One search index rebuild for the review and all its sections, not one each.
            with search_index.batch():
                response = super().changeform_view(request, object_id, form_url, extra_context)
        except StaleEditError:
            # Someone saved between our form's check and our save; the transaction rolled back.
            # Showing the form again runs the check again, which now reports who and when,
            # and keeps everything that was typed.
            return super().changeform_view(request, object_id, form_url, extra_context)
        action = request.POST.get("_workflow") if request.method == "POST" else None
        if action and object_id and isinstance(response, HttpResponseRedirect):
            # The form was valid and saved (or unchanged): now take the step it was sent with.
            return self.take_step(request, object_id, action)
        return response

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context.update(self.workflow_context(request, obj))
        elif add:
            context.update(self.new_review_autosave_context(request))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def response_change(self, request, obj):
        if request.POST.get("_workflow"):
            return HttpResponseRedirect(self._url("change", obj.pk))
        return super().response_change(request, obj)
