"""The admins' care-plan forms: a plan's terms, changing them and its status, dismissing a screening, booking."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, ValidationError

from booking.admin.forms import InputGiven, WholeNumberField
from booking.clinic.limits import (
    DISMISSAL_REASON_LENGTH,
    EMAIL_LENGTH,
    GOALS_LENGTH,
    KEY_LENGTH,
    NAME_LENGTH,
    PHONE_LENGTH,
)
from booking.clinic.validators import stripped
from booking.forms import ClinicForm, required
from booking.forms.fields import listed_choice
from booking.models import CarePlan, CarePlanStatus, Service, Therapist
from booking.scheduling import qualifications
from booking.scheduling.plans import MASSAGE, PHYSIOTHERAPY
from booking.services.care_plans import plans as care_plans
from booking.services.care_plans.plans import InvalidPlan, PlanDetails
from booking.services.catalog import active_services, active_therapists

# A new plan's form starts with massage right before physiotherapy and a day's tolerance.
NEW_PLAN = {"back_to_back": True, "tolerance_days": 1}
STATUS_CHOICES = [SelectChoice(status.value, status.label) for status in CarePlanStatus]


def _choices(offered: Sequence[Therapist | Service], current: Therapist | Service | None) -> list[SelectChoice]:
    """The offered therapists or services as choices, then ``current`` (a plan's own) when it is not among them."""
    listed = [*offered, current] if current is not None and current not in offered else list(offered)
    return [SelectChoice(str(item.id), item.name if item.active else f"{item.name} (no longer active)")
            for item in listed]


def _training_hint(therapy_type: str, cautions: Collection[str], offered: Sequence[Therapist]) -> str | None:
    """Why only some therapists of this type are offered (the screening's cautions call for a training), or that
    none is trained; None when the screening calls for no training."""
    training = qualifications.in_words(therapy_type, cautions)
    if training is None:
        return None
    if offered:
        return f"Only the {therapy_type} therapists trained in {training} are listed: this patient's screening calls for it."
    return (f"None of our {therapy_type} therapists is trained in {training}, which this patient's screening calls "
            f"for. Tick it on a trained therapist's page (Therapists) first, then make the plan.")


def _offered_therapist(therapy_type: str) -> Any:
    """WTForms validator: one of the therapists offered; else why not, by the plan's own rule
    (``care_plans.therapist_problem``: an untrained massage therapist for a pregnant patient, say)."""

    def check(form: PlanForm, field: SelectField) -> None:
        if field.data in {choice.value for choice in field.choices}:
            return
        text = field.data or ""
        chosen = int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else 0
        raise ValidationError(care_plans.therapist_problem(chosen, therapy_type, form.cautions)
                              or f"Choose one of our {therapy_type} therapists.")

    return check


def _number(label: str, what: str) -> WholeNumberField:
    """A required whole number of the plan (its range is the service's to check)."""
    return WholeNumberField(label, what, validators=[InputGiven(f"Enter {what}.")])


class PlanForm(ClinicForm):
    """A plan's therapists, services, goals, sessions, cadences, tolerance, pairing and start date."""

    physiotherapist_id = SelectField("Physiotherapist", validate_choice=False,
                                     validators=[_offered_therapist(PHYSIOTHERAPY)])
    physio_service_id = SelectField("Physiotherapy service", validate_choice=False,
                                    validators=[listed_choice("Choose one of our physiotherapy services.")])
    massage_therapist_id = SelectField("Massage therapist", validate_choice=False,
                                       validators=[_offered_therapist(MASSAGE)])
    massage_service_id = SelectField("Massage service", validate_choice=False,
                                     validators=[listed_choice("Choose one of our massage services.")])
    goals = TextAreaField("Goals, in plain words", filters=[stripped],
                          validators=[DataRequired("Write the plan's goals in plain words."),
                                      Length(max=GOALS_LENGTH, message=f"Keep the goals under {GOALS_LENGTH} characters.")])
    physio_sessions = _number("Physiotherapy sessions", "the number of physiotherapy sessions")
    physio_cadence_days = _number("Days between physiotherapy sessions", "the physiotherapy cadence in days")
    massage_sessions = _number("Massage sessions", "the number of massage sessions")
    massage_cadence_days = _number("Days between massage sessions", "the massage cadence in days")
    tolerance_days = _number("Tolerance in days", "the tolerance in days")
    back_to_back = BooleanField("Massage right before physiotherapy on the same day")
    starts_on = DateField("Start date", validators=[InputGiven("Enter the start date, like 2026-12-02.")])
    # The screening's cautions, and why only some therapists are offered (by field name): see ``offer``.
    cautions: Collection[str] = ()
    hints: dict[str, str | None]

    def offer(self, cautions: Collection[str], plan: CarePlan | None = None) -> PlanForm:
        """Fill the choices with the active therapists (those trained for the screening's ``cautions``, saying why
        in ``hints``) and services of each kind, and the plan's own even once they are no longer active (so that
        saving the plan keeps them); returns the form."""
        self.cautions, self.hints = cautions, {}
        for field, kind, current in (
                (self.physiotherapist_id, PHYSIOTHERAPY, plan.physiotherapist if plan else None),
                (self.massage_therapist_id, MASSAGE, plan.massage_therapist if plan else None)):
            offered = active_therapists(kind, cautions=cautions)
            field.choices = _choices(offered, current)
            self.hints[field.name] = _training_hint(kind, cautions, offered)
        for field, kind, plan_service in (
                (self.physio_service_id, PHYSIOTHERAPY, plan.physio_service if plan else None),
                (self.massage_service_id, MASSAGE, plan.massage_service if plan else None)):
            field.choices = _choices([service for service in active_services() if service.therapy_type == kind],
                                     plan_service)
        return self

    def details(self, plan: CarePlan | None = None) -> PlanDetails:
        """The validated form as the service takes it; ``plan``'s own terms for those the form does not hold."""
        def term(name: str) -> Any:
            field = getattr(self, name)
            return getattr(plan, name) if field is None else field.data

        return PlanDetails(**{name: int(term(name)) for name in (
            "physiotherapist_id", "massage_therapist_id", "physio_service_id", "massage_service_id",
            *care_plans.NUMBERS)},
            goals=required(self.goals.data), back_to_back=term("back_to_back"), starts_on=term("starts_on"))

    def refused(self, refusal: InvalidPlan) -> None:
        """Show the service's refusal on the fields it names."""
        for name, message in refusal.errors.items():
            getattr(self, name).errors = [message]


class ChangePlanForm(PlanForm):
    """A plan's terms and its status."""

    # Any status is read; whether the plan may move to it is the service's to say.
    status = SelectField("Status", choices=STATUS_CHOICES, validate_choice=False,
                         validators=[AnyOf([status.value for status in CarePlanStatus],
                                           "Choose active, paused, completed or cancelled.")])

    terms_fixed = False

    def offer(self, cautions: Collection[str], plan: CarePlan | None = None) -> ChangePlanForm:
        """The plan's choices (see ``PlanForm.offer``), and of the statuses its own and those it may move to."""
        super().offer(cautions, plan)
        if plan is not None:
            current = CarePlanStatus(plan.status)
            self.status.choices = [choice for choice in STATUS_CHOICES
                                   if choice.value == current or choice.value in current.next]
        return self

    def fix_terms(self) -> ChangePlanForm:
        """Only the goals and the status: a booked plan's page shows its other terms as text (they are its own)."""
        for name in care_plans.TERMS:
            del self[name]
        self.terms_fixed = True
        return self


class DismissForm(ClinicForm):
    """Why a combined screening needs no plan."""

    reason = StringField("Reason", filters=[stripped], validators=[
        DataRequired("Say why this screening needs no care plan."),
        Length(max=DISMISSAL_REASON_LENGTH, message=f"Keep the reason under {DISMISSAL_REASON_LENGTH} characters.")])


class BookCourseForm(ClinicForm):
    """The course shown (its digest) and the patient's details, when no earlier booking gives them."""

    course = HiddenField()
    # One key for the whole course: the form sent twice (a double tap, a retry) books it once.
    idempotency_key = HiddenField(validators=[Length(max=KEY_LENGTH)])
    name = StringField("Patient's full name", filters=[stripped], validators=[Length(max=NAME_LENGTH)])
    email = EmailField("Patient's email", filters=[stripped], validators=[Length(max=EMAIL_LENGTH)])
    phone = TelField("Patient's phone", filters=[stripped], validators=[Length(max=PHONE_LENGTH)])
