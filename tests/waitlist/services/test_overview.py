"""The clinic's view of the waitlist: the entries waiting (filtered, in the worker's order or by waiting time), the
openings of the last 30 days with what became of each, and the figure (share filled, median time to claim) computed
right on worked examples; each read in the same few queries however many rows."""

from __future__ import annotations

from datetime import timedelta

import pytest

from booking.models import StaffUser
from booking.models.waitlist import EntryStatus, OfferStatus, OpeningCause, OpeningStatus
from booking.policy import Refused
from booking.services.waitlist import overview
from booking.services.waitlist.overview import EntryFilter, FillRate
from tests.factories import Clinic, ServiceFactory, StaffUserFactory, TherapistFactory, care_plan, local
from tests.staff.therapist_pages import counted_queries
from tests.staff_fixtures import clinic_with_admin
from tests.waitlist.records import entry, offer, opening

NOW = local(2026, 12, 2, 12)
DAY = timedelta(days=1)
MINUTE = timedelta(minutes=1)


clinic, admin_user, admin = clinic_with_admin(NOW)


def names(rows: list[overview.WaitingRow]) -> list[str]:
    return [row.entry.patient.name for row in rows]


def claimed_after(clinic: Clinic, freed_days_ago: int, minutes: int) -> None:
    """A cancellation freed ``freed_days_ago`` days ago, claimed ``minutes`` after it was freed."""
    freed_at = NOW - freed_days_ago * DAY
    waiter = entry(clinic.physio, clinic.screenings["physiotherapy"], freed_at - 7 * DAY, status=EntryStatus.BOOKED)
    time = opening(clinic.physiotherapists[0], freed_at, OpeningStatus.FILLED, filled_by=waiter)
    offer(time, waiter, freed_at + MINUTE, OfferStatus.CLAIMED, answered_at=freed_at + minutes * MINUTE)


def test_the_figure_on_a_worked_month(clinic: Clinic) -> None:
    """Three filled (one after an expired offer), one unfilled after its offer expired, one unfilled that nobody
    fitted, two booked another way (one while offered), one still being offered, one offered by hand and one
    filled before the window: 3 of the 7 decided filled, 3 of the 5 offered, in a median of 30 minutes."""
    screening, therapist = clinic.screenings["physiotherapy"], clinic.physiotherapists[0]
    first = entry(clinic.physio, screening, NOW - 20 * DAY, name="Expired First")
    # Filled after the first offer expired: 50 minutes from freeing to claim.
    freed_at = NOW - 10 * DAY
    second = entry(clinic.physio, screening, NOW - 15 * DAY, status=EntryStatus.BOOKED)
    filled = opening(therapist, freed_at, OpeningStatus.FILLED, filled_by=second)
    offer(filled, first, freed_at + MINUTE, OfferStatus.EXPIRED, answered_at=freed_at + 31 * MINUTE)
    offer(filled, second, freed_at + 31 * MINUTE, OfferStatus.CLAIMED, answered_at=freed_at + 50 * MINUTE)
    claimed_after(clinic, 5, 10)
    claimed_after(clinic, 2, 30)
    # Unfilled after its only offer expired; unfilled as nobody fitted.
    expired = opening(therapist, NOW - 8 * DAY, OpeningStatus.UNFILLED)
    offer(expired, first, NOW - 8 * DAY + MINUTE, OfferStatus.EXPIRED, answered_at=NOW - 8 * DAY + 31 * MINUTE)
    opening(therapist, NOW - 7 * DAY, OpeningStatus.UNFILLED)
    # Booked another way: before any offer, and while one was out.
    opening(therapist, NOW - 6 * DAY, OpeningStatus.TAKEN, cause=OpeningCause.MOVE)
    taken = opening(therapist, NOW - 4 * DAY, OpeningStatus.TAKEN)
    offer(taken, first, NOW - 4 * DAY + MINUTE, OfferStatus.TAKEN, answered_at=NOW - 4 * DAY + 5 * MINUTE)
    # Not counted: still being offered, offered by hand, and freed 31 days ago.
    live = opening(therapist, NOW - 10 * MINUTE, OpeningStatus.OPEN)
    offer(live, first, NOW - 9 * MINUTE, OfferStatus.OFFERED)
    by_hand = entry(clinic.physio, screening, NOW - 9 * DAY, status=EntryStatus.BOOKED)
    offered = opening(therapist, NOW - 3 * DAY, OpeningStatus.FILLED, cause=OpeningCause.BY_HAND, filled_by=by_hand)
    offer(offered, by_hand, NOW - 3 * DAY, OfferStatus.CLAIMED, answered_at=NOW - 3 * DAY + 2 * MINUTE)
    claimed_after(clinic, 31, 5)

    rate = overview.fill_rate(now=NOW)

    assert rate == FillRate(days=30, openings=7, offered=5, filled=3, taken=2, still_open=1,
                            median_to_claim=timedelta(minutes=30))
    assert rate.unfilled == 2
    assert rate.share_of_offered == pytest.approx(3 / 5)
    assert rate.share_of_all == pytest.approx(3 / 7)
    assert overview.fill_rate(now=NOW, days=60).filled == 4


