"""The forms of a patient's retention on their page: a legal hold's reason and the birth date; and what the page
shows of it (``shown``)."""

from __future__ import annotations

from wtforms import StringField
from wtforms.validators import InputRequired

from booking.clinic.validators import stripped
from booking.forms import ClinicForm
from booking.forms.fields import DayField
from booking.models import Patient
from booking.services.privacy import destruction


class HoldForm(ClinicForm):
    """Why the records are held."""

    reason = StringField("Reason for the legal hold", filters=[stripped],
                         validators=[InputRequired("Enter why the records are held, like \"lawsuit filed 2026-11-30\".")])


class BirthDateForm(ClinicForm):
    """The patient's birth date, as they gave it."""

    birth_date = DayField("Birth date", validators=[InputRequired("Enter the birth date, like 2010-04-23.")])


def shown(patient: Patient, hold_form: HoldForm | None = None,
          birth_form: BirthDateForm | None = None) -> dict[str, object]:
    """What the patient's page shows of retention: the rule and date, the hold, and its two forms."""
    return {"kept": destruction.retention_of(patient), "hold_form": hold_form or HoldForm(),
            "birth_form": birth_form or BirthDateForm(data={"birth_date": patient.birth_date})}
