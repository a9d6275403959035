r"""Seeded synthetic records (合成数据) consistent with the synthetic panels' latent integrity.

The shipped synthetic panels (:mod:`integrity_eval.synthetic`) give every unit a
latent integrity θ per year (higher = more trustworthy) and a size. This
generator draws records of every kind for the same units (or for any number of
generated units, from the same latent model), so that low-integrity units breach
more, keep fewer commitments, close fewer tickets on time and lose more cases.

Model (unit u, month m of year y, kind k; all records of a kind add up to its
share of ``rows`` exactly)::

    weight_{u,m,k} = E_u · exp(b_k · θ_{u,y}) · s_k(m) · G_{u,m,k}
    counts_k       ~ Multinomial(rows_k, weight_k / Σ weight_k)
    E_u            = (size_u / median size)^0.5          (as synthetic.py's exposure)
    G              ~ Gamma(shape 8, scale 1/8)           (unit-month over-dispersion)
    s_k(m)         = 1 + 0.15·cos(2π(m − 12)/12)         (more in December)

with ``b`` = −0.8 for breach records, cases and commitments (low θ, more
records), 0 for tickets and proposals (demand does not depend on integrity).
Within a record, θ moves the probabilities (logistic links, below): a serious
breach ``expit(−1.6 − 0.5θ)``, repair ``expit(0.2 + 0.6θ)·(0.6 general, 0.3
serious)``, a commitment kept on time ``expit(1.5 + 0.8θ)``, a ticket closed on
time ``expit(1.8 + 0.8θ)``, a satisfied caller ``expit(1.0 + 0.7θ)``, a case lost
or corrected ``expit(−1.8 − 0.7θ)``, a proposal handled on time ``expit(2.0 +
0.8θ)``. Exempt 3 %, objections 8 % (85 % closed, 30 % of those upheld),
mitigation 0.5 for 8 % of breach records.

Reproducibility: one :class:`numpy.random.SeedSequence` from ``seed``; one child
draws the counts, one child per (kind, block of 64 units × one year) draws the
fields. The Parquet files are written block by block (never all in memory),
and the numbers do not depend on ``chunk_rows``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from scipy.special import expit

from ..errors import ProblemList, problem_error, suggest
from ..framework import Framework, load_framework
from ..io import atomic_output_dir
from ..synthetic import DATASETS, dataset_panel, dataset_units, generate_panel

__all__ = [
    "KIND_SHARES",
    "SAMPLE",
    "SynthResult",
    "synth",
    "synth_frames",
    "synth_units",
    "write_sample",
]

#: Share of ``rows`` per record kind.
KIND_SHARES = {"breach": 0.4, "ticket": 0.4, "commitment": 0.1, "case": 0.05, "proposal": 0.05}
_THETA_EFFECT = {"breach": -0.8, "ticket": 0.0, "commitment": -0.8, "case": -0.8, "proposal": 0.0}
BLOCK_UNITS = 64
DEFAULT_YEARS = tuple(range(2020, 2025))


@dataclass(frozen=True)
class SynthResult:
    """What :func:`synth` wrote: the folder, rows per kind, the units and truth tables."""

    out: Path
    rows: Mapping[str, int]
    units: pd.DataFrame
    truth: pd.DataFrame

    def __repr__(self) -> str:
        rows = ", ".join(f"{k} {v:,}" for k, v in self.rows.items())
        return f"<SynthResult {self.out.name}: {rows} (合成数据 / synthetic)>"


def synth_units(
    framework: Framework | str,
    *,
    units: int | None = None,
    years: Sequence[int] | None = None,
    seed: int = 0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Units (uCode, uName, groups, size, denominators) and truth (uCode, Time, theta).

    ``units=None``: the bundled synthetic dataset of ``framework`` (same units,
    sizes and θ as ``datasets/<name>/…_truth_synthetic.csv``). A number: that many
    generated units, θ from :func:`integrity_eval.synthetic.generate_panel`.
    """
    fw = load_framework(framework)
    bundled = [k for k, spec in DATASETS.items() if spec.framework == fw.name]
    if units is None and bundled:
        name = bundled[0]
        panel = dataset_panel(name)
        table = dataset_units(name)
        keep = [c for c in table.columns if c not in {d.code for d in fw.denominators}]
        last = panel.idata[panel.idata["Time"] == panel.years[-1]]
        dens = [d.code for d in fw.denominators]
        table = table[keep].merge(last[["uCode", *dens]], on="uCode", how="left")
        truth = panel.truth[["uCode", "Time", "theta"]]
        if years is not None:
            truth = _extend(truth, years)
        return table, truth
    n = int(units or 300)
    if n < 2:
        raise problem_error(
            "至少需要 2 个单位；请把 units 设为 2 或更多 / at least 2 units are needed; set "
            "units to 2 or more",
            "invalid option",
            source="units",
            value=n,
        )
    ss = np.random.SeedSequence(seed).spawn(2)
    rng = np.random.default_rng(ss[0])
    width = max(4, len(str(n)))
    table = pd.DataFrame(
        {
            "uCode": [f"U{i:0{width}d}" for i in range(1, n + 1)],
            "uName": [f"合成单位{i:0{width}d}" for i in range(1, n + 1)],
            "size": np.round(50 * np.exp(0.8 * rng.standard_normal(n)), 2),
        }
    )
    yrs = list(years or DEFAULT_YEARS)
    panel = generate_panel(fw, table, yrs, seed=ss[1], missing_rate=0, outlier_rate=0)
    last = panel.idata[panel.idata["Time"] == yrs[-1]]
    dens = [d.code for d in fw.denominators]
    table = table.merge(last[["uCode", *dens]], on="uCode", how="left")
    return table, panel.truth[["uCode", "Time", "theta"]]


