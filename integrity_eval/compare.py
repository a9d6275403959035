"""Comparisons between two evaluations, and time trends of panel data.

``compare`` follows COINr 1.1.14 ``compare_coins``; ``cagr``, ``prc_change`` and
``trends`` follow COINr's ``CAGR``, ``prc_change`` and ``get_trends`` (R/trends.R),
vectorised over units and indicators.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from .analysis import ID_COLUMNS, dataset_of, framework_of
from .errors import Problem, ValidationError
from .errors import problem_error as _fail
from .framework import Framework

__all__ = ["cagr", "compare", "prc_change", "trends"]

_DIFF_COLUMNS = ("Diff", "Abs.diff")


# ======================================================================== compare
def _column(obj: Any, dset: str, icode: str | None, which: str) -> pd.Series:
    if isinstance(obj, pd.Series):
        s = obj
    else:
        df = dataset_of(obj, dset)
        if icode is None:
            if df.shape[1] != 1:
                raise _fail(
                    "icode is needed (no framework root to default to)",
                    "invalid option",
                    source=which,
                    value=", ".join(map(str, df.columns[:5])),
                )
            icode = df.columns[0]
        if icode not in df.columns:
            raise _fail(
                "code not found in the data set", "invalid option", source=which, column=icode
            )
        s = df[icode]
    if s.index.duplicated().any():
        dup = s.index[s.index.duplicated()].unique()
        raise ValidationError(
            [Problem(rule="unit code appears more than once", source=which, row=u) for u in dup],
            title="duplicate units",
        )
    if not pd.api.types.is_numeric_dtype(s):
        raise _fail("column must be numeric", "invalid data", source=which, column=s.name)
    return s.astype(float)


def _unit_columns(obj: Any, dset: str) -> tuple[pd.DataFrame, list[str]] | None:
    """The unit columns a side can supply, indexed by uCode, and those ``"all"`` means:
    an Evaluation's ``units`` table (uName, Time, groups, denominators); a DataFrame's
    columns (``"all"``: uName, Time and the non-numeric ones)."""
    units = getattr(obj, "units", None)
    if isinstance(units, pd.DataFrame):
        return units, list(units.columns)
    if isinstance(obj, pd.DataFrame):
        df = dataset_of(obj, dset)
        keep = [
            c for c in df.columns if c in ID_COLUMNS or not pd.api.types.is_numeric_dtype(df[c])
        ]
        return df, keep
    return None


def _also_get(a: Any, b: Any, dset: str, also_get: str | Sequence[str]) -> pd.DataFrame:
    """COINr ``compare_coins(also_get =)``: unit columns of ``a``, gaps filled from ``b``."""
    sides = {w: _unit_columns(o, dset) for w, o in (("a", a), ("b", b))}
    have = {w: t for w, t in sides.items() if t is not None}
    if not have:
        raise _fail(
            "also_get needs Evaluations or DataFrames (Series carry no unit columns)",
            "invalid option",
            source="also_get",
            value=also_get,
        )
    if isinstance(also_get, str) and also_get == "all":
        cols = list(dict.fromkeys(c for _, every in have.values() for c in every))
    else:
        cols = [also_get] if isinstance(also_get, str) else list(also_get)
    problems = [
        Problem(
            rule=f"unit column not found; available: {', '.join(map(str, t.columns))}",
            source=w,
            column=c,
        )
        for w, (t, _) in have.items()
        for c in cols
        if c not in t.columns
    ]
    if problems:
        raise ValidationError(problems, title="invalid option")
    out = None
    for t, _ in have.values():
        out = t[cols] if out is None else out.combine_first(t[cols])[cols]
    return out


def _describe(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _variant_labels(a: Any, b: Any) -> tuple[str, str]:
    """Column names for the two sides: what differs between them.

    Evaluations: the spec settings that differ, each written as the ``with_params`` keyword
    that sets it — ``normalise__method=zscore`` (a changed method is named alone: its
    parameters change with it), ``normalise__l_u=[1, 100]``, ``treat=None`` (stage off),
    ``exclude=['LPI']``, ``weights__values={'Conn': 2}`` — else the seed, period or
    framework; Series: their names; else ``"a"`` and ``"b"``.
    """
    if hasattr(a, "spec") and hasattr(b, "spec"):
        pa, pb = [], []
        for stage in dict.fromkeys([*a.spec, *b.spec]):
            ca, cb = a.spec.get(stage), b.spec.get(stage)
            if _same(ca, cb):
                continue
            if isinstance(ca, Mapping) and isinstance(cb, Mapping):
                keys = ["method"] if not _same(ca.get("method"), cb.get("method")) else []
                keys = keys or [
                    k for k in dict.fromkeys([*ca, *cb]) if not _same(ca.get(k), cb.get(k))
                ]
                for key in keys:
                    pa.append(f"{stage}__{key}={_describe(ca.get(key))}")
                    pb.append(f"{stage}__{key}={_describe(cb.get(key))}")
            else:
                pa.append(_setting(stage, ca))
                pb.append(_setting(stage, cb))
        if pa:
            return ", ".join(pa), ", ".join(pb)
        for attr in ("seed", "time"):
            va, vb = getattr(a, attr, None), getattr(b, attr, None)
            if va != vb:
                return f"{attr}={va}", f"{attr}={vb}"
        fa, fb = getattr(a, "framework", None), getattr(b, "framework", None)
        if fa is not None and fb is not None and fa.name != fb.name:
            return fa.name, fb.name
    na, nb = getattr(a, "name", None), getattr(b, "name", None)
    if isinstance(na, str) and isinstance(nb, str) and na and nb and na != nb:
        return na, nb
    return "a", "b"


def _setting(stage: str, value: Any) -> str:
    """One side's setting of a stage the other side sets differently (or not at all)."""
    if isinstance(value, Mapping):
        if "method" in value and stage != "weights":
            return f"{stage}__method={_describe(value['method'])}"
        shown = {k: v for k, v in value.items() if v not in ({}, [], None, "framework")}
        if len(shown) == 1:
            (key, v), *_ = shown.items()
            return f"{stage}__{key}={_describe(v)}"
        return f"{stage}={_describe(shown)}"
    return f"{stage}={_describe(value)}"


