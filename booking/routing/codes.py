"""What each code of the screening contract holds, the preferences, and the sets a recommendation names.

The codes themselves, with their patient-facing wording, are in ``concerns``, ``red_flags``
and ``precautions``; ``explanations`` holds every code's wording and order in one lookup.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

Group = Literal["physiotherapy", "massage", "both"]
Urgency = Literal["emergency", "urgent", "routine"]
Effect = Literal["contraindicated", "caution"]


@dataclass(frozen=True)
class Concern:
    """A reason for the visit: `text` is the option label, `explanation` the reason shown."""

    code: str
    group: Group
    text: str
    explanation: str


@dataclass(frozen=True)
class RedFlag:
    """A symptom that needs a doctor before any booking."""

    code: str
    urgency: Urgency
    text: str
    explanation: str


@dataclass(frozen=True)
class Precaution:
    """A condition that rules out massage (contraindicated) or changes how it is given (caution)."""

    code: str
    effect: Effect
    text: str
    explanation: str


@dataclass(frozen=True)
class Preference:
    """Which kind of therapy the patient would prefer, if any."""

    code: str
    text: str


# How each therapy type is named in a sentence ("does not give massage therapy"; capitalised to start one), and each
# pathway on staff pages: the one home of these words, for pages, emails and the preference question alike.
THERAPY_LABELS: Mapping[str, str] = MappingProxyType({"physiotherapy": "physiotherapy", "massage": "massage therapy"})
PATHWAY_LABELS: Mapping[str, str] = MappingProxyType({
    "physiotherapy": "Physiotherapy",
    "massage": "Massage therapy",
    "combined": "Combined care (physiotherapy and massage therapy)",
    "refer_out": "Referred out (see a doctor first)",
})

PREFERENCES: tuple[Preference, ...] = (
    Preference("no_preference", "No preference: recommend what suits me"),
    *(Preference(kind, label.capitalize()) for kind, label in THERAPY_LABELS.items()),
)

PREFERENCE_CODES: tuple[str, ...] = tuple(p.code for p in PREFERENCES)
PATHWAYS: tuple[str, ...] = tuple(PATHWAY_LABELS)
URGENCIES: tuple[str, ...] = ("emergency", "urgent", "routine")
THERAPY_TYPES: tuple[str, ...] = tuple(THERAPY_LABELS)
