"""API v1 endpoints of accounts: who the caller is."""

from __future__ import annotations

from ninja import Router

from accounts.schemas import UserOut
from mediahub.http import AuthedRequest
from mediahub.schemas import ERRORS

router = Router(tags=["account"])


@router.get("/me", response={200: UserOut, **ERRORS}, summary="The caller")
def me(request: AuthedRequest) -> UserOut:
    user = request.user
    return UserOut(username=user.username, email=user.email, role=user.role)
