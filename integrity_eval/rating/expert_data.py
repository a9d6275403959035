r"""Synthetic expert grades of the Shanghai districts, with known true edges (合成数据).

So that calibration can be checked against a truth, the expert grades shipped in
``datasets/shanghai-expert-grades/`` are drawn from the latent integrity θ of the
synthetic ``shanghai-districts`` panel (:mod:`integrity_eval.synthetic`, same model
and seed) with rater noise:

    grade(u, t) = band of  θ[u, t] + e[u, t]  under the true edges,   e ~ Logistic(0, s)

with true edges on the θ scale (优 ≥ 1.5, 良 ≥ 0.3, 中 ≥ −0.8, 差 below; the edge
rule of :class:`~integrity_eval.rating.scheme.Scheme`) and s = 0.3. An ordinal logit
of these grades on θ is then correctly specified, with slope 1/s and cut-points
edge/s, so ``calibrate_expert(theta, grades, method="ordinal_logit")`` must recover
the true edges (tests/test_rating.py). Anchor units: for the latest year, one unit per
grade graded without noise (the agency's own careful review) — the unit whose θ lies
farthest inside its band.

Regenerate byte-identically: ``python -m integrity_eval.rating.expert_data --out datasets``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ..datasets import datasets_dir
from ..io import load_yaml
from ..synthetic import dataset_panel

__all__ = ["ExpertGrades", "generate", "load", "write"]

NAME = "shanghai-expert-grades"
SOURCE_DATASET = "shanghai-districts"
SEED = 20181030
ORDER = ["优", "良", "中", "差"]
TRUE_EDGES = {"优": 1.5, "良": 0.3, "中": -0.8}  # lower edges on the θ scale
NOISE_SCALE = 0.3
FILES = {
    "grades": "shanghai_expert_grades_synthetic.csv",
    "anchors": "shanghai_expert_anchors_synthetic.csv",
    "truth": "shanghai_expert_truth_synthetic.yaml",
}


@dataclass(frozen=True, eq=False)
class ExpertGrades:
    """Expert grades (Series by (uCode, Time)), anchors (Series by uCode, latest year),
    unit names, and the truth (true edges, noise scale, seed, θ by (uCode, Time))."""

    grades: pd.Series
    anchors: pd.Series
    names: pd.Series
    truth: dict
    theta: pd.Series

    @property
    def order(self) -> list[str]:
        return list(self.truth["order"])


def generate(seed: int = SEED) -> ExpertGrades:
    """Draw the expert grades and anchors from the synthetic panel's θ (deterministic)."""
    panel = dataset_panel(SOURCE_DATASET)
    truth = panel.truth.set_index(["uCode", "Time"])["theta"].sort_index()
    names = panel.idata.drop_duplicates("uCode").set_index("uCode")["uName"].sort_index()
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    noisy = truth.to_numpy() + rng.logistic(0.0, NOISE_SCALE, size=len(truth))
    grades = pd.Series(_band(noisy), index=truth.index, name="grade")
    latest = truth.xs(truth.index.get_level_values("Time").max(), level="Time")
    inside = _depth(latest.to_numpy())
    true_grade = pd.Series(_band(latest.to_numpy()), index=latest.index)
    anchors = {}
    for g in ORDER:
        members = true_grade.index[true_grade == g]
        if len(members):
            anchors[members[np.argmax(inside[true_grade.index.isin(members)])]] = g
    anchors = pd.Series(anchors, name="grade").rename_axis("uCode").sort_index()
    meta = {
        "order": ORDER,
        "true_edges_theta": dict(TRUE_EDGES),
        "noise": {"distribution": "logistic", "location": 0.0, "scale": NOISE_SCALE},
        "seed": seed,
        "source_dataset": SOURCE_DATASET,
        "anchor_time": int(truth.index.get_level_values("Time").max()),
    }
    return ExpertGrades(grades, anchors, names, meta, truth)


def _band(theta: np.ndarray) -> np.ndarray:
    edges = np.array(list(TRUE_EDGES.values()))
    return np.array(ORDER, dtype=object)[(theta[:, None] < edges).sum(axis=1)]


def _depth(theta: np.ndarray) -> np.ndarray:
    """Distance of each θ from the nearest true edge (how clearly it lies in its band)."""
    edges = np.array(list(TRUE_EDGES.values()))
    return np.abs(theta[:, None] - edges).min(axis=1)


