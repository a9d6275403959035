"""Calibrating grade edges: to target shares, to anchor units, to expert grades.

Grade edges are a choice an agency must defend. Each function here returns a monotone
:class:`~integrity_eval.rating.scheme.Scheme` (edges strictly decreasing from the
best grade, so a higher score never gets a worse grade) whose ``calibration``
attribute records how it was obtained (it is written to the run manifest):

* :func:`calibrate_shares` — edges whose realised grade shares are closest to a target
  distribution (tied scores are never split);
* :func:`calibrate_anchors` — edges consistent with every unit the agency has graded
  itself, or an error naming the conflicting anchors;
* :func:`calibrate_expert` — edges fitted to expert grades of past periods by an
  ordinal logit (McCullagh 1980, "Regression models for ordinal data", JRSS B 42(2):
  109–142; statsmodels ``OrderedModel``) or by isotonic regression (Barlow, Bartholomew,
  Bremner & Brunk 1972, *Statistical Inference under Order Restrictions*; scikit-learn
  ``IsotonicRegression``), with agreement measured by the confusion matrix and Cohen's
  quadratic-weighted κ (Cohen 1968, "Weighted kappa", Psychological Bulletin 70(4): 213–220).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.isotonic import IsotonicRegression
from sklearn.metrics import cohen_kappa_score, confusion_matrix

from ..errors import Problem, ProblemList, ValidationError, suggest
from .scheme import Scheme

__all__ = [
    "Agreement",
    "ExpertFit",
    "agreement",
    "calibrate_anchors",
    "calibrate_expert",
    "calibrate_shares",
]

METHODS = ("ordinal_logit", "isotonic")
_TITLE = "无法校准 / cannot calibrate"


# ------------------------------------------------------------------ shares
def calibrate_shares(
    scores: pd.Series, shares: Mapping[str, float], *, name: str = "calibrated-shares"
) -> Scheme:
    """Edges whose realised grade shares are closest to ``shares`` (grades best first).

    For each edge the number of units at or above it is the achievable count (units
    with equal scores move together, so ties are never split) closest to the target
    cumulative share × N; ties between two equally close counts go to the smaller one.
    Nearest-point projection onto the sorted achievable counts is monotone, so the
    edges decrease. An edge lies midway between the lowest score above it and the
    highest below; edges with no score between them are spread evenly in the gap.
    The realised shares are in ``scheme.calibration["realised"]``.
    """
    problems = ProblemList()
    s = _scores(scores, problems)
    grades = [str(g) for g in shares]
    values = []
    for g, v in shares.items():
        ok = _finite(v) and float(v) >= 0
        if not ok:
            problems.add(
                "份额须为非负数 / a share must be a number ≥ 0", source="shares", row=g, value=v
            )
        values.append(float(v) if ok else 0.0)
    if len(grades) < 2:
        problems.add("至少需要两个等级 / at least two grades are needed", source="shares")
    elif abs(sum(values) - 1) > 1e-6 and not problems:
        problems.add(
            "份额之和须为1 / the shares must sum to 1", source="shares", value=f"{sum(values):g}"
        )
    _enough(s, len(grades), problems)
    problems.raise_if_any(_TITLE)
    x = s.to_numpy(dtype=float)
    n = len(x)
    distinct, counts_each = np.unique(x, return_counts=True)
    distinct = distinct[::-1]  # best first
    achievable = np.concatenate([[0], np.cumsum(counts_each[::-1])])  # units ≥ each value
    target = np.cumsum(values)[:-1] * n
    pick = np.abs(achievable[None, :] - target[:, None]).argmin(axis=1)  # first = smaller
    counts = achievable[pick]
    edges = _edges_in_gaps(distinct, pick)
    bands = [(g, e) for g, e in zip(grades, [*edges, None], strict=True)]
    realised = np.diff([0, *counts, n]) / n
    calibration = {
        "method": "shares",
        "n": n,
        "target": dict(zip(grades, values, strict=True)),
        "realised": {g: float(r) for g, r in zip(grades, realised, strict=True)},
    }
    return Scheme(bands, name=name, note=_shares_note(calibration), calibration=calibration)


def _edges_in_gaps(distinct: np.ndarray, pick: np.ndarray) -> list[float]:
    """Edges for cut positions ``pick`` (k = the k best distinct values are above the edge).

    The gap above the best value and below the worst extend by the median spacing.
    """
    step = float(np.median(-np.diff(distinct))) if len(distinct) > 1 else 1.0
    upper = np.concatenate([[distinct[0] + step], distinct])  # gap k: (distinct[k], upper[k])
    lower = np.concatenate([distinct, [distinct[-1] - step]])
    edges = []
    for k in np.unique(pick):
        q = int((pick == k).sum())
        hi, lo = upper[k], lower[k]
        edges += [hi - (hi - lo) * (r + 1) / (q + 1) for r in range(q)]
    return [float(e) for e in edges]


def _shares_note(cal: Mapping[str, Any]) -> str:
    parts = ", ".join(
        f"{g}: {cal['target'][g]:.0%} → {cal['realised'][g]:.0%}" for g in cal["target"]
    )
    return (
        f"按目标分布校准（目标 → 实现）/ calibrated to target shares (target → realised): {parts}"
    )


# ----------------------------------------------------------------- anchors
def calibrate_anchors(
    scores: pd.Series,
    anchors: Mapping[Any, str],
    *,
    order: Sequence[str],
    name: str = "calibrated-anchors",
) -> Scheme:
    """Edges consistent with every anchor unit (``{uCode: grade}``, ``order`` best first).

    The edge between grade k−1 and k must lie above every anchor graded k or worse and
    at or below every anchor graded k−1 or better. Each edge is placed midway in that
    interval (edges sharing one interval are spread evenly); an interval open on one
    side is closed by the range of all ``scores``. Two anchors where the better-graded
    one does not score higher make every monotone scheme impossible: the error names
    each such pair.
    """
    problems = ProblemList()
    s = _scores(scores, problems)
    order = _order(order, problems)
    for u, g in anchors.items():
        if u not in s.index:
            problems.add(
                "锚定单位不在分数中 / anchor unit is not among the scores",
                source="anchors",
                row=u,
                value=suggest(u, map(str, s.index)),
            )
        if g not in order:
            problems.add(
                f"等级不在 order 中 / grade is not in order {list(order)}",
                source="anchors",
                row=u,
                value=suggest(g, order),
            )
    if not anchors:
        problems.add("至少需要一个锚定单位 / at least one anchor is needed", source="anchors")
    problems.raise_if_any(_TITLE)
    units = list(anchors)
    a_score = s.loc[units].to_numpy(dtype=float)
    a_grade = np.array([order.index(anchors[u]) for u in units])
    # a conflict: u graded better than v but not scoring higher
    better = a_grade[:, None] < a_grade[None, :]
    bad = better & (a_score[:, None] <= a_score[None, :])
    for i, j in zip(*np.nonzero(bad), strict=True):
        problems.add(
            "锚定等级与分数顺序矛盾：等级较好的单位分数不高于等级较差的单位 / anchors conflict: "
            f"{units[i]} is graded {anchors[units[i]]} with score {a_score[i]:g} but "
            f"{units[j]} is graded {anchors[units[j]]} with score {a_score[j]:g}",
            source="anchors",
            row=f"{units[i]} vs {units[j]}",
        )
    problems.raise_if_any("锚定单位无法满足 / no monotone scheme satisfies the anchors")
    x = s.to_numpy(dtype=float)
    span = float(np.ptp(x)) or 1.0
    top, bottom = float(x.max()) + span / (2 * len(x)), float(x.min()) - span / (2 * len(x))
    bounds = []
    for k in range(1, len(order)):
        below = a_score[a_grade >= k]
        above = a_score[a_grade < k]
        lo = float(below.max()) if len(below) else min(bottom, float(above.min()) - span / len(x))
        hi = float(above.min()) if len(above) else max(top, lo + span / len(x))
        bounds.append((lo, hi))
    edges = []
    k = 0
    while k < len(bounds):
        run = 1
        while k + run < len(bounds) and bounds[k + run] == bounds[k]:
            run += 1
        lo, hi = bounds[k]
        edges += [hi - (hi - lo) * (r + 1) / (run + 1) for r in range(run)]
        k += run
    calibration = {
        "method": "anchors",
        "anchors": {str(u): anchors[u] for u in units},
        "anchor_scores": {str(u): float(v) for u, v in zip(units, a_score, strict=True)},
    }
    note = "按锚定单位校准 / calibrated to anchor units: " + ", ".join(
        f"{u} {anchors[u]} ({v:g})" for u, v in zip(units, a_score, strict=True)
    )
    return Scheme(
        list(zip(order, [*edges, None], strict=True)),
        name=name,
        note=note,
        calibration=calibration,
    )


# ------------------------------------------------------------------ expert
class Agreement:
    """Agreement of a scheme's grades with expert grades: confusion matrix and weighted κ.

    ``confusion``: DataFrame, expert grade (rows) × scheme grade (columns), best first.
    ``kappa``: Cohen's quadratic-weighted κ (``sklearn.metrics.cohen_kappa_score(...,
    weights="quadratic")``). ``exact``: share of identical grades. ``n``: observations.
    """

    def __init__(self, expert: np.ndarray, predicted: np.ndarray, order: Sequence[str], label: str):
        self.order = list(order)
        self.label = label
        self.n = len(expert)
        cm = confusion_matrix(expert, predicted, labels=self.order)
        self.confusion = pd.DataFrame(
            cm,
            index=pd.Index(self.order, name="expert / 专家"),
            columns=pd.Index(self.order, name="scheme / 方案"),
        )
        self.kappa = float(
            cohen_kappa_score(expert, predicted, labels=self.order, weights="quadratic")
        )
        self.exact = float(np.mean(np.asarray(expert) == np.asarray(predicted)))

    def __repr__(self) -> str:
        return (
            f"<Agreement {self.label}: n={self.n}, quadratic-weighted kappa={self.kappa:.3f}, "
            f"exact={self.exact:.1%}>"
        )

    def summary(self) -> str:
        return (
            f"{self.label}: n = {self.n}, 二次加权κ / quadratic-weighted kappa = {self.kappa:.3f}, "
            f"一致率 / exact agreement = {self.exact:.1%}\n{self.confusion.to_string()}"
        )

    def _repr_html_(self) -> str:
        return (
            f"<p>{html.escape(self.label)}: n = {self.n}, 二次加权κ / quadratic-weighted κ = "
            f"{self.kappa:.3f}, 一致率 / exact agreement = {self.exact:.1%}</p>"
            + self.confusion.to_html()
        )


def agreement(
    scheme: Scheme, scores: pd.Series, grades: pd.Series, *, label: str = "agreement"
) -> Agreement:
    """How ``scheme``'s grades of ``scores`` agree with expert ``grades`` (same index)."""
    s, g = _aligned(scores, grades, scheme.grades)
    return Agreement(g.to_numpy(dtype=object), scheme.grade(s.to_numpy()), scheme.grades, label)


