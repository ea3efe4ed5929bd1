"""Synthetic resident IDs and mobile numbers for tests.

Project rule: no full ID or mobile number is committed, not even in fixtures, so tests build them
from parts at run time, as the generator does (tests/unit/test_no_personal_data_in_repo.py checks).
"""

from __future__ import annotations

from models.identity.idcard import check_char


def resident_id(region: str, birth_yyyymmdd: str, seq3: str, check: str | None = None) -> str:
    """18-character ID; pass `check` to plant a wrong or lower-case check character."""
    body = region + birth_yyyymmdd + seq3
    return body + (check_char(body) if check is None else check)


def old_id(region: str, birth_yymmdd: str, seq3: str) -> str:
    """15-digit pre-1999 ID (two-digit year, no check character)."""
    return region + birth_yymmdd + seq3


def mobile(prefix3: str, rest8: str, sep: str = "") -> str:
    """Mobile number as 3-4-4 digit groups joined by `sep` ("", "-" or " ")."""
    return sep.join((prefix3, rest8[:4], rest8[4:]))
