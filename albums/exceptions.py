"""Domain errors of albums and tags (see mediahub.exceptions for their HTTP statuses)."""

from __future__ import annotations

from mediahub.exceptions import Conflict, InvalidInput, NotFound, TooLarge


class AlbumNotFound(NotFound):
    """No such album, or one the caller may not see."""

    default_message = "There is no such album, or it is not yours to see."


class TooManyAlbums(Conflict):
    """The item is in as many albums as an item may be."""


class TooManyItems(TooLarge):
    """More items in one request than one request may change."""


class BadTags(InvalidInput):
    """Tags that cannot be stored (too long, too many, empty, invisible characters)."""


class NotInAlbum(NotFound):
    """The item is not in that album."""

    default_message = "That item is not in this album."


class CoverNotInAlbum(InvalidInput):
    """The chosen cover is not an item of the album."""

    default_message = "The cover must be one of the album's items."
