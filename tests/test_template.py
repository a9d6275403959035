"""The data-collection workbook (integrity_eval.template) and reading it back."""

from __future__ import annotations

import math
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import integrity_eval as ie
from integrity_eval.errors import ValidationError
from integrity_eval.idata import INSTRUCTIONS_SHEET, UNITS_SHEET, allowed_range, read_idata
from integrity_eval.template import (
    BASE_SHEET,
    FIRST_DATA_ROW,
    HEADER_ROW,
    UNASSIGNED_SHEET,
    sheet_name,
    template_layout,
    write_template,
)

DATA = Path(__file__).parent / "data"
UNITS = pd.DataFrame({"uCode": ["0101", "0104", "0105"], "uName": ["黄浦区", "徐汇区", "长宁区"]})
# English names for English reports; one unit without (its reports fall back to uName)
UNITS_EN = UNITS.assign(uName_en=["Huangpu District", "Xuhui District", None])


@pytest.fixture(scope="module")
def fw() -> ie.Framework:
    return ie.load_framework(DATA / "mini_framework.yaml")


def _header(ws) -> list:
    return [c.value for c in ws[HEADER_ROW] if c.value is not None]


def _validations(ws) -> dict[str, tuple]:
    """Column header → (type, operator, formula1, formula2, prompt, error) of its rule."""
    out = {}
    header = {c.column_letter: c.value for c in ws[HEADER_ROW]}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            letter = rng.coord.split(":")[0].rstrip("0123456789")
            assert rng.min_row == FIRST_DATA_ROW
            out[header[letter]] = (
                dv.type,
                dv.operator,
                dv.formula1,
                dv.formula2,
                dv.prompt,
                dv.error,
                dv.allow_blank,
            )
    return out


def test_layout_by_responsible(tmp_path, fw):
    path = write_template(fw, tmp_path / "t.xlsx", units=UNITS)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [
        INSTRUCTIONS_SHEET,
        BASE_SHEET,
        "市高院",
        "市发展改革委",
        "市政务服务办_热线_中心",  # ':' and '/' are not allowed in sheet names
        UNASSIGNED_SHEET,
        UNITS_SHEET,  # the expected units, read back by read_idata
    ]
    assert _header(wb["市高院"]) == ["uCode", "uName", "Time", "court", "penalty"]
    assert _header(wb[BASE_SHEET]) == ["uCode", "uName", "Time", "size_group", "population"]
    assert _header(wb[UNASSIGNED_SHEET]) == ["uCode", "uName", "Time", "audit"]
    for ws in wb.worksheets[1:-1]:
        assert ws.freeze_panes == f"D{FIRST_DATA_ROW}"
        assert [ws.cell(FIRST_DATA_ROW + i, 1).value for i in range(3)] == UNITS["uCode"].tolist()
        assert [ws.cell(FIRST_DATA_ROW + i, 2).value for i in range(3)] == UNITS["uName"].tolist()
        assert ws.cell(FIRST_DATA_ROW, 1).data_type == "s"  # leading zeros kept
    listed = [[c.value for c in r] for r in wb[UNITS_SHEET].iter_rows(min_row=2)]
    assert listed == [["uCode", "uName"], *UNITS[["uCode", "uName"]].values.tolist()]
    ws = wb["市高院"]
    below = {
        ws.cell(r, 1).value: ws.cell(r, 4).value for r in range(HEADER_ROW + 1, FIRST_DATA_ROW)
    }
    assert below["指标名称（中文） / Indicator name (Chinese)"] == "败诉案件数"
    assert below["指标名称（英文） / Indicator name (English)"] == "Lost lawsuits"
    assert below["计量单位 / Unit"] == "件"
    assert below["指标说明 / Definition"] == "年度行政诉讼败诉案件数"
    assert "whole number" in below["取值范围 / Allowed values"]


def test_instructions_sheet_chinese_then_english(tmp_path, fw):
    wb = openpyxl.load_workbook(write_template(fw, tmp_path / "t.xlsx"))
    ws = wb.worksheets[0]
    assert ws.title == INSTRUCTIONS_SHEET
    texts = [c.value for c in ws["A"] if isinstance(c.value, str)]
    assert texts[0] == "填表说明"
    assert texts.index("Instructions") > texts.index("填表说明")
    assert any("integrity-eval validate --framework mini" in t for t in texts)
    codes = {ws.cell(r, 1).value: ws.cell(r, 8).value for r in range(1, ws.max_row + 1)}
    assert codes["court"] == "市高院" and codes["audit"] == UNASSIGNED_SHEET


