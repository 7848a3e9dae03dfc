"""Shapes every API request body and error share (pydantic, through Django Ninja)."""

from __future__ import annotations

from typing import Any

from ninja import Schema
from ninja.schema import DjangoGetter
from pydantic import ConfigDict, model_validator


class Problem(Schema):
    """RFC 9457 problem details: what every error answer looks like."""

    type: str
    title: str
    status: int
    detail: str


# The error statuses the API answers with, each a Problem: what `response=` documents for
# every operation, beside its success.
ERRORS: dict[int, type[Schema]] = dict.fromkeys(
    (400, 401, 403, 404, 405, 409, 412, 413, 415, 422, 428, 429, 500, 503), Problem
)


class RequestBody(Schema):
    """A JSON object with only the fields the schema names: Ninja's schemas otherwise read
    any value's attributes (a list becomes an empty change) and ignore unknown fields."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, value: Any) -> Any:
        # Ninja validates the raw value first (extra="forbid"), then the same value wrapped.
        if not isinstance(value, dict | DjangoGetter):
            raise ValueError("The request body must be a JSON object.")
        return value
