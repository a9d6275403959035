"""Counts and rates per unit and period, computed in DuckDB (docs/records.md).

:func:`breach_counts` counts breach records under the display rule of
:mod:`.rules`: ``active`` is the weighted number of records active on the last
day of each period, computed from the records' active intervals by a sweep
(+w at each interval start, −w at its end, a running sum over the periods of a
unit), so the cost is records + units × periods; ``new`` is the weighted number
decided in the period (not exempt, objection not upheld). A rolling window
(``window=12``: the last twelve months, as the national city credit monitoring
counts) sums ``new`` over the window ending at each period.

:func:`measure_table` computes the measures of the other record kinds (and the
breach measures, through :func:`breach_counts`) from :data:`MEASURES`: counts
of records placed in a period by one of their dates, and rates
``Σ numerator / Σ denominator`` over the records placed in the period (a rate
with no record in its denominator is missing, never 0).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ProblemList, problem_error, report_unknown, suggest
from . import periods as P
from .read import Records, _lit, _q
from .rules import DAYS_PER_MONTH, active_months_sql, resolve_rules

__all__ = [
    "MEASURES",
    "Measure",
    "Series",
    "breach_counts",
    "filter_sql",
    "measure_table",
    "series",
    "table",
]


@dataclass(frozen=True)
class Measure:
    """A measure of a record kind: records placed in a period by ``date``; ``num``
    (SQL, 1/0 per record) summed, divided by ``den`` when it is a rate."""

    kind: str
    name: str
    zh: str
    date: str
    num: str = "1"
    den: str | None = None

    @property
    def is_rate(self) -> bool:
        return self.den is not None


_MASK_BITS = 62  # series per bit mask (BIGINT)
_ON_TIME_KEPT = "CASE WHEN kept AND kept_date <= due THEN 1 ELSE 0 END"
MEASURES: dict[tuple[str, str], Measure] = {
    (m.kind, m.name): m
    for m in (
        Measure("breach", "active", "期末有效失信记录数（加权）", "decided"),
        Measure("breach", "new", "新增失信记录数（加权）", "decided"),
        Measure(
            "breach",
            "repair_rate",
            "信用修复率（期内认定记录中已修复的比例）",
            "decided",
            "CASE WHEN repaired IS NOT NULL THEN 1 ELSE 0 END",
            "1",
        ),
        Measure("commitment", "due", "到期承诺数", "due"),
        Measure("commitment", "kept_rate", "按期兑现率", "due", _ON_TIME_KEPT, "1"),
        Measure("commitment", "unkept", "未按期兑现承诺数", "due", f"1 - {_ON_TIME_KEPT}"),
        Measure("ticket", "opened", "受理工单数", "opened"),
        Measure(
            "ticket",
            "on_time_rate",
            "按期办结率",
            "due",
            "CASE WHEN closed IS NOT NULL AND closed <= due THEN 1 ELSE 0 END",
            "1",
        ),
        Measure(
            "ticket",
            "resolved_rate",
            "解决率",
            "closed",
            "CASE WHEN resolved THEN 1 ELSE 0 END",
            "CASE WHEN resolved IS NOT NULL THEN 1 ELSE 0 END",
        ),
        Measure(
            "ticket",
            "satisfaction_rate",
            "满意率",
            "closed",
            "CASE WHEN satisfied THEN 1 ELSE 0 END",
            "CASE WHEN satisfied IS NOT NULL THEN 1 ELSE 0 END",
        ),
        Measure("ticket", "share", "占比（where 条件的工单占全部工单）", "opened", "{where}", "1"),
        Measure("case", "concluded", "审结案件数", "concluded"),
        Measure(
            "case",
            "loss_rate",
            "败诉或被纠错率",
            "concluded",
            "CASE WHEN outcome IN ('lost', 'corrected') THEN 1 ELSE 0 END",
            "1",
        ),
        Measure(
            "case",
            "lost",
            "败诉或被纠错案件数",
            "concluded",
            "CASE WHEN outcome IN ('lost', 'corrected') THEN 1 ELSE 0 END",
        ),
        Measure(
            "proposal",
            "on_time_rate",
            "按期办结率",
            "due",
            "CASE WHEN handled IS NOT NULL AND handled <= due THEN 1 ELSE 0 END",
            "1",
        ),
        Measure(
            "proposal",
            "satisfaction_rate",
            "代表委员满意率",
            "handled",
            "CASE WHEN satisfaction = 'satisfied' THEN 1 ELSE 0 END",
            "CASE WHEN satisfaction IS NOT NULL THEN 1 ELSE 0 END",
        ),
    )
}


def filter_sql(rec: Records, flt: Mapping[str, Any] | None, *, what: str = "filter") -> str:
    """SQL condition for ``{column: value or [values]}``; unknown columns or values are errors."""
    if not flt:
        return "TRUE"
    problems = ProblemList()
    cols = rec.columns
    report_unknown(flt, cols, problems, what="column", source=what)
    parts = []
    for col, value in flt.items():
        if col not in cols:
            continue
        values = value if isinstance(value, list | tuple | set) else [value]
        if col in rec.kind.names and rec.kind.column(col).allowed:
            allowed = rec.kind.column(col).allowed
            bad = [v for v in values if str(v).lower() not in {k.lower() for k in allowed}]
            for v in bad:
                problems.add(
                    f"未知取值 / unknown value; expected one of {rec.kind.column(col).codes}",
                    source=what,
                    column=col,
                    value=v,
                )
            lookup = {k.lower(): c for k, c in allowed.items()}
            values = [lookup.get(str(v).lower(), str(v)) for v in values]
        numeric = col in rec.kind.names and rec.kind.column(col).type in ("int", "number")
        if numeric:
            bad = [v for v in values if not _is_number(v)]
            for v in bad:
                problems.add("应为数值 / expected a number", source=what, column=col, value=v)
            nums = ", ".join(repr(float(v)) for v in values if _is_number(v)) or "NULL"
            parts.append(f"{_q(col)} IN ({nums})")
        elif values and all(isinstance(v, bool) for v in values):
            parts.append(f"{_q(col)} IN ({', '.join('TRUE' if v else 'FALSE' for v in values)})")
        else:
            parts.append(
                f"CAST({_q(col)} AS VARCHAR) IN ({', '.join(_lit(str(v)) for v in values)})"
            )
    problems.raise_if_any("筛选条件有误 / invalid record filter")
    return " AND ".join(parts) or "TRUE"


@dataclass(frozen=True)
class Series:
    """One output column: ``measure`` over the records meeting ``cond`` (SQL);
    ``num`` overrides the measure's numerator (``share``); ``window``: rolling sum."""

    name: str
    measure: Measure
    cond: str = "TRUE"
    num: str | None = None
    window: int | None = None


