"""A package's public names loaded on first use (PEP 562 module ``__getattr__``).

``import integrity_eval`` then costs little more than importing pandas: SciPy,
scikit-learn, statsmodels, Matplotlib, WeasyPrint and DuckDB are imported by the
functions that need them, when first used, and the command line parses its arguments
before any of them is loaded. The interface is that of ``lazy_loader.attach``
(Scientific Python SPEC 1, "Lazy loading of submodules and functions").
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["attach"]


def attach(
    package: str,
    submodules: Iterable[str] = (),
    submod_attrs: Mapping[str, Iterable[str]] | None = None,
) -> tuple[Callable[[str], Any], Callable[[], list[str]], list[str]]:
    """``__getattr__``, ``__dir__`` and ``__all__`` for ``package`` (SPEC 1).

    ``submodules``: subpackages and modules reached as attributes (``ie.rating``), listed
    by ``dir()``; any other submodule is reached too (``ie.pipeline``);
    ``submod_attrs``: module name → the names it defines that the package exports
    (``{"build": ["build", "check"]}``). A name is imported when first asked for and then
    kept on the package, so later uses cost nothing.
    """
    modules = set(submodules)
    owner = {name: mod for mod, names in (submod_attrs or {}).items() for name in names}
    names = sorted(modules | set(owner))

    def __getattr__(name: str) -> Any:
        if name in owner:
            value = getattr(importlib.import_module(f"{package}.{owner[name]}"), name)
        elif name in modules or not name.startswith("__"):
            # any submodule (``ie.pipeline``), as when the package imported them all
            try:
                value = importlib.import_module(f"{package}.{name}")
            except ModuleNotFoundError as exc:
                if exc.name != f"{package}.{name}":
                    raise
                raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        else:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        # an attribute that shares its module's name (``build``) replaces the module, which
        # the import has just set on the package
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return list(names)

    class LazyPackage(types.ModuleType):
        """The package, which keeps an exported function named like its module (``build``)
        when the import system sets the module on the package after importing it."""

        def __setattr__(self, name: str, value: Any) -> None:
            if name in owner and value is sys.modules.get(f"{package}.{name}"):
                return  # ``ie.build`` stays the function, loaded by __getattr__
            super().__setattr__(name, value)

    sys.modules[package].__class__ = LazyPackage
    return __getattr__, __dir__, list(names)
