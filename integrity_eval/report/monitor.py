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
  expected count and upper limit (a code unsafe as a file name gets the unit reports'
  safe name plus hash), and ``charts/overview.png`` (all units);
* ``report.html`` and ``report.pdf`` — the monthly monitoring and early-warning
  report a person reads (月度监测预警报告, ``002_93c988d6af699336.txt`` §三.(二):
  按月度发布监测结果和预警报告): cover with month, framework and agency, summary,
  the warnings with their evidence records, the charts, and the method in words
  (:func:`integrity_eval.monitor.describe`); rendered from ``monitor.html.j2``
  (which extends ``base.html.j2``) like the evaluation reports, with the CJK font
  subset in ``fonts/``.

Charts carry Chinese and English labels in the CJK font of
:func:`integrity_eval.report.fonts.resolve_font`. Values only, never formulas
(:func:`io.write_cell`).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from .._version import __version__
from ..io import atomic_output_dir, csv_safe, write_cell
from .fonts import ResolvedFont, names_to_check, resolve_font, warn_missing_glyphs
from .method import citer
from .text import RECORD_COLUMNS, RECORD_VALUES, tr
from .write import _file_names

__all__ = ["HEADERS", "monitor_content", "write_monitoring"]

MONTH_CHART_UNITS = 40  # the month's chart shows at most this many units (smallest p first)

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
    "warned": "预警 / Warned",
}


def write_monitoring(
    out: str | Path,
    *,
    warnings: pd.DataFrame,
    counts: pd.DataFrame,
    evidence: pd.DataFrame | None = None,
    units: pd.DataFrame | None = None,
    framework: Any = None,
    synthetic: bool = False,
    lang: str = "zh",
    agency: str | None = None,
    pdf: bool = True,
    font: str | Path | None = None,
    rejected: pd.DataFrame | None = None,
    assessment: pd.DataFrame | None = None,
    months_shown: int = 24,
) -> Path:
    """Write the monitoring report of ``warnings.attrs["month"]`` to the new folder ``out``.

    ``warnings``: :func:`integrity_eval.monitor.warnings`' result; ``counts``: the
    long count table it was given; ``evidence``: the records behind the warnings
    (rows with ``record_id``); ``units``: optional ``uCode, uName`` (``uName_en``
    for ``lang="en"``); ``framework``: the Framework monitored (its title heads the
    report); ``synthetic``: label every page 合成数据 / synthetic; ``lang``:
    ``"zh"`` or ``"en"``; ``agency``: the monitoring agency on the cover; ``pdf=False``
    skips the PDF; ``font``: a CJK font file (default:
    :func:`~integrity_eval.report.fonts.resolve_font`); ``rejected``: invalid rows
    skipped on reading, written as ``rejected_records.csv``; ``assessment``: the count
    model's result for every unit (:func:`integrity_eval.monitor.assess`), written as
    ``all_units.csv`` and shown in the report as the month's results by unit.
    """
    month = str(warnings.attrs.get("month", counts["Time"].max()))
    names = _names(units, lang)
    warn = warnings.copy()
    zh_names = _names(units, "zh")
    warn.insert(1, "uName", [zh_names.get(str(c), "") for c in warn["uCode"]])
    flat = warn.assign(evidence=warn["evidence"].map(lambda ids: "; ".join(map(str, ids))))
    resolved = resolve_font(font)
    warn_missing_glyphs(names_to_check(names, framework), resolved)  # drawn as □, never lost
    charts = _charts(warn, counts, month, months_shown, names, resolved, lang)
    table = None
    if assessment is not None:
        charts["all_units"] = _month_chart(assessment, month, names, resolved, lang)
        table = _by_p(assessment)
        table.insert(1, "uName", [zh_names.get(str(c), "") for c in table["uCode"]])
    ctx = monitor_content(
        warnings,
        counts,
        evidence,
        assessment=assessment,
        names=names,
        framework=framework,
        lang=lang,
        agency=agency,
        synthetic=synthetic,
        charts=charts,
        months_shown=months_shown,
    )
    title = "" if framework is None else f"{_title(framework, 'zh')} / {_title(framework, 'en')}"
    out = Path(out)
    with atomic_output_dir(out) as tmp:
        _csv(flat, tmp / "warnings.csv")
        _csv(counts, tmp / "counts.csv")
        if evidence is not None:
            _csv(evidence, tmp / "evidence.csv")
        if rejected is not None:
            _csv(rejected, tmp / "rejected_records.csv")
        if assessment is not None:
            _csv(table, tmp / "all_units.csv")
        (tmp / "charts").mkdir()
        for name, png in charts.items():
            (tmp / "charts" / f"{name}.png").write_bytes(png)
        _workbook(
            tmp / "monitoring.xlsx",
            flat,
            counts,
            evidence,
            warnings.attrs,
            title,
            synthetic,
            table,
        )
        _report(tmp, ctx, resolved, pdf=pdf)
    return out


