"""Framework: construction, validation (every problem at once), iMeta and YAML round trips."""

from __future__ import annotations

import re

import pandas as pd
import pytest

import integrity_eval as ie
from integrity_eval.errors import bilingual
from integrity_eval.framework import Framework

CJK = re.compile(r"[\u4e00-\u9fff]")

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


# ------------------------------------------------ goalposts, missing, citations, English names
FIELDS = {
    **TREE,
    "missing": "worst",
    "citations": {"004_eb7a51c6d53126fb.txt": "《某表》（沪发改信〔2018〕5号）"},
    "citations_en": {"004_eb7a51c6d53126fb.txt": "A Table (Hu Fa Gai Xin [2018] No. 5)"},
    "responsible_en": {"区法院": "District People's Court"},
    "nodes": [
        *TREE["nodes"][:3],
        {
            **TREE["nodes"][3],  # a: less is better, so the worst post is the higher one
            "goalposts": [5, 0],
            "goalposts_source": "004_eb7a51c6d53126fb.txt §一.1",
        },
        TREE["nodes"][4],
        {**TREE["nodes"][5], "goalposts": [0, 1]},
    ],
}


def _problems(data: dict) -> list:
    with pytest.raises(ie.ValidationError) as err:
        Framework.from_dict(data)
    return err.value.problems


def test_goalposts_are_worst_then_best_and_kept_as_lower_upper():
    fw = Framework.from_dict(FIELDS)
    a, b = fw["a"], fw["b"]
    assert a.goalposts == (0, 5) and a.worst_best == (5, 0)  # COINr's (lower, upper)
    assert b.goalposts == (0, 1) and b.worst_best == (0, 1)
    assert a.goalposts_source == "004_eb7a51c6d53126fb.txt §一.1"
    written = {n["code"]: n for n in fw.to_dict()["nodes"]}
    assert written["a"]["goalposts"] == [5, 0] and written["b"]["goalposts"] == [0, 1]
    # normalise: goalposts scores a (direction −1) from 0 at 5 to 100 at 0, clipped
    data = pd.DataFrame({"uCode": ["u", "v", "w"], "a": [1.0, 4, 6], "pop": 1.0})
    data = data.assign(b=[0.5, 1, 0], c=[0.2, 0.4, 0.6])
    spec = {
        "denominate": {},
        "normalise": {"method": "goalposts"},
        "aggregate": {"method": "amean"},
    }
    got = ie.build(fw, data, spec).get_dset("Normalised")
    assert got["a"].tolist() == pytest.approx([80, 20, 0])


@pytest.mark.parametrize(
    ("node", "column", "says"),
    [
        ({"direction": -1, "goalposts": [0, 5]}, "goalposts", "e.g. [5, 0]"),
        ({"goalposts": [1, 0]}, "goalposts", "swap them"),
        ({"goalposts": [2, 2]}, "goalposts", "are equal"),
        ({"goalposts": [0]}, "goalposts", "a list [worst, best]"),
        ({"goalposts": [None, 1]}, "goalposts", "expected a number"),
        ({"goalposts_source": "本工具默认 / kit default"}, "goalposts_source", "without goalposts"),
    ],
)
def test_bad_goalposts_are_named(node, column, says):
    bad = {**TREE, "nodes": [*TREE["nodes"][:5], {**TREE["nodes"][5], **node}]}
    problems = _problems(bad)
    assert [(p.row, p.column) for p in problems] == [("c", column)]
    assert says in problems[0].rule and CJK.search(bilingual(problems[0].rule))


def test_bad_missing_citations_and_english_names_are_listed_at_once():
    bad = {
        **FIELDS,
        "missing": "wrost",
        "citations": {"004_eb7a51c6d53126fb.txt": ""},
        "citations_en": {"005_unknown.txt": "Not cited"},
        "responsible_en": {"区法庭": "District court"},
    }
    problems = _problems(bad)
    by_column = {p.column: p for p in problems}
    assert set(by_column) == {"missing", "citations", "citations_en", "responsible_en"}
    assert by_column["citations_en"].value == "005_unknown.txt"
    assert "did you mean 'worst'" in by_column["missing"].rule
    assert CJK.search(by_column["missing"].rule)
    english = [p for p in problems if p.column == "responsible_en"]
    assert {p.value for p in english} == {"区法院", "区法庭"}  # one without a name, one stray
    assert any("did you mean '区法院'" in p.rule for p in english)
    for key in ("citations", "citations_en", "responsible_en"):
        problems = _problems({**FIELDS, key: ["not", "a", "mapping"]})
        assert [p.column for p in problems] == [key]
    with pytest.raises(ie.ValidationError, match="missing"):  # checked however it is built
        Framework(nodes=Framework.from_dict(TREE).nodes, missing="never")


def test_new_fields_round_trip_through_yaml_and_imeta(tmp_path):
    fw = Framework.from_dict(FIELDS)
    assert fw.missing == "worst" and Framework.from_dict(TREE).missing is None
    path = tmp_path / "fields.yaml"
    path.write_text(fw.to_yaml(), encoding="utf-8")
    again = ie.load_framework(path)
    assert again == fw and again.hash == fw.hash
    fields = ("citations", "citations_en", "responsible_en")
    assert [getattr(again, k) for k in fields] == [getattr(fw, k) for k in fields]
    assert again.citations_en == FIELDS["citations_en"]
    table = fw.to_imeta()
    row = table.set_index("iCode").loc["a"]
    assert (row["goalpost_lower"], row["goalpost_upper"]) == (0, 5)  # COINr's order
    assert row["goalpost_source"] == "004_eb7a51c6d53126fb.txt §一.1"
    back = Framework.from_imeta(table)
    assert back == fw and back.hash == fw.hash  # the framework fields travel in attrs
    csv = tmp_path / "fields_imeta.csv"
    table.to_csv(csv, index=False)
    assert ie.load_framework(csv).nodes == fw.nodes  # a CSV keeps the tree, posts included


def test_english_names_and_citations_for_reports():
    fw = Framework.from_dict(FIELDS)
    assert fw.responsible_of("a") == ("区法院",)
    assert fw.responsible_of("a", "en") == ("District People's Court",)
    assert fw.responsible_of("b", "en") == ()
    assert fw.cite("004_eb7a51c6d53126fb.txt §一.1") == "《某表》（沪发改信〔2018〕5号）§一.1"
    assert fw.cite("003_01131af63e5da6d9.txt §一") == "003_01131af63e5da6d9.txt §一"  # no citation
    # in English: the English title, the space before the clause kept
    assert fw.cite("004_eb7a51c6d53126fb.txt §一.1", "en") == (
        "A Table (Hu Fa Gai Xin [2018] No. 5) §一.1"
    )
    no_english = Framework.from_dict({**FIELDS, "citations_en": None})
    assert no_english.cite("004_eb7a51c6d53126fb.txt §一.1", "en") == (
        "《某表》（沪发改信〔2018〕5号） §一.1"
    )
