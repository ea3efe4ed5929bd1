"""Deliveries on the landing zone: which are complete, and whether one agrees with its `_CONTROL.json`.

Layout (EXTRACTS.md): `<landing>/<system>/<YYYYMMDD>/<file>.csv` plus `_CONTROL.json`, written
last. A delivery without it is incomplete: it is waited for, never read.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from pathlib import Path

from models.ingest.layout import DEFAULT_ENCODING, FILES, SYSTEMS

CONTROL = "_CONTROL.json"


class DeliveryError(Exception):
    """A broken delivery. The message names system, business date, file and what is wrong
    (row/line and field where relevant), never the value of an ID or phone field."""


def delivery_dir(landing: Path, system: str, business_date: date) -> Path:
    return Path(landing) / system / business_date.strftime("%Y%m%d")


def _dated_dirs(landing: Path, system: str) -> dict[date, Path]:
    out: dict[date, Path] = {}
    root = Path(landing) / system
    if not root.is_dir():
        return out
    for d in root.iterdir():
        if d.is_dir() and len(d.name) == 8 and d.name.isdigit():
            try:
                out[datetime.strptime(d.name, "%Y%m%d").date()] = d
            except ValueError:
                continue
    return out


def complete_dates(landing: Path) -> list[date]:
    """Business dates for which all four systems have a delivery with `_CONTROL.json`, sorted."""
    per_system = [
        {d for d, p in _dated_dirs(landing, s).items() if (p / CONTROL).is_file()} for s in SYSTEMS
    ]
    return sorted(set.intersection(*per_system)) if per_system else []


def pending_dates(landing: Path) -> list[date]:
    """Business dates some system has started delivering that are not complete yet (a folder
    without `_CONTROL.json`, or some system's delivery still missing), sorted."""
    started: set[date] = set()
    for s in SYSTEMS:
        started |= set(_dated_dirs(landing, s))
    return sorted(started - set(complete_dates(landing)))


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(4 * 1024 * 1024):
            h.update(chunk)
    return h.hexdigest()


def _load_control(delivery: Path) -> tuple[dict, str, str]:
    delivery = Path(delivery)
    system, day = delivery.parent.name, delivery.name
    where = f"{system} {day}"
    path = delivery / CONTROL
    if not path.is_file():
        raise DeliveryError(f"{where}: {CONTROL} missing (delivery incomplete)")
    try:
        control = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        raise DeliveryError(f"{where}: {CONTROL} is not valid JSON: {e}") from None
    if not isinstance(control, dict) or not isinstance(control.get("files"), dict):
        raise DeliveryError(f"{where}: {CONTROL} has no 'files' object")
    if system in FILES and control.get("system", system) != system:
        raise DeliveryError(f"{where}: {CONTROL} names system {control.get('system')!r}")
    bd = str(control.get("business_date", ""))
    if bd and bd.replace("-", "") != day:
        raise DeliveryError(f"{where}: {CONTROL} names business date {bd} for folder {day}")
    control.setdefault("kind", "daily")
    control.setdefault("encoding", DEFAULT_ENCODING.get(system, "utf-8"))
    return control, system, where


def verify_delivery(delivery: Path, out_dir: Path | None = None) -> tuple[dict, dict]:
    """Verify every file against `_CONTROL.json` (presence, sha256, CSV data-row count, encoding,
    required header columns). With `out_dir`, also write each file's line-numbered UTF-8 copy
    there (see `scan`). Returns (control, {file name: ScanResult})."""
    from models.ingest.scan import scan_file

    delivery = Path(delivery)
    control, system, where = _load_control(delivery)
    specs = FILES.get(system, ())
    listed = control["files"]
    for spec in specs:
        if spec.name not in listed:
            raise DeliveryError(f"{where} {spec.name}: required file not listed in {CONTROL}")
        if not (delivery / spec.name).is_file():
            raise DeliveryError(f"{where} {spec.name}: required file missing from the delivery")
    scans = {}
    for spec in specs:
        entry = listed[spec.name] or {}
        path = delivery / spec.name
        if "sha256" in entry and sha256_of(path) != str(entry["sha256"]).lower():
            raise DeliveryError(f"{where} {spec.name}: sha256 checksum differs from {CONTROL}")
        out = Path(out_dir) / f"{spec.stem}.utf8.csv" if out_dir else None
        result = scan_file(path, system, spec, control["encoding"], out)
        if "rows" in entry and int(entry["rows"]) != result.rows:
            raise DeliveryError(
                f"{where} {spec.name}: row count {result.rows} differs from {entry['rows']} rows in {CONTROL}"
            )
        scans[spec.name] = result
    return control, scans


def read_control(delivery_dir: Path) -> dict:
    """`_CONTROL.json` of a delivery after checking every listed file's sha256 and data-row count
    (counted by a CSV parser, quoting-aware). Raises DeliveryError on any mismatch."""
    control, _ = verify_delivery(Path(delivery_dir))
    return control
