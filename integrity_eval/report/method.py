"""The method section of the reports: what the run applied, in plain words (issue 18).

Every sentence is generated from the Evaluation, the rating and the uncertainty result a
run used — the normalisation with each indicator's goalposts, the missing-value policy,
the screening rule, the excluded and constant indicators, every veto rule with its
condition, cap and document, where the grade edges come from, the uncertainty analysis
and the corrections applied — so that the report discloses every rule that changed a
result, and nothing it did not apply. Documents are cited by title and number (the
framework's or the engagement's ``citations:``), never by file name; no parameter name,
method id or scheme id reaches the reader.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from .text import (
    METHOD_NAMES,
    english_names_missing,
    format_value,
    name_of_unit,
    split_unit,
    tr,
)

__all__ = [
    "citer",
    "edges_source",
    "grade_label",
    "is_points",
    "method_section",
    "pick",
    "split_text",
    "veto_rows",
]

_OPS = {
    ">": ("大于", "above"),
    ">=": ("不少于", "at least"),
    "<": ("小于", "below"),
    "<=": ("不超过", "at most"),
    "==": ("等于", "equal to"),
    "!=": ("不等于", "other than"),
}
_KIT_DEFAULT = ("本工具默认", "kit default", "this kit's default")


# ------------------------------------------------------------------ small helpers
def pick(pair: tuple[str, str] | Mapping[str, str] | None, lang: str) -> str:
    """The ``lang`` half of ``(zh, en)`` or ``{"zh": …, "en": …}`` ("" for None)."""
    if pair is None:
        return ""
    if isinstance(pair, Mapping):
        first, second = (
            (pair.get("en"), pair.get("zh"))
            if lang == "en"
            else (
                pair.get("zh"),
                pair.get("en"),
            )
        )
        return str(first or second or "")
    return pair[1] if lang == "en" else pair[0]


def split_text(text: str, lang: str) -> str:
    """The ``lang`` half of a framework text written "中文 / English" (else the text)."""
    text = " ".join(str(text or "").split())
    if " / " in text:
        zh, en = text.split(" / ", 1)
        return en.strip() if lang == "en" else zh.strip()
    return text


def citer(fw: Any, cover: Mapping[str, Any] | None, lang: str = "zh") -> Callable[[str], str]:
    """``cite(text)``: a source clause with each document's file name replaced by its
    title and number — the engagement's ``citations`` first, then the framework's; in
    English their ``citations_en`` before both (a document without an English title keeps
    its Chinese one). In English, a clause's Chinese note is rendered (``(第三类)`` →
    "(category 3)", the category of government breach in the seed documents) or, being a
    Chinese gloss of the clause cited, left out, and the clause's Chinese numbering is
    given in figures."""
    cover = cover or {}
    ours = {"citations": cover.get("citations"), "citations_en": cover.get("citations_en")}

    def cite(text: str) -> str:
        text = fw.cite(str(text or ""), lang, **ours)
        return _english_clause(_english_notes(text)) if lang == "en" else text

    return cite


_CATEGORY = re.compile(r"\(第([一二三四五六七八九十])类\)")
_CJK_NOTE = re.compile(r"\s+\([^()]*[\u3400-\u9fff][^()]*\)")
_NUMERALS = "一二三四五六七八九十"
_CLAUSE = re.compile(r"§([一二三四五六七八九十0-9().–-]+(?:是)?)")
_CHINESE_NUMBER = re.compile(r"[一二三四五六七八九十]+")


def _english_notes(text: str) -> str:
    text = _CATEGORY.sub(lambda m: f"(category {_NUMERALS.index(m.group(1)) + 1})", text)
    return _CJK_NOTE.sub("", text)


def _english_clause(text: str) -> str:
    """The clause numbers of ``text`` (``§二.(三).3``, ``§一.一是``, ``§一–三``) in figures, as
    an English citation of a Chinese document gives them: ``§2.(3).3``, ``§1, point 1``
    (``一是``: the document's "first, …"), ``§1–3``.

    >>> _english_clause("《…》（沪发改信〔2018〕5号） §二.(三).3; … §一.一是 (category 3)")
    '《…》（沪发改信〔2018〕5号） §2.(3).3; … §1, point 1 (category 3)'
    """

    def clause(m: re.Match[str]) -> str:
        body = _CHINESE_NUMBER.sub(lambda n: str(_chinese_number(n.group(0))), m.group(1))
        body = re.sub(r"\.(\d+)是$", r", point \1", body)
        return "§" + body

    return _CLAUSE.sub(clause, text)


def _chinese_number(text: str) -> int:
    """A Chinese numeral from 一 to 九十九 as a number (``十二`` → 12, ``二十`` → 20).

    >>> [_chinese_number(t) for t in ("一", "十", "十五", "二十", "三十七")]
    [1, 10, 15, 20, 37]
    """
    if "十" not in text:
        return _NUMERALS.index(text) + 1
    tens, _, ones = text.partition("十")
    return (_NUMERALS.index(tens) + 1 if tens else 1) * 10 + (
        _NUMERALS.index(ones) + 1 if ones else 0
    )


def is_points(ev: Any) -> bool:
    """Whether the build totals points (a points framework's default spec)."""
    method = (ev.spec.get("aggregate") or {}).get("method")
    methods = method if isinstance(method, list | tuple) else [method]
    return "points" in methods


def grade_label(scheme: Any, grade: Any, lang: str) -> str:
    """A grade as a reader sees it: the scheme's name of the band in ``lang``."""
    if grade is None or (isinstance(grade, float) and math.isnan(grade)):
        return ""
    name = getattr(scheme, "grade_name", None)
    if name is None:
        return str(grade)
    try:
        return str(name(grade, lang))
    except KeyError:
        return str(grade)


def number(v: float) -> str:
    """A threshold or edge as written: no trailing zeros."""
    return f"{float(v):g}"


def percent(v: float) -> str:
    return f"{100 * float(v):g} %"


# ------------------------------------------------------------------ rating parts
def veto_rows(ev: Any, scheme: Any, lang: str, cite: Callable[[str], str]) -> list[dict[str, str]]:
    """Every veto rule of ``scheme`` in words: name, condition, cap and document."""
    fw = ev.source_framework or ev.framework
    rows = []
    for v in getattr(scheme, "vetoes", ()) or ():
        node = fw[v.indicator] if v.indicator in fw else None
        ind = node.name(lang) if node is not None else v.indicator
        value = format_value(v.value, node.unit if node is not None else "", lang)
        op = pick(_OPS.get(v.op, (v.op, v.op)), lang)
        cap = grade_label(scheme, v.cap, lang)
        yes_no = node is not None and node.unit.split(" / ", 1)[0] == "是否"
        if yes_no and (v.op, float(v.value)) in ((">", 0.0), (">=", 1.0), ("==", 1.0)):
            condition = f"「{ind}」为「是」" if lang == "zh" else f"“{ind}” is yes"
        else:
            condition = f"「{ind}」{op} {value}" if lang == "zh" else f"“{ind}” {op} {value}"

        rows.append(
            {
                "name": v.name(lang),
                "indicator": v.indicator,
                "condition": condition,
                "cap": cap,
                "text": (
                    f"{condition}的单位，等级最高为「{cap}」"
                    if lang == "zh"
                    else f"a unit with {condition} is rated at most “{cap}”"
                ),
                "source": cite(v.source) if v.source else "",
            }
        )
    return rows


def edges_source(
    scheme: Any, cover: Mapping[str, Any] | None, lang: str, cite: Callable[[str], str] = str
) -> str:
    """Where the grade edges come from: the engagement's ``edges_source``, a calibration,
    the scheme's documented source, or the kit's default."""
    given = pick((cover or {}).get("edges_source"), lang)
    if given:
        return given
    calib = getattr(scheme, "calibration", None)
    if calib:
        how = str(calib.get("method", "")) if isinstance(calib, Mapping) else ""
        words = {
            "shares": ("按目标等级分布校准", "calibrated to a target distribution of grades"),
            "anchors": ("按锚定单位校准", "calibrated to anchor units"),
            "ordinal_logit": (
                "按往期专家评级校准（有序 logit 模型）",
                "calibrated to past expert grades (ordinal logit)",
            ),
            "isotonic": (
                "按往期专家评级校准（保序回归）",
                "calibrated to past expert grades (isotonic regression)",
            ),
        }
        return pick(words.get(how, ("经校准得出", "calibrated")), lang)
    source = split_text(getattr(scheme, "source", "") or "", lang)
    if source and not source.startswith(_KIT_DEFAULT):
        return cite(source)
    return tr("edges_kit_default", lang)


def _bands(scheme: Any, lang: str, points: bool) -> list[dict[str, str]]:
    unit = tr("points_unit", lang) if points else tr("score_unit", lang)
    bands = list(scheme.bands)
    rows = []
    for i, (code, edge) in enumerate(bands):
        upper = bands[i - 1][1] if i > 0 else None
        if edge is None:
            rng = tr("range_below", lang, hi=number(upper), unit=unit) if upper is not None else "—"
        elif upper is None:
            rng = tr("range_from", lang, lo=number(edge), unit=unit)
        else:
            rng = tr("range_between", lang, lo=number(edge), hi=number(upper), unit=unit)
        rows.append({"label": grade_label(scheme, code, lang), "range": rng})
    return rows


def _edge_rule(scheme: Any, lang: str) -> str:
    code, edge = scheme.bands[0]
    if edge is None:
        return ""
    return tr("edge_rule", lang, grade=grade_label(scheme, code, lang), edge=number(edge))


# ------------------------------------------------------------------ AHP
def _ahp_words(ev: Any, lang: str) -> str | None:
    """One clause per AHP matrix behind the weights: its CR, flagged above 0.1 (the
    report's form of the CR lines of ``ev.summary()``); None without AHP weights."""
    from ..weights.ahp import ahp_consistency

    table = ahp_consistency(ev)
    if table.empty:
        return None
    fw = ev.framework
    parts = []
    for parent, r in table.iterrows():
        name = fw[parent].name(lang) if parent in fw else str(parent)
        if math.isfinite(r["CR"]):
            text = tr("m_ahp_matrix", lang, name=name, cr=f"{r['CR']:.3f}")
        else:
            text = tr("m_ahp_priorities", lang, name=name)
        if not r["consistent"]:
            text += tr("m_ahp_inconsistent", lang)
        if r["experts"] > 1:
            text += tr("m_ahp_experts", lang, n=int(r["experts"]))
        if r["dropped"]:
            text += tr("m_ahp_dropped", lang, names=r["dropped"])
        parts.append(text)
    return tr("m_ahp", lang, matrices=("；" if lang == "zh" else "; ").join(parts))


# ------------------------------------------------------------------ uncertainty
def _ua_words(ua: Any, ev: Any, lang: str, no_grade_probs: bool = False) -> str | None:
    if ua is None:
        return None
    parts = []
    sep = "；" if lang == "zh" else "; "
    for inp in getattr(ua, "inputs", []) or []:
        path = str(inp.get("path", ""))
        if path == "weights" and "noise" in inp:
            parts.append(tr("ua_weights", lang, pct=f"{100 * float(inp['noise']):g}"))
        elif path == "exclude":
            parts.append(tr("ua_exclude", lang))
        elif path in ("aggregate__method", "aggregate"):
            names = [
                pick(METHOD_NAMES.get(str(_method(v)), (str(_method(v)),) * 2), lang)
                for v in inp.get("values", [])
            ]
            parts.append(tr("ua_aggregate", lang, methods=_join(names, lang)))
        elif path in ("normalise", "normalise__method"):
            names = [
                pick(METHOD_NAMES.get(str(_method(v)), (str(_method(v)),) * 2), lang)
                for v in inp.get("values", [])
            ]
            parts.append(tr("ua_normalise", lang, methods=_join(names, lang)))
        elif path in ("treat", "treat__method"):
            parts.append(tr("ua_treat", lang))
        elif path in ("impute", "impute__method"):
            parts.append(tr("ua_impute", lang))
        else:
            parts.append(tr("ua_other", lang))
    frame = ua.to_frame()
    width = float((frame["rank_q95"] - frame["rank_q05"]).mean())
    words = tr(
        "ua_words",
        lang,
        n=ua.n,
        varied=sep.join(parts) or "—",
        width=f"{width:.1f}",
        shift=f"{float(getattr(ua, 'rank_shift', 0.0)):.2f}",
    )
    if getattr(ua, "mixed_scales", False):
        words += ("" if lang == "zh" else " ") + tr("ua_mixed", lang)
        if no_grade_probs:
            words += ("" if lang == "zh" else " ") + tr("ua_mixed_grades", lang)
    return words


def _method(v: Any) -> Any:
    return v.get("method") if isinstance(v, Mapping) else v


def _join(items: list[str], lang: str) -> str:
    if lang == "zh":
        return "、".join(items)
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# ------------------------------------------------------------------ the section
def method_section(
    ev: Any,
    *,
    lang: str = "zh",
    rated: Any = None,
    ua: Any = None,
    cover: Mapping[str, Any] | None = None,
    corrections: pd.DataFrame | None = None,
    grade_probs: Any = None,
) -> dict[str, Any]:
    """The method section as data: ``items`` (``heading``, ``text``, ``list``, ``tail``,
    in the order the build applied them), ``bands`` and ``vetoes`` (rows), ``edges_source``,
    ``goalposts`` (one row per indicator with its worst and best values and their
    source), ``goalpost_notes`` (each distinct reason once) and ``tree`` (the framework
    with weights, effective weights, directions and clauses). Computed once per run and
    shared by every report. Under uncertainty alternatives that mix score scales the
    section says why there are no score intervals and, for a rated run without
    ``grade_probs``, no grade probabilities."""
    fw = ev.framework
    spec = ev.spec
    cite = citer(ev.source_framework or fw, cover, lang)
    points = is_points(ev)
    items: list[dict[str, Any]] = []
    n_units = len(ev.get_dset("Raw"))
    n_ind = len(fw.indicators)

    # data and blanks
    data = [tr("m_data", lang, n=n_units, m=n_ind)]
    blanks = ev.blanks
    policy = ev.missing_policy
    data.append(tr(f"m_missing_{policy}", lang))
    if len(blanks):
        data.append(tr("m_blanks", lang, cells=len(blanks), units=blanks["uCode"].nunique()))
    if "denominate" in spec and spec["denominate"] is not None and fw.denominators:
        data.append(tr("m_denominate", lang))
    n_corr = 0 if corrections is None else len(corrections)
    if n_corr:
        data.append(tr("m_corrections", lang, n=n_corr))
    if lang == "en" and (no_english := english_names_missing(ev)):
        data.append(tr("m_names_as_reported", lang, n=len(no_english), m=len(ev.units)))
    items.append(_item(tr("m_h_data", lang), data))

    # screening
    screen = spec.get("screen")
    if screen:
        text = [tr("m_screen", lang, pct=f"{100 * float(screen.get('dat_thresh', 0.66)):g}")]
        uns = ev.unscored
        if len(uns):
            names = [name_of_unit(ev, c, lang) for c in uns.index]
            text.append(tr("m_screened", lang, n=len(uns), names=_join(names, lang)))
        else:
            text.append(tr("m_screened_none", lang))
        items.append(_item(tr("m_h_screen", lang), text))

    # outliers
    treat = spec.get("treat")
    if treat:
        n_points = int((ev.treated_points.astype(str) != "").to_numpy().sum())
        items.append(_item(tr("m_h_treat", lang), [tr("m_treat", lang, n=n_points)]))

    # scoring: normalisation and aggregation
    scoring = []
    norm = spec.get("normalise") or {}
    if points:
        base = (spec.get("aggregate") or {}).get("base")
        cap = (spec.get("aggregate") or {}).get("bonus_cap")
        scoring.append(tr("m_points", lang, base=number(base or 0)))
        if cap is not None:
            scoring.append(tr("m_bonus_cap", lang, cap=number(cap)))
        scoring.append(tr("m_points_items", lang))
    else:
        method = str(norm.get("method", ""))
        if method == "goalposts":
            scoring.append(tr("m_goalposts", lang, scale=number(norm.get("scale", 100))))
        elif method == "minmax":
            lo, hi = norm.get("l_u", [0, 100])
            scoring.append(tr("m_minmax", lang, lo=number(lo), hi=number(hi)))
        elif method:
            name = pick(METHOD_NAMES.get(method, (method, method)), lang)
            scoring.append(tr("m_normalise_other", lang, method=name))
        agg = (spec.get("aggregate") or {}).get("method", "amean")
        aggs = agg if isinstance(agg, list | tuple) else [agg]
        names = list(dict.fromkeys(pick(METHOD_NAMES.get(a, (a, a)), lang) for a in aggs))
        scoring.append(tr("m_aggregate", lang, method=_join(names, lang)))
        scoring.append(tr("m_weights", lang))
        ahp = _ahp_words(ev, lang)
        if ahp:
            scoring.append(ahp)
    items.append(_item(tr("m_h_scoring", lang), scoring))

    # excluded and constant indicators
    left_out = []
    excl = ev.excluded
    for _, r in excl.iterrows():
        name = r["name_en"] if lang == "en" else r["name_zh"]
        reason = split_text(str(r["reason"]), lang)
        if "所有下级" in str(r["reason"]):
            reason = tr("m_excluded_empty", lang)
        elif "被排除" in str(r["reason"]):
            reason = tr("m_excluded_parent", lang)
        elif "exclude" in str(r["reason"]):
            reason = tr("m_excluded_spec", lang)
        left_out.append(f"{name}：{reason}" if lang == "zh" else f"{name}: {reason}")
    for code in ev.constant:
        left_out.append(tr("m_constant", lang, name=fw[code].name(lang)))
    if left_out:
        tail = []
        if getattr(rated, "scheme", None) is not None and getattr(rated.scheme, "vetoes", None):
            tail.append(tr("m_vetoes_still", lang))
        items.append(_item(tr("m_h_left_out", lang), [tr("m_left_out", lang)], left_out, tail))

    # rating
    rating: dict[str, Any] | None = None
    if rated is not None:
        scheme = rated.scheme
        rating = {
            "title": pick((getattr(scheme, "title_zh", ""), getattr(scheme, "title_en", "")), lang),
            "bands": _bands(scheme, lang, points),
            "edge_rule": _edge_rule(scheme, lang),
            "edges_source": edges_source(scheme, cover, lang, cite),
            "vetoes": veto_rows(ev, scheme, lang, cite),
            "vetoes_dropped": bool(getattr(scheme, "replaced_vetoes", ())),
        }

    # uncertainty
    ua_text = _ua_words(ua, ev, lang, rated is not None and grade_probs is None)
    if ua is None and points:
        ua_text = tr("ua_points", lang)

    # goalposts annex
    goalposts, notes = [], {}
    if not points and str(norm.get("method", "")) == "goalposts":
        for code in fw.indicators:
            node = fw[code]
            wb = node.worst_best
            if wb is None:
                continue
            reason = split_text(node.goalposts_source, lang)
            if reason.startswith(_KIT_DEFAULT):
                key = notes.setdefault(reason, len(notes) + 1)
                source = tr("gp_kit", lang, k=key)
            else:  # the report's language of a "中文 / English" text, its documents cited
                source = cite(reason)
            goalposts.append(
                {
                    "name": node.name(lang),
                    "worst": format_value(wb[0], node.unit, lang),
                    "best": format_value(wb[1], node.unit, lang),
                    "source": source,
                }
            )
    return {
        "tree": _tree(ev, lang, cite, points),
        "items": items,
        "rating": rating,
        "uncertainty": ua_text,
        "goalposts": goalposts,
        "goalpost_notes": [
            {"k": k, "text": _strip_kit(t, lang)}
            for t, k in sorted(notes.items(), key=lambda kv: kv[1])
        ],
        "points": points,
    }


def _tree(ev: Any, lang: str, cite: Any, points: bool) -> list[dict[str, Any]]:
    fw = ev.framework
    eff = ev.effective_weights
    tree = []
    for node in fw.nodes:
        direction = ""
        if node.is_indicator:
            if points:
                direction = tr("bonus" if node.direction > 0 else "deduction", lang)
            else:
                direction = tr("dir_neg" if node.direction < 0 else "dir_pos", lang)
        tree.append(
            {
                "name": node.name(lang),
                "level": fw.level_label(node.level, lang),
                "depth": fw.n_levels - node.level,
                "weight": ""
                if node.parent is None
                else f"{float(ev.weights.get(node.code, node.weight)):g}",
                "eff": f"{100 * float(eff[node.code]):.1f}%" if node.code in eff.index else "",
                "direction": direction,
                "unit": split_unit(node.unit, lang),
                "source": cite(node.source),
                "is_indicator": node.is_indicator,
            }
        )
    return tree


def _item(
    heading: str, text: list[str], listed: list[str] | None = None, tail: list[str] | None = None
) -> dict[str, Any]:
    """One part of the method section: a heading, sentences, an optional list and
    sentences after it."""
    return {"heading": heading, "text": text, "list": listed or [], "tail": tail or []}


def _strip_kit(text: str, lang: str) -> str:
    for prefix in ("本工具默认：", "kit default: ", "本工具默认:", "kit default:"):
        if text.startswith(prefix):
            return text[len(prefix) :].strip()
    return text
