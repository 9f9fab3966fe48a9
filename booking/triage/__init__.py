"""Pre-booking screening: validate a patient's answers and recommend a care pathway (pure)."""

from .answers import Answers
from .codes import (
    CAUTION_CODES,
    CONCERN_CODES,
    CONTRAINDICATIONS,
    EMERGENCY_FLAGS,
    MASSAGE_CAUTIONS,
    MASSAGE_CONCERNS,
    PATHWAY_LABELS,
    PATHWAYS,
    PHYSIOTHERAPY_CONCERNS,
    PRECAUTION_CODES,
    PREFERENCE_CODES,
    RECENT_SURGERY_CODE,
    RED_FLAG_CODES,
    THERAPY_LABELS,
    THERAPY_TYPES,
    URGENCIES,
)
from .questions import QUESTIONS
from .recommendation import (
    Caution,
    CodeTextDict,
    Reason,
    Recommendation,
    RecommendationDict,
    recommend,
)
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