def _same(x: Any, y: Any) -> bool:
    try:
        return bool(np.all(np.asarray(x, dtype=object) == np.asarray(y, dtype=object)))
    except ValueError:  # shapes differ
        return False


def compare(
    a: Any,
    b: Any,
    *,
    dset: str = "Aggregated",
    icode: str | None = None,
    labels: tuple[str, str] | None = None,
    also_get: str | Sequence[str] | None = None,
    sort_by: str | None = None,
    compare_by: Literal["ranks", "scores"] = "ranks",
) -> pd.DataFrame:
    """Compare one column of two evaluations unit by unit — COINr 1.1.14 ``compare_coins``.

    ``a`` and ``b`` are Evaluations, DataFrames (indexed by uCode or with a uCode column)
    or Series by unit. ``icode`` defaults to the framework root (the index). Units are
    matched on uCode, keeping those of either side (outer join); with
    ``compare_by="ranks"`` (default) each side is ranked over the matched table (rank 1
    = highest, ties min; integers, ``<NA>`` for a unit missing on that side).

    Returns, indexed by uCode in code order (as R's ``merge``): the ``also_get`` unit
    columns, then one column per side, ``Diff`` = a − b and ``Abs.diff``. The two value
    columns are named by ``labels`` (default: what differs between the two, e.g.
    ``normalise=minmax`` / ``normalise=zscore`` for two Evaluations,
    the names of two Series, else ``a`` / ``b``); COINr calls them ``coin.1`` /
    ``coin.2``. ``also_get``: unit columns to carry, as COINr's ``also_get`` — a name or
    a list (``"uName"``, group columns, ``"Time"``) or ``"all"``; taken from ``a`` (its
    ``units`` table, or a DataFrame's text columns), filled from ``b`` for units only
    ``b`` has. ``sort_by`` sorts ascending by one of the output columns ("a" and "b"
    name the two value columns), missing values last.
    """
    if compare_by not in ("ranks", "scores"):
        raise _fail(
            "compare_by must be 'ranks' or 'scores'",
            "invalid option",
            source="compare_by",
            value=compare_by,
        )
    if icode is None:
        for obj in (a, b):
            fw = framework_of(obj, None, required=False)
            if fw is not None:
                icode = fw.root
                break
    s1 = _column(a, dset, icode, "a")
    s2 = _column(b, dset, icode, "b")
    la, lb = _variant_labels(a, b) if labels is None else map(str, labels)
    if la == lb:
        la, lb = f"{la} (a)", f"{lb} (b)"
    extra = None if also_get is None else _also_get(a, b, dset, also_get)
    clash = [x for x in (la, lb) if x in _DIFF_COLUMNS or (extra is not None and x in extra)]
    if clash:
        raise _fail(
            "labels must differ from the other column names",
            "invalid option",
            source="labels",
            value=clash,
        )
    both = pd.concat([s1.rename(la), s2.rename(lb)], axis=1, sort=True)
    both.index.name = "uCode"
    if compare_by == "ranks":
        # 1 = best, also where the index is better when lower (a top-level VIKOR)
        lower = {
            label: not getattr(obj, "higher_is_better", True)
            and icode == getattr(getattr(obj, "framework", None), "root", None)
            for label, obj in ((la, a), (lb, b))
        }
        both = pd.concat(
            [both[c].rank(ascending=lower[c], method="min", na_option="keep") for c in (la, lb)],
            axis=1,
        ).astype("Int64")
    both["Diff"] = both[la] - both[lb]
    both["Abs.diff"] = both["Diff"].abs()
    if extra is not None:
        both = extra.reindex(both.index).join(both)
    if sort_by is not None:
        key = {"a": la, "b": lb}.get(sort_by, sort_by)
        if key not in both.columns and key != "uCode":
            raise _fail(
                f"sort_by must be one of {['a', 'b', *both.columns]}",
                "invalid option",
                source="sort_by",
                value=sort_by,
            )
        both = both.sort_values(key, kind="stable", na_position="last")
    return both


