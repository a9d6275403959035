"""Monte Carlo uncertainty analysis of an Evaluation (OECD/JRC Handbook 2008, §7).

``ua = run(ev, inputs, n=1000, seed=0)`` draws ``n`` configurations of the
uncertain inputs, evaluates them all with the vectorised engine and returns an
:class:`UncertaintyResult`: scores and ranks per replication, each unit's
nominal rank, mean and median rank, 5th–95th percentile rank interval, the average
absolute rank shift R̄_S and the share of units within ±k places of their median
rank (as in the JRC's statistical audits).
"""

from __future__ import annotations

import html
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ProblemList, problem_error
from ..pipeline import score_method
from . import engine
from .convergence import Convergence, sample_sizes
from .problem import validate_inputs

__all__ = ["UncertaintyResult", "run"]

MIXED_SCALES = (
    "备选方案使得分处于不同量纲（例如最小-最大与 z 分数标准化，或加权平均与 VIKOR 的 Q），各次模拟"
    "的得分不可相互比较：to_frame() 不给出 score_* 列，plot_scores() 与等级概率拒绝计算；"
    "与名义评价同一量纲的模拟见 ua.nominal_scale_scores；名次不受影响 / the alternatives put "
    "the scores on different scales (e.g. min-max and z-scores, or a weighted mean and "
    "VIKOR's Q), so scores of different replications are not comparable: to_frame() leaves "
    "out the score_* columns, plot_scores() and grade probabilities refuse; "
    "ua.nominal_scale_scores holds the replications on the nominal evaluation's scale; "
    "ranks are unaffected"
)
#: the columns of to_frame() that summarise scores over the replications (left out when
#: the alternatives mix scales)
SCORE_COLUMNS = ["score_q05", "score_median", "score_q95"]
FIRST_COLUMNS = [
    "nominal_score",
    "nominal_rank",
    "mean_rank",
    "median_rank",
    "rank_q05",
    "rank_q95",
    "score_q05",
    "score_median",
    "score_q95",
]


def run(
    ev: Any,
    inputs: Sequence[Mapping[str, Any]],
    n: int = 1000,
    seed: int = 0,
    *,
    chunk_size: int | None = None,
    n_jobs: int | None = None,
    quiet: bool = False,
) -> UncertaintyResult:
    """Monte Carlo uncertainty analysis of ``ev`` under ``inputs`` (``docs/uncertainty.md``).

    ``n`` replications; ``seed`` makes them reproducible: the numbers do not
    depend on ``chunk_size`` (replications per chunk; default: chunks of about
    128 MiB of working arrays), ``n_jobs`` (joblib workers; ``None`` follows
    ``joblib.parallel_config``, e.g. the Dask backend) or the backend.

    Workers: each chunk is one task, run on a thread by default (the work is NumPy's,
    which releases the GIL; threads share the prepared model and write no copies), so
    ``n_jobs=-1`` uses every core at no start-up cost (``benchmarks/targets.py``: 10,000
    replications of 3,000 units × 100 indicators in about two thirds of one worker's time on two
    cores). A backend chosen with ``joblib.parallel_config`` (processes, Dask) sends each
    worker the whole prepared model first: worth it only for many chunks or a cluster.
    A problem the size of ASEM fits tens of thousands of replications in one chunk, so
    more workers change nothing there. The ranks within each replication are computed
    chunk by chunk beside the scores. The inputs
    are validated and every reachable combination of discrete choices is built
    once before any replication runs; one ``ValidationError`` lists every problem.
    A progress bar is drawn on a terminal only (``quiet=True`` hides it).
    """
    _check_sizes(n=n, chunk_size=chunk_size)
    problem = validate_inputs(ev, inputs)
    model = engine.prepare(ev, problem)
    nominal = model.nominal_scores()
    choices, scores, ranks = engine.evaluate_random(
        model,
        int(n),
        seed,
        chunk_size=chunk_size,
        n_jobs=n_jobs,
        quiet=quiet,
        ranked=~np.isnan(nominal),
    )
    if model.mixed_scales:
        warnings.warn(MIXED_SCALES, UserWarning, stacklevel=2)
    return UncertaintyResult(
        inputs=list(inputs),
        n=int(n),
        seed=seed,
        units=model.units,
        nominal=nominal,
        score_draws=scores,
        rank_draws=ranks,
        choice_draws=choices,
        choice_names=[problem.inputs[i].name for i in problem.choice_inputs],
        names=ev.units["uName"].reindex(model.units),
        sign_draws=model.signs(choices),
        nominal_sign=model.nominal.sign,
        mixed_scales=model.mixed_scales,
        nominal_scale_draws=model.on_nominal_scale(choices),
        method=score_method(ev.spec, ev.framework.n_levels),
        problem=problem,
        spec=dict(ev.spec),
        bases=model.bases,
    )


