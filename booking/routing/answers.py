"""Validated screening answers, as the rules read them."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Answers:
    """Validated answers: codes de-duplicated in the contract's order, defaults filled in."""

    concerns: tuple[str, ...] = ()
    red_flags: tuple[str, ...] = ()
    precautions: tuple[str, ...] = ()
    pain_level: int | None = None
    symptom_weeks: int | None = None
    weeks_since_surgery: int | None = None
    preference: str = "no_preference"

    def to_dict(self) -> dict[str, object]:
        """Return the answers as JSON-ready data, leaving out questions that were not answered."""
        data: dict[str, object] = {
            "concerns": list(self.concerns),
            "red_flags": list(self.red_flags),
            "precautions": list(self.precautions),
            "pain_level": self.pain_level,
            "symptom_weeks": self.symptom_weeks,
            "weeks_since_surgery": self.weeks_since_surgery,
            "preference": self.preference,
        }
        return {key: value for key, value in data.items() if value is not None}
