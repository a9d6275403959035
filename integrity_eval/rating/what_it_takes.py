"""What it takes to reach a better grade (晋级路径): the smallest verified improvements.

The issuing document asks for the whole cycle of "发现、预警、跟踪和整改" (discovery,
warning, follow-up and rectification; 《本市政务诚信建设重点任务分工及进度安排表》,
沪发改信〔2018〕5号, §一.2): a grade says where a unit stands, a plan says what to change.
:func:`what_it_takes` finds the changes to a unit's raw indicator values, each in the
indicator's own unit, that lift its score over the lower edge of the target grade while
moving the fewest normalised points in total, weighted by an optional effort per
indicator. It is the minimum-cost "counterfactual explanation" of a score-based decision
(Wachter, Mittelstadt & Russell 2018, *Harvard J. Law & Technology* 31(2), eq. 1), solved
as a linear programme because the composite is linear in the changed values:

- **Linear builds** (normalisation by goalposts or by min-max with the bounds held, every
  level aggregated by the weighted arithmetic mean, no outlier treatment): the unit's
  score gains ``Σ g_j·a_j·d_j`` for raw changes ``d_j`` in the better direction, where
  ``a_j`` is the normalised points per raw unit (the normalisation's slope, through the
  denominator) and ``g_j`` the indicator's weight in this unit's score (the gradient of
  :func:`integrity_eval.pipeline.aggregate` on the unit's normalised row: the effective
  weights of COINr ``get_eff_weights`` renormalised over the indicators the unit
  reported). Minimise ``Σ cost_j·a_j·d_j`` subject to the gain ≥ the gap to the edge,
  ``0 ≤ d_j ≤`` the room left (the feasible bound, the goalpost or the best other unit),
  ``d_j`` whole for counts and yes/no items: SciPy's HiGHS (:func:`scipy.optimize.milp`;
  Huangfu & Hall 2018, *Math. Prog. Comp.* 10, 119–142), branch and bound for the
  integer items.
- **Other builds** (geometric or other means, z-scores, ranks, outlier treatment …): the
  same programme on slopes found numerically, each by a rebuild with one of the unit's
  values moved one step and every other unit's data held fixed; repeated from the new
  point (sequential linear programming, Nocedal & Wright 2006, §18) until the rebuild
  reaches the edge.

Every plan is **verified**: ``score_after`` and ``grade_after`` come from a rebuild of the
evaluation with the changed data (its own ``builder``, spec, seed and period) and a
re-rating by :func:`~integrity_eval.rating.rate`, never from the linear estimate. When the
rebuild misses the edge (min-max bounds that move, a weighting model computed from the
data), the programme is solved again from the rebuilt point for what is left, up to
:data:`MAX_ROUNDS` times; if it still misses, or no feasible change reaches the edge, the
plan says the target is not reachable. A veto rule (直接判级) whose cap is below the target
blocks it whatever the score: a veto is cleared by the fact behind it, never by score, so
the plan names it in ``blocking`` and proposes no score changes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp

from .. import pipeline
from ..display import Displayable, Summary
from ..errors import Problem, ProblemList, ValidationError, did_you_mean, report_unknown
from ..evaluation import Evaluation
from .grade import Rated, rate
from .scheme import Scheme, load_scheme

__all__ = ["WhatItTakes", "what_it_takes", "what_it_takes_all"]

#: Rebuild-and-resolve rounds before a target is declared not reachable.
MAX_ROUNDS = 8
#: Kinds whose raw values are whole numbers (records counted; yes = 1, no = 0).
INTEGER_KINDS = frozenset({"count", "binary"})
#: Normalisations under which the unit's normalised value is linear in its own raw value.
LINEAR_NORMALISATIONS = frozenset({"goalposts", "minmax"})
HEADING = "晋级路径 / What it takes"
TABLE_COLUMNS = [
    "iCode",
    "name",
    "unit",
    "from_value",
    "to_value",
    "change",
    "points",
    "responsible",
    "clause",
]


# ====================================================================== result
@dataclass(frozen=True, repr=False)
class WhatItTakes(Displayable):
    """A verified plan for one unit (what :func:`what_it_takes` returns).

    Attributes
    ----------
    unit, target : the unit's code and the grade asked for (``None`` at the top grade).
    grade_before, score_before : the unit's grade (after vetoes) and score now.
    table : DataFrame, one row per changed indicator: ``iCode``, ``name``, ``unit``,
        ``from_value``, ``to_value`` (raw, in the indicator's own unit), ``change``,
        ``points`` (normalised points moved), ``responsible`` (departments), ``clause``.
    reachable : whether the rebuilt and re-rated unit reaches ``target``.
    blocking : names of the veto rules that cap the unit below the target (else []).
    cost : total normalised points moved, each weighted by its ``cost=`` effort.
    score_after, grade_after : from the rebuild and re-rating with the changes applied.
    method : ``"linear"`` (exact programme) or ``"numerical"`` (slopes by rebuilds).
    rounds : rebuild-and-resolve rounds used.
    """

    unit: str
    target: str | None
    grade_before: str | None
    score_before: float
    table: pd.DataFrame
    reachable: bool
    blocking: list[str]
    cost: float
    score_after: float
    grade_after: str | None
    scheme: Scheme
    edge: float | None
    method: str
    rounds: int
    evaluation_after: Evaluation | None = field(default=None, compare=False)

    def _headline(self) -> str:
        state = "reachable" if self.reachable else "not reachable"
        return (
            f"{self.unit}: {self.grade_before} → {self.target}, {len(self.table)} change(s), "
            f"{state}"
        )

    def sentence(self, lang: str = "zh") -> str:
        """The plan in one sentence, e.g. "将下列 3 项指标提升至表中数值，可由「良」升至「优」…"."""
        sc = self.scheme
        if self.target is None:
            return "已是最高等级。" if lang == "zh" else "Already at the top grade."
        before = sc.grade_name(self.grade_before, lang) if self.grade_before else "—"
        after = sc.grade_name(self.target, lang)
        if self.blocking:
            rules = "；".join(self.blocking) if lang == "zh" else "; ".join(self.blocking)
            return (
                f"否决规则（{rules}）将等级限制在「{after}」以下，须消除其所依据的事实，"
                "提高得分不能晋级。"
                if lang == "zh"
                else f"The veto rules ({rules}) cap the grade below {after}: only removing the "
                "fact behind them lifts the cap, a higher score cannot."
            )
        if not self.reachable:
            return (
                f"在可行范围内改进各项指标也无法由「{before}」升至「{after}」。"
                if lang == "zh"
                else f"No feasible improvement of the indicators lifts the grade from {before} "
                f"to {after}."
            )
        n = len(self.table)
        return (
            f"将下列 {n} 项指标提升至表中数值，可由「{before}」升至「{after}」"
            f"（重新计算得分 {self.score_after:.1f}）。"
            if lang == "zh"
            else f"Raising the {n} indicator(s) below to the values shown lifts the grade from "
            f"{before} to {after} (recomputed score {self.score_after:.1f})."
        )

    def section(self) -> dict[str, Any] | None:
        """What a unit's report shows (``None`` at the top grade): heading, the blocking
        vetoes first, the sentence in Chinese and English, and the table."""
        if self.target is None:
            return None
        return {
            "heading": HEADING,
            "blocking": list(self.blocking),
            "sentence": {"zh": self.sentence("zh"), "en": self.sentence("en")},
            "table": self.table.copy(),
        }

    def to_frame(self) -> pd.DataFrame:
        """The plan in long format: one row per change, with the unit and the outcome."""
        facts = {
            "uCode": self.unit,
            "grade_before": self.grade_before,
            "target": self.target,
            "reachable": self.reachable,
            "blocking": "; ".join(self.blocking),
            "score_before": self.score_before,
            "score_after": self.score_after,
            "grade_after": self.grade_after,
            "cost": self.cost,
        }
        rows = self.table if len(self.table) else pd.DataFrame([{}], columns=TABLE_COLUMNS)
        out = rows.assign(**facts)
        return out[[*facts, *TABLE_COLUMNS]].reset_index(drop=True)

    def summary(self) -> Summary:
        facts: list[tuple[str, object]] = [
            ("单位 / unit", self.unit),
            ("当前等级 / grade now", f"{self.grade_before} ({self.score_before:.2f})"),
            ("目标等级 / target", self.target or "—"),
        ]
        if self.edge is not None:
            facts.append(("目标下沿 / edge of the target", f"{self.edge:g}"))
        if self.blocking:
            facts.append(("否决规则 / blocking vetoes", "; ".join(self.blocking)))
        facts += [
            ("可达 / reachable", "是 / yes" if self.reachable else "否 / no"),
            ("重新计算得分 / score after (rebuilt)", f"{self.score_after:.2f}"),
            ("重新评级 / grade after (re-rated)", self.grade_after or "—"),
            ("移动的归一化分值 / normalised points moved", f"{self.cost:.4g}"),
            ("求解 / solved", f"{self.method}, {self.rounds} round(s)"),
            ("结论 / in words", f"{self.sentence('zh')} / {self.sentence('en')}"),
        ]
        return Summary(HEADING, facts, [("改进项 / changes", self.table)])


# ====================================================================== entry points
def what_it_takes(
    ev: Evaluation,
    unit: str,
    target: str | None = None,
    rated: Rated | Scheme | str | Path | Mapping[str, Any] | None = None,
    *,
    cost: Mapping[str, float] | pd.Series | None = None,
    fixed: Sequence[str] | None = None,
) -> WhatItTakes:
    """The smallest verified changes that lift ``unit`` of ``ev`` to ``target``.

    ``target``: a grade of the scheme, better than the unit's grade now (default: the
    next better one). ``rated``: the :class:`Rated` the grades come from, or a scheme
    (name, path, dict or :class:`Scheme`); ``None`` = the framework's ``rating`` block.
    ``cost``: effort per normalised point by iCode (default 1; larger = harder), for
    agencies that know some improvements are harder than others. ``fixed``: iCodes
    that may not change. Works on one period of a panel too (its ``Time``). Returns a
    :class:`WhatItTakes`; the method is described in this module's docstring.
    """
    scheme = _scheme(ev, rated)
    task = _task(ev, scheme, rate(ev, scheme).table, unit, target)
    if isinstance(task, WhatItTakes):
        return task
    return _search(ev, scheme, task, _costs(ev, cost, fixed))


def what_it_takes_all(
    ev: Evaluation,
    rated: Rated | Scheme | str | Path | Mapping[str, Any] | None = None,
    *,
    units: Sequence[str] | None = None,
    cost: Mapping[str, float] | pd.Series | None = None,
    fixed: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Every rated unit's plan to the next better grade, in long format (``run``'s
    ``what_it_takes.csv``): :meth:`WhatItTakes.to_frame` stacked; units at the top grade
    have one row without changes. ``units``: a subset (default: every rated unit).

    When each unit's score depends on its own data only (goalposts, arithmetic means, no
    imputation, treatment or data-driven weights), every unit's first programme is
    verified by **one** rebuild with all the changes applied, which gives each unit the
    score it gets from a rebuild with its own changes alone; the units it leaves short
    are planned one by one, as :func:`what_it_takes` does.
    """
    scheme = _scheme(ev, rated)
    now = rate(ev, scheme).table
    chosen = list(now.index[now["grade"].notna()]) if units is None else list(units)
    weights = _costs(ev, cost, fixed)
    tasks = {u: _task(ev, scheme, now, u, None) for u in chosen}
    plans = {u: t for u, t in tasks.items() if isinstance(t, WhatItTakes)}
    todo = [t for t in tasks.values() if not isinstance(t, WhatItTakes)]
    if todo and _separable(ev):
        plans |= _verified_together(ev, scheme, todo, weights)
    plans |= {t["unit"]: _search(ev, scheme, t, weights) for t in todo if t["unit"] not in plans}
    frames = [plans[u].to_frame() for u in chosen]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _task(
    ev: Evaluation, scheme: Scheme, now: pd.DataFrame, unit: str, target: str | None
) -> WhatItTakes | dict[str, Any]:
    """What to solve for ``unit`` (goal band, edge), or the finished plan when there is
    nothing to solve (top grade; blocked by a veto)."""
    _check_unit(now, unit)
    grades = scheme.grades
    grade, score = now.at[unit, "grade"], float(now.at[unit, "score"])
    goal = _target_index(scheme, target, grades.index(grade), unit)
    common = {"unit": unit, "grade_before": grade, "score_before": score, "scheme": scheme}
    if goal is None:
        return _plan(**common, target=None, edge=None, score_after=score, grade_after=grade)
    edge = float(scheme.edges[goal])
    common |= {"target": grades[goal], "edge": edge}
    blocking = _blocking(ev, scheme, unit, goal)
    if blocking:
        return _plan(
            **common, score_after=score, grade_after=grade, reachable=False, blocking=blocking
        )
    return {"unit": unit, "goal": goal, "common": common}


