"""JSON Schema pieces shared by the API modules' OpenAPI fragments."""

from __future__ import annotations

from typing import Any

OPENAPI_SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {"error": {"type": "string", "description": "What went wrong, in plain words."}},
        "additionalProperties": False,
    },
}

ERROR_DESCRIPTIONS = {
    400: "The body cannot be read: malformed JSON, nested too deeply, a key given twice, or not an object.",
    415: "The body is not JSON (wrong Content-Type, or JSON that cannot be read).",
    429: "Too many requests from this address; wait and try again.",
}


def json_content(schema: dict[str, Any]) -> dict[str, Any]:
    """An OpenAPI content map for a JSON body with this schema."""
    return {"application/json": {"schema": schema}}


def ref(name: str) -> dict[str, str]:
    """A reference to a named component schema."""
    return {"$ref": f"#/components/schemas/{name}"}


def error_responses(*statuses: int) -> dict[str, Any]:
    """The OpenAPI responses for the usual errors, each with an {"error": ...} body."""
    return {
        str(status): {"description": ERROR_DESCRIPTIONS[status], "content": json_content(ref("Error"))}
        for status in statuses
    }
