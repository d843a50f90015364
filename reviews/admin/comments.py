"""Comment moderation in the admin: the queue, bulk decisions and staff replies.

Every decision goes through `reviews.moderation`, which checks `reviews.moderate_comment` and
records who decided and when; the admin never changes a comment's status by itself. The change
page is read-only (a reader's words are not edited); it carries the decision buttons instead.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import linebreaksbr
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from reviews import moderation
from reviews.comments import may_moderate
from reviews.models import Comment, Review

DECISIONS = {
    "approve": (moderation.approve, "Approved"),
    "reject": (moderation.reject, "Rejected"),
    "spam": (moderation.mark_spam, "Marked as spam"),
    "delete": (moderation.delete, "Deleted"),
}


class StatusFilter(admin.SimpleListFilter):
    """Opens on the queue: pending comments, unless another status (or all) is chosen."""

    title = "status"
    parameter_name = "status"
    ALL = "all"

    def lookups(self, request, model_admin):
        return [
            (Comment.Status.PENDING, "Pending (the queue)"),
            (Comment.Status.APPROVED, "Approved"),
            (Comment.Status.REJECTED, "Rejected"),
            (Comment.Status.SPAM, "Spam"),
            (self.ALL, "All"),
        ]

    def value(self):
        return super().value() or Comment.Status.PENDING

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        if self.value() == self.ALL:
            return queryset
        return queryset.filter(status=self.value())


class ReviewFilter(admin.SimpleListFilter):
    """The reviews with the most pending comments, and the one filtered by (if any).

    A plain related filter would list every review; on a large archive that is thousands.
    """

    title = "review (most pending)"
    parameter_name = "review"
    TOP = 10

    def lookups(self, request, model_admin):
        busiest = (
            Comment.objects.pending()
            .values("review")
            .annotate(n=Count("id"))
            .order_by("-n", "review")[: self.TOP]
        )
        ids = [row["review"] for row in busiest]
        current = self.value()
        if self._is_id(current):
            ids.append(int(current))
        reviews = Review.objects.filter(pk__in=ids).only("id", "headline").in_bulk()
        return [(str(pk), str(reviews[pk])) for pk in dict.fromkeys(ids) if pk in reviews]

    @staticmethod
    def _is_id(value) -> bool:
        return bool(value) and value.isascii() and value.isdigit() and len(value) < 19

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if not self._is_id(value):
            return queryset.none()
        return queryset.filter(review_id=int(value))


class ReplyForm(forms.Form):
    body = forms.CharField(
        label="Your reply",
        max_length=Comment.MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 80}),
        help_text="Plain text, shown on the review page marked as a staff reply.",
    )


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["excerpt", "author", "review_link", "status", "signals", "ip_address",
                    "submitted_at"]
    list_display_links = ["excerpt"]
    list_filter = [StatusFilter, ReviewFilter, "is_staff_reply"]
    search_fields = ["name", "email", "ip_address", "body"]
    search_help_text = "Search by name, email, IP address or text."
    ordering = ["-submitted_at", "-id"]
    list_per_page = 50
    show_full_result_count = False  # no COUNT(*) over the whole table on every page
    show_facets = admin.ShowFacets.NEVER  # nor a count per filter choice
    actions = ["approve_selected", "reject_selected", "spam_selected", "delete_selected_comments"]
    fieldsets = [
        (None, {"fields": ["review_link", "parent", "status", "body_text"]}),
        ("Author", {"fields": ["name", "email", "user", "ip_address", "user_agent"]}),
        ("Moderation", {"fields": ["spam_signals", "submitted_at", "is_staff_reply",
                                   "moderated_by", "moderated_at"]}),
    ]
    readonly_fields = ["review_link", "parent", "status", "body_text", "name", "email", "user",
                       "ip_address", "user_agent", "spam_signals", "submitted_at",
                       "is_staff_reply", "moderated_by", "moderated_at"]

    def get_queryset(self, request):
        # The list shows each comment's review headline: join it, without its long texts.
        return (
            super()
            .get_queryset(request)
            .select_related("review")
            .defer("review__intro", "review__intro_html", "review__dek", "review__verdict")
        )

    # Only moderators see comments at all; nobody adds or edits them here.

    def has_moderate_permission(self, request) -> bool:
        return may_moderate(request.user)

    def has_module_permission(self, request):
        return self.has_moderate_permission(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self.has_moderate_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # deletion goes through moderation.delete (the bulk action and button)

    def get_actions(self, request, action_location=admin.ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        actions.pop("delete_selected", None)
        return actions

    # Columns.

    @admin.display(description="Comment")
    def excerpt(self, comment):
        text = Truncator(" ".join(comment.body.split())).chars(120)
        if comment.parent_id:
            return format_html("<span title='reply'>↳</span> {}", text)
        return text

    @admin.display(description="Author", ordering="name")
    def author(self, comment):
        badge = " (staff)" if comment.is_staff_reply else ""
        return format_html("{}{}<br><small>{}</small>", comment.name, badge, comment.email)

    @admin.display(description="Review", ordering="review__headline")
    def review_link(self, comment):
        return format_html(
            '<a href="{}?{}={}&amp;status=all" title="All comments on this review">{}</a>',
            self._url("changelist"), ReviewFilter.parameter_name, comment.review_id,
            comment.review,
        )

    @admin.display(description="Spam signals")
    def signals(self, comment):
        if not comment.spam_signals:
            return "—"
        return format_html_join(", ", "<code>{}</code>", ((s,) for s in comment.spam_signals))

    @admin.display(description="Comment")
    def body_text(self, comment):
        # The body exactly as typed, escaped; line breaks kept.
        return format_html('<div class="comment-body-text">{}</div>',
                           linebreaksbr(comment.body, autoescape=True))

    # Bulk actions, all through reviews.moderation.

    def _decide(self, request, queryset, decision: str):
        function, done = DECISIONS[decision]
        try:
            count = function(queryset, by=request.user)
        except PermissionDenied:
            messages.error(request, "You may not moderate comments.")
            return
        messages.success(request, f"{done}: {count} comment{'s' if count != 1 else ''}.")

    @admin.action(description="Approve the selected comments", permissions=["moderate"])
    def approve_selected(self, request, queryset):
        self._decide(request, queryset, "approve")

    @admin.action(description="Reject the selected comments", permissions=["moderate"])
    def reject_selected(self, request, queryset):
        self._decide(request, queryset, "reject")

    @admin.action(description="Mark the selected comments as spam", permissions=["moderate"])
    def spam_selected(self, request, queryset):
        self._decide(request, queryset, "spam")

    @admin.action(description="Delete the selected comments", permissions=["moderate"])
    def delete_selected_comments(self, request, queryset):
        if request.POST.get("post") != "yes":  # deleting cannot be undone: ask first
            return self._confirm_delete(request, list(queryset.select_related("review")),
                                        bulk=True)
        self._decide(request, queryset, "delete")
        return None

    def _confirm_delete(self, request, comments, *, bulk: bool):
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/reviews/comment/delete_confirm.html", {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Delete {len(comments)} comment{'s' if len(comments) != 1 else ''}?",
            "subtitle": None,
            "comments": comments,
            "bulk": bulk,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "back": self._url("changelist") if bulk else self._url("change", comments[0].pk),
        })

    # One comment at a time: decision buttons and a reply form on the change page.

    def get_urls(self):
        info = f"{self.model._meta.app_label}_{self.model._meta.model_name}"
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/moderate/<str:decision>/", view(self.decide_view),
                 name=f"{info}_moderate"),
            path("<path:object_id>/reply/", view(self.reply_view), name=f"{info}_reply"),
            *super().get_urls(),
        ]

    def _url(self, name, *args):
        opts = self.model._meta
        return reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_{name}", args=args
        )

    def _get(self, request, object_id) -> Comment:
        if not self.has_moderate_permission(request):
            raise PermissionDenied
        try:
            pk = Comment._meta.pk.to_python(unquote(object_id))
        except ValidationError:
            raise Http404("No such comment.") from None  # "abc" is no comment, not a 500
        return get_object_or_404(Comment.objects.select_related("review", "parent"), pk=pk)

    def decide_view(self, request, object_id, decision):
        if decision not in DECISIONS:
            raise Http404("No such decision.")
        comment = self._get(request, object_id)
        if request.method != "POST":
            return HttpResponseRedirect(self._url("change", comment.pk))
        if decision == "delete" and request.POST.get("post") != "yes":
            return self._confirm_delete(request, [comment], bulk=False)
        function, done = DECISIONS[decision]
        function(comment, by=request.user)
        messages.success(request, f"{done}: the comment by {comment.name} on “{comment.review}”.")
        return HttpResponseRedirect(self._url("changelist"))

    def reply_view(self, request, object_id):
        comment = self._get(request, object_id)
        form = ReplyForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                reply = moderation.reply(comment, by=request.user, body=form.cleaned_data["body"])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, format_html(
                    'Your reply is published: <a href="{}">see it on the review page</a>.',
                    reply.get_absolute_url(),
                ))
                return HttpResponseRedirect(self._url("changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Reply to {comment.name}",
            "comment": comment,
            "form": form,
            "original": comment,
            "has_view_permission": True,
        }
        return TemplateResponse(request, "admin/reviews/comment/reply.html", context)

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(
            request, {"title": "Comments to moderate", **(extra_context or {})}
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="",
                           obj=None):
        context["moderate_urls"] = {
            decision: self._url("moderate", obj.pk, decision) for decision in DECISIONS
        } if obj else {}
        context["reply_url"] = self._url("reply", obj.pk) if obj else ""
        return super().render_change_form(request, context, add, change, form_url, obj)
