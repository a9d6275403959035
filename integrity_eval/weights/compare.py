"""Several weighting schemes on one Evaluation, side by side (weights, scores, ranks).

The researcher's question "how much do the ranks depend on the weights?":
each model of :data:`~integrity_eval.weights.models.MODELS` is run in the build
(``weights: {method: …, level: …}``), explicit schemes (AHP, budget, optimised
weights) are applied with :func:`~integrity_eval.weights.reweighting.reweight`, and
the results are tabulated with the rank correlation against a reference
(e.g. a synthetic dataset's latent truth). ``aggregations`` adds whole-matrix MCDA
methods (:data:`~integrity_eval.mcda.MCDA_METHODS`, e.g. VIKOR) as the spec's top-level
aggregation; every comparison is made on ranks (1 = best), since some methods' scores
are better when lower (VIKOR's Q).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import pandas as pd

from ..errors import Problem, ValidationError
from .reweighting import reweight

if TYPE_CHECKING:
    from ..evaluation import Evaluation

__all__ = ["SchemeComparison", "compare_schemes"]


class SchemeComparison:
    """Evaluations under several weighting schemes. ``evaluations`` (name → Evaluation),
    ``failed`` (name → why a model could not run), ``failures`` (the same as a table), and
    tables built from them."""

    def __init__(
        self,
        evaluations: Mapping[str, Evaluation],
        failed: Mapping[str, str],
        problems: Mapping[str, Sequence[Problem]] | None = None,
    ):
        self.evaluations = dict(evaluations)
        self.failed = dict(failed)
        self._problems = {k: list(v) for k, v in (problems or {}).items()}

    @property
    def failures(self) -> pd.DataFrame:
        """One row per scheme that could not run: ``where`` (the nodes its problems
        name) and ``reason`` (each distinct rule once, "中文 / English")."""
        rows = {
            name: {
                "where": ", ".join(dict.fromkeys(_where(p) for p in probs if _where(p))),
                "reason": "; ".join(dict.fromkeys(p.rule for p in probs)),
            }
            for name, probs in self._problems.items()
        }
        out = pd.DataFrame.from_dict(rows, orient="index", columns=["where", "reason"])
        return out.rename_axis("scheme")

    def weights(self, codes: Sequence[str] | None = None) -> pd.DataFrame:
        """Each scheme's weights, normalised within each parent (rows: codes)."""
        first = next(iter(self.evaluations.values()))
        fw = first.framework
        codes = list(codes) if codes is not None else [n.code for n in fw.nodes if n.parent]
        out = {}
        for name, ev in self.evaluations.items():
            w = ev.weights.astype(float)
            norm = pd.Series(
                {c: w[c] / w[fw.children[fw[c].parent]].sum() for c in codes}, dtype=float
            )
            out[name] = norm
        return pd.DataFrame(out)

    @property
    def scores(self) -> pd.DataFrame:
        return pd.DataFrame({k: ev.scores for k, ev in self.evaluations.items()})

    @property
    def ranks(self) -> pd.DataFrame:
        return pd.DataFrame({k: ev.ranks for k, ev in self.evaluations.items()})

    def spearman(self, reference: pd.Series) -> pd.Series:
        """Spearman rank correlation of each scheme's ranking (best first, whatever the
        direction of its scores) with ``reference`` (by uCode; higher = better)."""
        r = -self.ranks
        return r.corrwith(reference.reindex(r.index), method="spearman").rename("spearman")

    def moves(self, base: str | None = None) -> pd.DataFrame:
        """Rank change of every unit under each scheme against ``base`` (default: the first);
        positive = moves up."""
        r = self.ranks
        base = base or r.columns[0]
        return r[[base]].to_numpy() - r.drop(columns=base)

    def summary(self, reference: pd.Series | None = None) -> pd.DataFrame:
        """Per scheme: Spearman with ``reference`` (if given), with the first scheme, and the
        largest rank move."""
        r = self.ranks
        base = r.columns[0]
        out = pd.DataFrame(
            {
                f"spearman vs {base}": r.corrwith(r[base], method="spearman"),
                "max |rank move|": (r.sub(r[base], axis=0)).abs().max(),
            }
        )
        if reference is not None:
            out.insert(0, "spearman vs reference", self.spearman(reference))
        return out


def _where(p: Problem) -> str:
    """The node or input a problem names: its source without the stage word."""
    return str(p.source).removeprefix("weights").strip()


def compare_schemes(
    ev: Evaluation,
    methods: Sequence[str] = (
        "entropy",
        "critic",
        "std",
        "merec",
        "cilos",
        "idocriw",
        "gini",
        "lopcow",
        "variance",
        "angle",
        "pca",
        "factor",
        "bod",
    ),
    *,
    level: int | None = None,
    dset: str = "Normalised",
    explicit: Mapping[str, Mapping[str, float]] | None = None,
    options: Mapping[str, Mapping[str, object]] | None = None,
    aggregations: Sequence[str] = (),
) -> SchemeComparison:
    """``ev`` (as "nominal"), each model in ``methods`` computed in the build at ``level``
    on ``dset``, each ``explicit`` scheme (name → code → weight) applied by reweight, and
    each MCDA method in ``aggregations`` as the top-level aggregation (``ev.with_params(
    aggregate={"method": m, **options.get(m, {})})``, named ``aggregate:m``).

    ``options``: extra spec keys per model or aggregation (e.g. ``{"regression":
    {"outcome": {...}}}``, ``{"vikor": {"v": 0.3}}``). A model that cannot run on these
    data (e.g. MEREC on zeros) is listed in ``failed`` with the reason instead of stopping
    the comparison.
    """
    evaluations: dict[str, Evaluation] = {"nominal": ev}
    problems: dict[str, list[Problem]] = {}
    for m in methods:
        cfg = {"method": m, "dset": dset, "level": level, **dict((options or {}).get(m, {}))}
        try:
            evaluations[m] = ev.with_params(weights=cfg)
        except ValidationError as exc:
            problems[m] = list(exc.problems)
    for name, w in (explicit or {}).items():
        evaluations[name] = reweight(ev, w)
    for m in aggregations:
        cfg = {"method": m, **dict((options or {}).get(m, {}))}
        try:
            evaluations[f"aggregate:{m}"] = ev.with_params(aggregate=cfg)
        except ValidationError as exc:
            problems[f"aggregate:{m}"] = list(exc.problems)
    failed = {k: "; ".join(str(p) for p in v[:3]) for k, v in problems.items()}
    return SchemeComparison(evaluations, failed, problems)
