"""The red flags: symptoms that need a doctor before any booking, each with its urgency and wording."""

from .codes import RedFlag

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

RED_FLAG_CODES: tuple[str, ...] = tuple(f.code for f in RED_FLAGS)
EMERGENCY_FLAGS: tuple[str, ...] = tuple(f.code for f in RED_FLAGS if f.urgency == "emergency")
