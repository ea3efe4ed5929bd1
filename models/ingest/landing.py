"""The landing zone as a whole: which business dates can run, which wait, and what is ignored.

Rules (README "Faults"), each folder or file that does not run is named in a notice:
- only `<system>/<YYYYMMDD>/` folders of the four systems are deliveries; anything else is ignored;
- a folder dated outside the partitions' window (before the first business date, or after the
  latest one the schedule has reached) is ignored until it falls inside;
- a date some system has not completed (no `_CONTROL.json`, or no folder) holds back every later
  date, but only while that system has delivered nothing complete after it: once it has, the date
  is skipped, so a stray or abandoned folder never blocks good dates forever. If its control file
  lands later, the date runs then and the dates after it are replayed (`dates_to_run` below).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from models.ingest.layout import CONTROL, SYSTEMS


@dataclass
class LandingState:
    complete: list[date] = field(default_factory=list)  # all four systems complete, inside the window
    pending: list[date] = field(default_factory=list)  # started, may still complete: holds later dates back
    notices: list[str] = field(default_factory=list)  # what is ignored or skipped, and why


def _folder_date(name: str) -> date | None:
    if len(name) != 8 or not name.isascii() or not name.isdigit():
        return None
    try:
        return datetime.strptime(name, "%Y%m%d").date()
    except ValueError:
        return None


def scan_landing(landing: Path, first_day: date | None = None, last_day: date | None = None) -> LandingState:
    """Read the landing zone's folder names and control-file presence (no file contents)."""
    landing = Path(landing)
    state = LandingState()
    if not landing.is_dir():
        state.notices.append(f"landing {landing}: no such folder")
        return state
    for entry in sorted(landing.iterdir()):
        if entry.name not in SYSTEMS and not entry.name.startswith("."):
            state.notices.append(f"landing/{entry.name}: not a source system folder ({', '.join(SYSTEMS)}); ignored")

    started: dict[str, set[date]] = {s: set() for s in SYSTEMS}
    done: dict[str, set[date]] = {s: set() for s in SYSTEMS}
    for system in SYSTEMS:
        root = landing / system
        if not root.is_dir():
            continue
        for entry in sorted(root.iterdir()):
            if entry.name.startswith("."):
                continue
            day = _folder_date(entry.name) if entry.is_dir() else None
            if day is None:
                kind = "folder" if entry.is_dir() else "file"
                state.notices.append(f"{system}/{entry.name}: not a YYYYMMDD delivery folder ({kind}); ignored")
                continue
            if first_day is not None and day < first_day:
                state.notices.append(
                    f"{system}/{entry.name}: dated before the first business date {first_day}; ignored"
                )
                continue
            if last_day is not None and day > last_day:
                state.notices.append(
                    f"{system}/{entry.name}: dated after the latest business date {last_day}; waits until then"
                )
                continue
            started[system].add(day)
            if (entry / CONTROL).is_file():
                done[system].add(day)

    all_days = set().union(*started.values())
    complete = set.intersection(*(done[s] for s in SYSTEMS))
    for day in sorted(all_days - complete):
        # Systems that left a folder first: that folder is what the operator has to look at.
        lagging = sorted((s for s in SYSTEMS if day not in done[s]), key=lambda s: day not in started[s])
        moved_on = {s: max(d for d in done[s] if d > day) for s in lagging if any(d > day for d in done[s])}
        folder = f"{day:%Y%m%d}"
        if len(moved_on) == len(lagging):
            what = "; ".join(
                f"{s}/{folder} {'has no ' + CONTROL if day in started[s] else 'was never delivered'} "
                f"while {s} has delivered {moved_on[s]:%Y%m%d} since"
                for s in lagging
            )
            state.notices.append(f"{folder} skipped: {what} (it runs, replaying later dates, if it is completed)")
        else:
            waiting_on = [s for s in lagging if s not in moved_on]
            state.pending.append(day)
            state.notices.append(
                f"{folder} waiting: "
                + ", ".join(
                    f"{s}/{folder} {'has no ' + CONTROL + ' yet' if day in started[s] else 'not delivered yet'}"
                    for s in waiting_on
                )
                + "; later dates are held back"
            )
    state.complete = sorted(complete)
    return state


def complete_dates(landing: Path) -> list[date]:
    """Business dates whose four deliveries are complete, sorted (no window)."""
    return scan_landing(landing).complete


def pending_dates(landing: Path) -> list[date]:
    """Business dates that hold later ones back: started, not complete, still completable."""
    return scan_landing(landing).pending


def dates_to_run(
    complete: list[date], pending: list[date], done: set[date], as_of: date | None, rerun: bool
) -> tuple[list[date], list[date], list[date]]:
    """Which complete dates to run, in order: (to run, skipped as published, waited for).

    Dates run in business-date order. A date some system has started but not finished
    delivering holds back every later date. A late delivery older than a published date is
    run, then every published date after it is rerun, so the result equals an in-order run.
    """
    wait_from = min(pending) if pending else None
    eligible = [d for d in complete if (as_of is None or d <= as_of) and (wait_from is None or d < wait_from)]
    waiting = [d for d in complete if wait_from is not None and d > wait_from and (as_of is None or d <= as_of)]
    late = [d for d in eligible if d not in done and any(p > d for p in done)]
    replay_from = min(late) if late else None
    todo, skipped = [], []
    for d in eligible:
        # --rerun with --as-of reruns that date only; without --as-of, every date.
        wanted = d not in done or (rerun and (as_of is None or d == as_of))
        if wanted or (replay_from is not None and d >= replay_from):
            todo.append(d)
        else:
            skipped.append(d)
    return todo, skipped, waiting
