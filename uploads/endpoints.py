"""API v1 endpoints of media: list and search, read, edit, delete, download.

Filters, names and captions are checked by the same forms as the portal's pages, so the
API accepts exactly what the pages do. Changes name the version they change (If-Match),
as the edit page does with its hidden field."""

from __future__ import annotations

import re
from dataclasses import asdict
from typing import Any, Literal

from django import forms
from django.conf import settings
from django.http import HttpResponse
from ninja import Query, Router, Schema, Status
from pydantic import Field

from api.auth import writes_count
from mediahub.exceptions import (
    InvalidInput,
    MediaHubError,
    PreconditionFailed,
    PreconditionRequired,
    StorageUnavailable,
    Unprocessable,
)
from mediahub.http import AuthedRequest
from mediahub.schemas import ERRORS
from search.selectors import media_find
from uploads import services, storage
from uploads.exceptions import StaleEdit
from uploads.forms import DirectUploadForm, EditForm, FileIdentityForm, ListFilterForm, list_query
from uploads.models import MediaItem
from uploads.models import Status as StatusChoice
from uploads.schemas import (
    ChecksumsIn,
    ChecksumsOut,
    CompleteIn,
    DeclaredOut,
    DownloadOut,
    FileIdentityIn,
    FinishBatchOut,
    FinishedOut,
    MediaIdsIn,
    MediaOut,
    MediaPageOut,
    MediaPatch,
    MultipartOut,
    PartNumbersIn,
    PartOut,
    PostOut,
    SignedPartsOut,
    UnfinishedOut,
    UploadBatchIn,
    UploadBatchOut,
    UploadIn,
    UploadOut,
)
from uploads.selectors import media_get_for_user, media_get_owned, media_unfinished_uploads, media_with_checksum

router = Router(tags=["media"])


class FileRefused(Unprocessable):
    """The file's own content was refused by the check; the item is rejected."""


DAY = r"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$"
# A version as an ETag names it: ASCII digits, few enough for int() (which refuses over
# 4,300 digits, and reads other scripts' digits as if they were these).
VERSION = re.compile(r"[0-9]{1,20}")


class ListFilters(Schema):
    q: str = Field("", max_length=100, description="Words that must all begin words of the name, caption or file name.")
    kind: Literal["", "image", "video", "audio", "document"] = ""
    status: Literal["", "pending", "ready", "rejected"] = ""
    owner: str = Field("", max_length=150, description="Admins: one member's media.")
    uploaded_from: str = Field("", pattern=DAY, description="A day, YYYY-MM-DD (UTC).")
    uploaded_to: str = Field("", pattern=DAY, description="A day, YYYY-MM-DD (UTC), included.")
    taken_from: str = Field("", pattern=DAY, description="Captured from this day, YYYY-MM-DD (camera time).")
    taken_to: str = Field("", pattern=DAY, description="Captured until this day, YYYY-MM-DD, included.")
    order: Literal["", "newest", "oldest", "taken-newest", "taken-oldest"] = Field(
        "", description="By upload time (newest, oldest) or by capture time (only media that have one)."
    )
    size: Literal["", "10", "25", "50", "100"] = ""
    cursor: str = Field("", description="The next_cursor of the page before, with the same filters.")
    tag: str = Field("", max_length=200, description="Only items with this tag (normalised as tags are).")
    album: str = Field("", max_length=26, description="Only the items of this album (its id).")


@router.get("/media", response={200: MediaPageOut, **ERRORS}, summary="List and search media")
def media_list(request: AuthedRequest, filters: Query[ListFilters]) -> MediaPageOut:
    form = ListFilterForm(filters.dict(exclude={"cursor"}))
    if not form.is_valid():
        raise InvalidInput(_form_errors(form))
    page = media_find(user=request.user, query=list_query(form.cleaned_data), cursor=filters.cursor or None)
    return MediaPageOut(items=[MediaOut.of(item) for item in page.items], next_cursor=page.next_cursor)


@router.post("/media/sha256", response={200: ChecksumsOut, **ERRORS}, summary="Which of these files you hold")
def media_by_checksums(request: AuthedRequest, asked: ChecksumsIn) -> ChecksumsOut:
    """A client's check of many files before uploading them (SHA-256s computed locally); a
    read, whatever the method: read-only tokens may ask, and it counts no write."""
    found: dict[str, list[str]] = {}
    for sha256 in dict.fromkeys(value.lower() for value in asked.sha256):
        ids = [item.id for item in media_with_checksum(owner=request.user.username, sha256=sha256)]
        if ids:
            found[sha256] = ids
    return ChecksumsOut(found=found)


@router.get("/media/{media_id}", response={200: MediaOut, **ERRORS}, summary="One item")
def media_get(request: AuthedRequest, response: HttpResponse, media_id: str) -> MediaOut:
    item = media_get_for_user(media_id=media_id, user=request.user)
    response["ETag"] = f'"{item.version}"'
    return MediaOut.of(item)


