"""`mediahub pull DIR`: a copy of every item the user can see, files and metadata, that a
second run brings up to date by downloading only what is missing or changed."""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mediahub_client.api import Api, ApiError, problem_error, send
from mediahub_client.display import Display
from mediahub_client.files import BLOCK, atomic_target

METADATA = "metadata.jsonl"
PAGE_SIZE = "100"


@dataclass
class Outcome:
    downloaded: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def media_all(api: Api, **filters: str) -> Iterator[dict[str, Any]]:
    """Every item the filters match, page after page until there is no next cursor."""
    cursor = ""
    while True:
        page = api.get("/media", **filters, cursor=cursor) if cursor else api.get("/media", **filters)
        yield from page["items"]
        cursor = page.get("next_cursor") or ""
        if not cursor:
            return


def local_path(item: dict[str, Any]) -> str:
    """Where an item's file goes, relative to DIR: its id keeps names that repeat apart."""
    name = Path(item["original_filename"]).name.lstrip(".") or "file"
    return f"files/{item['id']}/{name}"


def pull(api: Api, target: Path, *, jobs: int) -> Outcome:
    target.mkdir(parents=True, exist_ok=True)
    before = _metadata_read(target / METADATA)
    items = list(media_all(api, size=PAGE_SIZE))
    wanted = [item for item in items if item["status"] == "ready"]
    stale = [item for item in wanted if _needs_download(target, item, before.get(item["id"]))]
    stale_ids = {item["id"] for item in stale}
    outcome = Outcome(unchanged=[local_path(item) for item in wanted if item["id"] not in stale_ids])
    lock = threading.Lock()
    with Display(total=sum(item["size"] for item in stale), label=f"{len(stale)} files") as display:

        def fetch(item: dict[str, Any]) -> None:
            relative = local_path(item)
            try:
                with display.file(Path(relative).name, item["size"]) as advance:
                    _download(api, item, target / relative, advance)
            except ApiError as exc:
                display.say(f"{'failed':<10}{relative}: {exc}")
                with lock:
                    outcome.failed.append((relative, str(exc)))
                return
            with lock:
                outcome.downloaded.append(relative)

        with ThreadPoolExecutor(max_workers=jobs) as pool:
            for future in as_completed([pool.submit(fetch, item) for item in stale]):
                future.result()
    _metadata_write(target / METADATA, items)
    return outcome


def _needs_download(target: Path, item: dict[str, Any], before: dict[str, Any] | None) -> bool:
    path = target / local_path(item)
    if not path.is_file() or path.stat().st_size != item["size"]:
        return True
    # Same size, other content: the item's checksum changed since the last pull.
    return before is not None and before.get("sha256") != item.get("sha256") and item.get("sha256") is not None


def _download(api: Api, item: dict[str, Any], path: Path, advance: Callable[[int], None]) -> None:
    """Stream the file to a temporary name, check its size and checksum, then rename it."""
    link = api.get(f"/media/{item['id']}/download")["url"]
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = atomic_target(path)
    digest = hashlib.sha256()
    try:
        with send(api.transfers, "GET", link, stream=True) as response:
            if response.status_code != 200:
                raise ApiError(response.status_code, f"Storage refused the download ({problem_error(response)}).")
            with partial.open("wb") as out:
                for block in response.iter_content(BLOCK):
                    out.write(block)
                    digest.update(block)
                    advance(len(block))
        if partial.stat().st_size != item["size"]:
            raise ApiError(0, f"The download stopped short ({partial.stat().st_size:,} of {item['size']:,} bytes).")
        if item.get("sha256") and digest.hexdigest() != item["sha256"]:
            raise ApiError(0, "The downloaded file does not match its SHA-256.")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _metadata_read(path: Path) -> dict[str, dict[str, Any]]:
    if not path.exists():
        return {}
    records = (json.loads(line) for line in path.read_text().splitlines() if line.strip())
    return {record["id"]: record for record in records}


def _metadata_write(path: Path, items: list[dict[str, Any]]) -> None:
    """Every field the API gives of every item, one JSON object a line, and `path`: where its
    file is (null for an item without one), written whole or not at all."""
    partial = atomic_target(path)
    with partial.open("w") as out:
        for item in sorted(items, key=lambda item: item["id"]):
            record = {**item, "path": local_path(item) if item["status"] == "ready" else None}
            out.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
    os.replace(partial, path)
