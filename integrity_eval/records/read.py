"""Read records from DataFrames, CSV, Parquet and XLSX into DuckDB, validated lazily.

:func:`read` never loads a Parquet or CSV file into pandas: every input becomes a
DuckDB view, the columns are parsed in SQL (dates, yes/no, categories with their
Chinese labels), and one scan lists every bad row of every rule of the record
kind (:mod:`.schema`), in the manner of pandera's lazy validation. Duplicate
``record_id`` values are found by one grouped query. Rows are named by file and
row: the spreadsheet row for CSV and XLSX (the header is row 1), the 0-based
position for Parquet files and DataFrames.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as _dt
import functools
import itertools
import os
import shutil
import tempfile
import weakref
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from ..errors import Problem, ProblemList, ValidationError
from ..io import read_table
from .schema import Column, Kind, get_kind

__all__ = [
    "DATE_FLOOR",
    "MATERIALIZE_BYTES",
    "MAX_LISTED",
    "MEMORY_LIMIT",
    "Records",
    "read",
    "shared_connection",
]

#: Problems listed one by one in a ValidationError; beyond that, one summary per rule
#: (``skip_invalid=True`` keeps every rejected row with its reason).
MAX_LISTED = 1000
SUFFIXES = (".parquet", ".csv", ".xlsx", ".xlsm")
#: Parquet input up to this size (bytes on disk, about 30 million breach records) is
#: copied into DuckDB once by default.
MATERIALIZE_BYTES = 256 << 20
#: DuckDB's memory limit for the shared connection, set explicitly (DuckDB's own default is
#: 80 % of the machine's memory): 10 million records need about 0.7 GiB; beyond the limit
#: DuckDB spills to a temporary folder instead of growing. ``read(memory_limit=...)`` changes it.
MEMORY_LIMIT = "1GB"
#: Earliest plausible record date (issue 20: a typo such as 0001-01-01 would otherwise
#: stretch a monthly table over two thousand years); the latest is the end of next year.
DATE_FLOOR = "1990-01-01"
_DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d"]
_TRUE = ("true", "t", "1", "1.0", "yes", "y", "是", "√")
_FALSE = ("false", "f", "0", "0.0", "no", "n", "否", "×")
_counter = itertools.count()


class Records:
    """Validated records of one kind, held in DuckDB (a view: nothing loaded into pandas).

    ``kind``: the :class:`~.schema.Kind`; ``con``: the DuckDB connection;
    ``view``: the name of the typed view of valid rows (columns of the kind, any
    extra input columns as text, ``_source`` and ``_row``); ``units``: the
    declared units (also counted when they have no record); ``rejected``: the
    rows left out by ``skip_invalid`` with their reasons (a DataFrame, may be
    empty).
    """

    def __init__(
        self,
        kind: Kind,
        con: duckdb.DuckDBPyConnection,
        view: str,
        *,
        units: Sequence[str] = (),
        rejected: pd.DataFrame | None = None,
        keep: Sequence[Any] = (),
        present: Iterable[str] | None = None,
    ) -> None:
        self.kind = kind
        self.con = con
        self.view = view
        self.units = tuple(units)
        self.rejected = rejected if rejected is not None else _problem_frame([])
        self._keep = tuple(keep)  # registered DataFrames must outlive the views
        if present is not None:  # the units of the valid rows, known from reading them
            self.__dict__["_present_units"] = frozenset(present)

    @property
    def relation(self) -> duckdb.DuckDBPyRelation:
        return self.con.table(self.view)

    @property
    def columns(self) -> list[str]:
        return [c for c in self.relation.columns if not c.startswith("_")]

    def __len__(self) -> int:
        return int(self.con.execute(f"SELECT count(*) FROM {self.view}").fetchall()[0][0])

    def to_frame(self, limit: int | None = None) -> pd.DataFrame:
        """The valid records as a DataFrame (``limit`` rows at most: mind the size)."""
        cols = ", ".join(_q(c) for c in self.columns)
        sql = f"SELECT {cols} FROM {self.view} ORDER BY _source, _row"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self.con.sql(sql).df()

    @functools.cached_property
    def _present_units(self) -> frozenset[str]:
        rows = self.con.sql(f"SELECT DISTINCT uCode FROM {self.view}").fetchall()
        return frozenset(r[0] for r in rows)

    def all_units(self) -> list[str]:
        """Declared units and every unit present in the records, sorted."""
        return sorted({*self.units, *self._present_units})

    def __repr__(self) -> str:
        return (
            f"<Records {self.kind.name} ({self.kind.zh}): {len(self)} valid, "
            f"{self.rejected['_row'].nunique() if len(self.rejected) else 0} rejected>"
        )

    def _repr_html_(self) -> str:
        head = self.to_frame(limit=10).to_html(index=False)
        from html import escape

        return f"<p>{escape(repr(self))}</p>{head}"


def read(
    paths_or_frames: Any,
    kind: str = "breach",
    *,
    units: Iterable[str] | pd.DataFrame | None = None,
    skip_invalid: bool = False,
    con: duckdb.DuckDBPyConnection | None = None,
    memory_limit: str | None = None,
    threads: int | None = None,
    materialize: bool | None = None,
    dates: tuple[Any, Any] | None = None,
) -> Records:
    """Read and validate records of ``kind`` (``breach``, ``commitment``, ``ticket``,
    ``case``, ``proposal``; docs/records.md).

    ``paths_or_frames``: a DataFrame, a file (``.parquet``, ``.csv``, ``.xlsx``), a
    folder (every such file inside, recursively, in name order) or a list of them.
    Headers may be the English column names or their Chinese labels. ``units``:
    the known unit codes (a list or a DataFrame with ``uCode``): a record of any
    other unit is an error, and a unit without records still gets zero counts.

    Every bad row is reported at once (:class:`~integrity_eval.errors.ValidationError`):
    missing required values, dates that do not parse, an end before its start,
    unknown units, sources or categories, duplicate ``record_id``, negative
    amounts, a status without its date, a date outside ``dates`` (first and last
    plausible day; default :data:`DATE_FLOOR` to the end of next year). With
    ``skip_invalid=True`` the valid rows are kept and the rejected ones are in
    ``Records.rejected`` with their reasons.
    ``memory_limit`` (e.g. ``"2GB"``) and ``threads`` configure DuckDB (the
    process's one in-memory database, :func:`shared_connection`, unless ``con`` is
    given; its defaults are :data:`MEMORY_LIMIT` and the CPUs this process may use),
    which then spills to disk instead of exceeding the limit.
    ``materialize``: copy the valid, parsed records into a DuckDB table once
    (faster repeated queries); default: no when every input is Parquet (columnar,
    typed and compressed: scanned in place by each query, memory stays small), else
    yes unless the Parquet input exceeds :data:`MATERIALIZE_BYTES` on disk. DuckDB
    spills to a folder in the system's temporary directory, removed when the process
    ends.
    """
    spec = get_kind(kind)
    con = con or shared_connection()
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    n = next(_counter)
    problems = ProblemList()
    parts, keep, sources = _input_views(paths_or_frames, spec, con, n, problems)
    problems.raise_if_any(f"无法读取{spec.zh} / cannot read {kind} records")
    union = f"_raw_{n}"
    con.execute(f"CREATE TEMP VIEW {union} AS " + " UNION ALL BY NAME ".join(parts))
    rel = con.sql(f"SELECT * FROM {union} LIMIT 0")
    types = dict(zip(rel.columns, map(str, rel.dtypes), strict=True))
    unit_list = _unit_codes(units)
    if unit_list:
        con.execute(f"CREATE OR REPLACE TEMP TABLE _units_{n} (uCode VARCHAR)")
        con.executemany(f"INSERT INTO _units_{n} VALUES (?)", [[u] for u in unit_list])
    checks, where = _checks(spec, types, f"_units_{n}" if unit_list else None, _date_window(dates))
    raws = [c for c in spec.names if c in types]
    if materialize is None:
        materialize = _materialize_default(paths_or_frames)
    parsed = _parsed(spec, types, set() if materialize else _verbatim(con, spec, union, types))
    both = ", ".join(
        [f"{sql} AS {_q(name)}" for name, sql in parsed.items()]
        + [f"{_q(c)} AS {_q('r_' + c)}" for c in types if not c.startswith("_")]
    )
    extras = [c for c in types if c not in spec.names and not c.startswith("_")]
    if materialize:
        # one pass: parse and flag the rows that may break a rule (file names as an ENUM,
        # not a text per row); the raw values of flagged rows are joined back from the
        # input only when there are any
        table = f"_rec_{n}"
        r_all = [f"r_{c}" for c in types if not c.startswith("_")]
        extra_sql = "".join(f", CAST({_q('r_' + c)} AS VARCHAR) AS {_q(c)}" for c in extras)
        enum = f"ENUM({_list(dict.fromkeys(sources))})"
        con.execute(
            f"""CREATE TEMP TABLE {table} AS
            SELECT * EXCLUDE ({", ".join(map(_q, r_all))}){extra_sql} FROM (
                SELECT * REPLACE (CAST(_source AS {enum}) AS _source),
                    COALESCE({where}, FALSE) AS _suspect
                FROM (SELECT {both}, _source, _row FROM {union})
            )"""
        )
        typed = f"_typed_{n}"
        con.execute(
            f"CREATE TEMP VIEW {typed} AS SELECT * EXCLUDE (_suspect) "
            f"REPLACE (CAST(_source AS VARCHAR) AS _source) FROM {table}"
        )
        scan, flag = table, "_suspect"
        raw_sql = ", ".join(f"{_q(c)} AS {_q('r_' + c)}" for c in raws)
        src = (
            f"(SELECT t.*, r.* EXCLUDE (_source, _row) FROM "
            f"(SELECT * REPLACE (CAST(_source AS VARCHAR) AS _source) FROM {table} "
            f"WHERE _suspect) t JOIN "
            f"(SELECT {raw_sql}, _source, _row FROM {union}) r USING (_source, _row))"
        )
        src_where = "TRUE"
    else:
        typed = f"_typed_{n}"
        con.execute(f"CREATE TEMP VIEW {typed} AS {_typed_sql(spec, parsed, union, types)}")
        src, src_where = f"(SELECT {both}, _source, _row FROM {union})", where
        scan, flag = src, f"COALESCE({where}, FALSE)"
    suspect, repeated, present = _screen(con, scan, flag)
    bad = _problem_rows(con, checks if suspect else [], src, src_where, typed, types, repeated)
    if len(bad) and not skip_invalid:
        raise ValidationError(_as_problems(bad), title=f"{spec.zh}有误 / invalid {kind} records")
    view = f"_valid_{n}"
    if len(bad):
        keys = f"_bad_{n}"
        con.register(keys + "_df", bad[["_source", "_row"]].drop_duplicates())
        con.execute(f"CREATE TEMP TABLE {keys} AS SELECT * FROM {keys}_df")
        con.unregister(keys + "_df")
        con.execute(
            f"CREATE TEMP VIEW {view} AS SELECT * FROM {typed} t "
            f"ANTI JOIN {keys} b ON t._source = b._source AND t._row = b._row"
        )
    else:
        con.execute(f"CREATE TEMP VIEW {view} AS SELECT * FROM {typed}")
    out = Records(
        spec,
        con,
        view,
        units=unit_list,
        rejected=bad,
        keep=keep,
        present=None if len(bad) else present,
    )
    weakref.finalize(out, _drop, con, n)
    return out


_SHARED: list[duckdb.DuckDBPyConnection] = []


def shared_connection() -> duckdb.DuckDBPyConnection:
    """The process's DuckDB in-memory database used by :func:`read` (one memory limit,
    one thread pool for every kind of records read)."""
    if not _SHARED:
        con = duckdb.connect()
        # spill to the system's temporary folder, never into the user's working folder
        spill = tempfile.mkdtemp(prefix="integrity-eval-duckdb-")
        atexit.register(shutil.rmtree, spill, ignore_errors=True)
        con.execute(f"SET temp_directory = {_lit(spill)}")
        con.execute(f"SET memory_limit = {_lit(MEMORY_LIMIT)}")
        con.execute(f"SET threads = {_cpus()}")
        _SHARED.append(con)
    return _SHARED[0]


def _cpus() -> int:
    """The CPUs this process may run on (DuckDB's thread count for the shared connection)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _drop(con: duckdb.DuckDBPyConnection, n: int) -> None:
    """Drop the temporary views and tables of read number ``n`` once its Records is gone."""
    with contextlib.suppress(duckdb.Error):
        for name in ("_valid", "_typed", "_raw"):
            con.execute(f"DROP VIEW IF EXISTS {name}_{n}")
        for name in ("_rec", "_bad", "_units"):
            con.execute(f"DROP TABLE IF EXISTS {name}_{n}")
        views = con.execute("SELECT view_name FROM duckdb_views() WHERE temporary").fetchall()
        for (name,) in views:
            if name.startswith(f"_in_{n}_"):
                con.unregister(name)


# ----------------------------------------------------------------- inputs
def _input_views(
    inputs: Any, spec: Kind, con: duckdb.DuckDBPyConnection, n: int, problems: ProblemList
) -> tuple[list[str], list[Any], list[str]]:
    """One SQL SELECT per input, with the kind's column names, ``_source`` and ``_row``;
    the objects to keep alive; every ``_source`` value."""
    items = list(inputs) if isinstance(inputs, list | tuple) else [inputs]
    parts: list[str] = []
    keep: list[Any] = []
    parquet: list[str] = []
    sources: list[str] = []
    for i, item in enumerate(items):
        if isinstance(item, pd.DataFrame):
            name = f"_in_{n}_{i}"
            con.register(name, item)
            keep.append(item)
            label = "DataFrame" if len(items) == 1 else f"DataFrame[{i}]"
            parts += _select(con, name, label, spec, problems, offset=0)
            sources.append(label)
            continue
        for path in _files(Path(item), problems):
            if path.suffix.lower() == ".parquet":
                parquet.append(str(path))
            elif path.suffix.lower() == ".csv":
                parts += _csv(con, path, spec, problems, n, len(parts), keep)
                sources.append(str(path))
            else:
                df = read_table(path, text_columns=("record_id", "uCode"))
                name = f"_in_{n}_{i}_{len(parts)}"
                con.register(name, df)
                keep.append(df)
                parts += _select(con, name, str(path), spec, problems, offset=2)
                sources.append(str(path))
    if parquet:
        files = "[" + ", ".join(_lit(p) for p in parquet) + "]"
        src = (
            f"read_parquet({files}, filename = true, file_row_number = true, union_by_name = true)"
        )
        cols = [c for c in con.sql(f"SELECT * FROM {src} LIMIT 0").columns]
        data_cols = [c for c in cols if c not in ("filename", "file_row_number")]
        label = "filename" if len(parquet) > 1 else _lit(parquet[0])
        parts.append(
            _projection(data_cols, spec, f"{src}", label, "file_row_number", problems, parquet)
        )
        sources += parquet
    if not parts and not problems:
        problems.add(
            "没有记录文件 / no record files found (.parquet, .csv, .xlsx)", source=str(inputs)
        )
    return parts, keep, sources


def _materialize_default(inputs: Any) -> bool:
    """Parquet files stay where they are (columnar, typed and compressed: each query scans
    them, memory stays small); other inputs (CSV, XLSX, DataFrames) are parsed once into a
    table, unless they come with Parquet files larger than :data:`MATERIALIZE_BYTES`."""
    items = list(inputs) if isinstance(inputs, list | tuple) else [inputs]
    frames = any(isinstance(i, pd.DataFrame) for i in items)
    files = [f for i in items if not isinstance(i, pd.DataFrame) for f in _all_files(Path(i))]
    parquet = [f for f in files if f.suffix.lower() == ".parquet"]
    if parquet and not frames and len(parquet) == len(files):
        return False
    return sum(f.stat().st_size for f in parquet) < MATERIALIZE_BYTES


def _all_files(path: Path) -> list[Path]:
    """The record files of a path (a folder: every such file inside); missing paths none."""
    if path.is_dir():
        return [p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES]
    return [path] if path.exists() else []


def _files(path: Path, problems: ProblemList) -> list[Path]:
    if path.is_dir():
        found = sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES)
        if not found:
            problems.add(
                "文件夹中没有记录文件 / no .parquet, .csv or .xlsx file in the folder",
                source=str(path),
            )
        return found
    if not path.exists():
        problems.add("文件不存在 / file does not exist", source=str(path))
        return []
    if path.suffix.lower() not in SUFFIXES:
        problems.add(
            f"不支持的文件类型 / unsupported file type; expected one of {list(SUFFIXES)}",
            source=str(path),
            value=path.suffix,
        )
        return []
    return [path]


