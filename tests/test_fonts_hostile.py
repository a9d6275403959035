"""Careless and hostile inputs (issue 20, fonts and charts): names in Tibetan, Mongolian and
Yi script and joined emoji reach every PDF and chart, or are drawn as □ with a warning that
names the unit, in ``validate`` and in ``run``; a ``$`` in a name is never read as
matplotlib mathtext; ``INTEGRITY_EVAL_FONT`` naming a file that is not a font and
``--draws`` below the minimum are refused with a bilingual message, never a traceback.
Each hostile input is built here and driven through the command line."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from conftest import MINI_FW_TEXT, MINI_HEADER, assert_pdf_embeds_cjk

from integrity_eval import fonts
from integrity_eval.cli import main
from integrity_eval.cli.common import MIN_DRAWS
from integrity_eval.report import figures

TIBETAN = "ཁྲི་ཀ་རྫོང་"  # Khri-ka county, Qinghai
MONGOLIAN = "ᠬᠥᠬᠡᠬᠣᠲᠠ"  # Hohhot
YI = "ꆈꌠ"  # Nuosu
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # man ZWJ woman ZWJ girl: one emoji
DOLLARS = "Fund $5 and $10"
ROWS = [
    ["HP", TIBETAN, 3, 10, 120.5, 0.9, 88],
    ["PD", MONGOLIAN, 1, 4, 0, 0.75, 91.5],
    ["CN", YI, 0, 7, 30, 0.8, 80],
    ["EM", f"{FAMILY} {DOLLARS}", 2, 5, 60, 0.7, 85],
]
HAS_FALLBACKS = {f.face for f in fonts.fallback_fonts()} >= {
    "ReportTibetan",
    "ReportMongolian",
    "ReportYi",
    "ReportEmoji",
}
NEEDS_FALLBACKS = pytest.mark.skipif(
    not HAS_FALLBACKS,
    reason="后备字体未安装（make system-deps）/ fallback fonts not installed (make system-deps)",
)


def _inputs(tmp_path: Path, rows: list[list] = ROWS) -> tuple[Path, Path]:
    fw = tmp_path / "fw.yaml"
    fw.write_text(MINI_FW_TEXT, encoding="utf-8")
    data = tmp_path / "data.csv"
    lines = [",".join(map(str, r)) for r in [MINI_HEADER, *rows]]
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return fw, data


def _cli(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _run_folder(out: Path) -> Path:
    (folder,) = [p for p in out.iterdir() if p.is_dir()]
    return folder


@pytest.fixture
def no_fallbacks(monkeypatch):
    """A machine without Debian's fonts-noto-core and fonts-symbola: no fallback font is
    found (matplotlib's DejaVu Sans only)."""
    monkeypatch.setattr(fonts, "FALLBACK_FILES", ())
    fonts._default_font.cache_clear()
    yield
    fonts._default_font.cache_clear()


# ============================================================ names in every script
@NEEDS_FALLBACKS
def test_minority_scripts_and_joined_emoji_reach_the_pdfs(tmp_path, capsys):
    """Tibetan, Mongolian, Yi and a ZWJ emoji: validate and run pass without a warning;
    the PDFs embed the fallback subsets and hold the names as text."""
    from pypdf import PdfReader

    fw, data = _inputs(tmp_path)
    code, _out, err = _cli(capsys, "validate", "--framework", fw, "--data", data)
    assert code == 0, err
    assert "U+" not in err
    code, _out, err = _cli(capsys, "run", "--framework", fw, "--data", data, "--out",
                           tmp_path / "out")  # fmt: skip
    assert code == 0, err
    assert "Traceback" not in err and "U+" not in err and "Glyph" not in err
    run = _run_folder(tmp_path / "out")
    shipped = {p.name for p in (run / "fonts").iterdir()}
    assert {
        "ReportTibetan-subset.ttf",
        "ReportMongolian-subset.ttf",
        "ReportYi-subset.ttf",
        "ReportEmoji-subset.ttf",
        "FALLBACK-FONTS.txt",
    } <= shipped
    assert "SIL Open Font License" in (run / "fonts" / "FALLBACK-FONTS.txt").read_text("utf-8")
    for code_, name, face in (("HP", TIBETAN, "Tibetan"), ("PD", MONGOLIAN, "Mongolian"),
                              ("CN", YI, "Yi"), ("EM", "\U0001f468", "Symbola")):  # fmt: skip
        reader = PdfReader(run / "units" / f"{code_}.pdf")
        assert_pdf_embeds_cjk(reader)
        embedded = {str(f.get_object()["/BaseFont"])
                    for f in reader.pages[0]["/Resources"]["/Font"].values()}  # fmt: skip
        assert any(face in n for n in embedded), (code_, embedded)
        assert name in reader.pages[0].extract_text().replace(" ", ""), code_  # pypdf spaces
        assert fonts.REPLACEMENT not in (run / "units" / f"{code_}.html").read_text("utf-8")


def test_uncovered_names_warn_in_validate_and_run_and_draw_a_replacement(
    tmp_path, capsys, caplog, no_fallbacks
):
    """Without the fallback fonts: validate warns naming each unit and its characters; run
    warns the same, finishes, and the PDFs show □ (the emoji's zero-width joiners need no
    glyph and are not listed)."""
    from pypdf import PdfReader

    fw, data = _inputs(tmp_path, [ROWS[0], ROWS[3], ["CN", "长宁区", 0, 7, 30, 0.8, 80]])
    code, _out, err = _cli(capsys, "validate", "--framework", fw, "--data", data)
    assert code == 0, err
    assert "单位 HP（ཁྲི་ཀ་རྫོང་）的名称有字体未覆盖的字符" in err
    assert "unit HP (ཁྲི་ཀ་རྫོང་): characters no font covers" in err
    assert "ཁ U+0F41" in err and "ྲ U+0FB2" in err
    assert "unit EM (" in err and "👨 U+1F468" in err and "U+200D" not in err
    assert "CN" not in err  # Chinese names are covered
    warned = sorted(line for line in err.splitlines() if "U+" in line)
    assert len(warned) == 2
    code, _out, err = _cli(capsys, "run", "--framework", fw, "--data", data, "--out",
                           tmp_path / "out")  # fmt: skip
    assert code == 0, err
    assert "Traceback" not in err and "Glyph" not in err
    assert sorted(line for line in err.splitlines() if "U+" in line) == warned
    assert all(line.startswith("注意 / note:") for line in err.splitlines() if line)
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    run = _run_folder(tmp_path / "out")
    assert not (run / "fonts" / "ReportTibetan-subset.ttf").exists()
    html = (run / "units" / "HP.html").read_text("utf-8")
    assert fonts.REPLACEMENT * 5 in html and "ཁ" not in html
    em = (run / "units" / "EM.html").read_text("utf-8")
    assert f"{fonts.REPLACEMENT}\u200d{fonts.REPLACEMENT}\u200d{fonts.REPLACEMENT} {DOLLARS}" in em
    assert fonts.REPLACEMENT in PdfReader(run / "units" / "HP.pdf").pages[0].extract_text()
    # the data files keep the names as written
    league = (run / "league_table.csv").read_text("utf-8-sig")
    assert TIBETAN in league and FAMILY in league


def test_missing_glyphs_and_displayable(no_fallbacks):
    """The coverage check itself: characters no font covers, each once; control and
    default-ignorable characters are never listed; ASCII passes unchanged."""
    font = fonts.resolve_font()
    assert fonts.missing_glyphs(f"{TIBETAN}{TIBETAN}", font) == "".join(dict.fromkeys(TIBETAN))
    assert fonts.missing_glyphs("黄浦区 Fund $5\n", font) == ""
    assert fonts.missing_glyphs("a\u200db\ufe0f", font) == ""
    # the joiners stay (DejaVu Sans covers them) and join nothing; a tag character that
    # no font covers is left out, not drawn as □
    assert fonts.displayable(f"x{FAMILY}y", font) == "x□\u200d□\u200d□y"
    assert fonts.displayable("a\U000e0001b", font) == "ab"
    assert fonts.displayable(DOLLARS, font) == DOLLARS


# ============================================================ mathtext
def test_dollar_signs_in_a_name_are_drawn_literally_in_every_report_chart(
    tmp_path, capsys, monkeypatch
):
    """``Fund $5 and $10`` was drawn as maths ("5 and " in italics, the dollars gone):
    every text of every chart of the run keeps it, and none is parsed as mathtext."""
    from matplotlib.text import Text

    seen: list[tuple[str, bool]] = []
    png = figures._png

    def spy(fig, font):
        out = png(fig, font)
        for t in fig.findobj(Text):
            shown, math = t._preprocess_math(t.get_text())
            seen.append((shown, math))
        return out

    monkeypatch.setattr(figures, "_png", spy)
    rows = [[*ROWS[1][:1], DOLLARS, *ROWS[1][2:]], ["CN", "长宁区", 0, 7, 30, 0.8, 80]]
    fw, data = _inputs(tmp_path, rows)
    code, _out, err = _cli(capsys, "run", "--framework", fw, "--data", data, "--out",
                           tmp_path / "out", "--no-pdf", "--quiet")  # fmt: skip
    assert code == 0, err
    assert any(DOLLARS in shown for shown, _ in seen)
    assert not any(math for _, math in seen)


def test_dollar_signs_in_a_notebook_plot_are_literal_in_the_svg(tmp_path, no_fallbacks):
    """The notebook plots (ie.plots) go through the same helper, also for unit names
    plotted as categories: the SVG, with text kept as text, holds the name as written,
    and a name no font covers is drawn as □, without matplotlib's missing-glyph warning."""
    import warnings

    import matplotlib

    import integrity_eval as ie
    from integrity_eval.idata import read_idata

    fw, data = _inputs(tmp_path, [ROWS[0], [*ROWS[1][:1], DOLLARS, *ROWS[1][2:]]])
    framework = ie.load_framework(fw)
    ev = ie.build(framework, read_idata(data, framework))
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*Glyph.*")
        with pytest.warns(UserWarning, match="ཁ U\\+0F41"):  # the unit name, a category
            ax = ie.plots.bar(ev, names=True)
        with matplotlib.rc_context({"svg.fonttype": "none", "text.parse_math": True}):
            ax.figure.savefig(tmp_path / "bar.svg")
    svg = (tmp_path / "bar.svg").read_text("utf-8")
    assert DOLLARS in svg
    assert fonts.REPLACEMENT * 5 in svg and "ཁ" not in svg


# ============================================================ the font file
@pytest.mark.parametrize("cmd", ["validate", "run"])
def test_font_variable_naming_a_text_file_is_refused(tmp_path, capsys, monkeypatch, cmd):
    fake = tmp_path / "fake-font.ttf"
    fake.write_text("this is not a font\n", encoding="utf-8")
    monkeypatch.setenv(fonts.FONT_ENV, str(fake))
    fw, data = _inputs(tmp_path, [ROWS[1], ["CN", "长宁区", 0, 7, 30, 0.8, 80]])
    argv = ["--framework", fw, "--data", data]
    if cmd == "run":
        argv += ["--out", tmp_path / "out", "--no-pdf", "--quiet"]
    code, _out, err = _cli(capsys, cmd, *argv)
    assert code == 1, err
    assert err.startswith("错误 / Error:") and "Traceback" not in err
    assert "fake-font.ttf" in err
    assert "不是可用的字体文件" in err and "expected a TrueType/OpenType font" in err
    assert fonts.FONT_ENV in err
    assert not (tmp_path / "out").exists()


def test_font_variable_naming_a_damaged_font_is_refused(tmp_path, monkeypatch):
    """A file that starts like a font but is cut short is no font either."""
    good = fonts.fallback_fonts()[-1].path  # DejaVu Sans, shipped with matplotlib
    cut = tmp_path / "cut.ttf"
    cut.write_bytes(good.read_bytes()[:2000])
    with pytest.raises(fonts.ValidationError, match="not a usable font file"):
        fonts.resolve_font(cut)
    assert fonts.resolve_font(good).origin == "user"


# ============================================================ --draws
@pytest.mark.parametrize("cmd", ["validate", "run"])
@pytest.mark.parametrize("n", ["1", "2", str(MIN_DRAWS - 1)])
def test_draws_below_the_minimum_are_refused(tmp_path, capsys, cmd, n):
    """``--draws 1`` drew a rank chart with error bars of negative length (a traceback):
    both commands refuse it while reading the options, naming the minimum."""
    fw, data = _inputs(tmp_path, [ROWS[1], ["CN", "长宁区", 0, 7, 30, 0.8, 80]])
    argv = [cmd, "--framework", fw, "--data", data, "--draws", n]
    if cmd == "run":
        argv += ["--no-pdf", "--quiet", "--out", tmp_path / "out"]
    code, _out, err = _cli(capsys, *argv)
    assert code == 2
    assert "Traceback" not in err and "用法错误 / usage error" in err
    assert f"抽样次数至少为 {MIN_DRAWS}" in err and f"at least {MIN_DRAWS} draws" in err
    assert f"got {n}" in err
    assert not (tmp_path / "out").exists()


def test_validate_accepts_the_minimum_number_of_draws(tmp_path, capsys):
    fw, data = _inputs(tmp_path, [ROWS[1], ["CN", "长宁区", 0, 7, 30, 0.8, 80]])
    code, _out, err = _cli(capsys, "validate", "--framework", fw, "--data", data, "--draws",
                           str(MIN_DRAWS))  # fmt: skip
    assert code == 0, err


def test_rank_interval_chart_with_the_nominal_rank_outside_the_interval():
    """With few draws the nominal rank can lie outside the draws' 5–95 % interval: the
    chart drew error bars of negative length (a traceback); now it draws both."""
    font = fonts.resolve_font()
    png = figures.ranking_chart(
        ["甲", "乙", "丙"],
        [80.0, 70.0, 60.0],
        [2.0, 1.0, 3.0],
        [3.0, 2.0, 3.0],
        [1.0, 2.0, 3.0],
        xlabel="名次",
        font=font,
    )
    assert png.startswith(b"\x89PNG")


def test_monitor_warns_naming_a_unit_whose_name_no_font_covers(tmp_path, capsys, no_fallbacks):
    """monitor draws a name's uncovered characters as □ in its charts and report, and says
    so naming the unit, as run does."""
    import pandas as pd
    from conftest import ROOT

    sample = ROOT / "datasets" / "shanghai-records-sample"
    units = pd.read_csv(sample / "units_synthetic.csv", dtype=str)
    units.loc[units["uCode"] == "YP", "uName"] = f"杨浦区 {TIBETAN}"
    (tmp_path / "units.csv").write_text(units.to_csv(index=False), "utf-8")
    out = tmp_path / "monitoring"
    argv = ["monitor", "--framework", "shanghai-2018", "--records", str(sample), "--units",
            str(tmp_path / "units.csv"), "--month", "2024-06", "--out", str(out)]  # fmt: skip
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 0, err
    assert f"单位 YP（杨浦区 {TIBETAN}）的名称有字体未覆盖的字符" in err
    assert "ཁ U+0F41" in err and "Traceback" not in err
    assert fonts.REPLACEMENT in (out / "report.html").read_text("utf-8")
