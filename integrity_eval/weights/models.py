"""Weighting models inside a build: ``weights: {method: entropy, dset: Normalised, level: 1}``.

The spec names a model (:data:`MODELS`), the dataset it reads (``dset``,
default ``Normalised``) and the ``level`` of the elements it weights (COINr's
level numbers: 1 = indicators; default every level). For each aggregate whose
children are at that level, the model is computed on the children's columns
(screened units only) and its weights replace the children's nominal weights.
``optimise`` is different: it needs the aggregated index, so the build first
aggregates with the nominal weights, then balances the weights at ``level``
(:func:`~integrity_eval.weights.balance.optimise_weights`) and aggregates again.
Children above level 1 are aggregates: their values are the scores the build
has just computed for them (whatever ``dset`` says). Further keys are passed
to the model (``share_bounds``/``weight_bounds`` for ``bod``, ``n_factors`` for ``pca``/``factor``,
``outcome`` for ``regression``: a mapping uCode → value, or the path of a
CSV/XLSX table with a ``uCode`` column and one value column).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..errors import Problem, ProblemList, ValidationError
from ..framework import Framework
from ..params import check_params
from .balance import check_settings, optimise_weights
from .bod import bod
from .bwm import from_bwm_questionnaires
from .factor import factor, pca
from .objective import angle, cilos, critic, entropy, gini, idocriw, lopcow, merec, std, variance
from .regression import regression
from .result import WeightResult

__all__ = [
    "DATASETS",
    "EVALUATION_MODELS",
    "EXPERT_MODELS",
    "MODELS",
    "WEIGHT_MODELS",
    "ModelWeigher",
    "check_evaluation_model",
    "model_options",
    "resolve_model_spec",
]

MODELS: dict[str, Callable[..., WeightResult]] = {
    "entropy": entropy,
    "critic": critic,
    "std": std,
    "merec": merec,
    "cilos": cilos,
    "idocriw": idocriw,
    "gini": gini,
    "lopcow": lopcow,
    "variance": variance,
    "angle": angle,
    "pca": pca,
    "factor": factor,
    "bod": bod,
    "regression": regression,
}


def from_questionnaires(
    *, questionnaires: str | list[str], how: str = "judgements", ri_table: str = "saaty"
) -> dict[str, WeightResult]:
    """AHP weights per aggregate from filled questionnaire(s) (group AHP when several)."""
    from .questionnaire import group_weights, read_ahp

    paths = [questionnaires] if isinstance(questionnaires, str) else list(questionnaires)
    responses = [read_ahp(p) for p in paths]
    if len(responses) == 1:
        return responses[0].weights(ri_table=ri_table)
    return group_weights(responses, how=how, ri_table=ri_table)


def from_allocations(*, allocations: str, total: float | None = None) -> dict[str, WeightResult]:
    """Budget-allocation weights from a table (column ``expert``, one column per code)."""
    from ..io import read_table
    from .simple import budget

    table = read_table(allocations, text_columns=("expert",))
    if "expert" in table.columns:
        table = table.set_index("expert")
    return {"": budget(table, total=total)}


# Models that read expert input instead of the build's data: keyed by aggregate code
EXPERT_MODELS: dict[str, Callable[..., dict[str, WeightResult]]] = {
    "ahp": from_questionnaires,
    "budget": from_allocations,
    "bwm": from_bwm_questionnaires,
}
# Models computed on the aggregated index (the build aggregates with nominal weights first)
EVALUATION_MODELS: dict[str, Callable[..., WeightResult]] = {"optimise": optimise_weights}
WEIGHT_MODELS = {**MODELS, **EXPERT_MODELS, **EVALUATION_MODELS}

DATASETS = ("Raw", "Denominated", "Imputed", "Screened", "Treated", "Normalised")
_SPEC_KEYS = {"method", "values", "dset", "level"}


def model_options(cfg: Mapping[str, Any]) -> dict[str, Any]:
    """The model's own keyword options in a resolved ``weights`` spec (not method, values,
    dset or level)."""
    return {k: v for k, v in cfg.items() if k not in _SPEC_KEYS}


def model_params(method: str) -> dict[str, Any]:
    """The model's keyword options and defaults (the spec may set them)."""
    sig = inspect.signature(WEIGHT_MODELS[method])
    return {
        k: p.default
        for k, p in sig.parameters.items()
        if p.kind is inspect.Parameter.KEYWORD_ONLY or k == "outcome"
    }


def resolve_model_spec(cfg: Mapping[str, Any], problems: ProblemList) -> dict[str, Any]:
    """Validate a model ``weights`` spec and fill its defaults."""
    method = cfg["method"]
    params = model_params(method)
    allowed = _SPEC_KEYS | set(params)
    for key in cfg:
        if key not in allowed:
            problems.add(
                f"unknown parameter for weights method {method}; expected one of {sorted(allowed)}",
                source="spec",
                column=f"weights.{key}",
            )
    dset = cfg.get("dset", "Normalised")
    if dset not in DATASETS:
        problems.add(
            f"weights.dset must be one of {list(DATASETS)}",
            source="spec",
            column="weights.dset",
            value=dset,
        )
    level = cfg.get("level")
    if level is not None and (not isinstance(level, int) or level < 1):
        problems.add(
            "weights.level must be a level number (1 = indicators) or omitted for every level",
            source="spec",
            column="weights.level",
            value=level,
        )
    if method in EVALUATION_MODELS and level is None:
        problems.add(
            "optimise 需要 weights.level（要平衡的层级，1 = 指标）/ optimise needs weights.level "
            "(the level whose weights are balanced, 1 = indicators)",
            source="spec",
            column="weights.level",
        )
    if "outcome" in params and "outcome" not in cfg:
        problems.add(
            "regression weights need 'outcome': a mapping uCode → value or a table's path",
            source="spec",
            column="weights.outcome",
        )
    out = {"method": method, "values": dict(cfg.get("values") or {}), "dset": dset, "level": level}
    if method in EVALUATION_MODELS:
        del out["dset"]  # computed on the index, not on a dataset
    for k, default in params.items():
        if k in cfg:
            out[k] = list(cfg[k]) if isinstance(cfg[k], tuple) else cfg[k]
        elif default is not inspect.Parameter.empty and default is not None:
            out[k] = default
    check_params("weights", [method], out, problems)
    return out


