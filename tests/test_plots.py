"""Plots draw what they are given (checked on the Agg backend)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd

import integrity_eval as ie


def test_bar_shows_top_units_in_order(asem_ev):
    ax = ie.plots.bar(asem_ev, top=5)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[-1] == "CHE" and len(labels) == 5
    heights = [p.get_width() for p in ax.patches]
    assert heights == sorted(heights)
    assert np.isclose(heights[-1], asem_ev.scores.max())


def test_corr_heatmap_annotates_finite_cells():
    corr = pd.DataFrame([[1.0, 0.5], [0.5, np.nan]], index=["a", "b"], columns=["a", "b"])
    ax = ie.plots.corr_heatmap(corr)
    assert sorted(t.get_text() for t in ax.texts) == ["0.50", "0.50", "1.00"]


def test_lines_one_per_unit():
    table = pd.DataFrame({2020: [1.0, 2.0], 2021: [1.5, 2.5]}, index=["A", "B"])
    ax = ie.plots.lines(table, ["B"])
    assert len(ax.lines) == 1
    assert list(ax.lines[0].get_ydata()) == [2.0, 2.5]
