"""Pre-publish checks: what a review must have before it goes live, and what it should.

`Review.publish()` (and so Publish, Schedule, the bulk action and `import_review --publish`)
and `Review.publish_changes()` run them in the workflow step itself: a *blocking* check refuses
the step with a ValidationError naming what to fix, whatever route took it. *Warnings* are
shown on the change page before Publish and Schedule and never refuse anything.

Each check's level is a setting (MARQUEE_PREPUBLISH_CHECKS): "block", "warn" or "off".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import ValidationError

from reviews import seo
from reviews.critics import display_name_of
from reviews.markdown import render

BLOCK, WARN, OFF = "block", "warn", "off"
DEFAULT_LEVELS = {
    "no_text": BLOCK,
    "image_alt": BLOCK,
    "no_rating": WARN,
    "no_verdict": WARN,
    "no_hero_image": WARN,
    "short_description": WARN,
}


@dataclass
class Report:
    blocking: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.blocking or self.warnings)


def levels() -> dict[str, str]:
    return {**DEFAULT_LEVELS, **getattr(settings, "MARQUEE_PREPUBLISH_CHECKS", {})}


class _Images(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.without_alt = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        # role="presentation" marks a library image its uploader declared decorative
        # (images/figures.py); the sanitiser strips the attribute from an author's own HTML.
        undescribed = not (attrs.get("alt") or "").strip()
        if tag == "img" and undescribed and attrs.get("role") != "presentation":
            self.without_alt += 1


def _images_without_alt(html: str) -> int:
    parser = _Images()
    parser.feed(html)
    parser.close()
    return parser.without_alt


def check(review, sections=None) -> Report:
    """The checks' findings on `review` as it stands in memory, with `sections` (unsaved
    Section objects, a pending version's) or else its stored sections."""
    if sections is None:
        sections = list(review.sections.all()) if review.pk else []
    intro_html = render(review.intro or "")
    rendered = [(section, render(section.body or "")) for section in sections]
    findings: dict[str, str] = {}

    if not (review.intro or "").strip() and not any(
        (section.body or "").strip() for section in sections
    ):
        findings["no_text"] = "The review has no text: write an intro or at least one section."
    places = [("the intro", intro_html)] + [
        (f"the section “{s.heading}”", html) for s, html in rendered
    ]
    for place, html in places:
        if _images_without_alt(html):
            findings.setdefault(
                "image_alt",
                f"An image in {place} has no alt text: describe it for readers who cannot see "
                "it, between the brackets of ![alt text](address).",
            )
    hero = review.hero if review.hero_id else None
    if hero is not None and not hero.alt.strip() and not hero.decorative:
        findings.setdefault(
            "image_alt",
            "The hero image has no alt text: describe it in the image library, or mark it "
            "decorative there.",
        )
    if review.social_image and not review.social_alt.strip():
        findings.setdefault(
            "image_alt", "The social image has no alt text: describe what it shows."
        )
    if review.rating is None:
        findings["no_rating"] = "No star rating."
    if not (review.verdict or "").strip():
        findings["no_verdict"] = "No verdict / pull quote."
    if not review.hero_id:
        findings["no_hero_image"] = "No hero image: lists and shares show the film's poster."
    minimum = settings.MARQUEE_PREPUBLISH_MIN_DESCRIPTION
    # The description readers and search engines see, made as the public page makes it.
    shown = " ".join((getattr(review, "search_description", "") or "").split()) or (
        seo.derived_description(
            SimpleNamespace(intro_html=intro_html, dek=review.dek or ""),
            sections=[
                SimpleNamespace(body_html=html, is_spoiler=s.is_spoiler) for s, html in rendered
            ],
        )
    )
    if len(shown) < minimum:
        findings["short_description"] = (
            f"The description search engines and shares show is {len(shown)} characters "
            f"(at least {minimum} recommended): write a search description, or a longer "
            "first paragraph."
        )

    report = Report()
    # Always blocking, whatever the settings: publishing refuses a byline without a name.
    author = review.author if review.author_id else None
    if author is not None and not display_name_of(author):
        report.blocking.append(
            f"The byline needs a name: {author.get_username()} has no display name. Set one "
            "under Reviews › Critics."
        )
    configured = levels()
    for code, message in findings.items():
        level = configured.get(code, OFF)
        if level == BLOCK:
            report.blocking.append(message)
        elif level == WARN:
            report.warnings.append(message)
    return report


def require(review, sections=None) -> Report:
    """Refuse (ValidationError) when a blocking check fails; else the warnings' report."""
    report = check(review, sections)
    if report.blocking:
        raise ValidationError(
            ["Not published: fix this first.", *report.blocking], code="prepublish"
        )
    return report
