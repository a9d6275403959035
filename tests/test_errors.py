"""Error messages: every problem at once, in Chinese and English (Chinese first), the
same text in Python (str(error), to_frame) and on the command line."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import integrity_eval as ie
from integrity_eval.cli import main
from integrity_eval.errors import ZH, Problem, ProblemList, ValidationError, bilingual

DATA = Path(__file__).parent / "data"
FW_TEXT = (DATA / "mini_framework.yaml").read_text(encoding="utf-8")
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_english_rules_get_their_chinese_first():
    assert bilingual("required column is missing") == "缺少必需的列 / required column is missing"
    # variable parts are carried into the Chinese
    assert bilingual("grouplev must be between 2 and 4") == (
        "grouplev 须在 2 与 4 之间 / grouplev must be between 2 and 4"
    )
    assert bilingual("period not in the data; available: 2022, 2023") == (
        "数据中没有该期间；已有期间：2022, 2023 / period not in the data; available: 2022, 2023"
    )
    # the most specific pattern wins ("unknown key{}; …" before "unknown {}; …")
    assert bilingual("unknown key 'x'; expected one of ['a']").startswith("未知的键 'x'；")


def test_bilingual_and_unknown_english_rules_are_kept_as_written():
    assert bilingual("找不到文件 / file not found") == "找不到文件 / file not found"
    assert bilingual("a rule nobody translated yet") == "a rule nobody translated yet"
    assert bilingual("") == ""
    problems = ProblemList()
    problems.add("a rule nobody translated yet", source="x")
    problems.add("缺少数值 / value missing", source="x", row=3)
    with pytest.raises(ValidationError) as e:
        problems.raise_if_any("custom title")
    text = str(e.value)
    assert "规则/rule: a rule nobody translated yet" in text
    assert "行/row 3 | 规则/rule: 缺少数值 / value missing" in text
    assert text.startswith("custom title — 共 2 个问题 / 2 problem(s):")
    assert e.value.problems[0].rule == "a rule nobody translated yet"  # data unchanged


def test_every_table_entry_is_chinese_and_keeps_its_placeholders():
    for en, zh in ZH.items():
        assert CJK.search(zh), en
        assert not CJK.search(en), en
        assert zh.count("{}") == en.count("{}"), en
        filled = en.replace("{}", "X")
        assert bilingual(filled) == f"{zh.replace('{}', 'X')} / {filled}", en


def test_python_errors_are_bilingual(asem_ev):
    with pytest.raises(ValidationError) as e:
        ie.analysis.strengths_weaknesses(asem_ev, "ZZZ")
    assert str(e.value) == (
        "未知的单位 / unknown unit — 共 1 个问题 / 1 problem(s):\n"
        "  1. 来源/source Raw | 行/row ZZZ | 规则/rule: "
        "数据集中找不到该单位 / unit not found in the data set"
    )
    frame = e.value.to_frame()
    assert frame.loc[0, "rule"] == "数据集中找不到该单位 / unit not found in the data set"
    assert "数据集中找不到该单位" in e.value._repr_html_()


def test_cli_and_python_print_the_same_text(tmp_path, capsys):
    fw = tmp_path / "framework.yaml"
    text = FW_TEXT.replace("weight: 1}", "weight: -2}", 1).replace("parent: D2", "parent: D9", 1)
    fw.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError) as e:
        ie.load_framework(fw)
    python_text = str(e.value)
    assert python_text.startswith("框架无效 / invalid framework — 共 2 个问题 / 2 problem(s):")
    assert "权重应为非负数 / weight must be a number ≥ 0" in python_text
    assert "上级不存在（孤立节点） / parent does not exist (orphan node)" in python_text

    data = tmp_path / "data.csv"
    pd.DataFrame({"uCode": ["a"]}).to_csv(data, index=False)
    code = main(["validate", "--framework", str(fw), "--data", str(data)])
    _, err = capsys.readouterr()
    assert code == 1
    assert err == f"错误 / Error: {python_text}\n"


def test_problem_without_location_is_the_message_alone():
    assert str(Problem("duplicate code")) == "代码重复 / duplicate code"


def test_lookup_errors_of_the_python_api_are_bilingual(asem_ev):
    with pytest.raises(KeyError) as e:
        asem_ev.get_dset("Nope")
    assert str(e.value).startswith("\"没有数据集 'Nope'，可用：")
    assert "no dataset 'Nope'; available:" in str(e.value)
    with pytest.raises(KeyError) as e:
        asem_ev.framework["Nope"]
    _zh_then_en(str(e.value), "中没有节点 'Nope'", "no node 'Nope' in framework 'asem'")


def test_problem_repr_is_its_bilingual_line():
    p = Problem("duplicate code", source="framework.yaml", row="D1")
    assert (
        repr(p)
        == "<Problem 文件/file framework.yaml | 行/row D1 | 规则/rule: 代码重复 / duplicate code>"
    )


# ------------------------------------------------ every message a user can meet is bilingual
def _zh_then_en(text: str, zh: str, en: str) -> None:
    """``text`` holds ``zh`` and, after it, ``en``."""
    assert zh in text and en in text, text
    assert text.index(zh) < text.index(en), text


def _error(exc_info: pytest.ExceptionInfo) -> str:
    return str(exc_info.value)


def test_template_options_are_refused_in_both_languages(tmp_path):
    fw = ie.load_framework(DATA / "mini_framework.yaml")
    with pytest.raises(ValidationError) as e:
        ie.template.template_layout(fw, by="sheet")
    _zh_then_en(_error(e), "by 须为 'responsible'", "by must be 'responsible'")
    assert "值/value 'sheet'" in _error(e) and _error(e).startswith("选项无效 / invalid option")
    with pytest.raises(ValidationError) as e:
        ie.template.write_template(fw, tmp_path / "t.xlsx", lang="fr")
    _zh_then_en(_error(e), "lang 须为 'zh'（中文在前）", "lang must be 'zh' (Chinese first)")
    assert not (tmp_path / "t.xlsx").exists()


def test_synthetic_parameters_are_all_listed_at_once():
    from integrity_eval.synthetic import generate_panel

    fw = ie.load_framework(DATA / "mini_framework.yaml")
    units = pd.DataFrame({"uCode": ["a"], "uName": ["甲"], "size": [0.0]})
    with pytest.raises(ValidationError) as e:
        generate_panel(
            fw,
            units,
            [],
            seed=1,
            missing_rate=1.5,
            outlier_rate=-0.1,
            rho=1.0,
            sigma=-1.0,
            not_applicable={"hotlin": ["a"]},
        )
    text = _error(e)
    assert text.startswith("合成数据的参数无效 / invalid synthetic-data parameters — 共 8 个问题")
    _zh_then_en(text, "规模须为有限正数", "size must be a positive finite number")
    _zh_then_en(text, "至少需要两个单位才能排名", "at least two units are needed")
    _zh_then_en(text, "years 为空：请至少给出一个年份", "years is empty: give at least one year")
    _zh_then_en(text, "来源/source missing_rate | 值/value '1.5' | 规则/rule: 比例须在", "a rate")
    assert "来源/source outlier_rate" in text
    _zh_then_en(text, "rho 须在 (-1, 1) 之间", "rho must be in (-1, 1)")
    _zh_then_en(text, "sigma 须不小于 0", "sigma must be ≥ 0")
    _zh_then_en(
        text, "not_applicable 中的代码不是框架的指标", "is not an indicator of the framework"
    )
    assert "did you mean 'hotline'" in text
    units = pd.DataFrame({"uCode": ["a", "a"], "size": [1.0, 2.0]})
    with pytest.raises(ValidationError) as e:
        generate_panel(fw, units, [2020], seed=1)
    _zh_then_en(_error(e), "单位表缺少该列", "the units table lacks this column")
    assert "列/column uName" in _error(e)
    _zh_then_en(
        _error(e), "行/row a | 列/column uCode | 规则/rule: 单位代码重复", "duplicate uCode: give"
    )


def test_stage_options_are_refused_in_both_languages():
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(ValidationError) as e:
        ie.screen.screen(x, ["a", "b"], unit_screen="byNa")
    _zh_then_en(_error(e), "unit_screen 须为以下之一", "unit_screen must be one of")
    assert "did you mean 'byNA'" in _error(e)
    with pytest.raises(ValidationError) as e:
        ie.treat.winsorise(x, fallback="log")
    _zh_then_en(_error(e), "fallback 须为 'log_CT'", "fallback must be 'log_CT'")
    assert "来源/source treat | 列/column fallback | 值/value 'log'" in _error(e)


def test_spec_check_lists_a_bad_treat_fallback_with_the_allowed_values():
    with pytest.raises(ValidationError) as e:
        ie.spec.resolve({"treat": {"fallback": "log"}, "screen": {"unit_screen": "x"}})
    text = _error(e)
    assert "共 2 个问题" in text
    assert "列/column treat.fallback | 值/value 'log'" in text
    _zh_then_en(text, "或 null（不做对数变换）", "or null (no log step)")
    assert ie.spec.resolve({"treat": {"fallback": None}})["treat"]["fallback"] is None


def test_monitor_errors_are_bilingual():
    from integrity_eval import monitor

    months = pd.period_range("2023-01", periods=8, freq="M").astype(str)
    counts = pd.DataFrame({"uCode": "A", "Time": months, "value": 1.0})
    with pytest.raises(ValidationError) as e:
        monitor.warnings(counts, month="2023-03")
    _zh_then_en(_error(e), "之前只有 2 个月的计数", "only 2 months of counts before 2023-03")
    with pytest.raises(ValidationError) as e:
        monitor.warnings(counts, month="2024-01", alpha=5)
    _zh_then_en(_error(e), "alpha 须在 0 与 1 之间", "alpha must be between 0 and 1")
    with pytest.raises(ValidationError) as e:
        monitor.warnings(counts, month="2024-01", rules={"serious": False})
    _zh_then_en(_error(e), "计数表中没有该月份；已有 2023-01 至 2023-08", "they run from 2023-01")
    with pytest.raises(ValidationError) as e:
        monitor.warnings(counts.drop(columns="value"), month="2023-08")
    _zh_then_en(_error(e), "计数表缺少该列", "the counts table lacks this column")
    with pytest.raises(ValidationError) as e:
        monitor.warnings(counts.assign(value=-1.0), month="2023-08")
    _zh_then_en(_error(e), "行/row A 2023-01 | 列/column value", "a count cannot be negative")
    with pytest.raises(ValidationError) as e:
        monitor.warnings(counts, month="2023-08", exposure=pd.Series({"A": 0.0}))
    _zh_then_en(_error(e), "行/row A | 规则/rule: 该单位的暴露量", "this unit's exposure")


def test_records_errors_are_bilingual():
    from integrity_eval.records import periods, schema, synth
    from integrity_eval.records.counts import breach_counts, series

    rec = ie.records.read(
        pd.DataFrame(
            [
                {
                    "record_id": "r1",
                    "uCode": "A",
                    "decided": "2023-03-10",
                    "source": "court",
                    "category": 1,
                    "severity": "general",
                }
            ]
        )
    )
    with pytest.raises(ValidationError) as e:
        series(rec, "x", "nwe")
    _zh_then_en(_error(e), "breach 记录没有该口径；可用口径", "no such measure for breach records")
    assert "did you mean 'new'" in _error(e)
    with pytest.raises(ValidationError) as e:
        series(rec, "x", "active", window=3)
    _zh_then_en(_error(e), "window 只用于失信记录的 'new' 口径", "window applies to the breach")
    tickets = ie.records.read(
        pd.DataFrame(
            [
                {
                    "record_id": "t",
                    "uCode": "A",
                    "opened": "2023-03-10",
                    "channel": "12345",
                    "due": "2023-03-20",
                }
            ]
        ),
        kind="ticket",
    )
    with pytest.raises(ValidationError) as e:
        series(tickets, "x", "share")
    _zh_then_en(_error(e), "share 口径需要 where 条件", "measure 'share' needs a 'where' mapping")
    with pytest.raises(ValidationError) as e:
        breach_counts(rec, measure="all")
    _zh_then_en(_error(e), "口径须为 'active'（期末在公示期内）", "measure must be 'active'")
    with pytest.raises(ValidationError) as e:
        breach_counts(rec, start="2023-06", end="2023-01")
    _zh_then_en(_error(e), "end（2023-01）早于 start（2023-06）", "end (2023-01) is before start")
    with pytest.raises(ValidationError) as e:
        periods.span(None, None, None, None, "month")
    _zh_then_en(_error(e), "没有记录，无法确定期间范围", "there are no records to take")
    with pytest.raises(ValidationError) as e:
        periods.parse("March 2024x", "month")
    _zh_then_en(_error(e), "无法识别的期间；应为 YYYY-MM", "the period does not parse")
    with pytest.raises(ValidationError) as e:
        periods.label(1, "week")
    _zh_then_en(_error(e), "期间须为 ['month', 'quarter', 'year'] 之一", "period must be one of")
    with pytest.raises(ValidationError) as e:
        schema.get_kind("breech")
    _zh_then_en(_error(e), "未知的记录类型；应为", "unknown record kind; expected one of")
    assert "did you mean 'breach'" in _error(e)
    with pytest.raises(ValidationError) as e:
        synth.synth_units(DATA / "mini_framework.yaml", units=1)
    _zh_then_en(_error(e), "至少需要 2 个单位", "at least 2 units are needed")
    with pytest.raises(ValidationError) as e:
        synth.synth_frames("luyang-2018", rows=10, kinds=("breach", "tickets"))
    _zh_then_en(_error(e), "未知的记录类型", "unknown record kind")
    with pytest.raises(ValidationError) as e:
        ie.records.trace(DATA / "mini_framework.yaml", {}, uCode="A", indicator="kept", time="2023")
    _zh_then_en(_error(e), "该指标不是由记录计算的", "this indicator is not computed from records")
    assert "列/column kept" in _error(e)


def test_analysis_and_uncertainty_options_are_bilingual(asem_ev):
    with pytest.raises(ValidationError) as e:
        ie.analysis.percentile_rank(pd.Series([1.0, 2.0]), method="wgii")
    _zh_then_en(_error(e), "百分位排名方法须为 'wgi'", "percentile-rank method must be 'wgi'")
    with pytest.raises(ValidationError) as e:
        ie.uncertainty.sobol(asem_ev, [], output="ranks")
    _zh_then_en(_error(e), "output 须为 'rank'（各单位排名）", "output must be 'rank'")
    assert "did you mean 'rank'" in _error(e)


def test_lookup_errors_name_what_to_use(asem_ev):
    with pytest.raises(KeyError) as e:
        asem_ev.get_dset("Normalized")
    _zh_then_en(_error(e), "没有数据集 'Normalized'（是否应为 'Normalised'？）", "no dataset")
    _zh_then_en(_error(e), "；请用其中之一", "; use one of them")
    with pytest.raises(KeyError) as e:
        asem_ev.framework["Goodz"]
    _zh_then_en(_error(e), "请用框架中的代码", "use a code of the framework")


# Sites whose ValueError never reaches a user: the cell parser behind idata.read_idata (caught
# there and listed as "应为数字 / expected a number") and Framework's number check (caught
# in the same function and listed as a problem).
INTERNAL_RAISES = {
    ("integrity_eval/idata.py", "_parse_cell"),
    ("integrity_eval/framework.py", "_number"),
}


def test_no_english_only_raise_is_left():
    """Every ``raise ValueError/KeyError/TypeError(...)`` message is Chinese / English."""
    import ast

    root = Path(__file__).resolve().parents[1]
    english_only = []
    for path in sorted((root / "integrity_eval").rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if (rel, fn.name) in INTERNAL_RAISES:
                continue
            for node in ast.walk(fn):
                exc = getattr(node, "exc", None) if isinstance(node, ast.Raise) else None
                if not (isinstance(exc, ast.Call) and getattr(exc.func, "id", "") in _BUILTIN):
                    continue
                text = "".join(
                    c.value
                    for a in exc.args
                    for c in ast.walk(a)
                    if isinstance(c, ast.Constant) and isinstance(c.value, str)
                )
                if not (CJK.search(text) and " / " in text):
                    english_only.append(f"{rel}:{node.lineno}")
    assert english_only == []


_BUILTIN = {"ValueError", "KeyError", "TypeError", "LookupError", "RuntimeError"}


def _literal(node) -> str | None:
    """A string literal's text, an f-string's with "{}" for each value, else None."""
    import ast

    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    if isinstance(node, ast.BinOp):
        left, right = _literal(node.left), _literal(node.right)
        return None if left is None or right is None else left + right
    return None


def test_every_problem_rule_and_title_shows_chinese():
    """Rules and titles of ``Problem``/``ProblemList.add``/``ValidationError`` are written
    bilingual or have their Chinese in ``ZH`` (variable parts filled with a word)."""
    import ast

    root = Path(__file__).resolve().parents[1]
    # positional arguments that hold a rule or a title, per callable
    calls = {
        "add": slice(0, 1),
        "Problem": slice(0, 1),
        "problem_error": slice(0, 2),
        "_fail": slice(0, 2),
        "ValidationError": slice(1, 2),
        "raise_if_any": slice(0, 1),
    }
    missing = []
    for path in sorted((root / "integrity_eval").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            if name not in calls:
                continue
            keywords = [k.value for k in node.keywords if k.arg in ("rule", "title")]
            texts = [*node.args[calls[name]], *keywords]
            for t in filter(None, map(_literal, texts)):
                if not re.search(r"[A-Za-z]{2}", t.replace("{}", "")):
                    continue  # a composition of bilingual parts ("{}: {}"), a cell range
                if not CJK.search(bilingual(t.replace("{}", "X1"))):
                    missing.append(f"{path.relative_to(root)}:{node.lineno}: {t}")
    assert missing == []


def test_a_source_is_called_a_file_only_when_it_names_one():
    """A dotted spec name (``aggregate.bod``) is a source, not a file; a workbook with a
    sheet or an expert in brackets is a file."""

    def label(source):
        return str(Problem(rule="x", source=source)).split(" ", 1)[0]

    assert label("aggregate.bod") == label("spec") == "来源/source"
    assert label("experts.xlsx[E1]") == label("data.csv [Sheet1]") == "文件/file"
    assert label("fw.yaml") == label("reports/a") == "文件/file"
