"""The command-line client (client/) against the live portal on MiniStack, run as a user
runs it (`python -m mediahub_client`), each test as its own member so no test sees
another's files. The portal here sends files above 6 MiB in parts, so a 20 MiB video is
three parts (8 + 8 + 4 MiB) and resuming can be counted part by part."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from scripts import ministack
from tests import media
from tests.services import manage, s3_client, serve_portal

CLIENT_SRC = Path(__file__).resolve().parents[2] / "client" / "src"
sys.path.insert(0, str(CLIENT_SRC))

from mediahub_client import cli  # noqa: E402

MiB = 1024 * 1024
MEMBERS = (
    "cli-login", "cli-tree", "cli-resume", "cli-batch", "cli-refused", "cli-library", "cli-bulk", "cli-revoked"
)  # fmt: skip
MAKE_MEMBERS = """
import json
from datetime import timedelta
from django.utils import timezone
from accounts.services import token_create, token_revoke, user_create
tokens = {}
for name in %r:
    user = user_create(username=name, password="Client-tests-pass-7")
    record, tokens[name] = token_create(
        user=user, name="cli", scope="read-write", expires_at=timezone.now() + timedelta(days=1)
    )
token_revoke(token=record)
print(json.dumps(tokens))
"""


@pytest.fixture(scope="module")
def site(emulator, portal) -> Iterator[str]:
    """A second portal on the same emulator (the `portal` fixture made its bucket and
    tables) whose multipart threshold is 6 MiB rather than 100."""
    yield from serve_portal(emulator, port=ministack.free_port(), MEDIAHUB_MULTIPART_THRESHOLD_BYTES=str(6 * MiB))


@pytest.fixture(scope="module")
def tokens(emulator, portal) -> dict[str, str]:
    """A read-write token of each member; the last one's is revoked at once."""
    made = manage(emulator, "shell", "-c", MAKE_MEMBERS % (MEMBERS,))
    assert made.returncode == 0, made.stderr
    return json.loads(made.stdout.strip().splitlines()[-1])


def mediahub(*args: str, home: Path, site: str | None = None, token: str | None = None):
    env = {**os.environ, "PYTHONPATH": str(CLIENT_SRC), "XDG_CONFIG_HOME": str(home / "config")}
    env.pop("MEDIAHUB_TOKEN", None)
    env.update({"MEDIAHUB_URL": site} if site else {})
    env.update({"MEDIAHUB_TOKEN": token} if token else {})
    return subprocess.run(
        [sys.executable, "-m", "mediahub_client", *args], env=env, capture_output=True, text=True, timeout=120
    )


