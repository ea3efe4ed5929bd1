"""The column catalogue of schema crm (`models/catalogue.yaml`), written once and read three ways: the
COMMENT ON statements run on each freshly built analyst file, docs/analysts.md's table catalogue
(`crm catalogue`), and the Dagster column schema of the assets that build the tables (pipelines/catalogue.py)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
import yaml

from models.settings import ROOT
from models.warehouse import ident

CATALOGUE_FILE = Path(__file__).with_name("catalogue.yaml")
ANALYSTS_DOC = ROOT / "docs" / "analysts.md"
# docs/analysts.md: each region between its markers is generated (`crm catalogue`); edit the yaml, not the page.
MARKERS = {
    "tables": (
        "<!-- catalogue:tables (generated from models/catalogue.yaml by `crm catalogue`) -->",
        "<!-- /catalogue:tables -->",
    ),
    "columns": (
        "<!-- catalogue:columns (generated from models/catalogue.yaml by `crm catalogue`) -->",
        "<!-- /catalogue:columns -->",
    ),
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str


@dataclass(frozen=True)
class Relation:
    name: str
    grain: str
    description: str
    view: bool
    latest_of: str | None
    asset: str | None
    columns: tuple[Column, ...]
    versioned_by: tuple[str, ...] = ()  # a view over <name>_versions, one row per this key and run of dates
    sql: tuple[str, ...] = ()  # the sql/ files that build it (names as run_script takes them)


# A versioned history's storage (models/publish.py): its columns but as_of_date, and these two.
VERSIONS_DESCRIPTION = (
    "How the *_history view of the same name (without _versions) is stored: one row per key and run of "
    "published dates over which its row stayed the same. Query the view, which gives every published date its rows."
)
VALIDITY = (
    Column("valid_from", "DATE", "First published business date this row holds for."),
    Column(
        "valid_to",
        "DATE",
        "First published business date it no longer holds for (changed, or the key gone that night); "
        "NULL: it holds for the latest published date.",
    ),
)


@cache
def relations() -> dict[str, Relation]:
    """Every table and view of schema crm, in the catalogue's order (views first, as analysts meet them)."""
    raw = yaml.safe_load(CATALOGUE_FILE.read_text(encoding="utf-8"))
    out: dict[str, Relation] = {}
    for name, entry in raw.items():
        # A latest-version view has its history table's columns: written there once.
        own = entry.get("columns") or raw[entry["latest_of"]]["columns"]
        cols = tuple(Column(c, spec["type"], spec["description"]) for c, spec in own.items())
        versioned_by = tuple(entry.get("versioned_by") or ())
        out[name] = Relation(
            name=name,
            grain=entry["grain"],
            description=entry["description"],
            view="latest_of" in entry or entry.get("kind") == "view" or bool(versioned_by),
            latest_of=entry.get("latest_of"),
            asset=entry.get("asset"),
            columns=cols,
            versioned_by=versioned_by,
            sql=tuple(entry.get("sql") or ()),
        )
    for rel in [r for r in out.values() if r.versioned_by]:
        out[f"{rel.name}_versions"] = Relation(
            name=f"{rel.name}_versions",
            grain=f"{' × '.join(rel.versioned_by)} × run of published dates",
            description=VERSIONS_DESCRIPTION,
            view=False,
            latest_of=None,
            asset=None,
            columns=tuple(c for c in rel.columns if c.name != "as_of_date") + VALIDITY,
        )
    return out


def versioned() -> dict[str, tuple[str, ...]]:
    """History -> the key its versions are kept by (models/publish.py stores these as versions)."""
    return {r.name: r.versioned_by for r in relations().values() if r.versioned_by}


def columns(name: str) -> tuple[Column, ...]:
    return relations()[name].columns


def _literal(text: str) -> str:
    # COMMENT ON takes no bound parameters (DuckDB's parser wants a literal): quote here, once.
    return "'" + text.replace("'", "''") + "'"


def comment_statements(schema: str = "crm") -> list[str]:
    """COMMENT ON for every relation and column of the catalogue (identifiers from the catalogue's keys)."""
    out = []
    for rel in relations().values():
        target = ident(f"{schema}.{rel.name}")
        out.append(f"comment on {'view' if rel.view else 'table'} {target} is {_literal(rel.description)}")
        out += [f"comment on column {target}.{ident(c.name)} is {_literal(c.description)}" for c in rel.columns]
    return out


def apply_comments(con: duckdb.DuckDBPyConnection) -> None:
    """Comment schema crm of a freshly built analyst file; a relation or column the catalogue names and the
    file lacks fails the statement (the catalogue is out of date), so publication stops rather than drift."""
    con.execute("begin")  # one commit, not one per statement: 0.24 s against 1.4 s for 361 comments
    try:
        for stmt in comment_statements():
            con.execute(stmt)
    except Exception:
        con.execute("rollback")
        raise
    con.execute("commit")


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _anchor(name: str) -> str:
    return f"#crm{name}"  # GitHub's anchor of the heading `crm.<name>`


def tables_markdown() -> str:
    """One line per relation: what it is and one row per what."""
    lines = ["| object | one row per | what |", "|---|---|---|"]
    for rel in relations().values():
        kind = " (view)" if rel.view else ""
        lines.append(f"| [`{rel.name}`]({_anchor(rel.name)}){kind} | {rel.grain} | {_cell(rel.description)} |")
    return "\n".join(lines)


def columns_markdown() -> str:
    """Every column of every relation, with its type and meaning."""
    lines: list[str] = []
    for rel in relations().values():
        lines += [f"### crm.{rel.name}", ""]
        if rel.latest_of:
            lines += [
                f"The columns of [`{rel.latest_of}`]({_anchor(rel.latest_of)}), at the latest published date.",
                "",
            ]
            continue
        lines += ["| column | type | meaning |", "|---|---|---|"]
        lines += [f"| `{c.name}` | {c.type} | {_cell(c.description)} |" for c in rel.columns]
        lines.append("")
    return "\n".join(lines).rstrip()


def with_catalogue(page: str) -> str:
    """`page` with each catalogue region replaced by its generated text."""
    for region, text in (("tables", tables_markdown()), ("columns", columns_markdown())):
        begin, end = MARKERS[region]
        head, found, rest = page.partition(begin)
        _, found_end, tail = rest.partition(end)
        if not (found and found_end):
            raise ValueError(f"the page has no {region} catalogue markers")
        page = f"{head}{begin}\n{text}\n{end}{tail}"
    return page


def write_docs(page: Path = ANALYSTS_DOC) -> Path:
    page.write_text(with_catalogue(page.read_text(encoding="utf-8")), encoding="utf-8")
    return page
