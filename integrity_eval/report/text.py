"""Words of the reports, in Chinese and English: labels, method names, values and names.

One dictionary per kind of text, each entry ``(zh, en)``; :func:`tr` picks the
language. Keeping every user-facing word here lets a test check that a Chinese
report holds no English label and an English report no Chinese one.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = [
    "LABELS",
    "METHOD_NAMES",
    "RECORD_COLUMNS",
    "RECORD_VALUES",
    "english_names_missing",
    "format_value",
    "name_of_unit",
    "split_unit",
    "tr",
    "unit_names",
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
    "head_period": ("评价期 {x}", "Period {x}"),
    "head_client": ("委托方 {x}", "Client: {x}"),
    "head_agency": ("评价机构 {x}", "Agency: {x}"),
    "date": ("报告日期", "Date"),
    "result": ("评价结果", "Result"),
    "score": ("综合得分", "Score"),
    "grade": ("等级", "Grade"),
    "grade_by_score": ("按得分等级", "Grade by score"),
    "stars": ("星级", "Stars"),
    "rank": ("名次", "Rank"),
    "rank_of": ("第 {rank} 名 / 共 {n} 个参评单位", "rank {rank} of {n} rated units"),
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
    "missing_inds": ("未报送的指标", "Indicators not reported"),
    "profile": ("各维度得分", "Dimension profile"),
    "profile_note": (
        "柱为本单位得分；菱形为全部参评单位的中位数，竖线为最高分。",
        "Bars: this unit's score; diamonds: median of the rated units; ticks: the best unit.",
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
    "records": ("计入的失信记录", "Breach records counted"),
    "records_none": ("无计入的失信记录。", "No breach record counted."),
    "improve": ("改进建议", "Improvement notes"),
    "improve_item": (
        "「{name}」在 {n} 个参评单位中排第 {rank} 名（本单位 {value}，中位数 {median}）。",
        "“{name}” ranks {rank} of {n} rated units (this unit {value}, median {median}).",
    ),
    "improve_resp": ("责任单位：{resp}。", "Responsible: {resp}."),
    "improve_source": ("依据：{source}。", "Basis: {source}."),
    "improve_action": (
        "建议责任单位对照依据条款查找差距、制定整改措施，并在下一评价期跟踪。",
        "The responsible units should check the gap against the basis, set corrective "
        "measures and follow them up in the next period.",
    ),
    "trend": ("历年趋势", "Trend over periods"),
    "trend_score": ("得分", "Score"),
    "trend_rank": ("名次", "Rank"),
    "trend_none": ("只有一个评价期，无趋势。", "Only one period: no trend."),
    "annex": ("附录：评价方法", "Annex: methodology"),
    "tree": ("指标体系", "Indicator framework"),
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
    "rating_scheme": ("评级方案", "Rating scheme"),
    "edge_rule": (
        "得分恰好等于分界值时取较好的等级（如 {edge} 分为「{grade}」）。",
        "A score equal to an edge gets the better grade ({edge} is “{grade}”).",
    ),
    "uncertainty": ("不确定性分析", "Uncertainty analysis"),
    "no_uncertainty": ("本次未做不确定性分析。", "No uncertainty analysis in this run."),
    "provenance": ("数据来源与可复现性", "Provenance"),
    "run_id": ("运行编号", "Run id"),
    "version": ("软件版本", "Software version"),
    "seed": ("随机种子", "Seed"),
    "hash_framework": ("评价体系哈希", "Framework hash"),
    "hash_spec": ("参数哈希", "Spec hash"),
    "hash_data": ("输入数据哈希", "Input data hash"),
    "hash_run": ("运行哈希", "Run hash"),
    "in_data": ("报送数据（文件指纹）", "Data reported (file fingerprint)"),
    "in_dataset": ("内置数据集（文件指纹）", "Bundled data set (file fingerprint)"),
    "in_framework": ("指标体系（文件指纹）", "Framework (file fingerprint)"),
    "in_spec": ("评价方案（文件指纹）", "Evaluation spec (file fingerprint)"),
    "in_rating": ("评级方案（文件指纹）", "Rating scheme (file fingerprint)"),
    "in_corrections": ("复核更正（文件指纹）", "Corrections (file fingerprint)"),
    "in_engagement": ("评价委托书（文件指纹）", "Engagement (file fingerprint)"),
    "page": ("第 {n} 页 / 共 {m} 页", "Page {n} of {m}"),
    "ranking": ("排名", "Ranking"),
    "ranking_chart": ("名次与 90% 名次区间", "Ranks and 90% rank intervals"),
    "ranking_chart_note": (
        "点为名义名次，横线为蒙特卡洛 90% 名次区间。",
        "Dots: nominal rank; lines: Monte Carlo 90% rank interval.",
    ),
    "scores_chart": ("各单位综合得分", "Scores"),
    "scores_chart_note": (
        "本次未做不确定性分析，图中不显示名次区间。",
        "No uncertainty analysis in this run, so no rank intervals are shown.",
    ),
    "grade_dist": ("等级分布", "Grade distribution"),
    "count": ("单位数", "Units"),
    "heatmap": ("各维度得分热力图", "Dimension scores"),
    "prev_rank": ("上期名次", "Previous rank"),
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
    # --- the method section (report/method.py)
    "method": ("评价方法", "Method"),
    "m_h_data": ("数据与缺失值", "Data and missing values"),
    "m_data": (
        "本期 {n} 个单位参评，评价体系共 {m} 项指标。",
        "{n} units were evaluated on the framework's {m} indicators.",
    ),
    "m_missing_worst": (
        "未报送的指标按该指标的最差值计分（未报送不得分）。",
        "An indicator left blank scores as its worst value (no report, no points).",
    ),
    "m_missing_skip": (
        "未报送的指标不计分，其权重由同一上级中已报送的指标分担。",
        "An indicator left blank is not scored; its weight is shared by the indicators "
        "reported under the same parent.",
    ),
    "m_missing_impute": (
        "未报送的指标按插补值计分（插补方法见计算步骤）。",
        "An indicator left blank is scored on an imputed value.",
    ),
    "m_blanks": (
        "本期共有 {units} 个参评单位的 {cells} 项数据未报送。",
        "{cells} values were left blank by {units} of the rated units.",
    ),
    "m_denominate": (
        "计数类指标按评价体系指定的分母（如常住人口、工作人员数）折算，以便不同规模的单位可比。",
        "Counts are divided by the denominators the framework names (population, staff), so that "
        "units of different sizes compare.",
    ),
    "m_corrections": (
        "复核阶段共对 {n} 项数据作了更正，各单位报告附录列出本单位的更正。",
        "Values corrected on review: {n}; each unit's annex lists its own corrections.",
    ),
    "m_names_as_reported": (
        "{n} 个单位（共 {m} 个）没有英文名称，按报送的名称列出。",
        "Names of units are given in English where the data supply them; {n} of {m} units "
        "appear under their names as reported (in Chinese).",
    ),
    "m_h_screen": ("不予评级的规则", "Units not rated"),
    "m_screen": (
        "报送指标少于 {pct} % 的单位不予评级（不计算得分、不排名）。",
        "A unit that reported fewer than {pct} % of the indicators is not rated (no score, no "
        "rank).",
    ),
    "m_screened": (
        "本期 {n} 个单位不予评级：{names}。",
        "Not rated this period ({n}): {names}.",
    ),
    "m_screened_none": ("本期所有单位均达到报送要求。", "Every unit met the reporting rule."),
    "m_h_treat": ("异常值处理", "Outliers"),
    "m_treat": (
        "偏度和峰度均超限的指标按缩尾法处理极端值（本期共处理 {n} 个数据点）。",
        "Indicators with both high skew and high kurtosis were winsorised ({n} values treated).",
    ),
    "m_h_scoring": ("计分方法", "Scoring"),
    "m_goalposts": (
        "每项指标按其目标区间换算为 0–{scale} 分：达到最好值得满分，达到或劣于最差值得 0 分，"
        "其间按比例计分；单位的得分只取决于它自己的数据。各指标的目标区间及其依据见附表。",
        "Each indicator is converted to 0–{scale} points on its goalposts: the best value "
        "scores full marks, the worst value or anything beyond it scores 0, and values between "
        "score in proportion, so a unit's score depends on its own data only. The goalposts "
        "and their sources are listed in the annex table.",
    ),
    "m_minmax": (
        "每项指标按全部单位中的最低值和最高值换算为 {lo}–{hi} 分（最好的单位得 {hi} 分）。",
        "Each indicator is rescaled to {lo}–{hi} between the lowest and highest unit (the best "
        "unit scores {hi}).",
    ),
    "m_normalise_other": (
        "各指标按{method}换算为可比的分值。",
        "Indicators are made comparable by {method}.",
    ),
    "m_aggregate": (
        "各层按权重（见附表）以{method}逐级汇总，得到综合得分。",
        "Each level is combined with the weights in the annex by the {method}, up to the "
        "overall score.",
    ),
    "m_weights": (
        "附表中的“有效权重”是每项指标在综合得分中所占的比重。",
        "The annex's effective weight is each indicator's share in the overall score.",
    ),
    "m_ahp": (
        "权重由专家的层次分析法（AHP）判断矩阵确定；各判断矩阵的一致性比率 CR（Saaty 1980，"
        "CR ≤ 0.1 为可接受）：{matrices}。",
        "The weights come from the experts' AHP pairwise comparison matrices; the consistency "
        "ratio CR of each (Saaty 1980; CR ≤ 0.1 is acceptable): {matrices}.",
    ),
    "m_ahp_matrix": ("{name} CR = {cr}", "{name} CR = {cr}"),
    "m_ahp_priorities": (
        "{name}（各专家优先级的几何平均，无群组矩阵）",
        "{name} (geometric mean of the experts' priorities: no group matrix)",
    ),
    "m_ahp_inconsistent": ("，超过 0.1，判断不一致", ", above 0.1: inconsistent"),
    "m_ahp_experts": ("，{n} 位专家", ", {n} experts"),
    "m_ahp_dropped": ("，剔除了 {names}", ", {names} left out"),
    "m_points": (
        "总积分 = 基础分 {base} 分 + 各加分项 − 各减分项。",
        "Total points = base {base} + bonus items − deduction items.",
    ),
    "m_bonus_cap": ("加分合计不超过 {cap} 分。", "Bonus points count up to {cap} in all."),
    "m_points_items": (
        "每个加分项、减分项先截断到其分值范围（见附表）。",
        "Each bonus and deduction item is first limited to its range (see the annex table).",
    ),
    "m_h_left_out": ("未计入得分的指标", "Indicators left out of the score"),
    "m_left_out": (
        "以下指标或要素未计入得分：",
        "These indicators or elements are not in the score:",
    ),
    "m_excluded_spec": ("按本次评价设置排除", "excluded by this evaluation's settings"),
    "m_excluded_empty": ("其全部下级指标均被排除", "all its indicators are excluded"),
    "m_excluded_parent": ("其上级被排除", "its parent is excluded"),
    "m_constant": (
        "{name}：全部单位数值相同，无法区分，不计入所属要素的平均",
        "{name}: every unit reported the same value, so it cannot tell units apart and is left "
        "out of its parent's mean",
    ),
    "m_vetoes_still": (
        "否决规则仍按这些指标的原始数值判定。",
        "Veto rules still read these indicators' reported values.",
    ),
    "rating_title": ("评级方法", "Grading"),
    "edges_source": ("分界值依据", "Source of the edges"),
    "edges_kit_default": (
        "本工具默认（评价方案未规定分界值）",
        "the kit's default (the evaluation plan sets no edges)",
    ),
    "vetoes_title": ("直接判级（否决）规则", "Veto rules"),
    "veto_rule": ("规则", "Rule"),
    "veto_condition": ("条件", "Condition"),
    "veto_cap": ("等级最高为", "Grade at most"),
    "veto_source": ("依据", "Basis"),
    "vetoes_none": ("本次评级不设否决规则。", "No veto rule applies in this rating."),
    "vetoes_dropped": (
        "本次评级方案列出了自己的否决规则，评价体系的否决规则不再适用。",
        "This rating scheme lists its own veto rules; the framework's rules do not apply.",
    ),
    "points_unit": ("分", "points"),
    "score_unit": ("分", "points"),
    "range_from": ("{lo} {unit}及以上", "{lo} {unit} or more"),
    "range_between": ("{lo} {unit}至不满 {hi} {unit}", "{lo} to under {hi} {unit}"),
    "range_below": ("不满 {hi} {unit}", "under {hi} {unit}"),
    "ua_words": (
        "用蒙特卡洛模拟检验结果的稳健性：重复计算 {n} 次，每次{varied}。各单位 90% 名次区间"
        "平均跨 {width} 个名次，名次平均变动 {shift} 位。",
        "The results' robustness was tested by Monte Carlo simulation: {n} recalculations, "
        "each with {varied}. The 90% rank intervals span {width} ranks on average; ranks "
        "move by {shift} on average.",
    ),
    "ua_weights": (
        "各权重在 ±{pct}% 范围内随机变动",
        "every weight varied at random by up to ±{pct}%",
    ),
    "ua_exclude": ("随机去掉一项指标", "one indicator left out at random"),
    "ua_aggregate": ("汇总方法在{methods}之间随机选择", "the aggregation drawn from {methods}"),
    "ua_normalise": ("标准化方法在{methods}之间随机选择", "the normalisation drawn from {methods}"),
    "ua_treat": ("随机决定是否处理异常值", "outlier treatment on or off at random"),
    "ua_impute": ("缺失值插补方法随机选择", "the imputation method drawn at random"),
    "ua_other": ("其他计算设置随机变动", "other settings varied at random"),
    "ua_mixed": (
        "这些备选方法使得分处于不同量纲，各次模拟的得分不可相互比较，因此只报告名次区间，"
        "不报告得分区间。",
        "These alternatives put the scores on different scales, so the scores of different "
        "recalculations are not comparable: rank intervals are reported, score intervals "
        "are not.",
    ),
    "ua_mixed_grades": (
        "等级线只适用于名义评价的得分量纲，因此不计算各等级概率。如需等级概率，请在 uncertainty "
        "设置中只用保持得分量纲的输入（权重扰动、逐一剔除指标）。",
        "The grade edges apply to the nominal evaluation's score scale only, so no grade "
        "probabilities are computed; for grade probabilities, vary only inputs that keep the "
        "score's scale in the uncertainty block (weights noise, leaving out one indicator at "
        "a time).",
    ),
    "ua_points": (
        "积分制总分按规定逐项相加，没有可变的方法选择，不做不确定性分析。",
        "A points total adds the items as prescribed: there is no method choice to vary, so "
        "no uncertainty analysis.",
    ),
    "goalposts_title": ("各指标的目标区间", "Goalposts of the indicators"),
    "gp_worst": ("最差值（0 分）", "Worst (0 points)"),
    "gp_best": ("最好值（满分）", "Best (full marks)"),
    "gp_kit": ("本工具默认（注 {k}）", "kit default (note {k})"),
    "gp_notes": ("注：", "Notes:"),
    # --- findings and recommendations
    "bonus": ("加分项", "bonus"),
    "deduction": ("减分项", "deduction"),
    "not_rated_short": ("不予评级", "Not rated"),
    "not_rated_count": (
        "本单位在 {m} 项指标中只报送了 {n} 项。",
        "The unit reported {n} of the {m} indicators.",
    ),
    "not_rated_rule": (
        "报送指标少于 {pct} % 的单位不予评级。",
        " A unit that reports fewer than {pct} % of the indicators is not rated.",
    ),
    "not_rated_no_data": (
        "其报送的数据不足以计算综合得分。",
        " Its data are not enough to compute an overall score.",
    ),
    "not_rated_forced": (
        "按本次评价设置不予评级。",
        "Not rated by this evaluation's settings.",
    ),
    "not_rated_title": ("不予评级的原因", "Why the unit is not rated"),
    "not_rated_missing": ("未报送的指标", "Indicators not reported"),
    "not_rated_rec": (
        "请责任单位在下一评价期按时、完整报送上列指标；报送后即可评级。",
        "The responsible units should report the indicators listed above, on time and in "
        "full, in the next period; the unit is then rated.",
    ),
    "missing_policy_worst": ("按最差值计分", "scored as the worst value"),
    "missing_policy_skip": (
        "不计分，权重由已报送指标分担",
        "not scored; weight shared by those reported",
    ),
    "missing_policy_impute": ("按插补值计分", "scored on imputed values"),
    "findings": ("主要问题", "Findings"),
    "findings_vetoes": ("限制等级的事实", "Facts that capped the grade"),
    "findings_blank": ("未报送的指标", "Indicators not reported"),
    "findings_weak": ("排名靠后的指标", "Indicators ranked in the worst quarter"),
    "findings_weak_note": (
        "列出本单位在 {n} 个参评单位中排名后四分之一且劣于中位数的全部指标，按名次由差到好。",
        "Every indicator on which the unit ranks in the worst quarter of the {n} rated units "
        "and below the median, worst first.",
    ),
    "findings_strong": ("相对优势指标", "Strengths"),
    "findings_strong_note": (
        "本单位排名前四分之一、优于中位数且多数单位并未达到同一数值的指标。",
        "Indicators on which the unit ranks in the best quarter, above the median, on a value "
        "most units do not share.",
    ),
    "findings_none": (
        "没有排名后四分之一的指标，也没有限制等级的事实。",
        "No indicator in the worst quarter and no fact that capped the grade.",
    ),
    "rec_veto": (
        "消除「{rule}」所依据的事实：「{name}」为 {value}，等级因此最高为「{cap}」。",
        "Remove the fact behind “{rule}”: “{name}” is {value}, which caps the grade at “{cap}”.",
    ),
    "rec_blank_worst": (
        "按时报送未报送的 {n} 项指标（{names}）：未报送的指标按最差值计分。",
        "Report the {n} indicators left blank ({names}): a blank scores as the worst value.",
    ),
    "rec_blank_skip": (
        "按时报送未报送的 {n} 项指标（{names}）。",
        "Report the {n} indicators left blank ({names}).",
    ),
    "rec_blank_impute": (
        "按时报送未报送的 {n} 项指标（{names}）：其分值目前为插补值。",
        "Report the {n} indicators left blank ({names}): they are scored on imputed values now.",
    ),
    "plan_title": ("晋级路径", "What it takes"),
    "plan_blocked": (
        "否决规则（{rules}）将等级限制在目标等级以下：须先消除其所依据的事实，提高得分不能晋级。",
        "The veto rules ({rules}) cap the grade below the next one: only removing the facts "
        "behind them lifts the cap; a higher score cannot.",
    ),
    "plan_from": ("现值", "Now"),
    "plan_to": ("目标值", "Target"),
    "plan_note": (
        "表中数值经重新计算验证；各项只向更好的方向变动，且不超出指标的可行范围。",
        "The values were verified by recalculating the score; each moves only in the better "
        "direction and stays within the indicator's feasible range.",
    ),
    "corrections": ("复核更正", "Corrections on review"),
    "corr_old": ("原值", "Was"),
    "corr_new": ("更正为", "Now"),
    "corr_reason": ("理由", "Reason"),
    "corr_evidence": ("证据", "Evidence"),
    "corr_by": ("更正人", "By"),
    "corr_date": ("日期", "Date"),
    "client": ("委托方", "Client"),
    "unchanged": ("不变", "unchanged"),
    "changes": ("与上期相比", "Changes since the previous period"),
    "changes_intro": (
        "与 {prev} 相比：{moved} 个单位名次变动，{graded} 个单位等级变动；按名次变动幅度排序。",
        "Compared with {prev}: {moved} units changed rank and {graded} changed grade; largest "
        "moves first.",
    ),
    "changes_intro_plain": (
        "与 {prev} 相比：{moved} 个单位名次变动；按名次变动幅度排序。",
        "Compared with {prev}: {moved} units changed rank; largest moves first.",
    ),
    "prev_score": ("上期得分", "Previous score"),
    "score_change": ("得分变化", "Score change"),
    "prev_grade": ("上期等级", "Previous grade"),
    "share": ("占比", "Share"),
    "total_points": ("总积分", "Total points"),
    "draft_banner": (
        "征求意见稿：本报告尚未定稿，仅供委托方和被评价单位提出意见。",
        "Draft for comment: this report is not final; it is circulated for the client's and the "
        "evaluated units' comments.",
    ),
    "item_points": ("积分", "Points"),
    "indicators_note": (
        "名次按原始值在 {n} 个参评单位中排列（已按指标方向调整，1 = 最好）；未报送的指标无名次。",
        "Ranks of the reported values among the {n} rated units (direction-adjusted, 1 = best); "
        "an indicator left blank has no rank.",
    ),
    "points_chart": ("各单位总积分", "Total points by unit"),
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
    "mon_p": ("与预期相比", "Against expectation"),
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
    "mon_basis_doc": (
        "依据{source}：对各单位的政务失信情况按月监测，发布监测结果和预警报告。",
        "Basis: {source}: each unit's government breaches are monitored monthly, with "
        "monitoring results and early warnings published.",
    ),
    "mon_basis_none": (
        "按月监测各单位新认定的政务失信记录并发布预警（未指定评价体系）。",
        "Monthly monitoring of the breach records decided for each unit, with early warnings "
        "(no framework given).",
    ),
    "mon_p_high": ("显著高于预期（{p}）", "significantly above expectation ({p})"),
    "mon_p_normal": ("在预期范围内（{p}）", "within expectation ({p})"),
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


# ----------------------------------------------------------------- values and names
def split_unit(unit: str, lang: str) -> str:
    """Framework units are written "件 / records": pick the language's half."""
    if " / " in unit:
        zh, en = unit.split(" / ", 1)
        return en if lang == "en" else zh
    return unit


