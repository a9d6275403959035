"""Build specifications: plain dicts (or YAML files) naming each stage's method.

The vocabulary (user guide: ``docs/spec.md``) is COINr's names without prefixes::

    denominate: {}
    impute:    {method: mean_group, group: EurAsia_group}
    screen:    {dat_thresh: 0.9, unit_screen: byNA}
    treat:     {method: winsorise, winmax: 5, skew_thresh: 2, kurt_thresh: 3.5}
    normalise: {method: minmax, l_u: [0, 100]}
    aggregate: {method: amean}          # or one method per level: [amean, gmean, amean]
    aggregate: {method: vikor, v: 0.5}  # or a whole-matrix MCDA method at the top (below: amean)
    weights:   {method: framework}      # framework | equal, plus optional values: {code: w}
    exclude:   [D05_debt_arrears]       # indicators or aggregates left out of the build

A weight may be 0 (the element stays in every table but not in its parent's
aggregate); ``exclude`` removes elements from the build altogether
(:meth:`Framework.excluding <integrity_eval.framework.Framework.excluding>`).

A stage left out (or set to ``None``) is skipped. :func:`resolve` fills every
parameter with the method's default (read from the function's signature, so
the defaults live in one place) and reports every unknown key, method or
parameter at once. :func:`set_params` applies scikit-learn style
``stage__param`` updates; changing a stage's ``method`` resets its other
parameters to the new method's defaults unless they are given in the same call.
"""

from __future__ import annotations

import copy
import hashlib
import inspect
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from . import screen, treat
from .errors import Problem, ProblemList, ValidationError, report_unknown, suggest
from .mcda import MCDA_METHODS
from .methods import DEFAULT_METHOD, METHODS, method_params
from .params import check_params, finite_number, weight_rule
from .pipeline import mcda_params
from .weights.models import WEIGHT_MODELS, resolve_model_spec

STAGES = ("denominate", "impute", "screen", "treat", "normalise", "aggregate")
SPEC_KEYS = ("defaults", "missing", "exclude", *STAGES, "weights", "uncertainty")
# Policies for blank indicator cells (docs/spec.md "missing").
MISSING_POLICIES = ("worst", "impute", "skip")
# Denominate is a no-op for frameworks without denominators.
DEFAULT_SPEC: dict[str, Any] = {
    "denominate": {},
    "normalise": {"method": "minmax"},
    "aggregate": {"method": "amean"},
}
# Stage-level parameters that are not arguments of the method function.
_STAGE_EXTRA: dict[str, dict[str, Any]] = {"aggregate": {"dat_thresh": None}}
WEIGHT_METHODS = ("framework", "equal")


def framework_default(framework: Any) -> dict[str, Any]:
    """The spec ``build`` uses when none is given.

    A framework whose ``rating`` block has ``method: points`` (the Jiangyin plan,
    002_93c988d6af699336.txt §二.(二).3) scores points totals: each item clipped to its
    ``[min, max]`` (``normalise: clip``), areas summed, and the top level
    ``base + min(bonus_cap, Σ bonus items) − Σ deduction items`` (``aggregate: points``),
    with ``base`` and ``bonus_cap`` from the block. Any other framework: :data:`DEFAULT_SPEC`.
    The stages named in the framework's own ``spec:`` block replace those of the same name
    (the shipped integrity frameworks add unit screening there).
    """
    own = copy.deepcopy(dict(getattr(framework, "spec", None) or {}))
    policy = getattr(framework, "missing", None)
    return {**({"missing": policy} if policy else {}), **_stage_default(framework), **own}


def has_default(framework: Any) -> bool:
    """Whether the framework carries a default spec (a ``spec:`` block, a ``missing:``
    policy or a points rating) that a given spec is laid over."""
    rating = getattr(framework, "rating", None) or {}
    return bool(
        getattr(framework, "spec", None)
        or getattr(framework, "missing", None)
        or rating.get("method") == "points"
    )


