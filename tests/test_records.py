"""Records → indicators (docs/records.md): validation, the display rule against hand-worked
cases, the sweep against a plain pandas implementation, measures of every kind, trace."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import integrity_eval as ie
from integrity_eval.errors import ValidationError
from integrity_eval.framework import Framework
from integrity_eval.records import breach_counts, indicators, measure_table, read, trace
from integrity_eval.records.reference import breach_counts_pandas


def _b(rid, unit, decided, severity="general", source="court", category=1, **kw):
    return dict(
        record_id=rid,
        uCode=unit,
        decided=decided,
        source=source,
        category=category,
        severity=severity,
        **kw,
    )


# Hand-worked cases of the display rule (defaults of 发改办财金〔2019〕527号: general 3–12
# months, serious 6–36 months), each unit one case; expected value = weighted count active
# on the last day of each month 2023-01 … 2024-01.
HAND = pd.DataFrame(
    [
        # A: general, never repaired → displayed [2023-01-15, 2024-01-15)
        _b("a", "A", "2023-01-15"),
        # B: repaired 2023-02-01, before the 3-month minimum → display ends 2023-04-15
        _b("b", "B", "2023-01-15", repaired="2023-02-01"),
        # C: serious, mitigation 0.5, repaired 2023-09-10, after the 6-month minimum
        #    (2023-07-31) → displayed until 2023-09-10 with weight 0.5
        _b("c", "C", "2023-01-31", "serious", "penalty", 2, repaired="2023-09-10", mitigation=0.5),
        # D: objection filed 2023-03-10, never closed → not active from then on
        _b("d", "D", "2023-01-31", objection_filed="2023-03-10"),
        # E: objection 2023-02-10 … 2023-05-01, not upheld → paused in Feb–Apr, back in May
        _b("e1", "E", "2023-01-31", objection_filed="2023-02-10", objection_closed="2023-05-01"),
        #    upheld objection → void; exempt → never counts
        _b(
            "e2",
            "E",
            "2023-01-31",
            objection_filed="2023-02-10",
            objection_closed="2023-03-01",
            objection_upheld=True,
        ),
        _b("e3", "E", "2023-01-31", exempt=True),
        # F: month end: 31 Jan + 3 months = 30 Apr (clamped, as pandas.DateOffset);
        #    repaired early → display [2023-01-31, 2023-04-30): active on 31 Mar, not on 30 Apr
        _b("f", "F", "2023-01-31", repaired="2023-03-01"),
    ]
)
EXPECTED = {  # months 2023-01 … 2024-01
    "A": [1] * 12 + [0],
    "B": [1, 1, 1] + [0] * 10,
    "C": [0.5] * 8 + [0] * 5,
    "D": [1, 1] + [0] * 11,
    "E": [1, 0, 0, 0] + [1] * 8 + [0],
    "F": [1, 1, 1] + [0] * 10,
}


@pytest.fixture
def hand():
    return read(HAND)


def test_display_rule_hand_worked_cases(hand):
    tab = breach_counts(hand, period="month", start="2023-01", end="2024-01")
    got = tab.pivot(index="Time", columns="uCode", values="value")
    assert list(got.index) == [f"2023-{m:02d}" for m in range(1, 13)] + ["2024-01"]
    for unit, values in EXPECTED.items():
        np.testing.assert_allclose(got[unit].to_numpy(), values, err_msg=unit)


def test_month_arithmetic_matches_pandas_dateoffset(hand):
    """DuckDB's date + to_months(n) clamps month ends exactly as pandas.DateOffset(months=n)."""
    days = pd.date_range("2023-01-25", "2024-03-05", freq="D")
    df = pd.DataFrame(
        [
            _b(f"r{i}", "U", d.date().isoformat(), ["general", "serious"][i % 2])
            for i, d in enumerate(days)
        ]
    )
    rec = read(df)
    from integrity_eval.records.rules import DEFAULT_RULES, display_sql

    got = rec.con.sql(display_sql(rec.view, DEFAULT_RULES)).df().set_index("record_id")
    for sev, span in DEFAULT_RULES["display"].items():
        sub = df[df["severity"] == sev]
        dec = pd.to_datetime(sub["decided"])
        for key, n in (("min_end", span["min"]), ("max_end", span["max"])):
            want = (dec + pd.DateOffset(months=n)).dt.date.to_numpy()
            have = pd.to_datetime(got.loc[sub["record_id"], key]).dt.date.to_numpy()
            assert (want == have).all(), (sev, key)
    # 31 Jan 2024 + 1 month = 29 Feb 2024 (leap year), as pandas
    row = rec.con.sql("SELECT CAST(DATE '2024-01-31' + to_months(1) AS DATE) AS d").df()
    assert str(row["d"].iloc[0])[:10] == "2024-02-29"


