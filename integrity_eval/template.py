"""Data-collection workbook (数据填报表) that reporting units fill in.

:func:`write_template` writes an XLSX with an instructions sheet (填表说明, Chinese
then English) and one sheet per responsible unit (``by="responsible"``) or a single
sheet for all indicators (``by="all"``). Each data sheet has a title row, the
header row (``uCode``, ``uName``, the group and denominator columns where they
belong, then the indicator codes), description rows under the header (names in
Chinese and English, unit, allowed values, responsible unit, definition) and the
allowed ranges as Excel data validation. :func:`integrity_eval.idata.read_idata`
reads a filled template back directly.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

import pandas as pd

from ._version import __version__
from .errors import Problem, ValidationError, problem_error
from .idata import INSTRUCTIONS_SHEET, META_ROWS, UNITS_SHEET, ValueRange, allowed_range
from .io import atomic_write_path, write_cell

if TYPE_CHECKING:  # pragma: no cover
    from openpyxl.worksheet.worksheet import Worksheet

    from .framework import Framework

__all__ = [
    "BASE_SHEET",
    "UNASSIGNED_SHEET",
    "TemplateSheet",
    "sheet_name",
    "template_layout",
    "write_template",
]

# Sheets for columns that belong to no responsible unit.
BASE_SHEET = "基础信息 Base data"
UNASSIGNED_SHEET = "未指定单位 Unassigned"
ALL_SHEET = "数据填报 Data"
TITLE_ROW = 1
HEADER_ROW = 2
FIRST_META_ROW = 3
FIRST_DATA_ROW = FIRST_META_ROW + len(META_ROWS)
EMPTY_ROWS = 1000  # rows given data validation when no units are pre-filled
# Excel's limits on data-validation texts (longer ones make Excel "repair" the file).
_PROMPT_TITLE_MAX, _PROMPT_MAX, _ERROR_TITLE_MAX, _ERROR_MAX = 32, 255, 32, 225
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class TemplateSheet:
    name: str
    responsible: str  # "" for the all-indicators sheet and the base sheet
    columns: tuple[str, ...]  # group/denominator/indicator codes after uCode, uName


def sheet_name(text: str, taken: Sequence[str] = ()) -> str:
    """A valid, unique Excel sheet name: no ``[]:*?/\\``, ≤ 31 characters, not blank,
    not starting or ending with an apostrophe, unique (case-insensitively) among ``taken``."""
    name = _SHEET_FORBIDDEN.sub("_", str(text)).strip().strip("'").strip()
    name = name or "Sheet"
    if name.lower() == "history":  # reserved by Excel
        name = "History_"
    name = name[:31]
    lower = {t.lower() for t in taken}
    candidate, k = name, 2
    while candidate.lower() in lower:
        suffix = f"~{k}"
        candidate = name[: 31 - len(suffix)] + suffix
        k += 1
    return candidate


def template_layout(framework: Framework, *, by: str = "responsible") -> list[TemplateSheet]:
    """The data sheets :func:`write_template` writes: name, responsible unit, columns.

    With ``by="responsible"`` an indicator goes to the sheet of its first (lead)
    responsible unit; indicators without one go to an "unassigned" sheet, group and
    denominator columns to a base-data sheet.
    """
    if by not in ("responsible", "all"):
        raise problem_error(
            "by 须为 'responsible'（每个责任单位一张表）或 'all'（全部指标一张表），请改用其一 / "
            "by must be 'responsible' (one sheet per responsible unit) or 'all' (one sheet "
            "for every indicator); use one of them",
            "invalid option",
            source="by",
            value=by,
        )
    aux = tuple(a.code for a in (*framework.groups, *framework.denominators))
    taken = [INSTRUCTIONS_SHEET]
    if by == "all":
        return [TemplateSheet(ALL_SHEET, "", (*aux, *framework.indicators))]
    owners: dict[str, list[str]] = {}
    for code in framework.indicators:
        node = framework[code]
        owner = node.responsible[0] if node.responsible else ""
        owners.setdefault(owner, []).append(code)
    specs = []
    for owner, codes in owners.items():
        if not owner:
            continue
        name = sheet_name(owner, taken)
        taken.append(name)
        specs.append(TemplateSheet(name, owner, tuple(codes)))
    if "" in owners:
        name = sheet_name(UNASSIGNED_SHEET, taken)
        taken.append(name)
        specs.append(TemplateSheet(name, "", tuple(owners[""])))
    if aux:
        specs.insert(0, TemplateSheet(sheet_name(BASE_SHEET, taken), "", aux))
    return specs


def write_template(
    framework: Framework,
    path: str | Path,
    *,
    by: Literal["responsible", "all"] = "responsible",
    units: pd.DataFrame | None = None,
    lang: Literal["zh", "en"] = "zh",
    overwrite: bool = False,
    period: str | None = None,
) -> Path:
    """Write the data-collection workbook for ``framework`` to ``path`` (atomically).

    Every data sheet has a ``Time`` column (评价期) after ``uCode`` and ``uName``,
    pre-filled with ``period`` when given; left blank in every row, the file is read as
    one period (:func:`~integrity_eval.idata.read_idata`), so ``run --time``/``--period``
    can pick a period whenever the units fill it in.

    An existing file at ``path`` is never replaced unless ``overwrite=True``
    (:class:`FileExistsError`).

    ``units`` (columns ``uCode`` and optionally ``uName`` and ``uName_en``, the English
    name; by default the framework's ``expected_units``) pre-fills the unit rows of every
    data sheet and is written to the units sheet (:data:`~integrity_eval.idata.UNITS_SHEET`),
    so that :func:`~integrity_eval.idata.read_idata` knows the expected units of a filled
    template: codes outside the list are problems, listed units without data are reported,
    and the English names come back as the ``uName_en`` column (English reports use them).
    ``lang`` picks which language leads in titles and the order of the two name rows;
    instructions are always Chinese first, then English.
    Returns the path written.
    """
    from openpyxl import Workbook

    if lang not in ("zh", "en"):
        raise problem_error(
            "lang 须为 'zh'（中文在前）或 'en'（英文在前），请改用其一 / "
            "lang must be 'zh' (Chinese first) or 'en' (English first); use one of them",
            "invalid option",
            source="lang",
            value=lang,
        )
    path = Path(path)
    unit_rows = _unit_rows(units)
    if not unit_rows and framework.expected_units:
        unit_rows = [
            _UnitRow(u.code, u.name_zh or u.name_en, u.name_en if u.name_zh else "")
            for u in framework.expected_units
        ]
    layout = template_layout(framework, by=by)
    wb = Workbook()
    ws0 = wb.active
    ws0.title = INSTRUCTIONS_SHEET
    _write_instructions(ws0, framework, layout, lang)
    for spec in layout:
        ws = wb.create_sheet(spec.name)
        _write_data_sheet(ws, framework, spec, unit_rows, lang, period)
    if unit_rows:
        _write_units_sheet(wb.create_sheet(UNITS_SHEET), unit_rows)
    with atomic_write_path(path, overwrite=overwrite) as tmp:
        wb.save(tmp)
    return path


# ------------------------------------------------------------------ helpers
class _UnitRow(NamedTuple):
    """One expected unit of a template: its code, name and English name (may be "")."""

    code: str
    name: str
    name_en: str


def _unit_rows(units: pd.DataFrame | None) -> list[_UnitRow]:
    if units is None:
        return []
    df = units
    if "uCode" not in df.columns and df.index.name == "uCode":
        df = df.reset_index()
    if "uCode" not in df.columns:
        raise ValidationError(
            [
                Problem(
                    rule="单位表缺少 uCode 列 / the units table needs a uCode column",
                    source="units",
                    column="uCode",
                )
            ],
            title="单位表有误 / invalid units table",
        )
    blank = pd.Series([""] * len(df), index=df.index)
    names = df["uName"] if "uName" in df.columns else blank
    names_en = df["uName_en"] if "uName_en" in df.columns else blank
    out = []
    for code, name, name_en in zip(df["uCode"], names, names_en, strict=True):
        code_text = "" if pd.isna(code) else str(code)
        if isinstance(code, float) and code.is_integer():
            code_text = str(int(code))
        out.append(_UnitRow(code_text, _cell_text(name), _cell_text(name_en)))
    return out


def _cell_text(value: Any) -> str:
    return "" if pd.isna(value) else str(value).strip()


def _write_units_sheet(ws: Worksheet, unit_rows: list[_UnitRow]) -> None:
    """The expected units (uCode, uName, and uName_en when any unit has an English name)
    under a title row; read back by read_idata."""
    from openpyxl.styles import Font

    write_cell(ws, 1, 1, "被评价单位名单（请勿修改）/ Units evaluated (do not edit)").font = Font(
        bold=True, size=13
    )
    english = any(r.name_en for r in unit_rows)
    header = ("uCode", "uName", "uName_en") if english else ("uCode", "uName")
    for j, text in enumerate(header, start=1):
        write_cell(ws, 2, j, text).font = Font(bold=True)
    for i, row in enumerate(unit_rows, start=3):
        write_cell(ws, i, 1, row.code).number_format = "@"
        write_cell(ws, i, 2, row.name)
        if english:
            write_cell(ws, i, 3, row.name_en)
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 28
    ws.column_dimensions["C"].width = 36


def _title(framework: Framework, lang: str) -> str:
    zh = framework.title_zh or framework.name
    en = framework.title_en or framework.name
    return f"{zh} / {en}" if lang == "zh" else f"{en} / {zh}"


def _write_instructions(
    ws: Worksheet, framework: Framework, layout: list[TemplateSheet], lang: str
) -> None:
    from openpyxl.styles import Alignment, Font

    n_ind = len(framework.indicators)
    fw_arg = framework.name or "<framework>"
    check = f"integrity-eval validate --framework {fw_arg} --data <文件/file>.xlsx"
    lines_zh = [
        "填表说明",
        f"本工作簿用于填报《{framework.title_zh or framework.name}》所需的 {n_ind} 项指标数据。",
        "1. 每个数据工作表对应一个负责单位（牵头单位）；请填写本单位负责的工作表。",
        f"2. 第 {HEADER_ROW} 行为指标代码，请勿修改、删除或调换列；"
        f"第 {FIRST_META_ROW}–{FIRST_DATA_ROW - 1} 行为指标名称、单位、取值范围和说明，仅供参考。",
        f"3. 自第 {FIRST_DATA_ROW} 行起每行填写一个被评价单位："
        "uCode 为单位代码，uName 为单位名称，Time 为评价期（如 2024；整份相同时可留空）。",
        "4. 只填数字，不要带单位；比率填小数或百分数（如 0.95 或 95%）；百分制指标填 0–100"
        "（85 或 85%）；件数填非负整数。",
        "5. 无数据的单元格请留空或填“—”，不要填 0（0 表示确实为零）。",
        "6. 输入超出取值范围时 Excel 会提示；请核对后再填。",
        f"7. 填好后保存为 .xlsx 文件交回；可用以下命令自行检查：{check}",
        f"8. 被评价单位名单见工作表“{UNITS_SHEET}”（如有）；单位代码请照名单填写。",
    ]
    lines_en = [
        "Instructions",
        f"This workbook collects the {n_ind} indicators of "
        f"“{framework.title_en or framework.name}”.",
        "1. Each data sheet belongs to one responsible (lead) unit; fill in your unit's sheet.",
        f"2. Row {HEADER_ROW} holds the indicator codes: do not edit, delete or reorder columns. "
        f"Rows {FIRST_META_ROW}–{FIRST_DATA_ROW - 1} describe each indicator (names, unit, "
        "allowed values, definition) for reference.",
        f"3. From row {FIRST_DATA_ROW}, one row per evaluated unit: uCode is the unit code, "
        "uName its name, Time the evaluation period (e.g. 2024; may stay blank when it is "
        "the same for the whole file).",
        "4. Numbers only, without units; rates as decimals or percentages (0.95 or 95%); "
        "0–100 scores as 85 or 85%; counts as whole numbers ≥ 0.",
        "5. Leave a cell empty or enter “—” when there are no data; do not enter 0 (0 means zero).",
        "6. Excel warns when a value is outside the allowed range; please check it.",
        f"7. Save as .xlsx and return it. To check it yourself: {check}",
        f"8. The units evaluated are listed on the sheet “{UNITS_SHEET}” (when present); "
        "use their codes as listed.",
    ]
    row = 1
    bold = Font(bold=True, size=13)
    for lines in (lines_zh, lines_en):
        for k, text in enumerate(lines):
            cell = write_cell(ws, row, 1, text)
            if k == 0:
                cell.font = bold
            row += 1
        row += 1
    meta = [
        ("框架 / Framework", f"{framework.name}  {_title(framework, lang)}"),
        ("框架哈希 / Framework hash", framework.hash[:16]),
        ("生成时间 / Generated", _dt.datetime.now().strftime("%Y-%m-%d %H:%M")),
        ("软件版本 / Software version", f"integrity-eval {__version__}"),
    ]
    for label, value in meta:
        write_cell(ws, row, 1, label).font = Font(bold=True)
        write_cell(ws, row, 2, value)
        row += 1
    row += 1
    write_cell(ws, row, 1, "指标一览 / Indicator list").font = bold
    row += 1
    sheet_of = {c: s.name for s in layout for c in s.columns}
    header = [
        "代码 / Code",
        "名称 / Name (中文)",
        "Name (English)",
        "计量单位 / Unit",
        "类型 / Kind",
        "取值范围 / Allowed values",
        "负责单位 / Responsible",
        "工作表 / Sheet",
        "说明 / Definition",
    ]
    for j, text in enumerate(header, start=1):
        write_cell(ws, row, j, text).font = Font(bold=True)
    row += 1
    for code in framework.indicators:
        n = framework[code]
        values = [
            code,
            n.name_zh,
            n.name_en,
            n.unit,
            n.kind,
            _range_text(allowed_range(n)),
            "、".join(n.responsible),
            sheet_of.get(code, ""),
            n.definition,
        ]
        for j, v in enumerate(values, start=1):
            write_cell(ws, row, j, v).alignment = Alignment(wrap_text=j == 9, vertical="top")
        row += 1
    ws.column_dimensions["A"].width = 28
    for letter, width in zip("BCDEFGHI", (28, 28, 10, 8, 24, 20, 18, 60), strict=True):
        ws.column_dimensions[letter].width = width


def _range_text(rng: ValueRange) -> str:
    zh, en = rng.describe()
    return f"{zh} / {en}"


def _write_data_sheet(
    ws: Worksheet,
    framework: Framework,
    spec: TemplateSheet,
    unit_rows: list[_UnitRow],
    lang: str,
    period: str | None = None,
) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    columns = ["uCode", "uName", "Time", *spec.columns]
    n_cols = len(columns)
    # title row (merged across the table)
    who = spec.responsible or spec.name
    title = f"{_title(framework, lang)} — 数据填报 / Data collection: {who}"
    write_cell(ws, TITLE_ROW, 1, title).font = Font(bold=True, size=13)
    if n_cols > 1:
        ws.merge_cells(start_row=TITLE_ROW, start_column=1, end_row=TITLE_ROW, end_column=n_cols)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    meta_font = Font(italic=True, color="555555", size=9)
    for j, code in enumerate(columns, start=1):
        cell = write_cell(ws, HEADER_ROW, j, code)
        cell.font = Font(bold=True)
        cell.fill = header_fill
    aux = {a.code: a for a in (*framework.groups, *framework.denominators)}
    meta_order = list(META_ROWS)
    if lang == "en":  # English name first
        meta_order[0], meta_order[1] = meta_order[1], meta_order[0]
    for i, (key, zh, en) in enumerate(meta_order):
        r = FIRST_META_ROW + i
        write_cell(ws, r, 1, f"{zh} / {en}").font = meta_font
        for j, code in enumerate(columns[2:], start=3):
            text = _meta_text(framework, aux, code, key)
            cell = write_cell(ws, r, j, text)
            cell.font = meta_font
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[FIRST_META_ROW + len(META_ROWS) - 1].height = 60
    # pre-filled units; uCode column as text so codes keep leading zeros
    n_rows = max(len(unit_rows), EMPTY_ROWS)
    last = FIRST_DATA_ROW + n_rows - 1
    for i, (code, name, _name_en) in enumerate(unit_rows):
        write_cell(ws, FIRST_DATA_ROW + i, 1, code).number_format = "@"
        write_cell(ws, FIRST_DATA_ROW + i, 2, name)
        if period:
            write_cell(ws, FIRST_DATA_ROW + i, 3, period).number_format = "@"
    for i in range(len(unit_rows), min(n_rows, 200)):
        ws.cell(FIRST_DATA_ROW + i, 1).number_format = "@"
        ws.cell(FIRST_DATA_ROW + i, 3).number_format = "@"
    # data validation: one rule per distinct range, applied to the data rows
    rules: dict[ValueRange, list[str]] = {}
    for j, code in enumerate(columns[3:], start=4):
        if code in aux:
            if code in {d.code for d in framework.denominators}:
                rng = ValueRange(lo=0.0)
            else:
                continue  # group columns hold text
        else:
            rng = allowed_range(framework[code])
            if framework[code].kind == "rate":
                for r in range(FIRST_DATA_ROW, FIRST_DATA_ROW + max(len(unit_rows), 200)):
                    ws.cell(r, j).number_format = "0.00%"
        letter = get_column_letter(j)
        rules.setdefault(rng, []).append(f"{letter}{FIRST_DATA_ROW}:{letter}{last}")
    for rng, refs in rules.items():
        ws.add_data_validation(_validation(rng, refs))
    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, 4)
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 18
    for j in range(3, n_cols + 1):
        ws.column_dimensions[get_column_letter(j)].width = 16


_PERIOD_META = {
    "name_zh": "评价期",
    "name_en": "Evaluation period",
    "range": "YYYY、YYYY-H1、YYYY-Qn、YYYY-MM",
    "definition": "各行相同，可留空（整份数据为同一评价期）/ the same in every row; may stay "
    "blank (the whole file is one period)",
}


def _meta_text(framework: Framework, aux: dict, code: str, key: str) -> str:
    if code == "Time":
        return _PERIOD_META.get(key, "")
    if code in aux:
        a = aux[code]
        return {"name_zh": a.name_zh, "name_en": a.name_en, "unit": a.unit}.get(key, "")
    n = framework[code]
    if key == "range":
        return _range_text(allowed_range(n))
    if key == "responsible":
        return "、".join(n.responsible)
    return str(getattr(n, key) or "")


def _validation(rng: ValueRange, refs: list[str]):  # -> DataValidation
    from openpyxl.worksheet.datavalidation import DataValidation

    kind = "whole" if rng.integer else "decimal"
    lo = rng.lo if rng.lo is not None else None
    hi = rng.hi if rng.hi is not None else None
    if lo is not None and hi is not None:
        operator, f1, f2 = "between", lo, hi
    elif lo is not None:
        operator, f1, f2 = "greaterThanOrEqual", lo, None
    elif hi is not None:
        operator, f1, f2 = "lessThanOrEqual", hi, None
    else:  # any number: still rejects text
        operator, f1, f2 = "between", -1e15, 1e15
    zh, en = rng.describe()
    prompt = f"请填写{zh}；无数据请留空。Enter {en}; leave empty when there are no data."
    if not rng.integer and lo == 0 and hi == 1:
        prompt = (
            "请填写 0 到 1 之间的小数或百分数（如 0.95 或 95%）；无数据请留空。"
            "Enter a decimal from 0 to 1 or a percentage (0.95 or 95%); leave empty if no data."
        )
    error = f"输入无效：应为{zh}。Invalid value: expected {en}."
    dv = DataValidation(
        type=kind,
        operator=operator,
        formula1=_num(f1),
        formula2=_num(f2) if f2 is not None else None,
        allow_blank=True,
        showInputMessage=True,
        showErrorMessage=True,
        errorStyle="stop",
        promptTitle="填写要求 / Allowed values"[:_PROMPT_TITLE_MAX],
        prompt=prompt[:_PROMPT_MAX],
        errorTitle="超出范围 / Out of range"[:_ERROR_TITLE_MAX],
        error=error[:_ERROR_MAX],
    )
    for ref in refs:
        dv.add(ref)
    return dv


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))
