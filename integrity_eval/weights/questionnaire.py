"""The AHP expert questionnaire: an Excel workbook to fill, and its reader.

:func:`ahp_template` writes one sheet per aggregate listing every pair of its
children; the expert marks which element of each pair is more important and
how much, on Saaty's 1–9 scale (Saaty 2008, *Int. J. Services Sciences* 1(1),
Table 1; verbal labels in Chinese and English), with Excel data validation.
:func:`read_ahp` reads a filled workbook back into pairwise comparison
matrices, listing every problem at once (missing judgement, value not on the
scale, unknown code, missing or repeated pair).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import Problem, ProblemList, ValidationError
from ..framework import Framework, load_framework
from ..io import atomic_write_bytes, write_cell
from .ahp import SAATY_SCALE, ahp, ahp_group
from .result import WeightResult

__all__ = ["AhpResponses", "ahp_template", "group_weights", "read_ahp"]

README = "说明 README"
HEADER = [
    "序号 / No.",
    "要素A代码 / code A",
    "要素A / element A",
    "要素B代码 / code B",
    "要素B / element B",
    "更重要的一方 / more important (A, B, 同等)",
    "重要程度 / intensity (1–9)",
    "备注 / comment",
]
SIDES = {"A": "A", "B": "B", "同等": "=", "=": "=", "equal": "="}
FIRST_ROW = 4  # header on row 3, pairs from row 4
MAX_CHILDREN = 10  # the random-index tables stop at n = 10
_FIXED_TIME = (2018, 1, 1, 0, 0, 0)


def _parents(
    fw: Framework,
    level: int | Sequence[int],
    parents: Sequence[str] | None,
    *,
    source: str = "ahp_template",
    max_children: int | None = MAX_CHILDREN,
) -> list:
    """The aggregates whose children (two or more) are at ``level``, restricted to
    ``parents``; every problem at once (bad level, unknown parent, too many children)."""
    levels = [level] if isinstance(level, int) else list(level)
    problems = ProblemList()
    for lv in levels:
        if lv not in range(1, fw.n_levels):
            problems.add(
                f"level must be between 1 and {fw.n_levels - 1} (the level of the compared "
                "elements)",
                source=source,
                column="level",
                value=lv,
            )
    problems.raise_if_any("invalid questionnaire settings")
    found = [p for lv in levels for p in fw.codes_at(lv + 1) if len(fw.children[p]) > 1]
    if parents is not None:
        for p in parents:
            if p not in found:
                problems.add(
                    "not an aggregate with two or more children at the given level(s)",
                    source=source,
                    column="parents",
                    value=p,
                )
        found = [p for p in found if p in parents]
    for p in found:
        if max_children is not None and len(fw.children[p]) > max_children:
            problems.add(
                f"{len(fw.children[p])} children: AHP consistency needs at most {max_children} "
                "elements per matrix; leave it out with parents=[...] or regroup",
                source=source,
                column=p,
            )
    problems.raise_if_any("invalid questionnaire settings")
    return found


def ahp_template(
    framework: Framework | str,
    level: int | Sequence[int],
    path: str | Path,
    *,
    parents: Sequence[str] | None = None,
    expert: str = "",
) -> Path:
    """Write the AHP questionnaire for the elements at ``level`` (1 = indicators).

    One sheet per aggregate whose children are at ``level`` (several levels
    may be given, e.g. ``[3, 2]``), restricted to ``parents`` if given; one row
    per pair of children. Written atomically; the framework's name and hash
    are recorded so :func:`read_ahp` can check the codes.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    fw = load_framework(framework)
    found = _parents(fw, level, parents)
    wb = Workbook()
    bold = Font(bold=True)
    how = (
        "每个工作表比较一个上级要素下的所有下级要素两两之间的重要性。对每一对，选择更重要的一方"
        "（A、B 或 同等），再填写重要程度 1–9（同等时填 1）。 / Each sheet compares every pair "
        "of elements under one aggregate: pick the more important element (A, B or 同等 = "
        "equal) and its intensity 1–9 (1 when equal)."
    )
    write_readme(
        wb,
        "层次分析法专家问卷 / AHP expert questionnaire",
        fw,
        expert,
        how,
        ("标度 / scale", "含义 / meaning (Saaty 2008, Table 1)"),
        SAATY_SCALE,
    )
    fill = PatternFill("solid", fgColor="FFF2CC")
    for parent in found:
        sh = wb.create_sheet(parent[:31])
        node = fw[parent]
        write_cell(sh, 1, 1, f"{parent}: {node.name_zh} / {node.name_en}").font = bold
        write_cell(
            sh, 2, 1, "哪一方更重要？重要多少（1–9）？ / Which matters more, and how much (1–9)?"
        )
        for j, h in enumerate(HEADER, start=1):
            write_cell(sh, 3, j, h).font = bold
        kids = fw.children[parent]
        pairs = [(a, b) for i, a in enumerate(kids) for b in kids[i + 1 :]]
        for k, (a, b) in enumerate(pairs):
            r = FIRST_ROW + k
            row = [k + 1, a, fw[a].name_zh or fw[a].name_en, b, fw[b].name_zh or fw[b].name_en]
            for j, v in enumerate(row, start=1):
                write_cell(sh, r, j, v)
            sh.cell(r, 6).fill = fill
            sh.cell(r, 7).fill = fill
        last = FIRST_ROW + len(pairs) - 1
        side = DataValidation(type="list", formula1='"A,B,同等"', allow_blank=True)
        side.error = "请选择 A、B 或 同等 / choose A, B or 同等 (equal)"
        side.showErrorMessage = True
        scale = DataValidation(type="whole", operator="between", formula1="1", formula2="9")
        scale.error = "请填写 1–9 的整数 / enter a whole number from 1 to 9"
        scale.showErrorMessage = True
        sh.add_data_validation(side)
        sh.add_data_validation(scale)
        side.add(f"F{FIRST_ROW}:F{last}")
        scale.add(f"G{FIRST_ROW}:G{last}")
        for col, width in zip("ABCDEFGH", (8, 12, 30, 12, 30, 24, 18, 30), strict=True):
            sh.column_dimensions[col].width = width
    return save_reproducible(wb, path)


