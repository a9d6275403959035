"""Run manifests: what produced a set of numbers (every run writes one; ``docs/outputs.md``).

The build records package and library versions, the seed, the framework's name
and hash, the resolved spec and its hash, and a hash of the input data; the
command line adds file paths and SHA-256 of inputs and outputs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ._version import __version__
from .framework import Framework
from .spec import spec_hash

__all__ = ["RUN_SETTINGS", "evaluation_manifest", "manifest_with_spec", "seal_run"]

#: What a command-line run adds to a build that changes what its outputs say: the rating
#: scheme (``--rating`` or the framework's block), the Monte Carlo draws and their inputs
#: (``--draws``; the seed is the build's), the evaluating agency, the language, the
#: engagement's cover (title, period, client, status) and the corrections applied.
RUN_SETTINGS = ("rating", "draws", "uncertainty", "agency", "lang", "engagement", "corrections")


def evaluation_manifest(
    fw: Framework,
    spec: Mapping[str, Any],
    idata: pd.DataFrame,
    block: np.ndarray,
    seed: int,
    time: Any,
    n_units: int,
) -> dict[str, Any]:
    """The manifest of one build: what determines its numbers, and their hashes.

    ``inputs.idata_hash`` covers the column names, the numeric block and every text
    cell; ``run_hash`` combines package version, seed, framework hash, spec hash,
    data hash and period, so equal run hashes mean identical results.
    """
    names = idata.columns.tolist()
    digest = hashlib.sha256("\x1f".join(map(str, names)).encode("utf-8"))
    digest.update(np.ascontiguousarray(block).tobytes())
    text = [
        c
        for c, t in zip(names, idata.dtypes.tolist(), strict=True)
        if t.kind not in "fiub" or c in ("uCode", "Time")
    ]
    # row by row, as the text block's cells (each column converted once)
    cells = zip(*(idata[c].tolist() for c in text), strict=True)
    digest.update("\x1f".join(str(v) for row in cells for v in row).encode("utf-8"))
    manifest = {
        "package": "integrity-eval",
        "version": __version__,
        "seed": seed,
        "framework": {"name": fw.name, "hash": fw.hash},
        "spec": spec,
        "spec_hash": spec_hash(spec),
        "inputs": {
            "idata_hash": digest.hexdigest(),
            "n_rows": len(idata),
            "n_units": n_units,
            "time": time,
        },
        "versions": {"numpy": np.__version__, "pandas": pd.__version__},
    }
    manifest["run_hash"] = _run_hash(manifest, fw.hash)
    return manifest


def manifest_with_spec(manifest: Mapping[str, Any], spec: Mapping[str, Any]) -> dict[str, Any]:
    """The manifest of the same inputs built with another spec (new spec and run hashes)."""
    out = {**manifest, "spec": spec, "spec_hash": spec_hash(spec)}
    out["run_hash"] = _run_hash(out, manifest["framework"]["hash"])
    return out


def seal_run(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """The manifest of a command-line run, its hashes covering :data:`RUN_SETTINGS` too.

    ``build_hash`` keeps the build's run hash (version, seed, framework, spec, data,
    period); ``rating_hash`` is the SHA-256 of the rating scheme's canonical form (null
    without a rating); ``run_hash`` covers the build hash and every run setting, so two
    runs that differ only in ``--rating``, ``--draws``, ``--agency`` or ``--lang`` get
    different run hashes and run ids.
    """
    out = dict(manifest)
    rating = manifest.get("rating")
    out["rating_hash"] = None if rating is None else _canonical_hash(rating)
    out["build_hash"] = manifest["run_hash"]
    settings = {key: manifest.get(key) for key in RUN_SETTINGS}
    out["run_hash"] = _canonical_hash([manifest["run_hash"], settings])
    return out


def _canonical_hash(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _run_hash(manifest: Mapping[str, Any], fw_hash: str) -> str:
    inputs = manifest["inputs"]
    parts = [
        manifest["version"],
        manifest["seed"],
        fw_hash,
        manifest["spec_hash"],
        inputs["idata_hash"],
        inputs["time"],
    ]
    text = json.dumps(parts, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
