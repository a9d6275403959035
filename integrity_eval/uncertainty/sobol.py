"""Variance-based sensitivity analysis: Sobol first-order and total indices.

Design: a scrambled Sobol sequence of dimension 2k (``scipy.stats.qmc.Sobol``)
gives the base matrices A and B (n rows each); for each input (or group of
inputs) i, AB_i is A with the columns of i taken from B; the model runs on
n·(D + 2) rows (SALib's ``sample.sobol`` without second order).

Estimators, on outputs standardised as in SALib:
- first order, Saltelli et al. (2010), *Comput. Phys. Commun.* 181, 259–270,
  Table 2 (b): ``S_i = mean(f(B)·(f(AB_i) − f(A))) / V``;
- total effect, Jansen (1999), *Comput. Phys. Commun.* 117, 35–43; Saltelli
  et al. (2010) Table 2 (f): ``ST_i = mean((f(A) − f(AB_i))²) / (2V)``;
``V`` the variance of f over A and B. Confidence intervals: bootstrap over the
n rows (``num_resamples``), ``Z·sd`` of the resampled estimates (as SALib). The
bootstrap means are computed as products with the resampling count matrix, so
thousands of outputs (e.g. every unit's rank) are analysed at once.

Discrete inputs are sampled by the inverse CDF of their probabilities, so each
alternative occurs with its stated probability; inputs sharing a group name (e.g.
weights that must sum to one) get one index together (SALib ``groups``).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from scipy.stats import qmc

from ..errors import ProblemList, problem_error, suggest
from . import engine
from .problem import validate_inputs

__all__ = ["SobolResult", "sobol", "sobol_function"]


def _design(k: int, n: int, seed: int, groups: list[str]) -> tuple[np.ndarray, list[str]]:
    """Rows [A; AB_1; …; AB_D; B] (n·(D+2), k) in the unit cube, and the group names."""
    base = qmc.Sobol(d=2 * k, scramble=True, seed=seed).random(n)
    a, b = base[:, :k], base[:, k:]
    names = list(dict.fromkeys(groups))
    blocks = [a]
    for g in names:
        ab = a.copy()
        cols = [j for j, name in enumerate(groups) if name == g]
        ab[:, cols] = b[:, cols]
        blocks.append(ab)
    blocks.append(b)
    return np.concatenate(blocks), names


def _indices(
    y: np.ndarray, n: int, d: int, num_resamples: int, conf_level: float, seed: int
) -> dict[str, np.ndarray]:
    """S1, ST and bootstrap half-widths from outputs ``y`` (n·(d+2), m)."""
    # standardise in place (y is the caller's working copy), as SALib does; block by
    # block, so that no temporary as large as y is needed
    blocks = y.reshape(d + 2, n, -1)
    mean = blocks.mean(axis=1).mean(axis=0)
    sd = np.sqrt(sum(((blk - mean) ** 2).sum(axis=0) for blk in blocks) / len(y))
    y -= mean
    y /= np.where(sd > 0, sd, 1.0)
    a, b, ab = blocks[0], blocks[-1], blocks[1:-1]
    r = np.random.default_rng(seed).integers(n, size=(n, num_resamples))
    counts = np.zeros((num_resamples, n))
    for j in range(num_resamples):
        counts[j] = np.bincount(r[:, j], minlength=n)
    counts /= n
    z = stats.norm.ppf(0.5 + conf_level / 2)

    def var(sample_mean: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        m1 = (sample_mean(a) + sample_mean(b)) / 2
        m2 = (sample_mean(a * a) + sample_mean(b * b)) / 2
        return m2 - m1 * m1

    def full(x: np.ndarray) -> np.ndarray:
        return x.mean(axis=0)

    def boot(x: np.ndarray) -> np.ndarray:
        return counts @ x

    # a (resampled) output without variance has indices 0, as in SALib
    eps = np.finfo(float).eps
    v, vb = np.var(np.concatenate([a, b]), axis=0), var(boot)
    out = {k: np.zeros((d, y.shape[1])) for k in ("S1", "S1_conf", "ST", "ST_conf")}
    with np.errstate(divide="ignore", invalid="ignore"):
        for i in range(d):
            f1, ft = b * (ab[i] - a), 0.5 * (a - ab[i]) ** 2
            out["S1"][i] = np.where(v > eps, full(f1) / v, 0.0)
            out["ST"][i] = np.where(v > eps, full(ft) / v, 0.0)
            out["S1_conf"][i] = z * np.where(vb > eps, boot(f1) / vb, 0.0).std(axis=0, ddof=1)
            out["ST_conf"][i] = z * np.where(vb > eps, boot(ft) / vb, 0.0).std(axis=0, ddof=1)
    return out


def _to_values(u: np.ndarray, bounds: Sequence[Any]) -> np.ndarray:
    x = np.empty_like(u)
    for j, bnd in enumerate(bounds):
        if isinstance(bnd, Mapping):
            values = np.asarray(bnd["values"], dtype=float)
            p = np.asarray(bnd.get("p") or [1 / len(values)] * len(values), dtype=float)
            cum = np.cumsum(p)
            cum[-1] = 1.0
            idx = np.minimum(np.searchsorted(cum, u[:, j], side="right"), len(values) - 1)
            x[:, j] = values[idx]
        else:
            lo, hi = bnd
            x[:, j] = lo + u[:, j] * (hi - lo)
    return x


def _check_bounds(bounds: Sequence[Any], groups: Sequence[str] | None) -> None:
    problems = ProblemList()
    for j, bnd in enumerate(bounds):
        where = {"source": "bounds", "row": str(j)}
        if isinstance(bnd, Mapping):
            values, p = bnd.get("values"), bnd.get("p")
            if not isinstance(values, Sequence) or not values:
                problems.add(
                    "离散输入须有非空 values / a discrete input needs non-empty 'values'",
                    value=values,
                    **where,
                )
            elif p is not None and (
                len(p) != len(values) or min(p) < 0 or not np.isclose(sum(p), 1.0)
            ):
                problems.add(
                    "p 须为与 values 等长的非负概率且和为 1 / 'p' must be "
                    "non-negative, one per value, summing to 1",
                    value=p,
                    **where,
                )
        elif not (isinstance(bnd, Sequence) and len(bnd) == 2 and bnd[0] < bnd[1]):
            problems.add(
                "连续输入须为 (lo, hi) 且 lo < hi / a continuous input must be "
                "(lo, hi) with lo < hi",
                value=bnd,
                **where,
            )
    if groups is not None and len(groups) != len(bounds):
        problems.add(
            f"groups 须每个输入一个名称 / groups needs one name per input ({len(bounds)})",
            source="groups",
            value=len(groups),
        )
    problems.raise_if_any("敏感性分析输入无效 / invalid sensitivity inputs")


def sobol_function(
    f: Callable[[np.ndarray], np.ndarray],
    bounds: Sequence[Any],
    n: int = 1024,
    seed: int = 0,
    *,
    groups: Sequence[str] | None = None,
    names: Sequence[str] | None = None,
    num_resamples: int = 100,
    conf_level: float = 0.95,
) -> SobolResult:
    """Sobol indices of any vectorised ``f``: (rows, k) array → (rows,) or (rows, m).

    ``bounds``: per column ``(lo, hi)`` (uniform) or ``{"values": [...], "p": [...]}``
    (discrete; ``p`` optional, default equal); ``f`` receives the values.
    ``groups``: one name per column (SALib style): one index per group. ``n``: base
    sample size (a power of 2 keeps the Sobol sequence balanced); ``f`` runs on
    ``n·(D + 2)`` rows.
    """
    _check_bounds(bounds, groups)
    k = len(bounds)
    names = list(names) if names is not None else [f"x{j + 1}" for j in range(k)]
    groups = list(groups) if groups is not None else names
    u, gnames = _design(k, n, seed, groups)
    y = np.array(f(_to_values(u, bounds)), dtype=float)
    return _result(y, n, gnames, None, num_resamples, conf_level, seed)


def sobol(
    ev: Any,
    inputs: Sequence[Mapping[str, Any]],
    n: int = 1024,
    seed: int = 0,
    *,
    output: str = "rank",
    num_resamples: int = 100,
    conf_level: float = 0.95,
    chunk_size: int | None = None,
    n_jobs: int | None = None,
    quiet: bool = False,
) -> SobolResult:
    """Sobol indices of every unit's rank (``output="rank"``) or score (``"score"``), or of
    the average absolute rank shift R̄_S (``"rank_shift"``), with respect to each input.

    Each input of ``inputs`` (``docs/uncertainty.md``) is one index: a weights input is analysed
    as one group of its weights. Runs ``n·(D + 2)`` configurations on the vectorised
    engine (see :func:`run` for ``chunk_size``/``n_jobs``).
    """
    if output not in ("rank", "score", "rank_shift"):
        raise problem_error(
            "output 须为 'rank'（各单位排名）、'score'（各单位得分）或 'rank_shift'（平均排名变动）"
            " / output must be 'rank' (each unit's rank), 'score' (each unit's score) or "
            "'rank_shift' (the average rank shift)",
            "invalid option",
            source="output",
            value=suggest(output, ("rank", "score", "rank_shift")),
        )
    problem = validate_inputs(ev, inputs)
    model = engine.prepare(ev, problem)
    u, gnames = _design(problem.n_factors, n, seed, problem.groups)
    scored = np.flatnonzero(~np.isnan(model.nominal_scores()))
    units = list(model.units[scored])
    _, y = engine.evaluate_design(
        model,
        u,
        columns=scored,
        ranks=output != "score",
        chunk_size=chunk_size,
        n_jobs=n_jobs,
        quiet=quiet,
    )
    outputs: list | None = units
    if output == "rank_shift":
        nominal = engine.ranks_of(model.nominal_scores()[scored][None, :])
        y, outputs = np.nanmean(np.abs(y - nominal), axis=1), None
    return _result(y, n, gnames, outputs, num_resamples, conf_level, seed)


def _result(y, n, gnames, outputs, num_resamples, conf_level, seed) -> SobolResult:
    single = y.ndim == 1
    est = _indices(y.reshape(len(y), -1), n, len(gnames), num_resamples, conf_level, seed)
    if single:
        est = {k: v[:, 0] for k, v in est.items()}
    return SobolResult(names=gnames, outputs=outputs, n=n, conf_level=conf_level, **est)


@dataclass(frozen=True, eq=False)
class SobolResult:
    """Sobol indices: ``S1``, ``ST`` and their CI half-widths ``S1_conf``, ``ST_conf``;
    arrays (inputs,) for one output or (inputs, outputs)."""

    names: list
    S1: np.ndarray = field(repr=False)
    S1_conf: np.ndarray = field(repr=False)
    ST: np.ndarray = field(repr=False)
    ST_conf: np.ndarray = field(repr=False)
    outputs: list | None = field(default=None, repr=False)
    n: int = 0
    conf_level: float = 0.95

    def __repr__(self) -> str:
        m = 1 if self.S1.ndim == 1 else self.S1.shape[1]
        return f"<SobolResult: {len(self.names)} inputs × {m} outputs, n = {self.n}>"

    def to_frame(self) -> pd.DataFrame:
        """One row per input (one output) or per (output, input): S1, S1_conf, ST, ST_conf."""
        cols = ("S1", "S1_conf", "ST", "ST_conf")
        if self.S1.ndim == 1:
            return pd.DataFrame(
                {c: getattr(self, c) for c in cols}, index=pd.Index(self.names, name="input")
            )
        index = pd.MultiIndex.from_product([self.outputs, self.names], names=["output", "input"])
        return pd.DataFrame({c: getattr(self, c).T.reshape(-1) for c in cols}, index=index)

    def mean(self) -> pd.DataFrame:
        """Indices averaged over the outputs (e.g. over every unit's rank)."""
        frame = self.to_frame()
        return frame if self.S1.ndim == 1 else frame.groupby(level="input", sort=False).mean()

    def summary(self) -> SobolSummary:
        """Text (print) and HTML (Jupyter): indices per input, averaged over the outputs."""
        return SobolSummary(self)

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()

    def plot(self, *, ax: Any = None, lang: str = "zh", font: Any = None) -> Any:
        """Bars of S1 and ST (mean over outputs) with their confidence intervals; labels
        Chinese / English (``lang="en"``: English only) in the CJK font."""
        from .plots import sobol_bars

        return sobol_bars(self, ax=ax, lang=lang, font=font)


class SobolSummary:
    """What :meth:`SobolResult.summary` returns."""

    def __init__(self, sa: SobolResult):
        self.sa = sa

    def _title(self) -> str:
        sa = self.sa
        m = 1 if sa.S1.ndim == 1 else sa.S1.shape[1]
        return (
            f"Sobol 敏感性指数 / Sobol sensitivity indices: n = {sa.n}, {m} output(s), "
            f"CI {sa.conf_level:.0%} (mean over outputs / 各输出平均)"
        )

    def __str__(self) -> str:
        table = self.sa.mean().to_string(float_format=lambda v: f"{v:.3f}")
        return f"{self._title()}\n{table}"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return f"<h4>{html.escape(self._title())}</h4>" + self.sa.mean().to_html(
            float_format=lambda v: f"{v:.3f}"
        )