# ========================================================================= trends
def _ends(y: np.ndarray, x: np.ndarray):
    """First and last non-missing point along the last axis (x sorted ascending)."""
    ok = ~np.isnan(y)
    cnt = ok.sum(axis=-1)
    first = np.argmax(ok, axis=-1)[..., None]
    last = (y.shape[-1] - 1 - np.argmax(ok[..., ::-1], axis=-1))[..., None]
    pick = lambda a, i: np.take_along_axis(a, i, axis=-1)[..., 0]  # noqa: E731
    return ok, cnt, pick(y, first), pick(y, last), pick(x, first), pick(x, last)


def _cagr(y: np.ndarray, x: np.ndarray) -> np.ndarray:
    _, cnt, y0, y1, x0, x1 = _ends(y, x)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = (y1 / y0) ** (1 / (x1 - x0)) - 1
    out = np.where(y1 == y0, 0.0, out)
    return np.where(cnt < 2, np.nan, out)


def _prc_change(y: np.ndarray, x: np.ndarray, per: float) -> np.ndarray:
    ok, cnt, y0, y1, x0, x1 = _ends(y, x)
    with np.errstate(divide="ignore", invalid="ignore"):
        two = ((y1 - y0) * 100 / y0) * (per / (x1 - x0))
        xm = np.where(ok, x, 0).sum(axis=-1) / cnt
        ym = np.where(ok, y, 0).sum(axis=-1) / cnt
        dx = np.where(ok, x - xm[..., None], 0)
        dy = np.where(ok, y - ym[..., None], 0)
        slope = (dx * dy).sum(axis=-1) / (dx**2).sum(axis=-1)
        icpt = ym - slope * xm
        reg = (slope * per) / (icpt + slope * x0) * 100
    out = np.where(cnt < 3, two, reg)
    same = np.nanmax(np.where(ok, y, -np.inf), axis=-1) == np.nanmin(
        np.where(ok, y, np.inf), axis=-1
    )
    out = np.where(same, 0.0, out)
    return np.where(cnt < 2, np.nan, out)


