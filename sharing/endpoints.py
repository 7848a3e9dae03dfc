"""API v1 endpoints of share links: an item's links, making one, withdrawing one."""

from __future__ import annotations

from django.urls import reverse
from ninja import Router, Status

from mediahub.http import AuthedRequest
from mediahub.schemas import ERRORS
from sharing import selectors, services
from sharing.schemas import ShareCreatedOut, ShareIn, ShareOut
from uploads.selectors import media_get_for_user

router = Router(tags=["shares"])


@router.get("/media/{media_id}/shares", response={200: list[ShareOut], **ERRORS}, summary="An item's working links")
def share_list(request: AuthedRequest, media_id: str) -> list[ShareOut]:
    item = media_get_for_user(media_id=media_id, user=request.user)
    return [ShareOut.of(share) for share in selectors.shares_for_media(media_id=item.id)]


@router.post("/media/{media_id}/shares", response={201: ShareCreatedOut, **ERRORS}, summary="Make a share link")
def share_create(request: AuthedRequest, media_id: str, wanted: ShareIn) -> Status[ShareCreatedOut]:
    item = media_get_for_user(media_id=media_id, user=request.user)
    share, token = services.share_create(
        item=item,
        created_by=request.user.username,
        expires_at=wanted.expires_at,
        password=wanted.password,
        allow_download=wanted.allow_download,
    )
    url = request.build_absolute_uri(reverse("sharing:page", args=[token]))
    return Status(201, ShareCreatedOut(url=url, **ShareOut.of(share).dict()))


@router.delete("/shares/{share_id}", response={204: None, **ERRORS}, summary="Withdraw a share link")
def share_revoke(request: AuthedRequest, share_id: str) -> Status[None]:
    share = selectors.share_get_for_user(token_hash=share_id, user=request.user)
    services.share_revoke(share=share, actor=request.user.username)
    return Status(204, None)
