"""Careless and hostile inputs (issue 20, the readers): never a silently wrong table, never a
traceback. Each hostile file is built here and driven through the command line: exit 1, a
bilingual message naming the file and the culprit (row, column, part or limit), nothing
written, and ``validate`` refusing whatever ``run`` refuses."""

from __future__ import annotations

import csv
import os
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import MINI_FW_TEXT, MINI_HEADER

import integrity_eval as ie
from integrity_eval import io as ie_io
from integrity_eval.cli import main
from integrity_eval.errors import SHOWN_PROBLEMS, ValidationError
from integrity_eval.idata import read_idata
from integrity_eval.io import read_table
from integrity_eval.weights import ahp_template, bwm_template, read_ahp, read_bwm

FW_TEXT, HEADER = MINI_FW_TEXT, MINI_HEADER
ROWS = [
    ["HP", "黄浦区", 3, 10, 120.5, 0.9, 88],
    ["PD", "浦东新区", 1, 4, 0, 0.75, 91.5],
    ["CN", "长宁区", 0, 7, 30, 0.8, 80],
]
# a yes/no indicator ("kind: binary") beside the mini framework's five
FW_YES_NO = FW_TEXT + (
    "  - {code: open, name: {zh: 信息公开, en: Disclosure}, level: 1, parent: D2, kind: binary}\n"
)


