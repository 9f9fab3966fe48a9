"""A care plan for a pregnant patient: the plan form offers only the massage therapists trained in prenatal massage
(saying why, or that none is), and refuses an untrained one sent anyway, when making or changing the plan."""

from __future__ import annotations

from collections.abc import Iterator
from html import unescape

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from booking.extensions import db
from booking.models import CarePlan, Screening, TherapistQualification
from booking.services.care_plans import plans as care_plans
from booking.services.care_plans import queue as plan_queue
from tests.admin.test_care_plans_pages import options, plan_form
from tests.factories import Clinic, ScreeningFactory, StaffUserFactory, local, small_clinic
from tests.staff.test_care_plans_service import details
from tests.staff_fixtures import signed_in

NOW = local(2026, 11, 30, 8)
PREGNANT_COMBINED = {"concerns": ["athletic_performance"], "precautions": ["pregnancy"]}
ONLY_TRAINED = "Only the massage therapists trained in prenatal massage are listed"
NOT_TRAINED = "trained in prenatal massage, and {name} is not. Choose one who is."


@pytest.fixture
def clinic(app: Flask) -> Iterator[Clinic]:
    """A small clinic whose second massage therapist is trained in prenatal massage."""
    with time_machine.travel(NOW, tick=False):
        made = small_clinic()
        made.massage_therapists[1].trained.append(TherapistQualification(code="prenatal_massage"))
        db.session.commit()
        yield made


@pytest.fixture
def pregnant() -> Screening:
    """A combined screening with the pregnancy caution, whose patient asked for a plan."""
    screening = ScreeningFactory(answers=PREGNANT_COMBINED)
    plan_queue.ask_for_plan(screening.id)
    return screening


@pytest.fixture
def admin(client: FlaskClient, clinic: Clinic) -> Iterator[FlaskClient]:
    with time_machine.travel(NOW, tick=False):
        yield signed_in(client, StaffUserFactory(admin=True))


def page_of(admin: FlaskClient, url: str) -> str:
    return unescape(admin.get(url).get_data(as_text=True))


def test_a_pregnant_patients_plan_offers_only_the_trained_massage_therapists_and_says_why(
        admin: FlaskClient, clinic: Clinic, pregnant: Screening) -> None:
    trained = clinic.massage_therapists[1]
    page = page_of(admin, f"/admin/care-plans/new/{pregnant.id}")
    assert options(page, "massage_therapist_id") == [trained.name]
    assert ONLY_TRAINED in page
    assert options(page, "physiotherapist_id") == [t.name for t in sorted(clinic.physiotherapists,
                                                                          key=lambda t: (t.name, t.id))]


def test_a_plan_without_the_caution_offers_every_massage_therapist(admin: FlaskClient, clinic: Clinic) -> None:
    plan_queue.ask_for_plan(clinic.screenings["combined"].id)
    page = page_of(admin, f"/admin/care-plans/new/{clinic.screenings['combined'].id}")
    assert len(options(page, "massage_therapist_id")) == 2 and ONLY_TRAINED not in page


def test_with_no_trained_massage_therapist_the_plan_form_says_so(admin: FlaskClient, clinic: Clinic,
                                                                 pregnant: Screening) -> None:
    clinic.massage_therapists[1].trained.clear()
    db.session.commit()
    page = page_of(admin, f"/admin/care-plans/new/{pregnant.id}")
    assert options(page, "massage_therapist_id") == []
    assert "None of our massage therapists is trained in prenatal massage" in page


def test_an_untrained_massage_therapist_sent_anyway_is_refused_on_the_field(admin: FlaskClient, clinic: Clinic,
                                                                            pregnant: Screening) -> None:
    untrained = clinic.massage_therapists[0]
    response = admin.post(f"/admin/care-plans/new/{pregnant.id}", data=plan_form(clinic))  # the untrained one
    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 200 and NOT_TRAINED.format(name=untrained.name) in page
    assert 'id="massage_therapist_id-error"' in page and db.session.scalar(select(CarePlan)) is None


def test_a_pregnant_patients_plan_cannot_change_to_an_untrained_massage_therapist(
        admin: FlaskClient, clinic: Clinic, pregnant: Screening) -> None:
    trained, untrained = clinic.massage_therapists[1], clinic.massage_therapists[0]
    made = admin.post(f"/admin/care-plans/new/{pregnant.id}",
                      data=plan_form(clinic, massage_therapist_id=str(trained.id)))
    assert made.status_code == 303
    plan = db.session.scalars(select(CarePlan)).one()
    assert options(page_of(admin, made.location), "massage_therapist_id") == [trained.name]
    response = admin.post(made.location, data={**plan_form(clinic), "status": "active"})
    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 200 and NOT_TRAINED.format(name=untrained.name) in page
    db.session.refresh(plan)
    assert plan.massage_therapist_id == trained.id


def test_the_plan_service_refuses_an_untrained_massage_therapist_for_a_pregnant_patient(
        clinic: Clinic, pregnant: Screening) -> None:
    with time_machine.travel(NOW, tick=False), pytest.raises(care_plans.InvalidPlan) as refused:
        care_plans.create_plan(pregnant, details(clinic), StaffUserFactory(admin=True))
    assert list(refused.value.errors) == ["massage_therapist_id"]
    assert NOT_TRAINED.format(name=clinic.massage_therapists[0].name) in refused.value.errors["massage_therapist_id"]
