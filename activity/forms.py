"""The admins' activity filter: input shape only."""

from __future__ import annotations

from django import forms

from activity.models import ActivityAction


class ActivityFilterForm(forms.Form):
    # A username, or the system's own name for what it does by itself (the daily purge).
    user = forms.RegexField(regex=r"^([\w.@+-]*|\(system\))$", max_length=150, required=False, label="User")
    action = forms.ChoiceField(choices=[("", "Any action"), *ActivityAction.choices], required=False)
