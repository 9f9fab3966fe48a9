"""The clinic's view of the waitlist: who is waiting, what became of each freed time, and how well they are filled.

- ``waiting``: the entries still waiting, narrowed to a service or a therapist, in the order the worker offers
  in (care plans' sessions first, then the longest waiting: ``booking.waitlist.priority``, whose last keys
  depend on the opening) or by waiting time alone, each with the offer it holds now, if any;
- ``openings``: the times freed over the last days, newest first, each with its offers (to whom, and what
  became of each) and who filled it;
- ``fill_rate``: the figure the clinic watches, the share of freed times filled from the waitlist and the
  median time from a time's freeing to its claim.

Each is a few queries, whatever the number of rows; the pages are for whom ``booking.policy`` lets see patients.
Nothing of a screening is read.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from booking.clinic.clock import moment
from booking.database import get_or_none
from booking.extensions import db
from booking.models import Service, StaffUser, Therapist, WaitlistEntry, WaitlistOffer, WaitlistOpening
from booking.models.waitlist import EntryStatus, OfferStatus, OpeningCause, OpeningStatus
from booking.policy import require_see_patients
from booking.services.catalog import active_therapists

HISTORY_DAYS = 30  # how far back the openings and the figure go
PRIORITY, WAITING_LONGEST = "priority", "waiting"  # the orders of the list
LIVE = OfferStatus.OFFERED


@dataclass(frozen=True)
class EntryFilter:
    """What the list of waiting entries shows: a service's (as the one waited for or a pair's second), a
    therapist's (those who named them, and those of their therapy who take anyone), in which order."""

    service_id: int | None = None
    therapist_id: int | None = None
    order: str = PRIORITY


@dataclass(frozen=True)
class WaitingRow:
    """A waiting entry, and the offer it holds now (a time offered, until its ``expires_at``), if any."""

    entry: WaitlistEntry
    offer: WaitlistOffer | None


@dataclass(frozen=True)
class OpeningStory:
    """A freed time and its offers, earliest first (each with its entry's patient)."""

    opening: WaitlistOpening
    offers: list[WaitlistOffer]

    @property
    def claimed(self) -> WaitlistOffer | None:
        """The offer that filled the time, if one did."""
        return next((offer for offer in self.offers if offer.status == OfferStatus.CLAIMED), None)

    @property
    def time_to_claim(self) -> timedelta | None:
        """From the time's freeing to its claim, when it was claimed."""
        claimed = self.claimed
        if claimed is None or claimed.answered_at is None:
            return None
        return claimed.answered_at - self.opening.created_at


@dataclass(frozen=True)
class FillRate:
    """The times freed over ``days`` days whose fate is known (those still being offered wait), by what became of
    them, and the median time from freeing to claim. A time an admin offered by hand was chosen for one patient,
    not freed: it is left out, or it would flatter the figure."""

    days: int
    openings: int  # freed and decided: filled, booked another way, or not filled
    offered: int  # of those, offered to at least one waiting patient
    filled: int  # claimed from the waitlist
    taken: int  # booked another way
    still_open: int  # still being offered, counted in none of the above
    median_to_claim: timedelta | None

    @property
    def unfilled(self) -> int:
        """The decided times neither filled nor booked another way."""
        return self.openings - self.filled - self.taken

    @property
    def share_of_offered(self) -> float | None:
        """The share of the times offered to someone that were filled (None: none was offered)."""
        return self.filled / self.offered if self.offered else None

    @property
    def share_of_all(self) -> float | None:
        """The share of all decided freed times that were filled (None: no time was freed)."""
        return self.filled / self.openings if self.openings else None


def _narrowed(query: Select[WaitlistEntry], chosen: EntryFilter) -> Select[WaitlistEntry]:
    """The query of waiting entries narrowed to the filter's service and therapist."""
    if chosen.service_id is not None:
        query = query.where(or_(WaitlistEntry.service_id == chosen.service_id,
                                WaitlistEntry.pair_service_id == chosen.service_id))
    if chosen.therapist_id is not None:
        therapy = select(Therapist.therapy_type).where(Therapist.id == chosen.therapist_id).scalar_subquery()
        anyone = and_(WaitlistEntry.therapist_id.is_(None),
                      exists().where(Service.id == WaitlistEntry.service_id, Service.therapy_type == therapy))
        query = query.where(or_(WaitlistEntry.therapist_id == chosen.therapist_id, anyone))
    return query


