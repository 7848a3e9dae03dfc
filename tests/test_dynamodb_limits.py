"""The `dynamodb_key_limit` fixture refuses what AWS refuses, and only that."""

from __future__ import annotations

import pytest
from django.utils import timezone
from pynamodb.exceptions import GetError, PutError, QueryError

from accounts.models import SessionRecord

pytestmark = pytest.mark.usefixtures("aws")

HUGE = "a" * 3000


def test_the_guard_refuses_oversized_keys_as_aws_does(dynamodb_key_limit):
    with pytest.raises(GetError) as read:
        SessionRecord.get(HUGE)
    with pytest.raises(PutError) as write:
        SessionRecord(session_key="b" * 2049, data="", expires_at=timezone.now()).save()
    with pytest.raises(QueryError) as query:
        list(SessionRecord.by_username.query(HUGE))

    assert read.value.cause_response_code == "ValidationException"
    assert write.value.cause_response_code == "ValidationException"
    assert query.value.cause_response_code == "ValidationException"
    SessionRecord(session_key="c" * 2048, data="", expires_at=timezone.now()).save()  # at the limit: fine


def test_without_it_moto_reads_any_key():
    with pytest.raises(SessionRecord.DoesNotExist):
        SessionRecord.get(HUGE)
