"""What the reports say, as plain data: one dict per unit report and one for the overall report.

The templates only lay these dicts out, and the notebooks show the same tables, so the
research view (``07_unit_report``) and the deliverable agree. Ratings, uncertainty,
grade probabilities and breach records are optional inputs read by duck typing:

- ``rated.table``: by uCode, ``score, grade_by_score, grade, veto`` (``stars`` optional);
  ``rated.scheme.bands`` = ``[(label, lower edge or None), …]`` best first,
  ``rated.scheme.name``; a :class:`~integrity_eval.rating.Rated` also gives the band
  names (``scheme.grade_name``), the veto rules and the rules that fired (``fired``);
- ``ua.to_frame()``: by uCode, ``nominal_rank, rank_q05, rank_q95, score_q05, score_q95, …``
  (no ``score_*`` columns when the alternatives mix scales, ``ua.mixed_scales``);
  ``ua.n``, ``ua.inputs`` (list of dicts), ``ua.rank_shift``;
- ``grade_probs``: units × grade labels, plus a bool ``borderline`` column;
- ``records``: uCode → DataFrame of the breach records that counted for the unit;
- ``cover``: the engagement's cover (:meth:`integrity_eval.engagement.Engagement.cover`);
- ``corrections``: the review corrections applied (uCode, iCode, old, new, reason,
  evidence, by, date).

Findings are ordered by severity (issue 18): the veto rules that capped the grade, then
the indicators not reported, then every indicator on which the unit ranks in the worst
quarter of the rated units, worst first. Ranks count the rated units only. An indicator
is a strength only when the unit ranks in the best quarter, better than the median, on a
value that most units do not share; never both a strength and a weakness.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..engagement import STATUSES
from ..ranking import min_rank
from .method import citer, grade_label, is_points, method_section, pick
from .text import (
    RECORD_COLUMNS,
    RECORD_VALUES,
    format_value,
    name_of_unit,
    tr,
)

#: Strengths shown at most (the best-ranked first); weaknesses are all shown.
MAX_STRENGTHS = 5

__all__ = [
    "failed_periods",
    "findings",
    "format_value",
    "history_of",
    "overall_content",
    "unit_content",
]


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
def profile_codes(fw: Any) -> list[str]:
    """The aggregates a profile shows: the level just above the indicators when it has at
    most 30 elements, else the dimensions (children of the root)."""
    if fw.n_levels <= 2:
        return list(fw.children[fw.root]) or fw.indicators
    below = fw.codes_at(2)
    return below if len(below) <= 30 else list(fw.children[fw.root])


def _unscored_row(ev: Any, code: str, lang: str) -> dict[str, Any] | None:
    """Why unit ``code`` has no score, in ``lang``: a short label and a sentence."""
    uns = ev.unscored
    if code not in uns.index:
        return None
    row = uns.loc[code]
    n_rep, n_ind = row.get("n_reported"), row.get("n_indicators")
    status = row.get("status")
    thresh = (ev.spec.get("screen") or {}).get("dat_thresh")
    if n_rep is not None and n_ind is not None and pd.notna(n_rep) and status != "forced":
        label = tr("not_rated_short", lang)
        reason = tr("not_rated_count", lang, n=int(n_rep), m=int(n_ind))
        if status == "screened" and thresh is not None:
            reason += tr("not_rated_rule", lang, pct=f"{100 * float(thresh):g}")
        elif status == "no_data":
            reason += tr("not_rated_no_data", lang)
    else:
        label = tr("not_rated_short", lang)
        reason = tr("not_rated_forced", lang)
    return {"label": label, "reason": reason}


def _rating_row(rated: Any, code: str, lang: str) -> dict[str, Any] | None:
    if rated is None or code not in rated.table.index:
        return None
    r = rated.table.loc[code]
    if r.get("grade") is None or (isinstance(r.get("grade"), float) and pd.isna(r["grade"])):
        return None
    stars = r.get("stars") if "stars" in rated.table.columns else None
    scheme = rated.scheme
    return {
        "grade": grade_label(scheme, r["grade"], lang),
        "grade_by_score": grade_label(scheme, r["grade_by_score"], lang),
        "capped": r["grade"] != r["grade_by_score"],
        "stars": None if stars is None or pd.isna(stars) else int(stars),
        "veto": _veto_names(rated, code, lang),
    }


def _veto_names(rated: Any, code: str, lang: str) -> str:
    """The names of the rules that fired for ``code``, in ``lang``."""
    fired = getattr(rated, "fired", None)
    sep = "；" if lang == "zh" else "; "
    if isinstance(fired, pd.DataFrame) and len(fired):
        rows = fired[fired["uCode"].astype(str) == str(code)]
        return sep.join(rows["rule_en" if lang == "en" else "rule_zh"].astype(str))
    veto = rated.table.at[code, "veto"] if "veto" in rated.table.columns else ""
    return "" if veto is None or (isinstance(veto, float) and pd.isna(veto)) else str(veto)


def _ua_frame(ua: Any) -> pd.DataFrame | None:
    return None if ua is None else ua.to_frame()


def _provenance(ev: Any, manifest: Mapping[str, Any] | None, lang: str) -> list[tuple[str, str]]:
    m = dict(ev.manifest if manifest is None else manifest)
    fw = m.get("framework") or {}
    rows = [
        (tr("run_id", lang), str(m.get("run_id") or "")),
        (tr("version", lang), f"integrity-eval {m.get('version', '')}"),
        (tr("seed", lang), str(m.get("seed", ev.seed))),
        (tr("hash_framework", lang), str(fw.get("hash", ""))),
        (tr("hash_spec", lang), str(m.get("spec_hash", ""))),
        (tr("hash_data", lang), str((m.get("inputs") or {}).get("idata_hash", ""))),
        (tr("hash_run", lang), str(m.get("run_hash", ""))),
    ]
    rows += _inputs_by_role(m.get("input_files") or [], lang)
    return [(k, v) for k, v in rows if v and v not in ("None", "—")]


# Roles of a run's input files (manifest ``input_files``) → report label keys.
INPUT_ROLES = {
    "data": "in_data",
    "dataset file": "in_dataset",
    "framework": "in_framework",
    "spec": "in_spec",
    "rating": "in_rating",
    "corrections": "in_corrections",
    "engagement": "in_engagement",
}


def _inputs_by_role(files: list[Mapping[str, Any]], lang: str) -> list[tuple[str, str]]:
    """Each input file described by its role, with its fingerprint (the first 16 hex
    digits of its SHA-256); the files' names stay in manifest.json. A bundled data set's
    files make one row, fingerprinted by the SHA-256 of their hashes in name order."""
    rows: dict[str, list[str]] = {}
    for f in files:
        role = INPUT_ROLES.get(str(f.get("role")))
        if role and f.get("sha256"):
            rows.setdefault(role, []).append(str(f["sha256"]))
    out = []
    for role, hashes in rows.items():
        digest = hashes[0] if len(hashes) == 1 else _combined_sha256(hashes)
        out.append((tr(role, lang), f"SHA-256 {digest[:16]}"))
    return out


def _combined_sha256(hashes: list[str]) -> str:
    return hashlib.sha256("\n".join(hashes).encode("ascii")).hexdigest()


def _common(
    ev: Any,
    lang: str,
    agency: str | None,
    synthetic: bool,
    manifest: Mapping[str, Any] | None,
    cover: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    fw = ev.source_framework or ev.framework
    cover = dict(cover or {})
    fw_title = (fw.title_en if lang == "en" else fw.title_zh) or fw.title_zh or fw.title_en
    title = pick(cover.get("title"), lang) or fw_title or tr("overall_report", lang)
    period = cover.get("period") or (None if ev.time is None else str(ev.time))
    status = cover.get("status")
    client = pick(cover.get("client"), lang) or None
    facts = (("head_period", period), ("head_client", client), ("head_agency", agency))
    head = " · ".join(tr(key, lang, x=value) for key, value in facts if value)
    return {
        "lang": lang,
        "html_lang": "en" if lang == "en" else "zh-CN",
        "t": lambda key, **kw: tr(key, lang, **kw),
        "title": title,
        "framework_title": fw_title or "—",
        "framework_hash": fw.hash[:12],
        "period": period,
        "client": client,
        "running_head": f"{title}\n{head}" if head else title,
        "draft": pick(STATUSES["draft"], lang) if status == "draft" else None,
        "agency": agency or tr("agency_unset", lang),
        "date": _dt.date.today().isoformat(),
        "synthetic": synthetic,
        "provenance": _provenance(ev, manifest, lang),
    }


# ----------------------------------------------------------------- findings
def _indicator_ranks(ev: Any) -> tuple[pd.DataFrame, pd.DataFrame, pd.Index]:
    """Direction-adjusted raw values of the rated units, their ranks (1 = best, ties min,
    NaN for a blank) and the rated units."""
    fw = ev.framework
    rated_units = ev.scores.index
    raw = ev.get_dset("Raw").reindex(index=rated_units, columns=fw.indicators)
    signed = raw * pd.Series(fw.directions).reindex(fw.indicators).to_numpy()
    ranks = pd.DataFrame(
        min_rank(signed.to_numpy(dtype=float), descending=True),
        index=rated_units,
        columns=fw.indicators,
    )
    return signed, ranks, rated_units


def findings(ev: Any, code: str, *, rated: Any = None, lang: str = "zh", cite: Any = None) -> dict:
    """The findings of rated unit ``code`` by severity (module docstring): ``vetoes``,
    ``blank`` (indicators not reported), ``weaknesses`` (every indicator in the worst
    quarter, worst first) and ``strengths``; each with value, median of the rated units,
    rank among them, responsible units and clause."""
    fw = ev.framework
    cite = cite or citer(ev.source_framework or fw, None, lang)
    signed, ranks, units = _indicator_ranks(ev)
    n = len(units)
    quarter = max(1, math.ceil(n / 4))
    raw = ev.get_dset("Raw")
    out: dict[str, list[dict[str, Any]]] = {
        "vetoes": [],
        "blank": [],
        "weaknesses": [],
        "strengths": [],
    }
    if code not in ranks.index:
        return out

    def item(c: str, rank: Any = None) -> dict[str, Any]:
        node = fw[c]
        median = float(np.nanmedian(raw.loc[units, c].to_numpy(dtype=float)))
        parent = fw[node.parent].name(lang) if node.parent else ""
        return {
            "code": c,
            "name": node.name(lang),
            "group": parent,
            "rank": None if rank is None else int(rank),
            "value": format_value(raw.at[code, c], node.unit, lang),
            "median": format_value(median, node.unit, lang),
            "responsible": _join(fw.responsible_of(c, lang), lang),
            "source": cite(node.source),
        }

    fired = getattr(rated, "fired", None)
    if isinstance(fired, pd.DataFrame) and len(fired):
        scheme = rated.scheme
        full = ev.source_framework or fw
        vals = ev.raw_values
        for _, r in fired[fired["uCode"].astype(str) == str(code)].iterrows():
            node = full[r["indicator"]]
            veto = next(v for v in scheme.vetoes if v.name("zh") == r["rule_zh"])
            out["vetoes"].append(
                {
                    "code": node.code,
                    "rule": r["rule_en" if lang == "en" else "rule_zh"],
                    "name": node.name(lang),
                    "value": format_value(vals.at[code, node.code], node.unit, lang),
                    "cap": grade_label(scheme, r["cap"], lang),
                    "responsible": _join(full.responsible_of(node.code, lang), lang),
                    "source": cite(veto.source or node.source),
                }
            )
    row = ranks.loc[code]
    blank = [c for c in fw.indicators if not np.isfinite(row[c])]
    out["blank"] = [item(c) for c in blank]
    signed_row = signed.loc[code]
    medians = signed.median()
    weak, strong = [], []
    for c in fw.indicators:
        r = row[c]
        if not np.isfinite(r):
            continue
        v = signed_row[c]
        if r > n - quarter and v < medians[c]:
            weak.append((-r, float(v - medians[c]), c))
        elif r <= quarter and v > medians[c]:
            shared = int((signed[c] == v).sum())
            if shared <= n / 2:
                strong.append((r, c))
    capped = {v["code"] for v in out["vetoes"]}  # listed first, with the rule
    weak = [w for w in weak if w[2] not in capped]
    out["weaknesses"] = [item(c, row[c]) for _, _, c in sorted(weak, key=lambda t: (t[0], t[1]))]
    strong = sorted(strong, key=lambda t: t[0])[:MAX_STRENGTHS]
    out["strengths"] = [item(c, row[c]) for _, c in strong]
    return out


def _join(names: Any, lang: str) -> str:
    return ("、" if lang == "zh" else ", ").join(str(n) for n in names)


def _recommendations(found: dict[str, Any], n: int, lang: str, policy: str) -> list[str]:
    """Improvement notes in the order of the findings: vetoes, blanks, weaknesses."""
    notes = []
    for v in found["vetoes"]:
        text = tr("rec_veto", lang, rule=v["rule"], name=v["name"], value=v["value"], cap=v["cap"])
        notes.append(text + _resp_source(v, lang))
    if found["blank"]:
        names = _join([b["name"] for b in found["blank"]], lang)
        notes.append(tr(f"rec_blank_{policy}", lang, n=len(found["blank"]), names=names))
    for w in found["weaknesses"]:
        text = tr(
            "improve_item",
            lang,
            name=w["name"],
            n=n,
            rank=w["rank"],
            value=w["value"],
            median=w["median"],
        )
        notes.append(text + _resp_source(w, lang))
    if notes:
        notes.append(tr("improve_action", lang))
    return notes


def _resp_source(item: Mapping[str, Any], lang: str) -> str:
    parts = []
    if item.get("responsible"):
        parts.append(tr("improve_resp", lang, resp=item["responsible"]))
    if item.get("source"):
        parts.append(tr("improve_source", lang, source=item["source"]))
    return "".join(parts) if lang == "zh" else "".join(" " + p for p in parts)


# ------------------------------------------------------------- what it takes
def _plan_section(ev: Any, code: str, rated: Any, lang: str, cite: Any) -> dict[str, Any] | None:
    """The 晋级路径 / What it takes section of a rated unit below the top grade
    (:func:`integrity_eval.rating.what_it_takes`), in the report's language."""
    from ..rating import Rated, what_it_takes

    if not isinstance(rated, Rated) or code not in ev.scores.index:
        return None
    section = what_it_takes(ev, code, rated=rated).section()
    if section is None:
        return None
    scheme = rated.scheme
    blocking = []
    for name in section["blocking"]:  # the plan names them "中文 / English"
        veto = next((v for v in scheme.vetoes if name.startswith(v.name("zh"))), None)
        blocking.append(veto.name(lang) if veto is not None else name)
    sentence = section["sentence"]["en" if lang == "en" else "zh"]
    if blocking:
        sentence = tr("plan_blocked", lang, rules=_join(blocking, lang))
    fw = ev.source_framework or ev.framework
    rows = []
    for _, r in section["table"].iterrows():
        node = fw[r["iCode"]]
        rows.append(
            {
                "name": node.name(lang),
                "from": format_value(r["from_value"], node.unit, lang),
                "to": format_value(r["to_value"], node.unit, lang),
                "responsible": _join(fw.responsible_of(node.code, lang), lang),
                "source": cite(node.source),
            }
        )
    return {"sentence": sentence, "rows": rows, "blocking": blocking}


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
    cover: Mapping[str, Any] | None = None,
    corrections: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """Everything the report of unit ``code`` shows (see the module docstring for inputs).

    ``history``: a Panel or a mapping period → Evaluation (:func:`history_of`; None: this
    period only). ``methodology``: the annex, when the caller computed it once for all units."""
    fw = ev.framework
    cite = citer(ev.source_framework or fw, cover, lang)
    points = is_points(ev)
    hist = history_of(ev, history)
    prev_time, prev = _previous(hist)
    raw = ev.get_dset("Raw")
    agg = ev.get_dset("Aggregated") if "Aggregated" in ev.dset_names else None
    norm = ev.get_dset("Normalised")
    scores = ev.scores
    scored = code in scores.index
    n_scored = len(scores)
    out = _common(ev, lang, agency, synthetic, manifest, cover)
    out.update(
        {"code": code, "name": name_of_unit(ev, code, lang), "scored": scored, "points": points}
    )

    # --- result
    result: dict[str, Any] = {"n": n_scored}
    if scored:
        result["score"] = _num(scores[code], 0 if points else 2)
        result["rank"] = int(ev.ranks[code])
    else:
        result["unscored"] = _unscored_row(ev, code, lang) or {
            "label": tr("not_rated_short", lang),
            "reason": "",
        }
    result["rating"] = _rating_row(rated, code, lang)
    frame = _ua_frame(ua)
    if scored and frame is not None and code in frame.index:
        r = frame.loc[code]
        result["rank_interval"] = rank_interval(r["rank_q05"], r["rank_q95"])
        if "score_q05" in r.index:  # left out when the alternatives mix scales
            result["score_interval"] = (_num(r["score_q05"], 1), _num(r["score_q95"], 1))
    if scored and grade_probs is not None and code in grade_probs.index:
        gp = grade_probs.loc[code]
        labels = [c for c in grade_probs.columns if c != "borderline"]
        scheme = getattr(rated, "scheme", None)
        result["grade_probs"] = [
            (grade_label(scheme, g, lang), f"{100 * float(gp[g]):.0f}%") for g in labels
        ]
        result["borderline"] = bool(gp.get("borderline", False))
    out["result"] = result

    # --- missing parts (a rated unit: what is missing from its score)
    row_raw = raw.loc[code] if code in raw.index else pd.Series(dtype=float)
    missing_inds = [
        fw[c].name(lang) for c in fw.indicators if not np.isfinite(row_raw.get(c, np.nan))
    ]
    missing_aggs = []
    if scored and agg is not None and code in agg.index:
        for c in profile_codes(fw):
            if c in agg.columns and not np.isfinite(agg.at[code, c]):
                missing_aggs.append(fw[c].name(lang))
    out["missing"] = {
        "aggregates": missing_aggs,
        "indicators": missing_inds,
        "policy": tr(f"missing_policy_{ev.missing_policy}", lang),
    }

    # --- profile (numbers; the writer draws the chart)
    pcodes = profile_codes(fw)
    out["profile"] = None
    if scored and agg is not None and not points:
        block = agg.reindex(columns=pcodes).loc[agg.index.intersection(scores.index)]
        unit_row = agg.reindex(columns=pcodes).loc[code]
        out["profile"] = {
            "names": [fw[c].name(lang) for c in pcodes],
            "unit": [float(unit_row[c]) for c in pcodes],
            "median": block.median().tolist(),
            "best": block.max().tolist(),
        }

    # --- indicator table
    _, iranks, _ = _indicator_ranks(ev)
    prev_raw = prev.get_dset("Raw") if prev is not None else None
    prev_ranks = _indicator_ranks(prev)[1] if prev is not None else None
    groups = []
    for parent in fw.codes_at(2):
        rows = []
        for c in fw.children[parent]:
            node = fw[c]
            if not node.is_indicator:
                continue
            v = row_raw.get(c, np.nan)
            rank = iranks.at[code, c] if code in iranks.index else np.nan
            change = ""
            if prev_raw is not None and code in prev_raw.index and c in prev_raw.columns:
                change = _change(node, v, prev_raw.at[code, c], rank, prev_ranks, code, lang)
            rows.append(
                {
                    "name": node.name(lang),
                    "value": format_value(v, node.unit, lang),
                    "norm": _num(norm.at[code, c], 1)
                    if scored and code in norm.index and c in norm.columns
                    else "—",
                    "rank": "—" if not np.isfinite(rank) else int(rank),
                    "change": change or "—",
                }
            )
        if rows:
            groups.append({"name": fw[parent].name(lang), "rows": rows})
    out["indicator_groups"] = groups
    out["has_previous"] = prev is not None
    out["previous"] = None if prev_time is None else str(prev_time)

    # --- findings by severity, recommendations, what it takes
    found = findings(ev, code, rated=rated, lang=lang, cite=cite) if scored else None
    out["findings"] = found
    out["improvements"] = (
        _recommendations(found, n_scored, lang, ev.missing_policy) if found is not None else []
    )
    out["plan"] = _plan_section(ev, code, rated, lang, cite) if scored else None

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

    # --- corrections applied to this unit
    out["corrections"] = _correction_rows(corrections, code, fw, lang)

    out["annex"] = _annex(ev, methodology, lang, rated, ua, cover, corrections, grade_probs)
    out["full_tree"] = False
    out["tree_note"] = tr("tree_note_unit", lang)
    return out