def api(site: str, token: str, path: str, **params: str):
    response = requests.get(
        f"{site}/api/v1{path}", params=params, headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert response.status_code == 200, response.text
    return response.json()


def library(site: str, token: str) -> list[dict]:
    return api(site, token, "/media", size="100")["items"]


def wait_for_checksums(site: str, token: str, count: int) -> None:
    """The portal computes each file's SHA-256 just after its check, in a thread."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        items = library(site, token)
        if len(items) == count and all(item["sha256"] for item in items if item["status"] == "ready"):
            return
        time.sleep(0.3)
    pytest.fail("The portal did not record every file's checksum in 30 s.")


def tree(root: Path) -> dict[str, bytes]:
    """Small images in folders and a 20 MiB video; returns each small file's bytes by path."""
    small = {
        "trip/beach.png": media.png(40, 30),
        "trip/day2/dunes.png": media.png(50, 30),
        "trip/day2/sea.png": media.png(60, 30),
    }
    for relative, data in small.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(data)
    media.mp4_file(root / "trip" / "clip.mp4", size=20 * MiB)
    return small


def test_login_checks_the_token_and_stores_it_readable_by_the_user_alone(site, tokens, tmp_path):
    refused = mediahub("login", site, "--token", "mhp_not-a-token", home=tmp_path)
    logged_in = mediahub("login", f"{site}/api/v1/", "--token", tokens["cli-login"], home=tmp_path)
    listed = mediahub("ls", "--json", home=tmp_path)

    config = tmp_path / "config" / "mediahub" / "config.json"
    assert refused.returncode == 3 and "run `mediahub login URL` again" in refused.stderr
    assert logged_in.returncode == 0, logged_in.stderr
    assert "as cli-login" in logged_in.stdout
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert json.loads(config.read_text()) == {"url": site, "token": tokens["cli-login"]}
    assert listed.returncode == 0 and listed.stdout == ""


def test_push_of_a_tree_uploads_each_file_once_and_a_second_run_skips_them_all(site, tokens, tmp_path):
    token = tokens["cli-tree"]
    tree(tmp_path)

    first = mediahub("push", str(tmp_path / "trip"), "--caption", "Summer", home=tmp_path, site=site, token=token)
    wait_for_checksums(site, token, 4)
    again = mediahub("push", str(tmp_path / "trip"), home=tmp_path, site=site, token=token)

    items = library(site, token)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "4 uploaded, 0 skipped, 0 failed"
    assert sorted(item["name"] for item in items) == ["beach", "clip", "dunes", "sea"]
    assert {(item["status"], item["caption"]) for item in items} == {("ready", "Summer")}
    assert next(item["size"] for item in items if item["name"] == "clip") == 20 * MiB
    assert again.returncode == 0 and again.stdout.strip() == "0 uploaded, 4 skipped, 0 failed"
    assert len(library(site, token)) == 4


def test_an_interrupted_push_resumes_and_sends_only_the_missing_parts(site, tokens, tmp_path, monkeypatch):
    token = tokens["cli-resume"]
    path = media.mp4_file(tmp_path / "long.mp4", size=20 * MiB)
    data = path.read_bytes()
    headers = {"Authorization": f"Bearer {token}"}
    # What an interrupted run leaves: the upload declared and its first part in S3.
    declared = requests.post(
        f"{site}/api/v1/uploads",
        json={"name": "long", "filename": "long.mp4", "size": len(data),
              "fingerprint": hashlib.sha256(data[:MiB] + data[-MiB:]).hexdigest()},
        headers=headers, timeout=10,
    ).json()  # fmt: skip
    media_id = declared["item"]["id"]
    signed = requests.post(
        f"{site}/api/v1/uploads/{media_id}/parts", json={"part_numbers": [1]}, headers=headers, timeout=10
    )
    requests.put(signed.json()["urls"]["1"], data=data[: 8 * MiB], timeout=30).raise_for_status()
    part_puts = count_part_puts(monkeypatch)
    monkeypatch.setenv("MEDIAHUB_URL", site)
    monkeypatch.setenv("MEDIAHUB_TOKEN", token)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))

    code = cli.main(["push", str(path)])

    items = library(site, token)
    assert code == 0
    assert sorted(part_puts) == [2, 3]
    assert [(item["id"], item["status"], item["size"]) for item in items] == [(media_id, "ready", len(data))]
    assert api(site, token, "/uploads") == []


def test_a_batch_an_earlier_run_left_half_done_ends_with_each_file_once(site, tokens, tmp_path):
    """What a push killed mid-batch leaves: three small files declared together, the first
    one's bytes in S3, the others' not; the next run finishes the first, sends the others
    anew (cancelling their empty uploads), and each file ends up ready exactly once."""
    token = tokens["cli-batch"]
    folder = tmp_path / "batch"
    folder.mkdir()
    files = [folder / f"b{n}.png" for n in range(3)]
    for n, path in enumerate(files):
        path.write_bytes(media.png(40 + n, 40))
    headers = {"Authorization": f"Bearer {token}"}
    declared = requests.post(
        f"{site}/api/v1/upload-batches",
        json={"files": [
            {"name": path.stem, "filename": path.name, "size": path.stat().st_size,
             "fingerprint": hashlib.sha256(path.read_bytes()).hexdigest()}
            for path in files
        ]},
        headers=headers, timeout=10,
    ).json()["uploads"]  # fmt: skip
    post = declared[0]["upload"]["post"]
    requests.post(
        post["url"], data=post["fields"], files={"file": files[0].read_bytes()}, timeout=10
    ).raise_for_status()

    pushed = mediahub("push", str(folder), home=tmp_path, site=site, token=token)

    items = library(site, token)
    assert pushed.returncode == 0, pushed.stderr
    assert pushed.stdout.strip() == "3 uploaded, 0 skipped, 0 failed"
    assert sorted((item["original_filename"], item["status"]) for item in items) == [
        ("b0.png", "ready"), ("b1.png", "ready"), ("b2.png", "ready")
    ]  # fmt: skip
    assert declared[0]["upload"]["item"]["id"] in {item["id"] for item in items}
    assert api(site, token, "/uploads") == []


