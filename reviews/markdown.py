"""The one Markdown renderer: saved HTML and markdownx's live preview both come from here.

Markdown is converted with Python-Markdown, then sanitised by nh3 (ammonia) against an
allow-list, so no script, event handler, style or `javascript:` URL survives.

Headings are shifted two levels down (`#` → h3, `##` → h4, …, capped at h6): a review page
owns h1 (the headline) and h2 (the section headings), so the text's own headings nest below.

Footnotes (`text[^1]` … `[^1]: note`) keep their links: their ids are rewritten to
`fn-<digest>-<name>` / `fnref-<digest>-<name>`, where the digest comes from the text, so two
sections on one page never share an id; the sanitiser keeps ids of that form and no other.

Lines starting `>!` are a spoiler: a closed "Spoiler" disclosure (<details class="spoiler">),
as a section marked spoiler is, opened by the reader.

A line `![[image:42]]` shows image 42 of the library as a <figure> (images/figures.py); the
figures are put in after the sanitiser, so no author's HTML can pass for one.

Readers' comments are plain text, never Markdown: `render_plain` escapes them and links URLs.
`description` takes a review's description (page meta, JSON-LD, a pre-publish check) from the
rendered HTML.
"""

import hashlib
import re
import secrets
import xml.etree.ElementTree as etree

import markdown as md
import nh3
from django.utils.html import format_html, urlize
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from images import figures

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "cite",
    "code",
    "dd",
    "del",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "small",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
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
# Footnotes' and spoilers' markup: the only classes and ids that survive the sanitiser.
ALLOWED_CLASSES = {
    "div": {"footnote", "spoiler__body"},
    "a": {"footnote-ref", "footnote-backref"},
    "details": {"spoiler"},
}
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
            _FootnoteIds(md_instance, self.digest), "footnote_ids", 2
        )


class _ImageReferences(BlockProcessor):
    """A paragraph made only of `![[image:N]]` lines becomes one marker paragraph per image."""

    def __init__(self, parser, marker: str):
        super().__init__(parser)
        self.marker = marker

    def test(self, parent, block) -> bool:
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        return bool(lines) and all(figures.REFERENCE.fullmatch(line) for line in lines)

    def run(self, parent, blocks) -> None:
        for line in blocks.pop(0).split("\n"):
            if match := figures.REFERENCE.fullmatch(line.strip()):
                paragraph = etree.SubElement(parent, "p")
                paragraph.text = AtomicString(f"{self.marker}-{match[1]}")


class ImageReferencesExtension(Extension):
    """Mark where library images go with a marker no text can guess (new for each render)."""

    def __init__(self):
        super().__init__()
        self.marker = f"marquee-figure-{secrets.token_hex(8)}"

    def extendMarkdown(self, md_instance: md.Markdown) -> None:
        # Before paragraphs (10), after indented code (80): a reference in code stays code.
        md_instance.parser.blockprocessors.register(
            _ImageReferences(md_instance.parser, self.marker), "image_references", 15
        )

    def put_figures(self, html: str) -> str:
        """Replace the marker paragraphs in sanitised HTML with the images' figures."""
        pattern = re.compile(rf"<p>{self.marker}-(\d+)</p>")
        ids = {int(pk) for pk in pattern.findall(html)}
        if not ids:
            return html
        shown = figures.figures(ids)
        return pattern.sub(lambda match: shown.get(int(match[1]), ""), html)


class _Spoilers(BlockProcessor):
    """Lines starting `>!` (a blank line and more `>!` lines continue it) become a spoiler."""

    PREFIX = re.compile(r"^>! ?", re.MULTILINE)

    def test(self, parent, block) -> bool:
        return block.startswith(">!")

    def run(self, parent, blocks) -> None:
        text = self.PREFIX.sub("", blocks.pop(0))
        last = self.lastChild(parent)
        if last is not None and last.tag == "details" and last.get("class") == "spoiler":
            body = last[-1]  # the spoiler just before, with a blank line between
        else:
            details = etree.SubElement(parent, "details", {"class": "spoiler"})
            etree.SubElement(details, "summary").text = "Spoiler"
            body = etree.SubElement(details, "div", {"class": "spoiler__body"})
        self.parser.parseChunk(body, text)


