"""Readers, cleaners and atomic writers for the files users bring and the kit writes.

Reading: :func:`read_table` reads a CSV, XLSX or Parquet table as it is (units, records,
corrections, COINr iMeta tables); :func:`open_workbook` opens a workbook (AHP and BWM
questionnaires); :func:`load_yaml` reads a YAML file (framework, spec, rating scheme,
``dataset.yaml``). Indicator data, which is read against a framework, is
:func:`integrity_eval.idata.read_idata`, built on the same strict readers.

Writing: everything the kit writes goes through a temporary file or folder in the
same parent and :func:`os.replace`, so a failed run leaves no partial output
(:func:`atomic_output_dir`, :func:`atomic_write_bytes`, :func:`atomic_write_text`,
:func:`atomic_write_path`). Text written to spreadsheets passes through
:func:`excel_safe` / :func:`write_cell` so that a unit named ``=HYPERLINK(...)``
stays text and is never evaluated as a formula.

Files from outside are read as hostile: one strict path for every table the kit
reads (:func:`read_table`, and :func:`~integrity_eval.idata.read_idata` on top of it:
units, data, records, corrections, AHP questionnaires). A CSV is decoded line by line
when it is not all UTF-8, so a file mixing UTF-8 and GBK lines is refused with the lines
named instead of being read as mojibake; rows with more or fewer fields than the header
(an unquoted comma in a name) are refused, never shifted. A workbook is checked before
openpyxl parses it (:func:`check_xlsx`: zip structure, part sizes, compression ratio,
well-formed XML without a DTD, the extent of every sheet). YAML goes through
:func:`load_yaml` (bounded in size, nesting and aliases). The limits are the ``MAX_*``,
``XLSX_*`` and ``YAML_*`` constants below (``docs/data.md``); each refusal names the
limit. This module never imports the framework (``docs/architecture.md``).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as _dt
import errno
import hashlib
import io as _io
import itertools
import math
import os
import re
import shutil
import stat
import tempfile
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import yaml

from .errors import Problem, ProblemList, ValidationError, did_you_mean

if TYPE_CHECKING:  # pragma: no cover
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet

__all__ = [
    "CSV_ENCODINGS",
    "CSV_NA_TOKENS",
    "MAX_CELLS",
    "MAX_CELL_CHARS",
    "MAX_COLUMNS",
    "ROWS_LISTED",
    "SUPPORTED_SUFFIXES",
    "XLSX_MAX_BYTES",
    "XLSX_MAX_PARTS",
    "XLSX_MAX_PART_BYTES",
    "XLSX_MAX_RATIO",
    "YAML_MAX_BYTES",
    "YAML_MAX_DEPTH",
    "YAML_MAX_NODES",
    "atomic_output_dir",
    "atomic_write_bytes",
    "atomic_write_path",
    "atomic_write_text",
    "check_xlsx",
    "claim_dir",
    "csv_safe",
    "excel_cell",
    "excel_safe",
    "file_sha256",
    "is_formula_like",
    "load_yaml",
    "open_workbook",
    "read_table",
    "remove_stale_tmp",
    "unsafe_text",
    "write_cell",
]

SUPPORTED_SUFFIXES = (".csv", ".xlsx", ".xlsm", ".parquet")
# The encodings a CSV may have. UTF-8 with a byte-order mark is recognised by the mark
# itself; a file that is not all UTF-8 is decoded line by line as GB18030, the superset
# of GBK (see _decode_csv), and refused when its lines disagree.
CSV_ENCODINGS = ("utf-8", "utf-8-sig", "gbk", "gb18030")
#: The cells of a CSV read as missing values: pandas' defaults (``read_csv`` ``na_values``),
#: written out so that :func:`read_table` can keep them as text in the code columns.
CSV_NA_TOKENS = (
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND",
    "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
)  # fmt: skip

# ---------------------------------------------------------------- limits
# What a reader accepts from a file; beyond a limit the file is refused before it is
# parsed (or as soon as the limit is reached), the limit named in the message.
#: Columns of a table: a CSV row, an XLSX sheet, a Parquet file.
MAX_COLUMNS = 10_000
#: Cells of a table: rows × columns (for an XLSX sheet, of the range its cells span).
MAX_CELLS = 10_000_000
#: Characters of one CSV cell (the default field limit of Python's ``csv`` module).
MAX_CELL_CHARS = 131_072
#: Parts (files inside the zip) of an XLSX workbook.
XLSX_MAX_PARTS = 10_000
#: Uncompressed bytes of one XLSX part (a sheet, the shared strings).
XLSX_MAX_PART_BYTES = 256 << 20
#: Uncompressed bytes of a whole XLSX workbook, and of a Parquet table.
XLSX_MAX_BYTES = 1 << 30
#: Compression ratio (uncompressed / compressed) of an XLSX part above 1 MiB: Excel's
#: sheets compress about 10:1; a zip bomb is near deflate's maximum of 1032:1.
XLSX_MAX_RATIO = 200
#: Bytes of a YAML file (framework, spec, rating scheme, dataset.yaml).
YAML_MAX_BYTES = 5 << 20
#: YAML nodes once aliases are expanded (what a reader walking the data visits).
YAML_MAX_NODES = 1_000_000
#: Nesting depth of YAML collections.
YAML_MAX_DEPTH = 64
#: Rows listed one by one for a fault found on many rows; the others are counted.
ROWS_LISTED = 20
_RATIO_FROM_BYTES = 1 << 20

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL_XML = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


# ===================================================================== reading
def read_table(
    path: str | Path,
    *,
    sheet: str | int | None = None,
    text_columns: Sequence[str] = ("uCode", "iCode"),
    required: Sequence[str] | None = None,
    optional: Sequence[str] | None = None,
    keep_na_text: bool = False,
) -> pd.DataFrame:
    """Read a CSV, XLSX or Parquet file as a table whose first row is the header, strictly.

    CSV files are UTF-8 (with or without BOM), GBK or GB18030, one encoding for the whole
    file. ``sheet`` picks an XLSX sheet (name or 0-based position; default the first).
    ``text_columns`` (by default the unit and indicator codes) are kept as text, so
    ``0101`` stays ``"0101"``. In a CSV, the cells of :data:`CSV_NA_TOKENS` (``NA``,
    ``null``, ``-NaN`` …) are missing values; with ``keep_na_text=True`` the cells of
    ``text_columns`` keep them as text and only an empty cell is missing there (``NA``
    is Namibia's ISO code in real datasets). ``required``: columns the table must have;
    ``optional``: when given, the only other columns allowed (a header matches them ignoring
    case and surrounding spaces, and takes their spelling). Empty rows are skipped.

    Every problem of the file is listed at once in one
    :class:`~integrity_eval.errors.ValidationError`, with file, row and column: a missing,
    unreadable or corrupt file (an XLSX is checked by :func:`check_xlsx`); lines in two
    encodings, or in none; a row with more or fewer fields than the header (an
    unquoted comma in a name), so that no column is ever shifted; a column without a
    header that holds data, a header twice, a required column missing, a column not
    allowed; a NUL or bidirectional control character (:func:`unsafe_text`); more than
    :data:`MAX_COLUMNS` columns or :data:`MAX_CELLS` cells.

    ``df.attrs["rows"]`` holds each row's number in the file (the header is row 1), for
    messages that name a row.
    """
    path = Path(path)
    suffix = _check_file(path)
    if suffix == ".csv":
        header, df, rows = _csv_table(path, text_columns, keep_na_text)
    elif suffix == ".parquet":
        df = _read_parquet(path)
        header, rows = [str(c) for c in df.columns], np.arange(len(df))
    else:
        header, df, rows = _xlsx_table(path, sheet)
    df = _checked_table(path, header, df, rows, required, optional)
    return _as_text(df, text_columns)


def _csv_table(
    path: Path, text_columns: Sequence[str], keep_na_text: bool
) -> tuple[list[str], pd.DataFrame, np.ndarray]:
    """The header as written, the table and each data row's number in the file, of a CSV
    whose every row has the header's width (checked first with the csv module: pandas
    would take a wider first row's first cell as the index and shift every column).
    ``keep_na_text``: :data:`CSV_NA_TOKENS` are missing values in the other columns only."""
    text = _decode_csv(path)
    header, rows = _csv_shape(text, path)
    names = [_header_text(h) or f"Unnamed: {j}" for j, h in enumerate(header)]
    if len(set(names)) < len(names):  # reported by _checked_table; pandas refuses them
        return header, pd.DataFrame(columns=range(len(names))), rows
    try:
        df = pd.read_csv(
            _io.StringIO(text),
            header=0,
            names=names,
            index_col=False,
            dtype={c: str for c in text_columns if c in names},
            keep_default_na=False,
            na_values={
                c: [] if keep_na_text and c in text_columns else list(CSV_NA_TOKENS) for c in names
            },
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise _file_error(path, f"CSV 无法解析 / CSV does not parse: {exc}") from None
    return header, df, rows


def _xlsx_table(path: Path, sheet: str | int | None) -> tuple[list[str], pd.DataFrame, np.ndarray]:
    wb = open_workbook(path)
    try:
        ws = _pick_sheet(wb, sheet, str(path))
        grid = _sheet_grid(ws)
    finally:
        wb.close()
    if not grid:
        return [], pd.DataFrame(), np.arange(0)
    header = ["" if v is None else str(v) for v in grid[0]]
    width = len(header)
    kept = [i for i in range(1, len(grid)) if any(_filled(v) for v in grid[i])]
    body = [list(grid[i][:width]) + [None] * (width - len(grid[i])) for i in kept]
    frame = pd.DataFrame(body, columns=range(width))
    return header, frame, np.asarray(kept, dtype=int) + 1


def _checked_table(
    path: Path,
    header: list[str],
    df: pd.DataFrame,
    rows: np.ndarray,
    required: Sequence[str] | None,
    optional: Sequence[str] | None,
) -> pd.DataFrame:
    """The table with its header checked and matched to ``required``/``optional``, and
    every text cell checked by :func:`unsafe_text` (``rows``: each data row's number in
    the file). Raises every problem at once."""
    source = str(path)
    problems = ProblemList()
    wanted = [*(required or ()), *(optional or ())]
    by_lower = {c.lower(): c for c in wanted}
    names: list[str] = []
    keep: list[int] = []
    first: dict[str, int] = {}
    for j, raw in enumerate(header):
        name = _header_text(raw)
        name = by_lower.get(name.lower(), name)
        why = unsafe_text(str(raw))
        if why:
            problems.add(why, source=source, row=1, column=_excel_col(j), value=raw)
        column = df.iloc[:, j] if j < df.shape[1] else pd.Series(dtype=object)
        if not name:
            if column.map(_filled).any():
                problems.add(
                    "列没有表头 / column has no header",
                    source=source,
                    row=1,
                    column=_excel_col(j),
                )
            continue
        if name in first:
            col = _excel_col(first[name])
            problems.add(
                f"重复的列（与第 {col} 列相同）/ duplicate column (same as column {col})",
                source=source,
                row=1,
                column=name,
            )
            continue
        first[name] = j
        names.append(name)
        keep.append(j)
    for col in required or ():
        if col not in first:
            problems.add("缺少必需的列 / required column is missing", source=source, column=col)
    if optional is not None:
        for name in names:
            if name not in wanted:
                zh, en = did_you_mean(name, wanted)
                problems.add(
                    f"未知的列{zh}；应为以下之一：{', '.join(wanted)} / unknown column{en}; "
                    f"expected one of {', '.join(wanted)}",
                    source=source,
                    row=1,
                    column=name,
                )
    if problems:
        problems.raise_if_any("表格有误 / invalid table")
    out = df.iloc[:, keep].copy()
    out.columns = pd.Index(names)
    if path.suffix.lower() != ".csv":  # a CSV's whole text was checked when decoded
        _hidden_cells(out, rows, source, problems)
    problems.raise_if_any("表格有误 / invalid table")
    out.attrs["rows"] = [int(r) for r in rows]
    return out


def _hidden_cells(df: pd.DataFrame, rows: np.ndarray, source: str, problems: ProblemList) -> None:
    """A problem for each text cell holding a character :func:`unsafe_text` refuses."""
    found = []
    for j, name in enumerate(df.columns):
        col = df.iloc[:, j]
        if col.dtype.kind not in "OSUT":
            continue
        text = col.astype(object).map(lambda v: v if isinstance(v, str) else "")
        hits = np.flatnonzero(text.str.contains(_HIDDEN, regex=True).to_numpy(bool))
        found += [
            {"rule": unsafe_text(v), "row": int(rows[i]), "column": name, "value": v}
            for i in hits
            if (v := text.iloc[i])
        ]
    _add_listed(problems, source, found)


def _as_text(df: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    for col in columns:
        if col in df.columns:
            df[col] = pd.Series([_code_text(v) or None for v in df[col].tolist()], index=df.index)
    return df


# ------------------------------------------------------------- file helpers
def _check_file(path: Path) -> str:
    suffix = path.suffix.lower()
    if not path.exists():
        raise _file_error(path, "文件不存在 / file does not exist")
    if path.is_dir():
        raise _file_error(path, "这是文件夹，不是文件 / this is a folder, not a file")
    if suffix not in SUPPORTED_SUFFIXES:
        hint = ""
        if suffix == ".xls":
            hint = "；请另存为 .xlsx / re-save as .xlsx"
        raise ValidationError(
            [
                Problem(
                    rule="不支持的文件格式，应为 CSV、XLSX 或 Parquet / unsupported file format, "
                    f"expected CSV, XLSX or Parquet{hint}",
                    source=str(path),
                    value=path.suffix or "(no suffix)",
                )
            ],
            title="不支持的文件格式 / unsupported file format",
        )
    return suffix


def _file_error(path: Path, rule: str) -> ValidationError:
    return ValidationError([Problem(rule=rule, source=str(path))], title=f"{rule}: {path}")


def _limit_problem(
    source: str, what: str, limit_name: str, limit: int, found: int | str = "", **where: object
) -> Problem:
    """A limit exceeded: ``what`` is "中文 / English"; the message names the limit."""
    zh, en = (x.strip() for x in what.split("/", 1))
    found_text = f"{found:,}" if isinstance(found, int) else found
    return Problem(
        rule=f"{zh}超出上限 {limit_name} = {limit:,} / {en} over the limit "
        f"{limit_name} = {limit:,}",
        source=source,
        value=found_text,
        **{k: "" if v is None else str(v) for k, v in where.items()},
    )


def _limit_error(
    source: str, what: str, limit_name: str, limit: int, found: int | str = "", **where: object
) -> ValidationError:
    problem = _limit_problem(source, what, limit_name, limit, found, **where)
    return ValidationError([problem], title="文件超出读取上限 / file over a reading limit")


def _add_listed(problems: ProblemList, source: str, found: Iterable[dict[str, Any]]) -> None:
    """Add the problems ``found`` (each the keyword arguments of ``ProblemList.add``
    but ``source``): the first :data:`ROWS_LISTED` one by one, the others counted."""
    rest = 0
    for n, where in enumerate(found):
        if n < ROWS_LISTED:
            problems.add(source=source, **where)
        else:
            rest += 1
    if rest:
        problems.add(
            f"…另有 {rest:,} 处同样的问题未逐一列出 / … and {rest:,} more of the same, not listed",
            source=source,
        )


# ------------------------------------------------------------------ CSV text
# Characters refused in any text read from a file: NUL, U+FFFD (what a wrong decoding
# left behind) and the bidirectional embedding, override and isolate controls
# (U+202A–U+202E, U+2066–U+2069), which make text display in another order than it is
# stored ("Trojan Source", CVE-2021-42574).
_HIDDEN = re.compile("[\x00\ufffd\u202a-\u202e\u2066-\u2069]")


def unsafe_text(text: str, *, code: bool = False) -> str | None:
    """Why ``text`` read from a file may not be used as it is (a "中文 / English" rule),
    or None.

    Refused anywhere: NUL, the replacement character U+FFFD (the file was decoded with
    a wrong encoding before) and the bidirectional controls U+202A–U+202E and
    U+2066–U+2069, which make a name display differently from what it is (Boucher &
    Anderson 2021, "Trojan Source", CVE-2021-42574). With ``code=True`` (a framework
    code, which becomes a column header of every output), also a start a spreadsheet
    evaluates as a formula (``=``, ``+``, ``-``, ``@``; :func:`is_formula_like`).
    """
    m = _HIDDEN.search(text)
    if m:
        ch = m.group()
        if ch == "\ufffd":
            return (
                "含替换字符 U+FFFD（�）：文件此前曾以错误的编码转换，原文已丢失，"
                "请从原始来源重新导出 "
                "/ holds the replacement character U+FFFD (�): the text was converted with a "
                "wrong encoding before and the original is lost; export it again from its source"
            )
        label = "NUL" if ch == "\x00" else f"U+{ord(ch):04X} {unicodedata.name(ch, '')}".strip()
        return (
            f"含不可见的控制字符 {label}，会让文字显示得与实际内容不同，请删去 / holds the "
            f"invisible control character {label}, which makes text display differently "
            "from what it is; delete it"
        )
    if code and is_formula_like(text):
        return (
            "代码不能以 =、+、-、@ 开头：写入表格时会被当作公式 / a code may not start with "
            "=, +, -, @: a spreadsheet would evaluate it as a formula"
        )
    return None


def _decode_csv(path: Path) -> str:
    """The text of a CSV: UTF-8 (with or without BOM), else GBK/GB18030 line by line.

    A file that is not valid UTF-8 is decoded one line at a time: each line with
    non-ASCII bytes is UTF-8 or GB18030 (when both decode it, the reading with more of
    the 3,755 common hanzi of GB 2312 level 1 wins), and a file whose lines disagree, or
    with a line neither decodes, is refused with the lines named: decoding it whole as
    GBK turns its UTF-8 lines into mojibake (浦东新区 → 娴〈笢鏂板尯). NUL, U+FFFD and
    bidirectional controls are refused (:func:`unsafe_text`).
    """
    data = path.read_bytes()
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _file_error(
            path,
            "文件是 UTF-16 编码（Excel 的“Unicode 文本”），请另存为“CSV UTF-8” / the file is "
            "UTF-16 (Excel's Unicode text): save it as CSV UTF-8",
        )
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = _decode_lines(path, data)
    if _HIDDEN.search(text):
        _refuse_hidden_lines(path, text)
    return text


# A line that is valid UTF-8 and not ASCII, in a text decoded as UTF-8 with
# "surrogateescape" (where each undecodable byte became a lone surrogate U+DC80–U+DCFF).
_UTF8_LINE = re.compile(
    "^[^\n\udc80-\udcff]*[\u0080-\ud7ff\ue000-\U0010ffff][^\n\udc80-\udcff]*$", re.M
)


def _decode_lines(path: Path, data: bytes) -> str:
    """A non-UTF-8 CSV decoded as GB18030 when every line agrees (see :func:`_decode_csv`).

    Fast path: the whole file decodes as GB18030 and no line reads better as UTF-8 (found
    by one regular-expression scan, not a loop over lines); else every line is
    classified and the disagreeing ones are named."""
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        loose = data.decode("utf-8", "surrogateescape")
        if not any(
            _common(m.group()) >= _common(m.group().encode("utf-8").decode("gb18030", "replace"))
            for m in _UTF8_LINE.finditer(loose)
        ):
            return text
    utf8: list[int] = []
    gbk: list[int] = []
    neither: list[int] = []
    for i, line in enumerate(data.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            as_utf8 = line.decode("utf-8")
        except UnicodeDecodeError:
            as_utf8 = None
        try:
            as_gbk = line.decode("gb18030")
        except UnicodeDecodeError:
            as_gbk = None
        if as_utf8 is None and as_gbk is None:
            neither.append(i)
        elif as_gbk is None or (as_utf8 is not None and _common(as_utf8) >= _common(as_gbk)):
            utf8.append(i)
        else:
            gbk.append(i)
    source = str(path)
    problems = ProblemList()
    tried = "UTF-8, UTF-8 with BOM (UTF-8-BOM), GBK, GB18030"
    rule = (
        f"该行无法解码（已尝试 {tried}），请另存为 UTF-8 / cannot decode this line "
        f"(tried {tried}); please re-save it as UTF-8"
    )
    _add_listed(problems, source, ({"rule": rule, "row": i} for i in neither))
    if utf8 and gbk:
        odd, other, odd_name, other_name = (
            (utf8, gbk, "UTF-8", "GBK") if len(utf8) <= len(gbk) else (gbk, utf8, "GBK", "UTF-8")
        )
        rule = (
            f"该行是 {odd_name} 编码，而其他行（如第 {other[0]} 行）是 {other_name} 编码："
            "一个文件只能用一种编码，请整份另存为 UTF-8 / this line is "
            f"{odd_name}-encoded, other lines (such as line {other[0]}) {other_name}: "
            "a file has one encoding; re-save the whole file as UTF-8"
        )
        _add_listed(problems, source, ({"rule": rule, "row": i} for i in odd))
    problems.raise_if_any("无法识别的文件编码 / unknown text encoding")
    return data.decode("gb18030")


def _common(text: str) -> int:
    """How many characters of ``text`` are common hanzi: GB 2312 level 1 (bytes
    B0A1–D7F9 in GBK, the 3,755 most frequent characters; GB 2312-80 §5)."""
    n = 0
    for ch in text:
        if "\u4e00" <= ch <= "\u9fff":
            try:
                code = int.from_bytes(ch.encode("gbk"), "big")
            except UnicodeEncodeError:
                continue
            n += 0xB0A1 <= code <= 0xD7F9
    return n


def _refuse_hidden_lines(path: Path, text: str) -> None:
    problems = ProblemList()
    lines = enumerate(text.split("\n"), start=1)
    found = ({"rule": unsafe_text(x), "row": i} for i, x in lines if _HIDDEN.search(x))
    _add_listed(problems, str(path), found)
    problems.raise_if_any("文件含不可见的控制字符 / the file holds invisible control characters")


def _csv_records(text: str, path: Path) -> Iterator[list[str]]:
    """The records of a CSV (the csv module, strict quoting; blank lines as ``[]``)."""
    reader = csv.reader(_io.StringIO(text, newline=""), strict=True)
    try:
        yield from reader
    except csv.Error as exc:
        message = str(exc)
        if "field limit" in message:
            raise _limit_error(
                str(path),
                "单元格文字长度 / cell text length",
                "MAX_CELL_CHARS",
                MAX_CELL_CHARS,
                row=reader.line_num,
            ) from None
        raise ValidationError(
            [
                Problem(
                    f"CSV 格式有误（引号不配对？）/ malformed CSV (unbalanced quotes?): {message}",
                    source=str(path),
                    row=str(reader.line_num),
                )
            ],
            title="CSV 无法解析 / CSV does not parse",
        ) from None


def _csv_shape(text: str, path: Path) -> tuple[list[str], np.ndarray]:
    """The header of a CSV and the row number (the spreadsheet row; header = 1) of each
    non-empty data row, after checking that every row has the header's width and that
    the table is within :data:`MAX_COLUMNS` and :data:`MAX_CELLS`."""
    records = _csv_records(text, path)
    first = 0
    header: list[str] | None = []
    while header == []:  # blank lines above the header
        header = next(records, None)
        first += 1
    if not header:
        raise _file_error(path, "文件是空的，没有表头 / the file is empty: no header row")
    width = len(header)
    if width > MAX_COLUMNS:
        raise _limit_error(
            str(path), "列数 / columns", "MAX_COLUMNS", MAX_COLUMNS, width, row=first
        )
    max_rows = MAX_CELLS // width
    lengths = np.fromiter(map(len, itertools.islice(records, max_rows + 1)), dtype=np.int64)
    rownum = np.arange(first + 1, first + 1 + len(lengths))
    filled = lengths > 0
    if int(filled.sum()) > max_rows:
        raise _limit_error(
            str(path), "单元格数 / cells", "MAX_CELLS", MAX_CELLS, f"> {MAX_CELLS:,}"
        )
    bad = filled & (lengths != width)
    if bad.any():
        _refuse_ragged(path, rownum[bad], lengths[bad], width)
    return header, rownum[filled]


def _refuse_ragged(path: Path, bad: np.ndarray, lengths: np.ndarray, width: int) -> None:
    """Raise for the rows (numbers ``bad``, field counts ``lengths``) not ``width`` wide."""
    problems = ProblemList()
    _ragged_rows(list(zip(bad.tolist(), lengths.tolist(), strict=True)), width, str(path), problems)
    problems.raise_if_any("CSV 各行的字段数不一致 / CSV rows of different widths")


# ------------------------------------------------------------------- Parquet
def _read_parquet(path: Path) -> pd.DataFrame:
    import pyarrow.parquet as pq

    try:
        meta = pq.read_metadata(path)
    except Exception as exc:  # pyarrow raises several unrelated types
        raise _file_error(
            path, f"不是有效的 Parquet 文件 / not a valid Parquet file: {type(exc).__name__}"
        ) from None
    source = str(path)
    if meta.num_columns > MAX_COLUMNS:
        raise _limit_error(source, "列数 / columns", "MAX_COLUMNS", MAX_COLUMNS, meta.num_columns)
    if meta.num_rows * max(meta.num_columns, 1) > MAX_CELLS:
        cells = meta.num_rows * meta.num_columns
        raise _limit_error(source, "单元格数 / cells", "MAX_CELLS", MAX_CELLS, cells)
    size = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if size > XLSX_MAX_BYTES:
        raise _limit_error(
            source,
            "解压后的大小（字节）/ uncompressed size (bytes)",
            "XLSX_MAX_BYTES",
            XLSX_MAX_BYTES,
            size,
        )
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several unrelated types
        raise _file_error(
            path, f"不是有效的 Parquet 文件 / not a valid Parquet file: {type(exc).__name__}"
        ) from None


# ---------------------------------------------------------------------- XLSX
def open_workbook(path: str | Path, *, data_only: bool = True, read_only: bool = False) -> Any:
    """An openpyxl workbook, opened only after :func:`check_xlsx` found nothing wrong.

    Whatever openpyxl still cannot parse is refused as "not a valid XLSX workbook"
    naming the file (a :class:`ValidationError`, never a traceback).
    """
    path = Path(path)
    check_xlsx(path)
    return _load_workbook(path, data_only=data_only, read_only=read_only)


def _load_workbook(path: Path, *, data_only: bool, read_only: bool) -> Any:
    import openpyxl

    try:
        return openpyxl.load_workbook(path, data_only=data_only, read_only=read_only)
    except Exception as exc:  # a parser of hostile input: any failure means "not valid"
        raise _xlsx_error(path, "", f"{type(exc).__name__}: {exc}"[:200]) from None


def _xlsx_error(path: Path, part: str, detail: str) -> ValidationError:
    where = f"部件 / part {part}: " if part else ""
    return ValidationError(
        [
            Problem(
                f"不是有效的 XLSX 工作簿 / not a valid XLSX workbook: {where}{detail}",
                source=str(path),
                column=part,
            )
        ],
        title=f"不是有效的 XLSX 工作簿 / not a valid XLSX workbook: {path}",
    )


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted OOXML and .xls files
_SHEET_PART = re.compile(r"^xl/worksheets/[^/]+\.xml$")
# In sheet XML: a cell's or a row's r="B12" / r="12", and the last cell of a mergeCell or
# dimension ref (their spans are filled cell by cell, or padded to, by openpyxl).
_REF_ROW = re.compile(
    rb'\sr="[A-Z]{0,3}([0-9]{1,9})"|ref="(?:[A-Z]{1,3}[0-9]{1,9}:)?[A-Z]{1,3}([0-9]{1,9})"'
)
_REF_COL = re.compile(rb'\sr="([A-Z]{1,3})[0-9]|ref="(?:[A-Z]{1,3}[0-9]{1,9}:)?([A-Z]{1,3})[0-9]')


def check_xlsx(path: str | Path) -> None:
    """Check an XLSX workbook before any XML parser sees it; raise what is wrong.

    Refused, naming the file and the part: a file that is not a zip (an encrypted
    workbook or an ``.xls`` renamed); more than :data:`XLSX_MAX_PARTS` parts; a part
    larger than :data:`XLSX_MAX_PART_BYTES` uncompressed, a workbook larger than
    :data:`XLSX_MAX_BYTES`, a part compressed more than :data:`XLSX_MAX_RATIO` to 1 (sizes
    as declared, and as actually decompressed); a damaged part (CRC or deflate error);
    an XML part that is not well-formed (cut mid-tag) or declares a DTD (entity
    expansion "billion laughs", external entities: no workbook Excel writes has one);
    a sheet whose cells span more than :data:`MAX_COLUMNS` columns or
    :data:`MAX_CELLS` cells.
    """
    path = Path(path)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        with open(path, "rb") as fh:
            head = fh.read(8)
        hint = (
            "（加密的工作簿或 .xls 文件？请去掉密码或另存为 .xlsx）/ (an encrypted workbook or an "
            ".xls file? remove the password or save as .xlsx)"
            if head == _OLE_MAGIC
            else f"({type(exc).__name__})"
        )
        raise _xlsx_error(path, "", f"不是 zip 文件 / not a zip file {hint}") from None
    with zf:
        infos = zf.infolist()
        source = str(path)
        if len(infos) > XLSX_MAX_PARTS:
            raise _limit_error(
                source, "部件数 / parts", "XLSX_MAX_PARTS", XLSX_MAX_PARTS, len(infos)
            )
        if "[Content_Types].xml" not in {i.filename for i in infos}:
            raise _xlsx_error(path, "[Content_Types].xml", "缺少此部件 / the part is missing")
        total = 0
        for info in infos:
            _check_declared(path, info)
            total += info.file_size
        if total > XLSX_MAX_BYTES:
            raise _limit_error(
                source,
                "解压后的大小（字节）/ uncompressed size (bytes)",
                "XLSX_MAX_BYTES",
                XLSX_MAX_BYTES,
                total,
            )
        for info in infos:
            _check_part(path, zf, info)


def _check_declared(path: Path, info: zipfile.ZipInfo) -> None:
    """A part's sizes as the zip declares them, against the limits."""
    if info.file_size > XLSX_MAX_PART_BYTES:
        raise _limit_error(
            str(path),
            "部件解压后的大小（字节）/ uncompressed size of a part (bytes)",
            "XLSX_MAX_PART_BYTES",
            XLSX_MAX_PART_BYTES,
            info.file_size,
            column=info.filename,
        )
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > _RATIO_FROM_BYTES and ratio > XLSX_MAX_RATIO:
        raise _limit_error(
            str(path),
            "部件的压缩比 / compression ratio of a part",
            "XLSX_MAX_RATIO",
            XLSX_MAX_RATIO,
            f"{ratio:,.0f}",
            column=info.filename,
        )


class _DoctypeFound(Exception):
    """An XML part declares a DTD."""


def _refuse_doctype(*_args: Any) -> None:
    raise _DoctypeFound


def _check_part(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Decompress one part (sizes counted, CRC checked); parse it when it is XML."""
    from xml.parsers import expat

    name = info.filename
    is_xml = name.endswith((".xml", ".rels", ".vml"))
    is_sheet = bool(_SHEET_PART.match(name))
    parser = expat.ParserCreate() if is_xml else None
    if parser is not None:
        parser.StartDoctypeDeclHandler = _refuse_doctype
        parser.EntityDeclHandler = _refuse_doctype
    size, rows, cols, tail = 0, 0, 0, b""
    try:
        with zf.open(info) as fh:
            while chunk := fh.read(1 << 20):
                size += len(chunk)
                if size > info.file_size or size > XLSX_MAX_PART_BYTES:
                    raise _limit_error(
                        str(path),
                        "部件解压后的大小（字节）/ uncompressed size of a part (bytes)",
                        "XLSX_MAX_PART_BYTES",
                        min(info.file_size, XLSX_MAX_PART_BYTES),
                        size,
                        column=name,
                    )
                if parser is not None:
                    parser.Parse(chunk, False)
                if is_sheet:
                    window = tail + chunk
                    rows = max(rows, _max_row(window))
                    cols = max(cols, _max_col(window))
                    tail = chunk[-64:]
            if parser is not None:
                parser.Parse(b"", True)
    except _DoctypeFound:
        raise _xlsx_error(
            path,
            name,
            "XML 中有 DTD 声明（实体扩展或外部实体），Excel 不会写出这种内容 / the XML declares a "
            "DTD (entity expansion or external entities), which Excel never writes",
        ) from None
    except expat.ExpatError as exc:
        raise _xlsx_error(
            path,
            name,
            f"XML 不完整或有误（第 {exc.lineno} 行：{expat.errors.messages[exc.code]}）/ the XML "
            f"is cut or broken (line {exc.lineno}: {expat.errors.messages[exc.code]})",
        ) from None
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        OSError,
        RuntimeError,
        NotImplementedError,
    ) as exc:
        raise _xlsx_error(
            path, name, f"部件已损坏 / the part is damaged ({type(exc).__name__}: {exc})"
        ) from None
    if cols > MAX_COLUMNS:
        raise _limit_error(
            str(path),
            "工作表的列数 / columns of a sheet",
            "MAX_COLUMNS",
            MAX_COLUMNS,
            cols,
            column=name,
        )
    if rows * cols > MAX_CELLS:
        raise _limit_error(
            str(path),
            "工作表的单元格数（行 × 列）/ cells of a sheet (rows × columns)",
            "MAX_CELLS",
            MAX_CELLS,
            rows * cols,
            column=name,
        )


def _max_row(chunk: bytes) -> int:
    found = [a or b for a, b in _REF_ROW.findall(chunk)]
    return max(map(int, found), default=0)


def _max_col(chunk: bytes) -> int:
    letters = {a or b for a, b in _REF_COL.findall(chunk)}
    return max((_col_number(x) for x in letters), default=0)


def _col_number(letters: bytes) -> int:
    """``b"A"`` → 1, ``b"XFD"`` → 16384."""
    n = 0
    for c in letters:
        n = n * 26 + c - 64
    return n


# ---------------------------------------------------------------------- YAML
def _check_depth(text: str) -> None:
    """Raise :class:`_YamlLimit` when a node lies deeper than :data:`YAML_MAX_DEPTH`
    collections (a node's depth: the collections around it, plus one). Walks libyaml's
    events, which it produces without recursion, so that the composer, which recurses,
    only ever sees bounded documents."""
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.NodeEvent):
            if depth + 1 > YAML_MAX_DEPTH:
                raise _YamlLimit(
                    "嵌套层数 / nesting depth", "YAML_MAX_DEPTH", YAML_MAX_DEPTH, event.start_mark
                )
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, composing at most :data:`YAML_MAX_DEPTH` nested collections."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > YAML_MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise _YamlLimit("嵌套层数 / nesting depth", "YAML_MAX_DEPTH", YAML_MAX_DEPTH, mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


#: PyYAML's safe loader, its libyaml (C) version when PyYAML was built with it (eight
#: times faster on a framework file); documents it refuses are read again by
#: :class:`_BoundedLoader`, for PyYAML's and this module's messages.
_Loader: type = getattr(yaml, "CSafeLoader", _BoundedLoader)


class _YamlLimit(Exception):
    def __init__(self, what: str, name: str, limit: int, mark: Any = None, found: Any = "") -> None:
        super().__init__(what)
        self.what, self.name, self.limit, self.mark, self.found = what, name, limit, mark, found


class _YamlSurrogate(Exception):
    """A scalar holding a lone surrogate (U+D800–U+DFFF, only possible as an escape such as
    ``"\\ud800"``): not a character, no text can be written with it."""

    def __init__(self, mark: Any) -> None:
        super().__init__("lone surrogate")
        self.mark = mark


_SURROGATE = re.compile("[\ud800-\udfff]")


def load_yaml(
    source: str | Path,
    *,
    origin: str | None = None,
    title: str = "YAML 无法解析 / YAML does not parse",
) -> Any:
    """Parse YAML from a file (a :class:`~pathlib.Path`, read as UTF-8) or a text (a
    ``str``) with PyYAML's safe loader, bounded.

    Refused with a :class:`ValidationError` titled ``title``, naming ``origin`` (default:
    the path, or "YAML") and the line: a file over :data:`YAML_MAX_BYTES`, not UTF-8, a
    syntax error, collections nested deeper than :data:`YAML_MAX_DEPTH`, an alias that
    contains itself, more than :data:`YAML_MAX_NODES` nodes once aliases are expanded (an
    alias bomb, "billion laughs": a few hundred bytes that a reader walking the data
    would visit 10⁹ times), a value PyYAML cannot build (a date 2024-13-45), a text holding
    a lone surrogate (an escape ``"\\ud800"``: no file or report could be written with it).
    """
    where = origin or (str(source) if isinstance(source, Path) else "YAML")
    if isinstance(source, Path):
        size = source.stat().st_size
        if size > YAML_MAX_BYTES:
            raise _yaml_error(
                _limit_problem(
                    where,
                    "文件大小（字节）/ file size (bytes)",
                    "YAML_MAX_BYTES",
                    YAML_MAX_BYTES,
                    size,
                ),
                title,
            )
        try:
            text = source.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise _yaml_error(
                Problem("YAML 文件须为 UTF-8 编码 / a YAML file must be UTF-8", source=where), title
            ) from None
    else:
        text = source
        if len(text) > YAML_MAX_BYTES:
            raise _yaml_error(
                _limit_problem(
                    where, "文字长度 / text length", "YAML_MAX_BYTES", YAML_MAX_BYTES, len(text)
                ),
                title,
            )
    loader = None
    try:
        try:
            _check_depth(text)
            loader = _Loader(text)
            node = loader.get_single_node()
        except yaml.YAMLError:
            if loader is not None:
                loader.dispose()
            loader = _BoundedLoader(text)
            node = loader.get_single_node()
        if node is None:
            return None
        _check_expanded(node)
        return loader.construct_document(node)
    except _YamlLimit as exc:
        problem = _limit_problem(
            where, exc.what, exc.name, exc.limit, exc.found, row=_line(exc.mark)
        )
        raise _yaml_error(problem, title) from None
    except _YamlSurrogate as exc:
        problem = Problem(
            "文字中含未配对的代理码位（\\uD800–\\uDFFF 转义），不是字符；请直接写出该字符 / "
            "a text holds a lone surrogate (an escape \\uD800–\\uDFFF), which is not a "
            "character; write the character itself",
            source=where,
            row=_line(exc.mark),
        )
        raise _yaml_error(problem, title) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = Problem(
            f"YAML 语法错误 / YAML syntax error: {getattr(exc, 'problem', None) or exc}",
            source=where,
            row=_line(mark),
        )
        raise _yaml_error(problem, title) from None
    except (ValueError, TypeError, OverflowError) as exc:  # a scalar PyYAML cannot build
        problem = Problem(f"YAML 中的值无法读取 / a YAML value cannot be read: {exc}", source=where)
        raise _yaml_error(problem, title) from None
    finally:
        if loader is not None:
            loader.dispose()


def _line(mark: Any) -> str:
    return f"line {mark.line + 1}" if mark is not None else ""


def _yaml_error(problem: Problem, title: str) -> ValidationError:
    return ValidationError([problem], title=title)


def _check_expanded(root: yaml.Node) -> None:
    """Count the nodes of a composed document with every alias expanded (each distinct
    node counted once and its total reused: linear in the document's size); raise
    :class:`_YamlLimit` past :data:`YAML_MAX_NODES` or for an alias inside itself, and
    :class:`_YamlSurrogate` for a scalar holding a lone surrogate."""
    total: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        kids = _yaml_children(node)
        if done:
            on_path.discard(key)
            total[key] = 1 + sum(total[id(k)] for k in kids)
            if total[key] > YAML_MAX_NODES:
                raise _YamlLimit(
                    "展开别名后的节点数 / nodes with aliases expanded",
                    "YAML_MAX_NODES",
                    YAML_MAX_NODES,
                    node.start_mark,
                    f"> {YAML_MAX_NODES:,}",
                )
            continue
        if key in total:
            continue
        if key in on_path:
            raise _YamlLimit(
                "别名引用了自身 / an alias inside itself: nesting depth",
                "YAML_MAX_DEPTH",
                YAML_MAX_DEPTH,
                node.start_mark,
                "∞",
            )
        if isinstance(node, yaml.ScalarNode) and _SURROGATE.search(node.value):
            raise _YamlSurrogate(node.start_mark)
        on_path.add(key)
        stack.append((node, True))
        stack.extend((k, False) for k in kids if id(k) not in total)


def _yaml_children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [x for pair in node.value for x in pair]
    return []


def _pick_sheet(wb: Any, sheet: str | int | None, source: str) -> Any:
    if sheet is None:
        return wb.worksheets[0]
    if isinstance(sheet, int) and 0 <= sheet < len(wb.worksheets):
        return wb.worksheets[sheet]
    if isinstance(sheet, str) and sheet in wb.sheetnames:
        return wb[sheet]
    raise ValidationError(
        [
            Problem(
                rule="工作表不存在 / no such sheet; sheets: " + ", ".join(wb.sheetnames),
                source=source,
                value=str(sheet),
            )
        ],
        title="工作表不存在 / no such sheet",
    )


def _sheet_grid(ws: Any) -> list[list[Any]]:
    """Cell values of a worksheet, merged ranges filled with their top-left value."""
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    for rng in ws.merged_cells.ranges:
        value = ws.cell(rng.min_row, rng.min_col).value
        for r in range(rng.min_row - 1, min(rng.max_row, len(rows))):
            row = rows[r]
            if len(row) < rng.max_col:
                row.extend([None] * (rng.max_col - len(row)))
            for c in range(rng.min_col - 1, rng.max_col):
                row[c] = value
    return rows


# --------------------------------------------------------------- cell text
def _norm_text(value: Any) -> str:
    """NFKC (full-width → ASCII), whitespace stripped (incl. the ideographic space)."""
    return unicodedata.normalize("NFKC", str(value)).strip()


def _filled(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, float) and math.isnan(value):
        return False
    if isinstance(value, str) and not value.strip():
        return False
    return True


def _header_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _norm_text(value)


def _code_text(value: Any) -> str:
    """A unit code as text: 310101.0 → '310101', full-width digits → ASCII."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return _norm_text(value)


# -------------------------------------------------------------- row widths
def _ragged_rows(
    ragged: Sequence[tuple[int, int]], width: int, where: str, problems: ProblemList
) -> None:
    """A problem for each CSV row (row number, fields) whose width is not the header's."""
    found = ({"rule": _ragged_rule(n, width), "row": row} for row, n in ragged)
    _add_listed(problems, where, found)


def _ragged_rule(n: int, width: int) -> str:
    if n > width:
        return (
            f"此行有 {n} 个字段，表头只有 {width} 个（某个值中有未加引号的逗号？）：请给含逗号的值"
            f"加上英文双引号，或改正此行 / this row has {n} fields, the header {width} (an "
            "unquoted comma in a value?): put values holding commas in double quotes, or "
            "correct the row"
        )
    return (
        f"此行只有 {n} 个字段，表头有 {width} 个（少了值或逗号？）：请补齐此行 / this row has "
        f"{n} fields, the header {width} (a value or a comma missing?): complete the row"
    )


def _excel_col(j: int) -> str:
    out = ""
    j += 1
    while j:
        j, rem = divmod(j - 1, 26)
        out = chr(65 + rem) + out
    return out


# ===================================================================== writing
@contextlib.contextmanager
def atomic_output_dir(final: str | Path) -> Iterator[Path]:
    """Yield a temporary folder next to ``final``; rename it to ``final`` on success.

    On any exception the temporary folder, and parent folders this call created,
    are removed, so a failed run leaves nothing behind. ``final`` must not exist, or be
    an empty folder (one :func:`claim_dir` reserved: it is replaced, and removed if the
    output fails). The folder gets the user's umask (``0755`` for the usual ``022``), not
    the ``0700`` of a temporary folder. While the output is written the temporary folder
    is locked (``flock``), so that :func:`remove_stale_tmp` in another process leaves it.
    """
    final = Path(final)
    created = _make_parents(final.parent)
    claimed = final.is_dir() and not any(final.iterdir())
    if claimed:
        created = [final, *created]
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent))
        os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes 0700: readable as the umask allows
    except BaseException:
        _remove_empty(created)
        raise
    lock = _lock_dir(tmp)
    try:
        yield tmp
        if final.exists() and (not final.is_dir() or any(final.iterdir())):
            raise FileExistsError(f"output already exists / 输出已存在: {final}")
        os.chmod(tmp, 0o777 & ~_umask())
        os.replace(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        _remove_empty(created)
        raise
    finally:
        if lock is not None:
            os.close(lock)


def claim_dir(path: str | Path) -> Path:
    """Create ``path`` as a new, empty folder, or ``path-2``, ``path-3`` … if taken.

    ``mkdir`` either creates a folder or fails, atomically, so runs started together
    into one output folder each get their own (the folder is then filled through
    :func:`atomic_output_dir`, which replaces the empty folder on success).
    """
    path = Path(path)
    _make_parents(path.parent)
    candidate, k = path, 2
    while True:
        try:
            candidate.mkdir()
            return candidate
        except FileExistsError:
            candidate = path.with_name(f"{path.name}-{k}")
            k += 1


#: Age after which the hidden temporary folder of an output that never finished (a
#: killed run) is removed by :func:`remove_stale_tmp`, unless a live process locks it.
STALE_TMP_SECONDS = 24 * 3600


def remove_stale_tmp(folder: str | Path, *, age: float = STALE_TMP_SECONDS) -> list[Path]:
    """Remove the temporary folders of :func:`atomic_output_dir` in ``folder`` (``.*.tmp``)
    left by killed runs: older than ``age`` seconds and not locked by a running one.
    Returns the folders removed."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    now = _dt.datetime.now().timestamp()
    removed = []
    for entry in folder.iterdir():
        if not (entry.name.startswith(".") and entry.name.endswith(".tmp")):
            continue
        if entry.is_symlink() or not entry.is_dir() or now - entry.lstat().st_mtime < age:
            continue
        lock = _lock_dir(entry, wait=False)
        if lock is None and _can_lock():
            continue  # a running process holds it
        try:
            shutil.rmtree(entry, ignore_errors=True)
        finally:
            if lock is not None:
                os.close(lock)
        removed.append(entry)
    return removed


def _can_lock() -> bool:
    try:
        import fcntl  # noqa: F401  (POSIX only)
    except ImportError:  # pragma: no cover - Windows: age alone decides
        return False
    return True


def _lock_dir(path: Path, *, wait: bool = True) -> int | None:
    """An exclusive ``flock`` on the folder (its open descriptor, to ``os.close``);
    ``None`` without ``fcntl`` or, with ``wait=False``, when another process holds it."""
    if not _can_lock():  # pragma: no cover - Windows
        return None
    import fcntl

    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except OSError:
        os.close(fd)
        return None
    return fd


@contextlib.contextmanager
def atomic_write_path(final: str | Path, *, overwrite: bool = False) -> Iterator[Path]:
    """Yield a temporary file path next to ``final`` (same suffix); move it into place on
    success, delete it on failure. For libraries that write to a path (openpyxl).

    An existing ``final`` is never replaced unless ``overwrite=True``: the move raises
    :class:`FileExistsError` (checked atomically with a hard link where the file system
    has them). The file gets the user's umask (``0644`` for the usual ``022``), not the
    ``0600`` of a temporary file; a replaced file keeps its own permissions.
    """
    final = Path(final)
    if not overwrite and _exists(final):
        raise _exists_error(final)
    created = _make_parents(final.parent)
    fd, name = tempfile.mkstemp(prefix=f".{final.stem}.", suffix=final.suffix, dir=final.parent)
    os.close(fd)
    os.chmod(name, 0o666 & ~_umask())  # mkstemp makes 0600: readable as the umask allows
    tmp = Path(name)
    try:
        yield tmp
        _publish(tmp, final, overwrite=overwrite)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        _remove_empty(created)
        raise


def atomic_write_bytes(path: str | Path, data: bytes, *, overwrite: bool = False) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file in the same folder, fsync,
    rename); an existing file only with ``overwrite=True`` (see :func:`atomic_write_path`)."""
    path = Path(path)
    with atomic_write_path(path, overwrite=overwrite) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    return path


def atomic_write_text(
    path: str | Path, text: str, *, encoding: str = "utf-8", overwrite: bool = False
) -> Path:
    """Write ``text`` to ``path`` atomically (see :func:`atomic_write_bytes`)."""
    return atomic_write_bytes(path, text.encode(encoding), overwrite=overwrite)


def _umask() -> int:
    """The process's umask (read by setting it and putting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _exists(path: Path) -> bool:
    return path.exists() or path.is_symlink()


def _exists_error(path: Path) -> FileExistsError:
    return FileExistsError(
        errno.EEXIST,
        "输出文件已存在，不会覆盖 / output file exists and is not overwritten",
        str(path),
    )


def _publish(tmp: Path, final: Path, *, overwrite: bool) -> None:
    """Move a finished temporary file to ``final`` with the right permissions."""
    if overwrite and final.exists():
        os.chmod(tmp, stat.S_IMODE(final.stat().st_mode))
        os.replace(tmp, final)
        return
    os.chmod(tmp, 0o666 & ~_umask())
    if overwrite:
        os.replace(tmp, final)
        return
    try:
        os.link(tmp, final)  # fails if final appeared meanwhile: never clobbers
    except FileExistsError:
        raise _exists_error(final) from None
    except OSError:  # no hard links on this file system
        if _exists(final):
            raise _exists_error(final) from None
        os.replace(tmp, final)
        return
    tmp.unlink()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _make_parents(folder: Path) -> list[Path]:
    missing = []
    cur = folder
    while not cur.exists():
        missing.append(cur)
        if cur.parent == cur:
            break
        cur = cur.parent
    folder.mkdir(parents=True, exist_ok=True)
    return missing  # deepest first


def _remove_empty(folders: Sequence[Path]) -> None:
    for f in folders:
        with contextlib.suppress(OSError):
            f.rmdir()


def file_sha256(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes (read in 1 MiB chunks)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# ------------------------------------------------------ spreadsheet safety
def is_formula_like(value: Any) -> bool:
    """True for text a spreadsheet would evaluate: starts with =, +, -, @, tab or CR."""
    return isinstance(value, str) and value.startswith(_FORMULA_START)


def excel_safe(value: Any) -> Any:
    """A value ready for an openpyxl cell: NumPy scalars → Python, NaN/NA → None,
    timestamps → datetime, characters XML forbids removed from text.

    Text that looks like a formula is returned unchanged; write it with
    :func:`write_cell`, which stores it as text (``data_type "s"``, quote prefix) so it
    is never evaluated.
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, float) and math.isinf(value):
        return str(value)
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, str | int | float | bool | _dt.date | _dt.time):
        return _ILLEGAL_XML.sub("", value) if isinstance(value, str) else value
    return _ILLEGAL_XML.sub("", str(value))


def write_cell(ws: Worksheet, row: int, column: int, value: Any) -> Cell:
    """Set one cell through :func:`excel_safe`; formula-like text stays text."""
    value = excel_safe(value)
    cell = ws.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if is_formula_like(value):
            cell.quotePrefix = True
    return cell


def excel_cell(ws: Any, value: Any) -> Cell:
    """A cell for a write-only worksheet (``ws.append([...])``), made safe as in
    :func:`write_cell`."""
    from openpyxl.cell import WriteOnlyCell

    value = excel_safe(value)
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
        if is_formula_like(value):
            cell.quotePrefix = True
    return cell


def csv_safe(value: Any) -> Any:
    """For CSV files opened in Excel: formula-like text gets a leading apostrophe
    (OWASP CSV-injection advice); everything else is unchanged."""
    if is_formula_like(value):
        return "'" + value
    return value
