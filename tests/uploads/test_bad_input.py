"""Bad input, through the pages and the JSON API: each answer is a 4xx whose message says
what is wrong, and nothing in S3 or DynamoDB changes.

The cases share one AWS world (moto) per module: each only reads it, and each compares
a snapshot of the bucket and the tables taken just before it with one taken just after,
so a case that did change something fails on its own. DynamoDB's 2,048-byte key limit
is enforced as AWS enforces it (the `dynamodb_key_limit` guard), since moto does not.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import boto3
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from ulid import ULID

from sharing.models import Share
from tests import media
from tests.factories import MediaItemFactory, UserFactory
from tests.helpers import add_figure, sign_in
from tests.moto_world import WORLD
from uploads import services
from uploads.models import MediaItem

pytestmark = pytest.mark.usefixtures("dynamodb_key_limit")

PNG = media.png()
MULTIPART_SIZE = 10 * 1024 * 1024
WORLD_IDS = ("ready", "single", "multipart")
CREATE = "/api/v1/uploads"
PARTS_URL = "/api/v1/uploads/{multipart}/parts"
COMPLETE_URL = "/api/v1/uploads/{multipart}/complete"
RESUME_URL = "/api/v1/uploads/{multipart}/resume"
FINGERPRINT = "0" * 64
FINGERPRINT_FORMAT = "Give the file's fingerprint: 64 lower-case hex digits."


@pytest.fixture(scope="module")
def world() -> Any:
    """One AWS world for every case: alice signed in, with a ready item, a pending POST
    upload, a pending multipart upload, and enough items for a second listing page."""
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The suite's one moto world, lent to this module for all its cases at once.
    with override_settings(PASSWORD_HASHERS=hashers, MEDIAHUB_MULTIPART_THRESHOLD_BYTES=1024), WORLD.lend():
        UserFactory(username="alice")
        UserFactory(username="bob")
        client = sign_in(Client(raise_request_exception=False), "alice")
        photo = SimpleUploadedFile("photo.png", PNG, content_type="image/png")
        assert client.post("/upload/", {"name": "Ready", "file": photo}).status_code == 302
        declared = {"owner": "alice", "name": "Pending", "caption": "", "declared_type": ""}
        single = services.direct_upload_create(**declared, filename="photo.png", size=len(PNG)).item
        multipart = services.direct_upload_create(**declared, filename="clip.mp4", size=MULTIPART_SIZE).item
        for _ in range(11):
            MediaItemFactory(owner="alice")
        [ready] = [item for item in MediaItem.scan() if item.name == "Ready"]
        next_page = client.get("/", {"size": "10"}).content.decode()
        cursor = unquote(re.search(r'rel="next" href="\?[^"]*cursor=([^"&]+)"', next_page).group(1))
        ids = {"ready": ready.id, "single": single.id, "multipart": multipart.id}
        s3, dynamodb = boto3.client("s3", region_name="us-east-1"), boto3.client("dynamodb", region_name="us-east-1")
        yield {"client": client, "cursor": cursor, "s3": s3, "dynamodb": dynamodb, **ids}


@pytest.fixture(autouse=True)
def aws(world) -> None:
    """Replaces the suite's fresh-world-per-test fixture: these cases share `world`."""


def state(world: dict[str, Any]) -> dict[str, Any]:
    """Everything the portal keeps: objects, unfinished multipart uploads, and every
    table's items (but sessions, where the caller's own messages come and go, and the
    activity log's record of a refused file: a bad file is news, not a change)."""
    s3, dynamodb = world["s3"], world["dynamodb"]
    bucket = settings.MEDIAHUB_BUCKET
    objects = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
    uploads = s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
    tables = [name for name in dynamodb.list_tables()["TableNames"] if not name.endswith("-sessions")]
    return {
        "objects": sorted((obj["Key"], obj["ETag"], obj["Size"]) for obj in objects),
        "uploads": sorted((upload["Key"], upload["UploadId"]) for upload in uploads),
        "items": {
            name: sorted(
                json.dumps(item, sort_keys=True)
                for item in dynamodb.scan(TableName=name)["Items"]
                if item.get("action") != {"S": "reject"}
            )
            for name in tables
        },
    }


