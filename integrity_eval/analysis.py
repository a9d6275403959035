"""Statistics, coherence checks and unit profiles of a composite indicator.

The functions reproduce the analysis tools of the R package COINr 1.1.14 (Becker et
al., *COINr: an R package for developing composite indicators*, JOSS 2022) — same
column names, thresholds, defaults and handling of missing values — and the
corresponding checks of the OECD/JRC *Handbook on Constructing Composite Indicators*
(2008), Step 4 "Multivariate analysis" (§4.1 PCA, §4.2 Cronbach's alpha) and Step 7
"Uncertainty and sensitivity" / Step 9 "Links to other indicators" (correlations).

Every function takes either an ``Evaluation`` (anything with ``get_dset(name)`` and
``framework``) or a plain DataFrame indexed by unit code (a ``uCode`` column is moved
to the index), plus ``framework=`` when the tree is needed and the data do not carry
one. Bad input raises :class:`~integrity_eval.errors.ValidationError` naming the unit
or indicator at fault.

Deliberate differences from COINr, all for display only: COINr rounds its tables
(``get_stats`` to 3 significant figures, ``get_str_weak`` to 3, ``get_unit_summary`` to
2 decimals); here the values are returned at full precision unless ``nsignif`` /
``sig_figs`` / ``nround`` is passed.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from . import treat
from .display import Displayable, Summary
from .errors import Problem, ValidationError
from .errors import problem_error as _fail
from .framework import Framework
from .schemas import ID_COLUMNS

__all__ = [
    "DataAvailability",
    "PCAGroup",
    "PCAResult",
    "RemovedElements",
    "StrengthsWeaknesses",
    "correlation_flags",
    "correlations",
    "cronbach",
    "data_availability",
    "indicator_stats",
    "pca",
    "percentile_rank",
    "remove_elements",
    "strengths_weaknesses",
    "unit_summary",
]

CorrMethod = Literal["pearson", "spearman", "kendall"]


# ====================================================================== helpers
def dataset_of(obj: Any, dset: str) -> pd.DataFrame:
    """The data set ``dset`` of an Evaluation, or ``obj`` itself when it is a DataFrame.

    A ``uCode`` column is moved to the index so that plain iData tables work as is.
    """
    if hasattr(obj, "get_dset"):
        df = obj.get_dset(dset)
    elif isinstance(obj, pd.DataFrame):
        df = obj
    else:
        raise ValidationError(
            [
                Problem(
                    rule="expected an Evaluation (with get_dset) or a DataFrame",
                    source="data",
                    value=type(obj).__name__,
                )
            ],
            title="invalid data",
        )
    if "uCode" in df.columns and df.index.name != "uCode":
        df = df.set_index("uCode")
    return df


def framework_of(obj: Any, framework: Framework | None, *, required: bool, what: str = ""):
    fw = framework if framework is not None else getattr(obj, "framework", None)
    if fw is None and required:
        raise ValidationError(
            [
                Problem(
                    rule=f"{what} needs the indicator framework: pass framework=",
                    source="framework",
                )
            ],
            title="framework required",
        )
    return fw


def _block(df: pd.DataFrame, fw: Framework | None, source: str, codes=None) -> pd.DataFrame:
    """The numeric columns to analyse, as float.

    ``codes`` given: exactly those (every missing one reported). Otherwise, with a
    framework: every column that is a node of the tree (indicators and, in an
    aggregated data set, aggregates); without one: every numeric column except
    ``uCode``, ``uName`` and ``Time``.
    """
    problems: list[Problem] = []
    if codes is not None:
        cols = list(codes)
        for c in cols:
            if c not in df.columns:
                agg = fw is not None and c in fw and fw[c].level > 1
                hint = " (aggregates are in 'Aggregated')" if agg else ""
                problems.append(
                    Problem(rule=f"code not found in the data set{hint}", source=source, column=c)
                )
    elif fw is not None:
        cols = [c for c in df.columns if c in fw]
        if not cols:
            problems.append(
                Problem(rule="no column of the data set is a framework code", source=source)
            )
    else:
        cols = [
            c
            for c in df.columns
            if c not in ID_COLUMNS
            and pd.api.types.is_numeric_dtype(df[c])
            and not pd.api.types.is_bool_dtype(df[c])
        ]
        if not cols:
            problems.append(Problem(rule="no numeric column to analyse", source=source))
    if problems:
        raise ValidationError(problems, title="invalid data")
    for c in cols:
        if not pd.api.types.is_numeric_dtype(df[c]) or pd.api.types.is_bool_dtype(df[c]):
            problems.append(
                Problem(
                    rule="indicator column must be numeric",
                    source=source,
                    column=c,
                    value=str(df[c].dtype),
                )
            )
    if problems:
        raise ValidationError(problems, title="invalid data")
    return df[cols].astype(float)


def _select(fw: Framework, within: str | Sequence[str] | None, level: int, source: str) -> list:
    """COINr ``get_data(iCodes = within, Level = level)``: the level-``level`` codes under
    ``within`` (a code or codes at any level at or above ``level``), or all of them."""
    if not 1 <= level <= fw.n_levels:
        raise _fail(
            f"level must be between 1 and {fw.n_levels}",
            "invalid level",
            source=source,
            value=level,
        )
    if within is None:
        return fw.codes_at(level)
    items = [within] if isinstance(within, str) else list(within)
    problems, out = [], []
    for w in items:
        if w not in fw:
            problems.append(Problem(rule="no such code in the framework", source=source, row=w))
        elif fw[w].level < level:
            problems.append(
                Problem(
                    rule=f"code is at level {fw[w].level}, below the requested level {level}",
                    source=source,
                    row=w,
                )
            )
        else:
            out.extend(c for c in fw.descendants(w, level) if c not in out)
    if problems:
        raise ValidationError(problems, title="invalid selection")
    return out


def _ancestor(fw: Framework, code: str, level: int) -> str | None:
    node = fw[code]
    while node.level < level and node.parent is not None:
        node = fw[node.parent]
    return node.code if node.level == level else None


def _rank_desc(x: pd.DataFrame, groups: pd.Series | None = None) -> pd.DataFrame:
    """COINr ``rank_df``: rank 1 = highest, ties take the minimum rank, NaN stays NaN;
    within groups when ``groups`` is given (rows with no group get NaN)."""
    if groups is None:
        return x.rank(ascending=False, method="min", na_option="keep")
    return x.groupby(groups, dropna=True).rank(ascending=False, method="min").reindex(x.index)


def _signif(x: pd.Series | np.ndarray, digits: int) -> np.ndarray:
    """R ``signif``: round to ``digits`` significant figures."""
    a = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mag = np.floor(np.log10(np.abs(a)))
        scale = 10.0 ** (digits - 1 - mag)
        out = np.round(a * scale) / scale
    return np.where((a == 0) | ~np.isfinite(a), a, out)


def _unit_row(df: pd.DataFrame, unit: str, source: str) -> None:
    if unit not in df.index:
        raise _fail("unit not found in the data set", "unknown unit", source=source, row=unit)
    if df.index.duplicated().any():
        dup = df.index[df.index.duplicated()].unique()
        raise ValidationError(
            [Problem(rule="unit code appears more than once", source=source, row=u) for u in dup],
            title="duplicate units",
        )


def _group_labels(obj: Any, df: pd.DataFrame, by: str | pd.Series, source: str) -> pd.Series:
    """Group label of every unit: a column of the data, of ``obj.units``, or a Series."""
    if isinstance(by, pd.Series):
        missing = df.index.difference(by.index)
        if len(missing):
            raise ValidationError(
                [Problem(rule="unit has no group label", source="by", row=u) for u in missing],
                title="invalid grouping",
            )
        return by.reindex(df.index)
    if by in df.columns:
        return df[by]
    units = getattr(obj, "units", None)
    if isinstance(units, pd.DataFrame) and by in units.columns:
        return units[by].reindex(df.index)
    raise _fail(
        "group column not found in the data or in the units table",
        "invalid grouping",
        source=source,
        column=by,
    )


# ==================================================================== statistics
def _flag(test: np.ndarray, known: np.ndarray, yes: str, no: str) -> np.ndarray:
    out = np.where(test, yes, no).astype(object)
    out[~known] = None
    return out


def indicator_stats(
    data: Any,
    dset: str = "Raw",
    *,
    framework: Framework | None = None,
    t_skew: float = 2,
    t_kurt: float = 3.5,
    t_avail: float = 0.65,
    t_zero: float = 0.5,
    t_unq: float = 0.5,
    nsignif: int | None = None,
) -> pd.DataFrame:
    """Statistics of every indicator column — COINr 1.1.14 ``get_stats``.

    One row per column (index ``iCode``): ``Min, Max, Mean, Median, Std`` (sample SD,
    n − 1), ``Skew, Kurt`` (sample-adjusted G1 and excess G2 as COINr's ``skew()`` /
    ``kurt()``), ``N.Avail`` (non-missing), ``N.NonZero``, ``N.Unique``, ``N.Same``
    (size of the largest set of equal values), ``Frc.Avail`` (= N.Avail / units),
    ``Frc.NonZero``, ``Frc.Unique``, ``Frc.Same`` (each divided by N.Avail), and flags:

    * ``Flag.Avail`` = "LOW" if Frc.Avail < ``t_avail`` else "ok";
    * ``Flag.NonZero`` = "LOW" if N.NonZero / units < ``t_zero`` (COINr divides by the
      number of units here, not by N.Avail as in Frc.NonZero);
    * ``Flag.Unique`` = "LOW" if N.Unique / units < ``t_unq`` (same remark);
    * ``Flag.SkewKurt`` = "OUT" if |Skew| > ``t_skew`` **and** Kurt > ``t_kurt``, else
      "ok"; missing (R's NA) when that cannot be decided because skew/kurtosis are undefined.

    With a framework, the columns are those of the data set that are framework codes;
    without one, every numeric column but uCode/uName/Time. ``nsignif`` rounds the
    numeric columns for display (COINr's default is 3; here None = full precision).
    """
    df = dataset_of(data, dset)
    fw = framework_of(data, framework, required=False)
    x = _block(df, fw, dset)
    n = len(x)
    arr = x.to_numpy()
    ok = ~np.isnan(arr)
    n_avail = ok.sum(axis=0)
    skew, kurt = treat.skew(arr, axis=0), treat.kurt(arr, axis=0)
    nonzero = (ok & (arr != 0)).sum(axis=0)
    n_unique = x.nunique(dropna=True).to_numpy()
    long = x.melt(var_name="_code", value_name="_v").dropna()
    n_same = (
        long.groupby(["_code", "_v"], sort=False)
        .size()
        .groupby(level=0)
        .max()
        .reindex(x.columns, fill_value=0)
        .to_numpy()
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        frc_avail = n_avail / n
        out = pd.DataFrame(
            {
                "Min": x.min(),
                "Max": x.max(),
                "Mean": x.mean(),
                "Median": x.median(),
                "Std": x.std(ddof=1),
                "Skew": skew,
                "Kurt": kurt,
                "N.Avail": n_avail,
                "N.NonZero": nonzero,
                "N.Unique": n_unique,
                "N.Same": n_same,
                "Frc.Avail": frc_avail,
                "Frc.NonZero": nonzero / n_avail,
                "Frc.Unique": n_unique / n_avail,
                "Frc.Same": n_same / n_avail,
            },
            index=x.columns,
        )
        sk_big, sk_known = np.abs(skew) > t_skew, ~np.isnan(skew)
        kt_big, kt_known = kurt > t_kurt, ~np.isnan(kurt)
    out["Flag.Avail"] = np.where(frc_avail >= t_avail, "ok", "LOW")
    out["Flag.NonZero"] = np.where(nonzero / n >= t_zero, "ok", "LOW")
    out["Flag.Unique"] = np.where(n_unique / n >= t_unq, "ok", "LOW")
    # R's three-valued `&`: FALSE & NA is FALSE, TRUE & NA is NA
    known = (sk_known & ~sk_big) | (kt_known & ~kt_big) | (sk_known & kt_known)
    out["Flag.SkewKurt"] = _flag(sk_big & kt_big, known, "OUT", "ok")
    out.index.name = "iCode"
    if nsignif is not None:
        num = out.columns[:15]
        out[num] = out[num].apply(lambda s: _signif(s, nsignif))
    return out


# ============================================================ data availability
@dataclass(frozen=True, eq=False, repr=False)
class DataAvailability(Displayable):
    """Result of :func:`data_availability` (COINr ``get_data_avail``).

    ``by_unit`` (COINr's ``Summary``): per unit ``N_missing, N_zero, N_miss_or_zero,
    Dat_Avail, Non_Zero``; ``by_group``: per unit × aggregate code, the fraction of the
    aggregate's indicators that are available (None without a framework);
    ``group_means``: ``by_unit``'s fractions and ``by_group`` averaged over the units of
    each group of ``by`` (with ``n_units``), or None. Also indexable by COINr's names,
    ``res["Summary"]``, ``res["ByGroup"]``. :meth:`summary` is the printed overview.
    """

    by_unit: pd.DataFrame
    by_group: pd.DataFrame | None = None
    group_means: pd.DataFrame | None = None

    def __getitem__(self, key: str) -> pd.DataFrame | None:
        return {
            "Summary": self.by_unit,
            "ByGroup": self.by_group,
            "GroupMeans": self.group_means,
        }[key]

    def _headline(self) -> str:
        avail = self.by_unit["Dat_Avail"]
        return f"{len(avail)} units, data availability {avail.min():.0%}–{avail.max():.0%}"

    def summary(self) -> Summary:
        """Overview: the units with the least data first, and the group means."""
        avail = self.by_unit["Dat_Avail"]
        tables = [
            (
                "Units, least data first / 数据最少的单位在前",
                self.by_unit.sort_values("Dat_Avail", kind="stable"),
            )
        ]
        if self.group_means is not None:
            tables.append(("Group means / 分组平均", self.group_means))
        return Summary(
            "Data availability / 数据可得性",
            [
                ("units / 单位", len(avail)),
                ("mean availability / 平均可得率", f"{avail.mean():.1%}"),
                ("complete units / 数据完整的单位", int((avail == 1).sum())),
            ],
            tables,
        )


def data_availability(
    data: Any,
    dset: str = "Raw",
    *,
    framework: Framework | None = None,
    by: str | pd.Series | None = None,
) -> DataAvailability:
    """Data availability of each unit — COINr 1.1.14 ``get_data_avail`` (coin method).

    ``Summary`` (per unit): ``N_missing`` (missing values), ``N_zero`` (zeros among
    the available values), ``N_miss_or_zero``, ``Dat_Avail`` = 1 − N_missing / k and
    ``Non_Zero`` = 1 − N_zero / (k − N_missing), over the k analysed columns (the
    framework codes present in the data set — so aggregates count in "Aggregated", as
    in COINr — or all numeric columns without a framework).

    ``ByGroup`` (needs the framework): for every aggregate at levels 2…top, in lineage
    order, the fraction of its *indicators* (level 1) that are available for the unit.

    ``by``: a group column (of the data, or of ``Evaluation.units``) or a Series of
    labels by unit; adds ``group_means``, the mean of ``Dat_Avail``, ``Non_Zero`` and
    every ``ByGroup`` column over the units of each group (units without a label are
    left out), with ``n_units``.
    """
    df = dataset_of(data, dset)
    fw = framework_of(data, framework, required=False)
    x = _block(df, fw, dset)
    k = x.shape[1]
    na = x.isna()
    n_missing = na.sum(axis=1)
    n_zero = (x == 0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        summary = pd.DataFrame(
            {
                "N_missing": n_missing,
                "N_zero": n_zero,
                "N_miss_or_zero": n_missing + n_zero,
                "Dat_Avail": 1 - n_missing / k,
                "Non_Zero": 1 - n_zero / (k - n_missing),
            },
            index=x.index,
        )
    by_group = None
    if fw is not None:
        missing = [c for c in fw.indicators if c not in df.columns]
        if missing:
            raise ValidationError(
                [
                    Problem(rule="indicator missing from the data set", source=dset, column=c)
                    for c in missing
                ],
                title="invalid data",
            )
        avail = df[fw.indicators].notna().astype(float)
        lin = fw.lineage
        cols = {}
        for lev in range(2, fw.n_levels + 1):
            # one column of the lineage per level: indicator → its ancestor at `lev`
            anc = lin.iloc[:, lev - 1].to_numpy()
            for code in pd.unique(anc):
                cols[code] = avail.loc[:, anc == code].mean(axis=1)
        by_group = pd.DataFrame(cols, index=df.index)
    group_means = None
    if by is not None:
        labels = _group_labels(data, df, by, dset)
        table = summary[["Dat_Avail", "Non_Zero"]]
        if by_group is not None:
            table = pd.concat([table, by_group], axis=1)
        grouped = table.groupby(labels, dropna=True)
        group_means = grouped.mean()
        group_means.insert(0, "n_units", grouped.size())
        group_means.index.name = by if isinstance(by, str) else (labels.name or "group")
    return DataAvailability(by_unit=summary, by_group=by_group, group_means=group_means)


# ================================================================= correlations
@lru_cache(maxsize=16)
def _spearman_null(n: int) -> np.ndarray:
    """S = Σ (i − π(i))² over all n! permutations (exact null of Spearman's S)."""
    perms = np.array(list(itertools.permutations(range(n))), dtype=np.int16)
    return ((perms - np.arange(n, dtype=np.int16)) ** 2).sum(axis=1)


def _prho(n: int, is_: float, lower: bool) -> float:
    """Best & Roberts (1975), Algorithm AS 89 as in R's ``prho.c``: Pr[S ≥ is] (upper)
    or Pr[S < is] (lower) for Spearman's S = (n³ − n)(1 − ρ)/6; exact by enumeration for
    n ≤ 9, Edgeworth series expansion above."""
    pv = 0.0 if lower else 1.0
    if n <= 1 or is_ <= 0:
        return pv
    n3 = n * (n * n - 1) / 3
    if is_ > n3:
        return 1 - pv
    if n <= 9:
        s = _spearman_null(n)
        nfac = len(s)
        ifr = 1 if is_ == n3 else int((s >= is_).sum())
        return (nfac - ifr) / nfac if lower else ifr / nfac
    c = (
        0.2274,
        0.2531,
        0.1745,
        0.0758,
        0.1033,
        0.3932,
        0.0879,
        0.0151,
        0.0072,
        0.0831,
        0.0131,
        4.6e-4,
    )
    b = 1 / n
    x = (6 * (is_ - 1) * b / (n * n - 1) - 1) * math.sqrt(n - 1)
    y = x * x
    u = (
        x
        * b
        * (
            c[0]
            + b * (c[1] + c[2] * b)
            + y
            * (
                -c[3]
                + b * (c[4] + c[5] * b)
                - y * b * (c[6] + c[7] * b - y * (c[8] - c[9] * b + y * b * (c[10] - c[11] * y)))
            )
        )
    )
    y = u / math.exp(y / 2)
    pv = (-y + stats.norm.cdf(x)) if lower else (y + stats.norm.sf(x))
    return min(max(pv, 0.0), 1.0)


def _spearman_p(r: float, n: int, ties: bool) -> float:
    """Two-sided p-value of R's ``cor.test(method = "spearman")`` (exact = NULL)."""
    if n < 3 or not np.isfinite(r):
        return np.nan
    if ties or n > 1290:
        t = r / math.sqrt((1 - r * r) / (n - 2)) if abs(r) < 1 else math.copysign(np.inf, r)
        return float(2 * stats.t.sf(abs(t), n - 2))
    q = (n**3 - n) * (1 - r) / 6
    p = _prho(n, round(q), False) if q > (n**3 - n) / 6 else _prho(n, round(q) + 2, True)
    return min(2 * p, 1.0)


def _kendall_p(x: np.ndarray, y: np.ndarray) -> float:
    """Two-sided p-value of R's ``cor.test(method = "kendall")``: exact when n < 50 and
    there are no ties, else the normal approximation with tie-corrected variance."""
    n = len(x)
    if n < 2:
        return np.nan
    ties = min(len(np.unique(x)), len(np.unique(y))) < n
    method = "exact" if (n < 50 and not ties) else "asymptotic"
    return float(stats.kendalltau(x, y, method=method).pvalue)


def _corr_p(x: pd.DataFrame, method: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Pairwise-complete correlation matrix and two-sided p-values (R ``cor`` with
    ``use = "pairwise.complete.obs"`` and COINr ``get_pvals`` = ``cor.test`` per pair)."""
    r = x.corr(method=method)
    ok = x.notna().to_numpy().astype(float)
    n = ok.T @ ok
    if method == "pearson":
        rv = np.clip(r.to_numpy(), -1.0, 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(np.abs(rv) >= 1, np.sign(rv) * np.inf, rv * np.sqrt((n - 2) / (1 - rv**2)))
            p = 2 * stats.t.sf(np.abs(t), n - 2)
        p = np.where(n < 3, np.nan, p)
    else:
        arr = x.to_numpy()
        k = arr.shape[1]
        p = np.full((k, k), np.nan)
        for i, j in itertools.combinations_with_replacement(range(k), 2):
            m = ~np.isnan(arr[:, i]) & ~np.isnan(arr[:, j])
            a, b = arr[m, i], arr[m, j]
            if method == "spearman":
                ties = min(len(np.unique(a)), len(np.unique(b))) < len(a)
                p[i, j] = p[j, i] = _spearman_p(r.iat[i, j], len(a), ties)
            else:
                p[i, j] = p[j, i] = _kendall_p(a, b)
    return r, pd.DataFrame(p, index=x.columns, columns=x.columns)


def _check_method(method: str) -> None:
    if method not in ("pearson", "spearman", "kendall"):
        raise _fail(
            "method must be 'pearson', 'spearman' or 'kendall'",
            "invalid method",
            source="method",
            value=method,
        )


def correlations(
    data: Any,
    dset: str = "Raw",
    *,
    framework: Framework | None = None,
    method: CorrMethod = "pearson",
    level: int | tuple[int, int] = 1,
    within: str | Sequence[str] | None = None,
    with_parent: bool | Literal["family"] = False,
    grouplev: int | None = None,
    pval: float = 0.05,
    use: Literal["pairwise", "complete"] = "pairwise",
    long: bool = False,
) -> pd.DataFrame:
    """Correlations between indicators and/or aggregates — COINr 1.1.14 ``get_corr``.

    ``level`` is one level (correlate its codes with each other) or two levels (COINr's
    ``Levels``); ``within`` restricts to the codes under one or more framework codes
    (COINr's ``iCodes``). Correlations use pairwise-complete observations (R ``cor(use =
    "pairwise.complete.obs")``; ``use="complete"`` drops every unit with a missing
    value first). When ``pval > 0``, a correlation whose two-sided p-value (R
    ``cor.test`` on the pair: t test for Pearson; AS 89 exact/Edgeworth or t for
    Spearman; exact or normal for Kendall) is **greater** than ``pval`` is set to NaN, as
    COINr does; ``pval=0`` keeps everything. A pair with too few points for a p-value
    (R would stop) is also set to NaN.

    Returns, by default, the matrix as COINr's ``make_long = FALSE`` widens it: rows are the
    codes of the lower level, columns those of the higher (COINr 1.1.14 ``get_corr``
    correlates the higher level's data with the lower's, lengthens the matrix with
    ``Var1`` = higher, ``Var2`` = lower, and ``widen`` puts ``Var2`` on the rows); codes
    in framework order, where COINr sorts them alphabetically. ``long=True`` gives
    COINr's long table ``Var1, Var2, Correlation`` (``Var1`` the higher level; column
    by column, NaN kept). ``grouplev`` (same level
    only, long) keeps the pairs inside the same level-``grouplev`` group.
    ``with_parent=True`` (long) gives each code's correlation with its parent — or, with
    two levels, with its ancestor at the higher level; ``"family"`` with every ancestor,
    plus a ``Level`` column. Both need a data set holding the aggregates ("Aggregated").
    """
    _check_method(method)
    df = dataset_of(data, dset)
    levels = (level, level) if isinstance(level, int) else tuple(level)
    if len(levels) != 2:
        raise _fail(
            "level must be one level or a pair of levels",
            "invalid level",
            source="level",
            value=level,
        )
    lo, hi = min(levels), max(levels)
    needs_fw = hi > 1 or within is not None or with_parent or grouplev is not None
    fw = framework_of(data, framework, required=needs_fw, what="this selection")
    if with_parent == "family":
        fw = framework_of(data, framework, required=True, what="with_parent")
        parts = []
        for lev in range(lo + 1, fw.n_levels + 1):
            part = correlations(
                data,
                dset,
                framework=fw,
                method=method,
                level=(lo, lev),
                within=within,
                with_parent=True,
                pval=pval,
                use=use,
            )
            part.insert(0, "Level", fw.level_label(lev))
            parts.append(part)
        return pd.concat(parts, ignore_index=True)
    if with_parent not in (True, False):
        raise _fail(
            "with_parent must be True, False or 'family'",
            "invalid option",
            source="with_parent",
            value=with_parent,
        )
    if fw is None:
        x = _block(df, None, dset)
        lo_codes = hi_codes = list(x.columns)
    else:
        lo_codes = _select(fw, within, lo, dset)
        if with_parent:
            if hi == lo:
                hi = lo + 1
            if hi > fw.n_levels:
                raise _fail(
                    "with_parent needs a level below the top",
                    "invalid level",
                    source="level",
                    value=lo,
                )
            parents = [_ancestor(fw, c, hi) for c in lo_codes]
            hi_codes = list(dict.fromkeys(parents))
        else:
            hi_codes = lo_codes if hi == lo else _select(fw, within, hi, dset)
        x = _block(df, fw, dset, codes=list(dict.fromkeys([*hi_codes, *lo_codes])))
    if use == "complete":
        x = x.dropna()
    elif use != "pairwise":
        raise _fail(
            "use must be 'pairwise' or 'complete'", "invalid option", source="use", value=use
        )
    if pval > 0:
        r, p = _corr_p(x, method)
        r = r.mask(~(p <= pval))
    else:
        r = x.corr(method=method)
    mat = r.loc[hi_codes, lo_codes]
    if with_parent:
        pairs = pd.DataFrame({"Var1": parents, "Var2": lo_codes})
        pairs["Correlation"] = [mat.at[a, b] for a, b in zip(parents, lo_codes, strict=True)]
        return pairs
    if grouplev is not None:
        if hi != lo:
            raise _fail(
                "grouplev applies to one level only",
                "invalid option",
                source="grouplev",
                value=grouplev,
            )
        if not lo < grouplev <= fw.n_levels:
            raise _fail(
                f"grouplev must be between {lo + 1} and {fw.n_levels}",
                "invalid option",
                source="grouplev",
                value=grouplev,
            )
        long = True
    if not long:
        return mat.T
    out = mat.melt(ignore_index=False, var_name="Var2", value_name="Correlation")
    out = out.rename_axis("Var1").reset_index()[["Var1", "Var2", "Correlation"]]
    if grouplev is not None:
        g = {c: _ancestor(fw, c, grouplev) for c in lo_codes}
        out = out[out["Var1"].map(g) == out["Var2"].map(g)].reset_index(drop=True)
    return out


def correlation_flags(
    data: Any,
    dset: str = "Raw",
    *,
    framework: Framework | None = None,
    thresh_high: float | None = 0.9,
    thresh_low: float | None = -0.4,
    method: CorrMethod = "pearson",
    grouplev: int = 2,
    roundto: int | None = None,
) -> pd.DataFrame:
    """Indicator pairs of the same group that correlate too strongly or negatively —
    COINr 1.1.14 ``get_corr_flags`` (high and low flags in one table).

    Pairwise-complete correlations between the indicators of the data set (no p-value
    filter, as in COINr); pairs whose level-``grouplev`` ancestor is the same and whose
    correlation is ``> thresh_high`` (Flag "high") or ``< thresh_low`` (Flag "low"); set
    a threshold to None to skip it. Columns ``Group, Ind1, Ind2, Corr, Flag``; each pair
    once, indicators in COINr's internal order (:attr:`Framework.coinr_order
    <integrity_eval.framework.Framework.coinr_order>`: by parent code, then file order;
    Ind1 before Ind2). ``roundto`` rounds ``Corr`` (COINr's default 3; here None).
    """
    _check_method(method)
    df = dataset_of(data, dset)
    fw = framework_of(data, framework, required=True, what="correlation_flags")
    if not 2 <= grouplev <= fw.n_levels:
        raise _fail(
            f"grouplev must be between 2 and {fw.n_levels}",
            "invalid option",
            source="grouplev",
            value=grouplev,
        )
    for name, t in (("thresh_high", thresh_high), ("thresh_low", thresh_low)):
        if t is not None and not -1 <= t <= 1:
            raise _fail(
                "threshold must be between -1 and 1", "invalid option", source=name, value=t
            )
    codes = sorted((c for c in fw.indicators if c in df.columns), key=fw.coinr_order.get)
    x = _block(df, fw, dset, codes=codes)
    r = x.corr(method=method).to_numpy()
    group = np.array([_ancestor(fw, c, grouplev) for c in codes], dtype=object)
    i, j = np.triu_indices(len(codes), k=1)
    v = r[i, j]
    same = group[i] == group[j]
    hi = (v > thresh_high) if thresh_high is not None else np.zeros_like(same)
    lo = (v < thresh_low) if thresh_low is not None else np.zeros_like(same)
    keep = same & (hi | lo)
    code_arr = np.array(codes, dtype=object)
    out = pd.DataFrame(
        {
            "Group": group[i][keep],
            "Ind1": code_arr[i][keep],
            "Ind2": code_arr[j][keep],
            "Corr": np.round(v[keep], roundto) if roundto is not None else v[keep],
            "Flag": np.where(hi[keep], "high", "low"),
        }
    )
    return out


# ============================================================== Cronbach's alpha
def cronbach(
    data: Any,
    dset: str = "Raw",
    *,
    framework: Framework | None = None,
    within: str | Sequence[str] | None = None,
    level: int = 1,
    use: Literal["pairwise", "complete"] = "pairwise",
) -> float:
    """Cronbach's alpha of the level-``level`` codes under ``within`` (or all of them) —
    COINr 1.1.14 ``get_cronbach``; OECD/JRC Handbook (2008) §4.2 (Cronbach 1951).

    α = k² · c̄ / Σᵢⱼ Cᵢⱼ, with C the covariance matrix (pairwise-complete by default,
    as COINr's ``use = "pairwise.complete.obs"``) and c̄ the mean off-diagonal
    covariance; equal to k/(k − 1) · (1 − Σσᵢ² / σ²_total). Without a framework, all
    numeric columns are used.
    """
    df = dataset_of(data, dset)
    fw = framework_of(
        data, framework, required=within is not None or level != 1, what="this selection"
    )
    codes = _select(fw, within, level, dset) if fw is not None else None
    x = _block(df, fw, dset, codes=codes)
    if use == "complete":
        x = x.dropna()
    elif use != "pairwise":
        raise _fail(
            "use must be 'pairwise' or 'complete'", "invalid option", source="use", value=use
        )
    k = x.shape[1]
    if k < 2:
        raise _fail(
            "Cronbach's alpha needs at least two columns",
            "invalid selection",
            source=dset,
            value=", ".join(map(str, x.columns)),
        )
    cov = x.cov(ddof=1).to_numpy()
    total = np.nansum(cov)
    mean_off = (total - np.nansum(np.diag(cov))) / (k * (k - 1))
    return float(k**2 * mean_off / total)


# =========================================================================== PCA
@dataclass(frozen=True, eq=False, repr=False)
class PCAGroup(Displayable):
    """PCA of one group of codes (R ``prcomp(center = TRUE, scale. = TRUE)``).

    ``loadings``: code × PC (prcomp's ``rotation``); ``sdev``: standard deviation of
    each PC; ``variance_share``: sdev² / Σ sdev² (over all components); ``scores``: unit
    × PC (prcomp's ``x``), complete units only; ``center`` / ``scale``: the means and
    sample SDs used to standardise; ``dropped``: units left out for missing values.
    """

    name: str
    loadings: pd.DataFrame
    sdev: pd.Series
    variance_share: pd.Series
    scores: pd.DataFrame
    center: pd.Series
    scale: pd.Series
    dropped: tuple[str, ...]

    @property
    def weights(self) -> pd.Series:
        """COINr's PCA weights of the group: the loadings of the first component."""
        return self.loadings["PC1"].rename("Weight")

    def _headline(self) -> str:
        return (
            f"{self.name}: {len(self.loadings)} codes, {len(self.scores)} units; "
            f"PC1 explains {self.variance_share.iloc[0]:.1%}"
        )

    def summary(self) -> Summary:
        """Overview: units used and dropped, variance explained, loadings."""
        return Summary(
            f"PCA / 主成分分析: {self.name}",
            _pca_facts(self),
            [
                ("Variance explained / 解释方差", _variance_table(self)),
                ("Loadings / 载荷", self.loadings),
            ],
        )


def _pca_facts(g: PCAGroup) -> list[tuple[str, object]]:
    dropped = ", ".join(g.dropped) if g.dropped else "none / 无"
    return [
        ("codes / 代码", len(g.loadings)),
        ("units used / 使用的单位", len(g.scores)),
        ("units dropped (missing values) / 因缺失值剔除", dropped),
    ]


def _variance_table(g: PCAGroup) -> pd.DataFrame:
    return pd.DataFrame(
        {"sdev": g.sdev, "share": g.variance_share, "cumulative": g.variance_share.cumsum()}
    )


@dataclass(frozen=True, eq=False, repr=False)
class PCAResult(Displayable):
    """Result of :func:`pca` (COINr ``get_PCA``).

    ``weights``: COINr's "PCA weights", the first-component loadings of every code,
    each from its own group's PCA, *not* rescaled (COINr writes ``rotation[, 1]`` into
    the weight table as is; they can be negative). ``groups``: one :class:`PCAGroup` per
    aggregation group (or one named "All" with ``by_groups=False``). ``loadings`` stacks
    the groups' loadings (NaN where a group has fewer components). With one group,
    ``variance_share`` is a Series and ``scores`` a DataFrame; with several, a DataFrame
    group × PC and a DataFrame with columns (group, PC).
    """

    weights: pd.Series
    groups: Mapping[str, PCAGroup]

    @property
    def loadings(self) -> pd.DataFrame:
        return pd.concat([g.loadings for g in self.groups.values()])

    @property
    def variance_share(self) -> pd.Series | pd.DataFrame:
        if len(self.groups) == 1:
            return next(iter(self.groups.values())).variance_share
        return pd.DataFrame({k: g.variance_share for k, g in self.groups.items()}).T

    @property
    def scores(self) -> pd.DataFrame:
        if len(self.groups) == 1:
            return next(iter(self.groups.values())).scores
        return pd.concat({k: g.scores for k, g in self.groups.items()}, axis=1)

    def _headline(self) -> str:
        pc1 = [g.variance_share.iloc[0] for g in self.groups.values()]
        return (
            f"{len(self.groups)} group(s), {len(self.weights)} codes; "
            f"PC1 explains {min(pc1):.1%}–{max(pc1):.1%}"
        )

    def summary(self) -> Summary:
        """Overview: per group, the share of variance of the first components; the
        PCA weights (first-component loadings)."""
        shares = pd.DataFrame(
            {
                k: {
                    "codes": len(g.loadings),
                    "units used": len(g.scores),
                    "PC1 share": g.variance_share.iloc[0],
                    "PC1+PC2 share": g.variance_share.iloc[:2].sum(),
                }
                for k, g in self.groups.items()
            }
        ).T
        dropped = sorted({u for g in self.groups.values() for u in g.dropped})
        return Summary(
            "PCA / 主成分分析",
            [
                ("groups / 组", len(self.groups)),
                ("units dropped somewhere / 被剔除的单位", ", ".join(dropped) or "none / 无"),
            ],
            [("Groups / 各组", shares), ("PCA weights (PC1 loadings) / 主成分权重", self.weights)],
        )


def _pca_group(
    x: pd.DataFrame, name: str, n_components: int | None, nowarnings: bool, source: str
) -> PCAGroup:
    complete = x.dropna()
    dropped = tuple(str(u) for u in x.index[x.isna().any(axis=1)])
    if dropped and not nowarnings:
        warnings.warn(
            f"PCA of {name!r}: {int(x.isna().to_numpy().sum())} missing values found; "
            f"removing {len(dropped)} units with missing values ({', '.join(dropped)}). "
            "Impute first to avoid this.",
            UserWarning,
            stacklevel=3,
        )
    n, p = complete.shape
    if n < 2 or p < 1:
        raise _fail(
            "PCA needs at least two units with complete data",
            "invalid data",
            source=source,
            row=name,
            value=n,
        )
    center = complete.mean()
    scale = complete.std(ddof=1)
    bad = scale.index[~(scale > 0)]
    if len(bad):
        raise ValidationError(
            [
                Problem(
                    rule="constant column: cannot scale to unit variance", source=source, column=c
                )
                for c in bad
            ],
            title="invalid data",
        )
    z = ((complete - center) / scale).to_numpy()
    _, s, vt = np.linalg.svd(z, full_matrices=False)
    rot = vt.T
    # sign convention: each component points where its loadings sum positive
    sign = np.where(rot.sum(axis=0) < 0, -1.0, 1.0)
    rot = rot * sign
    sdev = s / math.sqrt(max(1, n - 1))
    share = sdev**2 / np.sum(sdev**2)
    m = len(s) if n_components is None else min(int(n_components), len(s))
    pcs = [f"PC{i + 1}" for i in range(m)]
    return PCAGroup(
        name=name,
        loadings=pd.DataFrame(rot[:, :m], index=complete.columns, columns=pcs),
        sdev=pd.Series(sdev[:m], index=pcs, name="sdev"),
        variance_share=pd.Series(share[:m], index=pcs, name="variance_share"),
        scores=pd.DataFrame(z @ rot[:, :m], index=complete.index, columns=pcs),
        center=center,
        scale=scale,
        dropped=dropped,
    )


def pca(
    data: Any,
    dset: str = "Raw",
    *,
    framework: Framework | None = None,
    within: str | Sequence[str] | None = None,
    level: int = 1,
    by_groups: bool = True,
    n_components: int | None = None,
    nowarnings: bool = False,
) -> PCAResult:
    """Principal component analysis — COINr 1.1.14 ``get_PCA``; OECD/JRC Handbook (2008)
    §4.1 (and §6.1 on PCA-based weights).

    Takes the level-``level`` codes under ``within`` (all by default); with
    ``by_groups=True`` (COINr's default) one PCA per parent group (the codes' ancestors
    at ``level + 1``, every child of each), else one PCA over all of them. Each PCA is
    R's ``prcomp(center = TRUE, scale. = TRUE)``: units with any missing value are
    dropped (``na.omit``, with a warning unless ``nowarnings``), columns standardised by
    mean and sample SD, and the standardised matrix Z decomposed by SVD Z = U S Vᵀ:
    loadings V, component SDs S/√(n − 1), scores Z V. COINr's PCA weights are the
    first-component loadings, unscaled (see :class:`PCAResult`).

    Sign convention: a component's sign is arbitrary (R inherits LAPACK's); here each
    component is oriented so that its loadings sum to a non-negative number, which makes
    PCA weights mostly positive. Magnitudes equal ``prcomp``'s.
    """
    df = dataset_of(data, dset)
    fw = framework_of(
        data,
        framework,
        required=by_groups or within is not None or level != 1,
        what="this selection",
    )
    if n_components is not None and n_components < 1:
        raise _fail(
            "n_components must be a positive integer",
            "invalid option",
            source="n_components",
            value=n_components,
        )
    if fw is None:
        groups = {"All": list(_block(df, None, dset).columns)}
    else:
        codes = _select(fw, within, level, dset)
        if by_groups:
            if level >= fw.n_levels:
                raise _fail(
                    "by_groups needs a level below the top; use by_groups=False",
                    "invalid option",
                    source="level",
                    value=level,
                )
            parents = dict.fromkeys(_ancestor(fw, c, level + 1) for c in codes)
            groups = {p: fw.descendants(p, level) for p in parents}
        else:
            groups = {"All": codes}
    results = {}
    for name, codes in groups.items():
        x = _block(df, fw, dset, codes=codes)
        results[name] = _pca_group(x, name, n_components, nowarnings, dset)
    weights = pd.concat([g.weights for g in results.values()])
    return PCAResult(weights=weights, groups=results)


# ===================================================== strengths and weaknesses
@dataclass(frozen=True, eq=False, repr=False)
class StrengthsWeaknesses(Displayable):
    """Result of :func:`strengths_weaknesses`; also ``res["Strengths"]`` /
    ``res["Weaknesses"]`` as COINr's list."""

    unit: str
    strengths: pd.DataFrame
    weaknesses: pd.DataFrame

    def __getitem__(self, key: str) -> pd.DataFrame:
        return {"Strengths": self.strengths, "Weaknesses": self.weaknesses}[key]

    def _headline(self) -> str:
        def codes(t: pd.DataFrame) -> str:
            col = "Code" if "Code" in t.columns else "Name"
            return ", ".join(map(str, t[col]))

        return (
            f"{self.unit}: strengths {codes(self.strengths)}; weaknesses {codes(self.weaknesses)}"
        )

    def summary(self) -> Summary:
        """Both tables under a bilingual title."""
        return Summary(
            f"Strengths and weaknesses / 优势与短板: {self.unit}",
            [],
            [("Strengths / 优势", self.strengths), ("Weaknesses / 短板", self.weaknesses)],
        )


def strengths_weaknesses(
    data: Any,
    unit: str,
    dset: str = "Raw",
    *,
    framework: Framework | None = None,
    top_n: int = 5,
    bottom_n: int | None = None,
    with_codes: bool = True,
    use_group: str | pd.Series | None = None,
    unq_discard: float | None = None,
    min_discard: bool = True,
    report_level: int = 2,
    with_units: bool = True,
    adjust_direction: bool | None = None,
    sig_figs: int | None = None,
    lang: str = "zh",
) -> StrengthsWeaknesses:
    """The unit's best- and worst-ranked indicators — COINr 1.1.14 ``get_str_weak``.

    Each indicator of the framework is ranked over the units of the data set (rank 1 =
    highest value, ties min; within ``use_group`` groups if given). With
    ``adjust_direction`` (default: True when ``dset == "Raw"``, else False, as COINr)
    values are first multiplied by the indicator's direction, so that rank 1 is always
    "best". Indicators where the unit is missing are ignored; ``unq_discard`` drops
    indicators whose share of unique values (NaN counted as a value, over all units) is
    not above it; ``min_discard`` (default True) drops indicators where the unit holds
    the worst rank present (COINr's guard against e.g. shared zeros). The remaining ranks
    are sorted ascending, ties in COINr's internal indicator order
    (:attr:`Framework.coinr_order <integrity_eval.framework.Framework.coinr_order>`: by
    parent code, then file order — so of two indicators tied at the cut-off, the one whose
    pillar code sorts first is kept, as ``get_str_weak`` does): strengths are the first
    ``top_n``, weaknesses the last ``bottom_n`` (default ``top_n``), still in ascending
    rank order.

    Tables: ``Code`` (unless ``with_codes=False``), ``Name``, the level-``report_level``
    group (column named after that level), ``Rank``, ``Value`` (the unadjusted value,
    rounded to ``sig_figs`` if given; COINr's default 3) and ``Unit`` (``with_units``).
    """
    df = dataset_of(data, dset)
    fw = framework_of(data, framework, required=True, what="strengths_weaknesses")
    _unit_row(df, unit, dset)
    bottom_n = top_n if bottom_n is None else bottom_n
    n_ind = len(fw.indicators)
    for name, v in (("top_n", top_n), ("bottom_n", bottom_n)):
        if not 1 <= v <= n_ind:
            raise _fail(f"must be between 1 and {n_ind}", "invalid option", source=name, value=v)
    if not 2 <= report_level <= fw.n_levels:
        raise _fail(
            f"report_level must be between 2 and {fw.n_levels}",
            "invalid option",
            source="report_level",
            value=report_level,
        )
    if unq_discard is not None and not 0 <= unq_discard <= 1:
        raise _fail(
            "unq_discard must be between 0 and 1",
            "invalid option",
            source="unq_discard",
            value=unq_discard,
        )
    codes = fw.indicators
    x = _block(df, fw, dset, codes=codes)
    if adjust_direction is None:
        adjust_direction = dset == "Raw"
    x_adj = x * fw.directions[codes] if adjust_direction else x
    groups = None if use_group is None else _group_labels(data, df, use_group, dset)
    ranks = _rank_desc(x_adj, groups)
    keep = pd.Series(True, index=codes)
    if unq_discard is not None:
        frc_unique = x.nunique(dropna=False) / len(x)
        keep &= frc_unique > unq_discard
    r_unit = ranks.loc[unit]
    keep &= r_unit.notna()
    if min_discard:
        keep &= r_unit != ranks.max(axis=0)
    r_unit = r_unit[keep]
    r_unit = r_unit.iloc[np.lexsort(([fw.coinr_order[c] for c in r_unit.index], r_unit))]
    s_codes = list(r_unit.index[:top_n])
    w_codes = list(r_unit.index[max(len(r_unit) - bottom_n, 0) :])
    level_name = fw.level_label(report_level)

    def table(sel: list) -> pd.DataFrame:
        values = x.loc[unit, sel].to_numpy()
        if sig_figs is not None:
            values = _signif(values, sig_figs)
        t = pd.DataFrame(
            {
                "Code": sel,
                "Name": [fw[c].name(lang) for c in sel],
                level_name: [_ancestor(fw, c, report_level) for c in sel],
                "Rank": pd.array(r_unit[sel].to_numpy(), dtype="Int64"),
                "Value": values,
            }
        )
        if with_units:
            t["Unit"] = [fw[c].unit for c in sel]
        if not with_codes:
            t = t.drop(columns="Code")
        return t

    return StrengthsWeaknesses(unit=unit, strengths=table(s_codes), weaknesses=table(w_codes))


# ================================================================= unit summary
def unit_summary(
    data: Any,
    unit: str,
    *,
    framework: Framework | None = None,
    dset: str = "Aggregated",
    level: int | Iterable[int] | None = None,
    nround: int | None = None,
    lang: str = "zh",
) -> pd.DataFrame:
    """The unit's score and rank on every code of the given levels — COINr 1.1.14
    ``get_unit_summary``.

    ``level``: one level or several (COINr's ``Levels``); default every aggregate level
    (2 … top). Rows are ordered from the highest level down, framework order within a
    level; columns ``Code, Name, Score, Rank`` (rank over all units of the data set, 1 =
    highest, ties min). ``nround`` rounds ``Score`` (COINr's default 2; here None).
    """
    df = dataset_of(data, dset)
    fw = framework_of(data, framework, required=True, what="unit_summary")
    _unit_row(df, unit, dset)
    if level is None:
        levels = list(range(2, fw.n_levels + 1))
    else:
        levels = [level] if isinstance(level, int) else list(level)
    bad = [lv for lv in levels if not 1 <= lv <= fw.n_levels]
    if bad:
        raise _fail(
            f"levels must be between 1 and {fw.n_levels}",
            "invalid level",
            source="level",
            value=bad,
        )
    codes = [c for lv in sorted(set(levels), reverse=True) for c in fw.codes_at(lv)]
    x = _block(df, fw, dset, codes=codes)
    ranks = _rank_desc(x)
    score = x.loc[unit].to_numpy()
    if nround is not None:
        score = np.round(score, nround)
    return pd.DataFrame(
        {
            "Code": codes,
            "Name": [fw[c].name(lang) for c in codes],
            "Score": score,
            "Rank": ranks.loc[unit].to_numpy(),
        }
    )


def percentile_rank(
    estimate: pd.Series,
    se: pd.Series | None = None,
    z: float = 1.64,
    method: str = "wgi",
) -> pd.DataFrame:
    """Percentile ranks (0 = lowest, 100 = highest) with the interval of ``estimate ± z·se``.

    ``method="wgi"``: the World Bank's Worldwide Governance Indicators rule: a
    value's percentile rank is ``100·(r − 1)/(N − 1)`` with ``r`` the number of the
    N point estimates at or below it (ties take the higher rank), floored at 0; the
    lower and upper bounds are the percentile ranks of ``estimate ∓ z·se`` among the
    point estimates (Kaufmann, Kraay & Mastruzzi 2010, *The Worldwide Governance
    Indicators: Methodology and Analytical Issues*, World Bank WP 5430; checked
    against the published WGI 2019 Control of Corruption columns Rank, Lower, Upper).
    Missing estimates get no rank. Returns ``rank`` (and ``lower``/``upper`` with ``se``).
    """
    if method != "wgi":
        raise _fail(
            "百分位排名方法须为 'wgi'（世界治理指标的方法）；请用 method='wgi' / "
            "percentile-rank method must be 'wgi' (the Worldwide Governance Indicators' "
            "method); use method='wgi'",
            "invalid method",
            source="method",
            value=method,
        )
    est = pd.to_numeric(estimate, errors="coerce").astype(float)
    points = np.sort(est.dropna().to_numpy())
    n = len(points)

    def pct(values: np.ndarray) -> np.ndarray:
        count = np.searchsorted(points, values, side="right")
        out = 100.0 * np.maximum(count - 1, 0) / max(n - 1, 1)
        return np.where(np.isnan(values), np.nan, out)

    out = pd.DataFrame({"rank": pct(est.to_numpy())}, index=est.index)
    if se is not None:
        s = pd.to_numeric(se.reindex(est.index), errors="coerce").to_numpy(dtype=float)
        out["lower"] = pct(est.to_numpy() - z * s)
        out["upper"] = pct(est.to_numpy() + z * s)
    return out


# ============================================================= removing elements
@dataclass(frozen=True, repr=False)
class RemovedElements(Displayable):
    """What :func:`remove_elements` returns (COINr 1.1.14 ``remove_elements``' list).

    ``scores``: by uCode, ``Nominal`` then one column per removed element (its weight set
    to 0); ``ranks`` (1 = best, ties min, unscored units NaN), ``rank_diffs`` (nominal
    rank − rank: positive = the unit moves up), ``rank_abs_diffs``, ``mean_abs_diff``
    (Series: the mean over units of the absolute rank change, ``Nominal`` = 0 first).
    """

    scores: pd.DataFrame
    ranks: pd.DataFrame
    rank_diffs: pd.DataFrame
    rank_abs_diffs: pd.DataFrame
    mean_abs_diff: pd.Series
    level: int
    code: str
    dset: str

    def _headline(self) -> str:
        top = self.mean_abs_diff.drop("Nominal").idxmax()
        return (
            f"level {self.level}, {len(self.mean_abs_diff) - 1} elements removed one at a time; "
            f"largest mean |rank change| {self.mean_abs_diff[top]:.2f} ({top})"
        )

    def summary(self) -> Summary:
        return Summary(
            "逐一移除要素 / Removing elements one at a time (COINr remove_elements)",
            [
                ("level / 层级", self.level),
                ("output / 输出", f"{self.code} ({self.dset})"),
                ("units / 单位", len(self.scores)),
            ],
            [
                (
                    "mean absolute rank change / 平均绝对名次变化",
                    self.mean_abs_diff.sort_values(ascending=False),
                )
            ],
        )


def remove_elements(
    ev: Any, level: int, *, dset: str = "Aggregated", code: str | None = None
) -> RemovedElements:
    """The effect of removing each element of a level in turn — COINr 1.1.14
    ``remove_elements(coin, Level, dset, iCode)``.

    Each element of ``level`` (1 = indicators, up to the level below the index) in turn
    gets weight 0 — COINr's definition of "removing": the other weights keep the values
    the build aggregated with, and the element stays in the data but no longer enters
    its parent's aggregate — and the Evaluation is re-aggregated
    (:func:`~integrity_eval.weights.reweight`, equal to a rebuild with those weights).
    ``code`` (default: the index) is read from ``dset`` for every variant. Ranks are
    COINr's ``rank_df`` (1 = highest, ties min, NaN kept); ``rank_diffs`` = nominal rank
    − new rank; ``mean_abs_diff`` the mean over units of their absolute values (NaN
    skipped), with ``Nominal`` (0) first as in COINr. A parent left with no weighted
    child is NaN in COINr and skipped by its own parent's mean: here it is excluded
    (``exclude``), which gives the same scores. COINr sorts the units by uCode
    (``merge``); here they keep the Evaluation's order.
    """
    from .weights.reweighting import reweight

    fw = ev.framework
    if not (isinstance(level, int) and 1 <= level < fw.n_levels):
        raise _fail(
            f"level 须为 1（指标）到 {fw.n_levels - 1} 之间的整数 / level must be a whole "
            f"number from 1 (indicators) to {fw.n_levels - 1} (below the index)",
            "invalid level",
            source="level",
            value=level,
        )
    code = code or fw.root
    nominal = dataset_of(ev, dset)
    if code not in nominal.columns:
        raise _fail(
            f"数据集 {dset} 中没有 {code} / {code} is not a column of the {dset} dataset",
            "invalid option",
            source="code",
            value=code,
        )
    weights = ev.weights.to_dict()
    columns = {"Nominal": nominal[code]}
    for element in fw.codes_at(level):
        removed = _removed(ev, fw, weights, element, reweight)
        columns[element] = removed.get_dset(dset)[code].reindex(nominal.index)
    scores = pd.DataFrame(columns, index=nominal.index)
    ranks = scores.rank(ascending=False, method="min")
    diffs = ranks.rsub(ranks["Nominal"], axis=0)
    absdiffs = diffs.abs()
    return RemovedElements(
        scores=scores,
        ranks=ranks,
        rank_diffs=diffs,
        rank_abs_diffs=absdiffs,
        mean_abs_diff=absdiffs.mean().rename("mean_abs_diff"),
        level=level,
        code=code,
        dset=dset,
    )


def _removed(ev: Any, fw: Framework, weights: Mapping[str, float], code: str, reweight: Any):
    """``ev`` with ``code``'s weight 0 (:func:`remove_elements`). An ancestor left with no
    weighted child would be NaN in COINr, and its own parent's mean skips it: here that
    ancestor is excluded (``exclude``), the other weights kept as the build's."""
    out = {**weights, code: 0.0}
    top = None
    node = fw[code].parent
    while node != fw.root and all(out[c] == 0 for c in fw.children[node]):
        top, out[node] = node, 0.0
        node = fw[node].parent
    if top is None:
        return reweight(ev, out)
    gone = {top, *(c for lv in range(1, fw[top].level) for c in fw.descendants(top, lv))}
    kept = {k: v for k, v in weights.items() if k not in gone}
    return ev.with_params(exclude=[*(ev.spec.get("exclude") or []), top], weights={"values": kept})
