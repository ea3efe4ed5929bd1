"""The hashing key comes from the environment; outside the demo its absence is a clear error."""

from __future__ import annotations

import pytest

from models import settings


def test_missing_key_outside_the_demo_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("CRM_PII_KEY", raising=False)
    monkeypatch.setenv("CRM_DEMO", "0")
    with pytest.raises(settings.MissingPiiKey, match="CRM_PII_KEY is not set"):
        settings.pii_key()


def test_key_from_the_environment_wins_over_the_demo_key(monkeypatch):
    monkeypatch.setenv("CRM_PII_KEY", "bank-secret")
    assert settings.pii_key() == b"bank-secret"
    monkeypatch.delenv("CRM_PII_KEY")
    assert settings.pii_key() == settings.DEMO_PII_KEY.encode()  # CRM_DEMO=1 from conftest
