"""The monthly monitoring and early-warning report (docs/records.md): ``integrity-eval monitor``
writes report.html and report.pdf beside the tables, in Chinese or English, with the warnings,
their evidence records, the charts and the method in words; an empty month says so."""

from __future__ import annotations

import re
import zipfile

import pandas as pd
import pytest
from conftest import ROOT, assert_pdf_embeds_cjk

import integrity_eval as ie
from integrity_eval.cli import main
from integrity_eval.records.schema import CATEGORIES
from integrity_eval.report.text import LABELS

SAMPLE = ROOT / "datasets" / "shanghai-records-sample"
AGENCY = "某信用服务有限公司"


def _monitor(capsys, out, *extra):
    argv = ["monitor", "--framework", "shanghai-2018", "--out", str(out), *map(str, extra)]
    code = main(argv)
    _, err = capsys.readouterr()
    assert code == 0, err
    return out


@pytest.fixture(scope="module")
def june(tmp_path_factory):
    """The sample's June 2024 (planted surge of 杨浦区 YP; serious breach records)."""
    out = tmp_path_factory.mktemp("mon") / "monitoring-2024-06"
    code = main(["monitor", "--framework", "shanghai-2018", "--records", str(SAMPLE),
                 "--units", str(SAMPLE / "units_synthetic.csv"), "--month", "2024-06",
                 "--agency", AGENCY, "--out", str(out)])  # fmt: skip
    assert code == 0
    return out


def _pdf_text(path):
    from pypdf import PdfReader

    reader = PdfReader(path)
    return reader, "".join(p.extract_text() for p in reader.pages)


def test_monitor_writes_html_and_pdf_with_the_tables(june):
    names = {p.relative_to(june).as_posix() for p in june.rglob("*") if p.is_file()}
    assert {"report.html", "report.pdf", "warnings.csv", "evidence.csv", "counts.csv"} <= names
    assert {"monitoring.xlsx", "charts/overview.png", "charts/YP.png"} <= names
    assert "fonts/ReportCJK-subset.otf" in names  # the HTML's font, as the run reports ship it
    assert not [p for p in june.parent.iterdir() if p.name.startswith(".")]  # no temp folder
    for p in june.rglob("*"):  # no path of this machine in any file
        if p.is_file():
            blobs = [p.read_bytes()]
            if p.suffix == ".xlsx":
                with zipfile.ZipFile(p) as z:
                    blobs = [z.read(n) for n in z.namelist()]
            for blob in blobs:
                text = blob.decode("utf-8", errors="ignore")
                assert str(june.parent) not in text and str(ROOT) not in text, p.name


def test_pdf_embeds_cjk_font_and_names_the_warned_unit_and_rule(june):
    reader, text = _pdf_text(june / "report.pdf")
    assert_pdf_embeds_cjk(reader)
    flat = re.sub(r"\s+", "", text)
    for needle in ("月度监测预警报告", "2024-06", "杨浦区", "计数模型超出上限", "出现严重失信记录",
                   AGENCY, "本报告基于合成"):  # fmt: skip
        assert needle in flat, needle
    first = reader.pages[0].extract_text()
    assert re.search(r"第\s*1\s*页\s*/\s*共\s*\d+\s*页", first)  # page numbers
    assert "合成数据" in first  # synthetic notice on the cover
    assert "本月未触发任何预警" not in flat


def test_html_lists_each_warning_with_its_evidence_records(june):
    html = (june / "report.html").read_text("utf-8")
    warn = pd.read_csv(june / "warnings.csv", encoding="utf-8-sig", dtype={"uCode": str})
    yp = warn[(warn["uCode"] == "YP") & (warn["rule"] == "model")].iloc[0]
    assert yp["observed"] > yp["upper_limit"] and yp["p_value"] <= 0.01  # the planted surge
    assert f">{yp['upper_limit']:g}<" in html and f">{yp['expected']:.2f}<" in html
    evidence = pd.read_csv(june / "evidence.csv", encoding="utf-8-sig", dtype=str)
    for ids in warn["evidence"]:
        for rid in ids.split("; "):
            assert f">{rid}<" in html, rid
    # each record's category is named as 003 §一 words it, its source and severity in words
    rec = evidence.iloc[0]
    assert f">{rec['category']} {CATEGORIES[int(rec['category'])][0]}<" in html
    assert ">严重<" in html and ">一般<" in html
    # the charts are inline: all units this month, the overview, one per warned unit
    assert html.count("data:image/png;base64,") == 2 + warn["uCode"].nunique()
    # the method is the model's own description of this result
    assert "Cameron–Trivedi" in html and "α = 0.01" in html and "002 §三.(二)" in html
    assert "监测单位" in html and ">16<" in html
    for needle in (str(ROOT), str(june.parent), "file:///"):  # no path of this machine
        assert needle not in html, needle


