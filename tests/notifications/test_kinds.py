"""Every kind of notification can be sent: its entry, its maker and its two templates exist."""

from __future__ import annotations

from pathlib import Path

import pytest

from booking.models import CarePlanEvent, NotificationKind
from booking.notifications.drafts import MAKERS
from booking.notifications.kinds import CARE_PLAN_NEWS, KINDS, templates

TEMPLATES = Path(__file__).resolve().parents[2] / "booking" / "templates"


def test_the_registry_has_an_entry_for_every_kind_and_no_other() -> None:
    assert sorted(KINDS) == sorted(NotificationKind)


@pytest.mark.parametrize("kind", list(NotificationKind))
def test_every_kind_has_a_maker_and_both_templates(kind: NotificationKind) -> None:
    entry = KINDS.get(kind)
    assert entry is not None, f"{kind} has no entry in booking/notifications/kinds.py"
    assert (entry.about, entry.recipient) in MAKERS, f"nothing makes {kind}'s message"
    assert entry.subject or kind == NotificationKind.CARE_PLAN, f"{kind} has no subject"
    for template in templates(kind):
        assert (TEMPLATES / template).is_file(), f"{kind} has no template {template}"


def test_every_care_plan_event_is_told_in_words() -> None:
    assert sorted(CARE_PLAN_NEWS) == sorted(CarePlanEvent)
