"""Uncertainty and sensitivity analysis: Monte Carlo engine, Sobol indices, multi-source scores."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import ASEM_SPEC, COINR_INPUTS, ROOT

import integrity_eval as ie
from integrity_eval.errors import ValidationError
from integrity_eval.uncertainty import engine
from integrity_eval.uncertainty.montecarlo import FIRST_COLUMNS, SCORE_COLUMNS
from integrity_eval.uncertainty.problem import validate_inputs
from integrity_eval.uncertainty.sobol import _design, _indices, _to_values

unc = ie.uncertainty


@pytest.fixture(scope="module")
def ua(asem_ev):
    return unc.run(asem_ev, COINR_INPUTS, n=300, seed=3, quiet=True)


# ----------------------------------------------------------------- engine
def test_nominal_replication_equals_the_build_exactly(asem_ev, ua):
    nominal = ua.nominal_scores
    assert list(nominal.index) == list(asem_ev.scores.index)
    assert np.array_equal(nominal.to_numpy(), asem_ev.scores.to_numpy())
    assert (ua.nominal_ranks == asem_ev.ranks).all()
    frame = ua.to_frame()
    assert np.array_equal(frame["nominal_score"].to_numpy(), asem_ev.scores.to_numpy())


def test_each_replication_equals_its_build(asem_ev):
    """Discrete choices only: every replication must be exactly the full build of its choices."""
    base = asem_ev.with_params(normalise__l_u=[1, 100])
    inputs = [
        {"path": "aggregate__method", "values": ["amean", "gmean"]},
        {"path": "treat", "values": [ASEM_SPEC["treat"], None]},
    ]
    res = unc.run(base, inputs, n=16, seed=1, quiet=True)
    for draw, (agg, treat) in res.choices.iterrows():
        built = base.with_params(
            aggregate__method=inputs[0]["values"][agg], treat=inputs[1]["values"][treat]
        )
        assert np.array_equal(res.scores.loc[draw].to_numpy(), built.scores.to_numpy())
    assert set(res.choices["aggregate__method"]) == {0, 1}


def test_every_mean_with_missing_data_equals_its_build(asem_ev):
    """Missing children (no imputation), every batched mean and dat_thresh: as the build."""
    base = asem_ev.with_params(impute=None, screen=None, normalise__l_u=[1, 100])
    assert base.get_dset("Normalised").isna().any().any()
    methods = ["amean", "gmean", "hmean", "genmean", "sum"]
    inputs = [
        {"path": "aggregate__method", "values": methods},
        {"path": "aggregate__dat_thresh", "values": [None, 0.9]},
    ]
    res = unc.run(base, inputs, n=40, seed=0, quiet=True)
    assert len(res.choices.drop_duplicates()) == 10
    built = {}
    for draw, (m, t) in res.choices.iterrows():
        if (m, t) not in built:
            params = {"aggregate__method": methods[m], "aggregate__dat_thresh": [None, 0.9][t]}
            built[m, t] = base.with_params(**params).get_dset("Aggregated")[base.framework.root]
        expected = built[m, t].reindex(res.scores.columns).to_numpy()
        assert np.array_equal(res.scores.loc[draw].to_numpy(), expected, equal_nan=True)


def test_expert_weight_sets_equal_builds_with_those_weights(asem_ev):
    experts = [{"Conn": 1.0, "Sust": 3.0}, pd.Series({"Physical": 2.0, "Conn": 2.0})]
    for k, p in enumerate(([1.0, 0.0], [0.0, 1.0])):
        inp = {"path": "weights", "values": experts, "p": p}
        res = unc.run(asem_ev, [inp], n=4, seed=2, quiet=True)
        built = asem_ev.with_params(weights={"method": "framework", "values": dict(experts[k])})
        for draw in range(4):
            assert np.array_equal(res.scores.loc[draw].to_numpy(), built.scores.to_numpy())


def test_same_seed_same_numbers_whatever_chunks_and_workers(asem_ev, ua):
    from joblib import parallel_config

    other = unc.run(asem_ev, COINR_INPUTS, n=300, seed=3, chunk_size=37, quiet=True)
    assert np.array_equal(ua.score_draws, other.score_draws, equal_nan=True)
    # threads by default: each worker writes its rows of the run's arrays
    threaded = unc.run(asem_ev, COINR_INPUTS, n=300, seed=3, chunk_size=50, n_jobs=2, quiet=True)
    # processes: each worker returns its arrays
    with parallel_config(backend="loky"):
        processes = unc.run(asem_ev, COINR_INPUTS, n=300, seed=3, chunk_size=150, n_jobs=2)
    for other in (threaded, processes):
        assert np.array_equal(ua.score_draws, other.score_draws, equal_nan=True)
        assert np.array_equal(ua.rank_draws, other.rank_draws, equal_nan=True)
        assert np.array_equal(ua.choice_draws, other.choice_draws)
    again = unc.run(asem_ev, COINR_INPUTS, n=300, seed=4, quiet=True)
    assert not np.array_equal(ua.score_draws, again.score_draws, equal_nan=True)
    # the first 100 draws do not depend on how many are asked for
    short = unc.run(asem_ev, COINR_INPUTS, n=100, seed=3, quiet=True)
    assert np.array_equal(short.score_draws, ua.score_draws[:100], equal_nan=True)


def test_dask_backend_gives_identical_numbers(asem_ev, ua):
    distributed = pytest.importorskip("distributed", reason="dask[distributed] not installed")
    from joblib import parallel_config

    with distributed.Client(processes=False, n_workers=1, threads_per_worker=1) as client:
        assert client.scheduler_info()["workers"]
        with parallel_config(backend="dask"):
            dasked = unc.run(asem_ev, COINR_INPUTS, n=300, seed=3, chunk_size=64, quiet=True)
    assert np.array_equal(ua.score_draws, dasked.score_draws, equal_nan=True)


# --------------------------------------------------------------- inputs
def test_noisy_weights_follow_coinr_and_keep_sibling_totals(asem_ev):
    problem = validate_inputs(asem_ev, [{"path": "weights", "noise": 0.25, "levels": [2]}])
    u = np.random.default_rng(0).random((500, problem.n_factors))
    _, w = problem.decode(u)
    codes = list(problem.codes)
    fw = asem_ev.framework
    pillars = [codes.index(c) for c in fw.codes_at(2)]
    ratio = w[:, pillars] / problem.nominal[pillars]
    assert ratio.min() >= 0.75 / 1.25 - 1e-12 and ratio.max() <= 1.25 / 0.75 + 1e-12
    for parent in fw.codes_at(3):
        kids = [codes.index(c) for c in fw.children[parent]]
        assert np.allclose(w[:, kids].sum(axis=1), problem.nominal[kids].sum())
    untouched = [codes.index(c) for c in fw.indicators]
    assert np.array_equal(w[:, untouched], np.broadcast_to(problem.nominal[untouched], (500, 49)))
    # before renormalisation each weight is × U(0.75, 1.25): u = 0 and u → 1 give the ends
    single = validate_inputs(asem_ev, [{"path": "weights", "noise": 0.25, "levels": [3]}])
    _, w2 = single.decode(np.array([[0.0, 1.0]]))
    conn, sust = codes.index("Conn"), codes.index("Sust")
    assert w2[0, conn] / w2[0, sust] == pytest.approx(0.75 / 1.25)


def test_dirichlet_weights_have_the_dirichlet_moments(asem_ev):
    problem = validate_inputs(asem_ev, [{"path": "weights", "dirichlet": 20.0, "levels": [3]}])
    u = np.random.default_rng(1).random((20000, problem.n_factors))
    _, w = problem.decode(u)
    codes = list(problem.codes)
    share = w[:, codes.index("Conn")] / (w[:, codes.index("Conn")] + w[:, codes.index("Sust")])
    # Dirichlet(10, 10): mean 1/2, variance s(1 − s)/(c + 1) = 0.25/21
    assert share.mean() == pytest.approx(0.5, abs=0.01)
    assert share.var() == pytest.approx(0.25 / 21, rel=0.05)


def test_discrete_inputs_use_their_probabilities(asem_ev):
    inp = {"path": "aggregate__method", "values": ["amean", "gmean"], "p": [0.8, 0.2]}
    base = asem_ev.with_params(normalise__l_u=[1, 100])
    res = unc.run(base, [inp], n=4000, seed=5, quiet=True)
    share = (res.choices["aggregate__method"] == 1).mean()
    assert share == pytest.approx(0.2, abs=3 * np.sqrt(0.16 / 4000))


def test_exclude_each_indicator_zeroes_one_weight(asem_ev):
    problem = validate_inputs(asem_ev, [{"path": "exclude", "values": "each_indicator"}])
    alts = problem.inputs[0].alternatives
    assert alts[0] is None and len(alts) == 1 + 49
    u = (np.arange(len(alts)) + 0.5)[:, None] / len(alts)
    _, w = problem.decode(u)
    zeros = (w == 0).sum(axis=1)
    assert zeros[0] == 0 and (zeros[1:] == 1).all()
    res = unc.run(
        asem_ev, [{"path": "exclude", "values": "each_indicator"}], n=50, seed=0, quiet=True
    )
    assert res.scores.notna().all().all()


def test_bad_inputs_are_all_listed_before_running(asem_ev):
    bad = [
        {"path": "normalize", "values": [{"method": "zscore"}]},
        {"path": "treat", "values": []},
        {"path": "weights", "noise": 1.0},
        {"path": "weights", "dirichlet": 0, "name": "w2"},
        {"path": "aggregate__method", "values": ["amean", "gmean"], "p": [0.5, 0.6]},
    ]
    with pytest.raises(ValidationError) as err:
        unc.run(asem_ev, bad, n=10**9)
    text = str(err.value)
    assert len(err.value.problems) == 5
    for fragment in ("normalise", "non-empty", "[0, 1)", "concentration", "summing to 1"):
        assert fragment in text


def test_method_invalid_for_the_data_is_refused_before_running(asem_ev):
    # ASEM min-max 0–100 has zeros: the geometric mean cannot take them
    with pytest.raises(ValidationError) as err:
        unc.run(asem_ev, [{"path": "aggregate__method", "values": ["amean", "gmean"]}], n=10**9)
    assert "gmean needs positive values" in str(err.value)
    assert "aggregate__method='gmean'" in str(err.value)


# ------------------------------------------------------------- results
def test_result_frame_and_statistics(ua):
    frame = ua.to_frame()
    # COINr's inputs mix scales (min-max 1–100, z-scores around 10): no score quantiles
    assert ua.mixed_scales
    first = [c for c in FIRST_COLUMNS if c not in SCORE_COLUMNS]
    assert list(frame.columns[: len(first)]) == first
    ranks = ua.ranks
    assert ranks.shape == (300, 51) and ua.scores.shape == (300, 51)
    assert (frame["rank_q05"] <= frame["median_rank"]).all()
    assert (frame["median_rank"] <= frame["rank_q95"]).all()
    assert np.allclose(frame["median_rank"], ranks.median())
    # R̄_S by hand: mean over units and draws of |rank − nominal rank|
    shift = (ranks - frame["nominal_rank"]).abs().to_numpy().mean()
    assert ua.rank_shift == pytest.approx(shift)
    per_draw = (ranks - frame["nominal_rank"]).abs().mean(axis=1)
    np.testing.assert_allclose(ua.rank_shifts.to_numpy(), per_draw.to_numpy())
    within = ((frame["nominal_rank"] - ranks.median()).abs() <= 3).mean()
    assert ua.share_within(3) == pytest.approx(within) and 0 < within <= 1
    assert ua.share_within(0) < ua.share_within(50) == 1.0
    assert (ranks.min(axis=1) == 1).all()
    assert "R̄_S" in str(ua.summary()) and "<table>" in ua._repr_html_()
    assert "UncertaintyResult" in repr(ua)


def test_ranks_are_min_ranks(ua):
    from integrity_eval.ranking import min_rank

    expected = min_rank(ua.scores.to_numpy().T, descending=True).T
    assert np.array_equal(ua.ranks.to_numpy(), expected)


def test_plots(ua, asem_ev):
    import matplotlib

    matplotlib.use("Agg")
    assert ua.plot_ranks() is not None
    same = unc.run(asem_ev, COINR_INPUTS[:1], n=50, seed=0, quiet=True)  # one scale
    assert same.plot_scores(units=list(same.scores.columns[:5])) is not None
    assert list(same.to_frame().columns[: len(FIRST_COLUMNS)]) == FIRST_COLUMNS
    sa = unc.sobol(asem_ev, COINR_INPUTS[:1] + COINR_INPUTS[1:2], n=32, seed=0, quiet=True)
    assert sa.plot() is not None


# ------------------------------------------------------------------ Sobol
def _salib_layout(y: np.ndarray, n: int, d: int) -> np.ndarray:
    """Our blocks [A; AB_1 … AB_d; B] in SALib's row order (A, AB_1 … AB_d, B per row)."""
    out = np.empty(n * (d + 2))
    blocks = y.reshape(d + 2, n)
    for j in range(d + 2):
        out[j :: d + 2] = blocks[j]
    return out


