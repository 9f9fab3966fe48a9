"""Screening use cases: run the routing rules on a patient's answers, store and find the result."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from booking.extensions import db
from booking.models import Screening
from booking.routing import Caution, Reason, Recommendation, recommend
from booking.validators import parse_uuid


def create_screening(answers: Mapping[str, object]) -> Screening:
    """Store the answers with their recommendation; raises ScreeningError for invalid answers."""
    recommendation = recommend(answers)
    screening = Screening(
        answers=dict(answers),
        recommendation=dict(recommendation.to_dict()),
        pathway=recommendation.pathway,
        urgency=recommendation.urgency,
        rules_version=recommendation.rules_version,
    )
    db.session.add(screening)
    db.session.commit()
    return screening


def get_screening(screening_id: str | uuid.UUID) -> Screening | None:
    """Return the screening with this id, or None for an unknown or malformed id."""
    key = parse_uuid(screening_id)
    return db.session.get(Screening, key) if key else None


def recommendation_of(screening: Screening) -> Recommendation:
    """Return the stored recommendation as the routing engine's Recommendation (advice, bookable)."""
    stored = screening.recommendation
    return Recommendation(
        pathway=stored["pathway"],
        urgency=stored["urgency"],
        therapy_types=tuple(stored["therapy_types"]),
        reasons=tuple(Reason(**reason) for reason in stored["reasons"]),
        cautions=tuple(Caution(**caution) for caution in stored["cautions"]),
        preference=stored["preference"],
        rules_version=stored["rules_version"],
    )
