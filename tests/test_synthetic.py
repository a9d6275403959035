"""Synthetic panels: the model's realism, its recoverability, and exact regeneration."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy.stats import skew, spearmanr

import integrity_eval as ie
from integrity_eval import Framework
from integrity_eval.synthetic import (
    DATASETS,
    SyntheticPanel,
    dataset_units,
    generate_panel,
    write_dataset,
)

ROOT = Path(__file__).resolve().parents[1]

SMALL = {
    "name": "small-test",
    "title": {"zh": "测试", "en": "Test"},
    "groups": [{"code": "unit_type", "name": {"zh": "单位类型", "en": "Unit type"}}],
    "denominators": [
        {"code": "population", "name": {"zh": "常住人口", "en": "Population"}, "unit": "万人"},
        {"code": "staff", "name": {"zh": "编制人数", "en": "Staff"}, "unit": "人"},
        {"code": "streets", "name": {"zh": "街镇数", "en": "Streets"}, "unit": "个"},
    ],
    "nodes": [
        {"code": "INDEX", "name": {"zh": "总分", "en": "Index"}, "level": 3},
        {"code": "A", "name": "失信", "level": 2, "parent": "INDEX"},
        {"code": "B", "name": "履约", "level": 2, "parent": "INDEX"},
        *[
            {
                "code": f"cnt{i}",
                "name": f"失信记录{i}",
                "level": 1,
                "parent": "A",
                "kind": "count",
                "direction": -1,
                "denominator": "population",
            }
            for i in range(4)
        ],
        {"code": "cnt_staff", "name": "问责", "level": 1, "parent": "A", "kind": "count"}
        | {"direction": -1, "denominator": "staff"},
        {"code": "cnt_good", "name": "表彰", "level": 1, "parent": "A", "kind": "count"},
        {"code": "demo", "name": "示范街镇数", "level": 1, "parent": "B", "kind": "count"}
        | {"denominator": "streets"},
        {"code": "rate1", "name": "办结率", "level": 1, "parent": "B", "kind": "rate"},
        {"code": "rate_pct", "name": "投诉率", "level": 1, "parent": "B", "kind": "rate"}
        | {"direction": -1, "unit": "%", "min": 0, "max": 100},
        {"code": "score", "name": "满意度", "level": 1, "parent": "B", "kind": "score"}
        | {"min": 0, "max": 100},
        {"code": "pts_add", "name": "加分", "level": 1, "parent": "B", "kind": "points"}
        | {"min": 0, "max": 5},
        {"code": "pts_ded", "name": "扣分", "level": 1, "parent": "B", "kind": "points"}
        | {"direction": -1, "min": 0, "max": 3},
        {"code": "amount", "name": "欠款", "level": 1, "parent": "A", "kind": "amount"}
        | {"direction": -1, "denominator": "staff"},
        {"code": "ratio", "name": "比值", "level": 1, "parent": "B", "kind": "ratio"},
        {"code": "binary", "name": "公开", "level": 1, "parent": "B", "kind": "binary"},
    ],
}

# Unit names as the source documents (and, where they name none, the public divisions) give them.
SHANGHAI_16 = (
    "黄浦区 徐汇区 长宁区 静安区 普陀区 虹口区 杨浦区 闵行区 宝山区 嘉定区 浦东新区 "
    "金山区 松江区 青浦区 奉贤区 崇明区"
).split()
# 000_a12416bebf458155.txt: responsible units named in the plan
CHANGNING_DEPTS = (
    "区发改委 区人社局 区法院 区府办 区房管局 区建交委 区安监局 区城管执法局 区环保局 "
    "区联动中心 区商务委 区财政局 区金融办 区市场监管局 区审改办 区审计局"
).split()
CHANGNING_STREETS = (
    "华阳路街道 江苏路街道 新华路街道 周家桥街道 天山路街道 仙霞新村街道 虹桥街道 "
    "程家桥街道 北新泾街道 新泾镇"
).split()
# 001_6ab79e289bf5bf74.txt: responsible units named in the plan
LUYANG_DEPTS = (
    "区政府法制办 区编办 区人社局 区委组织部 区物价局 区政府办 区发改局 区财政局 区市监局 "
    "区法院 区检察院 区招商局 区民政局 区文明办"
).split()
LUYANG_TOWNS = (
    "亳州路街道 双岗街道 杏林街道 海棠街道 林店街道 杏花村街道 逍遥津街道 三孝口街道 "
    "益民街道 四里河街道 大杨镇 三十岗乡 庐阳经开区"
).split()
# 002_93c988d6af699336.txt names 澄江街道 and 长泾镇; the rest are Jiangyin's other divisions
JIANGYIN = (
    "澄江街道 南闸街道 云亭街道 璜土镇 月城镇 青阳镇 徐霞客镇 华士镇 周庄镇 新桥镇 长泾镇 "
    "顾山镇 祝塘镇 江阴高新区 江阴临港经济开发区 江阴-靖江工业园区"
).split()


@pytest.fixture(scope="module")
def small_fw() -> Framework:
    return Framework.from_dict(SMALL)


def _units(n: int = 16, seed: int = 7, spread: float = 0.6) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "uCode": [f"U{i:02d}" for i in range(n)],
            "uName": [f"单位{i}" for i in range(n)],
            "unit_type": np.where(np.arange(n) % 2 == 0, "部门", "街镇"),
            "size": np.round(100 * np.exp(spread * rng.standard_normal(n)), 2),
        }
    )


@pytest.fixture(scope="module")
def panel(small_fw) -> SyntheticPanel:
    return generate_panel(small_fw, _units(), range(2018, 2025), seed=11)


def _composite(fw: Framework, idata: pd.DataFrame) -> pd.Series:
    """Equal-weight mean of direction-adjusted, denominated, min-max-normalised indicators."""
    cols = []
    for code in fw.indicators:
        node = fw[code]
        x = idata[code].astype(float)
        if node.denominator:
            x = x / idata[node.denominator]
        x = x * node.direction
        rng = x.max() - x.min()
        cols.append((x - x.min()) / rng if rng > 0 else x * 0)
    return pd.concat(cols, axis=1).mean(axis=1)


def _check_realism(fw: Framework, p: SyntheticPanel, missing_rate: float = 0.03) -> None:
    idata, n = p.idata, len(p.idata)
    kinds = {c: (fw[c].kind or "score") for c in fw.indicators}
    binomial = {c for c, v in p.params["indicators"].items() if v.get("model") == "binomial"}
    counts = [c for c, k in kinds.items() if k == "count" and c not in binomial]
    for c in binomial:  # counts of countable things never exceed their denominator
        assert (idata[c].dropna() <= idata.loc[idata[c].notna(), fw[c].denominator]).all()
    if counts:
        skews = [skew(idata[c].dropna()) for c in counts]
        assert np.mean(np.array(skews) > 1) > 0.5, dict(zip(counts, skews, strict=True))
        vetoed = {v["indicator"] for v in (fw.rating or {}).get("vetoes", [])}
        for c in counts:
            x = idata[c].dropna()
            if c in vetoed:  # rare, serious events: mostly zero (dispersion then near Poisson's)
                assert x.mean() < 1 and (x == 0).mean() > 0.5, c
            elif x.mean() >= 1:  # below one a year, NB's dispersion 1 + μ/r is near Poisson's
                assert x.var() / x.mean() > 1.5, c
            assert (x >= 0).all() and (x == np.round(x)).all(), c
    for c, k in kinds.items():
        x = idata[c].dropna()
        node = fw[c]
        if k == "rate":
            hi = node.max if node.max is not None else (100 if "%" in node.unit else 1)
            lo = node.min if node.min is not None else 0
            assert x.between(lo, hi).all(), c
            if hi == 1:
                assert x.between(0, 1).all(), c
        if k in ("score", "points") and node.max is not None:
            assert x.between(node.min or 0, node.max).all(), c
        if k == "binary":
            assert set(x.unique()) <= {0.0, 1.0}, c
        if k in ("amount", "ratio"):
            assert (x >= 0).all(), c
    values = idata[fw.indicators]
    applicable = np.ones(values.shape, dtype=bool)
    for code, ucodes in p.params["not_applicable"].items():
        rows = idata["uCode"].isin(ucodes).to_numpy()
        assert values.loc[rows, code].isna().all(), code
        applicable[rows, fw.indicators.index(code)] = False
    share = values.isna().to_numpy()[applicable].mean()
    tol = max(0.015, 3 * np.sqrt(missing_rate * (1 - missing_rate) / applicable.sum()))
    assert abs(share - missing_rate) < tol, share
    assert not values.isna().all().any()
    spread = values.groupby(idata["Time"]).agg(lambda x: x.max() - x.min())
    assert (spread > 0).all().all(), spread.columns[(spread <= 0).any()].tolist()
    for d in fw.denominators:
        assert (idata[d.code] > 0).all()
    merged = idata.merge(p.truth, on=["uCode", "Time"], validate="1:1")
    rho = spearmanr(_composite(fw, merged), merged["theta"]).statistic
    assert rho > 0.6, rho
    assert len(merged) == n


# ------------------------------------------------------------------ the model
def test_layout(panel, small_fw):
    idata = panel.idata
    assert list(idata.columns[:4]) == ["uCode", "uName", "Time", "unit_type"]
    assert list(idata.columns[4:7]) == ["population", "staff", "streets"]
    assert list(idata.columns[7:]) == small_fw.indicators
    streets = idata.pivot(index="uCode", columns="Time", values="streets")
    assert (streets.nunique(axis=1) == 1).all() and (streets == streets.round()).all().all()
    assert len(idata) == 16 * 7
    assert not idata.duplicated(["uCode", "Time"]).any()
    assert idata.equals(idata.sort_values(["Time", "uCode"]).reset_index(drop=True))
    assert list(panel.truth.columns) == ["uCode", "Time", "theta", "rank"]
    assert panel.years == list(range(2018, 2025))
    assert len(panel.cross_section()) == 16
    assert (panel.cross_section()["Time"] == 2024).all()
    yaml.safe_dump(dict(panel.params))  # plain data


def test_realism(panel, small_fw):
    _check_realism(small_fw, panel)


def test_truth_ranks(panel):
    for _, t in panel.truth.groupby("Time"):
        expected = t["theta"].rank(ascending=False, method="min").astype(int)
        assert (t["rank"] == expected).all()
        assert sorted(t["rank"]) == list(range(1, len(t) + 1))


def test_recoverable_each_year(panel, small_fw):
    for year in panel.years:
        x = _composite(small_fw, panel.cross_section(year))
        theta = panel.truth_at(year).reindex(panel.cross_section(year)["uCode"])
        assert spearmanr(x, theta).statistic > 0.6, year


def test_directions_follow_theta(small_fw):
    """With no noise in θ-free parts, each indicator's correlation sign matches its direction."""
    p = generate_panel(small_fw, _units(60), range(2018, 2025), seed=3, missing_rate=0)
    merged = p.idata.merge(p.truth, on=["uCode", "Time"])
    for code in small_fw.indicators:
        node = small_fw[code]
        x = merged[code] / merged[node.denominator] if node.denominator else merged[code]
        r = spearmanr(x, merged["theta"]).statistic
        assert np.sign(r) == node.direction, (code, r)


