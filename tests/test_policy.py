"""The access policy as the pages use it: each staff page guarded by a named rule, the navigation drawn from them.

Every navigation entry a person sees opens for them, and the entries they do not
see are pages they cannot open; each entry names the rule its page is guarded by;
no staff page goes unguarded. The services' side of the policy (each refusing the
wrong person, whoever calls it) is tests/services/test_service_access.py.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient

from booking.models import StaffUser
from booking.navigation import NAVIGATION, PATIENT_SEARCH, SETUP, Group, Page, menu_for, navigation_for
from booking.policy import Refused, may_check_in, may_see_diary, require_see_diary
from tests.factories import Clinic, StaffUserFactory, small_clinic
from tests.staff.therapist_pages import massage_therapist
from tests.staff_fixtures import signed_in

# The staff and admin pages open to anyone: signing in and its ways back, and the calendar apps' feed (its link's
# token is the key).
UNGUARDED = {"staff.login", "staff.logout", "staff.forgot_password", "staff.reset_password", "staff.feed"}


@pytest.fixture
def clinic(app: Flask) -> Clinic:
    return small_clinic()


@pytest.fixture
def therapist_a(clinic: Clinic) -> StaffUser:
    return massage_therapist()


@pytest.fixture
def admin(therapist_a: StaffUser) -> StaffUser:
    return StaffUserFactory(admin=True)


def menu(page: str) -> list[str]:
    """The links of a page's staff navigation, in order."""
    nav = page.split('<nav aria-label="Staff"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'<a href="([^"]+)"', nav)


@pytest.mark.parametrize("person", ["therapist_a", "admin"])
def test_every_navigation_entry_a_person_sees_opens_for_them(client: FlaskClient, person: str,
                                                             request: pytest.FixtureRequest) -> None:
    user: StaffUser = request.getfixturevalue(person)
    signed_in(client, user)
    shown = navigation_for(user)
    assert shown and len(shown) < len(NAVIGATION)
    with client.application.test_request_context():
        paths = {page.endpoint: url_for(page.endpoint) for page in NAVIGATION + (PATIENT_SEARCH,)}
    account = client.get("/staff/account")
    assert account.status_code == 200
    assert menu(account.get_data(as_text=True)) == [paths[page.endpoint] for page in shown]
    assert ('role="search"' in account.get_data(as_text=True)) == PATIENT_SEARCH.shown_to(user)
    for page in NAVIGATION:
        status = 200 if page in shown else 404
        assert client.get(paths[page.endpoint]).status_code == status, page.endpoint
    assert client.get(paths[PATIENT_SEARCH.endpoint]).status_code == (200 if PATIENT_SEARCH.shown_to(user) else 404)


def test_a_refusal_that_reaches_a_page_answers_404(fresh_app: Flask) -> None:
    def careless_page() -> str:
        raise Refused("This page is not for your role.")

    fresh_app.add_url_rule("/careless-page", view_func=careless_page)
    answer = fresh_app.test_client().get("/careless-page")
    assert answer.status_code == 404
    assert "not for your role" not in answer.get_data(as_text=True)


def test_each_navigation_entry_names_the_rule_its_page_is_guarded_by(app: Flask) -> None:
    for page in (*NAVIGATION, PATIENT_SEARCH):
        assert getattr(app.view_functions[page.endpoint], "access_rule", None) is page.rule, page.endpoint


def test_every_staff_page_is_guarded_by_a_rule_of_the_policy(app: Flask) -> None:
    staff_pages = {endpoint for endpoint in app.view_functions if endpoint.split(".")[0] in ("staff", "admin")}
    guarded = {endpoint for endpoint in staff_pages if hasattr(app.view_functions[endpoint], "access_rule")}
    assert staff_pages - guarded == UNGUARDED


@pytest.mark.parametrize("person", ["therapist_a", "admin"])
def test_a_deactivated_login_is_shown_no_page(app: Flask, person: str, request: pytest.FixtureRequest) -> None:
    user: StaffUser = request.getfixturevalue(person)
    assert navigation_for(user)
    user.active = False
    assert navigation_for(user) == [] and not PATIENT_SEARCH.shown_to(user)


@pytest.mark.parametrize("person", ["therapist_a", "admin"])
def test_the_menu_lists_each_page_once_in_the_navigations_order(app: Flask, person: str,
                                                               request: pytest.FixtureRequest) -> None:
    user: StaffUser = request.getfixturevalue(person)
    menu = menu_for(user)
    flat = [page for entry in menu for page in (entry.pages if isinstance(entry, Group) else (entry,))]
    assert flat == navigation_for(user)
    labels = [entry.label for entry in menu if isinstance(entry, Group)]
    assert len(labels) == len(set(labels)), "a group's pages must stand together in NAVIGATION"


def test_an_admins_menu_starts_with_today_and_puts_the_set_up_pages_under_one_entry(client: FlaskClient,
                                                                                    admin: StaffUser) -> None:
    menu = menu_for(admin)
    assert menu[0].label == "Today" and menu[-1].label == "My account"
    (setup,) = [entry for entry in menu if isinstance(entry, Group)]
    assert setup.label == SETUP and [page.label for page in setup.pages] == [
        "Therapists", "Staff logins", "Services", "Clinic settings", "Notifications", "Audit log"]
    signed_in(client, admin)
    today = client.get("/admin/today").get_data(as_text=True)
    assert '<summary>Clinic set-up</summary>' in today and 'href="/admin/today" aria-current="page">Today</a>' in today
    settings = client.get("/admin/settings").get_data(as_text=True)
    assert '<summary class="nav-group--current">Clinic set-up</summary>' in settings
    assert 'href="/admin/settings" aria-current="page">Clinic settings</a>' in settings


def test_a_therapists_menu_has_no_group(therapist_a: StaffUser) -> None:
    assert all(isinstance(entry, Page) for entry in menu_for(therapist_a))


def test_only_an_active_admin_checks_patients_in(therapist_a: StaffUser, admin: StaffUser) -> None:
    assert may_check_in(admin) and not may_check_in(therapist_a)
    admin.active = False
    assert not may_check_in(admin)


def test_a_therapists_calendar_is_theirs_and_the_admins(therapist_a: StaffUser, admin: StaffUser) -> None:
    other = massage_therapist()
    assert may_see_diary(therapist_a, therapist_a.therapist_id) and may_see_diary(admin, therapist_a.therapist_id)
    assert not may_see_diary(other, therapist_a.therapist_id)
    with pytest.raises(Refused):
        require_see_diary(other, therapist_a.therapist_id)
    require_see_diary(admin, other.therapist_id)
    therapist_a.active = admin.active = False
    assert not may_see_diary(therapist_a, therapist_a.therapist_id) and not may_see_diary(admin, other.therapist_id)
