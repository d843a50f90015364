"""Markdown rendering: what readers get is sanitised, and the editor's preview is the same HTML.

Each hostile input is checked where it ends up: a section's saved body_html, a review's saved
intro_html, and the markdownx preview endpoint an editor's browser calls.
"""

import re

import pytest
from django.urls import reverse

from reviews.markdown import render
from tests.factories import ReviewFactory, SectionFactory, user_in_group

pytestmark = pytest.mark.django_db

# (Markdown an author might paste, strings that must not survive, text that must survive)
HOSTILE = {
    "script tag": (
        "<script>alert('owned')</script>Plain words",
        ["<script", "alert"],
        "Plain words",
    ),
    "style tag": (
        "<style>body { display: none }</style>Styled words",
        ["<style", "display"],
        "Styled words",
    ),
    "iframe": (
        '<iframe src="https://evil.example/"></iframe>Framed words',
        ["<iframe", "evil"],
        "Framed words",
    ),
    "img onerror": ("<img src=x onerror=alert(1)>", ["onerror", "alert"], '<img src="x">'),
    "onclick": ('<p onclick="steal()">Click me</p>', ["onclick", "steal"], "Click me"),
    "svg onload": (
        '<svg onload="alert(1)"><circle r="1"/></svg>Shapes',
        ["onload", "<svg"],
        "Shapes",
    ),
    "html javascript link": (
        '<a href="javascript:alert(1)">raw link</a>',
        ["javascript", "href"],
        "raw link",
    ),
    "markdown javascript link": (
        "[md link](javascript:alert(1))",
        ["javascript", "href"],
        "md link",
    ),
    "mixed case": ("[mixed](JaVaScRiPt:alert(1))", ["javascript", "href"], "mixed"),
    "tab entity in html": (
        '<a href="jav&#x09;ascript:alert(1)">tab</a>',
        ["ascript", "href"],
        "tab",
    ),
    "tab entity in markdown": (
        "[tabbed](jav&#x09;ascript:alert(1))",
        ["ascript", "href"],
        "tabbed",
    ),
    "decimal entity": (
        '<a href="&#106;avascript:alert(1)">entity</a>',
        ["avascript", "href"],
        "entity",
    ),
    "colon entity": (
        '<a href="javascript&colon;alert(1)">colon</a>',
        ["javascript", "href"],
        "colon",
    ),
    "leading space": ("[spaced]( javascript:alert(1))", ["javascript", "href"], "spaced"),
    "reference link": (
        "[ref link][evil]\n\n[evil]: javascript:alert(1)",
        ["javascript", "href"],
        "ref link",
    ),
    "data image": (
        "![pixel](data:image/svg+xml;base64,PHN2Zz4=)",
        ["data:", "src="],
        'alt="pixel"',
    ),
    "data link": (
        "[download](data:text/html,<script>alert(1)</script>)",
        ["data:", "<script"],
        "download",
    ),
    "vbscript link": ("[vb](vbscript:msgbox(1))", ["vbscript", "href"], "vb"),
    "style attribute": (
        '<span style="position:fixed">Fixed</span>',
        ["style", "position"],
        "Fixed",
    ),
}


@pytest.fixture
def preview(client):
    """POST to the markdownx preview as a signed-in editor; returns the HTML it answers."""
    client.force_login(user_in_group("Writers"))

    def _preview(text: str) -> str:
        response = client.post(reverse("markdownx_markdownify"), {"content": text})
        assert response.status_code == 200
        return response.content.decode()

    return _preview


def assert_clean(html: str, forbidden: list[str], kept: str) -> None:
    for needle in forbidden:
        assert needle.lower() not in html.lower(), f"{needle!r} survived in {html!r}"
    assert kept in html


@pytest.mark.parametrize(("text", "forbidden", "kept"), HOSTILE.values(), ids=HOSTILE.keys())
def test_saved_section_html_is_sanitised(text, forbidden, kept):
    section = SectionFactory(body=text)
    section.refresh_from_db()
    assert_clean(section.body_html, forbidden, kept)


@pytest.mark.parametrize(("text", "forbidden", "kept"), HOSTILE.values(), ids=HOSTILE.keys())
def test_saved_review_intro_is_sanitised(text, forbidden, kept):
    review = ReviewFactory(intro=text)
    review.refresh_from_db()
    assert_clean(review.intro_html, forbidden, kept)


@pytest.mark.parametrize(("text", "forbidden", "kept"), HOSTILE.values(), ids=HOSTILE.keys())
def test_editor_preview_is_sanitised_and_equals_the_saved_html(preview, text, forbidden, kept):
    html = preview(text)
    assert_clean(html, forbidden, kept)
    assert html == SectionFactory(body=text).body_html


def test_ordinary_markdown_survives_sanitising(preview):
    text = (
        "A *Wick* film with **style**.\n\n"
        '[Read more](https://example.com/wick "Wick") or [ask](mailto:ed@example.com).\n\n'
        "![Eve Macarro](/media/uploads/eve.png)\n\n"
        "> A quote\n\n- one\n- two\n\n`code`"
    )
    section = SectionFactory(body=text)
    html = section.body_html
    assert "<em>Wick</em>" in html
    assert "<strong>style</strong>" in html
    assert (
        '<a href="https://example.com/wick" title="Wick" rel="noopener noreferrer">Read more</a>'
        in html
    )
    assert 'href="mailto:ed@example.com"' in html
    assert '<img alt="Eve Macarro" src="/media/uploads/eve.png">' in html
    assert "<blockquote>" in html
    assert "<li>one</li>" in html
    assert "<code>code</code>" in html
    assert preview(text) == html


