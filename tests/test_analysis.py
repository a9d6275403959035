"""Tests of integrity_eval.analysis against values worked out by hand or with an
independent method (scipy, numpy eigen-decomposition, explicit formulas)."""

from __future__ import annotations

import itertools
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from integrity_eval import Framework, ValidationError
from integrity_eval import analysis as A

ROOT = Path(__file__).resolve().parents[1]
ASEM = ROOT / "datasets" / "asem"
REF = ROOT / "tests" / "reference" / "coinr"


# ------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def fw() -> Framework:
    return Framework.from_imeta(pd.read_csv(ASEM / "asem_iMeta.csv"))


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    return pd.read_csv(ASEM / "asem_iData.csv").set_index("uCode")


@pytest.fixture(scope="module")
def agg() -> pd.DataFrame:
    return pd.read_csv(REF / "ref_aggregated_amean.csv").set_index("uCode")


@pytest.fixture(scope="module")
def tiny_fw() -> Framework:
    """INDEX ← D1 (a, b), D2 (c, d); b has direction −1."""
    return Framework.from_dict(
        {
            "name": "tiny",
            "levels": [{"en": "Indicator"}, {"en": "Pillar"}, {"en": "Index"}],
            "nodes": [
                {"code": "INDEX", "name": "Index", "level": 3},
                {"code": "D1", "name": "One", "level": 2, "parent": "INDEX"},
                {"code": "D2", "name": "Two", "level": 2, "parent": "INDEX"},
                {"code": "a", "name": "A", "level": 1, "parent": "D1", "unit": "%"},
                {"code": "b", "name": "B", "level": 1, "parent": "D1", "direction": -1},
                {"code": "c", "name": "C", "level": 1, "parent": "D2"},
                {"code": "d", "name": "D", "level": 1, "parent": "D2"},
            ],
        }
    )


class FakeEvaluation:
    """The parts of an Evaluation these functions use."""

    def __init__(self, dsets: dict[str, pd.DataFrame], framework: Framework, units=None):
        self._dsets, self.framework, self.units = dsets, framework, units

    def get_dset(self, name: str) -> pd.DataFrame:
        return self._dsets[name]


def pair_mask(x: pd.Series, y: pd.Series):
    m = x.notna() & y.notna()
    return x[m].to_numpy(), y[m].to_numpy()


# ============================================================ indicator_stats
def test_stats_values_worked_by_hand():
    df = pd.DataFrame({"x": [1.0, 2, 3, 4, 10]}, index=list("pqrst"))
    st = A.indicator_stats(df).loc["x"]
    assert st["Min"] == 1 and st["Max"] == 10 and st["Mean"] == 4 and st["Median"] == 3
    # squared deviations 9, 4, 1, 0, 36 → sample variance 50/4
    assert st["Std"] == pytest.approx(math.sqrt(12.5))
    # central moments m2 = 50/5, m3 = 180/5 → g1 = m3/m2^1.5, G1 = g1·sqrt(n(n−1))/(n−2)
    g1 = 36 / 10**1.5
    assert st["Skew"] == pytest.approx(g1 * math.sqrt(20) / 3)
    # m4 = (81 + 16 + 1 + 0 + 1296)/5; g2 = m4/m2² − 3; G2 = ((n+1) g2 + 6)(n−1)/((n−2)(n−3))
    g2 = (1394 / 5) / 100 - 3
    assert st["Kurt"] == pytest.approx(((6 * g2) + 6) * 4 / (3 * 2))


def test_stats_skew_kurt_match_scipy_on_asem(raw, fw):
    st = A.indicator_stats(raw, framework=fw)
    assert list(st.index) == fw.indicators
    x = raw[fw.indicators]
    sk = stats.skew(x, bias=False, nan_policy="omit")
    kt = stats.kurtosis(x, bias=False, nan_policy="omit")
    np.testing.assert_allclose(st["Skew"], sk, rtol=1e-10)
    np.testing.assert_allclose(st["Kurt"], kt, rtol=1e-10)
    np.testing.assert_allclose(st["Std"], np.nanstd(x, axis=0, ddof=1), rtol=1e-12)
    np.testing.assert_allclose(st["Median"], np.nanmedian(x, axis=0))
    np.testing.assert_array_equal(st["N.Avail"], x.notna().sum())
    # the flag rule, re-derived from the columns
    out = (st["Skew"].abs() > 2) & (st["Kurt"] > 3.5)
    assert (st["Flag.SkewKurt"] == np.where(out, "OUT", "ok")).all()


