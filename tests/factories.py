"""Record factories (factory_boy's plain Factory: these are PynamoDB models)."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone
from ulid import ULID

from accounts.models import Role, User
from accounts.services import user_create
from uploads.models import Kind, MediaItem, Status

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
    """A record only (no object in S3): for listing and ownership tests."""

    class Meta:
        model = MediaItem

    id = factory.LazyFunction(lambda: str(ULID()))
    owner = "alice"
    name = factory.Sequence(lambda n: f"Item {n}")
    caption = ""
    search_text = factory.LazyAttribute(lambda item: f"{item.name}\n{item.caption}".casefold())
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
        return item
