"""Batches of API v1 (moto): many files' checksums asked at once, many small files declared
at once, and finished at once, each file with its own outcome; what the CLI's bulk import
uses. Faults mid-batch leave every file either done or pending and retryable, with S3
and DynamoDB agreeing."""

from __future__ import annotations

import hashlib
import math
import threading

import pytest
import requests
from django.test import Client

from search.models import Posting
from tests import media
from tests.api.helpers import bearer, make_token
from tests.fault_injection import unreachable
from tests.helpers import sign_in
from uploads.models import MediaItem
from uploads.services import BATCH_WRITE_ITEMS, MAX_BATCH

pytestmark = pytest.mark.usefixtures("aws")

HTML = b"<!doctype html><script>alert(1)</script>" * 4


@pytest.fixture
def api(member_client) -> Client:
    return Client(**bearer(make_token(member_client)))


def pngs(count: int) -> list[bytes]:
    return [media.png(8 + n, 8) for n in range(count)]


def declared(data: bytes, n: int, **fields) -> dict:
    return {"name": f"P{n}", "filename": f"p{n}.png", "size": len(data), "type": "image/png", **fields}


def declare_many(api: Client, files: list[dict]):
    return api.post("/api/v1/upload-batches", {"files": files}, content_type="application/json")


def finish_many(api: Client, ids: list[str]):
    return api.post("/api/v1/upload-batches/finish", {"ids": ids}, content_type="application/json")


def send(upload: dict, data: bytes, content_type: str = "image/png") -> None:
    post = upload["post"]
    fields = {**post["fields"], "Content-Type": content_type}
    requests.post(post["url"], data=fields, files={"file": data}, timeout=10).raise_for_status()


def uploaded(api: Client, files: list[bytes]) -> list[str]:
    """Declare and send `files` in one batch; their ids, not yet finished."""
    answer = declare_many(api, [declared(data, n) for n, data in enumerate(files)]).json()["uploads"]
    for outcome, data in zip(answer, files, strict=True):
        send(outcome["upload"], data)
    return [outcome["upload"]["item"]["id"] for outcome in answer]


def on_table(suffix: str):
    return lambda params: any(table.endswith(suffix) for table in params["RequestItems"])


def indexed_ids() -> set[str]:
    return {posting.media_id for posting in Posting.scan()}


def statuses(ids: list[str]) -> list[str | None]:
    found = {item.id: item.status for item in MediaItem.batch_get(ids, consistent_read=True)}
    return [found.get(media_id) for media_id in ids]


def test_a_batch_is_declared_sent_and_finished_each_file_with_its_own_outcome(api, bucket_keys):
    good = pngs(2)
    files = [declared(good[0], 0), declared(HTML, 1), declared(good[1], 2), declared(HTML, 3, type="text/html")]

    created = declare_many(api, files)
    answers = created.json()["uploads"]
    send(answers[0]["upload"], good[0])
    send(answers[1]["upload"], HTML)
    ids = [answers[n]["upload"]["item"]["id"] for n in (0, 1, 2)]
    finished = finish_many(api, ids)  # the third was never sent
    outcomes = finished.json()["items"]

    assert created.status_code == 201
    assert [a["status"] for a in answers] == [201, 201, 201, 415]
    assert "text/html is not an image" in answers[3]["detail"] and answers[3]["upload"] is None
    assert [(o["id"], o["status"]) for o in outcomes] == list(zip(ids, [200, 422, 409], strict=True))
    assert "not an image, video, audio file or document we recognise" in outcomes[1]["detail"]
    assert outcomes[1]["item"]["status"] == "rejected" and outcomes[2]["item"] is None
    assert statuses(ids) == ["ready", "rejected", "pending"]
    assert MediaItem.count() == 3
    assert bucket_keys() == [answers[0]["upload"]["key"], f"thumbnails/{ids[0]}.webp"]


