"""Imputation of missing indicator values.

Column-wise methods follow COINr 1.1.14 (``i_mean``, ``i_median``,
``i_mean_grp``, ``i_median_grp``, ``impute_panel``); the multivariate ones use
scikit-learn (``KNNImputer``: Troyanskaya et al. 2001, *Bioinformatics* 17:520;
``IterativeImputer``: van Buuren & Groothuis-Oudshoorn 2011, MICE, in its
deterministic single-imputation form — the EM-like method of the OECD/JRC
Handbook (2008) §1.3). Each function takes the ``(units, indicators)`` matrix
and returns a filled copy; values that cannot be imputed stay missing (e.g. a
group with no data), and the build reports the units left unscored.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _fill(x: np.ndarray, values: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(x), values, x)


def mean(x: np.ndarray) -> np.ndarray:
    """Replace missing values by the indicator's mean (COINr ``i_mean``)."""
    with np.errstate(invalid="ignore"):
        return _fill(x, np.nanmean(x, axis=0, keepdims=True))


def median(x: np.ndarray) -> np.ndarray:
    """Replace missing values by the indicator's median (COINr ``i_median``)."""
    return _fill(x, np.nanmedian(x, axis=0, keepdims=True))


def _group_stat(x: np.ndarray, group: np.ndarray, stat: str) -> np.ndarray:
    frame = pd.DataFrame(x)
    labels = np.asarray(group, dtype=object)
    labels = np.where(pd.isna(labels), None, labels)
    filled = frame.groupby(labels, dropna=True).transform(stat)
    return _fill(x, filled.reindex(frame.index).to_numpy(dtype=float))


def mean_group(x: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Replace missing values by the mean of the unit's group (COINr ``i_mean_grp``).

    Units whose group label is missing are left as they are (``skip_f_na = TRUE``).
    """
    return _group_stat(x, group, "mean")


def median_group(x: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Replace missing values by the median of the unit's group (COINr ``i_median_grp``)."""
    return _group_stat(x, group, "median")


def latest(x: np.ndarray, history: np.ndarray, max_time: int | None = None) -> np.ndarray:
    """Carry the unit's latest earlier value forward (COINr ``impute_panel``, ``"latest"``).

    ``history`` has shape ``(periods, units, indicators)``, oldest first, holding
    the periods before the evaluated one. With ``max_time`` only the last
    ``max_time`` periods are looked back on.
    """
    if history.shape[0] == 0:
        return x.copy()
    past = history if max_time is None else history[-max_time:]
    avail = ~np.isnan(past)
    # index of the last available period per (unit, indicator)
    idx = past.shape[0] - 1 - np.argmax(avail[::-1], axis=0)
    last = np.take_along_axis(past, idx[None, ...], axis=0)[0]
    last = np.where(avail.any(axis=0), last, np.nan)
    return _fill(x, last)


def _standardise(x: np.ndarray):
    mu = np.nanmean(x, axis=0)
    sd = np.nanstd(x, axis=0, ddof=1)
    sd = np.where((sd > 0) & np.isfinite(sd), sd, 1.0)
    return (x - mu) / sd, mu, sd


def knn(x: np.ndarray, n_neighbors: int = 5, scale: bool = True) -> np.ndarray:
    """k-nearest-neighbour imputation (scikit-learn ``KNNImputer``, uniform weights).

    Distances are the NaN-aware Euclidean distance of Troyanskaya et al. (2001).
    With ``scale=True`` indicators are z-scored first so that no unit of
    measurement dominates the distance, and the result is mapped back.
    """
    from sklearn.impute import KNNImputer

    z, mu, sd = _standardise(x) if scale else (x, 0.0, 1.0)
    filled = KNNImputer(n_neighbors=n_neighbors, keep_empty_features=True).fit_transform(z)
    return _fill(x, filled * sd + mu)


def iterative(x: np.ndarray, max_iter: int = 10, seed: int = 0, scale: bool = True) -> np.ndarray:
    """Iterative (chained-equations) imputation, scikit-learn ``IterativeImputer``.

    Each indicator with missing values is regressed (Bayesian ridge) on the
    others in turn until convergence — the EM-like approach of the Handbook
    (2008) §1.3. Deterministic for a given ``seed``.
    """
    from sklearn.experimental import enable_iterative_imputer  # noqa: F401
    from sklearn.impute import IterativeImputer

    z, mu, sd = _standardise(x) if scale else (x, 0.0, 1.0)
    imp = IterativeImputer(max_iter=max_iter, random_state=seed, keep_empty_features=True)
    filled = imp.fit_transform(z)
    return _fill(x, filled * sd + mu)


METHODS = {
    "mean": mean,
    "median": median,
    "mean_group": mean_group,
    "median_group": median_group,
    "latest": latest,
    "knn": knn,
    "iterative": iterative,
}
# Parameters the build step fills from the data, not from the spec.
CONTEXT_PARAMS = {"history"}