@router.patch("/media/{media_id}", response={200: MediaOut, **ERRORS}, summary="Change name, caption or tags")
def media_update(request: AuthedRequest, response: HttpResponse, media_id: str, changes: MediaPatch) -> MediaOut:
    item = media_get_for_user(media_id=media_id, user=request.user)
    version = _if_match(request, item)
    current = {"name": item.name, "caption": item.caption, "tags": item.tag_list}
    data = {**current, **changes.dict(exclude_none=True), "version": version}
    form = EditForm(data)
    if not form.is_valid():
        raise InvalidInput(_form_errors(form))
    try:
        services.media_update(item=item, **form.cleaned_data, actor=request.user.username)
    except StaleEdit as exc:
        raise PreconditionFailed("The item changed since that version; read it again.") from exc
    response["ETag"] = f'"{item.version}"'
    return MediaOut.of(item)


@router.delete("/media/{media_id}", response={204: None, **ERRORS}, summary="Move an item to the trash")
def media_delete(request: AuthedRequest, media_id: str) -> Status[None]:
    """A ready or rejected item goes to its owner's trash (see /trash): restorable until it
    is purged, MEDIAHUB_TRASH_DAYS later. A pending upload is cancelled for good."""
    item = media_get_for_user(media_id=media_id, user=request.user)
    if "If-Match" in request.headers:
        _if_match(request, item)
    try:
        services.media_delete(item=item, actor=request.user.username)
    except StaleEdit as exc:
        raise PreconditionFailed("The item changed meanwhile; read it again.") from exc
    return Status(204, None)


@router.get("/media/{media_id}/download", response={200: DownloadOut, **ERRORS}, summary="A link to the file")
def media_download(request: AuthedRequest, media_id: str) -> DownloadOut:
    item = media_get_for_user(media_id=media_id, user=request.user)
    url = storage.presigned_url(
        item.s3_key, content_type=item.content_type, filename=item.original_filename, download=True
    )
    return DownloadOut(url=url, expires_in=settings.MEDIAHUB_PRESIGNED_URL_SECONDS)


def _if_match(request: AuthedRequest, item: MediaItem) -> int:
    """The version the caller read, which must be the item's current one."""
    given = request.headers.get("If-Match")
    if given is None:
        raise PreconditionRequired("Send If-Match with the item's version (its ETag), so no change is lost.")
    version = given.strip().removeprefix("W/").strip('"')
    if not VERSION.fullmatch(version) or int(version) != item.version:
        raise PreconditionFailed("The item changed since that version; read it again.")
    return int(version)


def _form_errors(form: forms.Form) -> str:
    found = " ".join(f"{field}: {' '.join(map(str, errors))}" for field, errors in form.errors.items())
    return f"Some fields are missing or invalid. {found}"


@router.get("/media/sha256/{sha256}", response={200: list[MediaOut], **ERRORS}, summary="Your items with this content")
def media_by_checksum(request: AuthedRequest, sha256: str) -> list[MediaOut]:
    """What a client checks before uploading a file again (their SHA-256 computed locally)."""
    return [MediaOut.of(item) for item in media_with_checksum(owner=request.user.username, sha256=sha256)]


@router.post("/uploads", response={201: UploadOut, **ERRORS}, summary="Start an upload straight to S3")
def upload_create(request: AuthedRequest, declared: UploadIn) -> Status[UploadOut]:
    form = DirectUploadForm(declared.dict())
    if not form.is_valid():
        raise InvalidInput(_form_errors(form))
    upload = services.direct_upload_create(owner=request.user.username, **asdict(_declared(form.cleaned_data)))
    return Status(201, _upload_out(upload))


@router.get("/uploads", response={200: list[UnfinishedOut], **ERRORS}, summary="Your unfinished uploads")
def upload_list(request: AuthedRequest) -> list[UnfinishedOut]:
    unfinished = media_unfinished_uploads(owner=request.user.username)
    if unfinished is None:
        raise StorageUnavailable("Storage is not answering right now; nothing was changed. Try again in a minute.")
    return [
        UnfinishedOut(
            item=MediaOut.of(upload.item),
            arrived=upload.arrived,
            resumable=upload.resumable,
            fingerprint=upload.item.fingerprint,
        )
        for upload in unfinished
    ]


@router.post("/uploads/{media_id}/resume", response={200: MultipartOut, **ERRORS}, summary="Resume an upload")
def upload_resume(request: AuthedRequest, media_id: str, offered: FileIdentityIn) -> MultipartOut:
    item = media_get_owned(media_id=media_id, user=request.user)
    form = FileIdentityForm(offered.dict())
    if not form.is_valid():
        raise InvalidInput(_form_errors(form))
    services.direct_upload_resume(item=item, **form.cleaned_data)
    return MultipartOut(upload_id=item.upload_id or "", key=item.s3_key)


@router.get("/uploads/{media_id}/parts", response={200: list[PartOut], **ERRORS}, summary="Parts S3 holds")
def upload_parts(request: AuthedRequest, media_id: str) -> list[PartOut]:
    item = media_get_owned(media_id=media_id, user=request.user)
    return [PartOut(part_number=p.number, etag=p.etag, size=p.size) for p in services.direct_upload_parts(item=item)]


