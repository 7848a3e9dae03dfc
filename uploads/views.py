"""HTTP glue for media pages: parse with a form, call one service or selector, render.

Domain errors (no such item, a bad page link) are not caught here: they reach
mediahub.middleware.DomainErrorMiddleware, which renders them with their status.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.views.decorators.http import require_http_methods, require_POST

from activity.selectors import activity_for_media
from albums.models import Album
from albums.selectors import albums_for_media, albums_of_owner, tag_suggestions
from api.middleware import api_path
from mediahub.exceptions import StorageUnavailable
from mediahub.http import AuthedRequest
from search.selectors import media_find
from sharing.selectors import shares_for_media
from uploads import services, storage
from uploads.exceptions import MediaNotFound, StaleEdit, UploadRejected, UploadStillPending
from uploads.forms import PAGE_SIZES, EditForm, ListFilterForm, UploadForm, list_query
from uploads.models import MediaItem, Status
from uploads.selectors import MediaPage, media_duplicates, media_get_for_user, media_unfinished_uploads

VIEW_COOKIE = "media_view"
FILTER_FIELDS = (
    "q",
    "tag",
    "album",
    "kind",
    "status",
    "owner",
    "uploaded_from",
    "uploaded_to",
    "taken_from",
    "taken_to",
)
# Items one bulk delete handles; the list's page sizes stay below it.
MAX_BULK = 100


@require_http_methods(["GET"])
def media_list(request: AuthedRequest) -> HttpResponse:
    return media_list_page(request)


def media_list_page(
    request: AuthedRequest, *, album: Album | None = None, extra: dict[str, Any] | None = None
) -> HttpResponse:
    """The media list, or one album's page of it (the same filters, layouts and cursors)."""
    data = _with_default_size(request.GET)
    if album is not None:
        data["album"] = album.id
    filters = ListFilterForm(data)
    organise = _organise_context(request, filters, album=album, extra=extra)
    if not filters.is_valid():
        context = {**_list_context(request, filters, None), **organise}
        return render(request, "uploads/list.html", context, status=400)
    page = media_find(user=request.user, query=list_query(filters.cleaned_data), cursor=request.GET.get("cursor"))
    response = render(request, "uploads/list.html", {**_list_context(request, filters, page), **organise})
    if request.GET.get("view") == _layout(request):
        # Remember the choice, for a year, for this browser.
        response.set_cookie(
            VIEW_COOKIE,
            _layout(request),
            max_age=365 * 24 * 3600,
            samesite="Lax",
            httponly=True,
            secure=settings.SECURE_COOKIES,
        )
    return response


def _organise_context(
    request: AuthedRequest, filters: ListFilterForm, *, album: Album | None, extra: dict[str, Any] | None
) -> dict[str, Any]:
    """Albums and tags on the list: the album filter offers the person's albums (kept
    hidden on an album's own page), the tag filter suggests their tags."""
    if album is None:
        mine = albums_of_owner(owner=request.user.username)
        if mine:
            filters.fields["album"].widget = forms.Select(choices=[("", "Any album"), *((a.id, a.name) for a in mine)])
    return {"album": album, "tag_suggestions": tag_suggestions(owner=request.user.username), **(extra or {})}


def _with_default_size(query: QueryDict) -> QueryDict:
    data = query.copy()
    if settings.MEDIAHUB_PAGE_SIZE in PAGE_SIZES:  # so the form shows the size in use
        data.setdefault("size", str(settings.MEDIAHUB_PAGE_SIZE))
    return data


def _list_context(request: AuthedRequest, filters: ListFilterForm, page: MediaPage | None) -> dict[str, Any]:
    filtering = any(request.GET.get(name) for name in FILTER_FIELDS)
    if page is None:
        return {"filters": filters, "items": [], "filtering": filtering}
    context = {"filters": filters, "page": page, "items": page.items, "layout": _layout(request)}
    return {**context, "filtering": filtering, **_list_links(request)}


