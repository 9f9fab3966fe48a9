"""The demo clinic: services, nine therapists with weekly hours and time off, a care plan, and a calendar of
the last week and the coming two filled as a busy clinic's is (``demo_calendar``), and its waitlist (``demo_waitlist``).

Seeding is idempotent: services are matched by code and therapists by name and
brought up to date, each therapist's weekly hours are replaced, a therapist's demo
time off is added once, and a demo patient who already has a visit gets no other.
The named demo patients' visits go through the booking service, each with its own
stored screening, like a patient's would. A demo admin and one login per demo
therapist are created when missing, each with a random password that only the
seed report shows (once, never logged); the admin sets up two-factor sign-in at
its first sign-in.
"""

from __future__ import annotations

import logging
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from booking.cli import demo_calendar, demo_pairs, demo_waitlist
from booking.cli.demo_outcomes import seed_flagged_plan
from booking.cli.demo_people import has_visit
from booking.cli.demo_plan import PATIENT, seed_plan
from booking.clinic.clock import moment
from booking.clinic.times import clinic_zone, local_midnight, written
from booking.extensions import db
from booking.models import (
    Service,
    StaffRole,
    StaffUser,
    Therapist,
    TherapistQualification,
    TimeOff,
    WorkingHours,
)
from booking.scheduling import Slot
from booking.services.screenings import create_screening
from booking.services.staff_accounts.accounts import create_staff, find_by_email
from booking.services.therapists.hours import HoursConflict, add_time_off
from booking.services.visits import BookingError, BookingRequest, PatientDetails, book
from booking.services.visits.availability import search_slots

logger = logging.getLogger(__name__)

MON, TUE, WED, THU, FRI, SAT = range(6)
SEARCH_DAYS = 7
DEMO_DOMAIN = "bowriver-clinic.example"  # a reserved domain: demo mail never reaches anyone
DEMO_ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"


@dataclass(frozen=True)
class DemoService:
    """A service of the demo clinic."""

    code: str
    name: str
    therapy_type: str
    duration_minutes: int
    buffer_minutes: int
    price_cents: int
    description: str


@dataclass(frozen=True)
class DemoTherapist:
    """A therapist of the demo clinic with weekly shifts: (weekdays, start, end) in local time."""

    name: str
    therapy_type: str
    bio: str
    shifts: tuple[tuple[tuple[int, ...], time, time], ...]
    qualifications: tuple[str, ...] = ()  # codes of booking.scheduling.qualifications

    @property
    def email(self) -> str:
        """The therapist's demo address ("Hélène Tremblay" gives helene.tremblay@...)."""
        plain = unicodedata.normalize("NFKD", self.name).encode("ascii", "ignore").decode()
        return ".".join(plain.lower().split()) + "@" + DEMO_DOMAIN


@dataclass(frozen=True)
class DemoVisit:
    """A visit booked by a demo patient, about ``days_ahead`` days from now, from ``hour`` on."""

    name: str
    email: str
    phone: str
    answers: dict[str, object]
    service_code: str
    therapist: str
    days_ahead: int
    hour: int


SERVICES = (
    DemoService("physio-initial", "Physiotherapy initial assessment", "physiotherapy", 60, 10, 11500,
                "Your history, an examination, a diagnosis and a plan made with you."),
    DemoService("physio-follow-up-30", "Physiotherapy follow-up (30 minutes)", "physiotherapy", 30, 0, 8000,
                "Treatment and exercises that continue your plan."),
    DemoService("physio-follow-up-45", "Physiotherapy follow-up (45 minutes)", "physiotherapy", 45, 5, 10000,
                "A longer follow-up for hands-on treatment and a progressed program."),
    DemoService("massage-30", "Massage therapy (30 minutes)", "massage", 30, 15, 6500,
                "Focused work on one area, such as the neck and shoulders."),
    DemoService("massage-60", "Massage therapy (60 minutes)", "massage", 60, 15, 11000,
                "A full-body or two-area massage."),
    DemoService("massage-90", "Massage therapy (90 minutes)", "massage", 90, 15, 15500,
                "Unhurried work on several areas."),
)