def _extend(truth: pd.DataFrame, years: Sequence[int]) -> pd.DataFrame:
    """θ for other years: the nearest year's value."""
    have = sorted(truth["Time"].unique())
    rows = []
    for y in years:
        near = min(have, key=lambda h: abs(h - y))
        rows.append(truth[truth["Time"] == near].assign(Time=y))
    return pd.concat(rows, ignore_index=True)


def synth(
    framework: Framework | str,
    out: str | Path,
    *,
    rows: int,
    units: int | None = None,
    seed: int = 0,
    years: Sequence[int] | None = None,
    kinds: Sequence[str] = tuple(KIND_SHARES),
    chunk_rows: int = 1_000_000,
    file_rows: int = 20_000_000,
    surges: Mapping[tuple[str, str], float] | None = None,
) -> SynthResult:
    """Write synthetic records to ``out`` (a new folder), streamed to Parquet.

    ``out/<kind>_synthetic/part-NNNNN.parquet`` (a new file every ``file_rows``
    rows, row groups of about ``chunk_rows``), ``out/units_synthetic.csv``
    (units, sizes, denominators) and ``out/truth_synthetic.csv`` (θ per unit and
    year). ``rows``: total records over ``kinds`` (split by :data:`KIND_SHARES`).
    ``surges``: ``{(uCode, "YYYY-MM"): factor}`` multiplies the expected breach
    records of a unit in a month (a real change, for monitoring demonstrations).
    Nothing is written unless everything is (the folder appears complete).
    """
    _check_kinds(kinds)
    table, truth = synth_units(framework, units=units, years=years, seed=seed)
    out = Path(out)
    written: dict[str, int] = {}
    with atomic_output_dir(out) as tmp:
        for kind in kinds:
            folder = tmp / f"{kind}_synthetic"
            folder.mkdir()
            writer, part, in_file, buf = None, 0, 0, []
            total = 0
            for tab in _tables(kind, table, truth, rows, seed, kinds, surges):
                buf.append(tab)
                if sum(t.num_rows for t in buf) < chunk_rows:
                    continue
                writer, part, in_file = _flush(buf, writer, folder, part, in_file, file_rows)
                total += sum(t.num_rows for t in buf)
                buf = []
            if buf:
                writer, part, in_file = _flush(buf, writer, folder, part, in_file, file_rows)
                total += sum(t.num_rows for t in buf)
            if writer is not None:
                writer.close()
            written[kind] = total
        table.to_csv(tmp / "units_synthetic.csv", index=False)
        truth.to_csv(tmp / "truth_synthetic.csv", index=False)
    return SynthResult(out=out, rows=written, units=table, truth=truth)


