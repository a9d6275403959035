"""One error type that lists every problem at once (after pandera's lazy validation).

Every check in the kit collects :class:`Problem` records and raises a single
:class:`ValidationError` at the end, so a user fixing an input file sees all of
its faults in one pass instead of one per run.

Messages are shown in Chinese and English, Chinese first, in Python
(``str(error)``, ``error.to_frame()``) exactly as on the command line: a rule or
title written bilingual ("找不到文件 / file not found") is shown as written; an
English one is looked up in :data:`ZH` and shown as "中文 / English"; English
not in the table is shown as is.
"""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

#: Problems an error's text (what the command line prints) lists one by one; the rest are
#: counted. ``error.problems`` and ``error.to_frame()`` keep every one.
SHOWN_PROBLEMS = 100


@dataclass(frozen=True)
class Problem:
    """One failed rule: where it happened, what was found, what was expected.

    ``source`` names the file or object (``"iData"``, ``"framework"``, a path),
    ``row`` the unit code or row number, ``column`` the indicator or column,
    ``value`` the offending value, ``rule`` what was expected.
    """

    rule: str
    source: str = ""
    row: str = ""
    column: str = ""
    value: str = ""

    def __repr__(self) -> str:
        return f"<Problem {self}>"

    @property
    def message(self) -> str:
        """The rule in Chinese and English (see :func:`bilingual`)."""
        return bilingual(self.rule)

    def __str__(self) -> str:
        parts = []
        if self.source:
            label = "文件/file" if _looks_like_path(self.source) else "来源/source"
            parts.append(f"{label} {self.source}")
        if self.row != "":
            parts.append(f"行/row {self.row}")
        if self.column != "":
            parts.append(f"列/column {self.column}")
        if self.value != "":
            parts.append(f"值/value {self.value!r}")
        where = " | ".join(parts)
        return f"{where} | 规则/rule: {self.message}" if where else self.message


class ValidationError(ValueError):
    """Raised with the full list of problems found in an input.

    ``problems`` is the list of :class:`Problem`; :meth:`to_frame` gives them as
    a table (one row per problem) for display in a notebook or export. ``str(error)``
    is the text the command line prints after "错误 / Error: ".
    """

    def __init__(self, problems: Iterable[Problem], title: str = "invalid input"):
        self.problems: list[Problem] = list(problems)
        self.title = title
        n = len(self.problems)
        lines = [f"{bilingual(title)} — 共 {n} 个问题 / {n} problem(s):"]
        shown = self.problems[:SHOWN_PROBLEMS]
        lines += [f"  {i}. {p}" for i, p in enumerate(shown, start=1)]
        if n > len(shown):
            rest = n - len(shown)
            lines.append(
                f"  … 另有 {rest} 个问题未列出（error.to_frame() 列出全部）/ … {rest} more "
                "problem(s) not listed (error.to_frame() lists them all)"
            )
        super().__init__("\n".join(lines))

    def to_frame(self) -> pd.DataFrame:
        """The problems as a DataFrame with columns source, row, column, value, rule
        (the rule in Chinese and English)."""
        import pandas as pd  # errors are raised from light modules (the CLI's --help)

        cols = ["source", "row", "column", "value", "rule"]
        rows = [{**asdict(p), "rule": p.message} for p in self.problems]
        return pd.DataFrame(rows, columns=cols)

    def _repr_html_(self) -> str:
        n = len(self.problems)
        head = f"<b>{html.escape(bilingual(self.title))}</b> — 共 {n} 个问题 / {n} problem(s)"
        return head + self.to_frame().to_html(index=False)


class ProblemList(list):
    """A list of :class:`Problem` with a helper to raise them all at once."""

    def add(self, rule: str, **where: object) -> None:
        self.append(Problem(rule=rule, **{k: _text(v) for k, v in where.items()}))

    def raise_if_any(self, title: str = "invalid input") -> None:
        if self:
            raise ValidationError(self, title=title)


