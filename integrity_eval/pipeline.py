"""The build stages in order, as public functions on arrays and resolved parameters.

denominate → impute → screen → treat → normalise → aggregate (level by level), as in
COINr 1.1.14 (``Denominate``, ``Impute``, ``Screen``, ``Treat``, ``Normalise``,
``Aggregate``) and the OECD/JRC *Handbook on Constructing Composite Indicators* (2008)
steps 3–6. Each function takes one ``(units, indicators)`` NumPy matrix and the stage's
resolved spec (:func:`integrity_eval.spec.resolve`), fills in what the stage needs from
the framework (directions, goalposts, targets, denominators, groups), records every
problem in a :class:`~integrity_eval.errors.ProblemList` instead of raising, and returns
arrays. :func:`integrity_eval.build.build` runs them in order and attaches labels once;
the uncertainty engine reruns single stages on variants; :func:`~integrity_eval.weights.reweight`
and the weighting models re-aggregate. They share these functions, so a variant computed
by any of them equals the build of that variant.
"""

from __future__ import annotations

import inspect
import threading
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from . import aggregate as agg
from . import denominate as den
from . import impute as imp
from . import normalise as nrm
from . import treat as trt
from .errors import ProblemList, ValidationError
from .framework import Framework
from .mcda import MCDA_METHODS
from .methods import method_params
from .params import MAX_MAGNITUDE, Bounds
from .screen import screen as screen_table

__all__ = [
    "LevelWeigher",
    "MeanAggregator",
    "aggregate",
    "blank_cells",
    "check_domain",
    "check_missing_policy",
    "constant_indicators",
    "denominate",
    "fill_worst",
    "higher_is_better",
    "history_cube",
    "impute",
    "indicator_weights",
    "level_params",
    "mcda_params",
    "mcda_root",
    "normalise",
    "per_level",
    "score_method",
    "screen",
    "top_method",
    "treat",
    "worst_values",
]

#: ``model(child_level, parents, values, col, weights, problems)``: sets the weights of the
#: children of ``parents`` in place before a level is aggregated (a spec weighting model).
LevelWeigher = Callable[
    [int, list[str], np.ndarray, Mapping[str, int], pd.Series, ProblemList], None
]


# ------------------------------------------------------------------ denominate
def denominate(
    fw: Framework, frame: pd.DataFrame, x: np.ndarray, problems: ProblemList
) -> np.ndarray:
    """``x`` divided by each indicator's denominator column of ``frame`` (COINr ``Denominate``).

    A missing denominator makes the value missing, as in COINr; a zero denominator under
    a reported value is a problem (the quotient is ``inf``, which the build sets missing
    after reporting it), and so is a negative one (the quotient's sign would reverse the
    indicator's direction). So is a quotient beyond :data:`~integrity_eval.params.MAX_MAGNITUDE`
    (a denominator such as 1e-300, which overflows ``x / d`` or leaves a value no later
    stage can use): it names the unit, the indicator and the denominator, and is returned
    missing.
    """
    d = np.full(x.shape, np.nan)
    by_denominator: dict[str, list[int]] = {}
    for j, code in enumerate(fw.indicators):
        if fw[code].denominator:
            by_denominator.setdefault(fw[code].denominator, []).append(j)
    for name, cols in by_denominator.items():
        col = frame[name].to_numpy(dtype=float)
        d[:, cols] = col[:, None]
        bad = ~np.isnan(x[:, cols]) & (col[:, None] == 0)
        for i in np.flatnonzero(bad.any(axis=1)):
            problems.add(
                "denominator is zero",
                source="iData",
                row=frame["uCode"].iloc[i],
                column=name,
                value=col[i],
            )
        for i in np.flatnonzero(col < 0):
            problems.add(
                f"分母 {name} 为负数：除以它会把指标的好坏方向颠倒；人口、面积、预算等分母"
                f"须为正数，请改正该单位的 {name} / the denominator {name} is negative: "
                "dividing by it would turn the indicators' better direction upside down; "
                "population, area, budget and other denominators must be positive, correct "
                f"the unit's {name}",
                source="iData",
                row=frame["uCode"].iloc[i],
                column=name,
                value=col[i],
            )
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = den.denominate(x, d)
        huge = np.isfinite(d) & (d != 0) & ~np.isnan(out) & ~(np.abs(out) <= MAX_MAGNITUDE)
    for i, j in zip(*np.nonzero(huge), strict=True):
        code = fw.indicators[j]
        name, q = fw[code].denominator, out[i, j]
        problems.add(
            f"除以分母 {name}（{d[i, j]:g}）后的值为 {q:g}，绝对值超过 {MAX_MAGNITUDE:g}，无法安全"
            f"计算；请检查分母的数值与计量单位 / divided by its denominator {name} "
            f"({d[i, j]:g}) the value is {q:g}, beyond ±{MAX_MAGNITUDE:g}: it cannot be "
            "computed safely; check the denominator's value and unit",
            source="iData",
            row=frame["uCode"].iloc[i],
            column=code,
            value=x[i, j],
        )
    return np.where(huge, np.nan, out)


