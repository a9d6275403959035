"""Calendar periods (month, quarter, year) as integer indices, in SQL and in Python.

A period is an integer: months since year 0 (``12·year + month − 1``), quarters
(``4·year + quarter − 1``) or the year itself, so consecutive periods differ by
one and a range of periods is a range of integers. Labels follow docs/records.md:
``YYYY-MM``, ``YYYY-Qn``, ``YYYY``.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any

import pandas as pd

from ..errors import problem_error, suggest

__all__ = [
    "PERIODS",
    "end_sql",
    "from_month_sql",
    "index_sql",
    "label",
    "label_sql",
    "of_date",
    "parse",
    "period_end",
    "span",
]

PERIODS = ("month", "quarter", "year")
# periods in a year; period p starts in month (p mod n)·(12/n) + 1 of year p div n
_PER_YEAR = {"month": 12, "quarter": 4, "year": 1}


def _check(period: str) -> int:
    """The number of ``period``s in a year; an unknown period is an error."""
    if period not in PERIODS:
        raise problem_error(
            f"期间须为 {list(PERIODS)} 之一（月、季、年） / "
            f"period must be one of {list(PERIODS)} (month, quarter, year)",
            "unknown period",
            source="period",
            value=suggest(period, PERIODS),
        )
    return _PER_YEAR[period]


def index_sql(date_sql: str, period: str) -> str:
    """SQL: the index of the period that contains the date."""
    n = _check(period)
    return f"(year({date_sql}) * {n} + (month({date_sql}) - 1) // {12 // n})"


def from_month_sql(m_sql: str, period: str) -> str:
    """SQL: the index of the period that contains month index ``m`` (``12·year + month − 1``)."""
    n = _check(period)
    return m_sql if n == 12 else f"({m_sql} // {12 // n})"


def end_sql(p_sql: str, period: str) -> str:
    """SQL: the last day of period ``p``."""
    n = _check(period)
    months = 12 // n
    return (
        f"last_day(make_date(CAST({p_sql} // {n} AS BIGINT), "
        f"CAST(({p_sql} % {n}) * {months} + {months} AS BIGINT), 1))"
    )


def label_sql(p_sql: str, period: str) -> str:
    """SQL: the period's label (``YYYY-MM``, ``YYYY-Qn``, ``YYYY``)."""
    _check(period)
    if period == "month":
        return f"printf('%04d-%02d', {p_sql} // 12, {p_sql} % 12 + 1)"
    if period == "quarter":
        return f"printf('%04d-Q%d', {p_sql} // 4, {p_sql} % 4 + 1)"
    return f"printf('%04d', {p_sql})"


def label(p: int, period: str) -> str:
    _check(period)
    if period == "month":
        return f"{p // 12:04d}-{p % 12 + 1:02d}"
    if period == "quarter":
        return f"{p // 4:04d}-Q{p % 4 + 1}"
    return f"{p:04d}"


def of_date(day: Any, period: str) -> int:
    d = pd.Timestamp(day)
    n = _check(period)
    return d.year * n + (d.month - 1) // (12 // n)


def parse(value: Any, period: str) -> int:
    """Period index of a label (``2024-03``, ``2024-Q1``, ``2024``) or a date."""
    _check(period)
    text = str(value).strip()
    m = re.fullmatch(r"(\d{4})-Q([1-4])", text)
    if m:
        return of_date(_dt.date(int(m[1]), 3 * int(m[2]) - 2, 1), period)
    if re.fullmatch(r"\d{4}", text):
        return of_date(_dt.date(int(text), 1, 1), period)
    try:
        return of_date(value, period)
    except (ValueError, TypeError):
        raise problem_error(
            "无法识别的期间；应为 YYYY-MM（如 2024-03）、YYYY-Qn（如 2024-Q1）、YYYY 或日期 / "
            "the period does not parse; expected YYYY-MM (e.g. 2024-03), YYYY-Qn "
            "(e.g. 2024-Q1), YYYY or a date",
            "unknown period",
            source="period",
            value=value,
        ) from None


def span(start: Any, end: Any, first: int | None, last: int | None, period: str) -> tuple[int, int]:
    """Period indices ``(start, end)``; a bound not given is the records' ``first``/``last``."""
    if (start is None and first is None) or (end is None and last is None):
        raise problem_error(
            "没有记录，无法确定期间范围；请给出 start 和 end（如 2024-01 与 2024-12） / "
            "there are no records to take the period range from: give start and end "
            "(e.g. 2024-01 and 2024-12)",
            "unknown period",
            source="records",
        )
    p0 = parse(start, period) if start is not None else first
    p1 = parse(end, period) if end is not None else last
    if p1 < p0:
        raise problem_error(
            f"end（{label(p1, period)}）早于 start（{label(p0, period)}）；请对调或改正 / "
            f"end ({label(p1, period)}) is before start ({label(p0, period)}): swap or "
            "correct them",
            "unknown period",
            source="end",
            value=end,
        )
    return p0, p1


def period_end(p: int, period: str) -> _dt.date:
    """The last day of period ``p``."""
    n = _check(period)
    last_month = pd.Timestamp(year=p // n, month=(p % n) * (12 // n) + 12 // n, day=1)
    return (last_month + pd.offsets.MonthEnd(0)).date()
