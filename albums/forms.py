"""Input shapes for albums and bulk edit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms

from uploads.forms import TextField, tags_field, visible_multiline_text, visible_text
from uploads.selectors import MEDIA_ID

CAPTION_MAX = 2000


def album_id_valid(value: str) -> None:
    if value and not MEDIA_ID.fullmatch(value):
        raise forms.ValidationError("There is no such album.", code="invalid")


class AlbumForm(forms.Form):
    name = TextField(max_length=200, validators=[visible_text])
    description = TextField(
        max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}), validators=[visible_multiline_text]
    )


class AlbumEditForm(AlbumForm):
    # The item shown as the album's cover; empty: its newest item.
    cover = forms.ChoiceField(label="Cover", required=False, choices=[("", "The newest item")])

    def __init__(self, *args: Any, covers: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ChoiceField", self.fields["cover"]).choices = [("", "The newest item"), *covers]


class AlbumPickForm(forms.Form):
    """Which album (the item page's "Add to album", or bulk edit's)."""

    album = forms.CharField(max_length=26, validators=[album_id_valid])


class BulkEditForm(forms.Form):
    """What bulk edit does to each selected item; every part is optional, one is needed."""

    caption_mode = forms.ChoiceField(
        label="Caption",
        required=False,
        choices=[("", "Leave as it is"), ("set", "Replace with"), ("append", "Add to the end")],
    )
    caption = TextField(
        label="Caption text",
        max_length=CAPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[visible_multiline_text],
    )
    add_tags = tags_field(label="Add tags")
    remove_tags = tags_field(label="Remove tags")
    album = forms.ChoiceField(label="Add to album", required=False, choices=[("", "No album")])

    def __init__(self, *args: Any, albums: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ChoiceField", self.fields["album"]).choices = [("", "No album"), *albums]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        mode = cleaned.get("caption_mode")
        if mode == "append" and not cleaned.get("caption", "").strip():
            self.add_error("caption", "Give the text to add to each caption.")
        changes = (mode, cleaned.get("add_tags"), cleaned.get("remove_tags"), cleaned.get("album"))
        if not self.errors and not any(changes):
            self.add_error(None, "Choose at least one change: a caption, tags to add or remove, or an album.")
        return cleaned