def _csv(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    spec: Kind,
    problems: ProblemList,
    n: int,
    j: int,
    keep: list[Any],
) -> list[str]:
    """A CSV read by DuckDB as text (UTF-8), comma-separated and strict; any other file
    (GBK…, ragged rows, which DuckDB's sniffer would read as one column) goes through
    io.read_table, which decodes it or names the rows it refuses."""
    src = (
        f"read_csv({_lit(str(path))}, all_varchar = true, header = true, delim = ',', "
        "quote = '\"', escape = '\"', strict_mode = true, skip = 0)"
    )
    try:
        cols = con.sql(f"SELECT * FROM {src} LIMIT 0").columns
        con.execute(f"SELECT count(*) FROM {src}").fetchall()[0]  # decoding errors surface here
    except duckdb.Error:
        df = read_table(path, text_columns=("record_id", "uCode"))
        name = f"_in_{n}_csv_{j}"
        con.register(name, df)
        keep.append(df)
        return _select(con, name, str(path), spec, problems, offset=2)
    row = "(row_number() OVER () + 1)"
    return [_projection(list(cols), spec, src, _lit(str(path)), row, problems, [str(path)])]


def _select(
    con: duckdb.DuckDBPyConnection,
    name: str,
    label: str,
    spec: Kind,
    problems: ProblemList,
    offset: int,
) -> list[str]:
    cols = con.sql(f"SELECT * FROM {name} LIMIT 0").columns
    row = f"(row_number() OVER () - 1 + {offset})"
    return [_projection(list(cols), spec, name, _lit(label), row, problems, [label])]


