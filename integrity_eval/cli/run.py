"""``integrity-eval run``: evaluate, rate, draw and write the deliverables of one run."""

from __future__ import annotations

import argparse
import datetime as _dt
import io as _io
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .common import (
    PROG,
    SYNTHETIC_NOTE,
    add_draws_option,
    add_rating_option,
    add_report_options,
    agency_name,
    jsonable,
    note,
    positive,
    require_scores,
    spec_origin_lines,
)
from .engagement import add_cover_options, add_engagement_option, apply_engagement, cover_of
from .inputs import DEFAULT_DATASET, Inputs, load_inputs, unit_code_notes

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["add_parser", "cmd_run", "run_id"]


def add_parser(sub: Any) -> None:
    """Add ``run`` to the main command's subparsers."""
    run = sub.add_parser(
        "run",
        help="计算评价并写出报告 / evaluate and write reports",
        description=(
            "计算评价并写出 <out>/<run-id>/（排名表 league_table.csv、结果工作簿 results.xlsx、"
            "分析工作簿 analysis.xlsx、"
            "总报告 report.html/.pdf、各单位报告 units/、manifest.json）。不带参数时评价内置数据集 "
            f"{DEFAULT_DATASET}（合成数据）的最新一年。"
            f" / Evaluate and write <out>/<run-id>/ (league_table.csv, results.xlsx for the "
            f"client, analysis.xlsx for the analyst, the overall "
            f"report report.html/.pdf, one report per unit in units/, manifest.json). Without "
            f"options: the bundled dataset {DEFAULT_DATASET} (synthetic), latest year."
        ),
    )
    add_engagement_option(run)
    run.add_argument(
        "--framework",
        metavar="F",
        help="框架：内置名称或 YAML / iMeta CSV / XLSX 文件 / framework: shipped name or a "
        "YAML / iMeta CSV / XLSX file (default: the bundled dataset's)",
    )
    run.add_argument(
        "--data",
        metavar="D",
        help="指标数据：CSV、XLSX、Parquet（iData 格式、面板数据或填好的填报表）/ indicator "
        "data: CSV, XLSX or Parquet (iData layout, panel data, or a filled template)",
    )
    run.add_argument("--spec", metavar="S", help="计算参数 YAML / build spec YAML (docs/spec.md)")
    run.add_argument(
        "--out",
        metavar="DIR",
        default="reports",
        help="输出目录，结果写入 DIR/<run-id>/ / output folder; results go to DIR/<run-id>/ "
        "(default: reports)",
    )
    add_report_options(
        run, "报告封面上的评价机构名称", "evaluating agency named on every report cover"
    )
    run.add_argument(
        "--no-pdf",
        action="store_true",
        help="只写 HTML 报告，不生成 PDF（更快）/ HTML reports only, no PDFs (faster)",
    )
    add_rating_option(run)
    run.add_argument(
        "--seed", type=int, default=0, metavar="N", help="随机种子 / random seed (default 0)"
    )
    add_draws_option(run)
    run.add_argument(
        "--time",
        metavar="T",
        help="面板数据的评价期（默认最新）/ period of panel data to evaluate (default: latest)",
    )
    run.add_argument(
        "--sheet", metavar="S", help="只读此工作表 / read only this XLSX sheet (default: all)"
    )
    add_cover_options(run)
    run.add_argument(
        "--jobs",
        type=positive,
        default=-1,  # joblib's "every core"
        metavar="N",
        help="并行数：绘制图表、生成 PDF 的进程数与蒙特卡洛模拟的线程数，结果不因其而变"
        "（默认：全部核心）/ workers: processes drawing the charts and rendering the PDFs, "
        "threads running the Monte Carlo draws; the outputs do not depend on it (default: "
        "every core)",
    )
    run.add_argument(
        "--quiet", action="store_true", help="不显示进度 / no progress output on stderr"
    )
    run.set_defaults(func=cmd_run)


def cmd_run(args: argparse.Namespace) -> int:
    """Evaluate, rate, draw and write ``<out>/<run-id>/``; prints the folder and the top units."""
    from ..build import build
    from ..manifest import seal_run
    from ..panel import history
    from ..progress import progress

    # a bar on a terminal only; closed (and erased) before any error message is printed
    steps = progress(total=4, desc="准备 / setup", unit="step", quiet=args.quiet)
    try:
        steps.set_description("读取输入 / reading inputs")
        engagement = apply_engagement(args)
        inputs = load_inputs(args)
        steps.update()
        steps.set_description("计算评价 / building")
        ev = build(inputs.framework, inputs.idata, inputs.spec, seed=args.seed, time=inputs.time)
        require_scores(ev)
        for line in spec_origin_lines(ev, args.spec):
            note(args, line)
        extras = _rate_and_draw(ev, args)
        extras["history"] = history(ev)  # earlier periods of the data, built the same way
        extras["cover"] = cover_of(args, engagement)
        extras["corrections"] = inputs.corrections
        steps.update()

        manifest = _run_manifest(ev, inputs, args, extras["cover"])
        manifest.update(extras.pop("manifest"))
        manifest = seal_run(manifest)  # the run id covers --rating, --draws, --agency, --lang
        out_root = Path(args.out)
        created = not out_root.exists()
        rid = run_id(manifest) + ("-synthetic" if manifest.get("synthetic") else "")
        final = _unique(out_root / rid)
        manifest["run_id"] = final.name
        steps.set_description("写出结果 / writing outputs")
        try:
            _write_outputs(ev, final, manifest, args, extras)
        except BaseException:
            if created and out_root.is_dir() and not any(out_root.iterdir()):
                out_root.rmdir()  # a failed run leaves nothing behind, not even --out
            raise
        steps.update()
    finally:
        steps.close()
    print(f"完成 / done: {final}")
    if manifest.get("synthetic"):
        print(SYNTHETIC_NOTE)
    if not args.quiet:
        _print_top(final / "league_table.csv")
    return 0


