"""Ratings: schemes, vetoes, the points model, calibration, grade probabilities."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats
from statsmodels.tools.numdiff import approx_hess3

import integrity_eval as ie
from integrity_eval.rating import expert_data

ROOT = Path(__file__).resolve().parents[1]
TAX = [("A", 90), ("B", 70), ("C", 40), ("D", None)]


def problems(exc: pytest.ExceptionInfo) -> str:
    return "\n".join(str(p) for p in exc.value.problems)


# ------------------------------------------------------------------ schemes
def test_scheme_bands_are_floats_and_edges_go_to_the_better_grade():
    s = ie.rating.Scheme(bands=TAX)
    assert s.bands == [("A", 90.0), ("B", 70.0), ("C", 40.0), ("D", None)]
    assert all(isinstance(e, float) for _, e in s.bands[:-1])
    got = s.grade([100, 90, 89.99, 70, 69.5, 40, 39.99, -5, np.nan]).tolist()
    assert got == ["A", "A", "B", "B", "C", "C", "D", "D", None]
    # 70 in exact arithmetic, 69.99999999999999 in floating point: still on the edge
    seventy = (69.1 + 70.3 + 70.6) / 3  # the mean of three scores, exactly 70 on paper
    assert seventy < 70 and s.grade([seventy]).tolist() == ["B"]


def test_shipped_schemes():
    assert ie.rating.available_schemes() == ["four-grade", "stars-5", "tax-credit"]
    tax = ie.rating.load_scheme("tax-credit")
    assert tax.bands == [("A", 90.0), ("B", 70.0), ("C", 40.0), ("D", None)]
    assert "第十九条" in tax.source
    four = ie.rating.load_scheme("four-grade")
    assert four.grades == ["优", "良", "中", "差"]
    assert four.grade_name("良", "en") == "good" and "及格线" in four.note
    stars = ie.rating.load_scheme("stars-5")
    assert stars.is_stars and [stars.stars(g) for g in stars.grades] == [5, 4, 3, 2, 1]
    for name in ie.rating.available_schemes():
        s = ie.rating.load_scheme(name)
        assert ie.rating.Scheme.from_dict(s.to_dict()) == s


def test_scheme_from_yaml_path_and_dict(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(
        "name: mine\nbands:\n  - {grade: 好, min: 80, zh: 好, en: good}\n  - {grade: 坏}\n",
        encoding="utf-8",
    )
    s = ie.rating.load_scheme(path)
    assert s.bands == [("好", 80.0), ("坏", None)] and s.grade_name("好", "en") == "good"
    assert ie.rating.load_scheme(s.to_dict()) == s
    (tmp_path / "bad.yaml").write_text("bands: [a, b\n", encoding="utf-8")
    with pytest.raises(ie.ValidationError, match="YAML"):
        ie.rating.load_scheme(tmp_path / "bad.yaml")
    with pytest.raises(ie.ValidationError, match="tax-credit"):
        ie.rating.load_scheme("tax-credits")


@pytest.mark.parametrize(
    ("bands", "expected"),
    [
        # B's range ends at 85 while A starts at 90: scores 85–90 would have no grade
        (
            [{"grade": "A", "min": 90}, {"grade": "B", "min": 70, "max": 85}, {"grade": "C"}],
            "gap",
        ),
        (
            [{"grade": "A", "min": 90}, {"grade": "B", "min": 70, "max": 95}, {"grade": "C"}],
            "overlap",
        ),
        ([("A", 70), ("B", 90), ("C", None)], "decrease strictly"),
        ([("A", 90), ("A", 70), ("C", None)], "duplicate grade name"),
        ([("A", 90), ("B", 70), ("C", 40)], "worst band has no lower edge"),
        ([("A", 90), ("B", None), ("C", None)], "needs a lower edge"),
        ([("A", None)], "at least two bands"),
        ([("A", "ninety"), ("B", None)], "finite number"),
        ([{"grade": "A", "min": 90, "max": 100}, {"grade": "B"}], "best band has no upper edge"),
    ],
)
def test_bad_band_tables_are_named(bands, expected):
    with pytest.raises(ie.ValidationError) as exc:
        ie.rating.Scheme(bands)
    assert expected in problems(exc)
    assert "/" in problems(exc)  # Chinese first, then English


def test_every_band_problem_at_once():
    with pytest.raises(ie.ValidationError) as exc:
        ie.rating.Scheme([("A", 70), ("A", 90), ("C", 40)])
    assert len(exc.value.problems) == 3


VETO = {
    "name": {"zh": "统计弄虚作假", "en": "statistical falsification"},
    "indicator": "falsified",
    "op": ">",
    "value": 0,
    "cap": "C",
}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"op": "__import__('os').system('true')"}, "op must be one of"),
        ({"op": "=>"}, "op must be one of"),
        ({"cap": "E"}, "cap is not a grade"),
        ({"value": "zero"}, "value must be a number"),
        ({"name": None}, "needs a name"),
        ({"severity": "serious"}, "unknown key"),
    ],
)
def test_bad_vetoes_are_named(change, expected):
    with pytest.raises(ie.ValidationError) as exc:
        ie.rating.Scheme(TAX, [{**VETO, **change}])
    assert expected in problems(exc)


def test_veto_missing_key():
    rule = {k: v for k, v in VETO.items() if k != "cap"}
    with pytest.raises(ie.ValidationError, match="cap"):
        ie.rating.Scheme(TAX, [rule])


# ------------------------------------------------------------------ rating
def _rules():
    return [
        VETO,
        {
            **VETO,
            "name": {"zh": "失信被执行人", "en": "dishonest judgment debtor"},
            "indicator": "debtor",
            "op": ">=",
            "value": 1,
            "cap": "D",
        },
        {**VETO, "name": {"zh": "轻微", "en": "minor"}, "indicator": "minor", "cap": "A"},
    ]


def test_rate_series_vetoes_worst_cap_wins_and_every_rule_is_listed():
    scores = pd.Series({"p": 95.0, "q": 95.0, "r": 50.0, "s": 20.0, "t": 92.0, "u": np.nan})
    raw = pd.DataFrame(
        {
            "falsified": [0, 2, 1, 0, np.nan, 0],
            "debtor": [0, 1, 0, 0, 0, 0],
            "minor": [1, 0, 0, 0, 0, 0],
        },
        index=list("pqrstu"),
    )
    rated = ie.rating.rate(scores, ie.rating.Scheme(TAX, _rules()), raw=raw)
    t = rated.table
    assert list(t.columns) == ["score", "grade_by_score", "grade", "veto"]
    assert t["grade_by_score"].tolist()[:5] == ["A", "A", "C", "D", "A"]
    # p: only the "minor" rule fires (cap A) → stays A; q: both caps C and D → D
    assert t.loc["p", "grade"] == "A" and t.loc["p", "veto"] == "轻微"
    assert t.loc["q", "grade"] == "D" and t.loc["q", "veto"] == "统计弄虚作假; 失信被执行人"
    # r: fires cap C but is already C; s: D stays D; t: falsification missing → unchecked
    assert t.loc["r", "grade"] == "C" and t.loc["r", "veto"] == "统计弄虚作假"
    assert t.loc["s", "veto"] == "" and t.loc["t", "grade"] == "A"
    assert rated.unchecked[["uCode", "indicator"]].values.tolist() == [["t", "falsified"]]
    # u has no score: not rated, never graded
    assert pd.isna(t.loc["u", "grade"]) and "u" in rated.not_rated.index
    assert rated.distribution["count"].to_dict() == {"A": 2, "B": 0, "C": 1, "D": 2}
    assert rated.distribution["share"].sum() == pytest.approx(1.0)
    assert set(rated.fired["uCode"]) == {"p", "q", "r"}
    en = ie.rating.rate(scores, ie.rating.Scheme(TAX, _rules()), raw=raw, lang="en")
    assert en.table.loc["q", "veto"] == "statistical falsification; dishonest judgment debtor"
    assert "not rated" in str(rated.summary()) and "<table>" in rated._repr_html_()


def test_rate_errors():
    scheme = ie.rating.Scheme(TAX, [VETO])
    scores = pd.Series({"p": 95.0})
    with pytest.raises(ie.ValidationError, match="raw="):
        ie.rating.rate(scores, scheme)
    with pytest.raises(ie.ValidationError, match="unknown indicator"):
        ie.rating.rate(scores, scheme, raw=pd.DataFrame({"other": [1]}, index=["p"]))
    with pytest.raises(ie.ValidationError, match="unit missing from raw"):
        ie.rating.rate(scores, scheme, raw=pd.DataFrame({"falsified": [1]}, index=["x"]))
    with pytest.raises(ie.ValidationError, match="pass scheme="):
        ie.rating.rate(scores)


def _toy_fw(rating=None, **item):
    nodes = [
        {"code": "T", "level": 2},
        {"code": "a", "level": 1, "parent": "T", **item},
        {"code": "b", "level": 1, "parent": "T"},
    ]
    return ie.Framework.from_dict({"name": "toy", "nodes": nodes, "rating": rating})


def test_rate_evaluation_lists_unscored_units_as_not_rated():
    fw = _toy_fw()
    data = pd.DataFrame({"uCode": list("pqrs"), "a": [1.0, 2, 3, np.nan], "b": [4.0, 3, 1, np.nan]})
    ev = ie.build(fw, data)
    rated = ie.rating.rate(ev, "tax-credit")
    assert list(rated.table.index) == list("pqrs")
    assert pd.isna(rated.table.loc["s", "grade"])
    assert "no available data" in rated.not_rated["s"]
    with pytest.raises(ie.ValidationError, match="no rating block"):
        ie.rating.rate(ev)
    with pytest.raises(ie.ValidationError, match="unknown indicator"):
        ie.rating.rate(ev, ie.rating.Scheme(TAX, [VETO]))


def test_at_least():
    scores = pd.Series({"p": 95.0, "q": 85.0, "r": 75.0, "s": np.nan})
    stars = ie.rating.rate(scores, "stars-5")
    assert stars.table["stars"].tolist()[:3] == [5, 4, 3]
    assert stars.at_least(4).to_dict() == {"p": True, "q": True, "r": False, "s": False}
    grades = ie.rating.rate(scores, "tax-credit")
    assert grades.at_least("B").tolist() == [True, True, True, False]
    with pytest.raises(ie.ValidationError, match="star scheme"):
        grades.at_least(4)
    with pytest.raises(ie.ValidationError, match="not a grade"):
        grades.at_least("E")


def test_resolve_for_the_cli():
    jy = ie.load_framework("jiangyin-township-2018")
    s = ie.rating.resolve(None, jy)
    assert s.is_stars and s.bands == [
        ("5★", 110.0),
        ("4★", 100.0),
        ("3★", 90.0),
        ("2★", 80.0),
        ("1★", None),
    ]
    assert ie.rating.resolve("tax-credit", jy).name == "tax-credit"
    assert ie.rating.resolve(None, _toy_fw()) is None
    with pytest.raises(ie.ValidationError, match="unknown indicator"):
        ie.rating.resolve({"bands": TAX, "vetoes": [VETO]}, jy)
    plain = s.to_dict()
    assert plain["bands"][0] == {
        "grade": "5★",
        "stars": 5,
        "min": 110.0,
        "zh": "五星",
        "en": "five stars",
    }


def test_shipped_framework_vetoes_cite_seed_clauses():
    for name in ("shanghai-2018", "changning-2020", "luyang-2018"):
        fw = ie.load_framework(name)
        scheme = ie.rating.resolve(None, fw)
        assert scheme.vetoes, name
        for v in scheme.vetoes:
            assert v.indicator in fw.indicators and v.source.startswith("00")
            assert fw[v.indicator].direction == -1  # a breach count, never a merit


def test_shanghai_vetoes_fire_on_the_bundled_data():
    ds = ie.datasets.load("shanghai-districts")
    rated = ie.rating.rate(ie.build(ds.framework, ds.idata))
    raw = ds.idata.set_index("uCode")
    arrears = raw.index[raw["D05_debt_arrears"] > 0]
    assert len(arrears) == 1
    order = rated.scheme.grades
    for u in arrears:  # capped at 中: never better
        assert order.index(rated.table.loc[u, "grade"]) >= order.index("中")
        assert "政府债务逾期违约" in rated.table.loc[u, "veto"]
    changed = rated.table["grade"] != rated.table["grade_by_score"]
    assert changed.sum() >= 1


# ------------------------------------------------------------------ points
def _jiangyin():
    ds = ie.datasets.load("jiangyin-townships")
    return ds, ie.build(ds.framework, ds.idata)


def test_jiangyin_default_build_scores_points_totals_by_hand():
    ds, ev = _jiangyin()
    assert ev.spec["normalise"] == {"method": "clip"}
    assert ev.spec["aggregate"]["method"] == ["sum", "sum", "points"]
    # 澄江街道 (CJ), 2024 row of jiangyin_townships_synthetic.csv:
    # bonus 2+1+2+2+2+1+2+1+1+0+1 = 15 (cap 20 not reached);
    # deductions W1_disclosure 4 + W1_unkept 2 + W4_other 2 = 8  →  100 + 15 − 8 = 107
    assert ev.scores["CJ"] == 107
    # 璜土镇 (HTZ): the lowest total, 89 → two stars (80 ≤ 89 < 90);
    # 临港 (LGQ) scores exactly 90 → three stars (edge rule)
    assert ev.scores["HTZ"] == 89 and ev.scores["LGQ"] == 90
    fw = ds.framework
    x = ds.idata.set_index("uCode")[fw.indicators]
    # missing: worst (未报送不得分): a blank bonus item scores 0, a blank deduction its maximum
    assert fw.missing == "worst"
    x = x.fillna(pd.Series({c: fw[c].worst_best[0] for c in fw.indicators}))
    bonus = x.loc[:, fw.directions > 0].sum(axis=1).clip(upper=20)
    minus = x.loc[:, fw.directions < 0].sum(axis=1)
    pd.testing.assert_series_equal(
        ev.scores, (100 + bonus - minus)[ev.scores.index], check_names=False
    )
    rated = ie.rating.rate(ev)
    assert rated.table.loc["HTZ", "stars"] == 2 and rated.table.loc["LGQ", "stars"] == 3
    assert rated.table.loc["CJ", "grade"] == "4★"
    assert rated.at_least(4).sum() == (ev.scores >= 100).sum()


def test_points_clip_items_and_cap_the_bonus():
    rating = {
        "method": "points",
        "base": 100,
        "bonus_cap": 5,
        "stars": [{"stars": 2, "min": 100}, {"stars": 1}],
    }
    nodes = [
        {"code": "T", "level": 3},
        {"code": "P", "level": 2, "parent": "T"},
        {"code": "Q", "level": 2, "parent": "T"},
        {"code": "b1", "level": 1, "parent": "P", "min": 0, "max": 4},
        {"code": "d1", "level": 1, "parent": "P", "direction": -1, "min": 0, "max": 10},
        {"code": "b2", "level": 1, "parent": "Q", "min": 0, "max": 3},
    ]
    fw = ie.Framework.from_dict({"name": "pts", "nodes": nodes, "rating": rating})
    data = pd.DataFrame(
        {"uCode": ["u", "v", "w"], "b1": [9.0, 1, 2], "d1": [25.0, 3, 0], "b2": [3.0, 1, np.nan]}
    )
    ev = ie.build(fw, data)
    # u: b1 9 → clipped to 4, b2 3: bonus 7 → capped at 5; d1 25 → clipped to 10: 100 + 5 − 10
    # v: 100 + (1 + 1) − 3 = 99;  w: b2 missing counts for nothing: 100 + 2 − 0 = 102
    assert ev.scores.to_dict() == {"u": 95.0, "v": 99.0, "w": 102.0}
    # the areas hold the net points of their items (no base, no cap)
    assert ev.get_dset("Aggregated").loc["u", ["P", "Q"]].tolist() == [-6.0, 3.0]
    assert ev.get_dset("Normalised").loc["u", ["b1", "d1"]].tolist() == [4.0, -10.0]
    assert ie.rating.rate(ev).table["stars"].tolist() == [1, 1, 2]


def test_points_rating_block_errors():
    with pytest.raises(ie.ValidationError, match="must be a number"):
        ie.build(
            _toy_fw({"method": "points", "base": "hundred", "stars": []}),
            pd.DataFrame({"uCode": ["p"], "a": [1.0], "b": [2.0]}),
        )
    with pytest.raises(ie.ValidationError, match="stars"):
        ie.rating.scheme_from_rating({"method": "points", "base": 100})


# ------------------------------------------------------------- calibration
def test_calibrate_shares_by_hand_ties_never_split():
    scores = pd.Series([10, 9, 9, 8, 7, 7, 7, 5, 3, 1.0], index=list("abcdefghij"))
    s = ie.rating.calibrate_shares(scores, {"A": 0.2, "B": 0.3, "C": 0.3, "D": 0.2})
    # targets at or above each edge: 2, 5, 8 units; achievable counts 0,1,3,4,7,8,9,10
    # → 1 (1 and 3 equally close: the smaller), 4, 8
    assert s.bands == [("A", 9.5), ("B", 7.5), ("C", 4.0), ("D", None)]
    assert s.calibration["realised"] == {"A": 0.1, "B": 0.3, "C": 0.4, "D": 0.2}
    assert s.grade(scores.to_numpy()).tolist() == list("ABBBCCCCDD")


def test_calibrate_shares_empty_bands_keep_distinct_edges():
    s = ie.rating.calibrate_shares(pd.Series([5.0, 5, 5, 1]), {"A": 0.1, "B": 0.1, "C": 0.8})
    assert s.calibration["realised"] == {"A": 0.0, "B": 0.0, "C": 1.0}
    assert s.edges[0] > s.edges[1] > 5


@pytest.mark.parametrize("seed", range(5))
def test_calibrations_are_monotone_on_adversarial_data(seed):
    rng = np.random.default_rng(seed)
    n = 60
    scores = pd.Series(rng.integers(0, 6, n).astype(float))  # heavy ties
    order = ["A", "B", "C", "D"]
    shares = dict(zip(order, rng.dirichlet(np.full(4, 0.3)), strict=True))
    shares["D"] = 1 - sum(list(shares.values())[:3])
    # expert grades unrelated to (or against) the scores
    grades = pd.Series(rng.choice(order, n))
    grades.iloc[:4] = order
    schemes = [
        ie.rating.calibrate_shares(scores, shares),
        ie.rating.calibrate_expert(scores, grades, order=order, method="isotonic").scheme,
        ie.rating.calibrate_expert(-scores, grades, order=order, method="isotonic").scheme,
    ]
    x = np.sort(rng.normal(2.5, 3, 500))
    for s in schemes:
        assert np.all(np.diff(s.edges) < 0)
        idx = s.grade_index(x)
        assert np.all(np.diff(idx) <= 0)  # higher score, never a worse grade


def test_calibrate_anchors():
    scores = pd.Series({"PD": 90.0, "HP": 80, "CM": 40, "JA": 60, "XH": 70})
    s = ie.rating.calibrate_anchors(scores, {"PD": "A", "CM": "C"}, order=["A", "B", "C", "D"])
    assert s.grade(scores[["PD", "CM"]].to_numpy()).tolist() == ["A", "C"]
    assert np.all(np.diff(s.edges) < 0)
    # A|B and B|C share the interval (40, 90]: spread at thirds → 73.33, 56.67
    assert s.edges[:2] == pytest.approx([90 - 50 / 3, 90 - 100 / 3])
    with pytest.raises(ie.ValidationError) as exc:
        ie.rating.calibrate_anchors(
            scores, {"PD": "B", "HP": "A", "CM": "C", "JA": "D"}, order=["A", "B", "C", "D"]
        )
    text = problems(exc)
    assert "HP" in text and "PD" in text and "no monotone scheme" in str(exc.value)
    assert "JA" in text and "CM" in text
    with pytest.raises(ie.ValidationError) as exc:
        ie.rating.calibrate_anchors(scores, {"ZZ": "A", "PD": "E"}, order=["A", "B"])
    assert "row ZZ" in problems(exc) and "row PD" in problems(exc)
    assert "not among the scores" in problems(exc) and "not in order" in problems(exc)


def _ordered_nll(params, x, y, k):
    """Negative log-likelihood of the proportional-odds logit in (β, t_1 < … < t_{k−1})."""
    beta, t = params[0], np.sort(params[1:])
    upper = np.concatenate([beta * (t[None, :] - x[:, None]), np.full((len(x), 1), np.inf)], 1)
    lower = np.concatenate([np.full((len(x), 1), -np.inf), beta * (t[None, :] - x[:, None])], 1)
    p = stats.logistic.cdf(upper) - stats.logistic.cdf(lower)
    return -np.log(p[np.arange(len(x)), y]).sum()


def test_ordinal_logit_edges_and_delta_method_against_direct_mle():
    rng = np.random.default_rng(7)
    x = rng.normal(50, 15, 200)
    latent = x + rng.logistic(0, 6, 200)
    y = np.digitize(latent, [40, 55, 65])  # 0 = worst … 3 = best
    order = ["A", "B", "C", "D"]
    grades = pd.Series(np.array(order)[3 - y])
    fit = ie.rating.calibrate_expert(pd.Series(x), grades, order=order)
    # direct MLE of the reparametrised model P(y ≤ j−1) = F(β (t_j − s))
    start = np.array([0.1, 40, 55, 65])
    res = optimize.minimize(
        _ordered_nll,
        start,
        args=(x, y, 4),
        method="Nelder-Mead",
        options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 40000},
    )
    t_hat = np.sort(res.x[1:])[::-1]
    np.testing.assert_allclose(fit.thresholds["edge"], t_hat, rtol=1e-4)
    # standard errors from the inverse Hessian of the reparametrised likelihood
    h = approx_hess3(res.x, _ordered_nll, args=(x, y, 4))
    se = np.sqrt(np.diag(np.linalg.inv(h)))[1:][::-1]
    np.testing.assert_allclose(fit.thresholds["se"], se, rtol=2e-2)
    assert fit.scheme.calibration["method"] == "expert/ordinal_logit"


def test_isotonic_edges_by_hand():
    # PAV of grade indices [0, 1, 0, 1, 2, 2] on x = 1…6 pools (1, 0) → [0, .5, .5, 1, 2, 2];
    # the fit reaches 0.5 at x = 2 and 1.5 half-way between x = 4 (1) and x = 5 (2)
    x = pd.Series([1.0, 2, 3, 4, 5, 6])
    grades = pd.Series(["C", "B", "C", "B", "A", "A"])
    fit = ie.rating.calibrate_expert(x, grades, order=["A", "B", "C"], method="isotonic")
    assert fit.scheme.bands == [("A", 4.5), ("B", 2.0), ("C", None)]
    assert fit.thresholds["se"].isna().all()


def test_quadratic_kappa_by_hand():
    expert = pd.Series(["A", "A", "B", "B", "C", "C"])
    scores = pd.Series([95.0, 80, 80, 75, 50, 95])  # scheme grades A, B, B, B, C, A
    scheme = ie.rating.Scheme([("A", 90), ("B", 70), ("C", None)])
    agr = ie.rating.agreement(scheme, scores, expert)
    assert agr.confusion.to_numpy().tolist() == [[1, 1, 0], [0, 2, 0], [1, 0, 1]]
    # weights (i−j)²/(k−1)²; observed Σ w·O = (1·¼ + 1·1)/6; expected from the marginals
    # rows (2, 2, 2)/6, columns (2, 3, 1)/6: Σ w·E = Σ_ij w_ij r_i c_j = 22/36·… computed here
    o = agr.confusion.to_numpy() / 6
    w = np.subtract.outer(np.arange(3), np.arange(3)) ** 2 / 4
    e = np.outer(o.sum(1), o.sum(0))
    assert (w * o).sum() == pytest.approx(1.25 / 6)
    assert (w * e).sum() == pytest.approx(
        (2 * (3 * 0.25 + 1 * 1) + 2 * (2 * 0.25 + 0.25) + 2 * (2 + 3 * 0.25)) / 36
    )
    assert agr.kappa == pytest.approx(1 - (w * o).sum() / (w * e).sum())
    assert agr.kappa == pytest.approx(1 - (1.25 / 6) / (10.5 / 36))  # = 2/7
    assert agr.kappa == pytest.approx(2 / 7)
    assert agr.exact == pytest.approx(4 / 6)


def test_expert_calibration_recovers_the_true_edges():
    eg = expert_data.load()
    fit = ie.rating.calibrate_expert(eg.theta, eg.grades, order=eg.order)
    true = np.array(list(eg.truth["true_edges_theta"].values()))
    z = (fit.thresholds["edge"].to_numpy() - true) / fit.thresholds["se"].to_numpy()
    assert np.all(np.abs(z) < 3), z
    # held out: the last year
    past = eg.grades.index.get_level_values("Time") < 2024
    fit = ie.rating.calibrate_expert(
        eg.theta[eg.grades.index][past], eg.grades[past], order=eg.order
    )
    held = fit.evaluate(eg.theta, eg.grades[~past])
    assert held.n == 16 and held.kappa > 0.7 and fit.kappa > 0.7
    assert "held out" in held.summary() and "fitting periods" in fit.summary()


def test_expert_calibration_bad_input():
    order = ["A", "B", "C"]
    scores = pd.Series({"p": 1.0, "q": 2.0, "r": 3.0})
    with pytest.raises(ie.ValidationError) as exc:
        ie.rating.calibrate_expert(scores, pd.Series({"p": "A", "z": "B", "r": "E"}), order=order)
    text = problems(exc)
    assert "unknown grade label" in text and "row r" in text
    assert "no score" in text and "row z" in text
    with pytest.raises(ie.ValidationError, match="fewer observations"):
        ie.rating.calibrate_expert(scores[:2], pd.Series({"p": "A", "q": "B"}), order=order)
    with pytest.raises(ie.ValidationError, match="no expert grade of this level"):
        ie.rating.calibrate_expert(scores, pd.Series({"p": "A", "q": "A", "r": "B"}), order=order)
    with pytest.raises(ie.ValidationError, match="method must be one of"):
        ie.rating.calibrate_expert(scores, pd.Series({"p": "A"}), order=order, method="probit")
    # grades falling with the score: no monotone ordinal-logit scheme
    rng = np.random.default_rng(0)
    x = pd.Series(rng.normal(size=90))
    g = pd.Series(np.array(order)[np.digitize(x + rng.logistic(0, 0.3, 90), [-0.5, 0.5])])
    with pytest.raises(ie.ValidationError, match="slope"):
        ie.rating.calibrate_expert(x, g, order=order)
    with pytest.raises(ie.ValidationError, match="fewer observations"):
        ie.rating.calibrate_shares(pd.Series([1.0]), {"A": 0.5, "B": 0.5})
    with pytest.raises(ie.ValidationError, match="sum to 1"):
        ie.rating.calibrate_shares(scores, {"A": 0.5, "B": 0.4})


def test_expert_grades_regenerate_byte_identical(tmp_path):
    fresh = expert_data.write(tmp_path)
    committed = ROOT / "datasets" / "shanghai-expert-grades"
    files = sorted(p.name for p in committed.iterdir())
    assert files == sorted(p.name for p in fresh.iterdir())
    for f in files:
        assert (fresh / f).read_bytes() == (committed / f).read_bytes(), f
    text = (committed / "SOURCE.md").read_text(encoding="utf-8")
    assert "合成数据" in text and "synthetic" in text
    assert all("_synthetic" in f for f in files if f != "SOURCE.md")


# ------------------------------------------------------------ probabilities
def test_grade_probabilities_by_hand():
    scheme = ie.rating.Scheme([("A", 90), ("B", 70), ("C", None)])
    draws = pd.DataFrame(
        {
            "p": [95.0, 92, 91, 99, 90],  # always A
            "q": [91.0, 89, 85, 72, 95],  # A 2/5, B 3/5
            "r": [50.0, np.nan, 60, 69, 71],  # C 3/4, B 1/4 (one missing draw)
        }
    )
    got = ie.rating.grade_probabilities(draws, scheme)
    assert list(got.columns) == ["A", "B", "C", "borderline"]
    assert got.loc["p", ["A", "B", "C"]].tolist() == [1, 0, 0]
    assert got.loc["q", ["A", "B", "C"]].tolist() == pytest.approx([0.4, 0.6, 0])
    assert got.loc["r", ["A", "B", "C"]].tolist() == pytest.approx([0, 0.25, 0.75])
    # 5–95 % intervals: p [90.2, 98.2] one band; q [74.6, 94.2] spans A and B;
    # r [51.5, 70.7] (linear interpolation) spans B and C
    assert got["borderline"].tolist() == [False, True, True]
    with pytest.raises(ie.ValidationError, match="no valid draw"):
        ie.rating.grade_probabilities(pd.DataFrame({"p": [np.nan, np.nan]}), scheme)


def test_grade_probabilities_apply_veto_caps():
    scheme = ie.rating.Scheme([("A", 90), ("B", 70), ("C", None)], [{**VETO, "cap": "B"}])
    draws = pd.DataFrame({"p": [95.0, 85, 91, 99], "q": [95.0, 85, 91, 99]})
    raw = pd.DataFrame({"falsified": [1, 0]}, index=["p", "q"])
    got = ie.rating.grade_probabilities(draws, scheme, raw=raw)
    # p is capped at B in every draw: certain B, not borderline; q: A 3/4, B 1/4
    assert got.loc["p", ["A", "B", "C"]].tolist() == [0, 1, 0] and not got.loc["p", "borderline"]
    assert got.loc["q", ["A", "B", "C"]].tolist() == [0.75, 0.25, 0] and got.loc["q", "borderline"]
    with pytest.raises(ie.ValidationError, match="raw="):
        ie.rating.grade_probabilities(draws, scheme)


def test_panel_of_a_points_framework_scores_points():
    ds = ie.datasets.load("jiangyin-townships", panel=True)
    panel = ie.panel.build_panel(ds.framework, ds.idata)
    one = ie.build(ds.framework, ds.idata, time=2019)
    pd.testing.assert_series_equal(panel[2019].scores, one.scores)
    assert panel.scores.min().min() >= 20 and panel.scores.max().max() <= 120
