"""One delivery and its `_CONTROL.json`: is the control file well formed, and do the files agree with it.

Layout (EXTRACTS.md): `<landing>/<system>/<YYYYMMDD>/<file>.csv` plus `_CONTROL.json`, written
last. Every listed file must carry its data-row count and sha256; the encoding is the one the
contract fixes for the system (a different declaration is a broken delivery, not a hint).
"""

from __future__ import annotations

import codecs
import hashlib
import json
import re
from datetime import date
from pathlib import Path

from models.ingest.errors import DeliveryError
from models.ingest.layout import CONTROL, DEFAULT_ENCODING, FILES
from models.ingest.scan import scan_file, survey_file

__all__ = ["CONTROL", "DeliveryError", "delivery_dir", "read_control", "verify_delivery", "delivery_notices"]

_SHA256 = re.compile(r"[0-9a-fA-F]{64}")
_KINDS = ("full", "daily")


def delivery_dir(landing: Path, system: str, business_date: date) -> Path:
    return Path(landing) / system / business_date.strftime("%Y%m%d")


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(4 * 1024 * 1024):
            h.update(chunk)
    return h.hexdigest()


def _codec(name: str) -> str | None:
    try:
        found = codecs.lookup(name).name
    except LookupError:
        return None
    return "utf-8" if found == "utf-8-sig" else found  # a BOM is stripped when reading


def _rows(value, where: str) -> int:
    # JSON numbers only (a string or a float is a malformed entry); bool is an int in Python.
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise DeliveryError(
            f"{where}: 'rows' in {CONTROL} must be a whole number of data rows, got {type(value).__name__}"
        )
    return value


def _load_control(delivery: Path) -> tuple[dict, str, str]:
    delivery = Path(delivery)
    system, day = delivery.parent.name, delivery.name
    where = f"{system} {day}"
    path = delivery / CONTROL
    if not path.is_file():
        raise DeliveryError(f"{where}: {CONTROL} missing (delivery incomplete)")
    try:
        control = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError) as e:
        raise DeliveryError(f"{where}: {CONTROL} is not valid JSON: {str(e)[:200]}") from None
    if not isinstance(control, dict) or not isinstance(control.get("files"), dict):
        raise DeliveryError(f"{where}: {CONTROL} has no 'files' object")
    if control.get("system", system) != system:
        raise DeliveryError(f"{where}: {CONTROL} names system {str(control.get('system'))[:40]!r}")
    bd = control.get("business_date")
    if bd is not None and (not isinstance(bd, str) or bd.replace("-", "") != day):
        raise DeliveryError(f"{where}: {CONTROL} names business date {str(bd)[:40]!r} for folder {day}")
    kind = control.setdefault("kind", "daily")
    if kind not in _KINDS:
        raise DeliveryError(f"{where}: {CONTROL} kind {str(kind)[:40]!r} is neither 'full' nor 'daily'")
    expected = DEFAULT_ENCODING.get(system, "utf-8")
    declared = control.setdefault("encoding", expected)
    if not isinstance(declared, str) or _codec(declared) is None:
        raise DeliveryError(f"{where}: {CONTROL} declares unknown encoding {str(declared)[:40]!r}")
    if _codec(declared) != _codec(expected):
        raise DeliveryError(
            f"{where}: {CONTROL} declares encoding {declared!r}, but the contract fixes {expected} for {system} "
            "(a re-encoded export is a broken delivery; ask the system to deliver in its contract encoding)"
        )
    control["encoding"] = expected
    for name, entry in control["files"].items():
        at = f"{where} {name[:80]}"
        if Path(name).name != name or name in (".", "..") or "\\" in name or name == CONTROL:
            raise DeliveryError(f"{at}: listed in {CONTROL} but not a file name inside the delivery folder")
        if not isinstance(entry, dict):
            raise DeliveryError(f"{at}: entry in {CONTROL} is not an object with 'rows' and 'sha256'")
        for key in ("rows", "sha256"):
            if key not in entry:
                raise DeliveryError(
                    f"{at}: entry in {CONTROL} has no '{key}' (every listed file needs rows and sha256)"
                )
        _rows(entry["rows"], at)
        if not isinstance(entry["sha256"], str) or not _SHA256.fullmatch(entry["sha256"]):
            raise DeliveryError(f"{at}: 'sha256' in {CONTROL} is not 64 hexadecimal characters")
    return control, system, where


def delivery_notices(delivery: Path) -> list[str]:
    """Files of a delivery that are not loaded: present but not listed, or listed but not in the contract."""
    delivery = Path(delivery)
    system, day = delivery.parent.name, delivery.name
    contract = {spec.name for spec in FILES.get(system, ())}
    try:
        listed = set(json.loads((delivery / CONTROL).read_text(encoding="utf-8")).get("files") or {})
    except (OSError, ValueError, UnicodeDecodeError, AttributeError, RecursionError):
        listed = set()
    out = []
    for p in sorted(delivery.iterdir()) if delivery.is_dir() else []:
        if p.name == CONTROL or p.name.startswith("."):
            continue
        if p.name not in listed:
            out.append(f"{system} {day} {p.name}: present but not listed in {CONTROL}; ignored")
        elif p.name not in contract:
            out.append(f"{system} {day} {p.name}: listed but not a file of the contract; checked, not loaded")
    return out


# Plain files (scan.survey_file) are read by DuckDB as delivered; off only in tests, which compare both ways.
DIRECT_READ = True


def verify_delivery(delivery: Path, out_dir: Path | None = None) -> tuple[dict, dict]:
    """Verify every listed file against `_CONTROL.json` (presence, sha256, CSV data-row count,
    encoding, required header columns). With `out_dir`, also make each contract file readable by
    DuckDB: a plain file as delivered (or its UTF-8 copy), any other a line-numbered UTF-8 copy (see
    `scan`). Returns (control, {file name: ScanResult})."""
    delivery = Path(delivery)
    control, system, where = _load_control(delivery)
    specs = FILES.get(system, ())
    listed = control["files"]
    for spec in specs:
        if spec.name not in listed:
            raise DeliveryError(f"{where} {spec.name}: required file not listed in {CONTROL}")
    for name in listed:
        if not (delivery / name).is_file():
            raise DeliveryError(f"{where} {name}: listed in {CONTROL} but missing from the delivery")
    # One pass over each contract file's bytes gives its hash and whether it is plain; errors are
    # still raised in the same order: every checksum first, then each file's content.
    surveys = {}
    if out_dir and DIRECT_READ:
        for spec in specs:
            copy = Path(out_dir) / f"{spec.stem}.plain.csv"
            surveys[spec.name] = survey_file(delivery / spec.name, spec, control["encoding"], copy)
    for name, entry in listed.items():
        sha = surveys[name].sha256 if name in surveys else sha256_of(delivery / name)
        if sha != entry["sha256"].lower():
            raise DeliveryError(f"{where} {name}: sha256 checksum differs from {CONTROL}")
    scans = {}
    for spec in specs:
        entry = listed[spec.name]
        out = Path(out_dir) / f"{spec.stem}.utf8.csv" if out_dir else None
        survey = surveys.get(spec.name)
        if survey is not None and survey.plain:
            result = survey
        else:
            result = scan_file(delivery / spec.name, system, spec, control["encoding"], out)
        if entry["rows"] != result.rows:
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
