"""Every code's patient-facing wording in one lookup, and the order reasons and cautions are listed in."""

from collections.abc import Mapping
from types import MappingProxyType

from .concerns import CONCERN_CODES, CONCERNS
from .precautions import CAUTION_CODES, PRECAUTIONS, RECENT_SURGERY_CODE, RECENT_SURGERY_TEXT
from .red_flags import RED_FLAG_CODES, RED_FLAGS

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