def test_the_checksums_asked_at_once_answer_which_of_them_you_hold(api, other_member):
    held, new = pngs(2)
    [media_id] = uploaded(api, [held])
    finish_many(api, [media_id])
    bobs_api = Client(**bearer(make_token(sign_in(Client(), "bob"))))
    asked = [hashlib.sha256(held).hexdigest().upper(), hashlib.sha256(new).hexdigest()]

    mine = api.post("/api/v1/media/sha256", {"sha256": asked}, content_type="application/json")
    theirs = bobs_api.post("/api/v1/media/sha256", {"sha256": asked}, content_type="application/json")

    assert mine.status_code == 200 and mine.json() == {"found": {hashlib.sha256(held).hexdigest(): [media_id]}}
    assert theirs.status_code == 200 and theirs.json() == {"found": {}}


def test_asking_about_checksums_is_a_read_a_read_token_may_make_and_it_counts_no_write(member_client, settings):
    settings.MEDIAHUB_API_WRITES_PER_MINUTE = 1
    reader = Client(**bearer(make_token(member_client, scope="read")))
    writer = Client(**bearer(make_token(member_client, name="writer")))
    body = {"sha256": ["0" * 64]}

    answers = [c.post("/api/v1/media/sha256", body, content_type="application/json") for c in (reader, writer, writer)]

    assert [answer.status_code for answer in answers] == [200, 200, 200]
    assert declare_many(reader, [declared(b"x", 0)]).status_code == 403
    assert declare_many(writer, [declared(b"x", 0)]).status_code == 201  # the one write of the minute


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/media/sha256", {"sha256": []}),
        ("/api/v1/media/sha256", {"sha256": ["0" * 64] * (MAX_BATCH + 1)}),
        ("/api/v1/media/sha256", {"sha256": ["g" * 64]}),
        ("/api/v1/media/sha256", {"sha256": "0" * 64}),
        ("/api/v1/upload-batches", {"files": []}),
        ("/api/v1/upload-batches", {"files": [declared(b"x", n) for n in range(MAX_BATCH + 1)]}),
        ("/api/v1/upload-batches", {"files": [{**declared(b"x", 0), "size": "1"}]}),
        ("/api/v1/upload-batches", {"files": [declared(b"x", 0)], "extra": 1}),
        ("/api/v1/upload-batches/finish", {"ids": []}),
        ("/api/v1/upload-batches/finish", {"ids": ["01J"] * (MAX_BATCH + 1)}),
        ("/api/v1/upload-batches/finish", {"ids": [1]}),
    ],
)
def test_a_malformed_or_oversized_batch_is_a_422_problem_and_records_nothing(api, path, body):
    response = api.post(path, body, content_type="application/json")

    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert MediaItem.count() == 0


def test_a_batch_counts_each_of_its_uploads_against_the_write_rate_and_finishing_counts_none(member_client, settings):
    settings.MEDIAHUB_API_WRITES_PER_MINUTE = 5
    api = Client(**bearer(make_token(member_client)))
    files = pngs(3)

    ids = uploaded(api, files)  # 3 of the 5
    finishes = [finish_many(api, ids).status_code for _ in range(3)]
    refused = declare_many(api, [declared(data, n) for n, data in enumerate(files)])  # 3 more: over
    room = declare_many(api, [declared(data, n) for n, data in enumerate(files[:2])])  # 2 more: 5

    assert finishes == [200, 200, 200]
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert room.status_code == 201
    assert MediaItem.count() == 5


def test_finishing_someone_elses_upload_in_a_batch_is_not_found_and_leaves_it_alone(api, other_member):
    bobs_api = Client(**bearer(make_token(sign_in(Client(), "bob"))))
    [mine] = uploaded(api, pngs(1))
    [theirs] = uploaded(bobs_api, pngs(2)[1:])

    outcomes = finish_many(api, [mine, theirs, "not-an-id"]).json()["items"]

    assert [o["status"] for o in outcomes] == [200, 404, 404]
    assert outcomes[1]["item"] is None
    assert statuses([mine, theirs]) == ["ready", "pending"]


