"""A score that is better when lower (VIKOR's Q) cannot be graded (issue 22).

A rating scheme gives the better grade to the higher score, so ``rate``,
``what_it_takes``, ``grade_probabilities``, ``run --rating`` and ``validate --rating``
refuse an index whose top-level method scores lower = better, naming the method and what
to do instead. Which methods those are is read from the registry
(``ie.aggregate.MCDA_METHODS[m].higher_is_better``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import integrity_eval as ie
from integrity_eval.cli import main

SPEC = {
    "impute": {"method": "mean"},
    "normalise": {"method": "minmax", "l_u": [1, 100]},
    "aggregate": {"method": "amean"},
}
LOWER = [m for m, e in ie.aggregate.MCDA_METHODS.items() if not e.higher_is_better]
HIGHER = [m for m, e in ie.aggregate.MCDA_METHODS.items() if e.higher_is_better]


@pytest.fixture(scope="module")
def shanghai():
    ds = ie.datasets.load("shanghai-districts")
    return ie.build(ds.framework, ds.idata, SPEC, seed=0)


def test_the_registry_has_a_lower_is_better_method():
    assert LOWER == ["vikor"]


@pytest.mark.parametrize("method", LOWER)
def test_rate_refuses_a_lower_is_better_score(shanghai, method):
    ev = shanghai.with_params(aggregate={"method": method})
    assert not ev.higher_is_better
    with pytest.raises(ie.ValidationError) as info:
        ie.rating.rate(ev, "four-grade")
    (problem,) = info.value.problems
    assert problem.value == method and problem.column == "aggregate.method"
    assert "越小越好" in problem.rule and "lower is better" in problem.rule
    assert "amean" in problem.rule  # what to do instead
    with pytest.raises(ie.ValidationError, match="lower is better"):
        ie.rating.what_it_takes(ev, ev.scores.index[0], rated="four-grade")


@pytest.mark.parametrize("method", HIGHER)
def test_rate_grades_a_higher_is_better_score(shanghai, method):
    assert ie.rating.lower_is_better_problem(method) is None
    ev = shanghai.with_params(aggregate={"method": method})
    assert ev.higher_is_better
    rated = ie.rating.rate(ev, "four-grade")
    assert rated.table["grade"].notna().sum() == len(ev.scores)


def test_grade_probabilities_refuse_lower_is_better_draws(shanghai):
    ev = shanghai.with_params(aggregate={"method": "vikor"})
    ua = ie.uncertainty.run(ev, [{"path": "weights", "noise": 0.25}], n=16, seed=0, quiet=True)
    assert ua.scores.attrs["integrity_eval"]["method"] == "vikor"
    with pytest.raises(ie.ValidationError, match="vikor"):
        ie.rating.grade_probabilities(ua.scores, "four-grade")


def _cli_inputs(tmp_path, method: str) -> list[str]:
    """The Shanghai data as a CSV file and a spec whose top-level method is ``method``."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump({"aggregate": {"method": method}}), encoding="utf-8")
    data = tmp_path / "data.csv"
    ie.datasets.load("shanghai-districts").idata.to_csv(data, index=False)
    return ["--data", str(data), "--spec", str(spec)]


def test_run_and_validate_refuse_rating_a_vikor_index(tmp_path, capsys):
    both = ["--framework", "shanghai-2018", *_cli_inputs(tmp_path, "vikor")]
    assert main(["validate", *both, "--rating", "four-grade"]) == 1
    err = capsys.readouterr().err
    assert "vikor" in err and "lower is better" in err and "Traceback" not in err
    # the framework's own rating block is checked the same way
    assert main(["validate", *both]) == 1
    assert "lower is better" in capsys.readouterr().err
    out = tmp_path / "out"
    assert main(["run", *both, "--rating", "four-grade", "--no-pdf", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "vikor" in err and "lower is better" in err and "Traceback" not in err
    assert not out.exists() or not any(out.iterdir())


def test_validate_accepts_a_vikor_index_without_a_rating(tmp_path, capsys):
    """Without a rating scheme a VIKOR index is fine: ranks 1 = lowest Q."""
    shipped = Path(ie.__file__).parent / "frameworks" / "shanghai-2018.yaml"
    fw = yaml.safe_load(shipped.read_text(encoding="utf-8"))
    assert fw.pop("rating")
    path = tmp_path / "fw.yaml"
    path.write_text(yaml.safe_dump(fw, allow_unicode=True), encoding="utf-8")
    argv = ["--framework", str(path), *_cli_inputs(tmp_path, "vikor")]
    assert main(["validate", *argv]) == 0, capsys.readouterr()
