"""Share tokens: 256 random bits in a link, their SHA-256 in DynamoDB.

A token is as unguessable as a key, so one unsalted hash (as GitHub stores its tokens)
is enough: the table alone opens nothing, and a lookup costs one read.
"""

from __future__ import annotations

import hashlib
import re
import secrets

TOKEN_BYTES = 32
# token_urlsafe(32): 43 characters of the URL-safe base64 alphabet.
TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
# The hash as it stands in the table and in the owner's revoke forms.
TOKEN_HASH = re.compile(r"[0-9a-f]{64}")


def token_new() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_well_formed(token: str) -> bool:
    """Whether `token` could be one we made: anything else is refused without a read."""
    return TOKEN.fullmatch(token) is not None
