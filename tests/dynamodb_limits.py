"""DynamoDB's key-size limits as AWS enforces them, for moto, which does not check them on reads.

AWS refuses any request naming a partition key value over 2,048 bytes or a sort key value
over 1,024 bytes (of the table or of an index) with a ValidationException. `enforce()`
adds that refusal, before anything is sent, to every botocore client created afterwards:
the `dynamodb_key_limit` fixture in tests/conftest.py turns it on for a test.
"""

from __future__ import annotations

import base64
import re
from typing import Any

from botocore import handlers
from botocore.exceptions import ClientError

from mediahub import aws
from mediahub.aws import table_models

LIMITS = {"HASH": 2048, "RANGE": 1024}
EVENT = "before-parameter-build.dynamodb"


def enforce() -> None:
    """Refuse oversized keys on every DynamoDB client: those made from now on (botocore copies
    its built-in handlers into each new session) and those that exist already. Attaching
    to live clients instead of rebuilding them keeps this cheap enough for every test."""
    handlers.BUILTIN_HANDLERS.append((EVENT, refuse_oversized_keys))
    for client in _dynamodb_clients():
        client.meta.events.register(EVENT, refuse_oversized_keys)


def stop() -> None:
    handlers.BUILTIN_HANDLERS.remove((EVENT, refuse_oversized_keys))
    for client in _dynamodb_clients():
        client.meta.events.unregister(EVENT, refuse_oversized_keys)


def _dynamodb_clients() -> list[Any]:
    """PynamoDB's client of each model, and the project's own, made now if missing."""
    return [*(model._get_connection().connection.client for model in table_models()), aws.dynamodb()]


def refuse_oversized_keys(params: dict[str, Any], model: Any, **kwargs: Any) -> None:
    """Raise what AWS answers if the request names a key value over its limit."""
    for value, limit in _key_values(model.name, params):
        if _size(value) > limit:
            kind = "hash" if limit == LIMITS["HASH"] else "range"
            message = (
                f"One or more parameter values were invalid: Aggregated size of all {kind} keys "
                f"has exceeded the size limit of {limit} bytes"
            )
            raise ClientError({"Error": {"Code": "ValidationException", "Message": message}}, model.name)


def _key_values(operation: str, params: dict[str, Any]) -> list[tuple[dict[str, Any], int]]:
    """(value, byte limit) of every value DynamoDB reads as a key in this request."""
    table = params.get("TableName", "")
    if operation in ("GetItem", "DeleteItem", "UpdateItem"):
        return _keys_of(table, params.get("Key", {}))
    if operation == "PutItem":
        return _keys_of(table, params.get("Item", {}))
    if operation in ("Query", "Scan"):
        # A key condition compares its values with key attributes; the partition key's
        # limit (the larger) is the one checked here.
        values = params.get("ExpressionAttributeValues", {})
        placeholders = re.findall(r":\w+", params.get("KeyConditionExpression", ""))
        found = _keys_of(table, params.get("ExclusiveStartKey", {}))
        return found + [(values[placeholder], LIMITS["HASH"]) for placeholder in placeholders]
    if operation == "BatchGetItem":
        requests = params.get("RequestItems", {}).items()
        return [pair for t, request in requests for key in request.get("Keys", []) for pair in _keys_of(t, key)]
    if operation == "BatchWriteItem":
        writes = [(t, write) for t, batch in params.get("RequestItems", {}).items() for write in batch]
        items = [(t, w.get("PutRequest", {}).get("Item") or w["DeleteRequest"]["Key"]) for t, w in writes]
        return [pair for t, item in items for pair in _keys_of(t, item)]
    if operation in ("TransactGetItems", "TransactWriteItems"):
        actions = [next(iter(entry.values())) for entry in params.get("TransactItems", [])]
        items = [(a.get("TableName", ""), a.get("Key") or a.get("Item") or {}) for a in actions]
        return [pair for t, item in items for pair in _keys_of(t, item)]
    return []


def _keys_of(table: str, item: dict[str, Any]) -> list[tuple[dict[str, Any], int]]:
    limits = _key_limits().get(table, {})
    return [(value, limits[name]) for name, value in item.items() if name in limits]


def _key_limits() -> dict[str, dict[str, int]]:
    """Table name -> key attribute -> its byte limit, for each table's key and its indexes' keys."""
    limits: dict[str, dict[str, int]] = {}
    for model in table_models():
        schema = model._get_schema()
        indexes = schema["global_secondary_indexes"] + schema["local_secondary_indexes"]
        parts = [*schema["key_schema"], *(part for index in indexes for part in index["key_schema"])]
        table = limits.setdefault(model.Meta.table_name, {})
        for part in parts:
            # An attribute that is a sort key anywhere is held to the smaller limit.
            name = part["AttributeName"]
            table[name] = min(table.get(name, LIMITS["HASH"]), LIMITS[part["KeyType"]])
    return limits


def _size(value: dict[str, Any]) -> int:
    (kind, raw), *_ = value.items()
    if kind == "S":
        return len(raw.encode("utf-8"))
    if kind == "B":
        return len(raw) if isinstance(raw, bytes) else len(base64.b64decode(raw))
    return len(str(raw))
