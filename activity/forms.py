"""The admins' activity filter: input shape only."""

from __future__ import annotations

from django import forms

from activity.models import ActivityAction


class ActivityFilterForm(forms.Form):
    user = forms.RegexField(regex=r"^[\w.@+-]*$", max_length=150, required=False, label="User")
    action = forms.ChoiceField(choices=[("", "Any action"), *ActivityAction.choices], required=False)
