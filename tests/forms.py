"""Read a page's forms the way a browser would, so tests post what the page itself holds."""

from html.parser import HTMLParser


class Forms(HTMLParser):
    """Every form's attributes and successful controls: those inside it and, as in a browser,
    those elsewhere that name it with form="…"; inputs, checked boxes, textareas and selects
    (a multiple select's value is the list of its selected options). A disabled control, or
    one in a disabled fieldset, is not posted."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._open: dict | None = None
        self._textarea: tuple[dict, str] | None = None
        self._select: tuple[dict, str] | None = None
        self._first_option: str | None = None
        self._later: list[tuple[str, str, str]] = []  # (form id, name, value) seen before it
        self._fieldsets: list[bool] = []  # the open fieldsets, whether each is disabled

    def _owner(self, attrs) -> dict | None:
        if "disabled" in attrs or any(self._fieldsets):
            return None
        if attrs.get("form"):
            for form in self.forms:
                if form["attrs"].get("id") == attrs["form"]:
                    return form
            return {"pending": attrs["form"]}
        return self._open

    def _put(self, owner, name, value):
        if owner is None:
            return
        if "pending" in owner:
            self._later.append((owner["pending"], name, value))
        else:
            owner["fields"][name] = value

    def handle_starttag(self, tag, attrs):
        attrs = {key: ("" if value is None else value) for key, value in attrs}
        if tag == "form":
            self._open = {"attrs": attrs, "fields": {}}
            self.forms.append(self._open)
            return
        if tag == "fieldset":
            self._fieldsets.append("disabled" in attrs)
            return
        if tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "image", "file", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            default = "on" if kind in {"checkbox", "radio"} else ""  # a browser's, no value=
            self._put(
                self._owner(attrs),
                attrs["name"],
                attrs.get("value", default),
            )
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = (self._owner(attrs), attrs["name"])
            self._put(*self._textarea, "")
            self._text = ""
        elif tag == "select" and attrs.get("name"):
            self._select = (self._owner(attrs), attrs["name"])
            self._first_option = None
            self._chosen = False
            self._multiple = "multiple" in attrs
            if self._multiple:  # posts every selected option, or nothing
                self._chosen_values = []
        elif tag == "option" and self._select is not None and self._multiple:
            if "selected" in attrs:
                self._chosen_values.append(attrs.get("value", ""))
                self._put(*self._select, list(self._chosen_values))
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            if self._first_option is None:
                self._first_option = value
                self._put(*self._select, value)
            if "selected" in attrs and not self._chosen:
                self._chosen = True
                self._put(*self._select, value)

    def handle_data(self, data):
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea:
            # A textarea's first newline belongs to the markup, not to its value.
            text = self._text[1:] if self._text.startswith("\n") else self._text
            self._put(*self._textarea, text)
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "fieldset" and self._fieldsets:
            self._fieldsets.pop()
        elif tag == "form":
            self._open = None

    def close(self):
        super().close()
        for form_id, name, value in self._later:
            for form in self.forms:
                if form["attrs"].get("id") == form_id:
                    form["fields"][name] = value


def page_form(html: str, **attrs: str) -> tuple[str, dict[str, str]]:
    """The (action, fields) of the first form whose attributes include `attrs`."""
    parser = Forms()
    parser.feed(html)
    parser.close()
    for form in parser.forms:
        if all(form["attrs"].get(key) == value for key, value in attrs.items()):
            return form["attrs"].get("action", ""), dict(form["fields"])
    raise AssertionError(f"no form with {attrs} on the page")
