"""The admins' page of freed times: every opening of the last 30 days, newest first, with whom it was offered to and
what became of each offer, who filled it and how fast, and the figure in words; the same figure and the count waiting
on the today page."""

from __future__ import annotations

import re
from datetime import timedelta

from flask.testing import FlaskClient

from booking.extensions import db
from booking.models.waitlist import EntryStatus, OfferStatus, OpeningCause, OpeningStatus
from tests.factories import Clinic, local
from tests.staff_fixtures import clinic_with_admin
from tests.waitlist.records import entry, offer, opening

NOW = local(2026, 12, 2, 9, 40)  # Wednesday morning in Calgary
DAY, MINUTE = timedelta(days=1), timedelta(minutes=1)
clinic, admin_user, admin = clinic_with_admin(NOW)


def history(clinic: Clinic) -> None:
    """A cancellation filled after a first offer expired, a move nobody fitted, a time booked another way while
    offered, one being offered now, and a time an admin offered by hand (claimed)."""
    screening, therapist = clinic.screenings["physiotherapy"], clinic.physiotherapists[0]
    slow = entry(clinic.physio, screening, NOW - 20 * DAY, name="Slow Sam")
    quick = entry(clinic.physio, screening, NOW - 15 * DAY, name="Quick Quinn", status=EntryStatus.BOOKED)
    freed_at = local(2026, 11, 25, 8)
    filled = opening(therapist, freed_at, OpeningStatus.FILLED, filled_by=quick)
    offer(filled, slow, freed_at + MINUTE, OfferStatus.EXPIRED, answered_at=freed_at + 31 * MINUTE)
    offer(filled, quick, freed_at + 31 * MINUTE, OfferStatus.CLAIMED, answered_at=freed_at + 45 * MINUTE)
    opening(therapist, local(2026, 11, 26, 8), OpeningStatus.UNFILLED, cause=OpeningCause.MOVE)
    taken = opening(therapist, local(2026, 11, 27, 8), OpeningStatus.TAKEN)
    offer(taken, slow, local(2026, 11, 27, 8, 1), OfferStatus.TAKEN, answered_at=local(2026, 11, 27, 8, 20))
    live = opening(therapist, NOW - 5 * MINUTE, OpeningStatus.OPEN)
    offer(live, slow, NOW - 4 * MINUTE, OfferStatus.OFFERED)
    by_hand = entry(clinic.physio, screening, NOW - 9 * DAY, name="Hand Picked", status=EntryStatus.BOOKED)
    chosen = opening(therapist, local(2026, 11, 28, 8), OpeningStatus.FILLED, cause=OpeningCause.BY_HAND,
                     filled_by=by_hand)
    offer(chosen, by_hand, local(2026, 11, 28, 8), OfferStatus.CLAIMED, answered_at=local(2026, 11, 28, 8, 3))
    opening(therapist, NOW - 31 * DAY, OpeningStatus.UNFILLED, cause=OpeningCause.HOURS)
    db.session.commit()


FIGURE = ("Over the last 30 days, 1 of 3 freed times (33 %) was filled from the waitlist: 50 % of the 2 offered to "
          "someone, claimed in a median of 45 minutes from the time's freeing. 1 was booked another way, 1 not filled. "
          "1 is being offered now.")


def text(html: str) -> str:
    """The page's words, the markup and the runs of white space gone."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_every_freed_time_with_its_offers_and_outcome(admin: FlaskClient, clinic: Clinic) -> None:
    history(clinic)
    response = admin.get("/admin/waitlist/openings")
    assert response.status_code == 200
    words = text(response.get_data(as_text=True))
    assert FIGURE in words
    therapist = clinic.physiotherapists[0].name
    rows = words.split("Outcome ", 1)[1]
    freed = ["Dec 2, 2026, 9:35 a.m. MST", "Nov 28, 2026, 8:00 a.m. MST", "Nov 27, 2026, 8:00 a.m. MST",
             "Nov 26, 2026, 8:00 a.m. MST", "Nov 25, 2026, 8:00 a.m. MST"]
    assert [rows.index(when) for when in freed] == sorted(rows.index(when) for when in freed)
    assert "Offered by hand Hand Picked , Nov 28, 8:00 a.m.: claimed (8:03 a.m.) Filled from the waitlist" in rows
    assert (f"Nov 25, 2026, 8:00 a.m. MST Thu Nov 26, 8:00 a.m. MST–9:00 a.m. with {therapist} Cancellation "
            "Slow Sam , Nov 25, 8:01 a.m.: expired (8:31 a.m.) Quick Quinn , Nov 25, 8:31 a.m.: claimed (8:45 a.m.) "
            "Filled from the waitlist: Quick Quinn, claimed 45 minutes after it was freed") in words
    assert f"with {therapist} Visit moved Nobody Not filled" in words
    assert "Slow Sam , Nov 27, 8:01 a.m.: taken by someone else (8:20 a.m.) Booked another way" in words
    assert "New hours" not in words  # freed 31 days ago


def test_no_freed_time_says_so(admin: FlaskClient, clinic: Clinic) -> None:
    words = text(admin.get("/admin/waitlist/openings").get_data(as_text=True))
    assert "No freed time has been decided over the last 30 days." in words
    assert "No time has been freed over the last 30 days." in words


def test_the_today_page_gives_the_count_waiting_and_the_figure(admin: FlaskClient, clinic: Clinic) -> None:
    history(clinic)
    entry(clinic.physio, clinic.screenings["physiotherapy"], NOW - DAY, name="Also Waiting")
    db.session.commit()
    words = text(admin.get("/admin/today").get_data(as_text=True))
    assert f"Waitlist 2 patients waiting for a time. {FIGURE} The waitlist" in words


def test_the_waitlist_page_links_to_the_freed_times(admin: FlaskClient, clinic: Clinic) -> None:
    history(clinic)
    html = admin.get("/admin/waitlist").get_data(as_text=True)
    assert FIGURE in text(html)
    assert '<a href="/admin/waitlist/openings">Every freed time and what became of it</a>' in html
