"""The records behind one indicator value, and the ones left out with the rule that did it.

:func:`trace` re-runs, for one unit, indicator and period, the same SQL the
counts use (:func:`.rules.display_sql` and :func:`.rules.exclusion_sql` for
breach records, the measure's numerator and denominator for the other kinds),
so the counted weights add up to the value :func:`.indicators.indicators`
reports (before ``scale`` and a research half-life).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..errors import problem_error
from ..framework import Framework, load_framework
from . import periods as P
from .counts import MEASURES, filter_sql
from .indicators import record_sources
from .read import Records, _lit
from .rules import EXCLUSION_RULES, display_sql, exclusion_sql, resolve_rules

__all__ = ["trace"]


def trace(
    framework: Framework | str,
    records: Mapping[str, Records],
    *,
    uCode: str,
    indicator: str,
    time: str,
    rules: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """One row per record of ``uCode`` that bears on ``indicator`` in period ``time``.

    ``time``: ``YYYY-MM``, ``YYYY-Qn`` or ``YYYY`` (the period length follows).
    Columns: the record's own columns, ``counted`` (bool), ``weight`` (its
    contribution: the severity weight × mitigation for breach records; 1/0 in the
    numerator for rates), ``in_denominator`` (rates), ``rule`` (the code of the
    rule that excluded it, see :data:`.rules.EXCLUSION_RULES`) and ``reason``
    (that rule in Chinese and English, or "计入 / counted"). Breach records decided after the period
    are not listed.
    """
    fw = load_framework(framework)
    node = fw[indicator]
    if not node.records:
        raise problem_error(
            "该指标不是由记录计算的（框架中没有 records: 来源），无法追溯到记录；"
            "请选由记录计算的指标 / "
            "this indicator is not computed from records (no records: source in the framework), "
            "so there are no records to trace; pick an indicator computed from records",
            "invalid option",
            source=f"framework {fw.name}",
            column=indicator,
        )
    src = record_sources(fw)[indicator]
    rec = records[src["kind"]]
    period = _period_of(time)
    p = P.parse(time, period)
    day = f"DATE '{P.period_end(p, period).isoformat()}'"
    first = f"DATE '{P.period_end(p - 1, period).isoformat()}'"
    cond = f"uCode = {_lit(uCode)} AND {filter_sql(rec, src.get('filter'))}"
    m = MEASURES[(src["kind"], src["measure"])]
    cols = ", ".join(f'"{c}"' for c in rec.columns)
    if src["kind"] == "breach" and m.name in ("active", "new"):
        r = resolve_rules(rules, fw)
        base = display_sql(rec.view, r, cond)
        if m.name == "active":
            rule = exclusion_sql(day)
            scope = f"decided <= {day}"
        else:
            rule = "void"
            scope = f"decided > {first} AND decided <= {day}"
        sql = f"""
            SELECT {cols}, d_end AS display_end, w AS weight, {rule} AS rule
            FROM ({base}) WHERE {scope} ORDER BY decided, record_id
        """
        out = rec.con.sql(sql).df()
        out["counted"] = out["rule"].isna()
        out.loc[~out["counted"], "weight"] = 0.0
    else:
        num = m.num
        if "{where}" in num:
            num = f"CASE WHEN {filter_sql(rec, src.get('where'), what='where')} THEN 1 ELSE 0 END"
        sql = f"""
            SELECT {cols}, CAST({num} AS DOUBLE) AS weight,
                   CAST({m.den or "1"} AS DOUBLE) > 0 AS in_denominator
            FROM {rec.view}
            WHERE {cond} AND {m.date} > {first} AND {m.date} <= {day}
            ORDER BY {m.date}, record_id
        """
        out = rec.con.sql(sql).df()
        out["counted"] = out["in_denominator"] if m.is_rate else out["weight"] > 0
        out["rule"] = None
        out.loc[~out["counted"], "rule"] = "not_in_measure"
    reasons = {**EXCLUSION_RULES, "not_in_measure": f"不计入此口径 / not in measure {m.name}"}
    out["reason"] = out["rule"].map(reasons).where(out["rule"].notna(), "计入 / counted")
    out.attrs.update(uCode=uCode, indicator=indicator, time=time, measure=m.name)
    return out


def _period_of(time: str) -> str:
    text = str(time).strip()
    if re.fullmatch(r"\d{4}-\d{2}", text):
        return "month"
    if re.fullmatch(r"\d{4}-Q[1-4]", text):
        return "quarter"
    if re.fullmatch(r"\d{4}", text):
        return "year"
    raise problem_error(
        "期间格式应为 YYYY-MM（如 2024-03）、YYYY-Qn（如 2024-Q1）或 YYYY / the time must be a "
        "period label: YYYY-MM (e.g. 2024-03), YYYY-Qn (e.g. 2024-Q1) or YYYY",
        "unknown period",
        source="time",
        value=time,
    )
