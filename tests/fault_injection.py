"""Faults at the AWS client boundary, for in-process (moto) tests.

Every S3 and DynamoDB call, ours through boto3 and PynamoDB's, goes through botocore's
`BaseClient._make_api_call`; wrapping it lets a test make a chosen call fail, or cut a
streamed body off halfway, exactly where a real outage would. The live suite in
tests/faults/ stalls a real MiniStack instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.client import BaseClient
from botocore.exceptions import EndpointConnectionError, ReadTimeoutError, ResponseStreamingError

Params = dict[str, Any]


def timeout() -> Exception:
    """What botocore raises when AWS accepted the connection but did not answer in time."""
    return ReadTimeoutError(endpoint_url="https://aws.invalid/")


def unreachable() -> Exception:
    return EndpointConnectionError(endpoint_url="https://aws.invalid/")


@dataclass
class Fault:
    """When `operation` is called with params for which `when` holds (`times` times; None:
    always): first run `before`, if given, then raise `error`, if given, else go on."""

    operation: str
    error: Callable[[], Exception] | None = timeout
    when: Callable[[Params], bool] = lambda params: True
    times: int | None = None
    before: Callable[[Params], None] | None = None
    skip: int = 0  # matching calls to let through first
    hits: int = 0
    seen: int = 0

    def applies(self, operation: str, params: Params) -> bool:
        if operation != self.operation or not self.when(params):
            return False
        self.seen += 1
        return self.seen > self.skip and (self.times is None or self.hits < self.times)


@dataclass
class CutBody:
    """Let `operation` answer, but break its streamed body after `after` bytes, `times` times,
    for calls whose params satisfy `when`."""

    operation: str
    after: int
    times: int = 1
    when: Callable[[Params], bool] = lambda params: True
    hits: int = 0


@dataclass
class Injector:
    faults: list[Fault | CutBody] = field(default_factory=list)
    calls: list[tuple[str, Params]] = field(default_factory=list)

    def fail(self, operation: str, error: Callable[[], Exception] = timeout, **options: Any) -> Fault:
        return self._add(Fault(operation, error, **options))

    def before(self, operation: str, action: Callable[[Params], None], **options: Any) -> Fault:
        """Run `action` just before the call, which then goes ahead (to stage a race)."""
        return self._add(Fault(operation, None, before=action, **{"times": 1, **options}))

    def _add(self, fault: Fault) -> Fault:
        self.faults.append(fault)
        return fault

    def cut_body(self, operation: str, *, after: int, **options: Any) -> CutBody:
        cut = CutBody(operation, after, **options)
        self.faults.append(cut)
        return cut

    def called(self, operation: str) -> int:
        return sum(1 for name, _ in self.calls if name == operation)


class _BrokenStream:
    """A streaming body that breaks off after `after` bytes, like a dropped connection."""

    def __init__(self, body: Any, after: int) -> None:
        self.body, self.left = body, after

    def iter_chunks(self, chunk_size: int = 1024) -> Iterator[bytes]:
        for chunk in self.body.iter_chunks(chunk_size):
            if len(chunk) >= self.left:
                yield chunk[: self.left]
                raise ResponseStreamingError(error="Connection broken: IncompleteRead")
            self.left -= len(chunk)
            yield chunk

    def read(self, amount: int | None = None) -> bytes:
        return b"".join(self.iter_chunks())

    def close(self) -> None:
        self.body.close()


@pytest.fixture
def faults(monkeypatch: pytest.MonkeyPatch) -> Injector:
    """Inject faults into AWS calls made during the test (see Injector)."""
    injector = Injector()
    original = BaseClient._make_api_call

    def make_api_call(client: BaseClient, operation: str, params: Params) -> Any:
        injector.calls.append((operation, params))
        for fault in injector.faults:
            if isinstance(fault, Fault) and fault.applies(operation, params):
                fault.hits += 1
                if fault.before is not None:
                    fault.before(params)
                if fault.error is not None:
                    raise fault.error()
        response = original(client, operation, params)
        for fault in injector.faults:
            if (
                isinstance(fault, CutBody)
                and fault.operation == operation
                and fault.when(params)
                and fault.hits < fault.times
            ):
                fault.hits += 1
                response["Body"] = _BrokenStream(response["Body"], fault.after)
        return response

    monkeypatch.setattr(BaseClient, "_make_api_call", make_api_call)
    return injector
