"""The ``integrity-eval`` command (user guide: ``docs/cli.md``).

::

    integrity-eval run       [--framework F] [--data D] [--spec S] [--out DIR] [--lang zh|en]
                             [--seed N] [--draws N] [--time T] [--sheet S] [--quiet]
    integrity-eval validate  --framework F --data D [--spec S] [--sheet S]
    integrity-eval template  --framework F --out FILE.xlsx [--by responsible|all] [--units FILE]
    integrity-eval frameworks
    integrity-eval records synth      --framework F --rows N [--units N] --out DIR
    integrity-eval records indicators --framework F --records PATH… --period P --out FILE
    integrity-eval records store      --db FILE   (records kept between runs: --db on
                                      records indicators and monitor)
    integrity-eval monitor   --framework F --records PATH… --month YYYY-MM --out DIR

Exit codes: 0 success; 1 the input is wrong (a missing file included): every problem
is listed on stderr with file, sheet, row, column and rule, without a traceback, and
no partial output is left behind; 2 wrong usage.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import io as _io
import sys
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from ._version import __version__
from .errors import Problem, ValidationError

__all__ = ["DEFAULT_DATASET", "main", "run_id"]

DEFAULT_DATASET = "shanghai-districts"
PROG = "integrity-eval"
DRAWS_NOTE = (
    "0 = 不做；输入取计算参数的 uncertainty: 列表，否则为 COINr 默认"
    "（权重 ±25%%、标准化与聚合方法的替代）/ 0 = none; inputs from the spec's uncertainty: "
    "list, else COINr's defaults (weights ±25 %%, "
    "normalisation and aggregation alternatives)"
)

SYNTHETIC_NOTE = (
    "注意：本次评价使用合成数据，不代表任何单位的真实情况 / "
    "note: synthetic data, not real figures of any unit"
)


class _UsageError(Exception):
    """Wrong combination of options (exit code 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: 用法错误 / usage error: {message}\n")
        sys.exit(2)


# ====================================================================== main
def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 bad input, 2 wrong usage)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = _build_parser()
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exc:  # --help (0) or a usage error (2)
        return exc.code if isinstance(exc.code, int) else 2
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    args.argv = args_list
    try:
        return int(args.func(args))
    except _UsageError as exc:
        sub = f"{PROG} {args.command}"
        sys.stderr.write(f"{sub}: 用法错误 / usage error: {exc}\n")
        return 2
    except ValidationError as exc:
        _print_problems(exc)
        return 1
    except OSError as exc:  # unreadable input, unwritable output folder, disk full…
        name = getattr(exc, "filename", None) or ""
        sys.stderr.write(
            f"错误 / Error: 文件读写失败 / file input/output failed: {name} "
            f"({exc.strerror or exc})\n"
        )
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("已中断 / interrupted\n")
        return 130


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description=(
            "政务诚信综合评价工具 / Composite indicators for government integrity evaluation. "
            f"Version {__version__}."
        ),
        epilog=(
            "退出码 / exit codes: 0 成功 / success; 1 输入有误（含文件不存在）/ input wrong "
            "(missing file included); 2 用法错误 / wrong usage."
        ),
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")

    run = sub.add_parser(
        "run",
        help="计算评价并写出报告 / evaluate and write reports",
        description=(
            "计算评价并写出 <out>/<run-id>/（排名表 league_table.csv、results.xlsx、"
            "总报告 report.html/.pdf、各单位报告 units/、manifest.json）。不带参数时评价内置数据集 "
            f"{DEFAULT_DATASET}（合成数据）的最新一年。"
            f" / Evaluate and write <out>/<run-id>/ (league_table.csv, results.xlsx, the overall "
            f"report report.html/.pdf, one report per unit in units/, manifest.json). Without "
            f"options: the bundled dataset {DEFAULT_DATASET} (synthetic), latest year."
        ),
    )
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
    run.add_argument(
        "--rating",
        metavar="R",
        help="评级方案：内置名称（tax-credit、four-grade、stars-5）或 YAML 文件；"
        "默认用框架的 rating 设置 / rating scheme: shipped name (tax-credit, four-grade, "
        "stars-5) or a YAML file "
        "(default: the framework's rating block, if any)",
    )
    run.add_argument(
        "--seed", type=int, default=0, metavar="N", help="随机种子 / random seed (default 0)"
    )
    run.add_argument(
        "--draws",
        type=_non_negative,
        default=0,
        metavar="N",
        help=f"蒙特卡洛抽样次数 / Monte Carlo draws: {DRAWS_NOTE}",
    )
    run.add_argument(
        "--time",
        metavar="T",
        help="面板数据的评价期（默认最新）/ period of panel data to evaluate (default: latest)",
    )
    run.add_argument(
        "--sheet", metavar="S", help="只读此工作表 / read only this XLSX sheet (default: all)"
    )
    run.add_argument(
        "--quiet", action="store_true", help="不显示进度 / no progress output on stderr"
    )
    run.set_defaults(func=_cmd_run)

    val = sub.add_parser(
        "validate",
        help="只检查输入，不计算 / check inputs without building",
        description="检查框架、数据和计算参数，列出 run 会拒绝的所有问题，不写出任何文件 / "
        "check framework, data and spec and list every problem run would refuse; writes nothing",
    )
    val.add_argument("--framework", required=True, metavar="F", help="框架 / framework")
    val.add_argument("--data", required=True, metavar="D", help="指标数据 / indicator data")
    val.add_argument(
        "--spec",
        metavar="S",
        help="按此计算参数检查 run 会拒绝的一切（默认：框架的默认参数）/ check everything run "
        "would refuse under this build spec (default: the framework's default spec)",
    )
    val.add_argument("--sheet", metavar="S", help="只读此工作表 / read only this XLSX sheet")
    val.set_defaults(func=_cmd_validate)

    tpl = sub.add_parser(
        "template",
        help="生成数据填报表 / write the data-collection workbook",
        description=(
            "生成供填报单位填写的 XLSX 填报表 / write the XLSX workbook reporting units fill in"
        ),
    )
    tpl.add_argument("--framework", required=True, metavar="F", help="框架 / framework")
    tpl.add_argument("--out", required=True, metavar="FILE.xlsx", help="输出文件 / output file")
    tpl.add_argument(
        "--by",
        choices=("responsible", "all"),
        default="responsible",
        help="每个负责单位一个工作表，或全部一个工作表 / one sheet per responsible unit, "
        "or one for all (default: responsible)",
    )
    tpl.add_argument(
        "--units",
        metavar="FILE",
        help="预填的被评价单位表（uCode、uName 列）/ units to pre-fill (uCode, uName columns)",
    )
    tpl.add_argument("--lang", choices=("zh", "en"), default="zh", help="标题语言 / title language")
    tpl.add_argument(
        "--force",
        action="store_true",
        help="覆盖已存在的 --out 文件（输入文件除外）/ overwrite an existing --out file "
        "(never an input file)",
    )
    tpl.set_defaults(func=_cmd_template)

    fws = sub.add_parser(
        "frameworks",
        help="列出内置框架 / list shipped frameworks",
        description="列出内置框架：标题、层级、各层节点数 / "
        "shipped frameworks: title, levels, sizes",
    )
    fws.set_defaults(func=_cmd_frameworks)

    from .records.cli import add_parsers  # records synth / indicators, monitor (docs/cli.md)

    add_parsers(sub)
    return parser


