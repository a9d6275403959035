"""A DuckDB database file that keeps validated records and computed results between runs.

An agency receives new records every month. Instead of re-reading and re-validating
every file at each run, it adds each month's validated :class:`~.read.Records` to a
store once, and later runs read everything the store holds::

    with ie.records.Store("records.duckdb") as store:
        store.add(ie.records.read("breach-2024-06.xlsx", kind="breach", units=units))
        rec = store.records("breach")        # a Records: breach_counts, indicators, trace
        store.contents()                     # kinds, files, counts, date range

Rules (docs/records.md, "Keeping records between runs"):

* Each add is one DuckDB transaction: every check passes and everything is written,
  or nothing is (a failed validation or conflict adds nothing).
* Every input file is recorded with its SHA-256 (a DataFrame: the SHA-256 of its
  validated rows). A file whose content is already in the store is skipped with a
  warning that names it, so adding the same file twice never duplicates records.
* A ``record_id`` already in the store with the same content is skipped (a re-delivered
  cumulative export adds only its new records); with different content it is an error
  naming the record, both files and rows, and the differing columns.
* The store records its schema version; a store written by a newer version is refused.
* DuckDB allows one writing process per file: a store in use by another process gives
  a clear error instead of DuckDB's lock exception. Input files are only read.

The store is attached to the process's DuckDB connection (:func:`~.read.shared_connection`),
so records read from files and from the store live in one database and are queried
alike; the file is created by DuckDB with the user's umask.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import json
import warnings
import weakref
from collections.abc import Iterable, Mapping
from hashlib import sha256
from html import escape
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from .._version import __version__
from ..errors import Problem, ProblemList, ValidationError
from ..io import file_sha256
from .read import MAX_LISTED, Records, _lit, _q, shared_connection
from .schema import KINDS, Kind, get_kind

__all__ = ["SCHEMA_VERSION", "Added", "Store"]

#: Version of the store's table layout, written into the file; a store with a higher
#: version (written by a newer integrity-eval) is refused.
SCHEMA_VERSION = 1
_SQL_TYPES = {"date": "DATE", "bool": "BOOLEAN", "int": "BIGINT", "number": "DOUBLE"}
_counter = itertools.count()
_META = """
CREATE TABLE {db}.store_meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE {db}.store_files (
    kind VARCHAR, source VARCHAR, name VARCHAR, sha256 VARCHAR, digest_of VARCHAR,
    records BIGINT, skipped_identical BIGINT, rejected BIGINT,
    added_at VARCHAR, package_version VARCHAR, PRIMARY KEY (kind, sha256));
CREATE TABLE {db}.store_units (uCode VARCHAR PRIMARY KEY);
CREATE TABLE {db}.store_results (
    name VARCHAR PRIMARY KEY, tbl VARCHAR, rows BIGINT, params VARCHAR, attrs VARCHAR,
    files VARCHAR, created_at VARCHAR, package_version VARCHAR);