def test_sobol_agrees_with_salib_on_the_same_design():
    salib = pytest.importorskip("SALib.analyze.sobol", reason="SALib not installed")
    from SALib.test_functions import Ishigami

    bounds = [(-np.pi, np.pi)] * 3
    n = 1024
    u, names = _design(3, n, 11, ["a", "b", "c"])
    y = Ishigami.evaluate(_to_values(u, bounds))
    ref = salib.analyze(
        {"num_vars": 3, "names": names, "bounds": bounds},
        _salib_layout(y, n, 3),
        calc_second_order=False,
        num_resamples=100,
        seed=7,
    )
    ours = _indices(y[:, None], n, 3, 100, 0.95, 7)
    for key in ("S1", "ST", "S1_conf", "ST_conf"):
        np.testing.assert_allclose(ours[key][:, 0], ref[key], rtol=1e-9, atol=1e-12)


def test_sobol_ishigami_analytic_values():
    # Ishigami & Homma (1990), a = 7, b = 0.1; analytic indices e.g. Saltelli et al. (2008),
    # *Global Sensitivity Analysis: The Primer*, §4.6: S = (0.314, 0.442, 0), ST = (0.558, 0.442,
    # 0.244)
    from SALib.test_functions import Ishigami

    res = unc.sobol_function(Ishigami.evaluate, [(-np.pi, np.pi)] * 3, n=2**14, seed=0)
    np.testing.assert_allclose(res.S1, [0.3139, 0.4424, 0.0], atol=0.02)
    np.testing.assert_allclose(res.ST, [0.5576, 0.4424, 0.2437], atol=0.02)
    assert (res.S1_conf > 0).all() and list(res.to_frame().columns) == [
        "S1",
        "S1_conf",
        "ST",
        "ST_conf",
    ]


