"""A TCP proxy on loopback that can stall or cut the traffic between the portal and AWS.

The portal under test points AWS_ENDPOINT_URL at the proxy, so every S3 and DynamoDB call
crosses it. `pause()` holds every byte in both directions (like a store that stopped
answering: connections open, nothing comes back) until `resume()`; `drop()` cuts every
open connection mid-stream (like a store that died), after which new ones go through.
`when_downloaded(n, action)` runs `pause` or `drop` once n more bytes have come back from
the store, so a fault lands mid-stream at a chosen point rather than by timing luck.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

BUFFER = 64 * 1024


class FaultProxy:
    def __init__(self, *, upstream_port: int) -> None:
        self.upstream = ("127.0.0.1", upstream_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        self.flowing = threading.Event()
        self.flowing.set()
        self.connections: set[socket.socket] = set()
        self.lock = threading.Lock()
        self.closed = False
        self.downloaded = 0
        self.trigger: tuple[int, Callable[[], None]] | None = None
        threading.Thread(target=self._accept, name="fault-proxy", daemon=True).start()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def pause(self) -> None:
        self.flowing.clear()

    def resume(self) -> None:
        self.flowing.set()

    @contextmanager
    def paused(self) -> Iterator[None]:
        self.pause()
        try:
            yield
        finally:
            self.resume()

    def when_downloaded(self, count: int, action: Callable[[], None]) -> None:
        with self.lock:
            self.trigger = (self.downloaded + count, action)

    def drop(self) -> None:
        """Cut every open connection, as if the store died mid-answer."""
        with self.lock:
            doomed, self.connections = self.connections, set()
        for sock in doomed:
            _close(sock)

    def close(self) -> None:
        self.closed = True
        self.resume()
        _close(self.listener)
        self.drop()

    def _accept(self) -> None:
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream)
            except OSError:
                _close(client)
                continue
            with self.lock:
                self.connections.update((client, server))
            for source, target, downstream in ((client, server, False), (server, client, True)):
                threading.Thread(target=self._pump, args=(source, target, downstream), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket, downstream: bool) -> None:
        try:
            while True:
                self.flowing.wait()
                data = source.recv(BUFFER)
                if not data:
                    break
                if downstream:
                    self._count(len(data))
                # Bytes read just before a pause are held until the pause ends.
                self.flowing.wait()
                target.sendall(data)
        except OSError:
            pass
        finally:
            _close(source)
            _close(target)

    def _count(self, size: int) -> None:
        with self.lock:
            self.downloaded += size
            due = self.trigger is not None and self.downloaded >= self.trigger[0]
            action = self.trigger[1] if self.trigger is not None and due else None
            if due:
                self.trigger = None
        if action is not None:
            action()


def _close(sock: socket.socket) -> None:
    with suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