class ExpertFit:
    """A scheme fitted to expert grades (what :func:`calibrate_expert` returns).

    ``scheme``: the fitted :class:`Scheme`. ``thresholds``: DataFrame, one row per edge
    (``edge``, ``se`` — delta-method standard error for the ordinal logit, NaN for
    isotonic regression). ``confusion`` and ``kappa``: agreement on the fitting data
    (:class:`Agreement` in ``fitted``); :meth:`evaluate` measures it on other periods.
    ``result``: the statsmodels results object (ordinal logit) or the fitted
    ``IsotonicRegression``.
    """

    def __init__(
        self,
        scheme: Scheme,
        thresholds: pd.DataFrame,
        fitted: Agreement,
        method: str,
        result: Any,
    ):
        self.scheme = scheme
        self.thresholds = thresholds
        self.fitted = fitted
        self.method = method
        self.result = result

    @property
    def confusion(self) -> pd.DataFrame:
        return self.fitted.confusion

    @property
    def kappa(self) -> float:
        return self.fitted.kappa

    def evaluate(
        self, scores: pd.Series, grades: pd.Series, *, label: str = "held out"
    ) -> Agreement:
        """Agreement of the fitted scheme with expert grades of other periods."""
        return agreement(self.scheme, scores, grades, label=label)

    def summary(self) -> str:
        lines = [
            f"专家评级校准 / calibration to expert grades ({self.method})",
            "=" * 40,
            self.thresholds.to_string(float_format=lambda v: f"{v:.3f}"),
            "",
            self.fitted.summary(),
        ]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<ExpertFit {self.method}: {self.scheme!r}, kappa={self.kappa:.3f}>"

    def _repr_html_(self) -> str:
        return (
            f"<h4>专家评级校准 / calibration to expert grades ({html.escape(self.method)})</h4>"
            + self.thresholds.to_html(float_format=lambda v: f"{v:.3f}", na_rep="—")
            + self.fitted._repr_html_()
        )


