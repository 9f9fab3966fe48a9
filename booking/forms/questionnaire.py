"""The questionnaire's form, one for the patient's link and the therapist's tablet in the waiting room.

Its fields only carry what was typed (and refuse control characters, as every form's do);
``booking.questionnaires.answers`` reads them and says what is wrong, field by field.
"""

from __future__ import annotations

from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice

from booking.clinic.limits import ACTIVITY_LENGTH
from booking.forms import ClinicForm
from booking.measures import Measure, measure
from booking.questionnaires.answers import NEW


def _scale(shape: Measure) -> list[SelectChoice]:
    """The answers of a 0-10 scale, as choices."""
    return [SelectChoice(str(value), str(value)) for value in shape.values]


def _rated_change(value: int) -> SelectChoice:
    """A GROC answer as a choice: its value, signed, and its words."""
    words = measure("groc").scale.words(value)
    return SelectChoice(str(value), f"{value:+d}: {words}" if value else f"0: {words}")


GROC_CHOICES = [_rated_change(value) for value in measure("groc").values]
PSFS_ACTIVITIES = measure("psfs").named_items  # at most this many activities


def _activity(label: str) -> StringField:
    """An activity's name."""
    return StringField(label, render_kw={"maxlength": ACTIVITY_LENGTH, "autocomplete": "off"})


def _rating() -> RadioField:
    """An activity's rating."""
    return RadioField("How able are you to do it today?", choices=_scale(measure("psfs")), validate_choice=False)


class QuestionnaireForm(ClinicForm):
    """Pain now, up to five activities each rated (``activity_<n>``, ``rating_<n>``), one added, and the change."""

    activity_count = PSFS_ACTIVITIES
    nprs = RadioField(measure("nprs").question, choices=_scale(measure("nprs")), validate_choice=False)
    groc = RadioField(measure("groc").question, choices=GROC_CHOICES, validate_choice=False)

    def typed(self) -> dict[str, str]:
        """What was typed, by field name (an empty text for a field left empty)."""
        return {field.name: field.data if isinstance(field.data, str) else "" for field in self
                if field.name != "csrf_token"}

    def show_errors(self, errors: dict[str, str]) -> None:
        """Put the reader's error of each field on the field."""
        for name, message in errors.items():
            self[name].errors = [message]


for _suffix in [*(str(number) for number in range(1, PSFS_ACTIVITIES + 1)), NEW]:
    setattr(QuestionnaireForm, f"activity_{_suffix}", _activity("Another activity" if _suffix == NEW
                                                                else f"Activity {_suffix}"))
    setattr(QuestionnaireForm, f"rating_{_suffix}", _rating())
