"""The :class:`Evaluation`: one immutable object holding every stage of a build.

Modelled on COINr's *coin* (every dataset of the pipeline in one object) and on
statsmodels' results objects (read-only attributes, ``summary()``). Datasets
are returned as new DataFrames sharing memory copy-on-write, so a caller
cannot change what the Evaluation holds.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from .errors import Problem, ValidationError, did_you_mean
from .framework import Framework
from .pipeline import higher_is_better
from .ranking import min_rank
from .spec import STAGES, set_params
from .weights.nominal import effective_weights

DSETS = ("Raw", "Denominated", "Imputed", "Screened", "Treated", "Normalised", "Aggregated")


# Stages whose change alters the treated data a global panel normalisation pools
POOLED_STAGES = frozenset({"exclude", "denominate", "impute", "screen", "treat"})


def check_pool_unchanged(stages: set[str], what: str) -> None:
    """Refuse changes to ``POOLED_STAGES`` for a period of a globally normalised panel.

    Its normalisation pools the other periods' treated data, which such a change
    would alter in every period: only the panel can be rebuilt consistently.
    """
    bad = sorted(stages & POOLED_STAGES)
    if bad:
        raise ValidationError(
            [
                Problem(
                    "这是按全局归一化构建的面板中的一期，其归一化合并了其他各期的处理后数据；更改 "
                    f"{', '.join(bad)} 会改变每一期的数据，请用新的参数重建面板"
                    "（ie.panel.build_panel）/ this Evaluation is one period of a panel "
                    "normalised globally: its normalisation pools the other periods' treated "
                    f"data, which changing {', '.join(bad)} alters in every period; rebuild the "
                    "panel with the new spec (ie.panel.build_panel)",
                    source=what,
                    column=", ".join(bad),
                )
            ],
            title="全局归一化面板 / globally normalised panel",
        )


@dataclass(frozen=True, eq=False)
class Evaluation:
    """Result of :func:`integrity_eval.build`. Read-only; use :meth:`with_params` to vary it."""

    framework: Framework
    spec: Mapping[str, Any]
    seed: int
    time: Any
    idata: pd.DataFrame = field(repr=False)
    units: pd.DataFrame = field(repr=False)
    dsets: Mapping[str, pd.DataFrame] = field(repr=False)
    weights: pd.Series = field(repr=False)
    treated_points: pd.DataFrame = field(repr=False)
    details: Mapping[str, Any] = field(repr=False)
    manifest: Mapping[str, Any] = field(repr=False)
    #: The framework as given, before the spec's ``exclude`` (``framework`` is the one built).
    source_framework: Framework | None = field(default=None, repr=False)
    #: The function that built this Evaluation (:func:`integrity_eval.build`), which
    #: :meth:`with_params` calls again with the changed spec (as statsmodels' results keep
    #: their model).
    builder: Callable[..., Evaluation] | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        n = len(self.get_dset("Raw"))
        stages = ", ".join(k for k in self.spec if k in STAGES) or "none"
        when = f", time {self.time}" if self.time is not None else ""
        return f"<Evaluation {self.framework.name or '(unnamed)'}: {n} units{when}; {stages}>"

    # ------------------------------------------------------------ datasets
    def get_dset(self, name: str) -> pd.DataFrame:
        """A stage's dataset: DataFrame indexed by uCode, one column per code.

        Names: ``"Raw"``, ``"Denominated"``, ``"Imputed"``, ``"Screened"``,
        ``"Treated"``, ``"Normalised"``, ``"Aggregated"`` (indicators plus every
        aggregate). A skipped stage's dataset is the previous one.
        """
        if name not in self.dsets:
            agg = name == "Aggregated"
            zh = "；评价设置没有 'aggregate' 步骤" if agg else ""
            en = "; the spec has no 'aggregate' stage" if agg else ""
            have = list(self.dsets)
            hint_zh, hint_en = did_you_mean(name, have)
            raise KeyError(
                f"没有数据集 {name!r}{hint_zh}，可用：{have}{zh}；请用其中之一 / "
                f"no dataset {name!r}{hint_en}; available: {have}{en}; use one of them"
            )
        return self.dsets[name].copy(deep=False)

    @property
    def dset_names(self) -> tuple[str, ...]:
        return tuple(self.dsets)

    def _aggregated(self) -> pd.DataFrame:
        if "Aggregated" not in self.dsets:
            raise ValidationError(
                [
                    Problem(
                        "the spec has no 'aggregate' stage, so there are no scores; "
                        "add aggregate: {method: amean}",
                        source="spec",
                        column="aggregate",
                    )
                ],
                title="no scores",
            )
        return self.dsets["Aggregated"]

    # ------------------------------------------------------------ results
    @cached_property
    def _all_scores(self) -> pd.Series:
        return self._aggregated()[self.framework.root].rename("score")

    @property
    def scores(self) -> pd.Series:
        """Top-level index score of every scored unit (see :attr:`unscored` for the rest)."""
        s = self._all_scores
        return s.dropna() if s.hasnans else s.copy(deep=False)

    @property
    def higher_is_better(self) -> bool:
        """Whether a higher index score is better: yes, except under a top-level MCDA method
        whose score is better when lower (``aggregate: {method: vikor}``: VIKOR's Q)."""
        return higher_is_better(self.spec.get("aggregate"), self.framework.n_levels)

    @property
    def ranks(self) -> pd.Series:
        """Rank of every scored unit: 1 = best (the lowest score where lower is better,
        :attr:`higher_is_better`), ties take the minimum rank."""
        s = self.scores
        ranks = min_rank(s.to_numpy()[:, None], descending=self.higher_is_better)[:, 0]
        return pd.Series(ranks.astype(int), index=s.index, name="rank")

    def get_ranks(self, dset: str = "Aggregated") -> pd.DataFrame:
        """Ranks of every column of a dataset (1 = highest value, ties "min"; the index's
        own column 1 = best, as :attr:`ranks`)."""
        df = self.dsets[dset] if dset in self.dsets else self.get_dset(dset)
        out = pd.DataFrame(
            min_rank(df.to_numpy(dtype=float), descending=True), index=df.index, columns=df.columns
        )
        root = self.framework.root
        if not self.higher_is_better and root in out.columns:
            out[root] = min_rank(df[[root]].to_numpy(dtype=float), descending=False)[:, 0]
        return out

    @cached_property
    def unscored(self) -> pd.DataFrame:
        """Units without a score and why, one row each, indexed by uCode.

        Columns: ``status`` (``"screened"``: below the screening rule,
        ``"forced"``: ``screen.force``, ``"no_data"``: no data under an
        aggregate), ``n_reported`` and ``n_indicators`` (indicators with a
        reported value, of those in the build), ``reason`` (the rule and figures)
        and ``label``, the bilingual text for league tables
        ("不予评级：仅报送 N / M 项指标 / not rated: N of M indicators reported").
        """
        raw = self.dsets["Raw"]
        m = raw.shape[1]
        reported = raw.notna().sum(axis=1)
        rows = []
        summary = self.details.get("screen_summary")
        if summary is not None:
            cfg = self.spec["screen"]
            flag = {"byNA": "LowData", "byzeros": "LowNonZero", "byNAandzeros": "LowDatOrZeroFlag"}
            for code, r in summary[~summary["Included"]].iterrows():
                status = "screened" if r[flag[cfg["unit_screen"]]] else "forced"
                reason = (
                    f"screened out ({cfg['unit_screen']}): data availability "
                    f"{r['Dat_Avail']:.2f} (screen.dat_thresh {cfg['dat_thresh']}), "
                    f"non-zero share {r['Non_Zero']:.2f}"
                    if status == "screened"
                    else "excluded by screen.force"
                )
                rows.append((code, status, reason, _not_rated(status, r, reported[code], m)))
        if "Aggregated" in self.dsets:
            agg = self.dsets["Aggregated"]
            for code in self._all_scores.index[self._all_scores.isna()]:
                missing = [
                    c
                    for c in agg.columns[len(self.framework.indicators) :]
                    if np.isnan(agg.at[code, c])
                ]
                reason = (
                    "no score: no available data under "
                    + ", ".join(missing[:5])
                    + ("…" if len(missing) > 5 else "")
                )
                label = _not_rated("no_data", None, reported[code], m)
                rows.append((code, "no_data", reason, label))
        out = pd.DataFrame(rows, columns=["uCode", "status", "reason", "label"])
        out.insert(2, "n_reported", [int(reported[u]) for u in out["uCode"]])
        out.insert(3, "n_indicators", m)
        return out.set_index("uCode")

    @property
    def excluded(self) -> pd.DataFrame:
        """Elements the spec's ``exclude`` left out: ``level``, ``name_zh``, ``name_en`` and
        ``reason``, by iCode."""
        table = self.details.get("excluded")
        return (self.framework.excluding(())[1] if table is None else table).copy()

    @property
    def blanks(self) -> pd.DataFrame:
        """The blank cells of the units kept after screening and how they were scored:
        ``uCode``, ``iCode``, ``cause`` (``not_reported`` or ``denominator_blank``) and
        ``policy`` (the spec's ``missing``: ``worst``, ``impute`` or ``skip``)."""
        table = self.details.get("blanks")
        if table is None:
            return pd.DataFrame(columns=["uCode", "iCode", "cause", "policy"])
        return table.copy()

    @property
    def missing_policy(self) -> str:
        """How blank indicator cells were scored: the spec's ``missing`` (default ``skip``)."""
        return str(self.spec.get("missing", "skip"))

    @property
    def constant(self) -> list[str]:
        """Indicators a spread-dividing normalisation left without scores because every unit
        reported the same value (they leave their parents' means, as in COINr)."""
        return list(self.details.get("constant", []))

    @property
    def raw_values(self) -> pd.DataFrame:
        """The raw values rules read (vetoes): the Raw dataset plus, for indicators the
        spec excluded, their reported values — an exclusion changes scores, never a veto."""
        raw = self.get_dset("Raw")
        extra = self.details.get("excluded_raw")
        if extra is None or extra.empty:
            return raw
        return pd.concat([raw, extra.reindex(raw.index)], axis=1)

    @cached_property
    def effective_weights(self) -> pd.Series:
        """Each element's weight in the top-level index (COINr ``get_eff_weights``)."""
        return effective_weights(self.framework, self.weights)

    @property
    def screen_summary(self) -> pd.DataFrame | None:
        s = self.details.get("screen_summary")
        return None if s is None else s.copy()

    @property
    def treat_details(self) -> pd.DataFrame | None:
        s = self.details.get("treat_details")
        return None if s is None else s.copy()

    # -------------------------------------------------------------- variants
    def with_params(self, **params: Any) -> Evaluation:
        """A new Evaluation with some spec settings changed (scikit-learn style paths).

        ``ev.with_params(normalise__method="zscore")``, ``ev.with_params(treat=None)``.
        Changing a stage's method resets its other parameters to the new
        method's defaults unless they are given in the same call. A period of a
        globally normalised panel keeps normalising with the other periods' treated
        data; changing a stage before normalisation there is refused (rebuild the
        panel instead).
        """
        seed = params.pop("seed", self.seed)
        pool = self.details.get("normalise_pool")
        if pool is not None:
            check_pool_unchanged({p.partition("__")[0] for p in params}, "with_params")
        if self.builder is None:
            raise ValidationError(
                [
                    Problem(
                        "这个 Evaluation 不是由 build() 生成的，无法重新计算 / this Evaluation "
                        "was not made by build(), so it cannot be rebuilt; build it with "
                        "ie.build",
                        source="with_params",
                    )
                ],
                title="无法重新计算 / cannot rebuild",
            )
        return self.builder(
            self.source_framework or self.framework,
            self.idata,
            set_params(self.spec, **params),
            seed=seed,
            time=self.time,
            normalise_pool=pool,
        )

    def get_params(self) -> dict[str, Any]:
        """The resolved spec flattened to ``stage__param`` keys."""
        out: dict[str, Any] = {}
        for stage, cfg in self.spec.items():
            out[stage] = cfg
            for k, v in cfg.items() if isinstance(cfg, Mapping) else ():
                out[f"{stage}__{k}"] = v
        return out

    # ------------------------------------------------------------- display
    def table(self, lang: str = "zh") -> pd.DataFrame:
        """The results table: name, score, rank, then each dimension's score, by rank."""
        agg = self._aggregated()
        fw = self.framework
        dims = fw.codes_at(fw.n_levels - 1) if fw.n_levels > 1 else []
        scored = self.scores.index
        out = pd.DataFrame(
            {
                "uName": self.units.loc[scored, "uName"],
                "score": self.scores,
                "rank": self.ranks,
            }
        )
        out = out.join(agg.loc[scored, dims])
        return out.sort_values(["rank", "score"], ascending=[True, False], na_position="last")

    def summary(self) -> EvaluationSummary:
        """Text and HTML overview: framework, spec, league table, unscored units."""
        return EvaluationSummary(self)

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()


class EvaluationSummary:
    """What :meth:`Evaluation.summary` returns: text when printed, HTML in Jupyter.
    Files (the Excel workbook, reports) are written by :mod:`integrity_eval.report`."""

    def __init__(self, ev: Evaluation, top: int = 10):
        self.ev = ev
        self.top = top

    def _parts(self) -> tuple[list[tuple[str, str]], pd.DataFrame | None]:
        ev = self.ev
        fw = ev.framework
        facts = [
            ("framework / 框架", f"{fw.name} ({fw.title_zh or fw.title_en})"),
            (
                "levels / 层级",
                ", ".join(
                    f"{fw.level_label(lv)}: {len(fw.codes_at(lv))}"
                    for lv in range(1, fw.n_levels + 1)
                ),
            ),
            ("units / 单位", str(len(ev.get_dset("Raw")))),
            ("period / 期间", str(ev.time) if ev.time is not None else "—"),
            ("seed", str(ev.seed)),
        ]
        facts += [(f"{k}", _spec_text(v)) for k, v in ev.spec.items() if k != "defaults"]
        facts += _consistency_facts(ev)
        if len(ev.unscored):
            facts.append(
                (
                    "unscored / 未评分",
                    "; ".join(f"{u}: {r}" for u, r in ev.unscored["reason"].items()),
                )
            )
        table = ev.table().head(self.top) if "Aggregated" in ev.dsets else None
        return facts, table

    def __str__(self) -> str:
        facts, table = self._parts()
        width = max(len(k) for k, _ in facts)
        lines = ["Evaluation summary / 评价概要", "=" * 40]
        lines += [f"{k:<{width}}  {v}" for k, v in facts]
        if table is not None:
            lines += [
                "",
                f"Top {self.top} / 前{self.top}名:",
                table.to_string(float_format=lambda v: f"{v:.2f}"),
            ]
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        facts, table = self._parts()
        rows = "".join(
            f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in facts
        )
        out = f"<h4>Evaluation summary / 评价概要</h4><table>{rows}</table>"
        if table is not None:
            out += table.to_html(float_format=lambda v: f"{v:.2f}", escape=True)
        return out


def _consistency_facts(ev: Evaluation) -> list[tuple[str, str]]:
    """One line per AHP matrix behind the weights: its CR, flagged above 0.1 (Saaty 1980)."""
    from .weights.ahp import ahp_consistency

    table = ahp_consistency(ev)
    facts = []
    for parent, r in table.iterrows():
        if np.isfinite(r["CR"]):
            text = f"CR = {r['CR']:.3f} (n = {r['n']}, RI {r['ri_table']})"
        else:
            text = "几何平均优先级，无群组矩阵 / geometric mean of priorities, no group matrix"
        if not r["consistent"]:
            text += " — 不一致 (> 0.1) / inconsistent (> 0.1)"
        if r["experts"] > 1:
            text += f"; {r['experts']} 位专家 / experts"
        if r["inconsistent_experts"]:
            text += f"; 不一致的专家 / inconsistent experts: {r['inconsistent_experts']}"
        if r["dropped"]:
            text += f"; 已剔除 / left out: {r['dropped']}"
        facts.append((f"AHP {parent}", text))
    return facts


def _not_rated(status: str, screen_row: pd.Series | None, n: int, m: int) -> str:
    """The bilingual "not rated" label of an unscored unit."""
    if status == "forced":
        return "不予评级：按 screen.force 排除 / not rated: excluded by screen.force"
    if screen_row is not None and not screen_row["LowData"]:  # screened for zeros only
        nz = int(m - screen_row["N_missing"] - screen_row["N_zero"])
        return (
            f"不予评级：{m} 项指标中仅 {nz} 项非零 / "
            f"not rated: only {nz} of {m} indicators non-zero"
        )
    return f"不予评级：仅报送 {n} / {m} 项指标 / not rated: {n} of {m} indicators reported"


def _spec_text(value: Any) -> str:
    """One spec entry on a summary line: ``a=1, b=2`` for a stage, a list joined, a
    policy as it is."""
    if isinstance(value, Mapping):
        return ", ".join(f"{a}={b}" for a, b in value.items()) or "on"
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value))
    return str(value)
