"""Set a user's password from the terminal, like Django's own changepassword."""

from __future__ import annotations

import getpass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.exceptions import UserNotFound
from accounts.selectors import user_get
from accounts.services import user_set_password


class Command(BaseCommand):
    help = "Change a user's password. Every session of that user ends."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = user_get(options["username"])
        except UserNotFound as exc:
            raise CommandError(f"User {options['username']!r} does not exist.") from exc
        for _attempt in range(3):
            password = getpass.getpass(f"New password for {user.username}: ")
            if password != getpass.getpass("Password (again): "):
                self.stderr.write("The passwords differ.")
                continue
            try:
                user_set_password(user=user, password=password)
            except ValidationError as exc:
                self.stderr.write("; ".join(exc.messages))
                continue
            self.stdout.write(f"Password changed for {user.username}.")
            return
        raise CommandError("Too many attempts; the password is unchanged.")
