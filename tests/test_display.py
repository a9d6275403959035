"""Every public result object shows itself well: a short one-line repr (never a raw
dataclass dump), ``summary()`` as text, and ``_repr_html_`` for Jupyter."""

from __future__ import annotations

import unicodedata

import pandas as pd
import pytest
from conftest import ROOT

import integrity_eval as ie
from integrity_eval import analysis as A
from integrity_eval import synthetic
from integrity_eval.display import Summary
from integrity_eval.panel import build_panel

PANEL_SPEC = {"normalise": {"method": "minmax", "l_u": [0, 100]}, "aggregate": {"method": "amean"}}


@pytest.fixture(scope="module")
def results(asem_ev, asem_fw) -> dict[str, object]:
    panel_data = pd.read_csv(ROOT / "datasets" / "asem" / "asem_iData_panel.csv")
    pca = A.pca(asem_ev, "Normalised", nowarnings=True)
    return {
        "Evaluation": asem_ev,
        "Panel": build_panel(asem_fw, panel_data, PANEL_SPEC),
        "DataAvailability": A.data_availability(asem_ev, by="EurAsia_group"),
        "PCAResult": pca,
        "PCAGroup": pca.groups["Physical"],
        "StrengthsWeaknesses": A.strengths_weaknesses(asem_ev, "IND"),
        "Framework": ie.load_framework("shanghai-2018"),
        "Dataset": ie.datasets.load("asem"),
        "SyntheticPanel": synthetic.dataset_panel("luyang-units"),
    }


NAMES = [
    "Evaluation",
    "Panel",
    "DataAvailability",
    "PCAResult",
    "PCAGroup",
    "StrengthsWeaknesses",
    "Framework",
    "Dataset",
    "SyntheticPanel",
]


@pytest.mark.parametrize("name", NAMES)
def test_repr_is_one_short_line(results, name):
    text = repr(results[name])
    assert text.startswith(f"<{name} ") and text.endswith(">"), text
    assert "\n" not in text and len(text) < 200, text
    assert "DataFrame" not in text and "=pd." not in text and "Series" not in text


@pytest.mark.parametrize("name", NAMES)
def test_summary_and_html(results, name):
    obj = results[name]
    text = str(obj.summary())
    assert " / " in text.splitlines()[0]  # bilingual title
    html = obj._repr_html_()
    if name == "Dataset":  # its own card: title, badge (real / synthetic), licence
        assert "real data / 真实数据" in html
    else:
        assert "<table" in html and "<h4>" in html


def test_summaries_name_what_matters(results):
    sw = str(results["StrengthsWeaknesses"].summary())
    assert "Strengths / 优势" in sw and "Weaknesses / 短板" in sw and "MatCon" in sw
    assert "MatCon" in repr(results["StrengthsWeaknesses"])
    da = results["DataAvailability"]
    assert "BRN" in str(da.summary()).split("数据最少的单位在前:")[1].splitlines()[3]
    assert da["Summary"] is da.by_unit  # COINr's name still works
    panel = str(results["Panel"].summary())
    assert "2018, 2019, 2020, 2021, 2022" in panel and "global" in panel
    assert "合成数据" in repr(results["SyntheticPanel"])
    assert "<Node INDEX (level 4): 区级政务诚信指数" in repr(results["Framework"]["INDEX"])


def test_summary_text_aligns_chinese_labels():
    text = str(Summary("T / 标题", [("单位 / units", 1), ("seed", 2)]))
    lines = text.splitlines()[2:]

    def width(s: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)

    # the values start in the same terminal column
    assert {width(ln[: ln.rindex(" ") + 1]) for ln in lines} == {width("单位 / units  ")}
