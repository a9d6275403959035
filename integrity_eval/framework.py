"""Indicator frameworks: a frozen tree of indicators and aggregates.

A framework is COINr's *iMeta* table (Becker et al., COINr 1.1, ``new_coin``) in
object form: level 1 holds the indicators, each higher level aggregates the one
below, one root (the index) at the top. Frameworks are written as YAML (the
integrity frameworks shipped in ``integrity_eval/frameworks``) or read from an
iMeta CSV/XLSX, and round-trip through :meth:`Framework.to_imeta` /
:meth:`Framework.from_imeta`.

YAML layout (all keys listed in ``FRAMEWORK_KEYS`` and ``NODE_KEYS``)::

    name: shanghai-2018
    title: {zh: 上海市区级政务诚信评价, en: Shanghai district government integrity}
    source: 004_eb7a51c6d53126fb.txt
    levels: [{zh: 指标, en: Indicator}, {zh: 领域, en: Domain}, {zh: 总分, en: Index}]
    groups: [{code: size_group, name: {zh: 规模, en: Size}}]
    denominators: [{code: population, name: {zh: 常住人口, en: Population}, unit: 万人}]
    nodes:
      - {code: INDEX, name: {zh: 总分, en: Index}, level: 3}
      - {code: D1, name: {...}, level: 2, parent: INDEX, weight: 1, source: "004… §二"}
      - {code: D1_court, name: {...}, level: 1, parent: D1, direction: -1, unit: 件, ...}
    spec: {screen: {dat_thresh: 0.667}, normalise: {method: minmax}, aggregate: {method: amean}}
    missing: worst
    citations: {004_eb7a51c6d53126fb.txt: 《本市政务诚信建设……安排表》（沪发改信〔2018〕5号）}
    citations_en: {004_eb7a51c6d53126fb.txt: Division of Key Tasks … (Hu Fa Gai Xin [2018] No. 5)}
    responsible_en: {市发展改革委: Shanghai Development and Reform Commission}

``spec`` is the framework's default build spec (``docs/spec.md``): ``build(fw, idata)``
without a spec uses it. An indicator's ``goalposts`` are written ``[worst, best]`` in its
own unit (for a direction −1 indicator the worst is the higher value), with their
provenance in ``goalposts_source``; :attr:`Node.goalposts` holds them as ``(lower, upper)``,
as COINr's ``goalpost_lower``/``goalpost_upper`` columns do. ``missing`` is the policy for
blank indicator cells (``MISSING_POLICIES``), ``citations`` the title and number of each
source document as a report prints it (``citations_en``: as an English report prints it),
``responsible_en`` the English name of each
responsible unit named under the nodes' ``responsible``. A node's ``weight`` may be 0:
the element stays in every table but does not enter its parent's aggregate (COINr accepts
zero weights); an aggregate whose children all weigh 0 is an error.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from .display import Summary
from .errors import (
    Problem,
    ProblemList,
    ValidationError,
    did_you_mean,
    report_unknown,
    suggest,
)
from .io import load_yaml, read_table, unsafe_text
from .params import finite_number, weight_rule

__all__ = ["Framework", "Node", "available_frameworks", "load_framework"]

FRAMEWORK_KEYS = {
    "name",
    "title",
    "description",
    "source",
    "version",
    "units",
    "levels",
    "groups",
    "denominators",
    "nodes",
    "rating",
    "spec",
    "expected_units",
    "records",
    "missing",
    "citations",
    "citations_en",
    "responsible_en",
}
# Policies for blank indicator cells (docs/framework.md, `missing`): the worst goalpost
# (未报送不得分), the spec's impute stage, or re-weighting among the reported indicators.
MISSING_POLICIES = ("worst", "impute", "skip")
# Node keys beyond code, name and level, in the order they are written out.
OPTIONAL_NODE_KEYS = (
    "parent",
    "kind",
    "weight",
    "direction",
    "unit",
    "target",
    "goalposts",
    "goalposts_source",
    "denominator",
    "source",
    "responsible",
    "data",
    "definition",
    "min",
    "max",
    "records",
)
NODE_KEYS = {"code", "name", "level", *OPTIONAL_NODE_KEYS}
AUX_KEYS = {"code", "name", "unit"}
# What an indicator's values are: drives templates (Excel validation) and synthetic data.
KINDS = ("count", "rate", "ratio", "score", "points", "amount", "binary")

# iMeta columns: COINr's ten, then this kit's extras (all optional on input).
IMETA_COLUMNS = [
    "Level",
    "iCode",
    "iName",
    "Direction",
    "Weight",
    "Unit",
    "Target",
    "Denominator",
    "Parent",
    "Type",
]
IMETA_ATTRS = "integrity_eval"
IMETA_EXTRAS = {
    "iName_zh": "name_zh",
    "goalpost_lower": None,
    "goalpost_upper": None,
    "goalpost_source": "goalposts_source",
    "Kind": "kind",
    "Min": "min",
    "Max": "max",
    "Source": "source",
    "Responsible": "responsible",
    "Data": "data",
    "Definition": "definition",
    "Records": "records",
}


@dataclass(frozen=True)
class Node:
    """One element of the tree: an indicator (level 1) or an aggregate (level ≥ 2)."""

    code: str
    name_zh: str
    name_en: str
    level: int
    parent: str | None = None
    kind: str = ""
    weight: float = 1.0
    direction: int = 1
    unit: str = ""
    target: float | None = None
    # (lower, upper) in the indicator's unit, as COINr's goalpost_lower/goalpost_upper;
    # the YAML writes them [worst, best] (see `worst_best`)
    goalposts: tuple[float, float] | None = None
    goalposts_source: str = ""
    denominator: str | None = None
    source: str = ""
    responsible: tuple[str, ...] = ()
    data: str = ""
    definition: str = ""
    min: float | None = None
    max: float | None = None
    # the record kind and measure the indicator is computed from (ie.records.indicators)
    records: Mapping[str, Any] | None = field(default=None, hash=False)

    @property
    def is_indicator(self) -> bool:
        return self.level == 1

    @property
    def worst_best(self) -> tuple[float, float] | None:
        """The goalposts as ``(worst, best)``: the value that scores 0 and the one that
        scores full marks under ``normalise: goalposts`` (the YAML order)."""
        if self.goalposts is None:
            return None
        lo, hi = self.goalposts
        return (lo, hi) if self.direction > 0 else (hi, lo)

    def __repr__(self) -> str:
        up = f", parent {self.parent}" if self.parent else ""
        names = " / ".join(t for t in (self.name_zh, self.name_en) if t)
        return f"<Node {self.code} (level {self.level}{up}){': ' + names if names else ''}>"

    def name(self, lang: str = "zh") -> str:
        """The node's name in ``lang`` ("zh" or "en"), falling back to the other."""
        first, second = (
            (self.name_zh, self.name_en) if lang == "zh" else (self.name_en, self.name_zh)
        )
        return first or second