def test_storage_failing_mid_declare_leaves_each_file_declared_or_untouched_and_the_rest_can_be_sent(
    api, faults, bucket_keys
):
    # Records go BATCH_WRITE_ITEMS a call: the second call fails, the third is not tried.
    files = pngs(2 * BATCH_WRITE_ITEMS + 5)
    faults.fail("BatchWriteItem", error=unreachable, when=on_table("media"), skip=1, times=1)

    answers = declare_many(api, [declared(data, n) for n, data in enumerate(files)]).json()["uploads"]
    retried = [(n, data) for n, data in enumerate(files) if n >= BATCH_WRITE_ITEMS]
    again = declare_many(api, [declared(data, n) for n, data in retried]).json()["uploads"]

    statuses_given = [a["status"] for a in answers]
    assert statuses_given == [201] * BATCH_WRITE_ITEMS + [503] * (BATCH_WRITE_ITEMS + 5)
    assert all("not tried" in a["detail"] for a in answers[2 * BATCH_WRITE_ITEMS :])
    assert [a["status"] for a in again] == [201] * len(retried)
    records = {item.id for item in MediaItem.scan()}
    declared_ids = {a["upload"]["item"]["id"] for a in [*answers[:BATCH_WRITE_ITEMS], *again]}
    assert records == declared_ids
    assert indexed_ids() == records  # every record has its postings, and no posting lacks one
    assert bucket_keys() == []


def test_a_batch_write_whose_answer_is_lost_leaves_no_record_behind(api, faults):
    # DynamoDB wrote the records, then the answer never came: the portal cannot know.
    from mediahub import aws

    faults.fail(
        "BatchWriteItem",
        error=unreachable,
        when=on_table("media"),
        times=1,
        before=lambda params: aws.dynamodb().batch_write_item(**params),
    )

    answers = declare_many(api, [declared(data, n) for n, data in enumerate(pngs(3))]).json()["uploads"]

    assert [a["status"] for a in answers] == [503, 503, 503]
    assert "Send it again" in answers[0]["detail"]
    assert MediaItem.count() == 0
    assert indexed_ids() == set()


def test_a_file_dynamodb_leaves_unprocessed_is_refused_alone(api, monkeypatch):
    from pynamodb.connection import TableConnection

    original = TableConnection.batch_write_item
    refused_name = "P1"

    def leave_one(self, put_items=None, delete_items=None, **options):
        kept = [item for item in put_items or [] if item.get("name", {}).get("S") != refused_name]
        left = [{"PutRequest": {"Item": item}} for item in put_items or [] if item not in kept]
        answer = original(self, put_items=kept, delete_items=delete_items, **options) if kept or delete_items else {}
        return {**answer, "UnprocessedItems": {self.table_name: left}} if left else answer

    monkeypatch.setattr(TableConnection, "batch_write_item", leave_one)

    answers = declare_many(api, [declared(data, n) for n, data in enumerate(pngs(3))]).json()["uploads"]

    assert [a["status"] for a in answers] == [201, 503, 201]
    assert {item.name for item in MediaItem.scan()} == {"P0", "P2"}
    assert indexed_ids() == {answers[0]["upload"]["item"]["id"], answers[2]["upload"]["item"]["id"]}


def test_a_batch_declare_writes_its_records_and_postings_batch_write_item_calls_at_a_time(api, faults):
    count = BATCH_WRITE_ITEMS + 3

    answers = declare_many(api, [declared(data, n) for n, data in enumerate(pngs(count))]).json()["uploads"]

    assert [a["status"] for a in answers] == [201] * count
    assert [item.version for item in MediaItem.scan()] == [1] * count
    writes = [params["RequestItems"] for name, params in faults.calls if name == "BatchWriteItem"]
    postings = len(list(Posting.scan()))
    assert [p["TableName"] for name, p in faults.calls if name == "PutItem" and p["TableName"].endswith("media")] == []
    assert [len(w) for w in writes if any(t.endswith("media") for t in w)] == [1, 1]
    assert sum(1 for w in writes if any(t.endswith("search") for t in w)) == math.ceil(postings / 25)


