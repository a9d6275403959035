"""The display rule of breach records, in DuckDB SQL (docs/records.md).

Defaults from 发改办财金〔2019〕527号 (国家发展改革委办公厅关于进一步完善“信用中国”网站及
地方信用门户网站行政处罚信息信用修复机制的通知): general records are shown for at
least 3 and at most 12 months, serious ones for at least 6 and at most 36 months;
accepted credit repair ends the display once the minimum has passed. Objections,
tolerance (容错免责) and repair follow ``004_eb7a51c6d53126fb.txt`` §一.4 and
``000_…`` §一.4; mitigation (从轻) weights follow ``001_…``.

A record is displayed on ``[decided, end)`` where::

    min_end = decided + min months,  max_end = decided + max months   (calendar months)
    end     = max_end                                  if never repaired
            = min(max_end, max(repaired, min_end))     otherwise

(months as ``pandas.DateOffset(months=n)``: 31 Jan + 1 month = 28/29 Feb, which
DuckDB's ``date + to_months(n)`` matches). It is **active** on a day when
displayed, not under objection (``objection_filed ≤ day < objection_closed``; no
close date = still under objection), not exempt and its objection not upheld.
So each record has at most two active intervals: the display interval minus the
objection interval. Counting then needs only these intervals, as month indices
(:func:`active_months_sql`; events +w at the start, −w at the end, summed up to
each period end): the cost grows with records plus units × periods, never records
× periods.

Weight of an active record: ``weights[severity] × mitigation`` (mitigation
default 1), times ``2^(−age / half_life)`` when a research half-life (in months,
age in days / 30.4375) is set.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from ..errors import ProblemList, report_unknown

__all__ = [
    "DEFAULT_RULES",
    "EXCLUSION_RULES",
    "active_months_sql",
    "countable_sql",
    "display_sql",
    "exclusion_sql",
    "resolve_rules",
]

DEFAULT_RULES: dict[str, Any] = {
    "display": {"general": {"min": 3, "max": 12}, "serious": {"min": 6, "max": 36}},
    "weights": {"general": 1.0, "serious": 1.0},
    "half_life": None,
}
DAYS_PER_MONTH = 30.4375  # mean Gregorian month, for the research half-life only

#: Why a record does not count, by code (Chinese first).
EXCLUSION_RULES = {
    "exempt": "容错免责，不计入 / exempt (容错免责): never counts",
    "upheld": "异议成立，记录无效 / objection upheld: the record is void",
    "not_yet": "期末尚未认定 / decided after the period end",
    "repaired": "已信用修复，公示结束 / repaired: display ended",
    "min_period": (
        "修复后最短公示期满，公示结束 / repaired: display ended when the minimum period passed"
    ),
    "expired": "最长公示期满 / display period (maximum) over",
    "objection": "异议处理中，暂停公示 / under objection on that day",
}


def resolve_rules(rules: Mapping[str, Any] | None = None, framework: Any = None) -> dict[str, Any]:
    """The defaults, updated by the framework's ``records:`` block, then by ``rules``.

    Keys: ``display`` ({severity: {min, max}} in months), ``weights`` ({severity:
    weight}), ``half_life`` (months or None). Every problem is reported at once.
    """
    out = copy.deepcopy(DEFAULT_RULES)
    layers = [getattr(framework, "records", None) or {}, rules or {}]
    problems = ProblemList()
    for layer in layers:
        report_unknown(layer, DEFAULT_RULES, problems, source="rules")
        for sev, span in (layer.get("display") or {}).items():
            report_unknown([sev], DEFAULT_RULES["display"], problems, source="rules.display")
            out["display"].setdefault(sev, {}).update(span)
        out["weights"].update(layer.get("weights") or {})
        if "half_life" in layer:
            out["half_life"] = layer["half_life"]
    for sev, span in out["display"].items():
        lo, hi = span.get("min"), span.get("max")
        if not (isinstance(lo, int) and isinstance(hi, int) and 0 <= lo <= hi and hi > 0):
            problems.add(
                "公示期应为整数月且 0 ≤ min ≤ max / display months must be whole numbers with "
                "0 <= min <= max, max > 0",
                source="rules.display",
                row=sev,
                value=span,
            )
    for sev, w in out["weights"].items():
        if not isinstance(w, int | float) or w < 0:
            problems.add(
                "权重应为非负数 / weight must be >= 0", source="rules.weights", row=sev, value=w
            )
    hl = out["half_life"]
    if hl is not None and (not isinstance(hl, int | float) or hl <= 0):
        problems.add("半衰期应为正数（月）/ half_life must be > 0 months", source="rules", value=hl)
    problems.raise_if_any("规则有误 / invalid record rules")
    return out


def display_sql(view: str, rules: Mapping[str, Any], where: str = "TRUE") -> str:
    """SQL: every breach record of ``view`` with ``min_end``, ``max_end``, ``d_end``
    (end of display, exclusive), ``w`` (weight) and ``void`` (``exempt`` / ``upheld`` / NULL)."""
    disp, wts = rules["display"], rules["weights"]
    mn = " ".join(f"WHEN '{s}' THEN {int(v['min'])}" for s, v in disp.items())
    mx = " ".join(f"WHEN '{s}' THEN {int(v['max'])}" for s, v in disp.items())
    wt = " ".join(f"WHEN '{s}' THEN {float(w)!r}" for s, w in wts.items())
    return f"""
        SELECT *,
            CASE WHEN repaired IS NULL THEN max_end
                 ELSE least(max_end, greatest(repaired, min_end)) END AS d_end
        FROM (
            SELECT *,
                CAST(decided + to_months(CASE severity {mn} END) AS DATE) AS min_end,
                CAST(decided + to_months(CASE severity {mx} END) AS DATE) AS max_end,
                (CASE severity {wt} END) * COALESCE(mitigation, 1.0) AS w,
                CASE WHEN COALESCE(exempt, FALSE) THEN 'exempt'
                     WHEN COALESCE(objection_upheld, FALSE) THEN 'upheld' END AS void
            FROM {view} WHERE {where}
        )
    """


def countable_sql(view: str, rules: Mapping[str, Any], where: str = "TRUE") -> str:
    """SQL: the records that can count at all (not exempt, objection not upheld)."""
    return f"SELECT * FROM ({display_sql(view, rules, where)}) WHERE void IS NULL"


def active_months_sql(view: str, rules: Mapping[str, Any], where: str = "TRUE") -> str:
    """SQL: every countable record of ``view`` meeting ``where`` with its weight ``_w`` and
    its active intervals as month indices (``12·year + month − 1``): ``[_m1, _n1)`` before
    an objection was filed and ``[_m2, _n2)`` after it was closed, both bounds NULL when
    the interval is empty.

    The month index of a day is non-decreasing in the day, and adding ``k`` calendar
    months moves it by exactly ``k`` (the day is clamped within its month), so each bound
    of :func:`display_sql` has as month index the same ``least`` / ``greatest`` of month
    indices: ``decided + min`` months has index ``m(decided) + min``, and ``d_end`` has
    ``least(m(decided) + max, greatest(m(repaired), m(decided) + min))``. A record is
    active on the last day of period ``p`` exactly when ``period(start) ≤ p <
    period(end)`` (quarters and years are month indices divided by 3 and 12), and an
    interval empty by days is empty, or cancels out, by months; so counting needs these
    integers only, no date arithmetic. Names start with ``_``, which no input column has.
    """
    disp, wts = rules["display"], rules["weights"]
    mn = " ".join(f"WHEN '{s}' THEN {int(v['min'])}" for s, v in disp.items())
    mx = " ".join(f"WHEN '{s}' THEN {int(v['max'])}" for s, v in disp.items())
    wt = " ".join(f"WHEN '{s}' THEN {float(w)!r}" for s, w in wts.items())

    def month(col: str) -> str:
        return f"(year({col}) * 12 + month({col}) - 1)"

    return f"""
        SELECT * EXCLUDE (_xd, _xr, _xf, _xc, _xe, _xn, _xm),
            CASE WHEN _xn > _xd THEN _xd END AS _m1, CASE WHEN _xn > _xd THEN _xn END AS _n1,
            CASE WHEN _xe > _xm THEN _xm END AS _m2, CASE WHEN _xe > _xm THEN _xe END AS _n2
        FROM (
            SELECT *,
                CASE WHEN _xf IS NULL THEN _xe ELSE least(_xe, _xf) END AS _xn,
                CASE WHEN _xf IS NOT NULL AND _xc IS NOT NULL THEN greatest(_xd, _xc) END AS _xm
            FROM (
                SELECT *,
                    CASE WHEN _xr IS NULL THEN _xd + CASE severity {mx} END
                         ELSE least(_xd + CASE severity {mx} END,
                                    greatest(_xr, _xd + CASE severity {mn} END)) END AS _xe
                FROM (
                    SELECT *,
                        (CASE severity {wt} END) * COALESCE(mitigation, 1.0) AS _w,
                        {month("decided")} AS _xd, {month("repaired")} AS _xr,
                        {month("objection_filed")} AS _xf, {month("objection_closed")} AS _xc
                    FROM {view}
                    WHERE ({where}) AND NOT COALESCE(exempt, FALSE)
                        AND NOT COALESCE(objection_upheld, FALSE)
                )
            )
        )
    """


def exclusion_sql(day_sql: str) -> str:
    """SQL (over :func:`display_sql` columns): the rule that keeps a record from being
    active on ``day``, or NULL when it is active."""
    return f"""
        CASE WHEN void IS NOT NULL THEN void
             WHEN decided > {day_sql} THEN 'not_yet'
             WHEN {day_sql} >= d_end AND repaired IS NOT NULL AND d_end < max_end
                  THEN CASE WHEN repaired < min_end THEN 'min_period' ELSE 'repaired' END
             WHEN {day_sql} >= d_end THEN 'expired'
             WHEN objection_filed IS NOT NULL AND objection_filed <= {day_sql}
                  AND (objection_closed IS NULL OR {day_sql} < objection_closed) THEN 'objection'
        END
    """
