"""In Chromium on a phone (390x844), a tablet (768x1024) and a desktop (1,280x800): the front desk's calendar walked
as the desk and a therapist would. The admin's today page and a check-in from it; the demo clinic's day of eight
therapists with a back-to-back pair linked (fitting the desktop, scrolling in its box on the tablet with the header
and times in view, a list per therapist on the phone); booking a caller from an empty time; moving a visit by drag
and drop and without JavaScript; a therapist's own week. Every page passes axe and is kept as a screenshot
(test-artifacts/screenshots)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from sqlalchemy import select

from booking.cli import demo
from booking.cli.demo_pairs import PAIRS
from booking.clinic.times import clinic_zone
from booking.extensions import db
from booking.forms.visits import format_start
from booking.models import Appointment, Patient, Service, StaffUser, Therapist
from booking.services.visits.schedule import clinic_today
from tests.browser import staff_pages
from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import LiveServer
from tests.browser.screening_steps import answer_screening
from tests.browser.staff_pages import overflow, page_of_size, sign_in, sign_in_admin, snapshot
from tests.factories import (
    AppointmentFactory,
    PatientFactory,
    ScreeningFactory,
    StaffUserFactory,
    TherapistFactory,
    staff_password_hash,
)

pytestmark = pytest.mark.browser
size, staff_page = staff_pages.every_size, staff_pages.staff_page  # the fixtures: phone, tablet and desktop pages
COLUMNS = 8  # the day that fits a desktop screen
FOLLOW_UP = "physio-follow-up-30"
THERAPIST_LOGIN = "Priya Raman"  # a demo therapist whose week is walked
THURSDAY = 3
NUMBERS = itertools.count(1)  # each test's own therapists' names


@dataclass(frozen=True)
class DemoClinic:
    """The demo clinic: the day of its first pair, eight of its therapists (the pair's two among them), the pair's
    massage and physiotherapy visits, and a demo therapist's login (the factories' password)."""

    pair_day: str
    therapist_ids: tuple[int, ...]
    massage_id: str
    physio_id: str
    therapist_email: str


@dataclass(frozen=True)
class Named:
    """A therapist as the pages show them."""

    id: int
    name: str


@dataclass(frozen=True)
class Desk:
    """An admin (email, TOTP secret), two physiotherapists of this test's own and their day, a visit of the first's at
    10:00 (to move, or book beside) and two free times, and a patient of theirs booked today (to check in)."""

    admin: str
    secret: str
    first: Named
    second: Named
    day: date
    eleven: str  # 11:00 a.m. of the day, and 3:00 p.m., as the grid's empty times give them (format_start)
    three: str
    visit_id: str
    today_patient: str


@pytest.fixture(scope="module")
def demo_clinic(live_app: LiveServer) -> DemoClinic:
    """The demo clinic seeded once for the module (seeding again changes nothing)."""
    with live_app.app.app_context():
        demo.seed()
        massage, physio = db.session.scalars(select(Appointment).join(Patient).where(
            Patient.email == PAIRS[0].patient.email).order_by(Appointment.starts_at)).all()
        names = [therapist.name for therapist in demo.THERAPISTS]
        ids = dict(db.session.execute(select(Therapist.name, Therapist.id).where(Therapist.name.in_(names))).all())
        pair = (massage.therapist_id, physio.therapist_id)
        chosen = (*pair, *(ids[name] for name in names if ids[name] not in pair))[:COLUMNS]
        login = db.session.scalar(select(StaffUser).join(Therapist).where(Therapist.name == THERAPIST_LOGIN))
        login.password_hash = staff_password_hash()
        db.session.commit()
        return DemoClinic(massage.starts_at.astimezone(clinic_zone()).date().isoformat(), chosen, str(massage.id),
                          str(physio.id), login.email)


def working_day() -> date:
    """A Monday to Thursday at least three days away: open until 8:00 p.m. whatever the clinic's settings."""
    day = clinic_today() + timedelta(days=3)
    while day.weekday() > THURSDAY:
        day += timedelta(days=1)
    return day


def at(day: date, hour: int) -> datetime:
    """The hour of the day, in the clinic's zone."""
    return datetime.combine(day, time(hour), tzinfo=clinic_zone())


