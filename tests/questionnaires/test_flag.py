"""A care plan's flag from its patient's answers: not yet a meaningful change after the set number of sessions, or
worse than at the start at once; told to both therapists once, in the answer's own transaction, without health words.
"""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import select

from booking.extensions import db
from booking.measures import ChangeKind
from booking.models import Appointment, AppointmentStatus, ClinicSettings
from booking.services.care_plans.progress import flags
from booking.services.questionnaires import answer, questionnaire_for
from tests.factories import Clinic, ScreeningFactory
from tests.notifications.conftest import deliver_due
from tests.notifications.test_courses import text_of
from tests.notifications.test_delivery import HEALTH_WORDS
from tests.questionnaires.conftest import TEN, notifications, plan_visits
from tests.smtp import SmtpServer
from tests.staff.therapist_pages import counted_queries

FIRST = {"nprs": "6", "activity_1": "Climbing stairs", "rating_1": "3", "activity_2": "Lifting my son",
         "rating_2": "5"}
SAME = {"nprs": "6", "rating_1": "3", "rating_2": "5", "groc": "1"}
WORSE = {"nprs": "8", "rating_1": "3", "rating_2": "5", "groc": "-1"}
BETTER = {"nprs": "3", "rating_1": "3", "rating_2": "5", "groc": "1"}
FLAGGED = "outcome_flagged"


def weekly_plan(clinic: Clinic, sessions: int, *, nth: int = 0) -> list[Appointment]:
    """A plan's visits a week apart from TEN; the ``nth`` of several has a screening of its own and its visits
    two hours later each."""
    first = TEN + timedelta(hours=2 * nth)
    return plan_visits(clinic, *(first + timedelta(days=7 * week) for week in range(sessions)),
                       screening=ScreeningFactory() if nth else None)


def answer_before(visit: Appointment, typed: dict[str, str], clock: time_machine.Coordinates | None) -> None:
    """The patient answers an hour before the visit (or now, on the real clock, without ``clock``); the visits
    before it were completed."""
    if clock is not None:
        clock.move_to(visit.starts_at - timedelta(hours=1))
    for earlier in db.session.scalars(select(Appointment).where(Appointment.care_plan_id == visit.care_plan_id,
                                                                Appointment.starts_at < visit.starts_at)):
        earlier.status = AppointmentStatus.COMPLETED
    db.session.commit()
    reading = answer(questionnaire_for(visit), typed)
    assert not reading.errors, reading.errors


def test_no_meaningful_change_after_four_sessions_is_flagged_and_explained(clinic: Clinic,
                                                                           clock: time_machine.Coordinates) -> None:
    visits = weekly_plan(clinic, 5)
    answer_before(visits[0], FIRST, clock)
    for visit in visits[1:4]:
        answer_before(visit, SAME, clock)
    assert flags([visits[0].care_plan_id]) == {}  # after 3 sessions: too soon to say
    answer_before(visits[4], SAME, clock)
    [flag] = flags([visits[0].care_plan_id]).values()
    assert flag.kind is ChangeKind.NOT_YET
    assert flag.title == "Not yet a meaningful change after 4 sessions"
    assert "NPRS 6 to 6" in flag.explanation and "not a verdict" in flag.explanation


def test_a_result_worse_than_the_start_by_the_mcid_is_flagged_at_once(clinic: Clinic,
                                                                       clock: time_machine.Coordinates) -> None:
    first, second = weekly_plan(clinic, 2)
    answer_before(first, FIRST, clock)
    answer_before(second, WORSE, clock)
    [flag] = flags([first.care_plan_id]).values()
    assert flag.title == "Worse than at the start, after 1 session"
    assert "NPRS 6 to 8" in flag.explanation


def test_one_measure_better_by_its_mcid_raises_no_flag(clinic: Clinic, clock: time_machine.Coordinates) -> None:
    visits = weekly_plan(clinic, 5)
    answer_before(visits[0], FIRST, clock)
    for visit in visits[1:]:
        answer_before(visit, BETTER, clock)
    assert flags([visits[0].care_plan_id]) == {}


def test_the_clinics_setting_sets_the_sessions_before_the_flag(clinic: Clinic,
                                                               clock: time_machine.Coordinates) -> None:
    db.session.scalars(select(ClinicSettings)).one().flag_after_sessions = 2
    db.session.commit()
    visits = weekly_plan(clinic, 3)
    answer_before(visits[0], FIRST, clock)
    answer_before(visits[1], SAME, clock)
    assert flags([visits[0].care_plan_id]) == {}
    answer_before(visits[2], SAME, clock)
    [flag] = flags([visits[0].care_plan_id]).values()
    assert flag.title == "Not yet a meaningful change after 2 sessions"


def test_both_therapists_are_told_once_without_health_words(clinic: Clinic, clock: time_machine.Coordinates,
                                                            smtp: SmtpServer) -> None:
    visits = weekly_plan(clinic, 6)
    for visit, typed in zip(visits, [FIRST, SAME, SAME, SAME], strict=False):
        answer_before(visit, typed, clock)
    assert notifications(event=FLAGGED) == []
    answer_before(visits[4], SAME, clock)
    answer_before(visits[5], SAME, clock)  # still flagged: no second notice
    told = notifications(event=FLAGGED)
    assert sorted(row.therapist_id for row in told) == sorted(
        [clinic.physiotherapists[0].id, clinic.massage_therapists[0].id])
    deliver_due()
    for therapist in (clinic.physiotherapists[0], clinic.massage_therapists[0]):
        [mail] = [each for each in smtp.sink.to(therapist.email) if "flagged" in each["Subject"]]
        assert mail["Subject"].startswith(f"The plan was flagged for a look together (care plan {visits[0].care_plan_id}")
        assert f"/staff/care-plans/{visits[0].care_plan_id}" in text_of(mail)
        body = mail.as_string().lower()
        assert not [word for word in (*HEALTH_WORDS, "worse", "nprs", "psfs", "meaningful") if word in body]


def test_a_plan_flagged_not_yet_that_turns_worse_is_told_again(clinic: Clinic,
                                                               clock: time_machine.Coordinates) -> None:
    visits = weekly_plan(clinic, 6)
    for visit, typed in zip(visits, [FIRST, SAME, SAME, SAME, SAME, WORSE], strict=True):
        answer_before(visit, typed, clock)
    assert sorted(row.key.split(":")[3] for row in notifications(event=FLAGGED)) == [
        ChangeKind.NOT_YET, ChangeKind.NOT_YET, ChangeKind.WORSE, ChangeKind.WORSE]


def test_a_lists_flags_take_the_same_queries_for_one_plan_or_many(clinic: Clinic,
                                                                  clock: time_machine.Coordinates) -> None:
    plans = [weekly_plan(clinic, 2, nth=nth) for nth in range(3)]
    for first, second in plans:
        answer_before(first, FIRST, clock)
        answer_before(second, WORSE, clock)
    ids = [first.care_plan_id for first, _ in plans]
    with counted_queries() as one:
        assert len(flags(ids[:1])) == 1
    with counted_queries() as three:
        assert len(flags(ids)) == 3
    assert len(three) == len(one)