@dataclass(frozen=True)
class AuxColumn:
    """A non-indicator iData column: a grouping variable or a denominator."""

    code: str
    name_zh: str = ""
    name_en: str = ""
    unit: str = ""


@dataclass(frozen=True)
class Framework:
    """A validated, immutable indicator tree.

    Build one with :func:`load_framework`, :meth:`from_imeta`,
    :meth:`from_dict` or :meth:`from_yaml`; the constructor validates
    everything (unique codes, existing parents, no cycles, consistent levels,
    directions ±1, positive weights) and raises one
    :class:`~integrity_eval.errors.ValidationError` listing every problem.
    """

    nodes: tuple[Node, ...]
    name: str = ""
    title_zh: str = ""
    title_en: str = ""
    description: str = ""
    source: str = ""
    units: str = ""
    level_names: tuple[tuple[str, str], ...] = ()
    groups: tuple[AuxColumn, ...] = ()
    denominators: tuple[AuxColumn, ...] = ()
    rating: Mapping[str, Any] | None = field(default=None, hash=False)
    spec: Mapping[str, Any] | None = field(default=None, hash=False)
    # The units the evaluation covers (optional): codes outside are problems in read_idata.
    expected_units: tuple[AuxColumn, ...] = ()
    # display rules of breach records (ie.records.resolve_rules): display, weights, half_life
    records: Mapping[str, Any] | None = field(default=None, hash=False)
    # policy for blank indicator cells (MISSING_POLICIES); None = not declared
    missing: str | None = None
    # source document (file name) → its title and number as a report prints it
    citations: Mapping[str, str] | None = field(default=None, hash=False)
    # the same in English (the title translated, the number transliterated)
    citations_en: Mapping[str, str] | None = field(default=None, hash=False)
    # responsible unit as named under the nodes' `responsible` → its English name
    responsible_en: Mapping[str, str] | None = field(default=None, hash=False)
    _origin: str = field(default="framework", compare=False, repr=False)

    def __post_init__(self) -> None:
        problems = _tree_problems(self.nodes, self.denominators, self._origin)
        problems += _field_problems(
            self.nodes,
            self.missing,
            {"citations": self.citations, "citations_en": self.citations_en},
            self.responsible_en,
            self._origin,
        )
        problems.raise_if_any("invalid framework")

    # ----------------------------------------------------------------- views
    @cached_property
    def _by_code(self) -> dict[str, Node]:
        return {n.code: n for n in self.nodes}

    def __getitem__(self, code: str) -> Node:
        try:
            return self._by_code[code]
        except KeyError:
            hint_zh, hint_en = did_you_mean(code, self._by_code)
            raise KeyError(
                f"框架 {self.name!r} 中没有节点 {code!r}{hint_zh}；请用框架中的代码"
                "（指标、汇总项、分组或分母） / "
                f"no node {code!r} in framework {self.name!r}{hint_en}; use a code of the "
                "framework (indicator, aggregate, group or denominator)"
            ) from None

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __len__(self) -> int:
        return len(self.nodes)

    def __repr__(self) -> str:
        sizes = ", ".join(f"L{lv}: {len(self.codes_at(lv))}" for lv in range(1, self.n_levels + 1))
        return f"<Framework {self.name or '(unnamed)'}: {sizes}>"

    def summary(self) -> Summary:
        """Overview: titles, source, levels, and the tree as a table."""
        levels = ", ".join(
            f"{self.level_label(lv, 'zh')} / {self.level_label(lv)}: {len(self.codes_at(lv))}"
            if self.level_label(lv, "zh") != self.level_label(lv)
            else f"{self.level_label(lv)}: {len(self.codes_at(lv))}"
            for lv in range(self.n_levels, 0, -1)
        )
        facts = [
            ("framework / 框架", self.name or "(unnamed)"),
            ("title / 标题", " / ".join(t for t in (self.title_zh, self.title_en) if t) or "—"),
            ("levels / 层级", levels),
        ]
        facts += [(label, text) for label, text in (("source / 来源", self.source),) if text]
        cols = ["code", "name_zh", "name_en", "level", "parent", "weight", "direction", "unit"]
        tree = pd.DataFrame([[getattr(n, c) for c in cols] for n in self.nodes], columns=cols)
        tree = tree.set_index("code")
        return Summary("Indicator framework / 指标框架", facts, [("Tree / 指标树", tree)])

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()

    @property
    def n_levels(self) -> int:
        return max(n.level for n in self.nodes)

    @property
    def root(self) -> str:
        return next(n.code for n in self.nodes if n.parent is None)

    @cached_property
    def indicators(self) -> list[str]:
        """Indicator codes (level 1) in framework order."""
        return self.codes_at(1)

    def codes_at(self, level: int) -> list[str]:
        return [n.code for n in self.nodes if n.level == level]

    @cached_property
    def children(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {n.code: [] for n in self.nodes}
        for n in self.nodes:
            if n.parent is not None:
                out[n.parent].append(n.code)
        return out

    @property
    def directions(self) -> pd.Series:
        return pd.Series(
            [self[c].direction for c in self.indicators],
            index=self._indicator_index,
            name="Direction",
            dtype=float,
        )

    @cached_property
    def _indicator_index(self) -> pd.Index:
        """The indicator codes as an index (of :attr:`directions`), built once."""
        return pd.Index(self.indicators)

    @property
    def weights(self) -> pd.Series:
        """Nominal weight of every node but the root, by code."""
        return pd.Series(
            [n.weight for n in self.nodes if n.parent is not None],
            index=self._weighted_codes,
            name="Weight",
            dtype=float,
        )

    @cached_property
    def _weighted_codes(self) -> pd.Index:
        """The codes of every node but the root (the index of :attr:`weights`), built once."""
        return pd.Index([n.code for n in self.nodes if n.parent is not None])

    @property
    def targets(self) -> pd.Series:
        return pd.Series(
            {c: _nan(self[c].target) for c in self.indicators}, name="Target", dtype=float
        )

    @cached_property
    def lineage(self) -> pd.DataFrame:
        """COINr's *Lineage*: one row per indicator, its ancestor at each level."""
        rows = []
        for code in self.indicators:
            chain = [code]
            while (p := self[chain[-1]].parent) is not None:
                chain.append(p)
            rows.append(chain)
        cols = [self.level_label(lv) for lv in range(1, self.n_levels + 1)]
        return pd.DataFrame(rows, columns=cols)

    @cached_property
    def coinr_order(self) -> dict[str, int]:
        """Position of every code in COINr's internal order, the order that breaks ties.

        COINr 1.1.14 ``new_coin`` (R/new_coin.R) sorts iMeta by level, then by parent
        code, then keeps file order (``iMeta[order(iMeta$Level, iMeta$Parent), ]``; R's
        ``order`` is stable and puts the root's missing parent last). Its tools then list
        indicators in that order, so when two indicators tie (e.g. the same rank in
        ``get_str_weak``) the one whose parent code sorts first comes first. Parent codes
        are compared as R compares text in the usual UTF-8 locales: ignoring case first,
        lower case before upper case when the codes differ only by case.
        """
        pos = {n.code: i for i, n in enumerate(self.nodes)}

        def key(n: Node) -> tuple:
            p = n.parent
            return (n.level, p is None, (p or "").casefold(), (p or "").swapcase(), pos[n.code])

        return {n.code: i for i, n in enumerate(sorted(self.nodes, key=key))}

    def level_label(self, level: int, lang: str = "en") -> str:
        if len(self.level_names) >= level:
            zh, en = self.level_names[level - 1]
            return (en or zh) if lang == "en" else (zh or en)
        return f"Level {level}"

    def responsible_of(self, code: str, lang: str = "zh") -> tuple[str, ...]:
        """The units responsible for ``code`` in ``lang`` ("zh" or "en"), lead first.

        English names come from the framework's ``responsible_en`` mapping; a unit
        without one (or a framework without the mapping) keeps its Chinese name.
        """
        names = self[code].responsible
        if lang != "en" or not self.responsible_en:
            return names
        return tuple(self.responsible_en.get(r, r) for r in names)

    def cite(
        self,
        text: str,
        lang: str = "zh",
        *,
        citations: Mapping[str, str] | None = None,
        citations_en: Mapping[str, str] | None = None,
    ) -> str:
        """``text`` (a ``source`` or ``goalposts_source``) with every source document's file
        name replaced by its title and number from ``citations``, as a report prints it; in
        English (``lang="en"``) from ``citations_en``, a document without an English title
        keeping its Chinese one. ``citations`` and ``citations_en`` given here (an
        engagement's) come before the framework's own, each language's before the other's.

        >>> fw.cite("004_eb7a51c6d53126fb.txt §二.5")       # doctest: +SKIP
        '《本市政务诚信建设重点任务分工及进度安排表》（沪发改信〔2018〕5号）§二.5'
        """
        titles = [citations or {}, self.citations or {}]
        if lang == "en":
            titles = [citations_en or {}, self.citations_en or {}, *titles]
        gap = " " if lang == "en" else ""  # Chinese: 《…》（…）§二.5; English: "… No. 5) §2.5"
        for table in titles:
            for name, title in table.items():
                text = text.replace(f"{name} ", title + gap).replace(name, title)
        return text

    def descendants(self, code: str, level: int = 1) -> list[str]:
        """All nodes at ``level`` below ``code`` (the indicators by default)."""
        out, stack = [], [code]
        while stack:
            c = stack.pop()
            if self[c].level == level:
                out.append(c)
            stack.extend(reversed(self.children[c]))
        return out

    def with_weights(self, weights: Mapping[str, float]) -> Framework:
        """A copy with some node weights replaced (validated)."""
        unknown = [c for c in weights if c not in self]
        if unknown:
            raise ValidationError(
                [
                    Problem(rule="no such node in the framework", source="weights", row=c)
                    for c in unknown
                ],
                title="invalid weights",
            )
        nodes = tuple(
            replace(n, weight=float(weights[n.code])) if n.code in weights else n
            for n in self.nodes
        )
        return replace(self, nodes=nodes)

    def excluding(self, codes: Iterable[str]) -> tuple[Framework, pd.DataFrame]:
        """This framework without some elements, and a table of what was left out.

        The spec's ``exclude`` (``docs/spec.md``), as COINr's ``remove_elements`` /
        ``new_coin(exclude = …)``: the elements are not in the build at all and
        their siblings' weights are renormalised within the parent. ``codes`` are
        indicators or aggregates; an excluded aggregate takes everything under it,
        and an aggregate whose children are all excluded is excluded too (it would
        have no data). Returns the reduced framework and a table indexed by
        ``iCode`` with ``level``, ``name_zh``, ``name_en`` and ``reason`` (the reduced
        framework no longer knows the names). Unknown codes, the root, or
        excluding every element raise one :class:`ValidationError`.
        """
        codes = list(dict.fromkeys(str(c) for c in codes))
        if not codes:  # nothing left out (every aggregate has children: validated)
            return self, self._no_exclusions.copy()
        problems = ProblemList()
        for c in codes:
            if c not in self:
                problems.add(
                    "exclude 中的代码不在框架中 / code under exclude is not in the framework",
                    source="spec",
                    column="exclude",
                    value=suggest(c, self._by_code),
                )
            elif self[c].parent is None:
                problems.add(
                    "不能排除总指数 / the top-level index cannot be excluded",
                    source="spec",
                    column="exclude",
                    value=c,
                )
        problems.raise_if_any("invalid exclude")
        gone: dict[str, str] = {}
        for c in codes:
            gone[c] = "列入 exclude / listed under exclude"
            stack = list(self.children[c])
            while stack:
                d = stack.pop()
                gone.setdefault(d, f"上级 {c} 被排除 / under excluded {c}")
                stack.extend(self.children[d])
        for level in range(2, self.n_levels + 1):  # bottom up, so emptiness cascades
            for p in self.codes_at(level):
                if p not in gone and all(k in gone for k in self.children[p]):
                    gone[p] = "所有下级均被排除 / all its children are excluded"
        if self.root in gone:
            problems.add(
                "exclude 排除了全部指标 / exclude leaves no indicator",
                source="spec",
                column="exclude",
                value=", ".join(codes),
            )
            problems.raise_if_any("invalid exclude")
        table = self._exclusion_table(gone)
        if not gone:
            return self, table
        nodes = tuple(n for n in self.nodes if n.code not in gone)
        # English names of units no kept node names any more go with their nodes
        used = {r for n in nodes for r in n.responsible}
        names_en = self.responsible_en and {
            k: v for k, v in self.responsible_en.items() if k in used
        }
        kept = replace(self, nodes=nodes, responsible_en=names_en or None)
        return kept, table

    def _exclusion_table(self, gone: Mapping[str, str]) -> pd.DataFrame:
        """The table of :meth:`excluding`: the codes ``gone`` in framework order, their
        level, names and the reason (``gone[code]``)."""
        order = [n.code for n in self.nodes if n.code in gone]
        return pd.DataFrame(
            {
                "level": pd.Series([self[c].level for c in order], dtype=int),
                "name_zh": pd.Series([self[c].name("zh") for c in order], dtype=object),
                "name_en": pd.Series([self[c].name("en") for c in order], dtype=object),
                "reason": pd.Series([gone[c] for c in order], dtype=object),
            }
        ).set_axis(pd.Index(order, name="iCode"))

    @cached_property
    def _no_exclusions(self) -> pd.DataFrame:
        """The (empty) table of :meth:`excluding` when nothing is excluded, built once."""
        return self._exclusion_table({})

    # ------------------------------------------------------------- hashing
    def to_dict(self) -> dict[str, Any]:
        """Plain-data form, the same layout as the YAML files."""
        out: dict[str, Any] = {"name": self.name}
        if self.title_zh or self.title_en:
            out["title"] = {"zh": self.title_zh, "en": self.title_en}
        for key in ("description", "source", "units"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        if self.level_names:
            out["levels"] = [{"zh": zh, "en": en} for zh, en in self.level_names]
        for key in ("groups", "denominators"):
            items = getattr(self, key)
            if items:
                out[key] = [_aux_to_dict(a) for a in items]
        out["nodes"] = [_node_to_dict(n) for n in self.nodes]
        if self.rating:
            out["rating"] = dict(self.rating)
        if self.spec:
            out["spec"] = dict(self.spec)
        if self.missing is not None:
            out["missing"] = self.missing
        for key in ("citations", "citations_en", "responsible_en"):
            if getattr(self, key):
                out[key] = dict(getattr(self, key))
        if self.expected_units:
            out["expected_units"] = [_aux_to_dict(u) for u in self.expected_units]
        if self.records:
            out["records"] = dict(self.records)
        return out

    @cached_property
    def hash(self) -> str:
        """SHA-256 of the canonical JSON of :meth:`to_dict` (stable across runs)."""
        text = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    # ---------------------------------------------------------- constructors
    @classmethod
    def from_dict(cls, data: Mapping[str, Any], origin: str = "framework") -> Framework:
        """Build from the YAML layout; unknown keys and bad values are all reported."""
        problems = ProblemList()
        if not isinstance(data, Mapping):
            problems.add("a framework must be a mapping with a 'nodes' list", source=origin)
            problems.raise_if_any("invalid framework")
        report_unknown(data, FRAMEWORK_KEYS, problems, source=origin)
        raw_nodes = data.get("nodes")
        if not isinstance(raw_nodes, list) or not raw_nodes:
            problems.add("'nodes' must be a non-empty list", source=origin, column="nodes")
            raw_nodes = []
        nodes = [_node_from_dict(raw, i, origin, problems) for i, raw in enumerate(raw_nodes)]
        bad_rows = {p.row for p in problems}
        groups = [
            _aux_from_dict(a, "groups", i, origin, problems)
            for i, a in enumerate(data.get("groups") or [])
        ]
        denoms = [
            _aux_from_dict(a, "denominators", i, origin, problems)
            for i, a in enumerate(data.get("denominators") or [])
        ]
        levels = []
        for i, lv in enumerate(data.get("levels") or []):
            zh, en = _bilingual(lv, origin, f"levels[{i}]", problems)
            levels.append((zh, en))
        title_zh, title_en = _bilingual(data.get("title", ""), origin, "title", problems)
        expected = [
            _aux_from_dict(
                {"code": u} if isinstance(u, str | int) else u,
                "expected_units",
                i,
                origin,
                problems,
            )
            for i, u in enumerate(data.get("expected_units") or [])
        ]
        rating = data.get("rating")
        if rating is not None and not isinstance(rating, Mapping):
            problems.add("'rating' must be a mapping", source=origin, column="rating", value=rating)
        spec = data.get("spec")
        if spec is not None and not isinstance(spec, Mapping):
            problems.add("'spec' must be a mapping", source=origin, column="spec", value=spec)
        records = data.get("records")
        if records is not None and not isinstance(records, Mapping):
            problems.add(
                "'records' must be a mapping", source=origin, column="records", value=records
            )
        citations, citations_en, responsible_en = (
            _text_mapping(data.get(key), key, origin, problems)
            for key in ("citations", "citations_en", "responsible_en")
        )
        missing = data.get("missing")
        if problems:  # report the tree's faults too, on the nodes that parsed
            kept = [n for n in nodes if n is not None]
            problems += [
                p
                for p in _tree_problems(kept, [d for d in denoms if d], origin)
                # follow-on faults of a node that did not parse: no parent, or no goalposts
                if not (
                    p.row in bad_rows and ("orphan" in p.rule or p.column == "goalposts_source")
                )
            ]
            titles = {"citations": citations, "citations_en": citations_en}
            problems += _field_problems(kept, missing, titles, responsible_en, origin)
            problems.raise_if_any("invalid framework")
        return cls(
            nodes=tuple(n for n in nodes if n is not None),
            name=str(data.get("name") or ""),
            title_zh=title_zh,
            title_en=title_en,
            description=str(data.get("description") or ""),
            source=str(data.get("source") or ""),
            units=str(data.get("units") or ""),
            level_names=tuple(levels),
            groups=tuple(g for g in groups if g is not None),
            denominators=tuple(d for d in denoms if d is not None),
            rating=dict(rating) if rating else None,
            spec=dict(spec) if isinstance(spec, Mapping) else None,
            expected_units=tuple(u for u in expected if u is not None),
            records=dict(records) if records else None,
            missing=missing,
            citations=citations,
            citations_en=citations_en,
            responsible_en=responsible_en,
            _origin=origin,
        )

    @classmethod
    def from_yaml(cls, path: str | Path) -> Framework:
        path = Path(path)
        if not path.is_file():
            raise ValidationError(
                [Problem(rule="file does not exist", source=str(path))],
                title="framework file not found",
            )
        data = load_yaml(path, title="framework YAML does not parse")
        return cls.from_dict(data, origin=str(path))

    @classmethod
    def from_imeta(cls, imeta: pd.DataFrame, name: str = "", origin: str = "iMeta") -> Framework:
        """Build from COINr's iMeta table.

        Columns ``Level, iCode, iName, Direction, Weight, Unit, Target,
        Denominator, Parent, Type`` (COINr ``new_coin``; Weight may not be empty,
        as COINr's ``check_iMeta`` requires); rows of Type
        ``Group`` and ``Denominator`` declare the grouping and denominator
        columns of iData. This kit's optional extras (``iName_zh``,
        ``goalpost_lower``/``goalpost_upper`` (COINr's lower and upper goalposts, whatever
        the direction), ``goalpost_source``, ``Min``/``Max``, ``Source``,
        ``Responsible``, ``Data``, ``Definition``) are read when present.
        """
        problems = ProblemList()
        required = ("Level", "iCode", "Parent", "Type", "Weight")
        missing = [c for c in required if c not in imeta.columns]
        for col in missing:
            problems.add("required iMeta column is missing", source=origin, column=col)
        problems.raise_if_any("invalid iMeta")
        raw_nodes: list[dict[str, Any]] = []
        groups, denoms = [], []
        for i, row in imeta.reset_index(drop=True).iterrows():
            r = {k: _cell(v) for k, v in row.items()}
            typ = str(r.get("Type") or "").strip()
            code = r.get("iCode")
            if typ in ("Group", "Denominator"):
                aux = AuxColumn(
                    code=str(code),
                    name_en=str(r.get("iName") or ""),
                    name_zh=str(r.get("iName_zh") or ""),
                    unit=str(r.get("Unit") or ""),
                )
                (groups if typ == "Group" else denoms).append(aux)
                continue
            if typ not in ("Indicator", "Aggregate"):
                problems.add(
                    "Type must be Indicator, Aggregate, Group or Denominator",
                    source=origin,
                    row=i + 2,
                    column="Type",
                    value=typ,
                )
                continue
            node: dict[str, Any] = {
                "code": code,
                "name": {"en": r.get("iName") or "", "zh": r.get("iName_zh") or ""},
                "level": r.get("Level"),
                "parent": r.get("Parent"),
            }
            for col, key in (
                ("Kind", "kind"),
                ("Weight", "weight"),
                ("Direction", "direction"),
                ("Unit", "unit"),
                ("Target", "target"),
                ("Denominator", "denominator"),
                ("Min", "min"),
                ("Max", "max"),
                ("Source", "source"),
                ("Data", "data"),
                ("Definition", "definition"),
                ("Records", "records"),
                ("goalpost_source", "goalposts_source"),
            ):
                if r.get(col) is not None:
                    node[key] = r[col]
            if r.get("Weight") is None:  # COINr check_iMeta: no NA weights
                node["weight"] = None
            if r.get("Responsible"):
                node["responsible"] = [
                    s.strip() for s in str(r["Responsible"]).split(";") if s.strip()
                ]
            lo, hi = r.get("goalpost_lower"), r.get("goalpost_upper")
            if lo is not None or hi is not None:  # iMeta (COINr) holds (lower, upper)
                node["goalposts"] = [hi, lo] if _negative(r.get("Direction")) else [lo, hi]
            raw_nodes.append(node)
        problems.raise_if_any("invalid iMeta")
        data = {
            **imeta.attrs.get(IMETA_ATTRS, {}),
            "nodes": raw_nodes,
            "groups": [_aux_to_dict(g) for g in groups],
            "denominators": [_aux_to_dict(d) for d in denoms],
        }
        if name or "name" not in data:
            data["name"] = name
        return cls.from_dict(data, origin=origin)

    def to_imeta(self) -> pd.DataFrame:
        """COINr's iMeta table (plus this kit's extra columns, see :meth:`from_imeta`).

        The framework's own metadata (name, titles, level names, rating…) travels
        in ``df.attrs["integrity_eval"]``, so an in-memory round trip is exact;
        a CSV keeps the tree only.
        """
        rows = []
        for n in self.nodes:
            rows.append(
                {
                    "Level": n.level,
                    "iCode": n.code,
                    "iName": n.name_en or n.name_zh,
                    "Direction": n.direction,
                    "Weight": n.weight if n.parent is not None else 1.0,
                    "Unit": n.unit or None,
                    "Target": n.target,
                    "Denominator": n.denominator,
                    "Parent": n.parent,
                    "Type": "Indicator" if n.is_indicator else "Aggregate",
                    "iName_zh": n.name_zh or None,
                    "Kind": n.kind or None,
                    "goalpost_lower": n.goalposts[0] if n.goalposts else None,
                    "goalpost_upper": n.goalposts[1] if n.goalposts else None,
                    "goalpost_source": n.goalposts_source or None,
                    "Min": n.min,
                    "Max": n.max,
                    "Source": n.source or None,
                    "Responsible": "; ".join(n.responsible) or None,
                    "Data": n.data or None,
                    "Definition": n.definition or None,
                    "Records": n.records,
                }
            )
        for typ, items in (("Group", self.groups), ("Denominator", self.denominators)):
            for a in items:
                rows.append(
                    {
                        "iCode": a.code,
                        "iName": a.name_en or a.name_zh,
                        "iName_zh": a.name_zh or None,
                        "Unit": a.unit or None,
                        "Type": typ,
                    }
                )
        df = pd.DataFrame(rows, columns=IMETA_COLUMNS + list(IMETA_EXTRAS))
        df["Level"] = df["Level"].astype("Int64")
        df["Direction"] = df["Direction"].astype("Int64")
        df = df.dropna(axis=1, how="all")
        meta = {
            k: v for k, v in self.to_dict().items() if k not in ("nodes", "groups", "denominators")
        }
        df.attrs[IMETA_ATTRS] = meta
        return df

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), allow_unicode=True, sort_keys=False)


