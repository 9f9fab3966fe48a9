"""API: the services, therapists and open times the clinic offers."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from flask import Response, jsonify, request

from booking.api import bp
from booking.api.schemas import error_responses, json_content, ref
from booking.clinic.limits import SERVICE_CODE_LENGTH
from booking.clinic.times import clinic_zone
from booking.database import reads_only
from booking.extensions import limiter
from booking.models import THERAPY_TYPES, Screening
from booking.scheduling import SlotRules, SlotSearchError
from booking.security import read_limit
from booking.services.catalog import active_service, active_services, active_therapists
from booking.services.screenings import get_screening
from booking.services.therapists.training import none_trained_free
from booking.services.visits.availability import search_slots

WHOLE_NUMBER_DIGITS = 18  # every id fits in a 64-bit integer
MAX_ID = 10**WHOLE_NUMBER_DIGITS - 1
SERVICE_CODE = {"type": "string", "minLength": 1, "maxLength": SERVICE_CODE_LENGTH, "pattern": "^[A-Za-z0-9_-]+$"}


def local_iso(moment: datetime, zone: ZoneInfo | None = None) -> str:
    """An instant in ISO 8601 with the clinic's UTC offset of that day (``zone``: the clinic's, known)."""
    return _iso_in(moment, zone or clinic_zone())


@lru_cache(maxsize=16384)
def _iso_in(moment: datetime, zone: ZoneInfo) -> str:
    """``local_iso`` in a known zone, remembered: a 14-day search answers a thousand instants, the same grid
    times request after request (16,384 covers the 90-day horizon's quarter hours), and formatting one costs
    about a microsecond. Equal instants give equal text, so the key needs no more than the instant."""
    return moment.astimezone(zone).isoformat()


def unprocessable(errors: Mapping[str, str]) -> tuple[Response, int]:
    """The 422 answer naming each field that is wrong."""
    return jsonify(errors=dict(errors)), 422


@bp.errorhandler(SlotSearchError)
def _bad_search(error: SlotSearchError) -> tuple[Response, int]:
    """A search the scheduler refused (dates, range, therapist)."""
    return unprocessable(error.errors)


@bp.get("/services")
@limiter.limit(read_limit)
@reads_only
def services() -> Response:
    """The active services, by therapy type then duration."""
    return jsonify(services=[
        {"code": s.code, "name": s.name, "therapy_type": s.therapy_type,
         "duration_minutes": s.duration_minutes, "price_cents": s.price_cents}
        for s in active_services()])


def _screening(errors: dict[str, str]) -> Screening | None:
    """The screening named by the optional ``screening`` parameter; an unknown one is refused in ``errors``."""
    if "screening" not in request.args:
        return None
    screening = get_screening(request.args["screening"].strip())
    if screening is None:
        errors["screening"] = "We could not find that screening. Give the id POST /screenings answered."
    return screening


def _cautions(screening: Screening | None) -> list[str]:
    """The screening's cautions, which only trained therapists may treat (none without a screening)."""
    return screening.caution_codes if screening is not None else []


@bp.get("/therapists")
@limiter.limit(read_limit)
@reads_only
def therapists() -> Response | tuple[Response, int]:
    """The active therapists, of one therapy type when asked (only those trained for a screening's cautions)."""
    errors: dict[str, str] = {}
    therapy_type = request.args.get("therapy_type")
    if therapy_type is not None and therapy_type not in THERAPY_TYPES:
        errors["therapy_type"] = f"Choose one of: {', '.join(THERAPY_TYPES)}."
    screening = _screening(errors)
    if errors:
        return unprocessable(errors)
    return jsonify(therapists=[
        {"id": t.id, "name": t.name, "therapy_type": t.therapy_type, "bio": t.bio}
        for t in active_therapists(therapy_type, cautions=_cautions(screening))])


def _date(name: str, errors: dict[str, str]) -> date | None:
    """A required date query parameter (YYYY-MM-DD); complaints go to ``errors``."""
    value = request.args.get(name, "").strip()
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[name] = "Give a date like 2026-12-01."
        return None


def _whole_number(name: str, errors: dict[str, str]) -> int | None:
    """An optional whole-number query parameter; complaints go to ``errors``."""
    value = request.args.get(name, "").strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit() and len(value) <= WHOLE_NUMBER_DIGITS):
        errors[name] = f"Give a whole number of at most {WHOLE_NUMBER_DIGITS} digits."
        return None
    return int(value)


