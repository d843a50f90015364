"""Template tags for reader comments.

The thread is written by `comment_thread` in Python rather than by a recursive `{% include %}`:
a busy review shows dozens of comments, and an include per comment was a third of the review
page's rendering time. Every value goes through format_html, so names and bodies are escaped.
"""

from django import template
from django.template.defaultfilters import date as format_date
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime

from reviews.comments import render_body

register = template.Library()


def _comment(comment, *, can_reply: bool, max_depth: int) -> SafeString:
    pk = comment.pk
    submitted = template_localtime(comment.submitted_at)  # as {{ value|date }} would show it
    badge = mark_safe(' <span class="comment__badge">Marquee staff</span>') \
        if comment.is_staff_reply else ""
    reply = format_html(
        '<p class="comment__actions"><a class="comment__reply" href="?reply_to={}#comment-form" '
        'aria-label="Reply to {}">Reply</a></p>', pk, comment.name,
    ) if can_reply and comment.depth is not None and comment.depth < max_depth else ""
    children = format_html(
        '<ol class="comment-list comment-list--replies">{}</ol>',
        _thread(comment.children, can_reply=can_reply, max_depth=max_depth),
    ) if comment.children else ""
    return format_html(
        '<li class="comment{}" id="comment-{}">'
        '<article class="comment__card" aria-labelledby="comment-{}-author">'
        '<header class="comment__meta">'
        '<p class="comment__author" id="comment-{}-author">{}{}</p>'
        '<a class="comment__permalink" href="#comment-{}"><time datetime="{}">{}</time></a>'
        "</header>"
        '<div class="comment__text">{}</div>{}</article>{}</li>',
        " comment--staff" if comment.is_staff_reply else "", pk, pk, pk, comment.name, badge,
        pk, format_date(submitted, "c"), format_date(submitted, "j F Y, H:i"),
        render_body(comment.body), reply,
        children,
    )


def _thread(comments, **options) -> SafeString:
    return format_html_join("", "{}", ((_comment(c, **options),) for c in comments))


@register.simple_tag(takes_context=True)
def comment_thread(context, roots) -> SafeString:
    """The approved comments as nested lists (`roots` from reviews.comments.build_tree)."""
    return _thread(roots, can_reply=bool(context.get("comments_open")),
                   max_depth=context.get("comment_max_depth", 0))
