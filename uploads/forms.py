"""Input shapes for the upload and edit pages."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, time
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import RegexValidator
from django.template.defaultfilters import filesizeformat

from albums.tags import MAX_TAG_LENGTH, MAX_TAGS, InvalidTag, tag_normalise, tags_normalise, tags_parse
from search.tokens import query_words
from uploads.metadata import BIDI_EXPLICIT, parse_media_type
from uploads.models import Kind, Status
from uploads.selectors import MEDIA_ID, MediaQuery

PAGE_SIZES = (10, 25, 50, 100)
# Characters a caption may hold that a name may not.
LINE_BREAKS = frozenset("\t\n\r")


def valid_unicode(value: str) -> None:
    """Refuse lone surrogates, which a JSON string can carry but which are not text at all."""
    if any("\ud800" <= char <= "\udfff" for char in value):
        raise forms.ValidationError("This text is not valid Unicode (it holds a lone surrogate).", code="invalid")


def visible_text(value: str, *, allowed: frozenset[str] = frozenset()) -> None:
    """Refuse text with characters that are not shown or reorder what is: control
    characters and the explicit bidi controls (and lone surrogates). The implicit marks
    (U+200E, U+200F, U+061C) stay: right-to-left writing needs them."""
    valid_unicode(value)
    for char in value:
        # NUL has Django's own message ("Null characters are not allowed.").
        if char in allowed or char == "\x00":
            continue
        if char in BIDI_EXPLICIT or unicodedata.category(char) == "Cc":
            raise forms.ValidationError(
                "Remove the invisible control character U+%(code)s: it can hide or reorder what is shown.",
                code="invalid",
                params={"code": f"{ord(char):04X}"},
            )


def visible_multiline_text(value: str) -> None:
    visible_text(value, allowed=LINE_BREAKS)


class TextField(forms.CharField):
    """Text and only text: from a JSON body, a number or a list is refused, not turned into text."""

    def to_python(self, value: Any) -> str | None:
        if value not in self.empty_values and not isinstance(value, str):
            raise forms.ValidationError("Enter text (a JSON string).", code="invalid")
        return super().to_python(value)


class WholeNumberField(forms.IntegerField):
    """A whole number from a JSON body: 12, never "12", 12.0 or true."""

    def to_python(self, value: Any) -> int | None:
        if value not in self.empty_values and (isinstance(value, bool) or not isinstance(value, int)):
            raise forms.ValidationError("Enter a whole number (a JSON number such as 1024).", code="invalid")
        return super().to_python(value)


class MediaFieldsForm(forms.Form):
    name = TextField(max_length=200, validators=[visible_text])
    caption = TextField(
        max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4}), validators=[visible_multiline_text]
    )


class UploadForm(MediaFieldsForm):
    file = forms.FileField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = f"Up to {filesizeformat(settings.MEDIAHUB_FORM_UPLOAD_MAX_BYTES)}."

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        limit = settings.MEDIAHUB_FORM_UPLOAD_MAX_BYTES
        if (upload.size or 0) > limit:
            # Exact bytes: rounded sizes can read the same on both sides of the limit.
            raise forms.ValidationError(
                "This file is %(size)s bytes; this form accepts files up to %(limit)s bytes (%(human)s). "
                "Use the uploader above, which sends large files straight to storage.",
                code="too_large",
                params={"size": f"{upload.size:,}", "limit": f"{limit:,}", "human": filesizeformat(limit)},
            )
        return upload


class TagsField(forms.Field):
    """Tags: one line separated by commas (the page), or a list of strings (a JSON body);
    normalised (albums.tags), each once, at most MAX_TAGS."""

    def to_python(self, value: Any) -> list[str]:
        if value in self.empty_values:
            return []
        try:
            if isinstance(value, str):
                return tags_parse(value)
            if isinstance(value, list) and all(isinstance(tag, str) for tag in value):
                return tags_normalise(value)
        except InvalidTag as exc:
            raise forms.ValidationError(str(exc), code="invalid") from exc
        raise forms.ValidationError("Give tags as text separated by commas, or a list of strings.", code="invalid")

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(value) if isinstance(value, list | set | tuple) else value


def tags_field(*, label: str = "Tags") -> TagsField:
    return TagsField(
        label=label,
        required=False,
        help_text=f"Separated by commas; at most {MAX_TAGS}, each up to {MAX_TAG_LENGTH} characters.",
        widget=forms.TextInput(attrs={"list": "tag-suggestions", "autocomplete": "off"}),
    )


class EditForm(MediaFieldsForm):
    tags = tags_field()
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # The page shows no hidden field, so say what a bad version means where it shows.
        if self.has_error("version"):
            self.add_error(None, "This page was altered or is incomplete. Open the item again and edit it there.")
        return cleaned


def fingerprint_field(*, required: bool) -> TextField:
    """A file's fingerprint, as the uploader computes it: the SHA-256 (64 lower-case hex
    digits) of its first MiB followed by its last MiB (the whole file, below 2 MiB)."""
    message = "Give the file's fingerprint: 64 lower-case hex digits."
    return TextField(required=required, validators=[RegexValidator(r"\A[0-9a-f]{64}\Z", message)])


class FileIdentityForm(forms.Form):
    """Which file the browser holds: enough to tell, before resuming an upload, that it is
    the same file that upload started with, without reading it all."""

    filename = TextField(max_length=255, validators=[valid_unicode])
    size = WholeNumberField(min_value=1)
    fingerprint = fingerprint_field(required=True)


class DirectUploadForm(MediaFieldsForm):
    """What the browser declares (as JSON) before it sends a file straight to S3.

    The filename keeps what it can: invisible characters are removed from it when the
    item is recorded. The type, if given, must be a bare media type such as image/jpeg.
    """

    filename = TextField(max_length=255, validators=[valid_unicode])
    size = WholeNumberField(min_value=1)
    # Not stripped: a type with spaces or line breaks around it is refused, not repaired.
    type = TextField(max_length=255, required=False, strip=False)
    # Optional: an upload started without one cannot be resumed.
    fingerprint = fingerprint_field(required=False)

    def clean_type(self) -> str:
        declared: str = self.cleaned_data["type"]
        if not declared:
            return ""
        media_type = parse_media_type(declared)
        if media_type is None:
            raise forms.ValidationError(
                "Give a media type such as image/jpeg: a type and a subtype of letters, digits and !#$&^_.+-, "
                "with no parameters or spaces.",
                code="invalid",
            )
        return media_type


class ListFilterForm(forms.Form):
    """The listing's state, all in the query string so every view of it can be linked."""

    q = forms.CharField(label="Search", max_length=100, required=False)
    tag = forms.CharField(
        label="Tag",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"list": "tag-suggestions", "autocomplete": "off"}),
    )
    # An album's id; the list page offers the person's albums (uploads.views).
    album = forms.CharField(label="Album", max_length=26, required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(
        required=False,
        choices=[("", "Any kind"), *((kind.value, kind.label) for kind in Kind if kind != Kind.OTHER)],
    )
    status = forms.ChoiceField(
        required=False,
        choices=[("", "Any status"), *Status.choices],
    )
    owner = forms.CharField(max_length=150, required=False)
    uploaded_from = forms.DateField(
        label="Uploaded from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    uploaded_to = forms.DateField(
        label="Uploaded until", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    taken_from = forms.DateField(label="Taken from", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    taken_to = forms.DateField(label="Taken until", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    order = forms.ChoiceField(
        required=False,
        choices=[
            ("newest", "Newest upload first"),
            ("oldest", "Oldest upload first"),
            # Only media with a capture time (photos with EXIF) have a place in these orders.
            ("taken-newest", "Newest photo first"),
            ("taken-oldest", "Oldest photo first"),
        ],
    )
    size = forms.TypedChoiceField(
        label="Per page", required=False, coerce=int, empty_value=None, choices=[(str(n), n) for n in PAGE_SIZES]
    )

    def clean_q(self) -> str:
        text: str = self.cleaned_data["q"]
        if text.strip():
            try:
                query_words(text)
            except ValueError as exc:
                raise forms.ValidationError(str(exc), code="invalid") from exc
        return text

    def clean_tag(self) -> str:
        text: str = self.cleaned_data["tag"]
        if not text.strip():
            return ""
        try:
            return tag_normalise(text)
        except InvalidTag as exc:
            raise forms.ValidationError(str(exc), code="invalid") from exc

    def clean_album(self) -> str:
        album: str = self.cleaned_data["album"].strip()
        if album and not MEDIA_ID.fullmatch(album):
            raise forms.ValidationError("There is no such album.", code="invalid")
        return album

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if (cleaned.get("tag") or cleaned.get("album")) and str(cleaned.get("order", "")).startswith("taken"):
            # Memberships and tag postings are kept in upload order.
            self.add_error("order", "Albums and tags list in upload order: choose newest or oldest upload first.")
        for start_field, end_field in (("uploaded_from", "uploaded_to"), ("taken_from", "taken_to")):
            start, end = cleaned.get(start_field), cleaned.get(end_field)
            if start and end and start > end:
                self.add_error(end_field, "The end date is before the start date.")
        by_taken = str(cleaned.get("order", "")).startswith("taken")
        if cleaned.get("q", "").strip() and (by_taken or cleaned.get("taken_from") or cleaned.get("taken_to")):
            # Search results come from the search index, in upload order.
            self.add_error("q", "Search results come in upload order: search without a capture-time order or dates.")
        return cleaned


def list_query(data: dict[str, Any]) -> MediaQuery:
    """The listing query a valid ListFilterForm asks for."""
    start, end = data["uploaded_from"], data["uploaded_to"]
    taken_start, taken_end = data["taken_from"], data["taken_to"]
    return MediaQuery(
        kind=data["kind"],
        status=data["status"],
        owner=data["owner"].strip().lower(),
        search=data["q"].strip(),
        uploaded_from=datetime.combine(start, time.min, tzinfo=UTC) if start else None,
        uploaded_to=datetime.combine(end, time.max, tzinfo=UTC) if end else None,
        # Capture times are the camera's clock, stored as written (marked UTC).
        taken_from=datetime.combine(taken_start, time.min, tzinfo=UTC) if taken_start else None,
        taken_to=datetime.combine(taken_end, time.max, tzinfo=UTC) if taken_end else None,
        by_taken=data["order"].startswith("taken"),
        oldest_first=data["order"] in ("oldest", "taken-oldest"),
        page_size=data["size"] or settings.MEDIAHUB_PAGE_SIZE,
        max_read=settings.MEDIAHUB_LIST_MAX_READ,
        album=data.get("album", ""),
        tag=data.get("tag", ""),
    )
