"""``results.xlsx``: every number of an evaluation, formatted for assessors.

A README sheet first (what each sheet holds, in Chinese then English, the steps that
ran, and a warning when the data are synthetic), then one sheet per stage dataset that
differs from the previous stage, the framework (COINr iMeta table), weights, scores and
ranks, ratings, grade probabilities and uncertainty (when given), treated points,
unscored units and the run manifest. Sheet names are Chinese (English with
``lang="en"``); data sheets carry names above codes, frozen headers and filters.
Cells hold values only, never formulas: every cell goes through
:func:`integrity_eval.io.excel_cell`, so text such as ``=HYPERLINK(...)`` stays text.
The file is written atomically.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from openpyxl.styles import Font

from .._version import __version__
from ..io import atomic_write_path, excel_cell
from .tables import CSV_DECIMALS, dimension_codes, league_table, status_labels

if TYPE_CHECKING:  # pragma: no cover
    from ..evaluation import Evaluation

__all__ = ["DSET_TEXT", "SHEET_NAMES", "SYNTHETIC_NOTICE", "sheet_name", "write_results"]

# Stage datasets in pipeline order, with what each holds (zh, en).
DSET_TEXT: dict[str, tuple[str, str]] = {
    "Raw": ("原始数据：各单位报送的指标值", "Raw data: indicator values as reported"),
    "Denominated": (
        "分母化：按人口等分母折算后的指标值",
        "Denominated: indicators divided by their denominators (e.g. population)",
    ),
    "Imputed": ("插补：缺失值补齐后的数据", "Imputed: missing values filled in"),
    "Screened": (
        "筛选：数据可用性不足的单位已剔除",
        "Screened: units with too little data removed",
    ),
    "Treated": (
        "异常值处理：缩尾或对数变换后的数据",
        "Treated: outliers winsorised or log-transformed",
    ),
    "Normalised": ("标准化：统一量纲后的指标值", "Normalised: indicators on a common scale"),
    "Aggregated": (
        "聚合：标准化指标及各层级（维度、总分）得分",
        "Aggregated: normalised indicators plus every aggregate (dimensions, index)",
    ),
}
SYNTHETIC_NOTICE = (
    "注意：本结果基于合成（模拟）数据，仅用于演示和测试，不代表任何真实地区或部门的表现。",
    "Note: these results use SYNTHETIC data, for demonstration and testing only; they do "
    "not describe any real district or department.",
)


# Sheet names (zh, en); the English names are those of earlier versions.
SHEET_NAMES: dict[str, tuple[str, str]] = {
    "README": ("说明", "README"),
    "Raw": ("原始数据", "Raw"),
    "Denominated": ("分母化", "Denominated"),
    "Imputed": ("插补", "Imputed"),
    "Screened": ("筛选", "Screened"),
    "Treated": ("异常值处理", "Treated"),
    "Normalised": ("标准化", "Normalised"),
    "Aggregated": ("聚合", "Aggregated"),
    "Framework": ("指标体系", "Framework"),
    "Weights": ("权重", "Weights"),
    "Scores": ("得分排名", "Scores"),
    "Ratings": ("评级", "Ratings"),
    "GradeProbs": ("等级概率", "GradeProbs"),
    "Uncertainty": ("不确定性", "Uncertainty"),
    "TreatedPoints": ("异常值处理点", "TreatedPoints"),
    "TreatDetails": ("异常值处理明细", "TreatDetails"),
    "ScreenSummary": ("筛选明细", "ScreenSummary"),
    "Unscored": ("未评分单位", "Unscored"),
    "Manifest": ("运行记录", "Manifest"),
}
NUMBER_FORMAT = "0.00##"
INTEGER_FORMAT = "0"


def sheet_name(key: str, lang: str) -> str:
    """The sheet called ``key`` in ``lang`` (Chinese by default)."""
    zh, en = SHEET_NAMES[key]
    return en if lang == "en" else zh


def _frame_rows(df: pd.DataFrame) -> Iterable[Sequence[Any]]:
    return df.astype(object).where(df.notna(), None).itertuples(index=False, name=None)


def _same(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    return a.shape == b.shape and np.array_equal(
        a.to_numpy(dtype=float), b.to_numpy(dtype=float), equal_nan=True
    )


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
) -> Path:
    """Write ``results.xlsx`` for ``ev`` to ``path`` (atomically); returns the path.

    ``synthetic``: whether the data are synthetic (default: ``ev.manifest``'s
    ``synthetic`` flag, if any); the README then says so. ``manifest``: the run
    manifest to show in the Manifest sheet (default ``ev.manifest``). ``lang`` picks
    the sheet names (Chinese, or English with ``"en"``) and the language of unit and
    indicator names; explanations are Chinese then English. ``rated``, ``ua``,
    ``grade_probs``: rating, uncertainty and grade-probability results add a sheet each.

    Stage sheets have two header rows (names, then codes), frozen, with filters; a
    stage whose dataset equals the previous one (the stage did not run or changed
    nothing) has no sheet of its own: the README says which stages ran.
    """
    from openpyxl import Workbook

    path = Path(path)
    manifest = dict(ev.manifest if manifest is None else manifest)
    if synthetic is None:
        synthetic = bool(manifest.get("synthetic"))
    fw = ev.framework
    names = _unit_names(ev, lang)
    # (key, zh, en, header rows, data rows, number of key columns)
    sheets: list[tuple[str, str, str, list[list[str]], Iterable[Sequence[Any]]]] = []
    stage_notes: list[tuple[str, str, str]] = []

    previous = None
    for name in DSET_TEXT:
        if name not in _dset_names(ev):
            continue
        df = ev.get_dset(name)
        zh, en = DSET_TEXT[name]
        if previous is not None and _same(df, previous[1]):
            prev = sheet_name(previous[0], lang)
            stage_notes.append(
                (
                    sheet_name(name, lang),
                    f"与“{prev}”相同（该步骤未运行或未改变数据），不单列工作表",
                    f"same as '{prev}' (step not run or changed nothing): no sheet of its own",
                )
            )
            continue
        previous = (name, df)
        codes = [str(c) for c in df.columns]
        header_names = [
            "单位名称" if lang == "zh" else "Unit",
            "",
            *(fw[c].name(lang) if c in fw else c for c in codes),
        ]
        cols = ["uCode", "uName", *codes]
        rows = (
            [str(u), names.get(str(u)), *vals]
            for u, vals in zip(df.index, df.to_numpy(dtype=float).tolist(), strict=True)
        )
        sheets.append((name, zh, en, [header_names, cols], rows))

    imeta = fw.to_imeta()
    sheets.append(
        (
            "Framework",
            "评价框架（COINr iMeta 表）：层级、指标代码、名称、方向、权重、单位、上级节点等",
            "Framework (COINr iMeta table): level, code, names, direction, weight, unit, parent…",
            [list(map(str, imeta.columns))],
            _frame_rows(imeta),
        )
    )

    eff = ev.effective_weights
    nominal = ev.weights
    w_rows = [
        [
            node.code,
            node.name(lang),
            node.level,
            node.parent,
            _num(nominal.get(node.code)) if node.parent is not None else None,
            _num(eff.get(node.code)),
        ]
        for node in fw.nodes
    ]
    sheets.append(
        (
            "Weights",
            "权重：名义权重（同一上级下的相对权重）和有效权重（在总分中的实际权重）",
            "Weights: nominal (relative, within the parent) and effective (share in the index)",
            [["iCode", "iName", "Level", "Parent", "Weight", "EffectiveWeight"]],
            w_rows,
        )
    )

    table = league_table(ev, lang=lang, rated=rated, ua=ua)
    dims = dimension_codes(ev)
    head = [
        *(
            ["单位代码", "单位名称", "综合得分", "名次"]
            if lang == "zh"
            else ["Unit code", "Unit", "Score", "Rank"]
        ),
        *(fw[c].name(lang) for c in dims),
        *([""] * (len(table.columns) - 4 - len(dims))),
    ]
    sheets.append(
        (
            "Scores",
            f"得分与排名：总分、名次（1 = 最好，并列取最小名次）及各维度得分（{', '.join(dims)}）；"
            "未评分单位在最后，状态列说明原因",
            f"Scores and ranks: index score, rank (1 = best, ties share the lowest rank) and "
            f"each dimension's score ({', '.join(dims)}); units not rated come last, with why",
            [head, list(table.columns)],
            _frame_rows(table),
        )
    )
    if rated is not None:
        rt = rated.table.reset_index()
        scheme = getattr(rated, "scheme", None)
        bands = (
            "; ".join(f"{b[0]} ≥ {b[1]:g}" if b[1] is not None else f"{b[0]}" for b in scheme.bands)
            if scheme is not None
            else ""
        )
        sheets.append(
            (
                "Ratings",
                f"评级：按得分的等级、直接判级规则后的最终等级（{bands}；得分等于分界值取较好等级）",
                f"Ratings: grade by score, final grade after veto rules ({bands}; a score equal "
                "to an edge gets the better grade)",
                [list(map(str, rt.columns))],
                _frame_rows(rt),
            )
        )
    if grade_probs is not None:
        gp = grade_probs.reset_index()
        sheets.append(
            (
                "GradeProbs",
                "等级概率：蒙特卡洛模拟中各单位落入各等级的比例；borderline = 90% 得分区间跨越等级",
                "Grade probabilities from the Monte Carlo draws; borderline = the 90% score "
                "interval spans more than one grade",
                [list(map(str, gp.columns))],
                _frame_rows(gp),
            )
        )
    if ua is not None:
        uf = ua.to_frame().reset_index()
        sheets.append(
            (
                "Uncertainty",
                f"不确定性分析：蒙特卡洛 {getattr(ua, 'n', '')} 次的名次与得分分位数"
                "（5%、中位数、95%）",
                f"Uncertainty: rank and score quantiles (5%, median, 95%) over "
                f"{getattr(ua, 'n', '')} Monte Carlo draws",
                [list(map(str, uf.columns))],
                _frame_rows(uf),
            )
        )

    tp = ev.treated_points
    tp_rows = []
    if tp is not None and len(tp):
        for u, row in tp.iterrows():
            for code, how in row.items():
                if isinstance(how, str) and how:
                    tp_rows.append([str(u), names.get(str(u)), str(code), how])
    sheets.append(
        (
            "TreatedPoints",
            "异常值处理点：被缩尾（winhi 上端、winlo 下端）或对数变换（log）的单元格；为空表示没有",
            "Treated points: cells winsorised (winhi high, winlo low) or log-transformed (log); "
            "empty when none",
            [["uCode", "uName", "iCode", "Treatment"]],
            tp_rows,
        )
    )

    for attr, key, zh, en in (
        (
            "treat_details",
            "TreatDetails",
            "异常值处理明细：各指标处理前后的偏度、峰度及处理方式",
            "Treatment details: skew and kurtosis before and after, per indicator",
        ),
        (
            "screen_summary",
            "ScreenSummary",
            "筛选明细：各单位的数据可用率、非零比例及是否纳入",
            "Screening summary: data availability, non-zero share and inclusion per unit",
        ),
    ):
        extra = getattr(ev, attr, None)
        if isinstance(extra, pd.DataFrame) and len(extra):
            df = extra.reset_index()
            sheets.append((key, zh, en, [list(map(str, df.columns))], _frame_rows(df)))

    uns = ev.unscored
    status = status_labels(ev)
    u_rows = (
        [[str(u), names.get(str(u)), r, status.get(str(u))] for u, r in uns["reason"].items()]
        if len(uns)
        else []
    )
    sheets.append(
        (
            "Unscored",
            "未评分单位及原因（如数据不足被筛除）；为空表示所有单位均有得分",
            "Units without a score and why (e.g. screened out for missing data); empty when "
            "every unit is scored",
            [["uCode", "uName", "Reason", "Status"]],
            u_rows,
        )
    )

    sheets.append(
        (
            "Manifest",
            "运行记录：软件版本、随机种子、框架与参数的哈希、输入文件哈希等，用于复现",
            "Run manifest: software version, seed, framework/spec/input hashes, for "
            "reproducing the run",
            [["Key", "Value"]],
            list(_flatten(manifest)),
        )
    )

    wb = Workbook(write_only=True)
    readme = wb.create_sheet(sheet_name("README", lang))
    _write_readme(readme, ev, sheets, stage_notes, synthetic, manifest, lang)
    for key, _zh, _en, headers, rows in sheets:
        ws = wb.create_sheet(sheet_name(key, lang))
        cols = headers[-1]
        n_head = len(headers)
        keyed = cols[:2] == ["uCode", "uName"]
        ws.freeze_panes = f"{'C' if keyed else 'A'}{n_head + 1}"
        for j in range(len(cols)):
            widest = max(len(str(h[j])) if j < len(h) else 0 for h in headers)
            ws.column_dimensions[_letter(j)].width = max(10, min(40, widest * 1.6 + 2))
        n_rows = 0
        bold = Font(bold=True)
        for h in headers:
            cells = [excel_cell(ws, c) for c in h]
            for c in cells:
                c.font = bold
            ws.append(cells)
        for row in rows:
            ws.append([_number_cell(ws, v) for v in row])
            n_rows += 1
        ws.auto_filter.ref = f"A{n_head}:{_letter(max(len(cols) - 1, 0))}{n_head + n_rows}"
    with atomic_write_path(path) as tmp:
        wb.save(tmp)
    return path


def _number_cell(ws: Any, value: Any) -> Any:
    cell = excel_cell(ws, value)
    if isinstance(cell.value, float):
        cell.number_format = NUMBER_FORMAT
    elif isinstance(cell.value, int) and not isinstance(cell.value, bool):
        cell.number_format = INTEGER_FORMAT
    return cell


# ------------------------------------------------------------------ helpers
def _dset_names(ev: Evaluation) -> list[str]:
    names = getattr(ev, "dset_names", None) or getattr(ev, "dsets", None) or ()
    return list(names)


def _unit_names(ev: Evaluation, lang: str) -> dict[str, Any]:
    units = ev.units
    col = "uName_en" if lang == "en" and "uName_en" in units.columns else "uName"
    if col not in units.columns:
        return {}
    return {str(u): (None if pd.isna(v) else v) for u, v in units[col].items()}


def _num(x: Any) -> float | None:
    if x is None:
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if v != v else v


def _flatten(data: Any, prefix: str = "") -> Iterable[tuple[str, Any]]:
    if isinstance(data, Mapping):
        if not data and prefix:
            yield prefix, "{}"
        for k, v in data.items():
            yield from _flatten(v, f"{prefix}.{k}" if prefix else str(k))
        return
    if isinstance(data, list | tuple):
        if all(not isinstance(v, Mapping | list | tuple) for v in data):
            yield prefix, json.dumps(list(data), ensure_ascii=False, default=str)
        else:
            for i, v in enumerate(data):
                yield from _flatten(v, f"{prefix}[{i}]")
        return
    if data is None or isinstance(data, str | int | float | bool):
        yield prefix, data
        return
    if hasattr(data, "item"):
        yield prefix, data.item()
        return
    yield prefix, str(data)


def _letter(j: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(j + 1)


def _write_excluded(row: Any, excluded: pd.DataFrame) -> None:
    """The elements the spec's ``exclude`` left out (code, names, reason), if any."""
    if excluded.empty:
        return
    row()
    row(
        "按 spec 排除 / Excluded by the spec",
        f"以下 {len(excluded)} 项按评价设置（spec）的 exclude 排除，不参与本次评价",
        f"The spec's exclude left these {len(excluded)} elements out of this evaluation",
        bold=True,
    )
    for code, e in excluded.iterrows():
        zh, _, en = str(e["reason"]).partition(" / ")
        row(
            code,
            f"{e['name_zh'] or code}：按 spec 排除（{zh}）",
            f"{e['name_en'] or code}: excluded by the spec ({en or zh})",
        )