def count_part_puts(monkeypatch) -> list[int]:
    """The part numbers of every part PUT this process sends from now on."""
    sent: list[int] = []
    original = requests.Session.request

    def counting(session, method, url, *args, **kwargs):
        if method == "PUT" and "partNumber=" in url:
            sent.append(int(url.split("partNumber=")[1].split("&")[0]))
        return original(session, method, url, *args, **kwargs)

    monkeypatch.setattr(requests.Session, "request", counting)
    return sent


def test_a_refused_file_is_reported_with_its_reason_and_the_others_still_upload(site, tokens, tmp_path):
    token = tokens["cli-refused"]
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "good.png").write_bytes(media.png(30, 30))
    (tmp_path / "in" / "fake.jpg").write_bytes(b"<!doctype html><script>alert(1)</script>" * 8)
    (tmp_path / "in" / "setup.exe").write_bytes(b"MZ" + bytes(200))

    pushed = mediahub("push", str(tmp_path / "in"), home=tmp_path, site=site, token=token)

    assert pushed.returncode == 1
    assert pushed.stdout.strip() == "1 uploaded, 0 skipped, 2 failed"
    refusals = [line for line in pushed.stderr.splitlines() if line.startswith("failed: ")]
    assert len(refusals) == 2
    assert any("fake.jpg: " in line and "not" in line for line in refusals)
    assert any("setup.exe: " in line and "is not an image, video, audio file or document" in line for line in refusals)
    assert {(item["name"], item["status"]) for item in library(site, token) if item["status"] == "ready"} == {
        ("good", "ready")
    }


@pytest.fixture(scope="module")
def pushed_library(site, tokens, tmp_path_factory) -> dict[str, bytes]:
    """Two images and a short video, pushed by one member; their bytes by file name."""
    token, source = tokens["cli-library"], tmp_path_factory.mktemp("library")
    files = {"red.png": media.png(20, 20), "wide.png": media.png(90, 20), "short.mp4": media.mp4(160, 120, 1.0)}
    for name, data in files.items():
        (source / name).write_bytes(data)
    assert mediahub("push", str(source), home=source, site=site, token=token).returncode == 0
    wait_for_checksums(site, token, 3)
    return files


def test_pull_writes_identical_files_and_every_field_and_a_second_pull_downloads_nothing(
    site, tokens, pushed_library, tmp_path
):
    token, target = tokens["cli-library"], tmp_path / "copy"

    first = mediahub("pull", str(target), home=tmp_path, site=site, token=token)
    written = {path: path.stat().st_mtime_ns for path in (target / "files").rglob("*") if path.is_file()}
    second = mediahub("pull", str(target), home=tmp_path, site=site, token=token)

    records = [json.loads(line) for line in (target / "metadata.jsonl").read_text().splitlines()]
    items = {item["id"]: item for item in library(site, token)}
    assert first.returncode == 0 and first.stdout.strip() == "3 downloaded, 0 unchanged, 0 failed"
    assert {(target / r["path"]).read_bytes() == pushed_library[r["original_filename"]] for r in records} == {True}
    assert sorted(r["id"] for r in records) == sorted(items)
    for record in records:
        assert set(record) == {*items[record["id"]], "path"}
        assert {k: v for k, v in record.items() if k not in ("path", "thumbnail_url")} == {
            k: v for k, v in items[record["id"]].items() if k != "thumbnail_url"
        }
    assert second.returncode == 0 and second.stdout.strip() == "0 downloaded, 3 unchanged, 0 failed"
    assert {path: path.stat().st_mtime_ns for path in written} == written


def test_a_pull_after_a_file_is_lost_downloads_that_one_again(site, tokens, pushed_library, tmp_path):
    token, target = tokens["cli-library"], tmp_path / "copy"
    mediahub("pull", str(target), home=tmp_path, site=site, token=token)
    lost = next((target / "files").rglob("red.png"))
    lost.unlink()

    again = mediahub("pull", str(target), home=tmp_path, site=site, token=token)

    assert again.stdout.strip() == "1 downloaded, 2 unchanged, 0 failed"
    assert lost.read_bytes() == pushed_library["red.png"]


def test_ls_json_gives_one_object_a_line_and_applies_the_filters(site, tokens, pushed_library, tmp_path):
    token = tokens["cli-library"]

    everything = mediahub("ls", "--json", home=tmp_path, site=site, token=token)
    videos = mediahub("ls", "--json", "--kind", "video", home=tmp_path, site=site, token=token)
    found = mediahub("ls", "--json", "--q", "wid", home=tmp_path, site=site, token=token)
    table = mediahub("ls", "--order", "oldest", home=tmp_path, site=site, token=token)

    assert sorted(json.loads(line)["original_filename"] for line in everything.stdout.splitlines()) == sorted(
        pushed_library
    )
    assert [json.loads(line)["name"] for line in videos.stdout.splitlines()] == ["short"]
    assert [json.loads(line)["name"] for line in found.stdout.splitlines()] == ["wide"]
    assert table.returncode == 0 and "short" in table.stdout and "red" in table.stdout


