"""The commands that prepare an evaluation: ``validate`` (everything ``run`` would refuse),
``template`` (the data-collection workbook) and ``frameworks`` (the shipped ones)."""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path
from typing import Any

from ..errors import Problem, ValidationError
from .common import (
    SYNTHETIC_NOTE,
    UsageError,
    add_draws_option,
    add_rating_option,
    read_units,
    require_scores,
    spec_origin_lines,
)
from .engagement import add_cover_options, add_engagement_option, apply_engagement, require
from .inputs import Inputs, glyph_notes, load_inputs

__all__ = ["add_parsers", "cmd_frameworks", "cmd_template", "cmd_validate"]


def add_parsers(sub: Any) -> None:
    """Add ``validate``, ``template`` and ``frameworks`` to the main command's subparsers."""
    val = sub.add_parser(
        "validate",
        help="只检查输入，不计算 / check inputs without building",
        description="检查框架、数据和计算参数，列出 run 会拒绝的所有问题，不写出任何文件 / "
        "check framework, data and spec and list every problem run would refuse; writes nothing",
    )
    add_engagement_option(val)
    val.add_argument("--framework", metavar="F", help="框架 / framework")
    val.add_argument("--data", metavar="D", help="指标数据 / indicator data")
    val.add_argument(
        "--spec",
        metavar="S",
        help="按此计算参数检查 run 会拒绝的一切（默认：框架的默认参数）/ check everything run "
        "would refuse under this build spec (default: the framework's default spec)",
    )
    val.add_argument("--sheet", metavar="S", help="只读此工作表 / read only this XLSX sheet")
    add_rating_option(val)
    add_draws_option(val)  # checked as run checks it (at least 20), nothing drawn
    add_cover_options(val, cover=False)
    val.set_defaults(func=cmd_validate)

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
        help="预填的被评价单位表（uCode、uName 列，可加英文名称 uName_en）/ "
        "units to pre-fill (uCode, uName columns; uName_en for English names)",
    )
    tpl.add_argument("--lang", choices=("zh", "en"), default="zh", help="标题语言 / title language")
    tpl.add_argument(
        "--force",
        action="store_true",
        help="覆盖已存在的 --out 文件（输入文件除外）/ overwrite an existing --out file "
        "(never an input file)",
    )
    tpl.set_defaults(func=cmd_template)

    fws = sub.add_parser(
        "frameworks",
        help="列出内置框架 / list shipped frameworks",
        description="列出内置框架：标题、层级、各层节点数 / "
        "shipped frameworks: title, levels, sizes",
    )
    fws.set_defaults(func=cmd_frameworks)


def cmd_validate(args: argparse.Namespace) -> int:
    """Check framework, data and spec as ``run`` would; print a summary, write nothing."""
    apply_engagement(args)
    require(args, "framework", "data")
    inputs = load_inputs(args, for_run=False)
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
    for message in glyph_notes(inputs):  # shown as run shows them (warnings_as_notes)
        warnings.warn(message, UserWarning, stacklevel=1)
    if inputs.corrections is not None:
        print(
            f"复核更正 {len(inputs.corrections)} 处，已应用 / {len(inputs.corrections)} "
            f"correction(s) applied: {args.corrections}"
        )
    return 0


def _check_build(inputs: Inputs, args: argparse.Namespace) -> str:
    """Run every check of ``run``'s build (``ie.check``: iData against the framework, then
    every stage up to aggregation) and of the rating (``--rating`` or the framework's
    block: its veto indicators, and a score it cannot grade); raise what it finds naming
    the files, else a note."""
    from dataclasses import replace

    from ..build import build, check

    problems = check(inputs.framework, inputs.idata, inputs.spec)
    problems.extend(_rating_problems(inputs, args.rating))
    if problems:
        files = {"spec": str(args.spec) if args.spec else "spec", "iData": str(args.data)}
        raise ValidationError(
            [replace(p, source=files.get(p.source, p.source)) for p in problems],
            title="run 会拒绝这些输入 / run would refuse these inputs",
        )
    ev = build(inputs.framework, inputs.idata, inputs.spec)
    require_scores(ev)  # run ranks the scores: refused here as there
    lines = [_passed_note(args, inputs), *spec_origin_lines(ev, args.spec), *_blank_lines(ev)]
    unscored = ev.unscored
    if len(unscored):
        lines.append(f"不予评级的单位 {len(unscored)} 个 / units not rated: {len(unscored)}")
        lines += [f"  {u}: {label}" for u, label in unscored["label"].items()]
    return "\n".join(lines)