def _projection(
    cols: list[str],
    spec: Kind,
    src: str,
    source_sql: str,
    row_sql: str,
    problems: ProblemList,
    labels: list[str],
) -> str:
    """SELECT the input's columns under the kind's names (Chinese headers accepted)."""
    aliases = {c.zh: c.name for c in spec.columns if c.zh}
    rename: dict[str, str] = {}
    for c in cols:
        key = str(c).strip()
        name = aliases.get(key, key)
        if name not in rename.values():
            rename[c] = name
    missing = [c.name for c in spec.columns if c.required and c.name not in rename.values()]
    for m in missing:
        problems.add(
            f"缺少必填列 / required column is missing ({spec.column(m).zh})",
            source=", ".join(labels),
            column=m,
        )
    select = [f"{_q(c)} AS {_q(name)}" for c, name in rename.items() if not name.startswith("_")]
    return f"SELECT {', '.join(select)}, {source_sql} AS _source, {row_sql} AS _row FROM {src}"


# ----------------------------------------------------------------- parsing
def _parsed(spec: Kind, types: dict[str, Any], verbatim: set[str]) -> dict[str, str]:
    """Each column of the kind: the SQL of its typed value (the input column itself for
    the ``verbatim`` ones)."""
    return {
        c.name: _q(c.name) if c.name in verbatim else _parse(c, types.get(c.name))
        for c in spec.columns
    }


