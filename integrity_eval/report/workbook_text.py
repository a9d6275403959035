"""What the two workbooks (``results.xlsx``, ``analysis.xlsx``) call their sheets and columns.

Every header a person reads comes from here, in Chinese (``lang="zh"``) or English
(``lang="en"``), never a parameter name, method id or column name of the code (issue 18:
"no internal identifier reaches a person"). :func:`pick` takes one language out of a
bilingual "中文 / English" text; :func:`display_width` measures text as a spreadsheet shows
it (a CJK character is two columns wide); :func:`is_rate` says which indicators hold rates
(0–1), shown as percentages.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from .text import LABELS, METHOD_NAMES

__all__ = [
    "COLUMNS",
    "MANIFEST_KEYS",
    "RECORD_KEYS",
    "RECORD_KEYS_IN",
    "RECORD_VALUES",
    "SHEETS",
    "STAGE_NAMES",
    "VALUES",
    "display_width",
    "is_rate",
    "label",
    "pick",
    "record_label",
    "record_value",
    "sheet_about",
    "sheet_title",
    "unit_text",
    "value_text",
]

# key → (zh name, en name, zh: what it holds, en: what it holds)
SHEETS: dict[str, tuple[str, str, str, str]] = {
    "Cover": (
        "封面",
        "Cover",
        "本页：评价项目与各工作表说明",
        "This sheet: the evaluation and its sheets",
    ),
    "League": (
        "排名",
        "League table",
        "综合得分、名次（1 = 最好，并列取最小名次）、等级及各维度得分；"
        "不予评级的单位列在最后并说明原因",
        "Scores, ranks (1 = best, ties share the lowest rank), grades and each dimension's "
        "score; units not rated come last, with why",
    ),
    "Grades": (
        "评级",
        "Grades",
        "按得分的等级、直接判级规则封顶后的最终等级及触发的规则",
        "Grade by score, the final grade after the veto rules, and the rules that capped it",
    ),
    "Vetoes": (
        "直接判级规则",
        "Veto rules",
        "每条直接判级规则：条件、封顶等级、依据及触发的单位",
        "Each veto rule: its condition, the grade it caps at, its basis and the units it capped",
    ),
    "Indicators": (
        "指标明细",
        "Indicators",
        "各单位每项指标的报送值、指标得分和名次（在参评单位中）",
        "Each unit's indicators: value reported, indicator score and rank among rated units",
    ),
    "README": (
        "说明",
        "README",
        "本页：各工作表说明与计算步骤",
        "This sheet: the sheets and steps",
    ),
    "Raw": ("原始数据", "Raw data", "各单位报送的指标值", "Indicator values as reported"),
    "Denominated": (
        "分母化",
        "Denominated",
        "按人口等分母折算后的指标值",
        "Indicators divided by their denominators (e.g. population)",
    ),
    "Imputed": ("插补", "Imputed", "缺失值补齐后的数据", "Missing values filled in"),
    "Screened": (
        "筛选",
        "Screened",
        "数据不足的单位剔除后的数据",
        "Units with too little data removed",
    ),
    "Treated": (
        "异常值处理",
        "Treated",
        "缩尾或对数变换后的数据",
        "Outliers winsorised or log-transformed",
    ),
    "Normalised": ("标准化", "Normalised", "统一量纲后的指标得分", "Indicators on a common scale"),
    "Aggregated": (
        "聚合",
        "Aggregated",
        "标准化指标及各层级（要素、维度、总分）得分",
        "Normalised indicators and every aggregate (elements, dimensions, index)",
    ),
    "ScreenDetail": (
        "筛选明细",
        "Screening detail",
        "各单位的缺失数、数据可用率、非零比例及是否纳入评价",
        "Per unit: missing indicators, data availability, non-zero share, inclusion",
    ),
    "TreatDetail": (
        "异常值处理明细",
        "Treatment detail",
        "各指标处理前后的偏度、峰度及处理方式",
        "Per indicator: skewness and kurtosis before and after, and the treatment",
    ),
    "TreatedPoints": (
        "异常值处理点",
        "Treated points",
        "被缩尾或对数变换的单元格，及处理前后的值",
        "Cells winsorised or log-transformed, with the values before and after",
    ),
    "Framework": (
        "指标体系",
        "Framework",
        "指标体系：层级、名称、方向、权重、有效权重、计量单位、依据与责任单位",
        "Framework: level, names, direction, weights, effective weights, units, basis, "
        "responsible units",
    ),
    "Uncertainty": (
        "不确定性",
        "Uncertainty",
        "蒙特卡洛模拟中各单位的名次与得分分布",
        "Each unit's rank and score over the Monte Carlo draws",
    ),
    "GradeProbs": (
        "等级概率",
        "Grade probabilities",
        "蒙特卡洛模拟中各单位落入各等级的比例",
        "Share of the Monte Carlo draws in which each unit gets each grade",
    ),
    "Unscored": (
        "未评分单位",
        "Units not rated",
        "没有得分的单位及原因",
        "Units without a score, and why",
    ),
    "Manifest": (
        "运行记录",
        "Run record",
        "软件版本、随机种子、框架、参数与输入文件的哈希等，用于复现",
        "Software version, seed, hashes of the framework, settings and inputs, for reproducing",
    ),
}

# column key → (zh, en)
COLUMNS: dict[str, tuple[str, str]] = {
    "uCode": ("单位代码", "Unit code"),
    "uName": ("单位名称", "Unit"),
    "score": ("综合得分", "Score"),
    "points": ("总积分", "Total points"),
    "rank": ("名次", "Rank"),
    "grade": ("等级", "Grade"),
    "grade_by_score": ("按得分的等级", "Grade by score"),
    "final_grade": ("最终等级", "Final grade"),
    "stars": ("星级", "Stars"),
    "veto": ("直接判级规则", "Veto rules applied"),
    "rank_q05": ("名次区间（下限）", "Rank interval (from)"),
    "rank_q95": ("名次区间（上限）", "Rank interval (to)"),
    "status": ("状态", "Status"),
    "rule": ("规则", "Rule"),
    "indicator": ("指标", "Indicator"),
    "iCode": ("指标代码", "Indicator code"),
    "condition": ("条件", "Condition"),
    "cap": ("封顶等级", "Capped at"),
    "basis": ("依据", "Basis"),
    "fired": ("触发的单位（指标值）", "Units capped (value)"),
    "n_fired": ("触发单位数", "Units capped"),
    "unit": ("计量单位", "Unit of measure"),
    "value": ("报送值", "Value reported"),
    "norm": ("指标得分", "Indicator score"),
    "norm_points": ("指标积分", "Indicator points"),
    "n_rated": ("参评单位数", "Units rated"),
    "code": ("代码", "Code"),
    "name": ("名称", "Name"),
    "level": ("层级", "Level"),
    "parent": ("上级", "Parent"),
    "direction": ("方向", "Direction"),
    "weight": ("权重（同一上级内）", "Weight (within the parent)"),
    "eff_weight": ("有效权重（在总分中）", "Effective weight (in the index)"),
    "denominator": ("分母", "Denominator"),
    "goalposts": ("标准化上下限（最差—最好）", "Goalposts (worst–best)"),
    "source": ("依据条款", "Source clause"),
    "responsible": ("责任单位", "Responsible units"),
    "treatment": ("处理方式", "Treatment"),
    "before": ("处理前", "Before"),
    "after": ("处理后", "After"),
    "reason": ("原因", "Reason"),
    "n_reported": ("报送指标数", "Indicators reported"),
    "n_indicators": ("指标总数", "Indicators in total"),
    "key": ("项目", "Item"),
    "item_value": ("值", "Value"),
    "borderline": ("临界（90% 得分区间跨越等级）", "Borderline (90% score interval spans grades)"),
    # uncertainty (ua.to_frame())
    "nominal_score": ("名义得分", "Nominal score"),
    "nominal_rank": ("名义名次", "Nominal rank"),
    "mean_rank": ("平均名次", "Mean rank"),
    "median_rank": ("名次中位数", "Median rank"),
    "score_q05": ("得分 5% 分位", "Score, 5th percentile"),
    "score_median": ("得分中位数", "Median score"),
    "score_q95": ("得分 95% 分位", "Score, 95th percentile"),
    "rank_sd": ("名次标准差", "Rank standard deviation"),
    "mean_abs_rank_shift": ("平均名次变动（绝对值）", "Mean absolute rank shift"),
    "share_scored": ("有得分的模拟比例", "Share of draws with a score"),
    # screening (COINr get_data_avail)
    "N_missing": ("缺失指标数", "Indicators missing"),
    "N_zero": ("为零的指标数", "Indicators at zero"),
    "N_miss_or_zero": ("缺失或为零的指标数", "Indicators missing or at zero"),
    "Dat_Avail": ("数据可用率", "Data availability"),
    "Non_Zero": ("非零比例", "Non-zero share"),
    "LowData": ("数据可用率低于门槛", "Availability below the threshold"),
    "LowNonZero": ("非零比例低于门槛", "Non-zero share below the threshold"),
    "LowDatOrZeroFlag": ("任一低于门槛", "Either below its threshold"),
    "Included": ("纳入评价", "Included"),
    # treatment (COINr qTreat details)
    "Pass0": ("处理前偏度峰度合格", "Skew/kurtosis acceptable before"),
    "Skew0": ("处理前偏度", "Skewness before"),
    "Kurt0": ("处理前峰度", "Kurtosis before"),
    "nwin": ("缩尾点数", "Points winsorised"),
    "Pass1": ("缩尾后合格", "Acceptable after winsorising"),
    "Skew1": ("缩尾后偏度", "Skewness after winsorising"),
    "Kurt1": ("缩尾后峰度", "Kurtosis after winsorising"),
    "log": ("对数变换", "Log-transformed"),
    "Pass2": ("对数变换后合格", "Acceptable after the log"),
    "Skew2": ("对数变换后偏度", "Skewness after the log"),
    "Kurt2": ("对数变换后峰度", "Kurtosis after the log"),
}

# build stages as the spec names them → (zh, en)
STAGE_NAMES: dict[str, tuple[str, str]] = {
    "denominate": ("分母化", "denominate"),
    "impute": ("插补", "impute"),
    "screen": ("筛选", "screen"),
    "treat": ("异常值处理", "treat outliers"),
    "normalise": ("标准化", "normalise"),
    "aggregate": ("聚合", "aggregate"),
}

# values shown as words → (zh, en)
VALUES: dict[str, tuple[str, str]] = {
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "winhi": ("高端缩尾", "winsorised (high)"),
    "winlo": ("低端缩尾", "winsorised (low)"),
    "log": ("对数变换", "log-transformed"),
    "up": ("正向（越大越好）", "positive (higher is better)"),
    "down": ("逆向（越小越好）", "negative (lower is better)"),
    "screened": ("报送指标不足，被筛除", "too few indicators reported: screened out"),
    "forced": ("按评价设置剔除", "left out by the evaluation settings"),
    "no_data": ("上级要素没有可用数据", "no usable data under an aggregate"),
}

# top-level keys of the run manifest (docs/outputs.md) → (zh, en)
MANIFEST_KEYS: dict[str, tuple[str, str]] = {
    "package": ("软件包", "software package"),
    "version": ("软件版本", "software version"),
    "versions": ("依赖库版本", "library versions"),
    "seed": ("随机种子", "random seed"),
    "framework": ("指标体系名称与哈希", "framework name and hash"),
    "spec": ("计算设置（已补全默认值）", "build settings (defaults filled in)"),
    "spec_hash": ("计算设置的哈希", "hash of the build settings"),
    "inputs": ("输入数据的哈希与规模", "hash and size of the data"),
    "build_hash": ("计算结果的哈希", "build hash"),
    "run_hash": ("本次运行的哈希", "run hash"),
    "rating_hash": ("评级方案的哈希", "hash of the rating scheme"),
    "created": ("运行时间", "when it ran"),
    "command": ("命令行", "command line"),
    "input_files": ("输入文件及其哈希", "input files and their hashes"),
    "dataset": ("所用内置数据集", "bundled dataset used"),
    "synthetic": ("是否合成数据", "whether the data are synthetic"),
    "synthetic_origin": ("合成数据的来源", "where the synthetic data come from"),
    "unit_codes": ("单位代码的统一与缺失", "unit codes reconciled or missing"),
    "time": ("评价期", "period evaluated"),
    "lang": ("输出语言", "output language"),
    "draws": ("蒙特卡洛模拟次数", "Monte Carlo draws"),
    "agency": ("评价机构", "evaluating agency"),
    "rating": ("评级方案", "rating scheme"),
    "uncertainty": ("不确定性分析设置", "uncertainty analysis settings"),
    "run_id": ("运行编号（文件夹名）", "run id (folder name)"),
    "corrections": ("复核更正", "review corrections"),
    "engagement": ("评价项目", "engagement"),
}


# keys inside the run manifest's entries (spec stages and parameters, rating, inputs,
# uncertainty, engagement, corrections) → (zh, en); library names under ``versions``
# are proper names and stay as they are
RECORD_KEYS: dict[str, tuple[str, str]] = {
    # spec: keys, stages and parameters (params.SCHEMAS)
    "defaults": ("是否补全默认设置", "defaults filled in"),
    "missing": ("未报送指标的处理", "blank indicators"),
    "exclude": ("排除的指标", "indicators excluded"),
    **STAGE_NAMES,
    "weights": ("权重", "weights"),
    "method": ("方法", "method"),
    "dat_thresh": ("报送率门槛", "share of data required"),
    "unit_screen": ("筛选依据", "screening rule"),
    "nonzero_thresh": ("非零值比例门槛", "share of non-zero values required"),
    "force": ("强制保留或剔除的单位", "units forced in or out"),
    "scale": ("满分", "top of the scale"),
    "trunc2posts": ("超出目标区间时截断", "truncated at the goalposts"),
    "l_u": ("标准化区间", "normalised range"),
    "winmax": ("最多缩尾个数", "most points winsorised"),
    "skew_thresh": ("偏度门槛", "skewness threshold"),
    "kurt_thresh": ("峰度门槛", "kurtosis threshold"),
    "force_win": ("强制缩尾", "winsorisation forced"),
    "base": ("基础分", "base points"),
    "bonus_cap": ("加分上限", "cap on bonus points"),
    "cap_max": ("上限", "cap"),
    "group": ("分组", "group"),
    "iref": ("参照单位", "reference unit"),
    "m_sd": ("均值与标准差", "mean and standard deviation"),
    "max_iter": ("最大迭代次数", "most iterations"),
    "max_time": ("最长计算时间", "longest computing time"),
    "n_neighbors": ("近邻数", "neighbours"),
    "p": ("幂次", "power"),
    "penalty": ("惩罚系数", "penalty"),
    "span": ("平滑跨度", "smoothing span"),
    # manifest entries
    "name": ("名称", "name"),
    "hash": ("哈希", "hash"),
    "idata_hash": ("数据哈希", "data hash"),
    "n_rows": ("行数", "rows"),
    "n_units": ("单位数", "units"),
    "role": ("用途", "role"),
    "path": ("文件名", "file name"),
    "sha256": ("SHA-256", "SHA-256"),
    "title": ("标题", "title"),
    "zh": ("中文", "Chinese"),
    "en": ("英文", "English"),
    "source": ("依据", "source"),
    "note": ("说明", "note"),
    "edge_rule": ("分界规则", "edge rule"),
    "bands": ("等级", "grades"),
    "grade": ("等级", "grade"),
    "min": ("下限", "lower edge"),
    "vetoes": ("直接判级规则", "veto rules"),
    "indicator": ("指标", "indicator"),
    "op": ("比较", "comparison"),
    "value": ("值", "value"),
    "cap": ("最高等级", "highest grade"),
    "draws": ("模拟次数", "draws"),
    "inputs": ("不确定的输入", "uncertain inputs"),
    "noise": ("扰动幅度", "noise"),
    "values": ("取值", "values"),
    "period": ("评价期", "period"),
    "client": ("委托方", "client"),
    "status": ("状态", "status"),
    "edges_source": ("分界值依据", "source of the grade edges"),
    "citations": ("引用文件", "documents cited"),
    "citations_en": ("引用文件（英文标题）", "documents cited (English titles)"),
    "reconciled": ("统一的代码", "codes reconciled"),
    "uCode": ("单位代码", "unit code"),
    "iCode": ("指标代码", "indicator code"),
    "old": ("原值", "old value"),
    "new": ("更正值", "new value"),
    "reason": ("原因", "reason"),
    "evidence": ("依据", "evidence"),
    "by": ("更正人", "corrected by"),
    "date": ("日期", "date"),
    "missing_units": ("没有数据的单位", "units without data"),
    "row": ("行", "row"),
    "found": ("填写的代码", "code as typed"),
    "uName": ("单位名称", "unit name"),
    "uName_en": ("单位英文名称", "English name of the unit"),
    "time": ("评价期", "period"),
    "seed": ("随机种子", "random seed"),
    "file": ("文件", "file"),
    "bytes": ("字节数", "bytes"),
}
# keys whose meaning depends on the manifest entry they sit in: (top-level key, key)
RECORD_KEYS_IN: dict[tuple[str, str], tuple[str, str]] = {
    ("uncertainty", "path"): ("变动的设置", "setting varied"),
    ("unit_codes", "source"): ("文件", "file"),
    ("unit_codes", "reason"): ("统一的理由", "why"),
}


# values of the run record that are identifiers (a method, a rule, a role) → (zh, en),
# by the key they sit under; shown as "words (identifier)" so both can be matched
RECORD_VALUES: dict[str, dict[str, tuple[str, str]]] = {
    "method": METHOD_NAMES,
    "unit_screen": {
        "byNA": ("按报送指标比例", "by the share of indicators reported"),
        "byzeros": ("按非零值比例", "by the share of non-zero values"),
        "byNAandzeros": ("按报送比例与非零值比例", "by the shares reported and non-zero"),
    },
    "missing": {m: LABELS[f"missing_policy_{m}"] for m in ("worst", "skip", "impute")},
    "role": {
        "data": ("报送数据", "data reported"),
        "dataset": ("内置数据集", "bundled data set"),
        "dataset file": ("内置数据集文件", "file of the bundled data set"),
        "framework": ("指标体系", "framework"),
        "spec": ("评价方案", "evaluation spec"),
        "rating": ("评级方案", "rating scheme"),
        "corrections": ("复核更正", "corrections"),
        "engagement": ("评价委托书", "engagement"),
    },
    "lang": {"zh": ("中文", "Chinese"), "en": ("英文", "English")},
    "status": {"draft": ("征求意见稿", "draft"), "final": ("正式稿", "final")},
}


def record_value(path: Sequence[str | int], value: Any, lang: str = "zh") -> Any:
    """A value of the run record as the workbook shows it: an identifier listed in
    :data:`RECORD_VALUES` under its key as words with the identifier in brackets
    (``目标区间法（goalposts）``; once when the words are the identifier), anything else
    as it is."""
    if not path or not isinstance(value, str):
        return value
    words = RECORD_VALUES.get(str(path[-1]), {}).get(value)
    if words is None:
        return value
    text = _lang(words, lang)
    if text == value:
        return text
    return f"{text} ({value})" if lang == "en" else f"{text}（{value}）"


def record_label(path: Sequence[str | int], lang: str = "zh") -> str:
    """The plain label of one entry of the run record: the manifest's top-level key and
    each key below it in words (:data:`MANIFEST_KEYS`, :data:`RECORD_KEYS_IN`, then
    :data:`RECORD_KEYS`), list items
    numbered from 1; a key without words (a library's name) as it is."""
    top, *rest = path
    parts = [_lang(MANIFEST_KEYS[top], lang) if top in MANIFEST_KEYS else str(top)]
    for key in rest:
        if isinstance(key, int):
            parts.append(f"第 {key + 1} 项" if lang != "en" else f"no. {key + 1}")
        else:
            words = RECORD_KEYS_IN.get((str(top), key)) or RECORD_KEYS.get(key)
            parts.append(_lang(words, lang) if words else key)
    return " · ".join(parts)


def _lang(pair: tuple[str, ...], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def label(key: str, lang: str = "zh") -> str:
    """The header of column ``key`` in ``lang``."""
    return _lang(COLUMNS[key], lang)


def value_text(key: str, lang: str = "zh") -> str:
    """A value shown as a word (yes/no, a treatment, a direction, a not-rated status)."""
    return _lang(VALUES[key], lang)


def sheet_title(key: str, lang: str = "zh") -> str:
    """The name of sheet ``key`` in ``lang``."""
    zh, en, _, _ = SHEETS[key]
    return en if lang == "en" else zh


def sheet_about(key: str, lang: str = "zh") -> str:
    """What sheet ``key`` holds, in ``lang``."""
    _, _, zh, en = SHEETS[key]
    return en if lang == "en" else zh


_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
_SEP = re.compile(r"\s*/\s*")


def pick(text: object, lang: str = "zh") -> str:
    """The ``lang`` half of a bilingual "中文 / English" text (the kit's messages).

    The split is at the first " / " after which no Chinese follows and before which some
    does, so "仅报送 6 / 56 项指标 / not rated: …" splits at the second slash. Text that
    is not bilingual is returned whole.
    """
    s = "" if text is None else str(text)
    for m in _SEP.finditer(s):
        left, right = s[: m.start()], s[m.end() :]
        if right and _CJK.search(left) and not _CJK.search(right):
            return right.strip() if lang == "en" else left.strip()
    return s


def display_width(text: object) -> int:
    """Columns ``text`` takes in a spreadsheet: wide (CJK) characters count two."""
    s = "" if text is None else str(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def is_rate(unit: str) -> bool:
    """Whether an indicator's unit marks a rate on 0–1 ("比率 / rate (0–1)"), shown as %."""
    kind = (unit or "").split(" / ", 1)[0].strip()
    return kind == "比率" or "(0–1)" in (unit or "")


def unit_text(unit: str, lang: str = "zh") -> str:
    """A framework unit ("件 / records") in one language; rates say "%"."""
    if is_rate(unit):
        return "%"
    if (unit or "").split(" / ", 1)[0].strip() == "是否":
        return ""  # yes/no values are shown as words
    if " / " in (unit or ""):
        zh, en = unit.split(" / ", 1)
        return en.strip() if lang == "en" else zh.strip()
    return unit or ""
