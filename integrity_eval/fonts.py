"""The fonts of every chart and PDF: one resolver for matplotlib and WeasyPrint.

Used by the notebook plots (:mod:`integrity_eval.plots`,
:mod:`integrity_eval.uncertainty.plots`) and by the reports
(:mod:`integrity_eval.report`, which re-exports it as ``report.fonts``).

The main (CJK) font, first found wins:

1. a font file the user names (``font=`` argument or the ``INTEGRITY_EVAL_FONT``
   environment variable); a named file that does not exist, or is not a TrueType /
   OpenType font, is an error, never silently replaced;
2. a system Noto Sans CJK (Simplified Chinese face preferred), as Debian's
   ``fonts-noto-cjk`` installs it;
3. Noto Sans CJK from the ``noto-cjk-sans-otc`` package (SIL Open Font License 1.1),
   a dependency of this kit, so a fresh machine renders Chinese without setup.

Then the fallback fonts, for the characters the main font lacks: the scripts of
China's minority jurisdictions that no CJK font covers — Tibetan (Noto Sans or Serif
Tibetan), Mongolian (Noto Sans Mongolian), Yi (Noto Sans Yi) — symbols (Noto Sans
Symbols, Symbols 2), emoji (Symbola, monochrome: matplotlib draws no colour fonts), as
Debian's ``fonts-noto-core`` and ``fonts-symbola`` install them (``make system-deps``),
and last DejaVu Sans, which matplotlib ships. Missing fallbacks are no error: a
character that no font covers is drawn as :data:`REPLACEMENT` and the units whose names
hold one are named in a warning (:func:`glyph_warnings`), in ``validate`` and in ``run``.

Only free fonts are looked for: no SimHei or other non-free face is ever chosen by
the resolver. Charts are drawn with the resolved fonts and PDFs embed them (WeasyPrint
embeds subsets of TrueType/OpenType fonts; matplotlib is set to TrueType embedding,
``pdf.fonttype 42``, so no Type 3 fonts appear). Chart text is never read as
matplotlib mathtext (:func:`chart_texts`), so ``Fund $5 and $10`` stays as written.
"""

from __future__ import annotations

import os
import unicodedata
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import Problem, ValidationError

__all__ = [
    "FONT_ENV",
    "REPLACEMENT",
    "Fallback",
    "ResolvedFont",
    "apply_font",
    "chart_texts",
    "displayable",
    "face_index",
    "faces_for",
    "fallback_fonts",
    "families",
    "glyph_warnings",
    "matplotlib_rc",
    "missing_glyphs",
    "names_to_check",
    "resolve_font",
    "warn_missing_glyphs",
]

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
# The fallbacks, in the order they are tried: (CSS family of the reports, file names
# as Debian's fonts-noto-core and fonts-symbola install them, first found wins).
FALLBACK_FILES = (
    ("ReportTibetan", ("NotoSansTibetan-Regular.ttf", "NotoSerifTibetan-Regular.ttf")),
    ("ReportMongolian", ("NotoSansMongolian-Regular.ttf",)),
    ("ReportYi", ("NotoSansYi-Regular.ttf",)),
    ("ReportSymbols", ("NotoSansSymbols-Regular.ttf",)),
    ("ReportSymbols2", ("NotoSansSymbols2-Regular.ttf",)),
    ("ReportEmoji", ("Symbola_hint.ttf", "Symbola.ttf")),
)
# What a character that no font covers is drawn as: WHITE SQUARE, in every CJK font.
REPLACEMENT = "\u25a1"
# Unicode's Default_Ignorable_Code_Point ranges (DerivedCoreProperties.txt, Unicode 15):
# invisible characters (joiners, variation selectors…) a renderer may draw as nothing.
_IGNORABLE = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
_SFNT_MAGIC = (b"\x00\x01\x00\x00", b"OTTO", b"true", b"ttcf")


@dataclass(frozen=True)
class Fallback:
    """A fallback font: its file, its family name, and the family the reports' CSS
    gives it (``face``, also the stem of its subset in the reports' ``fonts/``)."""

    path: Path
    family: str
    face: str


@dataclass(frozen=True)
class ResolvedFont:
    """The fonts chosen: the main file, the family name to use in CSS and matplotlib,
    where it came from (``"user"``, ``"system"`` or ``"package"``), and the fallback
    fonts found (:data:`FALLBACK_FILES`, then DejaVu Sans)."""

    path: Path
    family: str
    origin: str
    fallbacks: tuple[Fallback, ...] = field(default=())

    def css(self) -> str:
        """An ``@font-face`` rule naming the file (``file://`` URL) as family ``ReportCJK``."""
        return (
            "@font-face { font-family: 'ReportCJK'; "
            f"src: url('{self.path.as_uri()}'); font-weight: 100 900; }}"
        )


