"""The reasons for a visit the screening offers, each with the therapy it calls for and its wording."""

from .codes import Concern

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

CONCERN_CODES: tuple[str, ...] = tuple(c.code for c in CONCERNS)
PHYSIOTHERAPY_CONCERNS: tuple[str, ...] = tuple(
    c.code for c in CONCERNS if c.group in ("physiotherapy", "both")
)
MASSAGE_CONCERNS: tuple[str, ...] = tuple(
    c.code for c in CONCERNS if c.group in ("massage", "both")
)