def test_data_validation_ranges(tmp_path, fw):
    wb = openpyxl.load_workbook(write_template(fw, tmp_path / "t.xlsx"))
    court = _validations(wb["市高院"])
    assert court["court"][:3] == ("whole", "greaterThanOrEqual", "0")
    assert court["penalty"][:3] == ("whole", "greaterThanOrEqual", "0")
    kept = _validations(wb["市发展改革委"])["kept"]
    assert kept[:4] == ("decimal", "between", "0", "1")
    assert "请填写" in kept[4] and "Enter" in kept[4]
    assert kept[4].index("请填写") < kept[4].index("Enter")  # Chinese first
    assert "输入无效" in kept[5] and "Invalid value" in kept[5]
    assert kept[6] is True  # empty = missing is allowed
    hot = _validations(wb["市政务服务办_热线_中心"])["hotline"]
    assert hot[:4] == ("decimal", "between", "0", "100")
    base = _validations(wb[BASE_SHEET])
    assert base["population"][:3] == ("decimal", "greaterThanOrEqual", "0")
    assert "size_group" not in base  # text column: no numeric rule
    audit = _validations(wb[UNASSIGNED_SHEET])["audit"]
    assert audit[0] == "decimal"  # any number, but not text
    for ws in wb.worksheets[1:]:
        for dv in ws.data_validations.dataValidation:
            assert len(dv.prompt) <= 255 and len(dv.error) <= 225
            assert len(dv.promptTitle) <= 32 and len(dv.errorTitle) <= 32


@pytest.mark.parametrize("units", [UNITS, UNITS_EN], ids=["names", "english-names"])
def test_fill_and_read_back(tmp_path, fw, units):
    path = write_template(fw, tmp_path / "t.xlsx", units=units)
    wb = openpyxl.load_workbook(path)
    listed = [[c.value for c in r] for r in wb[UNITS_SHEET].iter_rows(min_row=2)]
    assert listed[0] == list(units.columns)  # uName_en only when given
    values = {
        "0101": {"court": 3, "penalty": 10, "audit": 12.5, "kept": 0.9, "hotline": 88},
        "0104": {"court": 0, "penalty": 4, "audit": 0, "kept": 0.75, "hotline": 91.5},
        "0105": {"court": 1, "penalty": None, "audit": 3, "kept": None, "hotline": 70},
    }
    aux = {"0101": ("大", 66.0), "0104": ("中", 111.2), "0105": ("小", 69.3)}
    for ws in wb.worksheets[1:]:
        header = [c.value for c in ws[HEADER_ROW]]
        for i, code in enumerate(UNITS["uCode"]):
            row = FIRST_DATA_ROW + i
            for j, col in enumerate(header, start=1):
                if col in values[code] and values[code][col] is not None:
                    ws.cell(row, j).value = values[code][col]
                elif col == "size_group":
                    ws.cell(row, j).value = aux[code][0]
                elif col == "population":
                    ws.cell(row, j).value = aux[code][1]
    filled = tmp_path / "filled.xlsx"
    wb.save(filled)
    df = read_idata(filled, fw).set_index("uCode")
    assert list(df.index) == ["0101", "0104", "0105"]
    assert df["uName"].tolist() == UNITS["uName"].tolist()
    if "uName_en" in units:  # read back from the units sheet, after uName
        assert list(df.columns[:2]) == ["uName", "uName_en"]
        assert df["uName_en"].tolist()[:2] == ["Huangpu District", "Xuhui District"]
        assert pd.isna(df["uName_en"].iloc[2])
        ev = ie.build(fw, df.reset_index())  # a unit attribute, not an indicator
        assert ev.units["uName_en"].iloc[0] == "Huangpu District"
    else:
        assert "uName_en" not in df
    assert df["size_group"].tolist() == ["大", "中", "小"]
    assert df["population"].tolist() == [66.0, 111.2, 69.3]
    for code, row in values.items():
        for col, v in row.items():
            got = df.loc[code, col]
            assert math.isnan(got) if v is None else got == v, (code, col, got)
    assert list(df.columns)[-5:] == fw.indicators


