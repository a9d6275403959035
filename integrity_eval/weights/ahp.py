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
- Alonso, J. A. & Lamata, M. T. (2006) "Consistency in the analytic hierarchy
  process: a new approach", *Int. J. Uncertainty, Fuzziness and Knowledge-Based
  Systems* 14(4): 445–459: random indices for any order from the fitted mean
  principal eigenvalue of random matrices, ``λ̄max(n) = 2.7699 n − 4.3513``,
  i.e. ``RI(n) = (1.7699 n − 4.3513)/(n − 1)`` (used here for n = 3 … 30).
- Harker, P. T. (1987) "Derivatives of the Perron root of a positive reciprocal
  matrix", *Math. Modelling* 9(3–5): 353–355: revise first the judgement whose
  change most lowers λmax (here found exactly, by recomputing CR for every single
  change of a judgement to another value of Saaty's scale).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ProblemList, problem_error
from ..framework import Framework
from .nominal import effective_weights
from .result import WeightResult

__all__ = [
    "RI_TABLES",
    "SAATY_SCALE",
    "ConsistencyWarning",
    "ahp",
    "ahp_consistency",
    "ahp_group",
    "synthesise",
]

#: The largest matrix a random-index table here covers (Alonso & Lamata's formula).
MAX_ORDER = 30


def _alonso_lamata(n_max: int) -> tuple[float, ...]:
    """RI(n) = (1.7699 n − 4.3513)/(n − 1) for n ≥ 3 (Alonso & Lamata 2006); 0 for n ≤ 2."""
    return (0.0, 0.0, *((1.7699 * n - 4.3513) / (n - 1) for n in range(3, n_max + 1)))


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
    "alonso-lamata": (
        "Alonso & Lamata (2006), Int. J. Uncertainty, Fuzziness and Knowledge-Based Systems "
        "14(4): 445–459: RI(n) = (1.7699 n − 4.3513)/(n − 1)",
        _alonso_lamata(MAX_ORDER),
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
# Every judgement the scale allows: 1/9 … 1/2, 1, 2 … 9.
SCALE_VALUES = np.array([1 / k for k in range(9, 1, -1)] + list(range(1, 10)), dtype=float)

#: Saaty (1980): a consistency ratio of 0.10 or less is acceptable.
CR_THRESHOLD = 0.1
#: ``expert_weights="inverse_cr"``: a CR below this counts as this (a consistent expert
#: would otherwise take all the weight).
CR_FLOOR = 0.01


class ConsistencyWarning(UserWarning):
    """A pairwise comparison matrix behind the weights has CR > 0.1 (Saaty 1980)."""


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


def _lambda_max(a: np.ndarray) -> np.ndarray:
    """Principal (Perron) eigenvalue of each positive matrix of a stack (…, n, n)."""
    return np.linalg.eigvals(a).real.max(axis=-1)


def _scale_text(v: float) -> str:
    """A judgement as typed on Saaty's scale: 3, 1/3, or 2.47 between scale values."""
    if v >= 1:
        return f"{v:.3g}"
    inv = 1 / v
    return f"1/{inv:.0f}" if np.isclose(inv, round(inv)) else f"{v:.3g}"


def _revisions(a: np.ndarray, codes: list, ci_of: Any) -> pd.DataFrame:
    """For each judgement above the diagonal, the value of Saaty's scale that, put in its
    place (with its reciprocal), lowers CR most, and the CR then; best revision first."""
    n = len(codes)
    rows = []
    for i, j in zip(*np.triu_indices(n, k=1), strict=True):
        trial = np.repeat(a[None, :, :], len(SCALE_VALUES), axis=0)
        trial[:, i, j], trial[:, j, i] = SCALE_VALUES, 1 / SCALE_VALUES
        cr = ci_of(_lambda_max(trial))
        best = int(np.argmin(cr))
        rows.append((codes[i], codes[j], a[i, j], SCALE_VALUES[best], cr[best]))
    table = pd.DataFrame(rows, columns=["row", "column", "judgement", "suggested", "cr_after"])
    changed = ~np.isclose(table["judgement"], table["suggested"], rtol=1e-2)
    return table[changed].sort_values("cr_after", kind="stable").reset_index(drop=True)


def _priorities(
    matrix: pd.DataFrame, *, method: str, ri_table: str, n_worst: int, source: str = "ahp"
) -> WeightResult:
    """:func:`ahp` without the warning (group AHP warns once for the group)."""
    problems = ProblemList()
    if method not in ("eigenvector", "geometric"):
        problems.add(
            "method must be 'eigenvector' or 'geometric'",
            source=source,
            column="method",
            value=method,
        )
    if ri_table not in RI_TABLES:
        problems.add(
            f"unknown random-index table; expected one of {list(RI_TABLES)}",
            source=source,
            column="ri_table",
            value=ri_table,
        )
    if not isinstance(matrix, pd.DataFrame):
        problems.add(
            "matrix must be a DataFrame with codes on rows and columns",
            source=source,
            value=type(matrix).__name__,
        )
    problems.raise_if_any("invalid AHP input")
    problems += check_pairwise(matrix, source=source)
    n = len(matrix)
    table_source, table = RI_TABLES[ri_table]
    if n > len(table):
        wider = [k for k, (_, t) in RI_TABLES.items() if len(t) >= n]
        problems.add(
            f"随机一致性指标表 {ri_table} 只到 n = {len(table)}；请用 ri_table="
            f"{wider[0] if wider else 'alonso-lamata'!r}（到 n = {MAX_ORDER}）或拆分比较 / the "
            f"{ri_table} random-index table stops at n = {len(table)}; pass ri_table="
            f"{wider[0] if wider else 'alonso-lamata'!r} (up to n = {MAX_ORDER}) or split the "
            "comparison into smaller groups",
            source=source,
            value=n,
        )
    problems.raise_if_any("invalid pairwise comparison matrix")
    a = matrix.to_numpy(dtype=float)
    w_eig, lam = _eigen(a)
    w = w_eig if method == "eigenvector" else _geometric(a)
    ri = table[n - 1]

    def cr_of(lam: np.ndarray | float) -> np.ndarray | float:
        if n <= 2 or ri <= 0:
            return np.zeros_like(lam) if isinstance(lam, np.ndarray) else 0.0
        return np.maximum((lam - n) / (n - 1), 0.0) / ri  # λmax ≥ n; no rounding below

    ci = max((lam - n) / (n - 1), 0.0) if n > 2 else 0.0
    cr = float(cr_of(lam))
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
    consistent = bool(cr <= CR_THRESHOLD)
    revisions = (
        _revisions(a, codes, cr_of)
        if not consistent
        else pd.DataFrame(columns=["row", "column", "judgement", "suggested", "cr_after"])
    )
    messages = []
    if not consistent:
        named = "; ".join(
            f"{r.row}/{r.column}: {_scale_text(r.judgement)} → {_scale_text(r.suggested)} "
            f"(CR {r.cr_after:.3f})"
            for r in revisions.head(n_worst).itertuples()
        )
        messages.append(
            f"判断矩阵不一致 CR = {cr:.3f} > 0.1，权重不可靠；最能降低 CR 的修改：{named} / "
            f"inconsistent matrix CR = {cr:.3f} > 0.1, the weights are unreliable; the changes "
            f"that lower CR most: {named}"
        )
    tables = {"judgements by inconsistency / 判断不一致程度": worst.head(max(n_worst, 5))}
    if not consistent:
        tables["revisions that lower CR most / 最能降低CR的修改"] = revisions.head(max(n_worst, 5))
    return WeightResult(
        pd.Series(w, index=pd.Index(codes, name="iCode")),
        method=f"ahp ({method})",
        source="Saaty (1980) The Analytic Hierarchy Process; "
        + ("Crawford & Williams (1985)" if method == "geometric" else "principal eigenvector")
        + f"; RI: {table_source}",
        conventions="λmax, CI, CR from the principal eigenvalue whatever the priority method; "
        "CR ≤ 0.1 acceptable (Saaty 1980)",
        tables=tables,
        warnings=messages,
        n=n,
        lambda_max=lam,
        ci=ci,
        ri=ri,
        cr=cr,
        ri_table=ri_table,
        consistent=consistent,
        inconsistent=worst,
        revisions=revisions,
        matrix=matrix,
    )


def _warn(message: str, name: str) -> None:
    """``message`` (bilingual) as a :class:`ConsistencyWarning`, naming the matrix."""
    zh, _, en = message.partition(" / ")
    if name:
        zh, en = f"{name}：{zh}", f"{name}: {en}"
    warnings.warn(f"{zh} / {en}", ConsistencyWarning, stacklevel=3)


def ahp(
    matrix: pd.DataFrame,
    *,
    method: str = "eigenvector",
    ri_table: str = "saaty",
    n_worst: int = 3,
    name: str = "",
) -> WeightResult:
    """AHP priorities of one pairwise comparison matrix.

    ``matrix``: DataFrame, codes × codes, ``a_ij`` = how much more important
    row ``i`` is than column ``j`` on Saaty's 1–9 scale (reciprocals below
    the diagonal). ``method``: ``"eigenvector"`` (Saaty 1980, the principal
    right eigenvector) or ``"geometric"`` (row geometric means, Crawford &
    Williams 1985). λmax, CI and CR always use the principal eigenvalue
    (Saaty 1980); ``ri_table`` names the random-index table (``"saaty"``:
    Saaty 1980 p. 21, n ≤ 10, the default; ``"saaty2008"``, n ≤ 10;
    ``"alonso-lamata"``: Alonso & Lamata 2006, n ≤ 30).

    ``CR > 0.1`` sets ``consistent = False`` and emits a
    :class:`ConsistencyWarning` (``name``, e.g. the aggregate code, names the
    matrix in it) with the ``n_worst`` single revisions that lower CR most:
    for each judgement, the value of Saaty's scale that, put in its place, gives
    the lowest CR, recomputed exactly (after Harker 1987). Diagnostics:
    ``n``, ``lambda_max``, ``ci``, ``ri``, ``cr``, ``ri_table``, ``consistent``,
    ``inconsistent`` (judgements by ``|ln ε_ij|``, ``ε_ij = a_ij w_j / w_i``,
    Saaty 2003), ``revisions`` (row, column, judgement, suggested, cr_after; empty
    when CR ≤ 0.1).
    """
    res = _priorities(matrix, method=method, ri_table=ri_table, n_worst=n_worst)
    if not res.consistent:
        _warn(res.warnings[0], name)
    return res


def ahp_group(
    matrices: Sequence[pd.DataFrame] | Mapping[str, pd.DataFrame],
    *,
    how: str = "judgements",
    method: str = "eigenvector",
    ri_table: str = "saaty",
    expert_weights: Mapping[str, float] | Sequence[float] | str | None = None,
    min_consistency: float | None = None,
    name: str = "",
) -> WeightResult:
    """Group AHP over several experts' matrices of the same codes.

    ``how="judgements"`` (AIJ): the element-wise weighted geometric mean of the
    matrices, then :func:`ahp` on it (Aczél & Saaty 1983 — the only synthesis
    that keeps the reciprocal property). ``how="priorities"`` (AIP): each
    expert's priorities, then their weighted geometric mean renormalised to 1
    (Forman & Peniwati 1998).

    ``expert_weights``: relative weights of the experts (default equal), or
    ``"inverse_cr"``: each expert weighted by ``1/max(CR, 0.01)``, so the less
    consistent an expert, the less they count (a CR below 0.01 counts as 0.01, or a
    perfectly consistent expert would take all the weight). ``min_consistency``: leave
    out the experts whose CR is above this bound (``0.1``: Saaty's rule), with a
    :class:`ConsistencyWarning` naming them; an error if none is left.

    A :class:`ConsistencyWarning` is emitted when a matrix the weights come from
    has CR > 0.1: the group matrix (AIJ), or an expert's matrix (AIP); it names
    the inconsistent experts. Diagnostics: ``experts`` (each expert's
    :class:`WeightResult`, so every CR is visible), ``used`` (the experts kept),
    ``dropped``, ``expert_weights`` (Series, normalised), ``inconsistent_experts``
    and, for AIJ, the group matrix's ``lambda_max``/``ci``/``cr``/``revisions``.
    """
    items = (
        dict(matrices)
        if isinstance(matrices, Mapping)
        else {f"expert{i + 1}": m for i, m in enumerate(matrices)}
    )
    source = f"ahp_group[{name}]" if name else "ahp_group"
    problems = ProblemList()
    if how not in ("judgements", "priorities"):
        problems.add(
            "how must be 'judgements' or 'priorities'", source=source, column="how", value=how
        )
    if not items:
        problems.add("no expert matrices given", source=source)
    if min_consistency is not None and not (
        isinstance(min_consistency, int | float) and min_consistency > 0
    ):
        problems.add(
            "min_consistency 须为正数（CR 上限，如 0.1） / min_consistency must be a positive "
            "number (the largest CR kept, e.g. 0.1)",
            source=source,
            column="min_consistency",
            value=min_consistency,
        )
    if isinstance(expert_weights, str) and expert_weights != "inverse_cr":
        problems.add(
            "expert_weights 须为每位专家一个正数，或 'inverse_cr' / expert_weights must be one "
            "positive number per expert, or 'inverse_cr'",
            source=source,
            column="expert_weights",
            value=expert_weights,
        )
    problems.raise_if_any("invalid group AHP input")
    first = next(iter(items.values()))
    for key, m in items.items():
        if list(m.index) != list(first.index) or list(m.columns) != list(first.columns):
            problems.add(
                "expert's matrix compares different codes from the first expert's",
                source=f"{source}[{key}]",
                value=list(m.index),
            )
        problems += check_pairwise(m, source=f"{source}[{key}]")
    given = None
    if expert_weights is not None and not isinstance(expert_weights, str):
        given = np.asarray(
            list(expert_weights.values())
            if isinstance(expert_weights, Mapping)
            else expert_weights,
            dtype=float,
        )
        if len(given) != len(items) or np.any(~(given > 0)):
            problems.add(
                "expert_weights must be one positive number per expert",
                source=source,
                value=list(given),
            )
    problems.raise_if_any("invalid group AHP input")
    experts = {
        k: _priorities(m, method=method, ri_table=ri_table, n_worst=3, source=f"{source}[{k}]")
        for k, m in items.items()
    }
    crs = pd.Series({k: r.cr for k, r in experts.items()}, dtype=float)
    used = list(items) if min_consistency is None else list(crs.index[crs <= min_consistency])
    dropped = [k for k in items if k not in used]
    where = f"{name}：" if name else ""
    if dropped and not used:
        raise problem_error(
            f"{where}没有专家的 CR 不超过 {min_consistency} / no expert has CR ≤ "
            f"{min_consistency}: " + ", ".join(f"{k} {crs[k]:.3f}" for k in dropped),
            "invalid group AHP input",
            source=source,
            column="min_consistency",
            value=min_consistency,
        )
    if dropped:
        listed = ", ".join(f"{k} (CR {crs[k]:.3f})" for k in dropped)
        _warn(
            f"已剔除一致性不足的专家：{listed} / experts left out for CR > {min_consistency}: "
            f"{listed}",
            name,
        )
    if expert_weights == "inverse_cr":
        ew = 1.0 / np.maximum(crs[used].to_numpy(), CR_FLOOR)
    elif given is not None:
        ew = given[[list(items).index(k) for k in used]]
    else:
        ew = np.ones(len(used))
    ew = pd.Series(ew / ew.sum(), index=pd.Index(used, name="expert"), name="expert_weight")
    bad = [k for k in used if not experts[k].consistent]
    bad_text = ", ".join(f"{k} (CR {crs[k]:.3f})" for k in bad)
    table = _expert_table(experts, ew)
    common = {
        "n_experts": len(used),
        "experts": experts,
        "used": used,
        "dropped": dropped,
        "expert_weights": ew,
        "inconsistent_experts": bad,
    }
    if how == "judgements":
        logs = np.stack([np.log(items[k].to_numpy(dtype=float)) for k in used])
        gm = pd.DataFrame(
            np.exp(np.tensordot(ew.to_numpy(), logs, axes=1)),
            index=first.index,
            columns=first.columns,
        )
        res = _priorities(gm, method=method, ri_table=ri_table, n_worst=3, source=source)
        res.method = f"group ahp (geometric mean of judgements, {method})"
        res.source = "Aczél & Saaty (1983); " + res.source
        res.tables["expert CR / 专家一致性比率"] = table
        for key, value in common.items():
            res.diagnostics[key] = value
            setattr(res, key, value)
        if not res.consistent:
            if bad:
                res.warnings[0] += f"; inconsistent experts / 不一致的专家: {bad_text}"
            _warn(res.warnings[0], name)
        return res
    pri = np.stack([experts[k].weights.to_numpy() for k in used])
    g = np.exp(np.tensordot(ew.to_numpy(), np.log(pri), axes=1))
    w = pd.Series(g / g.sum(), index=pd.Index(first.index, name="iCode"))
    messages = []
    if bad:
        messages.append(
            f"专家判断矩阵不一致（CR > 0.1），其优先级直接进入权重：{bad_text} / inconsistent "
            f"experts (CR > 0.1) whose priorities enter the weights: {bad_text}"
        )
        _warn(messages[0], name)
    return WeightResult(
        w,
        method=f"group ahp (geometric mean of priorities, {method})",
        source="Forman & Peniwati (1998) EJOR 108: 165–169; Saaty (1980)",
        conventions="weighted geometric mean of the experts' priority vectors, renormalised",
        tables={"expert CR / 专家一致性比率": table},
        warnings=messages,
        ri_table=ri_table,
        **common,
    )


def _expert_table(experts: Mapping[str, WeightResult], used: pd.Series) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "lambda_max": [r.lambda_max for r in experts.values()],
            "CI": [r.ci for r in experts.values()],
            "CR": [r.cr for r in experts.values()],
            "consistent": [r.consistent for r in experts.values()],
            "weight": used.reindex(list(experts)).fillna(0.0).to_numpy(),
        },
        index=pd.Index(list(experts), name="expert"),
    )


