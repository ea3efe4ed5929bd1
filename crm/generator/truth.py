"""The truth folder: who each source record is, each person's profile and outcomes, planted faults.
Never read by the pipeline; tests and benchmarks score against it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl

from crm.generator.calendar import Calendar
from crm.generator.people import CITIES, SEGMENTS


class Truth:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.handles = {}

    def _append(self, name: str, df: pl.DataFrame) -> None:
        fh = self.handles.get(name)
        if fh is None:
            fh = self.handles[name] = open(self.root / name, "wb")
            fh.write((",".join(df.columns) + "\n").encode())
        if df.height:
            df = df.with_columns(pl.when(pl.col(pl.String) == "").then(None).otherwise(pl.col(pl.String)).name.keep())
            fh.write(df.write_csv(include_header=False).encode())

    def source_records(self, df: pl.DataFrame) -> None:
        self._append("source_records.csv", df)

    def persons(self, P: dict, sim: dict, cal: Calendar) -> None:
        churn = sim["churn"]
        cm = np.where(
            churn < cal.months, cal.first_month + np.minimum(churn, cal.months - 1), np.datetime64("NaT", "M")
        )
        mode = np.where(sim["churned"], np.where(sim["silent"], "silent", "closed"), "")
        self._append(
            "persons.csv",
            pl.DataFrame(
                {
                    "person_id": pl.Series(P["pid"].astype(str)),
                    "segment": pl.Series(np.array(SEGMENTS)[P["seg"]]),
                    "name": pl.Series(P["name"].astype(str)),
                    "birth_date": pl.Series(P["birth"]).cast(pl.String),
                    "gender": pl.Series(np.where(P["male"], "M", "F")),
                    "city": pl.Series(np.array([c[0] for c in CITIES])[P["city"]]),
                    "income": pl.Series(np.round(P["income"], -2)),
                    "join_month": pl.Series((cal.first_month + P["join"]).astype(str)),
                    "churn_month": pl.Series(cm.astype(str)).replace("NaT", None),
                    "churn_mode": pl.Series(mode).replace("", None),
                    "namesake_group": pl.Series(P["namesake_group"].astype(str)).replace("", None),
                }
            ),
        )

    def outcomes(self, P: dict, sim: dict, cal: Calendar) -> int:
        H = cal.history
        t_idx = np.arange(H)[None, :]
        customer = (sim["n_open"][:, :H] > 0) & (t_idx < sim["churn"][:, None]) & (P["join"][:, None] <= t_idx)
        p, t = np.nonzero(customer)
        t_end = cal.month_end(t)
        cd = sim["churn_date"][p]
        churned = sim["churned"][p] & (cd > t_end) & (cd <= t_end + 90)
        csum = np.concatenate([np.zeros((len(P["seg"]), 1)), np.cumsum(sim["contrib"], axis=1)], axis=1)
        nxt = csum[p, t + 13] - csum[p, t + 1]  # months t+1 .. t+12
        self._append(
            "outcomes.csv",
            pl.DataFrame(
                {
                    "person_id": pl.Series(P["pid"][p].astype(str)),
                    "business_date": pl.Series(t_end).cast(pl.String),
                    "churned_90d": pl.Series(churned.astype(np.int8)),
                    "contribution_next_12m": pl.Series(np.round(nxt, 2)),
                    "churn_prob_90d": pl.Series(np.round(sim["prob"][p, t], 5)),
                    # months t-11 .. t (from the first history month): what a churner's leaving loses, for scoring retention lists
                    "contribution_last_12m": pl.Series(np.round(csum[p, t + 1] - csum[p, np.maximum(t - 11, 0)], 2)),
                }
            ),
        )
        return len(p)

    def product_openings(self, P: dict, sim: dict, cal: Calendar) -> None:
        """Products each person opens after end_date, in the simulated future (FX: the first deal after
        a later take-up), as the systems would deliver them: the next-best-product model's answers."""
        end, M = np.datetime64(cal.end_date), cal.months
        parts = []
        for system, acc, kind, when, month in (
            ("deposit", sim["deposit"], "product", "open_d", "open_m"),
            ("card", sim["card"], "type", "open_d", "open_m"),
            ("loan", sim["loan"], "product", "start_d", "start_m"),
        ):
            dup = acc.get("dup", np.zeros(len(acc["person"]), bool))
            sel = np.nonzero(~dup & (acc[when] > end) & (acc[month] < M))[0]
            prod = np.where(acc[kind][sel] == "FXDEP", "CURRENT", acc[kind][sel]).astype(str)
            parts.append((acc["person"][sel], np.full(len(sel), system), prod, acc[when][sel]))
        fx, deal = sim["fx"], sim["fx"]["deal"]
        later = sim["take"]["FX"][fx["person"]][deal["client"]] >= cal.history
        sel = np.nonzero(later & (deal["date"] > end))[0]
        if len(sel):
            first = (
                pl.DataFrame({"c": deal["client"][sel], "d": deal["date"][sel]}).group_by("c").agg(pl.col("d").min())
            )
            parts.append(
                (
                    fx["person"][first["c"].to_numpy()],
                    np.full(first.height, "fx"),
                    np.full(first.height, "FX"),
                    first["d"].to_numpy().astype("datetime64[D]"),
                )
            )
        person = np.concatenate([x[0] for x in parts])
        self._append(
            "product_openings.csv",
            pl.DataFrame(
                {
                    "person_id": pl.Series(P["pid"][person].astype(str)),
                    "system": pl.Series(np.concatenate([x[1] for x in parts]).astype(str)),
                    "product": pl.Series(np.concatenate([x[2] for x in parts]).astype(str)),
                    "open_date": pl.Series(np.concatenate([x[3] for x in parts]).astype("datetime64[D]")).cast(
                        pl.String
                    ),
                }
            ).sort("open_date", "person_id", "system", "product"),  # every column: ties kept in no order
        )

    def malformed(self, rows: list[tuple]) -> None:
        df = (
            pl.DataFrame(rows, schema=["system", "business_date", "file", "line", "problem"], orient="row")
            if rows
            else pl.DataFrame(
                schema={
                    "system": pl.String,
                    "business_date": pl.String,
                    "file": pl.String,
                    "line": pl.Int64,
                    "problem": pl.String,
                }
            )
        )
        self._append("malformed_rows.csv", df)

    def config(self, cfg: dict) -> None:
        (self.root / "config.json").write_text(json.dumps(cfg, indent=2, default=str) + "\n")

    def close(self) -> None:
        for fh in self.handles.values():
            fh.close()
