"""The ``integrity-eval`` command (user guide: ``docs/cli.md``): the parser and dispatch.

::

    integrity-eval run       [--engagement E] [--framework F] [--data D] [--spec S] [--out DIR]
                             [--lang zh|en] [--rating R] [--seed N] [--draws N] [--time T]
                             [--title T] [--period P] [--client C] [--status draft|final]
                             [--corrections FILE] [--sheet S] [--quiet]
    integrity-eval validate  [--engagement E] --framework F --data D [--spec S] [--sheet S]
                             [--period P] [--corrections FILE]
    integrity-eval init      DIR --framework F [--units FILE]
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

Each verb group is one module of this package (``run``, ``prepare``: validate, template,
frameworks; ``engagement``: init and the engagement options; ``records``; ``monitor``),
adding its parser here and holding its command;
``common`` holds what they share.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .._version import __version__
from ..errors import ValidationError
from . import engagement, monitor, prepare, records, run
from .common import PROG, Parser, UsageError, print_problems, warnings_as_notes

__all__ = ["build_parser", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 bad input, 2 wrong usage)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exc:  # --help (0) or a usage error (2)
        return exc.code if isinstance(exc.code, int) else 2
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    args.argv = args_list
    try:
        with warnings_as_notes(getattr(args, "quiet", False)):
            return int(args.func(args))
    except UsageError as exc:
        sub = f"{PROG} {args.command}"
        sys.stderr.write(f"{sub}: 用法错误 / usage error: {exc}\n")
        return 2
    except ValidationError as exc:
        print_problems(exc)
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


def build_parser() -> argparse.ArgumentParser:
    """The ``integrity-eval`` parser with every command's subparser."""
    parser = Parser(
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
    sub = parser.add_subparsers(dest="command", parser_class=Parser, metavar="COMMAND")
    run.add_parser(sub)
    prepare.add_parsers(sub)
    engagement.add_parser(sub)
    records.add_parser(sub)
    monitor.add_parser(sub)
    return parser
