"""One schema per stage method: the shape, type and range of every spec parameter.

:func:`integrity_eval.spec.resolve` (and so ``validate``, ``build`` and ``run``) checks a
resolved stage against :data:`SCHEMAS` before any array is touched, so a parameter the
method cannot use is refused by name ("中文 / English"), never found later as a NumPy
traceback or, worse, a silently reversed table (``normalise: {l_u: [100, 0]}`` would turn
the league table upside down). The ranges are those under which each method is defined in
its source (COINr 1.1.14 ``n_minmax``/``n_zscore``/``Treat``/``a_genmean``; OECD/JRC
Handbook (2008) §1.4–1.6); docs/spec.md lists them.

Numbers are bounded by :data:`MAX_MAGNITUDE` so that no scale, threshold or weight can
overflow a float64 computation.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import ProblemList

__all__ = ["MAX_MAGNITUDE", "SCHEMAS", "Bounds", "check_params", "finite_number", "weight_rule"]

#: The largest magnitude a spec number (scale end, threshold, weight) or a data value may
#: have: 10¹⁵ keeps every difference, square and weighted sum of the build inside float64
#: (≈ 1.8·10³⁰⁸) with room for 10⁵ units, and it is far beyond any real indicator.
MAX_MAGNITUDE = 1e15


def finite_number(value: Any) -> bool:
    """A real number (not a bool, not NaN/±inf) of magnitude ≤ :data:`MAX_MAGNITUDE`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return False
    return math.isfinite(value) and abs(value) <= MAX_MAGNITUDE


def weight_rule(w: Any) -> str:
    """What a weight that is not a number from 0 to :data:`MAX_MAGNITUDE` breaks."""
    if isinstance(w, numbers.Real) and not isinstance(w, bool) and w > MAX_MAGNITUDE:
        return (
            f"权重不得超过 {MAX_MAGNITUDE:g}（权重是相对的，过大会使求和溢出） / weight must "
            f"be at most {MAX_MAGNITUDE:g} (weights are relative; larger ones overflow sums)"
        )
    return "权重应为非负数 / weight must be a number ≥ 0"


@dataclass(frozen=True)
class Number:
    """A finite number in ``[lo, hi]`` (``lo_open``: ``> lo``); ``integer``: a whole number;
    ``nullable``: ``null`` allowed."""

    lo: float = -MAX_MAGNITUDE
    hi: float = MAX_MAGNITUDE
    integer: bool = False
    lo_open: bool = False
    nullable: bool = False

    def ok(self, v: Any) -> bool:
        if v is None:
            return self.nullable
        if not finite_number(v) or (self.integer and float(v) != int(v)):
            return False
        return (v > self.lo if self.lo_open else v >= self.lo) and v <= self.hi

    def expected(self) -> tuple[str, str]:
        kind_zh, kind_en = ("整数", "a whole number") if self.integer else ("数字", "a number")
        lo = _fmt(self.lo) if self.lo > -MAX_MAGNITUDE else "−10¹⁵"
        hi = _fmt(self.hi) if self.hi < MAX_MAGNITUDE else "10¹⁵"
        op = "<" if self.lo_open else "≤"
        zh = f"须为{kind_zh}，{lo} {op} 值 ≤ {hi}"
        en = f"must be {kind_en} with {lo} {op} value ≤ {hi}"
        if self.nullable:
            zh, en = zh + "，或 null", en + ", or null"
        return zh, en


@dataclass(frozen=True)
class Flag:
    """``true`` or ``false``."""

    def ok(self, v: Any) -> bool:
        return isinstance(v, bool)

    def expected(self) -> tuple[str, str]:
        return "须为 true 或 false", "must be true or false"


@dataclass(frozen=True)
class Text:
    """A code or column name (a string; a whole number is read as its digits)."""

    def ok(self, v: Any) -> bool:
        if isinstance(v, str):
            return v.strip() != ""
        return isinstance(v, int) and not isinstance(v, bool)

    def expected(self) -> tuple[str, str]:
        return "须为代码或列名", "must be a code or column name"


