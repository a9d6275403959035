"""The fonts of the reports: :mod:`integrity_eval.fonts`, the one resolver of every
chart and PDF, under its report name."""

from ..fonts import (
    FONT_ENV,
    REPLACEMENT,
    ResolvedFont,
    apply_font,
    chart_texts,
    displayable,
    face_index,
    faces_for,
    glyph_warnings,
    matplotlib_rc,
    names_to_check,
    resolve_font,
    warn_missing_glyphs,
)

__all__ = [
    "FONT_ENV",
    "REPLACEMENT",
    "ResolvedFont",
    "apply_font",
    "chart_texts",
    "displayable",
    "face_index",
    "faces_for",
    "glyph_warnings",
    "matplotlib_rc",
    "names_to_check",
    "resolve_font",
    "warn_missing_glyphs",
]
