"""Dagster's view of the column catalogue (models/catalogue.yaml): the column schema an asset's table is
published with, shown in the UI's asset page."""

import dagster as dg

from models.catalogue import columns


def table_metadata(table: str) -> dict[str, object]:
    """Definition metadata of the asset that builds `crm.<table>`: its name and documented columns."""
    schema = dg.TableSchema(columns=[dg.TableColumn(c.name, c.type, c.description) for c in columns(table)])
    return {"dagster/table_name": f"crm.{table}", "dagster/column_schema": schema}
