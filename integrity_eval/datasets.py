"""Bundled datasets: real published data and synthetic panels, in COINr's two-table form.

Every dataset is a folder ``datasets/<name>/`` holding a ``dataset.yaml`` and the files it
names. ``load(name)`` returns a :class:`Dataset`: the framework (iMeta), the indicator
table (iData: ``uCode``, ``uName``, ``[Time]``, group columns, denominators, indicators,
as in COINr's ``new_coin``), and, for synthetic data, the known ground truth.

Layout of ``dataset.yaml`` (keys in :data:`DATASET_KEYS`)::

    name: asem                      # must equal the folder name
    title: {zh: …, en: …}
    description: {zh: …, en: …}
    framework: asem_iMeta.csv       # a shipped framework name (e.g. shanghai-2018) or a
                                    # file in this folder: YAML, iMeta CSV or iMeta XLSX
    idata: asem_iData.csv           # iData table, CSV or Parquet (uCode read as text)
    panel: asem_iData_panel.csv     # optional: the panel version, ``load(name, panel=True)``
    panel_description: {zh: …, en: …}   # optional: description of the panel version
    truth: null                     # optional: known ground truth (synthetic data), CSV/Parquet
    synthetic: false                # true → shown as "synthetic / 合成数据" everywhere
    source: SOURCE.md               # attribution and licence text, shipped next to the data
    licence: MIT
    levels: [{zh: 指标, en: Indicator}, …]   # optional: level names for an iMeta framework
    loader: papi                    # optional, instead of idata: a reader in this module
    raw: {papi: PAPI_2011-2016.xlsx}     # files that loader reads (paths relative to the folder)

Real data are shipped unmodified with their attribution (``SOURCE.md``); anything derived
from them is derived here in code (a ``loader``), never by editing the files. Synthetic
data set ``synthetic: true``, describe the generating model and seed in ``SOURCE.md`` and
ship the ground truth (``truth:``). ``uCode`` is always read as text (``"001"``, and
``"NA"`` is Namibia, not a missing value). Full rules: ``datasets/README.md``. The folder
is the repository's top-level ``datasets/``: an installed wheel carries a copy of it as
``integrity_eval/_datasets`` (``setup.py`` copies every file at build time), an editable
install reads it in place. The environment variable ``INTEGRITY_EVAL_DATASETS`` replaces
it by another folder of the same layout. Files are read relative to the dataset's folder.

Bundled datasets:

* ``asem`` — the ASEM Sustainable Connectivity example of the R package COINr 1.1.14
  (Becker et al., 51 countries × 49 indicators; MIT); ``panel=True`` gives COINr's
  artificial 2018–2022 panel.
* ``papi`` — Vietnam's Provincial Governance and Public Administration Performance Index
  2011–2016 (CECODES/UNDP), 63 provinces × 6 years, 22 sub-dimensions a year (23 in all),
  with the published dimension and total scores in :attr:`Dataset.published`.
* ``pci`` — Vietnam's Provincial Competitiveness Index 2016 (VCCI), 10 sub-indices, with
  the published weighted total, rank and tier in :attr:`Dataset.published`.

>>> ds = load("asem")
>>> ds.framework, ds.idata.shape
(<Framework asem: L1: 49, L2: 8, L3: 2, L4: 1>, (51, 60))
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import html
import os
import re
import unicodedata
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .display import Summary
from .errors import Problem, ProblemList, ValidationError
from .framework import Framework, available_frameworks, load_framework
from .io import file_sha256, load_yaml, read_table
from .schemas import check_idata

__all__ = [
    "DATASET_KEYS",
    "ENV_VAR",
    "PAPI_SUBDIMENSIONS_BY_YEAR",
    "PCI_TIERS",
    "Dataset",
    "available",
    "datasets_dir",
    "load",
    "load_asem",
    "load_papi",
    "load_pci",
    "papi_ucode",
    "synthetic_origin",
]

ENV_VAR = "INTEGRITY_EVAL_DATASETS"
# The copy inside an installed wheel, then the repository's folder (editable install).
_PACKAGED_DIR = Path(__file__).resolve().parent / "_datasets"
_REPO_DIR = Path(__file__).resolve().parents[1] / "datasets"

_REQUIRED_KEYS = ("name", "title", "framework", "synthetic", "source", "licence")
_OPTIONAL_KEYS = (
    "description",
    "idata",
    "panel",
    "panel_description",
    "truth",
    "levels",
    "loader",
    "raw",
)
DATASET_KEYS = frozenset(_REQUIRED_KEYS + _OPTIONAL_KEYS)


# --------------------------------------------------------------------- Dataset
@dataclass(frozen=True, eq=False)
class Dataset:
    """One bundled dataset: framework + iData (+ ground truth / published results).

    ``description`` is the English text and ``description_zh`` the Chinese one.
    ``published`` holds results printed by the data's publisher (for real data such as
    PAPI and PCI) so that a rebuild can be checked against them; ``truth`` holds the
    generating values of a synthetic dataset. ``units`` lists the units with any extra
    names or codes the source gives. ``panel`` says whether this is the panel version.
    """

    name: str
    title_zh: str
    title_en: str
    description: str
    framework: Framework
    idata: pd.DataFrame
    truth: pd.DataFrame | None
    synthetic: bool
    source: str
    path: Path
    description_zh: str = ""
    licence: str = ""
    panel: bool = False
    published: pd.DataFrame | None = None
    units: pd.DataFrame | None = None

    @property
    def n_units(self) -> int:
        return int(self.idata["uCode"].nunique())

    @property
    def periods(self) -> list[Any]:
        """The distinct ``Time`` values (empty when iData has no Time column)."""
        if "Time" not in self.idata.columns:
            return []
        return sorted(self.idata["Time"].dropna().unique().tolist())

    @property
    def kind_label(self) -> str:
        return "synthetic / 合成数据" if self.synthetic else "real data / 真实数据"

    def _shape_text(self) -> str:
        periods = self.periods
        if len(periods) > 1:
            when = f", {len(periods)} periods {periods[0]}–{periods[-1]}"
        elif periods:
            when = f", Time {periods[0]}"
        else:
            when = ""
        return f"{self.n_units} units × {len(self.framework.indicators)} indicators{when}"

    def __repr__(self) -> str:
        title = self.title_en or self.title_zh
        panel = " (panel)" if self.panel else ""
        licence = f", {self.licence}" if self.licence else ""
        return (
            f"<Dataset {self.name}{panel}: {title} — {self._shape_text()}; "
            f"{self.kind_label}{licence}>"
        )

    def summary(self) -> Summary:
        """Overview: title, kind (real or synthetic), source, licence, size, first rows."""
        facts = [
            ("dataset / 数据集", f"{self.name}{' (panel)' if self.panel else ''}"),
            ("title / 标题", " / ".join(t for t in (self.title_zh, self.title_en) if t)),
            ("kind / 类型", self.kind_label),
            ("size / 规模", self._shape_text()),
            ("framework / 框架", self.framework.name),
        ]
        facts += [
            (label, text)
            for label, text in (
                ("source / 来源", _first_line(self.source)),
                ("licence / 许可", self.licence),
                ("description / 说明", self.description_zh or self.description),
            )
            if text
        ]
        return Summary(
            f"Dataset / 数据集: {self.name}",
            facts,
            [("iData (first 5 rows / 前 5 行)", self.idata.head(5))],
        )

    def _repr_html_(self) -> str:
        esc = html.escape
        badge = (
            '<span style="color:#b00;font-weight:bold">synthetic / 合成数据</span>'
            if self.synthetic
            else "real data / 真实数据"
        )
        panel = " (panel)" if self.panel else ""
        desc = f"<p>{esc(self.description)}</p>" if self.description else ""
        return (
            f"<div><strong>{esc(self.title_en)}</strong> / {esc(self.title_zh)}<br>"
            f"<code>{esc(self.name)}</code>{panel} · {esc(self._shape_text())} · {badge}"
            f" · {esc(self.licence)}{desc}</div>"
        )


def _first_line(text: str, width: int = 100) -> str:
    """The first line of ``text`` that is not a Markdown heading, cut to ``width``."""
    lines = (ln.strip().lstrip("*- ") for ln in text.splitlines())
    line = next((ln for ln in lines if ln and not ln.startswith("#")), "")
    return line if len(line) <= width else line[: width - 1] + "…"


# ------------------------------------------------------------------- discovery
def datasets_dir() -> Path:
    """The datasets folder: ``$INTEGRITY_EVAL_DATASETS`` if set, else the copy installed
    with the package (``integrity_eval/_datasets``), else ``<repository>/datasets``."""
    env = os.environ.get(ENV_VAR)
    root = Path(env).expanduser() if env else _default_dir()
    if not root.is_dir():
        where = f"{ENV_VAR}={env}" if env else "the bundled datasets folder"
        raise ValidationError(
            [Problem(rule=f"datasets folder does not exist ({where})", source=str(root))],
            title="datasets folder not found",
        )
    return root


def _default_dir() -> Path:
    return _PACKAGED_DIR if _PACKAGED_DIR.is_dir() else _REPO_DIR


def available() -> list[str]:
    """Names of the datasets (folders with a ``dataset.yaml``), sorted."""
    root = datasets_dir()
    return sorted(p.name for p in root.iterdir() if (p / "dataset.yaml").is_file())


def synthetic_origin(path: str | Path) -> str | None:
    """Why the file at ``path`` is bundled synthetic data, or None when it is not.

    A file is synthetic when it lies in the folder of a bundled dataset marked
    ``synthetic: true``, when its bytes equal one of such a dataset's files (a copy under
    another name), or when its name ends in ``_synthetic`` (the naming rule of
    ``datasets/README.md``). Returns ``"<dataset>/<file>"`` for a bundled file or copy,
    else the file name; the CLI uses it to keep the "synthetic" label on a run whose
    ``--data`` is such a file.
    """
    path = Path(path)
    try:
        resolved = path.resolve()
        size = path.stat().st_size
    except OSError:
        return None
    root = _safe_datasets_dir()
    files = _synthetic_files(None if root is None else str(root))
    for (name, fname, _size), fpath in files.items():
        if Path(fpath) == resolved:
            return f"{name}/{fname}"
    digest = None
    for (name, fname, fsize), fpath in files.items():
        if fsize != size:
            continue
        if digest is None:
            digest = file_sha256(resolved)
        if digest == file_sha256(Path(fpath)):
            return f"{name}/{fname}"
    if path.stem.lower().endswith("_synthetic"):
        return path.name
    return None


def _safe_datasets_dir() -> Path | None:
    try:
        return datasets_dir()
    except ValidationError:
        return None


@functools.lru_cache(maxsize=4)
def _synthetic_files(root: str | None) -> dict[tuple[str, str, int], str]:
    """(dataset, file name, size) → path of every file of the bundled synthetic datasets."""
    out: dict[tuple[str, str, int], str] = {}
    if root is None:
        return out
    for folder in sorted(Path(root).iterdir()):
        meta_file = folder / "dataset.yaml"
        if not meta_file.is_file():
            continue
        try:
            meta = load_yaml(meta_file) or {}
        except (OSError, ValidationError):
            continue
        if not (isinstance(meta, Mapping) and meta.get("synthetic") is True):
            continue
        for f in sorted(folder.rglob("*")):
            if f.is_file() and f.suffix.lower() in (".csv", ".xlsx", ".parquet"):
                key = (folder.name, f.relative_to(folder).as_posix(), f.stat().st_size)
                out[key] = str(f.resolve())
    return out


def load(name: str, *, panel: bool = False) -> Dataset:
    """Load a dataset by name; ``panel=True`` gives its panel version.

    Raises :class:`~integrity_eval.errors.ValidationError` for an unknown name (listing
    the available ones), a malformed ``dataset.yaml``, a missing file, or an iData table
    that lacks ``uCode`` or any of the framework's indicators.
    """
    names = available()
    if name not in names:
        close = difflib.get_close_matches(str(name), names, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValidationError(
            [
                Problem(
                    rule=f"unknown dataset{hint}; available: {', '.join(names) or 'none'}",
                    source=str(datasets_dir()),
                    value=str(name),
                )
            ],
            title="unknown dataset",
        )
    folder = datasets_dir() / name
    meta = _read_meta(folder)
    framework = _resolve_framework(meta, folder)
    title_zh, title_en = _pair(meta["title"])
    desc_key = "panel_description" if panel and meta.get("panel_description") else "description"
    desc_zh, desc_en = _pair(meta.get(desc_key))
    published = units = None

    if meta.get("loader"):
        parts = _LOADERS[meta["loader"]](folder, meta, framework, panel)
        idata, published, units = parts["idata"], parts.get("published"), parts.get("units")
        origin = f"{folder} (loader {meta['loader']})"
    else:
        key = "idata"
        if panel:
            if not meta.get("panel"):
                raise ValidationError(
                    [
                        Problem(
                            rule="this dataset has no panel version (no 'panel' file)",
                            source=str(folder / "dataset.yaml"),
                            column="panel",
                        )
                    ],
                    title="no panel data",
                )
            key = "panel"
        idata = _read_table(folder / meta[key])
        origin = str(folder / meta[key])
    check_idata(framework, idata, source=origin)
    truth = _read_table(folder / meta["truth"]) if meta.get("truth") else None
    return Dataset(
        name=name,
        title_zh=title_zh,
        title_en=title_en,
        description=desc_en,
        description_zh=desc_zh,
        framework=framework,
        idata=idata,
        truth=truth,
        synthetic=bool(meta["synthetic"]),
        source=(folder / meta["source"]).read_text(encoding="utf-8"),
        path=folder,
        licence=str(meta["licence"]),
        panel=panel,
        published=published,
        units=units,
    )


def load_asem(panel: bool = False) -> Dataset:
    """COINr's ASEM example (``panel=True``: its artificially generated 2018–2022 panel)."""
    return load("asem", panel=panel)


