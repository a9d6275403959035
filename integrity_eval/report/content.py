"""What the reports say, as plain data: one dict per unit report and one for the overall report.

The templates only lay these dicts out, and the notebooks show the same tables, so the
research view (``07_unit_report``) and the deliverable agree. Ratings, uncertainty,
grade probabilities and breach records are optional inputs read by duck typing:

- ``rated.table``: by uCode, ``score, grade_by_score, grade, veto`` (``stars`` optional);
  ``rated.scheme.bands`` = ``[(label, lower edge or None), …]`` best first,
  ``rated.scheme.name``;
- ``ua.to_frame()``: by uCode, ``nominal_rank, rank_q05, rank_q95, score_q05, score_q95, …``;
  ``ua.n``, ``ua.inputs`` (list of dicts), ``ua.rank_shift``;
- ``grade_probs``: units × grade labels, plus a bool ``borderline`` column;
- ``records``: uCode → DataFrame of the breach records that counted for the unit.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .text import RECORD_COLUMNS, RECORD_VALUES, describe_spec, tr

__all__ = ["failed_periods", "format_value", "history_of", "overall_content", "unit_content"]


# ----------------------------------------------------------------- formatting
def _split_unit(unit: str, lang: str) -> str:
    """Framework units are written "件 / records": pick the language's half."""
    if " / " in unit:
        zh, en = unit.split(" / ", 1)
        return en if lang == "en" else zh
    return unit


