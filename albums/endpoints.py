"""API v1 endpoints of albums and tags: albums and their items, tag suggestions.

Names, descriptions, filters and tags are checked by the same forms as the pages. An
album is only its owner's (or an admin's) to see or change; anyone else gets 404."""

from __future__ import annotations

from django import forms
from ninja import Query, Router, Schema, Status
from pydantic import Field

from albums import selectors, services
from albums.exceptions import NotInAlbum, TooManyItems
from albums.forms import AlbumForm
from albums.schemas import AlbumIn, AlbumItemOutcome, AlbumItemsIn, AlbumOut, AlbumPageOut, AlbumPatch
from mediahub.exceptions import InvalidInput
from mediahub.http import AuthedRequest
from mediahub.schemas import ERRORS
from search.selectors import media_find
from uploads.endpoints import ListFilters
from uploads.exceptions import MediaNotFound
from uploads.forms import ListFilterForm, list_query
from uploads.schemas import MediaOut, MediaPageOut
from uploads.selectors import MEDIA_ID, media_get_for_user
from uploads.views import MAX_BULK

router = Router(tags=["albums"])


class AlbumListQuery(Schema):
    cursor: str = Field("", max_length=4000, description="The next_cursor of the page before.")


@router.get("/albums", response={200: AlbumPageOut, **ERRORS}, summary="Your albums (admins: everybody's)")
def album_list(request: AuthedRequest, asked: Query[AlbumListQuery]) -> AlbumPageOut:
    page = selectors.albums_for_user(user=request.user, cursor=asked.cursor or None)
    return AlbumPageOut(items=[AlbumOut.of(album) for album in page.albums], next_cursor=page.next_cursor)


@router.post("/albums", response={201: AlbumOut, **ERRORS}, summary="Make an album")
def album_create(request: AuthedRequest, wanted: AlbumIn) -> Status[AlbumOut]:
    form = _checked(AlbumForm(wanted.dict()))
    album = services.album_create(owner=request.user.username, **form.cleaned_data)
    return Status(201, AlbumOut.of(album))


@router.get("/albums/{album_id}", response={200: AlbumOut, **ERRORS}, summary="One album")
def album_get(request: AuthedRequest, album_id: str) -> AlbumOut:
    return AlbumOut.of(selectors.album_get_for_user(album_id=album_id, user=request.user))


@router.patch("/albums/{album_id}", response={200: AlbumOut, **ERRORS}, summary="Rename, describe, choose a cover")
def album_update(request: AuthedRequest, album_id: str, changes: AlbumPatch) -> AlbumOut:
    album = selectors.album_get_for_user(album_id=album_id, user=request.user)
    current = {"name": album.name, "description": album.description}
    form = _checked(AlbumForm({**current, **changes.dict(exclude_none=True, exclude={"cover_media_id"})}))
    cover = album.cover_media_id if changes.cover_media_id is None else changes.cover_media_id or None
    services.album_update(album=album, cover_media_id=cover, **form.cleaned_data)
    return AlbumOut.of(selectors.album_get_for_user(album_id=album.id, user=request.user))


@router.delete("/albums/{album_id}", response={204: None, **ERRORS}, summary="Delete an album (never its media)")
def album_delete(request: AuthedRequest, album_id: str) -> Status[None]:
    services.album_delete(album=selectors.album_get_for_user(album_id=album_id, user=request.user))
    return Status(204, None)


@router.get("/albums/{album_id}/items", response={200: MediaPageOut, **ERRORS}, summary="An album's items")
def album_items(request: AuthedRequest, album_id: str, filters: Query[ListFilters]) -> MediaPageOut:
    album = selectors.album_get_for_user(album_id=album_id, user=request.user)
    form = _checked(ListFilterForm({**filters.dict(exclude={"cursor"}), "album": album.id}))
    page = media_find(user=request.user, query=list_query(form.cleaned_data), cursor=filters.cursor or None)
    return MediaPageOut(items=[MediaOut.of(item) for item in page.items], next_cursor=page.next_cursor)


@router.post("/albums/{album_id}/items", response={200: list[AlbumItemOutcome], **ERRORS}, summary="Add items")
def album_add_items(request: AuthedRequest, album_id: str, wanted: AlbumItemsIn) -> list[AlbumItemOutcome]:
    """Each item is added on its own and reported: added, or why not."""
    album = selectors.album_get_for_user(album_id=album_id, user=request.user)
    ids = list(dict.fromkeys(wanted.media_ids))
    if len(ids) > MAX_BULK:
        raise TooManyItems(f"Add at most {MAX_BULK} items a request.")
    outcomes, items = [], []
    for media_id in ids:
        try:
            items.append(media_get_for_user(media_id=media_id, user=request.user))
        except MediaNotFound as exc:
            outcomes.append(AlbumItemOutcome(media_id=media_id[:40], added=False, problem=str(exc)))
    for outcome in services.album_add_many(album=album, items=items, actor=request.user.username):
        outcomes.append(AlbumItemOutcome(media_id=outcome.media_id, added=outcome.done, problem=outcome.problem))
    return outcomes


@router.delete("/albums/{album_id}/items/{media_id}", response={204: None, **ERRORS}, summary="Take an item out")
def album_remove_item(request: AuthedRequest, album_id: str, media_id: str) -> Status[None]:
    album = selectors.album_get_for_user(album_id=album_id, user=request.user)
    if not MEDIA_ID.fullmatch(media_id) or not services.album_remove_item(
        album=album, media_id=media_id, actor=request.user.username
    ):
        raise NotInAlbum
    return Status(204, None)


@router.get("/tags", response={200: list[str], **ERRORS}, summary="Your tags, for suggestions")
def tag_list(request: AuthedRequest) -> list[str]:
    return selectors.tag_suggestions(owner=request.user.username)


def _checked[F: forms.Form](form: F) -> F:
    """The form, valid; else a 400 naming each field's problem (as media endpoints say it)."""
    if not form.is_valid():
        found = " ".join(f"{field}: {' '.join(map(str, errors))}" for field, errors in form.errors.items())
        raise InvalidInput(f"Some fields are missing or invalid. {found}")
    return form
