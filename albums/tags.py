"""What a tag is: free text, normalised so that one tag has one spelling.

NFKC (full-width and compatibility forms become their plain letters), case-folded,
trimmed, inner whitespace collapsed to one space. A tag holds no comma (the form's
separator) and no invisible control character; at most MAX_TAG_LENGTH characters, at
most MAX_TAGS on an item.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

MAX_TAG_LENGTH = 40
MAX_TAGS = 20
_SPACES = re.compile(r"\s+")
# Explicit bidi embeddings, overrides and isolates: they reorder what is shown.
_BIDI_EXPLICIT = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class InvalidTag(ValueError):
    """A tag that cannot be stored; the message says why."""


def tag_normalise(text: str) -> str:
    """The one spelling of a tag; InvalidTag if there is none."""
    if any("\ud800" <= char <= "\udfff" for char in text):
        raise InvalidTag("A tag must be valid Unicode text.")
    # Twice: case folding can undo NFKC ("ß" + U+0301 folds to "ss" + U+0301, which NFKC
    # composes to "sś"), and the one spelling must not change when normalised again (a
    # tag's link, an edit saving the tags it shows). Once is enough for every other tag.
    tag = _fold(_fold(text))
    if not tag:
        raise InvalidTag("A tag cannot be empty.")
    if "," in tag:
        raise InvalidTag("A tag cannot hold a comma: commas separate tags.")
    if any(char in _BIDI_EXPLICIT or unicodedata.category(char) in ("Cc", "Cf", "Cs") for char in tag):
        raise InvalidTag("A tag cannot hold invisible control characters.")
    if len(tag) > MAX_TAG_LENGTH:
        raise InvalidTag(f"A tag has at most {MAX_TAG_LENGTH} characters: “{tag[:MAX_TAG_LENGTH]}…” is longer.")
    return tag


def _fold(text: str) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def tags_normalise(texts: Iterable[str]) -> list[str]:
    """Each tag once, normalised, in the order first given; InvalidTag for any bad one or
    for more than MAX_TAGS."""
    found: dict[str, None] = {}
    for text in texts:
        found.setdefault(tag_normalise(text))
    if len(found) > MAX_TAGS:
        raise InvalidTag(f"An item has at most {MAX_TAGS} tags.")
    return list(found)


def tags_parse(text: str) -> list[str]:
    """Tags typed as one line, separated by commas (empty pieces ignored)."""
    return tags_normalise(piece for piece in text.split(",") if piece.strip())