def _flush(
    buf: list[pa.Table],
    writer: pq.ParquetWriter | None,
    folder: Path,
    part: int,
    in_file: int,
    file_rows: int,
) -> tuple[pq.ParquetWriter, int, int]:
    tab = pa.concat_tables(buf)
    if writer is not None and in_file + tab.num_rows > file_rows:
        writer.close()
        writer, part, in_file = None, part + 1, 0
    if writer is None:
        writer = pq.ParquetWriter(folder / f"part-{part:05d}.parquet", tab.schema)
    writer.write_table(tab)
    return writer, part, in_file + tab.num_rows


def synth_frames(
    framework: Framework | str,
    *,
    rows: int,
    units: int | None = None,
    seed: int = 0,
    years: Sequence[int] | None = None,
    kinds: Sequence[str] = tuple(KIND_SHARES),
    surges: Mapping[tuple[str, str], float] | None = None,
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame, pd.DataFrame]:
    """The same records as :func:`synth`, in memory (small data: notebooks, tests).

    Returns ``({kind: DataFrame}, units, truth)``."""
    _check_kinds(kinds)
    table, truth = synth_units(framework, units=units, years=years, seed=seed)
    frames = {
        kind: pa.concat_tables(
            list(_tables(kind, table, truth, rows, seed, kinds, surges))
        ).to_pandas(date_as_object=False)
        for kind in kinds
    }
    return frames, table, truth


def _check_kinds(kinds: Sequence[str]) -> None:
    problems = ProblemList()
    for kind in kinds:
        if kind not in KIND_SHARES:
            problems.add(
                f"未知的记录类型；应为 {list(KIND_SHARES)} 之一 / "
                f"unknown record kind; expected one of {list(KIND_SHARES)}",
                source="kinds",
                value=suggest(kind, KIND_SHARES),
            )
    problems.raise_if_any("invalid option")


# ----------------------------------------------------------------- drawing
def _tables(
    kind: str,
    units: pd.DataFrame,
    truth: pd.DataFrame,
    rows: int,
    seed: int,
    kinds: Sequence[str],
    surges: Mapping[tuple[str, str], float] | None,
) -> Iterator[pa.Table]:
    """Arrow tables of ``kind``'s records, block by block (64 units × one year)."""
    share = KIND_SHARES[kind] / sum(KIND_SHARES[k] for k in kinds)
    n_kind = round(rows * share)
    years = sorted(int(y) for y in truth["Time"].unique())
    codes = units["uCode"].astype(str).to_numpy()
    theta = (
        truth.pivot(index="uCode", columns="Time", values="theta").loc[codes, years].to_numpy()
    )  # U × Y
    n_u, n_y = theta.shape
    size = units["size"].to_numpy(dtype=float)
    expo = (size / np.median(size)) ** 0.5
    season = 1 + 0.15 * np.cos(2 * np.pi * (np.arange(1, 13) - 12) / 12)
    root = np.random.SeedSequence(seed)
    k_index = list(KIND_SHARES).index(kind)
    s_counts, s_fields = root.spawn(len(KIND_SHARES) * 2)[2 * k_index : 2 * k_index + 2]
    rng = np.random.default_rng(s_counts)
    rate = expo[:, None, None] * np.exp(_THETA_EFFECT[kind] * theta)[:, :, None] * season
    rate = rate * rng.gamma(8.0, 1 / 8.0, size=rate.shape)  # U × Y × 12
    if surges and kind == "breach":
        pos = {c: i for i, c in enumerate(codes)}
        for (unit, month), factor in surges.items():
            y, m = int(month[:4]), int(month[5:7])
            if unit in pos and y in years:
                rate[pos[unit], years.index(y), m - 1] *= float(factor)
    counts = rng.multinomial(n_kind, (rate / rate.sum()).ravel()).reshape(rate.shape)
    n_blocks = math.ceil(n_u / BLOCK_UNITS)
    children = s_fields.spawn(n_blocks * n_y)
    draw = _DRAW[kind]
    for b in range(n_blocks):
        lo, hi = b * BLOCK_UNITS, min(n_u, (b + 1) * BLOCK_UNITS)
        for j, year in enumerate(years):
            c = counts[lo:hi, j, :]  # units × months
            n = int(c.sum())
            if n == 0:
                continue
            rng = np.random.default_rng(children[b * n_y + j])
            unit = np.repeat(np.repeat(np.arange(lo, hi), 12), c.ravel())
            month = np.repeat(np.tile(np.arange(12), hi - lo), c.ravel())
            start = (np.datetime64(f"{year}-01", "M") + month).astype("datetime64[D]")
            days = ((start.astype("datetime64[M]") + 1).astype("datetime64[D]") - start).astype(int)
            day = start + np.floor(rng.random(n) * days).astype(int)
            cols = draw(rng, n, day, theta[unit, j])
            prefix = f"{kind[0].upper()}{year}{b:05d}-"
            ids = pc.binary_join_element_wise(
                prefix, pc.cast(pa.array(np.arange(n)), pa.string()), ""
            )
            yield pa.table({"record_id": ids, "uCode": pa.array(codes[unit]), **cols})


