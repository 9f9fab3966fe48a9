"""The base of every form: no field accepts text that cannot be stored."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import Field
from wtforms.fields.core import UnboundField

from booking.validators import plain_text_filter


class ClinicForm(FlaskForm):
    """A Flask-WTF form whose every field refuses control characters (NUL included) with a clear error."""

    class Meta:
        def bind_field(self, form: FlaskForm, unbound_field: UnboundField, options: dict[str, Any]) -> Field:
            """Bind the field with the plain-text filter after its own filters."""
            filters = (*unbound_field.kwargs.get("filters", ()), plain_text_filter)
            return unbound_field.bind(form=form, filters=filters, **options)
