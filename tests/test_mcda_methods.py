"""The MCDA aggregations of ``ie.aggregate`` against their papers' worked examples, hand
computations, and pymcdm 1.4 (computed live: pymcdm is a dev dependency).

Paper examples: the data and the published results as printed in each paper; where the
paper was not reachable here, the values are those quoted in pymcdm's or
scikit-criteria's test suites from the same paper, and the test says so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import integrity_eval as ie

AGG = ie.aggregate
pm = pytest.importorskip("pymcdm")
from pymcdm import methods as pmm  # noqa: E402


def frame(rows, cols=None) -> pd.DataFrame:
    a = np.asarray(rows, dtype=float)
    cols = cols or [f"C{j + 1}" for j in range(a.shape[1])]
    return pd.DataFrame(a, columns=cols, index=[f"A{i + 1}" for i in range(len(a))])


def directions(X: pd.DataFrame, types) -> dict:
    return dict(zip(X.columns, types, strict=True))


def problem(seed: int, n: int = 9, m: int = 5):
    """A seeded decision problem: positive values, weights, mixed directions."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(1, 10, (n, m))
    w = rng.uniform(0.1, 1, m)
    w /= w.sum()
    t = rng.choice([1, -1], m)
    t[0], t[1] = 1, -1
    X = frame(x)
    return X, dict(zip(X.columns, w, strict=True)), directions(X, t), x, w, t


# ----------------------------------------------------------------------- pymcdm 1.4 live
PYMCDM_DEFAULTS = {
    "vikor": lambda: pmm.VIKOR(),
    "edas": lambda: pmm.EDAS(),
    "waspas": lambda: pmm.WASPAS(),
    "mabac": lambda: pmm.MABAC(),
    "cocoso": lambda: pmm.COCOSO(),
    "promethee_ii": lambda: pmm.PROMETHEE_II("usual"),
}


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("method", sorted(PYMCDM_DEFAULTS))
def test_agrees_with_pymcdm_defaults(method, seed):
    X, W, D, x, w, t = problem(seed, n=6 + seed, m=3 + seed)
    ours = AGG.MCDA_METHODS[method].function(X, W, D)
    theirs = PYMCDM_DEFAULTS[method]()(x, w, t)
    np.testing.assert_allclose(ours.to_numpy(), theirs, rtol=0, atol=1e-9)
    assert list(ours.index) == list(X.index)


def test_topsis_agrees_with_pymcdm_for_both_normalisations():
    X, W, D, x, w, t = problem(4)
    minmax = AGG.topsis(X, W, D, normalisation="minmax")
    np.testing.assert_allclose(minmax, pmm.TOPSIS()(x, w, t), atol=1e-9)
    # pymcdm's vector normalisation of a cost column is 1 − x/‖x‖: same distances
    vector = pmm.TOPSIS(pm.normalizations.vector_normalization)(x, w, t)
    np.testing.assert_allclose(AGG.topsis(X, W, D), vector, atol=1e-9)


@pytest.mark.parametrize(
    ("ours", "theirs", "thresholds"),
    [
        ("usual", "usual", {}),
        ("ushape", "ushape", {"q": 1.0}),
        ("vshape", "vshape", {"p": 2.5}),
        ("level", "level", {"q": 0.5, "p": 2.0}),
        ("linear", "vshape_2", {"q": 0.5, "p": 3.0}),
    ],
)
def test_promethee_preference_functions_agree_with_pymcdm(ours, theirs, thresholds):
    X, W, D, x, w, t = problem(5)
    got = AGG.promethee_ii(X, W, D, preference=ours, **thresholds)
    per = {k: [v] * x.shape[1] for k, v in thresholds.items()}
    np.testing.assert_allclose(got, pmm.PROMETHEE_II(theirs, **per)(x, w, t), atol=1e-9)
    flows = AGG.promethee_flows(X, W, D, preference=ours, **thresholds)
    plus, minus = pm.methods.partial.PROMETHEE_I(theirs, **per)(x, w, t)
    np.testing.assert_allclose(flows["phi_plus"], plus, atol=1e-9)
    np.testing.assert_allclose(flows["phi_minus"], minus, atol=1e-9)