def test_stats_counts_fractions_and_coinr_flag_denominators():
    df = pd.DataFrame(
        {
            "same": [2.0, 2, 2, 5, np.nan, 5],
            "zeros": [1.0, 1, 0, np.nan, np.nan, np.nan],
        }
    )
    st = A.indicator_stats(df)
    s = st.loc["same"]
    assert (s["N.Avail"], s["N.Unique"], s["N.Same"], s["N.NonZero"]) == (5, 2, 3, 5)
    assert s["Frc.Avail"] == pytest.approx(5 / 6)
    assert s["Frc.Unique"] == pytest.approx(2 / 5)  # over available values
    assert s["Frc.Same"] == pytest.approx(3 / 5)
    assert s["Flag.Unique"] == "LOW"  # COINr flags on N.Unique / rows = 2/6 < 0.5
    z = st.loc["zeros"]
    assert z["Frc.NonZero"] == pytest.approx(2 / 3)  # 2 non-zero of 3 available ...
    assert z["Flag.NonZero"] == "LOW"  # ... but COINr's flag divides by rows: 2/6 < 0.5
    assert z["Flag.Avail"] == "LOW"  # 3/6 < 0.65
    assert A.indicator_stats(df, t_avail=0.5).loc["zeros", "Flag.Avail"] == "ok"


def test_stats_skewkurt_flag_follows_r_three_valued_logic():
    x = np.r_[np.arange(1.0, 20), 1000]
    df = pd.DataFrame(
        {
            "outlier": x,
            "const": np.full(20, 3.0),
            "three": np.r_[[1.0, 2, 4], np.full(17, np.nan)],
        }
    )
    st = A.indicator_stats(df)
    assert st.loc["outlier", "Flag.SkewKurt"] == "OUT"
    # constant column: skew and kurtosis undefined → NA flag
    assert np.isnan(st.loc["const", "Skew"]) and pd.isna(st.loc["const", "Flag.SkewKurt"])
    # n = 3: kurtosis undefined, |skew| ≈ 0.94 ≤ 2 → FALSE & NA = FALSE → "ok"
    assert np.isnan(st.loc["three", "Kurt"])
    assert abs(st.loc["three", "Skew"]) < 2 and st.loc["three", "Flag.SkewKurt"] == "ok"


def test_stats_nsignif_rounds_for_display():
    df = pd.DataFrame({"x": [1.23456, 2.34567, 3.45678, 100.0]})
    st = A.indicator_stats(df, nsignif=3)
    assert st.loc["x", "Min"] == 1.23 and st.loc["x", "Max"] == 100


def test_stats_accepts_an_evaluation_and_rejects_text(raw, fw):
    ev = FakeEvaluation({"Raw": raw}, fw)
    pd.testing.assert_frame_equal(A.indicator_stats(ev), A.indicator_stats(raw, framework=fw))
    bad = raw.copy()
    bad["LPI"] = "n/a"
    with pytest.raises(ValidationError) as e:
        A.indicator_stats(bad, framework=fw)
    assert e.value.problems[0].column == "LPI"


# ========================================================== data availability
def test_data_availability_worked_by_hand(tiny_fw):
    df = pd.DataFrame(
        {"a": [1.0, 3, 0], "b": [0.0, np.nan, 0], "c": [np.nan, np.nan, 0], "d": [2.0, 4, 5]},
        index=pd.Index(["u1", "u2", "u3"], name="uCode"),
    )
    res = A.data_availability(
        df, framework=tiny_fw, by=pd.Series({"u1": "x", "u2": "x", "u3": "y"})
    )
    s = res["Summary"]
    assert list(s.loc["u1"]) == pytest.approx([1, 1, 2, 0.75, 1 - 1 / 3])
    assert list(s.loc["u2"]) == pytest.approx([2, 0, 2, 0.5, 1.0])
    assert list(s.loc["u3"]) == pytest.approx([0, 3, 3, 1.0, 0.25])
    g = res["ByGroup"]
    assert list(g.columns) == ["D1", "D2", "INDEX"]
    assert list(g.loc["u1"]) == pytest.approx([1.0, 0.5, 0.75])
    assert list(g.loc["u2"]) == pytest.approx([0.5, 0.5, 0.5])
    m = res.group_means
    assert m.loc["x", "n_units"] == 2
    assert m.loc["x", "Dat_Avail"] == pytest.approx((0.75 + 0.5) / 2)
    assert m.loc["y", "D2"] == pytest.approx(1.0)


