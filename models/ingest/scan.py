"""One streaming pass over a delivered file.

Decodes the bytes with the delivery's encoding (strict: a bad byte sequence is a DeliveryError
naming the file, byte offset and line), parses records with Python's csv module (RFC 4180,
quoting-aware, so a quoted newline stays inside its record), counts data rows, sets aside rows
with the wrong field count, and writes a UTF-8 copy for DuckDB in which every record is prefixed
with its physical start line (`__line`, header = line 1). DuckDB then reads that copy all-VARCHAR.
"""

from __future__ import annotations

import codecs
import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from models.ingest.errors import DeliveryError
from models.ingest.layout import FileSpec

CHUNK = 4 * 1024 * 1024
_LONG_DIGITS = re.compile(r"\+?\d[\d\- ]{5,}\d[xX]?")
# No real field or record is this long; a longer one is quarantined (its row only), never a syntax
# error of the whole file. The record limit keeps DuckDB's lines below max_line_size (read_file.sql).
MAX_FIELD_CHARS = 131_072
MAX_RECORD_CHARS = 1_000_000
# Python's csv refuses fields over 131,072 characters by default and would stop the whole file;
# the limits above judge the row instead (set on every scan: the limit is process-wide).
CSV_FIELD_SIZE_LIMIT = 2**31 - 1
# Kept of each field of a quarantined raw line (an oversized field must not be stored whole).
RAW_FIELD_KEEP = 1000


@dataclass
class ScanResult:
    rows: int = 0  # data records (header excluded), as a CSV parser counts them
    header: list[str] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)
    bad_rows: list[tuple[int, str, str, str]] = field(default_factory=list)  # (line, field, reason, masked raw)


def mask_fields(values: list[str], header: list[str], pii: tuple[str, ...]) -> str:
    """A rejected row for quarantine.raw_line: ID/phone fields replaced by `***`; in a row whose
    field count is wrong the positions are unreliable, so any long digit run is masked as well."""
    pii_pos = {i for i, c in enumerate(header) if c in pii}
    out = ["***" if i in pii_pos and v else v[:RAW_FIELD_KEEP] + ("..." if len(v) > RAW_FIELD_KEEP else "")
           for i, v in enumerate(values)]
    line = ",".join('"' + v.replace('"', '""') + '"' if ("," in v or '"' in v or "\n" in v) else v for v in out)
    if len(values) != len(header):
        line = _LONG_DIGITS.sub("***", line)
    return line


def _too_long(rec: list[str], header: list[str], size: int) -> tuple[str, str] | None:
    """(field, reason) when a field or the whole record (`size` characters as delivered) is over its
    limit, else None."""
    for name, value in zip(header, rec):
        if len(value) > MAX_FIELD_CHARS:
            return name, f"{name}: field too long ({len(value)} characters, limit {MAX_FIELD_CHARS})"
    if size > MAX_RECORD_CHARS:
        return "*", f"record: too long ({size} characters, limit {MAX_RECORD_CHARS})"
    return None


def scan_file(
    path: Path, system: str, spec: FileSpec, encoding: str, out_path: Path | None
) -> ScanResult:
    """Decode, count and (when `out_path` is given) write the line-numbered UTF-8 copy."""
    where = f"{system} {path.parent.name} {path.name}"
    csv.field_size_limit(CSV_FIELD_SIZE_LIMIT)
    try:
        decoder = codecs.getincrementaldecoder(codecs.lookup(encoding).name)(errors="strict")
    except LookupError:
        raise DeliveryError(f"{where}: unknown encoding {encoding!r} in _CONTROL.json") from None

    state = {"line": 0, "bytes": 0}
    buf: list[str] = []

    def decoded():
        with open(path, "rb") as fh:
            first = True
            while True:
                chunk = fh.read(CHUNK)
                final = not chunk
                try:
                    text = decoder.decode(chunk, final=final)
                except UnicodeDecodeError as e:
                    start = max(e.start, 0)
                    line = state["line"] + chunk[:start].count(b"\n") + 1
                    raise DeliveryError(
                        f"{where}: not valid {encoding} at byte {state['bytes'] + start} "
                        f"(line {line}): {e.reason}"
                    ) from None
                state["bytes"] += len(chunk)
                if first and text.startswith("\ufeff"):
                    text = text[1:]
                first = False
                yield text
                if final:
                    return

    def lines():
        pending = ""
        for text in decoded():
            if not text:
                continue
            parts = (pending + text).split("\n")
            pending = parts.pop()
            for p in parts:
                state["line"] += 1
                buf.append(p)
                yield p + "\n"
        if pending:
            state["line"] += 1
            buf.append(pending)
            yield pending + "\n"

    result = ScanResult()
    reader = csv.reader(lines(), strict=False)
    out = open(out_path, "w", encoding="utf-8", newline="\n", buffering=CHUNK) if out_path else None
    try:
        try:
            header = next(reader)
        except StopIteration:
            raise DeliveryError(f"{where}: empty file (no header row)") from None
        header = [h.strip() for h in header]
        missing = [c for c in spec.columns if c not in header]
        if missing:
            raise DeliveryError(f"{where}: required column {', '.join(missing)} missing from the header")
        result.header = header
        result.extra_columns = [h for h in header if h not in spec.columns]
        ncols = len(header)
        if out:
            out.write("__line," + ",".join('"' + h.replace('"', '""') + '"' for h in header) + "\n")
        buf.clear()
        line_no = 1
        rows = 0
        pending_out: list[str] = []
        bad = result.bad_rows
        pii = spec.pii
        try:
            for rec in reader:
                start = line_no + 1
                n = len(buf)
                line_no += n
                rows += 1
                if len(rec) != ncols:
                    bad.append((start, "*", f"field_count: {len(rec)} fields, header has {ncols}",
                                mask_fields(rec, header, pii)))
                # a record shorter than one field's limit cannot be too long: the common case costs a len()
                elif ((size := len(buf[0]) if n == 1 else sum(map(len, buf)) + n - 1) > MAX_FIELD_CHARS
                      and (too_long := _too_long(rec, header, size)) is not None):
                    bad.append((start, too_long[0], too_long[1], mask_fields(rec, header, pii)))
                elif out:
                    raw = buf[0] if n == 1 else "\n".join(buf)
                    if raw.endswith("\r"):
                        raw = raw[:-1]
                    pending_out.append(f"{start},{raw}\n")
                    if len(pending_out) >= 50_000:
                        out.write("".join(pending_out))
                        pending_out.clear()
                buf.clear()
        except csv.Error as e:
            raise DeliveryError(f"{where}: CSV syntax error at line {line_no + 1}: {e}") from None
        if out:
            out.write("".join(pending_out))
        result.rows = rows
    finally:
        if out:
            out.close()
    return result
