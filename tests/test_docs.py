"""The repository documents itself: docs/ covers every spec method and parameter, every
command; nothing in the repository points to a file outside it."""

from __future__ import annotations

import re
import subprocess

import pytest
from conftest import ROOT

from integrity_eval import methods, screen, spec
from integrity_eval.cli import build_parser

DOCS = ROOT / "docs"
USER_DOCS = ("framework.md", "spec.md", "cli.md", "data.md", "outputs.md")
# References to the development notes outside the repository, or to this machine.
OUTSIDE = re.compile(r"\.\./shared|\bshared/|DESIGN(\.md)?\b|/work/")
# docs/architecture.md is edited by the lead only; its one such line is replaced on merge.
PENDING: set[str] = set()


def _repo_files() -> list[str]:
    try:
        out = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError):  # not a git checkout: walk the tree
        skip = {".git", ".venv", "build", "dist", "reports", "__pycache__"}
        out = [
            p.relative_to(ROOT).as_posix()
            for p in ROOT.rglob("*")
            if p.is_file() and not skip & set(p.relative_to(ROOT).parts)
        ]
    return sorted(out)


def test_nothing_points_outside_the_repository():
    this = "tests/test_docs.py"
    offenders = []
    for rel in _repo_files():
        path = ROOT / rel
        if rel == this or rel in PENDING or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary (xlsx, parquet)
        for i, line in enumerate(text.splitlines(), start=1):
            if OUTSIDE.search(line):
                offenders.append(f"{rel}:{i}: {line.strip()[:100]}")
    assert offenders == []


def test_user_docs_exist_and_link_each_other():
    for name in USER_DOCS:
        text = (DOCS / name).read_text(encoding="utf-8")
        assert text.startswith("# "), name
        for target in re.findall(r"\]\(([^)#]+\.md)", text):
            assert (DOCS / target).is_file(), f"{name} links to missing {target}"


def _spec_doc_sections() -> dict[str, str]:
    text = (DOCS / "spec.md").read_text(encoding="utf-8")
    parts = re.split(r"^## `(\w+)`", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


@pytest.mark.parametrize("stage", sorted(methods.METHODS))
def test_every_registered_method_and_parameter_is_documented(stage):
    section = _spec_doc_sections()[stage]
    for name, fn in methods.METHODS[stage].items():
        assert f"| `{name}` |" in section, f"{stage} method {name} is not in docs/spec.md"
        for param in methods.method_params(fn):
            assert f"`{param}`" in section, f"{stage}.{name} parameter {param} undocumented"
    for param in spec._STAGE_EXTRA.get(stage, {}):
        assert f"`{param}`" in section


def test_screen_weights_and_denominate_are_documented():
    sections = _spec_doc_sections()
    assert set(spec.SPEC_KEYS) <= set(sections)
    for param in methods.method_params(screen.screen):
        assert f"`{param}`" in sections["screen"]
    for value in screen.UNIT_SCREEN:
        assert f"`{value}`" in sections["screen"]
    for method in spec.WEIGHT_METHODS:
        assert f"`{method}`" in sections["weights"]


def test_every_command_and_option_is_documented():
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    parser = build_parser()
    (sub,) = [a for a in parser._actions if a.dest == "command"]
    for name, cmd in sub.choices.items():
        assert f"## `{name}`" in text, name
        for action in cmd._actions:
            for flag in action.option_strings:
                if flag.startswith("--") and flag != "--help":
                    assert flag in text, f"{name} {flag} is not in docs/cli.md"