def test_sobol_weighted_sum():
    # f = Σ wᵢ xᵢ, xᵢ ~ U(lo, hi): S_i = ST_i = wᵢ² varᵢ / Σ wⱼ² varⱼ, varᵢ = (hi − lo)²/12
    w = np.array([1.0, 2.0, 0.5])
    bounds = [(0, 1), (0, 2), (-3, 3)]
    var = np.array([(hi - lo) ** 2 / 12 for lo, hi in bounds])
    expected = w**2 * var / (w**2 * var).sum()
    res = unc.sobol_function(lambda x: x @ w, bounds, n=2**13, seed=1)
    np.testing.assert_allclose(res.S1, expected, atol=0.01)
    np.testing.assert_allclose(res.ST, expected, atol=0.01)


def test_sobol_discrete_inputs_by_hand():
    # f = x1·x2, x1 ∈ {0, 1} with p = (0.3, 0.7), x2 ∈ {1, 2, 3} equally likely.
    # E[x1] = 0.7, Var x1 = 0.21; E[x2] = 2, E[x2²] = 14/3, Var x2 = 2/3.
    # Var f = E[x1²]E[x2²] − (E x1 E x2)² = 0.7·14/3 − 1.96 = 1.30667
    # V1 = Var(E[f|x1]) = Var(2 x1) = 0.84;  V2 = Var(0.7 x2) = 0.49·2/3 = 0.32667
    # S1 = 0.84/1.30667 = 0.6429, S2 = 0.25; ST1 = 1 − S2 = 0.75, ST2 = 1 − S1 = 0.3571
    bounds = [{"values": [0, 1], "p": [0.3, 0.7]}, {"values": [1, 2, 3]}]
    res = unc.sobol_function(lambda x: x[:, 0] * x[:, 1], bounds, n=2**14, seed=2)
    np.testing.assert_allclose(res.S1, [0.6429, 0.25], atol=0.02)
    np.testing.assert_allclose(res.ST, [0.75, 0.3571], atol=0.02)
    # each alternative with its stated probability (inverse CDF, not rounding)
    u, _ = _design(2, 2**12, 0, ["a", "b"])
    x = _to_values(u, bounds)
    assert (x[:, 0] == 1).mean() == pytest.approx(0.7, abs=0.01)