def test_the_median_of_an_even_number_of_claims_is_halfway(clinic: Clinic) -> None:
    claimed_after(clinic, 3, 10)
    claimed_after(clinic, 2, 45)
    assert overview.fill_rate(now=NOW).median_to_claim == timedelta(minutes=27, seconds=30)


def test_no_time_freed_gives_no_share_and_no_median(clinic: Clinic) -> None:
    opening(clinic.physiotherapists[0], NOW - DAY, OpeningStatus.OPEN)
    rate = overview.fill_rate(now=NOW)
    assert (rate.openings, rate.still_open, rate.share_of_all, rate.share_of_offered, rate.median_to_claim) == (
        0, 1, None, None, None)


def test_nothing_offered_but_times_freed_shares_none_of_the_offered(clinic: Clinic) -> None:
    opening(clinic.physiotherapists[0], NOW - DAY, OpeningStatus.TAKEN)
    rate = overview.fill_rate(now=NOW)
    assert (rate.share_of_all, rate.share_of_offered) == (0, None)


def test_waiting_entries_in_priority_or_waiting_order(clinic: Clinic, admin_user: StaffUser) -> None:
    screening = clinic.screenings["physiotherapy"]
    entry(clinic.physio, screening, NOW - 9 * DAY, name="Joined First")
    entry(clinic.physio, screening, NOW - 2 * DAY, name="Plan Session", care_plan_id=care_plan(clinic, clinic.screenings["combined"]).id)
    entry(clinic.physio, screening, NOW - 5 * DAY, name="Joined Second")
    entry(clinic.physio, screening, NOW - 20 * DAY, name="Already Booked", status=EntryStatus.BOOKED)
    entry(clinic.physio, screening, NOW - 20 * DAY, name="Left Already", status=EntryStatus.LEFT)

    assert names(overview.waiting(admin_user)) == ["Plan Session", "Joined First", "Joined Second"]
    assert names(overview.waiting(admin_user, EntryFilter(order=overview.WAITING_LONGEST))) == [
        "Joined First", "Joined Second", "Plan Session"]


def test_waiting_entries_of_a_service_or_a_therapist(clinic: Clinic, admin_user: StaffUser) -> None:
    physio, massage = clinic.physiotherapists[0], clinic.massage_therapists[0]
    other_physio = ServiceFactory(code="physio-30", name="Physiotherapy follow-up")
    entry(clinic.physio, clinic.screenings["physiotherapy"], NOW - 5 * DAY, name="Physio Anyone")
    entry(clinic.physio, clinic.screenings["physiotherapy"], NOW - 4 * DAY, name="Physio Named", therapist=physio)
    entry(clinic.physio, clinic.screenings["physiotherapy"], NOW - 3 * DAY, name="Physio Other",
          therapist=clinic.physiotherapists[1])
    entry(other_physio, clinic.screenings["physiotherapy"], NOW - 2 * DAY, name="Follow-up Anyone")
    entry(clinic.massage, clinic.screenings["combined"], NOW - DAY, name="Pair Anyone", pair_service=clinic.physio)
    entry(clinic.massage, clinic.screenings["massage"], NOW - DAY, name="Massage Named", therapist=massage)

    assert names(overview.waiting(admin_user, EntryFilter(service_id=clinic.physio.id))) == [
        "Physio Anyone", "Physio Named", "Physio Other", "Pair Anyone"]
    assert names(overview.waiting(admin_user, EntryFilter(therapist_id=physio.id))) == [
        "Physio Anyone", "Physio Named", "Follow-up Anyone"]
    assert names(overview.waiting(admin_user, EntryFilter(therapist_id=massage.id))) == ["Pair Anyone", "Massage Named"]
    assert names(overview.waiting(admin_user, EntryFilter(service_id=clinic.massage.id,
                                                     therapist_id=physio.id))) == []
    assert names(overview.waiting(admin_user, EntryFilter(therapist_id=TherapistFactory().id))) == [
        "Physio Anyone", "Follow-up Anyone"]