def series(
    rec: Records,
    name: str,
    measure: str,
    *,
    filter: Mapping[str, Any] | None = None,
    where: Mapping[str, Any] | None = None,
    window: int | None = None,
) -> Series:
    """A :class:`Series` of ``rec``'s kind, its filter checked against the records."""
    key = (rec.kind.name, measure)
    if key not in MEASURES:
        known = sorted(m for k, m in MEASURES if k == rec.kind.name)
        raise problem_error(
            f"{rec.kind.name} 记录没有该口径；可用口径：{known} / "
            f"no such measure for {rec.kind.name} records; expected one of {known}",
            "invalid option",
            source="measure",
            value=suggest(measure, known),
        )
    m = MEASURES[key]
    if window is not None and (key != ("breach", "new") or int(window) < 1):
        raise problem_error(
            "window 只用于失信记录的 'new' 口径，且须为不小于 1 的整数（期数） / window applies "
            "to the breach measure 'new' only and must be a whole number of periods ≥ 1",
            "invalid option",
            source="window",
            value=f"{window} ({rec.kind.name}, {measure})",
        )
    num = None
    if "{where}" in m.num:
        if not where:
            raise problem_error(
                "share 口径需要 where 条件（如 {topic: complaint}）定义分子 / measure 'share' "
                "needs a 'where' mapping (e.g. {topic: complaint}) that defines the numerator",
                "invalid option",
                source="where",
                value=where,
            )
        num = f"CASE WHEN {filter_sql(rec, where, what='where')} THEN 1 ELSE 0 END"
    return Series(name, m, filter_sql(rec, filter), num, int(window) if window else None)


