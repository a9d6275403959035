"""``integrity-eval validate`` finds everything ``run`` would refuse.

``REFUSALS`` lists every data- or spec-dependent refusal of the build (``build.py``, the
stage modules, ``weights/nominal.py``, ``Framework.excluding``), each with an input that
triggers it. Every case goes through ``validate`` first (exit 1, the problem listed),
then through ``run`` (exit 1, the same problem, no output). ``test_every_refusal_site_
has_a_case`` counts the refusal sites in the source, so a new refusal without a case
here (and thus without proof that ``validate`` finds it) fails the suite.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
import yaml

import integrity_eval as ie
from integrity_eval.cli import main

ROOT = Path(__file__).resolve().parents[1]
FW_TEXT = (Path(__file__).parent / "data" / "mini_framework.yaml").read_text(encoding="utf-8")
HEADER = ["uCode", "uName", "court", "penalty", "audit", "kept", "hotline"]
ROWS = [
    ["310101", "黄浦区", 3, 10, 120.5, 0.9, 88],
    ["310104", "徐汇区", 1, 4, 0, 0.75, 91.5],
    ["310105", "长宁区", 0, 7, 30, 0.8, 80],
    ["310106", "静安区", 5, 2, 12, 0.6, 70],
    ["310107", "普陀区", 2, 9, 55, 0.95, 85],
]
NORM_AMEAN = "aggregate: {method: amean}\n"


def _case(
    fragment: str,
    spec: str | None = None,
    fw: Callable[[str], str] = lambda t: t,
    header: list[str] | None = None,
    rows: list[list] | None = None,
) -> dict:
    return {
        "fragment": fragment,
        "spec": spec,
        "fw": fw(FW_TEXT),
        "header": header or HEADER,
        "rows": rows or [list(r) for r in ROWS],
    }


def _column(name: str, values: list) -> list[list]:
    j = HEADER.index(name)
    return [[*r[:j], v, *r[j + 1 :]] for r, v in zip(ROWS, values, strict=True)]


def _with_denominator(text: str) -> str:
    return text.replace("    kind: rate\n", "    kind: rate\n    denominator: population\n", 1)


def _panel_rows(pop_2022: list, pop_2023: list) -> list[list]:
    return [
        [*r, year, pop]
        for year, pops in (("2022", pop_2022), ("2023", pop_2023))
        for r, pop in zip(ROWS, pops, strict=True)
    ]


# Every refusal of `run` that depends on the inputs, keyed by where it is raised.
REFUSALS: dict[str, dict] = {
    # build._denominate: a zero denominator, in the evaluated period and in earlier periods
    "denominator_zero": _case(
        "denominator is zero",
        fw=_with_denominator,
        header=[*HEADER, "population"],
        rows=[[*r, p] for r, p in zip(ROWS, [10, 0, 12, 13, 14], strict=True)],
    ),
    "denominator_zero_history": _case(
        "denominator is zero",
        fw=_with_denominator,
        header=[*HEADER, "Time", "population"],
        rows=_panel_rows([0, 11, 12, 13, 14], [10, 11, 12, 13, 14]),
        spec="denominate: {}\nimpute: {method: latest}\nnormalise: {method: minmax}\n" + NORM_AMEAN,
    ),
    # pipeline.denominate: a tiny denominator puts the quotient beyond MAX_MAGNITUDE
    "denominator_tiny": _case(
        "beyond ±1e+15: it cannot be computed safely; check the denominator",
        fw=_with_denominator,
        header=[*HEADER, "population"],
        rows=[[*r, p] for r, p in zip(ROWS, [10, 1e-310, 12, 13, 14], strict=True)],
    ),
    # pipeline.denominate: a negative denominator would reverse the indicator's direction
    "denominator_negative": _case(
        "the denominator population is negative",
        fw=_with_denominator,
        header=[*HEADER, "population"],
        rows=[[*r, p] for r, p in zip(ROWS, [10, -11, 12, 13, 14], strict=True)],
    ),
    # Evaluation.scores: a spec without an aggregate stage has no scores to rank (found by
    # tests/test_fuzz.py: validate passed it, run refused it)
    "no_aggregate_stage": _case(
        "the spec has no 'aggregate' stage, so there are no scores",
        spec="normalise: {method: minmax}\n",
    ),
    # cli.common.require_scores: no unit has a score (every indicator the same in every
    # unit); run failed drawing the ranking chart of nobody (found by tests/test_fuzz.py)
    "no_unit_scored": _case(
        "no unit has a score", rows=[[r[0], r[1], 1, 2, 3, 0.5, 60] for r in ROWS]
    ),
    # build._impute: the grouping column is not in the data
    "impute_group_missing": _case(
        "grouping column for imputation is not in the data",
        spec="impute: {method: mean_group, group: size_group}\n" + NORM_AMEAN,
    ),
    # build: screen.force names a unit that is not in the data
    "screen_force_unknown_unit": _case(
        "unit in screen.force is not in the data",
        spec="screen: {dat_thresh: 0.5, force: {'999999': true}}\n" + NORM_AMEAN,
    ),
    # Framework.excluding: unknown code, the root, everything
    "exclude_unknown_code": _case(
        "code under exclude is not in the framework", spec="exclude: [courtt]\n" + NORM_AMEAN
    ),
    "exclude_root": _case(
        "the top-level index cannot be excluded", spec="exclude: [INDEX]\n" + NORM_AMEAN
    ),
    "exclude_everything": _case(
        "exclude leaves no indicator", spec="exclude: [D1, D2]\n" + NORM_AMEAN
    ),
    # build._aggregate: aggregate.by_node names a code that is not an aggregate
    "by_node_unknown_aggregate": _case(
        "by_node names a code that is not an aggregate",
        spec="normalise: {method: minmax}\naggregate: {method: amean, by_node: {courtt: gmean}}\n",
    ),
    # build._normalise: dist2ref's reference unit is not among the units
    "dist2ref_unknown_unit": _case(
        "reference unit for dist2ref is not among",
        spec="normalise: {method: dist2ref, iref: '999999'}\n" + NORM_AMEAN,
    ),
    # normalise.check: one rule each
    "fracmax_max_zero": _case(
        "maximum is 0: fracmax divides by it",
        # court has direction −1 and a minimum of 0: the flipped maximum is 0
        spec="normalise: {method: fracmax}\n" + NORM_AMEAN,
    ),
    "dist2targ_no_target": _case(
        "no target in the framework for dist2targ",
        spec="normalise: {method: dist2targ}\n" + NORM_AMEAN,
    ),
    "dist2targ_target_equals_min": _case(
        "target equals the minimum",
        spec="exclude: [D1, hotline]\nnormalise: {method: dist2targ}\n" + NORM_AMEAN,
        fw=lambda t: t.replace("    kind: rate\n", "    kind: rate\n    target: 0.6\n", 1),
    ),
    "goalposts_missing": _case(
        "no goalposts in the framework", spec="normalise: {method: goalposts}\n" + NORM_AMEAN
    ),
    "dist2ref_reference_at_minimum": _case(
        "reference unit's value is missing or equals the minimum",
        spec="normalise: {method: dist2ref, iref: '310106'}\n" + NORM_AMEAN,
    ),
    # weights.nominal_weights: unknown code; every child of an aggregate at 0
    "weights_unknown_code": _case(
        "weight given for a code that is not in the framework",
        spec="weights: {values: {hotlin: 2}}\nnormalise: {method: minmax}\n" + NORM_AMEAN,
    ),
    "weights_all_zero": _case(
        "every child of this aggregate has weight 0",
        spec="weights: {values: {kept: 0, hotline: 0}}\nnormalise: {method: minmax}\n" + NORM_AMEAN,
    ),
    # build._check_domain: gmean, hmean, genmean with p < 0
    "gmean_non_positive": _case(
        "gmean needs positive values",
        spec="normalise: {method: minmax}\naggregate: {method: gmean}\n",
    ),
    "hmean_zero": _case(
        "hmean needs non-zero values",
        spec="normalise: {method: minmax}\naggregate: {method: hmean}\n",
    ),
    "genmean_negative_p": _case(
        "genmean needs positive values",
        spec="normalise: {method: minmax}\naggregate: {method: genmean, p: -1}\n",
    ),
    # aggregate.genmean: p = 0
    "genmean_p_zero": _case(
        "genmean with p = 0",
        spec="normalise: {method: minmax}\naggregate: {method: genmean, p: 0}\n",
    ),
    # spec.resolve: treat.fallback other than log_CT or null (listed with the allowed values)
    "treat_fallback_unknown": _case(
        "值/value 'log' | 规则/rule: fallback 须为 'log_CT'（对数变换，COINr 默认）或 null",
        spec="treat: {fallback: log}\n" + NORM_AMEAN,
    ),
    # the framework's default spec is what validate checks when --spec is not given
    "framework_default_spec": _case(
        "gmean needs positive values",
        fw=lambda t: t + "spec:\n  normalise: {method: minmax}\n  aggregate: {method: gmean}\n",
    ),
    # pipeline.check_missing_policy: worst without goalposts; impute without an impute stage
    "missing_worst_no_goalposts": _case(
        "missing: worst (a blank scores the worst goalpost) needs goalposts",
        spec="missing: worst\nnormalise: {method: minmax}\n" + NORM_AMEAN,
        rows=_column("hotline", [88, None, 80, 70, 85]),
    ),
    "missing_impute_no_stage": _case(
        "missing: impute needs an impute stage",
        spec="missing: impute\nnormalise: {method: minmax}\n" + NORM_AMEAN,
        rows=_column("hotline", [88, None, 80, 70, 85]),
    ),
    "mcda_root_missing_values": _case(
        "needs complete data and this indicator has missing values",
        spec="missing: skip\nnormalise: {method: minmax}\naggregate: {method: vikor}\n",
        rows=_column("hotline", [88, None, 80, 70, 85]),
    ),
    "framework_default_spec_invalid": _case(
        "spec: of framework mini",
        fw=lambda t: t + "spec:\n  normalise: {method: minmaxx}\n",
    ),
}

# Refusal sites in the source: (file, pattern) → how many; each is covered by REFUSALS.
SITES = {
    # denominator (zero, negative, tiny), impute, force, missing (two), iref, domain, by_node,
    # MCDA root
    ("integrity_eval/pipeline.py", r"problems\.add\("): 11,
    # unknown --time (checked by the CLI for both commands); the framework's default spec
    ("integrity_eval/build.py", r"raise ValidationError\("): 2,
    ("integrity_eval/normalise.py", r"rules\.append\("): 5,
    ("integrity_eval/aggregate.py", r"raise ValidationError\("): 1,
    ("integrity_eval/weights/nominal.py", r"problems\.add\(|zero_weight_parents\("): 2,
    ("integrity_eval/framework.py", r"invalid exclude"): 2,  # three problems, two raises
}


@pytest.mark.parametrize("name", list(REFUSALS))
def test_validate_reports_what_run_refuses(name, tmp_path, capsys):
    case = REFUSALS[name]
    fw = tmp_path / "fw.yaml"
    fw.write_text(case["fw"], encoding="utf-8")
    data = tmp_path / "data.csv"
    with open(data, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([case["header"], *case["rows"]])
    argv = ["--framework", str(fw), "--data", str(data)]
    if case["spec"] is not None:
        spec = tmp_path / "spec.yaml"
        spec.write_text(case["spec"], encoding="utf-8")
        argv += ["--spec", str(spec)]
    out = tmp_path / "out"

    code = main(["validate", *argv])
    captured = capsys.readouterr()
    assert code == 1, (captured.out, captured.err)
    assert case["fragment"] in captured.err, captured.err
    assert "Traceback" not in captured.err and captured.out == ""

    code = main(["run", *argv, "--out", str(out), "--quiet"])
    captured = capsys.readouterr()
    assert code == 1, captured.out
    assert case["fragment"] in captured.err, captured.err
    assert not out.exists() or not any(out.iterdir())


def test_every_refusal_site_has_a_case():
    found = {
        key: len(re.findall(pattern, (ROOT / key[0]).read_text(encoding="utf-8")))
        for key, pattern in ((k, k[1]) for k in SITES)
    }
    assert found == SITES, (
        "a refusal was added or removed: add its case to REFUSALS (validate must find it) "
        "and update SITES"
    )


def test_validate_lists_problems_of_several_stages_at_once(tmp_path):
    """``ie.check`` goes on past a failing stage: one pass shows the faults of every stage."""
    fw = ie.Framework.from_dict(yaml.safe_load(_with_denominator(FW_TEXT)))
    data = pd.DataFrame([[*r, p] for r, p in zip(ROWS, [10, 0, 12, 13, 14], strict=True)])
    data.columns = [*HEADER, "population"]
    data["hotline"] = 70.0
    spec = {
        "denominate": {},
        "screen": {"dat_thresh": 0.5, "force": {"nobody": True}},
        "normalise": {"method": "minmax"},
        "weights": {"values": {"nope": 1}},
        "aggregate": {"method": "gmean"},
    }
    with pytest.warns(UserWarning, match="hotline"):  # constant: NaN, as in COINr
        problems = ie.check(fw, data, spec)
    rules = [(p.source, p.row, p.column) for p in problems]
    assert ("iData", "310104", "population") in rules  # denominate
    assert ("spec", "nobody", "screen.force") in rules  # screen
    assert not any(p.column == "hotline" for p in problems)  # a constant is not a fault
    assert ("spec", "", "weights.values.nope") in rules  # weights
    # gmean: each unit at a minimum (normalised 0) is listed; hotline (NaN, skipped) and
    # the 0 denominator's unit do not reappear as faults of their aggregates
    agg = {(p.row, p.column) for p in problems if p.source == "aggregate"}
    assert agg and all(col != "hotline" for _, col in agg)
    assert not any(p.source == "aggregate" and p.column in ("D1", "D2") for p in problems)
    with pytest.raises(ie.ValidationError) as info:
        ie.build(fw, data, spec)
    assert info.value.problems[0] == problems[0]  # build stops at the first failing stage


def test_check_is_empty_for_inputs_run_accepts():
    fw = ie.Framework.from_dict(yaml.safe_load(FW_TEXT))
    data = pd.DataFrame(ROWS, columns=HEADER)
    assert ie.check(fw, data) == []
    ie.build(fw, data)
