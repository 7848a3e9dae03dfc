"""The DynamoDB session engine against Django's own contract for session engines, on moto."""

from __future__ import annotations

import pytest
from django.test import SimpleTestCase

from accounts.sessions import SessionStore
from tests.accounts.django_session_tests import SessionTestsMixin


@pytest.mark.usefixtures("aws")
class TestSessionStoreContract(SessionTestsMixin, SimpleTestCase):
    backend = SessionStore