def _change(node: Any, v: Any, pv: Any, rank: Any, prev_ranks: Any, code: str, lang: str) -> str:
    """The change of one indicator since the previous period, with its rank change."""
    change = ""
    if np.isfinite(v) and np.isfinite(pv):
        d = float(v) - float(pv)
        kind = node.unit.split(" / ", 1)[0]
        if not d:
            change = tr("unchanged", lang)
        elif kind == "比率":
            change = tr("points", lang, d=100 * d)
        elif kind == "是否":
            change = format_value(pv, node.unit, lang) + " → " + format_value(v, node.unit, lang)
        else:
            change = f"{d:+.3g}"
    if (
        prev_ranks is not None
        and code in prev_ranks.index
        and node.code in prev_ranks.columns
        and np.isfinite(rank)
    ):
        pr = prev_ranks.at[code, node.code]
        if np.isfinite(pr):
            delta = int(pr) - int(rank)
            word = (
                tr("rank_up", lang, n=delta)
                if delta > 0
                else tr("rank_down", lang, n=-delta)
                if delta < 0
                else tr("rank_same", lang)
            )
            change = f"{change}（{word}）" if lang == "zh" else f"{change} ({word})".strip()
    return change


def _correction_rows(
    corrections: pd.DataFrame | None, code: str, fw: Any, lang: str
) -> list[dict[str, str]]:
    """The review corrections applied to unit ``code``, for its annex."""
    if corrections is None or not len(corrections):
        return []
    rows = []
    table = corrections[corrections["uCode"].astype(str) == str(code)]
    for _, r in table.iterrows():
        c = str(r.get("iCode", ""))
        node = fw[c] if c in fw else None
        unit = node.unit if node is not None else ""
        rows.append(
            {
                "name": node.name(lang) if node is not None else c,
                "old": _corr_value(r.get("old"), unit, lang),
                "new": _corr_value(r.get("new"), unit, lang),
                "reason": _corr_text(r.get("reason")),
                "evidence": _corr_text(r.get("evidence")),
                "by": _corr_text(r.get("by")),
                "date": _corr_text(r.get("date"))[:10],
            }
        )
    return rows


