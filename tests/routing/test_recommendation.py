"""The Recommendation object: reasons, cautions, next-step advice and bookability."""

from booking.routing import Caution, Reason, recommend


def test_emergency_advice_sends_to_911() -> None:
    """An emergency flag tells the patient to call 911 or go to emergency, with no booking."""
    result = recommend({"concerns": ["chronic_pain"], "red_flags": ["chest_pain", "major_trauma"]})
    assert result.urgency == "emergency"
    assert "911" in result.advice and "emergency department" in result.advice
    assert not result.bookable
    assert [r.code for r in result.reasons] == ["chest_pain", "major_trauma"]


def test_urgent_advice_sends_to_a_doctor_today_and_health_link() -> None:
    """An urgent flag tells the patient to see a doctor today, or call Health Link 811."""
    result = recommend({"red_flags": ["fever_with_pain"]})
    assert result.urgency == "urgent"
    assert "today" in result.advice and "811" in result.advice
    assert not result.bookable


def test_contraindicated_massage_asks_for_clearance() -> None:
    """Massage alone with a contraindication: see a doctor, or book once cleared."""
    result = recommend({"concerns": ["relaxation"], "precautions": ["contagious_skin"]})
    assert (result.pathway, result.urgency) == ("refer_out", "routine")
    assert "doctor" in result.advice and "cleared" in result.advice
    assert [r.code for r in result.reasons] == ["contagious_skin"]
    assert [c.code for c in result.cautions] == ["contagious_skin"]


def test_combined_downgraded_by_a_contraindication_explains_why() -> None:
    """Combined care that loses massage gives the physiotherapy concern and the contraindication."""
    result = recommend(
        {"concerns": ["relaxation", "chronic_pain"], "precautions": ["pregnancy", "blood_clot"]}
    )
    assert result.pathway == "physiotherapy"
    assert [r.code for r in result.reasons] == ["chronic_pain", "blood_clot"]
    assert [c.code for c in result.cautions] == ["blood_clot"]


def test_red_flag_referral_keeps_contraindications_but_not_massage_cautions() -> None:
    """On a red-flag referral, contraindications stay listed; massage cautions do not apply."""
    result = recommend(
        {
            "concerns": ["relaxation"],
            "red_flags": ["calf_swelling"],
            "precautions": ["osteoporosis", "blood_clot"],
        }
    )
    assert [c.code for c in result.cautions] == ["blood_clot"]


def test_booking_advice_names_the_appointment() -> None:
    """Bookable pathways say which kind of appointment to book."""
    assert "physiotherapy" in recommend({"concerns": ["neurological"]}).advice
    assert "massage" in recommend({"concerns": ["relaxation"]}).advice
    combined = recommend({"concerns": ["athletic_performance"]})
    assert combined.bookable
    assert "physiotherapy assessment" in combined.advice and "massage" in combined.advice


def test_reasons_and_cautions_are_in_table_order_with_text() -> None:
    """Reasons and cautions follow the contract's table order and carry patient text."""
    result = recommend(
        {
            "concerns": ["relaxation", "post_surgery", "athletic_performance", "chronic_pain"],
            "precautions": ["osteoporosis", "anticoagulants"],
            "weeks_since_surgery": 5,
            "preference": "massage",
        }
    )
    assert [r.code for r in result.reasons] == [
        "chronic_pain",
        "post_surgery",
        "relaxation",
        "athletic_performance",
    ]
    assert [c.code for c in result.cautions] == ["anticoagulants", "osteoporosis", "recent_surgery"]
    assert all(isinstance(r, Reason) and r.text for r in result.reasons)
    assert all(isinstance(c, Caution) and c.text for c in result.cautions)
    assert result.to_dict()["preference"] == "massage"


def test_six_weeks_after_surgery_is_no_longer_recent() -> None:
    """R6 applies under 6 weeks only."""
    answers = {"concerns": ["post_surgery", "muscle_tension"]}
    recent = recommend({**answers, "weeks_since_surgery": 5})
    assert [c.code for c in recent.cautions] == ["recent_surgery"]
    assert not recommend({**answers, "weeks_since_surgery": 6}).cautions