def _is_number(v: Any) -> bool:
    try:
        float(v)
    except (TypeError, ValueError):
        return False
    return not isinstance(v, bool)


def breach_counts(
    rec: Records,
    period: str = "month",
    measure: str = "active",
    by: Sequence[str] | None = None,
    weights: Mapping[str, float] | None = None,
    start: Any = None,
    end: Any = None,
    rules: Mapping[str, Any] | None = None,
    *,
    filter: Mapping[str, Any] | None = None,
    window: int | None = None,
    framework: Any = None,
) -> pd.DataFrame:
    """Weighted breach counts per unit and period (docs/records.md).

    ``measure``: ``"active"`` (records active on the period's last day, under the
    display rule of :mod:`.rules`) or ``"new"`` (decided in the period, not exempt,
    objection not upheld). ``by``: extra grouping columns (one row per value; the
    allowed values of a categorical column, e.g. every ``source``). ``weights``:
    {severity: weight} (× mitigation), overriding the rules' weights. ``start``,
    ``end``: period labels or dates (default: the first and last decision).
    ``rules``: display-rule overrides (:func:`.rules.resolve_rules`; the
    framework's ``records:`` block applies first). ``filter``: {column: values}.
    ``window``: with ``measure="new"``, the sum over the last ``window`` periods.

    Returns a DataFrame ``uCode, Time, [by…], value``: every unit (declared or
    present) × period in ``[start, end]`` × by-value, zeros included.
    """
    if rec.kind.name != "breach":
        raise problem_error(
            "breach_counts 需要失信记录（breach）；其他记录请用 measure_table / breach_counts "
            "needs breach records; use measure_table for other kinds",
            "invalid option",
            source="records",
            value=rec.kind.name,
        )
    if measure not in ("active", "new"):
        raise problem_error(
            "口径须为 'active'（期末在公示期内）或 'new'（期内新增） / measure must be 'active' "
            "(displayed at the end of the period) or 'new' (decided in the period)",
            "invalid option",
            source="measure",
            value=suggest(measure, ("active", "new")),
        )
    r = resolve_rules(rules, framework)
    if weights:
        r["weights"].update(weights)
    s = series(rec, "value", measure, filter=filter, window=window)
    p0, p1 = _range(rec, period, start, end, s.cond)
    return _breach_wide(rec, [s], period, p0, p1, r, list(by or []))


def table(
    rec: Records,
    items: Sequence[Series],
    period: str,
    p0: int,
    p1: int,
    *,
    rules: Mapping[str, Any] | None = None,
    framework: Any = None,
    window: int | None = None,
) -> pd.DataFrame:
    """Several series of one record kind at once: ``uCode, Time``, one column per
    series (one scan of the records for the breach sweep and one for the other
    measures, not one per series).
    ``window``: rolling sums over that many periods for every series but the
    ``active`` stock (rates: numerator and denominator summed over the window)."""
    if window:
        items = [
            s if s.window or s.measure.name == "active" else replace(s, window=int(window))
            for s in items
        ]
    if rec.kind.name == "breach":
        sweep = [s for s in items if s.measure.name in ("active", "new")]
        others = [s for s in items if s.measure.name not in ("active", "new")]
    else:
        sweep, others = [], list(items)
    out = _grid_frame(rec, period, p0, p1)
    if sweep:
        r = resolve_rules(rules, framework)
        wide = _breach_wide(rec, sweep, period, p0, p1, r, [])
        out = out.merge(wide, on=["uCode", "Time"], how="left")
    if others:
        wide = _rates_wide(rec, others, period, p0, p1, window)
        out = out.merge(wide, on=["uCode", "Time"], how="left")
    return out


