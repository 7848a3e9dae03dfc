"""Input shapes for making a share link and for a protected link's password."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from django import forms
from django.utils import timezone

from sharing.models import LONGEST, SHORTEST

LASTS = {
    "1h": ("1 hour", timedelta(hours=1)),
    "1d": ("1 day", timedelta(days=1)),
    "7d": ("7 days", timedelta(days=7)),
    "30d": ("30 days", timedelta(days=30)),
    "90d": ("90 days", timedelta(days=90)),
}
UNTIL_DATE = "date"


class ShareForm(forms.Form):
    lasts = forms.ChoiceField(
        label="Link works for",
        choices=[*((key, label) for key, (label, _) in LASTS.items()), (UNTIL_DATE, "Until a date…")],
        initial="7d",
    )
    until = forms.DateField(
        label="Until the end of (UTC)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Used with “Until a date…”: at most 90 days from now.",
    )
    password = forms.CharField(
        label="Password (optional)",
        required=False,
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Visitors must enter it before they see anything.",
    )
    allow_download = forms.BooleanField(
        label="Visitors may download the file",
        required=False,
        initial=True,
        help_text="Without it they can only view it in the page (and keep what their browser shows).",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lasts, until, now = data.get("lasts"), data.get("until"), timezone.now()
        if lasts in LASTS:
            data["expires_at"] = now + LASTS[lasts][1]
        elif lasts == UNTIL_DATE and until is None:
            self.add_error("until", "Choose the date the link stops working.")
        elif lasts == UNTIL_DATE and until is not None:
            # The end of that day, or 90 days from now on the last day allowed.
            data["expires_at"] = min(datetime.combine(until, time.max, tzinfo=UTC), now + LONGEST)
            if until > (now + LONGEST).date() or data["expires_at"] < now + SHORTEST:
                self.add_error("until", "Choose a date from today to 90 days from now (at least an hour away).")
        return data


class SharePasswordForm(forms.Form):
    password = forms.CharField(
        label="Password",
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "autofocus": True}),
    )