# ---------------------------------------------------------------------- impute
def impute(
    cfg: Mapping[str, Any],
    x: np.ndarray,
    current: pd.DataFrame,
    history: np.ndarray | None,
    seed: int,
    problems: ProblemList,
) -> np.ndarray:
    """``x`` with missing values filled by the ``impute`` stage's method.

    ``current``: the period's iData (for a ``group`` column); ``history``: earlier periods
    as :func:`history_cube` gives them (``method: latest``); ``seed`` for ``iterative``
    unless the spec pins one.
    """
    method = cfg["method"]
    params = {k: v for k, v in cfg.items() if k != "method"}
    if "group" in params:
        group = params["group"]
        if group not in current.columns:
            problems.add(
                "grouping column for imputation is not in the data",
                source="spec",
                column="impute.group",
                value=group,
            )
            return x
        params["group"] = current[group].to_numpy(dtype=object)
    if method == "iterative" and "seed" not in params:
        params["seed"] = seed
    if method == "latest":
        params["history"] = history
    return imp.METHODS[method](x, **params)


def history_cube(history: pd.DataFrame | None, units: list[str], codes: list[str]) -> np.ndarray:
    """Earlier periods as a ``(periods, units, indicators)`` array aligned to ``units``."""
    if history is None or history.empty:
        return np.empty((0, len(units), len(codes)))
    times = sorted(history["Time"].unique())
    wide = history.set_index(["Time", "uCode"])[codes]
    full = pd.MultiIndex.from_product([times, units], names=["Time", "uCode"])
    cube = wide.reindex(full).to_numpy(dtype=float)
    return cube.reshape(len(times), len(units), len(codes))


# ---------------------------------------------------------------------- screen
def screen(
    cfg: Mapping[str, Any], x: np.ndarray, units: list[str], problems: ProblemList
) -> pd.DataFrame:
    """The screening table (COINr ``Screen``): column ``Included`` says which units stay.

    Units named in ``screen.force`` that are not in the data are problems (and ignored).
    """
    cfg = dict(cfg)
    force = dict(cfg.get("force") or {})
    for u in [u for u in force if u not in units]:
        problems.add(
            "screen.force 中的单位不在数据中 / unit in screen.force is not in the data",
            source="spec",
            row=u,
            column="screen.force",
        )
        del force[u]
    return screen_table(x, units, **{**cfg, "force": force})


# ------------------------------------------------------------- missing values
def check_missing_policy(fw: Framework, spec: Mapping[str, Any], problems: ProblemList) -> None:
    """Problems with the spec's ``missing`` policy on ``fw``: ``worst`` needs goalposts for
    every indicator (a blank scores the worst one), ``impute`` an impute stage."""
    policy = spec.get("missing", "skip")
    if policy == "worst":
        for code in fw.indicators:
            if not fw[code].goalposts:
                problems.add(
                    "missing: worst（未报送不得分）需要每项指标的 goalposts，本指标没有；请在框架中"
                    "给出 goalposts，或改用 missing: skip / missing: worst (a blank scores the "
                    "worst goalpost) needs goalposts for every indicator and this one has none; "
                    "give its goalposts in the framework or use missing: skip",
                    source="spec",
                    column=code,
                )
    elif policy == "impute" and "impute" not in spec:
        problems.add(
            "missing: impute 需要 impute 阶段（例如 impute: {method: mean}）/ missing: impute "
            "needs an impute stage (e.g. impute: {method: mean})",
            source="spec",
            column="missing",
            value=policy,
        )


