"""Reports (docs/reports.md): the deliverable folder, its files, fonts, safety and layering."""

from __future__ import annotations

import ast
import importlib
import io
import json
import re
import warnings
import zipfile
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import openpyxl
import pandas as pd
import pytest
from conftest import ROOT, assert_pdf_embeds_cjk

import integrity_eval as ie
from integrity_eval.report import safe_filename
from integrity_eval.report.text import LABELS

write_mod = importlib.import_module("integrity_eval.report.write")


# ------------------------------------------------------------------ deliverable
def test_deliverable_files(report_written):
    out, _ = report_written
    names = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    for f in ("league_table.csv", "results.xlsx", "analysis.xlsx", "manifest.json", "report.pdf"):
        assert f in names
    for u in ("BS", "CM", "FX"):
        assert f"units/{u}.html" in names and f"units/{u}.pdf" in names
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    listed = {o["file"] for o in manifest["outputs"]}
    assert names == listed  # every file is in the manifest, with its hash
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]  # no temp folder


def test_no_glyph_missing_and_no_absolute_path(report_written, tmp_path_factory):
    out, messages = report_written
    assert not [m for m in messages if "Glyph" in m or "missing from" in m]
    needles = {str(out), str(out.parent), str(ROOT), str(Path.home())}
    needles.discard("/root") if str(Path.home()) == "/root" else None
    for p in out.rglob("*"):
        if not p.is_file():
            continue
        blobs = [p.read_bytes()]
        if p.suffix == ".xlsx":
            with zipfile.ZipFile(p) as z:
                blobs = [z.read(n) for n in z.namelist()]
        for blob in blobs:
            text = blob.decode("utf-8", errors="ignore")
            for needle in needles:
                assert needle not in text, (p.name, needle)
            assert "file:///" not in text, p.name


def test_pdf_embeds_cjk_font_and_holds_unit_name(report_written):
    from pypdf import PdfReader

    out, _ = report_written
    reader = PdfReader(out / "units" / "BS.pdf")
    assert_pdf_embeds_cjk(reader)
    text = "".join(p.extract_text() for p in reader.pages)
    assert "宝山区" in text
    first = reader.pages[0].extract_text()
    assert re.search(r"第\s*1\s*页\s*/\s*共\s*\d+\s*页", first)
    assert "合成数据" in first  # synthetic marking on the cover


# ---------------------------------------------------------------- unit report
def test_unit_report_content(report_written, report_ev):
    out, _ = report_written
    html = (out / "units" / "BS.html").read_text("utf-8")
    for text in (
        "宝山区",
        "某信用服务有限公司",
        "合成数据",
        '"第 " counter(page) " 页 / 共 " counter(pages) " 页"',  # page footer (CSS)
        "各维度得分",
        "指标明细",
        "改进建议",
        "责任单位",
        "历年趋势",
        "附录：评价方法",
        "运行哈希",
        "90% 名次区间",
        "各等级概率",
        "R1",  # the breach record that counted
        "司法判决",
        "得分恰好等于分界值时取较好的等级",
        report_ev.manifest["run_hash"],
    ):
        assert text in html, text
    assert "tax-credit" not in html  # a scheme id never reaches the reader (issue 18)
    assert "data:image/png;base64," in html
    assert "无计入的失信记录" in (out / "units" / "CM.html").read_text("utf-8")
    # worst unit: veto fired and named
    worst = report_ev.scores.idxmin()
    assert "重大失信事件" in (out / "units" / f"{worst}.html").read_text("utf-8")


def test_names_are_escaped(report_written):
    out, _ = report_written
    for f in (out / "units" / "CN.html", out / "report.html"):
        html = f.read_text("utf-8")
        assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;长宁区" in html


