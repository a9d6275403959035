"""Morris screening, second-order Sobol indices and convergence: against SALib on the same
design, analytic values and builds; their plots in both languages."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from conftest import ASEM_SPEC, COINR_INPUTS

import integrity_eval as ie
from integrity_eval.errors import ValidationError
from integrity_eval.uncertainty.morris import trajectories
from integrity_eval.uncertainty.plots import input_label
from integrity_eval.uncertainty.sobol import _design, _indices, _to_values

unc = ie.uncertainty
PI = np.pi

DISCRETE = [
    {"path": "aggregate__method", "values": ["amean", "gmean"]},
    {"path": "treat", "values": [ASEM_SPEC["treat"], ASEM_SPEC["treat"]], "name": "dummy"},
]


# ----------------------------------------------------------------- Morris
@pytest.mark.parametrize("groups", [None, ["a", "a", "b"]])
def test_morris_agrees_with_salib_on_the_same_design(groups):
    salib = pytest.importorskip("SALib.analyze.morris", reason="SALib not installed")
    from SALib.test_functions import Ishigami

    names = groups or ["x1", "x2", "x3"]
    u, _, _ = trajectories(names, 40, 4, 5)
    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[0, 1]] * 3}
    if groups:
        problem["groups"] = groups
    ref = salib.analyze(problem, u, Ishigami.evaluate(-PI + 2 * PI * u), num_levels=4, seed=5)
    ours = unc.morris_function(
        Ishigami.evaluate, [(-PI, PI)] * 3, r=40, levels=4, seed=5, groups=groups
    )
    assert ours.names == list(dict.fromkeys(names))
    for key in ("mu", "mu_star", "sigma", "mu_star_conf"):
        np.testing.assert_allclose(getattr(ours, key), ref[key], rtol=1e-9, atol=1e-12)
    if groups:  # a group of several inputs has no σ (SALib)
        assert np.isnan(ours.sigma[0]) and np.isfinite(ours.sigma[1])


def test_morris_design_is_morris_1991():
    """r trajectories of D + 1 points on the p-level grid; each step moves one group by ±Δ."""
    levels, r = 6, 30
    delta = levels / (2 * (levels - 1))
    u, step, up = trajectories(["a", "b", "b", "c"], r, levels, 1)
    assert u.shape == (r * 4, 4)
    grid = np.linspace(0, 1, levels)
    assert np.isclose(u[..., None], grid).any(axis=-1).all()
    moves = np.diff(u.reshape(r, 4, 4), axis=1)
    changed = ~np.isclose(moves, 0)
    # exactly one group per step: a alone, b's two columns together, c alone
    assert (changed.sum(axis=2) == np.array([1, 2, 1])[step.argsort(axis=1)]).all()
    np.testing.assert_allclose(np.abs(moves[changed]), delta)
    np.testing.assert_array_equal(np.sign(moves.sum(axis=1)), up)
    assert sorted(np.unique(step)) == [0, 1, 2]


def test_morris_by_hand():
    # f = 3 x1 − 2 x2 + x1·x3 on the unit cube, p = 4, Δ = 2/3 (grid units):
    # EE1 = 3 + x3 (x3 ∈ {0, 1/3, 2/3, 1} at that point), EE2 = −2 exactly, EE3 = x1.
    res = unc.morris_function(
        lambda x: 3 * x[:, 0] - 2 * x[:, 1] + x[:, 0] * x[:, 2], [(0, 1)] * 3, r=50, seed=2
    )
    np.testing.assert_allclose(res.mu[1], -2.0)
    np.testing.assert_allclose(res.mu_star[1], 2.0)
    np.testing.assert_allclose(res.sigma[1], 0.0, atol=1e-12)
    assert 3.0 <= res.mu_star[0] <= 4.0 and res.sigma[0] > 0
    assert 0.0 <= res.mu_star[2] <= 1.0 and res.sigma[2] > 0
    # a range scales the effects: x2 on (−1, 1) doubles |EE2|
    res = unc.morris_function(lambda x: -2 * x[:, 1], [(0, 1), (-1, 1)], r=10, seed=0)
    np.testing.assert_allclose(res.mu_star, [0.0, 4.0])


def test_morris_screens_sobol_g_in_order_of_importance():
    # Sobol's G: input i matters less as aᵢ grows (Saltelli et al. 2008, §3.5); μ* ranks them
    a = np.array([0.0, 1.0, 4.5, 9.0, 99.0])

    def g(x):
        return np.prod((np.abs(4 * x - 2) + a) / (1 + a), axis=1)

    res = unc.morris_function(g, [(0, 1)] * 5, r=200, levels=4, seed=0)
    assert list(np.argsort(-res.mu_star)) == [0, 1, 2, 3, 4]


def test_morris_of_an_evaluation_equals_the_builds(asem_ev):
    """Discrete inputs only: every elementary effect of the aggregation is the rank change
    between the two builds over Δ; the dummy input has none."""
    base = asem_ev.with_params(normalise__l_u=[1, 100])
    res = unc.morris(base, DISCRETE, r=6, seed=4, quiet=True)
    amean = base.with_params(aggregate__method="amean").ranks
    gmean = base.with_params(aggregate__method="gmean").ranks
    ee = ((gmean - amean) / (2 / 3)).to_numpy(dtype=float)
    frame = res.to_frame().xs("aggregate__method", level="input")
    assert list(frame.index) == list(base.scores.index)
    np.testing.assert_allclose(frame["mu"], ee)
    np.testing.assert_allclose(frame["sigma"], 0.0, atol=1e-12)
    np.testing.assert_allclose(res.to_frame().xs("dummy", level="input")["mu_star"], 0.0)
    shift = unc.morris(base, DISCRETE, r=6, seed=4, output="rank_shift", quiet=True)
    expected = np.abs(gmean - amean).mean() / (2 / 3)
    assert shift.mu.shape == (2,)
    np.testing.assert_allclose(shift.mu_star[0], expected)


def test_morris_with_weights_and_reproducible(asem_ev):
    a = unc.morris(asem_ev, COINR_INPUTS, r=4, seed=1, quiet=True)
    b = unc.morris(asem_ev, COINR_INPUTS, r=4, seed=1, quiet=True, chunk_size=3)
    np.testing.assert_array_equal(a.mu_star, b.mu_star)
    assert a.names == ["weights", "treat", "normalise", "aggregate__method"]
    assert np.isnan(a.mean().loc["weights", "sigma"])  # a group of weights
    assert np.isfinite(a.mu_star).all() and "r = 4" in repr(a)
    assert "Morris 筛选 / Morris screening" in str(a.summary())
    assert "<table" in a._repr_html_()


def test_morris_warns_when_levels_miss_alternatives(asem_ev):
    inputs = [{"path": "aggregate__method", "values": ["amean", "gmean", "hmean"]}]
    with pytest.warns(UserWarning, match=r"aggregate__method \(3\).*raise levels"):
        unc.morris(asem_ev.with_params(normalise__l_u=[1, 100]), inputs, r=3, levels=2, quiet=True)


def test_progress_bar_names_the_analysis(asem_ev, monkeypatch):
    """The engine's progress label says Morris for a Morris run, Sobol for a Sobol run."""
    import contextlib

    from integrity_eval.uncertainty import engine

    labels = []

    @contextlib.contextmanager
    def record(*, desc, **kwargs):
        labels.append(desc)
        yield type("Bar", (), {"update": lambda self, k: None})()

    monkeypatch.setattr(engine, "progress", record)
    inputs = [{"path": "aggregate__method", "values": ["amean", "gmean"]}]
    base = asem_ev.with_params(normalise__l_u=[1, 100])
    unc.morris(base, inputs, r=2, seed=0, quiet=True)
    unc.sobol(base, inputs, n=8, seed=0, quiet=True)
    assert labels == ["Morris", "Sobol"]


