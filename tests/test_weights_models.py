"""Weighting models (docs/weights.md) against published worked examples or hand computations.

Each test names its source: paper, table and page, or "by hand" with the arithmetic.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import integrity_eval as ie
from integrity_eval.weights.factor import retained_factors

W = ie.weights


def frame(rows, cols=None, index=None) -> pd.DataFrame:
    a = np.asarray(rows, dtype=float)
    cols = cols or [f"C{j + 1}" for j in range(a.shape[1])]
    return pd.DataFrame(a, columns=cols, index=index)


def raised(fn) -> ie.ValidationError:
    with pytest.raises(ie.ValidationError) as info:
        fn()
    return info.value


# ------------------------------------------------------------------ equal, budget
def test_equal():
    r = W.equal(frame([[1, 2, 3, 4]]))
    assert r.weights.tolist() == [0.25] * 4
    assert "equal" in str(r.summary())


def test_budget_mean_share_and_outlier():
    # by hand: each expert's 100 points as shares; weights = mean share
    alloc = pd.DataFrame(
        [[40, 30, 30], [42, 28, 30], [38, 32, 30], [40, 32, 28], [90, 5, 5]],
        index=["E1", "E2", "E3", "E4", "E5"],
        columns=["a", "b", "c"],
    )
    r = W.budget(alloc, total=100)
    assert r.weights.to_numpy() == pytest.approx([250 / 500, 127 / 500, 123 / 500])
    assert r.outliers == ["E5"]
    assert "E5" in r.warnings[0]
    err = raised(lambda: W.budget(alloc.assign(a=[40, 42, 38, 40, -1]), total=100))
    assert {(p.row, p.column) for p in err.problems} >= {("E5", "a")}
    assert any("add up to 100" in p.rule for p in err.problems)


# ------------------------------------------------------------------------- AHP
SAATY_DRINKS = [
    [1, 9, 5, 2, 1, 1, 1 / 2],
    [1 / 9, 1, 1 / 3, 1 / 9, 1 / 9, 1 / 9, 1 / 9],
    [1 / 5, 3, 1, 1 / 3, 1 / 4, 1 / 3, 1 / 9],
    [1 / 2, 9, 3, 1, 1 / 2, 1, 1 / 3],
    [1, 9, 4, 2, 1, 2, 1 / 2],
    [1, 9, 3, 1, 1 / 2, 1, 1 / 3],
    [2, 9, 9, 3, 2, 3, 1],
]
DRINKS = ["Coffee", "Wine", "Tea", "Beer", "Sodas", "Milk", "Water"]


def test_ahp_saaty_drinks_example():
    # Saaty (2008) Int. J. Services Sciences 1(1): 83–98, Table 2 "Which drink is
    # consumed more in the U.S.?": derived priorities .177 .019 .042 .116 .190 .129 .327
    m = pd.DataFrame(SAATY_DRINKS, index=DRINKS, columns=DRINKS)
    r = W.ahp(m)
    assert r.weights.round(3).tolist() == [0.177, 0.019, 0.042, 0.116, 0.190, 0.129, 0.327]
    assert r.consistent and r.cr < 0.1
    assert r.ri == 1.32 and r.ri_table == "saaty"  # Saaty (1980) p. 21, n = 7
    assert r.ci == pytest.approx((r.lambda_max - 7) / 6)


def test_ahp_wang_chin_example_and_inconsistency_flag():
    # Wang & Chin (2011) Information Sciences 181(23): 5240–5248, 6×6 example:
    # eigenvector priorities .3208 .1395 .0348 .1285 .2374 .1391 (CR well above 0.1)
    a = [
        [1, 4, 3, 1, 3, 4],
        [1 / 4, 1, 7, 3, 1 / 5, 1],
        [1 / 3, 1 / 7, 1, 1 / 5, 1 / 5, 1 / 6],
        [1, 1 / 3, 5, 1, 1, 1 / 3],
        [1 / 3, 5, 5, 1, 1, 3],
        [1 / 4, 1, 6, 3, 1 / 3, 1],
    ]
    codes = list("ABCDEF")
    with pytest.warns(W.ConsistencyWarning, match=r"CR = 0\.229 > 0\.1.*B/E: 1/5 → 1") as rec:
        r = W.ahp(pd.DataFrame(a, index=codes, columns=codes), name="WC")
    assert str(rec[0].message).startswith("WC：判断矩阵不一致")  # Chinese first, matrix named
    assert " / WC: inconsistent matrix" in str(rec[0].message)
    assert rec[0].filename == __file__  # points at the caller
    assert r.weights.round(4).tolist() == [0.3208, 0.1395, 0.0348, 0.1285, 0.2374, 0.1391]
    assert not r.consistent and r.cr > 0.1
    worst = r.inconsistent.iloc[0]
    # the flagged judgement is the one farthest from w_i/w_j (Saaty 2003)
    eps = np.array(a) * r.weights.to_numpy()[None, :] / r.weights.to_numpy()[:, None]
    i, j = np.unravel_index(np.argmax(np.abs(np.log(eps))), eps.shape)
    assert {worst["row"], worst["column"]} == {codes[i], codes[j]}
    assert "CR" in r.warnings[0]
    # another random-index table changes RI and CR, not the priorities
    with pytest.warns(W.ConsistencyWarning):
        r2 = W.ahp(pd.DataFrame(a, index=codes, columns=codes), ri_table="saaty2008")
    assert r2.ri == 1.25 and r2.cr == pytest.approx(r.ci / 1.25)


def test_ahp_geometric_mean_by_hand():
    # consistent 3×3 matrix from w = (4, 2, 1)/7: any method gives w exactly, CR = 0
    w = np.array([4, 2, 1]) / 7
    m = pd.DataFrame(w[:, None] / w[None, :], index=list("xyz"), columns=list("xyz"))
    for method in ("eigenvector", "geometric"):
        r = W.ahp(m, method=method)
        assert r.weights.to_numpy() == pytest.approx(w)
        assert r.lambda_max == pytest.approx(3) and r.cr == pytest.approx(0, abs=1e-12)


def test_ahp_bad_matrices_listed():
    m = pd.DataFrame(
        [[1, 3, 0], [1 / 3, 1, 2], [5, 1 / 2, 1]], index=list("abc"), columns=list("abc")
    )
    err = raised(lambda: W.ahp(m))
    assert [(p.row, p.column) for p in err.problems] == [("a", "c")]  # non-positive first
    m.loc["a", "c"] = 4
    err = raised(lambda: W.ahp(m))
    assert [(p.row, p.column) for p in err.problems] == [("a", "c")]
    assert "reciprocal" in err.problems[0].rule and "0.25" in err.problems[0].rule


def test_group_ahp_both_ways_by_hand():
    # two experts on (x, y): x is 4 times y, and x is 1 times y.
    e1 = pd.DataFrame([[1, 4], [1 / 4, 1]], index=["x", "y"], columns=["x", "y"])
    e2 = pd.DataFrame([[1, 1], [1, 1]], index=["x", "y"], columns=["x", "y"])
    aij = W.ahp_group([e1, e2])
    # geometric mean of judgements: √(4·1) = 2 → w = (2/3, 1/3)
    assert aij.weights.to_numpy() == pytest.approx([2 / 3, 1 / 3])
    aip = W.ahp_group({"E1": e1, "E2": e2}, how="priorities")
    # priorities (0.8, 0.2) and (0.5, 0.5): geometric means √0.4, √0.1 → 2/3, 1/3
    assert aip.weights.to_numpy() == pytest.approx([2 / 3, 1 / 3])
    assert set(aip.experts) == {"E1", "E2"}
    bad = e2.rename(index={"y": "z"}, columns={"y": "z"})
    assert raised(lambda: W.ahp_group([e1, bad])).problems


def _random_reciprocal(rng, m: int, n: int) -> np.ndarray:
    """``m`` random reciprocal matrices of order ``n``, judgements uniform on Saaty's scale."""
    scale = np.array([1 / k for k in range(9, 1, -1)] + list(range(1, 10)), dtype=float)
    a = np.ones((m, n, n))
    iu = np.triu_indices(n, 1)
    v = scale[rng.integers(0, 17, size=(m, len(iu[0])))]
    a[:, iu[0], iu[1]], a[:, iu[1], iu[0]] = v, 1 / v
    return a


