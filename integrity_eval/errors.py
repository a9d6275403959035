"""One error type that lists every problem at once (after pandera's lazy validation).

Every check in the kit collects :class:`Problem` records and raises a single
:class:`ValidationError` at the end, so a user fixing an input file sees all of
its faults in one pass instead of one per run.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import asdict, dataclass

import pandas as pd


@dataclass(frozen=True)
class Problem:
    """One failed rule: where it happened, what was found, what was expected.

    ``source`` names the file or object (``"iData"``, ``"framework"``, a path),
    ``row`` the unit code or row number, ``column`` the indicator or column,
    ``value`` the offending value, ``rule`` what was expected.
    """

    rule: str
    source: str = ""
    row: str = ""
    column: str = ""
    value: str = ""

    def __str__(self) -> str:
        where = ", ".join(
            f"{label} {text}"
            for label, text in (
                ("", self.source),
                ("row", self.row),
                ("column", self.column),
            )
            if text
        ).strip()
        value = f" (value {self.value!r})" if self.value != "" else ""
        return f"{where}: {self.rule}{value}" if where else f"{self.rule}{value}"


class ValidationError(ValueError):
    """Raised with the full list of problems found in an input.

    ``problems`` is the list of :class:`Problem`; :meth:`to_frame` gives them as
    a table (one row per problem) for display in a notebook or export.
    """

    def __init__(self, problems: Iterable[Problem], title: str = "invalid input"):
        self.problems: list[Problem] = list(problems)
        self.title = title
        lines = [f"{title}: {len(self.problems)} problem(s)"]
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))

    def to_frame(self) -> pd.DataFrame:
        """The problems as a DataFrame with columns source, row, column, value, rule."""
        cols = ["source", "row", "column", "value", "rule"]
        return pd.DataFrame([asdict(p) for p in self.problems], columns=cols)


class ProblemList(list):
    """A list of :class:`Problem` with a helper to raise them all at once."""

    def add(self, rule: str, **where: object) -> None:
        self.append(Problem(rule=rule, **{k: _text(v) for k, v in where.items()}))

    def raise_if_any(self, title: str = "invalid input") -> None:
        if self:
            raise ValidationError(self, title=title)


def _text(value: object) -> str:
    if value is None:
        return ""
    return str(value)


def suggest(key: object, allowed: Iterable[object]) -> str:
    """``key`` with a "did you mean" hint when an allowed name is close to it."""
    close = difflib.get_close_matches(str(key), [str(a) for a in allowed], n=1)
    return f"{key} (did you mean '{close[0]}'?)" if close else str(key)


def report_unknown(
    keys: Iterable[object],
    allowed: Iterable[object],
    problems: ProblemList,
    *,
    what: str = "key",
    prefix: str = "",
    **where: object,
) -> None:
    """Record every key not in ``allowed``, with the allowed names and a suggestion."""
    allowed = sorted(map(str, allowed))
    for key in keys:
        if str(key) not in allowed:
            problems.add(
                f"unknown {what}; expected one of {allowed}",
                column=f"{prefix}{key}",
                value=suggest(key, allowed),
                **where,
            )