def test_counts_scale_with_denominator(small_fw):
    units = _units(60, spread=1.5)
    p = generate_panel(small_fw, units, [2020], seed=5, missing_rate=0, outlier_rate=0)
    for code in ("cnt0", "cnt1", "cnt2", "cnt3"):
        assert spearmanr(p.idata[code], p.idata["population"]).statistic > 0.5, code


def test_same_seed_same_frames(small_fw):
    a = generate_panel(small_fw, _units(), range(2018, 2021), seed=42)
    b = generate_panel(small_fw, _units(), range(2018, 2021), seed=42)
    pd.testing.assert_frame_equal(a.idata, b.idata)
    pd.testing.assert_frame_equal(a.truth, b.truth)
    assert a.params == b.params
    c = generate_panel(small_fw, _units(), range(2018, 2021), seed=43)
    assert not a.idata.equals(c.idata)
    assert not a.truth.equals(c.truth)


def test_seed_sequence_is_not_consumed(small_fw):
    ss = np.random.SeedSequence(9).spawn(2)[1]
    a = generate_panel(small_fw, _units(), [2020, 2021], seed=ss)
    b = generate_panel(small_fw, _units(), [2020, 2021], seed=ss)
    pd.testing.assert_frame_equal(a.idata, b.idata)


def test_not_applicable(small_fw):
    units = _units()
    depts = units.loc[units["unit_type"] == "部门", "uCode"].tolist()
    p = generate_panel(small_fw, units, [2020, 2021], seed=4, not_applicable={"demo": depts})
    assert p.idata.loc[p.idata["uCode"].isin(depts), "demo"].isna().all()
    assert p.idata.loc[~p.idata["uCode"].isin(depts), "demo"].notna().mean() > 0.8
    assert p.params["not_applicable"] == {"demo": sorted(depts)}
    with pytest.raises(ValueError, match="not an indicator"):
        generate_panel(small_fw, units, [2020], seed=4, not_applicable={"nope": depts})


