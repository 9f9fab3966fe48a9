"""factory_boy factories on db.session, committed (within the test's transaction unless it is marked ``commits``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import factory
from factory.alchemy import SQLAlchemyModelFactory

from booking.extensions import db
from booking.models import (
    Appointment,
    CarePlan,
    ClinicSettings,
    Patient,
    Screening,
    Service,
    StaffRole,
    StaffUser,
    Therapist,
    WorkingHours,
)
from booking.routing import recommend
from booking.services.staff_accounts.passwords import hash_password
from booking.services.visits import derive_manage_token, token_hash

CLINIC_ZONE = ZoneInfo("America/Edmonton")
EVERY_DAY = tuple((weekday, time(8), time(20)) for weekday in range(7))
ANSWERS = {
    "physiotherapy": {"concerns": ["chronic_pain"]},
    "massage": {"concerns": ["relaxation"]},
    "combined": {"concerns": ["athletic_performance"]},
    "refer_out": {"concerns": ["chronic_pain"], "red_flags": ["chest_pain"]},
}


class BaseFactory(SQLAlchemyModelFactory):
    """Rows added to the app's session and committed."""

    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # the session of the moment (see conftest)
        sqlalchemy_session_persistence = "commit"


class ServiceFactory(BaseFactory):
    """A physiotherapy service of 60 minutes (``massage=True``: a massage with a 15-minute buffer)."""

    class Meta:
        model = Service

    class Params:
        massage = factory.Trait(therapy_type="massage", buffer_minutes=15)

    code = factory.Sequence(lambda n: f"service-{n}")
    name = factory.LazyAttribute(lambda o: f"{o.therapy_type.capitalize()} {o.duration_minutes} min")
    description = ""
    therapy_type = "physiotherapy"
    duration_minutes = 60
    buffer_minutes = 0
    price_cents = 9500
    active = True


class TherapistFactory(BaseFactory):
    """A physiotherapist working 08:00-20:00 every day, unless ``hours=[(weekday, start, end), ...]``."""

    class Meta:
        model = Therapist

    name = factory.Sequence(lambda n: f"Therapist {n:03d}")
    email = factory.Sequence(lambda n: f"therapist{n:03d}@clinic.example")
    therapy_type = "physiotherapy"
    bio = "Helps people move well."
    active = True

    @factory.post_generation
    def hours(obj: Therapist, create: bool, extracted: Any, **kwargs: Any) -> None:  # noqa: N805
        """Give the therapist weekly shifts (every day 08:00-20:00 by default)."""
        shifts = EVERY_DAY if extracted is None else extracted
        obj.hours = [WorkingHours(weekday=day, start_time=start, end_time=end) for day, start, end in shifts]
        if create:
            db.session.commit()


class WorkingHoursFactory(BaseFactory):
    """One weekly shift (Monday 09:00-17:00) of a therapist."""

    class Meta:
        model = WorkingHours

    therapist = factory.SubFactory(TherapistFactory, hours=[])
    weekday = 0
    start_time = time(9)
    end_time = time(17)
    valid_from = None
    valid_to = None


class PatientFactory(BaseFactory):
    """A patient."""

    class Meta:
        model = Patient

    name = factory.Sequence(lambda n: f"Patient {n}")
    email = factory.Sequence(lambda n: f"patient{n}@example.com")
    phone = "+14035550142"


class ScreeningFactory(BaseFactory):
    """A stored screening; ``kind`` picks answers leading to it (physiotherapy, massage, combined, refer_out)."""

    class Meta:
        model = Screening

    class Params:
        kind = "physiotherapy"

    answers = factory.LazyAttribute(lambda o: dict(ANSWERS[o.kind]))
    recommendation = factory.LazyAttribute(lambda o: dict(recommend(o.answers).to_dict()))
    pathway = factory.LazyAttribute(lambda o: o.recommendation["pathway"])
    urgency = factory.LazyAttribute(lambda o: o.recommendation["urgency"])
    rules_version = factory.LazyAttribute(lambda o: o.recommendation["rules_version"])


def _tomorrow_at_ten() -> datetime:
    """A default start: tomorrow at 10:00 UTC."""
    return datetime.combine(datetime.now(UTC).date() + timedelta(days=1), time(10), tzinfo=UTC)


