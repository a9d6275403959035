"""Morris elementary-effects screening of an evaluation or of any function.

Design: Morris (1991), *Technometrics* 33(2), 161–174: ``r`` trajectories on a grid of
``levels`` (p) values per input in the unit cube, step Δ = p / (2(p − 1)); each
trajectory starts at a random grid point x* (each coordinate in {0, 1/(p−1), …, 1 − Δ}),
then moves one input (or one group of inputs) at a time by ±Δ in a random order —
the matrix B* = J·x* + (Δ/2)·[(2B − J)·D* + J]·P* of Morris §3, with groups as in
Campolongo, Cariboni & Saltelli (2007), *Environ. Model. Softw.* 22, 1509–1518, §2.
``r·(D + 1)`` model runs for D inputs (or groups).

Measures, as SALib's ``analyze.morris``: the elementary effect of input j on trajectory
t is EE = (y(x_j high) − y(x_j low)) / Δ; ``mu`` its mean over the trajectories, ``mu_star``
the mean of its absolute value (Campolongo et al. 2007, eq. 5: μ*, robust to effects of
opposite sign), ``sigma`` its standard deviation (ddof 1; interactions or
non-linearity; NaN for a group of several inputs, as SALib), ``mu_star_conf`` the
half-width of a bootstrap interval of μ* (``num_resamples`` resamples of the
trajectories, ``Z·sd``; the same random stream as SALib with the same ``seed``). For a
group, each measure is the mean over its members (SALib), members moving together.

In :func:`morris`, the ``levels`` grid values are the centres of ``levels`` equal-probability
cells, (2i + 1) / (2p), so that inputs drawn by an inverse CDF (Dirichlet weights) never
meet the ends 0 and 1; a discrete input with ``levels`` equally likely alternatives takes
each at one level. Elementary effects stay in grid units (divided by Δ), so μ* compares
inputs by the output change one grid step causes.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from ..display import Displayable, Summary
from ..errors import ProblemList
from .problem import UncertaintyProblem
from .sobol import _check_bounds, _to_values, evaluate_inputs

__all__ = ["MorrisResult", "morris", "morris_function"]


def _check(r: Any, levels: Any, num_resamples: Any) -> None:
    problems = ProblemList()
    if not isinstance(r, int | np.integer) or r < 2:
        problems.add(
            "r（轨迹数）须为不小于 2 的整数 / r (the number of trajectories) must be a whole "
            "number of at least 2",
            source="r",
            value=r,
        )
    if not isinstance(levels, int | np.integer) or levels < 2 or levels % 2:
        problems.add(
            "levels（网格层数）须为不小于 2 的偶数（Morris 1991 的 Δ = p/(2(p−1)) 需要偶数）/ "
            "levels must be an even number of at least 2 (Morris 1991's Δ = p/(2(p − 1)) "
            "needs an even p)",
            source="levels",
            value=levels,
        )
    if not isinstance(num_resamples, int | np.integer) or num_resamples < 2:
        problems.add(
            "num_resamples 须为不小于 2 的整数 / num_resamples must be a whole number of at "
            "least 2",
            source="num_resamples",
            value=num_resamples,
        )
    problems.raise_if_any("Morris 设置无效 / invalid Morris settings")


def trajectories(
    groups: Sequence[str], r: int, levels: int, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Morris (1991) trajectories for inputs named by ``groups`` (one name per column).

    Returns the design ``u`` (r·(D + 1), k) in the unit cube (trajectory after
    trajectory), the position of each group's step in each trajectory (r, D) and the
    direction of each column in each trajectory (r, k): +1 when it moves up.
    """
    names = list(dict.fromkeys(groups))
    member = np.array([names.index(g) for g in groups])
    k, d = len(groups), len(names)
    delta = levels / (2.0 * (levels - 1))
    rng = np.random.default_rng(seed)
    start = rng.choice(np.linspace(0.0, 1.0 - delta, levels // 2), size=(r, k))
    up = rng.choice([-1, 1], size=(r, k))
    step = np.argsort(rng.random((r, d)), axis=1)  # step at which each group moves
    # moved[t, s, j]: column j has moved by point s of trajectory t
    moved = step[:, None, member] < np.arange(d + 1)[None, :, None]
    u = start[:, None, :] + delta * np.where(up[:, None, :] > 0, moved, ~moved)
    return u.reshape(r * (d + 1), k), step, up


def _measures(
    y: np.ndarray,
    groups: Sequence[str],
    step: np.ndarray,
    up: np.ndarray,
    levels: int,
    num_resamples: int,
    conf_level: float,
    seed: int,
) -> dict[str, np.ndarray]:
    """μ, μ*, σ and the μ* interval per group from outputs ``y`` (r·(D + 1), m)."""
    names = list(dict.fromkeys(groups))
    member = np.array([names.index(g) for g in groups])
    r, d = step.shape
    delta = levels / (2.0 * (levels - 1))
    y = y.reshape(r, d + 1, -1)
    diff = np.diff(y, axis=1)  # (r, D, m): the change at each step
    t = np.arange(r)[:, None]
    # per column: the change when its group moved, signed so that it is high minus low
    ee = diff[t, step[:, member]] * up[:, :, None] / delta  # (r, k, m)
    z = norm.ppf(0.5 + conf_level / 2)
    rng = np.random.default_rng(seed)
    conf = np.empty(ee.shape[1:])
    for j in range(ee.shape[1]):  # SALib's stream: one resample matrix per column
        idx = rng.integers(r, size=(num_resamples, r))
        counts = np.zeros((num_resamples, r))
        np.add.at(counts, (np.arange(num_resamples)[:, None], idx), 1.0)
        conf[j] = z * (counts @ np.abs(ee[:, j]) / r).std(axis=0, ddof=1)
    size = np.bincount(member, minlength=d)
    with np.errstate(invalid="ignore"):
        per_column = {
            "mu": ee.mean(axis=0),
            "mu_star": np.abs(ee).mean(axis=0),
            "sigma": ee.std(axis=0, ddof=1),
            "mu_star_conf": conf,
        }
    out = {}
    for key, value in per_column.items():
        grouped = np.zeros((d, value.shape[1]))
        np.add.at(grouped, member, value)
        out[key] = grouped / size[:, None]
    out["sigma"][size > 1] = np.nan
    return out


@dataclass(frozen=True, eq=False, repr=False)
class MorrisResult(Displayable):
    """Morris measures per input: ``mu``, ``mu_star``, ``sigma``, ``mu_star_conf``; arrays
    (inputs,) for one output or (inputs, outputs) (e.g. every unit's rank)."""

    names: list
    mu: np.ndarray = field(repr=False)
    mu_star: np.ndarray = field(repr=False)
    sigma: np.ndarray = field(repr=False)
    mu_star_conf: np.ndarray = field(repr=False)
    outputs: list | None = field(default=None, repr=False)
    r: int = 0
    levels: int = 4
    conf_level: float = 0.95

    def _headline(self) -> str:
        m = 1 if self.mu.ndim == 1 else self.mu.shape[1]
        return f"{len(self.names)} inputs, {m} outputs, r = {self.r}, levels = {self.levels}"

    def to_frame(self) -> pd.DataFrame:
        """One row per input (or per output and input): mu, mu_star, sigma, mu_star_conf
        (SALib's ``to_df``)."""
        cols = ["mu", "mu_star", "sigma", "mu_star_conf"]
        if self.mu.ndim == 1:
            return pd.DataFrame({c: getattr(self, c) for c in cols}, index=self.names)
        index = pd.MultiIndex.from_product([self.outputs, self.names], names=["output", "input"])
        return pd.DataFrame({c: getattr(self, c).T.reshape(-1) for c in cols}, index=index)

    def mean(self) -> pd.DataFrame:
        """The measures averaged over the outputs (e.g. over every unit's rank), sorted by
        nothing: inputs in their given order."""
        frame = self.to_frame()
        if self.mu.ndim == 1:
            return frame
        return frame.groupby(level="input", sort=False).mean()

    def summary(self) -> Summary:
        return Summary(
            "Morris 筛选 / Morris screening",
            [
                ("r", self.r),
                ("levels", self.levels),
                ("CI", f"{self.conf_level:.0%}"),
                ("输出 / outputs", 1 if self.mu.ndim == 1 else self.mu.shape[1]),
            ],
            [("各输出平均 / mean over outputs", self.mean())],
        )

    def plot(
        self, *, title: str | None = None, ax: Any = None, lang: str = "zh", font: Any = None
    ) -> Any:
        """μ* against σ per input (mean over outputs), μ* with its interval; inputs by
        readable names; Chinese / English (``lang="en"``: English only)."""
        from .plots import morris_plot

        return morris_plot(self, title=title, ax=ax, lang=lang, font=font)


def _result(y, groups, step, up, r, levels, num_resamples, conf_level, seed, outputs):
    single = y.ndim == 1
    est = _measures(
        y.reshape(len(y), -1), groups, step, up, levels, num_resamples, conf_level, seed
    )
    if single:
        est = {key: value[:, 0] for key, value in est.items()}
    names = list(dict.fromkeys(groups))
    return MorrisResult(
        names=names, outputs=outputs, r=r, levels=levels, conf_level=conf_level, **est
    )


def morris_function(
    f: Callable[[np.ndarray], np.ndarray],
    bounds: Sequence[Any],
    r: int = 20,
    levels: int = 4,
    seed: int = 0,
    *,
    groups: Sequence[str] | None = None,
    names: Sequence[str] | None = None,
    num_resamples: int = 100,
    conf_level: float = 0.95,
) -> MorrisResult:
    """Morris screening of ``f`` (rows of input values → one output per row, or a matrix
    of outputs), as SALib's ``sample.morris`` + ``analyze.morris``.

    ``bounds``: per input ``(low, high)`` (uniform) or ``{"values": [...], "p": [...]}``
    (discrete), as :func:`~integrity_eval.uncertainty.sobol_function`; the grid runs from
    low to high (Morris 1991). ``groups``: one name per column; a group moves as one.
    ``f`` runs on ``r·(D + 1)`` rows.
    """
    _check(r, levels, num_resamples)
    _check_bounds(bounds, groups)
    names = list(names) if names is not None else [f"x{j + 1}" for j in range(len(bounds))]
    groups = list(groups) if groups is not None else names
    u, step, up = trajectories(groups, r, levels, seed)
    y = np.array(f(_to_values(u, bounds)), dtype=float)
    return _result(y, groups, step, up, r, levels, num_resamples, conf_level, seed, None)


def morris(
    ev: Any,
    inputs: Sequence[Mapping[str, Any]],
    r: int = 20,
    levels: int = 4,
    seed: int = 0,
    *,
    output: str = "rank",
    num_resamples: int = 100,
    conf_level: float = 0.95,
    chunk_size: int | None = None,
    n_jobs: int | None = None,
    quiet: bool = False,
) -> MorrisResult:
    """Morris screening of every unit's rank (``output="rank"``) or score (``"score"``), or
    of the mean absolute rank shift R̄_S (``"rank_shift"``), with respect to each input of
    ``inputs`` (``docs/uncertainty.md``; a weights input is one group of its weights).

    ``r·(D + 1)`` configurations on the vectorised engine — a cheap first look before
    :func:`~integrity_eval.uncertainty.sobol` (which needs ``n·(D + 2)``): inputs with a
    small μ* can be fixed. Grid values are cell centres (see the module docstring), so a
    discrete input is seen at ``levels`` of its alternatives at most: a warning names the
    inputs with more (raise ``levels``, e.g. to the number of indicators left out in turn).
    """
    _check(r, levels, num_resamples)

    def design(problem: UncertaintyProblem) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
        u, step, up = trajectories(problem.groups, r, levels, seed)
        # grid 0, 1/(p−1), …, 1 → the centres (2i + 1)/(2p) of p equal cells
        return (u * (levels - 1) + 0.5) / levels, (step, up)

    problem, (step, up), y, outputs = evaluate_inputs(
        ev,
        inputs,
        design,
        output=output,
        chunk_size=chunk_size,
        n_jobs=n_jobs,
        quiet=quiet,
        desc="Morris",
    )
    coarse = [
        f"{i.name} ({len(i.alternatives)})" for i in problem.inputs if len(i.alternatives) > levels
    ]
    if coarse:
        warnings.warn(
            f"levels = {levels} 少于 {', '.join(coarse)} 的备选方案数：只有 {levels} 个被取到；"
            "请增大 levels / levels = {levels} is fewer than the alternatives of "
            f"{', '.join(coarse)}: only {levels} of them are visited; raise levels",
            UserWarning,
            stacklevel=2,
        )
    return _result(y, problem.groups, step, up, r, levels, num_resamples, conf_level, seed, outputs)