# ------------------------------------------------------------------ loading
def available_frameworks() -> list[str]:
    """Names of the frameworks shipped with the package."""
    folder = resources.files("integrity_eval") / "frameworks"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def load_framework(name_or_path: str | Path | pd.DataFrame) -> Framework:
    """Load a shipped framework by name, or a YAML / iMeta CSV / iMeta XLSX file.

    >>> load_framework("shanghai-2018")
    <Framework shanghai-2018: L1: 59, L2: 25, L3: 3, L4: 1>
    >>> fw = load_framework("my_framework.yaml")      # doctest: +SKIP
    """
    if isinstance(name_or_path, Framework):
        return name_or_path
    if isinstance(name_or_path, pd.DataFrame):
        return Framework.from_imeta(name_or_path)
    text = str(name_or_path)
    if text in available_frameworks():
        ref = resources.files("integrity_eval") / "frameworks" / f"{text}.yaml"
        with resources.as_file(ref) as path:
            return Framework.from_yaml(path)
    path = Path(text)
    suffix = path.suffix.lower()
    if not path.exists():
        hint = f"; shipped frameworks: {', '.join(available_frameworks())}"
        raise ValidationError(
            [Problem(rule=f"file does not exist{hint}", source=str(path))],
            title="framework not found",
        )
    if suffix in (".yaml", ".yml"):
        return Framework.from_yaml(path)
    if suffix in (".csv", ".xlsx", ".xls"):
        return Framework.from_imeta(read_table(path), name=path.stem, origin=str(path))
    raise ValidationError(
        [
            Problem(
                rule="expected a .yaml/.yml framework or an iMeta .csv/.xlsx",
                source=str(path),
                value=path.suffix,
            )
        ],
        title="unsupported framework format",
    )