@pytest.fixture
def desk(live_app: LiveServer, demo_clinic: DemoClinic, size: str) -> Desk:
    """The admin, the two physiotherapists (working 8:00 a.m. to 8:00 p.m. every day), the visit to move and today's."""
    with live_app.app.app_context():
        admin: StaffUser = StaffUserFactory(admin=True)
        number = next(NUMBERS)
        first = TherapistFactory(name=f"Robin Moss {size} {number}")
        second = TherapistFactory(name=f"Kai Lund {size} {number}")
        follow_up = db.session.scalar(select(Service).where(Service.code == FOLLOW_UP))
        day = working_day()
        visit = AppointmentFactory(therapist=first, service=follow_up, starts_at=at(day, 10),
                                   patient=PatientFactory(name=f"Dale Ng {size}"),
                                   screening=ScreeningFactory(kind="physiotherapy"))
        midnight = datetime.combine(clinic_today(), time(), tzinfo=clinic_zone())
        today = AppointmentFactory(therapist=first, service=follow_up,
                                   starts_at=max(datetime.now(UTC) - timedelta(minutes=10), midnight),
                                   patient=PatientFactory(name=f"Avery Arrives {size}"),
                                   screening=ScreeningFactory(kind="physiotherapy"))
        return Desk(admin.email, admin.totp_secret or "", Named(first.id, first.name), Named(second.id, second.name),
                    day, format_start(at(day, 11)), format_start(at(day, 15)), str(visit.id), today.patient.name)


@pytest.fixture
def no_script_page(browser: Browser, browser_context_args: dict[str, Any], size: str) -> Iterator[Page]:
    """A page of that size with JavaScript off."""
    with page_of_size(browser, browser_context_args, size, java_script_enabled=False) as page:
        yield page


def walked(page: Page, name: str) -> None:
    """The page as it is now passes axe and does not scroll sideways; kept as a screenshot."""
    snapshot(page, name)
    assert_accessible(page)
    assert overflow(page) == 0


def grid_of(desk: Desk) -> str:
    """The clinic's day of the desk's two therapists."""
    return f"/admin/calendar?day={desk.day.isoformat()}&therapist={desk.first.id}&therapist={desk.second.id}"


def free_time(page: Page, therapist: Named, start: str) -> Locator:
    """The grid's empty time of this therapist at that time (format_start)."""
    return page.locator(f'td.grid-free[data-therapist="{therapist.id}"][data-start="{start}"]')


def in_column(page: Page, cell: Locator, therapist: Named) -> bool:
    """Whether the cell stands under the therapist's column heading."""
    heading = page.locator("table.grid thead th", has_text=therapist.name).bounding_box()
    box = cell.bounding_box()
    return heading is not None and box is not None and heading["x"] <= box["x"] + box["width"] / 2 <= (
        heading["x"] + heading["width"])