# ====================================================================== the search
def _search(
    ev: Evaluation, scheme: Scheme, task: dict[str, Any], weights: pd.Series
) -> WhatItTakes:
    """Solve, rebuild, re-rate; solve again from the rebuilt point until the edge is met."""
    unit, goal, common = task["unit"], task["goal"], task["common"]
    linear = _is_linear(ev)
    method = "linear" if linear else "numerical"
    start = ev.get_dset("Raw").loc[unit]
    current, state = start.copy(), ev
    score, rounds, reached = float(common["score_before"]), 0, False
    grade_after = common["grade_before"]
    while rounds < MAX_ROUNDS:
        rounds += 1
        model = (_linear_model if linear else _numerical_model)(state, unit, current, weights)
        # a score on the edge gets the better grade (Scheme)
        step = _solve(model, common["edge"] - score)
        if step is None or step.empty:
            break
        current = current.add(step, fill_value=0.0)
        state = _rebuild(ev, {unit: current[_differs(current, start)]})
        after = rate(state, scheme).table.loc[unit]
        score, grade_after = float(after["score"]), after["grade"]
        if scheme.grades.index(grade_after) <= goal:
            reached = True
            break
    if not reached:  # no changes proposed: the unit stays where it is
        return _plan(
            **common,
            reachable=False,
            score_after=common["score_before"],
            grade_after=common["grade_before"],
            method=method,
            rounds=rounds,
        )
    table, moved = _changes(ev, state, unit, start, current, weights)
    return _plan(
        **common,
        table=table,
        cost=moved,
        score_after=score,
        grade_after=grade_after,
        method=method,
        rounds=rounds,
        evaluation_after=state,
    )


