"""The API reference pages, written from ``__all__`` at every build.

The public API is what a user reaches from ``import integrity_eval as ie``: every name in
``ie.__all__`` and, for each module or subpackage listed there, every name in its
``__all__`` (a module without one contributes the functions and classes it defines whose
names do not start with ``_``); then every other module or subpackage directly under the
package that declares an ``__all__`` (``ie.pipeline``, ``ie.methods``, ``ie.dea``,
``ie.cli`` …), unless ``ie`` binds its name to something else (``ie.build`` is the
function). :func:`public_api` lists it; :func:`write_pages` writes one
page per namespace into ``docs/api/`` (git-ignored), with an ``autosummary`` table whose
stubs autosummary turns into one page per function or class; constants are described on
the namespace page. A name added to an ``__all__`` is on the site at the next build, and
``tests/test_site.py`` checks that every name has its page.
"""

from __future__ import annotations

import importlib
import inspect
import itertools
import pkgutil
import re
import sys
import types
import typing
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "integrity_eval"


@dataclass(frozen=True)
class Namespace:
    """One public namespace: a module path and its public names, sorted by kind."""

    module: str
    functions: tuple[str, ...]
    classes: tuple[str, ...]
    constants: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return self.functions + self.classes + self.constants


def _public_names(mod: types.ModuleType) -> list[str]:
    if hasattr(mod, "__all__"):
        return list(mod.__all__)
    return [
        name
        for name, obj in vars(mod).items()
        if not name.startswith("_")
        and (inspect.isfunction(obj) or inspect.isclass(obj))
        and obj.__module__ == mod.__name__
    ]


def _declared_modules(root: types.ModuleType) -> list[types.ModuleType]:
    """The modules and subpackages directly under ``root`` that declare ``__all__``; a name
    ``root`` binds to a function or class is that object's (``ie.build``)."""
    out = []
    for info in pkgutil.iter_modules(root.__path__):
        name = f"{root.__name__}.{info.name}"
        bound = getattr(root, info.name, None)
        if info.name.startswith("_") or not isinstance(bound, (types.ModuleType, type(None))):
            continue
        mod = importlib.import_module(name)
        if hasattr(mod, "__all__"):
            out.append(mod)
    return out


def _namespace(mod: types.ModuleType) -> tuple[Namespace, list[types.ModuleType]]:
    """The namespace of ``mod`` and the modules its ``__all__`` lists."""
    functions, classes, constants, modules = [], [], [], []
    for name in _public_names(mod):
        obj = getattr(mod, name)
        if isinstance(obj, types.ModuleType):
            modules.append(obj)
        elif name.startswith("__"):
            continue  # __version__ is shown on the front page
        elif inspect.isclass(obj):
            classes.append(name)
        elif callable(obj) and typing.get_origin(obj) is None:  # not a type alias
            functions.append(name)
        else:
            constants.append(name)
    kinds = (tuple(sorted(names)) for names in (functions, classes, constants))
    return Namespace(mod.__name__, *kinds), modules


def public_api(package: str = PACKAGE) -> list[Namespace]:
    """Every public namespace of ``package``, the package first, then its modules by name.

    First what ``ie.__all__`` reaches, then the modules it does not list that declare an
    ``__all__``, except those adding nothing (``ie.framework``: its names are ``ie``'s):
    documenting the same objects twice makes every reference to them ambiguous.
    """
    root = importlib.import_module(package)
    out: list[Namespace] = []
    queue, seen = [root], set()
    while queue:
        mod = queue.pop(0)
        if mod.__name__ not in seen:
            seen.add(mod.__name__)
            ns, modules = _namespace(mod)
            out.append(ns)
            queue += modules
    documented = {id(getattr(sys.modules[ns.module], n)) for ns in out for n in ns.names}
    for mod in _declared_modules(root):
        ns, _ = _namespace(mod)
        new = [n for n in ns.names if id(getattr(mod, n)) not in documented]
        if mod.__name__ not in seen and new:
            out.append(ns)
    return [out[0], *sorted(out[1:], key=lambda ns: ns.module)]


def _title(text: str, char: str) -> str:
    return f"{text}\n{char * 2 * len(text)}\n"  # Chinese characters take two columns


