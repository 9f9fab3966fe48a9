"""The screening service: screen, store and find screenings."""

from __future__ import annotations

import pytest
from flask import Flask

from booking.extensions import db
from booking.models import Screening, ScreeningDraft
from booking.routing import RULES_VERSION, ScreeningError, recommend
from booking.services.screenings import create_screening, get_screening, load_draft, recommendation_of, save_draft

ANSWERS = {"concerns": ["post_surgery", "muscle_tension"], "weeks_since_surgery": 3,
           "precautions": ["anticoagulants"], "preference": "massage", "pain_level": 4}


def test_create_screening_stores_answers_recommendation_and_rules_version(app: Flask) -> None:
    screening_id = create_screening(ANSWERS).id
    db.session.expunge_all()
    stored = db.session.get(Screening, screening_id)
    assert stored is not None
    assert stored.answers == ANSWERS
    assert stored.recommendation == recommend(ANSWERS).to_dict()
    assert (stored.pathway, stored.urgency, stored.rules_version) == ("combined", "routine", RULES_VERSION)
    assert stored.therapy_types == ["physiotherapy", "massage"]
    assert stored.created_at.tzinfo is not None


def test_invalid_answers_raise_and_store_nothing(app: Flask) -> None:
    with pytest.raises(ScreeningError) as caught:
        create_screening({"concerns": ["post_surgery"], "pain_level": 11})
    assert set(caught.value.errors) == {"weeks_since_surgery", "pain_level"}
    assert db.session.scalars(db.select(Screening)).first() is None


def test_get_screening_by_uuid_or_text(app: Flask) -> None:
    screening = create_screening(ANSWERS)
    assert get_screening(screening.id) is screening
    assert get_screening(str(screening.id).upper()) is screening


@pytest.mark.parametrize("screening_id", ["3d5c1f0e-0000-4000-8000-00000000a001", "not-a-uuid", "", "1234",
                                          "' OR 1=1 --"])
def test_unknown_or_malformed_id_gives_none(app: Flask, screening_id: str) -> None:
    create_screening(ANSWERS)
    assert get_screening(screening_id) is None


def test_recommendation_of_gives_back_the_engines_recommendation(app: Flask) -> None:
    screening = create_screening({"concerns": ["relaxation"], "red_flags": ["calf_swelling"]})
    recommendation = recommendation_of(screening)
    assert recommendation == recommend(screening.answers)
    assert not recommendation.bookable and "811" in recommendation.advice


def test_create_screening_keeps_the_normalised_answers_and_deletes_the_draft(app: Flask) -> None:
    token = save_draft(None, {"data": {"reasons": {"concerns": ["relaxation"]}}})
    screening = create_screening({"red_flags": ["chest_pain"] * 50, "concerns": ["relaxation", "chronic_pain"]},
                                 draft=token)
    assert screening.answers == {"concerns": ["chronic_pain", "relaxation"], "red_flags": ["chest_pain"]}
    assert load_draft(token) is None
    assert db.session.scalars(db.select(ScreeningDraft)).first() is None
