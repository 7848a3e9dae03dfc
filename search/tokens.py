"""Words as search sees them: folded (NFKD, combining marks dropped, case-folded) and split at
Unicode word boundaries, with their edge n-grams (the prefixes a person types).

The bounds keep one item's index entries, and so the write cost of an upload, bounded
whatever its caption holds (README, "Search"):
- an item is indexed by its first MAX_WORDS distinct words (name first, then the original
  filename, then the caption), each cut to MAX_WORD_LENGTH characters;
- each word is posted under its prefixes from MIN_PREFIX to MAX_PREFIX characters, so one
  item has at most MAX_WORDS × (MAX_PREFIX - MIN_PREFIX + 1) = 288 terms.
A query word longer than MAX_PREFIX is looked up by its first MAX_PREFIX characters and
checked whole against the item's words.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

MIN_PREFIX = 2
MAX_PREFIX = 10
MAX_WORDS = 32
MAX_WORD_LENGTH = 24
MAX_QUERY_WORDS = 8


def fold(text: str) -> str:
    """`text` with diacritics removed and case folded: "Café" and "CAFE" both give "cafe"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def _split(folded: str) -> Iterator[str]:
    """The words of folded text: runs of letters and digits (not the underscore, so
    IMG_2041 is two words, as it reads), each with the marks that follow its letters, as
    Unicode's word boundaries keep them: the vowel signs of Devanagari, Bengali or Tamil
    are inside a word, not between two."""
    word = ""
    for char in folded:
        if char.isalnum() or (word and unicodedata.category(char).startswith("M")):
            word += char
        elif word:
            yield word
            word = ""
    if word:
        yield word


def words(*texts: str) -> list[str]:
    """The distinct folded words of `texts`, in order, at most MAX_WORDS of them."""
    found: dict[str, None] = {}
    for text in texts:
        for word in _split(fold(text)):
            found.setdefault(word[:MAX_WORD_LENGTH])
            if len(found) == MAX_WORDS:
                return list(found)
    return list(found)


def prefixes(word: str) -> list[str]:
    """The terms a word is posted under: its first 2, 3, … up to MAX_PREFIX characters."""
    return [word[:length] for length in range(MIN_PREFIX, min(len(word), MAX_PREFIX) + 1)]


def terms(item_words: list[str]) -> set[str]:
    """Every term an item with these words is posted under."""
    return {term for word in item_words for term in prefixes(word)}


def query_words(text: str) -> list[str]:
    """The distinct folded words of a search, or ValueError saying why it cannot run."""
    asked = list(dict.fromkeys(word[:MAX_WORD_LENGTH] for word in _split(fold(text))))
    if not any(len(word) >= MIN_PREFIX for word in asked):
        raise ValueError("Type at least two letters or digits of a word to search.")
    if len(asked) > MAX_QUERY_WORDS:
        raise ValueError(f"Search for at most {MAX_QUERY_WORDS} words at once.")
    return asked


def matches(asked: list[str], item_words: list[str]) -> bool:
    """Whether every asked word begins one of the item's words."""
    return all(any(word.startswith(term) for word in item_words) for term in asked)
