"""The comment queue's list: its filters and columns.

The queue opens on pending comments (StatusFilter), filters by the reviews with the most pending
comments (ReviewFilter) and by who wrote them (WrittenByFilter), and shows each comment with its
decision buttons, its sender and how that sender's earlier comments were decided, counted in the
list's own statement.
"""

from django.contrib import admin
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.template.defaultfilters import linebreaksbr
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.text import Truncator

from reviews import moderation
from reviews.models import Comment, Review

ROW_DECISIONS = [
    ("approve", "Approve"),
    ("reject", "Reject"),
    ("spam", "Spam"),
    ("delete", "Delete"),
]
# The status a decision leaves: a row offers no decision its comment already has.
DECIDES = {
    "approve": Comment.Status.APPROVED,
    "reject": Comment.Status.REJECTED,
    "spam": Comment.Status.SPAM,
}


class StatusFilter(admin.SimpleListFilter):
    """Opens on the queue: pending comments, unless another status (or all) is chosen."""

    title = "status"
    parameter_name = "status"
    ALL = "all"
    HELD = "held"  # spam by a content filter, no moderator has decided yet (Comment.held)

    def lookups(self, request, model_admin):
        return [
            (Comment.Status.PENDING, "Pending (the queue)"),
            (self.HELD, "Held by the spam filter"),
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
        if self.value() == self.HELD:
            return queryset.held()
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


class WrittenByFilter(admin.SimpleListFilter):
    """Staff replies or readers' comments, under a title that reads as English ("By author"):
    the boolean field's own filter would be headed "By is staff reply"."""

    title = "author"
    parameter_name = "written_by"
    STAFF = "staff"
    READERS = "readers"

    def lookups(self, request, model_admin):
        return [(self.STAFF, "Staff (replies)"), (self.READERS, "Readers")]

    def queryset(self, request, queryset):
        if self.value() == self.STAFF:
            return queryset.filter(is_staff_reply=True)
        if self.value() == self.READERS:
            return queryset.filter(is_staff_reply=False)
        return queryset


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


class CommentColumns:
    """The queue's columns and the change page's read-only fields (a mixin of CommentAdmin,
    whose `url()` they link with)."""

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
        # its decision's URL; delete asks to confirm there. Their ids are where the queue puts
        # the focus when it comes back (comment-queue.js): the row's first button, back from
        # a decision on the row before it; the button pressed, back from "No, take me back".
        decisions = [
            (decision, label)
            for decision, label in ROW_DECISIONS
            if DECIDES.get(decision) != comment.status
        ]
        return format_html_join(
            "",
            '<button type="submit" class="button comment-row-action comment-row-action--{}"'
            ' id="decide-{}-{}" formaction="{}" aria-label="{} the comment by {}">{}</button>',
            (
                (
                    decision,
                    comment.pk,
                    decision,
                    self.url("moderate", comment.pk, decision),
                    label,
                    comment.name,
                    label,
                )
                for decision, label in decisions
            ),
        )

    @admin.display(description="E-mail the author")
    def notify_choice(self, comment):
        # In words that match the choice: the field's help text ("The author asked to hear…")
        # stood next to a ✗ when they had not asked.
        if comment.notify:
            return "Yes: the author asked to hear when it is published or answered."
        return "No: the author did not ask to hear about it."

    @admin.display(description="Comment")
    def body_text(self, comment):
        # The body exactly as typed, escaped; line breaks kept.
        return format_html(
            '<div class="comment-body-text">{}</div>', linebreaksbr(comment.body, autoescape=True)
        )