def test_no_indicator_constant_within_a_year(small_fw):
    # three units, rare events: constant columns are likely before the fix-up
    p = generate_panel(small_fw, _units(3), range(2010, 2030), seed=8, missing_rate=0)
    assert p.params["n_constant_broken"] > 0
    spread = p.idata.groupby("Time")[small_fw.indicators].agg(lambda x: x.max() - x.min())
    assert (spread > 0).all().all()
    assert set(p.idata["binary"].unique()) <= {0.0, 1.0}
    assert (p.idata["demo"] <= p.idata["streets"]).all()


def test_missing_never_whole_indicator(small_fw):
    p = generate_panel(small_fw, _units(4), [2020], seed=1, missing_rate=0.95)
    assert not p.idata[small_fw.indicators].isna().all().any()


def test_outliers(small_fw):
    clean = generate_panel(small_fw, _units(), range(2018, 2025), seed=2, outlier_rate=0)
    assert clean.params["outliers"] == []
    dirty = generate_panel(small_fw, _units(), range(2018, 2025), seed=2, outlier_rate=0.05)
    assert len(dirty.params["outliers"]) > 0
    for u, t, code in dirty.params["outliers"]:
        row = dirty.idata[(dirty.idata["uCode"] == u) & (dirty.idata["Time"] == t)]
        base = clean.idata[(clean.idata["uCode"] == u) & (clean.idata["Time"] == t)]
        ratio = row[code].iloc[0] / base[code].iloc[0]
        assert 4.5 <= ratio <= 10.5, (u, t, code, ratio)
    # only count indicators are touched
    others = [c for c in small_fw.indicators if small_fw[c].kind != "count" or c == "demo"]
    pd.testing.assert_frame_equal(clean.idata[others], dirty.idata[others])


