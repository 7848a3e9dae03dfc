"""What a file is: its kind from a content type, and its type sniffed from its first bytes.

Pure Python (filetype), so it runs on Lambda with no system packages.
"""

from __future__ import annotations

import mimetypes
import posixpath
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from types import ModuleType
from typing import BinaryIO

import filetype
from django.conf import settings

from uploads.models import Kind

# The parsers (Pillow, hachoir, pypdf) are imported where they are used: page views on
# a cold Lambda then never pay for them.

EXIF_ORIENTATION = 0x0112
EXIF_DATETIME = 0x0132
EXIF_IFD = 0x8769
EXIF_DATETIME_ORIGINAL = 0x9003
# EXIF orientations that show the picture a quarter turn from how it is stored.
QUARTER_TURNS = frozenset({5, 6, 7, 8})
# Image types most browsers cannot show: a WebP rendition is stored beside the original.
NEEDS_PREVIEW = frozenset({"image/heic", "image/heif"})

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


# RFC 6838 section 4.2: a media type is `type/subtype`, each a restricted-name of 1 to 127
# characters. No parameters, spaces or line breaks: the type is signed into a POST policy
# and sent as a header.
_RESTRICTED_NAME = r"[a-z0-9][a-z0-9!#$&^_.+-]{0,126}"
MEDIA_TYPE = re.compile(f"{_RESTRICTED_NAME}/{_RESTRICTED_NAME}")

# Invisible characters that reorder the text around them (U+202E shows "photo\u202egpj.exe"
# as "photoexe.jpg"): the explicit embeddings, overrides and isolates; and the implicit
# marks, which only steer the text next to them (right-to-left writing uses them).
BIDI_EXPLICIT = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
BIDI_CONTROLS = BIDI_EXPLICIT | frozenset("\u061c\u200e\u200f")
# Control characters, lone surrogates and line or paragraph separators.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})
MAX_FILENAME = 255

# The extensions that agree with a type, where neither filetype nor Python's own table
# has them right: plain text must not keep .bat or .pl, which Python lists for text/plain.
_TEXT_EXTENSIONS = {"text/plain": (".txt", ".text"), "text/csv": (".csv",), "text/markdown": (".md", ".markdown")}


def parse_media_type(value: str) -> str | None:
    """`value` lower-cased if it is a bare RFC 6838 media type (`image/png`), else None."""
    lowered = value.lower()
    return lowered if value.isascii() and MEDIA_TYPE.fullmatch(lowered) else None


