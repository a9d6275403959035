"""The uncertainty problem: plain-data inputs (SALib style), validated before anything runs.

``inputs`` is a list of dicts (``docs/uncertainty.md``)::

    [{"path": "weights", "noise": 0.25, "levels": [2, 3]},        # COINr noisy weights
     {"path": "weights", "dirichlet": 50, "levels": [2]},          # Dirichlet around nominal
     {"path": "weights", "values": [w_expert1, w_expert2]},        # experts' weight sets
     {"path": "treat", "values": [{"method": "winsorise"}, None]}, # None = stage off
     {"path": "normalise", "values": [{"method": "minmax", "l_u": [1, 100]},
                                      {"method": "zscore", "m_sd": [10, 2]}]},
     {"path": "aggregate__method", "values": ["amean", "gmean"], "p": [0.5, 0.5]},
     {"path": "exclude", "values": "each_indicator"}]

Every input becomes one or more columns ("factors") of a unit hypercube: a
Monte Carlo draw or a Sobol design row ``u ∈ [0, 1)^k`` is mapped to one
configuration by :meth:`UncertaintyProblem.decode`. Discrete inputs use the inverse CDF of
their stated probabilities (each alternative with its probability, not a rounded
continuous range); weights inputs give one factor per perturbed weight and are
analysed as one group (SALib ``groups``).

Sources: COINr 1.1.14 ``get_noisy_weights`` (each weight × U(1 − ε, 1 + ε)) and
``get_sensitivity``; OECD/JRC *Handbook on Constructing Composite Indicators*
(2008) §7 (uncertainty analysis: weights, normalisation, aggregation, inclusion
and exclusion of indicators as inputs).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from ..errors import ProblemList, report_unknown, suggest
from ..spec import STAGES

__all__ = ["Input", "UncertaintyProblem", "validate_inputs"]

WEIGHT_KINDS = ("noise", "dirichlet", "values")
# Paths a discrete input may name besides ``stage`` and ``stage__param``.
SPECIAL_PATHS = ("weights", "exclude")
INPUT_KEYS = {"path", "values", "p", "noise", "levels", "dirichlet", "name"}


@dataclass(frozen=True)
class Input:
    """One validated uncertain input.

    ``kind``: ``"noise"``, ``"dirichlet"`` (continuous weights, one factor per
    weight in ``codes``), ``"weight_sets"``, ``"choice"`` (a spec setting) or
    ``"exclude"`` (one factor each). ``alternatives`` and ``p`` for the discrete kinds.
    """

    path: str
    kind: str
    name: str
    codes: tuple[str, ...] = ()
    noise: float = 0.0
    concentration: float = 0.0
    alternatives: tuple[Any, ...] = ()
    p: tuple[float, ...] = ()

    @property
    def n_factors(self) -> int:
        return len(self.codes) if self.kind in ("noise", "dirichlet") else 1

    @property
    def is_spec_choice(self) -> bool:
        return self.kind == "choice"

    @property
    def is_discrete(self) -> bool:
        return self.kind in ("choice", "exclude", "weight_sets")

    def choose(self, u: np.ndarray) -> np.ndarray:
        """Alternative index for uniforms ``u`` by the inverse CDF of ``p``."""
        cum = np.cumsum(self.p)
        cum[-1] = 1.0
        return np.minimum(np.searchsorted(cum, u, side="right"), len(self.p) - 1)


@dataclass(frozen=True)
class UncertaintyProblem:
    """Validated inputs bound to an Evaluation's framework and nominal weights.

    ``groups`` names the input of each factor (column of the design): one Sobol index
    per input.
    """

    inputs: tuple[Input, ...]
    codes: tuple[str, ...]  # every weighted code (non-root), the weight-matrix columns
    nominal: np.ndarray  # nominal weights, aligned to ``codes``
    parent_of: np.ndarray  # (codes,) index of each code's parent: its sibling group

    @property
    def groups(self) -> list[str]:
        return [inp.name for inp in self.inputs for _ in range(inp.n_factors)]

    @property
    def input_names(self) -> list[str]:
        return [inp.name for inp in self.inputs]

    @property
    def n_factors(self) -> int:
        return sum(inp.n_factors for inp in self.inputs)

    @property
    def choice_inputs(self) -> list[int]:
        """Positions (in ``inputs``) of the spec-choice inputs."""
        return [i for i, inp in enumerate(self.inputs) if inp.is_spec_choice]

    @property
    def discrete_inputs(self) -> list[int]:
        """Positions (in ``inputs``) of the discrete inputs: spec choices, exclusions and
        expert weight sets."""
        return [i for i, inp in enumerate(self.inputs) if inp.is_discrete]

    @property
    def exclude_inputs(self) -> list[int]:
        """Positions (in ``inputs``) of the exclusion inputs."""
        return [i for i, inp in enumerate(self.inputs) if inp.kind == "exclude"]

    def indices(self, u: np.ndarray) -> np.ndarray:
        """The alternative (0-based) drawn for each discrete input (R, d), in the order of
        :attr:`discrete_inputs`, by the inverse CDF of its probabilities."""
        u = np.asarray(u, dtype=float)
        starts = np.cumsum([0, *(inp.n_factors for inp in self.inputs)])
        out = np.zeros((len(u), len(self.discrete_inputs)), dtype=np.intp)
        for k, i in enumerate(self.discrete_inputs):
            out[:, k] = self.inputs[i].choose(u[:, starts[i]])
        return out

    def combinations(self) -> list[tuple[int, ...]]:
        """Every reachable combination of spec-choice alternatives (nominal first)."""
        sizes = [len(self.inputs[i].alternatives) for i in self.choice_inputs]
        grid = np.indices(sizes).reshape(len(sizes), -1).T if sizes else np.zeros((1, 0), int)
        return [tuple(int(v) for v in row) for row in grid]

    def decode(
        self, u: np.ndarray, base: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Map design rows ``u`` (R, k) to spec-choice indices (R, c) and weights (R, codes).

        Weights: start from ``base`` (R, codes) — the nominal weights, or each row's weights
        of a model recomputed on its data — or an expert's set laid over it, apply noise
        (× U(1 − ε, 1 + ε), COINr ``get_noisy_weights``) or Dirichlet draws, zero the
        excluded indicator, then rescale every sibling group to its base total
        (renormalisation, so additive "sum" aggregation keeps its scale).
        """
        u = np.asarray(u, dtype=float)
        n = len(u)
        if base is None:  # one row for all (a view): copied below only if sets change it
            base = np.broadcast_to(self.nominal, (n, len(self.codes)))
        if any(inp.kind == "weight_sets" for inp in self.inputs):
            base = np.array(base)
        idx = self.indices(u)
        col = 0
        pos = {c: j for j, c in enumerate(self.codes)}
        excluded: list[np.ndarray] = []
        for i, inp in enumerate(self.inputs):
            col += inp.n_factors
            if not inp.is_discrete:
                continue
            drawn = idx[:, self.discrete_inputs.index(i)]
            if inp.kind == "weight_sets":
                for a, alt in enumerate(inp.alternatives):
                    cols = [pos[c] for c in alt]
                    base[np.ix_(drawn == a, cols)] = [alt[c] for c in alt]
            elif inp.kind == "exclude":
                mask = np.zeros((n, len(self.codes)), dtype=bool)
                for a, alt in enumerate(inp.alternatives):
                    cols = [pos[c] for c in (alt or ())]
                    if cols:
                        mask[np.ix_(drawn == a, cols)] = True
                excluded.append(mask)
        choices = idx[:, [self.discrete_inputs.index(i) for i in self.choice_inputs]]
        w = base.copy()
        col = 0
        for inp in self.inputs:
            block = u[:, col : col + inp.n_factors]
            col += inp.n_factors
            cols = [pos[c] for c in inp.codes]
            if inp.kind == "noise":
                w[:, cols] *= 1.0 - inp.noise + 2.0 * inp.noise * block
            elif inp.kind == "dirichlet":
                w[:, cols] = self._dirichlet(inp, block, base[:, cols])
        for mask in excluded:
            w[mask] = 0.0
        return choices, self._rescale(w, base)

    def _dirichlet(self, inp: Input, u: np.ndarray, base: np.ndarray) -> np.ndarray:
        """Dirichlet(α = c·shares) per sibling group by inverse-CDF gamma draws.

        A Dirichlet vector is a vector of independent Gamma(αᵢ, 1) draws divided by
        their sum (Devroye 1986, *Non-Uniform Random Variate Generation*, §XI.4);
        each gamma is drawn by its inverse CDF so that Sobol designs apply. ``c``
        is the concentration (Σα): the larger, the closer to the nominal shares.
        """
        parents = self.parent_of[[self.codes.index(c) for c in inp.codes]]
        totals = _group_sum(base, parents)[:, parents]
        u = np.clip(u, 1e-12, 1 - 1e-12)
        g = special.gammaincinv(inp.concentration * base / totals, u)
        return g / _group_sum(g, parents)[:, parents] * totals

    def _rescale(self, w: np.ndarray, base: np.ndarray) -> np.ndarray:
        totals = _group_sum(w, self.parent_of)
        # the same base in every row (a broadcast view): its group totals once
        target = _group_sum(base[:1] if base.strides[0] == 0 else base, self.parent_of)
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.where(totals > 0, target / totals, 0.0)
        return w * factor[:, self.parent_of]