# --------------------------------------------------------------- validation
def _tree_problems(
    nodes: Iterable[Node], denominators: Iterable[AuxColumn], origin: str
) -> ProblemList:
    """Every structural problem of a tree (codes, parents, levels, cycles, weights…)."""
    problems = ProblemList()
    nodes = list(nodes)
    codes = [n.code for n in nodes]
    seen: set[str] = set()
    for n in nodes:
        if n.code in seen:
            problems.add("duplicate code", source=origin, row=n.code, column="code")
        seen.add(n.code)
    by_code = {n.code: n for n in nodes}
    roots = [n.code for n in nodes if n.parent is None]
    if len(roots) != 1:
        problems.add(
            "exactly one root node (without parent) is required",
            source=origin,
            column="parent",
            value=", ".join(roots) or "none",
        )
    denom_codes = {d.code for d in denominators}
    for n in nodes:
        if n.parent is not None and n.parent not in by_code:
            problems.add(
                "parent does not exist (orphan node)",
                source=origin,
                row=n.code,
                column="parent",
                value=n.parent,
            )
        elif n.parent is not None and by_code[n.parent].level != n.level + 1:
            problems.add(
                f"parent must be one level up (level {n.level + 1})",
                source=origin,
                row=n.code,
                column="level",
                value=by_code[n.parent].level,
            )
        if n.direction not in (1, -1):
            problems.add(
                "direction must be 1 or -1",
                source=origin,
                row=n.code,
                column="direction",
                value=n.direction,
            )
        if n.parent is not None and not (finite_number(n.weight) and n.weight >= 0):
            problems.add(
                weight_rule(n.weight),
                source=origin,
                row=n.code,
                column="weight",
                value=n.weight,
            )
        if n.level < 1:
            problems.add(
                "level must be 1 or more", source=origin, row=n.code, column="level", value=n.level
            )
        if n.denominator and n.denominator not in denom_codes:
            problems.add(
                "denominator is not declared under 'denominators'",
                source=origin,
                row=n.code,
                column="denominator",
                value=n.denominator,
            )
        if n.goalposts is not None and not n.goalposts[0] < n.goalposts[1]:
            problems.add(
                "Node.goalposts 须为 (下限, 上限) 且下限 < 上限 / Node.goalposts must be "
                "(lower, upper) with lower < upper",
                source=origin,
                row=n.code,
                column="goalposts",
                value=list(n.goalposts),
            )
    # cycles: walk up from each node
    for n in nodes:
        path, cur = [n.code], n.parent
        while cur is not None and cur in by_code:
            if cur in path:
                problems.add(
                    "cycle in the tree",
                    source=origin,
                    row=n.code,
                    column="parent",
                    value=" → ".join([*path, cur]),
                )
                break
            path.append(cur)
            cur = by_code[cur].parent
    for n in nodes:
        kids = [c for c in codes if by_code[c].parent == n.code]
        if n.level > 1 and not kids:
            problems.add(
                "aggregate has no children",
                source=origin,
                row=n.code,
                column="level",
                value=n.level,
            )
    children: dict[str, list[str]] = {}
    for n in nodes:
        if n.parent is not None:
            children.setdefault(n.parent, []).append(n.code)
    zero_weight_parents(children, {n.code: n.weight for n in nodes}, problems, source=origin)
    for n in nodes:
        if n.goalposts_source and n.goalposts is None:
            problems.add(
                "给出了 goalposts_source 却没有 goalposts；请补上 goalposts: [最差值, 最佳值] "
                "或删去 goalposts_source / goalposts_source is given without goalposts; add "
                "goalposts: [worst, best] or remove goalposts_source",
                source=origin,
                row=n.code,
                column="goalposts_source",
            )
    return problems