def _prepare(values: Any, times: Any) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(values, dtype=float)
    x = np.broadcast_to(np.asarray(times, dtype=float), y.shape)
    if y.ndim == 0 or y.shape[-1] != x.shape[-1]:
        raise _fail("values and times must have the same length", "invalid data", source="times")
    if np.isnan(x).any():
        raise _fail(
            "times contain missing values (each value needs a time point)",
            "invalid data",
            source="times",
        )
    order = np.argsort(x, axis=-1, kind="stable")
    return np.take_along_axis(y, order, axis=-1), np.take_along_axis(x, order, axis=-1)


def _scalar(out: np.ndarray) -> float | np.ndarray:
    return float(out) if np.ndim(out) == 0 else out


def cagr(values: Any, times: Any) -> float | np.ndarray:
    """Compound annual growth rate — COINr 1.1.14 ``CAGR``.

    (y_last / y_first)^(1 / (t_last − t_first)) − 1 between the first and the latest
    non-missing observations (after sorting by time); 0 when those two values are equal
    (covers 0 → 0); NaN with fewer than two observations (or a negative ratio, as R).
    Vectorised: ``values`` may be (..., n) with ``times`` (n,) or the same shape; the
    result has shape (...). Times must not be missing.
    """
    y, x = _prepare(values, times)
    return _scalar(_cagr(y, x))


def prc_change(values: Any, times: Any, per: float = 1) -> float | np.ndarray:
    """Percentage change per ``per`` time units — COINr 1.1.14 ``prc_change``.

    With two observations, (y_last − y_first) · 100 / y_first · per / (t_last − t_first);
    with three or more, the OLS line y = a + b t: b · per / (a + b · t_first) · 100; 0 if
    all observed values are equal; NaN with fewer than two. Vectorised as :func:`cagr`.
    """
    y, x = _prepare(values, times)
    return _scalar(_prc_change(y, x, per))