def worst_values(fw: Framework) -> np.ndarray:
    """Each indicator's worst goalpost in its own unit (the low post of an indicator where
    higher is better, the high post otherwise); NaN where it has none."""
    posts = np.array([sorted(fw[c].goalposts or (np.nan, np.nan)) for c in fw.indicators], float)
    return np.where(fw.directions.to_numpy() > 0, posts[:, 0], posts[:, 1])


def fill_worst(fw: Framework, x: np.ndarray) -> np.ndarray:
    """``x`` with every blank cell set to its indicator's worst goalpost — the policy
    ``missing: worst`` (未报送不得分: what is not reported scores nothing)."""
    return np.where(np.isnan(x), worst_values(fw), x)


def blank_cells(
    fw: Framework,
    current: pd.DataFrame,
    raw: np.ndarray,
    blanks: np.ndarray,
    keep: np.ndarray,
    policy: str,
) -> pd.DataFrame:
    """The blank cells of the units that stay after screening (``keep``: one flag per row of
    ``current``): ``uCode``, ``iCode``, ``cause`` (``"not_reported"``, or
    ``"denominator_blank"`` when the value was reported but its denominator was not) and
    the ``policy`` that scored them."""
    units = current["uCode"].astype(str).to_numpy()
    rows, cols = np.nonzero(blanks & keep[:, None])
    cause = np.where(np.isnan(raw[rows, cols]), "not_reported", "denominator_blank")
    return pd.DataFrame(
        {
            "uCode": units[rows],
            "iCode": np.asarray(fw.indicators, dtype=object)[cols],
            "cause": cause,
            "policy": policy,
        }
    )


# ----------------------------------------------------------------------- treat
def treat(
    cfg: Mapping[str, Any], x: np.ndarray, codes: Sequence[str]
) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """Outlier treatment: the treated matrix, the treated points (``"winhi"``, ``"winlo"``,
    ``""``) and the per-indicator details table indexed by ``codes``."""
    params = {k: v for k, v in cfg.items() if k != "method"}
    y, points, details = trt.METHODS[cfg["method"]](x, **params)
    details.index = pd.Index(list(codes), name="iCode")
    return y, points, details


# ------------------------------------------------------------------- normalise
def normalise(
    fw: Framework,
    cfg: Mapping[str, Any],
    x: np.ndarray,
    units: list[str],
    problems: ProblemList,
    pool: np.ndarray | None = None,
) -> np.ndarray:
    """``x`` normalised by the ``normalise`` stage's method.

    Directions −1 multiply a column by −1 first (COINr). ``pool``: treated rows of other
    periods normalised together with ``x`` (a globally normalised panel, COINr
    ``Normalise.purse(global = TRUE)``); only ``x``'s rows are returned. Columns the
    method cannot normalise are reported and set missing.
    """
    method = cfg["method"]
    dirs = fw.directions.to_numpy()
    n = len(x)
    xd = (x if pool is None else np.concatenate([x, pool])) * dirs
    params = {k: v for k, v in cfg.items() if k not in ("method", "iref")}
    if method == "dist2ref":
        if cfg["iref"] not in units:
            problems.add(
                "reference unit for dist2ref is not among the (screened) units",
                source="spec",
                column="normalise.iref",
                value=cfg["iref"],
            )
            return np.full(x.shape, np.nan)
        params["iref"] = units.index(cfg["iref"])
    if method == "dist2targ":
        params["targets"] = fw.targets.to_numpy() * dirs
    if method == "goalposts":
        posts = np.array([fw[c].goalposts or (np.nan, np.nan) for c in fw.indicators], float).T
        params["posts"] = np.where(dirs < 0, -posts[::-1], posts)
    if method == "clip":
        bounds = np.array([(_nan(fw[c].min), _nan(fw[c].max)) for c in fw.indicators]).T
        bounds = np.where(np.isnan(bounds), [[-np.inf], [np.inf]], bounds)
        params["bounds"] = np.where(dirs < 0, -bounds[::-1], bounds)
    faulty = nrm.check(xd, fw.indicators, method, params, problems, dirs)
    with np.errstate(divide="ignore", invalid="ignore"):
        y = nrm.METHODS[method](xd, **params)[:n]
    y[:, faulty] = np.nan  # reported; only check() goes on past them
    flat = constant_indicators(fw, cfg, x, pool)
    if flat:
        y[:, [fw.indicators.index(c) for c in flat]] = np.nan
        warnings.warn(
            f"以下指标所有单位取值相同，标准化方法 {method} 要除以离散程度，得分记为缺失，"
            f"不计入上级得分（与 COINr 相同）/ every unit has the same value of these "
            f"indicators, which normalise method {method} divides by the spread of: their "
            f"scores are missing and they leave their parents' means (as in COINr): "
            f"{', '.join(flat)}",
            UserWarning,
            stacklevel=2,
        )
    return y


