"""The records store (ie.records.Store, CLI --db): a DuckDB file keeping validated records
between runs. Stored records give exactly the counts and indicators of the files read
directly; the same file twice, a conflicting record_id, a failed add, a newer schema and a
store in use by another process are refused with a clear error and leave the store as it was."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import duckdb
import pandas as pd
import pytest

import integrity_eval as ie
from integrity_eval.cli import main
from integrity_eval.datasets import datasets_dir
from integrity_eval.errors import ValidationError
from integrity_eval.io import file_sha256
from integrity_eval.records import store as store_mod

SAMPLE = datasets_dir() / "shanghai-records-sample"
FW = "shanghai-2018"


@pytest.fixture(scope="module")
def units() -> pd.DataFrame:
    return pd.read_csv(SAMPLE / "units_synthetic.csv")


@pytest.fixture()
def months(tmp_path):
    """The sample's breach records split in two deliveries: up to May 2024, and June 2024."""
    df = pd.read_csv(SAMPLE / "breach_synthetic.csv", dtype=str, keep_default_na=False)
    first, second = tmp_path / "breach-2024-05.csv", tmp_path / "breach-2024-06.csv"
    df[df["decided"] < "2024-06-01"].to_csv(first, index=False)
    df[(df["decided"] >= "2024-06-01") & (df["decided"] < "2024-07-01")].to_csv(second, index=False)
    return first, second


