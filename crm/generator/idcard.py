"""Resident ID numbers per GB 11643-1999, and the ways real systems spoil them."""

from __future__ import annotations

import numpy as np

WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
CHECK_CHARS = "10X98765432"


def check_char(body17: str) -> str:
    """ISO 7064 MOD 11-2 check character."""
    return CHECK_CHARS[sum(int(d) * int(w) for d, w in zip(body17, WEIGHTS)) % 11]


def make_id(region: str, birth_yyyymmdd: str, seq: int) -> str:
    body = f"{region}{birth_yyyymmdd}{seq:03d}"
    return body + check_char(body)


def seq_for_sex(rng: np.random.Generator, male: bool) -> int:
    """3-digit sequence whose parity is the sex: odd = male."""
    s = int(rng.integers(0, 500)) * 2 + (1 if male else 0)
    return max(s, 1) if male else s


def is_valid(idno: str) -> bool:
    return len(idno) == 18 and idno[:17].isdigit() and check_char(idno[:17]) == idno[17].upper()


def to15(idno: str) -> str:
    """Old 15-digit form: region + YYMMDD + sequence, no check character."""
    return idno[:6] + idno[8:14] + idno[14:17]


def mistype(idno: str, rng: np.random.Generator) -> str:
    """One digit of the body typed wrong (the check character then usually fails)."""
    i = int(rng.integers(6, 17))
    d = (int(idno[i]) + int(rng.integers(1, 10))) % 10
    return idno[:i] + str(d) + idno[i + 1 :]


def wrong_check(idno: str, rng: np.random.Generator) -> str:
    good = idno[17]
    alts = [c for c in CHECK_CHARS if c != good]
    return idno[:17] + alts[int(rng.integers(len(alts)))]
