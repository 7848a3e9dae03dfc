"""Record factories (factory_boy's plain Factory: these are PynamoDB models)."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone
from ulid import ULID

from accounts.models import Role, User
from accounts.services import user_create
from search.services import NO_ENTRIES, index_entries, index_write
from uploads.models import Kind, MediaItem, Status, feed_key

PASSWORD = "correct horse battery staple"  # noqa: S105


class UserFactory(factory.Factory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    password = PASSWORD
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    role = Role.MEMBER

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return user_create(**kwargs)


class MediaItemFactory(factory.Factory):
    """A record only (no object in S3), with its search postings: for listing, search and
    ownership tests."""

    class Meta:
        model = MediaItem

    id = factory.LazyFunction(lambda: str(ULID()))
    owner = "alice"
    name = factory.Sequence(lambda n: f"Item {n}")
    caption = ""
    feed = factory.LazyAttribute(lambda item: feed_key(item.id))
    original_filename = "photo.jpg"
    s3_key = factory.LazyAttribute(lambda item: f"media/{item.id}/{item.original_filename}")
    file_url = factory.LazyAttribute(lambda item: f"https://mediahub-local.s3.amazonaws.com/{item.s3_key}")
    content_type = "image/jpeg"
    kind = Kind.IMAGE
    size = 1234
    status = Status.READY
    uploaded_at = factory.Sequence(lambda n: timezone.now() - timedelta(hours=1) + timedelta(seconds=n))
    updated_at = factory.SelfAttribute("uploaded_at")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        item = model_class(*args, **kwargs)
        item.save()
        index_write(before=NO_ENTRIES, after=index_entries(item))
        return item
