"""The shipped integrity frameworks: loading, iMeta round trip, provenance, the documents' shape."""

from __future__ import annotations

import re
from importlib import resources

import numpy as np
import pandas as pd
import pytest
import yaml

import integrity_eval as ie
from integrity_eval import datasets
from integrity_eval.framework import KINDS, Framework

SHIPPED = ["shanghai-2018", "changning-2020", "luyang-2018", "jiangyin-township-2018"]
SEEDS = {
    "000_a12416bebf458155.txt",
    "001_6ab79e289bf5bf74.txt",
    "002_93c988d6af699336.txt",
    "003_01131af63e5da6d9.txt",
    "004_eb7a51c6d53126fb.txt",
}
BREACH_SEED = "003_01131af63e5da6d9.txt"
CITATION = re.compile(r"^00[0-4]_[0-9a-f]{16}\.txt §")
CITED = re.compile(r"(00[0-4]_[0-9a-f]{16}\.txt) §([^\s;]+)")
NUM = "[一二三四五六七八九十]+"
# The documents' own numbering: 一 / 一.1 / 三.(二) / 二.(四).3 / 一.一是 / 一–三 (a range).
CLAUSE = re.compile(rf"^{NUM}(–{NUM})?(\.(\({NUM}\)|\d+|{NUM}是))*$")
CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")
CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,31}$")
ZH_NUMS = "一二三四五六七八九十"
ZH_ORD = [f"第{c}类" for c in "一二三四五六七八"]  # the eight breach behaviours of 003 §一.一是


def _paren(section: str, n: int) -> list[str]:
    return [f"{section}.({ZH_NUMS[i]})" for i in range(n)]


def _numbered(section: str, n: int) -> list[str]:
    return [f"{section}.{i + 1}" for i in range(n)]


# The documents' structure: for each grouping node, the clauses of its children, in order.
STRUCTURE = {
    "shanghai-2018": {  # 4 mechanisms, 16 key domains, 5 safeguards
        "INDEX": ["一", "二", "三"],
        "MECH": _numbered("一", 4),
        "DOM": _numbered("二", 16),
        "SAFE": _numbered("三", 5),
    },
    "changning-2020": {  # 3 aspects, 15 tasks
        "INDEX": ["一", "二", "三"],
        "MECH": _numbered("一", 4),
        "DOM": _numbered("二", 6),
        "SAFE": _numbered("三", 5),
    },
    "luyang-2018": {
        "INDEX": ["二", "三", "四"],
        "LEVER": _paren("二", 3),
        "CREDIT": _paren("三", 5),
        "DOM": _paren("四", 5),
    },
    "jiangyin-township-2018": {  # 四围绕四建制 and 3 safeguards
        "TOTAL": ["二", "三"],
        "WORK": _paren("二", 4),
        "SAFE": _paren("三", 3),
    },
}


