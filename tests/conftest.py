"""Shared fixtures: the bundled ASEM example and COINr's reference outputs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import integrity_eval as ie

ROOT = Path(__file__).resolve().parents[1]
COINR_REF = ROOT / "tests" / "reference" / "coinr"

# COINr's build_example_coin() in this kit's spec vocabulary (tests/reference/coinr/README.md)
ASEM_SPEC = {
    "denominate": {},
    "impute": {"method": "mean_group", "group": "EurAsia_group"},
    "screen": {"dat_thresh": 0.9, "unit_screen": "byNA"},
    "treat": {"method": "winsorise", "winmax": 5, "skew_thresh": 2, "kurt_thresh": 3.5},
    "normalise": {"method": "minmax", "l_u": [0, 100]},
    "aggregate": {"method": "amean"},
}

# A three-level toy tree: IDX → D1 (a, b), D2 (c)
TOY_NODES = [
    {"code": "IDX", "level": 3},
    {"code": "D1", "level": 2, "parent": "IDX"},
    {"code": "D2", "level": 2, "parent": "IDX"},
    {"code": "a", "level": 1, "parent": "D1"},
    {"code": "b", "level": 1, "parent": "D1"},
    {"code": "c", "level": 1, "parent": "D2"},
]


@pytest.fixture(scope="session")
def asem_imeta() -> pd.DataFrame:
    return pd.read_csv(ROOT / "datasets" / "asem" / "asem_iMeta.csv")


@pytest.fixture(scope="session")
def asem_idata() -> pd.DataFrame:
    return pd.read_csv(ROOT / "datasets" / "asem" / "asem_iData.csv")


@pytest.fixture(scope="session")
def asem_fw(asem_imeta) -> ie.Framework:
    return ie.Framework.from_imeta(asem_imeta, name="asem")


@pytest.fixture(scope="session")
def asem_ev(asem_fw, asem_idata) -> ie.Evaluation:
    return ie.build(asem_fw, asem_idata, ASEM_SPEC)


def coinr_ref(name: str, **kw) -> pd.DataFrame:
    return pd.read_csv(COINR_REF / f"{name}.csv", **kw)
