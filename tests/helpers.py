"""Figures the suite adds up as it runs, printed at the end by tests/conftest.py's
pytest_terminal_summary (e.g. "bad inputs tried: 180, 5xx seen: 0")."""

from __future__ import annotations

FIGURES: dict[str, int] = {}


def add_figure(name: str, amount: int = 1) -> None:
    """Add `amount` to the figure `name` (which then shows in the summary, even at 0)."""
    FIGURES[name] = FIGURES.get(name, 0) + amount
