"""Progress bars: shown on a terminal only, never in logs, CI or papermill.

One helper for every long loop of the package (chunks of Monte Carlo draws,
record files, per-unit reports), so all bars behave alike: on ``stderr``, only
when ``stderr`` is a terminal, removed when done (``leave=False``) so they never
interleave with the result or an error message. tqdm's own environment switch
(``TQDM_DISABLE=1``) still hides them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from typing import Any

from tqdm.auto import tqdm

__all__ = ["note", "progress", "shown"]


def shown(quiet: bool = False) -> bool:
    """Whether a bar would be drawn: not ``quiet``, stderr a terminal, TQDM_DISABLE unset."""
    if quiet or os.environ.get("TQDM_DISABLE", "").strip().lower() in {"1", "true", "yes"}:
        return False
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(isatty and isatty())


def progress(
    iterable: Iterable[Any] | None = None,
    *,
    total: int | None = None,
    desc: str | None = None,
    unit: str = "it",
    quiet: bool = False,
) -> tqdm:
    """A ``tqdm`` bar over ``iterable`` (or manual, with ``total``); drawn only if :func:`shown`."""
    return tqdm(
        iterable,
        total=total,
        desc=desc,
        unit=unit,
        file=sys.stderr,
        leave=False,
        disable=not shown(quiet),
    )


def note(text: str) -> None:
    """Write one line to ``stderr`` without breaking a bar: the bar is erased, the line
    written, the bar redrawn below it (``tqdm.write``)."""
    tqdm.write(text, file=sys.stderr)