def _verified_together(
    ev: Evaluation, scheme: Scheme, tasks: list[dict[str, Any]], weights: pd.Series
) -> dict[str, WhatItTakes]:
    """First-round plans of a separable linear build, verified by one rebuild with every
    unit's changes; only the units that reach their target are returned."""
    raw = ev.get_dset("Raw")
    changes: dict[str, pd.Series] = {}
    for t in tasks:
        start = raw.loc[t["unit"]]
        model = _linear_model(ev, t["unit"], start, weights)
        step = _solve(model, t["common"]["edge"] - t["common"]["score_before"])
        if step is not None and not step.empty:
            changes[t["unit"]] = start[step.index] + step
    if not changes:
        return {}
    after = _rebuild(ev, changes)
    graded = rate(after, scheme).table
    out = {}
    for t in tasks:
        u = t["unit"]
        if u not in changes or scheme.grades.index(graded.at[u, "grade"]) > t["goal"]:
            continue
        start = raw.loc[u]
        current = start.copy()
        current[changes[u].index] = changes[u]
        table, moved = _changes(ev, after, u, start, current, weights)
        out[u] = _plan(
            **t["common"],
            table=table,
            cost=moved,
            score_after=float(graded.at[u, "score"]),
            grade_after=graded.at[u, "grade"],
            method="linear",
            rounds=1,
        )
    return out