def test_every_unit_monitored_is_in_the_results_by_unit(june):
    table = pd.read_csv(june / "all_units.csv", encoding="utf-8-sig", dtype={"uCode": str})
    units = pd.read_csv(SAMPLE / "units_synthetic.csv", dtype={"uCode": str})
    assert sorted(table["uCode"]) == sorted(units["uCode"])  # all 16 districts
    assert table["p_value"].is_monotonic_increasing  # most surprising first
    assert table.loc[table["warned"], "uCode"].tolist() == ["YP"]
    html = (june / "report.html").read_text("utf-8")
    section = html.split("<h2>各单位本月监测结果</h2>")[1].split("<h2>")[0]
    for code in units["uCode"]:
        assert f">{code}<" in section, code
    assert section.count(">预警<") == 1 and section.count(">正常<") == len(units) - 1
    wb = __import__("openpyxl").load_workbook(june / "monitoring.xlsx")
    assert "全部单位 All units" in wb.sheetnames


def test_chinese_report_has_no_english_labels(june):
    html = (june / "report.html").read_text("utf-8")
    english = [en for zh, en in LABELS.values() if zh != en and "{" not in en and len(en) > 6]
    assert not [en for en in english if f">{en}<" in html]


def test_english_report(june, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("INTEGRITY_EVAL_AGENCY", raising=False)
    units = SAMPLE / "units_synthetic.csv"
    out = _monitor(capsys, tmp_path / "en", "--records", SAMPLE, "--units", units,
                   "--month", "2024-06", "--lang", "en")  # fmt: skip
    html = (out / "report.html").read_text("utf-8")
    chinese = [zh for zh, en in LABELS.values() if zh != en and "{" not in zh]
    assert not [zh for zh in chinese if f">{zh}<" in html]
    _, text = _pdf_text(out / "report.pdf")
    flat = " ".join(text.split())
    for needle in ("Monthly monitoring and early-warning report", "count above the model's upper",
                   "Warned units and their evidence", "Page 1 of",
                   "illegal administrative approvals", "(not given)"):  # fmt: skip
        assert needle in flat, needle


def test_empty_month_says_no_warning_and_keeps_rejected_rows_inside(tmp_path, capsys):
    """General records only (no serious rule) and a strict alpha: March 2024 raises no
    warning; a bad row skipped with --skip-invalid lands in the same folder."""
    rec = pd.read_csv(SAMPLE / "breach_synthetic.csv", dtype=str)
    rec = rec[rec["severity"] == "general"]
    bad = rec.iloc[[0]].assign(record_id="BAD-1", decided="2024-13-40")
    path = tmp_path / "breach_general_synthetic.csv"
    pd.concat([rec, bad]).to_csv(path, index=False)
    out = _monitor(capsys, tmp_path / "march", "--records", path, "--month", "2024-03",
                   "--alpha", "0.001", "--skip-invalid")  # fmt: skip
    assert pd.read_csv(out / "warnings.csv", encoding="utf-8-sig").empty
    rejected = pd.read_csv(out / "rejected_records.csv", encoding="utf-8-sig")
    assert rejected["record_id"].tolist() == ["BAD-1"]
    _, text = _pdf_text(out / "report.pdf")
    flat = re.sub(r"\s+", "", text)
    assert "本月未触发任何预警。" in flat and "预警清单" not in flat
    assert "合成数据" in flat  # the file name says synthetic
    html = (out / "report.html").read_text("utf-8")
    assert html.count("data:image/png;base64,") == 2  # this month by unit, the overview
    assert (
        "各单位本月监测结果" in html
        and ">预警<" not in html.split("<h2>各单位本月监测结果</h2>")[1]
    )


def test_nothing_is_written_when_the_pdf_fails(tmp_path, capsys, monkeypatch):
    import integrity_eval.report.render as render

    def broken(*args, **kwargs):
        raise RuntimeError("PDF 生成出错 / PDF rendering problems: test")

    monkeypatch.setattr(render, "render_pdf", broken)
    out = tmp_path / "failed"
    with pytest.raises(RuntimeError):
        main(["monitor", "--framework", "shanghai-2018", "--records", str(SAMPLE),
              "--month", "2024-06", "--out", str(out)])  # fmt: skip
    assert not out.exists() and not list(tmp_path.iterdir())


# ------------------------------------------------------------------ method in words
def test_describe_states_the_fitted_model_alpha_and_the_rules():
    attrs = {
        "alpha": 0.05,
        "month": "2024-06",
        "family": "poisson",
        "alpha_nb": 0.0,
        "overdispersion_pvalue": 0.4321,
        "history": "2022-06–2024-05",
        "history_months": 24,
        "seasonal": True,
        "rules": ["model", "serious"],
        "exposure": True,
    }
    zh = ie.monitor.describe(attrs, "zh")
    assert len(zh) == 4  # model, family, tail rule, serious rule; no debtors rule applied
    assert "2022-06–2024-05（24 个月）" in zh[0] and "不含季节效应" not in zh[0]
    assert "log E[y] = log(单位规模) + 单位效应 + 月份季节效应" in zh[0]
    assert "p = 0.43" in zh[1] and "泊松分布" in zh[1]
    assert "α = 0.05" in zh[2] and "95% 分位数" in zh[2] and "约占 5%" in zh[2]
    assert "严重失信记录" in zh[3]
    en = ie.monitor.describe(
        {**attrs, "family": "negative_binomial", "alpha_nb": 0.1234, "seasonal": False,
         "rules": ["model", "debtors"], "exposure": False}, "en")  # fmt: skip
    assert "log E[y] = unit effect + month-of-year effect" in en[0]
    assert "no seasonal effect" in en[0] and "negative binomial" in en[1] and "0.123" in en[1]
    assert "99" not in en[2] and "95 % quantile" in en[2]
    assert "dishonest judgment debtors" in en[3] and len(en) == 4


def test_describe_of_a_fitted_result_matches_its_attrs():
    rec = ie.records.read(SAMPLE / "breach_synthetic.csv", kind="breach")
    counts = ie.records.breach_counts(rec, measure="new", end="2024-06")
    w = ie.monitor.warnings(counts, month="2024-06", alpha=0.01, records=rec)
    assert w.attrs["rules"] == ["model", "serious"]
    assert w.attrs["history_months"] == 36
    text = ie.monitor.describe(w.attrs)
    assert w.attrs["history"] in text[0] and "36 个月" in text[0]
    assert "单位规模" not in text[0]  # no exposure given: no offset in the model
    family = "负二项分布" if w.attrs["family"] == "negative_binomial" else "泊松分布"
    assert family in text[1] and "99% 分位数" in text[2]


def test_categories_are_the_eight_behaviours_of_003():
    assert sorted(CATEGORIES) == list(range(1, 9))
    # 003_01131af63e5da6d9.txt §一.一是 names them in this order (4: its words exactly)
    assert CATEGORIES[4][0] == "行政审批中违规审批"
    assert CATEGORIES[8][0].startswith("其他")


@pytest.mark.parametrize(
    ("month", "said"),
    [("2031-05", "after the month of the last record"), ("2024-6", "expected a month as YYYY-MM")],
)
def test_month_past_the_records_or_malformed_is_named(tmp_path, capsys, month, said):
    """Issue 20: ``--month`` past the data printed raw NumPy text; now exit 1 naming it."""
    code = main(["monitor", "--framework", "shanghai-2018", "--records", str(SAMPLE),
                 "--units", str(SAMPLE / "units_synthetic.csv"), "--month", month,
                 "--out", str(tmp_path / "m")])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1 and "--month" in err and said in err and "监测月份有误" in err
    assert "Traceback" not in err and not (tmp_path / "m").exists()


def test_assess_refuses_a_history_without_records():
    """A month whose history holds no record at all: named, not a statsmodels error."""
    months = pd.period_range("2020-01", "2024-12", freq="M").astype(str)
    counts = pd.DataFrame({"uCode": "A", "Time": months, "value": 0.0})
    counts.loc[counts["Time"] < "2021-01", "value"] = 3.0
    with pytest.raises(ie.errors.ValidationError, match="no records in the 36 months"):
        ie.monitor.assess(counts, "2024-12")


def test_chart_files_of_units_a_slash_b_a_underscore_b_a_dot_b_do_not_collide(tmp_path, capsys):
    """Issue 20: units ``a/b``, ``a_b`` and ``a.b`` once shared ``charts/a_b.png`` (two
    charts lost); each warned unit now has its own file (the unit reports' safe names)."""
    hostile = {"HP": "a/b", "XH": "a_b", "CN": "a.b", "JA": "overview"}
    for name in ("breach_synthetic.csv", "units_synthetic.csv"):
        df = pd.read_csv(SAMPLE / name, dtype=str, keep_default_na=False)
        df["uCode"] = df["uCode"].replace(hostile)
        df.to_csv(tmp_path / name, index=False)
    listed = pd.DataFrame({"uCode": list(hostile.values()), "listed": "2024-05-01"})
    listed.to_csv(tmp_path / "debtors.csv", index=False)
    out = _monitor(capsys, tmp_path / "m", "--records", tmp_path / "breach_synthetic.csv",
                   "--units", tmp_path / "units_synthetic.csv", "--month", "2024-06",
                   "--debtors", tmp_path / "debtors.csv")  # fmt: skip
    charts = {p.name for p in (out / "charts").iterdir()}
    stems = ie.report.monitor._chart_names(hostile.values())
    assert {f"{s}.png" for s in stems.values()} <= charts
    assert len(set(stems.values())) == 4 and "overview.png" in charts
    assert stems["a_b"] == "a_b" and stems["a/b"].startswith("a_b-")
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.count('<img src="data:image/png') >= 5  # overview + the four units