def test_bad_units(small_fw):
    with pytest.raises(ValueError, match="size"):
        generate_panel(small_fw, _units().drop(columns="size"), [2020], seed=0)
    bad = _units()
    bad.loc[0, "uCode"] = bad.loc[1, "uCode"]
    with pytest.raises(ValueError, match="duplicate"):
        generate_panel(small_fw, bad, [2020], seed=0)


def test_asem_framework():
    fw = Framework.from_imeta(pd.read_csv(ROOT / "datasets/asem/asem_iMeta.csv"))
    units = pd.read_csv(ROOT / "datasets/asem/asem_iData.csv")
    units = units[["uCode", "uName", "EurAsia_group", "Population"]].assign(
        size=lambda d: d["Population"] / 1000
    )
    p = generate_panel(fw, units, range(2018, 2021), seed=0)
    assert list(p.idata.columns[3:5]) == ["EurAsia_group", "Area"]
    # the Population denominator is the units' own column, grown over the years
    first = p.idata[p.idata["Time"] == 2018].set_index("uCode")["Population"]
    base = units.set_index("uCode")["Population"]
    assert np.allclose(first / base.reindex(first.index), 1, atol=0.1)
    _check_realism(fw, p)


# --------------------------------------------------------------- the datasets
def test_unit_names_match_documents():
    def names(name, unit_type=None):
        u = dataset_units(name)
        col = DATASETS[name].group_column
        return list(u["uName"] if unit_type is None else u.loc[u[col] == unit_type, "uName"])

    assert names("shanghai-districts") == SHANGHAI_16
    assert names("changning-units", "部门") == CHANGNING_DEPTS
    assert names("changning-units", "街镇") == CHANGNING_STREETS
    assert names("luyang-units", "部门") == LUYANG_DEPTS
    assert names("luyang-units", "街道") == LUYANG_TOWNS[:10]
    assert names("luyang-units", "乡镇") == LUYANG_TOWNS[10:12]
    assert names("luyang-units", "经开区") == LUYANG_TOWNS[12:]
    assert names("jiangyin-townships") == JIANGYIN
    for spec in DATASETS.values():
        codes = [u[0] for u in spec.units]
        assert len(set(codes)) == len(codes)
        assert all(c.isascii() and c.isupper() and len(c) <= 5 for c in codes)


def test_shanghai_sizes_follow_real_order():
    u = dataset_units("shanghai-districts").set_index("uName")["size"]
    assert u.idxmax() == "浦东新区"
    assert u["黄浦区"] < u.median()
    assert u["浦东新区"] / u.min() > 3