@dataclass(frozen=True)
class Choice:
    """One of a few values."""

    values: tuple[Any, ...]

    def ok(self, v: Any) -> bool:
        return not isinstance(v, bool) and v in self.values

    def expected(self) -> tuple[str, str]:
        shown = ", ".join(map(str, self.values))
        return f"须为 {shown} 之一", f"must be one of {shown}"


@dataclass(frozen=True)
class Interval:
    """Two finite numbers ``[a, b]``: ``a < b`` (a scale's ends, lower then upper) or, with
    ``spread``, a centre and a positive spread (``[mean, sd]``)."""

    spread: bool = False

    def ok(self, v: Any) -> bool:
        if not isinstance(v, list | tuple) or len(v) != 2 or not all(map(finite_number, v)):
            return False
        return v[1] > 0 if self.spread else v[0] < v[1]

    def expected(self) -> tuple[str, str]:
        if self.spread:
            return (
                "须为两个数 [均值, 标准差]，标准差 > 0，绝对值 ≤ 10¹⁵",
                "must be two numbers [mean, sd] with sd > 0, each of magnitude ≤ 10¹⁵",
            )
        return (
            "须为两个数 [下限, 上限]，下限 < 上限（颠倒会使排名上下翻转），绝对值 ≤ 10¹⁵",
            "must be two numbers [lower, upper] with lower < upper (reversed ends turn the "
            "ranking upside down), each of magnitude ≤ 10¹⁵",
        )


@dataclass(frozen=True)
class Bounds:
    """Benefit-of-the-Doubt bounds (``share_bounds``, ``weight_bounds``): ``null``, a pair
    ``[lo, hi]`` with 0 ≤ lo ≤ hi ≤ 1 for every indicator, or a mapping code → such a pair.
    Whether the bounds can hold together (Σ lo ≤ 1 ≤ Σ hi) depends on the indicators and is
    checked where they are known (:func:`integrity_eval.dea.bounds_arrays`)."""

    def ok(self, v: Any) -> bool:
        if v is None:
            return True
        if isinstance(v, Mapping):
            return bool(v) and all(Text().ok(k) and _share_pair(p) for k, p in v.items())
        return _share_pair(v)

    @staticmethod
    def pair_shaped(v: Any) -> bool:
        """Two numbers: one pair for every level (as the pipeline reads it), never one value
        per level."""
        return isinstance(v, list) and len(v) == 2 and all(isinstance(b, int | float) for b in v)

    def expected(self) -> tuple[str, str]:
        return (
            "须为 null、一对数 [下限, 上限]（0 ≤ 下限 ≤ 上限 ≤ 1），或 代码 → 这样一对数 的映射",
            "must be null, a pair [lo, hi] with 0 ≤ lo ≤ hi ≤ 1, or a mapping code → such a pair",
        )


@dataclass(frozen=True)
class Codes:
    """A mapping code → value that meets ``rule`` (``scalar``: or one such value for every
    code; ``nullable``: or ``null``)."""

    rule: Number | Flag | Text | Choice
    scalar: bool = False
    nullable: bool = False

    def ok(self, v: Any) -> bool:
        if v is None:
            return self.nullable
        if isinstance(v, Mapping):
            return all(Text().ok(k) and self.rule.ok(x) for k, x in v.items())
        return self.scalar and self.rule.ok(v)

    def expected(self) -> tuple[str, str]:
        zh, en = self.rule.expected()
        zh, en = f"代码 → 值 的映射，每个值{zh}", f"a mapping code → value, each value {en}"
        if self.scalar:
            zh, en = f"一个值（用于所有代码）或{zh}", f"one value (for every code) or {en}"
        if self.nullable:
            zh, en = zh + "，或 null", en + ", or null"
        return "须为" + zh, "must be " + en


