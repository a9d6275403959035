"""Readers, cleaning and atomic writers (integrity_eval.io)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

import integrity_eval as ie
from integrity_eval.errors import ValidationError
from integrity_eval.idata import INSTRUCTIONS_SHEET, allowed_range, parse_number, read_idata
from integrity_eval.io import (
    atomic_output_dir,
    atomic_write_bytes,
    atomic_write_text,
    csv_safe,
    excel_cell,
    excel_safe,
    file_sha256,
    read_table,
    write_cell,
)

DATASETS = Path(__file__).parents[1] / "datasets"

DATA = Path(__file__).parent / "data"
INDICATORS = ["court", "penalty", "audit", "kept", "hotline"]


@pytest.fixture(scope="module")
def fw() -> ie.Framework:
    return ie.load_framework(DATA / "mini_framework.yaml")


def _rows_to_xlsx(path: Path, sheets: dict[str, list[list]], merges: dict | None = None) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        for rng in (merges or {}).get(name, []):
            ws.merge_cells(rng)
    wb.save(path)
    return path


def _good_rows() -> list[list]:
    return [
        ["uCode", "uName", *INDICATORS],
        ["310101", "黄浦区", 3, 10, 120.5, 0.9, 88],
        ["310104", "徐汇区", 1, 4, 0, 0.75, 91.5],
    ]


# ------------------------------------------------------------------ read_table
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_read_table_csv_encodings(tmp_path, encoding):
    text = "uCode,uName,kept\n310101,黄浦区,0.9\n310104,徐汇区,0.75\n"
    if encoding == "gb18030":  # a character GBK lacks
        text = text.replace("徐汇区", "𠮷区")
    path = tmp_path / "t.csv"
    path.write_bytes(text.encode(encoding))
    df = read_table(path)
    assert list(df.columns) == ["uCode", "uName", "kept"]
    assert df["uName"].tolist()[0] == "黄浦区"
    assert df["uName"].tolist()[1] == ("𠮷区" if encoding == "gb18030" else "徐汇区")
    assert df["kept"].tolist() == [0.9, 0.75]


def test_read_table_undecodable_csv_names_encodings(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"uCode,uName\n1,\x80\xff\xfe\n")
    with pytest.raises(ValidationError) as exc:
        read_table(path)
    (p,) = exc.value.problems
    assert p.source == str(path)
    for enc in ("UTF-8", "UTF-8-BOM", "GBK", "GB18030"):
        assert enc in p.rule
    assert "re-save it as UTF-8" in p.rule


def test_read_table_missing_and_unsupported(tmp_path):
    with pytest.raises(ValidationError) as exc:
        read_table(tmp_path / "nope.csv")
    assert exc.value.problems[0].source == str(tmp_path / "nope.csv")
    assert "does not exist" in exc.value.problems[0].rule
    (tmp_path / "data.json").write_text("{}")
    with pytest.raises(ValidationError) as exc:
        read_table(tmp_path / "data.json")
    assert "unsupported file format" in exc.value.problems[0].rule
    assert exc.value.problems[0].value == ".json"
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(ValidationError, match="xlsx"):
        read_table(tmp_path / "old.xls")


def test_read_table_corrupt_xlsx_and_parquet(tmp_path):
    (tmp_path / "x.xlsx").write_bytes(b"not a zip file")
    with pytest.raises(ValidationError, match="not a valid XLSX"):
        read_table(tmp_path / "x.xlsx")
    (tmp_path / "x.parquet").write_bytes(b"not parquet")
    with pytest.raises(ValidationError, match="not a valid Parquet"):
        read_table(tmp_path / "x.parquet")


def test_read_table_xlsx_and_parquet(tmp_path):
    path = _rows_to_xlsx(tmp_path / "t.xlsx", {"S": _good_rows()})
    df = read_table(path)
    assert df.shape == (2, 7)
    assert df["hotline"].tolist() == [88, 91.5]
    with pytest.raises(ValidationError, match="no such sheet"):
        read_table(path, sheet="Missing")
    frame = pd.DataFrame({"uCode": ["a", "b"], "kept": [0.5, np.nan]})
    frame.to_parquet(tmp_path / "t.parquet")
    back = read_table(tmp_path / "t.parquet")
    pd.testing.assert_frame_equal(back, frame)


# ---------------------------------------------------------------- parse_number
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (3, 3.0),
        (2.5, 2.5),
        ("12", 12.0),
        (" 12 ", 12.0),
        ("１２", 12.0),  # full-width digits
        ("１２．５", 12.5),
        ("12%", 0.12),
        ("12.5 %", 0.125),
        ("１２％", 0.12),
        ("1,234", 1234.0),
        ("1,234,567.5", 1234567.5),
        ("-3", -3.0),
        ("1e3", 1000.0),
        ("—", None),
        ("——", None),
        ("－", None),
        ("-", None),
        ("–", None),
        ("/", None),
        ("无", None),
        ("", None),
        ("   ", None),
        ("\u3000", None),
        (None, None),
        (float("nan"), None),
        ("NA", None),
    ],
)
def test_parse_number(raw, expected):
    got = parse_number(raw)
    if expected is None:
        assert got is None
    else:
        assert got == pytest.approx(expected)


@pytest.mark.parametrize(
    "raw", ["12件", "abc", "1,2", "1.2.3", "inf", "12%%", "#DIV/0!", "(3)", True, False]
)
def test_parse_number_rejects(raw):
    with pytest.raises(ValueError):
        parse_number(raw)


def test_allowed_range_by_kind(fw):
    assert allowed_range(fw["court"]).integer and allowed_range(fw["court"]).lo == 0
    assert (allowed_range(fw["kept"]).lo, allowed_range(fw["kept"]).hi) == (0, 1)
    assert (allowed_range(fw["hotline"]).lo, allowed_range(fw["hotline"]).hi) == (0, 100)
    assert allowed_range(fw["audit"]).lo is None and allowed_range(fw["audit"]).hi is None
    assert not allowed_range(fw["court"]).contains(1.5)
    assert not allowed_range(fw["court"]).contains(-1)
    assert allowed_range(fw["kept"]).contains(0.5)


# ------------------------------------------------------------------ read_idata
def test_read_idata_plain_csv_keeps_ucode_text(tmp_path, fw):
    path = tmp_path / "d.csv"
    path.write_text(
        "uCode,uName,court,penalty,audit,kept,hotline\n"
        "0101,甲,1,2,3.5,0.5,80\n"
        "0102,乙,,—,1,50%,90\n",
        encoding="utf-8",
    )
    df = read_idata(path, fw)
    assert df["uCode"].tolist() == ["0101", "0102"]
    assert list(df.columns) == ["uCode", "uName", *INDICATORS]
    assert df.loc[1, "kept"] == 0.5
    assert math.isnan(df.loc[1, "court"]) and math.isnan(df.loc[1, "penalty"])
    for code in INDICATORS:
        assert df[code].dtype == float


def test_read_idata_takes_a_framework_as_build_does():
    """A shipped framework's name (or a file) is accepted, as ie.build accepts it."""
    path = DATASETS / "shanghai-districts" / "shanghai_districts_synthetic.csv"
    by_name = read_idata(path, "shanghai-2018")
    pd.testing.assert_frame_equal(by_name, read_idata(path, ie.load_framework("shanghai-2018")))
    assert len(by_name) == 16 and ie.build("shanghai-2018", by_name).scores.notna().all()


