"""The one reading of a JSON request body, for every API endpoint.

Every text an endpoint's documented schema declares is one line (no line break or other control
character), unless the endpoint names it as multi-line (a cancellation's reason): 422 names each
field refused.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, NoReturn

from flask import Response, abort, jsonify, request

from booking.api import bp
from booking.clinic.validators import one_line, plain_text

NOT_AN_OBJECT = 'Send a JSON object (like {"key": "value"}) as the body.'


class TextRefused(ValueError):
    """Texts of the body with a line break or a control character where none belongs; ``errors`` names each field.

    Answered 422 with {"errors": {field: message}} (below)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors


@bp.errorhandler(TextRefused)
def _text_refused(error: TextRefused) -> tuple[Response, int]:
    """A text with a line break or a control character where none belongs: 422 naming each field."""
    return jsonify(errors=error.errors), 422


class _Refused(ValueError):
    """JSON that parses but that the API refuses, with the reason."""


def _without_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object from its members; a key given twice is refused (parsers disagree on which one wins)."""
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise _Refused(f"The key {key[:40]!r} appears twice in one object; send each key once.")
        found[key] = value
    return found


def _no_constant(name: str) -> NoReturn:
    """Refuse NaN and Infinity, which Python reads but JSON does not have."""
    raise _Refused(f"{name} is not a JSON number.")


def _number(text: str) -> int | float:
    """A number written with a fraction or an exponent; a whole one is an int (JSON Schema: 5.0 is 5)."""
    value = float(text)
    return int(value) if value.is_integer() else value


def _refuse(reason: str) -> NoReturn:
    """Answer 400 saying why the body could not be read."""
    abort(400, f"We could not read the JSON body: {reason}")


def json_body(*, optional: bool = False) -> Any:
    """The request body as JSON; ``optional``: an empty body reads as {}.

    415 when the body is not sent as JSON; 400, saying why, when it is malformed,
    not UTF-8, nested too deeply, holds a key twice, NaN, or a number too long to read.
    Numbers are read as JSON Schema counts them, so 5.0 is the integer 5 the schema allows.
    """
    data = request.get_data(cache=True)
    if optional and not data:
        return {}
    if not request.is_json:
        abort(415)
    try:
        return json.loads(data, object_pairs_hook=_without_duplicate_keys, parse_constant=_no_constant,
                          parse_float=_number)
    except RecursionError:
        _refuse("it is nested too deeply.")
    except json.JSONDecodeError as exc:
        _refuse(f"{exc.msg} at line {exc.lineno}, column {exc.colno}.")
    except UnicodeDecodeError:
        _refuse("it is not UTF-8 text.")
    except _Refused as exc:
        _refuse(str(exc))
    except ValueError:  # an integer of more digits than Python converts
        _refuse("a number in it is too long.")


def _text_problems(value: Any, schema: Mapping[str, Any], field: str, multi_line: tuple[str, ...]) -> dict[str, str]:
    """What is wrong with each text of ``value`` that ``schema`` declares, by field ("patient.name")."""
    if isinstance(value, str):
        try:
            (plain_text if field in multi_line else one_line)(value)
        except ValueError as exc:
            return {field: str(exc)}
    if not isinstance(value, dict):
        return {}
    return {name: problem for key, declared in schema.get("properties", {}).items() if key in value
            for name, problem in _text_problems(value[key], declared, f"{field}.{key}" if field else key,
                                                multi_line).items()}


def json_object(schema: Mapping[str, Any], *, optional: bool = False,
                multi_line: tuple[str, ...] = ()) -> dict[str, Any]:
    """The request body as a JSON object: 415 when it is not JSON, 400 when it is not an object.

    Every text the endpoint's ``schema`` declares is one line: TextRefused (422) names each field
    holding a line break or a control character; only the fields in ``multi_line`` (by their
    path, like "reason") may hold line breaks. Members the schema does not declare are not read.
    """
    body = json_body(optional=optional)
    if not isinstance(body, dict):
        abort(400, NOT_AN_OBJECT)
    problems = _text_problems(body, schema, "", multi_line)
    if problems:
        raise TextRefused(problems)
    return body
