"""What the clinic offers: its active services and therapists."""

from __future__ import annotations

from sqlalchemy import select

from booking.extensions import db
from booking.models import THERAPY_TYPES, Service, Therapist


def active_services() -> list[Service]:
    """The active services, by therapy type (physiotherapy first) then duration."""
    services = db.session.scalars(select(Service).where(Service.active))
    return sorted(services, key=lambda s: (THERAPY_TYPES.index(s.therapy_type), s.duration_minutes, s.code))


def active_service(code: str) -> Service | None:
    """The active service with this code, or None (also for control characters, which no code has)."""
    if not code.isprintable():
        return None
    return db.session.scalar(select(Service).where(Service.code == code, Service.active))


def active_therapists(therapy_type: str | None = None) -> list[Therapist]:
    """The active therapists, of one therapy type when given, by name."""
    query = select(Therapist).where(Therapist.active).order_by(Therapist.name, Therapist.id)
    if therapy_type is not None:
        query = query.where(Therapist.therapy_type == therapy_type)
    return list(db.session.scalars(query))