def test_a_waiting_entry_shows_the_offer_it_holds_now(clinic: Clinic, admin_user: StaffUser) -> None:
    screening, therapist = clinic.screenings["physiotherapy"], clinic.physiotherapists[0]
    holder = entry(clinic.physio, screening, NOW - 5 * DAY, name="Holds An Offer")
    entry(clinic.physio, screening, NOW - 4 * DAY, name="Holds None")
    old = opening(therapist, NOW - 3 * DAY, OpeningStatus.UNFILLED)
    offer(old, holder, NOW - 3 * DAY, OfferStatus.EXPIRED, answered_at=NOW - 3 * DAY + 30 * MINUTE)
    live = opening(therapist, NOW - 5 * MINUTE, OpeningStatus.OPEN)
    held = offer(live, holder, NOW - 4 * MINUTE, OfferStatus.OFFERED)

    rows = overview.waiting(admin_user)

    assert [(row.entry.patient.name, row.offer) for row in rows] == [("Holds An Offer", held), ("Holds None", None)]
    assert rows[0].offer is not None and rows[0].offer.opening.therapist.name == therapist.name


def test_openings_newest_first_with_their_offers_and_who_filled_them(clinic: Clinic, admin_user: StaffUser) -> None:
    screening, therapist = clinic.screenings["physiotherapy"], clinic.physiotherapists[0]
    late = entry(clinic.physio, screening, NOW - 20 * DAY, name="Too Late")
    quick = entry(clinic.physio, screening, NOW - 15 * DAY, name="Quick Claimer", status=EntryStatus.BOOKED)
    freed_at = NOW - 6 * DAY
    filled = opening(therapist, freed_at, OpeningStatus.FILLED, filled_by=quick)
    offer(filled, late, freed_at + MINUTE, OfferStatus.EXPIRED, answered_at=freed_at + 31 * MINUTE)
    offer(filled, quick, freed_at + 31 * MINUTE, OfferStatus.CLAIMED, answered_at=freed_at + 40 * MINUTE)
    unfilled = opening(therapist, NOW - 2 * DAY, OpeningStatus.UNFILLED)
    opening(therapist, NOW - 31 * DAY, OpeningStatus.UNFILLED)

    stories = overview.openings(admin_user, now=NOW)

    assert [story.opening.id for story in stories] == [unfilled.id, filled.id]
    assert [(offer.entry.patient.name, offer.status) for offer in stories[1].offers] == [
        ("Too Late", OfferStatus.EXPIRED), ("Quick Claimer", OfferStatus.CLAIMED)]
    assert stories[1].claimed is not None and stories[1].claimed.entry_id == quick.id
    assert stories[1].time_to_claim == timedelta(minutes=40)
    assert (stories[0].offers, stories[0].claimed, stories[0].time_to_claim) == ([], None, None)


def test_each_view_reads_in_the_same_few_queries_however_many_rows(clinic: Clinic, admin_user: StaffUser) -> None:
    def reads() -> list[int]:
        assert admin_user.active  # the admin's row, expired by the rows' commits, read before counting
        counts = []
        for read in (lambda: overview.waiting(admin_user), lambda: overview.openings(admin_user, now=NOW),
                     lambda: overview.fill_rate(now=NOW)):
            with counted_queries() as statements:
                read()
            counts.append(len(statements))
        return counts

    def add_story(number: int) -> None:
        therapist = clinic.physiotherapists[number % 2]
        waiter = entry(clinic.physio, clinic.screenings["physiotherapy"], NOW - 9 * DAY, therapist=therapist)
        time = opening(therapist, NOW - number * DAY, OpeningStatus.OPEN)
        offer(time, waiter, NOW - number * DAY, OfferStatus.OFFERED)

    add_story(1)
    few = reads()
    for number in range(2, 8):
        add_story(number)
    assert reads() == few
    assert few == [2, 2, 1]


def test_only_staff_who_see_patients_read_the_lists(clinic: Clinic) -> None:
    therapist = StaffUserFactory()
    with pytest.raises(Refused):
        overview.waiting(therapist)
    with pytest.raises(Refused):
        overview.openings(therapist, now=NOW)