class ModelWeigher:
    """Computes a spec's model weights level by level during aggregation."""

    def __init__(
        self,
        fw: Framework,
        cfg: Mapping[str, Any],
        dsets: Mapping[str, np.ndarray],
        keep: np.ndarray,
        units: list[str],
    ):
        self.fw = fw
        self.cfg = cfg
        self.method = cfg["method"]
        x = dsets[cfg["dset"]]
        self.base = x[keep] if len(x) == len(keep) else x
        self.units = pd.Index(units, name="uCode")
        self.params = model_options(cfg)
        for key in ("share_bounds", "weight_bounds"):
            if isinstance(self.params.get(key), list):
                self.params[key] = tuple(self.params[key])
        if "outcome" in self.params:
            self.params["outcome"] = _outcome(self.params["outcome"])
        self.expert: dict[str, WeightResult] | None = None
        if self.method in EXPERT_MODELS:
            self.expert = EXPERT_MODELS[self.method](**self.params)
        self.results: dict[str, WeightResult] = {}

    def applies(self, child_level: int) -> bool:
        return self.cfg["level"] is None or self.cfg["level"] == child_level

    def __call__(
        self,
        child_level: int,
        parents: list[str],
        values: np.ndarray,
        col: Mapping[str, int],
        weights: pd.Series,
        problems: ProblemList,
    ) -> None:
        """Replace the weights of the children of ``parents`` by the model's (in place)."""
        if self.expert is not None:
            self._apply_expert(parents, weights, problems)
            return
        if not self.applies(child_level):
            return
        source = self.base if child_level == 1 else values
        for parent in parents:
            kids = self.fw.children[parent]
            X = pd.DataFrame(source[:, [col[k] for k in kids]], index=self.units, columns=kids)
            if len(kids) == 1:
                weights[kids] = 1.0
                continue
            try:
                res = MODELS[self.method](X, **self.params)
            except ValueError as exc:  # ValidationError: report and keep going
                for p in getattr(exc, "problems", []):
                    problems.append(p.__class__(**{**p.__dict__, "source": f"weights {parent}"}))
                if not getattr(exc, "problems", None):
                    problems.add(str(exc), source=f"weights {parent}")
                continue
            self.results[parent] = res
            weights[kids] = res.weights[kids].to_numpy()

    def _apply_expert(self, parents: list[str], weights: pd.Series, problems: ProblemList) -> None:
        """Expert weights (AHP per aggregate; budget over one set of siblings) for ``parents``."""
        for key, res in self.expert.items():
            codes = list(res.weights.index)
            known = {n.code for n in self.fw.nodes}
            if key:  # AHP: keyed by the aggregate
                parent = key if key in known else None
            else:  # budget: the parent of the allocated codes
                parent = self.fw[codes[0]].parent if codes[0] in known else None
            if parent is None:
                problems.add(
                    "code in the expert weights is not in the framework",
                    source=f"weights {self.method}",
                    column=key or codes[0],
                )
                continue
            if parent not in parents:
                continue
            if sorted(codes) != sorted(self.fw.children[parent]):
                problems.add(
                    f"expert weights must cover exactly the children of {parent}: "
                    f"{self.fw.children[parent]}",
                    source=f"weights {self.method}",
                    column=parent,
                    value=codes,
                )
                continue
            self.results[parent] = res
            weights[codes] = res.weights[codes].to_numpy()


def check_evaluation_model(fw: Framework, spec: Mapping[str, Any], problems: ProblemList) -> None:
    """Problems with a resolved spec's ``weights: {method: optimise, …}`` on ``fw``."""
    cfg = spec["weights"]
    if "aggregate" not in spec:
        problems.add(
            "optimise 需要 aggregate 阶段（它平衡与指数的相关性）/ optimise needs an aggregate "
            "stage (it balances correlations with the index)",
            source="spec",
            column="weights.method",
            value=cfg["method"],
        )
    check_settings(
        fw, cfg.get("level"), cfg.get("itarg"), cfg.get("cortype"), problems, source="spec weights"
    )


def _outcome(value: Any) -> pd.Series:
    """The regression outcome of a spec: a mapping uCode → value or a table (uCode, value)."""
    if isinstance(value, Mapping):
        return pd.Series({str(k): v for k, v in value.items()}, dtype=float)
    from ..io import read_table

    table = read_table(value)
    cols = [c for c in table.columns if c != "uCode"]
    if "uCode" not in table.columns or len(cols) != 1:
        raise ValidationError(
            [
                Problem(
                    "the outcome table needs a uCode column and exactly one value column",
                    source=str(value),
                    value=list(table.columns),
                )
            ],
            title="invalid regression outcome",
        )
    return pd.Series(
        pd.to_numeric(table[cols[0]], errors="coerce").to_numpy(),
        index=table["uCode"].astype(str).str.strip(),
    )