@dataclass(frozen=True)
class Bad:
    """One bad request and the answer it must get.

    `path` may name {ready}, {single} or {multipart}: the world's items. `body` is bytes
    (sent with `content_type`), or form fields (a multipart form for POST, a query string
    for GET), whose values may name {cursor}. `unseen` says the id must be refused without
    asking DynamoDB.
    """

    method: str
    path: str
    status: int
    message: str
    body: bytes | dict[str, Any] | None = None
    content_type: str = "application/json"
    unseen: bool = False


def js(value: Any) -> bytes:
    return json.dumps(value).encode()


def create(status: int, message: str, /, **fields: Any) -> Bad:
    """POST /api/v1/uploads with a valid declaration changed by `fields`."""
    declared = {"name": "Photo", "caption": "", "filename": "photo.png", "size": len(PNG), "type": "image/png"}
    return raw(CREATE, status, message, js({**declared, **fields}))


def identity(**fields: Any) -> dict[str, Any]:
    chosen = {"filename": "clip.mp4", "size": MULTIPART_SIZE, "fingerprint": FINGERPRINT, **fields}
    return {name: value for name, value in chosen.items() if value is not None}


def resume(status: int, message: str, /, **fields: Any) -> Bad:
    """POST the multipart upload's resume/ with its file's identity changed by `fields`."""
    return raw(RESUME_URL, status, message, js(identity(**fields)))


def raw(path: str, status: int, message: str, body: bytes) -> Bad:
    """POST `body` as it is: JSON, or what json.dumps would not write (NaN, 1e400, broken JSON)."""
    return Bad("post", path, status, message, body)


def parts(status: int, message: str, numbers: Any) -> Bad:
    return raw(PARTS_URL, status, message, js({"part_numbers": numbers}))


def complete(status: int, message: str, uploaded: Any) -> Bad:
    return raw(COMPLETE_URL, status, message, js({"parts": uploaded}))


def part(number: Any = 1, etag: Any = '"0cc175b9c0f1b6a831c399e269772661"') -> dict[str, Any]:
    return {"part_number": number, "etag": etag}


NOT_FOUND = "There is nothing here, or it is not yours to see."
NOT_OBJECT = "The request body must be a JSON object"
NOT_JSON = "The request body is not valid JSON"
FIELDS = "Some fields are missing or invalid."
TEXT = "Enter text (a JSON string)."
WHOLE = "Enter a whole number (a JSON number such as 1024)."
REQUIRED = "This field is required."
SURROGATE = "This text is not valid Unicode (it holds a lone surrogate)."
NUL = "Null characters are not allowed."
TYPE = "Give a media type such as image/jpeg"
PART_NUMBERS = "part_numbers must be a list of whole numbers"
PART_RANGE = "Part numbers run from 1 to 10,000."
PARTS = "parts must be a list of"
START_AGAIN = "Start again from the first page."
ALTERED = "This page was altered or is incomplete."


def hidden(code: str) -> str:
    return f"Remove the invisible control character U+{code}"


