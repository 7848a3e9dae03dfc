"""Real media files the tests make themselves: images with EXIF (JPEG, HEIC), WAV, MP3, MP4 and PDF."""

from __future__ import annotations

import io
import struct
import wave
from pathlib import Path

import pypdf
from PIL import Image

EXIF_ORIENTATION, EXIF_DATETIME, EXIF_IFD, GPS_IFD, DATETIME_ORIGINAL = 0x0112, 0x0132, 0x8769, 0x8825, 0x9003


def jpeg(
    width: int = 64,
    height: int = 48,
    *,
    orientation: int | None = None,
    taken: str | None = None,
    gps: bool = False,
    color: tuple[int, int, int] = (200, 120, 40),
) -> bytes:
    """A JPEG whose left half is red and right half `color`, so a rotation shows."""
    image, exif = _photo(width, height, orientation=orientation, taken=taken, gps=gps, color=color)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif.tobytes())
    return out.getvalue()


def heic(
    width: int = 64,
    height: int = 48,
    *,
    orientation: int | None = None,
    taken: str | None = None,
    color: tuple[int, int, int] = (200, 120, 40),
) -> bytes:
    """A HEIC photo, as iPhones save them, made with pillow-heif's encoder: its EXIF
    orientation also becomes the file's own rotation. Left half red, right half `color`."""
    import pillow_heif

    image, exif = _photo(width, height, orientation=orientation, taken=taken, gps=False, color=color)
    out = io.BytesIO()
    pillow_heif.from_pillow(image).save(out, quality=90, exif=exif.tobytes())
    return out.getvalue()


def _photo(
    width: int, height: int, *, orientation: int | None, taken: str | None, gps: bool, color: tuple[int, int, int]
) -> tuple[Image.Image, Image.Exif]:
    image = Image.new("RGB", (width, height), color)
    image.paste((255, 0, 0), (0, 0, width // 2, height))
    exif = Image.Exif()
    if orientation:
        exif[EXIF_ORIENTATION] = orientation
    if taken:
        exif.get_ifd(EXIF_IFD)[DATETIME_ORIGINAL] = taken
    if gps:
        exif.get_ifd(GPS_IFD).update({1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)})
    return image, exif


def png(width: int = 32, height: int = 32) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (0, 128, 255, 200)).save(out, "PNG")
    return out.getvalue()


def png_of_pixels(width: int, height: int) -> bytes:
    """A 1-bit PNG: a small file, `width` × `height` pixels once decoded."""
    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, "PNG")
    return out.getvalue()


def wav(seconds: float, rate: int = 8000) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(b"\x00\x00" * int(rate * seconds))
    return out.getvalue()


def mp3(frames: int) -> bytes:
    """MPEG-1 Layer III, 128 kbit/s, 44.1 kHz: each 417-byte frame holds 1152 samples."""
    frame = bytes([0xFF, 0xFB, 0x90, 0x64]) + b"\x00" * 413
    return frame * frames


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def _full_box(kind: bytes, flags: int, payload: bytes) -> bytes:
    return _box(kind, struct.pack(">I", flags) + payload)


def mp4(width: int, height: int, seconds: float, *, media_bytes: int = 1000) -> bytes:
    """An MP4 with a video track of the given frame size and length; the sample data is
    filler, and the moov box comes after it, as many cameras write it."""
    timescale = 1000
    ticks = int(seconds * timescale)
    matrix = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
    mvhd = _full_box(
        b"mvhd",
        0,
        struct.pack(">IIII", 0, 0, timescale, ticks)
        + struct.pack(">IH", 0x10000, 0x100)
        + bytes(10)
        + matrix
        + bytes(24)
        + struct.pack(">I", 2),
    )
    tkhd = _full_box(
        b"tkhd",
        3,
        struct.pack(">IIIII", 0, 0, 1, 0, ticks)
        + bytes(8)
        + struct.pack(">hhhH", 0, 0, 0, 0)
        + matrix
        + struct.pack(">II", width << 16, height << 16),
    )
    mdhd = _full_box(b"mdhd", 0, struct.pack(">IIII", 0, 0, timescale, ticks) + struct.pack(">HH", 0x55C4, 0))
    hdlr = _full_box(b"hdlr", 0, struct.pack(">I", 0) + b"vide" + bytes(12) + b"VideoHandler\x00")
    moov = _box(b"moov", mvhd + _box(b"trak", tkhd + _box(b"mdia", mdhd + hdlr)))
    ftyp = _box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isommp42")
    return ftyp + struct.pack(">I4s", 8 + media_bytes, b"mdat") + bytes(media_bytes) + moov


def pdf(pages: int) -> bytes:
    writer = pypdf.PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def mp4_file(path: Path, *, size: int, width: int = 1280, height: int = 720, seconds: float = 60.0) -> Path:
    """`mp4` of exactly `size` bytes written to `path` in pieces, for files too big to build in memory."""
    small = mp4(width, height, seconds, media_bytes=0)
    mdat_at = small.index(b"mdat") - 4
    head, moov = small[:mdat_at], small[mdat_at + 8 :]
    media_bytes = size - len(head) - 8 - len(moov)
    block = bytes(1024 * 1024)
    with open(path, "wb") as out:
        out.write(head + struct.pack(">I4s", 8 + media_bytes, b"mdat"))
        remaining = media_bytes
        while remaining > 0:
            out.write(block[: min(remaining, len(block))])
            remaining -= len(block)
        out.write(moov)
    return path


def pdf_of_size(size: int) -> bytes:
    """A one-page PDF padded to about `size` bytes with a metadata string."""
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Padding": "x" * max(0, size - 1000)})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
