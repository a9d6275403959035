"""The vectorised engine: many configurations of one Evaluation as batched array operations.

1. Every reachable combination of discrete spec choices is computed once, without
   its aggregation (combinations that differ only in the aggregation share it):
   changes of treatment or normalisation rerun only those stages, from the nominal
   build's screened data, with the build's own stage functions; changes further up
   (denominate, impute, screen) rebuild through :meth:`Evaluation.with_params`.
   Stages no input touches are the nominal build's.
2. All replications' weights are then applied level by level over the aggregation
   tree, one ``(replications, units)`` array per child, with missing children skipped
   and the weights renormalised over the available ones, as COINr 1.1.14's
   ``a_amean``/``a_gmean`` and :mod:`integrity_eval.aggregate`; the sums run child
   by child in the build's order, so the nominal replication equals the build bit
   for bit.
3. Replications run in memory-bounded chunks, in parallel with joblib (any joblib
   backend, Dask included). Random inputs come from one ``SeedSequence`` child per
   fixed block of :data:`BLOCK` replications, so the numbers do not depend on the
   chunk size, the number of workers or the backend.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .. import spec as specmod
from ..errors import Problem, ProblemList, ValidationError
from ..evaluation import check_pool_unchanged
from ..mcda import MCDA_METHODS
from ..pipeline import aggregate as aggregate_levels
from ..pipeline import (
    check_domain,
    higher_is_better,
    level_params,
    mcda_root,
    normalise,
    per_level,
    top_method,
    treat,
)
from ..progress import progress
from ..ranking import min_rank
from ..weights.models import EVALUATION_MODELS, MODELS, ModelWeigher
from ..weights.nominal import nominal_weights
from .problem import UncertaintyProblem

__all__ = [
    "BLOCK",
    "Model",
    "default_chunk_size",
    "evaluate_design",
    "evaluate_random",
    "prepare",
    "random_design",
    "ranks_of",
]

# Replications per SeedSequence child: fixed, so draws never depend on the chunk size.
BLOCK = 256
# Memory budget of one chunk's working arrays (bytes).
CHUNK_BYTES = 128 * 2**20
# Most replications in one chunk (a small problem: 10,000 replications of ASEM in one).
MAX_CHUNK = 16_384


# ------------------------------------------------------------ batched aggregation
class _Children:
    """The children of one parent: values (U,) or (R, U) each, and their weights (R, C).

    ``cache`` keeps what depends on the values only (missing masks, logarithms …):
    the indicators below level 2 are the same in every chunk, so a variant computes
    them once.
    """

    def __init__(self, values: list[np.ndarray], w: np.ndarray, cache: dict | None = None):
        self.w = w
        self.n = len(values)
        self.cache = {} if cache is None else cache
        if "values" not in self.cache:
            # a sum that is not NaN (one pass, no mask) means no NaN: else find them
            missing = (
                [np.isnan(v) for v in values] if any(np.isnan(np.sum(v)) for v in values) else []
            )
            if any(m.any() for m in missing):
                filled = [np.where(m, 0.0, v) for v, m in zip(values, missing, strict=True)]
                # one entry, written once: threads sharing the cache see all of it or none
                self.cache["values"] = (filled, [~m for m in missing])
            else:
                self.cache["values"] = (values, None)
        self.values, self.avail = self.cache["values"]

    def wsum(self, values: list[np.ndarray], out: np.ndarray | None = None) -> np.ndarray:
        """``Σ_c values[c] · w[:, c]`` → (R, U) (into ``out`` if given), added child by
        child, left to right.

        This is the order in which the build's aggregation sums over children (NumPy
        reduces the column block ``x[:, children]``, which is Fortran-ordered, one
        child after the other), so every replication's score equals the build's bit
        for bit, and does not depend on how many replications a chunk holds.
        """
        w = self.w
        res = np.multiply(values[0], w[:, 0, None], out=out)
        term = np.empty_like(res)
        for c in range(1, self.n):
            res += np.multiply(values[c], w[:, c, None], out=term)
        return res

    def total(self) -> np.ndarray:
        """Weight total over the available children: (R, 1) if none is missing, else (R, U)."""
        if self.avail is None:
            t = self.w[:, 0].copy()
            for c in range(1, self.n):
                t += self.w[:, c]
            return t[:, None]
        if "avail_f" not in self.cache:
            self.cache["avail_f"] = [a.astype(float) for a in self.avail]
        return self.wsum(self.cache["avail_f"])

    def transformed(self, name: str, fn: Callable[[np.ndarray], np.ndarray]) -> list[np.ndarray]:
        """``fn`` of each child's values, 0 where missing (as the build's methods)."""
        if name not in self.cache:
            if self.avail is None:
                self.cache[name] = [fn(v) for v in self.values]
            else:
                self.cache[name] = [
                    np.where(a, fn(np.where(a, v, 1.0)), 0.0)
                    for v, a in zip(self.values, self.avail, strict=True)
                ]
        return self.cache[name]

    def count(self) -> np.ndarray:
        """Share of available children per unit (for ``dat_thresh``)."""
        if self.avail is None:
            return np.ones(())
        return sum(a.astype(np.intp) for a in self.avail) / self.n


# Batched counterparts of aggregate.METHODS: the same formulas and NaN handling
# (missing children skipped, weights renormalised over the available ones, COINr
# a_amean / a_gmean / a_hmean / a_genmean), with one weight vector per replication.
# Each computes in place in its weighted sum, written into ``out`` when given (the
# level's own row for the parent: no copy).
def _amean(k: _Children, total: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    s = k.wsum(k.values, out)
    return np.divide(s, total, out=s)


def _gmean(k: _Children, total: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    s = k.wsum(k.transformed("log", np.log), out)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.exp(np.divide(s, total, out=s), out=s)


def _hmean(k: _Children, total: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    s = k.wsum(k.transformed("reciprocal", np.reciprocal), out)
    with np.errstate(divide="ignore"):
        return np.divide(total, s, out=s)


def _genmean(
    k: _Children, total: np.ndarray, out: np.ndarray | None = None, p: float = 2.0
) -> np.ndarray:
    s = k.wsum(k.transformed(f"power{p!r}", lambda v: np.power(v, p)), out)
    return np.power(np.divide(s, total, out=s), 1.0 / p, out=s)


def _sum(k: _Children, total: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    s = k.wsum(k.values, out)
    np.copyto(s, np.nan, where=np.isnan(total))
    return s


BATCHED: dict[str, Callable[..., np.ndarray]] = {
    "amean": _amean,
    "gmean": _gmean,
    "hmean": _hmean,
    "genmean": _genmean,
    "sum": _sum,
}


# ------------------------------------------------------------------ the model
@dataclass(frozen=True)
class Variant:
    """One combination's normalised data and aggregation settings.

    ``xt``: the normalised data transposed (indicators, kept units); ``rows``:
    the kept units' positions among all units;
    ``levels``: per level above the indicators, ``(method, params, dat_thresh)``.
    """

    xt: np.ndarray  # (indicators, kept units): one contiguous row per child
    rows: np.ndarray
    levels: tuple[tuple[str, dict[str, Any], Any], ...]
    cache: tuple[dict, ...]  # per level-2 parent: what depends on the indicators only
    #: the aggregate settings when the root is scored by a whole-matrix MCDA method
    mcda: Mapping[str, Any] | None = None
    #: +1 where a higher score is better, −1 where lower is (VIKOR's Q)
    sign: float = 1.0
    #: what sets the scale of the scores (normalisation, top-level method family)
    scale: str = ""
    #: whether every value of ``xt`` is positive (then no mean leaves its domain)
    positive: bool = False


@dataclass(frozen=True)
class Bases:
    """Weights of a spec's weighting model computed from the data (``weights: {method:
    entropy, …}``), one vector per combination of the discrete inputs that change the data
    the model reads: the spec choices and the exclusions (positions ``keys`` among the
    problem's discrete inputs)."""

    keys: tuple[int, ...]
    table: Mapping[tuple[int, ...], np.ndarray]

    def __call__(self, idx: np.ndarray) -> np.ndarray:
        """The base weights (R, codes) of each replication's drawn alternatives ``idx``."""
        keys, inverse = _distinct_choices(idx[:, list(self.keys)])
        rows = np.stack([self.table[tuple(int(v) for v in key)] for key in keys])
        return rows[inverse]


@dataclass(frozen=True)
class Model:
    """Everything a chunk needs: problem, variants, tree; picklable for joblib/Dask."""

    problem: UncertaintyProblem
    units: pd.Index
    variants: Mapping[tuple[int, ...], Variant]
    nominal: Variant
    tree: tuple[tuple[tuple[np.ndarray, np.ndarray], ...], ...]  # per level: (kids, weight cols)
    fw: Any = None
    bases: Bases | None = None

    def weights(self, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Spec-choice indices (R, c) and weights (R, codes) of design rows ``u``: from the
        nominal weights, or from a data-driven model's weights recomputed on the data of
        each replication's alternatives."""
        base = None if self.bases is None else self.bases(self.problem.indices(u))
        return self.problem.decode(u, base)

    def scores(self, choices: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Index scores (R, all units) for spec choices (R, c) and weights (R, codes)."""
        out = np.full((len(weights), len(self.units)), np.nan)
        keys, inverse = _distinct_choices(choices)
        for k, key in enumerate(keys):
            sel = np.flatnonzero(inverse == k)
            variant = self.variants[tuple(int(v) for v in key)]
            out[np.ix_(sel, variant.rows)] = self._root(variant, weights[sel])
        return out

    def signs(self, choices: np.ndarray) -> np.ndarray:
        """+1 or −1 per replication: whether its score is better when higher."""
        out = np.ones(len(choices))
        for key, variant in self.variants.items():
            if variant.sign < 0:
                out[(choices == np.array(key, dtype=np.intp)).all(axis=1)] = -1.0
        return out

    def on_nominal_scale(self, choices: np.ndarray) -> np.ndarray:
        """Per replication: whether its score is on the nominal replication's scale."""
        out = np.zeros(len(choices), dtype=bool)
        for key, variant in self.variants.items():
            if variant.scale == self.nominal.scale:
                out[(choices == np.array(key, dtype=np.intp)).all(axis=1)] = True
        return out

    @property
    def mixed_scales(self) -> bool:
        """Whether the alternatives put the scores on different scales (e.g. min-max and
        z-scores, or a weighted mean and VIKOR's Q)."""
        return len({v.scale for v in (self.nominal, *self.variants.values())}) > 1

    def nominal_scores(self) -> np.ndarray:
        """The nominal replication: the Evaluation's own data and weights."""
        out = np.full((1, len(self.units)), np.nan)
        out[:, self.nominal.rows] = self._root(self.nominal, self.problem.nominal[None, :])
        return out[0]

    def _root(self, variant: Variant, weights: np.ndarray) -> np.ndarray:
        return (
            self._aggregate(variant, weights)
            if variant.mcda is None
            else self._mcda(variant, weights)
        )

    def _mcda(self, variant: Variant, weights: np.ndarray) -> np.ndarray:
        """Scores (R, kept units) of a whole-matrix MCDA root (:func:`pipeline.mcda_root`,
        the build's own function, so each replication equals the build of its choices):
        one call per distinct weight vector. The MCDA methods take one weight vector each,
        so replications whose weights differ (noise, Dirichlet) cost one call each."""
        rows, inverse = np.unique(weights, axis=0, return_inverse=True)
        inverse = np.asarray(inverse).reshape(-1)
        kept = list(self.units[variant.rows])
        out = np.empty((len(weights), len(kept)))
        for k, w in enumerate(rows):
            problems = ProblemList()
            y = mcda_root(
                self.fw,
                variant.mcda,
                variant.xt.T,
                pd.Series(w, index=list(self.problem.codes)),
                kept,
                problems,
            )
            problems.raise_if_any("不确定性分析无法计算 / cannot compute a replication")
            out[inverse == k] = y
        return out

    def _aggregate(
        self, variant: Variant, weights: np.ndarray, inspect: Callable | None = None
    ) -> np.ndarray:
        """Scores (R, kept units): level by level, children laid out (C, [R,] U).

        ``inspect(depth, method, params, values)`` sees each level's input (for checks).
        """
        values: np.ndarray = variant.xt
        n_units = variant.xt.shape[1]
        for depth, ((method, params, thresh), parents) in enumerate(
            zip(variant.levels, self.tree, strict=True)
        ):
            if inspect is not None:
                inspect(depth, method, params, values)
            fn = BATCHED[method]
            level = np.empty((len(parents), len(weights), n_units))
            for p, (kids, wcols) in enumerate(parents):
                cache = variant.cache[p] if depth == 0 else None
                w = weights[:, wcols]
                if depth == 0:  # the same indicators in every replication
                    w = _distinct_rows(w)
                k = _Children([values[j] for j in kids], w, cache)
                total = k.total()
                # a row per replication: computed in the level's row (one row: broadcast)
                dest = level[p] if len(w) == len(weights) else None
                with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                    total = np.where(total > 0, total, np.nan)
                    y = fn(k, total, dest, **params)
                if thresh is not None:
                    np.copyto(y, np.nan, where=k.count() < thresh)
                if y is not dest:
                    level[p] = y
            values = level
        return values[0]


def _distinct_choices(choices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of ``choices`` (R, c) (ascending) and each row's position among
    them, as ``np.unique(choices, axis=0, return_inverse=True)`` — through one whole
    number per row, much faster than sorting the rows."""
    if choices.size == 0:  # no rows, or no discrete choice: at most one distinct row
        keys = np.zeros((min(1, len(choices)), choices.shape[1]), dtype=np.intp)
        return keys, np.zeros(len(choices), dtype=np.intp)
    dims = tuple(int(d) for d in choices.max(axis=0) + 1)
    codes, inverse = np.unique(np.ravel_multi_index(tuple(choices.T), dims), return_inverse=True)
    return np.stack(np.unravel_index(codes, dims), axis=1), np.asarray(inverse).reshape(-1)


def _distinct_rows(w: np.ndarray) -> np.ndarray:
    """``w[:1]`` when every row of ``w`` equals the first bit for bit, else ``w``.

    Weights no input varies (e.g. the indicators' when only levels 2–3 are noisy) are
    the same in every replication; over the indicators, which are too, the aggregate is
    then one row computed once — the very numbers each replication would compute.
    """
    bits = w.view(np.uint64)
    return w[:1] if (bits == bits[:1]).all() else w


def _refuse_unbatched(spec: Mapping[str, Any]) -> None:
    """Spec features the batched replications cannot reproduce exactly, as one error.

    ``aggregate.by_node`` (a method per aggregate) and weights computed on the index
    (``weights: {method: optimise}``) would make a replication differ from the build of
    its choices. Weights computed from the data (entropy, CRITIC, PCA, BoD …) are
    recomputed on each combination's data (:func:`_model_bases`).
    """
    problems = ProblemList()
    if spec["aggregate"].get("by_node"):
        problems.add(
            "不确定性分析暂不支持 aggregate.by_node / the uncertainty analysis does not "
            "support aggregate.by_node yet; analyse a spec with one method per level",
            source="spec",
            column="aggregate.by_node",
        )
    method = (spec.get("weights") or {}).get("method", "framework")
    if method in EVALUATION_MODELS:
        problems.add(
            "不确定性分析暂不支持在指数上计算的权重（optimise）：请先计算，再以 weights.values "
            "给出 / the uncertainty analysis does not support weights computed on the index "
            "(optimise) yet: compute them first and pass them as weights.values "
            "(ie.weights.reweight)",
            source="spec",
            column="weights.method",
            value=method,
        )
    problems.raise_if_any("无法进行不确定性分析 / cannot run the uncertainty analysis")


def prepare(ev: Any, problem: UncertaintyProblem) -> Model:
    """Build every reachable combination once; one error listing every failing one."""
    fw = ev.framework
    if "aggregate" not in ev.spec:
        raise ValidationError(
            [
                Problem(
                    "评价规格没有 aggregate 阶段，没有得分 / the spec has no 'aggregate' stage, "
                    "so there are no scores to analyse",
                    source="spec",
                    column="aggregate",
                )
            ],
            title="无法进行不确定性分析 / cannot run the uncertainty analysis",
        )
    _refuse_unbatched(ev.spec)
    if ev.details.get("normalise_pool") is not None:  # a period of a global panel
        # (exclusions are zero weights here: they leave the pooled normalisation alone)
        stages = {inp.path.partition("__")[0] for inp in problem.inputs} - {"exclude"}
        check_pool_unchanged(stages, "inputs")
    units = pd.Index(ev.get_dset("Raw").index, name="uCode")
    problems = ProblemList()
    norm = ev.dsets["Normalised"]
    nominal = _variant(
        (norm.to_numpy(dtype=float), list(norm.index)),
        fw,
        ev.spec["aggregate"],
        units,
        "nominal",
        problems,
        ev.spec.get("normalise"),
    )
    choice = [problem.inputs[i] for i in problem.choice_inputs]
    upstream = _Upstream(ev)
    resolved: dict[str, Mapping[str, Any]] = {}
    resolved_cfgs: dict[tuple[int, ...], tuple[dict, Mapping[str, Any]]] = {}
    variants: dict[tuple[int, ...], Variant] = {}
    for key in problem.combinations():
        params = {inp.path: inp.alternatives[k] for inp, k in zip(choice, key, strict=True)}
        up = {p: v for p, v in params.items() if not p.startswith("aggregate")}
        down = {p: v for p, v in params.items() if p.startswith("aggregate")}
        label = ", ".join(f"{p}={v!r}" for p, v in params.items()) or "nominal"
        try:
            built = upstream.normalised(up)
        except ValidationError as exc:
            _relabel(problems, label, exc.problems)
            continue
        try:
            cfg = resolved.get(repr(down))
            if cfg is None:
                cfg = resolved[repr(down)] = specmod.resolve(
                    specmod.set_params({"aggregate": ev.spec["aggregate"]}, **down), fw.n_levels
                )["aggregate"]
        except ValidationError as exc:
            for pr in exc.problems:
                problems.add(
                    f"{label}: {pr.rule}", source="inputs", column=pr.column, value=pr.value
                )
            continue
        normalise_cfg = specmod.resolve(specmod.set_params(ev.spec, **up), fw.n_levels).get(
            "normalise"
        )
        variant = _variant(built, fw, cfg, units, label, problems, normalise_cfg)
        if variant is not None:
            variants[key] = variant
            resolved_cfgs[key] = (up, cfg)
    problems.raise_if_any("不确定性输入无效 / invalid uncertainty inputs")
    bases = None
    if (ev.spec.get("weights") or {}).get("method") in MODELS:
        bases = _model_bases(ev, problem, upstream, resolved_cfgs, problems)
    problems.raise_if_any("不确定性输入无效 / invalid uncertainty inputs")
    model = Model(problem, units, variants, nominal, _tree(fw, problem), fw, bases)
    for key, variant in variants.items():
        label = ", ".join(
            f"{inp.path}={inp.alternatives[k]!r}" for inp, k in zip(choice, key, strict=True)
        )
        _check_upper_levels(model, variant, fw, label, problems)
    problems.raise_if_any("不确定性输入无效 / invalid uncertainty inputs")
    return model


def _model_bases(
    ev: Any,
    problem: UncertaintyProblem,
    upstream: _Upstream,
    resolved_cfgs: Mapping[tuple[int, ...], tuple[dict, Mapping[str, Any]]],
    problems: ProblemList,
) -> Bases:
    """The spec's data-driven weighting model (``weights: {method: entropy, …}``) computed
    as the build computes it (:class:`~integrity_eval.weights.models.ModelWeigher` inside
    the pipeline's aggregation) on the data of every combination of spec choices and
    exclusions — an excluded indicator leaves the framework, as in a rebuild with
    ``exclude``. The models are per matrix (entropy, CRITIC, PCA, BoD … take one data
    matrix each), so they run once per combination, never per replication."""
    cfg_w = ev.spec["weights"]
    source_fw = ev.source_framework or ev.framework
    codes = list(ev.framework.indicators)
    choice_pos = [problem.discrete_inputs.index(i) for i in problem.choice_inputs]
    excl_pos = [problem.discrete_inputs.index(i) for i in problem.exclude_inputs]
    excl_alts = [problem.inputs[i].alternatives for i in problem.exclude_inputs]
    sizes = [len(a) for a in excl_alts]
    grid = np.indices(sizes).reshape(len(sizes), -1).T if sizes else np.zeros((1, 0), int)
    table: dict[tuple[int, ...], np.ndarray] = {}
    for key, (up, cfg) in resolved_cfgs.items():
        data = upstream.dataset(up, cfg_w["dset"])
        x, kept = upstream.normalised(up)
        for ex in grid:
            left = [c for k, a in zip(ex, excl_alts, strict=True) for c in (a[k] or ())]
            fw_c, excluded = source_fw.excluding([*ev.spec.get("exclude", []), *left])
            cols = [codes.index(c) for c in fw_c.indicators]
            local = ProblemList()
            w = nominal_weights(fw_c, cfg_w, local, excluded=excluded.index)
            weigher = ModelWeigher(
                fw_c, cfg_w, {cfg_w["dset"]: data[:, cols]}, np.ones(len(kept), bool), kept
            )
            aggregate_levels(fw_c, cfg, x[:, cols], w, kept, local, None, weigher)
            label = ", ".join([*(f"{p}={v!r}" for p, v in up.items()), f"exclude={left}"])
            _relabel(problems, label, local[:5])
            full = key + tuple(int(k) for k in ex)
            table[full] = w.reindex(list(problem.codes)).fillna(0.0).to_numpy(dtype=float)
    return Bases(tuple(choice_pos + excl_pos), table)


def _check_upper_levels(
    model: Model, variant: Variant, fw: Any, label: str, problems: ProblemList
) -> None:
    """Domain of gmean/hmean above level 2 (e.g. gmean over pillars that z-scores made
    negative), at the nominal weights, with the build's own check."""
    kept = list(model.units[variant.rows])

    def check(depth: int, method: str, params: Mapping[str, Any], values: np.ndarray) -> None:
        if depth == 0 or method not in ("gmean", "hmean", "genmean"):
            return
        level = depth + 2
        below = {c: j for j, c in enumerate(fw.codes_at(level - 1))}
        local = ProblemList()
        for parent in fw.codes_at(level):
            kids = fw.children[parent]
            xs = np.stack([values[below[k]][0] for k in kids], axis=-1)
            check_domain(method, params, xs, kids, kept, local)
        for pr in local[:5]:
            problems.add(
                f"{label}: {pr.rule}", source="inputs", row=pr.row, column=pr.column, value=pr.value
            )
        if len(local) > 5:
            problems.add(_more_such(label, len(local) - 5), source="inputs")

    if variant.mcda is not None or not any(
        m in ("gmean", "hmean", "genmean") for m, _, _ in variant.levels[1:]
    ):
        return
    # every weighted mean (and sum) of positive values is positive: nothing to check
    if variant.positive:
        return
    model._aggregate(variant, model.problem.nominal[None, :], inspect=check)


class _Upstream:
    """Normalised data for a set of spec changes, each distinct stage result computed once.

    Changes to treatment or normalisation start from the nominal build's screened
    (or treated) data and run only the changed stages, with the build's own stage
    functions; changes further up (denominate, impute, screen) rebuild through
    :meth:`Evaluation.with_params`.
    """

    def __init__(self, ev: Any):
        self.ev = ev
        self.fw = ev.framework
        self.treated: dict[str, np.ndarray] = {}
        self.done: dict[str, tuple[np.ndarray, list]] = {}
        self.rebuilt: dict[str, Any] = {}

    def dataset(self, up: Mapping[str, Any], name: str) -> np.ndarray:
        """Dataset ``name`` (kept units × indicators) under the spec changes ``up``."""
        x, kept = self.normalised(up)
        key = repr(sorted(up.items()))
        if name == "Normalised":
            return x
        if key in self.rebuilt:
            return self.rebuilt[key].dsets[name].loc[kept].to_numpy(dtype=float)
        if name == "Treated":
            new = specmod.resolve(specmod.set_params(self.ev.spec, **up), self.fw.n_levels)
            return self._treated(new.get("treat"))
        return self.ev.dsets[name].loc[kept].to_numpy(dtype=float)

    def normalised(self, up: Mapping[str, Any]) -> tuple[np.ndarray, list]:
        ev = self.ev
        key = repr(sorted(up.items()))
        if key in self.done:
            return self.done[key]
        new = specmod.resolve(specmod.set_params(ev.spec, **up), self.fw.n_levels)
        if any(new.get(s) != ev.spec.get(s) for s in ("denominate", "impute", "screen")):
            built = self.rebuilt[key] = ev.with_params(**up, aggregate=None)
            norm = built.dsets["Normalised"]
            out = (norm.to_numpy(dtype=float), list(norm.index))
        else:
            kept = list(ev.dsets["Screened"].index)
            x = self._treated(new.get("treat"))
            if new.get("normalise") is None:
                out = (x, kept)
            elif new.get("normalise") == ev.spec.get("normalise") and new.get(
                "treat"
            ) == ev.spec.get("treat"):
                out = (ev.dsets["Normalised"].to_numpy(dtype=float), kept)
            else:
                problems = ProblemList()
                pool = ev.details.get("normalise_pool")
                y = normalise(self.fw, new["normalise"], x, kept, problems, pool)
                problems.raise_if_any("不确定性输入无效 / invalid uncertainty inputs")
                out = (y, kept)
        self.done[key] = out
        return out

    def _treated(self, cfg: Mapping[str, Any] | None) -> np.ndarray:
        ev = self.ev
        if cfg == ev.spec.get("treat"):
            return ev.dsets["Treated"].to_numpy(dtype=float)
        if cfg is None:
            return ev.dsets["Screened"].to_numpy(dtype=float)
        key = repr(cfg)
        if key not in self.treated:
            x = ev.dsets["Screened"].to_numpy(dtype=float)
            self.treated[key] = treat(cfg, x, self.fw.indicators)[0]
        return self.treated[key]


def _variant(
    data: tuple[np.ndarray, list],
    fw: Any,
    cfg: Mapping[str, Any],
    units: pd.Index,
    label: str,
    problems: ProblemList,
    normalise_cfg: Mapping[str, Any] | None = None,
) -> Variant | None:
    x, kept = data
    levels = []
    values = x
    ok = True
    top = top_method(cfg, fw.n_levels)
    mcda = dict(cfg) if top in MCDA_METHODS else None
    if mcda is not None:  # the build's own MCDA root, checked on these data
        local = ProblemList()
        nominal_w = pd.Series(1.0, index=[n.code for n in fw.nodes])
        mcda_root(fw, mcda, x, nominal_w, kept, local)
        for pr in local[:5]:
            problems.add(
                f"{label}: {pr.rule}", source="inputs", row=pr.row, column=pr.column, value=pr.value
            )
        if local:
            return None
    family = top if mcda is not None else "sum" if top in ("sum", "points") else "mean"
    # positive data are in every mean's domain (and so are their means, level by level)
    positive = bool((x[~np.isnan(x)] > 0).all())
    for level in range(2, fw.n_levels + 1):
        method = per_level(cfg["method"], level)
        if mcda is not None:
            levels.append(("amean", {}, None))  # not used: the root is scored by the method
            continue
        if method not in BATCHED:
            problems.add(
                f"{label}: 聚合方法不支持权重批量计算 / aggregation method not supported by the "
                f"uncertainty engine; use one of {list(BATCHED)}",
                source="inputs",
                column="aggregate.method",
                value=method,
            )
            return None
        params = level_params(cfg, method, level)
        if level == 2 and method in ("gmean", "hmean", "genmean") and not positive:
            local = ProblemList()
            col = {c: j for j, c in enumerate(fw.indicators)}
            for parent in fw.codes_at(2):
                kids = fw.children[parent]
                check_domain(method, params, values[:, [col[k] for k in kids]], kids, kept, local)
            for pr in local[:5]:
                problems.add(
                    f"{label}: {pr.rule}",
                    source="inputs",
                    row=pr.row,
                    column=pr.column,
                    value=pr.value,
                )
            if len(local) > 5:
                problems.add(_more_such(label, len(local) - 5), source="inputs")
            ok = ok and not local
        levels.append((method, params, per_level(cfg.get("dat_thresh"), level)))
    if not ok:
        return None
    rows = units.get_indexer(pd.Index(kept))
    caches = tuple({} for _ in fw.codes_at(2))
    return Variant(
        np.ascontiguousarray(x.T),
        rows,
        tuple(levels),
        caches,
        mcda,
        1.0 if higher_is_better(cfg, fw.n_levels) else -1.0,
        repr((normalise_cfg, family)),
        positive,
    )


def _tree(fw: Any, problem: UncertaintyProblem) -> tuple:
    pos = {c: j for j, c in enumerate(problem.codes)}
    tree = []
    for level in range(2, fw.n_levels + 1):
        below = fw.indicators if level == 2 else fw.codes_at(level - 1)
        idx = {c: j for j, c in enumerate(below)}
        tree.append(
            tuple(
                (
                    np.array([idx[k] for k in fw.children[parent]], dtype=np.intp),
                    np.array([pos[k] for k in fw.children[parent]], dtype=np.intp),
                )
                for parent in fw.codes_at(level)
            )
        )
    return tuple(tree)


# ------------------------------------------------------------------ chunks
def default_chunk_size(model: Model) -> int:
    """Replications per chunk so one chunk's working arrays stay within :data:`CHUNK_BYTES`."""
    n_units = len(model.units)
    widest = max(len(parents) for parents in model.tree)
    per_rep = 8 * n_units * (widest + 8)
    return int(max(16, min(MAX_CHUNK, CHUNK_BYTES // per_rep)))


def _chunks(n: int, size: int) -> list[tuple[int, int]]:
    return [(s, min(n, s + size)) for s in range(0, n, size)]


def _random_rows(
    seeds: list[np.random.SeedSequence], first_block: int, start: int, stop: int, k: int
) -> np.ndarray:
    """Uniform rows ``start:stop`` from blocks of :data:`BLOCK` draws, one seed each."""
    blocks = [np.random.default_rng(s).random((BLOCK, k)) for s in seeds]
    u = np.concatenate(blocks) if blocks else np.empty((0, k))
    return u[start - first_block * BLOCK : stop - first_block * BLOCK]


def random_design(problem: UncertaintyProblem, n: int, seed: int) -> np.ndarray:
    """The unit-cube rows of :func:`evaluate_random`'s ``n`` replications (n, factors)."""
    seeds = np.random.SeedSequence(seed).spawn(-(-n // BLOCK))
    return _random_rows(seeds, 0, 0, n, problem.n_factors)


def _random_chunk(
    model: Model,
    seeds: list,
    first_block: int,
    start: int,
    stop: int,
    ranked: np.ndarray | None,
    out: tuple[np.ndarray, ...] | None = None,
) -> tuple[np.ndarray, ...] | None:
    """Choices and scores of replications ``start:stop``, and the ranks of the units
    ``ranked`` (a boolean mask; None: no ranks); into ``out`` when given (:func:`_emit`)."""
    u = _random_rows(seeds, first_block, start, stop, model.problem.n_factors)
    choices, weights = model.weights(u)
    scores = model.scores(choices, weights)
    if ranked is None:
        return _emit((choices, scores), out)
    kept = scores if ranked.all() else scores[:, ranked]
    return _emit((choices, scores, ranks_of(kept, model.signs(choices))), out)


def _score_chunk(
    model: Model,
    u: np.ndarray,
    columns: np.ndarray | None = None,
    ranks: bool = False,
    out: tuple[np.ndarray, ...] | None = None,
) -> tuple[np.ndarray, ...] | None:
    """Spec-choice indices and scores (or, with ``ranks``, ranks) of the units ``columns``;
    into ``out`` when given (:func:`_emit`)."""
    choices, weights = model.weights(u)
    scores = model.scores(choices, weights)
    if columns is not None:
        scores = scores[:, columns]
    return _emit((choices, ranks_of(scores, model.signs(choices)) if ranks else scores), out)


def _emit(
    parts: tuple[np.ndarray, ...], out: tuple[np.ndarray, ...] | None
) -> tuple[np.ndarray, ...] | None:
    """A chunk's arrays, written into ``out`` (its rows of the run's arrays, when the
    workers share memory: the copy and the first touch of those pages happen in the
    workers, in parallel), or returned to be copied there."""
    if out is None:
        return parts
    for dest, part in zip(out, parts, strict=True):
        dest[...] = part
    return None


def _run(
    tasks: list, outputs: tuple[np.ndarray, ...], n_jobs: int | None, quiet: bool, desc: str
) -> tuple[np.ndarray, ...]:
    """Run the chunk tasks, filling ``outputs`` (one array per output of a task,
    (total, …) each) chunk by chunk; one chunk runs here, and its arrays are the run's.

    Several chunks run with joblib. Threads are preferred (the work is NumPy's, which
    releases the GIL; threads share the model and write their rows of ``outputs``
    themselves); a backend set with ``joblib.parallel_config`` (processes, Dask) takes
    precedence, and its workers return their arrays, copied here as they arrive.
    """
    total = len(outputs[0])
    with progress(total=total, desc=desc, unit="draw", quiet=quiet) as bar:
        if len(tasks) == 1:
            ((_, fn, args),) = tasks
            parts = fn(*args)
            bar.update(total)
            return tuple(np.asarray(p, dtype=o.dtype) for p, o in zip(parts, outputs, strict=True))
        from joblib import Parallel, delayed
        from joblib.parallel import get_active_backend

        backend, _ = get_active_backend(prefer="threads")
        shared = bool(getattr(backend, "supports_sharedmem", False))

        def rows(start: int, stop: int) -> tuple[np.ndarray, ...] | None:
            return tuple(o[start:stop] for o in outputs) if shared else None

        parallel = Parallel(n_jobs=n_jobs, return_as="generator", prefer="threads")
        results = parallel(delayed(fn)(*args, out=rows(*span)) for span, fn, args in tasks)
        for ((start, stop), _, _), parts in zip(tasks, results, strict=True):
            if parts is not None:
                for dest, part in zip(outputs, parts, strict=True):
                    dest[start:stop] = part
            bar.update(stop - start)
    return outputs


def _empty(n: int, model: Model, *widths: int) -> tuple[np.ndarray, ...]:
    """The run's arrays: choices (n, spec choices), then one (n, width) float array each."""
    choices = np.empty((n, len(model.problem.choice_inputs)), dtype=np.intp)
    return (choices, *(np.empty((n, w)) for w in widths))


def evaluate_random(
    model: Model,
    n: int,
    seed: int,
    *,
    chunk_size: int | None,
    n_jobs: int | None,
    quiet: bool = False,
    ranked: np.ndarray | None = None,
) -> tuple[np.ndarray, ...]:
    """``n`` Monte Carlo replications: spec-choice indices (n, c) and scores (n, units),
    then, with ``ranked`` (a boolean mask of the units to rank), their ranks within each
    replication (n, ranked units), computed chunk by chunk beside the scores."""
    size = chunk_size or default_chunk_size(model)
    n_blocks = -(-n // BLOCK)
    seeds = np.random.SeedSequence(seed).spawn(n_blocks)
    tasks = []
    for start, stop in _chunks(n, size):
        b0, b1 = start // BLOCK, -(-stop // BLOCK)
        args = (model, seeds[b0:b1], b0, start, stop, ranked)
        tasks.append(((start, stop), _random_chunk, args))
    widths = [len(model.units)] + ([] if ranked is None else [int(np.count_nonzero(ranked))])
    return _run(tasks, _empty(n, model, *widths), n_jobs, quiet, "蒙特卡洛 / Monte Carlo")


def evaluate_design(
    model: Model,
    u: np.ndarray,
    *,
    columns: np.ndarray,
    ranks: bool,
    chunk_size: int | None,
    n_jobs: int | None,
    quiet: bool = False,
    desc: str = "Sobol",
) -> tuple[np.ndarray, np.ndarray]:
    """Scores (or ranks) of the units ``columns`` for the design rows ``u`` (e.g. Saltelli's
    for Sobol, trajectories for Morris: ``desc`` labels the progress bar);
    ranks are computed chunk by chunk, so the scores of all rows are never held at once."""
    size = chunk_size or default_chunk_size(model)
    tasks = [
        ((s, e), _score_chunk, (model, u[s:e], columns, ranks)) for s, e in _chunks(len(u), size)
    ]
    return _run(tasks, _empty(len(u), model, len(columns)), n_jobs, quiet, desc)


def ranks_of(scores: np.ndarray, signs: np.ndarray | None = None) -> np.ndarray:
    """Ranks within each replication (1 = best, ties "min"), as :func:`ranking.min_rank`;
    ``signs`` (one per replication): −1 where a lower score is better (VIKOR's Q).

    Replications are ranked a block of about :data:`RANK_CELLS` scores at a time (each
    replication's ranks are its own; small blocks keep the sort's work arrays in cache).
    """
    scores = np.asarray(scores, dtype=float)
    signs = None if signs is None else np.asarray(signs, dtype=float)
    out = np.empty(scores.shape)
    rows = max(1, RANK_CELLS // max(1, scores.shape[-1]))
    for start in range(0, len(scores), rows):
        block = scores[start : start + rows]
        if signs is not None and (signs[start : start + rows] != 1.0).any():
            block = block * signs[start : start + rows, None]
        out[start : start + rows] = min_rank(block, descending=True, axis=-1)
    return out


#: Scores per block in :func:`ranks_of` (8 MiB of float64).
RANK_CELLS = 2**20


def _relabel(problems: ProblemList, label: str, found: Any) -> None:
    """``found`` problems added to ``problems`` under the combination's ``label``."""
    for pr in found:
        problems.add(
            f"{label}: {pr.rule}",
            source=pr.source or "inputs",
            row=pr.row,
            column=pr.column,
            value=pr.value,
        )


def _more_such(label: str, n: int) -> str:
    """The line that stands for the problems of one alternative beyond the first five."""
    return f"{label}：另有 {n} 个同类值 / {label}: … {n} more such values"
