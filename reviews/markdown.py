"""The one Markdown renderer: saved HTML and markdownx's live preview both come from here.

Markdown is converted with Python-Markdown, then sanitised by nh3 (ammonia) against an
allow-list, so no script, event handler, style or `javascript:` URL survives.

Headings are shifted two levels down (`#` → h3, `##` → h4, …, capped at h6): a review page
owns h1 (the headline) and h2 (the section headings), so the text's own headings nest below.

Footnotes (`text[^1]` … `[^1]: note`) keep their links: their ids are rewritten to
`fn-<digest>-<name>` / `fnref-<digest>-<name>`, where the digest comes from the text, so two
sections on one page never share an id; the sanitiser keeps ids of that form and no other.

Readers' comments are plain text, never Markdown: `render_plain` escapes them and links URLs.
"""

import hashlib
import re
import xml.etree.ElementTree as etree

import markdown as md
import nh3
from django.utils.html import urlize
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "cite", "code", "dd", "del", "div", "dl", "dt", "em",
    "figcaption", "figure", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li",
    "mark", "ol", "p", "pre", "q", "s", "small", "strong", "sub", "sup", "table", "tbody",
    "td", "tfoot", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "sup": {"id"},
    "li": {"id"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align"},
    "th": {"align"},
    "ol": {"start"},
    "q": {"cite"},
    "blockquote": {"cite"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# Footnotes' markup: the only classes and ids that survive the sanitiser.
ALLOWED_CLASSES = {"div": {"footnote"}, "a": {"footnote-ref", "footnote-backref"}}
FOOTNOTE_ID = re.compile(r"fn(ref)?-[0-9a-f]{8}-[\w-]{1,64}")

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


class _FootnoteIds(Treeprocessor):
    def __init__(self, md_instance, digest: str):
        super().__init__(md_instance)
        self.digest = digest

    def rename(self, value: str) -> str:
        kind, _, name = value.partition(":")
        return f"{kind}-{self.digest}-{re.sub(r'[^\w-]', '-', name)[:64]}"

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            if element.get("id", "").startswith(("fn:", "fnref:")):
                element.set("id", self.rename(element.get("id")))
            href = element.get("href", "")
            if href.startswith(("#fn:", "#fnref:")):
                element.set("href", "#" + self.rename(href[1:]))


class FootnoteIdsExtension(Extension):
    """Give footnotes ids that are unique to this text and of a form the sanitiser keeps."""

    def __init__(self, text: str):
        super().__init__()
        self.digest = hashlib.blake2s(text.encode(), digest_size=4).hexdigest()

    def extendMarkdown(self, md_instance: md.Markdown) -> None:
        # After the footnotes extension's own tree processor (priority 50) made them.
        md_instance.treeprocessors.register(
            _FootnoteIds(md_instance, self.digest), "footnote_ids", 2)


EXTENSIONS = ["extra", "sane_lists", "smarty", ShiftHeadingsExtension()]


def _keep_footnote_ids(element: str, attribute: str, value: str) -> str | None:
    if attribute == "id":
        return value if FOOTNOTE_ID.fullmatch(value) else None
    return value


def render(text: str | None) -> str:
    """Render Markdown to sanitised HTML (an empty string for empty text)."""
    if not text:
        return ""
    html = md.markdown(
        text, extensions=[*EXTENSIONS, FootnoteIdsExtension(text)], output_format="html")
    # Raw HTML in the text (`<h1>`, `<script>`, `<img onerror=…>`) bypasses Markdown's tree and
    # is handled here: tags off the allow-list are dropped (script and style with their
    # content), attributes off the list are removed, and URLs must be http(s), mailto or
    # relative.
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        attribute_filter=_keep_footnote_ids,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()


def render_plain(text: str) -> str:
    """Plain text → HTML: everything escaped, line breaks kept, URLs linked (nofollow ugc)."""
    linked = urlize(text, nofollow=True, autoescape=True)
    linked = linked.replace('rel="nofollow"', 'rel="nofollow ugc noopener"')
    return linked.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")