def _verbatim(
    con: duckdb.DuckDBPyConnection, spec: Kind, union: str, types: dict[str, Any]
) -> set[str]:
    """The text and category columns (``record_id`` aside) whose every distinct input value
    is already its parsed value: a code, no surrounding space. Their typed value is the
    input column itself, so no later query pays for parsing them again (one small query
    over the distinct values of each; the usual clean file has only such columns)."""
    cols = [
        c
        for c in spec.columns
        if c.type in ("text", "category")
        and c.name != "record_id"
        and str(types.get(c.name, "")).upper() == "VARCHAR"
    ]
    if not cols:
        return set()
    each = ", ".join(
        f"(SELECT bool_and(({_parse(c, 'VARCHAR')}) IS NOT DISTINCT FROM {_q(c.name)}) "
        f"FROM (SELECT DISTINCT {_q(c.name)} FROM {union}))"
        for c in cols
    )
    same = con.execute(f"SELECT {each}").fetchall()[0]
    return {c.name for c, ok in zip(cols, same, strict=True) if ok is True}


def _typed_sql(spec: Kind, parsed: dict[str, str], union: str, types: dict[str, Any]) -> str:
    cols = [f"{sql} AS {_q(name)}" for name, sql in parsed.items()]
    extras = [
        f"CAST({_q(c)} AS VARCHAR) AS {_q(c)}"
        for c in types
        if c not in spec.names and not c.startswith("_")
    ]
    return f"SELECT {', '.join(cols + extras)}, _source, _row FROM {union}"


