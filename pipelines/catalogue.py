"""Dagster's view of the column catalogue (models/catalogue.yaml): the column schema an asset's table is
published with and the SQL files that build it, shown in the UI's asset page."""

import warnings

import dagster as dg

from models.catalogue import relations
from models.settings import SQL_DIR


def table_metadata(table: str) -> dict[str, object]:
    """Definition metadata of the asset that builds `crm.<table>`: its name, documented columns and the SQL
    files that build it (the UI's "source code" links: code location -> asset -> SQL)."""
    rel = relations()[table]
    schema = dg.TableSchema(columns=[dg.TableColumn(c.name, c.type, c.description) for c in rel.columns])
    with warnings.catch_warnings():  # beta in 1.13: plain file paths, nothing we rely on may change
        warnings.simplefilter("ignore", dg.BetaWarning)
        refs = [dg.LocalFileCodeReference(file_path=str(SQL_DIR / f"{n}.sql"), label=f"sql/{n}.sql") for n in rel.sql]
        sources = dg.CodeReferencesMetadataValue(code_references=refs)
    return {"dagster/table_name": f"crm.{table}", "dagster/column_schema": schema, "dagster/code_references": sources}