def test_read_idata_messy_workbook(tmp_path, fw):
    """Title rows, merged cells, a names row and a units row, odd numbers: all cleaned."""
    rows = [
        ["2024年度政务诚信数据报送表", None, None, None, None, None, None],
        ["填报单位：各区", None, None, None, None, None, None],
        [" uCode ", "uName", "court", "penalty", "audit", "kept", "hotline"],
        [None, "单位名称", "败诉案件数", "行政处罚数", "审计问题金额", "承诺兑现率", None],
        [None, None, "件", "件", "万元", None, None],
        ["310101", "黄浦区", "３", "1,234", " 12.5 ", "12%", "—"],
        ["310104", "徐汇区", 2, "－", "/", "95 %", "无"],
        [None, None, None, None, None, None, None],
        [310105, "长宁区", 0, 7, 1000, 0.5, 77],
        ["310106", "静安区", 4, None, None, None, 60],
    ]
    merges = {"Data": ["A1:G1", "A2:G2", "G9:G10"]}
    path = _rows_to_xlsx(tmp_path / "messy.xlsx", {"Data": rows}, merges)
    before = path.read_bytes()
    df = read_idata(path, fw)
    assert path.read_bytes() == before  # never modified
    assert df["uCode"].tolist() == ["310101", "310104", "310105", "310106"]
    first = df.iloc[0]
    assert (first["court"], first["penalty"], first["audit"]) == (3, 1234, 12.5)
    assert first["kept"] == pytest.approx(0.12)
    assert math.isnan(first["hotline"])
    second = df.iloc[1]
    assert math.isnan(second["penalty"]) and math.isnan(second["audit"])
    assert second["kept"] == pytest.approx(0.95)
    # the merged G9:G10 cell gives both units the value
    assert df["hotline"].tolist()[2:] == [77, 77]


