"""Comment moderation in the admin: the queue, decisions per row and in bulk, staff replies,
editing and redacting, trusting and blocking senders, and privacy requests.

Every decision goes through `reviews.moderation`, which checks `reviews.moderate_comment` and
records who decided and when; the admin never changes a comment by itself. The change page is
read-only: it carries the decision buttons, the sender's history, trust and block buttons, and
a link to edit (recorded, the original kept). The pages behind those buttons are in
reviews/admin/comment_views.py; the queue's filters and columns in reviews/admin/comment_list.py.
"""

from functools import partial

from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.http import urlencode

from config.admin import AccountsAsText, ReadOnlyAdmin, account_as_text, own_urls
from reviews import moderation
from reviews.admin import comment_views, commenters
from reviews.admin.comment_list import (
    CommentColumns,
    ReviewFilter,
    StatusFilter,
    WrittenByFilter,
)
from reviews.commenters import CommentBlock, TrustedCommenter
from reviews.models import Comment
from reviews.permissions import may_moderate

DECISIONS = comment_views.DECISIONS


@admin.register(Comment)
class CommentAdmin(AccountsAsText, CommentColumns, ReadOnlyAdmin):
    list_display = ["excerpt", "row_actions", "author", "history", "review_link", "submitted"]
    list_display_links = ["excerpt"]
    list_filter = [StatusFilter, ReviewFilter, WrittenByFilter]
    search_fields = ["name", "email", "ip_address", "body"]
    search_help_text = "Search by name, email, IP address or text."
    ordering = ["-submitted_at", "-id"]
    list_per_page = 50
    show_full_result_count = False  # no COUNT(*) over the whole table on every page
    show_facets = admin.ShowFacets.NEVER  # nor a count per filter choice
    actions = [
        "approve_selected",
        "reject_selected",
        "spam_selected",
        "delete_selected_comments",
        "purge_ips",
        "export_addresses",
        "erase_addresses",
    ]
    fieldsets = [
        (None, {"fields": ["review_link", "parent_text", "status", "body_text"]}),
        (
            "Author",
            {"fields": ["name", "email", "user", "ip_address", "user_agent", "notify_choice"]},
        ),
        (
            "Moderation",
            {
                "fields": [
                    "spam_signals",
                    "submitted_at",
                    "is_staff_reply",
                    "moderated_by",
                    "moderated_at",
                    "edited_at",
                ]
            },
        ),
    ]
    readonly_fields = flatten_fieldsets(fieldsets)
    accounts_as_text = {
        "user": account_as_text("user"),
        "moderated_by": account_as_text("moderated_by"),
    }

    def view_on_site(self, obj):
        # "View on site" only for a comment readers see: an approved one on a public review.
        shown = obj.status == Comment.Status.APPROVED and obj.review.is_public
        return obj.get_absolute_url() if shown else None

    # Only moderators see comments at all; nobody adds or edits them here.

    def has_moderate_permission(self, request) -> bool:
        return may_moderate(request.user)

    def has_module_permission(self, request):
        return self.has_moderate_permission(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self.has_moderate_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False  # deletion goes through moderation.delete (the bulk action and button)

    def get_actions(self, request, action_location=admin.ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        actions.pop("delete_selected", None)
        return actions

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

    @admin.action(description="Delete the selected comments…", permissions=["moderate"])
    def delete_selected_comments(self, request, queryset):
        return comment_views.delete_selected(self, request, queryset)

    @admin.action(
        description="Forget the IP addresses of the selected comments", permissions=["moderate"]
    )
    def purge_ips(self, request, queryset):
        comment_views.purge_ips(self, request, queryset)

    @admin.action(
        description="Export everything from the selected comments’ e-mail addresses (JSON)",
        permissions=["moderate"],
    )
    def export_addresses(self, request, queryset):
        return comment_views.export(self, request, queryset)

    @admin.action(
        description="Erase everything from the selected comments’ e-mail addresses…",
        permissions=["moderate"],
    )
    def erase_addresses(self, request, queryset):
        return comment_views.erase(self, request, queryset)

    # One comment at a time: decisions, reply, edit, the sender.

    def get_urls(self):
        return [
            *own_urls(
                self,
                ("mail/", partial(commenters.mail_preference_view, self), "mail"),
                (
                    "<path:object_id>/moderate/<str:decision>/",
                    partial(comment_views.decide, self),
                    "moderate",
                ),
                ("<path:object_id>/reply/", partial(comment_views.reply, self), "reply"),
                ("<path:object_id>/edit/", partial(comment_views.edit, self), "edit"),
                (
                    "<path:object_id>/sender/<str:operation>/",
                    partial(comment_views.sender, self),
                    "sender",
                ),
            ),
            *super().get_urls(),
        ]

    def url(self, name, *args):
        opts = self.model._meta
        return reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_{name}", args=args
        )

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(
            request, {"title": "Comments to moderate", **(extra_context or {})}
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(
                moderate_urls={
                    decision: self.url("moderate", obj.pk, decision) for decision in DECISIONS
                },
                reply_url=self.url("reply", obj.pk),
                edit_url=self.url("edit", obj.pk),
                sender_urls={
                    op.replace("-", "_"): self.url("sender", obj.pk, op)
                    for op in comment_views.SENDER_ACTIONS
                },
                sender_history=moderation.history_text(moderation.history(obj.email)),
                sender_comments_url=self.url("changelist")
                + "?"
                + urlencode({"q": obj.email, "status": "all"}),
                sender_trusted=TrustedCommenter.is_trusted(obj.email),
                sender_blocks=[
                    b
                    for b in (
                        CommentBlock.objects.filter(
                            kind=CommentBlock.Kind.EMAIL, value=obj.email.strip().lower()
                        ).first(),
                        CommentBlock.objects.matching(ip=obj.ip_address)
                        if obj.ip_address
                        else None,
                    )
                    if b is not None
                ],
                network=moderation.network_of(obj.ip_address) if obj.ip_address else "",
                edits=obj.edits.select_related("edited_by"),
                original_body=moderation.original_body(obj),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)
