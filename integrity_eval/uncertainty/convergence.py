"""Convergence of an uncertainty or sensitivity analysis: its statistics against the sample size.

A result is recomputed on the first ``n'`` replications (Monte Carlo) or base rows
(Sobol) of the same run — no model runs again — so a reader sees whether the
statistics have settled: Sobol indices and their bootstrap interval widths (which
shrink about as 1/√n), rank quantiles and the average rank shift R̄_S. Saltelli et
al. (2010), *Comput. Phys. Commun.* 181, 259–270, §4, plot their estimators this way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..display import Displayable, Summary
from ..errors import problem_error

__all__ = ["Convergence", "sample_sizes"]


@dataclass(frozen=True, repr=False)
class Convergence(Displayable):
    """Statistics against the sample size.

    ``table``: for ``kind="sobol"``, by (n, input): S1, S1_conf, ST, ST_conf (means over
    the outputs); for ``kind="montecarlo"``, by n: R̄_S, the mean 5–95 % rank interval
    width, and the largest change of any unit's median, 5th and 95th percentile rank
    against the full run.
    """

    table: pd.DataFrame
    kind: str
    n_inputs: int = 0
    conf_level: float = 0.95

    def _headline(self) -> str:
        sizes = self.table.index.get_level_values("n").unique()
        return f"{self.kind}, n = {', '.join(map(str, sizes))}"

    def summary(self) -> Summary:
        title = {
            "sobol": "Sobol 指数的收敛 / Convergence of the Sobol indices",
            "montecarlo": "蒙特卡洛统计量的收敛 / Convergence of the Monte Carlo statistics",
        }[self.kind]
        return Summary(title, [("CI", f"{self.conf_level:.0%}")], [("", self.table)])

    def plot(self, *, ax: Any = None, lang: str = "zh", font: Any = None) -> Any:
        """The statistics against n (log scale): Sobol ST (solid) and S1 (dashed) per input
        with their confidence bands; Monte Carlo R̄_S, interval width and the largest
        quantile changes. Titled, Chinese / English (``lang="en"``: English only)."""
        from .plots import convergence_lines

        return convergence_lines(self, ax=ax, lang=lang, font=font)


def sample_sizes(n: int, sizes: Sequence[int] | None) -> list[int]:
    """Base sample sizes for a convergence study: n/2^k ≥ 8, ascending, or those given."""
    if sizes is None:
        out, size = [], n
        while size >= 8:
            out.append(size)
            size //= 2
        return sorted(out)
    bad = [s for s in sizes if not (isinstance(s, int | np.integer) and 2 <= s <= n)]
    if bad:
        raise problem_error(
            f"sizes 须为 2 到 {n} 之间的整数 / sizes must be whole numbers from 2 to {n}",
            "invalid option",
            source="sizes",
            value=bad,
        )
    return sorted(set(int(s) for s in sizes))
