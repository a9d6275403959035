"""The rank statistics of the Monte Carlo summary: counted, equal to NumPy's."""

from __future__ import annotations

import numpy as np
import pytest

from integrity_eval.ranking import min_rank
from integrity_eval.uncertainty.montecarlo import QUANTILES, _quantiles, rank_statistics


def _ranks(n: int, units: int) -> np.ndarray:
    rng = np.random.default_rng(n * 1000 + units)
    scores = rng.normal(size=(n, units)).round(1)  # ties: shared ranks, gaps
    return min_rank(scores, descending=True, axis=-1)


@pytest.mark.parametrize("n", [1, 2, 3, 20, 21, 1001])
@pytest.mark.parametrize("units", [1, 2, 51, 130])
def test_rank_statistics_equal_numpy(n: int, units: int) -> None:
    ranks = _ranks(n, units)
    nominal = ranks[0] if n > 1 else np.ones(units)
    expected = np.quantile(ranks, QUANTILES, axis=0)
    stats = rank_statistics(ranks, nominal)
    # quantiles, mean and mean shift bit for bit (sums of whole numbers are exact)
    assert np.array_equal(stats.quantiles.view(np.uint64), expected.view(np.uint64))
    assert np.array_equal(stats.mean, ranks.mean(axis=0))
    assert np.array_equal(stats.shift, np.abs(ranks - nominal).mean(axis=0))
    if n > 1:
        np.testing.assert_allclose(stats.sd, ranks.std(axis=0, ddof=1), rtol=1e-13)
    else:
        assert np.isnan(stats.sd).all()
    whole = _quantiles(ranks, ranks=True)
    assert np.array_equal(whole.view(np.uint64), expected.view(np.uint64))


def test_rank_statistics_by_hand() -> None:
    # 11 values 1 … 11: g = 10·q → 0.5 (1.5), 5 (6), 9.5 (10.5); mean 6; sd √11;
    # mean |k − 1| = (0 + 1 + … + 10) / 11 = 5
    ranks = np.arange(1.0, 12.0)[:, None] * np.ones((1, 11))
    stats = rank_statistics(ranks, np.ones(11))
    assert stats.quantiles[:, 0].tolist() == [1.5, 6.0, 10.5]
    assert stats.mean[0] == 6.0
    assert stats.sd[0] == pytest.approx(np.sqrt(11.0), rel=1e-15)
    assert stats.shift[0] == 5.0


def test_quantiles_with_unscored_replications() -> None:
    ranks = np.array([[1.0, np.nan], [2.0, 1.0], [1.0, 1.0]])
    got = _quantiles(ranks, ranks=True)
    assert np.array_equal(got, np.nanquantile(ranks, QUANTILES, axis=0))