def test_headings_are_shifted_below_the_pages_own_h1_and_h2(preview):
    text = (
        "# Plot\n\nWords.\n\n## The house\n\n### Detail\n\n#### Small\n\n##### Smaller\n\n"
        "Setext one\n==========\n\nSetext two\n----------\n"
    )
    section = SectionFactory(body=text)
    html = section.body_html
    assert "<h1" not in html
    assert "<h2" not in html
    for tag, words in [
        ("h3", "Plot"),
        ("h4", "The house"),
        ("h5", "Detail"),
        ("h6", "Small"),
        ("h6", "Smaller"),
        ("h3", "Setext one"),
        ("h4", "Setext two"),
    ]:
        assert f"<{tag}>{words}</{tag}>" in html
    assert "<p>Words.</p>" in html
    assert preview(text) == html


def test_intro_headings_are_shifted_too():
    review = ReviewFactory(intro="# Verdict first\n\nThen the words.")
    assert review.intro_html == "<h3>Verdict first</h3>\n<p>Then the words.</p>"


def test_raw_html_headings_keep_their_text():
    assert "Shouted" in render("<h1>Shouted</h1>")
    assert "<h1" not in render("<h1>Shouted</h1>")


@pytest.mark.parametrize("empty", [None, ""])
def test_empty_text_renders_nothing(empty):
    assert render(empty) == ""


# Footnotes --------------------------------------------------------------------------------

FOOTNOTED = (
    "Wick's grief[^1] drives it, as does Eve's[^eve].\n\n[^1]: See the first film.\n"
    "[^eve]: Ana de Armas, in the title role."
)


def anchors(html: str) -> tuple[set[str], set[str]]:
    ids = set(re.findall(r'\sid="([^"]+)"', html))
    targets = set(re.findall(r'href="#([^"]+)"', html))
    return ids, targets


def test_footnotes_link_to_their_notes_and_back():
    html = render(FOOTNOTED)
    ids, targets = anchors(html)
    assert len(targets) == 4  # two references and two back links
    assert targets <= ids  # every link lands somewhere
    assert '<div class="footnote">' in html
    assert "See the first film." in html
    assert "Ana de Armas" in html


def test_two_sections_footnotes_never_share_an_id():
    review = ReviewFactory(intro=FOOTNOTED)
    first = SectionFactory(review=review, heading="One", body="Plot[^1]\n\n[^1]: A plot note.")
    second = SectionFactory(review=review, heading="Two", body="Cast[^1]\n\n[^1]: A cast note.")
    page_ids = [anchors(html)[0] for html in (review.intro_html, first.body_html, second.body_html)]
    assert not (page_ids[0] & page_ids[1])
    assert not (page_ids[1] & page_ids[2])


@pytest.mark.parametrize(
    "raw",
    [
        '<p id="csrfmiddlewaretoken">clobber</p>',
        '<img id="__proto__" src="x.png">',
        '<span class="footnote" id="fn:1">spoof</span>',
        '<div class="admin-only" onclick="x()">d</div>',
    ],
)
def test_the_sanitiser_keeps_only_footnote_ids_and_classes(raw):
    html = render(raw)
    assert "csrfmiddlewaretoken" not in html
    assert "__proto__" not in html
    assert 'id="fn:1"' not in html
    assert "admin-only" not in html
    assert "onclick" not in html


def test_the_preview_shows_working_footnotes_too(preview):
    html = preview(FOOTNOTED)
    assert html == render(FOOTNOTED)
    ids, targets = anchors(html)
    assert targets
    assert targets <= ids


def test_spoiler_lines_become_a_closed_disclosure_on_the_page(client):
    text = (
        "Eve wins.\n\n>! The *ending*: she\n>! walks into the snow.\n>!\n>! Nobody follows."
        "\n\nAfter."
    )
    html = render(text)
    assert html.startswith(
        '<p>Eve wins.</p>\n<details class="spoiler">\n<summary>Spoiler</summary>'
    )
    assert '<div class="spoiler__body">\n<p>The <em>ending</em>: she\nwalks' in html
    assert "<p>Nobody follows.</p>\n</div>\n</details>\n<p>After.</p>" in html
    assert "<blockquote>" not in html  # `>!` is not a quote; `>` still is
    assert "<blockquote>" in render("> A quote.")
    # Only this markup keeps its class; an author's own details stays closed and inert.
    raw = render('<details class="spoiler other" open onclick="x()"><summary>S</summary></details>')
    assert "open" not in raw
    assert "onclick" not in raw
    assert "other" not in raw

    review = ReviewFactory(published=True, intro=text)
    page = client.get(review.get_absolute_url()).content.decode()
    assert '<details class="spoiler">' in page
    assert '<details class="spoiler" open' not in page


def test_what_a_spoiler_hides_is_never_the_description():
    from reviews.seo import derived_description

    review = ReviewFactory(intro=">! The killer is the butler.\n\nA tidy whodunnit.")
    assert derived_description(review) == "A tidy whodunnit."
    hidden = ReviewFactory(intro="")
    SectionFactory(review=hidden, heading="Ending", body="The butler did it.", is_spoiler=True)
    SectionFactory(review=hidden, heading="Cast", body="A fine cast.", position=2)
    assert derived_description(hidden) == "A fine cast."
