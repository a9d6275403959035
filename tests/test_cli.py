"""The ``integrity-eval`` command: every bad input exits 1 with every problem listed,
leaves no output behind and never touches the input files."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import integrity_eval as ie
from integrity_eval import datasets
from integrity_eval.cli import DEFAULT_DATASET, main
from integrity_eval.io import file_sha256
from integrity_eval.template import FIRST_DATA_ROW, HEADER_ROW, write_template

DATA = Path(__file__).parent / "data"
FW_TEXT = (DATA / "mini_framework.yaml").read_text(encoding="utf-8")
HEADER = ["uCode", "uName", "court", "penalty", "audit", "kept", "hotline"]
ROWS = [
    ["310101", "黄浦区", 3, 10, 120.5, 0.9, 88],
    ["310104", "徐汇区", 1, 4, 0, 0.75, 91.5],
    ["310105", "长宁区", 0, 7, 30, 0.8, 80],
    ["310106", "静安区", 5, 2, 12, 0.6, 70],
    ["310107", "普陀区", 2, 9, 55, 0.95, 85],
]
RUN_ID = re.compile(r"^\d{8}-\d{6}-[0-9a-f]{8}(-synthetic)?$")


# ------------------------------------------------------------------ helpers
@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    inp = tmp_path / "in"
    inp.mkdir()
    fw = inp / "framework.yaml"
    fw.write_text(FW_TEXT, encoding="utf-8")
    data = inp / "data.csv"
    _write_csv(data, [HEADER, *ROWS])
    return {"fw": fw, "data": data, "out": tmp_path / "out", "in": inp}


def _write_csv(path: Path, rows: list[list], encoding: str = "utf-8") -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def _cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _assert_failed(code: int, err: str, fragments: list[str], out: Path, before, inp: Path):
    assert code == 1, err
    assert "Traceback" not in err
    assert err.startswith("错误 / Error")
    for fragment in fragments:
        assert fragment in err, (fragment, err)
    assert not out.exists() or list(out.iterdir()) == []  # no partial output
    assert _snapshot(inp) == before  # inputs untouched


def _run(files, capsys, *extra: str) -> tuple[int, str, str]:
    return _cli(
        capsys,
        "run",
        "--framework",
        files["fw"],
        "--data",
        files["data"],
        "--out",
        files["out"],
        "--quiet",
        *(extra if "--pdf" not in extra else [e for e in extra if e != "--pdf"]),
        *([] if "--pdf" in extra else ["--no-pdf"]),
    )


def _only_run_dir(out: Path) -> Path:
    (run_dir,) = list(out.iterdir())
    return run_dir


# ------------------------------------------------------------------ success
def test_run_writes_outputs(files, capsys):
    # two workers: the charts and PDFs drawn by processes, the draws run on threads
    code, out, err = _run(files, capsys, "--seed", "7", "--draws", "100", "--pdf", "--jobs", "2")
    assert code == 0, err
    assert err == ""  # --quiet: no progress
    run_dir = _only_run_dir(files["out"])
    assert RUN_ID.match(run_dir.name)
    assert str(run_dir) in out
    assert sorted(p.name for p in run_dir.iterdir()) == [
        "analysis.xlsx",
        "fonts",
        "league_table.csv",
        "manifest.json",
        "report.html",
        "report.pdf",
        "results.xlsx",
        "units",
    ]
    assert {p.name for p in (run_dir / "units").iterdir()} == {
        f"{r[0]}.{ext}" for r in ROWS for ext in ("html", "pdf")
    }
    raw = (run_dir / "league_table.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM so Excel shows Chinese
    table = pd.read_csv(run_dir / "league_table.csv", encoding="utf-8-sig", dtype={"uCode": str})
    assert list(table.columns[:4]) == ["uCode", "uName", "score", "rank"]
    assert [c.split(" ")[0] for c in table.columns[4:6]] == ["D1", "D2"]
    assert table.columns[-1] == "status"
    assert table["rank"].tolist() == sorted(table["rank"].tolist())
    assert table["rank"].iloc[0] == 1 and set(table["uCode"]) == {r[0] for r in ROWS}

    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["run_id"] == run_dir.name
    assert run_dir.name.endswith(manifest["run_hash"][:8])
    assert manifest["seed"] == 7 and manifest["draws"] == 100
    assert manifest["framework"]["name"] == "mini"
    by_role = {f["role"]: f for f in manifest["input_files"]}
    assert by_role["data"]["sha256"] == file_sha256(files["data"])
    assert by_role["framework"]["sha256"] == file_sha256(files["fw"])
    assert by_role["data"]["path"] == files["data"].name  # no absolute path in outputs
    assert manifest["command"][:2] == ["integrity-eval", "run"]
    outputs = {o["file"]: o for o in manifest["outputs"]}
    assert {"league_table.csv", "results.xlsx", "manifest.json", "report.pdf"} <= set(outputs)
    assert outputs["results.xlsx"]["sha256"] == file_sha256(run_dir / "results.xlsx")
    assert manifest["synthetic"] is False

    wb = openpyxl.load_workbook(run_dir / "results.xlsx")
    assert wb.sheetnames == ["封面", "排名", "指标明细"]
    cover = " ".join(str(c.value) for row in wb["封面"].iter_rows() for c in row if c.value)
    assert "合成" not in cover  # real (user) data: no synthetic notice
    wb = openpyxl.load_workbook(run_dir / "analysis.xlsx")
    for name in ("说明", "原始数据", "聚合", "指标体系", "不确定性", "运行记录"):
        assert name in wb.sheetnames


def test_run_twice_same_second_gets_distinct_folders(files, capsys):
    assert _run(files, capsys)[0] == 0
    assert _run(files, capsys)[0] == 0
    names = sorted(p.name for p in files["out"].iterdir())
    assert len(names) == 2
    assert names[0][16:24] == names[1][16:24]  # same inputs → same hash part


def test_no_progress_bar_when_stderr_is_not_a_terminal(files, capsys):
    code, out, err = _cli(
        capsys,
        "run",
        "--framework",
        files["fw"],
        "--data",
        files["data"],
        "--out",
        files["out"],
        "--no-pdf",
    )
    assert code == 0
    assert err == ""  # a log holds the result and the problems only (bars: test_cli_outputs)
    assert "前 5 名 / top 5" in out


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig"])
def test_chinese_csv_encodings_read_correctly(files, capsys, encoding):
    rows = [HEADER, *ROWS]
    if encoding == "gb18030":
        rows[1] = ["310101", "𠮷区", *ROWS[0][2:]]  # not in GBK
    _write_csv(files["data"], rows, encoding=encoding)
    code, _, err = _run(files, capsys)
    assert code == 0, err
    table = pd.read_csv(_only_run_dir(files["out"]) / "league_table.csv", encoding="utf-8-sig")
    names = set(table["uName"])
    assert ("𠮷区" if encoding == "gb18030" else "黄浦区") in names and "徐汇区" in names


def test_filled_template_with_merged_cells_and_odd_values(files, capsys, tmp_path):
    """Extra header rows, merged cells, '12%' and '—' are read as intended."""
    template = files["in"] / "template.xlsx"
    assert (
        _cli(capsys, "template", "--framework", files["fw"], "--out", template, "--by", "all")[0]
        == 0
    )
    wb = openpyxl.load_workbook(template)
    ws = wb.worksheets[1]
    col = {c.value: c.column for c in ws[HEADER_ROW]}
    ws.insert_rows(1, 2)  # two more title rows above
    ws.cell(1, 1).value = "2024 年度报送"
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=5)
    first = FIRST_DATA_ROW + 2
    for i, row in enumerate(ROWS):
        for name, value in zip(HEADER, row, strict=True):
            ws.cell(first + i, col[name]).value = value
    ws.cell(first, col["kept"]).value = "12%"
    ws.cell(first + 1, col["hotline"]).value = "—"
    ws.cell(first + 2, col["court"]).value = "１"  # full-width digit
    # one name spanning two rows (merged), value kept for both units
    ws.cell(first + 3, col["audit"]).value = 40
    ws.merge_cells(
        start_row=first + 3, start_column=col["audit"], end_row=first + 4, end_column=col["audit"]
    )
    wb.save(template)
    before = _snapshot(files["in"])
    code, out, err = _cli(capsys, "validate", "--framework", files["fw"], "--data", template)
    assert code == 0, err
    assert out.startswith("通过 / OK") and "5 units" in out
    files["data"] = template
    code, _, err = _run(files, capsys)
    assert code == 0, err
    assert _snapshot(files["in"]) == before
    wb = openpyxl.load_workbook(_only_run_dir(files["out"]) / "analysis.xlsx")
    raw = {r[0]: r for r in wb["原始数据"].iter_rows(min_row=3, values_only=True)}
    head = [c.value for c in wb["原始数据"][2]]
    at = {name: head.index(name) for name in head}
    assert raw["310101"][at["kept"]] == pytest.approx(0.12)
    assert raw["310104"][at["hotline"]] is None
    assert raw["310105"][at["court"]] == 1
    assert raw["310106"][at["audit"]] == raw["310107"][at["audit"]] == 40


def test_parquet_and_panel_data_with_time(files, capsys):
    rows = []
    for year in (2022, 2023, 2024):
        for r in ROWS:
            rows.append([r[0], r[1], year, *(v + (year - 2022) for v in r[2:5]), r[5], r[6]])
    frame = pd.DataFrame(rows, columns=["uCode", "uName", "Time", *HEADER[2:]])
    files["data"] = files["in"] / "panel.parquet"
    frame.to_parquet(files["data"])
    code, _, err = _run(files, capsys, "--time", "2023")
    assert code == 0, err
    manifest = json.loads((_only_run_dir(files["out"]) / "manifest.json").read_text("utf-8"))
    assert manifest["time"] == 2023
    shutil.rmtree(files["out"])
    code, _, err = _run(files, capsys)
    assert code == 0
    manifest = json.loads((_only_run_dir(files["out"]) / "manifest.json").read_text("utf-8"))
    assert manifest["time"] == 2024  # latest by default
    shutil.rmtree(files["out"])
    before = _snapshot(files["in"])
    code, _, err = _run(files, capsys, "--time", "2019")
    _assert_failed(
        code, err, ["Time", "2019", "2022, 2023, 2024"], files["out"], before, files["in"]
    )


# ------------------------------------------------------------- bad inputs
def _case_missing_data(files):
    files["data"] = files["in"] / "nope.csv"
    return [str(files["in"] / "nope.csv"), "file does not exist"]


def _case_missing_framework(files):
    files["fw"] = files["in"] / "nope.yaml"
    return [str(files["in"] / "nope.yaml"), "does not exist"]


def _case_unsupported_format(files):
    files["data"] = files["in"] / "data.json"
    files["data"].write_text("{}", encoding="utf-8")
    return [str(files["data"]), "unsupported file format", ".json"]


def _case_undecodable_csv(files):
    files["data"].write_bytes(b"uCode,uName\n1,\x80\xff\xfe\n")
    return ["GB18030", "re-save it as UTF-8"]


def _case_duplicate_units(files):
    _write_csv(files["data"], [HEADER, *ROWS, ROWS[1], ROWS[3]])
    return [
        "2 problem(s)",
        "行/row 7 | 列/column uCode | 值/value '310104'",
        "行/row 8 | 列/column uCode | 值/value '310106'",
        "duplicate unit row (same as row 3)",
    ]


def _case_unknown_columns(files):
    rows = [[*HEADER, "hotlien", "bonus"], *[[*r, 1, 2] for r in ROWS]]
    _write_csv(files["data"], rows)
    return ["2 problem(s)", "列/column hotlien", "did you mean hotline", "列/column bonus"]


def _case_missing_columns(files):
    rows = [[c for c in HEADER if c not in ("kept", "audit")]]
    rows += [
        [v for c, v in zip(HEADER, r, strict=True) if c not in ("kept", "audit")] for r in ROWS
    ]
    _write_csv(files["data"], rows)
    return ["2 problem(s)", "列/column audit", "列/column kept", "required column is missing"]


def _case_missing_ucode_column(files):
    _write_csv(files["data"], [HEADER[1:], *[r[1:] for r in ROWS]])
    return ["列/column uCode", "required column is missing"]


def _case_text_in_numbers_template(files):
    path = files["in"] / "filled.xlsx"
    write_template(ie.load_framework(files["fw"]), path)
    wb = openpyxl.load_workbook(path)
    ws = wb["市高院"]
    ws.cell(FIRST_DATA_ROW, 1).value = "310101"
    ws.cell(FIRST_DATA_ROW, 4).value = "3件"
    ws.cell(FIRST_DATA_ROW, 5).value = "1.5"
    wb.save(path)
    files["data"] = path
    where = f"{path} [工作表/sheet 市高院] | 行/row {FIRST_DATA_ROW}"
    return [
        f"{where} | 列/column court | 值/value '3件'",
        "expected a number",
        "列/column penalty",
        "whole number",
    ]


def _case_framework_typo(files):
    files["fw"].write_text(FW_TEXT.replace("parent: D2", "parnet: D2", 1), encoding="utf-8")
    return ["parnet", "did you mean 'parent'"]


def _case_framework_cycle(files):
    text = FW_TEXT.replace(
        "{code: INDEX, name: {zh: 总分, en: Index}, level: 3}",
        "{code: INDEX, name: {zh: 总分, en: Index}, level: 3}\n"
        "  - {code: X1, name: {zh: 甲, en: A}, level: 2, parent: X2}\n"
        "  - {code: X2, name: {zh: 乙, en: B}, level: 2, parent: X1}",
    )
    files["fw"].write_text(text, encoding="utf-8")
    return ["cycle in the tree", "X1"]


def _case_framework_orphan(files):
    files["fw"].write_text(FW_TEXT.replace("parent: D2", "parent: D9", 1), encoding="utf-8")
    return ["orphan", "D9"]


def _case_framework_bad_weights(files):
    text = FW_TEXT.replace("parent: INDEX, weight: 1}", "parent: INDEX, weight: heavy}", 1)
    text = text.replace("parent: INDEX, weight: 1}", "parent: INDEX, weight: 很重}", 1)
    files["fw"].write_text(text, encoding="utf-8")
    return [
        "2 problem(s)",
        "行/row D1 | 列/column weight | 值/value 'heavy'",
        "行/row D2 | 列/column weight | 值/value '很重'",
        "expected a number",
    ]


def _case_framework_negative_weight(files):
    files["fw"].write_text(FW_TEXT.replace("weight: 1}", "weight: -2}", 1), encoding="utf-8")
    return ["行/row D1 | 列/column weight | 值/value '-2.0'", "weight must be a number ≥ 0"]


def _case_framework_python_tag(files):
    text = FW_TEXT.replace(
        "title: {zh: 迷你政务诚信评价, en: Mini government integrity evaluation}",
        "title: !!python/object/apply:os.system ['echo hacked']",
    )
    assert text != FW_TEXT
    files["fw"].write_text(text, encoding="utf-8")
    return ["python/object", "YAML"]


def _case_bad_spec(files):
    spec = files["in"] / "spec.yaml"
    spec.write_text("normalise: {method: minmax}\naggregat: {method: amean}\n", encoding="utf-8")
    _write_csv(files["data"], [HEADER, *ROWS, ROWS[0]])
    files["extra"] = ["--spec", str(spec)]
    return ["2 problem(s)", "aggregat", "duplicate unit row"]  # spec and data at once


BAD_INPUTS = {
    "missing data file": _case_missing_data,
    "missing framework file": _case_missing_framework,
    "unsupported format": _case_unsupported_format,
    "undecodable csv": _case_undecodable_csv,
    "duplicate unit rows": _case_duplicate_units,
    "unknown indicator columns": _case_unknown_columns,
    "missing required columns": _case_missing_columns,
    "missing uCode column": _case_missing_ucode_column,
    "text in numeric cells of a template": _case_text_in_numbers_template,
    "framework key typo": _case_framework_typo,
    "framework cycle": _case_framework_cycle,
    "framework orphan": _case_framework_orphan,
    "framework weights": _case_framework_bad_weights,
    "framework negative weight": _case_framework_negative_weight,
    "framework python tag": _case_framework_python_tag,
    "spec and data problems": _case_bad_spec,
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_exits_1(files, capsys, case):
    fragments = BAD_INPUTS[case](files)
    before = _snapshot(files["in"])
    code, out, err = _run(files, capsys, *files.get("extra", []))
    _assert_failed(code, err, fragments, files["out"], before, files["in"])
    assert out == ""
    if "spec" in case:
        return
    code, out, err = _cli(capsys, "validate", "--framework", files["fw"], "--data", files["data"])
    _assert_failed(code, err, fragments, files["out"], before, files["in"])


def test_python_tag_is_not_executed(files, capsys, tmp_path):
    marker = tmp_path / "pwned"
    files["fw"].write_text(
        f"!!python/object/apply:os.system ['touch {marker}']\n", encoding="utf-8"
    )
    code, _, err = _run(files, capsys)
    assert code == 1 and "python/object" in err
    assert not marker.exists()


def test_console_script_subprocess(files, tmp_path):
    exe = Path(sys.executable).with_name("integrity-eval")
    assert exe.exists()
    before = _snapshot(files["in"])
    bad = subprocess.run(
        [
            exe,
            "run",
            "--framework",
            files["fw"],
            "--data",
            files["in"] / "missing.csv",
            "--out",
            files["out"],
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 1
    assert "missing.csv" in bad.stderr and "Traceback" not in bad.stderr
    assert not files["out"].exists()
    good = subprocess.run(
        [
            exe,
            "run",
            "--framework",
            files["fw"],
            "--data",
            files["data"],
            "--out",
            files["out"],
            "--quiet",
            "--no-pdf",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert good.returncode == 0, good.stderr
    assert (_only_run_dir(files["out"]) / "results.xlsx").exists()
    usage = subprocess.run([exe, "run", "--nope"], capture_output=True, text=True, timeout=60)
    assert usage.returncode == 2 and "用法错误 / usage error" in usage.stderr
    assert _snapshot(files["in"]) == before


def test_failure_while_writing_leaves_nothing(files, capsys, monkeypatch):
    import integrity_eval.report as report

    def broken(*args, **kwargs):
        raise RuntimeError("disk trouble")

    monkeypatch.setattr(report.excel, "write_results", broken)
    before = _snapshot(files["in"])
    with pytest.raises(RuntimeError, match="disk trouble"):
        _run(files, capsys)
    assert not files["out"].exists()
    assert _snapshot(files["in"]) == before


# ----------------------------------------------------------------- security
def test_formula_like_names_stay_text(files, capsys):
    evil = [
        '=HYPERLINK("http://evil.example","点我")',
        "+1",
        "@SUM(A1)",
        "-2+3",
        "<script>x</script>",
    ]
    rows = [[r[0], name, *r[2:]] for r, name in zip(ROWS, evil, strict=True)]
    _write_csv(files["data"], [HEADER, *rows])
    code, _, err = _run(files, capsys)
    assert code == 0, err
    run_dir = _only_run_dir(files["out"])
    for book in ("results.xlsx", "analysis.xlsx"):
        path = run_dir / book
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                if name.startswith("xl/worksheets/"):
                    assert "<f>" not in z.read(name).decode("utf-8"), name  # no formula
        wb = openpyxl.load_workbook(path)
        seen = set()
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (ws.title, cell.coordinate)
                    if cell.value in evil:
                        assert cell.data_type == "s"
                        seen.add(cell.value)
        assert seen == set(evil), book
    table = pd.read_csv(run_dir / "league_table.csv", encoding="utf-8-sig", dtype=str)
    names = set(table["uName"])
    assert "'" + evil[0] in names and "'+1" in names and "'@SUM(A1)" in names
    assert "<script>x</script>" in names  # CSV is not HTML: unchanged


# ------------------------------------------------------------------- usage
@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["bogus"],
        ["run", "--nope"],
        ["run", "--lang", "fr"],
        ["run", "--draws", "-1"],
        ["run", "--seed", "x"],
        ["run", "--jobs", "0"],
        ["validate", "--framework", "mini.yaml"],
        ["template", "--framework", "mini.yaml"],
        ["template", "--framework", "mini.yaml", "--out", "t.xlsx", "--by", "district"],
    ],
)
def test_usage_errors_exit_2(capsys, argv, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = _cli(capsys, *argv)
    assert code == 2
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_template_out_must_be_xlsx(files, capsys):
    code, _, err = _cli(
        capsys, "template", "--framework", files["fw"], "--out", files["in"] / "t.csv"
    )
    assert code == 2 and "xlsx" in err
    assert not (files["in"] / "t.csv").exists()


def test_help_explains_draws_and_rating(capsys):
    code, out, _ = _cli(capsys, "run", "--help")
    assert code == 0
    assert "--draws" in out and "±25 %" in out and "±25%" in out  # argparse's %% escaped
    assert "--rating" in out and "tax-credit" in out


# ----------------------------------------------------------- other commands
def test_frameworks_lists_shipped(capsys):
    code, out, _ = _cli(capsys, "frameworks")
    assert code == 0
    for name in ie.available_frameworks():
        fw = ie.load_framework(name)
        assert f"  {name}  " in out
        assert f"{fw.level_label(1, 'en')}: {len(fw.indicators)}" in out
        assert f"{fw.level_label(fw.n_levels, 'en')}: 1" in out


def test_template_command_with_units(files, capsys):
    units = _write_csv(files["in"] / "units.csv", [["uCode", "uName"], ["0101", "黄浦区"]])
    out = files["in"] / "tpl.xlsx"
    code, stdout, err = _cli(
        capsys, "template", "--framework", files["fw"], "--out", out, "--units", units
    )
    assert code == 0, err
    assert str(out) in stdout
    wb = openpyxl.load_workbook(out)
    ws = wb["市高院"]
    assert ws.cell(FIRST_DATA_ROW, 1).value == "0101"
    assert ws.cell(FIRST_DATA_ROW, 2).value == "黄浦区"
    code, _, err = _cli(
        capsys, "template", "--framework", files["fw"], "--out", out, "--units", out
    )
    assert code == 2


def test_validate_ok_line(files, capsys):
    code, out, err = _cli(capsys, "validate", "--framework", files["fw"], "--data", files["data"])
    assert code == 0 and err == ""
    assert out.startswith("通过 / OK") and "5 units, 5 indicators" in out


# --------------------------------------------------------- bundled dataset
def test_run_without_options(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = _cli(capsys, "run", "--quiet", "--no-pdf")
    assert code == 0, err
    (run_dir,) = list((tmp_path / "reports").iterdir())
    assert RUN_ID.match(run_dir.name)
    ds = datasets.load(DEFAULT_DATASET)
    assert run_dir.name.endswith("-synthetic") is bool(ds.synthetic)
    assert ("合成数据" in out) is bool(ds.synthetic)
    manifest = json.loads((run_dir / "manifest.json").read_text("utf-8"))
    assert manifest["dataset"]["name"] == DEFAULT_DATASET
    assert manifest["synthetic"] is ds.synthetic
    if "Time" in ds.idata.columns:
        assert manifest["time"] == max(ds.idata["Time"].tolist())
    table = pd.read_csv(run_dir / "league_table.csv", encoding="utf-8-sig")
    dims = ds.framework.children[ds.framework.root]
    assert list(table.columns[:4]) == ["uCode", "uName", "score", "rank"]
    assert [c.split(" ")[0] for c in table.columns[4 : 4 + len(dims)]] == dims
    assert ("data" in table.columns) is bool(ds.synthetic)
    wb = openpyxl.load_workbook(run_dir / "results.xlsx")
    cover = " ".join(str(c.value) for row in wb["封面"].iter_rows() for c in row if c.value)
    assert ("合成（模拟）数据" in cover) is bool(ds.synthetic)
    wb = openpyxl.load_workbook(run_dir / "analysis.xlsx")
    readme = " ".join(str(c.value) for row in wb["说明"].iter_rows() for c in row if c.value)
    assert ("合成（模拟）数据" in readme) is bool(ds.synthetic)


def test_run_default_dataset_with_framework_option(capsys, tmp_path, files):
    name = datasets.load(DEFAULT_DATASET).framework.name
    code, _, err = _cli(
        capsys, "run", "--framework", name, "--out", files["out"], "--quiet", "--no-pdf"
    )
    assert code == 0, err
    code, _, err = _cli(capsys, "run", "--framework", files["fw"], "--out", files["out"])
    assert code == 2 and "--data" in err
    assert len(list(files["out"].iterdir())) == 1


def test_run_default_dataset_earlier_year(capsys, tmp_path):
    periods = datasets.load(DEFAULT_DATASET, panel=True).periods
    assert len(periods) > 1
    out = tmp_path / "out"
    code, _, err = _cli(capsys, "run", "--time", periods[0], "--out", out, "--quiet", "--no-pdf")
    assert code == 0, err
    (run_dir,) = list(out.iterdir())
    manifest = json.loads((run_dir / "manifest.json").read_text("utf-8"))
    assert manifest["time"] == periods[0]
    code, _, err = _cli(capsys, "run", "--time", "1999", "--out", out, "--quiet")
    assert code == 1 and "1999" in err and str(periods[-1]) in err
    assert len(list(out.iterdir())) == 1


def test_run_default_dataset_to_out(capsys, tmp_path):
    out = tmp_path / "existing"
    out.mkdir()
    code, _, err = _cli(capsys, "run", "--out", out, "--quiet", "--lang", "en", "--no-pdf")
    assert code == 0, err
    (run_dir,) = list(out.iterdir())
    assert (run_dir / "results.xlsx").exists()
