"""API: book a visit, then see, cancel or move it with its manage token (Authorization: Bearer)."""

from __future__ import annotations

from contextlib import suppress
from datetime import date, datetime
from typing import Any

from flask import Response, abort, jsonify, request, url_for

from booking.api import bp
from booking.api.body import json_object
from booking.api.catalog import MAX_ID, SERVICE_CODE, local_iso, unprocessable
from booking.api.schemas import error_responses, json_content, ref
from booking.clinic.limits import CANCELLATION_REASON_LENGTH, EMAIL_LENGTH, KEY_LENGTH, NAME_LENGTH, PHONE_LENGTH
from booking.clinic.validators import parse_instant
from booking.extensions import limiter
from booking.models import Appointment, AppointmentStatus
from booking.security import booking_limit, read_limit
from booking.services.visits import (
    BookingError,
    BookingRequest,
    InvalidBooking,
    PatientDetails,
    book,
    cancel,
    change_deadline,
    find_for_manage,
    reschedule,
)

REQUIRED = "This field is required."
INSTANT_EXAMPLE = "2026-12-01T09:00:00-07:00"


@bp.errorhandler(BookingError)
def _refused(error: BookingError) -> tuple[Response, int]:
    """Wrong fields answer 422 naming them; a taken time or a change too late answers 409."""
    if isinstance(error, InvalidBooking):
        return unprocessable(error.errors)
    return jsonify(error=error.message), 409


def appointment_json(appointment: Appointment) -> dict[str, Any]:
    """An appointment as the API shows it (times with the clinic's UTC offset)."""
    return {
        "id": str(appointment.id),
        "status": str(appointment.status),
        "service": {"code": appointment.service.code, "name": appointment.service.name},
        "therapist": {"id": appointment.therapist_id, "name": appointment.therapist.name},
        "starts_at": local_iso(appointment.starts_at),
        "ends_at": local_iso(appointment.ends_at),
        "patient": {"name": appointment.patient.name},
        "screening_id": str(appointment.screening_id),
        "cancel_until": local_iso(change_deadline(appointment)),
    }


def _text(data: dict[str, Any], key: str, field: str, errors: dict[str, str]) -> str:
    """A required text field (json_object has checked its characters); complaints go to ``errors`` under ``field``."""
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        errors[field] = REQUIRED if value is None or isinstance(value, str) else "Send this field as text."
        return ""
    return value


def _instant(value: object, errors: dict[str, str]) -> datetime | None:
    """A required ISO 8601 date and time with its UTC offset, as ``starts_at`` (in UTC)."""
    if value is None:
        errors["starts_at"] = REQUIRED
        return None
    moment = parse_instant(value)
    if moment is None:
        errors["starts_at"] = f"Give a date and time with its UTC offset, like {INSTANT_EXAMPLE}."
    return moment


def _therapist_id(value: object, errors: dict[str, str]) -> int | None:
    """A therapist's id, or None (null or absent) for the first available."""
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    errors["therapist_id"] = "Give a therapist's id (a whole number), or null for the first available."
    return None


def _age(patient: dict[str, Any], errors: dict[str, str]) -> tuple[bool | None, date | None]:
    """The optional answer to "is the patient under 18?" (true, false or absent) and the birth date (YYYY-MM-DD),
    asked for the minors' retention rule; the booking service checks that they agree."""
    under_18, born = patient.get("under_18"), patient.get("birth_date")
    if under_18 is not None and not isinstance(under_18, bool):
        errors["patient.under_18"] = "Send true, false or null: whether the patient is under 18."
        under_18 = None
    birth_date = None
    if born is not None:
        with suppress(ValueError):
            birth_date = date.fromisoformat(born) if isinstance(born, str) else None
        if birth_date is None:
            errors["patient.birth_date"] = "Give the birth date as a date like 2012-04-23, or null."
    return under_18, birth_date


def _booking_request(body: dict[str, Any]) -> BookingRequest:
    """The booking a request body asks for; raises InvalidBooking naming every field of the wrong shape."""
    errors: dict[str, str] = {}
    patient = body.get("patient")
    patient = patient if isinstance(patient, dict) else {}
    name, email, phone = (_text(patient, key, f"patient.{key}", errors) for key in ("name", "email", "phone"))
    details = PatientDetails(name, email, phone, *_age(patient, errors))
    screening_id = _text(body, "screening_id", "screening_id", errors)
    service_code = _text(body, "service", "service", errors)
    therapist_id = _therapist_id(body.get("therapist_id"), errors)
    starts_at = _instant(body.get("starts_at"), errors)
    if errors or starts_at is None:
        raise InvalidBooking(errors)
    return BookingRequest(screening_id=screening_id, service_code=service_code, therapist_id=therapist_id,
                          starts_at=starts_at, patient=details,
                          idempotency_key=request.headers.get("Idempotency-Key") or None)