class SpoilerExtension(Extension):
    def extendMarkdown(self, md_instance: md.Markdown) -> None:
        # Before block quotes (20): `>!` is a spoiler, not a quote starting with "!".
        md_instance.parser.blockprocessors.register(_Spoilers(md_instance.parser), "spoilers", 21)


# A rendered spoiler, whole: its summary and what it hides.
SPOILER = re.compile(r'<details class="spoiler">.*?</details>', re.DOTALL)


def without_spoilers(html: str, instead: str = "") -> str:
    """Text rendered here with its spoilers taken out (or each replaced by `instead`): for what
    tells of a review outside its page (description, search, feeds), where no reader chose to
    open them."""
    return SPOILER.sub(instead, html or "")


EXTENSIONS = ["extra", "sane_lists", "smarty", ShiftHeadingsExtension(), SpoilerExtension()]


def _keep_footnote_ids(element: str, attribute: str, value: str) -> str | None:
    if attribute == "id":
        return value if FOOTNOTE_ID.fullmatch(value) else None
    return value


# How deep a line of Markdown may nest. Python-Markdown matches brackets in quadratic time (5,000
# nested "[" took 33 s) and recurses once per nested list item (1,000 exhausted the stack); no
# review nests anything past a handful of levels.
MAX_NESTING = 32
MAX_DELIMITER_RUN = 64
_LEADING_MARKERS = re.compile(r"^(?:\s*(?:[-*+>]|\d{1,9}[.)])(?=\s|>|$))+")
_DELIMITER_RUN = re.compile(rf"[*_~]{{{MAX_DELIMITER_RUN + 1},}}")
_TAG = re.compile(r"<(/?)[A-Za-z][^<>]*?(/?)>")


def nesting_problem(line: str) -> str | None:
    """What nests too deeply in this line of Markdown, or None: brackets, lists, quotes, tags."""
    markers = _LEADING_MARKERS.match(line)
    if markers and len(re.findall(r"[-*+>]|\d+[.)]", markers[0])) > MAX_NESTING:
        return f"lists or quotes nested more than {MAX_NESTING} deep"
    depth = deepest = 0
    for char in line:
        if char in "[(":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "])" and depth:
            depth -= 1
    if deepest > MAX_NESTING:
        return f"brackets nested {deepest} deep (at most {MAX_NESTING})"
    if _DELIMITER_RUN.search(line):
        return f"emphasis marks (* _ ~) nested in a run of more than {MAX_DELIMITER_RUN}"
    depth = deepest = 0
    for closing, self_closing in _TAG.findall(line):
        depth += -1 if closing else 0 if self_closing else 1
        deepest = max(deepest, depth)
    if deepest > MAX_NESTING:
        return f"HTML tags nested {deepest} deep (at most {MAX_NESTING})"
    return None


def render(text: str | None) -> str:
    """Render Markdown to sanitised HTML (an empty string for empty text).

    Text that nests too deeply for the Markdown parser (see nesting_problem) is shown as plain
    paragraphs instead: never a page that hangs or fails on a hostile text.
    """
    if not text:
        return ""
    if any(nesting_problem(line) for line in text.splitlines()):
        return "\n".join(
            format_html("<p>{}</p>", paragraph) for paragraph in re.split(r"\n\s*\n", text)
        )
    images = ImageReferencesExtension()
    html = md.markdown(
        text, extensions=[*EXTENSIONS, FootnoteIdsExtension(text), images], output_format="html"
    )
    # Raw HTML in the text (`<h1>`, `<script>`, `<img onerror=…>`) bypasses Markdown's tree and
    # is handled here: tags off the allow-list are dropped (script and style with their
    # content), attributes off the list are removed, and URLs must be http(s), mailto or
    # relative.
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        attribute_filter=_keep_footnote_ids,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()
    return images.put_figures(clean)


def render_plain(text: str) -> str:
    """Plain text → HTML: everything escaped, line breaks kept, URLs linked (nofollow ugc)."""
    linked = urlize(text, nofollow=True, autoescape=True)
    linked = linked.replace('rel="nofollow"', 'rel="nofollow ugc noopener"')
    return linked.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")