# Ids that are not ULIDs: refused as "not found" before DynamoDB is asked.
NOT_ULIDS = {
    "3000 characters": "A" * 3000,
    "2100 bytes of UTF-8": "é" * 1050,
    "short": "nope",
    "lower case": str(ULID()).lower(),
    "27 characters": f"{ULID()}0",
    "a letter Crockford leaves out": "01ARZ3NDEKTSV4RRFFQ69G5FAU",
    "over 48 bits of time": "81ARZ3NDEKTSV4RRFFQ69G5FAV",
    "NUL": "%00",
}
# Every page and endpoint that takes a media id in its URL.
ID_ENDPOINTS = [
    ("get", "/media/{id}/", None),
    ("get", "/media/{id}/download/", None),
    ("get", "/media/{id}/edit/", None),
    ("post", "/media/{id}/edit/", {"name": "x", "caption": "", "version": "1"}),
    ("get", "/media/{id}/delete/", None),
    ("post", "/media/{id}/delete/", {}),
    ("delete", "/api/v1/uploads/{id}", None),
    ("get", "/api/v1/uploads/{id}/parts", None),
    ("post", "/api/v1/uploads/{id}/parts", js({"part_numbers": [1]})),
    ("post", "/api/v1/uploads/{id}/complete", js({"parts": [part()]})),
    ("post", "/api/v1/uploads/{id}/finish", b"{}"),
    ("get", "/media/{id}/shares/new/", None),
    ("post", "/media/{id}/shares/new/", {"lasts": "7d"}),
    ("post", "/api/v1/uploads/{id}/resume", js({"filename": "clip.mp4", "size": 1, "fingerprint": "0" * 64})),
]


def id_cases() -> list[Any]:
    cases = []
    for method, path, body in ID_ENDPOINTS:
        for label, media_id in NOT_ULIDS.items():
            case = Bad(method, path.replace("{id}", media_id), 404, NOT_FOUND, body, unseen=True)
            cases.append(pytest.param(case, id=f"id {label}: {method.upper()} {path}"))
        unknown = Bad(method, path.replace("{id}", str(ULID())), 404, NOT_FOUND, body)
        cases.append(pytest.param(unknown, id=f"id unknown ULID: {method.upper()} {path}"))
    return cases


def body_cases() -> list[Any]:
    """Bodies that are not a JSON object, on every endpoint that reads one."""
    bodies = {
        "array": (b"[]", NOT_OBJECT),
        "string": (b'"x"', NOT_OBJECT),
        "number": (b"5", NOT_OBJECT),
        "null": (b"null", NOT_OBJECT),
        "true": (b"true", NOT_OBJECT),
        "cut short": (b'{"name": ', NOT_JSON),
        "nested 100,000 deep": (b"[" * 100_000, "it nests too deeply"),
        "nested deep in a field": (b'{"name": ' + b"[" * 100_000, "it nests too deeply"),
        "not UTF-8": (b'{"name": "\xff\xfe"}', "it is not UTF-8 text"),
        "NaN": (b'{"size": NaN}', "NaN is not a number JSON allows"),
        "a 39-digit number": (b'{"size": ' + b"9" * 39 + b"}", "has more than 38 digits"),
        "a 5000-digit number": (b'{"size": ' + b"9" * 5000 + b"}", "has more than 38 digits"),
    }
    paths = [CREATE, PARTS_URL, COMPLETE_URL, "/api/v1/uploads/{single}/finish", RESUME_URL]
    return [
        pytest.param(Bad("post", path, 400, message, body), id=f"body {label}: {path}")
        for path in paths
        for label, (body, message) in bodies.items()
    ]


