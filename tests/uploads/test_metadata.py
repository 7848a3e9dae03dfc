"""Pure helpers of uploads.metadata: the media type grammar and the names files download under."""

from __future__ import annotations

import pytest

from uploads.metadata import clean_filename, filename_for_type, parse_media_type

OFFICE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.mark.parametrize(
    ("declared", "parsed"),
    [
        ("image/png", "image/png"),
        ("IMAGE/PNG", "image/png"),
        (OFFICE, OFFICE),
        ("image/svg+xml", "image/svg+xml"),
        ("video/x-matroska", "video/x-matroska"),
        ("a" * 127 + "/" + "b" * 127, "a" * 127 + "/" + "b" * 127),
        ("a" * 128 + "/b", None),
        ("image/png\r\nX-Evil: 1", None),
        ("image/png\n", None),
        ("image/png; charset=utf-8", None),
        (" image/png", None),
        ("image/*", None),
        ("image/", None),
        ("image", None),
        ("-image/png", None),
        ("image/\u212aa", None),  # the Kelvin sign lower-cases to an ASCII k
        ("", None),
    ],
)
def test_parse_media_type_takes_a_bare_rfc_6838_type_and_lower_cases_it(declared, parsed):
    assert parse_media_type(declared) == parsed


@pytest.mark.parametrize(
    ("filename", "cleaned"),
    [
        ("holiday.jpg", "holiday.jpg"),
        ("Straße am Meer.jpg", "Straße am Meer.jpg"),
        ("invoice\u202egnp.exe", "invoicegnp.exe"),
        ("\u2067abc\u2069\u200f.png", "abc.png"),
        ("a\x00b\x1b[31m\x7f\x9b.png", "ab[31m.png"),
        ("line\u2028break.png", "linebreak.png"),
        ("lone\ud800.png", "lone.png"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\photo.png", "photo.png"),
        ("  spaced.png  ", "spaced.png"),
        ("\u202e", "file"),
        ("..", "file"),
        ("", "file"),
    ],
)
def test_clean_filename_removes_what_hides_or_reorders_a_name(filename, cleaned):
    assert clean_filename(filename) == cleaned


@pytest.mark.parametrize(
    ("filename", "content_type", "result"),
    [
        ("photo.jpg", "image/jpeg", "photo.jpg"),
        ("photo.JPEG", "image/jpeg", "photo.JPEG"),
        ("photo.jpe", "image/jpeg", "photo.jpe"),
        ("evil.html", "image/jpeg", "evil.jpg"),
        ("evil.HTML", "image/png", "evil.png"),
        ("evil.svg", "image/png", "evil.png"),
        ("photo.webp", "image/png", "photo.png"),
        ("setup.exe", "application/pdf", "setup.pdf"),
        ("run.bat", "text/plain", "run.txt"),
        ("notes.txt", "text/plain", "notes.txt"),
        ("notes.md", "text/markdown", "notes.md"),
        ("scan", "application/pdf", "scan.pdf"),
        ("notes.v2", "text/plain", "notes.v2.txt"),
        ("clip.mov", "video/quicktime", "clip.mov"),
        ("clip.avi", "video/mp4", "clip.mp4"),
        ("song.mp4", "audio/mp4", "song.m4a"),
        (".html", "image/png", ".html.png"),
        ("evil\u202egpj.html", "image/jpeg", "evilgpj.jpg"),
        ("x" * 255, "image/png", "x" * 251 + ".png"),
        ("report.html", "application/x-unheard-of", "report"),
        ("report.final", "application/x-unheard-of", "report.final"),
    ],
)
def test_filename_for_type_makes_the_extension_agree_with_the_sniffed_type(filename, content_type, result):
    assert filename_for_type(filename, content_type) == result


def test_filename_for_type_is_stable():
    once = filename_for_type("evil\u202egpj.html", "image/jpeg")

    assert filename_for_type(once, "image/jpeg") == once
