"""Template tags for reader comments.

The thread is written by `comment_thread` in Python rather than by a recursive `{% include %}`:
a busy review shows dozens of comments, and an include per comment was a third of the review
page's rendering time. Names are escaped here; bodies were escaped when the comment was saved
(`Comment.body_html`).
"""

from django import template
from django.utils.dates import MONTHS
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import get_current_timezone

register = template.Library()

STAFF_BADGE = ' <span class="comment__badge">Marquee staff</span>'


class _Dates:
    """Dates as {{ value|date:"j F Y, H:i" }} shows them, without the filter's parsing.

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
        return f"{local.day} {month} {local.year}, {local:%H:%M}"


def _comment(comment, *, can_reply: bool, max_depth: int, dates: _Dates) -> str:
    pk, name = comment.pk, escape(comment.name)
    submitted = dates.local(comment.submitted_at)
    reply = (
        f'<p class="comment__actions"><a class="comment__reply" href="?reply_to={pk}'
        f'#comment-form" aria-label="Reply to {name}">Reply</a></p>'
        if can_reply and comment.depth is not None and comment.depth < max_depth else ""
    )
    children = (
        '<ol class="comment-list comment-list--replies">'
        f"{_thread(comment.children, can_reply=can_reply, max_depth=max_depth, dates=dates)}"
        "</ol>" if comment.children else ""
    )
    return (
        f'<li class="comment{" comment--staff" if comment.is_staff_reply else ""}"'
        f' id="comment-{pk}"><article class="comment__card" aria-labelledby="comment-{pk}-author">'
        f'<header class="comment__meta"><p class="comment__author" id="comment-{pk}-author">'
        f'{name}{STAFF_BADGE if comment.is_staff_reply else ""}</p>'
        f'<a class="comment__permalink" href="#comment-{pk}"><time datetime="'
        f'{submitted.isoformat()}">{dates.shown(submitted)}</time></a></header>'
        f'<div class="comment__text">{comment.body_html}</div>{reply}</article>{children}</li>'
    )


def _thread(comments, **options) -> str:
    return "".join(_comment(c, **options) for c in comments)


@register.simple_tag(takes_context=True)
def comment_thread(context, roots) -> SafeString:
    """The approved comments as nested lists (`roots` from reviews.comments.build_tree)."""
    html = _thread(roots, can_reply=bool(context.get("comments_open")),
                   max_depth=context.get("comment_max_depth", 0), dates=_Dates())
    return mark_safe(html)  # noqa: S308 (names escaped above, bodies escaped when saved)