def test_data_availability_by_group_column_on_asem(raw, fw):
    res = A.data_availability(raw, framework=fw, by="EurAsia_group")
    counts = raw["EurAsia_group"].value_counts()
    assert res.group_means["n_units"].to_dict() == counts.to_dict()
    x = raw[fw.indicators]
    expect = (1 - x.isna().mean(axis=1)).groupby(raw["EurAsia_group"]).mean()
    np.testing.assert_allclose(res.group_means["Dat_Avail"], expect.loc[res.group_means.index])
    # group labels from an Evaluation's units table
    ev = FakeEvaluation({"Raw": raw[fw.indicators]}, fw, units=raw[["uName", "EurAsia_group"]])
    res2 = A.data_availability(ev, by="EurAsia_group")
    pd.testing.assert_frame_equal(res2.group_means, res.group_means)


def test_data_availability_reports_missing_indicators(raw, fw):
    with pytest.raises(ValidationError) as e:
        A.data_availability(raw.drop(columns=["LPI", "Ship"]), framework=fw)
    assert {p.column for p in e.value.problems} == {"LPI", "Ship"}


# =============================================================== correlations
def test_pearson_pairwise_complete_matches_numpy(raw, fw):
    cm = A.correlations(raw, framework=fw, within="Physical", pval=0)
    codes = fw.descendants("Physical")
    assert list(cm.index) == codes and list(cm.columns) == codes
    for a, b in itertools.combinations(codes, 2):
        x, y = pair_mask(raw[a], raw[b])
        assert cm.at[a, b] == pytest.approx(np.corrcoef(x, y)[0, 1], abs=1e-12)


def test_pvalue_blanking_uses_cor_test_pvalues(raw, fw):
    codes = fw.descendants("Physical")
    cm = A.correlations(raw, framework=fw, within="Physical", pval=0.05)
    for a, b in itertools.combinations(codes, 2):
        x, y = pair_mask(raw[a], raw[b])
        r, p = stats.pearsonr(x, y)
        if p > 0.05:
            assert np.isnan(cm.at[a, b])
        else:
            assert cm.at[a, b] == pytest.approx(r, abs=1e-12)


def test_spearman_and_kendall_rank_within_complete_pairs(raw, fw):
    codes = fw.descendants("ConEcFin")
    sp = A.correlations(raw, framework=fw, within="ConEcFin", method="spearman", pval=0)
    kd = A.correlations(raw, framework=fw, within="ConEcFin", method="kendall", pval=0)
    for a, b in itertools.combinations(codes, 2):
        x, y = pair_mask(raw[a], raw[b])
        assert sp.at[a, b] == pytest.approx(stats.spearmanr(x, y)[0], abs=1e-12)
        assert kd.at[a, b] == pytest.approx(stats.kendalltau(x, y)[0], abs=1e-12)


def test_spearman_pvalue_exact_small_n():
    # n = 4, perfect agreement: only 1 of 4! orderings gives S = 0 → p = 2/24
    assert A._spearman_p(1.0, 4, ties=False) == pytest.approx(2 / 24)
    # n = 7 without ties: R's exact enumeration equals a full permutation test
    x = np.arange(7.0)
    y = np.array([2.0, 1, 4, 3, 7, 5, 6])
    rho = stats.spearmanr(x, y)[0]

    def rho_stat(yy, axis=-1):  # no ties: rho = 1 − 6 Σd² / (n(n² − 1)), d = rank difference
        ranks = np.argsort(np.argsort(yy, axis=axis), axis=axis)
        return 1 - 6 * ((ranks - x) ** 2).sum(axis=axis) / (7 * 48)

    perm = stats.permutation_test(
        (y,), rho_stat, permutation_type="pairings", n_resamples=np.inf, vectorized=True
    )
    assert A._spearman_p(rho, 7, ties=False) == pytest.approx(perm.pvalue, rel=1e-9)


def test_spearman_edgeworth_matches_published_as89_value():
    # pspearman package example: P(S <= 36 | n = 10) by AS 89 = 0.005825634
    assert A._prho(10, 36 + 2, lower=True) == pytest.approx(0.005825634, abs=5e-10)