def test_morris_bad_settings_listed():
    with pytest.raises(ValidationError) as err:
        unc.morris_function(lambda x: x[:, 0], [(0, 1)], r=1, levels=3, num_resamples=0)
    assert len(err.value.problems) == 3
    assert "levels" in str(err.value) and "偶数" in str(err.value)


# ----------------------------------------------------- Sobol second order
def _salib_layout(y: np.ndarray, n: int, blocks: int) -> np.ndarray:
    """Our blocks [A; AB…; BA…; B] in SALib's row order (one base row after another)."""
    return y.reshape(blocks, n).T.reshape(-1)


def test_second_order_agrees_with_salib_on_the_same_design():
    salib = pytest.importorskip("SALib.analyze.sobol", reason="SALib not installed")
    from SALib.test_functions import Ishigami

    bounds, n = [(-PI, PI)] * 3, 512
    u, names = _design(3, n, 4, ["a", "b", "c"], second_order=True)
    assert u.shape == (n * 8, 3)
    y = Ishigami.evaluate(_to_values(u, bounds))
    ref = salib.analyze(
        {"num_vars": 3, "names": names, "bounds": bounds},
        _salib_layout(y, n, 8),
        calc_second_order=True,
        num_resamples=100,
        seed=9,
    )
    ours = unc.sobol_function(Ishigami.evaluate, bounds, n=n, seed=4, second_order=True)
    # the bootstrap intervals follow SALib's stream when the seeds agree
    est = _indices(y[:, None].copy(), n, 3, 100, 0.95, 9, second_order=True)
    for key in ("S1", "ST", "S2", "S1_conf", "ST_conf", "S2_conf"):
        np.testing.assert_allclose(est[key][..., 0], ref[key], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ours.S1, ref["S1"], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ours.S2, ref["S2"], rtol=1e-9, atol=1e-12)
    assert np.isnan(ours.S2[np.tril_indices(3)]).all()


