"""Engagements (评价项目) end to end: init → validate → run → corrections → final, and the
engagement file, the corrections ledger and the cover options each on their own."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import integrity_eval as ie
from integrity_eval.cli.main import main
from integrity_eval.corrections import apply_corrections, read_corrections
from integrity_eval.engagement import (
    bilingual_text,
    check_period,
    init_engagement,
    load_engagement,
)
from integrity_eval.errors import ValidationError
from integrity_eval.idata import UNITS_SHEET

NAMES = ["锦江区", "青羊区", "金牛区", "武侯区", "成华区", "龙泉驿区"]
NAMES += ["青白江区", "新都区", "温江区", "双流区", "郫都区", "新津区"]
NAMES_EN = ["Jinjiang", "Qingyang", "Jinniu", "Wuhou", "Chenghua", "Longquanyi"]
NAMES_EN = [*NAMES_EN, "Qingbaijiang", "Xindu", "Wenjiang", "Shuangliu", "Pidu", "Xinjin"]


@pytest.fixture(scope="module")
def trial(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """12 districts of another city in the Shanghai framework: no fiscal falsification
    anywhere (a constant indicator), one district reporting 6 indicators (not rated), one
    with a blank population, one with a debt default (a veto); an engagement file."""
    folder = tmp_path_factory.mktemp("trial")
    ds = ie.datasets.load("shanghai-districts")
    fw = ds.framework
    data = ds.idata.iloc[:12].copy()
    data["uCode"] = [f"CD{i:02d}" for i in range(1, 13)]
    data["uName"] = NAMES
    data["uName_en"] = [f"{n[:-1]} District" for n in NAMES_EN]  # English reports
    data = data.drop(columns=["Time"])
    data["D16_fiscal_falsification"] = 0
    data["D05_debt_arrears"] = 0
    data.loc[data.index[0], "D05_debt_arrears"] = 1  # CD01 capped at 中
    sparse = list(fw.indicators)[6:]
    data.loc[data.index[11], sparse] = np.nan  # CD12 reports 6 of 59
    data.loc[data.index[10], "population"] = np.nan  # CD11: per-capita items blank
    data.to_csv(folder / "collected.csv", index=False)
    (folder / "engagement.yaml").write_text(
        "title: {zh: 成都市区级政务诚信评价（2024年度）, en: Chengdu district government "
        "integrity evaluation (2024)}\n"
        'period: "2024"\n'
        "client: {zh: 成都市发展和改革委员会, en: Chengdu Development and Reform Commission}\n"
        "agency: {zh: 某信用服务有限公司, en: A Credit Services Ltd}\n"
        "framework: shanghai-2018\n"
        "data: collected.csv\n"
        "spec: spec.yaml\n"
        "edges_source: {zh: 委托方评价方案第五条, en: Clause 5 of the client's plan}\n"
        "status: draft\n",
        encoding="utf-8",
    )
    (folder / "spec.yaml").write_text("exclude: [D16_fiscal_falsification]\n", encoding="utf-8")
    return folder


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def _only_run(out: Path) -> Path:
    (run,) = [p for p in out.iterdir() if p.is_dir()]
    return run


def test_trial_engagement_end_to_end(
    trial: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(["validate", "--engagement", str(trial)], capsys)
    assert code == 0, err
    assert "CD12" in out and "不予评级" in out  # the sparse district is named
    assert "population" in out  # its blank denominator is named

    draft = tmp_path / "draft"
    code, out, err = _run(
        ["run", "--engagement", str(trial), "--out", str(draft), "--no-pdf", "--quiet"], capsys
    )
    assert code == 0, err
    run = _only_run(draft)
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    eng = manifest["engagement"]
    assert eng["title"]["zh"] == "成都市区级政务诚信评价（2024年度）"
    assert eng["period"] == "2024" and eng["status"] == "draft"
    assert eng["client"]["en"] == "Chengdu Development and Reform Commission"
    assert manifest["agency"] == "某信用服务有限公司"
    roles = {f["role"] for f in manifest["input_files"]}
    assert {"engagement", "data", "spec", "framework"} <= roles
    table = pd.read_csv(run / "league_table.csv", encoding="utf-8-sig", dtype={"uCode": str})
    first = table.set_index("uCode")
    assert first.loc["CD01", "uName"] == "锦江区"  # uName_en is kept for English reports
    _inputs_described_by_role(run)
    vetoes = pd.read_excel(run / "results.xlsx", sheet_name="直接判级规则")
    assert "D16_fiscal_falsification" not in vetoes.to_string()  # excluded, named all the same
    assert pd.isna(first.loc["CD12", "rank"])  # not rated, no rank
    assert first["score"].drop("CD12").notna().all()
    grade_col = next(c for c in table.columns if c in ("grade", "等级"))
    assert first.loc["CD01", grade_col] in ("中", "差")  # the debt-default veto holds
    # 晋级路径: every rated unit's verified plan, in the run folder and its manifest
    plans = pd.read_csv(run / "what_it_takes.csv", encoding="utf-8-sig", dtype={"uCode": str})
    assert set(plans["uCode"]) == set(first.index) - {"CD12"}
    ok = plans.drop_duplicates("uCode").set_index("uCode")
    reached = ok[ok["reachable"].astype(bool) & ok["target"].notna()]
    assert (reached["grade_after"] == reached["target"]).all()
    assert "what_it_takes.csv" in {o["file"] for o in manifest["outputs"]}

    # the review: CD02's default really was 0; CD03's falsification record corrected to 1
    ledger = trial / "corrections.csv"
    ledger.write_text(
        "uCode,iCode,value,reason,evidence,by,date\n"
        "CD01,D05_debt_arrears,0,债务已于评价期前结清,结清证明,张三,2025-01-10\n"
        "CD03,D15_falsification,1,统计部门通报,通报文号,李四,2025-01-11\n",
        encoding="utf-8",
    )
    final = tmp_path / "final"
    code, out, err = _run(
        [
            "run",
            "--engagement",
            str(trial),
            "--corrections",
            str(ledger),
            "--status",
            "final",
            "--out",
            str(final),
            "--no-pdf",
            "--quiet",
        ],
        capsys,
    )
    assert code == 0, err
    run2 = _only_run(final)
    manifest2 = json.loads((run2 / "manifest.json").read_text(encoding="utf-8"))
    assert manifest2["engagement"]["status"] == "final"
    fixes = {(c["uCode"], c["iCode"]): c for c in manifest2["corrections"]}
    assert fixes["CD01", "D05_debt_arrears"]["old"] == 1
    assert fixes["CD01", "D05_debt_arrears"]["new"] == 0
    assert fixes["CD03", "D15_falsification"]["reason"] == "统计部门通报"
    assert manifest2["run_hash"] != manifest["run_hash"]
    second = pd.read_csv(run2 / "league_table.csv", encoding="utf-8-sig", dtype={"uCode": str})
    second = second.set_index("uCode")
    assert second.loc["CD03", grade_col] != "优"  # the corrected record now caps CD03
    assert second.loc["CD01", "score"] >= first.loc["CD01", "score"]
    # the input files are never modified
    assert pd.read_csv(trial / "collected.csv").loc[0, "D05_debt_arrears"] == 1


def _inputs_described_by_role(run: Path) -> None:
    """The reports describe each input by its role and fingerprint, never by file name;
    the run record of analysis.xlsx shows plain labels, never the manifest's keys."""
    import openpyxl

    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    files = {f["role"]: f for f in manifest["input_files"]}
    html = (run / "report.html").read_text(encoding="utf-8")
    for role, label in (("data", "报送数据"), ("spec", "评价方案"), ("engagement", "评价委托书")):
        assert f"{label}（文件指纹）" in html and files[role]["sha256"][:16] in html
    unit_html = (run / "units" / "CD01.html").read_text(encoding="utf-8")
    for name in ("collected.csv", "spec.yaml", "engagement.yaml", "shanghai-2018.yaml"):
        assert name not in html and name not in unit_html, name
    assert "collected.csv" in json.dumps(manifest)  # the names stay in the manifest
    wb = openpyxl.load_workbook(run / "analysis.xlsx", read_only=True)
    rows = wb["运行记录"].iter_rows(min_row=2, max_col=2, values_only=True)
    record = {r[0]: r[1] for r in rows}
    labels = list(record)
    assert "计算设置（已补全默认值） · 筛选 · 报送率门槛" in labels
    assert "输入文件及其哈希 · 第 1 项 · 用途" in labels
    # identifiers among the values in words, the identifier kept in brackets
    assert record["计算设置（已补全默认值） · 标准化 · 方法"] == "目标区间法（goalposts）"
    assert record["输入文件及其哈希 · 第 1 项 · 用途"].endswith(
        f"（{manifest['input_files'][0]['role']}）"
    )
    assert not [x for x in labels if re.search(r"[A-Za-z]+_[A-Za-z]|\[\d\]|\.\w", x)]


