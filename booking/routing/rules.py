"""The routing rules R1-R7 of the screening contract, applied in order to validated answers."""

from dataclasses import dataclass, replace

from .answers import Answers
from .concerns import MASSAGE_CONCERNS, PHYSIOTHERAPY_CONCERNS
from .precautions import CONTRAINDICATIONS, MASSAGE_CAUTIONS, RECENT_SURGERY_CODE
from .red_flags import EMERGENCY_FLAGS

# The version of the rules that decided a screening; it is stored with every screening.
# It MUST change whenever any rule, code or code meaning in this package changes, so that
# a stored recommendation can always be explained by the rules that made it.
RULES_VERSION = "2026-12-01.1"

RECENT_SURGERY_WEEKS = 6


@dataclass(frozen=True)
class Decision:
    """The outcome of the rules as codes: what may be booked, why, and what to watch for."""

    pathway: str
    urgency: str
    therapy_types: tuple[str, ...]
    reasons: tuple[str, ...]
    cautions: tuple[str, ...] = ()
    preference: str = "no_preference"


def _contraindications(answers: Answers) -> tuple[str, ...]:
    """Return the precautions the patient reported that rule massage out."""
    return tuple(code for code in answers.precautions if code in CONTRAINDICATIONS)


def refer_out_certain(answers: Answers) -> bool:
    """Whether the answers given already decide refer_out, whatever else would be answered.

    That is exactly when a red flag is present: R1 comes first and no later rule overrides
    it. A screening may then stop at once and ask nothing more (the questions not asked,
    weeks since surgery included, are not needed).
    """
    return bool(answers.red_flags)


def r1_red_flags(answers: Answers) -> Decision | None:
    """R1 red flags: any red flag means see a doctor first (refer_out) and no booking.

    Urgency is emergency when any emergency flag is present (call 911 or go to the
    emergency department), otherwise urgent (see a doctor today; Health Link 811 in
    Alberta). Reported contraindications stay listed. Returns None when no flag applies.
    """
    if not refer_out_certain(answers):
        return None
    emergency = any(code in EMERGENCY_FLAGS for code in answers.red_flags)
    return Decision(
        pathway="refer_out",
        urgency="emergency" if emergency else "urgent",
        therapy_types=(),
        reasons=answers.red_flags,
        cautions=_contraindications(answers),
    )


def r2_needs(answers: Answers) -> tuple[bool, bool]:
    """R2 needs (clinic guidance): return (needs physiotherapy, needs massage therapy).

    Physiotherapy is needed for any physiotherapy indicator (chronic pain, injury rehab,
    recovery from surgery, neurological condition, mobility limitation, exercise programme);
    massage for any massage indicator (muscle tension, stress, tension headache, minor
    strain, relaxation). Athletic performance needs both.
    """
    physiotherapy = any(code in PHYSIOTHERAPY_CONCERNS for code in answers.concerns)
    massage = any(code in MASSAGE_CONCERNS for code in answers.concerns)
    return physiotherapy, massage


def r3_pathway(answers: Answers, physiotherapy: bool, massage: bool) -> Decision:
    """R3 pathway: both needed gives combined, otherwise the one therapy that is needed.

    A combined plan lists physiotherapy first, because it opens with an assessment.
    The reasons are the concerns that created each need.
    """
    therapy_types: tuple[str, ...]
    if physiotherapy and massage:
        pathway, therapy_types = "combined", ("physiotherapy", "massage")
    elif physiotherapy:
        pathway, therapy_types = "physiotherapy", ("physiotherapy",)
    else:
        pathway, therapy_types = "massage", ("massage",)
    return Decision(
        pathway=pathway,
        urgency="routine",
        therapy_types=therapy_types,
        reasons=_reasons_for(answers, therapy_types),
    )


def _reasons_for(answers: Answers, therapy_types: tuple[str, ...]) -> tuple[str, ...]:
    """Return the concerns that call for any of the given therapies."""
    indicators = {"physiotherapy": PHYSIOTHERAPY_CONCERNS, "massage": MASSAGE_CONCERNS}
    return tuple(
        code
        for code in answers.concerns
        if any(code in indicators[therapy] for therapy in therapy_types)
    )


def r4_massage_contraindicated(decision: Decision, answers: Answers) -> Decision:
    """R4 massage contraindicated (blood clot, acute infection, contagious skin condition).

    Combined becomes physiotherapy; massage alone becomes refer_out with routine urgency
    (see a doctor, or book once cleared). The contraindication is listed in cautions
    either way, and is a reason whenever it took massage away.
    """
    found = _contraindications(answers)
    if not found:
        return decision
    cautions = decision.cautions + found
    if "massage" not in decision.therapy_types:
        return replace(decision, cautions=cautions)
    if decision.pathway == "combined":
        return replace(
            decision,
            pathway="physiotherapy",
            therapy_types=("physiotherapy",),
            reasons=_reasons_for(answers, ("physiotherapy",)) + found,
            cautions=cautions,
        )
    return replace(
        decision,
        pathway="refer_out",
        urgency="routine",
        therapy_types=(),
        reasons=found,
        cautions=cautions,
    )


def r5_massage_cautions(decision: Decision, answers: Answers) -> Decision:
    """R5 massage cautions (blood thinners, cancer treatment, pregnancy, osteoporosis).

    They never change the pathway; they are listed in cautions whenever massage may be
    booked, so the massage therapist adapts the treatment.
    """
    if "massage" not in decision.therapy_types:
        return decision
    found = tuple(code for code in answers.precautions if code in MASSAGE_CAUTIONS)
    return replace(decision, cautions=decision.cautions + found)


def r6_recent_surgery(decision: Decision, answers: Answers) -> Decision:
    """R6 recent surgery: surgery under 6 weeks ago with massage bookable adds a caution.

    Massage avoids the surgical site until the physiotherapist clears it.
    """
    recent = (
        "post_surgery" in answers.concerns
        and answers.weeks_since_surgery is not None
        and answers.weeks_since_surgery < RECENT_SURGERY_WEEKS
    )
    if not recent or "massage" not in decision.therapy_types:
        return decision
    return replace(decision, cautions=decision.cautions + (RECENT_SURGERY_CODE,))


def r7_preference(decision: Decision, answers: Answers) -> Decision:
    """R7 preference: recorded and shown beside the recommendation; it changes nothing else."""
    return replace(decision, preference=answers.preference)


def decide(answers: Answers) -> Decision:
    """Apply R1-R7 in the contract's order to validated answers."""
    decision = r1_red_flags(answers)
    if decision is None:
        decision = r3_pathway(answers, *r2_needs(answers))
        decision = r4_massage_contraindicated(decision, answers)
        decision = r5_massage_cautions(decision, answers)
        decision = r6_recent_surgery(decision, answers)
    return r7_preference(decision, answers)