def load_papi(year: int | None = None) -> Dataset:
    """PAPI 2011–2016 (CECODES/UNDP): the panel, or one year's cross-section.

    For a ``year`` the framework keeps only the 22 sub-dimensions published that year
    (see :data:`PAPI_SUBDIMENSIONS_BY_YEAR`), so that a weighted sum of the indicators
    reproduces that year's published dimension and total scores (``ds.published``). The
    panel's framework is the union of all years (23 sub-dimensions); a sub-dimension not
    published in a year is missing (NaN) there.
    """
    ds = load("papi")
    if year is None:
        return ds
    years = ds.periods
    if year not in years:
        raise ValidationError(
            [
                Problem(
                    rule=f"no PAPI data for this year; years: {', '.join(map(str, years))}",
                    source="papi",
                    column="Time",
                    value=year,
                )
            ],
            title="unknown PAPI year",
        )
    keep = [c for c in ds.framework.indicators if c in PAPI_SUBDIMENSIONS_BY_YEAR[year]]
    framework = _prune(ds.framework, keep, name=f"papi-{year}")
    idata = ds.idata.loc[ds.idata["Time"] == year, ["uCode", "uName", "Time", *keep]]
    published = ds.published.loc[ds.published["Time"] == year]
    return dataclasses.replace(
        ds,
        framework=framework,
        idata=idata.reset_index(drop=True),
        published=published.reset_index(drop=True),
        description=f"{ds.description} This is the {year} cross-section.",
        description_zh=f"{ds.description_zh}（本表为 {year} 年截面。）",
    )


