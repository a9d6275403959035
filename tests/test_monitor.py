"""Monitoring and early warning (docs/records.md): the count model's false-alarm rate on data
with no real change, hand-worked tail probabilities, threshold rules and evidence."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import integrity_eval as ie
from integrity_eval import monitor


def _panel(rng, units=1000, months=37, nb_shape=None):
    """Counts with unit effects, exposure and seasonality, and no change at all."""
    labels = pd.period_range("2021-01", periods=months, freq="M").astype(str)
    size = np.exp(rng.normal(0, 0.7, units))
    level = rng.normal(0, 0.5, units)
    season = 0.2 * np.cos(2 * np.pi * np.arange(12) / 12)
    mu = 4 * size[:, None] * np.exp(level[:, None] + season[np.arange(months) % 12][None, :])
    if nb_shape:
        mu = mu * rng.gamma(nb_shape, 1 / nb_shape, size=mu.shape)
    codes = [f"U{i:04d}" for i in range(units)]
    counts = pd.DataFrame(
        {
            "uCode": np.repeat(codes, months),
            "Time": np.tile(labels, units),
            "value": rng.poisson(mu).ravel(),
        }
    )
    return counts, pd.Series(size, index=codes), labels


@pytest.mark.parametrize(("nb_shape", "family"), [(None, "poisson"), (4, "negative_binomial")])
def test_false_alarm_rate_is_about_alpha_without_change(nb_shape, family):
    counts, size, labels = _panel(np.random.default_rng(11), nb_shape=nb_shape)
    alpha = 0.05
    w = monitor.warnings(counts, month=labels[-1], exposure=size, alpha=alpha)
    assert w.attrs["family"] == family  # the Cameron–Trivedi test picks the family
    rate = (w["rule"] == "model").sum() / 1000
    # binomial sd at n = 1000 is 0.007; discreteness makes the rule slightly conservative
    assert 0.6 * alpha <= rate <= 1.3 * alpha, rate


def test_tail_probability_and_upper_limit_by_hand():
    # one unit, 12 months of exactly 4: μ̂ = 4, no seasonality, no overdispersion
    months = pd.period_range("2023-01", periods=13, freq="M").astype(str)
    counts = pd.DataFrame({"uCode": "A", "Time": months, "value": [4] * 12 + [10]})
    w = monitor.warnings(counts, month="2024-01", alpha=0.01)
    row = w.iloc[0]
    # P(Y >= 10 | Poisson(4)) = 1 − Σ_{k≤9} e^{−4} 4^k / k! = 0.0081322
    assert row["p_value"] == pytest.approx(0.0081322, abs=1e-7)
    assert row["expected"] == pytest.approx(4.0)
    assert row["upper_limit"] == 9  # smallest k with P(Y <= k) >= 0.99
    assert stats.poisson(4).cdf(8) < 0.99 <= stats.poisson(4).cdf(9)
    counts.loc[12, "value"] = 9
    assert monitor.warnings(counts, month="2024-01", alpha=0.01).empty


def test_a_real_surge_is_flagged():
    counts, size, labels = _panel(np.random.default_rng(3), units=200)
    last = counts["Time"] == labels[-1]
    target = counts.index[last & (counts["uCode"] == "U0007")][0]
    counts.loc[target, "value"] = counts.loc[target, "value"] * 4 + 10
    w = monitor.warnings(counts, month=labels[-1], exposure=size, alpha=0.01)
    assert "U0007" in set(w["uCode"])


def test_threshold_rules_carry_evidence():
    rows = [
        dict(
            record_id=f"r{i}",
            uCode="A",
            decided=f"2023-{m:02d}-05",
            source="court",
            category=1,
            severity="general",
        )
        for i, m in enumerate(range(1, 13))
    ]
    rows += [
        dict(
            record_id="s1",
            uCode="B",
            decided="2024-01-09",
            source="penalty",
            category=4,
            severity="serious",
        ),
        dict(
            record_id="x1",
            uCode="B",
            decided="2024-01-10",
            source="penalty",
            category=4,
            severity="serious",
            exempt=True,
        ),
    ]
    rec = ie.records.read(pd.DataFrame(rows))
    counts = ie.records.breach_counts(rec, measure="new", start="2023-01", end="2024-01")
    debtors = pd.DataFrame({"uCode": ["A", "B"], "listed": ["2023-12-01", "2024-02-01"]})
    w = monitor.warnings(
        counts, month="2024-01", records=rec, rules={"model": False, "debtors": debtors}
    )
    got = {(r.uCode, r.rule): r.evidence for r in w.itertuples()}
    assert got == {("B", "serious"): ["s1"], ("A", "debtors"): ["listed 2023-12-01"]}
    w = monitor.warnings(counts, month="2024-01", records=rec)
    # B had no record in the history: expected 0, its first record warns, with its evidence
    model = w[w["rule"] == "model"].set_index("uCode")
    assert model.loc["B", "evidence"] == ["s1"] and model.loc["B", "expected"] == 0


def test_changes_month_on_month_and_year_on_year():
    months = pd.period_range("2023-01", periods=14, freq="M").astype(str)
    scores = pd.DataFrame([np.arange(14.0)], index=["A"], columns=months)
    ch = monitor.changes(scores).set_index("Time")
    assert ch.loc["2024-02", "mom"] == 1 and ch.loc["2024-02", "yoy"] == 12
    assert np.isnan(ch.loc["2023-01", "mom"]) and np.isnan(ch.loc["2023-12", "yoy"])


def test_history_too_short_is_a_clear_error():
    counts = pd.DataFrame({"uCode": "A", "Time": ["2024-01", "2024-02"], "value": [1, 2]})
    with pytest.raises(ValueError, match="at least 6 months"):
        monitor.warnings(counts, month="2024-02")


def test_monthly_scores_on_rolling_windows():
    folder = ie.datasets.datasets_dir() / "shanghai-records-sample"
    units = pd.read_csv(folder / "units_synthetic.csv")
    kinds = ("breach", "ticket", "commitment", "case", "proposal")
    recs = {k: ie.records.read(folder / f"{k}_synthetic.csv", kind=k, units=units) for k in kinds}
    panel = ie.datasets.load("shanghai-districts", panel=True).idata
    reported = panel[panel["Time"] == 2024].drop(columns="Time")
    scores = monitor.monthly_scores(
        "shanghai-2018", recs, start="2024-04", end="2024-06", units=units, reported=reported
    )
    assert list(scores.columns) == ["2024-04", "2024-05", "2024-06"]
    assert scores.notna().all().all() and len(scores) == 16
    ch = monitor.changes(scores).set_index(["uCode", "Time"])
    assert ch.loc[("YP", "2024-06"), "mom"] == pytest.approx(
        scores.loc["YP", "2024-06"] - scores.loc["YP", "2024-05"]
    )


def test_assess_gives_every_unit_and_warnings_keep_its_warned_rows():
    counts, size, labels = _panel(np.random.default_rng(5), units=200)
    month = labels[-1]
    bump = (counts["uCode"] == "U0007") & (counts["Time"] == month)
    counts.loc[bump, "value"] += 40  # one real change
    table = monitor.assess(counts, month, exposure=size, alpha=0.01)
    assert len(table) == 200 and set(table["Time"]) == {month}
    # observed above the upper limit exactly when p <= alpha (the module docstring)
    assert (table["warned"] == (table["observed"] > table["upper_limit"])).all()
    assert (table["warned"] == (table["p_value"] <= 0.01)).all()
    assert "U0007" in set(table.loc[table["warned"], "uCode"])
    w = monitor.warnings(counts, month=month, exposure=size, alpha=0.01)
    again = monitor.warnings(counts, month=month, exposure=size, alpha=0.01, assessment=table)
    pd.testing.assert_frame_equal(w, again)
    model = w[w["rule"] == "model"].set_index("uCode")
    hit = table[table["warned"]].set_index("uCode")
    assert sorted(model.index) == sorted(hit.index)
    np.testing.assert_allclose(model["p_value"], hit.loc[model.index, "p_value"])
    assert w.attrs == {**table.attrs, "rules": ["model"]}
    with pytest.raises(ValueError, match="assessment"):
        monitor.warnings(counts, month=month, exposure=size, alpha=0.05, assessment=table)
