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

from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from mediahub.http import AuthedRequest
from mediahub.middleware import domain_error, with_retry_after
from uploads import services
from uploads.forms import DirectUploadForm
from uploads.models import MediaItem, Status
from uploads.selectors import media_get_owned
from uploads.storage import Part


def api_endpoint(*methods: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Parse the JSON body, load the caller's upload if the URL names one, and turn
    domain errors into JSON answers with a status code."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @require_http_methods(list(methods))
        @wraps(view)
        def wrapper(request: AuthedRequest, media_id: str | None = None) -> HttpResponse:
            try:
                payload = json.loads(request.body or b"{}")
            except ValueError:
                return json_error(400, "The request body is not valid JSON.")
            try:
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
        return json_error(400, "Some fields are missing or invalid.", fields=form.errors.get_json_data())
    data = form.cleaned_data
    upload = services.direct_upload_create(
        owner=request.user.username,
        name=data["name"],
        caption=data["caption"],
        filename=data["filename"],
        size=data["size"],
        declared_type=data["type"],
    )
    body: dict[str, Any] = {"item": item_json(upload.item)}
    if upload.post is not None:
        body["post"] = {"url": upload.post.url, "fields": upload.post.fields}
    else:
        body["multipart"] = {"upload_id": upload.item.upload_id}
    return JsonResponse(body, status=201)


@api_endpoint("GET", "POST")
def upload_parts(request: AuthedRequest, payload: dict[str, Any], item: MediaItem) -> HttpResponse:
    if request.method == "GET":
        parts = services.direct_upload_parts(item=item)
        return JsonResponse({"parts": [{"PartNumber": p.number, "ETag": p.etag, "Size": p.size} for p in parts]})
    numbers = payload.get("part_numbers")
    if not isinstance(numbers, list) or not all(isinstance(n, int) for n in numbers):
        return json_error(400, "part_numbers must be a list of whole numbers.")
    urls = services.direct_upload_sign_parts(item=item, part_numbers=numbers)
    return JsonResponse({"urls": {str(number): url for number, url in urls.items()}})


@api_endpoint("POST")
def upload_complete(request: AuthedRequest, payload: dict[str, Any], item: MediaItem) -> HttpResponse:
    try:
        parts = [Part(number=int(p["PartNumber"]), etag=str(p["ETag"])) for p in payload["parts"]]
    except (KeyError, TypeError, ValueError):
        return json_error(400, "parts must be a list of {PartNumber, ETag}.")
    return concluded(services.direct_upload_complete(item=item, parts=parts))


@api_endpoint("POST")
def upload_finish(request: AuthedRequest, payload: dict[str, Any], item: MediaItem) -> HttpResponse:
    return concluded(services.media_process(item=item))


@api_endpoint("DELETE")
def upload_abort(request: AuthedRequest, payload: dict[str, Any], item: MediaItem) -> HttpResponse:
    services.direct_upload_abort(item=item)
    return HttpResponse(status=204)
