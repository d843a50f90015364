"""Reviews in the admin: the editorial workflow, pending versions, revisions, no lost edits.

The status only changes through the workflow's transitions (`Review.submit()`, `.publish()` and
friends): the form has no status field, and the buttons, the bulk actions and the transition URL
all call the model methods, which check the user's permission and the review's state. Who may
do what is decided in reviews/permissions.py.

Saving a live review keeps the edit as its pending version (reviews/pending.py): the rows the
public pages read are left alone until an editor presses *Publish changes*. Those save hooks are
in reviews/admin/review_saving.py; the form, its sections and the list filters in
review_forms.py; the workflow buttons and autosave in review_workflow.py; history and restore in
review_history.py; the live preview in review_preview.py; tags and the front-page slot in
taxonomy.py.
"""

from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.auth import get_user_model
from django.db.models import Q, Value
from django.db.models.functions import Coalesce, Concat, Lower, NullIf, Trim
from django.urls import reverse
from django.utils.html import format_html
from reversion.admin import VersionAdmin

from config.admin import AccountsAsText, QueryInitial
from films.admin import (
    CheckedImageMixin,
    ForbiddenAsAdminPage,
    LibraryChoiceViews,
    OptionalSlugMixin,
)
from films.templatetags.marquee import picture
from reviews import clock, permissions
from reviews.admin.review_forms import (
    MARKDOWN_EDITOR,
    AuthorChoiceField,
    AuthorFilter,
    QueueFilter,
    ReviewAdminForm,
    SectionInline,
    StatusFilter,
    author_label,
    with_image_button,
)
from reviews.admin.review_history import RevisionViews
from reviews.admin.review_preview import LivePreviewViews
from reviews.admin.review_saving import PendingVersionSaving
from reviews.admin.review_workflow import WorkflowViews
from reviews.admin.taxonomy import FeaturedSlotAdmin
from reviews.models import Review