CREATE_CASES = {
    # size
    "size as a string": create(422, FIELDS, size="12"),
    "size as a fraction": create(422, FIELDS, size=12.5),
    "size as a float": create(422, FIELDS, size=12.0),
    "size true": create(422, FIELDS, size=True),
    "size a list": create(422, FIELDS, size=[12]),
    "size an object": create(422, FIELDS, size={"bytes": 12}),
    "size null": create(422, FIELDS, size=None),
    "size zero": create(400, "Ensure this value is greater than or equal to 1.", size=0),
    "size negative": create(400, "Ensure this value is greater than or equal to 1.", size=-5),
    "size 1e400": raw(CREATE, 422, FIELDS, b'{"name": "x", "filename": "a.png", "size": 1e400}'),
    "size Infinity": raw(CREATE, 400, "Infinity is not a number", b'{"size": Infinity}'),
    "size -Infinity": raw(CREATE, 400, "-Infinity is not a number", b'{"size": -Infinity}'),
    "size 10**30": create(413, "uploads may be up to 5,368,709,120 bytes", size=10**30),
    "size missing": raw(CREATE, 422, FIELDS, js({"name": "x", "filename": "a.png"})),
    "empty object": raw(CREATE, 422, FIELDS, b"{}"),
    # name
    "name a number": create(422, FIELDS, name=5),
    "name a list": create(422, FIELDS, name=["Photo"]),
    "name an object": create(422, FIELDS, name={"en": "Photo"}),
    "name true": create(422, FIELDS, name=True),
    "name null": create(422, FIELDS, name=None),
    "name empty": create(400, REQUIRED, name=""),
    "name only spaces": create(400, REQUIRED, name="   "),
    "name 201 characters": create(400, "at most 200 characters", name="n" * 201),
    "name lone surrogate": create(400, SURROGATE, name="Photo \ud800"),
    "name surrogate as UTF-8 bytes": raw(
        CREATE, 400, SURROGATE, b'{"name": "\xed\xa0\x80", "filename": "a.png", "size": 10}'
    ),
    "name NUL": create(400, NUL, name="Pho\x00to"),
    "name escape sequence": create(400, hidden("001B"), name="\x1b[31mPhoto"),
    "name right-to-left override": create(400, hidden("202E"), name="Photo \u202egpj.exe"),
    "name isolate": create(400, hidden("2067"), name="Photo \u2067x"),
    "name line break": create(400, hidden("000A"), name="Photo\nTwo"),
    "name DEL": create(400, hidden("007F"), name="Photo\x7f"),
    "name C1 control": create(400, hidden("009B"), name="Photo\x9b"),
    # caption
    "caption a number": create(422, FIELDS, caption=7),
    "caption a list": create(422, FIELDS, caption=["a"]),
    "caption 2001 characters": create(400, "at most 2000 characters", caption="c" * 2001),
    "caption lone surrogate": create(400, SURROGATE, caption="\udfff"),
    "caption NUL": create(400, NUL, caption="a\x00"),
    "caption bell": create(400, hidden("0007"), caption="ding\x07"),
    "caption left-to-right embedding": create(400, hidden("202A"), caption="\u202ax"),
    # filename
    "filename a number": create(422, FIELDS, filename=5),
    "filename a list": create(422, FIELDS, filename=["photo.png"]),
    "filename null": create(422, FIELDS, filename=None),
    "filename empty": create(400, REQUIRED, filename=""),
    "filename 256 characters": create(400, "at most 255 characters", filename="f" * 252 + ".png"),
    "filename lone surrogate": create(400, SURROGATE, filename="\ud83d.png"),
    "filename NUL": create(400, NUL, filename="photo.png\x00.html"),
    # type (item 10: a bare RFC 6838 media type, or nothing)
    "type a number": create(422, FIELDS, type=5),
    "type a list": create(422, FIELDS, type=["image/png"]),
    "type with CR LF": create(400, TYPE, type="image/png\r\nX-Amz-Meta-Evil: 1"),
    "type with a trailing line break": create(400, TYPE, type="image/png\n"),
    "type with parameters": create(400, TYPE, type="image/png; charset=utf-8"),
    "type with a leading space": create(400, TYPE, type=" image/png"),
    "type with a space inside": create(400, TYPE, type="image /png"),
    "type without a subtype": create(400, TYPE, type="image"),
    "type without a type": create(400, TYPE, type="/png"),
    "type with a trailing slash": create(400, TYPE, type="image/"),
    "type with two slashes": create(400, TYPE, type="image/png/x"),
    "type a wildcard": create(400, TYPE, type="image/*"),
    "type with a quote": create(400, TYPE, type='image/"png"'),
    "type not ASCII": create(400, TYPE, type="imäge/png"),
    "type Kelvin sign": create(400, TYPE, type="image/\u212aa"),
    "type NUL": create(400, NUL, type="image/png\x00"),
    "type subtype of 128": create(400, TYPE, type="image/" + "p" * 128),
    "type 256 characters": create(400, "at most 255 characters", type="i" * 127 + "/" + "p" * 128),
    "type HTML": create(415, "text/html is not an image, video, audio file or document.", type="text/html"),
    "type a program": create(415, "is not an image, video, audio", type="application/x-msdownload"),
    "no type, a program's name": create(415, "is not an image, video, audio", type="", filename="setup.exe"),
    "body over 2.5 MB": raw(CREATE, 413, "The request body is over 2,621,440 bytes.", b" " * 3_000_000),
}