def test_a_revoked_token_or_an_unreachable_portal_stops_with_a_clear_message(site, tokens, tmp_path):
    revoked = mediahub("ls", home=tmp_path, site=site, token=tokens["cli-revoked"])
    nowhere = mediahub("ls", home=tmp_path, site=f"http://127.0.0.1:{ministack.free_port()}", token="mhp_x")
    signed_out = mediahub("ls", home=tmp_path)

    assert revoked.returncode == 3
    assert "The portal refused the token" in revoked.stderr and "run `mediahub login URL` again" in revoked.stderr
    assert nowhere.returncode == 3 and "Cannot reach http://127.0.0.1:" in nowhere.stderr
    assert signed_out.returncode == 3 and "Not signed in: run `mediahub login URL` first." in signed_out.stderr


BULK_SMALL = 197
BIG = 150 * MiB  # above the `portal` fixture's 100 MiB threshold: 19 parts of 8 MiB
BIG_PARTS = -(-BIG // (8 * MiB))


def bulk_tree(root: Path) -> dict[str, str]:
    """197 small images in nested folders, a 150 MiB video, and two files the server refuses
    (an HTML page named .jpg, a program); returns the SHA-256 of each good file by file name."""
    # Sorted after the 56 images of 2000 and 2001, so some files are done when it starts.
    good: dict[str, Path] = {"long.mp4": media.mp4_file(_made(root / "photos" / "2001" / "long.mp4"), size=BIG)}
    for n in range(BULK_SMALL):
        path = _made(root / "photos" / str(2000 + n % 7) / f"{n % 5:02}" / f"img-{n:03}.png")
        path.write_bytes(media.png(8 + n, 8 + n % 3))
        good[path.name] = path
    _made(root / "odd" / "page.jpg").write_bytes(b"<!doctype html><script>alert(1)</script>" * 8)
    _made(root / "odd" / "setup.exe").write_bytes(b"MZ" + bytes(200))
    return {name: sha256_of(path) for name, path in good.items()}


def sha256_of(path: Path) -> str:
    with path.open("rb") as source:
        return hashlib.file_digest(source, "sha256").hexdigest()


def _made(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def kill_when_parts_land(process: subprocess.Popen, s3, bucket: str, before: set[str]) -> tuple[str, str]:
    """Watch S3 until the process's new multipart upload holds a part, then SIGKILL it;
    returns that upload's key and id."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and process.poll() is None:
        uploads = s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
        for upload in (u for u in uploads if u["UploadId"] not in before):
            if s3.list_parts(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"]).get("Parts"):
                process.send_signal(signal.SIGKILL)
                process.wait(timeout=10)
                return upload["Key"], upload["UploadId"]
        time.sleep(0.02)
    process.kill()
    pytest.fail(f"The push ended (code {process.poll()}) before any part of the 150 MiB file was seen in S3.")


def settled_parts(s3, bucket: str, key: str, upload_id: str) -> set[int]:
    """The part numbers S3 holds once the parts whose bytes were all sent before the kill
    have landed (S3 stores a part when its body is complete, whoever waits for the answer)."""
    parts: set[int] = set()
    while True:
        time.sleep(0.5)
        now = {p["PartNumber"] for p in s3.list_parts(Bucket=bucket, Key=key, UploadId=upload_id).get("Parts", [])}
        if now == parts:
            return parts
        parts = now


def everything(site: str, token: str) -> list[dict]:
    items, cursor = [], ""
    while True:
        page = api(site, token, "/media", size="100", **({"cursor": cursor} if cursor else {}))
        items += page["items"]
        cursor = page.get("next_cursor") or ""
        if not cursor:
            return items


def checksummed(site: str, token: str, ready: int) -> list[dict]:
    """Every item, once `ready` of them are ready and each has its SHA-256 (a thread of the
    portal computes it after the check: a few seconds for 150 MiB)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        items = everything(site, token)
        done = [item for item in items if item["status"] == "ready" and item["sha256"]]
        if len(done) >= ready and all(item["sha256"] for item in items if item["status"] == "ready"):
            return items
        time.sleep(0.5)
    return everything(site, token)


def test_a_killed_push_of_200_files_finishes_on_a_second_run_and_pulls_back_identical(
    portal, emulator, tokens, tmp_path, monkeypatch, capsys
):
    """The issue's scenario end to end: a push of 200 files (one of 150 MiB, two refused) is
    SIGKILLed once the big file has parts in S3, then run again; a pull into an empty folder
    gives every file back byte for byte, and a second pull transfers nothing."""
    token, root, bucket = tokens["cli-bulk"], tmp_path / "library", "mediahub-live"
    good = bulk_tree(root)
    s3 = s3_client(emulator)
    before = {u["UploadId"] for u in s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])}
    env = {**os.environ, "PYTHONPATH": str(CLIENT_SRC), "MEDIAHUB_URL": portal, "MEDIAHUB_TOKEN": token}
    with (tmp_path / "first.log").open("w") as log:
        first = subprocess.Popen(
            [sys.executable, "-m", "mediahub_client", "push", str(root), "--jobs", "4"], env=env, stdout=log, stderr=log
        )
        key, upload_id = kill_when_parts_land(first, s3, bucket, before)
    held = settled_parts(s3, bucket, key, upload_id)
    landed_first = [item for item in everything(portal, token) if item["status"] == "ready"]

    part_puts = count_part_puts(monkeypatch)
    monkeypatch.setenv("MEDIAHUB_URL", portal)
    monkeypatch.setenv("MEDIAHUB_TOKEN", token)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    capsys.readouterr()
    code = cli.main(["push", str(root), "--jobs", "8"])
    second = capsys.readouterr()
    items = checksummed(portal, token, len(good))
    ready = [item for item in items if item["status"] == "ready"]
    print(f"first run: killed with {len(landed_first)} files ready and parts {sorted(held)} of the video in S3")
    print(f"second run: {second.out.strip()}; part PUTs {sorted(part_puts)}")
    assert first.returncode == -signal.SIGKILL
    assert 0 < len(held) < BIG_PARTS and 0 < len(landed_first) < len(good)
    # Only the parts S3 did not hold went again.
    assert sorted(part_puts) == sorted(set(range(1, BIG_PARTS + 1)) - held)
    assert code == 1
    uploaded, skipped = (int(word) for word in second.out.split()[:3:2])
    assert second.out.strip() == f"{uploaded} uploaded, {skipped} skipped, 2 failed"
    assert uploaded + skipped == len(good) and skipped >= len(landed_first)
    refusals = sorted(line for line in second.err.splitlines() if line.startswith("failed: "))
    assert len(refusals) == 2
    assert "page.jpg: The file's content is not an image, video, audio file or document" in refusals[0]
    assert "setup.exe: " in refusals[1] and "is not an image, video, audio file or document" in refusals[1]
    # Every good file exactly once, by name and by content; nothing left pending.
    assert sorted(item["original_filename"] for item in ready) == sorted(good)
    assert {item["original_filename"]: item["sha256"] for item in ready} == good
    assert not [item for item in items if item["status"] == "pending"]
    assert api(portal, token, "/uploads") == []

    target = tmp_path / "copy"
    pulled = mediahub("pull", str(target), "--jobs", "8", home=tmp_path, site=portal, token=token)
    files = {path: path.stat().st_mtime_ns for path in (target / "files").rglob("*") if path.is_file()}
    again = mediahub("pull", str(target), "--jobs", "8", home=tmp_path, site=portal, token=token)

    assert pulled.returncode == 0 and pulled.stdout.strip() == f"{len(good)} downloaded, 0 unchanged, 0 failed"
    assert {path.name: sha256_of(path) for path in files} == good
    records = [json.loads(line) for line in (target / "metadata.jsonl").read_text().splitlines()]
    by_id = {item["id"]: item for item in items}
    assert sorted(record["id"] for record in records) == sorted(by_id)
    for record in records:
        assert set(record) == {*by_id[record["id"]], "path"}
        assert {k: v for k, v in record.items() if k not in ("path", "thumbnail_url")} == {
            k: v for k, v in by_id[record["id"]].items() if k != "thumbnail_url"
        }
        assert record["path"] is None or (target / record["path"]).stat().st_size == record["size"]
    assert {r["original_filename"]: r["sha256"] for r in records if r["status"] == "ready"} == good
    assert again.returncode == 0 and again.stdout.strip() == f"0 downloaded, {len(good)} unchanged, 0 failed"
    assert {path: path.stat().st_mtime_ns for path in files} == files