def test_command_line_overrides_the_engagement(
    trial: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["run", "--engagement", str(trial), "--out", str(tmp_path), "--no-pdf", "--quiet"]
    args += ["--title", "某市评价 / A city evaluation", "--period", "2024-H1", "--client", "某局"]
    code, _, err = _run(args, capsys)
    assert code == 0, err
    manifest = json.loads((_only_run(tmp_path) / "manifest.json").read_text(encoding="utf-8"))
    eng = manifest["engagement"]
    assert eng["title"] == {"zh": "某市评价", "en": "A city evaluation"}
    assert eng["client"] == {"zh": "某局", "en": "某局"}
    assert eng["period"] == "2024-H1"
    assert eng["edges_source"]["zh"] == "委托方评价方案第五条"  # from the file


def test_period_picks_the_panel_period(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(
        ["run", "--period", "2019", "--out", str(tmp_path), "--no-pdf", "--quiet"], capsys
    )
    assert code == 0, err
    manifest = json.loads((_only_run(tmp_path) / "manifest.json").read_text(encoding="utf-8"))
    assert str(manifest["time"]) == "2019"
    assert manifest["engagement"]["period"] == "2019"
    assert manifest["engagement"]["status"] == "final"  # no engagement: no draft mark
    code, _, err = _run(["run", "--period", "2031", "--out", str(tmp_path), "--quiet"], capsys)
    assert code == 1 and "2031" in err and "2018" in err  # the available periods listed
    code, _, err = _run(["run", "--period", "2024-13", "--out", str(tmp_path)], capsys)
    assert code == 1 and "YYYY-Qn" in err


def test_validate_needs_framework_and_data_or_an_engagement(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = _run(["validate", "--data", "x.csv"], capsys)
    assert code == 2 and "--framework" in err and "--engagement" in err


def test_init_writes_a_folder_and_refuses_an_existing_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    units = tmp_path / "units.csv"
    units.write_text(
        "uCode,uName,uName_en\nCD01,锦江区,Jinjiang District\nCD02,青羊区,\n", encoding="utf-8"
    )
    folder = tmp_path / "eng"
    code, _, err = _run(
        ["init", str(folder), "--framework", "changning-2020", "--units", str(units)], capsys
    )
    assert code == 0, err
    listed = pd.read_excel(folder / "collected.xlsx", sheet_name=UNITS_SHEET, header=1)
    assert listed.columns.tolist() == ["uCode", "uName", "uName_en"]  # for English reports
    assert listed["uName_en"].tolist()[0] == "Jinjiang District"
    assert sorted(p.name for p in folder.iterdir()) == [
        "README.md",
        "collected.xlsx",
        "engagement.yaml",
    ]
    text = (folder / "engagement.yaml").read_text(encoding="utf-8")
    assert "framework: changning-2020" in text and "待填写" in text
    # the framework's document titles, Chinese and English, for the agency to adjust
    written = yaml.safe_load(text)
    fw = ie.load_framework("changning-2020")
    assert (written["citations"], written["citations_en"]) == (fw.citations, fw.citations_en)
    with pytest.raises(ValidationError) as info:  # the fields to fill are refused by name
        load_engagement(folder)
    assert {p.column for p in info.value.problems} >= {"title", "period", "client", "agency"}
    before = (folder / "engagement.yaml").read_bytes()
    code, _, err = _run(["init", str(folder), "--framework", "changning-2020"], capsys)
    assert code == 1 and "engagement.yaml" in err
    assert (folder / "engagement.yaml").read_bytes() == before


def test_init_names_a_framework_file_relative_to_the_engagement(tmp_path: Path) -> None:
    fw_file = tmp_path / "frameworks" / "mine.yaml"
    fw_file.parent.mkdir()
    fw_file.write_text(ie.load_framework("luyang-2018").to_yaml(), encoding="utf-8")
    init_engagement(tmp_path / "eng", str(fw_file))
    text = (tmp_path / "eng" / "engagement.yaml").read_text(encoding="utf-8")
    assert "framework: ../frameworks/mine.yaml" in text
    assert str(tmp_path) not in text


def test_load_engagement_lists_every_problem(tmp_path: Path) -> None:
    (tmp_path / "engagement.yaml").write_text(
        'title: 评价\nperiod: "2024-5"\nstatus: signed\nmissing: zero\ndata: gone.csv\n'
        "colour: blue\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as info:
        load_engagement(tmp_path / "engagement.yaml")
    columns = {p.column for p in info.value.problems}
    assert columns == {"period", "status", "missing", "data", "colour"}
    assert all("/ " in p.rule for p in info.value.problems)  # bilingual


def test_engagement_citations_come_first_in_their_language(trial: Path, tmp_path: Path) -> None:
    """An engagement's citations and citations_en are printed before the framework's; in
    English a document without an English title of the engagement gets the framework's."""
    from integrity_eval.report.method import citer

    trial = Path(shutil.copytree(trial, tmp_path / "trial"))
    text = (trial / "engagement.yaml").read_text(encoding="utf-8")
    ours = {"004_eb7a51c6d53126fb.txt": "Our title (No. 5)"}
    (trial / "engagement.yaml").write_text(
        text + "citations_en:\n  004_eb7a51c6d53126fb.txt: Our title (No. 5)\n", encoding="utf-8"
    )
    eng = load_engagement(trial)
    assert eng.citations_en == ours and eng.cover()["citations_en"] == ours
    fw = ie.load_framework("shanghai-2018")
    clause = "004_eb7a51c6d53126fb.txt §二.5; 003_01131af63e5da6d9.txt §一.一是"
    english = citer(fw, eng.cover(), "en")(clause)
    assert english == (
        "Our title (No. 5) §2.5; " + fw.citations_en["003_01131af63e5da6d9.txt"] + " §1, point 1"
    )
    chinese = citer(fw, eng.cover(), "zh")(clause)
    assert chinese == (
        fw.citations["004_eb7a51c6d53126fb.txt"] + "§二.5; "
        + fw.citations["003_01131af63e5da6d9.txt"] + "§一.一是"
    )  # fmt: skip
    (trial / "engagement.yaml").write_text(text + "citations_en: [a, b]\n", encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        load_engagement(trial)
    assert [p.column for p in info.value.problems] == ["citations_en"]


def test_load_engagement_resolves_paths_and_texts(trial: Path) -> None:
    eng = load_engagement(trial)
    assert eng.data == trial / "collected.csv" and eng.framework == "shanghai-2018"
    assert eng.title == {
        "zh": "成都市区级政务诚信评价（2024年度）",
        "en": "Chengdu district government integrity evaluation (2024)",
    }
    assert eng.cover()["status"] == "draft"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("中文 / English", {"zh": "中文", "en": "English"}),
        ("只有中文", {"zh": "只有中文", "en": "只有中文"}),
        ({"zh": "甲"}, {"zh": "甲", "en": "甲"}),
        (None, None),
    ],
)
def test_bilingual_text(text: object, expected: object) -> None:
    assert bilingual_text(text) == expected


@pytest.mark.parametrize("period", ["2024", "2024-H2", "2024-Q3", "2024-07", "2024-01/2024-06"])
def test_check_period_accepts(period: str) -> None:
    assert check_period(period, "x") == period


@pytest.mark.parametrize("period", ["24", "2024-Q5", "2024-13", "2024-H3", "2024/2025"])
def test_check_period_refuses(period: str) -> None:
    with pytest.raises(ValidationError):
        check_period(period, "x")


# ------------------------------------------------------------------ corrections
@pytest.fixture()
def small() -> tuple[ie.Framework, pd.DataFrame]:
    ds = ie.datasets.load("shanghai-districts")
    return ds.framework, ds.idata


def test_read_corrections_checks_every_row(
    small: tuple[ie.Framework, pd.DataFrame], tmp_path: Path
) -> None:
    fw, idata = small
    path = tmp_path / "c.csv"
    path.write_text(
        "uCode,iCode,value,reason\n"
        "ZZ,D05_debt_arrears,0,x\n"  # 2: unknown unit
        "PD,NOPE,0,x\n"  # 3: unknown indicator
        "PD,D05_debt_arrears,-1,x\n"  # 4: a count below 0
        "PD,M1_lists_published,abc,x\n"  # 5: not a number
        "JD,D05_debt_arrears,0,\n"  # 6: no reason
        "PD,D05_debt_arrears,1,again\n",  # 7: the same cell twice
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as info:
        read_corrections(path, fw, idata)
    found = {(int(p.row), p.column) for p in info.value.problems}
    assert found == {(2, "uCode"), (3, "iCode"), (4, "value"), (5, "value"), (6, "reason")} | {
        (7, "iCode")
    }
    assert all(p.source == str(path) for p in info.value.problems)


def test_apply_corrections_changes_only_the_period_and_cell(
    small: tuple[ie.Framework, pd.DataFrame], tmp_path: Path
) -> None:
    fw, idata = small
    latest = idata["Time"].max()
    path = tmp_path / "c.csv"
    rate = next(c for c in fw.indicators if fw[c].kind == "rate")
    path.write_text(
        f"uCode,iCode,value,reason\nPD,{rate},85%,复核\nPD,population,,人口待核\n",
        encoding="utf-8",
    )
    ledger = read_corrections(path, fw, idata)
    assert list(ledger["new"].iloc[:1]) == [0.85]
    at = (idata["uCode"] == "PD") & (idata["Time"] == latest)
    assert ledger["old"].iloc[0] == idata.loc[at, rate].iloc[0]
    before = idata.copy()
    out = apply_corrections(idata, ledger)
    pd.testing.assert_frame_equal(idata, before)  # the input is untouched
    assert out.loc[at, rate].iloc[0] == 0.85 and pd.isna(out.loc[at, "population"].iloc[0])
    changed = out.drop(columns=[rate, "population"]) != before.drop(columns=[rate, "population"])
    assert not (changed & before.drop(columns=[rate, "population"]).notna()).any().any()
    other = (idata["uCode"] == "PD") & (idata["Time"] != latest)
    assert out.loc[other, rate].equals(idata.loc[other, rate])  # earlier periods stay


def test_an_excluded_indicator_still_vetoes(trial: Path) -> None:
    """Vetoes read raw values: excluding the debt-default item changes scores, not the cap
    (issue: `exclude` of a vetoed indicator used to stop the run)."""
    fw = ie.load_framework("shanghai-2018")
    data = pd.read_csv(trial / "collected.csv", dtype={"uCode": str})
    ev = ie.build(fw, data, {"exclude": ["D05_debt_arrears", "D16_fiscal_falsification"]})
    assert "D05_debt_arrears" not in ev.get_dset("Raw").columns
    assert ev.raw_values.loc["CD01", "D05_debt_arrears"] == 1
    rated = ie.rating.rate(ev)
    assert rated.table.loc["CD01", "grade"] in ("中", "差")
    assert "政府债务逾期违约" in str(rated.table.loc["CD01", "veto"])


def test_unit_report_annex_lists_the_corrections_as_the_run_does(
    small: tuple[ie.Framework, pd.DataFrame], tmp_path: Path
) -> None:
    """A unit report built directly (``unit_content`` without the run's annex) states the
    corrections in its method section, as the reports of ``run`` do."""
    from integrity_eval.report.content import overall_content, unit_content
    from integrity_eval.report.method import method_section

    fw, idata = small
    rate = next(c for c in fw.indicators if fw[c].kind == "rate")
    path = tmp_path / "c.csv"
    path.write_text(f"uCode,iCode,value,reason\nPD,{rate},85%,复核\n", encoding="utf-8")
    ledger = read_corrections(path, fw, idata)
    ev = ie.build(fw, apply_corrections(idata, ledger))
    annex = method_section(ev, corrections=ledger)
    said = "复核阶段共对 1 项数据作了更正"
    assert any(said in str(item) for item in annex["items"])
    assert unit_content(ev, "PD", corrections=ledger)["annex"] == annex
    assert overall_content(ev, corrections=ledger)["annex"] == annex
    assert unit_content(ev, "PD", corrections=ledger)["corrections"]
