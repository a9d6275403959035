"""Intake of filled workbooks as departments fill them: unit codes and percentages.

Driven through ``integrity-eval template`` / ``validate`` / ``run`` where the user meets
them; ``read_idata`` shows the values and the ``reconciled`` table in Python.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import integrity_eval as ie
from integrity_eval.cli import main
from integrity_eval.idata import UNITS_SHEET, percent_scale, read_idata
from integrity_eval.template import FIRST_DATA_ROW, HEADER_ROW

DATA = Path(__file__).parent / "data"
FW_TEXT = (DATA / "mini_framework.yaml").read_text(encoding="utf-8")
UNITS = [("HP", "黄浦区"), ("XH", "徐汇区"), ("CN", "长宁区"), ("JA", "静安区"), ("PT", "普陀区")]
# court, penalty, audit, kept, hotline for each unit
VALUES = {
    "HP": [3, 10, 120.5, 0.9, 88],
    "XH": [1, 4, 0, 0.75, 91.5],
    "CN": [0, 7, 30, 0.8, 80],
    "JA": [5, 2, 12, 0.6, 70],
    "PT": [2, 9, 55, 0.95, 85],
}
INDICATORS = ["court", "penalty", "audit", "kept", "hotline"]
# hotline on a 0–100 scale: "85%" there means 85
FW_0_100 = FW_TEXT.replace(
    "    parent: D2\n    kind: score", "    parent: D2\n    kind: score\n    max: 100"
)
FW_EXPECTED = (
    FW_TEXT
    + "expected_units:\n"
    + "".join(f"  - {{code: {c}, name: {{zh: {n}, en: {c}}}}}\n" for c, n in UNITS)
)


def _cli(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _csv(path: Path, rows: list[list]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def _fw(tmp_path: Path, text: str = FW_TEXT) -> Path:
    path = tmp_path / "fw.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _fill(template: Path, typed_codes: dict[str, dict[str, str]], skip: set[str] = frozenset()):
    """Fill every data sheet of a template as its department would: each sheet's codes
    typed as ``typed_codes[sheet][code]`` (default: as listed)."""
    wb = openpyxl.load_workbook(template)
    for ws in wb.worksheets[1:]:
        if ws.title == UNITS_SHEET:
            continue
        cols = {c.value: c.column for c in ws[HEADER_ROW]}
        typed = typed_codes.get(ws.title, {})
        row = FIRST_DATA_ROW
        for code, name in UNITS:
            if code in skip:
                continue
            ws.cell(row, 1).value = typed.get(code, code)
            ws.cell(row, 2).value = name
            for ind, value in zip(INDICATORS, VALUES[code], strict=True):
                if ind in cols:
                    ws.cell(row, cols[ind]).value = value
            for aux in ("size_group", "population"):
                if aux in cols:
                    ws.cell(row, cols[aux]).value = "A" if aux == "size_group" else 50
            row += 1
        for r in range(row, ws.max_row + 1):  # clear pre-filled rows left over
            ws.cell(r, 1).value = ws.cell(r, 2).value = None
    wb.save(template)


def _template(capsys, tmp_path, fw: Path, *extra) -> Path:
    out = tmp_path / "collect.xlsx"
    code, _, err = _cli(capsys, "template", "--framework", fw, "--out", out, *extra)
    assert code == 0, err
    return out


# ------------------------------------------------------------------- unit codes
def test_code_variants_across_sheets_are_one_unit(capsys, tmp_path):
    """Departments type the same district in different case, full-width and with spaces."""
    fw = _fw(tmp_path)
    template = _template(capsys, tmp_path, fw)
    _fill(
        template,
        {
            "市高院": {"HP": "hp", "XH": "ＸＨ"},  # lower case; full-width letters
            "市发展改革委": {"CN": " CN ", "JA": "J A"},  # stray spaces
        },
    )
    code, out, err = _cli(capsys, "validate", "--framework", fw, "--data", template)
    assert code == 0, err
    assert "5 units" in out
    assert "已统一 4 处单位代码" in err and "reconciled" in err
    assert "'hp' → 'HP'" in err and "'ＸＨ' → 'XH'" in err and "'J A' → 'JA'" in err
    assert "大小写 / letter case" in err and "全角字符 / full-width" in err

    df = read_idata(template, ie.load_framework(fw))
    assert sorted(df["uCode"]) == sorted(c for c, _ in UNITS)  # no second, partly filled unit
    assert df[INDICATORS].notna().all().all()
    rec = df.attrs["unit_codes"].reconciled
    assert list(rec.columns) == ["source", "row", "found", "uCode", "reason"]
    assert set(zip(rec["found"], rec["uCode"], strict=True)) == {
        ("hp", "HP"),
        ("ＸＨ", "XH"),
        (" CN ", "CN"),
        ("J A", "JA"),
    }
    assert rec["source"].str.contains("市高院|市发展改革委").all()
    assert "4 code(s) reconciled" in repr(df.attrs["unit_codes"])
    both = pd.concat([df, read_idata(template, ie.load_framework(fw))])  # attrs compare safely
    assert both.attrs["unit_codes"] == df.attrs["unit_codes"]

    code, _, err = _cli(
        capsys, "run", "--framework", fw, "--data", template, "--out", tmp_path / "o"
    )
    assert code == 0, err
    (run,) = (tmp_path / "o").iterdir()
    table = pd.read_csv(run / "league_table.csv", encoding="utf-8-sig")
    assert sorted(table["uCode"]) == sorted(c for c, _ in UNITS)
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["unit_codes"]["reconciled"]) == 4


def test_template_names_the_expected_units(capsys, tmp_path):
    """The template written with --units carries the list: codes outside it are problems,
    listed units without data are named."""
    fw = _fw(tmp_path)
    units = _csv(tmp_path / "units.csv", [["uCode", "uName"], *map(list, UNITS)])
    template = _template(capsys, tmp_path, fw, "--units", units)
    _fill(template, {}, skip={"PT"})  # 普陀区 sent nothing
    code, _, err = _cli(capsys, "validate", "--framework", fw, "--data", template)
    assert code == 0, err
    assert "1 个被评价单位没有数据" in err and "PT 普陀区" in err

    _fill(template, {"市高院": {"JA": "JX"}}, skip={"PT"})  # a code that is not on the list
    code, _, err = _cli(capsys, "validate", "--framework", fw, "--data", template)
    assert code == 1
    assert "单位代码不在被评价单位名单中；单位名称属于 JA" in err
    assert "[工作表/sheet 市高院]" in err and "列/column uCode" in err and "值/value 'JX'" in err
    assert f"行/row {FIRST_DATA_ROW + 3}" in err


def test_framework_expected_units(capsys, tmp_path):
    """expected_units in the framework YAML: a uName that belongs to another unit, a code
    outside the list; the template pre-fills the list."""
    fw = _fw(tmp_path, FW_EXPECTED)
    assert [u.code for u in ie.load_framework(fw).expected_units] == [c for c, _ in UNITS]
    template = _template(capsys, tmp_path, fw)
    wb = openpyxl.load_workbook(template)
    assert wb["市高院"].cell(FIRST_DATA_ROW, 1).value == "HP"
    assert wb[UNITS_SHEET].cell(3, 2).value == "黄浦区"
    header = [["uCode", "uName", *INDICATORS]]
    rows = [[c, n, *VALUES[c]] for c, n in UNITS]
    rows[1][1] = "黄浦区"  # XH's row carries HP's name
    rows[4][0] = "PX"  # not on the list
    data = _csv(tmp_path / "d.csv", header + rows)
    code, _, err = _cli(capsys, "validate", "--framework", fw, "--data", data)
    assert code == 1
    assert "单位名称属于另一个单位 HP" in err and "列/column uName" in err and "行/row 3" in err
    assert "值/value 'PX'" in err and "单位名称属于 PT" in err


def test_one_name_under_two_codes_without_a_list(capsys, tmp_path):
    fw = _fw(tmp_path)
    rows = [[c, n, *VALUES[c]] for c, n in UNITS]
    rows[4][1] = "黄浦区"  # PT's row named like HP: one unit under two codes, or a mix-up
    data = _csv(tmp_path / "d.csv", [["uCode", "uName", *INDICATORS], *rows])
    code, _, err = _cli(capsys, "run", "--framework", fw, "--data", data, "--out", tmp_path / "o")
    assert code == 1
    assert "同一单位名称出现在不同的单位代码下" in err and "HP" in err and "PT" in err
    assert "行/row 6" in err
    assert not (tmp_path / "o").exists()


def test_python_dataframe_with_two_spellings_is_refused():
    fw = ie.load_framework(DATA / "mini_framework.yaml")
    df = pd.DataFrame(
        [[c, n, *VALUES[c]] for c, n in UNITS] + [["hp", "黄浦区", 1, 1, 1, 0.5, 50]],
        columns=["uCode", "uName", *INDICATORS],
    )
    problems = ie.schemas.validate_idata(fw, df)
    assert any("different spellings" in p.rule and p.value == "HP, hp" for p in problems)


# ------------------------------------------------------------------ percentages
def test_percent_scale_from_the_framework():
    fw = ie.Framework.from_yaml(DATA / "mini_framework.yaml")
    assert percent_scale(fw["kept"]) == -2  # rate 0–1: 85% → 0.85
    assert percent_scale(fw["court"]) is None  # count: a percentage does not fit
    shipped = ie.load_framework("shanghai-2018")
    scales = {percent_scale(shipped[c]) for c in shipped.indicators if shipped[c].max == 100}
    assert scales == {0}


def test_percentages_against_the_indicator_scale(capsys, tmp_path):
    fw = _fw(tmp_path, FW_0_100)
    rows = [[c, n, *VALUES[c]] for c, n in UNITS]
    rows[0][6] = "85%"  # hotline 0–100 → 85
    rows[1][5] = "85%"  # kept rate 0–1 → 0.85
    rows[2][5] = "８５％"  # full-width, rate → 0.85
    data = _csv(tmp_path / "d.csv", [["uCode", "uName", *INDICATORS], *rows])
    code, _, err = _cli(capsys, "validate", "--framework", fw, "--data", data)
    assert code == 0, err
    df = read_idata(data, ie.load_framework(fw)).set_index("uCode")
    assert df.at["HP", "hotline"] == 85.0
    assert df.at["XH", "kept"] == 0.85  # exactly, not 0.8500000000000001
    assert df.at["CN", "kept"] == 0.85

    rows[3][2] = "3%"  # court is a count: a percentage fits neither scale
    rows[4][5] = "150%"  # rate: 1.5 is out of range
    _csv(data, [["uCode", "uName", *INDICATORS], *rows])
    code, _, err = _cli(capsys, "validate", "--framework", fw, "--data", data)
    assert code == 1
    assert "百分数不适用于此指标" in err and "列/column court" in err and "值/value '3%'" in err
    assert "行/row 5" in err
    assert "超出允许范围" in err and "列/column kept" in err and "值/value '150%'" in err


def test_xlsx_percent_formatted_cells(capsys, tmp_path):
    """Excel stores a typed 85% as 0.85 with a percent format: 85 on a 0–100 scale."""
    fw = _fw(tmp_path, FW_0_100)
    template = _template(capsys, tmp_path, fw, "--by", "all")
    _fill(template, {})
    wb = openpyxl.load_workbook(template)
    ws = wb.worksheets[1]
    cols = {c.value: c.column for c in ws[HEADER_ROW]}
    hot = ws.cell(FIRST_DATA_ROW, cols["hotline"])
    hot.value, hot.number_format = 0.85, "0%"
    kept = ws.cell(FIRST_DATA_ROW, cols["kept"])
    kept.value, kept.number_format = 0.9, "0.00%"
    count = ws.cell(FIRST_DATA_ROW + 1, cols["court"])
    count.value, count.number_format = 0.03, "0%"
    wb.save(template)
    code, _, err = _cli(capsys, "validate", "--framework", fw, "--data", template)
    assert code == 1
    assert "百分数不适用于此指标" in err and "值/value '3%'" in err
    count.value, count.number_format = 1, "General"
    wb.save(template)
    df = read_idata(template, ie.load_framework(fw)).set_index("uCode")
    assert df.at["HP", "hotline"] == 85.0
    assert df.at["HP", "kept"] == 0.9


@pytest.mark.parametrize("text", ["85%", "８５％", " 85 % "])
def test_parse_number_keeps_fraction_meaning(text):
    assert ie.idata.parse_number(text) == 0.85


def test_reconcile_codes_rules():
    from integrity_eval.unitcodes import entries_table, expected_table, reconcile_codes

    # no list: the most used spelling wins, the first seen on a tie
    e = entries_table([("a", 1, "sh01", ""), ("b", 1, "SH01", ""), ("c", 1, "SH01", "")])
    e = pd.concat([e, entries_table([("a", 2, "ab", ""), ("b", 2, "AB", "")])])
    r = reconcile_codes(e)
    assert r.codes.tolist() == ["SH01", "SH01", "SH01", "ab", "ab"] and r.problems == []
    assert r.reconciled[["found", "uCode"]].values.tolist() == [["sh01", "SH01"], ["AB", "ab"]]
    # a list with two codes that differ in case only: exact spellings match, others are ambiguous
    e = entries_table([("f", 4, "A1", ""), ("f", 5, "a1", ""), ("f", 6, "A 1", "")])
    r = reconcile_codes(e, expected_table(["A1", "a1"]))
    assert r.codes.tolist() == ["A1", "a1", None]
    (p,) = r.problems
    assert "ambiguous" in p.rule and p.row == "6" and p.value == "A 1"