def _dates(x: np.ndarray, keep: np.ndarray | None = None) -> pa.Array:
    arr = pa.array(x.astype("datetime64[D]"), type=pa.date32())
    if keep is None:
        return arr
    return pc.if_else(pa.array(keep), arr, pa.scalar(None, pa.date32()))


def _choice(rng: np.random.Generator, n: int, names: Sequence[str], p: Sequence[float]) -> pa.Array:
    idx = rng.choice(len(names), size=n, p=np.asarray(p) / np.sum(p))
    return pa.DictionaryArray.from_arrays(pa.array(idx.astype(np.int32)), pa.array(names)).cast(
        pa.string()
    )


def _days(rng: np.random.Generator, n: int, lo: int, hi: int) -> np.ndarray:
    return rng.integers(lo, hi + 1, size=n).astype("timedelta64[D]")


def _breach(rng: np.random.Generator, n: int, day: np.ndarray, th: np.ndarray) -> dict[str, Any]:
    serious = rng.random(n) < expit(-1.6 - 0.5 * th)
    objected = rng.random(n) < 0.08
    filed = day + _days(rng, n, 1, 30)
    closed_ok = objected & (rng.random(n) < 0.85)
    closed = filed + _days(rng, n, 5, 90)
    upheld = closed_ok & (rng.random(n) < 0.3)
    p_rep = expit(0.2 + 0.6 * th) * np.where(serious, 0.3, 0.6)
    repaired = rng.random(n) < p_rep
    mitig = rng.random(n) < 0.08
    return {
        "decided": _dates(day),
        "source": _choice(
            rng,
            n,
            ["court", "penalty", "discipline", "accountability", "audit", "petition", "other"],
            [15, 35, 20, 15, 7, 5, 3],
        ),
        "category": pa.array(rng.choice(8, size=n, p=_CATEGORY_P) + 1),
        "severity": pa.array(np.where(serious, "serious", "general")),
        "exempt": pa.array(rng.random(n) < 0.03),
        "objection_filed": _dates(filed, objected),
        "objection_closed": _dates(closed, closed_ok),
        "objection_upheld": pc.if_else(pa.array(closed_ok), pa.array(upheld), None),
        "repaired": _dates(day + _days(rng, n, 60, 800), repaired),
        "mitigation": pc.if_else(pa.array(mitig), 0.5, pa.scalar(None, pa.float64())),
        "domain": _choice(
            rng,
            n,
            ["", "ppp", "investment", "statistics", "procurement", "environment", "expropriation"],
            [70, 5, 6, 5, 6, 5, 3],
        ),
    }


_CATEGORY_P = np.array([15, 15, 8, 12, 10, 8, 20, 12]) / 100


def _ticket(rng: np.random.Generator, n: int, day: np.ndarray, th: np.ndarray) -> dict[str, Any]:
    due = day + np.timedelta64(10, "D")
    on_time = rng.random(n) < expit(1.8 + 0.8 * th)
    never = rng.random(n) < 0.02
    closed = np.where(on_time, day + _days(rng, n, 0, 10), due + _days(rng, n, 1, 30))
    sat_known = ~never & (rng.random(n) < 0.7)
    topic_p = expit(-3.0 - 0.6 * th)
    u = rng.random(n)
    topic = np.where(
        u < topic_p, "integrity_complaint", np.where(u < topic_p + 0.2, "complaint", "request")
    )
    return {
        "channel": _choice(rng, n, ["12345", "enterprise", "online"], [70, 20, 10]),
        "topic": pa.array(topic),
        "opened": _dates(day),
        "due": _dates(due),
        "closed": _dates(closed, ~never),
        "resolved": pc.if_else(
            pa.array(~never), pa.array(rng.random(n) < expit(1.5 + 0.8 * th)), None
        ),
        "satisfied": pc.if_else(
            pa.array(sat_known), pa.array(rng.random(n) < expit(1.0 + 0.7 * th)), None
        ),
    }