def test_the_desk_checks_a_patient_in_from_the_today_page(staff_page: Page, desk: Desk) -> None:
    sign_in_admin(staff_page, desk.admin, desk.secret)
    expect(staff_page).to_have_url(re.compile(r"/admin/today$"))  # the admins' home
    expect(staff_page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Today, "))
    walked(staff_page, "calendar-1-today")

    staff_page.get_by_role("button", name=f"Check in {desk.today_patient}").click()
    expect(staff_page).to_have_url(re.compile(r"/admin/today#notice$"))
    notice = staff_page.locator("#notice")
    expect(notice).to_contain_text(f"{desk.today_patient} is checked in: arrived at ")
    expect(notice).to_be_focused()
    row = staff_page.locator("tr", has_text=desk.today_patient)
    expect(row).to_contain_text("Arrived at ")
    expect(row.get_by_role("button", name=f"Undo check-in of {desk.today_patient}")).to_be_visible()
    walked(staff_page, "calendar-2-checked-in")


def test_the_demo_clinics_day_shows_eight_therapists_and_a_pair_linked(staff_page: Page, size: str, desk: Desk,
                                                                       demo_clinic: DemoClinic) -> None:
    sign_in_admin(staff_page, desk.admin, desk.secret)
    chosen = "".join(f"&therapist={one}" for one in demo_clinic.therapist_ids)
    staff_page.goto(f"/admin/calendar?day={demo_clinic.pair_day}{chosen}")
    expect(staff_page.get_by_role("heading", level=1)).to_have_text("Calendar")
    walked(staff_page, "calendar-3-day")
    massage, physio = demo_clinic.massage_id, demo_clinic.physio_id
    if size == "phone":
        expect(staff_page.locator("table.grid")).to_be_hidden()
        expect(staff_page.locator(".grid-list")).to_have_count(COLUMNS)
        expect(staff_page.locator(".grid-list").first).to_be_visible()
        prefix = "#list-visit-"
    else:
        expect(staff_page.locator("table.grid thead th.grid-head")).to_have_count(COLUMNS)
        expect(staff_page.locator(".grid-lists")).to_be_hidden()
        prefix = "#visit-"
    to_physio = staff_page.locator(f"{prefix}{massage} a.grid-pair")
    to_massage = staff_page.locator(f"{prefix}{physio} a.grid-pair")
    expect(to_physio).to_have_text(re.compile(r"^Pair: physiotherapy with .+ after, "))
    expect(to_massage).to_have_text(re.compile(r"^Pair: massage therapy with .+ before, "))
    assert (to_physio.get_attribute("href"), to_massage.get_attribute("href")) == (f"{prefix}{physio}",
                                                                                   f"{prefix}{massage}")
    box = staff_page.locator(".grid-box")
    if size == "desktop":
        assert box.evaluate("box => box.scrollWidth - box.clientWidth") == 0
    elif size == "tablet":
        assert box.evaluate("box => box.scrollWidth - box.clientWidth") > 0
        box.evaluate("box => { box.scrollIntoView(); box.scrollLeft = 300; box.scrollTop = 400; }")
        assert box.evaluate("box => [box.scrollLeft > 0, box.scrollTop > 0]") == [True, True]
        frame = box.bounding_box()
        header = staff_page.locator("table.grid thead th.grid-head").nth(4).bounding_box()
        assert frame is not None and header is not None and abs(header["y"] - frame["y"]) <= 2
        row_heading_at_left = box.evaluate(
            "box => { const edge = box.getBoundingClientRect();"
            " return document.elementFromPoint(edge.left + 8, edge.top + edge.height / 2).closest('th').scope; }")
        assert row_heading_at_left == "row"  # the time column stays in view
        snapshot(staff_page, "calendar-3-day-scrolled")


def test_the_desk_books_a_caller_from_an_empty_time(staff_page: Page, size: str, desk: Desk) -> None:
    sign_in_admin(staff_page, desk.admin, desk.secret)
    staff_page.goto(grid_of(desk))
    three = free_time(staff_page, desk.first, desk.three).locator("a.grid-free-link")
    if size == "phone":  # no table on a phone: its link is followed as the desk's tablet would
        expect(three).to_be_hidden()
        staff_page.goto(three.get_attribute("href") or "")
    else:
        expect(three).to_have_accessible_name(f"Book with {desk.first.name} at 3:00 p.m.")
        three.click()
    booking = re.compile(rf"^Booking with {desk.first.name}, \w+ \w+ \d+ at 3:00 p\.m\. M[SD]T$")
    expect(staff_page.get_by_text(booking)).to_be_visible()
    walked(staff_page, "calendar-4-book-screening")
    answer_screening(staff_page, ("chronic_pain",))
    staff_page.locator("button[value=continue]").click()
    expect(staff_page.get_by_role("heading", level=1)).to_have_text("Choose a service")
    staff_page.get_by_label("Physiotherapy follow-up (30 minutes)", exact=False).check()
    staff_page.get_by_role("button", name="Continue").click()

    expect(staff_page.get_by_role("heading", level=1)).to_have_text("The caller's details")  # no time to choose
    walked(staff_page, "calendar-5-book-details")
    caller = f"Jordan Caller {size}"
    staff_page.get_by_label("Full name").fill(caller)
    staff_page.get_by_label("Phone number").fill("403-555-0190")
    staff_page.get_by_label("The caller has heard the privacy notice", exact=False).check()
    staff_page.get_by_role("button", name="Book this visit").click()
    expect(staff_page.get_by_text(f"Booked for {caller}.")).to_be_visible()

    staff_page.goto(grid_of(desk))
    booked = staff_page.locator(".grid-list-visit" if size == "phone" else "td.grid-visit", has_text=caller)
    expect(booked).to_be_visible()
    expect(booked.locator(".grid-visit-time")).to_have_text(re.compile(r"^3:00 – 3:30 p\.m\.$|^3:00 p\.m\. – "))
    walked(staff_page, "calendar-6-booked")


def confirm_move(page: Page, desk: Desk, *, javascript: bool = True) -> None:
    """On the one-step confirmation of the move to the second therapist at 11:00 a.m.: confirm it. (Without
    JavaScript axe cannot run: the page is only kept.)"""
    expect(page.get_by_role("heading", level=2)).to_have_text(re.compile(
        rf"^Move Dale Ng \w+'s .+\swith {desk.first.name} to .+ 11:00 a\.m\. M[SD]T with {desk.second.name}\?$", re.S))
    (walked if javascript else snapshot)(page, f"calendar-8-move-confirm{'' if javascript else '-no-js'}")
    page.get_by_role("button", name="Yes, move the visit").click()
    expect(page.locator("#notice")).to_contain_text(f"with {desk.second.name}.")


def move_on_its_page(page: Page, desk: Desk, *, javascript: bool) -> None:
    """From the visit's page: move it, choosing the second therapist, the day and 11:00 a.m., then confirm."""
    page.get_by_role("link", name="Move this visit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Move Dale Ng \w+'s visit$"))
    page.get_by_role("group", name="Move it to which therapist?").get_by_label(desk.second.name, exact=True).check()
    page.get_by_label("Day", exact=True).fill(desk.day.isoformat())
    if not javascript:
        page.get_by_role("button", name="Show open times").click()
    times = page.locator("#day-heading")
    expect(times).to_contain_text(desk.day.strftime("%B %-d"))
    (walked if javascript else snapshot)(page, f"calendar-7-move-times{'' if javascript else '-no-js'}")
    page.locator("button.slot", has_text=re.compile(r"^11:00 a\.m\.")).click()
    confirm_move(page, desk, javascript=javascript)


