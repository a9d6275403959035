"""Indicator data (COINr *iData*) read from a file against a framework.

:func:`read_idata` reads an indicator table or a filled data-collection template
(:mod:`integrity_eval.template`) and cleans it the way district and department
submissions need: title rows above the header, name/unit rows below it, merged cells,
full-width digits, ``12%``, ``1,234``, dashes for "no data"; percentages are read
against each indicator's scale (:func:`percent_scale`), values checked against its
allowed range (:func:`allowed_range`), Excel's TRUE/FALSE accepted only for yes/no
indicators, unit codes reconciled (:mod:`integrity_eval.unitcodes`). Every problem
found in a file is collected and raised once as a
:class:`~integrity_eval.errors.ValidationError`.

The file itself is opened by the strict readers of :mod:`integrity_eval.io` (one
encoding per CSV, no ragged rows, a workbook checked before it is parsed, hidden
characters refused, the ``MAX_*`` limits); this module adds what needs the framework.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import ProblemList
from .framework import Framework, Node, load_framework
from .io import (
    MAX_CELLS,
    MAX_COLUMNS,
    _check_file,
    _code_text,
    _csv_records,
    _decode_csv,
    _excel_col,
    _filled,
    _header_text,
    _limit_error,
    _load_workbook,
    _norm_text,
    _pick_sheet,
    _ragged_rows,
    _read_parquet,
    _sheet_grid,
    check_xlsx,
    unsafe_text,
)
from .schemas import ID_COLUMNS
from .unitcodes import UnitCodeNotes, entries_table, expected_table, reconcile_codes

__all__ = [
    "ID_COLUMNS",
    "INSTRUCTIONS_SHEET",
    "META_ROWS",
    "UNITS_SHEET",
    "ValueRange",
    "allowed_range",
    "number_cells",
    "parse_number",
    "percent_scale",
    "read_idata",
]

# Name of the template's instructions sheet: never read as data.
INSTRUCTIONS_SHEET = "填表说明 Instructions"
# Name of the template's sheet of expected units (uCode, uName): read as the list of units.
UNITS_SHEET = "被评价单位 Units"
# Description rows the template writes under the header; the label sits in the uCode
# column. (key, Chinese label, English label)
META_ROWS: tuple[tuple[str, str, str], ...] = (
    ("name_zh", "指标名称（中文）", "Indicator name (Chinese)"),
    ("name_en", "指标名称（英文）", "Indicator name (English)"),
    ("unit", "计量单位", "Unit"),
    ("range", "取值范围", "Allowed values"),
    ("responsible", "负责单位", "Responsible unit"),
    ("definition", "指标说明", "Definition"),
)
_HEADER_SCAN_ROWS = 50
_MISSING_TOKENS = {
    "",
    "—",
    "——",
    "－",
    "-",
    "--",
    "–",
    "−",
    "/",
    "无",
    "na",
    "n/a",
    "nan",
}


_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def read_idata(
    path: str | Path,
    framework: Framework | str | Path | pd.DataFrame,
    *,
    sheet: str | int | None = None,
    units: Any = None,
) -> pd.DataFrame:
    """Read and clean an indicator table (iData) or a filled data-collection template.

    ``framework``: a :class:`~integrity_eval.framework.Framework`, a shipped framework's
    name, a YAML or iMeta file, or an iMeta DataFrame (as for :func:`~integrity_eval.build`).
    Finds the header row (the row with ``uCode`` or the indicator codes; title rows
    above and the template's name/unit/definition rows below are skipped), fills
    merged cells, strips whitespace, turns full-width digits into ASCII, ``12%`` into
    0.12, ``1,234`` into 1234 and dashes, ``/``, ``无`` and empty cells into missing
    values. Sheets of a per-responsible-unit template are combined on ``uCode``
    (and ``Time`` for panel data).

    Percentages are read against the indicator's scale (:func:`percent_scale`): ``85%``
    is 0.85 in a 0–1 rate column and 85 in a 0–100 column; in a column that is neither
    (a count, an amount) it is a problem. Cells an XLSX formats as percentages count as
    typed with ``%``.

    Unit codes typed differently (case, full-width characters, spaces) are reconciled to
    one code per unit (:func:`integrity_eval.unitcodes.reconcile_codes`); the changes are
    in ``df.attrs["unit_codes"].reconciled`` (source, row, found, uCode, reason), a
    :class:`~integrity_eval.unitcodes.UnitCodeNotes`. When the expected
    units are known — ``units`` (a table with ``uCode``/``uName``, or codes), else the
    units sheet of a template written with them (:data:`UNITS_SHEET`), else the
    framework's ``expected_units`` — codes outside the list are problems and expected
    units without data are in ``df.attrs["unit_codes"].missing`` (uCode, uName).

    Every problem is collected and raised once as a :class:`ValidationError`: text
    in a numeric column, values outside an indicator's allowed range, duplicate
    unit rows, unknown columns, missing required columns (``uCode`` and every
    indicator), conflicting values for one unit in two sheets, unit codes that cannot
    be reconciled (outside the expected units, one unit name under two codes, a name
    that belongs to another unit).

    Returns a DataFrame in iData layout: ``uCode`` (str), ``uName``, ``uName_en`` (the
    English name, from the data or a template's units sheet) when given, ``Time`` when
    present, group columns, denominators, then the indicators in framework order
    (float).
    """
    framework = load_framework(framework)
    path = Path(path)
    suffix = _check_file(path)
    source = str(path)
    problems = ProblemList()
    listed, english = None, {}
    if suffix == ".xlsx" or suffix == ".xlsm":
        sheets = _workbook_grids(path, sheet)
        listed, english = next(
            (_units_sheet(g) for g in sheets if g.name == UNITS_SHEET), (None, {})
        )
        sheets = [g for g in sheets if g.name != UNITS_SHEET]
    elif suffix == ".csv":
        sheets = [_csv_grid(path)]
    else:
        sheets = [_Grid(None, _parquet_grid(path))]
    schema = _Schema.of(framework)
    parts: list[_Part] = []
    seen: set[str] = set()  # every known column found in a header row
    for grid in sheets:
        where = source if grid.name is None else f"{source} [工作表/sheet {grid.name}]"
        part = _parse_grid(grid, schema, where, problems, seen, explicit=sheet is not None)
        if part is not None:
            parts.append(part)
    if not seen:  # no header row anywhere
        if not problems:
            scope = "in any sheet " if suffix in (".xlsx", ".xlsm") else ""
            problems.add(
                f"找不到表头行（应包含 uCode 或指标代码）/ no header row found {scope}"
                "(expected a row with uCode or the indicator codes)",
                source=source,
            )
        problems.raise_if_any("无法读取指标数据 / cannot read indicator data")
    for col in schema.indicators:
        if col not in seen:
            problems.add("缺少必需的列 / required column is missing", source=source, column=col)
    if not parts:
        problems.raise_if_any("无法读取指标数据 / cannot read indicator data")
    expected = _expected_units(units, listed, framework)
    reconciled, missing = _reconcile_units(parts, expected, problems)
    df = _combine(parts, schema, source, problems)
    problems.raise_if_any("指标数据有误 / invalid indicator data")
    df = _with_english_names(df, english)
    df.attrs["unit_codes"] = UnitCodeNotes(reconciled, missing)
    return df


def _with_english_names(df: pd.DataFrame, english: dict[str, str]) -> pd.DataFrame:
    """``uName_en`` filled from the units sheet where the data sheets leave it blank,
    placed after ``uName`` (or ``uCode``)."""
    if not english:
        return df
    given = df["uName_en"] if "uName_en" in df.columns else pd.Series(None, index=df.index)
    names = given.where(given.map(_filled), df["uCode"].map(english))
    out = df.drop(columns="uName_en", errors="ignore")
    out.insert(out.columns.get_loc("uName" if "uName" in out else "uCode") + 1, "uName_en", names)
    return out


def _expected_units(
    units: Any, listed: pd.DataFrame | None, framework: Framework
) -> pd.DataFrame | None:
    """The expected units: given explicitly, else a template's units sheet, else the
    framework's ``expected_units``; None when none of them names any."""
    if units is not None:
        return expected_table(units)
    if listed is not None:
        return listed
    return expected_table([(u.code, u.name_zh or u.name_en) for u in framework.expected_units])


def _units_sheet(grid: _Grid) -> tuple[pd.DataFrame | None, dict[str, str]]:
    """The expected units a template lists on its units sheet (``uCode``, ``uName``) and
    their English names (``uName_en``, code → name, when the sheet has the column)."""
    rows = grid.rows
    for h, row in enumerate(rows[:10]):
        header = [_canonical(_header_text(v)) for v in row]
        if "uCode" in header:
            c = header.index("uCode")
            n, e = (header.index(k) if k in header else None for k in ("uName", "uName_en"))

            def cell(r: list[Any], j: int | None) -> str:
                return "" if j is None or j >= len(r) else _code_text(r[j])

            listed = [r for r in rows[h + 1 :] if c < len(r) and _code_text(r[c])]
            english = {_code_text(r[c]): cell(r, e) for r in listed if cell(r, e)}
            return expected_table([(_code_text(r[c]), cell(r, n)) for r in listed]), english
    return None, {}


@dataclass
class _Grid:
    """The raw cells of one sheet (or CSV/Parquet file); ``csv``: rows as the file has
    them, of their own widths (an XLSX or Parquet grid is rectangular)."""

    name: str | None
    rows: list[list[Any]]
    csv: bool = False


class _Formula(str):
    """A formula cell whose computed value was never saved (written by a script, not Excel)."""


class _Percent(float):
    """A number in a cell with a percent number format: Excel shows 0.85 as ``85%``."""


def _workbook_grids(path: Path, sheet: str | int | None) -> list[_Grid]:
    check_xlsx(path)
    wb = _load_workbook(path, data_only=True, read_only=False)
    formulas = _load_workbook(path, data_only=False, read_only=True)
    try:
        if sheet is not None:  # that sheet, and the template's list of units
            sheets = [_pick_sheet(wb, sheet, str(path))]
            if UNITS_SHEET in wb.sheetnames and sheets[0].title != UNITS_SHEET:
                sheets.append(wb[UNITS_SHEET])
        else:
            sheets = [ws for ws in wb.worksheets if ws.title != INSTRUCTIONS_SHEET]
        grids = []
        for ws in sheets:
            rows = _sheet_grid(ws)
            _mark_percent_cells(ws, rows)
            for r, row in enumerate(formulas[ws.title].iter_rows(values_only=True)):
                for c, value in enumerate(row):
                    if not (isinstance(value, str) and value.startswith("=")):
                        continue
                    if r < len(rows) and c < len(rows[r]) and rows[r][c] is None:
                        rows[r][c] = _Formula(value)
            grids.append(_Grid(ws.title, rows))
        return grids
    finally:
        wb.close()
        formulas.close()


def _mark_percent_cells(ws: Any, rows: list[list[Any]]) -> None:
    """Wrap numbers shown as percentages (number format with ``%``) in :class:`_Percent`."""
    for r, row in enumerate(ws.iter_rows()):
        if r >= len(rows):
            break
        for c, cell in enumerate(row):
            value = rows[r][c] if c < len(rows[r]) else None
            if (
                isinstance(value, int | float)
                and not isinstance(value, bool)
                and "%" in str(cell.number_format or "")
            ):
                rows[r][c] = _Percent(value)


def _csv_grid(path: Path) -> _Grid:
    """The cells of a CSV as text, each record as written (widths checked against the
    header row once it is found: rows above it, titles, may be narrower)."""
    text = _decode_csv(path)
    rows: list[list[Any]] = []
    cells = 0
    for record in _csv_records(text, path):
        if len(record) > MAX_COLUMNS:
            raise _limit_error(
                str(path),
                "列数 / columns",
                "MAX_COLUMNS",
                MAX_COLUMNS,
                len(record),
                row=len(rows) + 1,
            )
        cells += len(record)
        if cells > MAX_CELLS:
            raise _limit_error(
                str(path), "单元格数 / cells", "MAX_CELLS", MAX_CELLS, f"> {MAX_CELLS:,}"
            )
        rows.append(record)
    return _Grid(None, rows, csv=True)


def _parquet_grid(path: Path) -> list[list[Any]]:
    df = _read_parquet(path)
    if not isinstance(df.index, pd.RangeIndex) and df.index.name is not None:
        df = df.reset_index()
    body = df.astype(object).where(df.notna(), None)
    return [list(df.columns), *(list(r) for r in body.itertuples(index=False, name=None))]


def parse_number(value: Any) -> float | None:
    """One cell as a number; ``None`` for missing. Raises ``ValueError`` for anything else.

    Accepts numbers, full-width digits, ``12%`` (→ 0.12, a fraction: to read a percentage
    against an indicator's scale use :func:`read_idata`), ``1,234`` (→ 1234; strict
    thousands grouping only) and treats empty cells, dashes (—, －, -, –), ``/``, ``无``,
    ``NA`` and ``n/a`` as missing. Text, dates, logical values (Excel's TRUE/FALSE) and
    non-finite numbers raise.
    """
    num, percent = _parse_cell(value)
    if num is None or not percent:
        return num
    return _shift(num, -2)


def number_cells(
    values: Sequence[Any],
    column: str,
    *,
    source: str,
    rows: Sequence[int],
    problems: ProblemList,
) -> np.ndarray:
    """A number column of a table beside the data (a units table's denominators) as floats,
    each cell read as :func:`read_idata` reads a denominator cell: missing tokens give NaN;
    TRUE/FALSE (Excel's logical values, or a CSV's text), other text, dates, a percentage
    and non-finite numbers are each a problem naming ``source``, the row (``rows``: each
    cell's row number in the file), ``column`` and the value, and give NaN."""
    schema = _Schema.aux(column)
    return np.array(
        [
            _clean_number(v, column, schema, source, r, problems)
            for v, r in zip(values, rows, strict=True)
        ],
        dtype=float,
    )


def _shift(x: float, places: int) -> float:
    """``x · 10**places`` by moving the decimal point (85 → 0.85 exactly, not 0.8500…01)."""
    return float(Decimal(repr(float(x))).scaleb(places))


def _parse_cell(value: Any) -> tuple[float | None, bool]:
    """(number as typed, typed with a percent sign): ``"85%"`` → (85.0, True)."""
    if isinstance(value, _Percent):  # XLSX percent format: Excel stored the fraction
        return _shift(float(value), 2), True
    if value is None:
        return None, False
    if isinstance(value, bool | np.bool_):
        raise ValueError("a logical value is not a number")
    if isinstance(value, int | float | np.integer | np.floating):
        num = float(value)
        if math.isnan(num):
            return None, False
        if not math.isfinite(num):
            raise ValueError("not finite")
        return num, False
    if isinstance(value, _dt.date | _dt.time | _dt.timedelta | pd.Timestamp):
        raise ValueError("a date is not a number")
    raw = str(value).strip()
    if raw in _MISSING_TOKENS:
        return None, False
    text = unicodedata.normalize("NFKC", raw).strip()
    text = text.replace("\u3000", "").replace(" ", "")
    if text.lower() in _MISSING_TOKENS:
        return None, False
    percent = text.endswith("%")
    if percent:
        text = text[:-1]
    if "," in text:
        if not _THOUSANDS.match(text):
            raise ValueError("ambiguous comma")
        text = text.replace(",", "")
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", text):
        raise ValueError("not a number")
    num = float(text)
    if not math.isfinite(num):
        raise ValueError("not finite")
    return num, percent


@dataclass(frozen=True)
class ValueRange:
    """The values an indicator accepts: ``lo ≤ x ≤ hi`` (either may be None), whole or not."""

    lo: float | None = None
    hi: float | None = None
    integer: bool = False

    def contains(self, x: float) -> bool:
        if self.lo is not None and x < self.lo:
            return False
        if self.hi is not None and x > self.hi:
            return False
        return not (self.integer and not float(x).is_integer())

    def describe(self) -> tuple[str, str]:
        """(Chinese, English) description, e.g. ('0 到 1 之间的数', 'a number from 0 to 1')."""
        zh_kind, en_kind = ("整数", "whole number") if self.integer else ("数", "number")
        lo, hi = _fmt(self.lo), _fmt(self.hi)
        if self.lo is not None and self.hi is not None:
            return f"{lo} 到 {hi} 之间的{zh_kind}", f"a {en_kind} from {lo} to {hi}"
        if self.lo is not None:
            return f"不小于 {lo} 的{zh_kind}", f"a {en_kind} ≥ {lo}"
        if self.hi is not None:
            return f"不大于 {hi} 的{zh_kind}", f"a {en_kind} ≤ {hi}"
        return f"任意{zh_kind}", f"any {en_kind}"


def allowed_range(node: Node) -> ValueRange:
    """The range an indicator's raw values must fall in.

    The node's ``min``/``max`` when given; otherwise by ``kind``: counts are whole
    numbers ≥ 0, rates lie in [0, 1], binary indicators are 0 or 1.
    """
    lo, hi, integer = node.min, node.max, False
    if node.kind == "count":
        lo = 0.0 if lo is None else lo
        integer = True
    elif node.kind == "rate":
        lo = 0.0 if lo is None else lo
        hi = 1.0 if hi is None else hi
    elif node.kind == "binary":
        lo = 0.0 if lo is None else lo
        hi = 1.0 if hi is None else hi
        integer = True
    return ValueRange(lo, hi, integer)


_PERCENT_UNITS = ("%", "百分", "percent")


def percent_scale(node: Node, rng: ValueRange | None = None) -> int | None:
    """What a value typed as ``85%`` means for an indicator, as decimal places to move.

    ``-2`` (85% → 0.85) when the indicator's values lie in [0, 1] (a rate, a binary, or
    ``max ≤ 1``); ``0`` (85% → 85) when its unit is a percentage (``%``, ``百分``,
    ``percent``) or its values run to 100 (``max = 100``); None when a percentage fits
    neither (a count, an amount, a score on another scale): such a cell is a problem.
    """
    rng = rng or allowed_range(node)
    if rng.hi is not None and rng.hi <= 1:
        return -2
    unit = (node.unit or "").lower()
    if any(u in unit for u in _PERCENT_UNITS) or rng.hi == 100:
        return 0
    return None


def _fmt(x: float | None) -> str:
    if x is None:
        return ""
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


@dataclass(frozen=True)
class _Schema:
    indicators: tuple[str, ...]
    groups: tuple[str, ...]
    denominators: tuple[str, ...]
    ranges: dict[str, ValueRange]
    meta_texts: dict[str, frozenset[str]]  # per column: texts a description row may hold
    labels: frozenset[str]
    percent: dict[str, int]  # per indicator: decimal places a typed "85%" moves (-2 or 0)
    yes_no: frozenset[str]  # binary indicators: Excel's TRUE/FALSE are read as 1/0

    @classmethod
    def of(cls, fw: Framework) -> _Schema:
        ranges = {c: allowed_range(fw[c]) for c in fw.indicators}
        meta: dict[str, frozenset[str]] = {}
        for code in fw.indicators:
            n = fw[code]
            zh, en = ranges[code].describe()
            texts = {n.name_zh, n.name_en, n.unit, n.definition, zh, en, f"{zh} / {en}"}
            texts |= {"; ".join(n.responsible), "、".join(n.responsible), *n.responsible}
            meta[code] = frozenset(_norm_text(t) for t in texts if t)
        for aux in (*fw.groups, *fw.denominators):
            meta[aux.code] = frozenset(
                _norm_text(t) for t in (aux.name_zh, aux.name_en, aux.unit) if t
            )
        labels = set()
        for _key, zh, en in META_ROWS:
            labels |= {zh, en, f"{zh} / {en}", f"{en} / {zh}"}
        return cls(
            indicators=tuple(fw.indicators),
            groups=tuple(g.code for g in fw.groups),
            denominators=tuple(d.code for d in fw.denominators),
            ranges=ranges,
            meta_texts=meta,
            labels=frozenset(_norm_text(x) for x in labels),
            percent={
                c: places
                for c in fw.indicators
                if (places := percent_scale(fw[c], ranges[c])) is not None
            },
            yes_no=frozenset(c for c in fw.indicators if fw[c].kind == "binary"),
        )

    @classmethod
    def aux(cls, column: str) -> _Schema:
        """The schema of one denominator column read alone (no range, no percentages)."""
        return cls((), (), (column,), {}, {}, frozenset(), {}, frozenset())

    @property
    def known(self) -> tuple[str, ...]:
        return (*ID_COLUMNS, *self.groups, *self.denominators, *self.indicators)

    @property
    def numeric(self) -> frozenset[str]:
        return frozenset((*self.denominators, *self.indicators))


@dataclass
class _Part:
    """One sheet's parsed rows: columns by name, and the source row of each record."""

    where: str
    frame: pd.DataFrame  # columns: keys + values; includes '_row'


def _canonical(header: str, known: set[str] | frozenset[str] = frozenset()) -> str:
    """``ucode``/``UCODE`` → ``uCode`` (likewise uName, Time), unless the header is itself
    a column of the framework (an indicator may be called ``TIME``)."""
    if header in known:
        return header
    low = header.lower()
    for name in ID_COLUMNS:
        if low == name.lower():
            return name
    return header


def _find_header(rows: list[list[Any]], schema: _Schema) -> int | None:
    known = set(schema.known)
    best, best_hits = None, 0
    for i, row in enumerate(rows[:_HEADER_SCAN_ROWS]):
        cells = {_canonical(_header_text(v), known) for v in row}
        if "uCode" in cells:
            return i
        hits = len(cells & known)
        if hits >= 2 and hits > best_hits:
            best, best_hits = i, hits
    return best


def _parse_grid(
    grid: _Grid,
    schema: _Schema,
    where: str,
    problems: ProblemList,
    seen_columns: set[str],
    *,
    explicit: bool,
) -> _Part | None:
    rows = grid.rows
    h = _find_header(rows, schema)
    if h is None:
        if explicit or grid.name is None:
            problems.add(
                "找不到表头行（应包含 uCode 或指标代码）/ no header row found "
                "(expected a row with uCode or the indicator codes)",
                source=where,
            )
        return None
    known = set(schema.known)
    header = [_canonical(_header_text(v), known) for v in rows[h]]
    header_row = h + 1
    body = rows[h + 1 :]
    # columns to keep: (position, name); report unknown, unnamed and repeated columns
    columns: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    for j, name in enumerate(header):
        col_has_data = any(j < len(r) and _filled(r[j]) for r in body)
        why = unsafe_text(name)
        if why:
            problems.add(why, source=where, row=header_row, column=_excel_col(j), value=name)
            continue
        if not name:
            if col_has_data:
                problems.add(
                    "列没有表头 / column has no header",
                    source=where,
                    row=header_row,
                    column=_excel_col(j),
                )
            continue
        if name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1)
            hint = f"（是否应为 {close[0]}？/ did you mean {close[0]}?）" if close else ""
            problems.add(
                f"未知的列：不是本框架的指标 / unknown column: not an indicator, group or "
                f"denominator of the framework{hint}",
                source=where,
                row=header_row,
                column=name,
                value=name,
            )
            continue
        if name in seen:
            problems.add(
                f"重复的列（与第 {_excel_col(seen[name])} 列相同）/ duplicate column "
                f"(same as column {_excel_col(seen[name])})",
                source=where,
                row=header_row,
                column=name,
            )
            continue
        seen[name] = j
        columns.append((j, name))
    seen_columns.update(seen)
    if "uCode" not in seen:
        problems.add("缺少必需的列 / required column is missing", source=where, column="uCode")
        return None
    names = [n for _, n in columns]
    records: list[dict[str, Any]] = []
    description_block = True  # description rows may only follow the header directly
    ragged: list[tuple[int, int]] = []
    for offset, raw in enumerate(body):
        rownum = header_row + 1 + offset
        if grid.csv and raw and len(raw) != len(header):
            ragged.append((rownum, len(raw)))
            continue
        cells = {n: (raw[j] if j < len(raw) else None) for j, n in columns}
        if not any(_filled(v) for v in cells.values()):
            continue
        code = _code_text(cells["uCode"])
        if code in schema.labels:
            continue
        if description_block and not code and _is_description_row(cells, schema):
            continue
        description_block = False
        if not code:
            problems.add(
                "缺少单位代码 / uCode is missing", source=where, row=rownum, column="uCode"
            )
            continue
        raw_code = cells["uCode"]
        found = raw_code if isinstance(raw_code, str) else code
        rec: dict[str, Any] = {"uCode": code, "_row": rownum, "_found": found}
        hidden = [
            (n, v, why)
            for n, v in cells.items()
            if n not in schema.numeric and isinstance(v, str) and (why := unsafe_text(v))
        ]
        for n, v, why in hidden:
            problems.add(why, source=where, row=rownum, column=n, value=v)
        if hidden:
            continue
        for name in names:
            if name == "uCode":
                continue
            value = cells[name]
            if name in schema.numeric:
                rec[name] = _clean_number(value, name, schema, where, rownum, problems)
            elif name == "Time":
                rec[name] = _clean_time(value)
            else:
                rec[name] = _code_text(value) or None
        records.append(rec)
    _ragged_rows(ragged, len(header), where, problems)
    if "Time" in names:
        _check_time_column(records, names, where, problems)
    frame = pd.DataFrame.from_records(records, columns=[*names, "_row", "_found"])
    return _Part(where=where, frame=frame)


def _check_time_column(
    records: list[dict[str, Any]], names: list[str], where: str, problems: ProblemList
) -> None:
    """A Time (评价期) column left blank in every row is dropped (the whole file is one
    period, e.g. a template's period column not filled in); blank in some rows only, each
    such row is a problem."""
    if all(rec["Time"] is None for rec in records):
        names.remove("Time")
        for rec in records:
            del rec["Time"]
        return
    for rec in records:
        if rec["Time"] is None:
            problems.add(
                "缺少评价期（其他行已填写）/ Time (the period) is missing while other rows give it",
                source=where,
                row=rec["_row"],
                column="Time",
            )


def _drop_duplicates(part: _Part, problems: ProblemList) -> None:
    """Report and drop a second row of the same unit (and period) in one sheet."""
    frame = part.frame
    has_time = "Time" in frame.columns
    first_row: dict[tuple[str, ...], int] = {}
    keep = []
    for rec in frame[["uCode", "_row", *(["Time"] if has_time else [])]].to_dict("records"):
        code = rec["uCode"]
        key = (code, str(rec.get("Time"))) if has_time else (code,)
        if key in first_row:
            problems.add(
                f"重复的单位行（与第 {first_row[key]} 行重复）/ duplicate unit row "
                f"(same as row {first_row[key]})",
                source=part.where,
                row=rec["_row"],
                column="uCode" if not has_time else "uCode, Time",
                value=code if not has_time else f"{code}, {rec.get('Time')}",
            )
            keep.append(False)
            continue
        first_row[key] = rec["_row"]
        keep.append(True)
    part.frame = frame[keep]


def _reconcile_units(
    parts: list[_Part], expected: pd.DataFrame | None, problems: ProblemList
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One code per unit across every sheet (:mod:`integrity_eval.unitcodes`); rows whose
    code stays a problem are dropped. Returns the (reconciled, missing) tables."""
    rows = [
        (part.where, r["_row"], r["_found"], r.get("uName"))
        for part in parts
        for r in part.frame.to_dict("records")
    ]
    if not rows:
        return reconcile_codes(entries_table([]), expected).reconciled, pd.DataFrame()
    result = reconcile_codes(entries_table(rows), expected)
    problems.extend(result.problems)
    start = 0
    for part in parts:
        n = len(part.frame)
        codes = result.codes.iloc[start : start + n].to_numpy()
        start += n
        frame = part.frame.assign(uCode=codes)
        part.frame = frame[frame["uCode"].notna()].drop(columns="_found")
        _drop_duplicates(part, problems)
    return result.reconciled, result.missing


def _is_description_row(cells: dict[str, Any], schema: _Schema) -> bool:
    """A names/units row under the header: every filled cell is that column's metadata."""
    found = False
    for name, value in cells.items():
        if not _filled(value) or name in ID_COLUMNS:
            continue
        if _norm_text(value) not in schema.meta_texts.get(name, frozenset()):
            return False
        found = True
    return found


def _clean_number(
    value: Any, column: str, schema: _Schema, where: str, row: int, problems: ProblemList
) -> float:
    """A number cell of ``column`` as a float (NaN for missing, or when refused: a formula
    without its value, TRUE/FALSE outside a yes/no indicator, text, a percentage that
    fits neither scale, a value outside the allowed range), each refusal a problem."""

    def refuse(rule: str, shown: Any) -> float:
        problems.add(rule, source=where, row=row, column=column, value=shown)
        return math.nan

    if isinstance(value, _Formula):
        return refuse(
            "公式没有计算结果，请在 Excel 中打开并保存后再提交 / formula without a computed "
            "value: open and save the file in Excel first",
            str(value),
        )
    logical = _logical(value)
    if logical is not None:
        if column in schema.yes_no:
            return logical
        return refuse(
            "应为数字：TRUE/FALSE 是逻辑值，只能用于是/否指标，请填写数值 / expected a number: "
            "TRUE/FALSE is a logical value, accepted for yes/no indicators only; enter the number",
            value,
        )
    try:
        num, percent = _parse_cell(value)
    except ValueError:
        return refuse("应为数字 / expected a number", value)
    if num is None:
        return math.nan
    if percent:
        places = schema.percent.get(column)
        if places is None:
            return refuse(
                "百分数不适用于此指标（既不是 0–1 的比率，也不是百分制），请填写数值 / a "
                "percentage does not fit this indicator (neither a 0–1 rate nor a 0–100 "
                "percentage): enter the number itself",
                _shown(value),
            )
        num = _shift(num, places)
    rng = schema.ranges.get(column)
    if rng is not None and not rng.contains(num):
        zh, en = rng.describe()
        refuse(f"超出允许范围，应为{zh} / outside the allowed range: expected {en}", _shown(value))
    return num


def _logical(value: Any) -> float | None:
    """1.0 or 0.0 for a logical cell (an XLSX TRUE/FALSE, a Parquet bool, the text TRUE or
    FALSE a CSV saved by Excel holds); None for anything else."""
    if isinstance(value, bool | np.bool_):
        return float(value)
    if isinstance(value, str) and value.strip().upper() in ("TRUE", "FALSE"):
        return float(value.strip().upper() == "TRUE")
    return None


def _shown(value: Any) -> Any:
    """A cell as the user sees it: a percent-formatted 0.85 is shown as ``85%``."""
    if isinstance(value, _Percent):
        return f"{_shift(float(value), 2):g}%"
    return value


def _clean_time(value: Any) -> Any:
    if not _filled(value):
        return None
    if isinstance(value, _dt.datetime | _dt.date):
        return value.year if (value.month, value.day) == (1, 1) else str(value)[:10]
    try:
        num = parse_number(value)
    except ValueError:
        return _norm_text(value)
    if num is not None and float(num).is_integer():
        return int(num)
    return _norm_text(value)


def _combine(
    parts: list[_Part], schema: _Schema, source: str, problems: ProblemList
) -> pd.DataFrame:
    with_time = [("Time" in p.frame.columns) for p in parts]
    if any(with_time) and not all(with_time):
        problems.add(
            "部分工作表有 Time 列、部分没有 / some sheets have a Time column and others do not",
            source=source,
            column="Time",
        )
        problems.raise_if_any("指标数据有误 / invalid indicator data")
    keys = ["uCode", "Time"] if all(with_time) else ["uCode"]
    combined: dict[tuple[Any, ...], dict[str, Any]] = {}
    origin: dict[tuple[tuple[Any, ...], str], tuple[str, int]] = {}
    order: list[tuple[Any, ...]] = []
    for part in parts:
        frame = part.frame
        value_cols = [c for c in frame.columns if c not in (*keys, "_row")]
        for rec in frame.to_dict("records"):
            key = tuple(rec[k] for k in keys)
            target = combined.get(key)
            if target is None:
                target = combined[key] = {k: rec[k] for k in keys}
                order.append(key)
            for col in value_cols:
                value = rec[col]
                if not _filled(value):
                    target.setdefault(col, value)
                    continue
                old = target.get(col)
                if _filled(old) and old != value:
                    if col in ("uName", "uName_en"):
                        continue  # the first name given wins
                    first_where, first_row = origin[(key, col)]
                    problems.add(
                        "同一单位在两个工作表中的值不一致"
                        f"（另见 {first_where} 第 {first_row} 行）/ "
                        f"conflicting values for the same unit in two sheets "
                        f"(see also {first_where} row {first_row})",
                        source=part.where,
                        row=rec["_row"],
                        column=col,
                        value=value,
                    )
                    continue
                target[col] = value
                origin[(key, col)] = (part.where, rec["_row"])
    present = {c for p in parts for c in p.frame.columns}
    ordered = [c for c in schema.known if c in present]
    df = pd.DataFrame([combined[k] for k in order], columns=ordered)
    df["uCode"] = df["uCode"].astype(str)
    for col in ordered:
        if col in schema.numeric:
            df[col] = pd.to_numeric(df[col], errors="coerce").astype(float)
        elif col == "Time":
            values = df[col].tolist()
            if all(isinstance(v, int) for v in values):
                df[col] = df[col].astype("int64")
            else:
                df[col] = df[col].astype(str)
    return df.reset_index(drop=True)