def write_readme(
    wb: Any,
    title: str,
    fw: Framework,
    expert: str,
    how: str,
    scale_header: tuple[str, str],
    scale: dict[int, str],
) -> None:
    """The README sheet of a questionnaire: title, framework name and hash (read back to
    check the codes), expert, how to fill, and the scale with its meanings."""
    from openpyxl.styles import Alignment, Font

    ws = wb.active
    ws.title = README
    lines = [
        (title, ""),
        ("框架 / framework", fw.name),
        ("框架哈希 / framework hash", fw.hash),
        ("专家 / expert", expert),
        ("", ""),
        ("填写说明 / how to fill", how),
        ("", ""),
        scale_header,
        *((str(k), v) for k, v in scale.items()),
    ]
    bold = Font(bold=True)
    for r, (a, b) in enumerate(lines, start=1):
        write_cell(ws, r, 1, a).font = bold
        write_cell(ws, r, 2, b).alignment = Alignment(wrap_text=True)
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 90


def save_reproducible(wb: Any, path: str | Path) -> Path:
    """Save an openpyxl workbook atomically with fixed timestamps (same content → same bytes).

    openpyxl stamps the save time into ``docProps/core.xml`` and the zip entries;
    both are set to 2018-01-01 so that regenerated files are byte-identical.
    """
    buf = io.BytesIO()
    wb.save(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)",
                    rb"\g<1>2018-01-01T00:00:00Z\g<2>",
                    data,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, data)
    return atomic_write_bytes(path, out.getvalue())


@dataclass
class AhpResponses:
    """One expert's filled questionnaire: ``matrices`` (aggregate code → pairwise DataFrame)."""

    expert: str
    matrices: dict[str, pd.DataFrame]
    source: str = ""
    framework: str = ""
    comments: dict[str, list[str]] = field(default_factory=dict)

    def weights(self, **kwargs: Any) -> dict[str, WeightResult]:
        """:func:`~integrity_eval.weights.ahp` on every matrix (``kwargs`` passed on)."""
        return {p: ahp(m, **kwargs) for p, m in self.matrices.items()}

    def __repr__(self) -> str:
        return f"<AhpResponses {self.expert or '(no name)'}: {', '.join(self.matrices)}>"


def open_questionnaire(
    path: Path, framework: Framework | str | None
) -> tuple[Any, dict[str, str], Framework]:
    """A filled questionnaire workbook (read-only), the facts on its README sheet
    (framework, hash, expert) and the framework to check it against (``framework``, or the
    one the workbook names); a missing file or a non-workbook is a ValidationError."""
    from openpyxl import load_workbook

    source = str(path)
    if not path.is_file():
        raise ValidationError([Problem("找不到文件 / file not found", source=source)], "no file")
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for non-workbooks
        raise ValidationError(
            [Problem(f"不是有效的 Excel 文件 / not a valid .xlsx workbook: {exc}", source=source)],
            title="cannot read questionnaire",
        ) from None
    meta: dict[str, str] = {}
    if README in wb.sheetnames:
        for row in wb[README].iter_rows(min_row=1, max_row=6, values_only=True):
            if row and row[0]:
                meta[str(row[0])] = "" if row[1] is None else str(row[1])
    fw = load_framework(framework if framework is not None else meta.get("框架 / framework", ""))
    return wb, meta, fw


def aggregate_sheets(wb: Any, fw: Framework, source: str, problems: ProblemList):
    """``(sheet, "file [sheet]", children)`` for every comparison sheet of ``wb``; a sheet
    that is not an aggregate of ``fw`` with two or more children is a problem."""
    for name in wb.sheetnames:
        if name == README:
            continue
        where = f"{source} [{name}]"
        if name not in fw.children or len(fw.children[name]) < 2:
            problems.add(
                f"sheet is not an aggregate of framework {fw.name}", source=where, value=name
            )
            continue
        yield name, where, fw.children[name]