def _breach_wide(
    rec: Records,
    items: Sequence[Series],
    period: str,
    p0: int,
    p1: int,
    r: Mapping[str, Any],
    by: list[str],
) -> pd.DataFrame:
    """Active (sweep) and new breach series in one scan and one aggregation; zeros included.

    Each record carries a bit mask of the series whose condition it meets; its events
    (+w at the start of each active interval, −w at its end, +w at its decision for
    ``new``) are summed per unit, period and mask, and each series is the sum over the
    masks that have its bit."""
    _check_by(rec, by)
    if len(items) > _MASK_BITS:  # one mask holds 62 series: the rest in further scans
        head = _breach_wide(rec, items[:_MASK_BITS], period, p0, p1, r, by)
        tail = _breach_wide(rec, items[_MASK_BITS:], period, p0, p1, r, by)
        return head.merge(tail, on=["uCode", "Time", *by])
    lead = max((s.window or 1) - 1 for s in items)
    g0 = p0 - lead
    keys = ", ".join(["uCode", *map(_q, by)])
    hl = r.get("half_life")
    ref = f"DATE '{P.period_end(p0, period).isoformat()}'"
    if hl:  # w·2^(−(D − decided)/h) = [w·2^((decided − ref)/h)] · 2^(−(D − ref)/h)
        h = float(hl) * DAYS_PER_MONTH
        wa = f"_w * pow(2.0, date_diff('day', {ref}, decided) / {h!r})"
        scale = f"pow(2.0, -date_diff('day', {ref}, {P.end_sql('g.p', period)}) / {h!r})"
    else:
        wa, scale = "_w", "1.0"
    bits = [1 << i for i in range(len(items))]
    act = sum(b for b, s in zip(bits, items, strict=True) if s.measure.name == "active")
    new = sum(b for b, s in zip(bits, items, strict=True) if s.measure.name == "new")
    mask = " + ".join(
        f"CASE WHEN {s.cond} THEN {b} ELSE 0 END" for b, s in zip(bits, items, strict=True)
    )
    base = active_months_sql(f"(SELECT *, {mask} AS _mask FROM {rec.view})", r, "_mask <> 0")

    def events(start: str, stop: str) -> list[str]:
        return [
            f"SELECT {keys}, _mask & {act} AS m, greatest({P.from_month_sql(col, period)}, {g0}) "
            f"AS p, {sign}{wa} AS dw FROM b WHERE _mask & {act} <> 0 AND {start} IS NOT NULL"
            for col, sign in ((start, ""), (stop, "-"))
        ]

    parts = [*events("_m1", "_n1"), *events("_m2", "_n2")] if act else []
    if new:
        decided = P.index_sql("decided", period)
        parts.append(
            f"SELECT {keys}, _mask & {new} AS m, {decided} AS p, _w AS dw FROM b "
            f"WHERE _mask & {new} <> 0 AND {decided} >= {g0}"
        )
    sums = ", ".join(f"sum(dw) FILTER (m & {b} <> 0) AS _d{i}" for i, b in enumerate(bits))
    outs = []
    part = ", ".join(f"g.{k.strip()}" for k in keys.split(","))
    for i, s in enumerate(items):
        c = f"_d{i}"
        if s.measure.name == "active":
            frame = "ROWS UNBOUNDED PRECEDING"
            outs.append(
                f"{scale} * sum(COALESCE(agg.{c}, 0.0)) OVER "
                f"(PARTITION BY {part} ORDER BY g.p {frame}) AS {_q(s.name)}"
            )
        elif s.window:
            frame = f"ROWS BETWEEN {s.window - 1} PRECEDING AND CURRENT ROW"
            outs.append(
                f"sum(COALESCE(agg.{c}, 0.0)) OVER "
                f"(PARTITION BY {part} ORDER BY g.p {frame}) AS {_q(s.name)}"
            )
        else:
            outs.append(f"COALESCE(agg.{c}, 0.0) AS {_q(s.name)}")
    grid = _grid(rec, by, g0, p1)
    by_sql = "".join(f", {_q(b)}" for b in by)
    names = ", ".join(f"CAST({_q(s.name)} AS DOUBLE) AS {_q(s.name)}" for s in items)
    sql = f"""
        WITH b AS MATERIALIZED ({base}),
        ev AS ({" UNION ALL ".join(parts)}),
        agg AS (
            SELECT {keys}, p, {sums}
            FROM (SELECT {keys}, p, m, sum(dw) AS dw FROM ev WHERE p <= {p1} GROUP BY ALL)
            GROUP BY ALL
        ),
        res AS (
            SELECT g.*, {", ".join(outs)}
            FROM ({grid}) g LEFT JOIN agg USING ({keys}, p)
        )
        SELECT uCode, {P.label_sql("p", period)} AS Time{by_sql}, {names}
        FROM res WHERE p BETWEEN {p0} AND {p1}
        ORDER BY uCode, p{by_sql}
    """
    out = rec.con.sql(sql).df()
    for s in items:  # running sums: no −0.0 / 1e−17 residue
        out[s.name] = out[s.name].round(12) + 0.0
    return out


