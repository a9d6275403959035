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

import pandas as pd

from .errors import Problem

__all__ = [
    "ENTRY_COLUMNS",
    "Reconciliation",
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


def reconcile_codes(entries: pd.DataFrame, expected: pd.DataFrame | None = None) -> Reconciliation:
    """Map every entry's unit code to one code per unit; list what changed and what is wrong.

    ``entries`` has the columns of :data:`ENTRY_COLUMNS`: where the row is (``source``,
    ``row``), the code as typed (``found``) and the unit name given on that row (``uName``,
    may be empty). ``expected`` (``uCode``, ``uName``; see :func:`expected_table`) lists
    the units the evaluation covers, when known.
    """
    found = entries["found"].astype(str)
    keys = found.map(code_key)
    names = entries["uName"].map(name_key) if "uName" in entries.columns else keys.map(lambda _: "")
    problems: list[Problem] = []
    canonical: dict[str, str | None] = {}
    if expected is not None:
        by_key: dict[str, list[str]] = {}
        for code in expected["uCode"]:
            by_key.setdefault(code_key(code), []).append(code)
        exp_names = {
            name_key(n): c for c, n in zip(expected["uCode"], expected["uName"], strict=True)
        }
        exp_names.pop("", None)
        exp_name_of = dict(zip(expected["uCode"], expected["uName"].map(name_key), strict=True))
    for key in dict.fromkeys(keys):
        if expected is None:
            spellings = found[keys == key].map(lambda s: _nfkc(s).strip())
            counts = spellings.value_counts(sort=False)
            canonical[key] = str(counts.idxmax())  # most used; the first seen on a tie
        else:
            canonical[key] = by_key[key][0] if len(by_key.get(key, [])) == 1 else None
    codes = keys.map(canonical).astype(object)
    codes = codes.where(codes.notna(), None)
    # expected list: codes outside it, ambiguous codes, names of other units
    if expected is not None:
        for key in dict.fromkeys(keys):
            if canonical[key] is not None:
                continue
            sel = keys == key
            candidates = by_key.get(key, [])
            if candidates:  # A1 and a1 both expected: only an exact spelling is safe
                typed = found.map(lambda s: _nfkc(s).strip())
                exact = sel & typed.isin(candidates)
                codes[exact] = typed[exact]
                sel = sel & ~exact
                if not sel.any():
                    continue
                rule = (
                    f"单位代码有歧义：可能是 {'、'.join(candidates)} / ambiguous unit code: "
                    f"could be {', '.join(candidates)}"
                )
            else:
                owner = {exp_names.get(n) for n in names[sel]} - {None}
                hint_zh = hint_en = ""
                if len(owner) == 1:
                    code = owner.pop()
                    hint_zh, hint_en = (
                        f"；单位名称属于 {code}",
                        f"; its uName belongs to unit {code}",
                    )
                else:
                    close = difflib.get_close_matches(
                        found[sel].iloc[0], list(expected["uCode"]), n=1
                    )
                    if close:
                        hint_zh, hint_en = f"；是否应为 {close[0]}？", f"; did you mean {close[0]}?"
                rule = (
                    f"单位代码不在被评价单位名单中{hint_zh} / unit code is not one of the "
                    f"expected units{hint_en}"
                )
            where = _where(entries[sel])
            problems.append(
                Problem(
                    rule=rule,
                    source=where[0],
                    row=where[1],
                    column="uCode",
                    value=found[sel].iloc[0],
                )
            )
        for i in entries.index:
            code, name = codes[i], names[i]
            if code is None or not name:
                continue
            owner = exp_names.get(name)
            if owner is not None and owner != code and exp_name_of.get(code) != name:
                problems.append(
                    Problem(
                        rule=f"单位名称属于另一个单位 {owner}（本代码 {code} 的名称为"
                        f"“{exp_name_of.get(code) or '—'}”）/ uName belongs to another unit, "
                        f"{owner} (unit {code} is “{exp_name_of.get(code) or '—'}”)",
                        source=str(entries.at[i, "source"]),
                        row=str(entries.at[i, "row"]),
                        column="uName",
                        value=str(entries.at[i, "uName"]),
                    )
                )
    else:  # no list of units: one unit name under two codes
        problems += _names_under_two_codes(entries, codes, names)
    reconciled = [
        (
            entries.at[i, "source"],
            entries.at[i, "row"],
            found[i],
            codes[i],
            _reason(found[i], codes[i]),
        )
        for i in entries.index
        if codes[i] is not None and found[i] != codes[i]
    ]
    present = set(codes.dropna())
    missing = (
        expected[~expected["uCode"].isin(present)].reset_index(drop=True)
        if expected is not None
        else pd.DataFrame(columns=["uCode", "uName"])
    )
    return Reconciliation(
        codes=codes.astype(object).where(codes.notna(), None),
        reconciled=pd.DataFrame(reconciled, columns=RECONCILED_COLUMNS),
        missing=missing,
        problems=problems,
    )


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
