"""``results.xlsx``: every stage of an evaluation as plain values.

A README sheet first (what each sheet holds, in Chinese then English, and a
warning when the data are synthetic), then one sheet per stage dataset, the
framework (COINr iMeta table), weights, scores and ranks, treated points,
unscored units and the run manifest. Cells hold values only, never formulas:
every cell goes through :func:`integrity_eval.io.excel_cell`, so text such as
``=HYPERLINK(...)`` stays text. The file is written atomically.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from .._version import __version__
from ..io import atomic_write_path, excel_cell
from .tables import dimension_codes, league_table

if TYPE_CHECKING:  # pragma: no cover
    from ..evaluation import Evaluation

__all__ = ["DSET_TEXT", "SYNTHETIC_NOTICE", "write_results"]

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


def write_results(
    ev: Evaluation,
    path: str | Path,
    *,
    lang: Literal["zh", "en"] = "zh",
    synthetic: bool | None = None,
    manifest: Mapping[str, Any] | None = None,
) -> Path:
    """Write ``results.xlsx`` for ``ev`` to ``path`` (atomically); returns the path.

    ``synthetic``: whether the data are synthetic (default: ``ev.manifest``'s
    ``synthetic`` flag, if any); the README then says so. ``manifest``: the run
    manifest to show in the Manifest sheet (default ``ev.manifest``). ``lang`` picks
    the language of unit and indicator names; explanations are Chinese then English.
    """
    from openpyxl import Workbook

    path = Path(path)
    manifest = dict(ev.manifest if manifest is None else manifest)
    if synthetic is None:
        synthetic = bool(manifest.get("synthetic"))
    fw = ev.framework
    names = _unit_names(ev, lang)

    sheets: list[tuple[str, str, str, list[str], Iterable[Sequence[Any]]]] = []

    for name in (
        "Raw",
        "Denominated",
        "Imputed",
        "Screened",
        "Treated",
        "Normalised",
        "Aggregated",
    ):
        if name not in _dset_names(ev):
            continue
        df = ev.get_dset(name)
        zh, en = DSET_TEXT[name]
        cols = ["uCode", "uName", *map(str, df.columns)]
        rows = (
            [str(u), names.get(str(u)), *vals]
            for u, vals in zip(df.index, df.to_numpy(dtype=float).tolist(), strict=True)
        )
        sheets.append((name, zh, en, cols, rows))

    imeta = fw.to_imeta()
    sheets.append(
        (
            "Framework",
            "评价框架（COINr iMeta 表）：层级、指标代码、名称、方向、权重、单位、上级节点等",
            "Framework (COINr iMeta table): level, code, names, direction, weight, unit, parent…",
            list(map(str, imeta.columns)),
            imeta.astype(object).where(imeta.notna(), None).itertuples(index=False, name=None),
        )
    )

    eff = ev.effective_weights
    nominal = ev.weights
    w_rows = []
    for node in fw.nodes:
        w_rows.append(
            [
                node.code,
                node.name(lang),
                node.level,
                node.parent,
                _num(nominal.get(node.code)) if node.parent is not None else None,
                _num(eff.get(node.code)),
            ]
        )
    sheets.append(
        (
            "Weights",
            "权重：名义权重（同一上级下的相对权重）和有效权重（在总分中的实际权重）",
            "Weights: nominal (relative, within the parent) and effective (share in the index)",
            ["iCode", "iName", "Level", "Parent", "Weight", "EffectiveWeight"],
            w_rows,
        )
    )

    table = league_table(ev, lang=lang)
    dims = ", ".join(dimension_codes(ev))
    sheets.append(
        (
            "Scores",
            f"得分与排名：总分、名次（1 = 最好，并列取最小名次）及各维度得分（{dims}）",
            f"Scores and ranks: index score, rank (1 = best, ties share the lowest rank) and "
            f"each dimension's score ({dims})",
            list(table.columns),
            table.astype(object).where(table.notna(), None).itertuples(index=False, name=None),
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
            ["uCode", "uName", "iCode", "Treatment"],
            tp_rows,
        )
    )

    for attr, sheet, zh, en in (
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
            sheets.append(
                (
                    sheet,
                    zh,
                    en,
                    list(map(str, df.columns)),
                    df.astype(object).where(df.notna(), None).itertuples(index=False, name=None),
                )
            )

    uns = ev.unscored
    u_rows = [[str(u), names.get(str(u)), r] for u, r in uns["reason"].items()] if len(uns) else []
    sheets.append(
        (
            "Unscored",
            "未评分单位及原因（如数据不足被筛除）；为空表示所有单位均有得分",
            "Units without a score and why (e.g. screened out for missing data); empty when "
            "every unit is scored",
            ["uCode", "uName", "Reason"],
            u_rows,
        )
    )

    sheets.append(
        (
            "Manifest",
            "运行记录：软件版本、随机种子、框架与参数的哈希、输入文件哈希等，用于复现",
            "Run manifest: software version, seed, framework/spec/input hashes, for "
            "reproducing the run",
            ["Key", "Value"],
            list(_flatten(manifest)),
        )
    )

    wb = Workbook(write_only=True)
    readme = wb.create_sheet("README")
    _write_readme(readme, ev, sheets, synthetic, manifest)
    for name, _zh, _en, cols, rows in sheets:
        ws = wb.create_sheet(name)
        ws.freeze_panes = "C2" if cols[:2] == ["uCode", "uName"] else "A2"
        for j, col in enumerate(cols):
            ws.column_dimensions[_letter(j)].width = max(10, min(40, len(str(col)) + 4))
        ws.append([excel_cell(ws, c) for c in cols])
        for row in rows:
            ws.append([excel_cell(ws, v) for v in row])
    with atomic_write_path(path) as tmp:
        wb.save(tmp)
    return path


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


def _write_readme(
    ws: Any,
    ev: Evaluation,
    sheets: list[tuple[str, str, str, list[str], Any]],
    synthetic: bool,
    manifest: Mapping[str, Any],
) -> None:
    from openpyxl.styles import Font

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
    row("README", "本页：各工作表说明", "This sheet: what each sheet holds")
    for name, zh, en, _cols, _rows in sheets:
        row(name, zh, en)
