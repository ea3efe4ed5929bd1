"""Progress of long steps: a log line at least every 10 s with rows done, rate and time left.

A silent step of several minutes looks hung (the demo once sat 6 min 24 s without a line). `Progress`
counts rows the caller reports; `Progress.watch_sql` reads DuckDB's own progress of the statement a
connection is running (`query_progress()`, safe from another thread), for steps that are one big query,
and `Progress.phase` for a file whose rows pass through several statements. `heartbeat` is the floor
under all of them: every step that opens the warehouse gets a line whenever no finer line was logged for
`EVERY_SECONDS`. Numbers are rounded: a log line is read by a person.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import duckdb

EVERY_SECONDS = 10.0
_last_line = [0.0]  # time.monotonic() of the latest line of any Progress in this process


def _rate(done: int, seconds: float) -> str:
    r = done / seconds
    return f"{r:,.1f}" if r < 10 else f"{r:,.0f}"


def _seconds(s: float) -> str:
    return f"{s:.0f} s" if s < 120 else f"{s / 60:.1f} min"


class Progress:
    """`with Progress(log, "scoring churn", total=n, unit="customers") as p: ... p.advance(k)`.

    Logs `what: done/total unit (pct), rate unit/s, about T left` every `every` seconds from a
    background thread while the block runs, and one closing line; nothing when `log` is None."""

    def __init__(
        self,
        log: Callable[[str], None] | None,
        what: str,
        total: int | None = None,
        unit: str = "rows",
        every: float = EVERY_SECONDS,
        closing: bool = True,
    ):
        self.log, self.what, self.total, self.unit, self.every = log, what, total, unit, every
        self.closing = closing
        self.done = 0
        self.seconds = 0.0
        self._fraction: Callable[[], float | None] | None = None
        self._phase: str | None = None
        self._phase_started = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def advance(self, n: int) -> None:
        self.done += n

    def phase(self, label: str, con: duckdb.DuckDBPyConnection) -> None:
        """From here on, lines read the progress of the statement `con` runs, as one pass of `label`
        over the rows: rate and time left are of this pass (each statement goes from 0 to 100%)."""
        _track(con)
        self._fraction = lambda: _statement_fraction(con)
        self._phase, self._phase_started = label, time.perf_counter()

    def line(self, elapsed: float) -> str:
        done = self.done
        fraction = None
        total_elapsed = elapsed
        if self._phase is not None:
            elapsed = time.perf_counter() - self._phase_started
        if self._fraction is not None:
            fraction = self._fraction()
            if fraction is not None and self.total:
                done = int(fraction * self.total)
        elif self.total:
            fraction = done / self.total if self.total else None
        parts = [f"{self.what} ({self._phase}): " if self._phase else f"{self.what}: "]
        if self.total and (fraction is not None or self._fraction is None):
            parts.append(f"{done:,}/{self.total:,} {self.unit}")
        elif done:
            parts.append(f"{done:,} {self.unit}")
        else:
            parts.append("running")
        if fraction is not None:
            parts.append(f" ({fraction:.0%})")
        if done and elapsed > 0:
            parts.append(f", {_rate(done, elapsed)} {self.unit}/s")
        if fraction and 0 < fraction < 1:
            left = _seconds(elapsed * (1 - fraction) / fraction)
            parts.append(f", about {left} left" + (" in this pass" if self._phase else ""))
        parts.append(f", {_seconds(total_elapsed)} so far")
        return "".join(parts)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            _last_line[0] = time.monotonic()
            self.log(self.line(time.perf_counter() - self._started))

    def __enter__(self) -> Progress:
        self._started = time.perf_counter()
        if self.log:
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self.seconds = time.perf_counter() - self._started
        if self._fraction is not None and self.total and exc[0] is None:
            self.done = self.total
        if self._thread is not None:
            self._thread.join()
            if exc[0] is None and self.closing:
                rows = f"{self.done:,} {self.unit} " if self.done else ""
                rate = f" ({_rate(self.done, self.seconds)} {self.unit}/s)" if self.done and self.seconds > 0 else ""
                self.log(f"{self.what}: {rows}done in {_seconds(self.seconds)}{rate}")

    @classmethod
    def watch_sql(
        cls,
        log,
        what: str,
        con: duckdb.DuckDBPyConnection,
        total: int | None = None,
        unit: str = "rows",
        every: float = EVERY_SECONDS,
    ) -> Progress:
        """Progress of the statements `con` runs inside the block, as DuckDB estimates it."""
        p = cls(log, what, total, unit, every)
        _track(con)
        p._fraction = lambda: _statement_fraction(con)
        return p


def _track(con: duckdb.DuckDBPyConnection) -> None:
    # A Python connection keeps no progress (query_progress() is -1) unless the progress bar is on;
    # printing stays off, the log lines are the bar.
    con.execute("set enable_progress_bar = true; set enable_progress_bar_print = false; set progress_bar_time = 0")


def _statement_fraction(con: duckdb.DuckDBPyConnection) -> float | None:
    pct = con.query_progress()
    return None if pct is None or pct < 0 else min(pct / 100.0, 1.0)


@contextmanager
def heartbeat(log: Callable[[str], None] | None, what: str, con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """While the block runs, a line every `EVERY_SECONDS` in which no `Progress` spoke: the share done and
    time left of the statement `con` runs, or "running" while the step works elsewhere (Python, Splink's
    own connection), and the time so far. No step is silent for long, whatever it does."""
    if log is None:
        yield
        return
    every = EVERY_SECONDS
    _track(con)
    stop = threading.Event()
    started = time.perf_counter()

    def run() -> None:
        while not stop.wait(every):
            if time.monotonic() - _last_line[0] < every:
                continue  # a finer line is being logged
            fraction = _statement_fraction(con)
            elapsed = time.perf_counter() - started
            state = "running"
            if fraction is not None and 0 < fraction < 1:
                state = f"statement {fraction:.0%} done"
            log(f"{what}: {state}, {_seconds(elapsed)} so far")

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