def test_spearman_pvalue_with_ties_is_the_t_approximation():
    x = np.array([1.0, 2, 2, 3, 4, 5, 6, 7])
    y = np.array([2.0, 1, 3, 3, 6, 5, 8, 7])
    r, n = stats.spearmanr(x, y)[0], len(x)
    t = r * math.sqrt((n - 2) / (1 - r * r))
    assert A._spearman_p(r, n, ties=True) == pytest.approx(2 * stats.t.sf(abs(t), n - 2))


def test_kendall_pvalues_exact_and_tie_corrected():
    # exact: perfect concordance of 4 points → 2/24
    assert A._kendall_p(np.arange(4.0), np.arange(4.0)) == pytest.approx(2 / 24)
    # ties: normal approximation with R's tie-corrected variance of S = C − D
    x = np.array([1.0, 1, 2, 3, 3, 4, 5, 6])
    y = np.array([1.0, 2, 2, 3, 5, 4, 6, 6])
    n = len(x)
    s = sum(
        np.sign(x[i] - x[j]) * np.sign(y[i] - y[j]) for i, j in itertools.combinations(range(n), 2)
    )
    tx = np.array([2, 2])  # tie groups of x: {1,1}, {3,3}
    ty = np.array([2, 2])  # of y: {2,2}, {6,6}
    v = (
        (
            n * (n - 1) * (2 * n + 5)
            - (tx * (tx - 1) * (2 * tx + 5)).sum()
            - (ty * (ty - 1) * (2 * ty + 5)).sum()
        )
        / 18
        + (tx * (tx - 1)).sum() * (ty * (ty - 1)).sum() / (2 * n * (n - 1))
        + (tx * (tx - 1) * (tx - 2)).sum()
        * (ty * (ty - 1) * (ty - 2)).sum()
        / (9 * n * (n - 1) * (n - 2))
    )
    assert A._kendall_p(x, y) == pytest.approx(2 * stats.norm.sf(abs(s) / math.sqrt(v)))


def test_correlations_with_parent_and_family(agg, fw):
    cp = A.correlations(agg, framework=fw, within="Sust", with_parent=True, pval=0)
    assert list(cp.columns) == ["Var1", "Var2", "Correlation"]
    assert list(cp["Var2"]) == fw.descendants("Sust")
    for _, row in cp.iterrows():
        assert row["Var1"] == fw[row["Var2"]].parent
        expect = np.corrcoef(agg[row["Var1"]], agg[row["Var2"]])[0, 1]
        assert row["Correlation"] == pytest.approx(expect, abs=1e-12)
    fam = A.correlations(agg, framework=fw, within="Sust", with_parent="family", pval=0)
    n = len(fw.descendants("Sust"))
    assert len(fam) == 3 * n
    top = fam[fam["Level"] == fw.level_label(4)]
    assert set(top["Var1"]) == {"Index"}
    assert top["Correlation"].to_numpy() == pytest.approx(
        [np.corrcoef(agg["Index"], agg[c])[0, 1] for c in top["Var2"]]
    )


def test_correlations_across_levels_orientation_and_long(agg, fw):
    # COINr 1.1.14 get_corr(make_long = FALSE): cor(higher, lower) lengthened with
    # Var1 = higher, Var2 = lower, then widen() puts Var2 on the rows: indicators × pillars
    m = A.correlations(agg, framework=fw, level=(1, 2), pval=0)
    assert list(m.index) == fw.indicators and list(m.columns) == fw.codes_at(2)
    assert m.at["LPI", "Physical"] == pytest.approx(np.corrcoef(agg["Physical"], agg["LPI"])[0, 1])
    assert A.correlations(agg, framework=fw, level=(2, 1), pval=0).equals(m)
    long = A.correlations(agg, framework=fw, level=(1, 2), pval=0, long=True)
    assert set(long["Var1"]) == set(fw.codes_at(2)) and set(long["Var2"]) == set(fw.indicators)
    lg = A.correlations(agg, framework=fw, level=2, pval=0, long=True)
    assert len(lg) == 8 * 8
    # column by column, as COINr's lengthen(): first all rows of the first column
    assert list(lg["Var2"][:8]) == [fw.codes_at(2)[0]] * 8


def test_correlations_grouplev_keeps_within_group_pairs(raw, fw):
    lg = A.correlations(raw, framework=fw, within="Sust", grouplev=2, pval=0)
    parent = {c: fw[c].parent for c in fw.indicators}
    assert (lg["Var1"].map(parent) == lg["Var2"].map(parent)).all()
    sizes = [len(fw.children[g]) for g in fw.children["Sust"]]
    assert len(lg) == sum(k * k for k in sizes)