def _solve(model: pd.DataFrame, gap: float) -> pd.Series | None:
    """The cheapest raw steps (signed, by iCode) whose score gain is at least ``gap``.

    ``model`` columns: ``gain`` (score points per raw unit in the better direction),
    ``price`` (weighted normalised points per raw unit), ``room`` (raw units left in the
    better direction), ``integer``, ``direction``. HiGHS via :func:`scipy.optimize.milp`.
    """
    use = model[(model["gain"] > 0) & (model["room"] > 0)]
    if use.empty:
        return None
    room = np.where(use["integer"], np.floor(use["room"] + 1e-9), use["room"])
    res = milp(
        c=use["price"].to_numpy(),
        constraints=LinearConstraint(use["gain"].to_numpy()[None, :], lb=gap, ub=np.inf),
        integrality=use["integer"].to_numpy(dtype=int),
        bounds=Bounds(0.0, room),
    )
    if res.status != 0:
        return None
    d = np.where(use["integer"], np.round(res.x), res.x)
    step = pd.Series(d * use["direction"].to_numpy(), index=use.index)
    return step[d > 0]


# ====================================================================== linear models
def _is_linear(ev: Evaluation) -> bool:
    """Whether the unit's score is linear in its raw values (bounds held): goalposts or
    min-max normalisation, arithmetic means at every level, no outlier treatment."""
    spec = ev.spec
    agg = spec.get("aggregate") or {}
    methods = agg.get("method")
    methods = methods if isinstance(methods, list) else [methods]
    by_node = (agg.get("by_node") or {}).values()
    return (
        "treat" not in spec
        and (spec.get("normalise") or {}).get("method") in LINEAR_NORMALISATIONS
        and all(m == "amean" for m in [*methods, *by_node])
    )


