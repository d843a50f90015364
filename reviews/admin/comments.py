"""Comment moderation in the admin: the queue, decisions per row and in bulk, staff replies,
editing and redacting, trusting and blocking senders, and privacy requests.

Every decision goes through `reviews.moderation`, which checks `reviews.moderate_comment` and
records who decided and when; the admin never changes a comment by itself. The change page is
read-only: it carries the decision buttons, the sender's history, trust and block buttons, and
a link to edit (recorded, the original kept). The pages behind those buttons are in
reviews/admin/comment_views.py.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.http import HttpResponseRedirect
from django.template.defaultfilters import linebreaksbr
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.text import Truncator

from reviews import moderation
from reviews.admin import comment_views, commenters
from reviews.commenters import CommentBlock, TrustedCommenter
from reviews.comments import may_moderate
from reviews.models import Comment, Review

DECISIONS = comment_views.DECISIONS
ROW_DECISIONS = [
    ("approve", "Approve"),
    ("reject", "Reject"),
    ("spam", "Spam"),
    ("delete", "Delete"),
]


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


def _count(status: str) -> Subquery:
    """How many comments of one status share this comment's e-mail address."""
    return Subquery(
        Comment.objects.filter(email__iexact=OuterRef("email"), status=status)
        .order_by()
        .values("status")
        .annotate(n=Count("id"))
        .values("n")[:1],
        output_field=IntegerField(),
    )


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["excerpt", "row_actions", "author", "history", "review_link", "submitted"]
    list_display_links = ["excerpt"]
    list_filter = [StatusFilter, ReviewFilter, "is_staff_reply"]
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
        ("Author", {"fields": ["name", "email", "user", "ip_address", "user_agent", "notify"]}),
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
    readonly_fields = [
        "review_link",
        "parent_text",
        "status",
        "body_text",
        "name",
        "email",
        "user",
        "ip_address",
        "user_agent",
        "notify",
        "spam_signals",
        "submitted_at",
        "is_staff_reply",
        "moderated_by",
        "moderated_at",
        "edited_at",
    ]

    def get_queryset(self, request):
        # The list shows each comment's review headline and the comment it answers: join them,
        # without their long texts; and the sender's history, counted in the same statement.
        return (
            super()
            .get_queryset(request)
            .select_related("review", "parent")
            .defer(
                "review__intro",
                "review__intro_html",
                "review__dek",
                "review__verdict",
                "parent__body_html",
                "parent__user_agent",
            )
            .annotate(
                **{f"history_{status.value}": _count(status.value) for status in Comment.Status}
            )
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
            text = format_html("<span title='reply'>↳</span> {}", text)
        if comment.spam_signals:
            return format_html("{}<br><small>Signals: {}</small>", text, self.signals(comment))
        return text

    @admin.display(description="In reply to")
    def parent_text(self, comment):
        parent = comment.parent
        if parent is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>: “{}”',
            self.url("change", parent.pk),
            parent.name,
            Truncator(" ".join(parent.body.split())).chars(200),
        )

    @admin.display(description="Author", ordering="name")
    def author(self, comment):
        badge = " (staff)" if comment.is_staff_reply else ""
        where = (
            format_html("<br><small>{}</small>", comment.ip_address) if (comment.ip_address) else ""
        )
        if comment.parent_id:
            return format_html(
                "{}{}<br><small>{}</small>{}<br><small>↳ to {}: “{}”</small>",
                comment.name,
                badge,
                comment.email,
                where,
                comment.parent.name,
                Truncator(" ".join(comment.parent.body.split())).chars(60),
            )
        return format_html("{}{}<br><small>{}</small>{}", comment.name, badge, comment.email, where)

    @admin.display(description="History")
    def history(self, comment):
        counts = {
            status.value: getattr(comment, f"history_{status.value}", None) or 0
            for status in Comment.Status
        }
        return format_html(
            '<a href="{}?{}" title="Every comment from this address">{}</a>',
            self.url("changelist"),
            urlencode({"q": comment.email, "status": "all"}),
            moderation.history_text(counts),
        )

    @admin.display(description="Review", ordering="review__headline")
    def review_link(self, comment):
        return format_html(
            '<a href="{}?{}={}&amp;status=all" title="All comments on this review">{}</a>',
            self.url("changelist"),
            ReviewFilter.parameter_name,
            comment.review_id,
            comment.review,
        )

    @admin.display(description="Status, sent", ordering="submitted_at")
    def submitted(self, comment):
        # One narrow column (the queue's widest are the comment and its sender): the status,
        # then the date over the time.
        local = timezone.localtime(comment.submitted_at)
        return format_html(
            "{}<br><small>{}<br>{}</small>",
            comment.get_status_display(),
            date_format(local, "j M Y"),
            time_format(local, "H:i"),
        )

    @admin.display(description="Spam signals")
    def signals(self, comment):
        if not comment.spam_signals:
            return "—"
        return format_html_join(", ", "<code>{}</code>", ((s,) for s in comment.spam_signals))

    @admin.display(description="Decide")
    def row_actions(self, comment):
        # Buttons of the changelist's own form (it carries the CSRF token): each posts to
        # its decision's URL; delete asks to confirm there.
        return format_html_join(
            "",
            '<button type="submit" class="button comment-row-action comment-row-action--{}"'
            ' formaction="{}" aria-label="{} the comment by {}">{}</button>',
            (
                (decision, self.url("moderate", comment.pk, decision), label, comment.name, label)
                for decision, label in ROW_DECISIONS
                if decision != comment.status
                and not (decision == "spam" and comment.status == Comment.Status.SPAM)
            ),
        )

    @admin.display(description="Comment")
    def body_text(self, comment):
        # The body exactly as typed, escaped; line breaks kept.
        return format_html(
            '<div class="comment-body-text">{}</div>', linebreaksbr(comment.body, autoescape=True)
        )

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
        info = f"{self.model._meta.app_label}_{self.model._meta.model_name}"
        view = self.admin_site.admin_view

        def bound(function):
            def page(request, *args, **kwargs):
                return function(self, request, *args, **kwargs)

            return view(page)

        return [
            path("mail/", bound(commenters.mail_preference_view), name=f"{info}_mail"),
            path(
                "<path:object_id>/moderate/<str:decision>/",
                bound(comment_views.decide),
                name=f"{info}_moderate",
            ),
            path("<path:object_id>/reply/", view(self.reply_view), name=f"{info}_reply"),
            path("<path:object_id>/edit/", bound(comment_views.edit), name=f"{info}_edit"),
            path(
                "<path:object_id>/sender/<str:operation>/",
                bound(comment_views.sender),
                name=f"{info}_sender",
            ),
            *super().get_urls(),
        ]

    def url(self, name, *args):
        opts = self.model._meta
        return reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_{name}", args=args
        )

    def reply_view(self, request, object_id):
        comment = comment_views.comment_or_404(self, request, object_id)
        form = ReplyForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                reply = moderation.reply(comment, by=request.user, body=form.cleaned_data["body"])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    format_html(
                        'Your reply is published: <a href="{}">see it on the review page</a>.',
                        reply.get_absolute_url(),
                    ),
                )
                return HttpResponseRedirect(self.url("changelist"))
        return TemplateResponse(
            request,
            "admin/reviews/comment/reply.html",
            comment_views.context(
                self,
                request,
                title=f"Reply to {comment.name}",
                comment=comment,
                form=form,
                original=comment,
            ),
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
