"""Production settings: secure by default, and no start without a secret."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True
    )


def test_check_deploy_is_clean_for_production():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", DJANGO_SECRET_KEY="a-long-random-production-secret-" * 3
    )

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off." in result.stderr


def test_no_relational_database_and_no_migrations(settings):
    from django.apps import apps

    # Django stands a dummy backend in for an empty DATABASES; any query would fail.
    assert {db["ENGINE"] for db in settings.DATABASES.values()} <= {"django.db.backends.dummy"}
    assert not any((Path(app.path) / "migrations").exists() for app in apps.get_app_configs())