def _rates_wide(
    rec: Records,
    items: Sequence[Series],
    period: str,
    p0: int,
    p1: int,
    window: int | None = None,
) -> pd.DataFrame:
    """Counts and rates, each placed by its measure's date column, in one scan (one
    grouping set per date column); a rate with an empty denominator is missing. Rates
    also get ``<name>__num`` and ``<name>__den``. ``window``: numerators and denominators
    summed over the last ``window`` periods."""
    dates = list(dict.fromkeys(s.measure.date for s in items))
    lead = int(window) - 1 if window else 0
    lo = p0 - lead
    idx = [P.index_sql(d, period) for d in dates]
    vals = []
    for i, s in enumerate(items):
        num = s.num or s.measure.num
        vals.append(f"CASE WHEN {s.cond} THEN {num} ELSE 0 END AS _n{i}")
        vals.append(f"CASE WHEN {s.cond} THEN {s.measure.den or '1'} ELSE 0 END AS _e{i}")
    ps = [f"_p{j}" for j in range(len(dates))]
    sums = ", ".join(f"sum(_n{i}) AS _n{i}, sum(_e{i}) AS _e{i}" for i in range(len(items)))
    sql = f"""
        SELECT uCode, {", ".join(f"{p}, GROUPING({p}) AS _g{j}" for j, p in enumerate(ps))},
            {sums}
        FROM (
            SELECT uCode, {", ".join(f"{x} AS {p}" for x, p in zip(idx, ps, strict=True))},
                {", ".join(vals)}
            FROM {rec.view}
            WHERE {" OR ".join(f"{x} BETWEEN {lo} AND {p1}" for x in idx)}
        )
        GROUP BY GROUPING SETS ({", ".join(f"(uCode, {p})" for p in ps)})
    """
    agg = rec.con.sql(sql).df()
    units, n_p = rec.all_units(), p1 - p0 + 1 + lead
    grid = pd.MultiIndex.from_product([units, range(lo, p1 + 1)], names=["uCode", "p"])
    out = _grid_frame(rec, period, p0, p1)
    for j, date in enumerate(dates):
        mine = [(i, s) for i, s in enumerate(items) if s.measure.date == date]
        cols = [f"_{x}{i}" for i, _ in mine for x in "ne"]
        part = agg[(agg[f"_g{j}"] == 0) & agg[f"_p{j}"].between(lo, p1)]
        part = part.assign(p=part[f"_p{j}"].astype(int)).set_index(["uCode", "p"])[cols]
        full = part.reindex(grid).astype(float).fillna(0.0)
        if lead:  # rolling sums along each unit's periods (rows unit-major, periods in order)
            arr = full.to_numpy().reshape(len(units), n_p, -1)
            csum = np.concatenate([np.zeros_like(arr[:, :1]), arr.cumsum(axis=1)], axis=1)
            arr = csum[:, lead + 1 :] - csum[:, : n_p - lead]
            full = pd.DataFrame(arr.reshape(-1, arr.shape[2]), columns=full.columns)
        for i, s in mine:
            n = pd.Series(full[f"_n{i}"].to_numpy(), index=out.index)
            d = pd.Series(full[f"_e{i}"].to_numpy(), index=out.index)
            if s.measure.is_rate:
                out[s.name] = n / d.where(d > 0)
                out[f"{s.name}__num"], out[f"{s.name}__den"] = n, d
            else:
                out[s.name] = n
    return out


