"""``integrity-eval records synth | indicators | store`` (docs/cli.md), and what the record
commands share (``monitor`` too): the ``--records``/``--db``/``--units`` options, record
paths by kind, reading and storing records, rejected rows.

``--records`` takes files or folders; each is tied to a record kind by a
``KIND=PATH`` prefix (``breach=cases/2024.xlsx``), or by its name starting with
the kind (``breach_synthetic/``, ``ticket-2024.csv``); a folder whose entries
are so named (the output of ``records synth``) gives every kind inside it.

``--db FILE`` keeps the records in a DuckDB file between runs
(:class:`integrity_eval.records.Store`): the ``--records`` given are validated and added
to it, and the run uses everything the store holds; ``--db`` without ``--records`` runs on
the store alone.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Problem, ValidationError
from ..records.schema import KINDS
from .common import Parser, UsageError, as_validation, positive, read_units

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "add_parser",
    "add_record_options",
    "closing_store",
    "load_records",
    "rejected_table",
    "resolve_record_paths",
    "run_params",
]


def add_parser(sub: Any) -> None:
    """Add ``records`` (``synth``, ``indicators``, ``store``) to the main command."""
    rec = sub.add_parser(
        "records",
        help="生成合成记录、由记录计算指标、记录库 / synthetic records; records → indicators; "
        "records store",
        description="政务失信记录、承诺、工单、案件、建议提案 / breach records, commitments, "
        "tickets, cases, proposals (docs/records.md)",
    )
    # the main command's parser class (usage errors exit 2 with a bilingual message)
    rsub = rec.add_subparsers(dest="records_command", parser_class=Parser, metavar="COMMAND")
    rec.set_defaults(func=lambda args: _missing_sub(rec))

    syn = rsub.add_parser(
        "synth",
        help="生成合成记录（Parquet）/ write seeded synthetic records (Parquet)",
        description="生成与合成面板潜在诚信一致的合成记录，分块写入 Parquet / seeded synthetic "
        "records consistent with the synthetic panels' latent integrity, streamed to Parquet",
    )
    syn.add_argument("--framework", required=True, metavar="F", help="框架 / framework")
    syn.add_argument("--rows", required=True, type=positive, metavar="N", help="记录总数 / rows")
    syn.add_argument(
        "--units",
        type=positive,
        metavar="N",
        help="生成 N 个单位（默认：框架的内置合成单位）/ generate N units (default: the "
        "framework's bundled synthetic units)",
    )
    syn.add_argument("--seed", type=int, default=0, metavar="N", help="随机种子 / seed")
    syn.add_argument(
        "--kinds",
        default=",".join(KINDS),
        metavar="K,…",
        help=f"记录类型 / record kinds (default: {','.join(KINDS)})",
    )
    syn.add_argument("--out", required=True, metavar="DIR", help="输出目录（新建）/ new folder")
    syn.set_defaults(func=cmd_synth)

    ind = rsub.add_parser(
        "indicators",
        help="由记录计算指标（iData）/ records → indicator table (iData)",
        description="按框架规则由记录计算指标，输出 iData / compute the framework's "
        "record-based indicators, write iData",
    )
    add_record_options(ind)
    ind.add_argument(
        "--period", choices=("month", "quarter", "year"), default="month", help="期间 / period"
    )
    ind.add_argument("--start", metavar="T", help="起始期 / first period (YYYY-MM, YYYY-Qn, YYYY)")
    ind.add_argument("--end", metavar="T", help="截止期 / last period")
    ind.add_argument(
        "--window", type=positive, metavar="N", help="滚动窗口期数 / rolling window (periods)"
    )
    ind.add_argument(
        "--reported",
        metavar="FILE",
        help="其他指标的上报数据 / reported iData for other indicators",
    )
    ind.add_argument("--out", required=True, metavar="FILE", help="输出 .csv 或 .parquet / output")
    ind.set_defaults(func=closing_store(cmd_indicators))

    sto = rsub.add_parser(
        "store",
        help="显示记录库内容 / show what a records store (--db) holds",
        description="列出记录库中的记录类型、文件（SHA-256）、记录数、日期范围与已存结果 / list "
        "the kinds, files (SHA-256), counts, date ranges and results a records store holds",
    )
    sto.add_argument("--db", required=True, metavar="FILE", help="记录库文件 / store (DuckDB)")
    sto.set_defaults(func=cmd_store)


def add_record_options(p: argparse.ArgumentParser) -> None:
    """The options of every command that reads records: framework, records, store, units."""
    p.add_argument("--framework", required=True, metavar="F", help="框架 / framework")
    p.add_argument(
        "--records",
        nargs="+",
        metavar="PATH",
        help="记录文件或文件夹，可写成 KIND=PATH / record files or folders (KIND=PATH allowed)",
    )
    p.add_argument(
        "--db",
        metavar="FILE",
        help="记录库（DuckDB 文件，无则新建）：--records 校验后加入库中，并使用库中全部记录；"
        "不给 --records 时只用库中记录 / records store (DuckDB file, created if missing): "
        "--records are validated and added to it and the run uses all it holds; without "
        "--records the run uses the store alone",
    )
    p.add_argument(
        "--units",
        metavar="FILE",
        help="单位表（uCode[, uName, size, 分母列]）/ units (uCode[, uName, size, denominators])",
    )
    p.add_argument(
        "--skip-invalid",
        action="store_true",
        help="跳过无效记录并写出被拒记录及原因 / skip invalid rows, write them with reasons",
    )


def _missing_sub(p: argparse.ArgumentParser) -> int:
    p.print_help(sys.stderr)
    return 2


# ----------------------------------------------------------------- commands
def cmd_synth(args: argparse.Namespace) -> int:
    from ..records.synth import synth

    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    with as_validation("records synth"):  # synth lists unknown kinds before drawing
        res = synth(
            args.framework, args.out, rows=args.rows, units=args.units, seed=args.seed, kinds=kinds
        )
    rows = ", ".join(f"{k} {n:,}" for k, n in res.rows.items())
    print(f"已写出合成记录（合成数据）/ synthetic records written: {res.out} ({rows})")
    return 0


def cmd_indicators(args: argparse.Namespace) -> int:
    from ..io import atomic_write_path, csv_safe, read_table
    from ..records import indicators

    out = Path(args.out)
    if out.suffix.lower() not in (".csv", ".parquet"):
        raise ValidationError(
            [
                Problem(
                    rule="输出应为 .csv 或 .parquet / output must be .csv or .parquet",
                    source=str(out),
                )
            ],
            title="参数有误 / invalid option",
        )
    fw, records, units, rejected = load_records(args)
    reported = read_table(args.reported) if args.reported else None
    with as_validation("records indicators"):
        idata = indicators(
            fw,
            records,
            period=args.period,
            start=args.start,
            end=args.end,
            units=units,
            reported=reported,
            window=args.window,
        )
    with atomic_write_path(out) as tmp:
        if out.suffix.lower() == ".csv":
            idata.map(csv_safe).to_csv(tmp, index=False, encoding="utf-8-sig")
        else:
            idata.to_parquet(tmp, index=False)
    if rejected is not None:
        write_rejected(rejected, out.with_name(out.stem + "_rejected.csv"))
    if args.store is not None:
        name = f"indicators/{fw.name}/{args.period}"
        opts = ("framework", "period", "start", "end", "window")
        params = run_params(args, "records indicators", *opts)
        args.store.save_result(name, idata, params=params)
    missing = idata.attrs.get("not_from_records", [])
    print(f"已写出指标表 / indicator table written: {out} ({len(idata)} 行 / rows)")
    if missing:
        print(
            f"以下指标不由记录计算，需上报数据（--reported）/ indicators not computed from "
            f"records (give --reported): {', '.join(missing)}"
        )
    return 0


def cmd_store(args: argparse.Namespace) -> int:
    from ..records.store import Store

    with Store(args.db, read_only=True) as store:
        print(store.summary())
        files = store.files()
        if len(files):
            print("文件 / files:")
            for r in files.itertuples():
                print(
                    f"  {r.kind} {r.name} sha256 {r.sha256[:12]}… {r.records:,} 条 / records "
                    f"(+{r.skipped_identical} 相同 / identical, {r.rejected} 被拒 / rejected) "
                    f"{r.added_at}"
                )
    return 0


# ------------------------------------------------------------------ helpers
def resolve_record_paths(items: list[str]) -> dict[str, list[str]]:
    """``{kind: [paths]}`` from ``--records`` values (``KIND=PATH`` or kind-named paths)."""
    out: dict[str, list[str]] = {}
    problems: list[Problem] = []
    for item in items:
        kind, sep, path = item.partition("=")
        if sep and kind in KINDS:
            out.setdefault(kind, []).append(path)
            continue
        p = Path(item)
        named = kind_of(p.name)
        if named:
            out.setdefault(named, []).append(item)
        elif p.is_dir() and any(kind_of(c.name) for c in p.iterdir()):
            for c in sorted(p.iterdir()):
                if kind_of(c.name) and (
                    c.is_dir() or c.suffix.lower() in (".parquet", ".csv", ".xlsx")
                ):
                    out.setdefault(kind_of(c.name), []).append(str(c))
        elif not p.exists():
            problems.append(Problem(rule="文件不存在 / file does not exist", source=item))
        else:
            problems.append(
                Problem(
                    rule=f"无法判断记录类型，请写成 KIND=PATH / cannot tell the record kind; write "
                    f"KIND=PATH with KIND one of {list(KINDS)}",
                    source=item,
                )
            )
    if problems:
        raise ValidationError(problems, title="记录路径有误 / invalid --records")
    return out


def kind_of(name: str) -> str | None:
    low = name.lower()
    return next((k for k in KINDS if low.startswith(k)), None)


def load_records(args: argparse.Namespace, kinds: tuple[str, ...] | None = None) -> tuple[Any, ...]:
    import pandas as pd

    from ..framework import load_framework
    from ..records.read import read

    fw = load_framework(args.framework)
    if not args.records and not args.db:
        raise UsageError("请给出 --records 或 --db（或两者）/ give --records, --db or both")
    paths = resolve_record_paths(args.records or [])
    if kinds:
        paths = {k: v for k, v in paths.items() if k in kinds}
    units = read_units(args.units, fw, numbers=("size",)) if args.units else None
    records, rejected = {}, []
    problems: list[Problem] = []
    for kind, ps in paths.items():
        try:
            rec = read(ps, kind=kind, units=units, skip_invalid=args.skip_invalid)
        except ValidationError as exc:
            problems += exc.problems
            continue
        records[kind] = rec
        if len(rec.rejected):
            rejected.append(rec.rejected.assign(kind=kind))
    if problems:
        raise ValidationError(
            problems,
            title="记录有误 / invalid records (use --skip-invalid "
            "to skip them and write them to a file)",
        )
    args.sources = [p for ps in paths.values() for p in ps]
    if args.db:
        records = from_store(args, records, units, kinds)
    missing = [k for k in kinds or () if k not in records]
    if missing:
        where = "--records / --db" if args.db else "--records"
        raise ValidationError(
            [Problem(rule=f"缺少 {k} 记录 / no {k} records in {where}", column=k) for k in missing],
            title="记录路径有误 / invalid --records",
        )
    return fw, records, units, pd.concat(rejected, ignore_index=True) if rejected else None


def from_store(
    args: argparse.Namespace,
    records: dict[str, Any],
    units: pd.DataFrame | None,
    kinds: tuple[str, ...] | None,
) -> dict[str, Any]:
    """Add the validated ``records`` to the store ``--db`` (one transaction) and return
    every record the store holds, of ``kinds``."""
    from ..records.store import Store

    if not records and not Path(args.db).exists():  # nothing to add: no store created
        if args.records:  # none of the kinds needed (reported by the caller)
            return {}
        raise ValidationError(
            [
                Problem(
                    rule="记录库不存在；请用 --records 给出记录以新建 / the store does not exist; "
                    "give --records to create it",
                    source=args.db,
                )
            ],
            title="记录库 / records store",
        )
    store = args.store = Store(args.db)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # listed on stderr below
        added = store.add(records)
    for r in added.files.itertuples():
        if r.status == "skipped":
            print(f"{r.note}: {r.source}", file=sys.stderr)
    if records:
        print(
            f"记录库 / store {args.db}: 加入 {added.added} 条记录，{added.identical} 条已在库中 / "
            f"{added.added} records added, {added.identical} already stored (identical)"
        )
    args.sources += list(store.files()["source"])
    return {k: store.records(k, units=units) for k in store.kinds() if not kinds or k in kinds}


def closing_store(cmd: Any) -> Any:
    """``cmd`` that closes the store ``--db`` it opened (releases DuckDB's file lock)."""

    def run(args: argparse.Namespace) -> int:
        args.store = None
        try:
            return cmd(args)
        finally:
            if args.store is not None:
                args.store.close()

    return run


def run_params(args: argparse.Namespace, command: str, *names: str) -> dict[str, Any]:
    """The run's parameters kept with a stored result: options and input files (name and
    SHA-256, never a path of the machine)."""
    from ..io import file_sha256

    out: dict[str, Any] = {"command": command}
    out.update({n: getattr(args, n) for n in names})
    for opt in ("units", "reported", "debtors"):
        path = getattr(args, opt, None)
        if path:
            out[opt] = {"name": Path(path).name, "sha256": file_sha256(path)}
    return out


def rejected_table(rejected: pd.DataFrame) -> pd.DataFrame:
    cols = ["kind", "_source", "_row", "record_id", "column", "value", "rule"]
    return rejected[cols].rename(columns={"_source": "file", "_row": "row"})


def write_rejected(rejected: pd.DataFrame, path: Path) -> None:
    from ..io import atomic_write_path, csv_safe

    table = rejected_table(rejected)
    with atomic_write_path(path) as tmp:
        table.map(csv_safe).to_csv(tmp, index=False, encoding="utf-8-sig")
    print(f"被拒记录 {table['row'].size} 条已写出 / rejected rows written: {path}", file=sys.stderr)
