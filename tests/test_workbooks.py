"""The two workbooks of a run (issue 18): results.xlsx for the client, analysis.xlsx for the
analyst. Headers a person reads carry no internal token; rates are %, ranks integers."""

from __future__ import annotations

import dataclasses
import re
import zipfile

import numpy as np
import openpyxl
import pytest
from conftest import ROOT

import integrity_eval as ie
from integrity_eval.report import excel
from integrity_eval.report.workbook_text import display_width, is_rate, pick, record_value

COVER = {
    "title": {
        "zh": "上海市区级政务诚信评价（2024年度）",
        "en": "Shanghai district evaluation (2024)",
    },
    "period": "2024",
    "client": {"zh": "上海市发展改革委", "en": "Shanghai Development and Reform Commission"},
    "status": "final",
    "edges_source": {"zh": "委托方评价方案第五条", "en": "Article 5 of the client's plan"},
    "citations": {},
}
RESULTS_SHEETS = {
    "zh": ["封面", "排名", "评级", "直接判级规则", "指标明细"],
    "en": ["Cover", "League table", "Grades", "Veto rules", "Indicators"],
}
ANALYSIS_SHEETS = {
    "zh": "说明 原始数据 分母化 筛选 标准化 聚合 筛选明细 指标体系 不确定性 等级概率 未评分单位 "
    "运行记录".split(),
    "en": [
        *("README", "Raw data", "Denominated", "Screened", "Normalised", "Aggregated"),
        *("Screening detail", "Framework", "Uncertainty", "Grade probabilities"),
        *("Units not rated", "Run record"),
    ],
}
STAGES = {"原始数据", "分母化", "插补", "筛选", "异常值处理", "标准化", "聚合"}
STAGES_EN = {"Raw data", "Denominated", "Imputed", "Screened", "Treated", "Normalised"}
STAGES_EN |= {"Aggregated"}

# what must never reach a person: spec parameters, method ids, column names of the code
PARAMS = {"dat_thresh", "l_u", "unit_screen", "nonzero_thresh", "winmax", "skew_thresh"}
METHODS = {"minmax", "zscore", "amean", "gmean", "winsorise", "byNA", "goalposts", "clip"}
TOKENS = re.compile(
    r"\b(nan|NaN|None|null|True|False|borderline)\b"  # Python / pandas leftovers
    r"|\b[A-Za-z]+_[A-Za-z0-9_]+\b"  # snake_case (dat_thresh, rank_q05, Dat_Avail)
    r"|\b[a-z]+[A-Z]\w*\b"  # camelCase (uCode, uName)
    r"|\b[A-Z][a-z]+[A-Z]\w*\b"  # run-together (LowData, EffectiveWeight, GradeProbs)
    r"|\.(txt|yaml|csv)\b"  # file names
)
CJK = re.compile(r"[\u3400-\u9fff]")
LATIN_WORD = re.compile(r"[a-z]{2,}")  # an English word; acronyms (PPP) are Chinese usage


def _internal(text: str) -> list[str]:
    found = [m.group(0) for m in TOKENS.finditer(text)]
    words = set(re.findall(r"[A-Za-z_]+", text))
    return found + sorted(words & (PARAMS | METHODS))


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A demo-like run: the bundled districts, one district reporting too little to be
    rated, the framework's veto rules, an uncertainty analysis, both languages."""
    ds = ie.datasets.load("shanghai-districts")
    fw = ds.framework
    idata = ds.idata.copy()
    idata.loc[idata["uCode"] == "CM", fw.indicators[6:]] = np.nan  # not rated
    ev = ie.build(fw, idata, None, seed=0)
    assert "CM" in ev.unscored.index
    scheme = ie.rating.resolve(None, fw)
    out = {}
    for lang in ("zh", "en"):
        rated = ie.rating.rate(ev, scheme, lang=lang)
        assert len(rated.fired)  # some veto rule capped a grade
        ua = ie.uncertainty.run(
            ev, ie.uncertainty.default_inputs(ev, graded=True), n=20, seed=0, quiet=True
        )
        probs = ie.rating.grade_probabilities(ua.scores, scheme, raw=ev.get_dset("Raw"))
        folder = tmp_path_factory.mktemp(lang)
        excel.write_workbooks(
            ev,
            folder,
            lang=lang,
            rated=rated,
            ua=ua,
            grade_probs=probs,
            agency="某信用评价机构 / Some credit agency",
            cover=COVER,
        )
        out[lang] = folder
    return ev, scheme, out


