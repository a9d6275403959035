"""Corrections (复核更正): the review ledger of an engagement, applied to the raw data.

After the draft reports go to the evaluated units, the agency reviews their objections and
records each accepted change in a ledger — a CSV or XLSX file with the columns ``uCode``,
``iCode``, ``value``, ``reason`` and optionally ``evidence``, ``by``, ``date`` (one row per
changed cell). :func:`read_corrections` checks the ledger against the framework and the
data (every problem at once, naming the row); :func:`apply_corrections` writes the new
values into a copy of the raw data of the evaluated period before the build, so every
stage, score and grade follows from the corrected data. The run's ``manifest.json`` lists
each correction (uCode, iCode, old, new, reason) and each unit's report annex lists its own.

The user guide is ``docs/engagement.md`` (复核更正 / corrections).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import ProblemList
from .framework import Framework
from .idata import ValueRange, allowed_range, parse_number, percent_scale
from .io import read_table

__all__ = ["CORRECTION_COLUMNS", "apply_corrections", "read_corrections"]

#: The ledger's columns: required, then optional.
REQUIRED = ("uCode", "iCode", "value", "reason")
OPTIONAL = ("evidence", "by", "date")
#: The columns of a checked ledger (:func:`read_corrections`).
CORRECTION_COLUMNS = ("uCode", "iCode", "old", "new", "reason", *OPTIONAL)
_TITLE = "复核更正表有误 / invalid corrections ledger"


def read_corrections(
    path: str | Path, framework: Framework, idata: pd.DataFrame, *, time: Any = None
) -> pd.DataFrame:
    """The ledger at ``path``, checked: one row per correction with the columns
    :data:`CORRECTION_COLUMNS` (``old``: the value in ``idata``, NaN when blank; ``new``:
    the corrected value, NaN to blank a cell).

    ``time`` is the evaluated period when ``idata`` is a panel (default: its latest).
    Every problem is raised at once, naming the file and row: a unit not in the data (of
    that period), an indicator or denominator not in the framework, a value that is not a
    number or lies outside the indicator's allowed range (the rules of the data-collection
    workbook: rates in [0, 1] or a typed ``85%``, counts whole and ≥ 0, yes/no items 0 or
    1), a blank reason, the same cell corrected twice.
    """
    source = str(path)
    table = read_table(path, required=REQUIRED, optional=OPTIONAL)
    rows = table.attrs.get("rows") or list(range(2, len(table) + 2))
    period = _period_rows(idata, time)
    units = set(period["uCode"].astype(str))
    columns = {*framework.indicators, *(d.code for d in framework.denominators)}
    problems = ProblemList()
    out: list[dict[str, Any]] = []
    first: dict[tuple[str, str], int] = {}
    for row, rec in zip(rows, table.to_dict("records"), strict=True):
        unit, code = _text(rec["uCode"]), _text(rec["iCode"])

        def refuse(rule: str, column: str, value: Any, row: int = row) -> None:
            problems.add(rule, source=source, row=row, column=column, value=value)

        if unit not in units:
            refuse("数据中没有该单位 / no such unit in the data", "uCode", unit)
        if code not in columns:
            refuse("框架中没有该指标或分母 / no such indicator or denominator", "iCode", code)
        if not _text(rec["reason"]):
            refuse("须写明更正理由 / the reason must be given", "reason", "")
        if (unit, code) in first:
            refuse(
                f"同一单元格已在第 {first[unit, code]} 行更正 / the same cell is already "
                f"corrected in row {first[unit, code]}",
                "iCode",
                code,
            )
        first.setdefault((unit, code), row)
        new = _value(rec["value"], framework, code, refuse) if code in columns else math.nan
        old = _old(period, unit, code)
        out.append(
            {
                "uCode": unit,
                "iCode": code,
                "old": old,
                "new": new,
                "reason": _text(rec["reason"]),
                **{k: _text(rec.get(k)) or None for k in OPTIONAL},
            }
        )
    problems.raise_if_any(_TITLE)
    return pd.DataFrame(out, columns=list(CORRECTION_COLUMNS))


def apply_corrections(
    idata: pd.DataFrame, ledger: pd.DataFrame, *, time: Any = None
) -> pd.DataFrame:
    """A copy of ``idata`` with each ``ledger`` row's ``new`` value in its cell (of period
    ``time`` — default the latest — when ``idata`` has a ``Time`` column). The input is
    never modified; a column absent from ``idata`` (a denominator not collected) is added."""
    out = idata.copy()
    if ledger.empty:
        return out
    at = _period_mask(out, time)
    codes = out["uCode"].astype(str).to_numpy()
    for code in ledger["iCode"].unique():
        if code not in out.columns:
            out[code] = np.nan
        out[code] = out[code].astype(float)
    for rec in ledger.itertuples(index=False):  # one row per corrected cell, not per record
        out.loc[at & (codes == rec.uCode), rec.iCode] = rec.new
    return out


def _period_mask(idata: pd.DataFrame, time: Any) -> np.ndarray:
    if "Time" not in idata.columns:
        return np.ones(len(idata), dtype=bool)
    times = idata["Time"]
    chosen = times.max() if time is None else time
    return (times.astype(str) == str(chosen)).to_numpy()


def _period_rows(idata: pd.DataFrame, time: Any) -> pd.DataFrame:
    return idata.loc[_period_mask(idata, time)]


def _old(period: pd.DataFrame, unit: str, code: str) -> float:
    if code not in period.columns:
        return math.nan
    hit = period.loc[period["uCode"].astype(str) == unit, code]
    return float(hit.iloc[0]) if len(hit) and pd.notna(hit.iloc[0]) else math.nan


def _value(value: Any, framework: Framework, code: str, refuse: Any) -> float:
    """The corrected value as the data-collection workbook reads it; NaN when blank."""
    node = framework[code] if code in framework.indicators else None  # else a denominator
    text = str(value).strip()
    if text.endswith(("%", "％")):
        places = None if node is None else percent_scale(node)
        if places is None:
            refuse(
                "百分数不适用于此指标，请填写数值 / a percentage does not fit this indicator: "
                "enter the number itself",
                "value",
                value,
            )
            return math.nan
        if places == 0:  # a typed 85% of a 0–100 indicator means 85
            value = text[:-1]
    try:
        num = parse_number(value)
    except ValueError:
        refuse(
            "应为数字（或留空表示未报送）/ expected a number (or blank: not reported)",
            "value",
            value,
        )
        return math.nan
    if num is None:
        return math.nan
    rng = ValueRange(lo=0.0) if node is None else allowed_range(node)
    if not rng.contains(num):
        zh, en = rng.describe()
        refuse(f"超出允许范围，应为{zh} / outside the allowed range: expected {en}", "value", value)
    return num


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()
