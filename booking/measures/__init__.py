"""Outcome measures as pure rules: their definitions and scoring, the change since the baseline, and the flag.

No Flask and no database (floor 0). docs/outcome-measures.md describes each measure, its MCID and its source.
"""

from .change import Change, ChangeKind, change, item_changes, points, score_text
from .definition import Anchor, Answers, Item, Measure, MeasureError, Scale, Scoring
from .registry import MEASURES, Registry, asked_at, measure, with_clinic_measures
from .steer import AFTER_SESSIONS, Flag, Measurement, changes_since_baseline, steer

__all__ = [
    "AFTER_SESSIONS", "MEASURES", "Anchor", "Answers", "Change", "ChangeKind", "Flag", "Item", "Measure",
    "MeasureError", "Measurement", "Registry", "Scale", "Scoring", "asked_at", "change", "changes_since_baseline",
    "item_changes", "measure", "points", "score_text", "steer", "with_clinic_measures",
]