def _layout(request: AuthedRequest) -> str:
    """Table or grid: asked for now, else remembered, else table."""
    layout = request.GET.get("view") or request.COOKIES.get(VIEW_COOKIE)
    return layout if layout in ("grid", "table") else "table"


def _list_links(request: AuthedRequest) -> dict[str, Any]:
    """The listing's query string without its cursor, and with each layout chosen."""
    state = request.GET.copy()
    state.pop("cursor", None)
    layouts = {}
    for choice in ("table", "grid"):
        state["view"] = choice
        layouts[choice] = state.urlencode()
    state.pop("view")
    return {"state": state.urlencode(), "layout_links": layouts}


@require_http_methods(["GET", "POST"])
def media_upload(request: AuthedRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            item = services.media_create_from_upload(
                owner=request.user.username, name=data["name"], caption=data["caption"], upload=data["file"]
            )
        except StorageUnavailable as exc:
            form.add_error(None, str(exc))
            status = exc.status_code
        except UploadRejected as exc:
            form.add_error("file", f"This file was not accepted: {exc}")
        else:
            messages.success(request, f"Uploaded “{item.name}”.")
            return redirect("uploads:detail", media_id=item.id)
    context = {
        "form": form,
        "uploader_config": _uploader_config(),
        "unfinished": media_unfinished_uploads(owner=request.user.username),
    }
    return render(request, "uploads/upload.html", context, status=status)


def _uploader_config() -> dict[str, Any]:
    limit = settings.MEDIAHUB_DIRECT_UPLOAD_MAX_BYTES
    return {
        # API v1's upload protocol, which programs use too (session and CSRF for the browser).
        "apiUrl": api_path("uploads"),
        "maxBytes": limit,
        "maxLabel": filesizeformat(limit),
        "multipartThreshold": settings.MEDIAHUB_MULTIPART_THRESHOLD_BYTES,
    }


@require_http_methods(["GET"])
def media_detail(request: AuthedRequest, media_id: str) -> HttpResponse:
    item = media_get_for_user(media_id=media_id, user=request.user)
    # The owner's albums, to add the item to one (an admin sees the owner's, not their own).
    pickable = albums_of_owner(owner=item.owner)
    return render(request, "uploads/detail.html", {**_detail_context(item), "pickable_albums": pickable})


def _detail_context(item: MediaItem) -> dict[str, Any]:
    ready = item.status == Status.READY
    file_link = storage.presigned_url(item.s3_key, content_type=item.content_type, filename=item.original_filename)
    return {
        "item": item,
        "file_link": file_link,
        # What the page shows inline: a photo browsers cannot show (HEIC) as its WebP rendition.
        "image_link": storage.thumbnail_url(item.preview_key) if item.preview_key else file_link,
        "preview": ready and storage.shows_inline(item.content_type),
        "duplicates": media_duplicates(item),
        "link_minutes": settings.MEDIAHUB_PRESIGNED_URL_SECONDS // 60,
        "turned": (5, 6, 7, 8),  # EXIF orientations shown a quarter turn from how they are stored
        "shares": shares_for_media(media_id=item.id) if ready else [],
        "albums": albums_for_media(media_id=item.id),
        # Only its owner and admins reach this page (media_get_for_user), so its log too.
        "activity": activity_for_media(media_id=item.id),
    }


@require_http_methods(["GET"])
def media_download(request: AuthedRequest, media_id: str) -> HttpResponse:
    item = media_get_for_user(media_id=media_id, user=request.user)
    filename, content_type = item.original_filename, item.content_type
    return redirect(storage.presigned_url(item.s3_key, content_type=content_type, filename=filename, download=True))


@require_http_methods(["GET", "POST"])
def media_edit(request: AuthedRequest, media_id: str) -> HttpResponse:
    item = media_get_for_user(media_id=media_id, user=request.user)
    initial = {"name": item.name, "caption": item.caption, "tags": item.tag_list, "version": item.version}
    form = EditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.media_update(item=item, **form.cleaned_data, actor=request.user.username)
        except StaleEdit:
            return _edit_conflict(request, media_id)
        except UploadStillPending as exc:
            form.add_error(None, str(exc))
            context = {"item": item, "form": form, "conflict": False, **_suggestions(item)}
            return render(request, "uploads/edit.html", context, status=409)
        messages.success(request, "Saved your changes.")
        return redirect("uploads:detail", media_id=item.id)
    context = {"item": item, "form": form, "conflict": False, **_suggestions(item)}
    return render(request, "uploads/edit.html", context, status=400 if form.errors else 200)


def _suggestions(item: MediaItem) -> dict[str, Any]:
    return {"tag_suggestions": tag_suggestions(owner=item.owner)}


def _edit_conflict(request: AuthedRequest, media_id: str) -> HttpResponse:
    """Keep what they typed, show what is saved now, and let a second save be a deliberate
    choice: the form now carries the saved version's number."""
    item = media_get_for_user(media_id=media_id, user=request.user)
    data = request.POST.copy()
    data["version"] = str(item.version)
    form = EditForm(data)
    form.is_valid()
    context = {"item": item, "form": form, "conflict": True, **_suggestions(item)}
    return render(request, "uploads/edit.html", context, status=409)


@require_POST
def media_check(request: AuthedRequest, media_id: str) -> HttpResponse:
    """Check a pending upload again (after storage stopped answering, or a closed tab)."""
    item = services.media_process(item=media_get_for_user(media_id=media_id, user=request.user))
    if item.status == Status.READY:
        messages.success(request, f"“{item.name}” is checked and ready.")
    elif item.status == Status.REJECTED:
        messages.error(request, f"“{item.name}” was not accepted: {item.reason}")
    return redirect("uploads:detail", media_id=item.id)


@require_http_methods(["GET", "POST"])
def media_delete(request: AuthedRequest, media_id: str) -> HttpResponse:
    item = media_get_for_user(media_id=media_id, user=request.user)
    if request.method == "GET":
        return render(request, "uploads/delete.html", {"item": item, "trash_days": settings.MEDIAHUB_TRASH_DAYS})
    try:
        services.media_delete(item=item, actor=request.user.username)
    except StaleEdit:
        messages.error(request, "This item changed while you were deciding; it was not deleted.")
        return redirect("uploads:detail", media_id=item.id)
    if item.status == Status.PENDING:
        messages.success(request, f"Cancelled the upload of “{item.name}”.")
    else:
        messages.success(request, f"Moved “{item.name}” to the trash.")
    return redirect("uploads:list")


@require_POST
def media_bulk_delete(request: AuthedRequest) -> HttpResponse:
    """Confirm, then delete the selected items, reporting on each."""
    ids = list(dict.fromkeys(request.POST.getlist("ids")))[:MAX_BULK]
    if not ids:
        messages.error(request, "Select the items to delete first.")
        return redirect("uploads:list")
    items, missing = _visible_items(request, ids)
    if request.POST.get("confirm") != "yes":
        context = {"items": items, "missing": missing, "trash_days": settings.MEDIAHUB_TRASH_DAYS}
        return render(request, "uploads/bulk_delete.html", context)
    outcomes = services.media_delete_many(items=items, actor=request.user.username)
    deleted = sum(outcome.done for outcome in outcomes)
    if deleted:
        messages.success(request, f"Moved {deleted} item{'s' if deleted != 1 else ''} to the trash.")
    failed = [outcome for outcome in outcomes if not outcome.done]
    if not failed and not missing:
        return redirect("uploads:list")
    context = {"failed": failed, "missing": missing}
    return render(request, "uploads/bulk_delete_result.html", context, status=207 if deleted else 409)


def _visible_items(request: AuthedRequest, ids: list[str]) -> tuple[list[MediaItem], list[str]]:
    """The items of `ids` the user may see, and the ids that are gone or not theirs."""
    items, missing = [], []
    for media_id in ids:
        try:
            items.append(media_get_for_user(media_id=media_id, user=request.user))
        except MediaNotFound:
            missing.append(media_id)
    return items, missing