def test_new_measure_and_by(hand):
    tab = breach_counts(hand, period="quarter", measure="new", by=["severity"])
    got = tab.set_index(["uCode", "severity"])["value"]
    assert got[("C", "serious")] == 0.5 and got[("C", "general")] == 0
    assert got[("E", "general")] == 1  # e2 upheld and e3 exempt do not count
    assert set(tab["Time"]) == {"2023-Q1"} and len(tab) == 6 * 2  # zeros included


def test_rolling_window_sums_new_records():
    df = pd.DataFrame([_b(f"r{m}", "U", f"2023-{m:02d}-10") for m in range(1, 13)])
    rec = read(df)
    tab = breach_counts(rec, measure="new", window=3, start="2023-01", end="2023-12")
    assert tab["value"].tolist() == [1, 2] + [3] * 10
    with pytest.raises(ValueError, match="window"):
        breach_counts(rec, measure="active", window=3)


def test_weights_and_half_life(hand):
    tab = breach_counts(hand, start="2023-01", end="2023-01", weights={"serious": 4})
    assert tab.set_index("uCode")["value"]["C"] == 2.0  # 4 × mitigation 0.5
    tab = breach_counts(hand, start="2023-01", end="2023-01", rules={"half_life": 1})
    # A decided 15 Jan, 16 days old on 31 Jan: 2^(−16 / 30.4375)
    assert tab.set_index("uCode")["value"]["A"] == pytest.approx(2 ** (-16 / 30.4375))


def test_framework_rules_block_changes_display():
    fw = Framework.from_dict(
        {
            "name": "t",
            "records": {"display": {"general": {"min": 1, "max": 2}}},
            "nodes": [
                {"code": "I", "level": 2},
                {
                    "code": "x",
                    "level": 1,
                    "parent": "I",
                    "records": {"kind": "breach", "measure": "active"},
                },
            ],
        }
    )
    rec = read(pd.DataFrame([_b("a", "U", "2023-01-15")]))
    out = indicators(fw, {"breach": rec}, period="month", start="2023-01", end="2023-04")
    assert out["x"].tolist() == [1, 1, 0, 0]  # displayed 15 Jan … 15 Mar


@pytest.mark.parametrize("materialize", [True, False])
def test_sweep_agrees_with_plain_pandas(materialize):
    rng = np.random.default_rng(7)
    n = 3000
    dec = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 1500, n), unit="D")
    df = pd.DataFrame(
        {
            "record_id": [f"r{i}" for i in range(n)],
            "uCode": rng.choice(list("ABCDEFG"), n),
            "decided": dec,
            "source": "court",
            "category": 1,
            "severity": rng.choice(["general", "serious"], n),
            "mitigation": rng.choice([1.0, 0.5], n),
            "exempt": rng.random(n) < 0.05,
        }
    )
    rep = rng.random(n) < 0.4
    df["repaired"] = (dec + pd.to_timedelta(rng.integers(10, 900, n), unit="D")).where(rep)
    obj = rng.random(n) < 0.2
    df["objection_filed"] = (dec + pd.to_timedelta(rng.integers(0, 60, n), unit="D")).where(obj)
    closed = obj & (rng.random(n) < 0.7)
    df["objection_closed"] = (
        df["objection_filed"] + pd.to_timedelta(rng.integers(1, 120, n), unit="D")
    ).where(closed)
    df["objection_upheld"] = pd.Series(rng.random(n) < 0.3).where(closed)
    rec = read(df, materialize=materialize)
    for period, s, e in (("month", "2019-11", "2025-02"), ("quarter", "2020-Q1", "2024-Q4")):
        for measure in ("active", "new"):
            got = breach_counts(rec, period=period, measure=measure, start=s, end=e)
            want = breach_counts_pandas(rec.to_frame(), period, s, e, measure=measure)
            pd.testing.assert_frame_equal(got, want, check_dtype=False, atol=1e-9)


