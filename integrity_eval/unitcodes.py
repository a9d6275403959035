"""Unit codes as reporting units type them: reconcile the unambiguous variants, report the rest.

Departments fill in the same workbook separately, so one district arrives as ``SH01``,
``sh01``, ``ＳＨ０１`` (full-width) and ``SH 01``. Those spellings are one unit: they agree
once the text is NFKC-normalised (full-width → ASCII), stripped of every space and
case-folded (:func:`code_key`), and :func:`reconcile_codes` maps them to one code: the
expected unit's code when the framework or the template lists the units, else the
spelling used most often (the first seen on a tie). Every such change is returned in a
``reconciled`` table so the user can see it.

Everything else is a problem, never a silent fix and never a second, partly filled unit:

* a code outside the expected units (when they are known), with the expected unit its
  ``uName`` belongs to or the closest code as a hint;
* a code whose variants match two expected codes (``A1`` and ``a1`` both expected);
* one unit name under two codes (``黄浦区`` as ``SH01`` in one sheet and ``SH10`` in another);
* a code whose ``uName`` is the name of another expected unit.

Expected units without any data are returned in a ``missing`` table: they are listed,
not invented.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .errors import Problem

__all__ = [
    "ENTRY_COLUMNS",
    "Reconciliation",
    "UnitCodeNotes",
    "code_key",
    "entries_table",
    "expected_table",
    "name_key",
    "reconcile_codes",
]

# What reconcile_codes reads: one row per data row that carries a unit code.
ENTRY_COLUMNS = ("source", "row", "found", "uName")
RECONCILED_COLUMNS = ["source", "row", "found", "uCode", "reason"]


def _nfkc(text: Any) -> str:
    return unicodedata.normalize("NFKC", str(text))


def code_key(code: Any) -> str:
    """The comparison key of a unit code: NFKC (full-width → ASCII), no spaces, case-folded."""
    return "".join(_nfkc(code).split()).casefold()


def name_key(name: Any) -> str:
    """The comparison key of a unit name: NFKC, no spaces (names keep their case)."""
    if name is None or (isinstance(name, float) and name != name):
        return ""
    return "".join(_nfkc(name).split())


def expected_table(units: Any) -> pd.DataFrame | None:
    """Expected units as a table ``uCode``, ``uName`` (str), or None when none are given.

    Accepts a DataFrame with a ``uCode`` column (``uName`` optional), a sequence of
    ``(code, name)`` pairs or of codes, or a mapping code → name.
    """
    if units is None:
        return None
    if isinstance(units, pd.DataFrame):
        df = units.reset_index() if "uCode" not in units.columns else units
        names = df["uName"] if "uName" in df.columns else [""] * len(df)
        pairs = list(zip(df["uCode"], names, strict=True))
    elif isinstance(units, Mapping):
        pairs = list(units.items())
    else:
        pairs = [u if isinstance(u, tuple | list) else (u, "") for u in units]
    rows = [
        (_nfkc(c).strip(), "" if n is None or n != n else str(n).strip())
        for c, n in pairs
        if c is not None and str(c).strip()
    ]
    if not rows:
        return None
    return pd.DataFrame(rows, columns=["uCode", "uName"])


@dataclass
class Reconciliation:
    """The outcome of :func:`reconcile_codes`.

    ``codes``: the code to use for each entry (same index; None where a problem stands);
    ``reconciled``: entries whose code was changed (source, row, found, uCode, reason);
    ``missing``: expected units with no entry (uCode, uName); ``problems``: the rest.
    """

    codes: pd.Series
    reconciled: pd.DataFrame
    missing: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True, eq=False)
class UnitCodeNotes:
    """What :func:`~integrity_eval.idata.read_idata` did with the unit codes of a file.

    Kept in ``df.attrs["unit_codes"]``. ``reconciled``: codes typed differently and
    unified (``source``, ``row``, ``found``, ``uCode``, ``reason``); ``missing``: expected
    units without any data (``uCode``, ``uName``). Two notes are equal when their tables
    are, so pandas keeps them through ``concat`` of frames read from the same file.
    """

    reconciled: pd.DataFrame
    missing: pd.DataFrame

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, UnitCodeNotes)
            and self.reconciled.equals(other.reconciled)
            and self.missing.equals(other.missing)
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"<UnitCodeNotes: {len(self.reconciled)} code(s) reconciled, "
            f"{len(self.missing)} expected unit(s) without data>"
        )

    def _repr_html_(self) -> str:
        out = (
            f"<p>单位代码：已统一 {len(self.reconciled)} 处，{len(self.missing)} 个被评价单位无数据"
            f" / unit codes: {len(self.reconciled)} reconciled, {len(self.missing)} expected "
            "unit(s) without data</p>"
        )
        for table in (self.reconciled, self.missing):
            if len(table):
                out += table.to_html(index=False, escape=True)
        return out


def reconcile_codes(entries: pd.DataFrame, expected: pd.DataFrame | None = None) -> Reconciliation:
    """Map every entry's unit code to one code per unit; list what changed and what is wrong.

    ``entries`` has the columns of :data:`ENTRY_COLUMNS`: where the row is (``source``,
    ``row``), the code as typed (``found``) and the unit name given on that row (``uName``,
    may be empty). ``expected`` (``uCode``, ``uName``; see :func:`expected_table`) lists
    the units the evaluation covers, when known.
    """
    entries = entries.reset_index(drop=True)
    found = entries["found"].astype(str)
    typed = found.map(lambda s: _nfkc(s).strip())
    keys = found.map(code_key)
    if "uName" in entries.columns:
        names = entries["uName"].map(name_key)
    else:
        names = pd.Series("", index=entries.index)
    if expected is None:
        codes = _most_used_spelling(typed, keys)
        problems = _names_under_two_codes(entries, codes, names)
    else:
        codes, problems = _match_expected(entries, typed, keys, names, expected)
    changed = codes.notna() & (found != codes)
    reconciled = pd.DataFrame(
        {"source": entries["source"], "row": entries["row"], "found": found, "uCode": codes}
    )[changed].reset_index(drop=True)
    reconciled["reason"] = [
        _reason(f, c) for f, c in zip(reconciled["found"], reconciled["uCode"], strict=True)
    ]
    if expected is None:
        missing = pd.DataFrame(columns=["uCode", "uName"])
    else:
        missing = expected[~expected["uCode"].isin(set(codes.dropna()))].reset_index(drop=True)
    return Reconciliation(
        codes=codes.astype(object).where(codes.notna(), None),
        reconciled=reconciled[RECONCILED_COLUMNS],
        missing=missing,
        problems=problems,
    )


def _most_used_spelling(typed: pd.Series, keys: pd.Series) -> pd.Series:
    """Without a list of units: each key's most used spelling (the first seen on a tie)."""
    counts = typed.groupby([keys, typed], sort=False).size()
    best = counts.groupby(level=0, sort=False).idxmax()
    return keys.map({key: spelling for key, spelling in best.to_numpy()})


