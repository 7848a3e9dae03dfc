"""Input shapes for the upload and edit pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat

from uploads.models import Kind, Status

PAGE_SIZES = (10, 25, 50, 100)


class MediaFieldsForm(forms.Form):
    name = forms.CharField(max_length=200)
    caption = forms.CharField(max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4}))


class UploadForm(MediaFieldsForm):
    file = forms.FileField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = f"Up to {filesizeformat(settings.MEDIAHUB_FORM_UPLOAD_MAX_BYTES)}."

    def clean_file(self) -> UploadedFile[bytes]:
        upload: UploadedFile[bytes] = self.cleaned_data["file"]
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


class EditForm(MediaFieldsForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class DirectUploadForm(MediaFieldsForm):
    """What the browser declares before it sends a file straight to S3."""

    filename = forms.CharField(max_length=255)
    size = forms.IntegerField(min_value=1)
    type = forms.CharField(max_length=255, required=False)


class ListFilterForm(forms.Form):
    """The listing's state, all in the query string so every view of it can be linked."""

    q = forms.CharField(label="Search", max_length=100, required=False)
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
    order = forms.ChoiceField(required=False, choices=[("newest", "Newest first"), ("oldest", "Oldest first")])
    size = forms.TypedChoiceField(
        label="Per page", required=False, coerce=int, empty_value=None, choices=[(str(n), n) for n in PAGE_SIZES]
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("uploaded_from"), cleaned.get("uploaded_to")
        if start and end and start > end:
            self.add_error("uploaded_to", "The end date is before the start date.")
        return cleaned
