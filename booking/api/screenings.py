"""API: screen a patient's answers (POST /screenings) and list the questions."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, url_for

from booking.api import bp
from booking.api.body import json_body
from booking.api.schemas import error_responses, json_content, ref
from booking.extensions import limiter
from booking.routing import (
    ANSWER_KEYS,
    CAUTION_CODES,
    CONCERN_CODES,
    CONTRAINDICATIONS,
    PATHWAYS,
    PREFERENCE_CODES,
    QUESTIONS,
    RED_FLAG_CODES,
    RULES_VERSION,
    THERAPY_TYPES,
    URGENCIES,
    ScreeningError,
)
from booking.security import read_limit, screening_limit
from booking.services.screenings import create_screening


@bp.post("/screenings")
@limiter.limit(screening_limit)
def screen() -> tuple[Response, int, dict[str, str]] | tuple[Response, int]:
    """Screen the answers: 201 with the stored recommendation and its id, 422 if they are invalid."""
    try:
        screening = create_screening(json_body())
    except ScreeningError as error:
        return jsonify(errors=error.errors), 422
    location = url_for("screening.result", screening_id=screening.id)
    return jsonify(id=str(screening.id), **screening.recommendation), 201, {"Location": location}


@bp.get("/screening/questions")
@limiter.limit(read_limit)
def questions() -> Response:
    """Every screening question with its codes, and the version of the rules."""
    return jsonify(questions=QUESTIONS, rules_version=RULES_VERSION)


def _answer_schema(question: dict[str, Any]) -> dict[str, Any]:
    """The JSON Schema of one answer, from its question."""
    described: dict[str, Any] = {"description": question["text"]}
    if "default" in question:
        described["default"] = question["default"]
    if question["kind"] == "integer":
        return {"type": "integer", "minimum": question["min"], "maximum": question["max"], **described}
    codes = {"type": "string", "enum": [option["code"] for option in question["options"]]}
    if question["kind"] == "single":
        return {**codes, **described}
    return {"type": "array", "items": codes, **described}


def _unless_given(question: dict[str, Any]) -> dict[str, Any]:
    """The schema part that waives a required question once its "required_unless" answer is not empty."""
    if "required_unless" not in question:
        return {}
    other = question["required_unless"]
    return {"not": {"required": [other], "properties": {other: {"minItems": 1}}}}


def _answers_schema() -> dict[str, Any]:
    """The JSON Schema of the answers: the contract's keys, codes, ranges and conditions."""
    conditional = [
        {"if": {"required": [answer], "properties": {answer: {"contains": {"const": code}}},
                **_unless_given(question)},
         "then": {"required": [question["key"]]}}
        for question in QUESTIONS if question["required"] is True
        for answer, code in question.get("asked_when", {}).items()
    ]
    return {
        "type": "object",
        "description": "A patient's answers; at least one concern or one red flag.",
        "properties": {str(question["key"]): _answer_schema(question) for question in QUESTIONS},
        "additionalProperties": False,
        "anyOf": [{"required": [key], "properties": {key: {"minItems": 1}}} for key in ("concerns", "red_flags")],
        "allOf": conditional,
    }


def _code_text(codes: tuple[str, ...]) -> dict[str, Any]:
    """A list of {code, text} items with codes from this list."""
    item = {"type": "object", "required": ["code", "text"], "additionalProperties": False,
            "properties": {"code": {"type": "string", "enum": list(codes)}, "text": {"type": "string"}}}
    return {"type": "array", "items": item}


OPENAPI_SCHEMAS: dict[str, Any] = {
    "ScreeningAnswers": _answers_schema(),
    "ScreeningResult": {
        "type": "object",
        "required": ["id", "pathway", "urgency", "therapy_types", "reasons", "cautions", "rules_version",
                     "preference"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string", "format": "uuid", "description": "What a booking refers to."},
            "pathway": {"type": "string", "enum": list(PATHWAYS)},
            "urgency": {"type": "string", "enum": list(URGENCIES)},
            "therapy_types": {"type": "array", "items": {"type": "string", "enum": list(THERAPY_TYPES)},
                              "description": "What may be booked, physiotherapy first; empty for refer_out."},
            "reasons": {**_code_text(CONCERN_CODES + RED_FLAG_CODES + CONTRAINDICATIONS), "minItems": 1},
            "cautions": _code_text(CAUTION_CODES),
            "rules_version": {"type": "string"},
            "preference": {"type": "string", "enum": list(PREFERENCE_CODES)},
        },
    },
    "ValidationErrors": {
        "type": "object",
        "required": ["errors"],
        "additionalProperties": False,
        "properties": {"errors": {"type": "object", "minProperties": 1,
                                  "additionalProperties": {"type": "string"},
                                  "description": "Each offending answer key, with a message for the patient."}},
    },
    "ScreeningQuestions": {
        "type": "object",
        "required": ["questions", "rules_version"],
        "additionalProperties": False,
        "properties": {
            "questions": {"type": "array", "items": {
                "type": "object",
                "required": ["key", "kind", "text", "hint", "required"],
                "properties": {"key": {"type": "string", "enum": list(ANSWER_KEYS)},
                               "kind": {"type": "string", "enum": ["multi", "single", "integer"]},
                               "text": {"type": "string"}, "hint": {"type": "string"},
                               "required": {"type": ["boolean", "string"]},
                               "options": {"type": "array", "items": {
                                   "type": "object", "required": ["code", "text"],
                                   "properties": {"code": {"type": "string"}, "text": {"type": "string"}}}},
                               "min": {"type": "integer"}, "max": {"type": "integer"}},
            }},
            "rules_version": {"type": "string"},
        },
    },
}

OPENAPI_PATHS: dict[str, Any] = {
    "/screenings": {
        "post": {
            "operationId": "createScreening",
            "summary": "Screen a patient's answers and store the recommendation",
            "tags": ["screening"],
            "requestBody": {"required": True, "content": json_content(ref("ScreeningAnswers"))},
            "responses": {
                "201": {
                    "description": "The stored screening's id and its recommendation.",
                    "headers": {"Location": {"description": "The recommendation page for the patient.",
                                             "schema": {"type": "string"}}},
                    "content": json_content(ref("ScreeningResult")),
                },
                "422": {"description": "Invalid answers; no recommendation is made.",
                        "content": json_content(ref("ValidationErrors"))},
                **error_responses(400, 415, 429),
            },
        },
    },
    "/screening/questions": {
        "get": {
            "operationId": "listScreeningQuestions",
            "summary": "Every screening question, its codes and the version of the rules",
            "tags": ["screening"],
            "responses": {
                "200": {"description": "The questions, in asking order.",
                        "content": json_content(ref("ScreeningQuestions"))},
                **error_responses(429),
            },
        },
    },
}