PART_CASES = {
    # item 7: at most 100 per request, 1 to 10,000, no repeats
    "part_numbers missing": raw(PARTS_URL, 422, FIELDS, b"{}"),
    "part_numbers a string": parts(422, FIELDS, "1,2"),
    "part_numbers a number": parts(422, FIELDS, 1),
    "part_numbers an object": parts(422, FIELDS, {"1": 1}),
    "part_numbers null": parts(422, FIELDS, None),
    "part number a string": parts(422, FIELDS, ["1"]),
    "part number a float": parts(422, FIELDS, [1.0]),
    "part number a fraction": parts(422, FIELDS, [1.5]),
    "part number true": parts(422, FIELDS, [True]),
    "part number null": parts(422, FIELDS, [None]),
    "part number a list": parts(422, FIELDS, [[1]]),
    "part number 1e400": raw(PARTS_URL, 422, FIELDS, b'{"part_numbers": [1e400]}'),
    "part number Infinity": raw(PARTS_URL, 400, "Infinity is not a number", b'{"part_numbers": [Infinity]}'),
    "part number NaN": raw(PARTS_URL, 400, "NaN is not a number", b'{"part_numbers": [NaN]}'),
    "no part numbers": parts(400, "Give at least one part number.", []),
    "part number 0": parts(400, PART_RANGE, [0]),
    "part number -1": parts(400, PART_RANGE, [-1]),
    "part number 10,001": parts(400, PART_RANGE, [10_001]),
    "part number 10**30": parts(400, PART_RANGE, [10**30]),
    "part number twice": parts(400, "Part number 2 is given more than once.", [1, 2, 3, 2]),
    "101 part numbers": parts(413, "101 parts is too many for one request: the limit is 100.", list(range(1, 102))),
    "300,000 part numbers": raw(
        PARTS_URL,
        413,
        "300,000 parts is too many for one request",
        json.dumps({"part_numbers": list(range(1, 300_001))}, separators=(",", ":")).encode(),
    ),
    # complete
    "parts missing": raw(COMPLETE_URL, 422, FIELDS, b"{}"),
    "parts a string": complete(422, FIELDS, "1"),
    "parts an object": complete(422, FIELDS, part()),
    "parts of numbers": complete(422, FIELDS, [1, 2]),
    "part number as a string": complete(422, FIELDS, [part(number="1")]),
    "part number as a float": complete(422, FIELDS, [part(number=1.0)]),
    "part number as true": complete(422, FIELDS, [part(number=True)]),
    "part number 1e400 in parts": raw(COMPLETE_URL, 422, FIELDS, b'{"parts": [{"part_number": 1e400, "etag": "x"}]}'),
    "ETag a number": complete(422, FIELDS, [part(etag=5)]),
    "ETag missing": complete(422, FIELDS, [{"part_number": 1}]),
    "ETag empty": complete(422, FIELDS, [part(etag="")]),
    "ETag 129 characters": complete(422, FIELDS, [part(etag="e" * 129)]),
    "no parts": complete(400, "Give at least one part number.", []),
    "part 0 in parts": complete(400, PART_RANGE, [part(number=0)]),
    "part 10,001 in parts": complete(400, PART_RANGE, [part(number=10_001)]),
    "the same part twice": complete(400, "Part number 1 is given more than once.", [part(), part()]),
    "10,001 parts": complete(413, "10,001 parts is too many for one request: the limit is 10,000.", [part()] * 10_001),
    # resume: the file's identity, and only an unfinished multipart upload with a fingerprint
    "resume without a fingerprint": resume(422, FIELDS, fingerprint=None),
    "resume fingerprint upper-case": resume(400, FINGERPRINT_FORMAT, fingerprint="A" * 64),
    "resume fingerprint 63 digits": resume(400, FINGERPRINT_FORMAT, fingerprint="0" * 63),
    "resume fingerprint with a line break": resume(400, FINGERPRINT_FORMAT, fingerprint="0" * 64 + "\n0"),
    "resume fingerprint a number": resume(422, FIELDS, fingerprint=0),
    "resume size a string": resume(422, FIELDS, size="10"),
    "resume without a filename": resume(422, FIELDS, filename=None),
    "resume an upload started without a fingerprint": resume(409, "started without a fingerprint"),
    "resume a single POST": Bad(
        "post", "/api/v1/uploads/{single}/resume", 409, "a single POST", js(identity(filename="photo.png"))
    ),
    "resume a ready item": Bad(
        "post", "/api/v1/uploads/{ready}/resume", 409, "This upload has finished.", js(identity())
    ),
    "create with a fingerprint not hex": create(400, FINGERPRINT_FORMAT, fingerprint="z" * 64),
}


