"""Secret tokens (share links, personal access tokens): 256 random bits handed out once,
their SHA-256 kept in DynamoDB.

A token is as unguessable as a key, so one unsalted hash (as GitHub stores its tokens)
is enough: the tables alone open nothing, and a lookup costs one read.
"""

from __future__ import annotations

import hashlib
import re
import secrets

from pynamodb.models import Model

TOKEN_BYTES = 32
# token_urlsafe(32): 43 characters of the URL-safe base64 alphabet, after any prefix.
_BODY = r"[A-Za-z0-9_-]{43}"
# The hash as it stands in a table and in the forms that withdraw a token.
TOKEN_HASH = re.compile(r"[0-9a-f]{64}")


def token_new(prefix: str = "") -> str:
    """A new token; a prefix lets secret scanners and people tell what it opens."""
    return prefix + secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_well_formed(token: str, prefix: str = "") -> bool:
    """Whether `token` could be one we made: anything else is refused without a read."""
    return re.fullmatch(re.escape(prefix) + _BODY, token) is not None


def record_for_hash[Record: Model](model: type[Record], hash_: str) -> Record | None:
    """The record `model` keys by this token hash (as a page names it), read consistently;
    None if it is not a hash at all (no read then) or names nothing."""
    if not TOKEN_HASH.fullmatch(hash_):
        return None
    try:
        return model.get(hash_, consistent_read=True)
    except model.DoesNotExist:
        return None