def _separable(ev: Evaluation) -> bool:
    """Whether each unit's score depends on its own data only: a linear build normalised
    by goalposts, without imputation and with weights that are not computed from data."""
    spec = ev.spec
    weights = (spec.get("weights") or {}).get("method")
    return (
        _is_linear(ev)
        and spec["normalise"]["method"] == "goalposts"
        and "impute" not in spec
        and weights in (None, "equal")
        and ev.details.get("normalise_pool") is None
    )


def _feasible_room(ev: Evaluation, current: pd.Series) -> pd.DataFrame:
    """Per indicator: direction, whether whole, and the raw room left in the better
    direction within the feasible bounds (the framework's min/max; counts ≥ 0; yes/no in
    {0, 1}; rates ≤ their max, 1 or 100 %)."""
    fw = ev.framework
    rows = {}
    for c in fw.indicators:
        n = fw[c]
        lo = n.min if n.min is not None else (0.0 if n.kind in (*INTEGER_KINDS, "rate") else None)
        hi = n.max if n.max is not None else _kind_max(n.kind, n.unit)
        x = current[c]
        bound = hi if n.direction > 0 else lo
        room = np.inf if bound is None else max(0.0, (bound - x) * n.direction)
        rows[c] = {"direction": n.direction, "integer": n.kind in INTEGER_KINDS, "room": room}
    return pd.DataFrame.from_dict(rows, orient="index")


def _kind_max(kind: str, unit: str) -> float | None:
    """The largest feasible value a kind implies: yes = 1; a rate 100 % (1, or 100 when
    its unit is per cent)."""
    if kind == "binary":
        return 1.0
    if kind == "rate":
        return 100.0 if "%" in unit else 1.0
    return None


def _denominators(ev: Evaluation, unit: str) -> pd.Series:
    """The unit's denominator under each indicator (1 without one)."""
    fw = ev.framework
    units = ev.units
    out = {}
    for c in fw.indicators:
        d = fw[c].denominator
        out[c] = float(units.at[unit, d]) if d and "denominate" in ev.spec else 1.0
    return pd.Series(out)