def test_sobol_groups():
    # f = x1 + x2 + x3, xᵢ ~ U(0, 1): the group {x1, x2} carries 2/3 of the variance
    res = unc.sobol_function(
        lambda x: x.sum(axis=1), [(0, 1)] * 3, n=2**12, seed=3, groups=["w", "w", "other"]
    )
    assert res.names == ["w", "other"]
    np.testing.assert_allclose(res.S1, [2 / 3, 1 / 3], atol=0.01)


def test_sobol_many_outputs_at_once():
    a = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    res = unc.sobol_function(lambda x: x[:, :2] @ a.T, [(0, 1)] * 3, n=2**12, seed=4)
    assert res.S1.shape == (3, 3)
    np.testing.assert_allclose(res.S1[:, 0], [1, 0, 0], atol=0.02)
    np.testing.assert_allclose(res.S1[:, 2], [0.5, 0.5, 0], atol=0.02)


def test_sobol_bad_bounds_listed():
    with pytest.raises(ValidationError) as err:
        unc.sobol_function(lambda x: x[:, 0], [(1, 0), {"values": []}], groups=["a"])
    assert len(err.value.problems) == 3


def test_sobol_of_an_evaluation(asem_ev):
    base = asem_ev.with_params(normalise__l_u=[1, 100])
    inputs = [
        {"path": "weights", "noise": 0.25, "levels": [2, 3]},
        {"path": "aggregate__method", "values": ["amean", "gmean"]},
        {"path": "treat", "values": [ASEM_SPEC["treat"], ASEM_SPEC["treat"]], "name": "dummy"},
    ]
    sa = unc.sobol(base, inputs, n=64, seed=0, quiet=True)
    assert sa.names == ["weights", "aggregate__method", "dummy"]
    assert sa.S1.shape == (3, 51)
    # an input whose alternatives are identical changes nothing: both indices exactly 0
    assert np.all(sa.S1[2] == 0) and np.all(sa.ST[2] == 0)
    assert np.nanmean(sa.ST[0]) > 0
    # ranks that rarely change: bootstrap resamples without variance count as 0, not 1/ε
    assert np.abs(sa.S1_conf).max() < 10 and np.abs(sa.ST_conf).max() < 10
    frame = sa.to_frame()
    assert frame.index.names == ["output", "input"] and len(frame) == 3 * 51
    assert "aggregate__method" in str(sa.summary()) and "<table" in sa._repr_html_()
    shift = unc.sobol(base, inputs, n=64, seed=0, output="rank_shift", quiet=True)
    assert shift.S1.shape == (3,)


