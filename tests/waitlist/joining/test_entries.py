"""The waitlist's entries service: a pair, the care plan's entry, until as a local day, leaving and removing
(withdrawing any offer out), and places whose day passed."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from booking.extensions import db
from booking.models import AuditEvent, CarePlan, StaffUser, WaitlistEntry, WaitlistOffer, WaitlistOpening
from booking.models.waitlist import EntryStatus, OfferStatus
from booking.services.visits import InvalidBooking, PatientDetails, ReferredOut
from booking.services.waitlist import entries
from booking.services.waitlist.entries import JoinRequest
from tests.factories import Clinic, StaffUserFactory, local

AVERY = PatientDetails(name="Avery Singh", email="avery@example.com", phone="403 555 0199")


def request(clinic: Clinic, kind: str = "physiotherapy", **changes: object) -> JoinRequest:
    """A join request of the clinic's screening of this kind, for its service, Mondays and Wednesdays mornings."""
    service = clinic.physio if kind == "physiotherapy" else clinic.massage
    fields: dict[str, object] = {"screening_id": str(clinic.screenings[kind].id), "service_code": service.code,
                                 "days": [0, 2], "parts": ["morning"], "until": date(2026, 11, 30), "patient": AVERY}
    return JoinRequest(**{**fields, **changes})  # type: ignore[arg-type]


def refusal(clinic: Clinic, now: datetime, kind: str = "physiotherapy", **changes: object) -> dict[str, str]:
    with pytest.raises(InvalidBooking) as caught:
        entries.join(request(clinic, kind, **changes), now=now)
    return caught.value.errors


def test_a_place_waits_through_its_last_local_day(clinic: Clinic, now: datetime) -> None:
    entry, token = entries.join(request(clinic), now=now)
    assert entry.until == local(2026, 12, 1, 0) and entry.joined_at == now
    assert entry.days == [0, 2] and entry.parts == ["morning"] and entry.status == EntryStatus.WAITING
    assert token and entry.token_hash != token


def test_a_combined_patient_waits_for_a_pair_massage_first(clinic: Clinic, now: datetime) -> None:
    entry, _ = entries.join(request(clinic, "combined", service_code=clinic.massage.code,
                                    pair_service_code=clinic.physio.code), now=now)
    assert entry.service_id == clinic.massage.id and entry.pair_service_id == clinic.physio.id
    errors = refusal(clinic, now, "combined", service_code=clinic.physio.code, pair_service_code=clinic.massage.code)
    assert errors == {"pair_service": "Back-to-back visits are a massage followed by physiotherapy, for combined care."}


def test_the_desk_may_leave_out_the_email_but_not_a_patient(clinic: Clinic, now: datetime) -> None:
    no_email = PatientDetails(name="Avery Singh", email="", phone="403 555 0199")
    assert "patient.email" in refusal(clinic, now, patient=no_email)
    desk: StaffUser = StaffUserFactory(admin=True)
    entry, _ = entries.join(request(clinic, patient=no_email, joined_by=desk), now=now)
    assert entry.patient.email is None and entry.joined_by_id == desk.id
    (event,) = db.session.scalars(select(AuditEvent).where(AuditEvent.subject_type == "waitlist_entry"))
    assert event.actor_id == desk.id and event.action == "created"


def test_a_red_flag_screening_never_joins(clinic: Clinic, now: datetime) -> None:
    with pytest.raises(ReferredOut):
        entries.join(request(clinic, "refer_out"), now=now)
    assert db.session.scalars(select(WaitlistEntry)).all() == []


def test_a_care_plan_entry_must_be_that_plans_screening(clinic: Clinic, now: datetime) -> None:
    admin = StaffUserFactory(admin=True)
    plan = CarePlan(screening_id=clinic.screenings["combined"].id, physiotherapist_id=clinic.physiotherapists[0].id,
                    massage_therapist_id=clinic.massage_therapists[0].id, physio_service_id=clinic.physio.id,
                    massage_service_id=clinic.massage.id, goals="Run again", physio_sessions=2, physio_cadence_days=7,
                    massage_sessions=2, massage_cadence_days=7, tolerance_days=1, back_to_back=False,
                    starts_on=date(2026, 11, 2), created_by_id=admin.id)
    db.session.add(plan)
    db.session.commit()
    assert "care_plan_id" in refusal(clinic, now, care_plan_id=plan.id)
    entry, _ = entries.join(request(clinic, "combined", care_plan_id=plan.id, joined_by=admin), now=now)
    assert entry.care_plan_id == plan.id


def _offered(entry: WaitlistEntry, now: datetime) -> WaitlistOffer:
    """A live offer of a freed time to the entry."""
    opening = WaitlistOpening(key=f"cancellation:test:{entry.id}", therapist_id=entry.therapist_id or 0,
                              starts_at=local(2026, 11, 2, 9), ends_at=local(2026, 11, 2, 10), cause="cancellation")
    offer = WaitlistOffer(token_hash=f"{entry.id:064d}", opening=opening, entry=entry, service_id=entry.service_id,
                          expires_at=now + timedelta(minutes=30))
    db.session.add(offer)
    db.session.commit()
    return offer


def test_leaving_withdraws_the_offer_out_and_ends_the_place_once(clinic: Clinic, now: datetime) -> None:
    entry, _ = entries.join(request(clinic, therapist_id=clinic.physiotherapists[0].id), now=now)
    offer = _offered(entry, now)
    assert entries.leave(entry, now=now) is True
    db.session.expire_all()
    assert entry.status == EntryStatus.LEFT and entry.ended_at == now
    assert offer.status == OfferStatus.WITHDRAWN
    assert entries.leave(entry, now=now) is False


def test_an_admin_removing_a_place_is_audited(clinic: Clinic, now: datetime) -> None:
    admin = StaffUserFactory(admin=True)
    entry, _ = entries.join(request(clinic, therapist_id=clinic.physiotherapists[0].id), now=now)
    offer = _offered(entry, now)
    assert entries.remove(entry, by_staff=admin, now=now) is True
    db.session.expire_all()
    assert entry.status == EntryStatus.REMOVED and offer.status == OfferStatus.WITHDRAWN
    (event,) = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "removed"))
    assert event.actor_id == admin.id and event.subject_id == str(entry.id)


def test_places_whose_last_day_passed_expire(clinic: Clinic, now: datetime) -> None:
    short, _ = entries.join(request(clinic, until=date(2026, 10, 30)), now=now)
    longer, _ = entries.join(request(clinic, "massage", until=date(2026, 10, 31)), now=now)
    assert entries.expire_passed(now=local(2026, 10, 30, 23, 59)) == 0
    assert entries.expire_passed(now=local(2026, 10, 31, 0)) == 1
    db.session.expire_all()
    assert short.status == EntryStatus.EXPIRED and longer.status == EntryStatus.WAITING


def test_a_screening_waits_once_for_a_service_unless_for_its_plan(clinic: Clinic, now: datetime) -> None:
    entries.join(request(clinic), now=now)
    assert refusal(clinic, now)["service"].startswith("This screening is already on the waitlist for this service")
    entries.join(request(clinic, "massage"), now=now)  # another service waits on its own
