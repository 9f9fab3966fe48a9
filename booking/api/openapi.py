"""API: the OpenAPI 3.1 document, merged from the fragments each API module describes itself with."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from flask import Response, jsonify

from booking.api import bp
from booking.api.schemas import json_content

# Each module here defines OPENAPI_PATHS and may define OPENAPI_SCHEMAS; documenting
# another API module is a one-line change: add its name here.
DOCUMENTED_MODULES: tuple[str, ...] = ("booking.api.schemas", "booking.api.screenings", "booking.api.openapi",
                                      "booking.api.catalog", "booking.api.appointments")

OPENAPI_PATHS: dict[str, Any] = {
    "/openapi.json": {
        "get": {
            "operationId": "getOpenApiDocument",
            "summary": "This document",
            "tags": ["meta"],
            "responses": {"200": {"description": "The OpenAPI 3.1 description of the API.",
                                  "content": json_content({"type": "object"})}},
        },
    },
}


def _merge(target: dict[str, Any], fragment: dict[str, Any], module: str) -> None:
    """Add a module's fragment, refusing a path or schema that another module already defined."""
    clash = target.keys() & fragment.keys()
    if clash:
        raise RuntimeError(f"{module} redefines {sorted(clash)} in the OpenAPI document")
    target.update(fragment)


def openapi_document() -> dict[str, Any]:
    """Build the document from the documented modules' fragments."""
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    for name in DOCUMENTED_MODULES:
        module = import_module(name)
        _merge(paths, getattr(module, "OPENAPI_PATHS", {}), name)
        _merge(schemas, getattr(module, "OPENAPI_SCHEMAS", {}), name)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Clinic booking API", "version": "1",
                 "description": "Screening before booking, the catalog, and booking and managing visits."},
        "servers": [{"url": "/api/v1"}],
        "paths": paths,
        "components": {"schemas": schemas},
    }


@bp.get("/openapi.json")
def document() -> Response:
    """The OpenAPI 3.1 document describing every API endpoint."""
    return jsonify(openapi_document())