def _names(units: pd.DataFrame | None, lang: str) -> dict[str, str]:
    if units is None:
        return {}
    col = "uName_en" if lang == "en" and "uName_en" in units else "uName"
    if col not in units:
        return {}
    return {
        str(c): str(n)
        for c, n in zip(units["uCode"], units[col], strict=False)
        if isinstance(n, str) and n.strip()
    }


def _title(framework: Any, lang: str) -> str:
    return (framework.title_en if lang == "en" else framework.title_zh) or framework.name


def _report(folder: Path, ctx: dict[str, Any], font: ResolvedFont, *, pdf: bool) -> None:
    """``report.html`` (+ ``report.pdf``) in ``folder``, with the font subset in ``fonts/``
    as the evaluation reports have it (:mod:`.write`)."""
    from .render import render_pdf
    from .write import FONT_FILE, render_pages, write_font_folder

    html = render_pages({"report": ("monitor.html.j2", ctx, "fonts/" + FONT_FILE)}, font)["report"]
    fonts = write_font_folder(folder, font, html, ctx["lang"])
    (folder / "report.html").write_text(html, encoding="utf-8")
    if pdf:
        render_pdf(html, folder / "report.pdf", base=folder, roots=[fonts])


# ------------------------------------------------------------------ content
def monitor_content(
    warnings: pd.DataFrame,
    counts: pd.DataFrame,
    evidence: pd.DataFrame | None = None,
    *,
    assessment: pd.DataFrame | None = None,
    names: Mapping[str, str] | None = None,
    framework: Any = None,
    lang: str = "zh",
    agency: str | None = None,
    synthetic: bool = False,
    charts: Mapping[str, bytes] | None = None,
    months_shown: int = 24,
) -> dict[str, Any]:
    """What the monitoring report says, as plain data (the template lays it out).

    Keys: the cover (``framework_title``, ``month``, ``agency``, ``date``), ``summary``
    (units monitored, warnings, units warned, warnings by rule), ``warnings`` (one
    row per warning, numbers formatted), ``units`` (per warned unit: title, chart,
    evidence records with the warnings each supports), ``method`` (paragraphs of
    :func:`integrity_eval.monitor.describe`) and ``provenance``.
    """
    from ..monitor import RULES, describe
    from .figures import data_uri

    names = dict(names or {})
    charts = dict(charts or {})
    attrs = warnings.attrs
    month = str(attrs.get("month", counts["Time"].max()))
    i = 1 if lang == "en" else 0
    sep = ", " if lang == "en" else "、"

    def name(code: Any) -> str:
        return names.get(str(code), str(code))

    def rule(r: str) -> str:
        return RULES[r].split(" / ", 1)[i]

    rows = [
        {
            "code": str(w.uCode),
            "name": name(w.uCode),
            "rule": rule(w.rule),
            "observed": _fmt(w.observed, "count"),
            "expected": _fmt(w.expected, "expected"),
            "upper": _fmt(w.upper_limit, "count"),
            "p": _p_words(w.p_value, lang),
        }
        for w in warnings.itertuples(index=False)
    ]
    by_rule = [
        {"rule": rule(r), "n": len(g), "units": sep.join(name(u) for u in g["uCode"].unique())}
        for r in RULES
        if len(g := warnings[warnings["rule"] == r])
    ]
    monitored = counts.loc[counts["Time"].astype(str) == month, "uCode"].astype(str).nunique()
    fw_title = "—" if framework is None else _title(framework, lang)
    return {
        "lang": lang,
        "html_lang": "en" if lang == "en" else "zh-CN",
        "t": lambda key, **kw: tr(key, lang, **kw),
        "framework_title": fw_title,
        "framework_name": "—" if framework is None else framework.name,
        "basis": _basis(framework, lang),
        "month": month,
        "agency": agency or tr("agency_unset", lang),
        "date": _dt.date.today().isoformat(),
        "synthetic": synthetic,
        "months_shown": months_shown,
        "summary": {
            "n_units": monitored,
            "n_warnings": len(warnings),
            "n_units_warned": warnings["uCode"].nunique(),
            "by_rule": by_rule,
        },
        "warnings": rows,
        "all_units": None
        if assessment is None
        else [
            {
                "code": str(r.uCode),
                "name": name(r.uCode),
                "observed": _fmt(r.observed, "count"),
                "expected": _fmt(r.expected, "expected"),
                "upper": _fmt(r.upper_limit, "count"),
                "p": _p_words(r.p_value, lang),
                "warned": bool(r.warned),
            }
            for r in _by_p(assessment).itertuples(index=False)
        ],
        "all_units_img": data_uri(charts["all_units"]) if "all_units" in charts else None,
        "all_units_shown": min(MONTH_CHART_UNITS, 0 if assessment is None else len(assessment)),
        "evidence_head": [
            *(RECORD_COLUMNS[c][i] for c in ("record_id", "decided", "source", "category")),
            RECORD_COLUMNS["severity"][i],
            tr("mon_for_rules", lang),
        ],
        "units": _unit_sections(warnings, evidence, name, charts, lang),
        "overview_img": data_uri(charts["overview"]) if "overview" in charts else None,
        "method": describe(attrs, lang),
        "provenance": _provenance(attrs, lang),
    }


