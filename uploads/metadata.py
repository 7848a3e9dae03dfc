"""What a file is: its kind from a content type, and its type sniffed from its first bytes.

Pure Python (filetype), so it runs on Lambda with no system packages.
"""

from __future__ import annotations

import mimetypes

import filetype

from uploads.models import Kind

# How many leading bytes sniffing needs: the longest signature filetype checks,
# with room for container headers (MP4's ftyp box, ZIP-based office files).
SNIFF_BYTES = 8192

ALLOWED_KINDS = frozenset({Kind.IMAGE, Kind.VIDEO, Kind.AUDIO, Kind.DOCUMENT})

DOCUMENT_TYPES = frozenset(
    {
        "application/pdf",
        "application/msword",
        "application/rtf",
        "text/plain",
        "text/csv",
        "text/markdown",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    }
)
# Documents with no magic number: recognised as text that decodes cleanly.
TEXT_DOCUMENT_TYPES = frozenset({"text/plain", "text/csv", "text/markdown"})


def content_type_for(filename: str, declared: str | None) -> str:
    """The type a filename suggests, else the client's claim."""
    guessed, _ = mimetypes.guess_type(filename)
    return guessed or declared or "application/octet-stream"


def kind_for(content_type: str) -> str:
    major = content_type.split("/", 1)[0]
    if major in (Kind.IMAGE, Kind.VIDEO, Kind.AUDIO):
        return major
    if content_type in DOCUMENT_TYPES:
        return Kind.DOCUMENT
    return Kind.OTHER


def sniff_content_type(head: bytes, *, declared: str) -> str | None:
    """The content type the first bytes show, or None if they match nothing we know.

    Plain-text documents carry no signature; they pass when the declaration says
    text and the bytes are text.
    """
    guess = filetype.guess(head)
    if guess is not None:
        return guess.mime
    if declared in TEXT_DOCUMENT_TYPES and _looks_like_text(head):
        return declared
    return None


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut off at the end of the sample is still text.
        return exc.start >= len(head) - 3
    return True
