"""Snippets as HTML: the text escaped, the matched words in <mark>.

The databases mark whole words only (FTS5's snippet() and PostgreSQL's ts_headline work on
tokens, stemmed forms included), between two private-use characters no review contains; the
text between them is escaped here, piece by piece, by format_html.
"""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from reviews.search.text import START, STOP


def highlighted(snippet: str) -> SafeString:
    """'a \\ue000word\\ue001 here' -> 'a <mark>word</mark> here', everything else escaped."""
    pieces = []
    for n, part in enumerate(snippet.split(START)):
        marked, _, rest = part.partition(STOP) if n else ("", "", part)
        if marked:
            pieces.append(("<mark>{}</mark>", marked))
        if rest:
            pieces.append(("{}", rest.replace(STOP, "")))
    return format_html_join("", "{}", ((format_html(template, text),) for template, text in pieces))