def _unit_sections(
    warnings: pd.DataFrame,
    evidence: pd.DataFrame | None,
    name: Any,
    charts: Mapping[str, bytes],
    lang: str,
) -> list[dict[str, Any]]:
    """Per warned unit: its title, chart and evidence records (each with the warnings it
    supports); debtor-list entries (not records) as notes."""
    from ..records.schema import CATEGORIES
    from .figures import data_uri

    i = 1 if lang == "en" else 0
    sep = ", " if lang == "en" else "、"
    stems = _chart_names(warnings["uCode"].unique())
    ev = evidence if evidence is not None else pd.DataFrame(columns=["record_id"])
    by_id = ev.assign(record_id=ev["record_id"].astype(str)).set_index("record_id")
    out = []
    for code, g in warnings.groupby("uCode", sort=True):
        supports: dict[str, list[str]] = {}
        notes: list[str] = []
        for w in g.itertuples(index=False):
            for rid in map(str, w.evidence):
                if rid in by_id.index:
                    supports.setdefault(rid, []).append(tr(f"mon_rule_{w.rule}", lang))
                elif w.rule == "debtors":  # "listed YYYY-MM-DD" (monitor._debtors)
                    notes.append(rid.removeprefix("listed").strip() or "—")
        recs = by_id.loc[list(supports)].reset_index()
        if len(recs):
            recs = recs.sort_values(["decided", "record_id"], kind="stable")
        records = [
            [
                r.record_id,
                pd.Timestamp(r.decided).date().isoformat(),
                RECORD_VALUES.get(r.source, (r.source, r.source))[i],
                f"{int(r.category)} {CATEGORIES[int(r.category)][i]}",
                RECORD_VALUES.get(r.severity, (r.severity, r.severity))[i],
                sep.join(supports[r.record_id]),
            ]
            for r in recs.itertuples(index=False)
        ]
        rules = sep.join(tr(f"mon_rule_{r}", lang) for r in g["rule"])
        label = f"{name(code)} ({code})" if lang == "en" else f"{name(code)}（{code}）"
        png = charts.get(stems[str(code)])
        out.append(
            {
                "code": str(code),
                "name": name(code),
                "title": f"{label} — {rules}",
                "chart": data_uri(png) if png else None,
                "model": bool((g["rule"] == "model").any()),
                "records": records,
                "notes": notes,
            }
        )
    return out


def _by_p(assessment: pd.DataFrame) -> pd.DataFrame:
    """Units with the most surprising counts first (p-value, then code)."""
    return assessment.sort_values(["p_value", "uCode"], kind="stable").reset_index(drop=True)


def _month_chart(
    assessment: pd.DataFrame,
    month: str,
    names: Mapping[str, str],
    font: ResolvedFont,
    lang: str = "zh",
) -> bytes:
    from .figures import month_chart

    top = _by_p(assessment).head(MONTH_CHART_UNITS)
    labels = [f"{names[c]} ({c})" if names.get(c) else c for c in top["uCode"].astype(str)]
    return month_chart(
        labels,
        top["observed"],
        top["expected"],
        top["upper_limit"],
        top["warned"],
        title=f"{month} 各单位计数与计数模型上限"
        if lang == "zh"
        else f"Counts and the model's upper limits, {month}",
        font=font,
        lang=lang,
    )


def _fmt(v: Any, kind: str) -> str:
    """Counts as whole numbers (weighted counts to 2 decimals), expected counts to 2
    decimals; missing as "—" (p-values are said in words: ``_p_words``)."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return "—"
    if not math.isfinite(f):
        return "—"
    if kind == "expected":
        return f"{f:.2f}"
    return f"{round(f, 2):g}"


def _p_words(p: Any, lang: str) -> str:
    """A p-value in words: how surprising the month's count is under the model."""
    try:
        f = float(p)
    except (TypeError, ValueError):
        return "—"
    if not math.isfinite(f):
        return "—"
    for cut in (0.001, 0.01):
        if f < cut:
            return tr("mon_p_high", lang, p=f"p < {cut:g}")
    if f < 0.05:
        return tr("mon_p_high", lang, p=f"p = {f:.3f}")
    return tr("mon_p_normal", lang, p=f"p = {f:.2f}")


