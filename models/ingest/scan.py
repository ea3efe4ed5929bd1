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
import hashlib
import re
from bisect import bisect_left
from itertools import repeat
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
# Runs of plain lines (no quote, CR or NUL, the header's field count) skip the csv module: the same
# records, counted and copied in bulk. Off only in tests, which compare both ways.
PLAIN_FAST_PATH = True
# Kept of each field of a quarantined raw line (an oversized field must not be stored whole).
RAW_FIELD_KEEP = 1000


# The characters sql/ingest/macros.sql's ws() trims from the ends of every value (tested equal).
WS = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u180e\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u200b\u200c\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff"
)
# A space or newline can sit inside a value; every other WS character anywhere may end one.
_WS_ANYWHERE = tuple(c for c in WS if c not in " \n")
_SPACE_AT_AN_END = (", ", " ,", "\n ", " \n")


@dataclass
class ScanResult:
    rows: int = 0  # data records (header excluded), as a CSV parser counts them
    header: list[str] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)
    bad_rows: list[tuple[int, str, str, str]] = field(default_factory=list)  # (line, field, reason, masked raw)
    # False when no value can start or end with whitespace: parsing then skips the trim (macros.sql v()).
    edge_space: bool = True
    # A plain file (see `survey_file`) is read by DuckDB as delivered (`read_path`), not through a copy.
    plain: bool = False
    read_path: Path | None = None
    sha256: str = ""


class _EdgeSpace:
    """Whether some value of a file may start or end with whitespace, judged on the decoded text chunk
    by chunk at C speed (a conservative yes for any quote: a quoted value may hold spaces at its ends)."""

    def __init__(self) -> None:
        self.found = False
        self.tail = "\n"  # the text starts a line

    def feed(self, text: str, final: bool = False) -> None:
        if self.found:
            return
        if text:
            across = self.tail + text[:1]  # a pattern across the chunk boundary
            self.found = (
                '"' in text
                or any(c in text for c in _WS_ANYWHERE)
                or any(p in across for p in _SPACE_AT_AN_END)
                # the common case has no space at all: the two-character searches are the slow part
                or (" " in text and any(p in text for p in _SPACE_AT_AN_END))
            )
            self.tail = text[-1]
        if final and self.tail == " ":
            self.found = True


def mask_fields(values: list[str], header: list[str], pii: tuple[str, ...]) -> str:
    """A rejected row for quarantine.raw_line: ID/phone fields replaced by `***`; in a row whose
    field count is wrong the positions are unreliable, so any long digit run is masked as well."""
    pii_pos = {i for i, c in enumerate(header) if c in pii}
    out = [
        "***" if i in pii_pos and v else v[:RAW_FIELD_KEEP] + ("..." if len(v) > RAW_FIELD_KEEP else "")
        for i, v in enumerate(values)
    ]
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


def scan_file(path: Path, system: str, spec: FileSpec, encoding: str, out_path: Path | None) -> ScanResult:
    """Decode, count and (when `out_path` is given) write the line-numbered UTF-8 copy."""
    where = f"{system} {path.parent.name} {path.name}"
    csv.field_size_limit(CSV_FIELD_SIZE_LIMIT)
    try:
        decoder = codecs.getincrementaldecoder(codecs.lookup(encoding).name)(errors="strict")
    except LookupError:
        raise DeliveryError(f"{where}: unknown encoding {encoding!r} in _CONTROL.json") from None

    state = {"line": 0, "bytes": 0}
    buf: list[str] = []
    edge = _EdgeSpace()

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
                        f"{where}: not valid {encoding} at byte {state['bytes'] + start} (line {line}): {e.reason}"
                    ) from None
                state["bytes"] += len(chunk)
                if first and text.startswith("\ufeff"):
                    text = text[1:]
                first = False
                edge.feed(text, final)
                yield text
                if final:
                    return

    def blocks():
        """Lists of physical lines (without their newline), one list per decoded chunk."""
        pending = ""
        for text in decoded():
            if not text:
                continue
            parts = (pending + text).split("\n")
            pending = parts.pop()
            state["line"] += len(parts)
            yield parts
        if pending:
            state["line"] += 1
            yield [pending]

    # Lines not yet consumed: the current block and the position in it. The csv module reads from
    # `lines()`, one physical line at a time (buf keeps the lines of the record being read); the
    # fast path below takes whole runs of plain lines from the same queue.
    queue: dict = {"lines": [], "at": 0, "source": blocks()}

    def fill() -> bool:
        while queue["at"] >= len(queue["lines"]):
            nxt = next(queue["source"], None)
            if nxt is None:
                return False
            queue["lines"], queue["at"] = nxt, 0
        return True

    def lines():
        while fill():
            p = queue["lines"][queue["at"]]
            queue["at"] += 1
            buf.append(p)
            yield p + "\n"

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
        plain_commas = ncols - 1

        def record(rec) -> None:
            """One record the csv module parsed from the lines in buf."""
            nonlocal line_no, rows
            start = line_no + 1
            n = len(buf)
            line_no += n
            rows += 1
            if len(rec) != ncols:
                bad.append(
                    (start, "*", f"field_count: {len(rec)} fields, header has {ncols}", mask_fields(rec, header, pii))
                )
            # a record shorter than one field's limit cannot be too long: the common case costs a len()
            elif (size := len(buf[0]) if n == 1 else sum(map(len, buf)) + n - 1) > MAX_FIELD_CHARS and (
                too_long := _too_long(rec, header, size)
            ) is not None:
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

        marks: dict = {"block": None, "at": []}

        def unsafe(block: list[str]) -> list[int]:
            """Sorted positions of the block's lines the csv module must read: a quote, CR or NUL, a
            field count other than the header's, or a line long enough to hold an oversized field."""
            if marks["block"] is not block:
                at = [
                    k
                    for k, (commas, width) in enumerate(zip(map(str.count, block, repeat(",")), map(len, block)))
                    if commas != plain_commas or width > MAX_FIELD_CHARS
                ]
                text = "\n".join(block)
                if '"' in text or "\r" in text or "\0" in text:
                    at = sorted(
                        set(at).union(k for k, line in enumerate(block) if '"' in line or "\r" in line or "\0" in line)
                    )
                marks.update(block=block, at=at)
            return marks["at"]

        try:
            while fill():
                # Fast path: a run of plain lines is one record per line, exactly as the csv module
                # would read them: counted and copied in bulk.
                block, at = queue["lines"], queue["at"]
                if plain_commas > 0 and PLAIN_FAST_PATH:
                    marked = unsafe(block)
                    j = bisect_left(marked, at)
                    stop = marked[j] if j < len(marked) else len(block)
                    if stop > at:
                        if out:
                            if pending_out:  # keep the copy in file order
                                out.write("".join(pending_out))
                                pending_out.clear()
                            out.write(
                                "".join(
                                    map("{},{}\n".format, range(line_no + 1, line_no + 1 + stop - at), block[at:stop])
                                )
                            )
                        line_no += stop - at
                        rows += stop - at
                        queue["at"] = stop
                        continue
                # One record through the csv module (quoting, a wrong field count, an oversized field).
                rec = next(reader, None)
                if rec is None:
                    break
                record(rec)
        except csv.Error as e:
            raise DeliveryError(f"{where}: CSV syntax error at line {line_no + 1}: {e}") from None
        if out:
            out.write("".join(pending_out))
        result.rows = rows
        edge.feed("", final=True)
        result.edge_space = edge.found
    finally:
        if out:
            out.close()
    return result