def load_pci() -> Dataset:
    """PCI 2016 (VCCI): ten sub-indices; published weighted total, rank and tier."""
    return load("pci")


# ------------------------------------------------------------- dataset.yaml
def _read_meta(folder: Path) -> dict[str, Any]:
    path = folder / "dataset.yaml"
    src = str(path)
    problems = ProblemList()
    meta = load_yaml(path, title="invalid dataset.yaml")
    if not isinstance(meta, Mapping):
        problems.add("dataset.yaml must be a mapping", source=src)
        problems.raise_if_any("invalid dataset.yaml")
    for key in meta:
        if key not in DATASET_KEYS:
            close = difflib.get_close_matches(str(key), sorted(DATASET_KEYS), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            problems.add(
                f"unknown key{hint}; expected one of {sorted(DATASET_KEYS)}",
                source=src,
                column=key,
            )
    for key in _REQUIRED_KEYS:
        if meta.get(key) in (None, ""):
            problems.add("required key is missing", source=src, column=key)
    if meta.get("name") not in (None, folder.name):
        problems.add(
            f"name must equal the folder name {folder.name!r}",
            source=src,
            column="name",
            value=meta.get("name"),
        )
    if meta.get("synthetic") is not None and not isinstance(meta.get("synthetic"), bool):
        problems.add(
            "synthetic must be true or false",
            source=src,
            column="synthetic",
            value=meta["synthetic"],
        )
    if not meta.get("idata") and not meta.get("loader"):
        problems.add("either 'idata' (a file) or 'loader' is required", source=src, column="idata")
    if meta.get("loader") and meta["loader"] not in _LOADERS:
        problems.add(
            f"unknown loader; known: {', '.join(sorted(_LOADERS))}",
            source=src,
            column="loader",
            value=meta["loader"],
        )
    levels = meta.get("levels")
    if levels is not None and not (
        isinstance(levels, list) and all(isinstance(lv, str | Mapping) for lv in levels)
    ):
        problems.add("'levels' must be a list of {zh:, en:}", source=src, column="levels")
    for key in ("title", "description", "panel_description"):
        value = meta.get(key)
        if value is not None and not isinstance(value, str):
            if not isinstance(value, Mapping) or set(value) - {"zh", "en"}:
                problems.add("expected a text or {zh:, en:}", source=src, column=key, value=value)
    for key in ("idata", "panel", "truth", "source"):
        if meta.get(key) and not (folder / str(meta[key])).is_file():
            problems.add("file does not exist", source=src, column=key, value=meta[key])
    raw = meta.get("raw") or {}
    if not isinstance(raw, Mapping):
        problems.add("'raw' must map names to files", source=src, column="raw", value=raw)
    else:
        for role, file in raw.items():
            if not (folder / str(file)).is_file():
                problems.add("file does not exist", source=src, column=f"raw.{role}", value=file)
    problems.raise_if_any("invalid dataset.yaml")
    return dict(meta)


def _resolve_framework(meta: Mapping[str, Any], folder: Path) -> Framework:
    ref = str(meta["framework"])
    path = folder / ref
    suffix = path.suffix.lower()
    if path.is_file() and suffix in (".yaml", ".yml"):
        fw = Framework.from_yaml(path)
    elif path.is_file() and suffix in (".csv", ".xlsx", ".xls"):  # .xls: refused, named
        fw = Framework.from_imeta(read_table(path), name=str(meta["name"]), origin=str(path))
    elif ref in available_frameworks():
        fw = load_framework(ref)
    else:
        raise ValidationError(
            [
                Problem(
                    rule=(
                        "framework is neither a file in the dataset folder nor a shipped "
                        f"framework ({', '.join(available_frameworks()) or 'none'})"
                    ),
                    source=str(folder / "dataset.yaml"),
                    column="framework",
                    value=ref,
                )
            ],
            title="framework not found",
        )
    changes: dict[str, Any] = {}
    if meta.get("levels") and not fw.level_names:
        changes["level_names"] = tuple(_pair(lv) for lv in meta["levels"])
    if not (fw.title_zh or fw.title_en):
        changes["title_zh"], changes["title_en"] = _pair(meta["title"])
    return dataclasses.replace(fw, **changes) if changes else fw


def _pair(value: Any) -> tuple[str, str]:
    """(zh, en) from a text or a {zh:, en:} mapping."""
    if value is None:
        return "", ""
    if isinstance(value, str):
        return value, value
    return str(value.get("zh") or ""), str(value.get("en") or "")


# --------------------------------------------------------------------- tables
def _read_table(path: Path) -> pd.DataFrame:
    """An iData / truth table read by the strict reader (:func:`~integrity_eval.io.read_table`),
    codes kept as written (``"001"``; ``"NA"`` is Namibia, not a missing value)."""
    return read_table(path, keep_na_text=True)


def _prune(fw: Framework, keep: list[str], name: str) -> Framework:
    """The framework restricted to the indicators ``keep`` and their ancestors."""
    alive: set[str] = set()
    for code in keep:
        cur: str | None = code
        while cur is not None and cur not in alive:
            alive.add(cur)
            cur = fw[cur].parent
    data = fw.to_dict()
    data["name"] = name
    data["nodes"] = [n for n in data["nodes"] if n["code"] in alive]
    return Framework.from_dict(data, origin=name)


# ------------------------------------------------------------- Excel readers
@functools.lru_cache(maxsize=8)
def _excel_cached(path: str, stamp: tuple[int, int], header: int | None) -> dict[str, pd.DataFrame]:
    with warnings.catch_warnings():
        # openpyxl: "Unknown extension is not supported and will be removed" (harmless)
        warnings.filterwarnings("ignore", message="Unknown extension", category=UserWarning)
        return pd.read_excel(path, sheet_name=None, header=header)


def _excel(path: Path, header: int | None = 0) -> dict[str, pd.DataFrame]:
    """All sheets of a workbook (formulas read as Excel's cached values); cached, copied."""
    st = path.stat()
    sheets = _excel_cached(str(path.resolve()), (st.st_mtime_ns, st.st_size), header)
    return {k: v.copy() for k, v in sheets.items()}


def _ascii_key(name: str) -> str:
    """Province name → ASCII key: no diacritics, lower case, letters and digits only."""
    text = str(name).replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _squash(text: Any) -> str:
    """Text with runs of white space collapsed and Unicode in NFC (the workbooks mix forms)."""
    return unicodedata.normalize("NFC", " ".join(str(text).split()))


# ----------------------------------------------------------------------- PAPI
#: Column of the unweighted PAPI total in every sheet of PAPI_2011-2016.xlsx.
PAPI_TOTAL_HEADER = "Un-weighted2015PAPI"
_PAPI_ID_COLUMNS = ["tinhid", "tentinh_eng", "tentinh_vie"]
_PAPI_HIGHEST = 999  # the "999 Highest / Điểm cao nhất" row of =PERCENTILE(…, 1) formulas
_PAPI_COMMON = [
    "PAR_KNOW", "PAR_OPP", "PAR_ELEC", "PAR_CONTR",
    "TRA_POOR", "TRA_BUDG", "TRA_LAND",
    "VA_INTER", "VA_PIB",
    "COC_PUB", "COC_SERV", "COC_EMPL", "COC_WILL",
    "PAP_CERT", "PAP_CONS", "PAP_LURC", "PAP_PERS",
    "PSD_HLTH", "PSD_EDUC", "PSD_INFR", "PSD_LAW",
]  # fmt: skip
#: The sub-dimensions published in each year of PAPI_2011-2016.xlsx (22 a year): Vertical
#: Accountability has Community Investment Boards until 2015 and Responsive to Citizen
#: Actions from 2016 (the loader checks the workbook against this table).
PAPI_SUBDIMENSIONS_BY_YEAR: dict[int, frozenset[str]] = {
    **{y: frozenset([*_PAPI_COMMON, "VA_CIB"]) for y in range(2011, 2016)},
    2016: frozenset([*_PAPI_COMMON, "VA_RESP"]),
}


def papi_ucode(tinhid: int) -> str:
    """Unit code of a PAPI province: ``"P"`` + the two-digit GSO code (``tinhid``)."""
    return f"P{int(tinhid):02d}"


def _load_papi(
    folder: Path, meta: Mapping[str, Any], framework: Framework, panel: bool
) -> dict[str, pd.DataFrame]:
    """PAPI workbook → iData panel, published dimension/total scores and province names.

    Sheets ``<year>_PAPI``: row 1 English headers (mapped to codes through the
    framework's English names), row 2 Vietnamese headers (skipped), one row per province,
    the ``999 Highest`` row and blank rows dropped. uCode = ``P`` + GSO code. The
    published total is the workbook's ``Un-weighted2015PAPI`` column, except that rows
    with every dimension blank (Bac Giang and Dong Thap, 2014) get a missing total
    instead of the 0 their ``=D+I+M+Q+V+AA`` formula evaluates to.
    """
    path = (folder / meta["raw"]["papi"]).resolve()
    src = str(path)
    by_header = {framework[c].name_en: c for c in framework.codes_at(1) + framework.codes_at(2)}
    dims, root = framework.codes_at(2), framework.root
    problems = ProblemList()
    frames = []
    for sheet, raw in _excel(path).items():
        where = f"{src} [{sheet}]"
        m = re.fullmatch(r"(\d{4})_PAPI", sheet)
        if not m:
            problems.add("unexpected sheet (expected <year>_PAPI)", source=src, value=sheet)
            continue
        year = int(m.group(1))
        df = raw.iloc[1:]  # row 2 of the sheet: Vietnamese headers
        cols = [str(c) for c in df.columns]
        if cols[:3] != _PAPI_ID_COLUMNS:
            problems.add(f"first columns must be {_PAPI_ID_COLUMNS}", source=where, value=cols[:3])
            continue
        unknown = [c for c in cols[3:] if c not in by_header and c != PAPI_TOTAL_HEADER]
        for c in unknown:
            problems.add("column is not in the PAPI framework", source=where, column=c)
        for code in dims:
            if framework[code].name_en not in cols:
                problems.add("dimension column is missing", source=where, column=code)
        subs = {by_header[c] for c in cols[3:] if c in by_header and by_header[c] not in dims}
        expected = PAPI_SUBDIMENSIONS_BY_YEAR.get(year)
        if expected is None or subs != expected:
            problems.add(
                "sub-dimensions differ from PAPI_SUBDIMENSIONS_BY_YEAR",
                source=where,
                value=", ".join(sorted(subs ^ (expected or set()))),
            )
        if unknown or PAPI_TOTAL_HEADER not in cols:
            if PAPI_TOTAL_HEADER not in cols:
                problems.add("total column is missing", source=where, column=PAPI_TOTAL_HEADER)
            continue
        ids = pd.to_numeric(df["tinhid"], errors="coerce")
        df = df.loc[ids.notna() & (ids != _PAPI_HIGHEST)]
        out = pd.DataFrame(
            {
                "uCode": [papi_ucode(t) for t in df["tinhid"]],
                "uName": df["tentinh_eng"].astype(str).str.strip().to_numpy(),
                "uName_vi": df["tentinh_vie"].astype(str).str.strip().to_numpy(),
                "gso_code": df["tinhid"].astype(int).to_numpy(),
                "Time": year,
            }
        )
        for header, code in by_header.items():
            if header in df.columns:
                out[code] = pd.to_numeric(df[header], errors="coerce").to_numpy(dtype=float)
        out[root] = pd.to_numeric(df[PAPI_TOTAL_HEADER], errors="coerce").to_numpy(dtype=float)
        frames.append(out)
    problems.raise_if_any("unexpected PAPI workbook layout")

    allyears = pd.concat(frames, ignore_index=True).sort_values(["Time", "gso_code"], kind="stable")
    allyears = allyears.reset_index(drop=True)
    blank = allyears[dims].isna().all(axis=1)
    allyears.loc[blank, root] = float("nan")
    indicators = framework.indicators
    idata = allyears.reindex(columns=["uCode", "uName", "Time", *indicators])
    idata[indicators] = idata[indicators].astype(float)
    published = allyears[["uCode", "uName", "Time", *dims, root]].copy()
    units = (
        allyears[["uCode", "uName", "uName_vi", "gso_code"]]
        .drop_duplicates("uCode")
        .sort_values("gso_code")
        .reset_index(drop=True)
    )
    return {"idata": idata, "published": published, "units": units}


# ------------------------------------------------------------------------ PCI
#: The six PCI rating tiers as published in 2016 (Vietnamese, best first) with the PCI's own
#: English tier names (the workbook's PCI 2013 ``Summary`` sheet: Excellent … Very low),
#: matched by order.
PCI_TIERS: dict[str, str] = {
    "Rất tốt": "Excellent",
    "Tốt": "High",
    "Khá": "Mid-high",
    "Trung bình": "Mid-low",
    "Tương đối thấp": "Low",
    "Thấp": "Very low",
}
# Spellings in PCI_2016.xlsx that differ from the PAPI workbook's province names.
_PCI_NAME_ALIASES = {
    "tphcm": "tphochiminh",
    "tthue": "thuathienhue",
    "brvt": "bariavungtau",
    "baccan": "backan",
}


def _load_pci(
    folder: Path, meta: Mapping[str, Any], framework: Framework, panel: bool
) -> dict[str, pd.DataFrame]:
    """PCI 2016 workbook (sheet ``Summary_VN``) → iData, published total/rank/tier.

    ``Summary_VN`` lists, for each sub-index, (province, score) pairs sorted by score,
    then (province, ``PCI 2016``, ``Xếp hạng`` rank, ``Nhóm xếp hạng`` tier) sorted by the
    total. Sub-index headers are matched against the framework's ``data`` fields. Province
    names are mapped to the PAPI unit codes (``P`` + GSO code) by their ASCII form, with
    the aliases in ``_PCI_NAME_ALIASES`` (Tp.HCM, TT.Huế, BRVT, Bắc Cạn).
    """
    if panel:
        raise ValidationError(
            [Problem(rule="PCI is bundled for 2016 only; there is no panel", source="pci")],
            title="no panel data",
        )
    path = (folder / meta["raw"]["pci"]).resolve()
    where = f"{path} [Summary_VN]"
    papi_units = _load_papi(
        folder, {"raw": {"papi": meta["raw"]["provinces"]}}, load_framework("papi"), False
    )["units"]
    lookup = {}
    for row in papi_units.itertuples():
        lookup[_ascii_key(row.uName)] = (row.uCode, row.uName)
        lookup[_ascii_key(row.uName_vi)] = (row.uCode, row.uName)

    sheet = _excel(path, header=None)["Summary_VN"]
    header = [_squash(v) for v in sheet.iloc[0]]
    problems = ProblemList()
    indicators = framework.indicators
    for k, code in enumerate(indicators):
        if header[2 + 2 * k] != _squash(framework[code].data):
            problems.add(
                f"sub-index header should read {framework[code].data!r}",
                source=where,
                column=code,
                value=header[2 + 2 * k],
            )
    total_col = 2 + 2 * len(indicators)
    for offset, text in enumerate(("PCI 2016", "Xếp hạng", "Nhóm xếp hạng")):
        if header[total_col + offset] != text:
            problems.add(
                f"header should read {text!r}", source=where, value=header[total_col + offset]
            )
    problems.raise_if_any("unexpected PCI workbook layout")

    body = sheet.iloc[1:]
    body = body.loc[: body.index[body[1].isna()].min() - 1] if body[1].isna().any() else body

    def code_of(name: Any, row: int) -> str | None:
        key = _ascii_key(name)
        hit = lookup.get(_PCI_NAME_ALIASES.get(key, key))
        if hit is None:
            problems.add(
                "province not found in the PAPI province list",
                source=where,
                row=row + 1,
                value=name,
            )
            return None
        return hit[0]

    columns = {}
    for k, code in enumerate(indicators):
        scores = {}
        for i, (name, value) in body[[1 + 2 * k, 2 + 2 * k]].iterrows():
            ucode = code_of(name, i)
            if ucode in scores:
                problems.add(
                    "province listed twice", source=where, row=i + 1, column=code, value=name
                )
            scores[ucode] = float(value)
        columns[code] = scores
    totals = []
    for i, row in body.iterrows():
        tier = _squash(row[total_col + 2])
        if tier not in PCI_TIERS:
            problems.add(
                f"unknown tier; expected {list(PCI_TIERS)}", source=where, row=i + 1, value=tier
            )
        totals.append(
            {
                "uCode": code_of(row[total_col - 1], i),
                framework.root: float(row[total_col]),
                "rank": int(row[total_col + 1]),
                "tier": tier,
                "tier_en": PCI_TIERS.get(tier, ""),
            }
        )
    problems.raise_if_any("unexpected PCI workbook content")

    names = dict(zip(papi_units["uCode"], papi_units["uName"], strict=True))
    order = papi_units["uCode"][papi_units["uCode"].isin(columns[indicators[0]])].tolist()
    idata = pd.DataFrame({"uCode": order, "uName": [names[c] for c in order], "Time": 2016})
    for code in indicators:
        idata[code] = [columns[code][c] for c in order]
    published = pd.DataFrame(totals).set_index("uCode").loc[order].reset_index()
    published.insert(1, "uName", [names[c] for c in order])
    published.insert(2, "Time", 2016)
    units = papi_units[papi_units["uCode"].isin(order)].reset_index(drop=True)
    return {"idata": idata, "published": published, "units": units}


_LOADERS: dict[str, Callable[..., dict[str, pd.DataFrame]]] = {
    "papi": _load_papi,
    "pci": _load_pci,
}