def calibrate_expert(
    scores: pd.Series,
    grades: pd.Series,
    *,
    order: Sequence[str],
    method: str = "ordinal_logit",
    name: str | None = None,
) -> ExpertFit:
    """Fit grade edges to expert grades of past periods.

    ``scores`` and ``grades``: Series on the same index (e.g. (uCode, Time)); every
    graded observation needs a score. ``order``: the grade labels, best first.

    ``method="ordinal_logit"``: the proportional-odds model
    ``P(y ≤ j | s) = F(c_j − β·s)`` (y coded 0 = worst grade; statsmodels
    ``OrderedModel``, ``distr="logit"``). The edge between grades is where the latent
    location crosses a cut-point, ``s = c_j / β``, i.e. the score at which the grade
    above becomes at least as likely as all grades below together; its standard error
    is by the delta method from the estimated covariance of (β, c). A slope β ≤ 0
    (expert grades not improving with the score) is an error.

    ``method="isotonic"``: isotonic (pool-adjacent-violators) regression of the grade
    index on the score; each score gets the grade nearest the fitted mean, so the edge
    to grade j is where the (linearly interpolated) fit reaches j − ½. Edges of grades
    the fit never reaches lie outside the observed scores.
    """
    problems = ProblemList()
    order = _order(order, problems)
    if method not in METHODS:
        problems.add(
            f"method 须为 {list(METHODS)} 之一 / method must be one of {list(METHODS)}",
            source="calibrate_expert",
            column="method",
            value=suggest(method, METHODS),
        )
    problems.raise_if_any(_TITLE)
    s, g = _aligned(scores, grades, order)
    y = np.array([len(order) - 1 - order.index(v) for v in g])  # 0 = worst
    x = s.to_numpy(dtype=float)
    missing = [order[len(order) - 1 - k] for k in range(len(order)) if not (y == k).any()]
    for grade in missing:
        problems.add(
            "此等级没有专家评级，无法估计其边界 / no expert grade of this level: its edges "
            "cannot be estimated",
            source="grades",
            value=grade,
        )
    if np.ptp(x) == 0:
        problems.add("分数全部相同 / every score is the same", source="scores")
    problems.raise_if_any(_TITLE)
    if method == "ordinal_logit":
        edges, se, result = _ordinal_logit(x, y, len(order))
    else:
        edges, result = _isotonic(x, y, len(order))
        se = np.full(len(edges), np.nan)
    labels = [f"{order[k - 1]}|{order[k]}" for k in range(1, len(order))]
    thresholds = pd.DataFrame({"edge": edges, "se": se}, index=pd.Index(labels, name="edge"))
    calibration = {
        "method": f"expert/{method}",
        "n": len(x),
        "edges": {lab: float(e) for lab, e in zip(labels, edges, strict=True)},
    }
    if method == "ordinal_logit":
        calibration["se"] = {lab: float(v) for lab, v in zip(labels, se, strict=True)}
    scheme = Scheme(
        list(zip(order, [*edges, None], strict=True)),
        name=name or f"calibrated-expert-{method}",
        note=f"按{len(x)}个专家评级校准 / calibrated to {len(x)} expert grades ({method})",
        calibration=calibration,
    )
    fitted = Agreement(g.to_numpy(dtype=object), scheme.grade(x), order, "fitting periods")
    return ExpertFit(scheme, thresholds, fitted, method, result)