def _cli(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _refused(capsys, *argv) -> str:
    """Run the command; assert it refused the input (exit 1, bilingual, no traceback)."""
    code, _out, err = _cli(capsys, *argv)
    assert code == 1, err
    assert err.startswith("错误 / Error:")
    assert "Traceback" not in err
    return err


def _command(cmd: str, fw: Path, data: Path, tmp_path: Path) -> list:
    """``validate`` or ``run`` on (fw, data): both read the inputs the same way."""
    if cmd == "validate":
        return ["validate", "--framework", fw, "--data", data]
    return ["run", "--framework", fw, "--data", data, "--out", tmp_path / "out", "--quiet",
            "--no-pdf"]  # fmt: skip


def _fw(tmp_path: Path, text: str = FW_TEXT, name: str = "fw.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _csv_text(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def _good_lines() -> list[str]:
    return [",".join(map(str, r)) for r in [HEADER, *ROWS]]


def _xlsx(path: Path, rows: list[list]) -> Path:
    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(r)
    wb.save(path)
    return path


def _rezip(src: Path, dst: Path, replace: dict[str, bytes]) -> Path:
    """A copy of the workbook ``src`` with some parts replaced."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, replace.get(info.filename, zin.read(info)))
    return dst


def _part(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read(name)


# ============================================================ ragged CSV rows
def test_units_csv_with_an_unquoted_comma_is_refused_not_shifted(tmp_path, capsys):
    """The first data row holds 黄浦,区: pandas took the first column as the index and
    shifted every column (names became codes). Both commands reading --units refuse it."""
    units = _csv_text(tmp_path / "units.csv", "uCode,uName\nHP,黄浦,区\nPD,浦东新区\n")
    out = tmp_path / "t.xlsx"
    err = _refused(capsys, "template", "--framework", _fw(tmp_path), "--units", units, "--out", out)
    assert "units.csv | 行/row 2 |" in err
    assert "此行有 3 个字段，表头只有 2 个" in err and "unquoted comma" in err
    assert not out.exists()
    records = _csv_text(tmp_path / "breach.csv", "record_id,uCode\n")
    err = _refused(capsys, "records", "indicators", "--framework", "shanghai-2018", "--records",
                   records, "--units", units, "--out", tmp_path / "i.csv")  # fmt: skip
    assert "units.csv | 行/row 2 |" in err and not (tmp_path / "i.csv").exists()


@pytest.mark.parametrize("cmd", ["validate", "run"])
def test_data_csv_rows_of_other_widths_are_named(tmp_path, capsys, cmd):
    lines = _good_lines()
    lines[1] = "HP,黄浦,区,3,10,120.5,0.9,88"  # one field too many
    lines[3] = "CN,长宁区,0,7,30,0.8"  # one too few
    data = _csv_text(tmp_path / "d.csv", "\n".join(lines) + "\n")
    err = _refused(capsys, *_command(cmd, _fw(tmp_path), data, tmp_path))
    assert "行/row 2 | 规则/rule: 此行有 8 个字段，表头只有 7 个" in err
    assert "行/row 4 | 规则/rule: 此行只有 6 个字段，表头有 7 个" in err
    assert not (tmp_path / "out").exists()


def test_records_csv_with_a_ragged_row_is_not_read_as_one_column(tmp_path, capsys):
    """DuckDB's sniffer read such a file as one column of whole lines."""
    path = _csv_text(
        tmp_path / "breach.csv",
        "record_id,uCode,decided,source,category,severity\n"
        "a,U1,2023-01-05,court,1,general\n"
        "b,U1,2023-02-05,court,1,gen,eral\n",
    )
    err = _refused(capsys, "records", "indicators", "--framework", "shanghai-2018", "--records",
                   path, "--out", tmp_path / "o.csv")  # fmt: skip
    assert "breach.csv | 行/row 3 |" in err and "7 fields, the header 6" in err


def test_strict_table_reader_required_and_optional_columns(tmp_path):
    """The reader of a corrections ledger: required and optional columns, header faults."""
    path = _csv_text(
        tmp_path / "corrections.csv",
        "UCODE,iCode,value,reson,evidence,evidence\nHP,court,3,typo,scan.pdf,x\n",
    )
    with pytest.raises(ValidationError) as exc:
        read_table(path, required=["uCode", "iCode", "value", "reason"],
                   optional=["evidence", "by", "date"])  # fmt: skip
    text = str(exc.value)
    assert "列/column reason | 规则/rule: 缺少必需的列 / required column is missing" in text
    assert "列/column reson" in text and "did you mean 'reason'" in text
    assert "列/column evidence | 规则/rule: 重复的列（与第 E 列相同）" in text
    assert "UCODE" not in text  # matched to uCode, ignoring case
    path.write_text("uCode,iCode,value,reason,\nHP,court,3,typo,\n0101,kept,85%,复核,\n")
    df = read_table(path, required=["uCode", "iCode", "value", "reason"], optional=["by"])
    assert list(df.columns) == ["uCode", "iCode", "value", "reason"]  # empty last column dropped
    assert df["uCode"].tolist() == ["HP", "0101"]


# ============================================================= encodings
@pytest.mark.parametrize("cmd", ["validate", "run"])
def test_csv_mixing_gbk_and_utf8_lines_is_refused_naming_the_lines(tmp_path, capsys, cmd):
    """Decoded whole as GBK, 浦东新区 (UTF-8) became 娴〈笢鏂板尯 in every report."""
    lines = _good_lines()
    data = tmp_path / "mixed.csv"
    data.write_bytes(
        b"\n".join(
            [lines[0].encode(), lines[1].encode("gbk"), lines[2].encode(), lines[3].encode("gbk")]
        )
        + b"\n"
    )
    assert "娴" in data.read_bytes().decode("gbk")  # what the old reader produced
    err = _refused(capsys, *_command(cmd, _fw(tmp_path), data, tmp_path))
    assert "mixed.csv | 行/row 3 | 规则/rule: 该行是 UTF-8 编码，而其他行（如第 2 行）是 GBK" in err
    assert "re-save the whole file as UTF-8" in err
    assert "娴" not in err and "行/row 2 |" not in err


def test_csv_all_gbk_or_gb18030_is_read(tmp_path, capsys):
    lines = _good_lines()
    lines[3] = lines[3].replace("长宁区", "𠮷区")  # a character only GB18030 has
    data = _csv_text(tmp_path / "gbk.csv", "\n".join(lines) + "\n", "gb18030")
    code, out, err = _cli(capsys, "validate", "--framework", _fw(tmp_path), "--data", data)
    assert code == 0, err
    assert "3 个单位" in out


def test_csv_line_in_no_known_encoding_is_named(tmp_path, capsys):
    lines = [x.encode() for x in _good_lines()]
    lines[2] = b"PD,\xff\xfe\x80,1,4,0,0.75,91.5"
    data = tmp_path / "bad.csv"
    data.write_bytes(b"\n".join(lines) + b"\n")
    err = _refused(capsys, "validate", "--framework", _fw(tmp_path), "--data", data)
    assert "bad.csv | 行/row 3 | 规则/rule: 该行无法解码" in err and "GB18030" in err


# ======================================================== TRUE/FALSE cells
@pytest.mark.parametrize("cmd", ["validate", "run"])
def test_excel_true_false_in_a_number_column_is_refused(tmp_path, capsys, cmd):
    rows = [HEADER, *[list(r) for r in ROWS]]
    rows[2][2] = True  # court of PD
    rows[3][6] = False  # hotline of CN
    data = _xlsx(tmp_path / "d.xlsx", rows)
    err = _refused(capsys, *_command(cmd, _fw(tmp_path), data, tmp_path))
    assert "行/row 3 | 列/column court | 值/value 'True' |" in err
    assert "行/row 4 | 列/column hotline | 值/value 'False' |" in err
    assert "TRUE/FALSE is a logical value, accepted for yes/no indicators only" in err


def test_true_false_in_a_yes_no_indicator_is_read_as_1_and_0(tmp_path, capsys):
    rows = [[*HEADER, "open"], *[[*r, i == 0] for i, r in enumerate(ROWS)]]
    data = _xlsx(tmp_path / "d.xlsx", rows)
    fw = _fw(tmp_path, FW_YES_NO)
    code, _, err = _cli(capsys, "validate", "--framework", fw, "--data", data)
    assert code == 0, err
    csv_data = _csv_text(tmp_path / "d.csv", "\n".join(",".join(map(str, r)) for r in rows))
    idata = read_idata(csv_data, ie_io_framework(fw))
    assert idata["open"].tolist() == [1.0, 0.0, 0.0]


def test_true_false_in_a_units_denominator_is_refused_naming_the_cell(tmp_path, capsys):
    """A units table's population of TRUE (Excel's logical value, or a CSV's text) was
    accepted by --units and became a denominator of 1: refused as in the data table; so is
    text in the record commands' ``size`` (monitor said "could not convert string")."""
    rows = [["uCode", "uName", "population"], ["HP", "黄浦区", True], ["PD", "浦东", 12.5]]
    units = _xlsx(tmp_path / "units.xlsx", rows)
    err = _refused(capsys, "template", "--framework", _fw(tmp_path), "--units", units, "--out",
                   tmp_path / "t.xlsx")  # fmt: skip
    assert "units.xlsx | 行/row 2 | 列/column population | 值/value 'True' |" in err
    assert "TRUE/FALSE is a logical value" in err and not (tmp_path / "t.xlsx").exists()
    err = _refused(capsys, "init", tmp_path / "eng", "--framework", _fw(tmp_path), "--units",
                   units)  # fmt: skip
    assert "行/row 2 | 列/column population" in err and not (tmp_path / "eng").exists()
    staff = _csv_text(
        tmp_path / "units.csv", "uCode,uName,staff,size\nU1,甲,FALSE,1\nU2,乙,5%,2\nU3,丙,3,x\n"
    )
    records = _csv_text(tmp_path / "breach.csv", "record_id,uCode\n")
    err = _refused(capsys, "records", "indicators", "--framework", "luyang-2018", "--records",
                   records, "--units", staff, "--out", tmp_path / "i.csv")  # fmt: skip
    assert "units.csv | 行/row 2 | 列/column staff | 值/value 'FALSE' |" in err
    assert "units.csv | 行/row 3 | 列/column staff | 值/value '5%' |" in err
    assert "units.csv | 行/row 4 | 列/column size | 值/value 'x' | 规则/rule: 应为数字" in err
    assert "行/row 4 | 列/column staff" not in err and not (tmp_path / "i.csv").exists()


def ie_io_framework(path: Path):
    from integrity_eval import load_framework

    return load_framework(path)


# ========================================================= broken workbooks
def _data_xlsx(tmp_path: Path) -> Path:
    return _xlsx(tmp_path / "good.xlsx", [HEADER, *ROWS])


BOMB_DTD = (
    b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">'.replace("&lol0;", "&lol;").encode()
        for i in range(1, 10)
    )
    + b"]>"
)


def _with_dtd(xml: bytes, dtd: bytes, entity: bytes) -> bytes:
    xml = xml.replace(b"<t>uCode</t>", b"<t>uCode" + entity + b"</t>", 1)
    if xml.startswith(b"<?xml"):
        head, _, rest = xml.partition(b"?>")
        return head + b"?>" + dtd + rest
    return dtd + xml


def _broken_workbooks(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    good = _data_xlsx(tmp_path)
    sheet = "xl/worksheets/sheet1.xml"
    styles = "xl/styles.xml"
    xml = _part(good, sheet)
    cut = _rezip(good, tmp_path / "cut.xlsx", {sheet: xml[: xml.index(b"<c ", 400) + 5]})
    bomb = _rezip(good, tmp_path / "bomb.xlsx", {styles: _with_dtd(_part(good, styles),
                                                                   BOMB_DTD, b"")})  # fmt: skip
    bomb_sheet = _with_dtd(xml, BOMB_DTD, b"&lol9;")
    bomb2 = _rezip(good, tmp_path / "bomb2.xlsx", {sheet: bomb_sheet})
    xxe_dtd = b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    xxe = _rezip(good, tmp_path / "xxe.xlsx", {sheet: _with_dtd(xml, xxe_dtd, b"&xxe;")})
    flipped = tmp_path / "flipped.xlsx"
    raw = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as zf:
        info = zf.getinfo(sheet)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for k in range(info.compress_size // 3, info.compress_size // 3 + 8):
        raw[start + k] ^= 0xFF
    flipped.write_bytes(bytes(raw))
    return {
        "cut": (cut, sheet),
        "bomb": (bomb, styles),
        "bomb2": (bomb2, sheet),
        "xxe": (xxe, sheet),
        "flipped": (flipped, sheet),
    }


@pytest.mark.parametrize("kind", ["cut", "bomb", "bomb2", "xxe", "flipped"])
def test_broken_workbook_is_not_a_valid_xlsx_naming_the_part(tmp_path, capsys, kind):
    path, part = _broken_workbooks(tmp_path)[kind]
    for cmd in ("validate", "run"):
        err = _refused(capsys, *_command(cmd, _fw(tmp_path), path, tmp_path))
        assert "不是有效的 XLSX 工作簿 / not a valid XLSX workbook" in err
        assert f"文件/file {path} | 列/column {part} |" in err
        assert "root:" not in err  # the external entity was never resolved
    if kind in ("bomb", "bomb2", "xxe"):
        assert "DTD" in err
    err = _refused(capsys, "template", "--framework", _fw(tmp_path), "--units", path, "--out",
                   tmp_path / "t.xlsx")  # fmt: skip
    assert f"列/column {part}" in err


def test_broken_ahp_questionnaire_is_refused(tmp_path):
    path = ahp_template("shanghai-2018", 2, tmp_path / "q.xlsx", parents=["MECH"])
    sheet = next(n for n in zipfile.ZipFile(path).namelist() if n.startswith("xl/worksheets/"))
    xml = _part(path, sheet)
    broken = _rezip(path, tmp_path / "cut.xlsx", {sheet: xml[: len(xml) // 2]})
    with pytest.raises(ValidationError, match="not a valid XLSX workbook") as exc:
        read_ahp(broken)
    assert exc.value.problems[0].column == sheet


def test_ahp_intensity_true_is_not_1(tmp_path):
    path = ahp_template("shanghai-2018", 2, tmp_path / "q.xlsx", parents=["MECH"])
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[1]
    ws.cell(4, 6).value, ws.cell(4, 7).value = "A", True
    wb.save(path)
    with pytest.raises(ValidationError) as exc:
        read_ahp(path)
    assert any(p.row == "4" and p.column == "G" and p.value == "True" for p in exc.value.problems)


def test_bwm_intensity_true_is_not_1(tmp_path):
    path = bwm_template("shanghai-2018", 3, tmp_path / "q.xlsx")
    kids = ie.load_framework("shanghai-2018").children["INDEX"]
    wb = openpyxl.load_workbook(path)
    ws = wb["INDEX"]
    ws["B3"], ws["B4"] = kids[0], kids[-1]
    for r in range(7, 7 + len(kids)):
        ws.cell(r, 3).value, ws.cell(r, 4).value = 2, 2
    ws.cell(7, 3).value = True  # Excel's TRUE where a 1–9 judgement belongs
    wb.save(path)
    with pytest.raises(ValidationError) as exc:
        read_bwm(path)
    assert any(p.row == "7" and p.column == "C" and p.value == "True" for p in exc.value.problems)


# ========================================================== resource bombs
ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(9)
)


def test_yaml_alias_bomb_is_refused_early(tmp_path, capsys):
    """10⁹ nodes once expanded (3.5 GB and a MemoryError before); refused in milliseconds."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(ALIAS_BOMB)
    fw = _fw(tmp_path)
    data = _csv_text(tmp_path / "d.csv", "\n".join(_good_lines()) + "\n")
    for cmd in ("validate", "run"):
        err = _refused(capsys, *_command(cmd, fw, data, tmp_path), "--spec", spec)
        assert "spec.yaml" in err and "YAML_MAX_NODES = 1,000,000" in err
    junk = "junk:\n" + "".join(f"  {x}\n" for x in ALIAS_BOMB.split("\n"))
    bomb_fw = _fw(tmp_path, FW_TEXT + junk, "bomb.yaml")
    err = _refused(capsys, "validate", "--framework", bomb_fw, "--data", data)
    assert "YAML_MAX_NODES" in err
    deep = tmp_path / "deep.yaml"
    deep.write_text("[" * 5000 + "]" * 5000)
    err = _refused(capsys, "validate", "--framework", fw, "--data", data, "--spec", deep)
    assert "YAML_MAX_DEPTH = 64" in err and "行/row line 1" in err


def test_yaml_loader_refuses_what_pyyaml_cannot_build_and_recursive_aliases():
    with pytest.raises(ValidationError, match="a YAML value cannot be read"):
        ie_io.load_yaml("when: 2024-13-45", origin="x.yaml")
    with pytest.raises(ValidationError, match="an alias inside itself"):
        ie_io.load_yaml("a: &a [1, *a]")
    assert ie_io.load_yaml("base: &b {x: 1}\nother: {<<: *b, y: 2}") == {
        "base": {"x": 1},
        "other": {"x": 1, "y": 2},
    }


def test_yaml_text_with_a_lone_surrogate_is_refused_naming_the_line(tmp_path, capsys):
    """A name written as the escape "\\ud83d" (half of a pair) was read as a lone surrogate,
    and hashing the framework raised UnicodeEncodeError (found by tests/test_fuzz.py)."""
    fw = _fw(tmp_path, FW_TEXT.replace("zh: 承诺兑现率", 'zh: "承诺\\ud83d兑现率"'))
    data = _csv_text(tmp_path / "d.csv", "\n".join(_good_lines()) + "\n")
    for cmd in ("validate", "run"):
        err = _refused(capsys, *_command(cmd, fw, data, tmp_path))
        assert "fw.yaml | 行/row line 41 |" in err and "a text holds a lone surrogate" in err
    spec = _spec(tmp_path, 'weights: {values: {"court\\udc00": 1}}\n')
    err = _refused(capsys, "validate", "--framework", _fw(tmp_path), "--data", data, "--spec", spec)
    assert "spec.yaml | 行/row line 1 |" in err
    assert ie_io.load_yaml('name: "\\U0001F600"') == {"name": "\U0001f600"}  # a real escape


def _raw_zip(path: Path, parts: list[tuple[str, bytes, int, int]]) -> Path:
    """A zip of already-deflated parts (name, raw deflate data, CRC-32, uncompressed size)."""
    local, central = bytearray(), bytearray()
    for name, data, crc, size in parts:
        fn = name.encode()
        offset = len(local)
        local += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data),
                             size, len(fn), 0) + fn + data  # fmt: skip
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc,
                               len(data), size, len(fn), 0, 0, 0, 0, 0, offset) + fn  # fmt: skip
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(parts), len(parts), len(central),
                      len(local), 0)  # fmt: skip
    path.write_bytes(bytes(local + central + end))
    return path


def _deflate(data: bytes) -> tuple[bytes, int, int]:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush(), zlib.crc32(data), len(data)


def test_xlsx_with_a_1_5_gb_string_is_refused_before_parsing(tmp_path, capsys):
    """A 1.5 MB workbook whose sheet holds a 1.5 GB string of 'a' (deflated 1 MiB block by
    block, each block the same bytes): refused on its declared size, nothing decompressed."""
    good = _data_xlsx(tmp_path)
    block = b"a" * (1 << 20)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    same = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    sheet = "xl/worksheets/sheet1.xml"
    xml = _part(good, sheet)
    cut = xml.index(b"<t>uCode") + 3
    head, tail = xml[:cut], xml[cut:]
    n = 1431
    size = len(head) + n * len(block) + len(tail)
    crc = zlib.crc32(head)
    for _ in range(n):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(tail, crc)
    c1 = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = c1.compress(head) + c1.flush(zlib.Z_FULL_FLUSH) + same * n
    c2 = zlib.compressobj(9, zlib.DEFLATED, -15)
    data += c2.compress(tail) + c2.flush()
    parts = []
    with zipfile.ZipFile(good) as zf:
        for name in zf.namelist():
            if name == sheet:
                parts.append((name, data, crc, size))
            else:
                parts.append((name, *_deflate(zf.read(name))))
    bomb = _raw_zip(tmp_path / "bomb.xlsx", parts)
    assert bomb.stat().st_size < 2 << 20 and size > 1_500_000_000
    err = _refused(capsys, "validate", "--framework", _fw(tmp_path), "--data", bomb)
    assert f"列/column {sheet}" in err
    assert "XLSX_MAX_PART_BYTES = 268,435,456" in err and "值/value '1,500," in err


def test_xlsx_cell_far_away_is_refused_by_the_cell_limit(tmp_path, capsys):
    """One cell at XFD1048576: openpyxl would fill 17 billion cells."""
    good = _data_xlsx(tmp_path)
    xml = _part(good, "xl/worksheets/sheet1.xml")
    far = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
    bomb = _rezip(good, tmp_path / "far.xlsx",
                  {"xl/worksheets/sheet1.xml": xml.replace(b"</sheetData>", far)})  # fmt: skip
    err = _refused(capsys, "validate", "--framework", _fw(tmp_path), "--data", bomb)
    assert "MAX_COLUMNS = 10,000" in err and "16,384" in err
    assert "列/column xl/worksheets/sheet1.xml" in err


def test_csv_with_a_million_columns_is_refused_on_its_header(tmp_path, capsys):
    header = ",".join(f"c{i}" for i in range(1_000_000))
    path = _csv_text(tmp_path / "wide.csv", f"uCode,{header}\nHP,{',' * 999_999}\n")
    err = _refused(capsys, "validate", "--framework", _fw(tmp_path), "--data", path)
    assert "wide.csv" in err and "MAX_COLUMNS = 10,000" in err and "1,000,001" in err
    err = _refused(capsys, "template", "--framework", _fw(tmp_path), "--units", path, "--out",
                   tmp_path / "t.xlsx")  # fmt: skip
    assert "MAX_COLUMNS = 10,000" in err


def test_long_error_lists_are_capped_with_a_count(tmp_path, capsys):
    lines = [",".join(HEADER)] + [f"U{i},单位{i},x,10,0,0.5,80" for i in range(300)]
    data = _csv_text(tmp_path / "d.csv", "\n".join(lines) + "\n")
    err = _refused(capsys, "validate", "--framework", _fw(tmp_path), "--data", data)
    assert f"  {SHOWN_PROBLEMS}. " in err and f"  {SHOWN_PROBLEMS + 1}. " not in err
    assert f"另有 {300 - SHOWN_PROBLEMS} 个问题未列出" in err
    ragged = [",".join(HEADER)] + [f"U{i},单位,{i},1,0,0,0.5,80" for i in range(50)]
    data = _csv_text(tmp_path / "r.csv", "\n".join(ragged) + "\n")
    err = _refused(capsys, "validate", "--framework", _fw(tmp_path), "--data", data)
    assert f"… and {50 - ie_io.ROWS_LISTED} more of the same" in err


# ================================================ formulas and hidden text
@pytest.mark.parametrize("cmd", ["validate", "run"])
def test_framework_code_starting_with_equals_is_refused(tmp_path, capsys, cmd):
    """It became a live formula in league_table.csv's header."""
    text = FW_TEXT.replace("code: D2,", "code: '=HYPERLINK(\"x\")',").replace(
        "parent: D2", "parent: '=HYPERLINK(\"x\")'"
    )
    data = _csv_text(tmp_path / "d.csv", "\n".join(_good_lines()) + "\n")
    err = _refused(capsys, *_command(cmd, _fw(tmp_path, text), data, tmp_path))
    assert "行/row =HYPERLINK" in err and "a code may not start with =, +, -, @" in err


@pytest.mark.parametrize(
    ("char", "label"), [("\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE"), ("\x00", "NUL")]
)
def test_hidden_characters_in_names_and_codes_are_refused(tmp_path, capsys, char, label):
    lines = _good_lines()
    lines[2] = lines[2].replace("浦东新区", f"浦东{char}新区")
    data = _csv_text(tmp_path / "d.csv", "\n".join(lines) + "\n")
    for cmd in ("validate", "run"):
        err = _refused(capsys, *_command(cmd, _fw(tmp_path), data, tmp_path))
        assert f"d.csv | 行/row 3 | 规则/rule: 含不可见的控制字符 {label}" in err
    rows = [HEADER, *[list(r) for r in ROWS]]
    rows[1][1] = f"黄浦{char}区" if char != "\x00" else "黄浦\u2066区"
    xlsx = _xlsx(tmp_path / "d.xlsx", rows)
    err = _refused(capsys, "validate", "--framework", _fw(tmp_path), "--data", xlsx)
    assert "行/row 2 | 列/column uName |" in err and "invisible control character" in err
    fw = _fw(tmp_path, FW_TEXT.replace("zh: 承诺兑现率", f"zh: 承诺{char}兑现率"))
    err = _refused(capsys, "validate", "--framework", fw, "--data", data)
    if char == "\x00":  # YAML itself refuses it
        assert "fw.yaml" in err and "#x0000" in err
    else:
        assert "行/row kept | 列/column name |" in err


def test_units_table_with_hidden_characters_names_the_cell(tmp_path, capsys):
    units = tmp_path / "units.csv"
    with open(units, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["uCode", "uName"], ["HP", "黄浦区"], ["PD", "浦东\u202e新区"]])
    err = _refused(capsys, "template", "--framework", _fw(tmp_path), "--units", units, "--out",
                   tmp_path / "t.xlsx")  # fmt: skip
    assert "units.csv | 行/row 3 |" in err and "U+202E" in err
    frame = pd.DataFrame({"uCode": ["HP"], "uName": ["黄\u2067浦"]})
    frame.to_parquet(tmp_path / "u.parquet")
    with pytest.raises(ValidationError, match="U\\+2067"):
        read_table(tmp_path / "u.parquet")


# ========================================================= spec parameters
def _spec(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("cmd", ["validate", "run"])
@pytest.mark.parametrize(
    ("text", "culprit", "rule"),
    [
        ("normalise: {method: minmax, l_u: [100, 0]}\n", "normalise.l_u", "lower < upper"),
        ("normalise: {method: minmax, l_u: [0, 100, 5]}\n", "normalise.l_u", "two numbers"),
        ("normalise: {method: zscore, m_sd: [0, -1]}\n", "normalise.m_sd", "sd > 0"),
        ("treat: {winmax: five}\n", "treat.winmax", "must be a whole number"),
        ("treat: {skew_thresh: .nan}\n", "treat.skew_thresh", "must be a number"),
        ("screen: {dat_thresh: 2}\n", "screen.dat_thresh", "0 ≤ value ≤ 1"),
        ("aggregate: {method: genmean, p: [2, x]}\n", "aggregate.p[1]", "-10 ≤ value ≤ 10"),
        ("aggregate: {method: mpi, penalty: 3}\n", "aggregate.penalty", "must be one of -1, 1"),
        ("screen: {force: {HP: 'no'}}\n", "screen.force", "each value must be true or false"),
        (
            "aggregate: {method: bod, share_bounds: [0.5, 0.2]}\n",
            "aggregate.share_bounds",
            "0 ≤ lo ≤ hi ≤ 1",
        ),
        (
            "aggregate: {method: [amean, bod], weight_bounds: [null, [0, x]]}\n",
            "aggregate.weight_bounds[1]",
            "a pair [lo, hi]",
        ),
        ("aggregate: {method: waspas, lam: x}\n", "aggregate.lam", "0 ≤ value ≤ 1"),
        ("aggregate: {method: vikor, v: true}\n", "aggregate.v", "0 ≤ value ≤ 1"),
        (
            "aggregate: {method: promethee_ii, preference: vshape, p: {court: -2}}\n",
            "aggregate.p",
            "a mapping code → value",
        ),
        (
            "weights: {method: entropy, directions: {court: 2}}\n",
            "weights.directions",
            "must be one of -1, 1",
        ),
        ("weights: {method: optimise, level: 2, toler: 0}\n", "weights.toler", "0 < value"),
        ("weights: {method: optimise, level: 2, itarg: 3}\n", "weights.itarg", "a list of numbers"),
        ("weights: {method: pca, n_factors: 1.5}\n", "weights.n_factors", "a whole number"),
        ("weights: {method: regression, outcome: [1, 2]}\n", "weights.outcome", "a file path"),
    ],
)
def test_spec_parameters_out_of_their_schema_are_refused(tmp_path, capsys, cmd, text, culprit,
                                                          rule):  # fmt: skip
    """``l_u: [100, 0]`` turned the table upside down; ``winmax: five`` was a NumPy
    traceback: each parameter is checked against its method's schema (integrity_eval.params)."""
    data = _csv_text(tmp_path / "d.csv", "\n".join(_good_lines()) + "\n")
    argv = [*_command(cmd, _fw(tmp_path), data, tmp_path), "--spec", _spec(tmp_path, text)]
    err = _refused(capsys, *argv)
    assert f"spec.yaml | 列/column {culprit} |" in err and rule in err
    assert "参数须为" in err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


@pytest.mark.parametrize("cmd", ["validate", "run"])
def test_spec_methods_and_level_lists_of_the_wrong_shape_are_refused(tmp_path, capsys, cmd):
    """``method: [[amean], x]`` was a TypeError (a list used as a registry key), ``p: [2]``
    for two levels an IndexError at the second level and ``values: [1]`` of a weighting
    model a ValueError (found by tests/test_fuzz.py): each is refused by name."""
    data = _csv_text(tmp_path / "d.csv", "\n".join(_good_lines()) + "\n")
    for text, column, rule in [
        ("aggregate: {method: [[amean], x]}\n", "aggregate.method", "must be a method name"),
        ("aggregate: {method: genmean, p: [2]}\n", "aggregate.p", "needs 2 values (one per"),
        ("weights: {method: entropy, values: [1]}\n", "weights.values", "must be a mapping"),
        ("weights: {method: [equal]}\n", "weights.method", "weights method must be one of"),
    ]:
        argv = [*_command(cmd, _fw(tmp_path), data, tmp_path), "--spec", _spec(tmp_path, text)]
        err = _refused(capsys, *argv)
        assert rule in err and f"spec.yaml | 列/column {column} |" in err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


@pytest.mark.parametrize("cmd", ["validate", "run"])
def test_huge_negative_and_missing_weights_are_refused_naming_the_element(tmp_path, capsys,
                                                                          cmd):  # fmt: skip
    """Sibling weights of 1e308 overflowed their sum: every unit "not rated", then a
    traceback. Framework and spec weights are numbers from 0 to 10¹⁵."""
    data = _csv_text(tmp_path / "d.csv", "\n".join(_good_lines()) + "\n")
    spec = _spec(tmp_path, "weights: {values: {court: 1.0e+308, penalty: -1, audit: .nan}}\n")
    err = _refused(capsys, *_command(cmd, _fw(tmp_path), data, tmp_path), "--spec", spec)
    assert "列/column weights.values.court | 值/value '1e+308' |" in err
    assert "weight must be at most 1e+15" in err
    assert "列/column weights.values.penalty | 值/value '-1' |" in err
    assert "列/column weights.values.audit | 值/value 'nan' |" in err
    text = FW_TEXT.replace("parent: INDEX, weight: 1}", "parent: INDEX, weight: 1.0e+308}")
    err = _refused(capsys, *_command(cmd, _fw(tmp_path, text), data, tmp_path))
    assert "行/row D1 | 列/column weight | 值/value '1e+308'" in err
    assert "行/row D2 | 列/column weight |" in err


# ================================================================ overflow
@pytest.mark.parametrize("cmd", ["validate", "run"])
def test_values_beyond_the_documented_magnitude_are_refused(tmp_path, capsys, cmd):
    """±1e308 in an unbounded indicator overflowed max − min: the best unit's value became
    missing and raw ±inf still got ranks. Values beyond ±10¹⁵ (docs/data.md) are refused."""
    lines = _good_lines()
    lines[1] = lines[1].replace(",120.5,", ",1e308,")
    lines[2] = lines[2].replace(",0,0.75", ",-1e308,0.75")
    data = _csv_text(tmp_path / "d.csv", "\n".join(lines) + "\n")
    err = _refused(capsys, *_command(cmd, _fw(tmp_path), data, tmp_path))
    assert "行/row HP (row 1) | 列/column audit | 值/value '1e+308'" in err
    assert "行/row PD (row 2) | 列/column audit | 值/value '-1e+308'" in err
    assert "value beyond ±1e+15" in err
    frame = pd.read_csv(tmp_path / "d.csv")
    frame.loc[0, "audit"] = float("inf")
    with pytest.raises(ValidationError, match="value is infinite"):
        ie.build(ie_io_framework(_fw(tmp_path)), frame)


def _per_resident(tmp_path, populations: list[str]) -> tuple[Path, Path]:
    """The mini framework with court counted per resident, and data of HP, PD, CN, JA with
    these populations."""
    text = FW_TEXT.replace(
        "    definition: 年度行政诉讼败诉案件数\n",
        "    definition: 年度行政诉讼败诉案件数\n    denominator: population\n",
    )
    rows = [*_good_lines(), "JA,静安区,2,5,10,0.7,85"]
    pops = ["population", *populations]
    lines = [f"{line},{pop}" for line, pop in zip(rows, pops, strict=True)]
    return _fw(tmp_path, text), _csv_text(tmp_path / "d.csv", "\n".join(lines) + "\n")


@pytest.mark.parametrize("cmd", ["validate", "run"])
def test_tiny_denominators_beyond_the_documented_magnitude_are_refused(tmp_path, capsys, cmd):
    """court per resident with a population of 1e-310 overflowed x / d to inf (a blank in the
    table) and 1e-12 gave 3e12-sized values: quotients beyond ±10¹⁵ are refused by name."""
    fw, data = _per_resident(tmp_path, ["1e-310", "1e-17", "120", "80"])
    err = _refused(capsys, *_command(cmd, fw, data, tmp_path))
    assert "行/row HP | 列/column court | 值/value '3.0' |" in err
    assert "divided by its denominator population (1e-310) the value is inf, beyond ±1e+15" in err
    assert "行/row PD | 列/column court | 值/value '1.0' |" in err and "(1e-17)" in err
    assert "行/row CN" not in err and "行/row JA" not in err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


@pytest.mark.parametrize("cmd", ["validate", "run"])
def test_negative_denominators_are_refused_naming_the_unit(tmp_path, capsys, cmd):
    """A population of −120 silently flipped court-per-resident's direction: refused."""
    fw, data = _per_resident(tmp_path, ["-120", "95", "120", "80"])
    err = _refused(capsys, *_command(cmd, fw, data, tmp_path))
    assert "列/column population | 值/value '-120.0' |" in err
    assert "the denominator population is negative" in err and "分母 population 为负数" in err
    assert err.count("population is negative") == 1
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


@pytest.mark.parametrize("normalise", ["minmax", "zscore"])
def test_values_at_the_magnitude_limit_score_finitely(tmp_path, capsys, normalise):
    lines = _good_lines()
    lines[1] = lines[1].replace(",120.5,", ",1e15,")
    lines[2] = lines[2].replace(",0,0.75", ",-1e15,0.75")
    data = _csv_text(tmp_path / "d.csv", "\n".join(lines) + "\n")
    spec = _spec(tmp_path, f"normalise: {{method: {normalise}}}\naggregate: {{method: amean}}\n")
    argv = _command("run", _fw(tmp_path), data, tmp_path)
    code, _, err = _cli(capsys, *argv, "--spec", spec)
    assert code == 0, err
    (table,) = (tmp_path / "out").glob("*/league_table.csv")
    league = pd.read_csv(table)
    assert league["score"].notna().all() and len(league) == 3
    assert league["rank"].tolist() == [1, 2, 3]


# ======================================================== run folder claim
def _fixed_run(fw: Path, data: Path, out: Path) -> list[str]:
    """A ``run`` in a new process whose run id is fixed, so that runs started together
    race for the same folder name (as three runs in one second do)."""
    code = (
        "import sys, integrity_eval.cli.run as r\n"
        "r.run_id = lambda manifest, now=None: 'RID'\n"
        "from integrity_eval.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    return [sys.executable, "-c", code, "run", "--framework", str(fw), "--data", str(data),
            "--out", str(out), "--quiet", "--no-pdf"]  # fmt: skip


def test_identical_runs_started_together_each_finish_in_their_own_folder(tmp_path):
    """Three identical runs into one --out: two used to fail with "output already exists"."""
    data = _csv_text(tmp_path / "d.csv", "\n".join(_good_lines()) + "\n")
    out = tmp_path / "out"
    argv = _fixed_run(_fw(tmp_path), data, out)
    procs = [subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(3)]  # fmt: skip
    results = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [err for _, err in results]
    folders = sorted(p.name for p in out.iterdir())
    assert folders == ["RID", "RID-2", "RID-3"]
    tables = {(out / f / "league_table.csv").read_bytes() for f in folders}
    assert len(tables) == 1
    done = sorted(line.split("/")[-1] for o, _ in results for line in o.splitlines()
                  if line.startswith("完成 / done:"))  # fmt: skip
    assert done == folders


def test_stale_temporary_folders_of_killed_runs_are_removed(tmp_path, capsys):
    import fcntl

    out = tmp_path / "out"
    old = time.time() - 2 * 24 * 3600
    stale, locked, fresh = (out / f".20261201-000000-{n}.x1.tmp" for n in ("a", "b", "c"))
    keep = out / ".hidden-but-not-ours"
    for folder in (stale, locked, fresh, keep):
        (folder / "units").mkdir(parents=True)
        (folder / "units" / "HP.html").write_text("partial", encoding="utf-8")
    for folder in (stale, locked, keep):
        os.utime(folder, (old, old))
    held = os.open(locked, os.O_RDONLY)  # a run still writing: it holds the lock
    fcntl.flock(held, fcntl.LOCK_EX)
    try:
        data = _csv_text(tmp_path / "d.csv", "\n".join(_good_lines()) + "\n")
        code, _, err = _cli(capsys, *_command("run", _fw(tmp_path), data, tmp_path))
        assert code == 0, err
    finally:
        os.close(held)
    assert not stale.exists()
    assert locked.exists() and fresh.exists() and keep.exists()
    (run,) = [p for p in out.iterdir() if not p.name.startswith(".")]
    assert (run / "league_table.csv").is_file()
