"""The monthly monitoring report (docs/records.md): warnings, evidence, counts, trend charts.

:func:`write_monitoring` writes into a new folder, atomically (nothing appears
unless everything was written):

* ``warnings.csv`` — one row per warning (uCode, Time, rule, observed, expected,
  upper limit, p-value, evidence record ids joined by ``;``);
* ``evidence.csv`` — the records behind the warnings, one row per record;
* ``counts.csv`` — the monthly counts the model saw (uCode, Time, value);
* ``monitoring.xlsx`` — the same with Chinese and English headers, a README
  sheet (method, model, synthetic-data notice) and the model's description;
* ``charts/<uCode>.png`` — each warned unit's monthly counts with the month's
  expected count and upper limit, and ``charts/overview.png`` (all units).

Charts carry Chinese and English labels in the CJK font of
:func:`integrity_eval.report.fonts.resolve_font`. Values only, never formulas
(:func:`io.write_cell`).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from .._version import __version__
from ..io import atomic_output_dir, csv_safe, write_cell

__all__ = ["HEADERS", "write_monitoring"]

HEADERS = {
    "uCode": "单位代码 / Unit",
    "uName": "单位名称 / Name",
    "Time": "月份 / Month",
    "rule": "预警规则 / Rule",
    "rule_text": "规则说明 / Rule text",
    "observed": "实际数 / Observed",
    "expected": "期望数 / Expected",
    "upper_limit": "上限 / Upper limit",
    "p_value": "p 值 / p-value",
    "evidence": "证据（记录编号）/ Evidence (record ids)",
    "value": "计数 / Count",
    "record_id": "记录编号 / Record id",
    "decided": "认定日期 / Decided",
    "source": "来源 / Source",
    "category": "失信行为类别 / Category",
    "severity": "严重程度 / Severity",
}


def write_monitoring(
    out: str | Path,
    *,
    warnings: pd.DataFrame,
    counts: pd.DataFrame,
    evidence: pd.DataFrame | None = None,
    units: pd.DataFrame | None = None,
    title: str = "",
    synthetic: bool = False,
    months_shown: int = 24,
) -> Path:
    """Write the monitoring report of ``warnings.attrs["month"]`` to the new folder ``out``.

    ``warnings``: :func:`integrity_eval.monitor.warnings`' result; ``counts``: the
    long count table it was given; ``evidence``: the records behind the warnings
    (rows with ``record_id``); ``units``: optional ``uCode, uName``.
    """
    month = str(warnings.attrs.get("month", counts["Time"].max()))
    names = (
        dict(zip(units["uCode"].astype(str), units["uName"], strict=False))
        if units is not None and "uName" in units
        else {}
    )
    warn = warnings.copy()
    warn.insert(1, "uName", warn["uCode"].map(names).fillna(""))
    flat = warn.assign(evidence=warn["evidence"].map(lambda ids: "; ".join(map(str, ids))))
    out = Path(out)
    with atomic_output_dir(out) as tmp:
        _csv(flat, tmp / "warnings.csv")
        _csv(counts, tmp / "counts.csv")
        if evidence is not None:
            _csv(evidence, tmp / "evidence.csv")
        (tmp / "charts").mkdir()
        _charts(tmp / "charts", warn, counts, month, months_shown, names)
        _workbook(tmp / "monitoring.xlsx", flat, counts, evidence, warnings.attrs, title, synthetic)
    return out


def _csv(df: pd.DataFrame, path: Path) -> None:
    df.map(csv_safe).to_csv(path, index=False, encoding="utf-8-sig")


def _charts(
    folder: Path,
    warn: pd.DataFrame,
    counts: pd.DataFrame,
    month: str,
    n: int,
    names: Mapping[str, str],
) -> None:
    from .figures import count_chart
    from .fonts import resolve_font

    font = resolve_font()
    months = sorted(t for t in counts["Time"].astype(str).unique() if t <= month)[-n:]
    sub = counts[counts["Time"].astype(str).isin(months)]
    total = sub.groupby("Time")["value"].sum().reindex(months)
    title = f"全部单位：截至 {month} 的月度记录数 / all units: monthly count up to {month}"
    png = count_chart(months, total.to_numpy(), title=title, font=font)
    (folder / "overview.png").write_bytes(png)
    for u, g in warn.groupby("uCode", sort=True):
        series = sub[sub["uCode"].astype(str) == str(u)].set_index("Time")["value"]
        model = g[g["rule"] == "model"]
        name = f"{names[str(u)]} ({u})" if names.get(str(u)) else str(u)
        png = count_chart(
            months,
            series.reindex(months).to_numpy(),
            title=f"{name}：{month} 预警 / warned in {month} ({', '.join(g['rule'])})",
            font=font,
            expected=float(model["expected"].iloc[0]) if len(model) else None,
            upper=float(model["upper_limit"].iloc[0]) if len(model) else None,
        )
        (folder / f"{_safe(str(u))}.png").write_bytes(png)


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)


def _workbook(
    path: Path,
    warn: pd.DataFrame,
    counts: pd.DataFrame,
    evidence: pd.DataFrame | None,
    attrs: Mapping[str, Any],
    title: str,
    synthetic: bool,
) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "说明 README"
    lines = [
        ("月度监测预警报告 / Monthly monitoring and early-warning report", title),
        ("月份 / Month", attrs.get("month", "")),
        ("预警数 / Warnings", len(warn)),
        ("显著性水平 / alpha", attrs.get("alpha", "")),
        ("模型 / Model", attrs.get("method", "—")),
        ("分布族 / Family", attrs.get("family", "—")),
        ("过度离散检验 p 值 / Overdispersion test p-value", attrs.get("overdispersion_pvalue", "")),
        ("历史月份 / History", attrs.get("history", "")),
        ("软件 / Software", f"integrity-eval {__version__}"),
        ("生成时间 / Written", _dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S")),
    ]
    if synthetic:
        lines.insert(
            1, ("合成数据 / SYNTHETIC", "本报告基于合成数据 / built from synthetic records")
        )
    for i, (k, v) in enumerate(lines, start=1):
        write_cell(ws, i, 1, k).font = Font(bold=True)
        write_cell(ws, i, 2, v)
    ws.column_dimensions["A"].width = 42
    ws.column_dimensions["B"].width = 90
    _sheet(wb, "预警 Warnings", warn)
    if evidence is not None:
        _sheet(wb, "证据 Evidence", evidence)
    wide = counts.pivot_table(index="uCode", columns="Time", values="value", aggfunc="sum")
    _sheet(wb, "月度计数 Counts", wide.reset_index())
    wb.save(path)


def _sheet(wb: Any, name: str, df: pd.DataFrame) -> None:
    from openpyxl.styles import Font

    ws = wb.create_sheet(name)
    for j, col in enumerate(df.columns, start=1):
        write_cell(ws, 1, j, HEADERS.get(str(col), str(col))).font = Font(bold=True)
    for i, row in enumerate(df.itertuples(index=False), start=2):
        for j, value in enumerate(row, start=1):
            write_cell(ws, i, j, None if _missing(value) else value)


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
