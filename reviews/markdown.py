"""The one Markdown renderer: saved HTML and markdownx's live preview both come from here.

Markdown is converted with Python-Markdown, then sanitised by nh3 (ammonia) against an
allow-list, so no script, event handler, style or `javascript:` URL survives.

Headings are shifted two levels down (`#` → h3, `##` → h4, …, capped at h6): a review page
owns h1 (the headline) and h2 (the section headings), so the text's own headings nest below.

Readers' comments are plain text, never Markdown: `render_plain` escapes them and links URLs.
"""

import xml.etree.ElementTree as etree

import markdown as md
import nh3
from django.utils.html import urlize
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "cite", "code", "dd", "del", "dl", "dt", "em",
    "figcaption", "figure", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li",
    "mark", "ol", "p", "pre", "q", "s", "small", "strong", "sub", "sup", "table", "tbody",
    "td", "tfoot", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align"},
    "th": {"align"},
    "ol": {"start"},
    "q": {"cite"},
    "blockquote": {"cite"},
}
URL_SCHEMES = {"http", "https", "mailto"}

HEADING_SHIFT = 2
HEADING_TAGS = {f"h{n}": f"h{min(n + HEADING_SHIFT, 6)}" for n in range(1, 7)}


class _ShiftHeadings(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            if element.tag in HEADING_TAGS:
                element.tag = HEADING_TAGS[element.tag]


class ShiftHeadingsExtension(Extension):
    """Render `#` as h3, `##` as h4 and so on, keeping the heading's text."""

    def extendMarkdown(self, md_instance: md.Markdown) -> None:
        # Low priority: run after the block parser and the inline patterns built the tree.
        md_instance.treeprocessors.register(_ShiftHeadings(md_instance), "shift_headings", 1)


EXTENSIONS = ["extra", "sane_lists", "smarty", ShiftHeadingsExtension()]


def render(text: str | None) -> str:
    """Render Markdown to sanitised HTML (an empty string for empty text)."""
    if not text:
        return ""
    html = md.markdown(text, extensions=EXTENSIONS, output_format="html")
    # Raw HTML in the text (`<h1>`, `<script>`, `<img onerror=…>`) bypasses Markdown's tree and
    # is handled here: tags off the allow-list are dropped (script and style with their
    # content), attributes off the list are removed, and URLs must be http(s), mailto or
    # relative.
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()


def render_plain(text: str) -> str:
    """Plain text → HTML: everything escaped, line breaks kept, URLs linked (nofollow ugc)."""
    linked = urlize(text, nofollow=True, autoescape=True)
    linked = linked.replace('rel="nofollow"', 'rel="nofollow ugc noopener"')
    return linked.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")
