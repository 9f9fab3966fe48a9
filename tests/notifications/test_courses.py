"""A booking of several visits sends its patient one email of them all, with one calendar file of every visit."""

from __future__ import annotations

from datetime import timedelta

import icalendar
from sqlalchemy import select

from booking.clinic.calendar import event_uid
from booking.clinic.times import local_time
from booking.extensions import db
from booking.models import AppointmentStatus, Notification, NotificationStatus, StaffUser
from booking.services.care_plans import course as plan_course
from booking.services.care_plans import plans as care_plans
from booking.services.visits import Booked, CourseRequest, VisitRequest, book_course, cancel, manage_token
from tests.factories import CLINIC_ZONE, Clinic, StaffUserFactory
from tests.notifications.conftest import ALEX, TEN, deliver_due, notifications
from tests.notifications.test_delivery import HEALTH_WORDS, calendar_of
from tests.smtp import SmtpServer
from tests.staff.test_care_plans_service import details


def book_pair(clinic: Clinic) -> list[Booked]:
    """Massage at TEN with the first massage therapist, then physiotherapy with the first physiotherapist."""
    massage = VisitRequest(clinic.massage.code, clinic.massage_therapists[0].id, TEN)
    physio = VisitRequest(clinic.physio.code, clinic.physiotherapists[0].id, TEN + timedelta(hours=1))
    return book_course(CourseRequest(screening_id=str(clinic.screenings["combined"].id), visits=(massage, physio),
                                     patient=ALEX))


def book_plan(clinic: Clinic) -> list[Booked]:
    """A care plan's course of six visits (three weeks of massage right before physiotherapy), booked by an admin."""
    admin: StaffUser = StaffUserFactory(admin=True)
    plan = care_plans.create_plan(clinic.screenings["combined"], details(clinic), admin)
    return plan_course.book_plan(plan, plan_course.propose(plan), ALEX, admin)


def text_of(mail: object) -> str:
    """The plain-text body of an email."""
    return mail.get_body(("plain",)).get_content()


def starts(calendar: icalendar.Calendar) -> list[object]:
    """The start of each event of a calendar, in the clinic's zone."""
    return [event.decoded("DTSTART").astimezone(CLINIC_ZONE) for event in calendar.walk("VEVENT")]


def test_a_pair_sends_one_email_of_both_visits_with_one_calendar_file_of_both(clinic: Clinic,
                                                                              smtp: SmtpServer) -> None:
    massage, physio = (each.appointment for each in book_pair(clinic))
    deliver_due()
    [mail] = smtp.sink.to(ALEX.email)
    assert mail["Subject"].startswith("Your visits are booked")
    text = text_of(mail)
    for visit in (massage, physio):
        assert local_time(visit.starts_at) in text and visit.therapist.name in text
        assert f"http://localhost/book/manage/{manage_token(visit)}" in text
    assert "MST" in text and "Massage therapy (60 minutes)" in text and "Physiotherapy assessment" in text
    calendar = calendar_of(mail)
    assert calendar["METHOD"] == "REQUEST"
    assert starts(calendar) == [TEN, TEN + timedelta(hours=1)]
    assert [str(event["UID"]) for event in calendar.walk("VEVENT")] == [event_uid(massage), event_uid(physio)]
    assert [part.get_filename() for part in mail.iter_attachments()] == ["visits.ics"]
    for visit in (massage, physio):  # each therapist still hears of their own visit
        [notice] = smtp.sink.to(visit.therapist.email)
        assert notice["Subject"].startswith("New booking") and "A. M." in text_of(notice)


def test_a_care_plans_course_sends_the_plans_schedule_of_every_session_and_no_goals(clinic: Clinic,
                                                                                    smtp: SmtpServer) -> None:
    visits = [each.appointment for each in book_plan(clinic)]
    deliver_due()
    [mail] = smtp.sink.to(ALEX.email)
    assert mail["Subject"].startswith("Your care plan's schedule")
    text = " ".join(text_of(mail).split())
    physiotherapist, massage_therapist = clinic.physiotherapists[0], clinic.massage_therapists[0]
    assert (f"a course of physiotherapy with {physiotherapist.name} and massage therapy with "
            f"{massage_therapist.name}.") in text
    for visit in visits:
        assert local_time(visit.starts_at) in text and manage_token(visit) in text
    assert starts(calendar_of(mail)) == [visit.starts_at for visit in visits]
    body = mail.as_string().lower()
    assert "limp" not in body and "goal" not in body
    assert not [word for word in HEALTH_WORDS if word in body]


