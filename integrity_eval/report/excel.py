"""The two workbooks of a run: ``results.xlsx`` for the client, ``analysis.xlsx`` for the analyst.

``results.xlsx`` (:func:`write_results`): a cover sheet (title, period, client, agency,
framework, status, date, the grade edges and where they come from, what each sheet holds),
the league table, grades and veto rules (when rated) and each unit's indicators with
values, indicator scores and ranks among the rated units.

``analysis.xlsx`` (:func:`write_analysis`): a README sheet (the steps that ran, the
stages left out because they changed nothing, the indicators the settings excluded), every
stage's dataset that differs from the previous one (two header rows: names, then the codes
of the data file, so ``pandas.read_excel(path, sheet_name=…, header=1)`` reads them back),
screening and treatment detail, treated points, the framework with weights, uncertainty,
grade probabilities, units not rated and the run record.

Headers are Chinese (English with ``lang="en"``), from :mod:`.workbook_text`; rates
(0–1) are formatted as percentages, ranks as integers, scores to two decimals; columns
are as wide as their text (CJK counted double). Cells hold values only, never formulas:
every cell, headers included, goes through :func:`integrity_eval.io.excel_cell`, so text
such as ``=HYPERLINK(...)`` stays text. Files are written atomically.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

import numpy as np
import pandas as pd
from openpyxl.styles import Alignment, Font

from .._version import __version__
from ..io import atomic_write_path, excel_cell
from ..ranking import min_rank
from .content import rank_interval
from .method import citer, edges_source
from .tables import CSV_DECIMALS, dimension_codes, league_table, status_labels
from .text import unit_names
from .workbook_text import (
    STAGE_NAMES,
    display_width,
    is_rate,
    label,
    pick,
    record_label,
    record_value,
    sheet_about,
    sheet_title,
    unit_text,
    value_text,
)

if TYPE_CHECKING:  # pragma: no cover
    from ..evaluation import Evaluation

__all__ = [
    "DSETS",
    "INTEGER_FORMAT",
    "NUMBER_FORMAT",
    "PERCENT_FORMAT",
    "SCORE_FORMAT",
    "SYNTHETIC_NOTICE",
    "write_analysis",
    "write_results",
    "write_workbooks",
]

#: Stage datasets in pipeline order.
DSETS = ("Raw", "Denominated", "Imputed", "Screened", "Treated", "Normalised", "Aggregated")
SYNTHETIC_NOTICE = (
    "注意：本结果基于合成（模拟）数据，仅用于演示和测试，不代表任何真实地区或部门的表现。",
    "Note: these results use SYNTHETIC data, for demonstration and testing only; they do "
    "not describe any real district or department.",
)
NUMBER_FORMAT = "General"
SCORE_FORMAT = "0.00"
PERCENT_FORMAT = "0.00%"
INTEGER_FORMAT = "0"
MAX_WIDTH = 40
_STATUS = {"draft": ("征求意见稿", "Draft for comment"), "final": ("正式稿", "Final")}


class Cell(NamedTuple):
    """A value with its own number format (a column whose rows differ, e.g. values of
    rates and counts in one column)."""

    value: Any
    fmt: str


@dataclass
class Sheet:
    """One data sheet: ``key`` (see :data:`.workbook_text.SHEETS`), headers (one label
    per column), the column number formats, rows, and optionally a second header row of
    codes (``codes``) and how many leading columns stay in view (``frozen``)."""

    key: str
    headers: list[str]
    formats: list[str | None]
    rows: list[list[Any]]
    codes: list[str] | None = None
    frozen: int = 0
    about: str = ""
    notes: list[str] = field(default_factory=list)


def _t(zh: str, en: str, lang: str) -> str:
    return en if lang == "en" else zh


# ------------------------------------------------------------------ entry points
def write_workbooks(
    ev: Evaluation,
    folder: str | Path,
    *,
    agency: str | None = None,
    cover: Mapping[str, Any] | None = None,
    **options: Any,
) -> tuple[Path, Path]:
    """``folder/results.xlsx`` (:func:`write_results`, with ``agency`` and ``cover``) and
    ``folder/analysis.xlsx`` (:func:`write_analysis`); ``options`` (``lang``,
    ``synthetic``, ``manifest``, ``rated``, ``ua``, ``grade_probs``) go to both. Returns
    both paths."""
    folder = Path(folder)
    results = write_results(ev, folder / "results.xlsx", agency=agency, cover=cover, **options)
    return results, write_analysis(ev, folder / "analysis.xlsx", **options)


def write_results(
    ev: Evaluation,
    path: str | Path,
    *,
    lang: Literal["zh", "en"] = "zh",
    synthetic: bool | None = None,
    manifest: Mapping[str, Any] | None = None,
    rated: Any = None,
    ua: Any = None,
    grade_probs: pd.DataFrame | None = None,
    agency: str | None = None,
    cover: Mapping[str, Any] | None = None,
) -> Path:
    """Write the client's ``results.xlsx`` for ``ev`` to ``path`` (atomically).

    Sheets: cover, league table, grades and veto rules (with ``rated``), indicators.
    ``cover``: the engagement's cover (:meth:`integrity_eval.engagement.Engagement.cover`:
    ``title``, ``period``, ``client``, ``status``, ``edges_source``, ``citations``);
    ``agency``: the evaluating agency; ``ua``: adds the 90 % rank interval to the league
    table; ``synthetic``: whether the data are synthetic (default: the manifest's flag).
    ``grade_probs`` is accepted for symmetry and written to ``analysis.xlsx`` only.
    Returns the path.
    """
    del grade_probs  # the analyst's workbook holds them
    manifest, synthetic = _provenance(ev, manifest, synthetic)
    cover = dict(cover or {})
    sheets = [_league_sheet(ev, lang, rated, ua)]
    if rated is not None:
        sheets.append(_grades_sheet(ev, lang, rated))
        vetoes = _vetoes_sheet(ev, lang, rated, cover)
        if vetoes is not None:
            sheets.append(vetoes)
    sheets.append(_indicators_sheet(ev, lang))
    front = _cover_rows(ev, lang, rated, synthetic, agency, cover, sheets)
    return _save(path, "Cover", front, sheets, lang)


def write_analysis(
    ev: Evaluation,
    path: str | Path,
    *,
    lang: Literal["zh", "en"] = "zh",
    synthetic: bool | None = None,
    manifest: Mapping[str, Any] | None = None,
    rated: Any = None,
    ua: Any = None,
    grade_probs: pd.DataFrame | None = None,
) -> Path:
    """Write the analyst's ``analysis.xlsx`` for ``ev`` to ``path`` (atomically).

    Every stage dataset that differs from the previous one, screening and treatment
    detail, treated points, the framework with weights, uncertainty (``ua``), grade
    probabilities (``grade_probs``; grade names from ``rated.scheme``), units not rated
    and the run record (``manifest``, default ``ev.manifest``). Returns the path.
    """
    manifest, synthetic = _provenance(ev, manifest, synthetic)
    sheets, skipped = _stage_sheets(ev, lang)
    for make in (_screen_sheet, _treat_detail_sheet, _treated_points_sheet):
        s = make(ev, lang)
        if s is not None:
            sheets.append(s)
    sheets.append(_framework_sheet(ev, lang, {}))
    if ua is not None:
        sheets.append(_uncertainty_sheet(ev, lang, ua))
    if grade_probs is not None:
        sheets.append(_grade_probs_sheet(ev, lang, grade_probs, rated))
    if len(ev.unscored):
        sheets.append(_unscored_sheet(ev, lang))
    sheets.append(_manifest_sheet(manifest, lang))
    front = _readme_rows(ev, lang, synthetic, manifest, sheets, skipped)
    return _save(path, "README", front, sheets, lang)


# ------------------------------------------------------------------ shared facts
def _provenance(
    ev: Evaluation, manifest: Mapping[str, Any] | None, synthetic: bool | None
) -> tuple[dict[str, Any], bool]:
    """The run manifest (default ``ev.manifest``) and whether the data are synthetic
    (default: the manifest's flag)."""
    manifest = dict(ev.manifest if manifest is None else manifest)
    return manifest, bool(manifest.get("synthetic")) if synthetic is None else synthetic


def _is_points(ev: Evaluation) -> bool:
    method = (ev.spec.get("aggregate") or {}).get("method")
    methods = method if isinstance(method, list | tuple) else [method]
    return "points" in methods


def _grade_names(rated: Any, lang: str) -> dict[str, str]:
    scheme = getattr(rated, "scheme", None)
    bands = getattr(scheme, "bands", None) or []
    namer = getattr(scheme, "grade_name", None)
    return {str(g): (namer(g, lang) if namer else str(g)) for g, _ in bands}


def _num(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _text(x: Any) -> Any:
    """``None`` for a missing value (an empty cell, never the text "nan")."""
    if x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA:
        return None
    return x


def _yes_no(x: Any, lang: str) -> str | None:
    if _text(x) is None:
        return None
    return value_text("yes" if bool(x) else "no", lang)


def _cite(ev: Evaluation, text: str, cover: Mapping[str, Any], lang: str) -> str:
    """A source clause as the reports cite it (:func:`.method.citer`: the ``cover``'s
    ``citations`` and ``citations_en``, then the framework's), "；" between clauses in
    Chinese."""
    text = citer(ev.framework, cover, lang)(text)
    return text.replace("; ", "；") if lang == "zh" else text


def _rated_codes(ev: Evaluation) -> pd.Index:
    return ev.scores.index


# ------------------------------------------------------------------ results.xlsx
def _league_sheet(ev: Evaluation, lang: str, rated: Any, ua: Any) -> Sheet:
    table = league_table(ev, lang=lang, rated=rated, ua=ua)
    fw = ev.framework
    grades = _grade_names(rated, lang)
    first = ["rank", "uCode", "uName", "score"]
    extra = [c for c in ("grade", "stars", "veto", "rank_q05", "rank_q95") if c in table]
    dims = dimension_codes(ev)
    headers = [label(c, lang) for c in first]
    if _is_points(ev):
        headers[3] = label("points", lang)
    headers += [label(c, lang) for c in extra] + [fw[c].name(lang) for c in dims]
    headers.append(label("status", lang))
    int_cols = {"rank", "stars", "rank_q05", "rank_q95"}
    formats = [INTEGER_FORMAT if c in int_cols else None for c in first + extra]
    score_fmt = NUMBER_FORMAT if _is_points(ev) else SCORE_FORMAT  # points: whole numbers
    formats[3] = score_fmt
    formats += [score_fmt] * len(dims) + [None]
    veto = _veto_text(rated, lang) if rated is not None else {}
    rows = []
    for r in table.itertuples(index=False):
        d = r._asdict()
        row = [_text(d["rank"]), d["uCode"], _text(d["uName"]), _num(d["score"])]
        for c in extra:
            v = _text(d[c])
            if c == "grade" and v is not None:
                v = grades.get(str(v), v)
            if c == "veto":
                v = veto.get(str(d["uCode"])) or None
            row.append(v)
        row += [_num(d[c]) for c in dims]
        row.append(pick(d["status"], lang))
        rows.append(row)
    return Sheet("League", headers, formats, rows, frozen=3)


def _veto_text(rated: Any, lang: str) -> dict[str, str]:
    """uCode → the names of the veto rules that capped it, in ``lang``."""
    fired = getattr(rated, "fired", None)
    sep = "；" if lang == "zh" else "; "
    if isinstance(fired, pd.DataFrame) and {"rule_zh", "rule_en"} <= set(fired.columns):
        col = "rule_en" if lang == "en" else "rule_zh"
        return {str(u): sep.join(g[col]) for u, g in fired.groupby("uCode", sort=False)}
    veto = rated.table["veto"]
    return {str(u): pick(v, lang) for u, v in veto.items() if isinstance(v, str) and v}


def _grades_sheet(ev: Evaluation, lang: str, rated: Any) -> Sheet:
    t = rated.table
    names = unit_names(ev, lang)
    grades = _grade_names(rated, lang)
    veto = _veto_text(rated, lang)
    has_stars = "stars" in t.columns
    cols = ["uCode", "uName", "score", "grade_by_score", "veto", "final_grade"]
    headers = [label(c, lang) for c in cols]
    if _is_points(ev):
        headers[2] = label("points", lang)
    formats: list[str | None] = [None, None, SCORE_FORMAT, None, None, None]
    if has_stars:
        headers.append(label("stars", lang))
        formats.append(INTEGER_FORMAT)
    order = list(ev.ranks.sort_values(kind="stable").index) + [
        u for u in t.index if u not in ev.ranks.index
    ]
    rows = []
    for u in order:
        r = t.loc[u]
        by_score, final = _text(r["grade_by_score"]), _text(r["grade"])
        row = [
            str(u),
            names.get(str(u)),
            _num(r["score"]),
            None if by_score is None else grades.get(str(by_score), by_score),
            veto.get(str(u)) or None,
            None if final is None else grades.get(str(final), final),
        ]
        if has_stars:
            row.append(_text(r["stars"]))
        rows.append(row)
    return Sheet("Grades", headers, formats, rows, frozen=2)


def _vetoes_sheet(ev: Evaluation, lang: str, rated: Any, cover: Mapping[str, Any]) -> Sheet | None:
    scheme = getattr(rated, "scheme", None)
    vetoes = getattr(scheme, "vetoes", None) or ()
    if not vetoes:
        return None
    fw = ev.source_framework or ev.framework  # a veto may read an excluded indicator
    names = unit_names(ev, lang)
    grades = _grade_names(rated, lang)
    fired = getattr(rated, "fired", None)
    sep = "；" if lang == "zh" else "; "
    headers = [label(c, lang) for c in ("rule", "indicator", "condition", "cap", "basis")]
    headers += [label("n_fired", lang), label("fired", lang)]
    rows = []
    for v in vetoes:
        node = fw[v.indicator] if v.indicator in fw else None
        hits = (
            fired[(fired["indicator"] == v.indicator) & (fired["rule_zh"] == v.name_zh)]
            if isinstance(fired, pd.DataFrame) and len(fired)
            else pd.DataFrame(columns=["uCode", "value"])
        )
        shown = [
            f"{names.get(str(u), u)}（{_plain(x)}）"
            if lang == "zh"
            else f"{names.get(str(u), u)} ({_plain(x)})"
            for u, x in zip(hits["uCode"], hits["value"], strict=True)
        ]
        unit = unit_text(node.unit, lang) if node is not None else ""
        value = f"{100 * v.value:g}%" if unit == "%" else f"{v.value:g}"
        rows.append(
            [
                v.name(lang),
                node.name(lang) if node is not None else v.indicator,
                f"{v.op} {value}",
                grades.get(str(v.cap), v.cap),
                _cite(ev, v.source, cover, lang) or None,
                len(shown),
                sep.join(shown) or None,
            ]
        )
    formats: list[str | None] = [None] * 5 + [INTEGER_FORMAT, None]
    return Sheet("Vetoes", headers, formats, rows, frozen=1)


def _plain(x: Any) -> str:
    v = _num(x)
    return "—" if v is None else f"{v:g}"


def _indicators_sheet(ev: Evaluation, lang: str) -> Sheet:
    fw = ev.framework
    names = unit_names(ev, lang)
    raw = ev.get_dset("Raw")
    agg = ev.get_dset("Aggregated")
    inds = [c for c in fw.indicators if c in agg.columns]
    rated = [u for u in _rated_codes(ev) if u in agg.index]
    block = agg.loc[rated, inds].to_numpy(dtype=float)
    ranks = pd.DataFrame(min_rank(block, descending=True), index=rated, columns=inds)
    levels = list(range(fw.n_levels - 1, 1, -1))  # between the index and the indicators
    points = _is_points(ev)
    headers = [label("uCode", lang), label("uName", lang)]
    headers += [fw.level_label(lv, lang) for lv in levels]
    headers += [label(c, lang) for c in ("iCode", "indicator", "unit", "value")]
    headers += [label("norm_points" if points else "norm", lang), label("rank", lang)]
    headers.append(label("n_rated", lang))
    formats: list[str | None] = [None] * (2 + len(levels)) + [None, None, None, None]
    formats += [SCORE_FORMAT, INTEGER_FORMAT, INTEGER_FORMAT]
    ancestors = {c: _ancestors(fw, c) for c in inds}
    order = list(ev.ranks.sort_values(kind="stable").index) + [
        u for u in raw.index if u not in ev.ranks.index
    ]
    rows = []
    for u in order:
        for c in inds:
            node = fw[c]
            x = raw.at[u, c] if (u in raw.index and c in raw.columns) else np.nan
            rank = ranks.at[u, c] if u in ranks.index else np.nan
            row: list[Any] = [str(u), names.get(str(u))]
            row += [
                fw[ancestors[c][lv]].name(lang) if lv in ancestors[c] else None for lv in levels
            ]
            row += [
                c,
                node.name(lang),
                unit_text(node.unit, lang) or None,
                _value_cell(x, node, lang),
            ]
            norm = agg.at[u, c] if u in agg.index else None
            row += [_num(norm), None if np.isnan(rank) else int(rank), len(rated)]
            rows.append(row)
    return Sheet("Indicators", headers, formats, rows, frozen=2)


def _ancestors(fw: Any, code: str) -> dict[int, str]:
    out, node = {}, fw[code]
    while node.parent is not None:
        node = fw[node.parent]
        out[node.level] = node.code
    return out


def _value_cell(x: Any, node: Any, lang: str) -> Any:
    v = _num(x)
    if v is None:
        return None
    kind = (node.unit or "").split(" / ", 1)[0]
    if kind == "是否":
        return value_text("yes" if v >= 0.5 else "no", lang)
    if is_rate(node.unit):
        return Cell(v, PERCENT_FORMAT)
    return Cell(v, INTEGER_FORMAT if v.is_integer() else "0.00##")


def _cover_rows(
    ev: Evaluation,
    lang: str,
    rated: Any,
    synthetic: bool,
    agency: str | None,
    cover: Mapping[str, Any],
    sheets: Sequence[Sheet],
) -> list[tuple[list[Any], str]]:
    """The cover sheet: (cells, style) rows; style "title", "warn", "head" or ""."""
    fw = ev.framework
    title = (cover.get("title") or {}).get(lang) or _t(fw.title_zh, fw.title_en, lang) or fw.name
    fw_title = _t(fw.title_zh or fw.title_en, fw.title_en or fw.title_zh, lang) or fw.name
    period = cover.get("period") or (None if ev.time is None else str(ev.time))
    client = (cover.get("client") or {}).get(lang)
    status = _STATUS.get(str(cover.get("status") or ""))
    n, m = len(ev.units), len(ev.scores)
    rows: list[tuple[list[Any], str]] = [
        ([title], "title"),
        ([_t("评价结果", "Evaluation results", lang)], ""),
    ]
    if synthetic:
        rows.append(([_t(*SYNTHETIC_NOTICE, lang)], "warn"))
    rows.append(([], ""))
    facts = [
        (_t("评价期", "Period", lang), period),
        (_t("委托方", "Client", lang), client),
        (_t("评价机构", "Evaluating agency", lang), pick(agency, lang) if agency else None),
        (_t("评价体系", "Framework", lang), fw_title),
        (_t("稿件状态", "Status", lang), _t(*status, lang) if status else None),
        (_t("生成日期", "Date", lang), _dt.date.today().isoformat()),
        (
            _t("参评单位", "Units", lang),
            _t(f"{n} 个，其中 {m} 个有得分和名次", f"{n}, of which {m} scored and ranked", lang),
        ),
    ]
    if rated is not None:
        facts += _rating_facts(rated, lang, cover, citer(ev.source_framework or fw, cover, lang))
    facts.append(
        (
            _t("数据", "Data", lang),
            _t(
                "所有单元格均为数值或文本，不含公式；缺失值为空单元格。各计算步骤的完整数据见分析"
                f"工作簿 analysis.xlsx；排名表（CSV 文件）中得分保留 {CSV_DECIMALS} 位小数。",
                "All cells hold values, never formulas; missing values are empty cells. Every "
                "step of the calculation is in the analysis workbook, analysis.xlsx; the "
                f"league table's CSV file rounds scores to {CSV_DECIMALS} decimals.",
                lang,
            ),
        )
    )
    rows += [([k, v], "") for k, v in facts if v not in (None, "")]
    rows.append(([], ""))
    rows.append(([_t("工作表", "Sheet", lang), _t("内容", "Contents", lang)], "head"))
    rows.append(([sheet_title("Cover", lang), sheet_about("Cover", lang)], ""))
    rows += [([sheet_title(s.key, lang), sheet_about(s.key, lang)], "") for s in sheets]
    return rows


def _rating_facts(
    rated: Any, lang: str, cover: Mapping[str, Any], cite: Callable[[str], str]
) -> list[tuple[str, Any]]:
    scheme = getattr(rated, "scheme", None)
    bands = getattr(scheme, "bands", None) or []
    names = _grade_names(rated, lang)
    word = _t("得分", "score", lang)
    parts, upper = [], None
    for g, edge in bands:
        name = names.get(str(g), str(g)) + ("：" if lang == "zh" else ": ")
        if edge is None:
            parts.append(f"{name}{word} < {upper:g}")
        elif upper is None:
            parts.append(f"{name}{word} ≥ {edge:g}")
        else:
            rng = f"{edge:g} ≤ {word} < {upper:g}"
            parts.append(f"{name}{rng}")
        upper = edge
    edges = _t(
        "；".join(parts) + "（得分等于分界值取较好等级）",
        "; ".join(parts) + " (a score equal to an edge gets the better grade)",
        lang,
    )
    return [
        (_t("等级划分", "Grades", lang), edges),
        # the engagement's, a calibration, the scheme's own source (cited), or the kit's default
        (_t("分数线来源", "Grade edges from", lang), edges_source(scheme, cover, lang, cite)),
    ]


# ------------------------------------------------------------------ analysis.xlsx
def _same(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    return a.shape == b.shape and np.array_equal(
        a.to_numpy(dtype=float), b.to_numpy(dtype=float), equal_nan=True
    )


def _stage_sheets(ev: Evaluation, lang: str) -> tuple[list[Sheet], list[tuple[str, str]]]:
    """Stage sheets that differ from the previous stage; (stage, same-as stage) for the rest."""
    fw = ev.framework
    names = unit_names(ev, lang)
    sheets: list[Sheet] = []
    skipped: list[tuple[str, str]] = []
    previous: tuple[str, pd.DataFrame] | None = None
    for key in DSETS:
        if key not in ev.dset_names:
            continue
        df = ev.get_dset(key)
        if previous is not None and _same(df, previous[1]):
            skipped.append((key, previous[0]))
            continue
        previous = (key, df)
        codes = [str(c) for c in df.columns]
        scored = key in ("Normalised", "Aggregated")
        formats: list[str | None] = [None, None]
        for c in codes:
            node = fw[c] if c in fw else None
            rate = node is not None and is_rate(node.unit) and not node.denominator
            formats.append(SCORE_FORMAT if scored else PERCENT_FORMAT if rate else None)
        headers = [label("uCode", lang), label("uName", lang)]
        headers += [fw[c].name(lang) if c in fw else _aux_name(fw, c, lang) for c in codes]
        rows = [
            [str(u), names.get(str(u)), *(None if np.isnan(v) else v for v in vals)]
            for u, vals in zip(df.index, df.to_numpy(dtype=float).tolist(), strict=True)
        ]
        sheets.append(
            Sheet(key, headers, formats, rows, codes=["uCode", "uName", *codes], frozen=2)
        )
    return sheets, skipped


def _aux_name(fw: Any, code: str, lang: str) -> str:
    for aux in (*fw.denominators, *fw.groups):
        if aux.code == code:
            return _t(aux.name_zh or aux.name_en, aux.name_en or aux.name_zh, lang) or code
    return code


def _table_sheet(
    key: str,
    df: pd.DataFrame,
    lang: str,
    names: Mapping[str, Any] | None,
    formats: Mapping[str, str],
    headers: Mapping[str, str] | None = None,
    booleans: Iterable[str] = (),
) -> Sheet:
    """A sheet from a table indexed by code: labelled columns (``.workbook_text.COLUMNS``
    or ``headers``), yes/no for ``booleans``; with ``names``, a unit-name column second."""
    headers = dict(headers or {})
    booleans = set(booleans)
    cols = list(df.columns)
    first = [label("uCode", lang)] if names is not None else [label("iCode", lang)]
    if names is not None:
        first.append(label("uName", lang))
    head = first + [headers.get(c) or label(c, lang) for c in cols]
    fmts: list[str | None] = [None] * len(first) + [formats.get(c) for c in cols]
    rows = []
    for code, r in df.iterrows():
        row: list[Any] = [str(code)]
        if names is not None:
            row.append(names.get(str(code)))
        for c in cols:
            v = r[c]
            row.append(_yes_no(v, lang) if c in booleans else _cell_value(v))
        rows.append(row)
    return Sheet(key, head, fmts, rows, frozen=len(first))


def _cell_value(v: Any) -> Any:
    v = _text(v)
    if isinstance(v, np.generic):
        v = v.item()
    return v


def _screen_sheet(ev: Evaluation, lang: str) -> Sheet | None:
    df = ev.screen_summary
    if df is None or not len(df):
        return None
    cfg = ev.spec.get("screen") or {}
    heads = {}
    for col, key in (("LowData", "dat_thresh"), ("LowNonZero", "nonzero_thresh")):
        th = _num(cfg.get(key))
        if th is not None:
            heads[col] = _t(
                f"{label('Dat_Avail' if col == 'LowData' else 'Non_Zero', 'zh')}低于 {100 * th:g}%",
                f"{label('Dat_Avail' if col == 'LowData' else 'Non_Zero', 'en')} below "
                f"{100 * th:g}%",
                lang,
            )
    fmts = {
        "N_missing": INTEGER_FORMAT,
        "N_zero": INTEGER_FORMAT,
        "N_miss_or_zero": INTEGER_FORMAT,
        "Dat_Avail": PERCENT_FORMAT,
        "Non_Zero": PERCENT_FORMAT,
    }
    bools = ("LowData", "LowNonZero", "LowDatOrZeroFlag", "Included")
    return _table_sheet("ScreenDetail", df, lang, unit_names(ev, lang), fmts, heads, bools)


def _treat_detail_sheet(ev: Evaluation, lang: str) -> Sheet | None:
    df = ev.treat_details
    if df is None or not len(df):
        return None
    fw = ev.framework
    df = df.copy()
    df.insert(0, "_name", [fw[c].name(lang) if c in fw else c for c in df.index])
    fmts = {c: "0.00" for c in ("Skew0", "Kurt0", "Skew1", "Kurt1", "Skew2", "Kurt2")}
    fmts["nwin"] = INTEGER_FORMAT
    heads = {"_name": label("indicator", lang)}
    bools = ("Pass0", "Pass1", "Pass2", "log")
    return _table_sheet("TreatDetail", df, lang, None, fmts, heads, bools)


def _treated_points_sheet(ev: Evaluation, lang: str) -> Sheet | None:
    tp = ev.treated_points
    if "treat" not in ev.spec or tp is None:
        return None
    fw = ev.framework
    names = unit_names(ev, lang)
    before = _dset_before(ev, "Treated")
    after = ev.get_dset("Treated")
    headers = [label(c, lang) for c in ("uCode", "uName", "iCode", "indicator", "treatment")]
    headers += [label("before", lang), label("after", lang)]
    rows = []
    for u, row in tp.iterrows():
        for c, how in row.items():
            if isinstance(how, str) and how:
                rows.append(
                    [
                        str(u),
                        names.get(str(u)),
                        str(c),
                        fw[c].name(lang) if c in fw else c,
                        value_text(how, lang) if how in ("winhi", "winlo", "log") else how,
                        _num(before.at[u, c]),
                        _num(after.at[u, c]),
                    ]
                )
    return Sheet("TreatedPoints", headers, [None] * 7, rows, frozen=2)


def _dset_before(ev: Evaluation, key: str) -> pd.DataFrame:
    names = [k for k in DSETS if k in ev.dset_names]
    return ev.get_dset(names[max(names.index(key) - 1, 0)])


def _framework_sheet(ev: Evaluation, lang: str, cover: Mapping[str, Any]) -> Sheet:
    fw = ev.framework
    eff, nominal = ev.effective_weights, ev.weights
    den = {a.code: _t(a.name_zh or a.code, a.name_en or a.code, lang) for a in fw.denominators}
    cols = [
        "level",
        "code",
        "name",
        "parent",
        "direction",
        "weight",
        "eff_weight",
        "unit",
        "denominator",
        "goalposts",
        "source",
        "responsible",
    ]
    headers = [label(c, lang) for c in cols]
    formats: list[str | None] = [None] * 5 + ["0.00##", PERCENT_FORMAT] + [None] * 5
    sep = "、" if lang == "zh" else ", "
    rows = []
    for node in fw.nodes:
        wb = node.worst_best
        rows.append(
            [
                fw.level_label(node.level, lang),
                node.code,
                node.name(lang),
                node.parent,
                value_text("up" if node.direction > 0 else "down", lang),
                _num(nominal.get(node.code)) if node.parent is not None else None,
                _num(eff.get(node.code)),
                unit_text(node.unit, lang) or None,
                den.get(node.denominator or "", node.denominator),
                None if wb is None else f"{wb[0]:g} — {wb[1]:g}",
                _cite(ev, node.source, cover, lang) or None,
                sep.join(fw.responsible_of(node.code, lang)) or None,
            ]
        )
    return Sheet("Framework", headers, formats, rows, frozen=3)


def _uncertainty_sheet(ev: Evaluation, lang: str, ua: Any) -> Sheet:
    frame = ua.to_frame().copy()
    frame = frame.drop(columns=[c for c in ("uName", "rank_interval_width") if c in frame])
    if {"rank_q05", "rank_q95"} <= set(frame.columns):
        bounds = [
            rank_interval(a, b) for a, b in zip(frame["rank_q05"], frame["rank_q95"], strict=True)
        ]
        frame["rank_q05"] = pd.array([b[0] for b in bounds], dtype="Int64")
        frame["rank_q95"] = pd.array([b[1] for b in bounds], dtype="Int64")
    fmts = {
        "nominal_score": SCORE_FORMAT,
        "score_q05": SCORE_FORMAT,
        "score_median": SCORE_FORMAT,
        "score_q95": SCORE_FORMAT,
        "nominal_rank": INTEGER_FORMAT,
        "rank_q05": INTEGER_FORMAT,
        "rank_q95": INTEGER_FORMAT,
        "mean_rank": "0.00",
        "median_rank": "0.#",
        "rank_sd": "0.00",
        "mean_abs_rank_shift": "0.00",
        "share_scored": PERCENT_FORMAT,
    }
    return _table_sheet("Uncertainty", frame, lang, unit_names(ev, lang), fmts)


def _grade_probs_sheet(ev: Evaluation, lang: str, gp: pd.DataFrame, rated: Any) -> Sheet:
    grades = _grade_names(rated, lang)
    heads = {
        c: _t(f"“{grades.get(str(c), c)}”的概率", f"Probability of '{grades.get(str(c), c)}'", lang)
        for c in gp.columns
        if c != "borderline"
    }
    fmts = dict.fromkeys(heads, PERCENT_FORMAT)
    return _table_sheet("GradeProbs", gp, lang, unit_names(ev, lang), fmts, heads, ("borderline",))


def _unscored_sheet(ev: Evaluation, lang: str) -> Sheet:
    uns = ev.unscored
    names = unit_names(ev, lang)
    status = status_labels(ev)
    headers = [label(c, lang) for c in ("uCode", "uName", "reason", "status")]
    headers += [label("n_reported", lang), label("n_indicators", lang)]
    rows = []
    for u, r in uns.iterrows():
        why = str(r.get("status", ""))
        rows.append(
            [
                str(u),
                names.get(str(u)),
                value_text(why, lang)
                if why in ("screened", "forced", "no_data")
                else pick(why, lang),
                pick(status.get(str(u)), lang),
                _cell_value(r.get("n_reported")),
                _cell_value(r.get("n_indicators")),
            ]
        )
    return Sheet("Unscored", headers, [None] * 4 + [INTEGER_FORMAT] * 2, rows, frozen=2)


def _manifest_sheet(manifest: Mapping[str, Any], lang: str) -> Sheet:
    """The run record: each entry of the manifest under its plain label
    (:func:`.workbook_text.record_label`); the machine keys stay in manifest.json."""
    headers = [label("key", lang), label("item_value", lang)]
    rows = [
        [record_label(path, lang), record_value(path, value, lang)]
        for path, value in _flatten(manifest)
    ]
    return Sheet("Manifest", headers, [None, None], rows, frozen=1)


def _flatten(data: Any, prefix: tuple[str | int, ...] = ()) -> Iterable[tuple[tuple, Any]]:
    if isinstance(data, Mapping):
        if not data and prefix:
            yield prefix, "{}"
        for k, v in data.items():
            yield from _flatten(v, (*prefix, str(k)))
        return
    if isinstance(data, list | tuple):
        if all(not isinstance(v, Mapping | list | tuple) for v in data):
            yield prefix, json.dumps(list(data), ensure_ascii=False, default=str)
        else:
            for i, v in enumerate(data):
                yield from _flatten(v, (*prefix, i))
        return
    if data is None or isinstance(data, str | int | float | bool):
        yield prefix, data
        return
    if hasattr(data, "item"):
        yield prefix, data.item()
        return
    yield prefix, str(data)


def _readme_rows(
    ev: Evaluation,
    lang: str,
    synthetic: bool,
    manifest: Mapping[str, Any],
    sheets: Sequence[Sheet],
    skipped: Sequence[tuple[str, str]],
) -> list[tuple[list[Any], str]]:
    fw = ev.framework
    title = _t(fw.title_zh or fw.title_en, fw.title_en or fw.title_zh, lang) or fw.name
    rows: list[tuple[list[Any], str]] = [
        ([f"{title} — {_t('分析数据', 'analysis data', lang)}"], "title")
    ]
    if synthetic:
        rows.append(([_t(*SYNTHETIC_NOTICE, lang)], "warn"))
    facts = [
        (_t("评价期", "Period", lang), None if ev.time is None else str(ev.time)),
        (_t("单位数", "Units", lang), len(ev.units)),
        (_t("随机种子", "Random seed", lang), ev.seed),
        (_t("软件", "Software", lang), f"integrity-eval {manifest.get('version', __version__)}"),
        (_t("生成时间", "Written", lang), _dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S")),
        (
            _t("说明", "Note", lang),
            _t(
                "所有单元格均为数值或文本，不含公式；缺失值为空单元格。各计算步骤工作表的第 2 "
                "行是数据文件中的代码，可用 pandas.read_excel(…, header=1) 读回。",
                "All cells hold values, never formulas; missing values are empty cells. Row 2 "
                "of each step's sheet holds the codes of the data file: read it back with "
                "pandas.read_excel(…, header=1).",
                lang,
            ),
        ),
    ]
    rows += [([k, v], "") for k, v in facts if v is not None]
    rows.append(([], ""))
    rows.append(([_t("工作表", "Sheet", lang), _t("内容", "Contents", lang)], "head"))
    rows.append(([sheet_title("README", lang), sheet_about("README", lang)], ""))
    rows += [([sheet_title(s.key, lang), sheet_about(s.key, lang)], "") for s in sheets]
    rows.append(([], ""))
    ran = [_t(*STAGE_NAMES[s], lang) for s in STAGE_NAMES if s in ev.spec]
    rows.append(
        (
            [_t("计算步骤", "Steps run", lang), ("、" if lang == "zh" else ", ").join(ran) or "—"],
            "head",
        )
    )
    for key, same in skipped:
        a, b = sheet_title(key, lang), sheet_title(same, lang)
        rows.append(
            (
                [
                    a,
                    _t(
                        f"与“{b}”相同（该步骤未运行或未改变数据），不单列工作表",
                        f"same as '{b}' (step not run, or changed nothing): no sheet of its own",
                        lang,
                    ),
                ],
                "",
            )
        )
    excluded = ev.excluded
    if not excluded.empty:
        rows.append(([], ""))
        rows.append(
            (
                [
                    _t("排除的要素", "Elements excluded", lang),
                    _t(
                        f"以下 {len(excluded)} 项按评价设置排除，不参与本次评价",
                        f"The evaluation settings left these {len(excluded)} elements out",
                        lang,
                    ),
                ],
                "head",
            )
        )
        for code, e in excluded.iterrows():
            rows.append(([code, _excluded_text(ev, code, e, lang)], ""))
    return rows


def _excluded_text(ev: Evaluation, code: str, e: pd.Series, lang: str) -> str:
    """Why the settings left ``code`` out, in words: listed, or under an excluded parent."""
    name = (e["name_en"] if lang == "en" else e["name_zh"]) or code
    parent = re.search(r"under excluded (\S+)", str(e["reason"]))
    if parent is None:
        return _t(
            f"{name}：评价设置列明排除", f"{name}: listed for exclusion in the settings", lang
        )
    fw = ev.source_framework or ev.framework
    up = parent.group(1)
    up_name = fw[up].name(lang) if up in fw else up
    return _t(f"{name}：上级“{up_name}”被排除", f"{name}: its parent '{up_name}' is excluded", lang)


# ------------------------------------------------------------------ writing
def _save(
    path: str | Path,
    front_key: str,
    front: list[tuple[list[Any], str]],
    sheets: Sequence[Sheet],
    lang: str,
) -> Path:
    from openpyxl import Workbook

    path = Path(path)
    wb = Workbook(write_only=True)
    _write_front(wb.create_sheet(sheet_title(front_key, lang)), front)
    for s in sheets:
        _write_sheet(wb.create_sheet(sheet_title(s.key, lang)), s)
    with atomic_write_path(path) as tmp:
        wb.save(tmp)
    return path


def _write_front(ws: Any, rows: list[tuple[list[Any], str]]) -> None:
    widths = [display_width(r[0][0]) for r in rows if len(r[0]) > 1]
    ws.column_dimensions["A"].width = min(max([12, *widths]) + 4, 30)
    ws.column_dimensions["B"].width = 90
    styles = {
        "title": Font(bold=True, size=16),
        "warn": Font(bold=True, color="C00000"),
        "head": Font(bold=True),
    }
    wrap = Alignment(wrap_text=True, vertical="top")
    for cells, style in rows:
        out = []
        for v in cells:
            c = excel_cell(ws, v)
            if style in styles:
                c.font = styles[style]
            if style != "title":
                c.alignment = wrap
            out.append(c)
        ws.append(out)


def _width(values: Iterable[Any], fmt: str | None) -> float:
    w = 0
    for v in values:
        if isinstance(v, Cell):
            v, fmt = v
        if isinstance(v, float):
            w = max(w, 12 if fmt in (None, NUMBER_FORMAT) else 10)
        else:
            w = max(w, display_width(v))
    return w


def _write_sheet(ws: Any, s: Sheet) -> None:
    from openpyxl.utils import get_column_letter

    n_head = 2 if s.codes else 1
    ncol = len(s.headers)
    for j in range(ncol):
        data = [r[j] for r in s.rows[:500]]
        head = display_width(s.headers[j])
        if s.codes:
            head = max(head, display_width(s.codes[j]))
        width = max(head, _width(data, s.formats[j])) + 2
        ws.column_dimensions[get_column_letter(j + 1)].width = max(8, min(MAX_WIDTH, width))
    ws.freeze_panes = f"{get_column_letter(s.frozen + 1)}{n_head + 1}"
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    for header in [s.headers, *([s.codes] if s.codes else [])]:
        cells = []
        for v in header:
            c = excel_cell(ws, v)
            c.font, c.alignment = bold, wrap
            cells.append(c)
        ws.append(cells)
    for row in s.rows:
        ws.append([_data_cell(ws, v, s.formats[j]) for j, v in enumerate(row)])
    last = get_column_letter(max(ncol, 1))
    ws.auto_filter.ref = f"A{n_head}:{last}{n_head + len(s.rows)}"


def _data_cell(ws: Any, value: Any, fmt: str | None) -> Any:
    if isinstance(value, Cell):
        value, fmt = value
    value = _cell_value(value)
    cell = excel_cell(ws, value)
    if isinstance(cell.value, bool):
        return cell
    if isinstance(cell.value, int | float):
        if fmt is not None:
            cell.number_format = fmt
        elif isinstance(cell.value, int):
            cell.number_format = INTEGER_FORMAT
    return cell
