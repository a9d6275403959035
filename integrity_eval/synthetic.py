r"""Synthetic indicator panels with a known latent integrity (合成数据，含真值).

Government integrity data of Chinese districts, departments and townships are not
available as open data, so the datasets shipped in ``datasets/`` for the four
integrity frameworks are **synthetic**: drawn from the seeded model below, with
the latent integrity of every unit and year kept as ground truth. A method choice (denomination,
imputation, treatment, normalisation, weights, aggregation) can then be judged by
how well the composite recovers the truth (e.g. Spearman correlation of scores
with θ, rank displacement). No real data of any district, department or
township are involved; only the unit *names* come from the source documents.

Model
-----
Units ``u = 1..U`` (size ``s_u > 0``), years ``t = t0..t1``, indicators ``i``
with direction ``d_i ∈ {+1, −1}`` and kind (``Node.kind``).

Latent integrity (higher = more trustworthy)::

    θ_{u,t} = α_u + β·(t − t0) + ε_{u,t}
    α_u ~ N(0, 1)
    ε_{u,t} = ρ·ε_{u,t−1} + η_{u,t},  η ~ N(0, σ²(1 − ρ²)),  ε_{u,t0} ~ N(0, σ²)

so ε is a stationary AR(1) process with marginal variance σ² (defaults
β = 0.08 per year, ρ = 0.5, σ = 0.35). The truth table holds θ and the unit's
rank in each year (1 = highest θ, ties "min").

Each indicator has a loading ``λ_i ~ U(0.5, 1)`` and an intercept; its linear
predictor is ``ℓ_{u,t,i} = d_i · λ_i · θ_{u,t} + γ_{u,i}``, so for an indicator
with direction −1 a higher θ gives *lower* values. ``γ_{u,i} ~ N(0, ψ²)``
(ψ = 0.4) is a persistent unit-by-indicator deviation unrelated to integrity
(a unit that is, year after year, slow on one task for reasons of its own), so
that no single indicator, and no composite, recovers θ exactly. By kind:

* ``count`` — negative binomial, over-dispersed::

      Y ~ NB(mean μ, size r_i),  Var = μ + μ²/r_i,  r_i ~ U(1.5, 4)
      μ = E_{u,t,i} · exp(a_i + ℓ)

  The exposure ``E`` is the indicator's denominator column when the framework
  declares one (e.g. population), otherwise ``(s_u / median s)^κ`` (κ = 0.5:
  bigger units have more activity, less than proportionally). ``a_i`` puts the
  median-unit mean at ``m_i ~ logU(1, 25)``, or ``logU(0.05, 0.5)`` for a count
  that a veto of the framework's ``rating`` block reads: one occurrence caps the
  grade, so the behaviour is a rare, serious event (falsification, a breach
  judgment), not a routine one. When the framework gives the indicator goalposts
  (and no veto reads it), the mean per unit of exposure at ``ℓ = 0`` is instead
  ``lower + (upper − lower)·f_i`` of the goalposts, with ``f_i`` 0.3–0.6 for d = +1 and
  0.08–0.28 for d = −1 (as a bounded ratio's level below), so the values live on the scale
  the goalposts score. For bad-behaviour counts (d = −1)
  this is ``E·exp(a_i − λ_i θ)``. Counts are capped at the item's ``max``.
  A count whose denominator is itself a number of things (unit 个, 家, 项 …,
  e.g. demonstration streets among all streets) is instead
  ``Binomial(E, logistic(c_i + ℓ))`` so it never exceeds its denominator.
* ``rate`` — Beta with mean ``logistic(c_i + ℓ)`` and precision ``φ_i ~ U(15, 60)``,
  mapped onto ``[min, max]`` (default [0, 1]; [0, 100] when the unit is %).
  Baseline ``logistic(c_i)`` is 0.70–0.95 for d = +1 and 0.03–0.20 for d = −1 of the way
  from the lower to the upper goalpost when the framework gives goalposts (e.g. 0.88–0.98
  between 60 % and 100 %), else of ``[min, max]``.
* ``score`` — ``N(lo + R·(p_i + 0.12·ℓ), (R·τ_i)²)`` clipped to ``[min, max]``
  (default [0, 100]; ``lo, R`` = the goalposts' lower end and width when the
  framework gives goalposts, else ``min`` and ``max − min``; ``p_i`` 0.6–0.8 for
  d = +1, 0.2–0.4 for d = −1, ``τ_i ~ U(0.04, 0.08)``), one decimal.
* ``points`` (default range [0, 10], always within ``[min, max]``):
  bonus items (d = +1) are ``min + R·(p_i + 0.25·ℓ + τ_i·Z)`` rounded to whole
  points (half points when ``R > 5``), ``p_i`` 0.45–0.70, ``τ_i`` 0.08–0.16;
  deduction items (d = −1, points lost) are ``min + s_i·N``, ``N ~ NB(mean
  e_i·exp(ℓ), size r_i)`` breach events, ``e_i ~ U(0.1, 1)`` a year at θ = 0,
  ``s_i = R/5`` points per event (at least 0.5), capped at ``max``.
* ``amount`` — lognormal, ``E · exp(c_i + 0.8·ℓ + N(0, ς_i²))``, ``ς_i ~ U(0.3, 0.7)``,
  median-unit level ``logU(10, 1000)``.
* ``ratio`` — lognormal, ``m_i · exp(0.5·ℓ + N(0, ς_i²))`` clipped to ``[min, max]``;
  ``m_i ~ U(0.5, 2)``, or ``lower + (upper − lower)·f_i`` between the goalposts when the
  framework gives them (else between ``min`` and a finite ``max``), ``f_i`` 0.3–0.6 for
  d = +1 and 0.08–0.28 for d = −1.
* ``binary`` — Bernoulli(``logistic(c_i + 1.5·ℓ)``), baseline ``logistic(c_i)``
  0.60–0.90 for d = +1 and 0.05–0.25 for d = −1 (0.01–0.05 when a veto reads it).
* kind not given — treated as ``score``.

Denominator columns: the ``units`` column of the same code when given, otherwise
``s_u · exp(N(0, 0.25²))``; each grows by ``g ~ U(0, 2%)`` a year with
``N(0, 0.02²)`` log-noise, except denominators counted in whole things (unit 个,
家, 项 …), which are rounded and fixed over the years.

Data defects: ``outlier_rate`` of the positive count cells are multiplied by
``U(5, 10)`` (still capped at ``max``); then values are deleted completely at
random (MCAR) with probability ``missing_rate``, never a whole indicator.
Indicators that do not apply to some units (``not_applicable``, e.g. a
street-only item for departments) are left empty for them. Finally no indicator
is left constant within a year (small units and yes/no items make that likely,
and a normalisation would divide by zero): one observed cell is flipped (binary)
or moved one step (counts, points).

Randomness: one :class:`numpy.random.SeedSequence` per dataset (an ``int`` seed or
a ``SeedSequence`` child of the master seed, see :data:`MASTER_SEED`), spawning
independent streams for the latent process, the indicator parameters, the
denominators, the indicator values, the outliers, the missing values, the
unit-by-indicator deviations γ and the constant-column fix-up; every stream is
``np.random.default_rng(child)``. The draws are vectorised over units, years and
the indicators of one kind.

Unit sizes of the shipped datasets (:func:`dataset_units`) are lognormal per unit
type, drawn from a separate child of the dataset's seed; for Shanghai the drawn
sizes are sorted and handed out in the real order of district population (浦东新区
largest), so only that order, never a value, comes from the real world.

Shipped datasets (``python -m integrity_eval.synthetic --out datasets``
regenerates them byte for byte)::

    shanghai-districts  shanghai-2018           16 districts of Shanghai, 2018–2024
    changning-units     changning-2020          Changning departments + streets/town, 2020–2024
    luyang-units        luyang-2018             Luyang departments + streets/townships, 2018–2024
    jiangyin-townships  jiangyin-township-2018  Jiangyin towns, streets and parks, 2018–2024
"""

from __future__ import annotations