"""


class Added:
    """What one :meth:`Store.add` did: ``files`` (kind, source, sha256, records, status),
    ``added`` (records written), ``identical`` (records already stored, skipped)."""

    def __init__(self, files: pd.DataFrame) -> None:
        self.files = files
        new = files[files["status"] == "added"]
        self.added = int((new["records"] - new["skipped_identical"]).sum())
        self.identical = int(files["skipped_identical"].sum())

    def __repr__(self) -> str:
        lines = [
            f"<Added: {self.added} 条记录已加入 / records added; {self.identical} 条已在库中"
            f"（内容相同）跳过 / already stored (identical), skipped>"
        ]
        for r in self.files.itertuples():
            lines.append(f"  {r.kind} {r.source} sha256 {r.sha256[:12]}…: {r.note or r.status}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = escape(repr(self).splitlines()[0])
        return f"<p>{head}</p>" + self.files.to_html(index=False)


class Store:
    """Records and results kept in a DuckDB database file (module docstring).

    ``path``: the database file (created if missing, unless ``read_only``).
    ``read_only``: open for reading only (several processes may read at once while
    none writes). ``con``: the DuckDB connection to attach the file to (default: the
    process's shared one, where :func:`~.read.read` puts records). Stores of the same
    file in one process share one attachment (a notebook cell run again just works);
    :meth:`close` releases it, as does garbage collection of the last of them.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        read_only: bool = False,
        con: duckdb.DuckDBPyConnection | None = None,
    ) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self.con = con or shared_connection()
        if read_only and not self.path.exists():
            raise _error("记录库不存在 / the store does not exist", self.path)
        key = (id(self.con), str(self.path.resolve()))
        att = _OPEN.get(key)
        if att is None or not att.finalizer.alive:
            att = _OPEN[key] = _Attachment(self.con, self.path, read_only)
        elif att.read_only and not read_only:
            raise _error(
                "记录库已在本进程中以只读方式打开，请先关闭 / the store is open read-only in this "
                "process: close() it first",
                self.path,
            )
        self._att, self.db = att, att.db
        try:
            self._check_schema()
        except BaseException:
            self.close()
            raise

    # ------------------------------------------------------------ lifecycle
    def close(self) -> None:
        """Detach the database file (releases DuckDB's lock), for every Store of this file
        in the process. Records read from the store cannot be queried afterwards."""
        self._att.finalizer()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _check_schema(self) -> None:
        tables = self._tables()
        if "store_meta" not in tables:
            if tables:
                raise _error(
                    "该 DuckDB 文件不是记录库 / this DuckDB file is not an integrity-eval records "
                    "store (no store_meta table); give a new file name",
                    self.path,
                )
            if self.read_only:
                raise _error("记录库为空 / the store is empty (not initialised)", self.path)
            now = _now()
            with self._transaction():
                self.con.execute(_META.format(db=self.db))
                self.con.executemany(
                    f"INSERT INTO {self.db}.store_meta VALUES (?, ?)",
                    [
                        ["schema_version", str(SCHEMA_VERSION)],
                        ["created_at", now],
                        ["created_by", f"integrity-eval {__version__}"],
                    ],
                )
            return
        version = self._meta().get("schema_version", "0")
        if not version.isdigit() or int(version) > SCHEMA_VERSION:
            raise _error(
                f"记录库由更新版本的 integrity-eval 写入（库结构版本 {version}，本版本最高读 "
                f"{SCHEMA_VERSION}）；请升级 integrity-eval / the store was written by a newer "
                f"integrity-eval (store schema version {version}; this version reads up to "
                f"{SCHEMA_VERSION}): upgrade integrity-eval to use it",
                self.path,
            )

    def _tables(self) -> set[str]:
        rows = self.con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = ?", [self.db]
        ).fetchall()
        return {r[0] for r in rows}

    def _meta(self) -> dict[str, str]:
        return dict(self.con.execute(f"SELECT key, value FROM {self.db}.store_meta").fetchall())

    def _transaction(self) -> _Transaction:
        if self.read_only:
            raise _error(
                "记录库以只读方式打开 / the store was opened read-only (read_only=True)",
                self.path,
            )
        return _Transaction(self.con)

    # --------------------------------------------------------------- adding
    def add(self, records: Records | Iterable[Records] | Mapping[str, Records]) -> Added:
        """Add validated records (one :class:`~.read.Records`, a list, or ``{kind: Records}``)
        in one transaction, and return what was added and skipped (:class:`Added`).

        A file whose SHA-256 is already in the store (same kind) is skipped with a
        ``UserWarning``; a ``record_id`` already stored with the same content is
        skipped; one stored with different content is a :class:`ValidationError`
        listing every such record, and nothing is added. Rejected rows
        (``skip_invalid``) are counted in the file list, never stored.
        """
        recs = list(records.values() if isinstance(records, Mapping) else _as_list(records))
        kinds = [r.kind.name for r in recs]
        if len(set(kinds)) != len(kinds):
            raise ValueError(
                "同一类型的记录请一次读入 / give one Records per kind (read the files of a kind "
                f"together): {kinds}"
            )
        plans: list[_Plan] = []
        try:
            for rec in recs:
                plans.append(self._plan(rec))
            problems = ProblemList()
            for plan in plans:
                problems += plan.conflicts
            problems.raise_if_any(
                "记录与库中已有记录冲突，未加入任何记录 / records conflict with the store; "
                "nothing was added"
            )
            with self._transaction():
                for plan in plans:
                    self._write(plan)
        finally:
            for name in (n for p in plans for n in p.keep):
                self.con.execute(f"DROP TABLE IF EXISTS {name}")
        files = pd.concat([p.files for p in plans], ignore_index=True) if plans else _files([])
        skipped = files[files["status"] != "added"]
        for r in skipped.itertuples():
            warnings.warn(
                f"{r.note}: {r.source} ({r.kind}, sha256 {r.sha256[:12]}…)",
                UserWarning,
                stacklevel=2,
            )
        return Added(files)

    def _plan(self, rec: Records) -> _Plan:
        """Sources to add and skip, and conflicting record ids (nothing written to the
        store; records of another connection are first copied into a temporary table)."""
        kind = rec.kind
        src = rec.view
        keep: list[str] = []
        if rec.con is not self.con:  # records of another connection: copied in via Arrow
            src = f"_ie_incoming_{next(_counter)}"
            rel = rec.con.sql(f"SELECT * FROM {rec.view}")
            # newer DuckDB names it to_arrow_reader (a stream: nothing held twice in memory)
            reader = getattr(rel, "to_arrow_reader", None) or rel.fetch_arrow_reader
            self.con.register(src + "_arrow", reader())
            self.con.execute(f"CREATE TEMP TABLE {src} AS SELECT * FROM {src}_arrow")
            self.con.unregister(src + "_arrow")
            keep.append(src)
        counts = self.con.execute(
            f"SELECT _source, count(*) FROM {src} GROUP BY _source ORDER BY _source"
        ).fetchall()
        rejected = rec.rejected.drop_duplicates(["_source", "_row"])["_source"].value_counts()
        stored = dict(
            self.con.execute(
                f"SELECT sha256, added_at FROM {self.db}.store_files WHERE kind = ?", [kind.name]
            ).fetchall()
        )
        rows = []
        for source, n in counts:
            digest, of = _digest(self.con, src, source)
            note = (
                f"已在库中，跳过 / already in the store (added {stored[digest]}), skipped"
                if digest in stored
                else ""
            )
            rows.append([kind.name, source, digest, of, n, int(rejected.get(source, 0)), note])
        plan = _Plan(kind, src, _files(rows), list(rec.units), keep)
        new_sources = list(plan.files.loc[plan.files["status"] == "added", "source"])
        table = f"{self.db}.{_table(kind)}"
        if _table(kind) in self._tables() and new_sources:
            plan.conflicts, identical = self._conflicts(kind, src, table, new_sources)
            same = plan.files["source"].map(identical).fillna(0).astype(int)
            plan.files["skipped_identical"] = same
        return plan

    def _conflicts(
        self, kind: Kind, src: str, table: str, sources: list[str]
    ) -> tuple[list[Problem], dict[str, int]]:
        """Incoming records whose record_id is stored: the differing ones as problems,
        the count of identical ones per source."""
        cols = [c.name for c in kind.columns if c.name != "record_id"]
        diff = ", ".join(
            f"CASE WHEN i.{_q(c)} IS DISTINCT FROM s.{_q(c)} THEN {_lit(c)} END" for c in cols
        )
        sql = f"""
            SELECT i._source AS source, i._row AS row, i.record_id,
                   s._source AS s_source, s._row AS s_row,
                   list_filter([{diff}], lambda x: x IS NOT NULL) AS differ
            FROM (SELECT * FROM {src} WHERE _source IN ({", ".join(map(_lit, sources))})) i
            JOIN {table} s USING (record_id)
        """
        both = self.con.sql(sql).df()
        same = both[both["differ"].map(len) == 0]
        bad = both[both["differ"].map(len) > 0].sort_values(["source", "row"])
        problems = [
            Problem(
                rule=f"记录编号已在库中但内容不同（库中来自 {r.s_source} 第 {r.s_row} 行，"
                f"不同的列：{', '.join(r.differ)}）/ record_id already in the store with different "
                f"content (stored from {r.s_source} row {r.s_row}; differs in "
                f"{', '.join(r.differ)}): correct the file, or keep the stored record",
                source=str(r.source),
                row=str(r.row),
                column="record_id",
                value=str(r.record_id),
            )
            for r in bad.head(MAX_LISTED).itertuples()
        ]
        if len(bad) > MAX_LISTED:
            problems.append(
                Problem(
                    rule=f"另有 {len(bad) - MAX_LISTED} 条冲突记录 / {len(bad) - MAX_LISTED} more "
                    f"conflicting records",
                    source=kind.name,
                )
            )
        return problems, same.groupby("source").size().to_dict()

    def _write(self, plan: _Plan) -> None:
        """Insert the plan's new files, records and units (inside the caller's transaction)."""
        kind, table = plan.kind, f"{self.db}.{_table(plan.kind)}"
        if _table(kind) not in self._tables():
            cols = ", ".join(
                f"{_q(c.name)} {_SQL_TYPES.get(c.type, 'VARCHAR')}" for c in kind.columns
            )
            self.con.execute(f"CREATE TABLE {table} ({cols}, _source VARCHAR, _row BIGINT)")
        have = set(self.con.table(table).columns)
        for c in self.con.sql(f"SELECT * FROM {plan.src} LIMIT 0").columns:
            if c not in have:  # an extra input column (kept as text)
                self.con.execute(f"ALTER TABLE {table} ADD COLUMN {_q(c)} VARCHAR")
        new = plan.files[plan.files["status"] == "added"]
        if len(new):
            sources = ", ".join(map(_lit, new["source"]))
            sql = f"SELECT * FROM {plan.src} i WHERE _source IN ({sources})"
            if new["skipped_identical"].any():  # leave out the records already stored
                sql += f" AND NOT EXISTS (SELECT 1 FROM {table} s WHERE s.record_id = i.record_id)"
            self.con.execute(f"INSERT INTO {table} BY NAME {sql}")
            now = _now()
            self.con.executemany(
                f"INSERT INTO {self.db}.store_files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    [
                        kind.name,
                        r.source,
                        Path(r.source).name,
                        r.sha256,
                        r.digest_of,
                        r.records - r.skipped_identical,
                        r.skipped_identical,
                        r.rejected,
                        now,
                        __version__,
                    ]
                    for r in new.itertuples()
                ],
            )
        if plan.units:
            self.con.executemany(
                f"INSERT OR IGNORE INTO {self.db}.store_units VALUES (?)", [[u] for u in plan.units]
            )

    # --------------------------------------------------------------- reading
    def kinds(self) -> list[str]:
        """The record kinds the store holds, in :data:`~.schema.KINDS` order."""
        tables = self._tables()
        return [k for k in KINDS if _table(get_kind(k)) in tables]

    def records(
        self, kind: str = "breach", *, units: Iterable[str] | pd.DataFrame | None = None
    ) -> Records:
        """The stored records of ``kind`` as a :class:`~.read.Records` (a live view of the
        store's table, nothing loaded into pandas), for ``breach_counts``, ``indicators``,
        ``trace`` and ``monitor`` unchanged. Declared units (counted even without records):
        ``units`` (a list or a DataFrame with ``uCode``), else those declared when records
        were added; with ``units``, a stored record of any other unit is an error, as in
        :func:`~.read.read`."""
        spec = get_kind(kind)
        if kind not in self.kinds():
            raise _error(f"记录库中没有 {kind} 记录 / the store holds no {kind} records", self.path)
        view = f"{self.db}.{_table(spec)}"
        given = _unit_list(units)
        if given:
            unknown = self.con.execute(
                f"SELECT uCode, count(*), min(_source) FROM {view} WHERE uCode NOT IN "
                f"(SELECT unnest(?::VARCHAR[])) GROUP BY uCode ORDER BY uCode",
                [given],
            ).fetchall()
            if unknown:
                raise ValidationError(
                    [
                        Problem(
                            rule=f"未知单位 / unknown unit: not among the declared units "
                            f"({n} stored records)",
                            source=str(src),
                            column="uCode",
                            value=str(u),
                        )
                        for u, n, src in unknown
                    ],
                    title=f"{spec.zh}有误 / invalid {kind} records",
                )
        units_sql = f"SELECT uCode FROM {self.db}.store_units"
        stored = sorted(r[0] for r in self.con.execute(units_sql).fetchall())
        return Records(spec, self.con, view, units=given or stored, keep=(self,))

    def contents(self) -> pd.DataFrame:
        """One row per kind: files, records, units with records, first and last date."""
        rows = []
        for k in self.kinds():
            spec = get_kind(k)
            t = f"{self.db}.{_table(spec)}"
            col = _q(spec.time_column)
            n, units, lo, hi = self.con.execute(
                f"SELECT count(*), count(DISTINCT uCode), min({col}), max({col}) FROM {t}"
            ).fetchall()[0]
            files = self.con.execute(
                f"SELECT count(*) FROM {self.db}.store_files WHERE kind = ?", [k]
            ).fetchall()[0][0]
            rows.append([k, spec.zh, files, n, units, spec.time_column, lo, hi])
        cols = ["kind", "kind_zh", "files", "records", "units", "date", "first", "last"]
        return pd.DataFrame(rows, columns=cols)

    def files(self) -> pd.DataFrame:
        """Every file added: kind, source (as given), name, sha256, records added,
        identical records skipped, rejected rows, when and by which version."""
        return self.con.sql(
            f"SELECT * FROM {self.db}.store_files ORDER BY added_at, kind, source"
        ).df()

    # --------------------------------------------------------------- results
    def save_result(
        self, name: str, table: pd.DataFrame, *, params: Mapping[str, Any] | None = None
    ) -> None:
        """Keep a computed table (an indicators table, monthly counts) under ``name`` with
        the run's ``params``, the package version and the SHA-256 of every stored file
        (what it was computed from). A result of the same name is replaced, in one
        transaction."""
        meta = [
            json.dumps(_jsonable(params or {}), ensure_ascii=False, sort_keys=True),
            json.dumps(_jsonable(dict(table.attrs)), ensure_ascii=False, sort_keys=True),
            json.dumps(sorted(self.files()["sha256"])),
        ]
        tbl = "result_" + sha256(name.encode()).hexdigest()[:16]
        reg = f"_ie_result_{next(_counter)}"
        self.con.register(reg, table)
        try:
            with self._transaction():
                self.con.execute(f"DROP TABLE IF EXISTS {self.db}.{tbl}")
                self.con.execute(f"DELETE FROM {self.db}.store_results WHERE name = ?", [name])
                self.con.execute(f"CREATE TABLE {self.db}.{tbl} AS SELECT * FROM {reg}")
                self.con.execute(
                    f"INSERT INTO {self.db}.store_results VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [name, tbl, len(table), *meta, _now(), __version__],
                )
        finally:
            self.con.unregister(reg)

    def results(self) -> pd.DataFrame:
        """The stored results: name, rows, params (JSON), created_at, package_version."""
        return self.con.sql(
            f"SELECT name, rows, params, created_at, package_version "
            f"FROM {self.db}.store_results ORDER BY name"
        ).df()

    def result(self, name: str) -> pd.DataFrame:
        """A stored result as saved; ``attrs`` hold its own attrs and ``store_result``
        (params, package_version, created_at, files: the SHA-256 of the files it was
        computed from)."""
        row = self.con.execute(
            f"SELECT tbl, params, attrs, files, created_at, package_version "
            f"FROM {self.db}.store_results WHERE name = ?",
            [name],
        ).fetchall()
        if not row:
            known = list(self.results()["name"])
            raise _error(f"记录库中没有此结果 / no such result; stored: {known}", self.path, name)
        tbl, params, attrs, files, created, version = row[0]
        out = self.con.sql(f"SELECT * FROM {self.db}.{tbl}").df()
        out.attrs.update(json.loads(attrs))
        out.attrs["store_result"] = {
            "name": name,
            "params": json.loads(params),
            "files": json.loads(files),
            "created_at": created,
            "package_version": version,
        }
        return out

    # --------------------------------------------------------------- display
    def summary(self) -> str:
        """What the store holds, in Chinese and English."""
        meta = self._meta()
        lines = [
            f"记录库 / records store: {self.path.name} (schema {meta.get('schema_version')}, "
            f"{meta.get('created_by')}, created {meta.get('created_at')})"
        ]
        tab = self.contents()
        if not len(tab):
            lines.append("  （空 / empty）")
        for r in tab.itertuples():
            lines.append(
                f"  {r.kind} {r.kind_zh}: {r.records:,} 条记录 / records, {r.files} 个文件 / "
                f"files, {r.units} 个单位 / units, {r.date} {r.first} … {r.last}"
            )
        res = self.results()
        if len(res):
            lines.append("结果 / results:")
            lines += [f"  {r.name}: {r.rows} 行 / rows ({r.created_at})" for r in res.itertuples()]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"<Store {self.path.name}: "
            + ", ".join(f"{r.kind} {r.records}" for r in self.contents().itertuples())
            + ">"
        )

    def _repr_html_(self) -> str:
        return f"<p>{escape(self.summary().splitlines()[0])}</p>" + self.contents().to_html(
            index=False
        )


