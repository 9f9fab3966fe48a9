"""The `Recommendation` returned to callers and `recommend`, the pure entry point."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypedDict

from .explanations import CODE_ORDER, EXPLANATIONS
from .rules import RULES_VERSION, decide
from .validation import validate_answers

EMERGENCY_ADVICE = (
    "Call 911 now, or go to the nearest emergency department. "
    "Please do not book an appointment with us for this."
)
URGENT_ADVICE = (
    "Please see a doctor today. In Alberta you can call Health Link at 811, any time, "
    "for advice from a nurse. Please do not book with us until a doctor has checked you."
)
CLEARANCE_ADVICE = (
    "Please see your doctor before booking a massage. "
    "You are welcome to book once your doctor has cleared you."
)
BOOKING_ADVICE: dict[str, str] = {
    "physiotherapy": "Book a physiotherapy assessment.",
    "massage": "Book a massage therapy appointment.",
    "combined": (
        "Your care combines physiotherapy and massage therapy. It starts with a physiotherapy assessment, "
        "with a massage right before it on the same day if you wish; after that first visit, we plan the "
        "rest of your care with you."
    ),
}


class CodeTextDict(TypedDict):
    """A reason or caution as JSON."""

    code: str
    text: str


class RecommendationDict(TypedDict):
    """The contract's output JSON, plus the recorded preference."""

    pathway: str
    urgency: str
    therapy_types: list[str]
    reasons: list[CodeTextDict]
    cautions: list[CodeTextDict]
    rules_version: str
    preference: str


@dataclass(frozen=True)
class Reason:
    """An answer code that drove the decision, with a plain-language explanation."""

    code: str
    text: str


@dataclass(frozen=True)
class Caution:
    """A caution or contraindication that applied, with a plain-language explanation."""

    code: str
    text: str


@dataclass(frozen=True)
class Recommendation:
    """The screening outcome: pathway, urgency, what may be booked, why, and cautions."""

    pathway: str
    urgency: str
    therapy_types: tuple[str, ...]
    reasons: tuple[Reason, ...]
    cautions: tuple[Caution, ...]
    preference: str
    rules_version: str

    @property
    def bookable(self) -> bool:
        """Whether any appointment may be booked."""
        return bool(self.therapy_types)

    @property
    def advice(self) -> str:
        """The next step for the patient, in plain language."""
        if self.pathway != "refer_out":
            return BOOKING_ADVICE[self.pathway]
        if self.urgency == "emergency":
            return EMERGENCY_ADVICE
        if self.urgency == "urgent":
            return URGENT_ADVICE
        return CLEARANCE_ADVICE

    def to_dict(self) -> RecommendationDict:
        """Return the contract's output JSON, plus the recorded preference (R7)."""
        return {
            "pathway": self.pathway,
            "urgency": self.urgency,
            "therapy_types": list(self.therapy_types),
            "reasons": [{"code": r.code, "text": r.text} for r in self.reasons],
            "cautions": [{"code": c.code, "text": c.text} for c in self.cautions],
            "rules_version": self.rules_version,
            "preference": self.preference,
        }


def _in_table_order(codes: tuple[str, ...]) -> tuple[str, ...]:
    """De-duplicate codes and order them as the contract's tables list them."""
    return tuple(sorted(set(codes), key=CODE_ORDER.__getitem__))


def recommend(answers: Mapping[str, object]) -> Recommendation:
    """Validate the answers and apply the rules; raises `ScreeningError` for invalid answers."""
    decision = decide(validate_answers(answers))
    return Recommendation(
        pathway=decision.pathway,
        urgency=decision.urgency,
        therapy_types=decision.therapy_types,
        reasons=tuple(Reason(c, EXPLANATIONS[c]) for c in _in_table_order(decision.reasons)),
        cautions=tuple(Caution(c, EXPLANATIONS[c]) for c in _in_table_order(decision.cautions)),
        preference=decision.preference,
        rules_version=RULES_VERSION,
    )
