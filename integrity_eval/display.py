"""How result objects show themselves: a short ``repr``, a text and HTML ``summary()``.

Modelled on statsmodels' results (``summary()`` prints a readable overview and renders
as HTML in Jupyter) and on pandas' truncated tables. A result class inherits
:class:`Displayable` and says what it is in :meth:`~Displayable._headline` and
:meth:`~Displayable.summary`; ``repr()`` stays one line, Jupyter shows the summary.
"""

from __future__ import annotations

import html
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Sequence

import pandas as pd

__all__ = ["Displayable", "Summary"]

#: Rows of a table shown before it is cut (head and tail, as pandas does).
MAX_ROWS = 12


def _width(text: str) -> int:
    """Display width in a terminal: Chinese characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _number(v: float) -> str:
    return f"{v:.4g}"


class Summary:
    """A titled overview: facts (label, value) and named tables; text when printed,
    HTML in Jupyter. ``tables`` pairs a caption with a DataFrame or Series (cut to
    :data:`MAX_ROWS` rows for display; the full tables stay on the result object)."""

    def __init__(
        self,
        title: str,
        facts: Sequence[tuple[str, object]] = (),
        tables: Sequence[tuple[str, pd.DataFrame | pd.Series]] = (),
    ):
        self.title = title
        self.facts = [(str(k), str(v)) for k, v in facts]
        self.tables = [(c, t.to_frame() if isinstance(t, pd.Series) else t) for c, t in tables]

    def __str__(self) -> str:
        lines = [self.title, "=" * max(20, min(_width(self.title), 78))]
        if self.facts:
            width = max(_width(k) for k, _ in self.facts)
            lines += [f"{k}{' ' * (width - _width(k))}  {v}" for k, v in self.facts]
        for caption, table in self.tables:
            with pd.option_context("display.unicode.east_asian_width", True):
                text = table.to_string(max_rows=MAX_ROWS, float_format=_number)
            lines += ["", f"{caption}:", text]
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        esc = html.escape
        out = f"<h4>{esc(self.title)}</h4>"
        if self.facts:
            rows = "".join(
                f"<tr><th style='text-align:left'>{esc(k)}</th><td style='text-align:left'>"
                f"{esc(v)}</td></tr>"
                for k, v in self.facts
            )
            out += f"<table>{rows}</table>"
        for caption, table in self.tables:
            out += f"<p><b>{esc(caption)}</b></p>"
            out += table.to_html(max_rows=MAX_ROWS, float_format=_number, escape=True)
        return out


class Displayable(ABC):
    """Base of result objects: one-line ``repr``, ``summary()`` in Jupyter.

    Subclasses define ``_headline()`` (the text inside ``<ClassName …>``) and
    ``summary()`` (a :class:`Summary`). Dataclasses using it need ``repr=False``.
    """

    @abstractmethod
    def _headline(self) -> str: ...

    @abstractmethod
    def summary(self) -> Summary:
        """Text and HTML overview of the result."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._headline()}>"

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()