def test_correlations_complete_cases(raw, fw):
    codes = fw.descendants("SusEcFin")
    cm = A.correlations(raw, framework=fw, within="SusEcFin", pval=0, use="complete")
    cc = raw[codes].dropna()
    np.testing.assert_allclose(cm.to_numpy(), np.corrcoef(cc.to_numpy().T), atol=1e-12)


def test_correlations_errors(raw, fw):
    with pytest.raises(ValidationError) as e:
        A.correlations(raw, framework=fw, level=2)  # aggregates are not in Raw
    assert {p.column for p in e.value.problems} == set(fw.codes_at(2))
    with pytest.raises(ValidationError):
        A.correlations(raw, framework=fw, within="Nope")
    with pytest.raises(ValidationError):
        A.correlations(raw, framework=fw, method="cosine")
    with pytest.raises(ValidationError):
        A.correlations(raw[["LPI", "Ship"]], level=2)  # no framework


# ========================================================= correlation flags
def test_correlation_flags_worked_by_hand(tiny_fw):
    df = pd.DataFrame(
        {
            "a": [1.0, 2, 3, 4, 5],
            "b": [1.0, 2, 3, 4, 6],
            "c": [5.0, 4, 3, 2, 1],
            "d": [1.0, 3, 2, 5, 4],
        }
    )
    fl = A.correlation_flags(df, framework=tiny_fw)
    # r(a, b) = 12 / sqrt(10 · 14.8); r(c, d) = −8 / sqrt(10 · 10); r(a, c) = −1 is across groups
    assert fl[["Group", "Ind1", "Ind2", "Flag"]].values.tolist() == [
        ["D1", "a", "b", "high"],
        ["D2", "c", "d", "low"],
    ]
    assert fl["Corr"].tolist() == pytest.approx([12 / math.sqrt(148), -0.8])
    assert A.correlation_flags(df, framework=tiny_fw, thresh_low=None)["Ind1"].tolist() == ["a"]


def test_correlation_flags_asem_against_pairwise_loop(raw, fw):
    fl = A.correlation_flags(raw, framework=fw, thresh_high=0.75, thresh_low=-0.5)
    expect = []
    # COINr's internal order: indicators by pillar code (new_coin sorts iMeta by Parent),
    # file order within a pillar
    for g in sorted(fw.codes_at(2), key=str.lower):
        for a, b in itertools.combinations(fw.children[g], 2):
            r = np.corrcoef(*pair_mask(raw[a], raw[b]))[0, 1]
            if r > 0.75 or r < -0.5:
                expect.append((g, a, b, r))
    assert list(zip(fl["Group"], fl["Ind1"], fl["Ind2"], strict=True)) == [e[:3] for e in expect]
    assert fl["Corr"].to_numpy() == pytest.approx([e[3] for e in expect])


# ============================================================ Cronbach's alpha
def test_cronbach_worked_by_hand():
    x = pd.DataFrame({"p": [1.0, 2, 3, 4], "q": [2.0, 3, 5, 4], "r": [3.0, 3, 4, 6]})
    # item variances 5/3, 5/3, 2; row totals 6, 8, 12, 14 → variance 40/3
    assert A.cronbach(x) == pytest.approx(1.5 * (1 - (5 / 3 + 5 / 3 + 2) / (40 / 3)))
    assert A.cronbach(x) == pytest.approx(0.9)


def test_cronbach_asem_group_with_missing_values(raw, fw):
    codes = fw.descendants("Social")
    x = raw[codes].to_numpy()
    k = len(codes)
    cov = np.empty((k, k))
    for i, j in itertools.product(range(k), repeat=2):
        m = ~np.isnan(x[:, i]) & ~np.isnan(x[:, j])
        cov[i, j] = np.cov(x[m, i], x[m, j])[0, 1]
    expect = k / (k - 1) * (1 - np.trace(cov) / cov.sum())
    assert A.cronbach(raw, framework=fw, within="Social") == pytest.approx(expect)
    with pytest.raises(ValidationError):
        A.cronbach(raw, framework=fw, within="LPI")  # a single column