def _ordinal_logit(x: np.ndarray, y: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, Any]:
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    endog = pd.Series(pd.Categorical(y, categories=range(k), ordered=True))
    model = OrderedModel(endog, x[:, None], distr="logit")
    res = model.fit(method="bfgs", disp=False, maxiter=2000)
    params = np.asarray(res.params, dtype=float)
    beta = params[0]
    if not beta > 0:
        raise ValidationError(
            [
                Problem(
                    "专家评级没有随分数提高：斜率不为正，无法得到单调的方案 / expert grades do not "
                    "improve with the score (slope ≤ 0): no monotone scheme fits",
                    source="calibrate_expert",
                    value=f"slope {beta:.4g}",
                )
            ],
            _TITLE,
        )
    cuts = model.transform_threshold_params(params)[1:-1]  # c_1 < … < c_{k−1}
    t = cuts / beta
    # delta method: params = (β, θ_1, θ_2 …) with c_j = θ_1 + Σ_{2≤i≤j} exp(θ_i)
    grad = np.zeros((k - 1, len(params)))
    grad[:, 0] = -cuts / beta**2
    grad[:, 1] = 1 / beta
    for j in range(k - 1):
        for i in range(1, j + 1):
            grad[j, 1 + i] = np.exp(params[1 + i]) / beta
    cov = np.asarray(res.cov_params(), dtype=float)
    se = np.sqrt(np.einsum("ij,jk,ik->i", grad, cov, grad))
    # edges on the score scale, best grade first
    return t[::-1], se[::-1], res