def constant_indicators(
    fw: Framework, cfg: Mapping[str, Any], x: np.ndarray, pool: np.ndarray | None = None
) -> list[str]:
    """The indicators a spread-dividing normalisation (min-max, z-score …) cannot score
    because every unit (of ``x`` and the ``pool``) reports the same value.

    COINr 1.1.14's ``n_minmax`` returns NaN for them with a warning, and ``a_amean``
    skips NaN, so they leave their parents' means; absolute methods (goalposts) score
    them normally.
    """
    if cfg.get("method") not in nrm.SPREAD_METHODS:
        return []
    xd = x if pool is None else np.concatenate([x, pool])
    return [c for c, flat in zip(fw.indicators, nrm.constant(xd), strict=True) if flat]


def _nan(v: float | None) -> float:
    return np.nan if v is None else v


# ------------------------------------------------------------------- aggregate
def aggregate(
    fw: Framework,
    cfg: Mapping[str, Any],
    x: np.ndarray,
    weights: pd.Series,
    units: list[str],
    problems: ProblemList,
    stop: Callable[[str], None] | None = None,
    model: LevelWeigher | None = None,
) -> tuple[np.ndarray, list[str]]:
    """Aggregate level by level; returns the aggregate columns and their codes.

    Children with weight 0 stay in the tables but do not enter the aggregate (and are not
    checked against its method's domain); as in COINr, ``dat_thresh`` counts every child.
    ``model`` (a spec weighting model) sets the children's weights, in place in
    ``weights``, before each level is aggregated. ``cfg["by_node"]`` (aggregate code →
    method) overrides the level's method for single aggregates. A whole-matrix MCDA method
    as the top level's method scores the root with :func:`mcda_root`; where it is the only
    method named, the levels below use ``amean``. ``stop(title)`` is called after each
    level (the build raises the problems found so far there; a check goes on).
    """
    stop = stop or (lambda title: None)
    col = {c: j for j, c in enumerate(fw.indicators)}
    by_node = cfg.get("by_node") or {}
    for code in by_node:
        if code not in fw.children or not fw.children[code]:
            problems.add(
                "aggregate.by_node names a code that is not an aggregate of the framework",
                source="spec",
                column=f"aggregate.by_node.{code}",
            )
    stop("invalid aggregation")  # check() goes on: an unknown code matches no parent
    n_ind = x.shape[1]
    # every column in one Fortran-ordered block: children are gathered column-wise
    n_agg = sum(len(fw.codes_at(level)) for level in range(2, fw.n_levels + 1))
    values = np.empty((x.shape[0], n_ind + n_agg), order="F")
    values[:, :n_ind] = x
    filled = n_ind
    out_codes: list[str] = []
    wmap = weights.to_dict()
    for level in range(2, fw.n_levels + 1):
        thresh = per_level(cfg.get("dat_thresh"), level)
        parents = fw.codes_at(level)
        if model is not None:
            failed = ProblemList()
            model(level - 1, parents, values, col, weights, failed)
            problems.extend(failed)
            failed.raise_if_any("cannot compute the weighting model")
            wmap = weights.to_dict()  # the model has set this level's weights
        level_cols = values[:, filled : filled + len(parents)]
        if level == fw.n_levels and top_method(cfg, level) in MCDA_METHODS:
            level_cols[:, 0] = mcda_root(fw, cfg, x, weights, units, problems)
            parents = []
        for p, parent in enumerate(parents):
            method = by_node.get(parent, per_level(cfg["method"], level))
            method = "amean" if method in MCDA_METHODS else method  # below an MCDA root
            params = level_params(cfg, method, level)
            # a points total caps the bonus of all its items, so it reads the items themselves
            kids = fw.descendants(parent) if method == "points" else fw.children[parent]
            every = values[:, [col[k] for k in kids]]
            used = [k for k in kids if wmap[k] > 0]
            xs = values[:, [col[k] for k in used]]
            w = np.array([wmap[k] for k in used])
            faulty = check_domain(method, params, xs, used, units, problems)
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                y = agg.METHODS[method](xs, w, **params) if used else np.full(len(units), np.nan)
            if thresh is not None:
                y = np.where(np.mean(~np.isnan(every), axis=1) < thresh, np.nan, y)
            level_cols[:, p] = np.where(faulty, np.nan, y)
        # faults below would reappear as faults of their aggregates: stop at this level
        stop("cannot aggregate")
        parents = fw.codes_at(level)
        for p, parent in enumerate(parents):
            col[parent] = filled + p
        filled += len(parents)
        out_codes += parents
    return values[:, n_ind:filled], out_codes


