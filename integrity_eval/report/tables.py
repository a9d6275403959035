"""Result tables shared by the CSV, Excel and HTML outputs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from ..evaluation import Evaluation

__all__ = ["dimension_codes", "league_table"]


def dimension_codes(ev: Evaluation) -> list[str]:
    """Codes of the level just below the root (the dimensions), in framework order."""
    fw = ev.framework
    return list(fw.children[fw.root])


def league_table(ev: Evaluation, *, lang: Literal["zh", "en"] = "zh") -> pd.DataFrame:
    """The league table: ``uCode, uName, score, rank``, then one column per dimension.

    Dimension columns are named by their codes and hold the aggregated scores. Every
    unit of the evaluated period appears; units without a score (screened out, no
    data) come last with empty score and rank. Sorted by rank, ties by ``uCode``.
    ``lang="en"`` uses the units' ``uName_en`` column when there is one.
    """
    units = ev.units
    codes = [str(c) for c in units.index]
    name_col = "uName_en" if lang == "en" and "uName_en" in units.columns else "uName"
    if name_col in units.columns:
        names = units[name_col].astype(object).where(units[name_col].notna(), None).tolist()
    else:
        names = codes
    score = ev.scores.reindex(units.index).astype(float).to_numpy()
    rank = ev.ranks.reindex(units.index).astype("Int64").to_numpy()
    out = pd.DataFrame({"uCode": codes, "uName": names, "score": score, "rank": rank})
    out["rank"] = out["rank"].astype("Int64")
    dims = dimension_codes(ev)
    agg = ev.get_dset("Aggregated").reindex(units.index)
    for code in dims:
        out[code] = agg[code].astype(float).to_numpy()
    out = out.sort_values(["rank", "uCode"], na_position="last", kind="stable")
    return out.reset_index(drop=True)