@dataclass(frozen=True)
class Paths:
    """A file path (``several``: or a list of them)."""

    several: bool = False

    def ok(self, v: Any) -> bool:
        if self.several and isinstance(v, list):
            return bool(v) and all(isinstance(p, str) and p.strip() for p in v)
        return isinstance(v, str) and v.strip() != ""

    def expected(self) -> tuple[str, str]:
        if self.several:
            return "须为文件路径或路径列表", "must be a file path or a list of paths"
        return "须为文件路径", "must be a file path"


@dataclass(frozen=True)
class Several:
    """A non-empty list of values that meet ``rule``."""

    rule: Number

    def ok(self, v: Any) -> bool:
        return isinstance(v, list) and bool(v) and all(map(self.rule.ok, v))

    def expected(self) -> tuple[str, str]:
        zh, en = self.rule.expected()
        return f"须为数的列表，每个数为{zh[2:]}", f"must be a list of numbers, each {en[8:]}"


@dataclass(frozen=True)
class Either:
    """A value that meets one of ``rules``."""

    rules: tuple[Any, ...]

    def ok(self, v: Any) -> bool:
        return any(r.ok(v) for r in self.rules)

    def expected(self) -> tuple[str, str]:
        parts = [r.expected() for r in self.rules]
        return "；或".join(zh for zh, _ in parts), "; or ".join(en for _, en in parts)


Rule = Number | Flag | Text | Choice | Interval | Bounds | Codes | Paths | Several | Either
UNIT_SHARE = Number(0.0, 1.0)
BOD = {"share_bounds": Bounds(), "weight_bounds": Bounds()}
DIRECTIONS = {"directions": Codes(Choice((-1, 1)), nullable=True)}
THRESHOLD = Codes(Number(0.0), scalar=True, nullable=True)

#: stage → method (``"*"``: every method of the stage) → parameter → rule. The aggregate
#: stage also holds the whole-matrix MCDA methods a spec may name for the top level (their
#: options hold one value, never one per level), and ``weights`` the weighting models
#: (``integrity_eval.weights.models``). Checked elsewhere, with messages of their own:
#: ``screen.unit_screen`` and ``treat.fallback`` (:mod:`integrity_eval.spec`), the
#: models' ``dset`` and ``level`` (``resolve_model_spec``), optimise's ``cortype`` and
#: the codes of its ``itarg`` (``weights.balance.check_settings``).
SCHEMAS: dict[str, dict[str, dict[str, Rule]]] = {
    "screen": {
        "*": {
            "dat_thresh": UNIT_SHARE,
            "nonzero_thresh": UNIT_SHARE,
            "force": Codes(Flag(), nullable=True),
        },
    },
    "impute": {
        "mean_group": {"group": Text()},
        "median_group": {"group": Text()},
        "latest": {"max_time": Number(0, integer=True, nullable=True)},
        "knn": {"n_neighbors": Number(1, 10_000, integer=True), "scale": Flag()},
        "iterative": {
            "max_iter": Number(1, 10_000, integer=True),
            "seed": Number(0, 2**32 - 1, integer=True),
            "scale": Flag(),
        },
    },
    "treat": {
        "winsorise": {
            "winmax": Number(0, integer=True, nullable=True),
            "skew_thresh": Number(0.0, lo_open=True),
            "kurt_thresh": Number(),
            "force_win": Flag(),
        },
    },
    "normalise": {
        "minmax": {"l_u": Interval()},
        "zscore": {"m_sd": Interval(spread=True)},
        "dist2ref": {"iref": Text(), "cap_max": Flag()},
        "dist2targ": {"cap_max": Flag()},
        "goalposts": {"scale": Number(0.0, lo_open=True), "trunc2posts": Flag()},
        "efficacy": {"base": Number(), "span": Number(0.0, lo_open=True)},
    },
    "aggregate": {
        "*": {"dat_thresh": Number(0.0, 1.0, nullable=True)},
        "genmean": {"p": Number(-10.0, 10.0)},
        "points": {"base": Number(), "bonus_cap": Number(0.0, nullable=True)},
        "mpi": {"penalty": Choice((-1, 1))},
        "ampi": {"penalty": Choice((-1, 1))},
        "bod": BOD,
        # whole-matrix MCDA methods at the top (integrity_eval.mcda)
        "topsis": {"normalisation": Choice(("vector", "minmax"))},
        "vikor": {"v": UNIT_SHARE},
        "promethee_ii": {
            "preference": Codes(Text(), scalar=True),
            "q": THRESHOLD,
            "p": THRESHOLD,
            "s": THRESHOLD,
        },
        "waspas": {"lam": UNIT_SHARE},
        "cocoso": {"lam": UNIT_SHARE},
    },
    "weights": {
        **{m: DIRECTIONS for m in ("entropy", "critic", "std", "merec", "cilos", "idocriw")},
        **{m: DIRECTIONS for m in ("gini", "lopcow", "variance", "angle")},
        "pca": {"n_factors": Number(1, 10_000, integer=True, nullable=True)},
        "factor": {
            "n_factors": Number(1, 10_000, integer=True, nullable=True),
            "seed": Number(0, 2**32 - 1, integer=True),
        },
        "bod": {**BOD, **DIRECTIONS},
        "regression": {
            **DIRECTIONS,
            "outcome": Either((Codes(Number()), Paths())),
            "alpha": Number(0.0, 1.0, lo_open=True),
        },
        "ahp": {
            "questionnaires": Paths(several=True),
            "how": Choice(("judgements", "priorities")),
            "ri_table": Text(),
        },
        "budget": {"allocations": Paths(), "total": Number(0.0, lo_open=True, nullable=True)},
        "bwm": {"questionnaires": Paths(several=True)},
        "optimise": {
            "itarg": Either((Choice(("equal",)), Several(Number(0.0)), Codes(Number(0.0)))),
            "toler": Number(0.0, lo_open=True),
            "maxiter": Number(1, 1_000_000, integer=True),
        },
    },
}