# ---------------------------------------------------------------- helpers
class _Attachment:
    """The database file attached to ``con`` under a fresh name; detached when closed or
    garbage-collected (with the last Store using it)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path, read_only: bool) -> None:
        self.read_only = read_only
        self.db = f"ie_store_{next(_counter)}"
        mode = " (READ_ONLY)" if read_only else ""
        try:
            con.execute(f"ATTACH {_lit(str(path))} AS {self.db}{mode}")
        except duckdb.Error as exc:
            raise _open_error(path, exc) from None
        self.finalizer = weakref.finalize(self, _detach, con, self.db)
        if _truncated(con, self.db, path):
            self.finalizer()
            rule = _damaged("文件比其数据块短，已被截断", "shorter than its blocks: cut short")
            raise _error(rule, path)


#: open attachments by (connection, resolved path)
_OPEN: weakref.WeakValueDictionary[tuple[int, str], _Attachment] = weakref.WeakValueDictionary()


class _Plan:
    """One kind's part of an add: the incoming relation ``src``, its files (with status),
    declared units, temporary tables to drop, and the conflicts found."""

    def __init__(
        self, kind: Kind, src: str, files: pd.DataFrame, units: list[str], keep: list[str]
    ) -> None:
        self.kind, self.src, self.files, self.units, self.keep = kind, src, files, units, keep
        self.conflicts: list[Problem] = []


class _Transaction:
    """BEGIN … COMMIT, or ROLLBACK on any exception (nothing of the operation is kept)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def __enter__(self) -> None:
        self.con.execute("BEGIN TRANSACTION")

    def __exit__(self, typ: Any, exc: Any, tb: Any) -> bool:
        self.con.execute("COMMIT" if typ is None else "ROLLBACK")
        return False


