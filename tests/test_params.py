"""Every spec parameter of every stage method, top-level MCDA method and weighting model has
a rule in :data:`integrity_eval.params.SCHEMAS` (issue 20), so none reaches NumPy unchecked;
the rules' edges."""

from __future__ import annotations

import pytest

from integrity_eval import screen
from integrity_eval.errors import ProblemList
from integrity_eval.mcda import MCDA_METHODS
from integrity_eval.methods import METHODS, method_params
from integrity_eval.params import SCHEMAS, check_params
from integrity_eval.pipeline import mcda_params
from integrity_eval.weights.models import WEIGHT_MODELS, model_params

# Parameters checked where they are used, with messages of their own (params.SCHEMAS)
CHECKED_ELSEWHERE = {
    ("screen", "unit_screen"),
    ("treat", "fallback"),
    ("weights", "cortype"),
    ("weights", "level"),
}


def _every_parameter() -> list[tuple[str, str, str]]:
    found = [("screen", "*", p) for p in method_params(screen.screen)]
    found += [(s, m, p) for s, reg in METHODS.items() for m, f in reg.items()
              for p in method_params(f)]  # fmt: skip
    found += [("aggregate", m, p) for m in MCDA_METHODS for p in mcda_params(m)]
    found += [("weights", m, p) for m in WEIGHT_MODELS for p in model_params(m)]
    return found


@pytest.mark.parametrize(("stage", "method", "param"), _every_parameter())
def test_every_spec_parameter_has_a_rule(stage, method, param):
    rules = {**SCHEMAS.get(stage, {}).get("*", {}), **SCHEMAS.get(stage, {}).get(method, {})}
    assert param in rules or (stage, param) in CHECKED_ELSEWHERE, (
        f"{stage}.{param} of {method} has no rule in integrity_eval.params.SCHEMAS"
    )


def _problems(stage, methods, cfg, **kw) -> list[tuple[str, str]]:
    problems = ProblemList()
    check_params(stage, methods, cfg, problems, **kw)
    return [(p.column, p.value) for p in problems]


def test_bounds_pair_mapping_and_per_level_lists():
    ok = [None, [0, 1], [0.2, 0.2], {"court": [0, 0.5]}, [[0, 1], None]]
    for v in ok:
        assert _problems("aggregate", ["bod"], {"share_bounds": v}, levels=2) == [], v
    bad = _problems("aggregate", ["bod"], {"share_bounds": [0.5, 0.2]}, levels=2)
    assert bad == [("aggregate.share_bounds", "[0.5, 0.2]")]  # one reversed pair, not 2 levels
    bad = _problems("aggregate", ["bod"], {"weight_bounds": [[0, 1], [True, 1]]}, levels=2)
    assert bad == [("aggregate.weight_bounds[1]", "[True, 1]")]
    assert _problems("aggregate", ["bod"], {"share_bounds": {"court": [0, 2]}})
    assert _problems("aggregate", ["bod"], {"share_bounds": {}})


def test_per_level_lists_need_one_value_per_level():
    assert _problems("aggregate", ["genmean"], {"p": [2, 3]}, levels=2) == []
    (bad,) = _problems("aggregate", ["genmean"], {"p": [2]}, levels=2)
    assert bad == ("aggregate.p", "[2]")


def test_mcda_options_are_single_values():
    """A whole-matrix method's options hold one value, never one per level."""
    assert _problems("aggregate", ["amean"], {"v": [0.5, 0.5]}, levels=2, top="vikor") == [
        ("aggregate.v", "[0.5, 0.5]")
    ]
    assert _problems("aggregate", ["amean"], {"v": True}, top="vikor")
    assert _problems("aggregate", ["amean"], {"q": {"court": -1}}, top="promethee_ii")
    assert _problems("aggregate", ["amean"], {"q": {"court": 1}, "p": 2}, top="promethee_ii") == []


def test_screen_force_maps_unit_codes_to_true_or_false():
    assert _problems("screen", [], {"force": {"HP": True, 310101: False}}) == []
    for bad in ({"HP": "no"}, {"HP": 1}, ["HP"], "HP"):
        assert _problems("screen", [], {"force": bad}) == [("screen.force", str(bad))]
