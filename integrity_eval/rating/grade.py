"""Rating units: grade by score, veto caps, the final grade (``docs/rating.md``).

``rate(ev, scheme)`` grades every scored unit by its score (a score equal to an
edge gets the better grade), then applies the scheme's veto rules to the **raw**
indicator values: a unit meeting a rule's condition is capped at the rule's grade;
when several rules fire the worst cap wins, and every rule that fired is listed.
Units the evaluation could not score are listed as not rated, never graded.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import Problem, ProblemList, ValidationError
from ..evaluation import Evaluation
from ..mcda import MCDA_METHODS
from ..pipeline import score_method
from ..schemas import numeric_frame
from .scheme import Scheme, check_indicators, load_scheme, resolve

__all__ = ["Rated", "lower_is_better_problem", "rate"]

NOT_RATED = "未评级 / not rated"


def rate(
    ev: Evaluation | pd.Series,
    scheme: Scheme | str | Path | Mapping[str, Any] | None = None,
    *,
    raw: pd.DataFrame | None = None,
    lang: str = "zh",
) -> Rated:
    """Grade the units of ``ev`` (an Evaluation, or a Series of scores by uCode).

    ``scheme``: a :class:`Scheme`, a shipped name, a YAML path or a dict; ``None`` =
    the framework's ``rating`` block. ``raw``: the raw indicator values (DataFrame by
    uCode) the veto rules read; by default the Evaluation's ``"Raw"`` dataset (needed
    with a Series when the scheme has vetoes). ``lang``: language of the rule names in
    the ``veto`` column. Returns a :class:`Rated`.
    """
    if isinstance(ev, Evaluation):
        fw = ev.source_framework or ev.framework
        resolved = resolve(scheme, fw)
        if resolved is None:
            raise ValidationError(
                [
                    Problem(
                        "框架没有 rating 设置，请指定评级方案 / the framework has no rating "
                        "block: pass scheme= (e.g. 'tax-credit')",
                        source=f"framework {fw.name}",
                        column="rating",
                    )
                ],
                "没有评级方案 / no rating scheme",
            )
        scheme = resolved
        refusal = lower_is_better_problem(score_method(ev.spec, ev.framework.n_levels))
        if refusal is not None:
            raise ValidationError([refusal], CANNOT_GRADE)
        raw = ev.raw_values if raw is None else raw
        units = ev.get_dset("Raw").index
        scores = ev.scores.reindex(units)
        reasons = ev.unscored["reason"] if len(ev.unscored) else pd.Series(dtype=object)
    elif isinstance(ev, pd.Series):
        if scheme is None:
            raise ValidationError(
                [Problem("给出分数序列时须指定评级方案 / with a Series of scores, pass scheme=")],
                "没有评级方案 / no rating scheme",
            )
        scheme = load_scheme(scheme)
        scores = _numeric_scores(ev)
        units = scores.index
        reasons = pd.Series(dtype=object)
    else:
        raise ValidationError(
            [
                Problem(
                    "ev 须为 Evaluation 或按 uCode 索引的分数序列 / ev must be an Evaluation or a "
                    "Series of scores by uCode",
                    value=type(ev).__name__,
                )
            ],
            "无法评级 / cannot rate",
        )
    if scheme.vetoes:
        raw = check_raw(raw, scheme, units)
    return Rated(scheme, scores, raw, reasons, lang=lang)


CANNOT_GRADE = "无法评级 / cannot rate"


def lower_is_better_problem(method: str | None, source: str = "spec") -> Problem | None:
    """The refusal to grade a score that is better when lower, else ``None``.

    A rating scheme's bands give the better grade to the higher score (a score at or above
    an edge gets the grade, ``docs/rating.md``), so a score whose convention is lower =
    better — VIKOR's Q (Opricovic & Tzeng 2004), the one method of
    :data:`~integrity_eval.mcda.MCDA_METHODS` with ``higher_is_better=False`` — would give
    the best unit the worst grade. Converting it (1 − Q, say) would put it on a scale the
    edges were never set for, so the kit refuses and says what to do instead."""
    entry = MCDA_METHODS.get(method or "")
    if entry is None or entry.higher_is_better:
        return None
    return Problem(
        f"综合得分由 {method} 计算，越小越好；评级方案的等级线按越大越好划分，"
        "不能用它评级。请用越大越好的顶层聚合方法（如加权平均 amean）计算要评级的"
        f"得分，{method} 的名次可另作比较 / the index score is computed by {method}, where "
        f"lower is better ({entry.score}); a rating scheme's bands give the better grade to "
        "the higher score, so this score cannot be graded. Grade a score whose top-level "
        f"aggregation is higher = better (e.g. the weighted mean, amean) and "
        f"compare {method}'s ranks separately",
        source=source,
        column="aggregate.method",
        value=method,
    )


class Rated:
    """Grades of every unit under one scheme (what :func:`rate` returns).

    Parameters
    ----------
    scheme : Scheme
        The rating scheme: bands, edge rule, veto rules.
    scores : pandas.Series
        Score by uCode; NaN for a unit the evaluation could not score.
    raw : pandas.DataFrame or None
        Raw indicator values by uCode, read by the veto rules (``None`` when the scheme
        has none).
    reasons : pandas.Series
        Why each unscored unit has no score, by uCode (``Evaluation.unscored``).
    lang : {"zh", "en"}, default "zh"
        Language of the rule names in the ``veto`` column.

    Attributes
    ----------
    table : pandas.DataFrame
        By uCode, in the units' order: ``score``, ``grade_by_score``, ``grade`` (after
        veto caps), ``veto`` (the names of every rule that fired, joined by "; ", or ""),
        plus ``stars`` (nullable int) for a star scheme. Units without a score have NaN
        score and missing grades (see ``not_rated``).
    scheme : Scheme
        The scheme used.
    distribution : pandas.DataFrame
        By grade (best first): ``count`` and ``share`` of the rated units.
    not_rated : pandas.Series
        By uCode: why a unit has no grade.
    fired : pandas.DataFrame
        One row per (unit, rule fired): uCode, rule, indicator, value, cap.
    unchecked : pandas.DataFrame
        One row per (unit, rule) whose raw value is missing, so the rule could not be
        checked (the grade is then by score and the other rules only).

    See Also
    --------
    rate : grades the units of an Evaluation or a Series of scores.

    References
    ----------
    ``docs/rating.md``. Each shipped scheme names its source, e.g. ``tax-credit``:
    《纳税信用管理办法（试行）》（国家税务总局公告2014年第40号）第十九条.
    """

    def __init__(
        self,
        scheme: Scheme,
        scores: pd.Series,
        raw: pd.DataFrame | None,
        reasons: pd.Series,
        lang: str = "zh",
    ) -> None:
        self.scheme = scheme
        units = scores.index
        s = scores.to_numpy(dtype=float)
        by_score = scheme.grade_index(s)
        final = by_score
        codes = scheme.grades
        fired: list[pd.DataFrame] = []
        unchecked: list[pd.DataFrame] = []
        veto_text = np.full(len(units), "", dtype=object)
        if scheme.vetoes:
            fires, values = veto_matrix(scheme, raw, units)
            final = apply_caps(scheme, by_score, fires)
            # one pass per rule (a handful), vectorised over units
            for j, v in enumerate(scheme.vetoes):
                rule = {"rule_zh": v.name("zh"), "rule_en": v.name("en"), "indicator": v.indicator}
                hit, gap = fires[:, j], np.isnan(values[:, j])
                fired.append(
                    pd.DataFrame(
                        {"uCode": units[hit], **rule, "value": values[hit, j], "cap": v.cap}
                    )
                )
                unchecked.append(pd.DataFrame({"uCode": units[gap], **rule}))
                name = v.name(lang)
                joined = np.where(veto_text == "", name, veto_text + "; " + name)
                veto_text = np.where(hit, joined, veto_text)
        grade_codes = np.array([*codes, None], dtype=object)
        table = pd.DataFrame(
            {
                "score": s,
                "grade_by_score": grade_codes[by_score],
                "grade": grade_codes[final],
                "veto": veto_text,
            },
            index=pd.Index(units, name="uCode"),
        )
        if scheme.is_stars:
            stars = table["grade"].map({g: scheme.stars(g) for g in codes}).astype("Int64")
            table["stars"] = stars
        self.table = table
        missing = table.index[np.isnan(s)]
        self.not_rated = (
            reasons.reindex(missing)
            .fillna("没有分数 / no score")
            .astype(object)
            .rename("reason")
            .rename_axis("uCode")
        )
        rule_cols = ["uCode", "rule_zh", "rule_en", "indicator"]
        self.fired = _stack(fired, [*rule_cols, "value", "cap"])
        self.unchecked = _stack(unchecked, rule_cols)
        rated = table["grade"].dropna()
        counts = rated.value_counts().reindex(codes, fill_value=0)
        self.distribution = pd.DataFrame(
            {"count": counts.astype(int), "share": counts / max(len(rated), 1)},
            index=pd.Index(codes, name="grade"),
        )

    # --------------------------------------------------------------- queries
    def at_least(self, level: int | str) -> pd.Series:
        """Whether each unit's final grade is ``level`` or better (not rated: False).

        ``level``: a number of stars for a star scheme ("at least k stars", the admission
        threshold of 002_93c988d6af699336.txt §二.(三).3), or a grade code.
        """
        codes = self.scheme.grades
        if isinstance(level, int | np.integer) and not isinstance(level, bool):
            if not self.scheme.is_stars:
                raise ValidationError(
                    [
                        Problem(
                            "星数只适用于星级方案，请给出等级名 / a number of stars needs a star "
                            f"scheme; give a grade of {codes}",
                            source=f"scheme {self.scheme.name}",
                            value=level,
                        )
                    ],
                    "无效的星级门槛 / invalid threshold",
                )
            ok = [g for g in codes if self.scheme.stars(g) >= level]
        else:
            if level not in codes:
                raise ValidationError(
                    [
                        Problem(
                            f"等级不在方案中 / not a grade of the scheme (expected one of {codes})",
                            source=f"scheme {self.scheme.name}",
                            value=level,
                        )
                    ],
                    "无效的等级门槛 / invalid threshold",
                )
            ok = codes[: codes.index(level) + 1]
        return self.table["grade"].isin(ok).rename(f"at_least_{level}")

    # --------------------------------------------------------------- display
    def summary(self) -> RatedSummary:
        return RatedSummary(self)

    def __repr__(self) -> str:
        n, m = int(self.distribution["count"].sum()), len(self.not_rated)
        return f"<Rated {self.scheme.name or '(unnamed)'}: {n} units rated, {m} not rated>"

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()


class RatedSummary:
    """Text and HTML view of a :class:`Rated`: scheme, distribution, vetoes, table."""

    def __init__(self, rated: Rated):
        self.rated = rated

    def _facts(self) -> list[tuple[str, str]]:
        r, sc = self.rated, self.rated.scheme
        bands = "; ".join(f"{g} {sc.grade_name(g)}: {sc.band_text(g)}" for g in sc.grades)
        facts = [
            ("方案 / scheme", " / ".join(t for t in (sc.name, sc.title_zh, sc.title_en) if t)),
            ("档位 / bands", bands),
            (
                "边界规则 / edge rule",
                "边界取较高等级 / a score equal to an edge gets the better grade",
            ),
        ]
        if sc.vetoes:
            facts.append(("否决规则 / veto rules", "; ".join(v.describe("zh") for v in sc.vetoes)))
        dist = ", ".join(
            f"{g}: {int(row['count'])} ({row['share']:.0%})" for g, row in r.distribution.iterrows()
        )
        facts.append(("分布 / distribution", dist))
        capped = int((r.table["grade"] != r.table["grade_by_score"]).sum() - len(r.not_rated))
        facts.append(("被否决规则降级 / capped by vetoes", str(max(capped, 0))))
        if len(r.unchecked):
            facts.append(
                (
                    "无法检查的规则 / rules not checkable (raw value missing)",
                    "; ".join(
                        f"{u}: {i}"
                        for u, i in zip(r.unchecked["uCode"], r.unchecked["indicator"], strict=True)
                    ),
                )
            )
        if len(r.not_rated):
            facts.append((NOT_RATED, "; ".join(f"{u}: {why}" for u, why in r.not_rated.items())))
        return facts

    def _table(self) -> pd.DataFrame:
        return self.rated.table.sort_values("score", ascending=False, na_position="last")

    def __str__(self) -> str:
        facts = self._facts()
        lines = ["评级结果 / rating summary", "=" * 40]
        lines += [f"{k}: {v}" for k, v in facts]
        lines += ["", self._table().to_string(float_format=lambda v: f"{v:.2f}")]
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in self._facts()
        )
        table = self._table().to_html(float_format=lambda v: f"{v:.2f}", escape=True, na_rep="—")
        return f"<h4>评级结果 / rating summary</h4><table>{rows}</table>{table}"


def _stack(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]


# ------------------------------------------------------------------ vetoes
def veto_matrix(
    scheme: Scheme, raw: pd.DataFrame, units: pd.Index
) -> tuple[np.ndarray, np.ndarray]:
    """Which rule fires for which unit (units × rules, bool) and the raw values it read."""
    values = raw.reindex(units)[[v.indicator for v in scheme.vetoes]].to_numpy(dtype=float)
    fires = np.column_stack([v.fires(values[:, j]) for j, v in enumerate(scheme.vetoes)])
    return fires.reshape(len(units), len(scheme.vetoes)), values


def apply_caps(scheme: Scheme, index: np.ndarray, fires: np.ndarray) -> np.ndarray:
    """Band indices (…, units; −1 = no grade) capped by the worst cap of the rules fired."""
    caps = np.array([scheme.grades.index(v.cap) for v in scheme.vetoes])
    worst = np.max(np.where(fires, caps, -1), axis=1)
    return np.where(index >= 0, np.maximum(index, worst), index)


# ------------------------------------------------------------------ checks
def _numeric_scores(scores: pd.Series) -> pd.Series:
    try:
        out = scores.astype(float)
    except (TypeError, ValueError):
        bad = [u for u, v in scores.items() if not _is_float(v)]
        raise ValidationError(
            [
                Problem(
                    "分数须为数字 / score must be a number", source="scores", row=u, value=scores[u]
                )
                for u in bad
            ],
            "分数无效 / invalid scores",
        ) from None
    dup = out.index[out.index.duplicated()].unique()
    if len(dup):
        raise ValidationError(
            [Problem("单位重复 / duplicate unit", source="scores", row=u) for u in dup],
            "分数无效 / invalid scores",
        )
    return out


def check_raw(raw: pd.DataFrame | None, scheme: Scheme, units: pd.Index) -> pd.DataFrame:
    problems = ProblemList()
    if raw is None:
        problems.add(
            "方案含否决规则，需要原始指标值 raw= / the scheme has veto rules: pass raw= (raw "
            "indicator values by uCode)",
            source="raw",
        )
        problems.raise_if_any("无法检查否决规则 / cannot check veto rules")
    needed = sorted({v.indicator for v in scheme.vetoes})
    check_indicators(scheme, list(raw.columns), source="raw")
    numeric = numeric_frame(
        raw[needed],
        source="raw",
        rule="原始值须为数字 / raw value must be a number",
        problems=problems,
    )
    for u in units[~units.isin(raw.index)]:
        problems.add("raw 中没有此单位 / unit missing from raw", source="raw", row=u)
    problems.raise_if_any("原始值无效 / invalid raw values")
    return numeric


def _is_float(v: Any) -> bool:
    try:
        float(v)
        return True
    except (TypeError, ValueError):
        return False
