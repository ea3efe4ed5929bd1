"""The simulated month axis: history months up to end_date, then 12 undelivered months."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

FUTURE_MONTHS = 12


@dataclass(frozen=True)
class Calendar:
    end_date: date
    history: int  # H: months delivered; month H-1 is the month of end_date
    daily: int  # daily deliveries after end_date

    @property
    def months(self) -> int:
        return self.history + FUTURE_MONTHS

    @property
    def first_month(self) -> np.datetime64:
        return np.datetime64(self.end_date, "M") - (self.history - 1)

    def month_start(self, k) -> np.ndarray:
        """First day of month k (k may be negative or an array)."""
        return (self.first_month + np.asarray(k)).astype("datetime64[D]")

    def month_end(self, k) -> np.ndarray:
        return (self.first_month + np.asarray(k) + 1).astype("datetime64[D]") - 1

    def days_in(self, k) -> np.ndarray:
        return (self.month_end(k) - self.month_start(k)).astype(int) + 1

    @property
    def daily_dates(self) -> list[np.datetime64]:
        return [np.datetime64(self.end_date) + i for i in range(1, self.daily + 1)]
