"""HTTP glue for albums and bulk edit: parse with a form, call one service or selector,
render. Every view looks its album up for the signed-in person (owner or admin; anyone
else gets the same 404 as for an album that does not exist)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from albums import bulk, services
from albums.forms import AlbumEditForm, AlbumForm, AlbumPickForm, BulkEditForm
from albums.models import Album
from albums.selectors import album_cover, album_get_for_user, albums_for_user, albums_of_owner, tag_suggestions
from mediahub.exceptions import InvalidInput
from mediahub.http import AuthedRequest
from search.selectors import media_find
from uploads.exceptions import MediaNotFound
from uploads.models import MediaItem
from uploads.selectors import MediaQuery, media_get_for_user
from uploads.views import MAX_BULK, media_list_page


@require_http_methods(["GET"])
def album_list(request: AuthedRequest) -> HttpResponse:
    page = albums_for_user(user=request.user, cursor=request.GET.get("cursor"))
    covers = {album.id: album_cover(album) for album in page.albums}
    context = {"page": page, "covers": covers, "form": AlbumForm()}
    return render(request, "albums/list.html", context)


@require_http_methods(["GET", "POST"])
def album_create(request: AuthedRequest) -> HttpResponse:
    form = AlbumForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        album = services.album_create(owner=request.user.username, **form.cleaned_data)
        messages.success(request, f"Made the album “{album.name}”.")
        return redirect("albums:detail", album_id=album.id)
    return render(request, "albums/create.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET"])
def album_detail(request: AuthedRequest, album_id: str) -> HttpResponse:
    album = album_get_for_user(album_id=album_id, user=request.user)
    return media_list_page(request, album=album, extra={"cover": album_cover(album)})


@require_http_methods(["GET", "POST"])
def album_edit(request: AuthedRequest, album_id: str) -> HttpResponse:
    album = album_get_for_user(album_id=album_id, user=request.user)
    covers = _cover_choices(request, album)
    initial = {"name": album.name, "description": album.description, "cover": album.cover_media_id or ""}
    form = AlbumEditForm(request.POST or None, initial=initial, covers=covers)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.album_update(
            album=album, name=data["name"], description=data["description"], cover_media_id=data["cover"] or None
        )
        messages.success(request, "Saved the album.")
        return redirect("albums:detail", album_id=album.id)
    context = {"album": album, "form": form}
    return render(request, "albums/edit.html", context, status=400 if form.errors else 200)


def _cover_choices(request: AuthedRequest, album: Album) -> list[tuple[str, str]]:
    """The album's newest hundred items to choose the cover from, and the cover in use."""
    page = media_find(user=request.user, query=MediaQuery(album=album.id, page_size=100), cursor=None)
    choices = [(item.id, item.name) for item in page.items]
    if album.cover_media_id and album.cover_media_id not in dict(choices):
        choices.append((album.cover_media_id, "The cover chosen before"))
    return choices


@require_http_methods(["GET", "POST"])
def album_delete(request: AuthedRequest, album_id: str) -> HttpResponse:
    album = album_get_for_user(album_id=album_id, user=request.user)
    if request.method == "GET":
        return render(request, "albums/delete.html", {"album": album})
    services.album_delete(album=album)
    messages.success(request, f"Deleted the album “{album.name}”; its media are untouched.")
    return redirect("albums:list")


@require_POST
def album_add_item(request: AuthedRequest, media_id: str) -> HttpResponse:
    """From the item page: put the item in one of its owner's albums."""
    item = media_get_for_user(media_id=media_id, user=request.user)
    form = AlbumPickForm(request.POST)
    if not form.is_valid():
        raise InvalidInput("Choose one of the albums offered on the item's page.")
    album = album_get_for_user(album_id=form.cleaned_data["album"], user=request.user)
    if services.album_add_item(album=album, item=item, actor=request.user.username):
        messages.success(request, f"Added to “{album.name}”.")
    else:
        messages.info(request, f"It was already in “{album.name}”.")
    return redirect("uploads:detail", media_id=item.id)


@require_POST
def album_remove_item(request: AuthedRequest, album_id: str, media_id: str) -> HttpResponse:
    """From the item page or the album page: take the item out of the album."""
    album = album_get_for_user(album_id=album_id, user=request.user)
    item = media_get_for_user(media_id=media_id, user=request.user)
    if item.owner != album.owner:
        raise MediaNotFound
    services.album_remove_item(album=album, media_id=item.id, actor=request.user.username)
    messages.success(request, f"Took “{item.name}” out of “{album.name}”.")
    return redirect("uploads:detail", media_id=item.id)


@require_POST
def media_bulk_edit(request: AuthedRequest) -> HttpResponse:
    """From the list's selection: choose the change, then apply it, reporting on each item."""
    ids = list(dict.fromkeys(request.POST.getlist("ids")))[:MAX_BULK]
    if not ids:
        messages.error(request, "Select the items to change first.")
        return redirect("uploads:list")
    items, missing = _visible_items(request, ids)
    owners = {item.owner for item in items}
    pickable = albums_of_owner(owner=owners.pop()) if len(owners) == 1 else []
    form = BulkEditForm(request.POST if "apply" in request.POST else None, albums=[(a.id, a.name) for a in pickable])
    suggestions = tag_suggestions(owner=request.user.username)
    context: dict[str, Any] = {"items": items, "missing": missing, "form": form, "tag_suggestions": suggestions}
    if "apply" not in request.POST or not form.is_valid():
        return render(request, "albums/bulk_edit.html", context, status=400 if form.errors else 200)
    data = form.cleaned_data
    album = album_get_for_user(album_id=data["album"], user=request.user) if data["album"] else None
    change = bulk.BulkChange(
        caption_mode=data["caption_mode"],
        caption=data["caption"],
        add_tags=data["add_tags"],
        remove_tags=data["remove_tags"],
        album=album,
    )
    outcomes = bulk.media_edit_many(
        items=[(item, _seen(request, item)) for item in items], change=change, actor=request.user.username
    )
    done = sum(outcome.done for outcome in outcomes)
    if done:
        messages.success(request, f"Changed {done} item{'s' if done != 1 else ''}.")
    failed = [outcome for outcome in outcomes if not outcome.done]
    if not failed and not missing:
        return redirect("uploads:list")
    context = {"failed": failed, "missing": missing}
    return render(request, "albums/bulk_edit_result.html", context, status=207 if done else 409)


def _seen(request: AuthedRequest, item: MediaItem) -> int:
    """The version of the item the person saw when choosing the change (-1: none given,
    which matches no version, so the item is reported as changed)."""
    given = request.POST.get(f"version-{item.id}", "")
    return int(given) if given.isascii() and given.isdigit() and len(given) < 20 else -1


def _visible_items(request: AuthedRequest, ids: list[str]) -> tuple[list[MediaItem], list[str]]:
    items, missing = [], []
    for media_id in ids:
        try:
            items.append(media_get_for_user(media_id=media_id, user=request.user))
        except MediaNotFound:
            missing.append(media_id)
    return items, missing