def _corr_text(v: Any) -> str:
    """A ledger cell as text ("" for a blank)."""
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)


def _corr_value(v: Any, unit: str, lang: str) -> str:
    """A corrected value as the report prints values ("—" for a blank)."""
    try:
        return format_value(float(v), unit, lang)
    except (TypeError, ValueError):
        return "—"


def _record_rows(recs: pd.DataFrame, lang: str) -> dict[str, Any]:
    """Breach records with headers and codes in the report's language."""
    i = 1 if lang == "en" else 0
    cols = [str(c) for c in recs.columns]
    head = [RECORD_COLUMNS.get(c, (c, c))[i] for c in cols]
    rows = []
    for rec in recs.astype(object).where(recs.notna(), "").itertuples(index=False):
        rows.append([RECORD_VALUES.get(v, (v, v))[i] if isinstance(v, str) else v for v in rec])
    return {"head": head, "rows": rows}


# ----------------------------------------------------------- overall report
def _annex(
    ev: Any,
    methodology: dict[str, Any] | None,
    lang: str,
    rated: Any,
    ua: Any,
    cover: Mapping[str, Any] | None,
    corrections: pd.DataFrame | None,
    grade_probs: pd.DataFrame | None,
) -> dict[str, Any]:
    """The method section: the one the caller computed for every report of a run
    (:func:`~integrity_eval.report.write.write` passes the overall report's to every
    unit's), else computed here."""
    if methodology is not None:
        return methodology
    return method_section(
        ev,
        lang=lang,
        rated=rated,
        ua=ua,
        cover=cover,
        corrections=corrections,
        grade_probs=grade_probs,
    )


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
    cover: Mapping[str, Any] | None = None,
    corrections: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """Everything the overall report shows: ranking, grades, heatmap, changes, annex.

    ``failed``: earlier periods that could not be built (:func:`failed_periods`), named
    under the changes."""
    fw = ev.framework
    points = is_points(ev)
    out = _common(ev, lang, agency, synthetic, manifest, cover)
    out["points"] = points
    scores, ranks = ev.scores, ev.ranks
    frame = _ua_frame(ua)
    rows = []
    for code in ranks.sort_values(kind="stable").index:
        rating = _rating_row(rated, code, lang)
        row = {
            "code": code,
            "name": name_of_unit(ev, code, lang),
            "score": _num(scores[code], 0 if points else 2),
            "score_value": float(scores[code]),
            "rank": int(ranks[code]),
            "grade": "" if rating is None else rating["grade"],
            "stars": None if rating is None else rating["stars"],
            "veto": "" if rating is None else rating["veto"],
            "interval": None,
        }
        if frame is not None and code in frame.index:
            row["interval"] = rank_interval(frame.at[code, "rank_q05"], frame.at[code, "rank_q95"])
        if grade_probs is not None and code in grade_probs.index:
            row["borderline"] = bool(grade_probs.at[code, "borderline"])
        rows.append(row)
    out["ranking"] = rows
    out["unscored"] = [
        {"code": c, "name": name_of_unit(ev, c, lang), **(_unscored_row(ev, c, lang) or {})}
        for c in ev.unscored.index
    ]
    out["n_units"] = len(ev.get_dset("Raw"))
    out["n_scored"] = len(scores)
    out["has_rating"] = rated is not None
    out["has_ua"] = frame is not None
    out["has_stars"] = rated is not None and "stars" in rated.table.columns
    out["has_veto"] = any(r["veto"] for r in rows)
    out["grade_counts"] = None
    if rated is not None:
        labels = [str(b[0]) for b in rated.scheme.bands]
        grades = rated.table["grade"].dropna().astype(str)
        counts = grades.value_counts().reindex(labels, fill_value=0)
        counts.index = [grade_label(rated.scheme, g, lang) for g in labels]
        out["grade_counts"] = counts
        out["grade_table"] = [
            {"grade": g, "n": int(n), "share": f"{100 * n / max(len(grades), 1):.0f}%"}
            for g, n in counts.items()
        ]
    # heatmap: units best first × profile aggregates
    pcodes = profile_codes(fw)
    out["heatmap"] = None
    if "Aggregated" in ev.dset_names and not points:
        agg = ev.get_dset("Aggregated").reindex(columns=pcodes)
        order = list(ranks.sort_values(kind="stable").index)
        hm = agg.loc[order]
        hm.index = [name_of_unit(ev, c, lang) for c in order]
        hm.columns = [fw[c].name(lang) for c in pcodes]
        out["heatmap"] = hm
    # changes since the previous period
    hist = history_of(ev, history)
    prev_time, prev = _previous(hist)
    out["changes"] = _changes(ev, prev, rated, lang, points) if prev is not None else None
    out["previous"] = None if prev_time is None else str(prev_time)
    out["failed_periods"] = list(failed or [])
    out["annex"] = _annex(ev, methodology, lang, rated, ua, cover, corrections, grade_probs)
    out["full_tree"] = True
    out["tree_note"] = ""
    return out


