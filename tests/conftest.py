"""Shared fixtures: the bundled ASEM example, COINr's reference outputs, a written report."""

from __future__ import annotations

import os
import shutil
import subprocess
import warnings
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

import integrity_eval as ie
from integrity_eval import datasets

ROOT = Path(__file__).resolve().parents[1]
COINR_REF = ROOT / "tests" / "reference" / "coinr"
# The five-indicator mini framework of the CLI and reader tests, and its iData header
MINI_FW_TEXT = (ROOT / "tests" / "data" / "mini_framework.yaml").read_text(encoding="utf-8")
MINI_HEADER = ["uCode", "uName", "court", "penalty", "audit", "kept", "hotline"]

# COINr's build_example_coin() in this kit's spec vocabulary (tests/reference/coinr/README.md)
ASEM_SPEC = {
    "denominate": {},
    "impute": {"method": "mean_group", "group": "EurAsia_group"},
    "screen": {"dat_thresh": 0.9, "unit_screen": "byNA"},
    "treat": {"method": "winsorise", "winmax": 5, "skew_thresh": 2, "kurt_thresh": 3.5},
    "normalise": {"method": "minmax", "l_u": [0, 100]},
    "aggregate": {"method": "amean"},
}


# COINr's own sensitivity example on ASEM (COINr vignette "Sensitivity analysis"):
# noisy weights ±25 % at levels 2–3, treatment on/off, minmax 1–100 vs z-score 10/2,
# arithmetic vs geometric mean. Used by the uncertainty tests and benchmark.
COINR_INPUTS = [
    {"path": "weights", "noise": 0.25, "levels": [2, 3]},
    {"path": "treat", "values": [ASEM_SPEC["treat"], None]},
    {
        "path": "normalise",
        "values": [{"method": "minmax", "l_u": [1, 100]}, {"method": "zscore", "m_sd": [10, 2]}],
    },
    {"path": "aggregate__method", "values": ["amean", "gmean"]},
]

# Headless chromium: no network of its own, logs console messages on stderr.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
    "--allow-file-access-from-files",
    "--virtual-time-budget=10000",
]


def chromium() -> str:
    """The chromium binary; installed with apt-get when missing and possible."""
    for name in ("chromium", "chromium-browser"):
        if found := shutil.which(name):
            return found
    if shutil.which("apt-get") and os.geteuid() == 0:
        subprocess.run(["apt-get", "update"], capture_output=True, timeout=600)
        subprocess.run(["apt-get", "install", "-y", "chromium"], capture_output=True, timeout=1200)
        if found := shutil.which("chromium"):
            return found
    pytest.skip("chromium 不可用且无法安装 / chromium missing and cannot be installed here")


@pytest.fixture(scope="session")
def browser() -> str:
    return chromium()


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


# ------------------------------------------------------------------ reports
UNITS = ["BS", "CM", "CN", "FX"]
BANDS = [("A", 90.0), ("B", 70.0), ("C", 40.0), ("D", None)]


def _grade(score: float) -> str:
    """Grade by the edge rule of docs/rating.md (a score equal to an edge gets the better grade)."""
    for label, edge in BANDS:
        if edge is None or score >= edge:
            return label
    raise AssertionError


@pytest.fixture(scope="session")
def report_ev():
    """Four Shanghai districts (synthetic), two years; one district named like an attack."""
    ds = datasets.load("shanghai-districts", panel=True)
    idata = ds.idata[ds.idata["uCode"].isin(UNITS) & ds.idata["Time"].isin([2023, 2024])].copy()
    idata.loc[idata["uCode"] == "CN", "uName"] = "<script>alert(1)</script>长宁区"
    # with four units some indicators happen to be constant (yes/no items, rare events):
    # vary them at BS so min-max applies
    for year in (2023, 2024):
        rows = idata["Time"] == year
        for c in ds.framework.indicators:
            if idata.loc[rows, c].nunique() == 1:
                v = idata.loc[rows, c].dropna().iloc[0]
                idata.loc[rows & (idata["uCode"] == "BS"), c] = 1 - v if v in (0, 1) else v + 1
    ev = ie.build(ds.framework, idata, None, seed=0, time=2024)
    return ev