def _rating_problems(inputs: Inputs, rating: str | None) -> list[Problem]:
    """What ``run`` would refuse in the rating: the scheme (``--rating`` or the framework's
    block, as run resolves it), and a score that is better when lower (VIKOR's Q), which
    no scheme can grade (:func:`integrity_eval.rating.lower_is_better_problem`)."""
    from ..pipeline import score_method
    from ..rating import lower_is_better_problem, resolve
    from ..spec import resolve as resolve_spec
    from ..spec import with_defaults

    fw = inputs.framework
    try:
        scheme = resolve(rating, fw)
    except ValidationError as exc:
        return list(exc.problems)
    if scheme is None:
        return []
    try:
        spec = resolve_spec(with_defaults(fw, inputs.spec)[0], fw.n_levels)
    except ValidationError:  # already reported by the build's check
        return []
    refusal = lower_is_better_problem(score_method(spec, fw.n_levels), source="spec")
    return [] if refusal is None else [refusal]


def _passed_note(args: argparse.Namespace, inputs: Inputs) -> str:
    if args.spec:
        return f"计算检查通过 / build checks passed: {args.spec}"
    if inputs.framework.spec:
        return (
            "计算检查通过（框架的默认计算参数）/ build checks passed (the framework's default spec)"
        )
    return "计算检查通过（默认计算参数）/ build checks passed (the default spec)"


_POLICY = {
    "worst": "按最差值计（未报送不得分）/ scored as the worst goalpost (not reported: no points)",
    "impute": "按插补值计 / imputed",
    "skip": "不计入，权重在已报送指标间重新分配 / skipped, weights shared among the reported",
}


def _blank_lines(ev: Any, limit: int = 30) -> list[str]:
    """The blank cells of the rated units, by unit, with how they are scored; a blank
    denominator is named beside the per-capita indicators it empties."""
    blanks = ev.blanks
    if blanks.empty:
        return []
    fw = ev.framework
    out = [
        f"空白单元格 {len(blanks)} 个，{_POLICY[ev.missing_policy]} / {len(blanks)} blank "
        f"cells (missing: {ev.missing_policy}):"
    ]
    for unit, rows in list(blanks.groupby("uCode", sort=False))[:limit]:
        parts = []
        for code, cause in zip(rows["iCode"], rows["cause"], strict=True):
            if cause == "denominator_blank":
                den = fw[code].denominator
                parts.append(f"{code}（分母 {den} 空白 / denominator {den} blank）")
            else:
                parts.append(code)
        out.append(f"  {unit}: {', '.join(parts)}")
    n_units = blanks["uCode"].nunique()
    if n_units > limit:
        out.append(f"  … 另有 {n_units - limit} 个单位 / {n_units - limit} more units")
    return out


def cmd_template(args: argparse.Namespace) -> int:
    """Write the data-collection workbook for the reporting units."""
    from ..framework import load_framework
    from ..template import write_template

    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        raise UsageError(f"--out 应为 .xlsx 文件 / --out must be an .xlsx file: {out}")
    _refuse_overwrite(out, args)
    fw = load_framework(args.framework)
    units = None
    if args.units:
        units = read_units(args.units, fw)
    write_template(fw, out, by=args.by, units=units, lang=args.lang, overwrite=args.force)
    print(f"已写出填报表 / template written: {out}")
    return 0


def _refuse_overwrite(out: Path, args: argparse.Namespace) -> None:
    """``template --out`` never replaces an input file, nor any existing file without --force."""
    inputs = [getattr(args, k, None) for k in ("framework", "units")]
    if any(i and Path(i).exists() and Path(i).resolve() == out.resolve() for i in inputs):
        raise UsageError("--out 不能覆盖输入文件 / --out must not overwrite an input file")
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


def cmd_frameworks(args: argparse.Namespace) -> int:
    """List the shipped frameworks: title, levels, sizes."""
    from ..framework import available_frameworks, load_framework

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