def lay_over(
    default: Mapping[str, Any], given: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """``given`` laid over ``default`` stage by stage (docs/spec.md).

    A stage ``given`` names replaces the default's stage; ``stage: null`` drops it;
    ``exclude`` adds its codes to the default's and ``weights`` its values (and method,
    if named) to the default's; ``defaults: false`` uses ``given`` alone. Returns the
    merged spec and where each of its keys came from (``"default"``, ``"given"`` or
    ``"both"``).
    """
    given = dict(given)
    if given.pop("defaults", True) is False:
        return given, dict.fromkeys(given, "given")
    out = copy.deepcopy(dict(default))
    origin = dict.fromkeys(out, "default")
    for key, value in given.items():
        if value is None:
            out.pop(key, None)
            origin.pop(key, None)
        elif key == "exclude" and key in out:
            extra = [value] if isinstance(value, str) else list(value or [])
            base = [out[key]] if isinstance(out[key], str) else list(out[key])
            out[key] = [*base, *(c for c in extra if c not in base)]
            origin[key] = "both"
        elif key == "weights" and key in out and isinstance(value, Mapping):
            values = {**dict(out[key].get("values") or {}), **dict(value.get("values") or {})}
            out[key] = {**out[key], **value, "values": values}
            origin[key] = "both"
        else:
            out[key] = copy.deepcopy(value)
            origin[key] = "given"
    return out, origin


def with_defaults(
    framework: Any, spec: Mapping[str, Any] | str | Path | None
) -> tuple[dict[str, Any], dict[str, str]]:
    """The spec a build of ``framework`` uses, not yet resolved, and the origin of each key.

    ``None``: the framework's default (:func:`framework_default`); a spec given with a
    framework that has a default (:func:`has_default`) is laid over it (:func:`lay_over`);
    otherwise the spec alone. When the framework has a default, the result says
    ``defaults: false``, so that building again with it (``Evaluation.with_params``, a
    panel, the uncertainty engine) changes nothing.
    """
    if spec is None:
        merged = framework_default(framework)
        origin = dict.fromkeys(merged, "default")
    elif has_default(framework):
        merged, origin = lay_over(framework_default(framework), load_spec(spec))
    else:
        merged = load_spec(spec)
        merged.pop("defaults", None)
        origin = dict.fromkeys(merged, "given")
    if has_default(framework):
        merged = {"defaults": False, **merged}
    return merged, origin


def _stage_default(framework: Any) -> dict[str, Any]:
    """:data:`DEFAULT_SPEC`, or the points stages of a points framework's rating block."""
    rating = getattr(framework, "rating", None) or {}
    if rating.get("method") != "points":
        return copy.deepcopy(DEFAULT_SPEC)
    problems = ProblemList()
    for key in ("base", "bonus_cap"):
        value = rating.get(key)
        if value is not None and not (
            isinstance(value, int | float) and not isinstance(value, bool)
        ):
            problems.add(
                "须为数字 / must be a number", source="framework rating", column=key, value=value
            )
    problems.raise_if_any("评级设置无效 / invalid rating block")
    above = framework.n_levels - 1
    return {
        "denominate": {},
        "normalise": {"method": "clip"},
        "aggregate": {
            "method": ["sum"] * (above - 1) + ["points"],
            "base": rating.get("base", 0),
            "bonus_cap": rating.get("bonus_cap"),
        },
    }


def load_spec(spec: str | Path | Mapping[str, Any] | None) -> dict[str, Any]:
    """A spec from a dict, a YAML file, or ``None`` (the default spec); not yet resolved."""
    if spec is None:
        return copy.deepcopy(DEFAULT_SPEC)
    if isinstance(spec, Mapping):
        return copy.deepcopy(dict(spec))
    path = Path(spec)
    if not path.exists():
        raise ValidationError([Problem("file does not exist", source=str(path))], "spec not found")
    from .io import load_yaml  # local: io's readers are not needed to use a spec dict

    data = load_yaml(path, title="spec does not parse")
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise ValidationError(
            [Problem("a spec must be a mapping of stage names", source=str(path))], "invalid spec"
        )
    return dict(data)


def resolve(spec: Mapping[str, Any] | None, n_levels: int | None = None) -> dict[str, Any]:
    """Validate a spec and fill in every default; raises one error listing every problem."""
    spec = load_spec(spec) if not isinstance(spec, Mapping) else dict(spec)
    problems = ProblemList()
    out: dict[str, Any] = {}
    for key, value in spec.items():
        if key not in SPEC_KEYS:
            problems.add(
                f"unknown spec key; expected one of {list(SPEC_KEYS)}",
                source="spec",
                column=key,
                value=suggest(key, SPEC_KEYS),
            )
            continue
        if value is None:
            continue
        if key == "defaults":
            if not isinstance(value, bool):
                problems.add(
                    "defaults 应为 true 或 false / defaults must be true or false",
                    source="spec",
                    column=key,
                    value=value,
                )
            elif value is False:
                out[key] = False
            continue
        if key == "missing":
            if value in MISSING_POLICIES:
                out[key] = value
            else:
                problems.add(
                    f"missing 应为 {list(MISSING_POLICIES)} 之一 / missing must be one of "
                    f"{list(MISSING_POLICIES)} (worst: a blank scores the worst goalpost; "
                    "impute: the impute stage fills it; skip: re-weighted among the reported)",
                    source="spec",
                    column=key,
                    value=suggest(str(value), MISSING_POLICIES),
                )
            continue
        if key == "exclude":
            if codes := _resolve_exclude(value, problems):
                out[key] = codes
            continue
        if key == "uncertainty":
            if inputs := _resolve_uncertainty(value, problems):
                out[key] = inputs
            continue
        if not isinstance(value, Mapping):
            problems.add(
                "a stage's settings must be a mapping (or null to skip)",
                source="spec",
                column=key,
                value=value,
            )
            continue
        out[key] = _resolve_stage(key, dict(value), n_levels, problems)
    problems.raise_if_any("invalid spec")
    return {k: out[k] for k in SPEC_KEYS if k in out}


def _resolve_uncertainty(value: Any, problems: ProblemList) -> list[dict[str, Any]]:
    """The ``uncertainty:`` inputs of ``run --draws``: a list of input mappings.

    Kept as plain data; :func:`integrity_eval.uncertainty.run` validates their content
    (paths, alternatives, noise) before any replication runs.
    """
    if isinstance(value, list) and all(isinstance(v, Mapping) for v in value):
        return [dict(v) for v in value]
    problems.add(
        "不确定性输入须为映射的列表 / uncertainty inputs must be a list of mappings "
        "(one per uncertain input, e.g. {path: weights, noise: 0.25})",
        source="spec",
        column="uncertainty",
        value=value,
    )
    return []


def _resolve_stage(
    stage: str, cfg: dict[str, Any], n_levels: int | None, problems: ProblemList
) -> dict[str, Any]:
    if stage == "denominate":
        _report(stage, cfg, set(), problems)
        return {}
    if stage == "screen":
        allowed = method_params(screen.screen)
        _report(stage, cfg, set(allowed), problems)
        if cfg.get("unit_screen", "byNA") not in screen.UNIT_SCREEN:
            problems.add(
                f"unit_screen must be one of {list(screen.UNIT_SCREEN)}",
                source="spec",
                column="screen.unit_screen",
                value=suggest(str(cfg.get("unit_screen")), screen.UNIT_SCREEN),
            )
        out = {**allowed, **cfg}
        check_params(stage, [], out, problems)
        return out
    if stage == "weights":
        method = cfg.get("method", "framework")
        cfg["values"] = _weight_values(cfg.get("values"), problems)
        if isinstance(method, str) and method in WEIGHT_MODELS:  # a model in the build (§4)
            return resolve_model_spec(cfg, problems)
        _report(stage, cfg, {"method", "values"}, problems)
        if not isinstance(method, str) or method not in WEIGHT_METHODS:
            problems.add(
                f"weights method must be one of {[*WEIGHT_METHODS, *WEIGHT_MODELS]}",
                source="spec",
                column="weights.method",
                value=method,
            )
        return {"method": method, "values": cfg["values"]}
    registry = METHODS[stage]
    method = cfg.get("method", DEFAULT_METHOD[stage])
    methods = method if isinstance(method, list) else [method]
    if not methods or not all(isinstance(m, str) for m in methods):
        problems.add(
            "方法须为方法名（或每层一个方法名的列表）/ method must be a method name (or a list "
            "of one name per level)",
            source="spec",
            column=f"{stage}.method",
            value=method,
        )
        return cfg
    mcda: dict[str, Any] = {}
    top = methods[-1] if stage == "aggregate" and methods[-1] in MCDA_METHODS else None
    if stage == "aggregate":
        methods, mcda = _split_mcda(methods, problems)
    by_node = cfg.pop("by_node", None) if stage == "aggregate" else None
    if by_node is not None:  # per-aggregate methods (beyond COINr, bluefoxr/COINr#35)
        methods = [*methods, *_check_by_node(by_node, registry, problems)]
    if stage == "aggregate" and isinstance(method, list) and n_levels is not None:
        if len(method) != n_levels - 1:
            problems.add(
                f"one aggregation method per level above the indicators ({n_levels - 1}) is needed",
                source="spec",
                column="aggregate.method",
                value=method,
            )
    elif isinstance(method, list) and stage != "aggregate":
        problems.add(
            "method must be a single name", source="spec", column=f"{stage}.method", value=method
        )
        return cfg
    allowed: dict[str, Any] = {**_STAGE_EXTRA.get(stage, {}), **mcda}
    for m in methods:
        if m not in registry:
            known = [*registry, *MCDA_METHODS] if stage == "aggregate" else list(registry)
            problems.add(
                f"unknown {stage} method; expected one of {known}",
                source="spec",
                column=f"{stage}.method",
                value=suggest(str(m), known),
            )
            continue
        for name, default in method_params(registry[m]).items():
            allowed.setdefault(name, default)
    _report(stage, cfg, {"method", *allowed}, problems)
    out = {"method": method}
    for name, default in allowed.items():
        if name in cfg:
            out[name] = cfg[name]
        elif name == "seed":
            continue  # filled from build(seed=...) unless the spec pins it
        elif default is inspect.Parameter.empty:
            if name != "seed":
                problems.add(
                    f"parameter '{name}' is required by {stage} method {method!r}",
                    source="spec",
                    column=f"{stage}.{name}",
                )
        elif (
            _used_by(name, methods, registry) or name in _STAGE_EXTRA.get(stage, {}) or name in mcda
        ):
            out[name] = list(default) if isinstance(default, tuple) else default
    if stage == "treat" and out.get("fallback") not in treat.FALLBACKS:
        problems.add(
            treat.FALLBACK_RULE, source="spec", column="treat.fallback", value=out["fallback"]
        )
    levels = n_levels - 1 if n_levels is not None else None
    used = [m for m in methods if m in registry]
    check_params(stage, used, out, problems, levels=levels, top=top)
    if by_node is not None:
        out["by_node"] = dict(by_node)
    return out


def _split_mcda(methods: list, problems: ProblemList) -> tuple[list, dict[str, Any]]:
    """The aggregate stage's weighted-mean methods, and the options (with their defaults)
    of a whole-matrix MCDA method (:data:`~integrity_eval.mcda.MCDA_METHODS`) named for
    the top level. Such a method scores the root from every indicator at once, so it can
    only be the last level's method (or the single method: the levels below use amean)."""
    *below, top = methods
    for m in below:
        if isinstance(m, str) and m in MCDA_METHODS:
            problems.add(
                "多准则方法对全部指标整体打分，只能用于最高层 / an MCDA method scores the "
                "whole indicator matrix, so it can only be the top level's method",
                source="spec",
                column="aggregate.method",
                value=m,
            )
    if not (isinstance(top, str) and top in MCDA_METHODS):
        return methods, {}
    return [m for m in below if m not in MCDA_METHODS] or ["amean"], mcda_params(top)


def _check_by_node(by_node: Any, registry: Mapping[str, Callable], problems: ProblemList) -> list:
    """The methods named in ``aggregate.by_node`` (aggregate code → method), checked."""
    if not isinstance(by_node, Mapping):
        problems.add(
            "aggregate.by_node must map aggregate codes to method names",
            source="spec",
            column="aggregate.by_node",
            value=by_node,
        )
        return []
    for code, m in by_node.items():
        if m not in registry:
            problems.add(
                f"unknown aggregate method; expected one of {list(registry)}",
                source="spec",
                column=f"aggregate.by_node.{code}",
                value=suggest(str(m), registry),
            )
    return [m for m in by_node.values() if m in registry]


def _used_by(name: str, methods: list, registry: Mapping[str, Callable]) -> bool:
    return any(m in registry and name in method_params(registry[m]) for m in methods)


def set_params(spec: Mapping[str, Any], **params: Any) -> dict[str, Any]:
    """Apply ``stage=…`` and ``stage__param=…`` updates to a (resolved) spec.

    ``treat=None`` drops a stage; ``normalise__method="zscore"`` switches method
    and resets the stage's other parameters unless given in the same call.
    """
    new = copy.deepcopy(dict(spec))
    nested: dict[str, dict[str, Any]] = {}
    for path, value in params.items():
        stage, _, param = path.partition("__")
        if not param:
            if value is None:
                new.pop(stage, None)
            else:
                new[stage] = dict(value) if isinstance(value, Mapping) else value
            continue
        nested.setdefault(stage, {})[param] = value
    for stage, updates in nested.items():
        current = dict(new.get(stage) or {})
        if "method" in updates and updates["method"] != current.get("method"):
            current = {}
        current.update(updates)
        new[stage] = current
    return new


def spec_hash(spec: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a resolved spec."""
    text = json.dumps(spec, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _weight_values(values: Any, problems: ProblemList) -> dict[Any, Any]:
    """``weights.values``: a mapping code → weight, each a number from 0 to
    :data:`~integrity_eval.params.MAX_MAGNITUDE` (every fault a problem)."""
    if values is None:
        return {}
    if not isinstance(values, Mapping):
        problems.add(
            "weights.values 须为 代码 → 权重 的映射 / weights.values must be a mapping "
            "code → weight",
            source="spec",
            column="weights.values",
            value=values,
        )
        return {}
    for code, w in values.items():
        if not (finite_number(w) and w >= 0):
            problems.add(weight_rule(w), source="spec", column=f"weights.values.{code}", value=w)
    return dict(values)


def _resolve_exclude(value: Any, problems: ProblemList) -> list[str]:
    """``exclude``: a list of codes (one code may be given as a plain string)."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(c, str | int) for c in items):
        problems.add(
            "exclude 应为代码列表 / exclude must be a list of indicator or aggregate codes",
            source="spec",
            column="exclude",
            value=value,
        )
        return []
    return [str(c) for c in items]


def _report(stage: str, cfg: Mapping[str, Any], allowed: set[str], problems: ProblemList) -> None:
    report_unknown(
        cfg, allowed, problems, what=f"parameter for {stage}", prefix=f"{stage}.", source="spec"
    )