def top_method(cfg: Mapping[str, Any], n_levels: int) -> str:
    """The aggregate stage's method for the root (level ``n_levels``)."""
    return per_level(cfg["method"], n_levels)


def score_method(spec: Mapping[str, Any] | None, n_levels: int) -> str | None:
    """The method that computes the index score: the aggregate stage's method for the
    root of a resolved spec (``None`` when it names none)."""
    cfg = (spec or {}).get("aggregate")
    return top_method(cfg, n_levels) if cfg and "method" in cfg else None


def higher_is_better(cfg: Mapping[str, Any] | None, n_levels: int) -> bool:
    """Whether a higher index score is better: yes, except under an MCDA method whose score
    is better when lower (VIKOR's Q, :data:`~integrity_eval.mcda.MCDA_METHODS`)."""
    top = top_method(cfg, n_levels) if cfg else None
    return MCDA_METHODS[top].higher_is_better if top in MCDA_METHODS else True


def mcda_params(method: str) -> dict[str, Any]:
    """An MCDA method's options (its keyword-only parameters) and their defaults, read
    from the function's signature."""
    sig = inspect.signature(MCDA_METHODS[method].function)
    return {name: p.default for name, p in sig.parameters.items() if p.kind is p.KEYWORD_ONLY}


def mcda_root(
    fw: Framework,
    cfg: Mapping[str, Any],
    x: np.ndarray,
    weights: pd.Series,
    units: list[str],
    problems: ProblemList,
) -> np.ndarray:
    """The root's scores by the whole-matrix MCDA method the spec names for the top level.

    The method (:data:`~integrity_eval.mcda.MCDA_METHODS`, e.g. VIKOR) scores the units
    from the normalised indicators ``x`` — directions already applied, so every direction
    is +1 — with the indicators' effective weights
    (:func:`~integrity_eval.weights.effective_weights`, COINr ``get_eff_weights``), as a
    comparison of MCDA rankings on one composite indicator does. Indicators of effective
    weight 0, and constant ones (which min-max or z-scores leave without scores), leave
    the matrix, as they leave a weighted mean. The method needs complete data: a missing
    value is a problem naming the indicator and units (impute, or ``missing: worst``).
    The score keeps the method's convention (VIKOR: lower is better); ranks follow it
    (:func:`higher_is_better`).
    """
    method = top_method(cfg, fw.n_levels)
    eff = indicator_weights(fw, weights)
    used = [j for j in range(x.shape[1]) if eff[j] > 0 and not np.isnan(x[:, j]).all()]
    codes = [fw.indicators[j] for j in used]
    frame = pd.DataFrame(x[:, used], index=pd.Index(units, name="uCode"), columns=codes)
    for c in frame.columns[frame.isna().any()]:
        rows = frame.index[frame[c].isna()]
        problems.add(
            f"顶层多准则方法 {method} 需要完整数据，该指标有缺失值；请加 impute 阶段（例如 "
            f"impute: {{method: mean}}）或设 missing: worst / the top-level MCDA method "
            f"{method} needs complete data and this indicator has missing values; add an "
            "impute stage (e.g. impute: {method: mean}) or set missing: worst",
            source="aggregate",
            column=c,
            row=", ".join(map(str, rows[:5])) + ("…" if len(rows) > 5 else ""),
        )
    if frame.isna().to_numpy().any():
        return np.full(len(units), np.nan)
    options = {k: cfg[k] for k in mcda_params(method) if k in cfg}
    try:
        scores = MCDA_METHODS[method].function(frame, pd.Series(eff[used], codes), None, **options)
    except ValidationError as exc:
        problems.extend(exc.problems)
        return np.full(len(units), np.nan)
    return scores.to_numpy(dtype=float)