def problem_error(rule: str, title: str = "invalid input", **where: object) -> ValidationError:
    """A :class:`ValidationError` holding one problem (a wrong argument, say), to ``raise``."""
    return ValidationError([Problem(rule=rule, **{k: _text(v) for k, v in where.items()})], title)


def _text(value: object) -> str:
    if value is None:
        return ""
    return str(value)


def suggest(key: object, allowed: Iterable[object]) -> str:
    """``key`` with a "did you mean" hint when an allowed name is close to it."""
    close = _closest(key, allowed)
    return f"{key} (did you mean '{close}'?)" if close else str(key)


def did_you_mean(key: object, allowed: Iterable[object]) -> tuple[str, str]:
    """The "did you mean" hint in Chinese and in English (two empty texts if none is close),
    for messages written bilingual at the source."""
    close = _closest(key, allowed)
    return (f"（是否应为 '{close}'？）", f" (did you mean '{close}'?)") if close else ("", "")


def _closest(key: object, allowed: Iterable[object]) -> str | None:
    close = difflib.get_close_matches(str(key), [str(a) for a in allowed], n=1)
    return close[0] if close else None


def report_unknown(
    keys: Iterable[object],
    allowed: Iterable[object],
    problems: ProblemList,
    *,
    what: str = "key",
    prefix: str = "",
    **where: object,
) -> None:
    """Record every key not in ``allowed``, with the allowed names and a suggestion.

    ``what`` names the kind of key in English ("column", "parameter for normalise"); the
    Chinese of the kinds in :data:`_KEY_KINDS_ZH` is written beside it."""
    allowed = sorted(map(str, allowed))
    for key in keys:
        if str(key) not in allowed:
            problems.add(
                f"未知的{_key_kind_zh(what)}；应为以下之一：{allowed} / "
                f"unknown {what}; expected one of {allowed}",
                column=f"{prefix}{key}",
                value=suggest(key, allowed),
                **where,
            )


#: The kinds of key :func:`report_unknown` reports, in Chinese.
_KEY_KINDS_ZH = {
    "key": "键",
    "column": "列",
    "indicator": "指标",
    "input key": "输入项的键",
    "node key": "节点的键",
}


def _key_kind_zh(what: str) -> str:
    if what.startswith("parameter for "):
        return f" {what.removeprefix('parameter for ')} 参数"
    return _KEY_KINDS_ZH.get(what, f" {what} ")


# ====================================================================== language
#: Suffixes that make a problem's source a file ("data.csv"), not a dotted name
#: ("aggregate.bod").
_FILE_SUFFIXES = frozenset(
    {
        ".csv",
        ".tsv",
        ".txt",
        ".xlsx",
        ".xlsm",
        ".xls",
        ".yaml",
        ".yml",
        ".json",
        ".parquet",
        ".duckdb",
        ".db",
        ".ipynb",
        ".html",
        ".pdf",
    }
)


def _looks_like_path(source: str) -> bool:
    head = re.split(r" ?\[", source, maxsplit=1)[0]  # "experts.xlsx[E1]", "data.csv [Sheet]"
    return "/" in head or "\\" in head or Path(head).suffix.lower() in _FILE_SUFFIXES


_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def bilingual(text: str) -> str:
    """``text`` in Chinese and English, Chinese first ("找不到文件 / file not found").

    Text that already holds Chinese is returned unchanged; English found in :data:`ZH`
    (exactly, or as a pattern whose "{}" parts are variable) gets its Chinese in front;
    any other English is returned unchanged.
    """
    if not text or _CJK.search(text):
        return text
    zh = ZH.get(text)
    if zh is None:
        for pattern, template in _patterns():
            m = pattern.match(text)
            if m:
                zh = template.format(*m.groups())
                break
    return f"{zh} / {text}" if zh else text


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[re.Pattern[str], str]]:
    """The entries of ZH with variable parts, most specific (most fixed text) first."""
    keys = sorted((k for k in ZH if "{}" in k), key=lambda k: -len(k.replace("{}", "")))
    return [
        (re.compile("^" + "(.*?)".join(map(re.escape, k.split("{}"))) + "$", re.S), ZH[k])
        for k in keys
    ]


