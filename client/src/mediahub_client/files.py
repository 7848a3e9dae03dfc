"""Local files: which ones a push sends, their SHA-256 and fingerprint, and a streamed
multipart/form-data body for S3's presigned POST."""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

MiB = 1024 * 1024
BLOCK = MiB


@dataclass(frozen=True)
class LocalFile:
    path: Path
    size: int


def files_under(paths: Iterable[Path]) -> list[LocalFile]:
    """Each file given, and every file in each folder given (recursively, hidden ones
    skipped), in a stable order, each once."""
    found: dict[Path, LocalFile] = {}
    for given in paths:
        candidates = [given] if given.is_file() else sorted(p for p in given.rglob("*") if p.is_file())
        for path in candidates:
            relative = path.relative_to(given).parts if path != given else ()
            if any(part.startswith(".") for part in relative):
                continue
            found.setdefault(path.resolve(), LocalFile(path=path, size=path.stat().st_size))
    return list(found.values())


def sha256_of(path: Path, *, progress: Callable[[int], None] | None = None) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while block := source.read(BLOCK):
            digest.update(block)
            if progress:
                progress(len(block))
    return digest.hexdigest()


def fingerprint_of(path: Path, size: int) -> str:
    """SHA-256 of the first MiB followed by the last MiB (the whole file below 2 MiB), as
    the portal's uploader computes it: what identifies the file when an upload resumes."""
    with path.open("rb") as source:
        head = source.read(MiB)
        source.seek(max(MiB, size - MiB))
        tail = source.read()
    return hashlib.sha256(head + tail).hexdigest()


class FormBody:
    """A multipart/form-data body of `fields` then the file, read from disk as it is sent
    (requests streams an object with read() and a length), reporting bytes of the file sent."""

    def __init__(self, fields: dict[str, str], *, path: Path, filename: str, progress: Callable[[int], None]) -> None:
        boundary = secrets.token_hex(16)
        self.content_type = f"multipart/form-data; boundary={boundary}"
        head = "".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            for name, value in fields.items()
        )
        quoted = filename.replace('"', "%22").replace("\r", "").replace("\n", "")
        head += f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{quoted}"\r\n'
        head += "Content-Type: application/octet-stream\r\n\r\n"
        self._head = head.encode()
        self._tail = f"\r\n--{boundary}--\r\n".encode()
        self._size = path.stat().st_size
        self._file: BinaryIO = path.open("rb")
        self._progress = progress
        self._stage = 0

    def __len__(self) -> int:
        return len(self._head) + self._size + len(self._tail)

    def read(self, wanted: int = -1) -> bytes:
        if self._stage == 0:
            self._stage = 1
            return self._head
        if self._stage == 1:
            block = self._file.read(wanted if wanted and wanted > 0 else BLOCK)
            if block:
                self._progress(len(block))
                return block
            self._stage = 2
            return self._tail
        return b""

    def close(self) -> None:
        self._file.close()


def read_range(path: Path, *, start: int, length: int) -> bytes:
    with path.open("rb") as source:
        source.seek(start)
        return source.read(length)


def atomic_target(path: Path) -> Path:
    """A temporary name beside `path` (same folder, so a rename replaces it at once)."""
    return path.with_name(f".{path.name}.{os.getpid()}.partial")