def survey_file(path: Path, spec: FileSpec, encoding: str, copy_path: Path) -> ScanResult:
    """One pass over a file's bytes at C speed: its sha256, and whether it is *plain*: decodes strictly,
    holds no quote, CR or NUL, and its header names every required column (a blank line is caught by
    the record count when DuckDB reads it). Then each
    physical line is one record, exactly as the csv module reads it, and DuckDB can read the file
    itself (`read_path`: the file, or for another encoding or a BOM a UTF-8 copy written here) with
    the line numbers following from record order (models/ingest/load.py). Never raises: a file that
    is not plain (or not valid) gets `plain=False` and goes through `scan_file`, which names the error."""
    sha = hashlib.sha256()
    result = ScanResult(edge_space=True)
    try:
        decoder = codecs.getincrementaldecoder(codecs.lookup(encoding).name)(errors="strict")
    except LookupError:
        decoder = None
    utf8 = decoder is not None and codecs.lookup(encoding).name == "utf-8"
    plain = decoder is not None
    edge = _EdgeSpace()
    newlines, head, first, last = 0, "", True, ""
    out = None
    with open(path, "rb") as fh:
        while True:
            chunk = fh.read(CHUNK)
            final = not chunk
            sha.update(chunk)
            if not plain:
                if final:
                    break
                continue  # the hash still needs every byte
            try:
                text = decoder.decode(chunk, final=final)
            except UnicodeDecodeError:
                plain = False
                continue
            if first and text:
                first = False
                if text.startswith("\ufeff"):
                    text, utf8 = text[1:], False
                if not utf8:
                    out = open(copy_path, "w", encoding="utf-8", newline="\n", buffering=CHUNK)
            # A blank line is left to the count: DuckDB skips it, so its rows fall short and the file
            # goes the csv module's way (models/ingest/load.py _read_plain).
            if '"' in text or "\r" in text or "\0" in text:
                plain = False
                continue
            if len(head) < MAX_FIELD_CHARS and "\n" not in head:
                head += text[:MAX_FIELD_CHARS]
            newlines += text.count("\n")
            edge.feed(text, final)
            if out:
                out.write(text)
            if text:
                last = text[-1]
            if final:
                break
    if out:
        out.close()
    result.sha256 = sha.hexdigest()
    header_line, found, _ = head.partition("\n")
    if plain and (found or (head and not newlines)):
        header = [h.strip() for h in header_line.split(",")]
        if len(header) > 1 and all(c in header for c in spec.columns):
            result.plain = True
            result.header = header
            result.extra_columns = [h for h in header if h not in spec.columns]
            result.rows = newlines + (0 if last == "\n" else 1) - 1
            result.edge_space = edge.found
            result.read_path = Path(copy_path) if out else Path(path)
    if not result.plain and out:
        Path(copy_path).unlink(missing_ok=True)
    return result