def test_read_idata_lists_every_problem_with_location(tmp_path, fw):
    rows = [
        ["标题"],
        ["uCode", "uName", "court", "penalty", "kept", "hotlnie", "extra"],
        ["310101", "黄浦区", "12件", 1, 0.5, 1, "x"],
        ["310104", "徐汇区", 1, "abc", 1.5, 2, "y"],
        ["310101", "黄浦区（重复）", 1, 1, 0.5, 3, "z"],
        [None, "无代码", 2, 2, 0.1, 1, None],
        ["310105", "长宁区", -1, 2.5, "1,2", 5, None],
    ]
    path = _rows_to_xlsx(tmp_path / "bad.xlsx", {"报送": rows})
    with pytest.raises(ValidationError) as exc:
        read_idata(path, fw)
    probs = exc.value.problems
    where = f"{path} [工作表/sheet 报送]"
    found = {(p.row, p.column, p.value) for p in probs if p.source == where}
    assert ("3", "court", "12件") in found
    assert ("4", "penalty", "abc") in found
    assert ("4", "kept", "1.5") in found  # outside 0–1
    assert ("7", "court", "-1") in found  # count must be ≥ 0
    assert ("7", "penalty", "2.5") in found  # count must be whole
    assert ("7", "kept", "1,2") in found
    assert ("5", "uCode", "310101") in found  # duplicate
    assert ("6", "uCode", "") in found  # missing uCode
    unknown = {p.column: p for p in probs if "unknown column" in p.rule}
    assert set(unknown) == {"hotlnie", "extra"}
    assert "did you mean hotline" in unknown["hotlnie"].rule
    assert unknown["extra"].row == "2"
    missing = {p.column for p in probs if "required column is missing" in p.rule}
    assert missing == {"audit", "hotline"}
    number = next(p for p in probs if p.column == "court" and p.row == "3")
    assert "expected a number" in number.rule and "应为数字" in number.rule
    dup = next(p for p in probs if "duplicate unit row" in p.rule)
    assert "row 3" in dup.rule


def test_read_idata_missing_ucode_column(tmp_path, fw):
    path = tmp_path / "d.csv"
    path.write_text("court,penalty,audit,kept,hotline\n1,2,3,0.5,5\n", encoding="utf-8")
    with pytest.raises(ValidationError) as exc:
        read_idata(path, fw)
    assert [p.column for p in exc.value.problems] == ["uCode"]
    path.write_text("uName,court,penalty\n甲,1,2\n", encoding="utf-8")
    with pytest.raises(ValidationError) as exc:
        read_idata(path, fw)
    assert [p.column for p in exc.value.problems] == ["uCode", "audit", "kept", "hotline"]