def check_params(
    stage: str,
    methods: list[str],
    cfg: Mapping[str, Any],
    problems: ProblemList,
    *,
    levels: int | None = None,
    top: str | None = None,
) -> None:
    """Record every parameter of ``cfg`` (a resolved stage) that breaks its method's schema.

    ``methods``: the stage's method(s). An aggregate parameter given as a list (and not a
    value its rule accepts whole, as a bounds pair) holds one value per level, each
    checked; ``levels``: how many levels there are to aggregate, when known (the list must
    have one value for each). ``top``: a whole-matrix MCDA method named for the top level,
    whose options hold one value.
    """
    stage_rules = SCHEMAS.get(stage, {})
    rules = {name: (rule, stage == "aggregate") for name, rule in stage_rules.get("*", {}).items()}
    for m in methods:
        rules.update((n, (r, stage == "aggregate")) for n, r in stage_rules.get(m, {}).items())
    if top is not None:
        rules.update((n, (r, False)) for n, r in stage_rules.get(top, {}).items())
    for name, (rule, per_level) in rules.items():
        if name not in cfg:
            continue
        value = cfg[name]
        by_level = per_level and isinstance(value, list) and not rule.ok(value)
        by_level = by_level and not (isinstance(rule, Bounds) and rule.pair_shaped(value))
        values = value if by_level else [value]
        if by_level and levels is not None and len(values) != levels:
            problems.add(
                f"每层一个值的列表须有 {levels} 个值（指标以上每层一个）/ a list of one value per "
                f"level needs {levels} values (one per level above the indicators)",
                source="spec",
                column=f"{stage}.{name}",
                value=str(value),
            )
            continue
        for i, v in enumerate(values):
            if rule.ok(v):
                continue
            zh, en = rule.expected()
            where = f"{stage}.{name}" + (f"[{i}]" if by_level else "")
            problems.add(f"参数{zh} / parameter {en}", source="spec", column=where, value=str(v))


def _share_pair(v: Any) -> bool:
    """``[lo, hi]`` with 0 ≤ lo ≤ hi ≤ 1."""
    if not isinstance(v, list | tuple) or len(v) != 2 or not all(map(finite_number, v)):
        return False
    return 0 <= v[0] <= v[1] <= 1


def _fmt(v: float) -> str:
    return f"{v:g}"
