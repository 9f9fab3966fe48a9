"""The screening codes fixed by the contract, each with its patient-facing wording."""

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

Group = Literal["physiotherapy", "massage", "both"]
Urgency = Literal["emergency", "urgent", "routine"]
Effect = Literal["contraindicated", "caution"]


@dataclass(frozen=True)
class Concern:
    """A reason for the visit: `text` is the option label, `explanation` the reason shown."""

    code: str
    group: Group
    text: str
    explanation: str


@dataclass(frozen=True)
class RedFlag:
    """A symptom that needs a doctor before any booking."""

    code: str
    urgency: Urgency
    text: str
    explanation: str


@dataclass(frozen=True)
class Precaution:
    """A condition that rules out massage (contraindicated) or changes how it is given (caution)."""

    code: str
    effect: Effect
    text: str
    explanation: str


@dataclass(frozen=True)
class Preference:
    """Which kind of therapy the patient would prefer, if any."""

    code: str
    text: str


CONCERNS: tuple[Concern, ...] = (
    Concern(
        "chronic_pain",
        "physiotherapy",
        "Long-lasting pain or a long-term condition, such as arthritis or back pain",
        "You have long-lasting pain or a long-term condition such as arthritis or back pain; "
        "physiotherapy helps you manage it and stay active.",
    ),
    Concern(
        "injury_rehab",
        "physiotherapy",
        "An injury I need to recover from, such as a sports injury",
        "You have an injury to recover from; physiotherapy rebuilds strength and movement "
        "step by step.",
    ),
    Concern(
        "post_surgery",
        "physiotherapy",
        "Recovering from surgery",
        "You are recovering from surgery; physiotherapy guides a safe return to your "
        "everyday activities.",
    ),
    Concern(
        "neurological",
        "physiotherapy",
        "A condition of the brain or nerves that affects how I move, such as a stroke, "
        "MS or Parkinson's",
        "A condition of the brain or nerves affects how you move; physiotherapy works on "
        "balance, strength and everyday movement.",
    ),
    Concern(
        "mobility_limitation",
        "physiotherapy",
        "Trouble moving or doing everyday tasks, such as walking, climbing stairs or "
        "lifting my arm",
        "You have trouble moving or doing everyday tasks; physiotherapy finds the cause "
        "and works on it.",
    ),
    Concern(
        "exercise_program",
        "physiotherapy",
        "I want an exercise plan made for me to get stronger or fitter",
        "You want an exercise plan made for you; a physiotherapist designs one that fits "
        "your body and goals.",
    ),
    Concern(
        "muscle_tension",
        "massage",
        "Tight muscles or knots that are sore or uncomfortable",
        "You have tight muscles or knots; massage therapy loosens them and eases the "
        "discomfort.",
    ),
    Concern(
        "stress_relief",
        "massage",
        "Stress or anxiety I want relief from",
        "You want relief from stress or anxiety; massage therapy helps your body and mind "
        "relax.",
    ),
    Concern(
        "tension_headache",
        "massage",
        "Headaches or migraines that come from tight muscles in my neck or shoulders",
        "Your headaches come from tight muscles; massage therapy eases the tension in "
        "your neck and shoulders.",
    ),
    Concern(
        "minor_strain",
        "massage",
        "A minor strain or sprain that does not need a full rehabilitation program",
        "You have a minor strain; massage therapy eases the sore muscles while it heals.",
    ),
    Concern(
        "relaxation",
        "massage",
        "Relaxation and general well-being",
        "You want to relax and feel well; massage therapy is a good fit.",
    ),
    Concern(
        "athletic_performance",
        "both",
        "I play sports and want to perform better and avoid injuries",
        "You want to perform better in your sport and avoid injuries; physiotherapy and "
        "massage therapy both help with this.",
    ),
)