@pytest.mark.parametrize("materialize", [True, False])
def test_validation_lists_every_bad_row(materialize):
    df = pd.DataFrame(
        {
            "record_id": ["a", "b", "c", "c", "e"],
            "uCode": ["U1", "U1", "U2", "U2", "X"],
            "decided": ["2023-01-31", "2023/02/05", "bad", "2023-03-01", "2023年4月1日"],
            "source": ["court", "行政处罚", "foo", "court", "court"],
            "category": [1, 2, 9, 3, 4],
            "severity": ["general", "严重", "general", "general", "serious"],
            "objection_upheld": [None, True, None, None, None],
            "mitigation": [1, 0, 0.5, None, 2],
            "repaired": [None, "2022-01-01", None, None, None],
            "amount": [1, -5, None, None, None],
        }
    )
    with pytest.raises(ValidationError) as err:
        read(df, units=["U1", "U2"], materialize=materialize)
    got = {(p.row, p.column) for p in err.value.problems}
    assert got == {
        ("1", "mitigation"),  # 0 not in (0, 1]
        ("1", "objection_closed"),  # upheld without its closing date
        ("1", "repaired"),  # repaired before decided
        ("1", "amount"),  # negative
        ("2", "category"),  # 9 unknown
        ("2", "decided"),  # does not parse
        ("2", "source"),  # unknown source
        ("2", "record_id"),  # duplicate
        ("3", "record_id"),
        ("4", "mitigation"),  # > 1
        ("4", "uCode"),  # unknown unit
    }
    rec = read(df, units=["U1", "U2"], skip_invalid=True, materialize=materialize)
    assert list(rec.to_frame().columns)[:3] == ["record_id", "uCode", "decided"]
    assert len(rec) == 1 and set(rec.rejected["_row"]) == {1, 2, 3, 4}
    assert rec.all_units() == ["U1", "U2"]


@pytest.mark.parametrize("materialize", [True, False])
def test_implausible_dates_are_refused_with_their_rows(materialize, tmp_path):
    """Issue 20: a typo such as 0001-01-01 or 9999-12-31 would stretch a monthly table over
    millennia; dates outside 1990 … end of next year are refused, row and column named."""
    df = pd.DataFrame(
        [
            _b("a", "U", "2023-01-31"),
            _b("b", "U", "0001-01-01"),
            _b("c", "U", "9999-12-31"),
            _b("d", "U", "2023-01-31", repaired="2090-05-01"),
        ]
    )
    path = tmp_path / "breach.parquet"
    df.to_parquet(path)
    with pytest.raises(ValidationError) as err:
        read(path, materialize=materialize)
    got = {(p.row, p.column) for p in err.value.problems}
    assert got == {("1", "decided"), ("2", "decided"), ("3", "repaired")}
    assert all("1990-01-01" in p.rule for p in err.value.problems if p.column != "repaired")
    rec = read(path, materialize=materialize, skip_invalid=True)
    assert len(rec) == 1
    counts = breach_counts(rec, period="month", measure="new")
    assert list(counts["Time"]) == ["2023-01"]
    # a wider window admits them; a malformed one is named
    wide = read(df.iloc[[0, 3]], dates=("1980-01-01", "2099-12-31"))
    assert len(wide) == 2
    with pytest.raises(ValidationError, match="dates"):
        read(df, dates=("2030-01-01", "1990-01-01"))


def test_parquet_columns_already_in_codes_are_read_as_they_are(tmp_path):
    """Parquet text and category columns whose every value is already a code (no label, no
    surrounding space) are read as they are: the typed view holds the input column, not the
    parsing expression; a column with a label or a space is parsed, with the same values."""
    clean = pd.DataFrame([_b("a", "U1", "2023-01-31"), _b("b", "U2", "2023-02-01", "serious")])
    clean["domain"] = "ppp"
    labelled = clean.assign(source=["法院", "court"], uCode=[" U1", "U2"])
    values = {}
    for name, df in (("clean", clean), ("labelled", labelled)):
        df.to_parquet(tmp_path / f"{name}.parquet")
        rec = read(tmp_path / f"{name}.parquet")
        view = rec.con.sql(
            f"SELECT sql FROM duckdb_views() WHERE view_name = '_typed_{rec.view.split('_')[-1]}'"
        ).fetchall()[0][0]
        values[name] = rec.to_frame()
        as_is = {c for c in ("uCode", '"source"', "severity", '"domain"') if f"{c} AS {c}" in view}
        parsed = {"uCode", '"source"'} if name == "labelled" else set()
        assert as_is == {"uCode", '"source"', "severity", '"domain"'} - parsed
    pd.testing.assert_frame_equal(values["clean"], values["labelled"])