import argparse
import math
import sys
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from scipy.signal import lfilter
from scipy.special import expit, logit

from .display import Displayable, Summary
from .errors import ProblemList, suggest
from .framework import Framework, load_framework

__all__ = [
    "DATASETS",
    "MASTER_SEED",
    "DatasetSpec",
    "SyntheticPanel",
    "dataset_panel",
    "dataset_units",
    "generate_panel",
    "write_dataset",
]

#: Master seed of the shipped datasets; dataset ``k`` of :data:`DATASETS` uses
#: ``np.random.SeedSequence(MASTER_SEED).spawn(len(DATASETS))[k]``.
MASTER_SEED = 20180213

#: Default model constants (see the module docstring).
DEFAULTS: dict[str, float] = {
    "beta": 0.08,
    "rho": 0.5,
    "sigma": 0.35,
    "size_elasticity": 0.5,
    "unit_effect_sd": 0.4,
    "denominator_spread": 0.25,
}

CSV_FLOAT_FORMAT = "%.10g"


@dataclass(frozen=True, repr=False)
class SyntheticPanel(Displayable):
    """A synthetic panel and its ground truth.

    ``idata``: COINr iData layout — ``uCode, uName, Time``, group columns,
    denominator columns, one column per indicator (framework order), rows sorted
    by ``Time, uCode``. ``truth``: ``uCode, Time, theta, rank`` (rank 1 = highest
    θ within the year, ties "min"). ``params``: every model constant and drawn
    parameter (plain data, YAML-serialisable).
    """

    idata: pd.DataFrame
    truth: pd.DataFrame
    params: Mapping[str, Any] = field(hash=False)

    @property
    def years(self) -> list[int]:
        return sorted(int(t) for t in self.idata["Time"].unique())

    def cross_section(self, year: int | None = None) -> pd.DataFrame:
        """The iData rows of one year (the latest by default), index reset."""
        year = self.years[-1] if year is None else int(year)
        return self.idata[self.idata["Time"] == year].reset_index(drop=True)

    def truth_at(self, year: int | None = None) -> pd.Series:
        """θ of one year (the latest by default) as a Series by uCode."""
        year = self.years[-1] if year is None else int(year)
        t = self.truth[self.truth["Time"] == year]
        return pd.Series(t["theta"].to_numpy(), index=t["uCode"].to_numpy(), name="theta")

    def _headline(self) -> str:
        years = self.years
        return (
            f"{self.params.get('framework', '')}: {self.idata['uCode'].nunique()} units, "
            f"{years[0]}–{years[-1]}; synthetic / 合成数据"
        )

    def summary(self) -> Summary:
        """Overview: the model, its constants, and the ground truth of the latest year."""
        scalars = [(k, v) for k, v in self.params.items() if isinstance(v, (str, int, float))]
        return Summary(
            "Synthetic panel / 合成面板数据 (合成数据 / synthetic)",
            [("years / 年份", f"{self.years[0]}–{self.years[-1]}"), *scalars],
            [("Ground truth θ, latest year / 最新年份真实值", self.truth_at())],
        )


# ----------------------------------------------------------------- generator
def _veto_indicators(fw: Framework) -> set[str]:
    """Codes read by the vetoes of the framework's ``rating`` block (rare, serious events)."""
    return {str(v.get("indicator")) for v in (fw.rating or {}).get("vetoes", []) or []}