@admin.register(Review)
class ReviewAdmin(
    AccountsAsText,
    QueryInitial,
    PendingVersionSaving,
    ForbiddenAsAdminPage,
    FeaturedSlotAdmin,
    WorkflowViews,
    RevisionViews,
    LivePreviewViews,
    LibraryChoiceViews,
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
        ("author", AuthorFilter),
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
    # The library's list opens in a popup (the magnifier), where an image is chosen or uploaded.
    raw_id_fields = ("hero",)
    prepopulated_fields = {"slug": ("headline",)}
    readonly_fields = (
        "status_column",
        "publication_time",
        "expiry_time",
        "hero_preview",
        "hero_preview_to_view",
        "social_preview",
        "front_page",
        "front_page_status",
        "created_at",
        "updated_at",
    )
    # Read-only, the author's name stands in for a link to their user page to whoever may not
    # open it.
    accounts_as_text = {"author": "author_name"}
    formfield_overrides = MARKDOWN_EDITOR
    fieldsets = (
        (None, {"fields": ("film", "headline", "dek", "slug", "author")}),
        ("Text", {"fields": ("intro", "verdict", "rating")}),
        (
            "Hero image",
            {
                "fields": ("hero", "hero_preview"),
                "description": "Shown above the review, on its card and when it is shared, cropped "
                "to 16:9 around its focal point. Its alt text, credit and focal point are the "
                "library's: edit them there, once, for every page that shows it.",
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
        # counts; guards and autosaves the form; images dropped into or picked for the intro and
        # the sections; the workflow panel's Enter and Escape. csrf.js gives the scripts that
        # post with fetch() the page's token.
        js = (
            "marquee-admin/js/csrf.js",
            "marquee-admin/js/markdownx-inlines.js",
            "marquee-admin/js/section-order.js",
            "marquee-admin/js/markdown-keys.js",
            "marquee-admin/js/markdown-toolbar.js",
            "marquee-admin/js/change-guard.js",
            "marquee-admin/js/paragraph.js",
            "marquee-admin/js/editor-upload.js",
            "marquee-admin/js/image-picker.js",
            "marquee-admin/js/library-choice.js",
            "marquee-admin/js/workflow-panel.js",
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
        return author_label(obj.author)

    @admin.display(description="Published at")
    def publication_time(self, obj):
        return clock.when(obj and obj.published_at)

    @admin.display(description="Unpublish at")
    def expiry_time(self, obj):
        return clock.when(obj and obj.unpublish_at)

    @admin.display(description="as shown")
    def hero_preview(self, obj):
        """The chosen hero as readers see it (16:9 around its focal point), with its alt text
        and credit, linked to its page in the library where they are edited."""
        return self._hero_preview(obj, "Edit its alt text, credit and focal point in the library")

    @admin.display(description="as shown")
    def hero_preview_to_view(self, obj):
        """The same for someone who may only view the image (get_fieldsets): its library page
        shows them its alt text, credit and focal point, and lets them change none of it."""
        return self._hero_preview(obj, "View it in the library")

    def library_choice_preview(self, request, field, obj):
        # A hero chosen before the save links to its library page as get_fieldsets would.
        if field == "hero" and not permissions.may_change_image(request.user, obj.hero):
            return self.hero_preview_to_view(obj)
        return super().library_choice_preview(request, field, obj)

    @staticmethod
    def _hero_preview(obj, link_text: str):
        hero = obj.hero if obj is not None and obj.hero_id else None
        if hero is None or not hero.file:
            return "No hero image yet: lists and shares show the film's poster."
        return format_html(
            '<div class="hero-choice">{}<p>{}{}<br><a href="{}">{}</a></p></div>',
            picture(hero, "wide", alt=hero.alt_text, sizes="20rem", css_class="hero-choice__image"),
            format_html("Alt text: “{}”", hero.alt) if not hero.decorative else "Decorative",
            format_html(" · Credit: {}", hero.credit) if hero.credit else "",
            reverse("admin:images_image_change", args=[hero.pk]),
            link_text,
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
        read_only = obj is not None and not self.has_change_permission(request, obj)
        left_out = set()
        shown_as = {}  # a field, and the read-only display that stands in for it
        if obj is None or read_only:
            left_out.add("base_version")  # no version to guard on the add page, nor read-only
        if read_only or not permissions.may_set_expiry(request.user):
            # Shown, not edited, by those who may not set it.
            shown_as["unpublish_at"] = "expiry_time"
        if (
            obj is not None
            and obj.hero_id
            and not permissions.may_change_image(request.user, obj.hero)
        ):
            # Its library page lets them view it, not edit its alt text.
            shown_as["hero_preview"] = "hero_preview_to_view"
        return [
            (
                name,
                {
                    **opts,
                    "fields": tuple(
                        shown_as.get(f, f) for f in opts["fields"] if f not in left_out
                    ),
                },
            )
            for name, opts in fieldsets
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if "unpublish_at" not in flatten_fieldsets(self.get_fieldsets(request, obj)):
            # A declared field comes with every form the factory makes: this one may not set
            # it. (The factory makes a new class each time: its base_fields are its own.)
            form.base_fields.pop("unpublish_at", None)
        return form

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "intro":
            with_image_button(field, request)  # as a section's body
        return field

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "author":
            # In the order of the names shown (AuthorChoiceField): the display name, else the
            # full name its profile would take, else the username.
            shown = Coalesce(
                NullIf("critic__display_name", Value("")),
                NullIf(Trim(Concat("first_name", Value(" "), "last_name")), Value("")),
                "username",
            )
            users = (
                get_user_model()
                .objects.select_related("critic")
                .annotate(shown_name=Lower(shown))
                .order_by("shown_name", "username")
            )
            kwargs["form_class"] = AuthorChoiceField
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

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context.update(self.workflow_context(request, obj))
        elif add:
            context.update(self.new_review_autosave_context(request))
        return super().render_change_form(request, context, add, change, form_url, obj)