def test_read_idata_no_header(tmp_path, fw):
    path = tmp_path / "d.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="no header row"):
        read_idata(path, fw)


def test_read_idata_gbk_csv_and_panel(tmp_path, fw):
    text = (
        "uCode,uName,Time,court,penalty,audit,kept,hotline\n"
        "a,甲区,2023,1,2,3,0.5,70\n"
        "a,甲区,2024,2,2,3,0.6,71\n"
        "b,乙区,2024,0,1,3,0.7,72\n"
        "b,乙区,2024,0,1,3,0.7,72\n"
    )
    path = tmp_path / "panel.csv"
    path.write_bytes(text.encode("gbk"))
    with pytest.raises(ValidationError) as exc:
        read_idata(path, fw)
    (p,) = exc.value.problems
    assert (p.row, p.value) == ("5", "b, 2024")
    path.write_bytes(text.rsplit("b,", 1)[0].encode("gbk"))
    df = read_idata(path, fw)
    assert df["Time"].tolist() == [2023, 2024, 2024]
    assert df["uName"].tolist() == ["甲区", "甲区", "乙区"]


def test_read_idata_parquet_and_aux_columns(tmp_path, fw):
    frame = pd.DataFrame(
        {
            "uCode": ["a", "b"],
            "uName": ["甲", "乙"],
            "size_group": ["大", "小"],
            "population": [120.0, 80.0],
            **{c: [1.0, 2.0] for c in ["court", "penalty", "audit", "hotline"]},
            "kept": [0.5, np.nan],
        }
    )
    frame.to_parquet(tmp_path / "d.parquet")
    df = read_idata(tmp_path / "d.parquet", fw)
    assert list(df.columns) == [
        "uCode",
        "uName",
        "size_group",
        "population",
        *INDICATORS,
    ]
    assert df["size_group"].tolist() == ["大", "小"]
    assert df["kept"].isna().tolist() == [False, True]
    frame.set_index("uCode").to_parquet(tmp_path / "i.parquet")
    assert read_idata(tmp_path / "i.parquet", fw)["uCode"].tolist() == ["a", "b"]


def test_read_idata_combines_sheets_and_reports_conflicts(tmp_path, fw):
    sheets = {
        INSTRUCTIONS_SHEET: [["填表说明"], ["uCode", "court"], ["x", 1]],
        "A": [["uCode", "uName", "court", "penalty"], ["a", "甲", 1, 2], ["b", "乙", 3, 4]],
        "B": [["uCode", "uName", "audit", "kept", "hotline"], ["b", "乙", 5, 0.5, 60]],
        "C": [["uCode", "court"], ["a", 1]],
        "notes": [["备注"], ["数据截至 2024 年底"]],
    }
    path = _rows_to_xlsx(tmp_path / "multi.xlsx", sheets)
    df = read_idata(path, fw)
    assert df["uCode"].tolist() == ["a", "b"]
    assert df.set_index("uCode").loc["b", "hotline"] == 60
    assert math.isnan(df.set_index("uCode").loc["a", "hotline"])
    sheets["C"] = [["uCode", "court"], ["a", 9]]
    path = _rows_to_xlsx(tmp_path / "conflict.xlsx", sheets)
    with pytest.raises(ValidationError) as exc:
        read_idata(path, fw)
    (p,) = exc.value.problems
    assert p.column == "court" and p.value == "9.0" and "conflicting values" in p.rule
    assert "[工作表/sheet C]" in p.source and "A] row 2" in p.rule


