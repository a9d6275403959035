"""Declarative checks of iData against a framework (lazy, like pandera: every failure listed).

iData is COINr's layout: one row per unit (and period), columns ``uCode``,
optional ``uName``, ``uName_en`` (the unit's English name, used by English reports)
and ``Time``, the framework's group and denominator columns, then one column per
indicator.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import Problem, ProblemList, ValidationError
from .framework import Framework
from .params import MAX_MAGNITUDE

# The columns that identify a unit, not indicators: its code, Chinese (or only) name,
# English name and period.
ID_COLUMNS = ("uCode", "uName", "uName_en", "Time")


def validate_idata(
    framework: Framework, idata: pd.DataFrame, *, source: str = "iData"
) -> list[Problem]:
    """Every problem of ``idata`` for ``framework`` (see :func:`inspect_idata`); [] if valid."""
    return inspect_idata(framework, idata, source=source)[0]


def inspect_idata(
    framework: Framework, idata: pd.DataFrame, *, source: str = "iData"
) -> tuple[list[Problem], np.ndarray | None]:
    """Every problem of ``idata`` for ``framework``; an empty list when it is valid.

    Checks: ``uCode`` present and non-empty; no duplicate unit (per period when
    there is a ``Time`` column); every indicator and needed denominator column
    present; no unknown column; every indicator and denominator cell numeric;
    no indicator without any data. Also returns the indicator and denominator
    columns (in ``idata`` order) as one float matrix, or None when columns are missing.
    """
    problems = ProblemList()
    cols = idata.columns.tolist()
    known = set(ID_COLUMNS) | {g.code for g in framework.groups}
    known |= {d.code for d in framework.denominators} | set(framework.indicators)
    if "uCode" not in cols:
        problems.add("required column is missing", source=source, column="uCode")
    for c in cols:
        if str(c) not in known:
            problems.add(
                "unknown column: not an indicator, group or denominator of the framework",
                source=source,
                column=c,
            )
    for dup in {c for c in cols if cols.count(c) > 1}:
        problems.add("duplicate column", source=source, column=dup)
    for code in framework.indicators:
        if code not in cols:
            problems.add("required indicator column is missing", source=source, column=code)
    needed = {framework[c].denominator for c in framework.indicators if framework[c].denominator}
    for d in sorted(needed):
        if d not in cols:
            problems.add("denominator column is missing", source=source, column=d)
    complete = not problems
    if "uCode" not in cols:
        return list(problems), None
    # go on checking rows and cells on the first copy of each known column
    if idata.columns.has_duplicates:
        idata = idata.loc[:, ~idata.columns.duplicated()]
        cols = idata.columns.tolist()
    codes = idata["uCode"]
    text = codes.astype(str)
    blank = pd.Series(_blank(codes), index=codes.index)
    for i in np.flatnonzero(blank.to_numpy()):
        problems.add("uCode is empty", source=source, row=_row(i), column="uCode")
    if text.is_unique:  # no code twice: no unit twice, in any period
        dups = np.zeros(len(text), dtype=bool)
    else:
        key = text if "Time" not in cols else text + " / " + idata["Time"].astype(str)
        dups = key.duplicated(keep=False).to_numpy() & ~blank.to_numpy()
    if dups.any():
        for value in sorted(set(key[dups])):
            rows = ", ".join(_row(i) for i in np.flatnonzero((key == value).to_numpy()))
            problems.add(
                "duplicate unit row" + (" for this period" if "Time" in cols else ""),
                source=source,
                row=rows,
                column="uCode",
                value=value,
            )
    _check_unit_codes(framework, text, ~blank.to_numpy(), source, problems)
    wanted = set(framework.indicators) | needed
    numeric_cols = [c for c in cols if c in wanted]
    dtypes = dict(zip(cols, idata.dtypes.tolist(), strict=True))
    for c in numeric_cols:
        if pd.api.types.is_numeric_dtype(dtypes[c]):
            continue
        raw = idata[c]
        num = pd.to_numeric(raw, errors="coerce")
        bad = num.isna() & raw.notna() & ~raw.astype(str).str.strip().isin(["", "nan", "NaN"])
        for i in np.flatnonzero(bad.to_numpy()):
            problems.add(
                "expected a number", source=source, row=_unit(idata, i), column=c, value=raw.iloc[i]
            )
    values = to_numeric_block(idata, numeric_cols)
    for j in np.flatnonzero(np.all(np.isnan(values), axis=0)):
        if numeric_cols[j] in framework.indicators:
            problems.add("indicator has no data", source=source, column=numeric_cols[j])
    for i, j in zip(*np.nonzero(np.isinf(values)), strict=True):
        problems.add(
            "value is infinite", source=source, row=_unit(idata, i), column=numeric_cols[j]
        )
    with np.errstate(invalid="ignore"):
        huge = np.isfinite(values) & (np.abs(values) > MAX_MAGNITUDE)
    for i, j in zip(*np.nonzero(huge), strict=True):
        problems.add(
            f"数值的绝对值超过 {MAX_MAGNITUDE:g}，无法安全计算；"
            "请换用更大的计量单位（如万元、亿元） / "
            f"value beyond ±{MAX_MAGNITUDE:g}: it cannot be normalised or aggregated safely; "
            "give it in a larger unit (e.g. 10,000 or 100 million yuan)",
            source=source,
            row=_unit(idata, i),
            column=numeric_cols[j],
            value=values[i, j],
        )
    return list(problems), (values if complete else None)


def _check_unit_codes(
    framework: Framework, codes: pd.Series, valid: np.ndarray, source: str, problems: ProblemList
) -> None:
    """One unit under two spellings of its code (``SH01``/``sh01``/``ＳＨ01``), and codes
    outside the framework's ``expected_units`` (:mod:`integrity_eval.unitcodes`).
    :func:`~integrity_eval.idata.read_idata` reconciles the spellings of a file; a DataFrame
    is not changed, only checked."""
    from .unitcodes import code_key

    codes = codes.reset_index(drop=True)[valid]
    key_of = {code: code_key(code) for code in dict.fromkeys(codes.tolist())}
    if len(set(key_of.values())) < len(key_of):  # some key written more than one way
        _check_spellings(codes, codes.map(key_of), source, problems)
    expected = {u.code for u in framework.expected_units}
    if expected:
        for code in key_of:
            if code not in expected:
                problems.add(
                    "单位代码不在框架的被评价单位名单中 / unit code is not one of the "
                    "framework's expected units",
                    source=source,
                    row=", ".join(_row(i) for i in codes.index[codes == code]),
                    column="uCode",
                    value=code,
                )


def _check_spellings(codes: pd.Series, keys: pd.Series, source: str, problems: ProblemList) -> None:
    """One problem per unit whose code (``codes``, by row) is spelt several ways: the same
    comparison key (``keys``) under different codes."""
    spelt = pd.DataFrame({"key": keys, "code": codes}).drop_duplicates()["key"]
    several = keys.isin(spelt[spelt.duplicated()])
    for _key, grp in codes[several].groupby(keys[several], sort=False):
        spellings = list(dict.fromkeys(grp))
        if len(spellings) > 1:
            rows = ", ".join(_row(i) for i in grp.index)
            problems.add(
                "同一单位的代码有不同写法（大小写、全角、空格）；用 ie.read_idata 读取文件可自动"
                "统一，或改正代码 / one unit under different spellings of its code (case, "
                "full-width, spaces); ie.read_idata reconciles them in a file, or fix the codes",
                source=source,
                row=rows,
                column="uCode",
                value=", ".join(spellings),
            )


def check_idata(framework: Framework, idata: pd.DataFrame, *, source: str = "iData") -> np.ndarray:
    """Raise one :class:`ValidationError` listing every problem of ``idata``.

    Returns the numeric block of :func:`inspect_idata` when there is none.
    """
    problems, values = inspect_idata(framework, idata, source=source)
    if problems:
        raise ValidationError(
            problems, title=f"{source} does not fit framework {framework.name or '(unnamed)'}"
        )
    return values


def to_numeric_block(idata: pd.DataFrame, cols: list[str]) -> np.ndarray:
    """The columns as one float matrix; non-numeric cells become NaN (validate them first).
    ``cols`` are column names that occur once in ``idata``. Columns are taken by position:
    selecting them by a list of names costs pandas more than the conversion itself on a
    small table."""
    names = idata.columns.tolist()
    where = {c: i for i, c in enumerate(names)}
    block = idata.take([where[c] for c in cols], axis=1)
    dtypes = dict(zip(names, idata.dtypes.tolist(), strict=True))
    if all(dtypes[c].kind in "fiub" for c in cols):
        return block.to_numpy(dtype=float, na_value=np.nan)
    return block.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def numeric_frame(
    frame: pd.DataFrame, *, source: str, rule: str, problems: ProblemList
) -> pd.DataFrame:
    """``frame`` as floats; every non-empty cell that is not a number is added to
    ``problems`` (``rule``, ``source``, the row's index label, the column, the value)."""
    numeric = frame.apply(pd.to_numeric, errors="coerce").astype(float)
    for col in frame.columns:
        bad = numeric[col].isna() & frame[col].notna()
        for row in frame.index[bad]:
            problems.add(rule, source=source, row=row, column=col, value=frame.at[row, col])
    return numeric


def _blank(codes: pd.Series) -> np.ndarray:
    """Which cells of ``codes`` are missing or only white space (Python's
    :meth:`str.strip`), one flag per row: NumPy's string functions, as pandas' string
    methods cost more than the whole check on a table of a few dozen units."""
    text = codes.to_numpy(dtype=object)
    missing = pd.isna(text)
    stripped = np.char.strip(np.where(missing, "", text).astype(str))
    return missing | (np.char.str_len(stripped) == 0)


def _row(i: int) -> str:
    return f"{i + 1}"


def _unit(idata: pd.DataFrame, i: int) -> str:
    code = idata["uCode"].iloc[i]
    time = f" {idata['Time'].iloc[i]}" if "Time" in idata.columns else ""
    return f"{code}{time} (row {i + 1})"