def _check_sizes(**sizes: Any) -> None:
    problems = ProblemList()
    for name, value in sizes.items():
        if value is None and name != "n":
            continue
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            problems.add(
                "须为正整数 / must be a positive integer",
                source="arguments",
                column=name,
                value=value,
            )
    problems.raise_if_any("参数无效 / invalid arguments")


@dataclass(frozen=True, eq=False)
class UncertaintyResult:
    """Result of :func:`run`. ``scores``/``ranks``: DataFrames, replications × units."""

    inputs: list
    n: int
    seed: int
    units: pd.Index = field(repr=False)
    nominal: np.ndarray = field(repr=False)
    score_draws: np.ndarray = field(repr=False)
    choice_draws: np.ndarray = field(repr=False)
    choice_names: list = field(repr=False)
    names: pd.Series = field(repr=False)
    #: per replication: +1 where a higher score is better, −1 where lower is (VIKOR's Q)
    sign_draws: np.ndarray | None = field(default=None, repr=False)
    nominal_sign: float = field(default=1.0, repr=False)
    #: whether the alternatives put the scores on different scales (see :func:`run`)
    mixed_scales: bool = field(default=False, repr=False)
    #: per replication: whether its score is on the nominal replication's scale
    nominal_scale_draws: np.ndarray | None = field(default=None, repr=False)
    #: the method that computes the nominal index score (the root's aggregation)
    method: str | None = field(default=None, repr=False)
    #: the validated inputs and the analysed spec (what :attr:`samples` decodes)
    problem: Any = field(default=None, repr=False)
    spec: Mapping[str, Any] | None = field(default=None, repr=False)
    #: the weights of a data-driven weighting model per combination (engine.Bases)
    bases: Any = field(default=None, repr=False)
    #: ranks within each replication of the nominally scored units (computed from
    #: ``score_draws`` when not given)
    rank_draws: np.ndarray | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        return (
            f"<UncertaintyResult: {self.n} replications × {len(self.units)} units, "
            f"{len(self.inputs)} inputs, seed {self.seed}; R̄_S = {self.rank_shift:.2f}>"
        )

    @cached_property
    def _scored(self) -> np.ndarray:
        return ~np.isnan(self.nominal)

    @property
    def scores(self) -> pd.DataFrame:
        """Index scores: one row per replication, one column per nominally scored unit.

        ``attrs["integrity_eval"]`` says whether the alternatives mix scales and which
        method computed the nominal score, so that
        :func:`~integrity_eval.rating.grade_probabilities` refuses what it cannot grade."""
        return self._score_frame(np.arange(self.n), self.mixed_scales)

    @property
    def nominal_scale_scores(self) -> pd.DataFrame:
        """The scores of the replications on the nominal evaluation's scale (all of them
        unless the alternatives mix scales): what a rating scheme's edges can grade and
        score intervals can summarise. Rows keep their replication number (``draw``)."""
        on = np.ones(self.n, bool) if self.nominal_scale_draws is None else self.nominal_scale_draws
        return self._score_frame(np.flatnonzero(on), False)

    def _score_frame(self, draws: np.ndarray, mixed: bool) -> pd.DataFrame:
        out = pd.DataFrame(
            self.score_draws[np.ix_(draws, self._scored)],
            index=pd.Index(draws, name="draw"),
            columns=self.units[self._scored],
        )
        out.attrs["integrity_eval"] = {"mixed_scales": bool(mixed), "method": self.method}
        return out

    @cached_property
    def _rank_draws(self) -> np.ndarray:
        if self.rank_draws is not None:
            return self.rank_draws
        return engine.ranks_of(self._scored_draws, self.sign_draws)

    @property
    def _scored_draws(self) -> np.ndarray:
        """The score draws of the nominally scored units (no copy when all are)."""
        return self.score_draws if self._scored.all() else self.score_draws[:, self._scored]

    @cached_property
    def _complete(self) -> bool:
        """Whether every nominally scored unit is ranked in every replication: then
        NumPy's plain mean and standard deviation apply (the same sums and divisions as
        the NaN-aware ones, without their copies of the draws)."""
        return not np.isnan(self._rank_draws).any()

    @property
    def ranks(self) -> pd.DataFrame:
        """Ranks within each replication (1 = best, ties "min"), replications × units."""
        return pd.DataFrame(
            self._rank_draws,
            index=pd.RangeIndex(self.n, name="draw"),
            columns=self.units[self._scored],
        )

    @property
    def choices(self) -> pd.DataFrame:
        """The alternative (0-based, order of ``values``) drawn for each discrete spec input."""
        return pd.DataFrame(self.choice_draws, columns=self.choice_names)

    @cached_property
    def _draws(self) -> tuple[np.ndarray, np.ndarray]:
        """Each replication's discrete alternatives (n, d) and weights (n, codes), drawn
        again from the seed exactly as :func:`run` drew them (same blocks of draws)."""
        u = engine.random_design(self.problem, self.n, self.seed)
        idx = self.problem.indices(u)
        return idx, self.problem.decode(u, None if self.bases is None else self.bases(idx))[1]

    @property
    def samples(self) -> pd.DataFrame:
        """The input sample: one row per replication, one column per sampled quantity
        (COINr's ``Para``, SALib's X): each discrete input by its name — a spec choice or
        an expert weight set as the alternative's position in ``values`` (0-based), an
        exclusion as the code(s) left out ("" = none) — then ``weight:<code>``, the weight
        the replication used (after noise, Dirichlet, expert set, exclusion and the
        rescaling of its sibling group) for every code whose weight varies. A build with
        :meth:`replication_params` of row ``i`` reproduces replication ``i``."""
        idx, w = self._draws
        cols: dict[str, Any] = {}
        for k, i in enumerate(self.problem.discrete_inputs):
            inp = self.problem.inputs[i]
            if inp.kind == "exclude":
                labels = [",".join(a or ()) for a in inp.alternatives]
                cols[inp.name] = np.asarray(labels, dtype=object)[idx[:, k]]
            else:
                cols[inp.name] = idx[:, k]
        # (a group's rescaling leaves an only child at its weight up to round-off)
        varies = np.flatnonzero(~np.isclose(w, self.problem.nominal, rtol=1e-12, atol=0).all(0))
        for j in varies:
            cols[f"weight:{self.problem.codes[j]}"] = w[:, j]
        return pd.DataFrame(cols, index=pd.RangeIndex(self.n, name="draw"))

    def replication_params(self, i: int) -> dict[str, Any]:
        """The ``Evaluation.with_params`` settings that rebuild replication ``i``: each spec
        choice drawn, ``exclude`` (the spec's and the drawn exclusions) and ``weights``
        (every weight as the replication used it, as fixed values)."""
        idx, w = self._draws
        params: dict[str, Any] = {}
        left_out = list((self.spec or {}).get("exclude", []))
        for k, pos in enumerate(self.problem.discrete_inputs):
            inp = self.problem.inputs[pos]
            alt = inp.alternatives[idx[i, k]]
            if inp.kind == "choice":
                params[inp.path] = alt
            elif inp.kind == "exclude":
                left_out += [c for c in (alt or ()) if c not in left_out]
        values = {
            c: float(v) for c, v in zip(self.problem.codes, w[i], strict=True) if c not in left_out
        }
        params["weights"] = {"method": "framework", "values": values}
        if left_out:
            params["exclude"] = left_out
        return params

    @cached_property
    def nominal_scores(self) -> pd.Series:
        """The nominal replication's scores (the Evaluation's own data and weights)."""
        return pd.Series(self.nominal[self._scored], index=self.units[self._scored], name="score")

    @cached_property
    def nominal_ranks(self) -> pd.Series:
        r = engine.ranks_of(self.nominal[self._scored][None, :], [self.nominal_sign])[0]
        return pd.Series(r, index=self.units[self._scored], name="rank")

    @cached_property
    def rank_shift(self) -> float:
        """R̄_S: average absolute shift of the ranks from the nominal ranks.

        ``R̄_S = (1/M) Σ_c |Rank_ref(c) − Rank(c)|`` over units and replications
        over the M units (OECD/JRC *Handbook on Constructing Composite Indicators*,
        2008, §7, the output statistic of the uncertainty analysis), averaged over the
        replications; units unscored in a replication are left out of its mean.
        """
        return float(self.rank_shifts.mean())

    @property
    def rank_shifts(self) -> pd.Series:
        """R̄_S of each replication: mean ``|rank − nominal rank|`` over its scored units
        (replications a block at a time: each one's mean is its own)."""
        r, nominal = self._rank_draws, self.nominal_ranks.to_numpy()
        mean_of = np.mean if self._complete else np.nanmean
        per_draw = np.empty(len(r))
        rows = max(1, engine.RANK_CELLS // max(1, r.shape[1]))
        for start in range(0, len(r), rows):
            shift = np.abs(r[start : start + rows] - nominal)
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # a replication with no rank
                per_draw[start : start + rows] = mean_of(shift, axis=1)
        return pd.Series(per_draw, index=pd.RangeIndex(self.n, name="draw"), name="rank_shift")

    def share_within(self, k: int = 3) -> float:
        """Share of units whose nominal rank lies within ±k places of their median rank
        over the replications — the summary of rank robustness in the JRC's statistical
        audits of composite indicators (e.g. of the Global Innovation Index)."""
        med = np.nanmedian(self._rank_draws, axis=0)
        return float(np.mean(np.abs(self.nominal_ranks.to_numpy() - med) <= k))

    def to_frame(self) -> pd.DataFrame:
        """One row per unit (by uCode): nominal score and rank, mean and median rank, the
        5th–95th percentile rank and score intervals, then the interval width, the rank's
        standard deviation (``rank_sd``, ddof 1), the mean absolute rank shift and the
        share of replications in which the unit was scored — COINr's ``RankStats``
        (Nominal, Mean, Median, Q5, Q95) and more.

        When the alternatives put the scores on different scales (:attr:`mixed_scales`),
        the score quantiles (``score_q05``, ``score_median``, ``score_q95``) would mix them
        and are left out; ``nominal_score`` stays (the Evaluation's own score)."""
        r = self._rank_draws
        s = self._scored_draws
        # mixed scales: no score quantiles (the columns are left out, below)
        q_s = np.full((len(QUANTILES), s.shape[1]), np.nan) if self.mixed_scales else _quantiles(s)
        nominal_rank = self.nominal_ranks.to_numpy()
        if self._complete:  # counted: one pass over the ranks
            stats = rank_statistics(r, nominal_rank)
            q_r, mean, sd, shift = stats.quantiles, stats.mean, stats.sd, stats.shift
            scored = np.ones(r.shape[1])
        else:
            q_r = _quantiles(r, ranks=True)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # a unit never scored: NaN
                mean, sd = np.nanmean(r, axis=0), np.nanstd(r, axis=0, ddof=1)
                shift = np.nanmean(np.abs(r - nominal_rank[None, :]), axis=0)
                scored = np.mean(~np.isnan(s), axis=0)
        out = pd.DataFrame(
            {
                "uName": self.names[self._scored].to_numpy(),
                "nominal_score": self.nominal[self._scored],
                "nominal_rank": nominal_rank.astype(int),
                "mean_rank": mean,
                "median_rank": q_r[1],
                "rank_q05": q_r[0],
                "rank_q95": q_r[2],
                "score_q05": q_s[0],
                "score_median": q_s[1],
                "score_q95": q_s[2],
                "rank_interval_width": q_r[2] - q_r[0],
                "rank_sd": sd,
                "mean_abs_rank_shift": shift,
                "share_scored": scored,
            },
            index=self.units[self._scored],
        )
        out = out[[*FIRST_COLUMNS, "uName", *out.columns[len(FIRST_COLUMNS) + 1 :]]]
        return out.drop(columns=SCORE_COLUMNS) if self.mixed_scales else out

    def convergence(self, sizes: Sequence[int] | None = None) -> Convergence:
        """The rank statistics on the first ``n'`` replications of this run (default n/2^k
        down to 8; no replication runs again): R̄_S, the mean 5–95 % rank interval width
        and the largest change of any unit's median, 5th and 95th percentile rank against
        the full run. Returns a :class:`~.convergence.Convergence` (``.table``, ``.plot()``)."""
        r = self._rank_draws
        full = _quantiles(r, ranks=True)
        nominal = self.nominal_ranks.to_numpy()[None, :]
        rows = {}
        for size in sample_sizes(self.n, sizes):
            part = r[:size]
            q = _quantiles(part, ranks=True)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                rows[size] = {
                    "rank_shift": float(np.nanmean(np.abs(part - nominal))),
                    "mean_interval_width": float(np.nanmean(q[2] - q[0])),
                    "max_change_median_rank": float(np.nanmax(np.abs(q[1] - full[1]))),
                    "max_change_rank_q05": float(np.nanmax(np.abs(q[0] - full[0]))),
                    "max_change_rank_q95": float(np.nanmax(np.abs(q[2] - full[2]))),
                }
        table = pd.DataFrame.from_dict(rows, orient="index").rename_axis("n")
        return Convergence(table=table, kind="montecarlo")

    # ------------------------------------------------------------ display
    def summary(self) -> UncertaintySummary:
        return UncertaintySummary(self)

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()

    # -------------------------------------------------------------- plots
    def plot_ranks(
        self,
        *,
        names: bool = False,
        title: str | None = None,
        ax: Any = None,
        lang: str = "zh",
        font: Any = None,
    ) -> Any:
        """Rank intervals (5th–95th percentile) per unit, sorted by median, nominal marked;
        ``names=True``: units by name; titled; labels Chinese / English (``lang="en"``:
        English only) in the CJK font."""
        from .plots import rank_intervals

        return rank_intervals(self, names=names, title=title, ax=ax, lang=lang, font=font)

    def plot_scores(
        self,
        *,
        units: list[str] | None = None,
        names: bool = False,
        title: str | None = None,
        ax: Any = None,
        lang: str = "zh",
        font: Any = None,
    ) -> Any:
        """Score distributions per unit (box plots), nominal marked; options as
        :meth:`plot_ranks`. Refused when the alternatives mix scales (a box would mix
        them); plot ``nominal_scale_scores`` instead."""
        from .plots import score_distributions

        if self.mixed_scales:
            raise problem_error(
                "备选方案使得分处于不同量纲，得分分布图会混合量纲；请改看名次（plot_ranks()）"
                "或与名义评价同一量纲的模拟（ua.nominal_scale_scores）/ the alternatives put "
                "the scores on different scales, so score distributions would mix them; plot "
                "the ranks (plot_ranks()) or the replications on the nominal scale "
                "(ua.nominal_scale_scores)",
                "无法绘制得分分布 / cannot plot score distributions",
                source="plot_scores",
            )

        return score_distributions(
            self, units=units, names=names, title=title, ax=ax, lang=lang, font=font
        )


def _quantiles(x: np.ndarray, *, ranks: bool = False) -> np.ndarray:
    """5th, 50th, 95th percentiles per column (NaN = unscored in that replication).

    ``ranks``: ``x`` holds ranks (whole numbers from 1 to its number of columns); with no
    NaN they are counted, not partitioned (:func:`rank_statistics`, the same floats).
    The columns go :data:`QUANTILE_COLUMNS` at a time (each column's figures are its own;
    small blocks keep the partition's copies in cache).
    """
    complete = not np.isnan(x).any()
    if complete and ranks:
        return rank_statistics(x).quantiles
    out = np.empty((len(QUANTILES), x.shape[1]))
    for start in range(0, x.shape[1], QUANTILE_COLUMNS):
        block = x[:, start : start + QUANTILE_COLUMNS]
        part = out[:, start : start + QUANTILE_COLUMNS]
        if complete:
            part[:] = np.quantile(block, QUANTILES, axis=0)
        else:
            with np.errstate(all="ignore"):
                part[:] = np.nanquantile(block, QUANTILES, axis=0)
    return out


@dataclass(frozen=True)
class RankStatistics:
    """Per unit (column): :data:`QUANTILES` of the ranks (3, units), their mean, standard
    deviation (ddof 1) and mean absolute shift from the nominal rank."""

    quantiles: np.ndarray
    mean: np.ndarray
    sd: np.ndarray
    shift: np.ndarray | None


def rank_statistics(ranks: np.ndarray, nominal: np.ndarray | None = None) -> RankStatistics:
    """:class:`RankStatistics` of ``ranks`` (replications × units, whole numbers 1 … units,
    no NaN) from the count of each rank per unit (one pass over the draws, no sort).

    The quantiles are ``np.quantile(ranks, QUANTILES, axis=0)`` bit for bit: NumPy's
    default method is Hyndman & Fan's type 7 (R's default; Hyndman, R. J. and Fan, Y.,
    "Sample quantiles in statistical packages", *The American Statistician* 50(4),
    1996): with n values sorted, ``g = (n − 1)·q``, the order statistics ``a = x[⌊g⌋]``
    and ``b = x[⌊g⌋ + 1]`` (both ``x[n − 1]`` when ``g ≥ n − 1``) and ``t = g − ⌊g⌋``,
    the quantile is ``a + (b − a)·t``, or ``b − (b − a)·(1 − t)`` when ``t ≥ 0.5``
    (``numpy.lib._function_base_impl._lerp``). The mean and the mean absolute shift from
    ``nominal`` are sums of whole numbers, exact in any order, so they equal
    ``np.mean`` of the draws bit for bit; the standard deviation is
    ``√(Σ_k c_k (k − mean)² / (n − 1))`` over the counts ``c_k`` of rank ``k``.
    """
    n, cols = ranks.shape
    k = np.arange(1.0, cols + 1.0)
    g = (n - 1) * np.asarray(QUANTILES)
    lo = np.floor(g)
    t = (g - lo)[:, None]
    last = g >= n - 1
    order = np.stack([np.where(last, n - 1, lo), np.where(last, n - 1, lo + 1)]).astype(np.intp)
    q, mean, sd = np.empty((len(QUANTILES), cols)), np.empty(cols), np.empty(cols)
    shift = None if nominal is None else np.empty(cols)
    for start in range(0, cols, QUANTILE_COLUMNS):
        part = slice(start, start + QUANTILE_COLUMNS)
        block = ranks[:, part]
        width = block.shape[1]
        codes = block.astype(np.intp) - 1 + np.arange(width) * cols
        counts = np.bincount(codes.ravel(), minlength=width * cols).reshape(width, cols)
        below = counts.cumsum(axis=1)
        # the j-th smallest (0-based) is the least rank with more than j values at or below it
        a, b = ((below[None, :, :] > j[:, None, None]).argmax(axis=2) + 1.0 for j in order)
        diff = b - a
        q[:, part] = np.where(t >= 0.5, b - diff * (1 - t), a + diff * t)
        counts = counts.astype(float)
        mean[part] = (counts * k).sum(axis=1) / n  # no BLAS: its threads would spin
        with np.errstate(divide="ignore", invalid="ignore"):  # one replication: sd NaN
            sd[part] = np.sqrt((counts * (k - mean[part, None]) ** 2).sum(axis=1) / (n - 1))
        if shift is not None:
            shift[part] = (counts * np.abs(k - nominal[part, None])).sum(axis=1) / n
    return RankStatistics(q, mean, sd, shift)


#: The quantiles :func:`_quantiles` computes (5th percentile, median, 95th percentile).
QUANTILES = (0.05, 0.5, 0.95)
#: Columns per block in :func:`_quantiles`.
QUANTILE_COLUMNS = 64


class UncertaintySummary:
    """Text (print) and HTML (Jupyter) overview of an :class:`UncertaintyResult`."""

    def __init__(self, ua: UncertaintyResult, top: int = 10):
        self.ua = ua
        self.top = top

    def _facts(self) -> list[tuple[str, str]]:
        ua = self.ua
        paths = ", ".join(str(i.get("name", i.get("path"))) for i in ua.inputs)
        return [
            ("replications / 模拟次数", str(ua.n)),
            ("seed / 随机种子", str(ua.seed)),
            ("inputs / 不确定输入", paths),
            ("units / 单位", str(int(ua._scored.sum()))),
            *(
                [
                    (
                        "得分量纲 / score scales",
                        "不同（不给出得分分位数，只比较名次）/ mixed (no score quantiles: "
                        "compare the ranks)",
                    )
                ]
                if ua.mixed_scales
                else []
            ),
            ("R̄_S (mean |rank shift| / 平均名次偏移)", f"{ua.rank_shift:.2f}"),
            (
                "名义名次距中位名次±3以内的单位比例 / units within ±3 of median rank",
                f"{ua.share_within(3):.1%}",
            ),
        ]

    def _table(self) -> pd.DataFrame:
        frame = self.ua.to_frame()
        return frame.sort_values("rank_interval_width", ascending=False).head(self.top)

    def __str__(self) -> str:
        facts = self._facts()
        width = max(len(k) for k, _ in facts)
        lines = ["Uncertainty analysis / 不确定性分析", "=" * 40]
        lines += [f"{k:<{width}}  {v}" for k, v in facts]
        lines += ["", f"Widest rank intervals / 名次区间最宽的{self.top}个单位:"]
        lines.append(self._table().to_string(float_format=lambda v: f"{v:.2f}"))
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in self._facts()
        )
        return (
            f"<h4>Uncertainty analysis / 不确定性分析</h4><table>{rows}</table>"
            f"<p>Widest rank intervals / 名次区间最宽的单位</p>"
            + self._table().to_html(float_format=lambda v: f"{v:.2f}", escape=True)
        )
