"""Rating schemes: named grade bands with lower edges, and veto rules (直接判级).

A scheme maps a score to a grade. Bands are listed best first, each with its
lower edge; the worst band has none. A score equal to an edge gets the better
grade (A ≥ 90, B 70–<90, …), as in the Chinese tax-credit grading
(《纳税信用管理办法（试行）》, 国家税务总局公告2014年第40号, 第十九条: "A级 90分以上,
B级 70分以上不满90分, C级 40分以上不满70分, D级 不满40分"). Scores within a relative
1e-9 of an edge count as equal to it, so that floating-point rounding of a score that
is on the edge in exact arithmetic (70 computed as 69.99999999999999) does not
change its grade.

Veto rules cap the grade of a unit whose **raw** value of an indicator meets a
condition, whatever its score (the tax-credit rules' 直接判级, art. 20). They are
data — ``{"name": {"zh": …, "en": …}, "indicator": CODE, "op": ">", "value": 0,
"cap": "C"}`` — and the comparison is one of :data:`OPS`, taken from
:mod:`operator`; nothing a user writes is evaluated as code.

Schemes come from :func:`load_scheme` (a shipped name, a YAML path or a dict), from
:class:`Scheme` directly, or from a framework's ``rating`` block
(:func:`scheme_from_rating`).
"""

from __future__ import annotations

import dataclasses
import html
import itertools
import math
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import Problem, ProblemList, ValidationError, report_unknown, suggest
from ..io import load_yaml

__all__ = [
    "OPS",
    "Scheme",
    "Veto",
    "available_schemes",
    "load_scheme",
    "resolve",
    "scheme_from_rating",
]

# The comparisons a veto may use: a fixed whitelist, never ``eval``.
OPS: dict[str, Callable[[Any, Any], Any]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
}
# Relative tolerance under which a score counts as equal to an edge.
EDGE_RTOL = 1e-9

SCHEME_KEYS = {"name", "title", "source", "note", "bands", "stars", "vetoes", "calibration"}
BAND_KEYS = {"grade", "stars", "min", "max", "zh", "en"}
VETO_KEYS = {"name", "indicator", "op", "value", "cap", "source"}
# Keys a framework's ``rating`` block may hold besides a scheme's own.
RATING_KEYS = {
    "method",
    "scheme",
    "base",
    "bonus_cap",
    "formula",
    "range",
    "monitoring",
    "publication",
}


@dataclass(frozen=True)
class Veto:
    """One veto rule: a unit whose raw ``indicator`` value ``op`` ``value`` is capped at ``cap``."""

    name_zh: str
    name_en: str
    indicator: str
    op: str
    value: float
    cap: str
    source: str = ""

    def name(self, lang: str = "zh") -> str:
        first, second = (
            (self.name_zh, self.name_en) if lang == "zh" else (self.name_en, self.name_zh)
        )
        return first or second

    def fires(self, x: np.ndarray) -> np.ndarray:
        """Where the condition holds (a missing value never fires: see ``Rated.unchecked``)."""
        x = np.asarray(x, dtype=float)
        with np.errstate(invalid="ignore"):
            return ~np.isnan(x) & OPS[self.op](x, self.value)

    def describe(self, lang: str = "zh") -> str:
        word = "封顶" if lang == "zh" else "capped at"
        return (
            f"{self.name(lang)}: {self.indicator} {self.op} {_num(self.value)} → {word} {self.cap}"
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": {"zh": self.name_zh, "en": self.name_en},
            "indicator": self.indicator,
            "op": self.op,
            "value": self.value,
            "cap": self.cap,
        }
        if self.source:
            out["source"] = self.source
        return out