#: Chinese for the kit's English rules and titles ("{}" stands for a variable part).
#: New messages may be written bilingual at the source ("中文 / English") instead.
ZH: dict[str, str] = {
    # ---- titles
    "invalid input": "输入无效",
    "cannot aggregate": "无法加总",
    "cannot denominate": "无法标准化分母",
    "cannot impute": "无法插补",
    "cannot normalise": "无法归一化",
    "datasets folder not found": "找不到数据集文件夹",
    "duplicate units": "单位重复",
    "framework YAML does not parse": "框架 YAML 无法解析",
    "framework file not found": "找不到框架文件",
    "framework not found": "找不到框架",
    "framework required": "需要指标框架",
    "invalid aggregation": "加总设置无效",
    "invalid data": "数据无效",
    "invalid dataset.yaml": "dataset.yaml 无效",
    "invalid framework": "框架无效",
    "invalid grouping": "分组无效",
    "invalid iMeta": "iMeta 无效",
    "invalid level": "层级无效",
    "invalid method": "方法无效",
    "invalid option": "选项无效",
    "invalid panel": "面板数据无效",
    "invalid screening": "筛选设置无效",
    "invalid selection": "选择无效",
    "invalid spec": "评价设置（spec）无效",
    "invalid weights": "权重无效",
    "no panel data": "没有面板数据",
    "no scores": "没有得分",
    "not a panel": "不是面板数据",
    "spec does not parse": "评价设置（spec）无法解析",
    "spec not found": "找不到评价设置（spec）",
    "unexpected PAPI workbook layout": "PAPI 工作簿结构不符合预期",
    "unexpected PCI workbook content": "PCI 工作簿内容不符合预期",
    "unexpected PCI workbook layout": "PCI 工作簿结构不符合预期",
    "unknown PAPI year": "未知的 PAPI 年份",
    "unknown dataset": "未知的数据集",
    "unknown period": "未知的期间",
    "unknown unit": "未知的单位",
    "unsupported framework format": "不支持的框架文件格式",
    "unsupported table format": "不支持的表格格式",
    "{} does not fit framework {}": "{} 与框架 {} 不符",
    # ---- rules
    "'levels' must be a list of {zh:, en:}": "'levels' 须为 {zh:, en:} 的列表",
    "'nodes' must be a non-empty list": "'nodes' 须为非空列表",
    "'rating' must be a mapping": "'rating' 须为映射（键值表）",
    "'raw' must map names to files": "'raw' 须把名称映射到文件",
    "Cronbach's alpha needs at least two columns": "计算 Cronbach α 至少需要两列",
    "PCA needs at least two units with complete data": "主成分分析至少需要两个数据完整的单位",
    "PCI is bundled for 2016 only; there is no panel": "随附的 PCI 数据仅有 2016 年，没有面板",
    "Type must be Indicator, Aggregate, Group or Denominator": (
        "Type 须为 Indicator、Aggregate、Group 或 Denominator"
    ),
    "YAML syntax error: {}": "YAML 语法错误：{}",
    "a framework must be a mapping with a 'nodes' list": "框架须为含 'nodes' 列表的映射",
    "a name has keys 'zh' and 'en' only": "名称只能有 'zh' 和 'en' 两个键",
    "a spec must be a mapping of stage names": "评价设置须为以步骤名为键的映射",
    "a stage's settings must be a mapping (or null to skip)": (
        "步骤的设置须为映射（或 null 表示跳过）"
    ),
    "aggregate has no children": "该汇总项没有下级",
    "by_groups needs a level below the top; use by_groups=False": (
        "by_groups 需要低于最高层的层级；请用 by_groups=False"
    ),
    "code is at level {}, below the requested level {}": "该代码位于第 {} 层，低于所请求的第 {} 层",
    "code not found in the data set": "数据集中找不到该代码",
    "code not found in the data set{}": "数据集中找不到该代码{}",
    "code not found in the panel": "面板数据中找不到该代码",
    "column is not in the PAPI framework": "该列不在 PAPI 框架中",
    "column must be numeric": "该列须为数值",
    "compare_by must be 'ranks' or 'scores'": "compare_by 须为 'ranks' 或 'scores'",
    "constant column: cannot scale to unit variance": "该列为常数，无法标准化为单位方差",
    "cycle in the tree": "指标树中存在循环",
    "dataset.yaml must be a mapping": "dataset.yaml 须为映射",
    "datasets folder does not exist ({})": "数据集文件夹不存在（{}）",
    "denominator column is missing": "缺少分母列",
    "denominator is not declared under 'denominators'": "分母未在 'denominators' 中声明",
    "denominator is zero": "分母为零",
    "dimension column is missing": "缺少维度列",
    "direction must be 1 or -1": "方向须为 1 或 -1",
    "duplicate code": "代码重复",
    "duplicate column": "列重复",
    "duplicate unit row": "单位行重复",
    "duplicate unit row for this period": "本期间内单位行重复",
    "each entry needs a 'code'": "每一项都需要 'code'",
    "each node must be a mapping": "每个节点须为映射",
    "either 'idata' (a file) or 'loader' is required": "需要 'idata'（文件）或 'loader' 之一",
    "exactly one root node (without parent) is required": "须有且只有一个根节点（无上级）",
    "expected a .csv or .parquet table": "应为 .csv 或 .parquet 表格",
    "expected a .yaml/.yml framework or an iMeta .csv/.xlsx": (
        "应为 .yaml/.yml 框架文件或 iMeta 的 .csv/.xlsx"
    ),
    "expected a long DataFrame": "应为长格式 DataFrame",
    "expected a number": "应为数字",
    "expected a text or {zh:, en:}": "应为文本或 {zh:, en:}",
    "expected an Evaluation (with get_dset) or a DataFrame": (
        "应为 Evaluation（含 get_dset）或 DataFrame"
    ),
    "expected {}": "应为 {}",
    "f_trend must be 'CAGR', 'prc_change' or a function": (
        "f_trend 须为 'CAGR'、'prc_change' 或函数"
    ),
    "file does not exist": "文件不存在",
    "file does not exist{}": "文件不存在{}",
    "first columns must be {}": "前几列须为 {}",
    "framework is neither a file in the dataset folder nor a shipped framework ({})": (
        "框架既不是数据集文件夹中的文件，也不是随附的框架（{}）"
    ),
    "genmean with p = 0 is the geometric-mean limit: use method gmean": (
        "p = 0 的广义平均即几何平均：请用 gmean 方法"
    ),
    "group column not found in the data or in the units table": "数据和单位表中都找不到该分组列",
    "grouping column for imputation is not in the data": "数据中没有用于插补的分组列",
    "grouplev applies to one level only": "grouplev 只适用于单一层级",
    "grouplev must be between {} and {}": "grouplev 须在 {} 与 {} 之间",
    "icode is needed (no framework root to default to)": "需要 icode（没有可默认使用的框架根节点）",
    "indicator column must be numeric": "指标列须为数值",
    "indicator has no data": "该指标没有数据",
    "indicator missing from the data set": "数据集中缺少该指标",
    "kind must be one of {}": "kind 须为以下之一：{}",
    "level must be 1 or more": "层级须不小于 1",
    "level must be between {} and {}": "层级须在 {} 与 {} 之间",
    "level must be one level or a pair of levels": "level 须为一个层级或两个层级",
    "levels must be between {} and {}": "层级须在 {} 与 {} 之间",
    "method must be 'pearson', 'spearman' or 'kendall'": (
        "method 须为 'pearson'、'spearman' 或 'kendall'"
    ),
    "method must be a single name": "method 须为单个名称",
    "must be between {} and {}": "须在 {} 与 {} 之间",
    "n_components must be a positive integer": "n_components 须为正整数",
    "name must equal the folder name {}": "name 须与文件夹名 {} 相同",
    "no PAPI data for this year; years: {}": "该年份没有 PAPI 数据；已有年份：{}",
    "no column of the data set is a framework code": "数据集中没有任何一列是框架代码",
    "no indicator column to analyse": "没有可分析的指标列",
    "no numeric column to analyse": "没有可分析的数值列",
    "no row of the panel falls in the interval": "面板数据中没有落在该区间内的行",
    "no such code in the framework": "框架中没有该代码",
    "no such node in the framework": "框架中没有该节点",
    "node code is required": "节点需要代码",
    "normalise must be one of {}": "normalise 须为以下之一：{}",
    "one aggregation method per level above the indicators ({}) is needed": (
        "指标以上每一层需要一个加总方法（{}）"
    ),
    "panel data need a Time column": "面板数据需要 Time 列",
    "parameter '{}' is required by {} method {}": "参数 '{}' 是 {} 方法 {} 所必需的",
    "parent does not exist (orphan node)": "上级不存在（孤立节点）",
    "parent must be one level up (level {})": "上级须高一层（第 {} 层）",
    "period not in the data; available: {}": "数据中没有该期间；已有期间：{}",
    "province listed twice": "省份重复列出",
    "province not found in the PAPI province list": "PAPI 省份列表中找不到该省份",
    "reference unit for dist2ref is not among the (screened) units": (
        "dist2ref 的参照单位不在（筛选后的）单位中"
    ),
    "report_level must be between {} and {}": "report_level 须在 {} 与 {} 之间",
    "required column is missing": "缺少必需的列",
    "required iMeta column is missing": "缺少必需的 iMeta 列",
    "required indicator column is missing": "缺少必需的指标列",
    "required key is missing": "缺少必需的键",
    "sort_by must be one of {}": "sort_by 须为以下之一：{}",
    "sub-dimensions differ from PAPI_SUBDIMENSIONS_BY_YEAR": (
        "子维度与 PAPI_SUBDIMENSIONS_BY_YEAR 不一致"
    ),
    "sub-index header should read {}": "子指数表头应为 {}",
    "header should read {}": "表头应为 {}",
    "synthetic must be true or false": "synthetic 须为 true 或 false",
    "the spec has no 'aggregate' stage, so there are no scores; add aggregate: {method: amean}": (
        "评价设置没有 'aggregate' 步骤，因此没有得分；请加上 aggregate: {method: amean}"
    ),
    "this dataset has no panel version (no 'panel' file)": (
        "该数据集没有面板版本（无 'panel' 文件）"
    ),
    "threshold must be between -1 and 1": "阈值须在 -1 与 1 之间",
    "time column must be numeric (e.g. years)": "时间列须为数值（如年份）",
    "time is missing": "缺少时间",
    "times contain missing values (each value needs a time point)": (
        "时间有缺失（每个值都需要时间点）"
    ),
    "total column is missing": "缺少合计列",
    "uCode is empty": "uCode 为空",
    "unexpected sheet (expected <year>_PAPI)": "工作表不符合预期（应为 <年份>_PAPI）",
    "unit code appears more than once": "单位代码出现多次",
    "unit column not found; available: {}": "找不到该单位列；可用的列：{}",
    "unit has more than one row for this time": "该单位在此时间有多行",
    "unit has no group label": "该单位没有分组标签",
    "unit in screen.force is not in the data": "screen.force 中的单位不在数据中",
    "unit not found in the data set": "数据集中找不到该单位",
    "unit_screen must be one of {}": "unit_screen 须为以下之一：{}",
    "unknown column: not an indicator, group or denominator of the framework": (
        "未知的列：不是框架中的指标、分组或分母"
    ),
    "unknown dataset{}; available: {}": "未知的数据集{}；可用：{}",
    "unknown key{}; expected one of {}": "未知的键{}；应为以下之一：{}",
    "unknown loader; known: {}": "未知的加载器；已知：{}",
    "unknown spec key; expected one of {}": "未知的评价设置键；应为以下之一：{}",
    "unknown tier; expected {}": "未知的层级；应为 {}",
    "unknown {} method; expected one of {}": "未知的 {} 方法；应为以下之一：{}",
    "unknown {}; expected one of {}": "未知的 {}；应为以下之一：{}",
    "unq_discard must be between 0 and 1": "unq_discard 须在 0 与 1 之间",
    "use must be 'pairwise' or 'complete'": "use 须为 'pairwise' 或 'complete'",
    "use_latest must be a positive integer": "use_latest 须为正整数",
    "value is infinite": "数值为无穷大",
    "values and times must have the same length": "数值与时间的长度须相同",
    "weight given for a code that is not in the framework (or is the root)": (
        "为框架中不存在（或为根节点）的代码给出了权重"
    ),
    "weights method must be one of {}": "权重方法须为以下之一：{}",
    "with_parent must be True, False or 'family'": "with_parent 须为 True、False 或 'family'",
    "with_parent needs a level below the top": "with_parent 需要低于最高层的层级",
    "{} needs the indicator framework: pass framework=": "{} 需要指标框架：请传入 framework=",
    "labels must differ from the other column names": "标签须与其他列名不同",
    "also_get needs Evaluations or DataFrames (Series carry no unit columns)": (
        "also_get 需要 Evaluation 或 DataFrame（Series 不含单位列）"
    ),
    "zero variance: normalise method '{}' divides by the spread": (
        "方差为零：归一化方法 '{}' 要除以离散程度"
    ),
    "maximum is 0: fracmax divides by it": "最大值为 0：fracmax 要除以它",
    "no target in the framework for dist2targ": "框架中没有 dist2targ 所需的目标值",
    "target equals the minimum: dist2targ divides by zero": "目标值等于最小值：dist2targ 会除以零",
    "no goalposts in the framework for this indicator": "框架中没有该指标的 goalposts",
    "reference unit's value is missing or equals the minimum": "参照单位的值缺失或等于最小值",
    "{} needs positive values (normalise e.g. to [1, 100])": "{} 需要正值（如归一化到 [1, 100]）",
    "hmean needs non-zero values": "hmean 需要非零值",
    # ---- build, framework, spec
    "aggregate.by_node names a code that is not an aggregate of the framework": (
        "aggregate.by_node 中的代码不是框架中的汇总项"
    ),
    "aggregate.by_node must map aggregate codes to method names": (
        "aggregate.by_node 须把汇总项代码映射到方法名"
    ),
    "cannot compute the weighting model": "无法计算权重模型",
    "invalid exclude": "exclude 设置无效",
    "'spec' must be a mapping": "'spec' 须为映射",
    "'records' must be a mapping": "'records' 须为映射",
    "records must be a mapping {kind, measure, filter}": "records 须为映射 {kind, measure, filter}",
    "records.{} must be a mapping {column: value(s)}": "records.{} 须为映射（列 → 取值）",
    "records.scale must be a number": "records.scale 须为数字",
    # ---- aggregation beyond COINr (mcda)
    "invalid input for {}": "{} 的输入无效",
    "X must be a DataFrame (units × indicators)": "X 须为 DataFrame（单位 × 指标）",
    "no weight for this indicator": "该指标没有权重",
    "weight for a code not in X": "给出了 X 中不存在的代码的权重",
    "weight must be ≥ 0": "权重须不小于 0",
    "missing values; {} needs complete data": "有缺失值；{} 需要完整数据",
    "cannot aggregate with bod": "无法用 bod 加总",
    "BoD needs non-negative values; normalise with min-max first": (
        "BoD 需要非负值；请先用 min-max 归一化"
    ),
    "too many units for Kemeny–Young": "单位过多，无法用 Kemeny–Young",
    "Kemeny–Young exact search is limited to {} units (cost grows as 2^n); rank a subset of "
    "units, or use aggregate method copeland": (
        "Kemeny–Young 精确搜索最多 {} 个单位（计算量按 2^n 增长）；请对部分单位排序，"
        "或改用加总方法 copeland"
    ),
    "normalisation must be 'vector' or 'minmax'": "normalisation 须为 'vector' 或 'minmax'",
    # ---- weights: AHP
    "invalid AHP input": "AHP 输入无效",
    "invalid group AHP input": "群组 AHP 输入无效",
    "invalid pairwise comparison matrix": "两两比较矩阵无效",
    "cannot synthesise the hierarchy": "无法合成层次权重",
    "pairwise matrix must have the same codes, in the same order, on rows and columns": (
        "两两比较矩阵的行与列须为相同代码、相同顺序"
    ),
    "method must be 'eigenvector' or 'geometric'": "method 须为 'eigenvector' 或 'geometric'",
    "matrix must be a DataFrame with codes on rows and columns": (
        "矩阵须为行、列均为代码的 DataFrame"
    ),
    "the {} random-index table stops at n = {}; split the comparison into smaller groups": (
        "{} 随机一致性指标表只到 n = {}；请把比较拆成更小的组"
    ),
    "how must be 'judgements' or 'priorities'": "how 须为 'judgements' 或 'priorities'",
    "no expert matrices given": "没有给出专家判断矩阵",
    "expert_weights must be one positive number per expert": "expert_weights 须为每位专家一个正数",
    "diagonal must be 1": "对角线须为 1",
    "expert's matrix compares different codes from the first expert's": (
        "该专家矩阵比较的代码与第一位专家的不同"
    ),
    "unknown aggregate code": "未知的汇总项代码",
    "priorities must cover exactly the children of {}: {}": "优先级须恰好覆盖 {} 的下级：{}",
    "judgement must be a positive number": "判断值须为正数",
    "matrix is not reciprocal: a[{},{}] should be 1/a[{},{}] = {}": (
        "矩阵不满足互反性：a[{},{}] 应为 1/a[{},{}] = {}"
    ),
    # ---- weights: AHP questionnaire
    "invalid questionnaire settings": "问卷设置无效",
    "AHP questionnaire has problems": "AHP 问卷有问题",
    "no file": "没有文件",
    "cannot read questionnaire": "无法读取问卷",
    "no comparison sheets in the workbook": "工作簿中没有比较表",
    "missing judgement: choose the more important element and an intensity 1–9": (
        "缺少判断：请选择更重要的一项及强度 1–9"
    ),
    "intensity must be a whole number from 1 to 9 (Saaty's scale)": (
        "强度须为 1 到 9 的整数（Saaty 标度）"
    ),
    "{} children: AHP consistency needs at most {} elements per matrix; leave it out with "
    "parents=[...] or regroup": (
        "{} 个下级：AHP 一致性检验每个矩阵最多 {} 项；请用 parents=[...] 略去它，或重新分组"
    ),
    "sheet is not an aggregate of framework {}": "该工作表不是框架 {} 的汇总项",
    "not an aggregate with two or more children at the given level(s)": (
        "在所给层级上不是有两个及以上下级的汇总项"
    ),
    "unknown code: not a child of {} ({})": "未知代码：不是 {} 的下级（{}）",
    "pair repeated (first on row {})": "比较对重复（首次出现在第 {} 行）",
    "a pair compares a code with itself": "比较对把一个代码与其自身比较",
    "missing judgement: pair not in the sheet": "缺少判断：工作表中没有该比较对",
    # ---- weights: Benefit of the Doubt
    "invalid data for Benefit of the Doubt": "“好处归疑”（BoD）的数据无效",
    "invalid input for Benefit of the Doubt": "“好处归疑”（BoD）的输入无效",
    "infeasible {}: the lower bounds add up to {} > 1 ({} must sum to 1); lower them": (
        "{} 不可行：下限之和为 {} > 1（{} 之和须为 1）；请调低下限"
    ),
    "infeasible {}: the upper bounds add up to {} < 1 ({} must sum to 1); raise them": (
        "{} 不可行：上限之和为 {} < 1（{} 之和须为 1）；请调高上限"
    ),
    "{} need 0 ≤ lo ≤ hi ≤ 1": "{} 须满足 0 ≤ 下限 ≤ 上限 ≤ 1",
    "Benefit of the Doubt failed": "“好处归疑”（BoD）求解失败",
    "{} names a code that is not an indicator here": "{} 中的代码不是这里的指标",
    "{} must be a pair (lo, hi)": "{} 须为一对 (下限, 上限)",
    "BoD programme failed: {}": "BoD 线性规划失败：{}",
    # ---- weights: explorer, factor, objective, regression, optimisation, budget
    "nothing to explore": "没有可探索的内容",
    "ipywidgets is not installed": "未安装 ipywidgets",
    "no weights to vary at this level (pass level=1 for the indicators)": (
        "该层级没有可调整的权重（指标层请用 level=1）"
    ),
    "invalid data for {} weights": "{} 权重的数据无效",
    "indicator is constant; its correlations are undefined (exclude it)": (
        "该指标为常数，相关系数无定义（请排除它）"
    ),
    "at least two indicators are needed": "至少需要两个指标",
    "n_factors must be between 1 and {}": "n_factors 须在 1 与 {} 之间",
    "maximum-likelihood factor analysis needs fewer factors than indicators": (
        "极大似然因子分析要求因子数少于指标数"
    ),
    "weights.dset must be one of {}": "weights.dset 须为以下之一：{}",
    "weights.level must be a level number (1 = indicators) or omitted for every level": (
        "weights.level 须为层级编号（1 = 指标层），或省略以用于所有层级"
    ),
    "regression weights need 'outcome': a mapping uCode → value or a table's path": (
        "回归权重需要 'outcome'：uCode → 数值的映射，或表格路径"
    ),
    "invalid regression outcome": "回归结果变量无效",
    "code in the expert weights is not in the framework": "专家权重中的代码不在框架中",
    "expert weights must cover exactly the children of {}: {}": "专家权重须恰好覆盖 {} 的下级：{}",
    "the outcome table needs a uCode column and exactly one value column": (
        "结果变量表需要 uCode 列和恰好一个数值列"
    ),
    "indicator is constant over the units; {} cannot weight it (exclude it)": (
        "该指标在各单位间为常数，{} 无法为其赋权（请排除它）"
    ),
    "indicator is zero for every unit": "该指标在所有单位均为零",
    "invalid optimisation settings": "优化设置无效",
    "cortype must be pearson, spearman or kendall": "cortype 须为 pearson、spearman 或 kendall",
    "itarg must be 'equal' or target importances": "itarg 须为 'equal' 或目标重要性",
    "no target importance for this code": "该代码没有目标重要性",
    "itarg needs one value per code at level {} ({})": "itarg 须为第 {} 层每个代码各一个值（{}）",
    "invalid data for regression weights": "回归权重的数据无效",
    "regression outcome does not cover the units": "回归结果变量未覆盖所有单位",
    "no outcome value for this unit; give every unit an outcome or drop the unit": (
        "该单位没有结果变量值；请为每个单位给出结果值，或去掉该单位"
    ),
    "every coefficient is negative or zero: the outcome cannot justify weights": (
        "所有系数均为负或零：结果变量无法支撑权重"
    ),
    "regression gives no weights": "回归没有得出权重",
    "invalid directions": "方向设置无效",
    "indicator column is not numeric": "指标列不是数值",
    "at least {} units are needed": "至少需要 {} 个单位",
    "direction given for a code not in X": "给出了 X 中不存在的代码的方向",
    "missing values; {} needs complete data (impute first, or pass the Imputed/Normalised "
    "dataset)": "有缺失值；{} 需要完整数据（请先插补，或传入 Imputed/Normalised 数据集）",
    "invalid budget allocations": "预算分配无效",
    "no expert allocations": "没有专家分配",
    "allocation must be numeric": "分配值须为数值",
    "missing allocation": "缺少分配值",
    "expert allocated nothing": "该专家没有分配任何点数",
    "allocation must be ≥ 0": "分配值须不小于 0",
    "allocations must add up to {}": "分配值之和须为 {}",
}