def _group_sum(w: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Row sums of ``w`` per group (columns added one by one: the same bits for every row,
    whatever the number of rows)."""
    out = np.zeros((int(groups.max()) + 1 if len(groups) else 0, len(w)))
    columns = np.ascontiguousarray(w.T)  # one contiguous row per column of w
    for j, g in enumerate(groups):
        out[g] += columns[j]
    return out.T


def validate_inputs(ev: Any, inputs: Sequence[Mapping[str, Any]]) -> UncertaintyProblem:
    """Check ``inputs`` against the Evaluation ``ev``; one error listing every problem.

    Checks the shape of each input (known path, non-empty alternatives,
    probabilities summing to 1, noise in [0, 1), Dirichlet concentration > 0,
    known weight codes and levels). Whether each alternative builds on the data
    (e.g. ``gmean`` on data with zeros) is checked by the engine, which builds
    every reachable combination once before any replication runs.
    """
    problems = ProblemList()
    fw = ev.framework
    codes = tuple(c for c in ev.weights.index if c != fw.root)
    parents = sorted({fw[c].parent for c in codes})
    parent_of = np.array([parents.index(fw[c].parent) for c in codes], dtype=np.intp)
    nominal = ev.weights[list(codes)].to_numpy(dtype=float)
    out: list[Input] = []
    if isinstance(inputs, Mapping) or not isinstance(inputs, Sequence):
        problems.add(
            "输入须为字典列表 / inputs must be a list of dicts (see docs/uncertainty.md)",
            source="inputs",
            value=type(inputs).__name__,
        )
        problems.raise_if_any("不确定性输入无效 / invalid uncertainty inputs")
    seen: set[str] = set()
    for i, raw in enumerate(inputs):
        where = {"source": "inputs", "row": str(i)}
        if not isinstance(raw, Mapping) or not isinstance(raw.get("path"), str):
            problems.add(
                "每个输入须为含 path 的字典 / each input must be a dict with a 'path' string",
                value=raw,
                **where,
            )
            continue
        report_unknown(raw, INPUT_KEYS, problems, what="input key", **where)
        inp = _parse(fw, raw, codes, nominal, where, problems)
        if inp is None:
            continue
        if inp.name in seen:
            problems.add(
                "同一输入重复 / the same input is given twice (set 'name' to tell them apart)",
                column="path",
                value=inp.name,
                **where,
            )
        seen.add(inp.name)
        out.append(inp)
    if not inputs:
        problems.add("没有不确定输入 / no uncertain inputs given", source="inputs")
    problems.raise_if_any("不确定性输入无效 / invalid uncertainty inputs")
    return UncertaintyProblem(tuple(out), codes, nominal, parent_of)


def _parse(fw, raw, codes, nominal, where, problems: ProblemList) -> Input | None:
    path = raw["path"]
    name = str(raw.get("name", path))
    if path == "weights":
        return _parse_weights(fw, raw, codes, nominal, name, where, problems)
    if path == "exclude":
        return _parse_exclude(fw, raw, name, where, problems)
    stage, _, param = path.partition("__")
    if stage not in STAGES:
        allowed = [*SPECIAL_PATHS, *STAGES]
        problems.add(
            f"未知的规格路径 / unknown spec path; expected one of {allowed} or 'stage__param'",
            column="path",
            value=suggest(stage, allowed),
            **where,
        )
        return None
    if "__" in param:
        problems.add(
            "路径最多两级 / a path has at most two parts (stage__param)",
            column="path",
            value=path,
            **where,
        )
        return None
    values = raw.get("values")
    if not isinstance(values, list) or not values:
        problems.add(
            "备选值须为非空列表 / 'values' must be a non-empty list of alternatives",
            column="values",
            value=values,
            **where,
        )
        return None
    for v in values:
        if not param and v is not None and not isinstance(v, Mapping):
            problems.add(
                "阶段的备选值须为设置字典或 None / a stage's alternatives must be "
                "settings dicts or None (stage off)",
                column="values",
                value=v,
                **where,
            )
            return None
    p = _probabilities(raw, len(values), where, problems)
    if p is None:
        return None
    return Input(path, "choice", name, alternatives=tuple(values), p=p)


def _parse_weights(fw, raw, codes, nominal, name, where, problems) -> Input | None:
    given = [k for k in WEIGHT_KINDS if k in raw]
    if len(given) != 1:
        problems.add(
            "weights 输入须恰有 noise、dirichlet、values 之一 / a weights input needs exactly "
            "one of 'noise', 'dirichlet', 'values'",
            column="path",
            value=given,
            **where,
        )
        return None
    kind = given[0]
    if kind == "values":
        sets = raw["values"]
        if not isinstance(sets, list) or not sets:
            problems.add(
                "专家权重须为非空列表 / expert weights must be a non-empty list of weight sets",
                column="values",
                value=sets,
                **where,
            )
            return None
        clean = []
        for k, s in enumerate(sets):
            if isinstance(s, pd.Series):
                s = s.to_dict()
            if not isinstance(s, Mapping):
                problems.add(
                    "权重集须为 Series 或字典 / a weight set must be a Series or dict code→weight",
                    column=f"values[{k}]",
                    value=type(s).__name__,
                    **where,
                )
                continue
            for code, w in s.items():
                if code not in codes:
                    problems.add(
                        "权重集中的代码不在框架中 / code in a weight set is not in the framework",
                        column=f"values[{k}]",
                        value=suggest(code, codes),
                        **where,
                    )
                elif not _finite(w) or float(w) < 0:
                    problems.add(
                        "权重须为非负数 / a weight must be a non-negative number",
                        column=f"values[{k}].{code}",
                        value=w,
                        **where,
                    )
            clean.append({str(c): float(w) for c, w in s.items() if c in codes and _finite(w)})
        p = _probabilities(raw, len(sets), where, problems)
        if p is None or len(clean) != len(sets):
            return None
        return Input("weights", "weight_sets", name, alternatives=tuple(clean), p=p)
    levels = raw.get("levels", list(range(1, fw.n_levels)))
    if isinstance(levels, int):
        levels = [levels]
    bad = [lv for lv in levels if not isinstance(lv, int) or not 1 <= lv < fw.n_levels]
    if bad or not levels:
        problems.add(
            f"权重层级须在 1…{fw.n_levels - 1} / weight levels must be in 1…{fw.n_levels - 1} "
            "(the level of the weighted elements; the root has no weight)",
            column="levels",
            value=bad or levels,
            **where,
        )
        return None
    touched = tuple(c for c in codes if fw[c].level in levels)
    if kind == "noise":
        eps = raw["noise"]
        if not _finite(eps) or not 0 <= float(eps) < 1:
            problems.add(
                "权重噪声须在 [0, 1) / weight noise must be in [0, 1) "
                "(each weight × U(1 − ε, 1 + ε))",
                column="noise",
                value=eps,
                **where,
            )
            return None
        return Input("weights", "noise", name, codes=touched, noise=float(eps))
    conc = raw["dirichlet"]
    if not _finite(conc) or float(conc) <= 0:
        problems.add(
            "Dirichlet 集中参数须大于 0 / Dirichlet concentration must be > 0",
            column="dirichlet",
            value=conc,
            **where,
        )
        return None
    zero = [c for c in touched if nominal[codes.index(c)] <= 0]
    if zero:
        problems.add(
            "Dirichlet 需要正的名义权重 / Dirichlet needs positive nominal weights",
            column="levels",
            value=zero,
            **where,
        )
        return None
    return Input("weights", "dirichlet", name, codes=touched, concentration=float(conc))


def _parse_exclude(fw, raw, name, where, problems) -> Input | None:
    values = raw.get("values")
    if values == "each_indicator":
        # an only child cannot be left out: its parent would have no data
        alts = [None, *[(c,) for c in fw.indicators if len(fw.children[fw[c].parent]) > 1]]
    elif isinstance(values, list) and values:
        alts = []
        for v in values:
            group = () if v is None else (v,) if isinstance(v, str) else tuple(v)
            unknown = [c for c in group if c not in fw or c == fw.root]
            for c in unknown:
                problems.add(
                    "排除的代码不在框架中 / excluded code is not in the framework",
                    column="values",
                    value=suggest(c, fw.indicators),
                    **where,
                )
            alts.append(group or None)
    else:
        problems.add(
            "exclude 的 values 须为 'each_indicator' 或代码列表 / exclude 'values' must be "
            "'each_indicator' or a non-empty list of codes (None = nothing left out)",
            column="values",
            value=values,
            **where,
        )
        return None
    p = _probabilities(raw, len(alts), where, problems)
    if p is None:
        return None
    return Input("exclude", "exclude", name, alternatives=tuple(alts), p=p)


def _probabilities(raw, n, where, problems) -> tuple[float, ...] | None:
    p = raw.get("p")
    if p is None:
        return tuple([1.0 / n] * n)
    ok = isinstance(p, Sequence) and len(p) == n and all(_finite(v) and v >= 0 for v in p)
    if not ok or not math.isclose(sum(p), 1.0, abs_tol=1e-9):
        problems.add(
            f"概率须为 {n} 个非负数且和为 1 / 'p' must be {n} non-negative numbers summing to 1",
            column="p",
            value=p,
            **where,
        )
        return None
    return tuple(float(v) for v in p)


def _finite(v: Any) -> bool:
    try:
        return math.isfinite(float(v)) and not isinstance(v, bool)
    except (TypeError, ValueError):
        return False
