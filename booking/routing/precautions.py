"""The precautions: conditions that rule massage out or change how it is given, each with its wording.

A recent surgery is a caution too (``RECENT_SURGERY_CODE``; how recent: ``rules.py``),
though it is answered as a number of weeks rather than ticked.
"""

from .codes import Precaution

PRECAUTIONS: tuple[Precaution, ...] = (
    Precaution(
        "blood_clot",
        "contraindicated",
        "A blood clot, or a doctor thinks I might have one",
        "Massage is not safe while you have, or might have, a blood clot; a doctor must "
        "clear you first.",
    ),
    Precaution(
        "acute_infection",
        "contraindicated",
        "A fever or an infection right now",
        "Massage must wait until your fever or infection has cleared.",
    ),
    Precaution(
        "contagious_skin",
        "contraindicated",
        "A skin condition that can spread, an open wound or a rash",
        "Massage must wait until your skin condition, wound or rash has healed or a "
        "doctor has cleared you.",
    ),
    Precaution(
        "anticoagulants",
        "caution",
        "I take blood thinners, or I bleed or bruise easily",
        "You take blood thinners or bleed easily: your massage therapist will use "
        "lighter pressure.",
    ),
    Precaution(
        "cancer_treatment",
        "caution",
        "I am being treated for cancer",
        "You are being treated for cancer: your massage therapist will check with your "
        "cancer care team before treating you.",
    ),
    Precaution(
        "pregnancy",
        "caution",
        "I am pregnant",
        "You are pregnant: you will see a massage therapist trained in pregnancy "
        "massage.",
    ),
    Precaution(
        "osteoporosis",
        "caution",
        "Osteoporosis or fragile bones",
        "You have fragile bones: your massage therapist will not use deep pressure over "
        "bone.",
    ),
)

RECENT_SURGERY_CODE = "recent_surgery"
RECENT_SURGERY_TEXT = (
    "Your surgery was less than 6 weeks ago: massage will avoid the surgical area until "
    "your physiotherapist says it is safe."
)

PRECAUTION_CODES: tuple[str, ...] = tuple(p.code for p in PRECAUTIONS)
CONTRAINDICATIONS: tuple[str, ...] = tuple(
    p.code for p in PRECAUTIONS if p.effect == "contraindicated"
)
MASSAGE_CAUTIONS: tuple[str, ...] = tuple(p.code for p in PRECAUTIONS if p.effect == "caution")
CAUTION_CODES: tuple[str, ...] = PRECAUTION_CODES + (RECENT_SURGERY_CODE,)
