"""The result object every weighting model returns (after statsmodels' results classes).

A :class:`WeightResult` holds ``.weights`` (a Series by code that sums to 1
within each group), the model's name and published source, the conventions it
follows where published implementations differ, and the model's diagnostics as
attributes. ``summary()`` gives a text/HTML view; ``_repr_html_`` shows it in
Jupyter.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ProblemList

__all__ = ["WeightResult", "WeightSummary", "as_directions", "check_matrix"]


class WeightResult:
    """Weights from one model plus its diagnostics.

    Attributes: ``weights`` (Series, sums to 1 within each group), ``method``,
    ``source`` (paper, table, page), ``conventions`` (how zeros, negative values
    and cost indicators are handled), ``tables`` (named DataFrames shown by
    :meth:`summary`, e.g. loadings), and every diagnostic passed as a keyword
    (``ahp``: ``lambda_max``, ``ci``, ``cr`` …).
    """

    def __init__(
        self,
        weights: pd.Series,
        *,
        method: str,
        source: str,
        conventions: str = "",
        tables: Mapping[str, pd.DataFrame] | None = None,
        warnings: list[str] | None = None,
        **diagnostics: Any,
    ):
        self.weights = weights.rename("weight")
        self.method = method
        self.source = source
        self.conventions = conventions
        self.tables = dict(tables or {})
        self.warnings = list(warnings or [])
        self.diagnostics = diagnostics
        for name, value in diagnostics.items():
            setattr(self, name, value)

    def __repr__(self) -> str:
        w = ", ".join(f"{k}={v:.3f}" for k, v in self.weights.head(6).items())
        more = ", …" if len(self.weights) > 6 else ""
        return f"<WeightResult {self.method}: {w}{more}>"

    def summary(self) -> WeightSummary:
        """Text when printed, HTML in Jupyter: weights, diagnostics, conventions, source."""
        return WeightSummary(self)

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()


class WeightSummary:
    """What :meth:`WeightResult.summary` returns."""

    def __init__(self, result: WeightResult):
        self.result = result

    def _facts(self) -> list[tuple[str, str]]:
        r = self.result
        facts = [("method / 方法", r.method)]
        for k, v in r.diagnostics.items():
            if isinstance(v, int | float | np.floating | np.integer | str | bool):
                facts.append((k, f"{v:.4f}" if isinstance(v, float | np.floating) else str(v)))
        facts.append(("conventions / 约定", r.conventions or "—"))
        facts.append(("source / 出处", r.source))
        facts += [("warning / 警告", w) for w in r.warnings]
        return facts

    def __str__(self) -> str:
        r = self.result
        facts = self._facts()
        width = max(len(k) for k, _ in facts)
        lines = [f"Weights / 权重: {r.method}", "=" * 40]
        lines += [f"{k:<{width}}  {v}" for k, v in facts]
        lines += ["", r.weights.to_frame().to_string(float_format=lambda v: f"{v:.4f}")]
        for name, table in r.tables.items():
            lines += ["", f"{name}:", table.to_string(float_format=lambda v: f"{v:.4f}")]
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        r = self.result
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
            f"<td style='text-align:left'>{html.escape(v)}</td></tr>"
            for k, v in self._facts()
        )
        out = f"<h4>Weights / 权重: {html.escape(r.method)}</h4><table>{rows}</table>"
        out += r.weights.to_frame().to_html(float_format=lambda v: f"{v:.4f}")
        for name, table in r.tables.items():
            out += f"<h5>{html.escape(name)}</h5>" + table.to_html(
                float_format=lambda v: f"{v:.4f}"
            )
        return out


def check_matrix(
    X: pd.DataFrame, model: str, *, min_units: int = 2, allow_missing: bool = False
) -> ProblemList:
    """Problems with a units × indicators table before a model uses it (not raised)."""
    problems = ProblemList()
    if not isinstance(X, pd.DataFrame):
        problems.add(
            "X must be a DataFrame (units × indicators)", source=model, value=type(X).__name__
        )
        return problems
    non_numeric = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
    for c in non_numeric:
        problems.add("indicator column is not numeric", source=model, column=c)
    if non_numeric:
        return problems
    if not allow_missing:
        for c in X.columns[X.isna().any()]:
            rows = list(X.index[X[c].isna()][:5])
            problems.add(
                f"missing values; {model} needs complete data (impute first, or pass the "
                "Imputed/Normalised dataset)",
                source=model,
                column=c,
                row=", ".join(map(str, rows)),
            )
    if len(X) < min_units:
        problems.add(f"at least {min_units} units are needed", source=model, value=len(X))
    return problems


def check_domain(
    x: np.ndarray, X: pd.DataFrame, model: str, rule: str, *, strict: bool = False
) -> ProblemList:
    """One problem per indicator with a value below 0 (``strict``: not above 0), naming the
    unit with the lowest value; ``x`` is ``X`` as an array (not raised)."""
    problems = ProblemList()
    bad = x <= 0 if strict else x < 0
    for j in np.flatnonzero(bad.any(axis=0)):
        i = int(np.argmin(x[:, j]))
        problems.add(rule, source=model, column=X.columns[j], row=X.index[i], value=x[i, j])
    return problems


def reflect_costs(x: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Cost indicators (direction −1) reflected as ``max + min − x``: same range and sign."""
    return np.where(d < 0, x.max(axis=0) + x.min(axis=0) - x, x)


def as_directions(
    directions: Mapping[str, float] | pd.Series | None, codes: pd.Index, model: str
) -> np.ndarray:
    """``directions=`` (Series/dict code → ±1; missing codes = +1) as an array over ``codes``."""
    if directions is None:
        return np.ones(len(codes))
    d = pd.Series(directions, dtype=float)
    problems = ProblemList()
    for code in d.index.difference(codes):
        problems.add("direction given for a code not in X", source=model, column=code)
    for code, v in d.items():
        if v not in (1.0, -1.0):
            problems.add("direction must be 1 or -1", source=model, column=code, value=v)
    problems.raise_if_any("invalid directions")
    return d.reindex(codes).fillna(1.0).to_numpy()