def _table(kind: Kind) -> str:
    return f"records_{kind.name}"


def _files(rows: list[list[Any]]) -> pd.DataFrame:
    cols = ["kind", "source", "sha256", "digest_of", "records", "rejected", "note"]
    out = pd.DataFrame(rows, columns=cols)
    out["skipped_identical"] = 0
    out["status"] = out["note"].map(lambda n: "skipped" if n else "added")
    return out


def _digest(con: duckdb.DuckDBPyConnection, src: str, source: str) -> tuple[str, str]:
    """SHA-256 of the source file's bytes, or of the validated rows of a DataFrame input."""
    path = Path(source)
    if path.is_file():
        return file_sha256(path), "file"
    rows = con.execute(
        f"SELECT * EXCLUDE (_source) FROM {src} WHERE _source = ? ORDER BY _row", [source]
    ).df()
    h = sha256(json.dumps(list(map(str, rows.columns))).encode())
    h.update(pd.util.hash_pandas_object(rows, index=False).to_numpy().tobytes())
    return h.hexdigest(), "rows"


def _as_list(records: Records | Iterable[Records]) -> list[Records]:
    return [records] if isinstance(records, Records) else list(records)


def _unit_list(units: Iterable[str] | pd.DataFrame | None) -> list[str]:
    if units is None:
        return []
    if isinstance(units, pd.DataFrame):
        units = units["uCode"]
    return sorted({str(u) for u in units})


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def _detach(con: duckdb.DuckDBPyConnection, db: str) -> None:
    try:
        con.execute(f"DETACH DATABASE IF EXISTS {db}")
    except duckdb.Error:  # the connection is already closed at interpreter exit
        pass


