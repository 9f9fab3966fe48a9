"""Every caution has a clinical wording for staff, apart from the patient's own (booking.routing.clinical)."""

from __future__ import annotations

from booking.routing import CAUTION_CODES, recommend
from booking.routing.clinical import STAFF_CAUTIONS, for_staff
from booking.routing.explanations import EXPLANATIONS


def test_every_caution_code_has_a_staff_wording_unlike_the_patients() -> None:
    assert set(STAFF_CAUTIONS) == set(CAUTION_CODES)
    for code in CAUTION_CODES:
        assert STAFF_CAUTIONS[code] != EXPLANATIONS[code] and not STAFF_CAUTIONS[code].startswith("You")


def test_for_staff_rewords_only_the_cautions() -> None:
    patient = recommend({"concerns": ["relaxation", "post_surgery"], "weeks_since_surgery": 2,
                         "precautions": ["pregnancy", "osteoporosis"]})
    staff = for_staff(patient)
    assert [c.code for c in staff.cautions] == [c.code for c in patient.cautions]
    assert staff.cautions[0].text.startswith("Pregnant: avoid prone positioning after the first trimester")
    assert (staff.pathway, staff.reasons, staff.therapy_types) == (patient.pathway, patient.reasons,
                                                                   patient.therapy_types)
