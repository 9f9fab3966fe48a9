"""Fields and checks the forms of more than one blueprint use: a day, a time of day, a list of checkboxes, a choice
from a list."""

from __future__ import annotations

from typing import Any

from wtforms import DateField, Form, SelectField, SelectMultipleField, TimeField, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget


class DayField(DateField):
    """A date typed as YYYY-MM-DD (what a date input sends), with a message for people."""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError("Enter a date like 2026-11-02.") from exc


class ClockField(TimeField):
    """A time typed as HH:MM (what a time input sends), with a message for people."""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError("Enter a time like 09:00 or 17:30.") from exc


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def listed_choice(message: str) -> Any:
    """WTForms validator: the value is one of the field's choices (else ``message``)."""

    def check(form: Form, field: SelectField) -> None:
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(message)

    return check


def listed_choices(message: str) -> Any:
    """WTForms validator: every value ticked is one of the field's choices (else ``message``)."""

    def check(form: Form, field: SelectField) -> None:
        if not set(field.data or ()) <= {choice.value for choice in field.choices}:
            raise ValidationError(message)

    return check
