"""Domain errors raised by search (see mediahub.exceptions)."""

from __future__ import annotations

from mediahub.exceptions import InvalidInput


class InvalidSearch(InvalidInput):
    """The search text holds nothing to search for, or too much; the message says which."""


class InvalidReindexCursor(InvalidInput):
    """A --resume value that search_reindex did not print."""

    default_message = "That is not a cursor search_reindex printed; start again without --resume."