def format_value(value: Any, unit: str = "", lang: str = "zh") -> str:
    """A raw indicator value for reading: rates (0–1) as percentages, yes/no as words,
    counts without decimals, other numbers to a sensible precision, with the unit."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    v = float(value)
    kind = unit.split(" / ", 1)[0]
    if kind == "比率":
        return f"{100 * v:.1f}%"
    if kind == "是否":
        return ("是" if v >= 0.5 else "否") if lang == "zh" else ("yes" if v >= 0.5 else "no")
    if v.is_integer():
        text = f"{int(v):,}"
    elif abs(v) >= 100:
        text = f"{v:,.1f}"
    elif abs(v) >= 1:
        text = f"{v:.2f}".rstrip("0").rstrip(".")
    else:
        text = f"{v:.3f}"
    u = split_unit(unit, lang)
    if lang == "en":
        if kind in ("分", "扣分"):
            u = "points"
        if v == 1 and u.endswith("s") and " " not in u:
            u = u[:-1]  # 1 record, 1 point
    if kind in ("比值",):
        return text
    return f"{text} {u}".strip()


def name_of_unit(ev: Any, code: str, lang: str) -> str:
    """A unit's name in ``lang`` (``uName_en`` for English when given, else ``uName``,
    else the code)."""
    return unit_names(ev, lang).get(str(code), str(code))


def unit_names(ev: Any, lang: str) -> dict[str, str]:
    """Every unit's name in ``lang``, by code: for English the unit's ``uName_en`` where
    given, else its ``uName`` (the name as reported), else its code."""
    units = ev.units
    cols = [c for c in (["uName_en", "uName"] if lang == "en" else ["uName"]) if c in units]
    out = {}
    for code in units.index:
        given = (units.at[code, c] for c in cols)
        name = next((v.strip() for v in given if isinstance(v, str) and v.strip()), "")
        out[str(code)] = name or str(code)
    return out


def english_names_missing(ev: Any) -> list[str]:
    """Codes of the units an English report names in Chinese: no English name
    (``uName_en``) and a name as reported in Chinese characters."""
    names = unit_names(ev, "en")
    return [c for c, name in names.items() if any("\u3400" <= ch <= "\u9fff" for ch in name)]