def generate_panel(
    framework: Framework | str,
    units: pd.DataFrame,
    years: Sequence[int],
    *,
    seed: int | np.random.SeedSequence,
    missing_rate: float = 0.03,
    outlier_rate: float = 0.01,
    beta: float = DEFAULTS["beta"],
    rho: float = DEFAULTS["rho"],
    sigma: float = DEFAULTS["sigma"],
    size_elasticity: float = DEFAULTS["size_elasticity"],
    unit_effect_sd: float = DEFAULTS["unit_effect_sd"],
    not_applicable: Mapping[str, Sequence[str]] | None = None,
) -> SyntheticPanel:
    """Draw a synthetic panel for ``framework``'s indicators (model: module docstring).

    ``units`` has columns ``uCode``, ``uName``, ``size`` (> 0), optionally ``uName_en``
    and one column per framework group (both copied to iData) and per denominator (used
    as the base value instead of one derived from ``size``). ``not_applicable`` maps an
    indicator code to the uCodes it does not apply to (e.g. a street-only item for
    departments): those cells are left empty, apart from the random missing values.
    Same ``seed`` → identical frames.
    """
    fw = load_framework(framework) if not isinstance(framework, Framework) else framework
    problems = ProblemList()
    units = _check_units(units, problems)
    years_arr = np.asarray(sorted({int(y) for y in years}), dtype=int)
    _check_parameters(
        fw, years_arr, missing_rate, outlier_rate, rho, sigma, not_applicable, problems
    )
    problems.raise_if_any("合成数据的参数无效 / invalid synthetic-data parameters")

    ss = _fresh(seed)
    streams = ss.spawn(8)
    s_latent, s_params, s_denom, s_values, s_outlier, s_missing, s_effects, s_ties = streams
    n_u, n_t = len(units), years_arr.size
    t0 = int(years_arr[0])
    dt = (years_arr - t0).astype(float)
    size = units["size"].to_numpy(dtype=float)

    # --- latent integrity θ (U × T), AR(1) noise via a linear filter over time
    rng = np.random.default_rng(s_latent)
    alpha = rng.standard_normal(n_u)
    eta = rng.standard_normal((n_u, n_t))
    eta[:, 0] *= sigma
    eta[:, 1:] *= sigma * math.sqrt(1.0 - rho**2)
    eps = lfilter([1.0], [1.0, -rho], eta, axis=1)
    theta = alpha[:, None] + beta * dt[None, :] + eps

    # --- denominators (U × T each)
    rng = np.random.default_rng(s_denom)
    denoms: dict[str, np.ndarray] = {}
    denom_params: dict[str, Any] = {}
    for aux in fw.denominators:
        spread = rng.standard_normal(n_u)
        growth = rng.uniform(0.0, 0.02)
        noise = rng.standard_normal((n_u, n_t))
        if aux.code in units.columns:
            base = units[aux.code].to_numpy(dtype=float)
        else:
            base = size * np.exp(DEFAULTS["denominator_spread"] * spread)
        countable = _is_countable(aux.unit)
        if countable:  # a number of things (streets, villages): whole, fixed over the years
            d_val = np.broadcast_to(np.maximum(np.round(base), 1.0)[:, None], (n_u, n_t))
        else:
            d_val = np.round(base[:, None] * np.exp(growth * dt[None, :] + 0.02 * noise), 2)
        denoms[aux.code] = d_val
        denom_params[aux.code] = {
            "from_units": aux.code in units.columns,
            "countable": countable,
            "growth": 0.0 if countable else _r(growth),
        }

    # --- indicator parameters: one row of uniforms per indicator (framework order)
    codes = fw.indicators
    nodes = [fw[c] for c in codes]
    k = len(codes)
    kinds = np.array([_kind(n) for n in nodes])
    vetoed = np.array([c in _veto_indicators(fw) for c in codes])
    direc = np.array([n.direction for n in nodes], dtype=float)
    up = direc > 0
    rng = np.random.default_rng(s_params)
    uni = rng.random((k, 4))
    lam = 0.5 + 0.5 * uni[:, 0]

    # flatten (unit, year) → observation, unit-major
    theta_f = theta.reshape(-1)
    n_obs = theta_f.size
    gamma = unit_effect_sd * np.random.default_rng(s_effects).standard_normal((n_u, k))
    lin = theta_f[:, None] * (direc * lam)[None, :] + np.repeat(gamma, n_t, axis=0)  # (N, k)
    rel_size = np.repeat((size / np.median(size)) ** size_elasticity, n_t)
    exposure = np.empty((n_obs, k))
    for j, node in enumerate(nodes):
        exposure[:, j] = denoms[node.denominator].reshape(-1) if node.denominator else rel_size
    # counts of a subset of countable things (e.g. demonstration streets among all streets)
    binom = np.array(
        [
            kinds[j] == "count" and bool(n.denominator) and denom_params[n.denominator]["countable"]
            for j, n in enumerate(nodes)
        ],
        dtype=bool,
    )
    kinds = np.where(binom, "count_of", kinds)

    lo, hi = _ranges(nodes, kinds)
    # the span a level is placed in: the goalposts when the framework gives them, else [min, max]
    span_lo, span_hi, posted = _spans(nodes, lo, hi)
    values = np.full((n_obs, k), np.nan)
    steps = np.ones(k)  # smallest change of a value, for the constant-column fix-up
    ind_params: dict[str, dict[str, Any]] = {
        c: {"kind": _kind(nodes[j]), "direction": int(direc[j]), "loading": _r(lam[j])}
        for j, c in enumerate(codes)
    }
    rng = np.random.default_rng(s_values)
    for kind in _KIND_ORDER:
        cols = np.flatnonzero(kinds == kind)
        if cols.size == 0:
            continue
        u1, u2 = uni[cols, 1], uni[cols, 2]
        ell = lin[:, cols]
        shape = ell.shape
        if kind == "count":  # 1 … 25 a year at the median unit; 0.05 … 0.5 if a veto reads it
            level = np.where(vetoed[cols], 0.05 * 10.0**u1, np.exp(u1 * np.log(25.0)))
            med = np.median(exposure[:, cols], axis=0)
            a = np.log(level) - np.log(med)
            # with goalposts (not for a veto's rare events): the mean per unit of exposure
            # lies a share of the span from the lower post, as a bounded ratio's level does
            to_posts = posted[cols] & ~vetoed[cols]
            frac = np.where(up[cols], 0.3 + 0.3 * u1, 0.08 + 0.2 * u1)
            per_unit = span_lo[cols] + np.where(to_posts, span_hi[cols] - span_lo[cols], 0) * frac
            a = np.where(to_posts, np.log(np.where(to_posts, per_unit, 1.0)), a)
            level = np.where(to_posts, np.exp(a) * med, level)
            r = 1.5 + 2.5 * u2
            mu = exposure[:, cols] * np.exp(a[None, :] + ell)
            r_b = np.broadcast_to(r, shape)
            y = rng.negative_binomial(r_b, r_b / (r_b + mu)).astype(float)
            y = np.clip(y, lo[cols], hi[cols])
            extra = {"intercept": a, "median_level": level, "nb_size": r}
        elif kind == "count_of":
            p0 = np.where(up[cols], 0.15 + 0.30 * u1, 0.05 + 0.15 * u1)
            c = logit(p0)
            n_of = exposure[:, cols].astype(np.int64)
            y = rng.binomial(n_of, expit(c[None, :] + ell)).astype(float)
            extra = {"intercept": c}
        elif kind == "rate":
            p0 = np.where(up[cols], 0.70 + 0.25 * u1, 0.03 + 0.17 * u1)
            span = hi[cols] - lo[cols]
            # the baseline sits at that share of the goalposts' span (of [min, max] without them)
            between = (span_lo[cols] + (span_hi[cols] - span_lo[cols]) * p0 - lo[cols]) / span
            p0 = np.where(posted[cols], between, p0)
            c = logit(p0)
            phi = 15.0 + 45.0 * u2
            m = expit(c[None, :] + ell)
            z = rng.beta(m * phi, (1.0 - m) * phi)
            y = np.clip(lo[cols] + span * z, lo[cols], hi[cols])
            y = np.round(y, 4)
            extra = {"intercept": c, "precision": phi}
        elif kind == "score":
            p0 = np.where(up[cols], 0.6 + 0.2 * u1, 0.2 + 0.2 * u1)
            tau = 0.04 + 0.04 * u2
            # values live between the goalposts when the framework gives them
            base, width = span_lo[cols], span_hi[cols] - span_lo[cols]
            z = rng.standard_normal(shape)
            y = base + width * (p0[None, :] + 0.12 * ell + tau[None, :] * z)
            y = np.clip(np.round(y, 1), lo[cols], hi[cols])
            extra = {"centre": p0, "noise_sd": tau}
        elif kind == "points":
            span = hi[cols] - lo[cols]
            step = _points_step(span, up[cols])
            steps[cols] = step
            # bonus items: a rounded normal score; deduction items: points per event × events
            p0 = 0.45 + 0.25 * u1
            tau = 0.08 + 0.08 * u2
            z = rng.standard_normal(shape)
            bonus = lo[cols] + span * (p0[None, :] + 0.25 * ell + tau[None, :] * z)
            rate = 0.1 + 0.9 * u1  # events a year at θ = 0
            r = 1.5 + 2.5 * u2
            mu = rate[None, :] * np.exp(ell)
            r_b = np.broadcast_to(r, shape)
            events = rng.negative_binomial(r_b, r_b / (r_b + mu))
            deduction = lo[cols] + step[None, :] * events
            y = np.where(up[cols][None, :], np.round(bonus / step) * step, deduction)
            y = np.clip(np.round(y, 2), lo[cols], hi[cols])
            extra = {
                "step": step,
                "centre": np.where(up[cols], p0, np.nan),
                "noise_sd": np.where(up[cols], tau, np.nan),
                "events_at_theta0": np.where(up[cols], np.nan, rate),
                "nb_size": np.where(up[cols], np.nan, r),
            }
        elif kind == "amount":
            level = 10.0 ** (1.0 + 2.0 * u1)
            c = np.log(level) - np.log(np.median(exposure[:, cols], axis=0))
            sd = 0.3 + 0.4 * u2
            z = rng.standard_normal(shape)
            y = exposure[:, cols] * np.exp(c[None, :] + 0.8 * ell + sd[None, :] * z)
            y = np.clip(np.round(y, 2), lo[cols], hi[cols])
            extra = {"intercept": c, "median_level": level, "log_sd": sd}
        elif kind == "ratio":
            span = span_hi[cols] - span_lo[cols]
            bounded = np.isfinite(span)
            frac = np.where(up[cols], 0.3 + 0.3 * u1, 0.08 + 0.2 * u1)
            level = np.where(
                bounded, span_lo[cols] + np.where(bounded, span, 0) * frac, 0.5 + 1.5 * u1
            )
            sd = 0.3 + 0.4 * u2
            z = rng.standard_normal(shape)
            y = level[None, :] * np.exp(0.5 * ell + sd[None, :] * z)
            y = np.clip(np.round(y, 4), lo[cols], hi[cols])
            extra = {"median_level": level, "log_sd": sd}
        else:  # binary
            p0 = np.where(up[cols], 0.60 + 0.30 * u1, 0.05 + 0.20 * u1)
            p0 = np.where(vetoed[cols] & ~up[cols], 0.01 + 0.04 * u1, p0)
            c = logit(p0)
            y = (rng.random(shape) < expit(c[None, :] + 1.5 * ell)).astype(float)
            extra = {"intercept": c}
        values[:, cols] = y
        for name, vec in extra.items():
            for jj, j in enumerate(cols):
                if not np.isnan(vec[jj]):
                    ind_params[codes[j]][name] = _r(vec[jj])
        if kind in ("count", "count_of", "amount"):
            for j in cols:
                ind_params[codes[j]]["exposure"] = nodes[j].denominator or "size^κ"
        if kind == "count_of":
            for j in cols:
                ind_params[codes[j]]["model"] = "binomial"
        if kind in ("rate", "score", "points", "amount", "ratio"):
            for j in cols:
                ind_params[codes[j]]["range"] = [_r(lo[j]), _r(hi[j])]

    # --- outliers: a few positive count cells × U(5, 10)
    rng = np.random.default_rng(s_outlier)
    count_cols = np.flatnonzero(kinds == "count")
    hit = rng.random((n_obs, count_cols.size)) < outlier_rate
    factor = rng.uniform(5.0, 10.0, (n_obs, count_cols.size))
    block = values[:, count_cols]
    hit &= block > 0
    boosted = np.clip(np.round(block * factor), lo[count_cols], hi[count_cols])
    hit &= boosted > block
    values[:, count_cols] = np.where(hit, boosted, block)

    # --- missing completely at random, never a whole indicator
    rng = np.random.default_rng(s_missing)
    miss = rng.random((n_obs, k)) < missing_rate
    keep = rng.integers(0, n_obs, k)
    whole = np.flatnonzero(miss.all(axis=0))
    miss[keep[whole], whole] = False
    values[miss] = np.nan
    na_params: dict[str, list[str]] = {}
    for code, ucodes in (not_applicable or {}).items():
        rows = np.isin(units["uCode"].to_numpy()[np.repeat(np.arange(n_u), n_t)], list(ucodes))
        values[rows, codes.index(code)] = np.nan
        na_params[code] = sorted(str(u) for u in ucodes)

    # --- no indicator constant within a year (a normalisation would divide by zero)
    n_constant = _break_ties(values, kinds, steps, lo, hi, n_u, n_t, np.random.default_rng(s_ties))

    # --- assemble frames
    u_idx = np.repeat(np.arange(n_u), n_t)
    t_idx = np.tile(np.arange(n_t), n_u)
    groups = [g.code for g in fw.groups if g.code in units.columns]
    head = {
        "uCode": units["uCode"].to_numpy()[u_idx],
        "uName": units["uName"].to_numpy()[u_idx],
    }
    if "uName_en" in units.columns:
        head["uName_en"] = units["uName_en"].to_numpy()[u_idx]
    head["Time"] = years_arr[t_idx]
    for g in groups:
        head[g] = units[g].to_numpy()[u_idx]
    for d, arr in denoms.items():
        head[d] = arr.reshape(-1)
    idata = pd.concat(
        [pd.DataFrame(head), pd.DataFrame(values, columns=codes)], axis=1
    ).sort_values(["Time", "uCode"], kind="stable")
    idata = idata.reset_index(drop=True)

    truth = pd.DataFrame(
        {
            "uCode": head["uCode"],
            "Time": head["Time"],
            "theta": np.round(theta_f, 6),
        }
    )
    truth["rank"] = truth.groupby("Time")["theta"].rank(ascending=False, method="min").astype(int)
    truth = truth.sort_values(["Time", "uCode"], kind="stable").reset_index(drop=True)

    hit_obs, hit_col = np.nonzero(hit & ~np.isnan(values[:, count_cols]))
    outliers = [
        [str(head["uCode"][o]), int(head["Time"][o]), codes[count_cols[c]]]
        for o, c in zip(hit_obs, hit_col, strict=True)
    ]
    params: dict[str, Any] = {
        "model": "theta[u,t] = alpha[u] + beta*(t - t0) + eps[u,t]; eps AR(1)",
        "seed": {"entropy": _entropy(ss), "spawn_key": [int(x) for x in ss.spawn_key]},
        "framework": fw.name,
        "framework_hash": fw.hash,
        "years": [int(y) for y in years_arr],
        "t0": t0,
        "beta": _r(beta),
        "rho": _r(rho),
        "sigma": _r(sigma),
        "size_elasticity": _r(size_elasticity),
        "unit_effect_sd": _r(unit_effect_sd),
        "missing_rate": _r(missing_rate),
        "outlier_rate": _r(outlier_rate),
        "n_missing": int(miss.sum()),
        "not_applicable": na_params,
        "n_constant_broken": n_constant,
        "alpha": {str(c): _r(a) for c, a in zip(units["uCode"], alpha, strict=True)},
        "size": {str(c): _r(s) for c, s in zip(units["uCode"], size, strict=True)},
        "denominators": denom_params,
        "indicators": ind_params,
        "outliers": outliers,
    }
    return SyntheticPanel(idata=idata, truth=truth, params=params)