def form(path: str, status: int, message: str, /, **fields: Any) -> Bad:
    return Bad("post", path, status, message, fields)


def upload_form(status: int, message: str, /, **fields: Any) -> Bad:
    defaults = {"name": "Photo", "caption": "", "file": ("photo.png", PNG)}
    return form("/upload/", status, message, **{**defaults, **fields})


def edit_form(status: int, message: str, /, **fields: Any) -> Bad:
    return form("/media/{ready}/edit/", status, message, **{"name": "Photo", "caption": "", "version": "1", **fields})


def listing(status: int, message: str, /, **query: Any) -> Bad:
    return Bad("get", "/", status, message, query)


def reused_cursor(**changed: str) -> Bad:
    """The world's cursor (from `?size=10`) with one more thing changed in the query."""
    return listing(400, START_AGAIN, size="10", cursor="{cursor}", **changed)


PAGE_CASES = {
    # The upload form (a multipart POST; files are (name, bytes)).
    "upload without a name": upload_form(400, REQUIRED, name=""),
    "upload name NUL": upload_form(400, NUL, name="a\x00b"),
    "upload name escape sequence": upload_form(400, hidden("001B"), name="\x1b[2Jx"),
    "upload name right-to-left override": upload_form(400, hidden("202E"), name="x\u202eyz"),
    "upload name 201 characters": upload_form(400, "at most 200 characters", name="n" * 201),
    "upload caption pop directional isolate": upload_form(400, hidden("2069"), caption="x\u2069"),
    "upload caption 2001 characters": upload_form(400, "at most 2000 characters", caption="c" * 2001),
    "upload without a file": upload_form(400, REQUIRED, file=None),
    "upload an empty file": upload_form(400, "The submitted file is empty.", file=("empty.png", b"")),
    "upload HTML named .jpg": upload_form(
        400, "This file was not accepted", file=("photo.jpg", b"<!doctype html><script>alert(1)</script>" * 4)
    ),
    "upload a program": upload_form(400, "This file was not accepted", file=("setup.exe", b"MZ" + bytes(300))),
    # Item 9: a few hundred KB that would decode to 169 megapixels, refused from its header.
    "upload an image over the pixel budget": upload_form(
        400, "images may have up to 64 megapixels", file=("huge.png", media.png_of_pixels(13_000, 13_000))
    ),
    "upload, multipart without a boundary": Bad(
        "post", "/upload/", 400, "Bad request", b"garbage", content_type="multipart/form-data"
    ),
    # The edit form.
    "edit without a name": edit_form(400, REQUIRED, name=""),
    "edit name NUL": edit_form(400, NUL, name="a\x00"),
    "edit name right-to-left override": edit_form(400, hidden("202E"), name="\u202eevil"),
    "edit caption escape sequence": edit_form(400, hidden("001B"), caption="\x1b]0;title\x07"),
    "edit caption 2001 characters": edit_form(400, "at most 2000 characters", caption="c" * 2001),
    "edit version not a number": edit_form(400, ALTERED, version="one"),
    "edit version missing": edit_form(400, ALTERED, version=""),
    "edit version from the future": edit_form(409, "Nothing was overwritten.", version=str(10**40)),
    # The list's filters.
    "list kind unknown": listing(400, "Select a valid choice. bogus is not one of the available", kind="bogus"),
    "list status unknown": listing(400, "Select a valid choice.", status="lost"),
    "list page size 7": listing(400, "Select a valid choice. 7 is not one of the available choices.", size="7"),
    "list page size a word": listing(400, "Select a valid choice.", size="many"),
    "list order unknown": listing(400, "Select a valid choice.", order="sideways"),
    "list date not a date": listing(400, "Enter a valid date.", uploaded_from="2024-13-45"),
    "list date range backwards": listing(
        400, "The end date is before the start date.", uploaded_from="2024-05-02", uploaded_to="2024-05-01"
    ),
    "list taken date not a date": listing(400, "Enter a valid date.", taken_from="2024-02-30"),
    "list taken range backwards": listing(
        400, "The end date is before the start date.", taken_from="2024-05-02", taken_to="2024-05-01"
    ),
    "list search 101 characters": listing(400, "at most 100 characters", q="q" * 101),
    "list search NUL": listing(400, NUL, q="a\x00"),
    "list owner 151 characters": listing(400, "Owner: Ensure this value has at most 150 characters", owner="o" * 151),
    "list cursor garbage": listing(400, START_AGAIN, cursor="garbage"),
    "list cursor 5000 characters": listing(400, START_AGAIN, cursor="é" * 5000),
    # A valid cursor, reused with any other query (item 6).
    "cursor with another kind": reused_cursor(kind="image"),
    "cursor with another status": reused_cursor(status="ready"),
    "cursor with a search": reused_cursor(q="item"),
    "cursor with another owner": reused_cursor(owner="bob"),
    "cursor with a start date": reused_cursor(uploaded_from="2000-01-01"),
    "cursor with an end date": reused_cursor(uploaded_to="2100-01-01"),
    "cursor with another order": reused_cursor(order="oldest"),
    "cursor with the capture-time order": reused_cursor(order="taken-newest"),
    "cursor with a capture date": reused_cursor(taken_to="2100-01-01"),
    "cursor with another page size": listing(400, START_AGAIN, size="25", cursor="{cursor}"),
    # Bulk delete: ids that are not ULIDs, or name nothing, delete nothing.
    "bulk delete 3000-character id": form(
        "/media/delete/", 409, "1 selected item had already gone", ids=["A" * 3000], confirm="yes"
    ),
    "bulk delete 150 made-up ids": form(
        "/media/delete/", 409, "100 selected items had already gone", ids=[f"x{n}" for n in range(150)], confirm="yes"
    ),
    "bulk delete unknown ULIDs": form(
        "/media/delete/", 409, "2 selected items had already gone", ids=[str(ULID()), str(ULID())], confirm="yes"
    ),
}