def moved(page: Page, desk: Desk, size: str) -> None:
    """The grid shows the visit at 11:00 a.m. with the second therapist."""
    page.goto(grid_of(desk))
    if size == "phone":
        second = page.locator(".grid-list", has_text=desk.second.name)
        expect(second.locator(".grid-list-visit .grid-visit-time")).to_have_text(re.compile(r"^11:00"))
        return
    visit = page.locator(f"#visit-{desk.visit_id}")
    expect(visit.locator(".grid-visit-time")).to_have_text(re.compile(r"^11:00"))
    assert in_column(page, visit, desk.second)


def test_the_desk_drags_a_visit_to_another_therapist_and_time(staff_page: Page, size: str, desk: Desk) -> None:
    sign_in_admin(staff_page, desk.admin, desk.secret)
    staff_page.goto(grid_of(desk))
    if size == "phone":  # a list, nothing to drag: the visit's own page moves it
        expect(staff_page.locator("table.grid")).to_be_hidden()
        staff_page.locator(f"#list-visit-{desk.visit_id} a.grid-visit-link").click()
        move_on_its_page(staff_page, desk, javascript=True)
    else:
        eleven = free_time(staff_page, desk.second, desk.eleven)
        eleven.scroll_into_view_if_needed()  # the visit an hour before it in view too: the drag scrolls nothing
        staff_page.locator(f"#visit-{desk.visit_id}").drag_to(eleven)
        staff_page.wait_for_url("**/reschedule?**")
        confirm_move(staff_page, desk)
    walked(staff_page, "calendar-9-moved")
    moved(staff_page, desk, size)


def test_the_desk_moves_a_visit_without_javascript(no_script_page: Page, size: str, desk: Desk) -> None:
    sign_in_admin(no_script_page, desk.admin, desk.secret)
    no_script_page.goto(f"/admin/appointments/{desk.visit_id}")
    move_on_its_page(no_script_page, desk, javascript=False)
    moved(no_script_page, desk, size)


def test_a_therapist_walks_their_own_week(staff_page: Page, size: str, demo_clinic: DemoClinic) -> None:
    sign_in(staff_page, demo_clinic.therapist_email)
    staff_page.goto("/staff/schedule?view=week")
    grid = staff_page.locator('table.grid[data-grid="therapist"]')
    if size == "phone":
        expect(grid).to_be_hidden()
        expect(staff_page.locator(".grid-list")).to_have_count(7)
    else:
        expect(grid.locator("thead th.grid-head")).to_have_count(7)
    walked(staff_page, "calendar-10-therapist-week")
    visits = staff_page.locator(".grid-list-visit" if size == "phone" else "td.grid-visit")
    expect(visits.first).to_be_visible()
    visits.first.locator("a.grid-visit-link").click()
    expect(staff_page.get_by_role("heading", level=1)).to_be_visible()
    expect(staff_page.get_by_role("heading", name=re.compile("Screening"))).to_be_visible()