def clean_filename(filename: str) -> str:
    """The client's filename fit to offer as a download name: its last path segment
    without control characters, bidi controls or lone surrogates, and not empty."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(char for char in name if not _hidden(char)).strip()
    return kept[:MAX_FILENAME] if kept not in ("", ".", "..") else "file"


def _hidden(char: str) -> bool:
    return char in BIDI_CONTROLS or unicodedata.category(char) in _HIDDEN_CATEGORIES


def filename_for_type(filename: str, content_type: str) -> str:
    """`filename`, cleaned as by clean_filename, with an extension that agrees with
    `content_type` (the sniffed type).

    An extension that already names the type stays (`photo.jpeg` for image/jpeg); one
    that names another type is replaced by the type's usual one (`evil.html` becomes
    `evil.jpg`); anything else gets it appended (`scan` becomes `scan.pdf`,
    `notes.v2` becomes `notes.v2.txt`). For a type with no known extension, an
    extension naming another type is dropped.
    """
    name = clean_filename(filename)
    stem, ext = posixpath.splitext(name)
    agreeing = _extensions_for(content_type)
    if ext.lower() in agreeing:
        return name
    if ext and _names_a_type(ext.lower()):
        name = stem
    usual = agreeing[0] if agreeing else ""
    return name[: MAX_FILENAME - len(usual)] + usual


def _extensions_for(content_type: str) -> tuple[str, ...]:
    """The extensions that agree with the type, its usual one first."""
    if content_type in _TEXT_EXTENSIONS:
        return _TEXT_EXTENSIONS[content_type]
    known = filetype.get_type(mime=content_type)
    usual = (f".{known.extension}",) if known else ()
    return tuple(dict.fromkeys((*usual, *_builtin_types().guess_all_extensions(content_type))))


def _names_a_type(ext: str) -> bool:
    return bool(
        _builtin_types().guess_type(f"file{ext}")[0]
        or filetype.get_type(ext=ext[1:])
        or any(ext in extensions for extensions in _TEXT_EXTENSIONS.values())
    )


@lru_cache(maxsize=1)
def _builtin_types() -> mimetypes.MimeTypes:
    # Python's built-in table only, not the machine's /etc/mime.types: names must come
    # out the same on Lambda as on a laptop.
    return mimetypes.MimeTypes()


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
        return str(guess.mime)
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


class Unreadable(Exception):
    """The content could not be read as the kind of file it appears to be."""


@dataclass(frozen=True)
class Extracted:
    """What the file itself says about it; fields that do not apply stay None."""

    width: int | None = None
    height: int | None = None
    orientation: int | None = None
    taken_at: datetime | None = None
    duration: float | None = None
    page_count: int | None = None


def extract(source: BinaryIO, *, kind: str, content_type: str) -> Extracted:
    """Read what we record from a seekable file, touching only the parts needed."""
    try:
        if kind == Kind.IMAGE:
            return _image(source)
        if kind in (Kind.VIDEO, Kind.AUDIO):
            return _timed(source, kind)
        if content_type == "application/pdf":
            import pypdf

            return Extracted(page_count=len(pypdf.PdfReader(source).pages))
    except Unreadable:
        raise
    except Exception as exc:
        raise Unreadable(f"The {kind} could not be read: it looks damaged or incomplete.") from exc
    return Extracted()


def _image(source: BinaryIO) -> Extracted:
    Image = pillow()
    try:
        opened = Image.open(source)  # reads the header only
    except Image.DecompressionBombError as exc:
        # Pillow refuses outright above twice the budget, before we see the size.
        pixels = re.search(r"\((\d+) pixels\)", str(exc))
        raise Unreadable(_too_many_pixels(int(pixels.group(1)) if pixels else None)) from exc
    with opened as image:
        if image.width * image.height > settings.MEDIAHUB_MAX_IMAGE_PIXELS:
            raise Unreadable(_too_many_pixels(image.width * image.height, image.size))
        exif = image.getexif()
        taken = exif.get_ifd(EXIF_IFD).get(EXIF_DATETIME_ORIGINAL) or exif.get(EXIF_DATETIME)
        # pillow-heif hands HEIF images over already turned upright, their EXIF orientation
        # reset to 1 and the file's own kept aside; recorded as for a JPEG: the size as
        # stored, and the orientation that turns it.
        orientation = image.info.get("original_orientation") or exif.get(EXIF_ORIENTATION)
        width, height = image.size
        if image.format == "HEIF" and orientation in QUARTER_TURNS:
            width, height = height, width
        return Extracted(width=width, height=height, orientation=orientation, taken_at=_exif_time(taken))


def pillow() -> ModuleType:
    """Pillow's Image module, its decompression-bomb limit set to the portal's pixel budget.

    Images above MEDIAHUB_MAX_IMAGE_PIXELS would not fit in the function's memory once
    decoded (a 657 KB PNG can hold 13,000 × 13,000 pixels, 676 MB as RGBA), so they are
    refused from their header, before any pixel is decoded.
    """
    from pi_heif import register_heif_opener
    from PIL import Image  # on first use, not at cold start

    Image.MAX_IMAGE_PIXELS = settings.MEDIAHUB_MAX_IMAGE_PIXELS
    register_heif_opener()  # HEIC/HEIF, as iPhones save photos; AVIF is Pillow's own
    return Image


def _too_many_pixels(pixels: int | None, size: tuple[int, int] | None = None) -> str:
    budget = f"images may have up to {settings.MEDIAHUB_MAX_IMAGE_PIXELS / 1e6:.0f} megapixels"
    if pixels is None:
        return f"The image has too many pixels; {budget}."
    dimensions = f"{size[0]:,} × {size[1]:,} pixels, " if size else ""
    return f"The image is {dimensions}{pixels / 1e6:.0f} megapixels; {budget}."


def _exif_time(value: object) -> datetime | None:
    # EXIF keeps local time with no zone; recorded as written, marked UTC for storage.
    try:
        return datetime.strptime(str(value).strip("\x00 "), "%Y:%m:%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def _timed(source: BinaryIO, kind: str) -> Extracted:
    from hachoir.core import config as hachoir_config
    from hachoir.metadata import extractMetadata
    from hachoir.parser import guessParser
    from hachoir.stream import InputIOStream

    hachoir_config.quiet = True  # it would print parser warnings to stderr
    parser = guessParser(InputIOStream(source, source="s3"))
    metadata = extractMetadata(parser) if parser else None
    if metadata is None or not metadata.has("duration"):
        raise Unreadable(f"The {kind} could not be read: no duration found in it.")
    return Extracted(
        duration=metadata.get("duration").total_seconds(),
        width=metadata.get("width") if metadata.has("width") else None,
        height=metadata.get("height") if metadata.has("height") else None,
    )