def _isotonic(x: np.ndarray, y: np.ndarray, k: int) -> tuple[np.ndarray, Any]:
    iso = IsotonicRegression(increasing=True, out_of_bounds="clip").fit(x, y)
    xs, fs = iso.X_thresholds_, iso.y_thresholds_
    step = float(np.ptp(x)) / max(len(np.unique(x)), 1)
    edges = []
    for j in range(1, k):  # boundary below grade index j (0 = worst)
        level = j - 0.5
        if fs[-1] < level:  # never reached: above every score
            edges.append(np.nan)
            continue
        i = int(np.argmax(fs >= level))
        if i == 0:
            edges.append(-np.inf)
            continue
        x0, x1, f0, f1 = xs[i - 1], xs[i], fs[i - 1], fs[i]
        edges.append(x0 + (level - f0) * (x1 - x0) / (f1 - f0))
    edges = np.array(edges)
    # grades the fit never reaches get edges spread beyond the observed scores
    above = np.isnan(edges)
    edges[above] = x.max() + step * np.arange(1, above.sum() + 1)
    below = np.isneginf(edges)
    edges[below] = x.min() - step * np.arange(below.sum(), 0, -1)
    return edges[::-1], iso


# ----------------------------------------------------------------- helpers
def _scores(scores: Any, problems: ProblemList, source: str = "scores") -> pd.Series:
    if not isinstance(scores, pd.Series):
        problems.add("分数须为 pandas Series / scores must be a pandas Series", source=source)
        return pd.Series(dtype=float)
    s = pd.to_numeric(scores, errors="coerce")
    for u in s.index[s.isna()]:
        problems.add(
            "分数缺失或不是数字 / score is missing or not a number",
            source=source,
            row=u,
            value=scores[u],
        )
    for u in s.index[s.index.duplicated()].unique():
        problems.add("单位重复 / duplicate unit", source=source, row=u)
    return s.dropna()


def _order(order: Any, problems: ProblemList) -> list[str]:
    if isinstance(order, str) or not isinstance(order, Sequence) or len(order) < 2:
        problems.add(
            "order 须为至少两个等级的列表（从好到差）/ order must be a list of at least two "
            "grades, best first",
            source="order",
            value=order,
        )
        return []
    order = [str(o) for o in order]
    for o in sorted({o for o in order if order.count(o) > 1}):
        problems.add("等级重复 / duplicate grade", source="order", value=o)
    return order


def _enough(s: pd.Series, n_grades: int, problems: ProblemList) -> None:
    if 0 < len(s) < n_grades:
        problems.add(
            f"观测数少于等级数 / fewer observations ({len(s)}) than grades ({n_grades})",
            source="scores",
        )


def _aligned(scores: pd.Series, grades: pd.Series, order: Sequence[str]):
    problems = ProblemList()
    s = _scores(scores, problems)
    if not isinstance(grades, pd.Series):
        problems.add("专家评级须为 pandas Series / grades must be a pandas Series", source="grades")
        problems.raise_if_any(_TITLE)
    g = grades.dropna().astype(str)
    for u, v in g.items():
        if v not in order:
            problems.add(
                f"未知等级 / unknown grade label (expected one of {list(order)})",
                source="grades",
                row=u,
                value=suggest(v, order),
            )
    unknown = g.index.difference(s.index)
    for u in unknown:
        problems.add(
            "评级单位没有分数 / graded unit has no score (unknown unit or period)",
            source="grades",
            row=u,
        )
    for u in g.index[g.index.duplicated()].unique():
        problems.add("评级重复 / duplicate grade for one unit", source="grades", row=u)
    _enough(g, len(order), problems)
    if len(g) == 0:
        problems.add("没有专家评级 / no expert grades", source="grades")
    problems.raise_if_any(_TITLE)
    return s.loc[g.index], g


def _finite(v: Any) -> bool:
    try:
        return bool(np.isfinite(float(v))) and not isinstance(v, bool)
    except (TypeError, ValueError):
        return False