def _linear_model(
    ev: Evaluation, unit: str, current: pd.Series, weights: pd.Series
) -> pd.DataFrame:
    """Gain, price and room per raw unit for a linear build (see the module docstring)."""
    fw = ev.framework
    model = _feasible_room(ev, current)
    cfg = ev.spec["normalise"]
    dirs = fw.directions.to_numpy(dtype=float)
    dnm = _denominators(ev, unit).to_numpy()
    xd = current[fw.indicators].to_numpy(dtype=float) / dnm * dirs  # better = larger
    if cfg["method"] == "goalposts":
        posts = np.array([fw[c].goalposts or (np.nan, np.nan) for c in fw.indicators], float).T
        lo, hi = np.where(dirs < 0, -posts[::-1], posts)
        span = cfg.get("scale", 100.0)
        best = hi if cfg.get("trunc2posts", True) else np.full(len(dirs), np.inf)
    else:  # minmax, bounds held at this build's
        treated = ev.get_dset("Treated").to_numpy(dtype=float) * dirs
        lo, hi = np.nanmin(treated, axis=0), np.nanmax(treated, axis=0)
        span = cfg["l_u"][1] - cfg["l_u"][0]
        best = hi
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = span / (hi - lo) / dnm  # normalised points per raw unit
        saturation = np.maximum(best - np.maximum(xd, lo), 0.0) * dnm
    normalised = ev.get_dset("Normalised").loc[unit].to_numpy(dtype=float)
    usable = np.isfinite(slope) & ~np.isnan(normalised) & ~np.isnan(xd)
    g = _score_gradient(ev, normalised)
    model["room"] = np.where(usable, np.minimum(model["room"], saturation), 0.0)
    model["gain"] = np.where(usable, g * np.nan_to_num(slope), 0.0)
    model["price"] = np.where(usable, weights.to_numpy() * np.nan_to_num(slope), 0.0)
    model["points"] = np.nan_to_num(slope)
    return model.loc[weights.index[weights.notna()]]


def _score_gradient(ev: Evaluation, normalised: np.ndarray) -> np.ndarray:
    """d score / d normalised value of each indicator, for one unit's normalised row.

    One call of :func:`integrity_eval.pipeline.aggregate` on the row and the row with each
    indicator raised by one point: exact for arithmetic means (the effective weights
    renormalised over the indicators this unit reported).
    """
    fw = ev.framework
    m = len(fw.indicators)
    rows = np.tile(normalised, (m + 1, 1))
    rows[1:] += np.eye(m)
    problems = ProblemList()
    cols, codes = pipeline.aggregate(
        fw, ev.spec["aggregate"], rows, ev.weights.copy(), ["?"] * (m + 1), problems
    )
    score = cols[:, codes.index(fw.root)]
    return np.nan_to_num(score[1:] - score[0])


def _numerical_model(
    ev: Evaluation, unit: str, current: pd.Series, weights: pd.Series
) -> pd.DataFrame:
    """Gain and price per raw unit from rebuilds, one indicator moved one step each,
    every other unit's data held fixed; room within the feasible bounds."""
    model = _feasible_room(ev, current)
    raw = ev.get_dset("Raw")
    spread = (raw.max() - raw.min()).replace(0, np.nan).fillna(current.abs()).fillna(1.0)
    base_score = float(ev.scores[unit])
    base_norm = ev.get_dset("Normalised").loc[unit]
    gain, price, room = {}, {}, {}
    for c in weights.index[weights.notna()]:
        r = float(model.at[c, "room"])
        if np.isnan(current[c]) or r <= 0:
            continue
        h = 1.0 if model.at[c, "integer"] else float(min(r, 0.05 * spread[c]))
        if h <= 0 or h > r:
            continue
        moved = current.copy()
        moved[c] += h * model.at[c, "direction"]
        probe = _rebuild(ev, {unit: moved[_differs(moved, ev.get_dset("Raw").loc[unit])]})
        gain[c] = (float(probe.scores.get(unit, np.nan)) - base_score) / h
        points = abs(float(probe.get_dset("Normalised").at[unit, c]) - float(base_norm[c])) / h
        price[c] = weights[c] * points
        # at most the data's spread per round: a trust region for the local slope
        room[c] = min(r, max(float(spread[c]), h))
    out = model.loc[list(gain)].copy()
    out["gain"] = np.nan_to_num(pd.Series(gain))
    out["price"] = pd.Series(price)
    out["room"] = pd.Series(room)
    return out