def _commitment(
    rng: np.random.Generator, n: int, day: np.ndarray, th: np.ndarray
) -> dict[str, Any]:
    due = day + _days(rng, n, 30, 365)
    on_time = rng.random(n) < expit(1.5 + 0.8 * th)
    late = ~on_time & (rng.random(n) < 0.5)
    kept_date = np.where(on_time, due - _days(rng, n, 0, 25), due + _days(rng, n, 1, 90))
    kept_date = np.maximum(kept_date, day)
    return {
        "type": _choice(
            rng,
            n,
            ["service_quality", "time_limit", "guarantee", "investment", "project", "public"],
            [25, 25, 15, 15, 10, 10],
        ),
        "made": _dates(day),
        "due": _dates(due),
        "kept": pa.array(on_time | late),
        "kept_date": _dates(kept_date, on_time | late),
    }


def _case(rng: np.random.Generator, n: int, day: np.ndarray, th: np.ndarray) -> dict[str, Any]:
    typ = rng.choice(3, size=n, p=[0.45, 0.4, 0.15])
    adverse = rng.random(n) < expit(-1.8 - 0.7 * th)
    bad = np.where(typ == 0, "lost", "corrected")
    good = np.where(typ == 0, "won", "maintained")
    outcome = np.where(adverse, bad, np.where(rng.random(n) < 0.15, "withdrawn", good))
    names = np.array(["litigation", "reconsideration", "petition_review"])
    return {
        "type": pa.array(names[typ]),
        "filed": _dates(day - _days(rng, n, 30, 300)),
        "concluded": _dates(day),
        "outcome": pa.array(outcome),
    }


def _proposal(rng: np.random.Generator, n: int, day: np.ndarray, th: np.ndarray) -> dict[str, Any]:
    due = day + np.timedelta64(90, "D")
    on_time = rng.random(n) < expit(2.0 + 0.8 * th)
    handled = np.where(on_time, day + _days(rng, n, 20, 90), due + _days(rng, n, 1, 60))
    u = rng.random(n)
    p_sat = expit(1.5 + 0.7 * th)
    sat = np.where(
        u < p_sat, "satisfied", np.where(u < p_sat + 0.7 * (1 - p_sat), "basic", "dissatisfied")
    )
    return {
        "type": _choice(rng, n, ["npc", "cppcc"], [55, 45]),
        "received": _dates(day),
        "due": _dates(due),
        "handled": _dates(handled),
        "satisfaction": pa.array(sat),
    }


_DRAW = {
    "breach": _breach,
    "ticket": _ticket,
    "commitment": _commitment,
    "case": _case,
    "proposal": _proposal,
}


#: The small sample kept in the repository (``datasets/shanghai-records-sample``).
SAMPLE = {
    "framework": "shanghai-2018",
    "rows": 12000,
    "seed": 20240601,
    "surges": {("YP", "2024-06"): 6.0},
}


def write_sample(out: str | Path) -> Path:
    """Write the repository's small sample (CSV, one file per kind, units and truth) to the
    new folder ``out``; the same bytes every time (tests compare with the committed copy)."""
    frames, units, truth = synth_frames(
        SAMPLE["framework"], rows=SAMPLE["rows"], seed=SAMPLE["seed"], surges=SAMPLE["surges"]
    )
    out = Path(out)
    with atomic_output_dir(out) as tmp:
        for kind, df in frames.items():
            df = df.copy()
            for col in df.columns:
                if pd.api.types.is_datetime64_any_dtype(df[col]):
                    df[col] = df[col].dt.strftime("%Y-%m-%d")
            df.to_csv(tmp / f"{kind}_synthetic.csv", index=False, lineterminator="\n")
        units.to_csv(tmp / "units_synthetic.csv", index=False, lineterminator="\n")
        truth.to_csv(tmp / "truth_synthetic.csv", index=False, lineterminator="\n")
    return out
