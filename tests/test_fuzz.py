"""Fuzz test of ``validate`` and ``run`` (issue 20): random cells, names and spec values on a
small framework end in exit 0 with finite scores and ranks consistent with the data, or in
exit 1 with a bilingual message — never a traceback.

Hypothesis (https://hypothesis.readthedocs.io) draws the inputs: data tables (CSV or XLSX)
of hostile or careless cells, unit codes and names, framework names and specs of real
methods with random parameter values. ``derandomize=True`` makes every run draw the same
examples (CI is reproducible) and the example counts (120 validate, 14 run) keep the file
under a minute. Each crash it found is fixed in the package with a regression test of its
own (tests/test_hostile_inputs.py, tests/test_validate_refusals.py).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import tempfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import yaml
from conftest import MINI_FW_TEXT, MINI_HEADER
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from integrity_eval import Framework
from integrity_eval.cli import main
from integrity_eval.mcda import MCDA_METHODS
from integrity_eval.methods import METHODS, method_params
from integrity_eval.spec import MISSING_POLICIES, STAGES, WEIGHT_METHODS
from integrity_eval.weights.models import MODELS

# The mini framework with lost lawsuits per resident (a denominator)
FW_TEXT = MINI_FW_TEXT.replace(
    "    definition: 年度行政诉讼败诉案件数\n",
    "    definition: 年度行政诉讼败诉案件数\n    denominator: population\n",
)
INDICATORS = MINI_HEADER[2:]  # court, penalty, audit, kept, hotline
_FW = Framework.from_dict(yaml.safe_load(FW_TEXT))
DIRECTION = {c: _FW[c].direction for c in INDICATORS}
CODES = ["HP", "PD", "CN", "JA", "XH", "0101", "NA", "sh01", "ＳＨ02", "静安"]
ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
CJK = re.compile("[\u4e00-\u9fff]")

FUZZ = {
    "deadline": None,
    "derandomize": True,
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}

# ------------------------------------------------------------------ strategies
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=6)
TOKENS = st.sampled_from(
    ["", " ", "—", "-", "NA", "n/a", "无", "/", "TRUE", "false", "1,234", "12,34", "85%",
     "１２", "1e309", "-0", "nan", "inf", "-inf", "=1+1", "0x1F", "3.", ".5", "1e-320",
     "2023-01-01", "\u202e7", "1 000", "五"]
)  # fmt: skip
NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**20), 10**20),
    st.sampled_from([0, 1, -1, 1e15, -1e15, 1e16, 1e-300, 5e-324, 0.5]),
)
CELL = st.one_of(NUMBERS, TOKENS, TEXT, st.none(), st.booleans())
NAMES = st.one_of(
    TEXT,
    st.sampled_from(["<b>黄浦</b>", '=HYPERLINK("x")', "a\nb", "名" * 80, "&amp;", "{{ x }}", " "]),
)
SPEC_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), NUMBERS, TEXT, st.sampled_from(INDICATORS)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from([*INDICATORS, *CODES[:3], "D1"]), inner, max_size=2),
    ),
    max_leaves=4,
)


@st.composite
def stage_specs(draw: st.DrawFn) -> dict:
    """A spec of a few stages: real method names mostly, each with some of its real
    parameters (and now and then an unknown one) set to random values."""
    spec: dict = {}
    for stage in draw(st.lists(st.sampled_from([*STAGES, "weights"]), max_size=3, unique=True)):
        if draw(st.integers(0, 9)) == 0:
            spec[stage] = draw(SPEC_VALUE)
            continue
        cfg: dict = {}
        if stage in METHODS:
            names = [*METHODS[stage]] + ([*MCDA_METHODS] if stage == "aggregate" else [])
            method = draw(st.sampled_from(names))
            cfg["method"] = method
            fn = METHODS[stage].get(method)
            params = [*method_params(fn)] if fn else []
            params += ["dat_thresh"] if stage == "aggregate" else []
        elif stage == "screen":
            params = ["dat_thresh", "unit_screen", "nonzero_thresh", "force"]
        elif stage == "weights":
            cfg["method"] = draw(st.sampled_from([*WEIGHT_METHODS, *MODELS, "optimise"]))
            params = ["values", "level", "directions", "n_factors", "share_bounds", "toler"]
        else:  # denominate: no parameters
            params = []
        for name in draw(st.lists(st.sampled_from(params or ["x"]), max_size=2, unique=True)):
            cfg[name] = draw(SPEC_VALUE)
        spec[stage] = cfg
    if draw(st.booleans()):
        spec["missing"] = draw(st.one_of(st.sampled_from(MISSING_POLICIES), SPEC_VALUE))
    if draw(st.integers(0, 4)) == 0:
        spec["exclude"] = draw(st.lists(st.sampled_from([*INDICATORS, "D1", "x"]), max_size=2))
    return spec


@st.composite
def hostile_tables(draw: st.DrawFn) -> list[list]:
    """A data table of 1–6 units: codes and names from anywhere, any cell anywhere."""
    n = draw(st.integers(1, 6))
    header = ["uCode", "uName", *INDICATORS, "population"]
    if draw(st.integers(0, 5)) == 0:
        header.append(draw(st.one_of(st.sampled_from(["size_group", "Time", "court", ""]), TEXT)))
    rows = []
    for _ in range(n):
        code = draw(st.one_of(st.sampled_from(CODES), TEXT, NUMBERS))
        rows.append([code, draw(NAMES), *(draw(CELL) for _ in header[2:])])
    return [header, *rows]


def _plausible(name: str) -> st.SearchStrategy:
    """Values an indicator accepts (count, amount, rate, 0–100 score, population)."""
    return {
        "court": st.integers(0, 20),
        "penalty": st.integers(0, 20),
        "audit": st.floats(0, 1e6),
        "kept": st.floats(0, 1),
        "hotline": st.floats(0, 100),
        "population": st.floats(0.5, 1e4),
    }[name]


@st.composite
def careless_tables(draw: st.DrawFn) -> list[list]:
    """A data table of 2–6 distinct units, plausible values with a few blank or careless cells."""
    codes = draw(st.lists(st.sampled_from(CODES[:6]), min_size=2, max_size=6, unique=True))
    header = ["uCode", "uName", *INDICATORS, "population"]
    rows = []
    for code in codes:
        row = [code, draw(st.one_of(st.just(f"单位{code}"), NAMES))]
        for name in header[2:]:
            odd = draw(st.integers(0, 39))
            row.append(draw(CELL) if odd == 0 else None if odd < 3 else draw(_plausible(name)))
        rows.append(row)
    return [header, *rows]


# ------------------------------------------------------------------ helpers
def _write(
    folder: Path, table: list[list], spec: dict | None, xlsx: bool, name: str | None = None
) -> list[str]:
    """The framework (``name``: the Chinese name of indicator kept), data and spec files of
    one example, and the options naming them."""
    quoted = json.dumps(name, ensure_ascii=False)  # astral characters as they are
    fw_text = FW_TEXT if name is None else FW_TEXT.replace("zh: 承诺兑现率", f"zh: {quoted}")
    (folder / "fw.yaml").write_text(fw_text, encoding="utf-8")
    if xlsx:
        data = folder / "d.xlsx"
        wb = openpyxl.Workbook()
        for row in table:
            wb.active.append([_xlsx_cell(v) for v in row])
        wb.save(data)
    else:
        data = folder / "d.csv"
        with open(data, "w", encoding="utf-8", newline="", errors="surrogatepass") as fh:
            csv.writer(fh).writerows([["" if v is None else v for v in r] for r in table])
    argv = ["--framework", str(folder / "fw.yaml"), "--data", str(data)]
    if spec is not None:
        (folder / "spec.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), "utf-8")
        argv += ["--spec", str(folder / "spec.yaml")]
    return argv


def _xlsx_cell(v):
    if isinstance(v, str):
        return ILLEGAL_XML.sub("", v)
    if isinstance(v, int) and not isinstance(v, bool) and abs(v) > 2**53:
        return float(v)  # beyond what a spreadsheet cell holds
    return v


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def _assert_refusal_or_success(code: int, err: str) -> None:
    assert code in (0, 1), err
    assert "Traceback" not in err
    if code == 1:
        assert "错误 / Error:" in err, err
        message = err[err.index("错误 / Error:") :]
        assert CJK.search(message) and " / " in message, err


def _assert_league_table(folder: Path, table: list[list], spec: dict | None) -> None:
    """Finite scores; ranks 1.. following the scores; a unit better than another on every
    indicator (per resident for court) never ranks below it, where the build is monotone."""
    (path,) = folder.glob("out/*/league_table.csv")
    league = pd.read_csv(path, encoding="utf-8-sig", dtype={"uCode": str}, keep_default_na=False)
    rated = league[league["rank"].astype(str) != ""]
    scores = rated["score"].astype(float).to_numpy()
    ranks = rated["rank"].astype(int).to_numpy()
    assert np.isfinite(scores).all(), league
    assert len(rated) and ranks.min() == 1 and ranks.max() <= len(rated)
    top = _top_method(spec)
    sign = 1 if top not in MCDA_METHODS or MCDA_METHODS[top].higher_is_better else -1
    better = sign * (scores[:, None] - scores[None, :]) > 0  # after rounding: truly better
    assert (ranks[:, None] < ranks[None, :])[better].all(), league
    if _monotone(spec, table):
        values = _directed_values(table)
        codes = rated["uCode"].tolist()
        for a in codes:
            for b in codes:
                dominates = (values[a] >= values[b]).all() and (values[a] > values[b]).any()
                if dominates:
                    ra, rb = (int(rated.loc[rated["uCode"] == c, "rank"].iloc[0]) for c in (a, b))
                    assert ra <= rb, (a, b, league)


def _top_method(spec: dict | None) -> str:
    method = ((spec or {}).get("aggregate") or {}).get("method", "amean")
    return method[-1] if isinstance(method, list) else method


def _monotone(spec: dict | None, table: list[list]) -> bool:
    """Whether dominance must carry over to the scores: complete plain-number data and a
    build whose every step keeps the order within an indicator, with weights ≥ 0 (every
    weighting model's are). A penalised mean (MPI/AMPI, anywhere in the aggregate stage)
    does not; an excluded indicator only weakens dominance, which ties (min ranks) allow."""
    cells = [v for row in table[1:] for v in row[2:]]
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in cells):
        return False
    return not re.search(r"\ba?mpi\b", str((spec or {}).get("aggregate")))


def _directed_values(table: list[list]) -> dict[str, np.ndarray]:
    header = table[0]
    out = {}
    for row in table[1:]:
        cells = dict(zip(header, row, strict=True))
        vals = [float(cells[c]) * DIRECTION[c] for c in INDICATORS]
        vals[0] /= float(cells["population"])  # court per resident
        out[str(row[0])] = np.array(vals)
    return out


# ------------------------------------------------------------------ the tests
@settings(max_examples=120, **FUZZ)
@given(
    table=st.one_of(hostile_tables(), careless_tables()),
    spec=st.one_of(st.none(), stage_specs()),
    xlsx=st.integers(0, 4).map(lambda k: k == 0),
    name=st.one_of(st.none(), NAMES),
)
def test_validate_refuses_in_words_or_passes_never_a_traceback(table, spec, xlsx, name):
    with tempfile.TemporaryDirectory() as tmp:
        argv = _write(Path(tmp), table, spec, xlsx, name)
        code, _out, err = _cli("validate", *argv)
    _assert_refusal_or_success(code, err)
    event(f"exit {code}")


@settings(max_examples=14, **FUZZ)
@given(
    table=careless_tables(),
    spec=st.one_of(st.none(), stage_specs().map(lambda s: {"aggregate": {}, **s})),
    name=st.one_of(st.none(), NAMES),
)
def test_run_agrees_with_validate_and_ranks_follow_the_data(table, spec, name):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        argv = _write(folder, table, spec, xlsx=False, name=name)
        checked, _, verr = _cli("validate", *argv)
        _assert_refusal_or_success(checked, verr)
        code, _out, err = _cli("run", *argv, "--out", str(folder / "out"), "--quiet", "--no-pdf")
        _assert_refusal_or_success(code, err)
        assert code == checked, (verr, err)
        event(f"exit {code}")
        if code == 0:
            _assert_league_table(folder, table, spec)
        else:
            assert not (folder / "out").exists() or not any((folder / "out").iterdir())


def test_the_fuzz_draws_reach_both_outcomes():
    """The checks of a league table pass on a plausible table with the default spec (JA is
    better than CN on every indicator, so the dominance check runs), and fail on a table
    whose scores and ranks of the two were swapped."""
    table = [["uCode", "uName", *INDICATORS, "population"],
             ["HP", "甲", 3, 10, 120.5, 0.9, 88, 50.0],
             ["PD", "乙", 1, 4, 0.0, 0.75, 91.5, 80.0],
             ["CN", "丙", 0, 7, 30.0, 0.8, 80, 20.0],
             ["JA", "丁", 0, 5, 10.0, 0.85, 85, 20.0]]  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        argv = _write(folder, table, None, xlsx=False)
        assert _cli("validate", *argv)[0] == 0
        assert _cli("run", *argv, "--out", str(folder / "out"), "--quiet", "--no-pdf")[0] == 0
        _assert_league_table(folder, table, None)
        (path,) = folder.glob("out/*/league_table.csv")
        league = pd.read_csv(path, encoding="utf-8-sig", dtype={"uCode": str})
        ja, cn = (league.index[league["uCode"] == c][0] for c in ("JA", "CN"))
        league.loc[[ja, cn], ["score", "rank"]] = league.loc[[cn, ja], ["score", "rank"]].values
        league.to_csv(path, index=False, encoding="utf-8-sig")  # CN now above JA
        with pytest.raises(AssertionError, match="JA"):
            _assert_league_table(folder, table, None)