EARLY, DAY, LATE, SATURDAY = (time(7), time(15)), (time(9), time(17)), (time(12), time(20)), (time(9), time(15))
THERAPISTS = (
    DemoTherapist("Priya Raman", "physiotherapy",
                  "Sports and running injuries; helps athletes of every level get back to training.",
                  (((MON, WED), *EARLY), ((TUE, THU), *LATE), ((SAT,), *SATURDAY))),
    DemoTherapist("Daniel Okafor", "physiotherapy",
                  "Back and neck pain and recovery after surgery, with clear home programs.",
                  (((MON, WED), *LATE), ((TUE, THU), *EARLY), ((FRI,), time(7), time(18)))),
    DemoTherapist("Hélène Tremblay", "physiotherapy",
                  "Balance, falls prevention and neurological rehabilitation; sessions in English or French.",
                  (((MON, TUE, THU, FRI), *DAY), ((WED,), *LATE), ((SAT,), *SATURDAY))),
    DemoTherapist("Marcus Lee", "massage",
                  "Deep tissue and sports massage for tight, overworked muscles.",
                  (((MON, WED, FRI), *DAY), ((SAT,), *SATURDAY))),
    DemoTherapist("Aiyana Cardinal", "massage",
                  "Relaxation and therapeutic massage; a calm space to unwind from stress.",
                  (((TUE, THU), *LATE), ((MON,), time(14), time(20)), ((SAT,), *SATURDAY))),
    DemoTherapist("Sofia Novak", "massage",
                  "Prenatal massage and relief for tension headaches.",
                  (((WED, THU), time(10), time(20)), ((FRI,), time(9), time(18))), ("prenatal_massage",)),
    DemoTherapist("Gurpreet Dhillon", "physiotherapy",
                  "Pelvic health, and physiotherapy during and after pregnancy.",
                  (((TUE, WED, FRI), time(8), time(16)), ((THU,), time(8), time(12)))),
    DemoTherapist("Ethan MacLeod", "physiotherapy",
                  "Shoulder and knee injuries, and a graded return to activity after a concussion.",
                  (((MON, THU), time(10), time(19)), ((FRI,), time(7), time(13)), ((SAT,), *SATURDAY))),
    DemoTherapist("Mei Zhang", "massage",
                  "Myofascial release and lymphatic drainage, gentle enough after surgery.",
                  (((MON, TUE), *DAY), ((THU,), *LATE), ((FRI,), time(10), time(18)))),
)
# A therapist away on the Thursday and Friday of next week: (name, reason).
AWAY = ("Daniel Okafor", "Manual therapy course in Edmonton")

VISITS = (
    DemoVisit("Alex Morgan", "alex.morgan@example.com", "403-555-0101", {"concerns": ["chronic_pain"]},
              "physio-initial", "Priya Raman", 1, 9),
    DemoVisit("Jamie Chen", "jamie.chen@example.com", "403-555-0102",
              {"concerns": ["relaxation"], "precautions": ["anticoagulants"]},  # a caution on the schedule
              "massage-60", "Aiyana Cardinal", 1, 17),
    DemoVisit("Sam Patel", "sam.patel@example.com", "587-555-0103", {"concerns": ["injury_rehab"]},
              "physio-follow-up-30", "Daniel Okafor", 2, 13),
    DemoVisit("Taylor Brooks", "taylor.brooks@example.com", "403-555-0104",
              {"concerns": ["tension_headache"]}, "massage-30", "Sofia Novak", 2, 11),
    DemoVisit("Morgan Fraser", "morgan.fraser@example.com", "780-555-0105",
              {"concerns": ["athletic_performance"]}, "physio-follow-up-45", "Hélène Tremblay", 3, 10),
    DemoVisit("Riley Dubois", "riley.dubois@example.com", "403-555-0106", {"concerns": ["muscle_tension"]},
              "massage-90", "Marcus Lee", 3, 9),
)


