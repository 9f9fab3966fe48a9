"""The worker's tasks: thin, named, taking ids only, idempotent; the work is in booking.notifications."""

from __future__ import annotations

from celery import shared_task

from booking.notifications import delivery
from booking.outbox import relay
from booking.services.privacy import destruction, tidy
from booking.services.waitlist import entries, offering


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


@shared_task(name="waitlist.advance", ignore_result=True)
def advance_opening(opening_id: int) -> int:
    """Offer a freed time to the waitlist (or close it); how many offers it made (a repeated task makes none)."""
    return len(offering.advance(opening_id))


@shared_task(name="waitlist.sweep", ignore_result=True)
def sweep_openings() -> int:
    """End the places on the list whose "until" has come (their offers withdrawn), then hand over the openings that
    need a turn and were not (a lost task, a broker outage, expired or withdrawn offers)."""
    entries.expire_passed()
    return offering.sweep()


@shared_task(name="privacy.retention", ignore_result=True)
def destroy_passed_records() -> int:
    """Destroy every record of each person whose retention date has come (a hold keeps them); how many people.
    Takes no arguments: it finds them itself, and logs counts only."""
    return len(destruction.destroy_due().destroyed)
@shared_task(name="privacy.tidy", ignore_result=True)
def tidy_what_is_not_kept() -> int:
    """Remove what is never meant to be kept once its date has come (unbooked screenings, drafts, contact messages,
    typed addresses, ended waitlist places); how many in all. Takes no arguments and logs counts only."""
    return tidy.tidy().total
