"""Admins keep what each therapist is trained in (prenatal massage), audited like every therapist change."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import select

from booking.extensions import db
from booking.models import AuditEvent, Therapist
from tests.factories import Clinic, local
from tests.staff_fixtures import clinic_with_admin

NOW = local(2026, 12, 14, 8)


clinic, admin_user, admin = clinic_with_admin(NOW)


def details(therapist: Therapist, **changes: object) -> dict[str, object]:
    """The therapist's form as it stands, with ``changes``."""
    return {"name": therapist.name, "therapy_type": therapist.therapy_type, "email": therapist.email or "",
            "bio": therapist.bio, **changes}


def audited(therapist: Therapist) -> list[str | None]:
    return list(db.session.scalars(select(AuditEvent.detail).where(
        AuditEvent.subject_type == "therapist", AuditEvent.subject_id == str(therapist.id)).order_by(AuditEvent.id)))


def test_an_admin_sets_and_unsets_prenatal_massage_and_each_change_is_audited(admin: FlaskClient,
                                                                              clinic: Clinic) -> None:
    therapist = clinic.massage_therapists[0]
    url = f"/admin/therapists/{therapist.id}"
    page = admin.get(url).get_data(as_text=True)
    assert "Trained in" in page and "Prenatal massage" in page

    response = admin.post(url, data=details(therapist, qualifications=["prenatal_massage"]), follow_redirects=True)
    assert "Saved: prenatal massage added." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Therapist, therapist.id).qualifications == ["prenatal_massage"]
    assert re.search(r'<input checked[^>]*value="prenatal_massage"', admin.get(url).get_data(as_text=True))

    response = admin.post(url, data=details(therapist), follow_redirects=True)
    assert "Saved: prenatal massage removed." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Therapist, therapist.id).qualifications == []
    assert audited(therapist) == ["prenatal massage added", "prenatal massage removed"]


def test_a_qualification_not_listed_is_refused(admin: FlaskClient, clinic: Clinic) -> None:
    therapist = clinic.massage_therapists[0]
    response = admin.post(f"/admin/therapists/{therapist.id}", data=details(therapist, qualifications=["reiki"]))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Tick only the qualifications listed." in page
    assert db.session.get(Therapist, therapist.id).qualifications == [] and audited(therapist) == []
