"""The inputs of ``run`` and ``validate``: framework, data, spec and period, read once with
every problem listed at once, and the input files recorded (name and SHA-256) for the
manifest."""

from __future__ import annotations

import argparse
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Problem, ValidationError
from .common import UsageError, jsonable, note

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DEFAULT_DATASET",
    "Inputs",
    "default_dataset",
    "glyph_notes",
    "load_inputs",
    "unit_code_notes",
]

DEFAULT_DATASET = "shanghai-districts"


class Inputs:
    """Framework, data, spec, period and input files of a run."""

    def __init__(self) -> None:
        self.framework: Any = None
        self.idata: pd.DataFrame | None = None
        self.spec: dict[str, Any] | None = None
        self.time: Any = None
        self.dataset: Any = None  # bundled Dataset when no --data
        self.synthetic_origin: str | None = None  # --data is (a copy of) bundled synthetic data
        self.files: list[dict[str, Any]] = []
        self.corrections: pd.DataFrame | None = None  # the checked ledger (--corrections)
        self.font: Any = None  # the fonts of charts and PDFs (INTEGRITY_EVAL_FONT or default)

    @property
    def synthetic(self) -> bool:
        """Synthetic data: the bundled dataset, or a bundled synthetic file given as --data."""
        return bool(self.dataset is not None and self.dataset.synthetic) or bool(
            self.synthetic_origin
        )


def load_inputs(args: argparse.Namespace, *, for_run: bool = True) -> Inputs:
    """Framework, data, spec and period, every problem of data and spec reported at once."""
    from .. import datasets
    from ..fonts import resolve_font
    from ..framework import available_frameworks, load_framework
    from ..idata import read_idata
    from ..io import file_sha256

    inp = Inputs()
    data = getattr(args, "data", None)
    fw_arg = args.framework
    if data is None:  # bundled default dataset (run only)
        ds = default_dataset()
        inp.framework = ds.framework
        if fw_arg is not None:  # the user's version of the dataset's framework
            fw_user = load_framework(fw_arg)
            if fw_user.name != ds.framework.name:
                raise UsageError(
                    f"内置数据集 {DEFAULT_DATASET} 使用框架 {ds.framework.name}，不是 "
                    f"{fw_user.name or fw_arg}；请用 --data 提供数据 / the bundled dataset "
                    f"{DEFAULT_DATASET} uses framework {ds.framework.name}, not "
                    f"{fw_user.name or fw_arg}; give --data"
                )
            inp.framework = fw_user
        inp.dataset = ds
        inp.idata = ds.idata
        inp.files.append({"role": "dataset", "name": ds.name})
        for f in sorted(Path(ds.path).iterdir()):
            if f.is_file() and not f.name.startswith("."):
                inp.files.append({"role": "dataset file", "path": f.name, "sha256": file_sha256(f)})
    else:
        if fw_arg is None:
            fw_arg = datasets.load(DEFAULT_DATASET).framework.name
            note(args, f"未指定 --framework，使用 {fw_arg} / no --framework given, using {fw_arg}")
        inp.framework = load_framework(fw_arg)
    fw = inp.framework
    if fw_arg is not None:
        if fw_arg in available_frameworks() and not Path(fw_arg).exists():
            ref = resources.files("integrity_eval") / "frameworks" / f"{fw_arg}.yaml"
            with resources.as_file(ref) as p:
                inp.files.append(
                    {"role": "framework", "name": fw_arg, "path": p.name, "sha256": file_sha256(p)}
                )
        else:
            inp.files.append(
                {
                    "role": "framework",
                    "path": Path(fw_arg).name,
                    "sha256": file_sha256(fw_arg),
                }
            )

    problems: list[Problem] = []
    try:  # a font run cannot use is refused before any work, by validate too
        inp.font = resolve_font()
    except ValidationError as exc:
        problems.extend(exc.problems)
    if data is not None:
        try:
            inp.idata = read_idata(data, fw, sheet=args.sheet)
            inp.files.append({"role": "data", "path": Path(data).name, "sha256": file_sha256(data)})
            inp.synthetic_origin = datasets.synthetic_origin(data)
            _report_units(inp.idata)
        except ValidationError as exc:
            problems.extend(exc.problems)
    if args.spec is not None:
        try:
            inp.spec = _check_spec(args.spec, fw)
            inp.files.append(
                {
                    "role": "spec",
                    "path": Path(args.spec).name,
                    "sha256": file_sha256(args.spec),
                }
            )
        except ValidationError as exc:
            problems.extend(exc.problems)
    if getattr(args, "missing", None):  # the engagement's policy, laid over the spec
        inp.spec = {**(inp.spec or {}), "missing": args.missing}
    time = _time_wanted(args, inp.idata, for_run)
    if inp.idata is not None and time is not None:
        try:
            inp.time = _match_time(inp.idata, time, str(data or DEFAULT_DATASET))
        except ValidationError as exc:
            problems.extend(exc.problems)
    if getattr(args, "engagement", None):
        from ..engagement import ENGAGEMENT_FILE

        eng = Path(args.engagement)
        eng = eng / ENGAGEMENT_FILE if eng.is_dir() else eng
        inp.files.append({"role": "engagement", "path": eng.name, "sha256": file_sha256(eng)})
    if problems:
        raise ValidationError(problems, title="输入有误 / invalid input")
    if getattr(args, "corrections", None):
        _correct(inp, args.corrections)
    return inp


