"""Read a page's forms the way a browser would, so tests post what the page itself holds."""

from html.parser import HTMLParser


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"attrs": attrs, "fields": {}})
        elif not self.forms:
            return
        elif tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "image", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self.forms[-1]["fields"][attrs["name"]] = attrs.get("value") or ""
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = attrs["name"]
            self.forms[-1]["fields"][self._textarea] = ""

    def handle_data(self, data):
        if self._textarea:
            self.forms[-1]["fields"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None


def page_form(html: str, **attrs: str) -> tuple[str, dict[str, str]]:
    """The (action, fields) of the first form whose attributes include `attrs`."""
    parser = _Forms()
    parser.feed(html)
    for form in parser.forms:
        if all(form["attrs"].get(key) == value for key, value in attrs.items()):
            return form["attrs"].get("action", ""), dict(form["fields"])
    raise AssertionError(f"no form with {attrs} on the page")
