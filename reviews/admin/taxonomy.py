"""Tags and the front page's featured slot in the admin.

- Tags: picked on the review's form with an autocomplete; new ones typed beside it by name
  (`take_tags`, through `Tag.objects.named`, which checks the permission to add tags).
- The featured slot: its history (who featured what, from when to when) and schedule in the
  Feature list; *Feature a review* on the review's form or as a list action. Every change
  goes through `Feature.objects.feature()` / `.cancel()`, which check the user's permission.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from config.admin import QueryInitial
from films.admin import image_tag
from reviews import clock, permissions, seo
from reviews.models import Feature, Review, Tag
from reviews.models.features import check_featurable
from reviews.timezones import zone_note


def split_names(text: str) -> list[str]:
    return [name.strip() for name in (text or "").split(",") if name.strip()]


def take_tags(form, user) -> None:
    """Fold the new tags typed on the review's form into its chosen tags, making them (so the
    form's own save and a pending version both see one list), and note the choice on the
    review for its pending version."""
    if "tags" not in form.cleaned_data:
        return
    chosen = list(form.cleaned_data["tags"])
    new = Tag.objects.named(split_names(form.cleaned_data.get("new_tags", "")), by=user)
    chosen += [tag for tag in new if tag not in chosen]
    form.cleaned_data["tags"] = chosen
    form.instance.chosen_tag_ids = [tag.pk for tag in chosen]


@admin.register(Tag)
class TagAdmin(QueryInitial, admin.ModelAdmin):
    list_display = ("name", "slug", "review_count")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    @admin.display(description="reviews (all states)")
    def review_count(self, tag):
        return tag.reviews.count()


class FeatureForm(forms.ModelForm):
    starts_at = forms.SplitDateTimeField(
        label="Start at",
        required=False,
        widget=AdminSplitDateTime,
        help_text="Leave empty to feature the review now. A later time schedules it: it takes "
        "over the front page by itself at that time.",
    )

    class Meta:
        model = Feature
        fields = ("review", "starts_at")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["starts_at"].help_text += f" {zone_note()}"
        self.fields["starts_at"].initial = None

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("review") is not None:
            at = cleaned.get("starts_at")
            try:
                check_featurable(cleaned["review"], at if at and at > timezone.now() else None)
            except ValidationError as error:
                self.add_error("review" if error.code == "not_featurable" else "starts_at", error)
        return cleaned


@admin.register(Feature)
class FeatureAdmin(QueryInitial, admin.ModelAdmin):
    """The featured slot's schedule and history. Started features are history: read-only."""

    form = FeatureForm
    list_display = ("review", "state", "start", "end", "featured_by_name")
    list_select_related = ("review", "featured_by")
    autocomplete_fields = ("review",)
    actions = None  # no bulk delete: history stays, scheduled ones are cancelled one by one

    class Media:
        # On phones the list keeps the review, its state and start (workflow.css).
        css = {"all": ("marquee-admin/css/workflow.css",)}

    def get_queryset(self, request):
        return super().get_queryset(request).with_ends()

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "review":  # pick a review; writing one happens elsewhere
            widget = field.widget
            widget.can_add_related = widget.can_change_related = widget.can_delete_related = False
        return field

    def changelist_view(self, request, extra_context=None):
        context = {"title": "The front page's featured slot: schedule and history"}
        return super().changelist_view(request, {**context, **(extra_context or {})})

    def add_view(self, request, form_url="", extra_context=None):
        context = {
            "title": "Feature a review on the front page",
            "show_save_and_add_another": False,
            "show_save_and_continue": False,
        }
        return super().add_view(request, form_url, {**context, **(extra_context or {})})

    def has_module_permission(self, request):
        return permissions.may_feature(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return permissions.may_feature(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return permissions.may_feature(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        allowed = permissions.may_feature(request.user) and super().has_delete_permission(
            request, obj
        )
        return allowed and (obj is None or obj.is_scheduled)

    @admin.display(description="on the front page")
    def state(self, feature):
        now = timezone.now()
        if feature.starts_at > now:
            return "Scheduled"
        if feature.ends_at is not None and feature.ends_at <= now:
            return "Past"
        if not feature.review.is_public:
            return "Current, but its review is not public: the newest review shows"
        return "Current"

    @admin.display(description="from", ordering="starts_at")
    def start(self, feature):
        return clock.when(feature.starts_at)

    @admin.display(description="until")
    def end(self, feature):
        return clock.when(feature.ends_at)

    @admin.display(description="featured by")
    def featured_by_name(self, feature):
        who = feature.featured_by
        return (who.get_full_name() or who.get_username()) if who else "—"

    def save_model(self, request, obj, form, change):
        at = form.cleaned_data.get("starts_at")
        made = Feature.objects.feature(obj.review, by=request.user, at=at)
        obj.pk, obj.starts_at, obj.featured_by = made.pk, made.starts_at, made.featured_by

    def delete_model(self, request, obj):
        Feature.objects.cancel(obj, by=request.user)


class FeaturedSlotAdmin:
    """On the review admin: the tags' autocomplete and new names, the SEO fields' derived
    defaults, where the review stands in the featured slot, and *Feature now* for a list."""

    def get_fieldsets(self, request, obj=None):
        """Editors get *Feature this review…* beside the review's place in the slot."""
        fieldsets = super().get_fieldsets(request, obj)
        if permissions.may_feature(request.user):
            return fieldsets
        return [
            (
                name,
                {
                    **opts,
                    "fields": tuple(
                        "front_page_status" if f == "front_page" else f for f in opts["fields"]
                    ),
                },
            )
            for name, opts in fieldsets
        ]

    @admin.display(description="front page")
    def front_page_status(self, review):
        if review is None or review.pk is None:
            return "—"
        current = Feature.objects.current()
        if current is not None and current.review_id == review.pk:
            return f"Featured since {clock.when(current.starts_at)}."
        upcoming = Feature.objects.upcoming().filter(review=review).first()
        if upcoming is not None:
            return f"Scheduled to be featured from {clock.when(upcoming.starts_at)}."
        return "Not featured."

    @admin.display(description="front page")
    def front_page(self, review):
        text = self.front_page_status(review)
        if review is None or review.pk is None:
            return text
        link = reverse("admin:reviews_feature_add") + f"?review={review.pk}"
        return format_html(
            '{} <a class="button feature-link" href="{}">Feature this review…</a>', text, link
        )

    @admin.display(description="social image in use")
    def social_preview(self, review):
        if review is None:
            return "Shares show the hero image, else the film's poster."
        stored = (
            Review.objects.filter(pk=review.pk)
            .select_related("film")
            .only("social_image", "social_width", "social_height", "hero", "film__poster")
            .first()
            if review.pk
            else None
        )
        if stored is not None and stored.social_image:
            return image_tag(
                stored.social_image,
                stored.social_width,
                stored.social_height,
                box=240,
                alt=f"Social image of {review.headline}",
            )
        label = seo.derived_image_label(stored or review)
        return f"None uploaded: shares show {label}."

    def has_feature_permission(self, request):
        return permissions.may_feature(request.user)

    @admin.action(
        description="Feature the selected review on the front page now", permissions=("feature",)
    )
    def feature_selected(self, request, queryset):
        reviews = list(queryset[:2])
        if len(reviews) != 1:
            self.message_user(
                request, "Select exactly one review to feature.", level=messages.WARNING
            )
            return
        try:
            Feature.objects.feature(reviews[0], by=request.user)
        except (PermissionDenied, ValidationError) as error:
            self.message_user(request, " ".join(_messages(error)), level=messages.ERROR)
            return
        self.message_user(request, f"“{reviews[0]}” now leads the front page.")


def _messages(error) -> list[str]:
    return list(getattr(error, "messages", None) or [str(error)])