def ahp_consistency(results: Any) -> pd.DataFrame:
    """The consistency of every AHP matrix behind a set of weights, one row per aggregate.

    ``results``: an Evaluation built with ``weights: {method: ahp, …}`` (its
    ``details["weight_models"]``), or a mapping aggregate → :class:`WeightResult`
    (``read_ahp(...).weights()``, ``group_weights(...)``). Columns: ``n`` (elements
    compared), ``lambda_max``, ``CI``, ``RI``, ``CR`` (of the matrix the weights come
    from; NaN for a synthesis of priorities, which has none), ``ri_table``,
    ``consistent`` (CR ≤ 0.1, Saaty 1980), ``experts`` (number used), ``inconsistent_experts``
    and ``dropped`` (names). Empty when no AHP weights are involved.
    """
    models = getattr(results, "details", None)
    if models is not None:
        results = models.get("weight_models") or {}
    rows = {}
    for parent, res in results.items():
        if not isinstance(res, WeightResult) or not res.method.startswith(("ahp", "group ahp")):
            continue
        d = res.diagnostics
        cr = d.get("cr", np.nan)
        experts = d.get("inconsistent_experts", [])
        rows[parent] = {
            "n": len(res.weights),
            "lambda_max": d.get("lambda_max", np.nan),
            "CI": d.get("ci", np.nan),
            "RI": d.get("ri", np.nan),
            "CR": cr,
            "ri_table": d.get("ri_table", ""),
            "consistent": bool(cr <= CR_THRESHOLD) if np.isfinite(cr) else not experts,
            "experts": d.get("n_experts", 1),
            "inconsistent_experts": ", ".join(map(str, experts)),
            "dropped": ", ".join(map(str, d.get("dropped", []))),
        }
    columns = ["n", "lambda_max", "CI", "RI", "CR", "ri_table", "consistent", "experts"]
    columns += ["inconsistent_experts", "dropped"]
    return pd.DataFrame.from_dict(rows, orient="index", columns=columns).rename_axis("aggregate")


