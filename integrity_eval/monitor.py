r"""Monthly monitoring and early warning (docs/records.md).

:func:`warnings` flags units whose count in a month is improbably high given
their own history (:func:`assess` gives the model's verdict on every unit, the
monthly monitoring results), plus threshold rules:

* **model** — a count model fitted on the months before ``month``::

      log E[y_{u,t}] = log(exposure_u) + α_u + s_{month(t)}

  (log link: a unit effect, month-of-year seasonality when at least 24 months
  of history exist, unit size as offset), fitted by Poisson maximum likelihood
  (statsmodels GLM for the seasonal effects, the unit effects in closed form,
  alternating; see :func:`_poisson_fe`). The Poisson estimates of the mean stay
  consistent when the counts are overdispersed (Gourieroux, Monfort & Trognon
  1984, *Econometrica* 52: 681–700). The predictive family is chosen by the
  Cameron–Trivedi (1990, *J. Econometrics* 46: 347–364, NB2 alternative)
  regression test: regress ``((y − μ̂)² − y) / μ̂`` on ``μ̂`` without constant;
  if the one-sided t-test rejects at 5 %, counts are negative binomial (NB2,
  ``Var = μ + α μ²``) with ``α`` = that slope (the test's moment estimate), else
  Poisson. The warning rule is a one-sided predictive tail probability:
  ``p = P(Y ≥ y_obs)`` under the fitted mean (plug-in, parameter uncertainty
  ignored); a warning when ``p ≤ alpha``. The upper limit is the ``1 − alpha``
  quantile: observed > upper
  ⟺ ``p ≤ alpha``. With no real change the share of units warned is at most
  about ``alpha`` (less for small means: counts are discrete). Units with no
  event in the whole history have no estimable level: their expected count is
  0 and any event warns (p = 0).
* **serious** — any serious breach record decided in the month (the monthly
  monitoring of ``002_93c988d6af699336.txt`` §三.(二) watches 严重失信事件 in real
  time and publishes monthly results and warning reports).
* **debtors** — a government body on the courts' list of dishonest judgment
  debtors (失信被执行人名单; a list the agency supplies, no seed clause).

The same model serves other counts, e.g. citizens' complaints about government
breaches from 12345 tickets (``004_eb7a51c6d53126fb.txt`` §二.13: 依托市民举报投诉
数据建立政务诚信预警机制).

:func:`monthly_scores` builds the framework on rolling 12-month indicators for
every month (global normalisation, so months compare) and :func:`changes` gives
month-on-month and year-on-year changes, as the national city credit monitoring
reports them.
"""

from __future__ import annotations

import warnings as _warnings
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .errors import ProblemList, problem_error

__all__ = ["RULES", "assess", "changes", "describe", "fit_counts", "monthly_scores", "warnings"]

RULES = {
    "model": "计数模型超出上限 / count above the model's upper limit",
    "serious": "出现严重失信记录 / serious breach record",
    "debtors": "被列入失信被执行人名单 / on the dishonest-debtor list",
}
MIN_HISTORY = 6


