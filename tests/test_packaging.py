"""Repository hygiene: environment.yml agrees with pyproject.toml; notebooks carry no outputs."""

from __future__ import annotations

import json
import re

import tomllib
import yaml
from conftest import ROOT

REQ = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(>=\s*[0-9][^,;\s]*)?")


def _parse(spec: str) -> tuple[str, str]:
    m = REQ.match(spec)
    assert m, f"cannot parse requirement {spec!r}"
    return m.group(1).lower().replace("_", "-"), (m.group(2) or "").replace(" ", "")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [*project["dependencies"]]
    for extra in project["optional-dependencies"].values():
        wanted += extra
    pyproject = dict(_parse(s) for s in wanted)
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda = dict(_parse(s) for s in env["dependencies"] if isinstance(s, str) and s not in ("pip",))
    # packages that conda-forge lacks are listed under `pip:` with the same bound
    for entry in env["dependencies"]:
        if isinstance(entry, dict):
            conda.update(_parse(s) for s in entry.get("pip", []) if not s.startswith("-"))
    conda.pop("python")
    assert conda == pyproject
    assert all(bound for bound in pyproject.values()), "every dependency needs a lower bound"


def test_notebooks_have_no_outputs():
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks, "no notebooks found"
    for path in notebooks:
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                assert cell.get("outputs") == [], f"{path.name} has stored outputs"
                assert cell.get("execution_count") is None, f"{path.name} has execution counts"


def test_notebooks_are_thin():
    """Logic lives in the package: no function or class definitions in notebooks."""
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
        assert not re.search(r"^\s*(def|class)\s", code, re.M), f"{path.name} defines code"
