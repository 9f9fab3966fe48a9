"""The waitlist's pure rules: which waiting entries a freed time fits, in what order, and for how long it is held."""

from .rules import (
    ALL_DAYS,
    DEFAULT_CLAIM_WINDOW,
    MINIMUM_CLAIM_WINDOW,
    PARTS_OF_DAY,
    Opening,
    WaitingEntry,
    claim_window,
    fits,
    ranked,
)

__all__ = [
    "ALL_DAYS", "DEFAULT_CLAIM_WINDOW", "MINIMUM_CLAIM_WINDOW", "PARTS_OF_DAY",
    "Opening", "WaitingEntry", "claim_window", "fits", "ranked",
]