def _page(ns: Namespace) -> str:
    short = ns.module.replace(PACKAGE, "ie", 1)
    lines = [
        f".. _api-{ns.module}:\n",
        _title(f"``{short}``", "="),
        f".. automodule:: {ns.module}\n",
        f".. currentmodule:: {ns.module}\n",
    ]
    # stubs from docs/_templates/autosummary/{function,class}.rst
    for heading, names in (("Functions · 函数", ns.functions), ("Classes · 类", ns.classes)):
        if names:
            lines += [
                _title(heading, "-"),
                ".. autosummary::",
                "   :toctree: generated",
                "   :nosignatures:",
                "",
                *(f"   {name}" for name in names),
                "",
            ]
    if ns.constants:
        lines.append(_title("Constants · 常量", "-"))
        for name in ns.constants:
            value = getattr(sys.modules[ns.module], name)
            if typing.get_origin(value) is None:
                lines += [f".. py:data:: {name}", f"   :type: {type(value).__name__}", ""]
            else:  # a type alias: its definition
                lines += [f".. py:data:: {name}", f"   :value: {_alias(value)}", ""]
            lines += [f"   {_constant_doc(ns.module, name)}", ""]
    return "\n".join(lines)


def _alias(value: object) -> str:
    """A type alias as written, without module paths: ``Callable[[int, ...], None]``."""
    return re.sub(r"\b(?:[a-z_]\w*\.)+(?=[A-Za-z_])", "", repr(value))


def _constant_doc(module: str, name: str) -> str:
    """The ``#:`` comment above the constant in the module that defines it."""
    from sphinx.pycode import ModuleAnalyzer

    obj = getattr(sys.modules[module], name)
    # the namespace itself, then its submodules holding the same object (where it is defined)
    subs = [m for m, mod in list(sys.modules.items()) if m.startswith(module + ".")]
    holders = [module, *sorted(m for m in subs if getattr(sys.modules[m], name, None) is obj)]
    for holder in holders:
        try:
            docs = ModuleAnalyzer.for_module(holder).find_attr_docs()
        except Exception:  # a module without readable source has no comment
            continue
        if ("", name) in docs:
            return " ".join(line.strip() for line in docs[("", name)] if line.strip())
    return f"Defined in ``{holders[-1]}``."


def write_pages(out: Path, package: str = PACKAGE) -> list[Namespace]:
    """Write ``index.rst`` and one page per namespace into ``out``; return the namespaces."""
    out.mkdir(parents=True, exist_ok=True)
    api = public_api(package)
    index = [
        ".. _api:\n",
        _title("API reference · 接口参考", "="),
        "Every public name of the package: ``import integrity_eval as ie``, then ``ie.<name>``",
        "or ``ie.<module>.<name>``. Generated from the docstrings at each build.",
        "包内全部公开接口，由文档字符串生成。\n",
        ".. toctree::",
        "   :maxdepth: 1",
        "",
        *(f"   {ns.module}" for ns in api),
        "",
    ]
    pages = {"index.rst": "\n".join(index)}
    pages.update({f"{ns.module}.rst": _page(ns) for ns in api})
    for name, text in pages.items():
        path = out / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")  # unchanged pages keep their mtime
    # a name no longer public (or no longer a function or class) loses its stub
    stubs = {f"{ns.module}.{name}.rst" for ns in api for name in ns.functions + ns.classes}
    for path in (out / "generated").glob("*.rst"):
        if path.name not in stubs:
            path.unlink()
    for path in out.glob("*.rst"):
        if path.name not in pages:
            path.unlink()
    return api


def _unclosed(text: str) -> bool:
    """Whether ``text`` ends inside an inline literal or an *emphasis*."""
    if text.count("``") % 2:
        return True
    return re.sub(r"``.*?``", "", text).count("*") % 2 == 1


def _balanced_summaries() -> None:
    """Keep autosummary's one-line summaries from ending inside inline markup.

    Sphinx 9.0's ``extract_summary`` checks each candidate first sentence by parsing the
    whole paragraph instead of the candidate, so "(R ``prcomp(scale. = TRUE)``)" is cut
    after "scale." and "(… 2016, *Int. J. …*)" after "*Int.", and the table gets a broken
    literal or emphasis. Same rule, checked on the text: sentences are added until the
    ``double backquotes`` and the ``*`` pair up.
    """
    from sphinx.ext import autosummary

    extract = autosummary.extract_summary
    if getattr(extract, "balanced", False):
        return

    def balanced(doc, settings):
        summary = extract(doc, settings)
        if not _unclosed(summary):
            return summary
        lines = list(itertools.dropwhile(lambda line: not line.strip(), doc))
        paragraph = " ".join(itertools.takewhile(lambda line: line.strip(), lines))
        sentences = autosummary.periods_re.split(paragraph)
        for i in range(1, len(sentences) + 1):
            candidate = ". ".join(sentences[:i]).rstrip(".") + "."
            if not _unclosed(candidate):
                return candidate
        return paragraph

    balanced.balanced = True
    autosummary.extract_summary = balanced


def setup(app):
    _balanced_summaries()

    def _generate(app, config):
        write_pages(Path(app.srcdir) / "api")

    # before the environment looks for source files, so autosummary sees the pages
    app.connect("config-inited", _generate)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
