"""Words of the reports, in Chinese and English: labels, sheet names, the spec in words.

One dictionary per kind of text, each entry ``(zh, en)``; :func:`tr` picks the
language. Keeping every user-facing word here lets a test check that a Chinese
report holds no English label and an English report no Chinese one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "LABELS",
    "METHOD_NAMES",
    "RECORD_COLUMNS",
    "RECORD_VALUES",
    "STAGE_NAMES",
    "describe_spec",
    "tr",
]

LABELS: dict[str, tuple[str, str]] = {
    "unit_report": ("单位评价报告", "Evaluation report"),
    "overall_report": ("评价总报告", "Overall evaluation report"),
    "synthetic": ("合成数据", "Synthetic data"),
    "synthetic_note": (
        "本报告基于合成（模拟）数据，仅用于演示和测试，不代表任何真实地区或部门的表现。",
        "This report uses synthetic data, for demonstration and testing only; it does not "
        "describe any real district or department.",
    ),
    "unit": ("被评价单位", "Evaluated unit"),
    "code": ("代码", "Code"),
    "name": ("名称", "Name"),
    "period": ("评价期", "Period"),
    "framework": ("评价体系", "Framework"),
    "framework_version": ("体系版本（哈希）", "Framework version (hash)"),
    "agency": ("评价机构", "Evaluating agency"),
    "agency_unset": ("（未指定）", "(not given)"),
    "date": ("报告日期", "Date"),
    "result": ("评价结果", "Result"),
    "score": ("综合得分", "Score"),
    "grade": ("等级", "Grade"),
    "grade_by_score": ("按得分等级", "Grade by score"),
    "stars": ("星级", "Stars"),
    "rank": ("名次", "Rank"),
    "rank_of": ("第 {rank} 名 / 共 {n} 个单位", "rank {rank} of {n}"),
    "rank_interval": ("90% 名次区间", "90% rank interval"),
    "rank_interval_value": ("第 {lo}–{hi} 名", "ranks {lo}–{hi}"),
    "score_interval": ("90% 得分区间", "90% score interval"),
    "grade_probs": ("各等级概率", "Grade probabilities"),
    "borderline": (
        "处于等级边界：90% 得分区间跨越两个以上等级",
        "Borderline: the 90% score interval spans more than one grade",
    ),
    "veto": ("直接判级规则", "Veto rules fired"),
    "veto_none": ("无", "none"),
    "not_rated": ("不予评级", "Not rated"),
    "rated": ("已评分", "Rated"),
    "missing_title": ("数据缺失", "Missing data"),
    "missing_dims": (
        "以下部分没有可用数据，得分不含这些部分：",
        "These parts have no usable data and are not in the score:",
    ),
    "missing_inds": ("未报送的指标", "Indicators not reported"),
    "profile": ("各维度得分", "Dimension profile"),
    "profile_note": (
        "柱为本单位得分；菱形为全部单位的中位数，竖线为最高分。",
        "Bars: this unit's score; diamonds: median of all units; ticks: the best unit.",
    ),
    "this_unit": ("本单位", "This unit"),
    "median": ("中位数", "Median"),
    "best": ("最高", "Best"),
    "indicators": ("指标明细", "Indicators"),
    "raw_value": ("原始值", "Raw value"),
    "normalised": ("标准化得分", "Normalised score"),
    "change": ("较上期", "Change vs last period"),
    "no_previous": ("无上期数据", "no previous period"),
    "points": ("{d:+.1f} 个百分点", "{d:+.1f} pt"),
    "rank_up": ("升{n}位", "up {n}"),
    "rank_down": ("降{n}位", "down {n}"),
    "rank_same": ("名次不变", "rank unchanged"),
    "strengths": ("相对优势指标", "Strengths"),
    "weaknesses": ("相对薄弱指标", "Weaknesses"),
    "sw_note": (
        "按原始值在全部单位中的名次（已按指标方向调整，1 = 最好）。",
        "Rank of the raw value among all units (direction-adjusted, 1 = best).",
    ),
    "records": ("计入的失信记录", "Breach records counted"),
    "records_none": ("无计入的失信记录。", "No breach record counted."),
    "improve": ("改进建议", "Improvement notes"),
    "improve_item": (
        "「{name}」在 {n} 个单位中排第 {rank} 名（本单位 {value}，中位数 {median}）。",
        "“{name}” ranks {rank} of {n} (this unit {value}, median {median}).",
    ),
    "improve_resp": ("责任单位：{resp}。", "Responsible: {resp}."),
    "improve_source": ("依据：{source}。", "Basis: {source}."),
    "improve_action": (
        "建议责任单位对照依据条款查找差距、制定整改措施，并在下一评价期跟踪。",
        "The responsible units should check the gap against the basis, set corrective "
        "measures and follow them up in the next period.",
    ),
    "improve_none": ("没有明显薄弱的指标。", "No clearly weak indicator."),
    "trend": ("历年趋势", "Trend over periods"),
    "trend_score": ("得分", "Score"),
    "trend_rank": ("名次", "Rank"),
    "trend_none": ("只有一个评价期，无趋势。", "Only one period: no trend."),
    "annex": ("附录：评价方法", "Annex: methodology"),
    "tree": ("指标体系", "Indicator framework"),
    "documents": ("依据条款中的文件编号：", "File numbers in the source clauses: "),
    "tree_note_unit": (
        "本表列出指标以上各层级及其依据条款；各项指标见“指标明细”，完整指标体系见总报告附录。",
        "Levels above the indicators with their source clauses; the indicators are in the "
        "indicator table, the full framework in the overall report's annex.",
    ),
    "level": ("层级", "Level"),
    "weight": ("权重", "Weight"),
    "eff_weight": ("有效权重", "Effective weight"),
    "direction": ("方向", "Direction"),
    "dir_pos": ("正向", "higher is better"),
    "dir_neg": ("逆向", "lower is better"),
    "unit_of": ("单位", "Unit"),
    "source": ("依据条款", "Source clause"),
    "responsible": ("责任单位", "Responsible"),
    "steps": ("计算步骤", "Calculation steps"),
    "steps_ran": ("本次运行的步骤：", "Steps run:"),
    "rating_scheme": ("评级方案", "Rating scheme"),
    "edge_rule": (
        "得分恰好等于分界值时取较好的等级（如 A ≥ 90）。",
        "A score equal to an edge gets the better grade (e.g. A ≥ 90).",
    ),
    "band_lower": ("下限", "lower edge"),
    "no_rating": ("本次未评级。", "No rating in this run."),
    "uncertainty": ("不确定性分析", "Uncertainty analysis"),
    "ua_summary": (
        "蒙特卡洛模拟 {n} 次，随机改变：{inputs}。各单位 90% 名次区间的平均宽度为 "
        "{width:.1f} 个名次；平均名次变动 {shift:.2f}。",
        "{n} Monte Carlo draws varying: {inputs}. The 90% rank intervals are {width:.1f} ranks "
        "wide on average; mean rank shift {shift:.2f}.",
    ),
    "no_uncertainty": ("本次未做不确定性分析。", "No uncertainty analysis in this run."),
    "provenance": ("数据来源与可复现性", "Provenance"),
    "run_id": ("运行编号", "Run id"),
    "version": ("软件版本", "Software version"),
    "seed": ("随机种子", "Seed"),
    "hash_framework": ("评价体系哈希", "Framework hash"),
    "hash_spec": ("参数哈希", "Spec hash"),
    "hash_data": ("输入数据哈希", "Input data hash"),
    "hash_run": ("运行哈希", "Run hash"),
    "input_files": ("输入文件", "Input files"),
    "page": ("第 {n} 页 / 共 {m} 页", "Page {n} of {m}"),
    "ranking": ("排名", "Ranking"),
    "ranking_chart": ("得分与名次区间", "Scores and rank intervals"),
    "ranking_chart_note": (
        "点为名义名次，横线为蒙特卡洛 90% 名次区间。",
        "Dots: nominal rank; lines: Monte Carlo 90% rank interval.",
    ),
    "scores_chart": ("各单位综合得分", "Scores"),
    "scores_chart_note": (
        "各单位综合得分（本次未做不确定性分析，无名次区间）。",
        "Each unit's score (no uncertainty analysis in this run, so no rank intervals).",
    ),
    "grade_dist": ("等级分布", "Grade distribution"),
    "count": ("单位数", "Units"),
    "heatmap": ("各维度得分热力图", "Dimension scores"),
    "movers": ("名次变动最大的单位", "Biggest movers"),
    "movers_vs": ("与 {prev} 相比", "compared with {prev}"),
    "prev_rank": ("上期名次", "Previous rank"),
    "no_movers": ("各单位名次均无变化。", "no unit changed rank."),
    "periods_not_built": (
        "以下期间无法按本次评价设置计算，未纳入比较：",
        "These periods could not be built with this run's settings and are left out of the "
        "comparison:",
    ),
    "rank_change": ("名次变化", "Rank change"),
    "units_n": ("参评单位", "Units evaluated"),
    "units_scored": ("有得分的单位", "Units scored"),
    "contents": ("目录", "Contents"),
    "dimension": ("维度", "Dimension"),
    "value_unit": ("{value} {unit}", "{value} {unit}"),
    # the monthly monitoring and early-warning report (report/monitor.py)
    "mon_report": ("月度监测预警报告", "Monthly monitoring and early-warning report"),
    "mon_month": ("监测月份", "Month"),
    "mon_agency": ("监测机构", "Monitoring agency"),
    "mon_units": ("监测单位", "Units monitored"),
    "mon_warnings": ("预警", "Warnings"),
    "mon_units_warned": ("预警单位", "Units warned"),
    "mon_summary": ("监测结果", "Results"),
    "mon_by_rule": ("按预警规则", "By rule"),
    "mon_rule": ("预警规则", "Rule"),
    "mon_n_warnings": ("预警数", "Warnings"),
    "mon_none": ("本月未触发任何预警。", "No warning was raised this month."),
    "mon_list": ("预警清单", "Warnings"),
    "mon_observed": ("实际数", "Observed"),
    "mon_expected": ("期望数", "Expected"),
    "mon_upper": ("上限", "Upper limit"),
    "mon_p": ("p 值", "p-value"),
    "mon_list_note": (
        "计数模型：实际数为本月新认定失信记录的加权计数，期望数、上限和 p 值来自模型。阈值规则："
        "实际数为本月触发规则的记录条数，没有期望数和 p 值（上限 0：出现即预警）。",
        "Count model: observed is the weighted count of breach records decided this month; "
        "expected, upper limit and p-value come from the model. Threshold rules: observed is "
        "the number of records that meet the rule this month; they have no expected count or "
        "p-value (upper limit 0: any occurrence warns).",
    ),
    "mon_evidence": ("预警单位与证据记录", "Warned units and their evidence"),
    "mon_evidence_for": ("证据记录", "Evidence records"),
    "mon_for_rules": ("支持的预警", "Supports"),
    "mon_rule_model": ("计数模型", "count model"),
    "mon_rule_serious": ("严重失信", "serious breach"),
    "mon_rule_debtors": ("失信被执行人", "dishonest debtor"),
    "mon_chart_note": (
        "近 {n} 个月的月度计数；本月标出模型的期望数（绿）和上限（红）。",
        "Monthly counts over the last {n} months; this month's expected count (green) and "
        "upper limit (red) from the model are marked.",
    ),
    "mon_chart_note_plain": ("近 {n} 个月的月度计数。", "Monthly counts over the last {n} months."),
    "mon_all_units": ("各单位本月监测结果", "Results by unit this month"),
    "mon_all_units_note": (
        "计数模型对每个单位本月计数的判断，p 值最小者在前：柱为实际数（红色为预警），绿线为期望数，"
        "黑线为上限。",
        "The count model's verdict on each unit this month, smallest p-value first: bars are "
        "the observed counts (red: warned), green ticks the expected counts, black ticks the "
        "upper limits.",
    ),
    "mon_all_units_cut": (
        "图中只画出 p 值最小的 {n} 个单位，全部单位见下表。",
        "The chart shows the {n} units with the smallest p-values; the table lists them all.",
    ),
    "mon_model_result": ("计数模型", "Count model"),
    "mon_warned": ("预警", "warned"),
    "mon_normal": ("正常", "normal"),
    "mon_overview": ("全部单位月度计数", "Monthly counts, all units"),
    "mon_overview_note": (
        "全部监测单位每月新认定失信记录的加权计数之和，近 {n} 个月。",
        "Weighted count of breach records decided each month, summed over all units monitored, "
        "last {n} months.",
    ),
    "mon_method": ("附录：监测方法", "Annex: monitoring method"),
    "mon_counted": (
        "监测对象：各单位每月新认定的政务失信记录，按严重程度权重和从轻系数加权计数；容错免责"
        "和异议成立的记录不计。",
        "What is counted: each unit's breach records decided in the month, weighted by "
        "severity and mitigation; exempt records and records whose objection was upheld do not "
        "count.",
    ),
    "mon_basis": ("依据", "Basis"),
    "mon_basis_text": (
        "《江阴市关于加强镇街园区政务诚信建设的实施方案》（征求意见稿，2018年9月30日）"
        "§三.(二)：对严重失信事件等信用状况“进行实时监测，按月度发布监测结果和预警报告”；"
        "§二.(四)：“事中监测预警”；§二.(四).3：对工作推进不力、落实不到位的“依法依归进行"
        "通报或问责”。",
        "Jiangyin implementation plan for government integrity in towns, streets and parks "
        "(draft of 30 September 2018) §三.(二): real-time monitoring of credit conditions "
        "such as serious breach events, publishing monitoring results and early-warning "
        "reports monthly; §二.(四): monitoring and early warning during supervision; "
        "§二.(四).3: public notice or accountability for units whose work lags.",
    ),
    "mon_generated": ("生成时间", "Generated"),
    "mon_alpha": ("显著性水平 α", "Significance level α"),
    "mon_history": ("历史月份", "History"),
    "mon_family": ("预测分布", "Predictive distribution"),
    "mon_debtor_note": ("列入名单日期", "Listed on"),
}

# Breach-record columns and codes (docs/records.md) as a reader sees them.
RECORD_COLUMNS: dict[str, tuple[str, str]] = {
    "record_id": ("记录编号", "Record"),
    "decided": ("决定日期", "Decided"),
    "source": ("来源", "Source"),
    "category": ("失信类别", "Category"),
    "severity": ("严重程度", "Severity"),
    "weight": ("计入权重", "Weight"),
}
RECORD_VALUES: dict[str, tuple[str, str]] = {
    "court": ("司法判决", "court judgment"),
    "penalty": ("行政处罚", "administrative penalty"),
    "discipline": ("纪律处分", "disciplinary sanction"),
    "accountability": ("问责处理", "accountability decision"),
    "audit": ("审计", "audit"),
    "petition": ("信访", "petition"),
    "other": ("其他", "other"),
    "general": ("一般", "general"),
    "serious": ("严重", "serious"),
}

STAGE_NAMES: dict[str, tuple[str, str]] = {
    "denominate": ("分母化", "Denomination"),
    "impute": ("缺失值插补", "Imputation"),
    "screen": ("单位筛选", "Unit screening"),
    "treat": ("异常值处理", "Outlier treatment"),
    "normalise": ("标准化", "Normalisation"),
    "aggregate": ("加权聚合", "Aggregation"),
    "weights": ("权重", "Weights"),
}
METHOD_NAMES: dict[str, tuple[str, str]] = {
    "mean": ("均值插补", "mean"),
    "median": ("中位数插补", "median"),
    "mean_group": ("组内均值插补", "group mean"),
    "median_group": ("组内中位数插补", "group median"),
    "latest": ("取最近一期", "latest available period"),
    "knn": ("K 近邻插补", "k nearest neighbours"),
    "iterative": ("迭代插补", "iterative imputation"),
    "winsorise": ("缩尾（偏度、峰度超限时）", "winsorisation (when skew and kurtosis fail)"),
    "minmax": ("最小—最大值法", "min-max"),
    "zscore": ("Z 分数", "z-score"),
    "rank": ("排名法", "ranks"),
    "prank": ("百分位排名", "percentile ranks"),
    "borda": ("波达计数", "Borda scores"),
    "fracmax": ("占最大值比例", "fraction of maximum"),
    "dist2max": ("与最大值距离", "distance to maximum"),
    "dist2ref": ("与参照单位距离", "distance to a reference unit"),
    "dist2targ": ("与目标值距离", "distance to target"),
    "goalposts": ("目标区间法", "goalposts"),
    "efficacy": ("功效系数法", "efficacy coefficient"),
    "none": ("不标准化", "none"),
    "amean": ("加权算术平均", "weighted arithmetic mean"),
    "gmean": ("加权几何平均", "weighted geometric mean"),
    "hmean": ("加权调和平均", "weighted harmonic mean"),
    "genmean": ("广义平均", "generalised mean"),
    "copeland": ("Copeland 计票", "Copeland"),
    "mpi": ("Mazziotta–Pareto 指数", "Mazziotta–Pareto index"),
    "bod": ("有利权重法（DEA）", "benefit of the doubt (DEA)"),
    "framework": ("评价体系给定的权重", "the framework's weights"),
    "equal": ("等权", "equal weights"),
}


def tr(key: str, lang: str = "zh", **fmt: Any) -> str:
    """The label ``key`` in ``lang``, formatted with ``fmt``."""
    zh, en = LABELS[key]
    text = en if lang == "en" else zh
    return text.format(**fmt) if fmt else text


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def _value(v: Any) -> str:
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def describe_spec(spec: Mapping[str, Any], lang: str = "zh") -> list[str]:
    """The build spec in words, one sentence per stage that ran (in pipeline order)."""
    out = []
    sep = "：" if lang == "zh" else ": "
    for stage in ("denominate", "impute", "screen", "treat", "normalise", "aggregate", "weights"):
        if stage not in spec or spec[stage] is None:
            continue
        cfg = dict(spec[stage])
        method = cfg.pop("method", None)
        parts = []
        if isinstance(method, list | tuple):
            parts.append(" → ".join(_pick(METHOD_NAMES.get(m, (m, m)), lang) for m in method))
        elif method is not None:
            parts.append(_pick(METHOD_NAMES.get(str(method), (str(method),) * 2), lang))
        if stage == "denominate" and not cfg:
            parts.append(
                "按评价体系指定的分母（如常住人口）折算"
                if lang == "zh"
                else "by the denominators the framework names (e.g. population)"
            )
        params = [f"{k} = {_value(v)}" for k, v in cfg.items() if v is not None and v != {}]
        text = "，".join(parts) if lang == "zh" else ", ".join(parts)
        if params:
            text += ("（" + "；".join(params) + "）") if lang == "zh" else f" ({'; '.join(params)})"
        out.append(_pick(STAGE_NAMES[stage], lang) + sep + text)
    return out