def fit_counts(
    counts: pd.DataFrame,
    *,
    before: str,
    exposure: Any = None,
    history: int | None = 36,
    test_level: float = 0.05,
) -> dict[str, Any]:
    """Fit the count model on the ``history`` months before ``before`` (``YYYY-MM``;
    ``history=None``: all earlier months). A bounded history keeps slow trends
    (integrity improving year by year) out of the expected counts.

    Returns plain data: ``family`` ("poisson" / "negative_binomial"), ``alpha_nb``,
    ``od_stat`` and ``od_pvalue`` (Cameron–Trivedi test), ``unit_effect`` (Series,
    log scale), ``season`` (Series by month 1–12, log scale), ``months`` (history
    used), ``zero_units`` (units without any event), ``result`` (statsmodels).
    """
    df = _prepare(counts, exposure)
    hist = df[df["Time"] < before]
    months = sorted(hist["Time"].unique())
    if history is not None:
        months = months[-int(history) :]
        hist = hist[hist["Time"].isin(months)]
    if len(months) < MIN_HISTORY:
        raise problem_error(
            f"{before} 之前只有 {len(months)} 个月的计数，拟合计数模型至少需要 {MIN_HISTORY} "
            "个月；请给出更早月份的记录（或更长的 history） / "
            f"only {len(months)} months of counts before {before}; the count model needs at "
            f"least {MIN_HISTORY} months: give records of earlier months (or a longer history)",
            "历史月份不足 / not enough history",
            source="counts",
            value=len(months),
        )
    totals = hist.groupby("uCode")["value"].sum()
    zero = sorted(totals.index[totals <= 0])
    hist = hist[~hist["uCode"].isin(zero)]
    if hist.empty:
        raise problem_error(
            f"{before} 之前的 {len(months)} 个月（{months[0]} 至 {months[-1]}）没有任何记录，"
            "无法拟合计数模型；请选记录覆盖的月份，或补充记录 / no records in the "
            f"{len(months)} months before {before} ({months[0]} to {months[-1]}): the count "
            "model has nothing to fit; pick a month the records cover, or add records",
            "历史月份不足 / not enough history",
            source="counts",
            value=before,
        )
    seasonal = len(months) >= 24  # every calendar month seen at least twice
    y = hist["value"].to_numpy(float)
    off = np.log(hist["exposure"].to_numpy(float))
    codes, unit_idx = np.unique(hist["uCode"].to_numpy(), return_inverse=True)
    moy = hist["moy"].to_numpy()
    import statsmodels.api as sm  # local: statsmodels is slow to import

    alpha_u, season, res = _poisson_fe(y, off, unit_idx, len(codes), moy if seasonal else None)
    mu = np.exp(off + alpha_u[unit_idx] + season[moy - 1])
    z = ((y - mu) ** 2 - y) / mu
    aux = sm.OLS(z, mu).fit()
    slope, t = float(aux.params[0]), float(aux.tvalues[0])
    p_od = float(stats.norm.sf(t))
    if p_od < test_level and slope > 0:
        family, alpha_nb = "negative_binomial", slope
    else:
        family, alpha_nb = "poisson", 0.0
    unit_eff = pd.Series(alpha_u, index=codes)
    season = pd.Series(season, index=range(1, 13))
    return {
        "family": family,
        "alpha_nb": alpha_nb,
        "od_stat": t,
        "od_pvalue": p_od,
        "unit_effect": unit_eff,
        "season": season,
        "months": months,
        "seasonal": seasonal,
        "zero_units": zero,
        "result": res,
    }


def _check_alpha(alpha: float) -> None:
    if not 0 < alpha < 1:
        raise problem_error(
            "alpha 须在 0 与 1 之间（如 0.01） / alpha must be between 0 and 1 (e.g. 0.01)",
            "invalid option",
            source="alpha",
            value=alpha,
        )


def assess(
    counts: pd.DataFrame,
    month: str,
    *,
    exposure: Any = None,
    alpha: float = 0.01,
    history: int | None = 36,
) -> pd.DataFrame:
    """The count model's verdict on every unit in ``month`` (the monthly monitoring
    results, ``002_93c988d6af699336.txt`` §三.(二)): one row per unit with
    ``uCode, Time, observed, expected, upper_limit, p_value, warned``.

    The model is fitted by :func:`fit_counts` on the ``history`` months before
    ``month``; ``p_value = P(Y ≥ observed)`` under the fitted predictive
    distribution, ``upper_limit`` its ``1 − alpha`` quantile, ``warned`` is
    ``p_value ≤ alpha`` (see the module docstring). ``attrs`` describe the fit
    (family, overdispersion test, months used, whether an exposure was given);
    :func:`warnings` keeps the warned rows and the same ``attrs``.
    """
    month = str(month)
    _check_alpha(alpha)
    fit = fit_counts(counts, before=month, exposure=exposure, history=history)
    df = _prepare(counts, exposure)
    now = df[df["Time"] == month]
    if now.empty:
        have = sorted(df["Time"].unique())
        raise problem_error(
            f"计数表中没有该月份；已有 {have[0]} 至 {have[-1]}，请选其中一个月或补充计数 / "
            f"the counts have no rows for this month; they run from {have[0]} to "
            f"{have[-1]}: pick one of those months or add its counts",
            "unknown period",
            source="counts",
            value=month,
        )
    mu = _expected(fit, now)
    obs = now["value"].to_numpy(float)
    k = np.ceil(obs - 1e-9)
    dist = _dist(fit, mu)
    p = np.where(mu > 0, dist.sf(k - 1), np.where(obs > 0, 0.0, 1.0))
    upper = np.where(mu > 0, dist.ppf(1 - alpha), 0.0)
    out = pd.DataFrame(
        {
            "uCode": now["uCode"].to_numpy(),
            "Time": month,
            "observed": obs,
            "expected": mu,
            "upper_limit": upper.astype(float),
            "p_value": p.astype(float),
            "warned": p <= alpha,
        }
    )
    out.attrs.update(
        alpha=alpha,
        month=month,
        exposure=exposure is not None,
        family=fit["family"],
        alpha_nb=fit["alpha_nb"],
        overdispersion_stat=fit["od_stat"],
        overdispersion_pvalue=fit["od_pvalue"],
        history=f"{fit['months'][0]}–{fit['months'][-1]}",
        history_months=len(fit["months"]),
        seasonal=fit["seasonal"],
        method=(
            "one-sided predictive tail probability P(Y >= observed) under a "
            f"{fit['family']} GLM (unit effect"
            + (", month seasonality" if fit["seasonal"] else "")
            + (", log exposure offset)" if exposure is not None else ")")
        ),
    )
    return out


