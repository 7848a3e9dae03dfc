"""HTTP glue for the Trash page: list, restore, delete forever, empty. Every change is a
POST with its CSRF token; errors a person can act on come back as messages."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from mediahub.exceptions import Conflict, NotFound
from mediahub.http import AuthedRequest
from trash import services
from trash.selectors import trash_get_for_user, trash_page


@require_http_methods(["GET"])
def trash_list(request: AuthedRequest) -> HttpResponse:
    page = trash_page(user=request.user, cursor=request.GET.get("cursor"), size=settings.MEDIAHUB_PAGE_SIZE)
    context = {"page": page, "days": settings.MEDIAHUB_TRASH_DAYS}
    return render(request, "trash/list.html", context)


@require_POST
def trash_restore(request: AuthedRequest, media_id: str) -> HttpResponse:
    trashed = trash_get_for_user(media_id=media_id, user=request.user)
    try:
        item = services.trash_restore(trashed=trashed, actor=request.user.username)
    except (Conflict, NotFound) as exc:
        messages.error(request, f"“{trashed.name}” was not restored: {exc}")
        return redirect("trash:list")
    messages.success(request, f"Restored “{item.name}”.")
    return redirect("uploads:detail", media_id=item.id)


@require_POST
def trash_delete(request: AuthedRequest, media_id: str) -> HttpResponse:
    trashed = trash_get_for_user(media_id=media_id, user=request.user)
    try:
        services.trash_purge(trashed=trashed, actor=request.user.username)
    except NotFound as exc:
        messages.error(request, f"“{trashed.name}” was not deleted: {exc}")
    else:
        messages.success(request, f"Deleted “{trashed.name}” forever.")
    return redirect("trash:list")


@require_POST
def trash_empty(request: AuthedRequest) -> HttpResponse:
    """Confirm, then delete forever everything in the caller's trash."""
    if request.POST.get("confirm") != "yes":
        return render(request, "trash/empty.html", {"page": trash_page(user=request.user, size=100)})
    report = services.trash_empty(owner=request.user.username, actor=request.user.username)
    if report.purged or not report.failed:
        messages.success(request, f"Deleted {report.purged} item{'s' if report.purged != 1 else ''} forever.")
    if report.failed:
        messages.error(
            request,
            f"{report.failed} item{'s' if report.failed != 1 else ''} could not be deleted just now; "
            "they stay in the trash and the next purge finishes them.",
        )
    return redirect("trash:list")
