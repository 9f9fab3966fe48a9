"""Each caution's wording for the therapist and the front desk, in clinical words (the patient's is in explanations.py).

Staff pages show a screening's cautions through ``for_staff``; the patient's own
pages keep the plain wording of ``explanations.EXPLANATIONS``. Every caution code of the
contract (``precautions.CAUTION_CODES``) has a line here.
"""

from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType

from .recommendation import Caution, Recommendation

STAFF_CAUTIONS: Mapping[str, str] = MappingProxyType({
    "blood_clot": "Contraindicated: current or suspected blood clot (DVT). No massage until medically cleared.",
    "acute_infection": "Contraindicated: current fever or acute infection. No massage until it has resolved.",
    "contagious_skin": "Contraindicated: contagious skin condition, open wound or rash. No massage until healed or "
                       "medically cleared; never over the affected area.",
    "anticoagulants": "Anticoagulants or bleeding disorder: light pressure only; no deep tissue, percussion or "
                      "cupping; watch for bruising.",
    "cancer_treatment": "In active cancer treatment: clearance from the oncology team before treating; adapt "
                        "pressure and positioning; avoid ports, radiation and surgical sites.",
    "pregnancy": "Pregnant: avoid prone positioning after the first trimester; side-lying with support; "
                 "prenatal-trained therapist.",
    "osteoporosis": "Osteoporosis or low bone density: no deep pressure or thrust over bone (spine, ribs, hips); "
                    "gentle positioning; fracture risk.",
    "recent_surgery": "Surgery under 6 weeks ago: avoid the surgical site and incision until the physiotherapist "
                      "clears it.",
})


def for_staff(recommendation: Recommendation) -> Recommendation:
    """The recommendation with its cautions in the staff wording (a code without one keeps its text)."""
    return replace(recommendation, cautions=tuple(Caution(caution.code, STAFF_CAUTIONS.get(caution.code, caution.text))
                                                  for caution in recommendation.cautions))
