"""A Django session engine that keeps sessions in DynamoDB.

Set `SESSION_ENGINE = "accounts.sessions"`. Saves are conditional: creating
never overwrites another session, and updating never resurrects a session that
logout or deactivation deleted meanwhile.
"""

from __future__ import annotations

from typing import Any, TypeGuard

from django.contrib.sessions.backends.base import CreateError, SessionBase, UpdateError
from django.utils import timezone
from pynamodb.exceptions import PutError

from accounts.models import SessionRecord
from mediahub.aws import condition_failed

SESSION_USER_KEY = "_auth_username"
SESSION_HASH_KEY = "_auth_user_hash"
# Django's rule for a session key is 8 characters or more (SessionBase and its contract
# tests); DynamoDB refuses a key over 2,048 bytes. Keys this engine makes are 32 of [a-z0-9].
SESSION_KEY_MIN_LENGTH = 8
DYNAMODB_KEY_MAX_BYTES = 2048


def well_formed(session_key: str | None) -> TypeGuard[str]:
    """Whether `session_key` is a key Django accepts and DynamoDB can look up. Anything
    else in a cookie is no session, decided without asking DynamoDB."""
    if session_key is None or len(session_key) < SESSION_KEY_MIN_LENGTH:
        return False
    return len(session_key.encode("utf-8", "surrogatepass")) <= DYNAMODB_KEY_MAX_BYTES


class SessionStore(SessionBase):
    # django-stubs leaves out SessionBase's private helpers (_get_session and friends),
    # which Django's own backends call as this one does; hence the ignores below.

    def _validate_session_key(self, key: str | None) -> bool:
        return well_formed(key)

    def load(self) -> dict[str, Any]:
        record = self._get_record(self.session_key)
        if record is None:
            self._session_key = None
            return {}
        return self.decode(record.data)

    def exists(self, session_key: str | None) -> bool:
        return self._get_record(session_key) is not None

    def create(self) -> None:
        while True:
            self._session_key = self._get_new_session_key()  # type: ignore[attr-defined]
            try:
                self.save(must_create=True)
            except CreateError:
                continue
            self.modified = True
            return

    def save(self, must_create: bool = False) -> None:
        if self.session_key is None:
            return self.create()
        data = self._get_session(no_load=must_create)  # type: ignore[attr-defined]
        session_key = self._get_or_create_session_key()  # type: ignore[attr-defined]
        record = SessionRecord(
            session_key=session_key,
            data=self.encode(data),
            username=data.get(SESSION_USER_KEY),
            expires_at=self.get_expiry_date(),
        )
        # Create only what is new; update only what still exists (logout may have deleted it).
        key = SessionRecord.session_key
        condition = key.does_not_exist() if must_create else key.exists()
        try:
            record.save(condition=condition)
        except PutError as exc:
            if not condition_failed(exc):
                raise
            raise (CreateError if must_create else UpdateError) from exc
        return None

    def delete(self, session_key: str | None = None) -> None:
        session_key = session_key or self.session_key
        if not well_formed(session_key):
            return
        SessionRecord(session_key=session_key).delete()

    @classmethod
    def clear_expired(cls) -> None:
        """Nothing to do: the table's TTL attribute removes expired sessions."""

    @staticmethod
    def _get_record(session_key: str | None) -> SessionRecord | None:
        if not well_formed(session_key):
            return None
        try:
            record = SessionRecord.get(session_key, consistent_read=True)
        except SessionRecord.DoesNotExist:
            return None
        if record.expires_at <= timezone.now():
            return None
        return record