def test_promethee_thresholds_per_indicator():
    X, W, D, x, w, t = problem(6, m=3)
    p = {"C1": 1.0, "C2": 2.0, "C3": 3.0}
    got = AGG.promethee_ii(X, W, D, preference="vshape", p=p)
    np.testing.assert_allclose(got, pmm.PROMETHEE_II("vshape", p=[1, 2, 3])(x, w, t), atol=1e-9)
    with pytest.raises(ie.ValidationError) as info:
        AGG.promethee_ii(X, W, D, preference={"C9": "level"})
    assert [(p.column, "not in X" in p.rule) for p in info.value.problems] == [("C9", True)]
    with pytest.raises(ie.ValidationError) as info:
        AGG.promethee_ii(X, W, D, preference="level", q={"C1": 2}, p=1)
    rules = {(p.column, p.rule.split(" / ")[1]) for p in info.value.problems}
    assert ("C1", "preference function level needs q < p") in rules
    assert ("C2", "preference function level needs threshold q (≥ 0)") in rules
    assert all(" / " in p.message for p in info.value.problems)


def test_copras_follows_the_paper_where_pymcdm_drops_two_sums():
    """pymcdm 1.4 writes the second term of Q as ``S⁻_min S⁻_i / (S⁻_i · S⁻_min/S⁻_i)``,
    which is ``S⁻_i``: its Q is ``S⁺ + S⁻``. Its S⁺ and S⁻ agree with ours; its final value
    is (S⁺ + S⁻)/max — the test states that difference so a fixed pymcdm shows up here."""
    X, W, D, x, w, t = problem(7)
    res = pmm.COPRAS()(x, w, t, verbose=True)
    tables = {r.desc.label: r.data for r in res.results}
    d = np.asarray(w) * x / x.sum(axis=0)
    np.testing.assert_allclose(tables["smax"], d[:, t == 1].sum(axis=1), atol=1e-12)
    np.testing.assert_allclose(tables["smin"], d[:, t == -1].sum(axis=1), atol=1e-12)
    q_pymcdm = tables["smax"] + tables["smin"]
    np.testing.assert_allclose(pmm.COPRAS()(x, w, t), q_pymcdm / q_pymcdm.max(), atol=1e-12)
    s_minus = tables["smin"]
    q_paper = tables["smax"] + s_minus.sum() / (s_minus * (1 / s_minus).sum())
    np.testing.assert_allclose(AGG.copras(X, W, D), q_paper / q_paper.max(), atol=1e-12)
    assert not np.allclose(AGG.copras(X, W, D), pmm.COPRAS()(x, w, t))


# ------------------------------------------------------------------ published examples
def test_vikor_opricovic_tzeng_2004_example():
    """Opricovic & Tzeng (2004) EJOR 156: 445–455, §4 numerical example: f1 (risk) a cost,
    f2 (altitude) a benefit, equal weights → S = .5, .375, .5; R = .5, .25, .5; Q = 1, 0, 1;
    A2 is the compromise solution (both conditions hold)."""
    X = pd.DataFrame({"f1": [1.0, 2, 5], "f2": [3000.0, 3750, 4500]}, index=["A1", "A2", "A3"])
    res = AGG.vikor_result(X, {"f1": 0.5, "f2": 0.5}, {"f1": -1})
    assert res.table["S"].tolist() == pytest.approx([0.5, 0.375, 0.5])
    assert res.table["R"].tolist() == pytest.approx([0.5, 0.25, 0.5])
    assert AGG.vikor(X, {"f1": 0.5, "f2": 0.5}, {"f1": -1}).tolist() == pytest.approx([1, 0, 1])
    assert res.acceptable_advantage and res.acceptable_stability
    assert res.compromise == ["A2"]
    assert "A2" in str(res.summary()) and "A2" in res._repr_html_()


