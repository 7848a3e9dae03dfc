"""Input shapes for sign-in, passwords and user management."""

from __future__ import annotations

from typing import Any

from django import forms

from accounts.models import USERNAME_MAX_LENGTH, Role, Scope

USERNAME_VALIDATOR_MESSAGE = "Use letters, digits and @ . + - _ only."
# Hints for password managers.
CURRENT = {"autocomplete": "current-password"}
NEW = {"autocomplete": "new-password"}


class LoginForm(forms.Form):
    username = forms.CharField(
        max_length=USERNAME_MAX_LENGTH, widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"})
    )
    password = forms.CharField(strip=False, widget=forms.PasswordInput(CURRENT))


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label="Current password", strip=False, widget=forms.PasswordInput(CURRENT))
    new_password1 = forms.CharField(label="New password", strip=False, widget=forms.PasswordInput(NEW))
    new_password2 = forms.CharField(label="New password again", strip=False, widget=forms.PasswordInput(NEW))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("new_password1") != cleaned.get("new_password2"):
            self.add_error("new_password2", "The two new passwords differ.")
        return cleaned


class SetPasswordForm(forms.Form):
    password = forms.CharField(label="New password", strip=False, widget=forms.PasswordInput(NEW))


class UserCreateForm(forms.Form):
    username = forms.RegexField(
        regex=r"^[\w.@+-]+\Z",
        max_length=USERNAME_MAX_LENGTH,
        error_messages={"invalid": USERNAME_VALIDATOR_MESSAGE},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    email = forms.EmailField(required=False)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER)
    password = forms.CharField(label="Initial password", strip=False, widget=forms.PasswordInput(NEW))


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


TOKEN_LASTS = {"7": "7 days", "30": "30 days", "90": "90 days", "365": "1 year"}


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What it is for, e.g. “laptop import”: shown on this page only.")
    lasts = forms.TypedChoiceField(label="Works for", choices=list(TOKEN_LASTS.items()), coerce=int, initial="90")
    scope = forms.ChoiceField(
        choices=Scope.choices,
        initial=Scope.READ,
        widget=forms.RadioSelect,
        help_text="Read only: list, search, view and download. Read and write: also upload, edit, share and delete.",
    )