def run_id(manifest: Mapping[str, Any], now: _dt.datetime | None = None) -> str:
    """``YYYYmmdd-HHMMSS-<first 8 hex of the manifest's run hash>``."""
    now = now or _dt.datetime.now()
    return f"{now:%Y%m%d-%H%M%S}-{manifest['run_hash'][:8]}"


def _unique(path: Path) -> Path:
    """The run folder ``path`` (or ``path-2`` …), claimed at once with ``mkdir`` so that
    runs started together into one ``--out`` each finish in their own; temporary folders
    of killed runs there (older than a day, unlocked) are removed first."""
    from ..io import claim_dir, remove_stale_tmp

    remove_stale_tmp(path.parent)
    return claim_dir(path)


def _run_manifest(
    ev: Any, inputs: Inputs, args: argparse.Namespace, cover: Mapping[str, Any] | None
) -> dict[str, Any]:
    from ..io import file_sha256
    from ..rating import available_schemes

    manifest = jsonable(dict(ev.manifest))
    ds = inputs.dataset
    manifest.update(
        {
            "created": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "command": [PROG, *args.argv],
            "input_files": inputs.files,
            "dataset": None if ds is None else {"name": ds.name, "synthetic": bool(ds.synthetic)},
            "synthetic": inputs.synthetic,
            "synthetic_origin": inputs.synthetic_origin,
            "unit_codes": unit_code_notes(inputs.idata),
            "time": jsonable(getattr(ev, "time", inputs.time)),
            "lang": args.lang,
            "draws": args.draws,
            "agency": agency_name(args.agency),
            "engagement": jsonable(cover),
            "corrections": _corrections_record(inputs.corrections),
        }
    )
    if args.rating not in (None, *available_schemes()) and Path(args.rating).is_file():
        manifest["input_files"] = [
            *inputs.files,
            {"role": "rating", "path": Path(args.rating).name, "sha256": file_sha256(args.rating)},
        ]
    return manifest


def _corrections_record(ledger: pd.DataFrame | None) -> list[dict[str, Any]] | None:
    """The manifest's ``corrections``: uCode, iCode, old, new, reason (+ evidence, by,
    date when given) of each applied correction; None without a ledger."""
    if ledger is None:
        return None
    rows = ledger.astype(object).where(ledger.notna(), None).to_dict("records")
    kept = [{k: v for k, v in r.items() if v is not None or k in ("old", "new")} for r in rows]
    return jsonable(kept)


def _rate_and_draw(ev: Any, args: argparse.Namespace) -> dict[str, Any]:
    """Ratings (``--rating`` or the framework's block) and the Monte Carlo analysis
    (``--draws``) of ``ev``: the keyword arguments of :func:`integrity_eval.report.write`,
    plus what the manifest records under ``"manifest"``."""
    from .. import rating, uncertainty

    scheme = rating.resolve(args.rating, ev.source_framework or ev.framework)
    out: dict[str, Any] = {"manifest": {"rating": None if scheme is None else scheme.to_dict()}}
    if scheme is not None:
        out["rated"] = rating.rate(ev, scheme, lang=args.lang)
    if args.draws:
        inputs = uncertainty.default_inputs(ev, graded=scheme is not None)
        out["manifest"]["uncertainty"] = {"draws": args.draws, "seed": args.seed, "inputs": inputs}
        if not inputs:
            note(
                args,
                "积分制总分没有可变的方法选择，不做不确定性分析 / a points total has no "
                "methodological choices to vary: no uncertainty analysis",
            )
            return out
        # threads (--jobs, default every core): the same numbers as one worker
        ua = uncertainty.run(
            ev, inputs, n=args.draws, seed=args.seed, quiet=args.quiet, n_jobs=args.jobs
        )
        out["ua"] = ua
        if scheme is not None and ua.mixed_scales:
            note(
                args,
                "uncertainty 设置中的备选方法使得分处于不同量纲，不计算等级概率（报告的方法部分"
                "说明原因）/ the uncertainty block's alternatives put the scores on different "
                "scales: no grade probabilities (the report's method section says why)",
            )
        elif scheme is not None:
            # veto rules read the raw values and cap every draw's grade
            out["grade_probs"] = rating.grade_probabilities(ua.scores, scheme, raw=ev.raw_values)
    return out


def _write_outputs(
    ev: Any, final: Path, manifest: dict[str, Any], args: Any, extras: dict[str, Any]
) -> None:
    """Every output of the run, written by :func:`integrity_eval.report.write` (atomic)."""
    from .. import report

    report.write(
        ev,
        final,
        lang=args.lang,
        agency=manifest["agency"],
        manifest=manifest,
        pdf=not args.no_pdf,
        quiet=args.quiet,
        n_jobs=args.jobs,
        **extras,
    )


def _print_top(csv_path: Path, n: int = 5) -> None:
    import pandas as pd

    table = pd.read_csv(csv_path, encoding="utf-8-sig", dtype={"uCode": str})
    head = table.head(n)[["rank", "uCode", "uName", "score"]]
    buf = _io.StringIO()
    buf.write(f"前 {len(head)} 名 / top {len(head)}:\n")
    for r in head.itertuples(index=False):
        rank = "" if pd.isna(r.rank) else int(r.rank)
        buf.write(f"  {rank:>3}  {r.uCode}  {r.uName}  {r.score:.2f}\n")
    sys.stdout.write(buf.getvalue())