def test_a_plans_therapists_hear_of_the_plan_once_not_of_each_visit(clinic: Clinic, smtp: SmtpServer) -> None:
    visits = [each.appointment for each in book_plan(clinic)]
    assert notifications(kind="therapist_booked") == []
    assert len(notifications(kind="reminder")) == 2 * len(visits)  # each visit keeps its own reminders
    deliver_due()
    for therapist in (clinic.physiotherapists[0], clinic.massage_therapists[0]):
        [notice] = smtp.sink.to(therapist.email)
        assert notice["Subject"].startswith(f"A care plan was created (care plan {visits[0].care_plan_id}, A. M.)")


def test_a_visit_cancelled_before_the_email_is_sent_is_left_out_of_it(clinic: Clinic, smtp: SmtpServer) -> None:
    massage, physio = (each.appointment for each in book_pair(clinic))
    cancel(massage)
    deliver_due()
    [confirmation] = [m for m in smtp.sink.to(ALEX.email) if m["Subject"].startswith("Your visits are booked")]
    text = text_of(confirmation)
    assert manage_token(physio) in text and manage_token(massage) not in text
    assert starts(calendar_of(confirmation)) == [physio.starts_at]
    assert [m["Subject"].split(" – ")[0] for m in smtp.sink.to(ALEX.email)].count("Your visit is cancelled") == 1


def test_a_course_whose_visits_are_all_cancelled_before_it_is_sent_sends_nothing(clinic: Clinic,
                                                                                 smtp: SmtpServer) -> None:
    for each in book_pair(clinic):
        cancel(each.appointment)
    deliver_due()
    assert [m["Subject"].split(" – ")[0] for m in smtp.sink.to(ALEX.email)] == ["Your visit is cancelled"] * 2
    [course] = notifications(kind="course_confirmation")
    assert (course.status, course.last_error) == (NotificationStatus.SKIPPED,
                                                 "none of the course's visits is still booked")


def test_a_pair_cancelled_together_sends_one_email_that_removes_both_from_the_calendar(
        clinic: Clinic, smtp: SmtpServer) -> None:
    massage, physio = (each.appointment for each in book_pair(clinic))
    deliver_due()
    cancel(physio, with_partner=True)
    deliver_due()
    [mail] = [m for m in smtp.sink.to(ALEX.email) if "cancelled" in m["Subject"]]
    assert mail["Subject"].startswith("Your visits are cancelled")
    text = text_of(mail)
    assert local_time(massage.starts_at) in text and local_time(physio.starts_at) in text
    calendar = calendar_of(mail)
    assert calendar["METHOD"] == "CANCEL" and starts(calendar) == [TEN, TEN + timedelta(hours=1)]
    assert [str(event["STATUS"]) for event in calendar.walk("VEVENT")] == ["CANCELLED"] * 2
    for visit in (massage, physio):  # each therapist hears of their own visit
        assert [m["Subject"].split(" – ")[0] for m in smtp.sink.to(visit.therapist.email)] == [
            "New booking", "A visit is cancelled"]
    later = book_pair(clinic)[0].appointment  # the same patient's next pair, cancelled one visit at a time
    cancel(later)
    deliver_due()
    assert [m["Subject"].split(" – ")[0] for m in smtp.sink.to(ALEX.email)].count("Your visit is cancelled") == 1


def test_a_course_owes_one_patient_notice_about_its_first_visit_and_a_single_visit_its_own(clinic: Clinic) -> None:
    massage, physio = (each.appointment for each in book_pair(clinic))
    [course] = notifications(kind="course_confirmation")
    assert (course.key, course.appointment_id) == (f"course:{massage.id}:course_confirmation", massage.id)
    assert notifications(kind="confirmation") == []
    single = book_course(CourseRequest(screening_id=str(clinic.screenings["physiotherapy"].id), patient=ALEX,
                                       visits=(VisitRequest(clinic.physio.code, None, TEN + timedelta(days=1)),)))
    [confirmation] = notifications(kind="confirmation")
    assert confirmation.appointment_id == single[0].appointment.id
    assert len(notifications(kind="course_confirmation")) == 1
    kinds = db.session.scalars(select(Notification.kind).where(Notification.appointment_id == physio.id)).all()
    assert sorted(kinds) == ["questionnaire", "reminder", "reminder", "therapist_booked"]
    assert {massage.status, physio.status} == {AppointmentStatus.BOOKED}
