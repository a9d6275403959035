"""What every command of the command line shares: the parser class, option types, report
options, notes on stderr, JSON-safe values, and how problems are printed."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import warnings
from collections.abc import Iterator, Mapping
from typing import Any

from ..errors import Problem, ValidationError

__all__ = [
    "MIN_DRAWS",
    "PROG",
    "SYNTHETIC_NOTE",
    "Parser",
    "UsageError",
    "add_draws_option",
    "add_rating_option",
    "add_report_options",
    "agency_name",
    "as_validation",
    "code_str",
    "draws",
    "jsonable",
    "non_negative",
    "note",
    "positive",
    "print_problems",
    "read_units",
    "require_scores",
    "spec_origin_lines",
    "warnings_as_notes",
]

PROG = "integrity-eval"
SYNTHETIC_NOTE = (
    "注意：本次评价使用合成数据，不代表任何单位的真实情况 / "
    "note: synthetic data, not real figures of any unit"
)


class UsageError(Exception):
    """Wrong combination of options (exit code 2)."""


class Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are bilingual and exit with code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: 用法错误 / usage error: {message}\n")
        sys.exit(2)


def non_negative(text: str) -> int:
    """An option's whole number ≥ 0 (argparse ``type=``)."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为整数 / expected a whole number: {text!r}") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"不能为负 / must not be negative: {n}")
    return n


# The 90 % rank interval is the 5th–95th percentile of the draws: below 20 draws not one
# draw lies beyond either end (0.05 × n < 1), and the "interval" is only their range.
MIN_DRAWS = 20


def draws(text: str) -> int:
    """``--draws`` (argparse ``type=``): 0 (no analysis) or at least :data:`MIN_DRAWS`."""
    n = non_negative(text)
    if 0 < n < MIN_DRAWS:
        raise argparse.ArgumentTypeError(
            f"抽样次数至少为 {MIN_DRAWS}（或 0 表示不做）：90% 排名区间取各次抽样的第 5–95 "
            f"百分位，少于 {MIN_DRAWS} 次时两端之外没有一次抽样，区间无意义；得到 {n} / at "
            f"least {MIN_DRAWS} draws (or 0 for none): the 90 % rank interval is the 5th–95th "
            f"percentile of the draws, and with fewer than {MIN_DRAWS} no draw lies beyond "
            f"its ends; got {n}"
        )
    return n


def positive(text: str) -> int:
    """An option's whole number ≥ 1 (argparse ``type=``)."""
    n = non_negative(text)
    if n < 1:
        raise argparse.ArgumentTypeError(f"应为正数 / must be positive: {n}")
    return n


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


DRAWS_NOTE = (
    "0 = 不做；输入取计算参数的 uncertainty: 列表，否则为 COINr 默认"
    "（权重 ±25%%、标准化与聚合方法的替代）/ 0 = none; inputs from the spec's uncertainty: "
    "list, else COINr's defaults (weights ±25 %%, "
    "normalisation and aggregation alternatives). 不做时为 0，否则至少 20 / 0 or at least 20"
)


def add_draws_option(parser: argparse.ArgumentParser) -> None:
    """``--draws N`` of ``run`` and ``validate`` (:func:`draws`: 0 or at least 20)."""
    parser.add_argument(
        "--draws",
        type=draws,
        default=0,
        metavar="N",
        help=f"蒙特卡洛抽样次数 / Monte Carlo draws: {DRAWS_NOTE}",
    )


def add_rating_option(parser: argparse.ArgumentParser) -> None:
    """``--rating R`` of ``run`` and ``validate``."""
    parser.add_argument(
        "--rating",
        metavar="R",
        help="评级方案：内置名称（tax-credit、four-grade、stars-5）或 YAML 文件；"
        "默认用框架的 rating 设置 / rating scheme: shipped name (tax-credit, four-grade, "
        "stars-5) or a YAML file "
        "(default: the framework's rating block, if any)",
    )


def agency_name(given: str | None) -> str | None:
    """The agency named on report covers: ``--agency``, else ``$INTEGRITY_EVAL_AGENCY``."""
    return given or os.environ.get("INTEGRITY_EVAL_AGENCY") or None


def note(args: argparse.Namespace, text: str) -> None:
    """A note on stderr (that does not break a progress bar), unless ``--quiet``."""
    from ..progress import note as write_note

    if not getattr(args, "quiet", False):
        write_note(text)