def warnings(
    counts: pd.DataFrame,
    month: str,
    exposure: Any = None,
    alpha: float = 0.01,
    rules: Mapping[str, Any] | None = None,
    *,
    records: Any = None,
    history: int | None = 36,
    assessment: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per warning in ``month``: uCode, Time, rule, observed, expected,
    upper_limit, p_value, evidence (docs/records.md).

    ``counts``: long table ``uCode, Time ("YYYY-MM"), value`` (e.g.
    ``ie.records.breach_counts(rec, measure="new")``). ``exposure``: unit size
    (a Series by uCode, or a DataFrame with ``uCode``, optionally ``Time``, and
    ``exposure``); default 1. ``rules``: ``{"model": True, "serious": True,
    "debtors": [uCodes] or DataFrame(uCode, listed)}``. ``records``: the breach
    :class:`~integrity_eval.records.Records` behind ``counts``, for the evidence
    (record ids decided in the month) and the ``serious`` rule. The fitted model
    is described in ``result.attrs`` (family, overdispersion test, months used);
    ``history``: months of history the model is fitted on (default 36);
    ``assessment``: :func:`assess` already run on the same counts, month, exposure,
    alpha and history (its warned rows are used, the model is not fitted again).
    """
    rules = {"model": True, "serious": True, "debtors": None, **(rules or {})}
    month = str(month)
    _check_alpha(alpha)
    rows: list[dict[str, Any]] = []
    attrs: dict[str, Any] = {"alpha": alpha, "month": month}
    evidence = _evidence(records, month) if records is not None else {}
    if rules.get("model"):
        table = assessment
        if table is None:
            table = assess(counts, month, exposure=exposure, alpha=alpha, history=history)
        elif (table.attrs.get("month"), table.attrs.get("alpha")) != (month, alpha):
            raise problem_error(
                f"assessment 是 {table.attrs.get('month')}、alpha {table.attrs.get('alpha')} 的"
                f"结果，与本次的 {month}、{alpha} 不符，请用相同参数重新运行 assess / the "
                f"assessment is for month {table.attrs.get('month')}, alpha "
                f"{table.attrs.get('alpha')}, not {month}, {alpha}: run assess with the same "
                "month and alpha",
                "invalid option",
                source="assessment",
                value=f"{table.attrs.get('month')}, {table.attrs.get('alpha')}",
            )
        for r in table[table["warned"]].itertuples(index=False):
            rows.append(
                _row(
                    r.uCode,
                    month,
                    "model",
                    r.observed,
                    r.expected,
                    r.upper_limit,
                    r.p_value,
                    evidence.get(("all", r.uCode), []),
                )
            )
        attrs.update(table.attrs)
    if rules.get("serious") and records is not None:
        for (tag, u), ids in sorted(evidence.items()):
            if tag == "serious" and ids:
                rows.append(_row(u, month, "serious", len(ids), np.nan, 0, np.nan, ids))
    debtors = rules.get("debtors")
    if debtors is not None:
        for u, note in _debtors(debtors, month):
            rows.append(_row(u, month, "debtors", 1, np.nan, 0, np.nan, [note]))
    attrs["rules"] = [
        r
        for r, on in (
            ("model", rules.get("model")),
            ("serious", rules.get("serious") and records is not None),
            ("debtors", debtors is not None),
        )
        if on
    ]
    cols = [
        "uCode",
        "Time",
        "rule",
        "rule_text",
        "observed",
        "expected",
        "upper_limit",
        "p_value",
        "evidence",
    ]
    out = pd.DataFrame(rows, columns=cols)
    out = out.sort_values(["uCode", "rule"], kind="stable").reset_index(drop=True)
    out.attrs.update(attrs)
    return out


# The method in words (zh, en), filled from a warnings result's attrs by :func:`describe`.
_METHOD: dict[str, tuple[str, str]] = {
    "model": (
        "计数模型：各单位月度计数的期望值为 log E[y] = {offset}单位效应 + 月份季节效应，"
        "用 {history}（{n} 个月）的数据以泊松最大似然估计{season}。",
        "Count model: each unit's expected monthly count is log E[y] = {offset}unit effect + "
        "month-of-year effect, fitted by Poisson maximum likelihood on the {n} months "
        "{history}{season}.",
    ),
    "offset": ("log(单位规模) + ", "log(unit size) + "),
    "no_season": ("（历史不足 24 个月，不含季节效应）", " (under 24 months: no seasonal effect)"),
    "negative_binomial": (
        "Cameron–Trivedi（1990）过度离散检验 p = {p:.2g}：计数过度离散，预测分布取负二项分布"
        "（方差 μ + aμ²，a = {a:.3g}）。",
        "Cameron–Trivedi (1990) overdispersion test p = {p:.2g}: the counts are overdispersed, "
        "so the predictive distribution is negative binomial (variance μ + aμ², a = {a:.3g}).",
    ),
    "poisson": (
        "Cameron–Trivedi（1990）过度离散检验 p = {p:.2g}：未见过度离散，预测分布取泊松分布。",
        "Cameron–Trivedi (1990) overdispersion test p = {p:.2g}: no overdispersion, so the "
        "predictive distribution is Poisson.",
    ),
    "tail": (
        "p 值是在期望水平下本月计数不低于实际数的概率 P(Y ≥ 实际数)；p ≤ α = {alpha:g} 时预警。"
        "上限为预测分布的 {q:g}% 分位数，实际数超过上限即预警。没有真实变化时，被误报的单位"
        "约占 {pct:g}%（略少于 α：计数是离散的）。历史期内从无记录的单位期望数为 0，"
        "本月出现记录即预警。",
        "The p-value is the probability, at the expected level, of a count at least as high as "
        "observed, P(Y ≥ observed); a warning when p ≤ α = {alpha:g}. The upper limit is the "
        "{q:g} % quantile of the predictive distribution: a count above it warns. With no real "
        "change about {pct:g} % of units are warned by mistake (a little less than α: counts "
        "are discrete). A unit without any record in the history has expected count 0: any "
        "record this month warns.",
    ),
    "serious": (
        "严重失信规则：本月认定任何一条严重失信记录即预警（对严重失信事件实时监测，"
        "002 §三.(二)）。",
        "Serious-breach rule: any serious breach record decided in the month warns (real-time "
        "monitoring of serious breach events, 002 §三.(二)).",
    ),
    "debtors": (
        "失信被执行人规则：单位在月末列于失信被执行人名单（名单由评价机构提供）即预警。",
        "Dishonest-debtor rule: a unit on the courts' list of dishonest judgment debtors at the "
        "end of the month (a list the agency supplies) warns.",
    ),
}


def describe(attrs: Mapping[str, Any], lang: str = "zh") -> list[str]:
    """The method behind a :func:`warnings` result, in plain words, one paragraph per
    part: the fitted count model, the family the overdispersion test chose, the tail
    rule with ``alpha``, then each threshold rule applied (``attrs["rules"]``).

    ``attrs``: ``warnings(...).attrs``; ``lang``: ``"zh"`` or ``"en"``. The monthly
    monitoring report prints these paragraphs as its method section.
    """
    i = 1 if lang == "en" else 0
    rules = attrs.get("rules", ())
    out = []
    if "model" in rules and "family" in attrs:
        season = "" if attrs.get("seasonal") else _METHOD["no_season"][i]
        out.append(
            _METHOD["model"][i].format(
                offset=_METHOD["offset"][i] if attrs.get("exposure", True) else "",
                history=attrs["history"],
                n=attrs.get("history_months", "—"),
                season=season,
            )
        )
        out.append(
            _METHOD[attrs["family"]][i].format(
                p=attrs["overdispersion_pvalue"], a=attrs.get("alpha_nb", 0.0)
            )
        )
        alpha = float(attrs["alpha"])
        out.append(_METHOD["tail"][i].format(alpha=alpha, q=100 * (1 - alpha), pct=100 * alpha))
    out += [_METHOD[r][i] for r in ("serious", "debtors") if r in rules]
    return out


def _row(u: str, month: str, rule: str, o: float, e: float, up: float, p: float, ev: list) -> dict:
    return {
        "uCode": u,
        "Time": month,
        "rule": rule,
        "rule_text": RULES[rule],
        "observed": float(o),
        "expected": float(e),
        "upper_limit": float(up),
        "p_value": float(p),
        "evidence": list(ev),
    }


def _prepare(counts: pd.DataFrame, exposure: Any) -> pd.DataFrame:
    problems = ProblemList()
    for col in ("uCode", "Time", "value"):
        if col not in counts.columns:
            problems.add(
                "计数表缺少该列；需要 uCode、Time（YYYY-MM）、value 三列（如 breach_counts 的结果）"
                " / the counts table lacks this column; it needs uCode, Time (YYYY-MM) and value "
                "(as breach_counts returns)",
                source="counts",
                column=col,
            )
    problems.raise_if_any("计数表有误 / invalid counts")
    df = counts[["uCode", "Time", "value"]].copy()
    df["uCode"] = df["uCode"].astype(str)
    df["Time"] = df["Time"].astype(str)
    for _, r in df[df["value"] < 0].iterrows():
        problems.add(
            "计数不能为负；请检查该单位该月的计数 / a count cannot be negative; check this "
            "unit's count for the month",
            source="counts",
            row=f"{r['uCode']} {r['Time']}",
            column="value",
            value=r["value"],
        )
    problems.raise_if_any("计数表有误 / invalid counts")
    if exposure is None:
        df["exposure"] = 1.0
    elif isinstance(exposure, pd.Series):
        df["exposure"] = df["uCode"].map(exposure.rename(index=str)).astype(float)
    else:
        ex = exposure.copy()
        ex["uCode"] = ex["uCode"].astype(str)
        on = ["uCode", "Time"] if "Time" in ex.columns else ["uCode"]
        if "Time" in on:
            ex["Time"] = ex["Time"].astype(str)
        df = df.merge(ex[[*on, "exposure"]], on=on, how="left")
    for code in sorted(df.loc[~(df["exposure"] > 0), "uCode"].unique()):
        problems.add(
            "该单位的暴露量（如人口）缺失或不为正数；请为每个单位给出正的暴露量 / this unit's "
            "exposure (e.g. population) is missing or not positive; give every unit a positive "
            "exposure",
            source="exposure",
            row=code,
        )
    problems.raise_if_any("暴露量有误 / invalid exposure")
    df["moy"] = df["Time"].str[5:7].astype(int)
    return df


def _poisson_fe(
    y: np.ndarray,
    off: np.ndarray,
    unit: np.ndarray,
    n_units: int,
    moy: np.ndarray | None,
    tol: float = 1e-10,
    max_iter: int = 200,
) -> tuple[np.ndarray, np.ndarray, Any]:
    """Poisson MLE of ``log μ = off + α_unit + s_moy`` (s_1 = 0) by block ascent.

    Given s, each unit effect has the closed form ``α_u = log(Σ_t y / Σ_t e^{off+s})``
    (the Poisson score equation of a unit dummy); given α, the seasonal effects are
    a statsmodels Poisson GLM with offset ``off + α``. The likelihood is concave, so
    the alternation converges to the joint MLE without a units × units design
    matrix. Returns (α, s with 12 entries, the last statsmodels result or None).
    """
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

    season = np.zeros(12)
    res = None
    ysum = np.bincount(unit, weights=y, minlength=n_units)
    prev = -np.inf
    X = None
    if moy is not None:
        X = pd.get_dummies(pd.Categorical(moy, categories=range(1, 13)), dtype=float)
        X = X.iloc[:, 1:].to_numpy()
        X = np.column_stack([np.ones(len(y)), X])
    for _ in range(max_iter):
        esum = np.bincount(unit, weights=np.exp(off + season[moy - 1] if X is not None else off))
        alpha = np.log(ysum / esum)
        if X is None:
            break
        with _warnings.catch_warnings():  # a perfect fit (e.g. constant history) is fine
            _warnings.simplefilter("ignore", PerfectSeparationWarning)
            model = sm.GLM(y, X, family=sm.families.Poisson(), offset=off + alpha[unit])
            res = model.fit()
        params = np.asarray(res.params)
        alpha = alpha + params[0]
        season = np.concatenate([[0.0], params[1:]])
        llf = float(res.llf)
        if abs(llf - prev) < tol * (1 + abs(llf)):
            break
        prev = llf
    return alpha, season, res


def _expected(fit: Mapping[str, Any], now: pd.DataFrame) -> np.ndarray:
    eff = now["uCode"].map(fit["unit_effect"])
    log_mu = eff + now["moy"].map(fit["season"]) + np.log(now["exposure"])
    return np.where(eff.isna(), 0.0, np.exp(log_mu.fillna(-np.inf))).astype(float)


def _dist(fit: Mapping[str, Any], mu: np.ndarray) -> Any:
    mu = np.maximum(mu, 1e-300)
    if fit["family"] == "poisson":
        return stats.poisson(mu)
    a = fit["alpha_nb"]
    return stats.nbinom(1.0 / a, 1.0 / (1.0 + a * mu))


def _evidence(records: Any, month: str) -> dict[tuple[str, str], list[str]]:
    """Record ids decided in ``month`` per unit: all countable ones, and serious ones."""
    from .records.rules import countable_sql, resolve_rules

    r = resolve_rules()
    sql = f"""
        SELECT uCode, record_id, severity FROM ({countable_sql(records.view, r)})
        WHERE strftime(decided, '%Y-%m') = '{month}'
        ORDER BY uCode, decided, record_id
    """
    df = records.con.sql(sql).df()
    out: dict[tuple[str, str], list[str]] = {}
    for u, g in df.groupby("uCode", sort=True):
        out[("all", u)] = g["record_id"].tolist()
        serious = g.loc[g["severity"] == "serious", "record_id"].tolist()
        if serious:
            out[("serious", u)] = serious
    return out


def _debtors(debtors: Any, month: str) -> Iterable[tuple[str, str]]:
    end = (pd.Period(month, "M").end_time).normalize()
    if isinstance(debtors, pd.DataFrame):
        for r in debtors.itertuples(index=False):
            listed = getattr(r, "listed", None)
            removed = getattr(r, "removed", None)
            if listed is not None and pd.notna(listed) and pd.Timestamp(listed) > end:
                continue
            if removed is not None and pd.notna(removed) and pd.Timestamp(removed) <= end:
                continue
            note = f"listed {pd.Timestamp(listed).date()}" if pd.notna(listed) else "listed"
            yield str(r.uCode), note
    else:
        for u in debtors:
            yield str(u), "listed"


def monthly_scores(
    framework: Any,
    records: Mapping[str, Any],
    *,
    start: str,
    end: str,
    window: int = 12,
    units: pd.DataFrame | None = None,
    reported: pd.DataFrame | None = None,
    spec: Any = None,
) -> pd.DataFrame:
    """Index scores per unit and month (units × months) from rolling ``window``-month
    indicators: counts of new records and rates summed over the window, active
    breach records at each month end; globally normalised panel (months compare)."""
    from .panel import build_panel
    from .records.indicators import indicators

    idata = indicators(
        framework,
        records,
        period="month",
        start=start,
        end=end,
        units=units,
        reported=reported,
        window=window,
    )
    return build_panel(framework, idata, spec, normalise="global").scores


def changes(scores: pd.DataFrame) -> pd.DataFrame:
    """Long table ``uCode, Time, score, mom, yoy`` from units × months scores:
    month-on-month and year-on-year differences (missing without the earlier month)."""
    s = scores.copy()
    s.columns = [str(c) for c in s.columns]
    cols = sorted(s.columns)
    s = s[cols]
    idx = pd.PeriodIndex(cols, freq="M")
    long = s.stack().rename("score").reset_index()
    long.columns = ["uCode", "Time", "score"]
    full = s.T.set_axis(idx).sort_index()
    full = full.reindex(pd.period_range(idx.min(), idx.max(), freq="M"))
    mom = (full - full.shift(1)).stack().rename("mom")
    yoy = (full - full.shift(12)).stack().rename("yoy")
    ch = pd.concat([mom, yoy], axis=1).reset_index()
    ch.columns = ["Time", "uCode", "mom", "yoy"]
    ch["Time"] = ch["Time"].astype(str)
    return long.merge(ch, on=["uCode", "Time"], how="left")
