"""Variance-based sensitivity analysis: Sobol first-order and total indices.

Design: a scrambled Sobol sequence of dimension 2k (``scipy.stats.qmc.Sobol``)
gives the base matrices A and B (n rows each); for each input (or group of
inputs) i, AB_i is A with the columns of i taken from B; the model runs on
n·(D + 2) rows (SALib's ``sample.sobol`` without second order), or on n·(2D + 2)
with ``second_order=True``: BA_i (B with the columns of i from A) is added.

Estimators, on outputs standardised as in SALib:
- first order, Saltelli et al. (2010), *Comput. Phys. Commun.* 181, 259–270,
  Table 2 (b): ``S_i = mean(f(B)·(f(AB_i) − f(A))) / V``;
- total effect, Jansen (1999), *Comput. Phys. Commun.* 117, 35–43; Saltelli
  et al. (2010) Table 2 (f): ``ST_i = mean((f(A) − f(AB_i))²) / (2V)``;
- second order, Saltelli (2002), *Comput. Phys. Commun.* 145, 280–297:
  ``S_ij = mean(f(BA_i)·f(AB_j) − f(A)·f(B)) / V − S_i − S_j`` (as SALib);
``V`` the variance of f over A and B. Confidence intervals: bootstrap over the
n rows (``num_resamples``), ``Z·sd`` of the resampled estimates (as SALib). The
bootstrap means are computed as products with the resampling count matrix, so
thousands of outputs (e.g. every unit's rank) are analysed at once.

Convergence (:meth:`SobolResult.convergence`): the first 2^m rows of a scrambled
Sobol sequence are themselves a balanced design, so the indices and their intervals
are recomputed on the first n' = n/2, n/4, … base rows of the same run (no new
model runs), as the convergence plots of Saltelli et al. (2010) §4.

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
from .convergence import Convergence, sample_sizes
from .problem import UncertaintyProblem, validate_inputs

__all__ = ["SobolResult", "evaluate_inputs", "sobol", "sobol_function"]


def _design(
    k: int, n: int, seed: int, groups: list[str], second_order: bool = False
) -> tuple[np.ndarray, list[str]]:
    """Rows [A; AB_1; …; AB_D; (BA_1; …; BA_D;) B] in the unit cube, and the group names."""
    base = qmc.Sobol(d=2 * k, scramble=True, seed=seed).random(n)
    a, b = base[:, :k], base[:, k:]
    names = list(dict.fromkeys(groups))
    cols = [[j for j, name in enumerate(groups) if name == g] for g in names]
    blocks = [a]
    for swap_from, into in ((b, a), (a, b)) if second_order else ((b, a),):
        for c in cols:
            x = into.copy()
            x[:, c] = swap_from[:, c]
            blocks.append(x)
    blocks.append(b)
    return np.concatenate(blocks), names


def _indices(
    y: np.ndarray,
    n: int,
    d: int,
    num_resamples: int,
    conf_level: float,
    seed: int,
    second_order: bool = False,
) -> dict[str, np.ndarray]:
    """S1, ST (and S2) and bootstrap half-widths from outputs ``y`` (n·(d+2), m), or
    (n·(2d+2), m) with ``second_order``."""
    # standardise in place (y is the caller's working copy), as SALib does; block by
    # block, so that no temporary as large as y is needed
    blocks = y.reshape(-1, n, y.shape[-1])
    mean = blocks.mean(axis=1).mean(axis=0)
    sd = np.sqrt(sum(((blk - mean) ** 2).sum(axis=0) for blk in blocks) / len(y))
    y -= mean
    y /= np.where(sd > 0, sd, 1.0)
    a, b, ab = blocks[0], blocks[-1], blocks[1 : d + 1]
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
    m = y.shape[1]
    out = {k: np.zeros((d, m)) for k in ("S1", "S1_conf", "ST", "ST_conf")}
    s1_boot = []
    with np.errstate(divide="ignore", invalid="ignore"):
        for i in range(d):
            f1, ft = b * (ab[i] - a), 0.5 * (a - ab[i]) ** 2
            out["S1"][i] = np.where(v > eps, full(f1) / v, 0.0)
            out["ST"][i] = np.where(v > eps, full(ft) / v, 0.0)
            s1b = np.where(vb > eps, boot(f1) / vb, 0.0)
            out["S1_conf"][i] = z * s1b.std(axis=0, ddof=1)
            out["ST_conf"][i] = z * np.where(vb > eps, boot(ft) / vb, 0.0).std(axis=0, ddof=1)
            if second_order:
                s1_boot.append(s1b)
        if second_order:
            ba = blocks[d + 1 : 2 * d + 1]
            out["S2"] = np.full((d, d, m), np.nan)
            out["S2_conf"] = np.full((d, d, m), np.nan)
            ab_m = a * b
            for i in range(d):
                for j in range(i + 1, d):
                    f2 = ba[i] * ab[j] - ab_m
                    vij = np.where(v > eps, full(f2) / v, 0.0)
                    out["S2"][i, j] = vij - out["S1"][i] - out["S1"][j]
                    vb_ij = np.where(vb > eps, boot(f2) / vb, 0.0)
                    resampled = vb_ij - s1_boot[i] - s1_boot[j]
                    out["S2_conf"][i, j] = z * resampled.std(axis=0, ddof=1)
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
    second_order: bool = False,
    num_resamples: int = 100,
    conf_level: float = 0.95,
) -> SobolResult:
    """Sobol indices of any vectorised ``f``: (rows, k) array → (rows,) or (rows, m).

    ``bounds``: per column ``(lo, hi)`` (uniform) or ``{"values": [...], "p": [...]}``
    (discrete; ``p`` optional, default equal); ``f`` receives the values.
    ``groups``: one name per column (SALib style): one index per group. ``n``: base
    sample size (a power of 2 keeps the Sobol sequence balanced); ``f`` runs on
    ``n·(D + 2)`` rows, ``n·(2D + 2)`` with ``second_order=True`` (then ``.S2`` and
    ``.S2_conf``, as SALib's ``calc_second_order``).
    """
    _check_bounds(bounds, groups)
    k = len(bounds)
    names = list(names) if names is not None else [f"x{j + 1}" for j in range(k)]
    groups = list(groups) if groups is not None else names
    u, gnames = _design(k, n, seed, groups, second_order)
    y = np.array(f(_to_values(u, bounds)), dtype=float)
    return _result(y, n, gnames, None, num_resamples, conf_level, seed, second_order)


OUTPUTS = ("rank", "score", "rank_shift")


def evaluate_inputs(
    ev: Any,
    inputs: Sequence[Mapping[str, Any]],
    design: Callable[[UncertaintyProblem], tuple[np.ndarray, Any]],
    *,
    output: str,
    chunk_size: int | None,
    n_jobs: int | None,
    quiet: bool,
    desc: str = "Sobol",
) -> tuple[UncertaintyProblem, Any, np.ndarray, list | None]:
    """Validate ``inputs``, make the unit-cube ``design`` of the problem, and evaluate its rows
    on the engine: every unit's rank or score, or the mean absolute rank shift.

    ``desc``: the progress bar's label (the analysis that runs). Returns the problem, what
    ``design`` returned besides the rows, the outputs (rows,
    units) or (rows,), and the output names (the scored units, or None for the shift).
    """
    if output not in OUTPUTS:
        raise problem_error(
            "output 须为 'rank'（各单位排名）、'score'（各单位得分）或 'rank_shift'（平均排名变动）"
            " / output must be 'rank' (each unit's rank), 'score' (each unit's score) or "
            "'rank_shift' (the average rank shift)",
            "invalid option",
            source="output",
            value=suggest(output, OUTPUTS),
        )
    problem = validate_inputs(ev, inputs)
    model = engine.prepare(ev, problem)
    u, extra = design(problem)
    scored = np.flatnonzero(~np.isnan(model.nominal_scores()))
    _, y = engine.evaluate_design(
        model,
        u,
        columns=scored,
        ranks=output != "score",
        chunk_size=chunk_size,
        n_jobs=n_jobs,
        quiet=quiet,
        desc=desc,
    )
    if output == "rank_shift":
        nominal = engine.ranks_of(model.nominal_scores()[scored][None, :], [model.nominal.sign])
        return problem, extra, np.nanmean(np.abs(y - nominal), axis=1), None
    return problem, extra, y, list(model.units[scored])


def sobol(
    ev: Any,
    inputs: Sequence[Mapping[str, Any]],
    n: int = 1024,
    seed: int = 0,
    *,
    output: str = "rank",
    second_order: bool = False,
    num_resamples: int = 100,
    conf_level: float = 0.95,
    chunk_size: int | None = None,
    n_jobs: int | None = None,
    quiet: bool = False,
) -> SobolResult:
    """Sobol indices of every unit's rank (``output="rank"``) or score (``"score"``), or of
    the average absolute rank shift R̄_S (``"rank_shift"``), with respect to each input.

    Each input of ``inputs`` (``docs/uncertainty.md``) is one index: a weights input is analysed
    as one group of its weights. Runs ``n·(D + 2)`` configurations (``n·(2D + 2)`` with
    ``second_order=True``) on the vectorised engine (see :func:`run` for
    ``chunk_size``/``n_jobs``).
    """

    def design(problem: UncertaintyProblem) -> tuple[np.ndarray, list[str]]:
        return _design(problem.n_factors, n, seed, problem.groups, second_order)

    _, gnames, y, outputs = evaluate_inputs(
        ev, inputs, design, output=output, chunk_size=chunk_size, n_jobs=n_jobs, quiet=quiet
    )
    return _result(y, n, gnames, outputs, num_resamples, conf_level, seed, second_order)


def _result(
    y, n, gnames, outputs, num_resamples, conf_level, seed, second_order=False
) -> SobolResult:
    single = y.ndim == 1
    y = y.reshape(len(y), -1)
    est = _indices(y, n, len(gnames), num_resamples, conf_level, seed, second_order)
    if single:
        est = {k: v[..., 0] for k, v in est.items()}
    return SobolResult(
        names=gnames,
        outputs=outputs,
        n=n,
        conf_level=conf_level,
        num_resamples=num_resamples,
        seed=seed,
        second_order=second_order,
        y=y[:, 0] if single else y,
        **est,
    )


@dataclass(frozen=True, eq=False)
class SobolResult:
    """Sobol indices: ``S1``, ``ST`` and their CI half-widths ``S1_conf``, ``ST_conf``;
    arrays (inputs,) for one output or (inputs, outputs). With ``second_order``: ``S2``
    and ``S2_conf``, (inputs, inputs[, outputs]), NaN on and below the diagonal (SALib)."""

    names: list
    S1: np.ndarray = field(repr=False)
    S1_conf: np.ndarray = field(repr=False)
    ST: np.ndarray = field(repr=False)
    ST_conf: np.ndarray = field(repr=False)
    outputs: list | None = field(default=None, repr=False)
    n: int = 0
    conf_level: float = 0.95
    S2: np.ndarray | None = field(default=None, repr=False)
    S2_conf: np.ndarray | None = field(default=None, repr=False)
    second_order: bool = False
    num_resamples: int = 100
    seed: int = 0
    y: np.ndarray | None = field(default=None, repr=False)  # standardised model outputs

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

    def second_order_frame(self) -> pd.DataFrame:
        """S2 and S2_conf per pair of inputs (i before j), averaged over the outputs (SALib's
        third ``to_df`` table)."""
        if self.S2 is None:
            raise problem_error(
                "没有二阶指数：请以 second_order=True 运行 / no second-order indices: run with "
                "second_order=True",
                "invalid option",
                source="second_order",
            )
        d = len(self.names)
        rows, cols = np.triu_indices(d, 1)  # the pairs i < j, row by row
        s2, conf = self.S2[rows, cols], self.S2_conf[rows, cols]  # (pairs[, outputs])
        if s2.ndim == 2:
            s2, conf = s2.mean(axis=1), conf.mean(axis=1)
        return pd.DataFrame(
            {"S2": s2, "S2_conf": conf},
            index=pd.MultiIndex.from_tuples(
                [(self.names[i], self.names[j]) for i, j in zip(rows, cols, strict=True)],
                names=["input", "with"],
            ),
        )

    def mean(self) -> pd.DataFrame:
        """Indices averaged over the outputs (e.g. over every unit's rank)."""
        frame = self.to_frame()
        return frame if self.S1.ndim == 1 else frame.groupby(level="input", sort=False).mean()

    def convergence(self, sizes: Sequence[int] | None = None) -> Convergence:
        """The indices and their confidence intervals recomputed on the first ``n'`` base
        rows of this run (default n/2^k down to 8): a balanced Sobol design of its own, so
        no model runs again. Returns a :class:`~.convergence.Convergence` (``.table`` by
        (n, input): S1, S1_conf, ST, ST_conf, averaged over the outputs; ``.plot()``)."""
        sizes = sample_sizes(self.n, sizes)
        d = len(self.names)
        blocks = self.y.reshape(-1, self.n, *self.y.shape[1:])
        frames = []
        for size in sizes:
            y = np.array(blocks[:, :size]).reshape(-1, *self.y.shape[1:])
            part = _result(
                y,
                size,
                self.names,
                self.outputs,
                self.num_resamples,
                self.conf_level,
                self.seed,
                self.second_order,
            )
            frames.append(part.mean().assign(n=size))
        table = pd.concat(frames).reset_index().set_index(["n", "input"])
        return Convergence(table=table, kind="sobol", n_inputs=d, conf_level=self.conf_level)

    def summary(self) -> SobolSummary:
        """Text (print) and HTML (Jupyter): indices per input, averaged over the outputs."""
        return SobolSummary(self)

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()

    def plot(
        self,
        kind: str = "bar",
        *,
        ax: Any = None,
        lang: str = "zh",
        font: Any = None,
    ) -> Any:
        """``kind="bar"``: S1 and ST per input (mean over outputs) with their confidence
        intervals; ``"box"``: the spread of ST over the outputs (every unit's rank), as
        COINr's ``plot_sensitivity``. Inputs by readable names (``aggregate__method`` →
        "聚合方法 / aggregation method"); Chinese / English (``lang="en"``: English only)."""
        from .plots import sensitivity

        return sensitivity(self, kind=kind, ax=ax, lang=lang, font=font)


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

    def _tables(self) -> list[tuple[str, pd.DataFrame]]:
        out = [("", self.sa.mean())]
        if self.sa.S2 is not None:
            out.append(("二阶指数 / second-order indices", self.sa.second_order_frame()))
        return out

    def __str__(self) -> str:
        parts = [self._title()]
        for caption, table in self._tables():
            parts += [caption] if caption else []
            parts.append(table.to_string(float_format=lambda v: f"{v:.3f}"))
        return "\n".join(parts)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        out = f"<h4>{html.escape(self._title())}</h4>"
        for caption, table in self._tables():
            out += f"<p>{html.escape(caption)}</p>" if caption else ""
            out += table.to_html(float_format=lambda v: f"{v:.3f}")
        return out