def glyph_notes(inp: Inputs) -> list[str]:
    """The warnings of :func:`integrity_eval.fonts.glyph_warnings` for the units and the
    framework of ``inp``: names holding characters no font covers (``run`` draws them as
    □ and warns the same through :func:`integrity_eval.report.write`)."""
    from ..fonts import glyph_warnings, names_to_check

    idata = inp.idata
    units: Any = {}
    if idata is not None and "uName" in idata.columns:
        units = idata.drop_duplicates("uCode").set_index("uCode")["uName"]
    return glyph_warnings(names_to_check(units, inp.framework), inp.font)


def _time_wanted(args: argparse.Namespace, idata: pd.DataFrame | None, for_run: bool) -> Any:
    """The period to pick from panel data: ``--time`` (run), else ``--period`` when the data
    have a Time column (otherwise the period only labels the reports)."""
    time = getattr(args, "time", None) if for_run else None
    period = getattr(args, "period", None)
    if period is None or idata is None or "Time" not in idata.columns:
        return time
    if time is not None and str(time).strip() != period:
        raise UsageError(
            f"--time {time} 与评价期 {period} 不一致 / --time {time} disagrees with the period "
            f"{period}"
        )
    return period


def _correct(inp: Inputs, path: str) -> None:
    """Apply the corrections ledger at ``path`` to the raw data of the evaluated period."""
    from ..corrections import apply_corrections, read_corrections
    from ..io import file_sha256

    ledger = read_corrections(path, inp.framework, inp.idata, time=inp.time)
    inp.idata = apply_corrections(inp.idata, ledger, time=inp.time)
    inp.corrections = ledger
    inp.files.append({"role": "corrections", "path": Path(path).name, "sha256": file_sha256(path)})


def _report_units(idata: pd.DataFrame, limit: int = 20) -> None:
    """Say on stderr which unit codes were reconciled and which expected units have no data."""
    from ..progress import note as stderr_note

    notes = idata.attrs.get("unit_codes")
    if notes is None:
        return
    rec = notes.reconciled
    if len(rec):
        stderr_note(
            f"注意：已统一 {len(rec)} 处单位代码的写法 / note: {len(rec)} unit code(s) "
            "reconciled (case, full-width characters, spaces):"
        )
        for r in rec.head(limit).itertuples(index=False):
            stderr_note(f"  {r.source} 行/row {r.row}: {r.found!r} → {r.uCode!r} ({r.reason})")
        if len(rec) > limit:
            stderr_note(f"  … 另有 {len(rec) - limit} 处 / {len(rec) - limit} more")
    missing = notes.missing
    if len(missing):
        listed = ", ".join(
            f"{c} {n}".strip() for c, n in zip(missing["uCode"], missing["uName"], strict=True)
        )
        stderr_note(
            f"注意：{len(missing)} 个被评价单位没有数据 / note: {len(missing)} expected "
            f"unit(s) have no data: {listed}"
        )


def unit_code_notes(idata: pd.DataFrame) -> dict[str, Any]:
    """The manifest's record of reconciled unit codes and expected units without data."""
    notes = idata.attrs.get("unit_codes")
    if notes is None:
        return {}
    return {
        "reconciled": jsonable(notes.reconciled.to_dict("records")),
        "missing_units": jsonable(notes.missing.to_dict("records")),
    }


def default_dataset() -> Any:
    """The bundled default dataset, its panel version when it has one (all years, so that
    ``--time`` can pick any of them; the latest year is the same data)."""
    from .. import datasets

    try:
        return datasets.load(DEFAULT_DATASET, panel=True)
    except ValidationError:
        return datasets.load(DEFAULT_DATASET)


def _check_spec(path: str, fw: Any) -> dict[str, Any]:
    from ..spec import load_spec, resolve

    spec = load_spec(path)
    try:
        resolve(spec, fw.n_levels)
    except ValidationError as exc:  # name the file: resolve says "spec"
        raise ValidationError(
            [
                Problem(
                    p.rule,
                    source=path if p.source in ("", "spec") else p.source,
                    row=p.row,
                    column=p.column,
                    value=p.value,
                )
                for p in exc.problems
            ],
            title=exc.title,
        ) from None
    return spec


def _match_time(idata: pd.DataFrame, text: str, source: str) -> Any:
    if "Time" not in idata.columns:
        raise ValidationError(
            [
                Problem(
                    "数据没有 Time 列，不能使用 --time / the data have no Time column, so "
                    "--time does not apply",
                    source=source,
                    column="Time",
                    value=text,
                )
            ],
            title="无法选择评价期 / cannot pick the period",
        )
    values = idata["Time"].dropna().unique().tolist()
    for v in values:
        if str(v) == text.strip():
            return v
    avail = ", ".join(map(str, sorted(values, key=str)))
    raise ValidationError(
        [
            Problem(
                f"数据中没有该评价期；现有 / period not in the data; available: {avail}",
                source=source,
                column="Time",
                value=text,
            )
        ],
        title="无法选择评价期 / cannot pick the period",
    )
