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

__all__ = ["MAX_MAGNITUDE", "SCHEMAS", "check_params", "finite_number", "weight_rule"]

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


Rule = Number | Flag | Text | Choice | Interval
UNIT_SHARE = Number(0.0, 1.0)

#: stage → method (``"*"``: every method of the stage) → parameter → rule. A parameter
#: without a rule here (bod's bounds, screen's ``force``) is checked by its method.
SCHEMAS: dict[str, dict[str, dict[str, Rule]]] = {
    "screen": {
        "*": {"dat_thresh": UNIT_SHARE, "nonzero_thresh": UNIT_SHARE},
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
    },
}


def check_params(
    stage: str, methods: list[str], cfg: Mapping[str, Any], problems: ProblemList
) -> None:
    """Record every parameter of ``cfg`` (a resolved stage) that breaks its method's schema.

    ``methods``: the stage's method(s); an aggregate parameter given as a list holds one
    value per level, each checked.
    """
    rules = dict(SCHEMAS.get(stage, {}).get("*", {}))
    for m in methods:
        rules.update(SCHEMAS.get(stage, {}).get(m, {}))
    per_level = stage == "aggregate"
    for name, rule in rules.items():
        if name not in cfg:
            continue
        value = cfg[name]
        values = value if per_level and isinstance(value, list) else [value]
        for i, v in enumerate(values):
            if rule.ok(v):
                continue
            zh, en = rule.expected()
            where = f"{stage}.{name}" + (f"[{i}]" if len(values) > 1 else "")
            problems.add(f"参数{zh} / parameter {en}", source="spec", column=where, value=str(v))


def _fmt(v: float) -> str:
    return f"{v:g}"
