"""The admins' waitlist page: who is waiting, filtered and ordered, with the offer each holds; removing a place and
offering a time by hand (the claim email goes out; a time that is not free or does not suit the patient is explained
beside the field, with what was typed kept); patients by name, never their screening; the menu entry."""

from __future__ import annotations

import re
from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import select

from booking.extensions import db
from booking.models import AuditEvent, Notification, StaffUser
from booking.models.waitlist import EntryStatus, OfferStatus, OpeningCause, OpeningStatus, WaitlistOffer
from tests.factories import AppointmentFactory, Clinic, ScreeningFactory, StaffUserFactory, care_plan, local
from tests.staff.therapist_pages import CAUTION_ANSWERS, CAUTION_TEXT
from tests.staff_fixtures import clinic_with_admin, signed_in
from tests.waitlist.records import entry, offer, opening

NOW = local(2026, 12, 2, 9, 40)  # Wednesday morning in Calgary
DAY = timedelta(days=1)
clinic, admin_user, admin = clinic_with_admin(NOW)


def page(client: FlaskClient, query: str = "") -> str:
    response = client.get(f"/admin/waitlist{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def words(html: str) -> str:
    """The words of some HTML, the markup and the runs of white space gone."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def listed(html: str) -> list[str]:
    """The patients' names in the list's rows, in order."""
    return re.findall(r'<td data-label="Patient"><a href="/admin/patients/\d+">([^<]+)</a>', html)


def waiting_list(clinic: Clinic) -> None:
    """A plan's session (joined last), two singles and a pair, one with a blood-thinner caution."""
    physio, massage = clinic.physio, clinic.massage
    entry(physio, clinic.screenings["physiotherapy"], NOW - 9 * DAY, name="Joined First", days=(0, 1, 2, 3, 4),
          parts=("morning", "afternoon"))
    entry(massage, ScreeningFactory(answers=dict(CAUTION_ANSWERS)), NOW - 6 * DAY, name="Careful Massage",
          therapist=clinic.massage_therapists[0])
    entry(massage, clinic.screenings["combined"], NOW - 4 * DAY, name="Pair Waiter", pair_service=physio,
          days=(1, 3), parts=("evening",))
    entry(physio, clinic.screenings["combined"], NOW - DAY, name="Plan Session", care_plan_id=care_plan(clinic, clinic.screenings["combined"]).id)
    entry(physio, clinic.screenings["physiotherapy"], NOW - 20 * DAY, name="Gone Already", status=EntryStatus.LEFT)
    db.session.commit()


def test_the_waitlist_in_priority_order_without_health_words(admin: FlaskClient, clinic: Clinic) -> None:
    waiting_list(clinic)
    html = page(admin)
    assert listed(html) == ["Plan Session", "Joined First", "Careful Massage", "Pair Waiter"]
    assert "4 patients waiting for a time" in html
    rows = dict(zip(listed(html), (words(row) for row in html.split("<tbody>")[1].split("<tr>")[1:]), strict=True))
    assert f"{clinic.physio.name}, with anyone (a care plan's session) any day; any time of day; through Jan 25" \
        in rows["Plan Session"]
    assert f"{clinic.physio.name}, with anyone weekdays; morning, afternoon; through Jan 17 Nov 23 None" \
        in rows["Joined First"]
    assert f"{clinic.massage.name}, with {clinic.massage_therapists[0].name} any day" in rows["Careful Massage"]
    assert (f"{clinic.massage.name}, then {clinic.physio.name} right after, with anyone Tue, Thu; evening; "
            "through Jan 22 Nov 28 None Offer a time") in rows["Pair Waiter"]
    assert CAUTION_TEXT not in html and "anticoagulants" not in html.lower()


def test_the_waitlist_by_service_therapist_and_waiting_time(admin: FlaskClient, clinic: Clinic) -> None:
    waiting_list(clinic)
    assert listed(page(admin, f"?service={clinic.physio.id}")) == ["Plan Session", "Joined First", "Pair Waiter"]
    assert listed(page(admin, f"?therapist={clinic.massage_therapists[1].id}")) == ["Pair Waiter"]
    assert listed(page(admin, "?order=waiting")) == ["Joined First", "Careful Massage", "Pair Waiter", "Plan Session"]
    assert "Nobody is waiting who matches these filters." in page(
        admin, f"?service={clinic.massage.id}&therapist={clinic.physiotherapists[0].id}")


def test_a_bad_filter_is_explained_and_lists_nothing(admin: FlaskClient, clinic: Clinic) -> None:
    waiting_list(clinic)
    html = page(admin, "?service=999999&order=loudest")
    assert "Choose one of the services listed, or any service." in html
    assert "Choose the priority order or the waiting time." in html
    assert listed(html) == []


def test_the_offer_an_entry_holds_is_shown(admin: FlaskClient, clinic: Clinic) -> None:
    holder = entry(clinic.physio, clinic.screenings["physiotherapy"], NOW - 3 * DAY, name="Holds One")
    time = opening(clinic.physiotherapists[1], NOW - timedelta(minutes=5), OpeningStatus.OPEN,
                   starts_in=timedelta(hours=28, minutes=25))
    offer(time, holder, NOW - timedelta(minutes=4), OfferStatus.OFFERED)
    db.session.commit()
    assert (f"Thu Dec 3, 2:00 p.m. MST with {clinic.physiotherapists[1].name}, held until 10:06 a.m."
            in page(admin))


def test_removing_a_place_withdraws_its_offer_and_is_audited(admin: FlaskClient, clinic: Clinic,
                                                             admin_user: StaffUser) -> None:
    leaving = entry(clinic.physio, clinic.screenings["physiotherapy"], NOW - 3 * DAY, name="Taken Off")
    time = opening(clinic.physiotherapists[0], NOW - timedelta(minutes=5), OpeningStatus.OPEN)
    held = offer(time, leaving, NOW - timedelta(minutes=4), OfferStatus.OFFERED)
    db.session.commit()

    response = admin.post(f"/admin/waitlist/{leaving.id}/remove", follow_redirects=True)

    assert "Taken Off is off the waitlist; any time offered to them is withdrawn." in response.get_data(as_text=True)
    db.session.refresh(leaving)
    db.session.refresh(held)
    assert (leaving.status, held.status) == (EntryStatus.REMOVED, OfferStatus.WITHDRAWN)
    assert db.session.scalar(select(AuditEvent.actor_id).where(AuditEvent.subject_type == "waitlist_entry",
                                                               AuditEvent.action == "removed")) == admin_user.id
    again = admin.post(f"/admin/waitlist/{leaving.id}/remove", follow_redirects=True).get_data(as_text=True)
    assert "Taken Off is no longer waiting: removed by the clinic." in again
    assert admin.post("/admin/waitlist/999999/remove").status_code == 404


def test_offering_a_time_by_hand_sends_the_claim_email(admin: FlaskClient, clinic: Clinic) -> None:
    waiter = entry(clinic.physio, clinic.screenings["physiotherapy"], NOW - 3 * DAY, name="Offered By Hand")
    db.session.commit()
    therapist = clinic.physiotherapists[1]
    form = admin.get(f"/admin/waitlist/{waiter.id}/offer").get_data(as_text=True)
    assert "Offer a time to Offered By Hand" in form
    assert all(physio.name in form for physio in clinic.physiotherapists)
    assert clinic.massage_therapists[0].name not in form

    response = admin.post(f"/admin/waitlist/{waiter.id}/offer",
                          data={"therapist": str(therapist.id), "day": "2026-12-03", "time": "14:00"})

    assert response.status_code == 303
    made = db.session.scalars(select(WaitlistOffer).where(WaitlistOffer.entry_id == waiter.id)).one()
    assert (made.status, made.opening.cause, made.opening.therapist_id) == (
        OfferStatus.OFFERED, OpeningCause.BY_HAND, therapist.id)
    assert made.opening.starts_at == local(2026, 12, 3, 14)
    assert db.session.scalar(select(Notification.kind).where(Notification.waitlist_offer_id == made.id)) == \
        "waitlist_offer"
    listing = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Thursday December 3, 2026 at 2:00 p.m. MST is offered to Offered By Hand" in listing
    assert f"An email with the claim link is on its way to {waiter.patient.email}." in listing
    assert f"Thu Dec 3, 2:00 p.m. MST with {therapist.name}" in listing


def test_a_caller_without_email_is_offered_a_time_to_tell_them_on_the_phone(admin: FlaskClient,
                                                                          clinic: Clinic) -> None:
    caller = entry(clinic.physio, clinic.screenings["physiotherapy"], NOW - 3 * DAY, name="Phones Only")
    caller.patient.email = None
    db.session.commit()
    response = admin.post(f"/admin/waitlist/{caller.id}/offer", follow_redirects=True, data={
        "therapist": str(clinic.physiotherapists[0].id), "day": "2026-12-03", "time": "10:00"})
    listing = words(response.get_data(as_text=True))
    assert f"They have no email address: call them on {caller.patient.phone}, then answer for them under Call to " \
        "offer." in listing
    assert (f"Call to offer Call Phones Only on {caller.patient.phone} : {clinic.physio.name} with "
            f"{clinic.physiotherapists[0].name} Thu Dec 3, 10:00 a.m. MST, held until 10:10 a.m.") in listing
    assert db.session.scalar(select(Notification.id).where(Notification.kind == "waitlist_offer")) is None


def test_a_time_that_is_not_free_is_explained_with_what_was_typed(admin: FlaskClient, clinic: Clinic) -> None:
    waiter = entry(clinic.physio, clinic.screenings["physiotherapy"], NOW - 3 * DAY, name="Wants Thursday")
    therapist = clinic.physiotherapists[0]
    AppointmentFactory(therapist=therapist, service=clinic.physio, starts_at=local(2026, 12, 3, 14))
    db.session.commit()

    response = admin.post(f"/admin/waitlist/{waiter.id}/offer",
                          data={"therapist": str(therapist.id), "day": "2026-12-03", "time": "14:00"})

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"is not free on {therapist.name}&#39;s calendar" in html
    assert 'value="2026-12-03"' in html and 'value="14:00"' in html
    assert db.session.scalar(select(WaitlistOffer.id)) is None


def test_a_time_that_does_not_suit_the_place_is_explained(admin: FlaskClient, clinic: Clinic) -> None:
    mornings = entry(clinic.physio, clinic.screenings["physiotherapy"], NOW - 3 * DAY, name="Mornings Only",
                     parts=("morning",))
    db.session.commit()
    html = admin.post(f"/admin/waitlist/{mornings.id}/offer", data={
        "therapist": str(clinic.physiotherapists[0].id), "day": "2026-12-03", "time": "15:00"}).get_data(as_text=True)
    assert "That time does not suit this place on the list" in html


def test_bad_input_on_the_offer_form_is_explained(admin: FlaskClient, clinic: Clinic) -> None:
    waiter = entry(clinic.physio, clinic.screenings["physiotherapy"], NOW - 3 * DAY)
    db.session.commit()
    response = admin.post(f"/admin/waitlist/{waiter.id}/offer",
                          data={"therapist": str(clinic.massage_therapists[0].id), "day": "3 Dec", "time": "25:99"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Choose one of the therapists listed." in html
    assert "Enter a date like 2026-11-02." in html
    assert "Enter a time like 09:00 or 17:30." in html
    assert 'value="3 Dec"' in html and 'value="25:99"' in html
    far = admin.post(f"/admin/waitlist/{waiter.id}/offer", data={
        "therapist": str(clinic.physiotherapists[0].id), "day": "9999-12-31", "time": "23:30"})
    assert far.status_code == 200 and "Enter a date from" in far.get_data(as_text=True)
    empty = admin.post(f"/admin/waitlist/{waiter.id}/offer", data={}).get_data(as_text=True)
    assert "Enter the day of the time, like 2026-12-04." in empty
    assert "Enter when the time starts, like 14:30." in empty


def test_a_place_that_ended_offers_no_form(admin: FlaskClient, clinic: Clinic) -> None:
    booked = entry(clinic.physio, clinic.screenings["physiotherapy"], NOW - 3 * DAY, name="Booked Already",
                   status=EntryStatus.BOOKED)
    db.session.commit()
    response = admin.get(f"/admin/waitlist/{booked.id}/offer", follow_redirects=True)
    assert "Booked Already is no longer waiting: booked." in response.get_data(as_text=True)
    assert admin.get("/admin/waitlist/999999/offer").status_code == 404


def test_the_menu_leads_admins_to_the_waitlist_and_therapists_nowhere_near_it(admin: FlaskClient,
                                                                              clinic: Clinic) -> None:
    assert '<a href="/admin/waitlist">Waitlist</a>' in admin.get("/admin/today").get_data(as_text=True)
    assert 'href="/admin/waitlist" aria-current="page">Waitlist</a>' in page(admin)
    therapist = signed_in(admin, StaffUserFactory())
    assert "/admin/waitlist" not in therapist.get("/staff/schedule").get_data(as_text=True)
    assert therapist.get("/admin/waitlist").status_code == 404