def resolve_font(font: str | Path | None = None) -> ResolvedFont:
    """The fonts to use (see the module docstring for the order)."""
    chosen = font if font is not None else os.environ.get(FONT_ENV) or None
    if chosen is not None:
        path = Path(chosen).expanduser()
        if not path.is_file():
            raise _font_error(
                chosen,
                "字体文件不存在 / font file not found; give a .ttf/.otf/.ttc file or "
                f"unset {FONT_ENV}",
            )
        _check_font_file(path, chosen)
        return ResolvedFont(path.resolve(), _family(path), "user", fallback_fonts())
    return _default_font()


def _font_error(source: Any, rule: str) -> ValidationError:
    return ValidationError(
        [Problem(rule, source=str(source))], title="字体不可用 / font not usable"
    )


def _check_font_file(path: Path, given: Any) -> None:
    """Refuse a file that is not a TrueType/OpenType font (or collection) with a cmap."""
    rule = (
        f"不是可用的字体文件：应为含字符映射表的 TrueType/OpenType 字体（.ttf、.otf）或字体集"
        f"（.ttc、.otc）；请改正或取消 {FONT_ENV} / not a usable font file: expected a "
        f"TrueType/OpenType font (.ttf, .otf) or collection (.ttc, .otc) with a character "
        f"map; name another file or unset {FONT_ENV}"
    )
    with path.open("rb") as fh:
        if fh.read(4) not in _SFNT_MAGIC:
            raise _font_error(given, rule)
    try:
        usable = bool(_cmap(str(path.resolve()), face_index(path)))
    except Exception:  # fontTools raises many kinds on a damaged file
        usable = False
    if not usable:
        raise _font_error(given, rule)


@lru_cache(maxsize=1)
def _default_font() -> ResolvedFont:
    system = _system_font()
    if system is not None:
        return ResolvedFont(system, _family(system), "system", fallback_fonts())
    ref = resources.files(PACKAGE) / PACKAGE_FILE
    path = Path(str(ref))
    if not path.is_file():  # pragma: no cover - the package is a dependency
        raise _font_error(
            PACKAGE,
            "找不到中文字体：请安装 noto-cjk-sans-otc 或 Debian 的 fonts-noto-cjk，"
            f"或用 {FONT_ENV} 指定字体 / no CJK font: install noto-cjk-sans-otc or "
            f"fonts-noto-cjk, or name a font in {FONT_ENV}",
        )
    return ResolvedFont(path, _family(path), "package", fallback_fonts())


@lru_cache(maxsize=1)
def _font_files() -> dict[str, Path]:
    """Every font file under the system font folders, by file name (first found wins)."""
    found: dict[str, Path] = {}
    for root in SYSTEM_DIRS:
        base = Path(root).expanduser()
        if base.is_dir():
            for path in sorted(base.rglob("*")):
                if path.suffix.lower() in (".ttf", ".otf", ".ttc", ".otc"):
                    found.setdefault(path.name, path)
    return found


def _system_font() -> Path | None:
    files = _font_files()
    return next((files[n] for n in SYSTEM_NAMES if n in files), None)


def fallback_fonts() -> tuple[Fallback, ...]:
    """The fallback fonts found on this machine (:data:`FALLBACK_FILES`, Debian's
    ``fonts-noto-core`` and ``fonts-symbola``), then matplotlib's DejaVu Sans."""
    import matplotlib

    files = _font_files()
    out = []
    for face, names in FALLBACK_FILES:
        path = next((files[n] for n in names if n in files), None)
        if path is not None:
            out.append(Fallback(path, _family(path), face))
    dejavu = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    out.append(Fallback(dejavu, "DejaVu Sans", "ReportDejaVu"))
    return tuple(out)


def face_index(path: str | Path, lang: str = "zh") -> int:
    """The face of ``path`` to use: of a collection (``.ttc``/``.otc``, e.g. Noto Sans
    CJK's JP, KR, SC, TC and HK faces) the Simplified Chinese one, else the first. For
    English text (``lang="en"``) the Japanese face of a CJK collection: the Chinese
    faces set the quotation marks and the apostrophe (“ ” ‘ ’) full-width, as Chinese
    text wants them, the Japanese face proportional, as English text wants them; both
    have every Chinese character."""
    return _face_index(str(path), " JP" if lang == "en" else " SC")


@lru_cache(maxsize=16)
def _face_index(path: str, suffix: str = " SC") -> int:
    from fontTools.ttLib import TTCollection

    with open(path, "rb") as fh:
        if fh.read(4) != b"ttcf":
            return 0
    coll = TTCollection(path, lazy=True)
    try:
        return next(
            (i for i, f in enumerate(coll.fonts) if f["name"].getDebugName(1).endswith(suffix)), 0
        )
    finally:
        coll.close()


