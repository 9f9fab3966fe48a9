"""Admins' changes to therapists: creating and editing them, taking them off and back on the booking, their logins.

Each change is audited (what was changed, never any health information). A
therapist with booked visits to come keeps them: deactivating only stops new
bookings, and the visits are listed so that an admin can move them; the
therapy type cannot change under them. Every change is an admin's (``booking.policy``): anyone else is
refused before anything is changed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from booking.clinic.clock import moment
from booking.database import get_or_none
from booking.extensions import db
from booking.models import Appointment, AppointmentStatus, StaffRole, StaffUser, Therapist, TherapistQualification
from booking.policy import require_run_the_clinic
from booking.scheduling import qualifications
from booking.services import audit, catalog
from booking.services.staff_accounts import sessions

# The audit log's names of the fields an admin edits.
FIELD_NAMES = {"name": "name", "therapy_type": "therapy type", "email": "email", "bio": "bio"}


@dataclass(frozen=True)
class TherapistDetails:
    """What an admin types about a therapist."""

    name: str
    therapy_type: str
    email: str | None
    bio: str
    # Codes of booking.scheduling.qualifications.QUALIFICATIONS.
    qualifications: frozenset[str] = frozenset()


class TherapyTypeLocked(Exception):
    """The therapy type cannot change while visits are booked with the therapist."""

    def __init__(self, visits: list[Appointment]) -> None:
        super().__init__(f"{len(visits)} visits to come")
        self.visits = visits


def all_therapists() -> list[Therapist]:
    """Every therapist, active first, then by name."""
    return list(db.session.scalars(select(Therapist).order_by(Therapist.active.desc(), Therapist.name,
                                                                Therapist.id)))


def find_therapist(therapist_id: int) -> Therapist | None:
    """The therapist with this id, or None (also for an id no row can have)."""
    return get_or_none(Therapist, therapist_id)


def visits_to_come(therapist: Therapist) -> list[Appointment]:
    """The therapist's booked visits that have not started yet, soonest first, with patient and service."""
    return list(db.session.scalars(
        select(Appointment)
        .options(joinedload(Appointment.patient), joinedload(Appointment.service))
        .where(Appointment.therapist_id == therapist.id, Appointment.status == AppointmentStatus.BOOKED,
               Appointment.starts_at > moment())
        .order_by(Appointment.starts_at)))


def create_therapist(details: TherapistDetails, by: StaffUser) -> Therapist:
    """Add an active therapist (with no working hours yet) and commit; Refused for a non-admin."""
    require_run_the_clinic(by)
    therapist = Therapist(name=details.name, therapy_type=details.therapy_type, email=details.email,
                          bio=details.bio, active=True,
                          trained=[TherapistQualification(code=code) for code in sorted(details.qualifications)])
    db.session.add(therapist)
    db.session.flush()
    audit.record("created", "therapist", therapist.id, actor=by)
    db.session.commit()
    return therapist


def update_therapist(therapist: Therapist, details: TherapistDetails, by: StaffUser) -> list[str]:
    """Save the details and commit; return the names of the fields changed (none: nothing is written).

    Raises TherapyTypeLocked, with the visits, when the type would change while visits are booked, and Refused
    for a non-admin.
    """
    require_run_the_clinic(by)
    changed = [field for field in FIELD_NAMES if getattr(details, field) != getattr(therapist, field)]
    if "therapy_type" in changed:
        visits = visits_to_come(therapist)
        if visits:
            raise TherapyTypeLocked(visits)
    names = [FIELD_NAMES[field] for field in changed] + _retrain(therapist, details.qualifications)
    if not names:
        return []
    for field in changed:
        setattr(therapist, field, getattr(details, field))
    audit.record("changed", "therapist", therapist.id, ", ".join(names), actor=by)
    db.session.commit()
    return names


def _retrain(therapist: Therapist, codes: frozenset[str]) -> list[str]:
    """Make ``codes`` the therapist's qualifications; what changed, in words ("prenatal massage added")."""
    held = set(therapist.qualifications)
    therapist.trained = [row for row in therapist.trained if row.code in codes]
    therapist.trained += [TherapistQualification(code=code) for code in sorted(codes - held)]
    return ([f"{label.lower()} added" for label in qualifications.labels(codes - held)]
            + [f"{label.lower()} removed" for label in qualifications.labels(held - codes)])


def set_active(therapist: Therapist, active: bool, by: StaffUser) -> None:
    """Offer the therapist for booking again, or no longer (their booked visits stay), and commit; Refused for a
    non-admin."""
    catalog.set_offered(therapist, active, by)


def linked_user(therapist: Therapist) -> StaffUser | None:
    """The staff login of the therapist, if any."""
    return db.session.scalar(select(StaffUser).where(StaffUser.therapist_id == therapist.id))


def linkable_users() -> list[StaffUser]:
    """Therapist logins free to link: not linked to an active therapist.

    Every therapist login names a therapist record (the database insists), so a free
    one is a login whose record was deactivated, e.g. when a therapist's record was
    replaced by a new one.
    """
    return list(db.session.scalars(
        select(StaffUser).outerjoin(Therapist, StaffUser.therapist_id == Therapist.id)
        .where(StaffUser.role == StaffRole.THERAPIST, StaffUser.active,
               or_(StaffUser.therapist_id.is_(None), Therapist.active.is_(False)))
        .order_by(StaffUser.email)))


def link_user(therapist: Therapist, user_id: int, by: StaffUser) -> StaffUser:
    """Make the free login ``user_id`` the therapist's and commit; its sessions end, as it now opens other visits.

    Raises ValueError when the therapist already has a login or the user is not free to link, and Refused for a
    non-admin.
    """
    require_run_the_clinic(by)
    if linked_user(therapist) is not None:
        raise ValueError(f"{therapist.name} already has a login.")
    user = next((user for user in linkable_users() if user.id == user_id), None)
    if user is None:
        raise ValueError("Choose a therapist login that is not linked to an active therapist.")
    user.therapist_id = therapist.id
    sessions.end_all_sessions(user)
    audit.record("changed", "therapist", therapist.id, f"staff user {user.id} linked", actor=by)
    db.session.commit()
    return user
