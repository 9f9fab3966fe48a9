"""The base of every form: no field accepts text that cannot be stored, and only a text area takes line breaks.

The forms and fields more than one blueprint uses are here too: ``fields`` (a day, a time of day, checkboxes, a
choice from a list), ``visits`` (booking and changing a visit) and ``screening`` (the screening's steps).
And ``required``: reading the data a validated form cannot lack.
"""

from __future__ import annotations

from typing import Any, TypeVar

from flask_wtf import FlaskForm
from wtforms import Field, TextAreaField
from wtforms.fields.core import UnboundField

from booking.clinic.validators import one_line_filter, plain_text_filter


class ClinicForm(FlaskForm):
    """A Flask-WTF form whose every field refuses control characters (NUL included) with a clear error.

    A text area (notes, messages, goals) keeps its line breaks; every other field is one line
    (names, phone, email, address, titles, labels) and refuses a line break too.
    """

    class Meta:
        def bind_field(self, form: FlaskForm, unbound_field: UnboundField, options: dict[str, Any]) -> Field:
            """Bind the field with the plain-text (text area) or one-line filter after its own filters."""
            multi_line = issubclass(unbound_field.field_class, TextAreaField)
            filters = (*unbound_field.kwargs.get("filters", ()), plain_text_filter if multi_line else one_line_filter)
            return unbound_field.bind(form=form, filters=filters, **options)


class QueryForm(ClinicForm):
    """A form sent with GET: read from the query string, no CSRF token (nothing changes)."""

    class Meta:
        csrf = False


Data = TypeVar("Data")


def required(data: Data | None) -> Data:
    """The data of a field a validated form cannot lack (its validators refuse the form without it)."""
    if data is None:
        raise ValueError("A required field has no data: read it only once the form has validated.")
    return data