# ======================================================================== PCA
def test_pca_matches_eigen_decomposition_of_the_correlation_matrix():
    rng = np.random.default_rng(3)
    base = rng.normal(size=(12, 1))
    x = pd.DataFrame(base + 0.5 * rng.normal(size=(12, 4)), columns=list("wxyz"))
    res = A.pca(x, by_groups=False)
    evals, evecs = np.linalg.eigh(np.corrcoef(x.to_numpy().T))
    evals, evecs = evals[::-1], evecs[:, ::-1]
    evecs = evecs * np.where(evecs.sum(axis=0) < 0, -1, 1)  # documented sign convention
    np.testing.assert_allclose(res.loadings.to_numpy(), evecs, atol=1e-10)
    np.testing.assert_allclose(res.variance_share.to_numpy(), evals / evals.sum(), atol=1e-12)
    np.testing.assert_allclose(res.groups["All"].sdev.to_numpy() ** 2, evals, atol=1e-10)
    z = (x - x.mean()) / x.std(ddof=1)
    np.testing.assert_allclose(res.scores.to_numpy(), z.to_numpy() @ evecs, atol=1e-10)
    assert res.weights.to_dict() == pytest.approx(dict(zip("wxyz", evecs[:, 0], strict=True)))
    assert (res.loadings.sum() >= 0).all()
    two = A.pca(x, by_groups=False, n_components=2)
    assert list(two.loadings.columns) == ["PC1", "PC2"]


def test_pca_by_groups_drops_incomplete_units_with_warning(raw, fw):
    with pytest.warns(UserWarning, match="removing"):
        res = A.pca(raw, framework=fw, within="Sust")
    assert list(res.groups) == ["Environ", "Social", "SusEcFin"]
    assert list(res.weights.index) == fw.descendants("Sust")
    for g, grp in res.groups.items():
        cc = raw[fw.children[g]].dropna()
        assert set(grp.dropped) == set(raw.index) - set(cc.index)
        evals, evecs = np.linalg.eigh(np.corrcoef(cc.to_numpy().T))
        pc1 = evecs[:, -1] * (1 if evecs[:, -1].sum() >= 0 else -1)
        np.testing.assert_allclose(grp.weights.to_numpy(), pc1, atol=1e-10)
        assert grp.variance_share["PC1"] == pytest.approx(evals[-1] / evals.sum())
    assert res.variance_share.shape[0] == 3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        A.pca(raw, framework=fw, within="Sust", nowarnings=True)


def test_pca_rejects_constant_columns():
    x = pd.DataFrame({"a": [1.0, 2, 3], "b": [5.0, 5, 5]})
    with pytest.raises(ValidationError) as e:
        A.pca(x, by_groups=False)
    assert e.value.problems[0].column == "b"


# ===================================================== strengths, weaknesses
@pytest.fixture(scope="module")
def sw_data() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "a": [5.0, 4, 3, 2, 1],
            "b": [1.0, 2, 3, 4, 5],  # direction −1: u1 is best
            "c": [1.0, 2, 3, 4, 5],  # u1 worst → discarded by min_discard
            "d": [3.0, 3, 1, 4, 2],  # u1 tied 2nd
        },
        index=pd.Index(["u1", "u2", "u3", "u4", "u5"], name="uCode"),
    )


def test_strengths_weaknesses_worked_by_hand(sw_data, tiny_fw):
    res = A.strengths_weaknesses(sw_data, "u1", framework=tiny_fw, top_n=2)
    s, w = res["Strengths"], res["Weaknesses"]
    assert list(s.columns) == ["Code", "Name", "Pillar", "Rank", "Value", "Unit"]
    assert s["Code"].tolist() == ["a", "b"] and s["Rank"].tolist() == [1, 1]
    assert s["Value"].tolist() == [5, 1]  # unadjusted values
    assert s["Pillar"].tolist() == ["D1", "D1"] and s["Unit"].tolist() == ["%", ""]
    assert w["Code"].tolist() == ["b", "d"] and w["Rank"].tolist() == [1, 2]
    # without direction adjustment b ranks last for u1 and is discarded
    res = A.strengths_weaknesses(sw_data, "u1", "Normalised", framework=tiny_fw, top_n=2)
    assert res.strengths["Code"].tolist() == ["a", "d"]
    # unq_discard: d has 4 unique values of 5 (0.8 ≤ 0.9) → dropped
    res = A.strengths_weaknesses(sw_data, "u1", framework=tiny_fw, top_n=2, unq_discard=0.9)
    assert res.strengths["Code"].tolist() == ["a", "b"] and len(res.weaknesses) == 2
    assert (
        "Code"
        not in A.strengths_weaknesses(
            sw_data, "u1", framework=tiny_fw, top_n=2, with_codes=False
        ).strengths.columns
    )


