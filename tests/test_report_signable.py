"""Reports an agency can sign (issue 18): every rendered PDF is read back as text and must
hold no internal token; each case — a unit not rated, a veto, an excluded indicator, the
English report, a points framework, a draft engagement with corrections — has its own
rendered-output test."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import integrity_eval as ie
from integrity_eval import rating, uncertainty

UNITS = ["SJ", "YP", "PD", "HK"]  # veto, not rated, top grade, below the top without veto
COVER = {
    "title": {
        "zh": "某市区级政务诚信评价（2024年度）",
        "en": "District integrity evaluation (2024)",
    },
    "period": "2024",
    "client": {"zh": "某市发展改革委", "en": "Municipal Development and Reform Commission"},
    "status": "draft",
    "edges_source": {"zh": "委托方评价方案第五条", "en": "article 5 of the client's plan"},
    "citations": {},
}
CORRECTIONS = pd.DataFrame(
    {
        "uCode": ["SJ"],
        "iCode": ["M2_feedback_rate"],
        "old": [0.5],
        "new": [0.932],
        "reason": ["报送时小数点错位"],
        "evidence": ["区发改委复函"],
        "by": ["张三"],
        "date": ["2025-01-10"],
    }
)
# the input files a CLI run records: the reports describe them by role, never by name
INPUT_FILES = [
    {"role": role, "path": path, "sha256": f"{i:x}" * 64}
    for i, (role, path) in enumerate(
        [
            ("framework", "shanghai-2018.yaml"),
            ("data", "collected_2024.xlsx"),
            ("spec", "spec.yaml"),
            ("corrections", "corrections.csv"),
            ("engagement", "engagement.yaml"),
        ],
        start=10,
    )
]
# English names for every district but Chongming (CM), which keeps its name as reported
NAMES_EN = {
    "BS": "Baoshan District",
    "CN": "Changning District",
    "FX": "Fengxian District",
    "HK": "Hongkou District",
    "HP": "Huangpu District",
    "JA": "Jing'an District",
    "JD": "Jiading District",
    "JS": "Jinshan District",
    "MH": "Minhang District",
    "PD": "Pudong New Area",
    "PT": "Putuo District",
    "QP": "Qingpu District",
    "SJ": "Songjiang District",
    "XH": "Xuhui District",
    "YP": "Yangpu District",
}
# what must never reach a reader: parameter names, method and scheme ids, seed file names,
# missing values and reprs, p-values in scientific notation, codes with underscores
INTERNAL = [
    r"\bnan\b",
    r"\bNaN\b",
    r"\bNone\b",
    r"\d{3}_[0-9a-f]{8,}\.txt",
    r"\b\d(?:\.\d+)?e[-+]?\d+\b",
    r"dat_thresh|unit_screen|nonzero_thresh|trunc2posts|\bl_u\b|winmax|each_indicator",
    r"aggregate__method|\bamean\b|\bgmean\b|\bminmax\b|\bzscore\b|\bclip\b",
    r"four-grade|tax-credit|stars-5|shanghai-2018|jiangyin-township-2018",
    r"<[A-Z]\w+[ >]|dtype|Series\(|DataFrame\(|\{'|\[\]",
    r"\b[A-Za-z0-9]+_[A-Za-z0-9_]+\b",
    r"\b[\w.-]+\.(?:csv|xlsx|xlsm|parquet|ya?ml|json|txt|md)\b",  # file names
]


def _pdf_text(path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def _pages(path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(path).pages]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The Shanghai districts with one unit not rated, one indicator excluded, a
    rating with vetoes, a small uncertainty analysis, a draft engagement cover and a
    correction, in Chinese and English; the Jiangyin points framework."""
    ds = ie.datasets.load("shanghai-districts", panel=True)
    fw = ds.framework
    idata = ds.idata.copy()
    idata["uName_en"] = idata["uCode"].map(NAMES_EN)  # CM without one: its Chinese name
    last = idata["Time"].max()
    idata.loc[(idata["uCode"] == "YP") & (idata["Time"] == last), fw.indicators[6:]] = np.nan
    ev = ie.build(fw, idata, {"exclude": ["D06_river_chief_score"]}, seed=0, time=last)
    inputs = uncertainty.default_inputs(ev, graded=True)
    ua = uncertainty.run(ev, inputs, n=24, seed=0, quiet=True)
    out = tmp_path_factory.mktemp("signable")
    for lang in ("zh", "en"):
        rated = rating.rate(ev, lang=lang)
        probs = rating.grade_probabilities(ua.scores, rated.scheme, raw=ev.get_dset("Raw"))
        ie.report.write(
            ev,
            out / lang,
            lang=lang,
            rated=rated,
            ua=ua,
            grade_probs=probs,
            history=ie.panel.history(ev),
            agency="某信用服务有限公司" if lang == "zh" else "A credit agency Ltd",
            units=UNITS,
            quiet=True,
            cover=COVER,
            corrections=CORRECTIONS,
            manifest={**ev.manifest, "input_files": INPUT_FILES},
        )
    jy = ie.datasets.load("jiangyin-townships")
    ev_points = ie.build(jy.framework, jy.idata)
    ie.report.write(
        ev_points,
        out / "points",
        rated=rating.rate(ev_points),
        units=list(ev_points.scores.index[-2:]),
        quiet=True,
    )
    return out