def _parse(col: Column, dtype: Any) -> str:
    """SQL expression turning the raw column into its typed value (NULL if it doesn't parse)."""
    if dtype is None:  # optional column absent from every input
        sql_type = {"date": "DATE", "bool": "BOOLEAN", "int": "BIGINT", "number": "DOUBLE"}
        return f"CAST(NULL AS {sql_type.get(col.type, 'VARCHAR')})"
    q = _q(col.name)
    kind = str(dtype).upper()
    text = _trimmed(q) if kind == "VARCHAR" else _as_text(q, kind)
    if col.type == "text":
        return text
    if col.type == "date":
        if kind == "DATE":
            return q
        if kind.startswith("TIMESTAMP"):
            return f"CAST({q} AS DATE)"
        fmts = "[" + ", ".join(_lit(f) for f in _DATE_FORMATS) + "]"
        return (
            f"COALESCE(TRY_CAST({text} AS DATE), "
            f"CAST(TRY_STRPTIME(split_part({text}, ' ', 1), {fmts}) AS DATE))"
        )
    if col.type == "bool":
        if kind == "BOOLEAN":
            return q
        low = f"lower({text})"
        return (
            f"CASE WHEN {low} IN ({_list(_TRUE)}) THEN TRUE "
            f"WHEN {low} IN ({_list(_FALSE)}) THEN FALSE END"
        )
    if col.type == "category":
        key = f"lower({text})" if kind == "VARCHAR" else text
        labels = {label.lower(): code for label, code in (col.allowed or {}).items()}
        if kind != "VARCHAR":  # numbers and other types: only the codes can match
            labels = {k: v for k, v in labels.items() if k == v.lower()}
        cases = " ".join(f"WHEN {_lit(label)} THEN {_lit(code)}" for label, code in labels.items())
        slow = f"CASE {key} {cases} END"
        if kind != "VARCHAR":
            return slow
        # fast path first: values already written as codes (a CASE, not an IN list, which
        # DuckDB would turn into a join that every query of the view then pays for)
        first = " ".join(f"WHEN {_lit(code)} THEN {_lit(code)}" for code in col.codes)
        return f"CASE {q} {first} ELSE {slow} END"
    target = "BIGINT" if col.type == "int" else "DOUBLE"
    if kind in _NUMERIC:
        return f"CAST({q} AS {target})"
    return f"TRY_CAST({text} AS {target})"


_NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "FLOAT", "DOUBLE")
_INTEGER = _NUMERIC[:5]


def _trimmed(q: str) -> str:
    """SQL: the text without surrounding spaces, NULL when empty. ``trim`` (which removes
    Unicode spaces) runs only on values that do not start and end with a printable ASCII
    character, and so may need it: most values are left as they are, at a fraction of
    the cost."""
    ends = f"left({q}, 1) BETWEEN '!' AND '~' AND right({q}, 1) BETWEEN '!' AND '~'"
    return f"CASE WHEN {ends} THEN {q} ELSE NULLIF(trim({q}), '') END"


def _as_text(q: str, kind: str) -> str:
    """Non-text input as text: whole-number floats without ``.0`` (Excel's 1.0 → ``1``)."""
    if kind in _INTEGER:
        return f"CAST({q} AS VARCHAR)"
    if kind in ("FLOAT", "DOUBLE") or kind.startswith("DECIMAL"):
        return (
            f"CASE WHEN {q} = round({q}) AND abs({q}) < 1e15 "
            f"THEN CAST(CAST({q} AS BIGINT) AS VARCHAR) ELSE CAST({q} AS VARCHAR) END"
        )
    return f"NULLIF(trim(CAST({q} AS VARCHAR)), '')"


def _already(col: Column, kind: str) -> bool:
    """True when the input column already has the target type (nothing can fail to parse)."""
    return (
        (col.type == "date" and (kind == "DATE" or kind.startswith("TIMESTAMP")))
        or (col.type == "bool" and kind == "BOOLEAN")
        or (col.type in ("int", "number") and kind in _NUMERIC)
        or col.type == "text"
    )