def jsonable(value: Any) -> Any:
    """Plain JSON types (NumPy scalars and arrays, tuples, paths, timestamps converted)."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    if hasattr(value, "tolist") and not isinstance(value, str):
        return jsonable(value.tolist())
    if isinstance(value, float) and value != value:
        return None
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if hasattr(value, "item"):
        return jsonable(value.item())
    return str(value)


def code_str(v: Any) -> str:
    """A unit code cell as text (``3.0`` → ``"3"``, missing → ``""``)."""
    import pandas as pd  # the commands' imports stay light (--help)

    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return "" if pd.isna(v) else str(v)


def print_problems(exc: ValidationError) -> None:
    """Every problem, in Chinese and English: the same text as ``str(exc)`` in Python."""
    sys.stderr.write(f"错误 / Error: {exc}\n")


class as_validation:
    """Turn a ValueError of the package into the CLI's input error (exit 1, no traceback)."""

    def __init__(self, where: str) -> None:
        self.where = where

    def __enter__(self) -> None:
        return None

    def __exit__(self, typ: Any, exc: Any, tb: Any) -> bool:
        if typ is not None and issubclass(typ, ValueError) and not issubclass(typ, ValidationError):
            raise ValidationError(
                [Problem(rule=str(exc), source=self.where)], title="输入有误 / invalid input"
            ) from None
        return False


_ORIGIN = {
    "default": "框架默认 / framework default",
    "given": "给定的计算参数 / given spec",
    "both": "两者合并 / both, merged",
}


def spec_origin_lines(ev: Any, given: str | None) -> list[str]:
    """Which stage of the build came from the framework's default spec and which from
    ``given``, the ``--spec`` file (laid over the default stage by stage: docs/spec.md)."""
    origin = ev.details.get("spec_origin") or {}
    if not given or not origin:
        return []
    out = ["计算参数来源 / where each part of the build spec came from:"]
    for source in ("default", "given", "both"):
        keys = [k for k, v in origin.items() if v == source]
        if keys:
            out.append(f"  {_ORIGIN[source]}: {', '.join(keys)}")
    return out


@contextlib.contextmanager
def warnings_as_notes(quiet: bool = False) -> Iterator[None]:
    """The package's warnings (bilingual, e.g. constant indicators) shown as notes on
    stderr, once each, without Python's file and line prefix."""
    from ..progress import note as write_note

    seen: set[str] = set()

    def show(message: Any, category: Any, *args: Any, **kwargs: Any) -> None:
        text = str(message)
        if text not in seen and not quiet:
            seen.add(text)
            write_note(f"注意 / note: {text}")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # libraries' own warnings are not the user's business
        warnings.filterwarnings("always", category=UserWarning, module=r"integrity_eval")
        warnings.showwarning = show
        yield


def read_units(path: str, framework: Any, numbers: tuple[str, ...] = ()) -> Any:
    """The ``--units`` table of ``template``, ``init`` and the record commands: read strictly
    (:func:`integrity_eval.io.read_table`), codes as text; the framework's denominator
    columns (population …) and the columns ``numbers`` (the record commands' ``size``) as
    numbers, each cell as the data table reads a denominator
    (:func:`integrity_eval.idata.number_cells`: TRUE/FALSE, text or a percentage is a
    problem naming the file, row and column)."""
    from ..errors import ProblemList
    from ..idata import number_cells
    from ..io import read_table

    units = read_table(path, required=("uCode",))
    rows = units.attrs["rows"]
    problems = ProblemList()
    numbers = {
        code: number_cells(
            units[code].tolist(), code, source=str(path), rows=rows, problems=problems
        )
        for code in dict.fromkeys([*(d.code for d in framework.denominators), *numbers])
        if code in units.columns
    }
    problems.raise_if_any("单位表有误 / invalid units table")
    return units.assign(uCode=units["uCode"].map(code_str), **numbers)


def require_scores(ev: Any) -> None:
    """Refuse an evaluation in which no unit has a score (``validate`` and ``run`` alike):
    every unit screened out, or every indicator the same in every unit (min-max and z-scores
    leave it without scores) or missing. There is nothing to rank; each unit is listed with
    its reason. A spec without an aggregate stage is refused by ``ev.scores`` itself."""
    if len(ev.scores):
        return
    raise ValidationError(
        [
            Problem(
                "没有任何单位得分（单位都被筛除，或每项指标在各单位取值相同或缺失），排名表无从"
                "排起；请检查数据与 screen 设置 / no unit has a score (every unit screened out, "
                "or every indicator the same in every unit or missing): there is nothing to "
                "rank; check the data and the screen settings",
                source="iData",
                row=str(code),
                value=reason,
            )
            for code, reason in ev.unscored["reason"].items()
        ],
        title="没有得分 / no scores",
    )