def _field_problems(
    nodes: Iterable[Node],
    missing: Any,
    titles: Mapping[str, Mapping[str, str] | None],
    responsible_en: Mapping[str, str] | None,
    origin: str,
) -> ProblemList:
    """Problems of the framework-level ``missing``, ``citations`` and ``citations_en``
    (``titles``, by key) and ``responsible_en``."""
    problems = ProblemList()
    if missing is not None and missing not in MISSING_POLICIES:
        hint_zh, hint_en = did_you_mean(missing, MISSING_POLICIES)
        problems.add(
            f"missing 须为 worst（未报送按最差目标值计分）、impute（按 impute 阶段插补）或 skip"
            f"（在已报送指标间重新分配权重）{hint_zh} / missing must be worst (a blank scores "
            f"the worst goalpost), impute (the spec's impute stage) or skip (re-weighted among "
            f"the reported indicators){hint_en}",
            source=origin,
            column="missing",
            value=missing,
        )
    for key, mapping in (*titles.items(), ("responsible_en", responsible_en)):
        for name, text in (mapping or {}).items():
            if not str(name).strip() or not isinstance(text, str) or not text.strip():
                problems.add(
                    f"{key} 的每一项须为“名称: 非空文本” / each entry of {key} must be "
                    "'name: non-empty text'",
                    source=origin,
                    column=key,
                    value=f"{name}: {text}",
                )
    chinese = titles.get("citations")
    stray = set(titles.get("citations_en") or {}) - set(chinese or {})
    for name in sorted(stray) if chinese is not None else ():  # no valid citations: no match
        problems.add(
            "citations_en 中的文件不在 citations 中；请先在 citations 中给出其中文标题与文号 / "
            "a document under citations_en is not under citations; give its Chinese title and "
            "number under citations first",
            source=origin,
            column="citations_en",
            value=name,
        )
    if responsible_en is not None:
        named = {r: n.code for n in nodes for r in n.responsible}
        for unit, code in named.items():
            if unit not in responsible_en:
                problems.add(
                    "responsible_en 中缺少该责任单位的英文名；请在 responsible_en 中补上 "
                    f"“{unit}: 英文名” / responsible unit has no English name under "
                    f"responsible_en; add '{unit}: <English name>'",
                    source=origin,
                    row=code,
                    column="responsible_en",
                    value=unit,
                )
        for unit in responsible_en:
            if unit not in named:
                hint_zh, hint_en = did_you_mean(unit, named)
                problems.add(
                    f"responsible_en 中的单位不是任何节点的 responsible{hint_zh}；请更正名称或删去"
                    f" / unit under responsible_en is not responsible for any node{hint_en}; "
                    "correct the name or remove it",
                    source=origin,
                    column="responsible_en",
                    value=unit,
                )
    return problems