def test_alonso_lamata_random_index_matches_random_matrices():
    # RI(n) is the mean CI of random reciprocal matrices (Saaty 1980); Alonso & Lamata (2006)
    # fit λ̄max = 2.7699 n − 4.3513, i.e. RI(n) = (1.7699 n − 4.3513)/(n − 1). Simulated here:
    table = W.RI_TABLES["alonso-lamata"][1]
    assert len(table) == 30 and table[:2] == (0.0, 0.0)
    rng = np.random.default_rng(0)
    for n in (7, 16, 30):
        lam = np.linalg.eigvals(_random_reciprocal(rng, 1500, n)).real.max(axis=1)
        assert (lam.mean() - n) / (n - 1) == pytest.approx(table[n - 1], abs=0.015)
    assert table[15] == pytest.approx((1.7699 * 16 - 4.3513) / 15)
    # Saaty's tables stop at 10: a 16-element matrix names the wider table
    m = pd.DataFrame(
        np.ones((16, 16)), index=list("abcdefghijklmnop"), columns=list("abcdefghijklmnop")
    )
    err = raised(lambda: W.ahp(m))
    assert "alonso-lamata" in err.problems[0].rule and "随机一致性指标表" in err.problems[0].rule
    r = W.ahp(m, ri_table="alonso-lamata")
    assert r.cr == 0 and r.ri == table[15] and "Alonso & Lamata" in r.source


