"""Reviews in the admin: a review with its sections, written in markdownx's editor.

The editorial workflow (who may move a review between states) is not here yet: the status is
a plain field for now.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Q
from markdownx.models import MarkdownxField
from markdownx.widgets import AdminMarkdownxWidget

from reviews.models import Review, Section

# MarkdownxField's form field brings a plain MarkdownxWidget; the admin variant adds the CSS
# that lays the editor and its live preview out in the admin's theme.
MARKDOWN_EDITOR = {MarkdownxField: {"widget": AdminMarkdownxWidget}}


class SectionInline(admin.StackedInline):
    model = Section
    fields = (("heading", "position"), ("anchor", "is_spoiler"), "body")
    ordering = ("position", "id")
    formfield_overrides = MARKDOWN_EDITOR
    extra = 0

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if obj is None else 0

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "anchor":
            # An empty anchor is made from the heading on save. As None rather than "", two
            # new sections left empty are not taken for duplicates by the formset's
            # (review, anchor) uniqueness check.
            field.empty_value = None
        return field


class ReviewAdminForm(forms.ModelForm):
    class Meta:
        model = Review
        fields = (
            "film", "headline", "dek", "slug", "author", "intro", "verdict", "rating",
            "hero_image", "status", "published_at", "is_featured", "comments_enabled",
        )

    def clean(self):
        cleaned = super().clean()
        public = {Review.Status.PUBLISHED, Review.Status.SCHEDULED}
        if cleaned.get("status") in public and not cleaned.get("published_at"):
            # Mirrors the review_public_has_date constraint with a message an editor can act on.
            self.add_error(
                "published_at",
                "A published or scheduled review needs a publication date and time.",
            )
        return cleaned


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    form = ReviewAdminForm
    list_display = ("headline", "film", "author", "status", "published_at", "rating")
    list_select_related = ("film", "author")
    list_filter = (
        "status",
        ("author", admin.RelatedOnlyFieldListFilter),
        "film__genres",
    )
    search_fields = ("headline", "dek", "film__title", "author__username")
    search_help_text = "Headline, dek, film title or the author's username."
    date_hierarchy = "published_at"
    autocomplete_fields = ("film",)
    prepopulated_fields = {"slug": ("headline",)}
    readonly_fields = ("created_at", "updated_at")
    formfield_overrides = MARKDOWN_EDITOR
    fieldsets = (
        (None, {"fields": ("film", "headline", "dek", "slug", "author")}),
        ("Text", {"fields": ("intro", "verdict", "rating")}),
        ("Hero image", {"fields": ("hero_image",)}),
        ("Publication", {"fields": (
            "status", "published_at", "is_featured", "comments_enabled",
        )}),
        ("Record", {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )
    inlines = (SectionInline,)

    class Media:
        # Starts markdownx editors in sections added after the page loaded; frames the preview.
        js = ("marquee-admin/js/markdownx-inlines.js",)
        css = {"all": ("marquee-admin/css/editor.css",)}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "slug" and field is not None:
            field.required = False  # Review.save() makes a unique one from the headline.
            field.help_text = "Leave empty to make one from the headline."
        return field

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "author":
            # Staff write reviews; keep past authors selectable so old reviews still validate.
            kwargs["queryset"] = (
                get_user_model()
                .objects.filter(Q(is_staff=True) | Q(reviews__isnull=False))
                .distinct()
                .order_by("username")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("author", request.user.pk)
        return initial

    def save_model(self, request, obj, form, change):
        obj.last_edited_by = request.user
        super().save_model(request, obj, form, change)