def _points_step(span: np.ndarray, bonus: np.ndarray) -> np.ndarray:
    """Points granularity: bonus 1 (0.5 above 5 points); deduction max/5 (≥ 0.5, half points)."""
    ded = np.maximum(0.5, np.round(np.where(np.isfinite(span), span, 10.0) / 5.0 * 2.0) / 2.0)
    return np.where(bonus, np.where(span > 5, 0.5, 1.0), ded)


def _break_ties(
    values: np.ndarray,
    kinds: np.ndarray,
    steps: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    n_u: int,
    n_t: int,
    rng: np.random.Generator,
) -> int:
    """Change one observed cell of every (year, indicator) whose observed values are all equal.

    Binary: flip it; counts and points: one step (1, or the item's points step) down, up from
    the bottom of the range. In place; returns how many (year, indicator) pairs were changed.
    """
    cube = values.reshape(n_u, n_t, -1).copy()  # unit-major rows
    seen = ~np.isnan(cube)
    with np.errstate(invalid="ignore"):
        span = np.nanmax(np.where(seen, cube, -np.inf), axis=0) - np.nanmin(
            np.where(seen, cube, np.inf), axis=0
        )
    const = (seen.sum(axis=0) >= 2) & (span == 0)  # (T, k)
    t_idx, j_idx = np.nonzero(const)
    if t_idx.size == 0:
        return 0
    pick = np.where(seen[:, t_idx, j_idx], rng.random((n_u, t_idx.size)), -1.0).argmax(axis=0)
    old = cube[pick, t_idx, j_idx]
    kind = kinds[j_idx]
    step = steps[j_idx]
    moved = np.where(old - step >= lo[j_idx], old - step, old + step)
    new = np.where(kind == "binary", 1.0 - old, moved)
    movable = np.isin(kind, ("binary", "count", "count_of", "points")) & (new >= lo[j_idx])
    movable &= new <= hi[j_idx]
    cube[pick[movable], t_idx[movable], j_idx[movable]] = new[movable]
    values[...] = cube.reshape(values.shape)
    return int(movable.sum())


_KIND_ORDER = ("count", "count_of", "rate", "ratio", "score", "points", "amount", "binary")
_COUNTABLE_UNITS = ("个", "家", "件", "项", "所", "次", "人次")


def _is_countable(unit: str) -> bool:
    """A denominator counted in whole things (its unit is 个, 家, … possibly with a gloss)."""
    head = (unit or "").split("/")[0].strip()
    return head in _COUNTABLE_UNITS


_DEFAULT_RANGE = {
    "count": (0.0, math.inf),
    "rate": (0.0, 1.0),
    "score": (0.0, 100.0),
    "points": (0.0, 10.0),
    "amount": (0.0, math.inf),
    "ratio": (0.0, math.inf),
}


def _kind(node: Any) -> str:
    return node.kind if node.kind in _KIND_ORDER and node.kind != "count_of" else "score"