def test_chinese_report_has_no_english_labels(report_written):
    out, _ = report_written
    html = (out / "units" / "BS.html").read_text("utf-8")
    english = [en for zh, en in LABELS.values() if zh != en and "{" not in en and len(en) > 6]
    left = [en for en in english if f">{en}<" in html]
    assert not left
    from fontTools.ttLib import TTFont

    from integrity_eval.fonts import resolve_font
    from integrity_eval.report.write import FONT_FILE

    if resolve_font(None).path.suffix.lower() in (".ttc", ".otc"):  # the SC face: 「」“”全角
        assert TTFont(out / "fonts" / FONT_FILE)["name"].getDebugName(1).endswith(" SC")


def test_english_report(report_ev, tmp_path):
    out = tmp_path / "en"
    ie.report.write(report_ev, out, lang="en", pdf=False, quiet=True)
    html = (out / "units" / "BS.html").read_text("utf-8")
    assert "Indicators" in html and "Annex: methodology" in html
    chinese = [zh for zh, en in LABELS.values() if zh != en and "{" not in zh]
    assert not [zh for zh in chinese if f">{zh}<" in html]
    wb = openpyxl.load_workbook(out / "results.xlsx")
    assert wb.sheetnames[0] == "Cover" and "League table" in wb.sheetnames
    assert openpyxl.load_workbook(out / "analysis.xlsx").sheetnames[0] == "README"


def test_english_report_has_no_chinese_and_cites_documents_in_english(report_ev, tmp_path):
    """Every visible word of an English report and workbook is English: the documents are
    cited by their English titles (the framework's citations_en) and clause numbers in
    figures (§二.5 → §2.5; §一.一是 → §1, point 1)."""
    out = tmp_path / "en"
    ie.report.write(report_ev, out, lang="en", pdf=False, quiet=True)
    cjk = re.compile(r"[\u3400-\u9fff]")
    for page in (out / "report.html", out / "units" / "BS.html"):
        html = re.sub(r"<(style|script)\b.*?</\1>", "", page.read_text("utf-8"), flags=re.S)
        text = re.sub(r"<[^>]+>", " ", html)
        assert "Hu Fa Gai Xin [2018] No. 5) §2.5" in text, page.name
        assert not cjk.findall(text), (page.name, cjk.findall(text)[:10])
    cells = [
        v
        for book in ("results.xlsx", "analysis.xlsx")
        for ws in openpyxl.load_workbook(out / book, read_only=True).worksheets
        for row in ws.iter_rows(values_only=True)
        for v in row
        if isinstance(v, str)
    ]
    assert not [v for v in cells if cjk.search(v)]
    assert any("Plan for 2013 (published 28 August 2013, no document number) §1, point 1" in v
               for v in cells)  # fmt: skip
    # quotation marks and apostrophes set proportionally (the CJK collection's JP face);
    # a Chinese report keeps the SC face, whose full-width marks Chinese text wants
    from fontTools.ttLib import TTFont

    from integrity_eval.fonts import resolve_font
    from integrity_eval.report.write import FONT_FILE

    if resolve_font(None).path.suffix.lower() in (".ttc", ".otc"):
        family = TTFont(out / "fonts" / FONT_FILE)["name"].getDebugName(1)
        assert family.endswith(" JP"), family


def test_unit_with_missing_dimension_says_so(report_ev, tmp_path):
    fw = report_ev.framework
    element = fw.codes_at(2)[0]
    idata = report_ev.idata.copy()
    codes = fw.descendants(element)
    idata.loc[idata["uCode"] == "FX", codes] = np.nan
    ev = ie.build(fw, idata, None, seed=0, time=2024)
    out = tmp_path / "miss"
    ie.report.write(ev, out, pdf=False, quiet=True)
    html = (out / "units" / "FX.html").read_text("utf-8")
    # blanks scored as the worst value: listed among the findings with the policy
    assert "未报送的指标" in html and "按最差值计分" in html
    assert all(fw[c].name_zh in html for c in codes)