def synthesise(framework: Framework, local: Mapping[str, WeightResult | pd.Series]) -> WeightResult:
    """Global weights of a hierarchy from local AHP priorities (Saaty 1980, ch. 1).

    ``local``: for each aggregate code, the priorities of its children (a
    result or a Series). A node's global weight is the product of the local
    weights on its path to the root (hierarchic composition); aggregates not
    in ``local`` keep the framework's weights. Returns global weights of every
    node (indicators sum to 1), the local weights as the ``local_weights``
    diagnostic and, as ``tables["hierarchy"]`` (shown by ``summary()``), one row per
    node below the root, top level first: its level, parent, name, local weight (its
    share among its siblings) and global weight,
    where the local weight came from (``ahp`` or ``framework``) and the consistency
    ratio of the parent's matrix (when ``local`` gave a result with ``cr``).
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
        tables={"hierarchy": _hierarchy_table(framework, local, w, eff)},
        local_weights=w,
    )


def _hierarchy_table(
    fw: Framework, local: Mapping[str, Any], w: pd.Series, eff: pd.Series
) -> pd.DataFrame:
    """The synthesis as a table: one row per node below the root, top level first."""
    codes = [c for level in range(fw.n_levels - 1, 0, -1) for c in fw.codes_at(level)]
    parents = [fw[c].parent for c in codes]
    share = [w[c] / w[fw.children[p]].sum() for c, p in zip(codes, parents, strict=True)]
    cr = {p: getattr(r, "cr", np.nan) for p, r in local.items()}
    return pd.DataFrame(
        {
            "level": [fw[c].level for c in codes],
            "parent": parents,
            "name": [fw[c].name("zh") for c in codes],
            "local": np.asarray(share, dtype=float),
            "global": eff[codes].to_numpy(dtype=float),
            "from": ["ahp" if p in local else "framework" for p in parents],
            "parent_cr": [float(cr.get(p, np.nan)) for p in parents],
        },
        index=pd.Index(codes, name="code"),
    )