@pytest.fixture(scope="module", params=SHIPPED)
def name(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def fw(name) -> Framework:
    return ie.load_framework(name)


@pytest.fixture(scope="module")
def raw(name) -> dict:
    """The YAML as written (to check keys given explicitly, not filled by defaults)."""
    ref = resources.files("integrity_eval") / "frameworks" / f"{name}.yaml"
    return yaml.safe_load(ref.read_text(encoding="utf-8"))


def _citations(source: str) -> list[tuple[str, str]]:
    return CITED.findall(source)


def _first_clause(source: str) -> str:
    return _citations(source)[0][1]


def _indicators(fw: Framework):
    return [fw[c] for c in fw.indicators]


def test_all_shipped_frameworks_are_available():
    assert set(SHIPPED) <= set(ie.available_frameworks())


def test_name_is_file_stem_and_levels_are_named(fw, name):
    assert fw.name == name
    assert len(fw.level_names) == fw.n_levels
    for zh, en in fw.level_names:
        assert CJK.search(zh) and LATIN.search(en)
    assert CJK.search(fw.title_zh) and LATIN.search(fw.title_en)
    assert fw.source in SEEDS
    assert CJK.search(fw.units) and LATIN.search(fw.units)


def test_imeta_round_trip_keeps_the_tree(fw):
    back = Framework.from_imeta(fw.to_imeta(), name=fw.name)
    assert back.nodes == fw.nodes
    assert back.groups == fw.groups
    assert back.denominators == fw.denominators


def test_imeta_round_trip_is_exact(fw):
    back = Framework.from_imeta(fw.to_imeta())
    assert back == fw
    assert back.hash == fw.hash


def test_codes_are_short_ascii(fw):
    for n in fw.nodes:
        assert CODE.match(n.code), n.code


def test_every_node_has_zh_and_en_names(fw):
    for n in fw.nodes:
        assert CJK.search(n.name_zh), n.code
        assert LATIN.search(n.name_en) and not CJK.search(n.name_en), n.code


def test_every_node_cites_a_seed_clause(fw):
    for n in fw.nodes:
        assert CITATION.match(n.source), (n.code, n.source)
        cited = _citations(n.source)
        assert cited, n.code
        for file, clause in cited:
            assert file in SEEDS, (n.code, file)
            assert CLAUSE.match(clause), (n.code, clause)


def test_every_node_has_an_explicit_weight(raw):
    for node in raw["nodes"]:
        assert "weight" in node, node["code"]


def test_every_indicator_is_fully_described(fw, raw):
    written = {node["code"]: node for node in raw["nodes"]}
    for ind in _indicators(fw):
        given = written[ind.code]
        for key in ("direction", "kind", "unit", "responsible", "data", "definition", "min"):
            assert key in given, (ind.code, key)
        assert ind.kind in KINDS, ind.code
        assert ind.responsible and all(CJK.search(r) for r in ind.responsible), ind.code
        for text in (ind.unit, ind.data, ind.definition):  # bilingual "中文 / English"
            zh, sep, en = text.partition(" / ")
            assert sep and CJK.search(zh) and LATIN.search(en), (ind.code, text)


def test_indicator_ranges_fit_their_kind(fw):
    for ind in _indicators(fw):
        lo, hi = ind.min, ind.max
        if ind.kind == "rate":
            assert hi is not None and 0 <= lo < hi <= 1, ind.code
        elif ind.kind == "binary":
            assert (lo, hi) == (0, 1), ind.code
        elif ind.kind in ("count", "points"):
            assert lo == 0, ind.code
        if ind.kind in ("points", "score"):
            assert hi is not None and hi > lo, ind.code
        if hi is not None:
            assert lo < hi, ind.code
        values = [ind.target] if ind.target is not None else []
        values += list(ind.goalposts or ())
        for v in values:
            assert lo <= v and (hi is None or v <= hi), (ind.code, v)


def test_size_dependent_counts_name_a_denominator(fw):
    counts = [i for i in _indicators(fw) if i.kind == "count"]
    for ind in counts:
        if "记录" in ind.name_zh or "投诉" in ind.name_zh:
            assert ind.denominator, ind.code


def test_breach_record_indicators_use_the_eight_behaviours(fw):
    for ind in _indicators(fw):
        counts_breaches = ind.kind == "count" and "失信记录" in ind.name_zh
        deducts_for_breaches = ind.kind == "points" and ind.direction == -1
        if counts_breaches or deducts_for_breaches:
            files = [f for f, _ in _citations(ind.source)]
            assert BREACH_SEED in files, ind.code


def test_weights_other_than_one_are_explained(fw):
    assert "权重" in fw.description and "Weights" in fw.description
    for n in fw.nodes:
        if n.parent is not None and n.weight != 1:
            file, clause = _citations(n.source)[0]
            assert f"{file[:3]} §{clause}" in fw.description, n.code


def test_structure_matches_the_document(fw, name):
    for parent, clauses in STRUCTURE[name].items():
        kids = fw.children[parent]
        assert [_first_clause(fw[k].source) for k in kids] == clauses, parent
    # every element of the document carries at least one indicator
    for parent in STRUCTURE[name]:
        if parent != fw.root:
            for element in fw.children[parent]:
                assert fw.descendants(element), element


def test_shanghai_has_four_mechanisms_sixteen_domains_five_safeguards():
    fw = ie.load_framework("shanghai-2018")
    assert [len(fw.children[p]) for p in ("MECH", "DOM", "SAFE")] == [4, 16, 5]
    assert 40 <= len(fw.indicators) <= 70


def test_changning_has_three_aspects_and_fifteen_tasks():
    fw = ie.load_framework("changning-2020")
    assert len(fw.children[fw.root]) == 3
    assert len(fw.codes_at(2)) == 15


@pytest.mark.parametrize("name", ["changning-2020", "luyang-2018", "jiangyin-township-2018"])
def test_unit_type_group_for_mixed_units(name):
    fw = ie.load_framework(name)
    assert "unit_type" in [g.code for g in fw.groups]


def test_jiangyin_deductions_cover_the_eight_breach_behaviours_once():
    fw = ie.load_framework("jiangyin-township-2018")
    deductions = [i for i in _indicators(fw) if i.direction == -1]
    found = [o for i in deductions for o in ZH_ORD if f"({o})" in i.source]
    assert sorted(found, key=ZH_ORD.index) == ZH_ORD


def test_jiangyin_is_scored_by_capped_points():
    fw = ie.load_framework("jiangyin-township-2018")
    for ind in _indicators(fw):
        assert ind.kind == "points" and ind.min == 0 and ind.max > 0, ind.code


def test_jiangyin_rating_maps_points_to_sorted_stars():
    fw = ie.load_framework("jiangyin-township-2018")
    rating = fw.rating
    assert rating is not None and rating["method"] == "points"
    stars = rating["stars"]
    assert [s["stars"] for s in stars] == sorted({s["stars"] for s in stars}, reverse=True)
    # every band but the worst has a lower edge; the worst takes every lower score
    assert "min" not in stars[-1]
    mins = [s["min"] for s in stars[:-1]]
    assert mins == sorted(set(mins), reverse=True)
    for s in stars:
        assert CJK.search(s["zh"]) and LATIN.search(s["en"])
    # the stated range follows from the base, the bonus cap and the item caps
    bonus = sum(i.max for i in _indicators(fw) if i.direction == 1)
    malus = sum(i.max for i in _indicators(fw) if i.direction == -1)
    top = rating["base"] + min(bonus, rating["bonus_cap"])
    assert rating["range"] == [rating["base"] - malus, top]
    assert mins[-1] > rating["range"][0] and mins[0] <= rating["range"][1]
    assert all(CITATION.match(s) for s in rating["source"].split("; "))
    assert rating["note"]


# ------------------------------------------------------------- absolute scale (goalposts)
DATASET = {
    "shanghai-2018": "shanghai-districts",
    "changning-2020": "changning-units",
    "luyang-2018": "luyang-units",
    "jiangyin-township-2018": "jiangyin-townships",
}
ABSOLUTE = {"method": "goalposts", "scale": 100, "trunc2posts": True}


def _latest(name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The bundled panel's latest year (without ``Time``) and its earlier years."""
    ds = datasets.load(DATASET[name], panel=True)
    last = ds.idata["Time"].max()
    rows = ds.idata["Time"] == last
    return ds.idata[rows].drop(columns="Time"), ds.idata[~rows]


def test_every_indicator_has_goalposts_and_their_source(fw):
    for ind in _indicators(fw):
        assert ind.goalposts is not None, ind.code
        worst, best = ind.worst_best
        assert (best > worst) == (ind.direction > 0), ind.code
        source = ind.goalposts_source
        zh, sep, en = source.partition(" / ")
        assert sep and CJK.search(zh) and LATIN.search(en), (ind.code, source)
        cited = _citations(source)
        for file, clause in cited:  # a clause of the document that fixes a figure …
            assert file in SEEDS and CLAUSE.match(clause), (ind.code, source)
        # … or the kit's default, with its reason, in both languages
        kit = "本工具默认" in zh and "kit default" in en
        assert cited or kit, (ind.code, source)
        if ind.kind == "binary":
            assert sorted(ind.goalposts) == [0, 1], ind.code


def test_default_specs_normalise_by_goalposts_clipped_to_0_100(fw, name):
    if fw.rating.get("method") == "points":  # Jiangyin keeps its points totals
        assert "normalise" not in fw.spec
        return
    assert fw.spec["normalise"] == ABSOLUTE
    idata, _ = _latest(name)
    normalised = ie.build(fw, idata).get_dset("Normalised")
    values = normalised.to_numpy()[~normalised.isna().to_numpy()]
    assert values.min() == 0 and values.max() == 100  # clipped, and both posts are reached


def test_bundled_data_lie_between_the_goalposts(fw, name):
    """The synthetic panels are drawn on the goalposts' scale: few values beyond the worst post."""
    panel = datasets.load(DATASET[name], panel=True).idata
    spec = {
        "denominate": {},
        "normalise": {"method": "goalposts", "trunc2posts": False},
        "aggregate": {"method": "amean"},
    }
    panel = panel.assign(uCode=panel["uCode"] + "_" + panel["Time"].astype(str))
    x = ie.build(fw, panel.drop(columns="Time"), spec).get_dset("Normalised").to_numpy()
    seen = x[~np.isnan(x)]
    assert (seen < 0).mean() < 0.03 and (seen > 100).mean() < 0.03


@pytest.mark.parametrize("name", SHIPPED)
def test_a_units_score_depends_on_its_own_data_only(name):
    """Adding or removing other units leaves every unit's score and grade as it was."""
    fw = ie.load_framework(name)
    idata, earlier = _latest(name)
    full = ie.build(fw, idata)
    fewer = ie.build(fw, idata.iloc[::2])
    # other units: the earlier years' rows under new codes
    extra = earlier.drop(columns="Time").assign(
        uCode=earlier["uCode"] + "_" + earlier["Time"].astype(str)
    )
    more = ie.build(fw, pd.concat([idata, extra], ignore_index=True))
    assert len(fewer.scores) < len(full.scores) < len(more.scores)
    pd.testing.assert_series_equal(fewer.scores, full.scores[fewer.scores.index], check_exact=True)
    pd.testing.assert_series_equal(more.scores[full.scores.index], full.scores, check_exact=True)
    grades = ie.rating.rate(full).table["grade"]
    again = ie.rating.rate(more).table["grade"]
    pd.testing.assert_series_equal(again[grades.index], grades)
    # the same data under ranks (a relative research spec) move: the property is the posts'
    relative = {
        "denominate": {},
        "normalise": {"method": "rank"},
        "aggregate": {"method": "amean"},
    }
    moved = ie.build(fw, idata.iloc[::2], relative).scores
    assert not np.allclose(moved, ie.build(fw, idata, relative).scores[moved.index])


def test_goalposts_clip_on_a_shipped_framework_by_hand():
    fw = ie.load_framework("shanghai-2018")
    idata, _ = _latest("shanghai-2018")
    data = idata.set_index("uCode")
    a, b = data.index[:2]
    data.loc[[a, b], "population"] = 100.0  # 万人
    # satisfaction: goalposts [0.6, 1]; 0.5 is beyond the worst post, 0.9 is 3/4 of the way
    data.loc[[a, b], "D13_hotline_satisfaction"] = [0.5, 0.9]
    # debt ratio (less is better): goalposts [1, 0]; 1.5 is beyond the worst, 0.25 scores 75
    data.loc[[a, b], "D05_debt_ratio"] = [1.5, 0.25]
    # court-judgment records per 10,000 residents: goalposts [0.2, 0]; 10 and 30 per 100 万人
    data.loc[[a, b], "M1_court_judgments"] = [10.0, 30.0]
    # assessment score: goalposts [60, 100]; 100 is the best post, 50 below the pass mark
    data.loc[[a, b], "S1_leadership_score"] = [100.0, 50.0]
    got = ie.build(fw, data.reset_index()).get_dset("Normalised").loc[[a, b]]
    assert got["D13_hotline_satisfaction"].tolist() == pytest.approx([0, 75])
    assert got["D05_debt_ratio"].tolist() == pytest.approx([0, 75])
    assert got["M1_court_judgments"].tolist() == pytest.approx([50, 0])
    assert got["S1_leadership_score"].tolist() == pytest.approx([100, 0])


def test_jiangyin_goalposts_are_item_ranges_and_points_totals_stay():
    fw = ie.load_framework("jiangyin-township-2018")
    for ind in _indicators(fw):
        assert ind.goalposts == (ind.min, ind.max), ind.code
        assert ind.worst_best == ((0, ind.max) if ind.direction > 0 else (ind.max, 0)), ind.code
    idata, _ = _latest("jiangyin-township-2018")
    ev = ie.build(fw, idata)
    # the default build still adds points: base 100 + capped bonus − deductions
    row = idata.set_index("uCode").iloc[0]
    bonus = sum(min(row[i.code], i.max) for i in _indicators(fw) if i.direction > 0)
    malus = sum(min(row[i.code], i.max) for i in _indicators(fw) if i.direction < 0)
    total = fw.rating["base"] + min(bonus, fw.rating["bonus_cap"]) - malus
    assert ev.scores[row.name] == pytest.approx(total)
    # a research spec normalises each item by its goalposts
    research = {"normalise": {"method": "goalposts"}, "aggregate": {"method": "amean"}}
    norm = ie.build(fw, idata, research).get_dset("Normalised").loc[row.name]
    for ind in _indicators(fw):
        share = row[ind.code] / ind.max
        expected = 100 * (share if ind.direction > 0 else 1 - share)
        assert norm[ind.code] == pytest.approx(expected), ind.code


# ------------------------------------------------------------------ report fields
def test_missing_policy_is_worst(fw):
    assert fw.missing == "worst"


def test_every_cited_document_has_its_title_and_number(fw, raw):
    titles = ("citations", "citations_en")
    text = yaml.safe_dump({k: v for k, v in raw.items() if k not in titles}, allow_unicode=True)
    cited = set(re.findall(r"00[0-4]_[0-9a-f]{16}\.txt", text))
    assert cited == set(fw.citations)
    for file, title in fw.citations.items():
        assert re.match(r"^《[^《》]+》（.+）$", title), (file, title)
        numbered = re.search(r"〔\d{4}〕\d+号", title)
        assert numbered or "无文号" in title or "征求意见稿" in title, (file, title)
    assert fw.cite(fw.source + " §一") == fw.citations[fw.source] + "§一"


def test_every_cited_document_has_an_english_title(fw):
    """English reports cite by citations_en: a translated title, the same number."""
    assert set(fw.citations_en) == set(fw.citations)
    for file, title in fw.citations_en.items():
        chinese = fw.citations[file]
        assert LATIN.search(title) and not CJK.search(title), (file, title)
        number = re.search(r"〔(\d{4})〕(\d+)号", chinese)
        if number:
            assert f"[{number[1]}] No. {number[2]})" in title, (file, title)
        assert ("无文号" in chinese) == ("no document number" in title), (file, title)
        assert ("征求意见稿" in chinese) == ("draft for comments" in title), (file, title)
    assert fw.cite(fw.source + " §一", "en") == fw.citations_en[fw.source] + " §一"


def test_every_responsible_unit_has_an_english_name(fw):
    for ind in _indicators(fw):
        english = fw.responsible_of(ind.code, "en")
        assert len(english) == len(ind.responsible), ind.code
        assert all(LATIN.search(e) and not CJK.search(e) for e in english), ind.code
        assert fw.responsible_of(ind.code) == ind.responsible
