"""``integrity-eval init`` and the engagement options of ``run`` and ``validate``.

``init DIR --framework F [--units FILE]`` writes a new engagement folder
(:func:`integrity_eval.engagement.init_engagement`). ``--engagement E`` on ``run`` and
``validate`` reads ``E`` (the file or its folder) and takes every option not given on the
command line from it: options given on the command line override the file.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..errors import Problem, ValidationError
from .common import UsageError, read_units

__all__ = [
    "add_cover_options",
    "add_engagement_option",
    "add_parser",
    "apply_engagement",
    "cmd_init",
    "cover_of",
    "require",
]

#: Options of run/validate an engagement file may supply: (argument, engagement field).
_FROM_FILE = (
    ("framework", "framework"),
    ("data", "data"),
    ("spec", "spec"),
    ("rating", "rating"),
    ("corrections", "corrections"),
    ("period", "period"),
    ("status", "status"),
)


def add_parser(sub: Any) -> None:
    """Add ``init`` to the main command's subparsers."""
    init = sub.add_parser(
        "init",
        help="新建评价项目文件夹 / create an engagement folder",
        description=(
            "新建评价项目文件夹：engagement.yaml（待填写的字段已标出）、数据填报表 "
            "collected.xlsx（含评价期列）和步骤说明 README.md；已有评价项目的文件夹不会被覆盖 / "
            "create an engagement folder: engagement.yaml (the fields to fill marked), the "
            "data-collection workbook collected.xlsx (with a period column) and README.md with "
            "the steps; a folder that holds an engagement is never overwritten"
        ),
    )
    init.add_argument("dir", metavar="DIR", help="评价项目文件夹 / engagement folder")
    init.add_argument(
        "--framework", required=True, metavar="F", help="框架：内置名称或文件 / framework"
    )
    init.add_argument(
        "--units",
        metavar="FILE",
        help="预填的被评价单位表（uCode、uName 列，可加英文名称 uName_en）/ "
        "units to pre-fill (uCode, uName columns; uName_en for English names)",
    )
    init.set_defaults(func=cmd_init)


def add_engagement_option(parser: argparse.ArgumentParser) -> None:
    """``--engagement E`` of ``run`` and ``validate``."""
    parser.add_argument(
        "--engagement",
        metavar="E",
        help="评价项目文件 engagement.yaml 或其文件夹；命令行选项优先于文件 / the engagement "
        "file or its folder; options given on the command line override the file",
    )


def add_cover_options(parser: argparse.ArgumentParser, *, cover: bool = True) -> None:
    """``--corrections`` and ``--period`` (``run`` and ``validate``); with ``cover``, the
    report cover's ``--title``, ``--client`` and ``--status`` (``run``)."""
    parser.add_argument(
        "--corrections",
        metavar="FILE",
        help="复核更正表（CSV/XLSX：uCode、iCode、value、reason，可加 evidence、by、date），"
        "计算前应用于原始数据 / corrections ledger (CSV/XLSX: uCode, iCode, value, reason; "
        "optional evidence, by, date), applied to the raw data before the build",
    )
    parser.add_argument(
        "--period",
        metavar="P",
        help="评价期（YYYY、YYYY-H1、YYYY-Qn、YYYY-MM 或 YYYY-MM/YYYY-MM）；数据有 Time 列时"
        "选取该期 / the evaluation period (YYYY, YYYY-H1, YYYY-Qn, YYYY-MM or "
        "YYYY-MM/YYYY-MM); picks that period when the data have a Time column",
    )
    if not cover:
        return
    parser.add_argument(
        "--title",
        metavar="T",
        help='报告标题，“中文 / English”（默认：框架标题）/ report title, "中文 / English" '
        "(default: the framework's title)",
    )
    parser.add_argument(
        "--client",
        metavar="C",
        help='委托方，“中文 / English” / the client, "中文 / English"',
    )
    parser.add_argument(
        "--status",
        choices=("draft", "final"),
        default=None,
        help="draft：每页标注“征求意见稿”；final：正式稿（默认 draft，未用评价项目时不标注）/ "
        "draft: 'Draft for comment' on every page; final: the final version (default: draft "
        "with an engagement, unmarked without)",
    )


def apply_engagement(args: argparse.Namespace) -> Any:
    """Read ``args.engagement`` (if given) and fill every option left unset from it; returns
    the :class:`~integrity_eval.engagement.Engagement` or None. Also checks ``--period``."""
    from ..engagement import check_period, load_engagement

    eng = None
    if getattr(args, "engagement", None):
        eng = load_engagement(args.engagement)
        for arg, fld in _FROM_FILE:
            value = getattr(eng, fld)
            if hasattr(args, arg) and getattr(args, arg) is None and value is not None:
                setattr(args, arg, str(value))
        if eng.missing is not None:
            args.missing = eng.missing
        if getattr(args, "agency", None) is None and eng.agency is not None:
            args.agency = eng.agency[getattr(args, "lang", "zh")]
    if getattr(args, "period", None) is not None:
        args.period = check_period(args.period, "--period")
    return eng


def cover_of(args: argparse.Namespace, eng: Any) -> dict[str, Any] | None:
    """What every report's cover shows (``Engagement.cover()`` with the command line's
    ``--title``, ``--period``, ``--client`` and ``--status`` laid over it); None when
    neither an engagement nor any of these options is given (the framework's title)."""
    from ..engagement import bilingual_text

    given = {
        "title": bilingual_text(args.title),
        "client": bilingual_text(args.client),
        "period": args.period,
        "status": args.status,
    }
    if eng is None and not any(given.values()):
        return None
    cover = eng.cover() if eng is not None else {"edges_source": None, "citations": {}}
    cover.update({k: v for k, v in given.items() if v is not None})
    cover.setdefault("title", None)
    cover.setdefault("client", None)
    cover.setdefault("period", None)
    cover["status"] = cover.get("status") or ("draft" if eng is not None else "final")
    return cover


def cmd_init(args: argparse.Namespace) -> int:
    """Write a new engagement folder."""
    from ..engagement import init_engagement
    from ..framework import load_framework

    units = None
    if args.units:
        units = read_units(args.units, load_framework(args.framework))
    folder = Path(args.dir)
    if folder.exists() and not folder.is_dir():
        raise ValidationError(
            [Problem("不是文件夹 / not a folder", source=str(folder))],
            title="无法新建评价项目 / cannot create the engagement",
        )
    written = init_engagement(folder, args.framework, units=units)
    print(f"已新建评价项目 / engagement created: {folder}")
    for path in written:
        print(f"  {path.name}")
    print(
        "下一步：填写 engagement.yaml 中标有“待填写”的字段，见 README.md / next: fill in the "
        "fields of engagement.yaml marked 待填写; see README.md"
    )
    return 0


def require(args: argparse.Namespace, *names: str) -> None:
    """A usage error naming the options neither the command line nor the engagement gave."""
    absent = [f"--{n}" for n in names if getattr(args, n, None) is None]
    if absent:
        raise UsageError(
            f"缺少 {'、'.join(absent)}（或用 --engagement 给出评价项目）/ {', '.join(absent)} "
            "required (or give an engagement with --engagement)"
        )