@dataclass
class SeedReport:
    """What seeding did, for the command to print."""

    services: dict[str, int] = field(default_factory=lambda: {"created": 0, "updated": 0})
    therapists: dict[str, int] = field(default_factory=lambda: {"created": 0, "updated": 0})
    shifts: int = 0
    time_off: str = "not seeded"
    visits: dict[str, int] = field(default_factory=lambda: {"booked": 0, "kept": 0, "skipped": 0})
    care_plan: str = "not seeded"
    flagged_plan: str = "not seeded"
    pairs: tuple[int, int] = (0, 0)
    calendar: str = "not filled"
    waitlist: str = "not seeded"
    # (role, email, password) of each login created now: the only time its password is shown.
    logins: list[tuple[str, str, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        """One line per kind of record, then the logins created now with their passwords."""
        lines = [
            "Services: {created} created, {updated} updated.".format(**self.services),
            "Therapists: {created} created, {updated} updated.".format(**self.therapists),
            f"Weekly shifts: {self.shifts} (replacing the previous ones).",
            f"Time off ({AWAY[0]}): {self.time_off}.",
            "Visits: {booked} booked, {kept} already there, {skipped} without an open time.".format(**self.visits),
            f"A care plan under way (Casey Nguyen): {self.care_plan}.",
            f"A care plan flagged for a look together (Robin Ellis): {self.flagged_plan}.",
            "Back-to-back pairs: {} booked, {} already there.".format(*self.pairs),
            f"The calendar: {self.calendar}.",
            f"The waitlist: {self.waitlist}.",
        ]
        if not self.logins:
            return [*lines, "Staff logins: none created (the demo logins exist already)."]
        lines.append(f"Staff logins: {len(self.logins)} created. Their passwords are shown only now: keep them. "
                     "The admin sets up two-factor sign-in at its first sign-in, at /staff/login.")
        return [*lines, *(f"  {role:<9} {email:<40} {password}" for role, email, password in self.logins)]


def has_therapists() -> bool:
    """Whether at least one therapist is stored."""
    return bool(db.session.scalar(select(func.count()).select_from(Therapist)))


def _upsert_services(report: SeedReport) -> None:
    """Create or update the services, matched by code."""
    for demo in SERVICES:
        service = db.session.scalar(select(Service).where(Service.code == demo.code))
        report.services["updated" if service else "created"] += 1
        if service is None:
            service = Service(code=demo.code)
            db.session.add(service)
        for name in ("name", "therapy_type", "duration_minutes", "buffer_minutes", "price_cents", "description"):
            setattr(service, name, getattr(demo, name))
        service.active = True


def _upsert_therapists(report: SeedReport) -> None:
    """Create or update the therapists, matched by name, replacing their weekly hours."""
    for demo in THERAPISTS:
        therapist = db.session.scalar(select(Therapist).where(Therapist.name == demo.name))
        report.therapists["updated" if therapist else "created"] += 1
        if therapist is None:
            therapist = Therapist(name=demo.name)
            db.session.add(therapist)
        therapist.therapy_type, therapist.bio, therapist.active = demo.therapy_type, demo.bio, True
        therapist.email = demo.email
        therapist.hours = [WorkingHours(weekday=weekday, start_time=start, end_time=end)
                           for weekdays, start, end in demo.shifts for weekday in weekdays]
        report.shifts += len(therapist.hours)
        therapist.trained += [TherapistQualification(code=code) for code in demo.qualifications
                              if code not in therapist.qualifications]


def _open_time(visit: DemoVisit, service: Service, therapist_id: int, now: datetime) -> Slot | None:
    """The first open time from the visit's day and hour on (within a week), if any."""
    zone = clinic_zone()
    first_day = now.astimezone(zone).date() + timedelta(days=visit.days_ahead)
    slots = search_slots(service, first_day, first_day + timedelta(days=SEARCH_DAYS - 1),
                         therapist_id=therapist_id, now=now)
    later = (slot for slot in slots if slot.starts_at.astimezone(zone).hour >= visit.hour)
    return next(later, slots[0] if slots else None)


def _book_visits(report: SeedReport, now: datetime) -> None:
    """Book each demo patient's visit, with a stored screening, unless they already have one."""
    for visit in VISITS:
        if has_visit(visit.email):
            report.visits["kept"] += 1
            continue
        service = db.session.scalar(select(Service).where(Service.code == visit.service_code))
        therapist_id = db.session.scalar(select(Therapist.id).where(Therapist.name == visit.therapist))
        slot = _open_time(visit, service, therapist_id, now) if service and therapist_id else None
        if slot is None:
            report.visits["skipped"] += 1
            continue
        screening = create_screening(visit.answers)
        try:
            book(BookingRequest(screening_id=str(screening.id), service_code=visit.service_code,
                                therapist_id=therapist_id, starts_at=slot.starts_at,
                                patient=PatientDetails(visit.name, visit.email, visit.phone)), now=now)
        except BookingError as exc:
            logger.warning("a demo %s visit was not booked: %s", visit.service_code, exc.message)
            report.visits["skipped"] += 1
        else:
            report.visits["booked"] += 1


def _demo_password() -> str:
    """A random password for a demo login (16 characters from ``secrets``)."""
    return secrets.token_urlsafe(12)


def _create_logins(report: SeedReport) -> None:
    """Create the demo admin and a login per demo therapist, where missing; their passwords go in the report."""
    wanted: list[tuple[str, str, int | None]] = [(StaffRole.ADMIN, DEMO_ADMIN_EMAIL, None)]
    for demo in THERAPISTS:
        therapist = db.session.execute(select(Therapist).where(Therapist.name == demo.name)).scalar_one()
        linked = db.session.scalar(select(StaffUser.id).where(StaffUser.therapist_id == therapist.id))
        if linked is None:
            wanted.append((StaffRole.THERAPIST, demo.email, therapist.id))
    for role, email, therapist_id in wanted:
        if find_by_email(email) is None:
            password = _demo_password()
            create_staff(role, email, password, therapist_id)
            report.logins.append((str(role), email, password))


def _add_time_off(now: datetime) -> str:
    """The demo's time off, on the Thursday and Friday of next week, unless it is there; what was done."""
    name, reason = AWAY
    login = db.session.scalar(select(StaffUser).join(Therapist).where(Therapist.name == name))
    if login is None or login.therapist_id is None:
        return "skipped (the therapist or their login is missing)"
    if db.session.scalar(select(TimeOff.id).where(TimeOff.therapist_id == login.therapist_id,
                                                  TimeOff.reason == reason)):
        return "already there"
    today = now.astimezone(clinic_zone()).date()
    thursday = today + timedelta(days=7 - today.weekday() + THU)
    try:
        add_time_off(login.therapist_id, local_midnight(thursday), local_midnight(thursday + timedelta(days=2)),
                     reason, login, now=now)
    except HoursConflict:
        return "skipped (visits are booked then)"
    return f"added ({written(thursday, 'day_no_year')} and the day after)"


def _fill_calendar(report: SeedReport, now: datetime) -> None:
    """Book the demo's pairs, then fill the calendar around every visit booked so far."""
    report.pairs = demo_pairs.book_pairs(now)
    named = frozenset([visit.name for visit in VISITS] + [pair.patient.name for pair in demo_pairs.PAIRS]
                      + [PATIENT.name])
    filled = demo_calendar.fill(now, [therapist.name for therapist in THERAPISTS], named)
    report.calendar = "already filled" if filled is None else filled.line()


def seed(now: datetime | None = None) -> SeedReport:
    """Create or update the demo clinic, its staff logins and time off, book its demo visits and fill its calendar."""
    report = SeedReport()
    _upsert_services(report)
    _upsert_therapists(report)
    db.session.commit()
    _create_logins(report)
    now = moment(now)
    report.time_off = _add_time_off(now)
    _book_visits(report, now)
    report.care_plan = seed_plan(DEMO_ADMIN_EMAIL, now)
    report.flagged_plan = seed_flagged_plan(find_by_email(DEMO_ADMIN_EMAIL), now)
    _fill_calendar(report, now)
    report.waitlist = demo_waitlist.seed(DEMO_ADMIN_EMAIL, now)
    return report