@router.post("/uploads/{media_id}/parts", response={200: SignedPartsOut, **ERRORS}, summary="Sign part uploads")
def upload_sign_parts(request: AuthedRequest, media_id: str, wanted: PartNumbersIn) -> SignedPartsOut:
    item = media_get_owned(media_id=media_id, user=request.user)
    urls = services.direct_upload_sign_parts(item=item, part_numbers=wanted.part_numbers)
    return SignedPartsOut(urls={str(number): url for number, url in urls.items()})


@router.post("/uploads/{media_id}/complete", response={200: MediaOut, **ERRORS}, summary="Assemble and check")
def upload_complete(request: AuthedRequest, media_id: str, uploaded: CompleteIn) -> MediaOut:
    item = media_get_owned(media_id=media_id, user=request.user)
    numbers = [part.part_number for part in uploaded.parts]
    services.direct_upload_check_part_numbers(numbers, most=services.MAX_PARTS)
    parts = [storage.Part(number=part.part_number, etag=part.etag) for part in uploaded.parts]
    return _concluded(services.direct_upload_complete(item=item, parts=parts))


@router.post("/uploads/{media_id}/finish", response={200: MediaOut, **ERRORS}, summary="Check a POSTed file")
def upload_finish(request: AuthedRequest, media_id: str) -> MediaOut:
    item = media_get_owned(media_id=media_id, user=request.user)
    return _concluded(services.media_process(item=item))


@router.delete("/uploads/{media_id}", response={204: None, **ERRORS}, summary="Cancel an upload")
def upload_abort(request: AuthedRequest, media_id: str) -> Status[None]:
    services.direct_upload_abort(item=media_get_owned(media_id=media_id, user=request.user))
    return Status(204, None)


@router.post("/upload-batches", response={201: UploadBatchOut, **ERRORS}, summary="Start many uploads at once")
def upload_create_many(request: AuthedRequest, batch: UploadBatchIn) -> Status[UploadBatchOut]:
    """POST /uploads for each file, each with its own outcome; each counts once against the
    token's write rate, all of them before any is declared."""
    writes_count(request, len(batch.files))
    files: list[services.Declared | MediaHubError] = []
    for declared in batch.files:
        form = DirectUploadForm(declared.dict())
        files.append(_declared(form.cleaned_data) if form.is_valid() else InvalidInput(_form_errors(form)))
    outcomes = services.direct_upload_create_many(owner=request.user.username, files=files)
    return Status(201, UploadBatchOut(uploads=[_declare_outcome(outcome) for outcome in outcomes]))


@router.post("/upload-batches/finish", response={200: FinishBatchOut, **ERRORS}, summary="Check many POSTed files")
def upload_finish_many(request: AuthedRequest, finished: MediaIdsIn) -> FinishBatchOut:
    """POST /uploads/{id}/finish for each id, each with its own outcome: a file its content
    refused is rejected with the reason; one not arrived or interrupted stays pending."""
    outcomes = services.media_process_many(owner=request.user.username, media_ids=finished.ids)
    return FinishBatchOut(
        items=[_finish_outcome(media_id, o) for media_id, o in zip(finished.ids, outcomes, strict=True)]
    )


def _declared(data: dict[str, Any]) -> services.Declared:
    return services.Declared(
        name=data["name"],
        caption=data["caption"],
        filename=data["filename"],
        size=data["size"],
        declared_type=data["type"],
        fingerprint=data["fingerprint"],
    )


def _upload_out(upload: services.DirectUpload) -> UploadOut:
    post = PostOut(url=upload.post.url, fields=upload.post.fields) if upload.post else None
    multipart = None if upload.post else MultipartOut(upload_id=upload.item.upload_id or "", key=upload.item.s3_key)
    return UploadOut(item=MediaOut.of(upload.item), key=upload.item.s3_key, post=post, multipart=multipart)


def _declare_outcome(outcome: services.DirectUpload | MediaHubError) -> DeclaredOut:
    if isinstance(outcome, MediaHubError):
        return DeclaredOut(status=outcome.status_code, detail=str(outcome), upload=None)
    return DeclaredOut(status=201, upload=_upload_out(outcome))


def _finish_outcome(media_id: str, outcome: MediaItem | MediaHubError) -> FinishedOut:
    if isinstance(outcome, MediaHubError):
        return FinishedOut(id=media_id, status=outcome.status_code, detail=str(outcome), item=None)
    if outcome.status == StatusChoice.REJECTED:
        refused = FileRefused(outcome.reason or "This file was not accepted.")
        return FinishedOut(id=media_id, status=refused.status_code, detail=str(refused), item=MediaOut.of(outcome))
    return FinishedOut(id=media_id, status=200, item=MediaOut.of(outcome))


def _concluded(item: MediaItem) -> MediaOut:
    """The item after its check; a file its content refused is a 422 with the reason."""
    if item.status == StatusChoice.REJECTED:
        raise FileRefused(item.reason or "This file was not accepted.")
    return MediaOut.of(item)