def _error(rule: str, path: Path, value: str = "") -> ValidationError:
    return ValidationError(
        [Problem(rule=rule, source=str(path), value=value)], title="记录库 / records store"
    )


#: DuckDB's file header: three 4 KiB blocks (the file header and two database headers)
#: before the data blocks.
_HEADER_BYTES = 3 * 4096


def _truncated(con: duckdb.DuckDBPyConnection, db: str, path: Path) -> bool:
    """Whether the file holds fewer bytes than the blocks in use its header lists (a copy
    cut short, a full disk): DuckDB opens such a file and fails only when a query reaches a
    missing block. (Free blocks at the end may be cut off by DuckDB itself: not counted.)"""
    blocks, size = con.execute(
        "SELECT used_blocks, block_size FROM pragma_database_size() WHERE database_name = ?",
        [db],
    ).fetchall()[0]
    return path.stat().st_size < _HEADER_BYTES + int(blocks) * int(size)


def _damaged(zh: str, en: str) -> str:
    """The rule for a damaged store: what to do (the records files are the source)."""
    return (
        f"记录库文件已损坏（{zh}）；请将其移走，再用原始记录文件重建（--db 新文件 --records "
        f"记录文件夹）/ the store file is damaged ({en}): move it aside and rebuild it from "
        "the record files (--db NEW_FILE --records FOLDER)"
    )


def _open_error(path: Path, exc: duckdb.Error) -> ValidationError:
    text = str(exc)
    low = text.lower()
    if "corrupt" in low or "checksum" in low:
        rule = _damaged("校验和不符", "a checksum does not match")
    elif "could not read enough bytes" in low:
        rule = _damaged("文件被截断", "cut short")
    elif "could not set lock" in low or "conflicting lock" in low:
        pid = text.split("(PID ")[-1].split(")")[0] if "(PID " in text else "?"
        rule = (
            f"记录库正被另一进程使用（PID {pid}）；DuckDB 同一时间只允许一个写入进程，请等其结束后"
            f"重试 / the store is in use by another process (PID {pid}); DuckDB allows one "
            f"writing process at a time: wait for it to finish and run again"
        )
    elif "not a valid DuckDB database" in text:
        rule = "文件不是 DuckDB 数据库 / the file is not a DuckDB database; give another file name"
    else:
        rule = f"无法打开记录库 / cannot open the store: {text}"
    return _error(rule, path)