def test_read_idata_single_sheet_reports_missing_columns(tmp_path, fw):
    path = _rows_to_xlsx(tmp_path / "m.xlsx", {"A": [["uCode", "court", "penalty"], ["a", 1, 2]]})
    with pytest.raises(ValidationError) as exc:
        read_idata(path, fw, sheet="A")
    assert {p.column for p in exc.value.problems} == {"audit", "kept", "hotline"}


# -------------------------------------------------------------- atomic writes
def test_atomic_output_dir_success_and_failure(tmp_path):
    final = tmp_path / "new" / "deeper" / "run"
    with atomic_output_dir(final) as tmp:
        assert tmp.parent == final.parent and tmp != final
        (tmp / "a.txt").write_text("x")
        assert not final.exists()
    assert (final / "a.txt").read_text() == "x"
    assert [p.name for p in final.parent.iterdir()] == ["run"]

    failing = tmp_path / "other" / "sub" / "run"
    with pytest.raises(RuntimeError), atomic_output_dir(failing) as tmp:
        (tmp / "half.txt").write_text("partial")
        raise RuntimeError("boom")
    assert not (tmp_path / "other").exists()  # nothing left, created parents removed
    existing = tmp_path / "keep"
    existing.mkdir()
    with pytest.raises(RuntimeError), atomic_output_dir(existing / "run") as tmp:
        raise RuntimeError("boom")
    assert existing.exists() and list(existing.iterdir()) == []


def test_atomic_output_dir_refuses_to_overwrite(tmp_path):
    final = tmp_path / "run"
    final.mkdir()
    (final / "old.txt").write_text("old")
    with pytest.raises(FileExistsError), atomic_output_dir(final) as tmp:
        (tmp / "new.txt").write_text("new")
    assert [p.name for p in tmp_path.iterdir()] == ["run"]
    assert (final / "old.txt").read_text() == "old"


def test_atomic_write_and_hash(tmp_path):
    p = atomic_write_text(tmp_path / "a" / "t.txt", "政务诚信\n")
    assert p.read_text(encoding="utf-8") == "政务诚信\n"
    with pytest.raises(FileExistsError):
        atomic_write_bytes(p, b"abc")
    assert p.read_text(encoding="utf-8") == "政务诚信\n"
    atomic_write_bytes(p, b"abc", overwrite=True)
    assert p.read_bytes() == b"abc"
    assert file_sha256(p) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert sorted(x.name for x in p.parent.iterdir()) == ["t.txt"]


# ------------------------------------------------------------ spreadsheet safety
@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://evil","x")', "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1"]
)
def test_formula_like_text_stays_text(tmp_path, text):
    wb = openpyxl.Workbook()
    write_cell(wb.active, 1, 1, text)
    wb.save(tmp_path / "normal.xlsx")
    wbw = openpyxl.Workbook(write_only=True)
    wsw = wbw.create_sheet("w")
    wsw.append([excel_cell(wsw, text), excel_cell(wsw, 3.5)])
    wbw.save(tmp_path / "write_only.xlsx")
    for name in ("normal.xlsx", "write_only.xlsx"):
        cell = openpyxl.load_workbook(tmp_path / name).worksheets[0]["A1"]
        assert cell.data_type == "s"
        assert cell.value == text.replace("\r", "\n")  # XML parsers normalise CR to LF
    assert csv_safe(text) == "'" + text


def test_excel_safe_values():
    assert excel_safe(np.float64("nan")) is None
    assert excel_safe(pd.NA) is None
    assert excel_safe(np.int64(3)) == 3 and type(excel_safe(np.int64(3))) is int
    assert excel_safe("a\x00b\x07c") == "abc"
    assert excel_safe(float("inf")) == "inf"
    assert csv_safe("黄浦区") == "黄浦区" and csv_safe(-1) == -1


