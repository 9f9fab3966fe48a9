"""Check raw screening answers: return normalised `Answers` or raise `ScreeningError`."""

from collections.abc import Mapping

from .answers import Answers
from .codes import PREFERENCE_CODES
from .concerns import CONCERN_CODES
from .precautions import PRECAUTION_CODES
from .red_flags import RED_FLAG_CODES
from .rules import refer_out_certain

ANSWER_KEYS: tuple[str, ...] = (
    "concerns",
    "red_flags",
    "precautions",
    "pain_level",
    "symptom_weeks",
    "weeks_since_surgery",
    "preference",
)

CODE_LISTS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "concerns": ("Reasons for your visit", "a reason for your visit", CONCERN_CODES),
    "red_flags": ("Warning signs", "a warning sign", RED_FLAG_CODES),
    "precautions": ("Health conditions", "a health condition", PRECAUTION_CODES),
}

INTEGER_RANGES: dict[str, tuple[str, int, int]] = {
    "pain_level": ("Pain level must be a whole number from 0 to 10.", 0, 10),
    "symptom_weeks": (
        "How long you have had this problem must be a whole number of weeks from 0 to 2600.",
        0,
        2600,
    ),
    "weeks_since_surgery": (
        "Weeks since your surgery must be a whole number from 0 to 520.",
        0,
        520,
    ),
}

NOT_A_MAPPING = "Your answers must be sent as a set of questions and answers (a JSON object)."
NO_CONCERN = "Please choose at least one reason for your visit."
MISSING_WEEKS = (
    "Please tell us how many weeks ago you had your surgery (a whole number from 0 to 520)."
)
BAD_PREFERENCE = 'Your preference must be "physiotherapy", "massage" or "no_preference".'


class ScreeningError(ValueError):
    """Invalid screening answers; `errors` maps each offending answer key to a plain message."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors: dict[str, str] = dict(errors)
        super().__init__("; ".join(f"{key}: {message}" for key, message in self.errors.items()))


def _code_list(key: str, value: object, errors: dict[str, str]) -> tuple[str, ...]:
    """Return the known codes of a list answer in table order, recording any error under `key`."""
    plural, singular, known = CODE_LISTS[key]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        errors[key] = f"{plural} must be a list of choices from our list (text codes)."
        return ()
    unknown = sorted({v for v in value if v not in known})
    if unknown:
        listed = ", ".join(f'"{code}"' for code in unknown)
        errors[key] = f"We do not recognise {listed} as {singular}. Please choose from the list."
    return tuple(code for code in known if code in value)


def _integer(key: str, value: object, errors: dict[str, str]) -> int | None:
    """Return an in-range whole number, recording an error under `key` otherwise."""
    message, low, high = INTEGER_RANGES[key]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        errors[key] = message
        return None
    return value


def validate_answers(answers: object) -> Answers:
    """Validate raw answers per the contract, collecting every error before raising."""
    if not isinstance(answers, Mapping):
        raise ScreeningError({"answers": NOT_A_MAPPING})
    errors: dict[str, str] = {}
    for key in answers:
        if key not in ANSWER_KEYS:
            errors[str(key)] = f'"{key}" is not one of our screening questions. Please remove it.'
    lists = {
        key: _code_list(key, answers[key], errors) if key in answers else () for key in CODE_LISTS
    }
    numbers = {
        key: _integer(key, answers[key], errors) if key in answers else None
        for key in INTEGER_RANGES
    }
    preference = answers.get("preference", "no_preference")
    if preference not in PREFERENCE_CODES:
        errors["preference"] = BAD_PREFERENCE
    if "concerns" not in errors and not lists["concerns"] and not lists["red_flags"]:
        errors["concerns"] = NO_CONCERN
    post_surgery = "post_surgery" in lists["concerns"]
    validated = Answers(
        concerns=lists["concerns"],
        red_flags=lists["red_flags"],
        precautions=lists["precautions"],
        pain_level=numbers["pain_level"],
        symptom_weeks=numbers["symptom_weeks"],
        weeks_since_surgery=numbers["weeks_since_surgery"] if post_surgery else None,
        preference=str(preference),
    )
    needs_weeks = post_surgery and not refer_out_certain(validated)
    if needs_weeks and "weeks_since_surgery" not in answers:
        errors["weeks_since_surgery"] = MISSING_WEEKS
    if errors:
        raise ScreeningError(errors)
    return validated


def normalise_answers(answers: Mapping[str, object]) -> dict[str, object]:
    """Validate raw answers and return them as they are kept: JSON-ready, answered keys only.

    Each list's codes appear once, in the contract's order; weeks since surgery are kept
    only with post_surgery; questions that were not answered (or not asked) stay absent
    rather than taking their defaults. Raises `ScreeningError` for invalid answers.
    """
    validated = validate_answers(answers).to_dict()
    return {key: value for key, value in validated.items() if key in answers}