def test_ahp_revisions_are_the_single_changes_that_lower_cr_most():
    rng = np.random.default_rng(5)
    codes = list("abcde")
    m = pd.DataFrame(_random_reciprocal(rng, 1, 5)[0], index=codes, columns=codes)
    with pytest.warns(W.ConsistencyWarning):
        r = W.ahp(m, name="X")
    assert r.cr > 0.1 and not r.consistent
    # by brute force: every judgement × every scale value, CR of the full recomputation
    scale = [1 / k for k in range(9, 1, -1)] + list(range(1, 10))
    best = {}
    for i in range(5):
        for j in range(i + 1, 5):
            for v in scale:
                trial = m.copy()
                trial.iloc[i, j], trial.iloc[j, i] = v, 1 / v
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    cr = W.ahp(trial).cr
                if (codes[i], codes[j]) not in best or cr < best[codes[i], codes[j]][1] - 1e-12:
                    best[codes[i], codes[j]] = (v, cr)
    top = r.revisions.iloc[0]
    expected = min(best.items(), key=lambda kv: kv[1][1])
    assert (top["row"], top["column"]) == expected[0]
    assert top["suggested"] == pytest.approx(expected[1][0])
    assert top["cr_after"] == pytest.approx(expected[1][1])
    assert r.revisions["cr_after"].is_monotonic_increasing
    # a consistent matrix needs no revision and gives no warning
    w = np.array([4, 2, 1]) / 7
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ok = W.ahp(pd.DataFrame(w[:, None] / w[None, :], index=list("xyz"), columns=list("xyz")))
    assert ok.consistent and ok.revisions.empty


