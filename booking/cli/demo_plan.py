"""The demo's care plan under way, so that a new user can work a plan at once.

Casey Nguyen (knee surgery eight weeks ago, tight muscles: a combined screening)
began a six-week course nine days ago with Priya Raman and Marcus Lee: physiotherapy
weekly, massage right before it every two weeks. It goes through the services,
each step judged at the time it happened: the plan made and its whole course booked
nine days ago, the first pair completed with both outcomes, a session note and a
handoff note, and the questions answered before the first day and before the physiotherapy
since (pain and activities better by their MCID). The physiotherapy since, if its time has come, is left for its
therapist to mark and to record; the rest is to come. Seeded once: the plan is kept
when Casey has one.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select

from booking.clinic.times import clinic_zone
from booking.extensions import db
from booking.models import Appointment, CarePlan, Patient, Service, StaffUser, Therapist
from booking.services.care_plans.course import book_plan, propose
from booking.services.care_plans.notes import HANDOFF, record_pain, write_note
from booking.services.care_plans.plans import InvalidPlan, PlanDetails, create_plan
from booking.services.questionnaires import answer, questionnaire_for
from booking.services.screenings import create_screening
from booking.services.staff_accounts.accounts import find_by_email
from booking.services.visits import BookingError, PatientDetails
from booking.services.visits.outcomes import record_outcome

logger = logging.getLogger(__name__)

PATIENT = PatientDetails("Casey Nguyen", "casey.nguyen@example.com", "403-555-0107")
ANSWERS = {"concerns": ["post_surgery", "muscle_tension"], "weeks_since_surgery": 8}
GOALS = ("Go down stairs and kneel without knee pain after the surgery; loosen the quadriceps and "
         "hamstrings so that the rehab exercises can go further.")
BEGAN_DAYS_AGO = 9
# What the first pair's therapists recorded: (pain now, function note, note, kind of note).
FIRST_PAIR = {
    "massage": (6, "Sits through a 30-minute drive, knee stiff after",
                "Quads and hamstrings very tight; worked them well before the rehab. Left knee tender "
                "by the scar, so I went lighter there.", HANDOFF),
    "physiotherapy": (5, "Stairs one at a time with the rail",
                      "Flexion 95 degrees after the massage. Started step-ups and quad sets; home program given.",
                      "session"),
}


# Casey's questionnaires: the first names the activities (PSFS) and rates the pain (NPRS); the next adds the GROC.
FIRST_ANSWERS = {"nprs": "6", "activity_1": "Going down stairs", "rating_1": "3", "activity_2": "Kneeling to garden",
                 "rating_2": "2"}
LATER_ANSWERS = {"nprs": "4", "rating_1": "5", "rating_2": "5", "groc": "3"}


def login_of(therapist: Therapist) -> StaffUser | None:
    """The therapist's staff login, if there is one."""
    return db.session.scalar(select(StaffUser).where(StaffUser.therapist_id == therapist.id))


def has_plan(email: str | None) -> bool:
    """Whether the demo patient of this address already has a care plan."""
    return db.session.scalar(select(CarePlan.id).join(Patient, Patient.id == CarePlan.patient_id)
                             .where(Patient.email == email).limit(1)) is not None


def _work_first_pair(visits: list[Appointment]) -> None:
    """Complete the course's first day, with each therapist's outcome and note."""
    first_day = visits[0].starts_at.astimezone(clinic_zone()).date()
    for visit in visits:
        if visit.starts_at.astimezone(clinic_zone()).date() != first_day:
            continue
        login = login_of(visit.therapist)
        if login is None:
            continue
        pain, function, note, kind = FIRST_PAIR[visit.service.therapy_type]
        record_outcome(visit, "completed", by_staff=login, now=visit.ends_at)
        record_pain(visit, login, pain, function, now=visit.ends_at)
        write_note(visit, login, note, kind=kind, now=visit.ends_at + timedelta(minutes=5))


def book_course(admin: StaffUser | None, patient: PatientDetails, goals: str, began_days_ago: int,
                now: datetime) -> list[Appointment] | str:
    """Make and book a combined plan with Priya Raman and Marcus Lee that began ``began_days_ago`` days before
    ``now`` (six weekly physiotherapy sessions, a massage right before every second one): its visits, earliest
    first, or why it was skipped."""
    physio = db.session.scalar(select(Therapist).where(Therapist.name == "Priya Raman"))
    massage = db.session.scalar(select(Therapist).where(Therapist.name == "Marcus Lee"))
    services = {service.code: service for service in db.session.scalars(select(Service))}
    if admin is None or physio is None or massage is None:
        return "skipped (the demo admin or therapists are missing)"
    then = now - timedelta(days=began_days_ago)
    details = PlanDetails(
        physiotherapist_id=physio.id, massage_therapist_id=massage.id,
        physio_service_id=services["physio-follow-up-45"].id, massage_service_id=services["massage-60"].id,
        goals=goals, physio_sessions=6, physio_cadence_days=7, massage_sessions=3, massage_cadence_days=14,
        tolerance_days=2, back_to_back=True, starts_on=then.astimezone(clinic_zone()).date() + timedelta(days=1))
    try:
        plan = create_plan(create_screening(ANSWERS), details, admin, now=then)
        booked = book_plan(plan, propose(plan, now=then), patient, admin, now=then)
    except (BookingError, InvalidPlan) as exc:
        db.session.rollback()
        logger.warning("a demo care plan was not booked: %s", getattr(exc, "message", exc))
        return "skipped (no course could be booked)"
    return sorted((item.appointment for item in booked), key=lambda visit: visit.starts_at)


def seed_plan(admin_email: str, now: datetime) -> str:
    """Seed the plan under way unless the demo patient has one; what was done, in a few words."""
    if has_plan(PATIENT.email):
        return "already there"
    visits = book_course(find_by_email(admin_email), PATIENT, GOALS, BEGAN_DAYS_AGO, now)
    if isinstance(visits, str):
        return visits
    answered = _answer_questions(visits, now)  # before the visits are marked: a visit over takes no answers
    _work_first_pair(visits)
    return f"booked ({len(visits)} visits, the first pair done, {answered} questionnaires answered)"


def answer_before(visit: Appointment, typed: dict[str, str]) -> None:
    """The patient answers the visit's questions at home the evening before it (14 hours before)."""
    answer(questionnaire_for(visit), typed, now=visit.starts_at - timedelta(hours=14))


def _answer_questions(visits: list[Appointment], now: datetime) -> int:
    """Casey's answers before the first day and before the physiotherapy since, if its eve has come: pain down
    from 6 to 4 and the activities from 2.5 to 5 (both past their MCID), "somewhat better"; how many."""
    answer_before(visits[0], FIRST_ANSWERS)
    since = [visit for visit in visits[2:] if visit.starts_at - timedelta(hours=14) < now]
    for visit in since[:1]:
        answer_before(visit, LATER_ANSWERS)
    return 1 + len(since[:1])