def _ranges(nodes: Sequence[Any], kinds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lo = np.zeros(len(nodes))
    hi = np.full(len(nodes), math.inf)
    for j, (n, kind) in enumerate(zip(nodes, kinds, strict=True)):
        dlo, dhi = _DEFAULT_RANGE.get(str(kind), (0.0, math.inf))
        if kind == "rate" and "%" in (n.unit or ""):
            dhi = 100.0
        lo[j] = dlo if n.min is None else float(n.min)
        hi[j] = dhi if n.max is None else float(n.max)
        if kind in ("score", "points") and not math.isfinite(hi[j]):
            hi[j] = lo[j] + _DEFAULT_RANGE[str(kind)][1]
    return lo, hi


def _spans(
    nodes: Sequence[Any], lo: np.ndarray, hi: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The span each indicator's level is placed in — its goalposts (lower, upper) when the
    framework gives them, else its ``[min, max]`` range — and the mask of given goalposts."""
    posts = np.array([n.goalposts or (np.nan, np.nan) for n in nodes], dtype=float).reshape(-1, 2)
    given = ~np.isnan(posts[:, 0])
    return np.where(given, posts[:, 0], lo), np.where(given, posts[:, 1], hi), given


def _check_units(units: pd.DataFrame, problems: ProblemList) -> pd.DataFrame:
    """``units`` with a fresh index; every fault of the table added to ``problems``."""
    units = units.reset_index(drop=True)
    for col in ("uCode", "uName", "size"):
        if col not in units.columns:
            problems.add(
                "单位表缺少该列；合成数据需要 uCode、uName、size 三列 / the units table lacks "
                "this column; synthetic data need columns uCode, uName and size",
                source="units",
                column=col,
            )
    if "uCode" in units.columns:
        for code in units.loc[units["uCode"].duplicated(), "uCode"].unique():
            problems.add(
                "单位代码重复；每个单位只能有一行 / duplicate uCode: give each unit exactly "
                "one row",
                source="units",
                row=code,
                column="uCode",
            )
    if "size" in units.columns:
        size = pd.to_numeric(units["size"], errors="coerce").to_numpy(dtype=float)
        for i in np.flatnonzero(~(np.isfinite(size) & (size > 0))):
            problems.add(
                "规模须为有限正数（如常住人口） / size must be a positive finite number "
                "(e.g. the population)",
                source="units",
                row=units["uCode"].iloc[i] if "uCode" in units.columns else i,
                column="size",
                value=units["size"].iloc[i],
            )
    if len(units) < 2:
        problems.add(
            "至少需要两个单位才能排名；请在单位表中增加单位 / at least two units are needed "
            "to rank; add units to the table",
            source="units",
            value=len(units),
        )
    return units


def _check_parameters(
    fw: Framework,
    years: np.ndarray,
    missing_rate: float,
    outlier_rate: float,
    rho: float,
    sigma: float,
    not_applicable: Mapping[str, Sequence[str]] | None,
    problems: ProblemList,
) -> None:
    """Every out-of-range parameter of :func:`generate_panel` added to ``problems``."""
    if years.size == 0:
        problems.add(
            "years 为空：请至少给出一个年份 / years is empty: give at least one year",
            source="years",
        )
    for name, rate in (("missing_rate", missing_rate), ("outlier_rate", outlier_rate)):
        if not 0 <= rate < 1:
            problems.add(
                "比例须在 [0, 1) 之间（如 0.03 表示 3 %） / a rate must be in [0, 1) "
                "(0.03 means 3 %)",
                source=name,
                value=rate,
            )
    if not -1 < rho < 1:
        problems.add(
            "rho 须在 (-1, 1) 之间（平稳的 AR(1) 噪声） / rho must be in (-1, 1) "
            "(stationary AR(1) noise)",
            source="rho",
            value=rho,
        )
    if not sigma >= 0:
        problems.add(
            "sigma 须不小于 0（噪声的标准差） / sigma must be ≥ 0 (the noise's standard deviation)",
            source="sigma",
            value=sigma,
        )
    for code in not_applicable or {}:
        if code not in fw.indicators:
            problems.add(
                "not_applicable 中的代码不是框架的指标；请用框架的指标代码 / code under "
                "not_applicable is not an indicator of the framework; use an indicator code",
                source="not_applicable",
                column=code,
                value=suggest(code, fw.indicators),
            )


def _fresh(seed: int | np.random.SeedSequence) -> np.random.SeedSequence:
    """A new SeedSequence (spawning mutates one, so never reuse the caller's object)."""
    if isinstance(seed, np.random.SeedSequence):
        return np.random.SeedSequence(entropy=seed.entropy, spawn_key=seed.spawn_key)
    return np.random.SeedSequence(int(seed))


def _entropy(ss: np.random.SeedSequence) -> int | list[int]:
    e = ss.entropy
    return int(e) if isinstance(e, int | np.integer) else [int(x) for x in e]


def _r(x: Any, digits: int = 6) -> float:
    """Plain float rounded to ``digits`` significant digits (for params / YAML)."""
    x = float(x)
    if x == 0 or not math.isfinite(x):
        return x
    return float(f"{x:.{digits}g}")


# ----------------------------------------------------------------- datasets
@dataclass(frozen=True)
class DatasetSpec:
    """One shipped synthetic dataset: which framework, units, years and files."""

    name: str
    framework: str
    stem: str
    years: tuple[int, ...]
    title: tuple[str, str]
    description: tuple[str, str]
    # (uCode, uName, unit_type, named in the source document?)
    units: tuple[tuple[str, str, str, bool], ...]
    # lognormal size model per unit_type: (median, log-sd, unit of size)
    size_model: Mapping[str, tuple[float, float, str]]
    source_doc: str
    group_column: str = "unit_type"
    # denominator code → (scale, elasticity, log-sd): base = scale · size^elasticity · e^{sd·z}
    denominators: Mapping[str, tuple[float, float, float]] = field(default_factory=dict)
    # uCodes from largest to smallest: drawn sizes are sorted and assigned in this order
    size_order: tuple[str, ...] = ()
    # indicator code → the unit types (group values) it applies to; others get no value
    applies_to: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    notes: str = ""
    # uCode → the unit's English name (the data's uName_en column, used by English reports)
    english_names: Mapping[str, str] = field(default_factory=dict)


_SH_DISTRICTS = (
    ("HP", "黄浦区", "中心城区"),
    ("XH", "徐汇区", "中心城区"),
    ("CN", "长宁区", "中心城区"),
    ("JA", "静安区", "中心城区"),
    ("PT", "普陀区", "中心城区"),
    ("HK", "虹口区", "中心城区"),
    ("YP", "杨浦区", "中心城区"),
    ("MH", "闵行区", "郊区"),
    ("BS", "宝山区", "郊区"),
    ("JD", "嘉定区", "郊区"),
    ("PD", "浦东新区", "郊区"),
    ("JS", "金山区", "郊区"),
    ("SJ", "松江区", "郊区"),
    ("QP", "青浦区", "郊区"),
    ("FX", "奉贤区", "郊区"),
    ("CM", "崇明区", "郊区"),
)

# The districts' official English names (Shanghai Municipal People's Government).
_SH_DISTRICTS_EN = {
    "HP": "Huangpu District",
    "XH": "Xuhui District",
    "CN": "Changning District",
    "JA": "Jing'an District",
    "PT": "Putuo District",
    "HK": "Hongkou District",
    "YP": "Yangpu District",
    "MH": "Minhang District",
    "BS": "Baoshan District",
    "JD": "Jiading District",
    "PD": "Pudong New Area",
    "JS": "Jinshan District",
    "SJ": "Songjiang District",
    "QP": "Qingpu District",
    "FX": "Fengxian District",
    "CM": "Chongming District",
}

_CN_DEPTS = (
    ("FGW", "区发改委"),
    ("RSJ", "区人社局"),
    ("FY", "区法院"),
    ("QFB", "区府办"),
    ("FGJ", "区房管局"),
    ("JJW", "区建交委"),
    ("AJJ", "区安监局"),
    ("CGZF", "区城管执法局"),
    ("HBJ", "区环保局"),
    ("LDZX", "区联动中心"),
    ("SWW", "区商务委"),
    ("CZJ", "区财政局"),
    ("JRB", "区金融办"),
    ("SCJG", "区市场监管局"),
    ("SGB", "区审改办"),
    ("SJJ", "区审计局"),
)
_CN_STREETS = (
    ("HYL", "华阳路街道", False),
    ("JSL", "江苏路街道", True),
    ("XHL", "新华路街道", False),
    ("ZJQ", "周家桥街道", False),
    ("TSL", "天山路街道", False),
    ("XXXC", "仙霞新村街道", False),
    ("HQ", "虹桥街道", False),
    ("CJQ", "程家桥街道", False),
    ("BXJ", "北新泾街道", False),
    ("XJZ", "新泾镇", False),
)

_LY_DEPTS = (
    ("FZB", "区政府法制办"),
    ("BB", "区编办"),
    ("RSJ", "区人社局"),
    ("ZZB", "区委组织部"),
    ("WJJ", "区物价局"),
    ("ZFB", "区政府办"),
    ("FGJ", "区发改局"),
    ("CZJ", "区财政局"),
    ("SJJ", "区市监局"),
    ("FY", "区法院"),
    ("JCY", "区检察院"),
    ("ZSJ", "区招商局"),
    ("MZJ", "区民政局"),
    ("WMB", "区文明办"),
)
_LY_STREETS = (
    ("BZL", "亳州路街道", "街道", False),
    ("SG", "双岗街道", "街道", False),
    ("XL", "杏林街道", "街道", False),
    ("HT", "海棠街道", "街道", False),
    ("LD", "林店街道", "街道", False),
    ("XHC", "杏花村街道", "街道", False),
    ("XYJ", "逍遥津街道", "街道", False),
    ("SXK", "三孝口街道", "街道", False),
    ("YM", "益民街道", "街道", False),
    ("SLH", "四里河街道", "街道", False),
    ("DY", "大杨镇", "乡镇", False),
    ("SSG", "三十岗乡", "乡镇", False),
    ("JKQ", "庐阳经开区", "经开区", True),
)

_JY_UNITS = (
    ("CJ", "澄江街道", "街道", True),
    ("NZ", "南闸街道", "街道", False),
    ("YT", "云亭街道", "街道", False),
    ("HTZ", "璜土镇", "镇", False),
    ("YC", "月城镇", "镇", False),
    ("QY", "青阳镇", "镇", False),
    ("XXK", "徐霞客镇", "镇", False),
    ("HS", "华士镇", "镇", False),
    ("ZZ", "周庄镇", "镇", False),
    ("XQ", "新桥镇", "镇", False),
    ("CJZ", "长泾镇", "镇", True),
    ("GS", "顾山镇", "镇", False),
    ("ZT", "祝塘镇", "镇", False),
    ("GXQ", "江阴高新区", "园区", False),
    ("LGQ", "江阴临港经济开发区", "园区", False),
    ("JJYQ", "江阴-靖江工业园区", "园区", False),
)

# English names of the other panels' units: standard translations of the official names
# (streets 街道 "Subdistrict", towns 镇 "Town", townships 乡 "Township", place names in
# pinyin), as the district (区) names them in Chinese, without the district's own name.
_CN_EN = {
    "FGW": "District Development and Reform Commission",
    "RSJ": "District Human Resources and Social Security Bureau",
    "FY": "District People's Court",
    "QFB": "District Government Office",
    "FGJ": "District Housing Administration Bureau",
    "JJW": "District Construction and Transportation Commission",
    "AJJ": "District Work Safety Supervision Bureau",
    "CGZF": "District Urban Management and Law Enforcement Bureau",
    "HBJ": "District Environmental Protection Bureau",
    "LDZX": "District Linkage Centre",
    "SWW": "District Commerce Commission",
    "CZJ": "District Finance Bureau",
    "JRB": "District Financial Services Office",
    "SCJG": "District Market Supervision Administration",
    "SGB": "District Administrative Approval Reform Office",
    "SJJ": "District Audit Bureau",
    "HYL": "Huayang Road Subdistrict",
    "JSL": "Jiangsu Road Subdistrict",
    "XHL": "Xinhua Road Subdistrict",
    "ZJQ": "Zhoujiaqiao Subdistrict",
    "TSL": "Tianshan Road Subdistrict",
    "XXXC": "Xianxia Xincun Subdistrict",
    "HQ": "Hongqiao Subdistrict",
    "CJQ": "Chengjiaqiao Subdistrict",
    "BXJ": "Beixinjing Subdistrict",
    "XJZ": "Xinjing Town",
}
_LY_EN = {
    "FZB": "District Government Legal Affairs Office",
    "BB": "District Public Sector Reform Office",
    "RSJ": "District Human Resources and Social Security Bureau",
    "ZZB": "Organisation Department of the District Party Committee",
    "WJJ": "District Price Bureau",
    "ZFB": "District Government Office",
    "FGJ": "District Development and Reform Bureau",
    "CZJ": "District Finance Bureau",
    "SJJ": "District Market Supervision Administration",
    "FY": "District People's Court",
    "JCY": "District People's Procuratorate",
    "ZSJ": "District Investment Promotion Bureau",
    "MZJ": "District Civil Affairs Bureau",
    "WMB": "District Civilisation Office",
    "BZL": "Bozhou Road Subdistrict",
    "SG": "Shuanggang Subdistrict",
    "XL": "Xinglin Subdistrict",
    "HT": "Haitang Subdistrict",
    "LD": "Lindian Subdistrict",
    "XHC": "Xinghuacun Subdistrict",
    "XYJ": "Xiaoyaojin Subdistrict",
    "SXK": "Sanxiaokou Subdistrict",
    "YM": "Yimin Subdistrict",
    "SLH": "Silihe Subdistrict",
    "DY": "Dayang Town",
    "SSG": "Sanshigang Township",
    "JKQ": "Luyang Economic Development Zone",
}
_JY_EN = {
    "CJ": "Chengjiang Subdistrict",
    "NZ": "Nanzha Subdistrict",
    "YT": "Yunting Subdistrict",
    "HTZ": "Huangtu Town",
    "YC": "Yuecheng Town",
    "QY": "Qingyang Town",
    "XXK": "Xuxiake Town",
    "HS": "Huashi Town",
    "ZZ": "Zhouzhuang Town",
    "XQ": "Xinqiao Town",
    "CJZ": "Changjing Town",
    "GS": "Gushan Town",
    "ZT": "Zhutang Town",
    "GXQ": "Jiangyin Hi-tech Industrial Development Zone",
    "LGQ": "Jiangyin Lingang Economic Development Zone",
    "JJYQ": "Jiangyin–Jingjiang Industrial Park",
}

DATASETS: dict[str, DatasetSpec] = {
    spec.name: spec
    for spec in (
        DatasetSpec(
            name="shanghai-districts",
            framework="shanghai-2018",
            stem="shanghai_districts",
            years=tuple(range(2018, 2025)),
            title=(
                "上海市16个区政务诚信评价（合成数据）",
                "Government integrity of Shanghai's 16 districts (synthetic data)",
            ),
            description=(
                "合成数据：按有记录的随机模型（已知潜在政务诚信水平θ，种子固定）生成的"
                "上海市16个区2018—2024年指标面板，用于检验方法选择；不含任何真实区级数据。",
                "Synthetic data: an indicator panel for Shanghai's 16 districts, 2018–2024, "
                "drawn from a documented seeded model with a known latent integrity θ, for "
                "checking method choices against the truth. No real district data are involved.",
            ),
            units=tuple((c, n, g, False) for c, n, g in _SH_DISTRICTS),
            english_names=_SH_DISTRICTS_EN,
            size_model={"中心城区": (120.0, 0.55, "万人"), "郊区": (120.0, 0.55, "万人")},
            # population = size (万人); civil servants ≈ 0.32% of residents (百人);
            # streets and towns ≈ 1.1·size^0.55 (黄浦 ≈ 10, 浦东 ≈ 36)
            denominators={
                "population": (1.0, 1.0, 0.0),
                "staff": (0.32, 1.0, 0.15),
                "streets": (1.1, 0.55, 0.1),
            },
            size_order=tuple("PD MH BS SJ JD QP PT YP FX XH JA JS HK CN HP CM".split()),
            source_doc="004_eb7a51c6d53126fb.txt",
            group_column="area_type",
            notes=(
                "The city task table addresses the districts collectively (各区); the units are "
                "Shanghai's 16 districts. `area_type`: the seven central districts (中心城区) "
                "against the other nine (郊区, 浦东新区 included)."
            ),
        ),
        DatasetSpec(
            name="changning-units",
            framework="changning-2020",
            stem="changning_units",
            years=tuple(range(2020, 2025)),
            title=(
                "长宁区部门和街镇政务诚信评价（合成数据）",
                "Government integrity of Changning's departments, streets and town "
                "(synthetic data)",
            ),
            description=(
                "合成数据：按有记录的随机模型（已知潜在政务诚信水平θ，种子固定）生成的长宁区"
                "各部门和街道（镇）2020—2024年指标面板，用于检验方法选择；不含任何真实数据。",
                "Synthetic data: an indicator panel for Changning district's departments and "
                "streets/town, 2020–2024, drawn from a documented seeded model with a known "
                "latent integrity θ. No real data of any department or street are involved.",
            ),
            units=tuple((c, n, "部门", True) for c, n in _CN_DEPTS)
            + tuple((c, n, "街镇", doc) for c, n, doc in _CN_STREETS),
            english_names=_CN_EN,
            size_model={"部门": (80.0, 0.5, "人"), "街镇": (150.0, 0.3, "人")},
            denominators={"staff": (0.01, 1.0, 0.0)},  # size is staff in 人, staff in 百人
            # the framework's definition: "部门不适用，记缺失" (changning-2020.yaml)
            applies_to={"S3_demo_created": ("街镇",)},
            source_doc="000_a12416bebf458155.txt",
            notes=(
                "The departments are the responsible units (负责单位) the plan names (区电子政务办 "
                "belongs to 区府办 and is not listed apart). The plan names 江苏路街道 (信用示范"
                "街镇创建) and addresses the other streets collectively (各街道（镇）); they are "
                "Changning's nine streets and one town."
            ),
        ),
        DatasetSpec(
            name="luyang-units",
            framework="luyang-2018",
            stem="luyang_units",
            years=tuple(range(2018, 2025)),
            title=(
                "庐阳区部门和乡镇街道政务诚信评价（合成数据）",
                "Government integrity of Luyang's departments, townships and streets "
                "(synthetic data)",
            ),
            description=(
                "合成数据：按有记录的随机模型（已知潜在政务诚信水平θ，种子固定）生成的庐阳区"
                "各部门和乡镇街道2018—2024年指标面板，用于检验方法选择；不含任何真实数据。",
                "Synthetic data: an indicator panel for Luyang district's departments, "
                "townships and streets, 2018–2024, drawn from a documented seeded model with a "
                "known latent integrity θ. No real data of any department or township are "
                "involved.",
            ),
            units=tuple((c, n, "部门", True) for c, n in _LY_DEPTS) + _LY_STREETS,
            english_names=_LY_EN,
            size_model={
                "部门": (60.0, 0.5, "人"),
                "街道": (70.0, 0.3, "人"),
                "乡镇": (80.0, 0.3, "人"),
                "经开区": (60.0, 0.3, "人"),
            },
            denominators={"staff": (0.01, 1.0, 0.0)},  # size is staff in 人, staff in 百人
            # the framework's definitions: "部门不适用，记缺失" (luyang-2018.yaml)
            applies_to={
                "C4_debt_ratio": ("乡镇", "街道", "经开区"),
                "C5_commitments_kept": ("乡镇", "街道"),
                "C5_affairs_disclosed": ("乡镇", "街道"),
                "C5_integrity_creation": ("乡镇", "街道"),
            },
            source_doc="001_6ab79e289bf5bf74.txt",
            notes=(
                "The departments are the responsible units (责任单位) the plan names; it addresses "
                "the townships and streets collectively (各乡镇人民政府、街道办事处) and names the "
                "development zone (庐阳经开区管委会) in its address line. The ten streets, one "
                "town and one township are Luyang's administrative divisions."
            ),
        ),
        DatasetSpec(
            name="jiangyin-townships",
            framework="jiangyin-township-2018",
            stem="jiangyin_townships",
            years=tuple(range(2018, 2025)),
            title=(
                "江阴市镇街园区政务诚信评价（合成数据）",
                "Government integrity of Jiangyin's towns, streets and parks (synthetic data)",
            ),
            description=(
                "合成数据：按有记录的随机模型（已知潜在政务诚信水平θ，种子固定）生成的江阴市"
                "各镇、街道、园区2018—2024年指标面板，用于检验方法选择；不含任何真实数据。",
                "Synthetic data: an indicator panel for Jiangyin's towns, streets and parks, "
                "2018–2024, drawn from a documented seeded model with a known latent integrity "
                "θ. No real data of any town, street or park are involved.",
            ),
            units=_JY_UNITS,
            english_names=_JY_EN,
            size_model={
                "街道": (10.0, 0.4, "万人"),
                "镇": (10.0, 0.35, "万人"),
                "园区": (10.0, 0.4, "万人"),
            },
            source_doc="002_93c988d6af699336.txt",
            notes=(
                "The draft names 澄江街道 and 长泾镇 (示范打造点, §二.(三).4) and addresses the "
                "others collectively (各镇街园区); the other towns and streets are Jiangyin's "
                "divisions around 2018, the parks its national high-tech zone (江阴高新区), the "
                "Lingang economic development zone and the Jiangyin–Jingjiang industrial park. "
                "The framework has no denominators: unit size plays no part in its items."
            ),
        ),
    )
}


def dataset_units(name: str, seed: int | np.random.SeedSequence | None = None) -> pd.DataFrame:
    """The units table of a shipped dataset: uCode, uName, group column, size.

    Sizes are drawn (lognormal per unit type) from the dataset's own seed; with a
    ``size_order`` the drawn sizes are sorted and handed out in that order, so
    e.g. 浦东新区 is the largest district and 崇明区/黄浦区 the smallest — only the
    ordering is taken from the real world, never a value.
    """
    spec = DATASETS[name]
    ss = _fresh(_dataset_seed(name) if seed is None else seed)
    rng = np.random.default_rng(ss.spawn(1)[0])  # its own stream, apart from the panel's
    codes = [u[0] for u in spec.units]
    types = np.array([u[2] for u in spec.units])
    z = rng.standard_normal(len(codes))
    med = np.array([spec.size_model[t][0] for t in types])
    sd = np.array([spec.size_model[t][1] for t in types])
    size = med * np.exp(sd * z)
    if spec.size_order:
        order = [codes.index(c) for c in spec.size_order]
        ranked = np.empty_like(size)
        ranked[order] = np.sort(size)[::-1]
        size = ranked
    size = np.round(size, 2)
    out = pd.DataFrame(
        {
            "uCode": codes,
            "uName": [u[1] for u in spec.units],
            spec.group_column: types,
            "size": size,
        }
    )
    if spec.english_names:
        out.insert(2, "uName_en", [spec.english_names[c] for c in codes])
    for code, (scale, elasticity, log_sd) in spec.denominators.items():
        noise = rng.standard_normal(len(codes))
        out[code] = np.round(scale * size**elasticity * np.exp(log_sd * noise), 2)
    return out


def _dataset_seed(name: str) -> np.random.SeedSequence:
    k = list(DATASETS).index(name)
    return np.random.SeedSequence(MASTER_SEED).spawn(len(DATASETS))[k]


def dataset_panel(
    name: str, framework: Framework | str | None = None, **kwargs: Any
) -> SyntheticPanel:
    """Generate a shipped dataset's panel (``framework`` defaults to the spec's)."""
    spec = DATASETS[name]
    fw = load_framework(framework or spec.framework)
    seed = kwargs.pop("seed", None)
    seed = _dataset_seed(name) if seed is None else seed
    units = dataset_units(name, seed)
    types = units[spec.group_column]
    na = {
        code: units.loc[~types.isin(kinds), "uCode"].tolist()
        for code, kinds in spec.applies_to.items()
        if code in fw
    }
    return generate_panel(fw, units, spec.years, seed=seed, not_applicable=na, **kwargs)


def _file_names(spec: DatasetSpec) -> dict[str, str]:
    return {
        "idata": f"{spec.stem}_synthetic.csv",
        "panel": f"{spec.stem}_panel_synthetic.csv",
        "truth": f"{spec.stem}_truth_synthetic.csv",
        "params": f"{spec.stem}_params_synthetic.yaml",
    }


def write_dataset(name: str, out: str | Path, framework: Framework | str | None = None) -> Path:
    """Write ``out/<name>/`` (dataset.yaml, CSVs, params, SOURCE.md); returns the folder."""
    spec = DATASETS[name]
    fw = load_framework(framework or spec.framework)
    panel = dataset_panel(name, fw)
    folder = Path(out) / name
    folder.mkdir(parents=True, exist_ok=True)
    files = _file_names(spec)
    _write_csv(panel.cross_section(), folder / files["idata"])
    _write_csv(panel.idata, folder / files["panel"])
    _write_csv(panel.truth, folder / files["truth"])
    _write_text(folder / files["params"], _yaml(dict(panel.params)))
    meta = {
        "name": spec.name,
        "title": {"zh": spec.title[0], "en": spec.title[1]},
        "description": {"zh": spec.description[0], "en": spec.description[1]},
        "framework": spec.framework,
        "idata": files["idata"],
        "panel": files["panel"],
        "panel_description": {
            "zh": f"合成数据：{spec.years[0]}—{spec.years[-1]}年全部年份的面板。",
            "en": f"Synthetic data: the panel of all years, {spec.years[0]}–{spec.years[-1]}.",
        },
        "truth": files["truth"],
        "synthetic": True,
        "source": "SOURCE.md",
        "licence": "CC0-1.0",
    }
    _write_text(folder / "dataset.yaml", _yaml(meta))
    _write_text(folder / "SOURCE.md", _source_md(spec, fw, panel))
    return folder


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    text = df.to_csv(index=False, float_format=CSV_FLOAT_FORMAT, lineterminator="\n")
    _write_text(path, text)


def _write_text(path: Path, text: str) -> None:
    path.write_bytes(text.encode("utf-8"))


def _yaml(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


_KIND_TEXT = {
    "count": "Counts are negative binomial (over-dispersed) with mean exposure·exp(a + ℓ), the "
    "exposure being the declared denominator or (size/median size)^{size_elasticity}; with "
    "goalposts (and no veto reading the count), exp(a) lies between them.",
    "count_of": "Counts of countable things (e.g. demonstration streets among all streets) are "
    "binomial, never above their denominator.",
    "rate": "Rates are Beta with mean logistic(c+ℓ), within [min, max], the baseline "
    "logistic(c) between the goalposts when given.",
    "ratio": "Ratios are lognormal around a level between the goalposts when given, clipped to "
    "[min, max].",
    "score": "Scores are normal around a linear function of ℓ (between the goalposts when "
    "given), clipped to [min, max].",
    "points": "Bonus points (direction +1) are a rounded normal score in [min, max]; deduction "
    "points (direction −1) are points per event times a negative-binomial number of breach "
    "events, capped at the item's max.",
    "amount": "Amounts are lognormal, proportional to the exposure.",
    "binary": "Yes/no items are Bernoulli(logistic(c + 1.5·ℓ)).",
}


def _source_md(spec: DatasetSpec, fw: Framework, panel: SyntheticPanel) -> str:
    files = _file_names(spec)
    k = list(DATASETS).index(spec.name)
    p = panel.params
    kinds: dict[str, int] = {}
    for ind in p["indicators"].values():
        kinds[ind["kind"]] = kinds.get(ind["kind"], 0) + 1
    kind_text = ", ".join(f"{v} {c}" for c, v in kinds.items())
    size_units = ", ".join(sorted({m[2] for m in spec.size_model.values()}))
    y0, y1 = spec.years[0], spec.years[-1]
    order = (
        " Drawn sizes are sorted and handed out in the real order of the units' population,"
        f" largest first ({' > '.join(spec.size_order)}); only the order is real."
        if spec.size_order
        else ""
    )
    denoms = ", ".join(f"`{d.code}` ({d.unit})" for d in fw.denominators)
    kinds_used = {
        "count_of" if v.get("model") == "binomial" else v["kind"] for v in p["indicators"].values()
    }
    ties_text = (
        f" In {p['n_constant_broken']} (year, indicator) pairs all observed values were equal; "
        "one cell was moved by one step."
        if p.get("n_constant_broken")
        else ""
    )
    na = p.get("not_applicable") or {}
    na_text = (
        " Not applicable, left empty for the other units: "
        + "; ".join(f"`{c}` only for {'/'.join(spec.applies_to[c])}" for c in sorted(na))
        + "."
        if na
        else ""
    )
    paragraphs = [
        "**合成数据 — synthetic data.** Every number in this folder was drawn from a random "
        "model by `integrity_eval/synthetic.py`; no real data of any district, department, "
        "street, town or park are involved. Only the unit *names* are real. Do not cite these "
        "numbers as facts about any unit.",
        f"θ[u,t] = α[u] + β·(t − {p['t0']}) + ε[u,t], α[u] ~ N(0, 1), ε a stationary AR(1) "
        f"process (ρ = {p['rho']}, marginal σ = {p['sigma']}), β = {p['beta']} a year. "
        "Each indicator has a loading λ ~ U(0.5, 1) and the linear predictor ℓ = d·λ·θ + γ "
        f"(d = its direction, γ ~ N(0, {p['unit_effect_sd']}²) a persistent unit-by-indicator "
        "deviation unrelated to integrity). "
        + " ".join(_KIND_TEXT[kd].format(**p) for kd in _KIND_ORDER if kd in kinds_used),
        f"Unit size: lognormal per `{spec.group_column}`, in {size_units}.{order} "
        + (
            f"Denominators: {denoms}, derived from size and growing slowly over the years"
            + (
                " (those counted in whole things are whole numbers, fixed over the years)."
                if any(v["countable"] for v in p["denominators"].values())
                else "."
            )
            if fw.denominators
            else "The framework has no denominators."
        ),
        f"Defects: {p['missing_rate']:.0%} of the cells are missing completely at random "
        f"({p['n_missing']} cells, never a whole indicator)"
        + (
            f" and {p['outlier_rate']:.0%} of the positive count cells are multiplied by 5–10 "
            f"({len(p['outliers'])} cells, listed in the params file)"
            if "count" in kinds_used
            else ""
        )
        + f".{na_text}{ties_text} Full formulas: the docstring of `integrity_eval/synthetic.py`.",
    ]
    wrapped = [textwrap.fill(par, width=90, break_on_hyphens=False) for par in paragraphs]
    bullets = "\n".join(
        [
            f"* Framework: `{spec.framework}` ({len(fw.indicators)} indicators: {kind_text}); "
            f"unit names from `{spec.source_doc}`.",
            f"* Years {y0}–{y1}, {len(spec.units)} units, "
            f"{len(spec.units) * len(spec.years)} rows.",
            f"* `{files['idata']}`: iData, latest year ({y1}).",
            f"* `{files['panel']}`: iData, all years.",
            f"* `{files['truth']}`: latent integrity `theta` and its `rank` in each year "
            "(1 = most trustworthy).",
            f"* `{files['params']}`: every model parameter, the outlier cells.",
            "* Regenerate (byte-identical): `python -m integrity_eval.synthetic --out datasets`.",
            f"* Seed: `np.random.SeedSequence({MASTER_SEED}).spawn({len(DATASETS)})[{k}]` "
            f"(dataset {k} of `integrity_eval.synthetic.DATASETS`).",
        ]
    )
    rows = "\n".join(
        f"| {c} | {n} | {g} | {'yes' if doc else 'no (added)'} |" for c, n, g, doc in spec.units
    )
    added = textwrap.fill(
        'Units marked "added" are not named in the source document, which addresses them '
        f"collectively; their names come from the public administrative divisions. {spec.notes}",
        width=90,
        break_on_hyphens=False,
    )
    return (
        f"# {spec.title[0]}\n\n{spec.title[1]}\n\n{wrapped[0]}\n\n{bullets}\n\n"
        f"## Model\n\n{wrapped[1]}\n\n{wrapped[2]}\n\n{wrapped[3]}\n\n"
        f"## Units\n\n| uCode | uName | {spec.group_column} | named in `{spec.source_doc}` |\n"
        f"|---|---|---|---|\n{rows}\n\n{added}\n\n"
        "Licence: CC0-1.0 (generated data).\n"
    )


# ----------------------------------------------------------------------- CLI
def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m integrity_eval.synthetic",
        description="Regenerate the synthetic datasets (byte-identical from the seed).",
    )
    parser.add_argument("--out", default="datasets", help="parent folder (default: datasets)")
    parser.add_argument(
        "--only", action="append", choices=sorted(DATASETS), help="one dataset (repeatable)"
    )
    args = parser.parse_args(argv)
    for name in args.only or list(DATASETS):
        folder = write_dataset(name, args.out)
        print(f"wrote {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
