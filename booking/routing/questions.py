"""QUESTIONS: a JSON-serialisable description of every screening question, in asking order.

A question may carry "asked_when" ({answer key: code}: asked only when that answer holds
the code) and "required_unless" (an answer key: not required once that answer is not empty).
"""

from typing import Any

from .codes import PREFERENCES
from .concerns import CONCERNS
from .precautions import PRECAUTIONS
from .red_flags import RED_FLAGS
from .validation import INTEGER_RANGES


def _integer_question(
    key: str, text: str, hint: str, extra: dict[str, object]
) -> dict[str, Any]:
    """Describe an optional whole-number question whose range comes from validation."""
    _, low, high = INTEGER_RANGES[key]
    return {
        "key": key,
        "kind": "integer",
        "text": text,
        "hint": hint,
        "required": False,
        "min": low,
        "max": high,
        **extra,
    }


QUESTIONS: list[dict[str, Any]] = [
    {
        "key": "concerns",
        "kind": "multi",
        "text": "Why are you coming to see us?",
        "hint": "Choose everything that applies.",
        "required": "at least one answer here or under red_flags",
        "options": [{"code": c.code, "text": c.text, "group": c.group} for c in CONCERNS],
    },
    {
        "key": "red_flags",
        "kind": "multi",
        "text": "In the past few days, have you had any of these?",
        "hint": (
            "These can be signs of a problem a doctor needs to check first. "
            "Leave them all unticked if none apply."
        ),
        "required": False,
        "default": [],
        "options": [{"code": f.code, "text": f.text, "urgency": f.urgency} for f in RED_FLAGS],
    },
    {
        "key": "precautions",
        "kind": "multi",
        "text": "Do any of these apply to you right now?",
        "hint": (
            "Some health conditions change how massage is given, or mean it has to wait. "
            "Leave them all unticked if none apply."
        ),
        "required": False,
        "default": [],
        "options": [{"code": p.code, "text": p.text, "effect": p.effect} for p in PRECAUTIONS],
    },
    _integer_question(
        "pain_level",
        "How bad is your pain right now?",
        "0 means no pain at all and 10 means the worst pain you can imagine.",
        {},
    ),
    _integer_question(
        "symptom_weeks",
        "How many weeks have you had this problem?",
        "Your best guess is fine. Enter 0 if it started this week.",
        {"unit": "weeks"},
    ),
    _integer_question(
        "weeks_since_surgery",
        "How many weeks ago was your surgery?",
        "Your best guess is fine. Enter 0 if it was this week.",
        # Asked after surgery; not needed once a red flag decides (R1 needs no more answers).
        {
            "unit": "weeks",
            "required": True,
            "asked_when": {"concerns": "post_surgery"},
            "required_unless": "red_flags",
        },
    ),
    {
        "key": "preference",
        "kind": "single",
        "text": "Would you prefer a particular kind of therapy?",
        "hint": "We will note your preference, but our recommendation is based on your answers.",
        "required": False,
        "default": "no_preference",
        "options": [{"code": p.code, "text": p.text} for p in PREFERENCES],
    },
]