def test_missing_required_columns_named():
    with pytest.raises(ValidationError) as err:
        read(pd.DataFrame({"record_id": ["a"], "uCode": ["U"]}))
    cols = {p.column for p in err.value.problems}
    assert cols == {"decided", "source", "category", "severity"}


def test_reads_csv_parquet_xlsx_and_folders(tmp_path):
    HAND.iloc[:3].to_parquet(tmp_path / "a.parquet")
    zh = HAND.iloc[3:6].rename(columns={"record_id": "记录编号", "decided": "认定日期"})
    zh.to_csv(tmp_path / "b.csv", index=False, encoding="gbk")
    HAND.iloc[6:].to_excel(tmp_path / "c.xlsx", index=False)
    rec = read(tmp_path)
    assert len(rec) == len(HAND)
    got = breach_counts(rec, start="2023-01", end="2024-01")
    want = breach_counts(read(HAND), start="2023-01", end="2024-01")
    pd.testing.assert_frame_equal(got, want)
    bad = HAND.iloc[6:].assign(decided="31/01/2023")
    bad.to_excel(tmp_path / "c.xlsx", index=False)
    with pytest.raises(ValidationError) as err:
        read(tmp_path)
    assert {(p.source.endswith("c.xlsx"), p.row) for p in err.value.problems} == {
        (True, "2"),
        (True, "3"),
    }  # spreadsheet rows: the header is row 1
    with pytest.raises(ValidationError, match="does not exist"):
        read(tmp_path / "nope.parquet")


COMMITMENTS = pd.DataFrame(
    {
        "record_id": ["c1", "c2", "c3", "c4"],
        "uCode": ["A", "A", "A", "B"],
        "type": ["service_quality", "service_quality", "investment", "service_quality"],
        "made": ["2023-01-01"] * 4,
        "due": ["2023-03-31", "2023-03-15", "2023-03-01", "2023-06-30"],
        "kept": [True, True, False, None],
        "kept_date": ["2023-03-30", "2023-04-02", None, None],
    }
)
TICKETS = pd.DataFrame(
    {
        "record_id": ["t1", "t2", "t3", "t4"],
        "uCode": ["A", "A", "A", "A"],
        "channel": ["12345", "12345", "12345", "企业服务"],
        "topic": ["request", "integrity_complaint", "complaint", "request"],
        "opened": ["2023-01-02", "2023-01-05", "2023-01-20", "2023-01-03"],
        "due": ["2023-01-10", "2023-01-15", "2023-02-05", "2023-01-30"],
        "closed": ["2023-01-09", "2023-01-16", "2023-02-01", None],
        "resolved": [True, False, True, None],
        "satisfied": [True, None, False, None],
    }
)


def test_commitment_and_ticket_rates_hand_worked():
    com = read(COMMITMENTS, kind="commitment")
    kept = measure_table(com, "kept_rate", "quarter", start="2023-Q1", end="2023-Q2")
    got = kept.set_index(["uCode", "Time"])
    # A, Q1: three due; only c1 kept by its due date (c2 kept late, c3 not kept) → 1/3
    assert got.loc[("A", "2023-Q1"), "value"] == pytest.approx(1 / 3)
    assert np.isnan(got.loc[("A", "2023-Q2"), "value"])  # nothing due: missing, not 0
    assert got.loc[("B", "2023-Q2"), "value"] == 0  # pending past due: not kept on time
    tic = read(TICKETS, kind="ticket")
    f = {"channel": "12345"}
    on_time = measure_table(tic, "on_time_rate", "month", filter=f, start="2023-01", end="2023-02")
    assert on_time["value"].tolist() == [0.5, 1.0]  # Jan: t1 on time, t2 late; Feb: t3
    sat = measure_table(tic, "satisfaction_rate", "month", filter=f, start="2023-01", end="2023-02")
    assert sat["value"].tolist() == [1.0, 0.0]
    share = measure_table(
        tic,
        "share",
        "month",
        where={"topic": "integrity_complaint"},
        start="2023-01",
        end="2023-01",
    )
    assert share["value"].tolist() == [pytest.approx(1 / 4)]


