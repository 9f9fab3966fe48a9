"""The screening's four steps as forms, worded from booking.routing.QUESTIONS, and their answers."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from booking.forms import ClinicForm
from booking.forms.fields import MultiCheckboxField
from booking.routing import QUESTIONS

QUESTION: dict[str, dict[str, Any]] = {str(q["key"]): q for q in QUESTIONS}
NUMBER_KEYS: tuple[str, ...] = tuple(key for key, q in QUESTION.items() if q["kind"] == "integer")

# Step 1 shows the reasons in three groups, each under its heading (a legend).
GROUP_HEADINGS: dict[str, str] = {
    "physiotherapy": "Physiotherapy often helps with",
    "massage": "Massage therapy often helps with",
    "both": "Both often help with",
}
CONCERN_GROUPS: tuple[tuple[str, frozenset[str]], ...] = tuple(
    (heading, frozenset(o["code"] for o in QUESTION["concerns"]["options"] if o["group"] == group))
    for group, heading in GROUP_HEADINGS.items()
)

YES, NO = "yes", "no"


def _choices(key: str) -> list[SelectChoice]:
    """The options of a question, as form choices."""
    return [SelectChoice(option["code"], option["text"]) for option in QUESTION[key]["options"]]


def _checkboxes(key: str) -> MultiCheckboxField:
    """A multiple-choice question as checkboxes; the routing engine judges the codes, so any value is kept."""
    question = QUESTION[key]
    return MultiCheckboxField(question["text"], choices=_choices(key), description=question["hint"],
                              validate_choice=False)


def _stripped(text: str | None) -> str | None:
    """Typed text without the spaces around it."""
    return text.strip() if text else text


def _whole_number(key: str) -> StringField:
    """A whole-number question; the routing engine checks the number and words the error."""
    question = QUESTION[key]
    return StringField(question["text"], description=question["hint"], filters=[_stripped],
                       render_kw={"inputmode": "numeric", "autocomplete": "off", "class": "input--number"})


def _yes_or_no(flag: Mapping[str, str]) -> RadioField:
    """One warning sign, asked on its own: yes or no, never left unanswered."""
    return RadioField(flag["text"], choices=[SelectChoice(YES, "Yes"), SelectChoice(NO, "No")],
                      validators=[InputRequired(f"Answer yes or no: {flag['text']}.")],
                      invalid_choice_message=f"Answer yes or no: {flag['text']}.")


class ReasonsForm(ClinicForm):
    """Step 1: why the patient is coming."""

    concerns = _checkboxes("concerns")


class WarningSignsForm(ClinicForm):
    """Step 2: each red flag as its own yes-or-no question (fields named by the red-flag codes)."""


for _flag in QUESTION["red_flags"]["options"]:
    setattr(WarningSignsForm, _flag["code"], _yes_or_no(_flag))


class HealthForm(ClinicForm):
    """Step 3: conditions that change or rule out massage; none ticked means none apply."""

    precautions = _checkboxes("precautions")


class DetailsForm(ClinicForm):
    """Step 4: pain, how long, weeks since surgery (only after surgery) and a preference."""

    pain_level = _whole_number("pain_level")
    symptom_weeks = _whole_number("symptom_weeks")
    weeks_since_surgery = _whole_number("weeks_since_surgery")
    preference = RadioField(QUESTION["preference"]["text"], choices=_choices("preference"),
                            default=QUESTION["preference"]["default"], validate_choice=False,
                            description=QUESTION["preference"]["hint"])


def form_data(form: FlaskForm) -> dict[str, Any]:
    """What the patient entered on a step, to keep between pages (the CSRF token left out)."""
    return {field.name: field.data for field in form if field.name != "csrf_token"}


def asked(key: str, answers: Mapping[str, Any]) -> bool:
    """Whether a question is asked, given the answers so far (QUESTIONS' "asked_when")."""
    conditions: Mapping[str, str] = QUESTION[key].get("asked_when", {})
    return all(code in answers.get(answer, ()) for answer, code in conditions.items())


def remove_unasked(form: FlaskForm, answers: Mapping[str, Any]) -> None:
    """Take out of the form the questions that the answers so far do not call for."""
    for name in [field.name for field in form]:
        if name in QUESTION and not asked(name, answers):
            del form[name]


def add_errors(form: FlaskForm, errors: Mapping[str, str]) -> None:
    """Show the routing engine's messages next to the questions they are about."""
    for key, message in errors.items():
        if key in form:
            form[key].errors = [message]


def _number(text: str | None) -> int | str | None:
    """A typed number as an int; other text is passed on for the engine to reject in words."""
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        return text


def _reasons(entered: Mapping[str, Any], earlier: Mapping[str, Any]) -> dict[str, Any]:
    """Step 1's answer: the reasons ticked."""
    return {"concerns": list(entered.get("concerns") or [])}


def _warning_signs(entered: Mapping[str, Any], earlier: Mapping[str, Any]) -> dict[str, Any]:
    """Step 2's answer: the red flags answered yes."""
    return {"red_flags": [option["code"] for option in QUESTION["red_flags"]["options"]
                          if entered.get(option["code"]) == YES]}


def _health(entered: Mapping[str, Any], earlier: Mapping[str, Any]) -> dict[str, Any]:
    """Step 3's answer: the conditions ticked (none ticked means none apply)."""
    return {"precautions": list(entered.get("precautions") or [])}


def _details(entered: Mapping[str, Any], earlier: Mapping[str, Any]) -> dict[str, Any]:
    """Step 4's answers: the preference, and the numbers typed for the questions that were asked."""
    answers: dict[str, Any] = {"preference": entered.get("preference") or QUESTION["preference"]["default"]}
    for key in NUMBER_KEYS:
        value = _number(entered.get(key))
        if value is not None and asked(key, earlier):
            answers[key] = value
    return answers


@dataclass(frozen=True)
class Step:
    """One page of the screening: its address, heading, form, the answer keys it asks and how to
    read them from what was entered (given the answers of the steps before it)."""

    slug: str
    title: str
    form: type[FlaskForm]
    keys: frozenset[str]
    answers: Callable[[Mapping[str, Any], Mapping[str, Any]], dict[str, Any]]


STEPS: tuple[Step, ...] = (
    Step("reasons", "Why you are coming", ReasonsForm, frozenset({"concerns"}), _reasons),
    Step("warning-signs", QUESTION["red_flags"]["text"], WarningSignsForm, frozenset({"red_flags"}),
         _warning_signs),
    Step("health", "Your health", HealthForm, frozenset({"precautions"}), _health),
    Step("details", "About your problem", DetailsForm,
         frozenset({"pain_level", "symptom_weeks", "weeks_since_surgery", "preference"}), _details),
)
STEP_BY_SLUG: dict[str, Step] = {step.slug: step for step in STEPS}


def answers_from(data: Mapping[str, Mapping[str, Any]], steps: Sequence[Step]) -> dict[str, Any]:
    """Turn what was entered on the given steps into the contract's answers; other steps' questions
    are left out (not asked yet, or not asked at all)."""
    answers: dict[str, Any] = {}
    for step in steps:
        answers.update(step.answers(data.get(step.slug, {}), answers))
    return answers