WITHDRAWN = "This link has expired or been withdrawn."
NO_SHARE = "There is no such share link of this item."
# Share tokens are 43 URL-safe base64 characters; anything else opens nothing, unread.
NOT_TOKENS = {
    "empty-ish": "-",
    "42 characters": "A" * 42,
    "44 characters": "A" * 44,
    "3000 characters": "A" * 3000,
    "a dot": "A" * 42 + ".",
    "NUL": "A" * 42 + "%00",
    "non-ASCII": "é" * 43,
}


def share_cases() -> list[Any]:
    """Public share pages with tokens that cannot exist (refused without a read), or that
    exist nowhere; and withdrawals of share links that are not there."""
    cases = []
    for label, token in NOT_TOKENS.items():
        for method, path in (("get", "/s/{}/"), ("post", "/s/{}/"), ("get", "/s/{}/download/")):
            case = Bad(method, path.format(token), 404, WITHDRAWN, {} if method == "post" else None, unseen=True)
            cases.append(pytest.param(case, id=f"share token {label}: {method.upper()} {path}"))
    cases.append(pytest.param(Bad("get", "/s/" + "A" * 43 + "/", 404, WITHDRAWN), id="share token unknown"))
    for label, name in (("not hex", "z" * 64), ("short", "ab"), ("3000 characters", "a" * 3000), ("unknown", "a" * 64)):
        case = Bad("post", f"/shares/{name}/withdraw/", 404, NO_SHARE, {}, unseen=label != "unknown")
        cases.append(pytest.param(case, id=f"withdraw a share, hash {label}"))
    return cases