def _match_expected(
    entries: pd.DataFrame,
    typed: pd.Series,
    keys: pd.Series,
    names: pd.Series,
    expected: pd.DataFrame,
) -> tuple[pd.Series, list[Problem]]:
    """With a list of units: the listed code of each entry, and the problems."""
    listed = list(expected["uCode"])
    by_key: dict[str, list[str]] = {}
    for code in listed:
        by_key.setdefault(code_key(code), []).append(code)
    codes = keys.map({k: v[0] for k, v in by_key.items() if len(v) == 1}).astype(object)
    exact = codes.isna() & typed.isin(listed)  # A1 and a1 both listed: the exact one
    codes[exact] = typed[exact]
    problems: list[Problem] = []
    name_owner = {name_key(n): c for c, n in zip(listed, expected["uName"], strict=True)}
    name_owner.pop("", None)
    for key, sel in keys[codes.isna()].groupby(keys[codes.isna()], sort=False).groups.items():
        candidates = by_key.get(key, [])
        if candidates:
            rule = (
                f"单位代码有歧义：可能是 {'、'.join(candidates)} / ambiguous unit code: "
                f"could be {', '.join(candidates)}"
            )
        else:
            owners = {name_owner.get(n) for n in names[sel]} - {None}
            hint_zh = hint_en = ""
            if len(owners) == 1:
                owner = owners.pop()
                hint_zh, hint_en = f"；单位名称属于 {owner}", f"; its uName belongs to unit {owner}"
            elif close := difflib.get_close_matches(typed[sel[0]], listed, n=1):
                hint_zh, hint_en = f"；是否应为 {close[0]}？", f"; did you mean {close[0]}?"
            rule = (
                f"单位代码不在被评价单位名单中{hint_zh} / unit code is not one of the "
                f"expected units{hint_en}"
            )
        source, rows = _where(entries.loc[sel])
        problems.append(
            Problem(
                rule=rule,
                source=source,
                row=rows,
                column="uCode",
                value=entries.at[sel[0], "found"],
            )
        )
    # a uName that is the name of another listed unit
    own_name = codes.map(dict(zip(listed, expected["uName"].map(name_key), strict=True)))
    owner = names.map(name_owner)
    wrong = codes.notna() & owner.notna() & (owner != codes) & (own_name != names)
    for i in np.flatnonzero(wrong.to_numpy()):
        code, other, shown = codes[i], owner[i], own_name[i] or "—"
        problems.append(
            Problem(
                rule=f"单位名称属于另一个单位 {other}（本代码 {code} 的名称为“{shown}”）/ "
                f"uName belongs to another unit, {other} (unit {code} is “{shown}”)",
                source=str(entries.at[i, "source"]),
                row=str(entries.at[i, "row"]),
                column="uName",
                value=str(entries.at[i, "uName"]),
            )
        )
    return codes, problems


