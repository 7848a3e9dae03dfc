"""Create an admin user in DynamoDB, like Django's own createsuperuser."""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.exceptions import UsernameTaken
from accounts.models import Role
from accounts.services import user_create


class Command(BaseCommand):
    help = "Create an admin. With --noinput the password comes from DJANGO_SUPERUSER_PASSWORD."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", help="Username (or DJANGO_SUPERUSER_USERNAME).")
        parser.add_argument("--email", default=None, help="Email address (or DJANGO_SUPERUSER_EMAIL).")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive", help="Do not prompt.")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"] or os.environ.get("DJANGO_SUPERUSER_USERNAME", "")
        email = options["email"] if options["email"] is not None else os.environ.get("DJANGO_SUPERUSER_EMAIL", "")
        if options["interactive"]:
            username = username or input("Username: ").strip()
            password = self._prompt_password()
        else:
            password = os.environ.get("DJANGO_SUPERUSER_PASSWORD", "")
            if not username or not password:
                raise CommandError(
                    "With --noinput, give --username (or DJANGO_SUPERUSER_USERNAME) and set DJANGO_SUPERUSER_PASSWORD."
                )
        try:
            user = user_create(username=username, password=password, email=email, role=Role.ADMIN)
        except UsernameTaken as exc:
            raise CommandError(f"Error: the username {username!r} is already taken.") from exc
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"Admin {user.username} created.")

    def _prompt_password(self) -> str:
        while True:
            password = getpass.getpass("Password: ")
            if password and password == getpass.getpass("Password (again): "):
                return password
            self.stderr.write("Error: the passwords are empty or differ.")
