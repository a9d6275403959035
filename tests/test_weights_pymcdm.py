"""CILOS, IDOCRIW, Gini, LOPCOW, variance and angle weights against their papers' worked
examples and pymcdm 1.4 (computed live); the Best–Worst Method, its questionnaire, and the
new models in a build's spec and in compare_schemes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import TOY_NODES as NODES

import integrity_eval as ie

W = ie.weights
pm = pytest.importorskip("pymcdm")
from pymcdm import weights as pw  # noqa: E402


def frame(rows) -> pd.DataFrame:
    a = np.asarray(rows, dtype=float)
    return pd.DataFrame(a, columns=[f"C{j + 1}" for j in range(a.shape[1])])


def raised(fn) -> ie.ValidationError:
    with pytest.raises(ie.ValidationError) as info:
        fn()
    return info.value


# ------------------------------------------------------------------ pymcdm 1.4 live
PYMCDM = {
    "cilos": lambda x, t: pw.cilos_weights(x, t),
    "idocriw": lambda x, t: pw.idocriw_weights(x, t),
    "gini": lambda x, t: pw.gini_weights(x),
    "lopcow": lambda x, t: pw.lopcow_weights(x, t),
    "variance": lambda x, t: pw.variance_weights(x),
    "angle": lambda x, t: pw.angle_weights(x),
}


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("model", sorted(PYMCDM))
def test_agrees_with_pymcdm(model, seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(1, 10, (7 + seed, 4 + seed))
    t = rng.choice([1, -1], x.shape[1])
    t[0], t[1] = 1, -1
    X = frame(x)
    got = getattr(W, model)(X, directions=dict(zip(X.columns, t, strict=True)))
    np.testing.assert_allclose(got.weights.to_numpy(), PYMCDM[model](x, t), rtol=0, atol=1e-9)
    assert got.weights.sum() == pytest.approx(1) and got.method == model
    assert model in str(got.summary()) and got.source


# ------------------------------------------------------------------ published examples
ZP2016 = [[3, 100, 10, 7], [2.5, 80, 8, 5], [1.8, 50, 20, 11], [2.2, 70, 12, 9]]
ZP2016_DIRECTIONS = {"C1": -1, "C3": -1}


def test_cilos_idocriw_zavadskas_podvezko_2016_example():
    """Zavadskas & Podvezko (2016) IJITDM 15(2): 267–283, §4 (four alternatives, C1 and C3
    costs): CILOS .3343 .2199 .1957 .2501, IDOCRIW .1658 .1885 .3545 .2911 (as quoted in
    pymcdm's tests)."""
    X = frame(ZP2016)
    q = W.cilos(X, directions=ZP2016_DIRECTIONS)
    assert q.weights.round(4).tolist() == [0.3343, 0.2199, 0.1957, 0.2501]
    w = W.idocriw(X, directions=ZP2016_DIRECTIONS)
    assert w.weights.round(4).tolist() == [0.1658, 0.1885, 0.3545, 0.2911]
    parts = w.tables["IDOCRIW"]
    assert parts["cilos"].to_numpy() == pytest.approx(q.weights.to_numpy())
    assert parts["entropy"].to_numpy() == pytest.approx(W.entropy(X).weights.to_numpy())


def test_cilos_by_hand_two_units():
    """By hand: units (2, 1) and (1, 2) → r = (⅔, ⅓) and (⅓, ⅔); the best unit on C1 loses
    (⅔ − ⅓)/⅔ = ½ on C2, and vice versa: F = [[−½, ½], [½, −½]] → q = (½, ½)."""
    r = W.cilos(frame([[2, 1], [1, 2]]))
    assert r.weights.tolist() == pytest.approx([0.5, 0.5])
    err = raised(lambda: W.cilos(frame([[2, 2], [1, 1]])))  # one unit best everywhere
    assert "not unique" in err.problems[0].rule and "不唯一" in err.problems[0].rule


def test_angle_shuai_2012_example():
    """Shuai, Zongzhun, Yongji & Lei (2012) Proc. 24th CCDC, pp. 3889–3892 (as quoted in
    pymcdm's tests): .415 .3612 .2227 .0012."""
    X = frame([[30, 30, 38, 29], [19, 54, 86, 29], [19, 15, 85, 29.1], [68, 70, 60, 29]])
    assert W.angle(X).weights.round(4).tolist() == [0.415, 0.3612, 0.2227, 0.0012]


def test_lopcow_ecer_pamucar_2022_example():
    """Ecer & Pamučar (2022) Omega 112: 102690, §4 (nine banks, ten benefit and seven cost
    criteria; the printed weights to four decimals, as quoted in pymcdm's tests)."""
    benefit = np.array(
        [
            [21.8, 14.1, 10.7, 1.6, 1.8, 770, 12750, 18, 5100, 1.5],
            [16.4, 8.5, 13.9, 1.2, 1.3, 524, 12087, 5.7, 2941, 2.208],
            [14.5, 7.0, 2.3, 0.2, 0.2, 238, 3265, 1.9, 320, 2.32],
            [18.2, 10.3, 11.4, 1.2, 1.1, 835, 16037, 21.3, 4332, 0.875],
            [18.5, 8.1, 11.1, 1.0, 1.1, 504, 9464, 1.4, 1743, 2.95],
            [18.7, 11.4, 10.8, 1.3, 1.5, 1227, 24053, 20.0, 6521, 0.733],
            [18.5, 12.6, 10.8, 1.4, 1.8, 912, 18800, 18.2, 5300, 1.29],
            [16.4, 6.7, 12.6, 0.9, 0.9, 951, 16767, 22.0, 3917, 2.46],
            [15.2, 6.3, 6.9, 0.5, 0.5, 1013, 20170, 10.97, 4060, 1.67],
        ]
    )
    cost = np.array(
        [
            [9.1, 1.054, 4.196, 29.407, 7.03, 15.08, 9.705],
            [15.2, 1.123, 3.86, 5.228, 14.724, 32.103, 19.0],
            [16.202, 1.008, 3.095, 5.549, 17.34, 65.129, 32.056],
            [9.484, 0.856, 2.191, 23.75, 13.1, 58.157, 27.46],
            [0.7, 0.479, 2.44, 8.77, 13.48, 33.45, 17.68],
            [1.6, 0.857, 2.377, 4.985, 11.743, 26.732, 24.485],
            [8.27, 0.558, 0.635, 5.22, 13.829, 31.914, 7.515],
            [3.9, 0.724, 0.568, 4.491, 14.357, 28.869, 7.313],
            [1.7, 0.704, 2.96, 3.24, 10.029, 60.981, 23.541],
        ]
    )
    X = frame(np.hstack([benefit, cost]))
    d = {f"C{j}": -1 for j in range(11, 18)}
    want = [0.0495, 0.0366, 0.0846, 0.0706, 0.0637, 0.0661, 0.0699, 0.0504, 0.0690, 0.0492]
    want += [0.0556, 0.0487, 0.0482, 0.0763, 0.0551, 0.0532, 0.0534]
    assert W.lopcow(X, directions=d).weights.round(4).tolist() == want


def test_gini_and_variance_by_hand():
    """Gini (Li & Chi 2009): column (1, 2, 3) → Σ|x_i − x_k| = 8, 2n²μ = 36 → G = 2/9; column
    (2, 2, 5) → 12/(2·9·3) = 2/9: equal weights. Variance (Rao & Patel 2010): min-max
    scaled (0, ½, 1) and (0, 0, 1) have variances ¼ and ⅓ → weights 3/7, 4/7."""
    X = frame([[1, 2], [2, 2], [3, 5]])
    g = W.gini(X)
    assert g.coefficient.tolist() == pytest.approx([2 / 9, 2 / 9])
    assert g.weights.tolist() == pytest.approx([0.5, 0.5])
    assert W.variance(X).weights.tolist() == pytest.approx([3 / 7, 4 / 7])
    # a constant column gets weight 0; all constant is refused
    assert W.gini(frame([[1, 2], [1, 3]])).weights.tolist() == pytest.approx([0, 1])
    assert "constant" in raised(lambda: W.gini(frame([[1, 2], [1, 2]]))).problems[0].rule


# ------------------------------------------------------------------------------- BWM
def test_bwm_consistent_judgements_by_hand():
    """Fully consistent (a_Bj · a_jW = a_BW for every j): w_j = w_B/a_Bj, so w ∝ (8, 4, 2, 1),
    ξᴸ = ξ* = 0, CR = 0 (Rezaei 2015, §3, Definition 1)."""
    r = W.bwm({"a": 1, "b": 2, "c": 4, "d": 8}, {"a": 8, "b": 4, "c": 2, "d": 1})
    assert r.weights.tolist() == pytest.approx([8 / 15, 4 / 15, 2 / 15, 1 / 15])
    assert (r.best, r.worst) == ("a", "d")
    assert r.xi_linear == pytest.approx(0, abs=1e-12) and r.cr == 0


def test_bwm_linear_model_by_hand():
    """a_B = (1, 2, 8), a_W = (8, 3, 1) is inconsistent (2 · 3 ≠ 8). With all three
    constraints binding — w1 − 2w2 = ξ, 8w3 − w1 = ξ, w2 − 3w3 = ξ — w = (15, 7, 2)/24 and
    ξᴸ = 1/24 (Rezaei 2016, model (8))."""
    r = W.bwm({"a": 1, "b": 2, "c": 8}, {"a": 8, "b": 3, "c": 1})
    assert r.weights.tolist() == pytest.approx([15 / 24, 7 / 24, 2 / 24])
    assert r.xi_linear == pytest.approx(1 / 24)


def test_bwm_consistency_index_table_and_ratio():
    """Rezaei (2015) Table 3: CI = 0.00, 0.44, 1.00, 1.63, 2.30, 3.00, 3.73, 4.47, 5.23 for
    a_BW = 1 … 9. The most inconsistent system (a_Bj = a_jW = a_BW) reaches ξ* = CI, CR = 1.
    The example a_B = (8, 2, 1), a_W = (1, 5, 8) has ξ* ≈ 0.26 (JMcDM's test of Rezaei 2015)."""
    ci = [round(W.bwm_consistency_index(a), 2) for a in range(1, 10)]
    assert ci == [0.0, 0.44, 1.0, 1.63, 2.3, 3.0, 3.73, 4.47, 5.23]
    worst = W.bwm({"b": 1, "m": 9, "w": 9}, {"b": 9, "m": 9, "w": 1})
    assert worst.cr == pytest.approx(1.0) and worst.ci == pytest.approx(5.228, abs=1e-3)
    r = W.bwm({"c1": 8, "c2": 2, "c3": 1}, {"c1": 1, "c2": 5, "c3": 8})
    assert r.xi == pytest.approx(0.26, abs=0.005) and r.cr == pytest.approx(r.xi / r.ci)


def _xi_by_bisection(a_b, a_w, b, w) -> float:
    """ξ* of Rezaei's (2015) non-linear model by bisection on LP feasibility (HiGHS)."""
    from scipy.optimize import linprog

    n = len(a_b)

    def feasible(xi):
        rows = []
        for j in range(n):
            for i, k, a in ((b, j, a_b[j]), (j, w, a_w[j])):
                if i == k:
                    continue
                hi = np.zeros(n)
                hi[i], hi[k] = 1, -(a + xi)  # w_i ≤ (a + ξ) w_k
                lo = np.zeros(n)
                lo[i], lo[k] = -1, a - xi  # (a − ξ) w_k ≤ w_i
                rows += [hi, lo]
        res = linprog(
            np.zeros(n),
            A_ub=np.array(rows),
            b_ub=np.zeros(len(rows)),
            A_eq=np.ones((1, n)),
            b_eq=[1],
            bounds=[(1e-9, None)] * n,
            method="highs",
        )
        return res.status == 0

    lo, hi = 0.0, float(max(a_b.max(), a_w.max()))
    for _ in range(50):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if feasible(mid) else (mid, hi)
    return hi


@pytest.mark.parametrize("seed", range(6))
def test_bwm_closed_form_xi_equals_the_nonlinear_optimum(seed):
    rng = np.random.default_rng(seed)
    n = 3 + seed % 4
    a_b = rng.integers(1, 10, n).astype(float)
    a_w = rng.integers(1, 10, n).astype(float)
    a_b[0], a_w[-1] = 1, 1
    a_b[-1] = a_w[0] = max(a_b[-1], 2)
    codes = [f"k{i}" for i in range(n)]
    r = W.bwm(
        dict(zip(codes, a_b, strict=True)),
        dict(zip(codes, a_w, strict=True)),
        best=codes[0],
        worst=codes[-1],
    )
    assert r.xi == pytest.approx(_xi_by_bisection(a_b, a_w, 0, n - 1), abs=1e-5)


def test_bwm_refusals_are_bilingual():
    err = raised(lambda: W.bwm({"a": 1, "b": 1, "c": 4}, {"a": 4, "b": 2, "c": 1}))
    assert err.problems[0].column == "best" and "pass best=" in err.problems[0].rule
    err = raised(lambda: W.bwm({"a": 1, "b": 2, "c": 4}, {"a": 5, "b": 2, "c": 1}))
    assert "a_BW" in err.problems[0].rule
    err = raised(lambda: W.bwm({"a": 1, "b": 0.5}, {"a": 2, "c": 1}))
    for p in err.problems:
        assert " / " in p.message and any("\u4e00" <= ch <= "\u9fff" for ch in p.message)
    ok = W.bwm({"a": 1, "b": 1, "c": 4}, {"a": 4, "b": 4, "c": 1}, best="a")
    assert ok.best == "a" and ok.weights.sum() == pytest.approx(1)


# --------------------------------------------------------------- the BWM questionnaire
def fill(path, answers, out):
    """Fill a BWM questionnaire: answers = {sheet: (best, worst, {code: (a_B, a_W)})}."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    for sheet, (best, worst, rows) in answers.items():
        ws = wb[sheet]
        ws["B3"], ws["B4"] = best, worst
        for r in range(7, ws.max_row + 1):
            code = ws.cell(r, 1).value
            if code in rows:
                ws.cell(r, 3).value, ws.cell(r, 4).value = rows[code]
    wb.save(out)
    return out


def test_bwm_template_round_trip(tmp_path):
    p = W.bwm_template("shanghai-2018", 3, tmp_path / "bwm.xlsx", expert="E1")
    again = W.bwm_template("shanghai-2018", 3, tmp_path / "again.xlsx", expert="E1")
    assert p.read_bytes() == again.read_bytes()  # reproducible
    fw = ie.load_framework("shanghai-2018")
    kids = fw.children["INDEX"]
    a_b = {k: 1 + 2 * i for i, k in enumerate(kids)}
    a_w = {k: a_b[kids[-1]] // a_b[k] or 1 for k in kids}
    a_w[kids[0]] = a_b[kids[-1]]
    rows = {k: (a_b[k], a_w[k]) for k in kids}
    filled = fill(p, {"INDEX": (kids[0], kids[-1], rows)}, tmp_path / "filled.xlsx")
    resp = W.read_bwm(filled)
    assert resp.expert == "E1" and list(resp.comparisons) == ["INDEX"]
    got = resp.weights()["INDEX"]
    want = W.bwm(a_b, a_w, best=kids[0], worst=kids[-1])
    assert got.weights.to_numpy() == pytest.approx(want.weights.to_numpy())
    group = W.bwm_group({"E1": got, "E2": want})
    assert group.weights.to_numpy() == pytest.approx(want.weights.to_numpy())
    assert group.max_cr == pytest.approx(want.cr)


def test_read_bwm_lists_every_problem(tmp_path):
    p = W.bwm_template("shanghai-2018", 3, tmp_path / "bwm.xlsx")
    kids = ie.load_framework("shanghai-2018").children["INDEX"]
    rows = {k: (2, 2) for k in kids}
    rows[kids[1]] = (11, None)  # off the scale, missing
    filled = fill(p, {"INDEX": ("nope", kids[-1], rows)}, tmp_path / "bad.xlsx")
    err = raised(lambda: W.read_bwm(filled))
    found = {(p.column, p.row) for p in err.problems}
    assert ("B", "3") in found  # best not chosen among the children
    assert ("C", "8") in found and ("D", "8") in found
    assert all(" / " in p.message for p in err.problems)
    err = raised(lambda: W.read_bwm(tmp_path / "missing.xlsx"))
    assert "file not found" in str(err)


# ------------------------------------------------------------- in a build and compared
@pytest.fixture(scope="module")
def toy():
    fw = ie.Framework.from_dict({"name": "t", "nodes": NODES})
    data = pd.DataFrame(
        {
            "uCode": ["u1", "u2", "u3", "u4", "u5"],
            "a": [1.0, 2, 3, 4, 6],
            "b": [6.0, 1, 3, 2, 5],  # u1 best on b, u5 on a: CILOS is defined
            "c": [2.0, 5, 1, 3, 4],
        }
    )
    spec = {"normalise": {"method": "minmax", "l_u": [1, 100]}, "aggregate": {"method": "amean"}}
    return fw, data, spec


@pytest.mark.parametrize("model", ["cilos", "idocriw", "gini", "lopcow", "variance", "angle"])
def test_spec_weights_models(toy, model):
    fw, data, spec = toy
    ev = ie.build(fw, data, {**spec, "weights": {"method": model, "level": 1}})
    norm = ev.get_dset("Normalised")
    direct = getattr(W, model)(norm[["a", "b"]]).weights
    assert ev.weights[["a", "b"]].to_numpy() == pytest.approx(direct.to_numpy())
    assert ev.details["weight_models"]["D1"].method == model


def test_spec_weights_bwm_questionnaires(tmp_path):
    """``weights: {method: bwm, questionnaires: [...]}``: the experts' BWM weights replace
    the nominal ones of the aggregates they answered (two experts: the group mean)."""
    ds = ie.datasets.load("shanghai-districts")
    kids = ds.framework.children["INDEX"]
    p = W.bwm_template(ds.framework, 3, tmp_path / "bwm.xlsx")
    rows = {k: (2, 2) for k in kids}
    rows[kids[0]], rows[kids[-1]] = (1, 4), (4, 1)
    one = fill(p, {"INDEX": (kids[0], kids[-1], rows)}, tmp_path / "e1.xlsx")
    rows[kids[1]] = (3, 1)
    two = fill(p, {"INDEX": (kids[0], kids[-1], rows)}, tmp_path / "e2.xlsx")
    spec = {"impute": {"method": "mean"}, "normalise": {"method": "minmax"}}
    spec |= {"aggregate": {"method": "amean"}}
    cfg = {"method": "bwm", "questionnaires": [str(one), str(two)]}
    ev = ie.build(ds.framework, ds.idata, {**spec, "weights": cfg})
    want = W.bwm_group(
        {"1": W.read_bwm(one).weights()["INDEX"], "2": W.read_bwm(two).weights()["INDEX"]}
    )
    assert ev.weights[kids].to_numpy() == pytest.approx(want.weights[kids].to_numpy())


def test_compare_schemes_with_the_new_models(toy):
    fw, data, spec = toy
    ev = ie.build(fw, data, spec)
    cmp = W.compare_schemes(ev, methods=("cilos", "gini", "angle"), level=1)
    assert list(cmp.evaluations) == ["nominal", "cilos", "gini", "angle"]
    assert cmp.weights(["a", "b"]).loc["a", "gini"] == pytest.approx(
        W.gini(ev.get_dset("Normalised")[["a", "b"]]).weights["a"]
    )