OT2007 = [
    [4184.3, 2914.0, 407.2, 251.0, 195, 244, 15, 2.41],
    [5211.9, 3630.0, 501.7, 308.3, 282, 346, 21, 1.41],
    [5021.3, 3920.5, 504.0, 278.6, 12, 56, 3, 4.42],
    [5566.1, 3957.9, 559.5, 335.3, 167, 268, 16, 3.36],
    [5060.5, 3293.5, 514.1, 284.2, 69, 90, 7, 4.04],
    [4317.9, 2925.9, 432.8, 239.3, 12, 55, 3, 4.36],
]


@pytest.mark.parametrize(
    ("weights", "s", "r", "q", "advantage", "compromise"),
    [
        (
            [1] * 8,
            [0.692, 0.7, 0.29, 0.423, 0.28, 0.346],
            [0.125, 0.125, 0.121, 0.125, 0.067, 0.125],
            [0.991, 1.0, 0.473, 0.670, 0.0, 0.578],
            True,
            ["A5"],
        ),
        (
            [1, 1, 1, 1, 2, 2, 2, 2],
            [0.683, 0.8, 0.193, 0.48, 0.243, 0.232],
            [0.113, 0.167, 0.08, 0.122, 0.044, 0.083],
            [0.684, 1.0, 0.147, 0.554, 0.041, 0.191],
            False,
            ["A5", "A3", "A6"],
        ),
    ],
)
def test_vikor_opricovic_tzeng_2007_example(weights, s, r, q, advantage, compromise):
    """Opricovic & Tzeng (2007) EJOR 178: 514–529, §5 (river-basin alternatives; the
    printed S, R, Q to three decimals and the compromise set, as quoted in
    scikit-criteria's tests of the same paper)."""
    X = frame(OT2007)
    d = directions(X, [1, -1, 1, 1, -1, -1, -1, 1])
    res = AGG.vikor_result(X, dict(zip(X.columns, weights, strict=True)), d)
    assert res.table["S"].to_numpy() == pytest.approx(s, abs=1.5e-3)
    assert res.table["R"].to_numpy() == pytest.approx(r, abs=1.5e-3)
    assert res.table["Q"].to_numpy() == pytest.approx(q, abs=1.5e-3)
    assert res.acceptable_advantage is advantage
    assert res.compromise == compromise


def test_promethee_by_hand_and_gaussian():
    """Usual criterion, by hand (the example of pymcdm's docstring, Zhao et al. 2013):
    π(A1, A2) = .5 + .3 = .8, π(A1, A3) = .3, π(A2, A1) = .2, π(A2, A3) = .5, π(A3, A1) = .7,
    π(A3, A2) = .5 → φ⁺ = (.55, .35, .6), φ⁻ = (.45, .65, .4), φ = (.1, −.3, .2)."""
    X = frame([[4, 3, 2], [3, 2, 4], [5, 1, 3]])
    w = {"C1": 0.5, "C2": 0.3, "C3": 0.2}
    flows = AGG.promethee_flows(X, w)
    assert flows["phi_plus"].tolist() == pytest.approx([0.55, 0.35, 0.6])
    assert flows["phi_minus"].tolist() == pytest.approx([0.45, 0.65, 0.4])
    assert AGG.promethee_ii(X, w).tolist() == pytest.approx([0.1, -0.3, 0.2])
    # Gaussian (Brans, Vincke & Mareschal 1986, type VI): P(d) = 1 − exp(−d²/2s²); two units,
    # one cost criterion, d = 2 in favour of B, s = 1: φ(B) = 1 − e^−2 = −φ(A)
    G = pd.DataFrame({"c": [3.0, 1.0]}, index=["A", "B"])
    phi = AGG.promethee_ii(G, None, {"c": -1}, preference="gaussian", s=1.0)
    assert phi["B"] == pytest.approx(1 - np.exp(-2)) and phi["A"] == pytest.approx(-phi["B"])
    # level (type IV): d = 2 between q = 1 and p = 3 → ½
    lv = AGG.promethee_ii(G, None, {"c": -1}, preference="level", q=1, p=3)
    assert lv["B"] == pytest.approx(0.5)