def test_header_case_and_indicator_named_like_time(tmp_path):
    fw = ie.Framework.from_dict(
        {
            "name": "t",
            "nodes": [
                {"code": "IDX", "level": 2},
                {"code": "TIME", "level": 1, "parent": "IDX"},  # e.g. PCI's time costs
                {"code": "cost", "level": 1, "parent": "IDX"},
            ],
        }
    )
    path = tmp_path / "d.csv"
    path.write_text("UCODE,Time,TIME,cost\na,2024,3,4\nb,2024,5,6\n", encoding="utf-8")
    df = read_idata(path, fw)
    assert list(df.columns) == ["uCode", "Time", "TIME", "cost"]
    assert df["TIME"].tolist() == [3, 5] and df["Time"].tolist() == [2024, 2024]


def test_formula_without_cached_value_is_reported(tmp_path, fw):
    rows = _good_rows()
    rows[1][5] = "=0.5+0.4"  # written by a script: no computed value stored
    path = _rows_to_xlsx(tmp_path / "f.xlsx", {"S": rows})
    with pytest.raises(ValidationError) as exc:
        read_idata(path, fw)
    (p,) = exc.value.problems
    assert (p.row, p.column, p.value) == ("2", "kept", "=0.5+0.4")
    assert "open and save the file in Excel" in p.rule


def test_table_not_starting_at_a1(tmp_path, fw):
    wb = openpyxl.Workbook()
    ws = wb.active
    for i, row in enumerate(_good_rows()):
        for j, value in enumerate(row):
            ws.cell(4 + i, 2 + j).value = value
    ws.cell(6, 4).value = "12件"  # D6: court of the second unit
    wb.save(tmp_path / "offset.xlsx")
    with pytest.raises(ValidationError) as exc:
        read_idata(tmp_path / "offset.xlsx", fw)
    (p,) = exc.value.problems
    assert (p.row, p.column, p.value) == ("6", "court", "12件")
    ws.cell(6, 4).value = 2
    wb.save(tmp_path / "offset.xlsx")
    df = read_idata(tmp_path / "offset.xlsx", fw)
    assert df["uCode"].tolist() == ["310101", "310104"] and df["court"].tolist() == [3, 2]


def test_read_table_keep_na_text_keeps_codes_as_written(tmp_path):
    """``NA`` is Namibia's ISO code: with ``keep_na_text`` the code columns keep what pandas
    reads as missing; the other columns still read those tokens as missing."""
    path = tmp_path / "t.csv"
    path.write_text("uCode,iCode,uName,x\nNA,None,Namibia,NA\n,null,,n/a\n0101,x,,3\n")
    plain = read_table(path)
    assert plain["uCode"].isna().tolist() == [True, True, False]
    kept = read_table(path, keep_na_text=True)
    assert kept["uCode"].isna().tolist() == [False, True, False]
    assert kept["uCode"][0] == "NA" and kept["uCode"][2] == "0101"
    assert kept["iCode"].tolist() == ["None", "null", "x"]
    assert kept["uName"].isna().tolist() == [False, True, True]
    assert kept["x"].isna().tolist() == [True, True, False]


@pytest.mark.parametrize("depth, refused", [(64, False), (65, True)])
def test_load_yaml_nesting_limit_is_exact_in_both_styles(depth: int, refused: bool) -> None:
    """YAML_MAX_DEPTH counts a node's enclosing collections plus one, on libyaml's fast path
    as on PyYAML's (a flow list nested 65 deep is within libyaml's own limit of 1,000)."""
    from integrity_eval.io import YAML_MAX_DEPTH, load_yaml

    assert YAML_MAX_DEPTH == 64
    flow = "[" * (depth - 1) + "1" + "]" * (depth - 1)
    block = "".join(" " * i + "- \n" for i in range(depth - 2)) + " " * (depth - 2) + "- 1\n"
    for text in (flow, block):
        if refused:
            with pytest.raises(ValidationError, match="YAML_MAX_DEPTH"):
                load_yaml(text)
        else:
            value = load_yaml(text)
            for _ in range(depth - 1):
                (value,) = value
            assert value == 1
