"""Post comments as a reader's browser would: parse the page's own comment form, fill in what a
person fills in, and send exactly what the form holds (hidden fields included)."""

from __future__ import annotations

import datetime
import re
from contextlib import contextmanager
from html.parser import HTMLParser

import time_machine
from django.utils import timezone


def shipped_comment_settings(settings) -> None:
    """The shipped comment defaults, stated so tests do not depend on the environment."""
    settings.MARQUEE_COMMENTS_CLOSE_AFTER_DAYS = 0
    settings.MARQUEE_COMMENTS_MIN_SECONDS = 3
    settings.MARQUEE_COMMENTS_MAX_FORM_AGE = 2 * 24 * 3600
    settings.MARQUEE_COMMENTS_RATE_LIMIT = 5
    settings.MARQUEE_COMMENTS_RATE_WINDOW = 600
    settings.MARQUEE_COMMENTS_MAX_LINKS = 2
    settings.MARQUEE_COMMENTS_DUPLICATE_WINDOW = 24 * 3600
    settings.MARQUEE_COMMENTS_AUTO_APPROVE_KNOWN = False
    settings.MARQUEE_AKISMET_KEY = ""


class _FormParser(HTMLParser):
    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = None  # None: the form was not found; False: it was, and ended
        self.action = None
        self.fields: dict[str, str] = {}
        self.checkboxes: set[str] = set()
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside, self.action = True, attrs.get("action")
        elif not self.inside:
            return
        elif tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind == "checkbox":
                self.checkboxes.add(attrs["name"])
                if "checked" in attrs:
                    self.add(attrs["name"], attrs.get("value", "on"))
            elif kind not in ("submit", "button"):
                self.add(attrs["name"], attrs.get("value") or "")
        elif tag == "textarea" and attrs.get("name"):
            self.textarea = attrs["name"]
            self.fields[self.textarea] = ""

    def add(self, name: str, value: str):
        """A second input of the same name makes the value a list, as a browser sends both."""
        if name in self.fields:
            earlier = self.fields[name]
            self.fields[name] = [*(earlier if isinstance(earlier, list) else [earlier]), value]
        else:
            self.fields[name] = value

    def handle_data(self, data):
        if self.textarea:
            self.fields[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            if self.textarea:  # the template's newline after <textarea> is not content
                self.fields[self.textarea] = self.fields[self.textarea].removeprefix("\n")
            self.textarea = None
        elif tag == "form" and self.inside:
            self.inside = False


class PageForm:
    """The comment form as a page holds it. `fill()` types into it; `data` is what it sends."""

    def __init__(self, html: str, form_id: str = "comment-form", url: str = ""):
        """`url` is the page's own address: where a form without an action posts."""
        parser = _FormParser(form_id)
        parser.feed(html)
        assert parser.inside is not None, f"no form #{form_id} on the page"
        assert parser.action or url, f"no form #{form_id} on the page"
        self.action = (parser.action or url).split("#")[0]
        self.data = dict(parser.fields)
        self.checkboxes = parser.checkboxes

    def fill(self, **values) -> PageForm:
        for name, value in values.items():
            if name in self.checkboxes:
                if value:
                    self.data[name] = "on"
                else:
                    self.data.pop(name, None)
                continue
            assert name in self.data, f"the form has no field {name!r}: {sorted(self.data)}"
            self.data[name] = value
        return self

    def post(self, client, ip="203.0.113.7", **extra):
        return client.post(
            self.action, self.data, REMOTE_ADDR=ip, HTTP_USER_AGENT="TestBrowser/1.0", **extra
        )


READER = {
    "name": "Ada Reader",
    "email": "ada@example.com",
    "body": "Loved the fight in the kitchen.",
}


def page_form(client, review, **query) -> PageForm:
    response = client.get(review.get_absolute_url(), query)
    assert response.status_code == 200
    return PageForm(response.content.decode())


@contextmanager
def later(seconds: float):
    """Move the clock `seconds` on (a person reading and typing)."""
    with time_machine.travel(
        timezone.now() + datetime.timedelta(seconds=seconds), tick=False
    ) as traveller:
        yield traveller


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())