def format_value(value: Any, unit: str = "", lang: str = "zh") -> str:
    """A raw indicator value for reading: rates (0–1) as percentages, yes/no as words,
    counts without decimals, other numbers to a sensible precision, with the unit."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    v = float(value)
    kind = unit.split(" / ", 1)[0]
    if kind == "比率":
        return f"{100 * v:.1f}%"
    if kind == "是否":
        return ("是" if v >= 0.5 else "否") if lang == "zh" else ("yes" if v >= 0.5 else "no")
    if v.is_integer():
        text = f"{int(v):,}"
    elif abs(v) >= 100:
        text = f"{v:,.1f}"
    elif abs(v) >= 1:
        text = f"{v:.2f}"
    else:
        text = f"{v:.3f}"
    u = _split_unit(unit, lang)
    if kind in ("比值",):
        return text
    return f"{text} {u}".strip()


def _num(v: Any, digits: int = 1) -> str:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return "—"
    return "—" if not math.isfinite(f) else f"{f:.{digits}f}"


def rank_interval(q05: Any, q95: Any) -> tuple[int | None, int | None]:
    """The whole-rank interval shown for a 5–95 % rank interval: ``(⌊q05⌋, ⌈q95⌉)``.

    Percentiles of simulated ranks fall between ranks (COINr's and NumPy's default
    interpolation). The smallest interval of whole ranks containing them never
    claims more precision than the simulation gave: 4.6–6.4 is shown as 4–7,
    where rounding would show the narrower 5–6.
    """

    def whole(v: Any, fn: Any) -> int | None:
        try:
            f = float(v)
        except (TypeError, ValueError):
            return None
        return int(fn(f)) if math.isfinite(f) else None

    return whole(q05, math.floor), whole(q95, math.ceil)


_DOC = re.compile(r"\b(\d{3})_[0-9a-f]{8,}\.txt\b")


def cite(source: str) -> str:
    """A source clause for reading: ``004_eb7a51c6d53126fb.txt §二.5`` → ``004 §二.5``
    (the annex lists which file each number is)."""
    return _DOC.sub(r"\1", source)


def cited_documents(fw: Any) -> list[str]:
    """The source files the framework cites, in order of first mention."""
    seen: dict[str, None] = {}
    for text in [fw.source, *(n.source for n in fw.nodes)]:
        for m in _DOC.finditer(text or ""):
            seen.setdefault(m.group(0), None)
    return list(seen)


# ------------------------------------------------------------------- history
def history_of(ev: Any, history: Any = None) -> dict[Any, Any]:
    """The Evaluations of every period up to ``ev``'s, oldest first, ``ev`` last.

    ``history``: a :class:`~integrity_eval.panel.Panel` (e.g.
    :func:`integrity_eval.panel.history`) or a mapping period → Evaluation; None: ``ev``
    alone (the report shows no changes). The report builds nothing itself; the periods a
    Panel could not build are listed by :func:`failed_periods`.
    """
    evs = dict(getattr(history, "evaluations", history or {}))
    key = ev.time if ev.time is not None else "current"
    evs = {t: e for t, e in evs.items() if ev.time is None or t < ev.time}
    evs[key] = ev
    return dict(sorted(evs.items(), key=lambda kv: str(kv[0])))


def failed_periods(history: Any) -> list[dict[str, str]]:
    """The periods of a history Panel that could not be built, with their problems."""
    failed = getattr(history, "failed", None) or {}
    return [{"period": str(t), "reason": str(r)} for t, r in failed.items()]


def _previous(hist: Mapping[Any, Any]) -> tuple[Any, Any] | tuple[None, None]:
    items = list(hist.items())
    return items[-2] if len(items) >= 2 else (None, None)


# ------------------------------------------------------------------ pieces
def _name(ev: Any, code: str, lang: str) -> str:
    units = ev.units
    col = "uName_en" if lang == "en" and "uName_en" in units.columns else "uName"
    if col in units.columns and code in units.index:
        v = units.at[code, col]
        if isinstance(v, str) and v.strip():
            return v
    return str(code)


def profile_codes(fw: Any) -> list[str]:
    """The aggregates a profile shows: the level just above the indicators when it has at
    most 30 elements, else the dimensions (children of the root)."""
    if fw.n_levels <= 2:
        return list(fw.children[fw.root]) or fw.indicators
    below = fw.codes_at(2)
    return below if len(below) <= 30 else list(fw.children[fw.root])


def _unscored_row(ev: Any, code: str, lang: str) -> dict[str, Any] | None:
    uns = ev.unscored
    if code not in uns.index:
        return None
    row = uns.loc[code]
    label = row.get("label") if hasattr(row, "get") else None
    n_rep, n_ind = row.get("n_reported"), row.get("n_indicators")
    if not isinstance(label, str) or not label:
        if n_rep is not None and n_ind is not None and pd.notna(n_rep):
            label = (
                f"不予评级：仅报送 {int(n_rep)} / {int(n_ind)} 项指标"
                if lang == "zh"
                else f"not rated: {int(n_rep)} of {int(n_ind)} indicators reported"
            )
        else:
            label = tr("not_rated", lang)
    elif " / " in label:
        zh, en = label.split(" / ", 1)
        label = en if lang == "en" else zh
    return {"label": label, "reason": str(row["reason"])}


def _rating_row(rated: Any, code: str) -> dict[str, Any] | None:
    if rated is None or code not in rated.table.index:
        return None
    r = rated.table.loc[code]
    stars = r.get("stars") if "stars" in rated.table.columns else None
    veto = r.get("veto", "")
    return {
        "grade": str(r["grade"]),
        "grade_by_score": str(r["grade_by_score"]),
        "stars": None if stars is None or pd.isna(stars) else int(stars),
        "veto": "" if veto is None or (isinstance(veto, float) and pd.isna(veto)) else str(veto),
    }


def _scheme(rated: Any, lang: str) -> dict[str, Any] | None:
    if rated is None:
        return None
    bands = list(rated.scheme.bands)
    rows = []
    for i, (label, edge) in enumerate(bands):
        upper = bands[i - 1][1] if i > 0 else None
        if edge is None:
            rng = f"< {upper:g}" if upper is not None else "—"
        elif upper is None:
            rng = f"≥ {edge:g}"
        else:
            rng = f"{edge:g} ≤ … < {upper:g}"
        rows.append({"label": str(label), "range": rng})
    return {
        "name": str(getattr(rated.scheme, "name", "") or ""),
        "bands": rows,
        "labels": [str(b[0]) for b in bands],
    }


def _ua_frame(ua: Any) -> pd.DataFrame | None:
    return None if ua is None else ua.to_frame()


def _ua_summary(ua: Any, lang: str) -> str | None:
    if ua is None:
        return None
    frame = ua.to_frame()
    width = float((frame["rank_q95"] - frame["rank_q05"]).mean())
    paths = []
    for inp in getattr(ua, "inputs", []) or []:
        path = str(inp.get("path", ""))
        if "noise" in inp:
            paths.append(f"{path} ±{100 * float(inp['noise']):g}%")
        else:
            paths.append(path)
    inputs = ("、" if lang == "zh" else ", ").join(paths) or "—"
    return tr("ua_summary", lang, n=ua.n, inputs=inputs, width=width, shift=float(ua.rank_shift))


def _methodology(ev: Any, lang: str, rated: Any, ua: Any) -> dict[str, Any]:
    fw = ev.framework
    eff = ev.effective_weights
    tree = []
    for node in fw.nodes:
        tree.append(
            {
                "code": node.code,
                "name": node.name(lang),
                "level": fw.level_label(node.level, lang),
                "depth": fw.n_levels - node.level,
                "weight": ""
                if node.parent is None
                else f"{float(ev.weights.get(node.code, node.weight)):g}",
                "eff": _num(100 * float(eff.get(node.code, np.nan)), 1) + "%"
                if node.code in eff.index
                else "",
                "direction": ""
                if not node.is_indicator
                else tr("dir_neg" if node.direction < 0 else "dir_pos", lang),
                "unit": _split_unit(node.unit, lang),
                "source": cite(node.source),
                "is_indicator": node.is_indicator,
            }
        )
    return {
        "documents": [f"{d[:3]} = {d}" for d in cited_documents(fw)],
        "tree": tree,
        "steps": describe_spec(ev.spec, lang),
        "scheme": _scheme(rated, lang),
        "uncertainty": _ua_summary(ua, lang),
    }


def _provenance(ev: Any, manifest: Mapping[str, Any] | None, lang: str) -> list[tuple[str, str]]:
    m = dict(ev.manifest if manifest is None else manifest)
    fw = m.get("framework") or {}
    rows = [
        (tr("run_id", lang), str(m.get("run_id", "—"))),
        (tr("version", lang), f"integrity-eval {m.get('version', '')}"),
        (tr("seed", lang), str(m.get("seed", ev.seed))),
        (tr("hash_framework", lang), str(fw.get("hash", ""))),
        (tr("hash_spec", lang), str(m.get("spec_hash", ""))),
        (tr("hash_data", lang), str((m.get("inputs") or {}).get("idata_hash", ""))),
        (tr("hash_run", lang), str(m.get("run_hash", ""))),
    ]
    for f in m.get("input_files") or []:
        if f.get("sha256"):
            rows.append(
                (tr("input_files", lang), f"{f.get('name') or f.get('path')}  {f['sha256']}")
            )
    return rows


def _common(
    ev: Any, lang: str, agency: str | None, synthetic: bool, manifest: Mapping[str, Any] | None
) -> dict[str, Any]:
    fw = ev.framework
    return {
        "lang": lang,
        "html_lang": "en" if lang == "en" else "zh-CN",
        "t": lambda key, **kw: tr(key, lang, **kw),
        "framework_title": (fw.title_en if lang == "en" else fw.title_zh) or fw.name,
        "framework_name": fw.name,
        "framework_hash": fw.hash[:12],
        "period": "—" if ev.time is None else str(ev.time),
        "agency": agency or tr("agency_unset", lang),
        "date": _dt.date.today().isoformat(),
        "synthetic": synthetic,
        "provenance": _provenance(ev, manifest, lang),
    }


# ------------------------------------------------------------- unit report
def unit_content(
    ev: Any,
    code: str,
    *,
    lang: str = "zh",
    rated: Any = None,
    ua: Any = None,
    grade_probs: pd.DataFrame | None = None,
    records: Mapping[str, pd.DataFrame] | None = None,
    agency: str | None = None,
    manifest: Mapping[str, Any] | None = None,
    history: Any = None,
    synthetic: bool = False,
    methodology: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything the report of unit ``code`` shows (see the module docstring for inputs).

    ``history``: a Panel or a mapping period → Evaluation (:func:`history_of`; None: this
    period only). ``methodology``: the annex, when the caller computed it once for all units."""
    from ..analysis import strengths_weaknesses

    fw = ev.framework
    hist = history_of(ev, history)
    prev_time, prev = _previous(hist)
    raw = ev.get_dset("Raw")
    agg = ev.get_dset("Aggregated") if "Aggregated" in ev.dset_names else None
    norm = ev.get_dset("Normalised")
    scores = ev.scores
    scored = code in scores.index
    n_scored = len(scores)
    out = _common(ev, lang, agency, synthetic, manifest)
    out.update({"code": code, "name": _name(ev, code, lang), "scored": scored})

    # --- result
    result: dict[str, Any] = {"n": n_scored}
    if scored:
        result["score"] = _num(scores[code], 2)
        result["rank"] = int(ev.ranks[code])
    else:
        result["unscored"] = _unscored_row(ev, code, lang) or {
            "label": tr("not_rated", lang),
            "reason": "",
        }
    result["rating"] = _rating_row(rated, code)
    frame = _ua_frame(ua)
    if frame is not None and code in frame.index:
        r = frame.loc[code]
        result["rank_interval"] = rank_interval(r["rank_q05"], r["rank_q95"])
        result["score_interval"] = (_num(r["score_q05"], 1), _num(r["score_q95"], 1))
    if grade_probs is not None and code in grade_probs.index:
        gp = grade_probs.loc[code]
        labels = [c for c in grade_probs.columns if c != "borderline"]
        result["grade_probs"] = [(str(g), f"{100 * float(gp[g]):.0f}%") for g in labels]
        result["borderline"] = bool(gp.get("borderline", False))
    out["result"] = result

    # --- missing parts
    missing_aggs = []
    if agg is not None and code in agg.index:
        for c in fw.codes_at(2) if fw.n_levels > 2 else list(fw.children[fw.root]):
            if c in agg.columns and not np.isfinite(agg.at[code, c]):
                missing_aggs.append(fw[c].name(lang))
    else:
        missing_aggs = [fw[c].name(lang) for c in fw.children[fw.root]]
    row_raw = raw.loc[code] if code in raw.index else pd.Series(dtype=float)
    missing_inds = [
        fw[c].name(lang) for c in fw.indicators if not np.isfinite(row_raw.get(c, np.nan))
    ]
    out["missing"] = {"aggregates": missing_aggs, "indicators": missing_inds}

    # --- profile (numbers; the writer draws the chart)
    pcodes = profile_codes(fw)
    if agg is not None:
        block = agg.reindex(columns=pcodes).loc[agg.index.intersection(scores.index)]
        unit_row = agg.reindex(columns=pcodes).loc[code] if code in agg.index else None
        out["profile"] = {
            "names": [fw[c].name(lang) for c in pcodes],
            "unit": [np.nan if unit_row is None else float(unit_row[c]) for c in pcodes],
            "median": block.median().tolist(),
            "best": block.max().tolist(),
        }

    # --- indicator table
    nranks = ev.get_ranks("Normalised").loc[norm.index.intersection(scores.index)]
    prev_raw = prev.get_dset("Raw") if prev is not None else None
    prev_ranks = None
    if prev is not None:
        pn = prev.get_dset("Normalised")
        prev_ranks = prev.get_ranks("Normalised").loc[pn.index.intersection(prev.scores.index)]
    groups = []
    for parent in fw.codes_at(2):
        rows = []
        for c in fw.children[parent]:
            node = fw[c]
            if not node.is_indicator:
                continue
            v = row_raw.get(c, np.nan)
            rank = nranks.at[code, c] if code in nranks.index else np.nan
            change = ""
            if prev_raw is not None and code in prev_raw.index:
                pv = prev_raw.at[code, c]
                if np.isfinite(v) and np.isfinite(pv):
                    d = float(v) - float(pv)
                    kind = node.unit.split(" / ", 1)[0]
                    points = tr("points", lang, d=100 * d)
                    change = (points if kind == "比率" else f"{d:+.3g}") if d else "0"
                if prev_ranks is not None and code in prev_ranks.index and np.isfinite(rank):
                    pr = prev_ranks.at[code, c]
                    if np.isfinite(pr):
                        delta = int(pr) - int(rank)
                        change += "（" if lang == "zh" else " ("
                        change += (
                            tr("rank_up", lang, n=delta)
                            if delta > 0
                            else tr("rank_down", lang, n=-delta)
                            if delta < 0
                            else tr("rank_same", lang)
                        )
                        change += "）" if lang == "zh" else ")"
            rows.append(
                {
                    "code": c,
                    "name": node.name(lang),
                    "value": format_value(v, node.unit, lang),
                    "norm": _num(norm.at[code, c], 1) if code in norm.index else "—",
                    "rank": "—" if not np.isfinite(rank) else int(rank),
                    "change": change or ("—" if prev is None else ""),
                }
            )
        if rows:
            groups.append({"name": fw[parent].name(lang), "rows": rows})
    out["indicator_groups"] = groups
    out["has_previous"] = prev is not None
    out["previous"] = None if prev_time is None else str(prev_time)

    # --- strengths and weaknesses, improvement notes
    sw = None
    if code in raw.index and scored:
        n_avail = int(np.isfinite(row_raw.reindex(fw.indicators).to_numpy(dtype=float)).sum())
        top = max(1, min(5, n_avail // 2, len(fw.indicators)))
        if n_avail >= 2:
            sw = strengths_weaknesses(ev, code, dset="Raw", top_n=top, lang=lang)
    out["strengths"] = _sw_rows(sw.strengths, fw, lang) if sw is not None else []
    out["weaknesses"] = _sw_rows(sw.weaknesses, fw, lang) if sw is not None else []
    out["improvements"] = _improvements(ev, code, sw, raw, lang) if sw is not None else []
    out["n_units_raw"] = len(raw)

    # --- records
    # (records given: every unit gets the section, "none counted" when it has none)
    recs = None if records is None else records.get(code, pd.DataFrame())
    out["records"] = None if recs is None else _record_rows(recs, lang)

    # --- trend
    trend = []
    for t, e in hist.items():
        if code in e.scores.index:
            trend.append((str(t), float(e.scores[code]), int(e.ranks[code]), len(e.scores)))
    out["trend"] = trend

    out["annex"] = methodology if methodology is not None else _methodology(ev, lang, rated, ua)
    out["full_tree"] = False
    out["tree_note"] = tr("tree_note_unit", lang)
    return out


def _record_rows(recs: pd.DataFrame, lang: str) -> dict[str, Any]:
    """Breach records with headers and codes in the report's language."""
    i = 1 if lang == "en" else 0
    cols = [str(c) for c in recs.columns]
    head = [RECORD_COLUMNS.get(c, (c, c))[i] for c in cols]
    rows = []
    for rec in recs.astype(object).where(recs.notna(), "").itertuples(index=False):
        rows.append([RECORD_VALUES.get(v, (v, v))[i] if isinstance(v, str) else v for v in rec])
    return {"head": head, "rows": rows}


def _sw_rows(table: pd.DataFrame, fw: Any, lang: str) -> list[dict[str, Any]]:
    level_col = table.columns[2] if "Code" in table.columns else table.columns[1]
    rows = []
    for _, r in table.iterrows():
        node = fw[r["Code"]]
        parent = r[level_col]
        rows.append(
            {
                "name": node.name(lang),
                "group": fw[parent].name(lang) if parent in fw else str(parent),
                "rank": int(r["Rank"]),
                "value": format_value(r["Value"], node.unit, lang),
            }
        )
    return rows


def _improvements(ev: Any, code: str, sw: Any, raw: pd.DataFrame, lang: str) -> list[str]:
    fw = ev.framework
    n = len(raw)
    notes = []
    for _, r in sw.weaknesses.iloc[::-1].iterrows():
        node = fw[r["Code"]]
        median = raw[r["Code"]].median()
        text = tr(
            "improve_item",
            lang,
            name=node.name(lang),
            n=n,
            rank=int(r["Rank"]),
            value=format_value(r["Value"], node.unit, lang),
            median=format_value(median, node.unit, lang),
        )
        if node.responsible:
            text += tr(
                "improve_resp", lang, resp=("、" if lang == "zh" else ", ").join(node.responsible)
            )
        if node.source:
            text += tr("improve_source", lang, source=cite(node.source))
        notes.append(text)
    if notes:
        notes.append(tr("improve_action", lang))
    return notes


# ----------------------------------------------------------- overall report
def overall_content(
    ev: Any,
    *,
    lang: str = "zh",
    rated: Any = None,
    ua: Any = None,
    grade_probs: pd.DataFrame | None = None,
    agency: str | None = None,
    manifest: Mapping[str, Any] | None = None,
    history: Any = None,
    synthetic: bool = False,
    methodology: dict[str, Any] | None = None,
    failed: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    """Everything the overall report shows: ranking, grades, heatmap, movers, annex.

    ``failed``: earlier periods that could not be built (:func:`failed_periods`), named
    under the movers."""
    fw = ev.framework
    out = _common(ev, lang, agency, synthetic, manifest)
    scores, ranks = ev.scores, ev.ranks
    frame = _ua_frame(ua)
    rows = []
    for code in ranks.sort_values(kind="stable").index:
        rating = _rating_row(rated, code)
        row = {
            "code": code,
            "name": _name(ev, code, lang),
            "score": _num(scores[code], 2),
            "score_value": float(scores[code]),
            "rank": int(ranks[code]),
            "grade": "" if rating is None else rating["grade"],
            "stars": None if rating is None else rating["stars"],
            "veto": "" if rating is None else rating["veto"],
            "interval": None,
        }
        if frame is not None and code in frame.index:
            row["interval"] = rank_interval(frame.at[code, "rank_q05"], frame.at[code, "rank_q95"])
            row["median_rank"] = (
                float(frame.at[code, "median_rank"]) if "median_rank" in frame else None
            )
        if grade_probs is not None and code in grade_probs.index:
            row["borderline"] = bool(grade_probs.at[code, "borderline"])
        rows.append(row)
    out["ranking"] = rows
    out["unscored"] = [
        {"code": c, "name": _name(ev, c, lang), **(_unscored_row(ev, c, lang) or {})}
        for c in ev.unscored.index
    ]
    out["n_units"] = len(ev.get_dset("Raw"))
    out["n_scored"] = len(scores)
    out["has_rating"] = rated is not None
    out["has_ua"] = frame is not None
    out["has_stars"] = rated is not None and "stars" in rated.table.columns
    if rated is not None:
        labels = [str(b[0]) for b in rated.scheme.bands]
        grades = rated.table["grade"].astype(str)
        out["grade_counts"] = grades.value_counts().reindex(labels, fill_value=0)
    # heatmap: units best first × profile aggregates
    pcodes = profile_codes(fw)
    if "Aggregated" in ev.dset_names:
        agg = ev.get_dset("Aggregated").reindex(columns=pcodes)
        order = list(ranks.sort_values(kind="stable").index)
        hm = agg.loc[order]
        hm.index = [_name(ev, c, lang) for c in order]
        hm.columns = [fw[c].name(lang) for c in pcodes]
        out["heatmap"] = hm
    # movers
    hist = history_of(ev, history)
    prev_time, prev = _previous(hist)
    movers = []
    if prev is not None:
        common = ranks.index.intersection(prev.ranks.index)
        change = (prev.ranks[common] - ranks[common]).sort_values(ascending=False, kind="stable")
        picks = list(change.index[:5]) + [
            c for c in change.index[::-1][:5] if c not in change.index[:5]
        ]
        for c in picks:
            d = int(change[c])
            if d == 0:
                continue
            movers.append(
                {
                    "name": _name(ev, c, lang),
                    "prev": int(prev.ranks[c]),
                    "rank": int(ranks[c]),
                    "change": tr("rank_up", lang, n=d) if d > 0 else tr("rank_down", lang, n=-d),
                }
            )
    out["movers"] = movers
    out["previous"] = None if prev_time is None else str(prev_time)
    out["failed_periods"] = list(failed or [])
    out["annex"] = methodology if methodology is not None else _methodology(ev, lang, rated, ua)
    out["full_tree"] = True
    out["tree_note"] = ""
    return out


def methodology(ev: Any, *, lang: str = "zh", rated: Any = None, ua: Any = None) -> dict[str, Any]:
    """The methodology annex (framework tree, steps, rating scheme, uncertainty), computed
    once and shared by every report of a run."""
    return _methodology(ev, lang, rated, ua)
