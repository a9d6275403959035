"""``integrity-eval monitor``: the monthly monitoring and early-warning report."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .common import add_report_options, agency_name, as_validation
from .records import add_record_options, closing_store, load_records, rejected_table, run_params

__all__ = ["add_parser", "cmd_monitor"]


def add_parser(sub: Any) -> None:
    """Add ``monitor`` to the main command's subparsers."""
    mon = sub.add_parser(
        "monitor",
        help="月度监测预警报告 / monthly monitoring and early-warning report",
        description="按月监测失信记录并预警（计数模型 + 阈值规则），写出月度监测预警报告"
        "（report.html、report.pdf）、预警与证据表、计数表、Excel 和图表 / monthly monitoring "
        "of breach records with early warnings (count model + threshold rules); writes the "
        "monthly monitoring and early-warning report (report.html, report.pdf), the warnings "
        "and evidence tables, the counts, a workbook and charts (docs/records.md)",
    )
    add_record_options(mon)
    mon.add_argument("--month", required=True, metavar="YYYY-MM", help="监测月份 / month")
    mon.add_argument(
        "--alpha", type=float, default=0.01, help="显著性水平 / false-alarm level (default 0.01)"
    )
    mon.add_argument(
        "--debtors",
        metavar="FILE",
        help="失信被执行人名单（uCode[, listed, removed]）/ dishonest-debtor list",
    )
    add_report_options(
        mon, "报告封面上的监测机构名称", "monitoring agency named on the report cover"
    )
    mon.add_argument("--out", required=True, metavar="DIR", help="输出目录（新建）/ new folder")
    mon.set_defaults(func=closing_store(cmd_monitor))


def cmd_monitor(args: argparse.Namespace) -> int:
    """Count the month's breach records, warn, write the monitoring report."""
    import pandas as pd

    from .. import monitor
    from ..datasets import synthetic_origin
    from ..io import read_table
    from ..records import breach_counts
    from ..report.monitor import write_monitoring

    fw, records, units, rejected = load_records(args, kinds=("breach",))
    rec = records["breach"]
    _check_month(args.month, rec)
    with as_validation("monitor"):
        counts = breach_counts(rec, period="month", measure="new", end=args.month, framework=fw)
        exposure = None
        if units is not None and "size" in units:
            exposure = pd.Series(units["size"].to_numpy(float), index=units["uCode"].astype(str))
        debtors = read_table(args.debtors) if args.debtors else None
        table = monitor.assess(counts, args.month, exposure=exposure, alpha=args.alpha)
        warn = monitor.warnings(
            counts,
            month=args.month,
            exposure=exposure,
            alpha=args.alpha,
            rules={"debtors": debtors},
            records=rec,
            assessment=table,
        )
    if args.store is not None:
        params = run_params(args, "monitor", "framework", "month", "alpha")
        args.store.save_result(f"monthly_counts/{fw.name}/{args.month}", counts, params=params)
    ids = sorted({i for ev in warn["evidence"] for i in ev if not str(i).startswith("listed")})
    evidence = None
    if ids:
        rel = rec.con.sql(f"SELECT * EXCLUDE (_source, _row) FROM {rec.view}")
        ev = rel.filter(
            "record_id IN (" + ", ".join("'" + i.replace("'", "''") + "'" for i in ids) + ")"
        )
        evidence = ev.df().sort_values(["uCode", "decided", "record_id"])
    # record files given now or stored earlier (a stored file may since have moved)
    synthetic = any(
        synthetic_origin(p) or Path(str(p)).stem.endswith("_synthetic") for p in args.sources
    )
    write_monitoring(
        args.out,
        warnings=warn,
        counts=counts,
        evidence=evidence,
        units=units,
        framework=fw,
        synthetic=synthetic,
        lang=args.lang,
        agency=agency_name(args.agency),
        rejected=None if rejected is None else rejected_table(rejected),
        assessment=table,
    )
    if rejected is not None:
        print(
            f"被拒记录 {len(rejected)} 条已写出 / rejected rows written: "
            f"{Path(args.out) / 'rejected_records.csv'}",
            file=sys.stderr,
        )
    n_units = warn["uCode"].nunique()
    print(
        f"已写出监测报告 / monitoring report written: {args.out} — {args.month}: "
        f"{len(warn)} 条预警，{n_units} 个单位 / {len(warn)} warnings, {n_units} units"
    )
    return 0


def _check_month(month: str, rec: Any) -> None:
    """``--month`` is a month (``YYYY-MM``) no later than the month of the last record's
    decision date: a month past the records has nothing to monitor (issue 20)."""
    import re

    from ..errors import problem_error

    last = rec.relation.aggregate("max(decided)").fetchall()[0][0]
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise problem_error(
            "应为月份 YYYY-MM（如 2024-06） / expected a month as YYYY-MM (e.g. 2024-06)",
            "监测月份有误 / invalid month",
            source="--month",
            value=month,
        )
    if last is not None and month > f"{last:%Y-%m}":
        raise problem_error(
            f"晚于最后一条记录的月份（认定日期最晚为 {last:%Y-%m-%d}）；请选 {last:%Y-%m} "
            f"或更早的月份，或补充该月记录 / after the month of the last record (latest "
            f"decision date {last:%Y-%m-%d}): pick {last:%Y-%m} or an earlier month, or add "
            "that month's records",
            "监测月份有误 / invalid month",
            source="--month",
            value=month,
        )