def test_copras_uysal_inan_2022_example():
    """Uysal & İnan (2022) *Int. J. Social Science and Economic Research*, research
    assistants (seven criteria, the fifth a cost, equal weights): utility degrees 100,
    78.8501, 63.3837, 98.6506, 86.8878 % (as quoted in scikit-criteria's tests)."""
    X = frame(
        [
            [3.57, 4.00, 4.00, 83.75, 3, 9, 1],
            [3.07, 3.95, 4.00, 83.00, 3, 1, 3],
            [3.23, 3.54, 3.46, 66.00, 4, 0, 2],
            [3.42, 3.96, 4.00, 70.00, 5, 5, 7],
            [2.56, 3.37, 3.79, 82.00, 4, 4, 5],
        ]
    )
    got = 100 * AGG.copras(X, None, {"C5": -1})
    assert got.to_numpy() == pytest.approx([100, 78.8501, 63.3837, 98.6506, 86.8878], abs=1e-4)


def test_edas_yazdani_2020_example():
    """Yazdani, Torkayesh, Santibanez-Gonzalez & Otaghsara (2020) *Sustainable Operations
    and Computers* 1: 35–42 (renewable energy; appraisal scores to three decimals, as
    quoted in pymcdm's tests)."""
    X = frame(
        [
            [3873, 39.55, 0.27, 0.87, 150, 0.07, 12, 2130],
            [5067, 67.26, 0.23, 0.23, 40, 0.02, 21, 2200],
            [2213, 24.69, 0.08, 0.17, 200, 0.04, 35, 570],
            [6243, 132, 0.07, 0.25, 100, 0.04, 16, 100],
            [8312, 460.47, 0.05, 0.21, 25, 0.1, 25, 200],
        ]
    )
    w = [0.131, 0.113, 0.126, 0.125, 0.126, 0.129, 0.132, 0.117]
    d = directions(X, [-1, -1, -1, 1, 1, -1, 1, 1])
    got = AGG.edas(X, dict(zip(X.columns, w, strict=True)), d)
    assert got.round(3).tolist() == [0.841, 0.632, 0.883, 0.457, 0.104]


def test_waspas_chakraborty_2015_example():
    """Chakraborty, Zavadskas & Antucheviciene (2015) *Economic Computation and Economic
    Cybernetics Studies and Research* 49(1): 5–22, λ = 0.5 (values as quoted in pymcdm's
    tests). The printed weights sum to 1.0155 and the paper uses them as printed; the kit
    rescales weights to sum to 1, so it reproduces the paper's ranking, and its values
    equal the paper's formula with the rescaled weights."""
    X = frame(
        [
            [30, 23, 5, 0.745, 0.745, 1500, 5000],
            [18, 13, 15, 0.745, 0.745, 1300, 6000],
            [15, 12, 10, 0.500, 0.500, 950, 7000],
            [25, 20, 13, 0.745, 0.745, 1200, 4000],
            [14, 18, 14, 0.255, 0.745, 950, 3500],
            [17, 15, 9, 0.745, 0.500, 1250, 5250],
            [23, 18, 20, 0.500, 0.745, 1100, 3000],
            [16, 8, 14, 0.255, 0.500, 1500, 3000],
        ]
    )
    w = np.array([0.1181, 0.1181, 0.0445, 0.1181, 0.2861, 0.2861, 0.0445])
    types = np.array([1, 1, 1, 1, 1, -1, -1])
    W, d = dict(zip(X.columns, w, strict=True)), directions(X, types)
    got = AGG.waspas(X, W, d)
    printed = pd.Series([0.8329, 0.7884, 0.6987, 0.8831, 0.7971, 0.7036, 0.8728, 0.5749], X.index)
    assert got.rank(ascending=False).tolist() == printed.rank(ascending=False).tolist()
    # by hand: x̄ = x/max (min/x for a cost), Q = ½ Σ w x̄ + ½ Π x̄^w with w rescaled
    r = np.where(types > 0, X / X.max(), X.min() / X)
    ws = w / w.sum()
    want = 0.5 * (r * ws).sum(axis=1) + 0.5 * np.prod(r**ws, axis=1)
    assert got.to_numpy() == pytest.approx(want, rel=1e-12)
    assert AGG.waspas(X, W, d, lam=1).to_numpy() == pytest.approx((r * ws).sum(axis=1))