def trends(
    panel: Any,
    *,
    time_col: str = "Time",
    unit_col: str = "uCode",
    codes: Sequence[str] | None = None,
    f_trend: Literal["CAGR", "prc_change"] | Callable[..., float] = "CAGR",
    interval: tuple[float, float] | Sequence[float] | None = None,
    use_latest: int | None = None,
    framework: Framework | None = None,
    adjust_directions: bool = False,
    dset: str = "Raw",
) -> pd.DataFrame:
    """Trend of every unit × indicator series of a panel — COINr 1.1.14 ``get_trends``.

    ``panel``: long iData (one row per unit and time; ``unit_col``, numeric
    ``time_col``, one column per indicator) or an object with ``get_dset`` (``dset``).
    ``codes``: the columns to analyse (default: the framework codes present, or every
    numeric column). ``interval``: ``(start, end)`` keeps times in that closed range; a
    longer list keeps exactly those times (COINr's ``Time``). ``use_latest = k``: only the
    k rows ending at the latest non-missing value of each series; as in COINr, the
    series is NaN when that window would start at (or before) the unit's first row
    (COINr tests ``i_first > 1``), so k must be at most the number of rows − 1.
    ``f_trend``: "CAGR" (:func:`cagr`), "prc_change" (:func:`prc_change`, per = 1) or a
    function ``f(y, x) -> float`` called once per series (slow path). Series with fewer
    than two observations give NaN. ``adjust_directions`` multiplies each metric by the
    indicator's direction (needs the framework; COINr's default False).

    ``panel`` may be a :class:`~integrity_eval.panel.Panel` (``build_panel``), whose
    datasets are indexed by (Time, uCode): index levels named ``unit_col`` /
    ``time_col`` are read as columns, so ``trends(panel, dset="Aggregated")`` equals
    ``panel.trends()``.

    Returns COINr's long table sorted by iCode then uCode: ``uCode, iCode, <f_trend>,
    Avail`` (share of the unit's rows with a value), ``t_first, t_latest`` (first and
    latest observed times, when at least two; integers — nullable ``Int64`` — when the
    times are whole numbers such as years), and with ``use_latest`` only,
    ``Avail_use_latest, t_first_use_latest`` (the same within the window; COINr fills
    them with NA otherwise).

    Differences from COINr: ``interval`` filters rows before anything else (COINr's
    ``Time`` argument mis-indexes rows when it is not a prefix of the series, and is
    ignored by the trend when ``use_latest`` is set); ``interp_at`` (interpolation) is
    not implemented.
    """
    df = panel.get_dset(dset) if hasattr(panel, "get_dset") else panel
    if not isinstance(df, pd.DataFrame):
        raise _fail(
            "expected a long DataFrame", "invalid data", source="panel", value=type(df).__name__
        )
    # a panel's datasets are indexed by (Time, uCode): bring those levels back as columns
    in_index = [n for n in df.index.names if n in (unit_col, time_col) and n not in df.columns]
    if in_index:
        df = df.reset_index(level=in_index)
    problems = [
        Problem(rule="required column is missing", source="panel", column=c)
        for c in (unit_col, time_col)
        if c not in df.columns
    ]
    if problems:
        raise ValidationError(problems, title="invalid panel")
    if not pd.api.types.is_numeric_dtype(df[time_col]):
        raise _fail(
            "time column must be numeric (e.g. years)",
            "invalid panel",
            source="panel",
            column=time_col,
            value=str(df[time_col].dtype),
        )
    if df[time_col].isna().any():
        rows = df.index[df[time_col].isna()]
        raise ValidationError(
            [
                Problem(rule="time is missing", source="panel", row=str(r), column=time_col)
                for r in rows
            ],
            title="invalid panel",
        )
    dup = df.duplicated([unit_col, time_col], keep=False)
    if dup.any():
        pairs = df.loc[dup, [unit_col, time_col]].drop_duplicates()
        raise ValidationError(
            [
                Problem(
                    rule="unit has more than one row for this time",
                    source="panel",
                    row=str(u),
                    column=time_col,
                    value=t,
                )
                for u, t in pairs.itertuples(False)
            ],
            title="invalid panel",
        )
    fw = framework_of(panel, framework, required=adjust_directions, what="adjust_directions")
    if codes is None:
        if fw is not None:
            codes = [c for c in df.columns if c in fw]
        else:
            codes = [
                c
                for c in df.columns
                if c not in (unit_col, time_col, "uName")
                and pd.api.types.is_numeric_dtype(df[c])
                and not pd.api.types.is_bool_dtype(df[c])
            ]
    codes = list(codes)
    problems = [
        Problem(rule="code not found in the panel", source="panel", column=c)
        for c in codes
        if c not in df.columns
    ]
    problems += [
        Problem(rule="indicator column must be numeric", source="panel", column=c)
        for c in codes
        if c in df.columns and not pd.api.types.is_numeric_dtype(df[c])
    ]
    if not codes:
        problems.append(Problem(rule="no indicator column to analyse", source="panel"))
    if problems:
        raise ValidationError(problems, title="invalid panel")
    if use_latest is not None and (int(use_latest) != use_latest or use_latest < 1):
        raise _fail(
            "use_latest must be a positive integer",
            "invalid option",
            source="use_latest",
            value=use_latest,
        )
    if isinstance(f_trend, str) and f_trend not in ("CAGR", "prc_change"):
        raise _fail(
            "f_trend must be 'CAGR', 'prc_change' or a function",
            "invalid option",
            source="f_trend",
            value=f_trend,
        )

    if interval is not None:
        t = df[time_col]
        iv = list(interval)
        keep = t.between(iv[0], iv[1]) if len(iv) == 2 else t.isin(iv)
        df = df[keep]
        if df.empty:
            raise _fail(
                "no row of the panel falls in the interval",
                "invalid option",
                source="interval",
                value=iv,
            )

    # units × rows × codes, each unit's rows sorted by time and left-aligned
    df = df.sort_values([unit_col, time_col], kind="stable")
    units = pd.unique(df[unit_col])
    u_idx = pd.Index(units).get_indexer(df[unit_col])
    pos = df.groupby(unit_col, sort=False).cumcount().to_numpy()
    n_rows = np.bincount(u_idx, minlength=len(units))
    n_u, n_p, n_c = len(units), int(n_rows.max()) if len(units) else 0, len(codes)
    y = np.full((n_u, n_c, n_p), np.nan)
    tt = np.full((n_u, n_p), np.inf)  # padding sorts last and is never observed
    y[u_idx, :, pos] = df[codes].to_numpy(dtype=float)
    tt[u_idx, pos] = df[time_col].to_numpy(dtype=float)
    x = np.broadcast_to(tt[:, None, :], y.shape)

    ok = ~np.isnan(y)
    cnt = ok.sum(axis=-1)
    first = np.argmax(ok, axis=-1)
    last = n_p - 1 - np.argmax(ok[..., ::-1], axis=-1)
    t_at = lambda i: np.take_along_axis(x, i[..., None], axis=-1)[..., 0]  # noqa: E731
    avail = cnt / n_rows[:, None]
    t_first = np.where(cnt > 1, t_at(first), np.nan)
    t_latest = np.where(cnt > 1, t_at(last), np.nan)

    avail_w = np.full((n_u, n_c), np.nan)
    t_first_w = np.full((n_u, n_c), np.nan)
    valid = cnt >= 2
    if use_latest is not None:
        k = int(use_latest)
        i0 = last - k + 1
        valid &= i0 >= 1  # COINr: `if (i_first > 1)` with 1-based indices
        p = np.arange(n_p)
        window = (p >= i0[..., None]) & (p <= last[..., None])
        y = np.where(window, y, np.nan)
        ok_w = ~np.isnan(y)
        cnt_w = ok_w.sum(axis=-1)
        first_w = np.argmax(ok_w, axis=-1)
        avail_w = np.where(valid, cnt_w / k, np.nan)
        t_first_w = np.where(valid & (cnt_w > 1), t_at(first_w), np.nan)
        valid &= cnt_w >= 2

    if f_trend == "CAGR":
        metric = _cagr(y, x)
    elif f_trend == "prc_change":
        metric = _prc_change(y, x, 1)
    else:
        metric = np.full((n_u, n_c), np.nan)
        for ui, ci in zip(*np.nonzero(valid), strict=True):
            if use_latest is None:
                w = np.isfinite(tt[ui])  # the unit's rows, missing values included
            else:
                w = np.zeros(n_p, dtype=bool)
                w[i0[ui, ci] : last[ui, ci] + 1] = True
            metric[ui, ci] = float(f_trend(y=y[ui, ci][w], x=tt[ui][w]))
    metric = np.where(valid, metric, np.nan)
    if adjust_directions:
        direction = np.array([fw[c].direction if c in fw else 1 for c in codes], dtype=float)
        metric = metric * direction

    name = f_trend if isinstance(f_trend, str) else getattr(f_trend, "__name__", "trend")
    whole = np.isfinite(tt).any() and bool(np.all(np.mod(tt[np.isfinite(tt)], 1) == 0))
    as_time = (lambda a: pd.array(a.ravel(), dtype="Int64")) if whole else np.ravel
    out = pd.DataFrame(
        {
            "uCode": np.repeat(units, n_c),
            "iCode": np.tile(np.array(codes, dtype=object), n_u),
            name: metric.ravel(),
            "Avail": avail.ravel(),
            "t_first": as_time(t_first),
            "t_latest": as_time(t_latest),
        }
    )
    if use_latest is not None:
        out["Avail_use_latest"] = avail_w.ravel()
        out["t_first_use_latest"] = as_time(t_first_w)
    return out.sort_values(["iCode", "uCode"], kind="stable").reset_index(drop=True)