def test_case_and_proposal_rates():
    cases = read(
        pd.DataFrame(
            {
                "record_id": ["k1", "k2", "k3"],
                "uCode": ["A"] * 3,
                "type": ["行政诉讼", "litigation", "reconsideration"],
                "concluded": ["2023-02-01", "2023-05-01", "2023-05-02"],
                "outcome": ["败诉", "won", "纠错"],
            }
        ),
        kind="case",
    )
    lit = measure_table(cases, "loss_rate", "year", filter={"type": "litigation"})
    assert lit["value"].tolist() == [0.5]
    props = read(
        pd.DataFrame(
            {
                "record_id": ["p1", "p2"],
                "uCode": ["A", "A"],
                "type": ["npc", "cppcc"],
                "received": ["2023-03-01", "2023-03-01"],
                "due": ["2023-06-01", "2023-06-01"],
                "handled": ["2023-05-20", "2023-06-10"],
                "satisfaction": ["满意", "基本满意"],
            }
        ),
        kind="proposal",
    )
    assert measure_table(props, "on_time_rate", "year")["value"].tolist() == [0.5]
    assert measure_table(props, "satisfaction_rate", "year")["value"].tolist() == [0.5]


def test_trace_names_the_excluding_rule(hand):
    fw = Framework.from_dict(
        {
            "name": "t",
            "nodes": [
                {"code": "I", "level": 2},
                {
                    "code": "x",
                    "level": 1,
                    "parent": "I",
                    "records": {"kind": "breach", "measure": "active"},
                },
            ],
        }
    )
    t = trace(fw, {"breach": hand}, uCode="E", indicator="x", time="2023-03").set_index("record_id")
    assert t["rule"].to_dict() == {"e1": "objection", "e2": "upheld", "e3": "exempt"}
    t = trace(fw, {"breach": hand}, uCode="E", indicator="x", time="2023-06").set_index("record_id")
    assert t.loc["e1", "counted"] and t["weight"].sum() == 1
    t = trace(fw, {"breach": hand}, uCode="B", indicator="x", time="2023-05")
    assert t["rule"].tolist() == ["min_period"]
    t = trace(fw, {"breach": hand}, uCode="C", indicator="x", time="2023-10")
    assert t["rule"].tolist() == ["repaired"]
    t = trace(fw, {"breach": hand}, uCode="A", indicator="x", time="2024-02")
    assert t["rule"].tolist() == ["expired"]
    ind = indicators(fw, {"breach": hand}, period="month", start="2023-06", end="2023-06")
    assert ind.set_index("uCode")["x"]["E"] == 1


def test_records_validates_the_frameworks_records_key():
    # the framework stores a node's records: mapping as written (it loads without the
    # records engine); records checks the kind and measure when the framework is used
    fw = Framework.from_dict(
        {
            "name": "t",
            "nodes": [
                {"code": "I", "level": 2},
                {
                    "code": "x",
                    "level": 1,
                    "parent": "I",
                    "records": {"kind": "breach", "measure": "nope"},
                },
            ],
        }
    )
    assert fw["x"].records == {"kind": "breach", "measure": "nope"}
    with pytest.raises(ValidationError, match="unknown record kind/measure") as e:
        ie.records.record_sources(fw)
    assert e.value.problems[0].row == "x"
    with pytest.raises(ValidationError, match="unknown record kind/measure"):
        indicators(fw, {}, period="year", start="2023", end="2023")


def test_unknown_filter_value_is_an_error(hand):
    with pytest.raises(ValidationError, match="unknown value"):
        breach_counts(hand, filter={"source": "courts"})


def test_public_api():
    assert ie.records.read is read and callable(ie.records.trace)


