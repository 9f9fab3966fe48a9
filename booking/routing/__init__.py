"""Routing a patient to care before booking: validate the screening answers and recommend a pathway (pure).

Not URL routing: the name is the screening contract's (`../shared/screening/CONTRACT.md` fixes
``booking.routing.recommend`` and ``booking.routing.ScreeningError`` as its Python interface).
"""

from .answers import Answers
from .codes import PATHWAY_LABELS, PATHWAYS, PREFERENCE_CODES, THERAPY_LABELS, THERAPY_TYPES, URGENCIES
from .concerns import CONCERN_CODES, MASSAGE_CONCERNS, PHYSIOTHERAPY_CONCERNS
from .precautions import CAUTION_CODES, CONTRAINDICATIONS, MASSAGE_CAUTIONS, PRECAUTION_CODES, RECENT_SURGERY_CODE
from .questions import QUESTIONS
from .recommendation import (
    Caution,
    CodeTextDict,
    Reason,
    Recommendation,
    RecommendationDict,
    recommend,
)
from .red_flags import EMERGENCY_FLAGS, RED_FLAG_CODES
from .rules import RULES_VERSION, refer_out_certain
from .validation import ANSWER_KEYS, ScreeningError, normalise_answers, validate_answers

__all__ = [
    "ANSWER_KEYS",
    "CAUTION_CODES",
    "CONCERN_CODES",
    "CONTRAINDICATIONS",
    "EMERGENCY_FLAGS",
    "MASSAGE_CAUTIONS",
    "MASSAGE_CONCERNS",
    "PATHWAY_LABELS",
    "PATHWAYS",
    "PHYSIOTHERAPY_CONCERNS",
    "PRECAUTION_CODES",
    "PREFERENCE_CODES",
    "QUESTIONS",
    "RECENT_SURGERY_CODE",
    "RED_FLAG_CODES",
    "RULES_VERSION",
    "THERAPY_LABELS",
    "THERAPY_TYPES",
    "URGENCIES",
    "Answers",
    "Caution",
    "CodeTextDict",
    "Reason",
    "Recommendation",
    "RecommendationDict",
    "ScreeningError",
    "normalise_answers",
    "recommend",
    "refer_out_certain",
    "validate_answers",
]
