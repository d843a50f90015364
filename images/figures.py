"""Library images in Markdown: a line `![[image:42]]` shows image 42 as a <figure>.

The reference is the whole of its line (the editor's "Image" button writes it as a paragraph of
its own). It renders as a <figure> holding the image's responsive <picture> (the renditions of
films/renditions.py, or the original while they are made), its alt text (empty, and presented as
such, for a decorative image) and a <figcaption> with its caption and credit. A reference to an
image that does not exist renders nothing.

reviews/markdown.py finds the references while it parses and puts the figures in after the
sanitiser ran (the sanitiser would strip <picture> and <source>): the figures are built here
with format_html from the image's fields, so everything in them is escaped.
"""

import re

from django.utils.html import format_html
from django.utils.safestring import SafeString

from films.templatetags.marquee import picture
from images.models import Image

REFERENCE = re.compile(r"!\[\[image:(\d{1,10})\]\]")
# The reading column (static/css/site.css: .prose) is at most 65ch, about 42rem.
SIZES = "(max-width: 45rem) calc(100vw - 2rem), 42rem"


def reference(pk: int) -> str:
    """The Markdown line that shows image `pk`."""
    return f"![[image:{pk}]]"


def referenced_ids(text: str | None) -> set[int]:
    """The ids of the images a Markdown text refers to (lines that are a reference)."""
    return {
        int(match[1])
        for line in (text or "").splitlines()
        if (match := REFERENCE.fullmatch(line.strip()))
    }


def figure(image) -> SafeString:
    """`image` (an images.Image) as a <figure> for a reading column."""
    caption = format_html(
        "<figcaption>{}{}</figcaption>",
        image.caption,
        format_html(
            '{}<small class="figure__credit">{}</small>', " " if image.caption else "", image.credit
        )
        if image.credit
        else "",
    )
    return format_html(
        '<figure class="figure">{}{}</figure>',
        picture(
            image,
            "file",
            alt=image.alt_text,
            sizes=SIZES,
            css_class="figure__image",
            decorative=image.decorative,
        ),
        caption if image.caption or image.credit else "",
    )


def figures(ids) -> dict[int, SafeString]:
    """The figures of the images with these ids that exist, by id, in one query."""
    return {pk: figure(image) for pk, image in Image.objects.in_bulk(set(ids)).items()}
