"""The rest of the screening contract's codes, and every code's patient-facing wording and order in one place.

The concerns, red flags and precautions each have a module of their own; here are the
preferences, the pathways, urgencies and therapy types a recommendation names, and the
lookups built from all of them.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from .concerns import CONCERN_CODES, CONCERNS
from .precautions import CAUTION_CODES, PRECAUTIONS, RECENT_SURGERY_CODE, RECENT_SURGERY_TEXT
from .red_flags import RED_FLAG_CODES, RED_FLAGS


@dataclass(frozen=True)
class Preference:
    """Which kind of therapy the patient would prefer, if any."""

    code: str
    text: str


PREFERENCES: tuple[Preference, ...] = (
    Preference("no_preference", "No preference: recommend what suits me"),
    Preference("physiotherapy", "Physiotherapy"),
    Preference("massage", "Massage therapy"),
)

PREFERENCE_CODES: tuple[str, ...] = tuple(p.code for p in PREFERENCES)
PATHWAYS: tuple[str, ...] = ("physiotherapy", "massage", "combined", "refer_out")
URGENCIES: tuple[str, ...] = ("emergency", "urgent", "routine")
THERAPY_TYPES: tuple[str, ...] = ("physiotherapy", "massage")

EXPLANATIONS: Mapping[str, str] = MappingProxyType(
    {
        **{c.code: c.explanation for c in CONCERNS},
        **{f.code: f.explanation for f in RED_FLAGS},
        **{p.code: p.explanation for p in PRECAUTIONS},
        RECENT_SURGERY_CODE: RECENT_SURGERY_TEXT,
    }
)

CODE_ORDER: Mapping[str, int] = MappingProxyType(
    {code: index for index, code in enumerate(CONCERN_CODES + RED_FLAG_CODES + CAUTION_CODES)}
)