# ---------------------------------------------------------- multi-source
def test_source_mean_by_hand():
    sources = pd.DataFrame(
        {"s1": [50.0, 40.0, 80.0], "s2": [60.0, np.nan, 80.0], "s3": [70.0, 30.0, 80.0]},
        index=["A", "B", "C"],
    )
    out = unc.source_mean(sources, decimals=None)
    # A: mean 60, SD 10, SE 10/√3 = 5.7735, interval 60 ± 1.64·5.7735
    assert out.loc["A", "score"] == 60 and out.loc["A", "se"] == pytest.approx(10 / np.sqrt(3))
    assert out.loc["A", "lower"] == pytest.approx(60 - 1.64 * 10 / np.sqrt(3))
    assert np.isnan(out.loc["B", "score"]) and "fewer than 3" in out.loc["B", "reason"]
    assert (
        out.loc["C", "rank"] == 1 and out.loc["A", "rank"] == 2 and np.isnan(out.loc["B", "rank"])
    )
    # CPI rescaling: 45 + 20·(x − mean)/sd against the baseline
    rescaled = unc.source_mean(
        sources, baseline={"s1": (50, 10), "s2": (60, 10), "s3": (70, 10)}, decimals=None
    )
    assert rescaled.loc["A", "score"] == pytest.approx(45.0)


