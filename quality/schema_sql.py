"""The pandera schemas of quality/schemas.py compiled to DuckDB SQL, so the rules stay in one place
and are checked where the rows already are (a 55M-row card file never passes through Python).

Each column's checks become one failure expression giving pandera's own wording
(`<field>: failed <check>` or `<field>: outside plausible range [lo, hi]`), in pandera's order
(schema columns, then not_nullable, then the column's checks). Semantics follow the polars backend:
a NULL passes every check (`ignore_na`), `str_matches` anchors at the start and searches with Rust
regex, whose `\\d` is any Unicode digit (RE2's is ASCII only, hence `\\p{Nd}`). A check this module
does not know raises: a new rule must be compiled here before it is used, never silently skipped.
tests/unit/test_ingest_rules_sql.py runs both on the same hostile rows and compares.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from models import settings

# polars dtypes of pandera columns -> the DuckDB type the parsed table must have
_DUCK_TYPES = {"String": "VARCHAR"}
# Rust regex classes that are Unicode-aware, written for RE2; anything else Unicode-dependent refuses.
_REGEX = {r"\d": r"\p{Nd}"}
_UNSUPPORTED_REGEX = re.compile(r"\\[wWsSbBD]|\\p|\(\?")


@dataclass(frozen=True)
class Rule:
    column: str
    fails: str  # SQL: true when the row's value fails the rule (never NULL)
    message: str  # the quarantine wording, e.g. "gender: failed isin(['M', 'F'])"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(value) -> str:
    if isinstance(value, bool):
        raise TypeError(f"no SQL literal for {value!r}")
    if isinstance(value, datetime):
        return f"TIMESTAMP '{value.isoformat(sep=' ')}'"
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, (int, float)):
        return repr(float(value))  # finite: bounds.py refuses anything else
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise TypeError(f"no SQL literal for {value!r}")


def _regex(pattern: str) -> str:
    if _UNSUPPORTED_REGEX.search(pattern):
        raise NotImplementedError(f"str_matches({pattern!r}): class not translated from Rust regex to RE2")
    for rust, re2 in _REGEX.items():
        pattern = pattern.replace(rust, re2)
    return pattern if pattern.startswith("^") else "^" + pattern


def _check_sql(col: str, check) -> str:
    """SQL true when a non-NULL value fails `check` (a pandera builtin check)."""
    stats = check.statistics
    if check.name == "isin":
        return f"{col} not in ({', '.join(_lit(v) for v in stats['allowed_values'])})"
    if check.name == "in_range":
        lo = f"{col} {'>=' if stats.get('include_min', True) else '>'} {_lit(stats['min_value'])}"
        hi = f"{col} {'<=' if stats.get('include_max', True) else '<'} {_lit(stats['max_value'])}"
        return f"not ({lo} and {hi})"
    if check.name == "str_matches":
        return f"not regexp_matches({col}, {_lit(_regex(stats['pattern']))})"
    raise NotImplementedError(f"pandera check {check.name} has no SQL form (quality/schema_sql.py)")


def rules(schema) -> list[Rule]:
    """Every value rule of `schema`, in pandera's order of failure cases."""
    out = []
    for name, column in schema.columns.items():
        col = _ident(name)
        if not column.nullable:
            out.append(Rule(name, f"{col} is null", f"{name}: failed not_nullable"))
        for check in column.checks:
            if check.ignore_na is False:
                raise NotImplementedError(f"{name}: a check that judges NULLs has no SQL form here")
            # range checks carry their own wording ("outside plausible range [lo, hi]")
            what = check.error if check.error.startswith("outside plausible range") else f"failed {check.error}"
            out.append(Rule(name, f"coalesce({_check_sql(col, check)}, false)", f"{name}: {what}"))
    return out


def whole_file_failure(schema, types: dict[str, str]) -> tuple[str, str] | None:
    """(column, check) when the parsed table as a whole breaks the schema (a column missing or of the
    wrong type), as pandera names it; `types` maps column -> DuckDB type. None when it fits."""
    for name, column in schema.columns.items():
        if name not in types:
            return schema.name, "column_in_dataframe"
        if column.dtype is not None:
            want = _DUCK_TYPES.get(str(column.dtype))
            if want is None:
                raise NotImplementedError(f"{name}: dtype {column.dtype} has no DuckDB type here")
            if types[name] != want:
                return name, f"dtype('{column.dtype}')"
    return None


def _fill(name: str, **parts: str) -> str:
    """`sql/<name>.sql` with each `$placeholder` replaced by compiled SQL text (not a bound value)."""
    return re.sub(r"\$(\w+)", lambda m: parts[m.group(1)], settings.sql_text(name))


def _failures(rs: list[Rule]) -> str:
    cases = "".join(f", case when {r.fails} then {_lit(r.message)} end" for r in rs)
    return f"list_filter([null::varchar{cases}], lambda x: x is not null)"


def _any(rs: list[Rule]) -> str:
    return "(" + (" or ".join(r.fails for r in rs) or "false") + ")"


def validate_statements(schema, field_level: tuple[str, ...]) -> list[str]:
    """The UPDATEs of `parsed` that check every rule of `schema` in place: one per `field_level` column
    (sql/ingest/validate_field.sql: a failing value is nulled and noted in __nulled, the row kept), then
    one for the rest (sql/ingest/validate.sql: failures appended to __errors, the row rejected). Every
    rule is judged on the delivered values: row rules never read a field-level column."""
    all_rules = rules(schema)
    out = []
    for column in dict.fromkeys(r.column for r in all_rules if r.column in field_level):
        rs = [r for r in all_rules if r.column == column]
        out.append(_fill("ingest/validate_field", field=_ident(column), notes=_failures(rs), any_failure=_any(rs)))
    row = [r for r in all_rules if r.column not in field_level]
    if row:
        out.append(_fill("ingest/validate", row_failures=_failures(row), any_failure=_any(row)))
    return out


def materialise_statement(schema=None) -> str:
    """The CTAS making `parsed` from the parse's view (sql/ingest/materialise.sql): with `schema`, every
    rule of it checked in that same pass (only for a schema without field-level columns: their rules
    null a field, the UPDATEs of `validate_statements` do that); without, the rows as parsed."""
    rs = rules(schema) if schema is not None else []
    return _fill("ingest/materialise", row_failures=_failures(rs), any_failure=_any(rs))