# ====================================================================== helpers
def _rebuild(ev: Evaluation, changes: Mapping[str, pd.Series]) -> Evaluation:
    """``ev`` built again (same builder, spec, seed, period) with some units' raw values
    changed (``changes``: uCode → values by iCode)."""
    if ev.builder is None:
        raise ValidationError(
            [
                Problem(
                    "这个 Evaluation 不是由 build() 生成的，无法重新计算以验证 / this "
                    "Evaluation was not made by build(), so the plan cannot be verified by "
                    "a rebuild; build it with ie.build",
                    source="what_it_takes",
                )
            ],
            "无法验证 / cannot verify",
        )
    idata = ev.idata.copy()
    codes = idata["uCode"].astype(str).str.strip()
    now = np.ones(len(idata), dtype=bool)
    if ev.time is not None and "Time" in idata.columns:
        now = (idata["Time"] == ev.time).to_numpy()
    row = pd.Series(np.flatnonzero(now), index=codes[now].to_numpy())
    long = pd.concat(changes, names=["uCode", "iCode"]) if changes else pd.Series()
    for c, part in long.groupby(level="iCode"):
        col = idata[c]
        numeric = pd.api.types.is_numeric_dtype(col)
        values = col.to_numpy(dtype=float if numeric else object, copy=True)
        values[row[part.index.get_level_values("uCode")].to_numpy()] = part.to_numpy()
        idata[c] = values
    return ev.builder(
        ev.source_framework or ev.framework,
        idata,
        ev.spec,
        seed=ev.seed,
        time=ev.time,
        normalise_pool=ev.details.get("normalise_pool"),
    )


def _changes(
    ev: Evaluation,
    after: Evaluation,
    unit: str,
    start: pd.Series,
    current: pd.Series,
    weights: pd.Series,
) -> tuple[pd.DataFrame, float]:
    """The plan table (changed indicators, most points first) and the weighted points.

    ``points``: the unit's normalised value after the rebuild minus before, so the cost
    is what the build moved, not the linear estimate.
    """
    fw = ev.framework
    changed = list(current.index[_differs(current, start)])
    moved = (after.get_dset("Normalised").loc[unit] - ev.get_dset("Normalised").loc[unit]).abs()
    table = pd.DataFrame(
        [
            {
                "iCode": c,
                "name": fw[c].name("zh") + (f" / {fw[c].name_en}" if fw[c].name_en else ""),
                "unit": fw[c].unit,
                "from_value": float(start[c]),
                "to_value": float(current[c]),
                "change": float(current[c] - start[c]),
                "points": float(moved[c]),
                "responsible": "、".join(fw[c].responsible),
                "clause": fw[c].source,
            }
            for c in changed
        ],
        columns=TABLE_COLUMNS,
    )
    table = table.sort_values("points", ascending=False, kind="stable").reset_index(drop=True)
    return table, float(sum(weights[c] * moved[c] for c in changed))


def _differs(a: pd.Series, b: pd.Series) -> pd.Series:
    """Where two raw rows differ (a missing value equals a missing value)."""
    return a.ne(b) & ~(a.isna() & b.isna())


def _plan(**kw: Any) -> WhatItTakes:
    kw.setdefault("table", pd.DataFrame(columns=TABLE_COLUMNS))
    kw.setdefault("reachable", True)
    kw.setdefault("blocking", [])
    kw.setdefault("cost", 0.0)
    kw.setdefault("method", "none")
    kw.setdefault("rounds", 0)
    return WhatItTakes(**kw)