def read_ahp(path: str | Path, framework: Framework | str | None = None) -> AhpResponses:
    """Read a filled AHP questionnaire back into pairwise matrices.

    ``framework``: to check the codes against (default: the framework named
    in the workbook). Every problem is listed at once with its sheet and row:
    a missing judgement, a side other than A/B/同等, an intensity not a whole
    number 1–9 (or ≠ 1 for 同等), a code that is not a child of the sheet's
    aggregate, a sheet that is not an aggregate, a pair missing or repeated.
    """
    path = Path(path)
    source = str(path)
    wb, meta, fw = open_questionnaire(path, framework)
    problems = ProblemList()
    matrices: dict[str, pd.DataFrame] = {}
    comments: dict[str, list[str]] = {}
    for name, where, kids in aggregate_sheets(wb, fw, source, problems):
        a = np.eye(len(kids))
        seen: dict[tuple[str, str], int] = {}
        rows = wb[name].iter_rows(min_row=FIRST_ROW, values_only=True)
        for r, row in enumerate(rows, start=FIRST_ROW):
            cells = (list(row) + [None] * 8)[:8]
            if all(c is None or str(c).strip() == "" for c in cells[1:7]):
                continue
            code_a, code_b = (str(c).strip() if c is not None else "" for c in (cells[1], cells[3]))
            bad = [c for c in (code_a, code_b) if c not in kids]
            for c in bad:
                problems.add(
                    f"unknown code: not a child of {name} ({', '.join(kids)})",
                    source=where,
                    row=r,
                    column="code",
                    value=c,
                )
            if bad or code_a == code_b:
                if not bad:
                    problems.add(
                        "a pair compares a code with itself", source=where, row=r, value=code_a
                    )
                continue
            key = tuple(sorted((code_a, code_b)))
            if key in seen:
                problems.add(
                    f"pair repeated (first on row {seen[key]})",
                    source=where,
                    row=r,
                    value=f"{code_a} / {code_b}",
                )
                continue
            seen[key] = r
            value = _judgement(cells[5], cells[6], where, r, problems)
            if value is None:
                continue
            i, j = kids.index(code_a), kids.index(code_b)
            a[i, j], a[j, i] = value, 1.0 / value
            if cells[7]:
                comments.setdefault(name, []).append(f"{code_a}/{code_b}: {cells[7]}")
        for i, x in enumerate(kids):
            for y in kids[i + 1 :]:
                if tuple(sorted((x, y))) not in seen:
                    problems.add(
                        "missing judgement: pair not in the sheet", source=where, value=f"{x} / {y}"
                    )
        matrices[name] = pd.DataFrame(a, index=kids, columns=kids)
    if not matrices and not problems:
        problems.add("no comparison sheets in the workbook", source=source)
    wb.close()
    problems.raise_if_any("AHP questionnaire has problems")
    return AhpResponses(
        expert=meta.get("专家 / expert", ""),
        matrices=matrices,
        source=path.name,
        framework=fw.name,
        comments=comments,
    )


def _judgement(side: Any, intensity: Any, where: str, r: int, problems: ProblemList):
    """``a_AB`` from a side (A, B, 同等) and an intensity 1–9; None (and a problem) if bad."""
    s = "" if side is None else str(side).strip()
    if s == "" or intensity is None or str(intensity).strip() == "":
        problems.add(
            "missing judgement: choose the more important element and an intensity 1–9",
            source=where,
            row=r,
            column="F:G",
            value=f"{s} / {'' if intensity is None else intensity}",
        )
        return None
    if s not in SIDES:
        problems.add(
            "more important must be A, B or 同等", source=where, row=r, column="F", value=s
        )
        return None
    try:
        v = float(intensity)
    except (TypeError, ValueError):
        v = float("nan")
    if not (v == int(v) if np.isfinite(v) else False) or not 1 <= v <= 9:
        problems.add(
            "intensity must be a whole number from 1 to 9 (Saaty's scale)",
            source=where,
            row=r,
            column="G",
            value=intensity,
        )
        return None
    if SIDES[s] == "=" and v != 1:
        problems.add("同等 (equal) needs intensity 1", source=where, row=r, column="G", value=v)
        return None
    return v if SIDES[s] == "A" else 1.0 / v


def group_weights(responses: Sequence[AhpResponses], **kwargs: Any) -> dict[str, WeightResult]:
    """Group AHP (:func:`~integrity_eval.weights.ahp_group`) per aggregate over several experts."""
    parents = [p for p in responses[0].matrices if all(p in r.matrices for r in responses)]
    return {
        p: ahp_group({r.expert or r.source: r.matrices[p] for r in responses}, **kwargs)
        for p in parents
    }
