"""The rank quantiles of the Monte Carlo summary: counted, equal to NumPy's bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from integrity_eval.ranking import min_rank
from integrity_eval.uncertainty.montecarlo import QUANTILES, _quantiles, _rank_quantiles


@pytest.mark.parametrize("n", [1, 2, 3, 20, 21, 1001])
@pytest.mark.parametrize("units", [1, 2, 51, 130])
def test_rank_quantiles_equal_numpy(n: int, units: int) -> None:
    rng = np.random.default_rng(n * 1000 + units)
    scores = rng.normal(size=(n, units)).round(1)  # ties: shared ranks, gaps
    ranks = min_rank(scores, descending=True, axis=-1)
    expected = np.quantile(ranks, QUANTILES, axis=0)
    got = _rank_quantiles(ranks, units)
    assert np.array_equal(got.view(np.uint64), expected.view(np.uint64))
    whole = _quantiles(ranks, ranks=True)  # in blocks of columns
    assert np.array_equal(whole.view(np.uint64), expected.view(np.uint64))


def test_rank_quantiles_by_hand() -> None:
    # 11 values 1 … 11: g = 10·q → 0.5 (1.5), 5 (6), 9.5 (10.5)
    ranks = np.arange(1.0, 12.0)[:, None]
    assert _rank_quantiles(ranks, 11)[:, 0].tolist() == [1.5, 6.0, 10.5]


def test_quantiles_with_unscored_replications() -> None:
    ranks = np.array([[1.0, np.nan], [2.0, 1.0], [1.0, 1.0]])
    got = _quantiles(ranks, ranks=True)
    assert np.array_equal(got, np.nanquantile(ranks, QUANTILES, axis=0))
