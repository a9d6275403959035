"""Framework: construction, validation (every problem at once), iMeta and YAML round trips."""

from __future__ import annotations

import pandas as pd
import pytest

import integrity_eval as ie
from integrity_eval.framework import Framework

TREE = {
    "name": "toy",
    "title": {"zh": "玩具框架", "en": "Toy"},
    "levels": [
        {"zh": "指标", "en": "Indicator"},
        {"zh": "维度", "en": "Dimension"},
        {"zh": "总分", "en": "Index"},
    ],
    "denominators": [{"code": "pop", "name": {"zh": "人口", "en": "Population"}}],
    "nodes": [
        {"code": "IDX", "name": {"zh": "总分", "en": "Index"}, "level": 3},
        {"code": "D1", "name": "维度一", "level": 2, "parent": "IDX", "weight": 2},
        {"code": "D2", "name": "维度二", "level": 2, "parent": "IDX"},
        {
            "code": "a",
            "name": "a",
            "level": 1,
            "parent": "D1",
            "direction": -1,
            "kind": "count",
            "denominator": "pop",
            "target": 0.5,
            "responsible": ["区法院"],
        },
        {"code": "b", "name": "b", "level": 1, "parent": "D1", "goalposts": [0, 1]},
        {"code": "c", "name": "c", "level": 1, "parent": "D2", "kind": "rate", "min": 0, "max": 1},
    ],
}


def test_tree_views():
    fw = Framework.from_dict(TREE)
    assert fw.indicators == ["a", "b", "c"]
    assert fw.root == "IDX" and fw.n_levels == 3
    assert fw.children["D1"] == ["a", "b"]
    assert fw.descendants("IDX") == ["a", "b", "c"]
    assert fw.directions.to_dict() == {"a": -1.0, "b": 1.0, "c": 1.0}
    assert fw.lineage.iloc[0].tolist() == ["a", "D1", "IDX"]
    assert fw["D1"].name("en") == "维度一"  # a plain string serves both languages
    assert fw.level_label(2, "zh") == "维度"


def test_imeta_and_yaml_round_trip(tmp_path):
    fw = Framework.from_dict(TREE)
    back = Framework.from_imeta(fw.to_imeta(), name="toy")
    assert back.nodes == fw.nodes and back.denominators == fw.denominators
    path = tmp_path / "toy.yaml"
    path.write_text(fw.to_yaml(), encoding="utf-8")
    again = ie.load_framework(path)
    assert again == fw and again.hash == fw.hash
    csv = tmp_path / "toy_imeta.csv"
    fw.to_imeta().to_csv(csv, index=False)
    assert ie.load_framework(csv).nodes == fw.nodes


def test_asem_imeta_matches_coinr_columns(asem_imeta, asem_fw):
    out = asem_fw.to_imeta()
    cols = [
        "Level",
        "iCode",
        "iName",
        "Direction",
        "Weight",
        "Unit",
        "Target",
        "Denominator",
        "Parent",
        "Type",
    ]
    assert list(out.columns[:10]) == cols
    pd.testing.assert_frame_equal(
        out[cols].reset_index(drop=True), asem_imeta[cols], check_dtype=False
    )


def test_every_problem_listed_at_once():
    bad = {
        "name": "bad",
        "nodez": [],
        "nodes": [
            {"code": "IDX", "name": "x", "level": 3},
            {"code": "D1", "name": "x", "level": 2, "parent": "IDX", "weight": -1},
            {"code": "D1", "name": "x", "level": 2, "parent": "IDX"},
            {"code": "a", "name": "x", "level": 1, "parent": "D9", "direction": 2},
            {"code": "b", "name": "x", "level": 1, "parent": "D1", "wieght": 1, "weight": "1,5"},
        ],
    }
    with pytest.raises(ie.ValidationError) as err:
        Framework.from_dict(bad)
    rules = [(p.row, p.column, p.rule) for p in err.value.problems]
    text = str(err.value)
    assert "nodez" in text and "did you mean 'nodes'" in text
    assert "wieght" in text and "did you mean 'weight'" in text
    assert any(r[1] == "weight" and "number" in r[2] for r in rules)  # '1,5' does not parse
    assert len(err.value.problems) >= 3
    # the tree-level faults are found once the nodes parse
    bad["nodes"] = [n for n in bad["nodes"] if n["code"] != "b"]
    del bad["nodez"]
    with pytest.raises(ie.ValidationError) as err:
        Framework.from_dict(bad)
    rules = {(p.row, p.rule) for p in err.value.problems}
    assert ("D1", "duplicate code") in rules
    assert any(r == ("a", "parent does not exist (orphan node)") for r in rules)
    assert any(row == "a" and "direction" in rule for row, rule in rules)
    assert any(row == "D1" and "≥ 0" in rule for row, rule in rules)


def test_cycle_detected():
    nodes = [
        {"code": "IDX", "name": "x", "level": 3},
        {"code": "A", "name": "x", "level": 2, "parent": "B"},
        {"code": "B", "name": "x", "level": 2, "parent": "A"},
        {"code": "i", "name": "x", "level": 1, "parent": "A"},
    ]
    with pytest.raises(ie.ValidationError, match="cycle"):
        Framework.from_dict({"name": "c", "nodes": nodes})


def test_yaml_is_loaded_safely(tmp_path):
    path = tmp_path / "evil.yaml"
    path.write_text("name: !!python/object/apply:os.system ['echo hacked']\nnodes: []\n")
    with pytest.raises(ie.ValidationError, match="YAML"):
        ie.load_framework(path)


def test_unknown_framework_lists_shipped_ones():
    with pytest.raises(ie.ValidationError, match="shipped frameworks"):
        ie.load_framework("no-such-framework")


def test_with_weights_validates():
    fw = Framework.from_dict(TREE)
    assert fw.with_weights({"D2": 3}).weights["D2"] == 3
    with pytest.raises(ie.ValidationError):
        fw.with_weights({"zz": 1})
    with pytest.raises(ie.ValidationError, match="≥ 0"):
        fw.with_weights({"D2": -1})
