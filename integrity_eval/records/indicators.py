"""A framework's record-based indicators → iData for :func:`integrity_eval.build`.

An indicator names its source in the framework (node key ``records``)::

    - code: M1_court_judgments
      records: {kind: breach, measure: active, filter: {source: court}}
    - code: D13_hotline_on_time
      records: {kind: ticket, measure: on_time_rate, filter: {channel: "12345"}}
    - code: W1_illegal_approvals            # points: 1 point per record, capped at max
      records: {kind: breach, measure: new, filter: {category: 4}, scale: 1}

:func:`indicators` computes every such indicator per unit and period with
:func:`.counts.measure_table` (breach measures under the display rule), on one
common grid of units × periods, multiplies by ``scale`` and clips to the node's
``min``/``max``. Denominators (per 10,000 people, per 100 staff) are *not*
applied here: the framework's ``denominator`` columns are copied from ``units``
or ``reported`` and :func:`~integrity_eval.build` divides, so the Raw dataset
keeps the counts. Indicators without a ``records`` source (surveys, scores,
yes/no items) are taken from ``reported`` (the agency's reported iData, e.g. a
filled data-collection template), matched on ``uCode`` and ``Time`` (or on
``uCode`` alone when ``reported`` has no ``Time``); without ``reported`` they
are absent and listed in ``attrs["not_from_records"]`` (as are record-based
indicators whose kind of records was not given).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..errors import ProblemList
from ..framework import Framework, load_framework
from . import periods as P
from .counts import MEASURES, series, table
from .read import Records

__all__ = ["indicators", "record_sources"]


def record_sources(framework: Framework | str) -> dict[str, dict[str, Any]]:
    """``{indicator code: records block}`` for the framework's record-based indicators.

    The framework stores each node's ``records:`` mapping as written; here each names a
    record kind and measure this module computes (:data:`.counts.MEASURES`), or the whole
    list of unknown ones is one error naming the framework and the indicators.
    """
    fw = load_framework(framework)
    sources = {c: dict(fw[c].records) for c in fw.indicators if fw[c].records}
    problems = ProblemList()
    for code, src in sources.items():
        key = (src.get("kind"), src.get("measure"))
        if key not in MEASURES:
            known = sorted(f"{k}/{m}" for k, m in MEASURES)
            problems.add(
                f"未知的记录类型/度量 / unknown record kind/measure; expected one of {known}",
                source=f"framework {fw.name}",
                row=code,
                column="records",
                value=f"{key[0]}/{key[1]}",
            )
    problems.raise_if_any("框架的记录来源无效 / invalid records sources in the framework")
    return sources


def indicators(
    framework: Framework | str,
    records: Mapping[str, Records],
    period: str = "month",
    *,
    start: Any = None,
    end: Any = None,
    units: pd.DataFrame | None = None,
    reported: pd.DataFrame | None = None,
    rules: Mapping[str, Any] | None = None,
    window: int | None = None,
) -> pd.DataFrame:
    """iData (``uCode, [uName], Time, [groups], [denominators], indicators``) from records.

    ``records``: ``{kind: Records}`` (:func:`.read.read`). ``period``: ``month``,
    ``quarter`` or ``year``; ``start``/``end``: period labels or dates (default:
    the span of all records). ``units``: a table with ``uCode`` and optionally
    ``uName``, the framework's group and denominator columns (every listed unit
    gets a row, zeros included). ``reported``: iData for the indicators not
    computed from records. ``rules``: display-rule overrides (the framework's
    ``records:`` block applies first). ``window``: rolling windows of that many
    periods (e.g. 12 months, as the national city credit monitoring) for every
    measure but the ``active`` breach stock.
    """
    fw = load_framework(framework)
    sources = record_sources(fw)
    problems = ProblemList()
    for kind, rec in records.items():
        if not isinstance(rec, Records) or rec.kind.name != kind:
            problems.add(
                "应为 ie.records.read(..., kind=…) 的结果 / expected Records of this kind",
                source="records",
                row=kind,
            )
    problems.raise_if_any("无法计算指标 / cannot compute indicators from records")
    p0, p1 = _span(records, period, start, end)
    unit_codes = sorted(
        {*(u for r in records.values() for u in r.all_units())}
        | (set(units["uCode"].astype(str)) if units is not None else set())
    )
    grid = pd.MultiIndex.from_product(
        [unit_codes, [P.label(p, period) for p in range(p0, p1 + 1)]], names=["uCode", "Time"]
    )
    cols: dict[str, pd.Series] = {}
    for kind, rec in records.items():
        mine = {c: src for c, src in sources.items() if src["kind"] == kind}
        if not mine:
            continue
        items = [
            series(
                rec,
                code,
                src["measure"],
                filter=src.get("filter"),
                where=src.get("where"),
                window=src.get("window"),
            )
            for code, src in mine.items()
        ]
        tab = table(rec, items, period, p0, p1, rules=rules, framework=fw, window=window)
        tab = tab.set_index(["uCode", "Time"]).reindex(grid)
        for code, src in mine.items():
            values = tab[code]
            if not MEASURES[(kind, src["measure"])].is_rate:
                values = values.fillna(0.0)  # a unit without records of this kind: none counted
            values = values * float(src.get("scale", 1))
            node = fw[code]
            if node.min is not None or node.max is not None:
                values = values.clip(lower=node.min, upper=node.max)
            cols[code] = values
    cols = {c: cols[c] for c in sources if c in cols}  # framework order
    out = pd.DataFrame(cols, index=grid).reset_index()
    out = _attach(out, fw, units, reported, list(cols))
    missing = [c for c in fw.indicators if c not in out.columns]
    out.attrs["not_from_records"] = missing
    out.attrs["period"] = period
    return out


def _span(records: Mapping[str, Records], period: str, start: Any, end: Any) -> tuple[int, int]:
    lows, highs = [], []
    for rec in records.values():
        col = rec.kind.time_column
        lo, hi = rec.con.execute(f"SELECT min({col}), max({col}) FROM {rec.view}").fetchall()[0]
        if lo is not None:
            lows.append(P.of_date(lo, period))
            highs.append(P.of_date(hi, period))
    return P.span(start, end, min(lows, default=None), max(highs, default=None), period)


def _attach(
    out: pd.DataFrame,
    fw: Framework,
    units: pd.DataFrame | None,
    reported: pd.DataFrame | None,
    computed: list[str],
) -> pd.DataFrame:
    """Add uName (and uName_en), groups and denominators from ``units``, other indicators
    from ``reported``."""
    aux = ["uName", "uName_en", *(g.code for g in fw.groups), *(d.code for d in fw.denominators)]
    if units is not None:
        keep = ["uCode", *(c for c in aux if c in units.columns)]
        u = units[keep].assign(uCode=units["uCode"].astype(str))
        out = out.merge(u, on="uCode", how="left")
    if reported is not None:
        rep = reported.copy()
        rep["uCode"] = rep["uCode"].astype(str)
        take = [
            c
            for c in rep.columns
            if c in fw.indicators + aux and c not in computed and c not in out
        ]
        on = ["uCode"]
        if "Time" in rep.columns:
            rep["Time"] = rep["Time"].astype(str)
            on.append("Time")
        out = out.merge(rep[on + take], on=on, how="left")
    ids = ["uCode", "uName", "uName_en", "Time"]
    first = [c for c in ids if c in out.columns]
    extra = [c for c in aux if c in out.columns and c not in ids]
    inds = [c for c in fw.indicators if c in out.columns]
    return out[first + extra + inds]
