"""The `crm` console script: generate sample deliveries, run the nightly job, benchmark, write the catalogue page."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

from models import settings


def _cmd_generate(args: argparse.Namespace) -> int:
    from crm.generator import NoiseConfig, generate

    noise = NoiseConfig().scaled(args.noise_scale) if args.noise_scale != 1.0 else None
    started = time.perf_counter()
    bar = None
    if sys.stdout.isatty():  # a bar on a terminal, a line per chunk of persons otherwise
        from tqdm import tqdm

        bar = tqdm(total=args.customers, unit="persons", desc="generate", file=sys.stdout)

    def progress(done: int, total: int) -> None:
        if bar is not None:
            bar.update(done - bar.n)
        else:
            print(f"[generate] persons {done:,}/{total:,}", flush=True)

    summary = generate(
        Path(args.landing),
        Path(args.truth),
        customers=args.customers,
        seed=args.seed,
        end_date=date.fromisoformat(args.end_date),
        history_months=args.history_months,
        daily_deliveries=args.daily,
        noise=noise,
        progress=progress,
    )
    if bar is not None:
        bar.close()
    secs = time.perf_counter() - started
    print(
        f"generated {summary.get('persons', args.customers):,} persons, "
        f"{summary.get('source_records', '?')} party records in {secs:.1f}s -> {args.landing}"
    )
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from crm.nightly import run_nightly

    as_of = date.fromisoformat(args.as_of) if args.as_of else None
    summary = run_nightly(as_of=as_of, rerun=args.rerun, full=args.full, landing=args.landing, warehouse=args.warehouse)
    print(summary.render())
    return summary.exit_code


def _cmd_bench(args: argparse.Namespace) -> int:
    from crm import bench

    if args.what == "page":
        from crm.bench_page import write

        print(f"wrote {write()}")
        return 0

    return bench.main(
        args.what, customers=args.customers, seed=args.seed, workdir=Path(args.workdir), noise_scale=args.noise_scale
    )


def _cmd_catalogue(args: argparse.Namespace) -> int:
    from models.catalogue import write_docs

    print(f"wrote {write_docs()}")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="crm", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    g = sub.add_parser("generate", help="write synthetic deliveries and their ground truth")
    g.add_argument("--landing", default=str(settings.landing_dir()))
    g.add_argument("--truth", default=str(settings.truth_dir()))
    g.add_argument("--customers", type=int, default=20_000)
    g.add_argument("--seed", type=int, default=42)
    g.add_argument("--end-date", default="2026-10-31", help="business date of the full delivery")
    g.add_argument("--history-months", type=int, default=24)
    g.add_argument("--daily", type=int, default=3, help="daily deliveries after the full one")
    g.add_argument("--noise-scale", type=float, default=1.0, help="multiply every planted-problem rate")
    g.set_defaults(func=_cmd_generate)

    r = sub.add_parser("run", help="run the nightly job over every complete delivery up to a date")
    r.add_argument("--landing", default=None)
    r.add_argument("--warehouse", default=None, help="published DuckDB file (analysts' view)")
    r.add_argument("--as-of", default=None, help="last business date to run (YYYY-MM-DD)")
    r.add_argument(
        "--rerun", action="store_true", help="rerun an already published date (the --as-of date, or all dates)"
    )
    r.add_argument(
        "--full",
        action="store_true",
        help="recompute every customer and month in value and churn, not only what changed",
    )
    r.set_defaults(func=_cmd_run)

    b = sub.add_parser("bench", help="measure speed and accuracy against the generator's truth")
    b.add_argument(
        "what",
        choices=[
            "generate",
            "ingest",
            "nightly",
            "identity",
            "linkage",
            "golden",
            "models",
            "soak",
            "publish",
            "publish-nights",
            "foreign",
            "churn",
            "churn-training",
            "spark",
            "all",
            "page",
        ],
    )
    b.add_argument("--customers", type=int, default=100_000)
    b.add_argument("--seed", type=int, default=7)
    b.add_argument("--workdir", default=str(settings.DATA_DIR / "bench"))
    b.add_argument("--noise-scale", type=float, default=1.0, help="golden: multiply every planted-problem rate")
    b.set_defaults(func=_cmd_bench)

    c = sub.add_parser("catalogue", help="write docs/analysts.md's table catalogue from models/catalogue.yaml")
    c.set_defaults(func=_cmd_catalogue)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