class Scheme:
    """Grade bands, best first, with lower edges; optional veto rules.

    >>> s = Scheme(bands=[("A", 90), ("B", 70), ("C", 40), ("D", None)])
    >>> s.bands
    [('A', 90.0), ('B', 70.0), ('C', 40.0), ('D', None)]
    >>> s.grade([95, 90, 89.5, 10]).tolist()
    ['A', 'A', 'B', 'D']

    ``bands`` entries are ``(grade, lower_edge)`` tuples, optionally with a third
    element ``{"zh": …, "en": …}`` (the band's names), or mappings with keys
    ``grade`` (or ``stars``: an integer, for star schemes), ``min``, optional ``max``
    (checked against the next better band's ``min``: a gap or an overlap is an
    error), ``zh``, ``en``. ``vetoes``: :class:`Veto` objects or mappings (see
    the module docstring). Every problem is reported at once in one
    :class:`~integrity_eval.errors.ValidationError`.
    """

    def __init__(
        self,
        bands: Sequence[Any],
        vetoes: Sequence[Any] | None = None,
        *,
        name: str = "",
        title: Mapping[str, str] | str | None = None,
        source: str = "",
        note: str = "",
        calibration: Mapping[str, Any] | None = None,
        origin: str = "scheme",
    ) -> None:
        problems = ProblemList()
        parsed = _parse_bands(bands, origin, problems)
        codes = [b[0] for b in parsed]
        self._vetoes = tuple(_parse_vetoes(vetoes, codes, origin, problems))
        #: whether the scheme lists its own ``vetoes:`` (even an empty list): then a
        #: framework's veto rules do not carry over to it (:func:`resolve`)
        self.declares_vetoes = vetoes is not None
        #: the framework's veto rules this scheme replaced by its own (for the report)
        self.replaced_vetoes: tuple[Veto, ...] = ()
        problems.raise_if_any("评级方案无效 / invalid rating scheme")
        self._codes = tuple(codes)
        self._edges = tuple(b[1] for b in parsed)
        self._names = {b[0]: (b[2], b[3]) for b in parsed}
        self._stars = {b[0]: b[4] for b in parsed if b[4] is not None}
        self.name = name
        self.title_zh, self.title_en = _pair(title)
        self.source = source
        self.note = note
        # how a calibrated scheme was obtained (plain data, kept in the manifest)
        self.calibration = dict(calibration) if calibration else None

    # ------------------------------------------------------------ views
    @property
    def bands(self) -> list[tuple[str, float | None]]:
        """``[(grade, lower edge), …]`` best first; the worst band's edge is ``None``."""
        return list(zip(self._codes, self._edges, strict=True))

    @property
    def grades(self) -> list[str]:
        """Grade codes, best first."""
        return list(self._codes)

    @property
    def edges(self) -> np.ndarray:
        """The lower edges of every band but the worst, decreasing."""
        return np.array(self._edges[:-1], dtype=float)

    @property
    def vetoes(self) -> tuple[Veto, ...]:
        return self._vetoes

    @property
    def is_stars(self) -> bool:
        """Whether the bands are star levels (each band carries a number of stars)."""
        return len(self._stars) == len(self._codes)

    def stars(self, grade: str) -> int:
        return self._stars[grade]

    def grade_name(self, grade: str, lang: str = "zh") -> str:
        zh, en = self._names[grade]
        return (zh or en or grade) if lang == "zh" else (en or zh or grade)

    def band_text(self, grade: str) -> str:
        """The band's score range in words, e.g. ``70 ≤ score < 90``."""
        i = self._codes.index(grade)
        lo = self._edges[i]
        hi = self._edges[i - 1] if i > 0 else None
        if lo is None:
            return f"score < {_num(hi)}"
        return f"score ≥ {_num(lo)}" if hi is None else f"{_num(lo)} ≤ score < {_num(hi)}"

    def __repr__(self) -> str:
        bands = ", ".join(f"{c} ≥ {_num(e)}" if e is not None else c for c, e in self.bands)
        vetoes = f"; {len(self._vetoes)} veto rule(s)" if self._vetoes else ""
        return f"<Scheme {self.name or '(unnamed)'}: {bands}{vetoes}>"

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(c)}</td><td>{html.escape(self.grade_name(c, 'zh'))}</td>"
            f"<td>{html.escape(self.grade_name(c, 'en'))}</td>"
            f"<td>{html.escape(self.band_text(c))}</td></tr>"
            for c in self._codes
        )
        out = (
            f"<h4>评级方案 / rating scheme: {html.escape(self.name or '(unnamed)')}</h4>"
            "<table><tr><th>grade</th><th>名称</th><th>name</th><th>range</th></tr>"
            f"{rows}</table><p>边界取较高等级 / a score equal to an edge gets the better grade</p>"
        )
        if self._vetoes:
            items = "".join(f"<li>{html.escape(v.describe('zh'))}</li>" for v in self._vetoes)
            out += f"<p>直接判级 / veto rules:</p><ul>{items}</ul>"
        return out

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Scheme) and self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]

    # ------------------------------------------------------------ grading
    def grade_index(self, scores: Any) -> np.ndarray:
        """Band index (0 = best) of each score; −1 for a missing score. Vectorised."""
        s = np.asarray(scores, dtype=float)
        edges = self.edges
        # a score within EDGE_RTOL of an edge counts as on it (the better grade)
        lowered = edges - EDGE_RTOL * np.maximum(1.0, np.abs(edges))
        idx = np.zeros(s.shape, dtype=np.int64)
        for edge in lowered:  # a few edges; vectorised over every score
            idx += s < edge
        return np.where(np.isnan(s), -1, idx)

    def grade(self, scores: Any) -> np.ndarray:
        """Grade code of each score (``None`` where the score is missing)."""
        idx = self.grade_index(scores)
        codes = np.array([*self._codes, None], dtype=object)
        return codes[idx]

    def with_vetoes(self, vetoes: Sequence[Any]) -> Scheme:
        """A copy with these veto rules added to its own (it then lists its vetoes)."""
        return Scheme(
            self._band_dicts(),
            [*self._vetoes, *vetoes],
            name=self.name,
            title={"zh": self.title_zh, "en": self.title_en},
            source=self.source,
            note=self.note,
            calibration=self.calibration,
        )

    # ------------------------------------------------------------ plain data
    def _band_dicts(self) -> list[dict[str, Any]]:
        out = []
        for code, edge in self.bands:
            zh, en = self._names[code]
            d: dict[str, Any] = {"grade": code}
            if code in self._stars:
                d["stars"] = self._stars[code]
            if edge is not None:
                d["min"] = edge
            if zh:
                d["zh"] = zh
            if en:
                d["en"] = en
            out.append(d)
        return out

    def carrying(self, vetoes: Sequence[Veto], grades: Sequence[str]) -> Scheme:
        """A copy with another scheme's veto rules, each cap moved onto this scheme's bands.

        A cap this scheme also has stays; otherwise it maps by position (the second of
        four grades → the second of four; with another number of bands, the nearest
        relative position), so that a framework's rules keep their severity under
        ``--rating NAME``. ``grades``: the other scheme's grades, best first.
        """
        n_from, n_to = len(grades), len(self._codes)
        moved = []
        for v in vetoes:
            cap = v.cap
            if cap not in self._codes:
                i = list(grades).index(cap)
                cap = self._codes[round(i * (n_to - 1) / max(n_from - 1, 1))]
            moved.append(dataclasses.replace(v, cap=cap))
        return self.with_vetoes(moved)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (the YAML layout) for the run manifest; :meth:`from_dict` reads it back."""
        out: dict[str, Any] = {"name": self.name}
        if self.title_zh or self.title_en:
            out["title"] = {"zh": self.title_zh, "en": self.title_en}
        if self.source:
            out["source"] = self.source
        if self.note:
            out["note"] = self.note
        out["edge_rule"] = "score ≥ min → band (a score equal to an edge gets the better grade)"
        out["bands"] = self._band_dicts()
        out["vetoes"] = [v.to_dict() for v in self._vetoes]
        if self.calibration:
            out["calibration"] = self.calibration
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], origin: str = "scheme") -> Scheme:
        """A scheme from its plain-data form (``bands:`` or ``stars:`` list, ``vetoes:``)."""
        if not isinstance(data, Mapping):
            raise ValidationError(
                [Problem("评级方案须为映射 / a scheme must be a mapping", source=origin)],
                "评级方案无效 / invalid rating scheme",
            )
        problems = ProblemList()
        report_unknown([k for k in data if k != "edge_rule"], SCHEME_KEYS, problems, source=origin)
        has_bands, has_stars = "bands" in data, "stars" in data
        if has_bands == has_stars:
            problems.add(
                "须给出 bands 或 stars 之一 / give exactly one of 'bands' and 'stars'",
                source=origin,
            )
        problems.raise_if_any("评级方案无效 / invalid rating scheme")
        bands = data["bands"] if has_bands else data["stars"]
        return cls(
            bands if isinstance(bands, list) else [bands],
            data.get("vetoes"),
            name=str(data.get("name") or ""),
            title=data.get("title"),
            source=str(data.get("source") or ""),
            note=str(data.get("note") or ""),
            calibration=data.get("calibration"),
            origin=origin,
        )


# ---------------------------------------------------------------- loading
def available_schemes() -> list[str]:
    """Names of the shipped schemes (``integrity_eval/rating/schemes/*.yaml``)."""
    folder = resources.files("integrity_eval.rating") / "schemes"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def load_scheme(scheme: str | Path | Mapping[str, Any] | Scheme) -> Scheme:
    """A shipped scheme by name (``tax-credit``, ``four-grade``, ``stars-5``), YAML path or dict."""
    if isinstance(scheme, Scheme):
        return scheme
    if isinstance(scheme, Mapping):
        return Scheme.from_dict(scheme)
    text = str(scheme)
    if text in available_schemes():
        ref = resources.files("integrity_eval.rating") / "schemes" / f"{text}.yaml"
        return Scheme.from_dict(
            load_yaml(ref.read_text(encoding="utf-8"), origin=text), origin=text
        )
    path = Path(text)
    if not path.is_file():
        raise ValidationError(
            [
                Problem(
                    "找不到评级方案：既不是内置方案名，也不是文件 / no such rating scheme: "
                    f"not a shipped name ({', '.join(available_schemes())}) nor a file",
                    source=text,
                    value=suggest(text, available_schemes()),
                )
            ],
            "找不到评级方案 / rating scheme not found",
        )
    data = load_yaml(
        path, origin=path.name, title="评级方案无法解析 / rating scheme does not parse"
    )
    return Scheme.from_dict(data, origin=path.name)


def scheme_from_rating(rating: Mapping[str, Any], origin: str = "rating") -> Scheme:
    """The scheme a framework's ``rating`` block defines.

    The block names a scheme (``scheme: four-grade`` or a YAML path) or holds one
    inline (``bands:`` or, for points frameworks, ``stars:``), plus ``vetoes:``
    added to the scheme's own. Other keys (``method``, ``base``, ``bonus_cap``,
    ``formula``, ``range``, ``monitoring``, ``publication``) belong to the build
    (``spec.framework_default``) or document the rating.
    """
    problems = ProblemList()
    report_unknown(rating, SCHEME_KEYS | RATING_KEYS, problems, source=origin)
    if rating.get("method", "points") != "points" and "method" in rating:
        problems.add(
            "rating.method 只能为 points / rating.method can only be 'points'",
            source=origin,
            column="method",
            value=rating.get("method"),
        )
    if rating.get("method") == "points" and "stars" not in rating and "bands" not in rating:
        problems.add(
            "积分制须给出 stars 阈值 / a points rating needs its 'stars' thresholds",
            source=origin,
            column="stars",
        )
    for key in ("base", "bonus_cap"):
        value = rating.get(key)
        if value is not None and not _is_number(value):
            problems.add("须为数字 / must be a number", source=origin, column=key, value=value)
    problems.raise_if_any("评级设置无效 / invalid rating block")
    own = {k: v for k, v in rating.items() if k in SCHEME_KEYS}
    if "scheme" in rating:
        base = load_scheme(rating["scheme"])
        return base.with_vetoes(own.get("vetoes") or [])
    own.setdefault("name", origin)
    own.setdefault("title", {"zh": "框架自带的评级设置", "en": "the framework's own rating block"})
    return Scheme.from_dict(own, origin=origin)


def resolve(
    rating: str | Path | Mapping[str, Any] | Scheme | None, framework: Any
) -> Scheme | None:
    """The scheme for ``run --rating R`` / ``rate(ev, R)``: a shipped name, a YAML path, a
    dict, a Scheme, or ``None`` for the framework's own ``rating`` block (``None`` if it has
    none).

    A scheme given here replaces the framework's bands; the framework's veto rules stay
    (their caps moved onto the scheme's bands, :meth:`Scheme.carrying`) unless the scheme
    lists its own ``vetoes:`` — then those replace them (an empty list drops them) and
    ``scheme.replaced_vetoes`` names the framework's rules, for the report. Veto
    indicators are checked against the framework.
    """
    block = getattr(framework, "rating", None)
    own = scheme_from_rating(block, origin=f"{framework.name}: rating") if block else None
    if rating is None:
        scheme = own
        if scheme is None:
            return None
    else:
        scheme = load_scheme(rating)
        if own is not None and own.vetoes:
            if scheme.declares_vetoes:
                scheme.replaced_vetoes = own.vetoes
            else:
                scheme = scheme.carrying(own.vetoes, own.grades)
    check_indicators(scheme, framework.indicators, source=f"framework {framework.name}")
    return scheme


def check_indicators(scheme: Scheme, indicators: Sequence[str], source: str) -> None:
    """Every veto names a known indicator, or one error listing those that do not."""
    problems = ProblemList()
    for i, v in enumerate(scheme.vetoes):
        if v.indicator not in indicators:
            problems.add(
                "否决规则引用了不存在的指标 / veto rule names an unknown indicator",
                source=source,
                row=f"vetoes[{i}] {v.name('zh')}",
                column="indicator",
                value=suggest(v.indicator, indicators),
            )
    problems.raise_if_any("否决规则无效 / invalid veto rules")


# ---------------------------------------------------------------- parsing
def _parse_bands(
    bands: Any, origin: str, problems: ProblemList
) -> list[tuple[str, float | None, str, str, int | None]]:
    """``(code, edge, zh, en, stars)`` per band, with every structural problem recorded."""
    if isinstance(bands, str | bytes) or not isinstance(bands, Sequence) or len(bands) < 2:
        problems.add(
            "至少需要两个档位（从高到低）/ at least two bands are needed (a list, best first)",
            source=origin,
            column="bands",
            value=bands if not isinstance(bands, Sequence) else len(bands),
        )
        return []
    out, maxes = [], []
    for i, raw in enumerate(bands):
        where = f"bands[{i}]"
        zh = en = ""
        stars = upper = None
        if isinstance(raw, Mapping):
            report_unknown(raw, BAND_KEYS, problems, source=origin, row=where)
            if "stars" in raw:
                stars = raw["stars"]
                if not (isinstance(stars, int) and not isinstance(stars, bool) and stars >= 0):
                    problems.add(
                        "stars 须为非负整数 / stars must be a whole number ≥ 0",
                        source=origin,
                        row=where,
                        column="stars",
                        value=stars,
                    )
                    stars = None
            code = raw.get("grade", f"{stars}★" if stars is not None else None)
            edge = raw.get("min")
            upper = raw.get("max")
            zh, en = _text(raw.get("zh")), _text(raw.get("en"))
        elif isinstance(raw, Sequence) and not isinstance(raw, str) and len(raw) in (2, 3):
            code, edge = raw[0], raw[1]
            if len(raw) == 3:
                zh, en = _pair(raw[2])
        else:
            problems.add(
                "档位应为 (等级, 下限) 或 {grade:, min:} / a band is (grade, lower edge) "
                "or a mapping {grade:, min:, zh:, en:}",
                source=origin,
                row=where,
                value=raw,
            )
            continue
        if code is None or not str(code).strip():
            problems.add("档位缺少等级名 / band has no grade name", source=origin, row=where)
            continue
        code = str(code).strip()
        last = i == len(bands) - 1
        if edge is not None and not _is_number(edge):
            problems.add(
                "下限须为有限数字 / the lower edge must be a finite number",
                source=origin,
                row=code,
                column="min",
                value=edge,
            )
            edge = math.nan
        elif edge is not None:
            edge = float(edge)
        if last and edge is not None:
            problems.add(
                "最低档不设下限（低于上一档下限的分数都属此档）/ the worst band has no lower "
                "edge: every score below the previous edge falls in it",
                source=origin,
                row=code,
                column="min",
                value=edge,
            )
        if not last and edge is None:
            problems.add(
                "除最低档外每档都须有下限 / every band but the worst needs a lower edge",
                source=origin,
                row=code,
                column="min",
            )
        if upper is not None and not _is_number(upper):
            problems.add(
                "上限须为有限数字 / the upper edge must be a finite number",
                source=origin,
                row=code,
                column="max",
                value=upper,
            )
            upper = None
        if upper is not None and i == 0:
            problems.add(
                "最高档不设上限 / the best band has no upper edge (remove 'max')",
                source=origin,
                row=code,
                column="max",
                value=upper,
            )
            upper = None
        out.append((code, edge, zh, en, stars))
        maxes.append(None if upper is None else float(upper))
    codes = [b[0] for b in out]
    for code in sorted({c for c in codes if codes.count(c) > 1}):
        problems.add("等级名重复 / duplicate grade name", source=origin, row=code, column="grade")
    for k in range(1, len(out)):
        prev, cur = out[k - 1], out[k]
        if (
            cur[1] is not None
            and prev[1] is not None
            and not (math.isnan(cur[1]) or math.isnan(prev[1]))
            and not cur[1] < prev[1]
        ):
            problems.add(
                "档位下限须从高到低严格递减 / lower edges must decrease strictly from the best "
                f"band to the worst ({prev[0]} ≥ {_num(prev[1])}, then {cur[0]} ≥ {_num(cur[1])})",
                source=origin,
                row=cur[0],
                column="min",
                value=cur[1],
            )
        hi, prev_lo = maxes[k], prev[1]
        if hi is not None and prev_lo is not None and not math.isnan(prev_lo) and hi != prev_lo:
            kind = "空档 / gap" if hi < prev_lo else "重叠 / overlap"
            problems.add(
                f"{kind}: 本档上限须等于上一档下限 / a band's max must equal the next better "
                f"band's min ({cur[0]} max {_num(hi)}, {prev[0]} min {_num(prev_lo)})",
                source=origin,
                row=cur[0],
                column="max",
                value=hi,
            )
    stars = [b[4] for b in out]
    if any(s is not None for s in stars):
        if any(s is None for s in stars):
            problems.add(
                "星级方案的每一档都须给出 stars / in a star scheme every band needs 'stars'",
                source=origin,
                column="stars",
            )
        elif any(a <= b for a, b in itertools.pairwise(stars)):
            problems.add(
                "星数须从高到低递减 / star numbers must decrease from the best band",
                source=origin,
                column="stars",
                value=stars,
            )
    return out


def _parse_vetoes(
    vetoes: Any, codes: Sequence[str], origin: str, problems: ProblemList
) -> list[Veto]:
    if vetoes is None:
        return []
    if isinstance(vetoes, Mapping) or isinstance(vetoes, str) or not isinstance(vetoes, Sequence):
        problems.add(
            "vetoes 须为规则列表 / 'vetoes' must be a list of rules",
            source=origin,
            column="vetoes",
        )
        return []
    out = []
    for i, raw in enumerate(vetoes):
        where = f"vetoes[{i}]"
        if isinstance(raw, Veto):
            raw = raw.to_dict()
        if not isinstance(raw, Mapping):
            problems.add(
                "否决规则须为映射 / a veto rule must be a mapping", source=origin, row=where
            )
            continue
        report_unknown(raw, VETO_KEYS, problems, source=origin, row=where)
        missing = [k for k in ("name", "indicator", "op", "value", "cap") if k not in raw]
        for key in missing:
            problems.add(
                "否决规则缺少必填项 / veto rule lacks a required key",
                source=origin,
                row=where,
                column=key,
            )
        if missing:
            continue
        zh, en = _pair(raw["name"])
        if not (zh or en):
            problems.add("否决规则须有名称 / a veto rule needs a name", source=origin, row=where)
        ok = True
        if raw["op"] not in OPS:
            problems.add(
                f"比较符须为 {list(OPS)} 之一 / op must be one of {list(OPS)}",
                source=origin,
                row=where,
                column="op",
                value=raw["op"],
            )
            ok = False
        if not _is_number(raw["value"]):
            problems.add(
                "比较值须为数字 / value must be a number",
                source=origin,
                row=where,
                column="value",
                value=raw["value"],
            )
            ok = False
        cap = str(raw["cap"])
        if codes and cap not in codes:
            problems.add(
                f"封顶等级不在方案中（应为 {list(codes)} 之一）/ cap is not a grade of the scheme "
                f"(expected one of {list(codes)})",
                source=origin,
                row=where,
                column="cap",
                value=suggest(cap, codes),
            )
            ok = False
        if not isinstance(raw["indicator"], str) or not raw["indicator"]:
            problems.add(
                "indicator 须为指标代码 / indicator must be an indicator code",
                source=origin,
                row=where,
                column="indicator",
                value=raw["indicator"],
            )
            ok = False
        if ok:
            out.append(
                Veto(
                    name_zh=zh,
                    name_en=en,
                    indicator=raw["indicator"],
                    op=raw["op"],
                    value=float(raw["value"]),
                    cap=cap,
                    source=_text(raw.get("source")),
                )
            )
    return out


def _is_number(v: Any) -> bool:
    if isinstance(v, bool):
        return False
    try:
        return math.isfinite(float(v))
    except (TypeError, ValueError):
        return False


def _pair(value: Any) -> tuple[str, str]:
    if value is None:
        return "", ""
    if isinstance(value, Mapping):
        return _text(value.get("zh")), _text(value.get("en"))
    return str(value), str(value)


def _text(v: Any) -> str:
    return "" if v is None else str(v)


def _num(v: float | None) -> str:
    if v is None:
        return "—"
    return f"{v:g}"
