"""What the clinic offers: its active services and therapists; admins' changes to the services (audited; refused to
anyone ``booking.policy`` does not let run the clinic)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict, dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from booking.clinic import cache
from booking.clinic.clock import moment
from booking.database import get_or_none
from booking.extensions import db
from booking.models import THERAPY_TYPES, Appointment, AppointmentStatus, Screening, Service, StaffUser, Therapist
from booking.policy import require_run_the_clinic
from booking.scheduling import qualifications
from booking.services import audit
from booking.services.visits.calendars import trained_in


def _active_services() -> tuple[Service, ...]:
    """The active services, as copies in no session, in the order ``active_services`` gives."""
    rows = db.session.execute(select(*Service.__table__.columns).where(Service.active))
    services = [cache.detached(Service, row) for row in rows]
    return tuple(sorted(services, key=lambda s: (THERAPY_TYPES.index(s.therapy_type), s.duration_minutes, s.code)))


def active_services() -> list[Service]:
    """The active services, by therapy type (physiotherapy first) then duration.

    They are kept in the process until an admin changes one (booking.clinic.cache): read them, never change
    them; a row that links to one merges it into its session first (``Session.merge(service, load=False)``).
    """
    return list(cache.remembered("active_services", _active_services))


def active_service(code: str) -> Service | None:
    """The active service with this code (as ``active_services`` gives them), or None."""
    return next((service for service in active_services() if service.code == code), None)


def active_therapists(therapy_type: str | None = None, *, cautions: Collection[str] = ()) -> list[Therapist]:
    """The active therapists, of one therapy type when given (and trained for a screening's ``cautions``), by name."""
    query = select(Therapist).where(Therapist.active).order_by(Therapist.name, Therapist.id)
    if therapy_type is not None:
        query = query.where(Therapist.therapy_type == therapy_type)
        needs = qualifications.needed(therapy_type, cautions)
        if needs:
            query = query.where(trained_in(sorted(needs), len(needs)))
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class ServiceDetails:
    """What an admin types about a service (the price in cents)."""

    code: str
    name: str
    description: str
    therapy_type: str
    duration_minutes: int
    buffer_minutes: int
    price_cents: int


# The audit log's names of the fields an admin edits.
SERVICE_FIELDS = {"code": "code", "name": "name", "description": "description", "therapy_type": "therapy type",
                  "duration_minutes": "duration", "buffer_minutes": "buffer", "price_cents": "price"}


class CodeTaken(Exception):
    """Another service already has this code."""


class ServiceInUse(Exception):
    """The therapy type cannot change while visits of the service are booked (``count`` of them)."""

    def __init__(self, count: int) -> None:
        super().__init__(f"{count} visits to come")
        self.count = count


def all_services() -> list[Service]:
    """Every service, active first, then as the active ones are listed."""
    services = db.session.scalars(select(Service))
    return sorted(services, key=lambda s: (not s.active, THERAPY_TYPES.index(s.therapy_type),
                                           s.duration_minutes, s.code))


def find_service(service_id: int) -> Service | None:
    """The service with this id, or None (also for an id no row can have)."""
    return get_or_none(Service, service_id)


def _check_code(code: str, service: Service | None = None) -> None:
    """Raise CodeTaken when another service than ``service`` has the code."""
    other = db.session.scalar(select(Service).where(Service.code == code))
    if other is not None and other is not service:
        raise CodeTaken(code)


def create_service(details: ServiceDetails, by: StaffUser) -> Service:
    """Add an active service and commit; raise CodeTaken when its code is another's, Refused for a non-admin."""
    require_run_the_clinic(by)
    _check_code(details.code)
    service = Service(**asdict(details), active=True)
    db.session.add(service)
    try:
        db.session.flush()
    except IntegrityError as exc:  # another admin took the code meanwhile
        db.session.rollback()
        raise CodeTaken(details.code) from exc
    audit.record("created", "service", service.id, actor=by)
    db.session.commit()
    return service


def update_service(service: Service, details: ServiceDetails, by: StaffUser) -> list[str]:
    """Save the details and commit; return the names of the fields changed.

    Raises CodeTaken, ServiceInUse when the therapy type would change under booked visits, Refused for a non-admin.
    """
    require_run_the_clinic(by)
    changed = [field for field in SERVICE_FIELDS if getattr(details, field) != getattr(service, field)]
    if not changed:
        return []
    _check_code(details.code, service)
    if "therapy_type" in changed:
        booked = db.session.scalar(select(func.count()).select_from(Appointment).where(
            Appointment.service_id == service.id, Appointment.status == AppointmentStatus.BOOKED,
            Appointment.starts_at > moment()))
        if booked:
            raise ServiceInUse(booked)
    for field in changed:
        setattr(service, field, getattr(details, field))
    audit.record("changed", "service", service.id, ", ".join(SERVICE_FIELDS[field] for field in changed), actor=by)
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise CodeTaken(details.code) from exc
    return [SERVICE_FIELDS[field] for field in changed]


def set_offered(record: Service | Therapist, active: bool, by: StaffUser) -> None:
    """Offer a service or a therapist for booking again, or no longer (their booked visits stay), audited, and
    commit; Refused for a non-admin."""
    require_run_the_clinic(by)
    if record.active == active:
        return
    record.active = active
    subject = "service" if isinstance(record, Service) else "therapist"
    audit.record("changed", subject, record.id, "reactivated" if active else "deactivated", actor=by)
    db.session.commit()


def set_service_active(service: Service, active: bool, by: StaffUser) -> None:
    """Offer the service for booking again, or no longer (booked visits keep it), and commit; Refused for a
    non-admin."""
    set_offered(service, active, by)


def services_for(screening: Screening) -> list[Service]:
    """The active services the screening allows, physiotherapy first, and an assessment first of its type.

    A patient who comes through the screening is new to us, and a new patient's care starts with
    an assessment (the clinic names those services so); follow-ups come after it.
    """
    allowed = [s for s in active_services() if s.therapy_type in screening.therapy_types]
    return sorted(allowed, key=lambda s: (screening.therapy_types.index(s.therapy_type),
                                          "assessment" not in s.name.lower()))


def single_visit_services(screening: Screening) -> list[Service]:
    """The services a patient booking one visit online is offered: those of ``services_for``, but only
    physiotherapy for combined care, which starts with a physiotherapy assessment (its massage comes right
    before it, booked as a pair, or later in the care plan the clinic makes with the patient)."""
    services = services_for(screening)
    if screening.pathway != "combined":
        return services
    return [service for service in services if service.therapy_type == screening.therapy_types[0]]
