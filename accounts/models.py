"""Users, sessions and login-failure counters in DynamoDB (PynamoDB)."""

from __future__ import annotations

from django.db.models import TextChoices
from django.utils.crypto import salted_hmac
from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from mediahub.aws import table_meta

# Longer usernames cannot be created, so looking one up needs no DynamoDB read (whose
# keys stop at 2,048 bytes).
USERNAME_MAX_LENGTH = 150


class Role(TextChoices):
    """What a user may do: members see their own media, admins everybody's and the users."""

    MEMBER = "member", "Member"
    ADMIN = "admin", "Admin"


class User(Model):
    """A person who can sign in. Keyed by the normalized (lower-case) username."""

    Meta = table_meta("users")

    username = UnicodeAttribute(hash_key=True)
    password = UnicodeAttribute()
    email = UnicodeAttribute(default="")
    role = UnicodeAttribute(default=Role.MEMBER)
    is_active = BooleanAttribute(default=True)
    date_joined = UTCDateTimeAttribute()
    last_login = UTCDateTimeAttribute(null=True)

    # What Django's templates, decorators and password validators expect of a user.
    is_authenticated = True
    is_anonymous = False

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_staff(self) -> bool:
        return self.is_admin

    def get_username(self) -> str:
        return self.username

    def session_auth_hash(self) -> str:
        """Changes with the password, so a new password ends other sessions."""
        return salted_hmac("accounts.User.session_auth_hash", self.password, algorithm="sha256").hexdigest()

    def __str__(self) -> str:
        return self.username


class AnonymousUser:
    username = ""
    role = ""
    is_authenticated = False
    is_anonymous = True
    is_active = False
    is_admin = False
    is_staff = False

    def __str__(self) -> str:
        return "anonymous"


class SessionsByUserIndex(GlobalSecondaryIndex["SessionRecord"]):
    """The sessions of one user, so deactivation can end them all."""

    class Meta:
        index_name = "by-username"
        projection = KeysOnlyProjection()

    username = UnicodeAttribute(hash_key=True)


class SessionRecord(Model):
    """A server-side session. DynamoDB's TTL deletes it late, so reads check expiry too."""

    Meta = table_meta("sessions")

    session_key = UnicodeAttribute(hash_key=True)
    data = UnicodeAttribute()
    username = UnicodeAttribute(null=True)
    expires_at = TTLAttribute()

    by_username = SessionsByUserIndex()


class LoginFailures(Model):
    """Sign-in attempts for one username or one client address within a window: each is
    counted before its password is checked, and a successful one is taken off again
    (accounts.throttling)."""

    Meta = table_meta("throttle")

    key = UnicodeAttribute(hash_key=True)
    failures = NumberAttribute(default=0)
    window_start = UTCDateTimeAttribute()
    expires_at = TTLAttribute()


class Scope(TextChoices):
    """What a personal access token may do through the API."""

    READ = "read", "Read only"
    READ_WRITE = "read-write", "Read and write"


class TokensByUserIndex(GlobalSecondaryIndex["AccessToken"]):
    """One user's tokens, newest first: their tokens page, and ending them all at once."""

    class Meta:
        index_name = "by-username"
        projection = AllProjection()

    username = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class AccessToken(Model):
    """A personal access token for the API, keyed by its SHA-256: the token itself is shown
    once, when it is made. DynamoDB's TTL deletes it late, so every use checks expiry too."""

    Meta = table_meta("tokens")

    token_hash = UnicodeAttribute(hash_key=True)
    username = UnicodeAttribute()
    name = UnicodeAttribute()
    scope = UnicodeAttribute(default=Scope.READ)
    created_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute()
    last_used_at = UTCDateTimeAttribute(null=True)

    by_username = TokensByUserIndex()

    @property
    def can_write(self) -> bool:
        return self.scope == Scope.READ_WRITE


TABLES = (User, SessionRecord, LoginFailures, AccessToken)
