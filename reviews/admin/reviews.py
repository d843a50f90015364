"""Reviews in the admin: the editorial workflow, revisions and no lost edits.

The status only changes through the workflow's transitions (`Review.submit()`, `.publish()` and
friends): the form has no status field, and the buttons, the bulk actions and the transition URL
all call the model methods, which check the user's permission and the review's state.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from markdownx.models import MarkdownxField
from markdownx.widgets import AdminMarkdownxWidget
from reversion.admin import VersionAdmin
from reversion.models import Version

from films.admin import OptionalSlugMixin
from reviews import preview, revisions, workflow
from reviews.models import Review, Section, StaleEditError

# MarkdownxField's form field brings a plain MarkdownxWidget; the admin variant adds the CSS
# that lays the editor and its live preview out in the admin's theme.
MARKDOWN_EDITOR = {MarkdownxField: {"widget": AdminMarkdownxWidget}}


def is_editor(user) -> bool:
    return user.is_active and user.has_perm(workflow.PUBLISH_PERMISSION)


def site_time_zone() -> str:
    return timezone.get_current_timezone_name()


class SectionInline(admin.StackedInline):
    model = Section
    fields = (("heading", "position"), ("anchor", "is_spoiler"), "body")
    ordering = ("position", "id")
    formfield_overrides = MARKDOWN_EDITOR
    extra = 0
    classes = ("sortable-sections",)

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

    # A writer's sections follow the review: editable while the review is.
    def has_change_permission(self, request, obj=None):
        if obj is not None and not workflow.may_edit(request.user, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        if obj is not None and not workflow.may_edit(request.user, obj):
            return False
        return super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not workflow.may_edit(request.user, obj):
            return False
        return super().has_delete_permission(request, obj)


class ReviewAdminForm(forms.ModelForm):
    # The version the form was loaded at. A save based on an older one is refused (see clean()).
    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    class Meta:
        model = Review
        fields = (
            "film", "headline", "dek", "slug", "author", "intro", "verdict", "rating",
            "hero_image", "is_featured", "comments_enabled",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "base_version" in self.fields:
            self.fields["base_version"].required = True
            self.fields["base_version"].initial = self.instance.version

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
    """The ready-made views of the newsroom: my drafts, awaiting review, scheduled."""

    title = "queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [
            ("mine", "My drafts"),
            ("review", "Awaiting review"),
            ("scheduled", "Scheduled"),
        ]

    def queryset(self, request, queryset):
        match self.value():
            case "mine":
                return queryset.by_author(request.user).filter(status=Review.Status.DRAFT)
            case "review":
                return queryset.filter(status=Review.Status.IN_REVIEW)
            case "scheduled":
                return queryset.filter(
                    status=Review.Status.SCHEDULED, published_at__gt=timezone.now()
                )
        return queryset


class PublishAtForm(forms.Form):
    at = forms.DateTimeField(
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        error_messages={"required": "Pick a date and time to schedule the review for.",
                        "invalid": "Enter the date and time as shown, e.g. 2026-12-01 09:00."},
    )

    def clean_at(self):
        at = self.cleaned_data["at"]
        if at <= timezone.now():
            raise ValidationError(
                "Pick a time in the future to schedule the review; use Publish to publish now."
            )
        return at


@admin.register(Review)
class ReviewAdmin(OptionalSlugMixin, VersionAdmin):
    slug_help_text = "Leave empty to make one from the headline."

    form = ReviewAdminForm
    change_form_template = "admin/reviews/review/change_form.html"
    change_list_template = "admin/reviews/review/change_list.html"
    object_history_template = "admin/reviews/review/object_history.html"
    list_display = ("headline", "film", "author", "status", "published_at", "rating")
    list_select_related = ("film", "author")
    list_filter = (
        QueueFilter,
        "status",
        ("author", admin.RelatedOnlyFieldListFilter),
        "film__genres",
    )
    search_fields = ("headline", "dek", "film__title", "author__username")
    search_help_text = "Headline, dek, film title or the author's username."
    date_hierarchy = "published_at"
    autocomplete_fields = ("film",)
    prepopulated_fields = {"slug": ("headline",)}
    readonly_fields = ("status", "publication_time", "created_at", "updated_at")
    formfield_overrides = MARKDOWN_EDITOR
    fieldsets = (
        (None, {"fields": ("film", "headline", "dek", "slug", "author")}),
        ("Text", {"fields": ("intro", "verdict", "rating")}),
        ("Hero image", {"fields": ("hero_image",)}),
        ("Publication", {
            "fields": ("status", "publication_time", "is_featured", "comments_enabled"),
            "description": "The status changes through the workflow buttons above the form.",
        }),
        ("Record", {"fields": ("created_at", "updated_at", "base_version"),
                    "classes": ("collapse",)}),
    )
    inlines = (SectionInline,)
    actions = ("publish_selected", "archive_selected")

    class Media:
        # Starts markdownx editors in sections added after the page loaded; frames the preview;
        # moves sections up and down.
        js = ("marquee-admin/js/markdownx-inlines.js", "marquee-admin/js/section-order.js")
        css = {"all": ("marquee-admin/css/editor.css", "marquee-admin/css/workflow.css")}

    def view_on_site(self, obj):
        # "View on site" only where the public can see it; drafts have the Preview link.
        return obj.get_absolute_url() if obj.is_public else None

    @admin.display(description="Published at")
    def publication_time(self, obj):
        if obj is None or obj.published_at is None:
            return "—"
        when = timezone.localtime(obj.published_at)
        return f"{when:%d %B %Y, %H:%M} ({site_time_zone()})"

    # Who sees what ----------------------------------------------------------------------------

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if is_editor(request.user):
            return queryset
        return queryset.by_author(request.user)

    def has_change_permission(self, request, obj=None):
        if obj is not None:
            return workflow.may_edit(request.user, obj)
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not workflow.may_edit(request.user, obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not is_editor(request.user):
            fields.append("is_featured")
        return fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not self.has_change_permission(request, obj):
            # No version to guard on the add page, nor on a read-only view.
            fieldsets = [
                (name, {**opts, "fields": tuple(f for f in opts["fields"] if f != "base_version")})
                for name, opts in fieldsets
            ]
        return fieldsets

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "author":
            users = get_user_model().objects.order_by("username")
            if is_editor(request.user):
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

    # Saving without losing anyone's edits -----------------------------------------------------

    def save_model(self, request, obj, form, change):
        if change:
            # The model's atomic version check compares against what this form was loaded at.
            obj.version = form.cleaned_data["base_version"]
        obj.last_edited_by = request.user
        super().save_model(request, obj, form, change)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleEditError:
            # Someone saved between our form's check and our save; the transaction rolled back.
            # Showing the form again runs the check again, which now reports who and when,
            # and keeps everything that was typed.
            return super().changeform_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            user = request.user
            context.update(
                workflow_actions=[
                    {**vars(a), "url": self._url("transition", obj.pk, a.name)}
                    for a in workflow.available_actions(user, obj)
                ],
                transitions=obj.transitions.select_related("actor"),
                time_zone=site_time_zone(),
                now_local=timezone.localtime(),
                preview_url=reverse("reviews:preview", kwargs={"slug": obj.slug}),
                may_share=is_editor(user),
                share_url=self._url("share", obj.pk),
                shared_path=request.session.get(f"review-share-{obj.pk}"),
                effective_status=Review.Status(obj.effective_status).label,
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    # Workflow transitions ---------------------------------------------------------------------

    def get_urls(self):
        opts = self.model._meta
        info = f"{opts.app_label}_{opts.model_name}"
        view = self.admin_site.admin_view
        ours = [
            path("<path:object_id>/transition/<str:action>/", view(self.transition_view),
                 name=f"{info}_transition"),
            path("<path:object_id>/share/", view(self.share_view), name=f"{info}_share"),
            path("<path:object_id>/history/compare/", view(self.compare_view),
                 name=f"{info}_compare"),
            path("<path:object_id>/history/<int:version_id>/", view(self.version_view),
                 name=f"{info}_version"),
            path("<path:object_id>/history/<int:version_id>/restore/",
                 view(self.restore_view), name=f"{info}_restore"),
        ]
        # reversion's own revert and recover views save the stored `version` back (and so
        # fail the edit lock) and bypass the editors-only rule: restores go through ours.
        theirs = [
            u for u in super().get_urls()
            if getattr(u, "name", None) not in {
                f"{info}_revision", f"{info}_recover", f"{info}_recoverlist"
            }
        ]
        return ours + theirs

    def _url(self, name, *args):
        opts = self.model._meta
        return reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_{name}", args=args
        )

    def _get_visible(self, request, object_id) -> Review:
        """The review, if the user may see it in the admin at all (403/404 otherwise)."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return get_object_or_404(self.get_queryset(request), pk=unquote(object_id))

    def transition_view(self, request, object_id, action):
        if request.method != "POST":
            return HttpResponseRedirect(self._url("change", object_id))
        if action not in workflow.ACTIONS:
            raise Http404("No such transition.")
        review = self._get_visible(request, object_id)
        label = workflow.ACTIONS[action].label
        try:
            if action == "request_changes":
                review.request_changes(by=request.user, note=request.POST.get("note", ""))
            elif action == "publish" and "at" in request.POST:
                form = PublishAtForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(form.errors["at"])
                review.publish(by=request.user, at=form.cleaned_data["at"])
            else:
                getattr(review, action)(by=request.user)
        except PermissionDenied as error:
            messages.error(request, str(error) or f"You may not {label.lower()} this review.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, self._done_message(review, action))
        if self.has_view_or_change_permission(request, review):
            return HttpResponseRedirect(self._url("change", review.pk))
        return HttpResponseRedirect(self._url("changelist"))

    def _done_message(self, review, action) -> str:
        status = review.get_status_display().lower()
        if review.status == Review.Status.SCHEDULED:
            when = timezone.localtime(review.published_at)
            return (f"“{review}” is scheduled for {when:%d %B %Y, %H:%M} "
                    f"({site_time_zone()}).")
        return f"{workflow.ACTIONS[action].label}: “{review}” is now {status}."

    # Bulk actions call the same model methods, one review at a time.

    def _bulk(self, request, queryset, action):
        done, refused = [], []
        for review in queryset:
            try:
                getattr(review, action)(by=request.user)
            except (PermissionDenied, ValidationError) as error:
                text = " ".join(getattr(error, "messages", [str(error)]))
                refused.append(f"“{review}”: {text}")
            else:
                done.append(review)
        if done:
            messages.success(
                request, f"{workflow.ACTIONS[action].label}: {len(done)} review(s)."
            )
        for text in refused:
            messages.error(request, text)

    @admin.action(description="Publish the selected reviews now",
                  permissions=["publish"])
    def publish_selected(self, request, queryset):
        self._bulk(request, queryset, "publish")

    @admin.action(description="Archive the selected reviews", permissions=["publish"])
    def archive_selected(self, request, queryset):
        self._bulk(request, queryset, "archive")

    def has_publish_permission(self, request):
        return is_editor(request.user)

    # Share links ------------------------------------------------------------------------------

    def share_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseRedirect(self._url("change", object_id))
        review = self._get_visible(request, object_id)
        try:
            link = preview.create_share_link(
                review, request.user, regenerate=bool(request.POST.get("regenerate"))
            )
        except PermissionDenied as error:
            messages.error(request, str(error))
        else:
            request.session[f"review-share-{review.pk}"] = link
            days = settings.MARQUEE_PREVIEW_LINK_DAYS
            messages.success(request, format_html(
                "Share link ready (valid for {} days): <a href=\"{}\">{}</a>. "
                "Regenerating it revokes every earlier link.",
                days, link, request.build_absolute_uri(link),
            ))
        return HttpResponseRedirect(self._url("change", review.pk))

    # Revisions --------------------------------------------------------------------------------

    def history_view(self, request, object_id, extra_context=None):
        review = self._get_visible(request, object_id)
        versions = revisions.versions_for(review)
        context = {
            **self.admin_site.each_context(request),
            "title": f"History: {review}",
            "subtitle": None,
            "opts": self.model._meta,
            "object": review,
            "original": review,
            "versions": versions,
            "compare_url": self._url("compare", review.pk),
            "time_zone": site_time_zone(),
            "may_restore": is_editor(request.user),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.object_history_template, context)

    def _version(self, review, version_id) -> Version:
        return get_object_or_404(
            Version.objects.get_for_object(review).select_related("revision__user"),
            pk=version_id,
        )

    def _revision_context(self, request, review, title, **extra):
        request.current_app = self.admin_site.name
        return {
            **self.admin_site.each_context(request),
            "title": title,
            "subtitle": None,
            "opts": self.model._meta,
            "original": review,
            "history_url": self._url("history", review.pk),
            "time_zone": site_time_zone(),
            "may_restore": is_editor(request.user),
            **extra,
        }

    def version_view(self, request, object_id, version_id):
        review = self._get_visible(request, object_id)
        version = self._version(review, version_id)
        snap = revisions.snapshot(version)
        context = self._revision_context(
            request, review, f"Version of {review}",
            version=version, snapshot=snap,
            restore_url=self._url("restore", review.pk, version.pk),
        )
        return TemplateResponse(request, "admin/reviews/review/version.html", context)

    def compare_view(self, request, object_id):
        review = self._get_visible(request, object_id)
        try:
            old_id, new_id = int(request.GET["old"]), int(request.GET["new"])
        except (KeyError, ValueError):
            messages.error(request, "Pick two versions to compare.")
            return HttpResponseRedirect(self._url("history", review.pk))
        old, new = self._version(review, old_id), self._version(review, new_id)
        if old.revision.date_created > new.revision.date_created:
            old, new = new, old
        comparison = revisions.compare(revisions.snapshot(old), revisions.snapshot(new))
        context = self._revision_context(
            request, review, f"Compare versions of {review}",
            old=old, new=new, comparison=comparison,
        )
        return TemplateResponse(request, "admin/reviews/review/compare.html", context)

    def restore_view(self, request, object_id, version_id):
        review = self._get_visible(request, object_id)
        if request.method != "POST":
            return HttpResponseRedirect(self._url("version", review.pk, version_id))
        version = self._version(review, version_id)
        try:
            revisions.restore(review, version, by=request.user)
        except PermissionDenied as error:
            messages.error(request, str(error))
            return HttpResponseRedirect(self._url("version", review.pk, version.pk))
        when = timezone.localtime(version.revision.date_created)
        messages.success(
            request,
            f"Restored the version of {when:%d %B %Y, %H:%M} ({site_time_zone()}) "
            "as a new revision.",
        )
        return HttpResponseRedirect(self._url("change", review.pk))