RED_FLAGS: tuple[RedFlag, ...] = (
    RedFlag(
        "chest_pain",
        "emergency",
        "Chest pain or pressure, or sudden shortness of breath",
        "Chest pain or pressure, or sudden shortness of breath, must be checked by a "
        "doctor right away.",
    ),
    RedFlag(
        "bladder_bowel_change",
        "emergency",
        "New loss of control of your bladder or bowels, or trouble passing urine",
        "A new loss of bladder or bowel control, or trouble passing urine, must be "
        "checked by a doctor right away.",
    ),
    RedFlag(
        "saddle_numbness",
        "emergency",
        "Numbness around your groin, genitals or buttocks",
        "Numbness around the groin, genitals or buttocks must be checked by a doctor "
        "right away.",
    ),
    RedFlag(
        "progressive_weakness",
        "emergency",
        "Weakness or numbness in your arms or legs that is getting worse",
        "Weakness or numbness in the arms or legs that is getting worse must be checked "
        "by a doctor right away.",
    ),
    RedFlag(
        "sudden_severe_headache",
        "emergency",
        "A sudden, severe headache, the worst you have ever had",
        "A sudden, severe headache must be checked by a doctor right away.",
    ),
    RedFlag(
        "major_trauma",
        "urgent",
        "A recent fall, accident or hard blow with severe pain",
        "A recent fall, accident or blow with severe pain may mean a broken bone; a "
        "doctor should check you first.",
    ),
    RedFlag(
        "calf_swelling",
        "urgent",
        "A painful, warm or swollen calf",
        "A painful, warm or swollen calf may mean a blood clot; a doctor should check "
        "you first.",
    ),
    RedFlag(
        "fever_with_pain",
        "urgent",
        "A fever, or feeling generally unwell, along with your pain",
        "A fever or feeling unwell along with your pain may mean an infection; a doctor "
        "should check you first.",
    ),
    RedFlag(
        "unexplained_weight_loss",
        "urgent",
        "Weight loss you cannot explain, or new pain after having had cancer",
        "Weight loss you cannot explain, or new pain after cancer, should be checked by "
        "a doctor first.",
    ),
    RedFlag(
        "constant_night_pain",
        "urgent",
        "Constant pain at night that does not ease when you rest",
        "Constant pain at night that rest does not ease should be checked by a doctor "
        "first.",
    ),
)

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

# How each therapy type is named in a sentence ("does not give massage therapy"; capitalised to start one), and each
# pathway on staff pages: the one home of these words, for pages, emails and the preference question alike.
THERAPY_LABELS: Mapping[str, str] = MappingProxyType({"physiotherapy": "physiotherapy", "massage": "massage therapy"})
PATHWAY_LABELS: Mapping[str, str] = MappingProxyType({
    "physiotherapy": "Physiotherapy",
    "massage": "Massage therapy",
    "combined": "Combined care (physiotherapy and massage therapy)",
    "refer_out": "Referred out (see a doctor first)",
})

PREFERENCES: tuple[Preference, ...] = (
    Preference("no_preference", "No preference: recommend what suits me"),
    *(Preference(kind, label.capitalize()) for kind, label in THERAPY_LABELS.items()),
)

CONCERN_CODES: tuple[str, ...] = tuple(c.code for c in CONCERNS)
PHYSIOTHERAPY_CONCERNS: tuple[str, ...] = tuple(
    c.code for c in CONCERNS if c.group in ("physiotherapy", "both")
)
MASSAGE_CONCERNS: tuple[str, ...] = tuple(
    c.code for c in CONCERNS if c.group in ("massage", "both")
)
RED_FLAG_CODES: tuple[str, ...] = tuple(f.code for f in RED_FLAGS)
EMERGENCY_FLAGS: tuple[str, ...] = tuple(f.code for f in RED_FLAGS if f.urgency == "emergency")
PRECAUTION_CODES: tuple[str, ...] = tuple(p.code for p in PRECAUTIONS)
CONTRAINDICATIONS: tuple[str, ...] = tuple(
    p.code for p in PRECAUTIONS if p.effect == "contraindicated"
)
MASSAGE_CAUTIONS: tuple[str, ...] = tuple(p.code for p in PRECAUTIONS if p.effect == "caution")
PREFERENCE_CODES: tuple[str, ...] = tuple(p.code for p in PREFERENCES)
CAUTION_CODES: tuple[str, ...] = PRECAUTION_CODES + (RECENT_SURGERY_CODE,)
PATHWAYS: tuple[str, ...] = tuple(PATHWAY_LABELS)
URGENCIES: tuple[str, ...] = ("emergency", "urgent", "routine")
THERAPY_TYPES: tuple[str, ...] = tuple(THERAPY_LABELS)

EXPLANATIONS: Mapping[str, str] = MappingProxyType(
    {
        **{c.code: c.explanation for c in CONCERNS},
        **{f.code: f.explanation for f in RED_FLAGS},
        **{p.code: p.explanation for p in PRECAUTIONS},
        RECENT_SURGERY_CODE: RECENT_SURGERY_TEXT,
    }
)

CODE_ORDER: Mapping[str, int] = MappingProxyType(
    {code: index for index, code in enumerate(CONCERN_CODES + RED_FLAG_CODES + CAUTION_CODES)}
)