def zero_weight_parents(
    children: Mapping[str, list[str]],
    weights: Mapping[str, float],
    problems: ProblemList,
    **where: object,
) -> None:
    """Record every aggregate whose children all weigh 0 (it would have no value).

    A zero weight keeps an element in the tables but out of its parent's
    aggregate (COINr accepts zero weights); with every child at 0 the weighted
    mean is 0/0.
    """
    for parent, kids in children.items():
        if kids and all(weights.get(k) == 0 for k in kids):
            problems.add(
                "聚合项的所有下级权重均为 0，无法计算；至少给一个下级正权重，或把该聚合项列入 "
                "exclude / every child of this aggregate has weight 0, so it has no value; give "
                "one child a positive weight, or list the aggregate under exclude",
                row=parent,
                column="weight",
                value=", ".join(kids),
                **where,
            )


# ------------------------------------------------------------------ helpers
def _node_from_dict(raw: Any, i: int, origin: str, problems: ProblemList) -> Node | None:
    where = f"nodes[{i}]"
    if not isinstance(raw, Mapping):
        problems.add("each node must be a mapping", source=origin, row=where)
        return None
    code = raw.get("code")
    row = str(code) if code else where
    report_unknown(raw, NODE_KEYS, problems, what="node key", source=origin, row=row)
    if not code or not isinstance(code, str | int):
        problems.add("node code is required", source=origin, row=where, column="code")
        return None
    zh, en = _bilingual(raw.get("name", ""), origin, f"{row}.name", problems)
    _unsafe_texts(str(code), (zh, en), origin, row, problems)
    level = _number(raw.get("level"), origin, row, "level", problems, integer=True)
    weight = _number(raw.get("weight", 1), origin, row, "weight", problems)
    direction = _number(raw.get("direction", 1), origin, row, "direction", problems, integer=True)
    target = _optional_number(raw.get("target"), origin, row, "target", problems)
    lo = _optional_number(raw.get("min"), origin, row, "min", problems)
    hi = _optional_number(raw.get("max"), origin, row, "max", problems)
    goalposts = _goalposts(raw.get("goalposts"), direction, origin, row, problems)
    responsible = raw.get("responsible") or ()
    if isinstance(responsible, str):
        responsible = (responsible,)
    if raw.get("kind") not in (None, *KINDS):
        problems.add(
            f"kind must be one of {list(KINDS)}",
            source=origin,
            row=row,
            column="kind",
            value=raw.get("kind"),
        )
    records = _records_source(raw.get("records"), origin, row, problems)
    if level is None:
        return None  # cannot be placed in the tree; the problem is recorded
    # an unparsable weight or direction is recorded; a placeholder keeps the tree checkable
    weight = 1.0 if weight is None else weight
    direction = 1 if direction is None else direction
    parent = raw.get("parent")
    return Node(
        code=str(code),
        name_zh=zh,
        name_en=en,
        level=int(level),
        parent=None if parent in (None, "") else str(parent),
        kind=_text(raw.get("kind")),
        weight=float(weight),
        direction=int(direction),
        unit=_text(raw.get("unit")),
        target=target,
        goalposts=goalposts,
        goalposts_source=_text(raw.get("goalposts_source")),
        denominator=_text(raw.get("denominator")) or None,
        source=_text(raw.get("source")),
        responsible=tuple(str(r) for r in responsible),
        data=_text(raw.get("data")),
        definition=_text(raw.get("definition")),
        min=lo,
        max=hi,
        records=records,
    )