# ------------------------------------------------------------------ tables
def test_league_csv(report_written, report_ev):
    out, _ = report_written
    raw = (out / "league_table.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = pd.read_csv(out / "league_table.csv", encoding="utf-8-sig", dtype={"uCode": str})
    fw = report_ev.framework
    dims = [f"{c} {fw[c].name_zh}" for c in fw.children[fw.root]]
    assert list(table.columns[:4]) == ["uCode", "uName", "score", "rank"]
    assert list(table.columns[4 : 4 + len(dims)]) == dims
    for col in ("grade", "veto", "rank_q05", "rank_q95", "status", "data"):
        assert col in table.columns
    assert set(table["data"]) == {"合成数据 / synthetic"}
    text = raw.decode("utf-8-sig")
    assert not re.search(r"\d\.\d{3,}", text)  # rounded to 2 decimals
    top = table.iloc[0]
    assert top["score"] == pytest.approx(report_ev.scores.max(), abs=0.005)


def test_not_rated_units_have_no_rank(report_ev, tmp_path):
    idata = report_ev.idata.copy()
    fw = report_ev.framework
    idata.loc[idata["uCode"] == "CM", fw.indicators] = np.nan
    ev = ie.build(fw, idata, None, seed=0, time=2024)
    assert "CM" in ev.unscored.index
    csv = ie.report.league_csv(ev).decode("utf-8-sig")
    table = pd.read_csv(io.StringIO(csv), dtype={"uCode": str})
    row = table[table["uCode"] == "CM"].iloc[0]
    assert pd.isna(row["rank"]) and pd.isna(row["score"])
    assert row["status"].startswith("不予评级")
    assert table.iloc[-1]["uCode"] == "CM"


def test_results_workbook(report_written):
    out, _ = report_written
    for book in ("results.xlsx", "analysis.xlsx"):
        with zipfile.ZipFile(out / book) as z:
            for name in z.namelist():
                if name.startswith("xl/worksheets/"):
                    assert "<f>" not in z.read(name).decode("utf-8")
    wb = openpyxl.load_workbook(out / "results.xlsx")
    assert wb.sheetnames == ["封面", "排名", "评级", "指标明细"]  # duck-typed rating: no vetoes
    cover = " ".join(str(c.value) for row in wb["封面"].iter_rows() for c in row if c.value)
    assert "合成" in cover and "排名" in cover
    ws = wb["排名"]
    assert ws.freeze_panes == "D2" and ws.auto_filter.ref.startswith("A1:")
    assert [ws.cell(1, j).value for j in range(1, 5)] == [
        "名次",
        "单位代码",
        "单位名称",
        "综合得分",
    ]
    assert ws.cell(2, 4).number_format == "0.00" and ws.cell(2, 1).number_format == "0"
    analysis = openpyxl.load_workbook(out / "analysis.xlsx")
    names = analysis.sheetnames
    assert names[0] == "说明"
    for s in ("原始数据", "聚合", "指标体系", "等级概率", "不确定性", "运行记录"):
        assert s in names, s
    # the default spec has no impute/treat: their datasets repeat an earlier stage
    assert "插补" not in names and "异常值处理" not in names
    readme = " ".join(str(c.value) for row in analysis["说明"].iter_rows() for c in row if c.value)
    assert "计算步骤" in readme and "不单列工作表" in readme and "合成" in readme
    raw = analysis["原始数据"]
    assert raw.freeze_panes == "C3" and raw.auto_filter.ref.startswith("A2:")
    assert [raw.cell(1, 1).value, raw.cell(2, 1).value] == ["单位代码", "uCode"]
    assert raw.cell(1, 3).value == "政务诚信三清单按时发布"


def test_results_workbook_lists_the_indicators_the_spec_excluded(tmp_path):
    from integrity_eval.report.excel import write_analysis

    fw = ie.load_framework(ROOT / "tests" / "data" / "mini_framework.yaml")
    data = pd.DataFrame(
        {
            "uCode": ["a", "b", "c", "d"],
            "court": [3, 1, 0, 5],
            "penalty": [10, 4, 7, 2],
            "audit": [120.5, 0, 30, 12],
            "kept": [0.9, 0.75, 0.8, 0.6],
            "hotline": [88, 91.5, 80, 70],
        }
    )
    ev = ie.build(fw, data, {"normalise": {"method": "minmax"}, "aggregate": {}, "exclude": ["D2"]})
    assert list(ev.excluded.index) == ["D2", "kept", "hotline"]
    d2, kept = fw["D2"], fw["kept"]
    for lang, sheet in (("zh", "说明"), ("en", "README")):
        path = write_analysis(ev, tmp_path / f"analysis-{lang}.xlsx", lang=lang)
        rows = [[c.value for c in r] for r in openpyxl.load_workbook(path)[sheet].iter_rows()]
        rows = [r[:2] for r in rows]
        head = rows.index(
            ["排除的要素", "以下 3 项按评价设置排除，不参与本次评价"]
            if lang == "zh"
            else ["Elements excluded", "The evaluation settings left these 3 elements out"]
        )
        if lang == "zh":
            assert rows[head + 1] == ["D2", f"{d2.name('zh')}：评价设置列明排除"]
            assert rows[head + 2] == ["kept", f"{kept.name('zh')}：上级“{d2.name('zh')}”被排除"]
        else:
            assert rows[head + 1] == [
                "D2",
                f"{d2.name('en')}: listed for exclusion in the settings",
            ]
            assert rows[head + 2] == [
                "kept",
                f"{kept.name('en')}: its parent '{d2.name('en')}' is excluded",
            ]
        assert rows[head + 3][0] == "hotline"
    # without exclude, no such section
    plain = write_analysis(ie.build(fw, data), tmp_path / "plain.xlsx")
    cells = [c.value for r in openpyxl.load_workbook(plain)["说明"].iter_rows() for c in r]
    assert "排除的要素" not in cells


# ---------------------------------------------------------------- safety
@pytest.mark.parametrize(
    "code",
    ["../../etc/passwd", "/abs/path", "C:\\win", "CON", "nul.txt", "Com1", "..", ".", "", "a/b"],
)
def test_safe_filename_stays_inside(code, tmp_path):
    name = safe_filename(code)
    assert name and "/" not in name and "\\" not in name and not name.startswith(".")
    assert name.split(".")[0].upper() not in write_mod._RESERVED
    target = (tmp_path / f"{name}.html").resolve()
    assert target.parent == tmp_path.resolve()


def test_safe_filename_keeps_plain_codes_and_separates_others():
    assert safe_filename("BS") == "BS" and safe_filename("310101") == "310101"
    assert safe_filename("徐汇区") == "徐汇区"
    assert safe_filename("a/b") != safe_filename("a:b") != safe_filename("a_b")
    assert (
        write_mod._file_names(["ab", "AB"])["ab"].lower()
        != write_mod._file_names(["ab", "AB"])["AB"].lower()
    )


def test_failed_run_leaves_nothing(report_ev, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk trouble")

    monkeypatch.setattr(write_mod, "render_pdf", broken)
    out = tmp_path / "x" / "run"
    with pytest.raises(RuntimeError, match="disk trouble"):
        ie.report.write(report_ev, out, quiet=True)
    assert not (tmp_path / "x").exists()


def test_pdf_fetches_nothing_outside(tmp_path):
    from integrity_eval.report.figures import data_uri
    from integrity_eval.report.render import _LocalOnly, render_pdf

    fonts = tmp_path / "fonts"
    fonts.mkdir()
    inside = fonts / "ok.txt"
    inside.write_text("ok")
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    fetcher = _LocalOnly([fonts])
    assert fetcher.fetch(inside.as_uri()).read() == b"ok"
    assert fetcher.fetch("data:text/plain;base64,b2s=").read() == b"ok"
    for url in (secret.as_uri(), (fonts / ".." / "secret.txt").as_uri(), "http://example.org/"):
        with pytest.raises(ValueError, match="refused"):
            fetcher.fetch(url)
    png = io.BytesIO()
    from PIL import Image

    Image.new("RGB", (4, 4), "red").save(png, format="PNG")
    (tmp_path / "secret.png").write_bytes(png.getvalue())
    ok = f'<html><body><img src="{data_uri(png.getvalue())}"></body></html>'
    render_pdf(ok, tmp_path / "ok.pdf", base=tmp_path, roots=[fonts])
    bad = f'<html><body><img src="{(tmp_path / "secret.png").as_uri()}"></body></html>'
    with pytest.raises(RuntimeError, match="PDF"):
        render_pdf(bad, tmp_path / "bad.pdf", base=tmp_path, roots=[fonts])


# ---------------------------------------------------------------- layering
CORE = [
    "build",
    "evaluation",
    "spec",
    "manifest",
    "framework",
    "io",
    "idata",
    "errors",
    "schemas",
    "ranking",
    "denominate",
    "impute",
    "screen",
    "treat",
    "normalise",
    "aggregate",
    # plotting below the report: the font resolver lives in the package root
    "fonts",
    "plots",
    "uncertainty/plots",
]


@pytest.mark.parametrize("module", CORE)
def test_core_imports_nothing_from_report_or_cli(module):
    path = ROOT / "integrity_eval" / f"{module}.py"
    tree = ast.parse(path.read_text("utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            target = ("." * node.level) + (node.module or "")
            names = [a.name for a in node.names]
            assert not re.match(r"^(\.+|integrity_eval\.)(report|cli)\b", target), target
            if re.fullmatch(r"\.+|integrity_eval", target):
                assert "report" not in names and "cli" not in names
        elif isinstance(node, ast.Import):
            for a in node.names:
                assert not a.name.startswith(("integrity_eval.report", "integrity_eval.cli"))


# ------------------------------------------------------------------- fonts
def test_font_resolver_order(tmp_path, monkeypatch):
    from integrity_eval.report import fonts

    default = fonts.resolve_font()
    assert default.origin in ("system", "package") and default.path.is_file()
    assert "CJK" in default.family
    monkeypatch.setenv(fonts.FONT_ENV, str(default.path))
    assert fonts.resolve_font().origin == "user"
    monkeypatch.setenv(fonts.FONT_ENV, str(tmp_path / "nope.ttf"))
    with pytest.raises(ie.ValidationError, match="font"):
        fonts.resolve_font()
    assert fonts.resolve_font(default.path).origin == "user"


def test_charts_draw_chinese_without_missing_glyphs():
    from integrity_eval.report import figures, fonts

    font = fonts.resolve_font()
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*Glyph.*")
        png = figures.profile_chart(
            ["政务诚信记录、共享与公开机制", "招商引资"],
            [80.0, np.nan],
            [60.0, 50.0],
            [95.0, 90.0],
            labels=("本单位", "中位数", "最高"),
            font=font,
        )
    assert png.startswith(b"\x89PNG")
    # the same text in a font without CJK glyphs does warn: the check above can fail
    with pytest.warns(UserWarning, match="Glyph"):
        import matplotlib
        from matplotlib.figure import Figure

        with matplotlib.rc_context({"font.family": "DejaVu Sans"}):
            fig = Figure()
            fig.add_subplot().set_title("招商引资")
            fig.savefig(io.BytesIO(), format="png")


def test_status_labels_use_intake_columns_when_present():
    """``ev.unscored`` may carry ``label`` or ``n_reported``/``n_indicators`` (issue on
    intake); without them the reason is shown."""
    from integrity_eval.report.tables import status_labels

    units = pd.DataFrame(index=pd.Index(["A", "B", "C", "D"], name="uCode"))
    unscored = pd.DataFrame(
        {
            "reason": ["screened out", "screened out", "no data"],
            "n_reported": [3, np.nan, np.nan],
            "n_indicators": [12, 12, np.nan],
            "label": [
                None,
                "不予评级：仅报送 1 / 12 项指标 / not rated: 1 of 12 indicators reported",
                None,
            ],
        },
        index=pd.Index(["A", "B", "C"], name="uCode"),
    )
    blanks = pd.DataFrame({"uCode": ["D", "D"], "iCode": ["x", "y"]})
    fake = SimpleNamespace(units=units, unscored=unscored, blanks=blanks, missing_policy="worst")
    out = status_labels(fake)
    assert out["A"] == "不予评级：仅报送 3 / 12 项指标 / not rated: 3 of 12 indicators reported"
    assert out["B"].startswith("不予评级：仅报送 1 / 12")
    assert out["C"] == "不予评级 / not rated: no data"
    assert out["D"] == "已评分（2 项未报送，按不得分计）/ rated (2 not reported, scored as worst)"


def test_rank_interval_whole_ranks_contain_the_percentiles():
    from integrity_eval.report.content import rank_interval

    assert rank_interval(5.05, 7.6) == (5, 8)
    assert rank_interval(4.6, 4.6) == (4, 5)
    assert rank_interval(3.0, 3.0) == (3, 3)
    assert rank_interval(float("nan"), None) == (None, None)


@pytest.mark.parametrize(
    "text", ['某市 "诚信" 评价', "a\\b </style><script>", "第一行\n评价期 2024 · 委托方 A&B"]
)
def test_running_header_text_is_one_css_string(text):
    """The page header's text (engagement title, client …) reaches the margin box as it
    is: one CSS string token, nothing that closes the <style> element."""
    import tinycss2

    from integrity_eval.report.render import css_string

    css = str(css_string(text))
    assert "<" not in css and "\n" not in css
    (token,) = tinycss2.parse_component_value_list(css)
    assert token.type == "string" and token.value == text


def test_english_method_notes_units_named_in_chinese(report_ev):
    """An English report says how many units keep a Chinese name (no uName_en), and says
    nothing when every name it prints is English."""
    from integrity_eval.report.method import method_section

    def data_text(ev):
        return " ".join(method_section(ev, lang="en")["items"][0]["text"])

    n = len(report_ev.units)
    chinese = report_ev.idata.drop(columns="uName_en")  # the bundled data's English names
    ev = ie.build(report_ev.framework, chinese, None, seed=0, time=2024)
    assert f"{n} of {n} units appear under their names as reported" in data_text(ev)
    idata = chinese.copy()
    idata.insert(2, "uName_en", "District " + idata["uCode"])
    idata.loc[idata["uCode"] == report_ev.units.index[0], "uName_en"] = None
    ev = ie.build(report_ev.framework, idata, None, seed=0, time=2024)
    assert f"1 of {n} units appear" in data_text(ev)
    assert "names as reported" not in data_text(report_ev)  # every district named in English
    english = chinese.assign(uName="District " + chinese["uCode"])
    ev = ie.build(report_ev.framework, english, None, seed=0, time=2024)
    assert "names as reported" not in data_text(ev)


def test_goalposts_annex_cites_in_the_report_language():
    """A goalpost source written "中文 / English" (Luyang) is printed in the report's
    language only, its documents cited by title, in English by the English title."""
    from integrity_eval.report.method import method_section

    ds = ie.datasets.load("luyang-units")
    ev = ie.build(ds.framework, ds.idata, None, seed=0)
    cjk = re.compile(r"[\u3400-\u9fff]")
    for lang in ("zh", "en"):
        rows = method_section(ev, lang=lang)["goalposts"]
        sources = [r["source"] for r in rows]
        assert sources and not [s for s in sources if " / " in s or ".txt" in s], sources
        if lang == "en":
            assert not [s for s in sources if cjk.search(s)], sources
            assert any("Luyang District Implementation Plan" in s for s in sources)
        else:
            assert any("《庐阳区加强政务诚信建设实施方案》" in s for s in sources)