def _headers(ws) -> list[str]:
    return [c.value for c in next(ws.iter_rows(min_row=1, max_row=1))]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sheet_lists(run, lang):
    _, _, out = run
    assert openpyxl.load_workbook(out[lang] / "results.xlsx").sheetnames == RESULTS_SHEETS[lang]
    assert openpyxl.load_workbook(out[lang] / "analysis.xlsx").sheetnames == ANALYSIS_SHEETS[lang]


@pytest.mark.parametrize("book", ["results.xlsx", "analysis.xlsx"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_headers_carry_no_internal_token(run, lang, book):
    ev, _, out = run
    fw = ev.framework
    codes = {"uCode", "uName", *(n.code for n in fw.nodes), *(a.code for a in fw.denominators)}
    wb = openpyxl.load_workbook(out[lang] / book)
    front = wb.worksheets[0]
    for ws in wb.worksheets:
        rows = list(ws.iter_rows(values_only=True))
        texts = [v for row in rows for v in row if isinstance(v, str)]
        assert not [t for t in texts if t.strip() in ("nan", "None", "NaN", "null")], ws.title
        if ws is front:
            heads = [row[0] for row in rows if row and row[0]]
            if book == "results.xlsx":  # the client's cover: every cell
                heads = [t for row in rows for t in row if isinstance(t, str)]
        else:
            heads = _headers(ws)
            assert all(isinstance(h, str) and h.strip() for h in heads), (ws.title, heads)
        for h in heads:
            assert not _internal(str(h)), (ws.title, h, _internal(str(h)))
            if lang == "zh" and ws is not front:
                assert not LATIN_WORD.search(h), (ws.title, h)  # no English in a zh header
            if lang == "en":
                assert not CJK.search(str(h)), (ws.title, h)
        stage = ws.title in (STAGES if lang == "zh" else STAGES_EN)
        if stage and book == "analysis.xlsx":  # the code row: the data file's own names
            key_row = list(rows[1])
            assert key_row[:2] == ["uCode", "uName"] and set(key_row) <= codes, ws.title
            assert ws.freeze_panes == "C3"
        elif ws is not front:
            assert ws.freeze_panes.endswith("2"), ws.title  # one header row


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_formats_rates_ranks_and_widths(run, lang):
    ev, _, out = run
    fw = ev.framework
    wb = openpyxl.load_workbook(out[lang] / "results.xlsx")
    ind = wb[RESULTS_SHEETS[lang][4]]
    head = _headers(ind)
    col = {h: i for i, h in enumerate(head)}
    value_h, rank_h = ("报送值", "名次") if lang == "zh" else ("Value reported", "Rank")
    code_h = "指标代码" if lang == "zh" else "Indicator code"
    rates = 0
    for row in ind.iter_rows(min_row=2):
        code, value, rank = row[col[code_h]].value, row[col[value_h]], row[col[rank_h]]
        if is_rate(fw[code].unit) and value.value is not None:
            assert value.number_format == "0.00%" and 0 <= value.value <= 1
            rates += 1
        if rank.value is not None:
            assert isinstance(rank.value, int) and rank.number_format == "0"
    assert rates > 100
    # the not-rated unit has values but no rank; ranks count rated units only
    cm = [r for r in ind.iter_rows(min_row=2, values_only=True) if r[0] == "CM"]
    assert cm and all(r[col[rank_h]] is None for r in cm)
    assert {r[-1] for r in ind.iter_rows(min_row=2, values_only=True)} == {len(ev.scores)}

    league = wb[RESULTS_SHEETS[lang][1]]
    rows = list(league.iter_rows(min_row=2))
    for r in rows:
        for c in (r[0], r[6], r[7]):  # rank, rank interval: whole numbers
            assert c.value is None or (isinstance(c.value, int) and c.number_format == "0")
        assert r[3].value is None or r[3].number_format == "0.00"
    assert rows[-1][1].value == "CM" and rows[-1][0].value is None
    status = rows[-1][-1].value
    assert ("不予评级" in status) if lang == "zh" else status.startswith("not rated")
    grades = {r[4].value for r in rows if r[4].value}
    names = {"zh": {"优", "良", "中", "差"}, "en": {"excellent", "good", "fair", "poor"}}
    assert grades <= names[lang]  # English grades from the scheme's en names

    for book in ("results.xlsx", "analysis.xlsx"):
        for ws in openpyxl.load_workbook(out[lang] / book).worksheets[1:]:
            for j, h in enumerate(_headers(ws)):
                letter = openpyxl.utils.get_column_letter(j + 1)
                width = ws.column_dimensions[letter].width
                assert width >= min(display_width(h) + 2, excel.MAX_WIDTH), (ws.title, h)

    analysis = openpyxl.load_workbook(out[lang] / "analysis.xlsx")
    screen = analysis[ANALYSIS_SHEETS[lang][6]]
    assert screen.cell(3, 6).number_format == "0.00%"  # data availability
    assert screen.cell(3, 11).value in ("是", "否", "yes", "no")
    unc = analysis[ANALYSIS_SHEETS[lang][8]]
    for r in unc.iter_rows(min_row=2):
        assert isinstance(r[6].value, int) and isinstance(r[7].value, int)  # rank interval


def test_cover_shows_the_engagement(run):
    _, _, out = run
    for lang in ("zh", "en"):
        ws = openpyxl.load_workbook(out[lang] / "results.xlsx").worksheets[0]
        cells = {r[0]: r[1] for r in ws.iter_rows(values_only=True) if r and r[0]}
        assert COVER["title"][lang] in cells
        period, client, status, edges = (
            ("评价期", "委托方", "稿件状态", "分数线来源")
            if lang == "zh"
            else ("Period", "Client", "Status", "Grade edges from")
        )
        assert cells[period] == "2024" and cells[client] == COVER["client"][lang]
        assert cells[status] == ("正式稿" if lang == "zh" else "Final")
        assert cells[edges] == COVER["edges_source"][lang]
        agency = cells["评价机构" if lang == "zh" else "Evaluating agency"]
        assert agency == ("某信用评价机构" if lang == "zh" else "Some credit agency")


def test_veto_sheet_names_rule_cap_basis_and_units(run):
    _, scheme, out = run
    ws = openpyxl.load_workbook(out["zh"] / "results.xlsx")["直接判级规则"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == [v.name_zh for v in scheme.vetoes]
    debt = next(r for r in rows if r[0] == "政府债务逾期违约")
    assert debt[2] == "> 0" and debt[3] == "中"
    assert "沪发改信〔2018〕5号" in debt[4] and ".txt" not in debt[4]
    assert "松江区" in debt[6] and debt[5] >= 1
    grades = openpyxl.load_workbook(out["zh"] / "results.xlsx")["评级"]
    sj = next(r for r in grades.iter_rows(min_row=2, values_only=True) if r[0] == "SJ")
    assert "政府债务逾期违约" in sj[4] and sj[5] == "中"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_points_framework_workbooks(tmp_path, lang):
    """A points framework (stars): 总积分 / Total points, star names, clean headers."""
    ds = ie.datasets.load("jiangyin-townships")
    ev = ie.build(ds.framework, ds.idata, None, seed=0)
    rated = ie.rating.rate(ev, ie.rating.resolve(None, ev.framework), lang=lang)
    results, analysis = excel.write_workbooks(ev, tmp_path, lang=lang, rated=rated)
    for path in (results, analysis):
        for ws in openpyxl.load_workbook(path).worksheets[1:]:
            for h in _headers(ws):
                assert not _internal(h), (ws.title, h)
                assert not (CJK if lang == "en" else LATIN_WORD).search(h), (ws.title, h)
    league = openpyxl.load_workbook(results).worksheets[1]
    head = _headers(league)
    assert head[3] == ("总积分" if lang == "zh" else "Total points")
    top = [c.value for c in league[2]]
    assert top[head.index("星级" if lang == "zh" else "Stars")] == 5
    assert top[4] == ("五星" if lang == "zh" else "five stars")
    # the cover's grade edges cite the scheme's document by title, never by file name
    cover = {r[0]: r[1] for r in openpyxl.load_workbook(results).worksheets[0].iter_rows(
        values_only=True) if r and r[0]}  # fmt: skip
    edges = cover["分数线来源" if lang == "zh" else "Grade edges from"]
    title = ev.framework.citations_en if lang == "en" else ev.framework.citations
    assert title["002_93c988d6af699336.txt"] in edges and ".txt" not in edges, edges


def test_pick_splits_bilingual_text():
    text = "不予评级：仅报送 6 / 56 项指标 / not rated: 6 of 56 indicators reported"
    assert pick(text, "zh") == "不予评级：仅报送 6 / 56 项指标"
    assert pick(text, "en") == "not rated: 6 of 56 indicators reported"
    rated = "已评分（1 项未报送，按不得分计）/ rated (1 not reported, scored as worst)"
    assert pick(rated, "en") == "rated (1 not reported, scored as worst)"
    assert pick("宝山区", "en") == "宝山区"
    assert display_width("指标a") == 5


def test_formulas_stay_text_in_cells_and_headers(tmp_path):
    """A name or code starting with "=" is text in every cell and header, never a formula."""
    fw = ie.load_framework(ROOT / "tests" / "data" / "mini_framework.yaml")
    evil = '=HYPERLINK("http://evil.example","点我")'
    nodes = tuple(
        dataclasses.replace(n, name_zh=evil, name_en=evil) if n.code == "court" else n
        for n in fw.nodes
    )
    fw = dataclasses.replace(fw, nodes=nodes)
    data = {
        "uCode": ["=1+1", "b", "c", "d"],
        "uName": ["@SUM(A1)", "+1", "-2+3", "乙"],
        "court": [3, 1, 0, 5],
        "penalty": [10, 4, 7, 2],
        "audit": [120.5, 0, 30, 12],
        "kept": [0.9, 0.75, 0.8, 0.6],
        "hotline": [88, 91.5, 80, 70],
    }
    import pandas as pd

    ev = ie.build(fw, pd.DataFrame(data))
    paths = excel.write_workbooks(ev, tmp_path)
    seen = set()
    for path in paths:
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                if name.startswith("xl/worksheets/"):
                    assert "<f>" not in z.read(name).decode("utf-8"), name
        for ws in openpyxl.load_workbook(path).worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (path.name, ws.title, cell.coordinate)
                    if cell.value in (evil, "=1+1", "@SUM(A1)", "+1", "-2+3"):
                        assert cell.data_type == "s"
                        seen.add(cell.value)
    assert seen == {evil, "=1+1", "@SUM(A1)", "+1", "-2+3"}


def test_report_write_passes_the_cover_to_the_workbooks(report_ev, tmp_path):
    out = tmp_path / "run"
    ie.report.write(report_ev, out, pdf=False, quiet=True, cover=COVER)
    assert (out / "analysis.xlsx").exists()
    ws = openpyxl.load_workbook(out / "results.xlsx").worksheets[0]
    cells = {r[0]: r[1] for r in ws.iter_rows(values_only=True) if r and r[0]}
    assert COVER["title"]["zh"] in cells and cells["委托方"] == COVER["client"]["zh"]
    assert cells["稿件状态"] == "正式稿"


def test_run_record_values_in_words():
    method = ("spec", "normalise", "method")
    assert record_value(method, "goalposts") == "目标区间法（goalposts）"
    assert record_value(method, "goalposts", "en") == "goalposts"  # the words are the id
    assert record_value(("spec", "aggregate", "method"), "amean", "en") == (
        "weighted arithmetic mean (amean)"
    )
    assert record_value(("spec", "missing"), "worst") == "按最差值计分（worst）"
    assert record_value(("seed",), 3) == 3
    assert record_value(("input_files", 0, "path"), "data.csv") == "data.csv"  # a name
