"""Every build method against COINr 1.1.14's definitions, on numbers worked out by hand.

The standard ASEM pipeline is checked against COINr's own outputs in
test_coinr_agreement.py; the other methods have no stored COINr output, so each
expectation here is computed independently of the code under test: by hand on a
few numbers (the arithmetic is in the comments), or with a different formula
(scipy's ranks, moments and means). COINr sources read for the semantics:
R/normalise.R (``n_*``, ``Normalise.numeric``, ``get_iMeta_norm_paras``),
R/aggregate.R (``a_*``, ``outrankMatrix``, ``a_copeland``), R/impute.R
(``i_*``, ``impute_panel``), R/treat.R (``Treat.numeric``, ``winsorise``,
``log_CT``, ``check_SkewKurt``), R/screen_units.R (``Screen``,
``get_data_avail``).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import integrity_eval as ie
from integrity_eval import aggregate as agg
from integrity_eval import impute as imp
from integrity_eval import normalise as nrm
from integrity_eval import treat as trt
from integrity_eval.ranking import min_rank
from integrity_eval.screen import screen

NAN = np.nan


def col(*values: float) -> np.ndarray:
    """A one-indicator ``(units, 1)`` matrix."""
    return np.array(values, dtype=float)[:, None]


def framework(nodes: list[dict], **extra) -> ie.Framework:
    return ie.Framework.from_dict({"name": "t", "nodes": nodes, **extra})


# Two indicators under one index; b has Direction −1. Targets and goalposts for
# the framework-driven methods (dist2targ, goalposts).
DIR_NODES = [
    {"code": "IDX", "level": 2},
    {"code": "a", "level": 1, "parent": "IDX", "target": 8, "goalposts": [0, 10]},
    {
        "code": "b",
        "level": 1,
        "parent": "IDX",
        "direction": -1,
        "target": 2,
        "goalposts": [7, 4],  # [worst, best]: less is better, so 7 is the worst
    },
]
DIR_DATA = pd.DataFrame(
    {"uCode": ["u1", "u2", "u3", "u4"], "a": [2.0, 4, 5, 9], "b": [3.0, 5, 8, 4]}
)


def normalised(spec: dict) -> pd.DataFrame:
    ev = ie.build(framework(DIR_NODES), DIR_DATA, {"normalise": spec})
    return ev.get_dset("Normalised")


# ===================================================================== normalise
# x = 2, 4, 5, 9 and a missing value: min 2, max 9, range 7.
X = col(2, 4, 5, 9, NAN)


def test_minmax_l_u():
    # (x − 2)/7·(u − l) + l
    np.testing.assert_allclose(nrm.minmax(X)[:, 0], [0, 200 / 7, 300 / 7, 100, NAN])
    np.testing.assert_allclose(
        nrm.minmax(X, l_u=(1, 10))[:, 0], [1, 1 + 18 / 7, 1 + 27 / 7, 10, NAN]
    )


def test_zscore_uses_sample_sd():
    # mean 5, deviations −3 −1 0 4, sum of squares 26, sample variance 26/3 (n − 1 = 3)
    s = math.sqrt(26 / 3)
    np.testing.assert_allclose(nrm.zscore(X)[:, 0], [-3 / s, -1 / s, 0, 4 / s, NAN])
    np.testing.assert_allclose(
        nrm.zscore(X, m_sd=(10, 2))[:, 0], [10 - 6 / s, 10 - 2 / s, 10, 10 + 8 / s, NAN]
    )


R = col(3, 1, 3, NAN, 2)  # a tie at 3 and a missing value


def test_rank_ties_min_nan_kept():
    # R rank(x, ties.method = "min", na.last = "keep"): 1 → 1, 2 → 2, 3 and 3 → 3
    np.testing.assert_array_equal(nrm.rank(R)[:, 0], [3, 1, 3, NAN, 2])
    ok = ~np.isnan(R[:, 0])
    np.testing.assert_array_equal(
        nrm.rank(R)[ok, 0], stats.rankdata(R[ok, 0], method="min").astype(float)
    )


def test_prank():
    # (rank − 1)/(n − 1) with n = 4 non-missing values
    np.testing.assert_allclose(nrm.prank(R)[:, 0], [2 / 3, 0, 2 / 3, NAN, 1 / 3])


def test_borda_ties_min_nan_kept():
    # rank − 1
    np.testing.assert_array_equal(nrm.borda(R)[:, 0], [2, 0, 2, NAN, 1])


def test_fracmax_and_dist2max():
    np.testing.assert_allclose(nrm.fracmax(X)[:, 0], [2 / 9, 4 / 9, 5 / 9, 1, NAN])
    # 1 − (9 − x)/7
    np.testing.assert_allclose(nrm.dist2max(X)[:, 0], [0, 2 / 7, 3 / 7, 1, NAN])


def test_dist2ref_and_cap_max():
    # reference = row 2 (x = 5): 1 − (5 − x)/(5 − 2)
    np.testing.assert_allclose(nrm.dist2ref(X, iref=2)[:, 0], [0, 2 / 3, 1, 7 / 3, NAN])
    np.testing.assert_allclose(nrm.dist2ref(X, iref=2, cap_max=True)[:, 0], [0, 2 / 3, 1, 1, NAN])


def test_dist2targ_and_cap_max():
    # (x − min)/(target − min) = (x − 2)/(8 − 2)
    t = np.array([8.0])
    np.testing.assert_allclose(nrm.dist2targ(X, t)[:, 0], [0, 1 / 3, 1 / 2, 7 / 6, NAN])
    np.testing.assert_allclose(nrm.dist2targ(X, t, cap_max=True)[:, 0], [0, 1 / 3, 1 / 2, 1, NAN])


def test_goalposts_scale_and_truncation():
    wide = np.array([[0.0], [10.0]])
    np.testing.assert_allclose(nrm.goalposts(X, wide)[:, 0], [20, 40, 50, 90, NAN])
    # posts 3 and 6: (x − 3)/3 = −1/3, 1/3, 2/3, 2 → truncated to [0, 1]
    narrow = np.array([[3.0], [6.0]])
    np.testing.assert_allclose(nrm.goalposts(X, narrow, scale=1)[:, 0], [0, 1 / 3, 2 / 3, 1, NAN])
    np.testing.assert_allclose(
        nrm.goalposts(X, narrow, scale=1, trunc2posts=False)[:, 0], [-1 / 3, 1 / 3, 2 / 3, 2, NAN]
    )


def test_efficacy():
    # 60 + 40·(x − worst)/(best − worst) = 60 + 40·(x − 2)/7
    np.testing.assert_allclose(nrm.efficacy(X)[:, 0], [60, 60 + 80 / 7, 60 + 120 / 7, 100, NAN])


# --- direction −1 and framework parameters, through build ---------------------
# b = 3, 5, 8, 4 with Direction −1: COINr normalises −b = −3, −5, −8, −4.


def test_direction_minus_one_minmax():
    # (−b − (−8))/(−3 − (−8))·100 = (8 − b)·20
    got = normalised({"method": "minmax"})
    np.testing.assert_allclose(got["b"], [100, 60, 0, 80])
    np.testing.assert_allclose(got["a"], [0, 200 / 7, 300 / 7, 100])


def test_direction_minus_one_zscore_and_rank():
    # mean of b 5, deviations −2 0 3 −1, sum of squares 14; z(−b) = −z(b)
    s = math.sqrt(14 / 3)
    np.testing.assert_allclose(normalised({"method": "zscore"})["b"], [2 / s, 0, -3 / s, 1 / s])
    # ranks of −b = −3, −5, −8, −4 (lowest first)
    np.testing.assert_array_equal(normalised({"method": "rank"})["b"], [4, 2, 1, 3])


def test_dist2targ_uses_target_times_direction():
    # COINr get_iMeta_norm_paras passes targ·Direction = −2 for b, n_dist2targ then gives
    # (−b − min(−b))/(−2 − min(−b)) = (−b + 8)/6; the same as the newest COINr's
    # direction = −1 branch (max(b) − b)/(max(b) − targ) = (8 − b)/(8 − 2).
    # a (direction 1): (a − 2)/(8 − 2).
    got = normalised({"method": "dist2targ"})
    np.testing.assert_allclose(got["b"], [5 / 6, 3 / 6, 0, 4 / 6])
    np.testing.assert_allclose(got["a"], [0, 1 / 3, 1 / 2, 7 / 6])
    capped = normalised({"method": "dist2targ", "cap_max": True})
    np.testing.assert_allclose(capped["a"], [0, 1 / 3, 1 / 2, 1])


def test_goalposts_direction_flip_and_truncation():
    # a: posts 0, 10 → (a − 0)/10 · 100.
    # b (direction −1, goalposts [worst 7, best 4]): COINr passes (−7, −4) and −b, so (−b + 7)/3:
    #   b = 3 → 4/3 → 1;  5 → 2/3;  8 → −1/3 → 0;  4 → 1.
    got = normalised({"method": "goalposts"})
    np.testing.assert_allclose(got["a"], [20, 40, 50, 90])
    np.testing.assert_allclose(got["b"], [100, 200 / 3, 0, 100])
    raw = normalised({"method": "goalposts", "trunc2posts": False, "scale": 1})
    np.testing.assert_allclose(raw["b"], [4 / 3, 2 / 3, -1 / 3, 1])


def test_efficacy_direction_minus_one():
    # worst b = 8 scores 60, best b = 3 scores 100: 60 + 40·(8 − b)/5
    np.testing.assert_allclose(normalised({"method": "efficacy"})["b"], [100, 84, 60, 92])


def test_dist2ref_by_ucode_with_direction():
    # reference u2 (b = 5): 1 − (−5 − (−b))/(−5 − (−8)) = 1 − (b − 5)/3
    # a (direction 1, u2 has a = 4): 1 − (4 − a)/(4 − 2)
    got = normalised({"method": "dist2ref", "iref": "u2"})
    np.testing.assert_allclose(got["b"], [5 / 3, 1, 0, 4 / 3])
    np.testing.assert_allclose(got["a"], [0, 1, 1.5, 3.5])
    capped = normalised({"method": "dist2ref", "iref": "u2", "cap_max": True})
    np.testing.assert_allclose(capped["b"], [1, 1, 0, 1])


def test_fracmax_direction_minus_one_is_coinr_x_over_min():
    # COINr: −b / max(−b) = −b / −3 = b/3 (a COINr quirk, kept for agreement): the worst b
    # (8) scores highest, which COINr does silently and the kit says, naming b only
    with pytest.warns(UserWarning, match=r"fracmax：b 按方向.* ranks the worst unit first") as rec:
        got = normalised({"method": "fracmax"})["b"]
    np.testing.assert_allclose(got, [1, 5 / 3, 8 / 3, 4 / 3])
    assert len(rec) == 1 and "a," not in str(rec[0].message)


BROADCAST = [
    ("minmax", {"l_u": (1, 10)}),
    ("zscore", {"m_sd": (10, 2)}),
    ("rank", {}),
    ("prank", {}),
    ("borda", {}),
    ("fracmax", {}),
    ("dist2max", {}),
    ("dist2ref", {"iref": 1, "cap_max": True}),
    ("dist2targ", {"targets": np.array([9.0, 8.0, 7.0, 12.0]), "cap_max": False}),
    ("goalposts", {"posts": np.array([[1.0, 2, 0, 3], [8, 9, 10, 11]]), "scale": 100.0}),
    ("efficacy", {}),
]


@pytest.mark.parametrize(("method", "params"), BROADCAST, ids=[m for m, _ in BROADCAST])
def test_normalise_broadcasts_over_replications(method, params):
    rng = np.random.default_rng(4)
    x = rng.integers(1, 9, size=(3, 7, 4)).astype(float)  # ties on purpose
    x[:, 0, :] = 1.0  # every column's minimum ...
    x[:, 1, :] = 5.5  # ... below the reference row used by dist2ref
    x[0, 2, 1] = x[2, 5, 3] = NAN
    fn = nrm.METHODS[method]
    stacked = fn(x, **params)
    looped = np.stack([fn(x[r], **params) for r in range(3)])
    assert stacked.shape == x.shape
    np.testing.assert_array_equal(np.isnan(stacked), np.isnan(looped))
    np.testing.assert_allclose(stacked, looped, rtol=1e-12)


# ===================================================================== aggregate
# Two units, weights 1, 1, 2; unit 0 lacks its third child.
AX = np.array([[1.0, 4, NAN], [2, 8, 4], [NAN, NAN, NAN]])
AW = np.array([1.0, 1, 2])


def test_amean_renormalises_over_available_children():
    # (1 + 4)/2 = 2.5;  (2 + 8 + 2·4)/4 = 4.5;  nothing available → NaN
    np.testing.assert_allclose(agg.amean(AX, AW), [2.5, 4.5, NAN])


def test_gmean_weighted():
    # √(1·4) = 2;  (2·8·4²)^(1/4) = 256^(1/4) = 4
    np.testing.assert_allclose(agg.gmean(AX, AW), [2, 4, NAN])


def test_hmean_weighted():
    # 2/(1/1 + 1/4) = 1.6;  4/(1/2 + 1/8 + 2/4) = 4/1.125 = 32/9
    np.testing.assert_allclose(agg.hmean(AX, AW), [1.6, 32 / 9, NAN])


def test_genmean_p():
    # p = 2: √((1 + 16)/2);  √((4 + 64 + 2·16)/4) = √25 = 5
    np.testing.assert_allclose(agg.genmean(AX, AW, p=2), [math.sqrt(8.5), 5, NAN])
    # p = 1 is the arithmetic mean, p = −1 the harmonic (COINr test-aggregate.R)
    np.testing.assert_allclose(agg.genmean(AX, AW, p=1), [2.5, 4.5, NAN])
    np.testing.assert_allclose(agg.genmean(AX, AW, p=-1), [1.6, 32 / 9, NAN])


def test_genmean_p_zero_refused():
    with pytest.raises(ie.ValidationError, match="gmean"):
        agg.genmean(AX, AW, p=0)


def test_sum_weights_not_rescaled():
    # 1 + 4 = 5;  2 + 8 + 2·4 = 18
    np.testing.assert_allclose(agg.sum_(AX, AW), [5, 18, NAN])


def test_means_against_scipy_weighted_means():
    rng = np.random.default_rng(0)
    x = rng.uniform(1, 100, size=(6, 5))
    x[1, 2] = x[4, 0] = NAN
    w = rng.uniform(0.5, 3, size=5)
    for i in range(6):
        ok = ~np.isnan(x[i])
        xi, wi = x[i, ok], w[ok]
        assert agg.amean(x, w)[i] == pytest.approx(np.average(xi, weights=wi), rel=1e-12)
        assert agg.gmean(x, w)[i] == pytest.approx(stats.gmean(xi, weights=wi), rel=1e-12)
        assert agg.hmean(x, w)[i] == pytest.approx(stats.hmean(xi, weights=wi), rel=1e-12)
        assert agg.genmean(x, w, p=3)[i] == pytest.approx(stats.pmean(xi, 3, weights=wi), rel=1e-12)


def test_copeland_coinr_test_case():
    # COINr tests/testthat/test-aggregate.R: x1 = 1:4, x2 = 3 2 1 5, x3 = 2 3 1 4, equal weights.
    # Upper triangle e_jk (share of indicators where j beats k):
    #   e12 = 1/3 (−1), e13 = 2/3 (+1), e14 = 0 (−1), e23 = 2/3 (+1), e24 = 0 (−1), e34 = 0 (−1)
    # lower triangle 1 − upper. Row sums: −1, 1, −3, 3.
    x = np.array([[1.0, 3, 2], [2, 2, 3], [3, 1, 1], [4, 5, 4]])
    np.testing.assert_array_equal(agg.copeland(x, np.ones(3)), [-1, 1, -3, 3])


def test_copeland_tie_nan_and_lower_triangle_rule():
    # Weights 1, 1, 2 → 0.25, 0.25, 0.5 (scaled over all children, as COINr).
    # A = 3 1 2 | B = 2 2 2 | C = 1 NaN 3 | D = 3 3 1
    # e_AB = .25 (3>2) + ½·.5 (2=2) = .5 → 0          e_AC = .25 (3>1; NaN counts 0) → −1
    # e_AD = ½·.25 (3=3) + .5 (2>1) = .625 → +1       e_BC = .25 → −1
    # e_BD = .5 (2>1) → 0                              e_CD = .5 (3>1) → 0
    # Lower triangle = 1 − upper, so e_DC = .5 (a tie) although D beats C on .25 only.
    # A: 0 − 1 + 1 = 0;  B: 0 − 1 + 0 = −1;  C: +1 + 1 + 0 = 2;  D: −1 + 0 + 0 = −1
    x = np.array([[3.0, 1, 2], [2, 2, 2], [1, NAN, 3], [3, 3, 1]])
    w = np.array([1.0, 1, 2])
    np.testing.assert_array_equal(agg.copeland(x, w), [0, -1, 2, -1])
    # over a leading replication axis: the same per replication
    stacked = np.stack([x, x[::-1]])
    np.testing.assert_array_equal(agg.copeland(stacked, w)[0], [0, -1, 2, -1])
    np.testing.assert_array_equal(agg.copeland(stacked, w)[1], agg.copeland(x[::-1], w))


@pytest.mark.parametrize("method", ["amean", "gmean", "hmean", "genmean", "sum"])
def test_aggregate_broadcasts_over_replications(method):
    rng = np.random.default_rng(1)
    x = rng.uniform(1, 9, size=(3, 5, 4))
    x[1, 3, 2] = NAN
    w = np.array([1.0, 2, 1, 0.5])
    fn = agg.METHODS[method]
    np.testing.assert_allclose(fn(x, w), np.stack([fn(x[r], w) for r in range(3)]), rtol=1e-12)


# Four levels: i1 i2 → P1, i3 → P2, i4 i5 → P3; P1 P2 → S1, P3 → S2; S1 S2 → IDX.
TREE4 = [
    {"code": "IDX", "level": 4},
    {"code": "S1", "level": 3, "parent": "IDX", "weight": 2},
    {"code": "S2", "level": 3, "parent": "IDX", "weight": 1},
    {"code": "P1", "level": 2, "parent": "S1", "weight": 1},
    {"code": "P2", "level": 2, "parent": "S1", "weight": 3},
    {"code": "P3", "level": 2, "parent": "S2"},
    {"code": "i1", "level": 1, "parent": "P1", "weight": 1},
    {"code": "i2", "level": 1, "parent": "P1", "weight": 3},
    {"code": "i3", "level": 1, "parent": "P2"},
    {"code": "i4", "level": 1, "parent": "P3"},
    {"code": "i5", "level": 1, "parent": "P3"},
]
DATA4 = pd.DataFrame(
    {
        "uCode": ["u1", "u2"],
        "i1": [2.0, 4],
        "i2": [6.0, NAN],
        "i3": [4.0, 9],
        "i4": [1.0, 2],
        "i5": [3.0, 2],
    }
)


def test_per_level_methods_bottom_up():
    # No normalise stage: the raw (positive) values are aggregated.
    # Level 2, amean: P1 = (1·2 + 3·6)/4 = 5 | u2: i2 missing → 4;  P2 = i3;  P3 = (1 + 3)/2 = 2 | 2
    # Level 3, gmean (P1 w 1, P2 w 3): S1 = (5·4³)^(1/4) | (4·9³)^(1/4);  S2 = P3 = 2
    # Level 4, amean (S1 w 2, S2 w 1): (2·S1 + 2)/3
    spec = {"aggregate": {"method": ["amean", "gmean", "amean"]}}
    ev = ie.build(framework(TREE4), DATA4, spec)
    got = ev.get_dset("Aggregated")
    np.testing.assert_allclose(got["P1"], [5, 4])
    s1 = np.array([(5 * 4**3) ** 0.25, (4 * 9**3) ** 0.25])
    np.testing.assert_allclose(got["S1"], s1)
    np.testing.assert_allclose(got["S2"], [2, 2])
    np.testing.assert_allclose(ev.scores, (2 * s1 + 2) / 3)
    # the order is bottom up: gmean first changes P1 = (2·6³)^(1/4) for u1
    ev2 = ie.build(framework(TREE4), DATA4, {"aggregate": {"method": ["gmean", "amean", "amean"]}})
    assert ev2.get_dset("Aggregated").loc["u1", "P1"] == pytest.approx((2 * 6**3) ** 0.25)


def test_copeland_through_build():
    nodes = [{"code": "IDX", "level": 2}] + [
        {"code": c, "level": 1, "parent": "IDX", "weight": w}
        for c, w in (("x1", 1), ("x2", 1), ("x3", 2))
    ]
    data = pd.DataFrame(
        {"uCode": list("ABCD"), "x1": [3.0, 2, 1, 3], "x2": [1.0, 2, NAN, 3], "x3": [2.0, 2, 3, 1]}
    )
    ev = ie.build(framework(nodes), data, {"aggregate": {"method": "copeland"}})
    # same data as test_copeland_tie_nan_and_lower_triangle_rule
    np.testing.assert_array_equal(ev.scores.loc[list("ABCD")], [0, -1, 2, -1])


DAT3 = pd.DataFrame(
    {
        "uCode": ["u1", "u2", "u3"],
        "a": [1.0, 2, 3],
        "b": [3.0, 4, NAN],
        "c": [NAN, 6, NAN],
    }
)
NODES3 = [{"code": "IDX", "level": 2}] + [{"code": c, "level": 1, "parent": "IDX"} for c in "abc"]


def test_dat_thresh_strict_less_than():
    # availability u1 2/3, u2 1, u3 1/3; a unit is dropped iff availability < dat_thresh
    ev = ie.build(framework(NODES3), DAT3, {"aggregate": {"method": "amean", "dat_thresh": 2 / 3}})
    # u1: (1 + 3)/2 = 2;  u2: (2 + 4 + 6)/3 = 4;  u3 1/3 < 2/3 → no score
    assert ev.scores.to_dict() == {"u1": 2.0, "u2": 4.0}
    assert list(ev.unscored.index) == ["u3"]
    ev = ie.build(framework(NODES3), DAT3, {"aggregate": {"method": "amean", "dat_thresh": 0.7}})
    assert list(ev.scores.index) == ["u2"]
    assert sorted(ev.unscored.index) == ["u1", "u3"]


# ===================================================================== impute
IX = np.array(
    [
        [1.0, 10],
        [2, 20],
        [3, NAN],
        [NAN, 40],
        [5, 50],
        [NAN, NAN],
    ]
)


def test_impute_mean_and_median():
    # column means: (1+2+3+5)/4 = 2.75, (10+20+40+50)/4 = 30; medians 2.5, 30
    got = imp.mean(IX)
    np.testing.assert_allclose(got[:, 0], [1, 2, 3, 2.75, 5, 2.75])
    np.testing.assert_allclose(got[:, 1], [10, 20, 30, 40, 50, 30])
    np.testing.assert_allclose(imp.median(IX)[:, 0], [1, 2, 3, 2.5, 5, 2.5])
    np.testing.assert_allclose(imp.median(col(1, NAN, 2, 10))[:, 0], [1, 2, 2, 10])


def test_impute_mean_group_and_median_group():
    # groups A = rows 0-2, B = rows 3, 5, row 4 has no group label
    g = np.array(["A", "A", "A", "B", None, "B"], dtype=object)
    got = imp.mean_group(IX, g)
    # A, column 1: (10 + 20)/2 = 15;  B, column 0: all missing → stays missing;
    # B, column 1: 40 (the only B value)
    np.testing.assert_allclose(got[:, 1], [10, 20, 15, 40, 50, 40])
    np.testing.assert_array_equal(np.isnan(got[:, 0]), [0, 0, 0, 1, 0, 1])
    x = col(1, 2, 10, NAN, NAN, 7)
    g2 = np.array(["A", "A", "A", "A", np.nan, "B"], dtype=object)
    # A median of 1, 2, 10 = 2 (mean would be 13/3); unlabelled row 4 left alone
    np.testing.assert_allclose(imp.median_group(x, g2)[:, 0], [1, 2, 10, 2, NAN, 7])
    np.testing.assert_allclose(imp.mean_group(x, g2)[:, 0], [1, 2, 10, 13 / 3, NAN, 7])


def test_impute_mean_group_through_build():
    nodes = [{"code": "IDX", "level": 2}] + [{"code": c, "level": 1, "parent": "IDX"} for c in "ab"]
    fw = framework(nodes, groups=[{"code": "grp"}])
    data = pd.DataFrame(
        {
            "uCode": list("pqrst"),
            "grp": ["A", "A", "B", "B", None],
            "a": [1.0, NAN, 5, NAN, NAN],
            "b": [1.0, 2, 3, 4, 5],
        }
    )
    ev = ie.build(fw, data, {"impute": {"method": "mean_group", "group": "grp"}})
    got = ev.get_dset("Imputed")["a"]
    np.testing.assert_allclose(got, [1, 1, 5, 5, NAN])


PANEL_NODES = [{"code": "IDX", "level": 2}] + [
    {"code": c, "level": 1, "parent": "IDX"} for c in "ab"
]
PANEL = pd.DataFrame(
    [
        ("u1", 2020, 1.0, 10.0),
        ("u2", 2020, 2.0, 20.0),
        ("u3", 2020, 3.0, 30.0),
        ("u1", 2021, NAN, 11.0),
        ("u2", 2021, 4.0, NAN),
        ("u3", 2021, NAN, 31.0),
        ("u1", 2022, NAN, 12.0),
        ("u2", 2022, 5.0, NAN),
        ("u3", 2022, 6.0, NAN),
    ],
    columns=["uCode", "Time", "a", "b"],
)


def test_impute_latest_panel():
    fw = framework(PANEL_NODES)
    ev = ie.build(fw, PANEL, {"impute": {"method": "latest"}})
    assert ev.time == 2022
    got = ev.get_dset("Imputed")
    # u1 a: 2021 missing, 2020 = 1;  u2 b: 2021 missing, 2020 = 20;  u3 b: 2021 = 31
    assert got.loc["u1", "a"] == 1
    assert got.loc["u2", "b"] == 20
    assert got.loc["u3", "b"] == 31
    # max_time = 1 looks back one period only: u1 a and u2 b stay missing
    got1 = ie.build(fw, PANEL, {"impute": {"method": "latest", "max_time": 1}}).get_dset("Imputed")
    assert np.isnan(got1.loc["u1", "a"]) and np.isnan(got1.loc["u2", "b"])
    assert got1.loc["u3", "b"] == 31
    # an earlier period evaluated: only the periods before it are used; row order irrelevant
    got21 = ie.build(
        fw, PANEL.sample(frac=1, random_state=3), {"impute": {"method": "latest"}}, time=2021
    ).get_dset("Imputed")
    assert got21.loc["u1", "a"] == 1 and got21.loc["u2", "b"] == 20 and got21.loc["u3", "a"] == 3


# Two clusters: the two nearest neighbours of row 3 are rows 2 and 4.
KX = np.array(
    [
        [0.0, 0, 0],
        [0.1, 0.1, 0.1],
        [10, 10, 10],
        [10.2, 10.2, NAN],
        [9.8, 9.8, 9.8],
        [0.2, 0.2, 0.2],
    ]
)


@pytest.mark.parametrize("scale", [True, False])
def test_impute_knn_obvious_neighbours(scale):
    # mean of the neighbours' values: (10 + 9.8)/2 = 9.9 (z-scoring is linear, so the same)
    got = imp.knn(KX, n_neighbors=2, scale=scale)
    assert got[3, 2] == pytest.approx(9.9)
    np.testing.assert_array_equal(got[~np.isnan(KX)], KX[~np.isnan(KX)])


def test_impute_iterative_deterministic():
    # column 3 equals columns 1 and 2 in every complete row: the regression recovers 10.2
    a = imp.iterative(KX, seed=0)
    b = imp.iterative(KX, seed=0)
    np.testing.assert_array_equal(a, b)
    assert a[3, 2] == pytest.approx(10.2, abs=1e-3)
    np.testing.assert_array_equal(a[~np.isnan(KX)], KX[~np.isnan(KX)])


def test_impute_knn_and_iterative_through_build_repeatable():
    nodes = [{"code": "IDX", "level": 2}] + [
        {"code": c, "level": 1, "parent": "IDX"} for c in "abc"
    ]
    data = pd.DataFrame(KX, columns=list("abc")).assign(uCode=[f"u{i}" for i in range(6)])
    for spec in ({"method": "knn", "n_neighbors": 2}, {"method": "iterative"}):
        one = ie.build(framework(nodes), data, {"impute": spec}, seed=3).get_dset("Imputed")
        two = ie.build(framework(nodes), data, {"impute": spec}, seed=3).get_dset("Imputed")
        pd.testing.assert_frame_equal(one, two)
        assert one.loc["u3", "c"] == pytest.approx(9.9 if spec["method"] == "knn" else 10.2, 1e-3)


# ===================================================================== treat
def test_skew_kurt_match_scipy_sample_adjusted():
    rng = np.random.default_rng(2)
    x = rng.lognormal(size=(30, 4))
    x[[3, 7], 1] = NAN
    sk, kt = trt.skew(x), trt.kurt(x)
    for j in range(4):
        v = x[~np.isnan(x[:, j]), j]
        assert sk[j] == pytest.approx(stats.skew(v, bias=False), rel=1e-10)
        assert kt[j] == pytest.approx(stats.kurtosis(v, bias=False), rel=1e-10)


def test_skew_kurt_hand_values_and_undefined():
    # x = 1 2 3 10: mean 4, d = −3 −2 −1 6, m2 = 50/4, m3 = 180/4, m4 = 1394/4
    # g1 = m3/m2^1.5 = 45/12.5^1.5; G1 = g1·√(4·3)/2
    # r = n·Σd⁴/(Σd²)² = 4·1394/2500; G2 = ((5)(r − 3) + 6)·3/(2·1)
    x = col(1, 2, 3, 10)
    g1 = 45 / 12.5**1.5
    assert trt.skew(x)[0] == pytest.approx(g1 * math.sqrt(12) / 2)
    r = 4 * 1394 / 2500
    assert trt.kurt(x)[0] == pytest.approx((5 * (r - 3) + 6) * 3 / 2)
    assert np.isnan(trt.skew(col(1, 2))[0])  # fewer than 3 values
    assert np.isnan(trt.kurt(col(1, 2, 3))[0])  # fewer than 4 values
    assert np.isnan(trt.skew(col(5, 5, 5, 5))[0])  # no spread


def fails(v) -> bool:
    """COINr check_SkewKurt, written with scipy: fail iff |skew| ≥ 2 and kurt ≥ 3.5."""
    v = np.asarray(v, dtype=float)
    v = v[~np.isnan(v)]
    return abs(stats.skew(v, bias=False)) >= 2 and stats.kurtosis(v, bias=False) >= 3.5


def test_winsorise_two_high_outliers():
    # 1..15, 50, 60.  Step 1: 60 → 50 (still fails); step 2: the max 50 (twice) → 15; passes.
    v = [*range(1, 16), 50.0, 60.0]
    assert fails(v) and fails([*range(1, 16), 50, 50])
    assert not fails([*range(1, 16), 15, 15])
    passing = np.arange(17.0)
    x = np.column_stack([v, passing])
    out, points, details = trt.winsorise(x)
    np.testing.assert_array_equal(out[:, 0], [*range(1, 16), 15, 15])
    assert list(points[:, 0]) == [""] * 15 + ["winhi", "winhi"]
    assert details["nwin"].iloc[0] == 2
    assert bool(details["Pass1"].iloc[0]) and not bool(details["log"].iloc[0])
    # a column passing at first is untouched
    np.testing.assert_array_equal(out[:, 1], passing)
    assert (points[:, 1] == "").all() and bool(details["Pass0"].iloc[1])
    assert np.isnan(details["nwin"].iloc[1])


def test_winsorise_tied_maxima_move_together():
    # 1..12, 100, 100: both maxima → 12 in one step and count as two points,
    # so winmax = 1 is exceeded (as COINr: nwin = length(imax) = 2)
    v = [*range(1, 13), 100.0, 100.0]
    assert fails(v) and not fails([*range(1, 13), 12, 12])
    out, points, details = trt.winsorise(col(*v), winmax=1)
    np.testing.assert_array_equal(out[:, 0], [*range(1, 13), 12, 12])
    assert list(points[-3:, 0]) == ["", "winhi", "winhi"]
    assert details["nwin"].iloc[0] == 2
    assert not bool(details["log"].iloc[0])


def test_winsorise_negative_skew_winlo():
    # −100, 1..11: skew < 0, so the minimum −100 → 1 (the next lowest); then passes
    v = [-100.0, *range(1, 12)]
    assert fails(v) and stats.skew(v, bias=False) < 0 and not fails([1.0, *range(1, 12)])
    out, points, details = trt.winsorise(col(*v))
    np.testing.assert_array_equal(out[:, 0], [1.0, *range(1, 12)])
    assert list(points[:2, 0]) == ["winlo", ""]
    assert details["nwin"].iloc[0] == 1


BIG = [float(i) for i in range(1, 21)] + [500, 1000, 2000, 5000, 10000, 20000, 50000]
# step 1: 50000 → 20000; step 2: 20000 (twice) → 10000: nwin = 2 = winmax, still failing
BIG_WIN2 = [*BIG[:-2], 10000.0, 10000.0]


def test_winsorise_winmax_then_log_of_original():
    assert fails(BIG) and fails([*BIG[:-1], 20000.0]) and fails(BIG_WIN2)
    out, points, details = trt.winsorise(col(*BIG), winmax=2)
    # log(x − min + 0.01·(max − min)) of the ORIGINAL column: min 1, max 50000
    expected = [math.log(v - 1 + 0.01 * 49999) for v in BIG]
    np.testing.assert_allclose(out[:, 0], expected, rtol=1e-12)
    assert (points[:, 0] == "log").all()
    assert bool(details["log"].iloc[0]) and details["nwin"].iloc[0] == 2


def test_winsorise_fallback_none_keeps_winsorised_values():
    out, points, details = trt.winsorise(col(*BIG), winmax=2, fallback=None)
    np.testing.assert_array_equal(out[:, 0], BIG_WIN2)
    assert list(points[-3:, 0]) == ["", "winhi", "winhi"]
    assert not bool(details["log"].iloc[0]) and not bool(details["Pass1"].iloc[0])


def test_winsorise_log_keeps_missing_values_missing():
    out, points, _ = trt.winsorise(col(*BIG, NAN), winmax=2)
    assert np.isnan(out[-1, 0]) and points[-1, 0] == ""
    assert out[0, 0] == pytest.approx(math.log(0.01 * 49999))


def test_winsorise_force_win_continues_up_to_winmax():
    # 1..15, 50, 60 with force_win and winmax 4: two high steps as above (passing after
    # step 2), then the skew is negative: step 3 moves the min 1 → 2, step 4 the two 2s → 3.
    # nwin = 2 high + 2 low = 4 (COINr: length(imax) + length(imin)).
    v = [*range(1, 16), 50.0, 60.0]
    after2 = np.array([*range(1, 16), 15.0, 15])
    assert stats.skew(after2, bias=False) < 0
    out, points, details = trt.winsorise(col(*v), winmax=4, force_win=True)
    np.testing.assert_array_equal(out[:, 0], [3, 3, *range(3, 16), 15, 15])
    assert list(points[:3, 0]) == ["winlo", "winlo", ""]
    assert list(points[-2:, 0]) == ["winhi", "winhi"]
    assert details["nwin"].iloc[0] == 4


def test_winsorise_force_win_leaves_passing_column_alone():
    # COINr Treat.numeric calls winsorise only when check_SkewKurt fails
    x = col(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)
    out, points, _details = trt.winsorise(x, force_win=True)
    np.testing.assert_array_equal(out, x)
    assert (points == "").all()


def test_winsorise_never_erases_an_indicator():
    # 0 ×10, 100 fails (skew 3.32, kurtosis 11); the only step, 100 → 0, would leave the column
    # constant (COINr then cannot test it and stops), so it is not taken: the column still
    # fails and gets the log fallback, log(x − 0 + 0.01·100) = log 1 and log 101
    x = col(*([0.0] * 10 + [100.0]))
    for force in (False, True):
        out, points, details = trt.winsorise(x, force_win=force)
        np.testing.assert_allclose(out[:, 0], [0.0] * 10 + [np.log(101.0)])
        assert list(points[:, 0]) == ["log"] * 11
        assert details["nwin"].iloc[0] == 0 and bool(details["log"].iloc[0])
    # a yes/no item with a single "no" keeps its order the same way
    out, _, details = trt.winsorise(col(*([1.0] * 15 + [0.0])), winmax=3)
    assert out[-1, 0] < out[0, 0] and details["nwin"].iloc[0] == 0


def test_treat_through_build_points_and_details():
    nodes = [{"code": "IDX", "level": 2}] + [
        {"code": c, "level": 1, "parent": "IDX"} for c in ("skewed", "flat")
    ]
    v = [*range(1, 16), 50.0, 60.0]
    data = pd.DataFrame({"uCode": [f"u{i:02d}" for i in range(17)], "skewed": v})
    data["flat"] = np.arange(17.0)
    ev = ie.build(framework(nodes), data, {"treat": {"method": "winsorise"}})
    pts = ev.treated_points
    assert pts.loc[["u15", "u16"], "skewed"].tolist() == ["winhi", "winhi"]
    assert (pts["flat"] == "").all() and (pts["skewed"] == "winhi").sum() == 2
    assert ev.treat_details.loc["skewed", "nwin"] == 2
    pd.testing.assert_series_equal(ev.get_dset("Treated")["flat"], ev.get_dset("Screened")["flat"])


# ===================================================================== screen
# 4 indicators. u1 complete; u2 one missing (0.75); u3 two missing (0.5);
# u4 all zeros (non-zero share 0); u5 three zeros of four (0.25).
SX = np.array(
    [
        [1.0, 2, 3, 4],
        [1, 2, 3, NAN],
        [1, NAN, 3, NAN],
        [0, 0, 0, 0],
        [0, 0, 0, 5],
    ]
)
SU = ["u1", "u2", "u3", "u4", "u5"]


def test_screen_table():
    t = screen(SX, SU, dat_thresh=0.75)
    assert t["N_missing"].tolist() == [0, 1, 2, 0, 0]
    assert t["N_zero"].tolist() == [0, 0, 0, 4, 3]
    np.testing.assert_allclose(t["Dat_Avail"], [1, 0.75, 0.5, 1, 1])
    # non-zero share of the non-missing values: u5 1 − 3/4
    np.testing.assert_allclose(t["Non_Zero"], [1, 1, 1, 0, 0.25])


def test_screen_by_na_strict_less_than():
    # u2 has exactly 0.75: kept, since COINr flags Dat_Avail < dat_thresh
    t = screen(SX, SU, dat_thresh=0.75, unit_screen="byNA")
    assert t.index[~t["Included"]].tolist() == ["u3"]
    t = screen(SX, SU, dat_thresh=0.76, unit_screen="byNA")
    assert t.index[~t["Included"]].tolist() == ["u2", "u3"]


def test_screen_by_zeros_and_both():
    t = screen(SX, SU, dat_thresh=0.75, unit_screen="byzeros", nonzero_thresh=0.3)
    assert t.index[~t["Included"]].tolist() == ["u4", "u5"]
    t = screen(SX, SU, dat_thresh=0.75, unit_screen="byNAandzeros")  # nonzero 0.05
    assert t.index[~t["Included"]].tolist() == ["u3", "u4"]


def test_screen_force():
    t = screen(SX, SU, dat_thresh=0.75, force={"u3": True, "u1": False})
    assert t.index[~t["Included"]].tolist() == ["u1"]


def test_screen_through_build_lists_reasons():
    nodes = [{"code": "IDX", "level": 2}] + [
        {"code": c, "level": 1, "parent": "IDX"} for c in "abcd"
    ]
    data = pd.DataFrame(SX, columns=list("abcd")).assign(uCode=SU)
    spec = {
        "screen": {"dat_thresh": 0.75, "unit_screen": "byNAandzeros", "force": {"u1": False}},
        "aggregate": {"method": "amean"},
    }
    ev = ie.build(framework(nodes), data, spec)
    assert sorted(ev.scores.index) == ["u2", "u5"]
    assert sorted(ev.unscored.index) == ["u1", "u3", "u4"]
    assert ev.unscored["reason"].str.contains("screened out").tolist() == [False, True, True]
    assert ev.unscored["status"].tolist() == ["forced", "screened", "screened"]
    assert ev.get_dset("Screened").index.tolist() == ["u2", "u5"]


# ===================================================================== ranks
def test_min_rank_descending_ties_nan():
    x = np.array([5.0, 3, 5, NAN, 1])
    # highest = 1, the two 5s share rank 1, next is 3 (not 2)
    np.testing.assert_array_equal(min_rank(x[:, None], descending=True)[:, 0], [1, 3, 1, NAN, 4])
    np.testing.assert_array_equal(min_rank(x[:, None])[:, 0], [3, 2, 3, NAN, 1])


def test_min_rank_matches_scipy_on_each_column():
    rng = np.random.default_rng(5)
    x = rng.integers(0, 6, size=(12, 5)).astype(float)
    x[[1, 7], [0, 3]] = NAN
    got = min_rank(x, descending=True)
    for j in range(5):
        ok = ~np.isnan(x[:, j])
        np.testing.assert_array_equal(got[ok, j], stats.rankdata(-x[ok, j], method="min"))
        assert np.isnan(got[~ok, j]).all()


def test_evaluation_ranks_ties_and_get_ranks_nan():
    nodes = [{"code": "IDX", "level": 2}] + [{"code": c, "level": 1, "parent": "IDX"} for c in "ab"]
    data = pd.DataFrame({"uCode": list("pqrs"), "a": [1.0, 3, 3, 2], "b": [2.0, 4, 4, NAN]})
    ev = ie.build(framework(nodes), data, {"aggregate": {"method": "amean"}})
    # scores 1.5, 3.5, 3.5, 2 → ranks 4, 1, 1, 3
    assert ev.ranks.to_dict() == {"p": 4, "q": 1, "r": 1, "s": 3}
    r = ev.get_ranks("Aggregated")
    assert np.isnan(r.loc["s", "b"]) and r["b"].tolist()[:3] == [3, 1, 1]


def test_none_keeps_values_and_points_sum_with_directions():
    """normalise none + aggregate sum: bonus items add, direction −1 deductions subtract."""
    fw = ie.Framework.from_dict(
        {
            "nodes": [
                {"code": "T", "level": 2},
                {"code": "bonus", "level": 1, "parent": "T"},
                {"code": "deduct", "level": 1, "parent": "T", "direction": -1},
            ]
        }
    )
    data = pd.DataFrame({"uCode": ["A", "B"], "bonus": [5.0, 12.0], "deduct": [2.0, 8.0]})
    ev = ie.build(fw, data, {"normalise": {"method": "none"}, "aggregate": {"method": "sum"}})
    assert ev.scores.to_dict() == {"A": 3.0, "B": 4.0}  # 5 − 2, 12 − 8
