"""Progress bars (one per file in flight, one overall) and messages, on stderr; plain
lines and no bars when stderr is not a terminal."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)


class Display:
    def __init__(self, *, total: int, label: str) -> None:
        self.console = Console(stderr=True, highlight=False)
        self.progress = Progress(
            TextColumn("{task.description}", table_column=None),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=self.console,
            disable=not self.console.is_terminal,
            transient=False,
        )
        self.overall = self.progress.add_task(label, total=total)
        self._lock = threading.Lock()

    def __enter__(self) -> Display:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def say(self, message: str) -> None:
        with self._lock:
            self.console.print(message, markup=False)

    def done_without_transfer(self, size: int) -> None:
        self.progress.advance(self.overall, size)

    @contextmanager
    def file(self, name: str, size: int) -> Iterator[Callable[[int], None]]:
        """A bar for one file while it is worked on; yields what to call with bytes sent."""
        task: TaskID = self.progress.add_task(name[-40:], total=size)

        def advance(sent: int) -> None:
            self.progress.advance(task, sent)
            self.progress.advance(self.overall, sent)

        try:
            yield advance
        finally:
            remaining = size - int(self.progress.tasks[self._index(task)].completed)
            self.progress.advance(self.overall, max(remaining, 0))
            self.progress.remove_task(task)

    def _index(self, task: TaskID) -> int:
        return next(i for i, t in enumerate(self.progress.tasks) if t.id == task)
