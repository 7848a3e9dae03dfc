"""Request bodies of API v1: one JSON object, checked strictly before Django Ninja reads it,
so a body it cannot take answers 400 with the reason (not a generic parse error)."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest

from uploads.exceptions import InvalidRequestBody, RequestTooLarge

# DynamoDB keeps numbers of up to 38 digits; nothing the API takes comes near.
MAX_DIGITS = 38


def require_json_object(request: HttpRequest) -> None:
    """Refuse a body that is there but is not one JSON object, saying why: Django Ninja
    would parse NaN, numbers of any length and, with its own error, anything else."""
    try:
        body = request.body
    except RequestDataTooBig as exc:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raise RequestTooLarge(f"The request body is over {limit:,} bytes.") from exc
    if not body:
        return  # no body at all: the operation's schema says whether it needs one
    try:
        payload = json.loads(body, parse_constant=_refuse_constant, parse_int=_bounded_int)
    except RecursionError as exc:
        raise InvalidRequestBody("The request body is not valid JSON: it nests too deeply.") from exc
    except UnicodeDecodeError as exc:
        raise InvalidRequestBody("The request body is not valid JSON: it is not UTF-8 text.") from exc
    except ValueError as exc:
        raise InvalidRequestBody(f"The request body is not valid JSON: {_reason(exc)}") from exc
    if not isinstance(payload, dict):
        raise InvalidRequestBody('The request body must be a JSON object, such as {"name": "Holiday"}.')


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows.")


def _bounded_int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_DIGITS:
        raise ValueError(f"a number in it has more than {MAX_DIGITS} digits.")
    return int(digits)


def _reason(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} (line {exc.lineno}, column {exc.colno})."
    return str(exc)