def _cli(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_stored_sample_gives_the_same_counts_and_indicators(tmp_path, units):
    direct = {k: ie.records.read(SAMPLE / f"{k}_synthetic.csv", kind=k, units=units) for k in
              ("breach", "ticket", "commitment", "case", "proposal")}  # fmt: skip
    with ie.records.Store(tmp_path / "s.duckdb") as store:
        added = store.add(direct)
        assert added.added == 12_000 and added.identical == 0
        stored = {k: store.records(k, units=units) for k in store.kinds()}
        assert sorted(stored) == sorted(direct)
        for m in ("active", "new"):
            pd.testing.assert_frame_equal(
                ie.records.breach_counts(stored["breach"], period="month", measure=m),
                ie.records.breach_counts(direct["breach"], period="month", measure=m),
            )
        for period in ("month", "year"):
            pd.testing.assert_frame_equal(
                ie.records.indicators(FW, stored, period=period, units=units),
                ie.records.indicators(FW, direct, period=period, units=units),
            )
        args = {"uCode": "YP", "indicator": "M1_admin_penalties", "time": "2024-06"}
        pd.testing.assert_frame_equal(
            ie.records.trace(FW, {"breach": stored["breach"]}, **args),
            ie.records.trace(FW, {"breach": direct["breach"]}, **args),
        )
        tab = store.contents().set_index("kind")
        assert tab.loc["breach", "records"] == 4800 and tab.loc["breach", "files"] == 1
        assert str(tab.loc["breach", "first"])[:10] == "2018-01-01"
        files = store.files().set_index("kind")
        assert files.loc["breach", "sha256"] == file_sha256(SAMPLE / "breach_synthetic.csv")
        assert "4,800" in store.summary()


def test_indicators_carry_english_unit_names(units):
    """A units table's uName_en (the English name) goes into the iData after uName, a unit
    attribute the build keeps for English reports."""
    breach = ie.records.read(SAMPLE / "breach_synthetic.csv", kind="breach", units=units)
    idata = ie.records.indicators(FW, {"breach": breach}, period="year", units=units)
    assert list(idata.columns[:4]) == ["uCode", "uName", "uName_en", "Time"]
    assert set(idata.loc[idata["uCode"] == "PD", "uName_en"]) == {"Pudong New Area"}
    chinese = units.drop(columns="uName_en")
    plain = ie.records.indicators(FW, {"breach": breach}, period="year", units=chinese)
    pd.testing.assert_frame_equal(idata.drop(columns="uName_en"), plain)


def test_stored_records_feed_the_monitor(tmp_path, units):
    rec = ie.records.read(SAMPLE / "breach_synthetic.csv", kind="breach", units=units)
    exposure = units.set_index("uCode")["size"].astype(float)
    with ie.records.Store(tmp_path / "s.duckdb") as store:
        store.add(rec)
        warn = []
        for r in (rec, store.records("breach")):
            counts = ie.records.breach_counts(r, measure="new", end="2024-06")
            warn.append(ie.monitor.warnings(counts, month="2024-06", exposure=exposure, records=r))
    pd.testing.assert_frame_equal(warn[0], warn[1])
    assert "YP" in set(warn[1]["uCode"])  # the planted surge (SOURCE.md)


def test_same_file_twice_is_skipped_with_a_warning(tmp_path, units):
    path = tmp_path / "s.duckdb"
    with ie.records.Store(path) as store:
        store.add(ie.records.read(SAMPLE / "breach_synthetic.csv", kind="breach", units=units))
        again = ie.records.read(SAMPLE / "breach_synthetic.csv", kind="breach", units=units)
        with pytest.warns(UserWarning, match="already in the store.*breach_synthetic.csv"):
            added = store.add(again)
        assert added.added == 0 and list(added.files["status"]) == ["skipped"]
        assert len(store.records("breach")) == 4800 and len(store.files()) == 1


def test_records_already_stored_are_not_duplicated(tmp_path, months):
    first, second = months
    resent = tmp_path / "breach-cumulative.csv"  # 10 records already stored + June's
    old = pd.read_csv(first, dtype=str, keep_default_na=False)
    new = pd.read_csv(second, dtype=str, keep_default_na=False)
    pd.concat([old.iloc[:10], new]).to_csv(resent, index=False)
    with ie.records.Store(tmp_path / "s.duckdb") as store:
        assert store.add(ie.records.read(first, kind="breach")).added == len(old)
        added = store.add(ie.records.read(resent, kind="breach"))
        assert added.added == len(new) and added.identical == 10
        ids = store.records("breach").to_frame()["record_id"]
        assert len(ids) == len(old) + len(new) and ids.is_unique
        assert store.files()["skipped_identical"].tolist() == [0, 10]


def test_conflicting_record_id_is_an_error_naming_it(tmp_path, months):
    first, _ = months
    frame = pd.read_csv(first, dtype=str, keep_default_na=False)
    changed = frame.iloc[:3].copy()
    changed.loc[changed.index[1], "severity"] = (
        "serious" if changed["severity"].iloc[1] == "general" else "general"
    )
    bad = tmp_path / "breach-corrected.csv"
    changed.to_csv(bad, index=False)
    rid = changed["record_id"].iloc[1]
    with ie.records.Store(tmp_path / "s.duckdb") as store:
        store.add(ie.records.read(first, kind="breach"))
        before = store.files()
        with pytest.raises(ValidationError) as exc:
            store.add(ie.records.read(bad, kind="breach"))
        (p,) = exc.value.problems
        assert (p.value, p.row, p.column, p.source) == (rid, "3", "record_id", str(bad))
        assert "severity" in p.rule and str(first) in p.rule and "different content" in p.rule
        pd.testing.assert_frame_equal(store.files(), before)  # nothing added
        assert len(store.records("breach")) == len(frame)


def test_second_month_appended_then_indicators_recomputed(tmp_path, months, units):
    first, second = months
    path = tmp_path / "s.duckdb"
    with ie.records.Store(path) as store:
        store.add(ie.records.read(first, kind="breach", units=units))
        may = ie.records.indicators(FW, {"breach": store.records("breach")}, period="month")
        assert may["Time"].max() == "2024-05"
    with ie.records.Store(path) as store:  # next month, a new run
        store.add(ie.records.read(second, kind="breach", units=units))
        got = ie.records.indicators(
            FW, {"breach": store.records("breach")}, period="month", units=units
        )
        assert len(store.files()) == 2
    both = ie.records.read([first, second], kind="breach", units=units)
    want = ie.records.indicators(FW, {"breach": both}, period="month", units=units)
    assert got["Time"].max() == "2024-06"
    pd.testing.assert_frame_equal(got, want)


def test_a_failed_add_writes_nothing(tmp_path, months, monkeypatch):
    first, second = months
    path = tmp_path / "s.duckdb"
    with ie.records.Store(path) as store:
        store.add(ie.records.read(first, kind="breach"))
        n = len(store.records("breach"))
        real = store_mod.Store._write

        def write_then_fail(self, plan):
            real(self, plan)  # records, files and units inserted …
            raise OSError("disk full")  # … then the operation fails

        monkeypatch.setattr(store_mod.Store, "_write", write_then_fail)
        tickets = ie.records.read(SAMPLE / "ticket_synthetic.csv", kind="ticket")
        with pytest.raises(OSError, match="disk full"):
            store.add([ie.records.read(second, kind="breach"), tickets])
        assert len(store.records("breach")) == n and store.kinds() == ["breach"]
        assert len(store.files()) == 1
    with duckdb.connect(str(path), read_only=True) as con:  # and so on disk
        assert con.execute("SELECT count(*) FROM records_breach").fetchall() == [(n,)]


def test_a_conflict_in_one_kind_adds_no_other_kind(tmp_path, months):
    first, _ = months
    frame = pd.read_csv(first, dtype=str, keep_default_na=False).iloc[:1]
    frame["uCode"] = "XH" if frame["uCode"].iloc[0] != "XH" else "HP"
    bad = tmp_path / "breach-bad.csv"
    frame.to_csv(bad, index=False)
    with ie.records.Store(tmp_path / "s.duckdb") as store:
        store.add(ie.records.read(first, kind="breach"))
        tickets = ie.records.read(SAMPLE / "ticket_synthetic.csv", kind="ticket")
        with pytest.raises(ValidationError, match="uCode"):
            store.add({"breach": ie.records.read(bad, kind="breach"), "ticket": tickets})
        assert store.kinds() == ["breach"]


def test_store_refuses_a_newer_schema_and_foreign_files(tmp_path):
    path = tmp_path / "s.duckdb"
    ie.records.Store(path).close()
    with duckdb.connect(str(path)) as con:
        con.execute("UPDATE store_meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(ValidationError, match=r"newer integrity-eval.*version 99"):
        ie.records.Store(path)
    other = tmp_path / "other.duckdb"
    with duckdb.connect(str(other)) as con:
        con.execute("CREATE TABLE t (a INT)")
    with pytest.raises(ValidationError, match="not an integrity-eval records store"):
        ie.records.Store(other)
    text = tmp_path / "notes.duckdb"
    text.write_text("hello")
    with pytest.raises(ValidationError, match="not a DuckDB database"):
        ie.records.Store(text)
    assert text.read_text() == "hello"
    with pytest.raises(ValidationError, match="does not exist"):
        ie.records.Store(tmp_path / "missing.duckdb", read_only=True)


def test_store_file_follows_the_umask_and_inputs_are_untouched(tmp_path, units):
    before = file_sha256(SAMPLE / "breach_synthetic.csv")
    old = os.umask(0o027)
    try:
        with ie.records.Store(tmp_path / "s.duckdb") as store:
            store.add(ie.records.read(SAMPLE / "breach_synthetic.csv", kind="breach"))
    finally:
        os.umask(old)
    assert (tmp_path / "s.duckdb").stat().st_mode & 0o777 == 0o640
    assert file_sha256(SAMPLE / "breach_synthetic.csv") == before


def test_store_in_use_by_another_process_is_a_clear_error(tmp_path):
    path = tmp_path / "s.duckdb"
    ie.records.Store(path).close()
    holder = textwrap.dedent(
        f"""
        import sys, integrity_eval as ie
        s = ie.records.Store({str(path)!r})
        print("open", flush=True)
        sys.stdin.readline()
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", holder], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout.readline().strip() == "open"
        with pytest.raises(ValidationError, match=r"另一进程.*in use by another process \(PID"):
            ie.records.Store(path)
    finally:
        proc.communicate("\n", timeout=60)
    ie.records.Store(path).close()  # free again once the other process ends


@pytest.mark.parametrize("damage", ["flipped", "truncated", "cut in the header"])
def test_damaged_store_is_named_with_how_to_rebuild(tmp_path, units, capsys, damage):
    """Issue 20: flipped bytes read as "in use by another process (PID ?)" (DuckDB's
    "block" holds "lock") and a truncated file gave a traceback; both say the store is
    damaged and how to rebuild it, through the CLI."""
    path = tmp_path / "s.duckdb"
    with ie.records.Store(path) as store:
        store.add(ie.records.read(SAMPLE / "breach_synthetic.csv", kind="breach", units=units))
    data = path.read_bytes()
    if damage == "flipped":
        data = b"".join(
            data[i : i + 100] + b"\xff" * 64 + data[i + 164 : i + 4096]
            for i in range(0, len(data), 4096)
        )
    else:
        data = data[: len(data) // 3 if damage == "truncated" else 2000]
    path.write_bytes(data)
    assert main(["records", "store", "--db", str(path)]) == 1
    err = capsys.readouterr().err
    assert "记录库文件已损坏" in err and "the store file is damaged" in err, err
    assert "rebuild it from the record files" in err and "another process" not in err
    assert "Traceback" not in err and path.read_bytes() == data


def test_results_are_stored_with_their_parameters(tmp_path, units):
    rec = ie.records.read(SAMPLE / "breach_synthetic.csv", kind="breach", units=units)
    with ie.records.Store(tmp_path / "s.duckdb") as store:
        store.add(rec)
        idata = ie.records.indicators(FW, {"breach": store.records("breach")}, period="year")
        store.save_result("indicators/year", idata, params={"period": "year"})
        store.save_result("indicators/year", idata, params={"period": "year", "n": 2})
        back = store.result("indicators/year")
        pd.testing.assert_frame_equal(back, idata, check_dtype=False)
        meta = back.attrs["store_result"]
        assert meta["params"] == {"period": "year", "n": 2}
        assert meta["files"] == [file_sha256(SAMPLE / "breach_synthetic.csv")]
        assert meta["package_version"] == ie.__version__
        assert back.attrs["not_from_records"] == idata.attrs["not_from_records"]
        assert list(store.results()["name"]) == ["indicators/year"]
        with pytest.raises(ValidationError, match="no such result"):
            store.result("indicators/month")


# ------------------------------------------------------------------ CLI
def test_cli_db_adds_records_and_runs_on_the_store_alone(tmp_path, months, capsys):
    first, second = months
    db, u = tmp_path / "s.duckdb", SAMPLE / "units_synthetic.csv"
    common = ["records", "indicators", "--framework", FW, "--units", u, "--period", "month"]
    code, out, err = _cli(capsys, *common, "--records", f"breach={first}", "--db", db,
                          "--out", tmp_path / "may.csv")  # fmt: skip
    assert code == 0, err
    assert "records added" in out
    code, out, err = _cli(capsys, *common, "--records", f"breach={first}", f"breach={second}",
                          "--db", db, "--out", tmp_path / "june.csv")  # fmt: skip
    assert code == 0, err
    assert "already in the store" in err and str(first) in err
    code, out, err = _cli(capsys, *common, "--db", db, "--out", tmp_path / "store.csv")
    assert code == 0, err
    code, out, err = _cli(capsys, *common, "--records", f"breach={first}", f"breach={second}",
                          "--out", tmp_path / "direct.csv")  # fmt: skip
    assert code == 0, err
    direct = (tmp_path / "direct.csv").read_bytes()
    assert (tmp_path / "june.csv").read_bytes() == direct
    assert (tmp_path / "store.csv").read_bytes() == direct
    code, out, err = _cli(capsys, "records", "store", "--db", db)
    assert code == 0, err
    assert "breach" in out and first.name in out and second.name in out
    assert "indicators/shanghai-2018/month" in out
    with ie.records.Store(db) as store:
        params = store.result("indicators/shanghai-2018/month").attrs["store_result"]["params"]
    assert params["period"] == "month" and params["units"]["name"] == "units_synthetic.csv"
    assert str(tmp_path) not in str(params)  # no path of the machine


def test_cli_monitor_with_db(tmp_path, capsys):
    db, u = tmp_path / "s.duckdb", SAMPLE / "units_synthetic.csv"
    base = ["monitor", "--framework", FW, "--units", u, "--month", "2024-06"]
    code, _, err = _cli(capsys, *base, "--records", SAMPLE / "breach_synthetic.csv",
                        "--out", tmp_path / "m1")  # fmt: skip
    assert code == 0, err
    code, _, err = _cli(capsys, *base, "--records", SAMPLE / "breach_synthetic.csv", "--db", db,
                        "--out", tmp_path / "m2")  # fmt: skip
    assert code == 0, err
    code, _, err = _cli(capsys, *base, "--db", db, "--out", tmp_path / "m3")
    assert code == 0, err
    want = pd.read_csv(tmp_path / "m1" / "warnings.csv")
    for m in ("m2", "m3"):
        pd.testing.assert_frame_equal(pd.read_csv(tmp_path / m / "warnings.csv"), want)
    with ie.records.Store(db) as store:
        assert "monthly_counts/shanghai-2018/2024-06" in set(store.results()["name"])
    code, _, err = _cli(capsys, *base, "--db", tmp_path / "none.duckdb", "--out", tmp_path / "m4")
    assert code == 1 and "does not exist" in err and not (tmp_path / "none.duckdb").exists()
    tickets = ["--records", SAMPLE / "ticket_synthetic.csv", "--db", tmp_path / "t.duckdb"]
    code, _, err = _cli(capsys, *base, *tickets, "--out", tmp_path / "m5")
    assert code == 1 and "no breach records in --records / --db" in err
    assert not (tmp_path / "t.duckdb").exists()


def test_cli_db_errors(tmp_path, months, capsys):
    first, _ = months
    db = tmp_path / "s.duckdb"
    common = ["records", "indicators", "--framework", FW, "--out", tmp_path / "i.csv"]
    code, _, err = _cli(capsys, *common)
    assert code == 2 and "--records, --db" in err
    assert _cli(capsys, *common, "--records", f"breach={first}", "--db", db)[0] == 0
    frame = pd.read_csv(first, dtype=str, keep_default_na=False).iloc[:2]
    frame.loc[1, "decided"] = "2017-03-01"
    bad = tmp_path / "breach-bad.csv"
    frame.to_csv(bad, index=False)
    code, _, err = _cli(capsys, *common, "--records", f"breach={bad}", "--db", db)
    assert code == 1
    assert "错误 / Error" in err and f"文件/file {bad}" in err and "行/row 3" in err
    assert "列/column record_id" in err and "decided" in err and "different content" in err
    code, _, err = _cli(capsys, "records", "store", "--db", tmp_path / "none.duckdb")
    assert code == 1 and "does not exist" in err and not (tmp_path / "none.duckdb").exists()


def test_units_and_records_of_another_connection(tmp_path, units):
    own = duckdb.connect()  # records read into another DuckDB connection are copied in
    rec = ie.records.read(SAMPLE / "breach_synthetic.csv", kind="breach", units=units, con=own)
    with ie.records.Store(tmp_path / "s.duckdb") as store:
        assert store.add(rec).added == 4800
        stored = store.records("breach")  # the units declared when added
        assert stored.units == tuple(sorted(units["uCode"]))
        pd.testing.assert_frame_equal(
            ie.records.breach_counts(stored), ie.records.breach_counts(rec)
        )
        with pytest.raises(ValidationError, match="unknown unit") as exc:
            store.records("breach", units=units[units["uCode"] != "YP"])
        assert [p.value for p in exc.value.problems] == ["YP"]
        assert store.records("breach", units=[*units["uCode"], "ZZ"]).all_units()[-1] == "ZZ"
    own.close()


def test_the_same_file_opened_twice_in_one_process(tmp_path, units):
    path = tmp_path / "s.duckdb"
    store = ie.records.Store(path)
    store.add(ie.records.read(SAMPLE / "breach_synthetic.csv", kind="breach"))
    store = ie.records.Store(path)  # a notebook cell run again: the old one is still alive
    reader = ie.records.Store(path, read_only=True)
    assert len(reader.records("breach")) == 4800 == len(store.records("breach"))
    with pytest.raises(ValidationError, match="read-only"):
        reader.save_result("x", pd.DataFrame({"a": [1]}))
    store.close()
    with ie.records.Store(path, read_only=True) as ro:
        with pytest.raises(ValidationError, match="open read-only in this process"):
            ie.records.Store(path)
        assert ro.kinds() == ["breach"]
    ie.records.Store(path).close()