def _pdfs(runs):
    return sorted(runs.rglob("*.pdf"))


def test_no_internal_token_in_any_pdf(runs):
    pdfs = _pdfs(runs)
    assert len(pdfs) == 2 * (1 + len(UNITS)) + 3
    found = []
    for pdf in pdfs:
        text = _pdf_text(pdf)
        for pattern in INTERNAL:
            for m in re.finditer(pattern, text):
                found.append((pdf.relative_to(runs).as_posix(), m.group()))
    assert not found, found[:20]


def test_not_rated_unit_has_a_proper_page(runs):
    text = _pdf_text(runs / "zh" / "units" / "YP.pdf")
    assert "不予评级的原因" in text and "只报送了" in text
    assert "报送指标少于 66 % 的单位不予评级" in text
    assert "报送后即可评级" in text  # the one recommendation that matters
    for word in ("各维度得分", "主要问题", "晋级路径", "等级 nan", "没有明显薄弱"):
        assert word not in text, word
    en = _pdf_text(runs / "en" / "units" / "YP.pdf")
    assert "Why the unit is not rated" in en and "不予评级" not in en


def test_veto_comes_first_with_rule_cap_and_document(runs):
    text = _pdf_text(runs / "zh" / "units" / "SJ.pdf")
    assert "限制等级的事实" in text
    html = (runs / "zh" / "units" / "SJ.html").read_text("utf-8")
    advice = html[html.index('<ol class="notes">') :]
    assert re.match(r'<ol class="notes"><li>消除「政府债务逾期违约」', advice)
    assert "沪发改信〔2018〕5号" in text
    assert "须先消除其所依据的事实" in text  # the blocked 晋级路径
    overall = _pdf_text(runs / "zh" / "report.pdf")
    assert "直接判级（否决）规则" in overall and "等级最高为" in overall
    assert "「政府债务逾期违约」为「是」" in overall


def test_findings_rank_rated_units_only_and_never_both(runs):
    html = (runs / "zh" / "units" / "HK.html").read_text("utf-8")
    weak = html[html.index("排名靠后的指标") : html.index("改进建议")]
    assert "共 15 个参评单位" in html and "/ 15" in weak and "/ 16" not in weak
    strong = weak[weak.index("相对优势指标") :] if "相对优势指标" in weak else ""
    weak_names = set(re.findall(r"<tr><td>([^<]+)</td>", weak.split("相对优势指标")[0]))
    strong_names = set(re.findall(r"<tr><td>([^<]+)</td>", strong))
    assert weak_names and not weak_names & strong_names


def test_what_it_takes_section_below_the_top_grade(runs):
    hk = _pdf_text(runs / "zh" / "units" / "HK.pdf")
    assert "晋级路径" in hk and "可由「中」升至「良」" in hk
    assert "晋级路径" not in _pdf_text(runs / "zh" / "units" / "PD.pdf")  # top grade


def test_exclusion_and_method_are_disclosed(runs):
    text = _pdf_text(runs / "zh" / "report.pdf")
    for phrase in (
        "未计入得分的指标",
        "河长履职考核得分",
        "按本次评价设置排除",
        "其全部下级指标均被排除",
        "未报送的指标按该指标的最差值计分",
        "分界值依据",
        "委托方评价方案第五条",
        "蒙特卡洛模拟",
        "复核阶段共对 1 项数据作了更正",
        "各指标的目标区间",
    ):
        assert phrase.replace(" ", "") in text.replace(" ", "").replace("\n", ""), phrase


def test_draft_cover_and_corrections(runs):
    pages = _pages(runs / "zh" / "units" / "SJ.pdf")
    assert all("征求意见稿" in p for p in pages)
    assert "某市区级政务诚信评价（2024年度）" in pages[0] and "某市发展改革委" in pages[0]
    text = "\n".join(pages)
    assert "复核更正" in text and "报送时小数点错位" in text and "50.0%" in text
    annex = _pdf_text(runs / "zh" / "units" / "PD.pdf").split("附录")[-1]
    assert "复核更正" not in annex.split("数据来源与可复现性")[0]  # none for this unit
    en = _pages(runs / "en" / "report.pdf")
    assert all("Draft for comment" in p for p in en)


