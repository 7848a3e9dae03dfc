"""Make sure the portal has an admin; on first start create one and print its password once."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.exceptions import UsernameTaken
from accounts.models import Role
from accounts.selectors import admin_exists
from accounts.services import user_create


class Command(BaseCommand):
    help = "Create an admin with a generated password unless an active admin exists."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="admin")

    def handle(self, *args: Any, **options: Any) -> None:
        if admin_exists():
            self.stdout.write('An admin exists already (forgotten password: make manage ARGS="changepassword NAME").')
            return
        password = secrets.token_urlsafe(12)
        try:
            user = user_create(username=options["username"], password=password, role=Role.ADMIN)
        except UsernameTaken as exc:
            raise CommandError(
                f"{options['username']!r} exists but is not an active admin; pass --username to pick another name."
            ) from exc
        banner = "=" * 60
        self.stdout.write(
            f"{banner}\nCreated the first admin. Sign in with:\n"
            f"  username: {user.username}\n  password: {password}\n"
            f"This password is shown only now.\n{banner}"
        )