# -------------------------------------------------------------- validation
def _checks(
    spec: Kind, types: dict[str, Any], units_table: str | None, window: tuple[str, str]
) -> tuple[list[tuple[str, str, str]], str]:
    """The kind's row rules as ``(condition, column, rule)`` over parsed columns (by name)
    and raw ones (``r_<name>``), and a cheap condition true on every failing row."""
    checks: list[tuple[str, str, str]] = []
    # cheap superset of the failing rows (typed NULLs, comparisons), so the exact, costlier
    # conditions run on those rows only
    screens: list[str] = []
    for c in spec.columns:
        if c.name not in types:
            continue
        raw = _q("r_" + c.name)
        val = _q(c.name)
        kind = str(types[c.name]).upper()
        present = (
            f"NULLIF(trim({raw}), '') IS NOT NULL" if kind == "VARCHAR" else f"{raw} IS NOT NULL"
        )
        if c.required:
            checks.append((f"NOT ({present})", c.name, "缺少必填值 / required value is missing"))
            screens.append(f"{val} IS NULL")
        if not _already(c, kind):
            checks.append((f"{present} AND {val} IS NULL", c.name, _parse_rule(c)))
            screens.append(f"({val} IS NULL AND {raw} IS NOT NULL)")
        if c.low is not None:
            op = "<=" if c.low_open else "<"
            word = "大于" if c.low_open else "不小于"
            rule = f"数值应{word} {c.low:g} / must be {'>' if c.low_open else '>='} {c.low:g}"
            if c.low == 0 and not c.low_open:
                rule = "不能为负数 / must not be negative"
            checks.append((f"{val} {op} {c.low}", c.name, rule))
        if c.high is not None:
            checks.append(
                (f"{val} > {c.high}", c.name, f"数值应不大于 {c.high:g} / must be <= {c.high:g}")
            )
        if c.type == "date":
            lo, hi = window
            checks.append(
                (
                    f"({val} < DATE '{lo}' OR {val} > DATE '{hi}')",
                    c.name,
                    f"日期超出合理范围（{lo} 至 {hi}）；请改正，或用 dates= 放宽范围 / date "
                    f"outside the plausible range {lo} to {hi}: correct it, or widen dates=",
                )
            )
    for start, end in spec.order:
        if start in types and end in types:
            checks.append(
                (
                    f"{_q(end)} < {_q(start)}",
                    end,
                    f"{end} 早于 {start} / {end} is before {start}",
                )
            )
    for status, date, cond in spec.needs_date:
        if status in types:
            has_date = f"{_q(date)} IS NOT NULL" if date in types else "FALSE"
            checks.append(
                (
                    f"{_q(status)} {cond} AND NOT ({has_date})",
                    date,
                    f"有 {status} 但缺少 {date} / {status} given without {date}",
                )
            )
    if units_table:
        checks.append(
            (
                f"uCode IS NOT NULL AND uCode NOT IN (SELECT uCode FROM {units_table})",
                "uCode",
                "未知单位 / unknown unit: not among the declared units",
            )
        )
    light = [f"COALESCE({cond}, FALSE)" for cond, col, rule in checks if "IS NOT NULL" not in cond]
    return checks, " OR ".join(dict.fromkeys(screens + light)) or "FALSE"


def _date_window(dates: tuple[Any, Any] | None) -> tuple[str, str]:
    """The first and last plausible record date as ISO texts (issue 20): ``dates`` or
    :data:`DATE_FLOOR` to the last day of next year."""
    lo, hi = dates if dates is not None else (DATE_FLOOR, f"{_dt.date.today().year + 1}-12-31")
    try:
        window = (pd.Timestamp(lo).date().isoformat(), pd.Timestamp(hi).date().isoformat())
    except (ValueError, TypeError):
        window = ("", "")
    if not window[0] or window[1] < window[0]:
        raise ValidationError(
            [
                Problem(
                    rule="应为两个日期（最早、最晚），如 ('1990-01-01', '2025-12-31') / expected "
                    "two dates (first, last), e.g. ('1990-01-01', '2025-12-31')",
                    source="dates",
                    value=str(dates),
                )
            ],
            title="日期范围有误 / invalid date range",
        )
    return window


def _screen(
    con: duckdb.DuckDBPyConnection, scan: str, flag: str
) -> tuple[int, pd.DataFrame, list[str]]:
    """One pass over every row: the number of rows ``flag`` marks as suspect, the 64-bit
    hashes of ``record_id`` seen more than once (candidates for duplicates: less memory
    than grouping the texts; checked exactly by :func:`_problem_rows`), and the units
    present (one grouping set each)."""
    groups = con.sql(
        f"""
        SELECT h, u, GROUPING(h) AS by_unit, count(*) AS n, count_if(s) AS s
        FROM (SELECT hash(record_id) AS h, uCode AS u, {flag} AS s FROM {scan})
        GROUP BY GROUPING SETS ((h), (u))
        HAVING GROUPING(h) = 1 OR count(*) > 1 OR count_if(s) > 0
        """
    ).df()
    units = groups["by_unit"] == 1
    hashes = groups[~units]
    present = groups.loc[units, "u"].dropna().astype(str).tolist()
    suspect = int(hashes["s"].sum())
    return suspect, hashes.loc[hashes["n"] > 1, ["h"]].reset_index(drop=True), present