class AppointmentFactory(BaseFactory):
    """A booked visit (bypassing the service layer); its manage token is ``derive_manage_token(id)``."""

    class Meta:
        model = Appointment

    id = factory.LazyFunction(uuid.uuid4)
    patient = factory.SubFactory(PatientFactory)
    service = factory.SubFactory(ServiceFactory)
    therapist = factory.SubFactory(TherapistFactory,
                                   therapy_type=factory.SelfAttribute("..service.therapy_type"))
    screening = factory.SubFactory(ScreeningFactory, kind=factory.SelfAttribute("..service.therapy_type"))
    starts_at = factory.LazyFunction(_tomorrow_at_ten)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(minutes=o.service.duration_minutes))
    blocked_until = factory.LazyAttribute(lambda o: o.ends_at + timedelta(minutes=o.service.buffer_minutes))
    status = "booked"
    manage_token_hash = factory.LazyAttribute(lambda o: token_hash(derive_manage_token(o.id)))



@dataclass
class Clinic:
    """A small clinic: a service of each kind, two therapists of each kind, a screening of each kind."""

    physio: Service
    massage: Service
    physiotherapists: list[Therapist]
    massage_therapists: list[Therapist]
    screenings: dict[str, Screening]


STAFF_PASSWORD = "correct horse battery staple"
# Hashing with the real parameters costs ~50 ms; the factory hashes once and reuses it.
_STAFF_PASSWORD_HASH: list[str] = []


def staff_password_hash() -> str:
    """The argon2 hash of STAFF_PASSWORD, computed once."""
    if not _STAFF_PASSWORD_HASH:
        _STAFF_PASSWORD_HASH.append(hash_password(STAFF_PASSWORD))
    return _STAFF_PASSWORD_HASH[0]


class StaffUserFactory(BaseFactory):
    """A therapist's staff login (password STAFF_PASSWORD); ``admin=True`` for an admin with TOTP enrolled."""

    class Meta:
        model = StaffUser

    class Params:
        admin = factory.Trait(role=StaffRole.ADMIN, therapist=None, totp_secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")

    email = factory.Sequence(lambda n: f"staff{n:03d}@clinic.example")
    password_hash = factory.LazyFunction(staff_password_hash)
    role = StaffRole.THERAPIST
    therapist = factory.SubFactory(TherapistFactory)
    active = True


def open_every_day(opens: str = "07:00", closes: str = "21:00") -> ClinicSettings:
    """Store clinic settings with these opening hours on all seven days (the tests' therapists work every day)."""
    settings = ClinicSettings(name="Bow River Physiotherapy & Massage", phone="+1 403-555-0142",
                              address="101 Riverfront Avenue SW, Calgary, AB T2P 0A1",
                              opening_hours=[[opens, closes]] * 7, cancel_cutoff_hours=24, min_notice_minutes=120,
                              reminder_offsets_minutes=[1440, 120])
    db.session.add(settings)
    db.session.commit()
    return settings


def small_clinic() -> Clinic:
    """Create a small clinic open every day, whose therapists work 08:00-20:00 every day."""
    open_every_day()
    return Clinic(
        physio=ServiceFactory(code="physio-60", name="Physiotherapy assessment"),
        massage=ServiceFactory(code="massage-60", name="Massage therapy (60 minutes)", massage=True),
        physiotherapists=TherapistFactory.create_batch(2),
        massage_therapists=TherapistFactory.create_batch(2, therapy_type="massage"),
        screenings={kind: ScreeningFactory(kind=kind) for kind in ANSWERS},
    )


def care_plan(clinic: Clinic, screening: Screening, patient: Patient | None = None) -> CarePlan:
    """A stored care plan for ``screening`` (and ``patient``, a new one by default) with the clinic's first therapist
    of each kind, two sessions of each weekly from 2026-12-01."""
    plan = CarePlan(patient_id=(patient or PatientFactory()).id, screening_id=screening.id,
                    physiotherapist_id=clinic.physiotherapists[0].id, massage_therapist_id=clinic.massage_therapists[0].id,
                    physio_service_id=clinic.physio.id, massage_service_id=clinic.massage.id, goals="",
                    physio_sessions=2, physio_cadence_days=7, massage_sessions=2, massage_cadence_days=7,
                    tolerance_days=2, back_to_back=False, starts_on=date(2026, 12, 1),
                    created_by_id=StaffUserFactory(admin=True).id)
    db.session.add(plan)
    db.session.flush()
    return plan


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """An aware datetime at a wall-clock time of the clinic (America/Edmonton)."""
    return datetime(year, month, day, hour, minute, tzinfo=CLINIC_ZONE)
