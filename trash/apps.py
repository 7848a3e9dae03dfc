from __future__ import annotations

from django.apps import AppConfig


class TrashConfig(AppConfig):
    name = "trash"
