"""Submit a page's form the way a browser without JavaScript does: only what that form holds is sent."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

from flask.testing import FlaskClient
from werkzeug.test import TestResponse


@dataclass
class Control:
    """One input or button of a form."""

    tag: str
    attrs: dict[str, str]

    @property
    def name(self) -> str:
        """The name it is sent under ('' when it is not sent)."""
        return self.attrs.get("name", "")


@dataclass
class PageForm:
    """A form of the page: where it goes, how, and its controls in document order."""

    action: str
    method: str
    controls: list[Control] = field(default_factory=list)

    def has_button(self, value: str) -> bool:
        """Whether a submit button with this value is in this form."""
        return any(c.tag == "button" and c.attrs.get("value") == value for c in self.controls)

    def values(self, choose: dict[str, str], button: str) -> list[tuple[str, str]]:
        """What the browser sends: hidden fields as they are, the patient's choices where this form has them, the button."""
        sent = []
        for control in self.controls:
            kind = control.attrs.get("type", "submit" if control.tag == "button" else "text")
            if not control.name:
                continue
            if kind == "radio":
                checked = (control.attrs.get("value") == choose[control.name] if control.name in choose
                           else "checked" in control.attrs)
                if checked:
                    sent.append((control.name, control.attrs.get("value", "on")))
            elif kind == "submit":
                if control.attrs.get("value") == button:
                    sent.append((control.name, button))
            elif kind == "hidden":
                sent.append((control.name, control.attrs.get("value", "")))
            elif kind != "checkbox":
                sent.append((control.name, choose.get(control.name, control.attrs.get("value", ""))))
        return sent


class _FormParser(HTMLParser):
    """Collects the forms of a page and their controls."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[PageForm] = []
        self._open: PageForm | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if tag == "form":
            self._open = PageForm(values.get("action", ""), values.get("method", "get").lower())
            self.forms.append(self._open)
        elif tag in ("input", "button", "textarea", "select") and self._open is not None:
            self._open.controls.append(Control(tag, values))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._open = None


def forms_of(page: str) -> list[PageForm]:
    """The forms of an HTML page."""
    parser = _FormParser()
    parser.feed(page)
    return parser.forms


def press(client: FlaskClient, page: str, button: str, choose: dict[str, str] | None = None) -> TestResponse:
    """Tap the submit button with this value after choosing ``choose`` wherever the page shows those fields."""
    (form,) = [f for f in forms_of(page) if f.has_button(button)]
    data = form.values(choose or {}, button)
    if form.method == "post":
        return client.post(form.action, data=data, follow_redirects=True)
    return client.get(form.action, query_string=data, follow_redirects=True)
