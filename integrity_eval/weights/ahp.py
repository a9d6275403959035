"""The Analytic Hierarchy Process (AHP): priorities from pairwise comparison matrices.

Sources:
- Saaty, T. L. (1980) *The Analytic Hierarchy Process*, McGraw-Hill: the 1–9
  scale, principal-eigenvector priorities, consistency index
  ``CI = (λmax − n)/(n − 1)``, consistency ratio ``CR = CI / RI``, random
  index table (p. 21), CR < 0.1 acceptable.
- Saaty, T. L. (2008) "Decision making with the analytic hierarchy process",
  *Int. J. Services Sciences* 1(1): 83–98: the scale with verbal labels
  (Table 1) and a revised random index table.
- Crawford, G. & Williams, C. (1985) *J. Math. Psychology* 29: 387–405: the
  row geometric-mean (logarithmic least squares) priorities.
- Saaty, T. L. (2003) *EJOR* 145: 85–91: the judgement ``a_ij`` whose
  ``ε_ij = a_ij w_j / w_i`` is farthest from 1 is the most inconsistent.
- Aczél, J. & Saaty, T. L. (1983) *J. Math. Psychology* 27: 93–102 and Forman,
  E. & Peniwati, K. (1998) *EJOR* 108: 165–169: group AHP by the element-wise
  geometric mean of judgements (AIJ) or of individual priorities (AIP).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import ProblemList
from ..framework import Framework
from .nominal import effective_weights
from .result import WeightResult

__all__ = ["RI_TABLES", "SAATY_SCALE", "ahp", "ahp_group", "synthesise"]

# Random consistency indices by matrix order n = 1, 2, …
RI_TABLES: dict[str, tuple[str, tuple[float, ...]]] = {
    "saaty": (
        "Saaty (1980), The Analytic Hierarchy Process, p. 21",
        (0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49),
    ),
    "saaty2008": (
        "Saaty (2008), Int. J. Services Sciences 1(1): 83–98, random index table",
        (0.0, 0.0, 0.52, 0.89, 1.11, 1.25, 1.35, 1.40, 1.45, 1.49),
    ),
}

# Saaty (2008) Table 1: the fundamental scale, with verbal labels (Chinese first).
SAATY_SCALE: dict[int, str] = {
    1: "同等重要 / equal importance",
    2: "介于同等与稍微重要之间 / weak",
    3: "稍微重要 / moderate importance",
    4: "介于稍微与明显重要之间 / moderate plus",
    5: "明显重要 / strong importance",
    6: "介于明显与强烈重要之间 / strong plus",
    7: "强烈重要 / very strong importance",
    8: "介于强烈与极端重要之间 / very, very strong",
    9: "极端重要 / extreme importance",
}

CR_THRESHOLD = 0.1


def check_pairwise(matrix: pd.DataFrame, *, source: str = "ahp", rtol: float = 1e-2) -> ProblemList:
    """Every problem of a pairwise comparison matrix (not raised).

    Square with the same codes on rows and columns, finite and positive,
    ones on the diagonal, reciprocal ``a_ji = 1/a_ij`` within ``rtol``
    (judgements typed as 0.33 for 1/3 pass).
    """
    problems = ProblemList()
    if list(matrix.index) != list(matrix.columns):
        problems.add(
            "pairwise matrix must have the same codes, in the same order, on rows and columns",
            source=source,
            value=f"rows {list(matrix.index)}, columns {list(matrix.columns)}",
        )
        return problems
    a = matrix.to_numpy(dtype=float)
    codes = list(matrix.index)
    n = len(codes)
    for i in range(n):
        for j in range(n):
            v = a[i, j]
            if not np.isfinite(v) or v <= 0:
                problems.add(
                    "judgement must be a positive number",
                    source=source,
                    row=codes[i],
                    column=codes[j],
                    value=v,
                )
    if problems:
        return problems
    for i in range(n):
        if not np.isclose(a[i, i], 1.0):
            problems.add(
                "diagonal must be 1", source=source, row=codes[i], column=codes[i], value=a[i, i]
            )
        for j in range(i + 1, n):
            if not np.isclose(a[i, j] * a[j, i], 1.0, rtol=rtol, atol=0):
                problems.add(
                    f"matrix is not reciprocal: a[{codes[j]},{codes[i]}] should be "
                    f"1/a[{codes[i]},{codes[j]}] = {1 / a[i, j]:.4g}",
                    source=source,
                    row=codes[i],
                    column=codes[j],
                    value=f"{a[i, j]:.4g} and {a[j, i]:.4g}",
                )
    return problems


def _eigen(a: np.ndarray) -> tuple[np.ndarray, float]:
    vals, vecs = np.linalg.eig(a)
    k = int(np.argmax(vals.real))
    v = np.abs(vecs[:, k].real)
    return v / v.sum(), float(vals[k].real)


def _geometric(a: np.ndarray) -> np.ndarray:
    g = np.exp(np.log(a).mean(axis=1))
    return g / g.sum()


def ahp(
    matrix: pd.DataFrame,
    *,
    method: str = "eigenvector",
    ri_table: str = "saaty",
    n_worst: int = 3,
) -> WeightResult:
    """AHP priorities of one pairwise comparison matrix.

    ``matrix``: DataFrame, codes × codes, ``a_ij`` = how much more important
    row ``i`` is than column ``j`` on Saaty's 1–9 scale (reciprocals below
    the diagonal). ``method``: ``"eigenvector"`` (Saaty 1980, the principal
    right eigenvector) or ``"geometric"`` (row geometric means, Crawford &
    Williams 1985). λmax, CI and CR always use the principal eigenvalue
    (Saaty 1980); ``ri_table`` names the random-index table (``"saaty"``:
    Saaty 1980 p. 21, the default; ``"saaty2008"``). ``CR ≥ 0.1`` sets
    ``consistent = False`` and a warning naming the ``n_worst`` judgements
    with the largest ``|ln ε_ij|``, ``ε_ij = a_ij w_j / w_i`` (Saaty 2003).
    Diagnostics: ``lambda_max``, ``ci``, ``ri``, ``cr``, ``ri_table``,
    ``consistent``, ``inconsistent`` (DataFrame of judgements by ``|ln ε|``).
    """
    problems = ProblemList()
    if method not in ("eigenvector", "geometric"):
        problems.add(
            "method must be 'eigenvector' or 'geometric'",
            source="ahp",
            column="method",
            value=method,
        )
    if ri_table not in RI_TABLES:
        problems.add(
            f"unknown random-index table; expected one of {list(RI_TABLES)}",
            source="ahp",
            column="ri_table",
            value=ri_table,
        )
    if not isinstance(matrix, pd.DataFrame):
        problems.add(
            "matrix must be a DataFrame with codes on rows and columns",
            source="ahp",
            value=type(matrix).__name__,
        )
    problems.raise_if_any("invalid AHP input")
    problems += check_pairwise(matrix)
    n = len(matrix)
    table_source, table = RI_TABLES[ri_table]
    if n > len(table):
        problems.add(
            f"the {ri_table} random-index table stops at n = {len(table)}; split the "
            "comparison into smaller groups",
            source="ahp",
            value=n,
        )
    problems.raise_if_any("invalid pairwise comparison matrix")
    a = matrix.to_numpy(dtype=float)
    w_eig, lam = _eigen(a)
    w = w_eig if method == "eigenvector" else _geometric(a)
    ci = max((lam - n) / (n - 1), 0.0) if n > 2 else 0.0  # λmax ≥ n; no rounding below
    ri = table[n - 1]
    cr = ci / ri if ri > 0 else 0.0
    codes = list(matrix.index)
    eps = a * w[None, :] / w[:, None]
    iu = np.triu_indices(n, k=1)
    worst = pd.DataFrame(
        {
            "row": [codes[i] for i in iu[0]],
            "column": [codes[j] for j in iu[1]],
            "judgement": a[iu],
            "implied": (w[iu[0]] / w[iu[1]]),
            "epsilon": eps[iu],
        }
    )
    worst["abs_log_epsilon"] = np.abs(np.log(worst["epsilon"]))
    worst = worst.sort_values("abs_log_epsilon", ascending=False).reset_index(drop=True)
    consistent = bool(cr < CR_THRESHOLD)
    warnings = []
    if not consistent:
        named = "; ".join(
            f"{r.row} vs {r.column}: given {r.judgement:.3g}, consistent value ≈ {r.implied:.3g}"
            for r in worst.head(n_worst).itertuples()
        )
        warnings.append(
            f"判断矩阵不一致 CR = {cr:.3f} ≥ 0.1，请复核这些判断 / inconsistent matrix "
            f"CR = {cr:.3f} ≥ 0.1; revise these judgements first: {named}"
        )
    return WeightResult(
        pd.Series(w, index=pd.Index(codes, name="iCode")),
        method=f"ahp ({method})",
        source="Saaty (1980) The Analytic Hierarchy Process; "
        + ("Crawford & Williams (1985)" if method == "geometric" else "principal eigenvector")
        + f"; RI: {table_source}",
        conventions="λmax, CI, CR from the principal eigenvalue whatever the priority method; "
        "CR < 0.1 acceptable (Saaty 1980)",
        tables={"judgements by inconsistency / 判断不一致程度": worst.head(max(n_worst, 5))},
        warnings=warnings,
        lambda_max=lam,
        ci=ci,
        ri=ri,
        cr=cr,
        ri_table=ri_table,
        consistent=consistent,
        inconsistent=worst,
        matrix=matrix,
    )


def ahp_group(
    matrices: Sequence[pd.DataFrame] | Mapping[str, pd.DataFrame],
    *,
    how: str = "judgements",
    method: str = "eigenvector",
    ri_table: str = "saaty",
    expert_weights: Mapping[str, float] | Sequence[float] | None = None,
) -> WeightResult:
    """Group AHP over several experts' matrices of the same codes.

    ``how="judgements"`` (AIJ): the element-wise weighted geometric mean of the
    matrices, then :func:`ahp` on it (Aczél & Saaty 1983 — the only synthesis
    that keeps the reciprocal property). ``how="priorities"`` (AIP): each
    expert's priorities, then their weighted geometric mean renormalised to 1
    (Forman & Peniwati 1998). ``expert_weights``: relative weights of the
    experts (default equal). Diagnostics: ``experts`` (each expert's
    :class:`WeightResult`, so every CR is visible) and, for AIJ, the group
    matrix's λmax/CI/CR.
    """
    items = (
        dict(matrices)
        if isinstance(matrices, Mapping)
        else {f"expert{i + 1}": m for i, m in enumerate(matrices)}
    )
    problems = ProblemList()
    if how not in ("judgements", "priorities"):
        problems.add(
            "how must be 'judgements' or 'priorities'", source="ahp_group", column="how", value=how
        )
    if not items:
        problems.add("no expert matrices given", source="ahp_group")
    problems.raise_if_any("invalid group AHP input")
    first = next(iter(items.values()))
    for name, m in items.items():
        if list(m.index) != list(first.index) or list(m.columns) != list(first.columns):
            problems.add(
                "expert's matrix compares different codes from the first expert's",
                source=f"ahp_group[{name}]",
                value=list(m.index),
            )
        problems += check_pairwise(m, source=f"ahp_group[{name}]")
    ew = (
        np.ones(len(items))
        if expert_weights is None
        else np.asarray(
            list(expert_weights.values())
            if isinstance(expert_weights, Mapping)
            else expert_weights,
            dtype=float,
        )
    )
    if len(ew) != len(items) or np.any(ew <= 0):
        problems.add(
            "expert_weights must be one positive number per expert",
            source="ahp_group",
            value=list(ew),
        )
    problems.raise_if_any("invalid group AHP input")
    ew = ew / ew.sum()
    experts = {k: ahp(m, method=method, ri_table=ri_table) for k, m in items.items()}
    logs = np.stack([np.log(m.to_numpy(dtype=float)) for m in items.values()])
    if how == "judgements":
        gm = pd.DataFrame(
            np.exp(np.tensordot(ew, logs, axes=1)), index=first.index, columns=first.columns
        )
        res = ahp(gm, method=method, ri_table=ri_table)
        res.method = f"group ahp (geometric mean of judgements, {method})"
        res.source = "Aczél & Saaty (1983); " + res.source
        res.experts = experts
        res.diagnostics["n_experts"] = len(items)
        res.tables["expert CR / 专家一致性比率"] = _expert_table(experts)
        return res
    pri = np.stack([r.weights.to_numpy() for r in experts.values()])
    g = np.exp(np.tensordot(ew, np.log(pri), axes=1))
    w = pd.Series(g / g.sum(), index=pd.Index(first.index, name="iCode"))
    table = _expert_table(experts)
    bad = [k for k, r in experts.items() if not r.consistent]
    return WeightResult(
        w,
        method=f"group ahp (geometric mean of priorities, {method})",
        source="Forman & Peniwati (1998) EJOR 108: 165–169; Saaty (1980)",
        conventions="weighted geometric mean of the experts' priority vectors, renormalised",
        tables={"expert CR / 专家一致性比率": table},
        warnings=[
            f"专家 {k} 判断不一致 / expert {k} is inconsistent (CR = {experts[k].cr:.3f} ≥ 0.1)"
            for k in bad
        ],
        n_experts=len(items),
        experts=experts,
    )


def _expert_table(experts: Mapping[str, WeightResult]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "lambda_max": [r.lambda_max for r in experts.values()],
            "CI": [r.ci for r in experts.values()],
            "CR": [r.cr for r in experts.values()],
            "consistent": [r.consistent for r in experts.values()],
        },
        index=pd.Index(list(experts), name="expert"),
    )


def synthesise(framework: Framework, local: Mapping[str, WeightResult | pd.Series]) -> WeightResult:
    """Global weights of a hierarchy from local AHP priorities (Saaty 1980, ch. 1).

    ``local``: for each aggregate code, the priorities of its children (a
    result or a Series). A node's global weight is the product of the local
    weights on its path to the root (hierarchic composition); aggregates not
    in ``local`` keep the framework's weights. Returns global weights of every
    node (indicators sum to 1) and ``local`` as the ``local`` diagnostic.
    """
    problems = ProblemList()
    w = framework.weights.astype(float).copy()
    for parent, res in local.items():
        series = res.weights if isinstance(res, WeightResult) else pd.Series(res, dtype=float)
        if parent not in framework.children:
            problems.add("unknown aggregate code", source="synthesise", column=parent)
            continue
        kids = framework.children[parent]
        if set(series.index) != set(kids):
            problems.add(
                f"priorities must cover exactly the children of {parent}: {kids}",
                source="synthesise",
                column=parent,
                value=list(series.index),
            )
            continue
        w[kids] = series[kids].to_numpy() / series.sum()
    problems.raise_if_any("cannot synthesise the hierarchy")
    eff = effective_weights(framework, w)
    return WeightResult(
        eff.rename("global"),
        method="ahp hierarchy synthesis",
        source="Saaty (1980) The Analytic Hierarchy Process: hierarchic composition",
        conventions="global weight = product of local priorities from the root down",
        local_weights=w,
    )