def _managed(appointment_id: str) -> Appointment:
    """The appointment the bearer token opens; 404 alike for a wrong token or id."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    appointment = find_for_manage(appointment_id, token.strip()) if scheme.lower() == "bearer" else None
    if appointment is None:
        abort(404)
    return appointment


@bp.post("/appointments")
@limiter.limit(booking_limit)
def book_visit() -> tuple[Response, int, dict[str, str]]:
    """Book a visit; a retry with the same Idempotency-Key answers the same booking."""
    booked = book(_booking_request(json_object(OPENAPI_SCHEMAS["BookingRequest"])))
    body = {**appointment_json(booked.appointment), "manage_token": booked.manage_token}
    headers = {"Location": url_for(".show", appointment_id=booked.appointment.id)}
    if booked.replayed:
        headers["Idempotent-Replayed"] = "true"
    return jsonify(body), 201, headers


@bp.get("/appointments/<appointment_id>")
@limiter.limit(read_limit)
def show(appointment_id: str) -> Response:
    """The visit the manage token opens."""
    return jsonify(appointment_json(_managed(appointment_id)))


@bp.post("/appointments/<appointment_id>/cancel")
@limiter.limit(booking_limit)
def cancel_visit(appointment_id: str) -> Response:
    """Cancel the visit before the cut-off, with an optional reason."""
    appointment = _managed(appointment_id)
    reason = json_object(OPENAPI_SCHEMAS["CancelRequest"], optional=True, multi_line=("reason",)).get("reason")
    if reason is not None and not isinstance(reason, str):
        raise InvalidBooking({"reason": "Send the reason as text."})
    return jsonify(appointment_json(cancel(appointment, reason=reason)))


@bp.post("/appointments/<appointment_id>/reschedule")
@limiter.limit(booking_limit)
def reschedule_visit(appointment_id: str) -> Response:
    """Move the visit to another open time with the same therapist, before the cut-off."""
    appointment = _managed(appointment_id)
    errors: dict[str, str] = {}
    starts_at = _instant(json_object(OPENAPI_SCHEMAS["RescheduleRequest"]).get("starts_at"), errors)
    if starts_at is None:
        raise InvalidBooking(errors)
    return jsonify(appointment_json(reschedule(appointment, starts_at)))



def _error(description: str) -> dict[str, Any]:
    """An OpenAPI response with an {"error": ...} body."""
    return {"description": description, "content": json_content(ref("Error"))}


def _ok(status: int, description: str, schema: str, **extra: Any) -> dict[str, Any]:
    """An OpenAPI success response with a JSON body."""
    return {str(status): {"description": description, "content": json_content(ref(schema)), **extra}}


ERRORS: dict[int, dict[str, Any]] = {
    400: error_responses(400)["400"],
    404: _error("No such appointment, or a missing or wrong manage token (the same answer for all)."),
    409: _error("The time was just taken, or the visit can no longer be changed online (call the clinic)."),
    422: {"description": "Fields are missing or wrong; each one is named (patient fields as patient.name).",
          "content": json_content(ref("ValidationErrors"))},
}
MANAGED = [{"name": "appointment_id", "in": "path", "required": True, "schema": {"type": "string"}}]
IDEMPOTENCY_KEY = [{"name": "Idempotency-Key", "in": "header", "required": False,
                    "schema": {"type": "string", "maxLength": KEY_LENGTH},
                    "description": "Repeat a request with the same key to get the same booking."}]


def _operation(operation_id: str, summary: str, ok: dict[str, Any], parameters: list[dict[str, Any]],
               statuses: tuple[int, ...], body: str | None = None, body_required: bool = True) -> dict[str, Any]:
    """An appointments operation: its success, its errors and, for changes, its JSON body."""
    errors = {str(status): ERRORS[status] for status in statuses}
    operation: dict[str, Any] = {"operationId": operation_id, "summary": summary, "tags": ["appointments"],
                                 "parameters": parameters,
                                 "responses": {**ok, **errors, **error_responses(429)}}
    if parameters is MANAGED:
        operation["description"] = "Send the manage token as `Authorization: Bearer <manage_token>`."
    if body is not None:
        operation["requestBody"] = {"required": body_required, "content": json_content(ref(body))}
        operation["responses"].update(error_responses(415))
    return operation


INSTANT = {"type": "string", "format": "date-time", "examples": [INSTANT_EXAMPLE]}
# Text a person types: at least one visible character, no control characters.
TYPED = r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$"


def _typed(max_length: int, **extra: Any) -> dict[str, Any]:
    """The schema of a typed text field of at most ``max_length`` characters."""
    return {"type": "string", "minLength": 1, "maxLength": max_length, "pattern": TYPED, **extra}


APPOINTMENT_PROPERTIES: dict[str, Any] = {
    "id": {"type": "string", "format": "uuid"},
    "status": {"type": "string", "enum": [status.value for status in AppointmentStatus]},
    "service": {"type": "object", "required": ["code", "name"],
                "properties": {"code": {"type": "string"}, "name": {"type": "string"}}},
    "therapist": {"type": "object", "required": ["id", "name"],
                  "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
    "starts_at": INSTANT,
    "ends_at": INSTANT,
    "patient": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
    "screening_id": {"type": "string", "format": "uuid"},
    "cancel_until": {**INSTANT, "description": "Until when the visit can be cancelled or moved online."},
}

OPENAPI_SCHEMAS: dict[str, Any] = {
    "BookingRequest": {
        "type": "object",
        "required": ["screening_id", "service", "starts_at", "patient"],
        "properties": {
            "screening_id": {"type": "string", "format": "uuid", "description": "From POST /screenings."},
            "service": {**SERVICE_CODE, "description": "A service's code."},
            "therapist_id": {"type": ["integer", "null"], "minimum": 1, "maximum": MAX_ID,
                             "description": "null for the first available."},
            "starts_at": INSTANT,
            "patient": {"type": "object", "required": ["name", "email", "phone"],
                        "properties": {"name": _typed(NAME_LENGTH),
                                       "email": _typed(EMAIL_LENGTH, format="email"),
                                       "phone": _typed(PHONE_LENGTH, examples=["403-555-0142"]),
                                       "under_18": {"type": ["boolean", "null"], "description": (
                                           "Optional: whether the patient is under 18. Their records are then "
                                           "kept until years after their 18th birthday.")},
                                       "birth_date": {"type": ["string", "null"], "format": "date",
                                                      "examples": ["2012-04-23"], "description": (
                                           "Needed only when under_18 is true; a date that makes them so.")}}},
        },
    },
    "Appointment": {"type": "object", "required": list(APPOINTMENT_PROPERTIES),
                    "properties": APPOINTMENT_PROPERTIES},
    "BookedAppointment": {
        "type": "object", "required": [*APPOINTMENT_PROPERTIES, "manage_token"],
        "properties": {**APPOINTMENT_PROPERTIES, "manage_token": {
            "type": "string", "description": "The secret that opens the visit; only its hash is stored."}},
    },
    "CancelRequest": {"type": "object", "properties": {"reason": {
        "type": ["string", "null"], "maxLength": CANCELLATION_REASON_LENGTH,
        "pattern": r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"}}},
    "RescheduleRequest": {"type": "object", "required": ["starts_at"], "properties": {"starts_at": INSTANT}},
}

OPENAPI_PATHS: dict[str, Any] = {
    "/appointments": {"post": _operation(
        "createAppointment", "Book a visit",
        _ok(201, "Booked (the same booking again for a repeated Idempotency-Key).", "BookedAppointment",
            headers={"Location": {"schema": {"type": "string"}}}),
        IDEMPOTENCY_KEY, (400, 409, 422), body="BookingRequest")},
    "/appointments/{appointment_id}": {"get": _operation(
        "getAppointment", "A visit, opened with its manage token", _ok(200, "The visit.", "Appointment"),
        MANAGED, (404,))},
    "/appointments/{appointment_id}/cancel": {"post": _operation(
        "cancelAppointment", "Cancel a visit before the cut-off", _ok(200, "The cancelled visit.", "Appointment"),
        MANAGED, (400, 404, 409, 422), body="CancelRequest", body_required=False)},
    "/appointments/{appointment_id}/reschedule": {"post": _operation(
        "rescheduleAppointment", "Move a visit to another open time before the cut-off",
        _ok(200, "The visit at its new time.", "Appointment"), MANAGED, (400, 404, 409, 422),
        body="RescheduleRequest")},
}
