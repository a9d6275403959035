"""``integrity-eval records synth | indicators`` and ``integrity-eval monitor``: outputs,
exit codes 0/1/2, every bad record listed, --skip-invalid writing the rejected rows."""

from __future__ import annotations

import pandas as pd
import pytest

from integrity_eval.cli import main


def _cli(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def synth_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("syn") / "records"
    assert main(["records", "synth", "--framework", "luyang-2018", "--rows", "20000",
                 "--seed", "4", "--out", str(out)]) == 0  # fmt: skip
    return out


def test_synth_writes_parquet_per_kind(synth_dir):
    names = sorted(p.name for p in synth_dir.iterdir())
    assert names == [
        "breach_synthetic",
        "case_synthetic",
        "commitment_synthetic",
        "proposal_synthetic",
        "ticket_synthetic",
        "truth_synthetic.csv",
        "units_synthetic.csv",
    ]
    assert list((synth_dir / "breach_synthetic").glob("*.parquet"))


def test_indicators_writes_idata(synth_dir, tmp_path, capsys):
    out = tmp_path / "idata.csv"
    code, stdout, err = _cli(
        capsys, "records", "indicators", "--framework", "luyang-2018", "--records", synth_dir,
        "--units", synth_dir / "units_synthetic.csv", "--period", "quarter", "--out", out,
    )  # fmt: skip
    assert code == 0, err
    idata = pd.read_csv(out, encoding="utf-8-sig")
    assert idata["Time"].str.fullmatch(r"\d{4}-Q[1-4]").all()
    units = pd.read_csv(synth_dir / "units_synthetic.csv")
    assert len(idata) == len(units) * idata["Time"].nunique()  # every unit × period
    assert "B3_court_judgments" in idata and "staff" in idata
    assert "--reported" in stdout


def test_monitor_writes_report(synth_dir, tmp_path, capsys):
    out = tmp_path / "mon"
    code, _, err = _cli(
        capsys, "monitor", "--framework", "luyang-2018", "--records", synth_dir,
        "--units", synth_dir / "units_synthetic.csv", "--month", "2024-06", "--out", out,
    )  # fmt: skip
    assert code == 0, err
    assert {p.name for p in out.iterdir()} >= {"warnings.csv", "counts.csv", "monitoring.xlsx"}
    warn = pd.read_csv(out / "warnings.csv", encoding="utf-8-sig")
    assert set(warn["Time"]) <= {"2024-06"}
    assert (out / "charts" / "overview.png").exists()


def test_bad_records_exit_1_listing_every_row_then_skip_invalid(tmp_path, capsys):
    bad = pd.DataFrame(
        {
            "record_id": ["a", "b", "b"],
            "uCode": ["U1", "U1", "U2"],
            "decided": ["2023-01-05", "2023-13-01", "2023-02-01"],
            "source": ["court", "court", "nowhere"],
            "category": [1, 1, 1],
            "severity": ["general", "general", "general"],
        }
    )
    path = tmp_path / "breach.csv"
    bad.to_csv(path, index=False)
    out = tmp_path / "ind.csv"
    fw = "shanghai-2018"
    code, _, err = _cli(capsys, "records", "indicators", "--framework", fw, "--records", path,
                        "--out", out)  # fmt: skip
    assert code == 1 and not out.exists()
    assert "行/row 3" in err and "行/row 4" in err and "duplicate record_id" in err
    assert "date does not parse" in err and "unknown value" in err
    code, _, err = _cli(capsys, "records", "indicators", "--framework", fw, "--records", path,
                        "--out", out, "--skip-invalid")  # fmt: skip
    assert code == 0, err
    rejected = pd.read_csv(tmp_path / "ind_rejected.csv", encoding="utf-8-sig")
    assert sorted(set(rejected["row"])) == [3, 4]
    assert pd.read_csv(out, encoding="utf-8-sig")["uCode"].tolist() == ["U1"]


def test_usage_errors_exit_2(capsys):
    assert _cli(capsys, "records", "synth", "--framework", "luyang-2018", "--rows", "0",
                "--out", "x")[0] == 2  # fmt: skip
    assert _cli(capsys, "monitor", "--framework", "luyang-2018")[0] == 2


def test_unknown_kind_path_is_an_input_error(tmp_path, capsys):
    path = tmp_path / "stuff.csv"
    path.write_text("a\n1\n")
    code, _, err = _cli(capsys, "records", "indicators", "--framework", "luyang-2018",
                        "--records", path, "--out", tmp_path / "o.csv")  # fmt: skip
    assert code == 1 and "KIND=PATH" in err
