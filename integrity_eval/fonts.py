"""The CJK font of every chart and PDF: one resolver for matplotlib and WeasyPrint.

Used by the notebook plots (:mod:`integrity_eval.plots`,
:mod:`integrity_eval.uncertainty.plots`) and by the reports
(:mod:`integrity_eval.report`, which re-exports it as ``report.fonts``).

Order (first found wins):

1. a font file the user names (``font=`` argument or the ``INTEGRITY_EVAL_FONT``
   environment variable); a named file that does not exist is an error, never
   silently replaced;
2. a system Noto Sans CJK (Simplified Chinese face preferred), as Debian's
   ``fonts-noto-cjk`` installs it;
3. Noto Sans CJK from the ``noto-cjk-sans-otc`` package (SIL Open Font License 1.1),
   a dependency of this kit, so a fresh machine renders Chinese without setup.

Only free fonts are looked for: no SimHei or other non-free face is ever chosen by
the resolver. Charts are drawn with the resolved font and PDFs embed it (WeasyPrint
embeds subsets of TrueType/OpenType fonts; matplotlib is set to TrueType embedding,
``pdf.fonttype 42``, so no Type 3 fonts appear).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import Problem, ValidationError

__all__ = ["FONT_ENV", "ResolvedFont", "apply_font", "matplotlib_rc", "resolve_font"]

FONT_ENV = "INTEGRITY_EVAL_FONT"
# File names of Noto Sans CJK as Debian, Fedora, Arch and Google ship them; SC first.
SYSTEM_NAMES = (
    "NotoSansCJKsc-Regular.otf",
    "NotoSansSC-Regular.otf",
    "NotoSansCJK-Regular.ttc",
    "NotoSansCJKSC-Regular.otf",
)
SYSTEM_DIRS = (
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    "/Library/Fonts",
    "/System/Library/Fonts",
    "C:/Windows/Fonts",
    "~/.local/share/fonts",
    "~/.fonts",
)
PACKAGE = "noto_cjk_sans_otc"
PACKAGE_FILE = "NotoSansCJK-Regular.ttc"


@dataclass(frozen=True)
class ResolvedFont:
    """The font chosen: its file, the family name to use in CSS and matplotlib, and
    where it came from (``"user"``, ``"system"`` or ``"package"``)."""

    path: Path
    family: str
    origin: str

    def css(self) -> str:
        """An ``@font-face`` rule naming the file (``file://`` URL) as family ``ReportCJK``."""
        return (
            "@font-face { font-family: 'ReportCJK'; "
            f"src: url('{self.path.as_uri()}'); font-weight: 100 900; }}"
        )


def resolve_font(font: str | Path | None = None) -> ResolvedFont:
    """The CJK font to use (see the module docstring for the order)."""
    chosen = font if font is not None else os.environ.get(FONT_ENV) or None
    if chosen is not None:
        path = Path(chosen).expanduser()
        if not path.is_file():
            raise ValidationError(
                [
                    Problem(
                        "字体文件不存在 / font file not found; give a .ttf/.otf/.ttc file or "
                        f"unset {FONT_ENV}",
                        source=str(chosen),
                    )
                ],
                title="找不到字体 / font not found",
            )
        return ResolvedFont(path.resolve(), _family(path), "user")
    return _default_font()


@lru_cache(maxsize=1)
def _default_font() -> ResolvedFont:
    system = _system_font()
    if system is not None:
        return ResolvedFont(system, _family(system), "system")
    ref = resources.files(PACKAGE) / PACKAGE_FILE
    path = Path(str(ref))
    if not path.is_file():  # pragma: no cover - the package is a dependency
        raise ValidationError(
            [
                Problem(
                    "找不到中文字体：请安装 noto-cjk-sans-otc 或 Debian 的 fonts-noto-cjk，"
                    f"或用 {FONT_ENV} 指定字体 / no CJK font: install noto-cjk-sans-otc or "
                    f"fonts-noto-cjk, or name a font in {FONT_ENV}",
                    source=PACKAGE,
                )
            ],
            title="找不到字体 / font not found",
        )
    return ResolvedFont(path, _family(path), "package")


def _system_font() -> Path | None:
    for name in SYSTEM_NAMES:
        for root in SYSTEM_DIRS:
            base = Path(root).expanduser()
            if not base.is_dir():
                continue
            hits = sorted(base.rglob(name))
            if hits:
                return hits[0]
    return None


def _family(path: Path) -> str:
    """The family name stored in the font file (the first face of a collection)."""
    from matplotlib import font_manager

    return font_manager.FontProperties(fname=str(path)).get_name()


def matplotlib_rc(font: ResolvedFont) -> dict[str, object]:
    """matplotlib settings that draw text in ``font`` (registered once) and embed
    TrueType rather than Type 3 fonts in PDF/PS output."""

    return {
        "font.family": "sans-serif",
        "font.sans-serif": families(font),
        "axes.unicode_minus": False,
        "pdf.fonttype": 42,
        "ps.fonttype": 42,
        "svg.fonttype": "path",
    }


@lru_cache(maxsize=8)
def _register(path: str) -> None:
    from matplotlib import font_manager

    font_manager.fontManager.addfont(path)


def families(font: ResolvedFont) -> list[str]:
    """``font`` (registered with matplotlib) then DejaVu Sans, matplotlib's own font, for
    the few glyphs a CJK face lacks (matplotlib falls back glyph by glyph).

    Of a font collection (Noto Sans CJK's ``.ttc`` holds JP, KR, SC, TC and HK faces,
    JP first) the Simplified Chinese face is used when matplotlib registers every face
    (matplotlib ≥ 3.10), so charts draw Chinese glyph forms, as the PDFs do.
    """
    from matplotlib import font_manager

    _register(str(font.path))
    path = os.path.realpath(font.path)
    faces = [e.name for e in font_manager.fontManager.ttflist if os.path.realpath(e.fname) == path]
    simplified = [name for name in faces if name.endswith(" SC")]
    return [simplified[0] if simplified else font.family, "DejaVu Sans"]


def apply_font(*axes: Any, font: ResolvedFont) -> None:
    """Draw every text of ``axes`` (title, axis labels, tick labels, legend, annotations,
    and tick labels matplotlib creates later) in ``font``, whenever the figure is drawn.

    For plots returned to a notebook: the family names are set on the texts themselves,
    so they hold outside any ``rc_context`` (a generic "sans-serif" would be looked up
    again at drawing time, in the notebook's settings).
    """
    from matplotlib.text import Text

    names = families(font)
    for ax in axes:
        for text in ax.findobj(Text):
            text.set_fontfamily(names)
        ax.tick_params(which="both", labelfontfamily=names)