@bp.get("/slots")
@limiter.limit(read_limit)
@reads_only
def slots() -> Response | tuple[Response, int]:
    """Open times of a service between two dates: one therapist's, or the first available per time."""
    errors: dict[str, str] = {}
    code = request.args.get("service", "").strip()
    service = active_service(code) if code else None
    if service is None:
        errors["service"] = "Choose one of our services (its code)." if code else "Choose a service (its code)."
    date_from, date_to = _date("from", errors), _date("to", errors)
    therapist_id = _whole_number("therapist_id", errors)
    screening = _screening(errors)
    if errors or service is None or date_from is None or date_to is None:
        return unprocessable(errors)
    cautions = _cautions(screening)
    found = search_slots(service, date_from, date_to, therapist_id=therapist_id, cautions=cautions)
    zone = clinic_zone()
    answer: dict[str, Any] = {"slots": [{"therapist_id": s.therapist_id, "starts_at": local_iso(s.starts_at, zone),
                                         "ends_at": local_iso(s.ends_at, zone)} for s in found]}
    notice = none_trained_free(service, cautions) if not found and therapist_id is None else None
    if notice:
        answer["notice"] = notice
    return jsonify(answer)


def _list_of(key: str, item: str) -> dict[str, Any]:
    """The schema of {key: [item, ...]}."""
    return {"type": "object", "required": [key], "additionalProperties": False,
            "properties": {key: {"type": "array", "items": ref(item)}}}


def _query(name: str, schema: dict[str, Any], description: str, *, required: bool = False) -> dict[str, Any]:
    """An OpenAPI query parameter."""
    return {"name": name, "in": "query", "required": required, "schema": schema, "description": description}


def _read(operation_id: str, summary: str, listed: str, parameters: list[dict[str, Any]],
          *, refusable: bool) -> dict[str, Any]:
    """The OpenAPI description of a GET that answers a list (422 when its query can be refused)."""
    responses: dict[str, Any] = {"200": {"description": summary, "content": json_content(ref(listed))}}
    if refusable:
        responses["422"] = {"description": "A query parameter is missing or wrong; each one is named.",
                            "content": json_content(ref("ValidationErrors"))}
    return {"get": {"operationId": operation_id, "summary": summary, "tags": ["catalog"],
                    "parameters": parameters, "responses": {**responses, **error_responses(429)}}}


INSTANT = {"type": "string", "format": "date-time",
           "description": "ISO 8601 with the clinic's UTC offset of that day, e.g. 2026-12-01T09:00:00-07:00."}
THERAPY_TYPE = {"type": "string", "enum": list(THERAPY_TYPES)}

OPENAPI_SCHEMAS: dict[str, Any] = {
    "Service": {"type": "object", "additionalProperties": False,
                "required": ["code", "name", "therapy_type", "duration_minutes", "price_cents"],
                "properties": {"code": {"type": "string"}, "name": {"type": "string"},
                               "therapy_type": THERAPY_TYPE,
                               "duration_minutes": {"type": "integer", "minimum": 1},
                               "price_cents": {"type": "integer", "minimum": 0}}},
    "ServiceList": _list_of("services", "Service"),
    "Therapist": {"type": "object", "additionalProperties": False,
                  "required": ["id", "name", "therapy_type", "bio"],
                  "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                                 "therapy_type": THERAPY_TYPE, "bio": {"type": "string"}}},
    "TherapistList": _list_of("therapists", "Therapist"),
    "Slot": {"type": "object", "additionalProperties": False, "required": ["therapist_id", "starts_at", "ends_at"],
             "properties": {"therapist_id": {"type": "integer"}, "starts_at": INSTANT,
                            "ends_at": {**INSTANT, "description": "When the visit ends (without the buffer)."}}},
    "SlotList": {**_list_of("slots", "Slot"), "properties": {
        "slots": {"type": "array", "items": ref("Slot")},
        "notice": {"type": "string", "description": "With no slot for a screening that needs a trained therapist: "
                                                    "what to tell the patient (call the clinic)."}}},
}

SCREENING_QUERY = _query("screening", {"type": "string", "format": "uuid"},
                         "The patient's screening (its id): only therapists trained for its cautions, e.g. prenatal "
                         "massage for a pregnancy.")

OPENAPI_PATHS: dict[str, Any] = {
    "/services": _read("listServices", "The active services, by therapy type then duration.", "ServiceList", [],
                       refusable=False),
    "/therapists": _read("listTherapists", "The active therapists, by name.", "TherapistList",
                         [_query("therapy_type", THERAPY_TYPE, "Only therapists of this kind."), SCREENING_QUERY],
                         refusable=True),
    "/slots": _read(
        "listSlots", "Open start times; without therapist_id, one per time (the first available therapist).",
        "SlotList",
        [_query("service", SERVICE_CODE, "The service's code.", required=True),
         _query("from", {"type": "string", "format": "date"}, "The first local day.", required=True),
         _query("to", {"type": "string", "format": "date"},
                f"The last local day (at most {SlotRules.max_range_days} days).", required=True),
         _query("therapist_id", {"type": "integer", "minimum": 0, "maximum": MAX_ID},
                "Only this therapist's times."), SCREENING_QUERY],
        refusable=True),
}