@pytest.mark.parametrize(
    ("fw_name", "dataset"),
    [
        ("shanghai-2018", "shanghai-districts"),
        ("changning-2020", "changning-units"),
        ("luyang-2018", "luyang-units"),
        ("jiangyin-township-2018", "jiangyin-townships"),
    ],
)
def test_shipped_frameworks_build_from_records(fw_name, dataset):
    from integrity_eval.records.synth import synth_frames
    from integrity_eval.synthetic import dataset_panel

    frames, units, truth = synth_frames(fw_name, rows=30000, seed=3)
    recs = {k: read(f, kind=k, units=units) for k, f in frames.items()}
    panel = dataset_panel(dataset)
    idata = indicators(fw_name, recs, period="year", units=units, reported=panel.idata)
    assert idata.attrs["not_from_records"] == []
    sources = ie.records.record_sources(fw_name)
    assert sources, "the framework names record sources"
    # batched columns equal the one-at-a-time measure
    code, src = next((c, s) for c, s in sources.items() if s["kind"] == "breach")
    one = measure_table(
        recs["breach"],
        src["measure"],
        "year",
        filter=src.get("filter"),
        start=idata["Time"].min(),
        end="2024",
    ).set_index(["uCode", "Time"])["value"] * src.get("scale", 1)
    got = idata.set_index(["uCode", "Time"])[code]
    fw = ie.load_framework(fw_name)
    pd.testing.assert_series_equal(
        got.loc[one.index], one.clip(fw[code].min, fw[code].max), check_names=False
    )
    ev = ie.build(fw_name, idata, time="2024")
    theta = truth[truth["Time"] == 2024].set_index("uCode")["theta"]
    assert ev.scores.corr(theta.reindex(ev.scores.index), method="spearman") > 0.5


def test_synth_is_seeded_streamed_and_chunk_independent(tmp_path):
    from integrity_eval.records.synth import synth, synth_frames

    a = synth("luyang-2018", tmp_path / "a", rows=4000, seed=5, chunk_rows=500, file_rows=900)
    b = synth("luyang-2018", tmp_path / "b", rows=4000, seed=5, chunk_rows=10**6)
    assert a.rows == b.rows and sum(a.rows.values()) == 4000
    assert len(list((tmp_path / "a" / "breach_synthetic").glob("*.parquet"))) > 1
    ra = read(tmp_path / "a" / "breach_synthetic").to_frame().drop(columns=[])
    rb = read(tmp_path / "b" / "breach_synthetic").to_frame()
    key = ["record_id"]
    pd.testing.assert_frame_equal(
        ra.sort_values(key).reset_index(drop=True), rb.sort_values(key).reset_index(drop=True)
    )
    frames = synth_frames("luyang-2018", rows=4000, seed=5)[0]
    assert len(frames["breach"]) == len(ra)
    other = synth_frames("luyang-2018", rows=4000, seed=6)[0]["breach"]
    assert not other["decided"].equals(frames["breach"]["decided"])
    gen, gunits, gtruth = synth_frames("luyang-2018", rows=3000, units=150, seed=1)
    assert gunits["uCode"].nunique() == 150 and set(gen["breach"]["uCode"]) <= set(gunits["uCode"])
    # low-integrity units breach more: rank correlation of records per exposure with θ
    per = gen["breach"].groupby("uCode").size().reindex(gunits["uCode"], fill_value=0)
    rate = per.to_numpy() / np.sqrt(gunits["size"].to_numpy())
    theta = gtruth.groupby("uCode")["theta"].mean().reindex(gunits["uCode"])
    assert pd.Series(rate).corr(pd.Series(theta.to_numpy()), method="spearman") < -0.5


def test_committed_records_sample_regenerates_byte_identical(tmp_path):
    from integrity_eval.datasets import datasets_dir
    from integrity_eval.records.synth import write_sample

    fresh = write_sample(tmp_path / "sample")
    committed = datasets_dir() / "shanghai-records-sample"
    for f in sorted(fresh.iterdir()):
        assert f.read_bytes() == (committed / f.name).read_bytes(), f.name
    recs = {
        k: read(committed / f"{k}_synthetic.csv", kind=k)
        for k in ("breach", "ticket", "commitment", "case", "proposal")
    }
    assert len(recs["breach"]) == 4800


def test_rolling_window_rates_sum_numerators_and_denominators():
    tic = read(TICKETS, kind="ticket")
    items = [ie.records.counts.series(tic, "r", "on_time_rate", filter={"channel": "12345"})]
    from integrity_eval.records import periods as P
    from integrity_eval.records.counts import table

    p0, p1 = P.parse("2023-01", "month"), P.parse("2023-03", "month")
    got = table(tic, items, "month", p0, p1, window=2).set_index("Time")
    # Jan: t1 on time, t2 late (1/2); Feb: t3 on time → Jan–Feb window 2/3; Feb–Mar 1/1
    assert got["r"].tolist() == [0.5, pytest.approx(2 / 3), 1.0]
    assert got["r__den"].tolist() == [2, 3, 1]