def test_write_dataset_twice_identical(tmp_path, small_fw):
    a = write_dataset("changning-units", tmp_path / "a", framework=small_fw)
    b = write_dataset("changning-units", tmp_path / "b", framework=small_fw)
    files = sorted(p.name for p in a.iterdir())
    assert files == sorted(p.name for p in b.iterdir())
    assert "dataset.yaml" in files and "SOURCE.md" in files
    for f in files:
        assert (a / f).read_bytes() == (b / f).read_bytes(), f
        assert b"\r\n" not in (a / f).read_bytes()
    meta = yaml.safe_load((a / "dataset.yaml").read_text(encoding="utf-8"))
    _check_meta(meta, a)


def _check_meta(meta: dict, folder: Path) -> None:
    assert meta["synthetic"] is True
    assert {"name", "title", "description", "framework", "idata", "truth", "source"} <= set(meta)
    assert "licence" in meta
    for key in ("title", "description"):
        assert "合成数据" in meta[key]["zh"] and "synthetic" in meta[key]["en"].lower()
    for key in ("idata", "panel", "truth", "source"):
        assert (folder / meta[key]).is_file(), key
    for key in ("idata", "panel", "truth"):
        assert "synthetic" in meta[key]
    text = (folder / "SOURCE.md").read_text(encoding="utf-8")
    assert "synthetic" in text and "合成数据" in text


SHIPPED = [
    n
    for n, spec in DATASETS.items()
    if spec.framework in ie.available_frameworks() and (ROOT / "datasets" / n).is_dir()
]


@pytest.mark.skipif(not SHIPPED, reason="frameworks or dataset folders not there yet")
@pytest.mark.parametrize("name", SHIPPED)
def test_committed_dataset_regenerates_byte_identical(tmp_path, name):
    committed = ROOT / "datasets" / name
    fresh = write_dataset(name, tmp_path)
    files = sorted(p.name for p in fresh.iterdir())
    assert files == sorted(p.name for p in committed.iterdir())
    for f in files:
        assert (fresh / f).read_bytes() == (committed / f).read_bytes(), f
    meta = yaml.safe_load((committed / "dataset.yaml").read_text(encoding="utf-8"))
    _check_meta(meta, committed)
    assert meta["framework"] == DATASETS[name].framework


@pytest.mark.skipif(not SHIPPED, reason="frameworks or dataset folders not there yet")
@pytest.mark.parametrize("name", SHIPPED)
def test_committed_dataset_realism(name):
    spec = DATASETS[name]
    fw = ie.load_framework(spec.framework)
    folder = ROOT / "datasets" / name
    idata = pd.read_csv(folder / f"{spec.stem}_panel_synthetic.csv")
    truth = pd.read_csv(folder / f"{spec.stem}_truth_synthetic.csv")
    params = yaml.safe_load((folder / f"{spec.stem}_params_synthetic.yaml").read_text("utf-8"))
    p = SyntheticPanel(idata=idata, truth=truth, params=params)
    _check_realism(fw, p)
    names = set(idata["uName"])
    assert names == {u[1] for u in spec.units}
    groups = [g.code for g in fw.groups]
    assert set(groups) <= set(idata.columns)
    assert spec.group_column in groups
    assert set(spec.applies_to) <= set(fw.indicators)
    assert {t for types in spec.applies_to.values() for t in types} <= set(idata[spec.group_column])
    latest = pd.read_csv(folder / f"{spec.stem}_synthetic.csv")
    assert (latest["Time"] == spec.years[-1]).all() and len(latest) == len(spec.units)


@pytest.mark.skipif(
    not SHIPPED or not hasattr(ie, "build"), reason="build() or shipped datasets not there yet"
)
@pytest.mark.parametrize("name", SHIPPED)
def test_build_on_latest_year(name):
    spec = DATASETS[name]
    fw = ie.load_framework(spec.framework)
    idata = pd.read_csv(ROOT / "datasets" / name / f"{spec.stem}_synthetic.csv")
    ev = ie.build(fw, idata)
    scores = ev.scores
    assert scores.notna().sum() >= len(idata) - 1
    truth = pd.read_csv(ROOT / "datasets" / name / f"{spec.stem}_truth_synthetic.csv")
    t = truth[truth["Time"] == spec.years[-1]].set_index("uCode")["theta"]
    assert spearmanr(scores, t.reindex(scores.index), nan_policy="omit").statistic > 0.3


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_every_bundled_unit_has_an_english_name(name):
    """English reports name every unit of a bundled panel in English (``uName_en``)."""
    units = dataset_units(name)
    assert units["uName_en"].notna().all()
    assert not units["uName_en"].str.contains(r"[\u3400-\u9fff]").any()
    assert units["uName_en"].is_unique