def _write_readme(
    ws: Any,
    ev: Evaluation,
    sheets: list[tuple[str, str, str, list[list[str]], Any]],
    stage_notes: list[tuple[str, str, str]],
    synthetic: bool,
    manifest: Mapping[str, Any],
    lang: str,
) -> None:

    fw = ev.framework
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 70
    ws.column_dimensions["C"].width = 80

    def row(*values: Any, bold: bool = False) -> None:
        cells = [excel_cell(ws, v) for v in values]
        if bold:
            for c in cells:
                c.font = Font(bold=True)
        ws.append(cells)

    title_zh = fw.title_zh or fw.name
    title_en = fw.title_en or fw.name
    row("说明 / README", f"{title_zh} — 评价结果", f"{title_en} — evaluation results", bold=True)
    if synthetic:
        warn = [excel_cell(ws, "合成数据 / SYNTHETIC")]
        warn += [excel_cell(ws, t) for t in SYNTHETIC_NOTICE]
        for c in warn:
            c.font = Font(bold=True, color="C00000")
        ws.append(warn)
    period = getattr(ev, "time", None)
    facts = [
        ("框架 / Framework", f"{fw.name}（{title_zh}）", f"{fw.name} ({title_en})"),
        ("评价期 / Period", "—" if period is None else str(period), ""),
        ("单位数 / Units", len(ev.units), ""),
        ("随机种子 / Seed", ev.seed, ""),
        ("软件 / Software", f"integrity-eval {manifest.get('version', __version__)}", ""),
        ("生成时间 / Written", _dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S"), ""),
        (
            "说明 / Note",
            "所有单元格均为数值或文本，不含公式；缺失值为空单元格。",
            "All cells hold values, never formulas; missing values are empty cells.",
        ),
    ]
    for f in facts:
        row(*f)
    row()
    row("工作表 / Sheet", "内容", "Contents", bold=True)
    row(sheet_name("README", lang), "本页：各工作表说明", "This sheet: what each sheet holds")
    for key, zh, en, _cols, _rows in sheets:
        row(sheet_name(key, lang), zh, en)
    ran = [
        s
        for s in ("denominate", "impute", "screen", "treat", "normalise", "aggregate")
        if s in ev.spec
    ]
    row()
    row("运行的步骤 / Steps run", "、".join(ran) or "—", ", ".join(ran) or "—", bold=True)
    for note in stage_notes:
        row(*note)
    _write_excluded(row, ev.excluded)
    row(
        "排名表 / league_table.csv",
        f"league_table.csv 中得分保留 {CSV_DECIMALS} 位小数，便于阅读；完整精度见本工作簿",
        f"league_table.csv rounds scores to {CSV_DECIMALS} decimals for reading; full "
        "precision is in this workbook",
    )