def test_mabac_pamucar_cirovic_2015_example():
    """Pamučar & Ćirović (2015) ESWA 42(6): 3016–3028, §4 (forklift selection; the
    printed S to four decimals)."""
    X = frame(
        [
            [22600, 3800, 2, 5, 1.06, 3.00, 3.5, 2.8, 24.5, 6.5],
            [19500, 4200, 3, 2, 0.95, 3.00, 3.4, 2.2, 24, 7.0],
            [21700, 4000, 1, 3, 1.25, 3.20, 3.3, 2.5, 24.5, 7.3],
            [20600, 3800, 2, 5, 1.05, 3.25, 3.2, 2.0, 22.5, 11.0],
            [22500, 3800, 4, 3, 1.35, 3.20, 3.7, 2.1, 23, 6.3],
            [23250, 4210, 3, 5, 1.45, 3.60, 3.5, 2.8, 23.5, 7.0],
            [20300, 3850, 2, 5, 0.90, 3.25, 3.0, 2.6, 21.5, 6.0],
        ]
    )
    w = [0.146, 0.144, 0.119, 0.121, 0.115, 0.101, 0.088, 0.068, 0.050, 0.048]
    d = directions(X, [-1, 1, 1, 1, -1, -1, 1, 1, 1, 1])
    got = AGG.mabac(X, dict(zip(X.columns, w, strict=True)), d)
    assert got.round(4).tolist() == [0.0826, 0.2183, -0.0488, 0.0246, -0.0704, 0.0465, 0.0464]


def test_cocoso_yazdani_2019_example():
    """Yazdani, Zarate, Zavadskas & Turskis (2019) *Management Decision* 57(9):
    2501–2519, §4 (the printed k to three decimals)."""
    X = frame(
        [
            [60, 0.4, 2540, 500, 990],
            [6.35, 0.15, 1016, 3000, 1041],
            [6.8, 0.1, 1727.2, 1500, 1676],
            [10, 0.2, 1000, 2000, 965],
            [2.5, 0.1, 560, 500, 915],
            [4.5, 0.08, 1016, 350, 508],
            [3, 0.1, 1778, 1000, 920],
        ]
    )
    w = [0.036, 0.192, 0.326, 0.326, 0.12]
    got = AGG.cocoso(X, dict(zip(X.columns, w, strict=True)), {"C2": -1})
    assert got.round(3).tolist() == [2.041, 2.788, 2.882, 2.416, 1.299, 1.443, 2.519]


# ------------------------------------------------------------------------- registry
def test_registry_ranks_one_is_best_whatever_the_convention():
    X, W, D, *_ = problem(8)
    cmp = AGG.compare_mcda(X, W, D)
    assert set(cmp.scores.columns) == set(AGG.MCDA_METHODS)
    assert not cmp.failed
    q = cmp.scores["vikor"]
    assert cmp.ranks.loc[q.idxmin(), "vikor"] == 1  # lowest Q is best
    for m in AGG.MCDA_METHODS:
        if m != "vikor":
            assert cmp.ranks.loc[cmp.scores[m].idxmax(), m] == 1
    tau = cmp.kendall()
    assert np.allclose(np.diag(tau), 1) and np.allclose(tau, tau.T)
    from scipy.stats import kendalltau

    assert tau.loc["vikor", "topsis"] == pytest.approx(
        kendalltau(cmp.ranks["vikor"], cmp.ranks["topsis"]).statistic
    )
    assert "units" in repr(cmp) and "<table" in cmp._repr_html_()


def test_compare_lists_a_method_that_refuses_and_rejects_unknown_names():
    X = frame([[1.0, 0.0], [2.0, 0.0], [3.0, 0.0]])
    cmp = AGG.compare_mcda(X, None, {"C2": -1}, methods=["topsis", "copras", "vikor"])
    assert set(cmp.failed) == {"topsis", "copras"} and list(cmp.scores.columns) == ["vikor"]
    with pytest.raises(ie.ValidationError, match="unknown MCDA method"):
        AGG.compare_mcda(X, methods=["electre"])
    with pytest.raises(ie.ValidationError, match="unknown MCDA method"):
        AGG.mcda_ranks(pd.Series([1.0]), "electre")