def _problem_rows(
    con: duckdb.DuckDBPyConnection,
    checks: list[tuple[str, str, str]],
    src: str,
    where: str,
    typed: str,
    types: dict[str, Any],
    repeated: pd.DataFrame,
) -> pd.DataFrame:
    """Every (row, column, rule) that fails among the rows of ``src`` meeting ``where``,
    plus duplicate record ids (over ``typed``, among the ``repeated`` hashes)."""
    rows = _problem_frame([])
    if checks:
        raw = {c: f"CAST({_q('r_' + c)} AS VARCHAR)" for c in types}
        structs = ", ".join(
            f"CASE WHEN {cond} THEN {{'col': {_lit(col)}, 'val': {raw.get(col, 'NULL')}, "
            f"'rule': {_lit(rule)}}} END"
            for cond, col, rule in checks
        )
        rows = con.sql(
            f"""
            WITH joined AS (
                SELECT _source, _row, record_id,
                       list_filter([{structs}], lambda p: p IS NOT NULL) AS ps
                FROM {src} WHERE {where}
            )
            SELECT _source, _row, record_id, p.col AS "column", p.val AS value, p.rule AS rule
            FROM (SELECT _source, _row, record_id, unnest(ps) AS p FROM joined)
            """
        ).df()
    dups = _problem_frame([])
    if len(repeated):
        name = f"_repeated_{next(_counter)}"
        con.register(name, repeated)
        try:
            dups = con.sql(
                f"""
                WITH d AS (
                    SELECT record_id, count(*) AS n FROM {typed}
                    WHERE record_id IS NOT NULL AND hash(record_id) IN (SELECT h FROM {name})
                    GROUP BY record_id HAVING count(*) > 1
                )
                SELECT t._source, t._row, t.record_id, 'record_id' AS "column",
                       t.record_id AS value,
                       '记录编号重复（共 ' || d.n || ' 行）/ duplicate record_id ('
                           || d.n || ' rows)' AS rule
                FROM {typed} t JOIN d USING (record_id)
                """
            ).df()
        finally:
            con.unregister(name)
    out = pd.concat([rows, dups], ignore_index=True) if len(dups) else rows
    return out.sort_values(["_source", "_row", "column"], kind="stable").reset_index(drop=True)


def _parse_rule(c: Column) -> str:
    if c.type == "date":
        return "日期无法解析 / date does not parse (expected YYYY-MM-DD)"
    if c.type == "bool":
        return "应为是/否 / expected yes/no (是/否, true/false, 1/0)"
    if c.type == "category":
        return f"未知取值 / unknown value; expected one of {c.codes}"
    return "应为数值 / expected a number"


def _problem_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["_source", "_row", "record_id", "column", "value", "rule"])


def _as_problems(bad: pd.DataFrame) -> list[Problem]:
    listed = bad.head(MAX_LISTED)
    out = [
        Problem(
            rule=rule,
            source=str(source),
            row=str(row),
            column=str(column),
            value="" if pd.isna(value) else str(value),
        )
        for source, row, column, value, rule in zip(
            listed["_source"],
            listed["_row"],
            listed["column"],
            listed["value"],
            listed["rule"],
            strict=True,
        )
    ]
    rest = bad.iloc[MAX_LISTED:]
    for rule, n in rest.groupby("rule", sort=True).size().items():
        out.append(
            Problem(
                rule=f"另有 {n} 行违反此规则；用 --skip-invalid 写出全部被拒记录 / {n} more rows "
                f"break this rule; use skip_invalid=True (CLI --skip-invalid) to write them all: "
                f"{rule}"
            )
        )
    return out


def _unit_codes(units: Iterable[str] | pd.DataFrame | None) -> list[str]:
    if units is None:
        return []
    if isinstance(units, pd.DataFrame):
        units = units["uCode"]
    return sorted({str(u) for u in units})


def _q(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _list(values: Iterable[str]) -> str:
    return ", ".join(_lit(v) for v in values)