def _goalposts(
    raw: Any, direction: float | None, origin: str, row: str, problems: ProblemList
) -> tuple[float, float] | None:
    """A node's ``goalposts: [worst, best]`` as ``(lower, upper)``, checked against its
    direction (for a direction −1 indicator the worst is the higher value)."""
    if raw is None:
        return None
    if not isinstance(raw, list | tuple) or len(raw) != 2:
        problems.add(
            "goalposts 须为列表 [最差值, 最佳值] / goalposts must be a list [worst, best]",
            source=origin,
            row=row,
            column="goalposts",
            value=raw,
        )
        return None
    worst = _number(raw[0], origin, row, "goalposts", problems)
    best = _number(raw[1], origin, row, "goalposts", problems)
    if worst is None or best is None:
        return None
    if worst == best:
        problems.add(
            "goalposts 的最差值与最佳值相同，无法据此标准化 / the worst and best goalposts are "
            "equal, so nothing can be scored between them",
            source=origin,
            row=row,
            column="goalposts",
            value=list(raw),
        )
        return None
    if (best > worst) != ((direction or 1) > 0):
        problems.add(
            "goalposts 写作 [最差值, 最佳值]：方向为 1（越大越好）时最差值小于最佳值，方向为 -1"
            "（越小越好）时最差值大于最佳值（如 [5, 0]）；请交换两值或检查 direction / goalposts "
            "are [worst, best]: with direction 1 (more is better) the worst is the lower value, "
            "with direction -1 (less is better) the higher one (e.g. [5, 0]); swap them or "
            "check the direction",
            source=origin,
            row=row,
            column="goalposts",
            value=list(raw),
        )
        return None
    return (min(worst, best), max(worst, best))