def test_second_order_ishigami_analytic():
    # Ishigami (a = 7, b = 0.1): S12 = S23 = 0, S13 = 0.2437 (Saltelli et al. 2008, §4.6)
    from SALib.test_functions import Ishigami

    res = unc.sobol_function(Ishigami.evaluate, [(-PI, PI)] * 3, n=2**13, seed=0, second_order=True)
    np.testing.assert_allclose(
        [res.S2[0, 1], res.S2[0, 2], res.S2[1, 2]], [0, 0.2437, 0], atol=0.03
    )
    frame = res.second_order_frame()
    assert list(frame.index) == [("x1", "x2"), ("x1", "x3"), ("x2", "x3")]
    assert "二阶指数 / second-order indices" in str(res.summary())


def test_second_order_of_an_evaluation(asem_ev):
    base = asem_ev.with_params(normalise__l_u=[1, 100])
    res = unc.sobol(base, DISCRETE, n=16, seed=0, second_order=True, quiet=True)
    assert res.S2.shape == (2, 2, len(res.outputs))
    np.testing.assert_allclose(res.second_order_frame()["S2"], 0.0, atol=1e-12)  # dummy
    with pytest.raises(ValidationError, match="second_order=True"):
        unc.sobol(base, DISCRETE, n=8, seed=0, quiet=True).second_order_frame()