def test_strengths_weaknesses_in_group_ranks(sw_data, tiny_fw):
    groups = pd.Series({"u1": "g1", "u2": "g1", "u3": "g2", "u4": "g2", "u5": "g2"})
    res = A.strengths_weaknesses(sw_data, "u1", framework=tiny_fw, top_n=2, use_group=groups)
    # in g1: a 1, b 1, c 2, d 1 (tie); c's worst in-group rank over all units is 3
    # (in g2), so COINr keeps c for u1
    assert res.strengths["Code"].tolist() == ["a", "b"]
    assert res.weaknesses["Code"].tolist() == ["d", "c"]
    assert res.weaknesses["Rank"].tolist() == [1, 2]


def test_strengths_weaknesses_asem_tie_at_the_cut_off_follows_coinr_order(raw, fw):
    """ASEM, IND, Raw: Embs (Political) and MatCon (Environ) both rank 6th for IND;
    COINr's get_str_weak keeps MatCon because new_coin sorts iMeta by Level then Parent
    (R/new_coin.R: ``iMeta[order(iMeta$Level, iMeta$Parent), ]``) and "Environ" sorts
    before "Political". Expected table built here from that definition."""
    imeta = pd.read_csv(ASEM / "asem_iMeta.csv")
    ind = imeta[imeta["Type"] == "Indicator"]
    coinr_codes = ind.sort_values("Parent", kind="stable", key=lambda s: s.str.lower())["iCode"]
    adj = raw[list(coinr_codes)] * ind.set_index("iCode")["Direction"][coinr_codes].to_numpy()
    ranks = adj.rank(ascending=False, method="min")
    r = ranks.loc["IND"].dropna()
    r = r[r != ranks.max()[r.index]]
    ordered = r.sort_values(kind="stable")  # coinr_codes order breaks ties
    assert ordered.iloc[4:6].tolist() == [6, 6]
    assert set(ordered.index[4:6]) == {"Embs", "MatCon"}

    res = A.strengths_weaknesses(raw, "IND", "Raw", framework=fw, top_n=5, bottom_n=5)
    assert res.strengths["Code"].tolist() == list(ordered.index[:5])
    assert res.strengths["Code"].tolist()[-1] == "MatCon"
    assert "Embs" not in res.strengths["Code"].tolist()
    assert res.strengths["Rank"].tolist() == [1, 3, 4, 5, 6]
    assert res.strengths["Rank"].dtype == "Int64"
    assert res.weaknesses["Code"].tolist() == list(ordered.index[-5:])


def test_coinr_order_sorts_by_level_then_parent_then_file_order():
    fw = Framework.from_dict(
        {
            "nodes": [
                {"code": "TOP", "level": 3},
                {"code": "Beta", "level": 2, "parent": "TOP"},
                {"code": "alpha", "level": 2, "parent": "TOP"},
                {"code": "z", "level": 1, "parent": "Beta"},
                {"code": "y", "level": 1, "parent": "alpha"},
                {"code": "x", "level": 1, "parent": "Beta"},
            ]
        }
    )
    order = sorted(fw.codes_at(1) + fw.codes_at(2) + ["TOP"], key=fw.coinr_order.get)
    # R in a UTF-8 locale: "alpha" < "Beta" (case ignored first); z before x (file order)
    assert order == ["y", "z", "x", "Beta", "alpha", "TOP"]
    df = pd.DataFrame({"x": [1.0, 2, 3], "y": [1.0, 2, 3], "z": [1.0, 2, 3]}, index=["p", "q", "r"])
    res = A.strengths_weaknesses(df, "r", framework=fw, top_n=1, bottom_n=1)
    assert res.strengths["Code"].tolist() == ["y"]  # three-way tie at rank 1
    assert res.weaknesses["Code"].tolist() == ["x"]


def test_strengths_weaknesses_errors(sw_data, tiny_fw):
    with pytest.raises(ValidationError) as e:
        A.strengths_weaknesses(sw_data, "zz", framework=tiny_fw)
    assert e.value.problems[0].row == "zz"
    with pytest.raises(ValidationError):
        A.strengths_weaknesses(sw_data, "u1")  # no framework
    with pytest.raises(ValidationError):
        A.strengths_weaknesses(sw_data, "u1", framework=tiny_fw, top_n=9)