def storage_refuses_the_second_read(faults, ids: list[str]) -> None:
    faults.fail("GetObject", error=unreachable, skip=1, times=1)


def the_second_read_breaks_off(faults, ids: list[str]) -> None:
    faults.cut_body("GetObject", after=10, when=lambda params: ids[1] in params["Key"])


@pytest.mark.parametrize("fault", [storage_refuses_the_second_read, the_second_read_breaks_off])
def test_storage_failing_mid_finish_leaves_the_rest_pending_with_their_files_and_finishing_again_completes_them(
    api, faults, bucket_keys, fault
):
    ids = uploaded(api, pngs(3))
    fault(faults, ids)

    first = [o["status"] for o in finish_many(api, ids).json()["items"]]
    middle = statuses(ids)
    second = [o["status"] for o in finish_many(api, ids).json()["items"]]

    assert first == [200, 503, 503]
    assert middle == ["ready", "pending", "pending"]
    assert second == [200, 200, 200]
    items = list(MediaItem.batch_get(ids))
    assert all(item.status == "ready" and item.sha256 for item in items)
    assert sorted(bucket_keys()) == sorted([i.s3_key for i in items] + [i.thumbnail_key for i in items])


def test_a_refusal_by_storage_for_one_write_does_not_stop_the_others(api, faults):
    files = pngs(BATCH_WRITE_ITEMS + 2)
    refuse = faults.fail(
        "BatchWriteItem",
        error=lambda: _client_error("AccessDeniedException"),
        when=on_table("media"),
        times=1,
    )

    answers = declare_many(api, [declared(data, n) for n, data in enumerate(files)]).json()["uploads"]

    assert refuse.hits == 1
    assert [a["status"] for a in answers] == [503] * BATCH_WRITE_ITEMS + [201, 201]
    assert MediaItem.count() == 2


def _client_error(code: str) -> Exception:
    from botocore.exceptions import ClientError

    return ClientError({"Error": {"Code": code, "Message": "refused"}}, "BatchWriteItem")


