"""When reminders are due, across both daylight-saving changes of the year (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from booking.scheduling.reminders import reminder_due, reminders_to_send
from tests.factories import CLINIC_ZONE, local


@pytest.mark.parametrize(("visit", "reminder", "hours_before"), [
    # spring forward, Sunday 8 March 2026, 02:00 -> 03:00: the same local time the day before, 23 hours
    (local(2026, 3, 8, 10), local(2026, 3, 7, 10), 23),
    (local(2026, 3, 9, 1, 30), local(2026, 3, 8, 1, 30), 23),
    (local(2026, 3, 9, 10), local(2026, 3, 8, 10), 24),
    # fall back, Sunday 1 November 2026, 02:00 -> 01:00: the same local time the day before, 25 hours
    (local(2026, 11, 1, 10), local(2026, 10, 31, 10), 25),
    (local(2026, 11, 2, 1, 30), local(2026, 11, 1, 1, 30), 25),  # 01:30 twice that night: the first
    (local(2026, 11, 2, 10), local(2026, 11, 1, 10), 24),
])
def test_a_whole_day_offset_keeps_the_local_time(visit: datetime, reminder: datetime, hours_before: int) -> None:
    due = reminder_due(visit, 1440, CLINIC_ZONE)
    assert due == reminder.astimezone(UTC)  # (PEP 495: an ambiguous local time equals nothing in UTC)
    assert visit - due == timedelta(hours=hours_before)


@pytest.mark.parametrize("visit", [local(2026, 3, 8, 3, 30), local(2026, 11, 1, 1, 30), local(2026, 11, 1, 3)])
def test_other_offsets_are_exact_durations_across_a_change(visit: datetime) -> None:
    assert visit - reminder_due(visit, 120, CLINIC_ZONE) == timedelta(hours=2)


def test_a_local_time_skipped_in_spring_is_read_as_the_hour_after() -> None:
    visit = local(2026, 3, 9, 2, 30)  # 02:30 does not exist on 8 March
    assert reminder_due(visit, 1440, CLINIC_ZONE).astimezone(CLINIC_ZONE) == local(2026, 3, 8, 3, 30)


def test_reminders_already_due_are_left_out() -> None:
    visit = local(2026, 12, 2, 10)
    now = visit - timedelta(hours=5)
    assert reminders_to_send(visit, [1440, 120, 120], CLINIC_ZONE, now) == [
        (120, (visit - timedelta(hours=2)).astimezone(UTC))]
    assert reminders_to_send(visit, [1440], CLINIC_ZONE, visit - timedelta(days=2)) == [
        (1440, local(2026, 12, 1, 10).astimezone(UTC))]


def test_an_offset_must_be_positive() -> None:
    with pytest.raises(ValueError):
        reminder_due(local(2026, 12, 2, 10), 0, CLINIC_ZONE)