def share_form(status: int, message: str, /, **fields: Any) -> Bad:
    return form("/media/{ready}/shares/new/", status, message, **{"lasts": "7d", **fields})


SHARE_CASES = {
    "share lasting forever": share_form(400, "Select a valid choice. forever is not one of", lasts="forever"),
    "share until no date": share_form(400, "Choose the date the link stops working.", lasts="date"),
    "share until a bad date": share_form(400, "Enter a valid date.", lasts="date", until="2024-02-30"),
    "share until next century": share_form(400, "from today to 90 days", lasts="date", until="2126-01-01"),
    "share until yesterday": share_form(400, "from today to 90 days", lasts="date", until="2000-01-01"),
    "share password 129 characters": share_form(400, "at most 128 characters", password="p" * 129),
}

CASES = [
    *id_cases(),
    *share_cases(),
    *(pytest.param(case, id=label) for label, case in SHARE_CASES.items()),
    *body_cases(),
    *(pytest.param(case, id=label) for label, case in CREATE_CASES.items()),
    *(pytest.param(case, id=label) for label, case in PART_CASES.items()),
    *(pytest.param(case, id=label) for label, case in PAGE_CASES.items()),
]


def send(world: dict[str, Any], case: Bad) -> Any:
    client: Client = world["client"]
    path = case.path.format(**{name: world[name] for name in WORLD_IDS})
    if isinstance(case.body, dict):
        data = {name: _filled(value, world) for name, value in case.body.items() if value is not None}
        if case.method == "get":
            return client.get(path, data)
        return client.post(path, data)
    return client.generic(case.method.upper(), path, case.body or b"", content_type=case.content_type)


def _filled(value: Any, world: dict[str, Any]) -> Any:
    if isinstance(value, tuple):
        return SimpleUploadedFile(value[0], value[1])
    if isinstance(value, str):
        return value.replace("{cursor}", world["cursor"])
    return value


def said(response: Any) -> str:
    """What the answer says: a problem's detail (and each invalid field's reason), or the page."""
    if response["Content-Type"] == "application/problem+json":
        problem = response.json()
        return " ".join([problem["detail"], *(error["msg"] for error in problem.get("errors", []))])
    return html.unescape(response.content.decode())


def _no_lookup(*args: Any, **kwargs: Any) -> None:
    pytest.fail("DynamoDB was asked for an id that cannot exist")


@pytest.mark.parametrize("case", CASES)
def test_bad_input_answers_4xx_says_why_and_changes_nothing(world, case, monkeypatch):
    if case.unseen:
        monkeypatch.setattr(MediaItem, "get", _no_lookup)
        monkeypatch.setattr(Share, "get", _no_lookup)
    before = state(world)

    response = send(world, case)
    add_figure("bad inputs tried")
    add_figure("5xx seen", int(response.status_code >= 500))

    assert response.status_code == case.status, said(response)[:2000]
    assert case.message in said(response)
    assert state(world) == before


def test_the_cursor_the_table_reuses_works_in_its_own_listing(world):
    response = world["client"].get("/", {"size": "10", "cursor": world["cursor"]})

    assert response.status_code == 200
    assert "Item" in response.content.decode()
