"""``build()``: read the inputs, run the pipeline's stages in order, hold every stage.

denominate → impute → screen → treat → normalise → (weights) → aggregate, as in
COINr 1.1.14 (``Denominate``, ``Impute``, ``Screen``, ``Treat``, ``Normalise``,
``Aggregate``) and the OECD/JRC Handbook (2008) steps 3–6. The stages are the public
functions of :mod:`integrity_eval.pipeline`, each on one ``(units, indicators)`` NumPy
matrix; this module resolves the spec, validates and splits the data, runs them, and
attaches labels once at the end in an :class:`~integrity_eval.evaluation.Evaluation`.
A stage the spec leaves out is skipped and its dataset is the previous one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from . import pipeline
from .errors import Problem, ProblemList, ValidationError
from .evaluation import Evaluation
from .framework import Framework, load_framework
from .manifest import evaluation_manifest
from .schemas import check_idata
from .spec import resolve, with_defaults
from .weights.models import (
    EVALUATION_MODELS,
    WEIGHT_MODELS,
    ModelWeigher,
    check_evaluation_model,
    model_options,
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
    spec_r, origin = _resolve_spec(spec, fw_in)
    fw, excluded = fw_in.excluding(spec_r.get("exclude", ()))
    dropped = [c for c in excluded.index if c in idata.columns]
    idata_in = idata.drop(columns=dropped) if dropped else idata
    values = check_idata(fw, idata_in)
    numeric = _numeric_columns(fw, idata_in)
    now, before, time = _split_period(idata_in, time)
    denominators = [c for c in numeric if c not in set(fw.indicators)]
    current = _period_frame(idata_in, values, numeric, now, denominators)
    history = None if before is None else _period_frame(idata_in, values, numeric, before)
    units = _unit_table(fw, current)
    codes = fw.indicators
    # the indicators of the period's units, one column after the other (as a frame's block)
    x = np.asfortranarray(values[np.ix_(now, [numeric.index(c) for c in codes])])
    dsets: dict[str, np.ndarray] = {"Raw": x}
    unit_index = list(units.index)
    info: dict[str, Any] = {"spec_origin": origin}
    policy = spec_r.get("missing", "skip")
    pipeline.check_missing_policy(fw, spec_r, problems)
    stop("invalid missing-value policy")

    if "denominate" in spec_r:
        x = pipeline.denominate(fw, current, x, problems)
        if history is not None:
            past = pipeline.denominate(fw, history, history[codes].to_numpy(dtype=float), problems)
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
        cfg = spec_r["impute"]
        past = (
            pipeline.history_cube(history, unit_index, codes) if cfg["method"] == "latest" else None
        )
        x = pipeline.impute(cfg, x, current, past, seed, problems)
        stop("cannot impute")
    dsets["Imputed"] = x

    blanks = np.isnan(dsets["Denominated"])  # before imputation: what the units left blank
    keep = np.ones(len(unit_index), dtype=bool)
    if "screen" in spec_r:
        table = pipeline.screen(spec_r["screen"], x, unit_index, problems)
        stop("invalid screening")
        info["screen_summary"] = table
        keep = table["Included"].to_numpy(dtype=bool)
        x = x[keep]
    kept_units = [u for u, k in zip(unit_index, keep, strict=True) if k]
    info["blanks"] = pipeline.blank_cells(fw, current, dsets["Raw"], blanks, keep, policy)
    if policy == "worst":
        x = pipeline.fill_worst(fw, x)
    dsets["Screened"] = x

    points = np.full(x.shape, "", dtype=object)
    if "treat" in spec_r:
        x, points, info["treat_details"] = pipeline.treat(spec_r["treat"], x, codes)
    dsets["Treated"] = x

    if "normalise" in spec_r:
        cfg = spec_r["normalise"]
        info["constant"] = pipeline.constant_indicators(fw, cfg, x, normalise_pool)
        x = pipeline.normalise(fw, cfg, x, kept_units, problems, normalise_pool)
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
        cfg = spec_r["aggregate"]
        agg_cols, agg_codes = pipeline.aggregate(
            fw, cfg, x, weights, kept_units, problems, stop, model
        )
        if weight_method in EVALUATION_MODELS and not check_only:
            weights, info["weight_models"] = _index_model(fw, spec_r, x, weights, kept_units)
            agg_cols, agg_codes = pipeline.aggregate(
                fw, cfg, x, weights, kept_units, problems, stop
            )
        dsets["Aggregated"] = np.concatenate([x, agg_cols], axis=1)
        info["aggregate_codes"] = agg_codes
    if check_only:
        return None
    info["excluded"] = excluded
    info["excluded_raw"] = _reported_values(
        idata, [c for c in excluded.index if c in fw_in], now, units.index
    )

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
    # the labels as Python strings (object columns): converting every cell to pandas'
    # string dtype would cost more than the treatment itself
    treated_points = pd.DataFrame(points, index=kept_idx, columns=columns, dtype=object)
    manifest = evaluation_manifest(fw_in, spec_r, idata_in, values, seed, time, len(unit_index))
    return Evaluation(
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
        builder=build,
    )


def _index_model(
    fw: Framework,
    spec: Mapping[str, Any],
    x: np.ndarray,
    weights: pd.Series,
    units: list[str],
) -> tuple[pd.Series, dict[str, Any]]:
    """The weights of a model computed on the aggregated index (``weights: {method:
    optimise, level: L}``: COINr's correlation-balancing weights at level ``L``), and the
    result keyed by each parent of the balanced elements."""
    cfg = spec["weights"]
    res = EVALUATION_MODELS[cfg["method"]](
        pd.DataFrame(x, index=pd.Index(units, name="uCode"), columns=fw.indicators),
        fw,
        spec["aggregate"],
        weights,
        level=cfg["level"],
        **model_options(cfg),
    )
    parents = dict.fromkeys(fw[c].parent for c in res.weights.index)
    return res.all_weights, dict.fromkeys(parents, res)


def _resolve_spec(
    spec: Mapping[str, Any] | str | Path | None, fw: Framework
) -> tuple[dict[str, Any], dict[str, str]]:
    """The resolved spec (``spec`` laid over the framework's default,
    :func:`~integrity_eval.spec.with_defaults`) and where each of its keys came from.

    Problems in a framework's own ``spec:`` block name the framework.
    """
    merged, origin = with_defaults(fw, spec)
    try:
        return resolve(merged, fw.n_levels), origin
    except ValidationError as exc:
        where = f"框架 {fw.name} 的 spec: / spec: of framework {fw.name}"
        from_default = {k for k, v in origin.items() if v == "default"}
        raise ValidationError(
            [
                replace(p, source=where)
                if p.source == "spec" and str(p.column).split(".")[0] in from_default
                else p
                for p in exc.problems
            ],
            title=exc.title,
        ) from None


def _reported_values(
    idata: pd.DataFrame, codes: list[str], rows: np.ndarray, units: pd.Index
) -> pd.DataFrame:
    """The reported values of the indicators ``codes`` the spec excluded, in the evaluated
    period's ``rows`` of iData (the units ``units``): veto rules still read them; a cell
    that is not a number is missing here and listed by the rating's own check."""
    present = [c for c in codes if c in idata.columns]
    if not present:
        return pd.DataFrame(index=units)
    frame = idata[present].take(rows).apply(pd.to_numeric, errors="coerce")
    return frame.set_axis(units)


# ------------------------------------------------------------------ inputs
def _numeric_columns(fw: Framework, idata: pd.DataFrame) -> list[str]:
    """The columns of the validated numeric block (:func:`~.schemas.check_idata`), in
    iData order: the indicators and the denominators they need."""
    needed = set(fw.indicators) | {fw[c].denominator for c in fw.indicators}
    return [c for c in idata.columns if c in needed]


def _period_frame(
    idata: pd.DataFrame,
    block: np.ndarray,
    numeric: list[str],
    rows: np.ndarray,
    keep: list[str] | None = None,
) -> pd.DataFrame:
    """The rows ``rows`` of iData (numbered from 0): its text columns as given (``uCode``
    stripped), then the numeric columns ``keep`` (default: all) from the validated
    ``block`` (columns ``numeric``) in place of the raw ones."""
    keep = numeric if keep is None else keep
    numbers = set(numeric)
    every = len(rows) == len(idata) and bool(np.all(rows == np.arange(len(idata))))
    columns = {
        c: (idata[c] if every else idata[c].take(rows)).array
        for c in idata.columns.tolist()
        if c not in numbers
    }
    columns["uCode"] = pd.Series(columns["uCode"]).astype(str).str.strip().array
    where = {c: j for j, c in enumerate(numeric)}
    values = block[np.ix_(rows, [where[c] for c in keep])]
    columns.update(zip(keep, values.T, strict=True))
    return pd.DataFrame(columns)


def _split_period(idata: pd.DataFrame, time: Any) -> tuple[np.ndarray, np.ndarray | None, Any]:
    """The rows (numbered from 0) of the period ``time`` (default: the latest), those of
    earlier periods (None without any), and the period (None without a ``Time`` column)."""
    if "Time" not in idata.columns:
        return np.arange(len(idata)), None, None
    times = sorted(idata["Time"].dropna().unique())
    if time is None:
        time = times[-1]
    if time not in times:
        raise ValidationError(
            [
                Problem(
                    f"数据中没有该评价期；现有 {', '.join(map(str, times))} / period not in the "
                    f"data; available: {', '.join(map(str, times))}",
                    source="iData",
                    column="Time",
                    value=str(time),
                )
            ],
            title="没有该评价期 / unknown period",
        )
    column = idata["Time"]
    earlier = np.flatnonzero((column < time).to_numpy())
    return (
        np.flatnonzero((column == time).to_numpy()),
        (earlier if len(earlier) else None),
        time.item() if hasattr(time, "item") else time,
    )


def _unit_table(fw: Framework, current: pd.DataFrame) -> pd.DataFrame:
    cols = [c for c in ("uName", "uName_en", "Time") if c in current.columns]
    cols += [g.code for g in fw.groups if g.code in current.columns]
    cols += [d.code for d in fw.denominators if d.code in current.columns]
    units = pd.DataFrame(
        {c: current[c].array for c in cols}, index=pd.Index(current["uCode"], name="uCode")
    )
    if "uName" not in units.columns:
        units.insert(0, "uName", units.index.astype(str))
    return units