def test_source_mean_reproduces_cpi_2019():
    """TI CPI 2019 (tests/reference/cpi): sources as published (rounded to integers)."""
    raw = pd.read_excel(ROOT / "tests/reference/cpi/cpi_2019.xlsx", sheet_name="CPI2019", header=2)
    raw.columns = [str(c).strip() for c in raw.columns]
    table = raw.set_index("ISO3")
    sources = table[raw.columns[raw.columns.get_loc("Upper CI") + 1 :]]
    assert sources.shape == (180, 13)
    out = unc.source_mean(sources)
    assert (out["n_sources"] == table["Number of sources"]).all()
    # published sources are rounded to integers, so scores agree to one point, mostly exactly
    diff = (out["score"] - table["CPI score 2019"]).abs()
    assert diff.max() <= 1 and (diff == 0).mean() > 0.9
    assert (out["se"] - table["standard error"]).abs().max() < 0.2
    same = diff == 0
    assert (out.loc[same, "lower"] - table.loc[same, "Lower CI"]).abs().max() < 1.64 * 0.2
    # the interval rule itself, on the published score and SE: exact to the file's precision
    lower = table["CPI score 2019"] - 1.64 * table["standard error"]
    assert (lower - table["Lower CI"]).abs().max() < 1e-4
    # the ranking rule (competition ranks of the score) on the published scores: exact
    published = pd.concat([table["CPI score 2019"]] * 3, axis=1, keys=["a", "b", "c"])
    assert (unc.source_mean(published)["rank"] == table["Rank"]).all()


def test_percentile_rank_reproduces_wgi_2019():
    """WGI 2019 Control of Corruption (tests/reference/wgi): Rank, Lower, Upper."""
    wgi = pd.read_csv(ROOT / "tests/reference/wgi/wgi_2019_control_of_corruption.csv")
    wgi = wgi.set_index("Code")
    out = ie.analysis.percentile_rank(wgi["Estimate"], wgi["StdErr"], z=1.64)
    has = wgi["Estimate"].notna()
    assert has.sum() == 209
    for ours, theirs in (("rank", "Rank"), ("lower", "Lower"), ("upper", "Upper")):
        np.testing.assert_allclose(out.loc[has, ours], wgi.loc[has, theirs], atol=1e-4)
    assert out.loc[~has, "rank"].isna().all()
    with pytest.raises(ValueError):
        ie.analysis.percentile_rank(wgi["Estimate"], method="cpi")


def test_chunk_size_default_is_bounded(asem_ev):
    problem = validate_inputs(asem_ev, COINR_INPUTS[:1])
    model = engine.prepare(asem_ev, problem)
    size = engine.default_chunk_size(model)
    assert 16 <= size <= engine.MAX_CHUNK
    # the working arrays of one chunk stay within the budget
    per_rep = 8 * len(model.units) * (max(len(parents) for parents in model.tree) + 8)
    assert size * per_rep <= engine.CHUNK_BYTES


def test_default_inputs(asem_ev):
    """The run --draws defaults: COINr noisy weights ±25 %, normalisation and mean choices."""
    inputs = unc.default_inputs(asem_ev)
    assert inputs == unc.COINR_DEFAULT_INPUTS and inputs is not unc.COINR_DEFAULT_INPUTS
    mine = [{"path": "weights", "noise": 0.1}]
    assert unc.default_inputs(asem_ev, mine) == mine
    assert unc.default_inputs(asem_ev, {"inputs": mine}) == mine
    points = asem_ev.with_params(aggregate__method="sum")
    assert unc.default_inputs(points) == [{"path": "weights", "noise": 0.25}]
    res = unc.run(asem_ev, inputs, n=64, seed=0, quiet=True)
    assert res.ranks.shape == (64, 51)