def _basis(framework: Any, lang: str) -> str:
    """Why the report exists, citing the monitored framework's own document (its
    ``rating.monitoring.source``, else the framework's source) by title and number."""
    if framework is None:
        return tr("mon_basis_none", lang)
    monitoring = (framework.rating or {}).get("monitoring") or {}
    source = monitoring.get("source") or framework.source
    if not source:
        return tr("mon_basis_none", lang)
    return tr("mon_basis_doc", lang, source=citer(framework, None, lang)(source))


def _provenance(attrs: Mapping[str, Any], lang: str) -> list[tuple[str, str]]:
    family = {
        "poisson": ("泊松分布", "Poisson"),
        "negative_binomial": ("负二项分布", "negative binomial"),
    }
    i = 1 if lang == "en" else 0
    rows = [
        (tr("mon_month", lang), str(attrs.get("month", "—"))),
        (tr("mon_alpha", lang), f"{attrs.get('alpha', '—')}"),
    ]
    if "family" in attrs:
        rows += [
            (tr("mon_family", lang), family[attrs["family"]][i]),
            (tr("mon_history", lang), str(attrs.get("history", "—"))),
        ]
    rows += [
        (tr("version", lang), f"integrity-eval {__version__}"),
        (tr("mon_generated", lang), _dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S")),
    ]
    return rows


def _csv(df: pd.DataFrame, path: Path) -> None:
    df.map(csv_safe).to_csv(path, index=False, encoding="utf-8-sig")


def _charts(
    warn: pd.DataFrame,
    counts: pd.DataFrame,
    month: str,
    n: int,
    names: Mapping[str, str],
    font: ResolvedFont,
    lang: str = "zh",
) -> dict[str, bytes]:
    """PNG charts by file stem: ``overview`` (all units) and one per warned unit."""
    from .figures import count_chart

    months = sorted(t for t in counts["Time"].astype(str).unique() if t <= month)[-n:]
    sub = counts[counts["Time"].astype(str).isin(months)]
    total = sub.groupby("Time")["value"].sum().reindex(months)
    title = (
        f"全部单位：截至 {month} 的月度记录数"
        if lang == "zh"
        else f"All units: monthly count up to {month}"
    )
    out = {"overview": count_chart(months, total.to_numpy(), title=title, font=font, lang=lang)}
    stems = _chart_names(warn["uCode"].unique())
    for u, g in warn.groupby("uCode", sort=True):
        series = sub[sub["uCode"].astype(str) == str(u)].set_index("Time")["value"]
        model = g[g["rule"] == "model"]
        name = f"{names[str(u)]} ({u})" if names.get(str(u)) else str(u)
        out[stems[str(u)]] = count_chart(
            months,
            series.reindex(months).to_numpy(),
            title=f"{name}：{month} 预警" if lang == "zh" else f"{name}: warned in {month}",
            font=font,
            lang=lang,
            expected=float(model["expected"].iloc[0]) if len(model) else None,
            upper=float(model["upper_limit"].iloc[0]) if len(model) else None,
        )
    return out


def _chart_names(codes: Iterable[Any]) -> dict[str, str]:
    """``charts/<name>.png`` of each warned unit (issue 20: ``a/b`` and ``a_b`` once shared
    a file): the unit reports' safe, distinct file names (:func:`.write.safe_filename`,
    code's SHA-1 appended whenever the name had to change or names differ only in case);
    never ``overview`` or ``all_units``."""
    names = _file_names([str(c) for c in codes])
    return {
        c: f"{n}-{hashlib.sha1(c.encode('utf-8')).hexdigest()[:8]}"
        if n.lower() in ("overview", "all_units")
        else n
        for c, n in names.items()
    }


def _workbook(
    path: Path,
    warn: pd.DataFrame,
    counts: pd.DataFrame,
    evidence: pd.DataFrame | None,
    attrs: Mapping[str, Any],
    title: str,
    synthetic: bool,
    assessment: pd.DataFrame | None = None,
) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from ..monitor import describe

    wb = Workbook()
    ws = wb.active
    ws.title = "说明 README"
    lines = [
        ("月度监测预警报告 / Monthly monitoring and early-warning report", title),
        ("月份 / Month", attrs.get("month", "")),
        ("预警数 / Warnings", len(warn)),
        ("显著性水平 / alpha", attrs.get("alpha", "")),
        ("模型 / Model", attrs.get("method", "—")),
        ("方法 / Method", " ".join(describe(attrs, "zh"))),
        ("Method", " ".join(describe(attrs, "en"))),
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
        write_cell(ws, i, 2, v).alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 42
    ws.column_dimensions["B"].width = 90
    _sheet(wb, "预警 Warnings", warn)
    if assessment is not None:
        _sheet(wb, "全部单位 All units", assessment)
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