def indicator_weights(fw: Framework, weights: pd.Series) -> np.ndarray:
    """Each indicator's effective weight in the root, in ``fw.indicators`` order: the
    product of sibling-normalised weights up the tree (COINr ``get_eff_weights``), the
    arithmetic of :func:`~integrity_eval.weights.effective_weights` on plain dicts (it runs
    once per replication of an MCDA alternative)."""
    w = weights.to_dict()
    share: dict[str, float] = {}
    for kids in fw.children.values():
        if kids:
            total = np.array([w[k] for k in kids], dtype=float).sum()
            share.update((k, w[k] / total) for k in kids)
    out = np.empty(len(fw.indicators))
    for j, code in enumerate(fw.indicators):
        value, cur = 1.0, code
        while fw[cur].parent is not None:
            value *= share[cur]
            cur = fw[cur].parent
        out[j] = value
    return out


class MeanAggregator:
    """Every level's weighted arithmetic mean as one sparse operator per level, built once.

    The aggregation of :func:`aggregate` when every level uses ``amean`` (COINr 1.1.14
    ``a_amean``: ``Σ wᵢxᵢ / Σ wᵢ`` over the available children), precomputed for one
    normalised matrix so that new weights cost a few sparse products: for each level, the
    matrix ``A`` (parents × children, the children's weights) gives the numerators
    ``A @ x₀`` (``x₀``: the children's values with missing ones set to 0) and the
    denominators ``A @ m`` (``m``: 1 where a child is available), so a missing child leaves
    both, as in ``a_amean``. Each product adds the children in framework order one after
    the other, exactly as the build's column-wise sums do, so the result equals
    :func:`aggregate`'s bit for bit (tested). ``dat_thresh`` counts every child, as there.
    :meth:`fits` says whether a spec and matrix can use it (otherwise use :func:`aggregate`).
    Each level's matrix is built once; a call writes the weights into it, under a lock, so
    threads may share the operator.
    """

    def __init__(self, fw: Framework, cfg: Mapping[str, Any], x: np.ndarray):
        from scipy import sparse  # only reweighting needs it; keep it out of the build's imports

        self.codes: list[str] = []
        self._weight_index = fw.weights.index
        position = {c: i for i, c in enumerate(self._weight_index)}
        self._levels = []
        for level in range(2, fw.n_levels + 1):
            below = {c: i for i, c in enumerate(fw.codes_at(level - 1))}
            parents = fw.codes_at(level)
            kids = [fw.children[p] for p in parents]
            indptr = np.cumsum([0] + [len(k) for k in kids])
            indices = np.array([below[c] for k in kids for c in k], dtype=np.int32)
            take = np.array([position[c] for k in kids for c in k], dtype=np.intp)
            shape = (len(parents), len(below))
            ones = sparse.csr_array((np.ones(len(indices)), indices, indptr), shape=shape)
            thresh = per_level(cfg.get("dat_thresh"), level)
            sizes = np.diff(indptr).astype(float)[:, None]
            # the weights are written into the matrix's data per call (under the lock)
            a = sparse.csr_array((np.zeros(len(indices)), indices, indptr), shape=shape)
            self._levels.append((a, take, shape, ones, thresh, sizes))
            self.codes += parents
        self.codes_index = pd.Index(self.codes)
        missing = np.isnan(x)
        self._lock = threading.Lock()
        self._x0 = np.where(missing, 0.0, x).T.copy()  # children × units, one row each
        self._avail = (~missing).T.astype(float) if missing.any() else None

    @staticmethod
    def fits(fw: Framework, cfg: Mapping[str, Any], n_units: int) -> bool:
        """Whether :func:`aggregate` with ``cfg`` is the arithmetic mean at every level
        (no ``by_node``) over at least two units (one unit's sums are ordered otherwise)."""
        levels = range(2, fw.n_levels + 1)
        means = all(per_level(cfg["method"], level) == "amean" for level in levels)
        return means and not cfg.get("by_node") and n_units >= 2

    def __call__(self, weights: pd.Series) -> np.ndarray:
        """The aggregate columns (units × aggregates, in the order of :attr:`codes`) under
        ``weights`` (the build's nominal weights, indexed like the framework's)."""
        if not weights.index.equals(self._weight_index):
            weights = weights.reindex(self._weight_index)
        w = weights.to_numpy(dtype=float)
        x0, avail = self._x0, self._avail
        out = []
        with self._lock:
            for a, take, shape, ones, thresh, sizes in self._levels:
                a.data[:] = w[take]
                den = (a @ np.ones(shape[1]))[:, None] if avail is None else a @ avail
                with np.errstate(divide="ignore", invalid="ignore"):
                    y = (a @ x0) / np.where(den > 0, den, np.nan)
                if thresh is not None:
                    count = sizes if avail is None else ones @ avail
                    y[(count / sizes) < thresh] = np.nan
                out.append(y)
                x0, avail = y, None
                missing = np.isnan(y)
                if missing.any():
                    x0, avail = np.where(missing, 0.0, y), (~missing).astype(float)
        return np.concatenate(out).T


