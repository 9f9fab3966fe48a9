"""The worker's tasks: thin, named, taking ids only, idempotent; the work is in booking.notifications."""

from __future__ import annotations

from celery import shared_task

from booking.notifications import delivery
from booking.outbox import relay


@shared_task(name="notifications.deliver", ignore_result=True)
def deliver(notification_id: int) -> str:
    """Send one notification if it is due and unclaimed (a repeated task does nothing)."""
    return delivery.deliver(notification_id)


@shared_task(name="notifications.deliver_batch", ignore_result=True)
def deliver_batch(notification_ids: list[int]) -> list[str]:
    """Send each of the beat relay's notifications, each claimed and marked on its own (see the relay)."""
    return delivery.deliver_each(notification_ids)


@shared_task(name="notifications.relay", ignore_result=True)
def relay_due() -> int:
    """Hand every due notification to the workers."""
    return relay.relay_due()
