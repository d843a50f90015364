"""Template tags for reader comments.

The thread is written by `thread_html` in Python rather than by a recursive `{% include %}`:
a busy review shows dozens of comments, and an include per comment was a third of the review
page's rendering time. Built with format_html: names are escaped here; bodies were escaped when
the comment was saved (`Comment.body_html`).
"""

from django import template
from django.utils.dates import MONTHS
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import get_current_timezone

from reviews.comments import NotShown
from reviews.views.comment_outcomes import receipt_in

register = template.Library()


class _Dates:
    """Dates as {{ value|date:"j F Y, H:i T" }} shows them, without the filter's parsing.

    The time zone and the month names (translations, each looked up on use) are fetched once
    per thread rather than once per comment.
    """

    def __init__(self):
        self.zone = get_current_timezone()
        self.months = {}

    def local(self, moment):
        return moment.astimezone(self.zone)

    def shown(self, local) -> str:
        month = self.months.get(local.month)
        if month is None:
            month = self.months[local.month] = str(MONTHS[local.month])
        return f"{local.day} {month} {local.year}, {local:%H:%M} {local.tzname()}"


def _comment(comment, *, can_reply: bool, max_depth: int, dates: _Dates) -> SafeString:
    pk, submitted = comment.pk, dates.local(comment.submitted_at)
    reply = (
        format_html(
            '<p class="comment__actions"><a class="comment__reply" href="?reply_to={}#comment-form"'
            ' aria-label="Reply to {}">Reply</a></p>',
            pk,
            comment.name,
        )
        if can_reply and comment.depth is not None and comment.depth < max_depth
        else ""
    )
    children = (
        format_html(
            '<ol class="comment-list comment-list--replies">{}</ol>',
            _thread(comment.children, can_reply=can_reply, max_depth=max_depth, dates=dates),
        )
        if comment.children
        else ""
    )
    return format_html(
        '<li class="comment{}" id="comment-{}"><article class="comment__card"'
        ' aria-labelledby="comment-{}-author"><header class="comment__meta">'
        '<p class="comment__author" id="comment-{}-author"><bdi>{}</bdi>{}</p>'
        '<a class="comment__permalink" href="#comment-{}"><time datetime="{}">{}</time></a>'
        '</header><div class="comment__text" dir="auto">{}</div>{}</article>{}</li>',
        " comment--staff" if comment.is_staff_reply else "",
        pk,
        pk,
        pk,
        comment.name,
        format_html(' <span class="comment__badge">{}</span>', "Marquee staff")
        if comment.is_staff_reply
        else "",
        pk,
        submitted.isoformat(),
        dates.shown(submitted),
        mark_safe(comment.body_html),  # noqa: S308 (escaped when the comment was saved)
        reply,
        children,
    )


def _not_shown(node, **options) -> SafeString:
    return format_html(
        '<li class="comment comment--not-shown" id="comment-{}"><p class="comment__not-shown">'
        'This comment is no longer shown.</p><ol class="comment-list comment-list--replies">{}'
        "</ol></li>",
        node.pk,
        _thread(node.children, **options),
    )


def _thread(comments, **options) -> SafeString:
    return format_html_join(
        "",
        "{}",
        (((_not_shown if isinstance(c, NotShown) else _comment)(c, **options),) for c in comments),
    )


def thread_html(roots, *, can_reply: bool, max_depth: int) -> SafeString:
    """The approved comments as nested lists (`roots` from reviews.comments.build_tree), in the
    current time zone; cached by the review page (reviews/views/review_page.py: `thread`)."""
    return _thread(roots, can_reply=can_reply, max_depth=max_depth, dates=_Dates())


@register.filter
def comment_receipt(tags: str) -> str:
    """The poster's receipt a comment outcome message carries in its tags ("" for none)."""
    return receipt_in(tags)