def write(out: str | Path = "datasets") -> Path:
    """Write ``out/shanghai-expert-grades/`` (CSV, YAML, SOURCE.md); returns the folder."""
    eg = generate()
    folder = Path(out) / NAME
    folder.mkdir(parents=True, exist_ok=True)
    g = eg.grades.reset_index()
    g.insert(1, "uName", g["uCode"].map(eg.names))
    _write(folder / FILES["grades"], g.to_csv(index=False, lineterminator="\n"))
    a = eg.anchors.reset_index()
    a.insert(1, "uName", a["uCode"].map(eg.names))
    a.insert(2, "Time", eg.truth["anchor_time"])
    _write(folder / FILES["anchors"], a.to_csv(index=False, lineterminator="\n"))
    _write(
        folder / FILES["truth"],
        yaml.safe_dump(eg.truth, allow_unicode=True, sort_keys=False, width=100),
    )
    _write(folder / "SOURCE.md", _source_md(eg))
    return folder


def load(folder: str | Path | None = None) -> ExpertGrades:
    """Read the shipped expert grades (``datasets/shanghai-expert-grades``)."""
    folder = Path(folder) if folder is not None else datasets_dir() / NAME
    g = pd.read_csv(folder / FILES["grades"], dtype={"uCode": str, "grade": str})
    a = pd.read_csv(folder / FILES["anchors"], dtype={"uCode": str, "grade": str})
    truth = load_yaml(folder / FILES["truth"])
    theta = (
        pd.read_csv(
            datasets_dir() / SOURCE_DATASET / "shanghai_districts_truth_synthetic.csv",
            dtype={"uCode": str},
        )
        .set_index(["uCode", "Time"])["theta"]
        .sort_index()
    )
    return ExpertGrades(
        grades=g.set_index(["uCode", "Time"])["grade"],
        anchors=a.set_index("uCode")["grade"],
        names=g.drop_duplicates("uCode").set_index("uCode")["uName"],
        truth=truth,
        theta=theta,
    )


def _write(path: Path, text: str) -> None:
    path.write_bytes(text.encode("utf-8"))


def _source_md(eg: ExpertGrades) -> str:
    shares = eg.grades.value_counts(normalize=True).reindex(ORDER, fill_value=0)
    share_text = ", ".join(f"{g} {v:.0%}" for g, v in shares.items())
    anchors = ", ".join(f"{u} ({eg.names[u]}) {g}" for u, g in eg.anchors.items())
    years = eg.grades.index.get_level_values("Time")
    return (
        "# 上海市各区政务诚信专家评级（合成数据）\n\n"
        "Expert integrity grades of Shanghai's districts (synthetic data)\n\n"
        "**合成数据 — synthetic data.** These grades were drawn from a random model by "
        "`integrity_eval/rating/expert_data.py`; no expert graded any real district. Only "
        "the district *names* are real. Do not cite these grades as facts about any district.\n\n"
        f"* Units and years: the 16 districts of `{SOURCE_DATASET}`, {years.min()}–"
        f"{years.max()} ({len(eg.grades)} grades: {share_text}).\n"
        f"* `{FILES['grades']}`: uCode, uName, Time, grade (优/良/中/差), one consensus "
        "grade per district and year.\n"
        f"* `{FILES['anchors']}`: anchor units of {eg.truth['anchor_time']}, graded without "
        f"noise: {anchors}.\n"
        f"* `{FILES['truth']}`: the true edges, the rater-noise model, the seed.\n"
        "* Suggested use: calibrate on the years before the last, hold the last year out.\n"
        "* Regenerate (byte-identical): `python -m integrity_eval.rating.expert_data --out "
        "datasets`.\n\n"
        "## Model\n\n"
        "θ[u, t] is the latent integrity of district u in year t in the synthetic "
        f"`{SOURCE_DATASET}` panel (its `SOURCE.md` gives the model and seed). The "
        "expert panel sees θ with rater noise: grade = band of θ + e under the true edges "
        "优 ≥ 1.5, 良 ≥ 0.3, 中 ≥ −0.8, 差 below (a value equal to an edge gets the better "
        f"grade), e ~ Logistic(0, {NOISE_SCALE}) independent across districts and years, "
        f"drawn with `numpy.random.default_rng(numpy.random.SeedSequence({eg.truth['seed']}))`.\n\n"
        "Known ground truth: the edges on the θ scale and the noise scale. An ordinal logit "
        "of the grades on θ is correctly specified (slope 1/0.3, cut-points edge/0.3), so "
        "calibrating on θ must recover the edges; calibrating on a composite score gives "
        "edges on that score's scale, judged by agreement with the grades (weighted κ), "
        "since the score is only a noisy, non-linear proxy of θ. The anchors are, for each "
        f"grade, the district whose θ in {eg.truth['anchor_time']} lies farthest from the "
        "true edges inside its band.\n\n"
        "Licence: CC0-1.0 (generated data).\n"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m integrity_eval.rating.expert_data",
        description="Regenerate the synthetic expert grades (byte-identical from the seed).",
    )
    parser.add_argument("--out", default="datasets", help="parent folder (default: datasets)")
    args = parser.parse_args(argv)
    print(f"wrote {write(args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
