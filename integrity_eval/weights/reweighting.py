"""Reweighting an Evaluation: re-aggregate with new weights, nothing else rebuilt.

``reweight(ev, w)`` gives exactly what ``ev.with_params(weights={"values": w})``
gives (same spec, same numbers, same manifest), but starts from the
Evaluation's Normalised dataset instead of running every stage again, so it is
fast enough for sliders (docs/weights.md). When every level is aggregated by the
arithmetic mean, the aggregation is a :class:`~integrity_eval.pipeline.MeanAggregator`
built once per Evaluation: a reweight is then a few sparse products.
:func:`rank_changes` is the table behind :func:`integrity_eval.weights.explore`;
:func:`optimise` reweights with COINr's correlation-balancing weights
(:func:`~integrity_eval.weights.balance.optimise_weights`).
"""

from __future__ import annotations

import dataclasses
import weakref
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING

import pandas as pd

from ..errors import ProblemList
from ..manifest import manifest_with_spec
from ..pipeline import MeanAggregator, aggregate
from ..spec import resolve, set_params
from .balance import optimise_weights
from .nominal import nominal_weights
from .result import WeightResult

if TYPE_CHECKING:
    from ..evaluation import Evaluation

__all__ = ["optimise", "rank_changes", "reweight"]


def reweight(ev: Evaluation, weights: Mapping[str, float] | pd.Series) -> Evaluation:
    """``ev`` re-aggregated with ``weights`` (code → weight, as the spec's ``weights.values``).

    Codes not given keep the framework's weight, as with
    ``ev.with_params(weights={"values": weights})``, which this equals exactly.
    A weight 0 leaves the element in every table but out of its parent's aggregate
    (docs/spec.md, as COINr); unknown codes, negative weights and an aggregate whose
    children all weigh 0 are errors listing every problem.
    """
    fw = ev.framework
    ev._aggregated()  # a clear error when the spec has no aggregate stage
    spec = resolve(set_params(ev.spec, weights={"values": dict(weights)}), fw.n_levels)
    problems = ProblemList()
    w = nominal_weights(fw, spec["weights"], problems)
    problems.raise_if_any("invalid weights")
    normalised = ev.dsets["Normalised"]
    if MeanAggregator.fits(fw, spec["aggregate"], len(normalised)):
        op = _mean_aggregator(ev)
        agg_cols, agg_codes = op(w), op.codes_index
    else:
        x = normalised.to_numpy(dtype=float)
        agg_cols, agg_codes = aggregate(
            fw, spec["aggregate"], x, w, list(normalised.index), problems, problems.raise_if_any
        )
    # the normalised columns are shared (copy on write), not copied
    aggregates = pd.DataFrame(agg_cols, index=normalised.index, columns=agg_codes, copy=False)
    frame = pd.concat([normalised, aggregates], axis=1)
    details = {k: v for k, v in ev.details.items() if k != "weight_models"}
    return dataclasses.replace(
        ev,
        spec=spec,
        dsets=MappingProxyType({**ev.dsets, "Aggregated": frame}),
        weights=w,
        details=MappingProxyType(details),
        manifest=manifest_with_spec(ev.manifest, spec),
    )


#: The aggregation operator of each Evaluation reweighted so far, dropped with it.
_OPERATORS: dict[int, MeanAggregator] = {}


def _mean_aggregator(ev: Evaluation) -> MeanAggregator:
    """``ev``'s :class:`~integrity_eval.pipeline.MeanAggregator`, built on first use."""
    op = _OPERATORS.get(id(ev))
    if op is None:
        x = ev.dsets["Normalised"].to_numpy(dtype=float)
        op = _OPERATORS[id(ev)] = MeanAggregator(ev.framework, ev.spec["aggregate"], x)
        weakref.finalize(ev, _OPERATORS.pop, id(ev), None)
    return op


def rank_changes(
    ev: Evaluation, weights: Mapping[str, float] | pd.Series, *, base: Evaluation | None = None
) -> pd.DataFrame:
    """Scores and ranks under ``weights`` against ``base`` (default ``ev``), best first.

    Columns: ``uName``, ``score``, ``rank``, ``rank_nominal``, ``change``
    (positive = the unit moves up).
    """
    new = reweight(ev, weights)
    base = ev if base is None else base
    out = pd.DataFrame(
        {
            "uName": ev.units.loc[new.scores.index, "uName"],
            "score": new.scores,
            "rank": new.ranks,
            "rank_nominal": base.ranks.reindex(new.scores.index),
        }
    )
    out["change"] = out["rank_nominal"] - out["rank"]
    return out.sort_values(["rank", "score"], ascending=[True, False])


def optimise(
    ev: Evaluation,
    *,
    level: int,
    itarg: str | Sequence[float] | Mapping[str, float] = "equal",
    cortype: str = "pearson",
    toler: float = 0.1,
    maxiter: int = 500,
) -> WeightResult:
    """``ev``'s weights at ``level`` balanced by COINr's ``get_opt_weights`` (``"balance"``).

    The model is :func:`~integrity_eval.weights.balance.optimise_weights` (COINr 1.1.14;
    Becker et al. 2017), computed on ``ev``'s normalised data with its aggregation and
    weights: the weights ``ev`` already departs from the framework with (spec values,
    models) stay as they are while the level's move. The result also holds
    ``evaluation``: ``ev`` reweighted with the optimised weights.
    """
    ev._aggregated()  # a clear error when the spec has no aggregate stage
    res = optimise_weights(
        ev.get_dset("Normalised"),
        ev.framework,
        ev.spec["aggregate"],
        ev.weights,
        level=level,
        itarg=itarg,
        cortype=cortype,
        toler=toler,
        maxiter=maxiter,
    )
    fw = ev.framework
    departed = {c: float(w) for c, w in res.all_weights.items() if w != fw.weights.get(c)}
    res.evaluation = reweight(ev, departed)
    res.diagnostics["evaluation"] = res.evaluation
    return res