@lru_cache(maxsize=16)
def _cmap(path: str, index: int) -> frozenset[int]:
    """The code points the face ``index`` of the font file ``path`` maps to glyphs."""
    from fontTools.ttLib import TTFont

    with TTFont(path, fontNumber=index, lazy=True) as font:
        return frozenset(font.getBestCmap() or ())


def _covered_by(ch: str, font: ResolvedFont) -> str | None:
    """The CSS family of the first of ``font``'s files (main font, then fallbacks in
    order) that covers ``ch``, or None; a fallback's cmap is read only when needed."""
    cp = ord(ch)
    if cp < 0x80 or cp in _cmap(str(font.path), face_index(font.path)):
        return "ReportCJK"
    return next((f.face for f in font.fallbacks if cp in _cmap(str(f.path), 0)), None)


def _no_glyph_needed(ch: str) -> bool:
    cp = ord(ch)
    return unicodedata.category(ch) == "Cc" or any(lo <= cp <= hi for lo, hi in _IGNORABLE)


def missing_glyphs(text: str, font: ResolvedFont) -> str:
    """The characters of ``text`` (each once, in order of appearance) that neither the
    main font nor any fallback covers; control and default-ignorable characters (a
    zero-width joiner, a variation selector) need no glyph and are never listed."""
    return "".join(
        ch
        for ch in dict.fromkeys(text)
        if not _no_glyph_needed(ch) and _covered_by(ch, font) is None
    )


def displayable(text: str, font: ResolvedFont) -> str:
    """``text`` with every character no font covers replaced by :data:`REPLACEMENT` and
    the default-ignorable characters no font covers left out (they draw as nothing)."""
    table: dict[int, str | None] = {}
    for ch in set(text):
        if _covered_by(ch, font) is None:
            table[ord(ch)] = None if _no_glyph_needed(ch) else REPLACEMENT
    if table and _covered_by(REPLACEMENT, font) is None:  # a user font without □
        table = {cp: None if v is None else "?" for cp, v in table.items()}
    return text.translate(table) if table else text


def faces_for(text: str, font: ResolvedFont) -> list[Fallback]:
    """The fallback fonts the reports need for ``text``: each that is the first to
    cover some character of it which the main font lacks."""
    used = {_covered_by(ch, font) for ch in set(text)}
    return [f for f in font.fallbacks if f.face in used]


def glyph_warnings(names: Iterable[tuple[str, str, str]], font: ResolvedFont) -> list[str]:
    """One bilingual warning per name holding characters that no font covers; ``names``:
    (kind, code, name), kind e.g. "单位 / unit". The characters are listed with their
    code points and said to be drawn as :data:`REPLACEMENT` in the reports and charts."""
    out = []
    for kind, code, name in names:
        missing = missing_glyphs(str(name), font)
        if missing:
            chars = ", ".join(f"{ch} U+{ord(ch):04X}" for ch in missing)
            zh, _, en = kind.partition(" / ")
            out.append(
                f"{zh} {code}（{name}）的名称有字体未覆盖的字符，报告与图表中显示为 "
                f"{REPLACEMENT}：{chars}；可安装 Debian 的 fonts-noto-core、fonts-symbola（make "
                f"system-deps）或用 {FONT_ENV} 指定覆盖这些字符的字体 / {en or zh} "
                f"{code} ({name}): characters no font covers, drawn as {REPLACEMENT} in the "
                f"reports and charts: {chars}; install Debian's fonts-noto-core and "
                f"fonts-symbola (make system-deps) or name a font covering them in {FONT_ENV}"
            )
    return out


def warn_missing_glyphs(names: Iterable[tuple[str, str, str]], font: ResolvedFont) -> None:
    """Each message of :func:`glyph_warnings` as a ``UserWarning``: what ``run`` and
    ``monitor`` say before drawing the characters as :data:`REPLACEMENT`."""
    for message in glyph_warnings(names, font):
        warnings.warn(message, UserWarning, stacklevel=3)


def names_to_check(units: Any, framework: Any = None) -> list[tuple[str, str, str]]:
    """(kind, code, name) of each unit (``units``: uCode → uName, a mapping or Series)
    and of each element of ``framework`` (both its names), for :func:`glyph_warnings`."""
    items = units.items() if hasattr(units, "items") else units
    out = [("单位 / unit", str(c), str(n)) for c, n in items if isinstance(n, str)]
    for node in getattr(framework, "nodes", ()):
        name = " / ".join(t for t in (node.name_zh, node.name_en) if t)
        out.append(("框架元素 / framework element", node.code, name))
    return out


def _family(path: Path) -> str:
    """The family name stored in the font file (the first face of a collection)."""
    from matplotlib import font_manager

    return font_manager.FontProperties(fname=str(path)).get_name()


