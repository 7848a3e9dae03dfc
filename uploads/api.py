"""JSON endpoints for direct uploads: the browser sends bytes to S3, the portal signs and verifies.

Every endpoint needs a signed-in user and a CSRF token, and touches only the
caller's own uploads (anyone else's answer 404). Domain errors become JSON
answers here, in `api_endpoint`, and nowhere else; each error's family gives
its status code (mediahub.exceptions).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from mediahub.http import AuthedRequest
from mediahub.middleware import domain_error, with_retry_after
from uploads import services
from uploads.exceptions import InvalidRequestBody, RequestTooLarge
from uploads.forms import DirectUploadForm, FileIdentityForm
from uploads.models import MediaItem, Status
from uploads.selectors import media_get_owned
from uploads.storage import Part

# An S3 ETag is a quoted hex digest, with a "-<count>" suffix for multipart objects.
MAX_ETAG = 128
# DynamoDB keeps numbers of up to 38 digits; nothing the API takes comes near.
MAX_DIGITS = 38


def api_endpoint(*methods: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Parse a POST's JSON body (GET and DELETE take none), load the caller's upload if
    the URL names one, and turn domain errors into JSON answers with a status code."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @require_http_methods(list(methods))
        @wraps(view)
        def wrapper(request: AuthedRequest, media_id: str | None = None) -> HttpResponse:
            try:
                payload = json_object(request) if request.method == "POST" else {}
                if media_id is None:
                    return view(request, payload)
                return view(request, payload, media_get_owned(media_id=media_id, user=request.user))
            except Exception as exc:
                error = domain_error(exc, writing=request.method != "GET")
                if error is None:
                    raise
                return with_retry_after(json_error(error.status_code, str(error)), error)

        return wrapper

    return decorate


def json_object(request: AuthedRequest) -> dict[str, Any]:
    """The request body as a JSON object; an empty body is an empty object."""
    try:
        body = request.body
    except RequestDataTooBig as exc:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raise RequestTooLarge(f"The request body is over {limit:,} bytes.") from exc
    try:
        payload = json.loads(body or b"{}", parse_constant=_refuse_constant, parse_int=_bounded_int)
    except RecursionError as exc:
        raise InvalidRequestBody("The request body is not valid JSON: it nests too deeply.") from exc
    except UnicodeDecodeError as exc:
        raise InvalidRequestBody("The request body is not valid JSON: it is not UTF-8 text.") from exc
    except ValueError as exc:
        raise InvalidRequestBody(f"The request body is not valid JSON: {_reason(exc)}") from exc
    if not isinstance(payload, dict):
        raise InvalidRequestBody('The request body must be a JSON object, such as {"name": "Holiday"}.')
    return payload


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows.")


def _bounded_int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_DIGITS:
        raise ValueError(f"a number in it has more than {MAX_DIGITS} digits.")
    return int(digits)


def _reason(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} (line {exc.lineno}, column {exc.colno})."
    return str(exc)


def json_error(status: int, message: str, **extra: Any) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status)


def item_json(item: MediaItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "name": item.name,
        "status": item.status,
        "reason": item.reason,
        "size": item.size,
        "content_type": item.content_type,
        "kind": item.kind,
        "key": item.s3_key,
        "url": reverse("uploads:detail", args=[item.id]),
        # Ready items get their SHA-256 (and duplicate notice) shortly after, off the request.
        "checksum": "pending" if item.checksum_pending else item.sha256,
    }


def concluded(item: MediaItem) -> JsonResponse:
    """The item after verification: 200 when ready, 422 with the reason when rejected."""
    if item.status == Status.REJECTED:
        return json_error(422, item.reason, item=item_json(item))
    return JsonResponse({"item": item_json(item)})


@api_endpoint("POST")
def upload_create(request: AuthedRequest, payload: dict[str, Any]) -> HttpResponse:
    form = DirectUploadForm(payload)
    if not form.is_valid():
        return invalid_fields(form)
    data = form.cleaned_data
    upload = services.direct_upload_create(
        owner=request.user.username,
        name=data["name"],
        caption=data["caption"],
        filename=data["filename"],
        size=data["size"],
        declared_type=data["type"],
        fingerprint=data["fingerprint"],
    )
    body: dict[str, Any] = {"item": item_json(upload.item)}
    if upload.post is not None:
        body["post"] = {"url": upload.post.url, "fields": upload.post.fields}
    else:
        body["multipart"] = {"upload_id": upload.item.upload_id}
    return JsonResponse(body, status=201)


def invalid_fields(form: forms.Form) -> JsonResponse:
    errors = form.errors.get_json_data()
    problems = " ".join(f"{field}: {found[0]['message']}" for field, found in errors.items())
    return json_error(400, f"Some fields are missing or invalid. {problems}", fields=errors)


@api_endpoint("POST")
def upload_resume(request: AuthedRequest, payload: dict[str, Any], item: MediaItem) -> HttpResponse:
    """Resume an unfinished multipart upload from any device: the browser shows it holds the
    same file, and gets the upload to fill (it then lists the parts S3 has and sends the rest)."""
    form = FileIdentityForm(payload)
    if not form.is_valid():
        return invalid_fields(form)
    data = form.cleaned_data
    services.direct_upload_resume(
        item=item, filename=data["filename"], size=data["size"], fingerprint=data["fingerprint"]
    )
    return JsonResponse({"item": item_json(item), "multipart": {"upload_id": item.upload_id}})


@api_endpoint("GET", "POST")
def upload_parts(request: AuthedRequest, payload: dict[str, Any], item: MediaItem) -> HttpResponse:
    if request.method == "GET":
        parts = services.direct_upload_parts(item=item)
        return JsonResponse({"parts": [{"PartNumber": p.number, "ETag": p.etag, "Size": p.size} for p in parts]})
    numbers = payload.get("part_numbers")
    if not isinstance(numbers, list) or not all(_whole(number) for number in numbers):
        raise InvalidRequestBody("part_numbers must be a list of whole numbers, such as [1, 2, 3].")
    urls = services.direct_upload_sign_parts(item=item, part_numbers=numbers)
    return JsonResponse({"urls": {str(number): url for number, url in urls.items()}})


@api_endpoint("POST")
def upload_complete(request: AuthedRequest, payload: dict[str, Any], item: MediaItem) -> HttpResponse:
    parts = payload.get("parts")
    if not isinstance(parts, list) or not all(_part(part) for part in parts):
        raise InvalidRequestBody(
            'parts must be a list of {"PartNumber": a whole number, "ETag": the text S3 answered}, one per part.'
        )
    services.direct_upload_check_part_numbers([part["PartNumber"] for part in parts], most=services.MAX_PARTS)
    uploaded = [Part(number=part["PartNumber"], etag=part["ETag"]) for part in parts]
    return concluded(services.direct_upload_complete(item=item, parts=uploaded))


def _whole(value: object) -> bool:
    # JSON true and false arrive as Python's bool, which is an int.
    return isinstance(value, int) and not isinstance(value, bool)


def _part(value: object) -> bool:
    if not isinstance(value, dict):
        return False
    etag = value.get("ETag")
    return _whole(value.get("PartNumber")) and isinstance(etag, str) and 0 < len(etag) <= MAX_ETAG


@api_endpoint("POST")
def upload_finish(request: AuthedRequest, payload: dict[str, Any], item: MediaItem) -> HttpResponse:
    return concluded(services.media_process(item=item))


@api_endpoint("DELETE")
def upload_abort(request: AuthedRequest, payload: dict[str, Any], item: MediaItem) -> HttpResponse:
    services.direct_upload_abort(item=item)
    return HttpResponse(status=204)