def per_level(value: Any, level: int) -> Any:
    """A per-level setting (a list, bottom level first) or one value for every level."""
    return value[level - 2] if isinstance(value, list) else value


def level_params(cfg: Mapping[str, Any], method: str, level: int) -> dict[str, Any]:
    """The aggregate stage's parameters of ``method`` for ``level``.

    A list gives one value per level, except for the bounds of ``bod``, whose value is
    itself a pair: ``weight_bounds: [0.1, 0.15]`` holds for every level, a list of pairs
    (or nulls) gives one per level.
    """
    accepted = method_params(agg.METHODS[method])
    out = {}
    for k, v in cfg.items():
        if k in ("method", "dat_thresh") or k not in accepted:
            continue
        pair = k.endswith("_bounds") and Bounds.pair_shaped(v)
        out[k] = v if pair else per_level(v, level)
    return out


def check_domain(
    method: str,
    params: Mapping[str, Any],
    xs: np.ndarray,
    kids: list[str],
    units: list[str],
    problems: ProblemList,
) -> np.ndarray:
    """Record values outside the method's domain; returns the units that have any.

    The geometric mean (and the generalised mean with ``p < 0``) needs positive values,
    the harmonic mean non-zero ones (OECD/JRC Handbook §6.2).
    """
    if method == "gmean" or (method == "genmean" and params.get("p", 1) < 0):
        bad, rule = xs <= 0, f"{method} needs positive values (normalise e.g. to [1, 100])"
    elif method == "hmean":
        bad, rule = xs == 0, "hmean needs non-zero values"
    else:
        return np.zeros(len(units), dtype=bool)
    for i, j in zip(*np.nonzero(bad), strict=True):
        problems.add(rule, source="aggregate", row=units[i], column=kids[j], value=xs[i, j])
    return bad.any(axis=1)
