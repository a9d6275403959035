"""What it takes to reach a better grade (晋级路径): the smallest verified improvements.

The issuing document asks for the whole cycle of "发现、预警、跟踪和整改" (discovery,
warning, follow-up and rectification; 《本市政务诚信建设重点任务分工及进度安排表》,
沪发改信〔2018〕5号, §一.2): a grade says where a unit stands, a plan says what to change.
:func:`what_it_takes` finds the changes to a unit's raw indicator values, each in the
indicator's own unit, that lift its score over the lower edge of the target grade while
moving the fewest normalised points in total, weighted by an optional effort per
indicator. It is the closest counterfactual of a score-based decision in a weighted L1
distance (Wachter, Mittelstadt & Russell 2018, *Harvard J. Law & Technology* 31(2),
841–887), and the integer programme of "actionable recourse" for a linear score, with
only feasible, one-directional actions (Ustun, Spangher & Liu 2019, Proc. FAT* '19,
10–19), here on the composite's own build:

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
  point (sequential linear programming, Griffith & Stewart 1961, *Management Science*
  7(4), 379–392) until the rebuild reaches the edge.

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
from ..fonts import apply_font
from ..plots import label, new_axes
from .grade import Rated, rate
from .scheme import Scheme, load_scheme

__all__ = ["WhatItTakes", "grade_costs", "what_it_takes", "what_it_takes_all"]

#: Rebuild-and-resolve rounds before a target is declared not reachable.
MAX_ROUNDS = 8
#: Steps below this share of the largest step are a solver's round-off, not a change.
SOLVER_NOISE = 1e-9
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
    "normalised_from",
    "normalised_to",
    "responsible",
    "clause",
]


# ====================================================================== result
@dataclass(frozen=True, repr=False)
class WhatItTakes(Displayable):
    """A verified plan for one unit (what :func:`what_it_takes` returns).

    Attributes
    ----------
    unit, target : str
        The unit's code and the grade asked for (``None`` at the top grade).
    grade_before, score_before : str, float
        The unit's grade (after vetoes) and score now.
    table : DataFrame
        One row per changed indicator: ``iCode``, ``name``, ``unit``, ``from_value``,
        ``to_value`` (raw, in the indicator's own unit), ``change``, ``points``
        (normalised points moved in the rebuild), ``normalised_from``, ``normalised_to``,
        ``responsible`` (departments), ``clause`` (the document's title and number).
    reachable : bool
        Whether the rebuilt and re-rated unit reaches ``target``.
    blocking : list of str
        Names of the veto rules that cap the unit below the target (else ``[]``).
    cost : float
        Total normalised points moved, each weighted by its ``cost=`` effort.
    score_after, grade_after : float, str
        From the rebuild and re-rating with the changes applied.
    method : str
        ``"linear"`` (exact programme) or ``"numerical"`` (slopes by rebuilds).
    rounds : int
        Rebuild-and-resolve rounds used.
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
        return _long([self])

    def plot(self, *, ax: Any = None, lang: str = "zh", font: str | Path | None = None) -> Any:
        """The changed indicators' normalised values before and after (bars, 0–100 on a
        goalposts or min-max scale); returns the matplotlib ``Axes``."""
        t = self.table.iloc[::-1]
        ax, resolved = new_axes(ax, (7, 1 + 0.45 * max(len(t), 1)), lang=lang, font=font)
        names = [n if lang == "zh" else n.split(" / ", 1)[-1] for n in t["name"]]
        y = np.arange(len(t))
        ax.barh(
            y + 0.2, t["normalised_from"], 0.4, color="#b0b0b0", label=label("现在", "now", lang)
        )
        ax.barh(
            y - 0.2, t["normalised_to"], 0.4, color="#3b6ea5", label=label("改进后", "after", lang)
        )
        ax.set_yticks(y, names)
        ax.set_xlabel(label("归一化值", "normalised value", lang))
        ax.set_title(f"{self.unit}: {label(HEADING.split(' / ')[0], 'What it takes', lang)}")
        ax.legend(fontsize=8)
        apply_font(ax, font=resolved)
        return ax

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
    return _long([plans[u] for u in chosen])


def grade_costs(
    ev: Evaluation,
    unit: str,
    rated: Rated | Scheme | str | Path | Mapping[str, Any] | None = None,
    *,
    cost: Mapping[str, float] | pd.Series | None = None,
    fixed: Sequence[str] | None = None,
) -> pd.DataFrame:
    """What each better grade would take ``unit``: one verified plan per grade above its
    own, best grade first (a researcher's view of the price of each step).

    Columns: ``target``, ``reachable``, ``blocking``, ``cost`` (normalised points moved),
    ``changes`` (indicators changed), ``score_after`` and ``grade_after`` (rebuilt).
    """
    scheme = _scheme(ev, rated)
    now = rate(ev, scheme).table
    _check_unit(now, unit)
    better = scheme.grades[: scheme.grades.index(now.at[unit, "grade"])]
    plans = [what_it_takes(ev, unit, g, scheme, cost=cost, fixed=fixed) for g in better]
    return pd.DataFrame(
        {
            "target": [p.target for p in plans],
            "reachable": [p.reachable for p in plans],
            "blocking": ["; ".join(p.blocking) for p in plans],
            "cost": [p.cost for p in plans],
            "changes": [len(p.table) for p in plans],
            "score_after": [p.score_after for p in plans],
            "grade_after": [p.grade_after for p in plans],
        }
    )


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
    fw = ev.framework
    linear = _is_linear(ev)
    method = "linear" if linear else "numerical"
    dirs, integer = _limits(fw)[:2]
    w = weights.to_numpy()
    start = ev.get_dset("Raw").loc[unit].to_numpy(dtype=float)
    current, state = start.copy(), ev
    score, rounds, reached = float(common["score_before"]), 0, False
    grade_after = common["grade_before"]
    while rounds < MAX_ROUNDS:
        rounds += 1
        if linear:
            model = _linear_model(state, [unit], current[None, :], w)
        else:
            model = _numerical_model(state, unit, current, w)
        # a score on the edge gets the better grade (Scheme)
        d = _solve(model[0][0], model[1][0], model[2][0], integer, common["edge"] - score)
        if d is None:
            break
        current = current + d * dirs
        state = _rebuild(ev, [unit], current[None, :])
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
    before, after = _normalised(ev, state, [unit])
    table, cost = _changes(fw, start, current, before[0], after[0], w)
    return _plan(
        **common,
        table=table,
        cost=cost,
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
    fw = ev.framework
    dirs, integer = _limits(fw)[:2]
    w = weights.to_numpy()
    units = [t["unit"] for t in tasks]
    start = ev.get_dset("Raw").loc[units].to_numpy(dtype=float)
    gain, price, room = _linear_model(ev, units, start, w)
    current, solved = start.copy(), np.zeros(len(units), dtype=bool)
    for i, t in enumerate(tasks):
        gap = t["common"]["edge"] - t["common"]["score_before"]
        d = _solve(gain[i], price[i], room[i], integer, gap)
        if d is not None:
            current[i] += d * dirs
            solved[i] = True
    if not solved.any():
        return {}
    after = _rebuild(ev, units, current)
    graded = rate(after, scheme).table.loc[units]
    reached = [
        i
        for i, t in enumerate(tasks)
        if solved[i] and scheme.grades.index(graded["grade"].iloc[i]) <= t["goal"]
    ]
    before, rebuilt = _normalised(ev, after, units)
    out = {}
    for i in reached:
        table, cost = _changes(fw, start[i], current[i], before[i], rebuilt[i], w)
        out[units[i]] = _plan(
            **tasks[i]["common"],
            table=table,
            cost=cost,
            score_after=float(graded["score"].iloc[i]),
            grade_after=graded["grade"].iloc[i],
            method="linear",
            rounds=1,
        )
    return out


def _solve(
    gain: np.ndarray, price: np.ndarray, room: np.ndarray, integer: np.ndarray, gap: float
) -> np.ndarray | None:
    """The cheapest raw changes ``d ≥ 0`` (better direction, per indicator) with
    ``gain·d ≥ gap`` and ``d ≤ room``, whole where ``integer``: HiGHS through
    :func:`scipy.optimize.milp` (an LP when nothing is whole). ``gain``: score points per
    raw unit; ``price``: cost-weighted normalised points per raw unit. ``None`` when no
    feasible change gains ``gap``."""
    use = np.flatnonzero((gain > 0) & (room > 0))
    if not len(use):
        return None
    whole = integer[use]
    res = milp(
        c=price[use],
        constraints=LinearConstraint(gain[use][None, :], lb=gap, ub=np.inf),
        integrality=whole.astype(int),
        bounds=Bounds(0.0, np.where(whole, np.floor(room[use] + 1e-9), room[use])),
    )
    if res.status != 0:
        return None
    d = np.zeros(len(gain))
    # a solver's round-off (1e-13 of a value) is no change
    step = np.where(res.x > SOLVER_NOISE * np.maximum(1.0, np.abs(res.x).max()), res.x, 0.0)
    d[use] = np.where(whole, np.round(step), step)
    return d if d.any() else None


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


def _limits(fw: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per indicator: direction, whether whole (counts, yes/no), and the feasible lower and
    upper raw bounds (the framework's min/max; counts, rates and yes/no ≥ 0; yes/no ≤ 1;
    rates ≤ 1, or 100 when their unit is per cent; ±inf where nothing bounds them)."""
    nodes = [fw[c] for c in fw.indicators]
    lower = [
        n.min if n.min is not None else (0.0 if n.kind in (*INTEGER_KINDS, "rate") else -np.inf)
        for n in nodes
    ]
    upper = [n.max if n.max is not None else _kind_max(n.kind, n.unit) for n in nodes]
    return (
        np.array([n.direction for n in nodes], dtype=float),
        np.array([n.kind in INTEGER_KINDS for n in nodes]),
        np.array(lower, dtype=float),
        np.array(upper, dtype=float),
    )


def _kind_max(kind: str, unit: str) -> float:
    """The largest feasible value a kind implies: yes = 1; a rate 100 % (1, or 100 when
    its unit is per cent); otherwise none (inf)."""
    if kind == "binary":
        return 1.0
    if kind == "rate":
        return 100.0 if "%" in unit else 1.0
    return np.inf


def _feasible_room(fw: Any, x: np.ndarray) -> np.ndarray:
    """Raw room left in the better direction within the feasible bounds (… × indicators)."""
    dirs, _, lower, upper = _limits(fw)
    with np.errstate(invalid="ignore"):
        room = np.where(dirs > 0, upper - x, x - lower)
    return np.nan_to_num(np.maximum(room, 0.0), nan=0.0, posinf=np.inf)


def _denominators(ev: Evaluation, units: list[str]) -> np.ndarray:
    """The units' denominators under each indicator (units × indicators; 1 without one)."""
    fw = ev.framework
    out = np.ones((len(units), len(fw.indicators)))
    if "denominate" not in ev.spec:
        return out
    table = ev.units.loc[units]
    for j, c in enumerate(fw.indicators):
        if fw[c].denominator:
            out[:, j] = table[fw[c].denominator].to_numpy(dtype=float)
    return out


def _linear_model(
    ev: Evaluation, units: list[str], x: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gain (score points), price (weighted normalised points) and room per raw unit in
    the better direction, units × indicators, for a linear build (module docstring).
    ``weights``: effort per indicator, NaN for frozen ones."""
    fw = ev.framework
    cfg = ev.spec["normalise"]
    dirs = fw.directions.to_numpy(dtype=float)
    dnm = _denominators(ev, units)
    xd = x / dnm * dirs  # better = larger
    if cfg["method"] == "goalposts":
        posts = np.array([fw[c].goalposts or (np.nan, np.nan) for c in fw.indicators], float).T
        lo, hi = np.where(dirs < 0, -posts[::-1], posts)
        span = cfg.get("scale", 100.0)
        best = hi if cfg.get("trunc2posts", True) else np.full(len(dirs), np.inf)
    else:  # minmax, bounds held at this build's
        treated = ev.get_dset("Treated").to_numpy(dtype=float) * dirs
        lo, hi = np.nanmin(treated, axis=0), np.nanmax(treated, axis=0)
        span = cfg["l_u"][1] - cfg["l_u"][0]
        # every other unit at the best value: the unit is the minimum (0 points) until it
        # reaches them, and there the indicator is constant and cannot be normalised
        alone = (treated == hi).sum(axis=0) == (~np.isnan(treated)).sum(axis=0) - 1
        best = np.where(alone & (xd < hi), -np.inf, hi)
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = span / (hi - lo) / dnm  # normalised points per raw unit
        saturation = np.maximum(best - np.maximum(xd, lo), 0.0) * dnm
    normalised = ev.get_dset("Normalised").loc[units].to_numpy(dtype=float)
    usable = np.isfinite(slope) & ~np.isnan(normalised) & ~np.isnan(xd) & ~np.isnan(weights)
    slope = np.where(usable, slope, 0.0)
    room = np.where(usable, np.minimum(_feasible_room(fw, x), saturation), 0.0)
    gain = _score_gradient(ev, normalised) * slope
    return gain, np.nan_to_num(weights) * slope, room


def _score_gradient(ev: Evaluation, normalised: np.ndarray) -> np.ndarray:
    """d score / d normalised value, units × indicators, for arithmetic means.

    Per pattern of missing values (the gradient of a weighted mean does not depend on the
    values), one call of :func:`integrity_eval.pipeline.aggregate` on a row and the row
    with each indicator raised by one point: the effective weights renormalised over the
    indicators the unit reported.
    """
    fw = ev.framework
    m = len(fw.indicators)
    out = np.zeros(normalised.shape)
    patterns, which = np.unique(np.isnan(normalised), axis=0, return_inverse=True)
    for k in range(len(patterns)):
        members = np.flatnonzero(which.ravel() == k)
        rows = np.tile(normalised[members[0]], (m + 1, 1))
        rows[1:] += np.eye(m)
        cols, codes = pipeline.aggregate(
            fw, ev.spec["aggregate"], rows, ev.weights.copy(), ["?"] * (m + 1), ProblemList()
        )
        score = cols[:, codes.index(fw.root)]
        out[members] = np.nan_to_num(score[1:] - score[0])
    return out


def _numerical_model(
    ev: Evaluation, unit: str, current: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gain, price and room (1 × indicators) from rebuilds, one indicator moved one step
    each with every other unit's data held fixed; room within the feasible bounds and the
    data's spread (a trust region for the local slope)."""
    fw = ev.framework
    dirs, integer = _limits(fw)[:2]
    raw = ev.get_dset("Raw")
    spread = (raw.max() - raw.min()).to_numpy(dtype=float)
    spread = np.where(spread > 0, spread, np.maximum(np.abs(current), 1.0))
    feasible = _feasible_room(fw, current)
    base_score = float(ev.scores[unit])
    base_norm = ev.get_dset("Normalised").loc[unit].to_numpy(dtype=float)
    gain, price, room = (np.zeros((1, len(dirs))) for _ in range(3))
    for j in np.flatnonzero(~np.isnan(weights) & ~np.isnan(current) & (feasible > 0)):
        h = 1.0 if integer[j] else min(feasible[j], 0.05 * spread[j])
        if h <= 0 or h > feasible[j]:
            continue
        moved = current.copy()
        moved[j] += h * dirs[j]
        try:
            probe = _rebuild(ev, [unit], moved[None, :])
        except ValidationError:  # the step leaves a build the method refuses: not a step
            continue
        gain[0, j] = np.nan_to_num((float(probe.scores.get(unit, np.nan)) - base_score) / h)
        after = float(probe.get_dset("Normalised").at[unit, fw.indicators[j]])
        price[0, j] = weights[j] * abs(after - base_norm[j]) / h
        room[0, j] = min(feasible[j], max(spread[j], h))
    return gain, price, room


# ====================================================================== helpers
def _rebuild(ev: Evaluation, units: list[str], values: np.ndarray) -> Evaluation:
    """``ev`` built again (same builder, spec, seed, period) with ``units``' raw values
    set to ``values`` (units × indicators; only the cells that differ are written)."""
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
    fw = ev.framework
    idata = ev.idata.copy()
    codes = idata["uCode"].astype(str).str.strip()
    now = np.ones(len(idata), dtype=bool)
    if ev.time is not None and "Time" in idata.columns:
        now = (idata["Time"] == ev.time).to_numpy()
    rows = pd.Series(np.flatnonzero(now), index=codes[now].to_numpy())[units].to_numpy()
    start = ev.get_dset("Raw").loc[units].to_numpy(dtype=float)
    differs = (values != start) & ~(np.isnan(values) & np.isnan(start))
    for j in np.flatnonzero(differs.any(axis=0)):
        col = idata[fw.indicators[j]]
        numeric = pd.api.types.is_numeric_dtype(col)
        cells = col.to_numpy(dtype=float if numeric else object, copy=True)
        cells[rows[differs[:, j]]] = values[differs[:, j], j]
        idata[fw.indicators[j]] = cells
    return ev.builder(
        ev.source_framework or ev.framework,
        idata,
        ev.spec,
        seed=ev.seed,
        time=ev.time,
        normalise_pool=ev.details.get("normalise_pool"),
    )


def _normalised(
    ev: Evaluation, after: Evaluation, units: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """The units' normalised values before and after the rebuild (units × indicators)."""
    before = ev.get_dset("Normalised").loc[units].to_numpy(dtype=float)
    return before, after.get_dset("Normalised").loc[units].to_numpy(dtype=float)


def _changes(
    fw: Any,
    start: np.ndarray,
    current: np.ndarray,
    before: np.ndarray,
    after: np.ndarray,
    weights: np.ndarray,
) -> tuple[pd.DataFrame, float]:
    """The plan table (changed indicators, most points first) and the weighted points.

    ``before``, ``after``: the unit's normalised values in the build and in the rebuild,
    so the points moved are what the build moved, not the linear estimate.
    """
    moved = np.abs(after - before)
    js = np.flatnonzero((current != start) & ~np.isnan(start))
    js = js[np.argsort(-moved[js], kind="stable")]
    nodes = [fw[fw.indicators[j]] for j in js]
    table = pd.DataFrame(
        {
            "iCode": [n.code for n in nodes],
            "name": [n.name("zh") + (f" / {n.name_en}" if n.name_en else "") for n in nodes],
            "unit": [n.unit for n in nodes],
            "from_value": start[js],
            "to_value": current[js],
            "change": current[js] - start[js],
            "points": moved[js],
            "normalised_from": before[js],
            "normalised_to": after[js],
            "responsible": ["、".join(n.responsible) for n in nodes],
            "clause": [fw.cite(n.source or "") for n in nodes],  # title and number
        },
        columns=TABLE_COLUMNS,
    )
    return table, float(np.sum(weights[js] * moved[js]))


def _long(plans: list[WhatItTakes]) -> pd.DataFrame:
    """Plans in long format: one row per change (one empty row for a plan without any),
    the unit and the outcome repeated on each; one frame built once."""
    counts = [max(len(p.table), 1) for p in plans]
    facts = {
        "uCode": [p.unit for p in plans],
        "grade_before": [p.grade_before for p in plans],
        "target": [p.target for p in plans],
        "reachable": [p.reachable for p in plans],
        "blocking": ["; ".join(p.blocking) for p in plans],
        "score_before": [p.score_before for p in plans],
        "score_after": [p.score_after for p in plans],
        "grade_after": [p.grade_after for p in plans],
        "cost": [p.cost for p in plans],
    }
    out = {k: np.repeat(np.array(v, dtype=object), counts) for k, v in facts.items()}
    for c in TABLE_COLUMNS:
        parts = [p.table[c].to_numpy() if len(p.table) else np.array([None]) for p in plans]
        out[c] = np.concatenate(parts) if parts else np.array([], dtype=object)
    return pd.DataFrame(out).infer_objects()


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
    if not scheme.vetoes:
        return []
    raw = ev.raw_values.loc[unit]  # vetoes read raw values, excluded indicators included
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
