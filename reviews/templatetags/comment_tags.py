"""Template filters for reader comments."""

from django import template

from reviews.comments import render_body

register = template.Library()


@register.filter(is_safe=True)
def comment_html(text) -> str:
    """A comment's plain-text body as safe HTML: escaped, line breaks kept, URLs linked."""
    return render_body(str(text))