# =============================================================== unit summary
def test_unit_summary_matches_coinr_ranks(agg, fw):
    ref_ranks = pd.read_csv(REF / "ref_ranks_amean.csv").set_index("uCode")
    us = A.unit_summary(agg, "IND", framework=fw)
    assert us["Code"].tolist() == ["Index", "Conn", "Sust", *fw.codes_at(2)]
    assert us["Score"].tolist() == pytest.approx(agg.loc["IND", us["Code"]].tolist())
    assert us["Rank"].tolist() == ref_ranks.loc["IND", us["Code"]].tolist()
    assert us.loc[0, "Name"] == fw["Index"].name("en")
    one = A.unit_summary(agg, "IND", framework=fw, level=2, nround=2)
    assert one["Code"].tolist() == fw.codes_at(2)
    assert one["Score"].tolist() == pytest.approx(np.round(agg.loc["IND", fw.codes_at(2)], 2))
    with pytest.raises(ValidationError):
        A.unit_summary(agg, "IND", framework=fw, level=7)


# ----------------------------------------------------------- removing elements
def test_remove_elements_equals_rebuilds_with_each_weight_zero(asem_ev, asem_idata):
    """COINr 1.1.14 remove_elements (R/audit_tools.R): each element of the level in turn gets
    weight 0, the coin is regenerated, and the index is compared with the nominal one. No
    stored COINr output exists for it, so the expectation is a full ie.build per element
    with that weight 0 (ASEM_SPEC uses the framework's weights, as COINr's example coin)."""
    from conftest import ASEM_SPEC

    import integrity_eval as ie

    res = A.remove_elements(asem_ev, 2)
    fw = asem_ev.framework
    assert list(res.scores.columns) == ["Nominal", *fw.codes_at(2)]
    assert res.scores["Nominal"].equals(asem_ev.get_dset("Aggregated")["Index"])
    for code in fw.codes_at(2):
        built = ie.build(
            fw,
            asem_idata,
            {**ASEM_SPEC, "weights": {"values": {code: 0}}},
        )
        np.testing.assert_allclose(res.scores[code], built.scores, rtol=0, atol=1e-12)
        # COINr rank_df: rank(-x, ties.method = "min", na.last = "keep")
        expected = pd.Series(stats.rankdata(-built.scores, method="min"), index=built.scores.index)
        assert (res.ranks[code] == expected).all()
    diffs = res.ranks.rsub(res.ranks["Nominal"], axis=0)
    assert res.rank_diffs.equals(diffs) and (res.rank_diffs["Nominal"] == 0).all()
    assert res.mean_abs_diff.to_dict() == pytest.approx(diffs.abs().mean().to_dict())
    assert res.mean_abs_diff.index[0] == "Nominal" and res.mean_abs_diff.iloc[0] == 0
    assert res.mean_abs_diff.drop("Nominal").gt(0).all()
    # indicators: the first of the level by a rebuild; another output column
    ind = A.remove_elements(asem_ev, 1, code="Conn")
    first = fw.indicators[0]
    built = ie.build(fw, asem_idata, {**ASEM_SPEC, "weights": {"values": {first: 0}}})
    np.testing.assert_allclose(ind.scores[first], built.get_dset("Aggregated")["Conn"], atol=1e-12)
    assert "COINr remove_elements" in str(res.summary()) and "Social" in repr(res)
    with pytest.raises(ValidationError):
        A.remove_elements(asem_ev, 4)
    with pytest.raises(ValidationError):
        A.remove_elements(asem_ev, 1, code="Nope")


def test_remove_elements_drops_a_parent_left_without_weighted_children():
    # IDX → D1 (a, b), D2 (c): without c, COINr's D2 is NaN and IDX the mean of D1 alone
    from conftest import TOY_NODES

    import integrity_eval as ie

    toy = ie.Framework.from_dict({"name": "toy", "nodes": TOY_NODES})
    idata = pd.DataFrame(
        {"uCode": list("PQRS"), "a": [1.0, 4, 2, 3], "b": [2.0, 1, 4, 3], "c": [4.0, 3, 1, 2]}
    )
    ev = ie.build(toy, idata, {"normalise": {"method": "minmax"}, "aggregate": {"method": "amean"}})
    res = A.remove_elements(ev, 1)
    d1 = ev.get_dset("Aggregated")["D1"]
    np.testing.assert_allclose(res.scores["c"], d1, atol=1e-12)
    assert res.ranks["c"].tolist() == stats.rankdata(-d1, method="min").tolist()