def _non_negative(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为整数 / expected a whole number: {text!r}") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"不能为负 / must not be negative: {n}")
    return n


# ================================================================ commands
def _cmd_run(args: argparse.Namespace) -> int:
    from .build import build
    from .manifest import seal_run
    from .progress import progress

    # a bar on a terminal only; closed (and erased) before any error message is printed
    steps = progress(total=4, desc="准备 / setup", unit="step", quiet=args.quiet)
    try:
        steps.set_description("读取输入 / reading inputs")
        inputs = _load_inputs(args)
        steps.update()
        steps.set_description("计算评价 / building")
        ev = build(inputs.framework, inputs.idata, inputs.spec, seed=args.seed, time=inputs.time)
        extras = _rate_and_draw(ev, args)
        steps.update()

        manifest = _run_manifest(ev, inputs, args)
        manifest.update(extras.pop("manifest"))
        manifest = seal_run(manifest)  # the run id covers --rating, --draws, --agency, --lang
        out_root = Path(args.out)
        rid = run_id(manifest) + ("-synthetic" if manifest.get("synthetic") else "")
        final = _unique(out_root / rid)
        manifest["run_id"] = final.name
        steps.set_description("写出结果 / writing outputs")
        _write_outputs(ev, final, manifest, args, extras)
        steps.update()
    finally:
        steps.close()
    print(f"完成 / done: {final}")
    if manifest.get("synthetic"):
        print(SYNTHETIC_NOTE)
    if not args.quiet:
        _print_top(final / "league_table.csv")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    inputs = _load_inputs(args, for_run=False)
    spec_note = _check_build(inputs, args)
    idata = inputs.idata
    if inputs.synthetic:
        print(SYNTHETIC_NOTE)
    n_units = idata["uCode"].nunique()
    periods = ""
    if "Time" in idata.columns:
        times = sorted(idata["Time"].dropna().unique().tolist())
        if len(times) == 1:
            periods = f"，评价期 / period {times[0]}"
        else:
            periods = f"，{len(times)} 期 / {len(times)} periods ({times[0]}–{times[-1]})"
    n_ind = len(inputs.framework.indicators)
    n_missing = int(idata[list(inputs.framework.indicators)].isna().sum().sum())
    print(
        f"通过 / OK: {args.data} — {n_units} 个单位、{n_ind} 项指标{periods}，缺失值 "
        f"{n_missing} 个 / {n_units} units, {n_ind} indicators, {n_missing} missing values"
    )
    print(spec_note)
    return 0


def _check_build(inputs: _Inputs, args: argparse.Namespace) -> str:
    """Run every check of ``run``'s build (``ie.check``: iData against the framework, then
    every stage up to aggregation) and of the framework's rating block; raise what it finds
    naming the files, else a note."""
    from dataclasses import replace

    from .build import build, check
    from .rating import resolve

    problems = check(inputs.framework, inputs.idata, inputs.spec)
    try:  # the framework's rating block, as run reads it
        resolve(None, inputs.framework)
    except ValidationError as exc:
        problems.extend(exc.problems)
    if problems:
        files = {"spec": str(args.spec) if args.spec else "spec", "iData": str(args.data)}
        raise ValidationError(
            [replace(p, source=files.get(p.source, p.source)) for p in problems],
            title="run 会拒绝这些输入 / run would refuse these inputs",
        )
    if args.spec:
        note = f"计算检查通过 / build checks passed: {args.spec}"
    elif inputs.framework.spec:
        note = (
            "计算检查通过（框架的默认计算参数）/ build checks passed (the framework's default spec)"
        )
    else:
        note = "计算检查通过（默认计算参数）/ build checks passed (the default spec)"
    unscored = build(inputs.framework, inputs.idata, inputs.spec).unscored
    lines = [f"  {u}: {label}" for u, label in unscored["label"].items()]
    if lines:
        lines.insert(0, f"不予评级的单位 {len(lines)} 个 / units not rated: {len(lines)}")
    return "\n".join([note, *lines])


def _cmd_template(args: argparse.Namespace) -> int:
    from .framework import load_framework
    from .io import read_table
    from .template import write_template

    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        raise _UsageError(f"--out 应为 .xlsx 文件 / --out must be an .xlsx file: {out}")
    _refuse_overwrite(out, args)
    fw = load_framework(args.framework)
    units = None
    if args.units:
        units = read_table(args.units)
        if "uCode" not in units.columns:
            raise ValidationError(
                [
                    Problem(
                        "缺少必需的列 / required column is missing", str(args.units), column="uCode"
                    )
                ],
                title="单位表有误 / invalid units table",
            )
        units = units.assign(uCode=units["uCode"].map(_code_str))
    write_template(fw, out, by=args.by, units=units, lang=args.lang, overwrite=args.force)
    print(f"已写出填报表 / template written: {out}")
    return 0


def _refuse_overwrite(out: Path, args: argparse.Namespace) -> None:
    """``template --out`` never replaces an input file, nor any existing file without --force."""
    inputs = [getattr(args, k, None) for k in ("framework", "units")]
    if any(i and Path(i).exists() and Path(i).resolve() == out.resolve() for i in inputs):
        raise _UsageError("--out 不能覆盖输入文件 / --out must not overwrite an input file")
    if out.exists() and not args.force:
        raise ValidationError(
            [
                Problem(
                    "输出文件已存在，不会覆盖；请换一个文件名，或加 --force 覆盖 / the output "
                    "file exists and is not overwritten; choose another name or add --force",
                    source=str(out),
                )
            ],
            title="输出文件已存在 / output file exists",
        )


def _cmd_frameworks(args: argparse.Namespace) -> int:
    from .framework import available_frameworks, load_framework

    names = available_frameworks()
    failed: list[Problem] = []
    print("内置框架 / shipped frameworks:")
    for name in names:
        try:
            fw = load_framework(name)
        except ValidationError as exc:
            failed.extend(exc.problems)
            continue
        print(f"  {name}  {fw.title_zh or name} / {fw.title_en or name}")
        levels = " → ".join(
            f"{fw.level_label(lv, 'zh')} {fw.level_label(lv, 'en')}: {len(fw.codes_at(lv))}"
            for lv in range(1, fw.n_levels + 1)
        )
        print(f"      层级 / levels ({fw.n_levels}): {levels}")
        print(f"      节点数 / nodes: {len(fw)}")
    if failed:
        raise ValidationError(failed, title="内置框架无法读取 / a shipped framework is invalid")
    return 0


# ================================================================= inputs
class _Inputs:
    def __init__(self) -> None:
        self.framework: Any = None
        self.idata: pd.DataFrame | None = None
        self.spec: dict[str, Any] | None = None
        self.time: Any = None
        self.dataset: Any = None  # bundled Dataset when no --data
        self.synthetic_origin: str | None = None  # --data is (a copy of) bundled synthetic data
        self.files: list[dict[str, Any]] = []

    @property
    def synthetic(self) -> bool:
        """Synthetic data: the bundled dataset, or a bundled synthetic file given as --data."""
        return bool(self.dataset is not None and self.dataset.synthetic) or bool(
            self.synthetic_origin
        )


def _load_inputs(args: argparse.Namespace, *, for_run: bool = True) -> _Inputs:
    """Framework, data, spec and period, every problem of data and spec reported at once."""
    from . import datasets
    from .framework import available_frameworks, load_framework
    from .io import file_sha256, read_idata

    inp = _Inputs()
    data = getattr(args, "data", None)
    fw_arg = args.framework
    if data is None:  # bundled default dataset (run only)
        ds = _default_dataset()
        inp.framework = ds.framework
        if fw_arg is not None:  # the user's version of the dataset's framework
            fw_user = load_framework(fw_arg)
            if fw_user.name != ds.framework.name:
                raise _UsageError(
                    f"内置数据集 {DEFAULT_DATASET} 使用框架 {ds.framework.name}，不是 "
                    f"{fw_user.name or fw_arg}；请用 --data 提供数据 / the bundled dataset "
                    f"{DEFAULT_DATASET} uses framework {ds.framework.name}, not "
                    f"{fw_user.name or fw_arg}; give --data"
                )
            inp.framework = fw_user
        inp.dataset = ds
        inp.idata = ds.idata
        inp.files.append({"role": "dataset", "name": ds.name})
        for f in sorted(Path(ds.path).iterdir()):
            if f.is_file() and not f.name.startswith("."):
                inp.files.append({"role": "dataset file", "path": f.name, "sha256": file_sha256(f)})
    else:
        if fw_arg is None:
            fw_arg = datasets.load(DEFAULT_DATASET).framework.name
            _note(args, f"未指定 --framework，使用 {fw_arg} / no --framework given, using {fw_arg}")
        inp.framework = load_framework(fw_arg)
    fw = inp.framework
    if fw_arg is not None:
        if fw_arg in available_frameworks() and not Path(fw_arg).exists():
            ref = resources.files("integrity_eval") / "frameworks" / f"{fw_arg}.yaml"
            with resources.as_file(ref) as p:
                inp.files.append(
                    {"role": "framework", "name": fw_arg, "path": p.name, "sha256": file_sha256(p)}
                )
        else:
            inp.files.append(
                {
                    "role": "framework",
                    "path": Path(fw_arg).name,
                    "sha256": file_sha256(fw_arg),
                }
            )

    problems: list[Problem] = []
    if data is not None:
        try:
            inp.idata = read_idata(data, fw, sheet=args.sheet)
            inp.files.append({"role": "data", "path": Path(data).name, "sha256": file_sha256(data)})
            inp.synthetic_origin = datasets.synthetic_origin(data)
            _report_units(inp.idata)
        except ValidationError as exc:
            problems.extend(exc.problems)
    if args.spec is not None:
        try:
            inp.spec = _check_spec(args.spec, fw)
            inp.files.append(
                {
                    "role": "spec",
                    "path": Path(args.spec).name,
                    "sha256": file_sha256(args.spec),
                }
            )
        except ValidationError as exc:
            problems.extend(exc.problems)
    if for_run and inp.idata is not None and getattr(args, "time", None) is not None:
        try:
            inp.time = _match_time(inp.idata, args.time, str(data or DEFAULT_DATASET))
        except ValidationError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ValidationError(problems, title="输入有误 / invalid input")
    return inp


def _report_units(idata: pd.DataFrame, limit: int = 20) -> None:
    """Say on stderr which unit codes were reconciled and which expected units have no data."""
    from .progress import note

    notes = idata.attrs.get("unit_codes")
    if notes is None:
        return
    rec = notes.reconciled
    if len(rec):
        note(
            f"注意：已统一 {len(rec)} 处单位代码的写法 / note: {len(rec)} unit code(s) "
            "reconciled (case, full-width characters, spaces):"
        )
        for r in rec.head(limit).itertuples(index=False):
            note(f"  {r.source} 行/row {r.row}: {r.found!r} → {r.uCode!r} ({r.reason})")
        if len(rec) > limit:
            note(f"  … 另有 {len(rec) - limit} 处 / {len(rec) - limit} more")
    missing = notes.missing
    if len(missing):
        listed = ", ".join(
            f"{c} {n}".strip() for c, n in zip(missing["uCode"], missing["uName"], strict=True)
        )
        note(
            f"注意：{len(missing)} 个被评价单位没有数据 / note: {len(missing)} expected "
            f"unit(s) have no data: {listed}"
        )


def _unit_code_notes(idata: pd.DataFrame) -> dict[str, Any]:
    """The manifest's record of reconciled unit codes and expected units without data."""
    notes = idata.attrs.get("unit_codes")
    if notes is None:
        return {}
    return {
        "reconciled": _jsonable(notes.reconciled.to_dict("records")),
        "missing_units": _jsonable(notes.missing.to_dict("records")),
    }


def _default_dataset() -> Any:
    """The bundled default dataset, its panel version when it has one (all years, so that
    ``--time`` can pick any of them; the latest year is the same data)."""
    from . import datasets

    try:
        return datasets.load(DEFAULT_DATASET, panel=True)
    except ValidationError:
        return datasets.load(DEFAULT_DATASET)


def _check_spec(path: str, fw: Any) -> dict[str, Any]:
    from .spec import load_spec, resolve

    spec = load_spec(path)
    try:
        resolve(spec, fw.n_levels)
    except ValidationError as exc:  # name the file: resolve says "spec"
        raise ValidationError(
            [
                Problem(
                    p.rule,
                    source=path if p.source in ("", "spec") else p.source,
                    row=p.row,
                    column=p.column,
                    value=p.value,
                )
                for p in exc.problems
            ],
            title=exc.title,
        ) from None
    return spec


def _match_time(idata: pd.DataFrame, text: str, source: str) -> Any:
    if "Time" not in idata.columns:
        raise ValidationError(
            [
                Problem(
                    "数据没有 Time 列，不能使用 --time / the data have no Time column, so "
                    "--time does not apply",
                    source=source,
                    column="Time",
                    value=text,
                )
            ],
            title="无法选择评价期 / cannot pick the period",
        )
    values = idata["Time"].dropna().unique().tolist()
    for v in values:
        if str(v) == text.strip():
            return v
    avail = ", ".join(map(str, sorted(values, key=str)))
    raise ValidationError(
        [
            Problem(
                f"数据中没有该评价期；现有 / period not in the data; available: {avail}",
                source=source,
                column="Time",
                value=text,
            )
        ],
        title="无法选择评价期 / cannot pick the period",
    )


def _note(args: argparse.Namespace, text: str) -> None:
    from .progress import note

    if not getattr(args, "quiet", False):
        note(text)


# ================================================================ outputs
def run_id(manifest: Mapping[str, Any], now: _dt.datetime | None = None) -> str:
    """``YYYYmmdd-HHMMSS-<first 8 hex of the manifest's run hash>``."""
    now = now or _dt.datetime.now()
    return f"{now:%Y%m%d-%H%M%S}-{manifest['run_hash'][:8]}"


def _unique(path: Path) -> Path:
    if not path.exists():
        return path
    k = 2
    while (candidate := path.with_name(f"{path.name}-{k}")).exists():
        k += 1
    return candidate


def _run_manifest(ev: Any, inputs: _Inputs, args: argparse.Namespace) -> dict[str, Any]:

    from .io import file_sha256
    from .rating import available_schemes

    manifest = _jsonable(dict(ev.manifest))
    ds = inputs.dataset
    manifest.update(
        {
            "created": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "command": [PROG, *args.argv],
            "input_files": inputs.files,
            "dataset": None if ds is None else {"name": ds.name, "synthetic": bool(ds.synthetic)},
            "synthetic": inputs.synthetic,
            "synthetic_origin": inputs.synthetic_origin,
            "unit_codes": _unit_code_notes(inputs.idata),
            "time": _jsonable(getattr(ev, "time", inputs.time)),
            "lang": args.lang,
            "draws": args.draws,
            "agency": agency_name(args.agency),
        }
    )
    if args.rating not in (None, *available_schemes()) and Path(args.rating).is_file():
        manifest["input_files"] = [
            *inputs.files,
            {"role": "rating", "path": Path(args.rating).name, "sha256": file_sha256(args.rating)},
        ]
    return manifest


def _rate_and_draw(ev: Any, args: argparse.Namespace) -> dict[str, Any]:
    """Ratings (``--rating`` or the framework's block) and the Monte Carlo analysis
    (``--draws``) of ``ev``: the keyword arguments of :func:`integrity_eval.report.write`,
    plus what the manifest records under ``"manifest"``."""
    from . import rating, uncertainty

    scheme = rating.resolve(args.rating, ev.framework)
    out: dict[str, Any] = {"manifest": {"rating": None if scheme is None else scheme.to_dict()}}
    if scheme is not None:
        out["rated"] = rating.rate(ev, scheme, lang=args.lang)
    if args.draws:
        inputs = uncertainty.default_inputs(ev, graded=scheme is not None)
        out["manifest"]["uncertainty"] = {"draws": args.draws, "seed": args.seed, "inputs": inputs}
        if not inputs:
            _note(
                args,
                "积分制总分没有可变的方法选择，不做不确定性分析 / a points total has no "
                "methodological choices to vary: no uncertainty analysis",
            )
            return out
        ua = uncertainty.run(ev, inputs, n=args.draws, seed=args.seed, quiet=args.quiet)
        out["ua"] = ua
        if scheme is not None:
            raw = ev.get_dset("Raw")  # veto rules cap every draw's grade
            out["grade_probs"] = rating.grade_probabilities(ua.scores, scheme, raw=raw)
    return out


def _write_outputs(
    ev: Any, final: Path, manifest: dict[str, Any], args: Any, extras: dict[str, Any]
) -> None:
    """Every output of the run, written by :func:`integrity_eval.report.write` (atomic)."""
    from . import report

    report.write(
        ev,
        final,
        lang=args.lang,
        agency=manifest["agency"],
        manifest=manifest,
        pdf=not args.no_pdf,
        quiet=args.quiet,
        **extras,
    )


def add_report_options(parser: argparse.ArgumentParser, agency_zh: str, agency_en: str) -> None:
    """``--lang`` and ``--agency`` of the commands that write reports (``run``, ``monitor``);
    ``agency_zh``/``agency_en`` say whose name the cover shows."""
    parser.add_argument(
        "--lang", choices=("zh", "en"), default="zh", help="报告语言 / report language (default zh)"
    )
    parser.add_argument(
        "--agency",
        metavar="NAME",
        default=None,
        help=f"{agency_zh}（默认取环境变量 INTEGRITY_EVAL_AGENCY）/ {agency_en} "
        "(default: $INTEGRITY_EVAL_AGENCY)",
    )


def agency_name(given: str | None) -> str | None:
    """The agency named on report covers: ``--agency``, else ``$INTEGRITY_EVAL_AGENCY``."""
    import os

    return given or os.environ.get("INTEGRITY_EVAL_AGENCY") or None


def _jsonable(value: Any) -> Any:
    """Plain JSON types (NumPy scalars and arrays, tuples, paths, timestamps converted)."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if hasattr(value, "tolist") and not isinstance(value, str):
        return _jsonable(value.tolist())
    if isinstance(value, float) and value != value:
        return None
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if hasattr(value, "item"):
        return _jsonable(value.item())
    return str(value)


def _print_top(csv_path: Path, n: int = 5) -> None:
    table = pd.read_csv(csv_path, encoding="utf-8-sig", dtype={"uCode": str})
    head = table.head(n)[["rank", "uCode", "uName", "score"]]
    buf = _io.StringIO()
    buf.write(f"前 {len(head)} 名 / top {len(head)}:\n")
    for r in head.itertuples(index=False):
        rank = "" if pd.isna(r.rank) else int(r.rank)
        buf.write(f"  {rank:>3}  {r.uCode}  {r.uName}  {r.score:.2f}\n")
    sys.stdout.write(buf.getvalue())


def _code_str(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return "" if pd.isna(v) else str(v)


# ================================================================ problems
def _print_problems(exc: ValidationError) -> None:
    """Every problem, in Chinese and English: the same text as ``str(exc)`` in Python."""
    sys.stderr.write(f"错误 / Error: {exc}\n")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