def _names_under_two_codes(
    entries: pd.DataFrame, codes: pd.Series, names: pd.Series
) -> list[Problem]:
    """One problem per unit name that appears under two or more codes."""
    problems: list[Problem] = []
    named = pd.DataFrame({"code": codes, "name": names})
    named = named[named["code"].notna() & (named["name"] != "")]
    for _name, grp in named.groupby("name", sort=False):
        distinct = list(dict.fromkeys(grp["code"]))
        if len(distinct) < 2:
            continue
        firsts = [grp.index[grp["code"] == c][0] for c in distinct]
        seen = "、".join(f"{c}（{_at(entries, i)}）" for c, i in zip(distinct, firsts, strict=True))
        seen_en = ", ".join(
            f"{c} ({_at(entries, i)})" for c, i in zip(distinct, firsts, strict=True)
        )
        i = firsts[1]
        problems.append(
            Problem(
                rule=f"同一单位名称出现在不同的单位代码下：{seen} / the same unit name appears "
                f"under different unit codes: {seen_en}",
                source=str(entries.at[i, "source"]),
                row=str(entries.at[i, "row"]),
                column="uCode",
                value=str(entries.at[i, "uName"]),
            )
        )
    return problems


def _reason(found: str, code: str) -> str:
    """What differed, bilingual: full-width characters, spaces, letter case."""
    reasons = []
    if _nfkc(found) != found:
        reasons.append("全角字符 / full-width characters")
    if "".join(found.split()) != found or "\u3000" in found:
        reasons.append("多余空格 / stray spaces")
    if "".join(_nfkc(found).split()) != code:
        reasons.append("大小写 / letter case")
    return "; ".join(reasons)


def _where(sel: pd.DataFrame) -> tuple[str, str]:
    """(source, rows) of entries: one source when they share it, rows listed."""
    sources = list(dict.fromkeys(sel["source"].astype(str)))
    if len(sources) == 1:
        return sources[0], ", ".join(str(r) for r in sel["row"])
    return "; ".join(sources), ", ".join(
        f"{s} {r}" for s, r in zip(sel["source"], sel["row"], strict=True)
    )


def _at(entries: pd.DataFrame, i: Any) -> str:
    return f"{entries.at[i, 'source']} 行/row {entries.at[i, 'row']}"


def entries_table(rows: Sequence[tuple[str, Any, str, Any]]) -> pd.DataFrame:
    """Entries for :func:`reconcile_codes` from ``(source, row, found, uName)`` tuples."""
    return pd.DataFrame(list(rows), columns=list(ENTRY_COLUMNS))
