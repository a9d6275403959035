"""Result tables shared by the CSV, Excel and HTML outputs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from ..io import csv_safe
from .content import rank_interval
from .method import citer, grade_label
from .text import split_unit, unit_names
from .workbook_text import pick

if TYPE_CHECKING:  # pragma: no cover
    from ..evaluation import Evaluation

__all__ = ["CSV_DECIMALS", "dimension_codes", "league_csv", "league_table", "status_labels"]

# league_table.csv is rounded for reading; results.xlsx keeps full precision.
CSV_DECIMALS = 2
STATUS_RATED = "已评分 / rated"


def dimension_codes(ev: Evaluation) -> list[str]:
    """Codes of the level just below the root (the dimensions), in framework order."""
    fw = ev.framework
    return list(fw.children[fw.root])


_BLANK_POLICY = {
    "worst": ("按不得分计", "scored as worst"),
    "skip": ("权重由已报送指标分担", "weights shared among those reported"),
    "impute": ("已插补", "imputed"),
}


def status_labels(ev: Evaluation) -> pd.Series:
    """Bilingual status of every unit: "已评分 / rated" — with how many indicators it
    left blank and how they were scored (``ev.blanks``, the spec's ``missing`` policy) —
    or the not-rated label of ``ev.unscored`` (its ``label`` column when present, else
    built from ``n_reported``/``n_indicators``, else "不予评级 / not rated" with the
    reason)."""
    out = pd.Series(STATUS_RATED, index=ev.units.index.astype(str), dtype=object)
    zh, en = _BLANK_POLICY[ev.missing_policy]
    for code, n in ev.blanks["uCode"].astype(str).value_counts(sort=False).items():
        out[code] = f"已评分（{n} 项未报送，{zh}）/ rated ({n} not reported, {en})"
    uns = ev.unscored
    for code, row in uns.iterrows():
        label = row.get("label")
        if not isinstance(label, str) or not label:
            n_rep, n_ind = row.get("n_reported"), row.get("n_indicators")
            if n_rep is not None and n_ind is not None and pd.notna(n_rep):
                label = (
                    f"不予评级：仅报送 {int(n_rep)} / {int(n_ind)} 项指标 / not rated: "
                    f"{int(n_rep)} of {int(n_ind)} indicators reported"
                )
            else:
                label = f"不予评级 / not rated: {row['reason']}"
        out[str(code)] = label
    return out


def league_table(
    ev: Evaluation,
    *,
    lang: Literal["zh", "en"] = "zh",
    rated: Any = None,
    ua: Any = None,
) -> pd.DataFrame:
    """The league table: ``uCode, uName, score, rank``, then one column per dimension.

    Dimension columns are named by their codes and hold the aggregated scores. Every
    unit of the evaluated period appears; units without a score (screened out, no
    data) come last with empty score and rank. Sorted by rank, ties by ``uCode``.
    ``uName`` holds the name in the report's language: with ``lang="en"`` each unit's
    ``uName_en`` where the data give one, else its name as reported.

    With ``rated`` (a rating result: ``rated.table`` by uCode) the columns ``grade``,
    ``veto`` (and ``stars`` when the scheme has them) follow (grades by the scheme's
    English band names with ``lang="en"``); with ``ua`` (an
    uncertainty result: ``ua.to_frame()`` by uCode) ``rank_q05``, ``rank_q95`` (the
    90 % rank interval, widened to whole ranks: :func:`~.content.rank_interval`)
    follow. ``status`` comes last, in ``lang``: rated, or why not.
    """
    units = ev.units
    codes = [str(c) for c in units.index]
    names = [unit_names(ev, lang)[c] for c in codes]
    score = ev.scores.reindex(units.index).astype(float).to_numpy()
    rank = ev.ranks.reindex(units.index).astype("Int64").to_numpy()
    out = pd.DataFrame({"uCode": codes, "uName": names, "score": score, "rank": rank})
    out["rank"] = out["rank"].astype("Int64")
    dims = dimension_codes(ev)
    agg = ev.get_dset("Aggregated").reindex(units.index)
    for code in dims:
        out[code] = agg[code].astype(float).to_numpy()
    if rated is not None:
        t = rated.table.reindex(units.index)
        grades = t["grade"].astype(object).where(t["grade"].notna(), None)
        if lang == "en":  # the scheme's English band names (its codes may be 优/良/中/差)
            grades = grades.map(lambda g: None if g is None else grade_label(rated.scheme, g, lang))
        out["grade"] = grades.to_numpy()
        if "stars" in t.columns:
            out["stars"] = t["stars"].astype("Int64").to_numpy()
        out["veto"] = t["veto"].astype(object).where(t["veto"].notna(), None).to_numpy()
    if ua is not None:
        f = ua.to_frame().reindex(units.index)
        pairs = zip(f["rank_q05"], f["rank_q95"], strict=True)
        bounds = [rank_interval(lo, hi) for lo, hi in pairs]
        out["rank_q05"] = pd.array([b[0] for b in bounds], dtype="Int64")
        out["rank_q95"] = pd.array([b[1] for b in bounds], dtype="Int64")
    out["status"] = [pick(x, lang) for x in status_labels(ev).reindex(codes)]
    out = out.sort_values(["rank", "uCode"], na_position="last", kind="stable")
    return out.reset_index(drop=True)


def league_csv(
    ev: Evaluation,
    *,
    lang: Literal["zh", "en"] = "zh",
    rated: Any = None,
    ua: Any = None,
    synthetic: bool = False,
) -> bytes:
    """``league_table.csv`` for reading (UTF-8 with BOM, CRLF, Excel-friendly).

    Columns: ``uCode, uName, score, rank`` (these four names are fixed), one column per
    dimension headed "code name" (e.g. ``MECH 工作机制``), then grade/stars/veto and the
    rank interval when present, ``status`` (in ``lang``), and ``data`` = "合成数据 /
    synthetic" ("synthetic" in English) on every row when the data are synthetic. Scores are
    rounded to ``CSV_DECIMALS`` decimals (full precision stays in ``results.xlsx``); units
    that are not rated have an empty score and rank and say why in ``status``. Text that a
    spreadsheet would evaluate gets a leading apostrophe.
    """
    table = league_table(ev, lang=lang, rated=rated, ua=ua)
    fw = ev.framework
    dims = dimension_codes(ev)
    table[["score", *dims]] = table[["score", *dims]].round(CSV_DECIMALS)
    table = table.rename(columns={c: f"{c} {fw[c].name(lang)}" for c in dims})
    if synthetic:
        table["data"] = "synthetic" if lang == "en" else "合成数据 / synthetic"  # as the PDFs
    for col in table.columns:
        if not pd.api.types.is_numeric_dtype(table[col]):
            table[col] = table[col].map(csv_safe).astype(object)
    text = table.to_csv(index=False, lineterminator="\r\n", float_format=f"%.{CSV_DECIMALS}f")
    return text.encode("utf-8-sig")


def what_it_takes_csv(ev: Evaluation, rated: Any, lang: Literal["zh", "en"] = "zh") -> bytes:
    """``what_it_takes.csv`` (晋级路径): every rated unit's verified plan to the next better
    grade, in long format (:func:`integrity_eval.rating.what_it_takes_all`: one row per
    unit and changed indicator; a unit at the top grade or blocked by a veto has one row
    without changes). With ``lang="en"`` grades by the scheme's English names, indicator
    names, units, blocking rules, responsible units and clauses in English. UTF-8 with
    BOM, CRLF; formula-like text gets a leading apostrophe."""
    from ..rating import what_it_takes_all

    table = what_it_takes_all(ev, rated)
    if lang == "en":
        table = _in_english(table, ev, rated)
    for col in table.columns:
        if not pd.api.types.is_numeric_dtype(table[col]):
            table[col] = table[col].map(csv_safe).astype(object)
    return table.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def _in_english(table: pd.DataFrame, ev: Evaluation, rated: Any) -> pd.DataFrame:
    """The text columns of a what-it-takes table in English (codes and numbers unchanged)."""
    fw = ev.source_framework or ev.framework
    cite = citer(fw, None, "en")
    out = table.copy()
    for col in ("grade_before", "target", "grade_after"):
        out[col] = [None if pd.isna(g) else grade_label(rated.scheme, g, "en") for g in out[col]]
    for col in ("name", "blocking"):
        out[col] = [g if pd.isna(g) else pick(g, "en") for g in out[col]]
    out["unit"] = [u if pd.isna(u) else split_unit(u, "en") for u in out["unit"]]
    out["responsible"] = [
        r if pd.isna(c) else "; ".join(fw.responsible_of(c, "en"))
        for c, r in zip(out["iCode"], out["responsible"], strict=True)
    ]
    # the node's own source, cited in English (the table's clause is already the Chinese title)
    out["clause"] = [
        c if pd.isna(c) or pd.isna(code) else cite(fw[code].source or "")
        for code, c in zip(out["iCode"], out["clause"], strict=True)
    ]
    return out
