"""One contract for every whole-matrix aggregation (``ie.aggregate.MCDA_METHODS``) and every
data-driven weighting model (``ie.weights.models.MODELS``): directions, a constant column,
zeros, a missing value, a single unit, ties. What each method does with a constant column or
with zeros is pinned here, as its docstring states it; every refusal is a ValidationError
whose messages are Chinese / English and name the indicator (and the unit where there is
one)."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest

import integrity_eval as ie
from integrity_eval.weights.models import MODELS

AGGREGATIONS = dict(ie.aggregate.MCDA_METHODS)
WEIGHTS = {k: v for k, v in MODELS.items() if k != "regression"}  # needs an outcome: below
CJK = re.compile(r"[\u4e00-\u9fff]")
DIRECTIONS = {"b": -1}

# what each method does with an awkward column (the rest return finite results)
REFUSES_CONSTANT = {"critic", "cilos", "idocriw", "lopcow", "pca", "factor"}
REFUSES_ZERO_BENEFIT = {"merec"}
REFUSES_ZERO_COST = {"copras", "waspas", "merec", "cilos", "idocriw"}
UNDIRECTED = {"pca", "factor", "bod", "regression"}  # take no directions


@pytest.fixture(scope="module")
def base() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        rng.uniform(1, 10, (8, 4)), columns=list("abcd"), index=[f"u{i}" for i in range(8)]
    )


def run(name: str, X: pd.DataFrame, directions=None):
    """The method's result as a Series (scores by unit, or weights by indicator)."""
    d = DIRECTIONS if directions is None else directions
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no silent division by zero, no NaN warnings
        if name in AGGREGATIONS:
            return AGGREGATIONS[name].function(X, None, d)
        if name in UNDIRECTED:
            return WEIGHTS[name](X).weights
        return WEIGHTS[name](X, directions=d).weights


def assert_bilingual_refusal(fn, column=None, row=None) -> ie.ValidationError:
    with pytest.raises(ie.ValidationError) as info:
        fn()
    err = info.value
    assert CJK.search(str(err).splitlines()[0]), "the title must show its Chinese"
    for p in err.problems:
        assert CJK.search(p.message) and " / " in p.message, p.message
    where = {(p.column, p.row) for p in err.problems}
    if column is not None:
        assert any(c == column for c, _ in where), where
    if row is not None:
        assert any(r == row for _, r in where), where
    return err


def assert_valid(name: str, result: pd.Series, X: pd.DataFrame) -> None:
    assert np.isfinite(result.to_numpy()).all(), f"{name} returned a non-finite value"
    if name in MODELS:
        assert list(result.index) == list(X.columns)
        assert result.sum() == pytest.approx(1) and (result >= 0).all()
    else:
        assert list(result.index) == list(X.index)


ALL = sorted(AGGREGATIONS) + sorted(WEIGHTS)


@pytest.mark.parametrize("name", ALL)
def test_constant_column(name, base):
    X = base.assign(c=5.0)
    if name in REFUSES_CONSTANT:
        assert_bilingual_refusal(lambda: run(name, X), column="c")
    else:
        res = run(name, X)
        assert_valid(name, res, X)
        if name in WEIGHTS and name not in {"bod", "entropy", "merec"}:
            assert res["c"] == pytest.approx(0)  # a constant indicator cannot discriminate


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("column", ["c", "b"])  # c a benefit, b a cost indicator
def test_zeros(name, column, base):
    X = base.copy()
    X.loc[["u1", "u3"], column] = 0.0
    refuses = REFUSES_ZERO_BENEFIT if column == "c" else REFUSES_ZERO_COST
    if name in refuses:
        assert_bilingual_refusal(lambda: run(name, X), row="u1")
    else:
        assert_valid(name, run(name, X), X)


@pytest.mark.parametrize("name", ALL)
def test_missing_value_is_refused_with_its_place(name, base):
    X = base.copy()
    X.loc["u2", "a"] = np.nan
    assert_bilingual_refusal(lambda: run(name, X), column="a", row="u2")


@pytest.mark.parametrize("name", ALL)
def test_single_unit_is_refused(name, base):
    err = assert_bilingual_refusal(lambda: run(name, base.iloc[:1]))
    assert "units are needed" in err.problems[0].rule


@pytest.mark.parametrize("name", sorted(AGGREGATIONS))
def test_tied_units_tie(name, base):
    X = base.copy()
    X.loc["u5"] = X.loc["u4"]
    scores = run(name, X)
    assert scores["u4"] == scores["u5"]
    ranks = ie.aggregate.mcda_ranks(scores, name)
    assert ranks["u4"] == ranks["u5"] and sorted(ranks.unique())[0] == 1


@pytest.mark.parametrize("name", sorted(WEIGHTS))
def test_tied_columns_weigh_the_same(name, base):
    X = base.assign(d=base["a"])
    w = run(name, X)
    if name == "bod":  # a linear programme: any split between equal columns is optimal
        assert w["a"] + w["d"] > 0
    else:
        assert w["a"] == pytest.approx(w["d"], abs=1e-12)


@pytest.mark.parametrize("name", sorted(AGGREGATIONS))
def test_directions_dominant_unit_first_then_last(name, base):
    """A unit best on every indicator (given the directions) ranks 1; with every direction
    reversed it is worst on every indicator and ranks last."""
    X = base.copy()
    X.loc["u0"] = X.max()
    X.loc["u0", "b"] = X["b"].min()  # b is a cost: lowest is best
    ranks = ie.aggregate.mcda_ranks(run(name, X), name)
    assert ranks["u0"] == 1
    flipped = {c: -DIRECTIONS.get(c, 1) for c in X.columns}
    if name == "cocoso":  # worst everywhere: S = P = 0, and k_b divides by them
        assert_bilingual_refusal(lambda: run(name, X, flipped), row="u0")
        return
    ranks = ie.aggregate.mcda_ranks(run(name, X, flipped), name)
    assert ranks["u0"] == len(X)


@pytest.mark.parametrize("name", sorted(set(ALL) - UNDIRECTED))
def test_bad_directions_are_refused(name, base):
    assert_bilingual_refusal(lambda: run(name, base, {"zz": -1}), column="zz")
    assert_bilingual_refusal(lambda: run(name, base, {"a": 2}), column="a")


@pytest.mark.parametrize("name", sorted(set(WEIGHTS) - UNDIRECTED))
def test_weights_directions_are_honoured_or_stated_unused(name, base):
    """Flipping a direction changes the weights of the models that use directions; the
    models whose docstring says directions are unused give the same weights."""
    unused = {"std", "gini", "variance", "angle"}
    a = run(name, base, {})
    b = run(name, base, {"a": -1, "b": -1})
    if name in unused:
        assert np.allclose(a, b) and "directions" in WEIGHTS[name].__doc__
    else:
        assert not np.allclose(a, b)


def test_regression_follows_the_contract(base):
    """``regression`` needs an outcome, so it is run here: valid weights on complete data,
    a missing value refused with its place."""
    outcome = pd.Series(np.arange(8.0), index=base.index)
    assert_valid("regression", MODELS["regression"](base, outcome).weights, base)
    X = base.copy()
    X.loc["u2", "a"] = np.nan
    assert_bilingual_refusal(lambda: MODELS["regression"](X, outcome), column="a", row="u2")
