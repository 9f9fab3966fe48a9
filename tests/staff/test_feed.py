"""The therapist's calendar feed: a secret link that works without sign-in, revocable, with no health details."""

from __future__ import annotations

from datetime import UTC, timedelta

from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar

from booking.extensions import db
from booking.logs import redact
from booking.models import AuditEvent, StaffUser, Therapist
from booking.routing.explanations import EXPLANATIONS
from booking.routing.precautions import PRECAUTIONS
from booking.services.therapists.feed import feed_token
from tests.factories import local
from tests.staff.therapist_pages import massage_therapist, visit
from tests.staff_fixtures import WEDNESDAY_MORNING, signed_in

NOW = WEDNESDAY_MORNING


def feed_path(client: FlaskClient, user: StaffUser) -> str:
    """The feed link the calendar-feed page shows the user, as a path."""
    page = signed_in(client, user).get("/staff/calendar-feed").get_data(as_text=True)
    url = page.split('id="feed-url" class="feed-url" value="')[1].split('"')[0]
    assert url.startswith("http://localhost/staff/feed/")
    return url.removeprefix("http://localhost")


def events(body: bytes) -> list:
    """The events of an iCalendar body."""
    return [component for component in Calendar.from_ical(body).walk("VEVENT")]


def test_the_feed_lists_booked_and_completed_visits_in_utc_with_initials_and_no_sign_in(
        app: Flask, client: FlaskClient, therapist: StaffUser) -> None:
    booked = visit(therapist, local(2026, 12, 3, 10), caution=True, name="Avery Singh")
    done = visit(therapist, local(2026, 11, 20, 10), name="Jordan Lee", status="completed")
    visit(therapist, local(2026, 12, 4, 10), name="Cancelled Person", status="cancelled")
    visit(therapist, local(2026, 10, 20, 10), name="Long Ago")
    visit(therapist, local(2027, 3, 15, 10), name="Far Ahead")
    visit(massage_therapist(), local(2026, 12, 3, 12), name="Other Patient")
    path = feed_path(client, therapist)
    response = app.test_client().get(path)  # a calendar app: no cookie
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    found = events(response.data)
    assert [str(event["uid"]) for event in found] == [f"appointment-{done.id}@clinic-booking",
                                                      f"appointment-{booked.id}@clinic-booking"]
    first = found[1]
    assert first.decoded("dtstart") == booked.starts_at.astimezone(UTC)
    assert first.decoded("dtstart").tzinfo is not None and first.decoded("dtstart").utcoffset() == timedelta(0)
    assert str(first["summary"]) == "Massage therapy (60 minutes) – A. S."
    assert b"Avery" not in response.data and b"Singh" not in response.data


def test_a_therapist_may_choose_full_names_in_the_feed_and_go_back_to_initials(
        app: Flask, client: FlaskClient, therapist: StaffUser) -> None:
    visit(therapist, local(2026, 12, 3, 10), caution=True, name="Avery Singh")
    path = feed_path(client, therapist)
    assert 'name="full_names"' in client.get("/staff/calendar-feed").get_data(as_text=True)
    chosen = client.post("/staff/calendar-feed/names", data={"full_names": "y"}, follow_redirects=True)
    assert "Your calendar now shows patients&#39; full names." in chosen.get_data(as_text=True)
    assert str(events(app.test_client().get(path).data)[0]["summary"]) == "Massage therapy (60 minutes) – Avery Singh"
    client.post("/staff/calendar-feed/names", data={})
    assert str(events(app.test_client().get(path).data)[0]["summary"]) == "Massage therapy (60 minutes) – A. S."
    same = client.post("/staff/calendar-feed/names", data={}, follow_redirects=True)
    assert "Nothing was changed." in same.get_data(as_text=True)
    details = [event.detail for event in db.session.query(AuditEvent).order_by(AuditEvent.id)
               if (event.subject_type, event.action) == ("calendar feed", "changed")]
    assert details == ["full names shown", "initials shown"]


def test_the_feed_holds_no_health_words(app: Flask, client: FlaskClient, therapist: StaffUser) -> None:
    visit(therapist, local(2026, 12, 3, 10), caution=True, name="Avery Singh")
    body = app.test_client().get(feed_path(client, therapist)).get_data(as_text=True).replace("\r\n ", "")
    health = [*EXPLANATIONS.values(), *(precaution.text for precaution in PRECAUTIONS),
              "blood thinner", "lighter pressure", "caution", "screening", "relax", "pathway"]
    assert [words for words in health if words.lower() in body.lower()] == []


def test_a_revoked_link_answers_404_and_the_new_one_works(app: Flask, client: FlaskClient,
                                                          therapist: StaffUser) -> None:
    old = feed_path(client, therapist)
    assert client.post("/staff/calendar-feed/revoke").status_code == 303
    assert app.test_client().get(old).status_code == 404
    new = feed_path(client, therapist)
    assert new != old and app.test_client().get(new).status_code == 200
    assert db.session.get(Therapist, therapist.therapist_id).feed_version == 1
    event = db.session.query(AuditEvent).filter_by(action="changed").one()
    assert (event.action, event.subject_type, event.subject_id) == ("changed", "calendar feed",
                                                                   str(therapist.therapist_id))


def test_another_therapists_feed_cannot_be_opened_with_a_forged_or_borrowed_token(
        app: Flask, client: FlaskClient, therapist: StaffUser) -> None:
    other = massage_therapist()
    visit(other, local(2026, 12, 3, 10), name="Other Patient")
    mine = feed_token(therapist.therapist)
    anonymous = app.test_client()
    for path in (f"/staff/feed/{other.therapist_id}/{mine}.ics",                      # my token on their id
                 f"/staff/feed/{other.therapist_id}/{'A' * len(mine)}.ics",           # a forged one
                 f"/staff/feed/{other.therapist_id}/.ics", f"/staff/feed/{2**63}/{mine}.ics"):
        assert anonymous.get(path).status_code == 404
    assert signed_in(client, therapist).get(f"/staff/feed/{other.therapist_id}/{mine}.ics").status_code == 404


def test_a_deactivated_login_stops_the_feed(app: Flask, client: FlaskClient, therapist: StaffUser) -> None:
    path = feed_path(client, therapist)
    therapist.active = False
    db.session.commit()
    assert app.test_client().get(path).status_code == 404


def test_the_feed_token_never_reaches_a_log_line(therapist: StaffUser) -> None:
    token = feed_token(therapist.therapist)
    line = redact(f'"GET /staff/feed/{therapist.therapist_id}/{token}.ics" 200 3ms')
    assert token not in line and f"/staff/feed/{therapist.therapist_id}/<token>" in line