def test_two_batch_finishes_of_the_same_files_at_once_conclude_each_file_once(api, bucket_keys):
    ids = uploaded(api, pngs(4))
    barrier = threading.Barrier(2)
    answers: list[list[dict]] = []

    def finish() -> None:
        barrier.wait()
        answers.append(finish_many(api, ids).json()["items"])

    threads = [threading.Thread(target=finish) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert [[o["status"] for o in answer] for answer in answers] == [[200] * 4, [200] * 4]
    assert statuses(ids) == ["ready"] * 4
    items = list(MediaItem.batch_get(ids))
    assert sorted(bucket_keys()) == sorted([i.s3_key for i in items] + [i.thumbnail_key for i in items])


def test_a_cancel_racing_a_batch_finish_leaves_the_file_either_ready_or_gone_with_nothing_behind(api, bucket_keys):
    ids = uploaded(api, pngs(3))
    barrier = threading.Barrier(2)
    cancelled: list[int] = []

    def cancel() -> None:
        barrier.wait()
        cancelled.append(api.delete(f"/api/v1/uploads/{ids[1]}").status_code)

    thread = threading.Thread(target=cancel)
    thread.start()
    barrier.wait()
    outcomes = finish_many(api, ids).json()["items"]
    thread.join(timeout=60)

    middle = outcomes[1]["status"]
    assert (outcomes[0]["status"], outcomes[2]["status"]) == (200, 200)
    if cancelled == [204]:
        assert middle in (200, 404, 409) and statuses(ids) == ["ready", None, "ready"]
    else:
        assert (cancelled, middle, statuses(ids)) == ([409], 200, ["ready"] * 3)
    items = list(MediaItem.batch_get(ids))
    assert sorted(bucket_keys()) == sorted([i.s3_key for i in items] + [i.thumbnail_key for i in items])


def test_a_small_file_finished_in_a_batch_is_read_once_and_ready_with_its_checksum(api, faults, bucket_keys):
    files = pngs(2)
    ids = uploaded(api, files)
    faults.calls.clear()

    outcomes = finish_many(api, ids).json()["items"]

    assert [o["item"]["sha256"] for o in outcomes] == [hashlib.sha256(data).hexdigest() for data in files]
    assert [o["item"]["content_type"] for o in outcomes] == ["image/png", "image/png"]
    assert [(o["item"]["width"], o["item"]["height"]) for o in outcomes] == [(8, 8), (9, 8)]
    # One GET of each file (its whole bytes); no HEAD, no ranged reads, no checksum pass.
    assert (faults.called("GetObject"), faults.called("HeadObject")) == (2, 0)
    assert [params.get("Range") for name, params in faults.calls if name == "GetObject"] == [None, None]
    assert all(item.checksum_key == f"alice#{item.sha256}" for item in MediaItem.batch_get(ids))
    found = api.post("/api/v1/media/sha256", {"sha256": [hashlib.sha256(files[0]).hexdigest()]}, "application/json")
    assert found.json()["found"] == {hashlib.sha256(files[0]).hexdigest(): [ids[0]]}
    assert f"thumbnails/{ids[1]}.webp" in bucket_keys()


def test_a_batch_file_whose_bytes_are_not_the_size_declared_is_rejected_with_the_reason(api, bucket_keys):
    data = media.png(8, 8)
    answer = declare_many(api, [declared(data, 0, size=len(data) + 10)]).json()["uploads"]
    post = answer[0]["upload"]["post"]
    # The signed policy pins the size: S3 refuses other bytes, so put them in behind it.
    from uploads import storage

    storage.save_bytes(answer[0]["upload"]["key"], data, content_type="image/png")

    [outcome] = finish_many(api, [answer[0]["upload"]["item"]["id"]]).json()["items"]

    assert post["url"]
    assert outcome["status"] == 422
    assert f"The file is {len(data):,} bytes, not the {len(data) + 10:,} bytes declared." in outcome["detail"]
    assert outcome["item"]["status"] == "rejected" and outcome["item"]["sha256"] is None
    assert bucket_keys() == []


def test_a_batch_finish_writes_the_postings_of_all_its_files_in_one_batch(api, faults):
    ids = uploaded(api, pngs(3))
    faults.calls.clear()

    outcomes = finish_many(api, ids).json()["items"]

    assert [o["status"] for o in outcomes] == [200, 200, 200]
    writes = [params["RequestItems"] for name, params in faults.calls if name == "BatchWriteItem"]
    postings = list(Posting.scan())
    assert len(postings) <= 25  # so one call holds them all; file by file it took 3
    assert [list(w) for w in writes] == [[Posting.Meta.table_name]]
    assert {p.status for p in postings} == {"ready"} and indexed_ids() == set(ids)


def test_postings_failing_after_a_batch_finish_leave_the_verdicts_and_reindex_repairs_them(api, faults):
    from search.services import search_reindex_step

    ids = uploaded(api, pngs(3))
    faults.fail("BatchWriteItem", error=unreachable, when=on_table("search"), times=1)

    outcomes = finish_many(api, ids).json()["items"]
    stale = {p.status for p in Posting.scan()}
    cursor = search_reindex_step(cursor=None, batch=100).cursor
    while cursor:
        cursor = search_reindex_step(cursor=cursor, batch=100).cursor

    assert [o["status"] for o in outcomes] == [200, 200, 200]
    assert statuses(ids) == ["ready"] * 3
    assert stale == {"pending"}
    assert {p.status for p in Posting.scan()} == {"ready"} and indexed_ids() == set(ids)
