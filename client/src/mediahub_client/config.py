"""Where the client keeps the portal's URL and the token: the user's config directory,
readable by the user alone (the token is as good as their password for the API)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path


class NotSignedIn(Exception):
    """No URL and token stored or given in the environment."""


@dataclass(frozen=True)
class Config:
    url: str
    token: str


def config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "mediahub" / "config.json"


def config_load() -> Config:
    """The stored URL and token, each overridden by MEDIAHUB_URL and MEDIAHUB_TOKEN if set."""
    stored: dict[str, str] = {}
    path = config_path()
    if path.exists():
        stored = json.loads(path.read_text())
    url = os.environ.get("MEDIAHUB_URL") or stored.get("url", "")
    token = os.environ.get("MEDIAHUB_TOKEN") or stored.get("token", "")
    if not url or not token:
        raise NotSignedIn("Not signed in: run `mediahub login URL` first.")
    return Config(url=url, token=token)


def config_save(config: Config) -> Path:
    """Write the config file with mode 0600 (its folder 0700), replacing any before."""
    path = config_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as out:
        json.dump({"url": config.url, "token": config.token}, out)
    os.chmod(partial, 0o600)
    os.replace(partial, path)
    return path