# ------------------------------------------------------------ convergence
def test_sobol_convergence_reuses_the_run():
    from SALib.test_functions import Ishigami

    res = unc.sobol_function(Ishigami.evaluate, [(-PI, PI)] * 3, n=1024, seed=0)
    conv = res.convergence()
    table = conv.table
    assert list(table.index.get_level_values("n").unique()) == [8, 16, 32, 64, 128, 256, 512, 1024]
    # the full size is the run itself; a prefix is the run with n' base rows
    np.testing.assert_allclose(table.xs(1024, level="n")["ST"], res.ST)
    part = res.convergence(sizes=[256]).table.xs(256, level="n")
    u, _ = _design(3, 1024, 0, ["x1", "x2", "x3"])
    blocks = Ishigami.evaluate(_to_values(u, [(-PI, PI)] * 3)).reshape(5, 1024)[:, :256]
    est = _indices(blocks.reshape(-1, 1).copy(), 256, 3, 100, 0.95, 0)
    np.testing.assert_allclose(part["S1"], est["S1"][:, 0])
    np.testing.assert_allclose(part["ST_conf"], est["ST_conf"][:, 0])
    # intervals shrink with n (about 1/√n)
    width = table["ST_conf"].groupby(level="n").mean()
    assert width.loc[1024] < width.loc[64] / 2
    with pytest.raises(ValidationError, match="sizes"):
        res.convergence(sizes=[4096])


def test_montecarlo_convergence(asem_ev):
    ua = unc.run(asem_ev, COINR_INPUTS, n=64, seed=2, quiet=True)
    table = ua.convergence().table
    assert list(table.index) == [8, 16, 32, 64]
    full = table.loc[64]
    assert full["max_change_median_rank"] == 0 and full["max_change_rank_q95"] == 0
    assert full["rank_shift"] == pytest.approx(ua.rank_shift)
    frame = ua.to_frame()
    assert full["mean_interval_width"] == pytest.approx(frame["rank_interval_width"].mean())
    first = unc.run(asem_ev, COINR_INPUTS, n=64, seed=2, quiet=True).ranks.iloc[:16]
    assert table.loc[16, "rank_shift"] == pytest.approx(
        np.nanmean(np.abs(first.to_numpy() - ua.nominal_ranks.to_numpy()))
    )


def test_mean_rank_and_rank_sd(asem_ev):
    ua = unc.run(asem_ev, COINR_INPUTS, n=32, seed=5, quiet=True)
    frame = ua.to_frame()
    np.testing.assert_allclose(frame["mean_rank"], ua.ranks.mean().to_numpy())
    np.testing.assert_allclose(frame["rank_sd"], ua.ranks.std(ddof=1).to_numpy())


# ------------------------------------------------------------------ plots
def test_input_labels():
    assert input_label("aggregate__method") == "聚合方法 / aggregation method"
    assert input_label("aggregate__method", "en") == "aggregation method"
    assert input_label("normalise", "en") == "normalisation"
    assert input_label("my own name") == "my own name"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sensitivity_plots_in_both_languages(asem_ev, lang):
    ua = unc.run(asem_ev, COINR_INPUTS, n=32, seed=1, quiet=True)
    sa = unc.sobol(asem_ev, COINR_INPUTS[:2], n=16, seed=0, quiet=True)
    mo = unc.morris(asem_ev, COINR_INPUTS, r=4, seed=0, quiet=True)
    axes = {
        "ranks": ua.plot_ranks(names=True, lang=lang),
        "box": sa.plot("box", lang=lang),
        "bar": sa.plot(lang=lang),
        "morris": mo.plot(lang=lang),
        "conv_sobol": sa.convergence().plot(lang=lang),
        "conv_mc": ua.convergence().plot(lang=lang),
    }
    for name, ax in axes.items():
        texts = [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        texts += [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]
        assert ax.get_title(), name
        chinese = any("\u4e00" <= ch <= "\u9fff" for t in texts for ch in t)
        assert chinese == (lang == "zh") or name == "ranks", name
    names = {t.get_text() for t in axes["ranks"].get_yticklabels()}
    assert set(asem_ev.units["uName"]) >= names
    if lang == "zh":
        assert axes["morris"].get_title() == "Morris 筛选 / Morris screening (r = 4)"
        assert "权重 / weights" in {t.get_text() for t in axes["bar"].get_xticklabels()}
    with pytest.raises(ValidationError, match="kind"):
        sa.plot("pie")
    plt.close("all")