def matplotlib_rc(font: ResolvedFont) -> dict[str, object]:
    """matplotlib settings that draw text in ``font`` and its fallbacks (registered
    once), never as mathtext, and embed TrueType rather than Type 3 fonts in PDF/PS."""

    names = families(font)
    return {  # a list of families in font.family: matplotlib falls back glyph by glyph
        "font.family": names,
        "font.sans-serif": names,
        "axes.unicode_minus": False,
        "text.parse_math": False,
        "pdf.fonttype": 42,
        "ps.fonttype": 42,
        "svg.fonttype": "path",
    }


@lru_cache(maxsize=16)
def _register(path: str) -> None:
    from matplotlib import font_manager

    font_manager.fontManager.addfont(path)


def families(font: ResolvedFont) -> list[str]:
    """``font`` (registered with matplotlib), then its fallbacks, then DejaVu Sans,
    matplotlib's own font: matplotlib falls back glyph by glyph along this list.

    Of a font collection (Noto Sans CJK's ``.ttc`` holds JP, KR, SC, TC and HK faces,
    JP first) the Simplified Chinese face is used when matplotlib registers every face
    (matplotlib ≥ 3.10), so charts draw Chinese glyph forms, as the PDFs do.
    """
    from matplotlib import font_manager

    _register(str(font.path))
    path = os.path.realpath(font.path)
    faces = [e.name for e in font_manager.fontManager.ttflist if os.path.realpath(e.fname) == path]
    simplified = [name for name in faces if name.endswith(" SC")]
    names = [simplified[0] if simplified else font.family]
    for fb in font.fallbacks:
        _register(str(fb.path))
        names.append(fb.family)
    return list(dict.fromkeys([*names, "DejaVu Sans"]))


def chart_texts(artist: Any, font: ResolvedFont) -> str:
    """Make every text of ``artist`` (a figure or axes) safe to draw: never read as
    mathtext (``$`` in a unit name stays a dollar sign: ``Text.set_parse_math``), and
    characters no font covers drawn as :data:`REPLACEMENT` (:func:`displayable`) — in
    the texts there are and in the tick labels the axes' formatters write at drawing
    time (fixed labels, or categories such as unit names plotted as data). The one
    place user text is prepared for a chart. Returns the characters replaced (of the
    texts there are), each once."""
    from matplotlib.axes import Axes
    from matplotlib.category import StrCategoryFormatter
    from matplotlib.text import Text
    from matplotlib.ticker import FixedFormatter, FuncFormatter

    replaced = ""
    for ax in artist.findobj(Axes):
        for axis in (ax.xaxis, ax.yaxis):
            fmt = axis.get_major_formatter()
            # labels given as text (set_ticks(labels=…), categories): shown as displayable;
            # numeric formatters (and their offset text) are left alone
            if isinstance(fmt, FixedFormatter | FuncFormatter | StrCategoryFormatter):
                if not getattr(fmt, "_displayable", False):
                    labels = [str(fmt(x, i)) for i, x in enumerate(axis.get_majorticklocs())]
                    replaced += missing_glyphs("".join(labels), font)
                    safe = FuncFormatter(lambda x, pos, f=fmt: displayable(str(f(x, pos)), font))
                    safe._displayable = True  # type: ignore[attr-defined]
                    axis.set_major_formatter(safe)
            axis.get_major_ticks()  # tick labels made now, so they are never mathtext
    for text in artist.findobj(Text):
        text.set_parse_math(False)
        raw = text.get_text()
        shown = displayable(raw, font)
        if shown != raw:
            replaced += missing_glyphs(raw, font)
            text.set_text(shown)
    return "".join(dict.fromkeys(replaced))


def apply_font(*axes: Any, font: ResolvedFont) -> None:
    """Draw every text of ``axes`` (title, axis labels, tick labels, legend, annotations,
    and tick labels matplotlib creates later) in ``font``, whenever the figure is drawn;
    the texts go through :func:`chart_texts`, and characters no font covers (drawn as
    :data:`REPLACEMENT`) are named in a warning.

    For plots returned to a notebook: the family names are set on the texts themselves,
    so they hold outside any ``rc_context`` (a generic "sans-serif" would be looked up
    again at drawing time, in the notebook's settings).
    """
    from matplotlib.text import Text

    names = families(font)
    for ax in axes:
        replaced = chart_texts(ax, font)
        if replaced:
            chars = ", ".join(f"{ch} U+{ord(ch):04X}" for ch in replaced)
            warnings.warn(
                f"图中有字体未覆盖的字符，显示为 {REPLACEMENT}：{chars} / characters no font "
                f"covers, drawn as {REPLACEMENT} in the plot: {chars}",
                UserWarning,
                stacklevel=3,
            )
        for text in ax.findobj(Text):
            text.set_fontfamily(names)
        ax.tick_params(which="both", labelfontfamily=names)
