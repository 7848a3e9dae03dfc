"""Shapes of the API's accounts answers."""

from __future__ import annotations

from ninja import Schema


class UserOut(Schema):
    username: str
    email: str
    role: str