def waiting(by: StaffUser, chosen: EntryFilter = EntryFilter()) -> list[WaitingRow]:
    """The entries still waiting that the filter shows, in its order, each with the offer it holds now; two queries.
    Refused for anyone the policy does not let see patients."""
    require_see_patients(by)
    query = (select(WaitlistEntry).where(WaitlistEntry.status == EntryStatus.WAITING)
             .options(joinedload(WaitlistEntry.patient), joinedload(WaitlistEntry.service),
                      joinedload(WaitlistEntry.pair_service), joinedload(WaitlistEntry.therapist)))
    first = [WaitlistEntry.care_plan_id.is_(None)] if chosen.order == PRIORITY else []
    entries = list(db.session.scalars(_narrowed(query, chosen)
                                      .order_by(*first, WaitlistEntry.joined_at, WaitlistEntry.id)))
    offers = {offer.entry_id: offer for offer in db.session.scalars(
        select(WaitlistOffer).options(joinedload(WaitlistOffer.opening).joinedload(WaitlistOpening.therapist))
        .where(WaitlistOffer.status == LIVE, WaitlistOffer.entry_id.in_([entry.id for entry in entries])))}
    return [WaitingRow(entry, offers.get(entry.id)) for entry in entries]


def find_entry(by: StaffUser, entry_id: int) -> WaitlistEntry | None:
    """The entry with this id, whatever its status, with its patient, services and therapist; None when there is
    none. Refused for anyone the policy does not let see patients."""
    require_see_patients(by)
    return get_or_none(WaitlistEntry, entry_id, options=[
        joinedload(WaitlistEntry.patient), joinedload(WaitlistEntry.service), joinedload(WaitlistEntry.pair_service),
        joinedload(WaitlistEntry.therapist)])


def therapists_for(entry: WaitlistEntry) -> list[Therapist]:
    """Whom a time may be offered with to the entry: the therapist it named, or every active therapist of its
    service's therapy (a pair's massage) trained for its screening's cautions, by name."""
    if entry.therapist is not None:
        return [entry.therapist]
    return active_therapists(entry.service.therapy_type, cautions=entry.screening.caution_codes)


def waiting_count() -> int:
    """How many entries are waiting."""
    return db.session.scalar(select(func.count()).select_from(WaitlistEntry)
                             .where(WaitlistEntry.status == EntryStatus.WAITING)) or 0


def openings(by: StaffUser, *, now: datetime | None = None, days: int = HISTORY_DAYS) -> list[OpeningStory]:
    """The times freed (or offered by hand) over the last ``days`` days, newest first, each with its offers; two
    queries. Refused for anyone the policy does not let see patients."""
    require_see_patients(by)
    since = moment(now) - timedelta(days=days)
    found = list(db.session.scalars(
        select(WaitlistOpening).where(WaitlistOpening.created_at >= since)
        .options(joinedload(WaitlistOpening.therapist))
        .order_by(WaitlistOpening.created_at.desc(), WaitlistOpening.id.desc())))
    offers: dict[int, list[WaitlistOffer]] = defaultdict(list)
    for offer in db.session.scalars(
            select(WaitlistOffer).where(WaitlistOffer.opening_id.in_([opening.id for opening in found]))
            .options(joinedload(WaitlistOffer.entry).joinedload(WaitlistEntry.patient))
            .order_by(WaitlistOffer.offered_at, WaitlistOffer.id)):
        offers[offer.opening_id].append(offer)
    return [OpeningStory(opening, offers[opening.id]) for opening in found]


def fill_rate(*, now: datetime | None = None, days: int = HISTORY_DAYS) -> FillRate:
    """The figure over the times freed in the last ``days`` days before ``now``, in one query."""
    since = moment(now) - timedelta(days=days)
    claimed = aliased(WaitlistOffer)
    offered = exists().where(WaitlistOffer.opening_id == WaitlistOpening.id).label("offered")
    rows = db.session.execute(
        select(WaitlistOpening.status, offered, WaitlistOpening.created_at, claimed.answered_at)
        .outerjoin(claimed, and_(claimed.opening_id == WaitlistOpening.id, claimed.status == OfferStatus.CLAIMED))
        .where(WaitlistOpening.created_at >= since, WaitlistOpening.cause != OpeningCause.BY_HAND)).all()
    decided = [row for row in rows if row.status != OpeningStatus.OPEN]
    filled = [row for row in decided if row.status == OpeningStatus.FILLED]
    waits = [(row.answered_at - row.created_at).total_seconds() for row in filled if row.answered_at is not None]
    return FillRate(days=days, openings=len(decided), offered=sum(1 for row in decided if row.offered),
                    filled=len(filled), taken=sum(1 for row in decided if row.status == OpeningStatus.TAKEN),
                    still_open=len(rows) - len(decided),
                    median_to_claim=timedelta(seconds=round(median(waits))) if waits else None)