def test_by_all_and_without_units(tmp_path, fw):
    path = write_template(fw, tmp_path / "all.xlsx", by="all", lang="en")
    wb = openpyxl.load_workbook(path)
    assert len(wb.sheetnames) == 2 and wb.sheetnames[0] == INSTRUCTIONS_SHEET
    ws = wb.worksheets[1]
    assert _header(ws) == ["uCode", "uName", "Time", "size_group", "population", *fw.indicators]
    # English leads the title and the first name row
    assert ws.cell(1, 1).value.startswith("Mini government integrity evaluation")
    assert ws.cell(HEADER_ROW + 1, 1).value.startswith("指标名称（英文）")
    assert ws.cell(HEADER_ROW + 1, 6).value == "Lost lawsuits"
    assert {str(r) for r in ws.merged_cells.ranges} == {"A1:J1"}
    dv = _validations(ws)
    assert set(dv) == {"population", *fw.indicators}
    # rows for 1000 units are validated when none are pre-filled
    ranges = [r for d in ws.data_validations.dataValidation for r in d.sqref.ranges]
    assert all(r.max_row == FIRST_DATA_ROW + 999 for r in ranges)
    # an unfilled template reads as "no units", all columns present
    df = read_idata(path, fw)
    assert len(df) == 0 and list(df.columns)[-5:] == fw.indicators


def test_filled_template_with_problems(tmp_path, fw):
    path = write_template(fw, tmp_path / "t.xlsx", units=UNITS, by="all")
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[1]
    col = {c.value: c.column for c in ws[HEADER_ROW]}
    ws.cell(FIRST_DATA_ROW, col["court"]).value = "三件"
    ws.cell(FIRST_DATA_ROW + 1, col["kept"]).value = "95"  # rate given as a percentage number
    ws.cell(FIRST_DATA_ROW + 2, col["kept"]).value = "95%"
    wb.save(path)
    with pytest.raises(ValidationError) as exc:
        read_idata(path, fw)
    got = {(p.row, p.column, p.value) for p in exc.value.problems}
    assert got == {
        (str(FIRST_DATA_ROW), "court", "三件"),
        (str(FIRST_DATA_ROW + 1), "kept", "95"),
    }
    assert all(ws.title in p.source for p in exc.value.problems)


def test_template_of_shipped_framework_round_trip(tmp_path):
    fw = ie.load_framework("shanghai-2018")
    path = write_template(fw, tmp_path / "sh.xlsx", units=UNITS)
    wb = openpyxl.load_workbook(path)
    assert all(len(n) <= 31 for n in wb.sheetnames)
    assert len(set(n.lower() for n in wb.sheetnames)) == len(wb.sheetnames)
    expected = {}
    for ws in wb.worksheets[1:]:
        header = [c.value for c in ws[HEADER_ROW]]
        for j, code in enumerate(header, start=1):
            if code in fw:
                rng = allowed_range(fw[code])
                lo = rng.lo if rng.lo is not None else 0
                hi = rng.hi if rng.hi is not None else lo + 10
                value = lo if rng.integer else (lo + hi) / 2
                ws.cell(FIRST_DATA_ROW, j).value = value
                expected[code] = value
    wb.save(path)
    df = read_idata(path, fw)
    assert set(expected) == set(fw.indicators)
    row = df.set_index("uCode").loc["0101"]
    assert {c: row[c] for c in fw.indicators} == pytest.approx(expected)


def test_sheet_name_rules():
    assert sheet_name("a/b:c*d?e[f]g\\h") == "a_b_c_d_e_f_g_h"
    assert len(sheet_name("市" * 40)) == 31
    assert sheet_name("'x'") == "x"
    assert sheet_name("") == "Sheet"
    assert sheet_name("history") == "History_"
    assert sheet_name("Data", ["data"]) == "Data~2"
    long = "长" * 31
    assert sheet_name(long, [long]) == "长" * 29 + "~2"


def test_layout_and_argument_errors(tmp_path, fw):
    layout = template_layout(fw, by="responsible")
    assert [s.responsible for s in layout] == [
        "",
        "市高院",
        "市发展改革委",
        "市政务服务办:热线/中心",
        "",
    ]
    with pytest.raises(ValueError):
        template_layout(fw, by="department")
    with pytest.raises(ValidationError, match="uCode"):
        write_template(fw, tmp_path / "x.xlsx", units=pd.DataFrame({"name": ["a"]}))
    assert not (tmp_path / "x.xlsx").exists()
    assert list(tmp_path.iterdir()) == []
