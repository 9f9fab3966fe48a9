"""The demo's back-to-back pairs: two patients booked massage right before physiotherapy on the first days to
come, through the booking service like a patient's pair (one screening, one booking of both visits)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from booking.cli.demo_calendar import COMING_DAYS, services_by_code
from booking.cli.demo_people import has_visit
from booking.clinic.times import clinic_zone
from booking.services.screenings import create_screening
from booking.services.visits import BookingError, CourseRequest, PatientDetails, VisitRequest, book_course
from booking.services.visits.availability import search_pairs


@dataclass(frozen=True)
class DemoPair:
    """A demo patient's back-to-back pair, on the ``nth`` day to come that has a pair time, from ``hour`` on."""

    patient: PatientDetails
    answers: dict[str, object]
    massage: str
    physiotherapy: str
    nth: int
    hour: int


PAIRS = (
    DemoPair(PatientDetails("Nadia Haddad", "nadia.haddad@example.com", "403-555-0108"),
             {"concerns": ["chronic_pain", "muscle_tension"]}, "massage-60", "physio-initial", 0, 10),
    DemoPair(PatientDetails("Owen Kowalchuk", "owen.kowalchuk@example.com", "780-555-0109"),
             {"concerns": ["injury_rehab", "minor_strain"]}, "massage-30", "physio-initial", 1, 15),
)


def book_pairs(now: datetime) -> tuple[int, int]:
    """Book each demo pair that is not there yet, on its day to come; (booked, kept)."""
    booked = kept = 0
    for pair in PAIRS:
        if has_visit(pair.patient.email):
            kept += 1
        elif _book_pair(pair, now):
            booked += 1
    return booked, kept


def _book_pair(pair: DemoPair, now: datetime) -> bool:
    """Book the pair at its first time from its hour on, on its day; whether it was booked."""
    zone, services = clinic_zone(), services_by_code()
    today = now.astimezone(zone).date()
    times = search_pairs(services[pair.massage], services[pair.physiotherapy], today + timedelta(days=1),
                         today + timedelta(days=COMING_DAYS - 1), first_therapist_id=None, second_therapist_id=None)
    days = sorted({massage.astimezone(zone).date() for massage, _ in times})
    if len(days) <= pair.nth:
        return False
    on_day = [(massage, physio) for massage, physio in times if massage.astimezone(zone).date() == days[pair.nth]]
    massage, physio = next((found for found in on_day if found[0].astimezone(zone).hour >= pair.hour), on_day[0])
    visits = (VisitRequest(pair.massage, None, massage), VisitRequest(pair.physiotherapy, None, physio))
    try:
        book_course(CourseRequest(str(create_screening(pair.answers).id), visits, pair.patient), now=now)
    except BookingError:
        return False
    return True
