"""Media Hub's command-line client: talks only to the public API v1."""

from __future__ import annotations

__version__ = "0.1.0"
