"""API v1 endpoints of the trash: list it, restore an item, delete one or all forever.

`DELETE /media/{id}` moves an item here (uploads.endpoints); each caller sees only their
own trash, admins included."""

from __future__ import annotations

from django.conf import settings
from ninja import Query, Router, Schema, Status
from pydantic import Field

from mediahub.http import AuthedRequest
from mediahub.schemas import ERRORS
from trash import services
from trash.schemas import PurgeOut, TrashedOut, TrashPageOut
from trash.selectors import trash_get_for_user, trash_page
from uploads.schemas import MediaOut

router = Router(tags=["trash"])


class TrashFilters(Schema):
    cursor: str = Field("", max_length=4096, description="The next_cursor of the page before.")


@router.get("/trash", response={200: TrashPageOut, **ERRORS}, summary="Your trash, newest first")
def trash_list(request: AuthedRequest, filters: Query[TrashFilters]) -> TrashPageOut:
    page = trash_page(user=request.user, cursor=filters.cursor or None, size=settings.MEDIAHUB_PAGE_SIZE)
    return TrashPageOut(items=[TrashedOut.of(item) for item in page.items], next_cursor=page.next_cursor)


@router.post("/trash/{media_id}/restore", response={200: MediaOut, **ERRORS}, summary="Restore an item")
def trash_restore(request: AuthedRequest, media_id: str) -> MediaOut:
    """Puts the item back exactly as it was; 404 if it is no longer in the trash, 409 if it
    is being purged or an item with its id exists. Its share links stay withdrawn."""
    trashed = trash_get_for_user(media_id=media_id, user=request.user)
    return MediaOut.of(services.trash_restore(trashed=trashed, actor=request.user.username))


@router.delete("/trash/{media_id}", response={204: None, **ERRORS}, summary="Delete an item forever")
def trash_delete(request: AuthedRequest, media_id: str) -> Status[None]:
    trashed = trash_get_for_user(media_id=media_id, user=request.user)
    services.trash_purge(trashed=trashed, actor=request.user.username)
    return Status(204, None)


@router.delete("/trash", response={200: PurgeOut, **ERRORS}, summary="Empty your trash")
def trash_empty(request: AuthedRequest) -> PurgeOut:
    report = services.trash_empty(owner=request.user.username, actor=request.user.username)
    return PurgeOut(purged=report.purged, failed=report.failed)