def _text_mapping(raw: Any, key: str, origin: str, problems: ProblemList) -> dict | None:
    """A framework-level ``{name: text}`` mapping (``citations``, ``citations_en``,
    ``responsible_en``)."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        problems.add(
            f"{key} 须为映射 {{名称: 文本}} / {key} must be a mapping {{name: text}}",
            source=origin,
            column=key,
            value=raw,
        )
        return None
    return {str(k): v for k, v in raw.items()}


def _negative(direction: Any) -> bool:
    """Whether an iMeta ``Direction`` cell is negative (unreadable cells are reported elsewhere)."""
    try:
        return float(direction) < 0
    except (TypeError, ValueError):
        return False


RECORDS_SOURCE_KEYS = {"kind", "measure", "filter", "where", "window", "scale"}


def _records_source(raw: Any, origin: str, row: str, problems: ProblemList) -> Any:
    """A node's ``records:`` key: ``{kind, measure, filter?, where?, window?, scale?}`` (a
    YAML or JSON text, as an iMeta cell holds it, is parsed). Its shape is checked here;
    whether :mod:`integrity_eval.records` knows the kind and measure is checked when the
    framework is used with records (:func:`integrity_eval.records.record_sources`), so a
    framework loads without the records engine."""
    if raw is None:
        return None
    if isinstance(raw, str):
        with contextlib.suppress(ValidationError):  # not YAML: reported as not a mapping
            raw = load_yaml(raw, origin=origin)
    if not isinstance(raw, Mapping):
        problems.add(
            "records must be a mapping {kind, measure, filter}",
            source=origin,
            row=row,
            column="records",
            value=raw,
        )
        return None
    report_unknown(raw, RECORDS_SOURCE_KEYS, problems, prefix="records.", source=origin, row=row)
    for sub in ("filter", "where"):
        if raw.get(sub) is not None and not isinstance(raw[sub], Mapping):
            problems.add(
                f"records.{sub} must be a mapping {{column: value(s)}}",
                source=origin,
                row=row,
                column=f"records.{sub}",
                value=raw[sub],
            )
    scale = raw.get("scale", 1)
    if isinstance(scale, bool) or not isinstance(scale, int | float):
        problems.add("records.scale must be a number", source=origin, row=row, value=scale)
    return dict(raw)


def _aux_from_dict(
    raw: Any, key: str, i: int, origin: str, problems: ProblemList
) -> AuxColumn | None:
    if not isinstance(raw, Mapping) or not raw.get("code"):
        problems.add("each entry needs a 'code'", source=origin, row=f"{key}[{i}]")
        return None
    report_unknown(raw, AUX_KEYS, problems, source=origin, row=f"{key}[{i}]")
    zh, en = _bilingual(raw.get("name", ""), origin, f"{key}[{i}].name", problems)
    _unsafe_texts(str(raw["code"]), (zh, en), origin, f"{key}[{i}]", problems)
    return AuxColumn(code=str(raw["code"]), name_zh=zh, name_en=en, unit=_text(raw.get("unit")))


def _unsafe_texts(
    code: str, names: Iterable[str], origin: str, row: str, problems: ProblemList
) -> None:
    """A code that a spreadsheet would take for a formula (codes head the columns of every
    output), or a code or name with hidden control characters (:func:`io.unsafe_text`)."""
    for column, text, is_code in (("code", code, True), *(("name", n, False) for n in names)):
        why = unsafe_text(text, code=is_code)
        if why:
            problems.add(why, source=origin, row=row, column=column, value=text)


def _aux_to_dict(a: AuxColumn) -> dict[str, Any]:
    out: dict[str, Any] = {"code": a.code, "name": {"zh": a.name_zh, "en": a.name_en}}
    if a.unit:
        out["unit"] = a.unit
    return out


def _node_to_dict(n: Node) -> dict[str, Any]:
    d = asdict(n)
    out: dict[str, Any] = {
        "code": n.code,
        "name": {"zh": n.name_zh, "en": n.name_en},
        "level": n.level,
    }
    defaults = Node(code="", name_zh="", name_en="", level=1)
    for key in OPTIONAL_NODE_KEYS:
        if d[key] != getattr(defaults, key):
            value = n.worst_best if key == "goalposts" else d[key]
            out[key] = list(value) if isinstance(value, tuple) else value
    return out


def _bilingual(value: Any, origin: str, where: str, problems: ProblemList) -> tuple[str, str]:
    if value is None:
        return "", ""
    if isinstance(value, str):
        return value, value
    if isinstance(value, Mapping):
        extra = set(value) - {"zh", "en"}
        if extra:
            problems.add(
                "a name has keys 'zh' and 'en' only",
                source=origin,
                row=where,
                value=", ".join(sorted(map(str, extra))),
            )
        return _text(value.get("zh")), _text(value.get("en"))
    problems.add("expected a text or {zh:, en:}", source=origin, row=where, value=value)
    return "", ""


def _number(
    value: Any, origin: str, row: str, col: str, problems: ProblemList, integer: bool = False
) -> float | None:
    try:
        if isinstance(value, bool) or value is None:
            raise ValueError
        num = float(value)
        if not math.isfinite(num) or (integer and num != int(num)):
            raise ValueError
        return num
    except (TypeError, ValueError):
        kind = "a whole number" if integer else "a number"
        problems.add(f"expected {kind}", source=origin, row=row, column=col, value=value)
        return None


def _optional_number(
    value: Any, origin: str, row: str, col: str, problems: ProblemList
) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return _number(value, origin, row, col, problems)


def _cell(v: Any) -> Any:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return None
    if isinstance(v, str):
        v = v.strip()
        return v or None
    if hasattr(v, "item"):
        return v.item()
    return v


def _text(v: Any) -> str:
    return "" if v is None else str(v)


def _nan(v: float | None) -> float:
    return math.nan if v is None else v
