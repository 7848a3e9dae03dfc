"""HTTP glue for share links: making and withdrawing them (signed in), and the public page
a link opens (no sign-in)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import admin_required
from mediahub.exceptions import MediaHubError
from mediahub.http import AuthedRequest, PortalRequest, client_address
from mediahub.middleware import domain_error, with_retry_after
from sharing import selectors, services
from sharing.csrf import csrf_protect_without_referrer
from sharing.exceptions import DownloadNotAllowed, SharePasswordThrottled, SharePasswordWrong
from sharing.forms import ShareForm, SharePasswordForm
from sharing.models import Share
from sharing.selectors import OpenShare
from uploads import storage
from uploads.selectors import media_get_for_user

UNLOCK_COOKIE = "share_unlocked"
UNLOCK_SALT = "sharing.unlock"
# How long a right password keeps a link open in one browser (or until the link ends).
UNLOCK_SECONDS = 12 * 3600


@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def share_create_view(request: AuthedRequest, media_id: str) -> HttpResponse:
    item = media_get_for_user(media_id=media_id, user=request.user)
    form = ShareForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        share, token = services.share_create(
            item=item,
            created_by=request.user.username,
            expires_at=data["expires_at"],
            password=data["password"],
            allow_download=data["allow_download"],
        )
        # Shown once: the table keeps only the token's hash.
        link = request.build_absolute_uri(reverse("sharing:page", args=[token]))
        return render(request, "sharing/created.html", {"item": item, "share": share, "link": link}, status=201)
    return render(request, "sharing/create.html", {"item": item, "form": form}, status=400 if form.errors else 200)


@require_POST
def share_revoke_view(request: AuthedRequest, token_hash: str) -> HttpResponse:
    share = selectors.share_get_for_user(token_hash=token_hash, user=request.user)
    services.share_revoke(share=share, actor=request.user.username)
    messages.success(request, "The link is withdrawn: it no longer opens anything.")
    if request.POST.get("back") == "shares" and request.user.is_admin:
        return redirect("sharing:list")
    return redirect("uploads:detail", media_id=share.media_id)


@admin_required
@require_http_methods(["GET"])
def share_list_view(request: AuthedRequest) -> HttpResponse:
    page = selectors.shares_active(cursor=request.GET.get("cursor"), page_size=settings.MEDIAHUB_PAGE_SIZE)
    return render(request, "sharing/list.html", {"page": page})


def public(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page anyone with the link may open: no sign-in, never cached or indexed, and no
    Referer sent on (the token is in its URL). Errors, a dead link included, are shown on
    the share's own plain page, never the portal's."""

    @login_not_required
    @wraps(view)
    def wrapper(request: PortalRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except Exception as exc:
            error = domain_error(exc, writing=request.method == "POST")
            if error is None:
                raise
            response = _problem_page(request, error)
        patch_cache_control(response, private=True, no_store=True)
        response["Referrer-Policy"] = "no-referrer"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapper


def _problem_page(request: PortalRequest, error: MediaHubError) -> HttpResponse:
    response = render(request, "sharing/problem.html", {"message": str(error)}, status=error.status_code)
    return with_retry_after(response, error)


@public
@csrf_protect_without_referrer
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def share_page_view(request: PortalRequest, token: str) -> HttpResponse:
    opened = selectors.share_open(token)
    if opened.share.has_password and (request.method == "POST" or not _unlocked(request, opened.share)):
        return _password_page(request, opened.share)
    if request.method == "POST":  # a link without a password has nothing to unlock
        return redirect(request.path)
    services.share_record_view(share=opened.share)
    return render(request, "sharing/page.html", _page_context(opened, token))


@public
@require_http_methods(["GET"])
def share_download_view(request: PortalRequest, token: str) -> HttpResponse:
    opened = selectors.share_open(token)
    if not _unlocked(request, opened.share):
        return redirect("sharing:page", token=token)
    if not opened.share.allow_download:
        raise DownloadNotAllowed
    item = opened.item
    return redirect(
        storage.presigned_url(
            item.s3_key, content_type=item.content_type, filename=item.original_filename, download=True
        )
    )


def _page_context(opened: OpenShare, token: str) -> dict[str, Any]:
    item = opened.item
    inline = storage.shows_inline(item.content_type)
    file_link = storage.presigned_url(item.s3_key, content_type=item.content_type, filename=item.original_filename)
    return {
        "item": item,
        "file_link": file_link if inline else None,
        # A photo browsers cannot show (HEIC) is shown as its WebP rendition.
        "image_link": storage.thumbnail_url(item.preview_key) if item.preview_key else file_link,
        "download_url": reverse("sharing:download", args=[token]) if opened.share.allow_download else None,
        "expires_at": opened.share.expires_at,
    }


def _password_page(request: PortalRequest, share: Share) -> HttpResponse:
    form = SharePasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.share_unlock(share=share, password=form.cleaned_data["password"], address=client_address(request))
        except (SharePasswordWrong, SharePasswordThrottled) as exc:
            form.add_error(None, str(exc))
            return with_retry_after(
                render(request, "sharing/password.html", {"form": form}, status=exc.status_code), exc
            )
        response = redirect(request.path)
        _remember_unlocked(response, share, path=request.path)
        return response
    return render(request, "sharing/password.html", {"form": form}, status=400 if form.errors else 200)


def _unlocked(request: PortalRequest, share: Share) -> bool:
    """Whether this browser may see the link: it has no password, or the browser gave it."""
    if not share.has_password:
        return True
    proof = request.get_signed_cookie(UNLOCK_COOKIE, default=None, salt=UNLOCK_SALT, max_age=UNLOCK_SECONDS)
    return proof == share.token_hash


def _remember_unlocked(response: HttpResponse, share: Share, *, path: str) -> None:
    lasts = min(UNLOCK_SECONDS, int((share.expires_at - timezone.now()).total_seconds()))
    response.set_signed_cookie(
        UNLOCK_COOKIE,
        share.token_hash,
        salt=UNLOCK_SALT,
        max_age=max(lasts, 0),
        path=path,
        secure=settings.SECURE_COOKIES,
        httponly=True,
        samesite="Lax",
    )