def test_english_report_is_in_english(runs):
    for f in ("report.html", "units/SJ.html", "units/HK.html"):
        html = (runs / "en" / f).read_text("utf-8")
        body = re.sub(r"<style>.*?</style>|<[^>]+>", " ", html, flags=re.S)
        body = re.sub(r"《[^》]*》（[^）]*）", " ", body)  # cited documents keep titles
        body = re.sub(
            r"§[0-9A-Za-z.()（）–一二三四五六七八九十是]+", " ", body
        )  # and clause numbers
        ledger = CORRECTIONS[["reason", "evidence", "by"]].to_numpy().ravel().tolist()
        for name in ["崇明区", *ledger]:  # the unit without an English name; the ledger's text
            body = body.replace(name, "")
        cjk = re.findall(r"[\u3400-\u9fff]+", body)
        assert not cjk, (f, cjk[:10])
    text = _pdf_text(runs / "en" / "units" / "SJ.pdf")
    assert re.search(r"\. Responsible: ", text.replace("\n", " "))
    assert "(category 3)" in _pdf_text(runs / "en" / "report.pdf")  # a clause's note
    league = pd.read_csv(runs / "en" / "league_table.csv", encoding="utf-8-sig")
    assert set(league["grade"].dropna()) <= {"excellent", "good", "fair", "poor"}
    plans = pd.read_csv(runs / "en" / "what_it_takes.csv", encoding="utf-8-sig")
    grades = plans[["grade_before", "target", "grade_after"]].stack().dropna()
    assert set(grades) <= {"excellent", "good", "fair", "poor"}
    words = plans[["name", "unit", "blocking", "responsible"]].stack().dropna().astype(str)
    assert not words.str.contains(r"[\u3400-\u9fff]").any(), words[:5]


def test_points_report_speaks_points(runs):
    text = _pdf_text(runs / "points" / "report.pdf")
    assert "总积分" in text and "加分项" in text and "减分项" in text
    for word in ("标准化", "有效权重", "综合得分", "加权"):
        assert word not in text, word
    assert "沪发改信" not in text


def test_english_names_of_units_everywhere(runs):
    """uName_en names the units of the English deliverable — cover, overall report, league
    table, results workbook — unit by unit; a unit without one keeps its name as reported,
    and the method says so. The Chinese deliverable keeps uName."""
    import openpyxl

    assert "Hongkou District" in _pages(runs / "en" / "units" / "HK.pdf")[0]
    overall = _pdf_text(runs / "en" / "report.pdf").replace("\n", " ")
    assert "Songjiang District" in overall and "Yangpu District" in overall
    assert "1 of 16 units appear under their names as reported" in overall
    assert "松江区" not in overall and "names as reported" not in _pdf_text(
        runs / "zh" / "report.pdf"
    )
    en = pd.read_csv(runs / "en" / "league_table.csv", encoding="utf-8-sig").set_index("uCode")
    zh = pd.read_csv(runs / "zh" / "league_table.csv", encoding="utf-8-sig").set_index("uCode")
    assert list(en.columns[:3]) == list(zh.columns[:3]) == ["uName", "score", "rank"]
    assert en.loc["HK", "uName"] == "Hongkou District" and en.loc["CM", "uName"] == "崇明区"
    assert zh.loc["HK", "uName"] == "虹口区"
    assert en["status"].str.match(r"(rated|not rated)\b").all()  # English in English
    assert (
        zh["status"].str.match("已评分|不予评级").all()
        and not zh["status"].str.contains("rated").any()
    )
    wb = openpyxl.load_workbook(runs / "en" / "results.xlsx", read_only=True)
    cells = {c for ws in wb.worksheets for r in ws.iter_rows(values_only=True) for c in r}
    assert {"Hongkou District", "Pudong New Area", "崇明区"} <= cells and "虹口区" not in cells


def test_running_header_names_engagement_period_client_and_agency(runs):
    for lang, words in (
        ("zh", ["某市区级政务诚信评价（2024年度）", "评价期 2024", "委托方 某市发展改革委"]),
        ("en", ["District integrity evaluation (2024)", "Period 2024", "Client: Municipal"]),
    ):
        agency = "评价机构 某信用服务有限公司" if lang == "zh" else "Agency: A credit agency Ltd"
        for pdf in (runs / lang / "report.pdf", runs / lang / "units" / "YP.pdf"):
            for i, page in enumerate(_pages(pdf)[1:], start=2):
                flat = page.replace("\n", " ")
                for word in [*words, agency]:
                    assert word in flat, (pdf.name, i, word)


def test_inputs_are_described_by_role_and_fingerprint(runs):
    """INPUT_FILES in order, each under its role with the first 16 hex digits of its hash
    (the file names are checked absent by the token test)."""
    for lang, labels in (
        ("zh", ["指标体系", "报送数据", "评价方案", "复核更正", "评价委托书"]),
        ("en", ["Framework", "Data reported", "Evaluation spec", "Corrections", "Engagement"]),
    ):
        for pdf in (runs / lang / "report.pdf", runs / lang / "units" / "HK.pdf"):
            last = _pages(pdf)[-1]
            for i, label in enumerate(labels, start=10):
                tag = "（文件指纹）" if lang == "zh" else " (file fingerprint)"
                line = next(x for x in last.splitlines() if x.startswith(label + tag))
                assert f"SHA-256 {f'{i:x}' * 16}" in line, (pdf.name, line)
