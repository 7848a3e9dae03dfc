"""`mediahub push`: upload files and folder trees straight to S3 through the API's upload
protocol, skipping what the server already holds and resuming what an earlier run left."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from mediahub_client.api import Api, ApiError, problem_error, send
from mediahub_client.display import Display
from mediahub_client.files import FormBody, LocalFile, MiB, fingerprint_of, read_range, sha256_of

# S3's limits on multipart uploads, and the API's on signing.
SMALLEST_PART = 5 * MiB
MOST_PARTS = 10_000
SIGN_AT_ONCE = 100
# The portal's own uploader uses parts of at least 8 MiB: the same size lets either resume
# what the other started.
PART_SIZE = 8 * MiB


@dataclass
class Outcome:
    uploaded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    parts_sent: int = 0


@dataclass(frozen=True)
class Job:
    file: LocalFile
    caption: str


def part_size_for(size: int) -> int:
    return max(PART_SIZE, math.ceil(size / MOST_PARTS))


# Files up to this size go in batches: one request declares up to BATCH of them and one
# finishes them, instead of a lookup, a declaration and a finish each.
SMALL = 16 * MiB
BATCH = 100
BATCHES_PER_JOB = 5


@dataclass(frozen=True)
class Prepared:
    """A file to send, with what identifies it to the portal."""

    job: Job
    sha256: str
    fingerprint: str

    @property
    def label(self) -> str:
        return str(self.job.file.path)

    def declaration(self) -> dict[str, Any]:
        path = self.job.file.path
        return {
            "name": path.stem or path.name,
            "caption": self.job.caption,
            "filename": path.name,
            "size": self.job.file.size,
            "type": "",
            "fingerprint": self.fingerprint,
        }


class Pusher:
    """Uploads files `jobs` at a time: small ones in batches (declared and finished together,
    their bytes sent one by one), large ones alone, each's parts `jobs` at a time too."""

    def __init__(self, api: Api, display: Display, *, jobs: int) -> None:
        self.api, self.display, self.jobs = api, display, jobs
        self.outcome = Outcome()
        self._lock = threading.Lock()
        self._unfinished: list[dict[str, Any]] = api.get("/uploads")

    def run(self, work: list[Job]) -> Outcome:
        with ThreadPoolExecutor(max_workers=self.jobs) as pool:
            try:
                prepared = self._not_held(list(pool.map(self._prepare, work)), pool)
                futures = [pool.submit(task) for task in self._tasks(prepared)]
                for future in as_completed(futures):
                    future.result()
            except KeyboardInterrupt:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
        return self.outcome

    def _prepare(self, job: Job) -> Prepared | None:
        """The file's SHA-256 and fingerprint, or None (reported) if it cannot be read."""
        path = job.file.path
        try:
            return Prepared(job=job, sha256=sha256_of(path), fingerprint=fingerprint_of(path, job.file.size))
        except OSError as exc:
            self._failed(str(path), str(exc))
            return None

    def _not_held(self, prepared: list[Prepared | None], pool: ThreadPoolExecutor) -> list[Prepared]:
        """The files to send: not already on the server (asked BATCH checksums a request,
        `jobs` requests at a time), nor a copy of one sent earlier in this run. The others
        are skipped."""
        readable = [file for file in prepared if file is not None]
        checksums = list(dict.fromkeys(file.sha256 for file in readable))
        asked = [checksums[start : start + BATCH] for start in range(0, len(checksums), BATCH)]
        held: set[str] = set()
        for found in pool.map(lambda some: self.api.post("/media/sha256", {"sha256": some})["found"], asked):
            held.update(found)
        fresh, seen = [], set()
        for file in readable:
            if file.sha256 in held or file.sha256 in seen:
                self.display.done_without_transfer(file.job.file.size)
                self._done(file.label, "skipped")
            else:
                seen.add(file.sha256)
                fresh.append(file)
        return fresh

    def _tasks(self, files: list[Prepared]) -> list[Callable[[], None]]:
        """Small files in batches, first (so that some are done early and progress shows),
        then each large file, or one an earlier run left unfinished, alone."""
        small, alone = [], []
        for file in files:
            unfinished = self._claim_unfinished(file.job.file.path.name, file.job.file.size, file.fingerprint)
            if unfinished is None and file.job.file.size <= SMALL:
                small.append(file)
            else:
                alone.append(partial(self.push_one, file, unfinished))
        # Batches small enough that every worker has a few (while one waits for the portal
        # to check its batch, the others send bytes), at most BATCH files each.
        size = max(1, min(BATCH, math.ceil(len(small) / (self.jobs * BATCHES_PER_JOB))))
        batches = [partial(self.push_batch, small[at : at + size]) for at in range(0, len(small), size)]
        return [*batches, *alone]

    def push_one(self, file: Prepared, unfinished: dict[str, Any] | None) -> None:
        try:
            result = self._push(file, unfinished)
        except (ApiError, OSError) as exc:  # refused by the server, or unreadable here
            self._failed(file.label, str(exc))
            return
        self._done(file.label, result)

    def push_batch(self, files: list[Prepared]) -> None:
        """Declare the files at once, POST each one's bytes, then finish them at once; each
        file's outcome is its own (a refusal is reported with the server's reason)."""
        try:
            declared = self.api.post("/upload-batches", {"files": [file.declaration() for file in files]})["uploads"]
        except ApiError as exc:
            for file in files:
                self._failed(file.label, str(exc))
            return
        sent: dict[str, Prepared] = {}
        for file, outcome in zip(files, declared, strict=True):
            if outcome["status"] >= 300:
                self._failed(file.label, outcome["detail"])
                continue
            try:
                if self._send(file, outcome["upload"]):
                    sent[outcome["upload"]["item"]["id"]] = file
                else:
                    self._done(file.label, "uploaded")
            except (ApiError, OSError) as exc:
                self._failed(file.label, str(exc))
        if sent:
            self._finish(sent)

    def _send(self, file: Prepared, upload: dict[str, Any]) -> bool:
        """The file's bytes: one POST (True: it awaits its finish) or, if the portal asked
        for parts, its parts and their completion (False: done)."""
        path, size = file.job.file.path, file.job.file.size
        with self.display.file(path.name, size) as advance:
            if upload.get("post"):
                self._post(path, upload["post"], advance)
                return True
            self._send_parts(path, size, upload["item"]["id"], held={}, advance=advance)
            return False

    def _finish(self, sent: dict[str, Prepared]) -> None:
        try:
            finished = self.api.post("/upload-batches/finish", {"ids": list(sent)})["items"]
        except ApiError as exc:
            for file in sent.values():
                self._failed(file.label, str(exc))
            return
        for outcome in finished:
            file = sent[outcome["id"]]
            if outcome["status"] < 300:
                self._done(file.label, "uploaded")
            else:
                self._failed(file.label, outcome["detail"] or f"The server answered {outcome['status']}.")

    def _done(self, label: str, result: str) -> None:
        with self._lock:
            (self.outcome.skipped if result == "skipped" else self.outcome.uploaded).append(label)
        self.display.say(f"{result:<10}{label}")

    def _failed(self, label: str, reason: str) -> None:
        self.display.say(f"{'failed':<10}{label}: {reason}")
        with self._lock:
            self.outcome.failed.append((label, reason))

    def _push(self, file: Prepared, unfinished: dict[str, Any] | None) -> str:
        path, size = file.job.file.path, file.job.file.size
        with self.display.file(path.name, size) as advance:
            if unfinished is not None and unfinished["resumable"]:
                self._resume(path, size, file.fingerprint, unfinished["item"], advance)
                return "resumed"
            if unfinished is not None and self._finished_earlier(unfinished["item"]):
                return "resumed"
            created = self.api.post("/uploads", file.declaration())
            item = created["item"]
            if created.get("post"):
                self._post(path, created["post"], advance)
                self.api.post(f"/uploads/{item['id']}/finish")
            else:
                self._send_parts(path, size, item["id"], held={}, advance=advance)
        return "uploaded"

    def _claim_unfinished(self, filename: str, size: int, fingerprint: str) -> dict[str, Any] | None:
        """An unfinished upload of this very file (name, size, fingerprint), taken from the
        list so that no other file of this run takes it up too."""
        identity = (filename, size, fingerprint)
        with self._lock:
            for upload in self._unfinished:
                item: dict[str, Any] = upload["item"]
                if (item["original_filename"], item["size"], upload.get("fingerprint")) == identity:
                    self._unfinished.remove(upload)
                    return upload
        return None

    def _finished_earlier(self, item: dict[str, Any]) -> bool:
        """A single-POST upload an earlier run left pending (stopped between the POST and
        `finish`): finished now if its bytes reached S3, else cancelled, so that the file
        is sent again as a new upload and never ends up twice."""
        try:
            self.api.post(f"/uploads/{item['id']}/finish")
        except ApiError as exc:
            if exc.status != 409:  # 409: the file has not arrived; anything else is the file's fate
                raise
            self.api.call("DELETE", f"/uploads/{item['id']}")
            return False
        return True

    def _resume(
        self, path: Path, size: int, fingerprint: str, item: dict[str, Any], advance: Callable[[int], None]
    ) -> None:
        self.api.post(
            f"/uploads/{item['id']}/resume", {"filename": path.name, "size": size, "fingerprint": fingerprint}
        )
        held = {part["part_number"]: part for part in self.api.get(f"/uploads/{item['id']}/parts")}
        self._send_parts(path, size, item["id"], held=held, advance=advance)

    def _post(self, path: Path, post: dict[str, Any], advance: Callable[[int], None]) -> None:
        body = FormBody(post["fields"], path=path, filename=path.name, progress=advance)
        try:
            response = self.api.transfers.post(
                post["url"], data=body, headers={"Content-Type": body.content_type}, timeout=(10, 600)
            )
        finally:
            body.close()
        if response.status_code >= 300:
            raise ApiError(response.status_code, f"Storage refused the file ({response.status_code}).")

    def _send_parts(
        self, path: Path, size: int, media_id: str, *, held: dict[int, dict[str, Any]], advance: Callable[[int], None]
    ) -> None:
        part_size = part_size_for(size)
        first = held.get(1)
        if first and first.get("size") and first["size"] >= SMALLEST_PART and first["size"] < size:
            part_size = first["size"]  # started elsewhere with another part size: keep it
        count = math.ceil(size / part_size)
        lengths = {n: min(part_size, size - (n - 1) * part_size) for n in range(1, count + 1)}
        etags = {n: p["etag"] for n, p in held.items() if n in lengths and p.get("size") in (None, lengths[n])}
        advance(sum(lengths[n] for n in etags))
        missing = [n for n in lengths if n not in etags]
        for start in range(0, len(missing), SIGN_AT_ONCE):
            batch = missing[start : start + SIGN_AT_ONCE]
            urls = self.api.post(f"/uploads/{media_id}/parts", {"part_numbers": batch})["urls"]
            with ThreadPoolExecutor(max_workers=self.jobs) as pool:
                sent = {
                    n: pool.submit(self._put_part, urls[str(n)], path, (n - 1) * part_size, lengths[n], advance)
                    for n in batch
                }
                etags.update({n: future.result() for n, future in sent.items()})
        parts = [{"part_number": n, "etag": etags[n]} for n in sorted(etags)]
        self.api.post(f"/uploads/{media_id}/complete", {"parts": parts})

    def _put_part(self, url: str, path: Path, start: int, length: int, advance: Callable[[int], None]) -> str:
        data = read_range(path, start=start, length=length)
        response = send(self.api.transfers, "PUT", url, data=data)
        if response.status_code >= 300 or "ETag" not in response.headers:
            error = problem_error(response)
            raise ApiError(response.status_code, f"Storage refused a part ({error}).")
        with self._lock:
            self.outcome.parts_sent += 1
        advance(length)
        return response.headers["ETag"]


def push(api: Api, files: list[LocalFile], *, caption: str, jobs: int) -> Outcome:
    total = sum(file.size for file in files)
    with Display(total=total, label=f"{len(files)} files") as display:
        return Pusher(api, display, jobs=jobs).run([Job(file=file, caption=caption) for file in files])