def measure_table(
    rec: Records,
    measure: str,
    period: str = "month",
    *,
    start: Any = None,
    end: Any = None,
    filter: Mapping[str, Any] | None = None,
    where: Mapping[str, Any] | None = None,
    rules: Mapping[str, Any] | None = None,
    window: int | None = None,
    framework: Any = None,
) -> pd.DataFrame:
    """One measure of :data:`MEASURES` per unit and period: ``uCode, Time, value``
    (and ``numerator``, ``denominator`` for rates). ``where`` defines the numerator
    of ``share`` ({column: values})."""
    s = series(rec, "value", measure, filter=filter, where=where, window=window)
    p0, p1 = _range(rec, period, start, end, s.cond, date=s.measure.date)
    out = table(rec, [s], period, p0, p1, rules=rules, framework=framework)
    return out.rename(columns={"value__num": "numerator", "value__den": "denominator"})


# ------------------------------------------------------------------ helpers
def _range(
    rec: Records, period: str, start: Any, end: Any, where: str, date: str = "decided"
) -> tuple[int, int]:
    if start is None or end is None:
        lo, hi = rec.con.execute(
            f"SELECT min({date}), max({date}) FROM {rec.view} WHERE {where}"
        ).fetchall()[0]
        if lo is None and (start is None or end is None):
            lo, hi = rec.con.execute(f"SELECT min({date}), max({date}) FROM {rec.view}").fetchall()[
                0
            ]
    else:
        lo = hi = None
    first = None if lo is None else P.of_date(lo, period)
    last = None if hi is None else P.of_date(hi, period)
    return P.span(start, end, first, last, period)


def _check_by(rec: Records, by: list[str]) -> None:
    problems = ProblemList()
    report_unknown(
        by, [c for c in rec.columns if c != "uCode"], problems, what="column", source="by"
    )
    problems.raise_if_any("分组列有误 / invalid by columns")


def _grid_frame(rec: Records, period: str, p0: int, p1: int) -> pd.DataFrame:
    """Every unit × period label in [p0, p1], in order."""
    idx = pd.MultiIndex.from_product(
        [rec.all_units(), [P.label(p, period) for p in range(p0, p1 + 1)]],
        names=["uCode", "Time"],
    )
    return idx.to_frame(index=False)


def _grid(rec: Records, by: list[str], p0: int, p1: int) -> str:
    """SQL: every unit × period in [p0, p1] × by-value (allowed codes, or values present)."""
    units = ", ".join(f"({_lit(u)})" for u in rec.all_units()) or "(NULL)"
    sql = f"SELECT u.uCode, p.p FROM (VALUES {units}) u(uCode), range({p0}, {p1 + 1}) p(p)"
    for col in by:
        allowed = rec.kind.column(col).codes if col in rec.kind.names else []
        if allowed:
            vals = ", ".join(f"({_lit(v)})" for v in allowed)
            src = f"(SELECT * FROM (VALUES {vals}) t({_q(col)}))"
        else:
            src = f"(SELECT DISTINCT {_q(col)} FROM {rec.view})"
        sql = f"SELECT g.*, v.{_q(col)} FROM ({sql}) g, {src} v"
    return sql
