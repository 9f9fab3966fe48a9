"""What is never meant to be kept, kept only as long as it is needed: the nightly tidy (the task ``privacy.tidy``).

- Screenings never booked: no visit, no care plan and no waitlist place was made with them (a questionnaire
  comes only with a visit), ``unbooked_screening_days`` after they were taken; with them, a combined
  screening's dismissal from the "needs a care plan" queue, and a screening still waiting there unbooked leaves it.
- Screenings in progress (drafts) once they have expired (``screenings.DRAFT_LIFETIME`` after the last step).
- Messages from the home page's form, ``contact_message_days`` after they came, with the staff's notices of them.
- The address typed into "Manage my booking" (the ``recipient`` of a "manage_links" notification), once its email
  was sent, failed for good or was not owed (no visit to come): nothing is sent to it again.
- Places on the waitlist that ended without a booking (left, removed, expired), ``ENDED_PLACE_DAYS`` after they
  ended, with their offers and the emails of both. The freed times (openings) stay, and so does the waitlist's
  figure: a place's offers were made before it ended, so their openings are older than the figure looks back.

Each kind goes on its date (its age reaches its days), not before. Everything happens in one transaction; only the
counts are logged, never what a row held.
"""

from __future__ import annotations

import logging
from dataclasses import astuple, dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, or_, select, update

from booking.clinic.clock import moment
from booking.clinic.settings import clinic_settings
from booking.database import changed_rows
from booking.extensions import db
from booking.models import (
    Appointment,
    CarePlan,
    CarePlanDismissal,
    ContactMessage,
    Notification,
    NotificationKind,
    NotificationStatus,
    Screening,
    WaitlistEntry,
    WaitlistOffer,
)
from booking.models.waitlist import EntryStatus
from booking.services.screenings import purge_expired_drafts
from booking.services.waitlist.overview import HISTORY_DAYS

logger = logging.getLogger(__name__)

# An ended place is kept as long as the waitlist's pages look back on the freed times it was offered.
ENDED_PLACE_DAYS = HISTORY_DAYS
ENDED_WITHOUT_BOOKING = (EntryStatus.LEFT, EntryStatus.REMOVED, EntryStatus.EXPIRED)
# A "Manage my booking" email in one of these will not be sent (again): its address is no longer needed.
FINISHED = (NotificationStatus.SENT, NotificationStatus.FAILED, NotificationStatus.SKIPPED)


@dataclass(frozen=True)
class Tidied:
    """How many of each kind one tidy removed (``addresses``: the typed addresses cleared)."""

    screenings: int
    drafts: int
    contact_messages: int
    addresses: int
    waitlist_places: int
    waitlist_offers: int

    @property
    def total(self) -> int:
        """Everything removed or cleared."""
        return sum(astuple(self))


def tidy(now: datetime | None = None) -> Tidied:
    """Remove what has passed its date, in one transaction, and log the counts."""
    now = moment(now)
    settings = clinic_settings()
    places, offers = _ended_places(now - timedelta(days=ENDED_PLACE_DAYS))
    tidied = Tidied(screenings=_unbooked_screenings(now - timedelta(days=settings.unbooked_screening_days)),
                    drafts=purge_expired_drafts(now),
                    contact_messages=_contact_messages(now - timedelta(days=settings.contact_message_days)),
                    addresses=_typed_addresses(), waitlist_places=places, waitlist_offers=offers)
    db.session.commit()
    logger.info("privacy tidy: %d unbooked screenings, %d drafts, %d contact messages, %d typed addresses, "
                "%d ended waitlist places with %d offers", *astuple(tidied))
    return tidied


def _ended_places(ended_by: datetime) -> tuple[int, int]:
    """Delete the places that ended without a booking by ``ended_by``, their offers and the emails of both; how
    many places and offers. First of the kinds: a screening they held may then go as unbooked."""
    ended = (WaitlistEntry.status.in_(ENDED_WITHOUT_BOOKING), WaitlistEntry.ended_at <= ended_by)
    places = select(WaitlistEntry.id).where(*ended)
    offers = select(WaitlistOffer.id).where(WaitlistOffer.entry_id.in_(places))
    changed_rows(delete(Notification).where(or_(Notification.waitlist_entry_id.in_(places),
                                                Notification.waitlist_offer_id.in_(offers))))
    offer_count = changed_rows(delete(WaitlistOffer).where(WaitlistOffer.entry_id.in_(places)))
    return changed_rows(delete(WaitlistEntry).where(*ended)), offer_count


def _unbooked_screenings(taken_by: datetime) -> int:
    """Delete the screenings taken by ``taken_by`` that nothing was booked with (and their dismissals); how many."""
    unbooked = (Screening.created_at <= taken_by,
                ~exists().where(Appointment.screening_id == Screening.id),
                ~exists().where(CarePlan.screening_id == Screening.id),
                ~exists().where(WaitlistEntry.screening_id == Screening.id))
    changed_rows(delete(CarePlanDismissal).where(CarePlanDismissal.screening_id.in_(
        select(Screening.id).where(*unbooked))))
    return changed_rows(delete(Screening).where(*unbooked))


def _contact_messages(came_by: datetime) -> int:
    """Delete the home page's messages that came by ``came_by`` and the staff's notices of them; how many."""
    old = ContactMessage.created_at <= came_by
    changed_rows(delete(Notification).where(Notification.contact_message_id.in_(select(ContactMessage.id).where(old))))
    return changed_rows(delete(ContactMessage).where(old))


def _typed_addresses() -> int:
    """Clear the address of every finished "Manage my booking" email; how many."""
    return changed_rows(update(Notification).where(
        Notification.kind == NotificationKind.MANAGE_LINKS, Notification.status.in_(FINISHED),
        Notification.recipient.is_not(None)).values(recipient=None))