def _changes(ev: Any, prev: Any, rated: Any, lang: str, points: bool) -> dict[str, Any]:
    """Score, rank and grade of every unit rated in both periods, biggest movers first."""
    common = ev.ranks.index.intersection(prev.ranks.index)
    prev_grades = None
    scheme = getattr(rated, "scheme", None)
    if scheme is not None and hasattr(scheme, "vetoes"):
        from ..rating import rate

        prev_grades = rate(prev, scheme, lang=lang).table["grade"]
    delta = (prev.ranks[common] - ev.ranks[common]).astype(int)
    order = sorted(common, key=lambda c: (-abs(int(delta[c])), int(ev.ranks[c])))
    digits = 0 if points else 2
    rows = []
    for c in order:
        d = int(delta[c])
        row = {
            "name": name_of_unit(ev, c, lang),
            "prev_score": _num(prev.scores[c], digits),
            "score": _num(ev.scores[c], digits),
            "d_score": f"{float(ev.scores[c] - prev.scores[c]):+.{digits}f}",
            "prev_rank": int(prev.ranks[c]),
            "rank": int(ev.ranks[c]),
            "change": tr("rank_up", lang, n=d)
            if d > 0
            else tr("rank_down", lang, n=-d)
            if d < 0
            else tr("rank_same", lang),
            "prev_grade": "",
            "grade": "",
        }
        if prev_grades is not None and c in prev_grades.index:
            row["prev_grade"] = grade_label(scheme, prev_grades[c], lang)
            row["grade"] = grade_label(scheme, rated.table.at[c, "grade"], lang)
        rows.append(row)
    moved = [r for r in rows if r["prev_rank"] != r["rank"]]
    return {
        "rows": rows,
        "has_grades": prev_grades is not None,
        "n_moved": len(moved),
        "n_grade_changed": sum(1 for r in rows if r["prev_grade"] != r["grade"]),
    }
