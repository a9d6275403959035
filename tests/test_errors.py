"""Error messages: every problem at once, in Chinese and English (Chinese first), the
same text in Python (str(error), to_frame) and on the command line."""

from __future__ import annotations

import re
from pathlib import Path

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
    assert "中没有节点 'Nope' / no node 'Nope'" in str(e.value)


def test_problem_repr_is_its_bilingual_line():
    p = Problem("duplicate code", source="framework.yaml", row="D1")
    assert (
        repr(p)
        == "<Problem 文件/file framework.yaml | 行/row D1 | 规则/rule: 代码重复 / duplicate code>"
    )
