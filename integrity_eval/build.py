"""``build()``: the composite-indicator pipeline, stage by stage.

denominate → impute → screen → treat → normalise → (weights) → aggregate, as in
COINr 1.1.14 (``Denominate``, ``Impute``, ``Screen``, ``Treat``, ``Normalise``,
``Aggregate``) and the OECD/JRC Handbook (2008) steps 3–6. Each stage works on
one ``(units, indicators)`` NumPy matrix; labels are attached once at the end.
A stage the spec leaves out is skipped and its dataset is the previous one.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from . import aggregate as agg
from . import denominate as den
from . import impute as imp
from . import normalise as nrm
from . import treat as trt
from .errors import Problem, ProblemList, ValidationError
from .evaluation import Evaluation
from .framework import Framework, load_framework
from .manifest import evaluation_manifest
from .schemas import check_idata
from .screen import screen as screen_units
from .spec import framework_default, load_spec, method_params, resolve
from .weights.models import (
    EVALUATION_MODELS,
    WEIGHT_MODELS,
    ModelWeigher,
    apply_evaluation_model,
    check_evaluation_model,
)
from .weights.nominal import nominal_weights

__all__ = ["build", "check"]


def build(
    framework: Framework | str | Path | pd.DataFrame,
    idata: pd.DataFrame,
    spec: Mapping[str, Any] | str | Path | None = None,
    *,
    seed: int = 0,
    time: Any = None,
    normalise_pool: np.ndarray | None = None,
) -> Evaluation:
    """Evaluate ``idata`` on ``framework`` following ``spec``; returns an :class:`Evaluation`.

    ``framework``: a :class:`Framework`, a shipped name, a YAML/iMeta path or an
    iMeta DataFrame. ``idata``: COINr's iData layout. With a ``Time`` column the
    period ``time`` (default: the latest) is evaluated and earlier periods serve
    panel imputation (``impute: {method: latest}``). ``spec``: dict or YAML
    path (``docs/spec.md``); ``None`` = the framework's default spec (its YAML
    ``spec:`` block) or, without one, denominate (where the framework names
    denominators), min-max 0–100 normalisation and the arithmetic mean.
    ``seed`` feeds the stochastic methods. ``normalise_pool``: extra
    ``(rows, indicators)`` treated values normalised together with these units
    (COINr ``Normalise.purse(global = TRUE)``; used by
    :func:`integrity_eval.panel.build_panel`). Bad input raises one
    :class:`~integrity_eval.errors.ValidationError` listing every problem;
    :func:`check` lists the same problems without raising.
    """
    return _build(framework, idata, spec, seed, time, normalise_pool, ProblemList(), False)


def check(
    framework: Framework | str | Path | pd.DataFrame,
    idata: pd.DataFrame,
    spec: Mapping[str, Any] | str | Path | None = None,
    *,
    seed: int = 0,
    time: Any = None,
) -> ProblemList:
    """Every problem that would make :func:`build` refuse these inputs; empty if none.

    Runs the build itself up to and including aggregation, but records each
    stage's problems and goes on (faulty cells are set missing so they are not
    reported again by a later stage) instead of stopping at the first stage that
    fails. What ``check`` passes, ``build`` accepts. Problems that leave nothing
    to check further (framework, spec or iData that cannot be read, an unknown
    ``exclude`` code) end the check early, as they end the build.
    """
    problems = ProblemList()
    try:
        _build(framework, idata, spec, seed, time, None, problems, True)
    except ValidationError as exc:
        problems.extend(p for p in exc.problems if p not in problems)
    return problems


def _build(
    framework: Framework | str | Path | pd.DataFrame,
    idata: pd.DataFrame,
    spec: Mapping[str, Any] | str | Path | None,
    seed: int,
    time: Any,
    normalise_pool: np.ndarray | None,
    problems: ProblemList,
    check_only: bool,
) -> Evaluation | None:
    """The pipeline behind :func:`build` and :func:`check` (``check_only``: record, go on)."""

    def stop(title: str) -> None:
        if not check_only:
            problems.raise_if_any(title)

    fw_in = load_framework(framework)
    spec_r = _resolve_spec(spec, fw_in)
    fw, excluded = fw_in.excluding(spec_r.get("exclude", ()))
    idata_in = idata.drop(columns=[c for c in excluded.index if c in idata.columns])
    values = check_idata(fw, idata_in)
    data = _coerce(fw, idata_in, values)
    current, history, time = _split_period(data, time)
    units = _unit_table(fw, current)
    codes = fw.indicators
    x = current[codes].to_numpy(dtype=float)
    dsets: dict[str, np.ndarray] = {"Raw": x}
    unit_index = list(units.index)
    info: dict[str, Any] = {}

    if "denominate" in spec_r:
        x = _denominate(fw, current, x, problems)
        if history is not None:
            past = _denominate(fw, history, history[codes].to_numpy(dtype=float), problems)
            history = pd.concat(
                [
                    history.drop(columns=codes),
                    pd.DataFrame(past, columns=codes, index=history.index),
                ],
                axis=1,
            )
        stop("cannot denominate")
        x = np.where(np.isinf(x), np.nan, x)  # zero denominators (reported): go on checking
    dsets["Denominated"] = x

    if "impute" in spec_r:
        x = _impute(spec_r["impute"], x, units, current, history, codes, seed, problems)
        stop("cannot impute")
    dsets["Imputed"] = x

    keep = np.ones(len(unit_index), dtype=bool)
    if "screen" in spec_r:
        cfg = dict(spec_r["screen"])
        force = dict(cfg.get("force") or {})
        for u in [u for u in force if u not in units.index]:
            problems.add(
                "screen.force 中的单位不在数据中 / unit in screen.force is not in the data",
                source="spec",
                row=u,
                column="screen.force",
            )
            del force[u]
        stop("invalid screening")
        table = screen_units(x, unit_index, **{**cfg, "force": force})
        info["screen_summary"] = table
        keep = table["Included"].to_numpy(dtype=bool)
        x = x[keep]
    dsets["Screened"] = x
    kept_units = [u for u, k in zip(unit_index, keep, strict=True) if k]

    points = np.full(x.shape, "", dtype=object)
    if "treat" in spec_r:
        cfg = {k: v for k, v in spec_r["treat"].items() if k != "method"}
        x, points, details = trt.METHODS[spec_r["treat"]["method"]](x, **cfg)
        details.index = pd.Index(codes, name="iCode")
        info["treat_details"] = details
    dsets["Treated"] = x

    if "normalise" in spec_r:
        x = _normalise(fw, spec_r["normalise"], x, kept_units, problems, normalise_pool)
        stop("cannot normalise")
        if normalise_pool is not None:  # a period of a globally normalised panel
            info["normalise_pool"] = normalise_pool
    dsets["Normalised"] = x

    weights = nominal_weights(fw, spec_r.get("weights"), problems, excluded=excluded.index)
    weight_method = spec_r.get("weights", {}).get("method")
    if weight_method in EVALUATION_MODELS:
        check_evaluation_model(fw, spec_r, problems)
    stop("invalid weights")
    if "aggregate" in spec_r:
        model = None
        if weight_method in WEIGHT_MODELS and weight_method not in EVALUATION_MODELS:
            model = ModelWeigher(fw, spec_r["weights"], dsets, keep, kept_units)
            info["weight_models"] = model.results
        agg_cols, agg_codes = _aggregate(
            fw, spec_r["aggregate"], x, weights, kept_units, problems, stop, model
        )
        dsets["Aggregated"] = np.concatenate([x, agg_cols], axis=1)
        info["aggregate_codes"] = agg_codes
    if check_only:
        return None
    info["excluded"] = excluded

    all_idx = pd.Index(unit_index, name="uCode")
    kept_idx = all_idx[keep] if not keep.all() else all_idx
    columns = pd.Index(codes)
    frames = {
        name: pd.DataFrame(
            arr,
            index=all_idx if name in ("Raw", "Denominated", "Imputed") else kept_idx,
            columns=columns.append(pd.Index(info["aggregate_codes"]))
            if name == "Aggregated"
            else columns,
            copy=False,
        )
        for name, arr in dsets.items()
    }
    treated_points = pd.DataFrame(points, index=kept_idx, columns=columns)
    manifest = evaluation_manifest(fw_in, spec_r, idata_in, values, seed, time, len(unit_index))
    ev = Evaluation(
        framework=fw,
        spec=spec_r,
        seed=seed,
        time=time,
        idata=idata,
        units=units,
        dsets=MappingProxyType(frames),
        weights=weights,
        treated_points=treated_points,
        details=MappingProxyType(info),
        manifest=manifest,
        source_framework=fw_in,
    )
    if weight_method in EVALUATION_MODELS:
        return apply_evaluation_model(ev)  # weights computed on the nominal index
    return ev


def _resolve_spec(spec: Mapping[str, Any] | str | Path | None, fw: Framework) -> dict[str, Any]:
    """The resolved spec: ``spec`` as given, else :func:`~integrity_eval.spec.framework_default`.

    Problems in a framework's own ``spec:`` block name the framework.
    """
    if spec is not None or fw.spec is None:
        return resolve(load_spec(framework_default(fw) if spec is None else spec), fw.n_levels)
    try:
        return resolve(load_spec(framework_default(fw)), fw.n_levels)
    except ValidationError as exc:
        where = f"框架 {fw.name} 的 spec: / spec: of framework {fw.name}"
        raise ValidationError(
            [replace(p, source=where) if p.source == "spec" else p for p in exc.problems],
            title=exc.title,
        ) from None


# ------------------------------------------------------------------ stages
def _coerce(fw: Framework, idata: pd.DataFrame, block: np.ndarray) -> pd.DataFrame:
    """iData with the numeric block (from validation) in place of the raw columns."""
    needed = set(fw.indicators) | {fw[c].denominator for c in fw.indicators}
    numeric = [c for c in idata.columns if c in needed]
    values = pd.DataFrame(block, columns=numeric, index=idata.index)
    rest = idata[[c for c in idata.columns if c not in set(numeric)]].copy()
    rest["uCode"] = rest["uCode"].astype(str).str.strip()
    return pd.concat([rest, values], axis=1)


def _split_period(data: pd.DataFrame, time: Any):
    if "Time" not in data.columns:
        return data.reset_index(drop=True), None, None
    times = sorted(data["Time"].dropna().unique())
    if time is None:
        time = times[-1]
    if time not in times:
        raise ValidationError(
            [
                Problem(
                    f"period not in the data; available: {', '.join(map(str, times))}",
                    source="iData",
                    column="Time",
                    value=str(time),
                )
            ],
            title="unknown period",
        )
    current = data[data["Time"] == time].reset_index(drop=True)
    history = data[data["Time"] < time]
    return (
        current,
        (history if len(history) else None),
        time.item() if hasattr(time, "item") else time,
    )


def _unit_table(fw: Framework, current: pd.DataFrame) -> pd.DataFrame:
    cols = [c for c in ("uName", "Time") if c in current.columns]
    cols += [g.code for g in fw.groups if g.code in current.columns]
    cols += [d.code for d in fw.denominators if d.code in current.columns]
    units = current[cols].set_axis(pd.Index(current["uCode"], name="uCode"))
    if "uName" not in units.columns:
        units.insert(0, "uName", units.index.astype(str))
    return units


def _denominate(
    fw: Framework, frame: pd.DataFrame, x: np.ndarray, problems: ProblemList
) -> np.ndarray:
    d = np.full(x.shape, np.nan)
    by_denominator: dict[str, list[int]] = {}
    for j, code in enumerate(fw.indicators):
        if fw[code].denominator:
            by_denominator.setdefault(fw[code].denominator, []).append(j)
    for name, cols in by_denominator.items():
        col = frame[name].to_numpy(dtype=float)
        d[:, cols] = col[:, None]
        # a missing denominator makes the value missing (as in COINr); zero is an error
        bad = ~np.isnan(x[:, cols]) & (col[:, None] == 0)
        for i in np.flatnonzero(bad.any(axis=1)):
            problems.add(
                "denominator is zero",
                source="iData",
                row=frame["uCode"].iloc[i],
                column=name,
                value=col[i],
            )
    with np.errstate(divide="ignore", invalid="ignore"):
        return den.denominate(x, d)


def _impute(
    cfg: Mapping[str, Any],
    x: np.ndarray,
    units: pd.DataFrame,
    current: pd.DataFrame,
    history: pd.DataFrame | None,
    codes: list[str],
    seed: int,
    problems: ProblemList,
) -> np.ndarray:
    method = cfg["method"]
    params = {k: v for k, v in cfg.items() if k != "method"}
    if "group" in params:
        group = params["group"]
        if group not in current.columns:
            problems.add(
                "grouping column for imputation is not in the data",
                source="spec",
                column="impute.group",
                value=group,
            )
            return x
        params["group"] = current[group].to_numpy(dtype=object)
    if method == "iterative" and "seed" not in params:
        params["seed"] = seed
    if method == "latest":
        params["history"] = _history_cube(history, list(units.index), codes)
    return imp.METHODS[method](x, **params)


def _history_cube(history: pd.DataFrame | None, units: list[str], codes: list[str]) -> np.ndarray:
    """Earlier periods as a ``(periods, units, indicators)`` array aligned to ``units``."""
    if history is None or history.empty:
        return np.empty((0, len(units), len(codes)))
    times = sorted(history["Time"].unique())
    wide = history.set_index(["Time", "uCode"])[codes]
    full = pd.MultiIndex.from_product([times, units], names=["Time", "uCode"])
    cube = wide.reindex(full).to_numpy(dtype=float)
    return cube.reshape(len(times), len(units), len(codes))


def _normalise(
    fw: Framework,
    cfg: Mapping[str, Any],
    x: np.ndarray,
    units: list[str],
    problems: ProblemList,
    pool: np.ndarray | None = None,
) -> np.ndarray:
    method = cfg["method"]
    dirs = fw.directions.to_numpy()
    n = len(x)
    xd = (x if pool is None else np.concatenate([x, pool])) * dirs
    params = {k: v for k, v in cfg.items() if k not in ("method", "iref")}
    if method == "dist2ref":
        if cfg["iref"] not in units:
            problems.add(
                "reference unit for dist2ref is not among the (screened) units",
                source="spec",
                column="normalise.iref",
                value=cfg["iref"],
            )
            return np.full(x.shape, np.nan)
        params["iref"] = units.index(cfg["iref"])
    if method == "dist2targ":
        params["targets"] = fw.targets.to_numpy() * dirs
    if method == "goalposts":
        posts = np.array([fw[c].goalposts or (np.nan, np.nan) for c in fw.indicators], float).T
        params["posts"] = np.where(dirs < 0, -posts[::-1], posts)
    if method == "clip":
        bounds = np.array([(_nan(fw[c].min), _nan(fw[c].max)) for c in fw.indicators]).T
        bounds = np.where(np.isnan(bounds), [[-np.inf], [np.inf]], bounds)
        params["bounds"] = np.where(dirs < 0, -bounds[::-1], bounds)
    faulty = nrm.check(xd, fw.indicators, method, params, problems, dirs)
    with np.errstate(divide="ignore", invalid="ignore"):
        y = nrm.METHODS[method](xd, **params)[:n]
    y[:, faulty] = np.nan  # reported; only :func:`check` goes on past them
    return y


def _aggregate(
    fw: Framework,
    cfg: Mapping[str, Any],
    x: np.ndarray,
    weights: pd.Series,
    units: list[str],
    problems: ProblemList,
    stop: Callable[[str], None],
    model: ModelWeigher | None = None,
) -> tuple[np.ndarray, list[str]]:
    """Aggregate level by level; returns the aggregate columns and their codes.

    Children with weight 0 stay in the tables but do not enter the aggregate (and
    are not checked against its method's domain); as in COINr, ``dat_thresh``
    counts every child. ``model`` (a spec weighting model) sets the children's
    weights, in place in ``weights``, before each level is aggregated.
    ``cfg["by_node"]`` (aggregate code → method) overrides the level's method for
    single aggregates.
    """
    col = {c: j for j, c in enumerate(fw.indicators)}
    by_node = cfg.get("by_node") or {}
    for code in by_node:
        if code not in fw.children or not fw.children[code]:
            problems.add(
                "aggregate.by_node names a code that is not an aggregate of the framework",
                source="spec",
                column=f"aggregate.by_node.{code}",
            )
    stop("invalid aggregation")  # check() goes on: an unknown code matches no parent
    n_ind = x.shape[1]
    # every column in one Fortran-ordered block: children are gathered column-wise
    n_agg = sum(len(fw.codes_at(level)) for level in range(2, fw.n_levels + 1))
    values = np.empty((x.shape[0], n_ind + n_agg), order="F")
    values[:, :n_ind] = x
    filled = n_ind
    out_codes: list[str] = []
    for level in range(2, fw.n_levels + 1):
        thresh = _per_level(cfg.get("dat_thresh"), level)
        parents = fw.codes_at(level)
        if model is not None:
            failed = ProblemList()
            model(level - 1, parents, values, col, weights, failed)
            problems.extend(failed)
            failed.raise_if_any("cannot compute the weighting model")
        wmap = weights.to_dict()
        level_cols = values[:, filled : filled + len(parents)]
        for p, parent in enumerate(parents):
            method = by_node.get(parent, _per_level(cfg["method"], level))
            params = _level_params(cfg, method, level)
            # a points total caps the bonus of all its items, so it reads the items themselves
            kids = fw.descendants(parent) if method == "points" else fw.children[parent]
            every = values[:, [col[k] for k in kids]]
            used = [k for k in kids if wmap[k] > 0]
            xs = values[:, [col[k] for k in used]]
            w = np.array([wmap[k] for k in used])
            faulty = _check_domain(method, params, xs, used, units, problems)
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                y = agg.METHODS[method](xs, w, **params) if used else np.full(len(units), np.nan)
            if thresh is not None:
                y = np.where(np.mean(~np.isnan(every), axis=1) < thresh, np.nan, y)
            level_cols[:, p] = np.where(faulty, np.nan, y)
        # faults below would reappear as faults of their aggregates: stop at this level
        stop("cannot aggregate")
        for p, parent in enumerate(parents):
            col[parent] = filled + p
        filled += len(parents)
        out_codes += parents
    return values[:, n_ind:filled], out_codes


def _nan(v: float | None) -> float:
    return np.nan if v is None else v


def _per_level(value: Any, level: int) -> Any:
    """A per-level setting (a list, bottom level first) or one value for every level."""
    return value[level - 2] if isinstance(value, list) else value


@functools.cache
def _params_of(method: str) -> frozenset[str]:
    return frozenset(method_params(agg.METHODS[method]))


def _level_params(cfg: Mapping[str, Any], method: str, level: int) -> dict[str, Any]:
    """The aggregate stage's parameters of ``method`` for ``level``.

    A list gives one value per level, except for the bounds of ``bod``, whose value is
    itself a pair: ``weight_bounds: [0.1, 0.15]`` holds for every level, a list of pairs
    (or nulls) gives one per level.
    """
    out = {}
    for k, v in cfg.items():
        if k in ("method", "dat_thresh") or k not in _params_of(method):
            continue
        pair = k.endswith("_bounds") and isinstance(v, list) and len(v) == 2
        pair = pair and all(isinstance(b, int | float) for b in v)
        out[k] = v if pair else _per_level(v, level)
    return out


def _check_domain(
    method: str,
    params: Mapping[str, Any],
    xs: np.ndarray,
    kids: list[str],
    units: list[str],
    problems: ProblemList,
) -> np.ndarray:
    """Record values outside the method's domain; returns the units that have any."""
    if method == "gmean" or (method == "genmean" and params.get("p", 1) < 0):
        bad, rule = xs <= 0, f"{method} needs positive values (normalise e.g. to [1, 100])"
    elif method == "hmean":
        bad, rule = xs == 0, "hmean needs non-zero values"
    else:
        return np.zeros(len(units), dtype=bool)
    for i, j in zip(*np.nonzero(bad), strict=True):
        problems.add(rule, source="aggregate", row=units[i], column=kids[j], value=xs[i, j])
    return bad.any(axis=1)


# --------------------------------------------------------------- manifest
