"""Synthetic expert judgements for ``shanghai-2018`` (合成数据 / synthetic): generate and load.

Five experts fill the AHP questionnaire (:func:`~integrity_eval.weights.ahp_template`)
for the top dimensions (INDEX: MECH, DOM, SAFE) and the sub-dimensions of MECH
(M1–M4) and SAFE (S1–S5); six experts split 100 points over the top dimensions.
DOM (16 children) is left out of the AHP questionnaire and keeps equal weights: a
16-element matrix asks 120 judgements of each expert, well past the 7 ± 2 elements per
matrix Saaty & Ozdemir (2003, Mathematical and Computer Modelling 38: 233–244) advise
for consistent answers (the kit could still check it: the Alonso–Lamata random index
reaches n = 30).

The model (seeded through ``numpy.random.SeedSequence``): a reference priority
vector per aggregate (:data:`REFERENCE`); each expert's own priorities are a
Dirichlet draw around it (concentration 60); a judgement is the ratio
``w_i/w_j`` times a log-normal error (σ = 0.15), rounded to the nearest value of
Saaty's scale (intensity 1–9 or its reciprocal). Expert ``E3`` is inconsistent:
the judgement of every second pair is replaced by ``(w_j/w_i)³`` (reversed and
exaggerated), so the consistency ratio of each of E3's matrices exceeds 0.1.
Budget allocations are the reference weights of the top dimensions times 100
plus normal noise (sd 4 points), rounded to multiples of 5 and re-balanced to
100; expert ``B6`` allocates far from the others (10 / 20 / 70). Regenerate
byte-identically with ``python -m integrity_eval.weights.synthetic --out datasets``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from ..datasets import datasets_dir
from ..framework import load_framework
from ..io import atomic_write_text
from .questionnaire import FIRST_ROW, AhpResponses, ahp_template, read_ahp, save_reproducible

__all__ = ["FOLDER", "REFERENCE", "SEED", "generate", "load_experts"]

FOLDER = "shanghai-expert-weights"
FRAMEWORK = "shanghai-2018"
SEED = 20180701
REFERENCE: dict[str, dict[str, float]] = {
    "INDEX": {"MECH": 0.30, "DOM": 0.50, "SAFE": 0.20},
    "MECH": {"M1": 0.35, "M2": 0.30, "M3": 0.20, "M4": 0.15},
    "SAFE": {"S1": 0.30, "S2": 0.25, "S3": 0.15, "S4": 0.15, "S5": 0.15},
}
EXPERTS = ["E1", "E2", "E3", "E4", "E5"]
INCONSISTENT = "E3"
BUDGET_EXPERTS = ["B1", "B2", "B3", "B4", "B5", "B6"]
SCALE = np.array([1 / k for k in range(9, 1, -1)] + list(range(1, 10)), dtype=float)


def _saaty(ratio: float) -> tuple[str, int]:
    """The nearest scale value (on a log scale) as (side, intensity)."""
    v = SCALE[np.argmin(np.abs(np.log(SCALE) - np.log(ratio)))]
    if v == 1:
        return "同等", 1
    return ("A", round(float(v))) if v > 1 else ("B", round(float(1 / v)))


def generate(out: str | Path) -> Path:
    """Write the questionnaires, budget allocations and SOURCE.md to ``out/FOLDER``."""
    from openpyxl import load_workbook

    folder = Path(out) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    fw = load_framework(FRAMEWORK)
    streams = np.random.SeedSequence(SEED).spawn(len(EXPERTS) + 1)
    blank = folder / ".template.xlsx"
    try:
        for expert, ss in zip(EXPERTS, streams, strict=False):
            rng = np.random.default_rng(ss)
            blank.unlink(missing_ok=True)  # the writer never overwrites
            ahp_template(fw, [3, 2], blank, parents=list(REFERENCE), expert=expert)
            wb = load_workbook(blank)
            for parent, ref in REFERENCE.items():
                kids = fw.children[parent]
                w = rng.dirichlet(60 * np.array([ref[k] for k in kids]))
                ws = wb[parent]
                pairs = [(i, j) for i in range(len(kids)) for j in range(i + 1, len(kids))]
                for k, (i, j) in enumerate(pairs):
                    ratio = w[i] / w[j] * np.exp(rng.normal(0, 0.15))
                    if expert == INCONSISTENT and k % 2 == 1:
                        ratio = 1 / ratio**3
                    side, intensity = _saaty(ratio)
                    ws.cell(FIRST_ROW + k, 6).value = side
                    ws.cell(FIRST_ROW + k, 7).value = intensity
            save_reproducible(wb, folder / f"ahp_{expert}_synthetic.xlsx")
    finally:
        blank.unlink(missing_ok=True)
    rng = np.random.default_rng(streams[-1])
    ref = np.array(list(REFERENCE["INDEX"].values())) * 100
    rows = []
    for _ in BUDGET_EXPERTS[:-1]:
        pts = np.clip(np.round((ref + rng.normal(0, 4, len(ref))) / 5) * 5, 5, None)
        pts[np.argmax(pts)] += 100 - pts.sum()
        rows.append(pts.astype(int))
    rows.append(np.array([10, 20, 70]))
    budget = pd.DataFrame(
        rows, index=pd.Index(BUDGET_EXPERTS, name="expert"), columns=list(REFERENCE["INDEX"])
    )
    # the generator replaces its own files; the questionnaires come from ahp_template,
    # which never overwrites, so remove the old ones before regenerating
    atomic_write_text(
        folder / "budget_allocations_synthetic.csv",
        budget.to_csv(lineterminator="\n"),
        overwrite=True,
    )
    atomic_write_text(folder / "SOURCE.md", _source_text(), overwrite=True)
    return folder


def _source_text() -> str:
    doc = (__doc__ or "").split("\n\n", 1)[1]
    ref = "\n".join(
        f"| {p} | " + ", ".join(f"{k} {v:.2f}" for k, v in r.items()) + " |"
        for p, r in REFERENCE.items()
    )
    return (
        "# shanghai-expert-weights — 合成数据 / synthetic expert judgements\n\n"
        "**合成数据 / synthetic.** No real expert was consulted. Generated by "
        "`integrity_eval/weights/synthetic.py` with seed "
        f"`{SEED}` (numpy `SeedSequence`); framework `{FRAMEWORK}`.\n\n"
        "## Files\n\n"
        "- `ahp_E1_synthetic.xlsx` … `ahp_E5_synthetic.xlsx`: filled AHP questionnaires, "
        'exactly as `ie.weights.ahp_template("shanghai-2018", [3, 2], path, '
        'parents=["INDEX", "MECH", "SAFE"])` writes them; read with `ie.weights.read_ahp`.\n'
        "- `budget_allocations_synthetic.csv`: six experts' 100 points over MECH, DOM, SAFE "
        "(`ie.weights.budget`).\n\n"
        "## Generating model\n\n" + doc.strip() + "\n\n"
        "## Known ground truth\n\n| aggregate | reference priorities |\n|---|---|\n" + ref + "\n\n"
        f"Expert `{INCONSISTENT}` is inconsistent by construction (CR ≥ 0.1 on every "
        "matrix); budget expert `B6` is the outlier.\n\n"
        "Licence: CC0-1.0.\n"
    )


def load_experts(folder: str | Path | None = None) -> tuple[list[AhpResponses], pd.DataFrame]:
    """The synthetic experts: (the five filled questionnaires read back, budget allocations)."""
    folder = Path(folder) if folder is not None else datasets_dir() / FOLDER
    responses = [read_ahp(folder / f"ahp_{e}_synthetic.xlsx") for e in EXPERTS]
    budget = pd.read_csv(folder / "budget_allocations_synthetic.csv", index_col="expert")
    return responses, budget


def main() -> None:  # pragma: no cover - command-line entry
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="datasets")
    print(generate(parser.parse_args().out))


if __name__ == "__main__":  # pragma: no cover
    main()