def test_group_ahp_warns_drops_and_downweights_inconsistent_experts():
    codes = ["x", "y", "z"]

    def m(a_xy, a_xz, a_yz):
        a = np.array([[1, a_xy, a_xz], [1 / a_xy, 1, a_yz], [1 / a_xz, 1 / a_yz, 1]])
        return pd.DataFrame(a, index=codes, columns=codes)

    good, also = m(2, 4, 2), m(3, 6, 2)  # consistent (CR 0)
    bad = m(9, 1 / 9, 9)  # x ≫ y ≫ z ≫ x: CR far above 0.1
    quiet = {"E1": good, "E2": also}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        W.ahp_group(quiet)  # no warning: every matrix consistent
    with pytest.warns(W.ConsistencyWarning, match="G：.*inconsistent experts / 不一致的专家: E3"):
        aij = W.ahp_group({**quiet, "E3": bad}, name="G")
    assert aij.cr > 0.1 and aij.inconsistent_experts == ["E3"]
    with pytest.warns(W.ConsistencyWarning, match="E3"):
        aip = W.ahp_group({**quiet, "E3": bad}, how="priorities")
    assert aip.inconsistent_experts == ["E3"]
    # min_consistency drops E3 (with a warning naming it); the rest is the two experts' AHP
    with pytest.warns(W.ConsistencyWarning, match=r"experts left out for CR > 0\.1: E3"):
        kept = W.ahp_group({**quiet, "E3": bad}, min_consistency=0.1)
    assert kept.used == ["E1", "E2"] and kept.dropped == ["E3"]
    assert kept.weights.to_numpy() == pytest.approx(W.ahp_group(quiet).weights.to_numpy())
    with pytest.raises(ie.ValidationError, match="no expert has CR"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        W.ahp_group({"E3": bad}, min_consistency=0.1)
    # inverse_cr: weights ∝ 1/max(CR, 0.01), by hand; E3 then hardly counts, so the group
    # matrix is consistent and there is nothing to warn about
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        crs = {"E1": W.ahp(good).cr, "E3": W.ahp(bad).cr}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        inv = W.ahp_group({"E1": good, "E3": bad}, expert_weights="inverse_cr")
    raw = np.array([1 / max(crs["E1"], 0.01), 1 / crs["E3"]])
    assert inv.expert_weights.to_numpy() == pytest.approx(raw / raw.sum())
    logs = raw[0] / raw.sum() * np.log(good.to_numpy()) + raw[1] / raw.sum() * np.log(
        bad.to_numpy()
    )
    assert inv.matrix.to_numpy() == pytest.approx(np.exp(logs))
    table = W.ahp_consistency({"G": aij, "P": aip, "K": kept, "other": W.equal(good)})
    assert list(table.index) == ["G", "P", "K"]
    assert table.loc["G", "CR"] == pytest.approx(aij.cr) and not table.loc["G", "consistent"]
    assert np.isnan(table.loc["P", "CR"]) and table.loc["P", "inconsistent_experts"] == "E3"
    assert table.loc["K", "dropped"] == "E3" and table.loc["K", "experts"] == 2
    assert raised(lambda: W.ahp_group(quiet, expert_weights="by_cr")).problems


def test_hierarchy_synthesis_by_hand():
    fw = ie.Framework.from_dict(
        {
            "name": "h",
            "nodes": [
                {"code": "IDX", "level": 3},
                {"code": "D1", "level": 2, "parent": "IDX"},
                {"code": "D2", "level": 2, "parent": "IDX"},
                {"code": "a", "level": 1, "parent": "D1"},
                {"code": "b", "level": 1, "parent": "D1"},
                {"code": "c", "level": 1, "parent": "D2"},
            ],
        }
    )
    local = {"IDX": pd.Series({"D1": 0.75, "D2": 0.25}), "D1": pd.Series({"a": 0.6, "b": 0.4})}
    res = W.synthesise(fw, local)
    g = res.weights
    assert g[["a", "b", "c"]].to_numpy() == pytest.approx([0.45, 0.30, 0.25])
    # the readable table: top level first, local shares, global weights, where from
    table = res.tables["hierarchy"]
    assert list(table.index) == ["D1", "D2", "a", "b", "c"]
    assert table["local"].to_numpy() == pytest.approx([0.75, 0.25, 0.6, 0.4, 1.0])
    assert table["global"].to_numpy() == pytest.approx([0.75, 0.25, 0.45, 0.30, 0.25])
    assert list(table["from"]) == ["ahp", "ahp", "ahp", "ahp", "framework"]
    assert "hierarchy" in str(res.summary())


# ------------------------------------------------------------ objective weights
def test_entropy_published_example():
    # Elsayed, Dawood & Karthikeyan (2017) Int. J. Eng. Trends Technol. 46(2): 60–66,
    # entropy weights of the 12 × 5 decision matrix: .104991 .069124 .071373 .449937 .304575
    m = frame(
        [
            [7, 312, 1891, 6613, 163],
            [72, 88, 728, 941804, 1078],
            [10, 252, 2594, 3466, 117471],
            [10, 145, 980, 2371, 86329],
            [65, 54, 350, 501, 29897],
            [29, 48, 380, 912, 34051],
            [7, 476, 3300, 78470, 2212],
            [70, 87, 650, 733, 819000],
            [4, 86, 591, 3015, 103],
            [12, 79, 579, 3240, 96098],
            [21, 45, 261, 1253, 453],
            [1, 72, 530, 4333, 0.104800],
        ]
    )
    r = W.entropy(m)
    assert r.weights.round(6).tolist() == [0.104991, 0.069124, 0.071373, 0.449937, 0.304575]


def test_entropy_zero_and_negative_conventions():
    # by hand: column (1, 0) has p = (1, 0): E = 0 (0·ln 0 = 0), d = 1; column (1, 1): E = 1, d = 0
    r = W.entropy(frame([[1, 1], [0, 1]]))
    assert r.weights.tolist() == [1.0, 0.0]
    err = raised(lambda: W.entropy(frame([[1, -2], [0, 1]], index=["u1", "u2"])))
    assert [(p.row, p.column) for p in err.problems] == [("u1", "C2")]
    assert "non-negative" in err.problems[0].rule


def test_std_published_example():
    # Jahan & Edwards (2013) Materials & Design 49: 1000–1008, normalised matrix of the
    # biomedical example: standard-deviation weights .35 .31 .34
    m = frame(
        [
            [0, 0, 0],
            [0.39, 0.3, 0.77],
            [0.17, 0.36, 0.8],
            [0.35, 0.29, 0.93],
            [0.3, 0.4, 0.94],
            [0.84, 0.71, 1],
            [1, 1, 0.99],
        ]
    )
    assert W.std(m).weights.round(2).tolist() == [0.35, 0.31, 0.34]


def test_critic_published_example():
    # Tuş & Adalı (2019) Opsearch 56(2): 528–538, time-and-attendance software selection,
    # CRITIC weights .157 .249 .168 .121 .154 .151. (Diakoulaki et al. 1995's own tables
    # were not available to us.) The published weights scale every criterion from its
    # minimum to its maximum, i.e. treat all six as benefit criteria.
    m = frame(
        [
            [5000, 3, 3, 4, 3, 2],
            [680, 5, 3, 2, 2, 1],
            [2000, 3, 2, 3, 4, 3],
            [600, 4, 3, 1, 2, 2],
            [800, 2, 4, 3, 3, 4],
        ]
    )
    r = W.critic(m)
    assert r.weights.round(3).tolist() == [0.157, 0.249, 0.168, 0.121, 0.154, 0.151]
    # a cost direction reverses the scaling and so the correlations' signs
    assert (
        W.critic(m, directions={"C1": -1}).weights.round(3).tolist() != r.weights.round(3).tolist()
    )


def test_merec_published_example():
    # Keshavarz-Ghorabaee et al. (2021) Symmetry 13: 525, §4.1 illustrative example
    # (5 alternatives, C1–C2 benefit, C3–C4 cost): weights .5752 .0141 .4016 .0091
    m = frame(
        [
            [450, 8000, 54, 145],
            [10, 9100, 2, 160],
            [100, 8200, 31, 153],
            [220, 9300, 1, 162],
            [5, 8400, 23, 158],
        ]
    )
    r = W.merec(m, directions={"C3": -1, "C4": -1})
    assert r.weights.round(4).tolist() == [0.5752, 0.0141, 0.4016, 0.0091]
    err = raised(lambda: W.merec(frame([[1, 0], [2, 3]])))
    assert err.problems[0].column == "C2"


# ------------------------------------------------------------------- PCA / FA
def test_handbook_retention_rule_table_16():
    # Handbook (2008) §6.1, Table 16 (TAI eigenvalues 3.3 1.7 1.0 0.9 0.5 0.3 0.2 0.1):
    # the Handbook retains four factors (the fourth: eigenvalue 0.9, 11.1 % of the variance)
    assert retained_factors(np.array([3.3, 1.7, 1.0, 0.9, 0.5, 0.3, 0.2, 0.1])) == 4
    # by hand: eigenvalues 1.2 and 1.1 pass (> 1), 0.35 fails (8.75 %); the two explain
    # 57.5 % ≤ 60 %, so a third is added
    assert retained_factors(np.array([1.2, 1.1, 0.35, 0.35, 0.3, 0.3, 0.2, 0.2])) == 3


def _exact_corr(r: np.ndarray, n: int = 40, seed: int = 3) -> pd.DataFrame:
    """Data whose sample correlation matrix is exactly ``r``."""
    z = np.random.default_rng(seed).normal(size=(n, len(r)))
    z -= z.mean(axis=0)
    q, _ = np.linalg.qr(z)
    x = q @ np.linalg.cholesky(r).T
    return frame(x * 10 + 50, [f"x{j + 1}" for j in range(len(r))])


def test_pca_weights_by_hand():
    # corr(x1, x2) = 0.6, x3 uncorrelated: eigenvalues 1.6, 1.0, 0.4. With two factors the
    # loadings are (√0.8, √0.8, 0) and (0, 0, 1) (already simple, varimax keeps them);
    # scaled squared loadings 0.5, 0.5 | 1; factor shares 1.6/2.6, 1/2.6;
    # weights 0.5·1.6/2.6 = 4/13, 4/13 and 1/2.6 = 5/13.
    r = np.array([[1, 0.6, 0], [0.6, 1, 0], [0, 0, 1]])
    res = W.pca(_exact_corr(r), n_factors=2)
    assert res.weights.to_numpy() == pytest.approx([4 / 13, 4 / 13, 5 / 13])
    assert res.variance["eigenvalue"].to_numpy() == pytest.approx([1.6, 1.0, 0.4])
    assert res.dominant_factor.tolist() == ["F1", "F1", "F2"]
    assert "loadings" in str(res.summary())


def test_factor_ml_one_factor_by_hand():
    # one-factor model with loadings (.9, .8, .7, .6): r_jk = λ_j λ_k exactly, so ML recovers
    # λ; with one factor the weights are λ²/Σλ² = (.81, .64, .49, .36)/2.3
    lam = np.array([0.9, 0.8, 0.7, 0.6])
    r = np.outer(lam, lam)
    np.fill_diagonal(r, 1.0)
    res = W.factor(_exact_corr(r, n=60), n_factors=1)
    assert res.weights.to_numpy() == pytest.approx(lam**2 / (lam**2).sum(), abs=1e-4)


def test_factor_needs_an_identified_model():
    # Ledermann (1937): k factors of p indicators leave ((p − k)² − (p + k))/2 degrees of
    # freedom; R's factanal refuses k with fewer than 0. p = 2: none; p = 4: 1; p = 6: 3.
    from integrity_eval.weights.factor import max_ml_factors

    assert [max_ml_factors(p) for p in (2, 3, 4, 5, 6, 9)] == [0, 1, 1, 2, 3, 5]
    two = frame(np.random.default_rng(0).normal(size=(20, 2)))
    err = raised(lambda: W.factor(two))
    assert "at least 3 indicators" in err.problems[0].rule and "n_factors" not in str(err)
    assert W.pca(two).weights.tolist() == pytest.approx([0.5, 0.5])
    # four indicators whose Handbook rule keeps more factors: one is used, with a note
    lam = np.array([0.9, 0.8, 0.7, 0.6])
    r = np.outer(lam, lam)
    np.fill_diagonal(r, 1.0)
    r[0, 1] = r[1, 0] = 0.3  # a second dimension the rule would retain
    X = _exact_corr(r, n=60)
    from integrity_eval.weights.factor import retained_factors

    assert retained_factors(np.linalg.eigvalsh(np.corrcoef(X.T.to_numpy()))[::-1]) > 1
    res = W.factor(X)
    assert res.n_factors == 1 and "identifies at most 1" in res.warnings[0]
    err = raised(lambda: W.factor(X, n_factors=2))
    assert err.problems[0].column == "n_factors" and "at most 1 factor" in err.problems[0].rule


# ------------------------------------------------------------------------ BoD
BOD_X = frame([[1, 0], [0, 1], [0.5, 0.5], [0.4, 0.8]], ["y1", "y2"], list("ABCD"))


def test_bod_by_hand():
    # C: max .5w1 + .5w2 s.t. w1 ≤ 1 (A), w2 ≤ 1 (B), .4w1 + .8w2 ≤ 1 (D) → w = (1, .75),
    # score .875; A, B, D are on the frontier (score 1).
    r = W.bod(BOD_X)
    assert r.scores.to_numpy() == pytest.approx([1, 1, 0.875, 1])
    assert r.unit_weights.loc["C"].to_numpy() == pytest.approx([1, 0.75])
    # shares in [.45, .55]: w1 ≤ (11/9) w2 binds with D's constraint: w2 = 9/11.6,
    # w1 = 11/11.6, score = 10/11.6
    rb = W.bod(BOD_X, share_bounds=(0.45, 0.55))
    assert rb.scores["C"] == pytest.approx(10 / 11.6)
    shares = rb.unit_shares.loc["C"]
    assert shares.min() >= 0.45 - 1e-9 and shares.max() <= 0.55 + 1e-9
    assert ((rb.scores >= 0) & (rb.scores <= 1)).all()


def test_bod_bad_input():
    err = raised(lambda: W.bod(BOD_X, share_bounds=(0.6, 1.0)))
    assert "infeasible" in err.problems[0].rule and "1.2" in err.problems[0].rule
    err = raised(lambda: W.bod(BOD_X.assign(y1=[1, -1, 0, 0])))
    assert [(p.row, p.column) for p in err.problems] == [("B", "y1")]


# ---------------------------------------------------------------- regression
def _orthogonal_noise(x: np.ndarray, seed: int = 5) -> np.ndarray:
    design = np.column_stack([np.ones(len(x)), x])
    e = np.random.default_rng(seed).normal(size=len(x))
    return 0.1 * (e - design @ np.linalg.lstsq(design, e, rcond=None)[0])


def test_regression_by_hand():
    # y = 1 + 2 x1 + 1 x2 + e with e orthogonal to the design: OLS gives exactly (1, 2, 1),
    # so the weights are 2/3 and 1/3.
    rng = np.random.default_rng(1)
    X = frame(rng.normal(size=(30, 2)), ["x1", "x2"], [f"u{i}" for i in range(30)])
    x = X.to_numpy()
    y = pd.Series(1 + 2 * x[:, 0] + x[:, 1] + _orthogonal_noise(x), index=X.index)
    r = W.regression(X, y)
    assert r.weights.to_numpy() == pytest.approx([2 / 3, 1 / 3])
    assert r.coefficients.loc["x1", "coef"] == pytest.approx(2)
    # a negative coefficient: weight 0 and a warning naming the indicator
    y2 = pd.Series(1 + 2 * x[:, 0] - 0.5 * x[:, 1] + _orthogonal_noise(x), index=X.index)
    r2 = W.regression(X, y2)
    assert r2.weights.tolist() == [1.0, 0.0]
    assert any(w.startswith("x2") and "negative" in w for w in r2.warnings)
    err = raised(lambda: W.regression(X, y.drop(["u3", "u7"])))
    assert [p.row for p in err.problems] == ["u3", "u7"]


def test_results_render():
    r = W.entropy(frame([[1, 2], [2, 1], [3, 3]]))
    html = r._repr_html_()
    assert "entropy" in html and "<table" in html
    assert "Hwang" in str(r.summary())


def test_bod_certification_agrees_with_the_programme():
    # the vectorised certificates must give the LP optimum: compare with HiGHS unit by unit
    from scipy.optimize import linprog

    y = np.random.default_rng(7).lognormal(size=(60, 4))
    got = W.bod(frame(y)).scores.to_numpy()
    lp = [-linprog(-yi, A_ub=y, b_ub=np.ones(60), method="highs").fun for yi in y]
    assert got == pytest.approx(np.minimum(lp, 1.0), abs=1e-9)
    assert 0 < (got < 1 - 1e-9).sum() < 60  # both paths used
