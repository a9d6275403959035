"""Build specs (docs/spec.md): defaults, lazy validation, with_params, YAML files, get_params."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest
from conftest import TOY_NODES as NODES

import integrity_eval as ie
from integrity_eval import impute as imp
from integrity_eval.spec import resolve, set_params

# c of u3 is an outlier big enough to fail the skew/kurtosis test
DATA = pd.DataFrame(
    {
        "uCode": [f"u{i}" for i in range(12)],
        "a": np.arange(12.0),
        "b": [3.0, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8],
        "c": [1.0, 2, 3, 400, 4, 5, 6, 7, 8, 9, 10, 11],
    }
)


@pytest.fixture(scope="module")
def fw() -> ie.Framework:
    return ie.Framework.from_dict({"name": "t", "nodes": NODES})


def problems_by_column(err: ie.ValidationError) -> dict[str, ie.Problem]:
    return {p.column: p for p in err.problems}


# ----------------------------------------------------------------- resolve
def test_resolve_fills_every_default():
    spec = resolve(
        {
            "denominate": {},
            "impute": {},
            "screen": {},
            "treat": {},
            "normalise": {"method": "zscore"},
            "aggregate": {},
            "weights": {},
        }
    )
    assert spec["impute"] == {"method": "mean"}
    assert spec["screen"] == {
        "dat_thresh": pytest.approx(2 / 3),
        "unit_screen": "byNA",
        "nonzero_thresh": 0.05,
        "force": None,
    }
    assert spec["treat"] == {
        "method": "winsorise",
        "winmax": 5,
        "skew_thresh": 2.0,
        "kurt_thresh": 3.5,
        "force_win": False,
        "fallback": "log_CT",
    }
    assert spec["normalise"] == {"method": "zscore", "m_sd": [0.0, 1.0]}
    assert spec["aggregate"] == {"method": "amean", "dat_thresh": None}
    assert spec["weights"] == {"method": "framework", "values": {}}
    # stages come out in pipeline order
    assert list(spec) == [
        "denominate",
        "impute",
        "screen",
        "treat",
        "normalise",
        "aggregate",
        "weights",
    ]


def test_resolve_none_is_the_default_spec(fw):
    spec = resolve(None)
    assert spec["normalise"] == {"method": "minmax", "l_u": [0.0, 100.0]}
    assert spec["aggregate"] == {"method": "amean", "dat_thresh": None}
    assert set(spec) <= {"denominate", "normalise", "aggregate"}
    assert ie.build(fw, DATA).spec == spec


def test_resolve_only_fills_parameters_of_the_methods_used():
    spec = resolve({"aggregate": {"method": ["amean", "genmean", "amean"], "p": 3}}, n_levels=4)
    assert spec["aggregate"]["p"] == 3
    assert "p" not in resolve({"aggregate": {"method": "amean"}})["aggregate"]
    assert resolve({"aggregate": {"method": "genmean"}})["aggregate"]["p"] == 2.0


def test_unknown_key_method_and_parameter_reported_together():
    with pytest.raises(ie.ValidationError) as info:
        resolve(
            {
                "normalis": {"method": "minmax"},
                "impute": {"method": "mean_grup"},
                "treat": {"winmx": 3},
                "aggregate": {"method": "amean", "dat_tresh": 0.5},
            }
        )
    err = info.value
    assert len(err.problems) == 4
    by = problems_by_column(err)
    assert "did you mean 'normalise'" in by["normalis"].value
    assert "did you mean 'mean_group'" in by["impute.method"].value
    assert "did you mean 'winmax'" in by["treat.winmx"].value
    assert "did you mean 'dat_thresh'" in by["aggregate.dat_tresh"].value
    assert all(p.source == "spec" for p in err.problems)


def test_required_parameters_reported():
    with pytest.raises(ie.ValidationError) as info:
        resolve({"impute": {"method": "mean_group"}, "normalise": {"method": "dist2ref"}})
    by = problems_by_column(info.value)
    assert set(by) == {"impute.group", "normalise.iref"}
    assert "required" in by["impute.group"].rule and "required" in by["normalise.iref"].rule


def test_other_spec_problems_listed_at_once():
    with pytest.raises(ie.ValidationError) as info:
        resolve(
            {
                "treat": "winsorise",
                "screen": {"unit_screen": "byNa"},
                "weights": {"method": "entropyy", "values": {"a": -2, "b": -1, "c": "x"}},
                "aggregate": {"method": ["amean", "gmean"]},
            },
            n_levels=4,
        )
    cols = [p.column for p in info.value.problems]
    assert sorted(cols) == sorted(
        [
            "treat",
            "screen.unit_screen",
            "weights.method",
            "weights.values.a",
            "weights.values.b",
            "weights.values.c",
            "aggregate.method",
        ]
    )


def test_build_checks_spec_before_data(fw):
    with pytest.raises(ie.ValidationError) as info:
        ie.build(fw, DATA, {"aggregate": {"method": ["amean"]}, "normalise": {"method": "z"}})
    assert {p.column for p in info.value.problems} == {"aggregate.method", "normalise.method"}


def test_context_errors_name_the_spec_setting(fw):
    with pytest.raises(ie.ValidationError) as info:
        ie.build(fw, DATA, {"normalise": {"method": "dist2ref", "iref": "nobody"}})
    assert info.value.problems[0].column == "normalise.iref"
    with pytest.raises(ie.ValidationError) as info:
        ie.build(fw, DATA, {"impute": {"method": "mean_group", "group": "region"}})
    assert info.value.problems[0].column == "impute.group"
    with pytest.raises(ie.ValidationError) as info:
        ie.build(fw, DATA, {"weights": {"values": {"D1": 2, "zz": 1}}})
    assert [p.column for p in info.value.problems] == ["weights.values.zz"]


# -------------------------------------------------------------- with_params
@pytest.fixture(scope="module")
def ev(fw) -> ie.Evaluation:
    spec = {
        "screen": {"dat_thresh": 0.5},
        "treat": {"method": "winsorise", "winmax": 3},
        "normalise": {"method": "minmax", "l_u": [1, 10]},
        "aggregate": {"method": "amean"},
    }
    return ie.build(fw, DATA, spec)


def test_with_params_switching_method_resets_its_parameters(ev):
    z = ev.with_params(normalise__method="zscore")
    assert z.spec["normalise"] == {"method": "zscore", "m_sd": [0.0, 1.0]}
    # nothing else changed
    assert {k: v for k, v in z.spec.items() if k != "normalise"} == {
        k: v for k, v in ev.spec.items() if k != "normalise"
    }
    got = z.get_dset("Normalised")["a"]
    expected = (np.arange(12.0) - 5.5) / np.arange(12.0).std(ddof=1)
    np.testing.assert_allclose(got, expected)
    # the original is untouched
    assert ev.spec["normalise"] == {"method": "minmax", "l_u": [1, 10]}


def test_with_params_keeps_parameters_given_in_the_same_call(ev):
    z = ev.with_params(normalise__method="zscore", normalise__m_sd=[10, 2])
    assert z.spec["normalise"] == {"method": "zscore", "m_sd": [10, 2]}
    assert z.get_dset("Normalised")["a"].mean() == pytest.approx(10)
    assert z.get_dset("Normalised")["a"].std(ddof=1) == pytest.approx(2)


def test_with_params_same_method_keeps_other_parameters(ev):
    same = ev.with_params(normalise__method="minmax")
    assert same.spec["normalise"]["l_u"] == [1, 10]
    other = ev.with_params(treat__winmax=1)
    assert other.spec["treat"]["winmax"] == 1 and other.spec["treat"]["method"] == "winsorise"


def test_with_params_none_drops_the_stage(ev):
    assert (ev.treated_points["c"] != "").any()  # the treat stage did something
    off = ev.with_params(treat=None)
    assert "treat" not in off.spec
    pd.testing.assert_frame_equal(off.get_dset("Treated"), off.get_dset("Screened"))
    assert (off.treated_points == "").all().all()
    assert off.treat_details is None


def test_with_params_unknown_path_reported(ev):
    with pytest.raises(ie.ValidationError) as info:
        ev.with_params(normalize__method="zscore")
    assert "did you mean 'normalise'" in info.value.problems[0].value


def test_set_params_whole_stage_and_nested():
    spec = {"normalise": {"method": "minmax", "l_u": [0, 100]}}
    assert set_params(spec, normalise={"method": "rank"}) == {"normalise": {"method": "rank"}}
    assert set_params(spec, aggregate__method="gmean") == {
        "normalise": {"method": "minmax", "l_u": [0, 100]},
        "aggregate": {"method": "gmean"},
    }
    assert spec == {"normalise": {"method": "minmax", "l_u": [0, 100]}}  # not mutated


# -------------------------------------------------------- no aggregate stage
def test_spec_without_aggregate_has_no_scores(fw):
    ev = ie.build(fw, DATA, {"normalise": {"method": "minmax"}})
    for attr in ("scores", "ranks"):
        with pytest.raises(ie.ValidationError) as info:
            getattr(ev, attr)
        assert "aggregate" in str(info.value)
        assert info.value.problems[0].column == "aggregate"
    with pytest.raises(ie.ValidationError):
        ev.table()
    with pytest.raises(KeyError, match="no 'aggregate' stage"):
        ev.get_dset("Aggregated")
    # every earlier dataset is there
    assert ev.get_dset("Normalised").shape == (12, 3)


def test_skipped_stages_pass_the_previous_dataset_on(fw):
    ev = ie.build(fw, DATA, {"aggregate": {"method": "amean"}})
    raw = ev.get_dset("Raw")
    for name in ("Denominated", "Imputed", "Screened", "Treated", "Normalised"):
        pd.testing.assert_frame_equal(ev.get_dset(name), raw)
    # index of raw values: D1 = (a + b)/2, D2 = c, IDX = (D1 + D2)/2
    np.testing.assert_allclose(ev.scores, ((DATA["a"] + DATA["b"]) / 2 + DATA["c"]) / 2)


# --------------------------------------------------------------------- YAML
def test_yaml_spec_file(fw, tmp_path):
    path = tmp_path / "spec.yaml"
    path.write_text(
        "# a spec file\n"
        "treat: {method: winsorise, winmax: 3}\n"
        "normalise:\n"
        "  method: minmax\n"
        "  l_u: [1, 10]\n"
        "aggregate: {method: [amean, gmean]}\n",
        encoding="utf-8",
    )
    loaded = ie.load_spec(path)
    assert loaded["aggregate"] == {"method": ["amean", "gmean"]}
    from_file = ie.build(fw, DATA, path)
    from_dict = ie.build(fw, DATA, loaded)
    assert from_file.spec == from_dict.spec
    pd.testing.assert_series_equal(from_file.scores, from_dict.scores)
    assert from_file.spec["aggregate"]["method"] == ["amean", "gmean"]
    assert from_file.spec["normalise"]["l_u"] == [1, 10]


def test_bad_yaml_spec_files(fw, tmp_path):
    with pytest.raises(ie.ValidationError, match="does not exist"):
        ie.build(fw, DATA, tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("normalise: {method: minmax\n", encoding="utf-8")
    with pytest.raises(ie.ValidationError, match="YAML"):
        ie.build(fw, DATA, broken)
    listy = tmp_path / "list.yaml"
    listy.write_text("- normalise\n", encoding="utf-8")
    with pytest.raises(ie.ValidationError, match="mapping"):
        ie.build(fw, DATA, listy)


# --------------------------------------------------------------- get_params
def test_get_params(ev):
    params = ev.get_params()
    assert params["normalise__method"] == "minmax"
    assert params["normalise__l_u"] == [1, 10]
    assert params["treat__winmax"] == 3
    assert params["screen__dat_thresh"] == 0.5
    assert params["aggregate"] == ev.spec["aggregate"]
    # round trip: the flat parameters rebuild the same spec
    flat = {k: v for k, v in params.items() if "__" in k}
    rebuilt = set_params({}, **flat)
    assert resolve(rebuilt) == dict(ev.spec)


# -------------------------------------------------------------------- seed
def test_build_seed_reaches_iterative_imputer(fw, monkeypatch):
    seen = {}

    @functools.wraps(imp.iterative)  # same signature: the spec reads the parameters from it
    def spy(x, **params):
        seen.update(params)
        return imp.iterative(x, **params)

    monkeypatch.setitem(imp.METHODS, "iterative", spy)
    data = DATA.copy()
    data.loc[2, "a"] = np.nan
    ie.build(fw, data, {"impute": {"method": "iterative"}}, seed=7)
    assert seen["seed"] == 7
