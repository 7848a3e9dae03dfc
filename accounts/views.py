"""HTTP glue for sign-in, passwords and admin user management."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from accounts import services
from accounts.decorators import admin_required
from accounts.exceptions import InvalidCredentials, LoginThrottled, UsernameTaken, UserNotFound
from accounts.forms import LoginForm, PasswordChangeForm, RoleForm, SetPasswordForm, TokenForm, UserCreateForm
from accounts.models import User
from accounts.selectors import token_get_for_user, tokens_for_user, user_get, user_list
from api.middleware import api_path
from mediahub.exceptions import MediaHubError
from mediahub.http import AuthedRequest, PortalRequest, client_address
from mediahub.middleware import with_retry_after


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@login_not_required
@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: PortalRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_authenticate(**form.cleaned_data, address=client_address(request))
        except (InvalidCredentials, LoginThrottled) as exc:
            return _login_refused(request, form, exc)
        services.login(request, user)
        return redirect(_safe_next(request))
    return render(request, "accounts/login.html", {"form": form, "next": _safe_next(request)})


def _login_refused(request: PortalRequest, form: LoginForm, refusal: MediaHubError) -> HttpResponse:
    form.add_error(None, str(refusal))
    context = {"form": form, "next": _safe_next(request)}
    return with_retry_after(render(request, "accounts/login.html", context, status=refusal.status_code), refusal)


@require_POST
def logout_view(request: AuthedRequest) -> HttpResponse:
    services.logout(request)
    messages.info(request, "You are signed out.")
    return redirect(settings.LOGIN_URL)


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
def password_change_view(request: AuthedRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not services.check_user_password(user=request.user, password=form.cleaned_data["old_password"]):
            form.add_error("old_password", "Your current password is not that.")
        elif _set_password_or_report(form, "new_password1", request.user):
            services.session_renew_after_password_change(request, request.user)
            messages.success(request, "Your password is changed. Other sessions were signed out.")
            return redirect("uploads:list")
    return render(request, "accounts/password_change.html", {"form": form}, status=400 if form.errors else 200)


@admin_required
@require_http_methods(["GET"])
def user_list_view(request: AuthedRequest) -> HttpResponse:
    return render(request, "accounts/user_list.html", {"users": user_list()})


@admin_required
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def user_create_view(request: AuthedRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(**form.cleaned_data)
        except UsernameTaken as exc:
            form.add_error("username", str(exc))
        except ValidationError as exc:
            form.add_error("password", exc)
        else:
            messages.success(request, f"Created {user.username}.")
            return redirect("accounts:user_detail", username=user.username)
    return render(request, "accounts/user_create.html", {"form": form}, status=400 if form.errors else 200)


@admin_required
@require_http_methods(["GET"])
def user_detail_view(request: AuthedRequest, username: str) -> HttpResponse:
    user = _get_user(username)
    context = {"subject": user, "role_form": RoleForm(initial={"role": user.role}), "password_form": SetPasswordForm()}
    return render(request, "accounts/user_detail.html", context)


@admin_required
@require_POST
def user_role_view(request: AuthedRequest, username: str) -> HttpResponse:
    user = _get_user(username)
    form = RoleForm(request.POST)
    if form.is_valid():
        services.user_set_role(user=user, role=form.cleaned_data["role"])
        messages.success(request, f"{user.username} is now {user.role}.")
    return redirect("accounts:user_detail", username=user.username)


@admin_required
@require_POST
def user_active_view(request: AuthedRequest, username: str) -> HttpResponse:
    user = _get_user(username)
    active = request.POST.get("active") == "1"
    if not active and user.username == request.user.username:
        messages.error(request, "You cannot deactivate your own account.")
    else:
        services.user_set_active(user=user, active=active)
        state = "reactivated" if active else "deactivated and signed out everywhere"
        messages.success(request, f"{user.username} is {state}.")
    return redirect("accounts:user_detail", username=user.username)


@admin_required
@sensitive_post_parameters("password")
@require_POST
def user_password_view(request: AuthedRequest, username: str) -> HttpResponse:
    user = _get_user(username)
    form = SetPasswordForm(request.POST)
    if form.is_valid() and _set_password_or_report(form, "password", user):
        messages.success(request, f"New password set for {user.username}; their sessions were signed out.")
        return redirect("accounts:user_detail", username=user.username)
    context = {"subject": user, "role_form": RoleForm(initial={"role": user.role}), "password_form": form}
    return render(request, "accounts/user_detail.html", context, status=400)


def _get_user(username: str) -> User:
    try:
        return user_get(username)
    except UserNotFound as exc:
        raise Http404("No such user.") from exc


def _set_password_or_report(form: forms.Form, field: str, user: User) -> bool:
    try:
        services.user_set_password(user=user, password=form.cleaned_data[field])
    except ValidationError as exc:
        form.add_error(field, exc)
        return False
    return True


@require_http_methods(["GET", "POST"])
def token_list_view(request: AuthedRequest) -> HttpResponse:
    """The user's API tokens, and a form for a new one, shown once when made."""
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        expires_at = timezone.now() + timedelta(days=data["lasts"])
        token, secret = services.token_create(
            user=request.user, name=data["name"], scope=data["scope"], expires_at=expires_at
        )
        api_url = request.build_absolute_uri(api_path(""))
        context = {"token": token, "secret": secret, "api_url": api_url, "docs_url": api_path("docs")}
        return render(request, "accounts/token_created.html", context, status=201)
    context = {"tokens": tokens_for_user(request.user.username), "form": form, "docs_url": api_path("docs")}
    return render(request, "accounts/token_list.html", context, status=400 if form.errors else 200)


@require_POST
def token_revoke_view(request: AuthedRequest, token_hash: str) -> HttpResponse:
    token = token_get_for_user(token_hash=token_hash, user=request.user)
    services.token_revoke(token=token)
    messages.success(request, f"The token “{token.name}” is revoked: it no longer opens anything.")
    return redirect("accounts:tokens")