def test_sobol_constant_and_rare_outputs_have_finite_indices():
    # a constant output (variance 0) has indices 0, as in SALib
    res = unc.sobol_function(
        lambda x: np.c_[np.zeros(len(x)), x[:, 0]], [(0, 1)] * 2, n=256, seed=5
    )
    assert np.all(res.S1[:, 0] == 0) and np.all(res.S1_conf[:, 0] == 0)
    assert res.S1[0, 1] > 0.9


def test_sizes_are_checked(asem_ev):
    with pytest.raises(ValidationError) as err:
        unc.run(asem_ev, COINR_INPUTS, n=0, chunk_size=-5)
    assert len(err.value.problems) == 2 and "positive integer" in str(err.value)


def test_sobol_groups_agree_with_salib():
    salib = pytest.importorskip("SALib.analyze.sobol", reason="SALib not installed")
    n, groups = 512, ["w", "w", "v", "w"]
    u, names = _design(4, n, 9, groups)
    y = u @ np.array([1.0, 2.0, 3.0, 0.5]) + u[:, 0] * u[:, 2]
    problem = {"num_vars": 4, "names": list("abcd"), "bounds": [[0, 1]] * 4, "groups": groups}
    ref = salib.analyze(
        problem, _salib_layout(y, n, 2), calc_second_order=False, num_resamples=50, seed=3
    )
    ours = _indices(y[:, None], n, 2, 50, 0.95, 3)
    assert names == ["w", "v"]
    for key in ("S1", "ST", "S1_conf", "ST_conf"):
        np.testing.assert_allclose(ours[key][:, 0], ref[key], rtol=1e-9, atol=1e-12)


def test_gmean_above_negative_pillars_is_refused(asem_ev):
    # z-scores make pillar scores negative; a geometric mean over pillars cannot take them
    base = asem_ev.with_params(normalise__method="zscore")
    bad = [
        {
            "path": "aggregate__method",
            "values": [["amean", "amean", "amean"], ["amean", "gmean", "amean"]],
        }
    ]
    with pytest.raises(ValidationError) as err:
        unc.run(base, bad, n=10)
    assert "gmean needs positive values" in str(err.value)
    with pytest.raises(ValidationError):
        base.with_params(aggregate__method=["amean", "gmean", "amean"])


def test_points_total_has_no_default_inputs():
    """A points total's items and caps are the rules (002 §二.(二).3): nothing to vary."""
    ds = ie.datasets.load("jiangyin-townships")
    ev = ie.build(ds.framework, ds.idata)
    assert ie.uncertainty.default_inputs(ev) == []
    shanghai = ie.datasets.load("shanghai-districts")
    ev = ie.build(shanghai.framework, shanghai.idata)
    assert [i["path"] for i in ie.uncertainty.default_inputs(ev)] == [
        "weights",
        "normalise",
        "aggregate__method",
    ]


def test_spec_uncertainty_block_feeds_the_default_inputs(asem_ev):
    block = [{"path": "aggregate__method", "values": ["amean", "gmean"]}]
    ev = asem_ev.with_params(uncertainty=block)
    assert ie.uncertainty.default_inputs(ev) == block
    assert ev.spec["uncertainty"] == block
    with pytest.raises(ValidationError, match="uncertainty inputs must be a list of mappings"):
        asem_ev.with_params(uncertainty="weights")


def test_spec_features_the_engine_cannot_batch_are_refused(asem_ev):
    inputs = [{"path": "weights", "noise": 0.25}]
    by_node = asem_ev.with_params(aggregate__by_node={"Conn": "gmean"})
    with pytest.raises(ValidationError, match=r"aggregate\.by_node"):
        ie.uncertainty.run(by_node, inputs, n=10)
    optimised = asem_ev.with_params(weights={"method": "optimise", "level": 1})
    with pytest.raises(ValidationError, match=r"computed on the index \(optimise\)"):
        ie.uncertainty.run(optimised, inputs, n=10)