def _scheme(ev: Evaluation, rated: Any) -> Scheme:
    if not isinstance(ev, Evaluation):
        raise ValidationError(
            [
                Problem(
                    "ev 须为 Evaluation（晋级路径需要重新计算）/ ev must be an Evaluation (a "
                    "plan is verified by rebuilding it)",
                    source="what_it_takes",
                    value=type(ev).__name__,
                )
            ],
            "无法计算晋级路径 / cannot plan",
        )
    if isinstance(rated, Rated):
        return rated.scheme
    if rated is None:
        return rate(ev).scheme  # the framework's rating block (or its clear error)
    return load_scheme(rated)


def _check_unit(table: pd.DataFrame, unit: str) -> None:
    if unit not in table.index:
        zh, en = did_you_mean(unit, list(table.index))
        raise ValidationError(
            [
                Problem(
                    f"评价中没有此单位{zh} / no such unit in the evaluation{en}",
                    source="what_it_takes",
                    value=unit,
                )
            ],
            "无法计算晋级路径 / cannot plan",
        )
    if pd.isna(table.at[unit, "grade"]):
        raise ValidationError(
            [
                Problem(
                    "此单位没有分数或等级（见 ev.unscored），无法计算晋级路径 / the unit has no "
                    "score or grade (see ev.unscored), so there is nothing to improve from",
                    source="what_it_takes",
                    value=unit,
                )
            ],
            "无法计算晋级路径 / cannot plan",
        )


def _target_index(scheme: Scheme, target: str | None, at: int, unit: str) -> int | None:
    """The target band's index (0 = best), or None when the unit is at the top already."""
    grades = scheme.grades
    if target is None:
        return at - 1 if at > 0 else None
    if target not in grades:
        zh, en = did_you_mean(target, grades)
        raise ValidationError(
            [
                Problem(
                    f"目标等级不在方案中{zh}，可用：{grades} / target is not a grade of the "
                    f"scheme{en}; expected one of {grades}",
                    source=f"scheme {scheme.name}",
                    column="target",
                    value=target,
                )
            ],
            "无效的目标等级 / invalid target",
        )
    goal = grades.index(target)
    if goal >= at:
        raise ValidationError(
            [
                Problem(
                    f"目标等级须高于单位当前等级「{grades[at]}」/ the target must be better than "
                    f"the unit's grade now ({grades[at]})",
                    source="what_it_takes",
                    row=unit,
                    column="target",
                    value=target,
                )
            ],
            "无效的目标等级 / invalid target",
        )
    return goal


def _blocking(ev: Evaluation, scheme: Scheme, unit: str, goal: int) -> list[str]:
    """Names of the veto rules that fire for ``unit`` and cap it below band ``goal``."""
    raw = ev.get_dset("Raw").loc[unit]
    return [
        v.name("zh") + (f" / {v.name_en}" if v.name_en and v.name_zh else "")
        for v in scheme.vetoes
        if scheme.grades.index(v.cap) > goal and bool(v.fires(np.array([raw[v.indicator]]))[0])
    ]


def _costs(
    ev: Evaluation, cost: Mapping[str, float] | pd.Series | None, fixed: Sequence[str] | None
) -> pd.Series:
    """Effort per normalised point by iCode; NaN for frozen indicators."""
    codes = list(ev.framework.indicators)
    problems = ProblemList()
    given = pd.Series(dict(cost) if cost is not None else {}, dtype=object)
    fixed = [fixed] if isinstance(fixed, str) else list(fixed or [])
    report_unknown(given.index, codes, problems, what="indicator", prefix="cost.")
    report_unknown(fixed, codes, problems, what="indicator", prefix="fixed.")
    for c, v in given.items():
        ok = isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) and v > 0
        if not ok:
            problems.add(
                "努力系数须为正数 / cost must be a positive number",
                source="cost",
                column=str(c),
                value=v,
            )
    problems.raise_if_any("晋级路径参数无效 / invalid plan options")
    out = pd.Series(1.0, index=codes).mul(given.astype(float).reindex(codes).fillna(1.0))
    out[fixed] = np.nan
    return out