@pytest.fixture(scope="session")
def report_extras(report_ev):
    """Hand-made rating, uncertainty, grade-probability and record results in the
    interfaces of issues 8 and 9 (duck-typed)."""
    scores = report_ev.scores
    grades = [_grade(s) for s in scores]
    table = pd.DataFrame(
        {
            "score": scores,
            "grade_by_score": grades,
            "grade": grades,
            "veto": "",
        },
        index=scores.index,
    )
    worst = scores.idxmin()
    table.loc[worst, "grade"] = "D"
    table.loc[worst, "veto"] = "重大失信事件"
    rated = SimpleNamespace(table=table, scheme=SimpleNamespace(bands=BANDS, name="tax-credit"))
    ranks = report_ev.ranks
    frame = pd.DataFrame(
        {
            "nominal_score": scores,
            "nominal_rank": ranks,
            "median_rank": ranks.astype(float),
            "rank_q05": (ranks - 1).clip(lower=1),
            "rank_q95": (ranks + 1).clip(upper=len(ranks)),
            "score_q05": scores - 3,
            "score_median": scores,
            "score_q95": scores + 3,
        }
    )
    ua = SimpleNamespace(
        to_frame=lambda: frame,
        n=200,
        inputs=[{"path": "weights", "noise": 0.25}, {"path": "aggregate__method"}],
        rank_shift=0.8,
    )
    probs = pd.DataFrame({g: 0.0 for g, _ in BANDS}, index=scores.index)
    for u, g in zip(scores.index, grades, strict=True):
        probs.loc[u, g] = 0.7
        probs.loc[u, "D" if g != "D" else "C"] = 0.3
    probs["borderline"] = True
    records = {
        "BS": pd.DataFrame(
            {
                "record_id": ["R1"],
                "decided": ["2024-03-01"],
                "source": ["court"],
                "category": [7],
                "severity": ["serious"],
                "weight": [1.0],
            }
        )
    }
    return {"rated": rated, "ua": ua, "grade_probs": probs, "records": records}


@pytest.fixture(scope="session")
def report_written(report_ev, report_extras, tmp_path_factory):
    out = tmp_path_factory.mktemp("rep") / "run"
    manifest = {
        **report_ev.manifest,
        "synthetic": True,
        "run_id": "test-run",
        # an absolute path as an older CLI wrote it: the writer keeps only the file name
        "input_files": [{"role": "data", "path": str(ROOT / "data.csv"), "sha256": "0" * 64}],
    }
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ie.report.write(
            report_ev,
            out,
            history=ie.panel.history(report_ev),
            agency="某信用服务有限公司",
            manifest=manifest,
            quiet=True,
            **report_extras,
        )
    return out, [str(w.message) for w in caught]


def assert_pdf_embeds_cjk(reader) -> None:
    """Every font of a PDF (a ``pypdf.PdfReader``) is embedded, none is Type 3, and the
    report's CJK subset (``ReportCJK``) is among them."""
    fonts = {}
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            fonts[str(font["/BaseFont"])] = font
    assert any("ReportCJK" in n for n in fonts)
    for name, font in fonts.items():
        assert font["/Subtype"] != "/Type3", name
        desc = (
            font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            if "/DescendantFonts" in font
            else font["/FontDescriptor"]
        ).get_object()
        assert any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")), name


#: Modules whose one module fixture takes longest: the docs build (every notebook run), the
#: installed wheel, the rendered reports.
LONGEST_MODULES = ("test_site.py", "test_install.py", "test_report_signable.py")


def pytest_configure(config):
    """The suite runs on every core through pytest-xdist; inside it, "every core" (the
    CLI's default ``--jobs``, ``n_jobs=-1``) means one worker, as joblib reads
    ``LOKY_MAX_CPU_COUNT``. Explicit worker counts (``tests/test_report_workers.py``,
    ``run --jobs 2``, the Monte Carlo tests) still apply. (A hook, not an import-time
    setting: the benchmarks import this module for its constants.)"""
    os.environ.setdefault("LOKY_MAX_CPU_COUNT", "1")


def pytest_collection_modifyitems(config, items):
    """Start the modules of :data:`LONGEST_MODULES` first.

    ``make test`` spreads the tests over the cores with pytest-xdist (``--dist
    loadfile``, set in pyproject.toml): a module runs on one worker, so its module
    fixtures are built once, and starting the longest modules first lets the short ones
    fill the other cores instead of waiting for them at the end.
    """
    items.sort(key=lambda item: item.path.name not in LONGEST_MODULES)
