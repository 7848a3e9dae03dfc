"""A 1 GiB upload against a live MiniStack: verification in the request reads a few ranged
blocks of it, the item is ready at once, and the checksum pass lands afterwards.

The check runs in a `manage.py shell` against the emulator, so every AWS call it makes
can be counted where it is made (botocore's `_make_api_call`); calls from the checksum
pass's thread are counted apart."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from pathlib import Path
from typing import Any

from tests import media
from tests.helpers import add_figure
from tests.services import manage

GiB = 1024 * 1024 * 1024


def verify_and_count(path: str) -> None:
    """Upload `path` as a pending direct upload, verify it while counting the AWS calls of
    this thread, wait for the checksum pass, and print what happened as JSON."""
    from botocore.client import BaseClient

    from uploads import services, storage
    from uploads.models import MediaItem

    size = Path(path).stat().st_size
    upload = services.direct_upload_create(
        owner="bounded", name="Big", caption="", filename="big.mp4", size=size, declared_type="video/mp4"
    )
    with open(path, "rb") as source:
        storage.save(upload.item.s3_key, source, content_type="video/mp4")
    calls: list[tuple[str, str | None]] = []
    request_thread, original = threading.get_ident(), BaseClient._make_api_call

    def counting(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        if threading.get_ident() == request_thread:
            calls.append((operation, params.get("Range")))
        return original(client, operation, params)

    BaseClient._make_api_call = counting  # type: ignore[method-assign]
    started = time.perf_counter()
    item = services.media_process(item=upload.item)
    verified = time.perf_counter() - started
    for thread in threading.enumerate():
        if thread.name == f"checksum-{item.id}":
            thread.join()
    landed = MediaItem.get(item.id, consistent_read=True)
    print(  # noqa: T201 - the test reads this line
        json.dumps(
            {
                "status": item.status,
                "sha256_at_ready": item.sha256,
                "seconds": verified,
                "calls": calls,
                "sha256": landed.sha256,
                "waited": time.perf_counter() - started,
            }
        )
    )


def test_verifying_a_1_gib_upload_reads_a_few_blocks_and_the_checksum_lands_after(emulator, portal, tmp_path):
    path = media.mp4_file(tmp_path / "big.mp4", size=GiB)
    with path.open("rb") as source:
        expected = hashlib.file_digest(source, "sha256").hexdigest()

    run = manage(
        emulator,
        "shell",
        "-c",
        f"from tests.live.test_big_upload_live import verify_and_count; verify_and_count({str(path)!r})",
        MEDIAHUB_BUCKET="mediahub-live",
        MEDIAHUB_MULTIPART_THRESHOLD_BYTES=str(2 * GiB),
        # For storing the file: MiniStack takes longer than 3 s to assemble 1 GiB.
        MEDIAHUB_AWS_READ_TIMEOUT="60",
    )

    assert run.returncode == 0, run.stderr[-3000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    reads = [byte_range for operation, byte_range in seen["calls"] if operation == "GetObject"]
    read_bytes = sum(int(end) - int(start) + 1 for start, end in (r.removeprefix("bytes=").split("-") for r in reads))
    assert (seen["status"], seen["sha256_at_ready"]) == ("ready", None)
    assert [op for op, _ in seen["calls"]].count("HeadObject") == 1
    add_figure("ranged reads to verify 1 GiB", len(reads))
    # Sniffing, and the blocks hachoir reads: which parsers it tries before MP4's varies with
    # Python's per-process string hashing (4 to 9 GETs seen), never with the file's size.
    assert len(reads) <= 16
    assert read_bytes < 4 * 1024 * 1024  # of 1,024 MiB (it was all of it, for the checksum)
    assert seen["sha256"] == expected
